//! The actix application: routes, limits, and problem+json for every error, including the
//! ones the framework makes itself (404, 405, bad JSON, oversized bodies).

use crate::error::{problem_for_status, ApiError, PROBLEM_JSON};
use crate::routes;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpRequest, HttpResponse};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The application with the default limits (see [`crate::guard::Limits::default`]).
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    build_with_limits(state, crate::guard::Limits::default())
}

pub fn build_with_limits(
    state: AppState,
    limits: crate::guard::Limits,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, spec) = App::new()
        .into_utoipa_app()
        .openapi(crate::openapi::base())
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(limits))
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| ApiError::BadRequest(format!("query string: {e}")).into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, _| ApiError::NotFound(format!("path: {e}")).into()),
        )
        .configure(routes::configure)
        .default_service(web::to(not_found_or_not_allowed))
        .split_for_parts();
    // Human docs at /docs (Swagger UI compiled into the binary: no CDN, works offline) and
    // the document itself at /api-docs/openapi.json, from the routes just registered.
    let app = app.service(web::redirect("/docs", "/docs/")).service(
        SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", crate::openapi::finish(spec)),
    );
    app.wrap(ErrorHandlers::new().default_handler(problem_fallback))
        .wrap(from_fn(crate::guard::guard))
        .wrap(from_fn(crate::telemetry::log_requests))
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match err {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::PayloadTooLarge(
            format!("the body is larger than the {} KiB allowed", limit / 1024),
        ),
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".into())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation(vec![rops_domain::validation::FieldError::new(
                "body",
                e.to_string(),
            )])
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::BadRequest(format!("the body could not be read: {other}")),
    }
    .into()
}

/// Paths that exist with other methods get 405, everything else 404.
async fn not_found_or_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(if req.resource_map().has_resource(req.path()) {
        ApiError::MethodNotAllowed(format!("{} is not allowed on {}", req.method(), req.path()))
    } else {
        ApiError::NotFound(format!(
            "no resource at {}; the API lives under /api/v1",
            req.path()
        ))
    })
}

/// Turns any error response that is not yet problem+json into one.
fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = res
        .response()
        .error()
        .map(ToString::to_string)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    let (req, _) = res.into_parts();
    let problem: HttpResponse = problem_for_status(status, detail);
    let res: ServiceResponse<EitherBody<B>> =
        ServiceResponse::new(req, problem).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
