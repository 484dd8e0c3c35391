//! What a rollup answers, as JSON: the figures, completeness, LPRES, results and target
//! evaluations. Every code, period, status and kind keeps its domain type, so the OpenAPI
//! document takes its enums and patterns from the types themselves.

use chrono::NaiveDate;
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::indicator::{IndicatorCode, IndicatorKind, ResultCode, Stream, Unit};
use rops_domain::lpres::LpresStatus;
use rops_domain::number::{grosze_text, rounded};
use rops_domain::period::Quarter;
use rops_domain::reference::{Comparator, TargetWindow};
use rops_domain::report::ReportStatus;
use rops_domain::territory::{RegionCode, Teryt};
use serde::Serialize;
use std::collections::BTreeMap;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A figure in its unit: counts as whole numbers, money in whole grosze (written in złoty
/// with two decimals), shares as fractions; `None` when there is nothing to consolidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    Count(Option<i128>),
    /// Grosze.
    Money(Option<i128>),
    Share(Option<f64>),
}

impl Figure {
    /// A consolidated whole value (count or grosze) in `unit`.
    pub fn whole(unit: Unit, value: Option<i128>) -> Self {
        match unit {
            Unit::Count => Self::Count(value),
            Unit::Pln => Self::Money(value),
            Unit::Share => Self::Share(None),
        }
    }

    pub fn unit(&self) -> Unit {
        match self {
            Self::Count(_) => Unit::Count,
            Self::Money(_) => Unit::Pln,
            Self::Share(_) => Unit::Share,
        }
    }

    /// The figure as a number in its unit (money in złoty), for charts, targets and
    /// spreadsheets; `None` when null. Always finite.
    pub fn value(&self) -> Option<f64> {
        match *self {
            Self::Count(v) => v.map(|n| n as f64),
            Self::Money(v) => v.map(|g| g as f64 / 100.0),
            Self::Share(v) => v.filter(|f| f.is_finite()),
        }
    }

    pub fn is_null(&self) -> bool {
        self.value().is_none()
    }
}

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        match *self {
            Self::Count(Some(n)) => s.serialize_i128(n),
            Self::Money(Some(g)) => serde_json::value::RawValue::from_string(grosze_text(g))
                .map_err(S::Error::custom)?
                .serialize(s),
            Self::Share(Some(v)) if v.is_finite() => s.serialize_f64(rounded(v)),
            _ => s.serialize_none(),
        }
    }
}

/// What a rollup or a target evaluation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Region,
    Subregion,
    Owes,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Subregion => "subregion",
            Self::Owes => "owes",
        }
    }
}

/// The scope of a rollup: its kind and the code of the region, subregion or OWES.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum ScopeRef {
    Region(RegionCode),
    Subregion(SubregionCode),
    Owes(OwesCode),
}

impl ScopeRef {
    pub fn kind(&self) -> ScopeKind {
        match self {
            Self::Region(_) => ScopeKind::Region,
            Self::Subregion(_) => ScopeKind::Subregion,
            Self::Owes(_) => ScopeKind::Owes,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Region(c) => c.as_str(),
            Self::Subregion(c) => c.as_str(),
            Self::Owes(c) => c.as_str(),
        }
    }
}

/// How a figure consolidates: an indicator's kind, or a count of register events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    Flow,
    Stock,
    Ratio,
    EventCount,
}

impl From<IndicatorKind> for FigureKind {
    fn from(kind: IndicatorKind) -> Self {
        match kind {
            IndicatorKind::Flow => Self::Flow,
            IndicatorKind::Stock => Self::Stock,
            IndicatorKind::Ratio => Self::Ratio,
        }
    }
}

impl FigureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flow => "flow",
            Self::Stock => "stock",
            Self::Ratio => "ratio",
            Self::EventCount => "event_count",
        }
    }
}

/// Where a figure comes from: a report stream, or the activity register (`events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureSource {
    Reports(Stream),
    Events,
}

impl FigureSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reports(stream) => stream.as_str(),
            Self::Events => "events",
        }
    }
}

impl Serialize for FigureSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for FigureSource {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let names = Stream::ALL.map(|s| Self::Reports(s).as_str());
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(names.into_iter().chain(["events"])))
            .description(Some(
                "A report stream, or `events` for counts of the activity register",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for FigureSource {}

/// Where a target evaluation stands (DOMAIN.md "Programme targets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Achieved,
    OnTrack,
    AtRisk,
    Behind,
}

impl TargetStatus {
    pub const ALL: [TargetStatus; 4] = [Self::Achieved, Self::OnTrack, Self::AtRisk, Self::Behind];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Achieved => "achieved",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::Behind => "behind",
        }
    }
}

/// The unit a target evaluation is for: a subregion or an OWES.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetUnit {
    Subregion(SubregionCode),
    Owes(OwesCode),
}

impl TargetUnit {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Subregion(c) => c.as_str(),
            Self::Owes(c) => c.as_str(),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TargetUnit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        debug_assert_eq!(SubregionCode::PATTERN, OwesCode::PATTERN);
        rops_domain::openapi::string_schema(
            OwesCode::PATTERN,
            "The subregion or OWES code the evaluation is for",
            "OWES-PN",
        )
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for TargetUnit {}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rollup {
    pub scope: ScopeRef,
    pub from: Quarter,
    pub to: Quarter,
    /// The moment the figures are as of (UTC, RFC 3339).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub as_of: String,
    pub approved_only: bool,
    pub indicators: Vec<IndicatorFigure>,
    pub completeness: Completeness,
    pub lpres: LpresFigures,
    pub results: Vec<ResultCount>,
    pub targets: Vec<TargetEvaluation>,
    /// Gminas covered by reintegration entities.
    pub coverage: super::Coverage,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IndicatorFigure {
    pub code: IndicatorCode,
    pub kind: FigureKind,
    pub stream: FigureSource,
    pub unit: Unit,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub value: Figure,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub numerator: Option<Figure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub denominator: Option<Figure>,
    /// Region scope only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_subregion: Option<Vec<SubregionFigure>>,
    /// OWES indicators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_owes: Option<Vec<OwesFigure>>,
    /// Entity indicators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_entity: Option<Vec<super::EntityFigure>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionFigure {
    pub subregion: SubregionCode,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    #[cfg_attr(feature = "openapi", schema(example = 15))]
    pub value: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwesFigure {
    pub owes: OwesCode,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    #[cfg_attr(feature = "openapi", schema(example = 15))]
    pub value: Figure,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Counts {
    #[cfg_attr(feature = "openapi", schema(example = 12))]
    pub expected: usize,
    #[cfg_attr(feature = "openapi", schema(example = 10))]
    pub received: usize,
    #[cfg_attr(feature = "openapi", schema(example = 8))]
    pub approved: usize,
    #[cfg_attr(feature = "openapi", schema(example = 7))]
    pub on_time: usize,
    /// received ÷ expected; null when nothing is expected.
    #[cfg_attr(feature = "openapi", schema(example = 0.833333))]
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Completeness {
    #[serde(flatten)]
    pub counts: Counts,
    /// Region scope only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_subregion: Option<Vec<SubregionCounts>>,
    /// Each OWES of the scope, in code order, with its counts and where its report for each
    /// quarter of the window stands.
    pub by_owes: Vec<OwesCounts>,
}

/// One OWES's completeness, and its reports quarter by quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwesCounts {
    pub owes: OwesCode,
    pub subregion: SubregionCode,
    #[serde(flatten)]
    pub counts: Counts,
    /// Every quarter of the window, in order.
    pub quarters: Vec<OwesQuarter>,
}

/// Where an OWES's report for one quarter stands, as of the moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwesQuarter {
    pub quarter: Quarter,
    pub reporting: Reporting,
    /// The report's status as of the moment; null when there is no report at all.
    pub status: Option<ReportStatus>,
}

/// A cell of the completeness grid: `not_due` (the quarter has not ended before the day of
/// `as_of`), `inactive` (the OWES was not active in it), `missing` (no counted report),
/// `late` or `on_time` (a counted report, first submitted after or by the deadline). Only
/// `missing`, `late` and `on_time` are expected quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    NotDue,
    Inactive,
    Missing,
    Late,
    OnTime,
}

impl Reporting {
    pub const ALL: [Reporting; 5] = [
        Self::OnTime,
        Self::Late,
        Self::Missing,
        Self::NotDue,
        Self::Inactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotDue => "not_due",
            Self::Inactive => "inactive",
            Self::Missing => "missing",
            Self::Late => "late",
            Self::OnTime => "on_time",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionCounts {
    pub subregion: SubregionCode,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LpresFigures {
    #[cfg_attr(feature = "openapi", schema(example = 71))]
    pub gminas: usize,
    #[cfg_attr(feature = "openapi", schema(example = 2))]
    pub adopted: usize,
    /// adopted ÷ gminas.
    #[cfg_attr(feature = "openapi", schema(example = 0.028169))]
    pub share: Option<f64>,
    /// Region scope only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_subregion: Option<Vec<SubregionLpres>>,
    /// Gminas per current status (`none` when never reported).
    pub by_status: BTreeMap<LpresStatus, usize>,
    /// Each gmina of the scope, in TERYT order, with its status as recorded at the moment.
    pub by_gmina: Vec<GminaLpresAsOf>,
}

/// A gmina's LPRES as recorded at the moment of the rollup.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GminaLpresAsOf {
    pub teryt: Teryt,
    pub subregion: Option<SubregionCode>,
    /// The status (`none` when never reported; see `reported`).
    pub status: LpresStatus,
    /// Whether the gmina had reported any status by the moment.
    pub reported: bool,
    #[cfg_attr(feature = "openapi", schema(example = "XLV/512/2023"))]
    pub resolution_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date, example = "2023-10-26"))]
    pub adopted_on: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(example = 2023))]
    pub plan_from: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(example = 2028))]
    pub plan_to: Option<i32>,
    /// Whether it counts in `adopted` for this window (adopted by its last day, plan not over
    /// before its last year).
    pub adopted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionLpres {
    pub subregion: SubregionCode,
    #[cfg_attr(feature = "openapi", schema(example = 22))]
    pub gminas: usize,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub adopted: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResultCount {
    pub code: ResultCode,
    /// Gminas that report this result in a counted annual report of the window.
    pub gminas: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TargetEvaluation {
    pub indicator: IndicatorCode,
    pub scope: ScopeKind,
    /// The subregion or OWES; null for the region.
    pub unit: Option<TargetUnit>,
    pub comparator: Comparator,
    #[cfg_attr(feature = "openapi", schema(example = 40.0))]
    pub target: f64,
    pub window: TargetWindow,
    #[cfg_attr(feature = "openapi", schema(example = 15.0))]
    pub actual: f64,
    #[cfg_attr(feature = "openapi", schema(example = 10.0))]
    pub expected_to_date: f64,
    pub status: TargetStatus,
}
