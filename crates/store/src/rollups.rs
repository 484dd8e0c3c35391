//! Loads what a rollup of one region is computed from: reference data and the full revision
//! histories. The rollup itself is pure (`rops-aggregation`); reading everything at request
//! time keeps every figure live, with no stored aggregate to go stale.

use crate::rows::{EventRevisionRow, LpresRevisionRow, ProgrammeRow, RevisionRow, TargetRow};
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
use rops_domain::period::Quarter;
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

fn report_revision(stream: Stream, r: RevisionRow) -> StoreResult<ReportRevision> {
    let at = format!(
        "report_revisions {}/{}/{} revision {}",
        r.stream, r.unit_code, r.period, r.revision
    );
    let unit = parse(&at, stream.parse_unit(&r.unit_code))?;
    let results: Option<Vec<ResultCode>> = r
        .results_json
        .as_deref()
        .map(|text| parse(&at, serde_json::from_str(text)))
        .transpose()?;
    Ok(ReportRevision {
        unit,
        period: parse(&at, ReportPeriod::parse(stream, &r.period))?,
        revision: r.revision,
        action: parse(&at, RevisionAction::parse(&r.action))?,
        status: parse(&at, ReportStatus::parse(&r.status))?,
        values: parse::<Values, _>(&at, serde_json::from_str(&r.values_json))?,
        results: results.unwrap_or_default(),
        recorded_at: moment(&at, &r.recorded_at)?,
    })
}

pub fn inputs(conn: &mut DbConnection, region: &str) -> StoreResult<Inputs> {
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

    let teryts: Vec<String> = gminas.iter().map(|g| g.teryt.to_string()).collect();
    let mut report_revisions = Vec::new();
    for stream in Stream::ALL {
        let units = reports::units_of_region(conn, stream, region)?;
        let rows: Vec<RevisionRow> = rv::table
            .filter(rv::stream.eq(stream.as_str()))
            .filter(rv::unit_code.eq_any(units))
            .select(RevisionRow::as_select())
            .load(conn)?;
        for r in rows {
            report_revisions.push(report_revision(stream, r)?);
        }
    }
    let lpres_rows: Vec<LpresRevisionRow> = lr::table
        .filter(lr::teryt.eq_any(teryts))
        .select(LpresRevisionRow::as_select())
        .load(conn)?;
    let lpres_revisions = lpres_rows
        .into_iter()
        .map(|l| {
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
        })
        .collect::<StoreResult<_>>()?;
    let event_rows: Vec<EventRevisionRow> = er::table
        .inner_join(ev::table)
        .filter(ev::region_code.eq(region))
        .select(EventRevisionRow::as_select())
        .load(conn)?;
    let event_revisions = event_rows
        .into_iter()
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
        .collect::<StoreResult<_>>()?;

    Ok(Inputs {
        region: region_code,
        subregions,
        owes,
        gminas,
        indicators,
        event_types,
        result_codes,
        targets,
        report_revisions,
        lpres_revisions,
        event_revisions,
        entity_revisions: crate::entities::revisions_of_region(conn, region)?,
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

    /// What a corrupt `inputs` says: (where, what).
    fn corrupt(conn: &mut DbConnection) -> (String, String) {
        match inputs(conn, "16") {
            Err(StoreError::Corrupt { at, what }) => (at, what),
            other => panic!("expected corrupt data, got {other:?}"),
        }
    }

    crate::backend_tests! {
        fn stored_text_that_does_not_parse_is_corrupt_data_with_what_and_where(db) {
            let db = db.with_sample();
            let mut conn = db.conn();
            conn.batch_execute(&format!("{REPORT}{}", revision("create", "NULL"))).unwrap();
            let read = inputs(&mut conn, "16").unwrap();
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
