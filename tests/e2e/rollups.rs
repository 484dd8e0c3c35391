//! A scenario loaded through the public API, then read back as rollups: values, completeness,
//! LPRES, results, every target status, as-of, and the CSV and XLSX exports.

use super::*;
use calamine::{Data, Reader, Xlsx};
use reqwest::Method as M;

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
        assert_eq!(rows[0], ["wskaźnik", "rodzaj", "poziom", "jednostka", "wartość", "licznik", "mianownik"]);
        let cell = |code: &str, level: &str, unit: &str| {
            rows.iter().find(|r| r[0] == code && r[2] == level && r[3] == unit).unwrap_or_else(|| panic!("{code} {unit}")).clone()
        };
        assert_eq!(cell("jobs_created", "region", "16")[4], "19");
        assert_eq!(cell("jobs_created", "subregion", "OPL-PN")[4], "15");
        assert_eq!(cell("jobs_created", "owes", "OWES-PD")[4], "4");
        assert_eq!(cell("sr_procurement_share", "region", "16")[4..], ["0,10005", "1000,50", "10000,00"]);
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
        assert_eq!(book.sheet_names(), ["Indicators", "Targets", "Completeness", "LPRES"]);
        let sheet = book.worksheet_range("Indicators").unwrap();
        let find = |code: &str, level: &str, unit: &str| {
            sheet.rows().find(|r| r[0] == Data::String(code.into()) && r[2] == Data::String(level.into()) && r[3] == Data::String(unit.into())).unwrap().to_vec()
        };
        assert_eq!(find("jobs_created", "region", "16")[4], Data::Float(19.0), "a number, not text");
        assert_eq!(find("jobs_created", "subregion", "OPL-PN")[4], Data::Float(15.0));
        assert_eq!(find("sr_procurement_share", "region", "16")[5], Data::Float(1000.5));
        let targets = book.worksheet_range("Targets").unwrap();
        assert_eq!(targets.height() - 1, r["targets"].as_array().unwrap().len());
        let row = targets.rows().find(|x| x[0] == Data::String("cooperation_initiative".into())).unwrap();
        assert_eq!((row[5].clone(), row[7].clone()), (Data::Float(1.0), Data::String("at_risk".into())));
        let completeness = book.worksheet_range("Completeness").unwrap();
        assert_eq!(completeness.get((1, 2)), Some(&Data::Float(16.0)));
        assert_eq!(completeness.get((1, 3)), Some(&Data::Float(3.0)));
        let lpres = book.worksheet_range("LPRES").unwrap();
        assert_eq!(lpres.get((1, 3)), Some(&Data::Float(2.0)));
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
}
