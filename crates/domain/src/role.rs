//! Who a caller is: the roles of DOMAIN.md "Who may do what".

use crate::code::ParseError;
use crate::stream::Stream;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// ROPS administrator: everything, including reference data.
    Admin,
    /// ROPS analyst: reads everything, transitions reports, keeps the activity register.
    Analyst,
    /// Staff of one OWES (the token's `org` is its code).
    Owes,
    /// Officials of one gmina (the token's `org` is its TERYT).
    Gmina,
    /// Staff of one reintegration entity (the token's `org` is its code).
    Entity,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Admin,
        Self::Analyst,
        Self::Owes,
        Self::Gmina,
        Self::Entity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Analyst => "analyst",
            Self::Owes => "owes",
            Self::Gmina => "gmina",
            Self::Entity => "entity",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| ParseError::new("role", value, "admin, analyst, owes, gmina or entity"))
    }

    /// The stream whose units this role is bound to, one unit each.
    pub fn stream(self) -> Option<Stream> {
        Stream::ALL.into_iter().find(|s| s.role() == self)
    }

    /// Roles bound to one organisation carry its code in `org`.
    pub fn needs_org(self) -> bool {
        self.stream().is_some()
    }

    /// ROPS staff read everything in the region.
    pub fn is_rops(self) -> bool {
        matches!(self, Self::Admin | Self::Analyst)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
