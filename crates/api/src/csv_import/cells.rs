//! Reading one cell's number as spreadsheets write it.

use crate::routes::reports::shorten;
use rops_domain::number::{Decimal, NumberError};
use rops_domain::validation::FieldErrors;

/// A cell's number, or an error naming the line and column.
pub(super) fn read_number(
    raw: &str,
    line: usize,
    column: &str,
    errors: &mut FieldErrors,
) -> Option<Decimal> {
    let parsed = number_text(raw)
        .ok_or_else(|| NumberError::NotANumber(shorten(raw)))
        .and_then(|text| Decimal::parse(&text));
    match parsed {
        Ok(v) => Some(v),
        Err(NumberError::NotANumber(_)) => {
            errors.push(
                format!("rows[{line}].{column}"),
                format!("line {line}, {column}: `{}` is not a number", shorten(raw)),
            );
            None
        }
        Err(e) => {
            errors.push(
                format!("rows[{line}].{column}"),
                format!("line {line}, {column}: {e}"),
            );
            None
        }
    }
}

/// A spreadsheet's number as plain `-?digits(.digits)?(e…)?` text: thousands separated by
/// spaces (plain, no-break U+00A0, narrow U+202F or thin U+2009) in groups of three, and a
/// single comma as the decimal point. `None` when the cell cannot be a number written so
/// (`1,250.5` is ambiguous, `12 50` is not grouped by thousands).
pub fn number_text(cell: &str) -> Option<String> {
    let cell = cell.trim();
    let (sign, rest) = match cell.as_bytes().first() {
        Some(b'-') => ("-", &cell[1..]),
        Some(b'+') => ("", &cell[1..]),
        _ => ("", cell),
    };
    let commas = rest.matches(',').count();
    if commas > 1 || (commas == 1 && rest.contains('.')) {
        return None;
    }
    let rest = rest.replacen(',', ".", 1);
    let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}');
    if !rest.contains(is_space) {
        return Some(format!("{sign}{rest}"));
    }
    let (int, frac) = rest.split_once('.').unwrap_or((&rest, ""));
    if frac.contains(is_space) {
        return None;
    }
    let mut groups = int.split(is_space);
    let first = groups.next().unwrap_or_default();
    let grouped = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups
            .clone()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !grouped {
        return None;
    }
    let digits: String = int.chars().filter(|c| !is_space(*c)).collect();
    Some(if rest.contains('.') {
        format!("{sign}{digits}.{frac}")
    } else {
        format!("{sign}{digits}")
    })
}
