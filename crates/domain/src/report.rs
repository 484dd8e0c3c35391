//! The report lifecycle shared by OWES quarterly and gmina annual reports.
//!
//! `draft` → `submitted` → `approved`; an analyst may `return` a submitted report with a
//! reason, the unit corrects and submits again; an approved report is locked until an
//! analyst reopens it (approved → returned).

use crate::code::ParseError;
use crate::period::Quarter;
use crate::stream::{PeriodKind, Stream};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The period one report covers: a quarter for OWES, a year for gminas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportPeriod {
    Quarter(Quarter),
    Year(i32),
}

impl ReportPeriod {
    /// Parses the period form of `stream` (its [`PeriodKind`]): `2024-Q3` or `2024`.
    pub fn parse(stream: Stream, value: &str) -> Result<Self, ParseError> {
        match stream.period_kind() {
            PeriodKind::Quarter => Quarter::parse(value).map(Self::Quarter),
            PeriodKind::Year => crate::period::Year::parse(value).map(|y| Self::Year(y.get())),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Self::Quarter(q) => q.first_day(),
            Self::Year(y) => Quarter::new(y, 1)
                .map(Quarter::first_day)
                .unwrap_or(NaiveDate::MIN),
        }
    }

    /// A report for a period that has not started yet is refused.
    pub fn has_started(self, today: NaiveDate) -> bool {
        self.first_day() <= today
    }

    /// The quarters it spans, first and last.
    pub fn quarters(self) -> (Quarter, Quarter) {
        match self {
            Self::Quarter(q) => (q, q),
            Self::Year(y) => match (Quarter::new(y, 1), Quarter::new(y, 4)) {
                (Ok(a), Ok(b)) => (a, b),
                _ => unreachable!("a parsed year has quarters"),
            },
        }
    }
}

impl ReportPeriod {
    /// Either period form, as a regular expression: a quarter or a year from 1900.
    pub const PATTERN: &'static str = "^(19[0-9]{2}|[2-9][0-9]{3})(-Q[1-4])?$";
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ReportPeriod {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::string_schema(
            Self::PATTERN,
            "A report's period as its stream names periods: a quarter YYYY-Qn or a year YYYY",
            "2024-Q3",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ReportPeriod {}

impl std::fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Quarter(q) => q.fmt(f),
            Self::Year(y) => write!(f, "{y:04}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Approve,
    Return,
    Reopen,
}

/// A transition that does not apply to the report's current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a report that is {}", .transition.as_str(), .status.as_str())]
pub struct TransitionError {
    pub status: ReportStatus,
    pub transition: Transition,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Reopen => "reopen",
        }
    }
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] =
        [Self::Draft, Self::Submitted, Self::Approved, Self::Returned];

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                ParseError::new(
                    "report status",
                    value,
                    "draft, submitted, approved or returned",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    /// Whether its values count in rollups (`approved_only` narrows this to approved).
    pub fn counts(self, approved_only: bool) -> bool {
        match self {
            Self::Approved => true,
            Self::Submitted => !approved_only,
            Self::Draft | Self::Returned => false,
        }
    }

    /// Whether the values may change: a draft or a returned report. A submitted report is
    /// under review (an analyst returns it for correction); an approved one is locked until
    /// reopened.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    pub fn apply(self, transition: Transition) -> Result<ReportStatus, TransitionError> {
        use ReportStatus::*;
        use Transition::*;
        match (self, transition) {
            (Draft | Returned, Submit) => Ok(Submitted),
            (Submitted, Approve) => Ok(Approved),
            (Submitted, Return) => Ok(Returned),
            (Approved, Reopen) => Ok(Returned),
            (status, transition) => Err(TransitionError { status, transition }),
        }
    }
}

/// What recorded a report revision: a write of its values (`create` for the first,
/// `update` after, `import` from a spreadsheet) or a lifecycle [`Transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevisionAction {
    Create,
    Update,
    Import,
    Submit,
    Approve,
    Return,
    Reopen,
}

impl RevisionAction {
    pub const ALL: [RevisionAction; 7] = [
        Self::Create,
        Self::Update,
        Self::Import,
        Self::Submit,
        Self::Approve,
        Self::Return,
        Self::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Import => "import",
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Reopen => "reopen",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == value)
            .ok_or_else(|| {
                ParseError::new(
                    "revision action",
                    value,
                    "create, update, import, submit, approve, return or reopen",
                )
            })
    }
}

impl From<Transition> for RevisionAction {
    fn from(t: Transition) -> Self {
        match t {
            Transition::Submit => Self::Submit,
            Transition::Approve => Self::Approve,
            Transition::Return => Self::Return,
            Transition::Reopen => Self::Reopen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ReportStatus::*, Transition::*};

    #[test]
    fn happy_path_and_correction() {
        let s = Draft.apply(Submit).unwrap();
        let s = s.apply(Return).unwrap();
        assert_eq!(s, Returned);
        let s = s.apply(Submit).unwrap().apply(Approve).unwrap();
        assert_eq!(s, Approved);
        assert!(!s.is_editable());
        assert_eq!(s.apply(Reopen).unwrap(), Returned);
    }

    #[test]
    fn refuses_what_does_not_apply() {
        assert!(Draft.apply(Approve).is_err());
        assert!(Approved.apply(Submit).is_err());
        assert!(Submitted.apply(Reopen).is_err());
        assert!(Approved.apply(Return).is_err());
    }

    #[test]
    fn what_counts() {
        assert!(Submitted.counts(false) && !Submitted.counts(true));
        assert!(Approved.counts(true));
        assert!(!Draft.counts(false) && !Returned.counts(false));
    }

    #[test]
    fn revision_actions_round_trip() {
        use super::RevisionAction;
        for a in RevisionAction::ALL {
            assert_eq!(RevisionAction::parse(a.as_str()).unwrap(), a);
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for t in [Submit, Approve, Return, Reopen] {
            assert_eq!(RevisionAction::from(t).as_str(), t.as_str());
        }
        let err = RevisionAction::parse("withdraw").unwrap_err();
        assert!(err.to_string().contains("revision action"), "{err}");
    }
}
