//! Logs: a subscriber writing text or JSON lines, and one line per request with method,
//! path, status, latency and a request id (also returned in `x-request-id`).

use crate::config::LogFormat;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use rand::RngCore;
use std::time::Instant;
use tracing::Instrument;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber. `sink` is where lines go (stderr in the binary), so
/// stdout stays free for command output such as `rops-hub openapi`.
pub fn init<W>(format: LogFormat, sink: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt;
    // A second init (tests) keeps the first subscriber.
    let _ = subscriber(format, sink, ansi).try_init();
}

/// The subscriber `init` installs.
pub fn subscriber<W>(
    format: LogFormat,
    sink: W,
    ansi: bool,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(sink)
        .with_ansi(ansi);
    let lines = match format {
        LogFormat::Json => lines
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .boxed(),
        LogFormat::Text => lines.boxed(),
    };
    let not_http_layer = tracing_subscriber::filter::filter_fn(|meta| {
        !(meta.target().starts_with(HTTP_LAYER) && *meta.level() == tracing::Level::ERROR)
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(lines.with_filter(not_http_layer))
        .with(Relevel)
}

/// Where actix-http logs what happens below the application.
const HTTP_LAYER: &str = "actix_http::h1";

/// actix-http logs a request it cannot parse (conflicting lengths, bad headers, a client that
/// hangs up mid-body) at ERROR, though the client made the mistake and got its 400. This layer
/// logs those lines again at WARN, under `rops_api::http`, and the other errors of that layer
/// at ERROR; everything else is left as it is.
struct Relevel;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Relevel {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        if !meta.target().starts_with(HTTP_LAYER) || *meta.level() != tracing::Level::ERROR {
            return;
        }
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let client_made_it = ["request parse error", "unexpected eof", "payload"]
            .iter()
            .any(|m| message.0.contains(m));
        if client_made_it {
            tracing::warn!(target: "rops_api::http", "malformed request refused by the HTTP layer: {}", message.0);
        } else {
            tracing::error!(target: "rops_api::http", "{}", message.0);
        }
    }
}

/// The id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts a caller's `x-request-id` when it is short and plain, else makes one.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .filter(|v| {
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 8];
            rand::rng().fill_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
}

pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let started = Instant::now();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = next.call(req).instrument(span).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let status = res.status().as_u16();
    let latency_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    tracing::info!(request_id = %id, method, path, status, latency_ms, "request");
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn malformed_requests_are_warnings_and_other_errors_stay_errors() {
        if std::env::var_os("TEST_LOG").is_some() {
            // TEST_LOG installs the global subscriber this test needs for itself.
            eprintln!("skipped under TEST_LOG");
            return;
        }
        let buffer = Buffer::default();
        let sink = buffer.clone();
        // The layer logs its lines through the global dispatcher, as in the service (a scoped
        // one refuses nested events); no other test of this binary installs one.
        tracing::subscriber::set_global_default(subscriber(
            LogFormat::Json,
            move || sink.clone(),
            false,
        ))
        .expect("no other global subscriber in this test binary");
        tracing::error!(target: "actix_http::h1::dispatcher", "stream error: request parse error: test 7f3a");
        tracing::error!(target: "actix_http::h1::dispatcher", "write zero; closing test 7f3a");
        tracing::error!(target: "rops_api::error", "internal error test 7f3a");
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let level = |needle: &str| {
            lines
                .iter()
                .filter(|l| l["message"].as_str().unwrap_or("").contains(needle))
                .map(|l| l["level"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(level("request parse error: test 7f3a"), ["WARN"], "{text}");
        assert_eq!(level("write zero; closing test 7f3a"), ["ERROR"], "{text}");
        assert_eq!(level("internal error test 7f3a"), ["ERROR"], "{text}");
    }
}
