//! The third report stream end to end, on both backends: an entity files its yearly report
//! (by PUT and by CSV import), analysts review it, and the rollup shows the entities'
//! figures, the region's coverage and a target on it, in JSON, CSV and XLSX.

use crate::tests::{assert_problem, bearer, call, state_for};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use serde_json::{json, Value};

const KLUCZBORK: &str = "CIS-KLUCZBORK";

fn entity(code: &str) -> (&'static str, String) {
    bearer(Role::Entity, Some(code))
}

fn analyst() -> (&'static str, String) {
    bearer(Role::Analyst, None)
}

fn report(code: &str, year: &str) -> String {
    format!("/api/v1/entities/{code}/reports/{year}")
}

fn values(completed: u32, employed: u32) -> Value {
    json!({"values": {
        "participants_at_year_start": 18, "participants_joined": 24,
        "participants_completed": completed, "participants_employed_after": employed,
        "reintegration_programmes_active": 22
    }})
}

async fn post(db: &TestDb, uri: String, who: (&'static str, String)) -> (StatusCode, Value) {
    let (status, _, body) = call(db, TestRequest::post().uri(&uri).insert_header(who)).await;
    (status, body)
}

async fn rollup(db: &TestDb, query: &str) -> Value {
    let uri = format!("/api/v1/rollups/regions/16?{query}");
    let (status, _, body) = call(db, TestRequest::get().uri(&uri).insert_header(analyst())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn figure<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["indicators"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["code"] == code))
        .unwrap_or_else(|| panic!("no figure {code}"))
}

fn any(coverage: &Value) -> &Value {
    &coverage["by_kind"][0]
}

/// Adds programme targets on coverage to the sample, as a ROPS would in its reference file.
fn with_coverage_targets(db: &TestDb) {
    let mut file = rops_store::reference::parse(rops_store::reference::SAMPLE_REGION).unwrap();
    let targets = &mut file.region.programmes[0].targets;
    let target = |indicator: &str, scope: &str, value: f64| {
        serde_json::from_value(json!({
            "indicator": indicator, "scope": scope, "comparator": "at_least",
            "value": value, "window": "annual"
        }))
        .unwrap()
    };
    targets.push(target("coverage_any", "region", 0.9));
    targets.push(target("coverage_cis", "each_subregion", 0.5));
    let mut conn = db.conn();
    rops_store::write_transaction(&mut conn, |c| rops_store::reference::import(c, &file)).unwrap();
}

backend_tests! {
    async fn an_entity_files_its_year_and_analysts_review_it(db) {
        let db = db.with_sample();
        let put = |code: &str, year: &str, who, body: Value| {
            TestRequest::put().uri(&report(code, year)).insert_header(who).set_json(body)
        };
        let (status, _, body) = call(&db, put(KLUCZBORK, "2024", entity(KLUCZBORK), values(20, 9))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!((body["entity"].as_str(), body["year"].as_str(), body["status"].as_str()), (Some(KLUCZBORK), Some("2024"), Some("draft")));
        // Its own entity only; no other role bound to a unit.
        let (status, ct, body) = call(&db, put("CIS-NYSA", "2024", entity(KLUCZBORK), values(1, 1))).await;
        assert_problem(status, &ct, &body, StatusCode::FORBIDDEN);
        assert!(body["detail"].as_str().unwrap().contains("entity CIS-NYSA"), "{body}");
        let (status, ct, body) = call(&db, put(KLUCZBORK, "2024", bearer(Role::Owes, Some("OWES-PN")), values(1, 1))).await;
        assert_problem(status, &ct, &body, StatusCode::FORBIDDEN);
        // The stream's rules: employed never above completed; a year the entity was active.
        let (status, ct, body) = call(&db, put(KLUCZBORK, "2024", entity(KLUCZBORK), values(5, 6))).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["errors"].to_string().contains("participants_employed_after"), "{body}");
        let (status, ct, body) = call(&db, put(KLUCZBORK, "2019", entity(KLUCZBORK), values(1, 1))).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("active from 2020-Q1"), "{body}");
        let (status, ct, body) = call(&db, put("CIS-NOWHERE", "2024", analyst(), values(1, 1))).await;
        assert_problem(status, &ct, &body, StatusCode::NOT_FOUND);
        // The lifecycle: submit (the entity), approve (an analyst only), then locked.
        let (status, body) = post(&db, format!("{}/approve", report(KLUCZBORK, "2024")), entity(KLUCZBORK)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = post(&db, format!("{}/submit", report(KLUCZBORK, "2024")), entity(KLUCZBORK)).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("submitted")), "{body}");
        let (status, body) = post(&db, format!("{}/approve", report(KLUCZBORK, "2024")), analyst()).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("approved")), "{body}");
        let (status, ct, body) = call(&db, put(KLUCZBORK, "2024", entity(KLUCZBORK), values(20, 9))).await;
        assert_problem(status, &ct, &body, StatusCode::CONFLICT);
        let (_, _, revisions) = call(&db, TestRequest::get().uri(&format!("{}/revisions", report(KLUCZBORK, "2024"))).insert_header(entity(KLUCZBORK))).await;
        let actions: Vec<&str> = revisions.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "submit", "approve"]);

        // Another entity imports its year from a spreadsheet saved by Polish Excel.
        let csv = "okres;wskaźnik;wartość\n2024;participants_at_year_start;10\n2024;participants_joined;12\n\
                   2024;participants_completed;10\n2024;participants_employed_after;3\n2024;reintegration_programmes_active;11\n";
        let import = TestRequest::post().uri("/api/v1/entities/CIS-NYSA/reports/import")
            .insert_header(entity("CIS-NYSA")).insert_header(("content-type", "text/csv")).set_payload(csv);
        let (status, _, body) = call(&db, import).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["reports"][0]["outcome"], "created", "{body}");
        let (status, body) = post(&db, format!("{}/submit", report("CIS-NYSA", "2024")), entity("CIS-NYSA")).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The rollup: flows summed, stocks summed, the ratio of the sums, per entity too.
        let r = rollup(&db, "year=2024").await;
        assert_eq!(figure(&r, "participants_completed")["value"], 30);
        assert_eq!(figure(&r, "participants_at_year_start")["value"], 28);
        let rate = figure(&r, "employment_rate");
        assert_eq!((rate["numerator"].as_f64(), rate["denominator"].as_f64()), (Some(12.0), Some(30.0)));
        assert_eq!(rate["value"], 0.4, "12 of 30, not the mean of 45 % and 30 %");
        let by_entity = figure(&r, "participants_completed")["by_entity"].as_array().unwrap().clone();
        assert_eq!(by_entity.len(), 32, "every entity of the region, reported or not");
        let of = |code: &str| by_entity.iter().find(|e| e["entity"] == code).unwrap()["value"].clone();
        assert_eq!((of(KLUCZBORK), of("CIS-NYSA"), of("WTZ-BRZEG")), (json!(20), json!(10), Value::Null));
        let subs: i64 = figure(&r, "participants_completed")["by_subregion"].as_array().unwrap().iter().filter_map(|s| s["value"].as_i64()).sum();
        assert_eq!(subs, 30, "each entity counts in the subregion of its seat");
        // Approved only: the submitted import does not count.
        let approved = rollup(&db, "year=2024&approved_only=true").await;
        assert_eq!(figure(&approved, "participants_completed")["value"], 20);
    }

    async fn coverage_is_read_as_of_a_moment_and_held_against_targets(db) {
        let db = db.with_sample();
        with_coverage_targets(&db);
        let r = rollup(&db, "year=2025").await;
        let c = &r["coverage"];
        let kinds: Vec<&str> = c["by_kind"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["any", "CIS", "KIS", "ZAZ", "WTZ"]);
        assert_eq!((any(c)["gminas"].as_u64(), any(c)["share"].as_f64()), (Some(64), Some(0.901408)), "{c}");
        let uncovered: Vec<&str> = c["uncovered"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(uncovered.len(), 7, "{uncovered:?}");
        assert!(uncovered.is_sorted());
        // Each subregion's gminas add up to the region's.
        let subs = c["by_subregion"].as_array().unwrap();
        assert_eq!(subs.len(), 3);
        let covered: u64 = subs.iter().map(|s| any(s)["gminas"].as_u64().unwrap()).sum();
        assert_eq!(covered, 64);
        // The share target is met at the region; the CIS target is judged per subregion.
        let target = |indicator: &str| -> Vec<Value> {
            r["targets"].as_array().unwrap().iter().filter(|t| t["indicator"] == indicator).cloned().collect()
        };
        let region = target("coverage_any");
        assert_eq!(region.len(), 1);
        assert_eq!((region[0]["actual"].as_f64(), region[0]["status"].as_str()), (Some(0.901408), Some("achieved")));
        assert_eq!(target("coverage_cis").len(), 3);
        for t in target("coverage_cis") {
            let sub = subs.iter().find(|s| s["subregion"] == t["unit"]).unwrap();
            assert_eq!(t["actual"], sub["by_kind"][1]["share"], "{t}");
        }
        // A subregion rollup shows its own coverage.
        let (_, _, sub) = call(&db, TestRequest::get().uri("/api/v1/rollups/subregions/OPL-PN?year=2025").insert_header(analyst())).await;
        let pn = subs.iter().find(|s| s["subregion"] == "OPL-PN").unwrap();
        assert_eq!(any(&sub["coverage"]), any(pn));
        assert!(sub["coverage"].get("by_subregion").is_none());
        // Before the register was recorded, nothing covered anything.
        let before = rollup(&db, "year=2025&as_of=2024-06-30T00:00:00Z").await;
        assert_eq!(any(&before["coverage"])["gminas"], 0);
        assert_eq!(before["coverage"]["uncovered"].as_array().unwrap().len(), 71);
        // An entity that ended before the window's last quarter covers nothing in it.
        let (_, _, cis) = call(&db, TestRequest::get().uri("/api/v1/regions/16/entities?kind=CIS").insert_header(analyst())).await;
        let serves = |code: &str| cis.as_array().unwrap().iter().find(|e| e["code"] == code).unwrap()["serves"].as_array().unwrap().clone();
        let (nysa_serves, kluczbork_serves) = (serves("CIS-NYSA"), serves(KLUCZBORK));
        assert!(nysa_serves.iter().all(|g| !kluczbork_serves.contains(g)), "the two CIS serve apart");
        assert_eq!(c["by_kind"][1]["gminas"].as_u64(), Some((nysa_serves.len() + kluczbork_serves.len()) as u64));
        let nysa = TestRequest::put().uri("/api/v1/entities/CIS-NYSA").insert_header(analyst())
            .set_json(json!({"kind": "CIS", "name": "Centrum Integracji Społecznej w Nysie", "seat": "1611043",
                "serves": [], "operator": "gmina", "active_from": "2021-Q3", "active_to": "2025-Q2"}));
        let (status, _, body) = call(&db, nysa).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let later = rollup(&db, "year=2025").await;
        assert_eq!(later["coverage"]["by_kind"][1]["gminas"].as_u64(), Some(kluczbork_serves.len() as u64));
    }

    async fn coverage_and_entity_figures_are_in_the_csv_and_xlsx(db) {
        let db = db.with_sample();
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let get = |uri: &str| TestRequest::get().uri(uri).insert_header(analyst()).to_request();
        let res = test::call_service(&app, get("/api/v1/rollups/regions/16?year=2025&format=csv&table=coverage")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
        let rows: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(rows[0], "poziom;jednostka;nazwa jednostki;rodzaj podmiotu;gminy objęte;udział");
        assert_eq!(rows[1], "region;16;opolskie;any;64;0,901408");
        assert_eq!(rows.iter().filter(|r| r.starts_with("subregion;")).count(), 3 * 5);
        assert_eq!(rows.iter().filter(|r| r.starts_with("gmina;") && r.contains(";none;")).count(), 7);
        // A table that does not exist is named with every one that does, coverage too.
        let res = test::call_service(&app, get("/api/v1/rollups/regions/16?year=2025&format=csv&table=pokrycie")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = test::read_body_json(res).await;
        assert!(problem["errors"][0]["message"].as_str().unwrap().ends_with("lpres, results, coverage"), "{problem}");
        let res = test::call_service(&app, get("/api/v1/rollups/regions/16?year=2025&format=xlsx")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = test::read_body(res).await.to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(book.sheet_names().contains(&"Pokrycie".to_owned()));
        let sheet = book.worksheet_range("Pokrycie").unwrap();
        assert_eq!(sheet.height(), rows.len());
        let indicators = book.worksheet_range("Wskaźniki").unwrap();
        let entity_rows = indicators.rows().filter(|r| r[3] == calamine::Data::String("entity".into())).count();
        assert_eq!(entity_rows, 6 * 32, "each entity indicator (the ratio too) per entity");
    }
}
