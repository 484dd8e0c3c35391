//! Demo data (`rops_store::demo`): deterministic, every status and completeness case, a
//! rollup with figures, and nothing added to a database that holds reports.

use super::write;
use chrono::{NaiveDate, NaiveTime};
use rops_aggregation::rollup::{Rollup, TargetStatus};
use rops_aggregation::{Request, Scope};
use rops_domain::indicator::Stream;
use rops_domain::period::{Quarter, Window};
use rops_store::conn::DatabaseUrl;
use rops_store::demo::{self, DemoSummary};
use rops_store::reports::{self, Report, ReportFilter};
use rops_store::testing::TestDb;
use rops_store::{lpres, rollups, DbConnection};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn fill(conn: &mut DbConnection, today: NaiveDate) -> DemoSummary {
    write(conn, |c| demo::fill(c, today)).unwrap()
}

/// Every report of every stream, in (unit, period) order.
fn all_reports(conn: &mut DbConnection) -> Vec<Report> {
    Stream::ALL
        .into_iter()
        .flat_map(|s| reports::list(conn, s, &ReportFilter::default()).unwrap())
        .collect()
}

/// The region's rollup over `window`, as of now or the start of `today`, whichever is later:
/// after every demo write, and after the sample's entities were registered (now).
fn rollup(conn: &mut DbConnection, window: Window, today: NaiveDate) -> Rollup {
    let as_of = today
        .and_time(NaiveTime::MIN)
        .and_utc()
        .max(chrono::Utc::now());
    let reading = rollups::Reading {
        windows: &[window],
        as_of: Some(as_of),
    };
    let inputs = rollups::inputs(conn, "16", reading).unwrap();
    let request = Request {
        scope: Scope::Region,
        window,
        as_of,
        approved_only: false,
        deadline_days: 15,
    };
    rops_aggregation::rollup(&inputs, &request)
}

/// Another fresh database on the same backend as `db`.
fn twin(db: &TestDb) -> TestDb {
    match db.url() {
        DatabaseUrl::Sqlite(_) => TestDb::sqlite(),
        DatabaseUrl::Postgres(_) => TestDb::postgres().expect("the server answered a moment ago"),
    }
}

rops_store::backend_tests! {
    fn demo_data_is_the_same_for_the_same_day(db) {
        let db = db.with_sample();
        let other = twin(&db).with_sample();
        let (mut a, mut b) = (db.conn(), other.conn());
        let first = fill(&mut a, today());
        assert!(first.filled && first.owes_reports > 20, "{first:?}");
        assert_eq!(fill(&mut b, today()), first);
        assert_eq!(all_reports(&mut a), all_reports(&mut b));
        assert_eq!(lpres::region(&mut a, "16").unwrap(), lpres::region(&mut b, "16").unwrap());
        assert!(all_reports(&mut a).iter().all(|r| r.updated_by == demo::DEMO_ACTOR
            && r.note.as_deref().is_some_and(|n| n.starts_with(demo::MARK))));
    }

    fn demo_data_has_every_status_and_reports_on_time_late_and_missing(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let summary = fill(&mut conn, today());
        let s = summary.by_status;
        assert!(s.approved > s.submitted + s.returned + s.draft, "most are approved: {summary}");
        assert!(s.submitted >= 1 && s.returned >= 2 && s.draft >= 1, "{summary}");
        assert!(summary.lpres_adopted >= 8 && summary.lpres_statuses > 35, "{summary}");
        assert!(summary.gmina_reports >= 3 && summary.entity_reports >= 3 && summary.events >= 20, "{summary}");
        let returned: Vec<Report> = all_reports(&mut conn)
            .into_iter()
            .filter(|r| r.status == rops_domain::report::ReportStatus::Returned)
            .collect();
        assert!(returned.iter().all(|r| r.return_reason.as_deref().is_some_and(|why| why.contains("prosimy"))));

        let window = Window::new(Quarter::new(2024, 1).unwrap(), Quarter::new(2026, 3).unwrap()).unwrap();
        let c = rollup(&mut conn, window, today()).completeness.counts;
        assert_eq!(c.expected, 33, "3 OWES × 11 ended quarters: {c:?}");
        assert!(c.on_time > 0, "on time: {c:?}");
        assert!(c.received > c.on_time, "late: {c:?}");
        assert!(c.expected > c.received, "missing: {c:?}");
        assert!(c.approved > c.expected / 2, "{c:?}");
    }

    fn demo_data_gives_the_previous_year_a_rollup_with_figures(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        fill(&mut conn, today());
        let r = rollup(&mut conn, Window::year(2025).unwrap(), today());
        let filled = r.indicators.iter().filter(|i| !i.value.is_null()).count();
        let nulls: Vec<String> = r.indicators.iter().filter(|i| i.value.is_null()).map(|i| i.code.to_string()).collect();
        assert!(filled * 10 >= r.indicators.len() * 9, "{filled} of {} have figures; null: {nulls:?}", r.indicators.len());
        assert!(r.targets.iter().any(|t| t.status == TargetStatus::Achieved));
        assert!(r.targets.iter().any(|t| t.status != TargetStatus::Achieved));
        assert!(r.lpres.adopted >= 8, "{:?}", r.lpres);
        assert!(r.results.iter().any(|res| res.gminas > 0));
    }

    // A rollup reads only its window's reports (and its targets' spans), and as of now the
    // current-state tables: both give exactly what the whole history gives.
    fn the_window_and_the_current_state_read_what_the_whole_history_gives(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        fill(&mut conn, today());
        let now = chrono::Utc::now();
        let everything = Window::new(Quarter::new(2000, 1).unwrap(), Quarter::new(2030, 4).unwrap()).unwrap();
        let whole = rollups::inputs(&mut conn, "16", rollups::Reading { windows: &[everything], as_of: Some(now) }).unwrap();
        for window in [
            Window::year(2024).unwrap(),
            Window::year(2025).unwrap(),
            Window::new(Quarter::new(2024, 3).unwrap(), Quarter::new(2026, 2).unwrap()).unwrap(),
        ] {
            let request = Request { scope: Scope::Region, window, as_of: now, approved_only: false, deadline_days: 15 };
            let expected = rops_aggregation::rollup(&whole, &request);
            let read = rollups::inputs(&mut conn, "16", rollups::Reading { windows: &[window], as_of: Some(now) }).unwrap();
            assert!(read.report_revisions.len() < whole.report_revisions.len(), "{window:?} reads less");
            assert_eq!(rops_aggregation::rollup(&read, &request), expected, "{window:?} as of a moment");
            let current = rollups::inputs(&mut conn, "16", rollups::Reading { windows: &[window], as_of: None }).unwrap();
            assert_eq!(rops_aggregation::rollup(&current, &request), expected, "{window:?} now");
            for scope in [Scope::Subregion("OPL-PN".parse().unwrap()), Scope::Owes("OWES-PD".parse().unwrap())] {
                let request = Request { scope, ..request.clone() };
                assert_eq!(rops_aggregation::rollup(&current, &request), rops_aggregation::rollup(&whole, &request));
            }
        }
    }

    fn demo_data_is_added_only_to_a_database_without_reports(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        assert!(fill(&mut conn, today()).filled);
        let before = all_reports(&mut conn);
        let again = fill(&mut conn, today());
        assert_eq!(again, DemoSummary::default(), "nothing added");
        assert!(!again.filled);
        assert_eq!(all_reports(&mut conn), before);
    }

    fn demo_data_fills_on_any_day_of_the_year(db) {
        // The first days of a quarter, of a year, and one after a quarter's end: every write
        // passes the store's checks (periods begun, dates not in the future).
        for day in [(2027, 1, 1), (2026, 4, 1), (2026, 10, 2)] {
            let db = twin(&db).with_sample();
            let mut conn = db.conn();
            let day = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
            let summary = fill(&mut conn, day);
            assert!(summary.filled && summary.owes_reports >= 20 && summary.events > 0, "{day}: {summary}");
        }
    }
}
