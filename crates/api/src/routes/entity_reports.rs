//! The yearly reports of reintegration entities (CIS, KIS, ZAZ, WTZ; DOMAIN.md "Reintegration
//! entities"): the third report stream, described once and served by the one report resource.

use super::gmina_reports::NoQuery;
use super::report_resource::ReportStream;
use super::reports::{numbers, ReturnBody, TransitionBody, ValuesOut};
use crate::error::Problem;
use crate::schemas::{schema_type, values, CsvText, Xlsx};
use actix_web::{get, post, put};
use rops_domain::entity::EntityCode;
use rops_domain::period::Year;
use rops_domain::report::{ReportStatus, Transition};
use rops_domain::stream::Stream;
use rops_domain::validation::FieldErrors;
use rops_store::reports::{Report, ReportFilter, ReportInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

schema_type!(
    /// What an entity's yearly report's `values` may hold.
    EntityValuesIn,
    values(Stream::Entity, true)
);
schema_type!(
    /// An entity's yearly report's `values`.
    EntityValues,
    values(Stream::Entity, false)
);

/// A reintegration entity's yearly report.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityReportView {
    #[schema(value_type = EntityCode, example = "CIS-KLUCZBORK")]
    pub entity: String,
    /// The year, four digits.
    #[schema(example = "2024", pattern = "^[0-9]{4}$")]
    pub year: String,
    pub status: ReportStatus,
    /// Counts every change; also the ETag.
    pub revision: i32,
    /// Indicator code → value (whole numbers); `employment_rate` is computed by the rollup.
    #[schema(value_type = EntityValues, example = json!({"participants_at_year_start": 18, "participants_joined": 24, "participants_completed": 20, "participants_employed_after": 9, "reintegration_programmes_active": 22}))]
    pub values: ValuesOut,
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

impl From<Report> for EntityReportView {
    fn from(r: Report) -> Self {
        Self {
            values: ValuesOut(r.values),
            entity: r.unit,
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

/// What an entity writes into its yearly report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"values": {"participants_at_year_start": 18, "participants_joined": 24, "participants_completed": 20, "participants_employed_after": 9, "reintegration_programmes_active": 22}, "note": "Sprawozdanie CIS Kluczbork 2024"}))]
pub struct EntityReportPut {
    /// Indicator code → whole number, or null; those employed after never above those who
    /// completed.
    #[schema(value_type = EntityValuesIn, example = json!({"participants_completed": 20, "participants_employed_after": 9}))]
    pub values: super::reports::ValuesIn,
    #[schema(pattern = r"^[^\u0000]*$")]
    pub note: Option<String>,
}

/// The entities' yearly stream, as its report resource serves it.
pub struct EntityStream;

impl ReportStream for EntityStream {
    const STREAM: Stream = Stream::Entity;
    type View = EntityReportView;
    type Put = EntityReportPut;
    type ListQuery = NoQuery;

    fn input(body: EntityReportPut, errors: &mut FieldErrors) -> ReportInput {
        ReportInput {
            values: numbers(body.values, errors),
            results: None,
            note: body.note,
        }
    }

    fn list_filter(_: NoQuery, _: &mut FieldErrors) -> ReportFilter {
        ReportFilter::default()
    }
}

super::report_resource::report_resource! {
    stream: EntityStream, tag: "entities", view: EntityReportView, put_body: EntityReportPut,
    unit: ("code", EntityCode, "Entity code", "CIS-KLUCZBORK"),
    period: ("year", Year, "Year YYYY", 2024),
    /// Creates (201) or replaces (200) an entity's yearly report.
    ///
    /// That entity, analysts and admins. `values` are the entity indicators of
    /// `GET /indicators` (whole numbers; those employed after completing never above those who
    /// completed; `employment_rate` is computed). A year before the entity's `active_from` or
    /// after its `active_to` is refused (422). A draft may leave values out; a submitted or
    /// approved report cannot change (409); a stale `If-Match` gets 412; `?dry_run=true`
    /// validates without storing.
    put: ("put_entity_report", "/entities/{code}/reports/{year}"), not_found: "No such entity";
    /// One yearly report of an entity.
    ///
    /// That entity, analysts and admins. The response carries the revision as its ETag.
    get: ("get_entity_report", "/entities/{code}/reports/{year}"), unprocessable: "See the problem's detail";
    /// An entity's yearly reports, oldest first.
    ///
    /// That entity, analysts and admins.
    list: ("list_entity_reports", "/entities/{code}/reports"), query: NoQuery, params: [], responses: [];
    /// Every revision of an entity's yearly report, oldest first.
    ///
    /// That entity, analysts and admins. Nothing is ever overwritten: every create, update,
    /// import and transition is a revision with its values, status, who and when.
    revisions: ("list_entity_report_revisions", "/entities/{code}/reports/{year}/revisions");
    /// Imports yearly values of an entity from CSV or XLSX, as spreadsheets save them.
    ///
    /// The same files as the other streams' imports (long `period`, `indicator`, `value` or
    /// wide `period` then indicator codes; Polish numbers; Windows-1250 or UTF-8; XLSX's first
    /// sheet), with years as periods. All or nothing: any bad row gives 422 naming each line
    /// and column as `rows[<line>].<column>`. That entity, analysts and admins;
    /// `?dry_run=true` validates without storing.
    import: ("import_entity_reports", "/entities/{code}/reports/import"),
        csv_example: "period;indicator;value\n2024;participants_completed;20\n2024;participants_employed_after;9\n";
    /// A file to fill in and import back unchanged: one row per entity indicator.
    ///
    /// `period`, `indicator`, `value` and `nazwa wskaźnika`, one row per entity indicator of
    /// `GET /indicators`, the period filled in when `?period=` gives one (a year). That entity,
    /// analysts and admins.
    template: ("entity_report_template", "/entities/{code}/reports/template", query: crate::routes::report_files::YearTemplateQuery);
    transitions: [
        (submit, "submit_entity_report", "/entities/{code}/reports/{year}/submit", Transition::Submit,
            "Submits a draft or returned yearly report (that entity, analyst, admin). Every indicator needs a value.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (approve, "approve_entity_report", "/entities/{code}/reports/{year}/approve", Transition::Approve,
            "Approves a submitted yearly report (analyst, admin); it is then locked.",
            body: (Option<TransitionBody>), "Optional: send none, or an object"),
        (return_report, "return_entity_report", "/entities/{code}/reports/{year}/return", Transition::Return,
            "Returns a submitted yearly report for correction, with a reason (analyst, admin).",
            body: (ReturnBody), "`reason` is required"),
        (reopen, "reopen_entity_report", "/entities/{code}/reports/{year}/reopen", Transition::Reopen,
            "Reopens an approved yearly report (approved → returned) so it can change (analyst, admin).",
            body: (Option<TransitionBody>), "Optional: send none, or an object with a `reason`"),
    ]
}
