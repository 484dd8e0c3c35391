//! The indicators of both catalogues and the event counts, for a scope and its parts.

use super::{
    period_quarter, Engine, Figure, FigureKind, FigureSource, IndicatorFigure, OwesFigure,
    SubregionFigure, Units,
};
use crate::inputs::Scope;
use crate::{consolidate, share, Observation};
use rops_domain::code::SubregionCode;
use rops_domain::indicator::{IndicatorCode, IndicatorDef, IndicatorKind, Stream, Unit};
use rops_domain::period::{Quarter, Window};

impl<'a> Engine<'a> {
    fn observations(&self, stream: Stream, code: &str, units: &[&'a str]) -> Vec<Observation<'a>> {
        self.reports(stream, units)
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

    /// (value, numerator, denominator) of an indicator for units over a window.
    pub(super) fn indicator(
        &self,
        def: &IndicatorDef,
        units: &Units<'a>,
        window: Window,
    ) -> (Figure, Option<i128>, Option<i128>) {
        let list = units.of(def.stream);
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
                for s in self.reports(def.stream, list) {
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

    pub(super) fn event_count(
        &self,
        event_type: &IndicatorCode,
        units: &Units<'_>,
        window: Window,
    ) -> usize {
        self.events
            .iter()
            .filter(|e| &e.event_type == event_type && window.contains(Quarter::containing(e.date)))
            .filter(|e| {
                units
                    .event_subregion
                    .is_none_or(|s| e.subregion.as_ref().map(|c| c.as_str()) == Some(s))
            })
            .count()
    }

    pub(super) fn figures(&self, units: &Units<'a>) -> Vec<IndicatorFigure> {
        let w = self.req.window;
        let region = matches!(self.req.scope, Scope::Region);
        // Each subregion's units, made once for every indicator's breakdown.
        let subregions: Vec<(&SubregionCode, Units<'a>)> = match region {
            true => self
                .inputs
                .subregions
                .iter()
                .map(|s| (s, self.subregion_units(s.as_str())))
                .collect(),
            false => Vec::new(),
        };
        let mut out = Vec::new();
        for def in &self.inputs.indicators {
            let (value, num, den) = self.indicator(def, units, w);
            let part = |code: &Option<IndicatorCode>, v| {
                let unit = code
                    .as_ref()
                    .and_then(|c| self.inputs.indicators.iter().find(|d| &d.code == c))
                    .map_or(Unit::Pln, |d| d.unit);
                Figure::whole(unit, v)
            };
            let is_ratio = def.kind == IndicatorKind::Ratio;
            out.push(IndicatorFigure {
                code: def.code.clone(),
                kind: def.kind.into(),
                stream: FigureSource::Reports(def.stream),
                unit: def.unit,
                value,
                numerator: is_ratio.then(|| part(&def.numerator, num)),
                denominator: is_ratio.then(|| part(&def.denominator, den)),
                by_subregion: region.then(|| {
                    subregions
                        .iter()
                        .map(|(s, u)| SubregionFigure {
                            subregion: (*s).clone(),
                            value: self.indicator(def, u, w).0,
                        })
                        .collect()
                }),
                by_owes: (def.stream == Stream::Owes).then(|| {
                    self.owes
                        .iter()
                        .filter(|o| units.owes.binary_search(&o.code.as_str()).is_ok())
                        .map(|o| {
                            let one = Units {
                                owes: vec![o.code.as_str()],
                                ..Units::default()
                            };
                            OwesFigure {
                                owes: o.code.clone(),
                                value: self.indicator(def, &one, w).0,
                            }
                        })
                        .collect()
                }),
                by_entity: (def.stream == Stream::Entity)
                    .then(|| self.entity_figures(def, units, w)),
            });
        }
        for t in &self.inputs.event_types {
            let count = |u: &Units<'_>| Figure::Count(Some(self.event_count(t, u, w) as i128));
            out.push(IndicatorFigure {
                code: t.clone(),
                kind: FigureKind::EventCount,
                stream: FigureSource::Events,
                unit: Unit::Count,
                value: count(units),
                numerator: None,
                denominator: None,
                by_subregion: region.then(|| {
                    subregions
                        .iter()
                        .map(|(s, u)| SubregionFigure {
                            subregion: (*s).clone(),
                            value: count(u),
                        })
                        .collect()
                }),
                by_owes: None,
                by_entity: None,
            });
        }
        out
    }
}
