//! Small pieces of HTTP the handlers share: the media type of a request.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::HttpRequest;

/// A request's `Content-Type`, read as RFC 9110 says: type and subtype are case-insensitive,
/// parameters follow `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    sent: String,
    essence: Option<String>,
    charset: Option<String>,
}

impl MediaType {
    pub fn of(req: &HttpRequest) -> Self {
        let sent = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Self::parse(&sent)
    }

    pub fn parse(sent: &str) -> Self {
        let mut parts = sent.split(';');
        let essence = parts
            .next()
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| {
                e.split_once('/').is_some_and(|(t, s)| {
                    !t.is_empty()
                        && !s.is_empty()
                        && e.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
                })
            });
        let charset = parts.find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        });
        Self {
            sent: sent.chars().take(100).collect(),
            essence,
            charset,
        }
    }

    /// `type/subtype` in lower case, when the header holds one.
    pub fn essence(&self) -> Option<&str> {
        self.essence.as_deref()
    }

    /// The `charset` parameter in lower case.
    pub fn charset(&self) -> Option<&str> {
        self.charset.as_deref()
    }

    /// The header as sent (its first 100 characters), for messages.
    pub fn as_sent(&self) -> &str {
        &self.sent
    }
}

#[cfg(test)]
mod tests {
    use super::MediaType;

    #[test]
    fn type_and_subtype_are_case_insensitive_and_exact() {
        assert_eq!(MediaType::parse("TEXT/CSV").essence(), Some("text/csv"));
        let m = MediaType::parse("text/csv; Charset=\"Windows-1250\"");
        assert_eq!(m.essence(), Some("text/csv"));
        assert_eq!(m.charset(), Some("windows-1250"));
        assert_eq!(MediaType::parse("text/csvx").essence(), Some("text/csvx"));
        assert_eq!(MediaType::parse("").essence(), None);
        assert_eq!(MediaType::parse("csv").essence(), None);
    }
}

/// A whole number in a JSON body, read as JSON Schema counts one: `23`, or `23.0` as some
/// clients write it; `23.5`, text or a number beyond `i64` is refused naming the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub i64);

impl<'de> serde::Deserialize<'de> for WholeNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WholeNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WholeNumber, E> {
                i64::try_from(v)
                    .map(WholeNumber)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<WholeNumber, E> {
                // Exactly representable whole numbers only: |v| < 2^53.
                if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
                    Ok(WholeNumber(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not a whole number")))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod whole_number_tests {
    use super::WholeNumber;

    #[test]
    fn whole_numbers_may_be_written_with_a_zero_fraction() {
        let read = |t: &str| serde_json::from_str::<WholeNumber>(t).map(|w| w.0);
        assert_eq!(read("23").unwrap(), 23);
        assert_eq!(read("-4").unwrap(), -4);
        assert_eq!(read("4792.0").unwrap(), 4792);
        assert_eq!(read("1e3").unwrap(), 1000);
        for bad in [
            "23.5",
            "\"23\"",
            "1e300",
            "18446744073709551615",
            "null",
            "true",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}

/// A JSON body that must be an object (`{…}`), read into `T`. serde reads a struct from a JSON
/// array too (`[null, null]` fills its fields in order); a body of fields is an object here,
/// anything else is 422. Duplicate fields stay refused (serde's own check).
pub struct JsonObject<T>(pub T);

/// Reads `bytes` (a JSON body) into `T`, refusing anything but an object: 400 for what is not
/// JSON, 422 for JSON of another shape, naming what is wrong.
pub fn json_object<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, crate::error::ApiError> {
    use crate::error::ApiError;
    use rops_domain::validation::FieldError;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let value = serde_json::from_slice::<T>(bytes);
    match (first, value) {
        (Some(b'{'), Ok(value)) => Ok(value),
        (_, Err(e)) if e.is_syntax() || e.is_eof() => Err(ApiError::BadRequest(format!(
            "the body is not valid JSON: {e}"
        ))),
        (Some(b'{'), Err(e)) => Err(ApiError::validation(vec![FieldError::new(
            "body",
            e.to_string(),
        )])),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "body",
            "send a JSON object of the fields, {…}",
        )])),
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let media = MediaType::of(req);
        let bytes = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let json = media
                .essence()
                .is_some_and(|e| e == "application/json" || e.ends_with("+json"));
            if !json {
                return Err(crate::error::ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                )
                .into());
            }
            let bytes = bytes.await?;
            json_object(&bytes).map(JsonObject).map_err(Into::into)
        })
    }
}
