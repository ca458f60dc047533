//! The Jira checks: server, myself, project, permissions, bug issue type, link types, and the
//! optional test issue.
//!
//! Owns each check's verdict with its message and fix. The auth failures that look alike on
//! the wire (expired token, scoped token on the site URL, DC basic auth disabled, CAPTCHA
//! lockout, OAuth credentials) each get their own line. Talks to Jira only through `JiraProbe`.

use crate::cli::env;
use crate::error::{ApiError, ErrorKind, Service, quote};
use crate::settings::{DcAuth, JiraAuth, JiraSettings, Product};

use super::probes::{
    Closed, Identity, IssueTypeLookup, IssueTypeRef, JiraProbe, SearchAnswer, ServerAnswer,
    ServerInfo, TestIssue,
};
use super::report::{Check, ids};
use super::settings_check::product_name;
use super::xray_checks::generic_failure;

/// The permissions bug filing needs, with what each is for.
pub const REQUIRED_PERMISSIONS: &[(&str, &str)] = &[
    ("BROWSE_PROJECTS", "find existing bugs"),
    ("CREATE_ISSUES", "file new bugs"),
    ("ADD_COMMENTS", "comment on open bugs"),
    ("LINK_ISSUES", "link bugs to Tests and to earlier bugs"),
    ("TRANSITION_ISSUES", "reopen and close bugs"),
];

/// The label and summary of the `--send-test-issue` issue.
pub const TEST_ISSUE_LABEL: &str = "xray-sync-doctor";
pub const TEST_ISSUE_SUMMARY: &str = "xray-sync doctor test issue — safe to delete";

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

fn uses_basic(j: &JiraSettings) -> bool {
    matches!(j.auth, JiraAuth::Dc(DcAuth::Basic { .. }))
}

pub fn server(j: &JiraSettings, probe: &mut dyn JiraProbe) -> (Check, Option<ServerInfo>) {
    let info = match probe.server_info() {
        Ok(ServerAnswer::Info(info)) => info,
        Ok(ServerAnswer::Html { status }) => {
            return (
                Check::fail(
                    ids::JIRA_SERVER,
                    ErrorKind::BadInput,
                    format!(
                        "{} answered with an HTML page (HTTP {status}), not the Jira REST API: a wrong base URL, a login page or an SSO proxy",
                        j.url
                    ),
                    "set JIRA_URL to the site root, e.g. https://acme.atlassian.net or https://jira.example.com/jira (the part before /rest/), and let CI reach it without an SSO login",
                ),
                None,
            );
        }
        Ok(ServerAnswer::Redirect { status, location }) => {
            return (
                Check::fail(
                    ids::JIRA_SERVER,
                    ErrorKind::BadInput,
                    format!(
                        "{} redirects (HTTP {status} to {location}) instead of answering the REST API: the base URL is wrong or ends at a login page",
                        j.url
                    ),
                    "set JIRA_URL to the final address (scheme, host and context path such as /jira); redirects are never followed because they turn API calls into login pages",
                ),
                None,
            );
        }
        Err(e) => {
            return (
                generic_failure(ids::JIRA_SERVER, &e, "check JIRA_URL"),
                None,
            );
        }
    };
    let actual = info.product();
    if actual != j.product {
        let consequence = match j.product {
            Product::Dc => {
                "xray-sync would call /rest/api/2/search, which Jira Cloud has removed (410 Gone)"
            }
            Product::Cloud => {
                "xray-sync would call /rest/api/3 and /search/jql, which Data Center does not have"
            }
        };
        return (
            Check::fail(
                ids::JIRA_SERVER,
                ErrorKind::BadInput,
                format!(
                    "{} is Jira {} (deploymentType {:?}) but xray-sync is set up for Jira {}: {consequence}",
                    j.url,
                    product_name(actual),
                    info.deployment_type.as_deref().unwrap_or("none"),
                    product_name(j.product)
                ),
                "fix the Jira credentials to match the site: JIRA_EMAIL/JIRA_API_TOKEN for Cloud, JIRA_PAT for Data Center",
            ),
            Some(info),
        );
    }
    match probe.search_endpoint(j.product, &j.project) {
        Ok(SearchAnswer::Available { .. }) => {}
        Ok(SearchAnswer::Gone {
            path,
            status,
            detail,
        }) => {
            return (
                Check::fail(
                    ids::JIRA_SERVER,
                    ErrorKind::BadInput,
                    format!("the search endpoint {path} is gone (HTTP {status}): {detail}"),
                    "Jira Cloud removed /rest/api/{2,3}/search; make sure JIRA_URL is a Cloud site so xray-sync uses /rest/api/3/search/jql",
                ),
                Some(info),
            );
        }
        Ok(SearchAnswer::XsrfRejected { .. }) => {
            return (
                Check::fail(
                    ids::JIRA_SERVER,
                    ErrorKind::PermissionMissing,
                    "Jira refused a POST with \"XSRF check failed\": the request reached it with a browser-like User-Agent (a proxy rewriting it, or a User-Agent override)",
                    format!(
                        "remove any User-Agent override or proxy rule that rewrites it; xray-sync sends User-Agent {}",
                        crate::http::user_agent()
                    ),
                ),
                Some(info),
            );
        }
        // Reachability is already proven by serverInfo; anything else here is noise.
        Err(_) => {}
    }
    let mut warnings: Vec<(String, String)> = Vec::new();
    if actual == Product::Dc && uses_basic(j) && info.major().is_some_and(|m| m >= 11) {
        warnings.push((
            format!(
                "Jira {} disables basic auth by default (version 11+)",
                info.version.as_deref().unwrap_or("11+")
            ),
            "use a personal access token (JIRA_PAT) instead of JIRA_USERNAME/JIRA_PASSWORD"
                .to_string(),
        ));
    }
    if let Some(base) = &info.base_url
        && !j.url.contains("/ex/jira/")
        && !host_of(base).eq_ignore_ascii_case(host_of(&j.url))
    {
        warnings.push((
            format!(
                "Jira reports its base URL as {base}, but {} is {}",
                env::JIRA_URL,
                j.url
            ),
            "use the base URL Jira reports, unless a proxy deliberately sits in front".to_string(),
        ));
    }
    let detail = format!(
        "Jira {} {} at {}",
        product_name(actual),
        info.version.as_deref().unwrap_or("(version unknown)"),
        j.url
    );
    let check = if warnings.is_empty() {
        Check::pass(ids::JIRA_SERVER, detail)
    } else {
        let (m, f): (Vec<String>, Vec<String>) = warnings.into_iter().unzip();
        Check::warn(ids::JIRA_SERVER, m.join("; "), f.join("; ")).with_detail(detail)
    };
    (check, Some(info))
}

pub fn myself(
    j: &JiraSettings,
    probe: &mut dyn JiraProbe,
    server: Option<&ServerInfo>,
) -> (Check, Option<Identity>) {
    match probe.myself() {
        Ok(id) => {
            let email = id
                .email
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default();
            (
                Check::pass(
                    ids::JIRA_MYSELF,
                    format!("CI runs as {}{email}", id.describe()),
                ),
                Some(id),
            )
        }
        Err(e) => (myself_failure(j, &e, server), None),
    }
}

fn myself_failure(j: &JiraSettings, err: &ApiError, server: Option<&ServerInfo>) -> Check {
    let fail = |kind, message: String, fix: &str| Check::fail(ids::JIRA_MYSELF, kind, message, fix);
    let auth = ErrorKind::AuthRejected;
    match err {
        ApiError::Unauthorized {
            service: Service::AtlassianAuth,
            detail,
        }
        | ApiError::Rejected {
            service: Service::AtlassianAuth,
            detail,
            ..
        } => fail(
            auth,
            format!(
                "Atlassian rejected the OAuth client id/secret of the service account: {detail}"
            ),
            "create new OAuth 2.0 credentials for the service account (admin.atlassian.com → Directory → Service accounts) and set JIRA_CLIENT_ID/JIRA_CLIENT_SECRET",
        ),
        ApiError::Forbidden {
            service: Service::AtlassianAuth,
            detail,
            ..
        }
        | ApiError::NotFound {
            service: Service::AtlassianAuth,
            detail,
            ..
        } => fail(
            ErrorKind::PermissionMissing,
            format!(
                "the OAuth service account cannot reach the Jira site {}: {detail}",
                j.url
            ),
            "give the service account access to Jira on this site, with the scopes read:jira-work, write:jira-work and read:jira-user",
        ),
        ApiError::Unauthorized { detail, .. } if detail.contains("scope does not match") => fail(
            auth,
            format!(
                "Jira answered 401 \"scope does not match\": a scoped API token (service accounts only have those) sent to the site URL {}, or a token lacking a scope",
                j.url
            ),
            "send scoped tokens through the API gateway: JIRA_URL=https://api.atlassian.com/ex/jira/{cloudId} (cloudId from https://<site>.atlassian.net/_edge/tenant_info), or use OAuth service-account credentials; grant read:jira-work, write:jira-work, read:jira-user",
        ),
        ApiError::Unauthorized { detail, .. } if detail.contains("passwords is deprecated") => {
            fail(
                auth,
                format!("Jira Cloud does not accept account passwords: {detail}"),
                "create an API token at https://id.atlassian.com/manage-profile/security/api-tokens and set JIRA_API_TOKEN",
            )
        }
        ApiError::Unauthorized { detail, .. } if j.product == Product::Dc && uses_basic(j) => {
            let disabled = detail.to_ascii_lowercase().contains("basic auth")
                || server.and_then(ServerInfo::major).is_some_and(|m| m >= 11);
            if disabled {
                fail(
                    auth,
                    format!(
                        "Jira Data Center refused basic auth (disabled by default on Jira 11+): {detail}"
                    ),
                    "create a personal access token (Profile → Personal Access Tokens) and set JIRA_PAT instead of JIRA_USERNAME/JIRA_PASSWORD, or ask an admin to re-enable basic auth",
                )
            } else {
                fail(
                    auth,
                    format!("Jira Data Center rejected the username/password (HTTP 401): {detail}"),
                    "check JIRA_USERNAME and JIRA_PASSWORD, or better use a personal access token (JIRA_PAT)",
                )
            }
        }
        ApiError::Unauthorized { detail, .. } => match &j.auth {
            JiraAuth::CloudToken { email, .. } => fail(
                auth,
                format!(
                    "Jira rejected the API token for {email} (HTTP 401): it expired, was revoked, or is not {email}'s token: {detail}"
                ),
                "create a new API token at https://id.atlassian.com/manage-profile/security/api-tokens (tokens expire after at most a year) and update JIRA_API_TOKEN; JIRA_EMAIL must be the token owner's email",
            ),
            JiraAuth::CloudOAuth { .. } => fail(
                auth,
                format!("Jira rejected the OAuth access token (HTTP 401): {detail}"),
                "grant the service account's credential the scope read:jira-user (and read:jira-work, write:jira-work)",
            ),
            JiraAuth::Dc(_) => fail(
                auth,
                format!(
                    "Jira Data Center rejected the personal access token (HTTP 401): expired or revoked: {detail}"
                ),
                "create a new personal access token (Profile → Personal Access Tokens) and set JIRA_PAT",
            ),
        },
        ApiError::Forbidden { detail, .. } if detail.contains("CAPTCHA") => fail(
            auth,
            format!("Jira locked the account behind a CAPTCHA after failed logins: {detail}"),
            "log in once in a browser to clear the CAPTCHA, then switch to a personal access token (JIRA_PAT), which is never locked",
        ),
        _ => generic_failure(ids::JIRA_MYSELF, err, "check the Jira credentials"),
    }
}

pub fn project(j: &JiraSettings, probe: &mut dyn JiraProbe, who: &Identity) -> Check {
    match probe.project(&j.project) {
        Ok(p) => Check::pass(
            ids::JIRA_PROJECT,
            format!("{} ({}) is browsable", p.key, p.name),
        ),
        Err(ApiError::NotFound { detail, .. } | ApiError::Forbidden { detail, .. }) => Check::fail(
            ids::JIRA_PROJECT,
            ErrorKind::NotFound,
            format!(
                "project {} not found or not browsable by {}{}",
                j.project,
                who.describe(),
                quote(&detail)
            ),
            "check JIRA_BUG_PROJECT (keys are case-sensitive) and that this user has Browse Projects in it",
        ),
        Err(e) => generic_failure(ids::JIRA_PROJECT, &e, "check JIRA_BUG_PROJECT"),
    }
}

/// Returns the check and the missing permission keys.
pub fn permissions(
    j: &JiraSettings,
    probe: &mut dyn JiraProbe,
    who: &Identity,
) -> (Check, Vec<String>) {
    let wanted: Vec<&str> = REQUIRED_PERMISSIONS.iter().map(|(p, _)| *p).collect();
    match probe.missing_permissions(&j.project, &wanted) {
        Ok(missing) if missing.is_empty() => (
            Check::pass(
                ids::JIRA_PERMISSIONS,
                format!(
                    "{} has {} in {}",
                    who.describe(),
                    wanted.join(", "),
                    j.project
                ),
            ),
            missing,
        ),
        Ok(missing) => {
            let named: Vec<String> = missing
                .iter()
                .map(|m| {
                    let why = REQUIRED_PERMISSIONS
                        .iter()
                        .find(|(p, _)| p == m)
                        .map(|(_, why)| *why)
                        .unwrap_or("needed");
                    format!("{m} (to {why})")
                })
                .collect();
            (
                Check::fail(
                    ids::JIRA_PERMISSIONS,
                    ErrorKind::PermissionMissing,
                    format!(
                        "{} lacks in {}: {}",
                        who.describe(),
                        j.project,
                        named.join(", ")
                    ),
                    format!(
                        "ask a Jira admin to grant {} to this user in the project's permission scheme",
                        missing.join(", ")
                    ),
                ),
                missing,
            )
        }
        Err(e) => (
            generic_failure(ids::JIRA_PERMISSIONS, &e, "check JIRA_BUG_PROJECT"),
            Vec::new(),
        ),
    }
}

/// Fields xray-sync fills itself, so a required one without a default is no problem.
fn fields_we_set(j: &JiraSettings) -> Vec<&'static str> {
    let mut set = vec![
        "project",
        "issuetype",
        "summary",
        "description",
        "labels",
        "reporter",
    ];
    if j.assignee.is_some() {
        set.push("assignee");
    }
    if !j.components.is_empty() {
        set.push("components");
    }
    if j.priority.is_some() {
        set.push("priority");
    }
    set
}

pub fn issue_type(j: &JiraSettings, probe: &mut dyn JiraProbe) -> (Check, Option<IssueTypeRef>) {
    let (issue_type, fields) = match probe.issue_type(&j.project, &j.issue_type) {
        Ok(IssueTypeLookup::Found { issue_type, fields }) => (issue_type, fields),
        Ok(IssueTypeLookup::Missing { available }) => {
            return (
                Check::fail(
                    ids::JIRA_ISSUE_TYPE,
                    ErrorKind::NotFound,
                    format!(
                        "issue type '{}' does not exist in project {} (available: {})",
                        j.issue_type,
                        j.project,
                        available.join(", ")
                    ),
                    "set JIRA_BUG_ISSUE_TYPE to one of the available types, or add it to the project's issue type scheme",
                ),
                None,
            );
        }
        Err(e) => {
            return (
                generic_failure(ids::JIRA_ISSUE_TYPE, &e, "check JIRA_BUG_ISSUE_TYPE"),
                None,
            );
        }
    };
    if issue_type.subtask {
        return (
            Check::fail(
                ids::JIRA_ISSUE_TYPE,
                ErrorKind::BadInput,
                format!(
                    "issue type '{}' is a sub-task type; bugs need a standard type",
                    issue_type.name
                ),
                "set JIRA_BUG_ISSUE_TYPE to a standard issue type such as Bug",
            ),
            None,
        );
    }
    let ours = fields_we_set(j);
    let blocking: Vec<String> = fields
        .iter()
        .filter(|f| f.required && !f.has_default_value && !ours.contains(&f.field_id.as_str()))
        .map(|f| format!("{} ({})", f.name, f.field_id))
        .collect();
    if !blocking.is_empty() {
        return (
            Check::fail(
                ids::JIRA_ISSUE_TYPE,
                ErrorKind::BadInput,
                format!(
                    "issue type '{}' in {} has required fields without a default that xray-sync does not fill: {}",
                    issue_type.name,
                    j.project,
                    blocking.join(", ")
                ),
                "make these fields optional or give them a default in the project's field configuration, or pick another JIRA_BUG_ISSUE_TYPE",
            ),
            None,
        );
    }
    (
        Check::pass(
            ids::JIRA_ISSUE_TYPE,
            format!(
                "'{}' (id {}) can be created in {}; no unfilled required fields",
                issue_type.name, issue_type.id, j.project
            ),
        ),
        Some(issue_type),
    )
}

pub fn link_types(j: &JiraSettings, probe: &mut dyn JiraProbe) -> Check {
    let configured: Vec<(&str, &str)> = [
        ("done link type", j.done_link_type.as_str()),
        ("duplicate link type", j.duplicate_link_type.as_str()),
        ("test link type", j.test_link_type.as_str()),
    ]
    .into_iter()
    .filter(|(_, name)| !name.trim().is_empty())
    .collect();
    if configured.is_empty() {
        return Check::pass(ids::JIRA_LINK_TYPES, "no link types configured");
    }
    let types = match probe.link_types() {
        Ok(t) => t,
        Err(e @ ApiError::NotFound { .. }) => {
            return Check::fail(
                ids::JIRA_LINK_TYPES,
                ErrorKind::NotFound,
                format!("issue linking is disabled on this Jira ({e})"),
                "ask a Jira admin to enable issue linking, or set the link types to empty to skip linking",
            );
        }
        Err(e) => return generic_failure(ids::JIRA_LINK_TYPES, &e, "check the Jira credentials"),
    };
    let missing: Vec<String> = configured
        .iter()
        .filter(|(_, name)| !types.iter().any(|t| t.matches(name)))
        .map(|(what, name)| format!("'{name}' ({what})"))
        .collect();
    if missing.is_empty() {
        let names: Vec<&str> = configured.iter().map(|(_, n)| *n).collect();
        return Check::pass(ids::JIRA_LINK_TYPES, format!("{} exist", names.join(", ")));
    }
    let available: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    Check::fail(
        ids::JIRA_LINK_TYPES,
        ErrorKind::NotFound,
        format!(
            "link type(s) {} do not exist (available: {})",
            missing.join(", "),
            available.join(", ")
        ),
        "set the link type settings in xray-sync.toml [jira] to an existing name or phrase (names differ between sites)",
    )
}

/// Files the clearly labelled test issue and closes it when a Done transition is available.
pub fn test_issue(
    j: &JiraSettings,
    probe: &mut dyn JiraProbe,
    issue_type: &IssueTypeRef,
) -> (Check, Option<String>) {
    let mut labels = vec![TEST_ISSUE_LABEL.to_string()];
    if !j.marker_label.is_empty() && j.marker_label != TEST_ISSUE_LABEL {
        labels.push(j.marker_label.clone());
    }
    let issue = TestIssue {
        project: j.project.clone(),
        issue_type_id: issue_type.id.clone(),
        summary: TEST_ISSUE_SUMMARY.to_string(),
        labels,
        description: "Created by `xray-sync doctor --send-test-issue` to prove that xray-sync can file bugs here. Safe to delete.".to_string(),
    };
    let key = match probe.create_issue(&issue) {
        Ok(key) => key,
        Err(e @ ApiError::Forbidden { .. }) if e.to_string().contains("XSRF") => {
            return (
                Check::fail(
                    ids::JIRA_TEST_ISSUE,
                    ErrorKind::PermissionMissing,
                    format!(
                        "creating the test issue failed with \"XSRF check failed\": the request looked like a browser's ({e})"
                    ),
                    format!(
                        "remove any User-Agent override or proxy rule that rewrites it; xray-sync sends User-Agent {}",
                        crate::http::user_agent()
                    ),
                ),
                None,
            );
        }
        Err(e) => {
            return (
                generic_failure(
                    ids::JIRA_TEST_ISSUE,
                    &e,
                    "check the fields the project requires and the CREATE_ISSUES permission",
                ),
                None,
            );
        }
    };
    let check = match probe.close_issue(&key) {
        Ok(Closed::Transitioned { name }) => Check::pass(
            ids::JIRA_TEST_ISSUE,
            format!("created {key} (label {TEST_ISSUE_LABEL}) and closed it via '{name}'"),
        ),
        Ok(Closed::NoDoneTransition) => Check::warn(
            ids::JIRA_TEST_ISSUE,
            format!(
                "created {key} (label {TEST_ISSUE_LABEL}) but no transition to a Done status is available to close it"
            ),
            format!(
                "delete {key} by hand; give the user TRANSITION_ISSUES if xray-sync should close bugs"
            ),
        ),
        Err(e) => Check::warn(
            ids::JIRA_TEST_ISSUE,
            format!("created {key} (label {TEST_ISSUE_LABEL}) but closing it failed: {e}"),
            format!("delete {key} by hand"),
        ),
    };
    (check, Some(key))
}
