//! A scenario loaded through the public API, then read back as rollups: values, completeness,
//! LPRES, results, every target status, as-of, and the CSV and XLSX exports.

use super::*;
use calamine::{Data, Reader, StyleRange, Xlsx};
use reqwest::Method as M;
use std::collections::{HashMap, HashSet};
use std::io::Read;

fn owes_values(jobs: u64, animators: u64) -> Value {
    json!({
        "initiative_groups_created": 1, "enterprises_created": 1, "jobs_created": jobs,
        "ps_jobs_created_with_grants": 0, "local_partnerships_created": 0,
        "procurement_procedures_supported": 0, "animators_employed": animators, "joint_projects": 0,
        "vocational_training_participants": 2, "reintegration_plans": 1
    })
}

struct Scenario {
    server: Server,
    analyst: String,
    /// The moment the first approval of OWES-PD 2024-Q1 was recorded, before its correction.
    before_correction: String,
}

async fn report(
    s: &Server,
    owes: &str,
    token: &str,
    period: &str,
    (jobs, animators): (u64, u64),
    steps: &[&str],
    analyst: &str,
) -> Value {
    let url = format!("/api/v1/owes/{owes}/reports/{period}");
    let (status, _, mut r) = s
        .send(
            s.req(M::PUT, &url, token)
                .json(&json!({"values": owes_values(jobs, animators)})),
        )
        .await;
    assert!(status == 200 || status == 201, "{r}");
    for step in steps {
        let who = if *step == "submit" { token } else { analyst };
        let (status, _, body) = s
            .send(
                s.req(M::POST, &format!("{url}/{step}"), who)
                    .json(&json!({"reason": "korekta"})),
            )
            .await;
        assert_eq!(status, 200, "{step}: {body}");
        r = body;
    }
    r
}

async fn load(env: &Env) -> Scenario {
    let s = Server::start(env).await;
    let admin = env.token("admin", None);
    let analyst = env.token("analyst", None);
    let (status, _, _) = s.put("/api/v1/owes/OWES-PN2", &admin, &json!({"name": "Drugi OWES północny", "subregion": "OPL-PN", "active_from": "2024-Q1"})).await;
    assert_eq!(status, 201);
    let pn = env.token("owes", Some("OWES-PN"));
    let pn2 = env.token("owes", Some("OWES-PN2"));
    let pd = env.token("owes", Some("OWES-PD"));
    report(
        &s,
        "OWES-PN",
        &pn,
        "2024-Q1",
        (10, 2),
        &["submit", "approve"],
        &analyst,
    )
    .await;
    report(&s, "OWES-PN", &pn, "2024-Q2", (5, 3), &["submit"], &analyst).await;
    report(
        &s,
        "OWES-PN2",
        &pn2,
        "2024-Q1",
        (7, 9),
        &["submit", "return"],
        &analyst,
    )
    .await;
    report(&s, "OWES-PN2", &pn2, "2024-Q2", (100, 9), &[], &analyst).await;
    let approved = report(
        &s,
        "OWES-PD",
        &pd,
        "2024-Q1",
        (3, 1),
        &["submit", "approve"],
        &analyst,
    )
    .await;
    let before_correction = approved["approved_at"].as_str().unwrap().to_owned();
    // A correction after approval: reopen, change, submit, approve again.
    let (status, _, _) = s
        .send(s.req(
            M::POST,
            "/api/v1/owes/OWES-PD/reports/2024-Q1/reopen",
            &analyst,
        ))
        .await;
    assert_eq!(status, 200);
    report(
        &s,
        "OWES-PD",
        &pd,
        "2024-Q1",
        (4, 1),
        &["submit", "approve"],
        &analyst,
    )
    .await;
    report(&s, "OWES-PD", &pd, "2025-Q1", (2, 1), &["submit"], &analyst).await;

    let lpres = |teryt: &str, body: Value| {
        let req = s
            .req(M::PUT, &format!("/api/v1/gminas/{teryt}/lpres"), &analyst)
            .json(&body);
        async { assert!(s.send(req).await.0 < 300) }
    };
    let adopted = |on: &str, from: i64, to: i64| json!({"status": "adopted", "resolution_number": "X/1/2023", "adopted_on": on, "plan_from": from, "plan_to": to});
    lpres("1604023", adopted("2023-10-26", 2023, 2028)).await;
    lpres("1661011", adopted("2024-03-01", 2024, 2030)).await;
    lpres("1604013", json!({"status": "in_preparation"})).await;
    lpres("1601011", adopted("2022-01-10", 2022, 2026)).await;
    lpres("1601011", json!({"status": "repealed"})).await;

    let kluczbork = env.token("gmina", Some("1604023"));
    let (status, _, _) = s.send(s.req(M::PUT, "/api/v1/gminas/1604023/reports/2024", &kluczbork).json(&json!({"values": {
        "social_clause_contracts": 2, "sr_procurement_value_pln": 1000.5, "procurement_value_pln": 10000,
        "pes_service_commissions_value_pln": 0, "service_commissions_value_pln": 0, "officials_trained": 1,
        "social_cooperatives": 1, "social_enterprises": 1, "commissions_to_pes": 0, "excluded_persons_employed": 0,
        "persons_prepared_for_pes_work": 0, "persons_referred_by_ops": 0
    }, "results": ["A1", "C3"]}))).await;
    assert_eq!(status, 201);
    let (status, _, _) = s
        .send(s.req(
            M::POST,
            "/api/v1/gminas/1604023/reports/2024/submit",
            &kluczbork,
        ))
        .await;
    assert_eq!(status, 200);
    let byczyna = env.token("gmina", Some("1604013"));
    let (status, _, _) = s
        .send(
            s.req(M::PUT, "/api/v1/gminas/1604013/reports/2024", &byczyna)
                .json(&json!({"values": {}, "results": ["A1", "B2"]})),
        )
        .await;
    assert_eq!(status, 201, "a draft, which does not count");

    let event = |t: &str, date: &str, sub: Option<&str>| json!({"type": t, "date": date, "subregion": sub, "title": t, "participants": 10});
    let mut withdrawn = String::new();
    for body in [
        event("business_meeting", "2024-05-14", Some("OPL-PN")),
        event("business_meeting", "2024-09-10", Some("OPL-PD")),
        event("business_meeting", "2024-11-05", None),
        event("cooperation_initiative", "2024-06-01", None),
        event("business_meeting", "2024-12-01", Some("OPL-OP")),
    ] {
        let (status, _, e) = s
            .send(
                s.req(M::POST, "/api/v1/regions/16/events", &analyst)
                    .json(&body),
            )
            .await;
        assert_eq!(status, 201);
        withdrawn = e["id"].as_str().unwrap().to_owned();
    }
    let (status, _, _) = s
        .send(s.req(M::DELETE, &format!("/api/v1/events/{withdrawn}"), &analyst))
        .await;
    assert_eq!(status, 200);
    Scenario {
        server: s,
        analyst,
        before_correction,
    }
}

fn figure<'a>(rollup: &'a Value, code: &str) -> &'a Value {
    rollup["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

fn by<'a>(entry: &'a Value, list: &str, key: &str, unit: &str) -> &'a Value {
    &entry[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e[key] == unit)
        .unwrap()["value"]
}

fn target<'a>(rollup: &'a Value, indicator: &str, unit: Option<&str>) -> &'a Value {
    rollup["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == indicator && t["unit"].as_str() == unit)
        .unwrap_or_else(|| panic!("no target {indicator} {unit:?}"))
}

/// A CSV export read back as Excel would: BOM, `;`, quoted cells; the header first.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// A CSV number (decimal comma); `None` for an empty cell.
fn csv_number(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| {
        cell.replace(',', ".")
            .parse()
            .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
    })
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * a.abs().max(1.0),
        (a, b) => a == b,
    }
}

/// A cell read from the XLSX as a number; `None` when empty.
fn xlsx_number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(v) => Some(*v),
        Data::Int(v) => Some(*v as f64),
        Data::Empty => None,
        other => panic!("not a number: {other:?}"),
    }
}

fn xlsx_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

/// The number format of a cell, as stored in the workbook's styles.
fn number_format(styles: &StyleRange, row: usize, col: usize) -> Option<String> {
    styles
        .get((row as u32, col as u32))
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone())
}

/// The number format the export promises for a unit of the catalogue.
fn format_of(unit: &str) -> &'static str {
    match unit {
        "count" => "#,##0",
        "pln" => "#,##0.00 \"zł\"",
        "share" => "0.0%",
        other => panic!("unit {other}"),
    }
}

fn unit_name(unit: &str) -> &'static str {
    match unit {
        "count" => "liczba",
        "pln" => "zł",
        "share" => "udział",
        other => panic!("unit {other}"),
    }
}

/// `(min, max, width)` of every `<col>` of a worksheet's XML.
fn column_widths(xml: &str) -> Vec<(usize, usize, f64)> {
    xml.split("<col ")
        .skip(1)
        .map(|c| {
            let attr = |name: &str| {
                let at = c
                    .find(&format!(" {name}=\""))
                    .or_else(|| c.find(&format!("{name}=\"")))
                    .unwrap();
                let rest = &c[at..];
                let start = rest.find('"').unwrap() + 1;
                rest[start..].split('"').next().unwrap().to_owned()
            };
            (
                attr("min").parse().unwrap(),
                attr("max").parse().unwrap(),
                attr("width").parse().unwrap(),
            )
        })
        .collect()
}

async fn download(s: &Server, url: &str, token: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = s.req(M::GET, url, token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

backend_tests! {
    async fn rollups_hold_the_scenario_against_the_targets(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let Scenario { server: s, analyst, before_correction } = load(&env).await;
        let (status, _, r) = s.send(s.req(M::GET, "/api/v1/rollups/regions/16?year=2024", &analyst)).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!((r["scope"].clone(), r["from"].as_str(), r["to"].as_str()), (json!({"kind": "region", "code": "16"}), Some("2024-Q1"), Some("2024-Q4")));

        let jobs = figure(&r, "jobs_created");
        assert_eq!((jobs["kind"].as_str(), jobs["value"].as_i64()), (Some("flow"), Some(19)), "10 + 5 + 4 (corrected); the draft and the returned report do not count");
        assert_eq!(by(jobs, "by_subregion", "subregion", "OPL-PN"), 15);
        assert_eq!(by(jobs, "by_subregion", "subregion", "OPL-PD"), 4);
        assert!(by(jobs, "by_subregion", "subregion", "OPL-OP").is_null());
        assert!(by(jobs, "by_owes", "owes", "OWES-PN2").is_null());
        assert_eq!(figure(&r, "animators_employed")["value"], 4, "stock: PN's latest (3) + PD's (1)");
        let share = figure(&r, "sr_procurement_share");
        assert_eq!((share["value"].as_f64(), share["numerator"].as_f64(), share["denominator"].as_f64()), (Some(0.10005), Some(1000.5), Some(10000.0)));
        assert_eq!(figure(&r, "business_meeting")["value"], 3, "the withdrawn one does not count");
        assert_eq!(by(figure(&r, "business_meeting"), "by_subregion", "subregion", "OPL-OP"), 0);
        assert_eq!(figure(&r, "cooperation_initiative")["value"], 1);

        let c = &r["completeness"];
        assert_eq!((c["expected"].as_u64(), c["received"].as_u64(), c["approved"].as_u64(), c["on_time"].as_u64()), (Some(16), Some(3), Some(2), Some(0)));
        assert_eq!(c["rate"], 0.1875);
        let pn = c["by_subregion"].as_array().unwrap().iter().find(|x| x["subregion"] == "OPL-PN").unwrap();
        assert_eq!((pn["expected"].as_u64(), pn["received"].as_u64()), (Some(8), Some(2)));

        let l = &r["lpres"];
        assert_eq!((l["gminas"].as_u64(), l["adopted"].as_u64()), (Some(71), Some(2)));
        assert_eq!(l["by_status"], json!({"adopted": 2, "draft": 0, "in_preparation": 1, "none": 67, "repealed": 1}));
        let op = l["by_subregion"].as_array().unwrap().iter().find(|x| x["subregion"] == "OPL-OP").unwrap();
        assert_eq!(op["adopted"], 1, "Opole");
        let results = r["results"].as_array().unwrap();
        assert_eq!(results.len(), 20);
        let count = |code: &str| results.iter().find(|x| x["code"] == code).unwrap()["gminas"].as_u64();
        assert_eq!((count("A1"), count("C3"), count("B2")), (Some(1), Some(1), Some(0)));

        // Targets at 2024-Q4: 4 of the programme's 16 quarters have passed.
        let status = |t: &Value| (t["status"].as_str().unwrap().to_owned(), t["actual"].as_f64().unwrap(), t["expected_to_date"].as_f64().unwrap());
        assert_eq!(status(target(&r, "lpres_adopted", None)), ("on_track".into(), 2.0, 2.0));
        assert_eq!(status(target(&r, "business_meeting", None)), ("achieved".into(), 3.0, 3.0));
        assert_eq!(status(target(&r, "business_meeting", Some("OPL-PN"))).0, "achieved");
        assert_eq!(status(target(&r, "business_meeting", Some("OPL-OP"))), ("behind".into(), 0.0, 1.0));
        assert_eq!(status(target(&r, "cooperation_initiative", None)), ("at_risk".into(), 1.0, 1.75));
        assert_eq!(status(target(&r, "jobs_created", Some("OWES-PN"))), ("on_track".into(), 15.0, 10.0));
        assert_eq!(status(target(&r, "jobs_created", Some("OWES-PD"))), ("behind".into(), 4.0, 10.0));
        assert_eq!(status(target(&r, "animators_employed", Some("OWES-PN"))), ("achieved".into(), 3.0, 2.0));
        let t = target(&r, "jobs_created", Some("OWES-PN"));
        assert_eq!((t["scope"].as_str(), t["comparator"].as_str(), t["target"].as_f64(), t["window"].as_str()), (Some("owes"), Some("at_least"), Some(40.0), Some("programme")));
        assert_eq!(r["targets"].as_array().unwrap().len(), 5 + 3 + 10 * 4, "5 region targets, 1 for each of 3 subregions, 10 for each of 4 OWES");

        // As of before the correction, and approved only.
        let at = before_correction.replace(':', "%3A");
        let (_, _, old) = s.send(s.req(M::GET, &format!("/api/v1/rollups/regions/16?from=2024-Q1&to=2024-Q4&as_of={at}"), &analyst)).await;
        assert_eq!(figure(&old, "jobs_created")["value"], 18, "the old figure: {}", old["as_of"]);
        let (_, _, approved) = s.send(s.req(M::GET, "/api/v1/rollups/regions/16?year=2024&approved_only=true", &analyst)).await;
        assert_eq!(figure(&approved, "jobs_created")["value"], 14);
        let (_, _, sub) = s.send(s.req(M::GET, "/api/v1/rollups/subregions/OPL-PN?year=2024", &analyst)).await;
        assert_eq!((figure(&sub, "jobs_created")["value"].as_i64(), sub["lpres"]["gminas"].as_u64()), (Some(15), Some(22)));
        let pd = env.token("owes", Some("OWES-PD"));
        let (status, _, own) = s.send(s.req(M::GET, "/api/v1/rollups/owes/OWES-PD?from=2024-Q1&to=2025-Q1", &pd)).await;
        assert_eq!((status, figure(&own, "jobs_created")["value"].as_i64()), (200, Some(6)));

        // CSV: same numbers (Polish Excel: BOM, semicolons, decimal comma).
        let res = s.req(M::GET, "/api/v1/rollups/regions/16?year=2024&format=csv", &analyst).send().await.unwrap();
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = res.text().await.unwrap();
        assert!(text.starts_with('\u{feff}'), "BOM for Excel");
        let rows: Vec<Vec<String>> = text.trim_start_matches('\u{feff}').lines().map(|l| l.split(';').map(str::to_owned).collect()).collect();
        assert_eq!(rows[0], ["nazwa wskaźnika", "wskaźnik", "rodzaj", "poziom", "jednostka", "wartość", "jednostka miary", "nazwa jednostki", "licznik", "mianownik"]);
        let cell = |code: &str, level: &str, unit: &str| {
            rows.iter().find(|r| r[1] == code && r[3] == level && r[4] == unit).unwrap_or_else(|| panic!("{code} {unit}")).clone()
        };
        assert_eq!(cell("jobs_created", "region", "16")[5], "19");
        assert_eq!(cell("jobs_created", "subregion", "OPL-PN")[5], "15");
        assert_eq!(cell("jobs_created", "owes", "OWES-PD")[5], "4");
        let share = cell("sr_procurement_share", "region", "16");
        assert_eq!([&share[5], &share[8], &share[9]], ["0,10005", "1000,50", "10000,00"]);
        let (_, _, csv_accept) = {
            let res = s.req(M::GET, "/api/v1/rollups/regions/16?year=2024", &analyst).header("accept", "text/csv").send().await.unwrap();
            (0, 0, res.headers()["content-type"].to_str().unwrap().to_owned())
        };
        assert!(csv_accept.starts_with("text/csv"));

        // XLSX: opened and read back.
        let res = s.req(M::GET, "/api/v1/rollups/regions/16?year=2024&format=xlsx", &analyst).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.sheet_names(), ["Wskaźniki", "Cele", "Kompletność", "LPRES", "Rezultaty", "Pokrycie"]);
        let sheet = book.worksheet_range("Wskaźniki").unwrap();
        let find = |code: &str, level: &str, unit: &str| {
            sheet.rows().find(|r| r[1] == Data::String(code.into()) && r[3] == Data::String(level.into()) && r[4] == Data::String(unit.into())).unwrap().to_vec()
        };
        assert_eq!(find("jobs_created", "region", "16")[5], Data::Float(19.0), "a number, not text");
        assert_eq!(find("jobs_created", "subregion", "OPL-PN")[5], Data::Float(15.0));
        assert_eq!(find("sr_procurement_share", "region", "16")[8], Data::Float(1000.5));
        let targets = book.worksheet_range("Cele").unwrap();
        assert_eq!(targets.height() - 1, r["targets"].as_array().unwrap().len());
        let row = targets.rows().find(|x| x[1] == Data::String("cooperation_initiative".into())).unwrap();
        assert_eq!((row[7].clone(), row[10].clone()), (Data::Float(1.0), Data::String("zagrożony".into())));
        let completeness = book.worksheet_range("Kompletność").unwrap();
        assert_eq!(completeness.get((1, 3)), Some(&Data::Float(16.0)));
        assert_eq!(completeness.get((1, 4)), Some(&Data::Float(3.0)));
        let lpres = book.worksheet_range("LPRES").unwrap();
        assert_eq!(lpres.get((1, 4)), Some(&Data::Float(2.0)));
        s.stop().await;
    }

    async fn bad_rollup_requests_get_problems(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let analyst = env.token("analyst", None);
        let cases = [
            ("/api/v1/rollups/regions/16?from=2024-Q4&to=2024-Q1", 422, "to"),
            ("/api/v1/rollups/regions/16?from=2024-Q5&to=2024-Q4", 422, "from"),
            ("/api/v1/rollups/regions/16?from=2024-Q1", 422, "to"),
            ("/api/v1/rollups/regions/16?from=2010-Q1&to=2024-Q4", 422, "to"),
            ("/api/v1/rollups/regions/16?year=24", 422, "year"),
            ("/api/v1/rollups/regions/16?year=2024&as_of=yesterday", 422, "as_of"),
            ("/api/v1/rollups/regions/16?year=2024&format=pdf", 422, "format"),
            ("/api/v1/rollups/regions/16?year=2024&format=csv&table=everything", 422, "table"),
            ("/api/v1/rollups/regions/99?year=2024", 404, ""),
            ("/api/v1/rollups/subregions/OPL-XX?year=2024", 404, ""),
            ("/api/v1/rollups/owes/OWES-XX?year=2024", 404, ""),
        ];
        for (url, want, field) in cases {
            let (status, _, problem) = s.send(s.req(M::GET, url, &analyst)).await;
            assert_eq!(status, want, "{url}: {problem}");
            if !field.is_empty() {
                assert_eq!(problem["errors"][0]["field"], field, "{url}: {problem}");
            }
        }
        let pn = env.token("owes", Some("OWES-PN"));
        for url in ["/api/v1/rollups/regions/16", "/api/v1/rollups/subregions/OPL-PN", "/api/v1/rollups/owes/OWES-PD"] {
            let (status, _, _) = s.send(s.req(M::GET, url, &pn)).await;
            assert_eq!(status, 403, "{url}");
        }
        let (status, _, _) = s.send(s.req(M::GET, "/api/v1/rollups/owes/OWES-PN", &pn)).await;
        assert_eq!(status, 200, "an OWES reads its own rollup");
        s.stop().await;
    }
    async fn csv_exports_hold_each_value_once_per_level_and_unit(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let Scenario { server: s, analyst, .. } = load(&env).await;
        for url in [
            "/api/v1/rollups/regions/16?year=2024",
            "/api/v1/rollups/subregions/OPL-PN?year=2024",
            "/api/v1/rollups/owes/OWES-PN?year=2024",
            "/api/v1/rollups/owes/OWES-PD?from=2024-Q1&to=2025-Q1",
        ] {
            let (status, _, r) = s.send(s.req(M::GET, url, &analyst)).await;
            assert_eq!(status, 200, "{url}: {r}");
            let (_, bytes) = download(&s, &format!("{url}&format=csv"), &analyst).await;
            let rows = csv_rows(&String::from_utf8(bytes).unwrap());
            let (header, rows) = rows.split_first().unwrap();
            let (code, level, unit, value) = (column(header, "wskaźnik"), column(header, "poziom"), column(header, "jednostka"), column(header, "wartość"));
            let mut seen = HashSet::new();
            for row in rows {
                assert!(seen.insert((&row[code], &row[level], &row[unit])), "{url}: {} {} {} twice", row[code], row[level], row[unit]);
            }
            let kind = r["scope"]["kind"].as_str().unwrap();
            let scope = r["scope"]["code"].as_str().unwrap();
            for f in r["indicators"].as_array().unwrap() {
                let c = f["code"].as_str().unwrap();
                let mine: Vec<&Vec<String>> = rows.iter().filter(|row| row[code] == c).collect();
                // What a SUMIF on the indicator (and, for a region or subregion, on its level) adds up.
                let sum = |lvl: Option<&str>| -> Option<f64> {
                    let vals: Vec<f64> = mine.iter().filter(|row| lvl.is_none_or(|l| row[level] == l)).filter_map(|row| csv_number(&row[value])).collect();
                    (!vals.is_empty()).then(|| vals.iter().sum())
                };
                assert!(close(sum(Some(kind)), f["value"].as_f64()), "{url}: {c} at {kind} sums to {:?}, the rollup says {}", sum(Some(kind)), f["value"]);
                // An entity indicator also lists the entities of the OWES's subregion.
                if kind == "owes" && f["by_entity"].is_null() {
                    assert_eq!(mine.len(), 1, "{url}: {c} is one row");
                    assert!(close(sum(None), f["value"].as_f64()), "{url}: {c} sums to {:?}, the rollup says {}", sum(None), f["value"]);
                }
                // Every row is one figure of the JSON, and every figure of the JSON one row.
                let mut want: Vec<(String, String, Option<f64>)> = vec![(kind.into(), scope.into(), f["value"].as_f64())];
                for (list, lvl, key) in [("by_subregion", "subregion", "subregion"), ("by_owes", "owes", "owes"), ("by_entity", "entity", "entity")] {
                    for e in f[list].as_array().into_iter().flatten() {
                        let entry = (lvl.to_owned(), e[key].as_str().unwrap().to_owned(), e["value"].as_f64());
                        match want.iter().find(|w| w.0 == entry.0 && w.1 == entry.1) {
                            Some(same) => assert!(close(same.2, entry.2), "{url}: {c} {entry:?}"),
                            None => want.push(entry),
                        }
                    }
                }
                assert_eq!(mine.len(), want.len(), "{url}: {c}: {mine:?}");
                for (lvl, u, v) in &want {
                    let row = mine.iter().find(|row| &row[level] == lvl && &row[unit] == u).unwrap_or_else(|| panic!("{url}: no row {c} {lvl} {u}"));
                    assert!(close(csv_number(&row[value]), *v), "{url}: {c} {lvl} {u}: {} vs {v:?}", row[value]);
                }
            }
        }
        s.stop().await;
    }

    async fn xlsx_and_csv_tables_read_in_polish_and_hold_the_json(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let Scenario { server: s, analyst, .. } = load(&env).await;
        let (_, _, r) = s.send(s.req(M::GET, "/api/v1/rollups/regions/16?year=2024", &analyst)).await;
        let (_, _, catalogue) = s.send(s.req(M::GET, "/api/v1/indicators", &analyst)).await;
        let mut indicator_names: HashMap<String, String> = HashMap::new();
        for i in catalogue["indicators"].as_array().unwrap().iter().chain(catalogue["event_types"].as_array().unwrap()) {
            indicator_names.insert(i["code"].as_str().unwrap().into(), i["name_pl"].as_str().unwrap().into());
        }
        let result_names: HashMap<String, String> = catalogue["result_groups"].as_array().unwrap().iter()
            .flat_map(|g| g["items"].as_array().unwrap().iter())
            .map(|i| (i["code"].as_str().unwrap().into(), i["name_pl"].as_str().unwrap().into()))
            .collect();
        let (_, _, region) = s.send(s.req(M::GET, "/api/v1/regions/16", &analyst)).await;
        let (_, _, owes) = s.send(s.req(M::GET, "/api/v1/owes?region=16", &analyst)).await;
        let mut unit_names: HashMap<(String, String), String> = HashMap::new();
        unit_names.insert(("region".into(), "16".into()), region["name"].as_str().unwrap().into());
        for sub in region["subregions"].as_array().unwrap() {
            unit_names.insert(("subregion".into(), sub["code"].as_str().unwrap().into()), sub["name"].as_str().unwrap().into());
        }
        for o in owes.as_array().or_else(|| owes["items"].as_array()).unwrap() {
            unit_names.insert(("owes".into(), o["code"].as_str().unwrap().into()), o["name"].as_str().unwrap().into());
        }
        let (_, _, entities) = s.send(s.req(M::GET, "/api/v1/regions/16/entities", &analyst)).await;
        for e in entities.as_array().unwrap() {
            unit_names.insert(("entity".into(), e["code"].as_str().unwrap().into()), e["name"].as_str().unwrap().into());
        }
        let (_, _, gminas) = s.send(s.req(M::GET, "/api/v1/gminas?region=16", &analyst)).await;
        for g in gminas.as_array().or_else(|| gminas["items"].as_array()).unwrap() {
            unit_names.insert(("gmina".into(), g["teryt"].as_str().unwrap().into()), g["name"].as_str().unwrap().into());
        }
        let unit_name_of = |lvl: &str, code: &str| unit_names.get(&(lvl.to_owned(), code.to_owned())).cloned().unwrap_or_default();
        assert_eq!(unit_name_of("subregion", "OPL-PN"), "Subregion północny");
        assert_eq!(unit_name_of("gmina", "1604023"), "Kluczbork");
        assert_eq!(unit_name_of("owes", "OWES-PN2"), "Drugi OWES północny");

        let (_, bytes) = download(&s, "/api/v1/rollups/regions/16?year=2024&format=xlsx", &analyst).await;
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let sheets = ["Wskaźniki", "Cele", "Kompletność", "LPRES", "Rezultaty", "Pokrycie"];
        assert_eq!(book.sheet_names(), sheets);

        // Wskaźniki: one row per indicator, level and unit, each equal to the JSON.
        let sheet = book.worksheet_range("Wskaźniki").unwrap();
        let styles = book.worksheet_style("Wskaźniki").unwrap();
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(xlsx_text).collect();
        assert_eq!(header, ["nazwa wskaźnika", "wskaźnik", "rodzaj", "poziom", "jednostka", "wartość", "jednostka miary", "nazwa jednostki", "licznik", "mianownik"]);
        let expected_rows: usize = r["indicators"].as_array().unwrap().iter()
            .map(|f| 1 + ["by_subregion", "by_owes", "by_entity"].iter().map(|k| f[*k].as_array().map_or(0, Vec::len)).sum::<usize>())
            .sum();
        assert_eq!(sheet.height() - 1, expected_rows);
        let mut formats_seen = HashSet::new();
        for (i, row) in sheet.rows().enumerate().skip(1) {
            let (c, lvl, u) = (xlsx_text(&row[1]), xlsx_text(&row[3]), xlsx_text(&row[4]));
            let f = figure(&r, &c);
            let want = match lvl.as_str() {
                "region" => &f["value"],
                "subregion" => by(f, "by_subregion", "subregion", &u),
                "owes" => by(f, "by_owes", "owes", &u),
                "entity" => by(f, "by_entity", "entity", &u),
                other => panic!("level {other}"),
            };
            assert!(close(xlsx_number(&row[5]), want.as_f64()), "{c} {lvl} {u}: {:?} vs {want}", row[5]);
            assert_eq!(xlsx_text(&row[0]), indicator_names[&c], "{c}: its Polish name");
            assert_eq!(xlsx_text(&row[2]), f["kind"].as_str().unwrap());
            let unit = f["unit"].as_str().unwrap();
            assert_eq!(xlsx_text(&row[6]), unit_name(unit), "{c}");
            assert_eq!(xlsx_text(&row[7]), unit_name_of(&lvl, &u), "{c} {lvl} {u}");
            assert!(!xlsx_text(&row[7]).is_empty(), "{lvl} {u} has a name");
            if !want.is_null() {
                assert_eq!(number_format(&styles, i, 5).as_deref(), Some(format_of(unit)), "{c} {lvl} {u}");
                formats_seen.insert(format_of(unit));
            }
            if lvl == "region" {
                for (col, part) in [(8, "numerator"), (9, "denominator")] {
                    assert!(close(xlsx_number(&row[col]), f[part].as_f64()), "{c} {part}");
                    if !f[part].is_null() {
                        assert_eq!(number_format(&styles, i, col).as_deref(), Some(format_of("pln")), "{c} {part} in złoty");
                    }
                }
            }
        }
        assert_eq!(formats_seen.len(), 3, "counts, money and shares each with their format: {formats_seen:?}");
        let jobs = sheet.rows().find(|x| x[1] == Data::String("jobs_created".into())).unwrap();
        assert_eq!(jobs[0], Data::String("Liczba powstałych miejsc pracy w PS i PES".into()));
        assert_eq!(jobs[7], Data::String("opolskie".into()));

        // Cele: every evaluation, its status in Polish.
        let sheet = book.worksheet_range("Cele").unwrap();
        let styles = book.worksheet_style("Cele").unwrap();
        assert_eq!(sheet.height() - 1, r["targets"].as_array().unwrap().len());
        let polish = HashMap::from([("achieved", "osiągnięty"), ("on_track", "na dobrej drodze"), ("at_risk", "zagrożony"), ("behind", "opóźniony")]);
        let mut statuses = HashSet::new();
        for (i, row) in sheet.rows().enumerate().skip(1) {
            let (c, u) = (xlsx_text(&row[1]), xlsx_text(&row[3]));
            let t = target(&r, &c, (!u.is_empty()).then_some(u.as_str()));
            assert_eq!(xlsx_text(&row[2]), t["scope"].as_str().unwrap());
            assert!(!xlsx_text(&row[0]).is_empty(), "{c} has a Polish name");
            if let Some(name) = indicator_names.get(&c) {
                assert_eq!(&xlsx_text(&row[0]), name);
            }
            if !u.is_empty() {
                assert_eq!(xlsx_text(&row[4]), unit_name_of(t["scope"].as_str().unwrap(), &u));
            }
            for (col, key) in [(6, "target"), (7, "actual"), (8, "expected_to_date")] {
                assert!(close(xlsx_number(&row[col]), t[key].as_f64()), "{c} {u} {key}");
            }
            assert_eq!(number_format(&styles, i, 6).as_deref(), Some("#,##0"), "{c}: a count");
            assert_eq!(number_format(&styles, i, 8).as_deref(), Some("#,##0.00"), "{c}: a pro-rata count has decimals");
            let status = t["status"].as_str().unwrap();
            assert_eq!(xlsx_text(&row[10]), polish[status], "{c} {u}");
            statuses.insert(status.to_owned());
        }
        assert_eq!(statuses.len(), 4, "the scenario has every status: {statuses:?}");
        let lpres_target = sheet.rows().find(|x| x[1] == Data::String("lpres_adopted".into())).unwrap();
        assert!(matches!(&lpres_target[0], Data::String(n) if n.contains("LPRES")));

        // Kompletność: the scope, then its subregions.
        let sheet = book.worksheet_range("Kompletność").unwrap();
        let styles = book.worksheet_style("Kompletność").unwrap();
        let c = &r["completeness"];
        let mut want = vec![("region".to_owned(), "16".to_owned(), c.clone())];
        for sub in c["by_subregion"].as_array().unwrap() {
            want.push(("subregion".into(), sub["subregion"].as_str().unwrap().into(), sub.clone()));
        }
        for o in c["by_owes"].as_array().unwrap() {
            want.push(("owes".into(), o["owes"].as_str().unwrap().into(), o.clone()));
        }
        assert_eq!(want.len(), 1 + 3 + owes.as_array().or_else(|| owes["items"].as_array()).unwrap().len(), "the region, its subregions, its OWES");
        assert_eq!(sheet.height() - 1, want.len());
        for (i, (row, (lvl, u, counts))) in sheet.rows().skip(1).zip(&want).enumerate() {
            assert_eq!((xlsx_text(&row[0]), xlsx_text(&row[1]), xlsx_text(&row[2])), (lvl.clone(), u.clone(), unit_name_of(lvl, u)));
            for (col, key) in [(3, "expected"), (4, "received"), (5, "approved"), (6, "on_time"), (7, "rate")] {
                assert!(close(xlsx_number(&row[col]), counts[key].as_f64()), "{u} {key}");
            }
            assert_eq!(number_format(&styles, i + 1, 7).as_deref(), Some("0.0%"));
            assert_eq!(number_format(&styles, i + 1, 3).as_deref(), Some("#,##0"));
        }

        // LPRES: adoption per unit, and the region's gminas per status, in Polish.
        let sheet = book.worksheet_range("LPRES").unwrap();
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(xlsx_text).collect();
        assert_eq!(header[6..], ["status: brak", "status: w przygotowaniu", "status: projekt", "status: przyjęty", "status: uchylony"]);
        let l = &r["lpres"];
        let first = sheet.rows().nth(1).unwrap();
        assert_eq!(xlsx_text(&first[2]), "opolskie");
        for (col, key) in [(3, "gminas"), (4, "adopted"), (5, "share")] {
            assert!(close(xlsx_number(&first[col]), l[key].as_f64()), "{key}");
        }
        for (col, status) in [(6, "none"), (7, "in_preparation"), (8, "draft"), (9, "adopted"), (10, "repealed")] {
            assert!(close(xlsx_number(&first[col]), l["by_status"][status].as_f64()), "{status}");
        }
        assert_eq!(xlsx_number(&first[6]), Some(67.0));
        assert_eq!(number_format(&book.worksheet_style("LPRES").unwrap(), 1, 5).as_deref(), Some("0.0%"));
        for sub in l["by_subregion"].as_array().unwrap() {
            let code = sub["subregion"].as_str().unwrap();
            let row = sheet.rows().find(|x| x[1] == Data::String(code.into())).unwrap();
            assert_eq!(xlsx_text(&row[2]), unit_name_of("subregion", code));
            assert_eq!((xlsx_number(&row[3]), xlsx_number(&row[4])), (sub["gminas"].as_f64(), sub["adopted"].as_f64()));
        }
        // Each gmina: 1 under its status as of the moment, as the region page's map shows it.
        let gminas = l["by_gmina"].as_array().unwrap();
        assert_eq!(gminas.len(), 71);
        for g in gminas {
            let teryt = g["teryt"].as_str().unwrap();
            let row = sheet.rows().find(|x| x[0] == Data::String("gmina".into()) && x[1] == Data::String(teryt.into())).unwrap();
            assert_eq!(xlsx_text(&row[2]), unit_name_of("gmina", teryt));
            assert_eq!(xlsx_number(&row[4]), Some(if g["adopted"] == true { 1.0 } else { 0.0 }), "{teryt}");
            let column = 6 + ["none", "in_preparation", "draft", "adopted", "repealed"].iter().position(|s| g["status"] == *s).unwrap();
            assert_eq!(xlsx_number(&row[column]), Some(1.0), "{teryt}");
        }

        // Rezultaty: the checklist with its Polish names.
        let sheet = book.worksheet_range("Rezultaty").unwrap();
        let results = r["results"].as_array().unwrap();
        assert_eq!(sheet.height() - 1, results.len());
        for (row, res) in sheet.rows().skip(1).zip(results) {
            let code = res["code"].as_str().unwrap();
            assert_eq!(xlsx_text(&row[0]), code);
            assert_eq!(xlsx_text(&row[1]), result_names[code]);
            assert_eq!(xlsx_number(&row[2]), res["gminas"].as_f64(), "{code}");
        }

        // Every sheet: the header row frozen, an autofilter over the table, columns as wide as
        // their longest text (up to 100 characters, beyond which text wraps).
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for (i, name) in sheets.iter().enumerate() {
            let mut xml = String::new();
            zip.by_name(&format!("xl/worksheets/sheet{}.xml", i + 1)).unwrap().read_to_string(&mut xml).unwrap();
            let range = book.worksheet_range(name).unwrap();
            assert!(xml.contains("ySplit=\"1\"") && xml.contains("state=\"frozen\""), "{name}: header row frozen");
            let last = (b'A' + range.width() as u8 - 1) as char;
            assert!(xml.contains(&format!("<autoFilter ref=\"A1:{last}{}\"/>", range.height())), "{name}: autofilter over A1:{last}{}", range.height());
            let widths = column_widths(&xml);
            for col in 0..range.width() {
                let longest = range.rows().map(|r| match &r[col] { Data::String(s) => s.chars().count(), _ => 0 }).max().unwrap_or(0);
                let width = widths.iter().find(|(min, max, _)| (*min..=*max).contains(&(col + 1))).map(|w| w.2).unwrap_or_else(|| panic!("{name}: column {col} has no width"));
                assert!(width >= longest.min(100) as f64, "{name}: column {col} is {width} wide for {longest} characters");
            }
        }

        // CSV: each table with the columns and values of its sheet.
        for (table, name) in ["indicators", "targets", "completeness", "lpres", "results"].into_iter().zip(sheets) {
            let (headers, bytes) = download(&s, &format!("/api/v1/rollups/regions/16?year=2024&format=csv&table={table}"), &analyst).await;
            let disposition = headers["content-disposition"].to_str().unwrap();
            if table != "indicators" {
                assert!(disposition.contains(&format!("-{table}.csv")), "{disposition}");
            }
            let rows = csv_rows(&String::from_utf8(bytes).unwrap());
            let range = book.worksheet_range(name).unwrap();
            assert_eq!(rows.len(), range.height(), "{table}");
            for (csv_row, xlsx_row) in rows.iter().zip(range.rows()) {
                assert_eq!(csv_row.len(), xlsx_row.len(), "{table}: {csv_row:?}");
                for (a, b) in csv_row.iter().zip(xlsx_row) {
                    match b {
                        Data::String(t) => assert_eq!(a, t, "{table}"),
                        Data::Empty => assert_eq!(a, "", "{table}"),
                        other => assert!(close(csv_number(a), xlsx_number(other)), "{table}: {a} vs {other:?}"),
                    }
                }
            }
        }
        let (headers, default) = download(&s, "/api/v1/rollups/regions/16?year=2024&format=csv", &analyst).await;
        let (_, indicators) = download(&s, "/api/v1/rollups/regions/16?year=2024&format=csv&table=indicators", &analyst).await;
        assert_eq!(csv_rows(&String::from_utf8(default).unwrap())[0], csv_rows(&String::from_utf8(indicators).unwrap())[0], "indicators by default");
        assert!(headers["content-disposition"].to_str().unwrap().ends_with("-2024-Q4.csv\""));
        s.stop().await;
    }
}
