//! In-process HTTP tests (actix `init_service`), each on SQLite and on PostgreSQL.

use crate::auth::Keys;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use base64::Engine;
use rops_domain::role::Role;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const SECRET: &[u8] = b"a-test-secret-of-at-least-32-bytes!!";

pub(crate) fn token(role: Role, org: Option<&str>) -> String {
    Keys::new(SECRET)
        .mint("test", role, org, Duration::from_secs(600))
        .unwrap()
}

pub(crate) fn bearer(role: Role, org: Option<&str>) -> (&'static str, String) {
    ("Authorization", format!("Bearer {}", token(role, org)))
}

/// With `TEST_LOG` set, the service's log lines show in the output of the tests (captured
/// per test like `println!`); without it they go nowhere.
pub(crate) fn test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("TEST_LOG").is_some() {
        ONCE.call_once(|| {
            crate::telemetry::init(
                crate::config::LogFormat::Text,
                tracing_subscriber::fmt::TestWriter::new,
                false,
            )
        });
    }
}

/// The state of an app over `db`, without the background health check.
pub(crate) fn state_for(db: &TestDb) -> AppState {
    test_log();
    let health = rops_store::Health::unmonitored(db.url()).expect("the test database exists");
    AppState::new(db.pool().clone(), health, Arc::new(Keys::new(SECRET)), 15)
}

/// Sends a request to a fresh app over `db` and returns status, content type and JSON body.
pub(crate) async fn call(db: &TestDb, req: TestRequest) -> (StatusCode, String, Value) {
    call_with(state_for(db), req).await
}

/// [`call`] on an app with `state` (e.g. a fixed clock).
pub(crate) async fn call_with(state: AppState, req: TestRequest) -> (StatusCode, String, Value) {
    let app = test::init_service(crate::app::build(state)).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
    let body = test::read_body(res).await;
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, content_type, json)
}

pub(crate) fn assert_problem(
    status: StatusCode,
    content_type: &str,
    body: &Value,
    want: StatusCode,
) {
    assert_eq!(status, want, "{body}");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], want.as_u16(), "{body}");
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "problem lacks {key}: {body}");
    }
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

backend_tests! {
    // The application's clock says what "today" is: fixed on 10 February 2024, 2024-Q2 has
    // not started and is refused (it has by the system clock), 2024-Q1 is stored with that
    // moment as its time.
    async fn the_fixed_clock_decides_which_quarters_have_begun(db) {
        let db = db.with_sample();
        let at = chrono::DateTime::parse_from_rfc3339("2024-02-10T09:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let state = || state_for(&db).with_clock(rops_store::Clock::Fixed(at));
        let put = |period: &str| TestRequest::put()
            .uri(&format!("/api/v1/owes/OWES-PN/reports/{period}"))
            .insert_header(bearer(Role::Owes, Some("OWES-PN")))
            .set_json(json!({"values": {"jobs_created": 1}}));
        let (status, ct, body) = call_with(state(), put("2024-Q2")).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "period", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("2024-Q2 has not started yet"), "{body}");
        let (status, _, body) = call_with(state(), put("2024-Q1")).await;
        assert_eq!((status, body["updated_at"].as_str()), (StatusCode::CREATED, Some("2024-02-10T09:00:00.000000Z")), "{body}");
        let (status, _, body) = call(&db, put("2024-Q2")).await;
        assert_eq!(status, StatusCode::CREATED, "by the system clock 2024-Q2 has begun: {body}");
        // A rollup without a window or a moment is this year's, as of now: both by the clock.
        let rollup = TestRequest::get().uri("/api/v1/rollups/regions/16").insert_header(bearer(Role::Analyst, None));
        let (status, _, body) = call_with(state(), rollup).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["from"].as_str(), body["to"].as_str()), (Some("2024-Q1"), Some("2024-Q4")));
        assert_eq!(body["as_of"], "2024-02-10T09:00:00.000000Z");
    }

    // Every stream gets the file endpoints from its description: a gmina imports its year as
    // Polish Excel writes it and downloads its template, with a year as its period.
    async fn a_year_stream_imports_and_templates_its_files_like_the_quarterly_one(db) {
        let db = db.with_sample();
        let gmina = || bearer(Role::Gmina, Some("1604023"));
        let import = |csv: &'static str| TestRequest::post()
            .uri("/api/v1/gminas/1604023/reports/import")
            .insert_header(gmina())
            .insert_header(("content-type", "text/csv"))
            .set_payload(csv);
        let (status, _, body) = call(&db, import("okres;wskaźnik;wartość\n2024;social_clause_contracts;3\n2024;procurement_value_pln;2 300 000,50\n")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["reports"][0]["period"], "2024", "{body}");
        assert_eq!(body["reports"][0]["outcome"], "created", "{body}");
        let (_, _, report) = call(&db, TestRequest::get().uri("/api/v1/gminas/1604023/reports/2024").insert_header(gmina())).await;
        assert_eq!(report["values"]["procurement_value_pln"], json!(2300000.50), "{report}");
        assert_eq!(report["values"]["social_clause_contracts"], 3, "{report}");
        // A quarter is not a period of this stream, on a line or in the template's query.
        let (status, ct, body) = call(&db, import("period,indicator,value\n2024-Q1,social_clause_contracts,3\n")).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "rows[2].period", "{body}");
        let template = |q: &str| TestRequest::get().uri(&format!("/api/v1/gminas/1604023/reports/template{q}")).insert_header(gmina());
        let (status, ct, body) = call(&db, template("?period=2024-Q1")).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(&app, template("?period=2024").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
        assert!(text.contains("2024;social_clause_contracts;;"), "{text}");
        assert!(!text.contains("jobs_created"), "only the gmina catalogue: {text}");
        // The unit's reach and existence, as for every report endpoint.
        let other = TestRequest::get().uri("/api/v1/gminas/1601011/reports/template").insert_header(gmina());
        let (status, ct, body) = call(&db, other).await;
        assert_problem(status, &ct, &body, StatusCode::FORBIDDEN);
        let none = TestRequest::get().uri("/api/v1/gminas/1699992/reports/template").insert_header(bearer(Role::Analyst, None));
        let (status, ct, body) = call(&db, none).await;
        assert_problem(status, &ct, &body, StatusCode::NOT_FOUND);
    }

    async fn region_16_and_kluczbork(db) {
        let db = db.with_sample();
        let (status, _, region) = call(&db, TestRequest::get().uri("/api/v1/regions/16").insert_header(bearer(Role::Analyst, None))).await;
        assert_eq!(status, StatusCode::OK);
        let subregions = region["subregions"].as_array().unwrap();
        assert_eq!(subregions.len(), 3);
        assert_eq!(subregions.iter().map(|s| s["gmina_count"].as_u64().unwrap()).sum::<u64>(), 71);
        let (status, _, g) = call(&db, TestRequest::get().uri("/api/v1/gminas/1604023").insert_header(bearer(Role::Gmina, Some("1604023")))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((g["name"].as_str(), g["kind"].as_str(), g["powiat"].as_str()), (Some("Kluczbork"), Some("urban-rural"), Some("1604")));
        let (_, _, list) = call(&db, TestRequest::get().uri("/api/v1/gminas?subregion=OPL-PD").insert_header(bearer(Role::Owes, Some("OWES-PD")))).await;
        assert_eq!(list.as_array().unwrap().len(), 22);
        let (_, _, owes) = call(&db, TestRequest::get().uri("/api/v1/owes?region=16").insert_header(bearer(Role::Analyst, None))).await;
        assert_eq!(owes.as_array().unwrap().len(), 3);
        let (_, _, catalogue) = call(&db, TestRequest::get().uri("/api/v1/indicators").insert_header(bearer(Role::Analyst, None))).await;
        assert_eq!(catalogue["indicators"].as_array().unwrap().len(), 30, "16 OWES, 8 gmina, 6 entity indicators");
        assert_eq!(catalogue["result_groups"][3]["items"][6]["code"], "D7");
        let (_, _, programme) = call(&db, TestRequest::get().uri("/api/v1/programmes/OPL-2024-2027").insert_header(bearer(Role::Analyst, None))).await;
        assert_eq!(programme["targets"][0]["indicator"], "lpres_adopted");
        assert_eq!(programme["targets"][0]["value"], 8.0);
        let (status, ct, body) = call(&db, TestRequest::get().uri("/api/v1/gminas/9999993").insert_header(bearer(Role::Analyst, None))).await;
        assert_problem(status, &ct, &body, StatusCode::NOT_FOUND);
        let (status, ct, body) = call(&db, TestRequest::get().uri("/api/v1/regions/99").insert_header(bearer(Role::Analyst, None))).await;
        assert_problem(status, &ct, &body, StatusCode::NOT_FOUND);
    }

    async fn bad_tokens_get_401_problems(db) {
        let uri = "/api/v1/regions";
        let valid = token(Role::Analyst, None);
        let mut tampered = valid.clone();
        let payload_start = tampered.find('.').unwrap() + 1;
        tampered.replace_range(payload_start..payload_start + 1, if &valid[payload_start..=payload_start] == "e" { "f" } else { "e" });
        let claims = json!({"sub": "x", "role": "admin", "exp": now() + 600});
        let unsigned = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
        let expired = {
            let claims = json!({"sub": "x", "role": "admin", "exp": now() - 3600});
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &jsonwebtoken::EncodingKey::from_secret(SECRET)).unwrap()
        };
        let other_secret = Keys::new(b"another-secret-another-secret-another").mint("x", Role::Admin, None, Duration::from_secs(60)).unwrap();
        let no_org = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &json!({"sub": "x", "role": "owes", "exp": now() + 600}), &jsonwebtoken::EncodingKey::from_secret(SECRET)).unwrap();
        let cases = [
            ("no header", None),
            ("not bearer", Some(format!("Basic {valid}"))),
            ("tampered", Some(format!("Bearer {tampered}"))),
            ("alg none", Some(format!("Bearer {unsigned}"))),
            ("expired", Some(format!("Bearer {expired}"))),
            ("other secret", Some(format!("Bearer {other_secret}"))),
            ("owes without org", Some(format!("Bearer {no_org}"))),
        ];
        for (name, header) in cases {
            let mut req = TestRequest::get().uri(uri);
            if let Some(h) = header {
                req = req.insert_header(("Authorization", h));
            }
            let (status, ct, body) = call(&db, req).await;
            assert_problem(status, &ct, &body, StatusCode::UNAUTHORIZED);
            assert!(!body["detail"].as_str().unwrap().is_empty(), "{name}");
        }
        let (status, _, _) = call(&db, TestRequest::get().uri(uri).insert_header(("Authorization", format!("Bearer {valid}")))).await;
        assert_eq!(status, StatusCode::OK, "the untampered token passes");
    }

    async fn admin_writes_and_everyone_else_gets_403(db) {
        let db = db.with_sample();
        let body = json!({"name": "OWES Nowy", "subregion": "OPL-PD", "active_from": "2025-Q1", "active_to": null});
        for (role, org) in [(Role::Analyst, None), (Role::Owes, Some("OWES-PD")), (Role::Gmina, Some("1604023"))] {
            let req = TestRequest::put().uri("/api/v1/owes/OWES-NEW").insert_header(bearer(role, org)).set_json(&body);
            let (status, ct, problem) = call(&db, req).await;
            assert_problem(status, &ct, &problem, StatusCode::FORBIDDEN);
        }
        let (status, _, _) = call(&db, TestRequest::get().uri("/api/v1/owes/OWES-NEW").insert_header(bearer(Role::Admin, None))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a refused write changes nothing");
        let put = || TestRequest::put().uri("/api/v1/owes/OWES-NEW").insert_header(bearer(Role::Admin, None));
        let (status, _, created) = call(&db, put().set_json(&body)).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(created["region"], "16");
        let (status, _, _) = call(&db, put().set_json(&body)).await;
        assert_eq!(status, StatusCode::OK);

        let sub = json!({"region": "16", "name": "Zachód", "powiats": ["1601"]});
        let req = TestRequest::put().uri("/api/v1/subregions/OPL-ZA").insert_header(bearer(Role::Admin, None)).set_json(&sub);
        let (status, ct, problem) = call(&db, req).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "powiats[0]");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("OPL-PN"), "{problem}");
        let sub = json!({"region": "16", "name": "Zachód", "powiats": []});
        let req = TestRequest::put().uri("/api/v1/subregions/OPL-ZA").insert_header(bearer(Role::Admin, None)).set_json(&sub);
        let (status, _, created) = call(&db, req).await;
        assert_eq!((status, created["gmina_count"].as_u64()), (StatusCode::CREATED, Some(0)));
    }

    async fn malformed_requests_get_problems_and_change_nothing(db) {
        let db = db.with_sample();
        let admin = || bearer(Role::Admin, None);
        let cases: Vec<(TestRequest, StatusCode, Option<&str>)> = vec![
            (TestRequest::get().uri("/nowhere").insert_header(admin()), StatusCode::NOT_FOUND, None),
            (TestRequest::delete().uri("/api/v1/regions/16").insert_header(admin()), StatusCode::METHOD_NOT_ALLOWED, None),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).insert_header(("content-type", "application/json")).set_payload("{not json"), StatusCode::BAD_REQUEST, None),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).insert_header(("content-type", "application/json")).set_payload(format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024))), StatusCode::PAYLOAD_TOO_LARGE, None),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).set_payload("name=x"), StatusCode::UNSUPPORTED_MEDIA_TYPE, None),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).set_json(json!({"name": "x", "subregion": "OPL-PN", "active_from": "2025-Q1", "colour": "red"})), StatusCode::UNPROCESSABLE_ENTITY, Some("body")),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).set_json(json!({"name": "x", "subregion": "OPL-PN", "active_from": "2024-Q5"})), StatusCode::UNPROCESSABLE_ENTITY, Some("active_from")),
            (TestRequest::put().uri("/api/v1/owes/OWES-X").insert_header(admin()).set_json(json!({"name": "x", "subregion": "OPL-NO", "active_from": "2024-Q1"})), StatusCode::UNPROCESSABLE_ENTITY, Some("subregion")),
            (TestRequest::put().uri("/api/v1/owes/owes%20x").insert_header(admin()).set_json(json!({"name": "x", "subregion": "OPL-PN", "active_from": "2024-Q1"})), StatusCode::UNPROCESSABLE_ENTITY, Some("code")),
        ];
        for (req, want, field) in cases {
            let (status, ct, body) = call(&db, req).await;
            assert_problem(status, &ct, &body, want);
            if let Some(field) = field {
                assert_eq!(body["errors"][0]["field"], field, "{body}");
                assert!(body["errors"][0]["message"].as_str().unwrap().len() > 10, "{body}");
            }
        }
        let (_, _, owes) = call(&db, TestRequest::get().uri("/api/v1/owes").insert_header(admin())).await;
        assert_eq!(owes.as_array().unwrap().len(), 3, "nothing was written");
    }

    async fn health_needs_no_token(db) {
        let (status, _, body) = call(&db, TestRequest::get().uri("/healthz")).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
        let (status, _, _) = call(&db, TestRequest::get().uri("/readyz")).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../api-spec/openapi.json");
    let generated = crate::openapi::document_json();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "api-spec/openapi.json differs from the code; regenerate it with \
         `cargo run -p rops-api -- openapi > api-spec/openapi.json` (or UPDATE_OPENAPI=1 cargo test) and commit it"
    );
}

#[test]
fn the_document_describes_every_endpoint_with_its_errors() {
    let doc: Value = serde_json::from_str(&crate::openapi::document_json()).unwrap();
    let expected = [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/api/v1/regions"),
        ("get", "/api/v1/regions/{code}"),
        ("get", "/api/v1/gminas"),
        ("get", "/api/v1/gminas/{teryt}"),
        ("get", "/api/v1/owes"),
        ("get", "/api/v1/owes/{code}"),
        ("put", "/api/v1/owes/{code}"),
        ("put", "/api/v1/subregions/{code}"),
        ("get", "/api/v1/indicators"),
        ("get", "/api/v1/programmes"),
        ("get", "/api/v1/programmes/{code}"),
        ("get", "/api/v1/owes/{code}/reports"),
        ("post", "/api/v1/owes/{code}/reports/import"),
        ("get", "/api/v1/owes/{code}/reports/template"),
        ("post", "/api/v1/gminas/{teryt}/reports/import"),
        ("get", "/api/v1/gminas/{teryt}/reports/template"),
        ("get", "/api/v1/owes/{code}/reports/{period}"),
        ("put", "/api/v1/owes/{code}/reports/{period}"),
        ("get", "/api/v1/owes/{code}/reports/{period}/revisions"),
        ("post", "/api/v1/owes/{code}/reports/{period}/submit"),
        ("post", "/api/v1/owes/{code}/reports/{period}/approve"),
        ("post", "/api/v1/owes/{code}/reports/{period}/return"),
        ("post", "/api/v1/owes/{code}/reports/{period}/reopen"),
        ("get", "/api/v1/reports"),
        ("get", "/api/v1/gminas/{teryt}/lpres"),
        ("put", "/api/v1/gminas/{teryt}/lpres"),
        ("get", "/api/v1/regions/{code}/lpres"),
        ("get", "/api/v1/gminas/{teryt}/reports"),
        ("get", "/api/v1/gminas/{teryt}/reports/{year}"),
        ("put", "/api/v1/gminas/{teryt}/reports/{year}"),
        ("get", "/api/v1/gminas/{teryt}/reports/{year}/revisions"),
        ("post", "/api/v1/gminas/{teryt}/reports/{year}/submit"),
        ("post", "/api/v1/gminas/{teryt}/reports/{year}/approve"),
        ("post", "/api/v1/gminas/{teryt}/reports/{year}/return"),
        ("post", "/api/v1/gminas/{teryt}/reports/{year}/reopen"),
        ("post", "/api/v1/regions/{code}/events"),
        ("get", "/api/v1/regions/{code}/events"),
        ("get", "/api/v1/events/{id}"),
        ("put", "/api/v1/events/{id}"),
        ("delete", "/api/v1/events/{id}"),
        ("get", "/api/v1/regions/{code}/entities"),
        ("get", "/api/v1/entities/{code}"),
        ("put", "/api/v1/entities/{code}"),
        ("get", "/api/v1/entities/{code}/revisions"),
        ("post", "/api/v1/entities/{code}/reports/import"),
        ("get", "/api/v1/entities/{code}/reports/template"),
        ("get", "/api/v1/entities/{code}/reports"),
        ("get", "/api/v1/entities/{code}/reports/{year}"),
        ("put", "/api/v1/entities/{code}/reports/{year}"),
        ("get", "/api/v1/entities/{code}/reports/{year}/revisions"),
        ("post", "/api/v1/entities/{code}/reports/{year}/submit"),
        ("post", "/api/v1/entities/{code}/reports/{year}/approve"),
        ("post", "/api/v1/entities/{code}/reports/{year}/return"),
        ("post", "/api/v1/entities/{code}/reports/{year}/reopen"),
        ("get", "/api/v1/rollups/regions/{code}"),
        ("get", "/api/v1/rollups/regions/{code}/csv"),
        ("get", "/api/v1/rollups/regions/{code}/xlsx"),
        ("get", "/api/v1/rollups/subregions/{code}"),
        ("get", "/api/v1/rollups/subregions/{code}/csv"),
        ("get", "/api/v1/rollups/subregions/{code}/xlsx"),
        ("get", "/api/v1/rollups/owes/{code}"),
        ("get", "/api/v1/rollups/owes/{code}/csv"),
        ("get", "/api/v1/rollups/owes/{code}/xlsx"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/me/password"),
        ("post", "/api/v1/me/keys"),
        ("get", "/api/v1/me/keys"),
        ("delete", "/api/v1/me/keys/{id}"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/users"),
        ("get", "/api/v1/users/{login}"),
        ("patch", "/api/v1/users/{login}"),
        ("post", "/auth/login"),
        ("post", "/auth/logout"),
        ("post", "/auth/setup"),
        ("post", "/auth/password"),
    ];
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["cookie"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    assert_eq!(schemes["cookie"]["name"], "rops_session");
    for (method, path) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        if path.starts_with("/api/v1") {
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} lacks 401"
            );
            assert_eq!(
                op["security"],
                json!([{"bearer": []}, {"cookie": []}]),
                "{method} {path} lacks security"
            );
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for key in ["summary", "description", "operationId"] {
                assert!(
                    op[key].as_str().is_some_and(|t| !t.is_empty()),
                    "{method} {path} lacks {key}"
                );
            }
            assert!(
                !op["tags"].as_array().unwrap().is_empty(),
                "{method} {path} lacks a tag"
            );
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
            if let Some(body) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                let name = body.rsplit('/').next().unwrap();
                assert!(
                    doc["components"]["schemas"][name]["example"].is_object(),
                    "{method} {path}: request body {name} has no example"
                );
            }
        }
    }
    let ops: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        ops,
        expected.len(),
        "an endpoint is documented that the test does not list"
    );
}

#[actix_web::test]
async fn docs_are_served_offline_with_the_document() {
    let db = TestDb::sqlite();
    let state = state_for(&db);
    let app = test::init_service(crate::app::build(state)).await;
    let res = test::call_service(&app, TestRequest::get().uri("/docs").to_request()).await;
    assert!(res.status().is_redirection());
    let res = test::call_service(&app, TestRequest::get().uri("/docs/").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    assert!(
        html.contains("swagger-ui") && !html.contains("://cdn"),
        "{html}"
    );
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/docs/swagger-ui-bundle.js")
            .to_request(),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the UI's script is compiled in, not fetched from a CDN"
    );
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/api-docs/openapi.json")
            .to_request(),
    )
    .await;
    let served: Value = serde_json::from_slice(&test::read_body(res).await).unwrap();
    let committed: Value = serde_json::from_str(&crate::openapi::document_json()).unwrap();
    assert_eq!(served, committed);
}

/// The database going away under a running server: PostgreSQL unreachable, the SQLite file
/// removed or made read-only. Every answer is then a quick 503 problem, no write is
/// acknowledged, and the server never starts afresh on an empty database.
mod outages {
    use super::*;
    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use rops_store::{DatabaseUrl, Health};
    use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    use std::time::Instant;

    async fn send<S, R, B>(app: &S, req: R) -> (StatusCode, String, Value)
    where
        S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let res = test::call_service(app, req).await;
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = test::read_body(res).await;
        (
            status,
            content_type,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        )
    }

    fn state(pool: rops_store::Pool, health: Arc<Health>) -> AppState {
        AppState::new(pool, health, Arc::new(Keys::new(SECRET)), 15)
    }

    fn read_region() -> TestRequest {
        TestRequest::get()
            .uri("/api/v1/regions/16")
            .insert_header(bearer(Role::Analyst, None))
    }

    fn readyz() -> TestRequest {
        TestRequest::get().uri("/readyz")
    }

    fn put_report(note: &str) -> TestRequest {
        TestRequest::put()
            .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
            .insert_header(bearer(Role::Owes, Some("OWES-PN")))
            .set_json(json!({"values": {"jobs_created": 4}, "note": note}))
    }

    /// A TCP proxy in front of PostgreSQL that can be cut (nothing listens on its port then,
    /// and every connection through it is closed) and started again on the same port: an
    /// outage of "the database" without touching the shared server.
    struct Proxy {
        addr: SocketAddr,
        stop: Arc<AtomicBool>,
        open: Arc<Mutex<Vec<TcpStream>>>,
        accept: Option<std::thread::JoinHandle<()>>,
    }

    impl Proxy {
        fn start(listen: SocketAddr, upstream: SocketAddr) -> Self {
            let listener = TcpListener::bind(listen).expect("the proxy port");
            let addr = listener.local_addr().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
            let accept = {
                let (stop, open) = (stop.clone(), open.clone());
                std::thread::spawn(move || {
                    for client in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(client) = client else { continue };
                        let Ok(server) = TcpStream::connect(upstream) else {
                            continue;
                        };
                        let mut open = open.lock().unwrap();
                        open.push(client.try_clone().unwrap());
                        open.push(server.try_clone().unwrap());
                        for (mut from, mut to) in [
                            (client.try_clone().unwrap(), server.try_clone().unwrap()),
                            (server, client),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(Shutdown::Both);
                                let _ = from.shutdown(Shutdown::Both);
                            });
                        }
                    }
                })
            };
            Self {
                addr,
                stop,
                open,
                accept: Some(accept),
            }
        }

        fn cut(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr);
            if let Some(accept) = self.accept.take() {
                accept.join().unwrap();
            }
            for s in self.open.lock().unwrap().drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }

    impl Drop for Proxy {
        fn drop(&mut self) {
            self.cut();
        }
    }

    /// `postgres://user@host:port/db?x` → (host:port, a function putting another address
    /// in its place).
    fn split_authority(url: &str) -> (SocketAddr, impl Fn(SocketAddr) -> String + '_) {
        let start = url.find("://").unwrap() + 3;
        let end = start + url[start..].find('/').unwrap_or(url.len() - start);
        let host_start = start + url[start..end].rfind('@').map_or(0, |i| i + 1);
        let authority = &url[host_start..end];
        let with_port = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:5432")
        };
        let upstream = with_port.to_socket_addrs().unwrap().next().unwrap();
        (upstream, move |addr: SocketAddr| {
            format!("{}{addr}{}", &url[..host_start], &url[end..])
        })
    }

    /// Polls `readyz` (made by `readyz`) until it answers `want`, for at most `limit`.
    async fn wait_ready<S, R, B>(app: &S, readyz: impl Fn() -> R, want: StatusCode, limit: Duration)
    where
        S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        let started = Instant::now();
        loop {
            let (status, _, _) = send(app, readyz()).await;
            if status == want {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "readyz still answers {status}, not {want}, after {limit:?}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Before: every request, /readyz too, waited for the pool's 10 s checkout timeout.
    #[actix_web::test]
    async fn a_postgres_outage_answers_503_within_a_second_and_ends_by_itself() {
        let Some(db) = TestDb::postgres() else { return };
        let db = db.with_sample();
        let url = db.url_string();
        let (upstream, through) = split_authority(&url);
        let mut proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), upstream);
        let url = DatabaseUrl::Postgres(through(proxy.addr));
        let pool = rops_store::pool(&url, 4).unwrap();
        let health = Health::monitored(&url).unwrap();
        let app = test::init_service(crate::app::build(state(pool, health))).await;
        assert_eq!(send(&app, readyz().to_request()).await.0, StatusCode::OK);
        assert_eq!(
            send(&app, read_region().to_request()).await.0,
            StatusCode::OK
        );

        proxy.cut();
        let outage = Instant::now();
        // A request sent as the database goes: 503, once the check sees it, not after the
        // pool's timeout.
        let (status, ct, body) = send(&app, read_region().to_request()).await;
        assert_problem(status, &ct, &body, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            outage.elapsed() < Duration::from_secs(3),
            "{:?}",
            outage.elapsed()
        );
        let ready = || readyz().to_request();
        wait_ready(
            &app,
            ready,
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(3),
        )
        .await;
        for req in [readyz(), read_region(), put_report("during the outage")] {
            let asked = Instant::now();
            let (status, ct, body) = send(&app, req.to_request()).await;
            assert_problem(status, &ct, &body, StatusCode::SERVICE_UNAVAILABLE);
            assert!(
                asked.elapsed() < Duration::from_secs(1),
                "{:?}",
                asked.elapsed()
            );
        }

        // The database is back on the same address: so is the service, without a restart.
        let addr = proxy.addr;
        drop(proxy);
        let _proxy = Proxy::start(addr, upstream);
        wait_ready(&app, ready, StatusCode::OK, Duration::from_secs(10)).await;
        let (status, _, body) = send(&app, read_region().to_request()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// A SQLite database in a folder of its own, migrated and seeded, with the pool and
    /// health check a server would have.
    fn sqlite_server_state(dir: &std::path::Path) -> (DatabaseUrl, AppState) {
        let url = DatabaseUrl::Sqlite(dir.join("rops-hub.db"));
        let pool = rops_store::pool(&url, 4).unwrap();
        let mut conn = pool.get().unwrap();
        rops_store::migrations::run(&mut conn).unwrap();
        rops_store::write_transaction(&mut conn, rops_store::reference::seed_sample_if_empty)
            .unwrap();
        drop(conn);
        let health = Health::monitored(&url).unwrap();
        (url, state(pool, health))
    }

    // Before: writes were acknowledged (200) into the removed file and lost, and /readyz
    // said 200.
    #[actix_web::test]
    async fn a_removed_sqlite_folder_acknowledges_no_write_and_is_not_recreated() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let (url, state) = sqlite_server_state(&dir);
        let app = test::init_service(crate::app::build(state)).await;
        let (status, _, body) = send(&app, put_report("first").to_request()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        std::fs::remove_dir_all(&dir).unwrap();
        for req in [put_report("after removal"), read_region(), readyz()] {
            let asked = Instant::now();
            let (status, ct, body) = send(&app, req.to_request()).await;
            assert_problem(status, &ct, &body, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(body["type"], "/problems/unavailable", "{body}");
            assert!(
                asked.elapsed() < Duration::from_secs(1),
                "{:?}",
                asked.elapsed()
            );
        }
        let DatabaseUrl::Sqlite(path) = url else {
            unreachable!()
        };
        assert!(!path.exists(), "no empty database was started in its place");
    }

    // Before: /readyz said 200 and writes got 500 (or, as root, went on).
    #[actix_web::test]
    async fn a_read_only_sqlite_folder_answers_503_until_it_is_writable_again() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let (_, state) = sqlite_server_state(&dir);
        let app = test::init_service(crate::app::build(state)).await;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        for req in [put_report("read-only"), readyz()] {
            let (status, ct, body) = send(&app, req.to_request()).await;
            assert_problem(status, &ct, &body, StatusCode::SERVICE_UNAVAILABLE);
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ready = || readyz().to_request();
        wait_ready(&app, ready, StatusCode::OK, Duration::from_secs(10)).await;
        let (status, _, body) = send(&app, put_report("writable again").to_request()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    // Before: the server created an empty database in its place and loaded the sample.
    #[actix_web::test]
    async fn a_missing_sqlite_file_with_its_marker_refuses_to_start() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("rops-hub.db");
        let config = crate::config::Config::from_vars(|name| match name {
            "DATABASE_URL" => Some(db.display().to_string()),
            "ROPS_DATA_DIR" => Some(tmp.path().display().to_string()),
            "ROPS_JWT_SECRET" => Some(String::from_utf8_lossy(SECRET).into_owned()),
            "ROPS_BIND" => Some("127.0.0.1:0".into()),
            _ => None,
        })
        .unwrap();
        crate::cli::migrate(&config).unwrap();
        let marker = rops_store::conn::marker_path(&db);
        assert!(
            marker.exists(),
            "the first start leaves a marker beside the database"
        );
        std::fs::remove_file(&db).unwrap();
        for extra in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{extra}", db.display()));
        }
        let err = match crate::cli::start(config.clone(), false).await {
            Ok(_) => panic!("started on a missing database"),
            Err(e) => e,
        };
        assert!(
            err.contains("missing") && err.contains(&marker.display().to_string()),
            "{err}"
        );
        assert!(crate::cli::migrate(&config).is_err());
        assert!(!db.exists(), "no empty database was created in its place");
    }
}
