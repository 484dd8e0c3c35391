use super::reports::{actor, if_match, with_etag};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::schemas::IfMatchHeader;
use crate::state::AppState;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use rops_domain::lpres::{check_lpres, LpresInput, LpresStatus};
use rops_domain::policy::{Action, Resource};
use rops_domain::stream::Stream;
use rops_domain::territory::{RegionCode, Teryt};
use rops_store::lpres::{self, GminaLpres, LpresState, LpresWithHistory};
use rops_store::writes::Put;
use serde::Deserialize;
use utoipa::ToSchema;

/// An LPRES status as a gmina reports it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "adopted", "resolution_number": "XLV/512/2023", "adopted_on": "2023-10-26", "plan_from": 2023, "plan_to": 2028, "document_url": "https://bip.kluczbork.pl/uchwala-xlv-512-2023.pdf"}))]
pub struct LpresPut {
    #[schema(value_type = LpresStatus, example = "adopted")]
    pub status: String,
    /// The council resolution (adopted, repealed).
    #[schema(example = "XLV/512/2023", pattern = r"^[^\u0000]*$")]
    pub resolution_number: Option<String>,
    /// YYYY-MM-DD, not in the future (adopted, repealed).
    #[schema(example = "2023-10-26", format = Date)]
    pub adopted_on: Option<String>,
    /// First plan year (adopted; planned years for in_preparation and draft).
    #[schema(value_type = Option<i64>, example = 2023, minimum = 1990, maximum = 2100)]
    pub plan_from: Option<crate::http::WholeNumber>,
    /// Last plan year: at most ten years in all.
    #[schema(value_type = Option<i64>, example = 2028, minimum = 1990, maximum = 2100)]
    pub plan_to: Option<crate::http::WholeNumber>,
    /// An http(s) link to the resolution: no spaces, at most 2,000 characters; blank or null
    /// for none.
    #[schema(
        example = "https://bip.kluczbork.pl/uchwala-xlv-512-2023.pdf",
        max_length = 2000,
        pattern = r"^\s*(https?://[^\s/\u0000][^\s\u0000]*)?\s*$"
    )]
    pub document_url: Option<String>,
}

/// Sets a gmina's LPRES status (that gmina, analyst, admin). `adopted` needs the resolution
/// number, the adoption date and the plan years; other statuses refuse fields that make no
/// sense for them.
///
/// Every change is kept in the history. Send back the ETag you read as `If-Match` ("0" before
/// the first status) to refuse a change made in between (412).
#[utoipa::path(
    operation_id = "put_lpres",
    tag = "gminas",
    params(
        ("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023"),
        IfMatchHeader,
    ),
    request_body = LpresPut,
    responses(
        (status = 201, description = "First status of the gmina", body = LpresState, headers(("ETag" = String))),
        (status = 200, description = "Updated", body = LpresState, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/gminas/{teryt}/lpres")]
pub async fn put_lpres(
    state: web::Data<AppState>,
    caller: Caller,
    teryt: web::Path<String>,
    req: HttpRequest,
    body: web::Json<LpresPut>,
) -> Result<HttpResponse, ApiError> {
    let teryt = teryt.into_inner();
    caller
        .may_at(
            &state,
            Action::WriteLpres,
            Resource::Unit(Stream::Gmina, &teryt),
        )
        .await?;
    let if_match = if_match(&req)?;
    let b = body.into_inner();
    let input = LpresInput {
        status: b.status,
        resolution_number: b.resolution_number,
        adopted_on: b.adopted_on,
        plan_from: b.plan_from.map(|y| y.0),
        plan_to: b.plan_to.map(|y| y.0),
        document_url: b.document_url,
    };
    let clock = state.clock;
    let checked =
        check_lpres(&input, clock.today()).map_err(|e| ApiError::validation(e.into_vec()))?;
    let (current, put) = state
        .write(move |conn| lpres::put(conn, &teryt, &checked, if_match, &actor(&caller, clock)))
        .await?;
    let status = if put == Put::Created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(status, current.revision, current))
}

/// A gmina's current LPRES status and its history (every change, who, when).
///
/// Any role. Before any report the status is `none` at revision 0.
#[utoipa::path(
    operation_id = "get_lpres",
    tag = "gminas",
    params(("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023")),
    responses(
        (status = 200, body = LpresWithHistory, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/gminas/{teryt}/lpres")]
pub async fn get_lpres(
    state: web::Data<AppState>,
    caller: Caller,
    teryt: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let teryt = teryt.into_inner();
    caller.may(Action::ReadLpres, Resource::Unit(Stream::Gmina, &teryt))?;
    let found = state.db(move |conn| lpres::get(conn, &teryt)).await?;
    Ok(with_etag(HttpResponse::Ok(), found.current.revision, found))
}

/// Every gmina of a region with its current LPRES status, for lists and the map.
///
/// Any role. Gminas never reported are `none`.
#[utoipa::path(
    operation_id = "list_region_lpres",
    tag = "gminas",
    params(("code" = RegionCode, Path, description = "Region code", example = "16")),
    responses(
        (status = 200, body = Vec<GminaLpres>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}/lpres")]
pub async fn region_lpres(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<web::Json<Vec<GminaLpres>>, ApiError> {
    let code = code.into_inner();
    caller.may(Action::ReadLpres, Resource::Region(&code))?;
    Ok(web::Json(
        state.db(move |conn| lpres::region(conn, &code)).await?,
    ))
}
