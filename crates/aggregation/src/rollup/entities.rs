//! Reintegration entities (DOMAIN.md "Reintegration entities"): the register as recorded at
//! the moment, the entities of a scope (those seated in its gminas), each entity's figures,
//! and coverage — the gminas of a scope served by an entity of each kind that is active in the
//! window's last quarter, by kind and by any kind, with the gminas served by none.

use super::{Engine, Figure, Units};
use crate::inputs::{EntityRevision, Scope};
use chrono::{DateTime, Utc};
use rops_domain::code::SubregionCode;
use rops_domain::entity::{coverage_of_measure, EntityCode, EntityKind};
use rops_domain::indicator::{IndicatorCode, IndicatorDef};
use rops_domain::number::rounded;
use rops_domain::period::{Quarter, Window};
use rops_domain::territory::Teryt;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Which coverage: by one kind of entity, or by any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CoverageKind {
    Any,
    Kind(EntityKind),
}

impl CoverageKind {
    /// `any`, then every kind, as coverage lists them.
    pub fn all() -> impl Iterator<Item = CoverageKind> {
        std::iter::once(Self::Any).chain(EntityKind::ALL.iter().copied().map(Self::Kind))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Kind(kind) => kind.as_str(),
        }
    }

    /// The coverage a target's measure code names (`coverage_any`, `coverage_cis`, …; see
    /// [`coverage_of_measure`]), if it names one.
    pub fn of_measure(code: &str) -> Option<Self> {
        coverage_of_measure(code).map(|kind| kind.map_or(Self::Any, Self::Kind))
    }
}

impl Serialize for CoverageKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CoverageKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::all().map(Self::as_str)))
            .description(Some(
                "An entity kind, or `any` for gminas served by any kind",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for CoverageKind {}

/// The gminas of a scope covered by one kind (or any), and their share of its gminas.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KindCoverage {
    pub kind: CoverageKind,
    #[cfg_attr(feature = "openapi", schema(example = 41))]
    pub gminas: usize,
    /// gminas ÷ the scope's gminas; null for a scope without gminas.
    #[cfg_attr(feature = "openapi", schema(example = 0.577465))]
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionCoverage {
    pub subregion: SubregionCode,
    pub by_kind: Vec<KindCoverage>,
}

/// How well a scope's gminas are covered by reintegration entities, as recorded at the
/// moment, by the entities active in the window's last quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Coverage {
    /// `any`, then each kind.
    pub by_kind: Vec<KindCoverage>,
    /// Region scope only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_subregion: Option<Vec<SubregionCoverage>>,
    /// The scope's gminas that no active entity serves, in TERYT order.
    pub uncovered: Vec<Teryt>,
}

/// An entity's figure of an entity indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntityFigure {
    pub entity: EntityCode,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, example = 12))]
    pub value: Figure,
}

/// Each entity's last revision recorded at or before `as_of`, in code order.
pub(super) fn entities_as_of(
    revisions: &[EntityRevision],
    as_of: DateTime<Utc>,
) -> Vec<&EntityRevision> {
    let mut last: BTreeMap<&EntityCode, &EntityRevision> = BTreeMap::new();
    for e in revisions.iter().filter(|e| e.recorded_at <= as_of) {
        let slot = last.entry(&e.code).or_insert(e);
        if e.revision > slot.revision {
            *slot = e;
        }
    }
    last.into_values().collect()
}

impl<'a> Engine<'a> {
    /// The entities seated in `gminas` (in code order), whose reports count for those gminas'
    /// scope.
    pub(super) fn entities_seated_in(&self, gminas: &[&str]) -> Vec<&'a str> {
        self.entities
            .iter()
            .filter(|e| gminas.binary_search(&e.seat.as_str()).is_ok())
            .map(|e| e.code.as_str())
            .collect()
    }

    /// Per entity of `units`, its figure of `def` over `window`.
    pub(super) fn entity_figures(
        &self,
        def: &IndicatorDef,
        units: &Units<'a>,
        window: Window,
    ) -> Vec<EntityFigure> {
        self.entities
            .iter()
            .filter(|e| units.entities.binary_search(&e.code.as_str()).is_ok())
            .map(|e| {
                let one = Units {
                    entities: vec![e.code.as_str()],
                    ..Units::default()
                };
                EntityFigure {
                    entity: e.code.clone(),
                    value: self.indicator(def, &one, window).0,
                }
            })
            .collect()
    }

    /// The kinds of the entities active in `q` that serve each gmina.
    fn serving(&self, q: Quarter) -> HashMap<&'a str, BTreeSet<EntityKind>> {
        let mut kinds: HashMap<&str, BTreeSet<EntityKind>> = HashMap::new();
        for e in self.entities.iter().filter(|e| e.active_in(q)) {
            for g in &e.serves {
                kinds.entry(g.as_str()).or_default().insert(e.kind);
            }
        }
        kinds
    }

    fn kind_coverage(
        serving: &HashMap<&str, BTreeSet<EntityKind>>,
        gminas: &[&str],
    ) -> Vec<KindCoverage> {
        CoverageKind::all()
            .map(|kind| {
                let covered = gminas
                    .iter()
                    .filter(|g| {
                        serving.get(*g).is_some_and(|kinds| match kind {
                            CoverageKind::Any => !kinds.is_empty(),
                            CoverageKind::Kind(k) => kinds.contains(&k),
                        })
                    })
                    .count();
                KindCoverage {
                    kind,
                    gminas: covered,
                    share: (!gminas.is_empty())
                        .then(|| rounded(covered as f64 / gminas.len() as f64)),
                }
            })
            .collect()
    }

    pub(super) fn coverage(&self, units: &Units<'a>) -> Coverage {
        let serving = self.serving(self.req.window.to);
        Coverage {
            by_kind: Self::kind_coverage(&serving, &units.gminas),
            by_subregion: matches!(self.req.scope, Scope::Region).then(|| {
                self.subregions
                    .iter()
                    .map(|s| SubregionCoverage {
                        subregion: (*s).clone(),
                        by_kind: Self::kind_coverage(
                            &serving,
                            &self.subregion_units(s.as_str()).gminas,
                        ),
                    })
                    .collect()
            }),
            uncovered: self
                .gminas
                .iter()
                .filter(|g| units.gminas.binary_search(&g.teryt.as_str()).is_ok())
                .filter(|g| !serving.contains_key(g.teryt.as_str()))
                .map(|g| g.teryt.clone())
                .collect(),
        }
    }

    /// A coverage measure of a target (`coverage_any`, `coverage_wtz`, …) for the gminas of
    /// `units` at the end of `window`; `None` when `code` names no coverage.
    pub(super) fn coverage_measure(
        &self,
        code: &IndicatorCode,
        units: &Units<'a>,
        window: Window,
    ) -> Option<f64> {
        let kind = CoverageKind::of_measure(code.as_str())?;
        let serving = self.serving(window.to);
        let found = Self::kind_coverage(&serving, &units.gminas)
            .into_iter()
            .find(|c| c.kind == kind)?;
        Some(found.share.unwrap_or(0.0))
    }
}
