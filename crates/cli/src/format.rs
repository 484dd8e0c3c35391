//! Numbers the Polish way and tables aligned in a terminal (Polish letters count as one
//! column each).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use serde_json::Value;

/// `1234567.5` → `1 234 567,50` for money, `12` → `12` for counts, shares as percent.
pub fn number(value: &Value, unit: &str) -> String {
    let Some(v) = value.as_f64() else {
        return "—".to_owned();
    };
    match unit {
        "share" => format!("{} %", decimal(v * 100.0, 2)),
        "pln" => decimal(v, 2),
        _ if v.fract() == 0.0 => group(&format!("{v:.0}")),
        _ => decimal(v, 2),
    }
}

fn decimal(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    if frac.is_empty() {
        group(whole)
    } else {
        format!("{},{frac}", group(whole))
    }
}

/// Thousands separated by a non-breaking space, as Polish typography writes them.
fn group(whole: &str) -> String {
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

pub fn table(headers: &[&str], rows: Vec<Vec<String>>, numeric_from: usize) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(headers.to_vec());
    for row in rows {
        t.add_row(row);
    }
    for i in numeric_from..headers.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn polish_numbers() {
        assert_eq!(number(&json!(1234567), "count"), "1\u{a0}234\u{a0}567");
        assert_eq!(number(&json!(1234.5), "pln"), "1\u{a0}234,50");
        assert_eq!(number(&json!(0.10005), "share"), "10,01 %");
        assert_eq!(number(&json!(null), "count"), "—");
        assert_eq!(number(&json!(-1500), "count"), "-1\u{a0}500");
    }

    #[test]
    fn columns_align_with_polish_letters() {
        let t = table(
            &["wskaźnik", "wartość"],
            vec![
                vec!["łączność".into(), "1".into()],
                vec!["ab".into(), "22".into()],
            ],
            1,
        );
        let widths: Vec<usize> = t.lines().map(|l| l.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{t}");
    }
}
