//! Reading report values from CSV as spreadsheets export it: UTF-8 with or without BOM,
//! comma or semicolon separated (with a semicolon, a decimal comma is accepted too).
//!
//! Two shapes are accepted:
//! - long: header `period,indicator,value`, one value per row;
//! - wide: header `period,<indicator code>,<indicator code>,…`, one period per row.
//!
//! An empty cell leaves that indicator as it is stored. Problems are reported per line and
//! column, as `rows[<line>].<column>` (the header is line 1).

use rops_domain::indicator::Stream;
use rops_domain::report::ReportPeriod;
use rops_domain::validation::FieldErrors;
use rops_store::reports::ImportBatch;
use std::collections::BTreeMap;

pub fn parse(bytes: &[u8], stream: Stream) -> Result<Vec<ImportBatch>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Ok(text) = std::str::from_utf8(bytes) else {
        errors.push(
            "file",
            "the file is not UTF-8; save it from the spreadsheet as \"CSV UTF-8\"",
        );
        return Err(errors);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    let semicolon = first_line.matches(';').count() > first_line.matches(',').count();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if semicolon { b';' } else { b',' })
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(e) => {
            errors.push("rows[1]", format!("line 1: the header cannot be read: {e}"));
            return Err(errors);
        }
    };
    let long = header == ["period", "indicator", "value"];
    if !long && (header.first().map(String::as_str) != Some("period") || header.len() < 2) {
        errors.push(
            "rows[1]",
            "line 1: the header must be `period,indicator,value` (one value per row) or `period` followed by indicator codes (one period per row)",
        );
        return Err(errors);
    }
    for (i, column) in header.iter().enumerate().skip(1) {
        if !long && header[1..i].contains(column) {
            errors.push(
                format!("rows[1].{column}"),
                format!("line 1: column {column} appears twice"),
            );
        }
    }
    let mut batches: BTreeMap<ReportPeriod, ImportBatch> = BTreeMap::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                errors.push(
                    format!("rows[{line}]"),
                    format!("line {line}: cannot be read: {e}"),
                );
                continue;
            }
        };
        // The csv crate miscounts lines after CRLF endings; count them from the byte offset.
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows += 1;
        if record.len() != header.len() {
            errors.push(
                format!("rows[{line}]"),
                format!(
                    "line {line}: has {} cells; the header has {}",
                    record.len(),
                    header.len()
                ),
            );
            continue;
        }
        let Some(period) = errors.take(
            format!("rows[{line}].period"),
            ReportPeriod::parse(stream, &record[0]),
        ) else {
            continue;
        };
        let batch = batches.entry(period).or_insert_with(|| ImportBatch {
            period,
            values: BTreeMap::new(),
            origin: BTreeMap::new(),
            first_line: line,
        });
        let cells: Vec<(String, &str, String)> = if long {
            vec![(record[1].to_owned(), &record[2], "value".to_owned())]
        } else {
            header[1..]
                .iter()
                .zip(record.iter().skip(1))
                .map(|(code, cell)| (code.clone(), cell, code.clone()))
                .collect()
        };
        for (code, cell, column) in cells {
            if cell.is_empty() {
                if long {
                    errors.push(
                        format!("rows[{line}].value"),
                        format!("line {line}, value: is empty; write 0 when nothing happened"),
                    );
                }
                continue;
            }
            let number = if semicolon {
                cell.replace(',', ".")
            } else {
                cell.to_owned()
            };
            let Ok(value) = number.replace(' ', "").parse::<f64>() else {
                errors.push(
                    format!("rows[{line}].{column}"),
                    format!("line {line}, {column}: `{cell}` is not a number"),
                );
                continue;
            };
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
    if errors.is_empty() {
        Ok(batches.into_values().collect())
    } else {
        Err(errors)
    }
}

/// 1-based line number of the record starting at a byte offset. After a CRLF the csv reader
/// puts a record's start on the `\n` (and miscounts its own line numbers), so line breaks at
/// the offset still belong before the record.
fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<Vec<ImportBatch>, FieldErrors>) -> Vec<String> {
        r.unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn long_and_wide_with_either_separator_and_a_bom() {
        let long = "\u{feff}period,indicator,value\n2024-Q1,jobs_created,4\n2024-Q1,enterprises_created,1\n2024-Q2,jobs_created,2\n";
        let b = parse(long.as_bytes(), Stream::Owes).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].values["jobs_created"], Some(4.0));
        assert_eq!(b[0].origin["enterprises_created"], (3, "value".to_owned()));
        let wide = "period;jobs_created;enterprises_created\r\n2024-Q1;4;1\r\n2024-Q2;2,0;\r\n";
        let b = parse(wide.as_bytes(), Stream::Owes).unwrap();
        assert_eq!(
            b[1].values.get("enterprises_created"),
            None,
            "an empty cell leaves the value alone"
        );
        assert_eq!(b[1].values["jobs_created"], Some(2.0));
        assert_eq!(b[1].origin["jobs_created"], (3, "jobs_created".to_owned()));
    }

    #[test]
    fn names_every_bad_line_and_column() {
        let bad = "period,jobs_created,enterprises_created\n2024-Q1,4,x\n2024-Q5,1,1\n2024-Q2,1\n";
        assert_eq!(
            fields(parse(bad.as_bytes(), Stream::Owes)),
            ["rows[2].enterprises_created", "rows[3].period", "rows[4]"]
        );
        assert_eq!(fields(parse(b"a,b\n1,2\n", Stream::Owes)), ["rows[1]"]);
        assert_eq!(
            fields(parse(b"period,indicator,value\n", Stream::Owes)),
            ["file"]
        );
        assert_eq!(fields(parse(&[0xff, 0xfe, b'a'], Stream::Owes)), ["file"]);
        let twice = "period,indicator,value\n2024-Q1,jobs_created,1\n2024-Q1,jobs_created,2\n";
        assert_eq!(
            fields(parse(twice.as_bytes(), Stream::Owes)),
            ["rows[3].value"]
        );
    }
}
