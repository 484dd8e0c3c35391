//! What the domain's types look like in the API's OpenAPI document (feature `openapi`): codes
//! and periods as strings with their pattern, years as integers with their range, statuses as
//! enums. Each pattern states the same rule as the type's `parse`; tests keep them equal.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A string schema with a pattern, a description and an example.
pub fn string_schema(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}
