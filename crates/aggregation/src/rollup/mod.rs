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
//!
//! One file per concern: [`output`] (what is answered), `as_of` (what was recorded at the
//! moment), `indicators`, `lpres` (LPRES and the results checklist), `completeness` and
//! `targets`; this file holds the engine they share and the entry point, [`rollup`].

mod as_of;
mod completeness;
mod entities;
mod indicators;
mod lpres;
pub mod output;
mod targets;

pub use entities::{Coverage, CoverageKind, EntityFigure, KindCoverage, SubregionCoverage};
pub use output::*;

use crate::inputs::{
    EntityRevision, EventRevision, GminaUnit, Inputs, LpresRevision, OwesUnit, Request, Scope,
};
use as_of::Stood;
use rops_domain::code::SubregionCode;
use rops_domain::indicator::Stream;
use rops_domain::period::Quarter;
use rops_domain::report::ReportPeriod;
use std::collections::HashMap;

/// The quarter a report counts in: its own, or the Q4 of a gmina's year.
fn period_quarter(p: ReportPeriod) -> Quarter {
    match p {
        ReportPeriod::Quarter(q) => q,
        ReportPeriod::Year(_) => p.quarters().1,
    }
}

/// Who a figure is about. Both lists are in code order (taken from the engine's sorted
/// lists), which [`Engine::reports`] relies on to meet each unit once.
#[derive(Debug, Clone, Default)]
struct Units<'a> {
    owes: Vec<&'a str>,
    gminas: Vec<&'a str>,
    entities: Vec<&'a str>,
    /// Events of one subregion, or of the whole region when `None`.
    event_subregion: Option<&'a str>,
}

impl<'a> Units<'a> {
    fn of(&self, stream: Stream) -> &[&'a str] {
        match stream {
            Stream::Owes => &self.owes,
            Stream::Gmina => &self.gminas,
            Stream::Entity => &self.entities,
        }
    }
}

struct Engine<'a> {
    inputs: &'a Inputs,
    /// Units in code order, so no output depends on the order of the inputs.
    subregions: Vec<&'a SubregionCode>,
    owes: Vec<&'a OwesUnit>,
    gminas: Vec<&'a GminaUnit>,
    req: &'a Request,
    /// Every report as it stood, in (stream, unit, period) order.
    stood: Vec<Stood<'a>>,
    /// The reports that count (see `ReportStatus::counts`), per stream and unit, in period
    /// order: a figure looks up its units instead of scanning every report.
    counted: HashMap<(Stream, &'a str), Vec<Stood<'a>>>,
    lpres: HashMap<&'a str, &'a LpresRevision>,
    events: Vec<&'a EventRevision>,
    /// The register of reintegration entities as recorded at the moment, in code order.
    entities: Vec<&'a EntityRevision>,
}

impl<'a> Engine<'a> {
    fn new(inputs: &'a Inputs, req: &'a Request) -> Self {
        let stood = as_of::reports_as_of(&inputs.report_revisions, req.as_of);
        let mut counted: HashMap<(Stream, &str), Vec<Stood<'_>>> = HashMap::new();
        for s in stood.iter().filter(|s| s.status.counts(req.approved_only)) {
            counted
                .entry((s.stream, s.unit))
                .or_default()
                .push(s.clone());
        }
        let mut subregions: Vec<&SubregionCode> = inputs.subregions.iter().collect();
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
            stood,
            counted,
            lpres: as_of::lpres_as_of(&inputs.lpres_revisions, req.as_of),
            events: as_of::events_as_of(&inputs.event_revisions, req.as_of),
            entities: entities::entities_as_of(&inputs.entity_revisions, req.as_of),
        }
    }

    fn region_units(&self) -> Units<'a> {
        let gminas: Vec<&str> = self.gminas.iter().map(|g| g.teryt.as_str()).collect();
        Units {
            owes: self.owes.iter().map(|o| o.code.as_str()).collect(),
            entities: self.entities_seated_in(&gminas),
            gminas,
            event_subregion: None,
        }
    }

    fn subregion_units(&self, sub: &'a str) -> Units<'a> {
        let gminas: Vec<&str> = self
            .gminas
            .iter()
            .filter(|g| g.subregion.as_ref().map(SubregionCode::as_str) == Some(sub))
            .map(|g| g.teryt.as_str())
            .collect();
        Units {
            entities: self.entities_seated_in(&gminas),
            gminas,
            owes: self
                .owes
                .iter()
                .filter(|o| o.subregion.as_str() == sub)
                .map(|o| o.code.as_str())
                .collect(),
            event_subregion: Some(sub),
        }
    }

    fn owes_units(&self, owes: &'a OwesUnit) -> Units<'a> {
        Units {
            owes: vec![owes.code.as_str()],
            ..self.subregion_units(owes.subregion.as_str())
        }
    }

    /// The counted reports of `units` (in code order) of one stream.
    fn reports<'s>(
        &'s self,
        stream: Stream,
        units: &'s [&'a str],
    ) -> impl Iterator<Item = &'s Stood<'a>> + 's {
        debug_assert!(units.is_sorted(), "unit lists are in code order");
        units
            .iter()
            .enumerate()
            // A unit listed twice is still one unit.
            .filter(move |&(i, u)| i == 0 || units[i - 1] != *u)
            .filter_map(move |(_, u)| self.counted.get(&(stream, *u)))
            .flatten()
    }
}

/// Computes the rollup of `req.scope` over `req.window` as of `req.as_of`. The caller checks
/// that a subregion or OWES scope names one of `inputs`; an unknown one yields empty figures.
pub fn rollup(inputs: &Inputs, req: &Request) -> Rollup {
    let engine = Engine::new(inputs, req);
    let (scope, units) = match &req.scope {
        Scope::Region => (
            ScopeRef::Region(inputs.region.clone()),
            engine.region_units(),
        ),
        Scope::Subregion(s) => (
            ScopeRef::Subregion(s.clone()),
            engine.subregion_units(s.as_str()),
        ),
        Scope::Owes(o) => {
            let units = match engine.owes.iter().find(|u| &u.code == o) {
                Some(unit) => engine.owes_units(unit),
                None => Units {
                    event_subregion: Some(""),
                    ..Units::default()
                },
            };
            (ScopeRef::Owes(o.clone()), units)
        }
    };
    Rollup {
        scope,
        from: req.window.from,
        to: req.window.to,
        as_of: req.as_of.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        approved_only: req.approved_only,
        indicators: engine.figures(&units),
        completeness: engine.completeness(&units),
        lpres: engine.lpres_figures(&units),
        results: engine.results(&units),
        targets: engine.targets(),
        coverage: engine.coverage(&units),
    }
}
