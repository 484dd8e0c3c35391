//! The region page: the programme's targets, the indicators by subregion, completeness, LPRES
//! with the map of the gminas, the results checklist — all read from the one rollup the API
//! returns (`rops_aggregation::rollup`), never computed a second time. Every figure carries
//! its raw JSON value (`data-figure`, `data-scope`, `data-value`) so a test, or anyone, can
//! compare the page with the JSON.

use super::map::{gmina_map, MapGmina};
use super::{page, Banner};
use crate::export::Names;
use maud::{html, Markup};
use rops_aggregation::rollup::{Figure, Rollup, TargetStatus};
use rops_domain::indicator::Unit;
use rops_domain::number::polish;
use rops_domain::period::Quarter;

/// What the window form shows, as the request gave it (kept in the URL).
#[derive(Debug, Default, Clone)]
pub struct WindowForm {
    pub year: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub approved_only: bool,
    /// The query string of this view, for the CSV and XLSX links.
    pub query: String,
}

/// The value of a figure as its JSON says it (empty for null), for `data-value`.
fn raw(figure: &Figure) -> String {
    match serde_json::to_value(figure) {
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(v) => v.to_string(),
    }
}

/// A figure for people: the Polish way, with its unit; a dash for null.
fn shown(figure: &Figure) -> String {
    match figure.value() {
        None => "—".to_owned(),
        Some(v) => match figure.unit() {
            Unit::Pln => format!("{}\u{a0}zł", polish(v, Unit::Pln)),
            unit => polish(v, unit),
        },
    }
}

/// A rate as the JSON writes it (unrounded), empty for null.
fn share_raw(rate: Option<f64>) -> String {
    rate.filter(|r| r.is_finite())
        .map(|r| serde_json::Value::from(r).to_string())
        .unwrap_or_default()
}

fn share_shown(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| polish(r, Unit::Share))
}

fn status_pl(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Achieved => "osiągnięty",
        TargetStatus::OnTrack => "zgodnie z planem",
        TargetStatus::AtRisk => "zagrożony",
        TargetStatus::Behind => "opóźniony",
    }
}

/// A number of a target (which may have decimals), the Polish way.
fn number(v: f64) -> String {
    polish(v, Unit::Count)
}

/// The whole page.
pub fn region_page(
    banner: &Banner<'_>,
    rollup: &Rollup,
    names: &Names,
    form: &WindowForm,
    map: Vec<MapGmina>,
    series: &[(Quarter, Rollup)],
) -> Markup {
    let code = rollup.scope.code().to_owned();
    let region_name = names.unit("region", &code);
    let subregions: Vec<String> = rollup
        .completeness
        .by_subregion
        .iter()
        .flatten()
        .map(|s| s.subregion.as_str().to_owned())
        .collect();
    let title = format!("Region {region_name}");
    page(
        &title,
        Some(banner),
        html! {
            h1 { (title) " (" (code) ")" }
            p.hint {
                "Okno: " strong { (rollup.from.to_string()) "–" (rollup.to.to_string()) }
                " · stan na " (as_of_pl(&rollup.as_of))
                @if rollup.approved_only { " · tylko zatwierdzone sprawozdania" }
            }
            (window_form(&code, form))
            p.downloads {
                a href=(format!("/api/v1/rollups/regions/{code}/csv?{}", form.query)) { "Pobierz CSV" }
                " · "
                a href=(format!("/api/v1/rollups/regions/{code}/xlsx?{}", form.query)) { "Pobierz XLSX" }
            }
            section aria-labelledby="targets" {
                h2 id="targets" { "Cele programu" }
                @if rollup.targets.is_empty() { p { "Brak celów programu dla tego regionu." } }
                ul.targets {
                    @for t in &rollup.targets {
                        @let unit = t.unit.as_ref().map(|u| u.as_str().to_owned()).unwrap_or_default();
                        li class=(format!("target {}", t.status.as_str()))
                            data-target=(format!("{}|{}|{}", t.indicator.as_str(), scope_kind(t.scope), unit))
                            data-status=(t.status.as_str()) {
                            span.target-name {
                                (names.indicator(t.indicator.as_str()))
                                @if !unit.is_empty() { " — " (names.unit(scope_kind(t.scope), &unit)) }
                            }
                            progress max=(fmt_f(t.target)) value=(fmt_f(t.actual.min(t.target))) {
                                (number(t.actual)) " z " (number(t.target))
                            }
                            span.target-figures {
                                "wykonanie " strong { (number(t.actual)) } " z " (number(t.target))
                                " · oczekiwane na dziś " (number(t.expected_to_date))
                                " · " span.status { (status_pl(t.status)) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="indicators" {
                h2 id="indicators" { "Wskaźniki" }
                div.table-scroll {
                    table.figures {
                        thead {
                            tr {
                                th scope="col" { "Wskaźnik" }
                                @for s in &subregions { th scope="col" { (names.unit("subregion", s)) } }
                                th scope="col" { "Region" }
                                th scope="col" { "Kwartały okna" }
                            }
                        }
                        tbody {
                            @for i in &rollup.indicators {
                                tr {
                                    th scope="row" { (names.indicator(i.code.as_str())) }
                                    @for s in &subregions {
                                        @let value = i.by_subregion.iter().flatten().find(|f| f.subregion.as_str() == s).map(|f| f.value);
                                        @match value {
                                            Some(v) => td data-figure=(i.code.as_str()) data-scope=(s) data-value=(raw(&v)) { (shown(&v)) },
                                            None => td { "" },
                                        }
                                    }
                                    td data-figure=(i.code.as_str()) data-scope=(code) data-value=(raw(&i.value)) { strong { (shown(&i.value)) } }
                                    td.trend { (sparkline(i.code.as_str(), &code, &names.indicator(i.code.as_str()), series)) }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="completeness" {
                h2 id="completeness" { "Kompletność sprawozdań OWES" }
                div.table-scroll { table.figures {
                    thead { tr { th scope="col" { "Zakres" } th scope="col" { "Oczekiwane" } th scope="col" { "Otrzymane" } th scope="col" { "W terminie" } th scope="col" { "Zatwierdzone" } th scope="col" { "Kompletność" } } }
                    tbody {
                        @for s in rollup.completeness.by_subregion.iter().flatten() {
                            tr {
                                th scope="row" { (names.unit("subregion", s.subregion.as_str())) }
                                td { (s.counts.expected) } td { (s.counts.received) } td { (s.counts.on_time) } td { (s.counts.approved) }
                                td data-figure="completeness" data-scope=(s.subregion.as_str()) data-value=(share_raw(s.counts.rate)) { (share_shown(s.counts.rate)) }
                            }
                        }
                        @let c = &rollup.completeness.counts;
                        tr {
                            th scope="row" { "Region" }
                            td { (c.expected) } td { (c.received) } td { (c.on_time) } td { (c.approved) }
                            td data-figure="completeness" data-scope=(code) data-value=(share_raw(c.rate)) { strong { (share_shown(c.rate)) } }
                        }
                    }
                } }
            }
            section aria-labelledby="lpres" {
                h2 id="lpres" { "Lokalne plany rozwoju ekonomii społecznej (LPRES)" }
                div.table-scroll { table.figures {
                    thead { tr { th scope="col" { "Zakres" } th scope="col" { "Gminy" } th scope="col" { "Z przyjętym LPRES" } } }
                    tbody {
                        @for s in rollup.lpres.by_subregion.iter().flatten() {
                            tr {
                                th scope="row" { (names.unit("subregion", s.subregion.as_str())) }
                                td { (s.gminas) }
                                td data-figure="lpres_adopted" data-scope=(s.subregion.as_str()) data-value=(s.adopted) { (s.adopted) }
                            }
                        }
                        tr {
                            th scope="row" { "Region" }
                            td { (rollup.lpres.gminas) }
                            td data-figure="lpres_adopted" data-scope=(code) data-value=(rollup.lpres.adopted) { strong { (rollup.lpres.adopted) } }
                        }
                    }
                } }
                p.hint { "Mapa pokazuje obecny status LPRES każdej gminy; najedź lub przejdź klawiszem Tab, by zobaczyć nazwę, status i uchwałę." }
                (gmina_map(&map))
                ul.legend {
                    li { span.swatch.adopted {} "przyjęty" }
                    li { span.swatch.in_preparation {} "w przygotowaniu" }
                    li { span.swatch.none {} "brak" }
                    li { span.swatch.unknown {} "nie zgłoszono" }
                }
            }
            section aria-labelledby="results" {
                h2 id="results" { "Rezultaty gmin (lista kontrolna A1–D7)" }
                div.table-scroll { table.figures {
                    thead { tr { th scope="col" { "Kod" } th scope="col" { "Rezultat" } th scope="col" { "Gminy" } } }
                    tbody {
                        @for r in &rollup.results {
                            tr {
                                th scope="row" { (r.code.as_str()) }
                                td { (names.result(r.code.as_str())) }
                                td data-figure=(format!("result_{}", r.code.as_str())) data-scope=(code) data-value=(r.gminas) { (r.gminas) }
                            }
                        }
                    }
                } }
            }
        },
    )
}

/// A small line of an indicator's value in each quarter of the window (the region's), each
/// point with its quarter and JSON value; the table's cell beside it says the same in words.
fn sparkline(code: &str, scope: &str, name: &str, series: &[(Quarter, Rollup)]) -> Markup {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let points: Vec<(Quarter, Option<Figure>)> = series
        .iter()
        .map(|(q, r)| {
            let value = r
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

fn scope_kind(kind: rops_aggregation::rollup::ScopeKind) -> &'static str {
    use rops_aggregation::rollup::ScopeKind as K;
    match kind {
        K::Region => "region",
        K::Subregion => "subregion",
        K::Owes => "owes",
    }
}

/// A number for an attribute (progress bars): plain, with a dot.
fn fmt_f(v: f64) -> String {
    if v.is_finite() {
        format!("{}", rops_domain::number::rounded(v.max(0.0)))
    } else {
        "0".to_owned()
    }
}

/// `2025-05-14T08:30:00.000000Z` as people read it in Poland: `14.05.2025 08:30 UTC`.
fn as_of_pl(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.format("%d.%m.%Y %H:%M UTC").to_string())
        .unwrap_or_else(|_| stamp.to_owned())
}

fn window_form(code: &str, f: &WindowForm) -> Markup {
    html! {
        form.window method="get" action=(format!("/regions/{code}")) {
            fieldset {
                legend { "Okno i stan danych" }
                label for="year" { "Rok" }
                input type="number" id="year" name="year" min="2000" max="2100" value=(f.year);
                span.or { "albo kwartały" }
                label for="from" { "Od" }
                input type="text" id="from" name="from" placeholder="2025-Q1" pattern="[0-9]{4}-Q[1-4]" value=(f.from);
                label for="to" { "Do" }
                input type="text" id="to" name="to" placeholder="2025-Q4" pattern="[0-9]{4}-Q[1-4]" value=(f.to);
                label for="as_of" { "Stan na (UTC, RFC 3339)" }
                input type="text" id="as_of" name="as_of" placeholder="2025-05-14T12:00:00Z" value=(f.as_of);
                label.inline for="approved_only" {
                    input type="checkbox" id="approved_only" name="approved_only" value="true" checked[f.approved_only];
                    " tylko zatwierdzone"
                }
                button type="submit" { "Pokaż" }
            }
        }
    }
}
