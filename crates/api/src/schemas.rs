//! The parts of the OpenAPI document that no domain type carries: file bodies (CSV text, XLSX
//! bytes), the `If-Match` header, the formats, event ids, and what the catalogue shipped with
//! the service allows (event types, results checklist codes, the indicators of each report's
//! `values`). Codes, periods and statuses take their schemas from the domain types (feature
//! `openapi` of rops-domain).
//!
//! The catalogue enums describe the catalogue the service ships and loads into an empty
//! database (`crates/store/reference/opolskie.json`, seed 001); `GET /indicators` lists the one
//! in force.

use rops_domain::indicator::{Stream, Unit};
use rops_domain::number::MAX_COUNT;
use rops_domain::reference::ReferenceFile;
use std::sync::OnceLock;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::IntoParams;

/// The catalogue the service ships, read once.
fn shipped() -> Option<&'static ReferenceFile> {
    static FILE: OnceLock<Option<ReferenceFile>> = OnceLock::new();
    FILE.get_or_init(|| rops_store::reference::parse(rops_store::reference::SAMPLE_REGION).ok())
        .as_ref()
}

fn string_enum(description: &str, values: Vec<String>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// Declares a schema-only type: `$name` is a component named after it, built by `$schema`.
macro_rules! schema_type {
    ($(#[$meta:meta])* $name:ident, $schema:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use schema_type;

schema_type!(
    /// An XLSX workbook, as bytes.
    Xlsx,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .description(Some("An XLSX workbook (Office Open XML), as bytes"))
        .into()
);

schema_type!(
    /// A CSV file, as text.
    CsvText,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("CSV text"))
        .into()
);

schema_type!(
    /// One or more ETags as `If-Match` takes them.
    ETags,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(
            r#"^(\*|(W/)?("[0-9]{1,9}"|[0-9]{1,9})( *, *(W/)?("[0-9]{1,9}"|[0-9]{1,9})){0,7})$"#,
        ))
        .description(Some(
            "An ETag as read (`\"3\"`), up to 8 of them separated by commas, or `*`",
        ))
        .into()
);

schema_type!(
    /// An event of the register: 16 lower-case hexadecimal digits.
    EventId,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9a-f]{16}$"))
        .description(Some("An event id: 16 lower-case hexadecimal digits"))
        .into()
);

schema_type!(
    /// How a rollup is answered.
    RollupFormat,
    string_enum(
        "json (the default), csv or xlsx",
        ["json", "csv", "xlsx"].map(String::from).to_vec()
    )
);

schema_type!(
    /// How an import template is answered.
    TemplateFormat,
    string_enum(
        "csv (the default) or xlsx",
        ["csv", "xlsx"].map(String::from).to_vec()
    )
);

schema_type!(
    /// An event type of the catalogue.
    EventType,
    string_enum(
        "An event type of the catalogue (`GET /indicators`, `event_types`)",
        shipped()
            .map(|f| f.event_types.iter().map(|e| e.code.to_string()).collect())
            .unwrap_or_default()
    )
);

schema_type!(
    /// A code of the gmina results checklist.
    ResultItemCode,
    string_enum(
        "A result of the checklist (`GET /indicators`, `result_groups`)",
        shipped()
            .map(|f| {
                f.result_groups
                    .iter()
                    .flat_map(|g| g.items.iter().map(|i| i.code.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    )
);

schema_type!(
    /// A quarter (`2024-Q1`) or a day (`2024-01-15`).
    QuarterOrDay,
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(rops_domain::period::Quarter::schema())
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .description(Some("A quarter (`2024-Q1`) or a day (`2024-01-15`)"))
        .into()
);

/// The largest amount of money a value may hold, in złoty.
const MAX_PLN: u64 = 1_000_000_000_000;

/// An object with one optional property per reported indicator of `stream`: counts as whole
/// numbers, money as numbers (at most two decimals), null to leave it out of a draft.
/// `closed`: no other property is allowed (what a request may send).
pub(crate) fn values(stream: Stream, closed: bool) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new().schema_type(Type::Object).description(Some(
        "Indicator code → value: counts are whole numbers, money (`*_pln`) has at most two decimals; null leaves it out of a draft",
    ));
    for def in shipped()
        .into_iter()
        .flat_map(|f| &f.indicators)
        .filter(|d| d.stream == stream)
    {
        let (kind, max) = match def.unit {
            Unit::Count => (Type::Integer, MAX_COUNT),
            Unit::Pln => (Type::Number, MAX_PLN),
            // Shares are computed, never reported.
            Unit::Share => continue,
        };
        object = object.property(
            def.code.as_str(),
            ObjectBuilder::new()
                .schema_type(SchemaType::Array(vec![kind, Type::Null]))
                .minimum(Some(0))
                .maximum(Some(max))
                .description(Some(def.name_pl.clone())),
        );
    }
    if closed {
        object =
            object.additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    }
    object.into()
}

/// The `If-Match` header of the operations that change a versioned resource.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The ETag as read (`"0"` for an LPRES status never set); a stale one gets 412. Without
    /// it, the change applies to whatever is current.
    #[param(rename = "If-Match", value_type = Option<ETags>)]
    pub if_match: Option<String>,
}
