use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::export::{self, Names, Table};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use rops_aggregation::rollup::Rollup;
use rops_aggregation::{rollup, Request, Scope};
use rops_domain::period::{Quarter, Window};
use rops_domain::role::Role;
use rops_domain::validation::FieldErrors;
use rops_store::{queries, rollups, DbConnection, StoreResult};
use serde::Deserialize;
use utoipa::IntoParams;

/// The longest window a rollup covers, in quarters.
pub const MAX_QUARTERS: u32 = 40;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    /// First quarter of the window (with `to`).
    #[param(example = "2024-Q1")]
    pub from: Option<String>,
    /// Last quarter of the window (with `from`).
    #[param(example = "2024-Q4")]
    pub to: Option<String>,
    /// A calendar year instead of `from`/`to`; neither means the current year.
    #[param(example = 2024)]
    pub year: Option<String>,
    /// The figures as they were recorded at that moment (RFC 3339); default now.
    #[param(example = "2025-01-31T12:00:00Z")]
    pub as_of: Option<String>,
    /// Only approved reports count.
    #[serde(default)]
    pub approved_only: bool,
    /// `json` (default), `csv` or `xlsx`; or ask with the Accept header.
    #[param(example = "json")]
    pub format: Option<String>,
    /// Which table a CSV holds, with the columns of the XLSX sheet of that name: `indicators`
    /// (default; Wskaźniki), `targets` (Cele), `completeness` (Kompletność), `lpres` (LPRES)
    /// or `results` (Rezultaty). An XLSX holds every table; JSON holds everything.
    #[param(value_type = Option<Table>, inline, example = "indicators")]
    pub table: Option<String>,
}

enum Format {
    Json,
    Csv,
    Xlsx,
}

struct Parsed {
    window: Window,
    as_of: DateTime<Utc>,
    format: Format,
    table: Table,
}

fn parse(q: &RollupQuery, req: &HttpRequest) -> Result<Parsed, ApiError> {
    let mut e = FieldErrors::default();
    let window = match (&q.from, &q.to, &q.year) {
        (None, None, None) => Window::year(chrono::Datelike::year(&Utc::now())).ok(),
        (None, None, Some(y)) => match y.parse::<i32>() {
            Ok(y) if y.to_string().len() == 4 => e.take("year", Window::year(y)),
            _ => {
                e.push("year", format!("`{y}` is not a year; write e.g. 2024"));
                None
            }
        },
        (Some(from), Some(to), None) => {
            let from = e.take("from", Quarter::parse(from));
            let to = e.take("to", Quarter::parse(to));
            match (from, to) {
                (Some(f), Some(t)) if f > t => {
                    e.push("to", format!("{t} is before from {f}"));
                    None
                }
                (Some(f), Some(t)) => e.take("to", Window::new(f, t)),
                _ => None,
            }
        }
        (_, _, Some(_)) => {
            e.push("year", "give either year or from and to, not both");
            None
        }
        _ => {
            e.push(
                if q.from.is_none() { "from" } else { "to" },
                "a window needs both from and to (quarters), or year",
            );
            None
        }
    };
    if let Some(w) = window.filter(|w| w.quarter_count() > MAX_QUARTERS) {
        e.push(
            "to",
            format!(
                "the window spans {} quarters; at most {MAX_QUARTERS}",
                w.quarter_count()
            ),
        );
    }
    let as_of = match &q.as_of {
        None => Some(Utc::now()),
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                e.push(
                    "as_of",
                    format!("`{t}` is not an RFC 3339 moment; write e.g. 2025-01-31T12:00:00Z"),
                );
                None
            }
        },
    };
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = match q.format.as_deref() {
        Some("json") => Some(Format::Json),
        Some("csv") => Some(Format::Csv),
        Some("xlsx") => Some(Format::Xlsx),
        Some(other) => {
            e.push(
                "format",
                format!("`{other}` is not a format; use json, csv or xlsx"),
            );
            None
        }
        None if accept.contains("text/csv") => Some(Format::Csv),
        None if accept.contains(export::XLSX) => Some(Format::Xlsx),
        None => Some(Format::Json),
    };
    let table = match q.table.as_deref() {
        None => Some(Table::default()),
        Some(t) => Table::parse(t).or_else(|| {
            e.push(
                "table",
                format!(
                    "`{t}` is not a table; use indicators, targets, completeness, lpres or results"
                ),
            );
            None
        }),
    };
    match (window, as_of, format, table) {
        (Some(window), Some(as_of), Some(format), Some(table)) if e.is_empty() => Ok(Parsed {
            window,
            as_of,
            format,
            table,
        }),
        _ => Err(ApiError::validation(e.into_vec())),
    }
}

/// Which rollup: the region's code, or a subregion or an OWES.
enum Of {
    Region(String),
    Subregion(String),
    Owes(String),
}

async fn respond(
    state: web::Data<AppState>,
    of: Of,
    q: RollupQuery,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Parsed {
        window,
        as_of,
        format,
        table,
    } = parse(&q, &req)?;
    let scope = match &of {
        Of::Region(_) => Scope::Region,
        Of::Subregion(s) => Scope::Subregion(s.clone()),
        Of::Owes(o) => Scope::Owes(o.clone()),
    };
    let request = Request {
        scope,
        window,
        as_of,
        approved_only: q.approved_only,
        deadline_days: state.deadline_days,
    };
    let spreadsheet = !matches!(format, Format::Json);
    let (rollup, names): (Rollup, Names) = state
        .db(move |conn| {
            let region_code = match &of {
                Of::Region(code) => code.clone(),
                Of::Subregion(s) => rollups::region_of_subregion(conn, s)?,
                Of::Owes(o) => rollups::region_of_owes(conn, o)?,
            };
            let inputs = rollups::inputs(conn, &region_code)?;
            let names = if spreadsheet {
                names(conn, &region_code)?
            } else {
                Names::default()
            };
            Ok((rollup(&inputs, &request), names))
        })
        .await?;
    let mut name = format!("rollup-{}-{}-{}", rollup.scope.code, rollup.from, rollup.to);
    if matches!(format, Format::Csv) && table != Table::default() {
        name = format!("{name}-{}", table.as_str());
    }
    Ok(match format {
        Format::Json => HttpResponse::Ok().json(rollup),
        Format::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ))
            .body(export::csv(&rollup, &names, table).map_err(ApiError::internal)?),
        Format::Xlsx => HttpResponse::Ok()
            .content_type(export::XLSX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.xlsx\""),
            ))
            .body(export::xlsx(&rollup, &names).map_err(ApiError::internal)?),
    })
}

/// The names a spreadsheet writes beside the codes: the region's, its subregions' and OWES',
/// and the catalogue's indicators, event types and results.
fn names(conn: &mut DbConnection, region_code: &str) -> StoreResult<Names> {
    let mut names = Names::default();
    if let Some(r) = queries::region(conn, region_code)? {
        names.add_unit("region", r.code, r.name);
        for s in r.subregions {
            names.add_unit("subregion", s.code, s.name);
        }
    }
    for o in queries::owes_list(conn, Some(region_code))? {
        names.add_unit("owes", o.code, o.name);
    }
    let catalogue = queries::catalogue(conn)?;
    for i in catalogue.indicators {
        names.add_indicator(i.code, i.name_pl);
    }
    for e in catalogue.event_types {
        names.add_indicator(e.code, e.name_pl);
    }
    for item in catalogue.result_groups.into_iter().flat_map(|g| g.items) {
        names.add_result(item.code, item.name_pl);
    }
    Ok(names)
}

macro_rules! rollup_endpoint {
    ($fn:ident, $op:literal, $path:literal, $param:literal, $example:literal, $doc:literal, |$caller:ident, $code:ident| $check:expr, $of:expr) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = "Computed from the live data at request time, as recorded at `as_of` (default now), for `from`..`to` quarters or a `year` (default the current year; at most 40 quarters). `approved_only=true` counts approved reports only. `format=xlsx` gives the same figures as a workbook with the sheets Wskaźniki, Cele, Kompletność, LPRES and Rezultaty (Polish names beside the codes, numbers formatted per unit); `format=csv` (or Accept: text/csv) gives one of those tables, chosen with `table`, for Excel in Polish settings (UTF-8 with BOM, `;`, decimal comma). Every table has one row per measure, level (`poziom`) and unit."]
        #[utoipa::path(
            operation_id = $op,
            tag = "rollups",
            params(("code" = String, Path, description = $param, example = $example), RollupQuery),
            responses(
                (status = 200, description = "The rollup as JSON, or as CSV (text/csv) or XLSX with `format` or Accept", body = Rollup,
                    content(
                        (Rollup = "application/json"),
                        (String = "text/csv"),
                        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    )),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown scope code", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Bad window, as_of, format or table", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($path)]
        pub async fn $fn(
            state: web::Data<AppState>,
            $caller: Caller,
            $code: web::Path<String>,
            query: web::Query<RollupQuery>,
            req: HttpRequest,
        ) -> Result<HttpResponse, ApiError> {
            let $code = $code.into_inner();
            $check?;
            respond(state, $of, query.into_inner(), req).await
        }
    };
}

rollup_endpoint!(region, "get_region_rollup", "/rollups/regions/{code}", "Region code", "16",
    "The region's rollup: every indicator with its subregions and OWES, completeness, LPRES, results, every target (analyst, admin).",
    |caller, code| caller.require_rops("read rollups"), Of::Region(code));
rollup_endpoint!(
    subregion,
    "get_subregion_rollup",
    "/rollups/subregions/{code}",
    "Subregion code",
    "OPL-PN",
    "A subregion's rollup (analyst, admin).",
    |caller, code| caller.require_rops("read rollups"),
    Of::Subregion(code)
);
rollup_endpoint!(owes, "get_owes_rollup", "/rollups/owes/{code}", "OWES code", "OWES-PN",
    "An OWES's rollup: its own reports, and its subregion for gmina figures (analyst, admin, that OWES).",
    |caller, code| match caller.role {
        Role::Owes if caller.org.as_deref() == Some(code.as_str()) => Ok(()),
        Role::Owes => Err(ApiError::Forbidden(format!("this token is for OWES {}; it cannot read the rollup of OWES {code}", caller.org.as_deref().unwrap_or("?")))),
        _ => caller.require_rops("read rollups"),
    },
    Of::Owes(code));
