use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{get, web};
use rops_domain::code::SubregionCode;
use rops_domain::policy::{Action, Resource};
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::validation::FieldErrors;
use rops_store::queries;
use rops_store::views::GminaView;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GminaFilter {
    /// Only gminas of this region (TERYT, 2 digits).
    #[param(value_type = Option<RegionCode>, example = "16")]
    pub region: Option<String>,
    /// Only gminas of this subregion.
    #[param(value_type = Option<SubregionCode>, example = "OPL-PN")]
    pub subregion: Option<String>,
}

/// Lists gminas, by region or subregion.
///
/// Any role. Each gmina with its TERYT, kind (`urban`, `rural`, `urban-rural`), powiat and
/// subregion.
#[utoipa::path(operation_id = "list_gminas", tag = "reference", params(GminaFilter), responses((status = 200, body = Vec<GminaView>)))]
#[get("/gminas")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<GminaFilter>,
) -> Result<web::Json<Vec<GminaView>>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let GminaFilter { region, subregion } = filter.into_inner();
    let mut errors = FieldErrors::default();
    super::check_filter(&mut errors, "region", region.as_deref(), RegionCode::parse);
    super::check_filter(
        &mut errors,
        "subregion",
        subregion.as_deref(),
        SubregionCode::parse,
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    Ok(web::Json(
        state
            .db(move |conn| queries::gminas(conn, region.as_deref(), subregion.as_deref()))
            .await?,
    ))
}

/// One gmina by its TERYT code.
///
/// Any role. A malformed TERYT is simply not found (404).
#[utoipa::path(
    operation_id = "get_gmina",
    tag = "reference",
    params(("teryt" = Teryt, Path, description = "TERC code WWPPGGR", example = "1604023")),
    responses(
        (status = 200, body = GminaView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/gminas/{teryt}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    teryt: web::Path<String>,
) -> Result<web::Json<GminaView>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    let teryt =
        Teryt::parse(&teryt).map_err(|e| ApiError::NotFound(format!("no such gmina: {e}")))?;
    let found = state.db({
        let teryt = teryt.clone();
        move |conn| queries::gmina(conn, teryt.as_str())
    });
    found
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("no gmina with TERYT {teryt}")))
}
