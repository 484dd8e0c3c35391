//! The ROPS activity register. Editing or withdrawing an event keeps every earlier revision;
//! a withdrawn event stays stored but is no longer listed or counted. The writes run inside
//! the caller's write transaction.

use crate::conn::require_transaction;
use crate::reports::Actor;
use crate::rows::{EventRevisionRow, EventRow};
use crate::schema::{self, event_revisions as er, events as ev};
use crate::{DbConnection, IfMatch, StoreError, StoreResult, Subject};
use diesel::prelude::*;
use rand::RngCore;
use rops_domain::event::EventFields;
use rops_domain::validation::FieldError;
use serde::Serialize;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An event of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EventView {
    #[cfg_attr(feature = "openapi", schema(example = "3f2a9c1d0b7e4a56"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::event::EventId))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode))]
    pub region: String,
    #[cfg_attr(feature = "openapi", schema(example = "business_meeting"))]
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorCode))]
    pub event_type: String,
    #[cfg_attr(feature = "openapi", schema(example = "2024-05-14"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: String,
    /// Where it took place; null for region-wide.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::code::SubregionCode>))]
    pub subregion: Option<String>,
    pub title: String,
    pub participants: i32,
    pub evidence_url: Option<String>,
    /// When it was withdrawn; withdrawn events are not counted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub withdrawn_at: Option<String>,
    pub revision: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: String,
    pub updated_by: String,
}

/// One revision of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EventRevision {
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub revision: i32,
    /// `create`, `update` or `withdraw`.
    #[cfg_attr(feature = "openapi", schema(example = "create"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::event::EventAction))]
    pub action: String,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(example = "business_meeting"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorCode))]
    pub event_type: String,
    #[cfg_attr(feature = "openapi", schema(example = "2024-05-14"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: String,
    #[cfg_attr(feature = "openapi", schema(example = "OPL-PN"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::code::SubregionCode>))]
    pub subregion: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Spotkanie PES z przedsiębiorcami")
    )]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(example = 23))]
    pub participants: i32,
    pub evidence_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub withdrawn_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2024-05-15T08:00:00.000000Z"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: String,
    #[cfg_attr(feature = "openapi", schema(example = "rops-analityk"))]
    pub recorded_by: String,
}

/// An event with its revisions, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventView,
    pub revisions: Vec<EventRevision>,
}

/// An event's checked fields plus what needs stored data to check.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub event_type: String,
    pub subregion: Option<String>,
    pub fields: EventFields,
}

fn view(r: EventRow) -> EventView {
    EventView {
        id: r.id,
        region: r.region_code,
        event_type: r.event_type,
        date: r.event_date,
        subregion: r.subregion_code,
        title: r.title,
        participants: r.participants,
        evidence_url: r.evidence_url,
        withdrawn_at: r.withdrawn_at,
        revision: r.revision,
        created_at: r.created_at,
        updated_at: r.updated_at,
        updated_by: r.updated_by,
    }
}

/// The type is known and the subregion lies in the region.
fn check_refs(conn: &mut DbConnection, region: &str, draft: &EventDraft) -> StoreResult<()> {
    let mut errors = Vec::new();
    let types: Vec<String> = schema::event_types::table
        .order(schema::event_types::position)
        .select(schema::event_types::code)
        .load(conn)?;
    if !types.contains(&draft.event_type) {
        errors.push(FieldError::new(
            "type",
            format!(
                "unknown event type `{}`; the types are {}",
                draft.event_type,
                types.join(", ")
            ),
        ));
    }
    if let Some(sub) = &draft.subregion {
        let owner: Option<String> = schema::subregions::table
            .find(sub)
            .select(schema::subregions::region_code)
            .first(conn)
            .optional()?;
        match owner {
            None => errors.push(FieldError::new("subregion", format!("subregion {sub} does not exist"))),
            Some(r) if r != region => errors.push(FieldError::new(
                "subregion",
                format!("subregion {sub} belongs to region {r}, not {region}; use null for a region-wide event"),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn record(conn: &mut DbConnection, row: &EventRow, action: &str) -> StoreResult<()> {
    let rev = EventRevisionRow {
        id: row.id.clone(),
        revision: row.revision,
        action: action.to_owned(),
        event_type: row.event_type.clone(),
        event_date: row.event_date.clone(),
        subregion_code: row.subregion_code.clone(),
        title: row.title.clone(),
        participants: row.participants,
        evidence_url: row.evidence_url.clone(),
        withdrawn_at: row.withdrawn_at.clone(),
        recorded_at: row.updated_at.clone(),
        recorded_by: row.updated_by.clone(),
    };
    diesel::insert_into(er::table).values(&rev).execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    region: &str,
    draft: &EventDraft,
    actor: &Actor<'_>,
) -> StoreResult<EventView> {
    require_transaction(conn)?;
    region_exists(conn, region)?;
    check_refs(conn, region, draft)?;
    let mut id = [0u8; 8];
    rand::rng().fill_bytes(&mut id);
    let stamp = actor.stamp();
    let row = EventRow {
        id: id.iter().map(|b| format!("{b:02x}")).collect(),
        region_code: region.to_owned(),
        event_type: draft.event_type.clone(),
        event_date: draft.fields.date.to_string(),
        subregion_code: draft.subregion.clone(),
        title: draft.fields.title.clone(),
        participants: draft.fields.participants,
        evidence_url: draft.fields.evidence_url.clone(),
        withdrawn_at: None,
        revision: 1,
        created_at: stamp.clone(),
        updated_at: stamp,
        updated_by: actor.name.to_owned(),
    };
    diesel::insert_into(ev::table).values(&row).execute(conn)?;
    record(conn, &row, "create")?;
    Ok(view(row))
}

fn load(conn: &mut DbConnection, id: &str) -> StoreResult<EventRow> {
    ev::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no event with id {id}")))
}

fn load_for_write(conn: &mut DbConnection, id: &str) -> StoreResult<EventRow> {
    crate::conn::row_for_write!(conn, ev::table.find(id), EventRow)?
        .ok_or_else(|| StoreError::NotFound(format!("no event with id {id}")))
}

fn change(
    conn: &mut DbConnection,
    id: &str,
    if_match: IfMatch,
    actor: &Actor<'_>,
    action: &str,
    edit: impl FnOnce(&mut DbConnection, &mut EventRow) -> StoreResult<()>,
) -> StoreResult<EventView> {
    require_transaction(conn)?;
    let current = load_for_write(conn, id)?;
    if if_match.rejects(current.revision).is_some() {
        return Err(StoreError::StaleRevision {
            subject: Subject::Event(id.to_owned()),
            current: Some(current.revision),
            asked: if_match,
        });
    }
    if current.withdrawn_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "event {id} was withdrawn; record a new event instead"
        )));
    }
    let mut row = current.clone();
    edit(conn, &mut row)?;
    row.revision = current.revision + 1;
    row.updated_at = actor.stamp();
    row.updated_by = actor.name.to_owned();
    let changed = diesel::update(
        ev::table
            .filter(ev::id.eq(id))
            .filter(ev::revision.eq(current.revision)),
    )
    .set(&row)
    .execute(conn)?;
    if changed != 1 {
        return Err(StoreError::ChangedMeanwhile(Subject::Event(id.to_owned())));
    }
    record(conn, &row, action)?;
    Ok(view(row))
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    draft: &EventDraft,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<EventView> {
    change(conn, id, if_match, actor, "update", |conn, row| {
        check_refs(conn, &row.region_code.clone(), draft)?;
        row.event_type = draft.event_type.clone();
        row.event_date = draft.fields.date.to_string();
        row.subregion_code = draft.subregion.clone();
        row.title = draft.fields.title.clone();
        row.participants = draft.fields.participants;
        row.evidence_url = draft.fields.evidence_url.clone();
        Ok(())
    })
}

pub fn withdraw(
    conn: &mut DbConnection,
    id: &str,
    if_match: IfMatch,
    actor: &Actor<'_>,
) -> StoreResult<EventView> {
    let stamp = actor.stamp();
    change(conn, id, if_match, actor, "withdraw", |_, row| {
        row.withdrawn_at = Some(stamp);
        Ok(())
    })
}

/// The region of an event, `None` when there is no such event.
pub fn region_of(conn: &mut DbConnection, id: &str) -> StoreResult<Option<String>> {
    Ok(ev::table
        .find(id)
        .select(ev::region_code)
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<EventDetail> {
    let row = load(conn, id)?;
    let revisions: Vec<EventRevisionRow> = er::table
        .filter(er::id.eq(id))
        .order(er::revision)
        .select(EventRevisionRow::as_select())
        .load(conn)?;
    Ok(EventDetail {
        event: view(row),
        revisions: revisions
            .into_iter()
            .map(|r| EventRevision {
                revision: r.revision,
                action: r.action,
                event_type: r.event_type,
                date: r.event_date,
                subregion: r.subregion_code,
                title: r.title,
                participants: r.participants,
                evidence_url: r.evidence_url,
                withdrawn_at: r.withdrawn_at,
                recorded_at: r.recorded_at,
                recorded_by: r.recorded_by,
            })
            .collect(),
    })
}

/// Which events to list: dates inclusive, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub event_type: Option<String>,
    pub subregion: Option<String>,
}

/// The region's events that were not withdrawn, by date.
/// `NotFound` unless the region exists.
pub(crate) fn region_exists(conn: &mut DbConnection, region: &str) -> StoreResult<()> {
    let found = schema::regions::table
        .find(region)
        .count()
        .get_result::<i64>(conn)?;
    if found == 0 {
        return Err(StoreError::NotFound(format!(
            "no region with code {region}"
        )));
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    region: &str,
    filter: &EventFilter,
) -> StoreResult<Vec<EventView>> {
    region_exists(conn, region)?;
    let mut q = ev::table
        .filter(ev::region_code.eq(region))
        .filter(ev::withdrawn_at.is_null())
        .into_boxed();
    if let Some(d) = &filter.from_date {
        q = q.filter(ev::event_date.ge(d.clone()));
    }
    if let Some(d) = &filter.to_date {
        q = q.filter(ev::event_date.le(d.clone()));
    }
    if let Some(t) = &filter.event_type {
        q = q.filter(ev::event_type.eq(t.clone()));
    }
    if let Some(s) = &filter.subregion {
        q = q.filter(ev::subregion_code.eq(s.clone()));
    }
    let rows: Vec<EventRow> = q
        .order((ev::event_date, ev::id))
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(view).collect())
}
