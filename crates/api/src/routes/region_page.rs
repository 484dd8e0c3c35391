//! The region page for people signed in with a session (`/regions/{code}`): the same rollup
//! the API answers, as HTML in Polish (see `crate::pages::region`).

use super::rollups::{compute_with_series, Of, RollupQuery};
use super::signin::session_of;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::map::MapGmina;
use crate::pages::region::{region_page, WindowForm};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use rops_domain::policy::{Action, Resource};

fn status_pl(status: &str) -> (&'static str, &'static str) {
    match status {
        "adopted" => ("adopted", "przyjęty"),
        "in_preparation" => ("in_preparation", "w przygotowaniu"),
        "draft" => ("in_preparation", "projekt"),
        "repealed" => ("none", "uchylony"),
        "none" => ("none", "brak"),
        _ => ("unknown", "nie zgłoszono"),
    }
}

fn refused(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    pages::respond(
        status,
        pages::message(title, text, Some(("/", "Wróć na stronę główną")), true),
    )
}

/// The region page: targets, indicators by subregion, completeness, LPRES with the map, the
/// results checklist, for the window and moment in the URL.
#[get("/regions/{code}")]
pub async fn region(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<RollupQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some((session, user)) = session_of(&state, &req).await? else {
        return Ok(pages::see_other("/login"));
    };
    if user.must_change_password {
        return Ok(pages::see_other("/"));
    }
    let caller = Caller::of_session(user.clone(), &session)?;
    let code = code.into_inner();
    if caller
        .may(Action::ReadRollup, Resource::Region(&code))
        .is_err()
    {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            "Brak dostępu",
            "Twoje konto nie ma dostępu do danych tego regionu.",
        ));
    }
    // A form sends its empty fields too (`year=&from=2025-Q1…`): empty is not given.
    let mut q = query.into_inner();
    for field in [&mut q.year, &mut q.from, &mut q.to, &mut q.as_of] {
        if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *field = None;
        }
    }
    let region = Of::Region(code.clone());
    let (rollup, names, series) = match compute_with_series(&state, region, &q, &req, true, true)
        .await
    {
        Ok(found) => found,
        Err(ApiError::NotFound(_)) => {
            return Ok(refused(
                StatusCode::NOT_FOUND,
                "Nie ma takiego regionu",
                &format!("Nie ma regionu o kodzie {code}."),
            ))
        }
        Err(ApiError::Validation { errors, .. }) => {
            let list: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            return Ok(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nieprawidłowe okno",
                &format!(
                    "Popraw okno lub moment w adresie ({}); rok albo kwartały od–do w postaci 2025-Q1.",
                    list.join("; ")
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    let map = {
        let code = code.clone();
        state
            .db(move |conn| {
                let shapes = rops_store::boundaries::boundaries_of_region(conn, &code)?;
                let statuses = rops_store::lpres::region(conn, &code)?;
                Ok(shapes
                    .into_iter()
                    .map(|(teryt, geometry)| {
                        let lpres = statuses.iter().find(|g| g.teryt == teryt);
                        let (class, label) = status_pl(lpres.map_or("", |g| g.status.as_str()));
                        let name = lpres.map(|g| g.name.clone()).unwrap_or_default();
                        let resolution = lpres
                            .and_then(|g| g.resolution_number.as_deref())
                            .map(|r| format!(", uchwała {r}"))
                            .unwrap_or_default();
                        MapGmina {
                            title: format!("{name} — {label}{resolution}"),
                            href: format!("/api/v1/gminas/{teryt}/lpres"),
                            teryt,
                            name,
                            geometry,
                            status_class: class,
                        }
                    })
                    .collect::<Vec<_>>())
            })
            .await?
    };
    let form = WindowForm {
        year: q.year.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        as_of: q.as_of.clone().unwrap_or_default(),
        approved_only: q.approved_only,
        query: form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                [
                    ("year", q.year.as_deref()),
                    ("from", q.from.as_deref()),
                    ("to", q.to.as_deref()),
                    ("as_of", q.as_of.as_deref()),
                    ("approved_only", q.approved_only.then_some("true")),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v))),
            )
            .finish(),
    };
    let banner = Banner {
        name: &user.name,
        role: user.role,
        csrf: &session.csrf_token,
    };
    Ok(pages::respond(
        StatusCode::OK,
        region_page(&banner, &rollup, &names, &form, map, &series),
    ))
}
