//! Builds what users are shown after a run, from the plan and the executors' receipts: the
//! `RunSummary` (console, job summary, annotations, outputs, PR comment) and the JSON `Report`.
//!
//! Owns only the translation; no I/O. Both views come from the same inputs, so the console, the
//! job summary and the report always agree.

use std::collections::HashMap;

use crate::jira::receipt::{ActionKind, JiraReceipt};
use crate::model::{OutcomeKind, TestRun};
use crate::plan::{IssueKey, Plan, TestIdentity};
use crate::report::json::Report;
use crate::report::summary_data::{
    BugAction, BugRow, ExecutionRef, FailureRow, Problem, RunSummary,
};
use crate::settings::{Product, Settings};
use crate::xray::upload::XrayReceipt;

/// What the executors did; `None` where a side did not run.
#[derive(Debug, Default)]
pub struct Receipts {
    pub xray: Option<XrayReceipt>,
    pub jira: Option<JiraReceipt>,
}

impl Receipts {
    /// Xray or Jira refused or could not be reached.
    pub fn failed(&self) -> bool {
        self.xray.as_ref().is_some_and(XrayReceipt::failed)
            || self.jira.as_ref().is_some_and(|j| !j.errors.is_empty())
    }

    /// One line per error, for the console and the exit message.
    pub fn error_lines(&self) -> Vec<String> {
        self.problems()
            .into_iter()
            .map(|p| match p.command {
                Some(c) => format!("{}: {c}", p.text.trim_end_matches('.')),
                None => p.text,
            })
            .collect()
    }

    /// What went wrong, for the Problems section: each error once, with its doctor check, and
    /// unsent results with the exact command that sends them.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(x) = &self.xray {
            for e in &x.errors {
                let check = e
                    .doctor_check
                    .as_deref()
                    .map(|c| format!(" (doctor check: {c})"))
                    .unwrap_or_default();
                out.push(Problem::new(format!(
                    "{}{check}",
                    prefixed("Xray", &e.message)
                )));
            }
            if let Some(spool) = &x.spool {
                out.push(Problem::with_command(
                    format!(
                        "Xray: results that were not sent are saved in {}; send them later with",
                        spool.display()
                    ),
                    format!(
                        "xray-sync resend {}",
                        shell_word(&spool.display().to_string())
                    ),
                ));
            }
        }
        if let Some(j) = &self.jira {
            for e in &j.errors {
                out.push(Problem::new(format!(
                    "{} (doctor check: {})",
                    prefixed("Jira", &e.to_string()),
                    e.doctor_check()
                )));
            }
        }
        out
    }
}

/// `Service: message`, unless the message already starts with the service's name (most
/// `ApiError`s do: "Jira rejected the request …"), which would read "Jira: Jira …".
fn prefixed(service: &str, message: &str) -> String {
    if message.starts_with(service) {
        message.to_string()
    } else {
        format!("{service}: {message}")
    }
}

/// A path as one shell word: quoted only when it needs to be, so the command pastes as is.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `file` relative to the workspace when it lies inside it: GitHub attaches annotations to
/// repository-relative paths, and shorter paths read better in a summary.
fn workspace_relative(workspace: &std::path::Path, file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_relative() {
        return file.to_string();
    }
    let base = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    match path.strip_prefix(&base) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => file.to_string(),
    }
}

/// Where a person opens an issue: the Jira site's browse page, when the site is known.
fn browse_url(settings: &Settings, key: &str) -> Option<String> {
    let site = match (&settings.jira, &settings.xray) {
        (Some(j), _) if !j.is_placeholder() => j.url.clone(),
        // Xray DC's base URL is the Jira site.
        (_, Some(x)) if x.product == Product::Dc && !x.is_placeholder() => x.url.clone(),
        _ => return None,
    };
    Some(format!("{}/browse/{key}", site.trim_end_matches('/')))
}

fn bug_row(kind: ActionKind) -> Option<BugAction> {
    match kind {
        ActionKind::Created | ActionKind::WouldCreate => Some(BugAction::Created),
        ActionKind::Commented | ActionKind::WouldComment => Some(BugAction::Commented),
        ActionKind::Reopened | ActionKind::WouldReopen => Some(BugAction::Reopened),
        // Reported by this CI run, not created by this job: the surviving bug is linked.
        ActionKind::FiledByParallelJob => Some(BugAction::AlreadyReported),
        ActionKind::ClosedOnPass | ActionKind::WouldClose => Some(BugAction::Closed),
        // Bookkeeping around a bug, not a bug of its own.
        ActionKind::Linked | ActionKind::ClosedAsDuplicate | ActionKind::Skipped => None,
    }
}

/// What a failure's row says about its bug: the main action, or "already reported" when this
/// CI run had commented before (a skipped comment still names the bug).
fn failure_bug(kind: ActionKind) -> Option<BugAction> {
    match kind {
        ActionKind::Skipped => Some(BugAction::AlreadyReported),
        ActionKind::ClosedOnPass | ActionKind::WouldClose | ActionKind::ClosedAsDuplicate => None,
        ActionKind::Linked => Some(BugAction::Linked),
        other => bug_row(other),
    }
}

pub fn summary(
    plan: &Plan,
    run: &TestRun,
    settings: &Settings,
    receipts: &Receipts,
    dry_run: bool,
) -> RunSummary {
    let tests = plan.tests_in(run);
    // The mapped key, else the Test the import put the result on (looked up after it).
    // A stale key is not the Test the result is on: show where it landed, if known.
    let landed = receipts.xray.as_ref().map(|x| &x.test_keys);
    let stale = |k: &str| {
        receipts
            .xray
            .as_ref()
            .is_some_and(|x| x.stale_keys.iter().any(|s| s.key == k))
    };
    let xray_key = |t: &crate::plan::TestView<'_>| match t.key() {
        Some(k) if !stale(k.as_str()) => Some(k.to_string()),
        _ => landed.and_then(|m| m.get(t.test_id().as_ref())).cloned(),
    };
    let bugs_by_test = failure_bugs(plan, receipts);
    // Rows of one data-driven Test share its identity and its one bug.
    let bugs_by_identity: HashMap<TestIdentity, &BugRow> = bugs_by_test
        .iter()
        .map(|(&i, b)| (tests.get(i).identity(), b))
        .collect();
    // The browse link of a key: on the configured Jira site, or (Xray-only on Cloud) on the
    // site the import answer named.
    let xray_site = receipts.xray.as_ref().and_then(|x| x.site.as_deref());
    let link = |key: &str| {
        browse_url(settings, key).or_else(|| {
            xray_site.map(|site| format!("{}/browse/{key}", site.trim_end_matches('/')))
        })
    };
    let attempts: HashMap<usize, usize> = plan
        .jira
        .iter()
        .flat_map(|j| &j.intents)
        // A data-driven Test's bug gathers the tries of all its failing rows; a row's own
        // count is its tries alone, which that list cannot tell apart.
        .filter(|i| i.report.rows.is_empty())
        .map(|i| (i.test, i.report.attempts.len()))
        .collect();
    // As many rows as failed and errored tests, allocated once (a large run has tens of
    // thousands; grown by doubling they would cost a third more).
    let mut failures: Vec<FailureRow> = Vec::with_capacity(plan.counts.failed + plan.counts.error);
    failures.extend(
        tests
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.outcome(), OutcomeKind::Failed | OutcomeKind::Error))
            .map(|(i, t)| {
                let key = xray_key(&t);
                let file = t
                    .file()
                    .map(|f| workspace_relative(&settings.output.workspace, &f));
                // The planner falls back to the result file when the runner named no source file:
                // an annotation anchor, not a place in the code worth showing people.
                let from_result_file = t.line().is_none()
                    && file.as_deref().is_some_and(|f| {
                        let lower = f.to_ascii_lowercase();
                        [".xml", ".json", ".trx"].iter().any(|e| lower.ends_with(e))
                    });
                FailureRow {
                    name: t.name().to_string(),
                    test_id: t.test_id().into_owned(),
                    definition: t.definition().into_owned(),
                    xray_url: key.as_deref().and_then(&link),
                    xray_key: key,
                    kind: t.outcome(),
                    message: t.message(),
                    file: file.clone().filter(|_| !from_result_file),
                    line: t.line(),
                    result_file: file.filter(|_| from_result_file),
                    bug: bugs_by_test
                        .get(&i)
                        .or_else(|| {
                            (!bugs_by_identity.is_empty())
                                .then(|| bugs_by_identity.get(&t.identity()).copied())
                                .flatten()
                        })
                        .cloned(),
                    attempts: attempts.get(&i).copied().unwrap_or(1).max(1),
                }
            }),
    );
    // Errors first: they usually mean the test could not run at all.
    failures.sort_by_key(|f| f.kind != OutcomeKind::Error);
    let flaky = tests
        .iter()
        .filter(|t| t.flaky())
        .map(|t| t.name().to_string())
        .collect();
    let bugs = receipts
        .jira
        .iter()
        .flat_map(|j| &j.actions)
        .filter_map(|a| {
            let action = bug_row(a.kind)?;
            let test = match a.test.and_then(|i| tests.try_get(i)) {
                Some(t) => t.name().to_string(),
                None => a
                    .test_id
                    .clone()
                    .unwrap_or_else(|| "(umbrella issue)".to_string()),
            };
            Some(BugRow {
                action,
                key: a.key.as_ref().map(IssueKey::to_string),
                url: a.url.clone(),
                test,
            })
        })
        .collect();
    let execution = receipts
        .xray
        .as_ref()
        .and_then(|x| x.execution.as_ref())
        .map(|k| ExecutionRef {
            key: k.to_string(),
            url: link(k.as_str()),
        });
    // `plan::build` starts its notes with the settings' notes: taking both would say each twice.
    let mut notes = plan.notes.clone();
    if let Some(x) = &receipts.xray {
        notes.extend(x.warnings.iter().cloned());
    }
    let stale_keys = receipts
        .xray
        .iter()
        .flat_map(|x| &x.stale_keys)
        .map(|k| {
            let then = if k.fell_back {
                "its results went by their definition instead"
            } else {
                "nothing was sent (strict keys)"
            };
            format!("{}: {}; {then}", k.key, k.reason)
        })
        .collect();
    RunSummary {
        counts: plan.counts,
        stale_keys,
        execution,
        failures,
        flaky,
        bugs,
        notes,
        dry_run,
        problems: receipts.problems(),
        errors: Vec::new(),
        report_path: settings
            .output
            .report
            .as_ref()
            .map(|p| p.display().to_string()),
        report_artifact: None,
        run_url: settings.ci.run_url.clone(),
    }
}

/// The bug each failing test is tracked in: its own action (the first that names a bug), or
/// the umbrella issue for every test it lists.
fn failure_bugs(plan: &Plan, receipts: &Receipts) -> HashMap<usize, BugRow> {
    let mut out: HashMap<usize, BugRow> = HashMap::new();
    let umbrella_tests: &[usize] = plan
        .jira
        .as_ref()
        .and_then(|j| j.umbrella.as_ref())
        .map(|u| u.tests.as_slice())
        .unwrap_or(&[]);
    for a in receipts.jira.iter().flat_map(|j| &j.actions) {
        let Some(action) = failure_bug(a.kind) else {
            continue;
        };
        let row = BugRow {
            action,
            key: a.key.as_ref().map(IssueKey::to_string),
            url: a.url.clone(),
            test: String::new(),
        };
        let tests: Vec<usize> = match a.test {
            Some(t) => vec![t],
            None => umbrella_tests.to_vec(),
        };
        for t in tests {
            out.entry(t).or_insert_with(|| row.clone());
        }
    }
    out
}

pub fn report(plan: &Plan, receipts: Receipts, dry_run: bool) -> Report {
    let mut report = Report::new(plan.counts);
    report.dry_run = dry_run;
    report.notes = plan.notes.clone();
    if let Some(x) = receipts.xray {
        report = report.with_xray(x);
    }
    if let Some(j) = receipts.jira {
        report = report.with_jira(j);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::{prefixed, shell_word, workspace_relative};

    #[test]
    fn service_name_is_not_said_twice() {
        assert_eq!(
            prefixed("Jira", "Jira rejected the request (HTTP 400)"),
            "Jira rejected the request (HTTP 400)"
        );
        assert_eq!(prefixed("Xray", "chunk 2 failed"), "Xray: chunk 2 failed");
    }

    #[test]
    fn resend_paths_paste_as_one_shell_word() {
        assert_eq!(
            shell_word(".xray-sync-spool/xray-sync-run-1"),
            ".xray-sync-spool/xray-sync-run-1"
        );
        assert_eq!(shell_word("my dir/it's"), "'my dir/it'\\''s'");
    }

    #[test]
    fn paths_inside_the_workspace_become_relative() {
        let ws = std::env::temp_dir();
        let ws = ws.canonicalize().unwrap();
        let inside = ws.join("reports").join("TEST-a.xml");
        assert_eq!(
            workspace_relative(&ws, inside.to_str().unwrap()),
            format!("reports{}TEST-a.xml", std::path::MAIN_SEPARATOR)
        );
        assert_eq!(workspace_relative(&ws, "src/lib.rs"), "src/lib.rs");
        let outside = if cfg!(windows) {
            "C:\\elsewhere\\x.xml"
        } else {
            "/elsewhere/x.xml"
        };
        assert_eq!(workspace_relative(&ws, outside), outside);
    }
}
