//! The national data set, generated deterministically from a seed: reference files per region
//! and the writes that load the history through the API.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Poland's voivodeships: TERYT code, name, gminas (2023), OWES (100 in all).
pub const REGIONS: [(&str, &str, usize, usize); 16] = [
    ("02", "dolnośląskie", 169, 7),
    ("04", "kujawsko-pomorskie", 144, 6),
    ("06", "lubelskie", 213, 7),
    ("08", "lubuskie", 82, 6),
    ("10", "łódzkie", 177, 6),
    ("12", "małopolskie", 182, 7),
    ("14", "mazowieckie", 314, 7),
    ("16", "opolskie", 71, 5),
    ("18", "podkarpackie", 160, 6),
    ("20", "podlaskie", 118, 6),
    ("22", "pomorskie", 123, 6),
    ("24", "śląskie", 167, 7),
    ("26", "świętokrzyskie", 102, 5),
    ("28", "warmińsko-mazurskie", 116, 6),
    ("30", "wielkopolskie", 226, 7),
    ("32", "zachodniopomorskie", 113, 6),
];

/// The largest region, whose rollups are measured.
pub const LARGEST: &str = "14";
/// The years of the base history.
pub const YEARS: std::ops::RangeInclusive<i32> = 2019..=2025;

pub struct Region {
    pub code: String,
    pub gminas: Vec<String>,
    pub subregions: Vec<String>,
    pub owes: Vec<String>,
    pub reference: Value,
}

pub struct National {
    pub regions: Vec<Region>,
    pub seed: u64,
}

/// One request of the load.
#[derive(Debug, Clone)]
pub struct Write {
    pub method: &'static str,
    pub path: String,
    /// Which token: `owes:CODE`, `gmina:TERYT`, `analyst`.
    pub who: String,
    pub body: Option<Value>,
}

/// Requests that must run in order (a report's save, submit, approval); jobs run concurrently.
pub type Job = Vec<Write>;

impl National {
    pub fn generate(seed: u64) -> Self {
        let sample: Value =
            serde_json::from_str(rops_store::reference::SAMPLE_REGION).expect("the sample parses");
        let regions = REGIONS
            .iter()
            .enumerate()
            .map(|(i, (code, name, gminas, owes))| {
                region(&sample, i == 0, code, name, *gminas, *owes)
            })
            .collect();
        Self { regions, seed }
    }

    pub fn gmina_count(&self) -> usize {
        self.regions.iter().map(|r| r.gminas.len()).sum()
    }

    pub fn owes_count(&self) -> usize {
        self.regions.iter().map(|r| r.owes.len()).sum()
    }

    pub fn largest(&self) -> &Region {
        self.regions
            .iter()
            .find(|r| r.code == LARGEST)
            .expect("the largest region is generated")
    }

    /// The reports of `years` of `regions` (OWES quarters, gmina years), 1–3 revisions each.
    pub fn reports(&self, catalogue: &Catalogue, regions: &[&Region], years: &[i32]) -> Vec<Job> {
        let mut rng = StdRng::seed_from_u64(self.seed ^ years.first().copied().unwrap_or(0) as u64);
        let mut jobs = Vec::new();
        for r in regions {
            for &y in years {
                for o in &r.owes {
                    for q in 1..=4 {
                        let path = format!("/api/v1/owes/{o}/reports/{y}-Q{q}");
                        jobs.push(report(
                            &mut rng,
                            &path,
                            &format!("owes:{o}"),
                            &catalogue.owes,
                        ));
                    }
                }
                for g in &r.gminas {
                    let path = format!("/api/v1/gminas/{g}/reports/{y}");
                    jobs.push(report(
                        &mut rng,
                        &path,
                        &format!("gmina:{g}"),
                        &catalogue.gmina,
                    ));
                }
            }
        }
        jobs
    }

    /// Each gmina's LPRES history (1–3 statuses) and 10 events per region and quarter.
    pub fn lpres_and_events(&self, event_types: &[String]) -> Vec<Job> {
        let mut rng = StdRng::seed_from_u64(self.seed.wrapping_add(7));
        let mut jobs = Vec::new();
        for r in &self.regions {
            for g in &r.gminas {
                let path = format!("/api/v1/gminas/{g}/lpres");
                let who = format!("gmina:{g}");
                let mut job = vec![Write {
                    method: "PUT",
                    path: path.clone(),
                    who: who.clone(),
                    body: Some(json!({"status": "in_preparation"})),
                }];
                for _ in 0..rng.random_range(0..=2) {
                    let year = rng.random_range(2019..=2025);
                    job.push(Write {
                        method: "PUT",
                        path: path.clone(),
                        who: who.clone(),
                        body: Some(json!({
                            "status": "adopted",
                            "resolution_number": format!("X/{}/{year}", rng.random_range(1..500)),
                            "adopted_on": format!("{year}-{:02}-15", rng.random_range(1..=12)),
                            "plan_from": year,
                            "plan_to": year + rng.random_range(3..=7),
                        })),
                    });
                }
                jobs.push(job);
            }
            for y in YEARS {
                for q in 1..=4u32 {
                    for _ in 0..10 {
                        let sub = (rng.random_range(0..5) < 4)
                            .then(|| r.subregions[rng.random_range(0..r.subregions.len())].clone());
                        jobs.push(vec![Write {
                            method: "POST",
                            path: format!("/api/v1/regions/{}/events", r.code),
                            who: "analyst".into(),
                            body: Some(json!({
                                "type": event_types[rng.random_range(0..event_types.len())],
                                "date": format!("{y}-{:02}-{:02}", (q - 1) * 3 + rng.random_range(1..=3), rng.random_range(1..=28)),
                                "subregion": sub,
                                "title": "Spotkanie sieciujące",
                                "participants": rng.random_range(5..80),
                            })),
                        }]);
                    }
                }
            }
        }
        jobs
    }
}

/// The indicators a report of each stream carries (not ratios), with their units and bounds.
#[derive(Debug, Default, Clone)]
pub struct Catalogue {
    pub owes: Vec<Indicator>,
    pub gmina: Vec<Indicator>,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub code: String,
    pub money: bool,
    pub at_most: Option<String>,
}

impl Catalogue {
    pub fn of(indicators: &Value) -> Self {
        let mut c = Self::default();
        let all = indicators["indicators"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // A ratio's numerator never exceeds its denominator.
        let bounded: HashMap<&str, &str> = all
            .iter()
            .filter_map(|i| Some((i["numerator"].as_str()?, i["denominator"].as_str()?)))
            .collect();
        for i in &all {
            if i["kind"] == "ratio" {
                continue;
            }
            let code = i["code"].as_str().unwrap_or_default();
            let one = Indicator {
                code: code.to_owned(),
                money: i["unit"] == "pln",
                at_most: i["at_most"]
                    .as_str()
                    .or_else(|| bounded.get(code).copied())
                    .map(str::to_owned),
            };
            match i["stream"].as_str() {
                Some("owes") => c.owes.push(one),
                Some("gmina") => c.gmina.push(one),
                _ => {}
            }
        }
        c
    }
}

fn report(rng: &mut StdRng, path: &str, who: &str, indicators: &[Indicator]) -> Job {
    let mut values = serde_json::Map::new();
    for i in indicators {
        let v = if i.money {
            json!(rng.random_range(0..5_000_000) as f64 / 100.0)
        } else {
            json!(rng.random_range(0..40))
        };
        values.insert(i.code.clone(), v);
    }
    // A value bounded by another is at most that one.
    for i in indicators {
        if let Some(bound) = i.at_most.as_ref().and_then(|b| values.get(b).cloned()) {
            let own = values[&i.code].as_f64().unwrap_or(0.0);
            if own > bound.as_f64().unwrap_or(0.0) {
                values.insert(i.code.clone(), bound);
            }
        }
    }
    let mut job = vec![Write {
        method: "PUT",
        path: path.to_owned(),
        who: who.to_owned(),
        body: Some(json!({ "values": values })),
    }];
    if rng.random_range(0..10) < 7 {
        job.push(Write {
            method: "POST",
            path: format!("{path}/submit"),
            who: who.to_owned(),
            body: None,
        });
        if rng.random_range(0..10) < 6 {
            job.push(Write {
                method: "POST",
                path: format!("{path}/approve"),
                who: "analyst".into(),
                body: None,
            });
        }
    }
    job
}

/// One region's reference file: the sample's catalogue (first file only) and programme,
/// generated territory.
fn region(
    sample: &Value,
    with_catalogue: bool,
    code: &str,
    name: &str,
    gminas: usize,
    owes: usize,
) -> Region {
    let powiat_count = gminas.div_ceil(8);
    let powiats: Vec<String> = (1..=powiat_count)
        .map(|p| format!("{code}{p:02}"))
        .collect();
    let mut per_powiat = vec![0usize; powiat_count];
    let gmina_rows: Vec<Value> = (0..gminas)
        .map(|i| {
            let p = i % powiat_count;
            per_powiat[p] += 1;
            json!({"teryt": format!("{}{:02}2", powiats[p], per_powiat[p]), "name": format!("Gmina {code}-{i}"),
                   "kind": "rural", "powiat": powiats[p]})
        })
        .collect();
    let subregions: Vec<String> = ["A", "B", "C", "D"]
        .map(|s| format!("R{code}-{s}"))
        .to_vec();
    let owes_codes: Vec<String> = (1..=owes).map(|k| format!("OWES-{code}-{k}")).collect();
    let mut targets = sample["region"]["programmes"][0]["targets"].clone();
    if let Some(list) = targets.as_array_mut() {
        list.retain(|t| t["scope"] != "owes");
    }
    let mut reference = json!({
        "format": sample["format"],
        "region": {
            "code": code,
            "name": name,
            "powiats": powiats.iter().map(|p| json!({"code": p, "name": format!("powiat {p}"), "kind": "powiat"})).collect::<Vec<_>>(),
            "gminas": gmina_rows,
            "subregions": subregions.iter().enumerate().map(|(i, s)| json!({
                "code": s, "name": format!("Subregion {s}"),
                "powiats": powiats.iter().skip(i).step_by(4).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "owes": owes_codes.iter().enumerate().map(|(k, o)| json!({
                "code": o, "name": format!("OWES {o}"), "subregion": subregions[k % 4], "active_from": "1990-Q1",
            })).collect::<Vec<_>>(),
            "programmes": [{
                "code": format!("R{code}-2024-2027"),
                "name": format!("Program {name} 2024–2027"),
                "from": "2024-Q1", "to": "2027-Q4",
                "targets": targets,
            }],
        }
    });
    if with_catalogue {
        for key in ["indicators", "result_groups", "event_types"] {
            reference[key] = sample[key].clone();
        }
    }
    Region {
        code: code.to_owned(),
        gminas: gmina_rows_teryts(&reference),
        subregions,
        owes: owes_codes,
        reference,
    }
}

fn gmina_rows_teryts(reference: &Value) -> Vec<String> {
    reference["region"]["gminas"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["teryt"].as_str().map(str::to_owned))
        .collect()
}
