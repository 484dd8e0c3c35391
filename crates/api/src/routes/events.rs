use super::reports::{actor, if_match, with_etag};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::schemas::{EventId, EventType, IfMatchHeader, QuarterOrDay};
use crate::state::AppState;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use rops_domain::code::SubregionCode;
use rops_domain::event::{check_event, EventInput};
use rops_domain::period::Quarter;
use rops_domain::policy::{Action, Resource};
use rops_domain::territory::RegionCode;
use rops_domain::validation::FieldErrors;
use rops_store::events::{self, EventDetail, EventDraft, EventFilter, EventView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// An event of the ROPS activity register, as an analyst records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "business_meeting", "date": "2024-05-14", "subregion": "OPL-PN", "title": "Spotkanie PES z przedsiębiorcami w Kluczborku", "participants": 23, "evidence_url": "https://rops.opole.pl/aktualnosci/spotkanie-pes"}))]
pub struct EventPut {
    /// An event type of `GET /indicators` (`event_types`).
    #[serde(rename = "type")]
    #[schema(value_type = EventType, example = "business_meeting")]
    pub event_type: String,
    /// YYYY-MM-DD, not in the future.
    #[schema(example = "2024-05-14", format = Date)]
    pub date: String,
    /// A subregion of the region, or null for a region-wide event.
    #[schema(value_type = Option<SubregionCode>, example = "OPL-PN")]
    pub subregion: Option<String>,
    /// 1 to 300 characters, not only spaces.
    #[schema(
        example = "Spotkanie PES z przedsiębiorcami w Kluczborku",
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    )]
    pub title: String,
    /// People who took part.
    #[schema(value_type = i64, example = 23, minimum = 0, maximum = 2147483647)]
    pub participants: crate::http::WholeNumber,
    /// An http(s) link to the evidence: no spaces, at most 2,000 characters; blank or null
    /// for none.
    #[schema(
        example = "https://rops.opole.pl/aktualnosci/spotkanie-pes",
        max_length = 2000,
        pattern = r"^\s*(https?://[^\s/\u0000][^\s\u0000]*)?\s*$"
    )]
    pub evidence_url: Option<String>,
}

fn draft(body: EventPut, today: chrono::NaiveDate) -> Result<EventDraft, ApiError> {
    let input = EventInput {
        event_type: body.event_type,
        date: body.date,
        subregion: body.subregion,
        title: body.title,
        participants: body.participants.0,
        evidence_url: body.evidence_url,
    };
    let mut errors = FieldErrors::default();
    let fields = check_event(&input, today, &mut errors);
    match fields {
        Some(fields) if errors.is_empty() => Ok(EventDraft {
            event_type: input.event_type,
            subregion: input.subregion,
            fields,
        }),
        _ => Err(ApiError::validation(errors.into_vec())),
    }
}

/// Records an event (analyst, admin).
///
/// Analysts and admins keep the register. The type must be one of `GET /indicators`
/// `event_types`, the subregion one of this region's (or null for a region-wide event), the
/// date not in the future. Returns 201 with the event's `id` and its ETag.
#[utoipa::path(
    operation_id = "create_event",
    tag = "register",
    params(("code" = RegionCode, Path, description = "Region code", example = "16")),
    request_body = EventPut,
    responses(
        (status = 201, body = EventView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown type, a subregion of another region, a date in the future…", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/regions/{code}/events")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    body: web::Json<EventPut>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::WriteEvents, Resource::ActivityRegister)?;
    let code = code.into_inner();
    caller.in_region(Action::WriteEvents, &code)?;
    let clock = state.clock;
    let draft = draft(body.into_inner(), clock.today())?;
    let event = state
        .write(move |conn| events::create(conn, &code, &draft, &actor(&caller, clock)))
        .await?;
    Ok(with_etag(HttpResponse::Created(), event.revision, event))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// First quarter (`2024-Q1`) or day (`2024-01-15`), inclusive.
    #[param(value_type = Option<QuarterOrDay>, example = "2024-Q1")]
    pub from: Option<String>,
    /// Last quarter or day, inclusive.
    #[param(value_type = Option<QuarterOrDay>, example = "2024-Q4")]
    pub to: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<EventType>, example = "business_meeting")]
    pub event_type: Option<String>,
    /// Only events in this subregion.
    #[param(value_type = Option<SubregionCode>, example = "OPL-PN")]
    pub subregion: Option<String>,
}

/// A quarter's first (or last) day, or a day as written.
fn bound(field: &str, value: &str, last: bool, errors: &mut FieldErrors) -> Option<String> {
    if let Ok(q) = Quarter::parse(value) {
        return Some(if last { q.last_day() } else { q.first_day() }.to_string());
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d.to_string()),
        Err(_) => {
            errors.push(
                field,
                format!("`{value}` is neither a quarter (2024-Q1) nor a day (2024-01-15)"),
            );
            None
        }
    }
}

/// The region's events that were not withdrawn, by date: by window, type and subregion.
///
/// Any role. `from` and `to` take quarters (`2024-Q1`) or days (`2024-01-15`); withdrawn events
/// are left out.
#[utoipa::path(
    operation_id = "list_events",
    tag = "register",
    params(("code" = RegionCode, Path, description = "Region code", example = "16"), EventQuery),
    responses(
        (status = 200, body = Vec<EventView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}/events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    query: web::Query<EventQuery>,
) -> Result<web::Json<Vec<EventView>>, ApiError> {
    caller.may(Action::ReadEvents, Resource::ActivityRegister)?;
    let code = code.into_inner();
    caller.in_region(Action::ReadEvents, &code)?;
    let q = query.into_inner();
    let mut errors = FieldErrors::default();
    super::check_filter(
        &mut errors,
        "type",
        q.event_type.as_deref(),
        rops_domain::indicator::IndicatorCode::parse,
    );
    super::check_filter(
        &mut errors,
        "subregion",
        q.subregion.as_deref(),
        rops_domain::code::SubregionCode::parse,
    );
    let filter = EventFilter {
        from_date: q
            .from
            .as_deref()
            .and_then(|v| bound("from", v, false, &mut errors)),
        to_date: q
            .to
            .as_deref()
            .and_then(|v| bound("to", v, true, &mut errors)),
        event_type: q.event_type,
        subregion: q.subregion,
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    Ok(web::Json(
        state
            .db(move |conn| {
                // A type the catalogue does not hold names nothing: a mistake (422), not an
                // empty list.
                if let Some(t) = &filter.event_type {
                    let catalogue = rops_store::queries::catalogue(conn)?;
                    if !catalogue.event_types.iter().any(|e| &e.code == t) {
                        return Err(rops_store::StoreError::Invalid(vec![
                            rops_domain::validation::FieldError::new(
                                "type",
                                format!(
                                    "`{}` is not an event type; GET /api/v1/indicators lists them",
                                    super::reports::shorten(t)
                                ),
                            ),
                        ]));
                    }
                }
                events::list(conn, &code, &filter)
            })
            .await?,
    ))
}

/// One event with every revision, also once withdrawn.
///
/// Any role. The event as it is now (with `withdrawn_at` once withdrawn) and every revision,
/// oldest first.
#[utoipa::path(
    operation_id = "get_event",
    tag = "register",
    params(("id" = EventId, Path, description = "Event id", example = "3f2a9c1d0b7e4a56")),
    responses(
        (status = 200, body = EventDetail, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ReadEvents, Resource::ActivityRegister)?;
    let id = id.into_inner();
    within_event_region(&state, &caller, Action::ReadEvents, &id).await?;
    let detail = state.db(move |conn| events::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), detail.event.revision, detail))
}

/// Replaces an event (analyst, admin); the earlier version stays in its revisions.
///
/// Analysts and admins. Send the whole event; with `If-Match` a change made in between gets
/// 412. A withdrawn event cannot change (409).
#[utoipa::path(
    operation_id = "update_event",
    tag = "register",
    params(
        ("id" = EventId, Path, description = "Event id", example = "3f2a9c1d0b7e4a56"),
        IfMatchHeader,
    ),
    request_body = EventPut,
    responses(
        (status = 200, body = EventView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event was withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/events/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Json<EventPut>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::WriteEvents, Resource::ActivityRegister)?;
    let id = id.into_inner();
    within_event_region(&state, &caller, Action::WriteEvents, &id).await?;
    let if_match = if_match(&req)?;
    let clock = state.clock;
    let draft = draft(body.into_inner(), clock.today())?;
    let event = state
        .write(move |conn| events::update(conn, &id, &draft, if_match, &actor(&caller, clock)))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), event.revision, event))
}

/// Withdraws an event (analyst, admin): kept with its revisions, no longer listed or counted.
///
/// Analysts and admins. The event stays stored with its revisions, but is no longer listed or
/// counted in rollups; withdrawing twice gets 409.
#[utoipa::path(
    operation_id = "withdraw_event",
    tag = "register",
    params(
        ("id" = EventId, Path, description = "Event id", example = "3f2a9c1d0b7e4a56"),
        IfMatchHeader,
    ),
    responses(
        (status = 200, description = "Withdrawn", body = EventView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/events/{id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::WriteEvents, Resource::ActivityRegister)?;
    let id = id.into_inner();
    within_event_region(&state, &caller, Action::WriteEvents, &id).await?;
    let if_match = if_match(&req)?;
    let clock = state.clock;
    let event = state
        .write(move |conn| events::withdraw(conn, &id, if_match, &actor(&caller, clock)))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), event.revision, event))
}

/// For a region-bound analyst or admin: 403 when the event lies in another region (an
/// unknown event is left to the handler's 404).
async fn within_event_region(
    state: &AppState,
    caller: &Caller,
    action: Action,
    id: &str,
) -> Result<(), ApiError> {
    if caller.region().is_none() {
        return Ok(());
    }
    let id = id.to_owned();
    match state.db(move |conn| events::region_of(conn, &id)).await? {
        Some(region) => caller.in_region(action, &region),
        None => Ok(()),
    }
}
