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

fn token(role: Role, org: Option<&str>) -> String {
    Keys::new(SECRET)
        .mint("test", role, org, Duration::from_secs(600))
        .unwrap()
}

fn bearer(role: Role, org: Option<&str>) -> (&'static str, String) {
    ("Authorization", format!("Bearer {}", token(role, org)))
}

/// Sends a request to a fresh app over `db` and returns status, content type and JSON body.
async fn call(db: &TestDb, req: TestRequest) -> (StatusCode, String, Value) {
    let state = AppState {
        pool: db.pool().clone(),
        keys: Arc::new(Keys::new(SECRET)),
        deadline_days: 15,
    };
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

fn assert_problem(status: StatusCode, content_type: &str, body: &Value, want: StatusCode) {
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
        assert_eq!(catalogue["indicators"].as_array().unwrap().len(), 24);
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
        ("get", "/api/v1/rollups/regions/{code}"),
        ("get", "/api/v1/rollups/subregions/{code}"),
        ("get", "/api/v1/rollups/owes/{code}"),
    ];
    for (method, path) in expected {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        if path.starts_with("/api/v1") {
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} lacks 401"
            );
            assert_eq!(
                op["security"][0]["bearer"],
                json!([]),
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
    let state = AppState {
        pool: db.pool().clone(),
        keys: Arc::new(Keys::new(SECRET)),
        deadline_days: 15,
    };
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
