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

/// One counted value: a reporting unit's figure for one quarter, in the indicator's smallest
/// unit (a count, or grosze).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    pub unit: &'a str,
    pub quarter: Quarter,
    pub value: i64,
}

/// Sums in `i128`: every value is at most 10^14 (DOMAIN's maximum per value), so no number of
/// observations that fits in memory can overflow it, and no figure is ever infinite.
fn sum(values: impl Iterator<Item = i64>) -> Option<i128> {
    values.map(i128::from).reduce(|a, b| a.saturating_add(b))
}

/// Consolidates a flow or stock indicator over the units and the quarters of `window`.
///
/// A flow is summed over quarters and units. A stock takes, for each unit, its latest
/// reported quarter in the window, and sums those. `None` when nothing in the window was
/// reported. A ratio needs both sides: it is the [`share`] of its numerator's and its
/// denominator's flows, consolidated over the same unit-periods (the rollup pairs them).
pub fn consolidate(
    kind: IndicatorKind,
    window: Window,
    observations: &[Observation<'_>],
) -> Option<i128> {
    let in_window = observations.iter().filter(|o| window.contains(o.quarter));
    match kind {
        IndicatorKind::Flow => sum(in_window.map(|o| o.value)),
        IndicatorKind::Stock => {
            let mut latest: BTreeMap<&str, (Quarter, i64)> = BTreeMap::new();
            for o in in_window {
                let entry = latest.entry(o.unit).or_insert((o.quarter, o.value));
                if o.quarter > entry.0 {
                    *entry = (o.quarter, o.value);
                }
            }
            sum(latest.values().map(|(_, v)| *v))
        }
        IndicatorKind::Ratio => None,
    }
}

/// `num / den`, or `None` when the denominator is 0.
pub fn share(num: i128, den: i128) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(s: &str) -> Quarter {
        Quarter::parse(s).unwrap()
    }

    fn obs<'a>(unit: &'a str, quarter: &str, value: i64) -> Observation<'a> {
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
            obs("A", "2024-Q1", 2),
            obs("A", "2024-Q4", 3),
            obs("B", "2024-Q2", 4),
            obs("B", "2025-Q1", 100),
        ];
        assert_eq!(consolidate(IndicatorKind::Flow, w, &o), Some(9));
        assert_eq!(
            consolidate(IndicatorKind::Flow, Window::year(2023).unwrap(), &o),
            None
        );
    }

    #[test]
    fn stock_takes_each_units_latest_quarter() {
        let w = Window::year(2024).unwrap();
        let o = [
            obs("A", "2024-Q3", 2),
            obs("A", "2024-Q1", 5),
            obs("B", "2024-Q2", 1),
        ];
        assert_eq!(consolidate(IndicatorKind::Stock, w, &o), Some(3));
    }

    #[test]
    fn ratio_is_never_an_average_of_shares() {
        let w = Window::year(2024).unwrap();
        // A: 1/10, B: 90/100 — average of shares 0.5, the true share 91/110.
        let num = [obs("A", "2024-Q4", 1), obs("B", "2024-Q4", 90)];
        let den = [obs("A", "2024-Q4", 10), obs("B", "2024-Q4", 100)];
        let ratio = |num: &[Observation<'_>], den: &[Observation<'_>]| {
            let flow = |o| consolidate(IndicatorKind::Flow, w, o);
            share(flow(num)?, flow(den)?)
        };
        assert_eq!(ratio(&num, &den), Some(91.0 / 110.0));
        assert_eq!(ratio(&num, &[obs("A", "2024-Q4", 0)]), None);
    }

    proptest! {
        #[test]
        fn order_never_changes_a_flow(values in proptest::collection::vec((0u8..3, 1u8..=4, 0u32..1000), 0..40)) {
            let units = ["A", "B", "C"];
            let o: Vec<_> = values.iter().map(|(u, n, v)| Observation {
                unit: units[*u as usize], quarter: Quarter::new(2024, *n).unwrap(), value: i64::from(*v),
            }).collect();
            let mut r = o.clone();
            r.reverse();
            let w = Window::year(2024).unwrap();
            prop_assert_eq!(consolidate(IndicatorKind::Flow, w, &o), consolidate(IndicatorKind::Flow, w, &r));
            prop_assert_eq!(consolidate(IndicatorKind::Stock, w, &o).is_some(), !o.is_empty());
        }
    }
}
