//! Errors as RFC 9457 problem documents.
//!
//! Layering: the domain returns typed errors, the store returns [`StoreError`], and this
//! module maps each kind to exactly one status (`From<StoreError>`, the one place that does). A database failure is never a 4xx and is
//! never dropped: it is logged with the request and answered 500 (or 503 when the database
//! cannot be reached or used: connection lost, SQLite file missing, replaced or read-only).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use rops_domain::validation::FieldError;
use rops_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of problem in words, e.g. `Unprocessable input`.
    pub title: String,
    /// The HTTP status, the same as the response's (each response's example shows its own).
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this request, and what is allowed.
    pub detail: String,
    /// With validation problems: one entry per field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One field of the request and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    #[schema(example = "subregion")]
    pub field: String,
    #[schema(example = "subregion OPL-XX does not exist")]
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Unavailable(String),
    /// The cause is logged where the error is made; the body says only that it happened.
    #[error("internal error")]
    Internal,
}

/// Most problems listed in one answer; the rest are counted, so that a file with thousands of
/// bad cells gets a short answer that still says how much is wrong.
pub const MAX_LISTED_ERRORS: usize = 100;

impl ApiError {
    pub fn validation(mut errors: Vec<FieldError>) -> Self {
        let total = errors.len();
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid; see `errors`", many.len()),
        };
        if total > MAX_LISTED_ERRORS {
            errors.truncate(MAX_LISTED_ERRORS);
            errors.push(FieldError::new(
                "errors",
                format!(
                    "{} more problems are not listed; fix these and send it again",
                    total - MAX_LISTED_ERRORS
                ),
            ));
        }
        Self::Validation { detail, errors }
    }

    /// Logs the cause and answers 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Unauthorized(_) => ("unauthorized", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            Self::BadRequest(_) => ("bad-request", "Malformed request"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Conflict(_) => ("conflict", "Conflict with the current state"),
            Self::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            Self::Validation { .. } => ("validation", "Unprocessable input"),
            Self::RequestTimeout(_) => ("request-timeout", "Request body too slow"),
            Self::TooManyRequests(_) => ("too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            Self::Internal => "the server failed to handle the request; the x-request-id header identifies it in the logs".to_owned(),
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation { errors, .. } => errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

/// A problem response for a status the framework produced on its own.
pub fn problem_for_status(status: StatusCode, detail: String) -> HttpResponse {
    let slug = status
        .canonical_reason()
        .unwrap_or("error")
        .to_lowercase()
        .replace(' ', "-");
    let problem = Problem {
        kind: format!("/problems/{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    problem_response(status, &problem)
}

fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
    if status == StatusCode::UNAUTHORIZED {
        res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
    }
    res.body(serde_json::to_string(problem).unwrap_or_default())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        problem_response(self.status_code(), &self.problem())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Invalid(errors) => Self::validation(errors),
            StoreError::Conflict(detail) => Self::Conflict(detail),
            e @ (StoreError::Locked { .. } | StoreError::NotApplicable { .. }) => {
                Self::Conflict(e.to_string())
            }
            e @ (StoreError::StaleRevision { .. } | StoreError::ChangedMeanwhile(_)) => {
                Self::PreconditionFailed(e.to_string())
            }
            // The importer names lines and columns itself (`csv_import::locate`); this is for
            // a caller that has no file to point into.
            StoreError::ImportRefused(problems) => Self::validation(
                problems
                    .into_iter()
                    .map(|p| {
                        let field = match &p.indicator {
                            Some(code) => format!("{}.values.{code}", p.period),
                            None => p.period.to_string(),
                        };
                        FieldError::new(field, p.message)
                    })
                    .collect(),
            ),
            StoreError::Reference(problems) => Self::validation(
                problems
                    .0
                    .into_iter()
                    .map(|m| FieldError::new("file", m))
                    .collect(),
            ),
            StoreError::Pool(e) => {
                tracing::error!(error = %e, "database unavailable");
                Self::Unavailable("the database cannot be reached; try again shortly".into())
            }
            // The reason names files and hosts: logged, not told.
            // (The health check logs the outage itself once, as an error.)
            StoreError::Unavailable(why) => {
                tracing::warn!(reason = %why, "database unavailable");
                Self::Unavailable("the database cannot be used right now; try again shortly".into())
            }
            e @ (StoreError::Database(_) | StoreError::Setup(_) | StoreError::Corrupt { .. }) => {
                Self::internal(e)
            }
        }
    }
}
