//! Every pattern the OpenAPI document publishes for a domain type states the same rule as the
//! type's parser: what the pattern generates parses, and any text parses exactly when it
//! matches. A client that checks values against the document then refuses what the server
//! would refuse, and accepts what it accepts.

use crate::code::{OwesCode, ProgrammeCode, SubregionCode};
use crate::entity::EntityCode;
use crate::indicator::{IndicatorCode, ResultCode};
use crate::period::{Quarter, Year};
use crate::territory::{PowiatCode, RegionCode, Teryt};
use proptest::prelude::*;

type Parser = fn(&str) -> bool;

fn rules() -> Vec<(&'static str, &'static str, Parser)> {
    vec![
        ("subregion", SubregionCode::PATTERN, |v| {
            SubregionCode::parse(v).is_ok()
        }),
        ("owes", OwesCode::PATTERN, |v| OwesCode::parse(v).is_ok()),
        ("programme", ProgrammeCode::PATTERN, |v| {
            ProgrammeCode::parse(v).is_ok()
        }),
        ("entity", EntityCode::PATTERN, |v| {
            EntityCode::parse(v).is_ok()
        }),
        ("indicator", IndicatorCode::PATTERN, |v| {
            IndicatorCode::parse(v).is_ok()
        }),
        ("result", ResultCode::PATTERN, |v| {
            ResultCode::parse(v).is_ok()
        }),
        ("region", RegionCode::PATTERN, |v| {
            RegionCode::parse(v).is_ok()
        }),
        ("powiat", PowiatCode::PATTERN, |v| {
            PowiatCode::parse(v).is_ok()
        }),
        ("teryt", Teryt::PATTERN, |v| Teryt::parse(v).is_ok()),
        ("quarter", Quarter::PATTERN, |v| Quarter::parse(v).is_ok()),
    ]
}

#[test]
fn patterns_agree_with_the_parsers_on_known_values() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "quarter",
            &["2024-Q3", "1900-Q1", "9999-Q4"],
            &["1899-Q4", "0000-Q1", "2024-Q5", "2024-Q3\n", "2024Q3"],
        ),
        (
            "teryt",
            &["1604023", "1661011"],
            &["1604024", "160402", "16040233", "1604023\n"],
        ),
        (
            "owes",
            &["OWES-PN", "A1", "9-"],
            &["-A", "owes", "A", "OWES PN", &"X".repeat(33)],
        ),
        ("region", &["16", "02"], &["1", "160", "1a"]),
        ("result", &["A", "A1", "D77"], &["a1", "A123", "1"]),
        (
            "indicator",
            &["jobs_created", "ab"],
            &["a", "Jobs", "_x", "9a"],
        ),
    ];
    let rules = rules();
    for (name, good, bad) in cases {
        let (_, pattern, parse) = rules.iter().find(|r| r.0 == *name).unwrap();
        let re = regex::Regex::new(pattern).unwrap();
        for v in *good {
            assert!(re.is_match(v) && parse(v), "{name}: {v:?} should be valid");
        }
        for v in *bad {
            assert!(
                !re.is_match(v) && !parse(v),
                "{name}: {v:?} should be refused"
            );
        }
    }
}

#[test]
fn year_parses_the_range_its_schema_publishes() {
    for (text, ok) in [
        ("1900", true),
        ("2024", true),
        ("9999", true),
        ("1899", false),
        ("0000", false),
        ("+202", false),
        ("02024", false),
        ("202", false),
        (" 2024", false),
    ] {
        assert_eq!(Year::parse(text).is_ok(), ok, "{text:?}");
    }
    assert_eq!(Year::parse("2024").unwrap().get(), 2024);
    assert!(Year::new(Year::MIN).is_some() && Year::new(Year::MAX).is_some());
    assert!(Year::new(Year::MIN - 1).is_none() && Year::new(Year::MAX + 1).is_none());
}

/// What a pattern generates, the parser accepts.
#[test]
fn generated_from_the_pattern_parses() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (name, pattern, parse) in rules() {
        let body = pattern.trim_start_matches('^').trim_end_matches('$');
        let strategy = proptest::string::string_regex(body).unwrap();
        for _ in 0..300 {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            assert!(
                parse(&value),
                "{name}: {value:?} matches {pattern} but does not parse"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text: parses exactly when it matches.
    #[test]
    fn any_text_parses_exactly_when_it_matches(text in "[A-Za-z0-9_ -]{0,12}|[0-9]{1,8}(-Q[0-9])?|\\PC{0,10}") {
        for (name, pattern, parse) in rules() {
            let re = regex::Regex::new(pattern).unwrap();
            prop_assert_eq!(re.is_match(&text), parse(&text), "{} on {:?}", name, text);
        }
    }
}
