//! After the import: every Test of the run added to the configured Test Sets
//! (`XRAY_TEST_SETS` / `--test-sets` / `[xray] test_sets`), and the order of the steps after
//! the import (`after_import`: Test Sets, repository folders, requirement links).
//!
//! Owns which Tests are "the run's" and the Test Set requests (docs/xray-api.md §6 and §7):
//! - the run's Tests come from one batched lookup of the execution's runs
//!   (`Client::execution_runs`, the lookup `landed` uses): all of them when this run created
//!   the execution; when it appended to an existing one, the runs whose Test was sent by key or
//!   (Cloud, which reports definitions) by the same definition;
//! - Cloud GraphQL takes issue ids: `getTestSets(jql: "key in (…)")` and `getTests(jql: "key in
//!   (…)")` resolve them, `addTestsToTestSet(issueId, testIssueIds) { addedTests warning }` adds
//!   100 at a time;
//! - DC REST: `POST /rest/raven/1.0/api/testset/{key}/test` with `{"add": [...]}`, 100 at a
//!   time; the answer lists per-key errors.
//!
//! Adding is idempotent (a Test already in the set stays once), so the requests are reads for
//! the retry policy. A failure is an error of the run (the user asked for it) but never touches
//! the results, which are in.

use std::collections::BTreeSet;

use crate::xray::issue_ids::cloud_ids;

use crate::error::{ApiError, ReportError};
use crate::http::Http;
use crate::plan::{Tests, XrayPlan};
use crate::settings::XraySettings;
use crate::xray::client::Client;
use crate::xray::cloud::Cloud;
use crate::xray::upload::XrayReceipt;

/// Keys per request (GraphQL connections take at most 100; the DC body is kept as small).
const BATCH: usize = 100;

/// Everything after the import that needs the run's Tests: the configured Test Sets,
/// repository folders (`xray::folders`) and requirement links of Tests given by key
/// (`xray::requirements`). The execution's runs are read once, and only when a Test Set or a
/// folder needs them. Problems go to `receipt.errors` / `receipt.warnings`; the results are in
/// whatever happens here.
#[allow(clippy::too_many_arguments)]
pub fn after_import(
    http: &Http,
    settings: &XraySettings,
    jira: Option<&crate::settings::JiraSettings>,
    client: Option<&Client>,
    receipt: &mut XrayReceipt,
    plan: &XrayPlan,
    tests: Tests<'_>,
    progress: &mut dyn FnMut(&str),
) {
    let Some(execution) = receipt.execution.clone() else {
        return;
    };
    // Stopping (signal, deadline): the results are in; nothing more is started, and the
    // report says what was left.
    if crate::stop::requested() {
        if !settings.test_sets.is_empty()
            || !plan.folders.is_empty()
            || plan.coverage.iter().any(|c| c.test_key.is_some())
        {
            receipt.warnings.push(
                "stopped before the steps after the import (Test Sets, repository folders, requirement links of Tests given by key)".into(),
            );
        }
        return;
    }
    let own;
    let client = match client {
        Some(c) => c,
        None => {
            own = Client::new(http, settings);
            &own
        }
    };
    if !settings.test_sets.is_empty() || !plan.folders.is_empty() {
        let expected = if receipt.created {
            receipt.tests_sent
        } else {
            usize::MAX
        };
        match client.execution_runs(&execution, expected) {
            Ok(runs) => {
                add_to_test_sets(settings, client, receipt, plan, tests, &runs, progress);
                crate::xray::folders::place(
                    settings, client, receipt, plan, tests, &runs, progress,
                );
            }
            Err(e) => {
                let mut what: Vec<String> = Vec::new();
                if !settings.test_sets.is_empty() {
                    what.push(format!("the Test Set(s) {}", settings.test_sets.join(", ")));
                }
                if !plan.folders.is_empty() {
                    what.push(format!("{} repository folder(s)", plan.folders.len()));
                }
                let line = format!(
                    "Tests not added to {}: the runs of {execution} could not be read: {e}",
                    what.join(" and ")
                );
                progress(&format!("Xray: error: {line}"));
                receipt.errors.push(ReportError {
                    kind: e.kind(),
                    message: line,
                    doctor_check: (!settings.test_sets.is_empty())
                        .then(|| "xray.test-sets".to_string()),
                });
            }
        }
    }
    crate::xray::requirements::link_keyed(http, jira, client, receipt, plan, progress);
}

/// Adds the run's Tests (among `runs`) to each configured Test Set. Records the count per set
/// in `receipt.test_sets`, problems in `receipt.errors`.
fn add_to_test_sets(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    plan: &XrayPlan,
    tests: Tests<'_>,
    runs: &[crate::xray::client::RunRef],
    progress: &mut dyn FnMut(&str),
) {
    if settings.test_sets.is_empty() {
        return;
    }
    let keys = run_tests(receipt.created, plan, tests, runs);
    if keys.is_empty() {
        return;
    }
    for set in &settings.test_sets {
        let added = match client {
            Client::Cloud(c) => cloud_add(c, set, &keys),
            Client::Dc(d) => d.add_tests_to_test_set(set, &keys),
        };
        match added {
            Ok(()) => {
                progress(&format!(
                    "Xray: {} Test(s) added to Test Set {set}",
                    keys.len()
                ));
                receipt.test_sets.insert(set.clone(), keys.len());
            }
            Err(e) => {
                let line = format!("Tests not added to Test Set {set}: {e}");
                progress(&format!("Xray: error: {line}"));
                receipt.errors.push(ReportError {
                    kind: e.kind(),
                    message: line,
                    doctor_check: Some("xray.test-sets".into()),
                });
            }
        }
    }
}

/// The Test keys of this run among the execution's runs.
fn run_tests(
    created: bool,
    plan: &XrayPlan,
    tests: Tests<'_>,
    runs: &[crate::xray::client::RunRef],
) -> Vec<String> {
    let mut keyed = BTreeSet::new();
    let mut definitions = BTreeSet::new();
    for c in &plan.chunks {
        for t in &c.tests {
            let t = tests.get(t.test);
            match t.key() {
                Some(k) => {
                    keyed.insert(k.as_str().to_string());
                }
                None => {
                    definitions.insert(t.definition().into_owned());
                }
            }
        }
    }
    let mut out: Vec<String> = runs
        .iter()
        .filter(|r| {
            created
                || keyed.contains(&r.test_key)
                || r.definition
                    .as_ref()
                    .is_some_and(|d| definitions.contains(d))
        })
        .map(|r| r.test_key.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The keys among `keys` that are Test Sets (Cloud `getTestSets`).
pub fn cloud_test_sets(c: &Cloud, keys: &[String]) -> Result<BTreeSet<String>, ApiError> {
    Ok(cloud_ids(c, "getTestSets", keys)?.into_keys().collect())
}

fn cloud_add(c: &Cloud, set: &str, keys: &[String]) -> Result<(), ApiError> {
    let not_a_set = || ApiError::Rejected {
        service: crate::error::Service::Xray,
        status: 200,
        detail: format!("{set} is not a Test Set (getTestSets does not return it)"),
    };
    let set_id = cloud_ids(c, "getTestSets", &[set.to_string()])?
        .remove(set)
        .ok_or_else(not_a_set)?;
    let ids: Vec<String> = cloud_ids(c, "getTests", keys)?.into_values().collect();
    const MUTATION: &str = "mutation($set: String!, $tests: [String]!) { addTestsToTestSet(issueId: $set, testIssueIds: $tests) { addedTests warning } }";
    for batch in ids.chunks(BATCH) {
        let _: serde_json::Value = c.graphql(
            "addTestsToTestSet",
            MUTATION,
            serde_json::json!({ "set": set_id, "tests": batch }),
        )?;
    }
    Ok(())
}
