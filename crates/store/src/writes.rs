//! Admin writes to reference data through the API, inside the caller's write transaction.

use crate::conn::require_transaction;
use crate::queries;
use crate::rows::{OwesRow, SubregionPowiatRow, SubregionRow};
use crate::schema;
use crate::views::{ImportSummary, OwesView, SubregionDetail};
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::period::Quarter;
use rops_domain::territory::{PowiatCode, RegionCode};
use rops_domain::validation::FieldError;

/// Whether a PUT created the resource or replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
}

/// An OWES as an admin writes it.
#[derive(Debug, Clone)]
pub struct OwesInput {
    pub name: String,
    pub subregion: SubregionCode,
    pub active_from: Quarter,
    pub active_to: Option<Quarter>,
}

/// A subregion as an admin writes it.
#[derive(Debug, Clone)]
pub struct SubregionInput {
    pub region: RegionCode,
    pub name: String,
    pub powiats: Vec<PowiatCode>,
}

pub fn put_owes(
    conn: &mut DbConnection,
    code: &OwesCode,
    input: &OwesInput,
) -> StoreResult<(OwesView, Put)> {
    require_transaction(conn)?;
    let mut errors = Vec::new();
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "must not be empty"));
    }
    let subregion_exists = schema::subregions::table
        .find(input.subregion.as_str())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !subregion_exists {
        errors.push(FieldError::new(
            "subregion",
            format!(
                "subregion {} does not exist; GET /api/v1/regions/{{code}} lists them",
                input.subregion
            ),
        ));
    }
    if input.active_to.is_some_and(|to| to < input.active_from) {
        errors.push(FieldError::new(
            "active_to",
            "must not be before active_from",
        ));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let row = OwesRow {
        code: code.to_string(),
        name: input.name.trim().to_owned(),
        subregion_code: input.subregion.to_string(),
        active_from: input.active_from.to_string(),
        active_to: input.active_to.map(|q| q.to_string()),
    };
    let exists = schema::owes::table
        .find(code.as_str())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    let put = if exists {
        diesel::update(schema::owes::table.find(code.as_str()))
            .set(&row)
            .execute(conn)?;
        Put::Updated
    } else {
        diesel::insert_into(schema::owes::table)
            .values(&row)
            .execute(conn)?;
        Put::Created
    };
    let view = queries::owes(conn, code.as_str())?
        .ok_or_else(|| StoreError::NotFound(format!("OWES {code}")))?;
    Ok((view, put))
}

pub fn put_subregion(
    conn: &mut DbConnection,
    code: &SubregionCode,
    input: &SubregionInput,
) -> StoreResult<(SubregionDetail, Put)> {
    require_transaction(conn)?;
    let mut errors = Vec::new();
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "must not be empty"));
    }
    let existing: Option<SubregionRow> = schema::subregions::table
        .find(code.as_str())
        .select(SubregionRow::as_select())
        .first(conn)
        .optional()?;
    let region_exists = schema::regions::table
        .find(input.region.as_str())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !region_exists {
        errors.push(FieldError::new(
            "region",
            format!("region {} does not exist", input.region),
        ));
    }
    if let Some(old) = &existing {
        if old.region_code != input.region.as_str() {
            errors.push(FieldError::new(
                "region",
                format!("subregion {code} belongs to region {}; a subregion cannot move to another region", old.region_code),
            ));
        }
    }
    for (i, p) in input.powiats.iter().enumerate() {
        let field = format!("powiats[{i}]");
        if input.powiats[..i].contains(p) {
            errors.push(FieldError::new(
                field,
                format!("powiat {p} is listed twice"),
            ));
            continue;
        }
        let region: Option<String> = schema::powiats::table
            .find(p.as_str())
            .select(schema::powiats::region_code)
            .first(conn)
            .optional()?;
        let owner: Option<String> = schema::subregion_powiats::table
            .find(p.as_str())
            .select(schema::subregion_powiats::subregion_code)
            .first(conn)
            .optional()?;
        match (region, owner) {
            (None, _) => errors.push(FieldError::new(field, format!("powiat {p} does not exist"))),
            (Some(r), _) if r != input.region.as_str() => errors.push(FieldError::new(
                field,
                format!("powiat {p} lies in region {r}, not {}", input.region),
            )),
            (_, Some(other)) if other != code.as_str() => errors.push(FieldError::new(
                field,
                format!("powiat {p} already belongs to subregion {other}; remove it there first"),
            )),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let row = SubregionRow {
        code: code.to_string(),
        region_code: input.region.to_string(),
        name: input.name.trim().to_owned(),
    };
    let put = if existing.is_some() {
        diesel::update(schema::subregions::table.find(code.as_str()))
            .set(&row)
            .execute(conn)?;
        Put::Updated
    } else {
        diesel::insert_into(schema::subregions::table)
            .values(&row)
            .execute(conn)?;
        Put::Created
    };
    let powiats: Vec<String> = input.powiats.iter().map(ToString::to_string).collect();
    set_subregion_powiats(conn, code.as_str(), &powiats, &mut ImportSummary::default())?;
    let view = queries::subregion(conn, code.as_str())?
        .ok_or_else(|| StoreError::NotFound(format!("subregion {code}")))?;
    Ok((view, put))
}

/// Makes `powiats` exactly the subregion's powiats, taking any of them from another
/// subregion. Returns how many it removed from this one.
pub(crate) fn set_subregion_powiats(
    conn: &mut DbConnection,
    subregion: &str,
    powiats: &[String],
    summary: &mut ImportSummary,
) -> StoreResult<usize> {
    use schema::subregion_powiats::dsl as sp;
    let removed = diesel::delete(
        sp::subregion_powiats
            .filter(sp::subregion_code.eq(subregion))
            .filter(sp::powiat_code.ne_all(powiats)),
    )
    .execute(conn)?;
    for p in powiats {
        let owner: Option<String> = sp::subregion_powiats
            .find(p)
            .select(sp::subregion_code)
            .first(conn)
            .optional()?;
        let row = SubregionPowiatRow {
            powiat_code: p.clone(),
            subregion_code: subregion.to_owned(),
        };
        match owner.as_deref() {
            Some(o) if o == subregion => summary.unchanged += 1,
            Some(_) => {
                diesel::update(sp::subregion_powiats.find(p))
                    .set(&row)
                    .execute(conn)?;
                summary.updated += 1;
            }
            None => {
                diesel::insert_into(sp::subregion_powiats)
                    .values(&row)
                    .execute(conn)?;
                summary.created += 1;
            }
        }
    }
    Ok(removed)
}
