//! Cross-origin requests (CORS), for dashboards hosted elsewhere. Closed unless
//! `ROPS_CORS_ORIGINS` lists origins: then a browser page from one of them may call the API
//! (credentials off: the page sends its bearer token itself), and its preflight is answered.
//! Requests from any other origin get no CORS header, so browsers keep their answers from the
//! page; they are not refused, so the service's own pages (`/docs`) work as before.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use std::sync::Arc;

/// Methods a cross-origin page may use.
pub const METHODS: &str = "GET, HEAD, PUT, POST, DELETE";
/// Request headers a cross-origin page may send.
pub const REQUEST_HEADERS: &str = "Authorization, Content-Type, If-Match";
/// Response headers a cross-origin page may read besides the simple ones.
pub const EXPOSED_HEADERS: &str = "ETag, X-Request-Id, Content-Disposition";

/// The origins allowed to call the API from a browser; none by default.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    origins: Arc<Vec<String>>,
}

impl Cors {
    /// Allows exactly these origins (`https://host[:port]`, as [`parse_origin`] reads them).
    pub fn new(origins: Vec<String>) -> Self {
        Self {
            origins: Arc::new(origins),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.origins.is_empty()
    }

    /// Whether a request's `Origin` is one of the allowed (scheme and host compare
    /// case-insensitively, as browsers serialize them in lower case).
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// Reads one origin of `ROPS_CORS_ORIGINS`: `http://` or `https://`, a host, an optional
/// port, nothing after (no path, no trailing slash, no `*`). Returned in lower case.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or_default();
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if valid {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!(
            "`{text}` is not an origin; write it as a browser sends it, e.g. https://dashboard.example.org or http://localhost:3000"
        ))
    }
}

fn set(headers: &mut header::HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// The middleware: answers an allowed origin's preflight, and marks the responses to an
/// allowed origin as readable by it.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let cors = req
        .app_data::<web::Data<Cors>>()
        .map(|c| c.get_ref().clone())
        .unwrap_or_default();
    if cors.is_closed() {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| cors.allows(o))
        .map(str::to_owned);
    let Some(origin) = origin else {
        let mut res = next.call(req).await?;
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Origin"));
        return Ok(res.map_into_left_body());
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let mut res = HttpResponse::build(StatusCode::NO_CONTENT).finish();
        crate::guard::security_headers(&mut res, req.path());
        let h = res.headers_mut();
        set(h, header::ACCESS_CONTROL_ALLOW_ORIGIN, &origin);
        set(h, header::ACCESS_CONTROL_ALLOW_METHODS, METHODS);
        set(h, header::ACCESS_CONTROL_ALLOW_HEADERS, REQUEST_HEADERS);
        set(h, header::ACCESS_CONTROL_MAX_AGE, "600");
        set(
            h,
            header::VARY,
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        );
        return Ok(req.into_response(res).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    set(h, header::ACCESS_CONTROL_ALLOW_ORIGIN, &origin);
    set(h, header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    Ok(res.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        assert_eq!(
            parse_origin(" https://Dashboard.example.org ").unwrap(),
            "https://dashboard.example.org"
        );
        assert!(parse_origin("http://localhost:3000").is_ok());
        for bad in [
            "*",
            "dashboard.example.org",
            "https://",
            "https://example.org/",
            "https://example.org/path",
            "ftp://example.org",
            "https://exa mple.org",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        let cors = Cors::new(vec!["https://dashboard.example.org".into()]);
        assert!(cors.allows("https://dashboard.example.org"));
        assert!(cors.allows("HTTPS://DASHBOARD.EXAMPLE.ORG"));
        assert!(!cors.allows("https://evil.example.org"));
        assert!(Cors::default().is_closed());
    }
}
