//! One indicator over time (`/regions/{code}/indicators/{indicator}`): its value in each quarter
//! of the window, for each subregion and the region, as a line chart (SVG drawn here) and as a
//! table, which is the chart's text alternative. Each quarter's values are the rollup of that
//! quarter alone, as the API answers for `from=Q&to=Q`.

use super::format::{self, raw, shown};
use super::scope::{window_form, WindowForm};
use super::{page, Banner};
use crate::export::Names;
use maud::{html, Markup};
use rops_aggregation::rollup::{Figure, Rollup};
use rops_domain::period::Quarter;

pub struct ComparePage<'a> {
    pub banner: &'a Banner<'a>,
    pub region: &'a str,
    pub indicator: &'a str,
    pub names: &'a Names,
    pub form: &'a WindowForm,
    /// The whole window's rollup (for the list of subregions and the window).
    pub whole: &'a Rollup,
    pub series: &'a crate::routes::rollups::Series,
}

/// One line of the chart: a subregion or the region, its value in each quarter.
struct Line {
    scope: String,
    label: String,
    points: Vec<(Quarter, Figure)>,
}

fn lines(p: &ComparePage<'_>) -> Vec<Line> {
    let of = |r: &Rollup| {
        r.indicators
            .iter()
            .find(|i| i.code.as_str() == p.indicator)
            .cloned()
    };
    let subregions: Vec<String> = p
        .whole
        .completeness
        .by_subregion
        .iter()
        .flatten()
        .map(|s| s.subregion.to_string())
        .collect();
    let mut out: Vec<Line> = subregions
        .iter()
        .map(|s| Line {
            scope: s.clone(),
            label: p.names.unit("subregion", s),
            points: p
                .series
                .iter()
                .filter_map(|(q, r)| {
                    let f = of(r.figures())?;
                    let value = f
                        .by_subregion
                        .iter()
                        .flatten()
                        .find(|b| b.subregion.as_str() == s)
                        .map_or(Figure::whole(f.unit, None), |b| b.value);
                    Some((*q, value))
                })
                .collect(),
        })
        .collect();
    out.push(Line {
        scope: p.region.to_owned(),
        label: "Region".to_owned(),
        points: p
            .series
            .iter()
            .filter_map(|(q, r)| Some((*q, of(r.figures())?.value)))
            .collect(),
    });
    out
}

pub fn compare_page(p: &ComparePage<'_>) -> Markup {
    let name = p.names.indicator(p.indicator);
    let lines = lines(p);
    let quarters: Vec<Quarter> = p.series.iter().map(|(q, _)| *q).collect();
    let title = format!("{name} — w czasie");
    page(
        &title,
        Some(p.banner),
        html! {
            p.hint { a href=(format!("/regions/{}?{}", p.region, p.form.query)) { "← Region " (p.names.unit("region", p.region)) } }
            h1 { (name) }
            p.hint { "Wartość w każdym kwartale okna " strong { (p.whole.from.to_string()) "–" (p.whole.to.to_string()) } ", według subregionów i dla regionu · stan na " (format::moment(&p.whole.as_of)) }
            (window_form(&format!("/regions/{}/indicators/{}", p.region, p.indicator), p.form))
            (chart(&name, &quarters, &lines))
            ul.legend {
                @for (n, l) in lines.iter().enumerate() {
                    li { span class=(format!("swatch line s{}", series_class(n, lines.len()))) {} (l.label) }
                }
            }
            h2 { "Tabela" }
            div.table-scroll { table.figures {
                thead { tr {
                    th scope="col" { "Kwartał" }
                    @for l in &lines { th scope="col" { (l.label) } }
                } }
                tbody {
                    @for (i, q) in quarters.iter().enumerate() {
                        tr {
                            th scope="row" { (q.to_string()) }
                            @for l in &lines {
                                @let f = l.points.get(i).map(|(_, f)| *f);
                                @match f {
                                    Some(f) => td data-figure=(p.indicator) data-scope=(l.scope) data-period=(q.to_string()) data-value=(raw(&f)) { (shown(&f)) },
                                    None => td { "" },
                                }
                            }
                        }
                    }
                }
            } }
        },
    )
}

/// The region's line is always the dark one (`sr`); subregions take the palette in turn.
fn series_class(n: usize, count: usize) -> String {
    if n + 1 == count {
        "r".to_owned()
    } else {
        (n % 8).to_string()
    }
}

fn chart(name: &str, quarters: &[Quarter], lines: &[Line]) -> Markup {
    const W: f64 = 720.0;
    const H: f64 = 320.0;
    const LEFT: f64 = 90.0;
    const RIGHT: f64 = 40.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 40.0;
    let values: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, f)| f.value()))
        .collect();
    if values.is_empty() {
        return html! { p.notice role="status" { "Nikt nie zgłosił tego wskaźnika w tym oknie." } };
    }
    let unit = lines
        .iter()
        .flat_map(|l| l.points.iter())
        .map(|(_, f)| f.unit())
        .next()
        .unwrap_or(rops_domain::indicator::Unit::Count);
    let step = nice_step(
        values.iter().copied().fold(0.0f64, f64::max)
            - values.iter().copied().fold(0.0f64, f64::min),
        unit == rops_domain::indicator::Unit::Count,
    );
    let high = (values.iter().copied().fold(0.0f64, f64::max) / step)
        .ceil()
        .max(1.0)
        * step;
    let low = (values.iter().copied().fold(0.0f64, f64::min) / step).floor() * step;
    let span = high - low;
    let x_step = if quarters.len() > 1 {
        (W - LEFT - RIGHT) / (quarters.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| {
        LEFT + x_step * i as f64
            + if quarters.len() == 1 {
                (W - LEFT - RIGHT) / 2.0
            } else {
                0.0
            }
    };
    let y = |v: f64| TOP + (high - v) / span * (H - TOP - BOTTOM);
    let ticks: Vec<f64> = (0..)
        .map(|k| low + step * f64::from(k))
        .take_while(|t| *t <= high + step / 2.0)
        .collect();
    // Every n-th quarter is labelled so the labels never overlap.
    let label_every = quarters.len().div_ceil(10).max(1);
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {H}")) role="img"
                aria-label=(format!("{name}: wykres w kolejnych kwartałach; te same wartości są w tabeli poniżej")) {
                @for t in &ticks {
                    line.grid x1=(LEFT) x2=(W - RIGHT) y1=(format!("{:.1}", y(*t))) y2=(format!("{:.1}", y(*t))) {}
                    text.tick x=(LEFT - 6.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" { (format::number(*t, unit)) }
                }
                @for (i, q) in quarters.iter().enumerate() {
                    @if i % label_every == 0 {
                        text.tick x=(format!("{:.1}", x(i))) y=(H - BOTTOM + 18.0) text-anchor="middle" { (q.to_string()) }
                    }
                }
                @for (n, l) in lines.iter().enumerate() {
                    @let class = series_class(n, lines.len());
                    path class=(format!("line s{class}")) d=(path(&l.points, &x, &y)) {}
                    @for (i, (q, f)) in l.points.iter().enumerate() {
                        @if let Some(v) = f.value() {
                            circle class=(format!("point s{class}")) cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(v))) r="3.5"
                                data-scope=(l.scope) data-period=(q.to_string()) data-value=(raw(f)) {
                                title { (l.label) ", " (q.to_string()) ": " (shown(f)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A step between an axis's ticks that people read at a glance (1, 2 or 5 times a power of
/// ten), about a quarter of `span`; whole for counts.
fn nice_step(span: f64, whole: bool) -> f64 {
    let raw = if span > 0.0 { span / 4.0 } else { 1.0 };
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = match raw / magnitude {
        n if n <= 1.0 => 1.0,
        n if n <= 2.0 => 2.0,
        n if n <= 5.0 => 5.0,
        _ => 10.0,
    } * magnitude;
    if whole {
        step.max(1.0)
    } else {
        step
    }
}

/// A line through the points that have a value; a gap where a quarter has none.
fn path(points: &[(Quarter, Figure)], x: &dyn Fn(usize) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, (_, f)) in points.iter().enumerate() {
        match f.value() {
            Some(v) => {
                d.push_str(&format!(
                    "{}{:.1} {:.1} ",
                    if pen_down { "L" } else { "M" },
                    x(i),
                    y(v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::nice_step;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(nice_step(15.0, true), 5.0);
        assert_eq!(nice_step(3.0, true), 1.0);
        assert_eq!(nice_step(46_086_509.77, false), 20_000_000.0);
        assert_eq!(nice_step(0.4, false), 0.1);
        assert_eq!(nice_step(0.0, true), 1.0);
    }
}
