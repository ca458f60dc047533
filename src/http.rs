//! The one HTTP client: a ureq agent (rustls on ring, proxies from the environment, optional
//! extra CA bundle) and the one retry policy, used by every Xray and Jira call.
//!
//! Owns transport, timeouts, retries and the mapping of HTTP answers to `ApiError`. Does not
//! know any endpoint or credential: callers build requests (with their auth header) and decide
//! what a success body must contain. Retries are decided by [`RetryPolicy::decide`], a pure
//! function tested as a table; nothing else in the crate loops on a failed request.

use std::time::{Duration, Instant};

use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::error::{ApiError, Service};
use crate::settings::HttpSettings;

mod errors;
mod multipart;
mod retry;

pub use errors::{detail_of, error_for};
pub use multipart::Part;
pub use retry::{Call, Decision, Failure, RetryPolicy, parse_retry_after};

/// Answers larger than this are cut; no API answer xray-sync reads comes close.
const MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Vec<u8>),
    /// Any other content with its content type (multipart included).
    Raw {
        content_type: String,
        bytes: Vec<u8>,
    },
}

/// A request, built by a client, sent by [`Http::send`].
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    /// Includes the Authorization header; never logged.
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub call: Call,
    /// Uses the long import timeout.
    pub slow: bool,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Request {
            method: "GET",
            url: url.into(),
            headers: Vec::new(),
            body: Body::Empty,
            call: Call::Read,
            slow: false,
        }
    }

    pub fn post_json(url: impl Into<String>, body: &impl serde::Serialize, call: Call) -> Self {
        // Serializing our own types cannot fail (no maps with non-string keys).
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        Request {
            method: "POST",
            url: url.into(),
            headers: Vec::new(),
            body: Body::Json(bytes),
            call,
            slow: false,
        }
    }

    pub fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn slow(mut self) -> Self {
        self.slow = true;
        self
    }
}

/// An answer with any status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// True when the body is HTML (a login page, a proxy error page), whatever the status.
    pub fn is_html(&self) -> bool {
        self.header("content-type")
            .is_some_and(|ct| ct.contains("text/html"))
            || self
                .body
                .iter()
                .take(512)
                .copied()
                .collect::<Vec<u8>>()
                .to_ascii_lowercase()
                .starts_with(b"<!doctype html")
    }

    /// The body parsed as `T`, or `BadResponse` naming what was expected.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        service: Service,
        what: &str,
    ) -> Result<T, ApiError> {
        if self.is_html() {
            return Err(ApiError::BadResponse {
                service,
                detail: format!(
                    "{what}: got an HTML page instead of JSON (is the base URL right?)"
                ),
            });
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            // Said for people first (the decoder's own words follow in parentheses): this text
            // ends up in notes and the job summary.
            let lead = match e.classify() {
                serde_json::error::Category::Data => "the answer has an unexpected shape",
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "the answer is not valid JSON"
                }
                serde_json::error::Category::Io => "the answer could not be read",
            };
            ApiError::BadResponse {
                service,
                detail: format!("{what}: {lead} ({e}); it starts: {}", detail_of(&self.body)),
            }
        })
    }

    /// The server's wait: `Retry-After`; else Jira Cloud's `Beta-Retry-After` or its
    /// `X-RateLimit-Reset` time (jira-api.md §5.1), so a 429 without the first is not retried
    /// sooner than the server asked.
    fn retry_after(&self) -> Option<Duration> {
        let now = time::OffsetDateTime::now_utc();
        self.header("retry-after")
            .and_then(|v| parse_retry_after(v, now))
            .or_else(|| {
                self.header("beta-retry-after")
                    .and_then(|v| parse_retry_after(v, now))
            })
            .or_else(|| {
                self.header("x-ratelimit-reset")
                    .and_then(|v| retry::parse_rate_limit_reset(v, now))
            })
    }
}

/// Percent-encodes a URL path segment or query value (everything but RFC 3986 unreserved
/// characters), so a project key or issue key can never change the request's path.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The shared client. Cheap to clone (ureq agents share their pool).
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
    slow_agent: ureq::Agent,
    policy: RetryPolicy,
    sleep: fn(Duration),
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// The User-Agent on every request. Non-browser on purpose: Jira applies XSRF checks to
/// browser-like agents.
pub fn user_agent() -> String {
    format!("xray-sync/{}", env!("CARGO_PKG_VERSION"))
}

impl Http {
    /// Builds the agents. Fails when the CA bundle cannot be read or parsed.
    pub fn new(settings: &HttpSettings) -> anyhow::Result<Http> {
        let tls = tls_config(settings)?;
        let build = |read_timeout: Duration| -> ureq::Agent {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                // Never follow redirects: a POST redirected to a login page must show up as an
                // error, not as a 200 with HTML.
                .max_redirects(0)
                .user_agent(user_agent())
                .tls_config(tls.clone())
                .proxy(ureq::Proxy::try_from_env())
                .timeout_connect(Some(settings.connect_timeout))
                .timeout_recv_response(Some(read_timeout))
                .timeout_recv_body(Some(read_timeout))
                .build()
                .into()
        };
        Ok(Http {
            agent: build(settings.read_timeout),
            slow_agent: build(settings.import_timeout),
            policy: RetryPolicy::from_settings(settings),
            sleep: std::thread::sleep,
        })
    }

    /// Replaces the sleep used between retries (tests use a no-op to stay fast).
    pub fn with_sleep(mut self, sleep: fn(Duration)) -> Self {
        self.sleep = sleep;
        self
    }

    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// One attempt, no retries. Non-2xx answers are `Ok`; only transport failures are `Err`.
    ///
    /// Honours a stop (`crate::stop`): once one is requested no request starts, and the one in
    /// flight is given up after the grace period (as a failure that may have been applied: the
    /// server may still process it). The exchange runs on its own thread so that the wait for
    /// it can be cut short; a given-up thread ends with its own timeout or with the process.
    pub fn send_once(
        &self,
        service: Service,
        req: &Request,
    ) -> Result<Response, (Failure, ApiError)> {
        if let Some(reason) = crate::stop::reason() {
            return Err(stopped(service, &req.url, reason, false));
        }
        let agent = if req.slow {
            self.slow_agent.clone()
        } else {
            self.agent.clone()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let owned = req.clone();
        let spawned = std::thread::Builder::new()
            .name("xray-sync-http".into())
            .spawn(move || {
                let _ = tx.send(exchange(&agent, service, &owned));
            });
        if spawned.is_err() {
            // No thread to spare: send inline (a stop then waits for this request's timeout).
            let agent = if req.slow {
                &self.slow_agent
            } else {
                &self.agent
            };
            return exchange(agent, service, req);
        }
        loop {
            match rx.recv_timeout(crate::stop::POLL) {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if crate::stop::grace_over()
                        && let Some(reason) = crate::stop::reason()
                    {
                        return Err(stopped(service, &req.url, reason, true));
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err((
                        Failure::Interrupted,
                        ApiError::Network {
                            service,
                            url: redact_url(&req.url),
                            detail: "the request thread ended without an answer".into(),
                            maybe_applied: true,
                        },
                    ));
                }
            }
        }
    }
}

/// The error for a request a stop kept from starting (`in_flight` false) or gave up on.
fn stopped(
    service: Service,
    url: &str,
    reason: crate::stop::StopReason,
    in_flight: bool,
) -> (Failure, ApiError) {
    let (failure, detail) = if in_flight {
        (
            Failure::Interrupted,
            format!(
                "no answer within {} s of the stop ({}); the server may still apply the request",
                crate::stop::GRACE.as_secs(),
                reason.describe()
            ),
        )
    } else {
        (
            Failure::Connect,
            format!("not sent: the run is stopping ({})", reason.describe()),
        )
    };
    (
        failure,
        ApiError::Network {
            service,
            url: redact_url(url),
            detail,
            maybe_applied: in_flight,
        },
    )
}

/// One request and its whole answer, on `agent`.
fn exchange(
    agent: &ureq::Agent,
    service: Service,
    req: &Request,
) -> Result<Response, (Failure, ApiError)> {
    let mut builder = ureq::http::Request::builder()
        .method(req.method)
        .uri(&req.url);
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let result = match &req.body {
        Body::Empty => builder
            .body(())
            .map_err(ureq::Error::from)
            .and_then(|r| agent.run(r)),
        Body::Json(bytes) => builder
            .header("Content-Type", "application/json")
            .body(bytes.as_slice())
            .map_err(ureq::Error::from)
            .and_then(|r| agent.run(r)),
        Body::Raw {
            content_type,
            bytes,
        } => builder
            .header("Content-Type", content_type)
            .body(bytes.as_slice())
            .map_err(ureq::Error::from)
            .and_then(|r| agent.run(r)),
    };
    let mut resp = result.map_err(|e| transport_error(service, &req.url, e))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(|e| transport_error(service, &req.url, e))?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

impl Http {
    /// Sends with the retry policy. Returns the first 2xx answer, or the error of the last
    /// attempt. A `Create` that fails ambiguously (gateway error, broken connection after
    /// sending) is NOT resent here: it returns the error with `maybe_applied` set (for network
    /// failures) so the caller can look for the created thing first.
    pub fn send(&self, service: Service, what: &str, req: &Request) -> Result<Response, ApiError> {
        self.send_unscrubbed(service, what, req)
            .map_err(|e| e.scrubbed(&sent_credentials(req).iter().collect::<Vec<_>>()))
    }

    fn send_unscrubbed(
        &self,
        service: Service,
        what: &str,
        req: &Request,
    ) -> Result<Response, ApiError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (failure, error, retry_after) = match self.send_once(service, req) {
                Ok(resp) if resp.is_success() => return Ok(resp),
                Ok(resp) => (
                    Failure::Status(resp.status),
                    error_for(service, what, &resp),
                    resp.retry_after(),
                ),
                Err((failure, error)) => (failure, error, None),
            };
            let decision = self
                .policy
                .decide(attempt, req.call, failure, retry_after, jitter());
            match decision {
                // A stop ends retrying: the sleep returns early and nothing more is sent.
                Decision::Retry(wait)
                    if started.elapsed() + wait <= self.policy.max_total
                        && crate::stop::sleep_unless_stopped(wait, self.sleep) => {}
                Decision::Retry(_) | Decision::CheckThenRetry(_) | Decision::GiveUp => {
                    return Err(error);
                }
            }
        }
    }

    /// Sleeps as the policy says (used by callers that check-then-retry a create), cut short
    /// by a stop. True when it slept the whole time.
    pub fn pause(&self, wait: Duration) -> bool {
        crate::stop::sleep_unless_stopped(wait, self.sleep)
    }
}

/// What this request carried that must not come back in an error: each credential header's
/// value, whole and without its scheme (a server echoing `Basic dXNlcjpwYXNz` or the bare
/// token). The HTTP layer scrubs what it sent, so no client has to remember to.
fn sent_credentials(req: &Request) -> Vec<crate::secret::Secret> {
    let mut out = Vec::new();
    for (name, value) in &req.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" || lower == "proxy-authorization" || lower.contains("token") {
            // The bare credential first, so an echo reads `Bearer ***` (the scheme stays
            // visible); the whole value after, for servers that quote it some other way.
            if let Some((_, credential)) = value.split_once(' ') {
                out.push(crate::secret::Secret::new(credential.trim()));
            }
            out.push(crate::secret::Secret::new(value.as_str()));
        }
    }
    out
}

fn jitter() -> f64 {
    // Sub-second clock noise is enough to spread parallel CI jobs apart; no RNG dependency.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1000) / 1000.0
}

fn transport_error(service: Service, url: &str, e: ureq::Error) -> (Failure, ApiError) {
    use ureq::Timeout;
    let (failure, detail) = match &e {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            (Failure::Connect, e.to_string())
        }
        ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => {
            (Failure::Connect, format!("timed out connecting ({e})"))
        }
        ureq::Error::Timeout(_) => (
            Failure::Interrupted,
            format!("timed out waiting for the answer ({e})"),
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            (Failure::Connect, e.to_string())
        }
        ureq::Error::Tls(_) => (
            Failure::Connect,
            format!("TLS failed: {e} (set --ca-cert for a private CA)"),
        ),
        // Reading stopped at the cap; the rest of the answer was never read into memory.
        ureq::Error::BodyExceedsLimit(_) => (
            Failure::Interrupted,
            format!(
                "the answer was larger than {} MiB, the most xray-sync reads; reading stopped there",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            ),
        ),
        _ => (Failure::Interrupted, e.to_string()),
    };
    let maybe_applied = failure == Failure::Interrupted;
    (
        failure,
        ApiError::Network {
            service,
            url: redact_url(url),
            detail,
            maybe_applied,
        },
    )
}

/// Drops query string and userinfo from a URL before it appears in a message.
pub fn redact_url(url: &str) -> String {
    let no_query = url.split('?').next().unwrap_or(url);
    match no_query.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) if !host.contains('/') || rest.find('@') < rest.find('/') => {
                format!("{scheme}://{host}")
            }
            _ => no_query.to_string(),
        },
        None => no_query.to_string(),
    }
}

fn tls_config(settings: &HttpSettings) -> anyhow::Result<TlsConfig> {
    use anyhow::Context;
    let mut builder = TlsConfig::builder().provider(TlsProvider::Rustls);
    if let Some(path) = &settings.ca_cert {
        let pem =
            std::fs::read(path).with_context(|| format!("reading CA bundle {}", path.display()))?;
        let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let before = certs.len();
        for item in ureq::tls::parse_pem(&pem) {
            match item.with_context(|| format!("parsing CA bundle {}", path.display()))? {
                ureq::tls::PemItem::Certificate(c) => certs.push(c),
                _ => continue,
            }
        }
        anyhow::ensure!(
            certs.len() > before,
            "CA bundle {} holds no PEM certificate",
            path.display()
        );
        builder = builder.root_certs(RootCerts::from(certs));
    }
    if settings.insecure {
        builder = builder.disable_verification(true);
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_are_percent_encoded() {
        assert_eq!(percent_encode("CALC"), "CALC");
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(percent_encode("AB C/ä"), "AB%20C%2F%C3%A4");
        assert_eq!(percent_encode("BUG-12"), "BUG-12");
    }

    #[test]
    fn html_login_page_is_bad_response() {
        let resp = Response {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html;charset=UTF-8".into())],
            body: b"<!DOCTYPE html><html>login</html>".to_vec(),
        };
        let err = resp
            .json::<serde_json::Value>(Service::Jira, "serverInfo")
            .unwrap_err();
        assert!(err.to_string().contains("HTML page"), "{err}");
    }

    #[test]
    fn urls_lose_userinfo_and_query() {
        assert_eq!(redact_url("https://u:p@host/x?token=1"), "https://host/x");
        assert_eq!(
            redact_url("http://127.0.0.1:8/a?b=c"),
            "http://127.0.0.1:8/a"
        );
    }
}
