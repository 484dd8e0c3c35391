//! One report resource for every stream: a stream describes itself once ([`ReportStream`]:
//! its store stream and period kind, how its unit is named and reached, its bodies and list
//! query), and [`report_resource!`] generates its endpoints — put, get, list, revisions and
//! the lifecycle transitions — with their OpenAPI descriptions, from one template, together
//! with the `configure` that registers them.

use super::reports::{actor, if_match, report_key, with_etag};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use rops_domain::indicator::Stream;
use rops_domain::policy::{Action, Resource};
use rops_domain::validation::FieldErrors;
use rops_store::reports::{self, Report, ReportFilter, ReportInput};
use rops_store::writes::Put;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the API needs to know of a report stream.
pub trait ReportStream: 'static {
    /// The stream in the store and the catalogue; it also fixes the period kind (quarter,
    /// year) the path's period is parsed as.
    const STREAM: Stream;
    /// A report as the API shows it.
    type View: From<Report> + Serialize;
    /// What a unit writes into a report.
    type Put: DeserializeOwned + 'static;
    /// The query of a unit's list of reports.
    type ListQuery: DeserializeOwned + 'static;

    /// The stored input of a put body; a bad field is recorded in `errors`.
    fn input(body: Self::Put, errors: &mut FieldErrors) -> ReportInput;
    /// The filter of a unit's list of reports; a bad field is recorded in `errors`.
    fn list_filter(query: Self::ListQuery, errors: &mut FieldErrors) -> ReportFilter;
}

/// A stream's one-report routes take any last segment but their literal siblings `import`
/// and `template`, so those paths answer their own methods only (405 with `Allow`
/// otherwise).
pub fn is_period_path(ctx: &actix_web::guard::GuardContext) -> bool {
    let path = ctx.head().uri.path();
    !(path.ends_with("/reports/import") || path.ends_with("/reports/template"))
}

/// Creates (201) or replaces (200) a unit's report for a period.
pub async fn put<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    (unit, period): (String, String),
    dry_run: bool,
    req: HttpRequest,
    body: S::Put,
) -> Result<HttpResponse, ApiError> {
    caller
        .may_at(
            &state,
            Action::WriteReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let key = report_key(S::STREAM, &unit, &period)?;
    let if_match = if_match(&req)?;
    let mut errors = FieldErrors::default();
    let input = S::input(body, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    let clock = state.clock;
    let (report, put) = state
        .write_as(rops_store::WriteMode::dry_run(dry_run), move |conn| {
            reports::put(conn, &key, &input, if_match, &actor(&caller, clock))
        })
        .await?;
    let status = if put == Put::Created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(status, report.revision, S::View::from(report)))
}

/// One report, with its revision as the ETag.
pub async fn get<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    (unit, period): (String, String),
) -> Result<HttpResponse, ApiError> {
    caller
        .may_at(
            &state,
            Action::ReadReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let key = report_key(S::STREAM, &unit, &period)?;
    let found = state.db(move |conn| reports::get(conn, &key)).await?;
    let report = found.ok_or_else(|| no_report::<S>(&unit, &period))?;
    Ok(with_etag(
        HttpResponse::Ok(),
        report.revision,
        S::View::from(report),
    ))
}

/// A unit's reports, by its list query.
pub async fn list<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    unit: String,
    query: S::ListQuery,
) -> Result<web::Json<Vec<S::View>>, ApiError> {
    caller
        .may_at(
            &state,
            Action::ReadReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let mut errors = FieldErrors::default();
    let mut filter = S::list_filter(query, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    filter.units = Some(vec![unit.clone()]);
    let found = state
        .db(move |conn| {
            reports::require_unit(conn, S::STREAM, &unit)?;
            reports::list(conn, S::STREAM, &filter)
        })
        .await?;
    Ok(web::Json(found.into_iter().map(S::View::from).collect()))
}

/// Every revision of a report, oldest first.
pub async fn revisions<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    (unit, period): (String, String),
) -> Result<web::Json<Vec<super::reports::RevisionView>>, ApiError> {
    caller
        .may_at(
            &state,
            Action::ReadReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let key = report_key(S::STREAM, &unit, &period)?;
    let found = state.db(move |conn| reports::revisions(conn, &key)).await?;
    if found.is_empty() {
        return Err(no_report::<S>(&unit, &period));
    }
    Ok(web::Json(
        found
            .into_iter()
            .map(super::reports::RevisionView::from)
            .collect(),
    ))
}

fn no_report<S: ReportStream>(unit: &str, period: &str) -> ApiError {
    ApiError::NotFound(format!(
        "{} {unit} has no report for {period}",
        S::STREAM.unit_noun()
    ))
}

/// Generates a stream's report endpoints from its [`ReportStream`] description, the OpenAPI
/// wording each endpoint has, and a `configure` registering them in order (import and
/// template, a unit's list, one report, its put, its revisions, then the transitions).
macro_rules! report_resource {
    (
        stream: $s:ty, tag: $tag:literal, view: $view:ty, put_body: $put_body:ty,
        unit: ($unit:literal, $unit_ty:ident, $unit_doc:literal, $unit_ex:literal),
        period: ($period:literal, $period_ty:ident, $period_doc:literal, $period_ex:literal),
        $(#[$put_meta:meta])*
        put: ($put_op:literal, $put_path:literal), not_found: $not_found:literal;
        $(#[$get_meta:meta])*
        get: ($get_op:literal, $get_path:literal), unprocessable: $get_422:literal;
        $(#[$list_meta:meta])*
        list: ($list_op:literal, $list_path:literal), query: $query:ty, params: [$($list_param:path),*], responses: [$($list_response:tt),*];
        $(#[$rev_meta:meta])*
        revisions: ($rev_op:literal, $rev_path:literal);
        $(#[$import_meta:meta])*
        import: ($import_op:literal, $import_path:literal), csv_example: $csv_example:literal;
        $(#[$template_meta:meta])*
        template: ($template_op:literal, $template_path:literal, query: $template_query:ty);
        transitions: [$((
            $t_fn:ident, $t_op:literal, $t_path:literal, $t:expr, $t_doc:literal,
            body: ($($t_body:tt)+), $t_body_doc:literal
        )),* $(,)?]
    ) => {
        $(#[$put_meta])*
        #[utoipa::path(
            operation_id = $put_op,
            tag = $tag,
            params(
                ($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex),
                ($period = $period_ty, Path, description = $period_doc, example = $period_ex),
                $crate::schemas::IfMatchHeader,
                $crate::routes::reports::DryRun,
            ),
            request_body = $put_body,
            responses(
                (status = 201, description = "Created", body = $view, headers(("ETag" = String))),
                (status = 200, description = "Updated", body = $view, headers(("ETag" = String))),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = $not_found, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The report is submitted or approved", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[put($put_path, guard = "crate::routes::report_resource::is_period_path")]
        pub async fn put_report(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            path: actix_web::web::Path<(String, String)>,
            dry: actix_web::web::Query<$crate::routes::reports::DryRun>,
            req: actix_web::HttpRequest,
            body: actix_web::web::Json<$put_body>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::report_resource::put::<$s>(state, caller, path.into_inner(), dry.dry_run, req, body.into_inner()).await
        }

        $(#[$get_meta])*
        #[utoipa::path(
            operation_id = $get_op,
            tag = $tag,
            params(
                ($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex),
                ($period = $period_ty, Path, description = $period_doc, example = $period_ex),
            ),
            responses(
                (status = 200, body = $view, headers(("ETag" = String))),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 422, description = $get_422, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($get_path, guard = "crate::routes::report_resource::is_period_path")]
        pub async fn get_report(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            path: actix_web::web::Path<(String, String)>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::report_resource::get::<$s>(state, caller, path.into_inner()).await
        }

        $(#[$list_meta])*
        #[utoipa::path(
            operation_id = $list_op,
            tag = $tag,
            params(($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex) $(, $list_param)*),
            responses(
                (status = 200, body = Vec<$view>),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                $($list_response,)*
            )
        )]
        #[get($list_path)]
        pub async fn list_reports(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            unit: actix_web::web::Path<String>,
            query: actix_web::web::Query<$query>,
        ) -> Result<actix_web::web::Json<Vec<$view>>, $crate::error::ApiError> {
            $crate::routes::report_resource::list::<$s>(state, caller, unit.into_inner(), query.into_inner()).await
        }

        $(#[$rev_meta])*
        #[utoipa::path(
            operation_id = $rev_op,
            tag = $tag,
            params(
                ($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex),
                ($period = $period_ty, Path, description = $period_doc, example = $period_ex),
            ),
            responses(
                (status = 200, body = Vec<$crate::routes::reports::RevisionView>),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($rev_path)]
        pub async fn revisions(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            path: actix_web::web::Path<(String, String)>,
        ) -> Result<actix_web::web::Json<Vec<$crate::routes::reports::RevisionView>>, $crate::error::ApiError> {
            $crate::routes::report_resource::revisions::<$s>(state, caller, path.into_inner()).await
        }

        $(#[$import_meta])*
        #[utoipa::path(
            operation_id = $import_op,
            tag = $tag,
            params(($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex), $crate::routes::reports::DryRun),
            request_body(description = "The file as it is: CSV text, or the bytes of an XLSX workbook", content(
                (CsvText = "text/csv", example = $csv_example),
                (Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
            responses(
                (status = 200, body = $crate::routes::report_files::ImportResult),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Neither CSV nor XLSX, or a charset that is not read", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($import_path)]
        pub async fn import_reports(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            unit: actix_web::web::Path<String>,
            dry: actix_web::web::Query<$crate::routes::reports::DryRun>,
            req: actix_web::HttpRequest,
            body: actix_web::web::Bytes,
        ) -> Result<actix_web::web::Json<$crate::routes::report_files::ImportResult>, $crate::error::ApiError> {
            $crate::routes::report_files::import::<$s>(state, caller, unit.into_inner(), dry.dry_run, req, body).await
        }

        $(#[$template_meta])*
        #[utoipa::path(
            operation_id = $template_op,
            tag = $tag,
            params(($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex), $template_query),
            responses(
                (status = 200, description = "The template as CSV text (`format=csv`) or XLSX bytes (`format=xlsx`)", content(
                    (CsvText = "text/csv"),
                    (Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                )),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = $not_found, body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Bad format or period", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($template_path)]
        pub async fn report_template(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $crate::auth::Caller,
            unit: actix_web::web::Path<String>,
            query: actix_web::web::Query<$template_query>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::report_files::template::<$s>(state, caller, unit.into_inner(), query.into_inner()).await
        }

        $(
            $crate::routes::reports::report_transition!(
                tag: $tag, view: $view, stream: $s,
                unit: ($unit, $unit_ty, $unit_doc, $unit_ex), period: ($period, $period_ty, $period_doc, $period_ex),
                $t_fn, $t_op, $t_path, $t, $t_doc,
                body: ($($t_body)+), $t_body_doc
            );
        )*

        /// Registers this stream's report endpoints; the fixed paths (import, template)
        /// before the period paths they would otherwise be taken for.
        pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
            cfg.service(import_reports)
                .service(report_template)
                .service(list_reports)
                .service(get_report)
                .service(put_report)
                .service(revisions)
                $(.service($t_fn))*;
        }
    };
}
pub(crate) use report_resource;
