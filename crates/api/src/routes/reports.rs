//! What the report endpoints of every stream share: preconditions, ETags, bodies, views.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use rops_domain::indicator::Stream;
use rops_domain::report::{ReportPeriod, Transition};
use rops_domain::validation::FieldErrors;
use rops_domain::values::{Amount, Values};
use rops_store::reports::{self, Actor, Report, ReportKey, Revision};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The `If-Match` revision, when the caller sent one (`"3"`, `W/"3"` or `3`; `*` = any).
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse().map(Some).map_err(|_| {
        ApiError::BadRequest(format!(
            "If-Match is `{text}`; send back the ETag you read, e.g. \"3\""
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

pub fn actor(caller: &Caller) -> Actor<'_> {
    Actor {
        name: &caller.sub,
        today: chrono::Utc::now().date_naive(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Validate and answer as if stored, but store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Indicator values as sent: numbers or null.
pub fn numbers(
    values: BTreeMap<String, serde_json::Value>,
    errors: &mut FieldErrors,
) -> BTreeMap<String, Option<f64>> {
    values
        .into_iter()
        .filter_map(|(code, v)| match v {
            serde_json::Value::Null => Some((code, None)),
            serde_json::Value::Number(n) => n.as_f64().map(|f| (code, Some(f))),
            other => {
                errors.push(
                    format!("values.{code}"),
                    format!("{other} is not a number; send a number, or null to leave it out"),
                );
                None
            }
        })
        .collect()
}

/// Body of a transition: a reason, required to return a report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Liczba miejsc pracy nie zgadza się z listą umów"}))]
pub struct TransitionBody {
    #[schema(example = "Liczba miejsc pracy nie zgadza się z listą umów")]
    pub reason: Option<String>,
}

/// Reads an optional JSON transition body (an empty body is fine).
pub fn transition_body(body: &[u8]) -> Result<TransitionBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null" {
        return Ok(TransitionBody::default());
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
    /// `create`, `update`, `import`, `submit`, `approve`, `return` or `reopen`.
    #[schema(example = "submit")]
    pub action: String,
    #[schema(example = "submitted")]
    pub status: String,
    /// Indicator code → value (null when left out).
    #[schema(value_type = Object)]
    pub values: ValuesOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub results: Option<Vec<String>>,
    pub note: Option<String>,
    pub return_reason: Option<String>,
    /// UTC, RFC 3339.
    pub recorded_at: String,
    /// The `sub` of the token that made the change.
    pub recorded_by: String,
}

impl From<Revision> for RevisionView {
    fn from(r: Revision) -> Self {
        Self {
            revision: r.revision,
            action: r.action,
            status: r.status.as_str().to_owned(),
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
        use serde::ser::{Error, SerializeMap};
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (code, value) in &self.0 {
            match value {
                None => map.serialize_entry(code, &None::<u64>)?,
                Some(Amount::Count(n)) => map.serialize_entry(code, n)?,
                Some(Amount::Money(m)) => {
                    let raw = serde_json::value::RawValue::from_string(format!("{m:.2}"))
                        .map_err(S::Error::custom)?;
                    map.serialize_entry(code, &raw)?
                }
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
    if transition != Transition::Submit {
        caller.require_rops(&format!("{} reports", transition.as_str()))?;
    }
    let if_match = if_match(req)?;
    let reason = transition_body(body)?.reason;
    state
        .db(move |conn| {
            reports::transition(
                conn,
                &key,
                transition,
                reason.as_deref(),
                if_match,
                &actor(&caller),
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

/// Declares one lifecycle transition endpoint of a report stream (`POST …/submit` etc.):
/// access check, key, the shared transition, the stream's view, and its OpenAPI description.
macro_rules! report_transition {
    (
        tag: $tag:literal, view: $view:ty, access: $access:path, key: $key:path,
        unit: ($unit:literal, $unit_doc:literal, $unit_ex:literal),
        period: ($period:literal, $period_doc:literal, $period_ex:literal),
        $fn:ident, $op:literal, $path:literal, $transition:expr, $doc:literal
    ) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = "Send back the ETag you read as `If-Match` to refuse a change made in between (412). A transition that does not apply to the current status gets 409 naming it; submitting needs every indicator (422 lists the missing ones)."]
        #[utoipa::path(
            operation_id = $op,
            tag = $tag,
            params(
                ($unit = String, Path, description = $unit_doc, example = $unit_ex),
                ($period = String, Path, description = $period_doc, example = $period_ex),
                ("If-Match" = Option<String>, Header, description = "The ETag as read; a stale one gets 412"),
            ),
            request_body(content = Option<TransitionBody>, description = "`reason`: required to return, optional to reopen"),
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
            $access(&caller, &unit)?;
            let key = $key(&unit, &period)?;
            let report = $crate::routes::reports::transition(&state, caller, key, &req, &body, $transition).await?;
            Ok($crate::routes::reports::with_etag(actix_web::HttpResponse::Ok(), report.revision, <$view>::from(report)))
        }
    };
}
pub(crate) use report_transition;
