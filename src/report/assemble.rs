//! Builds what users are shown after a run, from the plan and the executors' receipts: the
//! `RunSummary` (console, job summary, annotations, outputs, PR comment) and the JSON `Report`.
//!
//! Owns only the translation; no I/O. Both views come from the same inputs, so the console, the
//! job summary and the report always agree.

use crate::jira::receipt::{ActionKind, JiraReceipt};
use crate::model::OutcomeKind;
use crate::plan::{IssueKey, Plan, TestIdentity};
use crate::report::json::Report;
use crate::report::summary_data::{BugAction, BugRow, ExecutionRef, FailureRow, RunSummary};
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
        let mut lines = Vec::new();
        if let Some(x) = &self.xray {
            for e in &x.errors {
                let check = e
                    .doctor_check
                    .as_deref()
                    .map(|c| format!(" (doctor check: {c})"))
                    .unwrap_or_default();
                lines.push(format!("Xray: {}{check}", e.message));
            }
            if let Some(spool) = &x.spool {
                lines.push(format!(
                    "Xray: unsent results were saved to {}; send them later with `xray-sync resend {}`",
                    spool.display(),
                    spool.display()
                ));
            }
        }
        if let Some(j) = &self.jira {
            for e in &j.errors {
                lines.push(format!("Jira: {e} (doctor check: {})", e.doctor_check()));
            }
        }
        lines
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
        ActionKind::ClosedOnPass | ActionKind::WouldClose => Some(BugAction::Closed),
        // Bookkeeping around a bug, not a bug of its own.
        ActionKind::Linked | ActionKind::ClosedAsDuplicate | ActionKind::Skipped => None,
    }
}

pub fn summary(plan: &Plan, settings: &Settings, receipts: &Receipts, dry_run: bool) -> RunSummary {
    // The mapped key, else the Test the import put the result on (looked up after it).
    // A stale key is not the Test the result is on: show where it landed, if known.
    let landed = receipts.xray.as_ref().map(|x| &x.test_keys);
    let stale = |k: &str| {
        receipts
            .xray
            .as_ref()
            .is_some_and(|x| x.stale_keys.iter().any(|s| s.key == k))
    };
    let xray_key = |t: &crate::plan::PlannedTest| match &t.identity {
        TestIdentity::Key(k) if !stale(k.as_str()) => Some(k.to_string()),
        _ => landed.and_then(|m| m.get(&t.test_id)).cloned(),
    };
    let mut failures: Vec<FailureRow> = plan
        .tests
        .iter()
        .filter(|t| matches!(t.outcome, OutcomeKind::Failed | OutcomeKind::Error))
        .map(|t| FailureRow {
            name: t.name.clone(),
            test_id: t.test_id.clone(),
            xray_key: xray_key(t),
            kind: t.outcome,
            message: t.message.clone(),
            file: t
                .file
                .as_deref()
                .map(|f| workspace_relative(&settings.output.workspace, f)),
            line: t.line,
            result_file: None,
        })
        .collect();
    // Errors first: they usually mean the test could not run at all.
    failures.sort_by_key(|f| f.kind != OutcomeKind::Error);
    let flaky = plan
        .tests
        .iter()
        .filter(|t| t.flaky)
        .map(|t| t.name.clone())
        .collect();
    let bugs = receipts
        .jira
        .iter()
        .flat_map(|j| &j.actions)
        .filter_map(|a| {
            let action = bug_row(a.kind)?;
            let test = match a.test.and_then(|i| plan.tests.get(i)) {
                Some(t) => t.name.clone(),
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
            url: browse_url(settings, k.as_str()),
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
        errors: receipts.error_lines(),
        report_path: settings
            .output
            .report
            .as_ref()
            .map(|p| p.display().to_string()),
        run_url: settings.ci.run_url.clone(),
    }
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
    use super::workspace_relative;

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
