//! What was recorded as of a moment: of every report, LPRES status and event, the last
//! revision recorded at or before it (the highest revision number wins).

use crate::inputs::{EventRevision, LpresRevision, ReportRevision};
use chrono::{DateTime, Utc};
use rops_domain::indicator::{ResultCode, Stream};
use rops_domain::report::{ReportPeriod, ReportStatus, RevisionAction};
use rops_domain::values::Values;
use std::collections::{BTreeMap, HashMap};

/// A report as it stood at the moment.
#[derive(Debug, Clone)]
pub(crate) struct Stood<'a> {
    pub stream: Stream,
    pub unit: &'a str,
    pub period: ReportPeriod,
    pub status: ReportStatus,
    pub values: &'a Values,
    pub results: &'a [ResultCode],
    pub first_submitted: Option<DateTime<Utc>>,
}

/// Each report's last revision recorded at or before `as_of`, in (stream, unit, period) order.
pub(crate) fn reports_as_of(revisions: &[ReportRevision], as_of: DateTime<Utc>) -> Vec<Stood<'_>> {
    type Key<'a> = (Stream, &'a str, ReportPeriod);
    let mut last: BTreeMap<Key<'_>, &ReportRevision> = BTreeMap::new();
    let mut first_submit: HashMap<Key<'_>, DateTime<Utc>> = HashMap::new();
    for r in revisions.iter().filter(|r| r.recorded_at <= as_of) {
        let key = (r.stream(), r.unit.as_str(), r.period);
        let slot = last.entry(key).or_insert(r);
        if r.revision > slot.revision {
            *slot = r;
        }
        let submitted = match (r.action == RevisionAction::Submit, r.first_submitted_at) {
            (_, Some(at)) if at <= as_of => Some(at),
            (true, _) => Some(r.recorded_at),
            _ => None,
        };
        if let Some(at) = submitted {
            let first = first_submit.entry(key).or_insert(at);
            *first = (*first).min(at);
        }
    }
    last.into_iter()
        .map(|(key, r)| Stood {
            stream: key.0,
            unit: key.1,
            period: r.period,
            status: r.status,
            values: &r.values,
            results: &r.results,
            first_submitted: first_submit.get(&key).copied(),
        })
        .collect()
}

/// Each gmina's LPRES status as recorded at `as_of`, by TERYT.
pub(crate) fn lpres_as_of(
    revisions: &[LpresRevision],
    as_of: DateTime<Utc>,
) -> HashMap<&str, &LpresRevision> {
    let mut last: HashMap<&str, &LpresRevision> = HashMap::new();
    for l in revisions.iter().filter(|l| l.recorded_at <= as_of) {
        let slot = last.entry(l.teryt.as_str()).or_insert(l);
        if l.revision > slot.revision {
            *slot = l;
        }
    }
    last
}

/// The events as recorded at `as_of`, withdrawn ones left out, in id order.
pub(crate) fn events_as_of(
    revisions: &[EventRevision],
    as_of: DateTime<Utc>,
) -> Vec<&EventRevision> {
    let mut last: BTreeMap<&str, &EventRevision> = BTreeMap::new();
    for e in revisions.iter().filter(|e| e.recorded_at <= as_of) {
        let slot = last.entry(e.id.as_str()).or_insert(e);
        if e.revision > slot.revision {
            *slot = e;
        }
    }
    last.into_values().filter(|e| !e.withdrawn).collect()
}
