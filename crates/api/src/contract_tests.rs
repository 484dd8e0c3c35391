//! The contract as generated clients and browsers use it: what the OpenAPI document says
//! about bodies, files, parameters and errors, and HEAD, `Allow` and CORS on the wire.

use crate::cors::Cors;
use crate::tests::{assert_problem, bearer, call, state_for};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use rops_domain::role::Role;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use serde_json::{json, Value};

fn doc() -> Value {
    serde_json::from_str(&crate::openapi::document_json()).unwrap()
}

/// A schema with its `$ref` followed (once per level).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op));
        }
    }
    out
}

fn param<'a>(op: &'a Value, name: &str) -> &'a Value {
    op["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or(&Value::Null)
}

/// Properties that hold words people write (names, titles, notes, who did it, links): the
/// only strings of the document without an enum, a pattern or a format.
const FREE_TEXT: &[&str] = &[
    "name",
    "name_pl",
    "verification_pl",
    "powiat_name",
    "title",
    "note",
    "detail",
    "type",
    "field",
    "message",
    "return_reason",
    "recorded_by",
    "updated_by",
    "resolution_number",
    "evidence_url",
    "document_url",
    "source",
];

/// Every string property of the document, with the path that leads to it.
fn strings<'a>(at: String, schema: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                let is_string =
                    value["type"] == "string" || value["type"] == json!(["string", "null"]);
                if is_string {
                    out.push((format!("{at}/{key}"), value));
                }
                strings(format!("{at}/{key}"), value, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(format!("{at}[{i}]"), item, out);
            }
        }
        _ => {}
    }
}

// Issue 11: every code, period, status and kind has its enum or pattern (from the domain
// types); a string without one is free text, by name.
#[test]
fn every_string_but_free_text_has_an_enum_a_pattern_or_a_format() {
    let doc = doc();
    let mut found = Vec::new();
    strings(String::new(), &doc["components"]["schemas"], &mut found);
    for (_, _, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["schema"]["type"] == "string" {
                found.push((format!("parameter {}", p["name"]), &p["schema"]));
            }
        }
    }
    assert!(
        found.len() > 50,
        "the walk finds the strings: {}",
        found.len()
    );
    let bare: Vec<&String> = found
        .iter()
        .filter(|(_, s)| {
            !["enum", "pattern", "format", "$ref", "const"]
                .iter()
                .any(|k| s.get(*k).is_some())
        })
        .map(|(at, _)| at)
        .filter(|at| {
            let last = at.rsplit('/').next().unwrap_or_default();
            !FREE_TEXT.contains(&last) && at.as_str() != "/CsvText"
        })
        .collect();
    assert!(
        bare.is_empty(),
        "strings without enum, pattern or format: {bare:?}"
    );
}

// Before: `oneOf [null, TransitionBody]` on every transition, which generated clients cannot
// send, and `return` did not say its reason is required.
#[test]
fn transition_bodies_are_optional_objects_and_return_requires_its_reason() {
    let doc = doc();
    for unit in [
        "/api/v1/owes/{code}/reports/{period}",
        "/api/v1/gminas/{teryt}/reports/{year}",
    ] {
        for transition in ["submit", "approve", "reopen", "return"] {
            let path = format!("{unit}/{transition}");
            let body = &doc["paths"][&path]["post"]["requestBody"];
            let schema = &body["content"]["application/json"]["schema"];
            assert!(
                schema["oneOf"].is_null() && schema["$ref"].is_string(),
                "{path}: {schema}"
            );
            let object = resolve(&doc, schema);
            assert_eq!(object["type"], "object", "{path}");
            if transition == "return" {
                assert_eq!(body["required"], true, "{path}");
                assert_eq!(object["required"], json!(["reason"]), "{path}");
                assert_eq!(object["properties"]["reason"]["type"], "string", "{path}");
                assert_eq!(object["properties"]["reason"]["minLength"], 1, "{path}");
            } else {
                assert_ne!(body["required"], true, "{path}: the body is optional");
                assert!(object["required"].is_null(), "{path}");
            }
        }
    }
    // Nothing anywhere is offered as null where it is only optional.
    for (method, path, op) in operations(&doc) {
        if let Some(content) = op["requestBody"]["content"].as_object() {
            for (media, c) in content {
                assert!(c["schema"]["oneOf"].is_null(), "{method} {path} {media}");
            }
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            let schema = &p["schema"];
            assert!(
                schema["oneOf"].is_null() && !schema["type"].is_array(),
                "{method} {path} {}: {schema}",
                p["name"]
            );
        }
    }
}

// Before: XLSX as an array of integers, so generators parsed the bytes as JSON numbers.
#[test]
fn files_are_strings_and_years_are_integers() {
    let doc = doc();
    let xlsx = crate::export::XLSX;
    let is_binary = |s: &Value| {
        let s = resolve(&doc, s);
        s["type"] == "string" && s["format"] == "binary"
    };
    let is_text = |s: &Value| {
        let s = resolve(&doc, s);
        s["type"] == "string" && s["format"].is_null()
    };
    for scope in ["regions", "subregions", "owes"] {
        let base = format!("/api/v1/rollups/{scope}/{{code}}");
        let content = &doc["paths"][&base]["get"]["responses"]["200"]["content"];
        assert!(is_text(&content["text/csv"]["schema"]), "{base}");
        assert!(is_binary(&content[xlsx]["schema"]), "{base}");
        assert!(content["application/json"]["schema"]["$ref"].is_string());
        // One representation each, for generators that read one per status.
        let csv = &doc["paths"][format!("{base}/csv")]["get"]["responses"]["200"]["content"];
        assert_eq!(csv.as_object().unwrap().len(), 1);
        assert!(is_text(&csv["text/csv"]["schema"]), "{base}/csv");
        let sheet = &doc["paths"][format!("{base}/xlsx")]["get"]["responses"]["200"]["content"];
        assert_eq!(sheet.as_object().unwrap().len(), 1);
        assert!(is_binary(&sheet[xlsx]["schema"]), "{base}/xlsx");
    }
    let template =
        &doc["paths"]["/api/v1/owes/{code}/reports/template"]["get"]["responses"]["200"]["content"];
    assert!(is_text(&template["text/csv"]["schema"]));
    assert!(is_binary(&template[xlsx]["schema"]));
    let import = &doc["paths"]["/api/v1/owes/{code}/reports/import"]["post"]["requestBody"];
    assert_eq!(import["required"], true);
    assert!(is_text(&import["content"]["text/csv"]["schema"]));
    assert!(is_binary(&import["content"][xlsx]["schema"]));

    let mut years = 0;
    for (method, path, op) in operations(&doc) {
        let year = param(op, "year");
        if year.is_null() {
            continue;
        }
        years += 1;
        let schema = resolve(&doc, &year["schema"]);
        assert_eq!(schema["type"], "integer", "{method} {path}");
        assert_eq!(
            (schema["minimum"].as_i64(), schema["maximum"].as_i64()),
            (Some(1900), Some(9999)),
            "{method} {path}"
        );
    }
    assert_eq!(
        years,
        9 + 7 + 7,
        "every rollup and every gmina and entity report operation"
    );
}

// Before: Swagger UI's "Try it out" prefilled `year` beside `from` and `to` (refused) and a
// fixed `as_of` long past.
#[test]
fn swagger_prefills_no_values_that_conflict() {
    let doc = doc();
    let prefilled = |op: &Value, name: &str| {
        let p = param(op, name);
        !p["example"].is_null()
            || !p["examples"].is_null()
            || !resolve(&doc, &p["schema"])["examples"].is_null()
            || !resolve(&doc, &p["schema"])["default"].is_null()
    };
    let mut rollups = 0;
    for (method, path, op) in operations(&doc) {
        if !path.starts_with("/api/v1/rollups/") {
            continue;
        }
        rollups += 1;
        let window = prefilled(op, "from") || prefilled(op, "to");
        assert!(
            !(window && prefilled(op, "year")),
            "{method} {path} prefills year and from/to"
        );
        assert!(!prefilled(op, "as_of"), "{method} {path} prefills as_of");
    }
    assert_eq!(rollups, 9);
}

/// What a parameter schema allows, checked: a pattern, an enum, a bounded integer, a
/// boolean, a date or date-time, or a choice of those.
fn constrained(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    if let Some(any) = s["anyOf"].as_array().or(s["oneOf"].as_array()) {
        return any.iter().all(|b| constrained(doc, b));
    }
    match s["type"].as_str() {
        Some("string") => {
            s["pattern"].is_string()
                || s["enum"].is_array()
                || matches!(s["format"].as_str(), Some("date" | "date-time"))
        }
        Some("integer") => s["minimum"].is_number() && s["maximum"].is_number(),
        Some("boolean") => true,
        _ => false,
    }
}

// Before: every code, period, status and format was `type: string`, and `year` a string.
#[test]
fn every_path_and_query_parameter_says_what_it_accepts() {
    let doc = doc();
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                constrained(&doc, &p["schema"]),
                "{method} {path} {}: {}",
                p["name"],
                p["schema"]
            );
        }
    }
    let schema = |path: &str, method: &str, name: &str| {
        resolve(&doc, &param(&doc["paths"][path][method], name)["schema"]).clone()
    };
    let report = "/api/v1/owes/{code}/reports/{period}";
    assert_eq!(
        schema(report, "get", "period")["pattern"],
        rops_domain::period::Quarter::PATTERN
    );
    assert_eq!(
        schema(report, "get", "code")["pattern"],
        rops_domain::code::OwesCode::PATTERN
    );
    assert_eq!(
        schema("/api/v1/gminas/{teryt}", "get", "teryt")["pattern"],
        "^[0-9]{6}[1-3]$"
    );
    assert_eq!(
        schema("/api/v1/regions/{code}", "get", "code")["pattern"],
        "^[0-9]{2}$"
    );
    assert_eq!(
        schema("/api/v1/reports", "get", "status")["enum"],
        json!(["draft", "submitted", "approved", "returned"])
    );
    assert_eq!(
        schema("/api/v1/reports", "get", "subregion")["pattern"],
        rops_domain::code::SubregionCode::PATTERN
    );
    let rollup = "/api/v1/rollups/regions/{code}";
    assert_eq!(
        schema(rollup, "get", "format")["enum"],
        json!(["json", "csv", "xlsx"])
    );
    assert_eq!(schema(rollup, "get", "approved_only")["type"], "boolean");
    assert_eq!(schema(rollup, "get", "as_of")["format"], "date-time");
    assert_eq!(
        schema("/api/v1/owes/{code}/reports/template", "get", "format")["enum"],
        json!(["csv", "xlsx"])
    );
    let sample = rops_store::reference::parse(rops_store::reference::SAMPLE_REGION).unwrap();
    let types: Vec<String> = sample
        .event_types
        .iter()
        .map(|e| e.code.to_string())
        .collect();
    assert_eq!(
        schema("/api/v1/regions/{code}/events", "get", "type")["enum"],
        json!(types)
    );
    // The LPRES statuses and codes in bodies and answers, from the same types.
    let lpres = resolve(
        &doc,
        &doc["components"]["schemas"]["LpresPut"]["properties"]["status"],
    );
    assert_eq!(
        lpres["enum"],
        json!(["none", "in_preparation", "draft", "adopted", "repealed"])
    );
    let view = &doc["components"]["schemas"]["OwesReportView"]["properties"];
    assert_eq!(resolve(&doc, &view["status"])["enum"][0], "draft");
    assert_eq!(
        resolve(&doc, &view["period"])["pattern"],
        rops_domain::period::Quarter::PATTERN
    );
    let event = &doc["components"]["schemas"]["EventPut"]["properties"];
    assert_eq!(resolve(&doc, &event["type"])["enum"], json!(types));
    // Every reference resolves.
    let text = doc.to_string();
    for name in text.split("#/components/schemas/").skip(1) {
        let name = name.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "#/components/schemas/{name} is missing"
        );
    }
}

// Before: every problem response showed the schema's one example, status 422.
#[test]
fn every_error_example_carries_its_own_status() {
    let doc = doc();
    let mut seen = 0;
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            let Some(content) = response["content"].get(crate::error::PROBLEM_JSON) else {
                continue;
            };
            seen += 1;
            let example = &content["example"];
            assert_eq!(
                example["status"].as_u64(),
                status.parse::<u64>().ok(),
                "{method} {path} {status}: {example}"
            );
            assert!(example["title"].is_string() && example["detail"].is_string());
        }
    }
    assert!(seen > 100, "{seen}");
    let problem = &doc["components"]["schemas"]["Problem"]["properties"]["status"];
    assert!(problem["example"].is_null(), "{problem}");
}

backend_tests! {
    // Before: HEAD got 405 wherever GET worked, and no 405 said what the path allows.
    async fn head_works_wherever_get_does_and_405_says_what_is_allowed(db) {
        let db = db.with_sample();
        let state = state_for(&db);
        let app = test::init_service(crate::app::build(state)).await;
        for uri in ["/api/v1/regions/16", "/healthz", "/api/v1/rollups/regions/16/csv?year=2024", "/api-docs/openapi.json"] {
            let get = test::call_service(&app, TestRequest::get().uri(uri).insert_header(bearer(Role::Analyst, None)).to_request()).await;
            let head = test::call_service(&app, TestRequest::default().method(actix_web::http::Method::HEAD).uri(uri).insert_header(bearer(Role::Analyst, None)).to_request()).await;
            assert_eq!(head.status(), StatusCode::OK, "HEAD {uri}");
            assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "{uri}");
            let size = actix_web::body::MessageBody::size(head.response().body());
            let body = test::read_body(head).await;
            assert!(body.is_empty(), "HEAD {uri} sent a body");
            let get_body = test::read_body(get).await;
            assert_eq!(size, actix_web::body::BodySize::Sized(get_body.len() as u64), "HEAD {uri} tells the GET's length");
        }
        let cases = [
            ("DELETE", "/api/v1/regions/16", "GET, HEAD"),
            ("POST", "/api/v1/owes/OWES-PN", "GET, HEAD, PUT"),
            ("GET", "/api/v1/owes/OWES-PN/reports/2024-Q1/submit", "POST"),
            ("HEAD", "/api/v1/owes/OWES-PN/reports/2024-Q1/approve", "POST"),
            ("PUT", "/api/v1/owes/OWES-PN/reports/import", "POST"),
            ("GET", "/api/v1/owes/OWES-PN/reports/import", "POST"),
            ("PUT", "/api/v1/owes/OWES-PN/reports/template", "GET, HEAD"),
            ("PUT", "/api/v1/gminas/1604023/reports/import", "POST"),
            ("PUT", "/api/v1/gminas/1604023/reports/template", "GET, HEAD"),
            ("PUT", "/api/v1/entities/CIS-KLUCZBORK/reports/import", "POST"),
            ("GET", "/api/v1/entities/CIS-KLUCZBORK/reports/import", "POST"),
            ("TRACE", "/api/v1/events/0123456789abcdef", "GET, HEAD, PUT, DELETE"),
            ("OPTIONS", "/api/v1/rollups/owes/OWES-PN/xlsx", "GET, HEAD"),
        ];
        for (method, uri, allow) in cases {
            let req = TestRequest::default()
                .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
                .uri(uri)
                .insert_header(bearer(Role::Admin, None))
                .to_request();
            let res = test::call_service(&app, req).await;
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert_eq!(res.headers().get("allow").and_then(|v| v.to_str().ok()), Some(allow), "{method} {uri}");
            assert_eq!(res.headers().get("content-type").unwrap(), crate::error::PROBLEM_JSON);
        }
    }

    // Before: `null` was taken for no body, an empty If-Match for none, `23.0` participants
    // refused, and an unknown event type listed nothing instead of saying so.
    async fn what_the_document_offers_is_what_the_server_takes(db) {
        let db = db.with_sample();
        let admin = || bearer(Role::Admin, None);
        let put = TestRequest::put().uri("/api/v1/owes/OWES-PN/reports/2024-Q1").insert_header(admin())
            .set_json(json!({"values": {"jobs_created": 1, "ps_jobs_created_with_grants": 1, "initiative_groups_created": 0, "enterprises_created": 0, "local_partnerships_created": 0, "procurement_procedures_supported": 0, "animators_employed": 0, "joint_projects": 0, "vocational_training_participants": 0, "reintegration_plans": 0}}));
        assert_eq!(call(&db, put).await.0, StatusCode::CREATED);
        let submit = || TestRequest::post().uri("/api/v1/owes/OWES-PN/reports/2024-Q1/submit").insert_header(admin());
        let (status, ct, body) = call(&db, submit().insert_header(("content-type", "application/json")).set_payload("null")).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, ct, body) = call(&db, submit().insert_header(("If-Match", ""))).await;
        assert_problem(status, &ct, &body, StatusCode::BAD_REQUEST);
        let (status, _, body) = call(&db, submit()).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("submitted")), "no body at all: {body}");
        let (status, _, body) = call(&db, TestRequest::post().uri("/api/v1/owes/OWES-PN/reports/2024-Q1/return").insert_header(admin()).set_json(json!({"reason": "Popraw"}))).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("returned")), "{body}");

        let event = json!({"type": "business_meeting", "date": "2024-05-14", "subregion": "OPL-PN", "title": "Spotkanie", "participants": 23.0, "evidence_url": ""});
        let (status, _, body) = call(&db, TestRequest::post().uri("/api/v1/regions/16/events").insert_header(admin()).set_json(&event)).await;
        assert_eq!((status, body["participants"].as_i64()), (StatusCode::CREATED, Some(23)), "{body}");
        let mut half = event.clone();
        half["participants"] = json!(23.5);
        let (status, ct, body) = call(&db, TestRequest::post().uri("/api/v1/regions/16/events").insert_header(admin()).set_json(&half)).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, ct, body) = call(&db, TestRequest::get().uri("/api/v1/regions/16/events?type=no_such_type").insert_header(admin())).await;
        assert_problem(status, &ct, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "type");
        let (status, _, body) = call(&db, TestRequest::get().uri("/api/v1/regions/16/events?type=business_meeting").insert_header(admin())).await;
        assert_eq!((status, body.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    }
}

async fn with_cors(db: &TestDb, cors: Cors, req: TestRequest) -> actix_web::dev::ServiceResponse {
    let app = test::init_service(crate::app::build_with(
        state_for(db),
        crate::guard::Limits::default(),
        cors,
    ))
    .await;
    test::call_service(&app, req.to_request())
        .await
        .map_into_boxed_body()
}

// Before: no way for a dashboard hosted elsewhere to call the API from a browser.
#[actix_web::test]
async fn cors_is_closed_by_default_and_open_to_the_origins_configured() {
    let db = TestDb::sqlite().with_sample();
    let dashboard = "https://dashboard.example.org";
    let read = || {
        TestRequest::get()
            .uri("/api/v1/regions/16")
            .insert_header(bearer(Role::Analyst, None))
            .insert_header(("Origin", dashboard))
    };
    let preflight = || {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/v1/owes/OWES-PN/reports/2024-Q1")
            .insert_header(("Origin", dashboard))
            .insert_header(("Access-Control-Request-Method", "PUT"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization, content-type, if-match",
            ))
    };
    // Closed: no CORS header on anything, a preflight is a plain 405.
    let res = with_cors(&db, Cors::default(), read()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = with_cors(&db, Cors::default(), preflight()).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let open = || Cors::new(vec![dashboard.to_owned()]);
    let res = with_cors(&db, open(), preflight()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    assert_eq!(get("access-control-allow-origin"), dashboard);
    for m in ["GET", "PUT", "POST", "DELETE"] {
        assert!(get("access-control-allow-methods").contains(m), "{m}");
    }
    for header in ["Authorization", "Content-Type", "If-Match"] {
        assert!(
            get("access-control-allow-headers").contains(header),
            "{header}"
        );
    }
    assert!(h.get("access-control-allow-credentials").is_none());

    let res = with_cors(&db, open(), read()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let get = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(get("access-control-allow-origin"), dashboard);
    assert!(get("access-control-expose-headers").contains("ETag"));
    assert!(get("vary").contains("Origin"));

    // Another origin: answered, but not readable by its page.
    let res = with_cors(
        &db,
        open(),
        read().insert_header(("Origin", "https://evil.example.org")),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
