use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use rops_domain::policy::{Action, Resource};
use rops_store::queries;
use rops_store::views::Catalogue;

/// The catalogues: OWES and gmina indicators with their kinds, the gmina results checklist
/// (codes `A1`…`D7`, seed 001) and the event types of the ROPS activity register.
///
/// Any role. Indicators carry their stream (`owes` quarterly, `gmina` annual), kind (`flow`,
/// `stock`, `ratio` with numerator and denominator), unit (`count`, `pln`, `share`) and
/// `at_most` bound; these are the codes report `values` use.
#[utoipa::path(operation_id = "get_catalogue", tag = "reference", responses((status = 200, body = Catalogue)))]
#[get("/indicators")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Catalogue>, ApiError> {
    caller.may(Action::ReadReference, Resource::Reference)?;
    Ok(web::Json(state.db(queries::catalogue).await?))
}
