//! Turning an unsuccessful answer into the `ApiError` a caller branches on, quoting the
//! server's own message from whichever error-body shape Xray or Jira sent.

use super::Response;
use crate::error::{ApiError, Service};

/// The server's message from an error body: `{"error": …}`, `{"errorMessages": […], "errors": {…}}`,
/// `{"message": …}` or plain text. Kept whole: `ApiError` cuts it for display only after the
/// client has scrubbed it of secrets (`error::shorten`).
pub fn detail_of(body: &[u8]) -> String {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct ErrorBody {
        error: Option<serde_json::Value>,
        message: Option<String>,
        #[serde(rename = "errorMessages")]
        error_messages: Vec<String>,
        errors: Option<serde_json::Map<String, serde_json::Value>>,
    }
    let text = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => {
            let mut parts: Vec<String> = Vec::new();
            match b.error {
                Some(serde_json::Value::String(s)) => parts.push(s),
                Some(other) => parts.push(other.to_string()),
                None => {}
            }
            parts.extend(b.message);
            parts.extend(b.error_messages);
            for (field, msg) in b.errors.unwrap_or_default() {
                let msg = msg
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| msg.to_string());
                parts.push(format!("{field}: {msg}"));
            }
            if parts.is_empty() {
                String::from_utf8_lossy(body).into_owned()
            } else {
                parts.join("; ")
            }
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    text.trim().to_string()
}

/// Maps a non-2xx answer to the error a caller branches on. `what` names the thing the request
/// was about (`project CALC`, `issue BUG-1`).
pub fn error_for(service: Service, what: &str, resp: &Response) -> ApiError {
    let detail = if resp.is_html() {
        "an HTML page came back instead of an API answer (wrong base URL or a login page?)"
            .to_string()
    } else {
        detail_of(&resp.body)
    };
    match resp.status {
        401 if service == Service::Xray && detail.contains("another region") => {
            ApiError::WrongRegion { detail }
        }
        401 => ApiError::Unauthorized { service, detail },
        // Jira DC locks an account behind a CAPTCHA after failed logins and says so only in
        // this header; the body is a generic 403.
        403 => ApiError::Forbidden {
            service,
            what: what.to_string(),
            detail: match resp.header("x-authentication-denied-reason") {
                Some(reason) => format!("{reason} (X-Authentication-Denied-Reason)"),
                None => detail,
            },
        },
        404 => ApiError::NotFound {
            service,
            what: what.to_string(),
            detail,
        },
        429 => ApiError::RateLimited {
            service,
            retry_after: resp.retry_after(),
            reason: resp
                .header("ratelimit-reason")
                .or_else(|| resp.header("x-ratelimit-reason"))
                .map(|r| r.chars().take(100).collect()),
        },
        500..=599 => ApiError::Server {
            service,
            status: resp.status,
            detail,
        },
        // 3xx here means a redirect we refused to follow: a wrong base path sends POSTs to a
        // login page.
        300..=399 => ApiError::BadResponse {
            service,
            detail: format!(
                "HTTP {} redirect to {} (is the base URL right?)",
                resp.status,
                resp.header("location").unwrap_or("?")
            ),
        },
        status => ApiError::Rejected {
            service,
            status,
            detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_detail_reads_every_error_shape() {
        assert_eq!(
            detail_of(br#"{"error":"Error retrieving Project"}"#),
            "Error retrieving Project"
        );
        assert_eq!(
            detail_of(br#"{"errorMessages":["No project"],"errors":{"labels":"bad"}}"#),
            "No project; labels: bad"
        );
        assert_eq!(detail_of(b"plain failure\n"), "plain failure");
        // Kept whole; the error cuts it when shown.
        let long = "x".repeat(2000);
        assert_eq!(detail_of(long.as_bytes()), long);
        let shown = error_for(
            Service::Jira,
            "x",
            &Response {
                status: 400,
                headers: vec![],
                body: long.into_bytes(),
            },
        )
        .to_string();
        assert!(shown.ends_with('…') && shown.len() < 600, "{shown}");
    }

    #[test]
    fn region_error_is_its_own_variant() {
        let resp = Response {
            status: 401,
            headers: vec![],
            body: br#"{"error":"Xray data is in another region. Contact support"}"#.to_vec(),
        };
        assert!(matches!(
            error_for(Service::Xray, "auth", &resp),
            ApiError::WrongRegion { .. }
        ));
        assert!(matches!(
            error_for(Service::Jira, "auth", &resp),
            ApiError::Unauthorized { .. }
        ));
    }

    #[test]
    fn captcha_header_is_kept_in_the_error() {
        let resp = Response {
            status: 403,
            headers: vec![(
                "X-Authentication-Denied-Reason".into(),
                "CAPTCHA_CHALLENGE; login-url=https://jira/login.jsp".into(),
            )],
            body: br#"{"errorMessages":["Forbidden"]}"#.to_vec(),
        };
        let e = error_for(Service::Jira, "myself", &resp);
        assert!(matches!(e, ApiError::Forbidden { .. }), "{e:?}");
        assert!(e.to_string().contains("CAPTCHA_CHALLENGE"), "{e}");
    }
}
