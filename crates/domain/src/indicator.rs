//! The indicator catalogues, the gmina results checklist and the event types of the register.

use crate::code::{code_type, is_snake_code, ParseError};
use serde::{Deserialize, Serialize};

code_type!(
    /// An indicator, event type or derived measure code, e.g. `jobs_created`.
    IndicatorCode,
    "indicator code",
    "2 to 64 lower-case letters, digits or underscores starting with a letter, e.g. jobs_created",
    pattern: "^[a-z][a-z0-9_]{1,63}$",
    example: "jobs_created",
    is_snake_code
);

code_type!(
    /// A results-checklist code such as `A1` or a group such as `A`.
    ResultCode,
    "result code",
    "an upper-case letter followed by up to two digits, e.g. A1",
    pattern: "^[A-Z][0-9]{0,2}$",
    example: "A1",
    |v| {
        let mut chars = v.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
            && v.len() <= 3
            && chars.all(|c| c.is_ascii_digit())
    }
);

pub use crate::stream::Stream;

/// What a programme target's code names: a catalogue indicator, an event type of the
/// register (counted), or the LPRES figure `lpres_adopted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Indicator,
    EventCount,
    LpresAdopted,
    /// `coverage_any`, `coverage_<kind>`: a share of gminas covered by reintegration entities.
    Coverage,
}

/// How an indicator consolidates (DOMAIN.md, "Indicator kinds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Happened in the period: summed over quarters and units.
    Flow,
    /// A level at the end of the period: the latest reported quarter, summed over units.
    Stock,
    /// sum(numerator) / sum(denominator); never an average of shares.
    Ratio,
}

impl IndicatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flow => "flow",
            Self::Stock => "stock",
            Self::Ratio => "ratio",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "flow" => Ok(Self::Flow),
            "stock" => Ok(Self::Stock),
            "ratio" => Ok(Self::Ratio),
            _ => Err(ParseError::new(
                "indicator kind",
                value,
                "flow, stock or ratio",
            )),
        }
    }
}

/// What a value is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A non-negative whole number.
    Count,
    /// Złoty with grosze: non-negative, at most two decimals.
    Pln,
    /// A share between 0 and 1 (ratios only; computed, never reported).
    Share,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Pln => "pln",
            Self::Share => "share",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "count" => Ok(Self::Count),
            "pln" => Ok(Self::Pln),
            "share" => Ok(Self::Share),
            _ => Err(ParseError::new("unit", value, "count, pln or share")),
        }
    }
}

/// One indicator of a catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub code: IndicatorCode,
    pub stream: Stream,
    pub name_pl: String,
    pub kind: IndicatorKind,
    pub unit: Unit,
    /// For ratios: the flow indicator summed above the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<IndicatorCode>,
    /// For ratios: the flow indicator summed below the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<IndicatorCode>,
    /// In one report this value may not exceed that indicator's (e.g. jobs created with
    /// grants ≤ jobs created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<IndicatorCode>,
    /// Where the value is verified (e.g. the contracts it counts), shown beside its field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_pl: Option<String>,
}

/// A group of the gmina results checklist (seed 001), e.g. `A` strategic solutions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultGroup {
    pub code: ResultCode,
    pub name_pl: String,
    pub items: Vec<ResultItem>,
}

/// One result a gmina can report as achieved, e.g. `A2` a multi-year NGO cooperation programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultItem {
    pub code: ResultCode,
    pub name_pl: String,
}

/// A kind of event in the ROPS activity register, e.g. `business_meeting`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTypeDef {
    pub code: IndicatorCode,
    pub name_pl: String,
}

/// The derived measure "gminas with an adopted, current LPRES".
pub const LPRES_ADOPTED: &str = "lpres_adopted";

/// Checks a catalogue on its own: unique codes, ratios built from flows of their own stream.
pub fn check_catalogue(indicators: &[IndicatorDef], problems: &mut Vec<String>) {
    let find = |code: &IndicatorCode| indicators.iter().find(|d| &d.code == code);
    for (i, def) in indicators.iter().enumerate() {
        let at = format!("indicators[{i}] ({})", def.code);
        if indicators[..i].iter().any(|d| d.code == def.code) {
            problems.push(format!("{at}: the code appears twice"));
        }
        if def.code.as_str() == LPRES_ADOPTED {
            problems.push(format!(
                "{at}: `{LPRES_ADOPTED}` is reserved for the derived LPRES count"
            ));
        }
        if let Some(v) = &def.verification_pl {
            if v.trim().is_empty() || v.chars().count() > 300 || v.chars().any(char::is_control) {
                problems.push(format!(
                    "{at}: verification_pl is text of 1 to 300 characters without control characters, or left out"
                ));
            }
        }
        match def.kind {
            IndicatorKind::Ratio => {
                if def.unit != Unit::Share {
                    problems.push(format!("{at}: a ratio has unit share"));
                }
                if def.at_most.is_some() {
                    problems.push(format!("{at}: a ratio is computed, so it takes no at_most"));
                }
                for (side, part) in [
                    ("numerator", &def.numerator),
                    ("denominator", &def.denominator),
                ] {
                    match part.as_ref().map(|c| (c, find(c))) {
                        None => problems.push(format!("{at}: a ratio needs a {side}")),
                        Some((c, None)) => {
                            problems.push(format!("{at}: {side} `{c}` is not in the catalogue"))
                        }
                        Some((c, Some(p)))
                            if p.kind != IndicatorKind::Flow || p.stream != def.stream =>
                        {
                            problems.push(format!(
                                "{at}: {side} `{c}` must be a flow of the {} stream",
                                def.stream.as_str()
                            ))
                        }
                        Some(_) => {}
                    }
                }
            }
            IndicatorKind::Flow | IndicatorKind::Stock => {
                if let Some(bound) = &def.at_most {
                    match find(bound) {
                        Some(b) if b.stream == def.stream && b.kind != IndicatorKind::Ratio && b.unit == def.unit => {}
                        _ => problems.push(format!(
                            "{at}: at_most `{bound}` must be a reported indicator of the same stream and unit"
                        )),
                    }
                }
                if def.numerator.is_some() || def.denominator.is_some() {
                    problems.push(format!(
                        "{at}: only ratios have a numerator and a denominator"
                    ));
                }
                if def.unit == Unit::Share {
                    problems.push(format!("{at}: only ratios have unit share"));
                }
            }
        }
    }
}
