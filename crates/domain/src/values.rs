//! Reported values and the rules they follow (DOMAIN.md: counts are non-negative whole
//! numbers, money has at most two decimals, cross-indicator bounds, numerators within their
//! denominators; a submission needs every reported indicator).

use crate::indicator::{IndicatorDef, IndicatorKind, Unit};
use crate::number::{Decimal, Money};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One reported figure: a count, or an amount of money in whole grosze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Count(u64),
    Money(Money),
}

impl Amount {
    /// The figure in its smallest unit: the count, or grosze.
    pub fn whole(self) -> i64 {
        match self {
            Self::Count(n) => i64::try_from(n).unwrap_or(i64::MAX),
            Self::Money(m) => m.grosze(),
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Money(m) => write!(f, "{m}"),
        }
    }
}

impl From<Amount> for Decimal {
    fn from(a: Amount) -> Self {
        match a {
            Amount::Count(n) => Decimal::from_u64(n),
            Amount::Money(m) => Decimal::from(m),
        }
    }
}

/// Stored and sent as JSON numbers: a count as an integer, money with two decimals
/// (`1250.50`), so the unit can be told from the number's shape when it is read back.
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        match self {
            Self::Count(n) => s.serialize_u64(*n),
            Self::Money(m) => serde_json::value::RawValue::from_string(m.to_string())
                .map_err(S::Error::custom)?
                .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Amount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a count or an amount of money")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Amount, E> {
                Ok(Amount::Count(n))
            }
            // A number with a point is money. Its shortest round-trip text is the decimal
            // that was written, for every amount up to the maximum.
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Amount, E> {
                Decimal::parse(&v.to_string())
                    .and_then(Decimal::to_money)
                    .map(Amount::Money)
                    .map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The values of one report: every reported indicator of the catalogue, `None` when left out.
pub type Values = BTreeMap<String, Option<Amount>>;

/// Values as sent, read exactly: indicator code → number or `None`.
pub type Input = BTreeMap<String, Option<Decimal>>;

/// Checks `input` (indicator code → number or null) against the stream's catalogue.
///
/// `submission` demands every reported indicator. Field names are `values.<code>`.
pub fn check_values(
    catalogue: &[IndicatorDef],
    input: &Input,
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
    let value = |code: &str| values.get(code).copied().flatten();
    for def in &reported {
        if let (Some(bound), Some(v)) = (&def.at_most, value(def.code.as_str())) {
            if let Some(limit) = value(bound.as_str()).filter(|limit| v.whole() > limit.whole()) {
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
            if n.whole() > d.whole() {
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

fn amount(unit: Unit, v: Decimal) -> Result<Amount, String> {
    let refused = |e: crate::number::NumberError| e.to_string();
    match unit {
        Unit::Count => v.to_count().map(Amount::Count).map_err(refused),
        Unit::Pln => v.to_money().map(Amount::Money).map_err(refused),
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
            verification_pl: None,
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

    fn input(pairs: &[(&str, Option<f64>)]) -> Input {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.map(|f| Decimal::parse(&f.to_string()).unwrap()),
                )
            })
            .collect()
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
        assert_eq!(v["part_pln"], Some(Amount::Money(Money(1025))));
        assert_eq!(v["all_pln"], Some(Amount::Money(Money(9990))));
        let stored = serde_json::to_string(&v).unwrap();
        assert!(
            stored.contains("\"part_pln\":10.25") && stored.contains("\"all_pln\":99.90"),
            "{stored}"
        );
        let back: Values = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, v, "what is stored reads back the same");
    }

    #[test]
    fn money_beyond_the_maximum_is_refused_with_the_field() {
        let mut huge = Input::new();
        huge.insert(
            "all_pln".into(),
            Some(Decimal::parse("1000000000000.01").unwrap()),
        );
        let errors = check_values(&catalogue(), &huge, false)
            .unwrap_err()
            .into_vec();
        assert_eq!(errors[0].field, "values.all_pln");
        assert!(
            errors[0].message.contains("largest"),
            "{}",
            errors[0].message
        );
    }
}
