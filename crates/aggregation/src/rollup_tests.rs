//! Unit tests for every rule of the rollup, and property tests for its invariants.

use crate::inputs::*;
use crate::rollup::{rollup, Rollup, TargetUnit};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rops_domain::indicator::{IndicatorCode, IndicatorDef, IndicatorKind, Stream, Unit};
use rops_domain::lpres::LpresStatus;
use rops_domain::period::{Quarter, Window};
use rops_domain::reference::{TargetScope, TargetWindow};
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction};
use rops_domain::values::{Amount, Values};

fn q(s: &str) -> Quarter {
    Quarter::parse(s).unwrap()
}

/// The test region's two gminas (TERYT codes), in code order.
const G1: &str = "1601011";
const G2: &str = "1602011";

/// A code of the type the place needs, e.g. `code("SA")` for a subregion.
fn code<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn at(day: &str) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
}

fn def(code: &str, stream: Stream, kind: IndicatorKind, unit: Unit) -> IndicatorDef {
    IndicatorDef {
        code: IndicatorCode::parse(code).unwrap(),
        stream,
        name_pl: code.into(),
        kind,
        unit,
        numerator: None,
        denominator: None,
        at_most: None,
        verification_pl: None,
    }
}

fn inputs() -> Inputs {
    let owes = |name: &str, sub: &str| OwesUnit {
        code: code(name),
        subregion: code(sub),
        active_from: q("2024-Q1"),
        active_to: None,
    };
    let mut share = def("share", Stream::Gmina, IndicatorKind::Ratio, Unit::Share);
    share.numerator = Some(IndicatorCode::parse("part_pln").unwrap());
    share.denominator = Some(IndicatorCode::parse("all_pln").unwrap());
    let target = |indicator: &str, scope, value, window| Target {
        programme_from: q("2024-Q1"),
        programme_to: q("2027-Q4"),
        indicator: code(indicator),
        scope,
        owes: None,
        value,
        window,
    };
    Inputs {
        region: code("16"),
        subregions: vec![code("SA"), code("SB")],
        owes: vec![owes("O1", "SA"), owes("O2", "SA"), owes("O3", "SB")],
        gminas: vec![
            GminaUnit {
                teryt: code(G1),
                subregion: Some(code("SA")),
            },
            GminaUnit {
                teryt: code(G2),
                subregion: Some(code("SB")),
            },
        ],
        indicators: vec![
            def("jobs", Stream::Owes, IndicatorKind::Flow, Unit::Count),
            def("anim", Stream::Owes, IndicatorKind::Stock, Unit::Count),
            def("part_pln", Stream::Gmina, IndicatorKind::Flow, Unit::Pln),
            def("all_pln", Stream::Gmina, IndicatorKind::Flow, Unit::Pln),
            share,
        ],
        event_types: vec![code("meet")],
        result_codes: vec![code("A1"), code("B1")],
        targets: vec![
            target("jobs", TargetScope::EachOwes, 40.0, TargetWindow::Programme),
            target("meet", TargetScope::Region, 3.0, TargetWindow::Annual),
            target(
                "meet",
                TargetScope::EachSubregion,
                1.0,
                TargetWindow::Annual,
            ),
            target(
                "lpres_adopted",
                TargetScope::Region,
                1.0,
                TargetWindow::Programme,
            ),
        ],
        report_revisions: Vec::new(),
        lpres_revisions: Vec::new(),
        event_revisions: Vec::new(),
        entity_revisions: Vec::new(),
    }
}

fn values(pairs: &[(&str, f64)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Some(if !k.ends_with("_pln") {
                    Amount::Count(*v as u64)
                } else {
                    Amount::Money(rops_domain::number::Money((*v * 100.0).round() as i64))
                }),
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn rev(
    unit: &str,
    period: &str,
    revision: i32,
    action: &str,
    status: ReportStatus,
    vals: &[(&str, f64)],
    day: &str,
) -> ReportRevision {
    let (stream, period) = if period.contains('Q') {
        (Stream::Owes, ReportPeriod::Quarter(q(period)))
    } else {
        (Stream::Gmina, ReportPeriod::Year(period.parse().unwrap()))
    };
    let unit = stream.parse_unit(unit).unwrap();
    ReportRevision {
        unit,
        period,
        revision,
        action: RevisionAction::parse(action).unwrap(),
        status,
        values: values(vals),
        results: Vec::new(),
        recorded_at: at(day),
        first_submitted_at: None,
    }
}

fn submitted(unit: &str, period: &str, vals: &[(&str, f64)], day: &str) -> Vec<ReportRevision> {
    vec![
        rev(unit, period, 1, "create", ReportStatus::Draft, vals, day),
        rev(
            unit,
            period,
            2,
            "submit",
            ReportStatus::Submitted,
            vals,
            day,
        ),
    ]
}

fn request(scope: Scope, from: &str, to: &str, as_of: &str) -> Request {
    Request {
        scope,
        window: Window::new(q(from), q(to)).unwrap(),
        as_of: at(as_of),
        approved_only: false,
        deadline_days: 15,
    }
}

fn run(inputs: &Inputs, req: &Request) -> serde_json::Value {
    serde_json::to_value(rollup(inputs, req)).unwrap()
}

fn indicator<'a>(r: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()
}

#[test]
fn flows_sum_counted_reports_only_by_subregion_and_owes() {
    let mut i = inputs();
    i.report_revisions
        .extend(submitted("O1", "2024-Q1", &[("jobs", 3.0)], "2024-04-05"));
    i.report_revisions
        .extend(submitted("O2", "2024-Q2", &[("jobs", 4.0)], "2024-07-05"));
    i.report_revisions
        .extend(submitted("O3", "2024-Q2", &[("jobs", 5.0)], "2024-07-05"));
    i.report_revisions.push(rev(
        "O3",
        "2024-Q3",
        1,
        "create",
        ReportStatus::Draft,
        &[("jobs", 100.0)],
        "2024-10-01",
    ));
    i.report_revisions.push(rev(
        "O1",
        "2024-Q3",
        3,
        "return",
        ReportStatus::Returned,
        &[("jobs", 100.0)],
        "2024-10-02",
    ));
    i.report_revisions
        .extend(submitted("O1", "2025-Q1", &[("jobs", 100.0)], "2025-04-02"));
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-06-01"),
    );
    let jobs = indicator(&r, "jobs");
    assert_eq!(jobs["value"], 12);
    assert_eq!(
        jobs["by_subregion"],
        serde_json::json!([{"subregion": "SA", "value": 7}, {"subregion": "SB", "value": 5}])
    );
    assert_eq!(
        jobs["by_owes"][2],
        serde_json::json!({"owes": "O3", "value": 5})
    );
    assert!(
        indicator(&r, "anim")["value"].is_null(),
        "nothing reported is null, not 0"
    );
    let sub = run(
        &i,
        &request(
            Scope::Subregion(code("SB")),
            "2024-Q1",
            "2024-Q4",
            "2025-06-01",
        ),
    );
    assert_eq!(indicator(&sub, "jobs")["value"], 5);
    assert!(
        indicator(&sub, "jobs").get("by_subregion").is_none(),
        "by_subregion is for the region only"
    );
}

#[test]
fn stocks_take_each_units_latest_reported_quarter() {
    let mut i = inputs();
    i.report_revisions
        .extend(submitted("O1", "2024-Q1", &[("anim", 5.0)], "2024-04-05"));
    i.report_revisions
        .extend(submitted("O1", "2024-Q3", &[("anim", 2.0)], "2024-10-05"));
    i.report_revisions
        .extend(submitted("O2", "2024-Q2", &[("anim", 1.0)], "2024-07-05"));
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-06-01"),
    );
    assert_eq!(indicator(&r, "anim")["value"], 3);
}

#[test]
fn ratios_divide_sums_and_money_keeps_two_decimals() {
    let mut i = inputs();
    i.report_revisions.extend(submitted(
        G1,
        "2024",
        &[("part_pln", 1.5), ("all_pln", 10.0)],
        "2025-01-10",
    ));
    i.report_revisions.extend(submitted(
        G2,
        "2024",
        &[("part_pln", 90.25), ("all_pln", 100.0)],
        "2025-01-10",
    ));
    i.report_revisions.extend(submitted(
        G2,
        "2023",
        &[("part_pln", 50.0), ("all_pln", 50.0)],
        "2024-01-10",
    ));
    let r = rollup(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-06-01"),
    );
    let share = r.indicators.iter().find(|f| f.code == "share").unwrap();
    assert_eq!(
        share.value.value(),
        Some(91.75 / 110.0),
        "not the average of 0.15 and 0.9025"
    );
    assert_eq!(share.numerator.unwrap().value(), Some(91.75));
    let text = serde_json::to_string(&r).unwrap();
    assert!(
        text.contains("\"numerator\":91.75,\"denominator\":110.00"),
        "{text}"
    );
}

#[test]
fn as_of_gives_the_figures_recorded_then() {
    let mut i = inputs();
    i.report_revisions
        .extend(submitted("O1", "2024-Q1", &[("jobs", 3.0)], "2024-04-05"));
    i.report_revisions.push(rev(
        "O1",
        "2024-Q1",
        3,
        "approve",
        ReportStatus::Approved,
        &[("jobs", 3.0)],
        "2024-04-10",
    ));
    i.report_revisions.push(rev(
        "O1",
        "2024-Q1",
        4,
        "reopen",
        ReportStatus::Returned,
        &[("jobs", 3.0)],
        "2024-06-01",
    ));
    i.report_revisions.push(rev(
        "O1",
        "2024-Q1",
        5,
        "update",
        ReportStatus::Returned,
        &[("jobs", 8.0)],
        "2024-06-02",
    ));
    i.report_revisions.push(rev(
        "O1",
        "2024-Q1",
        6,
        "submit",
        ReportStatus::Submitted,
        &[("jobs", 8.0)],
        "2024-06-03",
    ));
    let value = |day: &str, approved_only: bool| {
        let mut req = request(Scope::Region, "2024-Q1", "2024-Q1", day);
        req.approved_only = approved_only;
        indicator(&run(&i, &req), "jobs")["value"].clone()
    };
    assert_eq!(value("2024-05-01", false), 3);
    assert!(
        value("2024-06-02", false).is_null(),
        "returned for correction: not counted"
    );
    assert_eq!(value("2024-07-01", false), 8);
    assert!(
        value("2024-07-01", true).is_null(),
        "approved_only: the corrected one is not approved yet"
    );
    assert_eq!(value("2024-05-01", true), 3);
}

#[test]
fn completeness_counts_ended_active_quarters_and_the_deadline() {
    let mut i = inputs();
    i.owes[2].active_from = q("2024-Q2");
    i.report_revisions
        .extend(submitted("O1", "2024-Q1", &[("jobs", 1.0)], "2024-04-15"));
    i.report_revisions
        .extend(submitted("O2", "2024-Q1", &[("jobs", 1.0)], "2024-04-16"));
    i.report_revisions.push(rev(
        "O3",
        "2024-Q2",
        1,
        "create",
        ReportStatus::Draft,
        &[],
        "2024-07-01",
    ));
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2024-07-10"),
    );
    let c = &r["completeness"];
    assert_eq!(
        (
            c["expected"].as_u64(),
            c["received"].as_u64(),
            c["on_time"].as_u64()
        ),
        (Some(5), Some(2), Some(1))
    );
    assert_eq!(c["rate"], 0.4);
    assert_eq!(
        c["by_subregion"][1],
        serde_json::json!({"subregion": "SB", "expected": 1, "received": 0, "approved": 0, "on_time": 0, "rate": 0.0})
    );
    // The grid: each OWES, each quarter of the window.
    let cells = |owes: usize| -> Vec<(String, serde_json::Value)> {
        c["by_owes"][owes]["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                (
                    q["reporting"].as_str().unwrap().to_owned(),
                    q["status"].clone(),
                )
            })
            .collect()
    };
    let cell =
        |reporting: &str, status: Option<&str>| (reporting.to_owned(), serde_json::json!(status));
    assert_eq!(c["by_owes"][0]["owes"], "O1");
    assert_eq!(
        cells(0),
        [
            cell("on_time", Some("submitted")),
            cell("missing", None),
            cell("not_due", None),
            cell("not_due", None)
        ]
    );
    assert_eq!(
        cells(1)[0],
        cell("late", Some("submitted")),
        "first submitted after 15 April"
    );
    assert_eq!(
        cells(2)[..2],
        [cell("inactive", None), cell("missing", Some("draft"))],
        "not active in Q1; a draft is not received"
    );
    assert_eq!(c["by_owes"][2]["subregion"], "SB");
    assert_eq!(
        (
            c["by_owes"][2]["expected"].as_u64(),
            c["by_owes"][2]["received"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let none = run(
        &i,
        &request(Scope::Region, "2024-Q3", "2024-Q4", "2024-07-10"),
    );
    assert!(none["completeness"]["rate"].is_null(), "nothing ended yet");
    let one = run(
        &i,
        &request(Scope::Owes(code("O2")), "2024-Q1", "2024-Q2", "2024-07-10"),
    );
    let owes: Vec<&str> = one["completeness"]["by_owes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["owes"].as_str().unwrap())
        .collect();
    assert_eq!(owes, ["O2"], "an OWES rollup's grid is that OWES's");
}

fn lpres(
    teryt: &str,
    revision: i32,
    status: LpresStatus,
    adopted_on: Option<&str>,
    plan_to: Option<i32>,
    day: &str,
) -> LpresRevision {
    LpresRevision {
        teryt: code(teryt),
        revision,
        status,
        resolution_number: (status == LpresStatus::Adopted).then(|| format!("XL/{revision}/2024")),
        adopted_on: adopted_on.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        plan_from: plan_to.map(|y| y - 4),
        plan_to,
        recorded_at: at(day),
    }
}

#[test]
fn lpres_adopted_needs_the_date_the_years_and_the_record() {
    let mut i = inputs();
    i.lpres_revisions
        .push(lpres(G1, 1, LpresStatus::Draft, None, None, "2023-05-01"));
    i.lpres_revisions.push(lpres(
        G1,
        2,
        LpresStatus::Adopted,
        Some("2023-10-26"),
        Some(2028),
        "2023-11-01",
    ));
    i.lpres_revisions.push(lpres(
        G2,
        1,
        LpresStatus::Adopted,
        Some("2024-11-10"),
        Some(2024),
        "2024-11-20",
    ));
    let adopted = |from: &str, to: &str, day: &str| {
        run(&i, &request(Scope::Region, from, to, day))["lpres"]["adopted"].as_u64()
    };
    assert_eq!(adopted("2024-Q1", "2024-Q4", "2025-01-01"), Some(2));
    assert_eq!(
        adopted("2024-Q1", "2024-Q3", "2025-01-01"),
        Some(1),
        "g2 adopted after the window's last day"
    );
    assert_eq!(
        adopted("2025-Q1", "2025-Q4", "2025-01-01"),
        Some(1),
        "g2's plan ended in 2024"
    );
    assert_eq!(
        adopted("2024-Q1", "2024-Q4", "2023-10-30"),
        Some(0),
        "not yet recorded as adopted"
    );
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2023-10-30"),
    );
    assert_eq!(r["lpres"]["by_status"]["draft"], 1);
    assert_eq!(r["lpres"]["by_status"]["none"], 1);

    // Each gmina as recorded at the moment, and whether it counts in this window.
    let gminas = |to: &str, day: &str| {
        run(&i, &request(Scope::Region, "2024-Q1", to, day))["lpres"]["by_gmina"].clone()
    };
    let g = gminas("2024-Q3", "2025-01-01");
    assert_eq!(
        g[0],
        serde_json::json!({"teryt": G1, "subregion": "SA", "status": "adopted", "reported": true,
            "resolution_number": "XL/2/2024", "adopted_on": "2023-10-26", "plan_from": 2024,
            "plan_to": 2028, "adopted": true})
    );
    assert_eq!(
        (g[1]["status"].as_str(), g[1]["adopted"].as_bool()),
        (Some("adopted"), Some(false)),
        "adopted after Q3"
    );
    let g = gminas("2024-Q4", "2023-10-30");
    assert_eq!(
        (g[0]["status"].as_str(), g[0]["reported"].as_bool()),
        (Some("draft"), Some(true))
    );
    assert_eq!(
        (
            g[1]["status"].as_str(),
            g[1]["reported"].as_bool(),
            g[1]["resolution_number"].is_null()
        ),
        (Some("none"), Some(false), true),
        "nothing recorded yet"
    );
    let sub = run(
        &i,
        &request(
            Scope::Subregion(code("SB")),
            "2024-Q1",
            "2024-Q4",
            "2025-01-01",
        ),
    );
    assert_eq!(sub["lpres"]["by_gmina"].as_array().unwrap().len(), 1);
    assert_eq!(sub["lpres"]["by_gmina"][0]["teryt"], G2);
}

fn event(
    id: &str,
    revision: i32,
    date: &str,
    sub: Option<&str>,
    withdrawn: bool,
    day: &str,
) -> EventRevision {
    EventRevision {
        id: id.into(),
        revision,
        event_type: code("meet"),
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        subregion: sub.map(code),
        withdrawn,
        recorded_at: at(day),
    }
}

#[test]
fn events_count_by_quarter_without_the_withdrawn() {
    let mut i = inputs();
    i.event_revisions.push(event(
        "e1",
        1,
        "2024-05-14",
        Some("SA"),
        false,
        "2024-05-15",
    ));
    i.event_revisions
        .push(event("e2", 1, "2024-06-01", None, false, "2024-06-02"));
    i.event_revisions.push(event(
        "e3",
        1,
        "2024-07-01",
        Some("SB"),
        false,
        "2024-07-02",
    ));
    i.event_revisions
        .push(event("e3", 2, "2024-07-01", Some("SB"), true, "2024-08-01"));
    i.event_revisions.push(event(
        "e4",
        1,
        "2025-01-01",
        Some("SB"),
        false,
        "2025-01-02",
    ));
    let r = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-06-01"),
    );
    let meet = indicator(&r, "meet");
    assert_eq!(meet["value"], 2);
    assert_eq!(
        meet["by_subregion"],
        serde_json::json!([{"subregion": "SA", "value": 1}, {"subregion": "SB", "value": 0}])
    );
    let before = run(
        &i,
        &request(Scope::Region, "2024-Q1", "2024-Q4", "2024-07-15"),
    );
    assert_eq!(
        indicator(&before, "meet")["value"],
        3,
        "e3 was withdrawn only later"
    );
}

#[test]
fn results_count_gminas_once() {
    let mut i = inputs();
    let mut a = submitted(G1, "2024", &[], "2025-01-10");
    a[1].results = vec![code("A1"), code("B1")];
    let mut b = submitted(G2, "2024", &[], "2025-01-10");
    b[1].results = vec![code("A1")];
    let mut c = submitted(G2, "2023", &[], "2024-01-10");
    c[1].results = vec![code("A1")];
    i.report_revisions.extend([a, b, c].concat());
    let r = run(
        &i,
        &request(Scope::Region, "2023-Q1", "2024-Q4", "2025-06-01"),
    );
    assert_eq!(
        r["results"],
        serde_json::json!([{"code": "A1", "gminas": 2}, {"code": "B1", "gminas": 1}])
    );
}

#[test]
fn target_statuses() {
    let mut i = inputs();
    // Programme 2024-Q1..2027-Q4 (16 quarters), evaluated at 2025-Q4: 8 elapsed, 40 → 20 expected.
    for (unit, jobs) in [("O1", 45.0), ("O2", 20.0), ("O3", 12.0)] {
        i.report_revisions
            .extend(submitted(unit, "2025-Q2", &[("jobs", jobs)], "2025-07-05"));
    }
    i.event_revisions.push(event(
        "e1",
        1,
        "2025-03-01",
        Some("SA"),
        false,
        "2025-03-02",
    ));
    let r = rollup(
        &i,
        &request(Scope::Region, "2025-Q1", "2025-Q4", "2026-02-01"),
    );
    let status = |indicator: &str, unit: Option<&str>| {
        let t = r
            .targets
            .iter()
            .find(|t| t.indicator == indicator && t.unit.as_ref().map(TargetUnit::as_str) == unit)
            .unwrap();
        (t.status.as_str(), t.actual, t.expected_to_date)
    };
    assert_eq!(status("jobs", Some("O1")), ("achieved", 45.0, 20.0));
    assert_eq!(status("jobs", Some("O2")), ("on_track", 20.0, 20.0));
    assert_eq!(status("jobs", Some("O3")), ("at_risk", 12.0, 20.0));
    assert_eq!(
        status("meet", None),
        ("behind", 1.0, 3.0),
        "annual: 4 of 4 quarters elapsed"
    );
    assert_eq!(status("meet", Some("SA")).0, "achieved");
    assert_eq!(status("meet", Some("SB")).0, "behind");
    assert_eq!(status("lpres_adopted", None), ("behind", 0.0, 0.5));
    let owes = rollup(
        &i,
        &request(Scope::Owes(code("O3")), "2025-Q1", "2025-Q4", "2026-02-01"),
    );
    assert_eq!(
        owes.targets
            .iter()
            .map(|t| t.unit.as_ref().map_or("", TargetUnit::as_str))
            .collect::<Vec<_>>(),
        ["O3"]
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

/// Random single-revision reports of OWES O1..O3 for the quarters of 2024.
fn reports() -> impl Strategy<Value = Vec<(usize, u8, u32, u8)>> {
    proptest::collection::vec((0usize..3, 1u8..=4, 0u32..50, 0u8..4), 0..24)
}

fn with_reports(spec: &[(usize, u8, u32, u8)]) -> Inputs {
    let mut i = inputs();
    let statuses = [
        ReportStatus::Draft,
        ReportStatus::Submitted,
        ReportStatus::Approved,
        ReportStatus::Returned,
    ];
    let mut seen = std::collections::HashSet::new();
    for (n, (unit, quarter, jobs, status)) in spec.iter().enumerate() {
        if !seen.insert((*unit, *quarter)) {
            continue;
        }
        let code = ["O1", "O2", "O3"][*unit];
        let mut r = rev(
            code,
            &format!("2024-Q{quarter}"),
            1,
            "create",
            statuses[*status as usize],
            &[("jobs", f64::from(*jobs))],
            "2024-12-01",
        );
        r.recorded_at += chrono::Duration::seconds(n as i64);
        i.report_revisions.push(r);
    }
    i
}

fn year_2024(i: &Inputs, scope: Scope) -> Rollup {
    rollup(i, &request(scope, "2024-Q1", "2024-Q4", "2025-01-01"))
}

fn jobs(r: &Rollup) -> f64 {
    r.indicators
        .iter()
        .find(|f| f.code == "jobs")
        .unwrap()
        .value
        .value()
        .unwrap_or(0.0)
}

proptest! {
    #[test]
    fn a_flow_of_the_region_is_the_sum_of_its_subregions_and_of_its_owes(spec in reports()) {
        let i = with_reports(&spec);
        let r = year_2024(&i, Scope::Region);
        let f = r.indicators.iter().find(|f| f.code == "jobs").unwrap();
        let subs: f64 = f.by_subregion.as_ref().unwrap().iter().map(|s| s.value.value().unwrap_or(0.0)).sum();
        let owes: f64 = f.by_owes.as_ref().unwrap().iter().map(|s| s.value.value().unwrap_or(0.0)).sum();
        prop_assert_eq!(jobs(&r), subs);
        prop_assert_eq!(jobs(&r), owes);
        let a = jobs(&year_2024(&i, Scope::Subregion(code("SA"))));
        let b = jobs(&year_2024(&i, Scope::Subregion(code("SB"))));
        prop_assert_eq!(jobs(&r), a + b);
    }

    #[test]
    fn drafts_and_returned_reports_never_count(spec in reports()) {
        let i = with_reports(&spec);
        let expected: f64 = i.report_revisions.iter()
            .filter(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Approved))
            .map(|r| r.values["jobs"].unwrap().whole() as f64)
            .sum();
        prop_assert_eq!(jobs(&year_2024(&i, Scope::Region)), expected);
        let approved: f64 = i.report_revisions.iter()
            .filter(|r| r.status == ReportStatus::Approved)
            .map(|r| r.values["jobs"].unwrap().whole() as f64)
            .sum();
        let mut req = request(Scope::Region, "2024-Q1", "2024-Q4", "2025-01-01");
        req.approved_only = true;
        prop_assert_eq!(jobs(&rollup(&i, &req)), approved);
    }

    #[test]
    fn the_completeness_grid_adds_up_to_the_counts(spec in reports(), approved_only in any::<bool>()) {
        use crate::rollup::Reporting;
        let i = with_reports(&spec);
        let mut req = request(Scope::Region, "2024-Q1", "2024-Q4", "2024-11-20");
        req.approved_only = approved_only;
        let c = rollup(&i, &req).completeness;
        let (mut expected, mut received, mut on_time) = (0, 0, 0);
        for o in &c.by_owes {
            let count = |want: &[Reporting]| o.quarters.iter().filter(|q| want.contains(&q.reporting)).count();
            prop_assert_eq!(o.counts.expected, count(&[Reporting::Missing, Reporting::Late, Reporting::OnTime]));
            prop_assert_eq!(o.counts.received, count(&[Reporting::Late, Reporting::OnTime]));
            prop_assert_eq!(o.counts.on_time, count(&[Reporting::OnTime]));
            prop_assert_eq!(count(&[Reporting::NotDue]), 1, "2024-Q4 has not ended on 20 November");
            expected += o.counts.expected;
            received += o.counts.received;
            on_time += o.counts.on_time;
        }
        prop_assert_eq!((c.counts.expected, c.counts.received, c.counts.on_time), (expected, received, on_time));
    }

    #[test]
    fn the_order_of_inputs_never_changes_a_result(spec in reports(), seed in 0usize..1000) {
        let i = with_reports(&spec);
        let mut shuffled = i.clone();
        let n = shuffled.report_revisions.len().max(1);
        shuffled.report_revisions.rotate_left(seed % n);
        shuffled.report_revisions.reverse();
        shuffled.owes.reverse();
        shuffled.gminas.reverse();
        prop_assert_eq!(year_2024(&i, Scope::Region), year_2024(&shuffled, Scope::Region));
    }

    #[test]
    fn a_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators(
        parts in proptest::collection::vec((0u32..10_000, 1u32..10_000), 1..6)
    ) {
        let mut i = inputs();
        let (mut num, mut den) = (0.0, 0.0);
        for (n, (a, b)) in parts.iter().enumerate() {
            let (a, b) = (f64::from((*a).min(*b)), f64::from(*b));
            num += a;
            den += b;
            let gmina = if n % 2 == 0 { G1 } else { G2 };
            i.report_revisions.extend(submitted(gmina, &(2010 + n).to_string(), &[("part_pln", a), ("all_pln", b)], "2024-01-01"));
        }
        let r = rollup(&i, &request(Scope::Region, "2010-Q1", "2019-Q4", "2025-01-01"));
        let share = r.indicators.iter().find(|f| f.code == "share").unwrap();
        prop_assert_eq!(share.value.value(), Some(num / den));
    }

    #[test]
    fn a_later_as_of_never_loses_a_counted_value_that_was_not_changed(
        spec in reports(), later in proptest::collection::vec((0usize..3, 1u8..=4, 0u32..50), 0..6)
    ) {
        let mut i = with_reports(&spec);
        let before = year_2024(&i, Scope::Region);
        // Later revisions touch some reports only.
        let mut touched = std::collections::HashSet::new();
        for (n, (unit, quarter, jobs)) in later.iter().enumerate() {
            let code = ["O1", "O2", "O3"][*unit];
            touched.insert(code);
            let mut r = rev(code, &format!("2024-Q{quarter}"), 10 + n as i32, "update", ReportStatus::Draft, &[("jobs", f64::from(*jobs))], "2025-02-01");
            r.recorded_at += chrono::Duration::seconds(n as i64);
            i.report_revisions.push(r);
        }
        let after = rollup(&i, &request(Scope::Region, "2024-Q1", "2024-Q4", "2025-03-01"));
        let by_owes = |r: &Rollup| r.indicators.iter().find(|f| f.code == "jobs").unwrap().by_owes.clone().unwrap();
        for (old, new) in by_owes(&before).iter().zip(by_owes(&after)) {
            if !touched.contains(old.owes.as_str()) {
                prop_assert_eq!(old.value, new.value);
            }
        }
    }
}

mod entities;
