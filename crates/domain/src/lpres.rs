//! A gmina's Local Social Economy Development Plan (LPRES) and the rules of its status.

use crate::code::ParseError;
use crate::validation::FieldErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LpresStatus {
    None,
    InPreparation,
    Draft,
    Adopted,
    Repealed,
}

impl LpresStatus {
    pub const ALL: [LpresStatus; 5] = [
        Self::None,
        Self::InPreparation,
        Self::Draft,
        Self::Adopted,
        Self::Repealed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::InPreparation => "in_preparation",
            Self::Draft => "draft",
            Self::Adopted => "adopted",
            Self::Repealed => "repealed",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                ParseError::new(
                    "LPRES status",
                    value,
                    "none, in_preparation, draft, adopted or repealed",
                )
            })
    }
}

/// An LPRES status as a gmina reports it, before checking.
#[derive(Debug, Clone, Default)]
pub struct LpresInput {
    pub status: String,
    pub resolution_number: Option<String>,
    pub adopted_on: Option<String>,
    pub plan_from: Option<i64>,
    pub plan_to: Option<i64>,
    pub document_url: Option<String>,
}

/// A checked LPRES status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lpres {
    pub status: LpresStatus,
    pub resolution_number: Option<String>,
    pub adopted_on: Option<NaiveDate>,
    pub plan_from: Option<i32>,
    pub plan_to: Option<i32>,
    pub document_url: Option<String>,
}

/// The longest plan accepted, in years.
pub const MAX_PLAN_YEARS: i64 = 10;

/// `adopted` needs a resolution number, an adoption date not in the future and its plan
/// years (first ≤ last, at most ten years). `repealed` may keep the repealed plan's details.
/// `in_preparation` and `draft` may name the planned years and a document, but have no
/// resolution yet; `none` has nothing.
pub fn check_lpres(input: &LpresInput, today: NaiveDate) -> Result<Lpres, FieldErrors> {
    let mut e = FieldErrors::default();
    let Some(status) = e.take("status", LpresStatus::parse(&input.status)) else {
        return Err(e);
    };
    let resolution = input
        .resolution_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let url = input
        .document_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let refuse = |e: &mut FieldErrors, field: &str, present: bool, why: &str| {
        if present {
            e.push(
                field,
                format!("makes no sense for status {}: {why}", status.as_str()),
            );
        }
    };
    match status {
        LpresStatus::None => {
            let why = "a gmina without a plan has no resolution, dates, plan years or document";
            refuse(&mut e, "resolution_number", resolution.is_some(), why);
            refuse(&mut e, "adopted_on", input.adopted_on.is_some(), why);
            refuse(&mut e, "plan_from", input.plan_from.is_some(), why);
            refuse(&mut e, "plan_to", input.plan_to.is_some(), why);
            refuse(&mut e, "document_url", url.is_some(), why);
        }
        LpresStatus::InPreparation | LpresStatus::Draft => {
            let why = "only an adopted (or repealed) plan has a council resolution";
            refuse(&mut e, "resolution_number", resolution.is_some(), why);
            refuse(&mut e, "adopted_on", input.adopted_on.is_some(), why);
        }
        LpresStatus::Adopted => {
            if resolution.is_none() {
                e.push(
                    "resolution_number",
                    "an adopted plan needs the council resolution number, e.g. XLV/512/2023",
                );
            }
            if input.adopted_on.is_none() {
                e.push(
                    "adopted_on",
                    "an adopted plan needs the adoption date, YYYY-MM-DD",
                );
            }
            if input.plan_from.is_none() {
                e.push("plan_from", "an adopted plan needs its first year");
            }
            if input.plan_to.is_none() {
                e.push("plan_to", "an adopted plan needs its last year");
            }
        }
        LpresStatus::Repealed => {}
    }
    let adopted_on =
        input
            .adopted_on
            .as_deref()
            .and_then(|d| match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if date > today => {
                    e.push(
                        "adopted_on",
                        format!(
                            "{date} is in the future; give the date the council adopted the plan"
                        ),
                    );
                    None
                }
                Ok(date) => Some(date),
                Err(_) => {
                    e.push(
                        "adopted_on",
                        format!("`{d}` is not a date; write YYYY-MM-DD"),
                    );
                    None
                }
            });
    let year = |e: &mut FieldErrors, field: &str, y: Option<i64>| {
        y.and_then(|y| match i32::try_from(y) {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                e.push(
                    field,
                    format!("{y} is not a plausible plan year (1990–2100)"),
                );
                None
            }
        })
    };
    let plan_from = year(&mut e, "plan_from", input.plan_from);
    let plan_to = year(&mut e, "plan_to", input.plan_to);
    if let (Some(from), Some(to)) = (plan_from, plan_to) {
        if from > to {
            e.push("plan_to", format!("{to} is before plan_from {from}"));
        } else if i64::from(to - from) + 1 > MAX_PLAN_YEARS {
            e.push(
                "plan_to",
                format!(
                    "{from}–{to} spans {} years; a plan spans at most {MAX_PLAN_YEARS}",
                    to - from + 1
                ),
            );
        }
    }
    if let Some(u) = url {
        if let Err(m) = crate::validation::check_url(u) {
            e.push("document_url", m);
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Lpres {
        status,
        resolution_number: resolution.map(str::to_owned),
        adopted_on,
        plan_from,
        plan_to,
        document_url: url.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn adopted() -> LpresInput {
        LpresInput {
            status: "adopted".into(),
            resolution_number: Some("XLV/512/2023".into()),
            adopted_on: Some("2023-10-26".into()),
            plan_from: Some(2023),
            plan_to: Some(2028),
            document_url: Some("https://bip.kluczbork.pl/lpres.pdf".into()),
        }
    }

    fn fields(input: LpresInput) -> Vec<String> {
        check_lpres(&input, today())
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn kluczbork_is_adopted() {
        let l = check_lpres(&adopted(), today()).unwrap();
        assert_eq!(
            (l.status, l.plan_from, l.plan_to),
            (LpresStatus::Adopted, Some(2023), Some(2028))
        );
    }

    #[test]
    fn adopted_needs_its_resolution_date_and_years() {
        let bare = LpresInput {
            status: "adopted".into(),
            ..Default::default()
        };
        assert_eq!(
            fields(bare),
            ["resolution_number", "adopted_on", "plan_from", "plan_to"]
        );
        assert_eq!(
            fields(LpresInput {
                adopted_on: Some("2027-01-01".into()),
                ..adopted()
            }),
            ["adopted_on"]
        );
        assert_eq!(
            fields(LpresInput {
                adopted_on: Some("26.10.2023".into()),
                ..adopted()
            }),
            ["adopted_on"]
        );
        assert_eq!(
            fields(LpresInput {
                plan_to: Some(2022),
                ..adopted()
            }),
            ["plan_to"]
        );
        assert_eq!(
            fields(LpresInput {
                plan_to: Some(2033),
                ..adopted()
            }),
            ["plan_to"]
        );
        assert!(
            check_lpres(
                &LpresInput {
                    plan_to: Some(2032),
                    ..adopted()
                },
                today()
            )
            .is_ok(),
            "ten years is allowed"
        );
        assert_eq!(
            fields(LpresInput {
                document_url: Some("bip.kluczbork.pl".into()),
                ..adopted()
            }),
            ["document_url"]
        );
    }

    #[test]
    fn other_statuses_refuse_what_makes_no_sense() {
        assert_eq!(
            fields(LpresInput {
                status: "none".into(),
                ..adopted()
            }),
            [
                "resolution_number",
                "adopted_on",
                "plan_from",
                "plan_to",
                "document_url"
            ]
        );
        for status in ["in_preparation", "draft"] {
            assert_eq!(
                fields(LpresInput {
                    status: status.into(),
                    ..adopted()
                }),
                ["resolution_number", "adopted_on"]
            );
            let planned = LpresInput {
                status: status.into(),
                plan_from: Some(2025),
                plan_to: Some(2030),
                ..Default::default()
            };
            assert!(check_lpres(&planned, today()).is_ok());
        }
        assert!(check_lpres(
            &LpresInput {
                status: "repealed".into(),
                ..adopted()
            },
            today()
        )
        .is_ok());
        assert_eq!(
            fields(LpresInput {
                status: "approved".into(),
                ..Default::default()
            }),
            ["status"]
        );
    }
}
