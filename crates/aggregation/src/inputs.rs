//! What a rollup is computed from: reference data and the full revision histories of
//! reports, LPRES statuses and events. Picking what was recorded as of a moment is part of
//! the rollup, so it is pure and testable.

use chrono::{DateTime, NaiveDate, Utc};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::entity::{EntityCode, EntityKind};
use rops_domain::indicator::{IndicatorCode, IndicatorDef, ResultCode, Stream};
use rops_domain::lpres::LpresStatus;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction};
use rops_domain::territory::{RegionCode, Teryt};
use rops_domain::values::Values;

#[derive(Debug, Clone, PartialEq)]
pub struct OwesUnit {
    pub code: OwesCode,
    pub subregion: SubregionCode,
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
    pub teryt: Teryt,
    pub subregion: Option<SubregionCode>,
}

/// A programme target with its programme's span.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub programme_from: Quarter,
    pub programme_to: Quarter,
    /// An indicator, an event type or `lpres_adopted`.
    pub indicator: IndicatorCode,
    pub scope: TargetScope,
    pub owes: Option<OwesCode>,
    pub value: f64,
    pub window: TargetWindow,
}

/// Who a report is from; the kind of code says which stream.
pub use rops_domain::stream::UnitCode as ReportingUnit;

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRevision {
    pub unit: ReportingUnit,
    pub period: ReportPeriod,
    pub revision: i32,
    pub action: RevisionAction,
    pub status: ReportStatus,
    pub values: Values,
    pub results: Vec<ResultCode>,
    pub recorded_at: DateTime<Utc>,
    /// When the report was first submitted, when that is known without its history: the
    /// store reads a report's current state (one "revision" per report) for a rollup as of
    /// now, and the first submission comes with it. `None` for a revision of the history,
    /// whose first submission is its earliest `submit`.
    pub first_submitted_at: Option<DateTime<Utc>>,
}

impl ReportRevision {
    pub fn stream(&self) -> Stream {
        self.unit.stream()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LpresRevision {
    pub teryt: Teryt,
    pub revision: i32,
    pub status: LpresStatus,
    /// The council's resolution (adopted or repealed plans), for people reading the map.
    pub resolution_number: Option<String>,
    pub adopted_on: Option<NaiveDate>,
    pub plan_from: Option<i32>,
    pub plan_to: Option<i32>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRevision {
    pub id: String,
    pub revision: i32,
    pub event_type: IndicatorCode,
    pub date: NaiveDate,
    pub subregion: Option<SubregionCode>,
    pub withdrawn: bool,
    pub recorded_at: DateTime<Utc>,
}

/// One revision of a reintegration entity of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRevision {
    pub code: EntityCode,
    pub revision: i32,
    pub kind: EntityKind,
    pub seat: Teryt,
    /// The gminas it serves, its seat among them.
    pub serves: Vec<Teryt>,
    pub active_from: Quarter,
    pub active_to: Option<Quarter>,
    pub recorded_at: DateTime<Utc>,
}

impl EntityRevision {
    pub fn active_in(&self, q: Quarter) -> bool {
        self.active_from <= q && self.active_to.is_none_or(|to| q <= to)
    }
}

/// The quarters whose reports, events and LPRES statuses a rollup of `window` reads: the
/// window itself and the span of every target evaluated at its last quarter (a programme's
/// quarters so far, or the year of an annual target). The store reads no more than this, so
/// a rollup costs what its window holds, not the region's whole history.
pub fn reads(targets: &[Target], window: Window) -> Window {
    let q = window.to;
    let from = targets
        .iter()
        .filter_map(|t| match t.window {
            TargetWindow::Programme => (t.programme_from <= q).then_some(t.programme_from),
            TargetWindow::Annual => Quarter::new(q.year(), 1).ok(),
        })
        .fold(window.from, Quarter::min);
    Window { from, to: q }
}

/// Everything about one region a rollup needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub region: RegionCode,
    pub subregions: Vec<SubregionCode>,
    pub owes: Vec<OwesUnit>,
    pub gminas: Vec<GminaUnit>,
    /// Both catalogues, in catalogue order.
    pub indicators: Vec<IndicatorDef>,
    pub event_types: Vec<IndicatorCode>,
    pub result_codes: Vec<ResultCode>,
    pub targets: Vec<Target>,
    /// Every revision of the reports of the quarters the rollup reads (see [`reads`]), or,
    /// as of now, each report's current state.
    pub report_revisions: Vec<ReportRevision>,
    pub lpres_revisions: Vec<LpresRevision>,
    pub event_revisions: Vec<EventRevision>,
    /// The register of reintegration entities of the region, every revision.
    pub entity_revisions: Vec<EntityRevision>,
}

/// Whose figures: the whole region, one subregion, or one OWES.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Region,
    Subregion(SubregionCode),
    Owes(OwesCode),
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
