//! Writes an OWES's quarter as an XLSX workbook the way a spreadsheet would, for the browser
//! tests of the upload page: `workbook OUT.xlsx 2025-Q3 jobs_created=3 enterprises_created=1 …`
//! (one row per value under the header `period, indicator, value`).

use rust_xlsxwriter::Workbook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(period)) = (args.next(), args.next()) else {
        return Err("usage: workbook OUT.xlsx PERIOD code=value…".into());
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["period", "indicator", "value"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header)?;
    }
    for (row, pair) in args.enumerate() {
        let (code, value) = pair.split_once('=').ok_or("values are code=value")?;
        let row = row as u32 + 1;
        sheet.write_string(row, 0, &period)?;
        sheet.write_string(row, 1, code)?;
        match value.parse::<f64>() {
            Ok(n) => sheet.write_number(row, 2, n)?,
            Err(_) => sheet.write_string(row, 2, value)?,
        };
    }
    book.save(&out)?;
    Ok(())
}
