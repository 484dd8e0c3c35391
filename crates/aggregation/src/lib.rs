//! Pure consolidation of indicator values (DOMAIN.md, "Indicator kinds and how they
//! consolidate"). No database and no HTTP: callers pass the counted values in.
//!
//! This is the crate's entry point; the full rollup (scopes, completeness, targets) builds
//! on these functions.

pub mod inputs;
pub mod rollup;
#[cfg(test)]
mod rollup_tests;

pub use inputs::{Inputs, Request, Scope};
pub use rollup::{rollup, Rollup};

use rops_domain::indicator::IndicatorKind;
use rops_domain::period::{Quarter, Window};
use std::collections::BTreeMap;

/// One counted value: a reporting unit's figure for one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    pub unit: &'a str,
    pub quarter: Quarter,
    pub value: f64,
}

/// Consolidates a flow or stock indicator over the units and the quarters of `window`.
///
/// A flow is summed over quarters and units. A stock takes, for each unit, its latest
/// reported quarter in the window, and sums those. `None` when nothing in the window was
/// reported. Ratios need both sides: use [`consolidate_ratio`].
pub fn consolidate(
    kind: IndicatorKind,
    window: Window,
    observations: &[Observation<'_>],
) -> Option<f64> {
    let in_window = observations.iter().filter(|o| window.contains(o.quarter));
    match kind {
        IndicatorKind::Flow => in_window.map(|o| o.value).reduce(|a, b| a + b),
        IndicatorKind::Stock => {
            let mut latest: BTreeMap<&str, (Quarter, f64)> = BTreeMap::new();
            for o in in_window {
                let entry = latest.entry(o.unit).or_insert((o.quarter, o.value));
                if o.quarter > entry.0 {
                    *entry = (o.quarter, o.value);
                }
            }
            latest.values().map(|(_, v)| *v).reduce(|a, b| a + b)
        }
        IndicatorKind::Ratio => None,
    }
}

/// sum(numerator) / sum(denominator) over the same units and quarters: never an average of
/// shares. `None` when the denominator sums to zero or nothing was reported.
pub fn consolidate_ratio(
    window: Window,
    numerator: &[Observation<'_>],
    denominator: &[Observation<'_>],
) -> Option<f64> {
    let num = consolidate(IndicatorKind::Flow, window, numerator)?;
    let den = consolidate(IndicatorKind::Flow, window, denominator)?;
    (den != 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(s: &str) -> Quarter {
        Quarter::parse(s).unwrap()
    }

    fn obs<'a>(unit: &'a str, quarter: &str, value: f64) -> Observation<'a> {
        Observation {
            unit,
            quarter: q(quarter),
            value,
        }
    }

    #[test]
    fn flow_sums_inside_the_window() {
        let w = Window::year(2024).unwrap();
        let o = [
            obs("A", "2024-Q1", 2.0),
            obs("A", "2024-Q4", 3.0),
            obs("B", "2024-Q2", 4.0),
            obs("B", "2025-Q1", 100.0),
        ];
        assert_eq!(consolidate(IndicatorKind::Flow, w, &o), Some(9.0));
        assert_eq!(
            consolidate(IndicatorKind::Flow, Window::year(2023).unwrap(), &o),
            None
        );
    }

    #[test]
    fn stock_takes_each_units_latest_quarter() {
        let w = Window::year(2024).unwrap();
        let o = [
            obs("A", "2024-Q3", 2.0),
            obs("A", "2024-Q1", 5.0),
            obs("B", "2024-Q2", 1.0),
        ];
        assert_eq!(consolidate(IndicatorKind::Stock, w, &o), Some(3.0));
    }

    #[test]
    fn ratio_is_never_an_average_of_shares() {
        let w = Window::year(2024).unwrap();
        // A: 1/10, B: 90/100 — average of shares 0.5, the true share 91/110.
        let num = [obs("A", "2024-Q4", 1.0), obs("B", "2024-Q4", 90.0)];
        let den = [obs("A", "2024-Q4", 10.0), obs("B", "2024-Q4", 100.0)];
        assert_eq!(consolidate_ratio(w, &num, &den), Some(91.0 / 110.0));
        assert_eq!(
            consolidate_ratio(w, &num, &[obs("A", "2024-Q4", 0.0)]),
            None
        );
    }

    proptest! {
        #[test]
        fn order_never_changes_a_flow(values in proptest::collection::vec((0u8..3, 1u8..=4, 0u32..1000), 0..40)) {
            let units = ["A", "B", "C"];
            let o: Vec<_> = values.iter().map(|(u, n, v)| Observation {
                unit: units[*u as usize], quarter: Quarter::new(2024, *n).unwrap(), value: f64::from(*v),
            }).collect();
            let mut r = o.clone();
            r.reverse();
            let w = Window::year(2024).unwrap();
            prop_assert_eq!(consolidate(IndicatorKind::Flow, w, &o), consolidate(IndicatorKind::Flow, w, &r));
            prop_assert_eq!(consolidate(IndicatorKind::Stock, w, &o).is_some(), !o.is_empty());
        }
    }
}
