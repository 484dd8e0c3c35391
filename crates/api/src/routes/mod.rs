//! Handlers, one module per resource. Registering a handler here also documents it.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub mod catalogue;
pub mod dashboard;
pub mod entities;
pub mod entity_reports;
pub mod events;
pub mod gmina_reports;
pub mod gminas;
pub mod health;
pub mod lpres;
pub mod owes;
pub mod owes_reports;
pub mod programmes;
pub mod regions;
pub mod register_pages;
pub mod report_files;
pub mod report_pages;
pub mod report_resource;
pub mod reports;
pub mod review_pages;
pub mod rollups;
pub mod signin;
pub mod subregions;
pub mod upload_pages;
pub mod users;

/// Checks a query filter against its domain type, recording the field when it does not
/// parse: a filter that can match nothing by its very shape is a mistake to name (422), not
/// an empty list.
pub(crate) fn check_filter<T>(
    errors: &mut rops_domain::validation::FieldErrors,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, rops_domain::ParseError>,
) {
    if let Some(v) = value {
        errors.take(field, parse(v));
    }
}

/// A lone `region` filter: 422 unless it is a region code.
pub(crate) fn region_filter(region: Option<&str>) -> Result<(), crate::error::ApiError> {
    let mut errors = rops_domain::validation::FieldErrors::default();
    check_filter(
        &mut errors,
        "region",
        region,
        rops_domain::territory::RegionCode::parse,
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::error::ApiError::validation(errors.into_vec()))
    }
}

/// The pages (HTML for people, not part of the API's document).
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(signin::home)
        .service(signin::sign_in_page)
        .service(signin::setup_page)
        .service(signin::password_page)
        .service(signin::change_password_form)
        .service(signin::oidc_start)
        .service(signin::oidc_callback)
        .service(dashboard::region)
        .service(dashboard::subregion)
        .service(dashboard::owes)
        .service(report_pages::list)
        .service(upload_pages::form)
        .service(upload_pages::send)
        .service(report_pages::form)
        .service(report_pages::save)
        .service(report_pages::gmina_form)
        .service(report_pages::gmina_save)
        .service(report_pages::lpres_save)
        .service(review_pages::list)
        .service(review_pages::approve_many)
        .service(review_pages::one)
        .service(review_pages::decide_one)
        .service(dashboard::gmina)
        .service(dashboard::indicator)
        .service(register_pages::list)
        .service(register_pages::new)
        .service(register_pages::create)
        .service(register_pages::edit)
        .service(register_pages::change)
        .service(crate::pages::stylesheet)
        .service(crate::pages::report_form_script);
}

/// Every route of the service, with its OpenAPI description.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(signin::sign_in)
        .service(signin::sign_out)
        .service(signin::setup)
        .service(signin::set_password)
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
                .configure(owes_reports::configure)
                .service(owes_reports::queue)
                .service(lpres::put_lpres)
                .service(lpres::get_lpres)
                .service(lpres::region_lpres)
                .configure(gmina_reports::configure)
                .service(events::create)
                .service(events::list)
                .service(events::get)
                .service(events::update)
                .service(events::withdraw)
                .service(entities::list)
                .service(entities::get)
                .service(entities::put)
                .service(entities::revisions)
                .configure(entity_reports::configure)
                .service(rollups::region)
                .service(rollups::region_csv)
                .service(rollups::region_xlsx)
                .service(rollups::subregion)
                .service(rollups::subregion_csv)
                .service(rollups::subregion_xlsx)
                .service(rollups::owes)
                .service(rollups::owes_csv)
                .service(rollups::owes_xlsx)
                .service(catalogue::get)
                .service(programmes::list)
                .service(programmes::get)
                .service(users::me)
                .service(users::change_password)
                .service(users::create_key)
                .service(users::list_keys)
                .service(users::revoke_key)
                .service(users::create)
                .service(users::list)
                .service(users::get)
                .service(users::update),
        );
}
