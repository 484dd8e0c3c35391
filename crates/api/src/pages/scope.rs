//! The pages of a rollup's scope — the region (`/regions/{code}`), a subregion
//! (`/subregions/{code}`) and an OWES (`/owes/{code}`): the programme's targets, the
//! indicators with a trend line each, completeness as a grid of OWES × quarters, LPRES with the
//! map of the gminas, the results checklist — all read from the one rollup the API returns
//! (`rops_aggregation::rollup`), never computed a second time. Every figure carries its raw
//! JSON value (`data-figure`, `data-scope`, `data-value`) so a test, or anyone, can compare the
//! page with the JSON.

use super::format::{self, count, raw, share_raw, share_shown, shown};
use super::map::{gmina_map, MapGmina};
use super::{page, Banner};
use crate::export::Names;
use maud::{html, Markup};
use rops_aggregation::rollup::{Reporting, Rollup, ScopeKind};
use rops_domain::period::Quarter;
use rops_store::boundaries::Geometry;
use rops_store::reports::Report;
use std::collections::HashMap;

/// What the window form shows, as the request gave it (kept in the URL).
#[derive(Debug, Default, Clone)]
pub struct WindowForm {
    pub year: String,
    pub from: String,
    pub to: String,
    /// The moment for the date-time picker (`2025-05-14T12:00:00`, UTC), empty for now.
    pub as_of: String,
    pub approved_only: bool,
    /// The query string of this view, for links to the same view elsewhere (CSV, XLSX, the
    /// comparison of an indicator).
    pub query: String,
}

/// A scope's page and where its parts lead.
pub struct ScopePage<'a> {
    pub banner: &'a Banner<'a>,
    pub rollup: &'a Rollup,
    pub names: &'a Names,
    pub form: &'a WindowForm,
    /// The rollup of each quarter of the window alone, for the trend lines.
    pub series: &'a crate::routes::rollups::Series,
    /// The boundaries of the scope's gminas, by TERYT.
    pub boundaries: &'a HashMap<String, Geometry>,
    /// The region whose comparison pages the reader may open, if any.
    pub compare_in: Option<&'a str>,
    /// An OWES page: the OWES's reports as they stand now, in period order.
    pub reports: Option<&'a [Report]>,
}

/// A scope's own page and its rollup's API path, by kind and code.
pub fn paths(kind: ScopeKind, code: &str) -> (String, String) {
    let plural = match kind {
        ScopeKind::Region => "regions",
        ScopeKind::Subregion => "subregions",
        ScopeKind::Owes => "owes",
    };
    (
        format!("/{plural}/{code}"),
        format!("/api/v1/rollups/{plural}/{code}"),
    )
}

fn scope_kind_pl(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Region => "Region",
        ScopeKind::Subregion => "Subregion",
        ScopeKind::Owes => "OWES",
    }
}

/// The whole page.
pub fn scope_page(p: &ScopePage<'_>) -> Markup {
    let r = p.rollup;
    let kind = r.scope.kind();
    let code = r.scope.code().to_owned();
    let (path, api) = paths(kind, &code);
    let name = p.names.unit(kind.as_str(), &code);
    let title = match kind {
        ScopeKind::Region => format!("Region {name}"),
        _ => name.clone(),
    };
    // The units the indicator table has a column for: a region's subregions, a subregion's OWES.
    let columns: Vec<(&'static str, String)> = match kind {
        ScopeKind::Region => r
            .completeness
            .by_subregion
            .iter()
            .flatten()
            .map(|s| ("subregion", s.subregion.to_string()))
            .collect(),
        ScopeKind::Subregion => r
            .completeness
            .by_owes
            .iter()
            .map(|o| ("owes", o.owes.to_string()))
            .collect(),
        ScopeKind::Owes => Vec::new(),
    };
    page(
        &title,
        Some(p.banner),
        html! {
            h1 { (title) " (" (code) ")" }
            p.hint {
                "Okno: " strong { (r.from.to_string()) "–" (r.to.to_string()) }
                " · stan na " (format::moment(&r.as_of))
                @if r.approved_only { " · tylko zatwierdzone sprawozdania" }
            }
            (window_form(&path, p.form))
            p.downloads {
                a href=(format!("{api}/csv?{}", p.form.query)) { "Pobierz CSV" }
                " · "
                a href=(format!("{api}/xlsx?{}", p.form.query)) { "Pobierz XLSX" }
                @if kind == ScopeKind::Region && p.compare_in.is_some() {
                    " · " a href=(format!("/regions/{code}/events")) { "Rejestr działań ROPS" }
                }
            }
            (targets(p))
            section aria-labelledby="indicators" {
                h2 id="indicators" { "Wskaźniki" }
                div.table-scroll {
                    table.figures {
                        thead {
                            tr {
                                th scope="col" { "Wskaźnik" }
                                @for (level, unit) in &columns { th scope="col" { (p.names.unit(level, unit)) } }
                                th scope="col" { (scope_kind_pl(kind)) }
                                th scope="col" { "Kwartały okna" }
                            }
                        }
                        tbody {
                            @for i in &r.indicators {
                                @let indicator = i.code.as_str();
                                tr {
                                    th scope="row" {
                                        @match p.compare_in {
                                            Some(region) => a href=(format!("/regions/{region}/indicators/{indicator}?{}", p.form.query)) { (p.names.indicator(indicator)) },
                                            None => (p.names.indicator(indicator)),
                                        }
                                    }
                                    @for (level, unit) in &columns {
                                        @let value = match *level {
                                            "subregion" => i.by_subregion.iter().flatten().find(|f| f.subregion.as_str() == unit).map(|f| f.value),
                                            _ => i.by_owes.iter().flatten().find(|f| f.owes.as_str() == unit).map(|f| f.value),
                                        };
                                        @match value {
                                            Some(v) => td data-figure=(indicator) data-scope=(unit) data-value=(raw(&v)) { (shown(&v)) },
                                            None => td { "" },
                                        }
                                    }
                                    td data-figure=(indicator) data-scope=(code) data-value=(raw(&i.value)) { strong { (shown(&i.value)) } }
                                    td.trend { (sparkline(indicator, &code, &p.names.indicator(indicator), p.series)) }
                                }
                            }
                        }
                    }
                }
            }
            (completeness(p))
            @if let Some(reports) = p.reports { (owes_reports(reports)) }
            (lpres(p))
            section aria-labelledby="results" {
                h2 id="results" { "Rezultaty gmin (lista kontrolna A1–D7)" }
                div.table-scroll { table.figures {
                    thead { tr { th scope="col" { "Kod" } th scope="col" { "Rezultat" } th scope="col" { "Gminy" } } }
                    tbody {
                        @for res in &r.results {
                            tr {
                                th scope="row" { (res.code.as_str()) }
                                td { (p.names.result(res.code.as_str())) }
                                td data-figure=(format!("result_{}", res.code.as_str())) data-scope=(code) data-value=(res.gminas) { (res.gminas) }
                            }
                        }
                    }
                } }
            }
        },
    )
}

fn targets(p: &ScopePage<'_>) -> Markup {
    html! {
        section aria-labelledby="targets" {
            h2 id="targets" { "Cele programu" }
            @if p.rollup.targets.is_empty() { p { "Brak celów programu w tym zakresie." } }
            ul.targets {
                @for t in &p.rollup.targets {
                    @let unit = t.unit.as_ref().map(|u| u.as_str().to_owned()).unwrap_or_default();
                    li class=(format!("target {}", t.status.as_str()))
                        data-target=(format!("{}|{}|{}", t.indicator.as_str(), t.scope.as_str(), unit))
                        data-status=(t.status.as_str()) {
                        span.target-name {
                            (p.names.indicator(t.indicator.as_str()))
                            @if !unit.is_empty() { " — " (p.names.unit(t.scope.as_str(), &unit)) }
                        }
                        progress max=(fmt_f(t.target)) value=(fmt_f(t.actual.min(t.target))) {
                            (count(t.actual)) " z " (count(t.target))
                        }
                        span.target-figures {
                            "wykonanie " strong { (count(t.actual)) } " z " (count(t.target))
                            " · oczekiwane na dziś " (count(t.expected_to_date))
                            " · " span.status { (format::target_status(t.status)) }
                        }
                    }
                }
            }
        }
    }
}

/// Completeness: the grid of the scope's OWES × the window's quarters, each row with its rate;
/// for a region, its subregions' and its own rate below.
fn completeness(p: &ScopePage<'_>) -> Markup {
    let r = p.rollup;
    let code = r.scope.code();
    let quarters: Vec<Quarter> = rops_domain::period::Window {
        from: r.from,
        to: r.to,
    }
    .quarters()
    .collect();
    html! {
        section aria-labelledby="completeness" {
            h2 id="completeness" { "Kompletność sprawozdań OWES" }
            div.table-scroll { table.figures.grid {
                caption.hint { "Każda komórka to sprawozdanie OWES za kwartał: kolor mówi o terminie, tekst o stanie sprawozdania." }
                thead { tr {
                    th scope="col" { "OWES" }
                    @for q in &quarters { th scope="col" { (q.to_string()) } }
                    th scope="col" { "Oczekiwane" } th scope="col" { "Otrzymane" } th scope="col" { "W terminie" } th scope="col" { "Zatwierdzone" } th scope="col" { "Kompletność" }
                } }
                tbody {
                    @for o in &r.completeness.by_owes {
                        tr {
                            th scope="row" { (p.names.unit("owes", o.owes.as_str())) }
                            @for cell in &o.quarters {
                                td class=(format!("cell {}", cell.reporting.as_str()))
                                    data-owes=(o.owes.as_str()) data-period=(cell.quarter.to_string())
                                    data-reporting=(cell.reporting.as_str())
                                    data-status=(cell.status.map(|s| s.as_str()).unwrap_or_default())
                                    title=(format!("{}: {}", cell.quarter, format::reporting(cell.reporting))) {
                                    (format::reporting(cell.reporting))
                                    @if let Some(s) = cell.status.filter(|_| cell.reporting != Reporting::Inactive) {
                                        br; span.status-text { (format::report_status(s)) }
                                    }
                                }
                            }
                            td { (o.counts.expected) } td { (o.counts.received) } td { (o.counts.on_time) } td { (o.counts.approved) }
                            td data-figure="completeness" data-scope=(o.owes.as_str()) data-value=(share_raw(o.counts.rate)) { (share_shown(o.counts.rate)) }
                        }
                    }
                }
            } }
            ul.legend {
                @for state in Reporting::ALL { li { span class=(format!("swatch cell {}", state.as_str())) {} (format::reporting(state)) } }
            }
            div.table-scroll { table.figures {
                thead { tr { th scope="col" { "Zakres" } th scope="col" { "Oczekiwane" } th scope="col" { "Otrzymane" } th scope="col" { "W terminie" } th scope="col" { "Zatwierdzone" } th scope="col" { "Kompletność" } } }
                tbody {
                    @for s in r.completeness.by_subregion.iter().flatten() {
                        tr {
                            th scope="row" { (p.names.unit("subregion", s.subregion.as_str())) }
                            td { (s.counts.expected) } td { (s.counts.received) } td { (s.counts.on_time) } td { (s.counts.approved) }
                            td data-figure="completeness" data-scope=(s.subregion.as_str()) data-value=(share_raw(s.counts.rate)) { (share_shown(s.counts.rate)) }
                        }
                    }
                    @let c = &r.completeness.counts;
                    tr {
                        th scope="row" { (scope_kind_pl(r.scope.kind())) }
                        td { (c.expected) } td { (c.received) } td { (c.on_time) } td { (c.approved) }
                        td data-figure="completeness" data-scope=(code) data-value=(share_raw(c.rate)) { strong { (share_shown(c.rate)) } }
                    }
                }
            } }
        }
    }
}

/// An OWES's reports as they stand now: status, revision, last change, the reason of a return.
fn owes_reports(reports: &[Report]) -> Markup {
    html! {
        section aria-labelledby="reports" {
            h2 id="reports" { "Sprawozdania OWES (stan obecny)" }
            @if reports.is_empty() { p { "Brak sprawozdań w tym oknie." } }
            @else {
                div.table-scroll { table.figures.reports {
                    thead { tr { th scope="col" { "Kwartał" } th scope="col" { "Stan" } th scope="col" { "Wersja" } th scope="col" { "Ostatnia zmiana" } th scope="col" { "Kto" } th scope="col" { "Powód zwrotu" } } }
                    tbody {
                        @for rep in reports {
                            tr data-report=(rep.period) data-status=(rep.status.as_str()) {
                                th scope="row" { a href=(format!("/owes/{}/reports/{}", rep.unit, rep.period)) { (rep.period) } }
                                td { (format::report_status(rep.status)) }
                                td { (rep.revision) }
                                td { (format::moment(&rep.updated_at)) }
                                td { (rep.updated_by) }
                                td { (rep.return_reason.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn lpres(p: &ScopePage<'_>) -> Markup {
    let r = p.rollup;
    let code = r.scope.code();
    let gminas: Vec<MapGmina> = r
        .lpres
        .by_gmina
        .iter()
        .filter_map(|g| {
            let teryt = g.teryt.as_str();
            let geometry = p.boundaries.get(teryt)?.clone();
            Some(MapGmina {
                teryt: teryt.to_owned(),
                name: p.names.unit("gmina", teryt),
                title: gmina_title(p.names, g),
                href: format!("/gminas/{teryt}"),
                geometry,
                status_class: format::lpres_class(g.status, g.reported),
                status: g.status.as_str(),
            })
        })
        .collect();
    html! {
        section aria-labelledby="lpres" {
            h2 id="lpres" { "Lokalne plany rozwoju ekonomii społecznej (LPRES)" }
            div.table-scroll { table.figures {
                thead { tr { th scope="col" { "Zakres" } th scope="col" { "Gminy" } th scope="col" { "Z przyjętym LPRES" } } }
                tbody {
                    @for s in r.lpres.by_subregion.iter().flatten() {
                        tr {
                            th scope="row" { (p.names.unit("subregion", s.subregion.as_str())) }
                            td { (s.gminas) }
                            td data-figure="lpres_adopted" data-scope=(s.subregion.as_str()) data-value=(s.adopted) { (s.adopted) }
                        }
                    }
                    tr {
                        // An OWES's gmina figures are its subregion's, the area it serves.
                        th scope="row" { @if r.scope.kind() == ScopeKind::Owes { "Subregion tego OWES" } @else { (scope_kind_pl(r.scope.kind())) } }
                        td { (r.lpres.gminas) }
                        td data-figure="lpres_adopted" data-scope=(code) data-value=(r.lpres.adopted) { strong { (r.lpres.adopted) } }
                    }
                }
            } }
            p.hint { "Mapa pokazuje status LPRES każdej gminy na moment „stan na”; najedź lub przejdź klawiszem Tab, by zobaczyć nazwę, status i uchwałę; kliknij, by otworzyć stronę gminy." }
            (gmina_map(&gminas))
            ul.legend {
                li { span.swatch.adopted {} "przyjęty" }
                li { span.swatch.in_preparation {} "w przygotowaniu lub projekt" }
                li { span.swatch.repealed {} "uchylony" }
                li { span.swatch.none {} "brak" }
                li { span.swatch.unknown {} "nie zgłoszono" }
            }
            details {
                summary { "Tabela gmin (" (r.lpres.by_gmina.len()) ")" }
                div.table-scroll { table.figures.gminas {
                    thead { tr { th scope="col" { "Gmina" } th scope="col" { "Status" } th scope="col" { "Uchwała" } th scope="col" { "Przyjęty" } th scope="col" { "Lata planu" } } }
                    tbody {
                        @for g in &r.lpres.by_gmina {
                            tr data-teryt=(g.teryt.as_str()) data-status=(g.status.as_str()) {
                                th scope="row" { a href=(format!("/gminas/{}", g.teryt)) { (p.names.unit("gmina", g.teryt.as_str())) } }
                                td { @if g.reported { (format::lpres_status(g.status)) } @else { "nie zgłoszono" } }
                                td { (g.resolution_number.as_deref().unwrap_or("")) }
                                td { (g.adopted_on.map(format::date).unwrap_or_default()) }
                                td { (plan_years(g.plan_from, g.plan_to)) }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn plan_years(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f}–{t}"),
        (Some(f), None) => format!("od {f}"),
        (None, Some(t)) => format!("do {t}"),
        (None, None) => String::new(),
    }
}

/// What hovering a gmina says: "Kluczbork — przyjęty, uchwała XLV/512/2023 z 26.10.2023, plan 2023–2028".
fn gmina_title(names: &Names, g: &rops_aggregation::rollup::GminaLpresAsOf) -> String {
    let mut title = format!(
        "{} — {}",
        names.unit("gmina", g.teryt.as_str()),
        if g.reported {
            format::lpres_status(g.status)
        } else {
            "nie zgłoszono"
        }
    );
    if let Some(n) = &g.resolution_number {
        title.push_str(&format!(", uchwała {n}"));
        if let Some(d) = g.adopted_on {
            title.push_str(&format!(" z {}", format::date(d)));
        }
    }
    let years = plan_years(g.plan_from, g.plan_to);
    if !years.is_empty() {
        title.push_str(&format!(", plan {years}"));
    }
    title
}

/// A small line of an indicator's value in each quarter of the window (the scope's), each
/// point with its quarter and JSON value; the table's cell beside it says the same in words.
fn sparkline(
    code: &str,
    scope: &str,
    name: &str,
    series: &crate::routes::rollups::Series,
) -> Markup {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let points: Vec<(Quarter, Option<rops_aggregation::rollup::Figure>)> = series
        .iter()
        .map(|(q, r)| {
            let value = r
                .figures()
                .indicators
                .iter()
                .find(|i| i.code.as_str() == code)
                .map(|i| i.value);
            (*q, value)
        })
        .collect();
    let values: Vec<f64> = points
        .iter()
        .filter_map(|(_, f)| f.and_then(|f| f.value()))
        .collect();
    let (low, high) = match values.is_empty() {
        true => (0.0, 0.0),
        false => values
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v))),
    };
    let span = if high > low { high - low } else { 1.0 };
    let step = if points.len() > 1 {
        (W - 6.0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let at = |i: usize, v: f64| {
        (
            3.0 + step * i as f64,
            H - 3.0 - (v - low) / span * (H - 6.0),
        )
    };
    let mut line = String::new();
    let mut pen_down = false;
    for (i, (_, f)) in points.iter().enumerate() {
        match f.and_then(|f| f.value()) {
            Some(v) => {
                let (x, y) = at(i, v);
                line.push_str(&format!(
                    "{}{x:.1} {y:.1}",
                    if pen_down { " L" } else { " M" }
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    html! {
        svg.sparkline viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) role="img"
            aria-label=(format!("{name}: wartości w kolejnych kwartałach okna"))
            data-trend=(code) data-scope=(scope) {
            @if !line.is_empty() { path d=(line.trim()) {} }
            @for (i, (q, f)) in points.iter().enumerate() {
                @let value = f.and_then(|f| f.value());
                @let (x, y) = at(i, value.unwrap_or(low));
                circle class=(if value.is_some() { "point" } else { "point gap" })
                    cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(if value.is_some() { "2" } else { "0" })
                    data-period=(q.to_string()) data-value=(f.as_ref().map(raw).unwrap_or_default()) {
                    title { (q.to_string()) ": " (f.as_ref().map(shown).unwrap_or_else(|| "—".to_owned())) }
                }
            }
        }
    }
}

/// A number for an attribute (progress bars): plain, with a dot.
pub fn fmt_f(v: f64) -> String {
    if v.is_finite() {
        format!("{}", rops_domain::number::rounded(v.max(0.0)))
    } else {
        "0".to_owned()
    }
}

/// The window form of a page at `action`: a year, or quarters from–to; the moment (a
/// date-time picker, UTC); approved reports only.
pub fn window_form(action: &str, f: &WindowForm) -> Markup {
    html! {
        form.window method="get" action=(action) {
            fieldset {
                legend { "Okno i stan danych" }
                label for="year" { "Rok" }
                input type="number" id="year" name="year" min="2000" max="2100" value=(f.year);
                span.or { "albo kwartały" }
                label for="from" { "Od" }
                input type="text" id="from" name="from" placeholder="2025-Q1" pattern="[0-9]{4}-Q[1-4]" value=(f.from);
                label for="to" { "Do" }
                input type="text" id="to" name="to" placeholder="2025-Q4" pattern="[0-9]{4}-Q[1-4]" value=(f.to);
                label for="as_of" { "Stan na (UTC)" }
                input type="datetime-local" id="as_of" name="as_of" step="1" value=(f.as_of);
                label.inline for="approved_only" {
                    input type="checkbox" id="approved_only" name="approved_only" value="true" checked[f.approved_only];
                    " tylko zatwierdzone"
                }
                button type="submit" { "Pokaż" }
            }
        }
    }
}
