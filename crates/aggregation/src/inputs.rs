//! What a rollup is computed from: reference data and the full revision histories of
//! reports, LPRES statuses and events. Picking what was recorded as of a moment is part of
//! the rollup, so it is pure and testable.

use chrono::{DateTime, NaiveDate, Utc};
use rops_domain::indicator::{IndicatorDef, Stream};
use rops_domain::lpres::LpresStatus;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus};
use rops_domain::values::Values;

#[derive(Debug, Clone, PartialEq)]
pub struct OwesUnit {
    pub code: String,
    pub subregion: String,
    pub active_from: Quarter,
    pub active_to: Option<Quarter>,
}

impl OwesUnit {
    pub fn active_in(&self, q: Quarter) -> bool {
        self.active_from <= q && self.active_to.is_none_or(|to| q <= to)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GminaUnit {
    pub teryt: String,
    pub subregion: Option<String>,
}

/// A programme target with its programme's span.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub programme_from: Quarter,
    pub programme_to: Quarter,
    pub indicator: String,
    pub scope: TargetScope,
    pub owes: Option<String>,
    pub value: f64,
    pub window: TargetWindow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRevision {
    pub stream: Stream,
    pub unit: String,
    pub period: ReportPeriod,
    pub revision: i32,
    /// `create`, `update`, `import`, `submit`, `approve`, `return` or `reopen`.
    pub action: String,
    pub status: ReportStatus,
    pub values: Values,
    pub results: Vec<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LpresRevision {
    pub teryt: String,
    pub revision: i32,
    pub status: LpresStatus,
    pub adopted_on: Option<NaiveDate>,
    pub plan_to: Option<i32>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRevision {
    pub id: String,
    pub revision: i32,
    pub event_type: String,
    pub date: NaiveDate,
    pub subregion: Option<String>,
    pub withdrawn: bool,
    pub recorded_at: DateTime<Utc>,
}

/// Everything about one region a rollup needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub region: String,
    pub subregions: Vec<String>,
    pub owes: Vec<OwesUnit>,
    pub gminas: Vec<GminaUnit>,
    /// Both catalogues, in catalogue order.
    pub indicators: Vec<IndicatorDef>,
    pub event_types: Vec<String>,
    pub result_codes: Vec<String>,
    pub targets: Vec<Target>,
    pub report_revisions: Vec<ReportRevision>,
    pub lpres_revisions: Vec<LpresRevision>,
    pub event_revisions: Vec<EventRevision>,
}

/// Whose figures: the whole region, one subregion, or one OWES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Region,
    Subregion(String),
    Owes(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub scope: Scope,
    pub window: Window,
    pub as_of: DateTime<Utc>,
    pub approved_only: bool,
    /// Days after a quarter's end by which a report is on time.
    pub deadline_days: i64,
}
