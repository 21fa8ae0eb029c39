//! The HTTP plumbing the API clients share: one configured `reqwest` client, URLs built from
//! path segments, JSON in and out, errors classified, `Link: rel="next"` pagination, and the
//! rule that only the configured server is ever contacted.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{DeliverError, excerpt, redacted};

/// How long one request may take, connection included, unless a client is told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest response body read (an mbox of a long series is a few megabytes).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The `User-Agent` every request carries (GitHub refuses requests without one).
pub const USER_AGENT: &str = concat!("provgate/", env!("CARGO_PKG_VERSION"));

/// One server's client: its base URL and the headers every request carries.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
}

/// A response that was a success.
pub(crate) struct Answer {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: Url,
}

impl Http {
    /// A client for the server at `base`, sending `headers` (marked sensitive, so that they are
    /// never logged) with every request.
    pub fn new(
        base: &str,
        headers: &[(HeaderName, &str)],
        timeout: Duration,
    ) -> Result<Http, DeliverError> {
        install_crypto_provider();
        let mut base = Url::parse(base).map_err(|e| DeliverError::Invalid {
            what: "base URL",
            reason: format!("{base}: {e}"),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(DeliverError::Invalid {
                what: "base URL",
                reason: format!("{}: not an http(s) URL", redacted(&base)),
            });
        }
        // Segments are appended to the base's path, so it must end with a slash.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value).map_err(|_| DeliverError::Invalid {
                what: "header",
                reason: format!("{name}: not a valid header value"),
            })?;
            value.set_sensitive(true);
            map.insert(name.clone(), value);
        }
        let client = reqwest::Client::builder()
            .default_headers(map)
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirect could lead anywhere; the service talks to its configured server only.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| DeliverError::Invalid {
                what: "HTTP client",
                reason: e.to_string(),
            })?;
        Ok(Http { client, base })
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The base URL with `segments` appended, each percent-encoded as one segment (so that a
    /// GitLab project path `group/project` becomes `group%2Fproject`).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Refuses a URL on another scheme, host or port than the base.
    pub fn check_origin(&self, url: &Url) -> Result<(), DeliverError> {
        if url.origin() == self.base.origin() {
            Ok(())
        } else {
            Err(DeliverError::ForeignUrl {
                url: redacted(url),
                base: self.base.origin().ascii_serialization(),
            })
        }
    }

    /// Sends a request (with a JSON body when given) and reads a successful answer.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<Answer, DeliverError> {
        self.check_origin(&url)?;
        let mut request = self.client.request(method, url.clone());
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| transport_error(&url, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(&url, &e))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(DeliverError::Decode {
                    url: redacted(&url),
                    reason: format!("body larger than {MAX_BODY_BYTES} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(DeliverError::Status {
                url: redacted(&url),
                status: status.as_u16(),
                body: excerpt(&body),
            });
        }
        Ok(Answer { headers, body, url })
    }

    /// Sends a request and decodes the JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, DeliverError> {
        self.send(method, url, body).await?.decode()
    }

    /// GETs every page of a list, following `Link: <…>; rel="next"`.
    pub async fn all_pages<T: DeserializeOwned>(&self, first: Url) -> Result<Vec<T>, DeliverError> {
        self.all_pages_with(first, |answer| answer.decode::<Vec<T>>())
            .await
    }

    /// GETs every page, decoding each with `items` (for lists wrapped in an object).
    pub async fn all_pages_with<T>(
        &self,
        first: Url,
        items: impl Fn(&Answer) -> Result<Vec<T>, DeliverError>,
    ) -> Result<Vec<T>, DeliverError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut seen = std::collections::HashSet::new();
        while let Some(url) = next.take() {
            // A server that links a page to itself must not keep us here.
            if !seen.insert(url.clone()) {
                break;
            }
            let answer = self.send(Method::GET, url, None::<&()>).await?;
            out.extend(items(&answer)?);
            next = answer.next_page()?;
        }
        Ok(out)
    }
}

impl Answer {
    /// The body as JSON of type `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, DeliverError> {
        serde_json::from_slice(&self.body).map_err(|e| DeliverError::Decode {
            url: redacted(&self.url),
            reason: e.to_string(),
        })
    }

    /// The `rel="next"` target of the `Link` headers, if any.
    pub fn next_page(&self) -> Result<Option<Url>, DeliverError> {
        for value in self.headers.get_all(reqwest::header::LINK) {
            let text = value.to_str().map_err(|_| self.bad_link("not ASCII"))?;
            if let Some(next) = next_link(text).map_err(|e| self.bad_link(&e))? {
                return Ok(Some(next));
            }
        }
        Ok(None)
    }

    fn bad_link(&self, reason: &str) -> DeliverError {
        DeliverError::Decode {
            url: redacted(&self.url),
            reason: format!("Link header: {reason}"),
        }
    }
}

/// The `rel="next"` link of one RFC 8288 `Link` header value.
pub fn next_link(header: &str) -> Result<Option<Url>, String> {
    let links = parse_link_header::parse(header).map_err(|e| e.to_string())?;
    Ok(links
        .into_iter()
        .find(|(rel, _)| {
            rel.as_deref().is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        })
        .map(|(_, link)| link.uri))
}

/// A request that got no answer, classified.
fn transport_error(url: &Url, error: &reqwest::Error) -> DeliverError {
    let url = redacted(url);
    if error.is_timeout() {
        return DeliverError::Timeout { url };
    }
    if error.is_decode() {
        return DeliverError::Decode {
            url,
            reason: innermost(error),
        };
    }
    DeliverError::Unreachable {
        url,
        reason: innermost(error),
    }
}

/// The deepest cause (`Connection refused (os error 111)`), which is the informative one;
/// reqwest's own message repeats the URL.
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Installs ring as rustls's process-wide crypto provider, unless the program has chosen one.
///
/// reqwest is built without a provider of its own (ring is the one lettre uses too, and it
/// needs no C toolchain beyond a compiler), so a `reqwest::Client` built anywhere in the
/// process panics until one is installed. The clients of this crate call this themselves; code
/// that builds its own `reqwest::Client` first (a test, another crate) calls it before.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing one is fine: either way one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        let header = r#"<https://h/api/1.2/events/?page=2>; rel="next", <https://h/api/1.2/events/?page=9>; rel="last""#;
        assert_eq!(
            next_link(header).unwrap().unwrap().as_str(),
            "https://h/api/1.2/events/?page=2"
        );
        assert_eq!(
            next_link(r#"<https://h/?page=1>; rel="prev""#).unwrap(),
            None
        );
        assert!(next_link("garbage").is_err() || next_link("garbage").unwrap().is_none());
    }

    #[test]
    fn segments_are_encoded_and_origins_compared() {
        let http = Http::new("https://gitlab.example.org/api/v4", &[], DEFAULT_TIMEOUT).unwrap();
        let url = http.url(&["projects", "group/project", "statuses", "abc"]);
        assert_eq!(
            url.as_str(),
            "https://gitlab.example.org/api/v4/projects/group%2Fproject/statuses/abc"
        );
        assert!(
            http.check_origin(&Url::parse("https://gitlab.example.org/x").unwrap())
                .is_ok()
        );
        for foreign in [
            "http://gitlab.example.org/x",
            "https://gitlab.example.org:8443/x",
            "https://evil.example/x",
        ] {
            let err = http
                .check_origin(&Url::parse(foreign).unwrap())
                .unwrap_err();
            assert!(matches!(err, DeliverError::ForeignUrl { .. }), "{foreign}");
        }
        assert!(Http::new("ftp://x/", &[], DEFAULT_TIMEOUT).is_err());
        assert!(Http::new("not a url", &[], DEFAULT_TIMEOUT).is_err());
    }

    proptest::proptest! {
        #[test]
        fn link_parsing_never_panics(header in ".{0,200}") {
            let _ = next_link(&header);
        }

        #[test]
        fn link_parsing_finds_next_among_others(page in 1u32..1000, extra in "[a-z]{1,8}") {
            let header = format!(r#"<https://h/x?page=1>; rel="{extra}", <https://h/x?page={page}>; rel="next""#);
            let next = next_link(&header).unwrap();
            if extra == "next" {
                proptest::prop_assert!(next.is_some());
            } else {
                let expected = format!("https://h/x?page={page}");
                proptest::prop_assert_eq!(next.map(|u| u.to_string()), Some(expected));
            }
        }
    }
}
