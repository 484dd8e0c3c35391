//! Gmina LPRES status: the current state and every change, for history and as-of reads.

use crate::conn::require_transaction;
use crate::reports::Actor;
use crate::rows::{LpresRevisionRow, LpresRow};
use crate::schema::{self, lpres as l, lpres_revisions as lr};
use crate::writes::Put;
use crate::{DbConnection, IfMatch, StoreError, StoreResult, Subject};
use diesel::prelude::*;
use rops_domain::lpres::Lpres;
use serde::Serialize;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A gmina's LPRES status now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LpresState {
    #[cfg_attr(feature = "openapi", schema(example = "1604023"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::Teryt))]
    pub teryt: String,
    /// `none`, `in_preparation`, `draft`, `adopted` or `repealed`.
    #[cfg_attr(feature = "openapi", schema(example = "adopted"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::lpres::LpresStatus))]
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(example = "XLV/512/2023"))]
    pub resolution_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2023-10-26"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub adopted_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = 2023))]
    pub plan_from: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(example = 2028))]
    pub plan_to: Option<i32>,
    pub document_url: Option<String>,
    /// Counts every change (0 before the first); also the ETag.
    pub revision: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// One change of the status: what it became, who, when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LpresChange {
    #[cfg_attr(feature = "openapi", schema(example = 3))]
    pub revision: i32,
    #[cfg_attr(feature = "openapi", schema(example = "adopted"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::lpres::LpresStatus))]
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(example = "XLV/512/2023"))]
    pub resolution_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2023-10-26"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub adopted_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = 2023))]
    pub plan_from: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(example = 2028))]
    pub plan_to: Option<i32>,
    pub document_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2024-01-15T09:30:00.000000Z"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: String,
    #[cfg_attr(feature = "openapi", schema(example = "kluczbork-urzad"))]
    pub recorded_by: String,
}

/// The current status with its history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LpresWithHistory {
    #[serde(flatten)]
    pub current: LpresState,
    pub history: Vec<LpresChange>,
}

/// One gmina of a region with its current status, for lists and the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GminaLpres {
    #[cfg_attr(feature = "openapi", schema(example = "1604023"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::Teryt))]
    pub teryt: String,
    #[cfg_attr(feature = "openapi", schema(example = "Kluczbork"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "1604"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::PowiatCode))]
    pub powiat: String,
    #[cfg_attr(feature = "openapi", schema(example = "OPL-PN"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::code::SubregionCode>))]
    pub subregion: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "adopted"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::lpres::LpresStatus))]
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(example = "XLV/512/2023"))]
    pub resolution_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2023-10-26"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub adopted_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = 2023))]
    pub plan_from: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(example = 2028))]
    pub plan_to: Option<i32>,
}

fn state(teryt: &str, row: Option<LpresRow>) -> LpresState {
    match row {
        None => LpresState {
            teryt: teryt.to_owned(),
            status: "none".into(),
            resolution_number: None,
            adopted_on: None,
            plan_from: None,
            plan_to: None,
            document_url: None,
            revision: 0,
            updated_at: None,
            updated_by: None,
        },
        Some(r) => LpresState {
            teryt: r.teryt,
            status: r.status,
            resolution_number: r.resolution_number,
            adopted_on: r.adopted_on,
            plan_from: r.plan_from,
            plan_to: r.plan_to,
            document_url: r.document_url,
            revision: r.revision,
            updated_at: Some(r.updated_at),
            updated_by: Some(r.updated_by),
        },
    }
}

fn gmina_exists(conn: &mut DbConnection, teryt: &str) -> StoreResult<()> {
    if schema::gminas::table
        .find(teryt)
        .count()
        .get_result::<i64>(conn)?
        == 0
    {
        return Err(StoreError::NotFound(format!("no gmina with TERYT {teryt}")));
    }
    Ok(())
}

pub fn get(conn: &mut DbConnection, teryt: &str) -> StoreResult<LpresWithHistory> {
    gmina_exists(conn, teryt)?;
    let row: Option<LpresRow> = l::table
        .find(teryt)
        .select(LpresRow::as_select())
        .first(conn)
        .optional()?;
    let history: Vec<LpresRevisionRow> = lr::table
        .filter(lr::teryt.eq(teryt))
        .order(lr::revision)
        .select(LpresRevisionRow::as_select())
        .load(conn)?;
    Ok(LpresWithHistory {
        current: state(teryt, row),
        history: history
            .into_iter()
            .map(|h| LpresChange {
                revision: h.revision,
                status: h.status,
                resolution_number: h.resolution_number,
                adopted_on: h.adopted_on,
                plan_from: h.plan_from,
                plan_to: h.plan_to,
                document_url: h.document_url,
                recorded_at: h.recorded_at,
                recorded_by: h.recorded_by,
            })
            .collect(),
    })
}

/// Sets the status, inside the caller's write transaction. `if_match` is the revision the
/// caller read (0 before the first write).
pub fn put(
    conn: &mut DbConnection,
    teryt: &str,
    lpres: &Lpres,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<(LpresState, Put)> {
    require_transaction(conn)?;
    // Without If-Match the caller asked for its status to win: when another request sets
    // the first status meanwhile, write over that one (once is enough: it exists then).
    let mut attempts = 0;
    loop {
        attempts += 1;
        match put_once(conn, teryt, lpres, if_match, actor)? {
            Some(done) => return Ok(done),
            None if attempts < 2 && if_match.is_any() => continue,
            None => {
                return Err(StoreError::ChangedMeanwhile(Subject::Lpres(
                    teryt.to_owned(),
                )))
            }
        }
    }
}

fn load_row_for_write(conn: &mut DbConnection, teryt: &str) -> StoreResult<Option<LpresRow>> {
    Ok(crate::conn::row_for_write!(
        conn,
        l::table.find(teryt),
        LpresRow
    )?)
}

/// One try of [`put`]; `None` when another request set the first status meanwhile.
fn put_once(
    conn: &mut DbConnection,
    teryt: &str,
    lpres: &Lpres,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<Option<(LpresState, Put)>> {
    gmina_exists(conn, teryt)?;
    let current = load_row_for_write(conn, teryt)?;
    let revision = current.as_ref().map_or(0, |c| c.revision);
    if if_match.rejects(revision).is_some() {
        return Err(StoreError::StaleRevision {
            subject: Subject::Lpres(teryt.to_owned()),
            current: Some(revision),
            asked: if_match,
        });
    }
    let stamp = actor.stamp();
    let row = LpresRow {
        teryt: teryt.to_owned(),
        status: lpres.status.as_str().to_owned(),
        resolution_number: lpres.resolution_number.clone(),
        adopted_on: lpres.adopted_on.map(|d| d.to_string()),
        plan_from: lpres.plan_from,
        plan_to: lpres.plan_to,
        document_url: lpres.document_url.clone(),
        revision: revision + 1,
        updated_at: stamp.clone(),
        updated_by: actor.name.to_owned(),
    };
    if let Some(cur) = &current {
        let same = LpresRow {
            revision: cur.revision,
            updated_at: cur.updated_at.clone(),
            updated_by: cur.updated_by.clone(),
            ..row.clone()
        };
        if &same == cur {
            return Ok(Some((state(teryt, current), Put::Updated)));
        }
        let changed = diesel::update(
            l::table
                .filter(l::teryt.eq(teryt))
                .filter(l::revision.eq(revision)),
        )
        .set(&row)
        .execute(conn)?;
        if changed != 1 {
            return Err(StoreError::ChangedMeanwhile(Subject::Lpres(
                teryt.to_owned(),
            )));
        }
    } else {
        // In a savepoint, so that losing the race leaves nothing written and the
        // transaction usable.
        let inserted =
            conn.transaction(|conn| diesel::insert_into(l::table).values(&row).execute(conn));
        match inserted {
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    let history = LpresRevisionRow {
        teryt: row.teryt.clone(),
        revision: row.revision,
        status: row.status.clone(),
        resolution_number: row.resolution_number.clone(),
        adopted_on: row.adopted_on.clone(),
        plan_from: row.plan_from,
        plan_to: row.plan_to,
        document_url: row.document_url.clone(),
        recorded_at: stamp,
        recorded_by: actor.name.to_owned(),
    };
    diesel::insert_into(lr::table)
        .values(&history)
        .execute(conn)?;
    Ok(Some((
        state(teryt, Some(row)),
        if current.is_some() {
            Put::Updated
        } else {
            Put::Created
        },
    )))
}

/// Every gmina of the region with its current status (`none` when never reported).
pub fn region(conn: &mut DbConnection, region: &str) -> StoreResult<Vec<GminaLpres>> {
    if schema::regions::table
        .find(region)
        .count()
        .get_result::<i64>(conn)?
        == 0
    {
        return Err(StoreError::NotFound(format!(
            "no region with code {region}"
        )));
    }
    let gminas = crate::queries::gminas(conn, Some(region), None)?;
    let rows: Vec<LpresRow> = l::table.select(LpresRow::as_select()).load(conn)?;
    Ok(gminas
        .into_iter()
        .map(|g| {
            let s = state(&g.teryt, rows.iter().find(|r| r.teryt == g.teryt).cloned());
            GminaLpres {
                teryt: g.teryt,
                name: g.name,
                powiat: g.powiat,
                subregion: g.subregion,
                status: s.status,
                resolution_number: s.resolution_number,
                adopted_on: s.adopted_on,
                plan_from: s.plan_from,
                plan_to: s.plan_to,
            }
        })
        .collect())
}
