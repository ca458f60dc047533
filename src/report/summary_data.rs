//! `RunSummary`: the plain data every reporting surface reads (job summary, annotations, step
//! outputs, PR comment, `--summary-md`).
//!
//! Owns only the shape. It is filled once, after a run (or a dry run), from the plan and the
//! receipts, so the renderers stay pure functions of it and are testable without a network.
//! Every string in here may be untrusted (test names and messages come from result files):
//! renderers escape or neutralise it, never this module.

use serde::Serialize;

use crate::model::{Counts, OutcomeKind};

/// Everything a report shows about one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunSummary {
    pub counts: Counts,
    /// The Test Execution created or appended to (absent in a dry run or when Xray is off).
    pub execution: Option<ExecutionRef>,
    /// Failed and errored tests, worst first is not required: renderers order them.
    pub failures: Vec<FailureRow>,
    /// Names of tests that passed after a failed try.
    pub flaky: Vec<String>,
    /// What happened (or, in a dry run, would happen) in Jira.
    pub bugs: Vec<BugRow>,
    /// One line per decision worth telling (a side skipped, results left out).
    pub notes: Vec<String>,
    pub dry_run: bool,
    /// Problems that did not stop the run (an upload spooled, a Jira call refused).
    pub errors: Vec<String>,
    /// Where the JSON report was written, for the `report-path` output.
    pub report_path: Option<String>,
    /// Link to the CI run, shown under the totals.
    pub run_url: Option<String>,
}

/// A Jira/Xray issue with its browse link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionRef {
    pub key: String,
    pub url: Option<String>,
}

/// One failed or errored test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRow {
    pub name: String,
    /// The stable id (Xray key or definition).
    pub test_id: String,
    pub xray_key: Option<String>,
    /// `Failed` or `Error`; errors are reported before failures.
    pub kind: OutcomeKind,
    pub message: Option<String>,
    /// Repo-relative source file of the test, when the runner reported it.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The result file the test came from: the annotation anchor when `file` is unknown.
    pub result_file: Option<String>,
}

/// What xray-sync did with one bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BugAction {
    Created,
    Commented,
    Reopened,
    Closed,
    /// An open bug already had this run's comment (a re-run).
    AlreadyReported,
}

impl BugAction {
    /// Past tense for a real run, conditional for a dry run.
    pub fn verb(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (BugAction::Created, false) => "created",
            (BugAction::Created, true) => "would create",
            (BugAction::Commented, false) => "commented",
            (BugAction::Commented, true) => "would comment",
            (BugAction::Reopened, false) => "reopened",
            (BugAction::Reopened, true) => "would reopen",
            (BugAction::Closed, false) => "closed",
            (BugAction::Closed, true) => "would close",
            (BugAction::AlreadyReported, _) => "already reported",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugRow {
    pub action: BugAction,
    /// Absent in a dry run for a bug that does not exist yet.
    pub key: Option<String>,
    pub url: Option<String>,
    /// The test's name (or, for an umbrella issue, a short description).
    pub test: String,
}

impl RunSummary {
    /// Failed plus errored: the number the `failed` output and the exit code look at.
    pub fn failed_total(&self) -> usize {
        self.counts.failed + self.counts.error
    }

    pub fn bugs_with(&self, action: BugAction) -> usize {
        self.bugs.iter().filter(|b| b.action == action).count()
    }
}
