use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{get, web};
use rops_domain::code::ProgrammeCode;
use rops_domain::policy::{Action, Resource};
use rops_domain::territory::RegionCode;
use rops_store::queries;
use rops_store::views::{ProgrammeDetail, ProgrammeSummary};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilter {
    /// Only programmes of this region.
    #[param(value_type = Option<RegionCode>, example = "16")]
    pub region: Option<String>,
}

/// Lists the regional programmes.
///
/// Any role.
#[utoipa::path(operation_id = "list_programmes", tag = "reference", params(ProgrammeFilter), responses((status = 200, body = Vec<ProgrammeSummary>)))]
#[get("/programmes")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<ProgrammeFilter>,
) -> Result<web::Json<Vec<ProgrammeSummary>>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let region = filter.into_inner().region;
    super::region_filter(region.as_deref())?;
    Ok(web::Json(
        state
            .db(move |conn| queries::programmes(conn, region.as_deref()))
            .await?,
    ))
}

/// One programme with its targets.
///
/// Any role. Each target names an indicator, an event type or `lpres_adopted` (`measure` says
/// which), a scope (`region`, `each_subregion`, `each_owes`, `owes`), `at_least` a value, over
/// the programme or each calendar year.
#[utoipa::path(
    operation_id = "get_programme",
    tag = "reference",
    params(("code" = ProgrammeCode, Path, description = "Programme code", example = "OPL-2024-2027")),
    responses(
        (status = 200, body = ProgrammeDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/programmes/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<web::Json<ProgrammeDetail>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let code = code.into_inner();
    let found = state.db({
        let code = code.clone();
        move |conn| queries::programme(conn, &code)
    });
    found
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("no programme with code {code}")))
}
