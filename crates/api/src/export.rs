//! The rollup as a spreadsheet: CSV for Excel in Polish settings (UTF-8 with BOM, `;`,
//! decimal comma) and XLSX with numbers as numbers. Both carry the same figures as the JSON.

use rops_aggregation::rollup::{Counts, Figure, Rollup};
use rops_domain::indicator::Unit;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One row of the Indicators table: indicator, unit level, unit, value, numerator, denominator.
struct Row<'a> {
    code: &'a str,
    kind: &'a str,
    level: &'a str,
    unit: &'a str,
    value: Figure,
    numerator: Option<Figure>,
    denominator: Option<Figure>,
}

const INDICATOR_HEADERS: [&str; 7] = [
    "wskaźnik",
    "rodzaj",
    "poziom",
    "jednostka",
    "wartość",
    "licznik",
    "mianownik",
];

fn rows(r: &Rollup) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for f in &r.indicators {
        out.push(Row {
            code: &f.code,
            kind: &f.kind,
            level: &r.scope.kind,
            unit: &r.scope.code,
            value: f.value,
            numerator: f.numerator,
            denominator: f.denominator,
        });
        for s in f.by_subregion.iter().flatten() {
            out.push(Row {
                code: &f.code,
                kind: &f.kind,
                level: "subregion",
                unit: &s.subregion,
                value: s.value,
                numerator: None,
                denominator: None,
            });
        }
        for o in f.by_owes.iter().flatten() {
            out.push(Row {
                code: &f.code,
                kind: &f.kind,
                level: "owes",
                unit: &o.owes,
                value: o.value,
                numerator: None,
                denominator: None,
            });
        }
    }
    out
}

/// A figure as Polish Excel reads it: decimal comma, money with two decimals.
fn text(f: Option<Figure>) -> String {
    let Some(Figure {
        value: Some(v),
        unit,
    }) = f
    else {
        return String::new();
    };
    let s = match unit {
        Unit::Count if v.fract() == 0.0 => format!("{v:.0}"),
        Unit::Pln => format!("{v:.2}"),
        _ => format!("{}", (v * 1e6).round() / 1e6),
    };
    s.replace('.', ",")
}

pub fn csv(r: &Rollup) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(INDICATOR_HEADERS)?;
        for row in rows(r) {
            w.write_record([
                row.code,
                row.kind,
                row.level,
                row.unit,
                &text(Some(row.value)),
                &text(row.numerator),
                &text(row.denominator),
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}

fn number(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    f: Option<Figure>,
) -> Result<(), XlsxError> {
    if let Some(v) = f.and_then(|f| f.value) {
        sheet.write_number(row, col, v)?;
    }
    Ok(())
}

fn header(
    sheet: &mut rust_xlsxwriter::Worksheet,
    names: &[&str],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (i, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *name, bold)?;
    }
    Ok(())
}

fn counts_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    level: &str,
    unit: &str,
    c: &Counts,
) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, level)?;
    sheet.write_string(row, 1, unit)?;
    for (i, n) in [c.expected, c.received, c.approved, c.on_time]
        .into_iter()
        .enumerate()
    {
        sheet.write_number(row, 2 + i as u16, n as f64)?;
    }
    if let Some(rate) = c.rate {
        sheet.write_number(row, 6, rate)?;
    }
    Ok(())
}

pub fn xlsx(r: &Rollup) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();

    let sheet = book.add_worksheet().set_name("Indicators")?;
    header(sheet, &INDICATOR_HEADERS, &bold)?;
    for (i, row) in rows(r).into_iter().enumerate() {
        let n = i as u32 + 1;
        for (col, s) in [row.code, row.kind, row.level, row.unit]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(n, col as u16, s)?;
        }
        number(sheet, n, 4, Some(row.value))?;
        number(sheet, n, 5, row.numerator)?;
        number(sheet, n, 6, row.denominator)?;
    }

    let sheet = book.add_worksheet().set_name("Targets")?;
    header(
        sheet,
        &[
            "wskaźnik",
            "zakres",
            "jednostka",
            "okno",
            "cel",
            "wartość",
            "oczekiwane do dziś",
            "status",
        ],
        &bold,
    )?;
    for (i, t) in r.targets.iter().enumerate() {
        let n = i as u32 + 1;
        sheet.write_string(n, 0, &t.indicator)?;
        sheet.write_string(n, 1, &t.scope)?;
        sheet.write_string(n, 2, t.unit.as_deref().unwrap_or(""))?;
        sheet.write_string(n, 3, &t.window)?;
        sheet.write_number(n, 4, t.target)?;
        sheet.write_number(n, 5, t.actual)?;
        sheet.write_number(n, 6, t.expected_to_date)?;
        sheet.write_string(n, 7, &t.status)?;
    }

    let sheet = book.add_worksheet().set_name("Completeness")?;
    header(
        sheet,
        &[
            "poziom",
            "jednostka",
            "oczekiwane",
            "otrzymane",
            "zatwierdzone",
            "w terminie",
            "odsetek",
        ],
        &bold,
    )?;
    counts_row(
        sheet,
        1,
        &r.scope.kind,
        &r.scope.code,
        &r.completeness.counts,
    )?;
    for (i, s) in r.completeness.by_subregion.iter().flatten().enumerate() {
        counts_row(sheet, i as u32 + 2, "subregion", &s.subregion, &s.counts)?;
    }

    let sheet = book.add_worksheet().set_name("LPRES")?;
    header(
        sheet,
        &[
            "poziom",
            "jednostka",
            "gminy",
            "z przyjętym LPRES",
            "udział",
        ],
        &bold,
    )?;
    sheet.write_string(1, 0, &r.scope.kind)?;
    sheet.write_string(1, 1, &r.scope.code)?;
    sheet.write_number(1, 2, r.lpres.gminas as f64)?;
    sheet.write_number(1, 3, r.lpres.adopted as f64)?;
    if let Some(share) = r.lpres.share {
        sheet.write_number(1, 4, share)?;
    }
    for (i, s) in r.lpres.by_subregion.iter().flatten().enumerate() {
        let n = i as u32 + 2;
        sheet.write_string(n, 0, "subregion")?;
        sheet.write_string(n, 1, &s.subregion)?;
        sheet.write_number(n, 2, s.gminas as f64)?;
        sheet.write_number(n, 3, s.adopted as f64)?;
    }
    book.save_to_buffer()
}
