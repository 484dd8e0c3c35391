//! Table rows as diesel sees them. Each is read, inserted and updated whole.

use crate::schema::*;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = regions, primary_key(code))]
pub struct RegionRow {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = powiats, primary_key(code))]
pub struct PowiatRow {
    pub code: String,
    pub region_code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = gminas, primary_key(teryt))]
pub struct GminaRow {
    pub teryt: String,
    pub powiat_code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = subregions, primary_key(code))]
pub struct SubregionRow {
    pub code: String,
    pub region_code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = subregion_powiats, primary_key(powiat_code))]
pub struct SubregionPowiatRow {
    pub powiat_code: String,
    pub subregion_code: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = owes, primary_key(code), treat_none_as_null = true)]
pub struct OwesRow {
    pub code: String,
    pub name: String,
    pub subregion_code: String,
    pub active_from: String,
    pub active_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicators, primary_key(code), treat_none_as_null = true)]
pub struct IndicatorRow {
    pub code: String,
    pub stream: String,
    pub position: i32,
    pub name_pl: String,
    pub kind: String,
    pub unit: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub at_most: Option<String>,
    pub verification_pl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = result_groups, primary_key(code))]
pub struct ResultGroupRow {
    pub code: String,
    pub position: i32,
    pub name_pl: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = result_items, primary_key(code))]
pub struct ResultItemRow {
    pub code: String,
    pub group_code: String,
    pub position: i32,
    pub name_pl: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = event_types, primary_key(code))]
pub struct EventTypeRow {
    pub code: String,
    pub position: i32,
    pub name_pl: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programmes, primary_key(code))]
pub struct ProgrammeRow {
    pub code: String,
    pub region_code: String,
    pub name: String,
    pub start_quarter: String,
    pub end_quarter: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programme_targets, primary_key(programme_code, position), treat_none_as_null = true)]
pub struct TargetRow {
    pub programme_code: String,
    pub position: i32,
    pub indicator: String,
    pub scope: String,
    pub owes_code: Option<String>,
    pub comparator: String,
    pub value: f64,
    pub target_window: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reports, primary_key(stream, unit_code, period), treat_none_as_null = true)]
pub struct ReportRow {
    pub stream: String,
    pub unit_code: String,
    pub period: String,
    pub status: String,
    pub revision: i32,
    pub values_json: String,
    pub results_json: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub approved_at: Option<String>,
    pub return_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_revisions)]
pub struct RevisionRow {
    pub stream: String,
    pub unit_code: String,
    pub period: String,
    pub revision: i32,
    pub action: String,
    pub status: String,
    pub values_json: String,
    pub results_json: Option<String>,
    pub note: Option<String>,
    pub return_reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
    /// Plausibility warnings confirmed with a submission (JSON).
    pub warnings_json: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = lpres, primary_key(teryt), treat_none_as_null = true)]
pub struct LpresRow {
    pub teryt: String,
    pub status: String,
    pub resolution_number: Option<String>,
    pub adopted_on: Option<String>,
    pub plan_from: Option<i32>,
    pub plan_to: Option<i32>,
    pub document_url: Option<String>,
    pub revision: i32,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = lpres_revisions)]
pub struct LpresRevisionRow {
    pub teryt: String,
    pub revision: i32,
    pub status: String,
    pub resolution_number: Option<String>,
    pub adopted_on: Option<String>,
    pub plan_from: Option<i32>,
    pub plan_to: Option<i32>,
    pub document_url: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = events, primary_key(id), treat_none_as_null = true)]
pub struct EventRow {
    pub id: String,
    pub region_code: String,
    pub event_type: String,
    pub event_date: String,
    pub subregion_code: Option<String>,
    pub title: String,
    pub participants: i32,
    pub evidence_url: Option<String>,
    pub withdrawn_at: Option<String>,
    pub revision: i32,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_revisions)]
pub struct EventRevisionRow {
    pub id: String,
    pub revision: i32,
    pub action: String,
    pub event_type: String,
    pub event_date: String,
    pub subregion_code: Option<String>,
    pub title: String,
    pub participants: i32,
    pub evidence_url: Option<String>,
    pub withdrawn_at: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// A current state as the revision that last wrote it (for readers of either, the rollups).
impl From<LpresRow> for LpresRevisionRow {
    fn from(r: LpresRow) -> Self {
        Self {
            teryt: r.teryt,
            revision: r.revision,
            status: r.status,
            resolution_number: r.resolution_number,
            adopted_on: r.adopted_on,
            plan_from: r.plan_from,
            plan_to: r.plan_to,
            document_url: r.document_url,
            recorded_at: r.updated_at,
            recorded_by: r.updated_by,
        }
    }
}

/// A current state as the revision that last wrote it; its action is not kept (empty).
impl From<EventRow> for EventRevisionRow {
    fn from(e: EventRow) -> Self {
        Self {
            id: e.id,
            revision: e.revision,
            action: String::new(),
            event_type: e.event_type,
            event_date: e.event_date,
            subregion_code: e.subregion_code,
            title: e.title,
            participants: e.participants,
            evidence_url: e.evidence_url,
            withdrawn_at: e.withdrawn_at,
            recorded_at: e.updated_at,
            recorded_by: e.updated_by,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = entities, primary_key(code), treat_none_as_null = true)]
pub struct EntityRow {
    pub code: String,
    pub region_code: String,
    pub kind: String,
    pub name: String,
    pub seat_teryt: String,
    pub serves_json: String,
    pub operator: String,
    pub active_from: String,
    pub active_to: Option<String>,
    pub revision: i32,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = entity_revisions)]
pub struct EntityRevisionRow {
    pub code: String,
    pub revision: i32,
    pub action: String,
    pub kind: String,
    pub name: String,
    pub seat_teryt: String,
    pub serves_json: String,
    pub operator: String,
    pub active_from: String,
    pub active_to: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}
