//! Figures the Polish way (written by the domain's one formatter) and tables aligned in a terminal (Polish letters count as one
//! column each).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use rops_domain::indicator::Unit;
use rops_domain::number::polish;
use serde_json::Value;

/// A figure of the JSON, written the Polish way for its unit (`count`, `pln`, `share`; see
/// [`rops_domain::number::polish`]); `—` when null.
pub fn number(value: &Value, unit: &str) -> String {
    let Some(v) = value.as_f64() else {
        return "—".to_owned();
    };
    polish(v, Unit::parse(unit).unwrap_or(Unit::Count))
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
        assert_eq!(number(&json!(0.10005), "share"), "10,0\u{a0}%");
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
