//! Requirement coverage (issue 13): requirement keys checked before the import, and the
//! coverage of Tests given by key linked after it.
//!
//! Owns two rules:
//! - **A missing requirement never costs the import.** Xray refuses a whole import when one
//!   `testInfo.requirementKeys` entry is not a requirement issue (400 `CALC-23 is not a
//!   requirement issue or is not a valid issue key.`; xray-api.md §3.3, §7). So every key is
//!   looked up first, 100 a request: Cloud asks Xray which of them are coverable issues
//!   (GraphQL `getCoverableIssues(jql: "key in (…)")`, Xray Cloud GraphQL reference), which
//!   answers "is a requirement" exactly; DC asks Jira on the same site (`POST
//!   /rest/api/2/search`), which answers "exists". A key that does not exist fails the whole
//!   JQL; the keys the error names are taken out and the batch asked again (as
//!   `xray::keys` does). Keys found missing are dropped from the payload and reported with
//!   the tests that named them (console warning, `xray.requirements.missing`, summary).
//! - **Tests given by key are linked after the import.** The import matches such a Test by its
//!   key and does not apply a `testInfo` to it (xray-api.md §4.2/§4.3: `testInfo` is the
//!   definition used "when `testKey` is absent"); sending one would also have to restate its
//!   summary and definition. Coverage in Xray is the Jira issue link Test "tests" Requirement
//!   (jira-api.md §4.3, Xray "Requirements and Defects"), so each pair is one
//!   `POST /rest/api/{2|3}/issueLink` with the link type whose outward phrase is `tests`,
//!   `inwardIssue` = the Test. DC sends it to the Xray site with the same credentials; Cloud
//!   needs the Jira credentials (without them: a warning naming what to set).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::{ApiError, ReportError};
use crate::http::Http;
use crate::plan::{Tests, XrayPlan};
use crate::settings::{JiraSettings, XraySettings};
use crate::xray::client::{Client, LOOKUP_BATCH, key_jql};
use crate::xray::keys::{BatchAnswer, error_text, lookup_batch};
use crate::xray::payload::ImportDoc;
use crate::xray::upload::XrayReceipt;

/// What the run did about requirements: the JSON report's `xray.requirements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequirementReceipt {
    /// Requirement keys left out of the import, with why and the tests that named them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingRequirement>,
    /// Tests given by key linked to their requirements after the import.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<CoverageLink>,
}

impl RequirementReceipt {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.linked.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingRequirement {
    pub key: String,
    pub reason: String,
    /// The tests (Xray key or definition) that named it.
    pub tests: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageLink {
    pub test: String,
    pub requirement: String,
}

/// The outcome of the check before the import.
#[derive(Debug, Default)]
pub struct Checked {
    /// The plan without the missing keys; `None` when nothing had to be dropped.
    pub plan: Option<XrayPlan>,
    pub receipt: RequirementReceipt,
    /// Lines for the report's warnings (missing keys, or a check that could not be made).
    pub warnings: Vec<String>,
}

/// Looks up every requirement key the plan names; drops the missing ones from a copy of the
/// plan and reports them. A lookup that fails leaves the plan as it is (with a warning): the
/// import then tells whether the keys are good.
pub fn check(
    http: &Http,
    settings: &XraySettings,
    client: Option<&Client>,
    plan: &XrayPlan,
    tests: Tests<'_>,
    progress: &mut dyn FnMut(&str),
) -> Checked {
    let keys: BTreeSet<String> = plan
        .coverage
        .iter()
        .flat_map(|c| c.requirements.iter().cloned())
        .collect();
    if keys.is_empty() {
        return Checked::default();
    }
    let mut own = None;
    let client = Client::given_or_new(client, &mut own, http, settings);
    let missing = match lookup(client, &keys) {
        Ok(m) => m,
        Err(e) => {
            let line = format!(
                "requirement keys could not be checked before the import ({e}); they are sent as named"
            );
            progress(&format!("Xray: warning: {line}"));
            return Checked {
                warnings: vec![line],
                ..Checked::default()
            };
        }
    };
    if missing.is_empty() {
        return Checked::default();
    }
    let mut receipt = RequirementReceipt::default();
    let mut warnings = Vec::new();
    for (key, reason) in &missing {
        let named_by: Vec<String> = plan
            .coverage
            .iter()
            .filter(|c| c.requirements.contains(key))
            .map(|c| test_name(c, tests))
            .collect();
        let line = format!(
            "requirement {key} left out of the import: it {reason}; named by {}",
            named_by.join(", ")
        );
        progress(&format!("Xray: warning: {line}"));
        warnings.push(line);
        receipt.missing.push(MissingRequirement {
            key: key.clone(),
            reason: reason.clone(),
            tests: named_by,
        });
    }
    Checked {
        plan: Some(without(plan, &missing)),
        receipt,
        warnings,
    }
}

/// How a coverage entry's test is named in messages: its key, or its test id (definition).
fn test_name(c: &crate::plan::Coverage, tests: Tests<'_>) -> String {
    c.test_key
        .clone()
        .or_else(|| tests.try_get(c.test).map(|t| t.test_id().into_owned()))
        .unwrap_or_default()
}

/// Missing key → why, for `keys` (batched, stale keys dropped and asked again).
fn lookup(client: &Client, keys: &BTreeSet<String>) -> Result<BTreeMap<String, String>, ApiError> {
    const GONE: &str = "does not exist (or these credentials cannot see it)";
    let mut missing = BTreeMap::new();
    let all: Vec<String> = keys.iter().cloned().collect();
    for batch in all.chunks(LOOKUP_BATCH) {
        let BatchAnswer {
            found,
            asked: left,
            named,
        } = lookup_batch(batch, |left| match client {
            Client::Cloud(c) => c.coverable_issues(left),
            Client::Dc(d) => d
                .search(&key_jql(left), LOOKUP_BATCH)
                .map(|hits| hits.into_iter().map(|h| h.key).collect()),
        })?;
        for k in named {
            missing.insert(k, GONE.to_string());
        }
        for key in left {
            if !found.iter().any(|f| f.eq_ignore_ascii_case(&key)) {
                let reason = match client {
                    Client::Cloud(_) => {
                        "is not a requirement issue (not among Xray's coverable issues)"
                    }
                    Client::Dc(_) => GONE,
                };
                missing.insert(key, reason.to_string());
            }
        }
    }
    Ok(missing)
}

/// `plan` without the `missing` requirement keys, in the bodies and in the coverage.
fn without(plan: &XrayPlan, missing: &BTreeMap<String, String>) -> XrayPlan {
    let mut out = plan.clone();
    // The bodies are built when sent (`plan::RunResults`), without these keys.
    out.left_out_requirements.extend(missing.keys().cloned());
    for c in &mut out.coverage {
        c.requirements.retain(|k| !missing.contains_key(k));
    }
    out.coverage.retain(|c| !c.requirements.is_empty());
    out
}

/// The requirement keys an import refusal names (`CALC-23 is not a requirement issue or is not
/// a valid issue key.`, xray-api.md §3.3, §7; several are joined by `;`) that some unsent
/// result still carries in `testInfo.requirementKeys`.
pub fn refused(failure: &ApiError, unsent: &[(usize, ImportDoc)]) -> BTreeSet<String> {
    const SAYS: &str = " is not a requirement issue";
    let text = error_text(failure);
    let named: BTreeSet<String> = text
        .split([';', '\n'])
        .filter_map(|part| {
            let before = &part[..part.find(SAYS)?];
            before
                .split(|c: char| c.is_whitespace() || c == '"' || c == ':')
                .rfind(|w| !w.is_empty())
                .map(str::to_string)
        })
        .collect();
    unsent
        .iter()
        .flat_map(|(_, d)| d.tests.iter())
        .filter_map(|t| t.test_info.as_ref())
        .flat_map(|i| i.requirement_keys.iter())
        .filter(|k| named.contains(*k))
        .cloned()
        .collect()
}

/// `doc` without the `keys` in any `testInfo.requirementKeys`.
pub fn strip(doc: &mut ImportDoc, keys: &BTreeSet<String>) {
    for t in &mut doc.tests {
        if let Some(info) = &mut t.test_info {
            info.requirement_keys.retain(|k| !keys.contains(k));
        }
    }
}

/// Reports requirement keys the import refused (they are sent again without them).
pub fn record_refused(
    keys: &BTreeSet<String>,
    plan: &XrayPlan,
    tests: Tests<'_>,
    receipt: &mut XrayReceipt,
    progress: &mut dyn FnMut(&str),
) {
    for key in keys {
        let named_by: Vec<String> = plan
            .coverage
            .iter()
            .filter(|c| c.requirements.contains(key))
            .map(|c| test_name(c, tests))
            .collect();
        let reason = "is not a requirement issue (refused by the import)".to_string();
        let line = format!(
            "requirement {key} left out of the import: it {reason}; named by {}; sending again without it",
            named_by.join(", ")
        );
        progress(&format!("Xray: warning: {line}"));
        receipt.warnings.push(line);
        receipt.requirements.missing.push(MissingRequirement {
            key: key.clone(),
            reason,
            tests: named_by,
        });
    }
}

/// After the import: each Test given by key linked to the requirements its result named.
/// Keys refused as stale (their results went by definition) are skipped.
pub fn link_keyed(
    http: &Http,
    jira: Option<&JiraSettings>,
    client: &Client,
    receipt: &mut XrayReceipt,
    plan: &XrayPlan,
    progress: &mut dyn FnMut(&str),
) {
    let stale: BTreeSet<&str> = receipt.stale_keys.iter().map(|s| s.key.as_str()).collect();
    let refused: BTreeSet<&str> = receipt
        .requirements
        .missing
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for c in &plan.coverage {
        let Some(test) = &c.test_key else { continue };
        if stale.contains(test.as_str()) {
            continue;
        }
        for r in c
            .requirements
            .iter()
            .filter(|r| !refused.contains(r.as_str()))
        {
            let pair = (test.clone(), r.clone());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    if pairs.is_empty() || crate::stop::requested() {
        return;
    }
    let jira_client;
    let linker: Linker<'_> = match (client, jira) {
        (Client::Dc(d), _) => Linker::Dc(d),
        (Client::Cloud(_), Some(j)) => {
            jira_client = crate::jira::client::Client::new(http, j);
            Linker::Jira(&jira_client)
        }
        (Client::Cloud(_), None) => {
            let line = format!(
                "{} requirement link(s) of Tests given by key not made: Xray Cloud links them through Jira; set JIRA_URL and the Jira credentials",
                pairs.len()
            );
            progress(&format!("Xray: warning: {line}"));
            receipt.warnings.push(line);
            return;
        }
    };
    let link_type = match linker.link_types() {
        Ok(types) => match types
            .into_iter()
            .find(|t| t.outward.trim().eq_ignore_ascii_case("tests"))
        {
            Some(t) => t.name,
            None => {
                let line = format!(
                    "{} requirement link(s) not made: no Jira issue link type has the outward phrase \"tests\" (Xray's Test coverage link)",
                    pairs.len()
                );
                progress(&format!("Xray: error: {line}"));
                receipt.errors.push(ReportError {
                    kind: crate::error::ErrorKind::NotFound,
                    message: line,
                    doctor_check: None,
                });
                return;
            }
        },
        Err(e) => {
            let line = format!(
                "{} requirement link(s) not made: the issue link types could not be read: {e}",
                pairs.len()
            );
            progress(&format!("Xray: error: {line}"));
            receipt.errors.push(ReportError {
                kind: e.kind(),
                message: line,
                doctor_check: None,
            });
            return;
        }
    };
    for (test, requirement) in pairs {
        match linker.link(&link_type, &test, &requirement) {
            Ok(()) => receipt
                .requirements
                .linked
                .push(CoverageLink { test, requirement }),
            Err(e) => {
                let line = format!("Test {test} not linked to requirement {requirement}: {e}");
                progress(&format!("Xray: error: {line}"));
                receipt.errors.push(ReportError {
                    kind: e.kind(),
                    message: line,
                    doctor_check: None,
                });
            }
        }
    }
    if !receipt.requirements.linked.is_empty() {
        progress(&format!(
            "Xray: {} requirement link(s) made for Tests given by key",
            receipt.requirements.linked.len()
        ));
    }
}

/// Where issue links go: the Xray DC site itself, or Jira (Cloud).
enum Linker<'a> {
    Dc(&'a crate::xray::server::Dc),
    Jira(&'a crate::jira::client::Client<'a>),
}

impl Linker<'_> {
    fn link_types(&self) -> Result<Vec<crate::jira::client::LinkType>, ApiError> {
        match self {
            Linker::Dc(d) => d.link_types(),
            Linker::Jira(j) => j.link_types(),
        }
    }

    fn link(&self, link_type: &str, inward: &str, outward: &str) -> Result<(), ApiError> {
        match self {
            Linker::Dc(d) => d.link(link_type, inward, outward),
            Linker::Jira(j) => j.link(link_type, inward, outward),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::xray_json::{TestInfo, TestResult, TestType};

    fn doc(requirements: &[&str]) -> ImportDoc {
        ImportDoc {
            test_execution_key: None,
            info: None,
            tests: vec![TestResult {
                test_info: Some(TestInfo {
                    project_key: "CALC".into(),
                    summary: "s".into(),
                    test_type: TestType::Dc("Generic".into()),
                    definition: Some("d".into()),
                    labels: Vec::new(),
                    requirement_keys: requirements.iter().map(|s| s.to_string()).collect(),
                }),
                status: "PASS".into(),
                ..TestResult::default()
            }],
        }
    }

    #[test]
    fn a_refusal_names_the_requirement_keys_the_unsent_results_carry() {
        let failure = ApiError::Rejected {
            service: crate::error::Service::Xray,
            status: 400,
            detail: " CALC-23 is not a requirement issue or is not a valid issue key.; CALC-24 is not a requirement issue or is not a valid issue key.;".into(),
        };
        let unsent = vec![(0, doc(&["CALC-20", "CALC-23", "CALC-24"]))];
        let got: Vec<String> = refused(&failure, &unsent).into_iter().collect();
        assert_eq!(got, vec!["CALC-23", "CALC-24"]);
        // A key the results do not carry is not taken from the text.
        let other = vec![(0, doc(&["CALC-20"]))];
        assert!(refused(&failure, &other).is_empty());
        let mut d = doc(&["CALC-20", "CALC-23"]);
        strip(&mut d, &["CALC-23".to_string()].into_iter().collect());
        assert_eq!(
            d.tests[0].test_info.as_ref().unwrap().requirement_keys,
            vec!["CALC-20"]
        );
    }

    #[test]
    fn an_unrelated_refusal_names_no_requirement() {
        let failure = ApiError::Rejected {
            service: crate::error::Service::Xray,
            status: 400,
            detail: "Test issue with key CALC-9 not found.".into(),
        };
        assert!(refused(&failure, &[(0, doc(&["CALC-9"]))]).is_empty());
    }
}
