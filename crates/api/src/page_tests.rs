//! The sign-in pages and forms, in process: Polish pages with their security headers, a form
//! that fails comes back filled with the reason, NUL in a form is refused, accounts are created
//! and refused as the rules say.

use crate::tests::{call, state_for};
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
}
