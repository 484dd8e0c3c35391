use crate::auth::{Admin, Caller};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::period::Quarter;
use rops_domain::policy::{Action, Resource};
use rops_domain::stream::Stream;
use rops_domain::territory::RegionCode;
use rops_domain::validation::{FieldError, FieldErrors};
use rops_store::queries;
use rops_store::views::OwesView;
use rops_store::writes::{self, OwesInput, Put};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwesFilter {
    /// Only OWES of this region.
    #[param(value_type = Option<RegionCode>, example = "16")]
    pub region: Option<String>,
}

/// Lists the OWES.
///
/// Any role. `region` narrows the list to one region.
#[utoipa::path(operation_id = "list_owes", tag = "reference", params(OwesFilter), responses((status = 200, body = Vec<OwesView>)))]
#[get("/owes")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<OwesFilter>,
) -> Result<web::Json<Vec<OwesView>>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let region = filter.into_inner().region;
    super::region_filter(region.as_deref())?;
    Ok(web::Json(
        state
            .db(move |conn| queries::owes_list(conn, region.as_deref()))
            .await?,
    ))
}

/// One OWES.
///
/// Any role.
#[utoipa::path(
    operation_id = "get_owes",
    tag = "reference",
    params(("code" = OwesCode, Path, description = "OWES code", example = "OWES-PN")),
    responses(
        (status = 200, body = OwesView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/owes/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<web::Json<OwesView>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let code = code.into_inner();
    let found = state.db({
        let code = code.clone();
        move |conn| queries::owes(conn, &code)
    });
    found
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("no OWES with code {code}")))
}

/// An OWES as an admin writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "OWES Subregionu północnego", "subregion": "OPL-PN", "active_from": "2023-Q3", "active_to": null}))]
pub struct OwesPut {
    #[schema(example = "OWES Subregionu północnego", pattern = r"^[^\u0000]*$")]
    pub name: String,
    /// The subregion it serves.
    #[schema(value_type = SubregionCode, example = "OPL-PN")]
    pub subregion: String,
    /// First quarter it reports for.
    #[schema(value_type = Quarter, example = "2023-Q3")]
    pub active_from: String,
    /// Last quarter, or null while active.
    #[schema(value_type = Option<Quarter>, example = json!(null))]
    pub active_to: Option<String>,
}

impl OwesPut {
    fn parse(self) -> Result<OwesInput, Vec<FieldError>> {
        let mut errors = FieldErrors::default();
        let subregion = errors.take("subregion", SubregionCode::parse(&self.subregion));
        let active_from = errors.take("active_from", Quarter::parse(&self.active_from));
        let active_to = self
            .active_to
            .as_deref()
            .map(|q| errors.take("active_to", Quarter::parse(q)));
        match (subregion, active_from, active_to) {
            (Some(subregion), Some(active_from), to) if errors.is_empty() => Ok(OwesInput {
                name: self.name,
                subregion,
                active_from,
                active_to: to.flatten(),
            }),
            _ => Err(errors.into_vec()),
        }
    }
}

/// Creates or updates an OWES (admin).
///
/// Admins only. The subregion must exist; `active_to`, when given, is not before `active_from`.
/// 201 when created, 200 when updated.
#[utoipa::path(
    operation_id = "put_owes",
    tag = "reference",
    params(("code" = OwesCode, Path, description = "OWES code: upper-case letters, digits, hyphens", example = "OWES-PN")),
    request_body = OwesPut,
    responses(
        (status = 201, description = "Created", body = OwesView),
        (status = 200, description = "Updated", body = OwesView),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/owes/{code}")]
pub async fn put(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    code: web::Path<String>,
    body: web::Json<OwesPut>,
) -> Result<HttpResponse, ApiError> {
    let code = OwesCode::parse(&code)
        .map_err(|e| ApiError::validation(vec![FieldError::new("code", e.to_string())]))?;
    let input = body.into_inner().parse().map_err(ApiError::validation)?;
    // A region-bound admin keeps the OWES of their region, where it is and where it goes.
    let action = Action::WriteReference;
    admin
        .within_region_of(&state, action, Resource::Unit(Stream::Owes, code.as_str()))
        .await?;
    admin
        .within_region_of(
            &state,
            action,
            Resource::Subregion(input.subregion.as_str()),
        )
        .await?;
    let (view, put) = state
        .write(move |conn| writes::put_owes(conn, &code, &input))
        .await?;
    Ok(match put {
        Put::Created => HttpResponse::Created().json(view),
        Put::Updated => HttpResponse::Ok().json(view),
    })
}
