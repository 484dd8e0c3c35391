//! Numbers as people write them, read exactly: no value passes through a binary float on its
//! way from a request or a file into a report.
//!
//! A [`Decimal`] is parsed from the text of a JSON number or a spreadsheet cell (`1250`,
//! `1250.5`, `1.25e3`), and turns into a count or into [`Money`] (whole grosze) only when the
//! indicator's unit is known. Both have a documented maximum, so sums over any realistic
//! number of reports stay far inside `i128` and no figure can become infinite.

use std::fmt;

/// The largest count a report may hold: 10^12.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// The largest amount a report may hold: 10^12 zł, in grosze.
pub const MAX_MONEY_GROSZE: i64 = 100_000_000_000_000;

/// Longest number text read; anything longer is refused before it is looked at.
const MAX_TEXT: usize = 64;

/// A non-negative decimal number read exactly: `digits × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    digits: u128,
    scale: u32,
    negative: bool,
}

/// Why a number was refused, worded for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("`{0}` is not a number")]
    NotANumber(String),
    #[error("{0} is negative; values are 0 or more")]
    Negative(String),
    #[error("{0} is not a whole number; this indicator counts")]
    NotWhole(String),
    #[error("{0} has more than two decimals; amounts are in złoty with grosze")]
    TooManyDecimals(String),
    #[error("{0} is above the largest value accepted, {1}")]
    TooLarge(String, &'static str),
}

impl Decimal {
    /// Reads `-?digits(.digits)?([eE][+-]?digits)?`, as JSON writes numbers.
    pub fn parse(text: &str) -> Result<Self, NumberError> {
        let bad = || NumberError::NotANumber(shorten(text));
        if text.is_empty() || text.len() > MAX_TEXT {
            return Err(if text.len() > MAX_TEXT && looks_numeric(text) {
                NumberError::TooLarge(shorten(text), "10^12")
            } else {
                bad()
            });
        }
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = rest[i + 1..].parse().map_err(|_| bad())?;
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let mut digits: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            digits = digits
                .checked_mul(10)
                .and_then(|d| d.checked_add(u128::from(b - b'0')))
                .ok_or_else(|| NumberError::TooLarge(shorten(text), "10^12"))?;
        }
        let frac_len = i64::try_from(frac.len()).map_err(|_| bad())?;
        let mut scale = if digits == 0 {
            0
        } else {
            frac_len.checked_sub(exponent).ok_or_else(bad)?
        };
        // A positive exponent beyond the fraction multiplies the digits.
        while scale < 0 {
            digits = digits
                .checked_mul(10)
                .ok_or_else(|| NumberError::TooLarge(shorten(text), "10^12"))?;
            scale += 1;
        }
        // Trailing zeros after the point say nothing: 4.00 is 4.
        while scale > 0 && digits.is_multiple_of(10) {
            digits /= 10;
            scale -= 1;
        }
        // Beyond 38 places no value of a report can be told from zero.
        let scale = u32::try_from(scale)
            .ok()
            .filter(|s| *s <= 38)
            .ok_or_else(bad)?;
        Ok(Self {
            digits,
            scale,
            negative: negative && digits != 0,
        })
    }

    /// A count: a whole number from 0 to [`MAX_COUNT`].
    pub fn to_count(self) -> Result<u64, NumberError> {
        let shown = self.to_string();
        if self.negative {
            return Err(NumberError::Negative(shown));
        }
        if self.scale > 0 {
            return Err(NumberError::NotWhole(shown));
        }
        u64::try_from(self.digits)
            .ok()
            .filter(|n| *n <= MAX_COUNT)
            .ok_or(NumberError::TooLarge(shown, "1 000 000 000 000"))
    }

    /// An amount of money: from 0 to 10^12 zł with at most two decimals.
    pub fn to_money(self) -> Result<Money, NumberError> {
        let shown = self.to_string();
        if self.negative {
            return Err(NumberError::Negative(shown));
        }
        if self.scale > 2 {
            return Err(NumberError::TooManyDecimals(shown));
        }
        let grosze = self
            .digits
            .checked_mul(10u128.pow(2 - self.scale))
            .and_then(|g| i64::try_from(g).ok())
            .filter(|g| *g <= MAX_MONEY_GROSZE)
            .ok_or(NumberError::TooLarge(shown, "1 000 000 000 000 zł"))?;
        Ok(Money(grosze))
    }

    /// From a whole number, e.g. a count already stored.
    pub fn from_u64(n: u64) -> Self {
        Self {
            digits: u128::from(n),
            scale: 0,
            negative: false,
        }
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Self {
        Self::parse(&m.to_string()).unwrap_or(Self::from_u64(0))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "" };
        let digits = self.digits.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

fn looks_numeric(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
}

/// The start of a long text, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(24) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// An amount of money in whole grosze (1 zł = 100 gr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    pub fn grosze(self) -> i64 {
        self.0
    }
}

/// Złoty with two decimals and a point, as JSON and the store write it: `1250.50`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grosze_text(i128::from(self.0)))
    }
}

// How numbers are written, in one place: for machines (JSON, CSV cells, spreadsheets) and
// for people (the Polish way, for terminals and pages).

/// Grosze as złoty text with two decimals and a point (`-` for a negative sum).
pub fn grosze_text(grosze: i128) -> String {
    let sign = if grosze < 0 { "-" } else { "" };
    let abs = grosze.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A computed fraction as figures carry it: rounded to six decimal places.
pub fn rounded(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A cell as Polish spreadsheets read it: the machine text with a decimal comma.
pub fn decimal_comma(machine: &str) -> String {
    machine.replace('.', ",")
}

/// A number the Polish way, for people: thousands grouped by a no-break space, a decimal
/// comma, money with two decimals (`1 234,50`), shares as percent with one decimal (`12,5 %`),
/// counts whole (`1 234`). For terminals and spreadsheets, whose fonts may lack a narrow space.
pub fn polish(value: f64, unit: crate::indicator::Unit) -> String {
    polish_grouped(value, unit, '\u{a0}')
}

/// [`polish`] with thousands grouped by a narrow no-break space (U+202F), as Polish
/// typography writes them: for pages.
pub fn polish_narrow(value: f64, unit: crate::indicator::Unit) -> String {
    polish_grouped(value, unit, '\u{202f}')
}

fn polish_grouped(value: f64, unit: crate::indicator::Unit, group: char) -> String {
    use crate::indicator::Unit;
    match unit {
        Unit::Share => format!("{}\u{a0}%", polish_decimal(value * 100.0, 1, group)),
        Unit::Pln => polish_decimal(value, 2, group),
        Unit::Count if value.fract() == 0.0 => polish_decimal(value, 0, group),
        Unit::Count => polish_decimal(value, 2, group),
    }
}

fn polish_decimal(v: f64, places: usize, group: char) -> String {
    let text = format!("{v:.places$}");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(text: &str) -> Result<i64, NumberError> {
        Decimal::parse(text)?.to_money().map(Money::grosze)
    }

    #[test]
    fn writes_numbers_for_machines_and_the_polish_way() {
        use crate::indicator::Unit;
        assert_eq!(grosze_text(123_456_789), "1234567.89");
        assert_eq!(grosze_text(-5), "-0.05");
        assert_eq!(rounded(1.0 / 3.0), 0.333333);
        assert_eq!(decimal_comma("1234.5"), "1234,5");
        assert_eq!(polish(1_234_567.0, Unit::Count), "1\u{a0}234\u{a0}567");
        assert_eq!(polish(-1500.0, Unit::Count), "-1\u{a0}500");
        assert_eq!(polish(1234.5, Unit::Pln), "1\u{a0}234,50");
        assert_eq!(polish(0.125, Unit::Share), "12,5\u{a0}%");
        assert_eq!(polish(0.10005, Unit::Share), "10,0\u{a0}%");
        assert_eq!(polish(2.5, Unit::Count), "2,50");
        assert_eq!(polish_narrow(1234.5, Unit::Pln), "1\u{202f}234,50");
        assert_eq!(
            polish_narrow(12_345.0, Unit::Share),
            "1\u{202f}234\u{202f}500,0\u{a0}%"
        );
    }

    #[test]
    fn reads_what_json_and_people_write() {
        assert_eq!(money("1250"), Ok(125_000));
        assert_eq!(money("1250.5"), Ok(125_050));
        assert_eq!(money("1250.50"), Ok(125_050));
        assert_eq!(money("1.2505e3"), Ok(125_050));
        assert_eq!(money("0.1"), Ok(10));
        assert_eq!(money("1000000000000"), Ok(MAX_MONEY_GROSZE));
        assert_eq!(money("999999999999.99"), Ok(MAX_MONEY_GROSZE - 1));
        assert_eq!(Decimal::parse("4.00").unwrap().to_count(), Ok(4));
        assert_eq!(Decimal::parse("4e2").unwrap().to_count(), Ok(400));
        assert_eq!(Decimal::parse("-0").unwrap().to_count(), Ok(0));
    }

    #[test]
    fn refuses_what_no_report_holds() {
        assert!(matches!(money("1e308"), Err(NumberError::TooLarge(..))));
        assert!(matches!(
            money("1000000000000.01"),
            Err(NumberError::TooLarge(..))
        ));
        assert!(matches!(
            money(&"9".repeat(400)),
            Err(NumberError::TooLarge(..))
        ));
        assert!(matches!(
            money("10.005"),
            Err(NumberError::TooManyDecimals(_))
        ));
        assert!(matches!(money("-1"), Err(NumberError::Negative(_))));
        for bad in [
            "", "NaN", "Infinity", "1,5", "1.2.3", "e5", ".", "1e", "0x10",
        ] {
            assert!(
                matches!(Decimal::parse(bad), Err(NumberError::NotANumber(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Decimal::parse("1.5").unwrap().to_count(),
            Err(NumberError::NotWhole(_))
        ));
        assert!(matches!(
            Decimal::parse("1000000000001").unwrap().to_count(),
            Err(NumberError::TooLarge(..))
        ));
        assert!(matches!(
            Decimal::parse("1e-30").unwrap().to_money(),
            Err(NumberError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Decimal::parse("1e-999999"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(money("1e999999"), Err(NumberError::TooLarge(..))));
        assert!(matches!(
            money("1e-9223372036854775808"),
            Err(NumberError::NotANumber(_))
        ));
        assert_eq!(money("0e999999"), Ok(0));
    }

    #[test]
    fn writes_two_decimals() {
        assert_eq!(Money(125_050).to_string(), "1250.50");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(grosze_text(-5), "-0.05");
        assert_eq!(Decimal::parse("0.05").unwrap().to_string(), "0.05");
    }

    proptest! {
        #[test]
        fn money_text_reads_back(grosze in 0i64..=MAX_MONEY_GROSZE) {
            prop_assert_eq!(money(&Money(grosze).to_string()), Ok(grosze));
        }

        #[test]
        fn any_text_is_read_or_refused_never_a_panic(text in "\\PC{0,80}") {
            let _ = Decimal::parse(&text).map(|d| (d.to_money(), d.to_count()));
        }

        #[test]
        fn floats_as_json_writes_them_read_exactly(whole in 0u64..1_000_000_000, cents in 0u64..100) {
            let f = whole as f64 + cents as f64 / 100.0;
            let text = serde_json::to_string(&f).unwrap();
            prop_assert_eq!(money(&text), Ok((whole * 100 + cents) as i64));
        }
    }
}
