//! Store tests: every test runs on SQLite and on PostgreSQL, each on a fresh database.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::event::EventFields;
use rops_domain::indicator::Stream;
use rops_domain::lpres::{Lpres, LpresStatus};
use rops_domain::period::Quarter;
use rops_domain::report::{ReportPeriod, ReportStatus, Transition};
use rops_domain::territory::{PowiatCode, RegionCode};
use rops_store::backend_tests;
use rops_store::entities;
use rops_store::events::{self, EventDraft};
use rops_store::reports::{self, Actor, ReportInput, ReportKey};
use rops_store::writes::{put_owes, put_subregion, OwesInput, Put, SubregionInput};
use rops_store::IfMatch;
use rops_store::{lpres, queries, reference, Clock, DbConnection, StoreError, StoreResult};

#[path = "store/demo.rs"]
mod demo;

/// Runs `f` as one unit of work, as a request does (store functions begin no transaction).
fn write<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    rops_store::write_transaction(conn, f)
}

fn sample() -> rops_domain::reference::ReferenceFile {
    reference::parse(reference::SAMPLE_REGION).unwrap()
}

/// Every row of every reference table, as text, to compare whole databases.
fn dump(conn: &mut DbConnection) -> String {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    let tables = [
        ("regions", "code || '|' || name"),
        ("powiats", "code || '|' || region_code || '|' || name || '|' || kind"),
        ("gminas", "teryt || '|' || powiat_code || '|' || name || '|' || kind"),
        ("subregions", "code || '|' || region_code || '|' || name"),
        ("subregion_powiats", "powiat_code || '|' || subregion_code"),
        ("owes", "code || '|' || name || '|' || subregion_code || '|' || active_from || '|' || COALESCE(active_to, '-')"),
        ("indicators", "code || '|' || stream || '|' || kind || '|' || unit || '|' || COALESCE(numerator, '-')"),
        ("result_items", "code || '|' || group_code || '|' || name_pl"),
        ("event_types", "code || '|' || name_pl"),
        ("programme_targets", "programme_code || '|' || indicator || '|' || scope || '|' || target_window"),
        ("entities", "code || '|' || kind || '|' || seat_teryt || '|' || serves_json || '|' || updated_at"),
        ("entity_revisions", "code || '|' || action || '|' || recorded_at || '|' || recorded_by"),
    ];
    let mut out = String::new();
    for (table, expr) in tables {
        let lines: Vec<Line> =
            diesel::sql_query(format!("SELECT {expr} AS line FROM {table} ORDER BY 1"))
                .load(conn)
                .unwrap();
        for l in lines {
            out.push_str(table);
            out.push(':');
            out.push_str(&l.line);
            out.push('\n');
        }
    }
    out
}

backend_tests! {
    fn sample_region_has_three_subregions_and_71_gminas(db) {
        let mut conn = db.conn();
        assert!(write(&mut conn, reference::seed_sample_if_empty).unwrap());
        assert!(!write(&mut conn, reference::seed_sample_if_empty).unwrap(), "a second seed does nothing");
        let region = queries::region(&mut conn, "16").unwrap().unwrap();
        assert_eq!(region.subregions.len(), 3);
        assert_eq!(region.subregions.iter().map(|s| s.gmina_count).sum::<usize>(), 71);
        assert!(region.unassigned_powiats.is_empty());
        let k = queries::gmina(&mut conn, "1604023").unwrap().unwrap();
        assert_eq!((k.name.as_str(), k.kind.as_str(), k.powiat.as_str()), ("Kluczbork", "urban-rural", "1604"));
        assert_eq!(k.subregion.as_deref(), Some("OPL-PN"));
        assert_eq!(queries::gminas(&mut conn, Some("16"), None).unwrap().len(), 71);
        assert_eq!(queries::gminas(&mut conn, None, Some("OPL-PN")).unwrap().len(), 22);
        assert_eq!(queries::owes_list(&mut conn, Some("16")).unwrap().len(), 3);
        let catalogue = queries::catalogue(&mut conn).unwrap();
        assert_eq!(catalogue.indicators.iter().filter(|i| i.stream == "owes").count(), 10);
        assert_eq!(catalogue.indicators.iter().filter(|i| i.stream == "gmina").count(), 14);
        assert_eq!(catalogue.result_groups.iter().map(|g| g.items.len()).sum::<usize>(), 20);
        let programme = queries::programme(&mut conn, "OPL-2024-2027").unwrap().unwrap();
        assert_eq!(programme.targets.len(), 16);
        assert_eq!(programme.targets[0].measure, "lpres_adopted");
        assert_eq!(programme.targets[1].measure, "event_count");
        assert_eq!(programme.targets[6].measure, "indicator");
    }

    fn importing_the_same_file_twice_changes_nothing(db) {
        let mut conn = db.conn();
        let first = write(&mut conn, |c| reference::import(c, &sample())).unwrap();
        assert!(first.created > 71);
        let before = dump(&mut conn);
        let second = write(&mut conn, |c| reference::import(c, &sample())).unwrap();
        assert_eq!((second.created, second.updated, second.removed), (0, 0, 0), "{second:?}");
        assert_eq!(dump(&mut conn), before);
    }

    fn a_changed_file_updates_and_a_bad_one_changes_nothing(db) {
        let mut conn = db.conn();
        write(&mut conn, |c| reference::import(c, &sample())).unwrap();
        let mut file = sample();
        file.region.owes[0].name = "Nowa nazwa".into();
        file.region.programmes[0].targets.truncate(10);
        let summary = write(&mut conn, |c| reference::import(c, &file)).unwrap();
        assert_eq!((summary.updated, summary.removed), (1, 6), "{summary:?}");
        let before = dump(&mut conn);

        let mut bad = sample();
        bad.region.name = "zmieniona".into();
        bad.region.gminas[3].kind = rops_domain::territory::GminaKind::Urban;
        let err = write(&mut conn, |c| reference::import(c, &bad)).unwrap_err();
        assert!(matches!(err, StoreError::Reference(_)), "{err}");
        assert_eq!(dump(&mut conn), before, "a refused file leaves no trace");
    }

    fn owes_put_creates_then_updates_and_checks_the_subregion(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let code = OwesCode::parse("OWES-NEW").unwrap();
        let mut input = OwesInput {
            name: "Nowy OWES".into(),
            subregion: SubregionCode::parse("OPL-PD").unwrap(),
            active_from: Quarter::parse("2025-Q1").unwrap(),
            active_to: None,
        };
        let (view, put) = write(&mut conn, |c| put_owes(c, &code, &input)).unwrap();
        assert_eq!((put, view.region.as_str()), (Put::Created, "16"));
        input.active_to = Some(Quarter::parse("2026-Q4").unwrap());
        let (view, put) = write(&mut conn, |c| put_owes(c, &code, &input)).unwrap();
        assert_eq!((put, view.active_to.as_deref()), (Put::Updated, Some("2026-Q4")));
        input.subregion = SubregionCode::parse("OPL-NOPE").unwrap();
        input.active_to = Some(Quarter::parse("2020-Q1").unwrap());
        let StoreError::Invalid(errors) = write(&mut conn, |c| put_owes(c, &code, &input)).unwrap_err() else { panic!() };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subregion", "active_to"]);
        assert_eq!(queries::owes(&mut conn, "OWES-NEW").unwrap().unwrap().subregion, "OPL-PD");
    }

    fn subregion_put_refuses_a_powiat_held_elsewhere(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let p = |c: &str| PowiatCode::parse(c).unwrap();
        let input = SubregionInput {
            region: RegionCode::parse("16").unwrap(),
            name: "Nowy".into(),
            powiats: vec![p("1604"), p("2201")],
        };
        let code = SubregionCode::parse("OPL-NEW").unwrap();
        let StoreError::Invalid(errors) = write(&mut conn, |c| put_subregion(c, &code, &input)).unwrap_err() else { panic!() };
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].message.contains("already belongs to subregion OPL-PN"), "{errors:?}");
        assert!(queries::subregion(&mut conn, "OPL-NEW").unwrap().is_none());

        // Shrinking OPL-PN frees kluczborski, which the new subregion may then take.
        let north = SubregionInput {
            region: RegionCode::parse("16").unwrap(),
            name: "Subregion północny".into(),
            powiats: vec![p("1601"), p("1606"), p("1608")],
        };
        let (view, put) = write(&mut conn, |c| put_subregion(c, &SubregionCode::parse("OPL-PN").unwrap(), &north)).unwrap();
        assert_eq!((put, view.powiats.len()), (Put::Updated, 3));
        let input = SubregionInput { powiats: vec![p("1604")], ..input };
        let (view, put) = write(&mut conn, |c| put_subregion(c, &code, &input)).unwrap();
        assert_eq!((put, view.gmina_count), (Put::Created, 4));
        let region = queries::region(&mut conn, "16").unwrap().unwrap();
        assert_eq!(region.subregions.iter().map(|s| s.gmina_count).sum::<usize>(), 71);
    }

    fn a_failed_write_transaction_leaves_nothing(db) {
        let mut conn = db.conn();
        let result: Result<(), StoreError> = rops_store::write_transaction(&mut conn, |conn| {
            conn.batch_execute("INSERT INTO regions (code, name) VALUES ('22', 'pomorskie')")?;
            Err(StoreError::NotFound("on purpose".into()))
        });
        assert!(result.is_err());
        assert!(queries::regions(&mut conn).unwrap().is_empty());
    }

    fn foreign_keys_are_enforced(db) {
        let mut conn = db.conn();
        let err = conn.batch_execute("INSERT INTO powiats (code, region_code, name, kind) VALUES ('9901', '99', 'x', 'powiat')");
        assert!(err.is_err(), "a powiat of a missing region is refused");
    }
}

/// Runs `write(conn, i)` for i in 0..n on n threads at once, each with its own pooled
/// connection, and returns the results in order of i.
fn race<T: Send>(
    db: &rops_store::testing::TestDb,
    n: usize,
    write: impl Fn(&mut DbConnection, usize) -> Result<T, StoreError> + Sync,
) -> Vec<Result<T, StoreError>> {
    let start = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (start, write) = (&start, &write);
                scope.spawn(move || {
                    start.wait();
                    let mut conn = db.pool().get().map_err(StoreError::Pool)?;
                    write(&mut conn, i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn report_key(period: &str) -> ReportKey {
    ReportKey {
        stream: Stream::Owes,
        unit: "OWES-PN".into(),
        period: ReportPeriod::Quarter(Quarter::parse(period).unwrap()),
    }
}

fn noted(i: usize) -> ReportInput {
    ReportInput {
        note: Some(format!("writer {i}")),
        ..ReportInput::default()
    }
}

fn actor() -> Actor<'static> {
    Actor::new("test", Clock::System)
}

fn lpres_in_preparation(i: usize) -> Lpres {
    Lpres {
        status: LpresStatus::InPreparation,
        resolution_number: None,
        adopted_on: None,
        plan_from: None,
        plan_to: None,
        document_url: Some(format!("https://bip.example/lpres/{i}")),
    }
}

fn event_draft(i: usize) -> EventDraft {
    EventDraft {
        event_type: "business_meeting".into(),
        subregion: None,
        fields: EventFields {
            date: chrono::NaiveDate::from_ymd_opt(2024, 5, 14).unwrap(),
            participants: 10,
            title: format!("Spotkanie {i}"),
            evidence_url: None,
        },
    }
}

backend_tests! {
    // PostgreSQL used to answer 8–9 of 16 such writes 412: each read the revision, and all
    // but one lost the compare-and-set. Without If-Match the caller asked for
    // last-writer-wins, so every write lands, one revision each.
    fn report_puts_without_if_match_all_land_and_a_stale_if_match_gets_412(db) {
        let db = db.with_sample();
        let key = report_key("2024-Q1");
        let mut conn = db.conn();
        write(&mut conn, |c| reports::put(c, &key, &noted(100), IfMatch::ANY, &actor())).unwrap();
        let results = race(&db, 16, |conn, i| write(conn, |c| reports::put(c, &key, &noted(i), IfMatch::ANY, &actor())));
        for (i, r) in results.iter().enumerate() {
            assert!(r.is_ok(), "writer {i}: {:?}", r.as_ref().err());
        }
        let revisions: Vec<i32> = reports::revisions(&mut conn, &key).unwrap().iter().map(|r| r.revision).collect();
        assert_eq!(revisions, (1..=17).collect::<Vec<_>>());
        assert_eq!(reports::get(&mut conn, &key).unwrap().unwrap().revision, 17);

        let stale = write(&mut conn, |c| reports::put(c, &key, &noted(200), IfMatch::revision(16), &actor())).unwrap_err();
        assert!(matches!(stale, StoreError::StaleRevision { .. }), "{stale}");
        let (report, _) = write(&mut conn, |c| reports::put(c, &key, &noted(200), IfMatch::revision(17), &actor())).unwrap();
        assert_eq!(report.revision, 18);

        // The first write of a report, 16 at once: one creates it, the others write over it.
        let key = report_key("2024-Q2");
        let results = race(&db, 16, |conn, i| write(conn, |c| reports::put(c, &key, &noted(i), IfMatch::ANY, &actor())));
        let puts: Vec<Put> = results.into_iter().map(|r| r.unwrap().1).collect();
        assert_eq!(puts.iter().filter(|p| **p == Put::Created).count(), 1, "{puts:?}");
        let revisions: Vec<i32> = reports::revisions(&mut conn, &key).unwrap().iter().map(|r| r.revision).collect();
        assert_eq!(revisions, (1..=16).collect::<Vec<_>>());

        // With If-Match, exactly one of several writers holding the same revision wins.
        let results = race(&db, 8, |conn, i| write(conn, |c| reports::put(c, &key, &noted(100 + i), IfMatch::revision(16), &actor())));
        let won = results.iter().filter(|r| r.is_ok()).count();
        let refused = results.iter().filter(|r| matches!(r, Err(StoreError::StaleRevision { .. }))).count();
        assert_eq!((won, refused), (1, 7), "{results:?}");
    }

    fn lpres_puts_without_if_match_all_land(db) {
        let db = db.with_sample();
        let results = race(&db, 16, |conn, i| write(conn, |c| lpres::put(c, "1604023", &lpres_in_preparation(i), IfMatch::ANY, &actor())));
        for (i, r) in results.iter().enumerate() {
            assert!(r.is_ok(), "writer {i}: {:?}", r.as_ref().err());
        }
        let mut conn = db.conn();
        let found = lpres::get(&mut conn, "1604023").unwrap();
        assert_eq!(found.current.revision, 16);
        let revisions: Vec<i32> = found.history.iter().map(|h| h.revision).collect();
        assert_eq!(revisions, (1..=16).collect::<Vec<_>>());
        let stale = write(&mut conn, |c| lpres::put(c, "1604023", &lpres_in_preparation(99), IfMatch::revision(3), &actor())).unwrap_err();
        assert!(matches!(stale, StoreError::StaleRevision { .. }), "{stale}");
    }

    fn entity_puts_without_if_match_all_land(db) {
        let db = db.with_sample();
        let code = entity_code("KIS-RACE");
        // Sixteen first writes at once, each serving another gmina: one creates, the others
        // write over it, one revision each.
        let gminas = ["1604013", "1604023", "1604032", "1604043"];
        let results = race(&db, 16, |conn, i| {
            let e = entity("KIS", "1604023", &[gminas[i % 4], gminas[(i + 1) % 4]]);
            write(conn, |c| entities::put(c, &code, &e, IfMatch::ANY, &actor()))
        });
        let puts: Vec<Put> = results.into_iter().map(|r| r.unwrap().1).collect();
        assert_eq!(puts.iter().filter(|p| **p == Put::Created).count(), 1, "{puts:?}");
        let mut conn = db.conn();
        let revisions = entities::revisions(&mut conn, code.as_str()).unwrap();
        let current = entities::get(&mut conn, code.as_str()).unwrap();
        assert_eq!(revisions.last().map(|r| r.revision), Some(current.revision));
        assert_eq!(revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), (1..=current.revision).collect::<Vec<_>>());
    }

    fn event_updates_without_if_match_all_land(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let id = write(&mut conn, |c| events::create(c, "16", &event_draft(100), &actor())).unwrap().id;
        let results = race(&db, 16, |conn, i| write(conn, |c| events::update(c, &id, &event_draft(i), IfMatch::ANY, &actor())));
        for (i, r) in results.iter().enumerate() {
            assert!(r.is_ok(), "writer {i}: {:?}", r.as_ref().err());
        }
        let detail = events::get(&mut conn, &id).unwrap();
        let revisions: Vec<i32> = detail.revisions.iter().map(|r| r.revision).collect();
        assert_eq!(revisions, (1..=17).collect::<Vec<_>>());
        let stale = write(&mut conn, |c| events::withdraw(c, &id, IfMatch::revision(16), &actor())).unwrap_err();
        assert!(matches!(stale, StoreError::StaleRevision { .. }), "{stale}");
        write(&mut conn, |c| events::withdraw(c, &id, IfMatch::revision(17), &actor())).unwrap();
    }
}

fn count(conn: &mut DbConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

fn owes_batch(period: &str, values: &[(&str, i64)]) -> reports::ImportBatch {
    reports::ImportBatch {
        period: ReportPeriod::Quarter(Quarter::parse(period).unwrap()),
        values: values
            .iter()
            .map(|(code, v)| {
                (
                    (*code).to_owned(),
                    Some(rops_domain::number::Decimal::parse(&v.to_string()).unwrap()),
                )
            })
            .collect(),
    }
}

fn moment(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

backend_tests! {
    // The request decides where the transaction begins: two store writes in one outer
    // transaction are stored together or not at all.
    fn an_outer_transaction_rolled_back_undoes_every_store_write_in_it(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let key = report_key("2024-Q1");
        let result: StoreResult<()> = write(&mut conn, |c| {
            reports::put(c, &key, &noted(1), IfMatch::ANY, &actor())?;
            lpres::put(c, "1604023", &lpres_in_preparation(1), IfMatch::ANY, &actor())?;
            assert_eq!(count(c, "SELECT COUNT(*) AS n FROM reports"), 1, "visible inside the transaction");
            Err(StoreError::Conflict("the request fails after both writes".into()))
        });
        assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
        assert_eq!(reports::get(&mut conn, &key).unwrap(), None);
        assert_eq!(lpres::get(&mut conn, "1604023").unwrap().current.revision, 0);
        for table in ["reports", "report_revisions", "lpres", "lpres_revisions"] {
            assert_eq!(count(&mut conn, &format!("SELECT COUNT(*) AS n FROM {table}")), 0, "{table}");
        }
    }

    // Inside an open transaction, write_transaction is a savepoint: a write that fails in one
    // (here an import refused after writing its first period, and a statement the database
    // refuses, which on PostgreSQL would otherwise abort the whole transaction) undoes only
    // its own writes, and the outer transaction goes on and commits the rest.
    fn a_failing_inner_write_is_undone_and_the_outer_transaction_goes_on(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let event_id = write(&mut conn, |c| {
            reports::put(c, &report_key("2024-Q1"), &noted(1), IfMatch::ANY, &actor())?;
            let batches = [
                owes_batch("2024-Q2", &[("jobs_created", 3)]),
                owes_batch("2024-Q3", &[("jobs_created", -1)]),
            ];
            let refused = write(c, |c| reports::import(c, Stream::Owes, "OWES-PN", &batches, &actor()));
            let Err(StoreError::ImportRefused(problems)) = refused else { panic!("{refused:?}") };
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!((problems[0].period.to_string(), problems[0].indicator.as_deref()), ("2024-Q3".to_owned(), Some("jobs_created")));
            let refused: StoreResult<()> = write(c, |c| {
                c.batch_execute("INSERT INTO powiats (code, region_code, name, kind) VALUES ('9901', '99', 'x', 'powiat')")?;
                Ok(())
            });
            assert!(matches!(refused, Err(StoreError::Database(_))), "{refused:?}");
            let tried = rops_store::write_transaction_as(c, rops_store::WriteMode::DryRun, |c| {
                reports::put(c, &report_key("2024-Q4"), &noted(4), IfMatch::ANY, &actor())
            });
            assert_eq!(tried.unwrap().1, Put::Created, "a dry run answers as if stored");
            let event = events::create(c, "16", &event_draft(1), &actor())?;
            Ok(event.id)
        })
        .unwrap();
        let stored: Vec<String> = reports::list(&mut conn, Stream::Owes, &Default::default()).unwrap().into_iter().map(|r| r.period).collect();
        assert_eq!(stored, ["2024-Q1"], "the refused import's 2024-Q2 and the dry run's 2024-Q4 are gone");
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM report_revisions"), 1);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM powiats WHERE code = '9901'"), 0);
        assert_eq!(events::get(&mut conn, &event_id).unwrap().event.revision, 1);
    }

    // Store writes begin no transaction, so one called outside any is refused rather than
    // run unprotected (no lock held, no all-or-nothing).
    fn a_store_write_outside_a_transaction_is_refused(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let err = reports::put(&mut conn, &report_key("2024-Q1"), &noted(1), IfMatch::ANY, &actor()).unwrap_err();
        assert!(matches!(err, StoreError::Setup(_)), "{err:?}");
        let err = events::create(&mut conn, "16", &event_draft(1), &actor()).unwrap_err();
        assert!(matches!(err, StoreError::Setup(_)), "{err:?}");
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM reports"), 0);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM events"), 0);
    }

    // The errors a caller acts on carry data: the current revision and what was asked, the
    // status that locks a report, the transition that does not apply, the import's problems
    // by period and indicator.
    fn refusals_carry_what_the_caller_needs(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let key = report_key("2024-Q1");
        let err = write(&mut conn, |c| reports::put(c, &key, &noted(1), IfMatch::revision(1), &actor())).unwrap_err();
        let StoreError::StaleRevision { current: None, asked, .. } = &err else { panic!("{err:?}") };
        assert_eq!(*asked, IfMatch::revision(1));
        assert!(err.to_string().contains("does not exist, so it is not at revision 1"), "{err}");
        write(&mut conn, |c| reports::put(c, &key, &noted(1), IfMatch::ANY, &actor())).unwrap();
        let err = write(&mut conn, |c| reports::put(c, &key, &noted(2), IfMatch::of(&[7, 3]).unwrap(), &actor())).unwrap_err();
        let StoreError::StaleRevision { current: Some(1), .. } = &err else { panic!("{err:?}") };
        assert!(err.to_string().contains("is at revision 1, not 7 or 3"), "{err}");

        let err = write(&mut conn, |c| reports::transition(c, &key, Transition::Approve, None, IfMatch::ANY, &actor())).unwrap_err();
        let StoreError::NotApplicable { status: ReportStatus::Draft, transition: Transition::Approve, .. } = &err else { panic!("{err:?}") };
        assert!(err.to_string().contains("draft"), "{err}");

        let full: rops_domain::values::Input = ["initiative_groups_created", "enterprises_created", "jobs_created", "ps_jobs_created_with_grants", "local_partnerships_created", "procurement_procedures_supported", "animators_employed", "joint_projects", "vocational_training_participants", "reintegration_plans"]
            .into_iter()
            .map(|c| (c.to_owned(), Some(rops_domain::number::Decimal::parse("1").unwrap())))
            .collect();
        let input = ReportInput { values: full, ..ReportInput::default() };
        write(&mut conn, |c| reports::put(c, &key, &input, IfMatch::ANY, &actor())).unwrap();
        for step in [Transition::Submit, Transition::Approve] {
            write(&mut conn, |c| reports::transition(c, &key, step, None, IfMatch::ANY, &actor())).unwrap();
        }
        let err = write(&mut conn, |c| reports::put(c, &key, &noted(3), IfMatch::ANY, &actor())).unwrap_err();
        let StoreError::Locked { status: ReportStatus::Approved, subject } = &err else { panic!("{err:?}") };
        assert_eq!(subject, &rops_store::Subject::Report(key.clone()));
        assert!(err.to_string().contains("approved and locked"), "{err}");

        let err = write(&mut conn, |c| reports::import(c, Stream::Owes, "OWES-PN", &[owes_batch("2024-Q1", &[("jobs_created", 2)])], &actor())).unwrap_err();
        let StoreError::ImportRefused(problems) = &err else { panic!("{err:?}") };
        assert_eq!((problems[0].period, problems[0].indicator.as_deref()), (key.period, None), "a locked period is a problem of the period");
        assert!(problems[0].message.contains("approved"), "{problems:?}");
    }

    // "Today" comes from the clock the caller passes, not from the system: with the clock
    // fixed on 10 February 2024, 2024-Q2 has not started and is refused, while 2024-Q1 is
    // written, stamped with that moment.
    fn a_quarter_that_has_not_started_by_the_fixed_clock_is_refused(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let clock = Clock::Fixed(moment("2024-02-10T09:00:00Z"));
        let fixed = Actor::new("test", clock);
        let err = write(&mut conn, |c| reports::put(c, &report_key("2024-Q2"), &noted(1), IfMatch::ANY, &fixed)).unwrap_err();
        let StoreError::Invalid(errors) = &err else { panic!("{err:?}") };
        assert_eq!(errors[0].field, "period");
        assert!(errors[0].message.contains("2024-Q2 has not started yet"), "{errors:?}");
        let (report, put) = write(&mut conn, |c| reports::put(c, &report_key("2024-Q1"), &noted(1), IfMatch::ANY, &fixed)).unwrap();
        assert_eq!((put, report.updated_at.as_str()), (Put::Created, "2024-02-10T09:00:00.000000Z"));
        // By the system clock (years later) the same quarter has begun.
        write(&mut conn, |c| reports::put(c, &report_key("2024-Q2"), &noted(1), IfMatch::ANY, &actor())).unwrap();
    }
}

/// Both migration trees produce the same tables with the same columns and nullability.
#[test]
fn migration_trees_are_equivalent() {
    #[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Column {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
        #[diesel(sql_type = Integer)]
        not_null: i32,
    }
    let sqlite = rops_store::testing::TestDb::sqlite();
    let mut conn = sqlite.conn();
    let mut lite: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" OR p.pk > 0) AS not_null \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
    )
    .load(&mut **conn)
    .unwrap();
    lite.sort();
    assert!(lite.len() > 30, "the SQLite schema was read: {lite:?}");
    let Some(pg) = rops_store::testing::TestDb::postgres() else {
        return;
    };
    let mut conn = pg.conn();
    let mut post: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut **conn)
    .unwrap();
    post.sort();
    assert_eq!(lite, post);

    // The same triggers keep the rollup versions on both (one per table and event).
    #[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Trigger {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let mut conn = sqlite.conn();
    let mut lite: Vec<Trigger> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .load(&mut **conn)
            .unwrap();
    lite.sort();
    assert!(lite.len() >= 60, "{lite:?}");
    let mut conn = pg.conn();
    let mut post: Vec<Trigger> = diesel::sql_query(
        "SELECT DISTINCT trigger_name::text AS name FROM information_schema.triggers \
         WHERE trigger_schema = 'public'",
    )
    .load(&mut **conn)
    .unwrap();
    post.sort();
    assert_eq!(lite, post);

    // The same indexes besides those of keys and unique columns (the rollups' reads rely on
    // them on both).
    let mut conn = sqlite.conn();
    let mut lite: Vec<Trigger> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .load(&mut **conn)
    .unwrap();
    lite.sort();
    assert!(lite.iter().any(|i| i.name == "reports_window"), "{lite:?}");
    let mut conn = pg.conn();
    let mut post: Vec<Trigger> = diesel::sql_query(
        "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    )
    .load(&mut **conn)
    .unwrap();
    post.sort();
    assert_eq!(lite, post);
}

/// SQLite runs in WAL mode (with synchronous=NORMAL: every commit survives a crash of the
/// process). Before, conn.rs said so but never set it: the file stayed in rollback-journal
/// mode, which needs a new journal file in the folder for every write.
#[test]
fn sqlite_runs_in_wal_mode() {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let db = rops_store::testing::TestDb::sqlite();
    let mut conn = db.conn();
    let mode: Vec<Mode> = diesel::sql_query("PRAGMA journal_mode")
        .load(&mut **conn)
        .unwrap();
    assert_eq!(mode[0].journal_mode, "wal");
}

/// A pooled PostgreSQL connection whose server process has gone is not handed out again: one
/// idle for longer than a moment is tried before it is handed out (a busy one is trusted for
/// a moment after it answered, and distrusted when a request on it failed).
#[test]
fn dead_postgres_connections_are_tried_before_they_are_handed_out() {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }
    let Some(db) = rops_store::testing::TestDb::postgres() else {
        return;
    };
    let pool = rops_store::pool(db.url(), 1).unwrap();
    let pid = |conn: &mut DbConnection| -> QueryResult<i32> {
        diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(conn)
            .map(|p| p.pid)
    };
    let terminate = |pid: i32| {
        db.execute(&format!("SELECT pg_terminate_backend({pid})"));
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let first = pid(&mut pool.get().unwrap()).unwrap();
    terminate(first);
    let second = pid(&mut pool.get().unwrap()).expect("a live connection after an idle moment");
    assert_ne!(first, second);
}

/// A SQLite database removed under a running pool: no connection is handed out on it, none
/// creates an empty file in its place, and a new pool refuses to start while the marker says
/// a database was there.
#[test]
fn a_removed_sqlite_database_is_never_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rops.db");
    let url = rops_store::DatabaseUrl::Sqlite(path.clone());
    let pool = rops_store::pool(&url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    rops_store::migrations::run(&mut conn).unwrap();
    drop(conn);
    let marker = rops_store::conn::marker_path(&path);
    assert!(marker.exists());

    for file in ["rops.db", "rops.db-wal", "rops.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(file));
    }
    let got = pool.get_timeout(std::time::Duration::from_millis(300));
    assert!(
        got.is_err(),
        "a connection on the removed file was handed out"
    );
    assert!(
        !path.exists(),
        "the pool created an empty file in its place"
    );
    drop(pool);

    let err = rops_store::pool(&url, 2).expect_err("refused");
    assert!(matches!(err, StoreError::Setup(_)), "{err}");
    assert!(
        err.to_string().contains(&marker.display().to_string()),
        "{err}"
    );
    assert!(!path.exists());

    // Without the marker, the operator's choice: start over.
    std::fs::remove_file(&marker).unwrap();
    rops_store::pool(&url, 2).unwrap();
    assert!(path.exists() && marker.exists());
}

/// SQLite failures that mean "the database cannot be used now" are `Unavailable` (503), not
/// `Database` (500): here SQLITE_READONLY, from a connection opened read-only.
#[test]
fn a_read_only_sqlite_database_is_unavailable_not_a_fault() {
    let db = rops_store::testing::TestDb::sqlite();
    let rops_store::DatabaseUrl::Sqlite(path) = db.url() else {
        unreachable!()
    };
    let mut ro =
        diesel::SqliteConnection::establish(&format!("file:{}?mode=ro", path.display())).unwrap();
    let err: StoreError = ro
        .batch_execute("INSERT INTO regions (code, name) VALUES ('22', 'pomorskie')")
        .unwrap_err()
        .into();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    let err: StoreError = ro
        .batch_execute("SELECT nonsense FROM regions")
        .unwrap_err()
        .into();
    assert!(
        matches!(err, StoreError::Database(_)),
        "a query's own fault stays a fault: {err:?}"
    );
}

fn entity(kind: &str, seat: &str, serves: &[&str]) -> rops_domain::entity::Entity {
    rops_domain::entity::check_entity(&rops_domain::entity::EntityInput {
        kind: kind.into(),
        name: format!("{kind} w gminie {seat}"),
        seat: seat.into(),
        serves: serves.iter().map(|s| s.to_string()).collect(),
        operator: "ngo".into(),
        active_from: "2024-Q1".into(),
        active_to: None,
    })
    .unwrap()
}

fn entity_code(code: &str) -> rops_domain::entity::EntityCode {
    rops_domain::entity::EntityCode::parse(code).unwrap()
}

/// Region 22 (pomorskie) with one powiat and one gmina, to have a region beside the sample.
fn second_region() -> rops_domain::reference::ReferenceFile {
    serde_json::from_value(serde_json::json!({
        "format": "rops-hub/reference/v1",
        "region": {
            "code": "22", "name": "pomorskie",
            "powiats": [{"code": "2212", "name": "słupski", "kind": "powiat"}],
            "gminas": [{"teryt": "2212011", "name": "Ustka", "kind": "urban", "powiat": "2212"}]
        }
    }))
    .unwrap()
}

fn error_fields(err: StoreError) -> Vec<(String, String)> {
    match err {
        StoreError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other}"),
    }
}

backend_tests! {
    fn the_sample_register_holds_seed_004s_counts_once(db) {
        use rops_domain::entity::EntityKind;
        let db = db.with_sample();
        let mut conn = db.conn();
        let all = entities::list(&mut conn, "16", None).unwrap();
        assert_eq!(all.len(), 32);
        for (kind, n) in [(EntityKind::Zaz, 2), (EntityKind::Cis, 2), (EntityKind::Wtz, 15), (EntityKind::Kis, 13)] {
            let of_kind = entities::list(&mut conn, "16", Some(kind)).unwrap();
            assert_eq!(of_kind.len(), n, "{kind:?}");
            assert!(of_kind.iter().all(|e| e.kind == kind));
        }
        let served: std::collections::BTreeSet<&str> = all.iter().flat_map(|e| e.serves.iter().map(|t| t.as_str())).collect();
        assert!(served.len() < 71, "some gminas are covered by no entity");
        let cis = entities::get(&mut conn, "CIS-KLUCZBORK").unwrap();
        assert_eq!((cis.seat.as_str(), cis.region.as_str(), cis.revision), ("1604023", "16", 1));
        assert!(cis.serves.contains(&cis.seat));
        let revisions = entities::revisions(&mut conn, "CIS-KLUCZBORK").unwrap();
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].recorded_by, reference::IMPORTER);
        // Importing the sample again changes nothing: no new revision anywhere.
        let again = write(&mut conn, |c| reference::import(c, &sample())).unwrap();
        assert_eq!((again.created, again.updated, again.removed), (0, 0, 0), "{again:?}");
        assert_eq!(entities::revisions_of_region(&mut conn, "16").unwrap().len(), 32);
        // A changed entity in the file is a new revision by the import.
        let mut file = sample();
        file.region.entities[0].serves.pop();
        let changed = write(&mut conn, |c| reference::import(c, &file)).unwrap();
        assert_eq!((changed.created, changed.updated), (0, 1), "{changed:?}");
        let code = file.region.entities[0].code.as_str();
        assert_eq!(entities::get(&mut conn, code).unwrap().revision, 2);
    }

    fn put_creates_updates_and_keeps_every_revision(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        let code = entity_code("KIS-LASOWICE");
        let first = entity("KIS", "1604032", &[]);
        let (view, put) = write(&mut conn, |c| entities::put(c, &code, &first, IfMatch::ANY, &actor())).unwrap();
        assert_eq!((put, view.revision, view.serves.len()), (Put::Created, 1, 1));
        let wider = entity("KIS", "1604032", &["1604023", "1604013", "1604023"]);
        let (view, put) = write(&mut conn, |c| entities::put(c, &code, &wider, IfMatch::revision(1), &actor())).unwrap();
        assert_eq!((put, view.revision), (Put::Updated, 2));
        let serves: Vec<&str> = view.serves.iter().map(|t| t.as_str()).collect();
        assert_eq!(serves, ["1604013", "1604023", "1604032"]);
        // The same again: nothing changes, no revision.
        let (view, put) = write(&mut conn, |c| entities::put(c, &code, &wider, IfMatch::ANY, &actor())).unwrap();
        assert_eq!((put, view.revision), (Put::Updated, 2));
        let revisions = entities::revisions(&mut conn, code.as_str()).unwrap();
        let actions: Vec<&str> = revisions.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["create", "update"]);
        assert_eq!(revisions[0].serves.len(), 1);
        assert_eq!(revisions[1].recorded_by, "test");

        let stale = write(&mut conn, |c| entities::put(c, &code, &first, IfMatch::revision(1), &actor())).unwrap_err();
        assert!(matches!(stale, StoreError::StaleRevision { current: Some(2), .. }), "{stale}");
        assert!(stale.to_string().contains("entity KIS-LASOWICE is at revision 2, not 1"), "{stale}");
        let missing = write(&mut conn, |c| entities::put(c, &entity_code("KIS-NEW"), &first, IfMatch::revision(1), &actor())).unwrap_err();
        assert!(matches!(missing, StoreError::StaleRevision { current: None, .. }), "{missing}");
        assert!(matches!(entities::get(&mut conn, "KIS-NEW"), Err(StoreError::NotFound(_))));
        assert!(matches!(entities::revisions(&mut conn, "KIS-NEW"), Err(StoreError::NotFound(_))));
        assert_eq!(entities::get(&mut conn, code.as_str()).unwrap().revision, 2, "refusals changed nothing");
    }

    fn gminas_must_exist_and_lie_in_the_seats_region(db) {
        let db = db.with_sample();
        let mut conn = db.conn();
        write(&mut conn, |c| reference::import(c, &second_region())).unwrap();
        let code = entity_code("WTZ-TEST");
        let put = |conn: &mut DbConnection, e: &rops_domain::entity::Entity| write(conn, |c| entities::put(c, &code, e, IfMatch::ANY, &actor()));
        let errors = error_fields(put(&mut conn, &entity("WTZ", "1604023", &["1604093", "2212011"])).unwrap_err());
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "serves");
        assert!(errors[0].1.contains("gmina 1604093 does not exist"), "{errors:?}");
        assert!(errors[1].1.contains("gmina 2212011 lies in region 22, not in region 16"), "{errors:?}");
        let errors = error_fields(put(&mut conn, &entity("WTZ", "1699993", &["1604023"])).unwrap_err());
        assert_eq!(errors[0].0, "seat");
        assert!(errors[0].1.contains("1699993"), "{errors:?}");
        assert!(matches!(entities::get(&mut conn, "WTZ-TEST"), Err(StoreError::NotFound(_))), "nothing was stored");

        // In region 22 on its own it is fine; it cannot move to region 16 afterwards.
        let (view, _) = put(&mut conn, &entity("WTZ", "2212011", &[])).unwrap();
        assert_eq!(view.region.as_str(), "22");
        let errors = error_fields(put(&mut conn, &entity("WTZ", "1604023", &[])).unwrap_err());
        assert_eq!(errors[0].0, "seat");
        assert!(errors[0].1.contains("cannot move to another region"), "{errors:?}");
        assert_eq!(entities::list(&mut conn, "22", None).unwrap().len(), 1);
        assert_eq!(entities::revisions_of_region(&mut conn, "22").unwrap().len(), 1);
        assert!(matches!(entities::list(&mut conn, "99", None), Err(StoreError::NotFound(_))));
    }

    fn revisions_of_a_region_are_typed_and_ordered(db) {
        use rops_domain::entity::EntityKind;
        let db = db.with_sample();
        let mut conn = db.conn();
        let code = entity_code("CIS-KLUCZBORK");
        let mut e = entity("CIS", "1604023", &["1604043"]);
        e.active_to = Some(Quarter::parse("2026-Q4").unwrap());
        write(&mut conn, |c| entities::put(c, &code, &e, IfMatch::revision(1), &actor())).unwrap();
        let all = entities::revisions_of_region(&mut conn, "16").unwrap();
        assert_eq!(all.len(), 33);
        let mine: Vec<_> = all.iter().filter(|r| r.code == code).collect();
        assert_eq!(mine.iter().map(|r| r.revision).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((mine[1].kind, mine[1].seat.as_str()), (EntityKind::Cis, "1604023"));
        assert_eq!(mine[1].active_to, Some(Quarter::parse("2026-Q4").unwrap()));
        assert!(mine[0].recorded_at <= mine[1].recorded_at);
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| (&a.code, a.revision).cmp(&(&b.code, b.revision)));
        assert_eq!(sorted, all, "by code and revision");
    }
}

mod boundaries {
    use super::*;
    use rops_store::boundaries::{self, Boundary, Geometry};

    fn sample() -> Vec<Boundary> {
        boundaries::parse(boundaries::SAMPLE_BOUNDARIES).unwrap()
    }

    /// Every stored boundary, as text, to compare whole tables.
    fn dump(conn: &mut DbConnection) -> Vec<(String, String)> {
        use rops_store::schema::gmina_boundaries::dsl as gb;
        gb::gmina_boundaries
            .order(gb::teryt)
            .select((gb::teryt, gb::geometry_json))
            .load(conn)
            .unwrap()
    }

    backend_tests! {
        fn every_gmina_of_the_sample_has_its_boundary(db) {
            let db = db.with_sample();
            let mut conn = db.conn();
            let stored = boundaries::boundaries_of_region(&mut conn, "16").unwrap();
            let gminas: Vec<String> = queries::gminas(&mut conn, Some("16"), None)
                .unwrap()
                .into_iter()
                .map(|g| g.teryt)
                .collect();
            assert_eq!(gminas.len(), 71);
            assert_eq!(stored.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(), gminas);
            assert_eq!(
                stored.iter().filter(|(_, g)| matches!(g, Geometry::MultiPolygon(_))).count(),
                1
            );
            let read_back: Vec<Geometry> = stored.into_iter().map(|(_, g)| g).collect();
            let mut parsed = sample();
            parsed.sort_by(|a, b| a.teryt.cmp(&b.teryt));
            assert_eq!(read_back, parsed.into_iter().map(|b| b.geometry).collect::<Vec<_>>());
            assert!(boundaries::boundaries_of_region(&mut conn, "02").unwrap().is_empty());
        }

        fn importing_the_same_boundaries_twice_changes_nothing(db) {
            let db = db.with_sample();
            let mut conn = db.conn();
            let before = dump(&mut conn);
            let again = write(&mut conn, |c| boundaries::import(c, &sample())).unwrap();
            assert_eq!(again.region, "16");
            let s = again.summary;
            assert_eq!((s.created, s.updated, s.unchanged, s.removed), (0, 0, 71, 0), "{s:?}");
            assert_eq!(dump(&mut conn), before);

            let mut changed = sample();
            let Geometry::Polygon(rings) = &mut changed[0].geometry else { panic!("Brzeg is one polygon") };
            rings[0].pop();
            rings[0].pop();
            let first = rings[0][0];
            rings[0].push(first);
            let s = write(&mut conn, |c| boundaries::import(c, &changed[..2])).unwrap().summary;
            assert_eq!((s.created, s.updated, s.unchanged), (0, 1, 1), "{s:?}");
            assert_ne!(dump(&mut conn), before);
        }

        fn boundaries_need_their_region_loaded_first(db) {
            let mut conn = db.conn();
            let err = write(&mut conn, |c| boundaries::import(c, &sample())).unwrap_err();
            let StoreError::Reference(problems) = &err else { panic!("{err}") };
            assert_eq!(
                problems.0,
                ["none of the file's 71 gminas is stored (load the region's reference file first)"]
            );
            assert!(dump(&mut conn).is_empty());
        }

        fn a_refused_boundary_import_changes_nothing(db) {
            let db = db.with_sample();
            let mut conn = db.conn();
            // A second region with one gmina, so a file can mix regions.
            conn.batch_execute(
                "INSERT INTO regions (code, name) VALUES ('02', 'dolnośląskie');
                 INSERT INTO powiats (code, region_code, name, kind) VALUES ('0201', '02', 'bolesławiecki', 'powiat');
                 INSERT INTO gminas (teryt, powiat_code, name, kind) VALUES ('0201011', '0201', 'Bolesławiec', 'urban');",
            )
            .unwrap();
            let before = dump(&mut conn);
            let mut file = sample();
            let Geometry::Polygon(rings) = &mut file[0].geometry else { panic!("Brzeg is one polygon") };
            rings[0][1][0] += 0.01;
            let mut unknown = file[1].clone();
            unknown.teryt = "1699999".into();
            let mut elsewhere = file[2].clone();
            elsewhere.teryt = "0201011".into();
            file.push(unknown);
            file.push(elsewhere);
            let err = write(&mut conn, |c| boundaries::import(c, &file)).unwrap_err();
            let StoreError::Reference(problems) = &err else { panic!("{err}") };
            assert_eq!(
                problems.0,
                [
                    "features[71] (gmina 1699999): no gmina 1699999 is stored (load the region's reference file first)",
                    "the gminas lie in regions 02, 16; a boundary file holds one region",
                ]
            );
            assert_eq!(dump(&mut conn), before, "a refused file leaves no trace");

            // The second region's own file is accepted.
            let s = write(&mut conn, |c| boundaries::import(c, &file[72..])).unwrap();
            assert_eq!((s.region.as_str(), s.summary.created), ("02", 1));
            assert_eq!(boundaries::boundaries_of_region(&mut conn, "02").unwrap().len(), 1);
            assert_eq!(boundaries::boundaries_of_region(&mut conn, "16").unwrap().len(), 71);
        }
    }
}
