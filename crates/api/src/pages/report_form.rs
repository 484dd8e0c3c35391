//! An OWES's reports in the browser: the list of its quarters (`/owes/{code}/reports`) and the
//! form of one quarter (`/owes/{code}/reports/{quarter}`), which posts to the same store
//! writes as the API (`PUT` and `submit`): the browser is one more client of the same rules.
//!
//! The form's fields are `values[<indicator code>]`, its buttons `action=save` and
//! `action=submit`; it carries the revision it was read at, so a change made meanwhile by
//! someone else is shown, never overwritten. Each error sits beside its field
//! (`aria-describedby`); what the person typed comes back with the errors.

use super::format::{self, raw, shown};
use super::{page, Banner};
use maud::{html, Markup};
use rops_aggregation::rollup::Figure;
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Unit};
use rops_domain::period::Quarter;
use rops_domain::plausibility::{Thresholds, Warning};
use rops_domain::report::{ReportPeriod, ReportStatus};
use rops_domain::values::{Amount, Values};
use rops_store::reports::Report;
use rops_store::views::ResultGroupView;

/// One quarter of the list: its report as it stands, if any.
pub struct QuarterRow<'a> {
    pub quarter: Quarter,
    pub report: Option<&'a Report>,
    pub current: bool,
}

pub fn reports_list(
    banner: &Banner<'_>,
    owes: &str,
    owes_name: &str,
    rows: &[QuarterRow<'_>],
    notice: Option<&str>,
    may_write: bool,
) -> Markup {
    let title = format!("Sprawozdania — {owes_name}");
    page(
        &title,
        Some(banner),
        html! {
            h1 { (title) }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            p.hint { "Kwartały, w których OWES działa, od najnowszego. Sprawozdanie zwrócone do poprawy i bieżący kwartał są wyróżnione." }
            @if may_write { p { a.button.secondary href=(format!("/owes/{owes}/reports/upload")) { "Wczytaj arkusz (CSV lub XLSX)" } } }
            div.table-scroll { table.figures.reports {
                thead { tr { th scope="col" { "Kwartał" } th scope="col" { "Stan" } th scope="col" { "Wersja" } th scope="col" { "Ostatnia zmiana" } th scope="col" { "Powód zwrotu" } } }
                tbody {
                    @for r in rows {
                        @let status = r.report.map(|r| r.status);
                        @let class = match (status, r.current) {
                            (Some(ReportStatus::Returned), _) => "returned",
                            (_, true) => "current",
                            _ => "",
                        };
                        tr class=(class) data-period=(r.quarter.to_string()) data-status=(status.map(|s| s.as_str()).unwrap_or("")) {
                            th scope="row" {
                                a href=(format!("/owes/{owes}/reports/{}", r.quarter)) { (r.quarter.to_string()) }
                                @if r.current { " " span.badge { "bieżący" } }
                            }
                            td { (status.map_or("brak sprawozdania", format::report_status)) }
                            td { (r.report.map(|r| r.revision.to_string()).unwrap_or_default()) }
                            td { (r.report.map(|r| format::moment(&r.updated_at)).unwrap_or_default()) }
                            td { (r.report.and_then(|r| r.return_reason.as_deref()).unwrap_or("")) }
                        }
                    }
                }
            } }
        },
    )
}

/// What the form shows and where it stands.
pub struct ReportForm<'a> {
    pub banner: &'a Banner<'a>,
    pub unit_name: &'a str,
    pub period: ReportPeriod,
    /// Where the form posts, and the page it came from (address, words).
    pub action: String,
    pub back: (String, &'static str),
    /// The report as stored now, if any.
    pub stored: Option<&'a Report>,
    /// The stream's indicators, in catalogue order.
    pub indicators: &'a [IndicatorDef],
    /// What the fields hold: the stored values, or what the person typed.
    pub typed: &'a [(String, String)],
    /// A gmina's report: the results checklist, and the codes ticked.
    pub results: Option<(&'a [ResultGroupView], &'a [String])>,
    /// Errors by field name (`values.<code>`, `results`, or `form`).
    pub errors: &'a [(String, String)],
    /// The previous period's stored report, and for quarters the same quarter's of last year.
    pub previous: Option<&'a Report>,
    pub year_ago: Option<&'a Report>,
    /// Whether this person may change the report at all.
    pub may_write: bool,
    pub notice: Option<&'a str>,
    /// The revision the form was read at (0: no report yet).
    pub revision: i32,
    /// Someone changed the report meanwhile: the values they stored, to compare with the
    /// person's own.
    pub conflict: Option<&'a Report>,
    /// Unusual values to confirm before the report is submitted.
    pub warnings: &'a [Warning],
    pub thresholds: Thresholds,
}

/// The indicator a value may not exceed: its `at_most`, or a ratio's denominator for its
/// numerator.
fn bound_of<'a>(catalogue: &'a [IndicatorDef], code: &str) -> Option<&'a str> {
    let def = catalogue.iter().find(|d| d.code.as_str() == code)?;
    def.at_most.as_ref().map(|c| c.as_str()).or_else(|| {
        catalogue
            .iter()
            .filter(|d| d.kind == IndicatorKind::Ratio)
            .find(|d| d.numerator.as_ref().is_some_and(|n| n.as_str() == code))
            .and_then(|d| d.denominator.as_ref().map(|c| c.as_str()))
    })
}

/// The ids of what describes a field: its error, its warning.
fn described(error: bool, warning: bool, id: &str) -> Option<String> {
    let ids: Vec<String> = [
        error.then(|| format!("{id}-error")),
        warning.then(|| format!("{id}-warning")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// What a plausibility warning says, in Polish.
pub fn warning_pl(w: &Warning, unit: Unit, t: Thresholds) -> String {
    let periods = t.history;
    match w {
        Warning::TooHigh { median, .. } => {
            let median = match unit {
                Unit::Pln => format::number(median / 100.0, Unit::Pln),
                _ => format::count(*median),
            };
            format!(
                "Ponad {} razy więcej niż mediana ostatnich zgłoszonych okresów ({periods}): {median}. Sprawdź, czy to nie pomyłka.",
                format::count(t.factor)
            )
        }
        Warning::Zero { .. } => format!(
            "Zero, choć w każdym z ostatnich {periods} zgłoszonych okresów wartość była większa. Sprawdź, czy to nie pomyłka."
        ),
    }
}

/// A stored value as a figure (null when there is none).
pub fn figure_of(values: Option<&Values>, code: &str) -> Figure {
    match values.and_then(|v| v.get(code).copied().flatten()) {
        Some(Amount::Money(m)) => Figure::Money(Some(i128::from(m.grosze()))),
        Some(Amount::Count(n)) => Figure::Count(Some(i128::from(n))),
        None => Figure::Count(None),
    }
}

/// A stored value as a person types it (`1234,50`), empty when there is none.
pub fn typed_value(values: &Values, code: &str) -> String {
    match values.get(code).copied().flatten() {
        Some(Amount::Money(m)) => rops_domain::number::decimal_comma(&m.to_string()),
        Some(a) => a.to_string(),
        None => String::new(),
    }
}

fn unit_pl(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "liczba",
        Unit::Pln => "zł",
        Unit::Share => "udział",
    }
}

/// Why the report cannot be changed, for a person.
fn locked_reason(status: Option<ReportStatus>, may_write: bool) -> Option<&'static str> {
    match status {
        _ if !may_write => Some("Możesz przeglądać to sprawozdanie; zmienia je tylko jednostka, która je składa."),
        Some(ReportStatus::Submitted) => Some("Sprawozdanie zostało przesłane do ROPS i czeka na sprawdzenie; do tego czasu nie można go zmieniać. Jeśli analityk zwróci je do poprawy, znów będzie można je edytować."),
        Some(ReportStatus::Approved) => Some("Sprawozdanie zostało zatwierdzone i jest zamknięte. Zmiana wymaga ponownego otwarcia przez analityka ROPS."),
        _ => None,
    }
}

/// The previous period: the quarter before, or the year before.
pub fn previous_period(p: ReportPeriod) -> ReportPeriod {
    match p {
        ReportPeriod::Quarter(q) => ReportPeriod::Quarter(q.previous()),
        ReportPeriod::Year(y) => ReportPeriod::Year(y - 1),
    }
}

pub fn report_form(f: &ReportForm<'_>) -> Markup {
    let status = f.stored.map(|r| r.status);
    let locked = locked_reason(status, f.may_write);
    let (period_word, previous_word) = match f.period {
        ReportPeriod::Quarter(_) => ("za", "Poprzedni kwartał"),
        ReportPeriod::Year(_) => ("roczne za", "Poprzedni rok"),
    };
    let title = format!("Sprawozdanie {period_word} {} — {}", f.period, f.unit_name);
    let error_of = |field: &str| {
        f.errors
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, m)| m.as_str())
    };
    let typed_of = |code: &str| {
        f.typed
            .iter()
            .find(|(k, _)| k == code)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let year_ago = match f.period {
        ReportPeriod::Quarter(q) => Some(q.year_ago()),
        ReportPeriod::Year(_) => None,
    };
    page(
        &title,
        Some(f.banner),
        html! {
            p.hint { a href=(f.back.0) { "← " (f.back.1) } }
            h1 { (title) }
            p data-status=(status.map(|s| s.as_str()).unwrap_or("")) {
                "Stan: " strong { (status.map_or("brak sprawozdania", format::report_status)) }
                @if let Some(r) = f.stored { " · wersja " (r.revision) " · ostatnia zmiana " (format::moment(&r.updated_at)) " (" (r.updated_by) ")" }
            }
            @if let Some(reason) = f.stored.and_then(|r| r.return_reason.as_deref()).filter(|_| status == Some(ReportStatus::Returned)) {
                p.error role="alert" id="return-reason" { "Zwrócone do poprawy: " (reason) }
            }
            @if let Some(n) = f.notice { p.notice role="status" { (n) } }
            @if let Some(e) = error_of("form") { p.error role="alert" id="form-error" { (e) } }
            @if let Some(theirs) = f.conflict {
                div.error role="alert" id="conflict" {
                    p { strong { "Ktoś zmienił to sprawozdanie, gdy je edytowałeś(-aś)" } " (wersja " (theirs.revision) ", " (theirs.updated_by) ", " (format::moment(&theirs.updated_at)) "). Nic nie zostało nadpisane. Twoje wartości są w formularzu; obok widać zapisane teraz. Sprawdź różnice i zapisz ponownie." }
                }
            }
            @if let Some(why) = locked { p.notice role="status" id="locked" { (why) } }
            form method="post" action=(f.action) novalidate {
                input type="hidden" name="csrf_token" value=(f.banner.csrf);
                input type="hidden" name="revision" value=(f.revision);
                div.table-scroll { table.figures.report-form {
                    thead { tr {
                        th scope="col" { "Wskaźnik" }
                        th scope="col" { "Jednostka" }
                        th scope="col" { "Wartość" }
                        @if f.conflict.is_some() { th scope="col" { "Zapisane teraz" } }
                        th scope="col" { (previous_word) " (" (previous_period(f.period).to_string()) ")" }
                        @if let Some(q) = year_ago { th scope="col" { "Rok temu (" (q.to_string()) ")" } }
                    } }
                    tbody {
                        @for i in f.indicators.iter().filter(|i| i.kind != IndicatorKind::Ratio) {
                            @let code = i.code.as_str();
                            @let id = format!("v-{code}");
                            @let field = format!("values.{code}");
                            @let error = error_of(&field);
                            @let error_id = format!("{id}-error");
                            @let theirs = f.conflict.map(|r| figure_of(Some(&r.values), code));
                            @let changed = f.conflict.is_some_and(|r| typed_value(&r.values, code) != typed_of(code));
                            @let warned = f.warnings.iter().any(|w| w.indicator() == code);
                            tr class=(if changed { "changed" } else { "" }) {
                                th scope="row" {
                                    label for=(id) { (i.name_pl) }
                                    @if let Some(v) = &i.verification_pl { span.verification data-verification=(code) { "Źródło weryfikacji: " (v) } }
                                }
                                td { (unit_pl(i.unit)) }
                                td {
                                    input type="text" id=(id) name=(format!("values[{code}]")) value=(typed_of(code))
                                        inputmode=(if i.unit == Unit::Pln { "decimal" } else { "numeric" })
                                        pattern=(if i.unit == Unit::Pln { r"[0-9  ]*([,.][0-9]{1,2})?" } else { "[0-9  ]*" })
                                        data-unit=(i.unit.as_str())
                                        data-at-most=[bound_of(f.indicators, code)]
                                        disabled[locked.is_some()]
                                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described(error.is_some(), warned, &id)];
                                    @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
                                    @if let Some(w) = f.warnings.iter().find(|w| w.indicator() == code) {
                                        p.field-warning id=(format!("{id}-warning")) data-warning=(code) { (warning_pl(w, i.unit, f.thresholds)) }
                                    }
                                }
                                @if let Some(t) = theirs { td data-theirs=(code) data-value=(raw(&t)) { (shown(&t)) } }
                                @let p = figure_of(f.previous.map(|r| &r.values), code);
                                td data-previous=(code) data-value=(raw(&p)) { (shown(&p)) }
                                @if year_ago.is_some() {
                                    @let y = figure_of(f.year_ago.map(|r| &r.values), code);
                                    td data-year-ago=(code) data-value=(raw(&y)) { (shown(&y)) }
                                }
                            }
                        }
                    }
                } }
                p.hint { "Liczby całkowite, 0 gdy nic się nie wydarzyło; kwoty w złotych z groszami (np. 1 234 567,89). Wersję roboczą można zapisać niepełną; przesłanie wymaga wszystkich wartości." }
                @if let Some((groups, ticked)) = f.results {
                    h2 id="results" { "Osiągnięte rezultaty (lista A1–D7)" }
                    @if let Some(e) = error_of("results") { p.field-error id="results-error" { (e) } }
                    @for g in groups {
                        fieldset.results {
                            legend { (g.code) ". " (g.name_pl) }
                            @for item in &g.items {
                                @let id = format!("r-{}", item.code);
                                label.inline for=(id) {
                                    input type="checkbox" id=(id) name="results" value=(item.code)
                                        checked[ticked.contains(&item.code)] disabled[locked.is_some()];
                                    " " strong { (item.code) } " " (item.name_pl)
                                }
                            }
                        }
                    }
                }
                @if !f.warnings.is_empty() && locked.is_none() {
                    div.warning role="alert" id="warnings" {
                        p { strong { "Niektóre wartości są nietypowe" } " (oznaczone przy polach). Nie blokują przesłania: potwierdź, że są prawidłowe, a analityk ROPS zobaczy je przy sprawdzaniu." }
                        label.inline for="confirm_warnings" {
                            input type="checkbox" id="confirm_warnings" name="confirm_warnings" value="true";
                            " Sprawdziłem(-am) te wartości; są prawidłowe."
                        }
                    }
                }
                @if locked.is_none() {
                    div.actions {
                        button type="submit" name="action" value="save" { "Zapisz wersję roboczą" }
                        " "
                        button type="submit" name="action" value="submit" { "Prześlij do ROPS" }
                    }
                }
            }
            @if locked.is_none() { script src="/assets/report-form.js" defer {} }
        },
    )
}
