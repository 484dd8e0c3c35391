//! Codes that identify things, and the one error every parse returns.

/// A value that does not have the shape its type requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{value}` is not valid: {expected}")]
pub struct ParseError {
    /// What was being parsed, e.g. "TERYT gmina code".
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// What is allowed, in words a user can act on.
    pub expected: &'static str,
}

impl ParseError {
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected,
        }
    }
}

/// Declares a string newtype that can only hold values accepted by `$check`. `$pattern` is the
/// same rule as a regular expression (ECMA 262 and Python alike), for the OpenAPI document;
/// a test per type keeps the two equal.
macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident, $what:literal, $expected:literal, pattern: $pattern:expr, example: $example:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, $crate::code::ParseError> {
                let check: fn(&str) -> bool = $check;
                if check(value) {
                    Ok(Self(value.to_owned()))
                } else {
                    Err($crate::code::ParseError::new($what, value, $expected))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::code::ParseError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::code::ParseError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $name {
            /// What a valid value looks like, as a regular expression (see [`Self::parse`]).
            pub const PATTERN: &'static str = $pattern;
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::string_schema(Self::PATTERN, $expected, $example)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use code_type;

/// An upper-case code such as `OPL-PN` or `OWES-PN`: letters, digits and hyphens.
pub(crate) fn is_upper_code(value: &str) -> bool {
    (2..=32).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// [`is_upper_code`] as a regular expression.
pub(crate) const UPPER_CODE_PATTERN: &str = "^[A-Z0-9][A-Z0-9-]{1,31}$";

/// A lower-case snake_case code such as `jobs_created`.
pub(crate) fn is_snake_code(value: &str) -> bool {
    (2..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(crate) fn is_digits(value: &str, len: usize) -> bool {
    value.len() == len && value.chars().all(|c| c.is_ascii_digit())
}

code_type!(
    /// Identifies a subregion (an OWES area), e.g. `OPL-PN`.
    SubregionCode,
    "subregion code",
    "2 to 32 upper-case letters, digits or hyphens, e.g. OPL-PN",
    pattern: UPPER_CODE_PATTERN,
    example: "OPL-PN",
    is_upper_code
);

code_type!(
    /// Identifies an OWES, e.g. `OWES-PN`.
    OwesCode,
    "OWES code",
    "2 to 32 upper-case letters, digits or hyphens, e.g. OWES-PN",
    pattern: UPPER_CODE_PATTERN,
    example: "OWES-PN",
    is_upper_code
);

code_type!(
    /// Identifies a regional programme, e.g. `OPL-2024-2027`.
    ProgrammeCode,
    "programme code",
    "2 to 32 upper-case letters, digits or hyphens, e.g. OPL-2024-2027",
    pattern: UPPER_CODE_PATTERN,
    example: "OPL-2024-2027",
    is_upper_code
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_codes() {
        assert!(SubregionCode::parse("OPL-PN").is_ok());
        assert!(SubregionCode::parse("opl-pn").is_err());
        assert!(SubregionCode::parse("-X").is_err());
        assert!(SubregionCode::parse("A").is_err());
        let err = OwesCode::parse("owes 1").unwrap_err();
        assert!(err.to_string().contains("upper-case"), "{err}");
    }

    #[test]
    fn serde_refuses_bad_codes() {
        let ok: Result<OwesCode, _> = serde_json::from_str("\"OWES-PN\"");
        assert!(ok.is_ok());
        let bad: Result<OwesCode, _> = serde_json::from_str("\"owes\"");
        assert!(bad.is_err());
    }
}
