//! Input problems tied to a field, as the API reports them in `errors`.

use serde::Serialize;

/// One problem with one field of a request, e.g. `values.jobs_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
