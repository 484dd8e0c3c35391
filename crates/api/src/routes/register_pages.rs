//! The activity register in the browser (`crate::pages::register`), for those who keep it
//! (analysts and admins of the region): the store's own register writes, at the revision read.

use super::dashboard::{forbidden, person, refused};
use super::signin::csrf_matches;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::register::{event_form, register, EventForm, RegisterNames};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rops_domain::event::{check_event, EventInput};
use rops_domain::policy::{Action, Resource};
use rops_domain::problems_pl;
use rops_domain::validation::FieldErrors;
use rops_store::accounts::{Session, User};
use rops_store::events::{self, EventDraft, EventFilter};
use rops_store::reports::Actor;
use rops_store::{IfMatch, StoreError};
use serde::Deserialize;

type Keeper = (Session, User, Caller);
/// Codes and names: the event types, the region's subregions.
type Names = (Vec<(String, String)>, Vec<(String, String)>);

/// The person, when they keep `region`'s register; the answer otherwise.
async fn keeper(
    state: &AppState,
    req: &HttpRequest,
    region: &str,
) -> Result<Result<Keeper, HttpResponse>, ApiError> {
    let (session, user, caller) = match person(state, req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(Err(answer)),
    };
    if caller
        .may(Action::WriteEvents, Resource::ActivityRegister)
        .is_err()
        || caller.in_region(Action::WriteEvents, region).is_err()
    {
        return Ok(Err(forbidden()));
    }
    Ok(Ok((session, user, caller)))
}

/// Event types and the region's subregions, code and name; `None` when there is no such
/// region.
async fn names(
    state: &AppState,
    region: &str,
) -> Result<Option<(Vec<(String, String)>, Vec<(String, String)>)>, ApiError> {
    let region = region.to_owned();
    state
        .db(move |conn| {
            let Some(r) = rops_store::queries::region(conn, &region)? else {
                return Ok(None);
            };
            let types = rops_store::queries::catalogue(conn)?
                .event_types
                .into_iter()
                .map(|t| (t.code, t.name_pl))
                .collect();
            let subregions = r.subregions.into_iter().map(|s| (s.code, s.name)).collect();
            Ok(Some((types, subregions)))
        })
        .await
}

fn no_region(region: &str) -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        &format!("Nie ma regionu o kodzie {region}."),
    )
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    year: Option<i32>,
    saved: Option<String>,
}

/// The region's events of a year.
#[get("/regions/{code}/events")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, ApiError> {
    let region = code.into_inner();
    let (session, user, _) = match keeper(&state, &req, &region).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let Some((types, subregions)) = names(&state, &region).await? else {
        return Ok(no_region(&region));
    };
    let year = query
        .year
        .filter(|y| (1990..=2100).contains(y))
        .unwrap_or_else(|| chrono::Datelike::year(&state.clock.now()));
    let code = region.clone();
    let found = state
        .db(move |conn| {
            events::list(
                conn,
                &code,
                &EventFilter {
                    from_date: Some(format!("{year}-01-01")),
                    to_date: Some(format!("{year}-12-31")),
                    ..EventFilter::default()
                },
            )
        })
        .await?;
    let notice = match query.saved.as_deref() {
        Some("created") => Some("Dodano wydarzenie."),
        Some("updated") => Some("Zapisano zmiany wydarzenia."),
        Some("withdrawn") => Some("Wydarzenie wycofane."),
        _ => None,
    };
    let banner = Banner::of(&user, &session);
    let names = RegisterNames {
        types: &types,
        subregions: &subregions,
    };
    Ok(pages::respond(
        StatusCode::OK,
        register(&banner, &region, year, &found, &names, notice),
    ))
}

fn page_of(
    status: StatusCode,
    banner: &Banner<'_>,
    region: &str,
    id: Option<&str>,
    form: &EventForm,
    names: &Names,
) -> HttpResponse {
    let names = RegisterNames {
        types: &names.0,
        subregions: &names.1,
    };
    pages::respond(status, event_form(banner, region, id, form, &names))
}

/// The form of a new event.
#[get("/regions/{code}/events/new")]
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let region = code.into_inner();
    let (session, user, _) = match keeper(&state, &req, &region).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let Some(names) = names(&state, &region).await? else {
        return Ok(no_region(&region));
    };
    let banner = Banner::of(&user, &session);
    let form = EventForm {
        date: state.clock.today().to_string(),
        participants: "0".into(),
        ..EventForm::default()
    };
    Ok(page_of(
        StatusCode::OK,
        &banner,
        &region,
        None,
        &form,
        &names,
    ))
}

/// The form as sent, and the draft it makes (or its errors, in Polish).
fn read(fields: &[(String, String)], today: chrono::NaiveDate) -> (EventForm, Option<EventDraft>) {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut form = EventForm {
        event_type: get("type"),
        date: get("date"),
        subregion: get("subregion"),
        title: get("title"),
        participants: get("participants"),
        evidence_url: get("evidence_url"),
        revision: get("revision").parse().unwrap_or(0),
        ..EventForm::default()
    };
    let mut errors = FieldErrors::default();
    let participants = match form.participants.parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            errors.push(
                "participants",
                format!(
                    "{} is not a number of people (0 or more)",
                    form.participants
                ),
            );
            0
        }
    };
    let input = EventInput {
        event_type: form.event_type.clone(),
        date: form.date.clone(),
        subregion: (!form.subregion.is_empty()).then(|| form.subregion.clone()),
        title: form.title.clone(),
        participants,
        evidence_url: (!form.evidence_url.is_empty()).then(|| form.evidence_url.clone()),
    };
    let fields = check_event(&input, today, &mut errors);
    form.errors = errors
        .into_vec()
        .into_iter()
        .map(|e| (e.field, problems_pl::message(&e.message)))
        .collect();
    let draft = fields
        .filter(|_| form.errors.is_empty())
        .map(|fields| EventDraft {
            event_type: input.event_type,
            subregion: input.subregion,
            fields,
        });
    (form, draft)
}

/// Records a new event.
#[post("/regions/{code}/events")]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let region = code.into_inner();
    let (session, user, caller) = match keeper(&state, &req, &region).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !csrf_matches(&req, token, &session) {
        return Ok(stale());
    }
    let Some(names) = names(&state, &region).await? else {
        return Ok(no_region(&region));
    };
    let banner = Banner::of(&user, &session);
    let (mut form, draft) = read(&fields, state.clock.today());
    let Some(draft) = draft else {
        return Ok(page_of(
            StatusCode::UNPROCESSABLE_ENTITY,
            &banner,
            &region,
            None,
            &form,
            &names,
        ));
    };
    let clock = state.clock;
    let sub = caller.sub.clone();
    let code = region.clone();
    let done = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(conn, |conn| {
                events::create(conn, &code, &draft, &Actor::new(&sub, clock))
            }))
        })
        .await?;
    match done {
        Ok(_) => Ok(pages::see_other(&format!(
            "/regions/{region}/events?saved=created"
        ))),
        Err(StoreError::Invalid(refused_fields)) => {
            form.errors = refused_fields
                .into_iter()
                .map(|e| (e.field, problems_pl::message(&e.message)))
                .collect();
            Ok(page_of(
                StatusCode::UNPROCESSABLE_ENTITY,
                &banner,
                &region,
                None,
                &form,
                &names,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

fn stale() -> HttpResponse {
    refused(
        StatusCode::FORBIDDEN,
        "Formularz wygasł",
        "Formularz nie pochodzi z tej sesji (albo sesja się zmieniła). Otwórz rejestr ponownie.",
    )
}

fn no_event() -> HttpResponse {
    refused(
        StatusCode::NOT_FOUND,
        "Nie znaleziono",
        "Nie ma takiego wydarzenia.",
    )
}

/// The region of an event, when it exists.
async fn region_of(state: &AppState, id: &str) -> Result<Option<String>, ApiError> {
    let id = id.to_owned();
    state.db(move |conn| events::region_of(conn, &id)).await
}

/// A stored event as its form shows it.
fn form_of(e: rops_store::events::EventView) -> EventForm {
    EventForm {
        event_type: e.event_type,
        date: e.date,
        subregion: e.subregion.unwrap_or_default(),
        title: e.title,
        participants: e.participants.to_string(),
        evidence_url: e.evidence_url.unwrap_or_default(),
        revision: e.revision,
        ..EventForm::default()
    }
}

/// One event's form.
#[get("/events/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let Some(region) = region_of(&state, &id).await? else {
        return Ok(match person(&state, &req).await? {
            Ok(_) => no_event(),
            Err(answer) => answer,
        });
    };
    let (session, user, _) = match keeper(&state, &req, &region).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let Some(names) = names(&state, &region).await? else {
        return Ok(no_region(&region));
    };
    let event_id = id.clone();
    let e = state
        .db(move |conn| events::get(conn, &event_id))
        .await?
        .event;
    if e.withdrawn_at.is_some() {
        return Ok(refused(
            StatusCode::GONE,
            "Wydarzenie wycofane",
            "To wydarzenie zostało wycofane; jego historia jest w API.",
        ));
    }
    let form = form_of(e);
    let banner = Banner::of(&user, &session);
    Ok(page_of(
        StatusCode::OK,
        &banner,
        &region,
        Some(&id),
        &form,
        &names,
    ))
}

/// Changes (`action=save`) or withdraws (`action=withdraw`, with `confirm`) one event.
#[post("/events/{id}")]
pub async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let Some(region) = region_of(&state, &id).await? else {
        return Ok(no_event());
    };
    let (session, user, caller) = match keeper(&state, &req, &region).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !csrf_matches(&req, &get("csrf_token"), &session) {
        return Ok(stale());
    }
    let Some(names) = names(&state, &region).await? else {
        return Ok(no_region(&region));
    };
    let banner = Banner::of(&user, &session);
    let revision: i32 = get("revision").trim().parse().unwrap_or(0);
    let withdraw = get("action") == "withdraw";
    let (mut form, draft) = if withdraw {
        // The form to show again, should the withdrawal be refused: the event as stored.
        let event_id = id.clone();
        let e = state
            .db(move |conn| events::get(conn, &event_id))
            .await?
            .event;
        (
            EventForm {
                revision,
                ..form_of(e)
            },
            None,
        )
    } else {
        read(&fields, state.clock.today())
    };
    if withdraw && get("confirm") != "true" {
        form.errors.push((
            "confirm".into(),
            "Zaznacz potwierdzenie, by wycofać wydarzenie.".into(),
        ));
        return Ok(page_of(
            StatusCode::UNPROCESSABLE_ENTITY,
            &banner,
            &region,
            Some(&id),
            &form,
            &names,
        ));
    }
    if !withdraw && draft.is_none() {
        return Ok(page_of(
            StatusCode::UNPROCESSABLE_ENTITY,
            &banner,
            &region,
            Some(&id),
            &form,
            &names,
        ));
    }
    let clock = state.clock;
    let sub = caller.sub.clone();
    let event_id = id.clone();
    let done = state
        .db(move |conn| {
            Ok(rops_store::write_transaction(conn, |conn| {
                let actor = Actor::new(&sub, clock);
                let if_match = IfMatch::revision(revision);
                match &draft {
                    Some(d) => events::update(conn, &event_id, d, if_match, &actor),
                    None => events::withdraw(conn, &event_id, if_match, &actor),
                }
            }))
        })
        .await?;
    match done {
        Ok(_) => Ok(pages::see_other(&format!(
            "/regions/{region}/events?saved={}",
            if withdraw { "withdrawn" } else { "updated" }
        ))),
        Err(StoreError::StaleRevision { .. } | StoreError::ChangedMeanwhile(_)) => {
            form.conflict = true;
            let event_id = id.clone();
            form.revision = state
                .db(move |conn| events::get(conn, &event_id))
                .await?
                .event
                .revision;
            Ok(page_of(
                StatusCode::CONFLICT,
                &banner,
                &region,
                Some(&id),
                &form,
                &names,
            ))
        }
        Err(StoreError::Invalid(refused_fields)) => {
            form.errors = refused_fields
                .into_iter()
                .map(|e| (e.field, problems_pl::message(&e.message)))
                .collect();
            Ok(page_of(
                StatusCode::UNPROCESSABLE_ENTITY,
                &banner,
                &region,
                Some(&id),
                &form,
                &names,
            ))
        }
        Err(e @ StoreError::Conflict(_)) => {
            form.errors
                .push(("form".into(), problems_pl::message(&e.to_string())));
            Ok(page_of(
                StatusCode::CONFLICT,
                &banner,
                &region,
                Some(&id),
                &form,
                &names,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
