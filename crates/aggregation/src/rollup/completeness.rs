//! Reporting completeness: the OWES quarters expected so far, and those received, approved
//! and on time; per OWES, where each quarter's report stands.

use super::as_of::Stood;
use super::{
    period_quarter, Completeness, Counts, Engine, OwesCounts, OwesQuarter, Reporting,
    SubregionCounts, Units,
};
use crate::inputs::{OwesUnit, Scope};
use rops_domain::indicator::Stream;
use rops_domain::period::Quarter;
use rops_domain::report::ReportStatus;
use std::collections::{HashMap, HashSet};

/// Each OWES report as it stood, by (OWES, quarter).
type ByQuarter<'s, 'a> = HashMap<(&'a str, Quarter), &'s Stood<'a>>;

impl<'a> Engine<'a> {
    pub(super) fn completeness(&self, units: &Units<'a>) -> Completeness {
        let reports: ByQuarter<'_, 'a> = self
            .stood
            .iter()
            .filter(|s| s.stream == Stream::Owes)
            .map(|s| ((s.unit, period_quarter(s.period)), s))
            .collect();
        let in_scope: HashSet<&str> = units.owes.iter().copied().collect();
        Completeness {
            counts: self.counts(&reports, &units.owes),
            by_subregion: matches!(self.req.scope, Scope::Region).then(|| {
                self.subregions
                    .iter()
                    .map(|s| SubregionCounts {
                        subregion: (*s).clone(),
                        counts: self.counts(&reports, &self.subregion_units(s.as_str()).owes),
                    })
                    .collect()
            }),
            by_owes: self
                .owes
                .iter()
                .filter(|o| in_scope.contains(o.code.as_str()))
                .map(|o| OwesCounts {
                    owes: o.code.clone(),
                    subregion: o.subregion.clone(),
                    counts: self.counts(&reports, &[o.code.as_str()]),
                    quarters: self
                        .req
                        .window
                        .quarters()
                        .map(|q| {
                            let report = reports.get(&(o.code.as_str(), q));
                            OwesQuarter {
                                quarter: q,
                                reporting: self.reporting(o, q, report.copied()),
                                status: report.map(|s| s.status),
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Where `unit`'s report for `q` stands: the one rule the counts and the grid share.
    fn reporting(&self, unit: &OwesUnit, q: Quarter, report: Option<&Stood<'a>>) -> Reporting {
        if q.last_day() >= self.req.as_of.date_naive() {
            return Reporting::NotDue;
        }
        if !unit.active_in(q) {
            return Reporting::Inactive;
        }
        let Some(s) = report.filter(|s| s.status.counts(self.req.approved_only)) else {
            return Reporting::Missing;
        };
        let deadline = q.last_day() + chrono::Duration::days(self.req.deadline_days);
        if s.first_submitted
            .is_some_and(|t| t.date_naive() <= deadline)
        {
            Reporting::OnTime
        } else {
            Reporting::Late
        }
    }

    fn counts(&self, reports: &ByQuarter<'_, 'a>, owes: &[&str]) -> Counts {
        let owes: HashSet<&str> = owes.iter().copied().collect();
        let mut c = Counts::default();
        for unit in self.owes.iter().filter(|o| owes.contains(o.code.as_str())) {
            for q in self.req.window.quarters() {
                let report = reports.get(&(unit.code.as_str(), q)).copied();
                let reporting = self.reporting(unit, q, report);
                if matches!(reporting, Reporting::NotDue | Reporting::Inactive) {
                    continue;
                }
                c.expected += 1;
                if reporting == Reporting::Missing {
                    continue;
                }
                c.received += 1;
                if report.is_some_and(|s| s.status == ReportStatus::Approved) {
                    c.approved += 1;
                }
                if reporting == Reporting::OnTime {
                    c.on_time += 1;
                }
            }
        }
        c.rate = (c.expected > 0).then(|| c.received as f64 / c.expected as f64);
        c
    }
}
