//! The gminas' own picture: LPRES statuses and adoptions, and the results checklist.

use super::{
    period_quarter, Engine, GminaLpresAsOf, LpresFigures, ResultCount, SubregionLpres, Units,
};
use crate::inputs::{LpresRevision, Scope};
use rops_domain::indicator::Stream;
use rops_domain::lpres::LpresStatus;
use rops_domain::period::Window;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

impl<'a> Engine<'a> {
    fn status_of(&self, teryt: &str) -> LpresStatus {
        self.lpres
            .get(teryt)
            .map_or(LpresStatus::None, |l| l.status)
    }

    /// Whether a gmina's status counts as an adopted plan in `window` (DOMAIN.md).
    fn counts_adopted(l: &LpresRevision, window: Window) -> bool {
        l.status == LpresStatus::Adopted
            && l.adopted_on.is_some_and(|d| d <= window.to.last_day())
            && l.plan_to.is_some_and(|y| y >= window.to.year())
    }

    pub(super) fn lpres_adopted(&self, gminas: &[&str], window: Window) -> usize {
        gminas
            .iter()
            .filter_map(|g| self.lpres.get(g))
            .filter(|l| Self::counts_adopted(l, window))
            .count()
    }

    /// Each gmina of `units` with its status as recorded at the moment.
    fn by_gmina(&self, units: &Units<'a>) -> Vec<GminaLpresAsOf> {
        let in_scope: HashSet<&str> = units.gminas.iter().copied().collect();
        self.gminas
            .iter()
            .filter(|g| in_scope.contains(g.teryt.as_str()))
            .map(|g| {
                let l = self.lpres.get(g.teryt.as_str());
                GminaLpresAsOf {
                    teryt: g.teryt.clone(),
                    subregion: g.subregion.clone(),
                    status: l.map_or(LpresStatus::None, |l| l.status),
                    reported: l.is_some(),
                    resolution_number: l.and_then(|l| l.resolution_number.clone()),
                    adopted_on: l.and_then(|l| l.adopted_on),
                    plan_from: l.and_then(|l| l.plan_from),
                    plan_to: l.and_then(|l| l.plan_to),
                    adopted: l.is_some_and(|l| Self::counts_adopted(l, self.req.window)),
                }
            })
            .collect()
    }

    pub(super) fn lpres_figures(&self, units: &Units<'a>) -> LpresFigures {
        let w = self.req.window;
        let mut by_status: BTreeMap<LpresStatus, usize> =
            LpresStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for g in &units.gminas {
            *by_status.entry(self.status_of(g)).or_default() += 1;
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
                        let u = self.subregion_units(s.as_str());
                        SubregionLpres {
                            subregion: s.clone(),
                            gminas: u.gminas.len(),
                            adopted: self.lpres_adopted(&u.gminas, w),
                        }
                    })
                    .collect()
            }),
            by_status,
            by_gmina: self.by_gmina(units),
        }
    }

    /// Per checklist result, the gminas that report it in a counted annual report of the window.
    pub(super) fn results(&self, units: &Units<'a>) -> Vec<ResultCount> {
        let mut gminas: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for s in self.reports(Stream::Gmina, &units.gminas) {
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
}
