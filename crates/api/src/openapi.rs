//! The OpenAPI document, generated from the handlers (utoipa) and committed as
//! `api-spec/openapi.json`; a test fails when the two differ.

use crate::error::{ApiError, Problem, ProblemField, PROBLEM_JSON};
use crate::schemas::{ETags, EventId, EventType, QuarterOrDay, RollupFormat, TemplateFormat};
use rops_domain::code::{OwesCode, ProgrammeCode, SubregionCode};
use rops_domain::entity::{EntityCode, EntityKind};
use rops_domain::period::{Quarter, Year};
use rops_domain::report::ReportStatus;
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::validation::FieldError;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rops-hub",
        description = "Regional social-economy monitoring: OWES quarterly reports, gmina LPRES status and results, the ROPS activity register, the register of reintegration entities and their yearly reports, rollups (with the region's coverage by those entities) against the regional programme.\n\nEvery endpoint under /api/v1 needs a signed-in caller: `Authorization: Bearer <key>` with a personal API key (`POST /api/v1/me/keys`), an access token of the single sign-on provider or a server-signed JWT (`rops-hub token`, for development), or the session cookie of `POST /auth/login` — a cookie-authenticated request that changes something also sends the session's CSRF token as `X-CSRF-Token`. Every error is application/problem+json (RFC 9457).",
        license(name = "MIT"),
    ),
    // The schemas only parameters name (utoipa collects those of bodies and responses).
    components(schemas(
        Problem,
        ProblemField,
        ETags,
        EventId,
        QuarterOrDay,
        RollupFormat,
        TemplateFormat,
        Year,
        ProgrammeCode,
        RegionCode,
        SubregionCode,
        OwesCode,
        Teryt,
        Quarter,
        ReportStatus,
        EventType,
        EntityCode,
        EntityKind,
    )),
    tags(
        (name = "reference", description = "Territory, subregions, OWES, catalogues and programmes"),
        (name = "OWES reports", description = "OWES quarterly reports: lifecycle, revisions, CSV import"),
        (name = "gminas", description = "Gmina LPRES status and history; gmina annual reports with the results checklist"),
        (name = "register", description = "The ROPS activity register"),
        (name = "entities", description = "The register of reintegration entities (CIS, KIS, ZAZ, WTZ): kind, seat, the gminas served, operator, active quarters; every change kept as a revision. Their yearly reports: the third report stream, same lifecycle as the others"),
        (name = "rollups", description = "Live rollups against the programme targets, as of any moment; JSON, CSV, XLSX"),
        (name = "health", description = "Liveness and readiness, without a token"),
        (name = "auth", description = "Signing in and out (session cookie), the first admin, setting a password with a one-time link"),
        (name = "users", description = "Accounts (admins), and each person's own: who am I, my password, my API keys"),
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
                    .bearer_format("API key (rops_…), the sign-on provider's access token, or a server-signed JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::session::COOKIE,
                "The session of POST /auth/login. A request that changes something also sends the session's CSRF token in the X-CSRF-Token header.",
            ))),
        );
    }
}

fn problem(status: u16, description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .example(Some(example_problem(status)))
                    .build(),
            )
            .build(),
    )
}

/// A problem document as the service answers with `status`, for the examples of the
/// document's error responses.
pub fn example_problem(status: u16) -> serde_json::Value {
    let error = match status {
        400 => ApiError::BadRequest(
            "the body is not valid JSON: expected value at line 1 column 1".into(),
        ),
        401 => ApiError::Unauthorized("the token has expired; get a new one".into()),
        403 => ApiError::Forbidden(
            "this token is for OWES OWES-PD; it cannot reach OWES OWES-PN".into(),
        ),
        404 => ApiError::NotFound("no OWES with code OWES-XX".into()),
        405 => ApiError::MethodNotAllowed("DELETE is not allowed on /api/v1/regions/16".into()),
        408 => ApiError::RequestTimeout(
            "the request body did not arrive within 30 s; send it at once, not in a trickle".into(),
        ),
        409 => ApiError::Conflict("cannot approve a report that is draft".into()),
        412 => ApiError::PreconditionFailed(
            "the report is at revision 4, not 3: read it again and reapply your change".into(),
        ),
        413 => ApiError::PayloadTooLarge("the body is larger than the 64 KiB allowed".into()),
        415 => ApiError::UnsupportedMediaType("send the body as application/json".into()),
        422 => ApiError::validation(vec![FieldError::new(
            "values.jobs_created",
            "-1 is negative; values must be 0 or more",
        )]),
        429 => ApiError::TooManyRequests(
            "this address already has 64 requests in progress; wait for them to finish".into(),
        ),
        503 => ApiError::Unavailable("the database cannot be reached; try again shortly".into()),
        _ => ApiError::Internal,
    };
    serde_json::to_value(error.problem()).unwrap_or_default()
}

/// Every problem+json response without an example gets one with its own status.
fn problem_examples(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        let (RefOr::T(response), Ok(status)) = (response, status.parse::<u16>()) else {
            continue;
        };
        if let Some(content) = response.content.get_mut(PROBLEM_JSON) {
            if content.example.is_none() {
                content.example = Some(example_problem(status));
            }
        }
    }
}

/// `oneOf [null, X]` (how utoipa writes `Option<X>`) becomes `X`. A body or parameter that is
/// optional is left out, not sent as null: generated clients cannot send a null body, and no
/// header or query parameter is null.
fn without_null(schema: &mut Option<RefOr<Schema>>) {
    let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
    match schema {
        Some(RefOr::T(Schema::OneOf(one))) if one.items.iter().any(is_null) => {
            let mut rest: Vec<_> = one.items.drain(..).filter(|s| !is_null(s)).collect();
            if rest.len() == 1 {
                *schema = rest.pop();
            } else {
                one.items = rest;
            }
        }
        Some(RefOr::T(Schema::Object(o))) => {
            if let SchemaType::Array(types) = &o.schema_type {
                let rest: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                if rest.len() == 1 {
                    o.schema_type = SchemaType::Type(rest[0].clone());
                }
            }
        }
        _ => {}
    }
}

/// Optional bodies and parameters are absent, never null.
fn no_nulls(op: &mut Operation) {
    if let Some(body) = &mut op.request_body {
        for content in body.content.values_mut() {
            without_null(&mut content.schema);
        }
    }
    for p in op.parameters.iter_mut().flatten() {
        without_null(&mut p.schema);
    }
}

fn secure(op: &mut Operation) {
    op.security = Some(vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("cookie", Vec::<String>::new()),
    ]);
    let r = &mut op.responses.responses;
    r.entry("401".into()).or_insert_with(|| {
        problem(
            401,
            "No valid credentials: no key, token or session, or one that is tampered, expired, revoked or of a deactivated account",
        )
    });
    r.entry("500".into()).or_insert_with(|| {
        problem(
            500,
            "The server failed; x-request-id identifies it in the logs",
        )
    });
    r.entry("429".into()).or_insert_with(|| {
        problem(
            429,
            "This client address has too many requests in progress (ROPS_MAX_REQUESTS_PER_CLIENT)",
        )
    });
    r.entry("503".into())
        .or_insert_with(|| problem(503, "The database cannot be reached; try again shortly"));
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
            no_nulls(op);
            if path.contains('{') {
                op.responses
                    .responses
                    .entry("404".into())
                    .or_insert_with(|| {
                        problem(
                            404,
                            "No such resource, or a path parameter no resource can have",
                        )
                    });
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
                    .or_insert_with(|| problem(400, "A malformed query parameter or header"));
            }
            let takes_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let r = &mut op.responses.responses;
            if takes_query {
                r.entry("422".into()).or_insert_with(|| {
                    problem(
                        422,
                        "A query parameter is not valid (e.g. holds a control character)",
                    )
                });
            }
            if op.request_body.is_some() {
                r.entry("400".into())
                    .or_insert_with(|| problem(400, "The body is not valid JSON"));
                r.entry("413".into())
                    .or_insert_with(|| problem(413, "The body is larger than 64 KiB"));
                r.entry("415".into())
                    .or_insert_with(|| problem(415, "The body is not application/json"));
                r.entry("408".into()).or_insert_with(|| {
                    problem(408, "The body did not arrive within ROPS_BODY_TIMEOUT_SECS")
                });
                r.entry("422".into())
                    .or_insert_with(|| problem(422, "A field is not valid, e.g. holds NUL"));
            }
            problem_examples(op);
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
