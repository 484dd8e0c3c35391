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

/// Gathers every field problem of a request, so one answer names them all.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the parsed value, or records why `field` did not parse.
    pub fn take<T>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, crate::ParseError>,
    ) -> Option<T> {
        parsed
            .map_err(|e| self.0.push(FieldError::new(field, e.to_string())))
            .ok()
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// A web address a person can open: http or https, no spaces, at most 2,000 characters.
pub fn check_url(url: &str) -> Result<(), String> {
    let ok_scheme = url.starts_with("https://") || url.starts_with("http://");
    let host = url.split("://").nth(1).unwrap_or_default();
    if !ok_scheme || host.is_empty() || host.starts_with('/') {
        Err(format!(
            "`{url}` is not a web address; give an http:// or https:// link"
        ))
    } else if url.len() > 2000 || url.chars().any(char::is_whitespace) {
        Err("a link has no spaces and at most 2,000 characters".into())
    } else {
        Ok(())
    }
}
