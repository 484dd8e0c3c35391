//! The rollup cache is never stale: a write shows in the very next rollup (also on another
//! server over the same database), a settled moment gives the same bytes before and after
//! later writes (and is served from the cache), a back-dated write reaches it, a workbook is
//! kept with its rollup and made again after a write, and two regions never share entries. Each on SQLite and on PostgreSQL.

use crate::rollup_cache::Stats;
use crate::state::AppState;
use crate::tests::{bearer, state_for};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use rops_store::Clock;
use serde_json::{json, Value};

const YEAR: &str = "/api/v1/rollups/regions/16?year=2024";
/// Settled by the system clock (years ago), after everything the tests write by a fixed one.
const SETTLED: &str = "/api/v1/rollups/regions/16?year=2024&as_of=2024-12-31T00:00:00Z";

async fn body<S, B>(app: &S, uri: &str) -> Vec<u8>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = TestRequest::get()
        .uri(uri)
        .insert_header(bearer(Role::Analyst, None))
        .to_request();
    let res = test::call_service(app, req).await;
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    test::read_body(res).await.to_vec()
}

async fn rollup<S, B>(app: &S, uri: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    serde_json::from_slice(&body(app, uri).await).expect("JSON")
}

/// An indicator's value in a rollup.
fn value(rollup: &Value, code: &str) -> Value {
    rollup["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == code))
        .map(|i| i["value"].clone())
        .unwrap_or_else(|| panic!("{code} in {rollup}"))
}

/// Writes and submits `owes`'s report for `quarter` with `jobs` jobs created.
async fn submit<S, B>(app: &S, owes: &str, quarter: &str, jobs: u32)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    // Every indicator of the stream needs a value to submit: 0 but the jobs.
    let catalogue = rollup(app, "/api/v1/indicators").await;
    let mut values = serde_json::Map::new();
    for i in catalogue["indicators"].as_array().into_iter().flatten() {
        if i["stream"] == "owes" && i["kind"] != "ratio" {
            values.insert(i["code"].as_str().unwrap().to_owned(), json!(0));
        }
    }
    values.insert("jobs_created".into(), json!(jobs));
    let uri = format!("/api/v1/owes/{owes}/reports/{quarter}");
    let put = TestRequest::put()
        .uri(&uri)
        .insert_header(bearer(Role::Owes, Some(owes)))
        .set_json(json!({ "values": values }))
        .to_request();
    let res = test::call_service(app, put).await;
    assert!(res.status().is_success(), "{:?}", res.status());
    let post = TestRequest::post()
        .uri(&format!("{uri}/submit"))
        .insert_header(bearer(Role::Owes, Some(owes)))
        .to_request();
    let res = test::call_service(app, post).await;
    let status = res.status();
    let said = test::read_body(res).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&said));
}

fn stats(state: &AppState) -> Stats {
    state.rollups.stats()
}

/// A second region (02) with one subregion, powiat, gmina and OWES.
fn second_region(db: &TestDb) {
    db.execute(
            "INSERT INTO regions (code, name) VALUES ('02', 'dolnośląskie');
             INSERT INTO powiats (code, region_code, name, kind) VALUES ('0201', '02', 'bolesławiecki', 'county');
             INSERT INTO gminas (teryt, powiat_code, name, kind) VALUES ('0201011', '0201', 'Bolesławiec', 'urban');
             INSERT INTO subregions (code, region_code, name) VALUES ('DS-JG', '02', 'jeleniogórski');
             INSERT INTO subregion_powiats (powiat_code, subregion_code) VALUES ('0201', 'DS-JG');
             INSERT INTO owes (code, name, subregion_code, active_from) VALUES ('OWES-JG', 'OWES Jelenia Góra', 'DS-JG', '2020-Q1');",
    );
}

backend_tests! {
    async fn a_write_shows_in_the_very_next_rollup_and_reads_between_writes_are_kept(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        let before = rollup(&app, YEAR).await;
        assert_eq!(value(&before, "jobs_created"), Value::Null);
        let again = rollup(&app, YEAR).await;
        assert_eq!(stats(&state).hits, 1, "the second read was kept");
        assert_eq!(before["indicators"], again["indicators"]);
        assert_ne!(before["as_of"], again["as_of"], "as of now is the request's moment");

        submit(&app, "OWES-PN", "2024-Q1", 4).await;
        let after = rollup(&app, YEAR).await;
        assert_eq!(value(&after, "jobs_created"), 4.0);
        submit(&app, "OWES-PD", "2024-Q2", 3).await;
        assert_eq!(value(&rollup(&app, YEAR).await, "jobs_created"), 7.0);
        // The spreadsheets and the subregion's rollup are computed from the same entries.
        let csv = String::from_utf8(body(&app, "/api/v1/rollups/regions/16/csv?year=2024").await).unwrap();
        let line = csv.lines().find(|l| l.contains(";jobs_created;") && l.contains(";region;16;"));
        assert!(line.is_some_and(|l| l.contains(";region;16;7;")), "{csv}");
        let sub = rollup(&app, "/api/v1/rollups/subregions/OPL-PN?year=2024").await;
        assert_eq!(value(&sub, "jobs_created"), 4.0);
        // The rollups computed before the writes were replaced, not kept beside: the year's
        // as JSON (also the CSV's) and the subregion's.
        assert_eq!(state.rollups.entries(), 2);
    }

    async fn a_settled_moment_gives_the_same_bytes_after_later_writes(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        let first = body(&app, SETTLED).await;
        let misses = stats(&state).misses;
        submit(&app, "OWES-PN", "2024-Q1", 4).await;
        assert_eq!(value(&rollup(&app, YEAR).await, "jobs_created"), 4.0, "now sees the write");
        let later = body(&app, SETTLED).await;
        assert_eq!(first, later, "the same bytes");
        assert_eq!(stats(&state).misses, misses + 1, "only the rollup as of now was computed again");

        // A write stamped back then (here by a clock fixed in 2024) changes the past: the
        // settled rollup shows it at once.
        let back = state.clone().with_clock(Clock::Fixed("2024-07-01T08:00:00Z".parse().unwrap()));
        let back_app = test::init_service(crate::app::build(back)).await;
        submit(&back_app, "OWES-PD", "2024-Q2", 3).await;
        let settled = rollup(&app, SETTLED).await;
        assert_eq!(value(&settled, "jobs_created"), 3.0, "{settled}");
    }

    async fn a_workbook_is_made_once_per_rollup_and_again_after_a_write(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        const XLSX: &str = "/api/v1/rollups/regions/16/xlsx?year=2024";
        // The region's jobs created, as the workbook's indicator sheet shows them.
        let jobs = |bytes: Vec<u8>| {
            use calamine::Reader;
            let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
            let sheet = book.worksheet_range("Wskaźniki").expect("the indicator sheet");
            let text = |c: &calamine::Data| c.to_string();
            sheet
                .rows()
                .find(|r| {
                    let has = |t: &str| r.iter().any(|c| text(c) == t);
                    has("jobs_created") && has("region")
                })
                .map(|r| r.iter().map(text).collect::<Vec<_>>())
                .expect("the region's jobs_created row")
        };
        let first = body(&app, XLSX).await;
        let again = body(&app, XLSX).await;
        assert_eq!(first, again, "the kept workbook");
        assert_eq!(stats(&state).workbooks_made, 1);
        // The JSON of the same rollup does not make one; the CSV is made, not kept.
        rollup(&app, YEAR).await;
        body(&app, "/api/v1/rollups/regions/16/csv?year=2024").await;
        assert_eq!(stats(&state).workbooks_made, 1);

        submit(&app, "OWES-PN", "2024-Q1", 4).await;
        let after = body(&app, XLSX).await;
        assert_eq!(stats(&state).workbooks_made, 2, "a write makes a new workbook");
        let (before, after) = (jobs(first), jobs(after));
        assert!(!before.contains(&"4".to_owned()), "{before:?}");
        assert!(after.contains(&"4".to_owned()), "{after:?}");
    }

    async fn reference_data_is_read_again_only_after_it_changed(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        let targets = |r: &Value| r["targets"].to_string();
        let before = rollup(&app, YEAR).await;
        assert_eq!(stats(&state).references_read, 1);
        submit(&app, "OWES-PN", "2024-Q1", 4).await;
        let after = rollup(&app, YEAR).await;
        assert_eq!(value(&after, "jobs_created"), 4.0);
        let sub = rollup(&app, "/api/v1/rollups/subregions/OPL-PN?year=2024").await;
        assert_eq!(value(&sub, "jobs_created"), 4.0);
        assert_eq!(stats(&state).references_read, 1, "a report changes no reference data");
        assert!(!targets(&before).contains("4321"), "{}", targets(&before));

        // Reference data edited behind the service's back (the triggers still count it).
        db.execute("UPDATE programme_targets SET value = 4321 WHERE position = 0");
        let edited = rollup(&app, YEAR).await;
        assert!(targets(&edited).contains("4321"), "{}", targets(&edited));
        assert_eq!(stats(&state).references_read, 2);
        assert_eq!(value(&edited, "jobs_created"), 4.0);
    }

    async fn a_moment_that_becomes_settled_is_kept_again(db) {
        let db = db.with_sample();
        let now = chrono::Utc::now();
        let state = state_for(&db).with_clock(Clock::Fixed(now));
        let app = test::init_service(crate::app::build(state.clone())).await;
        submit(&app, "OWES-PN", "2024-Q1", 4).await;
        let uri = format!(
            "{YEAR}&as_of={}",
            (now - chrono::Duration::seconds(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let recent = rollup(&app, &uri).await;
        // Twenty minutes later the same moment is settled: computed once more, then kept.
        let later = state.clone().with_clock(Clock::Fixed(now + chrono::Duration::minutes(20)));
        let later_app = test::init_service(crate::app::build(later)).await;
        let settled = rollup(&later_app, &uri).await;
        assert_eq!(settled["indicators"], recent["indicators"]);
        let hits = stats(&state).hits;
        rollup(&later_app, &uri).await;
        assert_eq!(stats(&state).hits, hits + 1, "the settled rollup was kept");
    }

    async fn two_regions_never_share_entries(db) {
        let db = db.with_sample();
        second_region(&db);
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        let other = "/api/v1/rollups/regions/02?year=2024";
        assert_eq!(rollup(&app, YEAR).await["scope"]["code"], "16");
        let empty = rollup(&app, other).await;
        assert_eq!((empty["scope"]["code"].as_str(), value(&empty, "jobs_created")), (Some("02"), Value::Null));

        submit(&app, "OWES-JG", "2024-Q1", 5).await;
        let hits = stats(&state).hits;
        let sixteen = rollup(&app, YEAR).await;
        assert_eq!(stats(&state).hits, hits + 1, "a write in 02 leaves 16's entry");
        assert_eq!(value(&sixteen, "jobs_created"), Value::Null);
        assert_eq!(value(&rollup(&app, other).await, "jobs_created"), 5.0);
        submit(&app, "OWES-PN", "2024-Q1", 2).await;
        assert_eq!(value(&rollup(&app, YEAR).await, "jobs_created"), 2.0);
        assert_eq!(value(&rollup(&app, other).await, "jobs_created"), 5.0);
    }

    async fn two_servers_over_one_database_never_serve_each_other_stale(db) {
        let db = db.with_sample();
        let replica = |db: &TestDb| {
            let pool = rops_store::pool(db.url(), 2).expect("a second pool");
            let health = rops_store::Health::unmonitored(db.url()).unwrap();
            AppState::new(pool, health, state_for(db).keys.clone(), 15)
        };
        let (a, b) = (replica(&db), replica(&db));
        let a_app = test::init_service(crate::app::build(a.clone())).await;
        let b_app = test::init_service(crate::app::build(b.clone())).await;
        for _ in 0..2 {
            assert_eq!(value(&rollup(&a_app, YEAR).await, "jobs_created"), Value::Null);
            assert_eq!(value(&rollup(&b_app, YEAR).await, "jobs_created"), Value::Null);
        }
        assert_eq!((stats(&a).hits, stats(&b).hits), (1, 1), "both kept their entry");
        submit(&a_app, "OWES-PN", "2024-Q1", 4).await;
        assert_eq!(value(&rollup(&b_app, YEAR).await, "jobs_created"), 4.0, "B sees A's write");
        submit(&b_app, "OWES-PN", "2024-Q2", 1).await;
        assert_eq!(value(&rollup(&a_app, YEAR).await, "jobs_created"), 5.0, "A sees B's write");
    }
}
