//! Gmina boundaries: reference data for maps, loaded from a region's PRG file (GeoJSON).
//!
//! A boundary file is a GeoJSON FeatureCollection with one feature per gmina:
//! `properties.teryt` names a gmina already stored (the region is loaded first, from its
//! reference file), `geometry` is a Polygon or MultiPolygon in lon/lat (WGS84, RFC 7946).
//! Geometries are stored as the importer normalises them (re-serialised from the parsed
//! coordinates), so the same file imported twice compares equal and changes nothing.
//! Refused, each problem naming the feature's index and TERYT, and nothing stored: anything
//! that is not such a collection, a gmina that does not exist or appears twice, gminas of more
//! than one region, other geometry types, positions with altitude, coordinates that are not
//! finite or lie outside lon −180…180 / lat −90…90 (projected metres, such as PRG's own
//! EPSG:2180, land there), rings that are open or have fewer than four positions.

use crate::conn::require_transaction;
use crate::schema;
use crate::views::ImportSummary;
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;
use rops_domain::reference::ReferenceProblems;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The boundaries of the sample region's gminas (opolskie; PRG, GUGiK, January 2025,
/// simplified to 50 m with shared borders kept identical).
pub const SAMPLE_BOUNDARIES: &str = include_str!("../reference/opolskie_gminy.geojson");

/// A position: longitude, then latitude (degrees, WGS84).
pub type Position = [f64; 2];
/// A closed ring: the first position repeated as the last.
pub type Ring = Vec<Position>;

/// A GeoJSON geometry as boundaries use it: one polygon (outer ring, then holes), or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "coordinates")]
pub enum Geometry {
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
}

impl Geometry {
    /// Every polygon, each as its rings (outer first).
    pub fn polygons(&self) -> Vec<&[Ring]> {
        match self {
            Self::Polygon(rings) => vec![rings.as_slice()],
            Self::MultiPolygon(polygons) => polygons.iter().map(Vec::as_slice).collect(),
        }
    }

    /// Every position of every ring.
    pub fn positions(&self) -> impl Iterator<Item = &Position> {
        self.polygons().into_iter().flat_map(|p| p.iter().flatten())
    }

    /// What makes it unusable as a boundary, if anything.
    fn problem(&self) -> Option<String> {
        let polygons = self.polygons();
        if polygons.is_empty() {
            return Some("the MultiPolygon has no polygon".to_owned());
        }
        for (i, rings) in polygons.iter().enumerate() {
            if rings.is_empty() {
                return Some(format!("polygon {i} has no ring"));
            }
            for (j, ring) in rings.iter().enumerate() {
                if ring.len() < 4 {
                    return Some(format!(
                        "polygon {i}, ring {j} has {} positions; a ring needs at least 4",
                        ring.len()
                    ));
                }
                if ring.first() != ring.last() {
                    return Some(format!(
                        "polygon {i}, ring {j} is not closed (its last position must repeat its first)"
                    ));
                }
                if let Some([lon, lat]) = ring.iter().find(|p| !plausible(p)) {
                    return Some(format!(
                        "polygon {i}, ring {j} has position [{lon}, {lat}], not longitude −180…180 and latitude −90…90 (WGS84 degrees expected)"
                    ));
                }
            }
        }
        None
    }
}

fn plausible([lon, lat]: &Position) -> bool {
    lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(lon)
        && (-90.0..=90.0).contains(lat)
}

/// One gmina's boundary, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub teryt: String,
    pub geometry: Geometry,
}

/// What an import did: the region the gminas lie in, and the rows it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryImport {
    pub region: String,
    pub summary: ImportSummary,
}

fn refused(problems: Vec<String>) -> StoreError {
    StoreError::Reference(ReferenceProblems(problems))
}

/// The feature as problems name it: its index in `features`, and its TERYT when it has one.
fn feature_name(index: usize, teryt: Option<&str>) -> String {
    match teryt {
        Some(t) => format!("features[{index}] (gmina {t})"),
        None => format!("features[{index}]"),
    }
}

/// Reads a boundary file and checks what can be checked without the database (see the
/// module); every problem is listed.
pub fn parse(text: &str) -> StoreResult<Vec<Boundary>> {
    #[derive(Deserialize)]
    struct Collection {
        #[serde(rename = "type")]
        kind: String,
        features: Vec<serde_json::Value>,
    }
    let collection: Collection = serde_json::from_str(text).map_err(|e| {
        refused(vec![format!(
            "not a GeoJSON FeatureCollection with `features`: {e}"
        )])
    })?;
    let mut problems = Vec::new();
    if collection.kind != "FeatureCollection" {
        problems.push(format!(
            "type is `{}`; expected `FeatureCollection`",
            collection.kind
        ));
    }
    if collection.features.is_empty() {
        problems.push("the collection has no feature".to_owned());
    }
    let mut boundaries = Vec::with_capacity(collection.features.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, feature) in collection.features.iter().enumerate() {
        let teryt = feature
            .pointer("/properties/teryt")
            .and_then(serde_json::Value::as_str);
        let name = feature_name(i, teryt);
        if feature.get("type").and_then(serde_json::Value::as_str) != Some("Feature") {
            problems.push(format!("{name}: type must be `Feature`"));
        }
        let Some(teryt) = teryt else {
            problems.push(format!("{name}: properties.teryt (text) is missing"));
            continue;
        };
        if let Some(first) = seen.insert(teryt.to_owned(), i) {
            problems.push(format!("{name}: gmina {teryt} is also features[{first}]"));
        }
        let geometry = match feature.get("geometry") {
            None | Some(serde_json::Value::Null) => {
                problems.push(format!("{name}: geometry is missing"));
                continue;
            }
            Some(g) => match Geometry::deserialize(g) {
                Ok(g) => g,
                Err(e) => {
                    problems.push(format!(
                        "{name}: geometry is not a Polygon or MultiPolygon of [longitude, latitude] positions: {e}"
                    ));
                    continue;
                }
            },
        };
        if let Some(p) = geometry.problem() {
            problems.push(format!("{name}: {p}"));
            continue;
        }
        boundaries.push(Boundary {
            teryt: teryt.to_owned(),
            geometry,
        });
    }
    if problems.is_empty() {
        Ok(boundaries)
    } else {
        Err(refused(problems))
    }
}

/// Stores the boundaries of one region's gminas, creating what is new and replacing what
/// differs; the same file twice changes nothing. Gminas the file leaves out keep theirs.
/// Refused, with nothing written: a TERYT that is no stored gmina, gminas of more than one
/// region (one file per region, as PRG exports are cut). All or nothing with the caller's
/// write transaction.
pub fn import(conn: &mut DbConnection, boundaries: &[Boundary]) -> StoreResult<BoundaryImport> {
    require_transaction(conn)?;
    let teryts: Vec<&str> = boundaries.iter().map(|b| b.teryt.as_str()).collect();
    let regions: HashMap<String, String> = schema::gminas::table
        .inner_join(schema::powiats::table)
        .filter(schema::gminas::teryt.eq_any(&teryts))
        .select((schema::gminas::teryt, schema::powiats::region_code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut problems = Vec::new();
    if regions.is_empty() && boundaries.len() > 1 {
        // One sentence rather than one per feature: the region itself is missing.
        problems.push(format!(
            "none of the file's {} gminas is stored (load the region's reference file first)",
            boundaries.len()
        ));
    } else {
        for (i, b) in boundaries.iter().enumerate() {
            if !regions.contains_key(&b.teryt) {
                problems.push(format!(
                    "{}: no gmina {} is stored (load the region's reference file first)",
                    feature_name(i, Some(&b.teryt)),
                    b.teryt
                ));
            }
        }
    }
    let found: BTreeSet<&str> = regions.values().map(String::as_str).collect();
    if found.len() > 1 {
        let listed: Vec<&str> = found.into_iter().collect();
        problems.push(format!(
            "the gminas lie in regions {}; a boundary file holds one region",
            listed.join(", ")
        ));
    }
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    let region = regions.into_values().next().unwrap_or_default();

    use schema::gmina_boundaries::dsl as gb;
    let stored: HashMap<String, String> = gb::gmina_boundaries
        .filter(gb::teryt.eq_any(&teryts))
        .select((gb::teryt, gb::geometry_json))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut summary = ImportSummary::default();
    for b in boundaries {
        let json = serde_json::to_string(&b.geometry)
            .map_err(|e| StoreError::Setup(format!("cannot serialise a geometry: {e}")))?;
        match stored.get(&b.teryt) {
            None => {
                diesel::insert_into(gb::gmina_boundaries)
                    .values((gb::teryt.eq(&b.teryt), gb::geometry_json.eq(&json)))
                    .execute(conn)?;
                summary.created += 1;
            }
            Some(old) if *old == json => summary.unchanged += 1,
            Some(_) => {
                diesel::update(gb::gmina_boundaries.find(&b.teryt))
                    .set(gb::geometry_json.eq(&json))
                    .execute(conn)?;
                summary.updated += 1;
            }
        }
    }
    Ok(BoundaryImport { region, summary })
}

/// The stored boundaries of a region's gminas, by TERYT; gminas without one are left out.
pub fn boundaries_of_region(
    conn: &mut DbConnection,
    region: &str,
) -> StoreResult<Vec<(String, Geometry)>> {
    use schema::gmina_boundaries::dsl as gb;
    let rows: Vec<(String, String)> = gb::gmina_boundaries
        .inner_join(schema::gminas::table.inner_join(schema::powiats::table))
        .filter(schema::powiats::region_code.eq(region))
        .order(gb::teryt)
        .select((gb::teryt, gb::geometry_json))
        .load(conn)?;
    rows.into_iter()
        .map(|(teryt, json)| {
            let geometry = serde_json::from_str(&json)
                .map_err(|e| StoreError::corrupt(format!("the boundary of gmina {teryt}"), e))?;
            Ok((teryt, geometry))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64) -> String {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{},{lat}],[{},{}],[{lon},{lat}]]]}}"#,
            lon + 0.1,
            lon + 0.1,
            lat + 0.1
        )
    }

    fn file(features: &[(&str, String)]) -> String {
        let features: Vec<String> = features
            .iter()
            .map(|(t, g)| {
                format!(r#"{{"type":"Feature","properties":{{"teryt":"{t}"}},"geometry":{g}}}"#)
            })
            .collect();
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text) {
            Err(StoreError::Reference(p)) => p.0,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_sample_parses_with_71_gminas() {
        let sample = parse(SAMPLE_BOUNDARIES).unwrap();
        assert_eq!(sample.len(), 71);
        assert!(sample.iter().all(|b| b.teryt.starts_with("16")));
        let json = serde_json::to_string(&sample[0].geometry).unwrap();
        assert!(json.starts_with(r#"{"type":"Polygon","coordinates":[[[17.45386,50.87699],"#));
    }

    #[test]
    fn problems_name_the_feature_index_and_teryt() {
        let p = problems(&file(&[
            ("1601011", square(17.0, 50.0)),
            ("1601022", square(50.0, 170.0)),
            ("1601011", square(17.0, 50.0)),
            ("1601032", r#"{"type":"Point","coordinates":[17,50]}"#.to_owned()),
            ("1601043", r#"{"type":"Polygon","coordinates":[[[17,50],[17.1,50],[17,50.1]]]}"#.to_owned()),
            ("1601053", r#"{"type":"Polygon","coordinates":[[[17,50,3],[17.1,50,3],[17,50.1,3],[17,50,3]]]}"#.to_owned()),
            ("1601063", r#"{"type":"Polygon","coordinates":[[[17,50],[17.1,50],[17,50.1],[17,50.2]]]}"#.to_owned()),
        ]));
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(
            p[0].starts_with(
                "features[1] (gmina 1601022): polygon 0, ring 0 has position [50, 170]"
            ),
            "{p:?}"
        );
        assert_eq!(
            p[1],
            "features[2] (gmina 1601011): gmina 1601011 is also features[0]"
        );
        assert!(
            p[2].starts_with(
                "features[3] (gmina 1601032): geometry is not a Polygon or MultiPolygon"
            ),
            "{p:?}"
        );
        assert!(
            p[3].contains("features[4] (gmina 1601043): polygon 0, ring 0 has 3 positions"),
            "{p:?}"
        );
        assert!(
            p[4].starts_with("features[5] (gmina 1601053): geometry is not"),
            "{p:?}"
        );
        assert!(
            p[5].ends_with("is not closed (its last position must repeat its first)"),
            "{p:?}"
        );
    }

    #[test]
    fn refuses_what_is_not_a_collection_of_features() {
        assert!(problems("[]")[0].starts_with("not a GeoJSON FeatureCollection"));
        assert_eq!(
            problems(r#"{"type":"FeatureCollection","features":[]}"#),
            ["the collection has no feature"]
        );
        let p = problems(
            r#"{"type":"GeometryCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
        );
        assert_eq!(
            p,
            [
                "type is `GeometryCollection`; expected `FeatureCollection`",
                "features[0]: properties.teryt (text) is missing"
            ]
        );
        let p = problems(&file(&[("1601011", "1e999".to_owned())]));
        assert!(p[0].starts_with("not a GeoJSON"), "{p:?}");
    }

    #[test]
    fn multipolygons_round_trip() {
        let text = r#"{"type":"MultiPolygon","coordinates":[[[[17,50],[17.1,50],[17,50.1],[17,50]]],[[[18,50],[18.1,50],[18,50.1],[18,50]]]]}"#;
        let g: Geometry = serde_json::from_str(text).unwrap();
        assert_eq!(g.polygons().len(), 2);
        assert_eq!(g.positions().count(), 8);
        assert_eq!(g.problem(), None);
        let again: Geometry = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
        assert_eq!(again, g);
    }
}
