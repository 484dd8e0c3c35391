//! What every response and every request body goes through, whatever the route: security
//! headers, a deadline for receiving a body, and a cap on one client's requests in flight.

use crate::app::BODY_LIMIT;
use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use rops_domain::validation::{FieldError, FieldErrors};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Limits applied to every request, from the configuration.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a client may take to send a request body.
    pub body_timeout: Duration,
    /// Requests one client address may have in flight at once.
    pub per_client: usize,
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Default for Limits {
    /// 30 s for a body, 64 requests in flight per address.
    fn default() -> Self {
        Self::new(Duration::from_secs(30), 64)
    }
}

impl Limits {
    pub fn new(body_timeout: Duration, per_client: usize) -> Self {
        Self {
            body_timeout,
            per_client,
            in_flight: Arc::default(),
        }
    }

    /// Counts a request of `ip` in, or `None` when it already has `per_client` in flight.
    fn enter(&self, ip: IpAddr) -> Option<InFlight> {
        let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_default();
        if *n >= self.per_client {
            return None;
        }
        *n += 1;
        Some(InFlight {
            ip,
            map: self.in_flight.clone(),
        })
    }
}

/// One request in flight; counted out when dropped, however the request ends.
struct InFlight {
    ip: IpAddr,
    map: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Headers on every response, errors included: no content sniffing, never framed, and
/// nothing stored by a cache (every API answer is about someone's data or needs a token).
pub fn security_headers(res: &mut actix_web::HttpResponse<impl MessageBody>, path: &str) {
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    // The documentation's own files may be cached; everything else is data or an error.
    let cacheable = path.starts_with("/docs/") || path.starts_with("/assets/");
    if !cacheable || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The middleware: caps one client's requests in flight (429); reads the body whole within
/// its deadline (408) and its size limit (413); refuses control characters in the path (404),
/// the query (422) and NUL in any JSON text (422), which no code, filter or text may hold and
/// which PostgreSQL cannot store; then sets the security headers on whatever comes back.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let path = req.path().to_owned();
    let limits = req
        .app_data::<actix_web::web::Data<Limits>>()
        .map_or_else(Limits::default, |l| l.get_ref().clone());
    let slot = match req.peer_addr().map(|a| a.ip()) {
        Some(ip) => match limits.enter(ip) {
            Some(slot) => Some(slot),
            None => {
                let err = ApiError::TooManyRequests(format!(
                    "this address already has {} requests in progress; wait for them to finish",
                    limits.per_client
                ));
                return Ok(refuse(req, &err, &path));
            }
        },
        None => None,
    };
    if let Err(err) = check_target(&req) {
        return Ok(refuse(req, &err, &path));
    }
    let body = match read_body(req.take_payload(), limits.body_timeout).await {
        Ok(body) => body,
        Err(err) => return Ok(refuse(req, &err, &path)),
    };
    if let Err(err) = check_json_text(&req, &body) {
        return Ok(refuse(req, &err, &path));
    }
    req.set_payload(Payload::from(body));
    let mut res = next.call(req).await?;
    drop(slot);
    security_headers(res.response_mut(), &path);
    Ok(res.map_into_left_body())
}

fn refuse<B>(req: ServiceRequest, err: &ApiError, path: &str) -> ServiceResponse<EitherBody<B>> {
    let mut res = actix_web::ResponseError::error_response(err);
    security_headers(&mut res, path);
    req.into_response(res).map_into_right_body()
}

/// Reads the whole body, at most [`BODY_LIMIT`] bytes, before the deadline.
async fn read_body(mut payload: Payload, timeout: Duration) -> Result<Bytes, ApiError> {
    use futures_util::StreamExt;
    let read = async {
        let mut body = actix_web::web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::BadRequest(format!("the request body could not be read: {e}"))
            })?;
            if body.len() + chunk.len() > BODY_LIMIT {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the body is larger than the {} KiB allowed",
                    BODY_LIMIT / 1024
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(timeout, read).await.map_err(|_| {
        ApiError::RequestTimeout(format!(
            "the request body did not arrive within {} s; send it at once, not in a trickle",
            timeout.as_secs()
        ))
    })?
}

fn is_control(c: char) -> bool {
    c.is_control()
}

/// No path segment or query parameter may hold a control character: no code, period or
/// filter has one.
fn check_target(req: &ServiceRequest) -> Result<(), ApiError> {
    let decoded = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    if decoded.chars().any(is_control) {
        return Err(ApiError::NotFound(
            "no resource has a control character in its path".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key.chars().chain(value.chars()).any(is_control) {
            let field: String = key.chars().filter(|c| !is_control(*c)).take(64).collect();
            errors.push(
                if field.is_empty() {
                    "query".to_owned()
                } else {
                    field
                },
                "contains a control character; codes, periods and filters never do",
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors.into_vec()))
    }
}

/// A JSON body may not hold NUL (`\u0000`) in any text: no field means it, and PostgreSQL
/// cannot store it. The answer names the field.
fn check_json_text(req: &ServiceRequest, body: &[u8]) -> Result<(), ApiError> {
    let media = crate::http::MediaType::parse(
        req.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    )
    .essence()
    .map(str::to_owned);
    // A form (the sign-in pages) may not hold it either, raw or percent-encoded.
    if media.as_deref() == Some("application/x-www-form-urlencoded") {
        let encoded = body
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
        if encoded || body.contains(&0) {
            return Err(ApiError::validation(vec![FieldError::new(
                "body",
                "a form field contains the NUL character; remove it",
            )]));
        }
        return Ok(());
    }
    let json = media.is_some_and(|e| e.ends_with("json"));
    if !json || !contains_nul_escape(body) {
        return Ok(());
    }
    // Unparsable JSON is the handler's to refuse, with its own message.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    let mut errors = FieldErrors::default();
    find_nul(&value, String::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors.into_vec()))
    }
}

/// Whether the bytes hold a `\u0000` escape (any case of the hex digits) at all; a cheap test
/// before the body is parsed a second time.
fn contains_nul_escape(body: &[u8]) -> bool {
    body.windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'))
}

fn find_nul(value: &serde_json::Value, at: String, errors: &mut FieldErrors) {
    let field = |at: &str| {
        if at.is_empty() {
            "body".to_owned()
        } else {
            at.to_owned()
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => errors.push(
            field(&at),
            "contains the NUL character (\\u0000); remove it",
        ),
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_nul(v, format!("{}[{i}]", field(&at)), errors);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let name = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                if k.contains('\0') {
                    errors.push(field(&at), "a key contains the NUL character (\\u0000)");
                } else {
                    find_nul(v, name, errors);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_body_that_trickles_times_out_and_a_big_one_is_refused() {
        let never: std::pin::Pin<
            Box<
                dyn futures_util::stream::Stream<
                    Item = Result<Bytes, actix_web::error::PayloadError>,
                >,
            >,
        > = Box::pin(futures_util::stream::pending());
        let err = read_body(Payload::from(never), Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::RequestTimeout(_)), "{err}");
        let big = Payload::from(Bytes::from(vec![b'x'; BODY_LIMIT + 1]));
        let err = read_body(big, Duration::from_secs(5)).await.unwrap_err();
        assert!(matches!(err, ApiError::PayloadTooLarge(_)), "{err}");
        let fine = read_body(
            Payload::from(Bytes::from_static(b"{}")),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(fine.unwrap(), Bytes::from_static(b"{}"));
    }

    #[test]
    fn one_address_is_capped_and_counted_out_when_done() {
        let limits = Limits::new(Duration::from_secs(1), 2);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        let a = limits.enter(ip).unwrap();
        let _b = limits.enter(ip).unwrap();
        assert!(limits.enter(ip).is_none(), "a third request waits");
        assert!(
            limits.enter(other).is_some(),
            "another address is not held up"
        );
        drop(a);
        assert!(
            limits.enter(ip).is_some(),
            "a finished request frees its place"
        );
    }

    #[test]
    fn nul_escapes_are_found_and_other_escapes_are_not() {
        assert!(contains_nul_escape(br#"{"note": "a\u0000b"}"#));
        assert!(!contains_nul_escape(br#"{"note": "a\u0001b"}"#));
    }
}
