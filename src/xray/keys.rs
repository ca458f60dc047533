//! The key check: which Test keys named by the results are Tests of the Xray project.
//!
//! Owns the rule that survives stale keys. Jira rejects a whole JQL query when `key in (…)`
//! names a key that does not exist or that the user cannot see (Xray Cloud GraphQL: HTTP 200
//! with `errors` and `data.getTests: null`; Jira DC search: 400 with the text in
//! `errorMessages`; /work/shared/docs/xray-api.md §7). So a batch that fails that way has the
//! keys the error names taken out and is asked again, at most [`MAX_ROUNDS`] times; every other
//! batch costs one request. A key is verified only when the lookup says it is a Test *and* it
//! belongs to the configured project; only verified keys are sent as `testKey`, linked to bugs
//! or used to close bugs.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::ApiError;
use crate::plan::IssueKey;
use crate::xray::client::{Client, FoundTest, LOOKUP_BATCH};

/// Lookups of one batch, the first included: each later one drops the keys the previous
/// error named. Real answers name every bad key at once, so two rounds are the norm.
pub const MAX_ROUNDS: usize = 5;

/// Why a key is not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaleReason {
    /// Jira says no issue has this key (or the credentials cannot see it).
    NotFound,
    /// The issue exists but is not a Test.
    NotATest,
    /// A Test, but of a project other than the configured one.
    OtherProject,
}

/// The verdict on every key of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyCheck {
    /// Keys that are Tests of the configured project.
    pub verified: BTreeSet<String>,
    /// Keys that are not, with a human reason (`not found`, `is a Bug, not a Test`, …).
    pub stale: BTreeMap<String, (StaleReason, String)>,
}

impl KeyCheck {
    pub fn is_verified(&self, key: &str) -> bool {
        self.verified.contains(key)
    }
}

/// Every key named as missing in `text`, in order of appearance: Jira's JQL errors
/// (`An issue with key 'CALC-123' does not exist for field 'key'.`, and for a malformed key
/// `The issue key 'x' for field 'key' is invalid.`) and Xray's import errors (`Test with key
/// CALC-9 not found`, DC `Test issue with key CALC-9 not found.`).
pub fn keys_in_error(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (prefix, suffix) in [
        ("An issue with key '", "' does not exist"),
        ("The issue key '", "' for field 'key' is invalid"),
        // An import refusing a testKey (xray-api.md §2.4, §3.3): Cloud and DC wording.
        ("Test with key ", " not found"),
        ("Test issue with key ", " not found"),
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            match after.find(suffix) {
                Some(end) if end <= 255 => {
                    let key = after[..end].to_string();
                    if !out.contains(&key) {
                        out.push(key);
                    }
                    rest = &after[end..];
                }
                _ => rest = after,
            }
        }
    }
    out
}

/// The server's whole message in `e` (not the display form, which is cut at 500 characters
/// and could lose keys of a long list).
pub fn error_text(e: &ApiError) -> String {
    match e {
        ApiError::NotFound { detail, .. }
        | ApiError::Rejected { detail, .. }
        | ApiError::BadResponse { detail, .. }
        | ApiError::Server { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

/// What [`lookup_batch`] learnt about one batch of keys.
pub(crate) struct BatchAnswer<T> {
    /// What the last lookup returned.
    pub found: Vec<T>,
    /// The keys that lookup was asked about.
    pub asked: Vec<String>,
    /// The keys errors named (dropped before asking again).
    pub named: Vec<String>,
}

/// Looks one batch of keys up with `lookup`; when the answer is an error naming some of them
/// (Jira refuses a whole JQL for one unknown key), those are dropped and the rest asked again.
/// An error
/// that names none of the keys left, or one still coming after [`MAX_ROUNDS`], is returned as
/// is: the caller cannot tell good keys from bad ones.
pub(crate) fn lookup_batch<T>(
    batch: &[String],
    mut lookup: impl FnMut(&[String]) -> Result<Vec<T>, ApiError>,
) -> Result<BatchAnswer<T>, ApiError> {
    let mut left = batch.to_vec();
    let mut named_all = Vec::new();
    for round in 1.. {
        if left.is_empty() {
            break;
        }
        match lookup(&left) {
            Ok(found) => {
                return Ok(BatchAnswer {
                    found,
                    asked: left,
                    named: named_all,
                });
            }
            Err(e) => {
                let named: Vec<String> = keys_in_error(&error_text(&e))
                    .into_iter()
                    .filter(|k| left.contains(k))
                    .collect();
                if named.is_empty() || round >= MAX_ROUNDS {
                    return Err(e);
                }
                left.retain(|k| !named.contains(k));
                named_all.extend(named);
            }
        }
    }
    Ok(BatchAnswer {
        found: Vec::new(),
        asked: left,
        named: named_all,
    })
}

/// Checks `keys` (batched by [`LOOKUP_BATCH`]) with `lookup`, dropping the keys an error names
/// and asking again. An error that names none of the batch's keys, or a batch still failing
/// after [`MAX_ROUNDS`], is returned as is: the caller cannot tell good keys from bad ones.
pub fn check_with(
    keys: &BTreeSet<String>,
    projects: &[String],
    mut lookup: impl FnMut(&[String]) -> Result<Vec<FoundTest>, ApiError>,
) -> Result<KeyCheck, ApiError> {
    let mut check = KeyCheck::default();
    let all: Vec<String> = keys.iter().cloned().collect();
    for batch in all.chunks(LOOKUP_BATCH) {
        let BatchAnswer {
            found,
            asked: left,
            named,
        } = lookup_batch(batch, &mut lookup)?;
        for k in named {
            check
                .stale
                .insert(k, (StaleReason::NotFound, "not found".into()));
        }
        for key in left {
            let verdict = match found.iter().find(|f| f.key == key) {
                Some(f) if f.is_test() => {
                    let in_project = IssueKey::parse(&key)
                        .is_some_and(|k| projects.iter().any(|p| p == k.project()));
                    if in_project {
                        check.verified.insert(key);
                        continue;
                    }
                    (
                        StaleReason::OtherProject,
                        format!(
                            "is a Test of another project, not of {}",
                            projects.join(", ")
                        ),
                    )
                }
                Some(f) if !f.issue_type.is_empty() => (
                    StaleReason::NotATest,
                    format!("is a {}, not a Test", f.issue_type),
                ),
                // The query succeeded, so the key exists; Cloud `getTests` leaves out what is
                // not a Test, DC search would have listed it.
                _ => (StaleReason::NotATest, "is not a Test".to_string()),
            };
            check.stale.insert(key, verdict);
        }
    }
    Ok(check)
}

/// The projects a mapped key may be a Test of: the Xray project and `[mapping] project_keys`
/// (the projects whose keys the mapping accepts at all). `run` and `doctor` check the same.
pub fn projects(settings: &crate::settings::Settings) -> Vec<String> {
    let mut projects: Vec<String> = settings.xray.iter().map(|x| x.project.clone()).collect();
    for p in &settings.mapping.project_keys {
        if !projects.contains(p) {
            projects.push(p.clone());
        }
    }
    projects
}

/// [`check_with`] through the Xray client.
pub fn check(
    client: &Client,
    keys: &BTreeSet<String>,
    projects: &[String],
) -> Result<KeyCheck, ApiError> {
    check_with(keys, projects, |batch| client.lookup_tests(batch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Service;

    fn jql_error(keys: &[&str]) -> ApiError {
        let text: Vec<String> = keys
            .iter()
            .map(|k| {
                format!("Error in JQL: An issue with key '{k}' does not exist for field 'key'.")
            })
            .collect();
        ApiError::NotFound {
            service: Service::Xray,
            what: "Test lookup".into(),
            detail: text.join("; "),
        }
    }

    #[test]
    fn keys_are_read_from_jira_error_text() {
        assert_eq!(
            keys_in_error(
                "Error in JQL: An issue with key 'CALC-123' does not exist for field 'key'.; An issue with key 'X-1' does not exist for field 'key'."
            ),
            ["CALC-123", "X-1"]
        );
        assert_eq!(
            keys_in_error("The issue key 'abc' for field 'key' is invalid."),
            ["abc"]
        );
        assert!(keys_in_error("limit must be between 1 and 100").is_empty());
        assert_eq!(keys_in_error("Test with key CALC-9 not found"), ["CALC-9"]);
        assert_eq!(
            keys_in_error("Test issue with key LES-99 not found."),
            ["LES-99"]
        );
    }

    #[test]
    fn missing_keys_are_dropped_and_the_rest_asked_again() {
        let keys: BTreeSet<String> = ["CALC-1", "CALC-2", "CALC-404", "CALC-9", "OTHER-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut calls = Vec::new();
        let check = check_with(&keys, &["CALC".to_string()], |batch| {
            calls.push(batch.to_vec());
            if batch.iter().any(|k| k == "CALC-404") {
                return Err(jql_error(&["CALC-404"]));
            }
            Ok(vec![
                FoundTest {
                    key: "CALC-1".into(),
                    issue_type: "Test".into(),
                    test_type: None,
                },
                FoundTest {
                    key: "CALC-2".into(),
                    issue_type: "Bug".into(),
                    test_type: None,
                },
                FoundTest {
                    key: "OTHER-1".into(),
                    issue_type: "Test".into(),
                    test_type: None,
                },
            ])
        })
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert!(!calls[1].contains(&"CALC-404".to_string()));
        assert_eq!(check.verified, BTreeSet::from(["CALC-1".to_string()]));
        let reasons: Vec<(&str, &str)> = check
            .stale
            .iter()
            .map(|(k, (_, r))| (k.as_str(), r.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("CALC-2", "is a Bug, not a Test"),
                ("CALC-404", "not found"),
                ("CALC-9", "is not a Test"),
                ("OTHER-1", "is a Test of another project, not of CALC"),
            ]
        );
    }

    #[test]
    fn rounds_are_bounded_and_unrelated_errors_pass_through() {
        let keys: BTreeSet<String> = (0..20).map(|i| format!("CALC-{i}")).collect();
        let mut calls = 0;
        // A server naming one key per answer: give up after MAX_ROUNDS requests.
        let r = check_with(&keys, &["CALC".to_string()], |batch| {
            calls += 1;
            Err(jql_error(&[batch[0].as_str()]))
        });
        assert!(r.is_err());
        assert_eq!(calls, MAX_ROUNDS);
        let r = check_with(&keys, &["CALC".to_string()], |_| {
            Err(ApiError::Server {
                service: Service::Xray,
                status: 500,
                detail: "boom".into(),
            })
        });
        assert!(matches!(r, Err(ApiError::Server { .. })));
    }
}
