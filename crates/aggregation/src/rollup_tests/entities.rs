//! The entities' stream in the rollup: their figures by seat, coverage as recorded at the
//! moment by the entities active in the window's last quarter, and targets on coverage.

use super::*;
use rops_domain::entity::{EntityCode, EntityKind};

fn entity(code: &str, kind: EntityKind, seat: &str, serves: &[&str], day: &str) -> EntityRevision {
    EntityRevision {
        code: EntityCode::parse(code).unwrap(),
        revision: 1,
        kind,
        seat: super::code(seat),
        serves: serves.iter().map(|g| super::code(g)).collect(),
        active_from: q("2020-Q1"),
        active_to: None,
        recorded_at: at(day),
    }
}

fn yearly(unit: &str, year: i32, vals: &[(&str, f64)], day: &str) -> ReportRevision {
    ReportRevision {
        unit: Stream::Entity.parse_unit(unit).unwrap(),
        period: ReportPeriod::Year(year),
        revision: 1,
        action: RevisionAction::Submit,
        status: ReportStatus::Submitted,
        values: values(vals),
        results: Vec::new(),
        recorded_at: at(day),
        first_submitted_at: None,
    }
}

fn with_entities() -> Inputs {
    let mut i = inputs();
    let mut rate = def("rate", Stream::Entity, IndicatorKind::Ratio, Unit::Share);
    rate.numerator = Some(IndicatorCode::parse("employed").unwrap());
    rate.denominator = Some(IndicatorCode::parse("completed").unwrap());
    i.indicators.extend([
        def(
            "completed",
            Stream::Entity,
            IndicatorKind::Flow,
            Unit::Count,
        ),
        def("employed", Stream::Entity, IndicatorKind::Flow, Unit::Count),
        rate,
    ]);
    i.entity_revisions = vec![
        entity("CIS-A", EntityKind::Cis, G1, &[G1], "2024-01-10"),
        entity("WTZ-B", EntityKind::Wtz, G2, &[G2], "2024-01-10"),
    ];
    i
}

fn coverage(r: &serde_json::Value) -> Vec<(String, u64)> {
    r["coverage"]["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_owned(),
                k["gminas"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn entity_figures_count_in_the_subregion_of_their_seat() {
    let mut i = with_entities();
    i.report_revisions.push(yearly(
        "CIS-A",
        2024,
        &[("completed", 20.0), ("employed", 9.0)],
        "2025-01-20",
    ));
    i.report_revisions.push(yearly(
        "WTZ-B",
        2024,
        &[("completed", 10.0), ("employed", 3.0)],
        "2025-01-20",
    ));
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-02-01"),
    );
    let completed = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "completed")
        .unwrap();
    assert_eq!(completed["value"], 30);
    assert_eq!(
        completed["by_subregion"],
        serde_json::json!([{"subregion": "SA", "value": 20}, {"subregion": "SB", "value": 10}])
    );
    assert_eq!(
        completed["by_entity"],
        serde_json::json!([{"entity": "CIS-A", "value": 20}, {"entity": "WTZ-B", "value": 10}])
    );
    let rate = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "rate")
        .unwrap();
    assert_eq!(rate["value"], 0.4, "12 of 30");
    let sa = run(
        &i,
        &request(
            Scope::Subregion(code("SA")),
            "2024-Q1",
            "2024-Q4",
            "2025-02-01",
        ),
    );
    let sa_completed = sa["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "completed")
        .unwrap();
    assert_eq!(
        (
            sa_completed["value"].as_u64(),
            sa_completed["by_entity"].as_array().map(Vec::len)
        ),
        (Some(20), Some(1))
    );
}

#[test]
fn coverage_counts_gminas_served_by_active_entities_as_recorded_at_the_moment() {
    let mut i = with_entities();
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-02-01"),
    );
    assert_eq!(
        coverage(&r),
        [
            ("any".into(), 2),
            ("CIS".into(), 1),
            ("KIS".into(), 0),
            ("ZAZ".into(), 0),
            ("WTZ".into(), 1)
        ]
    );
    assert_eq!(r["coverage"]["by_kind"][1]["share"], 0.5);
    assert_eq!(r["coverage"]["uncovered"], serde_json::json!([]));
    assert_eq!(
        r["coverage"]["by_subregion"][0]["by_kind"][0],
        serde_json::json!({"kind": "any", "gminas": 1, "share": 1.0})
    );
    // Before the register held them, nothing was covered.
    let before = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2023-12-31"),
    );
    assert_eq!(before["coverage"]["by_kind"][0]["gminas"], 0);
    assert_eq!(before["coverage"]["uncovered"], serde_json::json!([G1, G2]));
    // A later revision ends WTZ-B in 2024-Q2: it covers nothing at the end of 2024, but did
    // in a window ending in 2024-Q2, and did as recorded before the change.
    let mut ended = entity("WTZ-B", EntityKind::Wtz, G2, &[G2], "2024-09-01");
    ended.revision = 2;
    ended.active_to = Some(q("2024-Q2"));
    i.entity_revisions.push(ended);
    let now = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-02-01"),
    );
    assert_eq!(now["coverage"]["uncovered"], serde_json::json!([G2]));
    let mid = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q2", "2025-02-01"),
    );
    assert_eq!(mid["coverage"]["uncovered"], serde_json::json!([]));
    let recorded_before = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2024-08-01"),
    );
    assert_eq!(
        recorded_before["coverage"]["uncovered"],
        serde_json::json!([])
    );
}

#[test]
fn a_target_on_coverage_takes_the_share() {
    let mut i = with_entities();
    i.entity_revisions.truncate(1);
    let target = |indicator: &str, scope| Target {
        programme_from: q("2024-Q1"),
        programme_to: q("2027-Q4"),
        indicator: code(indicator),
        scope,
        owes: None,
        value: 0.75,
        window: TargetWindow::Annual,
    };
    i.targets = vec![
        target("coverage_any", TargetScope::Region),
        target("coverage_cis", TargetScope::EachSubregion),
    ];
    let r = rollup(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-02-01"),
    );
    let got: Vec<(&str, Option<&str>, f64, &str)> = r
        .targets
        .iter()
        .map(|t| {
            (
                t.indicator.as_str(),
                t.unit.as_ref().map(TargetUnit::as_str),
                t.actual,
                t.status.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("coverage_any", None, 0.5, "at_risk"),
            ("coverage_cis", Some("SA"), 1.0, "achieved"),
            ("coverage_cis", Some("SB"), 0.0, "behind"),
        ]
    );
}
