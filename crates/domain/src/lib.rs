//! The rops-hub domain: pure types and rules, no I/O and no framework types.
//!
//! Values that must have a shape (a TERYT code, a quarter, an indicator code) are newtypes
//! that can only be built by parsing, so the rest of the code never re-checks them.

pub mod code;
pub mod entity;
pub mod event;
pub mod indicator;
pub mod lpres;
pub mod number;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod period;
pub mod plausibility;
pub mod policy;
pub mod problems_pl;
pub mod reference;
pub mod report;
pub mod role;
pub mod stream;
pub mod territory;
pub mod validation;
pub mod values;

pub use code::ParseError;

#[cfg(test)]
mod pattern_tests;
