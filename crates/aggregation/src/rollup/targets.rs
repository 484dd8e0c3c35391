//! Programme targets, evaluated at the window's last quarter against the share of the
//! target's span elapsed by then.

use super::{Engine, ScopeKind, TargetEvaluation, TargetStatus, TargetUnit, Units};
use crate::inputs::{OwesUnit, Scope};
use rops_domain::indicator::{IndicatorCode, LPRES_ADOPTED};
use rops_domain::number::rounded;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{Comparator, TargetScope, TargetWindow};

impl<'a> Engine<'a> {
    /// Any measure a target may name, as a number (nothing reported counts as 0).
    fn measure(&self, code: &IndicatorCode, units: &Units<'a>, window: Window) -> f64 {
        if let Some(def) = self.inputs.indicators.iter().find(|d| &d.code == code) {
            self.indicator(def, units, window).0.value().unwrap_or(0.0)
        } else if let Some(share) = self.coverage_measure(code, units, window) {
            share
        } else if code.as_str() == LPRES_ADOPTED {
            self.lpres_adopted(&units.gminas, window) as f64
        } else {
            self.event_count(code, units, window) as f64
        }
    }

    pub(super) fn targets(&self) -> Vec<TargetEvaluation> {
        let q = self.req.window.to;
        let in_scope_sub = |s: &str| match &self.req.scope {
            Scope::Region => true,
            Scope::Subregion(code) => code.as_str() == s,
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
            let evaluate = |scope: ScopeKind, unit: Option<TargetUnit>, units: Units<'a>| {
                let actual = window.map_or(0.0, |w| self.measure(&t.indicator, &units, w));
                let expected = t.value * f64::from(elapsed) / f64::from(total);
                let status = if actual >= t.value {
                    TargetStatus::Achieved
                } else if actual >= expected {
                    TargetStatus::OnTrack
                } else if actual >= expected / 2.0 {
                    TargetStatus::AtRisk
                } else {
                    TargetStatus::Behind
                };
                TargetEvaluation {
                    indicator: t.indicator.clone(),
                    scope,
                    unit,
                    comparator: Comparator::AtLeast,
                    target: t.value,
                    window: t.window,
                    actual: rounded(actual),
                    expected_to_date: rounded(expected),
                    status,
                }
            };
            let active =
                |o: &OwesUnit| window.is_some_and(|w| w.quarters().any(|q| o.active_in(q)));
            match t.scope {
                TargetScope::Region if matches!(self.req.scope, Scope::Region) => {
                    out.push(evaluate(ScopeKind::Region, None, self.region_units()))
                }
                TargetScope::Region => {}
                TargetScope::EachSubregion => {
                    for s in self.subregions.iter().filter(|s| in_scope_sub(s.as_str())) {
                        out.push(evaluate(
                            ScopeKind::Subregion,
                            Some(TargetUnit::Subregion((*s).clone())),
                            self.subregion_units(s.as_str()),
                        ));
                    }
                }
                TargetScope::EachOwes | TargetScope::Owes => {
                    for o in self.owes.iter().filter(|o| in_scope_owes(o)) {
                        let named = t.owes.as_ref().is_none_or(|n| n == &o.code);
                        if named && (t.scope == TargetScope::Owes || active(o)) {
                            out.push(evaluate(
                                ScopeKind::Owes,
                                Some(TargetUnit::Owes(o.code.clone())),
                                self.owes_units(o),
                            ));
                        }
                    }
                }
            }
        }
        out
    }
}
