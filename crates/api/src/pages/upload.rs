//! An OWES's spreadsheet in the browser (`/owes/{code}/reports/upload`): the CSV or XLSX it
//! exports, shown first as what would change (the API's dry run) with each row's problems,
//! then stored on confirmation — the same import as `POST …/reports/import`.

use super::format;
use super::{page, Banner};
use crate::routes::report_files::ImportResult;
use maud::{html, Markup};
use rops_domain::problems_pl;
use rops_store::reports::Outcome;

/// What the page shows after a file was read.
pub struct Preview<'a> {
    /// The file's name, and its bytes (Base64) to send again on confirmation.
    pub name: &'a str,
    pub data: &'a str,
    /// What the import would do, or the problems that stop it (field, message).
    pub result: Result<&'a ImportResult, &'a [(String, String)]>,
}

fn outcome_code(o: Outcome) -> &'static str {
    match o {
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
    }
}

fn outcome_pl(o: Outcome) -> &'static str {
    match o {
        Outcome::Created => "nowe sprawozdanie",
        Outcome::Updated => "zmiana wartości",
        Outcome::Unchanged => "bez zmian",
    }
}

pub fn upload(
    banner: &Banner<'_>,
    owes: &str,
    owes_name: &str,
    preview: Option<&Preview<'_>>,
    error: Option<&str>,
) -> Markup {
    let action = format!("/owes/{owes}/reports/upload");
    page(
        "Wczytaj arkusz",
        Some(banner),
        html! {
            p.hint { a href=(format!("/owes/{owes}/reports")) { "← Wszystkie sprawozdania" } }
            h1 { "Wczytaj arkusz — " (owes_name) }
            p { "Plik CSV (jak zapisuje go Excel lub LibreOffice) albo XLSX, z kolumnami " code { "period, indicator, value" } " albo " code { "period" } " i kodami wskaźników. Najpierw zobaczysz, co się zmieni; nic nie zostanie zapisane, dopóki tego nie potwierdzisz." }
            @if let Some(e) = error { p.error role="alert" id="upload-error" { (e) } }
            form method="post" action=(action) enctype="multipart/form-data" {
                input type="hidden" name="csrf_token" value=(banner.csrf);
                input type="hidden" name="action" value="preview";
                label for="file" { "Plik (CSV lub XLSX, najwyżej 64 KiB)" }
                input type="file" id="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                button type="submit" { "Pokaż podgląd" }
            }
            @if let Some(p) = preview {
                section aria-labelledby="preview" {
                    h2 id="preview" { "Podgląd: " (p.name) }
                    @match p.result {
                        Err(problems) => {
                            p.error role="alert" { "Pliku nie można wczytać; popraw te wiersze i wczytaj go ponownie. Nic nie zostało zapisane." }
                            div.table-scroll { table.figures.problems {
                                thead { tr { th scope="col" { "Gdzie" } th scope="col" { "Problem" } } }
                                tbody {
                                    @for (field, message) in problems {
                                        tr data-problem=(field) { th scope="row" { (problems_pl::field(field)) } td { (problems_pl::message(message)) } }
                                    }
                                }
                            } }
                        }
                        Ok(result) => {
                            div.table-scroll { table.figures.preview {
                                thead { tr { th scope="col" { "Okres" } th scope="col" { "Co się stanie" } th scope="col" { "Stan po wczytaniu" } th scope="col" { "Wersja" } } }
                                tbody {
                                    @for r in &result.reports {
                                        tr data-period=(r.period) data-outcome=(outcome_code(r.outcome)) {
                                            th scope="row" { (r.period) }
                                            td { (outcome_pl(r.outcome)) }
                                            td { (format::report_status(r.status)) }
                                            td { (r.revision) }
                                        }
                                    }
                                }
                            } }
                            @if !result.warnings.is_empty() {
                                div.warning {
                                    p { "Pominięto:" }
                                    ul { @for w in &result.warnings { li { (problems_pl::field(&w.field)) ": " (problems_pl::message(&w.message)) } } }
                                }
                            }
                            form method="post" action=(action) enctype="multipart/form-data" {
                                input type="hidden" name="csrf_token" value=(banner.csrf);
                                input type="hidden" name="action" value="confirm";
                                input type="hidden" name="file_name" value=(p.name);
                                input type="hidden" name="file_data" value=(p.data);
                                button type="submit" { "Zapisz te sprawozdania" }
                            }
                        }
                    }
                }
            }
        },
    )
}
