//! The register of reintegration entities (CIS, KIS, ZAZ, WTZ). Every write that changes an
//! entity appends a revision, so the register can be read as it was at any moment. The
//! writes run inside the caller's write transaction.
//!
//! An entity lies in the region of its seat, and serves gminas of that region only; it cannot
//! move to another region (its revisions are the region's history).

use crate::conn::require_transaction;
use crate::reports::{Actor, Outcome};
use crate::rollups::{moment, parse};
use crate::rows::{EntityRevisionRow, EntityRow};
use crate::schema::{self, entities as en, entity_revisions as er};
use crate::writes::Put;
use crate::{DbConnection, IfMatch, StoreError, StoreResult, Subject};
use diesel::prelude::*;
use rops_aggregation::inputs::EntityRevision;
use rops_domain::entity::{Entity, EntityAction, EntityCode, EntityKind, EntityOperator};
use rops_domain::period::Quarter;
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::validation::FieldError;
use serde::Serialize;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An entity of the register as it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntityView {
    pub code: EntityCode,
    /// The region of its seat.
    pub region: RegionCode,
    pub kind: EntityKind,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Centrum Integracji Społecznej w Kluczborku")
    )]
    pub name: String,
    /// The gmina of its seat.
    pub seat: Teryt,
    /// The gminas it serves, the seat included, in TERYT order.
    pub serves: Vec<Teryt>,
    pub operator: EntityOperator,
    /// The first quarter it is active in.
    pub active_from: Quarter,
    /// The last quarter it is active in, or null while it is.
    pub active_to: Option<Quarter>,
    /// Counts every change; also the ETag.
    pub revision: i32,
    /// UTC, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
    /// The `sub` of the token that made the last change.
    pub updated_by: String,
}

/// One revision of an entity: what it became, who, when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntityRevisionView {
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub revision: i32,
    pub action: EntityAction,
    pub kind: EntityKind,
    pub name: String,
    pub seat: Teryt,
    pub serves: Vec<Teryt>,
    pub operator: EntityOperator,
    pub active_from: Quarter,
    pub active_to: Option<Quarter>,
    /// UTC, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub recorded_at: String,
    #[cfg_attr(feature = "openapi", schema(example = "rops-analityk"))]
    pub recorded_by: String,
}

/// The stored columns of an entity, shared by the current row and its revisions.
struct Stored<'a> {
    kind: &'a str,
    name: &'a str,
    seat: &'a str,
    serves_json: &'a str,
    operator: &'a str,
    active_from: &'a str,
    active_to: Option<&'a str>,
}

impl Stored<'_> {
    /// The entity the columns hold; `Corrupt` naming `at` when one does not parse.
    fn entity(&self, at: &str) -> StoreResult<Entity> {
        Ok(Entity {
            kind: parse(at, EntityKind::parse(self.kind))?,
            name: self.name.to_owned(),
            seat: parse(at, Teryt::parse(self.seat))?,
            serves: parse(at, serde_json::from_str(self.serves_json))?,
            operator: parse(at, EntityOperator::parse(self.operator))?,
            active_from: parse(at, Quarter::parse(self.active_from))?,
            active_to: self
                .active_to
                .map(|q| parse(at, Quarter::parse(q)))
                .transpose()?,
        })
    }
}

/// The [`Stored`] columns of an entity row or a revision row (the same names in both).
macro_rules! stored {
    ($row:expr) => {
        Stored {
            kind: &$row.kind,
            name: &$row.name,
            seat: &$row.seat_teryt,
            serves_json: &$row.serves_json,
            operator: &$row.operator,
            active_from: &$row.active_from,
            active_to: $row.active_to.as_deref(),
        }
    };
}

/// The gminas served, as stored: a JSON array of TERYT codes.
fn serves_json(serves: &[Teryt]) -> String {
    serde_json::Value::from(serves.iter().map(Teryt::as_str).collect::<Vec<_>>()).to_string()
}

fn view(r: EntityRow) -> StoreResult<EntityView> {
    let at = format!("entities {}", r.code);
    let e = stored!(r).entity(&at)?;
    Ok(EntityView {
        code: parse(&at, EntityCode::parse(&r.code))?,
        region: parse(&at, RegionCode::parse(&r.region_code))?,
        kind: e.kind,
        name: e.name,
        seat: e.seat,
        serves: e.serves,
        operator: e.operator,
        active_from: e.active_from,
        active_to: e.active_to,
        revision: r.revision,
        created_at: r.created_at,
        updated_at: r.updated_at,
        updated_by: r.updated_by,
    })
}

fn revision_at(r: &EntityRevisionRow) -> String {
    format!("entity_revisions {} revision {}", r.code, r.revision)
}

fn revision_view(r: EntityRevisionRow) -> StoreResult<EntityRevisionView> {
    let at = revision_at(&r);
    let e = stored!(r).entity(&at)?;
    Ok(EntityRevisionView {
        revision: r.revision,
        action: parse(&at, EntityAction::parse(&r.action))?,
        kind: e.kind,
        name: e.name,
        seat: e.seat,
        serves: e.serves,
        operator: e.operator,
        active_from: e.active_from,
        active_to: e.active_to,
        recorded_at: r.recorded_at,
        recorded_by: r.recorded_by,
    })
}

/// The seat and every gmina served exist and lie in one region; returns that region (the
/// seat's). An unknown gmina is a mistake in the input, named with its field.
fn region_of(conn: &mut DbConnection, entity: &Entity) -> StoreResult<String> {
    let wanted: Vec<&str> = entity.serves.iter().map(Teryt::as_str).collect();
    let found: Vec<(String, String)> = schema::gminas::table
        .inner_join(schema::powiats::table)
        .filter(schema::gminas::teryt.eq_any(&wanted))
        .select((schema::gminas::teryt, schema::powiats::region_code))
        .load(conn)?;
    let region = |t: &Teryt| {
        found
            .iter()
            .find(|(g, _)| g == t.as_str())
            .map(|(_, r)| r.clone())
    };
    let unknown = |t: &Teryt| format!("gmina {t} does not exist; GET /api/v1/gminas lists them");
    let seat = &entity.seat;
    let Some(home) = region(seat) else {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "seat",
            unknown(seat),
        )]));
    };
    let errors: Vec<FieldError> = entity
        .serves
        .iter()
        .filter_map(|t| match region(t) {
            None => Some(FieldError::new("serves", unknown(t))),
            Some(r) if r != home => Some(FieldError::new(
                "serves",
                format!("gmina {t} lies in region {r}, not in region {home} of the seat {seat}; an entity serves gminas of its own region"),
            )),
            Some(_) => None,
        })
        .collect();
    if errors.is_empty() {
        Ok(home)
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn load(conn: &mut DbConnection, code: &str) -> StoreResult<Option<EntityRow>> {
    Ok(en::table
        .find(code)
        .select(EntityRow::as_select())
        .first(conn)
        .optional()?)
}

fn load_for_write(conn: &mut DbConnection, code: &str) -> StoreResult<Option<EntityRow>> {
    Ok(crate::conn::row_for_write!(
        conn,
        en::table.find(code),
        EntityRow
    )?)
}

fn record(conn: &mut DbConnection, row: &EntityRow, action: EntityAction) -> StoreResult<()> {
    let rev = EntityRevisionRow {
        code: row.code.clone(),
        revision: row.revision,
        action: action.as_str().to_owned(),
        kind: row.kind.clone(),
        name: row.name.clone(),
        seat_teryt: row.seat_teryt.clone(),
        serves_json: row.serves_json.clone(),
        operator: row.operator.clone(),
        active_from: row.active_from.clone(),
        active_to: row.active_to.clone(),
        recorded_at: row.updated_at.clone(),
        recorded_by: row.updated_by.clone(),
    };
    diesel::insert_into(er::table).values(&rev).execute(conn)?;
    Ok(())
}

/// Creates or replaces the entity, inside the caller's write transaction. With `if_match`
/// listing revisions, one of them must be current (an entity that does not exist is at
/// none). Writing what is stored already changes nothing and records no revision.
pub fn put(
    conn: &mut DbConnection,
    code: &EntityCode,
    entity: &Entity,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<(EntityView, Put)> {
    require_transaction(conn)?;
    let (view, outcome) = write(conn, code, entity, if_match, actor)?;
    let put = match outcome {
        Outcome::Created => Put::Created,
        Outcome::Updated | Outcome::Unchanged => Put::Updated,
    };
    Ok((view, put))
}

/// [`put`], telling an unchanged entity apart (for imports). The caller holds the transaction.
pub(crate) fn write(
    conn: &mut DbConnection,
    code: &EntityCode,
    entity: &Entity,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<(EntityView, Outcome)> {
    let region = region_of(conn, entity)?;
    // `None` only when another request created the entity meanwhile, which only a write
    // without If-Match gets as far as: it asked for its entity to win, so write over that
    // one (once is enough: it exists then).
    match write_once(conn, code, entity, &region, if_match, actor)? {
        Some(done) => Ok(done),
        None => write_once(conn, code, entity, &region, if_match, actor)?
            .ok_or_else(|| StoreError::ChangedMeanwhile(Subject::Entity(code.to_string()))),
    }
}

fn write_once(
    conn: &mut DbConnection,
    code: &EntityCode,
    entity: &Entity,
    region: &str,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<Option<(EntityView, Outcome)>> {
    let subject = || Subject::Entity(code.to_string());
    let current = load_for_write(conn, code.as_str())?;
    let revision = current.as_ref().map(|c| c.revision);
    if if_match.rejects(revision.unwrap_or(i32::MIN)).is_some() {
        return Err(StoreError::StaleRevision {
            subject: subject(),
            current: revision,
            asked: if_match,
        });
    }
    if let Some(cur) = current.as_ref().filter(|c| c.region_code != region) {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "seat",
            format!(
                "entity {code} is registered in region {}, and gmina {} lies in region {region}; an entity cannot move to another region",
                cur.region_code, entity.seat
            ),
        )]));
    }
    let stamp = actor.stamp();
    let mut row = EntityRow {
        code: code.to_string(),
        region_code: region.to_owned(),
        kind: entity.kind.as_str().to_owned(),
        name: entity.name.clone(),
        seat_teryt: entity.seat.to_string(),
        serves_json: serves_json(&entity.serves),
        operator: entity.operator.as_str().to_owned(),
        active_from: entity.active_from.to_string(),
        active_to: entity.active_to.map(|q| q.to_string()),
        revision: 1,
        created_at: stamp.clone(),
        updated_at: stamp,
        updated_by: actor.name.to_owned(),
    };
    let (action, outcome) = match current {
        Some(cur) => {
            row.revision = cur.revision + 1;
            row.created_at.clone_from(&cur.created_at);
            let same = EntityRow {
                revision: cur.revision,
                updated_at: cur.updated_at.clone(),
                updated_by: cur.updated_by.clone(),
                ..row.clone()
            };
            if same == cur {
                return Ok(Some((view(cur)?, Outcome::Unchanged)));
            }
            let changed = diesel::update(
                en::table
                    .filter(en::code.eq(code.as_str()))
                    .filter(en::revision.eq(cur.revision)),
            )
            .set(&row)
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::ChangedMeanwhile(subject()));
            }
            (EntityAction::Update, Outcome::Updated)
        }
        None => {
            // In a savepoint, so that losing the race leaves nothing written and the
            // transaction usable.
            let inserted =
                conn.transaction(|conn| diesel::insert_into(en::table).values(&row).execute(conn));
            match inserted {
                Ok(_) => (EntityAction::Create, Outcome::Created),
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    };
    record(conn, &row, action)?;
    Ok(Some((view(row)?, outcome)))
}

fn not_found(code: &str) -> StoreError {
    StoreError::NotFound(format!("no entity with code {code}"))
}

/// The entity as it is now.
pub fn get(conn: &mut DbConnection, code: &str) -> StoreResult<EntityView> {
    view(load(conn, code)?.ok_or_else(|| not_found(code))?)
}

/// The region's entities, of one kind or all, by code. `NotFound` unless the region exists.
pub fn list(
    conn: &mut DbConnection,
    region: &str,
    kind: Option<EntityKind>,
) -> StoreResult<Vec<EntityView>> {
    crate::events::region_exists(conn, region)?;
    let mut q = en::table.filter(en::region_code.eq(region)).into_boxed();
    if let Some(k) = kind {
        q = q.filter(en::kind.eq(k.as_str()));
    }
    q.order(en::code)
        .select(EntityRow::as_select())
        .load(conn)?
        .into_iter()
        .map(view)
        .collect()
}

/// Every revision of the entity, oldest first. `NotFound` unless it exists.
pub fn revisions(conn: &mut DbConnection, code: &str) -> StoreResult<Vec<EntityRevisionView>> {
    load(conn, code)?.ok_or_else(|| not_found(code))?;
    er::table
        .filter(er::code.eq(code))
        .order(er::revision)
        .select(EntityRevisionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(revision_view)
        .collect()
}

/// Every revision of every entity of the region, by code and revision, as a rollup reads
/// them: the register as it was at any moment is the latest revision of each entity
/// recorded by then.
pub fn revisions_of_region(
    conn: &mut DbConnection,
    region: &str,
) -> StoreResult<Vec<EntityRevision>> {
    let rows: Vec<EntityRevisionRow> = er::table
        .inner_join(en::table)
        .filter(en::region_code.eq(region))
        .order((er::code, er::revision))
        .select(EntityRevisionRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let at = revision_at(&r);
            let e = stored!(r).entity(&at)?;
            Ok(EntityRevision {
                code: parse(&at, EntityCode::parse(&r.code))?,
                revision: r.revision,
                kind: e.kind,
                seat: e.seat,
                serves: e.serves,
                active_from: e.active_from,
                active_to: e.active_to,
                recorded_at: moment(&at, &r.recorded_at)?,
            })
        })
        .collect()
}
