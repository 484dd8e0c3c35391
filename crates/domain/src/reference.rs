//! The reference file: one region with its territory, subregions, OWES and programmes, and
//! optionally the catalogues. `rops-hub import-reference FILE` reads it; the sample region
//! ships in this format. The format is documented in the README ("Reference files").

use crate::code::{OwesCode, ProgrammeCode, SubregionCode};
use crate::entity::{check_entity, EntityCode, EntityInput, EntityKind, EntityOperator};
use crate::indicator::{check_catalogue, EventTypeDef, IndicatorCode, IndicatorDef, ResultGroup};
use crate::period::Quarter;
use crate::territory::{GminaKind, PowiatCode, PowiatKind, RegionCode, Teryt};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The version tag every reference file carries.
pub const FORMAT: &str = "rops-hub/reference/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    /// Always `rops-hub/reference/v1`.
    pub format: String,
    /// OWES and gmina indicators; left out, the stored catalogue stays as it is.
    #[serde(default)]
    pub indicators: Vec<IndicatorDef>,
    /// The gmina results checklist (seed 001).
    #[serde(default)]
    pub result_groups: Vec<ResultGroup>,
    /// Event types of the ROPS activity register.
    #[serde(default)]
    pub event_types: Vec<EventTypeDef>,
    pub region: RegionDef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionDef {
    pub code: RegionCode,
    pub name: String,
    pub powiats: Vec<PowiatDef>,
    pub gminas: Vec<GminaDef>,
    #[serde(default)]
    pub subregions: Vec<SubregionDef>,
    #[serde(default)]
    pub owes: Vec<OwesDef>,
    #[serde(default)]
    pub programmes: Vec<ProgrammeDef>,
    /// Reintegration entities (CIS, KIS, ZAZ, WTZ), loaded through the register, so each
    /// change is a revision.
    #[serde(default)]
    pub entities: Vec<EntityDef>,
    /// Where the entities come from, e.g. that they are illustrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowiatDef {
    pub code: PowiatCode,
    pub name: String,
    pub kind: PowiatKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GminaDef {
    pub teryt: Teryt,
    pub name: String,
    pub kind: GminaKind,
    pub powiat: PowiatCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubregionDef {
    pub code: SubregionCode,
    pub name: String,
    pub powiats: Vec<PowiatCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwesDef {
    pub code: OwesCode,
    pub name: String,
    pub subregion: SubregionCode,
    pub active_from: Quarter,
    #[serde(default)]
    pub active_to: Option<Quarter>,
}

/// A reintegration entity: the fields of `PUT /entities/{code}`, with its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityDef {
    pub code: EntityCode,
    pub kind: EntityKind,
    pub name: String,
    /// The gmina of its seat; always served.
    pub seat: Teryt,
    #[serde(default)]
    pub serves: Vec<Teryt>,
    pub operator: EntityOperator,
    pub active_from: Quarter,
    #[serde(default)]
    pub active_to: Option<Quarter>,
}

impl EntityDef {
    /// The entity as `PUT /entities/{code}` takes it, so the file obeys the register's rules.
    pub fn input(&self) -> EntityInput {
        EntityInput {
            kind: self.kind.as_str().to_owned(),
            name: self.name.clone(),
            seat: self.seat.to_string(),
            serves: self.serves.iter().map(ToString::to_string).collect(),
            operator: self.operator.as_str().to_owned(),
            active_from: self.active_from.to_string(),
            active_to: self.active_to.map(|q| q.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDef {
    pub code: ProgrammeCode,
    pub name: String,
    pub from: Quarter,
    pub to: Quarter,
    #[serde(default)]
    pub targets: Vec<TargetDef>,
}

/// A programme target (DOMAIN.md, "Programme targets").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    /// An indicator code, an event type code, or `lpres_adopted`.
    pub indicator: IndicatorCode,
    pub scope: TargetScope,
    /// With scope `owes`: the OWES the target is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owes: Option<OwesCode>,
    pub comparator: Comparator,
    pub value: f64,
    pub window: TargetWindow,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetScope {
    Region,
    EachSubregion,
    EachOwes,
    /// One named OWES.
    Owes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    AtLeast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetWindow {
    /// The programme's whole span, counted from its start.
    Programme,
    /// The calendar year.
    Annual,
}

/// `as_str`, `parse` (refusing with what is allowed) and `ALL` for an enum of text values.
macro_rules! str_enum {
    ($ty:ident, $what:literal, $allowed:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
            pub fn parse(value: &str) -> Result<Self, crate::ParseError> {
                match value {
                    $($s => Ok(Self::$variant),)+
                    _ => Err(crate::ParseError::new($what, value, $allowed)),
                }
            }
        }
    };
}

pub(crate) use str_enum;

str_enum!(TargetScope, "target scope", "region, each_subregion, each_owes or owes", {
    Region => "region", EachSubregion => "each_subregion", EachOwes => "each_owes", Owes => "owes",
});
str_enum!(Comparator, "comparator", "at_least", { AtLeast => "at_least" });
str_enum!(TargetWindow, "target window", "programme or annual", {
    Programme => "programme", Annual => "annual",
});

/// A reference file whose parts fit together, and what is wrong with it otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the reference file has {} problem(s): {}", .0.len(), .0.join("; "))]
pub struct ReferenceProblems(pub Vec<String>);

impl ReferenceFile {
    /// Checks everything that can be checked without the stored data: codes nest (gmina in
    /// its powiat, powiat in the region), a powiat lies in at most one subregion, OWES and
    /// targets point at things the file defines, and the catalogue is consistent.
    ///
    /// `known_indicators` are codes already stored (indicators and event types), so a region
    /// file may leave the catalogue out and still name indicators in its targets.
    pub fn check(&self, known_indicators: &HashSet<String>) -> Result<(), ReferenceProblems> {
        let mut p = Vec::new();
        if self.format != FORMAT {
            p.push(format!("format is `{}`; expected `{FORMAT}`", self.format));
        }
        check_catalogue(&self.indicators, &mut p);
        self.check_checklist(&mut p);
        let r = &self.region;
        let powiats: HashSet<&PowiatCode> = r.powiats.iter().map(|d| &d.code).collect();
        duplicates(r.powiats.iter().map(|d| d.code.as_str()), "powiat", &mut p);
        for d in &r.powiats {
            if d.code.region() != r.code {
                p.push(format!(
                    "powiat {} does not lie in region {}",
                    d.code, r.code
                ));
            }
        }
        duplicates(r.gminas.iter().map(|d| d.teryt.as_str()), "gmina", &mut p);
        for g in &r.gminas {
            if g.teryt.powiat() != g.powiat {
                p.push(format!(
                    "gmina {} does not lie in powiat {}",
                    g.teryt, g.powiat
                ));
            } else if !powiats.contains(&g.powiat) {
                p.push(format!(
                    "gmina {}: powiat {} is not in the file",
                    g.teryt, g.powiat
                ));
            }
            if g.teryt.kind() != g.kind {
                p.push(format!(
                    "gmina {}: kind {} disagrees with the TERYT kind digit ({})",
                    g.teryt,
                    g.kind.as_str(),
                    g.teryt.kind().as_str()
                ));
            }
        }
        duplicates(
            r.subregions.iter().map(|d| d.code.as_str()),
            "subregion",
            &mut p,
        );
        let mut owner: HashMap<&PowiatCode, &SubregionCode> = HashMap::new();
        for s in &r.subregions {
            for pc in &s.powiats {
                if !powiats.contains(pc) {
                    p.push(format!(
                        "subregion {}: powiat {pc} is not in the file",
                        s.code
                    ));
                } else if let Some(other) = owner.insert(pc, &s.code) {
                    p.push(format!(
                        "powiat {pc} is in both subregion {other} and {}",
                        s.code
                    ));
                }
            }
        }
        duplicates(r.owes.iter().map(|d| d.code.as_str()), "OWES", &mut p);
        for o in &r.owes {
            if !r.subregions.iter().any(|s| s.code == o.subregion) {
                p.push(format!(
                    "OWES {}: subregion {} is not in the file",
                    o.code, o.subregion
                ));
            }
            if o.active_to.is_some_and(|to| to < o.active_from) {
                p.push(format!("OWES {}: active_to is before active_from", o.code));
            }
        }
        self.check_entities(&mut p);
        duplicates(
            r.programmes.iter().map(|d| d.code.as_str()),
            "programme",
            &mut p,
        );
        let mut indicator_codes: HashSet<&str> =
            known_indicators.iter().map(String::as_str).collect();
        indicator_codes.extend(self.indicators.iter().map(|d| d.code.as_str()));
        indicator_codes.extend(self.event_types.iter().map(|d| d.code.as_str()));
        indicator_codes.insert(crate::indicator::LPRES_ADOPTED);
        for prog in &r.programmes {
            if prog.to < prog.from {
                p.push(format!("programme {}: `to` is before `from`", prog.code));
            }
            for (i, t) in prog.targets.iter().enumerate() {
                let at = format!("programme {} target {i} ({})", prog.code, t.indicator);
                if !indicator_codes.contains(t.indicator.as_str())
                    && crate::entity::coverage_of_measure(t.indicator.as_str()).is_none()
                {
                    p.push(format!(
                        "{at}: not an indicator, event type or lpres_adopted, nor coverage_any or coverage_<kind>"
                    ));
                }
                match (t.scope, &t.owes) {
                    (TargetScope::Owes, None) => {
                        p.push(format!("{at}: scope owes names an OWES in `owes`"))
                    }
                    (TargetScope::Owes, Some(code)) if !r.owes.iter().any(|o| &o.code == code) => {
                        p.push(format!("{at}: OWES {code} is not in the file"))
                    }
                    (
                        TargetScope::Region | TargetScope::EachSubregion | TargetScope::EachOwes,
                        Some(_),
                    ) => p.push(format!("{at}: `owes` is only for scope owes")),
                    _ => {}
                }
                if !(t.value.is_finite() && t.value >= 0.0) {
                    p.push(format!("{at}: value must be a non-negative number"));
                }
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(ReferenceProblems(p))
        }
    }

    /// Each entity obeys the register's rules, and its seat and the gminas it serves are
    /// gminas of the file.
    fn check_entities(&self, p: &mut Vec<String>) {
        let r = &self.region;
        duplicates(r.entities.iter().map(|d| d.code.as_str()), "entity", p);
        let gminas: HashSet<&Teryt> = r.gminas.iter().map(|g| &g.teryt).collect();
        for d in &r.entities {
            if let Err(errors) = check_entity(&d.input()) {
                for e in errors.into_vec() {
                    p.push(format!("entity {}: {}: {}", d.code, e.field, e.message));
                }
            }
            for t in std::iter::once(&d.seat).chain(&d.serves) {
                if !gminas.contains(t) {
                    p.push(format!("entity {}: gmina {t} is not in the file", d.code));
                }
            }
        }
    }

    fn check_checklist(&self, p: &mut Vec<String>) {
        let mut seen = HashSet::new();
        for g in &self.result_groups {
            if !seen.insert(g.code.as_str()) {
                p.push(format!("result group {} appears twice", g.code));
            }
            for item in &g.items {
                if !item.code.as_str().starts_with(g.code.as_str()) || item.code == g.code {
                    p.push(format!(
                        "result {} must be numbered within its group {}",
                        item.code, g.code
                    ));
                }
                if !seen.insert(item.code.as_str()) {
                    p.push(format!("result {} appears twice", item.code));
                }
            }
        }
        let mut types = HashSet::new();
        for e in &self.event_types {
            if !types.insert(e.code.as_str()) {
                p.push(format!("event type {} appears twice", e.code));
            }
            if self.indicators.iter().any(|d| d.code == e.code) {
                p.push(format!(
                    "event type {} has the code of an indicator",
                    e.code
                ));
            }
        }
    }
}

fn duplicates<'a>(codes: impl Iterator<Item = &'a str>, what: &str, p: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for c in codes {
        if !seen.insert(c) {
            p.push(format!("{what} {c} appears twice"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> ReferenceFile {
        serde_json::from_value(serde_json::json!({
            "format": FORMAT,
            "indicators": [
                {"code": "jobs_created", "stream": "owes", "name_pl": "x", "kind": "flow", "unit": "count"},
                {"code": "a_pln", "stream": "gmina", "name_pl": "x", "kind": "flow", "unit": "pln"},
                {"code": "b_pln", "stream": "gmina", "name_pl": "x", "kind": "flow", "unit": "pln"},
                {"code": "a_share", "stream": "gmina", "name_pl": "x", "kind": "ratio", "unit": "share",
                 "numerator": "a_pln", "denominator": "b_pln"}
            ],
            "region": {
                "code": "16", "name": "opolskie",
                "powiats": [{"code": "1604", "name": "kluczborski", "kind": "powiat"}],
                "gminas": [{"teryt": "1604023", "name": "Kluczbork", "kind": "urban-rural", "powiat": "1604"}],
                "subregions": [{"code": "OPL-PN", "name": "N", "powiats": ["1604"]}],
                "owes": [{"code": "OWES-PN", "name": "O", "subregion": "OPL-PN", "active_from": "2023-Q3"}],
                "programmes": [{"code": "OPL-2024", "name": "P", "from": "2024-Q1", "to": "2027-Q4", "targets": [
                    {"indicator": "jobs_created", "scope": "each_owes", "comparator": "at_least", "value": 40, "window": "programme"}
                ]}]
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_consistent_file_passes() {
        minimal().check(&HashSet::new()).unwrap();
    }

    #[test]
    fn a_verification_source_is_short_text() {
        let mut f = minimal();
        f.indicators[0].verification_pl = Some("Umowy o pracę".into());
        f.check(&HashSet::new()).unwrap();
        for bad in ["  ", &"x".repeat(301), "a\u{0}b"] {
            f.indicators[0].verification_pl = Some(bad.to_owned());
            let problems = f.check(&HashSet::new()).unwrap_err().to_string();
            assert!(
                problems.contains("indicators[0] (jobs_created): verification_pl"),
                "{problems}"
            );
        }
    }

    #[test]
    fn names_every_problem() {
        let mut f = minimal();
        f.region.gminas[0].powiat = PowiatCode::parse("1605").unwrap();
        f.region.gminas[0].kind = GminaKind::Rural;
        f.region.subregions.push(SubregionDef {
            code: SubregionCode::parse("OPL-X").unwrap(),
            name: "X".into(),
            powiats: vec![PowiatCode::parse("1604").unwrap()],
        });
        f.indicators[3].denominator = Some(IndicatorCode::parse("jobs_created").unwrap());
        f.region.programmes[0].targets[0].indicator =
            IndicatorCode::parse("unknown_thing").unwrap();
        let problems = f.check(&HashSet::new()).unwrap_err().0;
        let text = problems.join("\n");
        assert!(text.contains("does not lie in powiat 1605"), "{text}");
        assert!(
            text.contains("disagrees with the TERYT kind digit"),
            "{text}"
        );
        assert!(
            text.contains("powiat 1604 is in both subregion OPL-PN and OPL-X"),
            "{text}"
        );
        assert!(
            text.contains("must be a flow of the gmina stream"),
            "{text}"
        );
        assert!(
            text.contains("not an indicator, event type or lpres_adopted"),
            "{text}"
        );
    }

    #[test]
    fn entities_obey_the_register_and_stay_in_the_file() {
        let mut f = minimal();
        let entity = |code: &str, seat: &str, to: &str| {
            serde_json::from_value::<EntityDef>(serde_json::json!({
                "code": code, "kind": "CIS", "name": "Centrum Integracji Społecznej w Kluczborku",
                "seat": seat, "serves": ["1604023"], "operator": "gmina",
                "active_from": "2020-Q1", "active_to": to
            }))
            .unwrap()
        };
        f.region.entities = vec![entity("CIS-KLUCZBORK", "1604023", "2026-Q4")];
        f.check(&HashSet::new()).unwrap();
        f.region
            .entities
            .push(entity("CIS-KLUCZBORK", "1604013", "2019-Q4"));
        let text = f.check(&HashSet::new()).unwrap_err().0.join("\n");
        assert!(
            text.contains("entity CIS-KLUCZBORK appears twice"),
            "{text}"
        );
        assert!(
            text.contains("entity CIS-KLUCZBORK: active_to: 2019-Q4 is before"),
            "{text}"
        );
        assert!(
            text.contains("entity CIS-KLUCZBORK: gmina 1604013 is not in the file"),
            "{text}"
        );
    }

    #[test]
    fn targets_may_name_stored_indicators() {
        let mut f = minimal();
        f.indicators.clear();
        assert!(f.check(&HashSet::new()).is_err());
        let known = HashSet::from(["jobs_created".to_owned()]);
        f.check(&known).unwrap();
    }
}
