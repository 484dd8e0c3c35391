//! The report lifecycle shared by OWES quarterly and gmina annual reports.
//!
//! `draft` → `submitted` → `approved`; an analyst may `return` a submitted report with a
//! reason, the unit corrects and submits again; an approved report is locked until an
//! analyst reopens it (approved → returned).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[error("cannot {transition:?} a report that is {status:?}")]
pub struct TransitionError {
    pub status: ReportStatus,
    pub transition: Transition,
}

impl ReportStatus {
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

    /// Whether the reporting unit may still change the values.
    pub fn is_editable(self) -> bool {
        !matches!(self, Self::Approved)
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
}
