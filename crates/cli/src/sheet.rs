//! A report's values from a CSV file, for `rops report put`: with or without a header row,
//! UTF-8 or Windows-1250 (what Polish Excel saves as "CSV"), `,`, `;` or tab between cells,
//! numbers as spreadsheets write them (`1 250`, `4,00`). Every row is read or the file is
//! refused with every problem named: nothing is dropped in silence.

use serde_json::{Map, Number, Value};

/// The values of the file, for a report of `period`; `codes` are the catalogue's indicator
/// codes. The error lists every problem, one per line, in Polish.
pub fn values(bytes: &[u8], period: &str, codes: &[String]) -> Result<Map<String, Value>, String> {
    let text = decode(bytes);
    let records = records(&text);
    let mut rows = records
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((first_line, first)) = rows.next() else {
        return Err("plik jest pusty".into());
    };
    let is_code = |c: &str| codes.iter().any(|k| k.eq_ignore_ascii_case(c));
    let names: Vec<String> = first.iter().map(|c| c.to_lowercase()).collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let indicator_names = ["indicator", "wskaźnik", "kod wskaźnika", "kod", "code"];
    let value_names = ["value", "wartość"];
    let (columns, header) = if is_code(&first[0]) {
        // No header: the first row is data, like every other.
        (
            Columns {
                indicator: 0,
                value: 1,
                period: None,
            },
            false,
        )
    } else if let Some(indicator) = find(&indicator_names) {
        let Some(value) = find(&value_names) else {
            return Err(format!(
                "wiersz {first_line}: nagłówek nie ma kolumny value (albo wartość)"
            ));
        };
        let period = find(&["period", "okres"]);
        (
            Columns {
                indicator,
                value,
                period,
            },
            true,
        )
    } else if find(&["period", "okres"]).is_some() {
        return Err(format!(
            "wiersz {first_line}: nagłówek nie ma kolumny indicator; plik z okresem w każdym wierszu i kodami wskaźników w nagłówku wczytaj przez `rops report import`"
        ));
    } else {
        return Err(format!(
            "wiersz {first_line}: `{}` nie jest ani kodem wskaźnika, ani nagłówkiem; plik ma kolumny indicator i value, z nagłówkiem `indicator;value` albo bez niego (np. `jobs_created;4`)",
            first[0]
        ));
    };
    let mut values = Map::new();
    let mut origin: Vec<(String, usize)> = Vec::new();
    let mut problems = Vec::new();
    let data = std::iter::once((first_line, first))
        .filter(|_| !header)
        .chain(rows.map(|(l, c)| (l, c)));
    for (line, cells) in data {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        if let Some(p) = columns
            .period
            .map(cell)
            .filter(|p| !p.is_empty() && *p != period)
        {
            problems.push(format!(
                "wiersz {line}: okres `{p}` nie jest okresem {period} podanym w poleceniu"
            ));
            continue;
        }
        let code = cell(columns.indicator).to_lowercase();
        if code.is_empty() {
            problems.push(format!("wiersz {line}: brak kodu wskaźnika"));
            continue;
        }
        if !is_code(&code) {
            problems.push(format!(
                "wiersz {line}: nieznany wskaźnik `{code}`; wskaźniki to: {}",
                codes.join(", ")
            ));
            continue;
        }
        if let Some((_, earlier)) = origin.iter().find(|(c, _)| *c == code) {
            problems.push(format!(
                "wiersz {line}: wskaźnik {code} jest już w wierszu {earlier}"
            ));
            continue;
        }
        let raw = cell(columns.value);
        let value = if raw.is_empty() {
            // Left out of the draft, as `null` in JSON.
            Value::Null
        } else {
            match number(raw) {
                Some(n) => Value::Number(n),
                None => {
                    problems.push(format!("wiersz {line}: `{raw}` nie jest liczbą"));
                    continue;
                }
            }
        };
        origin.push((code.clone(), *line));
        values.insert(code, value);
    }
    if !problems.is_empty() {
        return Err(format!(
            "nic nie wysłano; popraw plik:\n  - {}",
            problems.join("\n  - ")
        ));
    }
    if values.is_empty() {
        return Err("plik ma nagłówek, ale nie ma wierszy z danymi".into());
    }
    Ok(values)
}

struct Columns {
    indicator: usize,
    value: usize,
    period: Option<usize>,
}

/// UTF-8 (a byte order mark dropped), or Windows-1250 when the bytes are not UTF-8.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::WINDOWS_1250.decode(bytes).0.into_owned(),
    }
}

/// Every record with its line number (1-based), cells trimmed; an Excel `sep=;` line is
/// obeyed and dropped.
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let hinted = first
        .trim_end_matches(['\r', '\n'])
        .strip_prefix("sep=")
        .and_then(|s| match s.as_bytes() {
            [b] if matches!(b, b';' | b',' | b'\t') => Some(*b),
            _ => None,
        });
    let count = |c: char| first.matches(c).count();
    let delimiter = hinted.unwrap_or(if count('\t') > count(';').max(count(',')) {
        b'\t'
    } else if count(';') > count(',') {
        b';'
    } else {
        b','
    });
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |byte: u64| {
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        while at < text.len() && matches!(text.as_bytes()[at], b'\r' | b'\n') {
            at += 1;
        }
        newlines.partition_point(|n| *n < at) + 1
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records().flatten() {
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if out.is_empty() && hinted.is_some() && cells[0] == "sep=" {
            continue;
        }
        out.push((line, cells));
    }
    out
}

/// A number as spreadsheets write it: thousands after spaces (also no-break ones) in groups
/// of three, a single comma as the decimal point. `None` when it is not one.
pub fn number(cell: &str) -> Option<Number> {
    let (sign, rest) = match cell.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", cell.strip_prefix('+').unwrap_or(cell)),
    };
    if rest.matches(',').count() > 1 || (rest.contains(',') && rest.contains('.')) {
        return None;
    }
    let rest = rest.replacen(',', ".", 1);
    let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}');
    let (int, frac) = rest.split_once('.').unwrap_or((&rest, ""));
    let mut groups = int.split(is_space);
    let head = groups.next().unwrap_or_default();
    let grouped = !int.contains(is_space)
        || ((1..=3).contains(&head.len())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())));
    if !grouped || frac.contains(is_space) {
        return None;
    }
    let digits: String = int.chars().filter(|c| !is_space(*c)).collect();
    let text = if rest.contains('.') {
        format!("{sign}{digits}.{frac}")
    } else {
        format!("{sign}{digits}")
    };
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> Vec<String> {
        ["jobs_created", "animators_employed"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn a_file_without_a_header_is_read_whole() {
        let v = values(
            b"jobs_created,4\nanimators_employed,2\n",
            "2024-Q1",
            &codes(),
        )
        .unwrap();
        assert_eq!(v["jobs_created"], 4);
        assert_eq!(v["animators_employed"], 2);
        let v = values(
            b"indicator;value\njobs_created;1\xA0250,00\n",
            "2024-Q1",
            &codes(),
        )
        .unwrap();
        assert_eq!(v["jobs_created"], 1250.0);
        let wide = values(b"period;jobs_created\n2024-Q1;4\n", "2024-Q1", &codes()).unwrap_err();
        assert!(wide.contains("rops report import"), "{wide}");
        let refused = values(b"bogus,4\njobs_created,2\n", "2024-Q1", &codes()).unwrap_err();
        assert!(
            refused.contains("`bogus` nie jest ani kodem wskaźnika, ani nagłówkiem"),
            "{refused}"
        );
    }

    #[test]
    fn the_template_shape_is_read_and_another_period_refused() {
        let t = "\u{feff}period;indicator;value;nazwa wskaźnika\r\n2024-Q1;jobs_created;4;Liczba\r\n;animators_employed;;Liczba animatorów\r\n";
        let v = values(t.as_bytes(), "2024-Q1", &codes()).unwrap();
        assert_eq!(
            (v["jobs_created"].clone(), v["animators_employed"].clone()),
            (4.into(), Value::Null)
        );
        let e = values(t.as_bytes(), "2024-Q2", &codes()).unwrap_err();
        assert!(e.contains("wiersz 2: okres `2024-Q1`"), "{e}");
    }

    #[test]
    fn polish_numbers() {
        for (cell, want) in [
            ("1 250", Some(1250.0)),
            ("4,00", Some(4.0)),
            ("-1", Some(-1.0)),
            ("12 50", None),
            ("1,2.3", None),
            ("x", None),
        ] {
            assert_eq!(number(cell).and_then(|n| n.as_f64()), want, "{cell}");
        }
    }
}
