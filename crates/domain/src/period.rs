//! Reporting periods: quarters `2024-Q3`, years and inclusive windows of quarters.

use crate::code::ParseError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

const QUARTER_EXPECTED: &str = "a quarter written YYYY-Qn with n from 1 to 4, e.g. 2024-Q3";
const YEAR_EXPECTED: &str = "a year of four digits, e.g. 2024";

/// A calendar quarter. Ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    year: i32,
    quarter: u8,
}

impl Quarter {
    /// What [`Quarter::parse`] accepts, as a regular expression: years 1900 to 9999.
    pub const PATTERN: &'static str = "^(19[0-9]{2}|[2-9][0-9]{3})-Q[1-4]$";

    pub fn new(year: i32, quarter: u8) -> Result<Self, ParseError> {
        if (1..=4).contains(&quarter) && (Year::MIN..=Year::MAX).contains(&year) {
            Ok(Self { year, quarter })
        } else {
            Err(ParseError::new(
                "quarter",
                &format!("{year}-Q{quarter}"),
                QUARTER_EXPECTED,
            ))
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let err = || ParseError::new("quarter", value, QUARTER_EXPECTED);
        let bytes = value.as_bytes();
        // Checked on bytes first: slicing text with multi-byte characters could split one.
        if bytes.len() != 7 || &bytes[4..6] != b"-Q" || !bytes[..4].iter().all(u8::is_ascii_digit) {
            return Err(err());
        }
        let year = value[..4].parse().map_err(|_| err())?;
        let quarter = match bytes[6] {
            d @ b'1'..=b'4' => d - b'0',
            _ => return Err(err()),
        };
        Self::new(year, quarter).map_err(|_| err())
    }

    /// The quarter holding a date.
    pub fn containing(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            quarter: (date.month0() / 3 + 1) as u8,
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u8 {
        self.quarter
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.quarter) * 3 - 2, 1)
            .expect("a valid quarter starts on a valid date")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a quarter's end has a previous day")
    }

    pub fn next(self) -> Self {
        if self.quarter == 4 {
            Self {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Self {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }

    pub fn previous(self) -> Self {
        if self.quarter == 1 {
            Self {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Self {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    /// The same quarter of the year before.
    pub fn year_ago(self) -> Self {
        Self {
            year: self.year - 1,
            quarter: self.quarter,
        }
    }

    /// Number of quarters from `self` to `other`, both included; 0 when `other` is earlier.
    pub fn count_to(self, other: Quarter) -> u32 {
        let a = self.index();
        let b = other.index();
        if b < a {
            0
        } else {
            (b - a + 1) as u32
        }
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 4 + i64::from(self.quarter) - 1
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

impl std::str::FromStr for Quarter {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Quarter {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Quarter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::string_schema(Self::PATTERN, QUARTER_EXPECTED, "2024-Q3")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Quarter {}

/// A calendar year as reports and windows name it: four digits, 1900 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(i32);

impl Year {
    pub const MIN: i32 = 1900;
    pub const MAX: i32 = 9999;

    /// Four ASCII digits, from 1900 to 9999 (`2024`; not `+202`, `02024` or ` 2024`).
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let err = || ParseError::new("year", value, YEAR_EXPECTED);
        if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = value.parse().map_err(|_| err())?;
        Self::new(year).ok_or_else(err)
    }

    pub fn new(year: i32) -> Option<Self> {
        (Self::MIN..=Self::MAX)
            .contains(&year)
            .then_some(Self(year))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Year {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(Self::MIN))
            .maximum(Some(Self::MAX))
            .description(Some("A calendar year, 1900 to 9999"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Year {}

/// An inclusive range of quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    pub from: Quarter,
    pub to: Quarter,
}

impl Window {
    pub fn new(from: Quarter, to: Quarter) -> Result<Self, ParseError> {
        if from <= to {
            Ok(Self { from, to })
        } else {
            Err(ParseError::new(
                "window",
                &format!("{from}..{to}"),
                "a first quarter no later than the last",
            ))
        }
    }

    /// `year=2024` means 2024-Q1..2024-Q4.
    pub fn of_year(year: Year) -> Self {
        Self {
            from: Quarter {
                year: year.get(),
                quarter: 1,
            },
            to: Quarter {
                year: year.get(),
                quarter: 4,
            },
        }
    }

    /// `year=2024` means 2024-Q1..2024-Q4.
    pub fn year(year: i32) -> Result<Self, ParseError> {
        Ok(Self {
            from: Quarter::new(year, 1)?,
            to: Quarter::new(year, 4)?,
        })
    }

    pub fn contains(&self, q: Quarter) -> bool {
        self.from <= q && q <= self.to
    }

    /// How many quarters it holds (at least one).
    pub fn quarter_count(&self) -> u32 {
        self.from.count_to(self.to)
    }

    pub fn quarters(&self) -> impl Iterator<Item = Quarter> {
        let to = self.to;
        std::iter::successors(Some(self.from), move |q| {
            let n = q.next();
            (n <= to).then_some(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        let q = Quarter::parse("2024-Q3").unwrap();
        assert_eq!(q.to_string(), "2024-Q3");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2024, 7, 1).unwrap());
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2024, 9, 30).unwrap());
        assert_eq!(
            Quarter::parse("2024-Q4").unwrap().last_day().to_string(),
            "2024-12-31"
        );
    }

    #[test]
    fn steps_back() {
        let q = |s: &str| Quarter::parse(s).unwrap();
        assert_eq!(q("2025-Q1").previous(), q("2024-Q4"));
        assert_eq!(q("2025-Q3").previous(), q("2025-Q2"));
        assert_eq!(q("2025-Q3").previous().next(), q("2025-Q3"));
        assert_eq!(q("2025-Q3").year_ago(), q("2024-Q3"));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "00000\u{80}",
            "0\u{80}\u{10000}",
            "2024-Q5",
            "2024-Q0",
            "24Q1",
            "2024Q1",
            "2024-q1",
            "2024-Q1 ",
            "abcd-Q1",
            "",
        ] {
            let err = Quarter::parse(bad).unwrap_err();
            assert!(err.to_string().contains("YYYY-Qn"), "{bad}: {err}");
        }
    }

    #[test]
    fn windows() {
        let w = Window::year(2024).unwrap();
        assert_eq!(w.quarter_count(), 4);
        assert_eq!(
            w.quarters().map(|q| q.to_string()).collect::<Vec<_>>(),
            ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
        );
        assert!(Window::new(w.to, w.from).is_err());
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(year in 1900i32..=9999, n in 1u8..=4) {
            let q = Quarter::new(year, n).unwrap();
            prop_assert_eq!(Quarter::parse(&q.to_string()).unwrap(), q);
            prop_assert_eq!(Quarter::containing(q.first_day()), q);
            prop_assert_eq!(Quarter::containing(q.last_day()), q);
            prop_assert!(q < q.next());
        }

        /// Fuzz: any text, any bytes read as text, is a quarter or a refusal, never a panic.
        #[test]
        fn any_text_parses_or_is_refused(text in "\\PC{0,24}", bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            if let Ok(q) = Quarter::parse(&text) {
                prop_assert_eq!(Quarter::parse(&q.to_string()).ok(), Some(q));
            }
            let _ = Quarter::parse(&String::from_utf8_lossy(&bytes));
            let _ = crate::report::ReportPeriod::parse(crate::indicator::Stream::Gmina, &text);
        }
    }
}
