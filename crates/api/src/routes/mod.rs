//! Handlers, one module per resource. Registering a handler here also documents it.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub mod catalogue;
pub mod gminas;
pub mod health;
pub mod owes;
pub mod programmes;
pub mod regions;
pub mod subregions;

/// Every route of the service, with its OpenAPI description.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/api/v1")
                .service(regions::list)
                .service(regions::get)
                .service(subregions::put)
                .service(gminas::list)
                .service(gminas::get)
                .service(owes::list)
                .service(owes::get)
                .service(owes::put)
                .service(catalogue::get)
                .service(programmes::list)
                .service(programmes::get),
        );
}
