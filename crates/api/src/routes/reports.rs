//! What the report endpoints of every stream share: preconditions, ETags, bodies, views.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use rops_domain::indicator::Stream;
use rops_domain::number::Decimal;
use rops_domain::report::{ReportPeriod, Transition};
use rops_domain::validation::FieldErrors;
use rops_domain::values::{Input, Values};
use rops_store::reports::{self, Actor, Report, ReportKey, Revision};
use rops_store::{Clock, IfMatch};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

/// The revisions the caller's `If-Match` accepts: one ETag (`"3"`, `W/"3"` or `3`) or a list
/// (`"3", "4"`: any may match, RFC 9110); `*` or no header accepts any; an empty one is 400.
pub fn if_match(req: &HttpRequest) -> Result<IfMatch, ApiError> {
    let mut revisions = Vec::new();
    let mut sent = false;
    for value in req.headers().get_all(header::IF_MATCH) {
        sent = true;
        let text = value.to_str().unwrap_or_default();
        for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag == "*" {
                return Ok(IfMatch::ANY);
            }
            let bare = tag.trim_start_matches("W/").trim_matches('"');
            revisions.push(bare.parse::<i32>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "If-Match holds `{}`; send back the ETag you read, e.g. \"3\"",
                    shorten(tag)
                ))
            })?);
        }
    }
    if revisions.is_empty() {
        return if sent {
            // An empty list matches nothing (RFC 9110 §13.1.1): a mistake, not a wildcard.
            Err(ApiError::BadRequest(
                "If-Match is empty; send back the ETag you read, e.g. \"3\", or leave the header out".into(),
            ))
        } else {
            Ok(IfMatch::ANY)
        };
    }
    IfMatch::of(&revisions).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "If-Match lists {} ETags; send at most {}",
            revisions.len(),
            IfMatch::MAX
        ))
    })
}

/// A response carrying the report's revision as its ETag.
pub fn with_etag(
    mut builder: HttpResponseBuilder,
    revision: i32,
    body: impl Serialize,
) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        builder.insert_header((header::ETAG, v));
    }
    builder.json(body)
}

/// The caller as the store records it, with the application's clock.
pub fn actor(caller: &Caller, clock: Clock) -> Actor<'_> {
    Actor::new(&caller.sub, clock)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Validate and answer as if stored, but store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Indicator values as sent: code → the JSON text of a number or null, kept as written so
/// that no amount passes through a binary float, and every code sent twice remembered.
#[derive(Debug, Default)]
pub struct ValuesIn {
    values: Vec<(String, Box<RawValue>)>,
    twice: Vec<String>,
}

impl<'de> Deserialize<'de> for ValuesIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ValuesIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of indicator codes and numbers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ValuesIn, A::Error> {
                let mut out = ValuesIn::default();
                let mut seen = std::collections::HashSet::new();
                while let Some((code, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    if seen.insert(code.clone()) {
                        out.values.push((code, value));
                    } else if !out.twice.contains(&code) {
                        out.twice.push(code);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Indicator values as sent, read exactly: numbers or null. A code sent twice, a value that
/// is not a number, or a number no report may hold is an error naming `values.<code>`.
pub fn numbers(values: ValuesIn, errors: &mut FieldErrors) -> Input {
    for code in &values.twice {
        errors.push(
            format!("values.{code}"),
            "appears more than once; send each indicator once",
        );
    }
    values
        .values
        .into_iter()
        .filter_map(|(code, raw)| {
            let text = raw.get();
            if text == "null" {
                return Some((code, None));
            }
            if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                errors.push(
                    format!("values.{code}"),
                    format!(
                        "{} is not a number; send a number, or null to leave it out",
                        shorten(text)
                    ),
                );
                return None;
            }
            match Decimal::parse(text) {
                Ok(d) => Some((code, Some(d))),
                Err(e) => {
                    errors.push(format!("values.{code}"), e.to_string());
                    None
                }
            }
        })
        .collect()
}

/// The start of a long text, for messages.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// Body of a transition; optional for submit, approve and reopen (send none, or an object).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Liczba miejsc pracy nie zgadza się z listą umów"}))]
pub struct TransitionBody {
    /// Why (kept as the report's `return_reason` when reopening).
    #[schema(
        example = "Liczba miejsc pracy nie zgadza się z listą umów",
        pattern = r"^[^\u0000]*$"
    )]
    pub reason: Option<String>,
}

/// Body of a return: the reason is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Liczba miejsc pracy nie zgadza się z listą umów"}))]
#[allow(dead_code)] // Describes the body `transition_body` reads for a return.
pub struct ReturnBody {
    /// Why the report goes back to its unit: some text besides spaces.
    #[schema(
        example = "Liczba miejsc pracy nie zgadza się z listą umów",
        min_length = 1,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    )]
    pub reason: String,
}

/// Reads an optional JSON transition body: an empty body is fine, one that is there must say
/// it is JSON (415 otherwise) and be an object (422 otherwise, `null` too).
pub fn transition_body(req: &HttpRequest, body: &[u8]) -> Result<TransitionBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(TransitionBody::default());
    }
    let media = crate::http::MediaType::of(req);
    if media.essence() != Some("application/json") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the body as application/json, not `{}`",
            media.as_sent()
        )));
    }
    if body.trim_ascii() == b"null" {
        // The document offers no body or an object; `null` is neither.
        return Err(ApiError::validation(vec![
            rops_domain::validation::FieldError::new(
                "body",
                "null is not a transition body; send an object, e.g. {\"reason\": \"…\"}, or no body",
            ),
        ]));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::validation(vec![rops_domain::validation::FieldError::new(
                "body",
                e.to_string(),
            )])
        } else {
            ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
    })
}

/// One revision of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    pub action: rops_domain::report::RevisionAction,
    pub status: rops_domain::report::ReportStatus,
    /// Indicator code → value (null when left out).
    #[schema(value_type = Object)]
    pub values: ValuesOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<rops_domain::indicator::ResultCode>>)]
    pub results: Option<Vec<String>>,
    pub note: Option<String>,
    pub return_reason: Option<String>,
    /// UTC, RFC 3339.
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
    /// The `sub` of the token that made the change.
    pub recorded_by: String,
}

impl From<Revision> for RevisionView {
    fn from(r: Revision) -> Self {
        Self {
            revision: r.revision,
            action: r.action,
            status: r.status,
            values: ValuesOut(r.values),
            results: r.results,
            note: r.note,
            return_reason: r.return_reason,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
        }
    }
}

/// Report values as JSON: counts as integers, money as numbers with two decimals, null when
/// left out.
#[derive(Debug, Clone)]
pub struct ValuesOut(pub Values);

impl Serialize for ValuesOut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (code, value) in &self.0 {
            match value {
                None => map.serialize_entry(code, &None::<u64>)?,
                Some(amount) => map.serialize_entry(code, amount)?,
            }
        }
        map.end()
    }
}

/// Runs a lifecycle transition on the report behind `key`.
pub async fn transition(
    state: &AppState,
    caller: Caller,
    key: ReportKey,
    req: &HttpRequest,
    body: &[u8],
    transition: Transition,
) -> Result<Report, ApiError> {
    let if_match = if_match(req)?;
    let reason = transition_body(req, body)?.reason;
    let clock = state.clock;
    state
        .write(move |conn| {
            reports::transition(
                conn,
                &key,
                transition,
                reason.as_deref(),
                if_match,
                &actor(&caller, clock),
            )
        })
        .await
}

/// The key of a report, or 422 naming the malformed period.
pub fn report_key(stream: Stream, unit: &str, period: &str) -> Result<ReportKey, ApiError> {
    let period = ReportPeriod::parse(stream, period).map_err(|e| {
        ApiError::validation(vec![rops_domain::validation::FieldError::new(
            "period",
            e.to_string(),
        )])
    })?;
    Ok(ReportKey {
        stream,
        unit: unit.to_owned(),
        period,
    })
}

/// Declares one lifecycle transition endpoint of a report stream (`POST …/submit` etc.),
/// for `report_resource!`: the policy's check, key, the shared transition, the stream's view, and its OpenAPI description.
macro_rules! report_transition {
    (
        tag: $tag:literal, view: $view:ty, stream: $s:ty,
        unit: ($unit:literal, $unit_ty:ident, $unit_doc:literal, $unit_ex:literal),
        period: ($period:literal, $period_ty:ident, $period_doc:literal, $period_ex:literal),
        $fn:ident, $op:literal, $path:literal, $transition:expr, $doc:literal,
        body: ($($body:tt)+), $body_doc:literal
    ) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = "Send back the ETag you read as `If-Match` to refuse a change made in between (412). A transition that does not apply to the current status gets 409 naming it; submitting needs every indicator (422 lists the missing ones)."]
        #[utoipa::path(
            operation_id = $op,
            tag = $tag,
            params(
                ($unit = $unit_ty, Path, description = $unit_doc, example = $unit_ex),
                ($period = $period_ty, Path, description = $period_doc, example = $period_ex),
                $crate::schemas::IfMatchHeader,
            ),
            request_body(content = $($body)+, description = $body_doc),
            responses(
                (status = 200, body = $view, headers(("ETag" = String))),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "Does not apply to the current status", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($path)]
        pub async fn $fn(
            state: actix_web::web::Data<crate::state::AppState>,
            caller: crate::auth::Caller,
            path: actix_web::web::Path<(String, String)>,
            req: actix_web::HttpRequest,
            body: actix_web::web::Bytes,
        ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
            let (unit, period) = path.into_inner();
            caller.may_at(
                &state,
                rops_domain::policy::Action::of_transition($transition),
                rops_domain::policy::Resource::Unit(
                    <$s as $crate::routes::report_resource::ReportStream>::STREAM,
                    &unit,
                ),
            ).await?;
            let key = $crate::routes::reports::report_key(
                <$s as $crate::routes::report_resource::ReportStream>::STREAM,
                &unit,
                &period,
            )?;
            let report = $crate::routes::reports::transition(&state, caller, key, &req, &body, $transition).await?;
            Ok($crate::routes::reports::with_etag(actix_web::HttpResponse::Ok(), report.revision, <$view>::from(report)))
        }
    };
}
pub(crate) use report_transition;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Deserialize)]
    struct Body {
        values: ValuesIn,
    }

    #[test]
    fn values_are_read_exactly_and_twice_is_an_error() {
        let body: Body = serde_json::from_str(
            r#"{"values": {"a": 1250.50, "b": null, "c": "4", "a": 2, "d": 1e400}}"#,
        )
        .unwrap();
        let mut errors = FieldErrors::default();
        let input = numbers(body.values, &mut errors);
        assert_eq!(input["a"].unwrap().to_string(), "1250.5");
        assert_eq!(input["b"], None);
        let fields: Vec<String> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["values.a", "values.c", "values.d"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Fuzz: any body, any values object, is read or refused field by field, never a panic.
        #[test]
        fn any_values_json_is_read_or_refused(
            bytes in proptest::collection::vec(any::<u8>(), 0..256),
            entries in proptest::collection::vec(("[a-z_]{1,12}", "(null|true|\"x\"|-?[0-9]{0,30}(\\.[0-9]{0,5})?([eE][+-]?[0-9]{1,4})?|\\[\\]|\\{\\})"), 0..12),
        ) {
            if let Ok(body) = serde_json::from_slice::<Body>(&bytes) {
                let _ = numbers(body.values, &mut FieldErrors::default());
            }
            let object = entries.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect::<Vec<_>>().join(", ");
            if let Ok(body) = serde_json::from_str::<Body>(&format!("{{\"values\": {{{object}}}}}")) {
                let mut errors = FieldErrors::default();
                let input = numbers(body.values, &mut errors);
                prop_assert!(input.len() + errors.into_vec().len() >= entries.iter().map(|(k, _)| k).collect::<std::collections::BTreeSet<_>>().len());
            }
        }
    }
}
