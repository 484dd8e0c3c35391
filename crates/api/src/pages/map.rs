//! A region's gminas as an inline SVG map, for pages: one link per gmina, coloured by a CSS
//! class (the page's Content-Security-Policy forbids inline styles and scripts, so the SVG has
//! neither). Pure: geometry in, markup out.
//!
//! Projection: equirectangular, longitude scaled by the cosine of the region's middle
//! latitude (shapes are true to within a few per cent over a region's extent), y pointing
//! down, fitted to a viewBox [`WIDTH`] units wide. Coordinates are rounded to 0.1 unit (for
//! opolskie about 20 m, finer than the 50 m the PRG file was simplified to) and written as
//! relative steps between rounded points, so rounding errors do not add up and the sample
//! region renders in well under 150 KB.

use maud::{html, Markup};
use rops_store::boundaries::{Geometry, Position};
use std::fmt::Write as _;

/// The width of the viewBox; the height follows the region's shape.
pub const WIDTH: f64 = 1000.0;

/// The attribution PRG data needs wherever a map of it is shown.
pub const ATTRIBUTION: &str = "Granice gmin: PRG, GUGiK";

/// One gmina on the map.
pub struct MapGmina {
    pub teryt: String,
    pub name: String,
    pub geometry: Geometry,
    /// The CSS class that colours it: `adopted`, `in_preparation`, `repealed`, `none` or
    /// `unknown` (rules in `rops.css`).
    pub status_class: &'static str,
    /// Its status code, for machines (`data-status`).
    pub status: &'static str,
    /// What hovering or focusing shows, e.g. "Kluczbork — przyjęty, uchwała XLV/512/2023".
    pub title: String,
    /// Where the gmina's link leads.
    pub href: String,
}

/// Longitude/latitude to viewBox units in tenths (integers), fitted to the gminas' extent.
struct Projection {
    west: f64,
    north: f64,
    /// Tenths of a unit per degree of latitude.
    scale: f64,
    /// cos(middle latitude): a degree of longitude is that much shorter.
    shrink: f64,
}

impl Projection {
    fn fit<'a>(positions: impl Iterator<Item = &'a Position>) -> Option<(Self, i64)> {
        let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for [lon, lat] in positions {
            west = west.min(*lon);
            east = east.max(*lon);
            south = south.min(*lat);
            north = north.max(*lat);
        }
        if west > east {
            return None;
        }
        let shrink = ((south + north) / 2.0).to_radians().cos();
        let span = (east - west) * shrink;
        // A degenerate extent (one point, or a north–south line) still gets a finite scale.
        let scale = if span > 0.0 { WIDTH * 10.0 / span } else { 1.0 };
        let projection = Self {
            west,
            north,
            scale,
            shrink,
        };
        let height = projection.project(&[west, south]).1;
        Some((projection, height))
    }

    fn project(&self, [lon, lat]: &Position) -> (i64, i64) {
        // Rounded to whole tenths; the values are bounded by the viewBox, so `as` cannot wrap.
        let x = ((lon - self.west) * self.shrink * self.scale).round() as i64;
        let y = ((self.north - lat) * self.scale).round() as i64;
        (x, y)
    }
}

/// Tenths of a unit as the shortest decimal: 12 → `1.2`, -3 → `-.3`, 40 → `4`.
fn push_tenths(out: &mut String, tenths: i64) {
    if tenths < 0 {
        out.push('-');
    }
    let (whole, frac) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    // Writing to a String cannot fail.
    let _ = match (whole, frac) {
        (w, 0) => write!(out, "{w}"),
        (0, f) => write!(out, ".{f}"),
        (w, f) => write!(out, "{w}.{f}"),
    };
}

/// A pair of numbers, separated as briefly as SVG path syntax allows (a minus sign separates).
fn push_pair(out: &mut String, (x, y): (i64, i64)) {
    push_tenths(out, x);
    if y >= 0 {
        out.push(' ');
    }
    push_tenths(out, y);
}

/// The path data of one geometry: each ring an absolute move, relative lines, and a close.
fn path_data(geometry: &Geometry, projection: &Projection) -> String {
    let mut d = String::new();
    for rings in geometry.polygons() {
        for ring in rings {
            // The last position repeats the first; `z` draws that edge.
            let points = ring.split_last().map_or(&ring[..], |(_, rest)| rest);
            let mut at: Option<(i64, i64)> = None;
            for position in points {
                let p = projection.project(position);
                match at {
                    None => {
                        d.push('M');
                        push_pair(&mut d, p);
                        d.push('l');
                    }
                    Some(prev) if prev == p => continue,
                    Some(prev) => {
                        if !d.ends_with('l') && p.0 >= prev.0 {
                            d.push(' ');
                        }
                        push_pair(&mut d, (p.0 - prev.0, p.1 - prev.1));
                    }
                }
                at = Some(p);
            }
            if d.ends_with('l') {
                d.pop();
            }
            if at.is_some() {
                d.push('z');
            }
        }
    }
    d
}

/// The map of `gminas`: an inline SVG fitted to their extent, one focusable link per gmina
/// with its title, and the PRG attribution. Without any boundary, a sentence saying so.
pub fn gmina_map(gminas: &[MapGmina]) -> Markup {
    let Some((projection, height)) =
        Projection::fit(gminas.iter().flat_map(|g| g.geometry.positions()))
    else {
        return html! { p.hint { "Brak granic gmin do pokazania na mapie." } };
    };
    let mut view_box = String::from("0 0 ");
    push_tenths(&mut view_box, (WIDTH * 10.0) as i64);
    view_box.push(' ');
    push_tenths(&mut view_box, height);
    let label = format!("Mapa gmin ({}): kolor oznacza stan LPRES", gminas.len());
    html! {
        figure.gmina-map {
            // A group, not an image: an image's links would be hidden from screen readers.
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(view_box) role="group" aria-label=(label) {
                @for g in gminas {
                    a href=(g.href) {
                        title { (g.title) }
                        path d=(path_data(&g.geometry, &projection)) class=(g.status_class) data-teryt=(g.teryt) data-status=(g.status) {}
                    }
                }
            }
            figcaption { (ATTRIBUTION) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rops_store::boundaries::{parse, SAMPLE_BOUNDARIES};

    fn sample() -> Vec<MapGmina> {
        parse(SAMPLE_BOUNDARIES)
            .unwrap()
            .into_iter()
            .map(|b| MapGmina {
                name: format!("gmina {}", b.teryt),
                title: format!("{} — przyjęty", b.teryt),
                href: format!("/gminas/{}", b.teryt),
                teryt: b.teryt,
                geometry: b.geometry,
                status_class: "adopted",
                status: "adopted",
            })
            .collect()
    }

    fn attribute<'a>(tag: &'a str, name: &str) -> &'a str {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let len = tag[start..].find('"').unwrap();
        &tag[start..start + len]
    }

    /// Every point a path visits, in viewBox units.
    fn points(d: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let (mut x, mut y) = (0.0, 0.0);
        let mut relative = false;
        let mut numbers = Vec::new();
        let mut number = String::new();
        let flush = |number: &mut String, numbers: &mut Vec<f64>| {
            if !number.is_empty() {
                numbers.push(number.parse::<f64>().unwrap());
                number.clear();
            }
        };
        for c in d.chars().chain(std::iter::once('M')) {
            match c {
                'M' | 'l' | 'z' => {
                    flush(&mut number, &mut numbers);
                    for pair in numbers.chunks(2) {
                        if relative {
                            (x, y) = (x + pair[0], y + pair[1]);
                        } else {
                            (x, y) = (pair[0], pair[1]);
                        }
                        out.push((x, y));
                    }
                    numbers.clear();
                    relative = c == 'l';
                }
                ' ' => flush(&mut number, &mut numbers),
                '-' => {
                    flush(&mut number, &mut numbers);
                    number.push(c);
                }
                _ => number.push(c),
            }
        }
        out
    }

    #[test]
    fn the_sample_renders_71_linked_paths_within_the_view_box() {
        let gminas = sample();
        let html = gmina_map(&gminas).into_string();
        eprintln!("the sample map: {} bytes", html.len());
        assert!(html.len() < 150_000, "{} bytes", html.len());
        let svg = &html[html.find("<svg").unwrap()..];
        let svg_tag = &svg[..svg.find('>').unwrap()];
        assert!(
            svg_tag.contains(r#" role="group""#),
            "links stay visible to screen readers: {svg_tag}"
        );
        assert!(
            svg_tag.contains(r#" aria-label="Mapa gmin (71)"#),
            "{svg_tag}"
        );
        let view_box: Vec<f64> = attribute(svg_tag, "viewBox")
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(view_box[..3], [0.0, 0.0, 1000.0]);
        // Opolskie is about as tall as it is wide.
        assert!((800.0..1300.0).contains(&view_box[3]), "{view_box:?}");

        let paths: Vec<&str> = html.split("<path").skip(1).collect();
        assert_eq!(paths.len(), 71);
        assert_eq!(html.matches("<a href=\"/gminas/16").count(), 71);
        assert_eq!(html.matches(" data-status=\"adopted\"").count(), 71);
        let (mut max_x, mut max_y) = (0.0f64, 0.0f64);
        for path in &paths {
            let d = attribute(path, "d");
            let teryt = attribute(path, "data-teryt");
            assert_eq!(attribute(path, "class"), "adopted");
            assert!(html.contains(&format!("<title>{teryt} — przyjęty</title><path ")));
            let points = points(d);
            assert!(points.len() > 20, "{teryt}: {d}");
            for (x, y) in points {
                assert!(
                    (-0.05..=view_box[2] + 0.05).contains(&x)
                        && (-0.05..=view_box[3] + 0.05).contains(&y),
                    "{teryt}: ({x}, {y}) outside {view_box:?}"
                );
                (max_x, max_y) = (max_x.max(x), max_y.max(y));
            }
        }
        // Fitted: the region touches the right and bottom edges.
        assert!((view_box[2] - max_x).abs() < 0.2 && (view_box[3] - max_y).abs() < 0.2);
        assert!(html.contains("<figcaption>Granice gmin: PRG, GUGiK</figcaption>"));
        assert!(!html.contains("style") && !html.contains("script"));
    }

    #[test]
    fn titles_and_links_are_escaped() {
        let mut gminas = sample();
        gminas.truncate(1);
        gminas[0].title = r#"<script>alert("x")</script> & co"#.into();
        gminas[0].href = r#"/g?a=1&b="2""#.into();
        let html = gmina_map(&gminas).into_string();
        assert!(
            html.contains(
                "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>"
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/g?a=1&amp;b=&quot;2&quot;">"#),
            "{html}"
        );
    }

    #[test]
    fn numbers_are_short() {
        let mut s = String::new();
        for t in [12, -3, 40, 0, -10, 5] {
            push_tenths(&mut s, t);
            s.push(',');
        }
        assert_eq!(s, "1.2,-.3,4,0,-1,.5,");
        let mut s = String::new();
        push_pair(&mut s, (12, -3));
        push_pair(&mut s, (-1, 4));
        assert_eq!(s, "1.2-.3-.1 .4");
    }

    #[test]
    fn no_boundaries_say_so() {
        let html = gmina_map(&[]).into_string();
        assert!(html.contains("Brak granic") && !html.contains("<svg"));
    }
}
