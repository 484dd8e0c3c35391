//! What a rollup answers, as JSON: the figures, completeness, LPRES, results and target
//! evaluations. Codes are plain strings here: this is the serialized shape, kept stable.

use rops_domain::indicator::Unit;
use rops_domain::number::grosze_text;
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
            Self::Share(Some(v)) if v.is_finite() => s.serialize_f64((v * 1e6).round() / 1e6),
            _ => s.serialize_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ScopeRef {
    /// `region`, `subregion` or `owes`.
    #[cfg_attr(feature = "openapi", schema(example = "region"))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(example = "16"))]
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rollup {
    pub scope: ScopeRef,
    #[cfg_attr(feature = "openapi", schema(example = "2024-Q1"))]
    pub from: String,
    #[cfg_attr(feature = "openapi", schema(example = "2024-Q4"))]
    pub to: String,
    /// The moment the figures are as of (UTC, RFC 3339).
    pub as_of: String,
    pub approved_only: bool,
    pub indicators: Vec<IndicatorFigure>,
    pub completeness: Completeness,
    pub lpres: LpresFigures,
    pub results: Vec<ResultCount>,
    pub targets: Vec<TargetEvaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IndicatorFigure {
    #[cfg_attr(feature = "openapi", schema(example = "jobs_created"))]
    pub code: String,
    /// `flow`, `stock`, `ratio` or `event_count`.
    pub kind: String,
    /// `owes`, `gmina`, or `events` for event counts.
    pub stream: String,
    /// `count`, `pln` or `share`.
    pub unit: String,
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionFigure {
    #[cfg_attr(feature = "openapi", schema(example = "OPL-PN"))]
    pub subregion: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    #[cfg_attr(feature = "openapi", schema(example = 15))]
    pub value: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwesFigure {
    #[cfg_attr(feature = "openapi", schema(example = "OWES-PN"))]
    pub owes: String,
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionCounts {
    #[cfg_attr(feature = "openapi", schema(example = "OPL-PN"))]
    pub subregion: String,
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
    pub by_status: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionLpres {
    #[cfg_attr(feature = "openapi", schema(example = "OPL-PN"))]
    pub subregion: String,
    #[cfg_attr(feature = "openapi", schema(example = 22))]
    pub gminas: usize,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub adopted: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResultCount {
    #[cfg_attr(feature = "openapi", schema(example = "A1"))]
    pub code: String,
    /// Gminas that report this result in a counted annual report of the window.
    pub gminas: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TargetEvaluation {
    #[cfg_attr(feature = "openapi", schema(example = "jobs_created"))]
    pub indicator: String,
    /// `region`, `subregion` or `owes`.
    #[cfg_attr(feature = "openapi", schema(example = "owes"))]
    pub scope: String,
    /// The subregion or OWES; null for the region.
    #[cfg_attr(feature = "openapi", schema(example = "OWES-PN"))]
    pub unit: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "at_least"))]
    pub comparator: String,
    #[cfg_attr(feature = "openapi", schema(example = 40.0))]
    pub target: f64,
    /// `programme` or `annual`.
    #[cfg_attr(feature = "openapi", schema(example = "programme"))]
    pub window: String,
    #[cfg_attr(feature = "openapi", schema(example = 15.0))]
    pub actual: f64,
    #[cfg_attr(feature = "openapi", schema(example = 10.0))]
    pub expected_to_date: f64,
    /// `achieved`, `on_track`, `at_risk` or `behind`.
    #[cfg_attr(feature = "openapi", schema(example = "on_track"))]
    pub status: String,
}
