//! The register of reintegration entities (CIS, KIS, ZAZ, WTZ; DOMAIN.md "Reintegration
//! entities"): what can be checked without stored data. Whether the gminas exist and lie in
//! one region is the store's to check.

use crate::code::{code_type, is_upper_code, UPPER_CODE_PATTERN};
use crate::period::Quarter;
use crate::reference::str_enum;
use crate::territory::Teryt;
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

code_type!(
    /// Identifies a reintegration entity, e.g. `CIS-KLUCZBORK`.
    EntityCode,
    "entity code",
    "2 to 32 upper-case letters, digits or hyphens, e.g. CIS-KLUCZBORK",
    pattern: UPPER_CODE_PATTERN,
    example: "CIS-KLUCZBORK",
    is_upper_code
);

/// The kind of a reintegration entity: CIS (Centrum Integracji Społecznej), KIS (Klub
/// Integracji Społecznej), ZAZ (Zakład Aktywności Zawodowej), WTZ (Warsztat Terapii
/// Zajęciowej).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityKind {
    /// Centrum Integracji Społecznej (social integration centre).
    Cis,
    /// Klub Integracji Społecznej (social integration club).
    Kis,
    /// Zakład Aktywności Zawodowej (vocational activity establishment).
    Zaz,
    /// Warsztat Terapii Zajęciowej (occupational therapy workshop).
    Wtz,
}

str_enum!(EntityKind, "entity kind", "CIS, KIS, ZAZ or WTZ", {
    Cis => "CIS", Kis => "KIS", Zaz => "ZAZ", Wtz => "WTZ",
});

/// Who runs a reintegration entity: the gmina (often through its social welfare centre), a
/// non-governmental organisation, or another body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityOperator {
    Gmina,
    Ngo,
    Other,
}

str_enum!(EntityOperator, "entity operator", "gmina, ngo or other", {
    Gmina => "gmina", Ngo => "ngo", Other => "other",
});

/// What recorded a revision of an entity: its first write, or a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityAction {
    Create,
    Update,
}

str_enum!(EntityAction, "entity revision action", "create or update", {
    Create => "create", Update => "update",
});

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// An entity as written, before checking.
#[derive(Debug, Clone, Default)]
pub struct EntityInput {
    pub kind: String,
    pub name: String,
    pub seat: String,
    pub serves: Vec<String>,
    pub operator: String,
    pub active_from: String,
    pub active_to: Option<String>,
}

/// A checked entity. `serves` holds the seat, each gmina once, in TERYT order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: String,
    pub seat: Teryt,
    pub serves: Vec<Teryt>,
    pub operator: EntityOperator,
    pub active_from: Quarter,
    pub active_to: Option<Quarter>,
}

/// Checks every field and names each bad one: the codes and quarters parse, the name has 1 to
/// 200 characters that are not all spaces and none a control character, `active_to` (when
/// given) is not before `active_from`. The seat is always served: added to `serves` when
/// missing; a gmina listed twice is kept once.
pub fn check_entity(input: &EntityInput) -> Result<Entity, FieldErrors> {
    let mut e = FieldErrors::default();
    let kind = e.take("kind", EntityKind::parse(&input.kind));
    let name = input.name.trim();
    if name.is_empty() || input.name.chars().count() > MAX_NAME_CHARS {
        e.push(
            "name",
            format!("give a name of 1 to {MAX_NAME_CHARS} characters, not only spaces"),
        );
    } else if name.chars().any(char::is_control) {
        e.push(
            "name",
            "holds a control character (a line break, a tab…); write the name on one line",
        );
    }
    let seat = e.take("seat", Teryt::parse(&input.seat));
    let serves: Vec<Option<Teryt>> = input
        .serves
        .iter()
        .enumerate()
        .map(|(i, t)| e.take(format!("serves[{i}]"), Teryt::parse(t)))
        .collect();
    let operator = e.take("operator", EntityOperator::parse(&input.operator));
    let active_from = e.take("active_from", Quarter::parse(&input.active_from));
    let active_to = input
        .active_to
        .as_deref()
        .and_then(|q| e.take("active_to", Quarter::parse(q)));
    if let (Some(from), Some(to)) = (active_from, active_to) {
        if to < from {
            e.push(
                "active_to",
                format!("{to} is before active_from {from}; give the last active quarter"),
            );
        }
    }
    match (kind, seat, operator, active_from) {
        (Some(kind), Some(seat), Some(operator), Some(active_from)) if e.is_empty() => {
            let mut served: Vec<Teryt> = serves.into_iter().flatten().collect();
            served.push(seat.clone());
            served.sort();
            served.dedup();
            Ok(Entity {
                kind,
                name: name.to_owned(),
                seat,
                serves: served,
                operator,
                active_from,
                active_to,
            })
        }
        _ => Err(e),
    }
}

/// The coverage a programme target may name: `coverage_any` (gminas served by any entity)
/// or `coverage_<kind>` (`coverage_cis`, …), with a share as its value. `Some(None)` is any
/// kind; `None`, a code that names no coverage.
pub fn coverage_of_measure(code: &str) -> Option<Option<EntityKind>> {
    let kind = code.strip_prefix("coverage_")?;
    if kind == "any" {
        return Some(None);
    }
    EntityKind::ALL
        .iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(kind) && kind == kind.to_ascii_lowercase())
        .map(|k| Some(*k))
}

#[cfg(test)]
mod tests {

    #[test]
    fn coverage_measures_name_any_or_one_kind_in_lower_case() {
        assert_eq!(coverage_of_measure("coverage_any"), Some(None));
        assert_eq!(
            coverage_of_measure("coverage_wtz"),
            Some(Some(EntityKind::Wtz))
        );
        assert_eq!(coverage_of_measure("coverage_WTZ"), None);
        assert_eq!(coverage_of_measure("coverage_x"), None);
        assert_eq!(coverage_of_measure("jobs_created"), None);
    }

    use super::*;

    fn kluczbork() -> EntityInput {
        EntityInput {
            kind: "CIS".into(),
            name: "  Centrum Integracji Społecznej w Kluczborku ".into(),
            seat: "1604023".into(),
            serves: vec!["1604043".into(), "1604013".into(), "1604043".into()],
            operator: "gmina".into(),
            active_from: "2020-Q1".into(),
            active_to: None,
        }
    }

    fn fields(input: EntityInput) -> Vec<String> {
        check_entity(&input)
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_seat_is_served_each_gmina_once_in_order() {
        let e = check_entity(&kluczbork()).unwrap();
        assert_eq!(e.kind, EntityKind::Cis);
        assert_eq!(e.name, "Centrum Integracji Społecznej w Kluczborku");
        let serves: Vec<&str> = e.serves.iter().map(Teryt::as_str).collect();
        assert_eq!(serves, ["1604013", "1604023", "1604043"]);
        let alone = check_entity(&EntityInput {
            serves: vec![],
            ..kluczbork()
        })
        .unwrap();
        assert_eq!(alone.serves, std::slice::from_ref(&alone.seat));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = EntityInput {
            kind: "cis".into(),
            name: "   ".into(),
            seat: "1604024".into(),
            serves: vec!["1604023".into(), "16040".into()],
            operator: "powiat".into(),
            active_from: "2020Q1".into(),
            active_to: Some("2020-Q5".into()),
        };
        assert_eq!(
            fields(bad),
            [
                "kind",
                "name",
                "seat",
                "serves[1]",
                "operator",
                "active_from",
                "active_to"
            ]
        );
        let err = check_entity(&EntityInput {
            kind: "SPS".into(),
            ..kluczbork()
        })
        .unwrap_err()
        .into_vec();
        assert!(err[0].message.contains("CIS, KIS, ZAZ or WTZ"), "{err:?}");
    }

    #[test]
    fn names_and_spans() {
        assert_eq!(
            fields(EntityInput {
                name: "x".repeat(201),
                ..kluczbork()
            }),
            ["name"]
        );
        assert!(check_entity(&EntityInput {
            name: "ż".repeat(200),
            ..kluczbork()
        })
        .is_ok());
        assert_eq!(
            fields(EntityInput {
                name: "Klub\nIntegracji".into(),
                ..kluczbork()
            }),
            ["name"]
        );
        assert_eq!(
            fields(EntityInput {
                active_to: Some("2019-Q4".into()),
                ..kluczbork()
            }),
            ["active_to"]
        );
        let one_quarter = check_entity(&EntityInput {
            active_to: Some("2020-Q1".into()),
            ..kluczbork()
        })
        .unwrap();
        assert_eq!(one_quarter.active_to, Some(one_quarter.active_from));
    }

    #[test]
    fn kinds_and_operators_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()).unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for o in EntityOperator::ALL {
            assert_eq!(EntityOperator::parse(o.as_str()).unwrap(), *o);
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        for a in EntityAction::ALL {
            assert_eq!(EntityAction::parse(a.as_str()).unwrap(), *a);
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        assert_eq!(EntityKind::ALL.len(), 4);
        assert!(EntityCode::parse("CIS-KLUCZBORK").is_ok());
        assert!(EntityCode::parse("cis-kluczbork").is_err());
    }
}
