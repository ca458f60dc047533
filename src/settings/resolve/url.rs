//! URL settings: the http(s) check, and refusing credentials in a URL.
//!
//! A URL like `https://user:pass@host` would carry a password into every place the URL is
//! shown (console, report, job summary, `xray-sync config`). Credentials belong in the
//! credential settings, so such a URL is refused, and the error never repeats the userinfo.

use super::{SettingsError, invalid};
use crate::cli::SettingsArgs;
use crate::settings::file::FileConfig;

/// Trims the URL and checks it is http(s) without userinfo; errors name `setting`.
pub(super) fn check_url(url: String, setting: &str) -> Result<String, SettingsError> {
    refuse_userinfo(&url, setting)?;
    let url = url.trim().trim_end_matches('/').to_string();
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(invalid(format!("{setting}: {url:?} is not an http(s) URL")))
    }
}

/// Every URL setting from flags, environment and the file, whether this run uses it or not.
pub(super) fn refuse_userinfo_everywhere(
    args: &SettingsArgs,
    file: &FileConfig,
) -> Result<(), SettingsError> {
    let given = [
        (&args.connection.xray_url, "XRAY_URL / --xray-url"),
        (&file.xray.url, "[xray] url"),
        (&args.connection.jira_url, "JIRA_URL / --jira-url"),
        (&file.jira.url, "[jira] url"),
        (
            &args.connection.atlassian_auth_url,
            "ATLASSIAN_AUTH_URL / --atlassian-auth-url",
        ),
        (&file.jira.auth_url, "[jira] auth_url"),
        (
            &args.connection.atlassian_api_url,
            "ATLASSIAN_API_URL / --atlassian-api-url",
        ),
        (&file.jira.api_url, "[jira] api_url"),
    ];
    for (value, setting) in given {
        if let Some(url) = value {
            refuse_userinfo(url, setting)?;
        }
    }
    Ok(())
}

/// Every credential set, as the userinfo error lists them.
fn credential_settings() -> String {
    use crate::settings::credentials::{Scheme, set};
    [
        Scheme::XrayCloudKey,
        Scheme::JiraCloudToken,
        Scheme::DcPat,
        Scheme::DcBasic,
        Scheme::JiraCloudOAuth,
    ]
    .map(|s| set(s).joined())
    .join(", ")
}

fn refuse_userinfo(url: &str, setting: &str) -> Result<(), SettingsError> {
    match userinfo_span(url) {
        Some(_) => Err(invalid(format!(
            "{setting}: {:?} holds a user name or password before `@`; credentials in a URL would be shown wherever the URL is, so they are refused: put them in the credential settings ({}) and give the URL without them",
            redact(url),
            credential_settings()
        ))),
        None => Ok(()),
    }
}

/// The byte range of the userinfo (before the last `@` of the authority), if any. The
/// authority runs from after `scheme://` (or the start) to the first `/`, `?`, `#` or `\`.
fn userinfo_span(url: &str) -> Option<std::ops::Range<usize>> {
    let url = url.trim_start();
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    rest[..end].rfind('@').map(|at| start..start + at)
}

/// The URL with its userinfo replaced by `***`, for messages.
pub(super) fn redact(url: &str) -> String {
    let url = url.trim_start();
    match userinfo_span(url) {
        Some(r) => format!("{}***{}", &url[..r.start], &url[r.end..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_refused_and_never_echoed() {
        for url in [
            "https://ci:hunter2pw@jira.acme.test",
            "https://hunter2pw@jira.acme.test/path",
            "http://ci:hunter2pw@127.0.0.1:8080?x=1",
            "ci:hunter2pw@jira.acme.test",
            "https://ci:hunter2pw@evil.test\\@jira.acme.test",
        ] {
            let e = check_url(url.into(), "JIRA_URL / --jira-url")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("JIRA_URL") && e.contains("user name or password"),
                "{e}"
            );
            assert!(!e.contains("hunter2pw"), "{e}");
        }
        assert_eq!(redact("https://ci:pw@host/a@b"), "https://***@host/a@b");
        // An `@` in the path or query is not userinfo.
        assert_eq!(
            check_url("https://jira.acme.test/u/@me/".into(), "x").unwrap(),
            "https://jira.acme.test/u/@me"
        );
        let e = check_url("ftp://jira.acme.test".into(), "x").unwrap_err();
        assert!(e.to_string().contains("not an http(s) URL"));
    }
}
