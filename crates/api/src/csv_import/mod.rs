//! Reading report values from the files people make in spreadsheets, as LibreOffice and Excel
//! save them in Polish settings, and writing the template they fill in.
//!
//! - CSV in UTF-8 (with or without BOM), or in Windows-1250 (what Polish Excel writes as
//!   "CSV"): bytes that are not UTF-8 are read as Windows-1250, and so is a body whose
//!   `charset` says so. Cells are separated by `;`, `,` or a tab (the first line decides; an
//!   Excel `sep=;` line is obeyed).
//! - XLSX: the first sheet; numbers in cells are numbers, text cells are read like CSV cells.
//!
//! Two shapes are accepted:
//! - long: the columns `period`, `indicator`, `value` (or the export's Polish `okres`,
//!   `wskaźnik`, `wartość`) in any order, one value per row; a `nazwa wskaźnika` column (the
//!   template's Polish names) is ignored;
//! - wide: `period` and indicator codes, one period per row.
//!
//! Numbers are read exactly ([`Decimal`]) as spreadsheets write them: `1250`, `1250.5`,
//! `1 250,50` (thousands in groups of three after a space, a no-break space U+00A0 or a narrow
//! one U+202F; a single comma is a decimal comma). Trailing empty columns and empty rows are
//! ignored; another column is ignored with a warning. An empty wide cell leaves that indicator
//! as it is stored. Problems are reported per line and column, as `rows[<line>].<column>`
//! (the header is line 1; in an XLSX sheet, the line is the row number): those found in the
//! file here, and those the store finds (by period and indicator) placed back in the file by
//! [`locate`].

use crate::routes::reports::shorten;
use encoding_rs::Encoding;
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};
use rops_domain::number::Decimal;
use rops_domain::report::ReportPeriod;
use rops_domain::validation::{FieldError, FieldErrors};
use rops_domain::values::Input;
use rops_store::reports::ImportBatch;
use rops_store::ImportProblem;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

pub(crate) mod cells;
mod files;
mod template;
#[cfg(test)]
mod tests;

pub use cells::number_text;
use cells::read_number;
use files::{read_csv, read_xlsx, Record};
pub use template::{template_csv, template_xlsx, TEMPLATE_HEADER};

/// The media type of XLSX workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Most warnings listed in one answer; the rest are counted.
pub const MAX_LISTED_WARNINGS: usize = 100;

/// Most cells read from a sheet: more than a 64 KiB CSV can hold.
const MAX_SHEET_CELLS: usize = 1 << 16;

/// Most `<c>` elements looked at in a sheet, empty ones included (a compressed sheet may
/// unpack to far more XML than its upload size).
const MAX_SHEET_ELEMENTS: usize = 1 << 20;

/// Most bytes an uploaded workbook may unpack to, by the sizes its zip directory declares:
/// 64 KiB of deflated XML can claim gigabytes, and calamine reads the shared strings whole.
const MAX_UNPACKED: u64 = 16 << 20;

/// What an upload is.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// CSV text; `encoding` is the one the `charset` parameter named, `None` for UTF-8 or no
    /// charset (then bytes that are not UTF-8 are read as Windows-1250).
    Csv { encoding: Option<&'static Encoding> },
    /// An XLSX workbook: its first sheet.
    Xlsx,
}

/// One period of a file: its values, and the lines and columns they came from.
#[derive(Debug, Clone)]
pub struct FileBatch {
    pub period: ReportPeriod,
    pub values: Input,
    /// Where each indicator's value stood: (line, column name).
    pub origin: BTreeMap<String, (usize, String)>,
    /// The first line that named this period.
    pub first_line: usize,
}

impl FileBatch {
    /// What the store is given: the period and its values.
    pub fn to_store(&self) -> ImportBatch {
        ImportBatch {
            period: self.period,
            values: self.values.clone(),
        }
    }
}

/// The store's problems with an import, placed in the file: a problem with one indicator's
/// value names the line and column it stood in, one with the whole period names the first
/// line of that period, as `rows[<line>].<column>` with a message that starts `line <n>`.
pub fn locate(batches: &[FileBatch], problems: Vec<ImportProblem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| {
            let Some(batch) = batches.iter().find(|b| b.period == p.period) else {
                return FieldError::new("file", format!("{}: {}", p.period, p.message));
            };
            let (line, column) = p
                .indicator
                .as_ref()
                .and_then(|code| batch.origin.get(code).cloned())
                .unwrap_or((batch.first_line, "period".to_owned()));
            FieldError::new(
                format!("rows[{line}].{column}"),
                format!("line {line}, {column}: {}", p.message),
            )
        })
        .collect()
}

/// What a file holds: the values per period, and what was ignored in it.
#[derive(Debug)]
pub struct Parsed {
    pub batches: Vec<FileBatch>,
    /// Columns left out of the import, each named like an error (`rows[1].<column>`).
    pub warnings: Vec<FieldError>,
}

/// The encoding a `charset` parameter names. `Ok(None)` is UTF-8 (or no charset); the
/// error says what is read instead.
pub fn encoding(charset: Option<&str>) -> Result<Option<&'static Encoding>, String> {
    let Some(label) = charset else {
        return Ok(None);
    };
    match Encoding::for_label(label.as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => Ok(None),
        Some(e)
            if [
                encoding_rs::WINDOWS_1250,
                encoding_rs::ISO_8859_2,
                encoding_rs::UTF_16LE,
                encoding_rs::UTF_16BE,
            ]
            .contains(&e) =>
        {
            Ok(Some(e))
        }
        _ => Err(format!(
            "charset `{}` is not read here; send UTF-8 or windows-1250 (cp1250)",
            shorten(label)
        )),
    }
}

/// Reads an upload into report batches for `stream`, checking indicator codes against
/// `catalogue`. Linear in the size of the upload.
pub fn parse(
    bytes: &[u8],
    source: Source,
    stream: Stream,
    catalogue: &[IndicatorDef],
) -> Result<Parsed, FieldErrors> {
    let mut errors = FieldErrors::default();
    let table = match source {
        Source::Csv { encoding } => {
            let text = decode(bytes, encoding, &mut errors);
            if !errors.is_empty() {
                return Err(errors);
            }
            read_csv(&text, &mut errors)
        }
        Source::Xlsx => match read_xlsx(bytes) {
            Ok(t) => t,
            Err(message) => {
                errors.push("file", message);
                return Err(errors);
            }
        },
    };
    let parsed = Reader::new(stream, catalogue).read(table, &mut errors);
    match parsed {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(errors),
    }
}

/// The text of a CSV upload: the declared encoding, else UTF-8 when the bytes are UTF-8
/// (or carry a UTF-16 byte order mark), else Windows-1250. A byte order mark is dropped.
fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&'static Encoding>,
    errors: &mut FieldErrors,
) -> Cow<'a, str> {
    let sniffed = Encoding::for_bom(bytes).map(|(e, _)| e);
    let encoding = match (declared, sniffed) {
        (_, Some(bom)) => bom,
        (Some(declared), None) => declared,
        (None, None) if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
        (None, None) => encoding_rs::WINDOWS_1250,
    };
    let (text, _, malformed) = encoding.decode(bytes);
    if malformed {
        errors.push(
            "file",
            format!(
                "the file is not valid {}; save it from the spreadsheet as \"CSV UTF-8\" or \"CSV\"",
                encoding.name()
            ),
        );
    }
    text
}

/// What a column of the header is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Column {
    Period,
    Indicator,
    Value,
    /// The template's `nazwa wskaźnika`: read by people, ignored here.
    Name,
    /// A reported indicator of the catalogue (wide format).
    Code(String),
    Ignored,
}

fn known_column(header: &str) -> Option<Column> {
    Some(match header {
        "period" | "okres" => Column::Period,
        "indicator" | "wskaźnik" | "kod wskaźnika" => Column::Indicator,
        "value" | "wartość" => Column::Value,
        "nazwa wskaźnika" | "nazwa" | "name" => Column::Name,
        _ => return None,
    })
}

/// A column's letter as spreadsheets show it: 0 → A, 26 → AA.
fn letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

struct Reader<'a> {
    stream: Stream,
    catalogue: HashMap<&'a str, &'a IndicatorDef>,
    allowed: String,
    warnings: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    fn new(stream: Stream, catalogue: &'a [IndicatorDef]) -> Self {
        let allowed = catalogue
            .iter()
            .filter(|d| d.stream == stream && d.kind != IndicatorKind::Ratio)
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            stream,
            catalogue: catalogue
                .iter()
                .filter(|d| d.stream == stream)
                .map(|d| (d.code.as_str(), d))
                .collect(),
            allowed,
            warnings: Vec::new(),
        }
    }

    /// Why a code cannot take a value, or `None` when it can.
    fn refuse_code(&self, code: &str) -> Option<String> {
        match self.catalogue.get(code) {
            None => Some(format!(
                "unknown indicator `{}`; the indicators are: {}",
                shorten(code),
                self.allowed
            )),
            Some(d) if d.kind == IndicatorKind::Ratio => Some(format!(
                "`{code}` is computed as {} / {}; report those two instead",
                d.numerator.as_ref().map_or("?", |c| c.as_str()),
                d.denominator.as_ref().map_or("?", |c| c.as_str())
            )),
            Some(_) => None,
        }
    }

    fn warn(&mut self, field: String, message: String) {
        self.warnings.push(FieldError::new(field, message));
    }

    /// The header's columns, or `None` (with errors) when it is neither format.
    fn header(&mut self, header: &Record, errors: &mut FieldErrors) -> Option<(Vec<Column>, bool)> {
        let hl = header.line;
        let width = header.filled();
        let names: Vec<String> = header.cells[..width]
            .iter()
            .map(|c| c.to_lowercase())
            .collect();
        let known: Vec<Option<Column>> = names.iter().map(|n| known_column(n)).collect();
        let has = |c: Column| known.iter().any(|k| k.as_ref() == Some(&c));
        let long = has(Column::Indicator) || has(Column::Value);
        if long && !(has(Column::Indicator) && has(Column::Value) && has(Column::Period)) {
            errors.push(
                format!("rows[{hl}]"),
                format!("line {hl}: a header of one value per row needs the columns `period`, `indicator` and `value` (or `okres`, `wskaźnik`, `wartość`)"),
            );
            return None;
        }
        if !has(Column::Period) {
            errors.push(
                format!("rows[{hl}]"),
                format!("line {hl}: the header must be `period,indicator,value` (one value per row) or `period` followed by indicator codes (one period per row)"),
            );
            return None;
        }
        let mut columns = Vec::with_capacity(width);
        let mut unknown = Vec::new();
        for (i, (name, known)) in names.iter().zip(known).enumerate() {
            let shown = shorten(&header.cells[i]);
            let column = match known {
                Some(Column::Name) if long => Column::Name,
                Some(c @ (Column::Period | Column::Indicator | Column::Value)) => c,
                _ if name.is_empty() => Column::Ignored,
                _ if long => {
                    self.warn(
                        format!("rows[{hl}].{shown}"),
                        format!("line {hl}: column {} (`{shown}`) is not one of period, indicator, value; its cells were ignored", letter(i)),
                    );
                    Column::Ignored
                }
                _ => match self.refuse_code(name) {
                    None => Column::Code(name.clone()),
                    Some(why) if self.catalogue.contains_key(name.as_str()) => {
                        errors.push(
                            format!("rows[{hl}].{name}"),
                            format!("line {hl}, {name}: {why}"),
                        );
                        Column::Ignored
                    }
                    Some(why) => {
                        unknown.push((i, shown, why));
                        Column::Ignored
                    }
                },
            };
            columns.push(column);
        }
        let codes = columns
            .iter()
            .filter(|c| matches!(c, Column::Code(_)))
            .count();
        if !long && codes == 0 && errors.is_empty() {
            // Nothing in the header is an indicator: say why of each column.
            if unknown.is_empty() {
                errors.push(
                    format!("rows[{hl}]"),
                    format!("line {hl}: the header must be `period,indicator,value` (one value per row) or `period` followed by indicator codes (one period per row)"),
                );
            }
            for (_, shown, why) in unknown {
                errors.push(
                    format!("rows[{hl}].{shown}"),
                    format!("line {hl}, {shown}: {why}"),
                );
            }
            return None;
        }
        for (i, shown, _) in unknown {
            self.warn(
                format!("rows[{hl}].{shown}"),
                format!(
                    "line {hl}: column {} (`{shown}`) is not an indicator code; its cells were ignored",
                    letter(i)
                ),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (column, name) in columns.iter().zip(&names) {
            if !matches!(column, Column::Ignored | Column::Name) && !seen.insert(column) {
                let name = match column {
                    Column::Period => "period",
                    Column::Indicator => "indicator",
                    Column::Value => "value",
                    Column::Name => "nazwa wskaźnika",
                    Column::Code(c) => c,
                    Column::Ignored => name,
                };
                errors.push(
                    format!("rows[{hl}].{name}"),
                    format!("line {hl}: column {name} appears twice"),
                );
            }
        }
        Some((columns, long))
    }

    fn read(mut self, records: Vec<Record>, errors: &mut FieldErrors) -> Option<Parsed> {
        let mut records = records.into_iter().filter(|r| !r.is_empty());
        let Some(header) = records.next() else {
            if errors.is_empty() {
                errors.push("file", "the file is empty");
            }
            return None;
        };
        let (columns, long) = self.header(&header, errors)?;
        let position = |c: &Column| columns.iter().position(|x| x == c);
        let period_at = position(&Column::Period).unwrap_or(0);
        let indicator_at = position(&Column::Indicator).unwrap_or(0);
        let value_at = position(&Column::Value).unwrap_or(0);
        // A CSV line must reach every column that carries something.
        let needed = columns
            .iter()
            .rposition(|c| !matches!(c, Column::Ignored | Column::Name))
            .map_or(0, |i| i + 1);
        let mut stray_reported = vec![false; columns.len()];
        let mut batches: BTreeMap<ReportPeriod, FileBatch> = BTreeMap::new();
        let mut rows = 0;
        for record in records {
            let line = record.line;
            let filled = record.width;
            if filled > columns.len() {
                errors.push(
                    format!("rows[{line}]"),
                    format!(
                        "line {line}: has {filled} cells; the header has {}",
                        columns.len()
                    ),
                );
                continue;
            }
            if let Some(written) = record.written.filter(|w| *w < needed) {
                errors.push(
                    format!("rows[{line}]"),
                    format!(
                        "line {line}: has {written} cells; the header has {}",
                        columns.len()
                    ),
                );
                continue;
            }
            rows += 1;
            let cell = |i: usize| record.cells.get(i).map_or("", String::as_str);
            for (i, column) in columns.iter().enumerate() {
                if *column == Column::Ignored
                    && !stray_reported[i]
                    && header.cells.get(i).is_none_or(String::is_empty)
                    && !cell(i).is_empty()
                {
                    stray_reported[i] = true;
                    self.warn(
                        format!("rows[{line}]"),
                        format!(
                            "line {line}: column {} has no header; its cells (from line {line} on) were ignored",
                            letter(i)
                        ),
                    );
                }
            }
            let period = errors.take(
                format!("rows[{line}].period"),
                ReportPeriod::parse(self.stream, cell(period_at)),
            );
            // Every cell of the line is checked, also when its period is wrong.
            let mut values: Vec<(String, Decimal, String)> = Vec::new();
            if long {
                let code = cell(indicator_at).to_lowercase();
                let raw = cell(value_at);
                let code_ok = if code.is_empty() {
                    errors.push(
                        format!("rows[{line}].indicator"),
                        format!("line {line}, indicator: is empty; write an indicator code"),
                    );
                    false
                } else if let Some(why) = self.refuse_code(&code) {
                    errors.push(
                        format!("rows[{line}].indicator"),
                        format!("line {line}, indicator: {why}"),
                    );
                    false
                } else {
                    true
                };
                if raw.is_empty() {
                    errors.push(
                        format!("rows[{line}].value"),
                        format!("line {line}, value: is empty; write 0 when nothing happened"),
                    );
                } else if let Some(v) = read_number(raw, line, "value", errors) {
                    if code_ok {
                        values.push((code, v, "value".to_owned()));
                    }
                }
            } else {
                for (i, column) in columns.iter().enumerate() {
                    let (Column::Code(code), raw) = (column, cell(i)) else {
                        continue;
                    };
                    if raw.is_empty() {
                        continue;
                    }
                    if let Some(v) = read_number(raw, line, code, errors) {
                        values.push((code.clone(), v, code.clone()));
                    }
                }
            }
            let Some(period) = period else {
                continue;
            };
            let batch = batches.entry(period).or_insert_with(|| FileBatch {
                period,
                values: BTreeMap::new(),
                origin: BTreeMap::new(),
                first_line: line,
            });
            for (code, value, column) in values {
                if let Some((earlier, _)) = batch.origin.get(&code) {
                    errors.push(
                        format!("rows[{line}].{column}"),
                        format!(
                            "line {line}, {column}: {code} for {period} is already on line {earlier}"
                        ),
                    );
                    continue;
                }
                batch.values.insert(code.clone(), Some(value));
                batch.origin.insert(code, (line, column));
            }
        }
        if rows == 0 && errors.is_empty() {
            errors.push("file", "the file has a header but no data rows");
        }
        let mut warnings = self.warnings;
        if warnings.len() > MAX_LISTED_WARNINGS {
            let more = warnings.len() - MAX_LISTED_WARNINGS;
            warnings.truncate(MAX_LISTED_WARNINGS);
            warnings.push(FieldError::new(
                "warnings",
                format!("{more} more warnings are not listed"),
            ));
        }
        Some(Parsed {
            batches: batches.into_values().collect(),
            warnings,
        })
    }
}
