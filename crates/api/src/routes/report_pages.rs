//! An OWES's reports in the browser (`crate::pages::report_form`): the list of its quarters,
//! and the form of one quarter, whose save and submit are the store's own writes — the same
//! rules, checks and revisions as the API's `PUT` and `submit`.

use super::dashboard::{forbidden, person, refusal, refused};
use super::signin::csrf_matches;
use crate::auth::Caller;
use crate::csv_import::cells::number_text;
use crate::error::ApiError;
use crate::pages::report_form::{
    previous_period, report_form, reports_list, typed_value, QuarterRow, ReportForm,
};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};
use rops_domain::number::Decimal;
use rops_domain::period::Quarter;
use rops_domain::plausibility::{self, Thresholds, Warning};
use rops_domain::policy::{Action, Resource};
use rops_domain::problems_pl;
use rops_domain::report::ReportPeriod;
use rops_domain::report::Transition;
use rops_domain::values::Input;
use rops_store::accounts::{Session, User};
use rops_store::reports::{self, Actor, Report, ReportFilter, ReportInput, ReportKey};
use rops_store::{Abort, IfMatch, StoreError};
use serde::Deserialize;

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
    imported: web::Query<Imported>,
) -> Result<HttpResponse, ApiError> {
    let owes = code.into_inner();
    let unit = UnitRef {
        stream: Stream::Owes,
        code: owes.clone(),
    };
    let (session, user, _, may_write) = match unit_reader(&state, &req, &unit).await? {
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
        reports_list(
            &banner,
            &owes,
            &view.name,
            &rows,
            imported
                .imported
                .is_some()
                .then_some("Arkusz wczytany: sprawozdania zapisane."),
            may_write,
        ),
    ))
}

#[derive(Debug, Deserialize)]
pub struct Imported {
    imported: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    saved: Option<String>,
}

/// A unit whose report a form is for: its stream and code.
#[derive(Clone)]
pub(crate) struct UnitRef {
    pub(crate) stream: Stream,
    pub(crate) code: String,
}

impl UnitRef {
    fn form_path(&self, period: ReportPeriod) -> String {
        format!("/{}/{}/reports/{period}", self.plural(), self.code)
    }

    fn plural(&self) -> &'static str {
        match self.stream {
            Stream::Owes => "owes",
            Stream::Gmina => "gminas",
            Stream::Entity => "entities",
        }
    }

    /// The page the form is reached from.
    fn back(&self) -> (String, &'static str) {
        match self.stream {
            Stream::Owes => (
                format!("/owes/{}/reports", self.code),
                "Wszystkie sprawozdania",
            ),
            _ => (
                format!("/{}/{}", self.plural(), self.code),
                "Strona jednostki",
            ),
        }
    }

    fn key(&self, period: ReportPeriod) -> ReportKey {
        ReportKey {
            stream: self.stream,
            unit: self.code.clone(),
            period,
        }
    }
}

/// What one period's form shows besides the report: the unit's name, the catalogue, the
/// previous period's and (quarters) last year's reports, a gmina's results checklist.
struct Context {
    name: String,
    stored: Option<Report>,
    indicators: Vec<IndicatorDef>,
    previous: Option<Report>,
    year_ago: Option<Report>,
    result_groups: Option<Vec<rops_store::views::ResultGroupView>>,
}

async fn context(
    state: &AppState,
    unit: &UnitRef,
    period: ReportPeriod,
) -> Result<Option<Context>, ApiError> {
    let unit = unit.clone();
    state
        .db(move |conn| {
            let name = match unit.stream {
                Stream::Owes => rops_store::queries::owes(conn, &unit.code)?.map(|o| o.name),
                Stream::Gmina => rops_store::queries::gmina(conn, &unit.code)?.map(|g| g.name),
                Stream::Entity => None,
            };
            let Some(name) = name else {
                return Ok(None);
            };
            let year_ago = match period {
                ReportPeriod::Quarter(q) => {
                    reports::get(conn, &unit.key(ReportPeriod::Quarter(q.year_ago())))?
                }
                ReportPeriod::Year(_) => None,
            };
            let result_groups = match unit.stream {
                Stream::Gmina => Some(rops_store::queries::catalogue(conn)?.result_groups),
                _ => None,
            };
            Ok(Some(Context {
                name,
                stored: reports::get(conn, &unit.key(period))?,
                indicators: reports::catalogue(conn, unit.stream)?,
                previous: reports::get(conn, &unit.key(previous_period(period)))?,
                year_ago,
                result_groups,
            }))
        })
        .await
}

/// The period of the path, when it is one the unit may report for now (it has begun).
fn period_of(stream: Stream, text: &str, today: Quarter) -> Option<ReportPeriod> {
    ReportPeriod::parse(stream, text)
        .ok()
        .filter(|p| p.quarters().0 <= today)
}

fn no_period(unit: &UnitRef, text: &str) -> HttpResponse {
    let written_as = match unit.stream {
        Stream::Owes => "kwartał zapisuje się jako 2025-Q3",
        _ => "rok zapisuje się jako 2025",
    };
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        &format!(
            "{} nie ma sprawozdania za {text}: {written_as} i musi się już zacząć.",
            unit.code
        ),
    )
}

struct Shown<'a> {
    /// Plausibility warnings to confirm before submitting.
    warnings: Vec<Warning>,
    typed: Vec<(String, String)>,
    results: Vec<String>,
    errors: Vec<(String, String)>,
    notice: Option<&'a str>,
    revision: i32,
    conflict: Option<Report>,
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    status: StatusCode,
    thresholds: Thresholds,
    banner: &Banner<'_>,
    unit: &UnitRef,
    period: ReportPeriod,
    ctx: &Context,
    may_write: bool,
    shown: Shown<'_>,
) -> HttpResponse {
    pages::respond(
        status,
        report_form(&ReportForm {
            banner,
            unit_name: &ctx.name,
            period,
            action: unit.form_path(period),
            back: unit.back(),
            stored: ctx.stored.as_ref(),
            indicators: &ctx.indicators,
            typed: &shown.typed,
            results: ctx
                .result_groups
                .as_deref()
                .map(|g| (g, shown.results.as_slice())),
            errors: &shown.errors,
            previous: ctx.previous.as_ref(),
            year_ago: ctx.year_ago.as_ref(),
            may_write,
            notice: shown.notice,
            revision: shown.revision,
            conflict: shown.conflict.as_ref(),
            warnings: &shown.warnings,
            thresholds,
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

/// The person's answer for a unit's report: who they are and whether they may write it.
pub(crate) async fn unit_reader(
    state: &AppState,
    req: &HttpRequest,
    unit: &UnitRef,
) -> Result<Result<(Session, User, Caller, bool), HttpResponse>, ApiError> {
    let (session, user, caller) = match person(state, req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(Err(answer)),
    };
    let not_found = || {
        refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Nie ma jednostki o kodzie {}.", unit.code),
        )
    };
    if unit.stream.parse_unit(&unit.code).is_err() {
        return Ok(Err(not_found()));
    }
    if let Some(answer) = refusal(
        caller
            .may_at(
                state,
                Action::ReadReports,
                Resource::Unit(unit.stream, &unit.code),
            )
            .await,
        not_found,
    )? {
        return Ok(Err(answer));
    }
    let may_write = caller
        .may_at(
            state,
            Action::WriteReports,
            Resource::Unit(unit.stream, &unit.code),
        )
        .await
        .is_ok();
    Ok(Ok((session, user, caller, may_write)))
}

async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    unit: UnitRef,
    text: &str,
    notice: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let (session, user, _, may_write) = match unit_reader(state, req, &unit).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let today = Quarter::containing(state.clock.now().date_naive());
    let Some(period) = period_of(unit.stream, text, today) else {
        return Ok(no_period(&unit, text));
    };
    let Some(ctx) = context(state, &unit, period).await? else {
        return Ok(no_period(&unit, text));
    };
    let notice = match notice {
        Some("draft") => Some("Zapisano wersję roboczą."),
        Some("submitted") => Some("Sprawozdanie zostało przesłane do ROPS."),
        _ => None,
    };
    let banner = Banner::of(&user, &session);
    let shown = Shown {
        warnings: Vec::new(),
        typed: stored_values(&ctx),
        results: ctx
            .stored
            .as_ref()
            .and_then(|r| r.results.clone())
            .unwrap_or_default(),
        errors: Vec::new(),
        notice,
        revision: ctx.stored.as_ref().map_or(0, |r| r.revision),
        conflict: None,
    };
    Ok(form_page(
        StatusCode::OK,
        state.plausibility,
        &banner,
        &unit,
        period,
        &ctx,
        may_write,
        shown,
    ))
}

/// One quarter's form of an OWES.
#[get("/owes/{code}/reports/{quarter}")]
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    notice: web::Query<Notice>,
) -> Result<HttpResponse, ApiError> {
    let (code, text) = path.into_inner();
    let unit = UnitRef {
        stream: Stream::Owes,
        code,
    };
    show_form(&state, &req, unit, &text, notice.saved.as_deref()).await
}

/// One year's annual report form of a gmina.
#[get("/gminas/{teryt}/reports/{year}")]
pub async fn gmina_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    notice: web::Query<Notice>,
) -> Result<HttpResponse, ApiError> {
    let (code, text) = path.into_inner();
    let unit = UnitRef {
        stream: Stream::Gmina,
        code,
    };
    show_form(&state, &req, unit, &text, notice.saved.as_deref()).await
}

/// Why a form's write stopped: the store refused, or values need confirming first.
type Stop = Abort<Vec<Warning>>;

/// The form as posted: its fields, in order.
struct Posted {
    csrf: String,
    revision: Option<i32>,
    submit: bool,
    /// `values[<code>]` → the text typed.
    values: Vec<(String, String)>,
    /// The results checklist codes ticked (gmina reports).
    results: Vec<String>,
    /// The person confirmed the plausibility warnings shown.
    confirm_warnings: bool,
}

fn posted(body: &[u8]) -> Posted {
    let mut p = Posted {
        csrf: String::new(),
        revision: None,
        submit: false,
        values: Vec::new(),
        results: Vec::new(),
        confirm_warnings: false,
    };
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf_token" => p.csrf = v.into_owned(),
            "revision" => p.revision = v.trim().parse().ok(),
            "action" => p.submit = v == "submit",
            "results" => p.results.push(v.into_owned()),
            "confirm_warnings" => p.confirm_warnings = true,
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

/// Saves (`action=save`) or saves and submits (`action=submit`) one OWES quarter's report.
#[post("/owes/{code}/reports/{quarter}")]
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (code, text) = path.into_inner();
    store_form(
        &state,
        &req,
        UnitRef {
            stream: Stream::Owes,
            code,
        },
        &text,
        &body,
    )
    .await
}

/// Saves or saves and submits one gmina annual report, with its results checklist.
#[post("/gminas/{teryt}/reports/{year}")]
pub async fn gmina_save(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (code, text) = path.into_inner();
    store_form(
        &state,
        &req,
        UnitRef {
            stream: Stream::Gmina,
            code,
        },
        &text,
        &body,
    )
    .await
}

/// Saves a report as the API's `PUT` does and, for `action=submit`, submits it as the API's
/// `submit` does, in one transaction: all or nothing, at the revision the form was read at.
async fn store_form(
    state: &AppState,
    req: &HttpRequest,
    unit: UnitRef,
    text: &str,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller, may_write) = match unit_reader(state, req, &unit).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let sent = posted(body);
    if !csrf_matches(req, &sent.csrf, &session) {
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
    let Some(period) = period_of(unit.stream, text, today) else {
        return Ok(no_period(&unit, text));
    };
    let mut errors = Vec::new();
    let input = input_of(&sent.values, &mut errors);
    let banner = Banner::of(&user, &session);
    let Some(ctx) = context(state, &unit, period).await? else {
        return Ok(no_period(&unit, text));
    };
    let mut shown = Shown {
        warnings: Vec::new(),
        typed: sent.values.clone(),
        results: sent.results.clone(),
        errors,
        notice: None,
        revision: sent.revision.unwrap_or(0),
        conflict: None,
    };
    if !shown.errors.is_empty() {
        return Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            state.plausibility,
            &banner,
            &unit,
            period,
            &ctx,
            true,
            shown,
        ));
    }
    let key = unit.key(period);
    let read_at = sent.revision.unwrap_or(0);
    let submit = sent.submit;
    let results = (unit.stream == Stream::Gmina).then(|| sent.results.clone());
    let confirmed = sent.confirm_warnings;
    let thresholds = state.plausibility;
    let catalogue = ctx.indicators.clone();
    let clock = state.clock;
    let sub = caller.sub.clone();
    let written = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(
                conn,
                |conn| -> Result<Report, Stop> {
                    let actor = Actor::new(&sub, clock);
                    // What the person read is what they change: a report created or changed
                    // since is theirs to compare first.
                    let now = reports::get(conn, &key)?.map_or(0, |r| r.revision);
                    if now != read_at {
                        return Err(StoreError::ChangedMeanwhile(rops_store::Subject::Report(
                            key.clone(),
                        ))
                        .into());
                    }
                    let input = ReportInput {
                        values: input,
                        results,
                        ..ReportInput::default()
                    };
                    let if_match = if read_at == 0 {
                        IfMatch::ANY
                    } else {
                        IfMatch::revision(read_at)
                    };
                    let (report, _) = reports::put(conn, &key, &input, if_match, &actor)?;
                    if !submit {
                        return Ok(report);
                    }
                    // Unusual values never block, but are confirmed before they are submitted;
                    // unconfirmed, nothing of this request is kept.
                    let history = reports::history(conn, &key, thresholds.history)?;
                    let warned = plausibility::warnings(
                        &catalogue,
                        &report.values,
                        &history.iter().collect::<Vec<_>>(),
                        thresholds,
                    );
                    if !warned.is_empty() && !confirmed {
                        return Err(Stop::Caller(warned));
                    }
                    let submitted = reports::transition(
                        conn,
                        &key,
                        Transition::Submit,
                        None,
                        IfMatch::ANY,
                        &actor,
                    )?;
                    if !warned.is_empty() {
                        reports::record_warnings(conn, &key, submitted.revision, &warned)?;
                    }
                    Ok(submitted)
                },
            ))
        })
        .await?;
    let status = match written {
        Ok(_) => {
            let saved = if submit { "submitted" } else { "draft" };
            return Ok(pages::see_other(&format!(
                "{}?saved={saved}",
                unit.form_path(period)
            )));
        }
        Err(Stop::Caller(warned)) => {
            shown.warnings = warned;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(Stop::Store(StoreError::Invalid(refused_fields))) => {
            shown.errors = refused_fields
                .into_iter()
                .map(|e| (e.field, problems_pl::message(&e.message)))
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(Stop::Store(StoreError::StaleRevision { .. } | StoreError::ChangedMeanwhile(_))) => {
            // Nothing was written; show what is stored now beside what was typed, and take
            // the new revision, so saving again is a choice made knowingly.
            shown.conflict = ctx.stored.clone();
            shown.revision = ctx.stored.as_ref().map_or(0, |r| r.revision);
            StatusCode::CONFLICT
        }
        Err(Stop::Store(
            e @ (StoreError::Locked { .. }
            | StoreError::NotApplicable { .. }
            | StoreError::Conflict(_)),
        )) => {
            shown
                .errors
                .push(("form".into(), problems_pl::message(&e.to_string())));
            StatusCode::CONFLICT
        }
        Err(Stop::Store(e)) => return Err(e.into()),
    };
    // Errors the form has no field for are said above it.
    let fields: Vec<String> = ctx
        .indicators
        .iter()
        .filter(|i| i.kind != IndicatorKind::Ratio)
        .map(|i| format!("values.{}", i.code))
        .chain(["form".to_owned(), "results".to_owned()])
        .collect();
    let (mine, other): (Vec<_>, Vec<_>) = shown
        .errors
        .into_iter()
        .partition(|(f, _)| fields.contains(f));
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
        status,
        state.plausibility,
        &banner,
        &unit,
        period,
        &ctx,
        true,
        shown,
    ))
}

/// What the LPRES form sent: the status and the fields that status has (the others are
/// hidden on the page, and dropped here whatever they hold).
fn lpres_input(
    fields: &[(String, String)],
) -> (rops_domain::lpres::LpresInput, Vec<(String, String)>) {
    use rops_domain::lpres::{LpresInput, LpresStatus};
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let status = get("status").unwrap_or_default();
    let parsed = LpresStatus::parse(&status).ok();
    let resolution = matches!(parsed, Some(LpresStatus::Adopted | LpresStatus::Repealed));
    let plan = resolution
        || matches!(
            parsed,
            Some(LpresStatus::InPreparation | LpresStatus::Draft)
        );
    let mut errors = Vec::new();
    let mut year = |k: &str| {
        let text = get(k).filter(|_| plan)?;
        match text.parse::<i64>() {
            Ok(y) => Some(y),
            Err(_) => {
                errors.push((
                    k.to_owned(),
                    format!("„{text}” nie jest rokiem; wpisz np. 2025"),
                ));
                None
            }
        }
    };
    let input = LpresInput {
        plan_from: year("plan_from"),
        plan_to: year("plan_to"),
        status,
        resolution_number: get("resolution_number").filter(|_| resolution),
        adopted_on: get("adopted_on").filter(|_| resolution),
        document_url: get("document_url").filter(|_| plan),
    };
    (input, errors)
}

/// Sets a gmina's LPRES status from its page's form, as the API's `PUT …/lpres` does, at the
/// revision the form was read at.
#[post("/gminas/{teryt}/lpres")]
pub async fn lpres_save(
    state: web::Data<AppState>,
    req: HttpRequest,
    teryt: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    use crate::pages::gmina::LpresForm;
    let teryt = teryt.into_inner();
    let (session, _, caller) = match person(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !csrf_matches(&req, &field("csrf_token"), &session) {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            "Formularz wygasł",
            "Formularz nie pochodzi z tej sesji (albo sesja się zmieniła). Otwórz stronę gminy ponownie.",
        ));
    }
    if rops_domain::territory::Teryt::parse(&teryt).is_err() {
        return Ok(refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Nie ma gminy o kodzie TERYT {teryt}."),
        ));
    }
    if let Some(answer) = refusal(
        caller
            .may_at(
                &state,
                Action::WriteLpres,
                Resource::Unit(Stream::Gmina, &teryt),
            )
            .await,
        || {
            refused(
                StatusCode::NOT_FOUND,
                "Nie znaleziono",
                &format!("Nie ma gminy o kodzie TERYT {teryt}."),
            )
        },
    )? {
        return Ok(answer);
    }
    let revision = field("revision").trim().parse::<i32>().unwrap_or(0);
    let (input, mut errors) = lpres_input(&fields);
    let mut typed = LpresForm {
        status: input.status.clone(),
        resolution_number: field("resolution_number"),
        adopted_on: field("adopted_on"),
        plan_from: field("plan_from"),
        plan_to: field("plan_to"),
        document_url: field("document_url"),
        errors: Vec::new(),
        revision,
        conflict: false,
    };
    let checked = rops_domain::lpres::check_lpres(&input, state.clock.now().date_naive());
    let lpres = match checked {
        Ok(l) if errors.is_empty() => l,
        Ok(_) => {
            typed.errors = errors;
            return super::dashboard::gmina_view(
                &state,
                &req,
                teryt,
                Some(typed),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => {
            errors.extend(
                e.into_vec()
                    .into_iter()
                    .map(|e| (e.field, problems_pl::message(&e.message))),
            );
            typed.errors = errors;
            return super::dashboard::gmina_view(
                &state,
                &req,
                teryt,
                Some(typed),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let clock = state.clock;
    let sub = caller.sub.clone();
    let code = teryt.clone();
    let written = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(conn, |conn| {
                rops_store::lpres::put(
                    conn,
                    &code,
                    &lpres,
                    IfMatch::revision(revision),
                    &Actor::new(&sub, clock),
                )
            }))
        })
        .await?;
    match written {
        Ok(_) => Ok(pages::see_other(&format!(
            "/gminas/{teryt}?saved=lpres#lpres"
        ))),
        Err(StoreError::StaleRevision { current, .. }) => {
            typed.conflict = true;
            typed.revision = current.unwrap_or(revision);
            super::dashboard::gmina_view(&state, &req, teryt, Some(typed), StatusCode::CONFLICT)
                .await
        }
        Err(StoreError::ChangedMeanwhile(_)) => {
            typed.conflict = true;
            super::dashboard::gmina_view(&state, &req, teryt, Some(typed), StatusCode::CONFLICT)
                .await
        }
        Err(StoreError::Invalid(refused_fields)) => {
            typed.errors = refused_fields
                .into_iter()
                .map(|e| (e.field, problems_pl::message(&e.message)))
                .collect();
            super::dashboard::gmina_view(
                &state,
                &req,
                teryt,
                Some(typed),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
        assert_eq!(input["a"], Some(Decimal::parse("1234.50").unwrap()));
        assert_eq!(input["b"], None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "values.c");
        assert!(errors[0].1.contains("nie jest liczbą"), "{:?}", errors);
    }
}
