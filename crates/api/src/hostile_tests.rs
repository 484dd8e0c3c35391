//! In-process tests of what hostile or careless input meets, on both backends: every answer
//! a 4xx problem, nothing stored, no 5xx.

use crate::tests::{assert_problem, bearer, call, state_for};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::backend_tests;
use serde_json::json;

fn admin() -> (&'static str, String) {
    bearer(Role::Admin, None)
}

backend_tests! {
    async fn nul_and_control_characters_are_refused_before_the_database(db) {
        let db = db.with_sample();
        for (uri, want) in [
            ("/api/v1/owes/OWES-PN%00", StatusCode::NOT_FOUND),
            ("/api/v1/gminas/1604023%01", StatusCode::NOT_FOUND),
            ("/api/v1/owes/OWES-PN%00/reports/2024-Q1", StatusCode::NOT_FOUND),
            ("/api/v1/regions/16/events?type=%00", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/reports?status=draft%1b", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/gminas?subregion=%00", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/gminas?region=AAAAAAAAAA", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/owes?region=1", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/programmes?region=x", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/regions/16/events?subregion=opl", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/reports?region=1616", StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let (status, ct, body) = call(&db, TestRequest::get().uri(uri).insert_header(admin())).await;
            assert_problem(status, &ct, &body, want);
            if want == StatusCode::UNPROCESSABLE_ENTITY {
                assert!(body["errors"][0]["field"].is_string(), "{uri}: {body}");
            }
        }
        let put = |body: serde_json::Value| {
            TestRequest::put()
                .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
                .insert_header(admin())
                .set_json(body)
        };
        let (status, ct, body) = call(&db, put(json!({"values": {"jobs_created": 1}, "note": "a\u{0}b"}))).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "note", "{body}");
        let lpres = TestRequest::put()
            .uri("/api/v1/gminas/1604023/lpres")
            .insert_header(admin())
            .set_json(json!({"status": "adopted", "resolution_number": "XX/1\u{0}/2023",
                "adopted_on": "2023-05-14", "plan_from": 2023, "plan_to": 2028}));
        let (status, ct, body) = call(&db, lpres).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "resolution_number", "{body}");
        // Nothing was stored.
        let (status, _, _) = call(&db, TestRequest::get().uri("/api/v1/owes/OWES-PN/reports/2024-Q1").insert_header(admin())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A newline in a note is text, not an attack.
        let (status, _, body) = call(&db, put(json!({"values": {"jobs_created": 1}, "note": "linia 1\nlinia 2"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    async fn money_beyond_the_maximum_is_refused_and_the_maximum_is_exact(db) {
        let db = db.with_sample();
        let put = |values: &str| {
            TestRequest::put()
                .uri("/api/v1/gminas/1604023/reports/2024")
                .insert_header(admin())
                .insert_header(("content-type", "application/json"))
                .set_payload(format!("{{\"values\": {values}}}"))
        };
        for huge in ["1e308", "1000000000000.01", "1e400", "99999999999999999999999"] {
            let (status, ct, body) = call(&db, put(&format!("{{\"procurement_value_pln\": {huge}}}"))).await;
            assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body["errors"][0]["field"], "values.procurement_value_pln", "{huge}: {body}");
        }
        let (status, _, body) = call(&db, put(r#"{"procurement_value_pln": 999999999999.99, "sr_procurement_value_pln": 0.1}"#)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state)).await;
        let res = test::call_service(&app, TestRequest::get().uri("/api/v1/gminas/1604023/reports/2024").insert_header(admin()).to_request()).await;
        let text = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
        assert!(text.contains("\"procurement_value_pln\":999999999999.99"), "{text}");
        assert!(text.contains("\"sr_procurement_value_pln\":0.10"), "{text}");
    }

    async fn duplicate_indicators_are_refused(db) {
        let db = db.with_sample();
        let req = TestRequest::put()
            .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
            .insert_header(admin())
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"values": {"jobs_created": 1, "jobs_created": 2}}"#);
        let (status, ct, body) = call(&db, req).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "values.jobs_created", "{body}");
    }

    async fn csv_media_types_are_read_as_rfc_9110_says(db) {
        let db = db.with_sample();
        let csv = "period,indicator,value\n2024-Q1,jobs_created,4\n";
        let import = |ct: &str| {
            TestRequest::post()
                .uri("/api/v1/owes/OWES-PN/reports/import?dry_run=true")
                .insert_header(admin())
                .insert_header(("content-type", ct.to_owned()))
                .set_payload(csv)
        };
        for ok in ["text/csv", "TEXT/CSV", "Text/Csv; charset=utf-8"] {
            let (status, _, body) = call(&db, import(ok)).await;
            assert_eq!(status, StatusCode::OK, "{ok}: {body}");
        }
        for refused in ["text/csvx", "text/csv-x", "application/json"] {
            let (status, ct, body) = call(&db, import(refused)).await;
            assert_problem(status, &ct, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
    }

    async fn thousands_of_bad_cells_get_a_short_answer(db) {
        let db = db.with_sample();
        let header: Vec<String> = (0..5000).map(|i| format!("x{i}")).collect();
        let row: Vec<&str> = (0..5000).map(|_| "1").collect();
        let csv = format!("period,{}\n2024-Q1,{}\n", header.join(","), row.join(","));
        assert!(csv.len() < crate::app::BODY_LIMIT);
        let req = TestRequest::post()
            .uri("/api/v1/owes/OWES-PN/reports/import")
            .insert_header(admin())
            .insert_header(("content-type", "text/csv"))
            .set_payload(csv);
        let (status, ct, body) = call(&db, req).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), crate::error::MAX_LISTED_ERRORS + 1);
        let last = errors.last().unwrap()["message"].as_str().unwrap();
        assert!(last.contains("4900 more"), "{last}");
        assert!(body.to_string().len() < 64 * 1024, "the answer stays small");
    }

    async fn every_response_carries_the_security_headers(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state)).await;
        for (req, authed) in [
            (TestRequest::get().uri("/api/v1/regions/16").insert_header(admin()), true),
            (TestRequest::get().uri("/api/v1/regions/16"), false),
            (TestRequest::get().uri("/api/v1/nothing").insert_header(admin()), true),
            (TestRequest::get().uri("/api/v1/rollups/regions/16?year=2024&format=csv").insert_header(admin()), true),
            (TestRequest::get().uri("/docs/"), false),
            (TestRequest::get().uri("/healthz"), false),
        ] {
            let res = test::call_service(&app, req.to_request()).await;
            let h = res.headers();
            let path = res.request().path().to_owned();
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
            assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
            assert!(h.get("content-security-policy").unwrap().to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
            if authed {
                assert_eq!(h.get("cache-control").unwrap(), "no-store", "{path}");
            }
        }
    }

    async fn if_match_may_list_several_etags(db) {
        let db = db.with_sample();
        let put = |if_match: Option<&str>| {
            let jobs = if_match.map_or(1, str::len);
            let mut req = TestRequest::put()
                .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
                .insert_header(admin())
                .set_json(json!({"values": {"jobs_created": jobs}}));
            if let Some(tags) = if_match {
                req = req.insert_header(("If-Match", tags.to_owned()));
            }
            req
        };
        let (status, _, body) = call(&db, put(None)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _, body) = call(&db, put(Some(r#""7", "1""#))).await;
        assert_eq!(status, StatusCode::OK, "any listed ETag may match: {body}");
        assert_eq!(body["revision"], 2);
        let (status, ct, body) = call(&db, put(Some(r#""7", W/"1""#))).await;
        assert_problem(status, &ct, &body, StatusCode::PRECONDITION_FAILED);
        assert!(body["detail"].as_str().unwrap().contains("7 or 1"), "{body}");
        let (status, ct, body) = call(&db, put(Some(r#""2", abc"#))).await;
        assert_problem(status, &ct, &body, StatusCode::BAD_REQUEST);
    }

    async fn a_transition_body_must_be_json_when_there_is_one(db) {
        let db = db.with_sample();
        let put = TestRequest::put()
            .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
            .insert_header(admin())
            .set_json(json!({"values": {"jobs_created": 1}}));
        let (status, _, _) = call(&db, put).await;
        assert_eq!(status, StatusCode::CREATED);
        let submit = |ct: &str, body: &'static str| {
            TestRequest::post()
                .uri("/api/v1/owes/OWES-PN/reports/2024-Q1/return")
                .insert_header(admin())
                .insert_header(("content-type", ct.to_owned()))
                .set_payload(body)
        };
        let (status, ct, body) = call(&db, submit("text/plain", r#"{"reason": "x"}"#)).await;
        assert_problem(status, &ct, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (status, _, body) = call(&db, TestRequest::get().uri("/api/v1/owes/OWES-PN/reports/2024-Q1").insert_header(admin())).await;
        assert_eq!((status, body["revision"].as_i64()), (StatusCode::OK, Some(1)), "nothing changed");
    }

    async fn the_bearer_scheme_is_case_insensitive(db) {
        let db = db.with_sample();
        let token = crate::tests::token(Role::Analyst, None);
        for scheme in ["Bearer", "bearer", "BEARER", "BeArEr"] {
            let req = TestRequest::get()
                .uri("/api/v1/regions/16")
                .insert_header(("Authorization", format!("{scheme} {token}")));
            let (status, _, body) = call(&db, req).await;
            assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
        }
    }
}
