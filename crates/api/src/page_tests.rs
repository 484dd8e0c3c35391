//! The analysts' pages in process, on the demo data: who may open which page and where each
//! person lands, what a bad window gets, and that every figure a page shows is the JSON
//! rollup's (the browser test checks the same in Chromium).

use crate::tests::state_for;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::indicator::Stream;
use rops_domain::role::Role;
use rops_store::accounts::{self, NewUser};
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use serde_json::Value;

const PASSWORD: &str = "Ekonomia-społeczna-2025";
const YEAR: &str = "2025";

/// The sample region with the demo data, once per database.
fn with_demo(db: &TestDb) {
    let mut conn = db.pool().get().unwrap();
    rops_store::write_transaction(&mut conn, |conn| {
        rops_store::reference::seed_sample_if_empty(conn)?;
        rops_store::demo::fill(conn, chrono::Utc::now().date_naive()).map(drop)
    })
    .unwrap();
}

/// One account of `role` (bound to `org`), signed in: its cookie and where the sign-in form
/// sends it.
async fn signed_in(db: &TestDb, login: &str, role: Role, org: Option<&str>) -> (String, String) {
    with_demo(db);
    let mut conn = db.pool().get().unwrap();
    rops_store::write_transaction(&mut conn, |conn| {
        let new = NewUser {
            login: login.into(),
            name: format!("Osoba {login}"),
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
    signed_in_again(db, login).await
}

/// A session of an existing account (another one, when it has one already): its cookie and
/// where the sign-in form sends it.
async fn signed_in_again(db: &TestDb, login: &str) -> (String, String) {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/auth/login")
            .set_form([("login", login), ("password", PASSWORD)])
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let landing = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = res
        .response()
        .cookies()
        .find(|c| c.name() == "rops_session")
        .unwrap();
    (format!("rops_session={}", cookie.value()), landing)
}

/// Posts a form as the browser does, signed in by `cookie`: the status, and where it
/// redirects (or the page).
async fn post_form(
    db: &TestDb,
    uri: &str,
    cookie: &str,
    fields: Vec<(String, String)>,
) -> (StatusCode, String) {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri(uri)
            .insert_header(("Cookie", cookie.to_owned()))
            .set_form(fields)
            .to_request(),
    )
    .await;
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    (status, location.unwrap_or(body))
}

async fn get(db: &TestDb, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let mut req = TestRequest::get().uri(uri);
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c.to_owned()));
    }
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    (status, location.unwrap_or(body))
}

async fn json(db: &TestDb, uri: &str, cookie: &str) -> Value {
    let app = test::init_service(crate::app::build(state_for(db))).await;
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri(uri)
            .insert_header(("Cookie", cookie.to_owned()))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200, "{uri}");
    test::read_body_json(res).await
}

fn attr(tag: &str, name: &str) -> Option<String> {
    tag.split(&format!(" {name}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_owned)
}

/// Every tag of a page carrying `key`, with the attributes asked for (empty when absent).
fn tags(html: &str, key: &str, names: &[&str]) -> Vec<Vec<String>> {
    html.split('<')
        .filter(|tag| tag.contains(&format!(" {key}=\"")))
        .map(|tag| {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            names
                .iter()
                .map(|n| attr(tag, n).unwrap_or_default())
                .collect()
        })
        .collect()
}

fn find<'a>(list: &'a Value, key: &str, code: &str) -> &'a Value {
    list.as_array()
        .and_then(|a| a.iter().find(|x| x[key] == code))
        .unwrap_or(&Value::Null)
}

/// The JSON rollup's value of a page's figure, as the JSON writes it (empty for null).
fn expected(r: &Value, figure: &str, scope: &str) -> String {
    let own = r["scope"]["code"] == scope;
    let v = match figure {
        "completeness" if own => r["completeness"]["rate"].clone(),
        "completeness" => {
            let by_sub = &find(&r["completeness"]["by_subregion"], "subregion", scope)["rate"];
            if by_sub.is_null() {
                find(&r["completeness"]["by_owes"], "owes", scope)["rate"].clone()
            } else {
                by_sub.clone()
            }
        }
        "lpres_adopted" if own => r["lpres"]["adopted"].clone(),
        "lpres_adopted" => find(&r["lpres"]["by_subregion"], "subregion", scope)["adopted"].clone(),
        f if f.starts_with("result_") => find(&r["results"], "code", &f[7..])["gminas"].clone(),
        code => {
            let i = find(&r["indicators"], "code", code);
            if own {
                i["value"].clone()
            } else {
                let s = &find(&i["by_subregion"], "subregion", scope)["value"];
                if i["by_subregion"].is_array() {
                    s.clone()
                } else {
                    find(&i["by_owes"], "owes", scope)["value"].clone()
                }
            }
        }
    };
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

/// Whether a page's `data-value` is the JSON's value (numbers as numbers: the page writes
/// `1234.50` as serde does, the test's JSON reads it back as `1234.5`).
fn same(shown: &str, want: &str) -> bool {
    shown == want || matches!((shown.parse::<f64>(), want.parse::<f64>()), (Ok(a), Ok(b)) if a == b)
}

/// Checks every figure, target, grid cell and map gmina of a scope page against its rollup.
fn same_as_json(html: &str, r: &Value) {
    let shown = tags(
        html,
        "data-figure",
        &["data-figure", "data-scope", "data-value"],
    );
    assert!(shown.len() > 30, "{}", shown.len());
    for f in &shown {
        let want = expected(r, &f[0], &f[1]);
        assert!(
            same(&f[2], &want),
            "{} of {}: {} vs {want}",
            f[0],
            f[1],
            f[2]
        );
    }
    let targets = tags(html, "data-target", &["data-target", "data-status"]);
    let want: Vec<Vec<String>> = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            vec![
                format!(
                    "{}|{}|{}",
                    t["indicator"].as_str().unwrap(),
                    t["scope"].as_str().unwrap(),
                    t["unit"].as_str().unwrap_or("")
                ),
                t["status"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    assert_eq!(targets, want);
    // The completeness grid: a cell per OWES and quarter, as the JSON says.
    let cells = tags(
        html,
        "data-reporting",
        &["data-owes", "data-period", "data-reporting", "data-status"],
    );
    let mut want = Vec::new();
    for o in r["completeness"]["by_owes"].as_array().unwrap() {
        for q in o["quarters"].as_array().unwrap() {
            want.push(vec![
                o["owes"].as_str().unwrap().to_owned(),
                q["quarter"].as_str().unwrap().to_owned(),
                q["reporting"].as_str().unwrap().to_owned(),
                q["status"].as_str().unwrap_or("").to_owned(),
            ]);
        }
    }
    assert!(!want.is_empty());
    assert_eq!(cells, want);
    // The map: each gmina of the scope with its status as of the moment.
    let map = tags(html, "data-teryt", &["data-teryt", "data-status"]);
    let gminas = r["lpres"]["by_gmina"].as_array().unwrap();
    // Each gmina twice: on the map and in the table beside it.
    assert_eq!(map.len(), 2 * gminas.len());
    for g in gminas {
        let want = vec![
            g["teryt"].as_str().unwrap().to_owned(),
            g["status"].as_str().unwrap().to_owned(),
        ];
        assert_eq!(map.iter().filter(|m| **m == want).count(), 2, "{want:?}");
    }
}

backend_tests! {
    async fn the_maps_boundaries_are_read_once_and_again_after_an_edit(db) {
        let (cookie, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state.clone())).await;
        // The map's path data, every gmina's.
        let map = || async {
            let req = TestRequest::get()
                .uri(&format!("/regions/16?year={YEAR}"))
                .insert_header(("Cookie", cookie.clone()))
                .to_request();
            let res = test::call_service(&app, req).await;
            assert_eq!(res.status(), StatusCode::OK);
            let html = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
            let paths: Vec<String> = html
                .split("<path d=\"")
                .skip(1)
                .map(|p| p.split('"').next().unwrap_or_default().to_owned())
                .collect();
            assert!(paths.len() > 60, "a path per gmina of opolskie: {}", paths.len());
            paths
        };
        let first = map().await;
        assert_eq!(map().await, first);
        assert_eq!(state.rollups.stats().boundaries_read, 1, "kept for the second page");

        // A boundary edited behind the service's back (its trigger bumps the reference
        // version): the next page draws it.
        db.execute(
            "UPDATE gmina_boundaries SET geometry_json = \
             '{\"type\":\"Polygon\",\"coordinates\":[[[17.9,50.6],[18.0,50.6],[18.0,50.7],[17.9,50.6]]]}' \
             WHERE teryt = (SELECT MIN(teryt) FROM gmina_boundaries)",
        );
        let edited = map().await;
        assert_eq!(state.rollups.stats().boundaries_read, 2);
        assert_ne!(edited, first);
    }

    async fn the_region_page_shows_the_json_rollup_to_those_who_may_read_it(db) {
        let (status, _) = get(&db, "/regions/16?year=2024", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "strangers are sent to sign in");
        let (cookie, landing) = signed_in(&db, "analityk", Role::Analyst, None).await;
        assert_eq!(landing, "/");
        for query in [format!("year={YEAR}"), format!("from={YEAR}-Q2&to={YEAR}-Q3&as_of={YEAR}-09-01T00:00:00Z&approved_only=true")] {
            let (status, html) = get(&db, &format!("/regions/16?{query}"), Some(&cookie)).await;
            assert_eq!(status, 200, "{html}");
            assert!(html.contains("<h1>Region opolskie (16)</h1>"), "{html}");
            let r = json(&db, &format!("/api/v1/rollups/regions/16?{query}"), &cookie).await;
            same_as_json(&html, &r);
            // A trend line per indicator, a point per quarter of the window.
            let indicators = r["indicators"].as_array().unwrap().len();
            assert_eq!(html.matches("data-trend=").count(), indicators);
            assert_eq!(html.matches(&format!("data-period=\"{YEAR}-Q2\"")).count(), indicators + 3, "trend points and grid cells");
            let escaped = query.replace(':', "%3A").replace('&', "&amp;");
            assert!(html.contains(&format!("/api/v1/rollups/regions/16/csv?{escaped}")), "the CSV of the view shown");
            assert!(html.contains(&format!("/regions/16/indicators/jobs_created?{escaped}")), "each indicator compares over time");
            assert!(html.contains("Granice gmin: PRG, GUGiK"));
        }
        // A subregion's page: the same, narrowed, with a column per OWES.
        let (status, html) = get(&db, &format!("/subregions/OPL-PN?year={YEAR}"), Some(&cookie)).await;
        assert_eq!(status, 200, "{html}");
        let r = json(&db, &format!("/api/v1/rollups/subregions/OPL-PN?year={YEAR}"), &cookie).await;
        same_as_json(&html, &r);
        assert!(html.contains("data-scope=\"OWES-PN\""), "a column for its OWES");

        // A form's view is sent to its one address: empty fields out, the picker's moment in UTC.
        let (status, to) = get(&db, "/regions/16?year=&from=2025-Q1&to=2025-Q2&as_of=2025-06-01T12:30", Some(&cookie)).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/regions/16?from=2025-Q1&to=2025-Q2&as_of=2025-06-01T12%3A30%3A00Z"));
        let (_, html) = get(&db, &to, Some(&cookie)).await;
        assert!(html.contains("value=\"2025-06-01T12:30:00\""), "the picker shows the moment");

        // A window that is not one: a page that says what to fix.
        let (status, html) = get(&db, "/regions/16?from=2024-Q3&to=2024-Q1", Some(&cookie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Nieprawidłowe okno"), "{html}");
        for unknown in ["/regions/99", "/subregions/OPL-XX", "/owes/OWES-XX", "/gminas/1699999", "/gminas/nonsense", "/regions/16/indicators/no_such"] {
            let (status, html) = get(&db, unknown, Some(&cookie)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}: {html}");
            assert!(html.contains("lang=\"pl\""));
        }
    }

    async fn an_indicator_over_time_is_each_quarters_rollup(db) {
        let (cookie, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let (status, html) = get(&db, &format!("/regions/16/indicators/jobs_created?year={YEAR}"), Some(&cookie)).await;
        assert_eq!(status, 200, "{html}");
        let cells = tags(&html, "data-figure", &["data-figure", "data-scope", "data-period", "data-value"]);
        assert_eq!(cells.len(), 4 * 4, "four quarters × three subregions and the region");
        for q in ["Q1", "Q2", "Q3", "Q4"] {
            let quarter = format!("{YEAR}-{q}");
            let r = json(&db, &format!("/api/v1/rollups/regions/16?from={quarter}&to={quarter}"), &cookie).await;
            for c in cells.iter().filter(|c| c[2] == quarter) {
                let want = expected(&r, &c[0], &c[1]);
                assert!(same(&c[3], &want), "{c:?} vs {want}");
            }
        }
        // The chart's points say the same.
        let points = tags(&html, "data-period", &["data-scope", "data-period", "data-value"]);
        assert!(points.iter().filter(|p| !p[0].is_empty() && !p[2].is_empty()).count() >= 4);
        assert!(html.contains("role=\"img\"") && html.contains("Tabela"), "a chart with its table");
    }

    async fn an_owes_official_lands_on_their_own_page_and_nowhere_else(db) {
        let (cookie, landing) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        assert_eq!(landing, "/owes/OWES-PN");
        let (status, html) = get(&db, &format!("/owes/OWES-PN?year={YEAR}"), Some(&cookie)).await;
        assert_eq!(status, 200, "{html}");
        let r = json(&db, &format!("/api/v1/rollups/owes/OWES-PN?year={YEAR}"), &cookie).await;
        same_as_json(&html, &r);
        // Its reports as they stand, with their statuses.
        let shown = tags(&html, "data-report", &["data-report", "data-status"]);
        let mut conn = db.conn();
        let stored = rops_store::reports::list(&mut conn, Stream::Owes, &rops_store::reports::ReportFilter {
            units: Some(vec!["OWES-PN".into()]),
            from: Some(format!("{YEAR}-Q1")),
            to: Some(format!("{YEAR}-Q4")),
            ..Default::default()
        }).unwrap();
        let want: Vec<Vec<String>> = stored.iter().map(|r| vec![r.period.clone(), r.status.as_str().to_owned()]).collect();
        assert!(!want.is_empty());
        assert_eq!(shown, want);
        assert!(html.contains("href=\"/owes/OWES-PN\">Mój OWES</a>"), "the header leads home");
        assert!(!html.contains("/indicators/"), "no links to the region's pages");
        for other in ["/owes/OWES-OP", "/regions/16", "/subregions/OPL-PN", "/gminas/1604023", "/regions/16/indicators/jobs_created"] {
            let (status, html) = get(&db, other, Some(&cookie)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
            assert!(html.contains("Brak dostępu"));
        }
    }

    async fn a_gmina_official_lands_on_the_gminas_page(db) {
        with_demo(&db);
        let teryt = {
            let mut conn = db.conn();
            let reports = rops_store::reports::list(&mut conn, Stream::Gmina, &Default::default()).unwrap();
            reports[0].unit.clone()
        };
        let (cookie, landing) = signed_in(&db, "gmina", Role::Gmina, Some(&teryt)).await;
        assert_eq!(landing, format!("/gminas/{teryt}"));
        let (status, html) = get(&db, &landing, Some(&cookie)).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Moja gmina"));
        let lpres = json(&db, &format!("/api/v1/gminas/{teryt}/lpres"), &cookie).await;
        assert!(html.contains(&format!("data-status=\"{}\"", lpres["status"].as_str().unwrap())));
        assert_eq!(html.matches("data-revision=").count(), lpres["history"].as_array().unwrap().len());
        // Every value of every annual report, as the report's JSON writes it.
        let list = json(&db, &format!("/api/v1/gminas/{teryt}/reports"), &cookie).await;
        let reports = list.as_array().or_else(|| list["items"].as_array()).unwrap().clone();
        assert!(!reports.is_empty());
        let cells = tags(&html, "data-figure", &["data-figure", "data-scope", "data-period", "data-value"]);
        for report in &reports {
            let year = report["year"].as_str().unwrap();
            let one = json(&db, &format!("/api/v1/gminas/{teryt}/reports/{year}"), &cookie).await;
            for c in cells.iter().filter(|c| c[2] == year) {
                assert_eq!(c[1], teryt);
                let v = &one["values"][&c[0]];
                let want = if v.is_null() { String::new() } else { v.to_string() };
                assert!(same(&c[3], &want), "{year} {}: {} vs {want}", c[0], c[3]);
            }
            for result in one["results"].as_array().into_iter().flatten() {
                assert!(html.contains(&format!("data-result=\"{}\"", result.as_str().unwrap())));
            }
        }
        assert!(cells.len() >= 10, "{}", cells.len());
        let (status, _) = get(&db, "/gminas/1661011", Some(&cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another gmina's page");
        let (status, html) = get(&db, "/regions/16", Some(&cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("nie ma dostępu"), "{html}");
        let (_, home) = get(&db, "/", Some(&cookie)).await;
        assert!(!home.contains("/regions/16"), "no link to what they cannot open");
    }

    async fn hostile_page_addresses_get_pages_that_say_what_is_wrong(db) {
        let (cookie, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let long = "A".repeat(5000);
        for uri in [
            "/regions/16?year=abc".to_owned(),
            "/regions/16?year=2025&from=2025-Q1&to=2025-Q2".to_owned(),
            "/regions/16?from=2020-Q1&to=2040-Q4".to_owned(),
            "/regions/16?as_of=%00".to_owned(),
            "/regions/16?as_of=2025-13-45T99:99".to_owned(),
            "/regions/%2e%2e".to_owned(),
            "/owes/'%20OR%201=1".to_owned(),
            "/gminas/16040231234567890".to_owned(),
            "/regions/16/indicators/%3Cscript%3E".to_owned(),
            "/regions/16/indicators/jobs_created?year=-1".to_owned(),
            format!("/subregions/{long}"),
            format!("/regions/16?to={long}&from=2025-Q1"),
        ] {
            let (status, body) = get(&db, &uri, Some(&cookie)).await;
            assert!(status.is_client_error(), "{uri}: {status}");
            assert!(!body.contains("<script>"), "{uri}: nothing echoed unescaped");
            // A page in Polish, or, for what the service's guards refuse before any page is
            // reached (control characters, a query that does not parse), a problem.
            let problem = serde_json::from_str::<Value>(&body).is_ok_and(|p| p["status"] == status.as_u16());
            assert!(body.contains("lang=\"pl\"") || problem, "{uri}: {body}");
        }
    }

    async fn an_owes_official_fills_corrects_and_submits_a_quarter_and_a_conflict_loses_nothing(db) {
        let (cookie, _) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let quarter = rops_domain::period::Quarter::containing(chrono::Utc::now().date_naive()).to_string();
        let (status, list) = get(&db, "/owes/OWES-PN/reports", Some(&cookie)).await;
        assert_eq!(status, 200, "{list}");
        assert!(list.contains(&format!("<tr class=\"current\" data-period=\"{quarter}\" data-status=\"\"")), "{list}");
        let form_uri = format!("/owes/OWES-PN/reports/{quarter}");
        let (status, form) = get(&db, &form_uri, Some(&cookie)).await;
        assert_eq!(status, 200, "{form}");
        assert!(form.contains("name=\"values[jobs_created]\"") && form.contains("name=\"revision\" value=\"0\""));
        assert!(form.contains("data-verification=\"jobs_created\">Źródło weryfikacji: Umowy o pracę"), "each field says where its value is verified");
        let post = |fields: Vec<(String, String)>, cookie: String| {
            let uri = form_uri.clone();
            let db = &db;
            async move { post_form(db, &uri, &cookie, fields).await }
        };
        let fields = |csrf: &str, revision: i32, action: &str, jobs: &str, with_grants: &str| {
            let mut f: Vec<(String, String)> = vec![
                ("csrf_token".into(), csrf.into()),
                ("revision".into(), revision.to_string()),
                ("action".into(), action.into()),
            ];
            for code in ["initiative_groups_created", "enterprises_created", "local_partnerships_created", "procurement_procedures_supported", "animators_employed", "joint_projects", "vocational_training_participants", "reintegration_plans"] {
                f.push((format!("values[{code}]"), "1".into()));
            }
            f.push(("values[jobs_created]".into(), jobs.into()));
            f.push(("values[ps_jobs_created_with_grants]".into(), with_grants.into()));
            f
        };
        // Without the session's CSRF token: refused, nothing stored.
        let (status, _) = post(fields("forged", 0, "submit", "3", "2"), cookie.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // One error: beside its field, in Polish, with everything typed kept.
        let (status, page) = post(fields(&csrf, 0, "submit", "3", "1 234"), cookie.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("aria-describedby=\"v-ps_jobs_created_with_grants-error\""), "{page}");
        assert!(page.contains("id=\"v-ps_jobs_created_with_grants-error\">1234 przekracza jobs_created (3)"), "{page}");
        assert!(page.contains("value=\"1 234\""), "what was typed comes back");
        let api = format!("/api/v1/owes/OWES-PN/reports/{quarter}");
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(&app, TestRequest::get().uri(&api).insert_header(("Cookie", cookie.clone())).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "nothing was stored");
        // Saved as a draft, then changed by a second session while the first still has it open.
        let (status, to) = post(fields(&csrf, 0, "save", "3", "2"), cookie.clone()).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("{form_uri}?saved=draft").as_str()));
        let (other, _) = signed_in_again(&db, "owes-pn").await;
        let other_csrf = json(&db, "/api/v1/me", &other).await["csrf_token"].as_str().unwrap().to_owned();
        let (status, _) = post(fields(&other_csrf, 1, "save", "7", "2"), other.clone()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, page) = post(fields(&csrf, 1, "submit", "5", "2"), cookie.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("id=\"conflict\""), "{page}");
        assert!(page.contains("data-theirs=\"jobs_created\" data-value=\"7\""), "what is stored now is shown");
        assert!(page.contains("name=\"values[jobs_created]\" value=\"5\""), "what was typed is kept");
        assert!(page.contains("name=\"revision\" value=\"2\""), "saving again is a choice made knowingly");
        let stored = json(&db, &api, &cookie).await;
        assert_eq!((stored["values"]["jobs_created"].as_i64(), stored["status"].as_str()), (Some(7), Some("draft")), "nothing overwritten");
        // Saving again at the revision seen: submitted.
        let (status, to) = post(fields(&csrf, 2, "submit", "5", "2"), cookie.clone()).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("{form_uri}?saved=submitted").as_str()));
        let stored = json(&db, &api, &cookie).await;
        assert_eq!((stored["values"]["jobs_created"].as_i64(), stored["status"].as_str()), (Some(5), Some("submitted")));
        // A submitted report is read-only, and says why.
        let (_, page) = get(&db, &form_uri, Some(&cookie)).await;
        assert!(page.contains("id=\"locked\"") && page.contains("czeka na sprawdzenie"), "{page}");
        assert!(page.contains("disabled") && !page.contains("value=\"submit\""));
        // Another OWES's form is not theirs.
        let (status, _) = get(&db, &format!("/owes/OWES-OP/reports/{quarter}"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn an_analyst_returns_one_report_with_a_reason_and_approves_others_from_the_queue(db) {
        let (cookie, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let (status, page) = get(&db, "/review", Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        let waiting = tags(&page, "data-report", &["data-report"]);
        let submitted: Vec<String> = ["owes", "gmina"]
            .iter()
            .flat_map(|s| {
                let mut conn = db.conn();
                rops_store::reports::list(&mut conn, rops_domain::indicator::Stream::parse(s).unwrap(), &rops_store::reports::ReportFilter {
                    status: Some(rops_domain::report::ReportStatus::Submitted),
                    ..Default::default()
                }).unwrap()
            })
            .map(|r| format!("{}|{}|{}|{}", r.stream.as_str(), r.unit, r.period, r.revision))
            .collect();
        assert!(submitted.len() >= 3, "{submitted:?}");
        let mut listed: Vec<String> = waiting.into_iter().map(|w| w[0].clone()).collect();
        listed.sort();
        let mut want = submitted.clone();
        want.sort();
        assert_eq!(listed, want, "every submitted report waits in the queue");
        let post = |uri: String, fields: Vec<(String, String)>| {
            let (db, cookie) = (&db, cookie.clone());
            async move { post_form(db, &uri, &cookie, fields).await }
        };
        let parts = |r: &str| r.split('|').map(str::to_owned).collect::<Vec<_>>();
        // Return the first with a reason (none at first: refused, beside the field).
        let first = parts(&submitted[0]);
        let uri = format!("/review/{}/{}/{}", first[0], first[1], first[2]);
        let (status, page) = get(&db, &uri, Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Poprzedni okres"));
        let decision = |action: &str, reason: &str, revision: &str| vec![
            ("csrf_token".to_owned(), csrf.clone()), ("action".to_owned(), action.to_owned()),
            ("reason".to_owned(), reason.to_owned()), ("revision".to_owned(), revision.to_owned()),
        ];
        let (status, page) = post(uri.clone(), decision("return", "  ", &first[3])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"reason-error\"") && page.contains("aria-describedby=\"reason-error\""), "{page}");
        let (status, to) = post(uri.clone(), decision("return", "Liczba miejsc pracy nie zgadza się z umowami", &first[3])).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/review?done=returned"));
        let mut conn = db.conn();
        let key = rops_store::reports::ReportKey {
            stream: rops_domain::indicator::Stream::parse(&first[0]).unwrap(),
            unit: first[1].clone(),
            period: rops_domain::report::ReportPeriod::parse(rops_domain::indicator::Stream::parse(&first[0]).unwrap(), &first[2]).unwrap(),
        };
        let stored = rops_store::reports::get(&mut conn, &key).unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.status, rops_domain::report::ReportStatus::Returned);
        assert_eq!(stored.return_reason.as_deref(), Some("Liczba miejsc pracy nie zgadza się z umowami"));
        assert_eq!(stored.updated_by, "analityk", "recorded under the analyst's login");
        // Deciding again at the old revision: nothing changes, and the page says why.
        let (status, _) = post(uri.clone(), decision("approve", "", &first[3])).await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Approve two at once; one of them at a revision that is no longer current.
        let second = submitted[1].clone();
        let mut stale = parts(&submitted[2]);
        stale[3] = "1".into();
        let fields = vec![("csrf_token".to_owned(), csrf.clone()), ("report".to_owned(), second), ("report".to_owned(), stale.join("|"))];
        let (status, to) = post("/review".into(), fields).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/review?approved=1&skipped=1"));
        let (_, page) = get(&db, &to, Some(&cookie)).await;
        assert!(page.contains("Zatwierdzono sprawozdania: 1. Pominięto 1"), "{page}");
        assert_eq!(tags(&page, "data-report", &["data-report"]).len(), submitted.len() - 2);
        // Without the session's token nothing is decided; other roles may not review.
        let (status, _) = post("/review".into(), vec![("report".to_owned(), submitted[2].clone())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (owes, _) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        let (status, _) = get(&db, "/review", Some(&owes)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn a_gmina_official_adopts_an_lpres_and_files_the_annual_report_with_its_results(db) {
        with_demo(&db);
        let teryt = {
            let mut conn = db.conn();
            let filed: Vec<String> = rops_store::reports::list(&mut conn, Stream::Gmina, &Default::default()).unwrap().into_iter().map(|r| r.unit).collect();
            rops_store::queries::gminas(&mut conn, Some("16"), None).unwrap().into_iter().map(|g| g.teryt).find(|t| !filed.contains(t)).unwrap()
        };
        let (cookie, landing) = signed_in(&db, "gmina", Role::Gmina, Some(&teryt)).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let (_, page) = get(&db, &landing, Some(&cookie)).await;
        assert!(page.contains("action=\"/gminas/") && page.contains("Zapisz status LPRES"), "{page}");
        let revision = json(&db, &format!("/api/v1/gminas/{teryt}/lpres"), &cookie).await["revision"].as_i64().unwrap().to_string();
        let post = |uri: String, fields: Vec<(&str, String)>| {
            let (db, cookie) = (&db, cookie.clone());
            let fields: Vec<(String, String)> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            async move { post_form(db, &uri, &cookie, fields).await }
        };
        let lpres = format!("/gminas/{teryt}/lpres");
        // Adopted without a resolution number: refused beside the field, the rest kept.
        let mut fields = vec![
            ("csrf_token", csrf.clone()), ("revision", revision.clone()), ("status", "adopted".to_owned()),
            ("resolution_number", String::new()), ("adopted_on", "2025-03-20".to_owned()),
            ("plan_from", "2025".to_owned()), ("plan_to", "2030".to_owned()), ("document_url", String::new()),
        ];
        let (status, page) = post(lpres.clone(), fields.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("id=\"lpres-resolution_number-error\">przyjęty plan wymaga numeru uchwały rady"), "{page}");
        assert!(page.contains("value=\"2025-03-20\"") && page.contains("id=\"status-adopted\" name=\"status\" value=\"adopted\" checked"), "{page}");
        fields[3].1 = "XII/98/2025".to_owned();
        let (status, to) = post(lpres.clone(), fields.clone()).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("/gminas/{teryt}?saved=lpres#lpres").as_str()));
        let now = json(&db, &format!("/api/v1/gminas/{teryt}/lpres"), &cookie).await;
        assert_eq!((now["status"].as_str(), now["resolution_number"].as_str(), now["plan_to"].as_i64()), (Some("adopted"), Some("XII/98/2025"), Some(2030)));
        // The same form again, at the old revision: a conflict, nothing changed.
        let (status, page) = post(lpres.clone(), fields.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(page.contains("id=\"lpres-conflict\""));
        // The annual report: money the Polish way, the results checklist.
        let year = chrono::Datelike::year(&chrono::Utc::now()) - 1;
        let uri = format!("/gminas/{teryt}/reports/{year}");
        let (status, page) = get(&db, &uri, Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("id=\"r-A1\" name=\"results\" value=\"A1\""), "{page}");
        let catalogue: Vec<String> = {
            let mut conn = db.conn();
            rops_store::reports::catalogue(&mut conn, Stream::Gmina).unwrap().into_iter()
                .filter(|i| i.kind != rops_domain::indicator::IndicatorKind::Ratio).map(|i| i.code.to_string()).collect()
        };
        let mut report: Vec<(&str, String)> = vec![("csrf_token", csrf.clone()), ("revision", "0".into()), ("action", "submit".into())];
        let names: Vec<String> = catalogue.iter().map(|c| format!("values[{c}]")).collect();
        for (code, name) in catalogue.iter().zip(&names) {
            let value = match code.as_str() {
                "procurement_value_pln" => "1 234 567,89",
                "sr_procurement_value_pln" => "234 567,80",
                c if c.ends_with("_pln") => "1 000,00",
                _ => "2",
            };
            report.push((name.as_str(), value.to_owned()));
        }
        report.push(("results", "A1".into()));
        report.push(("results", "C3".into()));
        let (status, to) = post(uri.clone(), report).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("{uri}?saved=submitted").as_str()));
        let filed = json(&db, &format!("/api/v1/gminas/{teryt}/reports/{year}"), &cookie).await;
        assert_eq!(filed["status"], "submitted");
        assert_eq!(filed["values"]["procurement_value_pln"].as_f64(), Some(1_234_567.89));
        assert_eq!(filed["results"], serde_json::json!(["A1", "C3"]));
    }

    async fn an_unusual_value_is_confirmed_before_submitting_and_shown_to_the_analyst(db) {
        let (cookie, _) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let quarter = rops_domain::period::Quarter::containing(chrono::Utc::now().date_naive()).to_string();
        let uri = format!("/owes/OWES-PN/reports/{quarter}");
        // The unit's last reported quarters, as the rule reads them.
        let history: Vec<i64> = {
            let mut conn = db.conn();
            let key = rops_store::reports::ReportKey {
                stream: Stream::Owes,
                unit: "OWES-PN".into(),
                period: rops_domain::report::ReportPeriod::parse(Stream::Owes, &quarter).unwrap(),
            };
            rops_store::reports::history(&mut conn, &key, 4).unwrap().iter()
                .map(|v| v["jobs_created"].map(|a| a.whole()).unwrap_or(0)).collect()
        };
        assert_eq!(history.len(), 4, "the demo OWES has four reported quarters before this one");
        let high = (history.iter().max().unwrap() * 3 + 10).to_string();
        let post = |fields: Vec<(String, String)>| {
            let (db, cookie, uri) = (&db, cookie.clone(), uri.clone());
            async move { post_form(db, &uri, &cookie, fields).await }
        };
        let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), csrf.clone()), ("revision".into(), "0".into()), ("action".into(), "submit".into())];
        let catalogue: Vec<String> = {
            let mut conn = db.conn();
            rops_store::reports::catalogue(&mut conn, Stream::Owes).unwrap().into_iter().map(|i| i.code.to_string()).collect()
        };
        // Each other value the lower middle of its last four: never unusual.
        let past: Vec<rops_domain::values::Values> = {
            let mut conn = db.conn();
            let key = rops_store::reports::ReportKey {
                stream: Stream::Owes,
                unit: "OWES-PN".into(),
                period: rops_domain::report::ReportPeriod::parse(Stream::Owes, &quarter).unwrap(),
            };
            rops_store::reports::history(&mut conn, &key, 4).unwrap()
        };
        for code in &catalogue {
            let v = if code == "jobs_created" {
                high.clone()
            } else {
                let mut seen: Vec<i64> = past.iter().map(|v| v.get(code).copied().flatten().map_or(0, |a| a.whole())).collect();
                seen.sort_unstable();
                seen[1].to_string()
            };
            fields.push((format!("values[{code}]"), v));
        }
        let (status, page) = post(fields.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("data-warning=\"jobs_created\""), "{page}");
        assert!(page.contains("id=\"confirm_warnings\""));
        assert!(page.contains(&format!("name=\"values[jobs_created]\" value=\"{high}\"")), "what was typed is kept");
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(&app, TestRequest::get().uri(&format!("/api/v1/owes/OWES-PN/reports/{quarter}")).insert_header(("Cookie", cookie.clone())).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "unconfirmed, nothing is kept");
        fields.push(("confirm_warnings".into(), "true".into()));
        let (status, to) = post(fields).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, format!("{uri}?saved=submitted").as_str()));
        // The analyst sees what was confirmed.
        let (analyst, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let (status, page) = get(&db, &format!("/review/owes/OWES-PN/{quarter}"), Some(&analyst)).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"confirmed-warnings\"") && page.contains("<li data-warning=\"jobs_created\">"), "{page}");
        assert_eq!(page.matches("data-warning=").count(), 1, "only the unusual value: {page}");
    }

    async fn an_owes_official_previews_an_xlsx_and_confirms_it(db) {
        let (cookie, _) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let quarter = rops_domain::period::Quarter::containing(chrono::Utc::now().date_naive()).to_string();
        let workbook = |jobs: f64| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in ["period", "indicator", "value"].iter().enumerate() {
                sheet.write_string(0, c as u16, *h).unwrap();
            }
            sheet.write_string(1, 0, &quarter).unwrap();
            sheet.write_string(1, 1, "jobs_created").unwrap();
            sheet.write_number(1, 2, jobs).unwrap();
            book.save_to_buffer().unwrap()
        };
        let multipart = |fields: Vec<(&str, Vec<u8>, Option<&str>)>| {
            let boundary = "----rops-test-boundary";
            let mut body = Vec::new();
            for (name, value, file) in fields {
                body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                match file {
                    Some(f) => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes()),
                    None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
                }
                body.extend_from_slice(&value);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            (format!("multipart/form-data; boundary={boundary}"), body)
        };
        let send = |fields: Vec<(&str, Vec<u8>, Option<&str>)>| {
            let (content_type, body) = multipart(fields);
            let db = &db;
            let cookie = cookie.clone();
            async move {
                let app = test::init_service(crate::app::build(state_for(db))).await;
                let res = test::call_service(&app, TestRequest::post().uri("/owes/OWES-PN/reports/upload")
                    .insert_header(("Cookie", cookie)).insert_header(("Content-Type", content_type)).set_payload(body).to_request()).await;
                let status = res.status();
                let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
                let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
                (status, location.unwrap_or(body))
            }
        };
        let (status, page) = get(&db, "/owes/OWES-PN/reports/upload", Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("enctype=\"multipart/form-data\""));
        // A row with a negative value: its problem named by row and column, nothing stored.
        let (status, page) = send(vec![("csrf_token", csrf.clone().into_bytes(), None), ("action", b"preview".to_vec(), None), ("file", workbook(-1.0), Some("q.xlsx"))]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("wiersz 2, kolumna value") && page.contains("-1 jest ujemne"), "{page}");
        // A good file: what would change, and still nothing stored.
        let (status, page) = send(vec![("csrf_token", csrf.clone().into_bytes(), None), ("action", b"preview".to_vec(), None), ("file", workbook(4.0), Some("q.xlsx"))]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains(&format!("data-period=\"{quarter}\" data-outcome=\"created\"")), "{page}");
        let api = format!("/api/v1/owes/OWES-PN/reports/{quarter}");
        let app = test::init_service(crate::app::build(state_for(&db))).await;
        let res = test::call_service(&app, TestRequest::get().uri(&api).insert_header(("Cookie", cookie.clone())).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "a preview stores nothing");
        let data = page.split("name=\"file_data\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        // Confirmed: stored as the API's import stores it.
        let (status, to) = send(vec![("csrf_token", csrf.clone().into_bytes(), None), ("action", b"confirm".to_vec(), None), ("file_name", b"q.xlsx".to_vec(), None), ("file_data", data.into_bytes(), None)]).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/owes/OWES-PN/reports?imported=1"));
        let stored = json(&db, &api, &cookie).await;
        assert_eq!((stored["values"]["jobs_created"].as_i64(), stored["status"].as_str()), (Some(4), Some("draft")));
        // Without the session's token, nothing.
        let (status, _) = send(vec![("csrf_token", b"forged".to_vec(), None), ("action", b"preview".to_vec(), None), ("file", workbook(4.0), Some("q.xlsx"))]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn an_analyst_adds_changes_and_withdraws_an_event_of_the_register(db) {
        let (cookie, _) = signed_in(&db, "analityk", Role::Analyst, None).await;
        let csrf = json(&db, "/api/v1/me", &cookie).await["csrf_token"].as_str().unwrap().to_owned();
        let post = |uri: String, fields: Vec<(&str, String)>| {
            let (db, cookie) = (&db, cookie.clone());
            let fields: Vec<(String, String)> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            async move { post_form(db, &uri, &cookie, fields).await }
        };
        let (status, page) = get(&db, "/regions/16/events/new", Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        let event = |date: &str, title: &str, revision: i32| vec![
            ("csrf_token", csrf.clone()), ("revision", revision.to_string()), ("type", "business_meeting".to_owned()),
            ("date", date.to_owned()), ("subregion", "OPL-PN".to_owned()), ("title", title.to_owned()),
            ("participants", "12".to_owned()), ("evidence_url", String::new()), ("action", "save".to_owned()),
        ];
        let (status, page) = post("/regions/16/events".into(), event("2999-01-01", "Spotkanie w Kluczborku", 0)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"event-date-error\">2999-01-01 to data z przyszłości"), "{page}");
        assert!(page.contains("value=\"Spotkanie w Kluczborku\""), "what was typed comes back");
        let (status, to) = post("/regions/16/events".into(), event("2025-05-14", "Spotkanie w Kluczborku", 0)).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/regions/16/events?saved=created"));
        let (_, page) = get(&db, "/regions/16/events?year=2025", Some(&cookie)).await;
        let id = page.split("data-event=\"").skip(1).find(|rest| rest.contains("Spotkanie w Kluczborku")).unwrap().split('"').next().unwrap().to_owned();
        let stored = json(&db, &format!("/api/v1/events/{id}"), &cookie).await;
        assert_eq!((stored["title"].as_str(), stored["updated_by"].as_str(), stored["revision"].as_i64()), (Some("Spotkanie w Kluczborku"), Some("analityk"), Some(1)));
        // Changed, then changed again from the old revision: a conflict, nothing overwritten.
        let (status, _) = post(format!("/events/{id}"), event("2025-05-14", "Spotkanie PES z biznesem", 1)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, page) = post(format!("/events/{id}"), event("2025-05-14", "Inny tytuł", 1)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(page.contains("id=\"event-conflict\"") && page.contains("value=\"Inny tytuł\""));
        assert_eq!(json(&db, &format!("/api/v1/events/{id}"), &cookie).await["title"], "Spotkanie PES z biznesem");
        // Withdrawn only when confirmed.
        let withdraw = |confirm: bool| {
            let mut f = vec![("csrf_token", csrf.clone()), ("revision", "2".to_owned()), ("action", "withdraw".to_owned())];
            if confirm { f.push(("confirm", "true".to_owned())); }
            f
        };
        let (status, _) = post(format!("/events/{id}"), withdraw(false)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, to) = post(format!("/events/{id}"), withdraw(true)).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/regions/16/events?saved=withdrawn"));
        assert!(json(&db, &format!("/api/v1/events/{id}"), &cookie).await["withdrawn_at"].is_string());
        let (_, page) = get(&db, "/regions/16/events?year=2025", Some(&cookie)).await;
        assert!(!page.contains(&id), "a withdrawn event leaves the register's list");
        // Only its keepers.
        let (owes, _) = signed_in(&db, "owes-pn", Role::Owes, Some("OWES-PN")).await;
        let (status, _) = get(&db, "/regions/16/events", Some(&owes)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
