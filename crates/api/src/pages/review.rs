//! The analysts' review in the browser: the queue of submitted reports (`/review`), oldest
//! first, with bulk approval; one report beside its previously submitted version and the
//! previous period, changed values marked, approved or returned with a reason.

use super::format::{self, raw, shown};
use super::report_form::figure_of;
use super::{page, Banner};
use maud::{html, Markup};
use rops_domain::indicator::{IndicatorDef, IndicatorKind, Stream};
use rops_store::reports::{Report, Revision};

/// One report waiting in the queue.
pub struct Waiting<'a> {
    pub report: &'a Report,
    pub unit_name: String,
    /// `Some(true)` on time, `Some(false)` late, `None` when the stream has no deadline.
    pub on_time: Option<bool>,
}

pub fn stream_pl(stream: Stream) -> &'static str {
    match stream {
        Stream::Owes => "OWES (kwartał)",
        Stream::Gmina => "gmina (rok)",
        Stream::Entity => "podmiot reintegracyjny (rok)",
    }
}

/// The key of a report in a form field: `owes|OWES-PN|2025-Q3|5` (with the revision seen).
pub fn report_ref(r: &Report) -> String {
    format!(
        "{}|{}|{}|{}",
        r.stream.as_str(),
        r.unit,
        r.period,
        r.revision
    )
}

pub fn review_path(r: &Report) -> String {
    format!("/review/{}/{}/{}", r.stream.as_str(), r.unit, r.period)
}

pub fn queue(banner: &Banner<'_>, waiting: &[Waiting<'_>], notice: Option<&str>) -> Markup {
    page(
        "Sprawozdania do sprawdzenia",
        Some(banner),
        html! {
            h1 { "Sprawozdania do sprawdzenia" }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            @if waiting.is_empty() { p { "Nie ma przesłanych sprawozdań, które czekają na sprawdzenie." } }
            @else {
                p.hint { "Od najdawniej przesłanego. Otwórz sprawozdanie, by porównać je z poprzednią wersją i poprzednim okresem, albo zaznacz kilka i zatwierdź je razem." }
                form method="post" action="/review" {
                    input type="hidden" name="csrf_token" value=(banner.csrf);
                    div.table-scroll { table.figures.queue {
                        thead { tr {
                            th scope="col" { span.visually-hidden { "Zaznacz" } }
                            th scope="col" { "Sprawozdanie" } th scope="col" { "Rodzaj" } th scope="col" { "Okres" }
                            th scope="col" { "Przesłano" } th scope="col" { "Termin" } th scope="col" { "Wersja" }
                        } }
                        tbody {
                            @for w in waiting {
                                @let r = w.report;
                                @let id = format!("pick-{}-{}-{}", r.stream.as_str(), r.unit, r.period);
                                tr data-report=(report_ref(r)) {
                                    td { input type="checkbox" id=(id) name="report" value=(report_ref(r)) aria-label=(format!("Zaznacz {} {}", w.unit_name, r.period)); }
                                    th scope="row" { a href=(review_path(r)) { (w.unit_name) " (" (r.unit) ")" } }
                                    td { (stream_pl(r.stream)) }
                                    td { (r.period) }
                                    td { (r.submitted_at.as_deref().map(format::moment).unwrap_or_default()) }
                                    td class=(match w.on_time { Some(true) => "on_time", Some(false) => "late", None => "" }) {
                                        (match w.on_time { Some(true) => "w terminie", Some(false) => "po terminie", None => "—" })
                                    }
                                    td { (r.revision) }
                                }
                            }
                        }
                    } }
                    button type="submit" name="action" value="approve" { "Zatwierdź zaznaczone" }
                }
            }
        },
    )
}

/// One report under review.
pub struct ReviewPage<'a> {
    pub banner: &'a Banner<'a>,
    pub report: &'a Report,
    pub unit_name: &'a str,
    pub indicators: &'a [IndicatorDef],
    /// The version submitted before this one (a returned report's), if any.
    pub before: Option<&'a Revision>,
    /// The unit's report for the period before.
    pub previous_period: Option<&'a Report>,
    pub previous_label: String,
    /// The reason typed so far, and what was wrong with it.
    pub reason: &'a str,
    pub error: Option<&'a str>,
    pub may_review: bool,
    /// The plausibility warnings confirmed with this submission.
    pub warnings: &'a [rops_domain::plausibility::Warning],
    pub thresholds: rops_domain::plausibility::Thresholds,
}

pub fn review(p: &ReviewPage<'_>) -> Markup {
    let r = p.report;
    let title = format!("{} — {}", p.unit_name, r.period);
    let submitted = r.status == rops_domain::report::ReportStatus::Submitted;
    html! {
        (page(&title, Some(p.banner), html! {
            p.hint { a href="/review" { "← Sprawozdania do sprawdzenia" } }
            h1 { (title) }
            p data-status=(r.status.as_str()) {
                (stream_pl(r.stream)) " · stan: " strong { (format::report_status(r.status)) }
                " · wersja " (r.revision)
                @if let Some(at) = &r.submitted_at { " · przesłano " (format::moment(at)) }
                " (" (r.updated_by) ")"
            }
            @if !p.warnings.is_empty() {
                div.warning id="confirmed-warnings" {
                    p { strong { "Jednostka potwierdziła nietypowe wartości:" } }
                    ul {
                        @for w in p.warnings {
                            @let def = p.indicators.iter().find(|i| i.code.as_str() == w.indicator());
                            li data-warning=(w.indicator()) {
                                strong { (def.map_or(w.indicator(), |d| d.name_pl.as_str())) } ": "
                                (super::report_form::warning_pl(w, def.map_or(rops_domain::indicator::Unit::Count, |d| d.unit), p.thresholds))
                            }
                        }
                    }
                }
            }
            div.table-scroll { table.figures.review {
                thead { tr {
                    th scope="col" { "Wskaźnik" }
                    th scope="col" { "Ta wersja" }
                    th scope="col" { @if let Some(b) = p.before { "Poprzednio przesłana (wersja " (b.revision) ")" } @else { "Poprzednio przesłana" } }
                    th scope="col" { "Poprzedni okres (" (p.previous_label) ")" }
                } }
                tbody {
                    @for i in p.indicators.iter().filter(|i| i.kind != IndicatorKind::Ratio) {
                        @let code = i.code.as_str();
                        @let now = figure_of(Some(&r.values), code);
                        @let before = p.before.map(|b| figure_of(Some(&b.values), code));
                        @let changed = before.is_some_and(|b| b != now);
                        @let prev = figure_of(p.previous_period.map(|x| &x.values), code);
                        tr class=(if changed { "changed" } else { "" }) data-changed=[changed.then_some(code)] {
                            th scope="row" { (i.name_pl) }
                            td data-figure=(code) data-scope=(r.unit) data-period=(r.period) data-value=(raw(&now)) { strong { (shown(&now)) } }
                            td { @match before { Some(b) => (shown(&b)), None => "pierwsze przesłanie" } }
                            td { (shown(&prev)) }
                        }
                    }
                }
            } }
            @if let Some(results) = &r.results {
                p { "Zgłoszone rezultaty: " (if results.is_empty() { "brak".to_owned() } else { results.join(", ") }) }
            }
            @if submitted && p.may_review {
                div.review-actions {
                    form method="post" action=(review_path(r)) {
                        input type="hidden" name="csrf_token" value=(p.banner.csrf);
                        input type="hidden" name="revision" value=(r.revision);
                        button type="submit" name="action" value="approve" { "Zatwierdź" }
                    }
                    form method="post" action=(review_path(r)) {
                        input type="hidden" name="csrf_token" value=(p.banner.csrf);
                        input type="hidden" name="revision" value=(r.revision);
                        label for="reason" { "Powód zwrotu (zobaczy go jednostka)" }
                        textarea id="reason" name="reason" rows="3" required
                            aria-invalid=[p.error.map(|_| "true")] aria-describedby=[p.error.map(|_| "reason-error")] { (p.reason) }
                        @if let Some(e) = p.error { p.field-error id="reason-error" { (e) } }
                        button.secondary type="submit" name="action" value="return" { "Zwróć do poprawy" }
                    }
                }
            } @else if !submitted {
                p.notice role="status" { "To sprawozdanie nie czeka na sprawdzenie." }
            }
        }))
    }
}
