//! `serve --demo`: a first look with figures.

use super::*;
use chrono::Datelike;

backend_tests! {
    async fn serve_demo_fills_an_empty_database_once_and_the_rollup_has_figures(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let server = Server::start_with(&env, &["serve", "--demo"]).await;
        let line = server.printed.iter().find(|l| l.starts_with("demo data: ")).cloned();
        let line = line.unwrap_or_else(|| panic!("no demo line in {:?}", server.printed));
        assert!(line.ends_with(" events (marked [DEMO])") && line.contains(" OWES reports, "), "{line}");

        let analyst = env.token("analyst", None);
        let year = chrono::Utc::now().year() - 1;
        let (status, _, rollup) = server.get(&format!("/api/v1/rollups/regions/16?year={year}"), Some(&analyst)).await;
        assert_eq!(status, 200, "{rollup}");
        let figures = rollup["indicators"].as_array().unwrap();
        let filled = figures.iter().filter(|i| !i["value"].is_null()).count();
        assert!(filled * 10 >= figures.len() * 9, "{filled} of {} have figures: {rollup}", figures.len());
        assert!(rollup["completeness"]["received"].as_u64().unwrap() > 0, "{rollup}");
        assert!(rollup["lpres"]["adopted"].as_u64().unwrap() > 0, "{rollup}");
        let (_, _, events) = server.get("/api/v1/regions/16/events", Some(&analyst)).await;
        assert!(events.as_array().unwrap().iter().all(|e| e["title"].as_str().unwrap().starts_with("[DEMO] ")), "{events}");
        server.stop().await;

        let server = Server::start_with(&env, &["serve", "--demo"]).await;
        assert!(
            server.printed.iter().any(|l| l == "demo data: the database holds reports already; nothing added"),
            "{:?}",
            server.printed
        );
        server.stop().await;
        let server = Server::start(&env).await;
        assert!(!server.printed.iter().any(|l| l.starts_with("demo data")), "{:?}", server.printed);
        server.stop().await;
    }
}
