//! Plausibility warnings: values that are allowed but unusual for the unit, which the person
//! confirms before submitting (they never block). Modelled on DHIS2's outlier rules: a value
//! more than `factor` times the median of the unit's last `history` reported periods, or zero
//! where each of those periods was above zero.

use crate::indicator::{IndicatorDef, IndicatorKind};
use crate::values::Values;
use serde::{Deserialize, Serialize};

/// When a value is unusual. Configuration (`ROPS_PLAUSIBILITY_FACTOR`,
/// `ROPS_PLAUSIBILITY_HISTORY`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A value above this many times the median is unusual.
    pub factor: f64,
    /// How many of the unit's last reported periods the median is taken over.
    pub history: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            factor: 3.0,
            history: 4,
        }
    }
}

/// One unusual value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// Above `factor` × the median of the last periods (in the indicator's smallest unit:
    /// counts, or grosze).
    TooHigh {
        indicator: String,
        value: i64,
        median: f64,
    },
    /// Zero, where each of the last `history` periods was above zero.
    Zero { indicator: String },
}

impl Warning {
    pub fn indicator(&self) -> &str {
        match self {
            Self::TooHigh { indicator, .. } | Self::Zero { indicator } => indicator,
        }
    }
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    })
}

/// The warnings of `values` against `history`, the unit's earlier reported periods, newest
/// first (only the first `thresholds.history` are read). A value with no history to compare
/// with is never unusual.
pub fn warnings(
    catalogue: &[IndicatorDef],
    values: &Values,
    history: &[&Values],
    thresholds: Thresholds,
) -> Vec<Warning> {
    let recent = &history[..history.len().min(thresholds.history)];
    let mut out = Vec::new();
    for def in catalogue.iter().filter(|d| d.kind != IndicatorKind::Ratio) {
        let code = def.code.as_str();
        let Some(value) = values.get(code).copied().flatten().map(|a| a.whole()) else {
            continue;
        };
        let past: Vec<i64> = recent
            .iter()
            .filter_map(|v| v.get(code).copied().flatten().map(|a| a.whole()))
            .collect();
        if value == 0 {
            if past.len() == thresholds.history
                && thresholds.history > 0
                && past.iter().all(|p| *p > 0)
            {
                out.push(Warning::Zero {
                    indicator: code.to_owned(),
                });
            }
            continue;
        }
        if let Some(m) = median(past).filter(|m| *m > 0.0) {
            if value as f64 > thresholds.factor * m {
                out.push(Warning::TooHigh {
                    indicator: code.to_owned(),
                    value,
                    median: m,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{IndicatorCode, Stream, Unit};
    use crate::values::Amount;

    fn def(code: &str) -> IndicatorDef {
        IndicatorDef {
            code: IndicatorCode::parse(code).unwrap(),
            stream: Stream::Owes,
            name_pl: code.into(),
            kind: IndicatorKind::Flow,
            unit: Unit::Count,
            numerator: None,
            denominator: None,
            at_most: None,
            verification_pl: None,
        }
    }

    fn values(pairs: &[(&str, u64)]) -> Values {
        pairs
            .iter()
            .map(|(c, v)| ((*c).to_owned(), Some(Amount::Count(*v))))
            .collect()
    }

    #[test]
    fn three_times_the_median_or_a_sudden_zero() {
        let catalogue = [def("jobs"), def("plans")];
        let past = [
            values(&[("jobs", 4), ("plans", 2)]),
            values(&[("jobs", 6), ("plans", 3)]),
            values(&[("jobs", 5), ("plans", 1)]),
            values(&[("jobs", 3), ("plans", 2)]),
            values(&[("jobs", 100), ("plans", 0)]),
        ];
        let history: Vec<&Values> = past.iter().collect();
        let t = Thresholds::default();
        // Median of the last four jobs: 4.5; 13.5 is the line.
        assert!(warnings(
            &catalogue,
            &values(&[("jobs", 13), ("plans", 2)]),
            &history,
            t
        )
        .is_empty());
        assert_eq!(
            warnings(
                &catalogue,
                &values(&[("jobs", 14), ("plans", 0)]),
                &history,
                t
            ),
            [
                Warning::TooHigh {
                    indicator: "jobs".into(),
                    value: 14,
                    median: 4.5
                },
                Warning::Zero {
                    indicator: "plans".into()
                },
            ]
        );
        // The fifth period is beyond the history read; with fewer periods, no zero warning.
        assert!(warnings(&catalogue, &values(&[("plans", 0)]), &history[..3], t).is_empty());
        assert!(
            warnings(&catalogue, &values(&[("jobs", 1000)]), &[], t).is_empty(),
            "nothing to compare with"
        );
        let strict = Thresholds {
            factor: 2.0,
            history: 2,
        };
        assert_eq!(
            warnings(&catalogue, &values(&[("jobs", 11)]), &history, strict).len(),
            1,
            "median of 4 and 6 is 5"
        );
    }
}
