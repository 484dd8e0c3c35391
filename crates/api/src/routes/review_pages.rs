//! The analysts' review in the browser (`crate::pages::review`): the queue of submitted OWES
//! and gmina reports, one report beside its previous version and period, approve, return with
//! a reason, approve several at once. Every decision is the store's own transition, as the
//! API's `approve` and `return`, at the revision the analyst saw.

use super::dashboard::{forbidden, person, refusal, refused};
use super::signin::csrf_matches;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::review::{queue, review, ReviewPage, Waiting};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rops_domain::indicator::Stream;
use rops_domain::policy::{Action, Resource};
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction, Transition};
use rops_store::reports::{self, Actor, Report, ReportFilter, ReportKey};
use rops_store::{IfMatch, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

/// The streams whose reports analysts review here.
const STREAMS: [Stream; 2] = [Stream::Owes, Stream::Gmina];

/// The submitted reports of the caller's region (every region for an admin without one),
/// oldest submission first, with the names of their units.
async fn waiting(
    state: &AppState,
    region: Option<String>,
) -> Result<Vec<(Report, String)>, ApiError> {
    state
        .db(move |conn| {
            let mut names: HashMap<(Stream, String), String> = HashMap::new();
            for o in rops_store::queries::owes_list(conn, region.as_deref())? {
                names.insert((Stream::Owes, o.code), o.name);
            }
            for g in rops_store::queries::gminas(conn, region.as_deref(), None)? {
                names.insert((Stream::Gmina, g.teryt), g.name);
            }
            let mut out = Vec::new();
            for stream in STREAMS {
                let units: Vec<String> = names
                    .keys()
                    .filter(|(s, _)| *s == stream)
                    .map(|(_, u)| u.clone())
                    .collect();
                let filter = ReportFilter {
                    units: Some(units),
                    status: Some(ReportStatus::Submitted),
                    ..ReportFilter::default()
                };
                for r in reports::list(conn, stream, &filter)? {
                    let name = names
                        .get(&(stream, r.unit.clone()))
                        .cloned()
                        .unwrap_or_default();
                    out.push((r, name));
                }
            }
            out.sort_by(|(a, _), (b, _)| {
                (a.submitted_at.as_deref(), &a.unit, &a.period).cmp(&(
                    b.submitted_at.as_deref(),
                    &b.unit,
                    &b.period,
                ))
            });
            Ok(out)
        })
        .await
}

/// Whether an OWES quarter's report was first submitted by its deadline.
fn on_time(r: &Report, deadline_days: i64) -> Option<bool> {
    let quarter = rops_domain::period::Quarter::parse(&r.period).ok()?;
    let first = r.first_submitted_at.as_deref()?;
    let at = chrono::DateTime::parse_from_rfc3339(first).ok()?;
    Some(at.date_naive() <= quarter.last_day() + chrono::Duration::days(deadline_days))
}

/// The reviewer and their caller, or the answer for someone who may not review.
async fn reviewer(
    state: &AppState,
    req: &HttpRequest,
) -> Result<
    Result<
        (
            rops_store::accounts::Session,
            rops_store::accounts::User,
            Caller,
        ),
        HttpResponse,
    >,
    ApiError,
> {
    let (session, user, caller) = match person(state, req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(Err(answer)),
    };
    if caller
        .may(Action::ReadQueue, Resource::ReportQueue)
        .is_err()
    {
        return Ok(Err(forbidden()));
    }
    Ok(Ok((session, user, caller)))
}

#[derive(Debug, Deserialize)]
pub struct QueueNotice {
    approved: Option<usize>,
    skipped: Option<usize>,
    done: Option<String>,
}

/// The queue.
#[get("/review")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    notice: web::Query<QueueNotice>,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match reviewer(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let found = waiting(&state, caller.region().map(str::to_owned)).await?;
    let rows: Vec<Waiting<'_>> = found
        .iter()
        .map(|(r, name)| Waiting {
            report: r,
            unit_name: name.clone(),
            on_time: (r.stream == Stream::Owes)
                .then(|| on_time(r, state.deadline_days))
                .flatten(),
        })
        .collect();
    let text = match (notice.approved, notice.skipped, notice.done.as_deref()) {
        (Some(n), Some(0) | None, _) => Some(format!("Zatwierdzono sprawozdania: {n}.")),
        (Some(n), Some(s), _) => Some(format!(
            "Zatwierdzono sprawozdania: {n}. Pominięto {s}: zmieniły się, odkąd otwarto listę, albo nie czekają już na sprawdzenie; sprawdź je ponownie."
        )),
        (_, _, Some("approved")) => Some("Sprawozdanie zatwierdzone.".to_owned()),
        (_, _, Some("returned")) => Some("Sprawozdanie zwrócone do poprawy; jednostka zobaczy powód.".to_owned()),
        _ => None,
    };
    let banner = Banner::of(&user, &session);
    Ok(pages::respond(
        StatusCode::OK,
        queue(&banner, &rows, text.as_deref()),
    ))
}

/// A report's key from the path or a field, or `None` when it names no report of a reviewed
/// stream.
fn key_of(stream: &str, unit: &str, period: &str) -> Option<ReportKey> {
    let stream = STREAMS.into_iter().find(|s| s.as_str() == stream)?;
    Some(ReportKey {
        stream,
        unit: unit.to_owned(),
        period: ReportPeriod::parse(stream, period).ok()?,
    })
}

/// Approves every report picked (`report=owes|OWES-PN|2025-Q3|5`), each at the revision the
/// analyst saw, each on its own: one that changed meanwhile is skipped and counted.
#[post("/review")]
pub async fn approve_many(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (session, _, caller) = match reviewer(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let mut csrf = String::new();
    let mut picked = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf_token" => csrf = v.into_owned(),
            "report" => picked.push(v.into_owned()),
            _ => {}
        }
    }
    if !csrf_matches(&req, &csrf, &session) {
        return Ok(stale_form());
    }
    let (mut approved, mut skipped) = (0, 0);
    for picked_one in picked.iter().take(500) {
        let parts: Vec<&str> = picked_one.split('|').collect();
        let decided = match parts.as_slice() {
            [stream, unit, period, revision] => {
                match (key_of(stream, unit, period), revision.parse::<i32>()) {
                    (Some(key), Ok(rev)) => {
                        decide(&state, &caller, key, rev, Transition::Approve, None).await?
                    }
                    _ => Err(Refusal::Gone),
                }
            }
            _ => Err(Refusal::Gone),
        };
        match decided {
            Ok(()) => approved += 1,
            Err(_) => skipped += 1,
        }
    }
    Ok(pages::see_other(&format!(
        "/review?approved={approved}&skipped={skipped}"
    )))
}

fn stale_form() -> HttpResponse {
    refused(
        StatusCode::FORBIDDEN,
        "Formularz wygasł",
        "Formularz nie pochodzi z tej sesji (albo sesja się zmieniła). Otwórz listę ponownie.",
    )
}

/// Why a decision was not made.
enum Refusal {
    /// The report is not there, or not in a state to decide on.
    Gone,
    /// It changed since the analyst saw it.
    Changed,
    /// The caller may not review it.
    Forbidden,
    /// The transition's own rule (a return needs a reason): the store's words.
    Invalid(String),
}

/// One transition at the revision seen, if the caller may make it.
async fn decide(
    state: &AppState,
    caller: &Caller,
    key: ReportKey,
    revision: i32,
    transition: Transition,
    reason: Option<String>,
) -> Result<Result<(), Refusal>, ApiError> {
    match caller
        .may_at(
            state,
            Action::Review(transition),
            Resource::Unit(key.stream, &key.unit),
        )
        .await
    {
        Ok(()) => {}
        Err(ApiError::Forbidden(_)) => return Ok(Err(Refusal::Forbidden)),
        Err(ApiError::NotFound(_)) => return Ok(Err(Refusal::Gone)),
        Err(e) => return Err(e),
    }
    let clock = state.clock;
    let sub = caller.sub.clone();
    let done = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(conn, |conn| {
                reports::transition(
                    conn,
                    &key,
                    transition,
                    reason.as_deref(),
                    IfMatch::revision(revision),
                    &Actor::new(&sub, clock),
                )
            }))
        })
        .await?;
    Ok(match done {
        Ok(_) => Ok(()),
        Err(StoreError::StaleRevision { .. } | StoreError::ChangedMeanwhile(_)) => {
            Err(Refusal::Changed)
        }
        Err(StoreError::NotFound(_) | StoreError::NotApplicable { .. }) => Err(Refusal::Gone),
        Err(StoreError::Invalid(errors)) => Err(Refusal::Invalid(
            errors
                .iter()
                .map(|e| rops_domain::problems_pl::message(&e.message))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(e) => return Err(e.into()),
    })
}

/// What the review page shows besides the report.
struct Context {
    report: Report,
    unit_name: String,
    indicators: Vec<rops_domain::indicator::IndicatorDef>,
    before: Option<reports::Revision>,
    /// The warnings confirmed with the latest submission.
    warnings: Vec<rops_domain::plausibility::Warning>,
    previous_period: Option<Report>,
    previous_label: String,
}

async fn context(state: &AppState, key: ReportKey) -> Result<Option<Context>, ApiError> {
    state
        .db(move |conn| {
            let Some(report) = reports::get(conn, &key)? else {
                return Ok(None);
            };
            let revisions = reports::revisions(conn, &key)?;
            // The version submitted before the latest submission: what the analyst saw last.
            let mut submits = revisions
                .iter()
                .rev()
                .filter(|r| r.action == RevisionAction::Submit);
            // The warnings confirmed with the latest submission travel with it.
            let warnings = submits
                .next()
                .map(|r| r.warnings.clone())
                .unwrap_or_default();
            let before = submits.next().cloned();
            let previous = match key.period {
                ReportPeriod::Quarter(q) => ReportPeriod::Quarter(q.previous()),
                ReportPeriod::Year(y) => ReportPeriod::Year(y - 1),
            };
            let previous_period = reports::get(
                conn,
                &ReportKey {
                    period: previous,
                    ..key.clone()
                },
            )?
            .filter(|_| previous != key.period);
            let unit_name = match key.stream {
                Stream::Owes => rops_store::queries::owes(conn, &key.unit)?.map(|o| o.name),
                _ => rops_store::queries::gmina(conn, &key.unit)?.map(|g| g.name),
            }
            .unwrap_or_default();
            Ok(Some(Context {
                report,
                unit_name,
                indicators: reports::catalogue(conn, key.stream)?,
                before,
                warnings,
                previous_period,
                previous_label: previous.to_string(),
            }))
        })
        .await
}

fn review_page(
    status: StatusCode,
    thresholds: rops_domain::plausibility::Thresholds,
    banner: &Banner<'_>,
    ctx: &Context,
    reason: &str,
    error: Option<&str>,
) -> HttpResponse {
    pages::respond(
        status,
        review(&ReviewPage {
            banner,
            report: &ctx.report,
            unit_name: &ctx.unit_name,
            indicators: &ctx.indicators,
            before: ctx.before.as_ref(),
            previous_period: ctx.previous_period.as_ref(),
            previous_label: ctx.previous_label.clone(),
            reason,
            error,
            may_review: true,
            warnings: &ctx.warnings,
            thresholds,
        }),
    )
}

fn no_report() -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        "Nie ma takiego sprawozdania.",
    )
}

/// One report under review.
#[get("/review/{stream}/{unit}/{period}")]
pub async fn one(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match reviewer(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (stream, unit, period) = path.into_inner();
    let Some(key) = key_of(&stream, &unit, &period) else {
        return Ok(no_report());
    };
    if let Some(answer) = refusal(
        caller
            .may_at(
                &state,
                Action::ReadReports,
                Resource::Unit(key.stream, &key.unit),
            )
            .await,
        no_report,
    )? {
        return Ok(answer);
    }
    let Some(ctx) = context(&state, key).await? else {
        return Ok(no_report());
    };
    let banner = Banner::of(&user, &session);
    Ok(review_page(
        StatusCode::OK,
        state.plausibility,
        &banner,
        &ctx,
        "",
        None,
    ))
}

/// Approves (`action=approve`) or returns with a reason (`action=return`) one report, at the
/// revision the analyst saw.
#[post("/review/{stream}/{unit}/{period}")]
pub async fn decide_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match reviewer(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (stream, unit, period) = path.into_inner();
    let Some(key) = key_of(&stream, &unit, &period) else {
        return Ok(no_report());
    };
    let (mut csrf, mut action, mut reason, mut revision) =
        (String::new(), String::new(), String::new(), None);
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf_token" => csrf = v.into_owned(),
            "action" => action = v.into_owned(),
            "reason" => reason = v.into_owned(),
            "revision" => revision = v.trim().parse::<i32>().ok(),
            _ => {}
        }
    }
    if !csrf_matches(&req, &csrf, &session) {
        return Ok(stale_form());
    }
    let transition = match action.as_str() {
        "approve" => Transition::Approve,
        "return" => Transition::Return,
        _ => {
            return Ok(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nieznana decyzja",
                "Sprawozdanie można zatwierdzić albo zwrócić do poprawy.",
            ))
        }
    };
    let again = |status: StatusCode, error: &str| {
        let key = key.clone();
        let reason = reason.clone();
        let error = error.to_owned();
        let state = state.clone();
        let banner_user = (user.clone(), session.clone());
        async move {
            let Some(ctx) = context(&state, key).await? else {
                return Ok::<_, ApiError>(no_report());
            };
            let banner = Banner::of(&banner_user.0, &banner_user.1);
            Ok(review_page(
                status,
                state.plausibility,
                &banner,
                &ctx,
                &reason,
                Some(&error),
            ))
        }
    };
    if transition == Transition::Return && reason.trim().is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Podaj powód zwrotu: jednostka zobaczy go przy sprawozdaniu.",
        )
        .await;
    }
    let reason = (transition == Transition::Return).then(|| reason.clone());
    let Some(revision) = revision else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Formularz nie podał wersji; otwórz sprawozdanie ponownie.",
        )
        .await;
    };
    match decide(&state, &caller, key.clone(), revision, transition, reason).await? {
        Ok(()) => Ok(pages::see_other(&format!(
            "/review?done={}",
            if transition == Transition::Approve { "approved" } else { "returned" }
        ))),
        Err(Refusal::Forbidden) => Ok(forbidden()),
        Err(Refusal::Gone) => {
            again(StatusCode::CONFLICT, "To sprawozdanie nie czeka już na sprawdzenie (ktoś je zatwierdził, zwrócił albo zmienił).").await
        }
        Err(Refusal::Changed) => {
            again(StatusCode::CONFLICT, "Sprawozdanie zmieniło się, odkąd je otwarto; sprawdź je jeszcze raz.").await
        }
        Err(Refusal::Invalid(why)) => again(StatusCode::UNPROCESSABLE_ENTITY, &why).await,
    }
}
