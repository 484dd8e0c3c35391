use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::export::{self, Names, Table};
use crate::rollup_cache::{Cached, Lookup, Moment};
use crate::schemas::{CsvText, RollupFormat, Xlsx};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use rops_aggregation::rollup::Rollup;
use rops_aggregation::{rollup, Request, Scope};
use rops_domain::code::{OwesCode, SubregionCode};
use rops_domain::period::{Quarter, Window, Year};
use rops_domain::policy::{Action, Resource};
use rops_domain::stream::Stream;
use rops_domain::territory::RegionCode;
use rops_domain::validation::FieldErrors;
use rops_store::{queries, rollups, DbConnection, StoreResult};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

/// The longest window a rollup covers, in quarters.
pub const MAX_QUARTERS: u32 = 40;

/// The query of every rollup endpoint, as read; which parameters an endpoint documents is
/// in [`RollupWindow`], [`RollupOptions`] and [`CsvTable`].
#[derive(Debug, Default, Deserialize)]
pub struct RollupQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub year: Option<String>,
    pub as_of: Option<String>,
    #[serde(default)]
    pub approved_only: bool,
    pub format: Option<String>,
    pub table: Option<String>,
}

/// Which quarters, as of when, counting what. `year`, or `from` with `to`: not both.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the parameters `RollupQuery` reads.
pub struct RollupWindow {
    /// First quarter of the window (with `to`; not with `year`).
    #[param(value_type = Option<Quarter>, example = "2024-Q1")]
    from: Option<String>,
    /// Last quarter of the window (with `from`; not with `year`).
    #[param(value_type = Option<Quarter>, example = "2024-Q4")]
    to: Option<String>,
    /// A calendar year instead of `from`/`to`; neither means the current year.
    #[param(value_type = Option<Year>)]
    year: Option<String>,
    /// The figures as they were recorded at that moment (RFC 3339, e.g.
    /// `2025-01-31T12:00:00Z`); default now.
    #[param(value_type = Option<String>, format = DateTime)]
    as_of: Option<String>,
    /// Only approved reports count.
    approved_only: Option<bool>,
}

/// How the rollup is answered.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the parameters `RollupQuery` reads.
pub struct RollupOptions {
    /// `json` (default), `csv` or `xlsx`; or ask with the Accept header. Generated clients
    /// read CSV and XLSX from the `…/csv` and `…/xlsx` endpoints, which answer only that.
    #[param(value_type = Option<RollupFormat>, example = "json")]
    format: Option<String>,
    /// Which table a CSV holds, with the columns of the XLSX sheet of that name: `indicators`
    /// (default; Wskaźniki), `targets` (Cele), `completeness` (Kompletność), `lpres` (LPRES),
    /// `results` (Rezultaty) or `coverage` (Pokrycie). An XLSX holds every table; JSON holds
    /// everything.
    #[param(value_type = Option<Table>, inline, example = "indicators")]
    table: Option<String>,
}

/// Which table of the rollup a CSV holds.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the parameter `RollupQuery` reads.
pub struct CsvTable {
    /// Which table the CSV holds, with the columns of the XLSX sheet of that name:
    /// `indicators` (default; Wskaźniki), `targets` (Cele), `completeness` (Kompletność),
    /// `lpres` (LPRES), `results` (Rezultaty) or `coverage` (Pokrycie).
    #[param(value_type = Option<Table>, inline, example = "indicators")]
    table: Option<String>,
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

/// The window (this year's by default) and the moment (now by default), `now` being the
/// application's clock.
fn parse(q: &RollupQuery, req: &HttpRequest, now: DateTime<Utc>) -> Result<Parsed, ApiError> {
    let mut e = FieldErrors::default();
    let window = match (&q.from, &q.to, &q.year) {
        (None, None, None) => Window::year(chrono::Datelike::year(&now)).ok(),
        (None, None, Some(y)) => match Year::parse(y) {
            Ok(y) => Some(Window::of_year(y)),
            Err(_) => {
                e.push(
                    "year",
                    format!("`{y}` is not a year from 1900 to 9999; write e.g. 2024"),
                );
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
        None => Some(now),
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
                    "`{t}` is not a table; use {}",
                    Table::ALL.map(Table::as_str).join(", ")
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
pub(crate) enum Of {
    Region(String),
    Subregion(String),
    Owes(String),
}

async fn respond(
    state: web::Data<AppState>,
    of: Of,
    mut q: RollupQuery,
    req: HttpRequest,
    only: Option<Format>,
) -> Result<HttpResponse, ApiError> {
    // The CSV and XLSX endpoints answer only that; they take no `format` (nor XLSX a table).
    match only {
        Some(Format::Csv) => q.format = Some("csv".into()),
        Some(Format::Xlsx) => {
            q.format = Some("xlsx".into());
            q.table = None;
        }
        _ => {}
    }
    let Parsed { format, table, .. } = parse(&q, &req, state.clock.now())?;
    let spreadsheet = !matches!(format, Format::Json);
    let found = compute_with_series(&state, of, &q, &req, spreadsheet, false).await?;
    if matches!(format, Format::Json) {
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(found.cached.json(found.lookup.moment, found.lookup.now)));
    }
    let mut name = format!(
        "rollup-{}-{}-{}",
        found.cached.scope_code(),
        found.cached.window().from,
        found.cached.window().to
    );
    if matches!(format, Format::Csv) && table != Table::default() {
        name = format!("{name}-{}", table.as_str());
    }
    let xlsx = matches!(format, Format::Xlsx);
    let body = match found.cached.xlsx().filter(|_| xlsx) {
        Some(kept) => kept,
        None => make_spreadsheet(&state, found, xlsx, table).await?,
    };
    let (content_type, extension) = if xlsx {
        (export::XLSX, "xlsx")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{extension}\""),
        ))
        .body(body))
}

/// The workbook (`xlsx`) or the CSV `table` of `found`. Made on the blocking pool, a few at a
/// time: a spreadsheet is CPU work with a few MB of buffers, and many at once would neither
/// stall the server nor pile up memory. A workbook is kept with the rollup (see
/// [`Cached::xlsx`]), so the requests that waited for the one being made are answered with it.
async fn make_spreadsheet(
    state: &AppState,
    found: Computed,
    xlsx: bool,
    table: Table,
) -> Result<Bytes, ApiError> {
    let _turn = state
        .spreadsheets
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    if let Some(kept) = found.cached.xlsx().filter(|_| xlsx) {
        return Ok(kept);
    }
    let rollups = state.rollups.clone();
    web::block(move || {
        let rollup = found.rollup();
        if xlsx {
            let made = export::xlsx(&rollup, &found.names).map_err(|e| e.to_string())?;
            rollups.workbook_made();
            Ok(found.cached.keep_xlsx(Bytes::from(made)))
        } else {
            export::csv(&rollup, &found.names, table)
                .map(Bytes::from)
                .map_err(|e| e.to_string())
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
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
    for e in rops_store::entities::list(conn, region_code, None)? {
        names.add_unit("entity", e.code.to_string(), e.name);
    }
    for g in queries::gminas(conn, Some(region_code), None)? {
        names.add_unit("gmina", g.teryt, g.name);
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

/// The rollup a quarter at a time: what each quarter of the window would answer alone, as
/// kept (not copied: a page reads a few figures of each).
pub(crate) type Series = Vec<(rops_domain::period::Quarter, Arc<Cached>)>;

/// What [`compute_with_series`] found.
pub(crate) struct Computed {
    pub names: Arc<Names>,
    pub series: Series,
    /// The rollup as kept in the cache, with its JSON answer.
    pub cached: Arc<Cached>,
    /// What the rollups were looked up by: the scope's region, the moment, the request's
    /// time and the versions it read.
    pub lookup: Lookup,
}

impl Computed {
    /// The rollup itself (a copy of the cached one, as of this request's moment).
    pub fn rollup(&self) -> Rollup {
        self.cached.rollup(self.lookup.moment, self.lookup.now)
    }
}

/// The rollup `q` asks for, with `with_names` the names of its units, indicators and results
/// (what the JSON, CSV, XLSX answers and the pages show, computed once here), and with
/// `series` also the rollup of each quarter of the window (the same
/// scope, moment and filter), for trend lines: the inputs are read once for all of them.
///
/// Every rollup goes through the cache ([`crate::rollup_cache`]): the scope's region and
/// versions are read first (one read shared by the requests waiting for it,
/// [`crate::shared_reads`]); only the rollups not kept at those versions are computed, from
/// inputs read in a second visit to the database. A connection is held only while the
/// database is read; the rollups themselves are pure CPU and run on the blocking pool
/// afterwards, so other requests never queue behind them.
pub(crate) async fn compute_with_series(
    state: &AppState,
    of: Of,
    q: &RollupQuery,
    req: &HttpRequest,
    with_names: bool,
    series: bool,
) -> Result<Computed, ApiError> {
    let now = state.clock.now();
    let Parsed { window, as_of, .. } = parse(q, req, now)?;
    // A code that is not well formed names nothing: 404, as an unknown one.
    let scope = match &of {
        Of::Region(_) => Scope::Region,
        Of::Subregion(s) => Scope::Subregion(
            SubregionCode::parse(s)
                .map_err(|_| ApiError::NotFound(format!("no subregion with code {s}")))?,
        ),
        Of::Owes(o) => Scope::Owes(
            OwesCode::parse(o).map_err(|_| ApiError::NotFound(format!("no OWES with code {o}")))?,
        ),
    };
    let moment = Moment::of(q.as_of.as_ref().map(|_| as_of), now);
    let mut windows = vec![window];
    if series {
        windows.extend(window.quarters().map(|quarter| Window {
            from: quarter,
            to: quarter,
        }));
    }
    let cache = state.rollups.clone();
    let (approved_only, deadline_days) = (q.approved_only, state.deadline_days);
    let started = std::time::Instant::now();
    // The scope's region and its versions, read after this request arrived (shared with the
    // requests for the same scope waiting meanwhile, see `crate::shared_reads`).
    let gate = match &of {
        Of::Region(code) => format!("region {code}"),
        Of::Subregion(code) => format!("subregion {code}"),
        Of::Owes(code) => format!("owes {code}"),
    };
    let (region_code, versions) = state
        .versions
        .read(&gate, started, || {
            state.db(move |conn| {
                let region_code = match &of {
                    Of::Region(code) => code.clone(),
                    Of::Subregion(s) => rollups::region_of_subregion(conn, s)?,
                    Of::Owes(o) => rollups::region_of_owes(conn, o)?,
                };
                let versions = rollups::versions(conn, &region_code)?;
                Ok((region_code, versions))
            })
        })
        .await?;
    let lookup = Lookup {
        region: region_code,
        scope: scope.clone(),
        moment,
        approved_only,
        deadline_days,
        versions,
        now,
    };
    let kept = lookup.clone();
    let found: Vec<_> = windows.iter().map(|w| cache.get(&lookup, *w)).collect();
    let names = with_names.then(|| cache.names.get(&lookup)).flatten();
    let missing: Vec<Window> = windows
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(w, _)| *w)
        .collect();
    // Rollups not kept: read what they need (and names not kept) in one visit, a few at a time.
    let _turn = if missing.is_empty() {
        None
    } else {
        Some(
            state
                .rollup_turns
                .acquire()
                .await
                .map_err(ApiError::internal)?,
        )
    };
    let (inputs, names) = if missing.is_empty() && (names.is_some() || !with_names) {
        (None, names)
    } else {
        let lookup = lookup.clone();
        state
            .db(move |conn| {
                let inputs = if missing.is_empty() {
                    None
                } else {
                    let reading = rollups::Reading {
                        windows: &missing,
                        as_of: moment.as_of(),
                    };
                    let reference = cache
                        .references
                        .get_or_read(&lookup, || rollups::reference(conn, &lookup.region))?;
                    Some(rollups::inputs_from(conn, &reference, reading)?)
                };
                let names = match (with_names, names) {
                    (false, _) => None,
                    (true, Some(n)) => Some(n),
                    (true, None) => Some(
                        cache
                            .names
                            .get_or_read(&lookup, || self::names(conn, &lookup.region))?,
                    ),
                };
                Ok((inputs, names))
            })
            .await?
    };
    let read_ms = started.elapsed().as_secs_f64() * 1000.0;
    let computed = found.iter().filter(|f| f.is_none()).count();
    let cache = state.rollups.clone();
    let entries: Vec<Arc<Cached>> = web::block(move || {
        windows
            .iter()
            .zip(found)
            .map(|(w, hit)| match (hit, &inputs) {
                (Some(hit), _) => Ok(hit),
                (None, Some(inputs)) => {
                    let request = Request {
                        scope: scope.clone(),
                        window: *w,
                        as_of,
                        approved_only,
                        deadline_days,
                    };
                    let made = Arc::new(Cached::new(rollup(inputs, &request))?);
                    cache.insert(&lookup, *w, made.clone());
                    Ok(made)
                }
                (None, None) => Err(serde::ser::Error::custom("a missing rollup had no inputs")),
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    if computed > 0 {
        tracing::debug!(
            scope = %scope_code(&entries),
            computed,
            read_ms,
            compute_ms = started.elapsed().as_secs_f64() * 1000.0 - read_ms,
            "rollups computed"
        );
    }
    let mut entries = entries.into_iter();
    let whole = entries
        .next()
        .ok_or_else(|| ApiError::internal("no rollup was computed"))?;
    let quarters: Series = window.quarters().zip(entries).collect();
    Ok(Computed {
        names: names.unwrap_or_default(),
        series: quarters,
        cached: whole,
        lookup: kept,
    })
}

/// The code of the scope the rollups are of.
fn scope_code(entries: &[Arc<Cached>]) -> String {
    entries
        .first()
        .map(|e| e.scope_code().to_owned())
        .unwrap_or_default()
}

/// What every rollup endpoint's description says.
macro_rules! rollup_doc {
    () => {
        "Computed from the live data at request time, as recorded at `as_of` (default now), for `from`..`to` quarters or a `year` (default the current year; at most 40 quarters). `approved_only=true` counts approved reports only. Every table has one row per measure, level (`poziom`) and unit."
    };
}

/// Declares the three endpoints of one rollup scope: JSON (or CSV/XLSX by `format`), CSV, XLSX.
macro_rules! rollup_endpoint {
    (
        ($fn:ident, $op:literal, $path:literal),
        ($csv_fn:ident, $csv_op:literal, $csv_path:literal),
        ($xlsx_fn:ident, $xlsx_op:literal, $xlsx_path:literal),
        ($param_ty:ident, $param:literal, $example:literal), $doc:literal,
        |$caller:ident, $code:ident, $state:ident| $check:expr, $of:expr
    ) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = rollup_doc!()]
        #[doc = ""]
        #[doc = "`format=xlsx` gives the same figures as a workbook with the sheets Wskaźniki, Cele, Kompletność, LPRES, Rezultaty and Pokrycie (Polish names beside the codes, numbers formatted per unit); `format=csv` (or Accept: text/csv) gives one of those tables, chosen with `table`, for Excel in Polish settings (UTF-8 with BOM, `;`, decimal comma). The `…/csv` and `…/xlsx` endpoints answer the same files and nothing else, for clients generated from this document."]
        #[utoipa::path(
            operation_id = $op,
            tag = "rollups",
            params(("code" = $param_ty, Path, description = $param, example = $example), RollupWindow, RollupOptions),
            responses(
                (status = 200, description = "The rollup as JSON, or as CSV (text/csv) or XLSX with `format` or Accept",
                    content(
                        (Rollup = "application/json"),
                        (CsvText = "text/csv"),
                        (Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    )),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown scope code", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Bad window, as_of, format or table", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($path)]
        pub async fn $fn(
            $state: web::Data<AppState>,
            $caller: Caller,
            $code: web::Path<String>,
            query: web::Query<RollupQuery>,
            req: HttpRequest,
        ) -> Result<HttpResponse, ApiError> {
            let $code = $code.into_inner();
            $check?;
            respond($state, $of, query.into_inner(), req, None).await
        }

        #[doc = $doc]
        #[doc = ""]
        #[doc = "As CSV: one table of the rollup, chosen with `table`, for Excel in Polish settings (UTF-8 with BOM, `;`, decimal comma)."]
        #[doc = ""]
        #[doc = rollup_doc!()]
        #[utoipa::path(
            operation_id = $csv_op,
            tag = "rollups",
            params(("code" = $param_ty, Path, description = $param, example = $example), RollupWindow, CsvTable),
            responses(
                (status = 200, description = "One table of the rollup as CSV", content((CsvText = "text/csv"))),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown scope code", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Bad window, as_of or table", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($csv_path)]
        pub async fn $csv_fn(
            $state: web::Data<AppState>,
            $caller: Caller,
            $code: web::Path<String>,
            query: web::Query<RollupQuery>,
            req: HttpRequest,
        ) -> Result<HttpResponse, ApiError> {
            let $code = $code.into_inner();
            $check?;
            respond($state, $of, query.into_inner(), req, Some(Format::Csv)).await
        }

        #[doc = $doc]
        #[doc = ""]
        #[doc = "As an XLSX workbook with the sheets Wskaźniki, Cele, Kompletność, LPRES, Rezultaty and Pokrycie (Polish names beside the codes, numbers formatted per unit)."]
        #[doc = ""]
        #[doc = rollup_doc!()]
        #[utoipa::path(
            operation_id = $xlsx_op,
            tag = "rollups",
            params(("code" = $param_ty, Path, description = $param, example = $example), RollupWindow),
            responses(
                (status = 200, description = "The rollup as an XLSX workbook", content((Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown scope code", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Bad window or as_of", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[get($xlsx_path)]
        pub async fn $xlsx_fn(
            $state: web::Data<AppState>,
            $caller: Caller,
            $code: web::Path<String>,
            query: web::Query<RollupQuery>,
            req: HttpRequest,
        ) -> Result<HttpResponse, ApiError> {
            let $code = $code.into_inner();
            $check?;
            respond($state, $of, query.into_inner(), req, Some(Format::Xlsx)).await
        }
    };
}

rollup_endpoint!(
    (region, "get_region_rollup", "/rollups/regions/{code}"),
    (region_csv, "get_region_rollup_csv", "/rollups/regions/{code}/csv"),
    (region_xlsx, "get_region_rollup_xlsx", "/rollups/regions/{code}/xlsx"),
    (RegionCode, "Region code", "16"),
    "The region's rollup: every indicator with its subregions and OWES, completeness, LPRES, results, every target (analyst, admin).",
    |caller, code, state| caller.may(Action::ReadRollup, Resource::Region(&code)), Of::Region(code));
rollup_endpoint!(
    (
        subregion,
        "get_subregion_rollup",
        "/rollups/subregions/{code}"
    ),
    (
        subregion_csv,
        "get_subregion_rollup_csv",
        "/rollups/subregions/{code}/csv"
    ),
    (
        subregion_xlsx,
        "get_subregion_rollup_xlsx",
        "/rollups/subregions/{code}/xlsx"
    ),
    (SubregionCode, "Subregion code", "OPL-PN"),
    "A subregion's rollup (analyst, admin).",
    |caller, code, state| caller
        .may_at(&state, Action::ReadRollup, Resource::Subregion(&code))
        .await,
    Of::Subregion(code)
);
rollup_endpoint!(
    (owes, "get_owes_rollup", "/rollups/owes/{code}"),
    (owes_csv, "get_owes_rollup_csv", "/rollups/owes/{code}/csv"),
    (owes_xlsx, "get_owes_rollup_xlsx", "/rollups/owes/{code}/xlsx"),
    (OwesCode, "OWES code", "OWES-PN"),
    "An OWES's rollup: its own reports, and its subregion for gmina figures (analyst, admin, that OWES).",
    |caller, code, state| caller.may_at(&state, Action::ReadRollup, Resource::Unit(Stream::Owes, &code)).await,
    Of::Owes(code));
