//! After the import: which Test each result sent by definition landed on, so the bugs filed
//! for those results can be linked to it (`jira::file::link_landed`).
//!
//! Owns the matching rule: one batched lookup of the execution's runs (100 per request, so at
//! most ceil(N/100) requests for N results); Cloud reports each run's Test definition
//! (`unstructured`), so a result is matched by its definition; DC reports each run's defects
//! (`detailed=true`), so a result is matched by the bug it carried in `defects`.

use std::collections::{BTreeMap, BTreeSet};

use crate::http::Http;
use crate::plan::{IssueKey, Tests, XrayPlan};
use crate::settings::XraySettings;
use crate::xray::client::Client;
use crate::xray::upload::{PlanKeys, XrayReceipt};

/// After the import: which Test each of the tests in `wanted` (plan test indexes) landed on.
/// One batched lookup of the execution's runs (100 per request, so at most ceil(N/100)
/// requests for N results), matched by generic definition (Cloud reports each run's Test
/// definition) or by the bug sent in the run's `defects` (DC reports defects with `detailed`).
/// Results sent by a verified key need no lookup. Records what it found in
/// `receipt.test_keys`; a failed lookup is a warning, never an error (the results are in).
#[allow(clippy::too_many_arguments)]
pub fn find_landed(
    http: &Http,
    settings: &XraySettings,
    keys: &PlanKeys,
    receipt: &mut XrayReceipt,
    plan: &XrayPlan,
    tests: Tests<'_>,
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    wanted: &BTreeSet<usize>,
    progress: &mut dyn FnMut(&str),
) -> BTreeMap<usize, IssueKey> {
    let mut landed = BTreeMap::new();
    let Some(execution) = receipt.execution.clone() else {
        return landed;
    };
    if wanted.is_empty() {
        return landed;
    }
    let own;
    let client = match keys.client() {
        Some(c) => c,
        None => {
            own = Client::new(http, settings);
            &own
        }
    };
    // A created execution holds exactly the runs sent; an existing one may hold more, so its
    // pages are read to the end.
    let expected = if receipt.created {
        receipt.tests_sent
    } else {
        usize::MAX
    };
    let runs = match client.execution_runs(&execution, expected) {
        Ok(r) => r,
        Err(e) => {
            let line =
                format!("could not read the runs of {execution} to link bugs to their Tests: {e}");
            progress(&format!("Xray: warning: {line}"));
            receipt.warnings.push(line);
            return landed;
        }
    };
    for ct in plan.chunks.iter().flat_map(|c| c.tests.iter()) {
        let group = std::iter::once(ct.test).chain(ct.merged().iter().copied());
        let group: Vec<usize> = group.filter(|t| wanted.contains(t)).collect();
        if group.is_empty() {
            continue;
        }
        // The import result names its Test by the key, or by the (planned) definition.
        let (by_key, definition) = match tests.try_get(ct.test) {
            Some(p) => (
                p.key()
                    .map(|k| k.to_string())
                    .filter(|k| keys.check.is_verified(k)),
                Some(p.definition().into_owned()),
            ),
            None => (None, None),
        };
        let bugs: Vec<&str> = group
            .iter()
            .flat_map(|t| defects.get(t).into_iter().flatten())
            .map(IssueKey::as_str)
            .collect();
        let found = by_key.or_else(|| {
            runs.iter()
                .find(|r| {
                    (r.definition.is_some() && r.definition == definition)
                        || r.defects.iter().any(|d| bugs.contains(&d.as_str()))
                })
                .map(|r| r.test_key.clone())
        });
        let Some(key) = found.as_deref().and_then(IssueKey::parse) else {
            continue;
        };
        for t in group {
            if let Some(p) = tests.try_get(t) {
                receipt
                    .test_keys
                    .insert(p.test_id().into_owned(), key.as_str().to_string());
            }
            landed.insert(t, key.clone());
        }
    }
    landed
}
