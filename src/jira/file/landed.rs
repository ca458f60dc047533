//! After the import: links each bug filed for a result that went by definition to the Test
//! the import created or matched, and rewrites the bug's description so it names that Test.
//!
//! Why after: bugs are filed before the import so their keys go into the runs' `defects`
//! (one import, no follow-up per run). For a result without a verified key the Test is known
//! only once Xray has matched or created it, so the link and the description update (two
//! writes per new bug) come after the import, from one batched lookup of the execution's runs
//! (`xray::upload::find_landed`). A child of `file` because it builds descriptions the same way.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{ActionKind, BugAction, Filer, JiraReceipt, items};
use crate::http::Http;
use crate::jira::client::Client;
use crate::jira::dedup::Policy;
use crate::plan::{IssueKey, JiraPlan, Tests};
use crate::settings::JiraSettings;

/// The tests whose bug this run created or reopened without a link to their Test (no verified
/// key when it was filed): the ones [`link_landed`] would link, once their Test is known.
pub fn tests_to_link(plan: &JiraPlan, receipt: &JiraReceipt) -> std::collections::BTreeSet<usize> {
    receipt
        .actions
        .iter()
        .filter(|a| matches!(a.kind, ActionKind::Created | ActionKind::Reopened))
        .filter_map(|a| a.test)
        .filter(|t| {
            plan.intents
                .iter()
                .any(|i| i.test == *t && i.report.xray_key.is_none())
        })
        .collect()
}

/// For every bug this run created (or reopened) for a test in `landed` whose intent had no
/// verified Xray key: a `test_link_type` link from the Test, and the description rewritten
/// with the Test key. Failures land in `receipt.errors`; the rest goes on.
pub fn link_landed(
    http: &Http,
    settings: &JiraSettings,
    plan: &JiraPlan,
    tests: Tests<'_>,
    landed: &BTreeMap<usize, IssueKey>,
    receipt: &mut JiraReceipt,
    progress: &mut dyn FnMut(&str),
) {
    let client = Client::new(http, settings);
    let filer = Filer {
        client: &client,
        http,
        settings,
        plan,
        dry_run: false,
        policy: Policy {
            reopen_within_days: settings.reopen_within_days,
            now: OffsetDateTime::now_utc(),
        },
    };
    let all = items(plan, tests);
    let new_bugs: Vec<(usize, String)> = receipt
        .actions
        .iter()
        .filter(|a| matches!(a.kind, ActionKind::Created | ActionKind::Reopened))
        .filter_map(|a| Some((a.test?, a.key.as_ref()?.to_string())))
        .filter(|(t, bug)| {
            receipt
                .bug_keys
                .get(t)
                .is_some_and(|keys| keys.iter().any(|k| k.as_str() == bug))
        })
        .collect();
    let link = &settings.test_link_type;
    for (t, bug) in new_bugs {
        let Some(test_key) = landed.get(&t) else {
            continue;
        };
        let Some(item) = all.iter().find(|i| i.test == Some(t)) else {
            continue;
        };
        let Some(report) = item.report else { continue };
        if report.xray_key.is_some() {
            // Linked when it was filed.
            continue;
        }
        if !link.is_empty() {
            match client.link(link, test_key.as_str(), &bug) {
                Ok(()) => receipt.actions.push(BugAction {
                    kind: ActionKind::Linked,
                    test: Some(t),
                    test_id: item.test_id.clone(),
                    label: item.label.clone(),
                    key: IssueKey::parse(&bug),
                    url: Some(client.browse_url(&bug)),
                    detail: Some(format!("{link} {test_key}")),
                }),
                Err(e) => {
                    receipt.errors.push(e);
                    continue;
                }
            }
        }
        let mut named = report.clone();
        named.xray_key = Some(test_key.clone());
        let with_key = super::Item {
            report: Some(&named),
            tests: item.tests.clone(),
            test_id: item.test_id.clone(),
            label: item.label.clone(),
            umbrella_lines: Vec::new(),
            ..*item
        };
        let description = filer.create_fields(&with_key)["description"].clone();
        if let Err(e) = client.set_fields(&bug, &serde_json::json!({ "description": description }))
        {
            receipt.errors.push(e);
            continue;
        }
        progress(&format!("jira: linked {bug} to its Xray Test {test_key}"));
    }
}
