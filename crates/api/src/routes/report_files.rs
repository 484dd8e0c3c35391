//! A stream's reports as files: the import of CSV or XLSX as spreadsheets save them, and the
//! template to fill in and import back. Generic over [`ReportStream`], registered for every
//! stream by [`report_resource!`](super::report_resource::report_resource).

use super::report_resource::ReportStream;
use super::reports::actor;
use crate::auth::Caller;
use crate::csv_import::{self, Source};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use rops_domain::policy::{Action, Resource};
use rops_domain::report::{ReportPeriod, ReportStatus};
use rops_domain::validation::FieldErrors;
use rops_store::reports::{self, ImportedReport, Outcome};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// True when nothing was stored (`?dry_run=true`).
    pub dry_run: bool,
    pub reports: Vec<ImportedReportView>,
    /// What was left out of the file and why: columns that are not indicator codes (wide
    /// format) or not `period`, `indicator`, `value` (long format), cells under no header.
    /// Empty when everything was read.
    pub warnings: Vec<ImportWarning>,
}

/// Something an import left out, named like an error (`rows[<line>].<column>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportWarning {
    #[schema(example = "rows[1].uwagi")]
    pub field: String,
    #[schema(
        example = "line 1: column E (`uwagi`) is not one of period, indicator, value; its cells were ignored"
    )]
    pub message: String,
}

/// One report an import wrote (or, in a dry run, would write).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedReportView {
    #[schema(value_type = ReportPeriod)]
    pub period: String,
    pub outcome: Outcome,
    pub status: ReportStatus,
    pub revision: i32,
}

impl From<ImportedReport> for ImportedReportView {
    fn from(r: ImportedReport) -> Self {
        Self {
            period: r.period,
            outcome: r.outcome,
            status: r.status,
            revision: r.revision,
        }
    }
}

/// Imports a unit's values from CSV or XLSX (see the import endpoints' description).
pub async fn import<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    unit: String,
    dry_run: bool,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<web::Json<ImportResult>, ApiError> {
    caller
        .may_at(
            &state,
            Action::WriteReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let media = crate::http::MediaType::of(&req);
    let source = match media.essence() {
        Some("text/csv") => Source::Csv {
            encoding: csv_import::encoding(media.charset())
                .map_err(ApiError::UnsupportedMediaType)?,
        },
        Some(csv_import::XLSX) => Source::Xlsx,
        _ => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send the file as text/csv or as XLSX ({}), not `{}`",
                csv_import::XLSX,
                media.as_sent()
            )))
        }
    };
    import_file(&state, &caller, S::STREAM, unit, body, source, dry_run)
        .await
        .map(web::Json)
}

/// Reads a unit's file and imports it (or, `dry_run`, answers what it would do): the one
/// import the API's endpoints and the upload page share.
pub(crate) async fn import_file(
    state: &AppState,
    caller: &Caller,
    stream: rops_domain::indicator::Stream,
    unit: String,
    body: web::Bytes,
    source: Source,
    dry_run: bool,
) -> Result<ImportResult, ApiError> {
    let catalogue = state
        .db(move |conn| reports::catalogue(conn, stream))
        .await?;
    // Parsing is linear in the body's size (at most 64 KiB) and runs on the blocking pool,
    // so an upload never holds up the workers that answer other requests.
    let parsed = web::block(move || csv_import::parse(&body, source, stream, &catalogue))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::validation(e.into_vec()))?;
    let file = parsed.batches;
    let clock = state.clock;
    let caller = caller.clone();
    let done = state
        .write_as(rops_store::WriteMode::dry_run(dry_run), move |conn| {
            let batches: Vec<_> = file.iter().map(csv_import::FileBatch::to_store).collect();
            reports::import(conn, stream, &unit, &batches, &actor(&caller, clock)).map_err(|e| {
                match e {
                    // The store says which period and indicator; the file, which line and column.
                    rops_store::StoreError::ImportRefused(problems) => {
                        rops_store::StoreError::Invalid(csv_import::locate(&file, problems))
                    }
                    other => other,
                }
            })
        })
        .await?;
    Ok(ImportResult {
        dry_run,
        reports: done.into_iter().map(ImportedReportView::from).collect(),
        warnings: parsed
            .warnings
            .into_iter()
            .map(|w| ImportWarning {
                field: w.field,
                message: w.message,
            })
            .collect(),
    })
}

/// The query of a template: its format, and a period to write into every row. The period's
/// schema is the stream's period kind: [`QuarterTemplateQuery`] or [`YearTemplateQuery`].
pub trait TemplateQuery: DeserializeOwned + IntoParams + 'static {
    fn format(&self) -> Option<&str>;
    fn period(&self) -> Option<&str>;
}

macro_rules! template_query {
    ($name:ident, $period_ty:ty, $what:literal, $example:literal) => {
        #[derive(Debug, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// `csv` (the default: UTF-8 with BOM, `;`, for Excel in Polish settings) or `xlsx`.
            #[param(value_type = Option<crate::schemas::TemplateFormat>, example = "xlsx")]
            pub format: Option<String>,
            #[doc = concat!("A ", $what, " to write into every row; left out, the period column is left empty.")]
            #[param(value_type = Option<$period_ty>, example = $example)]
            pub period: Option<String>,
        }

        impl TemplateQuery for $name {
            fn format(&self) -> Option<&str> {
                self.format.as_deref()
            }
            fn period(&self) -> Option<&str> {
                self.period.as_deref()
            }
        }
    };
}

template_query!(
    QuarterTemplateQuery,
    rops_domain::period::Quarter,
    "quarter",
    "2025-Q1"
);
template_query!(YearTemplateQuery, rops_domain::period::Year, "year", 2025);

/// A file to fill in and import back unchanged: one row per indicator of the stream.
pub async fn template<S: ReportStream>(
    state: web::Data<AppState>,
    caller: Caller,
    unit: String,
    query: impl TemplateQuery,
) -> Result<HttpResponse, ApiError> {
    caller
        .may_at(
            &state,
            Action::ReadReports,
            Resource::Unit(S::STREAM, &unit),
        )
        .await?;
    let mut errors = FieldErrors::default();
    let xlsx = match query.format() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(other) => {
            errors.push(
                "format",
                format!(
                    "`{}` is not a template format; use csv or xlsx",
                    super::reports::shorten(other)
                ),
            );
            false
        }
    };
    let period = query
        .period()
        .and_then(|p| errors.take("period", ReportPeriod::parse(S::STREAM, p)))
        .map(|p| p.to_string());
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    let of = unit.clone();
    let catalogue = state
        .db(move |conn| {
            reports::require_unit(conn, S::STREAM, &of)?;
            reports::catalogue(conn, S::STREAM)
        })
        .await?;
    let name = match &period {
        Some(p) => format!("{unit}-{p}"),
        None => unit,
    };
    let body = web::block(move || {
        if xlsx {
            csv_import::template_xlsx(&catalogue, S::STREAM, period.as_deref())
                .map_err(|e| e.to_string())
        } else {
            csv_import::template_csv(&catalogue, S::STREAM, period.as_deref())
                .map_err(|e| e.to_string())
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let (content_type, extension) = if xlsx {
        (csv_import::XLSX, "xlsx")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"szablon-{name}.{extension}\""),
        ))
        .body(body))
}
