//! A gmina's page (`/gminas/{teryt}`): its LPRES status with the history of every change, and
//! its annual reports with their indicators and results checklist. Each reported value carries
//! `data-figure` (the indicator), `data-scope` (the TERYT), `data-period` (the year) and
//! `data-value` (the JSON's value), as every figure of the pages does.

use super::format::{self, raw, shown};
use super::{page, Banner};
use maud::{html, Markup};
use rops_aggregation::rollup::Figure;
use rops_domain::indicator::{IndicatorDef, IndicatorKind};
use rops_domain::lpres::LpresStatus;
use rops_domain::values::Amount;
use rops_store::lpres::LpresWithHistory;
use rops_store::reports::Report;
use rops_store::views::{GminaView, ResultGroupView};

/// The LPRES form as typed (or as stored), with its errors.
#[derive(Debug, Clone, Default)]
pub struct LpresForm {
    pub status: String,
    pub resolution_number: String,
    pub adopted_on: String,
    pub plan_from: String,
    pub plan_to: String,
    pub document_url: String,
    /// Errors by field name (`status`, `resolution_number`, …).
    pub errors: Vec<(String, String)>,
    /// The revision the form was read at.
    pub revision: i32,
    /// Someone changed the status since the form was read.
    pub conflict: bool,
}

pub struct GminaPage<'a> {
    pub banner: &'a Banner<'a>,
    /// The LPRES form, for those who may set the status.
    pub lpres_form: Option<&'a LpresForm>,
    /// Whether this person may file the gmina's annual reports.
    pub may_report: bool,
    /// The year whose annual report is due now (the last ended year).
    pub due_year: i32,
    pub notice: Option<&'a str>,
    pub gmina: &'a GminaView,
    pub subregion_name: Option<&'a str>,
    pub lpres: &'a LpresWithHistory,
    /// Its annual reports, newest first.
    pub reports: &'a [Report],
    /// The gmina stream's indicators, in catalogue order.
    pub indicators: &'a [IndicatorDef],
    pub result_groups: &'a [ResultGroupView],
}

fn kind_pl(kind: &str) -> &'static str {
    match kind {
        "urban" => "gmina miejska",
        "rural" => "gmina wiejska",
        "urban-rural" => "gmina miejsko-wiejska",
        _ => "gmina",
    }
}

fn status_of(code: &str) -> &'static str {
    LpresStatus::parse(code).map_or("nieznany", format::lpres_status)
}

fn figure(amount: Option<Amount>) -> Figure {
    match amount {
        Some(Amount::Money(m)) => Figure::Money(Some(i128::from(m.grosze()))),
        Some(Amount::Count(n)) => Figure::Count(Some(i128::from(n))),
        None => Figure::Count(None),
    }
}

fn years(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f}–{t}"),
        _ => String::new(),
    }
}

fn day(text: Option<&str>) -> String {
    text.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(format::date)
        .unwrap_or_default()
}

pub fn gmina_page(p: &GminaPage<'_>) -> Markup {
    let g = p.gmina;
    let now = &p.lpres.current;
    let title = format!("Gmina {}", g.name);
    page(
        &title,
        Some(p.banner),
        html! {
            h1 { (title) " (" (g.teryt) ")" }
            p.hint {
                (kind_pl(&g.kind)) " · powiat " (g.powiat_name)
                @if let Some(s) = p.subregion_name { " · " (s) }
            }
            @if let Some(n) = p.notice { p.notice role="status" { (n) } }
            section aria-labelledby="lpres" {
                h2 id="lpres" { "LPRES — lokalny plan rozwoju ekonomii społecznej" }
                dl.lpres-now data-teryt=(g.teryt) data-status=(now.status) {
                    dt { "Status" } dd { strong { (status_of(&now.status)) } }
                    @if let Some(n) = &now.resolution_number { dt { "Uchwała" } dd { (n) } }
                    @if now.adopted_on.is_some() { dt { "Data przyjęcia" } dd { (day(now.adopted_on.as_deref())) } }
                    @if now.plan_from.is_some() { dt { "Lata planu" } dd { (years(now.plan_from, now.plan_to)) } }
                    @if let Some(url) = &now.document_url { dt { "Dokument" } dd { a href=(url) rel="noopener noreferrer" { "treść uchwały" } } }
                    @if let Some(at) = &now.updated_at {
                        dt { "Ostatnia zmiana" } dd { (format::moment(at)) " (" (now.updated_by.as_deref().unwrap_or("")) ")" }
                    }
                }
                @if let Some(f) = p.lpres_form { (lpres_form(&g.teryt, p.banner.csrf, f)) }
                @if p.lpres.history.is_empty() { p { "Gmina nie zgłosiła jeszcze statusu LPRES." } }
                @else {
                    h3 { "Historia zmian" }
                    div.table-scroll { table.figures.history {
                        thead { tr { th scope="col" { "Wersja" } th scope="col" { "Zapisano" } th scope="col" { "Status" } th scope="col" { "Uchwała" } th scope="col" { "Przyjęty" } th scope="col" { "Lata planu" } th scope="col" { "Kto" } } }
                        tbody {
                            @for h in p.lpres.history.iter().rev() {
                                tr data-revision=(h.revision) data-status=(h.status) {
                                    th scope="row" { (h.revision) }
                                    td { (format::moment(&h.recorded_at)) }
                                    td { (status_of(&h.status)) }
                                    td { (h.resolution_number.as_deref().unwrap_or("")) }
                                    td { (day(h.adopted_on.as_deref())) }
                                    td { (years(h.plan_from, h.plan_to)) }
                                    td { (h.recorded_by) }
                                }
                            }
                        }
                    } }
                }
            }
            section aria-labelledby="reports" {
                h2 id="reports" { "Sprawozdania roczne" }
                @if p.may_report {
                    p { a.button href=(format!("/gminas/{}/reports/{}", g.teryt, p.due_year)) { "Sprawozdanie roczne za " (p.due_year) } }
                }
                @if p.reports.is_empty() { p { "Brak sprawozdań rocznych." } }
                @for r in p.reports {
                    (annual_report(p, r))
                }
            }
        },
    )
}

fn annual_report(p: &GminaPage<'_>, r: &Report) -> Markup {
    let teryt = &p.gmina.teryt;
    let achieved: Vec<&str> = r.results.iter().flatten().map(String::as_str).collect();
    html! {
        article.report data-report=(r.period) data-status=(r.status.as_str()) {
            h3 { a href=(format!("/gminas/{teryt}/reports/{}", r.period)) { "Rok " (r.period) } " — " (format::report_status(r.status)) }
            p.hint {
                "wersja " (r.revision) " · ostatnia zmiana " (format::moment(&r.updated_at)) " (" (r.updated_by) ")"
                @if let Some(reason) = &r.return_reason { " · powód zwrotu: " (reason) }
            }
            div.table-scroll { table.figures {
                thead { tr { th scope="col" { "Wskaźnik" } th scope="col" { "Wartość" } } }
                tbody {
                    @for i in p.indicators.iter().filter(|i| i.kind != IndicatorKind::Ratio) {
                        @let code = i.code.as_str();
                        @let value = figure(r.values.get(code).copied().flatten());
                        tr {
                            th scope="row" { (i.name_pl) }
                            td data-figure=(code) data-scope=(teryt) data-period=(r.period) data-value=(raw(&value)) { (shown(&value)) }
                        }
                    }
                }
            } }
            h4 { "Osiągnięte rezultaty" }
            @if achieved.is_empty() { p { "Nie zgłoszono rezultatów." } }
            @for group in p.result_groups {
                @let items: Vec<_> = group.items.iter().filter(|i| achieved.contains(&i.code.as_str())).collect();
                @if !items.is_empty() {
                    p.result-group { strong { (group.code) ". " (group.name_pl) } }
                    ul.results {
                        @for i in items { li data-result=(i.code) { (i.code) " — " (i.name_pl) } }
                    }
                }
            }
        }
    }
}

/// The LPRES status form: the status as radio buttons, and the fields it needs, shown by
/// the stylesheet as the chosen status needs them (no script): a resolution for an adopted
/// or repealed plan, plan years and a document for any plan.
fn lpres_form(teryt: &str, csrf: &str, f: &LpresForm) -> Markup {
    let error_of = |field: &str| {
        f.errors
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, m)| m.as_str())
    };
    let text = |id: &str, label: &str, kind: &str, value: &str, hint: Option<&str>| {
        let error = error_of(id);
        let error_id = format!("lpres-{id}-error");
        let input_id = format!("lpres-{id}");
        html! {
            label for=(input_id) { (label) }
            input type=(kind) id=(input_id) name=(id) value=(value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(h) = hint { span.hint { " " (h) } }
            @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
        }
    };
    html! {
        form.lpres-form method="post" action=(format!("/gminas/{teryt}/lpres")) novalidate {
            input type="hidden" name="csrf_token" value=(csrf);
            input type="hidden" name="revision" value=(f.revision);
            @if f.conflict {
                p.error role="alert" id="lpres-conflict" { "Ktoś zmienił status LPRES tej gminy, gdy wypełniałeś(-aś) formularz; nic nie zostało nadpisane. Stan obecny jest wyżej, Twoje dane poniżej: sprawdź i zapisz ponownie." }
            }
            fieldset {
                legend { "Zmień status LPRES" }
                @if let Some(e) = error_of("status") { p.field-error id="lpres-status-error" { (e) } }
                @for s in LpresStatus::ALL {
                    @let id = format!("status-{}", s.as_str());
                    label.inline for=(id) {
                        input type="radio" id=(id) name="status" value=(s.as_str()) checked[f.status == s.as_str()];
                        " " (format::lpres_status(s))
                    }
                }
                div.needs-resolution {
                    (text("resolution_number", "Numer uchwały rady", "text", &f.resolution_number, Some("np. XLV/512/2023")))
                    (text("adopted_on", "Data przyjęcia", "date", &f.adopted_on, None))
                }
                div.needs-plan {
                    (text("plan_from", "Pierwszy rok planu", "number", &f.plan_from, None))
                    (text("plan_to", "Ostatni rok planu", "number", &f.plan_to, None))
                    (text("document_url", "Link do uchwały lub planu", "url", &f.document_url, Some("https://…")))
                }
                button type="submit" { "Zapisz status LPRES" }
            }
        }
    }
}
