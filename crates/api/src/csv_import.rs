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
//! (the header is line 1; in an XLSX sheet, the line is the row number).

use crate::routes::reports::shorten;
use encoding_rs::Encoding;
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};
use rops_domain::number::{Decimal, NumberError};
use rops_domain::report::ReportPeriod;
use rops_domain::validation::{FieldError, FieldErrors};
use rops_store::reports::ImportBatch;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The media type of XLSX workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Most warnings listed in one answer; the rest are counted.
pub const MAX_LISTED_WARNINGS: usize = 100;

/// Most cells read from a sheet: more than a 64 KiB CSV can hold.
const MAX_SHEET_CELLS: usize = 1 << 16;

/// Most `<c>` elements looked at in a sheet, empty ones included (a compressed sheet may
/// unpack to far more XML than its upload size).
const MAX_SHEET_ELEMENTS: usize = 1 << 20;

/// What an upload is.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// CSV text; `encoding` is the one the `charset` parameter named, `None` for UTF-8 or no
    /// charset (then bytes that are not UTF-8 are read as Windows-1250).
    Csv { encoding: Option<&'static Encoding> },
    /// An XLSX workbook: its first sheet.
    Xlsx,
}

/// What a file holds: the values per period, and what was ignored in it.
#[derive(Debug)]
pub struct Parsed {
    pub batches: Vec<ImportBatch>,
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

/// One row of a sheet or CSV file: its line (1-based) and its cells, trimmed.
struct Record {
    line: usize,
    cells: Vec<String>,
    /// The cells a CSV line really had (a sheet's rows have every column).
    written: Option<usize>,
    /// One past the last cell that holds something, counted in the file (a sheet's row keeps
    /// fewer cells when it goes beyond the header).
    width: usize,
}

impl Record {
    fn is_empty(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }

    /// One past the last cell that holds something.
    fn filled(&self) -> usize {
        self.cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1)
    }
}

fn read_csv(text: &str, errors: &mut FieldErrors) -> Vec<Record> {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    // Excel's own hint, `sep=;`, names the separator on a line of its own.
    let hinted = first
        .trim()
        .strip_prefix("sep=")
        .or_else(|| first.trim().strip_prefix("SEP="))
        .and_then(|s| match s.as_bytes() {
            [b] if matches!(b, b';' | b',' | b'\t') => Some(*b),
            [] if first.ends_with('\t') => Some(b'\t'),
            _ => None,
        });
    let count = |c: char| first.matches(c).count();
    let delimiter = hinted.unwrap_or_else(|| {
        let (semicolons, commas, tabs) = (count(';'), count(','), count('\t'));
        if tabs > semicolons && tabs > commas {
            b'\t'
        } else if semicolons > commas {
            b';'
        } else {
            b','
        }
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                errors.push(
                    format!("rows[{line}]"),
                    format!("line {line}: cannot be read: {e}"),
                );
                continue;
            }
        };
        // The csv crate miscounts lines after CRLF endings; count them from the byte offset.
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if i == 0 && hinted.is_some() && cells[0].eq_ignore_ascii_case("sep=") {
            continue;
        }
        let mut record = Record {
            line,
            written: Some(cells.len()),
            cells,
            width: 0,
        };
        record.width = record.filled();
        records.push(record);
    }
    records
}

/// The first sheet of a workbook, row by row. Only rows that hold something are kept, and
/// every row gets as many cells as the widest of them (at most as wide as the header and
/// one more, which is enough to tell that a row goes beyond it).
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Record>, String> {
    use calamine::{DataRef, Reader as _};
    let unreadable = |e: calamine::XlsxError| {
        format!("the file cannot be read as an XLSX workbook: {e}; save it from the spreadsheet as \"Excel 2007-365 (.xlsx)\"")
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let Some(first) = book.sheet_names().first().cloned() else {
        return Err("the workbook has no sheet".into());
    };
    let mut cells = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let (mut seen, mut kept) = (0usize, 0usize);
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        seen += 1;
        if seen > MAX_SHEET_ELEMENTS {
            return Err(format!(
                "the sheet has more than {MAX_SHEET_ELEMENTS} cells; import at most {MAX_SHEET_CELLS} filled cells at once"
            ));
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            // The shortest text that reads back as the same number: 4.0 is `4`, 1250.5 is
            // `1250.5`, and the number is then read exactly like a CSV cell.
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::String(s) => s.trim().to_owned(),
            DataRef::SharedString(s) => s.trim().to_owned(),
            DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            DataRef::DateTime(d) => format!("date {d}"),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Error(e) => e.to_string(),
        };
        if text.is_empty() {
            continue;
        }
        kept += 1;
        if kept > MAX_SHEET_CELLS {
            return Err(format!(
                "the sheet has more than {MAX_SHEET_CELLS} filled cells; import fewer at once"
            ));
        }
        let (row, col) = cell.get_position();
        rows.entry(row).or_default().push((col, text));
    }
    let header_width = rows
        .values()
        .next()
        .and_then(|r| r.iter().map(|(c, _)| *c).max())
        .map_or(0, |c| c as usize + 1);
    Ok(rows
        .into_iter()
        .map(|(row, found)| {
            let widest = found
                .iter()
                .map(|(c, _)| *c as usize + 1)
                .max()
                .unwrap_or(0);
            let mut cells = vec![String::new(); widest.min(header_width + 1)];
            for (col, text) in found {
                let col = (col as usize).min(header_width);
                if cells[col].is_empty() {
                    cells[col] = text;
                }
            }
            Record {
                line: row as usize + 1,
                cells,
                written: None,
                width: widest,
            }
        })
        .collect())
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
        let mut batches: BTreeMap<ReportPeriod, ImportBatch> = BTreeMap::new();
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
            let batch = batches.entry(period).or_insert_with(|| ImportBatch {
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

/// A cell's number, or an error naming the line and column.
fn read_number(raw: &str, line: usize, column: &str, errors: &mut FieldErrors) -> Option<Decimal> {
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

/// Where each line of the file starts, so that a record's line number costs a binary search
/// instead of a count from the start of the file (which made big files quadratic).
struct LineIndex<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Self { bytes, newlines }
    }

    /// 1-based line number of the record starting at a byte offset. After a CRLF the csv
    /// reader puts a record's start on the `\n` (and miscounts its own line numbers), so line
    /// breaks at the offset still belong before the record.
    fn line_at(&self, byte: u64) -> usize {
        let mut end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        self.newlines.partition_point(|n| *n < end) + 1
    }
}

/// The header of the template: the long format and the Polish names.
pub const TEMPLATE_HEADER: [&str; 4] = ["period", "indicator", "value", "nazwa wskaźnika"];

/// The reported indicators of `stream`, in catalogue order: (code, Polish name).
fn template_rows(catalogue: &[IndicatorDef], stream: Stream) -> Vec<(&str, &str)> {
    catalogue
        .iter()
        .filter(|d| d.stream == stream && d.kind != IndicatorKind::Ratio)
        .map(|d| (d.code.as_str(), d.name_pl.as_str()))
        .collect()
}

/// The template as CSV for Excel in Polish settings: UTF-8 with BOM, `;`, CRLF; one row per
/// indicator with the value left empty, and the period filled in when given.
pub fn template_csv(
    catalogue: &[IndicatorDef],
    stream: Stream,
    period: Option<&str>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(TEMPLATE_HEADER)?;
        for (code, name) in template_rows(catalogue, stream) {
            w.write_record([period.unwrap_or(""), code, "", name])?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The template as an XLSX workbook: the same rows, the header bold and frozen.
pub fn template_xlsx(
    catalogue: &[IndicatorDef],
    stream: Stream,
    period: Option<&str>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Sprawozdanie")?;
    for (i, name) in TEMPLATE_HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *name, &bold)?;
    }
    for (i, (code, name)) in template_rows(catalogue, stream).into_iter().enumerate() {
        let row = i as u32 + 1;
        if let Some(p) = period {
            sheet.write_string(row, 0, p)?;
        }
        sheet.write_string(row, 1, code)?;
        sheet.write_string(row, 3, name)?;
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 34)?;
    sheet.set_column_width(2, 10)?;
    sheet.set_column_width(3, 90)?;
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<IndicatorDef> {
        rops_store::reference::parse(rops_store::reference::SAMPLE_REGION)
            .unwrap()
            .indicators
    }

    fn csv(text: &[u8]) -> Result<Parsed, FieldErrors> {
        parse(
            text,
            Source::Csv { encoding: None },
            Stream::Owes,
            &catalogue(),
        )
    }

    fn fields(r: Result<Parsed, FieldErrors>) -> Vec<String> {
        r.unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn long_and_wide_with_either_separator_and_a_bom() {
        let long = "\u{feff}period,indicator,value\n2024-Q1,jobs_created,4\n2024-Q1,enterprises_created,1\n2024-Q2,jobs_created,2\n";
        let p = csv(long.as_bytes()).unwrap();
        let b = p.batches;
        assert_eq!(b.len(), 2);
        assert!(p.warnings.is_empty());
        assert_eq!(b[0].values["jobs_created"], Some(Decimal::from_u64(4)));
        assert_eq!(b[0].origin["enterprises_created"], (3, "value".to_owned()));
        let wide = "period;jobs_created;enterprises_created\r\n2024-Q1;4;1\r\n2024-Q2;2,0;\r\n";
        let b = csv(wide.as_bytes()).unwrap().batches;
        assert_eq!(
            b[1].values.get("enterprises_created"),
            None,
            "an empty cell leaves the value alone"
        );
        assert_eq!(b[1].values["jobs_created"], Some(Decimal::from_u64(2)));
        assert_eq!(b[1].origin["jobs_created"], (3, "jobs_created".to_owned()));
    }

    #[test]
    fn names_every_bad_line_and_column() {
        let bad = "period,jobs_created,enterprises_created\n2024-Q1,4,x\n2024-Q5,1,1\n2024-Q2,1\n";
        assert_eq!(
            fields(csv(bad.as_bytes())),
            ["rows[2].enterprises_created", "rows[3].period", "rows[4]"]
        );
        assert_eq!(fields(csv(b"a,b\n1,2\n")), ["rows[1]"]);
        assert_eq!(fields(csv(b"period,indicator,value\n")), ["file"]);
        assert_eq!(fields(csv(b"")), ["file"]);
        let twice = "period,indicator,value\n2024-Q1,jobs_created,1\n2024-Q1,jobs_created,2\n";
        assert_eq!(fields(csv(twice.as_bytes())), ["rows[3].value"]);
    }

    #[test]
    fn an_unknown_indicator_is_blamed_on_its_column_and_named() {
        let bad =
            "period,indicator,value\n2024-Q1,jobs_created,1\n2024-Q1,bogus,2\n2024-Q7,bogus,x\n";
        let errors = csv(bad.as_bytes()).unwrap_err().into_vec();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(got[0].0, "rows[3].indicator");
        assert!(
            got[0]
                .1
                .starts_with("line 3, indicator: unknown indicator `bogus`;"),
            "{got:?}"
        );
        assert_eq!(
            got[1..].iter().map(|g| g.0).collect::<Vec<_>>(),
            ["rows[4].period", "rows[4].indicator", "rows[4].value"],
            "every cell of a line is checked"
        );
    }

    #[test]
    fn windows_1250_with_semicolons_crlf_and_polish_numbers() {
        // `okres;wskaźnik;wartość;;` as Polish Excel saves it: ź is 0x9F, ś 0x9C, ć 0xE6.
        let mut bytes = b"okres;wska\x9Fnik;warto\x9C\xE6;;\r\n".to_vec();
        bytes.extend_from_slice(b"2024-Q1;jobs_created;1\xA0250,00;;\r\n");
        bytes.extend_from_slice(b"2024-Q1;animators_employed;\"2\";;\r\n;;;;\r\n;;;;\r\n");
        let p = csv(&bytes).unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.batches[0].values["jobs_created"],
            Some(Decimal::from_u64(1250))
        );
        assert_eq!(
            p.batches[0].values["animators_employed"],
            Some(Decimal::from_u64(2))
        );
        let declared = parse(
            "period;indicator;value\n2024-Q1;jobs_created;4\n".as_bytes(),
            Source::Csv {
                encoding: encoding(Some("cp1250")).unwrap(),
            },
            Stream::Owes,
            &catalogue(),
        );
        assert_eq!(declared.unwrap().batches.len(), 1);
        assert!(encoding(Some("windows-1250")).unwrap().is_some());
        assert!(encoding(Some("UTF-8")).unwrap().is_none());
        assert!(encoding(Some("koi8-r")).is_err());
    }

    #[test]
    fn numbers_as_spreadsheets_write_them() {
        for (cell, want) in [
            ("1 250,00", Some("1250.00")),
            ("1\u{a0}250,5", Some("1250.5")),
            ("12\u{202f}345\u{202f}678", Some("12345678")),
            ("-1 250", Some("-1250")),
            ("4,00", Some("4.00")),
            ("1250.5", Some("1250.5")),
            ("1.25e3", Some("1.25e3")),
            ("12 50", None),
            ("1,250.5", None),
            ("1,2,3", None),
            ("1 250,5 0", None),
        ] {
            assert_eq!(number_text(cell).as_deref(), want, "{cell}");
        }
        let quoted = "period,indicator,value\n2024-Q1,jobs_created,\"4,00\"\n";
        assert_eq!(
            csv(quoted.as_bytes()).unwrap().batches[0].values["jobs_created"],
            Some(Decimal::from_u64(4))
        );
    }

    #[test]
    fn descriptive_columns_are_ignored_with_a_warning_and_the_name_without() {
        let long = "period;indicator;value;nazwa wskaźnika;uwagi\n2024-Q1;jobs_created;4;Liczba miejsc pracy;ok\n";
        let p = csv(long.as_bytes()).unwrap();
        let warned: Vec<&str> = p.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(warned, ["rows[1].uwagi"]);
        let wide = "Nazwa;period;jobs_created;jobs_creatd\nx;2024-Q1;4;5\n";
        let p = csv(wide.as_bytes()).unwrap();
        let warned: Vec<&str> = p.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(warned, ["rows[1].Nazwa", "rows[1].jobs_creatd"]);
        assert_eq!(p.batches[0].values.len(), 1);
        assert_eq!(
            fields(csv(b"period,jobs_creatd\n2024-Q1,4\n")),
            ["rows[1].jobs_creatd"],
            "a header without a single indicator is refused"
        );
        let stray = "period,,indicator,value,\n2024-Q1,,jobs_created,4,\n2024-Q2,x,jobs_created,4,\n2024-Q3,y,jobs_created,4,\n";
        let p = csv(stray.as_bytes()).unwrap();
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].field, "rows[3]");
        assert!(
            p.warnings[0].message.contains("column B"),
            "{:?}",
            p.warnings
        );
        // A cell beyond the header is an error: `1,5` unquoted is two cells, not 1.5.
        let shifted = "period,indicator,value\n2024-Q1,jobs_created,1,5\n";
        assert_eq!(fields(csv(shifted.as_bytes())), ["rows[2]"]);
    }

    #[test]
    fn xlsx_cells_are_numbers_or_text_read_like_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["period", "indicator", "value"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "2024-Q1").unwrap();
        sheet.write_string(1, 1, "jobs_created").unwrap();
        sheet.write_number(1, 2, 4.0).unwrap();
        sheet.write_string(2, 0, "2024-Q1").unwrap();
        sheet.write_string(2, 1, "reintegration_plans").unwrap();
        sheet.write_string(2, 2, "1 250,00").unwrap();
        sheet.write_string(4, 0, "2024-Q1").unwrap();
        sheet.write_string(4, 1, "animators_employed").unwrap();
        sheet.write_number(4, 2, 0.1 + 0.2).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let p = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue()).unwrap();
        let v = &p.batches[0].values;
        assert_eq!(
            v["jobs_created"],
            Some(Decimal::from_u64(4)),
            "4.0 is the count 4"
        );
        assert_eq!(v["reintegration_plans"], Some(Decimal::from_u64(1250)));
        assert_eq!(
            v["animators_employed"],
            Some(Decimal::parse("0.30000000000000004").unwrap()),
            "a float is read via its shortest text, exactly"
        );
        assert_eq!(
            p.batches[0].origin["animators_employed"],
            (5, "value".to_owned()),
            "the sheet's row number"
        );
        sheet_with_bad_cell_names_its_row();
        assert_eq!(
            fields(parse(
                b"PK\x03\x04 not a zip",
                Source::Xlsx,
                Stream::Owes,
                &catalogue()
            )),
            ["file"]
        );
    }

    fn sheet_with_bad_cell_names_its_row() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["period", "jobs_created"].iter().enumerate() {
            sheet.write_string(2, c as u16 + 1, *h).unwrap();
        }
        sheet.write_string(3, 1, "2024-Q1").unwrap();
        sheet.write_boolean(3, 2, true).unwrap();
        sheet.write_string(4, 1, "2024-Q2").unwrap();
        sheet.write_number(4, 2, 1250.5).unwrap();
        sheet.write_number(4, 4, 1.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let errors = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue())
            .unwrap_err()
            .into_vec();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "rows[4].jobs_created",
                    "line 4, jobs_created: `TRUE` is not a number"
                ),
                ("rows[5]", "line 5: has 5 cells; the header has 3"),
            ]
        );
    }

    #[test]
    fn the_template_reads_back() {
        let cat = catalogue();
        let csv_bytes = template_csv(&cat, Stream::Owes, Some("2024-Q1")).unwrap();
        let text = String::from_utf8(csv_bytes).unwrap();
        assert!(text.starts_with("\u{feff}period;indicator;value;nazwa wskaźnika\r\n"));
        let filled = text.replace(";;", ";3;");
        let p = csv(filled.as_bytes()).unwrap();
        assert!(p.warnings.is_empty());
        assert_eq!(p.batches[0].values.len(), 10);
        let xlsx = template_xlsx(&cat, Stream::Owes, None).unwrap();
        let empty = parse(&xlsx, Source::Xlsx, Stream::Owes, &cat)
            .unwrap_err()
            .into_vec();
        assert_eq!(
            empty.len(),
            20,
            "each row lacks its period and value: {empty:?}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Fuzz: arbitrary bytes, and arbitrary CSV-shaped text, give batches or field errors
        /// naming a line, never a panic.
        #[test]
        fn any_file_is_read_or_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = csv(&bytes);
            let _ = parse(&bytes, Source::Xlsx, Stream::Owes, &catalogue());
        }

        #[test]
        fn any_csv_shape_is_read_or_refused(text in "(period|indicator|value|okres|2024-Q[0-5]|jobs_created|uwagi|[0-9 ,.;\"\r\n-]|\u{feff}|\u{a0}){0,80}") {
            match csv(text.as_bytes()) {
                Ok(p) => proptest::prop_assert!(!p.batches.is_empty()),
                Err(e) => proptest::prop_assert!(e.into_vec().iter().all(|f| f.field == "file" || f.field.starts_with("rows["))),
            }
        }
    }
}
