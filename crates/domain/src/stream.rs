//! The report streams. What a stream is — the units that report in it, the period a report
//! covers, the role bound to one of its units, whether it carries the results checklist — is
//! said here, once: every other layer asks the stream instead of naming streams, so a new
//! stream is a variant here, its catalogue, and its own files.

use crate::code::{OwesCode, ParseError};
use crate::entity::EntityCode;
use crate::role::Role;
use crate::territory::Teryt;
use serde::{Deserialize, Serialize};

/// A report stream: who reports what, how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// OWES quarterly reports.
    Owes,
    /// Gmina annual reports.
    Gmina,
    /// Yearly reports of reintegration entities (CIS, KIS, ZAZ, WTZ).
    Entity,
}

/// What one report of a stream covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// `2024-Q3`.
    Quarter,
    /// `2024`; counts in a window when its Q4 lies in it.
    Year,
}

impl Stream {
    pub const ALL: [Stream; 3] = [Self::Owes, Self::Gmina, Self::Entity];
    const EXPECTED: &'static str = "owes, gmina or entity";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owes => "owes",
            Self::Gmina => "gmina",
            Self::Entity => "entity",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| ParseError::new("stream", value, Self::EXPECTED))
    }

    pub fn period_kind(self) -> PeriodKind {
        match self {
            Self::Owes => PeriodKind::Quarter,
            Self::Gmina | Self::Entity => PeriodKind::Year,
        }
    }

    /// How a message names one unit of the stream: "OWES", "gmina".
    pub fn unit_noun(self) -> &'static str {
        match self {
            Self::Owes => "OWES",
            Self::Gmina => "gmina",
            Self::Entity => "entity",
        }
    }

    /// The role bound to one unit of the stream.
    pub fn role(self) -> Role {
        match self {
            Self::Owes => Role::Owes,
            Self::Gmina => Role::Gmina,
            Self::Entity => Role::Entity,
        }
    }

    /// Whether its reports carry the results checklist (seed 001).
    pub fn has_results(self) -> bool {
        self == Self::Gmina
    }

    /// A unit's code as this stream names its units.
    pub fn parse_unit(self, value: &str) -> Result<UnitCode, ParseError> {
        match self {
            Self::Owes => OwesCode::parse(value).map(UnitCode::Owes),
            Self::Gmina => Teryt::parse(value).map(UnitCode::Gmina),
            Self::Entity => EntityCode::parse(value).map(UnitCode::Entity),
        }
    }
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reporting unit: the kind of code says which stream it reports in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitCode {
    Owes(OwesCode),
    Gmina(Teryt),
    Entity(EntityCode),
}

impl UnitCode {
    pub fn stream(&self) -> Stream {
        match self {
            Self::Owes(_) => Stream::Owes,
            Self::Gmina(_) => Stream::Gmina,
            Self::Entity(_) => Stream::Entity,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Owes(code) => code.as_str(),
            Self::Gmina(teryt) => teryt.as_str(),
            Self::Entity(code) => code.as_str(),
        }
    }
}

/// "OWES OWES-PN", "gmina 1604023".
impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.stream().unit_noun(), self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_round_trips_and_names_its_units_and_role() {
        for s in Stream::ALL {
            assert_eq!(Stream::parse(s.as_str()).unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.role().stream(), Some(s));
            assert!(Stream::EXPECTED.contains(s.as_str()));
        }
        let err = Stream::parse("cis").unwrap_err();
        assert!(err.to_string().contains("owes, gmina or entity"), "{err}");
    }

    #[test]
    fn units_parse_by_their_stream() {
        let owes = Stream::Owes.parse_unit("OWES-PN").unwrap();
        assert_eq!(
            (owes.stream(), owes.to_string()),
            (Stream::Owes, "OWES OWES-PN".into())
        );
        let gmina = Stream::Gmina.parse_unit("1604023").unwrap();
        assert_eq!(gmina.as_str(), "1604023");
        assert!(Stream::Gmina.parse_unit("OWES-PN").is_err());
        assert!(Stream::Owes.parse_unit("owes-pn").is_err());
    }
}
