//! The Xray checks: auth, project, keys, test plan, environments, statuses.
//!
//! Owns each check's verdict and its message and fix. Every failure a user can cause has its
//! own message (bad API key vs wrong region vs licence), so the first failing line names the
//! cause. Talks to Xray only through `XrayProbe`.

use crate::cli::env;
use crate::error::{ApiError, ErrorKind, quote};
use crate::settings::{DcAuth, Product, XrayAuth, XraySettings};

use super::probes::{PlanLookup, XrayProbe, XrayProject};
use super::report::{Check, ids};

const REGIONAL_HOSTS: &str = "https://us.xray.cloud.getxray.app, https://eu.xray.cloud.getxray.app or https://au.xray.cloud.getxray.app";

/// The issue types Xray needs in the project to import results.
pub const XRAY_ISSUE_TYPES: &[&str] = &["Test", "Test Execution"];

/// A check failing on an error no specific rule explains: the shared message, and a fix by kind.
pub fn generic_failure(id: &'static str, err: &ApiError, fix: &str) -> Check {
    // Network failures name the URL setting of the side that could not be reached.
    let network = if id.starts_with("jira.") {
        "check JIRA_URL, the proxy (HTTPS_PROXY/NO_PROXY) and XRAY_SYNC_CA_CERT for a private CA"
    } else {
        "check XRAY_URL, the proxy (HTTPS_PROXY/NO_PROXY) and XRAY_SYNC_CA_CERT for a private CA"
    };
    let fix = match err.kind() {
        ErrorKind::Network => network,
        ErrorKind::RateLimited => "wait a minute and run doctor again",
        ErrorKind::ServerError => "the service failed; try again later and check its status page",
        ErrorKind::AuthRejected
        | ErrorKind::PermissionMissing
        | ErrorKind::NotFound
        | ErrorKind::BadInput => fix,
    };
    Check::fail(id, err.kind(), err.to_string(), fix)
}

fn region_failure(x: &XraySettings, detail: &str) -> Check {
    Check::fail(
        ids::XRAY_AUTH,
        ErrorKind::AuthRejected,
        format!(
            "Xray data for this site lives in another region; {} answered: {detail}",
            x.url
        ),
        format!(
            "set {} to your region's host: {REGIONAL_HOSTS}",
            env::XRAY_URL
        ),
    )
}

fn mentions_licence(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("license") || d.contains("licence")
}

/// Result of `xray.auth`. On success the statuses fetched as the first data call are kept for
/// `xray.statuses` (a region mismatch only shows on a data call, not on the token exchange).
pub struct Auth {
    pub check: Check,
    pub statuses: Option<Result<Vec<String>, ApiError>>,
}

pub fn auth(x: &XraySettings, probe: &mut dyn XrayProbe) -> Auth {
    let access = match probe.authenticate() {
        Ok(a) => a,
        Err(e) => {
            return Auth {
                check: auth_failure(x, &e),
                statuses: None,
            };
        }
    };
    if let Some(lic) = &access.licence
        && !lic.active
    {
        return Auth {
            check: Check::fail(
                ids::XRAY_AUTH,
                ErrorKind::AuthRejected,
                format!(
                    "the Xray licence on {} is not active{}",
                    x.url,
                    lic.license_type
                        .as_deref()
                        .map(|k| format!(" (licence type {k})"))
                        .unwrap_or_default()
                ),
                "renew or activate Xray in Jira administration → Manage apps → Xray (an expired licence makes every import fail)",
            ),
            statuses: None,
        };
    }
    let statuses = probe.statuses();
    match &statuses {
        Err(ApiError::WrongRegion { detail }) => Auth {
            check: region_failure(x, detail),
            statuses: None,
        },
        Err(e @ ApiError::Unauthorized { .. }) => Auth {
            check: auth_failure(x, e),
            statuses: None,
        },
        Ok(_) | Err(_) => Auth {
            check: Check::pass(ids::XRAY_AUTH, access.detail),
            statuses: Some(statuses),
        },
    }
}

fn auth_failure(x: &XraySettings, err: &ApiError) -> Check {
    match (err, x.product) {
        (ApiError::WrongRegion { detail }, _) => region_failure(x, detail),
        (ApiError::Unauthorized { detail, .. }, Product::Cloud) if mentions_licence(detail) => {
            Check::fail(
                ids::XRAY_AUTH,
                ErrorKind::AuthRejected,
                format!("Xray Cloud says the Xray licence is not valid for this site: {detail}"),
                "check the Xray subscription in Jira → Apps → Manage apps; the API key's site needs an active Xray licence",
            )
        }
        (ApiError::Unauthorized { detail, .. }, Product::Cloud) => Check::fail(
            ids::XRAY_AUTH,
            ErrorKind::AuthRejected,
            format!("Xray Cloud rejected the API key (client id/secret) with HTTP 401: {detail}"),
            "create an API key in Xray → Global settings → API Keys and set XRAY_CLIENT_ID and XRAY_CLIENT_SECRET from the same pair",
        ),
        (ApiError::Unauthorized { detail, .. }, Product::Dc) => {
            let how = match &x.auth {
                XrayAuth::Dc(DcAuth::Pat(_)) => "personal access token (JIRA_PAT)",
                XrayAuth::Dc(DcAuth::Basic { .. }) => {
                    "username/password (basic auth is disabled by default on Jira 11+)"
                }
                XrayAuth::Cloud { .. } => "credentials",
            };
            Check::fail(
                ids::XRAY_AUTH,
                ErrorKind::AuthRejected,
                format!("Jira Data Center rejected the {how} Xray uses (HTTP 401): {detail}"),
                "create a new personal access token (Profile → Personal Access Tokens) and set JIRA_PAT; jira.myself tells more",
            )
        }
        (ApiError::NotFound { .. }, Product::Dc) => Check::fail(
            ids::XRAY_AUTH,
            ErrorKind::NotFound,
            format!(
                "no Xray at {}/rest/raven: Xray is not installed there, or {} is not the Jira base URL",
                x.url,
                env::XRAY_URL
            ),
            "set XRAY_URL to the Jira base URL (the part before /rest/), where Xray DC is installed",
        ),
        (ApiError::BadResponse { detail, .. }, _) => Check::fail(
            ids::XRAY_AUTH,
            ErrorKind::BadInput,
            format!("{} did not answer like the Xray API: {detail}", x.url),
            match x.product {
                Product::Cloud => {
                    "set XRAY_URL to https://xray.cloud.getxray.app or your region's host"
                }
                Product::Dc => "set XRAY_URL to the Jira base URL (the part before /rest/)",
            },
        ),
        _ => generic_failure(
            ids::XRAY_AUTH,
            err,
            "check XRAY_URL and the Xray credentials",
        ),
    }
}

/// `jira_issue_types`: on Cloud, the project's issue types read through Jira (Xray Cloud's API
/// does not list them); `None` when Jira is not configured.
pub fn project(
    x: &XraySettings,
    probe: &mut dyn XrayProbe,
    jira_issue_types: impl FnOnce() -> Option<Result<Vec<String>, ApiError>>,
) -> (Check, Option<XrayProject>) {
    let found = match probe.project(&x.project) {
        Ok(p) => p,
        Err(ApiError::WrongRegion { detail }) => return (region_failure(x, &detail), None),
        Err(
            ref
            e @ (ApiError::NotFound { ref detail, .. } | ApiError::Forbidden { ref detail, .. }),
        ) => {
            return (
                Check::fail(
                    ids::XRAY_PROJECT,
                    e.kind(),
                    format!(
                        "Xray cannot see project {}: it does not exist, Xray is not enabled on it, or the credentials' user cannot browse it{}",
                        x.project,
                        quote(detail)
                    ),
                    "check XRAY_PROJECT (keys are case-sensitive) and that the API key's user can browse the project",
                ),
                None,
            );
        }
        Err(e) => {
            return (
                generic_failure(ids::XRAY_PROJECT, &e, "check XRAY_PROJECT"),
                None,
            );
        }
    };
    let types = match found.issue_types.clone() {
        Some(t) => Ok(t),
        None => match jira_issue_types() {
            Some(Ok(t)) => Ok(t),
            Some(Err(e)) => Err(format!("reading them through Jira failed ({e})")),
            None => Err(
                "Xray Cloud does not list them and no usable Jira credentials are configured"
                    .to_string(),
            ),
        },
    };
    let test_types = if found.test_types.is_empty() {
        String::new()
    } else {
        format!("; test types: {}", found.test_types.join(", "))
    };
    let check = match types {
        Err(why) => Check::warn(
            ids::XRAY_PROJECT,
            format!(
                "Xray can read project {}, but its issue types were not verified: {why}",
                x.project
            ),
            "configure Jira credentials so doctor can confirm the project has the Test and Test Execution issue types",
        ),
        Ok(types) => {
            let missing: Vec<&str> = XRAY_ISSUE_TYPES
                .iter()
                .copied()
                .filter(|want| !types.iter().any(|t| t.eq_ignore_ascii_case(want)))
                .collect();
            if missing.is_empty() {
                Check::pass(
                    ids::XRAY_PROJECT,
                    format!(
                        "project {}: issue types {} present{test_types}",
                        x.project,
                        XRAY_ISSUE_TYPES.join(", ")
                    ),
                )
            } else {
                Check::fail(
                    ids::XRAY_PROJECT,
                    ErrorKind::NotFound,
                    format!(
                        "project {} has no {} issue type, so Xray cannot create {} there (its issue types: {})",
                        x.project,
                        quoted(&missing),
                        if missing.contains(&"Test Execution") {
                            "Test Executions"
                        } else {
                            "Tests"
                        },
                        types.join(", ")
                    ),
                    match x.product {
                        Product::Cloud => {
                            "add the Xray issue types to the project (Project settings → Issue types, or Xray → Project settings → Summary → add Xray issue types)"
                        }
                        Product::Dc => {
                            "add the Xray issue types to the project's issue type scheme (Jira administration → Issue type schemes) or check Xray's Issue Type Mapping"
                        }
                    },
                )
            }
        }
    };
    (check, Some(found))
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `ABC-123`: upper-case project key, dash, number.
fn looks_like_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else {
        return false;
    };
    let mut chars = project.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

pub fn test_plan(x: &XraySettings, probe: &mut dyn XrayProbe) -> Check {
    let Some(key) = x.test_plan.as_deref() else {
        return Check::pass(
            ids::XRAY_TEST_PLAN,
            "no test plan configured (XRAY_TEST_PLAN); executions are not attached to one",
        );
    };
    if !looks_like_key(key) {
        return Check::fail(
            ids::XRAY_TEST_PLAN,
            ErrorKind::BadInput,
            format!("test plan {key:?} is not an issue key (like CALC-15)"),
            "set XRAY_TEST_PLAN to the Test Plan's issue key, without quotes",
        );
    }
    match probe.test_plan(key) {
        Ok(PlanLookup::TestPlan) => {
            Check::pass(ids::XRAY_TEST_PLAN, format!("{key} is a Test Plan"))
        }
        Ok(PlanLookup::Other { issue_type }) => Check::fail(
            ids::XRAY_TEST_PLAN,
            ErrorKind::BadInput,
            format!(
                "{key} is not a Test Plan{}",
                issue_type
                    .map(|t| format!(" (it is a {t})"))
                    .unwrap_or_default()
            ),
            "set XRAY_TEST_PLAN to an issue of type Test Plan, or unset it",
        ),
        Err(ApiError::NotFound { detail, .. }) => Check::fail(
            ids::XRAY_TEST_PLAN,
            ErrorKind::NotFound,
            format!(
                "test plan {key} does not exist or is not visible to the Xray credentials{}",
                quote(&detail)
            ),
            "check XRAY_TEST_PLAN, or unset it",
        ),
        Err(e) => generic_failure(ids::XRAY_TEST_PLAN, &e, "check XRAY_TEST_PLAN"),
    }
}

pub fn environments(x: &XraySettings, project: &XrayProject) -> Check {
    if x.environments.is_empty() {
        return Check::pass(ids::XRAY_ENVIRONMENTS, "no test environments configured");
    }
    let Some(existing) = &project.environments else {
        return Check::pass(
            ids::XRAY_ENVIRONMENTS,
            format!(
                "{}: Xray Data Center creates test environments on first use",
                x.environments.join(", ")
            ),
        );
    };
    let missing: Vec<&str> = x
        .environments
        .iter()
        .map(String::as_str)
        .filter(|e| !existing.iter().any(|have| have == e))
        .collect();
    if missing.is_empty() {
        return Check::pass(
            ids::XRAY_ENVIRONMENTS,
            format!(
                "{} exist in project {}",
                x.environments.join(", "),
                x.project
            ),
        );
    }
    let existing_list = if existing.is_empty() {
        "none".to_string()
    } else {
        existing.join(", ")
    };
    Check::fail(
        ids::XRAY_ENVIRONMENTS,
        ErrorKind::NotFound,
        format!(
            "test environment(s) {} do not exist in project {} (existing: {existing_list}); Xray Cloud rejects imports naming them",
            quoted(&missing),
            x.project
        ),
        "create them in Xray (Project settings → Xray → Test Environments) or fix XRAY_ENVIRONMENTS (names are case-sensitive)",
    )
}

/// The status list could not be read although `xray.auth` passed, so the credentials are not
/// the cause: a list that cannot be read only means the names go unchecked (a warning), unless
/// the service itself failed.
fn statuses_unreadable(x: &XraySettings, e: &ApiError) -> Check {
    let names = match x.product {
        Product::Cloud => "PASSED/FAILED/TO DO",
        Product::Dc => "PASS/FAIL/TODO",
    };
    let unchecked = |why: &str| {
        Check::warn(
            ids::XRAY_STATUSES,
            format!("the Xray test statuses could not be read ({why}): {e}"),
            format!(
                "the status names ({names} unless [statuses] says otherwise) were not checked; compare them with Xray's Manage Test Statuses page"
            ),
        )
    };
    match (e, x.product) {
        (ApiError::Unauthorized { detail, .. }, _) if mentions_licence(detail) => Check::fail(
            ids::XRAY_STATUSES,
            ErrorKind::AuthRejected,
            format!("Xray says its licence is not valid: {e}"),
            "renew or activate Xray in Jira administration → Manage apps → Xray",
        ),
        (ApiError::NotFound { .. }, Product::Dc) => {
            unchecked("this Xray version has no /rest/raven/1.0/api/settings/teststatuses")
        }
        (ApiError::NotFound { .. } | ApiError::Forbidden { .. }, _) => {
            unchecked("the user may not read Xray's settings")
        }
        (ApiError::BadResponse { .. } | ApiError::Rejected { .. }, _) => {
            unchecked("unexpected answer")
        }
        _ => generic_failure(
            ids::XRAY_STATUSES,
            e,
            "run doctor again; xray.auth passed, so the credentials work",
        ),
    }
}

pub fn statuses(x: &XraySettings, found: Result<Vec<String>, ApiError>) -> Check {
    let valid = match found {
        Ok(v) => v,
        Err(e) => return statuses_unreadable(x, &e),
    };
    let s = &x.statuses;
    let configured = [
        ("passed", &s.passed),
        ("failed", &s.failed),
        ("error", &s.error),
        ("skipped", &s.skipped),
        ("flaky", &s.flaky),
    ];
    // One entry per unknown name, with every outcome mapped to it.
    let mut unknown: Vec<(&str, Vec<&str>)> = Vec::new();
    for (outcome, name) in configured {
        if valid.iter().any(|v| v == name) {
            continue;
        }
        match unknown.iter_mut().find(|(n, _)| *n == name.as_str()) {
            Some((_, outcomes)) => outcomes.push(outcome),
            None => unknown.push((name.as_str(), vec![outcome])),
        }
    }
    let bad: Vec<String> = unknown
        .iter()
        .map(|(name, outcomes)| format!("'{name}' (for {})", outcomes.join(", ")))
        .collect();
    if bad.is_empty() {
        let mut names: Vec<&str> = configured.iter().map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        return Check::pass(
            ids::XRAY_STATUSES,
            format!("{} are valid Xray statuses", names.join(", ")),
        );
    }
    let hint = match x.product {
        Product::Cloud => {
            "Xray Cloud names are PASSED/FAILED/TO DO (PASS/FAIL/TODO are Data Center's); an unknown name makes runs show TO DO without an error"
        }
        Product::Dc => {
            "Xray Data Center names are PASS/FAIL/TODO (PASSED/FAILED/TO DO are Cloud's)"
        }
    };
    Check::fail(
        ids::XRAY_STATUSES,
        ErrorKind::BadInput,
        format!(
            "status name(s) {} are not Xray statuses here (valid: {})",
            bad.join(", "),
            valid.join(", ")
        ),
        format!(
            "fix the status mapping in xray-sync.toml [statuses] or create the custom status in Xray; {hint}"
        ),
    )
}

/// `xray.execution-fields`: the Test Execution create screen (`screen`; `None` when it cannot
/// be read: Xray Cloud without Jira credentials) against `[xray.execution_fields]`. FAILs on each
/// required field without a value or default (name and id) and on each given field the screen
/// does not have; the same rules the run applies before its create.
pub fn execution_fields(
    x: &XraySettings,
    screen: Option<Result<Vec<crate::jira::client::FieldMeta>, ApiError>>,
) -> Check {
    use crate::xray::exec_fields::{SETTING, filled_by_settings, resolve};
    let id = ids::XRAY_EXECUTION_FIELDS;
    let fields = match screen {
        None => {
            return Check::skipped(
                id,
                "Xray Cloud: the Test Execution create screen is read through Jira; set the Jira credentials (JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN) to check it",
            );
        }
        Some(Err(e)) => {
            return generic_failure(
                id,
                &e,
                "the create metadata needs the CREATE_ISSUES permission in the project",
            );
        }
        Some(Ok(f)) => f,
    };
    if fields.is_empty() {
        return Check::fail(
            id,
            ErrorKind::NotFound,
            format!(
                "no create screen for 'Test Execution' in {}: the issue type is missing or cannot be created",
                x.project
            ),
            "add Xray's Test Execution issue type to the project's issue type scheme",
        );
    }
    let filled = filled_by_settings(x);
    match resolve(x.product, &x.execution_fields, Some(&fields), &filled) {
        Ok(set) => Check::pass(
            id,
            format!(
                "{} field(s) set, every required field of the Test Execution has a value or a default",
                set.len()
            ),
        ),
        Err(problems) => Check::fail(
            id,
            ErrorKind::BadInput,
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            format!(
                "give the fields in {SETTING} by id or name, e.g. {}='{{\"customfield_10100\": \"nightly\"}}'",
                env::XRAY_EXECUTION_FIELDS
            ),
        ),
    }
}

/// `xray.keys`: every Test key the results map to is a Test of the project. `mapped` holds each
/// key with the result file it came from. Asks the same batched lookup `run` makes, dropping
/// the keys Jira's JQL error names and asking again (`xray::keys`), so a doctor pass means the
/// run's key check passes too.
pub fn keys(
    x: &XraySettings,
    probe: &mut dyn XrayProbe,
    projects: &[String],
    mapped: &[(String, String)],
) -> Check {
    use std::collections::{BTreeMap, BTreeSet};
    if mapped.is_empty() {
        return Check::pass(ids::XRAY_KEYS, "no result maps to a Test key");
    }
    let keys: BTreeSet<String> = mapped.iter().map(|(k, _)| k.clone()).collect();
    let check =
        match crate::xray::keys::check_with(&keys, projects, |batch| probe.lookup_tests(batch)) {
            Ok(c) => c,
            Err(e) => {
                return generic_failure(
                    ids::XRAY_KEYS,
                    &e,
                    "check that the credentials may browse the project's Tests",
                );
            }
        };
    if check.stale.is_empty() {
        return Check::pass(
            ids::XRAY_KEYS,
            format!("{} mapped key(s) are Tests of {}", keys.len(), x.project),
        );
    }
    let mut files: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (key, file) in mapped {
        files.entry(key.as_str()).or_default().insert(file.as_str());
    }
    let listed: Vec<String> = check
        .stale
        .iter()
        .map(|(key, (_, reason))| {
            let from: Vec<&str> = files
                .get(key.as_str())
                .map(|f| f.iter().copied().collect())
                .unwrap_or_default();
            format!("{key} {reason} (in {})", from.join(", "))
        })
        .collect();
    Check::fail(
        ids::XRAY_KEYS,
        ErrorKind::BadInput,
        format!(
            "{} of {} mapped key(s) are not Tests of {}: {}",
            check.stale.len(),
            keys.len(),
            x.project,
            listed.join("; ")
        ),
        format!(
            "fix the test_key (or Allure link, name or mapping-file entry) of those results, or create the Tests in {}; a run sends their results by definition instead (strict_keys makes it stop)",
            x.project
        ),
    )
}

/// `xray.test-sets`: every key of `XRAY_TEST_SETS` is a Test Set, so the run's Tests can be
/// added to it after the import.
pub fn test_sets(x: &XraySettings, probe: &mut dyn XrayProbe) -> Check {
    let id = ids::XRAY_TEST_SETS;
    if x.test_sets.is_empty() {
        return Check::pass(id, "no Test Sets configured");
    }
    match probe.test_sets(&x.test_sets) {
        Err(e) => generic_failure(id, &e, "check XRAY_TEST_SETS"),
        Ok(found) => {
            let bad: Vec<String> = found
                .iter()
                .filter_map(|(k, v)| v.as_ref().err().map(|why| format!("{k} {why}")))
                .collect();
            if bad.is_empty() {
                Check::pass(id, format!("{} are Test Sets", x.test_sets.join(", ")))
            } else {
                Check::fail(
                    id,
                    ErrorKind::BadInput,
                    bad.join("; "),
                    "XRAY_TEST_SETS / --test-sets / [xray] test_sets takes the keys of Test Set issues",
                )
            }
        }
    }
}

/// `xray.folder`: with `XRAY_FOLDER` set, the project's Test Repository can be read (the run
/// reads it to find the folders it must create before placing Tests in them).
pub fn folder(x: &XraySettings, probe: &mut dyn XrayProbe) -> Check {
    let id = ids::XRAY_FOLDER;
    let Some(template) = &x.folder else {
        return Check::pass(id, "no repository folder configured");
    };
    match probe.repository_folders(&x.project) {
        Ok(paths) => Check::pass(
            id,
            format!(
                "the Test Repository of {} can be read ({} folder(s)); the folders {template} renders to are created when missing",
                x.project,
                paths.len()
            ),
        ),
        Err(e) => generic_failure(
            id,
            &e,
            "the Xray credentials must be able to browse the project's Test Repository (XRAY_FOLDER / --folder / [xray] folder)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_key_shape() {
        assert!(looks_like_key("CALC-15"));
        assert!(looks_like_key("A1_B-7"));
        assert!(!looks_like_key("\"CALC-15\""));
        assert!(!looks_like_key("calc-15"));
        assert!(!looks_like_key("CALC-"));
        assert!(!looks_like_key("CALC"));
    }
}
