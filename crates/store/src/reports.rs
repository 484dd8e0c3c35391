//! Reports, one mechanism for every stream: OWES quarterly reports and gmina annual reports
//! share the lifecycle, the revisions, the preconditions and the all-or-nothing writes.
//!
//! Every change bumps `revision` (the ETag) and appends a row to `report_revisions`; nothing
//! is updated in place without its revision, and nothing is deleted.
//!
//! The writes ([`put`], [`transition`], [`import`]) run inside the caller's
//! [`write_transaction`](crate::write_transaction) and refuse to run outside one. When one
//! fails, the writes it already made are undone with the caller's transaction (or the
//! savepoint the caller opened around it).

use crate::conn::require_transaction;
use crate::rows::{IndicatorRow, ReportRow, RevisionRow};
use crate::schema::{self, report_revisions as rv, reports as r};
use crate::writes::Put;
use crate::{Clock, DbConnection, IfMatch, ImportProblem, StoreError, StoreResult, Subject};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use rops_domain::indicator::{IndicatorCode, IndicatorDef, IndicatorKind, Stream, Unit};
use rops_domain::number::Decimal;
use rops_domain::period::Quarter;
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction, Transition};
use rops_domain::territory::RegionCode;
use rops_domain::validation::FieldError;
use rops_domain::values::{check_values, Input, Values};
use serde::Serialize;

/// Which report: stream, reporting unit (OWES code or TERYT) and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKey {
    pub stream: Stream,
    pub unit: String,
    pub period: ReportPeriod,
}

impl std::fmt::Display for ReportKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let noun = self.stream.unit_noun();
        write!(f, "the report of {noun} {} for {}", self.unit, self.period)
    }
}

impl ReportKey {
    fn subject(&self) -> Subject {
        Subject::Report(self.clone())
    }
}

/// What a caller writes into a report.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// Indicator code → value; `None` leaves it out (drafts only).
    pub values: Input,
    /// Gmina reports: the results checklist codes achieved.
    pub results: Option<Vec<String>>,
    pub note: Option<String>,
}

/// Who does what, and the clock that says when.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// Recorded as `updated_by` / `recorded_by`.
    pub name: &'a str,
    pub clock: Clock,
}

impl<'a> Actor<'a> {
    pub fn new(name: &'a str, clock: Clock) -> Self {
        Self { name, clock }
    }

    /// Today (UTC) by the actor's clock: which periods have begun.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Now by the actor's clock, as stored.
    pub fn stamp(&self) -> String {
        self.clock.stamp()
    }
}

/// A report as stored now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub stream: Stream,
    pub unit: String,
    pub period: String,
    pub status: ReportStatus,
    pub revision: i32,
    pub values: Values,
    pub results: Option<Vec<String>>,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub approved_at: Option<String>,
    pub return_reason: Option<String>,
}

/// One revision of a report: what it was after one change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub revision: i32,
    /// The plausibility warnings the person confirmed with this submission.
    pub warnings: Vec<rops_domain::plausibility::Warning>,
    pub action: RevisionAction,
    pub status: ReportStatus,
    pub values: Values,
    pub results: Option<Vec<String>>,
    pub note: Option<String>,
    pub return_reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// The reported and computed indicators of a stream, in catalogue order.
pub fn catalogue(conn: &mut DbConnection, stream: Stream) -> StoreResult<Vec<IndicatorDef>> {
    let rows: Vec<IndicatorRow> = schema::indicators::table
        .filter(schema::indicators::stream.eq(stream.as_str()))
        .order(schema::indicators::position)
        .select(IndicatorRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let at = format!("the indicator catalogue, indicator {}", row.code);
            let corrupt = |what: String| StoreError::corrupt(at.clone(), what);
            let code = |c: Option<String>| c.map(|c| IndicatorCode::parse(&c)).transpose();
            Ok(IndicatorDef {
                code: IndicatorCode::parse(&row.code).map_err(|e| corrupt(e.to_string()))?,
                stream,
                name_pl: row.name_pl,
                kind: IndicatorKind::parse(&row.kind).map_err(|e| corrupt(e.to_string()))?,
                unit: Unit::parse(&row.unit).map_err(|e| corrupt(e.to_string()))?,
                numerator: code(row.numerator).map_err(|e| corrupt(e.to_string()))?,
                denominator: code(row.denominator).map_err(|e| corrupt(e.to_string()))?,
                at_most: code(row.at_most).map_err(|e| corrupt(e.to_string()))?,
                verification_pl: row.verification_pl,
            })
        })
        .collect()
}

/// When a unit reports: its active span, first and last quarter (open ends: `None`).
type Span = (Option<Quarter>, Option<Quarter>);

/// A unit's active span, `None` when there is no such unit. The one place that knows where
/// each stream keeps its units.
fn unit_span(conn: &mut DbConnection, stream: Stream, unit: &str) -> StoreResult<Option<Span>> {
    let quarter = |q: Option<&str>| q.and_then(|q| Quarter::parse(q).ok());
    Ok(match stream {
        Stream::Owes => schema::owes::table
            .find(unit)
            .select((schema::owes::active_from, schema::owes::active_to))
            .first::<(String, Option<String>)>(conn)
            .optional()?
            .map(|(from, to)| (quarter(Some(&from)), quarter(to.as_deref()))),
        Stream::Gmina => schema::gminas::table
            .find(unit)
            .select(schema::gminas::teryt)
            .first::<String>(conn)
            .optional()?
            .map(|_| (None, None)),
        Stream::Entity => schema::entities::table
            .find(unit)
            .select((schema::entities::active_from, schema::entities::active_to))
            .first::<(String, Option<String>)>(conn)
            .optional()?
            .map(|(from, to)| (quarter(Some(&from)), quarter(to.as_deref()))),
    })
}

/// The region a unit lies in, `None` when there is no such unit. With [`unit_span`] and the
/// rollups' read of a region's reports (`rollups::reports_read`), the places that know where
/// each stream keeps its units.
pub fn region_of_unit(
    conn: &mut DbConnection,
    stream: Stream,
    unit: &str,
) -> StoreResult<Option<RegionCode>> {
    let code: Option<String> = match stream {
        Stream::Owes => schema::owes::table
            .inner_join(schema::subregions::table)
            .filter(schema::owes::code.eq(unit))
            .select(schema::subregions::region_code)
            .first(conn)
            .optional()?,
        Stream::Gmina => schema::gminas::table
            .inner_join(schema::powiats::table)
            .filter(schema::gminas::teryt.eq(unit))
            .select(schema::powiats::region_code)
            .first(conn)
            .optional()?,
        Stream::Entity => schema::entities::table
            .find(unit)
            .select(schema::entities::region_code)
            .first(conn)
            .optional()?,
    };
    code.map(|c| {
        RegionCode::parse(&c)
            .map_err(|e| StoreError::corrupt(format!("{} {unit}", stream.unit_noun()), e))
    })
    .transpose()
}

/// The unit's span; a `NotFound` naming it when there is no such unit.
pub fn require_unit(conn: &mut DbConnection, stream: Stream, unit: &str) -> StoreResult<Span> {
    unit_span(conn, stream, unit)?
        .ok_or_else(|| StoreError::NotFound(format!("no {} with code {unit}", stream.unit_noun())))
}

/// The reporting unit exists, was active in the period and the period has started.
fn check_unit(conn: &mut DbConnection, key: &ReportKey, today: NaiveDate) -> StoreResult<()> {
    let noun = key.stream.unit_noun();
    let (from, to) = require_unit(conn, key.stream, &key.unit)?;
    let (first, last) = key.period.quarters();
    if from.is_some_and(|f| last < f) || to.is_some_and(|t| first > t) {
        let span = match (from, to) {
            (Some(f), Some(t)) => format!("from {f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("until {t}"),
            (None, None) => "in no quarter".to_owned(),
        };
        return Err(invalid(
            "period",
            format!(
                "{noun} {} is active {span}; {} is outside",
                key.unit, key.period
            ),
        ));
    }
    if !key.period.has_started(today) {
        return Err(invalid(
            "period",
            format!(
                "{} has not started yet; reports are for periods that have begun",
                key.period
            ),
        ));
    }
    Ok(())
}

fn invalid(field: &str, message: String) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, message)])
}

fn key_filter(key: &ReportKey) -> (String, String, String) {
    (
        key.stream.as_str().to_owned(),
        key.unit.clone(),
        key.period.to_string(),
    )
}

fn load_row(conn: &mut DbConnection, key: &ReportKey) -> StoreResult<Option<ReportRow>> {
    let (stream, unit, period) = key_filter(key);
    Ok(r::table
        .find((stream, unit, period))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?)
}

fn load_row_for_write(conn: &mut DbConnection, key: &ReportKey) -> StoreResult<Option<ReportRow>> {
    let (stream, unit, period) = key_filter(key);
    Ok(crate::conn::row_for_write!(
        conn,
        r::table.find((stream, unit, period)),
        ReportRow
    )?)
}

/// 412 unless the caller's `If-Match` revision is the current one.
fn precondition(key: &ReportKey, current: Option<i32>, if_match: IfMatch) -> StoreResult<()> {
    // A report that does not exist is at no revision: any listed one fails.
    match if_match.rejects(current.unwrap_or(i32::MIN)) {
        None => Ok(()),
        Some(_) => Err(StoreError::StaleRevision {
            subject: key.subject(),
            current,
            asked: if_match,
        }),
    }
}

fn to_report(row: ReportRow) -> StoreResult<Report> {
    let at = format!("reports {}/{}/{}", row.stream, row.unit_code, row.period);
    Ok(Report {
        stream: Stream::parse(&row.stream).map_err(|e| StoreError::corrupt(&at, e))?,
        status: ReportStatus::parse(&row.status).map_err(|e| StoreError::corrupt(&at, e))?,
        values: parse_json(&row.values_json, &at)?,
        results: row
            .results_json
            .as_deref()
            .map(|r| parse_json(r, &at))
            .transpose()?,
        unit: row.unit_code,
        period: row.period,
        revision: row.revision,
        note: row.note,
        created_at: row.created_at,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
        first_submitted_at: row.first_submitted_at,
        submitted_at: row.submitted_at,
        approved_at: row.approved_at,
        return_reason: row.return_reason,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, at: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(at, e))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// How [`save`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Saved {
    Done,
    /// Another request created the report first (PostgreSQL: the insert waited for it);
    /// nothing was written, and the transaction goes on.
    CreatedMeanwhile,
}

/// Writes `row` as the new current state (insert or compare-and-set on the revision) and
/// appends its revision.
fn save(
    conn: &mut DbConnection,
    row: &ReportRow,
    previous: Option<i32>,
    action: &str,
    key: &ReportKey,
) -> StoreResult<Saved> {
    match previous {
        None => {
            // In a savepoint, so that losing the race leaves the transaction usable.
            let inserted =
                conn.transaction(|conn| diesel::insert_into(r::table).values(row).execute(conn));
            match inserted {
                Ok(_) => {}
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    return Ok(Saved::CreatedMeanwhile)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Some(rev) => {
            let changed = diesel::update(
                r::table
                    .filter(r::stream.eq(&row.stream))
                    .filter(r::unit_code.eq(&row.unit_code))
                    .filter(r::period.eq(&row.period))
                    .filter(r::revision.eq(rev)),
            )
            .set(row)
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::ChangedMeanwhile(key.subject()));
            }
        }
    }
    let revision = RevisionRow {
        stream: row.stream.clone(),
        unit_code: row.unit_code.clone(),
        period: row.period.clone(),
        revision: row.revision,
        action: action.to_owned(),
        status: row.status.clone(),
        values_json: row.values_json.clone(),
        results_json: row.results_json.clone(),
        note: row.note.clone(),
        return_reason: row.return_reason.clone(),
        recorded_at: row.updated_at.clone(),
        recorded_by: row.updated_by.clone(),
        warnings_json: None,
    };
    diesel::insert_into(rv::table)
        .values(&revision)
        .execute(conn)?;
    Ok(Saved::Done)
}

/// How one write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Validates and writes values into the report (creating it as a draft), inside the caller's
/// transaction. With `merge`, indicators absent from `input` keep their stored values.
fn write_values(
    conn: &mut DbConnection,
    key: &ReportKey,
    input: &ReportInput,
    merge: bool,
    if_match: IfMatch,
    actor: &Actor<'_>,
    action: &str,
) -> StoreResult<(Report, Outcome)> {
    check_unit(conn, key, actor.today())?;
    // Without If-Match the caller asked for its values to win: when another request
    // creates the report first, write over that one instead (once is enough: it exists).
    let mut attempts = 0;
    loop {
        attempts += 1;
        match write_values_once(conn, key, input, merge, if_match, actor, action)? {
            Some(done) => return Ok(done),
            None if attempts < 2 => continue,
            None => {
                return Err(StoreError::Conflict(format!(
                    "{key} was created by another request at the same moment; read it and retry"
                )))
            }
        }
    }
}

/// One try of [`write_values`]; `None` when another request created the report meanwhile.
fn write_values_once(
    conn: &mut DbConnection,
    key: &ReportKey,
    input: &ReportInput,
    merge: bool,
    if_match: IfMatch,
    actor: &Actor<'_>,
    action: &str,
) -> StoreResult<Option<(Report, Outcome)>> {
    let current = load_row_for_write(conn, key)?;
    precondition(key, current.as_ref().map(|c| c.revision), if_match)?;
    let current = current.map(to_report).transpose()?;
    if let Some(cur) = &current {
        if !cur.status.is_editable() {
            return Err(StoreError::Locked {
                subject: key.subject(),
                status: cur.status,
            });
        }
    }
    let mut wanted = input.values.clone();
    if merge {
        if let Some(cur) = &current {
            for (code, v) in &cur.values {
                wanted.entry(code.clone()).or_insert(v.map(Decimal::from));
            }
        }
    }
    let catalogue = catalogue(conn, key.stream)?;
    let values =
        check_values(&catalogue, &wanted, false).map_err(|e| StoreError::Invalid(e.into_vec()))?;
    let results = match (key.stream.has_results(), &input.results) {
        (true, Some(results)) => Some(crate::reports::check_results(conn, results)?),
        (true, None) if merge => current.as_ref().and_then(|c| c.results.clone()),
        (true, None) => Some(Vec::new()),
        (false, Some(_)) => {
            return Err(invalid(
                "results",
                format!(
                    "{} reports have no results checklist",
                    key.stream.unit_noun()
                ),
            ))
        }
        (false, None) => None,
    };
    let note = match (&input.note, &current) {
        (None, Some(cur)) if merge => cur.note.clone(),
        (note, _) => note.clone().filter(|n| !n.trim().is_empty()),
    };
    if let Some(cur) = &current {
        if cur.values == values && cur.results == results && cur.note == note {
            return Ok(Some((cur.clone(), Outcome::Unchanged)));
        }
    }
    let stamp = actor.stamp();
    let (stream, unit, period) = key_filter(key);
    let row = match &current {
        None => ReportRow {
            stream,
            unit_code: unit,
            period,
            status: ReportStatus::Draft.as_str().to_owned(),
            revision: 1,
            values_json: to_json(&values),
            results_json: results.as_ref().map(to_json),
            note,
            created_at: stamp.clone(),
            updated_at: stamp,
            updated_by: actor.name.to_owned(),
            first_submitted_at: None,
            submitted_at: None,
            approved_at: None,
            return_reason: None,
        },
        Some(cur) => ReportRow {
            stream,
            unit_code: unit,
            period,
            status: cur.status.as_str().to_owned(),
            revision: cur.revision + 1,
            values_json: to_json(&values),
            results_json: results.as_ref().map(to_json),
            note,
            created_at: cur.created_at.clone(),
            updated_at: stamp,
            updated_by: actor.name.to_owned(),
            first_submitted_at: cur.first_submitted_at.clone(),
            submitted_at: cur.submitted_at.clone(),
            approved_at: cur.approved_at.clone(),
            return_reason: cur.return_reason.clone(),
        },
    };
    let action = if current.is_none() && action == "update" {
        "create"
    } else {
        action
    };
    let saved = save(
        conn,
        &row,
        current.as_ref().map(|c| c.revision),
        action,
        key,
    )?;
    if saved == Saved::CreatedMeanwhile {
        return Ok(None);
    }
    let outcome = if current.is_none() {
        Outcome::Created
    } else {
        Outcome::Updated
    };
    Ok(Some((to_report(row)?, outcome)))
}

/// Results checklist codes: each known, none twice; returned in catalogue order.
pub(crate) fn check_results(
    conn: &mut DbConnection,
    results: &[String],
) -> StoreResult<Vec<String>> {
    let known: Vec<String> = schema::result_items::table
        .inner_join(schema::result_groups::table)
        .order((
            schema::result_groups::position,
            schema::result_items::position,
        ))
        .select(schema::result_items::code)
        .load(conn)?;
    let mut errors = Vec::new();
    for (i, code) in results.iter().enumerate() {
        if !known.contains(code) {
            errors.push(FieldError::new(
                format!("results[{i}]"),
                format!(
                    "unknown result `{code}`; the checklist codes are {}",
                    known.join(", ")
                ),
            ));
        } else if results[..i].contains(code) {
            errors.push(FieldError::new(
                format!("results[{i}]"),
                format!("result {code} is listed twice"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok(known.into_iter().filter(|k| results.contains(k)).collect())
}

/// PUT: replaces the report's values (a draft may leave some out).
pub fn put(
    conn: &mut DbConnection,
    key: &ReportKey,
    input: &ReportInput,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<(Report, Put)> {
    require_transaction(conn)?;
    let (report, outcome) = write_values(conn, key, input, false, if_match, actor, "update")?;
    Ok((
        report,
        if outcome == Outcome::Created {
            Put::Created
        } else {
            Put::Updated
        },
    ))
}

/// Applies a lifecycle transition. `reason` is required to return.
pub fn transition(
    conn: &mut DbConnection,
    key: &ReportKey,
    transition: Transition,
    reason: Option<&str>,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<Report> {
    require_transaction(conn)?;
    let row = load_row_for_write(conn, key)?
        .ok_or_else(|| StoreError::NotFound(format!("there is no {key}")))?;
    precondition(key, Some(row.revision), if_match)?;
    let current = to_report(row.clone())?;
    let status = current
        .status
        .apply(transition)
        .map_err(|e| StoreError::NotApplicable {
            subject: key.subject(),
            status: e.status,
            transition: e.transition,
        })?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if transition == Transition::Return && reason.is_none() {
        return Err(invalid(
            "reason",
            "say why the report is returned, so it can be corrected".into(),
        ));
    }
    if transition == Transition::Submit {
        let catalogue = catalogue(conn, key.stream)?;
        let values = current
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.map(Decimal::from)))
            .collect();
        check_values(&catalogue, &values, true).map_err(|e| StoreError::Invalid(e.into_vec()))?;
    }
    let stamp = actor.stamp();
    let mut next = ReportRow {
        status: status.as_str().to_owned(),
        revision: row.revision + 1,
        updated_at: stamp.clone(),
        updated_by: actor.name.to_owned(),
        ..row.clone()
    };
    match transition {
        Transition::Submit => {
            next.submitted_at = Some(stamp.clone());
            next.first_submitted_at = row.first_submitted_at.clone().or(Some(stamp));
        }
        Transition::Approve => {
            next.approved_at = Some(stamp);
            next.return_reason = None;
        }
        Transition::Return | Transition::Reopen => {
            next.approved_at = None;
            next.return_reason = reason.map(str::to_owned).or(row.return_reason.clone());
        }
    }
    save(conn, &next, Some(row.revision), transition.as_str(), key)?;
    to_report(next)
}

pub fn get(conn: &mut DbConnection, key: &ReportKey) -> StoreResult<Option<Report>> {
    load_row(conn, key)?.map(to_report).transpose()
}

/// Every revision, oldest first.
pub fn revisions(conn: &mut DbConnection, key: &ReportKey) -> StoreResult<Vec<Revision>> {
    let (stream, unit, period) = key_filter(key);
    let rows: Vec<RevisionRow> = rv::table
        .filter(rv::stream.eq(stream))
        .filter(rv::unit_code.eq(unit))
        .filter(rv::period.eq(period))
        .order(rv::revision)
        .select(RevisionRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let at = format!(
                "report_revisions {}/{}/{} revision {}",
                row.stream, row.unit_code, row.period, row.revision
            );
            Ok(Revision {
                status: ReportStatus::parse(&row.status)
                    .map_err(|e| StoreError::corrupt(&at, e))?,
                values: parse_json(&row.values_json, &at)?,
                results: row
                    .results_json
                    .as_deref()
                    .map(|r| parse_json(r, &at))
                    .transpose()?,
                warnings: row
                    .warnings_json
                    .as_deref()
                    .map(|w| parse_json(w, &at))
                    .transpose()?
                    .unwrap_or_default(),
                revision: row.revision,
                action: RevisionAction::parse(&row.action)
                    .map_err(|e| StoreError::corrupt(&at, e))?,
                note: row.note,
                return_reason: row.return_reason,
                recorded_at: row.recorded_at,
                recorded_by: row.recorded_by,
            })
        })
        .collect()
}

/// Records the plausibility warnings confirmed with the submission that made `revision` of
/// the report (in the transaction that made it).
pub fn record_warnings(
    conn: &mut DbConnection,
    key: &ReportKey,
    revision: i32,
    warnings: &[rops_domain::plausibility::Warning],
) -> StoreResult<()> {
    require_transaction(conn)?;
    let (stream, unit, period) = key_filter(key);
    let text = serde_json::to_string(warnings)
        .map_err(|e| StoreError::Conflict(format!("warnings could not be written: {e}")))?;
    diesel::update(
        rv::table
            .filter(rv::stream.eq(stream))
            .filter(rv::unit_code.eq(unit))
            .filter(rv::period.eq(period))
            .filter(rv::revision.eq(revision)),
    )
    .set(rv::warnings_json.eq(Some(text)))
    .execute(conn)?;
    Ok(())
}

/// The unit's counted reports (submitted or approved) for periods before `key`'s, newest
/// first, at most `limit`: the history plausibility compares with.
pub fn history(conn: &mut DbConnection, key: &ReportKey, limit: usize) -> StoreResult<Vec<Values>> {
    let period = key.period.to_string();
    let rows: Vec<ReportRow> = r::table
        .filter(r::stream.eq(key.stream.as_str()))
        .filter(r::unit_code.eq(&key.unit))
        .filter(r::period.lt(&period))
        .filter(r::status.eq_any([
            ReportStatus::Submitted.as_str(),
            ReportStatus::Approved.as_str(),
        ]))
        .order(r::period.desc())
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .select(ReportRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| to_report(row).map(|r| r.values))
        .collect()
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Only these units; `None` for all.
    pub units: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub period: Option<String>,
    pub status: Option<ReportStatus>,
}

/// Reports of a stream, ordered by unit and period.
pub fn list(
    conn: &mut DbConnection,
    stream: Stream,
    filter: &ReportFilter,
) -> StoreResult<Vec<Report>> {
    let mut query = r::table.filter(r::stream.eq(stream.as_str())).into_boxed();
    if let Some(units) = &filter.units {
        query = query.filter(r::unit_code.eq_any(units.clone()));
    }
    if let Some(from) = &filter.from {
        query = query.filter(r::period.ge(from.clone()));
    }
    if let Some(to) = &filter.to {
        query = query.filter(r::period.le(to.clone()));
    }
    if let Some(period) = &filter.period {
        query = query.filter(r::period.eq(period.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(r::status.eq(status.as_str()));
    }
    let rows: Vec<ReportRow> = query
        .order((r::unit_code, r::period))
        .select(ReportRow::as_select())
        .load(conn)?;
    rows.into_iter().map(to_report).collect()
}

/// One period of an import: the values to merge over the stored ones.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub period: ReportPeriod,
    pub values: Input,
}

/// What an import did to one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedReport {
    pub period: String,
    pub outcome: Outcome,
    pub status: ReportStatus,
    pub revision: i32,
}

/// Writes every batch into its report (values merged over the stored ones), all or nothing:
/// with one problem anywhere the import is refused ([`StoreError::ImportRefused`], every
/// problem by period and indicator), and the caller's transaction undoes what was written.
pub fn import(
    conn: &mut DbConnection,
    stream: Stream,
    unit: &str,
    batches: &[ImportBatch],
    actor: &Actor<'_>,
) -> StoreResult<Vec<ImportedReport>> {
    require_transaction(conn)?;
    let mut done = Vec::new();
    let mut problems = Vec::new();
    for batch in batches {
        let key = ReportKey {
            stream,
            unit: unit.to_owned(),
            period: batch.period,
        };
        let input = ReportInput {
            values: batch.values.clone(),
            results: None,
            note: None,
        };
        let problem = |indicator: Option<String>, message: String| ImportProblem {
            period: batch.period,
            indicator,
            message,
        };
        match write_values(conn, &key, &input, true, IfMatch::ANY, actor, "import") {
            Ok((report, outcome)) => done.push(ImportedReport {
                period: report.period,
                outcome,
                status: report.status,
                revision: report.revision,
            }),
            Err(StoreError::Invalid(found)) => problems.extend(found.into_iter().map(|e| {
                let code = e.field.strip_prefix("values.").map(str::to_owned);
                problem(code, e.message)
            })),
            Err(e @ (StoreError::Locked { .. } | StoreError::Conflict(_))) => {
                problems.push(problem(None, e.to_string()))
            }
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(done)
    } else {
        Err(StoreError::ImportRefused(problems))
    }
}
