//! The rollup: every indicator, the reporting completeness, the LPRES picture, the results
//! checklist and every programme target, for one scope and window, as of one moment.
//!
//! Rules (DOMAIN.md), and the cases it leaves open, decided here:
//! - Only reports whose status, as of the moment, is `submitted` or `approved` count
//!   (`approved_only`: approved only). The state as of a moment is the last revision recorded
//!   at or before it.
//! - A gmina annual report counts in a window when its year's Q4 lies in it.
//! - Flows sum; stocks take each unit's latest reported period in the window and sum those;
//!   ratios are sum(numerator) / sum(denominator) over the unit-periods that report both.
//!   An indicator nobody reported in the window has the value `null` (not 0); a ratio whose
//!   denominator sums to 0 is `null`.
//! - Events count in the quarter holding their date; withdrawn events never count. In a region
//!   rollup, region-wide events (no subregion) count for the region but for no subregion, so
//!   `by_subregion` may add up to less than the region.
//! - An OWES rollup covers that OWES's reports; gmina-based figures (gmina indicators, LPRES,
//!   results, events) cover its subregion, the area it serves.
//! - `lpres_adopted`: gminas whose status, as recorded at the moment, is `adopted`, with an
//!   adoption date on or before the window's last day and a last plan year not before the
//!   window's last year.
//! - Completeness counts OWES quarters that ended before the day of `as_of` and in which the
//!   OWES was active; `on_time` when the first submission came no later than the quarter's
//!   last day plus the deadline days.
//! - Targets are evaluated at the window's last quarter. A target's unit set follows its
//!   scope; a rollup shows the evaluations whose unit lies in its own scope. A null actual
//!   counts as 0 for the status. `each_owes` evaluates the OWES active in the target window.

use crate::inputs::*;
use crate::{consolidate, share, Observation};
use chrono::{DateTime, Utc};
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream, Unit, LPRES_ADOPTED};
use rops_domain::lpres::LpresStatus;
use rops_domain::number::grosze_text;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus};
use rops_domain::values::Values;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// A report as it stood at the moment.
#[derive(Debug, Clone)]
pub(crate) struct Stood<'a> {
    pub stream: Stream,
    pub unit: &'a str,
    pub period: ReportPeriod,
    pub status: ReportStatus,
    pub values: &'a Values,
    pub results: &'a [String],
    pub first_submitted: Option<DateTime<Utc>>,
}

/// Each report's last revision recorded at or before `as_of`, in key order.
pub(crate) fn reports_as_of(revisions: &[ReportRevision], as_of: DateTime<Utc>) -> Vec<Stood<'_>> {
    let mut last: BTreeMap<(Stream, &str, ReportPeriod), &ReportRevision> = BTreeMap::new();
    let mut first_submit: HashMap<(Stream, &str, ReportPeriod), DateTime<Utc>> = HashMap::new();
    for r in revisions.iter().filter(|r| r.recorded_at <= as_of) {
        let key = (r.stream, r.unit.as_str(), r.period);
        let slot = last.entry(key).or_insert(r);
        if r.revision > slot.revision {
            *slot = r;
        }
        if r.action == "submit" {
            let first = first_submit.entry(key).or_insert(r.recorded_at);
            *first = (*first).min(r.recorded_at);
        }
    }
    last.into_iter()
        .map(|(key, r)| Stood {
            stream: r.stream,
            unit: &r.unit,
            period: r.period,
            status: r.status,
            values: &r.values,
            results: &r.results,
            first_submitted: first_submit.get(&key).copied(),
        })
        .collect()
}

fn period_quarter(p: ReportPeriod) -> Quarter {
    match p {
        ReportPeriod::Quarter(q) => q,
        ReportPeriod::Year(_) => p.quarters().1,
    }
}

/// Who a figure is about.
#[derive(Debug, Clone)]
struct Units<'a> {
    owes: Vec<&'a str>,
    gminas: Vec<&'a str>,
    /// Events of one subregion, or of the whole region when `None`.
    event_subregion: Option<&'a str>,
}

struct Engine<'a> {
    inputs: &'a Inputs,
    /// Units in code order, so no output depends on the order of the inputs.
    subregions: Vec<&'a String>,
    owes: Vec<&'a OwesUnit>,
    gminas: Vec<&'a GminaUnit>,
    req: &'a Request,
    stood: Vec<Stood<'a>>,
    lpres: HashMap<&'a str, &'a LpresRevision>,
    events: Vec<&'a EventRevision>,
}

impl<'a> Engine<'a> {
    fn new(inputs: &'a Inputs, req: &'a Request) -> Self {
        let mut lpres: HashMap<&str, &LpresRevision> = HashMap::new();
        for l in inputs
            .lpres_revisions
            .iter()
            .filter(|l| l.recorded_at <= req.as_of)
        {
            let slot = lpres.entry(l.teryt.as_str()).or_insert(l);
            if l.revision > slot.revision {
                *slot = l;
            }
        }
        let mut events: BTreeMap<&str, &EventRevision> = BTreeMap::new();
        for e in inputs
            .event_revisions
            .iter()
            .filter(|e| e.recorded_at <= req.as_of)
        {
            let slot = events.entry(e.id.as_str()).or_insert(e);
            if e.revision > slot.revision {
                *slot = e;
            }
        }
        let mut subregions: Vec<&String> = inputs.subregions.iter().collect();
        subregions.sort();
        let mut owes: Vec<&OwesUnit> = inputs.owes.iter().collect();
        owes.sort_by(|a, b| a.code.cmp(&b.code));
        let mut gminas: Vec<&GminaUnit> = inputs.gminas.iter().collect();
        gminas.sort_by(|a, b| a.teryt.cmp(&b.teryt));
        Self {
            inputs,
            subregions,
            owes,
            gminas,
            req,
            stood: reports_as_of(&inputs.report_revisions, req.as_of),
            lpres,
            events: events.into_values().filter(|e| !e.withdrawn).collect(),
        }
    }

    fn region_units(&self) -> Units<'a> {
        Units {
            owes: self.owes.iter().map(|o| o.code.as_str()).collect(),
            gminas: self.gminas.iter().map(|g| g.teryt.as_str()).collect(),
            event_subregion: None,
        }
    }

    fn subregion_units(&self, sub: &'a str) -> Units<'a> {
        Units {
            owes: self
                .owes
                .iter()
                .filter(|o| o.subregion == sub)
                .map(|o| o.code.as_str())
                .collect(),
            gminas: self
                .inputs
                .gminas
                .iter()
                .filter(|g| g.subregion.as_deref() == Some(sub))
                .map(|g| g.teryt.as_str())
                .collect(),
            event_subregion: Some(sub),
        }
    }

    fn owes_units(&self, owes: &'a OwesUnit) -> Units<'a> {
        Units {
            owes: vec![owes.code.as_str()],
            ..self.subregion_units(&owes.subregion)
        }
    }

    fn counted(&self) -> impl Iterator<Item = &Stood<'a>> {
        let approved_only = self.req.approved_only;
        self.stood
            .iter()
            .filter(move |s| s.status.counts(approved_only))
    }

    fn observations(&self, stream: Stream, code: &str, units: &[&str]) -> Vec<Observation<'a>> {
        self.counted()
            .filter(|s| s.stream == stream && units.contains(&s.unit))
            .filter_map(|s| {
                let v = s.values.get(code).copied().flatten()?;
                Some(Observation {
                    unit: s.unit,
                    quarter: period_quarter(s.period),
                    value: v.whole(),
                })
            })
            .collect()
    }

    fn unit_list<'u>(def: &IndicatorDef, units: &'u Units<'a>) -> &'u [&'a str] {
        match def.stream {
            Stream::Owes => &units.owes,
            Stream::Gmina => &units.gminas,
        }
    }

    /// (value, numerator, denominator) of an indicator for units over a window.
    fn indicator(
        &self,
        def: &IndicatorDef,
        units: &Units<'a>,
        window: Window,
    ) -> (Figure, Option<i128>, Option<i128>) {
        let list = Self::unit_list(def, units);
        match def.kind {
            IndicatorKind::Flow | IndicatorKind::Stock => (
                Figure::whole(
                    def.unit,
                    consolidate(
                        def.kind,
                        window,
                        &self.observations(def.stream, def.code.as_str(), list),
                    ),
                ),
                None,
                None,
            ),
            IndicatorKind::Ratio => {
                let (Some(n), Some(d)) = (&def.numerator, &def.denominator) else {
                    return (Figure::Share(None), None, None);
                };
                let (mut num, mut den) = (Vec::new(), Vec::new());
                for s in self
                    .counted()
                    .filter(|s| s.stream == def.stream && list.contains(&s.unit))
                {
                    let pick = |c: &str| s.values.get(c).copied().flatten().map(|a| a.whole());
                    if let (Some(a), Some(b)) = (pick(n.as_str()), pick(d.as_str())) {
                        let quarter = period_quarter(s.period);
                        num.push(Observation {
                            unit: s.unit,
                            quarter,
                            value: a,
                        });
                        den.push(Observation {
                            unit: s.unit,
                            quarter,
                            value: b,
                        });
                    }
                }
                let ns = consolidate(IndicatorKind::Flow, window, &num);
                let ds = consolidate(IndicatorKind::Flow, window, &den);
                let ratio = match (ns, ds) {
                    (Some(a), Some(b)) => share(a, b),
                    _ => None,
                };
                (Figure::Share(ratio), ns, ds)
            }
        }
    }

    fn event_count(&self, event_type: &str, units: &Units<'_>, window: Window) -> usize {
        self.events
            .iter()
            .filter(|e| e.event_type == event_type && window.contains(Quarter::containing(e.date)))
            .filter(|e| {
                units
                    .event_subregion
                    .is_none_or(|s| e.subregion.as_deref() == Some(s))
            })
            .count()
    }

    fn status_of(&self, teryt: &str) -> LpresStatus {
        self.lpres
            .get(teryt)
            .map_or(LpresStatus::None, |l| l.status)
    }

    fn lpres_adopted(&self, gminas: &[&str], window: Window) -> usize {
        let last_day = window.to.last_day();
        gminas
            .iter()
            .filter_map(|g| self.lpres.get(g))
            .filter(|l| l.status == LpresStatus::Adopted)
            .filter(|l| l.adopted_on.is_some_and(|d| d <= last_day))
            .filter(|l| l.plan_to.is_some_and(|y| y >= window.to.year()))
            .count()
    }

    /// Any measure a target may name, as a number (nothing reported counts as 0).
    fn measure(&self, code: &str, units: &Units<'a>, window: Window) -> f64 {
        if let Some(def) = self
            .inputs
            .indicators
            .iter()
            .find(|d| d.code.as_str() == code)
        {
            self.indicator(def, units, window).0.value().unwrap_or(0.0)
        } else if code == LPRES_ADOPTED {
            self.lpres_adopted(&units.gminas, window) as f64
        } else {
            self.event_count(code, units, window) as f64
        }
    }

    fn figures(&self, units: &Units<'a>) -> Vec<IndicatorFigure> {
        let w = self.req.window;
        let region = matches!(self.req.scope, Scope::Region);
        let mut out = Vec::new();
        for def in &self.inputs.indicators {
            let (value, num, den) = self.indicator(def, units, w);
            let part = |code: &Option<rops_domain::indicator::IndicatorCode>, v| {
                let unit = code
                    .as_ref()
                    .and_then(|c| self.inputs.indicators.iter().find(|d| &d.code == c))
                    .map_or(Unit::Pln, |d| d.unit);
                Figure::whole(unit, v)
            };
            let is_ratio = def.kind == IndicatorKind::Ratio;
            out.push(IndicatorFigure {
                code: def.code.to_string(),
                kind: def.kind.as_str().to_owned(),
                stream: def.stream.as_str().to_owned(),
                unit: def.unit.as_str().to_owned(),
                value,
                numerator: is_ratio.then(|| part(&def.numerator, num)),
                denominator: is_ratio.then(|| part(&def.denominator, den)),
                by_subregion: region.then(|| {
                    self.inputs
                        .subregions
                        .iter()
                        .map(|s| SubregionFigure {
                            subregion: s.clone(),
                            value: self.indicator(def, &self.subregion_units(s), w).0,
                        })
                        .collect()
                }),
                by_owes: (def.stream == Stream::Owes).then(|| {
                    units
                        .owes
                        .iter()
                        .map(|o| {
                            let one = Units {
                                owes: vec![o],
                                gminas: Vec::new(),
                                event_subregion: None,
                            };
                            OwesFigure {
                                owes: (*o).to_owned(),
                                value: self.indicator(def, &one, w).0,
                            }
                        })
                        .collect()
                }),
            });
        }
        for t in &self.inputs.event_types {
            let count = |u: &Units<'_>| Figure::Count(Some(self.event_count(t, u, w) as i128));
            out.push(IndicatorFigure {
                code: t.clone(),
                kind: "event_count".into(),
                stream: "events".into(),
                unit: Unit::Count.as_str().to_owned(),
                value: count(units),
                numerator: None,
                denominator: None,
                by_subregion: region.then(|| {
                    self.inputs
                        .subregions
                        .iter()
                        .map(|s| SubregionFigure {
                            subregion: s.clone(),
                            value: count(&self.subregion_units(s)),
                        })
                        .collect()
                }),
                by_owes: None,
            });
        }
        out
    }

    fn counts(&self, owes: &[&str]) -> Counts {
        let today = self.req.as_of.date_naive();
        let mut c = Counts::default();
        let status: HashMap<(&str, Quarter), &Stood<'_>> = self
            .stood
            .iter()
            .filter(|s| s.stream == Stream::Owes)
            .map(|s| ((s.unit, period_quarter(s.period)), s))
            .collect();
        for unit in self.owes.iter().filter(|o| owes.contains(&o.code.as_str())) {
            for q in self
                .req
                .window
                .quarters()
                .filter(|q| q.last_day() < today && unit.active_in(*q))
            {
                c.expected += 1;
                let Some(s) = status.get(&(unit.code.as_str(), q)) else {
                    continue;
                };
                if !s.status.counts(self.req.approved_only) {
                    continue;
                }
                c.received += 1;
                if s.status == ReportStatus::Approved {
                    c.approved += 1;
                }
                let deadline = q.last_day() + chrono::Duration::days(self.req.deadline_days);
                if s.first_submitted
                    .is_some_and(|t| t.date_naive() <= deadline)
                {
                    c.on_time += 1;
                }
            }
        }
        c.rate = (c.expected > 0).then(|| c.received as f64 / c.expected as f64);
        c
    }

    fn lpres_figures(&self, units: &Units<'a>) -> LpresFigures {
        let w = self.req.window;
        let mut by_status: BTreeMap<String, usize> = LpresStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), 0))
            .collect();
        for g in &units.gminas {
            *by_status
                .entry(self.status_of(g).as_str().to_owned())
                .or_default() += 1;
        }
        let adopted = self.lpres_adopted(&units.gminas, w);
        LpresFigures {
            gminas: units.gminas.len(),
            adopted,
            share: (!units.gminas.is_empty()).then(|| adopted as f64 / units.gminas.len() as f64),
            by_subregion: matches!(self.req.scope, Scope::Region).then(|| {
                self.inputs
                    .subregions
                    .iter()
                    .map(|s| {
                        let u = self.subregion_units(s);
                        SubregionLpres {
                            subregion: s.clone(),
                            gminas: u.gminas.len(),
                            adopted: self.lpres_adopted(&u.gminas, w),
                        }
                    })
                    .collect()
            }),
            by_status,
        }
    }

    fn results(&self, units: &Units<'a>) -> Vec<ResultCount> {
        let mut gminas: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for s in self
            .counted()
            .filter(|s| s.stream == Stream::Gmina && units.gminas.contains(&s.unit))
        {
            if self.req.window.contains(period_quarter(s.period)) {
                for r in s.results {
                    gminas.entry(r.as_str()).or_default().insert(s.unit);
                }
            }
        }
        self.inputs
            .result_codes
            .iter()
            .map(|c| ResultCount {
                code: c.clone(),
                gminas: gminas.get(c.as_str()).map_or(0, BTreeSet::len),
            })
            .collect()
    }

    fn targets(&self) -> Vec<TargetEvaluation> {
        let q = self.req.window.to;
        let in_scope_sub = |s: &str| match &self.req.scope {
            Scope::Region => true,
            Scope::Subregion(code) => code == s,
            Scope::Owes(_) => false,
        };
        let in_scope_owes = |o: &OwesUnit| match &self.req.scope {
            Scope::Region => true,
            Scope::Subregion(code) => &o.subregion == code,
            Scope::Owes(code) => &o.code == code,
        };
        let mut out = Vec::new();
        for t in &self.inputs.targets {
            let (start, end) = match t.window {
                TargetWindow::Programme => (t.programme_from, t.programme_to),
                TargetWindow::Annual => {
                    match (Quarter::new(q.year(), 1), Quarter::new(q.year(), 4)) {
                        (Ok(a), Ok(b)) => (a, b),
                        _ => continue,
                    }
                }
            };
            let total = start.count_to(end).max(1);
            let until = q.min(end);
            let elapsed = start.count_to(until);
            let window = Window::new(start, until).ok();
            let evaluate = |scope: &str, unit: Option<String>, units: Units<'a>| {
                let actual = window.map_or(0.0, |w| self.measure(&t.indicator, &units, w));
                let expected = t.value * f64::from(elapsed) / f64::from(total);
                let status = if actual >= t.value {
                    "achieved"
                } else if actual >= expected {
                    "on_track"
                } else if actual >= expected / 2.0 {
                    "at_risk"
                } else {
                    "behind"
                };
                TargetEvaluation {
                    indicator: t.indicator.clone(),
                    scope: scope.to_owned(),
                    unit,
                    comparator: "at_least".into(),
                    target: t.value,
                    window: t.window.as_str().to_owned(),
                    actual: (actual * 1e6).round() / 1e6,
                    expected_to_date: (expected * 1e6).round() / 1e6,
                    status: status.to_owned(),
                }
            };
            let active =
                |o: &OwesUnit| window.is_some_and(|w| w.quarters().any(|q| o.active_in(q)));
            match t.scope {
                TargetScope::Region if matches!(self.req.scope, Scope::Region) => {
                    out.push(evaluate("region", None, self.region_units()))
                }
                TargetScope::Region => {}
                TargetScope::EachSubregion => {
                    for s in self.subregions.iter().filter(|s| in_scope_sub(s)) {
                        out.push(evaluate(
                            "subregion",
                            Some((*s).clone()),
                            self.subregion_units(s),
                        ));
                    }
                }
                TargetScope::EachOwes | TargetScope::Owes => {
                    for o in self.owes.iter().filter(|o| in_scope_owes(o)) {
                        let named = t.owes.as_deref().is_none_or(|n| n == o.code);
                        if named && (t.scope == TargetScope::Owes || active(o)) {
                            out.push(evaluate("owes", Some(o.code.clone()), self.owes_units(o)));
                        }
                    }
                }
            }
        }
        out
    }
}

/// Computes the rollup of `req.scope` over `req.window` as of `req.as_of`. The caller checks
/// that a subregion or OWES scope names one of `inputs`; an unknown one yields empty figures.
pub fn rollup(inputs: &Inputs, req: &Request) -> Rollup {
    let engine = Engine::new(inputs, req);
    let (kind, code, units) = match &req.scope {
        Scope::Region => ("region", inputs.region.clone(), engine.region_units()),
        Scope::Subregion(s) => ("subregion", s.clone(), engine.subregion_units(s)),
        Scope::Owes(o) => {
            let units = match engine.owes.iter().find(|u| &u.code == o) {
                Some(unit) => engine.owes_units(unit),
                None => Units {
                    owes: Vec::new(),
                    gminas: Vec::new(),
                    event_subregion: Some(""),
                },
            };
            ("owes", o.clone(), units)
        }
    };
    let completeness = Completeness {
        counts: engine.counts(&units.owes),
        by_subregion: matches!(req.scope, Scope::Region).then(|| {
            engine
                .subregions
                .iter()
                .map(|s| SubregionCounts {
                    subregion: (*s).clone(),
                    counts: engine.counts(&engine.subregion_units(s).owes),
                })
                .collect()
        }),
    };
    Rollup {
        scope: ScopeRef {
            kind: kind.into(),
            code,
        },
        from: req.window.from.to_string(),
        to: req.window.to.to_string(),
        as_of: req.as_of.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        approved_only: req.approved_only,
        indicators: engine.figures(&units),
        completeness,
        lpres: engine.lpres_figures(&units),
        results: engine.results(&units),
        targets: engine.targets(),
    }
}
