//! After the import: every Test of the run added to the configured Test Sets
//! (`XRAY_TEST_SETS` / `--test-sets` / `[xray] test_sets`), and the order of the steps after
//! the import (`after_import`: Test Sets, repository folders, requirement links).
//!
//! Owns which Tests are "the run's" and the Test Set requests (docs/xray-api.md §6 and §7):
//! - the run's Tests come from one batched lookup of the execution's runs
//!   (`Client::execution_runs`, the lookup `landed` uses): all of them when this run created
//!   the execution; when it appended to an existing one, the runs whose Test was sent by key or
//!   by the same definition. Cloud's runs carry their Test's definition; DC's do not, so when a
//!   step must find a Test sent by definition, DC reads the definitions of the runs' other
//!   Tests once (`GET /rest/raven/1.0/api/test?keys=…`, 50 a request) for both steps;
//! - Cloud GraphQL takes issue ids: `getTestSets(jql: "key in (…)")` and `getTests(jql: "key in
//!   (…)")` resolve them, `addTestsToTestSet(issueId, testIssueIds) { addedTests warning }` adds
//!   100 at a time;
//! - DC REST: `POST /rest/raven/1.0/api/testset/{key}/test` with `{"add": [...]}`, 100 at a
//!   time; the answer lists per-key errors.
//!
//! `resend` does the same for the Tests it sent through [`after_resend`]: the Test Sets by the
//! same selection over the execution's runs, made from the spooled bodies instead of the plan,
//! and the folders the spool's manifest names for them (`xray::folders::place_resent`).
//!
//! Adding is idempotent (a Test already in the set stays once), so the requests are reads for
//! the retry policy. A failure is an error of the run (the user asked for it) but never touches
//! the results, which are in.

use std::collections::{BTreeMap, BTreeSet};

use crate::xray::issue_ids::cloud_ids;

use crate::error::{ApiError, ReportError};
use crate::http::Http;
use crate::plan::xray_json::TestResult;
use crate::plan::{Tests, XrayPlan};
use crate::settings::XraySettings;
use crate::spool::SpooledFolder;
use crate::xray::client::{Client, RunRef};
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
    let mut own = None;
    let client = Client::given_or_new(client, &mut own, http, settings);
    if !settings.test_sets.is_empty() || !plan.folders.is_empty() {
        let expected = if receipt.created {
            receipt.tests_sent
        } else {
            usize::MAX
        };
        let sent = (!settings.test_sets.is_empty()).then(|| SentTests::of_plan(plan, tests));
        // Test Sets of an execution this run did not create take only its own runs; folders
        // are matched by definition always (other jobs of the CI run may have appended).
        let by_definition = sent
            .as_ref()
            .is_some_and(|s| !receipt.created && !s.definitions.is_empty())
            || crate::xray::folders::placed_by_definition(plan, tests);
        let keyed: Option<BTreeSet<String>> = by_definition.then(|| {
            (tests.iter())
                .filter_map(|t| t.key().map(|k| k.to_string()))
                .collect()
        });
        match runs_for_steps(client, &execution, expected, keyed.as_ref()) {
            Ok(runs) => {
                if let Some(sent) = &sent {
                    let keys = sent.among(receipt.created, &runs);
                    add_keys_to_test_sets(settings, client, receipt, &keys, progress);
                }
                crate::xray::folders::place(
                    settings, client, receipt, plan, tests, &runs, progress,
                );
            }
            Err(e) => {
                let what = steps(settings, plan.folders.len());
                runs_unreadable(settings, receipt, &execution, &what, &e, progress);
            }
        }
    }
    crate::xray::requirements::link_keyed(http, jira, client, receipt, plan, progress);
}

/// Fills in the definition of the runs whose Test is not among `keyed` (Tests sent by key are
/// found by key): Cloud's runs carry it already; DC's are read, 50 Tests a request.
fn with_definitions(
    client: &Client,
    runs: &mut [RunRef],
    keyed: &BTreeSet<String>,
) -> Result<(), ApiError> {
    let Client::Dc(dc) = client else {
        return Ok(());
    };
    let unknown: Vec<String> = (runs.iter())
        .filter(|r| r.definition.is_none() && !keyed.contains(&r.test_key))
        .map(|r| r.test_key.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let definitions = dc.test_definitions(&unknown)?;
    for run in runs.iter_mut().filter(|r| r.definition.is_none()) {
        run.definition = definitions.get(&run.test_key).cloned();
    }
    Ok(())
}

/// Adds `keys` to each configured Test Set; counts per set in `receipt.test_sets`, problems in
/// `receipt.errors`.
fn add_keys_to_test_sets(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    keys: &[String],
    progress: &mut dyn FnMut(&str),
) {
    if keys.is_empty() {
        return;
    }
    for set in &settings.test_sets {
        let added = match client {
            Client::Cloud(c) => cloud_add(c, set, keys),
            Client::Dc(d) => d.add_tests_to_test_set(set, keys),
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

/// After `resend` sent `sent`: the steps the spooling run could not do for them, with one
/// lookup of the execution's runs: adding them to the configured Test Sets, and placing them
/// in the repository folders the spool's manifest names for them (`folders`).
/// `all_runs_are_the_runs` when the execution is the one carrying the spool's marker (the
/// spooling run's own), as `created` is for a run.
pub fn after_resend(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    sent: &SentTests,
    all_runs_are_the_runs: bool,
    folders: &BTreeMap<String, SpooledFolder>,
    progress: &mut dyn FnMut(&str),
) {
    let folders = sent.folders_of(folders);
    if (settings.test_sets.is_empty() && folders.is_empty()) || sent.is_empty() {
        return;
    }
    let Some(execution) = receipt.execution.clone() else {
        return;
    };
    let what = steps(settings, folders.len());
    if crate::stop::requested() {
        receipt.warnings.push(format!(
            "stopped before adding the resent Tests to {}",
            what.join(" and ")
        ));
        return;
    }
    let by_definition =
        (!settings.test_sets.is_empty() && !all_runs_are_the_runs && !sent.definitions.is_empty())
            || folders.values().any(|f| !f.definitions.is_empty());
    let keyed = by_definition.then_some(&sent.keyed);
    match runs_for_steps(client, &execution, usize::MAX, keyed) {
        Ok(runs) => {
            if !settings.test_sets.is_empty() {
                let keys = sent.among(all_runs_are_the_runs, &runs);
                add_keys_to_test_sets(settings, client, receipt, &keys, progress);
            }
            crate::xray::folders::place_resent(
                settings, client, receipt, &folders, &runs, progress,
            );
        }
        Err(e) => runs_unreadable(settings, receipt, &execution, &what, &e, progress),
    }
}

/// The steps after the import that need the execution's runs, in words: the configured Test
/// Sets and `folders` repository folders, those there are.
fn steps(settings: &XraySettings, folders: usize) -> Vec<String> {
    let mut what = Vec::new();
    if !settings.test_sets.is_empty() {
        what.push(format!("the Test Set(s) {}", settings.test_sets.join(", ")));
    }
    if folders > 0 {
        what.push(format!("{folders} repository folder(s)"));
    }
    what
}

/// The execution's runs (`expected` of them when known); with `keyed`, DC's runs are given
/// their Test's definition first ([`with_definitions`]; the Tests of `keyed` are found by key).
fn runs_for_steps(
    client: &Client,
    execution: &crate::plan::IssueKey,
    expected: usize,
    keyed: Option<&BTreeSet<String>>,
) -> Result<Vec<RunRef>, ApiError> {
    let mut runs = client.execution_runs(execution, expected)?;
    if let Some(keyed) = keyed {
        with_definitions(client, &mut runs, keyed)?;
    }
    Ok(runs)
}

/// The error of the steps `what` when the execution's runs could not be read.
fn runs_unreadable(
    settings: &XraySettings,
    receipt: &mut XrayReceipt,
    execution: &crate::plan::IssueKey,
    what: &[String],
    e: &ApiError,
    progress: &mut dyn FnMut(&str),
) {
    let line = format!(
        "Tests not added to {}: the runs of {execution} could not be read: {e}",
        what.join(" and ")
    );
    progress(&format!("Xray: error: {line}"));
    receipt.errors.push(ReportError {
        kind: e.kind(),
        message: line,
        doctor_check: (!settings.test_sets.is_empty()).then(|| "xray.test-sets".to_string()),
    });
}

/// The Tests some import results name: by key, or (sent by definition) by the definition Xray
/// Cloud reports back on each run.
#[derive(Debug, Default)]
pub struct SentTests {
    keyed: BTreeSet<String>,
    definitions: BTreeSet<String>,
}

impl SentTests {
    fn of_plan(plan: &XrayPlan, tests: Tests<'_>) -> SentTests {
        let mut sent = SentTests::default();
        for c in &plan.chunks {
            for t in &c.tests {
                let t = tests.get(t.test);
                match t.key() {
                    Some(k) => sent.keyed.insert(k.as_str().to_string()),
                    None => sent.definitions.insert(t.definition().into_owned()),
                };
            }
        }
        sent
    }

    /// The Tests of spooled import bodies.
    pub fn of_results<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> SentTests {
        let mut sent = SentTests::default();
        for r in results {
            if let Some(k) = &r.test_key {
                sent.keyed.insert(k.clone());
            } else if let Some(d) = r.test_info.as_ref().and_then(|i| i.definition.as_ref()) {
                sent.definitions.insert(d.clone());
            }
        }
        sent
    }

    /// Adds `other`'s Tests to these.
    pub fn absorb(&mut self, other: SentTests) {
        self.keyed.extend(other.keyed);
        self.definitions.extend(other.definitions);
    }

    fn is_empty(&self) -> bool {
        self.keyed.is_empty() && self.definitions.is_empty()
    }

    /// `folders` narrowed to these Tests (folders left empty dropped).
    fn folders_of(
        &self,
        folders: &BTreeMap<String, SpooledFolder>,
    ) -> BTreeMap<String, SpooledFolder> {
        folders
            .iter()
            .map(|(path, f)| {
                let narrowed = SpooledFolder {
                    keys: f
                        .keys
                        .iter()
                        .filter(|k| self.keyed.contains(*k))
                        .cloned()
                        .collect(),
                    definitions: (f.definitions.iter())
                        .filter(|d| self.definitions.contains(*d))
                        .cloned()
                        .collect(),
                };
                (path.clone(), narrowed)
            })
            .filter(|(_, f)| !f.keys.is_empty() || !f.definitions.is_empty())
            .collect()
    }

    /// The Test keys among `runs` that these are (every run's when `all`).
    fn among(&self, all: bool, runs: &[crate::xray::client::RunRef]) -> Vec<String> {
        let mut out: Vec<String> = runs
            .iter()
            .filter(|r| {
                all || self.keyed.contains(&r.test_key)
                    || r.definition
                        .as_ref()
                        .is_some_and(|d| self.definitions.contains(d))
            })
            .map(|r| r.test_key.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
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
