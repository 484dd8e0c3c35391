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
use rops_domain::indicator::Stream;
use rops_domain::lpres::LpresStatus;
use rops_domain::period::Quarter;
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus};

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

fn damaged(what: impl std::fmt::Display) -> StoreError {
    StoreError::Setup(format!("stored data is damaged: {what}"))
}

fn quarter(text: &str) -> StoreResult<Quarter> {
    Quarter::parse(text).map_err(damaged)
}

fn moment(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(damaged)
}

fn day(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(damaged)
}

pub fn inputs(conn: &mut DbConnection, region: &str) -> StoreResult<Inputs> {
    let detail = queries::region(conn, region)?
        .ok_or_else(|| StoreError::NotFound(format!("no region with code {region}")))?;
    let owes: Vec<OwesUnit> = queries::owes_list(conn, Some(region))?
        .into_iter()
        .map(|o| {
            Ok(OwesUnit {
                active_from: quarter(&o.active_from)?,
                active_to: o.active_to.as_deref().map(quarter).transpose()?,
                code: o.code,
                subregion: o.subregion,
            })
        })
        .collect::<StoreResult<_>>()?;
    let gminas: Vec<GminaUnit> = queries::gminas(conn, Some(region), None)?
        .into_iter()
        .map(|g| GminaUnit {
            teryt: g.teryt,
            subregion: g.subregion,
        })
        .collect();
    let mut indicators = reports::catalogue(conn, Stream::Owes)?;
    indicators.extend(reports::catalogue(conn, Stream::Gmina)?);
    let catalogue = queries::catalogue(conn)?;

    let programmes: Vec<ProgrammeRow> = schema::programmes::table
        .filter(schema::programmes::region_code.eq(region))
        .order(schema::programmes::code)
        .select(ProgrammeRow::as_select())
        .load(conn)?;
    let mut targets = Vec::new();
    for p in &programmes {
        let rows: Vec<TargetRow> = schema::programme_targets::table
            .filter(schema::programme_targets::programme_code.eq(&p.code))
            .order(schema::programme_targets::position)
            .select(TargetRow::as_select())
            .load(conn)?;
        for t in rows {
            targets.push(Target {
                programme_from: quarter(&p.start_quarter)?,
                programme_to: quarter(&p.end_quarter)?,
                indicator: t.indicator,
                scope: TargetScope::parse(&t.scope).map_err(damaged)?,
                owes: t.owes_code,
                value: t.value,
                window: TargetWindow::parse(&t.target_window).map_err(damaged)?,
            });
        }
    }

    let owes_codes: Vec<String> = owes.iter().map(|o| o.code.clone()).collect();
    let teryts: Vec<String> = gminas.iter().map(|g| g.teryt.clone()).collect();
    let mut report_revisions = Vec::new();
    for (stream, units) in [(Stream::Owes, &owes_codes), (Stream::Gmina, &teryts)] {
        let rows: Vec<RevisionRow> = rv::table
            .filter(rv::stream.eq(stream.as_str()))
            .filter(rv::unit_code.eq_any(units.clone()))
            .select(RevisionRow::as_select())
            .load(conn)?;
        for r in rows {
            report_revisions.push(ReportRevision {
                stream,
                period: ReportPeriod::parse(stream, &r.period).map_err(damaged)?,
                revision: r.revision,
                status: ReportStatus::parse(&r.status).map_err(damaged)?,
                values: serde_json::from_str(&r.values_json).map_err(damaged)?,
                results: r
                    .results_json
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(damaged)?
                    .unwrap_or_default(),
                recorded_at: moment(&r.recorded_at)?,
                action: r.action,
                unit: r.unit_code,
            });
        }
    }
    let lpres_rows: Vec<LpresRevisionRow> = lr::table
        .filter(lr::teryt.eq_any(teryts.clone()))
        .select(LpresRevisionRow::as_select())
        .load(conn)?;
    let lpres_revisions = lpres_rows
        .into_iter()
        .map(|l| {
            Ok(LpresRevision {
                status: LpresStatus::parse(&l.status).map_err(damaged)?,
                adopted_on: l.adopted_on.as_deref().map(day).transpose()?,
                plan_to: l.plan_to,
                recorded_at: moment(&l.recorded_at)?,
                revision: l.revision,
                teryt: l.teryt,
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
            Ok(EventRevision {
                date: day(&e.event_date)?,
                withdrawn: e.withdrawn_at.is_some(),
                recorded_at: moment(&e.recorded_at)?,
                revision: e.revision,
                event_type: e.event_type,
                subregion: e.subregion_code,
                id: e.id,
            })
        })
        .collect::<StoreResult<_>>()?;

    Ok(Inputs {
        region: region.to_owned(),
        subregions: detail.subregions.into_iter().map(|s| s.code).collect(),
        owes,
        gminas,
        indicators,
        event_types: catalogue.event_types.into_iter().map(|e| e.code).collect(),
        result_codes: catalogue
            .result_groups
            .into_iter()
            .flat_map(|g| g.items.into_iter().map(|i| i.code))
            .collect(),
        targets,
        report_revisions,
        lpres_revisions,
        event_revisions,
    })
}
