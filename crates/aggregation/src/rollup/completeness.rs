//! Reporting completeness: the OWES quarters expected so far, and those received, approved
//! and on time.

use super::as_of::Stood;
use super::{period_quarter, Completeness, Counts, Engine, SubregionCounts, Units};
use crate::inputs::Scope;
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
        }
    }

    fn counts(&self, reports: &ByQuarter<'_, 'a>, owes: &[&str]) -> Counts {
        let today = self.req.as_of.date_naive();
        let owes: HashSet<&str> = owes.iter().copied().collect();
        let mut c = Counts::default();
        for unit in self.owes.iter().filter(|o| owes.contains(o.code.as_str())) {
            for q in self
                .req
                .window
                .quarters()
                .filter(|q| q.last_day() < today && unit.active_in(*q))
            {
                c.expected += 1;
                let Some(s) = reports.get(&(unit.code.as_str(), q)) else {
                    continue;
                };
                if !s.status.counts(self.req.approved_only) {
                    continue;
                }
                c.received += 1;
                if s.status == ReportStatus::Approved {
                    c.approved += 1;
                }
                let deadline = q.last_day() + chrono::Duration::days(self.req.deadline_days);
                if s.first_submitted
                    .is_some_and(|t| t.date_naive() <= deadline)
                {
                    c.on_time += 1;
                }
            }
        }
        c.rate = (c.expected > 0).then(|| c.received as f64 / c.expected as f64);
        c
    }
}
