//! The `rops` binary driven against a real rops-hub server (in this process, on a free port),
//! on SQLite and on PostgreSQL.

use rops_api::auth::Keys;
use rops_api::config::Config;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use std::process::{Command, Output};
use std::time::Duration;

const SECRET: &str = "a-secret-for-the-cli-tests-long-enough";

struct Hub {
    url: String,
    dir: tempfile::TempDir,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hub {
    fn start(db: &TestDb) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vars = [
            ("DATABASE_URL", db.url_string()),
            (
                "ROPS_DATA_DIR",
                dir.path().join("data").display().to_string(),
            ),
            ("ROPS_BIND", "127.0.0.1:0".to_owned()),
            ("ROPS_JWT_SECRET", SECRET.to_owned()),
        ];
        let config =
            Config::from_vars(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
                .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (server, addrs) = rops_api::cli::start(config, false)
                    .await
                    .expect("rops-hub starts");
                tx.send((server.handle(), addrs[0])).unwrap();
                server.await.unwrap();
            })
        });
        let (handle, addr) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("rops-hub listens");
        Self {
            url: format!("http://{addr}"),
            dir,
            handle,
            thread: Some(thread),
        }
    }

    fn token(&self, role: rops_domain::role::Role, org: Option<&str>) -> String {
        Keys::new(SECRET.as_bytes())
            .mint("cli-test", role, org, Duration::from_secs(600))
            .unwrap()
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn file_bytes(&self, name: &str, content: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    /// A report's values as stored, read over HTTP.
    fn values(&self, token: &str, owes: &str, period: &str) -> serde_json::Value {
        let res = reqwest::blocking::Client::new()
            .get(format!("{}/api/v1/owes/{owes}/reports/{period}", self.url))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json::<serde_json::Value>().unwrap()["values"].clone()
    }

    fn rops(&self, token: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rops"))
            .args(args)
            .env("ROPS_URL", &self.url)
            .env("ROPS_TOKEN", token)
            .output()
            .expect("rops runs")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "rops failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "rops should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const VALUES: &str = r#"{"initiative_groups_created": 1, "enterprises_created": 1, "jobs_created": 1234,
  "ps_jobs_created_with_grants": 4, "local_partnerships_created": 0, "procurement_procedures_supported": 1,
  "animators_employed": 2, "joint_projects": 0, "vocational_training_participants": 6, "reintegration_plans": 3}"#;

backend_tests! {
    fn the_client_reports_imports_sets_records_and_reads_rollups(db) {
        use rops_domain::role::Role;
        let hub = Hub::start(&db);
        let owes = hub.token(Role::Owes, Some("OWES-PN"));
        let analyst = hub.token(Role::Analyst, None);
        let gmina = hub.token(Role::Gmina, Some("1604023"));

        let values = hub.file("values.json", VALUES);
        assert!(ok(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q1", "--file", &values])).contains("draft"));
        assert!(ok(&hub.rops(&owes, &["report", "submit", "OWES-PN", "2024-Q1"])).contains("submitted"));
        let refused = failed(&hub.rops(&owes, &["report", "approve", "OWES-PN", "2024-Q1"]));
        assert!(refused.contains("Błąd 403"), "{refused}");
        assert!(ok(&hub.rops(&analyst, &["report", "approve", "OWES-PN", "2024-Q1"])).contains("approved"));
        let missing = failed(&hub.rops(&analyst, &["report", "return", "OWES-PN", "2024-Q1"]));
        assert!(missing.contains("Błąd 409"), "{missing}");

        let csv = hub.file("q3.csv", "indicator;value\njobs_created;7\nanimators_employed;1\n");
        assert!(ok(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q3", "--file", &csv, "--dry-run"])).contains("próba"));
        assert!(ok(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q3", "--file", &csv])).contains("wersja 1"));

        let good = hub.file("good.csv", "period,indicator,value\n2024-Q2,jobs_created,5\n");
        let bad = hub.file("bad.csv", "period,indicator,value\n2024-Q4,jobs_created,5\n2024-Q4,ps_jobs_created_with_grants,-1\n");
        let out = failed(&hub.rops(&owes, &["report", "import", "OWES-PN", &good, &bad]));
        assert!(out.contains("1 przyjęte, 1 odrzucone"), "{out}");
        assert!(out.contains("  - wiersz 3, kolumna value: -1 jest ujemne; wartości muszą być równe 0 lub większe") && out.contains("Błąd 422: Nieprawidłowe dane"), "each field error is shown, in Polish: {out}");
        let next = hub.file("next.csv", "period,indicator,value\n2025-Q1,jobs_created,3\n");
        let dry = ok(&hub.rops(&owes, &["report", "import", "OWES-PN", &good, &next, "--dry-run"]));
        assert!(dry.contains("2024-Q2 unchanged") && dry.contains("2025-Q1 created") && dry.contains("próba"), "{dry}");
        let stored = failed(&hub.rops(&owes, &["report", "submit", "OWES-PN", "2025-Q1"]));
        assert!(stored.contains("Błąd 404"), "the dry run stored nothing: {stored}");

        let out = failed(&hub.rops(&gmina, &["lpres", "set", "1604023", "--status", "adopted"]));
        assert!(out.contains("resolution_number") && out.contains("plan_to"), "{out}");
        let set = [
            "lpres", "set", "1604023", "--status", "adopted", "--resolution-number", "XLV/512/2023",
            "--adopted-on", "2023-10-26", "--plan-from", "2023", "--plan-to", "2028",
        ];
        assert!(ok(&hub.rops(&gmina, &set)).contains("adopted"));
        let event = [
            "event", "add", "16", "--type", "business_meeting", "--date", "2024-05-14",
            "--subregion", "OPL-PN", "--title", "Spotkanie PES z przedsiębiorcami", "--participants", "12",
        ];
        assert!(ok(&hub.rops(&analyst, &event)).contains("Zapisano wydarzenie"));

        let table = ok(&hub.rops(&analyst, &["rollup", "region", "16", "--year", "2024"]));
        let line = table.lines().find(|l| l.contains("jobs_created")).unwrap_or_else(|| panic!("{table}"));
        assert!(line.contains("1\u{a0}234"), "only the approved 1234 counts (drafts do not), written the Polish way: {line}");
        assert!(table.contains("Kompletność") && table.contains("business_meeting") && table.contains("LPRES: 1 z 71"), "{table}");
        let indicators = table.split("Kompletność").next().unwrap();
        let widths: Vec<usize> = indicators.lines().filter(|l| l.starts_with('│')).map(|l| l.chars().count()).collect();
        assert!(widths.len() > 30, "{table}");
        assert!(widths.iter().all(|w| *w == widths[0]), "aligned columns with Polish letters:\n{table}");

        let json: serde_json::Value = serde_json::from_str(&ok(&hub.rops(&analyst, &["rollup", "region", "16", "--from", "2024-Q1", "--to", "2024-Q4", "--format", "json"]))).unwrap();
        let jobs = json["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "jobs_created").unwrap();
        assert_eq!(jobs["value"], 1234);
        let csv_out = hub.dir.path().join("rollup.csv");
        ok(&hub.rops(&analyst, &["rollup", "region", "16", "--year", "2024", "--format", "csv", "-o", csv_out.to_str().unwrap()]));
        let text = std::fs::read_to_string(&csv_out).unwrap();
        assert!(text.starts_with('\u{feff}') && text.contains("jobs_created;flow;region;16;1234"), "{text}");
        let xlsx_out = hub.dir.path().join("rollup.xlsx");
        ok(&hub.rops(&analyst, &["rollup", "region", "16", "--year", "2024", "--format", "xlsx", "-o", xlsx_out.to_str().unwrap()]));
        assert!(std::fs::read(&xlsx_out).unwrap().starts_with(b"PK"), "an XLSX (zip) file");
        let out = failed(&hub.rops(&analyst, &["rollup", "region", "16", "--format", "xlsx"]));
        assert!(out.contains("-o"), "{out}");
        let out = failed(&hub.rops(&analyst, &["rollup", "region", "99", "--year", "2024"]));
        assert!(out.contains("Błąd 404"), "{out}");
    }

    fn a_csv_without_a_header_is_read_whole_or_refused_never_cut(db) {
        use rops_domain::role::Role;
        let hub = Hub::start(&db);
        let owes = hub.token(Role::Owes, Some("OWES-PN"));

        let bare = hub.file("values.csv", "jobs_created,4\nanimators_employed,2\n");
        assert!(ok(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q1", "--file", &bare])).contains("wersja 1"));
        let v = hub.values(&owes, "OWES-PN", "2024-Q1");
        assert_eq!((v["jobs_created"].as_i64(), v["animators_employed"].as_i64()), (Some(4), Some(2)), "both rows stored: {v}");

        // Polish Excel: Windows-1250, `;`, a Polish header, a no-break space in thousands.
        let excel = hub.file_bytes("excel.csv", b"wska\x9Fnik;warto\x9C\xE6;nazwa wska\x9Fnika;;\r\njobs_created;1\xA0250;Liczba miejsc pracy;;\r\nanimators_employed;2,00;Liczba animator\xF3w;;\r\n;;;;\r\n");
        assert!(ok(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q2", "--file", &excel])).contains("wersja 1"));
        let v = hub.values(&owes, "OWES-PN", "2024-Q2");
        assert_eq!((v["jobs_created"].as_i64(), v["animators_employed"].as_i64()), (Some(1250), Some(2)), "{v}");

        let unknown = hub.file("unknown.csv", "jobs_creatd,4\nanimators_employed,2\n");
        let out = failed(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q3", "--file", &unknown]));
        assert!(out.contains("wiersz 1: `jobs_creatd` nie jest ani kodem wskaźnika, ani nagłówkiem"), "{out}");
        let bad = hub.file("bad.csv", "indicator,value\njobs_created,x\nbogus,1\n");
        let out = failed(&hub.rops(&owes, &["report", "put", "OWES-PN", "2024-Q3", "--file", &bad]));
        assert!(out.contains("wiersz 2: `x` nie jest liczbą") && out.contains("wiersz 3: nieznany wskaźnik `bogus`"), "every problem, by line: {out}");
    }

    fn spreadsheet_files_go_as_they_are_and_problems_read_in_polish(db) {
        use rops_domain::role::Role;
        let hub = Hub::start(&db);
        let owes = hub.token(Role::Owes, Some("OWES-PN"));

        let excel = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/owes-2024-Q1-excel-pl.csv");
        let calc = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/owes-2024-Q2-libreoffice-pl.csv");
        let out = ok(&hub.rops(&owes, &["report", "import", "OWES-PN", excel, calc]));
        assert!(out.contains("2024-Q1 created") && out.contains("2024-Q2 created") && out.contains("2 przyjęte, 0 odrzucone"), "{out}");
        assert_eq!(hub.values(&owes, "OWES-PN", "2024-Q1")["jobs_created"], 1250);

        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["period", "jobs_created", "animators_employed"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "2024-Q3").unwrap();
        sheet.write_number(1, 1, 7.0).unwrap();
        sheet.write_string(1, 2, "3").unwrap();
        let xlsx = hub.file_bytes("q3.xlsx", &book.save_to_buffer().unwrap());
        assert!(ok(&hub.rops(&owes, &["report", "import", "OWES-PN", &xlsx])).contains("2024-Q3 created"));
        let v = hub.values(&owes, "OWES-PN", "2024-Q3");
        assert_eq!((v["jobs_created"].as_i64(), v["animators_employed"].as_i64()), (Some(7), Some(3)), "{v}");

        let bogus = hub.file("bogus.csv", "period,indicator,value\n2024-Q4,jobs_created,1\n2024-Q4,bogus,2\n");
        let out = failed(&hub.rops(&owes, &["report", "import", "OWES-PN", &bogus]));
        assert!(out.contains("Błąd 422: Nieprawidłowe dane\n  - wiersz 3, kolumna indicator: nieznany wskaźnik `bogus`; wskaźniki to: "), "{out}");
        let old = hub.file("old.xls", "not read");
        let out = failed(&hub.rops(&owes, &["report", "import", "OWES-PN", &old]));
        assert!(out.contains("zapisz go jako .xlsx"), "{out}");

        let template = hub.dir.path().join("szablon.csv");
        let template = template.to_str().unwrap();
        assert!(ok(&hub.rops(&owes, &["report", "template", "OWES-PN", "--period", "2024-Q4", "-o", template])).contains("Zapisano"));
        let text = std::fs::read_to_string(template).unwrap();
        assert!(text.starts_with("\u{feff}period;indicator;value;nazwa wskaźnika\r\n2024-Q4;initiative_groups_created;;Liczba"), "{text}");
        std::fs::write(template, text.replace(";;", ";0;")).unwrap();
        let out = ok(&hub.rops(&owes, &["report", "import", "OWES-PN", template]));
        assert!(out.contains("2024-Q4 created"), "{out}");
        assert!(ok(&hub.rops(&owes, &["report", "submit", "OWES-PN", "2024-Q4"])).contains("submitted"), "the filled template has every value");
        let printed = ok(&hub.rops(&owes, &["report", "template", "OWES-PN"]));
        assert!(printed.starts_with("period;indicator;value;nazwa wskaźnika"), "{printed}");
        let out = failed(&hub.rops(&owes, &["report", "template", "OWES-PN", "--format", "xlsx"]));
        assert!(out.contains("-o"), "{out}");
        let xlsx_out = hub.dir.path().join("szablon.xlsx");
        ok(&hub.rops(&owes, &["report", "template", "OWES-PN", "--format", "xlsx", "-o", xlsx_out.to_str().unwrap()]));
        assert!(std::fs::read(&xlsx_out).unwrap().starts_with(b"PK"));
        let other = hub.token(Role::Owes, Some("OWES-PD"));
        let out = failed(&hub.rops(&other, &["report", "template", "OWES-PN"]));
        assert!(out.contains("Błąd 403: Brak uprawnień"), "{out}");
    }
}
