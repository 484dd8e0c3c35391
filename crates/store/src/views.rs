//! What the store hands out: plain, serializable views of the stored data.

use serde::Serialize;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A region in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegionSummary {
    /// TERYT code of the voivodeship, 2 digits.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode, example = "16"))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(example = "opolskie"))]
    pub name: String,
    pub powiat_count: usize,
    pub gmina_count: usize,
}

/// A region with its subregions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegionDetail {
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode, example = "16"))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(example = "opolskie"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = 71))]
    pub gmina_count: usize,
    pub subregions: Vec<SubregionDetail>,
    /// Powiats of the region that no subregion holds yet.
    pub unassigned_powiats: Vec<PowiatSummary>,
}

/// A subregion (OWES area): a set of powiats.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubregionDetail {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::code::SubregionCode, example = "OPL-PN")
    )]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode))]
    pub region: String,
    pub name: String,
    pub gmina_count: usize,
    pub powiats: Vec<PowiatSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PowiatSummary {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::territory::PowiatCode, example = "1604")
    )]
    pub code: String,
    pub name: String,
    /// `powiat`, or `city` for a city with powiat rights.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::PowiatKind))]
    pub kind: String,
    pub gmina_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GminaView {
    /// TERC code WWPPGGR.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::territory::Teryt, example = "1604023")
    )]
    pub teryt: String,
    #[cfg_attr(feature = "openapi", schema(example = "Kluczbork"))]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::territory::GminaKind, example = "urban-rural")
    )]
    pub kind: String,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::territory::PowiatCode, example = "1604")
    )]
    pub powiat: String,
    pub powiat_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode))]
    pub region: String,
    /// The subregion holding its powiat, if any.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<rops_domain::code::SubregionCode>)
    )]
    pub subregion: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwesView {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::code::OwesCode, example = "OWES-PN")
    )]
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::code::SubregionCode))]
    pub subregion: String,
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode))]
    pub region: String,
    /// First quarter the OWES reports for.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = rops_domain::period::Quarter, example = "2023-Q3")
    )]
    pub active_from: String,
    /// Last quarter, or null while it is active.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::period::Quarter>))]
    pub active_to: Option<String>,
}

/// The catalogues: indicators of both streams, the gmina results checklist, event types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Catalogue {
    pub indicators: Vec<IndicatorView>,
    pub result_groups: Vec<ResultGroupView>,
    pub event_types: Vec<EventTypeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IndicatorView {
    #[cfg_attr(feature = "openapi", schema(example = "jobs_created"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorCode))]
    pub code: String,
    /// `owes` (quarterly) or `gmina` (annual).
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::Stream))]
    pub stream: String,
    pub name_pl: String,
    /// `flow`, `stock` or `ratio`.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorKind))]
    pub kind: String,
    /// `count`, `pln` or `share`.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::Unit))]
    pub unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::indicator::IndicatorCode>))]
    pub numerator: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::indicator::IndicatorCode>))]
    pub denominator: Option<String>,
    /// In one report the value may not exceed this indicator's.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::indicator::IndicatorCode>))]
    pub at_most: Option<String>,
    /// Where the value is verified, when the catalogue says.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Umowy o pracę i zgłoszenia do ZUS")
    )]
    pub verification_pl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResultGroupView {
    #[cfg_attr(feature = "openapi", schema(example = "A"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::ResultCode))]
    pub code: String,
    pub name_pl: String,
    pub items: Vec<ResultItemView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResultItemView {
    #[cfg_attr(feature = "openapi", schema(example = "A2"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::ResultCode))]
    pub code: String,
    pub name_pl: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EventTypeView {
    #[cfg_attr(feature = "openapi", schema(example = "business_meeting"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorCode))]
    pub code: String,
    pub name_pl: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProgrammeSummary {
    #[cfg_attr(feature = "openapi", schema(example = "OPL-2024-2027"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::code::ProgrammeCode))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(example = "16"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::territory::RegionCode))]
    pub region: String,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Regionalny program rozwoju ekonomii społecznej 2024–2027")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "2024-Q1"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::period::Quarter))]
    pub from: String,
    #[cfg_attr(feature = "openapi", schema(example = "2027-Q4"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::period::Quarter))]
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProgrammeDetail {
    #[serde(flatten)]
    pub programme: ProgrammeSummary,
    pub targets: Vec<TargetView>,
}

/// A programme target: indicator, scope, comparator, value and window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TargetView {
    /// An indicator code, an event type code, or `lpres_adopted`.
    #[cfg_attr(feature = "openapi", schema(example = "business_meeting"))]
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::IndicatorCode))]
    pub indicator: String,
    /// `indicator`, `event_count` or `lpres_adopted`: what the code names.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::indicator::Measure))]
    pub measure: String,
    /// `region`, `each_subregion`, `each_owes` or `owes`.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::reference::TargetScope))]
    pub scope: String,
    /// With scope `owes`: the OWES.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<rops_domain::code::OwesCode>))]
    pub owes: Option<String>,
    /// Always `at_least` for now.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::reference::Comparator))]
    pub comparator: String,
    pub value: f64,
    /// `programme` or `annual`.
    #[cfg_attr(feature = "openapi", schema(value_type = rops_domain::reference::TargetWindow))]
    pub window: String,
    pub source: Option<String>,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
}
