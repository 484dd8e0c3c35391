//! Reads of reference data. The data is small (a region has at most a few hundred gminas),
//! so a view is assembled from a few whole-table reads rather than many joins.

use crate::rows::*;
use crate::schema;
use crate::views::*;
use crate::{DbConnection, StoreResult};
use diesel::dsl::count_star;
use diesel::prelude::*;
use std::collections::HashMap;

/// Gmina count per powiat code.
fn gmina_counts(conn: &mut DbConnection) -> StoreResult<HashMap<String, usize>> {
    use schema::gminas::dsl as g;
    let rows: Vec<(String, i64)> = g::gminas
        .group_by(g::powiat_code)
        .select((g::powiat_code, count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, n)| (p, usize::try_from(n).unwrap_or(0)))
        .collect())
}

/// Subregion code per powiat code.
fn powiat_owners(conn: &mut DbConnection) -> StoreResult<HashMap<String, String>> {
    let rows: Vec<SubregionPowiatRow> = schema::subregion_powiats::table
        .select(SubregionPowiatRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.powiat_code, r.subregion_code))
        .collect())
}

pub fn regions(conn: &mut DbConnection) -> StoreResult<Vec<RegionSummary>> {
    let counts = gmina_counts(conn)?;
    let regions: Vec<RegionRow> = schema::regions::table
        .order(schema::regions::code)
        .select(RegionRow::as_select())
        .load(conn)?;
    let powiats: Vec<PowiatRow> = schema::powiats::table
        .select(PowiatRow::as_select())
        .load(conn)?;
    Ok(regions
        .into_iter()
        .map(|r| {
            let mine: Vec<&PowiatRow> =
                powiats.iter().filter(|p| p.region_code == r.code).collect();
            RegionSummary {
                gmina_count: mine
                    .iter()
                    .map(|p| counts.get(&p.code).copied().unwrap_or(0))
                    .sum(),
                powiat_count: mine.len(),
                code: r.code,
                name: r.name,
            }
        })
        .collect())
}

pub fn region(conn: &mut DbConnection, code: &str) -> StoreResult<Option<RegionDetail>> {
    let Some(region) = schema::regions::table
        .find(code)
        .select(RegionRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let counts = gmina_counts(conn)?;
    let owners = powiat_owners(conn)?;
    let powiats: Vec<PowiatRow> = schema::powiats::table
        .filter(schema::powiats::region_code.eq(code))
        .order(schema::powiats::code)
        .select(PowiatRow::as_select())
        .load(conn)?;
    let subregions: Vec<SubregionRow> = schema::subregions::table
        .filter(schema::subregions::region_code.eq(code))
        .order(schema::subregions::code)
        .select(SubregionRow::as_select())
        .load(conn)?;
    let summary = |p: &PowiatRow| PowiatSummary {
        code: p.code.clone(),
        name: p.name.clone(),
        kind: p.kind.clone(),
        gmina_count: counts.get(&p.code).copied().unwrap_or(0),
    };
    let subregions = subregions
        .into_iter()
        .map(|s| {
            let powiats: Vec<PowiatSummary> = powiats
                .iter()
                .filter(|p| owners.get(&p.code) == Some(&s.code))
                .map(summary)
                .collect();
            SubregionDetail {
                gmina_count: powiats.iter().map(|p| p.gmina_count).sum(),
                code: s.code,
                region: s.region_code,
                name: s.name,
                powiats,
            }
        })
        .collect();
    Ok(Some(RegionDetail {
        gmina_count: powiats
            .iter()
            .map(|p| counts.get(&p.code).copied().unwrap_or(0))
            .sum(),
        unassigned_powiats: powiats
            .iter()
            .filter(|p| !owners.contains_key(&p.code))
            .map(summary)
            .collect(),
        code: region.code,
        name: region.name,
        subregions,
    }))
}

pub fn subregion(conn: &mut DbConnection, code: &str) -> StoreResult<Option<SubregionDetail>> {
    let region_code: Option<String> = schema::subregions::table
        .find(code)
        .select(schema::subregions::region_code)
        .first(conn)
        .optional()?;
    let Some(region_code) = region_code else {
        return Ok(None);
    };
    Ok(region(conn, &region_code)?.and_then(|r| r.subregions.into_iter().find(|s| s.code == code)))
}

/// Gminas, optionally only those of a region or of a subregion, ordered by TERYT.
pub fn gminas(
    conn: &mut DbConnection,
    region: Option<&str>,
    subregion: Option<&str>,
) -> StoreResult<Vec<GminaView>> {
    let owners = powiat_owners(conn)?;
    // A region's gminas are read in SQL (a rollup reads them on every computation).
    let mut query = schema::gminas::table
        .inner_join(schema::powiats::table)
        .order(schema::gminas::teryt)
        .select((GminaRow::as_select(), PowiatRow::as_select()))
        .into_boxed();
    if let Some(r) = region {
        query = query.filter(schema::powiats::region_code.eq(r.to_owned()));
    }
    let rows: Vec<(GminaRow, PowiatRow)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(g, p)| gmina_view(g, p, &owners))
        .filter(|g| {
            region.is_none_or(|r| g.region == r)
                && subregion.is_none_or(|s| g.subregion.as_deref() == Some(s))
        })
        .collect())
}

pub fn gmina(conn: &mut DbConnection, teryt: &str) -> StoreResult<Option<GminaView>> {
    let row: Option<(GminaRow, PowiatRow)> = schema::gminas::table
        .inner_join(schema::powiats::table)
        .filter(schema::gminas::teryt.eq(teryt))
        .select((GminaRow::as_select(), PowiatRow::as_select()))
        .first(conn)
        .optional()?;
    let owners = powiat_owners(conn)?;
    Ok(row.map(|(g, p)| gmina_view(g, p, &owners)))
}

fn gmina_view(g: GminaRow, p: PowiatRow, owners: &HashMap<String, String>) -> GminaView {
    GminaView {
        subregion: owners.get(&p.code).cloned(),
        teryt: g.teryt,
        name: g.name,
        kind: g.kind,
        powiat: p.code,
        powiat_name: p.name,
        region: p.region_code,
    }
}

pub fn owes_list(conn: &mut DbConnection, region: Option<&str>) -> StoreResult<Vec<OwesView>> {
    let rows: Vec<(OwesRow, String)> = schema::owes::table
        .inner_join(schema::subregions::table)
        .order(schema::owes::code)
        .select((OwesRow::as_select(), schema::subregions::region_code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, r)| region.is_none_or(|want| r == want))
        .map(|(o, r)| owes_view(o, r))
        .collect())
}

pub fn owes(conn: &mut DbConnection, code: &str) -> StoreResult<Option<OwesView>> {
    let row: Option<(OwesRow, String)> = schema::owes::table
        .inner_join(schema::subregions::table)
        .filter(schema::owes::code.eq(code))
        .select((OwesRow::as_select(), schema::subregions::region_code))
        .first(conn)
        .optional()?;
    Ok(row.map(|(o, r)| owes_view(o, r)))
}

fn owes_view(o: OwesRow, region: String) -> OwesView {
    OwesView {
        code: o.code,
        name: o.name,
        subregion: o.subregion_code,
        region,
        active_from: o.active_from,
        active_to: o.active_to,
    }
}

pub fn catalogue(conn: &mut DbConnection) -> StoreResult<Catalogue> {
    let indicators: Vec<IndicatorRow> = schema::indicators::table
        .order((
            schema::indicators::stream.desc(),
            schema::indicators::position,
        ))
        .select(IndicatorRow::as_select())
        .load(conn)?;
    let groups: Vec<ResultGroupRow> = schema::result_groups::table
        .order(schema::result_groups::position)
        .select(ResultGroupRow::as_select())
        .load(conn)?;
    let items: Vec<ResultItemRow> = schema::result_items::table
        .order(schema::result_items::position)
        .select(ResultItemRow::as_select())
        .load(conn)?;
    let events: Vec<EventTypeRow> = schema::event_types::table
        .order(schema::event_types::position)
        .select(EventTypeRow::as_select())
        .load(conn)?;
    Ok(Catalogue {
        indicators: indicators
            .into_iter()
            .map(|i| IndicatorView {
                code: i.code,
                stream: i.stream,
                name_pl: i.name_pl,
                kind: i.kind,
                unit: i.unit,
                numerator: i.numerator,
                denominator: i.denominator,
                at_most: i.at_most,
                verification_pl: i.verification_pl,
            })
            .collect(),
        result_groups: groups
            .into_iter()
            .map(|g| ResultGroupView {
                items: items
                    .iter()
                    .filter(|i| i.group_code == g.code)
                    .map(|i| ResultItemView {
                        code: i.code.clone(),
                        name_pl: i.name_pl.clone(),
                    })
                    .collect(),
                code: g.code,
                name_pl: g.name_pl,
            })
            .collect(),
        event_types: events
            .into_iter()
            .map(|e| EventTypeView {
                code: e.code,
                name_pl: e.name_pl,
            })
            .collect(),
    })
}

pub fn programmes(
    conn: &mut DbConnection,
    region: Option<&str>,
) -> StoreResult<Vec<ProgrammeSummary>> {
    let rows: Vec<ProgrammeRow> = schema::programmes::table
        .order(schema::programmes::code)
        .select(ProgrammeRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|p| region.is_none_or(|r| p.region_code == r))
        .map(programme_summary)
        .collect())
}

pub fn programme(conn: &mut DbConnection, code: &str) -> StoreResult<Option<ProgrammeDetail>> {
    let Some(row) = schema::programmes::table
        .find(code)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let targets: Vec<TargetRow> = schema::programme_targets::table
        .filter(schema::programme_targets::programme_code.eq(code))
        .order(schema::programme_targets::position)
        .select(TargetRow::as_select())
        .load(conn)?;
    let event_types: Vec<String> = schema::event_types::table
        .select(schema::event_types::code)
        .load(conn)?;
    Ok(Some(ProgrammeDetail {
        programme: programme_summary(row),
        targets: targets
            .into_iter()
            .map(|t| TargetView {
                measure: if t.indicator == rops_domain::indicator::LPRES_ADOPTED {
                    "lpres_adopted"
                } else if event_types.contains(&t.indicator) {
                    "event_count"
                } else {
                    "indicator"
                }
                .to_owned(),
                indicator: t.indicator,
                scope: t.scope,
                owes: t.owes_code,
                comparator: t.comparator,
                value: t.value,
                window: t.target_window,
                source: t.source,
            })
            .collect(),
    }))
}

fn programme_summary(p: ProgrammeRow) -> ProgrammeSummary {
    ProgrammeSummary {
        code: p.code,
        region: p.region_code,
        name: p.name,
        from: p.start_quarter,
        to: p.end_quarter,
    }
}

/// Answers when the database does.
pub fn ping(conn: &mut DbConnection) -> StoreResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SELECT 1")?;
    Ok(())
}
