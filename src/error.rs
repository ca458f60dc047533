//! The error taxonomy shared by `run`, `resend` and `doctor`.
//!
//! Owns `ApiError` (what a remote service did wrong, typed because callers branch on it: re-auth
//! on `Unauthorized`, wait on `RateLimited`, spool on the rest) and `ErrorKind`, the seven kinds
//! users see. Each kind names the `doctor` check that explains it, so a failed `run` points at
//! the right line of `xray-sync doctor`. Messages never contain secrets: callers pass bodies
//! through `secret::scrub` before building an error.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::secret::Secret;

/// A remote service xray-sync talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Xray,
    Jira,
    /// The Atlassian OAuth 2.0 token endpoint (Jira service accounts).
    AtlassianAuth,
    GitHub,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Xray => "Xray",
            Service::Jira => "Jira",
            Service::AtlassianAuth => "Atlassian auth",
            Service::GitHub => "GitHub",
        })
    }
}

/// The kinds of failure users see, in `run` and in `doctor` alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    AuthRejected,
    PermissionMissing,
    NotFound,
    RateLimited,
    ServerError,
    Network,
    BadInput,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::AuthRejected => "auth rejected",
            ErrorKind::PermissionMissing => "permission missing",
            ErrorKind::NotFound => "not found",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::ServerError => "server error",
            ErrorKind::Network => "network",
            ErrorKind::BadInput => "bad input",
        }
    }
}

/// What went wrong talking to a service. `detail` is the server's own message (scrubbed of
/// secrets, trimmed), quoted to the user because it is usually the most precise clue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("{service} rejected the credentials (HTTP 401){}", quote(detail))]
    Unauthorized { service: Service, detail: String },
    /// Xray Cloud's "Xray data is in another region": authentication worked on the wrong host.
    #[error(
        "Xray data for this site lives in another region: set XRAY_URL to the regional host (e.g. https://eu.xray.cloud.getxray.app){}",
        quote(detail)
    )]
    WrongRegion { detail: String },
    #[error("{service}: permission denied on {what} (HTTP 403){}", quote(detail))]
    Forbidden {
        service: Service,
        what: String,
        detail: String,
    },
    #[error("{service}: {what} not found (HTTP 404){}", quote(detail))]
    NotFound {
        service: Service,
        what: String,
        detail: String,
    },
    #[error("{service} is rate limiting requests (HTTP 429){}{}", retry_after.map(|d| format!(", retry after {}s", d.as_secs())).unwrap_or_default(), reason.as_deref().map(|r| format!(" (RateLimit-Reason: {r})")).unwrap_or_default())]
    RateLimited {
        service: Service,
        retry_after: Option<Duration>,
        /// Jira Cloud's `RateLimit-Reason` header (burst, per-issue write, quota), when sent.
        reason: Option<String>,
    },
    #[error("{service} answered HTTP {status}{}", quote(detail))]
    Server {
        service: Service,
        status: u16,
        detail: String,
    },
    /// A 4xx other than 401/403/404/429: the request itself was refused. Never retried.
    #[error("{service} rejected the request (HTTP {status}){}", quote(detail))]
    Rejected {
        service: Service,
        status: u16,
        detail: String,
    },
    /// 2xx but not the answer the contract promises (no key in the body, HTML instead of JSON:
    /// usually a wrong base URL that lands on a login page).
    #[error("{service} sent an unexpected answer: {}", shorten(detail))]
    BadResponse { service: Service, detail: String },
    /// Could not connect, connection reset, or timed out. `maybe_applied` is true when the
    /// request was fully sent before the failure, so a create may have happened.
    #[error("cannot reach {service} at {url}: {}", shorten(detail))]
    Network {
        service: Service,
        url: String,
        detail: String,
        maybe_applied: bool,
    },
}

/// `": detail"`, or nothing when the server said nothing.
pub(crate) fn quote(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {}", shorten(detail))
    }
}

/// How much of a server's message an error shows.
pub const MAX_DETAIL_CHARS: usize = 500;

/// `text` cut to [`MAX_DETAIL_CHARS`] for display. Errors keep the server's whole message and
/// are cut only when shown, so scrubbing (which runs on the whole message, before any display)
/// never meets a secret that a cut split in two.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Unauthorized { .. } | ApiError::WrongRegion { .. } => ErrorKind::AuthRejected,
            ApiError::Forbidden { .. } => ErrorKind::PermissionMissing,
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::Server { .. } => ErrorKind::ServerError,
            ApiError::Network { .. } => ErrorKind::Network,
            ApiError::Rejected { .. } | ApiError::BadResponse { .. } => ErrorKind::BadInput,
        }
    }

    pub fn service(&self) -> Service {
        match self {
            ApiError::Unauthorized { service, .. }
            | ApiError::Forbidden { service, .. }
            | ApiError::NotFound { service, .. }
            | ApiError::RateLimited { service, .. }
            | ApiError::Server { service, .. }
            | ApiError::Rejected { service, .. }
            | ApiError::BadResponse { service, .. }
            | ApiError::Network { service, .. } => *service,
            ApiError::WrongRegion { .. } => Service::Xray,
        }
    }

    /// This error with every secret value replaced by `***` in its text fields. Clients call
    /// it on every error before returning it, since servers may echo credentials back.
    pub fn scrubbed(self, secrets: &[&Secret]) -> ApiError {
        let s = |t: String| crate::secret::scrub(&t, secrets);
        match self {
            ApiError::Unauthorized { service, detail } => ApiError::Unauthorized {
                service,
                detail: s(detail),
            },
            ApiError::WrongRegion { detail } => ApiError::WrongRegion { detail: s(detail) },
            ApiError::Forbidden {
                service,
                what,
                detail,
            } => ApiError::Forbidden {
                service,
                what: s(what),
                detail: s(detail),
            },
            ApiError::NotFound {
                service,
                what,
                detail,
            } => ApiError::NotFound {
                service,
                what: s(what),
                detail: s(detail),
            },
            ApiError::RateLimited {
                service,
                retry_after,
                reason,
            } => ApiError::RateLimited {
                service,
                retry_after,
                reason: reason.map(s),
            },
            ApiError::Server {
                service,
                status,
                detail,
            } => ApiError::Server {
                service,
                status,
                detail: s(detail),
            },
            ApiError::Rejected {
                service,
                status,
                detail,
            } => ApiError::Rejected {
                service,
                status,
                detail: s(detail),
            },
            ApiError::BadResponse { service, detail } => ApiError::BadResponse {
                service,
                detail: s(detail),
            },
            ApiError::Network {
                service,
                url,
                detail,
                maybe_applied,
            } => ApiError::Network {
                service,
                url: s(url),
                detail: s(detail),
                maybe_applied,
            },
        }
    }

    /// True when the server's message blames a Test key: Xray's import errors
    /// (`Test with key CALC-9 not found`, DC `Test issue with key CALC-9 not found.`) and Jira's
    /// JQL error for a key that does not exist (xray-api.md §3.3, §7).
    fn names_a_test_key(&self) -> bool {
        let detail = match self {
            // The test plan's own lookup names its key the same way; that is xray.test-plan's.
            ApiError::NotFound { what, .. } if what.starts_with("test plan") => return false,
            ApiError::Rejected { detail, .. }
            | ApiError::NotFound { detail, .. }
            | ApiError::BadResponse { detail, .. } => detail,
            _ => return false,
        };
        let d = detail.to_ascii_lowercase();
        (d.contains("test with key") && d.contains("not found"))
            || (d.contains("test issue with key") && d.contains("not found"))
            || d.contains("does not exist for field 'key'")
    }

    /// The `xray-sync doctor` check whose line explains this error.
    pub fn doctor_check(&self) -> &'static str {
        match (self.service(), self.kind()) {
            (Service::Xray, ErrorKind::AuthRejected) => "xray.auth",
            // An import refused for a Test key (missing, hidden, not a Test) is the keys' fault,
            // not the project's.
            (Service::Xray, ErrorKind::BadInput | ErrorKind::NotFound)
                if self.names_a_test_key() =>
            {
                "xray.keys"
            }
            (Service::Xray, ErrorKind::PermissionMissing | ErrorKind::NotFound) => "xray.project",
            (Service::Xray, ErrorKind::BadInput) => "xray.project",
            (
                Service::Xray,
                ErrorKind::Network | ErrorKind::ServerError | ErrorKind::RateLimited,
            ) => "xray.auth",
            (Service::Jira | Service::AtlassianAuth, ErrorKind::AuthRejected) => "jira.myself",
            (Service::Jira | Service::AtlassianAuth, ErrorKind::PermissionMissing) => {
                "jira.permissions"
            }
            (Service::Jira | Service::AtlassianAuth, ErrorKind::NotFound) => "jira.project",
            (Service::Jira | Service::AtlassianAuth, ErrorKind::BadInput) => "jira.issue-type",
            (
                Service::Jira | Service::AtlassianAuth,
                ErrorKind::Network | ErrorKind::ServerError | ErrorKind::RateLimited,
            ) => "jira.server",
            (Service::GitHub, _) => "github",
        }
    }
}

/// One failure, as users see it in the console and in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportError {
    pub kind: ErrorKind,
    pub message: String,
    /// The `xray-sync doctor` check that explains it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor_check: Option<String>,
}

impl ReportError {
    pub fn from_api(e: &ApiError) -> ReportError {
        ReportError {
            kind: e.kind(),
            message: e.to_string(),
            doctor_check: Some(e.doctor_check().to_string()),
        }
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;

    #[test]
    fn an_import_refused_for_a_key_points_at_xray_keys() {
        let rejected = |detail: &str| ApiError::Rejected {
            service: Service::Xray,
            status: 400,
            detail: detail.into(),
        };
        assert_eq!(
            rejected("Test with key CALC-404 not found").doctor_check(),
            "xray.keys"
        );
        assert_eq!(
            rejected("Test issue with key CALC-404 not found.").doctor_check(),
            "xray.keys"
        );
        assert_eq!(
            rejected("An issue with key 'CALC-9' does not exist for field 'key'.").doctor_check(),
            "xray.keys"
        );
        assert_eq!(
            rejected("Error retrieving Project from Jira with key \"X\"").doctor_check(),
            "xray.project"
        );
    }

    /// A secret the server echoed across the display cut is scrubbed whole, because the error
    /// keeps the full message until it is shown.
    #[test]
    fn a_secret_straddling_the_display_cut_never_shows() {
        let secret = Secret::from("SECRETVALUE123");
        let detail = format!(
            "{}{}{}",
            "x".repeat(MAX_DETAIL_CHARS - 6),
            secret.expose(),
            "y".repeat(50)
        );
        let err = ApiError::Unauthorized {
            service: Service::Jira,
            detail,
        }
        .scrubbed(&[&secret]);
        let shown = err.to_string();
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
    }
}
