use super::report_resource::ReportStream;
use super::reports::{numbers, ReturnBody, TransitionBody, ValuesOut};
use crate::error::Problem;
use crate::schemas::{schema_type, values, CsvText, ResultItemCode, Xlsx};
use actix_web::{get, post, put};
use rops_domain::indicator::{ResultCode, Stream};
use rops_domain::period::Year;
use rops_domain::report::{ReportStatus, Transition};
use rops_domain::territory::Teryt;
use rops_domain::validation::FieldErrors;
use rops_store::reports::{Report, ReportFilter, ReportInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

schema_type!(
    /// What a gmina report's `values` may hold.
    GminaValuesIn,
    values(Stream::Gmina, true)
);
schema_type!(
    /// A gmina report's `values`.
    GminaValues,
    values(Stream::Gmina, false)
);
/// A gmina's annual report: LPRES monitoring indicators and the results achieved.
#[derive(Debug, Serialize, ToSchema)]
pub struct GminaReportView {
    #[schema(value_type = Teryt, example = "1604023")]
    pub gmina: String,
    /// The year, four digits.
    #[schema(example = "2024", pattern = "^[0-9]{4}$")]
    pub year: String,
    pub status: ReportStatus,
    /// Counts every change; also the ETag.
    pub revision: i32,
    /// Indicator code → value: counts as whole numbers, money (`*_pln`) with two decimals.
    #[schema(value_type = GminaValues, example = json!({"social_clause_contracts": 3, "sr_procurement_value_pln": 125000.50, "procurement_value_pln": 2300000.00}))]
    pub values: ValuesOut,
    /// Results checklist codes achieved (see `GET /indicators`, `result_groups`).
    #[schema(value_type = Vec<ResultCode>, example = json!(["A1", "C3"]))]
    pub results: Vec<String>,
    pub note: Option<String>,
    /// UTC, RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub updated_by: String,
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub approved_at: Option<String>,
    pub return_reason: Option<String>,
}

impl From<Report> for GminaReportView {
    fn from(r: Report) -> Self {
        Self {
            values: ValuesOut(r.values),
            results: r.results.unwrap_or_default(),
            gmina: r.unit,
            year: r.period,
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

/// What a gmina writes into its annual report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"values": {"social_clause_contracts": 3, "sr_procurement_value_pln": 125000.5, "procurement_value_pln": 2300000, "pes_service_commissions_value_pln": 40000.25, "service_commissions_value_pln": 90000, "officials_trained": 12, "social_cooperatives": 2, "social_enterprises": 1, "commissions_to_pes": 4, "excluded_persons_employed": 6, "persons_prepared_for_pes_work": 9, "persons_referred_by_ops": 5}, "results": ["A1", "A2", "C3"], "note": "Sprawozdanie z realizacji LPRES Kluczbork 2024"}))]
pub struct GminaReportPut {
    /// Indicator code → value (counts whole, money with at most two decimals), or null.
    #[schema(value_type = GminaValuesIn, example = json!({"social_clause_contracts": 3, "sr_procurement_value_pln": 125000.5, "procurement_value_pln": 2300000}))]
    pub values: super::reports::ValuesIn,
    /// Results checklist codes achieved this year.
    #[serde(default)]
    #[schema(value_type = Vec<ResultItemCode>, example = json!(["A1", "C3"]))]
    pub results: Vec<String>,
    #[schema(pattern = r"^[^\u0000]*$")]
    pub note: Option<String>,
}

/// A gmina's list of reports takes no query.
#[derive(Debug, Deserialize)]
pub struct NoQuery {}

/// The gmina annual stream, as its report resource serves it.
pub struct GminaStream;

impl ReportStream for GminaStream {
    const STREAM: Stream = Stream::Gmina;
    type View = GminaReportView;
    type Put = GminaReportPut;
    type ListQuery = NoQuery;

    fn input(body: GminaReportPut, errors: &mut FieldErrors) -> ReportInput {
        ReportInput {
            values: numbers(body.values, errors),
            results: Some(body.results),
            note: body.note,
        }
    }

    fn list_filter(_: NoQuery, _: &mut FieldErrors) -> ReportFilter {
        ReportFilter::default()
    }
}

super::report_resource::report_resource! {
    stream: GminaStream, tag: "gminas", view: GminaReportView, put_body: GminaReportPut,
    unit: ("teryt", Teryt, "Gmina TERYT", "1604023"),
    period: ("year", Year, "Year YYYY", 2024),
    /// Creates (201) or replaces (200) a gmina's annual report.
    ///
    /// That gmina, analysts and admins. `values` are the gmina indicators of `GET /indicators`
    /// (money with at most two decimals, a numerator never above its denominator, shares computed),
    /// `results` the checklist codes achieved. A draft may leave values out; a submitted or
    /// approved report cannot change (409); a stale `If-Match` gets 412; `?dry_run=true` validates
    /// without storing.
    put: ("put_gmina_report", "/gminas/{teryt}/reports/{year}"), not_found: "No such gmina";
    /// One gmina annual report.
    ///
    /// That gmina, analysts and admins. The response carries the revision as its ETag.
    get: ("get_gmina_report", "/gminas/{teryt}/reports/{year}"), unprocessable: "See the problem's detail";
    /// A gmina's annual reports, oldest first.
    ///
    /// That gmina, analysts and admins.
    list: ("list_gmina_reports", "/gminas/{teryt}/reports"), query: NoQuery, params: [], responses: [];
    /// Every revision of an annual report, oldest first.
    ///
    /// That gmina, analysts and admins. Nothing is ever overwritten: every create, update and
    /// transition is a revision with its values, results, status, who and when.
    revisions: ("list_gmina_report_revisions", "/gminas/{teryt}/reports/{year}/revisions");
    /// Imports annual values from CSV or XLSX, as spreadsheets save them.
    ///
    /// CSV (`text/csv`): UTF-8 with or without BOM, or Windows-1250 (Polish Excel's "CSV"; read
    /// when the bytes are not UTF-8 or `charset=windows-1250` says so); `,`, `;` or tab between
    /// cells. XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`): the
    /// first sheet, numbers in cells as numbers. Numbers may be written the Polish way:
    /// `1 250,00` (thousands after a space or no-break space, decimal comma).
    ///
    /// Long format: the columns `period`, `indicator`, `value` (or `okres`, `wskaźnik`,
    /// `wartość`); a `nazwa wskaźnika` column is ignored. Wide format: `period` then indicator
    /// codes, one row per year. Other columns are ignored and listed in `warnings`; trailing
    /// empty columns and rows are ignored. Values merge over the stored draft (an empty wide
    /// cell leaves it alone). All or nothing: any bad row gives 422 naming each line and column
    /// as `rows[<line>].<column>` (the header is line 1), and nothing is stored.
    ///
    /// That gmina, analysts and admins. The result lists each year's report with `created`,
    /// `updated` or `unchanged`; `?dry_run=true` validates and answers the same without storing.
    ///
    /// The results checklist is not part of the file: set it with the report's PUT.
    import: ("import_gmina_reports", "/gminas/{teryt}/reports/import"),
        csv_example: "period;indicator;value\n2024;social_clause_contracts;3\n2024;procurement_value_pln;2300000,00\n";
    /// A file to fill in and import back unchanged: one row per gmina indicator.
    ///
    /// The long format of the import: `period`, `indicator`, `value` and `nazwa wskaźnika`, one
    /// row per gmina indicator of `GET /indicators`, the value left empty and the period filled
    /// in when `?period=` gives one (a year). That gmina, analysts and admins.
    template: ("gmina_report_template", "/gminas/{teryt}/reports/template", query: crate::routes::report_files::YearTemplateQuery);
    transitions: [
        (submit, "submit_gmina_report", "/gminas/{teryt}/reports/{year}/submit", Transition::Submit,
            "Submits a draft or returned annual report (that gmina, analyst, admin). Every indicator needs a value.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (approve, "approve_gmina_report", "/gminas/{teryt}/reports/{year}/approve", Transition::Approve,
            "Approves a submitted annual report (analyst, admin); it is then locked.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (return_report, "return_gmina_report", "/gminas/{teryt}/reports/{year}/return", Transition::Return,
            "Returns a submitted annual report for correction, with a reason (analyst, admin).",
            body: (ReturnBody), "`reason` is required"),
        (reopen, "reopen_gmina_report", "/gminas/{teryt}/reports/{year}/reopen", Transition::Reopen,
            "Reopens an approved annual report (approved → returned) so it can change (analyst, admin).",
            body: (Option<TransitionBody>), "Optional: send none, or an object with a `reason`"),
    ]
}
