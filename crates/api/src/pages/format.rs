//! How pages write figures, dates and statuses for people, in Polish: thousands grouped by a
//! narrow no-break space, a decimal comma, `1 234,50 zł`, `12,5 %`, `14.05.2025`. And the raw
//! value each figure carries for machines (`data-value`): exactly what the JSON writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rops_aggregation::rollup::{Figure, Reporting};
use rops_domain::indicator::Unit;
use rops_domain::lpres::LpresStatus;
use rops_domain::number::polish_narrow;
use rops_domain::report::ReportStatus;

/// The value of a figure as its JSON says it (empty for null), for `data-value`.
pub fn raw(figure: &Figure) -> String {
    // Written straight to text: through a `Value`, money's `1234.50` would lose its zero.
    match serde_json::to_string(figure) {
        Ok(text) if text != "null" => text,
        _ => String::new(),
    }
}

/// A figure for people: the Polish way, with its unit; a dash for null.
pub fn shown(figure: &Figure) -> String {
    figure
        .value()
        .map_or_else(|| "—".to_owned(), |v| number(v, figure.unit()))
}

/// A number in its unit, the Polish way (money with `zł`).
pub fn number(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Pln => format!("{}\u{a0}zł", polish_narrow(v, Unit::Pln)),
        unit => polish_narrow(v, unit),
    }
}

/// A count, or a number with decimals (a target's expectation), the Polish way.
pub fn count(v: f64) -> String {
    polish_narrow(v, Unit::Count)
}

/// A rate as the JSON writes it (unrounded), empty for null.
pub fn share_raw(rate: Option<f64>) -> String {
    rate.filter(|r| r.is_finite())
        .map(|r| serde_json::Value::from(r).to_string())
        .unwrap_or_default()
}

pub fn share_shown(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| polish_narrow(r, Unit::Share))
}

/// `14.05.2025`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// A stored moment (RFC 3339) as `14.05.2025 08:30 UTC`; the text itself when it is not one.
pub fn moment(stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.format("%d.%m.%Y %H:%M UTC").to_string())
        .unwrap_or_else(|_| stamp.to_owned())
}

/// What a date-time picker sends (`2025-05-14T12:00`, seconds optional), read as UTC; `None`
/// when it is something else.
pub fn picked_moment(text: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

/// A moment as a date-time picker shows it (UTC, to the second).
pub fn picker_value(stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// A target's status in Polish, as the XLSX writes it too.
pub(crate) use crate::export::status_pl as target_status;

pub fn report_status(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Draft => "wersja robocza",
        ReportStatus::Submitted => "przesłane",
        ReportStatus::Approved => "zatwierdzone",
        ReportStatus::Returned => "zwrócone do poprawy",
    }
}

pub fn reporting(r: Reporting) -> &'static str {
    match r {
        Reporting::OnTime => "w terminie",
        Reporting::Late => "po terminie",
        Reporting::Missing => "brak",
        Reporting::NotDue => "jeszcze nie wymagane",
        Reporting::Inactive => "OWES nieaktywny",
    }
}

pub fn lpres_status(status: LpresStatus) -> &'static str {
    match status {
        LpresStatus::None => "brak",
        LpresStatus::InPreparation => "w przygotowaniu",
        LpresStatus::Draft => "projekt",
        LpresStatus::Adopted => "przyjęty",
        LpresStatus::Repealed => "uchylony",
    }
}

/// The CSS class that colours a gmina on the map (rules in `rops.css`): drafts with plans in
/// preparation; `unknown` when the gmina never reported.
pub fn lpres_class(status: LpresStatus, reported: bool) -> &'static str {
    match (status, reported) {
        (_, false) => "unknown",
        (LpresStatus::Adopted, _) => "adopted",
        (LpresStatus::InPreparation | LpresStatus::Draft, _) => "in_preparation",
        (LpresStatus::Repealed, _) => "repealed",
        (LpresStatus::None, _) => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_the_polish_way() {
        assert_eq!(
            shown(&Figure::Money(Some(123_450))),
            "1\u{202f}234,50\u{a0}zł"
        );
        assert_eq!(raw(&Figure::Money(Some(123_450))), "1234.50");
        assert_eq!(shown(&Figure::Share(Some(0.125))), "12,5\u{a0}%");
        assert_eq!(
            shown(&Figure::Count(Some(1_234_567))),
            "1\u{202f}234\u{202f}567"
        );
        assert_eq!(
            (shown(&Figure::Count(None)), raw(&Figure::Count(None))),
            ("—".into(), String::new())
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2025, 5, 14).unwrap()),
            "14.05.2025"
        );
        assert_eq!(
            moment("2025-05-14T08:30:00.000000Z"),
            "14.05.2025 08:30 UTC"
        );
        assert_eq!(
            picked_moment("2025-05-14T12:00").map(|t| t.to_rfc3339()),
            Some("2025-05-14T12:00:00+00:00".into())
        );
        assert_eq!(picked_moment("2025-05-14"), None);
        assert_eq!(
            picker_value("2025-05-14T12:00:00.5Z"),
            "2025-05-14T12:00:00"
        );
    }
}
