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
