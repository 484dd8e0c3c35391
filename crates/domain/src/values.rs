//! Reported values and the rules they follow (DOMAIN.md: counts are non-negative whole
//! numbers, money has at most two decimals, cross-indicator bounds, numerators within their
//! denominators; a submission needs every reported indicator).

use crate::indicator::{IndicatorDef, IndicatorKind, Unit};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One reported figure: a count, or an amount of money in złoty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Count(u64),
    Money(f64),
}

impl Amount {
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Count(n) => n as f64,
            Self::Money(m) => m,
        }
    }
}

/// The values of one report: every reported indicator of the catalogue, `None` when left out.
pub type Values = BTreeMap<String, Option<Amount>>;

/// Largest count accepted (exact in a double).
const MAX_COUNT: f64 = 9_007_199_254_740_991.0;

/// Checks `input` (indicator code → number or null) against the stream's catalogue.
///
/// `submission` demands every reported indicator. Field names are `values.<code>`.
pub fn check_values(
    catalogue: &[IndicatorDef],
    input: &BTreeMap<String, Option<f64>>,
    submission: bool,
) -> Result<Values, FieldErrors> {
    let mut errors = FieldErrors::default();
    let reported: Vec<&IndicatorDef> = catalogue
        .iter()
        .filter(|d| d.kind != IndicatorKind::Ratio)
        .collect();
    let allowed = || {
        reported
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for code in input.keys() {
        match catalogue.iter().find(|d| d.code.as_str() == code) {
            None => errors.push(
                format!("values.{code}"),
                format!("unknown indicator; the indicators are: {}", allowed()),
            ),
            Some(d) if d.kind == IndicatorKind::Ratio => errors.push(
                format!("values.{code}"),
                format!(
                    "is computed as {} / {}; report those two instead",
                    d.numerator.as_ref().map_or("?", |c| c.as_str()),
                    d.denominator.as_ref().map_or("?", |c| c.as_str())
                ),
            ),
            Some(_) => {}
        }
    }
    let mut values = Values::new();
    for def in &reported {
        let code = def.code.as_str();
        let field = format!("values.{code}");
        let amount = match input.get(code).copied().flatten() {
            None => {
                if submission {
                    errors.push(&field, "is required to submit: every indicator needs a value (0 when nothing happened)");
                }
                None
            }
            Some(v) => amount(def.unit, v).map_err(|m| errors.push(&field, m)).ok(),
        };
        values.insert(code.to_owned(), amount);
    }
    let value = |code: &str| values.get(code).copied().flatten().map(Amount::as_f64);
    for def in &reported {
        if let (Some(bound), Some(v)) = (&def.at_most, value(def.code.as_str())) {
            if let Some(limit) = value(bound.as_str()).filter(|limit| v > *limit) {
                errors.push(
                    format!("values.{}", def.code),
                    format!("{v} is above {bound} ({limit}); it may not exceed it"),
                );
            }
        }
    }
    for ratio in catalogue.iter().filter(|d| d.kind == IndicatorKind::Ratio) {
        let (Some(num), Some(den)) = (&ratio.numerator, &ratio.denominator) else {
            continue;
        };
        if let (Some(n), Some(d)) = (value(num.as_str()), value(den.as_str())) {
            if n > d {
                errors.push(
                    format!("values.{num}"),
                    format!("{n} is above {den} ({d}); a numerator never exceeds its denominator"),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

fn amount(unit: Unit, v: f64) -> Result<Amount, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{v} is negative; values are 0 or more"));
    }
    match unit {
        Unit::Count if v.fract() != 0.0 || v > MAX_COUNT => {
            Err(format!("{v} is not a whole number; this indicator counts"))
        }
        Unit::Count => Ok(Amount::Count(v as u64)),
        Unit::Pln if ((v * 100.0).round() - v * 100.0).abs() > 1e-6 => Err(format!(
            "{v} has more than two decimals; amounts are in złoty with grosze"
        )),
        Unit::Pln => Ok(Amount::Money((v * 100.0).round() / 100.0)),
        Unit::Share => Err("shares are computed, never reported".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{IndicatorCode, Stream};

    fn def(code: &str, kind: IndicatorKind, unit: Unit) -> IndicatorDef {
        IndicatorDef {
            code: IndicatorCode::parse(code).unwrap(),
            stream: Stream::Owes,
            name_pl: code.into(),
            kind,
            unit,
            numerator: None,
            denominator: None,
            at_most: None,
        }
    }

    fn catalogue() -> Vec<IndicatorDef> {
        let mut grants = def("ps_jobs", IndicatorKind::Flow, Unit::Count);
        grants.at_most = Some(IndicatorCode::parse("jobs").unwrap());
        let mut share = def("share", IndicatorKind::Ratio, Unit::Share);
        share.numerator = Some(IndicatorCode::parse("part_pln").unwrap());
        share.denominator = Some(IndicatorCode::parse("all_pln").unwrap());
        vec![
            def("jobs", IndicatorKind::Flow, Unit::Count),
            grants,
            def("part_pln", IndicatorKind::Flow, Unit::Pln),
            def("all_pln", IndicatorKind::Flow, Unit::Pln),
            share,
        ]
    }

    fn input(pairs: &[(&str, Option<f64>)]) -> BTreeMap<String, Option<f64>> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn fields(r: Result<Values, FieldErrors>) -> Vec<String> {
        r.unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_draft_may_leave_values_out() {
        let v = check_values(&catalogue(), &input(&[("jobs", Some(4.0))]), false).unwrap();
        assert_eq!(v["jobs"], Some(Amount::Count(4)));
        assert_eq!(v["ps_jobs"], None);
        assert!(!v.contains_key("share"));
    }

    #[test]
    fn a_submission_needs_every_reported_indicator() {
        let f = fields(check_values(
            &catalogue(),
            &input(&[("jobs", Some(4.0))]),
            true,
        ));
        assert_eq!(f, ["values.ps_jobs", "values.part_pln", "values.all_pln"]);
    }

    #[test]
    fn refuses_what_the_rules_refuse() {
        let bad = input(&[
            ("jobs", Some(2.0)),
            ("ps_jobs", Some(3.0)),
            ("part_pln", Some(10.005)),
            ("all_pln", Some(-1.0)),
            ("share", Some(0.5)),
            ("nope", Some(1.0)),
        ]);
        let mut f = fields(check_values(&catalogue(), &bad, false));
        f.sort();
        assert_eq!(
            f,
            [
                "values.all_pln",
                "values.nope",
                "values.part_pln",
                "values.ps_jobs",
                "values.share"
            ]
        );
        assert_eq!(
            fields(check_values(
                &catalogue(),
                &input(&[("jobs", Some(1.5))]),
                false
            )),
            ["values.jobs"]
        );
        let over = input(&[("part_pln", Some(20.5)), ("all_pln", Some(20.0))]);
        assert_eq!(
            fields(check_values(&catalogue(), &over, false)),
            ["values.part_pln"]
        );
    }

    #[test]
    fn money_keeps_grosze() {
        let v = check_values(
            &catalogue(),
            &input(&[("part_pln", Some(10.25)), ("all_pln", Some(99.9))]),
            false,
        )
        .unwrap();
        assert_eq!(v["part_pln"], Some(Amount::Money(10.25)));
    }
}
