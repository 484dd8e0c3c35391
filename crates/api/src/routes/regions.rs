use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{get, web};
use rops_domain::policy::{Action, Resource};
use rops_domain::territory::RegionCode;
use rops_store::queries;
use rops_store::views::{RegionDetail, RegionSummary};

/// Lists the regions with their powiat and gmina counts.
///
/// Any role.
#[utoipa::path(operation_id = "list_regions", tag = "reference", responses((status = 200, body = Vec<RegionSummary>)))]
#[get("/regions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<RegionSummary>>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    Ok(web::Json(state.db(queries::regions).await?))
}

/// One region with its subregions, each with its powiats and gmina count.
///
/// Any role. Subregions list their powiats with gmina counts; powiats no subregion holds are in
/// `unassigned_powiats`.
#[utoipa::path(
    operation_id = "get_region",
    tag = "reference",
    params(("code" = RegionCode, Path, description = "TERYT region code, 2 digits", example = "16")),
    responses(
        (status = 200, body = RegionDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<web::Json<RegionDetail>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let code = code.into_inner();
    let found = state.db({
        let code = code.clone();
        move |conn| queries::region(conn, &code)
    });
    found
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("no region with code {code}")))
}
