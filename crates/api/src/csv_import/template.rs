//! The template an OWES fills in and imports back.

use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};

/// The header of the template: the long format and the Polish names.
pub const TEMPLATE_HEADER: [&str; 4] = ["period", "indicator", "value", "nazwa wskaźnika"];

/// The reported indicators of `stream`, in catalogue order: (code, Polish name).
pub(super) fn template_rows(catalogue: &[IndicatorDef], stream: Stream) -> Vec<(&str, &str)> {
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
