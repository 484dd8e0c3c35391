//! What time it is, asked in one place: the system clock in service, a fixed moment in tests,
//! so that "today" (which periods have begun) and every stored timestamp can be pinned.

use chrono::{DateTime, NaiveDate, Utc};

/// The source of "now" for a request: carried in the API's state and in the store's
/// [`Actor`](crate::reports::Actor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system's UTC clock.
    #[default]
    System,
    /// Always this moment (tests).
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(at) => *at,
        }
    }

    /// Today's date in UTC.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Now as stored: RFC 3339 in UTC with microseconds, fixed width, so text order is time
    /// order.
    pub fn stamp(&self) -> String {
        stamp(self.now())
    }
}

/// `at` as stored: RFC 3339 in UTC with microseconds.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_the_same_moment() {
        let at = DateTime::parse_from_rfc3339("2024-05-14T08:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::Fixed(at);
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2024, 5, 14).unwrap());
        assert_eq!(clock.stamp(), "2024-05-14T08:30:00.000000Z");
        assert_eq!(clock.now(), clock.now());
    }
}
