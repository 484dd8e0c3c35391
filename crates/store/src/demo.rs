//! Demo data for a first look (`rops-hub serve --demo`): plausible reports, LPRES statuses,
//! events and entity reports for every region of the database, so that a newcomer's first
//! rollup shows figures, targets met and missed, and reports on time, late and missing.
//!
//! Deterministic: the values come from a fixed seed (mixed with each unit's code and period,
//! so a quarter's figures stay the same as days pass), and every period and timestamp is
//! counted from `today`; nothing reads the wall clock. Everything is written through the
//! store's own writes ([`reports::put`], [`reports::transition`], [`lpres::put`],
//! [`events::create`]) as the actor [`DEMO_ACTOR`], each with a clock fixed at the moment the
//! step would have happened (never later than the day before `today`), so the lifecycle
//! rules, the checks and the revisions apply as to any other write. Whatever takes text says
//! it is demo data: report notes and event titles start with [`MARK`], documents and
//! evidence links point to `https://example.invalid/demo/…`.

use crate::conn::require_transaction;
use crate::reports::{self, Actor, ReportInput, ReportKey};
use crate::{
    events, lpres, queries, schema, Clock, DbConnection, IfMatch, StoreError, StoreResult,
};
use chrono::{Duration, NaiveDate, NaiveTime};
use diesel::prelude::*;
use rops_domain::event::{check_event, EventInput};
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream, Unit};
use rops_domain::lpres::{check_lpres, LpresInput};
use rops_domain::number::{grosze_text, Decimal};
use rops_domain::period::Quarter;
use rops_domain::report::{ReportPeriod, ReportStatus, Transition};
use rops_domain::validation::FieldErrors;
use rops_domain::values::Input;
use std::fmt;

/// Who the revisions of demo data are recorded by.
pub const DEMO_ACTOR: &str = "demo";

/// How demo text starts.
pub const MARK: &str = "[DEMO]";

/// The seed every demo value is drawn from.
const SEED: u64 = 0x0016_D3E0_2024_0001;

/// Where demo documents and evidence point: a domain that never resolves (RFC 2606).
const LINKS: &str = "https://example.invalid/demo";

/// What [`fill`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// False when the database held reports already, and nothing was added.
    pub filled: bool,
    pub owes_reports: usize,
    pub gmina_reports: usize,
    pub entity_reports: usize,
    /// The reports of every stream by status, as left.
    pub by_status: StatusCounts,
    /// Gminas given an LPRES status.
    pub lpres_statuses: usize,
    /// Of those, the ones adopted.
    pub lpres_adopted: usize,
    pub events: usize,
}

/// Reports by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub draft: usize,
    pub submitted: usize,
    pub returned: usize,
    pub approved: usize,
}

impl StatusCounts {
    fn add(&mut self, status: ReportStatus) {
        match status {
            ReportStatus::Draft => self.draft += 1,
            ReportStatus::Submitted => self.submitted += 1,
            ReportStatus::Returned => self.returned += 1,
            ReportStatus::Approved => self.approved += 1,
        }
    }
}

/// `32 OWES reports, 9 gmina annual reports, 11 entity yearly reports (45 approved, …),
/// 50 LPRES statuses (16 adopted), 38 events`.
impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.by_status;
        write!(
            f,
            "{} OWES reports, {} gmina annual reports, {} entity yearly reports \
             ({} approved, {} submitted, {} returned, {} draft), \
             {} LPRES statuses ({} adopted), {} events",
            self.owes_reports,
            self.gmina_reports,
            self.entity_reports,
            s.approved,
            s.submitted,
            s.returned,
            s.draft,
            self.lpres_statuses,
            self.lpres_adopted,
            self.events
        )
    }
}

/// Fills a database that holds no report yet with demo data for every region it holds,
/// periods counted back from `today`, inside the caller's write transaction. A database with
/// any report is left as it is (`filled` is false).
///
/// - OWES quarterly reports for every quarter of the two years before `today`'s and the
///   quarters of this year that have ended, where the OWES was active: most approved, some
///   late, two submitted, two returned with a reason, one draft and one missing among the
///   latest quarters;
/// - LPRES statuses for most gminas (adopted ones after a time in preparation), annual
///   reports of a few gminas and yearly reports of about a third of the entities, both for
///   the previous year;
/// - two to four register events a quarter, up to the day before `today`.
pub fn fill(conn: &mut DbConnection, today: NaiveDate) -> StoreResult<DemoSummary> {
    require_transaction(conn)?;
    let reports: i64 = schema::reports::table.count().get_result(conn)?;
    if reports > 0 {
        return Ok(DemoSummary::default());
    }
    let mut summary = DemoSummary {
        filled: true,
        ..DemoSummary::default()
    };
    let regions: Vec<String> = schema::regions::table
        .order(schema::regions::code)
        .select(schema::regions::code)
        .load(conn)?;
    let mut demo = Demo {
        today,
        summary: &mut summary,
    };
    demo.owes_reports(conn)?;
    for region in &regions {
        demo.lpres(conn, region)?;
        demo.gmina_reports(conn, region)?;
        demo.entity_reports(conn, region)?;
        demo.events(conn, region)?;
    }
    Ok(summary)
}

/// A small deterministic generator (SplitMix64), one per unit and period.
struct Rng(u64);

impl Rng {
    /// The generator for `key`: the seed mixed with the key's FNV-1a hash.
    fn of(key: &str) -> Self {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self(SEED ^ hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number from `lo` to `hi`, both included.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo) + 1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn days(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::days(i64::try_from(self.range(lo, hi)).unwrap_or(0))
    }
}

/// The moments of one unit's writes, in order: each step on the day asked for (never later
/// than the day before today), and always after the previous step.
struct Timeline {
    last_day: NaiveDate,
    previous: Option<chrono::DateTime<chrono::Utc>>,
}

impl Timeline {
    fn new(today: NaiveDate) -> Self {
        Self {
            last_day: today.pred_opt().unwrap_or(today),
            previous: None,
        }
    }

    /// The clock of the next step, on `day` at 9:00 (or a minute after the previous step).
    fn at(&mut self, day: NaiveDate) -> Clock {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
        let mut moment = day.min(self.last_day).and_time(nine).and_utc();
        if let Some(previous) = self.previous {
            moment = moment.max(previous + Duration::minutes(1));
        }
        self.previous = Some(moment);
        Clock::Fixed(moment)
    }
}

/// How one report ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// No report at all.
    Missing,
    Draft,
    /// Submitted on time, or late, and waiting for review.
    Submitted {
        late: bool,
    },
    /// Submitted on time, then returned with this reason.
    Returned(&'static str),
    /// Submitted (late or not) and approved.
    Approved {
        late: bool,
    },
    /// Submitted, returned with this reason, corrected, submitted again and approved.
    Corrected(&'static str),
}

const RETURN_REASONS: [&str; 3] = [
    "Liczba miejsc pracy nie zgadza się z listą umów przekazaną w załączniku; prosimy o korektę.",
    "Brakuje uzasadnienia wzrostu liczby uczestników szkoleń; prosimy o uzupełnienie.",
    "Liczba animatorów różni się od stanu z poprzedniego kwartału bez wyjaśnienia; prosimy o sprawdzenie.",
];

/// The plan of OWES number `owes` (in code order) for the quarter `back` quarters before the
/// latest ended one: the latest quarters show a draft, a missing report, reports under review
/// and returned ones; the older ones are approved, now and then late.
fn owes_plan(owes: usize, back: usize, rng: &mut Rng) -> Plan {
    match (back, owes) {
        (0, 0) => Plan::Submitted { late: false },
        (0, 1) => Plan::Draft,
        (0, 2) => Plan::Missing,
        (1, 1) => Plan::Submitted { late: true },
        (1, 2) => Plan::Returned(RETURN_REASONS[0]),
        (2, 2) => Plan::Approved { late: true },
        (4, 0) => Plan::Returned(RETURN_REASONS[1]),
        (5, 1) => Plan::Corrected(RETURN_REASONS[2]),
        _ => Plan::Approved {
            late: rng.chance(12),
        },
    }
}

/// Plausible ranges of reported values by indicator code (money in whole złoty); an
/// indicator not listed takes 0 to 3.
const RANGES: [(&str, u64, u64); 24] = [
    ("initiative_groups_created", 0, 2),
    ("enterprises_created", 0, 2),
    ("jobs_created", 1, 6),
    ("ps_jobs_created_with_grants", 0, 3),
    ("local_partnerships_created", 0, 1),
    ("procurement_procedures_supported", 0, 1),
    ("animators_employed", 1, 3),
    ("joint_projects", 0, 1),
    ("vocational_training_participants", 1, 6),
    ("reintegration_plans", 2, 7),
    ("social_clause_contracts", 0, 6),
    ("procurement_value_pln", 2_000_000, 25_000_000),
    ("service_commissions_value_pln", 200_000, 3_000_000),
    ("officials_trained", 2, 25),
    ("social_cooperatives", 0, 4),
    ("social_enterprises", 0, 6),
    ("commissions_to_pes", 0, 10),
    ("excluded_persons_employed", 0, 12),
    ("persons_prepared_for_pes_work", 0, 20),
    ("persons_referred_by_ops", 0, 10),
    ("participants_at_year_start", 8, 40),
    ("participants_joined", 5, 30),
    ("participants_completed", 3, 25),
    ("reintegration_programmes_active", 5, 40),
];

/// A value for every reported indicator of `catalogue`, keeping the catalogue's rules: a
/// ratio's numerator is a share (10–45 %) of its denominator, and a value with `at_most`
/// never exceeds its bound.
fn values(catalogue: &[IndicatorDef], rng: &mut Rng) -> Input {
    // In whole units (grosze for money), so the rules compare like with like.
    let mut drawn: Vec<(&IndicatorDef, u64)> = catalogue
        .iter()
        .filter(|d| d.kind != IndicatorKind::Ratio)
        .map(|d| {
            let (lo, hi) = RANGES
                .iter()
                .find(|(code, _, _)| *code == d.code.as_str())
                .map_or((0, 3), |&(_, lo, hi)| (lo, hi));
            let v = match d.unit {
                Unit::Pln => rng.range(lo * 100, hi * 100),
                Unit::Count | Unit::Share => rng.range(lo, hi),
            };
            (d, v)
        })
        .collect();
    let get = |drawn: &[(&IndicatorDef, u64)], code: &str| {
        drawn
            .iter()
            .find(|(d, _)| d.code.as_str() == code)
            .map(|&(_, v)| v)
    };
    for ratio in catalogue.iter().filter(|d| d.kind == IndicatorKind::Ratio) {
        let (Some(num), Some(den)) = (&ratio.numerator, &ratio.denominator) else {
            continue;
        };
        if let Some(whole) = get(&drawn, den.as_str()) {
            let share = rng.range(10, 45);
            if let Some(slot) = drawn.iter_mut().find(|(d, _)| d.code == *num) {
                slot.1 = whole * share / 100;
            }
        }
    }
    for i in 0..drawn.len() {
        if let Some(bound) = drawn[i].0.at_most.as_ref() {
            if let Some(limit) = get(&drawn, bound.as_str()) {
                drawn[i].1 = drawn[i].1.min(limit);
            }
        }
    }
    drawn
        .into_iter()
        .map(|(d, v)| {
            let value = match d.unit {
                Unit::Pln => Decimal::parse(&grosze_text(i128::from(v))).ok(),
                Unit::Count | Unit::Share => Some(Decimal::from_u64(v)),
            };
            (d.code.to_string(), value)
        })
        .collect()
}

fn note(what: &str) -> Option<String> {
    Some(format!(
        "{MARK} Dane przykładowe ({what}) wygenerowane przez rops-hub serve --demo; nie są prawdziwym sprawozdaniem."
    ))
}

/// `n` in Roman numerals (council sessions number resolutions so: `XLV/512/2023`).
fn roman(mut n: u64) -> String {
    let mut out = String::new();
    for (value, digits) in [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

fn invalid(errors: FieldErrors) -> StoreError {
    StoreError::Invalid(errors.into_vec())
}

struct Demo<'s> {
    today: NaiveDate,
    summary: &'s mut DemoSummary,
}

impl Demo<'_> {
    /// The quarters that have ended before today, from the first quarter of two years back.
    fn ended_quarters(&self) -> Vec<Quarter> {
        let Ok(first) = Quarter::new(Quarter::containing(self.today).year() - 2, 1) else {
            return Vec::new();
        };
        std::iter::successors(Some(first), |q| Some(q.next()))
            .take_while(|q| q.last_day() < self.today)
            .collect()
    }

    /// The previous calendar year, the one annual reports are for.
    fn last_year(&self) -> i32 {
        Quarter::containing(self.today).year() - 1
    }

    /// Writes one report along its plan; `due` is the last day of its period.
    fn report(
        &mut self,
        conn: &mut DbConnection,
        key: &ReportKey,
        plan: Plan,
        due: NaiveDate,
        input: ReportInput,
        rng: &mut Rng,
    ) -> StoreResult<()> {
        if plan == Plan::Missing {
            return Ok(());
        }
        let mut time = Timeline::new(self.today);
        let created = due - rng.days(0, 10);
        let on_time = due + rng.days(2, 12);
        let late = due + rng.days(30, 50);
        let review = |rng: &mut Rng, after: NaiveDate| after + rng.days(3, 14);
        let write = |conn: &mut DbConnection, clock: Clock, input: &ReportInput| {
            reports::put(
                conn,
                key,
                input,
                IfMatch::ANY,
                &Actor::new(DEMO_ACTOR, clock),
            )
        };
        let step = |conn: &mut DbConnection, clock: Clock, t: Transition, reason: Option<&str>| {
            reports::transition(
                conn,
                key,
                t,
                reason,
                IfMatch::ANY,
                &Actor::new(DEMO_ACTOR, clock),
            )
        };
        let (report, _) = write(conn, time.at(created), &input)?;
        let mut status = report.status;
        let submitted = match plan {
            Plan::Submitted { late: true } | Plan::Approved { late: true } => late,
            _ => on_time,
        };
        if plan != Plan::Draft {
            status = step(conn, time.at(submitted), Transition::Submit, None)?.status;
        }
        match plan {
            Plan::Returned(reason) => {
                let back = review(rng, submitted);
                status = step(conn, time.at(back), Transition::Return, Some(reason))?.status;
            }
            Plan::Approved { .. } => {
                let approved = review(rng, submitted);
                status = step(conn, time.at(approved), Transition::Approve, None)?.status;
            }
            Plan::Corrected(reason) => {
                let back = review(rng, submitted);
                step(conn, time.at(back), Transition::Return, Some(reason))?;
                let mut corrected = input.clone();
                corrected.note = note("korekta po zwrocie");
                let fixed = back + rng.days(1, 5);
                write(conn, time.at(fixed), &corrected)?;
                step(conn, time.at(fixed), Transition::Submit, None)?;
                let approved = review(rng, fixed);
                status = step(conn, time.at(approved), Transition::Approve, None)?.status;
            }
            Plan::Missing | Plan::Draft | Plan::Submitted { .. } => {}
        }
        self.summary.by_status.add(status);
        match key.stream {
            Stream::Owes => self.summary.owes_reports += 1,
            Stream::Gmina => self.summary.gmina_reports += 1,
            Stream::Entity => self.summary.entity_reports += 1,
        }
        Ok(())
    }

    fn owes_reports(&mut self, conn: &mut DbConnection) -> StoreResult<()> {
        let catalogue = reports::catalogue(conn, Stream::Owes)?;
        let owes = queries::owes_list(conn, None)?;
        let quarters = self.ended_quarters();
        for (i, o) in owes.iter().enumerate() {
            let from = Quarter::parse(&o.active_from).ok();
            let to = o.active_to.as_deref().and_then(|q| Quarter::parse(q).ok());
            for (back, q) in quarters.iter().rev().enumerate() {
                if from.is_some_and(|f| *q < f) || to.is_some_and(|t| *q > t) {
                    continue;
                }
                let mut rng = Rng::of(&format!("owes/{}/{q}", o.code));
                let plan = owes_plan(i, back, &mut rng);
                let input = ReportInput {
                    values: values(&catalogue, &mut rng),
                    results: None,
                    note: note("sprawozdanie kwartalne OWES"),
                };
                let key = ReportKey {
                    stream: Stream::Owes,
                    unit: o.code.clone(),
                    period: ReportPeriod::Quarter(*q),
                };
                self.report(conn, &key, plan, q.last_day(), input, &mut rng)?;
            }
        }
        Ok(())
    }

    /// Most gminas get a status: about a fifth adopted (after some months in preparation),
    /// others in preparation, a draft, or none; the rest never reported one.
    fn lpres(&mut self, conn: &mut DbConnection, region: &str) -> StoreResult<()> {
        let year = Quarter::containing(self.today).year();
        for g in queries::gminas(conn, Some(region), None)? {
            let mut rng = Rng::of(&format!("lpres/{}", g.teryt));
            let mut time = Timeline::new(self.today);
            let roll = rng.range(0, 99);
            let planned = i64::from(year) + i64::try_from(rng.range(0, 1)).unwrap_or(0);
            let document = format!("{LINKS}/lpres/{}/projekt.pdf", g.teryt);
            let mut written = Vec::new();
            if roll < 24 {
                let Some(adopted_on) = NaiveDate::from_yo_opt(
                    year - i32::try_from(rng.range(0, 3)).unwrap_or(0),
                    u32::try_from(rng.range(1, 360)).unwrap_or(1),
                )
                .map(|d| d.min(self.today - Duration::days(10))) else {
                    continue;
                };
                let plan_from = i64::from(chrono::Datelike::year(&adopted_on));
                let session = rng.range(20, 60);
                let number = session * 11 + rng.range(0, 10);
                let resolution = format!("{}/{number}/{plan_from}", roman(session));
                written.push((
                    adopted_on - rng.days(90, 200),
                    LpresInput {
                        status: "in_preparation".into(),
                        plan_from: Some(plan_from),
                        plan_to: Some(plan_from + 5),
                        ..LpresInput::default()
                    },
                ));
                written.push((
                    adopted_on + rng.days(2, 9),
                    LpresInput {
                        status: "adopted".into(),
                        resolution_number: Some(resolution),
                        adopted_on: Some(adopted_on.to_string()),
                        plan_from: Some(plan_from),
                        plan_to: Some(plan_from + i64::try_from(rng.range(4, 6)).unwrap_or(5)),
                        document_url: Some(format!(
                            "{LINKS}/lpres/{}/uchwala-{number}-{plan_from}.pdf",
                            g.teryt
                        )),
                    },
                ));
            } else if roll < 42 {
                written.push((
                    self.today - rng.days(20, 300),
                    LpresInput {
                        status: "in_preparation".into(),
                        plan_from: Some(planned),
                        plan_to: Some(planned + 5),
                        ..LpresInput::default()
                    },
                ));
            } else if roll < 50 {
                written.push((
                    self.today - rng.days(10, 120),
                    LpresInput {
                        status: "draft".into(),
                        plan_from: Some(planned),
                        plan_to: Some(planned + 5),
                        document_url: Some(document),
                        ..LpresInput::default()
                    },
                ));
            } else if roll < 68 {
                written.push((
                    self.today - rng.days(30, 500),
                    LpresInput {
                        status: "none".into(),
                        ..LpresInput::default()
                    },
                ));
            }
            let mut adopted = false;
            for (day, input) in &written {
                let clock = time.at(*day);
                let checked = check_lpres(input, clock.today()).map_err(invalid)?;
                adopted = checked.status == rops_domain::lpres::LpresStatus::Adopted;
                lpres::put(
                    conn,
                    &g.teryt,
                    &checked,
                    IfMatch::ANY,
                    &Actor::new(DEMO_ACTOR, clock),
                )?;
            }
            if !written.is_empty() {
                self.summary.lpres_statuses += 1;
                self.summary.lpres_adopted += usize::from(adopted);
            }
        }
        Ok(())
    }

    /// Annual reports for the previous year of every eighth gmina or so: the last one a
    /// draft, the one before submitted, the others approved.
    fn gmina_reports(&mut self, conn: &mut DbConnection, region: &str) -> StoreResult<()> {
        let catalogue = reports::catalogue(conn, Stream::Gmina)?;
        let results: Vec<String> = queries::catalogue(conn)?
            .result_groups
            .into_iter()
            .flat_map(|g| g.items)
            .map(|i| i.code)
            .collect();
        let year = self.last_year();
        let chosen: Vec<String> = queries::gminas(conn, Some(region), None)?
            .into_iter()
            .map(|g| g.teryt)
            .filter(|t| Rng::of(&format!("gmina-report/{t}")).chance(13))
            .collect();
        for (i, teryt) in chosen.iter().enumerate() {
            let mut rng = Rng::of(&format!("gmina/{teryt}/{year}"));
            let plan = match chosen.len() - i {
                1 => Plan::Draft,
                2 => Plan::Submitted { late: false },
                _ => Plan::Approved {
                    late: rng.chance(20),
                },
            };
            let achieved = results.iter().filter(|_| rng.chance(30)).cloned().collect();
            let input = ReportInput {
                values: values(&catalogue, &mut rng),
                results: Some(achieved),
                note: note("sprawozdanie roczne gminy"),
            };
            let key = ReportKey {
                stream: Stream::Gmina,
                unit: teryt.clone(),
                period: ReportPeriod::Year(year),
            };
            let due = ReportPeriod::Year(year).quarters().1.last_day() + Duration::days(30);
            self.report(conn, &key, plan, due, input, &mut rng)?;
        }
        Ok(())
    }

    /// Yearly reports for the previous year of about a third of the entities active in it:
    /// the last one submitted, the others approved.
    fn entity_reports(&mut self, conn: &mut DbConnection, region: &str) -> StoreResult<()> {
        let catalogue = reports::catalogue(conn, Stream::Entity)?;
        let year = self.last_year();
        let (Ok(first), Ok(last)) = (Quarter::new(year, 1), Quarter::new(year, 4)) else {
            return Ok(());
        };
        let chosen: Vec<String> = crate::entities::list(conn, region, None)?
            .into_iter()
            .filter(|e| e.active_from <= last && e.active_to.is_none_or(|t| t >= first))
            .map(|e| e.code.to_string())
            .filter(|c| Rng::of(&format!("entity-report/{c}")).chance(35))
            .collect();
        for (i, code) in chosen.iter().enumerate() {
            let mut rng = Rng::of(&format!("entity/{code}/{year}"));
            let plan = if i + 1 == chosen.len() {
                Plan::Submitted { late: false }
            } else {
                Plan::Approved {
                    late: rng.chance(20),
                }
            };
            let input = ReportInput {
                values: values(&catalogue, &mut rng),
                results: None,
                note: note("sprawozdanie roczne podmiotu reintegracyjnego"),
            };
            let key = ReportKey {
                stream: Stream::Entity,
                unit: code.clone(),
                period: ReportPeriod::Year(year),
            };
            let due = last.last_day() + Duration::days(30);
            self.report(conn, &key, plan, due, input, &mut rng)?;
        }
        Ok(())
    }

    /// Two to four events a quarter of the catalogue's types, from the first demo quarter to
    /// the day before today: in a subregion, or (one in four) region-wide.
    fn events(&mut self, conn: &mut DbConnection, region: &str) -> StoreResult<()> {
        let types = queries::catalogue(conn)?.event_types;
        let subregions = queries::region(conn, region)?
            .map(|r| r.subregions)
            .unwrap_or_default();
        let yesterday = self.today.pred_opt().unwrap_or(self.today);
        let Some(first) = self.ended_quarters().first().copied() else {
            return Ok(());
        };
        if types.is_empty() {
            return Ok(());
        }
        let current = Quarter::containing(self.today);
        let quarters =
            std::iter::successors(Some(first), |q| Some(q.next())).take_while(|q| *q <= current);
        for q in quarters {
            let mut rng = Rng::of(&format!("events/{region}/{q}"));
            let count = rng.range(2, 4);
            for n in 1..=count {
                let kind =
                    &types[usize::try_from(rng.range(0, types.len() as u64 - 1)).unwrap_or(0)];
                let date = q.first_day() + rng.days(0, 89);
                let where_ = if subregions.is_empty() || rng.chance(25) {
                    None
                } else {
                    subregions.get(
                        usize::try_from(rng.range(0, subregions.len() as u64 - 1)).unwrap_or(0),
                    )
                };
                let participants = rng.range(8, 60);
                if date > yesterday || date > q.last_day() {
                    continue;
                }
                let place = where_.map_or("całe województwo", |s| s.name.as_str());
                let input = EventInput {
                    event_type: kind.code.clone(),
                    date: date.to_string(),
                    subregion: where_.map(|s| s.code.clone()),
                    title: format!("{MARK} {} ({place})", kind.name_pl),
                    participants: i64::try_from(participants).unwrap_or(0),
                    evidence_url: Some(format!("{LINKS}/wydarzenia/{q}-{n}")),
                };
                let mut time = Timeline::new(self.today);
                let clock = time.at(date + rng.days(1, 6));
                let mut errors = FieldErrors::default();
                let fields = check_event(&input, clock.today(), &mut errors);
                let Some(fields) = fields.filter(|_| errors.is_empty()) else {
                    return Err(invalid(errors));
                };
                let draft = events::EventDraft {
                    event_type: input.event_type,
                    subregion: input.subregion,
                    fields,
                };
                events::create(conn, region, &draft, &Actor::new(DEMO_ACTOR, clock))?;
                self.summary.events += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_stays_in_range() {
        let a: Vec<u64> = (0..5).map(|_| Rng::of("x").range(3, 7)).collect();
        assert!(a.iter().all(|v| (3..=7).contains(v)));
        let mut r1 = Rng::of("owes/OWES-PN/2025-Q1");
        let mut r2 = Rng::of("owes/OWES-PN/2025-Q1");
        assert_eq!(
            (0..20).map(|_| r1.next()).collect::<Vec<_>>(),
            (0..20).map(|_| r2.next()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn roman_numerals_number_council_sessions() {
        assert_eq!(roman(45), "XLV");
        assert_eq!(roman(29), "XXIX");
        assert_eq!(roman(60), "LX");
    }

    #[test]
    fn steps_never_pass_the_day_before_today_and_keep_their_order() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut t = Timeline::new(today);
        let a = t.at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).now();
        let b = t.at(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).now();
        assert_eq!(
            a.date_naive(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert!(b > a, "a later step never goes back in time");
    }
}
