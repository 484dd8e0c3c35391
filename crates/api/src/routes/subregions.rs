use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{put, web, HttpResponse};
use rops_domain::code::SubregionCode;
use rops_domain::territory::{PowiatCode, RegionCode};
use rops_domain::validation::FieldErrors;
use rops_store::views::SubregionDetail;
use rops_store::writes::{self, Put, SubregionInput};
use serde::Deserialize;
use utoipa::ToSchema;

/// A subregion as an admin writes it: its region, name and the powiats it holds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "16", "name": "Subregion północny", "powiats": ["1601", "1604", "1606", "1608"]}))]
pub struct SubregionPut {
    #[schema(value_type = RegionCode, example = "16")]
    pub region: String,
    #[schema(example = "Subregion północny", pattern = r"^[^\u0000]*$")]
    pub name: String,
    /// Powiat codes. A powiat lies in at most one subregion.
    #[schema(value_type = Vec<PowiatCode>, example = json!(["1601", "1604", "1606", "1608"]))]
    pub powiats: Vec<String>,
}

/// Creates or updates a subregion (admin).
///
/// Admins only. The powiats must lie in the region and in no other subregion (remove them there
/// first); the list replaces the subregion's powiats. 201 when created, 200 when updated.
#[utoipa::path(
    operation_id = "put_subregion",
    tag = "reference",
    params(("code" = SubregionCode, Path, description = "Subregion code: upper-case letters, digits, hyphens", example = "OPL-PN")),
    request_body = SubregionPut,
    responses(
        (status = 201, description = "Created", body = SubregionDetail),
        (status = 200, description = "Updated", body = SubregionDetail),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/subregions/{code}")]
pub async fn put(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    code: web::Path<String>,
    body: web::Json<SubregionPut>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let code = errors.take("code", SubregionCode::parse(&code));
    let region = errors.take("region", RegionCode::parse(&body.region));
    let powiats: Vec<PowiatCode> = (body.powiats.iter().enumerate())
        .filter_map(|(i, p)| errors.take(format!("powiats[{i}]"), PowiatCode::parse(p)))
        .collect();
    let (Some(code), Some(region), true) = (code, region, errors.is_empty()) else {
        return Err(ApiError::validation(errors.into_vec()));
    };
    // A region-bound admin keeps the subregions of their region.
    let action = rops_domain::policy::Action::WriteReference;
    admin.in_region(action, region.as_str())?;
    admin
        .within_region_of(
            &state,
            action,
            rops_domain::policy::Resource::Subregion(code.as_str()),
        )
        .await?;
    let input = SubregionInput {
        region,
        name: body.name,
        powiats,
    };
    let (view, put) = state
        .write(move |conn| writes::put_subregion(conn, &code, &input))
        .await?;
    Ok(match put {
        Put::Created => HttpResponse::Created().json(view),
        Put::Updated => HttpResponse::Ok().json(view),
    })
}
