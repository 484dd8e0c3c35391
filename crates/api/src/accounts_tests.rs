//! The sign-in pages and forms, in process: Polish pages with their security headers, a form
//! that fails comes back filled with the reason, NUL in a form is refused, accounts are created
//! and refused as the rules say.

use crate::tests::{call, call_with, state_for};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_store::backend_tests;
use rops_store::testing::TestDb;

/// Status, headers and body text of a request to a fresh app over `db`.
async fn page(
    db: &TestDb,
    req: TestRequest,
) -> (StatusCode, actix_web::http::header::HeaderMap, String) {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    (status, headers, body)
}

fn form(path: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(body.to_owned())
}

backend_tests! {
    async fn the_sign_in_page_is_polish_strict_and_says_what_went_wrong(db) {
        let (status, headers, body) = page(&db, TestRequest::get().uri("/login")).await;
        assert_eq!(status, 200);
        assert!(body.starts_with("<!DOCTYPE html><html lang=\"pl\">"), "{body}");
        assert!(body.contains("<label for=\"login\">Login lub e-mail</label>"));
        let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe"), "{csp}");
        assert!(!body.contains("<script"), "no script at all");
        assert!(!body.contains("Zaloguj przez"), "no single sign-on unless configured");

        // A wrong password through the form: the page again, the login kept, the reason.
        let (status, _, body) = page(&db, form("/auth/login", "login=Anna%40rops.pl&password=zle-haslo-123")).await;
        assert_eq!(status, 401);
        assert!(body.contains("Nieprawidłowy login lub hasło."), "{body}");
        assert!(body.contains("value=\"Anna@rops.pl\""), "what was typed stays: {body}");

        // Markup typed into the form is text, not markup.
        let (_, _, body) = page(&db, form("/auth/login", "login=%3Cscript%3Ex%3C%2Fscript%3E&password=x")).await;
        assert!(body.contains("&lt;script&gt;") && !body.contains("<script>"), "{body}");

        // NUL in a form is refused before anything reads it.
        let (status, _, body) = page(&db, form("/auth/login", "login=a%00b&password=x")).await;
        assert_eq!(status, 422, "{body}");

        // The home page sends strangers to sign in; the stylesheet may be cached.
        let (status, headers, _) = page(&db, TestRequest::get().uri("/")).await;
        assert_eq!(status, 303);
        assert_eq!(headers.get("location").unwrap(), "/login");
        let (status, headers, css) = page(&db, TestRequest::get().uri("/assets/rops.css")).await;
        assert_eq!(status, 200);
        assert!(headers.get("cache-control").unwrap().to_str().unwrap().contains("max-age"), "{headers:?}");
        assert!(css.contains("--accent"));

        // A link that is not one: a page that says so, in Polish.
        let (status, _, body) = page(&db, TestRequest::get().uri("/setup?token=nieprawdziwy")).await;
        assert_eq!(status, 404);
        assert!(body.contains("Ten link jest nieprawidłowy"), "{body}");
        let (status, _, body) = page(&db, TestRequest::get().uri("/set-password?token=nieprawdziwy")).await;
        assert_eq!(status, 404);
        assert!(body.contains("Ten link jest nieprawidłowy"), "{body}");
    }

    async fn accounts_follow_the_rules_of_roles_units_regions_and_passwords(db) {
        let mut conn = db.pool().get().unwrap();
        rops_store::write_transaction(&mut conn, rops_store::reference::seed_sample_if_empty).unwrap();
        drop(conn);
        let admin = crate::tests::bearer(rops_domain::role::Role::Admin, None);
        let create = |body: serde_json::Value| {
            TestRequest::post().uri("/api/v1/users").insert_header(admin.clone()).set_json(body)
        };
        let cases = [
            (serde_json::json!({"login": "a", "name": "X", "role": "analyst"}), "login"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "owes"}), "org"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "owes", "org": "OWES-XX"}), "org"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "owes", "org": "OWES-PN", "region": "22"}), "region"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "analyst", "org": "OWES-PN"}), "org"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "analyst", "region": "22"}), "region"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "analyst", "password": "krótkie"}), "password"),
            (serde_json::json!({"login": "jan", "name": "X", "role": "analyst", "password": "Scandinavian"}), "password"),
            (serde_json::json!({"login": "jan", "name": "", "role": "analyst"}), "name"),
        ];
        for (body, field) in cases {
            let (status, _, problem) = call(&db, create(body.clone())).await;
            assert_eq!(status, 422, "{body}: {problem}");
            assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{body}: {problem}");
        }
        let (status, _, users) = call(&db, TestRequest::get().uri("/api/v1/users").insert_header(admin.clone())).await;
        assert_eq!(status, 200);
        assert_eq!(users, serde_json::json!([]), "nothing was created");
        // The analyst's token may not manage accounts; the owes token neither.
        for role in [rops_domain::role::Role::Analyst, rops_domain::role::Role::Owes] {
            let org = (role == rops_domain::role::Role::Owes).then_some("OWES-PN");
            let (status, _, _) = call(&db, TestRequest::get().uri("/api/v1/users").insert_header(crate::tests::bearer(role, org))).await;
            assert_eq!(status, 403);
        }
    }

    async fn links_and_keys_end_when_they_expire(db) {
        let mut conn = db.pool().get().unwrap();
        rops_store::write_transaction(&mut conn, rops_store::reference::seed_sample_if_empty).unwrap();
        drop(conn);
        let at = |s: &str| rops_store::Clock::Fixed(chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc));
        let monday = at("2025-05-12T08:00:00Z");
        let admin = crate::tests::bearer(rops_domain::role::Role::Admin, None);
        let new = serde_json::json!({"login": "ewa", "name": "Ewa", "role": "analyst", "region": "16"});
        let (status, _, created) = call_with(
            state_for(&db).with_clock(monday),
            TestRequest::post().uri("/api/v1/users").insert_header(admin.clone()).set_json(new),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["password_link"]["expires_at"], "2025-05-15T08:00:00.000000Z", "72 hours");
        let url = created["password_link"]["url"].as_str().unwrap();
        let token = url.split("token=").nth(1).unwrap();
        let set = |clock| {
            call_with(
                state_for(&db).with_clock(clock),
                TestRequest::post().uri("/auth/password").set_json(serde_json::json!({"token": token, "password": "Ekonomia-społeczna-2025"})),
            )
        };
        let (status, _, late) = set(at("2025-05-15T08:00:01Z")).await;
        assert_eq!(status, 409, "{late}");
        assert!(late["detail"].as_str().unwrap().contains("expired"), "{late}");
        let (status, _, _) = set(at("2025-05-15T07:59:59Z")).await;
        assert_eq!(status, 204, "in time");

        // Ewa signs in and makes a key that expires; it stops at its expiry.
        let state = || state_for(&db).with_clock(monday);
        let app = test::init_service(crate::app::build(state())).await;
        let res = test::call_service(
            &app,
            TestRequest::post().uri("/auth/login").set_json(serde_json::json!({"login": "EWA", "password": "Ekonomia-społeczna-2025"})).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        let cookie = res.response().cookies().find(|c| c.name() == "rops_session").unwrap().value().to_owned();
        let me: serde_json::Value = test::read_body_json(res).await;
        let key_req = TestRequest::post()
            .uri("/api/v1/me/keys")
            .insert_header(("Cookie", format!("rops_session={cookie}")))
            .insert_header(("X-CSRF-Token", me["csrf_token"].as_str().unwrap()))
            .set_json(serde_json::json!({"name": "skrypt", "expires_at": "2025-06-01T00:00:00Z"}));
        let res = test::call_service(&app, key_req.to_request()).await;
        assert_eq!(res.status(), 201);
        let key: serde_json::Value = test::read_body_json(res).await;
        let key = key["key"].as_str().unwrap().to_owned();
        let me_with = |clock| {
            call_with(
                state_for(&db).with_clock(clock),
                TestRequest::get().uri("/api/v1/me").insert_header(("Authorization", format!("Bearer {key}"))),
            )
        };
        let (status, _, me) = me_with(at("2025-05-31T23:59:59Z")).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["auth"], "key");
        let (status, _, expired) = me_with(at("2025-06-01T00:00:00Z")).await;
        assert_eq!(status, 401, "{expired}");
        assert!(expired["detail"].as_str().unwrap().contains("expired"));
        // The session ends 30 minutes after its last use.
        let with_cookie = |clock| {
            call_with(
                state_for(&db).with_clock(clock),
                TestRequest::get().uri("/api/v1/me").insert_header(("Cookie", format!("rops_session={cookie}"))),
            )
        };
        let (status, _, _) = with_cookie(at("2025-05-12T08:29:00Z")).await;
        assert_eq!(status, 200);
        let (status, _, _) = with_cookie(at("2025-05-12T08:58:59Z")).await;
        assert_eq!(status, 200, "the use at 08:29 slid the idle end");
        // Pages count as use too: a page at 09:28 keeps the session open until 09:58.
        let app = test::init_service(crate::app::build(
            state_for(&db).with_clock(at("2025-05-12T09:28:00Z")),
        ))
        .await;
        let res = test::call_service(
            &app,
            TestRequest::get()
                .uri("/")
                .insert_header(("Cookie", format!("rops_session={cookie}")))
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), 200, "the home page with the session");
        let (status, _, _) = with_cookie(at("2025-05-12T09:57:00Z")).await;
        assert_eq!(status, 200, "the page at 09:28 slid the idle end");
        let (status, _, idle) = with_cookie(at("2025-05-12T10:30:00Z")).await;
        assert_eq!(status, 401, "{idle}");
    }
}
