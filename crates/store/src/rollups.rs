//! Loads what a rollup of one region is computed from: reference data and the full revision
//! histories. The rollup itself is pure (`rops-aggregation`); reading everything at request
//! time keeps every figure live, with no stored aggregate to go stale.

use crate::rows::{EventRevisionRow, LpresRevisionRow, ProgrammeRow, TargetRow};
use crate::schema::{
    self, event_revisions as er, events as ev, lpres_revisions as lr, report_revisions as rv,
};
use crate::{queries, reports, DbConnection, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rops_aggregation::inputs::{
    EventRevision, GminaUnit, Inputs, LpresRevision, OwesUnit, ReportRevision, Target,
};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::indicator::{IndicatorCode, ResultCode, Stream};
use rops_domain::lpres::LpresStatus;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction};
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::values::Values;
use std::fmt::Display;

/// The region a rollup scope belongs to: the region itself, a subregion's or an OWES's.
pub fn region_of_subregion(conn: &mut DbConnection, code: &str) -> StoreResult<String> {
    schema::subregions::table
        .find(code)
        .select(schema::subregions::region_code)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no subregion with code {code}")))
}

pub fn region_of_owes(conn: &mut DbConnection, code: &str) -> StoreResult<String> {
    queries::owes(conn, code)?
        .map(|o| o.region)
        .ok_or_else(|| StoreError::NotFound(format!("no OWES with code {code}")))
}

/// How long after a moment nothing recorded at it can change any more: the longest a write
/// transaction may take. A write stamps its revisions when it begins; the migration
/// `rollup_versions` counts a revision stamped longer ago than this when it was written
/// (a back-dated one) as a change of the past.
pub const SETTLED_AFTER_SECONDS: i64 = 600;

/// What a region's rollups were computed from, as the writes themselves count it (the
/// migration `rollup_versions`, kept by triggers): equal versions, equal inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Versions {
    /// Every write touching the region.
    pub region: i64,
    /// The writes that can change what was recorded at a settled moment.
    pub region_past: i64,
    /// Reference data every region reads.
    pub reference: i64,
}

/// The versions of `region`'s rollups now: read before the inputs, so that whatever is
/// computed from inputs read afterwards is at least as new as them.
pub fn versions(conn: &mut DbConnection, region: &str) -> StoreResult<Versions> {
    use schema::rollup_versions as v;
    let rows: Vec<(String, i64, i64)> = v::table
        .filter(v::scope.eq_any([region, "*"]))
        .select((v::scope, v::version, v::past_version))
        .load(conn)?;
    let mut found = Versions::default();
    for (scope, version, past) in rows {
        if scope == "*" {
            found.reference = version;
        } else {
            found.region = version;
            found.region_past = past;
        }
    }
    Ok(found)
}

/// Every stored text a rollup reads becomes a domain value here, and only here. `at` says
/// where the text was read, for the error when it does not parse (corrupt data).
pub(crate) fn parse<T, E: Display>(at: &str, parsed: Result<T, E>) -> StoreResult<T> {
    parsed.map_err(|e| StoreError::corrupt(at, e))
}

pub(crate) fn moment(at: &str, text: &str) -> StoreResult<DateTime<Utc>> {
    parse(
        at,
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)),
    )
}

fn day(at: &str, text: &str) -> StoreResult<NaiveDate> {
    parse(at, NaiveDate::parse_from_str(text, "%Y-%m-%d"))
}

fn subregion(at: &str, text: Option<&str>) -> StoreResult<Option<SubregionCode>> {
    text.map(|s| parse(at, SubregionCode::parse(s))).transpose()
}

/// What a rollup reads of a report, of its history (`recorded_at` the revision's stamp) or
/// of its current state (`recorded_at` its last change, with its first submission).
type ReportRead = (
    String,         // stream
    String,         // unit_code
    String,         // period
    i32,            // revision
    String,         // action, or the status of a current state
    String,         // status
    String,         // values_json
    Option<String>, // results_json
    String,         // recorded_at
    Option<String>, // first_submitted_at
);

fn report_revision(stream: Stream, r: ReportRead, current: bool) -> StoreResult<ReportRevision> {
    let (_, unit_code, period, revision, action, status, values, results, recorded, first) = r;
    let at = if current {
        format!("reports {stream}/{unit_code}/{period}")
    } else {
        format!("report_revisions {stream}/{unit_code}/{period} revision {revision}")
    };
    let unit = parse(&at, stream.parse_unit(&unit_code))?;
    let results: Option<Vec<ResultCode>> = results
        .as_deref()
        .map(|text| parse(&at, serde_json::from_str(text)))
        .transpose()?;
    Ok(ReportRevision {
        unit,
        period: parse(&at, ReportPeriod::parse(stream, &period))?,
        revision,
        // A current state is no action; its first submission comes with it.
        action: if current {
            RevisionAction::Update
        } else {
            parse(&at, RevisionAction::parse(&action))?
        },
        status: parse(&at, ReportStatus::parse(&status))?,
        values: parse::<Values, _>(&at, serde_json::from_str(&values))?,
        results: results.unwrap_or_default(),
        recorded_at: moment(&at, &recorded)?,
        first_submitted_at: first.as_deref().map(|t| moment(&at, t)).transpose()?,
    })
}

/// Which reports, LPRES statuses and events a rollup reads: those of the quarters its
/// windows read (with the targets' spans, [`rops_aggregation::inputs::reads`]), as recorded at
/// `as_of`, or, when `as_of` is `None` (now), their current state.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'w> {
    pub windows: &'w [Window],
    pub as_of: Option<DateTime<Utc>>,
}

/// The reports of `stream`'s units in `region` whose periods lie in `span` (a year period
/// from the span's first year on; a few quarters too many at the edges, which the rollup
/// leaves out). The units are a subquery (OWES, entities) or a range of codes (gminas, see
/// [`gmina_codes`]), not a list of codes: one statement, prepared once, whatever the region's
/// size.
fn reports_read(
    conn: &mut DbConnection,
    stream: Stream,
    region: &str,
    span: Window,
    as_of: Option<DateTime<Utc>>,
) -> StoreResult<Vec<ReportRevision>> {
    use schema::{entities as en, owes as ow, subregions as sr};
    let (first, last) = (span.from.year().to_string(), span.to.to_string());
    // `$units` names the units among `$unit_code` (the reports' or the revisions' column).
    macro_rules! read {
        (|$unit_code:ident| $units:expr) => {
            match as_of {
                None => schema::reports::table
                    .filter(schema::reports::stream.eq(stream.as_str()))
                    .filter({
                        let $unit_code = schema::reports::unit_code;
                        $units
                    })
                    .filter(schema::reports::period.between(first, last))
                    .select((
                        schema::reports::stream,
                        schema::reports::unit_code,
                        schema::reports::period,
                        schema::reports::revision,
                        schema::reports::status,
                        schema::reports::status,
                        schema::reports::values_json,
                        schema::reports::results_json,
                        schema::reports::updated_at,
                        schema::reports::first_submitted_at,
                    ))
                    .load::<ReportRead>(conn)?,
                Some(at) => rv::table
                    .filter(rv::stream.eq(stream.as_str()))
                    .filter({
                        let $unit_code = rv::unit_code;
                        $units
                    })
                    .filter(rv::period.between(first, last))
                    .filter(rv::recorded_at.le(crate::clock::stamp(at)))
                    .select((
                        rv::stream,
                        rv::unit_code,
                        rv::period,
                        rv::revision,
                        rv::action,
                        rv::status,
                        rv::values_json,
                        rv::results_json,
                        rv::recorded_at,
                        None::<String>
                            .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
                    ))
                    .load::<ReportRead>(conn)?,
            }
        };
    }
    // Where each stream keeps its units, as `reports::region_of_unit` knows them.
    let rows = match stream {
        Stream::Owes => read!(|unit| unit.eq_any(
            ow::table
                .inner_join(sr::table)
                .filter(sr::region_code.eq(region))
                .select(ow::code)
        )),
        Stream::Gmina => {
            let (from, to) = gmina_codes(region)?;
            read!(|unit| unit.between(from.clone(), to.clone()))
        }
        Stream::Entity => read!(|unit| unit.eq_any(
            en::table
                .filter(en::region_code.eq(region))
                .select(en::code)
        )),
    };
    rows.into_iter()
        .map(|r| report_revision(stream, r, as_of.is_none()))
        .collect()
}

fn lpres_revision(l: LpresRevisionRow) -> StoreResult<LpresRevision> {
    let at = format!("lpres_revisions {} revision {}", l.teryt, l.revision);
    Ok(LpresRevision {
        teryt: parse(&at, Teryt::parse(&l.teryt))?,
        revision: l.revision,
        status: parse(&at, LpresStatus::parse(&l.status))?,
        adopted_on: l.adopted_on.as_deref().map(|d| day(&at, d)).transpose()?,
        plan_from: l.plan_from,
        plan_to: l.plan_to,
        resolution_number: l.resolution_number,
        recorded_at: moment(&at, &l.recorded_at)?,
    })
}

/// The TERYT codes of `region`'s gminas, as a range of codes: a gmina's region is the first two
/// digits of its TERYT code (`Teryt::region`; the reference import refuses a gmina whose code disagrees with its
/// powiat's, and a powiat outside its region), so the region's gminas' rows are one range of
/// an index on the code, read without joining the territory and whatever the planner knows of
/// the tables (a join of the region's gminas led PostgreSQL, without statistics, to walk the
/// whole country's reports of the year).
fn gmina_codes(region: &str) -> StoreResult<(String, String)> {
    let region = RegionCode::parse(region)
        .map_err(|_| StoreError::NotFound(format!("no region with code {region}")))?;
    // Inclusive bounds of digits only, so that any collation orders them as the codes.
    Ok((region.to_string(), format!("{region}99999")))
}

/// Each gmina's LPRES status: as recorded at `as_of` (its revisions up to then), or now.
fn lpres_read(
    conn: &mut DbConnection,
    region: &str,
    as_of: Option<DateTime<Utc>>,
) -> StoreResult<Vec<LpresRevision>> {
    let (from, to) = gmina_codes(region)?;
    let rows: Vec<LpresRevisionRow> = match as_of {
        Some(at) => lr::table
            .filter(lr::teryt.between(from, to))
            .filter(lr::recorded_at.le(crate::clock::stamp(at)))
            .select(LpresRevisionRow::as_select())
            .load(conn)?,
        None => {
            let l = schema::lpres::table;
            l.filter(schema::lpres::teryt.between(from, to))
                .select(crate::rows::LpresRow::as_select())
                .load(conn)?
                .into_iter()
                .map(LpresRevisionRow::from)
                .collect()
        }
    };
    rows.into_iter().map(lpres_revision).collect()
}

/// The region's events dated in `span`: every revision recorded by `as_of` of an event that
/// was ever dated in it (a later revision may have moved it out), or each one's current state.
fn events_read(
    conn: &mut DbConnection,
    region: &str,
    span: Window,
    as_of: Option<DateTime<Utc>>,
) -> StoreResult<Vec<EventRevision>> {
    let (first, last) = (
        span.from.first_day().to_string(),
        span.to.last_day().to_string(),
    );
    let rows: Vec<EventRevisionRow> = match as_of {
        Some(at) => {
            let dated: Vec<String> = er::table
                .inner_join(ev::table)
                .filter(ev::region_code.eq(region))
                .filter(er::event_date.between(first, last))
                .select(er::id)
                .distinct()
                .load(conn)?;
            er::table
                .inner_join(ev::table)
                .filter(ev::region_code.eq(region))
                .filter(er::id.eq_any(dated))
                .filter(er::recorded_at.le(crate::clock::stamp(at)))
                .select(EventRevisionRow::as_select())
                .load(conn)?
        }
        None => ev::table
            .filter(ev::region_code.eq(region))
            .filter(ev::event_date.between(first, last))
            .select(crate::rows::EventRow::as_select())
            .load(conn)?
            .into_iter()
            .map(EventRevisionRow::from)
            .collect(),
    };
    rows.into_iter()
        .map(|e| {
            let at = format!("event_revisions {} revision {}", e.id, e.revision);
            Ok(EventRevision {
                revision: e.revision,
                event_type: parse(&at, IndicatorCode::parse(&e.event_type))?,
                date: day(&at, &e.event_date)?,
                subregion: subregion(&at, e.subregion_code.as_deref())?,
                withdrawn: e.withdrawn_at.is_some(),
                recorded_at: moment(&at, &e.recorded_at)?,
                id: e.id,
            })
        })
        .collect()
}

/// What a region's rollups read besides its reports, LPRES and events: its territory, OWES,
/// the catalogues, its programmes' targets and its register of reintegration entities. Only
/// writes that also change settled moments change it (reference data and the register:
/// [`Versions::region_past`] and [`Versions::reference`]), so it can be kept and read once
/// for many rollups ([`inputs_from`]).
#[derive(Debug, Clone)]
pub struct Reference {
    region: RegionCode,
    subregions: Vec<SubregionCode>,
    owes: Vec<OwesUnit>,
    gminas: Vec<GminaUnit>,
    indicators: Vec<rops_domain::indicator::IndicatorDef>,
    event_types: Vec<IndicatorCode>,
    result_codes: Vec<ResultCode>,
    targets: Vec<Target>,
    entity_revisions: Vec<rops_aggregation::inputs::EntityRevision>,
}

/// Everything the rollups of `region` over `reading.windows` need, read in one go.
pub fn inputs(conn: &mut DbConnection, region: &str, reading: Reading<'_>) -> StoreResult<Inputs> {
    let reference = reference(conn, region)?;
    inputs_from(conn, &reference, reading)
}

/// The reference part of `region`'s rollups' inputs (see [`Reference`]).
pub fn reference(conn: &mut DbConnection, region: &str) -> StoreResult<Reference> {
    let detail = queries::region(conn, region)?
        .ok_or_else(|| StoreError::NotFound(format!("no region with code {region}")))?;
    let region_code = parse(
        &format!("regions {}", detail.code),
        RegionCode::parse(&detail.code),
    )?;
    let subregions = detail
        .subregions
        .iter()
        .map(|s| {
            parse(
                &format!("subregions {}", s.code),
                SubregionCode::parse(&s.code),
            )
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let owes: Vec<OwesUnit> = queries::owes_list(conn, Some(region))?
        .into_iter()
        .map(|o| {
            let at = format!("owes {}", o.code);
            Ok(OwesUnit {
                code: parse(&at, OwesCode::parse(&o.code))?,
                subregion: parse(&at, SubregionCode::parse(&o.subregion))?,
                active_from: parse(&at, Quarter::parse(&o.active_from))?,
                active_to: o
                    .active_to
                    .as_deref()
                    .map(|q| parse(&at, Quarter::parse(q)))
                    .transpose()?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let gminas: Vec<GminaUnit> = queries::gminas(conn, Some(region), None)?
        .into_iter()
        .map(|g| {
            let at = format!("gminas {}", g.teryt);
            Ok(GminaUnit {
                teryt: parse(&at, Teryt::parse(&g.teryt))?,
                subregion: subregion(&at, g.subregion.as_deref())?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let mut indicators = Vec::new();
    for stream in Stream::ALL {
        indicators.extend(reports::catalogue(conn, stream)?);
    }
    let catalogue = queries::catalogue(conn)?;
    let event_types = catalogue
        .event_types
        .iter()
        .map(|e| {
            parse(
                &format!("event_types {}", e.code),
                IndicatorCode::parse(&e.code),
            )
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let result_codes = catalogue
        .result_groups
        .iter()
        .flat_map(|g| &g.items)
        .map(|i| {
            parse(
                &format!("result_items {}", i.code),
                ResultCode::parse(&i.code),
            )
        })
        .collect::<StoreResult<Vec<_>>>()?;

    let programmes: Vec<ProgrammeRow> = schema::programmes::table
        .filter(schema::programmes::region_code.eq(region))
        .order(schema::programmes::code)
        .select(ProgrammeRow::as_select())
        .load(conn)?;
    let mut targets = Vec::new();
    for p in &programmes {
        let at = format!("programmes {}", p.code);
        let programme_from = parse(&at, Quarter::parse(&p.start_quarter))?;
        let programme_to = parse(&at, Quarter::parse(&p.end_quarter))?;
        let rows: Vec<TargetRow> = schema::programme_targets::table
            .filter(schema::programme_targets::programme_code.eq(&p.code))
            .order(schema::programme_targets::position)
            .select(TargetRow::as_select())
            .load(conn)?;
        for t in rows {
            let at = format!("programme_targets {} {}", p.code, t.indicator);
            targets.push(Target {
                programme_from,
                programme_to,
                indicator: parse(&at, IndicatorCode::parse(&t.indicator))?,
                scope: parse(&at, TargetScope::parse(&t.scope))?,
                owes: t
                    .owes_code
                    .as_deref()
                    .map(|o| parse(&at, OwesCode::parse(o)))
                    .transpose()?,
                value: t.value,
                window: parse(&at, TargetWindow::parse(&t.target_window))?,
            });
        }
    }

    Ok(Reference {
        region: region_code,
        subregions,
        owes,
        gminas,
        indicators,
        event_types,
        result_codes,
        targets,
        entity_revisions: crate::entities::revisions_of_region(conn, region)?,
    })
}

/// What the rollups of `reference`'s region over `reading.windows` need: the reports, LPRES
/// and events read now, with the reference part as given.
pub fn inputs_from(
    conn: &mut DbConnection,
    reference: &Reference,
    reading: Reading<'_>,
) -> StoreResult<Inputs> {
    let region = reference.region.as_str();
    let span = reading
        .windows
        .iter()
        .map(|w| rops_aggregation::inputs::reads(&reference.targets, *w))
        .reduce(|a, b| Window {
            from: a.from.min(b.from),
            to: a.to.max(b.to),
        })
        .ok_or_else(|| StoreError::Setup("a rollup reads at least one window".into()))?;
    let started = std::time::Instant::now();
    let mut report_revisions = Vec::new();
    for stream in Stream::ALL {
        report_revisions.extend(reports_read(conn, stream, region, span, reading.as_of)?);
    }
    let reports_read_at = started.elapsed();
    let lpres_revisions = lpres_read(conn, region, reading.as_of)?;
    let lpres_read_at = started.elapsed();
    let event_revisions = events_read(conn, region, span, reading.as_of)?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    tracing::debug!(
        region,
        reports = report_revisions.len(),
        reports_ms = ms(reports_read_at),
        lpres_ms = ms(lpres_read_at - reports_read_at),
        events_ms = ms(started.elapsed() - lpres_read_at),
        "rollup inputs read"
    );
    let r = reference.clone();
    Ok(Inputs {
        region: r.region,
        subregions: r.subregions,
        owes: r.owes,
        gminas: r.gminas,
        indicators: r.indicators,
        event_types: r.event_types,
        result_codes: r.result_codes,
        targets: r.targets,
        report_revisions,
        lpres_revisions,
        event_revisions,
        entity_revisions: r.entity_revisions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    const REPORT: &str = "INSERT INTO reports (stream, unit_code, period, status, revision, \
        values_json, created_at, updated_at, updated_by) VALUES ('owes', 'OWES-PN', '2024-Q1', \
        'draft', 1, '{}', '2024-04-01T10:00:00Z', '2024-04-01T10:00:00Z', 'test');";

    fn revision(action: &str, results: &str) -> String {
        format!(
            "INSERT INTO report_revisions (stream, unit_code, period, revision, action, status, \
             values_json, results_json, recorded_at, recorded_by) VALUES ('owes', 'OWES-PN', \
             '2024-Q1', 1, '{action}', 'draft', '{{}}', {results}, '2024-04-01T10:00:00Z', 'test');"
        )
    }

    #[test]
    fn a_regions_gmina_codes_are_every_teryt_code_it_begins_and_no_other() {
        let within = |region: &str, teryt: &str| {
            let (from, to) = gmina_codes(region).expect("a region code");
            from.as_str() <= teryt && teryt <= to.as_str()
        };
        for (region, teryt) in [
            ("14", "1401011"),
            ("14", "1499993"),
            ("02", "0201011"),
            ("99", "9999993"),
        ] {
            assert!(within(region, teryt), "{teryt} in {region}");
        }
        for (region, teryt) in [
            ("14", "1301011"),
            ("14", "1501011"),
            ("16", "1465011"),
            ("99", "0201011"),
        ] {
            assert!(!within(region, teryt), "{teryt} not in {region}");
        }
        assert!(
            gmina_codes("1").is_err() && gmina_codes("1a").is_err() && gmina_codes("140").is_err()
        );
    }

    /// What a corrupt `inputs` says: (where, what).
    fn corrupt(conn: &mut DbConnection) -> (String, String) {
        let reading = Reading {
            windows: &[Window::year(2024).unwrap()],
            as_of: Some(Utc::now()),
        };
        match inputs(conn, "16", reading) {
            Err(StoreError::Corrupt { at, what }) => (at, what),
            other => panic!("expected corrupt data, got {other:?}"),
        }
    }

    crate::backend_tests! {
        fn stored_text_that_does_not_parse_is_corrupt_data_with_what_and_where(db) {
            let db = db.with_sample();
            let mut conn = db.conn();
            conn.batch_execute(&format!("{REPORT}{}", revision("create", "NULL"))).unwrap();
            let reading = Reading {
                windows: &[Window::year(2024).unwrap()],
                as_of: Some(Utc::now()),
            };
            let read = inputs(&mut conn, "16", reading).unwrap();
            assert_eq!(read.report_revisions[0].action, RevisionAction::Create);
            assert_eq!(read.report_revisions[0].unit.as_str(), "OWES-PN");

            conn.batch_execute("UPDATE report_revisions SET action = 'frobnicate'").unwrap();
            let (at, what) = corrupt(&mut conn);
            assert_eq!(at, "report_revisions owes/OWES-PN/2024-Q1 revision 1");
            assert!(what.contains("revision action") && what.contains("frobnicate"), "{what}");

            conn.batch_execute(
                "UPDATE report_revisions SET action = 'submit', results_json = '[\"a1\"]'",
            )
            .unwrap();
            let (at, what) = corrupt(&mut conn);
            assert_eq!(at, "report_revisions owes/OWES-PN/2024-Q1 revision 1");
            assert!(what.contains("result code"), "{what}");

            conn.batch_execute("DELETE FROM report_revisions; DELETE FROM reports;").unwrap();
            conn.batch_execute(
                "UPDATE programme_targets SET indicator = 'Jobs Created' WHERE position = 0",
            )
            .unwrap();
            let (at, what) = corrupt(&mut conn);
            assert!(at.starts_with("programme_targets "), "{at}");
            assert!(what.contains("indicator code") && what.contains("Jobs Created"), "{what}");
        }
    }
}
