//! The OpenAPI document, generated from the handlers (utoipa) and committed as
//! `api-spec/openapi.json`; a test fails when the two differ.

use crate::error::{Problem, ProblemField};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rops-hub",
        description = "Regional social-economy monitoring: OWES quarterly reports, gmina LPRES status and results, the ROPS activity register, rollups against the regional programme.\n\nEvery endpoint under /api/v1 needs `Authorization: Bearer <JWT>`; `rops-hub token` mints one. Every error is application/problem+json (RFC 9457).",
        license(name = "MIT"),
    ),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "reference", description = "Territory, subregions, OWES, catalogues and programmes"),
        (name = "OWES reports", description = "OWES quarterly reports: lifecycle, revisions, CSV import"),
        (name = "gminas", description = "Gmina LPRES status and history; gmina annual reports with the results checklist"),
        (name = "register", description = "The ROPS activity register"),
        (name = "rollups", description = "Live rollups against the programme targets, as of any moment; JSON, CSV, XLSX"),
        (name = "health", description = "Liveness and readiness, without a token"),
    ),
    modifiers(&Secured),
)]
struct ApiDoc;

/// Adds the bearer scheme, and to every /api/v1 operation its security requirement and the
/// error responses any of them can give.
struct Secured;

impl Modify for Secured {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn secure(op: &mut Operation) {
    op.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    let r = &mut op.responses.responses;
    r.entry("401".into()).or_insert_with(|| {
        problem("No valid bearer token: missing, tampered, unsigned or expired")
    });
    r.entry("500".into())
        .or_insert_with(|| problem("The server failed; x-request-id identifies it in the logs"));
    r.entry("429".into()).or_insert_with(|| {
        problem(
            "This client address has too many requests in progress (ROPS_MAX_REQUESTS_PER_CLIENT)",
        )
    });
    r.entry("503".into())
        .or_insert_with(|| problem("The database cannot be reached; try again shortly"));
}

fn with_errors(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, item) in api.paths.paths.iter_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            if path.starts_with("/api/v1/") {
                secure(op);
            }
            let takes_query_or_header = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
            let r = &mut op.responses.responses;
            for (status, response) in r.iter_mut() {
                if let RefOr::T(response) = response {
                    if response.description.is_empty() {
                        response.description = match status.as_str() {
                            "201" => "Created",
                            "200" => "OK",
                            _ => "See the problem's detail",
                        }
                        .to_owned();
                    }
                }
            }
            if takes_query_or_header {
                r.entry("400".into())
                    .or_insert_with(|| problem("A malformed query parameter or header"));
            }
            let takes_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let r = &mut op.responses.responses;
            if takes_query {
                r.entry("422".into()).or_insert_with(|| {
                    problem("A query parameter is not valid (e.g. holds a control character)")
                });
            }
            if op.request_body.is_some() {
                r.entry("400".into())
                    .or_insert_with(|| problem("The body is not valid JSON"));
                r.entry("413".into())
                    .or_insert_with(|| problem("The body is larger than 64 KiB"));
                r.entry("415".into())
                    .or_insert_with(|| problem("The body is not application/json"));
                r.entry("408".into()).or_insert_with(|| {
                    problem("The body did not arrive within ROPS_BODY_TIMEOUT_SECS")
                });
                r.entry("422".into())
                    .or_insert_with(|| problem("A field is not valid, e.g. holds NUL"));
            }
        }
    }
    api
}

/// The hand-written part of the document (info, tags, security scheme); the routes add
/// their operations when registered.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Completes the document the routes built: security and the shared error responses.
pub fn finish(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    with_errors(api)
}

/// The document as the running service describes itself.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(base())
        .configure(crate::routes::configure)
        .split_for_parts();
    finish(api)
}

/// Pretty JSON with a final newline, as committed.
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
