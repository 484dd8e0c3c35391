//! The register of reintegration entities (CIS, KIS, ZAZ, WTZ): any role reads it, ROPS
//! staff keep it.

use super::reports::{actor, if_match, with_etag, DryRun};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::schemas::IfMatchHeader;
use crate::state::AppState;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use rops_domain::entity::{check_entity, EntityCode, EntityInput, EntityKind, EntityOperator};
use rops_domain::period::Quarter;
use rops_domain::policy::{Action, Resource};
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::validation::{FieldError, FieldErrors};
use rops_store::entities::{self, EntityRevisionView, EntityView};
use rops_store::writes::Put;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A reintegration entity as ROPS staff record it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "CIS", "name": "Centrum Integracji Społecznej w Kluczborku", "seat": "1604023", "serves": ["1604013", "1604043"], "operator": "gmina", "active_from": "2020-Q1", "active_to": null}))]
pub struct EntityPut {
    #[schema(value_type = EntityKind, example = "CIS")]
    pub kind: String,
    /// 1 to 200 characters, not only spaces, no control characters; stored trimmed.
    #[schema(
        example = "Centrum Integracji Społecznej w Kluczborku",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// The gmina of its seat; its region is the entity's.
    #[schema(value_type = Teryt, example = "1604023")]
    pub seat: String,
    /// The gminas it serves, of the seat's region; the seat is served whether listed or not.
    #[serde(default)]
    #[schema(value_type = Vec<Teryt>, example = json!(["1604013", "1604043"]))]
    pub serves: Vec<String>,
    #[schema(value_type = EntityOperator, example = "gmina")]
    pub operator: String,
    /// The first quarter it is active in.
    #[schema(value_type = Quarter, example = "2020-Q1")]
    pub active_from: String,
    /// The last quarter it is active in, not before `active_from`; null or left out while it
    /// is active.
    #[schema(value_type = Option<Quarter>, example = json!(null))]
    pub active_to: Option<String>,
}

impl From<EntityPut> for EntityInput {
    fn from(b: EntityPut) -> Self {
        Self {
            kind: b.kind,
            name: b.name,
            seat: b.seat,
            serves: b.serves,
            operator: b.operator,
            active_from: b.active_from,
            active_to: b.active_to,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntityQuery {
    /// Only entities of this kind.
    #[param(value_type = Option<EntityKind>, example = "WTZ")]
    pub kind: Option<String>,
}

/// The region's reintegration entities, by code.
///
/// Any role. `kind` narrows the list to CIS, KIS, ZAZ or WTZ.
#[utoipa::path(
    operation_id = "list_entities",
    tag = "entities",
    params(("code" = RegionCode, Path, description = "Region code", example = "16"), EntityQuery),
    responses(
        (status = 200, body = Vec<EntityView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A kind that is not CIS, KIS, ZAZ or WTZ", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}/entities")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    query: web::Query<EntityQuery>,
) -> Result<web::Json<Vec<EntityView>>, ApiError> {
    caller.may(Action::ReadReference, Resource::EntityRegister)?;
    let code = code.into_inner();
    let mut errors = FieldErrors::default();
    let kind = query
        .into_inner()
        .kind
        .and_then(|k| errors.take("kind", EntityKind::parse(&k)));
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    Ok(web::Json(
        state
            .db(move |conn| entities::list(conn, &code, kind))
            .await?,
    ))
}

/// One reintegration entity, with its revision as the ETag.
///
/// Any role.
#[utoipa::path(
    operation_id = "get_entity",
    tag = "entities",
    params(("code" = EntityCode, Path, description = "Entity code", example = "CIS-KLUCZBORK")),
    responses(
        (status = 200, body = EntityView, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/entities/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ReadReference, Resource::EntityRegister)?;
    let code = code.into_inner();
    let entity = state.db(move |conn| entities::get(conn, &code)).await?;
    Ok(with_etag(HttpResponse::Ok(), entity.revision, entity))
}

/// Creates or replaces a reintegration entity (analyst, admin); every change is a revision.
///
/// Analysts and admins keep the register. The seat and every gmina served must exist and lie
/// in one region, the seat's (an entity cannot move to another region); the seat is always
/// served. 201 when created, 200 when replaced (sending what is stored changes nothing). With
/// `If-Match` a change made in between gets 412; `?dry_run=true` validates and answers as if
/// stored, but stores nothing.
#[utoipa::path(
    operation_id = "put_entity",
    tag = "entities",
    params(
        ("code" = EntityCode, Path, description = "Entity code: upper-case letters, digits, hyphens", example = "CIS-KLUCZBORK"),
        IfMatchHeader,
        DryRun,
    ),
    request_body = EntityPut,
    responses(
        (status = 201, description = "Created", body = EntityView, headers(("ETag" = String))),
        (status = 200, description = "Replaced", body = EntityView, headers(("ETag" = String))),
        (status = 403, description = "Not an analyst or admin token", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field, an unknown gmina, a gmina of another region…", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/entities/{code}")]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    dry: web::Query<DryRun>,
    req: HttpRequest,
    body: web::Json<EntityPut>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::WriteEntities, Resource::EntityRegister)?;
    let code = EntityCode::parse(&code)
        .map_err(|e| ApiError::validation(vec![FieldError::new("code", e.to_string())]))?;
    let if_match = if_match(&req)?;
    let entity =
        check_entity(&body.into_inner().into()).map_err(|e| ApiError::validation(e.into_vec()))?;
    // A region-bound analyst or admin keeps the entities of their region.
    caller.in_region(Action::WriteEntities, entity.seat.region().as_str())?;
    caller
        .within_region_of(
            &state,
            Action::WriteEntities,
            Resource::Unit(rops_domain::stream::Stream::Entity, code.as_str()),
        )
        .await?;
    let clock = state.clock;
    let (view, put) = state
        .write_as(rops_store::WriteMode::dry_run(dry.dry_run), move |conn| {
            entities::put(conn, &code, &entity, if_match, &actor(&caller, clock))
        })
        .await?;
    let status = match put {
        Put::Created => HttpResponse::Created(),
        Put::Updated => HttpResponse::Ok(),
    };
    Ok(with_etag(status, view.revision, view))
}

/// Every revision of a reintegration entity, oldest first: what it became, who, when.
///
/// Any role.
#[utoipa::path(
    operation_id = "list_entity_revisions",
    tag = "entities",
    params(("code" = EntityCode, Path, description = "Entity code", example = "CIS-KLUCZBORK")),
    responses(
        (status = 200, body = Vec<EntityRevisionView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/entities/{code}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<web::Json<Vec<EntityRevisionView>>, ApiError> {
    caller.may(Action::ReadReference, Resource::EntityRegister)?;
    let code = code.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| entities::revisions(conn, &code))
            .await?,
    ))
}
