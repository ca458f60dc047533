//! The probes over HTTP, through the shared client in `crate::http`.
//!
//! Owns only the endpoint calls doctor needs and the parsing of their answers. These calls
//! overlap with the shared clients (`xray::cloud`/`xray::server`: authenticate, GraphQL,
//! licence; `jira::client`: serverInfo, myself, project, mypermissions, createmeta, link
//! types, create, transitions); once those land, the probe traits can be implemented on them
//! and this directory deleted. Kept deliberately small for that reason.
//!
//! Reads look at the first answer raw (a redirect, an HTML page, a CAPTCHA header are answers
//! doctor explains, not errors to retry) and hand anything retryable to `Http::send`, so the
//! one retry policy still applies. Creates go straight to `Http::send` (never resent blind).
//!
//! `xray.rs` holds the Xray Cloud (GraphQL) and DC (raven REST) probes, `jira.rs` the Jira
//! probe (site or OAuth gateway); this file the constructors and the helpers both share.

mod jira;
mod xray;

use base64::Engine as _;

use crate::error::{ApiError, Service};
use crate::http::{Http, Request, Response, error_for};
use crate::secret::Secret;
use crate::settings::{DcAuth, JiraSettings, XrayAuth, XraySettings};

use super::probes::{JiraProbe, XrayProbe};

pub fn xray(http: Http, x: &XraySettings) -> Box<dyn XrayProbe> {
    let base = x.url.trim_end_matches('/').to_string();
    match &x.auth {
        XrayAuth::Cloud {
            client_id,
            client_secret,
        } => Box::new(xray::Cloud::new(http, base, client_id, client_secret)),
        XrayAuth::Dc(auth) => Box::new(xray::Dc::new(http, base, dc_header(auth))),
    }
}

pub fn jira(http: Http, j: &JiraSettings) -> Box<dyn JiraProbe> {
    Box::new(jira::JiraHttp::new(http, j))
}

pub(super) fn basic(user: &str, password: &Secret) -> String {
    let raw = format!("{user}:{}", password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

pub(super) fn dc_header(auth: &DcAuth) -> String {
    match auth {
        DcAuth::Pat(t) => format!("Bearer {}", t.expose()),
        DcAuth::Basic { username, password } => basic(username, password),
    }
}

/// Percent-encodes a path segment or query value.
pub(super) fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The server's error, plus the one header doctor explains: Jira's CAPTCHA lockout.
pub(super) fn classify(service: Service, what: &str, resp: &Response) -> ApiError {
    if resp.status == 403
        && let Some(reason) = resp.header("x-authentication-denied-reason")
    {
        return ApiError::Forbidden {
            service,
            what: what.to_string(),
            detail: format!("{reason} (X-Authentication-Denied-Reason)"),
        };
    }
    error_for(service, what, resp)
}

/// One read: the first answer is judged as is; rate limits, 5xx and transport failures go
/// through the shared retry policy.
pub(super) fn read(
    http: &Http,
    service: Service,
    what: &str,
    req: &Request,
) -> Result<Response, ApiError> {
    match http.send_once(service, req) {
        Ok(resp) if resp.is_success() => Ok(resp),
        Ok(resp) if resp.status == 429 || resp.status >= 500 => http.send(service, what, req),
        Ok(resp) => Err(classify(service, what, &resp)),
        Err(_) => http.send(service, what, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_path_and_query_values() {
        assert_eq!(enc("CALC"), "CALC");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
        assert_eq!(enc("ÄB"), "%C3%84B");
    }

    #[test]
    fn captcha_header_is_kept_in_the_error() {
        let resp = Response {
            status: 403,
            headers: vec![(
                "X-Authentication-Denied-Reason".into(),
                "CAPTCHA_CHALLENGE; login-url=https://jira/login.jsp".into(),
            )],
            body: Vec::new(),
        };
        let e = classify(Service::Jira, "myself", &resp);
        assert!(e.to_string().contains("CAPTCHA_CHALLENGE"), "{e}");
    }
}
