//! The territory: regions, powiats and gminas with their TERYT (TERC) codes.

use crate::code::{code_type, is_digits, ParseError};
use serde::{Deserialize, Serialize};

code_type!(
    /// A voivodeship, 2 digits: `16` is opolskie.
    RegionCode,
    "region code",
    "2 digits, e.g. 16",
    pattern: "^[0-9]{2}$",
    example: "16",
    |v| is_digits(v, 2)
);

code_type!(
    /// A powiat, 4 digits starting with its region: `1604` is kluczborski.
    PowiatCode,
    "powiat code",
    "4 digits, e.g. 1604",
    pattern: "^[0-9]{4}$",
    example: "1604",
    |v| is_digits(v, 4)
);

code_type!(
    /// A gmina's TERYT (TERC) code `WWPPGGR`: region, powiat, gmina number, kind digit 1–3.
    Teryt,
    "TERYT gmina code",
    "7 digits WWPPGGR whose last digit is the kind: 1 urban, 2 rural, 3 urban-rural, e.g. 1604023",
    pattern: "^[0-9]{6}[1-3]$",
    example: "1604023",
    |v| is_digits(v, 7) && matches!(v.as_bytes()[6], b'1'..=b'3')
);

impl PowiatCode {
    pub fn region(&self) -> RegionCode {
        RegionCode(self.as_str()[..2].to_owned())
    }
}

impl Teryt {
    pub fn powiat(&self) -> PowiatCode {
        PowiatCode(self.as_str()[..4].to_owned())
    }

    pub fn region(&self) -> RegionCode {
        RegionCode(self.as_str()[..2].to_owned())
    }

    /// The kind written in the code's last digit.
    pub fn kind(&self) -> GminaKind {
        match self.as_str().as_bytes()[6] {
            b'1' => GminaKind::Urban,
            b'2' => GminaKind::Rural,
            _ => GminaKind::UrbanRural,
        }
    }
}

/// The kind of a gmina, as the TERC type digit says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum GminaKind {
    Urban,
    Rural,
    UrbanRural,
}

impl GminaKind {
    pub const ALL: [GminaKind; 3] = [Self::Urban, Self::Rural, Self::UrbanRural];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urban => "urban",
            Self::Rural => "rural",
            Self::UrbanRural => "urban-rural",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .ok_or_else(|| ParseError::new("gmina kind", value, "urban, rural or urban-rural"))
    }
}

/// A powiat proper, or a city with powiat rights (codes 61–65).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PowiatKind {
    Powiat,
    City,
}

impl PowiatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Powiat => "powiat",
            Self::City => "city",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "powiat" => Ok(Self::Powiat),
            "city" => Ok(Self::City),
            _ => Err(ParseError::new("powiat kind", value, "powiat or city")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kluczbork() {
        let t = Teryt::parse("1604023").unwrap();
        assert_eq!(t.kind(), GminaKind::UrbanRural);
        assert_eq!(t.powiat().as_str(), "1604");
        assert_eq!(t.region().as_str(), "16");
    }

    #[test]
    fn refuses_malformed_teryt() {
        for bad in ["160402", "16040231", "160402a", "1604024", "1604020"] {
            assert!(Teryt::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kind_strings_round_trip() {
        for k in GminaKind::ALL {
            assert_eq!(GminaKind::parse(k.as_str()).unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
