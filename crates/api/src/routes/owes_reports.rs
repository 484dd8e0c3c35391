use super::report_resource::ReportStream;
use super::reports::{numbers, ReturnBody, TransitionBody, ValuesOut};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::schemas::{schema_type, values, CsvText, Xlsx};
use crate::state::AppState;
use actix_web::{get, post, put, web};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::indicator::Stream;
use rops_domain::period::Quarter;
use rops_domain::policy::{Action, Resource};
use rops_domain::report::{ReportStatus, Transition};
use rops_domain::territory::RegionCode;
use rops_domain::validation::FieldErrors;
use rops_store::reports::{self, Report, ReportFilter, ReportInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

schema_type!(
    /// What an OWES report's `values` may hold.
    OwesValuesIn,
    values(Stream::Owes, true)
);
schema_type!(
    /// An OWES report's `values`.
    OwesValues,
    values(Stream::Owes, false)
);
/// An OWES quarterly report.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwesReportView {
    #[schema(value_type = OwesCode, example = "OWES-PN")]
    pub owes: String,
    #[schema(value_type = Quarter, example = "2024-Q3")]
    pub period: String,
    pub status: ReportStatus,
    /// Counts every change; also the ETag.
    pub revision: i32,
    /// Indicator code → value; null when a draft leaves it out.
    #[schema(value_type = OwesValues, example = json!({"jobs_created": 4, "ps_jobs_created_with_grants": 2}))]
    pub values: ValuesOut,
    pub note: Option<String>,
    /// UTC, RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The `sub` of the token that made the last change.
    pub updated_by: String,
    /// The last submission.
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub approved_at: Option<String>,
    /// Why an analyst returned or reopened it.
    pub return_reason: Option<String>,
}

impl From<Report> for OwesReportView {
    fn from(r: Report) -> Self {
        Self {
            values: ValuesOut(r.values),
            owes: r.unit,
            period: r.period,
            status: r.status,
            revision: r.revision,
            note: r.note,
            created_at: r.created_at,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
            submitted_at: r.submitted_at,
            approved_at: r.approved_at,
            return_reason: r.return_reason,
        }
    }
}

/// What an OWES writes into its quarterly report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"values": {"initiative_groups_created": 1, "enterprises_created": 1, "jobs_created": 4, "ps_jobs_created_with_grants": 2, "local_partnerships_created": 0, "procurement_procedures_supported": 1, "animators_employed": 2, "joint_projects": 0, "vocational_training_participants": 6, "reintegration_plans": 3}, "note": "Dane z arkusza OWES Subregionu północnego"}))]
pub struct OwesReportPut {
    /// Indicator code → non-negative whole number, or null to leave it out of a draft.
    #[schema(value_type = OwesValuesIn, example = json!({"jobs_created": 4, "ps_jobs_created_with_grants": 2, "animators_employed": 3}))]
    pub values: super::reports::ValuesIn,
    #[schema(pattern = r"^[^\u0000]*$")]
    pub note: Option<String>,
}

/// The OWES quarterly stream, as its report resource serves it.
pub struct OwesStream;

impl ReportStream for OwesStream {
    const STREAM: Stream = Stream::Owes;
    type View = OwesReportView;
    type Put = OwesReportPut;
    type ListQuery = OwesReportFilter;

    fn input(body: OwesReportPut, errors: &mut FieldErrors) -> ReportInput {
        ReportInput {
            values: numbers(body.values, errors),
            results: None,
            note: body.note,
        }
    }

    fn list_filter(q: OwesReportFilter, errors: &mut FieldErrors) -> ReportFilter {
        parse_filter(q.from, q.to, q.status, errors)
    }
}

super::report_resource::report_resource! {
    stream: OwesStream, tag: "OWES reports", view: OwesReportView, put_body: OwesReportPut,
    unit: ("code", OwesCode, "OWES code", "OWES-PN"),
    period: ("period", Quarter, "Quarter YYYY-Qn", "2024-Q3"),
    /// Creates (201) or replaces (200) an OWES's report for a quarter. A draft may leave values
    /// out; an approved or submitted report cannot change (409).
    ///
    /// That OWES, analysts and admins. `values` holds the OWES indicators of `GET /indicators`:
    /// non-negative whole numbers, `ps_jobs_created_with_grants` at most `jobs_created`. The
    /// quarter must have started and the OWES be active in it. `?dry_run=true` validates and
    /// answers without storing.
    put: ("put_owes_report", "/owes/{code}/reports/{period}"), not_found: "No such OWES";
    /// One OWES report.
    ///
    /// That OWES, analysts and admins. The response carries the revision as its ETag.
    get: ("get_owes_report", "/owes/{code}/reports/{period}"), unprocessable: "Malformed period";
    /// An OWES's reports, by window and status.
    ///
    /// That OWES, analysts and admins. `from` and `to` are quarters; `status` one of draft,
    /// submitted, approved, returned.
    list: ("list_owes_reports", "/owes/{code}/reports"), query: OwesReportFilter, params: [OwesReportFilter],
        responses: [(status = 422, body = Problem, content_type = "application/problem+json")];
    /// Every revision of a report, oldest first: values, status, who and when.
    ///
    /// That OWES, analysts and admins. Nothing is ever overwritten: every create, update, import
    /// and transition is a revision with its values, status, who and when.
    revisions: ("list_owes_report_revisions", "/owes/{code}/reports/{period}/revisions");
    /// Imports quarterly values from CSV or XLSX, as spreadsheets save them.
    ///
    /// CSV (`text/csv`): UTF-8 with or without BOM, or Windows-1250 (Polish Excel's "CSV"; read
    /// when the bytes are not UTF-8 or `charset=windows-1250` says so); `,`, `;` or tab between
    /// cells. XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`): the
    /// first sheet, numbers in cells as numbers. Numbers may be written the Polish way:
    /// `1 250,00` (thousands after a space or no-break space, decimal comma).
    ///
    /// Long format: the columns `period`, `indicator`, `value` (or `okres`, `wskaźnik`,
    /// `wartość`); a `nazwa wskaźnika` column is ignored. Wide format: `period` then indicator
    /// codes, one row per quarter. Other columns are ignored and listed in `warnings`; trailing
    /// empty columns and rows are ignored. Values merge over the stored draft (an empty wide
    /// cell leaves it alone). All or nothing: any bad row gives 422 naming each line and column
    /// as `rows[<line>].<column>` (the header is line 1), and nothing is stored.
    ///
    /// That OWES, analysts and admins. The result lists each quarter's report with `created`,
    /// `updated` or `unchanged`; `?dry_run=true` validates and answers the same without storing.
    import: ("import_owes_reports", "/owes/{code}/reports/import"),
        csv_example: "period;indicator;value\n2024-Q1;jobs_created;4\n2024-Q1;animators_employed;2\n";
    /// A file to fill in and import back unchanged: one row per OWES indicator.
    ///
    /// The long format of the import: `period`, `indicator`, `value` and `nazwa wskaźnika` (the
    /// indicator's Polish name, ignored on import), one row per OWES indicator of
    /// `GET /indicators`, the value left empty and the period filled in when `?period=` gives
    /// one (a quarter). That OWES, analysts and admins.
    template: ("owes_report_template", "/owes/{code}/reports/template", query: crate::routes::report_files::QuarterTemplateQuery);
    transitions: [
        (submit, "submit_owes_report", "/owes/{code}/reports/{period}/submit", Transition::Submit,
            "Submits a draft or returned report (that OWES, analyst, admin). Every indicator needs a value.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (approve, "approve_owes_report", "/owes/{code}/reports/{period}/approve", Transition::Approve,
            "Approves a submitted report (analyst, admin); it is then locked.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (return_report, "return_owes_report", "/owes/{code}/reports/{period}/return", Transition::Return,
            "Returns a submitted report for correction, with a reason (analyst, admin).",
            body: (ReturnBody), "`reason` is required"),
        (reopen, "reopen_owes_report", "/owes/{code}/reports/{period}/reopen", Transition::Reopen,
            "Reopens an approved report (approved → returned) so it can change (analyst, admin).",
            body: (Option<TransitionBody>), "Optional: send none, or an object with a `reason`"),
    ]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwesReportFilter {
    /// First quarter, inclusive.
    #[param(value_type = Option<Quarter>, example = "2024-Q1")]
    pub from: Option<String>,
    /// Last quarter, inclusive.
    #[param(value_type = Option<Quarter>, example = "2024-Q4")]
    pub to: Option<String>,
    /// Only reports with this status.
    #[param(value_type = Option<ReportStatus>)]
    pub status: Option<String>,
}

fn parse_filter(
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    errors: &mut FieldErrors,
) -> ReportFilter {
    let from = from
        .and_then(|q| errors.take("from", Quarter::parse(&q)))
        .map(|q| q.to_string());
    let to = to
        .and_then(|q| errors.take("to", Quarter::parse(&q)))
        .map(|q| q.to_string());
    let status = status.and_then(|s| errors.take("status", ReportStatus::parse(&s)));
    ReportFilter {
        from,
        to,
        status,
        ..ReportFilter::default()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// Only OWES of this region.
    #[param(value_type = Option<RegionCode>, example = "16")]
    pub region: Option<String>,
    /// Only OWES of this subregion.
    #[param(value_type = Option<SubregionCode>, example = "OPL-PN")]
    pub subregion: Option<String>,
    /// Only reports for this quarter.
    #[param(value_type = Option<Quarter>, example = "2024-Q3")]
    pub period: Option<String>,
    /// Only reports with this status.
    #[param(value_type = Option<ReportStatus>, example = "submitted")]
    pub status: Option<String>,
}

/// The analysts' work queue: OWES reports across OWES, by region, subregion, period, status.
///
/// Analysts and admins. Filters combine; a subregion or region with no OWES gives an empty
/// list.
#[utoipa::path(
    operation_id = "list_reports",
    tag = "OWES reports",
    params(QueueFilter),
    responses(
        (status = 200, body = Vec<OwesReportView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports")]
pub async fn queue(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<QueueFilter>,
) -> Result<web::Json<Vec<OwesReportView>>, ApiError> {
    caller.may(Action::ReadQueue, Resource::ReportQueue)?;
    let mut q = query.into_inner();
    // A region-bound analyst's queue is their region's.
    if let Some(own) = caller.region() {
        match &q.region {
            Some(r) => caller.in_region(Action::ReadQueue, r)?,
            None => q.region = Some(own.to_owned()),
        }
    }
    let mut errors = FieldErrors::default();
    super::check_filter(
        &mut errors,
        "region",
        q.region.as_deref(),
        rops_domain::territory::RegionCode::parse,
    );
    super::check_filter(
        &mut errors,
        "subregion",
        q.subregion.as_deref(),
        rops_domain::code::SubregionCode::parse,
    );
    let mut filter = parse_filter(None, None, q.status, &mut errors);
    filter.period = q
        .period
        .and_then(|p| errors.take("period", Quarter::parse(&p)))
        .map(|p| p.to_string());
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    let found = state
        .db(move |conn| {
            let owes = rops_store::queries::owes_list(conn, q.region.as_deref())?;
            filter.units = Some(
                owes.into_iter()
                    .filter(|o| q.subregion.as_ref().is_none_or(|s| &o.subregion == s))
                    .map(|o| o.code)
                    .collect(),
            );
            reports::list(conn, Stream::Owes, &filter)
        })
        .await?;
    Ok(web::Json(
        found.into_iter().map(OwesReportView::from).collect(),
    ))
}
