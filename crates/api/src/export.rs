//! The rollup as spreadsheets an analyst reads: XLSX with every table as a sheet (numbers as
//! numbers, formatted per unit; Polish names beside the codes; a frozen header row, an
//! autofilter and fitting column widths on every sheet), and CSV for Excel in Polish settings
//! (UTF-8 with BOM, `;`, decimal comma) holding one of those tables with the same columns.
//! Both carry the same figures as the JSON.
//!
//! Every table has one row per measure, level (`poziom`) and unit: the scope's own row, then
//! (region) its subregions, then its OWES. An OWES rollup lists its OWES once, so a SUMIF or
//! a pivot table filtered on `poziom` counts every value once.

use rops_aggregation::rollup::{Counts, Figure, Rollup, ScopeKind, TargetStatus, TargetUnit};
use rops_domain::indicator::{Unit, LPRES_ADOPTED};
use rops_domain::lpres::LpresStatus;
use rops_domain::number::{decimal_comma, grosze_text, rounded};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

mod coverage;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The tables of a rollup export: each is a sheet of the XLSX, and one of them a CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// Every indicator and event count per level and unit (sheet Wskaźniki).
    #[default]
    Indicators,
    /// Every programme target evaluation (sheet Cele).
    Targets,
    /// Reporting completeness (sheet Kompletność).
    Completeness,
    /// LPRES adoption and gminas per status (sheet LPRES).
    Lpres,
    /// The results checklist: gminas per result (sheet Rezultaty).
    Results,
    /// Gminas covered by reintegration entities, per kind and any (sheet Pokrycie).
    Coverage,
}

impl Table {
    pub const ALL: [Self; 6] = [
        Self::Indicators,
        Self::Targets,
        Self::Completeness,
        Self::Lpres,
        Self::Results,
        Self::Coverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Indicators => "indicators",
            Self::Targets => "targets",
            Self::Completeness => "completeness",
            Self::Lpres => "lpres",
            Self::Results => "results",
            Self::Coverage => "coverage",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The sheet's name in the XLSX.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Self::Indicators => "Wskaźniki",
            Self::Targets => "Cele",
            Self::Completeness => "Kompletność",
            Self::Lpres => "LPRES",
            Self::Results => "Rezultaty",
            Self::Coverage => "Pokrycie",
        }
    }
}

/// Names written beside codes; a code without a name gets an empty cell.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Region, subregion and OWES names by level (`region`, `subregion`, `owes`) and code.
    units: HashMap<(String, String), String>,
    /// Indicator and event-type names (`name_pl`) by code.
    indicators: HashMap<String, String>,
    /// Results-checklist names by code.
    results: HashMap<String, String>,
}

impl Names {
    pub fn add_unit(&mut self, level: &str, code: impl Into<String>, name: impl Into<String>) {
        self.units
            .insert((level.to_owned(), code.into()), name.into());
    }

    pub fn add_indicator(&mut self, code: impl Into<String>, name: impl Into<String>) {
        self.indicators.insert(code.into(), name.into());
    }

    pub fn add_result(&mut self, code: impl Into<String>, name: impl Into<String>) {
        self.results.insert(code.into(), name.into());
    }

    pub(crate) fn unit(&self, level: &str, code: &str) -> String {
        self.units
            .get(&(level.to_owned(), code.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn indicator(&self, code: &str) -> String {
        match self.indicators.get(code) {
            Some(name) => name.clone(),
            None if code == LPRES_ADOPTED => "Liczba gmin z przyjętym, aktualnym LPRES".into(),
            None => String::new(),
        }
    }

    pub(crate) fn result(&self, code: &str) -> String {
        self.results.get(code).cloned().unwrap_or_default()
    }
}

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// `# ##0`
    Count,
    /// `# ##0,00 zł`
    Money,
    /// `0,0 %`
    Share,
    /// `# ##0,00`: a count's pro-rata expectation, which has decimals.
    Decimal,
}

impl Shown {
    fn of(unit: Unit) -> Self {
        match unit {
            Unit::Count => Self::Count,
            Unit::Pln => Self::Money,
            Unit::Share => Self::Share,
        }
    }

    /// The Excel number format, in Excel's invariant syntax (Excel shows it with the
    /// reader's separators: `1 234,50 zł`, `10,0%` in Polish settings).
    fn excel(self) -> &'static str {
        match self {
            Self::Count => "#,##0",
            Self::Money => "#,##0.00 \"zł\"",
            Self::Share => "0.0%",
            Self::Decimal => "#,##0.00",
        }
    }
}

enum Cell {
    Text(String),
    /// A figure exactly as the rollup holds it (money in whole grosze).
    Figure(Figure),
    Number(Option<f64>, Shown),
}

impl Cell {
    fn count(n: usize) -> Self {
        Self::Number(Some(n as f64), Shown::Count)
    }

    fn empty() -> Self {
        Self::Number(None, Shown::Count)
    }
}

struct Sheet {
    headers: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "liczba",
        Unit::Pln => "zł",
        Unit::Share => "udział",
    }
}

pub(crate) fn status_pl(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Achieved => "osiągnięty",
        TargetStatus::OnTrack => "na dobrej drodze",
        TargetStatus::AtRisk => "zagrożony",
        TargetStatus::Behind => "opóźniony",
    }
}

const fn lpres_status_pl(status: LpresStatus) -> &'static str {
    match status {
        LpresStatus::None => "status: brak",
        LpresStatus::InPreparation => "status: w przygotowaniu",
        LpresStatus::Draft => "status: projekt",
        LpresStatus::Adopted => "status: przyjęty",
        LpresStatus::Repealed => "status: uchylony",
    }
}

const INDICATOR_HEADERS: &[&str] = &[
    "nazwa wskaźnika",
    "wskaźnik",
    "rodzaj",
    "poziom",
    "jednostka",
    "wartość",
    "jednostka miary",
    "nazwa jednostki",
    "licznik",
    "mianownik",
];

fn indicators(r: &Rollup, names: &Names) -> Sheet {
    let mut rows = Vec::new();
    let mut seen: HashSet<(&str, &str, &str)> = HashSet::new();
    for f in &r.indicators {
        let name = names.indicator(f.code.as_str());
        let mut push =
            |level: &'static str, unit: &str, value: Figure, parts: [Option<Figure>; 2]| {
                let [numerator, denominator] = parts.map(|p| p.map_or(Cell::empty(), Cell::Figure));
                rows.push(vec![
                    Cell::Text(name.clone()),
                    Cell::Text(f.code.to_string()),
                    Cell::Text(f.kind.as_str().to_owned()),
                    Cell::Text(level.to_owned()),
                    Cell::Text(unit.to_owned()),
                    Cell::Figure(value),
                    Cell::Text(unit_name(value.unit()).to_owned()),
                    Cell::Text(names.unit(level, unit)),
                    numerator,
                    denominator,
                ]);
            };
        let level = r.scope.kind().as_str();
        let code = f.code.as_str();
        // One row per (indicator, level, unit): an OWES rollup's `by_owes` repeats the OWES
        // itself, which its scope row already holds.
        if seen.insert((code, level, r.scope.code())) {
            push(level, r.scope.code(), f.value, [f.numerator, f.denominator]);
        }
        for s in f.by_subregion.iter().flatten() {
            if seen.insert((code, "subregion", s.subregion.as_str())) {
                push("subregion", s.subregion.as_str(), s.value, [None, None]);
            }
        }
        for o in f.by_owes.iter().flatten() {
            if seen.insert((code, "owes", o.owes.as_str())) {
                push("owes", o.owes.as_str(), o.value, [None, None]);
            }
        }
        for e in f.by_entity.iter().flatten() {
            push("entity", e.entity.as_str(), e.value, [None, None]);
        }
    }
    Sheet {
        headers: INDICATOR_HEADERS,
        rows,
    }
}

fn targets(r: &Rollup, names: &Names) -> Sheet {
    let unit_of = |code: &str| {
        r.indicators
            .iter()
            .find(|f| f.code == code)
            .map_or(Unit::Count, |f| f.value.unit())
    };
    let rows = r
        .targets
        .iter()
        .map(|t| {
            let unit = unit_of(t.indicator.as_str());
            let shown = Shown::of(unit);
            let code = t.unit.as_ref().map_or("", TargetUnit::as_str);
            vec![
                Cell::Text(names.indicator(t.indicator.as_str())),
                Cell::Text(t.indicator.to_string()),
                Cell::Text(t.scope.as_str().to_owned()),
                Cell::Text(code.to_owned()),
                Cell::Text(names.unit(t.scope.as_str(), code)),
                Cell::Text(t.window.as_str().to_owned()),
                Cell::Number(Some(t.target), shown),
                Cell::Number(Some(t.actual), shown),
                Cell::Number(
                    Some(t.expected_to_date),
                    if shown == Shown::Count {
                        Shown::Decimal
                    } else {
                        shown
                    },
                ),
                Cell::Text(unit_name(unit).to_owned()),
                Cell::Text(status_pl(t.status).to_owned()),
            ]
        })
        .collect();
    Sheet {
        headers: &[
            "nazwa wskaźnika",
            "wskaźnik",
            "zakres",
            "jednostka",
            "nazwa jednostki",
            "okno",
            "cel",
            "wartość",
            "oczekiwane do dziś",
            "jednostka miary",
            "status",
        ],
        rows,
    }
}

fn completeness(r: &Rollup, names: &Names) -> Sheet {
    let row = |level: &str, unit: &str, c: &Counts| {
        vec![
            Cell::Text(level.to_owned()),
            Cell::Text(unit.to_owned()),
            Cell::Text(names.unit(level, unit)),
            Cell::count(c.expected),
            Cell::count(c.received),
            Cell::count(c.approved),
            Cell::count(c.on_time),
            Cell::Number(c.rate, Shown::Share),
        ]
    };
    let mut rows = vec![row(
        r.scope.kind().as_str(),
        r.scope.code(),
        &r.completeness.counts,
    )];
    for s in r.completeness.by_subregion.iter().flatten() {
        rows.push(row("subregion", s.subregion.as_str(), &s.counts));
    }
    // An OWES rollup's scope row is its one OWES already.
    if !matches!(r.scope.kind(), ScopeKind::Owes) {
        for o in &r.completeness.by_owes {
            rows.push(row("owes", o.owes.as_str(), &o.counts));
        }
    }
    Sheet {
        headers: &[
            "poziom",
            "jednostka",
            "nazwa jednostki",
            "oczekiwane",
            "otrzymane",
            "zatwierdzone",
            "w terminie",
            "odsetek",
        ],
        rows,
    }
}

const LPRES_HEADERS: &[&str] = &[
    "poziom",
    "jednostka",
    "nazwa jednostki",
    "gminy",
    "z przyjętym LPRES",
    "udział",
    lpres_status_pl(LpresStatus::None),
    lpres_status_pl(LpresStatus::InPreparation),
    lpres_status_pl(LpresStatus::Draft),
    lpres_status_pl(LpresStatus::Adopted),
    lpres_status_pl(LpresStatus::Repealed),
];

fn lpres(r: &Rollup, names: &Names) -> Sheet {
    let l = &r.lpres;
    let head = |level: &str, unit: &str, gminas: usize, adopted: usize, share: Option<f64>| {
        vec![
            Cell::Text(level.to_owned()),
            Cell::Text(unit.to_owned()),
            Cell::Text(names.unit(level, unit)),
            Cell::count(gminas),
            Cell::count(adopted),
            Cell::Number(share, Shown::Share),
        ]
    };
    let by_status = |s: &LpresStatus| l.by_status.get(s).copied().unwrap_or(0);
    let kind = r.scope.kind();
    let mut first = head(kind.as_str(), r.scope.code(), l.gminas, l.adopted, l.share);
    first.extend(LpresStatus::ALL.iter().map(|s| Cell::count(by_status(s))));
    let mut rows = vec![first];
    for s in l.by_subregion.iter().flatten() {
        let share = (s.gminas > 0).then(|| s.adopted as f64 / s.gminas as f64);
        let mut row = head(
            "subregion",
            s.subregion.as_str(),
            s.gminas,
            s.adopted,
            share,
        );
        // The rollup counts statuses for its scope only.
        row.extend(LpresStatus::ALL.map(|_| Cell::empty()));
        rows.push(row);
    }
    // Each gmina: one under its status, as the map shows it.
    for g in &l.by_gmina {
        let adopted = usize::from(g.adopted);
        let mut row = head("gmina", g.teryt.as_str(), 1, adopted, Some(adopted as f64));
        row.extend(LpresStatus::ALL.map(|s| Cell::count(usize::from(s == g.status))));
        rows.push(row);
    }
    Sheet {
        headers: LPRES_HEADERS,
        rows,
    }
}

fn results(r: &Rollup, names: &Names) -> Sheet {
    Sheet {
        headers: &["rezultat", "nazwa rezultatu", "gminy"],
        rows: r
            .results
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.code.to_string()),
                    Cell::Text(names.result(c.code.as_str())),
                    Cell::count(c.gminas),
                ]
            })
            .collect(),
    }
}

fn sheet(r: &Rollup, names: &Names, table: Table) -> Sheet {
    match table {
        Table::Indicators => indicators(r, names),
        Table::Targets => targets(r, names),
        Table::Completeness => completeness(r, names),
        Table::Lpres => lpres(r, names),
        Table::Results => results(r, names),
        Table::Coverage => coverage::coverage(r, names),
    }
}

/// A cell as Polish Excel reads it: decimal comma, money with two decimals, shares as
/// fractions. Text that Excel would take for a formula gets a leading apostrophe.
fn text(cell: &Cell) -> String {
    let s = match cell {
        Cell::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => return format!("'{t}"),
        Cell::Text(t) => return t.clone(),
        Cell::Figure(Figure::Count(Some(n))) => n.to_string(),
        Cell::Figure(Figure::Money(Some(g))) => grosze_text(*g),
        Cell::Figure(Figure::Share(Some(v))) if v.is_finite() => rounded(*v).to_string(),
        Cell::Number(Some(v), Shown::Money) if v.is_finite() => format!("{v:.2}"),
        Cell::Number(Some(v), _) if v.is_finite() => rounded(*v).to_string(),
        _ => return String::new(),
    };
    decimal_comma(&s)
}

/// One table of the rollup as CSV.
pub fn csv(r: &Rollup, names: &Names, table: Table) -> Result<Vec<u8>, csv::Error> {
    let sheet = sheet(r, names, table);
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(sheet.headers)?;
        for row in &sheet.rows {
            w.write_record(row.iter().map(text))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The widest a column gets, in characters; longer text wraps.
const MAX_WIDTH: usize = 100;

/// Characters a number takes as Excel shows it in `shown`.
fn shown_len(v: f64, shown: Shown) -> usize {
    let digits = format!("{:.0}", v.abs().trunc()).len();
    let whole = digits + (digits - 1) / 3;
    match shown {
        Shown::Count => whole,
        Shown::Decimal => whole + 3,
        Shown::Money => whole + 6,
        Shown::Share => format!("{:.1}", v * 100.0).len() + 1,
    }
}

fn cell_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) => t.chars().count(),
        Cell::Figure(f) => f.value().map_or(0, |v| shown_len(v, Shown::of(f.unit()))),
        Cell::Number(Some(v), shown) if v.is_finite() => shown_len(*v, *shown),
        Cell::Number(..) => 0,
    }
}

struct Formats {
    header: Format,
    wrap: Format,
    count: Format,
    money: Format,
    share: Format,
    decimal: Format,
}

impl Formats {
    fn new() -> Self {
        let number = |s: Shown| Format::new().set_num_format(s.excel());
        Self {
            header: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            count: number(Shown::Count),
            money: number(Shown::Money),
            share: number(Shown::Share),
            decimal: number(Shown::Decimal),
        }
    }

    fn number(&self, shown: Shown) -> &Format {
        match shown {
            Shown::Count => &self.count,
            Shown::Money => &self.money,
            Shown::Share => &self.share,
            Shown::Decimal => &self.decimal,
        }
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    // A bold header with the autofilter's button beside it needs a few characters more.
    let mut widths: Vec<usize> = sheet
        .headers
        .iter()
        .map(|h| h.chars().count() + 3)
        .collect();
    for (col, name) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *name, &f.header)?;
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        let n = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(t) if t.chars().count() > MAX_WIDTH => {
                    ws.write_string_with_format(n, col, t, &f.wrap)?;
                }
                Cell::Text(t) if !t.is_empty() => {
                    ws.write_string(n, col, t)?;
                }
                Cell::Figure(fig) => {
                    if let Some(v) = fig.value() {
                        ws.write_number_with_format(n, col, v, f.number(Shown::of(fig.unit())))?;
                    }
                }
                Cell::Number(Some(v), shown) if v.is_finite() => {
                    ws.write_number_with_format(n, col, *v, f.number(*shown))?;
                }
                _ => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell_len(cell));
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, (*w.min(&MAX_WIDTH) + 1) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        sheet.rows.len() as u32,
        sheet.headers.len().saturating_sub(1) as u16,
    )?;
    Ok(())
}

/// Every table of the rollup, one sheet each.
pub fn xlsx(r: &Rollup, names: &Names) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    for table in Table::ALL {
        let ws = book.add_worksheet().set_name(table.sheet_name())?;
        write_sheet(ws, &sheet(r, names, table), &formats)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_read_the_polish_way_and_never_as_formulas() {
        let t = |s: &str| text(&Cell::Text(s.into()));
        assert_eq!(t("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(t("+48 77"), "'+48 77");
        assert_eq!(
            t("OWES Subregionu północnego"),
            "OWES Subregionu północnego"
        );
        assert_eq!(text(&Cell::Figure(Figure::Money(Some(100_050)))), "1000,50");
        assert_eq!(text(&Cell::Figure(Figure::Share(Some(0.1875)))), "0,1875");
        assert_eq!(text(&Cell::Number(Some(1.75), Shown::Decimal)), "1,75");
        assert_eq!(text(&Cell::Number(Some(40.0), Shown::Count)), "40");
        assert_eq!(text(&Cell::Number(Some(12.5), Shown::Money)), "12,50");
        assert_eq!(text(&Cell::empty()), "");
    }

    #[test]
    fn widths_count_what_excel_shows() {
        assert_eq!(shown_len(1234567.0, Shown::Count), 9, "1 234 567");
        assert_eq!(shown_len(1000.5, Shown::Money), 11, "1 000,50 zł");
        assert_eq!(shown_len(0.1875, Shown::Share), 5, "18,8%");
        assert_eq!(shown_len(0.0, Shown::Count), 1);
    }
}
