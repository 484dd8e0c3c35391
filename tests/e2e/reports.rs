//! OWES quarterly reports through the real server: lifecycle, revisions, validation, CSV,
//! rights and concurrent writes.

use super::*;

const Q: &str = "/api/v1/owes/OWES-PN/reports/2024-Q3";

fn all_values(jobs: u64) -> Value {
    json!({
        "initiative_groups_created": 1, "enterprises_created": 1, "jobs_created": jobs,
        "ps_jobs_created_with_grants": 1, "local_partnerships_created": 0,
        "procurement_procedures_supported": 0, "animators_employed": 2, "joint_projects": 0,
        "vocational_training_participants": 5, "reintegration_plans": 3
    })
}

struct Tokens {
    owes: String,
    other_owes: String,
    analyst: String,
    gmina: String,
}

impl Tokens {
    fn new(env: &Env) -> Self {
        Self {
            owes: env.token("owes", Some("OWES-PN")),
            other_owes: env.token("owes", Some("OWES-PD")),
            analyst: env.token("analyst", None),
            gmina: env.token("gmina", Some("1604023")),
        }
    }
}

backend_tests! {
    async fn a_report_goes_through_its_lifecycle_and_keeps_every_revision(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;

        let (status, etag, r) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": {"jobs_created": 4}, "note": "szkic"}))).await;
        assert_eq!((status, etag.as_deref(), r["status"].as_str()), (201, Some("\"1\""), Some("draft")), "{r}");
        assert_eq!(r["values"]["jobs_created"], 4);
        assert!(r["values"]["reintegration_plans"].is_null(), "a draft may leave values out");
        for key in ["owes", "period", "revision", "note", "created_at", "updated_at", "updated_by", "submitted_at", "approved_at", "return_reason"] {
            assert!(r.get(key).is_some(), "report lacks {key}: {r}");
        }
        assert!(r["created_at"].as_str().unwrap().ends_with('Z'));

        let (status, etag, r) = s.send(with_etag(s.req(M::PUT, Q, &t.owes), "\"1\"").json(&json!({"values": all_values(4)}))).await;
        assert_eq!((status, etag.as_deref()), (200, Some("\"2\"")), "{r}");
        let (status, _, r) = s.send(with_etag(s.req(M::PUT, Q, &t.owes), "\"1\"").json(&json!({"values": all_values(9)}))).await;
        assert_eq!(status, 412, "a stale If-Match is refused: {r}");
        let (_, _, r) = s.send(s.req(M::GET, Q, &t.owes)).await;
        assert_eq!((r["revision"].as_i64(), r["values"]["jobs_created"].as_i64()), (Some(2), Some(4)), "and changes nothing");

        let (status, _, r) = s.send(with_etag(s.req(M::POST, &format!("{Q}/submit"), &t.owes), "\"2\"")).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("submitted")), "{r}");
        assert!(r["submitted_at"].is_string());
        let (status, _, r) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": all_values(5)}))).await;
        assert_eq!(status, 409, "a submitted report is under review: {r}");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{Q}/approve"), &t.owes)).await;
        assert_eq!(status, 403, "an OWES cannot approve its own report: {r}");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{Q}/return"), &t.analyst)).await;
        assert_eq!((status, r["errors"][0]["field"].as_str()), (422, Some("reason")), "a return needs a reason: {r}");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{Q}/return"), &t.analyst).json(&json!({"reason": "Popraw liczbę miejsc pracy"}))).await;
        assert_eq!((status, r["status"].as_str(), r["return_reason"].as_str()), (200, Some("returned"), Some("Popraw liczbę miejsc pracy")));

        let (status, _, _) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": all_values(6), "note": "poprawione"}))).await;
        assert_eq!(status, 200, "a returned report can be corrected");
        let (status, _, _) = s.send(s.req(M::POST, &format!("{Q}/submit"), &t.owes)).await;
        assert_eq!(status, 200);
        let (status, etag, r) = s.send(s.req(M::POST, &format!("{Q}/approve"), &t.analyst)).await;
        assert_eq!((status, r["status"].as_str(), etag.as_deref()), (200, Some("approved"), Some("\"7\"")), "{r}");
        assert!(r["approved_at"].is_string());

        let (status, _, r) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": all_values(7)}))).await;
        assert_eq!(status, 409, "an approved report is locked: {r}");
        assert!(r["detail"].as_str().unwrap().contains("approved"), "{r}");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{Q}/submit"), &t.owes)).await;
        assert_eq!(status, 409);
        assert!(r["detail"].as_str().unwrap().contains("approved"), "the 409 names the status: {r}");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{Q}/reopen"), &t.analyst).json(&json!({"reason": "Korekta po kontroli"}))).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("returned")), "{r}");
        let (status, etag, r) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": all_values(7)}))).await;
        assert_eq!((status, etag.as_deref(), r["values"]["jobs_created"].as_i64()), (200, Some("\"9\""), Some(7)), "{r}");

        let (status, _, revs) = s.send(s.req(M::GET, &format!("{Q}/revisions"), &t.owes)).await;
        assert_eq!(status, 200);
        let revs = revs.as_array().unwrap();
        let actions: Vec<&str> = revs.iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "submit", "return", "update", "submit", "approve", "reopen", "update"]);
        let jobs: Vec<i64> = revs.iter().map(|r| r["values"]["jobs_created"].as_i64().unwrap()).collect();
        assert_eq!(jobs, [4, 4, 4, 4, 6, 6, 6, 6, 7], "every step keeps its values");
        assert_eq!(revs.iter().map(|r| r["revision"].as_i64().unwrap()).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
        assert_eq!(revs[3]["return_reason"], "Popraw liczbę miejsc pracy");
        assert!(revs.iter().all(|r| r["recorded_by"] == "cli" && r["recorded_at"].is_string()));

        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports?from=2024-Q1&to=2024-Q4&status=returned", &t.owes)).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports?from=2025-Q1", &t.owes)).await;
        assert_eq!(list.as_array().unwrap().len(), 0);
        let (_, _, queue) = s.send(s.req(M::GET, "/api/v1/reports?region=16&subregion=OPL-PN&period=2024-Q3&status=returned", &t.analyst)).await;
        assert_eq!(queue.as_array().unwrap().len(), 1);
        let (_, _, queue) = s.send(s.req(M::GET, "/api/v1/reports?subregion=OPL-PD", &t.analyst)).await;
        assert_eq!(queue.as_array().unwrap().len(), 0);
        let (status, _, _) = s.send(s.req(M::GET, "/api/v1/reports", &t.owes)).await;
        assert_eq!(status, 403, "the queue is for analysts");
        let _ = t.gmina;
        s.stop().await;
    }

    async fn every_validation_case_names_its_field_and_stores_nothing(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        let next_year = chrono_year() + 1;
        let cases: Vec<(String, Value, u16, &str)> = vec![
            (Q.into(), json!({"values": {"nope": 1}}), 422, "values.nope"),
            (Q.into(), json!({"values": {"jobs_created": -1}}), 422, "values.jobs_created"),
            (Q.into(), json!({"values": {"jobs_created": 1.5}}), 422, "values.jobs_created"),
            (Q.into(), json!({"values": {"jobs_created": "4"}}), 422, "values.jobs_created"),
            (Q.into(), json!({"values": {"jobs_created": 2, "ps_jobs_created_with_grants": 3}}), 422, "values.ps_jobs_created_with_grants"),
            ("/api/v1/owes/OWES-PN/reports/2024-Q5".into(), json!({"values": {}}), 422, "period"),
            ("/api/v1/owes/OWES-PN/reports/24Q1".into(), json!({"values": {}}), 422, "period"),
            (format!("/api/v1/owes/OWES-PN/reports/{next_year}-Q1"), json!({"values": {}}), 422, "period"),
            ("/api/v1/owes/OWES-PN/reports/2023-Q2".into(), json!({"values": {}}), 422, "period"),
            (Q.into(), json!({"values": {}, "colour": "red"}), 422, "body"),
            ("/api/v1/owes/OWES-XX/reports/2024-Q3".into(), json!({"values": {}}), 404, ""),
        ];
        for (path, body, want, field) in cases {
            let (status, _, problem) = s.send(s.req(M::PUT, &path, &t.analyst).json(&body)).await;
            assert_eq!(status, want, "{path} {body}: {problem}");
            if !field.is_empty() {
                assert_eq!(problem["errors"][0]["field"], field, "{problem}");
                assert!(problem["errors"][0]["message"].as_str().unwrap().len() > 15, "the message says what is allowed: {problem}");
            }
        }
        let big = json!({"values": {}, "note": "x".repeat(65 * 1024)});
        let (status, _, _) = s.send(s.req(M::PUT, Q, &t.owes).json(&big)).await;
        assert_eq!(status, 413);
        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports", &t.owes)).await;
        assert_eq!(list, json!([]), "no refused request stored anything");

        let (status, _, _) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": {"jobs_created": 4}}))).await;
        assert_eq!(status, 201);
        let (status, _, problem) = s.send(s.req(M::POST, &format!("{Q}/submit"), &t.owes)).await;
        assert_eq!(status, 422, "submitting needs every indicator: {problem}");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 9);
        let (status, _, problem) = s.send(s.req(M::POST, &format!("{Q}/approve"), &t.analyst)).await;
        assert_eq!(status, 409, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("draft"), "names the current status: {problem}");
        s.stop().await;
    }

    async fn csv_imports_are_all_or_nothing(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        let import = |csv: &'static str, dry: bool| {
            let path = format!("/api/v1/owes/OWES-PN/reports/import{}", if dry { "?dry_run=true" } else { "" });
            s.req(M::POST, &path, &t.owes).header("content-type", "text/csv").body(csv)
        };
        let bad = "period,indicator,value\n2024-Q1,jobs_created,4\n2024-Q1,ps_jobs_created_with_grants,-2\n2024-Q2,jobs_created,3\n";
        let (status, _, problem) = s.send(import(bad, false)).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "rows[3].value");
        assert!(problem["errors"][0]["message"].as_str().unwrap().starts_with("line 3"), "{problem}");
        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports", &t.owes)).await;
        assert_eq!(list, json!([]), "the good rows were not stored either");

        let fixed = "period,indicator,value\n2024-Q1,jobs_created,4\n2024-Q1,ps_jobs_created_with_grants,2\n2024-Q2,jobs_created,3\n";
        let (status, _, result) = s.send(import(fixed, true)).await;
        assert_eq!((status, result["dry_run"].as_bool()), (200, Some(true)), "{result}");
        assert_eq!(result["reports"].as_array().unwrap().len(), 2);
        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports", &t.owes)).await;
        assert_eq!(list, json!([]), "a dry run stores nothing");
        let (status, _, result) = s.send(import(fixed, false)).await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["reports"], json!([
            {"period": "2024-Q1", "outcome": "created", "status": "draft", "revision": 1},
            {"period": "2024-Q2", "outcome": "created", "status": "draft", "revision": 1},
        ]));
        let (_, _, r) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports/2024-Q1", &t.owes)).await;
        assert_eq!((r["values"]["jobs_created"].as_i64(), r["values"]["ps_jobs_created_with_grants"].as_i64()), (Some(4), Some(2)));

        // A spreadsheet export: BOM, semicolons, one row per quarter; merges over the draft.
        let wide = "\u{feff}period;jobs_created;animators_employed\r\n2024-Q1;5;2\r\n";
        let (status, _, result) = s.send(import(wide, false)).await;
        assert_eq!((status, result["reports"][0]["outcome"].as_str()), (200, Some("updated")), "{result}");
        let (_, _, r) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports/2024-Q1", &t.owes)).await;
        assert_eq!((r["values"]["jobs_created"].as_i64(), r["values"]["ps_jobs_created_with_grants"].as_i64(), r["revision"].as_i64()), (Some(5), Some(2), Some(2)));
        let (_, _, revs) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports/2024-Q1/revisions", &t.owes)).await;
        assert_eq!(revs[1]["action"], "import");

        let (status, _, _) = s.send(s.req(M::POST, "/api/v1/owes/OWES-PN/reports/import", &t.owes).json(&json!({}))).await;
        assert_eq!(status, 415);
        s.stop().await;
    }

    async fn files_as_polish_excel_and_libreoffice_save_them_are_read(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        const IMPORT: &str = "/api/v1/owes/OWES-PN/reports/import";
        let upload = |ct: &str, body: Vec<u8>| s.req(M::POST, IMPORT, &t.owes).header("content-type", ct.to_owned()).body(body);

        // Polish Excel's "CSV": Windows-1250, `;`, CRLF, `;;` of empty columns, empty rows,
        // thousands after a no-break space, `4,00`, the export's Polish headers and the
        // template's `nazwa wskaźnika` column.
        let excel = include_bytes!("../fixtures/owes-2024-Q1-excel-pl.csv").to_vec();
        assert!(std::str::from_utf8(&excel).is_err(), "the fixture is Windows-1250");
        let (status, _, result) = s.send(upload("text/csv", excel.clone())).await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["reports"][0]["outcome"], "created", "{result}");
        assert_eq!(result["warnings"], json!([]), "known and empty columns need no warning: {result}");
        let v = values_of(&s, &t.owes, "2024-Q1").await;
        assert_eq!((v["jobs_created"].as_i64(), v["ps_jobs_created_with_grants"].as_i64(), v["vocational_training_participants"].as_i64()), (Some(1250), Some(4), Some(1006)), "{v}");
        assert!(v.as_object().unwrap().values().all(|x| x.is_number()), "all ten read: {v}");
        let (status, _, result) = s.send(upload("text/csv; charset=windows-1250", excel.clone())).await;
        assert_eq!((status, result["reports"][0]["outcome"].as_str()), (200, Some("unchanged")), "{result}");
        let (status, _, result) = s.send(upload("text/csv; charset=CP1250", excel)).await;
        assert_eq!((status, result["reports"][0]["outcome"].as_str()), (200, Some("unchanged")), "{result}");
        let (status, _, problem) = s.send(upload("text/csv; charset=koi8-r", b"period,indicator,value\n".to_vec())).await;
        assert_eq!(status, 415, "{problem}");

        // LibreOffice with `,`: decimal commas quoted, and a descriptive column, ignored with
        // a warning instead of an error per row.
        let calc = include_bytes!("../fixtures/owes-2024-Q2-libreoffice-pl.csv").to_vec();
        let (status, _, result) = s.send(upload("text/csv", calc)).await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["warnings"].as_array().map(Vec::len), Some(1), "{result}");
        assert_eq!(result["warnings"][0]["field"], "rows[1].uwagi", "{result}");
        let v = values_of(&s, &t.owes, "2024-Q2").await;
        assert_eq!((v["jobs_created"].as_i64(), v["animators_employed"].as_i64(), v["reintegration_plans"].as_i64()), (Some(3), Some(2), Some(1250)), "{v}");

        // The long format blames the indicator column and repeats the unknown code.
        let bad = "period,indicator,value\n2024-Q3,jobs_created,1\n2024-Q3,bogus,2\n";
        let (status, _, problem) = s.send(upload("text/csv", bad.into())).await;
        assert_eq!((status, problem["errors"].as_array().map(Vec::len)), (422, Some(1)), "{problem}");
        assert_eq!(problem["errors"][0]["field"], "rows[3].indicator", "{problem}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().starts_with("line 3, indicator: unknown indicator `bogus`"), "{problem}");

        // XLSX: numbers in cells are numbers (4.0 is the count 4), text cells read like CSV.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["period", "indicator", "value", "nazwa wskaźnika"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let rows: [(&str, Option<f64>, &str); 3] = [("jobs_created", Some(4.0), ""), ("animators_employed", None, "2"), ("reintegration_plans", None, "1\u{a0}250,00")];
        for (i, (code, number, text)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, "2024-Q3").unwrap();
            sheet.write_string(r, 1, *code).unwrap();
            match number {
                Some(n) => sheet.write_number(r, 2, *n).unwrap(),
                None => sheet.write_string(r, 2, *text).unwrap(),
            };
        }
        let xlsx = book.save_to_buffer().unwrap();
        let (status, _, problem) = s.send(upload("text/csv", xlsx.clone())).await;
        assert_eq!(status, 422, "an XLSX sent as CSV is not read as text: {problem}");
        let (status, _, result) = s.send(upload("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx)).await;
        assert_eq!((status, result["reports"][0]["outcome"].as_str()), (200, Some("created")), "{result}");
        let v = values_of(&s, &t.owes, "2024-Q3").await;
        assert_eq!((v["jobs_created"].as_i64(), v["animators_employed"].as_i64(), v["reintegration_plans"].as_i64()), (Some(4), Some(2), Some(1250)), "{v}");
        s.stop().await;
    }

    async fn the_template_is_filled_in_and_imported_back_unchanged(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        const TEMPLATE: &str = "/api/v1/owes/OWES-PN/reports/template";
        let get = |query: &str, token: &str| s.req(M::GET, &format!("{TEMPLATE}{query}"), token).send();

        let (_, _, catalogue) = s.send(s.req(M::GET, "/api/v1/indicators", &t.owes)).await;
        let owes: Vec<(String, String)> = catalogue["indicators"].as_array().unwrap().iter()
            .filter(|i| i["stream"] == "owes")
            .map(|i| (i["code"].as_str().unwrap().to_owned(), i["name_pl"].as_str().unwrap().to_owned()))
            .collect();
        let res = get("?period=2024-Q4", &t.owes).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "period;indicator;value;nazwa wskaźnika");
        assert_eq!(lines.len(), owes.len() + 1, "one row per OWES indicator: {text}");
        for ((code, name), line) in owes.iter().zip(&lines[1..]) {
            assert_eq!(*line, format!("2024-Q4;{code};;{name}"));
        }
        // Filled in as a person would: a value in each row, nothing else touched.
        let filled = text.replace(";;", ";2;");
        let import = |ct: &'static str, body: Vec<u8>| s.req(M::POST, "/api/v1/owes/OWES-PN/reports/import", &t.owes).header("content-type", ct).body(body);
        let (status, _, result) = s.send(import("text/csv", filled.into_bytes())).await;
        assert_eq!(status, 200, "{result}");
        assert_eq!((result["reports"][0]["period"].as_str(), result["warnings"].clone()), (Some("2024-Q4"), json!([])), "{result}");
        let (status, _, r) = s.send(s.req(M::POST, "/api/v1/owes/OWES-PN/reports/2024-Q4/submit", &t.owes)).await;
        assert_eq!(status, 200, "every indicator got its value: {r}");

        // The XLSX template, read as a spreadsheet would, filled in and sent back.
        let res = get("?format=xlsx", &t.analyst).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let bytes = res.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(cells[0], ["period", "indicator", "value", "nazwa wskaźnika"]);
        assert_eq!(cells.len(), owes.len() + 1);
        assert!(cells[1..].iter().all(|r| r[0].is_empty() && r[2].is_empty()), "the period is the user's to write: {cells:?}");
        let mut out = rust_xlsxwriter::Workbook::new();
        let sheet = out.add_worksheet();
        for (i, row) in cells.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (r, c) = (i as u32, j as u16);
                match (i, j) {
                    (0, _) => sheet.write_string(r, c, cell).unwrap(),
                    (_, 0) => sheet.write_string(r, c, "2024-Q3").unwrap(),
                    (_, 2) => sheet.write_number(r, c, 1.0).unwrap(),
                    _ => sheet.write_string(r, c, cell).unwrap(),
                };
            }
        }
        let (status, _, result) = s.send(import("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", out.save_to_buffer().unwrap())).await;
        assert_eq!((status, result["reports"][0]["period"].as_str(), result["warnings"].clone()), (200, Some("2024-Q3"), json!([])), "{result}");

        for (query, want) in [("?format=pdf", 422), ("?period=2024-Q5", 422)] {
            let res = get(query, &t.owes).await.unwrap();
            assert_eq!(res.status(), want, "{query}");
            assert_eq!(res.headers()["content-type"], "application/problem+json");
        }
        let res = s.req(M::GET, "/api/v1/owes/OWES-XX/reports/template", &t.analyst).send().await.unwrap();
        assert_eq!(res.status(), 404);
        s.stop().await;
    }

    async fn another_owes_and_gminas_are_refused_everywhere(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        let (status, _, _) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": all_values(4)}))).await;
        assert_eq!(status, 201);
        for token in [&t.other_owes, &t.gmina] {
            let attempts = vec![
                s.req(M::PUT, Q, token).json(&json!({"values": all_values(1)})),
                s.req(M::PUT, "/api/v1/owes/OWES-PN/reports/2024-Q4", token).json(&json!({"values": {}})),
                s.req(M::GET, Q, token),
                s.req(M::GET, "/api/v1/owes/OWES-PN/reports", token),
                s.req(M::GET, &format!("{Q}/revisions"), token),
                s.req(M::POST, &format!("{Q}/submit"), token),
                s.req(M::POST, &format!("{Q}/approve"), token),
                s.req(M::POST, &format!("{Q}/return"), token).json(&json!({"reason": "x"})),
                s.req(M::POST, &format!("{Q}/reopen"), token),
                s.req(M::POST, "/api/v1/owes/OWES-PN/reports/import", token).header("content-type", "text/csv").body("period,indicator,value\n2024-Q4,jobs_created,1\n"),
                s.req(M::GET, "/api/v1/owes/OWES-PN/reports/template", token),
                s.req(M::GET, "/api/v1/owes/OWES-PN/reports/template?format=xlsx", token),
                s.req(M::GET, "/api/v1/reports", token),
            ];
            for req in attempts {
                let (status, _, problem) = s.send(req).await;
                assert_eq!(status, 403, "{problem}");
            }
        }
        let (_, _, r) = s.send(s.req(M::GET, Q, &t.owes)).await;
        assert_eq!((r["revision"].as_i64(), r["status"].as_str()), (Some(1), Some("draft")), "nothing changed");
        let (_, _, list) = s.send(s.req(M::GET, "/api/v1/owes/OWES-PN/reports", &t.analyst)).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "no report was created");
        s.stop().await;
    }

    async fn of_two_concurrent_puts_with_one_etag_exactly_one_wins(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let t = Tokens::new(&env);
        use reqwest::Method as M;
        let (_, mut etag, _) = s.send(s.req(M::PUT, Q, &t.owes).json(&json!({"values": {"jobs_created": 0}}))).await;
        for round in 1..=30u64 {
            let tag = etag.clone().unwrap();
            let a = s.send(with_etag(s.req(M::PUT, Q, &t.owes), &tag).json(&json!({"values": {"jobs_created": round * 2}})));
            let b = s.send(with_etag(s.req(M::PUT, Q, &t.analyst), &tag).json(&json!({"values": {"jobs_created": round * 2 + 1}})));
            let ((sa, ea, _), (sb, eb, _)) = tokio::join!(a, b);
            let mut statuses = [sa, sb];
            statuses.sort();
            assert_eq!(statuses, [200, 412], "round {round}");
            etag = if sa == 200 { ea } else { eb };
            let (_, current, r) = s.send(s.req(M::GET, Q, &t.owes)).await;
            assert_eq!(current, etag, "round {round}");
            assert_eq!(r["revision"].as_u64(), Some(round + 1), "one write per round");
        }
        let (_, _, revs) = s.send(s.req(M::GET, &format!("{Q}/revisions"), &t.owes)).await;
        assert_eq!(revs.as_array().unwrap().len(), 31);
        s.stop().await;
    }
}

async fn values_of(s: &Server, token: &str, period: &str) -> Value {
    let path = format!("/api/v1/owes/OWES-PN/reports/{period}");
    let (status, _, r) = s.send(s.req(reqwest::Method::GET, &path, token)).await;
    assert_eq!(status, 200, "{r}");
    r["values"].clone()
}

fn chrono_year() -> i64 {
    // Days since 1970 → a year good enough to name "next year" (off by one only on 1 January).
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    1970 + (days as f64 / 365.2425) as i64
}
