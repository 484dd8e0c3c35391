//! Loading a reference file into the database: idempotent, all or nothing.

use crate::conn::require_transaction;
use crate::reports::{Actor, Outcome};
use crate::rows::*;
use crate::schema;
use crate::views::ImportSummary;
use crate::{Clock, DbConnection, IfMatch, StoreError, StoreResult};
use diesel::prelude::*;
use rops_domain::entity::check_entity;
use rops_domain::reference::{EntityDef, ReferenceFile, ReferenceProblems};
use std::collections::HashSet;

/// The sample region (opolskie) shipped with the service, in the reference file format.
pub const SAMPLE_REGION: &str = include_str!("../reference/opolskie.json");

/// Who the register records as the author of the entity revisions an import writes.
pub const IMPORTER: &str = "reference-import";

/// Parses a reference file, naming the line and column of a syntax error.
pub fn parse(text: &str) -> StoreResult<ReferenceFile> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Reference(rops_domain::reference::ReferenceProblems(vec![format!(
            "not a valid reference file: {e}"
        )]))
    })
}

/// Loads the sample region, with its gminas' boundaries, when the database holds no region
/// yet, inside the caller's write transaction. Returns whether it did.
pub fn seed_sample_if_empty(conn: &mut DbConnection) -> StoreResult<bool> {
    require_transaction(conn)?;
    let regions: i64 = schema::regions::table.count().get_result(conn)?;
    if regions > 0 {
        return Ok(false);
    }
    import_in_transaction(conn, &parse(SAMPLE_REGION)?)?;
    let boundaries = crate::boundaries::parse(crate::boundaries::SAMPLE_BOUNDARIES)?;
    crate::boundaries::import(conn, &boundaries)?;
    Ok(true)
}

/// Writes everything the file defines, creating what is new and updating what differs;
/// importing the same file twice changes nothing. Entities the file does not mention are
/// kept (reports may refer to them), except powiats dropped from a subregion the file
/// defines and targets beyond the file's list for a programme it defines. All or nothing with
/// the caller's write transaction.
pub fn import(conn: &mut DbConnection, file: &ReferenceFile) -> StoreResult<ImportSummary> {
    require_transaction(conn)?;
    import_in_transaction(conn, file)
}

macro_rules! upsert {
    ($conn:expr, $summary:expr, $table:ident, $row_ty:ty, $key:expr, $row:expr) => {{
        let row: $row_ty = $row;
        let existing: Option<$row_ty> = schema::$table::table
            .find($key)
            .select(<$row_ty>::as_select())
            .first($conn)
            .optional()?;
        match existing {
            None => {
                diesel::insert_into(schema::$table::table)
                    .values(&row)
                    .execute($conn)?;
                $summary.created += 1;
            }
            Some(old) if old == row => $summary.unchanged += 1,
            Some(_) => {
                diesel::update(schema::$table::table.find($key))
                    .set(&row)
                    .execute($conn)?;
                $summary.updated += 1;
            }
        }
    }};
}

fn import_in_transaction(
    conn: &mut DbConnection,
    file: &ReferenceFile,
) -> StoreResult<ImportSummary> {
    let mut known: HashSet<String> = schema::indicators::table
        .select(schema::indicators::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    known.extend(
        schema::event_types::table
            .select(schema::event_types::code)
            .load::<String>(conn)?,
    );
    file.check(&known)?;

    let mut s = ImportSummary::default();
    for (i, d) in file.indicators.iter().enumerate() {
        let row = IndicatorRow {
            code: d.code.to_string(),
            stream: d.stream.as_str().to_owned(),
            position: position(i),
            name_pl: d.name_pl.clone(),
            kind: d.kind.as_str().to_owned(),
            unit: d.unit.as_str().to_owned(),
            numerator: d.numerator.as_ref().map(ToString::to_string),
            denominator: d.denominator.as_ref().map(ToString::to_string),
            at_most: d.at_most.as_ref().map(ToString::to_string),
            verification_pl: d.verification_pl.clone(),
        };
        upsert!(conn, s, indicators, IndicatorRow, d.code.as_str(), row);
    }
    for (i, g) in file.result_groups.iter().enumerate() {
        let row = ResultGroupRow {
            code: g.code.to_string(),
            position: position(i),
            name_pl: g.name_pl.clone(),
        };
        upsert!(conn, s, result_groups, ResultGroupRow, g.code.as_str(), row);
        for (j, item) in g.items.iter().enumerate() {
            let row = ResultItemRow {
                code: item.code.to_string(),
                group_code: g.code.to_string(),
                position: position(j),
                name_pl: item.name_pl.clone(),
            };
            upsert!(
                conn,
                s,
                result_items,
                ResultItemRow,
                item.code.as_str(),
                row
            );
        }
    }
    for (i, e) in file.event_types.iter().enumerate() {
        let row = EventTypeRow {
            code: e.code.to_string(),
            position: position(i),
            name_pl: e.name_pl.clone(),
        };
        upsert!(conn, s, event_types, EventTypeRow, e.code.as_str(), row);
    }

    let r = &file.region;
    let region = r.code.as_str();
    upsert!(
        conn,
        s,
        regions,
        RegionRow,
        region,
        RegionRow {
            code: region.to_owned(),
            name: r.name.clone()
        }
    );
    for p in &r.powiats {
        let row = PowiatRow {
            code: p.code.to_string(),
            region_code: region.to_owned(),
            name: p.name.clone(),
            kind: p.kind.as_str().to_owned(),
        };
        upsert!(conn, s, powiats, PowiatRow, p.code.as_str(), row);
    }
    for g in &r.gminas {
        let row = GminaRow {
            teryt: g.teryt.to_string(),
            powiat_code: g.powiat.to_string(),
            name: g.name.clone(),
            kind: g.kind.as_str().to_owned(),
        };
        upsert!(conn, s, gminas, GminaRow, g.teryt.as_str(), row);
    }
    for sub in &r.subregions {
        let code = sub.code.as_str();
        let row = SubregionRow {
            code: code.to_owned(),
            region_code: region.to_owned(),
            name: sub.name.clone(),
        };
        upsert!(conn, s, subregions, SubregionRow, code, row);
        let powiats: Vec<String> = sub.powiats.iter().map(ToString::to_string).collect();
        s.removed += crate::writes::set_subregion_powiats(conn, code, &powiats, &mut s)?;
    }
    for o in &r.owes {
        let row = OwesRow {
            code: o.code.to_string(),
            name: o.name.clone(),
            subregion_code: o.subregion.to_string(),
            active_from: o.active_from.to_string(),
            active_to: o.active_to.map(|q| q.to_string()),
        };
        upsert!(conn, s, owes, OwesRow, o.code.as_str(), row);
    }
    for prog in &r.programmes {
        let code = prog.code.as_str();
        let row = ProgrammeRow {
            code: code.to_owned(),
            region_code: region.to_owned(),
            name: prog.name.clone(),
            start_quarter: prog.from.to_string(),
            end_quarter: prog.to.to_string(),
        };
        upsert!(conn, s, programmes, ProgrammeRow, code, row);
        for (i, t) in prog.targets.iter().enumerate() {
            let row = TargetRow {
                programme_code: code.to_owned(),
                position: position(i),
                indicator: t.indicator.to_string(),
                scope: t.scope.as_str().to_owned(),
                owes_code: t.owes.as_ref().map(ToString::to_string),
                comparator: t.comparator.as_str().to_owned(),
                value: t.value,
                target_window: t.window.as_str().to_owned(),
                source: t.source.clone(),
            };
            upsert!(
                conn,
                s,
                programme_targets,
                TargetRow,
                (code, position(i)),
                row
            );
        }
        use schema::programme_targets::dsl as t;
        s.removed += diesel::delete(
            t::programme_targets
                .filter(t::programme_code.eq(code))
                .filter(t::position.ge(position(prog.targets.len()))),
        )
        .execute(conn)?;
    }
    let importer = Actor::new(IMPORTER, Clock::System);
    for d in &r.entities {
        match import_entity(conn, d, &importer)? {
            Outcome::Created => s.created += 1,
            Outcome::Updated => s.updated += 1,
            Outcome::Unchanged => s.unchanged += 1,
        }
    }
    Ok(s)
}

/// Writes one entity of the file through the register, so that a change is a revision and
/// the same entity again changes nothing. What the register refuses is a problem of the file.
fn import_entity(conn: &mut DbConnection, d: &EntityDef, importer: &Actor) -> StoreResult<Outcome> {
    let problems = |errors: Vec<rops_domain::validation::FieldError>| {
        StoreError::Reference(ReferenceProblems(
            errors
                .into_iter()
                .map(|e| format!("entity {}: {}: {}", d.code, e.field, e.message))
                .collect(),
        ))
    };
    let entity = check_entity(&d.input()).map_err(|e| problems(e.into_vec()))?;
    match crate::entities::write(conn, &d.code, &entity, IfMatch::ANY, importer) {
        Ok((_, outcome)) => Ok(outcome),
        Err(StoreError::Invalid(errors)) => Err(problems(errors)),
        Err(e) => Err(e),
    }
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}
