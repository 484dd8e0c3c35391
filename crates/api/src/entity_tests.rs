//! The register of reintegration entities over HTTP, on both backends.

use crate::tests::{assert_problem, bearer, call, state_for};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::backend_tests;
use serde_json::{json, Value};

fn lasowice() -> Value {
    json!({
        "kind": "KIS", "name": " Klub Integracji Społecznej w Lasowicach Wielkich ",
        "seat": "1604032", "serves": [], "operator": "gmina", "active_from": "2024-Q1"
    })
}

fn put(uri: &str, role: Role, org: Option<&str>) -> TestRequest {
    TestRequest::put().uri(uri).insert_header(bearer(role, org))
}

fn get(uri: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header(bearer(Role::Gmina, Some("1604023")))
}

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default()
}

backend_tests! {
    async fn any_role_reads_the_register(db) {
        let db = db.with_sample();
        let (status, _, all) = call(&db, get("/api/v1/regions/16/entities")).await;
        assert_eq!(status, StatusCode::OK, "{all}");
        assert_eq!(all.as_array().unwrap().len(), 32);
        let (_, _, wtz) = call(&db, get("/api/v1/regions/16/entities?kind=WTZ")).await;
        assert_eq!(wtz.as_array().unwrap().len(), 15);
        assert!(wtz.as_array().unwrap().iter().all(|e| e["kind"] == "WTZ"));
        let (status, ct, problem) = call(&db, get("/api/v1/regions/16/entities?kind=wtz")).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&problem), ["kind"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("CIS, KIS, ZAZ or WTZ"), "{problem}");
        let (status, ct, problem) = call(&db, get("/api/v1/regions/99/entities")).await;
        assert_problem(status, &ct, &problem, StatusCode::NOT_FOUND);

        let req = TestRequest::get().uri("/api/v1/entities/CIS-KLUCZBORK").insert_header(bearer(Role::Owes, Some("OWES-PD")));
        let (status, _, cis) = call(&db, req).await;
        assert_eq!(status, StatusCode::OK, "{cis}");
        assert_eq!((cis["kind"].as_str(), cis["seat"].as_str(), cis["region"].as_str()), (Some("CIS"), Some("1604023"), Some("16")));
        assert!(cis["serves"].as_array().unwrap().contains(&json!("1604023")), "{cis}");
        let (_, _, revisions) = call(&db, get("/api/v1/entities/CIS-KLUCZBORK/revisions")).await;
        assert_eq!(revisions[0]["action"], "create", "{revisions}");
        for uri in ["/api/v1/entities/CIS-NOWHERE", "/api/v1/entities/CIS-NOWHERE/revisions", "/api/v1/entities/not%20a%20code"] {
            let (status, ct, problem) = call(&db, get(uri)).await;
            assert_problem(status, &ct, &problem, StatusCode::NOT_FOUND);
        }
    }

    async fn rops_staff_keep_the_register_with_revisions(db) {
        let db = db.with_sample();
        let uri = "/api/v1/entities/KIS-LASOWICE";
        for (role, org) in [(Role::Owes, Some("OWES-PN")), (Role::Gmina, Some("1604032"))] {
            let (status, ct, problem) = call(&db, put(uri, role, org).set_json(lasowice())).await;
            assert_problem(status, &ct, &problem, StatusCode::FORBIDDEN);
            assert!(problem["detail"].as_str().unwrap().contains("keep the register of reintegration entities"), "{problem}");
        }
        let (status, _, dry) = call(&db, put(&format!("{uri}?dry_run=true"), Role::Analyst, None).set_json(lasowice())).await;
        assert_eq!((status, dry["revision"].as_i64()), (StatusCode::CREATED, Some(1)), "{dry}");
        let (status, ct, problem) = call(&db, get(uri)).await;
        assert_problem(status, &ct, &problem, StatusCode::NOT_FOUND);

        let (status, _, created) = call(&db, put(uri, Role::Analyst, None).set_json(lasowice())).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["name"], "Klub Integracji Społecznej w Lasowicach Wielkich");
        assert_eq!(created["serves"], json!(["1604032"]));
        assert_eq!(created["updated_by"], "test");
        let mut wider = lasowice();
        wider["serves"] = json!(["1604023", "1604013"]);
        wider["active_to"] = json!("2027-Q4");
        let (status, _, updated) = call(&db, put(uri, Role::Admin, None).insert_header(("If-Match", "\"1\"")).set_json(&wider)).await;
        assert_eq!((status, updated["revision"].as_i64()), (StatusCode::OK, Some(2)), "{updated}");
        assert_eq!(updated["serves"], json!(["1604013", "1604023", "1604032"]));
        let (status, ct, problem) = call(&db, put(uri, Role::Analyst, None).insert_header(("If-Match", "\"1\"")).set_json(lasowice())).await;
        assert_problem(status, &ct, &problem, StatusCode::PRECONDITION_FAILED);
        assert!(problem["detail"].as_str().unwrap().contains("entity KIS-LASOWICE is at revision 2"), "{problem}");

        let service = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(&service, get(uri).to_request()).await;
        assert_eq!(res.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"2\""));
        let (_, _, revisions) = call(&db, get(&format!("{uri}/revisions"))).await;
        let actions: Vec<&str> = revisions.as_array().unwrap().iter().filter_map(|r| r["action"].as_str()).collect();
        assert_eq!(actions, ["create", "update"]);
        assert_eq!(revisions[1]["active_to"], "2027-Q4");
    }

    async fn bad_entities_get_422_naming_each_field(db) {
        let db = db.with_sample();
        let uri = "/api/v1/entities/KIS-LASOWICE";
        let analyst = |uri: &str| put(uri, Role::Analyst, None);
        let bad = json!({
            "kind": "SPS", "name": "Klub\nIntegracji", "seat": "1604024", "serves": ["1604023", "x"],
            "operator": "powiat", "active_from": "2024-Q1", "active_to": "2023-Q4"
        });
        let (status, ct, problem) = call(&db, analyst(uri).set_json(&bad)).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&problem), ["kind", "name", "seat", "serves[1]", "operator", "active_to"]);

        let mut elsewhere = lasowice();
        elsewhere["serves"] = json!(["1604093"]);
        let (status, ct, problem) = call(&db, analyst(uri).set_json(&elsewhere)).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&problem), ["serves"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("gmina 1604093 does not exist"), "{problem}");
        let mut unknown_seat = lasowice();
        unknown_seat["seat"] = json!("1699993");
        let (status, ct, problem) = call(&db, analyst(uri).set_json(&unknown_seat)).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&problem), ["seat"]);

        let mut extra = lasowice();
        extra["colour"] = json!("red");
        let (status, ct, problem) = call(&db, analyst(uri).set_json(&extra)).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, ct, problem) = call(&db, analyst("/api/v1/entities/kis%20x").set_json(lasowice())).await;
        assert_problem(status, &ct, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&problem), ["code"]);
        let (status, ct, problem) = call(&db, get(uri)).await;
        assert_problem(status, &ct, &problem, StatusCode::NOT_FOUND);
    }
}
