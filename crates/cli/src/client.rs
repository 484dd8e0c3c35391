//! Talking to rops-hub: bearer token, JSON and CSV bodies, and problem+json turned into a
//! message a person can act on.

use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use reqwest::Method;
use rops_domain::problems_pl as polish;
use serde_json::Value;
use std::fmt;

/// What went wrong, with what to tell the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused the request with a problem document.
    #[error("{0}")]
    Problem(Problem),
    /// Nothing usable came back, or the request could not be sent.
    #[error("{0}")]
    Other(String),
}

/// An RFC 9457 problem as the server sent it.
#[derive(Debug)]
pub struct Problem {
    pub status: u16,
    pub title: String,
    pub detail: String,
    pub errors: Vec<(String, String)>,
}

/// In Polish: the title, then each field's problem (`wiersz 3, kolumna indicator: nieznany
/// wskaźnik …`), or the detail when there are none. A message the client does not know is
/// shown as the server wrote it.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Błąd {}: {}", self.status, polish::title(&self.title))?;
        if self.errors.is_empty() {
            if !self.detail.is_empty() {
                write!(f, "\n{}", polish::message(&self.detail))?;
            }
            return Ok(());
        }
        for (field, message) in &self.errors {
            write!(
                f,
                "\n  - {}: {}",
                polish::field(field),
                polish::message(message)
            )?;
        }
        Ok(())
    }
}

pub struct Client {
    base: String,
    token: Option<String>,
    http: Http,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token,
            http: Http::new(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Sends and returns the response when it succeeded, the problem otherwise.
    pub fn send(&self, req: RequestBuilder) -> Result<Response, Error> {
        let res = req
            .send()
            .map_err(|e| Error::Other(format!("nie udało się połączyć z {}: {e}", self.base)))?;
        if res.status().is_success() {
            return Ok(res);
        }
        let status = res.status().as_u16();
        let body: Value = res.json().unwrap_or(Value::Null);
        let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
        Err(Error::Problem(Problem {
            status,
            title: text("title"),
            detail: text("detail"),
            errors: body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect(),
        }))
    }

    pub fn json(&self, req: RequestBuilder) -> Result<Value, Error> {
        self.send(req)?
            .json()
            .map_err(|e| Error::Other(format!("odpowiedź nie jest JSON: {e}")))
    }
}
