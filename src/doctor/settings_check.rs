//! The `settings` check: are the Xray and Jira settings complete and consistent, before any
//! request goes out?
//!
//! Owns the rules for "missing" and "contradictory" as doctor reports them, over the table of
//! credential sets the resolver uses too (`settings::credentials`). `Settings` is already
//! resolved, so half-given or doubled credential sets are only visible in the raw list of what
//! the user set; the CLI passes that list in `Options::given` (env var names; flags reported by
//! their env var name).

use crate::error::ErrorKind;
use crate::settings::{DcAuth, JiraAuth, JiraSettings, Product, Settings, XrayAuth, XraySettings};

use super::report::{Check, ids};

// The credential sets and their sides are the resolver's table: one rule for both.
use crate::cli::env;
use crate::settings::credentials::{self, Scheme};
pub use crate::settings::credentials::{CREDENTIAL_SETS, CredentialSet, Side};

struct Problem {
    side: Side,
    message: String,
    fix: String,
}

fn problem(side: Side, message: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        side,
        message: message.into(),
        fix: fix.into(),
    }
}

/// The settings check, and whether each side may go on to its network checks.
pub struct Verdict {
    pub check: Check,
    pub xray_ok: bool,
    pub jira_ok: bool,
}

/// `given`: names of the credential env vars (or their flags) that were set and non-empty.
/// `transport`: why the HTTP client could not be built (a bad CA bundle), if it could not.
pub fn check(s: &Settings, given: &[String], transport: Option<&str>) -> Verdict {
    let mut problems = Vec::new();
    let has = |v: &str| given.iter().any(|g| g.eq_ignore_ascii_case(v));

    // Half-given sets, then more than one complete set for one service.
    let mut complete: Vec<&CredentialSet> = Vec::new();
    for set in CREDENTIAL_SETS {
        let present: Vec<&str> = set.vars.iter().copied().filter(|v| has(v)).collect();
        if present.len() == set.vars.len() {
            complete.push(set);
        } else if !present.is_empty() {
            let missing: Vec<&str> = set.vars.iter().copied().filter(|v| !has(v)).collect();
            problems.push(problem(
                set.side,
                format!(
                    "{} is incomplete: {} set but {} missing",
                    set.name,
                    present.join(", "),
                    missing.join(", ")
                ),
                format!(
                    "set {} too, or unset {}",
                    missing.join(", "),
                    present.join(", ")
                ),
            ));
        }
    }
    let jira_sets: Vec<&CredentialSet> = complete
        .iter()
        .copied()
        .filter(|c| c.side == Side::Jira)
        .collect();
    if jira_sets.len() > 1 {
        let names: Vec<String> = jira_sets
            .iter()
            .map(|c| format!("{} ({})", c.name, c.joined()))
            .collect();
        problems.push(problem(
            Side::Jira,
            format!(
                "contradictory Jira credentials: {} are {} set",
                names.join(" and "),
                if names.len() == 2 { "both" } else { "all" }
            ),
            "keep exactly one Jira credential set and unset the others",
        ));
    }
    let xray_cloud_keys = complete
        .iter()
        .any(|c| c.side == Side::Xray && c.product == Product::Cloud);
    if xray_cloud_keys
        && !jira_sets.is_empty()
        && jira_sets.iter().all(|c| c.product == Product::Dc)
    {
        problems.push(problem(
            Side::Both,
            format!(
                "contradictory credentials: Xray Cloud API keys ({}) with {} ({}); Xray Cloud only runs on Jira Cloud",
                credentials::set(Scheme::XrayCloudKey).joined(),
                jira_sets[0].name,
                jira_sets[0].joined()
            ),
            "for Xray/Jira Data Center drop XRAY_CLIENT_ID/XRAY_CLIENT_SECRET (Xray DC uses the Jira credentials); for Cloud use JIRA_EMAIL/JIRA_API_TOKEN",
        ));
    }

    if let Some(x) = &s.xray {
        xray_problems(x, &mut problems);
    }
    if let Some(j) = &s.jira {
        jira_problems(j, &mut problems);
    }
    // The same contradiction, seen in the resolved settings; said once is enough.
    let already_said = problems.iter().any(|p| p.side == Side::Both);
    if let (Some(x), Some(j)) = (&s.xray, &s.jira)
        && x.product != j.product
        && !already_said
    {
        problems.push(problem(
            Side::Both,
            format!(
                "contradictory settings: Xray is set up as {} but Jira as {}",
                product_name(x.product),
                product_name(j.product)
            ),
            "Xray Cloud goes with Jira Cloud and Xray DC with Jira DC: fix XRAY_URL or JIRA_URL",
        ));
    }
    if s.xray.is_none() && s.jira.is_none() && problems.is_empty() {
        problems.push(problem(
            Side::Both,
            "neither Xray nor Jira is configured: no credentials were given",
            "set XRAY_CLIENT_ID/XRAY_CLIENT_SECRET (Xray Cloud) and/or JIRA_URL with JIRA_EMAIL/JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT (Data Center)",
        ));
    }
    if let Some(t) = transport {
        problems.push(problem(
            Side::Both,
            format!("the HTTP client cannot be built: {t}"),
            "point XRAY_SYNC_CA_CERT at a readable PEM bundle",
        ));
    }

    let blocks = |side: Side| {
        problems
            .iter()
            .any(|p| p.side == side || p.side == Side::Both)
    };
    let xray_ok = s.xray.is_some() && !blocks(Side::Xray);
    let jira_ok = s.jira.is_some() && !blocks(Side::Jira);

    // doctor resolves leniently, as a dry run does; notes about what a dry run would do are not
    // about doctor and would only confuse (`run --dry-run` prints them).
    let notes: Vec<&String> = s.notes.iter().filter(|n| !n.contains("dry run")).collect();
    let check = if problems.is_empty() {
        let mut parts = vec![
            describe_xray(s.xray.as_ref()),
            describe_jira(s.jira.as_ref()),
        ];
        parts.extend(notes.iter().map(|n| n.to_string()));
        Check::pass(ids::SETTINGS, parts.join("; "))
    } else {
        let message = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let fix = problems
            .iter()
            .map(|p| p.fix.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let check = Check::fail(ids::SETTINGS, ErrorKind::BadInput, message, fix);
        if notes.is_empty() {
            check
        } else {
            let notes: Vec<&str> = notes.iter().map(|n| n.as_str()).collect();
            check.with_detail(notes.join("; "))
        }
    };
    Verdict {
        check,
        xray_ok,
        jira_ok,
    }
}

/// "Cloud" or "Data Center", for messages.
pub(super) fn product_name(p: Product) -> &'static str {
    match p {
        Product::Cloud => "Cloud",
        Product::Dc => "Data Center",
    }
}

fn url_problem(side: Side, var: &str, url: &str, problems: &mut Vec<Problem>) -> bool {
    let trimmed = url.trim();
    if trimmed.is_empty() {
        problems.push(problem(
            side,
            format!("{var} is empty"),
            format!("set {var}"),
        ));
        return true;
    }
    if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
        problems.push(problem(
            side,
            format!("{var} {trimmed:?} is not an http(s) URL"),
            format!("set {var} to a full URL such as https://…"),
        ));
        return true;
    }
    if trimmed.contains("/rest/") || trimmed.contains("/api/v") {
        problems.push(problem(
            side,
            format!("{var} {trimmed:?} includes an API path"),
            format!("set {var} to the base URL only (the part before /rest/ or /api/)"),
        ));
        return true;
    }
    false
}

fn xray_problems(x: &XraySettings, problems: &mut Vec<Problem>) {
    url_problem(Side::Xray, env::XRAY_URL, &x.url, problems);
    match (&x.auth, x.product) {
        (XrayAuth::Cloud { client_id, client_secret }, Product::Cloud) => {
            if client_id.trim().is_empty() || client_secret.is_empty() {
                problems.push(problem(
                    Side::Xray,
                    "Xray Cloud API key is incomplete: client id or secret is empty",
                    "set both XRAY_CLIENT_ID and XRAY_CLIENT_SECRET (Xray → Global settings → API Keys)",
                ));
            }
            if x.url.contains("atlassian.net") {
                problems.push(problem(
                    Side::Xray,
                    format!("{} {:?} is the Jira site, not the Xray Cloud API host", env::XRAY_URL, x.url),
                    "set XRAY_URL to https://xray.cloud.getxray.app or your region's host (us., eu., au.xray.cloud.getxray.app)",
                ));
            }
        }
        (XrayAuth::Dc(auth), Product::Dc) => dc_auth_problems(Side::Xray, auth, problems),
        (XrayAuth::Cloud { .. }, Product::Dc) => problems.push(problem(
            Side::Xray,
            "contradictory Xray settings: Cloud API keys for an Xray Data Center URL",
            "Xray DC takes the Jira DC credentials (JIRA_PAT or JIRA_USERNAME/JIRA_PASSWORD); Xray Cloud needs XRAY_URL on xray.cloud.getxray.app",
        )),
        (XrayAuth::Dc(_), Product::Cloud) => problems.push(problem(
            Side::Xray,
            "contradictory Xray settings: Data Center credentials for Xray Cloud",
            "Xray Cloud needs XRAY_CLIENT_ID/XRAY_CLIENT_SECRET",
        )),
    }
    if x.project.trim().is_empty() {
        problems.push(problem(
            Side::Xray,
            "no Xray project key is set",
            "set XRAY_PROJECT (e.g. CALC)",
        ));
    }
}

fn dc_auth_problems(side: Side, auth: &DcAuth, problems: &mut Vec<Problem>) {
    match auth {
        DcAuth::Pat(token) if token.is_empty() => problems.push(problem(
            side,
            "the Data Center personal access token is empty",
            "set JIRA_PAT",
        )),
        DcAuth::Basic { username, password } if username.is_empty() || password.is_empty() => {
            problems.push(problem(
                side,
                "Data Center username or password is empty",
                "set JIRA_USERNAME and JIRA_PASSWORD, or better a JIRA_PAT",
            ))
        }
        DcAuth::Pat(_) | DcAuth::Basic { .. } => {}
    }
}

fn jira_problems(j: &JiraSettings, problems: &mut Vec<Problem>) {
    if !url_problem(Side::Jira, env::JIRA_URL, &j.url, problems)
        && j.url.contains("api.atlassian.com")
        && !j.url.contains("/ex/jira/")
    {
        problems.push(problem(
            Side::Jira,
            format!("{} {:?} is the API gateway without a cloud id", env::JIRA_URL, j.url),
            "use https://api.atlassian.com/ex/jira/{cloudId} or the site URL https://<site>.atlassian.net",
        ));
    }
    match (&j.auth, j.product) {
        (JiraAuth::CloudToken { email, token }, Product::Cloud) => {
            if email.trim().is_empty() || token.is_empty() {
                problems.push(problem(
                    Side::Jira,
                    "Jira Cloud API token is incomplete: email or token is empty",
                    "set JIRA_EMAIL (the token owner's account email) and JIRA_API_TOKEN",
                ));
            }
        }
        (
            JiraAuth::CloudOAuth {
                client_id,
                client_secret,
                ..
            },
            Product::Cloud,
        ) => {
            if client_id.trim().is_empty() || client_secret.is_empty() {
                problems.push(problem(
                    Side::Jira,
                    "Jira OAuth service account is incomplete: client id or secret is empty",
                    "set JIRA_CLIENT_ID and JIRA_CLIENT_SECRET",
                ));
            }
        }
        (JiraAuth::Dc(auth), Product::Dc) => dc_auth_problems(Side::Jira, auth, problems),
        (JiraAuth::Dc(_), Product::Cloud) => problems.push(problem(
            Side::Jira,
            "contradictory Jira settings: Data Center credentials (PAT or username/password) for a Jira Cloud site",
            "Jira Cloud takes JIRA_EMAIL + JIRA_API_TOKEN, or an OAuth service account",
        )),
        (JiraAuth::CloudToken { .. } | JiraAuth::CloudOAuth { .. }, Product::Dc) => {
            problems.push(problem(
                Side::Jira,
                "contradictory Jira settings: Cloud credentials (API token or OAuth) for a Jira Data Center URL",
                "Jira DC takes JIRA_PAT (or JIRA_USERNAME/JIRA_PASSWORD); check JIRA_URL",
            ))
        }
    }
    if j.project.trim().is_empty() {
        problems.push(problem(
            Side::Jira,
            "no Jira project key is set for bugs",
            "set JIRA_BUG_PROJECT (e.g. CALC)",
        ));
    }
    if j.issue_type.trim().is_empty() {
        problems.push(problem(
            Side::Jira,
            "no Jira issue type is set for bugs",
            "set JIRA_BUG_ISSUE_TYPE (e.g. Bug)",
        ));
    }
}

fn describe_xray(x: Option<&XraySettings>) -> String {
    match x {
        None => "Xray: not configured".to_string(),
        Some(x) => {
            let auth = match &x.auth {
                XrayAuth::Cloud { client_id, .. } => format!("API key {}", abbreviate(client_id)),
                XrayAuth::Dc(DcAuth::Pat(_)) => "personal access token".to_string(),
                XrayAuth::Dc(DcAuth::Basic { username, .. }) => format!("user {username}"),
            };
            format!(
                "Xray {} at {} ({auth}), project {}",
                product_name(x.product),
                x.url,
                x.project
            )
        }
    }
}

fn describe_jira(j: Option<&JiraSettings>) -> String {
    match j {
        None => "Jira: not configured".to_string(),
        Some(j) => {
            let auth = match &j.auth {
                JiraAuth::CloudToken { email, .. } => format!("API token of {email}"),
                JiraAuth::CloudOAuth { client_id, .. } => {
                    format!("OAuth service account {}", abbreviate(client_id))
                }
                JiraAuth::Dc(DcAuth::Pat(_)) => "personal access token".to_string(),
                JiraAuth::Dc(DcAuth::Basic { username, .. }) => format!("user {username}"),
            };
            format!(
                "Jira {} at {} ({auth}), project {}, issue type {}",
                product_name(j.product),
                j.url,
                j.project,
                j.issue_type
            )
        }
    }
}

/// The first characters of an identifier, enough to recognise it in a log.
fn abbreviate(id: &str) -> String {
    let head: String = id.chars().take(6).collect();
    if head.len() < id.len() {
        format!("{head}…")
    } else {
        head
    }
}
