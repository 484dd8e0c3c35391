//! The region page in process: who may open it, what a bad window gets, and that every figure
//! it shows is the JSON rollup's (the browser test checks the same in Chromium, on demo data).

use crate::tests::state_for;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::accounts::{self, NewUser};
use rops_store::backend_tests;
use rops_store::testing::TestDb;

const PASSWORD: &str = "Ekonomia-społeczna-2025";

/// A seeded database with one account of `role` (bound to `org`), signed in: its cookie.
async fn signed_in(db: &TestDb, role: Role, org: Option<&str>) -> String {
    let mut conn = db.pool().get().unwrap();
    rops_store::write_transaction(&mut conn, |conn| {
        rops_store::reference::seed_sample_if_empty(conn)?;
        let new = NewUser {
            login: "osoba".into(),
            name: "Osoba".into(),
            role,
            org: org.map(str::to_owned),
            region: None,
            password_hash: Some(crate::auth::password::hash(PASSWORD).unwrap()),
            must_change_password: false,
        };
        accounts::create_user(
            conn,
            &new,
            &rops_store::reports::Actor::new("test", rops_store::Clock::System),
        )
        .map(drop)
    })
    .unwrap();
    drop(conn);
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/auth/login")
            .set_json(serde_json::json!({"login": "osoba", "password": PASSWORD}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .response()
        .cookies()
        .find(|c| c.name() == "rops_session")
        .unwrap();
    format!("rops_session={}", cookie.value())
}

async fn get(db: &TestDb, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let mut req = TestRequest::get().uri(uri);
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c.to_owned()));
    }
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    (
        status,
        String::from_utf8(test::read_body(res).await.to_vec()).unwrap(),
    )
}

/// Every `data-figure`/`data-scope`/`data-value` triple of a page.
fn figures(html: &str) -> Vec<(String, String, String)> {
    let attr = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned)
    };
    html.split('<')
        .filter(|tag| tag.contains("data-figure=\""))
        .filter_map(|tag| {
            Some((
                attr(tag, "data-figure")?,
                attr(tag, "data-scope")?,
                attr(tag, "data-value")?,
            ))
        })
        .collect()
}

backend_tests! {
    async fn the_region_page_shows_the_json_rollup_to_those_who_may_read_it(db) {
        let (status, _) = get(&db, "/regions/16?year=2024", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "strangers are sent to sign in");
        let cookie = signed_in(&db, Role::Analyst, None).await;
        let (status, html) = get(&db, "/regions/16?year=2024", Some(&cookie)).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<h1>Region opolskie (16)</h1>"), "{html}");
        let shown = figures(&html);
        assert!(shown.len() > 50, "{}", shown.len());
        // The same figures as the JSON, from the same request.
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(
            &app,
            TestRequest::get().uri("/api/v1/rollups/regions/16?year=2024").insert_header(("Cookie", cookie.clone())).to_request(),
        )
        .await;
        let json: serde_json::Value = test::read_body_json(res).await;
        for (figure, scope, value) in &shown {
            let want = match figure.as_str() {
                "completeness" if scope == "16" => json["completeness"]["rate"].clone(),
                "lpres_adopted" if scope == "16" => json["lpres"]["adopted"].clone(),
                "completeness" => json["completeness"]["by_subregion"].as_array().unwrap().iter().find(|s| s["subregion"] == scope.as_str()).unwrap()["rate"].clone(),
                "lpres_adopted" => json["lpres"]["by_subregion"].as_array().unwrap().iter().find(|s| s["subregion"] == scope.as_str()).unwrap()["adopted"].clone(),
                f if f.starts_with("result_") => json["results"].as_array().unwrap().iter().find(|r| r["code"] == f[7..]).unwrap()["gminas"].clone(),
                code => {
                    let i = json["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap();
                    if scope == "16" { i["value"].clone() } else { i["by_subregion"].as_array().unwrap().iter().find(|s| s["subregion"] == scope.as_str()).unwrap()["value"].clone() }
                }
            };
            let want = if want.is_null() { String::new() } else { want.to_string() };
            assert_eq!(value, &want, "{figure} of {scope}");
        }
        assert_eq!(html.matches("data-target=").count(), json["targets"].as_array().unwrap().len());
        for t in json["targets"].as_array().unwrap() {
            // Coloured by status: one class attribute holding both classes.
            assert!(html.contains(&format!("class=\"target {}\"", t["status"].as_str().unwrap())), "{t}");
        }
        assert_eq!(html.matches("data-teryt=").count(), 71, "the map of the 71 gminas");
        // A trend line per indicator, a point per quarter of the window.
        let indicators = json["indicators"].as_array().unwrap().len();
        assert_eq!(html.matches("data-trend=").count(), indicators);
        for q in ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"] {
            assert_eq!(html.matches(&format!("data-period=\"{q}\"")).count(), indicators, "{q}");
        }
        assert!(html.contains("/api/v1/rollups/regions/16/csv?year=2024"));

        // A window that is not one: a page that says what to fix.
        let (status, html) = get(&db, "/regions/16?from=2024-Q3&to=2024-Q1", Some(&cookie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Nieprawidłowe okno"), "{html}");
        let (status, _) = get(&db, "/regions/99", Some(&cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn a_gmina_official_may_not_open_the_region_page(db) {
        let cookie = signed_in(&db, Role::Gmina, Some("1604023")).await;
        let (status, html) = get(&db, "/regions/16", Some(&cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("nie ma dostępu"), "{html}");
        let (_, home) = get(&db, "/", Some(&cookie)).await;
        assert!(!home.contains("/regions/16"), "no link to what they cannot open");
    }
}
