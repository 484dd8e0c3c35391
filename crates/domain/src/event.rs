//! Events of the ROPS activity register: what can be checked without stored data.

use crate::code::code_type;
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

code_type!(
    /// An event of the activity register, as the service numbers it: 16 hexadecimal digits.
    EventId,
    "event id",
    "16 lower-case hexadecimal digits, e.g. 3f2a9c1d0b7e4a56",
    pattern: "^[0-9a-f]{16}$",
    example: "3f2a9c1d0b7e4a56",
    |v| v.len() == 16 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
);

/// What recorded an event revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    Create,
    Update,
    Withdraw,
}

use chrono::NaiveDate;

/// An event as written, before checking.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub event_type: String,
    pub date: String,
    pub subregion: Option<String>,
    pub title: String,
    pub participants: i64,
    pub evidence_url: Option<String>,
}

/// The checked parts: the date (not in the future), participants, title and link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFields {
    pub date: NaiveDate,
    pub participants: i32,
    pub title: String,
    pub evidence_url: Option<String>,
}

pub fn check_event(
    input: &EventInput,
    today: NaiveDate,
    e: &mut FieldErrors,
) -> Option<EventFields> {
    let date = match NaiveDate::parse_from_str(&input.date, "%Y-%m-%d") {
        Ok(d) if d > today => {
            e.push(
                "date",
                format!("{d} is in the future; record events once they took place"),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            e.push(
                "date",
                format!("`{}` is not a date; write YYYY-MM-DD", input.date),
            );
            None
        }
    };
    let participants = match i32::try_from(input.participants) {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            e.push(
                "participants",
                format!(
                    "{} is not a number of people (0 or more)",
                    input.participants
                ),
            );
            None
        }
    };
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        e.push("title", "give a title of 1 to 300 characters");
    }
    let url = input
        .evidence_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if let Some(Err(m)) = url.map(crate::validation::check_url) {
        e.push("evidence_url", m);
    }
    Some(EventFields {
        date: date?,
        participants: participants?,
        title: title.to_owned(),
        evidence_url: url.map(str::to_owned),
    })
}
