//! Gmina LPRES status, gmina annual reports and the ROPS activity register through the real
//! server.

use super::*;
use reqwest::Method as M;

const KLUCZBORK: &str = "/api/v1/gminas/1604023";

fn adopted() -> Value {
    json!({
        "status": "adopted", "resolution_number": "XLV/512/2023", "adopted_on": "2023-10-26",
        "plan_from": 2023, "plan_to": 2028, "document_url": "https://bip.kluczbork.pl/lpres-2023-2028.pdf"
    })
}

fn gmina_values() -> Value {
    json!({
        "social_clause_contracts": 3, "sr_procurement_value_pln": 125000.5, "procurement_value_pln": 2300000,
        "pes_service_commissions_value_pln": 40000.25, "service_commissions_value_pln": 90000,
        "officials_trained": 12, "social_cooperatives": 2, "social_enterprises": 1, "commissions_to_pes": 4,
        "excluded_persons_employed": 6, "persons_prepared_for_pes_work": 9, "persons_referred_by_ops": 5
    })
}

backend_tests! {
    async fn lpres_goes_from_none_to_adopted_with_its_history(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let gmina = env.token("gmina", Some("1604023"));
        let analyst = env.token("analyst", None);
        let url = format!("{KLUCZBORK}/lpres");

        let (status, etag, l) = s.send(s.req(M::GET, &url, &gmina)).await;
        assert_eq!((status, l["status"].as_str(), etag.as_deref()), (200, Some("none"), Some("\"0\"")), "{l}");
        assert_eq!(l["history"], json!([]));
        let (status, _, l) = s.send(with_etag(s.req(M::PUT, &url, &gmina), "\"0\"").json(&json!({"status": "in_preparation"}))).await;
        assert_eq!((status, l["revision"].as_i64()), (201, Some(1)), "{l}");
        let draft = json!({"status": "draft", "plan_from": 2023, "plan_to": 2028, "document_url": "https://bip.kluczbork.pl/projekt.pdf"});
        let (status, _, _) = s.send(with_etag(s.req(M::PUT, &url, &gmina), "\"1\"").json(&draft)).await;
        assert_eq!(status, 200);
        let (status, _, problem) = s.send(with_etag(s.req(M::PUT, &url, &analyst), "\"1\"").json(&adopted())).await;
        assert_eq!(status, 412, "a stale If-Match is refused: {problem}");
        let (status, etag, l) = s.send(with_etag(s.req(M::PUT, &url, &gmina), "\"2\"").json(&adopted())).await;
        assert_eq!((status, etag.as_deref(), l["status"].as_str()), (200, Some("\"3\""), Some("adopted")), "{l}");

        let (_, _, l) = s.send(s.req(M::GET, &url, &analyst)).await;
        assert_eq!((l["resolution_number"].as_str(), l["adopted_on"].as_str(), l["plan_to"].as_i64()), (Some("XLV/512/2023"), Some("2023-10-26"), Some(2028)));
        let history = l["history"].as_array().unwrap();
        let statuses: Vec<&str> = history.iter().map(|h| h["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["in_preparation", "draft", "adopted"]);
        assert!(history.iter().all(|h| h["recorded_by"] == "cli" && h["recorded_at"].as_str().is_some_and(|t| t.ends_with('Z'))));
        assert_eq!(history[1]["plan_from"], 2023);

        let (status, _, region) = s.send(s.req(M::GET, "/api/v1/regions/16/lpres", &analyst)).await;
        assert_eq!(status, 200);
        let region = region.as_array().unwrap();
        assert_eq!(region.len(), 71);
        assert_eq!(region.iter().filter(|g| g["status"] == "adopted").count(), 1);
        let k = region.iter().find(|g| g["teryt"] == "1604023").unwrap();
        assert_eq!((k["subregion"].as_str(), k["plan_to"].as_i64()), (Some("OPL-PN"), Some(2028)));
        s.stop().await;
    }

    async fn lpres_refuses_every_combination_that_makes_no_sense(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let gmina = env.token("gmina", Some("1604023"));
        let url = format!("{KLUCZBORK}/lpres");
        let with = |changes: Value| {
            let mut body = adopted();
            for (k, v) in changes.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (json!({"status": "adopted"}), vec!["resolution_number", "adopted_on", "plan_from", "plan_to"]),
            (with(json!({"adopted_on": "2099-01-01"})), vec!["adopted_on"]),
            (with(json!({"adopted_on": "26.10.2023"})), vec!["adopted_on"]),
            (with(json!({"plan_from": 2029})), vec!["plan_to"]),
            (with(json!({"plan_to": 2033})), vec!["plan_to"]),
            (with(json!({"resolution_number": "  "})), vec!["resolution_number"]),
            (with(json!({"document_url": "bip.kluczbork.pl"})), vec!["document_url"]),
            (with(json!({"status": "none"})), vec!["resolution_number", "adopted_on", "plan_from", "plan_to", "document_url"]),
            (with(json!({"status": "in_preparation"})), vec!["resolution_number", "adopted_on"]),
            (with(json!({"status": "draft"})), vec!["resolution_number", "adopted_on"]),
            (json!({"status": "uchwalony"}), vec!["status"]),
            (json!({"status": "none", "adopted": true}), vec!["body"]),
        ];
        for (body, fields) in cases {
            let (status, _, problem) = s.send(s.req(M::PUT, &url, &gmina).json(&body)).await;
            assert_eq!(status, 422, "{body}: {problem}");
            let got: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert_eq!(got, fields, "{body}: {problem}");
        }
        let (_, _, l) = s.send(s.req(M::GET, &url, &gmina)).await;
        assert_eq!((l["status"].as_str(), l["revision"].as_i64()), (Some("none"), Some(0)), "nothing was stored: {l}");
        let repealed = with(json!({"status": "repealed"}));
        let (status, _, _) = s.send(s.req(M::PUT, &url, &gmina).json(&repealed)).await;
        assert_eq!(status, 201, "a repealed plan keeps its resolution");
        s.stop().await;
    }

    async fn a_gmina_annual_report_goes_through_its_lifecycle_with_the_checklist(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let gmina = env.token("gmina", Some("1604023"));
        let analyst = env.token("analyst", None);
        let url = format!("{KLUCZBORK}/reports/2024");

        let (status, _, problem) = s.send(s.req(M::PUT, &url, &gmina).json(&json!({"values": {}, "results": ["A1", "Z9", "A1"]}))).await;
        assert_eq!(status, 422, "{problem}");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["results[1]", "results[2]"]);
        let invalid = [
            (json!({"values": {"sr_procurement_value_pln": 10.005}}), "values.sr_procurement_value_pln"),
            (json!({"values": {"sr_procurement_value_pln": 500, "procurement_value_pln": 400}}), "values.sr_procurement_value_pln"),
            (json!({"values": {"sr_procurement_share": 0.5}}), "values.sr_procurement_share"),
            (json!({"values": {"officials_trained": 2.5}}), "values.officials_trained"),
        ];
        for (body, field) in invalid {
            let (status, _, problem) = s.send(s.req(M::PUT, &url, &gmina).json(&body)).await;
            assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{problem}");
        }
        for year in ["2024-Q1", "24", "2099"] {
            let (status, _, problem) = s.send(s.req(M::PUT, &format!("{KLUCZBORK}/reports/{year}"), &gmina).json(&json!({"values": {}}))).await;
            assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("period")), "{year}: {problem}");
        }

        let body = json!({"values": {"social_clause_contracts": 3, "sr_procurement_value_pln": 125000.5}, "results": ["C3", "A1"]});
        let res = s.req(M::PUT, &url, &gmina).json(&body).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let text = res.text().await.unwrap();
        assert!(text.contains("\"sr_procurement_value_pln\":125000.50"), "money has two decimals: {text}");
        let r: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(r["results"], json!(["A1", "C3"]), "results in checklist order");
        assert_eq!((r["gmina"].as_str(), r["year"].as_str(), r["status"].as_str()), (Some("1604023"), Some("2024"), Some("draft")));

        let (status, _, problem) = s.send(s.req(M::POST, &format!("{url}/submit"), &gmina)).await;
        assert_eq!(status, 422, "an incomplete report cannot be submitted: {problem}");
        let full = json!({"values": gmina_values(), "results": ["A1", "C3"], "note": "Sprawozdanie 2024"});
        let (status, _, _) = s.send(with_etag(s.req(M::PUT, &url, &gmina), "\"1\"").json(&full)).await;
        assert_eq!(status, 200);
        let (status, _, r) = s.send(s.req(M::POST, &format!("{url}/submit"), &gmina)).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("submitted")), "{r}");
        let (status, _, _) = s.send(s.req(M::POST, &format!("{url}/approve"), &gmina)).await;
        assert_eq!(status, 403, "a gmina cannot approve");
        let (status, _, r) = s.send(s.req(M::POST, &format!("{url}/return"), &analyst).json(&json!({"reason": "Brak klauzul w D6"}))).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("returned")));
        let mut corrected = full.clone();
        corrected["results"] = json!(["A1", "C3", "D6"]);
        let (status, _, _) = s.send(s.req(M::PUT, &url, &gmina).json(&corrected)).await;
        assert_eq!(status, 200);
        let (status, _, _) = s.send(s.req(M::POST, &format!("{url}/submit"), &gmina)).await;
        assert_eq!(status, 200);
        let (status, _, r) = s.send(s.req(M::POST, &format!("{url}/approve"), &analyst)).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("approved")));
        let (status, _, problem) = s.send(s.req(M::PUT, &url, &gmina).json(&full)).await;
        assert_eq!(status, 409, "{problem}");
        let (status, _, _) = s.send(s.req(M::POST, &format!("{url}/reopen"), &analyst)).await;
        assert_eq!(status, 200);
        let (status, _, r) = s.send(s.req(M::PUT, &url, &gmina).json(&full)).await;
        assert_eq!((status, r["results"].clone()), (200, json!(["A1", "C3"])));

        let (_, _, revs) = s.send(s.req(M::GET, &format!("{url}/revisions"), &analyst)).await;
        let actions: Vec<&str> = revs.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "submit", "return", "update", "submit", "approve", "reopen", "update"]);
        assert_eq!(revs[4]["results"], json!(["A1", "C3", "D6"]));
        let (_, _, list) = s.send(s.req(M::GET, &format!("{KLUCZBORK}/reports"), &gmina)).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        s.stop().await;
    }

    async fn events_are_added_edited_withdrawn_and_listed(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        // A second region (loaded beside the running server), so that a subregion of another
        // region exists.
        let other = dir.path().join("pomorskie.json");
        std::fs::write(&other, json!({
            "format": "rops-hub/reference/v1",
            "region": {"code": "22", "name": "pomorskie",
                "powiats": [{"code": "2201", "name": "bytowski", "kind": "powiat"}],
                "gminas": [{"teryt": "2201011", "name": "Bytów", "kind": "urban", "powiat": "2201"}],
                "subregions": [{"code": "POM-BY", "name": "Bytowski", "powiats": ["2201"]}]}
        }).to_string()).unwrap();
        env.run(&["import-reference", other.to_str().unwrap()]);
        // The sample's boundaries came with the empty database; its file again changes nothing.
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/reference/opolskie_gminy.geojson");
        assert_eq!(
            env.run(&["import-boundaries", sample]),
            "imported the boundaries of 71 gminas of region 16: 0 created, 0 updated, 71 unchanged\n"
        );
        let analyst = env.token("analyst", None);
        let url = "/api/v1/regions/16/events";
        let event = |t: &str, date: &str, sub: Option<&str>| json!({
            "type": t, "date": date, "subregion": sub, "title": format!("{t} {date}"), "participants": 20,
            "evidence_url": "https://rops.opole.pl/aktualnosci/1"
        });

        let mut ids = Vec::new();
        for body in [
            event("business_meeting", "2024-05-14", Some("OPL-PN")),
            event("cooperation_initiative", "2024-09-01", None),
            event("business_meeting", "2025-02-10", Some("OPL-PD")),
        ] {
            let (status, etag, e) = s.send(s.req(M::POST, url, &analyst).json(&body)).await;
            assert_eq!((status, etag.as_deref()), (201, Some("\"1\"")), "{e}");
            assert_eq!(e["id"].as_str().map(str::len), Some(16));
            ids.push(e["id"].as_str().unwrap().to_owned());
        }
        let refused = [
            (event("picnic", "2024-05-14", None), "type"),
            (event("business_meeting", "2024-05-14", Some("POM-BY")), "subregion"),
            (event("business_meeting", "2099-05-14", None), "date"),
            (json!({"type": "fair", "date": "2024-05-14", "subregion": null, "title": "", "participants": -3}), "participants"),
        ];
        for (body, field) in refused {
            let (status, _, problem) = s.send(s.req(M::POST, url, &analyst).json(&body)).await;
            assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{problem}");
        }
        for token in [env.token("owes", Some("OWES-PN")), env.token("gmina", Some("1604023"))] {
            let (status, _, _) = s.send(s.req(M::POST, url, &token).json(&event("fair", "2024-05-14", None))).await;
            assert_eq!(status, 403);
            let (status, _, _) = s.send(s.req(M::DELETE, &format!("/api/v1/events/{}", ids[0]), &token)).await;
            assert_eq!(status, 403);
        }

        let count = |q: &'static str| {
            let req = s.req(M::GET, &format!("{url}{q}"), &analyst);
            async { s.send(req).await.2.as_array().unwrap().len() }
        };
        assert_eq!(count("").await, 3);
        assert_eq!(count("?from=2024-Q1&to=2024-Q4").await, 2);
        assert_eq!(count("?type=business_meeting").await, 2);
        assert_eq!(count("?from=2024-Q1&to=2024-Q4&type=business_meeting").await, 1);
        assert_eq!(count("?subregion=OPL-PD").await, 1);
        assert_eq!(count("?from=2024-05-15&to=2024-09-01").await, 1);
        let (status, _, _) = s.send(s.req(M::GET, &format!("{url}?from=2024-Q5"), &analyst)).await;
        assert_eq!(status, 422);

        let one = format!("/api/v1/events/{}", ids[0]);
        let mut edited = event("business_meeting", "2024-06-03", Some("OPL-PN"));
        edited["participants"] = json!(31);
        let (status, etag, e) = s.send(with_etag(s.req(M::PUT, &one, &analyst), "\"1\"").json(&edited)).await;
        assert_eq!((status, etag.as_deref(), e["participants"].as_i64(), e["date"].as_str()), (200, Some("\"2\""), Some(31), Some("2024-06-03")));
        let (status, _, _) = s.send(with_etag(s.req(M::PUT, &one, &analyst), "\"1\"").json(&edited)).await;
        assert_eq!(status, 412);

        let two = format!("/api/v1/events/{}", ids[1]);
        let (status, _, e) = s.send(s.req(M::DELETE, &two, &analyst)).await;
        assert_eq!(status, 200);
        assert!(e["withdrawn_at"].is_string());
        assert_eq!(count("?from=2024-Q1&to=2024-Q4").await, 1, "a withdrawn event is no longer listed");
        let (status, _, detail) = s.send(s.req(M::GET, &two, &analyst)).await;
        assert_eq!(status, 200, "but it is kept");
        let actions: Vec<&str> = detail["revisions"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "withdraw"]);
        assert_eq!(detail["revisions"][0]["title"], "cooperation_initiative 2024-09-01");
        let (status, _, _) = s.send(s.req(M::DELETE, &two, &analyst)).await;
        assert_eq!(status, 409);
        let (status, _, _) = s.send(s.req(M::PUT, &two, &analyst).json(&edited)).await;
        assert_eq!(status, 409);
        s.stop().await;
    }

    async fn cross_gmina_and_owes_writes_are_refused(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let s = Server::start(&env).await;
        let kluczbork = env.token("gmina", Some("1604023"));
        let (status, _, _) = s.send(s.req(M::PUT, &format!("{KLUCZBORK}/reports/2024"), &kluczbork).json(&json!({"values": {}}))).await;
        assert_eq!(status, 201);
        for token in [env.token("gmina", Some("1604013")), env.token("owes", Some("OWES-PN"))] {
            let attempts = vec![
                s.req(M::PUT, &format!("{KLUCZBORK}/lpres"), &token).json(&adopted()),
                s.req(M::PUT, &format!("{KLUCZBORK}/reports/2024"), &token).json(&json!({"values": gmina_values()})),
                s.req(M::PUT, &format!("{KLUCZBORK}/reports/2025"), &token).json(&json!({"values": {}})),
                s.req(M::GET, &format!("{KLUCZBORK}/reports/2024"), &token),
                s.req(M::GET, &format!("{KLUCZBORK}/reports"), &token),
                s.req(M::GET, &format!("{KLUCZBORK}/reports/2024/revisions"), &token),
                s.req(M::POST, &format!("{KLUCZBORK}/reports/2024/submit"), &token),
                s.req(M::POST, &format!("{KLUCZBORK}/reports/2024/approve"), &token),
            ];
            for req in attempts {
                let (status, _, problem) = s.send(req).await;
                assert_eq!(status, 403, "{problem}");
            }
        }
        let (_, _, l) = s.send(s.req(M::GET, &format!("{KLUCZBORK}/lpres"), &kluczbork)).await;
        assert_eq!(l["status"], "none", "nothing changed");
        let (_, _, r) = s.send(s.req(M::GET, &format!("{KLUCZBORK}/reports/2024"), &kluczbork)).await;
        assert_eq!((r["revision"].as_i64(), r["status"].as_str()), (Some(1), Some("draft")));
        let (_, _, list) = s.send(s.req(M::GET, &format!("{KLUCZBORK}/reports"), &kluczbork)).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "no report was created");
        s.stop().await;
    }
}
