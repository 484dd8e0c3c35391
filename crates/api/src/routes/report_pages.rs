//! An OWES's reports in the browser (`crate::pages::report_form`): the list of its quarters,
//! and the form of one quarter, whose save and submit are the store's own writes — the same
//! rules, checks and revisions as the API's `PUT` and `submit`.

use super::dashboard::{forbidden, person, refused};
use super::signin::csrf_matches;
use crate::auth::Caller;
use crate::csv_import::cells::number_text;
use crate::error::ApiError;
use crate::pages::report_form::{report_form, reports_list, typed_value, QuarterRow, ReportForm};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};
use rops_domain::number::Decimal;
use rops_domain::period::Quarter;
use rops_domain::policy::{Action, Resource};
use rops_domain::problems_pl;
use rops_domain::report::ReportPeriod;
use rops_domain::report::Transition;
use rops_domain::values::Input;
use rops_store::accounts::{Session, User};
use rops_store::reports::{self, Actor, Report, ReportFilter, ReportInput, ReportKey};
use rops_store::{IfMatch, StoreError};
use serde::Deserialize;

/// The person, and whether they may read (and write) the OWES's reports; the answer to give
/// instead when they may not read them.
async fn reader(
    state: &AppState,
    req: &HttpRequest,
    owes: &str,
) -> Result<Result<(Session, User, Caller, bool), HttpResponse>, ApiError> {
    let (session, user, caller) = match person(state, req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(Err(answer)),
    };
    match caller
        .may_at(
            state,
            Action::ReadReports,
            Resource::Unit(Stream::Owes, owes),
        )
        .await
    {
        Ok(()) => {}
        Err(ApiError::Forbidden(_)) => return Ok(Err(forbidden())),
        Err(ApiError::NotFound(_)) => return Ok(Err(no_owes(owes))),
        Err(e) => return Err(e),
    }
    let may_write = caller
        .may_at(
            state,
            Action::WriteReports,
            Resource::Unit(Stream::Owes, owes),
        )
        .await
        .is_ok();
    Ok(Ok((session, user, caller, may_write)))
}

fn no_owes(owes: &str) -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        &format!("Nie ma OWES o kodzie {owes}."),
    )
}

/// The quarters an OWES reports for now: from its first active quarter to its last, or to
/// the current one; newest first.
fn reportable(active_from: &str, active_to: Option<&str>, today: Quarter) -> Vec<Quarter> {
    let Ok(from) = Quarter::parse(active_from) else {
        return Vec::new();
    };
    let to = active_to
        .and_then(|t| Quarter::parse(t).ok())
        .map_or(today, |t| t.min(today));
    let mut out: Vec<Quarter> = std::iter::successors(Some(from), |q| Some(q.next()))
        .take_while(|q| *q <= to)
        .collect();
    out.reverse();
    out
}

/// The list of an OWES's quarters with their reports.
#[get("/owes/{code}/reports")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let owes = code.into_inner();
    let (session, user, _, _) = match reader(&state, &req, &owes).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let unit = owes.clone();
    let (view, stored) = state
        .db(move |conn| {
            let view = rops_store::queries::owes(conn, &unit)?;
            let stored = reports::list(
                conn,
                Stream::Owes,
                &ReportFilter {
                    units: Some(vec![unit.clone()]),
                    ..ReportFilter::default()
                },
            )?;
            Ok((view, stored))
        })
        .await?;
    let Some(view) = view else {
        return Ok(no_owes(&owes));
    };
    let today = Quarter::containing(state.clock.now().date_naive());
    let quarters = reportable(&view.active_from, view.active_to.as_deref(), today);
    let rows: Vec<QuarterRow<'_>> = quarters
        .iter()
        .map(|q| QuarterRow {
            quarter: *q,
            report: stored.iter().find(|r| r.period == q.to_string()),
            current: *q == today,
        })
        .collect();
    let banner = Banner::of(&user, &session);
    Ok(pages::respond(
        StatusCode::OK,
        reports_list(&banner, &owes, &view.name, &rows),
    ))
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    saved: Option<String>,
}

/// What one quarter's form shows besides the report: the OWES, its catalogue, the previous
/// quarter's and last year's reports.
struct Context {
    name: String,
    stored: Option<Report>,
    indicators: Vec<IndicatorDef>,
    previous: Option<Report>,
    year_ago: Option<Report>,
}

async fn context(
    state: &AppState,
    owes: &str,
    quarter: Quarter,
) -> Result<Option<Context>, ApiError> {
    let owes = owes.to_owned();
    state
        .db(move |conn| {
            let Some(view) = rops_store::queries::owes(conn, &owes)? else {
                return Ok(None);
            };
            let key = |q: Quarter| ReportKey {
                stream: Stream::Owes,
                unit: owes.clone(),
                period: ReportPeriod::Quarter(q),
            };
            Ok(Some(Context {
                name: view.name,
                stored: reports::get(conn, &key(quarter))?,
                indicators: reports::catalogue(conn, Stream::Owes)?,
                previous: reports::get(conn, &key(quarter.previous()))?,
                year_ago: reports::get(conn, &key(quarter.year_ago()))?,
            }))
        })
        .await
}

/// The quarter of the path, when it is one the OWES may report for now.
fn quarter_of(text: &str, today: Quarter) -> Option<Quarter> {
    Quarter::parse(text).ok().filter(|q| *q <= today)
}

fn no_quarter(owes: &str, text: &str) -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        &format!("{owes} nie ma sprawozdania za {text}: kwartał zapisuje się jako 2025-Q3 i musi się już zacząć."),
    )
}

struct Shown<'a> {
    typed: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    notice: Option<&'a str>,
    revision: i32,
    conflict: Option<Report>,
}

fn form_page(
    status: StatusCode,
    banner: &Banner<'_>,
    owes: &str,
    quarter: Quarter,
    ctx: &Context,
    may_write: bool,
    shown: Shown<'_>,
) -> HttpResponse {
    pages::respond(
        status,
        report_form(&ReportForm {
            banner,
            owes,
            owes_name: &ctx.name,
            quarter,
            stored: ctx.stored.as_ref(),
            indicators: &ctx.indicators,
            typed: &shown.typed,
            errors: &shown.errors,
            previous: ctx.previous.as_ref(),
            year_ago: ctx.year_ago.as_ref(),
            may_write,
            notice: shown.notice,
            revision: shown.revision,
            conflict: shown.conflict.as_ref(),
        }),
    )
}

fn stored_values(ctx: &Context) -> Vec<(String, String)> {
    ctx.indicators
        .iter()
        .map(|i| {
            let code = i.code.to_string();
            let value = ctx
                .stored
                .as_ref()
                .map(|r| typed_value(&r.values, &code))
                .unwrap_or_default();
            (code, value)
        })
        .collect()
}

/// One quarter's form.
#[get("/owes/{code}/reports/{quarter}")]
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    notice: web::Query<Notice>,
) -> Result<HttpResponse, ApiError> {
    let (owes, text) = path.into_inner();
    let (session, user, _, may_write) = match reader(&state, &req, &owes).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let today = Quarter::containing(state.clock.now().date_naive());
    let Some(quarter) = quarter_of(&text, today) else {
        return Ok(no_quarter(&owes, &text));
    };
    let Some(ctx) = context(&state, &owes, quarter).await? else {
        return Ok(no_owes(&owes));
    };
    let notice = match notice.saved.as_deref() {
        Some("draft") => Some("Zapisano wersję roboczą."),
        Some("submitted") => Some("Sprawozdanie zostało przesłane do ROPS."),
        _ => None,
    };
    let banner = Banner::of(&user, &session);
    let shown = Shown {
        typed: stored_values(&ctx),
        errors: Vec::new(),
        notice,
        revision: ctx.stored.as_ref().map_or(0, |r| r.revision),
        conflict: None,
    };
    Ok(form_page(
        StatusCode::OK,
        &banner,
        &owes,
        quarter,
        &ctx,
        may_write,
        shown,
    ))
}

/// The form as posted: its fields, in order.
struct Posted {
    csrf: String,
    revision: Option<i32>,
    submit: bool,
    /// `values[<code>]` → the text typed.
    values: Vec<(String, String)>,
}

fn posted(body: &[u8]) -> Posted {
    let mut p = Posted {
        csrf: String::new(),
        revision: None,
        submit: false,
        values: Vec::new(),
    };
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf_token" => p.csrf = v.into_owned(),
            "revision" => p.revision = v.trim().parse().ok(),
            "action" => p.submit = v == "submit",
            k => {
                if let Some(code) = k.strip_prefix("values[").and_then(|c| c.strip_suffix(']')) {
                    p.values.push((code.to_owned(), v.into_owned()));
                }
            }
        }
    }
    p
}

/// The values typed, read the way spreadsheets write numbers (`1 234,50`); an unreadable one
/// is an error of its field, in Polish.
fn input_of(values: &[(String, String)], errors: &mut Vec<(String, String)>) -> Input {
    let mut input = Input::new();
    for (code, text) in values {
        let text = text.trim();
        let value = if text.is_empty() {
            None
        } else {
            match number_text(text).map(|t| Decimal::parse(&t)) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    errors.push((
                        format!("values.{code}"),
                        problems_pl::message(&e.to_string()),
                    ));
                    None
                }
                None => {
                    errors.push((
                        format!("values.{code}"),
                        format!(
                            "„{}” nie jest liczbą; wpisz np. 12 albo 1 234,50",
                            crate::routes::reports::shorten(text)
                        ),
                    ));
                    None
                }
            }
        };
        input.insert(code.clone(), value);
    }
    input
}

/// Saves (`action=save`) or saves and submits (`action=submit`) one quarter's report, as the
/// API's `PUT` and `submit` do, in one transaction: all or nothing.
#[post("/owes/{code}/reports/{quarter}")]
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (owes, text) = path.into_inner();
    let (session, user, caller, may_write) = match reader(&state, &req, &owes).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let sent = posted(&body);
    if !csrf_matches(&req, &sent.csrf, &session) {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            "Formularz wygasł",
            "Formularz nie pochodzi z tej sesji (albo sesja się zmieniła). Otwórz sprawozdanie ponownie i zapisz jeszcze raz.",
        ));
    }
    if !may_write {
        return Ok(forbidden());
    }
    let today = Quarter::containing(state.clock.now().date_naive());
    let Some(quarter) = quarter_of(&text, today) else {
        return Ok(no_quarter(&owes, &text));
    };
    let mut errors = Vec::new();
    let input = input_of(&sent.values, &mut errors);
    let banner = Banner::of(&user, &session);
    let Some(ctx) = context(&state, &owes, quarter).await? else {
        return Ok(no_owes(&owes));
    };
    let mut shown = Shown {
        typed: sent.values.clone(),
        errors,
        notice: None,
        revision: sent.revision.unwrap_or(0),
        conflict: None,
    };
    if !shown.errors.is_empty() {
        return Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &banner,
            &owes,
            quarter,
            &ctx,
            true,
            shown,
        ));
    }
    let key = ReportKey {
        stream: Stream::Owes,
        unit: owes.clone(),
        period: ReportPeriod::Quarter(quarter),
    };
    let read_at = sent.revision.unwrap_or(0);
    let submit = sent.submit;
    let clock = state.clock;
    let sub = caller.sub.clone();
    let written = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(conn, |conn| {
                let actor = Actor::new(&sub, clock);
                // What the person read is what they change: a report created or changed
                // since is theirs to compare first.
                let now = reports::get(conn, &key)?.map_or(0, |r| r.revision);
                if now != read_at {
                    return Err(StoreError::ChangedMeanwhile(rops_store::Subject::Report(
                        key.clone(),
                    )));
                }
                let input = ReportInput {
                    values: input,
                    ..ReportInput::default()
                };
                let if_match = if read_at == 0 {
                    IfMatch::ANY
                } else {
                    IfMatch::revision(read_at)
                };
                let (report, _) = reports::put(conn, &key, &input, if_match, &actor)?;
                if submit {
                    return reports::transition(
                        conn,
                        &key,
                        Transition::Submit,
                        None,
                        IfMatch::ANY,
                        &actor,
                    );
                }
                Ok(report)
            }))
        })
        .await?;
    let status = match written {
        Ok(_) => {
            let saved = if submit { "submitted" } else { "draft" };
            return Ok(pages::see_other(&format!(
                "/owes/{owes}/reports/{quarter}?saved={saved}"
            )));
        }
        Err(StoreError::Invalid(refused_fields)) => {
            shown.errors = refused_fields
                .into_iter()
                .map(|e| (e.field, problems_pl::message(&e.message)))
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(StoreError::StaleRevision { .. } | StoreError::ChangedMeanwhile(_)) => {
            // Nothing was written; show what is stored now beside what was typed, and take
            // the new revision, so saving again is a choice made knowingly.
            shown.conflict = ctx.stored.clone();
            shown.revision = ctx.stored.as_ref().map_or(0, |r| r.revision);
            StatusCode::CONFLICT
        }
        Err(
            e @ (StoreError::Locked { .. }
            | StoreError::NotApplicable { .. }
            | StoreError::Conflict(_)),
        ) => {
            shown
                .errors
                .push(("form".into(), problems_pl::message(&e.to_string())));
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    // Errors the form has no field for are said above it.
    let fields: Vec<String> = ctx
        .indicators
        .iter()
        .filter(|i| i.kind != IndicatorKind::Ratio)
        .map(|i| format!("values.{}", i.code))
        .collect();
    let (mine, other): (Vec<_>, Vec<_>) = shown
        .errors
        .into_iter()
        .partition(|(f, _)| fields.contains(f) || f == "form");
    shown.errors = mine;
    if !other.is_empty() {
        let text = other
            .iter()
            .map(|(f, m)| format!("{}: {m}", problems_pl::field(f)))
            .collect::<Vec<_>>()
            .join("; ");
        shown.errors.push(("form".into(), text));
    }
    Ok(form_page(
        status, &banner, &owes, quarter, &ctx, true, shown,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owes_reports_for_its_active_quarters_up_to_now() {
        let q = |s: &str| Quarter::parse(s).unwrap();
        let quarters = reportable("2024-Q3", None, q("2025-Q2"));
        assert_eq!(quarters.first(), Some(&q("2025-Q2")));
        assert_eq!(quarters.last(), Some(&q("2024-Q3")));
        assert_eq!(quarters.len(), 4);
        assert_eq!(
            reportable("2024-Q3", Some("2024-Q4"), q("2025-Q2")).len(),
            2
        );
        assert!(reportable("2026-Q1", None, q("2025-Q2")).is_empty());
    }

    #[test]
    fn typed_numbers_are_read_as_spreadsheets_write_them() {
        let mut errors = Vec::new();
        let values = vec![
            ("a".to_owned(), "1 234,50".to_owned()),
            ("b".to_owned(), "".to_owned()),
            ("c".to_owned(), "dużo".to_owned()),
        ];
        let input = input_of(&values, &mut errors);
        assert_eq!(input["a"].map(|d| d.to_string()), Some("1234.50".into()));
        assert_eq!(input["b"], None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "values.c");
        assert!(errors[0].1.contains("nie jest liczbą"), "{:?}", errors);
    }
}
