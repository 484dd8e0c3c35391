//! The analysts' pages, for people signed in with a session: a region, a subregion, an OWES
//! (the same rollup the API answers, as HTML in Polish: `crate::pages::scope`), a gmina
//! (`crate::pages::gmina`) and an indicator over time (`crate::pages::compare`).

use super::rollups::{compute_with_series, Of, RollupQuery};
use super::signin::session_of;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::format::{picked_moment, picker_value};
use crate::pages::scope::{scope_page, ScopePage, WindowForm};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use rops_domain::indicator::Stream;
use rops_domain::policy::{Action, Resource};
use rops_store::accounts::{Session, User};
use rops_store::reports::{self, ReportFilter};

pub(crate) fn refused(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    pages::respond(
        status,
        pages::message(title, text, Some(("/", "Wróć na stronę główną")), true),
    )
}

pub(crate) fn forbidden() -> HttpResponse {
    refused(
        StatusCode::FORBIDDEN,
        "Brak dostępu",
        "Twoje konto nie ma dostępu do tej strony.",
    )
}

/// What a page answers when the policy says no: a 403 page in Polish, or `not_found` for a
/// unit that does not exist; `None` when allowed. Other failures (the database) stay errors.
pub(crate) fn refusal(
    decision: Result<(), ApiError>,
    not_found: impl FnOnce() -> HttpResponse,
) -> Result<Option<HttpResponse>, ApiError> {
    match decision {
        Ok(()) => Ok(None),
        Err(ApiError::Forbidden(_)) => Ok(Some(forbidden())),
        Err(ApiError::NotFound(_)) => Ok(Some(not_found())),
        Err(e) => Err(e),
    }
}

/// The person behind the request's session, or the answer for someone who is not (yet) let
/// in: the sign-in page, or the password form when the password must change first.
pub(crate) async fn person(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Result<(Session, User, Caller), HttpResponse>, ApiError> {
    let Some((session, user)) = session_of(state, req).await? else {
        return Ok(Err(pages::see_other("/login")));
    };
    if user.must_change_password {
        return Ok(Err(pages::see_other("/")));
    }
    let caller = Caller::of_session(user.clone(), &session)?;
    Ok(Ok((session, user, caller)))
}

/// The window and moment of a page's query as the rollup reads them. A form sends its empty
/// fields too, and its date-time picker a moment without a zone (read as UTC): `Err` with the
/// same view's canonical query, to redirect to, so every view has one shareable address.
fn canonical(q: RollupQuery) -> Result<RollupQuery, String> {
    let mut clean = q;
    let mut changed = false;
    for field in [
        &mut clean.year,
        &mut clean.from,
        &mut clean.to,
        &mut clean.as_of,
    ] {
        if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *field = None;
            changed = true;
        }
    }
    if let Some(t) = clean.as_of.as_deref().and_then(picked_moment) {
        clean.as_of = Some(t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        changed = true;
    }
    if changed {
        Err(query_of(&clean))
    } else {
        Ok(clean)
    }
}

fn query_of(q: &RollupQuery) -> String {
    form_urlencoded::Serializer::new(String::new())
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
        .finish()
}

fn window_form(q: &RollupQuery, as_of: &str) -> WindowForm {
    WindowForm {
        year: q.year.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        as_of: q
            .as_of
            .as_ref()
            .map(|_| picker_value(as_of))
            .unwrap_or_default(),
        approved_only: q.approved_only,
        query: query_of(q),
    }
}

/// What a rollup refused, as a page that says what to fix.
pub(crate) fn rollup_refused(e: ApiError, what: &str) -> Result<HttpResponse, ApiError> {
    match e {
        ApiError::NotFound(_) => Ok(refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Nie ma {what}."),
        )),
        ApiError::Validation { errors, .. } => {
            let list: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            Ok(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nieprawidłowe okno",
                &format!(
                    "Popraw okno lub moment w adresie ({}); rok albo kwartały od–do w postaci 2025-Q1.",
                    list.join("; ")
                ),
            ))
        }
        e => Err(e),
    }
}

/// A scope's page: who may see it, the rollup and its series, the map's boundaries, an OWES's
/// reports.
async fn scope_view(
    state: web::Data<AppState>,
    req: HttpRequest,
    of: Of,
    query: RollupQuery,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match person(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (code, allowed, what) = match &of {
        Of::Region(c) => (
            c.clone(),
            caller.may(Action::ReadRollup, Resource::Region(c)),
            format!("regionu o kodzie {c}"),
        ),
        Of::Subregion(c) => (
            c.clone(),
            caller
                .may_at(&state, Action::ReadRollup, Resource::Subregion(c))
                .await,
            format!("subregionu o kodzie {c}"),
        ),
        Of::Owes(c) => (
            c.clone(),
            caller
                .may_at(&state, Action::ReadRollup, Resource::Unit(Stream::Owes, c))
                .await,
            format!("OWES o kodzie {c}"),
        ),
    };
    match allowed {
        Ok(()) => {}
        Err(ApiError::Forbidden(_)) => return Ok(forbidden()),
        Err(ApiError::NotFound(_)) => {
            return rollup_refused(ApiError::NotFound(what.clone()), &what)
        }
        Err(e) => return Err(e),
    }
    let q = match canonical(query) {
        Ok(q) => q,
        Err(clean) => return Ok(pages::see_other(&format!("{}?{clean}", req.path()))),
    };
    let is_owes = matches!(of, Of::Owes(_));
    let found = match compute_with_series(&state, of, &q, &req, true, true).await {
        Ok(found) => found,
        Err(e) => return rollup_refused(e, &what),
    };
    let (rollup, names, series, lookup) = (found.rollup(), found.names, found.series, found.lookup);
    let window = (rollup.from.to_string(), rollup.to.to_string());
    // The boundaries as kept; the database only for what is not.
    let (boundaries, reports) = match state.rollups.boundaries.get(&lookup) {
        Some(kept) if !is_owes => (kept, None),
        _ => {
            let cache = state.rollups.clone();
            let lookup = lookup.clone();
            state
                .db(move |conn| {
                    let boundaries = cache.boundaries.get_or_read(&lookup, || {
                        rops_store::boundaries::boundaries_of_region(conn, &lookup.region)
                            .map(|all| all.into_iter().collect())
                    })?;
                    let reports = match is_owes {
                        true => Some(reports::list(
                            conn,
                            Stream::Owes,
                            &ReportFilter {
                                units: Some(vec![code.clone()]),
                                from: Some(window.0),
                                to: Some(window.1),
                                ..ReportFilter::default()
                            },
                        )?),
                        false => None,
                    };
                    Ok((boundaries, reports))
                })
                .await?
        }
    };
    let region_code = lookup.region.as_str();
    let compare_in = caller
        .may(Action::ReadRollup, Resource::Region(region_code))
        .is_ok()
        .then_some(region_code);
    let banner = Banner::of(&user, &session);
    let form = window_form(&q, &rollup.as_of);
    Ok(pages::respond(
        StatusCode::OK,
        scope_page(&ScopePage {
            banner: &banner,
            rollup: &rollup,
            names: &names,
            form: &form,
            series: &series,
            boundaries: &boundaries,
            compare_in,
            reports: reports.as_deref(),
        }),
    ))
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
    scope_view(
        state,
        req,
        Of::Region(code.into_inner()),
        query.into_inner(),
    )
    .await
}

/// A subregion's page: the region page narrowed to it, with a column per OWES.
#[get("/subregions/{code}")]
pub async fn subregion(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<RollupQuery>,
) -> Result<HttpResponse, ApiError> {
    scope_view(
        state,
        req,
        Of::Subregion(code.into_inner()),
        query.into_inner(),
    )
    .await
}

/// An OWES's page: its own figures, its subregion's gminas, and its reports by quarter.
#[get("/owes/{code}")]
pub async fn owes(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<RollupQuery>,
) -> Result<HttpResponse, ApiError> {
    scope_view(state, req, Of::Owes(code.into_inner()), query.into_inner()).await
}

#[derive(Debug, serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// A gmina's page: its LPRES status with the history of every change (and the form to change
/// it), and its annual reports (the gmina's own officials, and the analysts and admins of its
/// region).
#[get("/gminas/{teryt}")]
pub async fn gmina(
    state: web::Data<AppState>,
    req: HttpRequest,
    teryt: web::Path<String>,
    saved: web::Query<Saved>,
) -> Result<HttpResponse, ApiError> {
    let notice = (saved.saved.as_deref() == Some("lpres")).then_some("Zapisano status LPRES.");
    gmina_page_of(
        &state,
        &req,
        teryt.into_inner(),
        None,
        StatusCode::OK,
        notice,
    )
    .await
}

/// The gmina's page with the LPRES form as typed (a refusal or conflict of the form).
pub(crate) async fn gmina_view(
    state: &AppState,
    req: &HttpRequest,
    teryt: String,
    form: Option<crate::pages::gmina::LpresForm>,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    gmina_page_of(state, req, teryt, form, status, None).await
}

async fn gmina_page_of(
    state: &AppState,
    req: &HttpRequest,
    teryt: String,
    typed: Option<crate::pages::gmina::LpresForm>,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match person(state, req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let not_found = || {
        refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Nie ma gminy o kodzie TERYT {teryt}."),
        )
    };
    if rops_domain::territory::Teryt::parse(&teryt).is_err() {
        return Ok(not_found());
    }
    if let Some(answer) = refusal(
        caller
            .may_at(
                state,
                Action::ReadReports,
                Resource::Unit(Stream::Gmina, &teryt),
            )
            .await,
        not_found,
    )? {
        return Ok(answer);
    }
    let may_lpres = caller
        .may_at(
            state,
            Action::WriteLpres,
            Resource::Unit(Stream::Gmina, &teryt),
        )
        .await
        .is_ok();
    let may_report = caller
        .may_at(
            state,
            Action::WriteReports,
            Resource::Unit(Stream::Gmina, &teryt),
        )
        .await
        .is_ok();
    let code = teryt.clone();
    let found = state
        .db(move |conn| {
            let Some(found_gmina) = rops_store::queries::gmina(conn, &code)? else {
                return Ok(None);
            };
            let subregion_name = match &found_gmina.subregion {
                Some(s) => rops_store::queries::region(conn, &found_gmina.region)?
                    .and_then(|r| r.subregions.into_iter().find(|x| &x.code == s))
                    .map(|x| x.name),
                None => None,
            };
            let lpres = rops_store::lpres::get(conn, &code)?;
            let mut reports = reports::list(
                conn,
                Stream::Gmina,
                &ReportFilter {
                    units: Some(vec![code.clone()]),
                    ..ReportFilter::default()
                },
            )?;
            reports.reverse();
            let indicators = reports::catalogue(conn, Stream::Gmina)?;
            let groups = rops_store::queries::catalogue(conn)?.result_groups;
            Ok(Some((
                found_gmina,
                subregion_name,
                lpres,
                reports,
                indicators,
                groups,
            )))
        })
        .await?;
    let Some((found_gmina, subregion_name, lpres, reports, indicators, groups)) = found else {
        return Ok(not_found());
    };
    let now = &lpres.current;
    let form = may_lpres.then(|| {
        typed.unwrap_or_else(|| crate::pages::gmina::LpresForm {
            status: now.status.clone(),
            resolution_number: now.resolution_number.clone().unwrap_or_default(),
            adopted_on: now.adopted_on.clone().unwrap_or_default(),
            plan_from: now.plan_from.map(|y| y.to_string()).unwrap_or_default(),
            plan_to: now.plan_to.map(|y| y.to_string()).unwrap_or_default(),
            document_url: now.document_url.clone().unwrap_or_default(),
            errors: Vec::new(),
            revision: now.revision,
            conflict: false,
        })
    });
    let due_year = chrono::Datelike::year(&state.clock.now()) - 1;
    let banner = Banner::of(&user, &session);
    Ok(pages::respond(
        status,
        crate::pages::gmina::gmina_page(&crate::pages::gmina::GminaPage {
            banner: &banner,
            lpres_form: form.as_ref(),
            may_report,
            due_year,
            notice,
            gmina: &found_gmina,
            subregion_name: subregion_name.as_deref(),
            lpres: &lpres,
            reports: &reports,
            indicators: &indicators,
            result_groups: &groups,
        }),
    ))
}

/// One indicator of the region over the window's quarters, by subregion: a chart and a table.
#[get("/regions/{code}/indicators/{indicator}")]
pub async fn indicator(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<RollupQuery>,
) -> Result<HttpResponse, ApiError> {
    let (session, user, caller) = match person(&state, &req).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (code, indicator) = path.into_inner();
    if caller
        .may(Action::ReadRollup, Resource::Region(&code))
        .is_err()
    {
        return Ok(forbidden());
    }
    let q = match canonical(query.into_inner()) {
        Ok(q) => q,
        Err(clean) => return Ok(pages::see_other(&format!("{}?{clean}", req.path()))),
    };
    let what = format!("regionu o kodzie {code}");
    let found =
        match compute_with_series(&state, Of::Region(code.clone()), &q, &req, true, true).await {
            Ok(found) => found,
            Err(e) => return rollup_refused(e, &what),
        };
    let (whole, names, series) = (found.rollup(), found.names, found.series);

    if !whole
        .indicators
        .iter()
        .any(|i| i.code.as_str() == indicator)
    {
        return Ok(refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Rollup regionu nie ma wskaźnika {indicator}."),
        ));
    }
    let banner = Banner::of(&user, &session);
    let form = window_form(&q, &whole.as_of);
    Ok(pages::respond(
        StatusCode::OK,
        crate::pages::compare::compare_page(&crate::pages::compare::ComparePage {
            banner: &banner,
            region: &code,
            indicator: &indicator,
            names: &names,
            form: &form,
            whole: &whole,
            series: &series,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> RollupQuery {
        serde_urlencoded::from_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish(),
        )
        .unwrap()
    }

    #[test]
    fn a_form_view_is_redirected_to_its_one_address() {
        assert_eq!(
            canonical(q(&[
                ("year", ""),
                ("from", "2025-Q2"),
                ("to", "2025-Q3"),
                ("as_of", "2025-11-01T00:00")
            ]))
            .err(),
            Some("from=2025-Q2&to=2025-Q3&as_of=2025-11-01T00%3A00%3A00Z".into())
        );
        assert!(canonical(q(&[("year", "2024"), ("as_of", "2025-01-01T00:00:00Z")])).is_ok());
        // Something that is no moment at all is left to the rollup, which says what is wrong.
        assert!(canonical(q(&[("as_of", "yesterday")])).is_ok());
    }
}
