use super::reports::{
    actor, if_match, numbers, report_key, with_etag, DryRun, ReturnBody, RevisionView,
    TransitionBody, ValuesOut,
};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::schemas::{GminaValues, GminaValuesIn, IfMatchHeader, ResultItemCode};
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use rops_domain::indicator::{ResultCode, Stream};
use rops_domain::period::Year;
use rops_domain::report::{ReportStatus, Transition};
use rops_domain::role::Role;
use rops_domain::territory::Teryt;
use rops_domain::validation::FieldErrors;
use rops_store::reports::{self, Report, ReportFilter, ReportInput, ReportKey};
use rops_store::writes::Put;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A gmina's annual report: LPRES monitoring indicators and the results achieved.
#[derive(Debug, Serialize, ToSchema)]
pub struct GminaReportView {
    #[schema(value_type = Teryt, example = "1604023")]
    pub gmina: String,
    /// The year, four digits.
    #[schema(example = "2024", pattern = "^[0-9]{4}$")]
    pub year: String,
    #[schema(value_type = ReportStatus)]
    pub status: String,
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
            status: r.status.as_str().to_owned(),
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

/// Gmina officials reach only their own gmina; OWES tokens no gmina report.
pub fn check_gmina_access(caller: &Caller, teryt: &str) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Analyst => Ok(()),
        Role::Gmina if caller.org.as_deref() == Some(teryt) => Ok(()),
        Role::Gmina => Err(ApiError::Forbidden(format!(
            "this token is for gmina {}; it cannot reach gmina {teryt}",
            caller.org.as_deref().unwrap_or("?")
        ))),
        Role::Owes => Err(ApiError::Forbidden(
            "OWES tokens cannot reach gmina data".into(),
        )),
    }
}

fn key(teryt: &str, year: &str) -> Result<ReportKey, ApiError> {
    report_key(Stream::Gmina, teryt, year)
}

/// Creates (201) or replaces (200) a gmina's annual report.
///
/// That gmina, analysts and admins. `values` are the gmina indicators of `GET /indicators`
/// (money with at most two decimals, a numerator never above its denominator, shares computed),
/// `results` the checklist codes achieved. A draft may leave values out; a submitted or
/// approved report cannot change (409); a stale `If-Match` gets 412; `?dry_run=true` validates
/// without storing.
#[utoipa::path(
    operation_id = "put_gmina_report",
    tag = "gminas",
    params(
        ("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023"),
        ("year" = Year, Path, description = "Year YYYY", example = 2024),
        IfMatchHeader,
        DryRun,
    ),
    request_body = GminaReportPut,
    responses(
        (status = 201, description = "Created", body = GminaReportView, headers(("ETag" = String))),
        (status = 200, description = "Updated", body = GminaReportView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such gmina", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report is submitted or approved", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/gminas/{teryt}/reports/{year}")]
pub async fn put_report(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    dry: web::Query<DryRun>,
    req: HttpRequest,
    body: web::Json<GminaReportPut>,
) -> Result<HttpResponse, ApiError> {
    let (teryt, year) = path.into_inner();
    check_gmina_access(&caller, &teryt)?;
    let key = key(&teryt, &year)?;
    let if_match = if_match(&req)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let values = numbers(body.values, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    let input = ReportInput {
        values,
        results: Some(body.results),
        note: body.note,
    };
    let clock = state.clock;
    let (report, put) = state
        .write_as(rops_store::WriteMode::dry_run(dry.dry_run), move |conn| {
            reports::put(conn, &key, &input, if_match, &actor(&caller, clock))
        })
        .await?;
    let status = if put == Put::Created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(
        status,
        report.revision,
        GminaReportView::from(report),
    ))
}

/// One gmina annual report.
///
/// That gmina, analysts and admins. The response carries the revision as its ETag.
#[utoipa::path(
    operation_id = "get_gmina_report",
    tag = "gminas",
    params(
        ("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023"),
        ("year" = Year, Path, description = "Year YYYY", example = 2024),
    ),
    responses(
        (status = 200, body = GminaReportView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/gminas/{teryt}/reports/{year}")]
pub async fn get_report(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (teryt, year) = path.into_inner();
    check_gmina_access(&caller, &teryt)?;
    let key = key(&teryt, &year)?;
    let found = state.db(move |conn| reports::get(conn, &key)).await?;
    let report = found
        .ok_or_else(|| ApiError::NotFound(format!("gmina {teryt} has no report for {year}")))?;
    Ok(with_etag(
        HttpResponse::Ok(),
        report.revision,
        GminaReportView::from(report),
    ))
}

/// A gmina's annual reports, oldest first.
///
/// That gmina, analysts and admins.
#[utoipa::path(
    operation_id = "list_gmina_reports",
    tag = "gminas",
    params(("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023")),
    responses(
        (status = 200, body = Vec<GminaReportView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/gminas/{teryt}/reports")]
pub async fn list_reports(
    state: web::Data<AppState>,
    caller: Caller,
    teryt: web::Path<String>,
) -> Result<web::Json<Vec<GminaReportView>>, ApiError> {
    let teryt = teryt.into_inner();
    check_gmina_access(&caller, &teryt)?;
    let found = state
        .db(move |conn| {
            if rops_store::queries::gmina(conn, &teryt)?.is_none() {
                return Err(rops_store::StoreError::NotFound(format!(
                    "no gmina with TERYT {teryt}"
                )));
            }
            let filter = ReportFilter {
                units: Some(vec![teryt]),
                ..ReportFilter::default()
            };
            reports::list(conn, Stream::Gmina, &filter)
        })
        .await?;
    Ok(web::Json(
        found.into_iter().map(GminaReportView::from).collect(),
    ))
}

super::reports::report_transition!(
    tag: "gminas", view: GminaReportView, access: check_gmina_access, key: key,
    unit: ("teryt", Teryt, "Gmina TERYT", "1604023"), period: ("year", Year, "Year YYYY", 2024),
    submit, "submit_gmina_report", "/gminas/{teryt}/reports/{year}/submit", Transition::Submit,
    "Submits a draft or returned annual report (that gmina, analyst, admin). Every indicator needs a value.",
    body: (Option<TransitionBody>), "Optional: send none, or an object"
);
super::reports::report_transition!(
    tag: "gminas", view: GminaReportView, access: check_gmina_access, key: key,
    unit: ("teryt", Teryt, "Gmina TERYT", "1604023"), period: ("year", Year, "Year YYYY", 2024),
    approve, "approve_gmina_report", "/gminas/{teryt}/reports/{year}/approve", Transition::Approve,
    "Approves a submitted annual report (analyst, admin); it is then locked.",
    body: (Option<TransitionBody>), "Optional: send none, or an object"
);
super::reports::report_transition!(
    tag: "gminas", view: GminaReportView, access: check_gmina_access, key: key,
    unit: ("teryt", Teryt, "Gmina TERYT", "1604023"), period: ("year", Year, "Year YYYY", 2024),
    return_report, "return_gmina_report", "/gminas/{teryt}/reports/{year}/return", Transition::Return,
    "Returns a submitted annual report for correction, with a reason (analyst, admin).",
    body: (ReturnBody), "`reason` is required"
);
super::reports::report_transition!(
    tag: "gminas", view: GminaReportView, access: check_gmina_access, key: key,
    unit: ("teryt", Teryt, "Gmina TERYT", "1604023"), period: ("year", Year, "Year YYYY", 2024),
    reopen, "reopen_gmina_report", "/gminas/{teryt}/reports/{year}/reopen", Transition::Reopen,
    "Reopens an approved annual report (approved → returned) so it can change (analyst, admin).",
    body: (Option<TransitionBody>), "Optional: send none, or an object with a `reason`"
);

/// Every revision of an annual report, oldest first.
///
/// That gmina, analysts and admins. Nothing is ever overwritten: every create, update and
/// transition is a revision with its values, results, status, who and when.
#[utoipa::path(
    operation_id = "list_gmina_report_revisions",
    tag = "gminas",
    params(
        ("teryt" = Teryt, Path, description = "Gmina TERYT", example = "1604023"),
        ("year" = Year, Path, description = "Year YYYY", example = 2024),
    ),
    responses(
        (status = 200, body = Vec<RevisionView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/gminas/{teryt}/reports/{year}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Vec<RevisionView>>, ApiError> {
    let (teryt, year) = path.into_inner();
    check_gmina_access(&caller, &teryt)?;
    let key = key(&teryt, &year)?;
    let found = state.db(move |conn| reports::revisions(conn, &key)).await?;
    if found.is_empty() {
        return Err(ApiError::NotFound(format!(
            "gmina {teryt} has no report for {year}"
        )));
    }
    Ok(web::Json(
        found.into_iter().map(RevisionView::from).collect(),
    ))
}
