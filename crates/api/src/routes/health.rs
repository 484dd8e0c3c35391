use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
}

/// A health answer is `ok`; a service that is not ready answers with a problem instead.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// The process is alive.
///
/// No token needed: answers as long as the process runs.
#[utoipa::path(operation_id = "healthz", tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: HealthStatus::Ok,
    })
}

/// The database answers.
///
/// No token needed: 200 when the database answers a query, 503 otherwise.
#[utoipa::path(operation_id = "readyz", tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let not_ready = |why: String| {
        tracing::warn!(reason = %why, "not ready");
        ApiError::Unavailable("the database does not answer".into())
    };
    if state.health.is_monitored() {
        // From the background check: quick, and never queued behind a busy pool.
        state.health.ready().map_err(not_ready)?;
    } else {
        state
            .db(rops_store::queries::ping)
            .await
            .map_err(|e| not_ready(e.to_string()))?;
    }
    Ok(HttpResponse::Ok().json(Health {
        status: HealthStatus::Ok,
    }))
}
