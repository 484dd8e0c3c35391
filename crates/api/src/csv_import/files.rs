//! Reading the rows of a CSV text or of an XLSX workbook's first sheet.

use super::{MAX_SHEET_CELLS, MAX_SHEET_ELEMENTS, MAX_UNPACKED};
use rops_domain::validation::FieldErrors;
use std::collections::BTreeMap;

/// One row of a sheet or CSV file: its line (1-based) and its cells, trimmed.
pub(super) struct Record {
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
    /// The cells a CSV line really had (a sheet's rows have every column).
    pub(super) written: Option<usize>,
    /// One past the last cell that holds something, counted in the file (a sheet's row keeps
    /// fewer cells when it goes beyond the header).
    pub(super) width: usize,
}

impl Record {
    pub(super) fn is_empty(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }

    /// One past the last cell that holds something.
    pub(super) fn filled(&self) -> usize {
        self.cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1)
    }
}

pub(super) fn read_csv(text: &str, errors: &mut FieldErrors) -> Vec<Record> {
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
/// Refuses a workbook whose parts unpack to more than [`MAX_UNPACKED`] before any is read.
fn check_unpacked(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        format!("the file cannot be read as an XLSX workbook: {e}; save it from the spreadsheet as \"Excel 2007-365 (.xlsx)\"")
    })?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive
            .by_index_raw(i)
            .map_err(|e| format!("the workbook's part {i} cannot be read: {e}"))?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED {
        return Err(format!(
            "the workbook unpacks to {} MB, more than the {} MB accepted; import fewer rows at once",
            total >> 20,
            MAX_UNPACKED >> 20
        ));
    }
    Ok(())
}

pub(super) fn read_xlsx(bytes: &[u8]) -> Result<Vec<Record>, String> {
    use calamine::{DataRef, Reader as _};
    let unreadable = |e: calamine::XlsxError| {
        format!("the file cannot be read as an XLSX workbook: {e}; save it from the spreadsheet as \"Excel 2007-365 (.xlsx)\"")
    };
    check_unpacked(bytes)?;
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

/// Where each line of the file starts, so that a record's line number costs a binary search
/// instead of a count from the start of the file (which made big files quadratic).
pub(super) struct LineIndex<'a> {
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
