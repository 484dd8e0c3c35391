//! The actix application: routes, limits, and problem+json for every error, including the
//! ones the framework makes itself (404, 405 with `Allow`, bad JSON, oversized bodies); `HEAD`
//! wherever `GET` works; CORS for the origins configured.

use crate::cors::Cors;
use crate::error::{problem_for_status, ApiError, PROBLEM_JSON};
use crate::routes;
use crate::state::AppState;
use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::web::Bytes;
use actix_web::{web, App, HttpRequest, HttpResponse, ResponseError};
use std::pin::Pin;
use std::task::{Context, Poll};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The application with the default limits (see [`crate::guard::Limits::default`]) and CORS
/// closed.
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
    build_with(state, crate::guard::Limits::default(), Cors::default())
}

/// The application with these limits and CORS origins.
pub fn build_with(
    state: AppState,
    limits: crate::guard::Limits,
    cors: Cors,
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
        .app_data(web::Data::new(cors))
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
    let methods = Methods::of(&spec);
    // Human docs at /docs (Swagger UI compiled into the binary: no CDN, works offline) and
    // the document itself at /api-docs/openapi.json, from the routes just registered.
    let app = app
        .app_data(web::Data::new(methods))
        .configure(routes::configure_pages)
        .service(web::redirect("/docs", "/docs/"))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", crate::openapi::finish(spec)),
        );
    app.wrap(from_fn(head_as_get))
        .wrap(ErrorHandlers::new().default_handler(problem_fallback))
        .wrap(from_fn(crate::guard::guard))
        .wrap(from_fn(crate::cors::cors))
        .wrap(from_fn(crate::telemetry::log_requests))
}

/// `HEAD` is answered as `GET` would be, without the body: the routes are registered for
/// `GET` only, and actix answers nothing else. The headers stay those of the `GET`, its
/// `Content-Length` included.
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HeadBody>>, actix_web::Error> {
    if req.method() != Method::HEAD {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    req.head_mut().method = Method::GET;
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| EitherBody::right(HeadBody(body.size()))))
}

/// The body of a `HEAD` response: nothing, though it tells the size of the `GET`'s.
pub struct HeadBody(BodySize);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// The methods each path of the document answers, for the `Allow` header of a 405.
#[derive(Debug, Clone, Default)]
pub struct Methods {
    paths: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl Methods {
    pub fn of(api: &utoipa::openapi::OpenApi) -> Self {
        let paths = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (name, op) in [
                    ("GET", &item.get),
                    ("HEAD", &item.get),
                    ("PUT", &item.put),
                    ("POST", &item.post),
                    ("DELETE", &item.delete),
                    ("PATCH", &item.patch),
                ] {
                    if op.is_some() {
                        methods.push(name);
                    }
                }
                (path.split('/').map(str::to_owned).collect(), methods)
            })
            .collect();
        Self { paths }
    }

    /// What `path` answers: the methods of the document's path it matches (a `{…}` segment
    /// matches any one segment), or `GET, HEAD` for the service's other resources (docs).
    pub fn allow(&self, path: &str) -> String {
        let segments: Vec<&str> = path.split('/').collect();
        let matches = |template: &[String]| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        };
        let exact = self.paths.iter().find(|(t, _)| {
            t.iter().zip(&segments).all(|(t, s)| t == s) && t.len() == segments.len()
        });
        match exact.or_else(|| self.paths.iter().find(|(t, _)| matches(t))) {
            Some((_, methods)) => methods.join(", "),
            None => "GET, HEAD".to_owned(),
        }
    }
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

/// Paths that exist with other methods get 405 with the methods they answer in `Allow`
/// (RFC 9110), everything else 404.
async fn not_found_or_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if !req.resource_map().has_resource(req.path()) {
        return Err(ApiError::NotFound(format!(
            "no resource at {}; the API lives under /api/v1",
            req.path()
        )));
    }
    let allow = req
        .app_data::<web::Data<Methods>>()
        .map_or_else(|| "GET, HEAD".to_owned(), |m| m.allow(req.path()));
    let mut res = ApiError::MethodNotAllowed(format!(
        "{} is not allowed on {}; it answers {allow}",
        req.method(),
        req.path()
    ))
    .error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        res.headers_mut().insert(ALLOW, value);
    }
    Ok(res)
}

/// Turns any error response that is not yet problem+json into one.
fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Problems stay; so do the pages' own error pages (HTML that says what to do, in Polish).
    let is_answered = res.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()) || v.as_bytes().starts_with(b"text/html")
    });
    if is_answered {
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
