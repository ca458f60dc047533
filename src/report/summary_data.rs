//! `RunSummary`: the plain data every reporting surface reads (job summary, annotations, step
//! outputs, PR comment, `--summary-md`).
//!
//! Owns only the shape. It is filled once, after a run (or a dry run), from the plan and the
//! receipts, so the renderers stay pure functions of it and are testable without a network.
//! Every string in here may be untrusted (test names and messages come from result files):
//! renderers escape or neutralise it, never this module.

use serde::Serialize;

use crate::model::{Counts, OutcomeKind};
use crate::secret::{Secret, scrub};

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
    /// Mapped Test keys that are not usable Tests, one line each (`CALC-9: not found; …`).
    pub stale_keys: Vec<String>,
    pub dry_run: bool,
    /// What went wrong or needs a person, shown first on every surface: unsent chunks with the
    /// command that sends them, stale keys, bad files. Any step may push here.
    pub problems: Vec<Problem>,
    /// Problems that did not stop the run, as plain lines (kept for callers that only have a
    /// line; renderers show them with `problems`).
    pub errors: Vec<String>,
    /// Where the JSON report was written, for the `report-path` output.
    pub report_path: Option<String>,
    /// Name of the CI artifact the JSON report is uploaded as (the Action's `report-artifact`),
    /// so "see the JSON report" says where to click.
    pub report_artifact: Option<String>,
    /// Link to the CI run, shown under the totals.
    pub run_url: Option<String>,
}

/// One thing that went wrong or needs a person, with the command that fixes it when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// One or a few sentences: what happened and what it cost.
    pub text: String,
    /// A command to run, shown verbatim in a code block (e.g. `xray-sync resend DIR`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl Problem {
    pub fn new(text: impl Into<String>) -> Problem {
        Problem {
            text: text.into(),
            command: None,
        }
    }

    pub fn with_command(text: impl Into<String>, command: impl Into<String>) -> Problem {
        Problem {
            text: text.into(),
            command: Some(command.into()),
        }
    }
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
    /// The Generic definition (`classname.name`), for the short class shown in tables.
    pub definition: String,
    pub xray_key: Option<String>,
    /// Browse link of the Xray Test, when the Jira site is known.
    pub xray_url: Option<String>,
    /// `Failed` or `Error`; errors are reported before failures.
    pub kind: OutcomeKind,
    /// First meaningful text of the failure: the message, or the details' first line.
    pub message: Option<String>,
    /// Repo-relative source file of the test, when the runner reported it.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The result file the test came from: the annotation anchor when `file` is unknown.
    pub result_file: Option<String>,
    /// The bug this failure is tracked in, and what this run did with it.
    pub bug: Option<BugRow>,
    /// Tries of this test in the results (1 for a plain failure).
    pub attempts: usize,
}

impl Default for FailureRow {
    /// A failed test with nothing known yet (tests fill in what they need).
    fn default() -> Self {
        FailureRow {
            name: String::new(),
            test_id: String::new(),
            definition: String::new(),
            xray_key: None,
            xray_url: None,
            kind: OutcomeKind::Failed,
            message: None,
            file: None,
            line: None,
            result_file: None,
            bug: None,
            attempts: 1,
        }
    }
}

impl FailureRow {
    /// The line the failure is listed by (`plan::message_line`: the first non-blank line,
    /// spaces collapsed, .NET's Expected / But was lines joined to it).
    pub fn message_line(&self) -> Option<String> {
        crate::plan::message_line(self.message.as_deref()?)
    }

    /// `CalcTest.adds`: the short class and the name, what a person recognises.
    pub fn short_title(&self) -> String {
        crate::plan::short_title(&self.definition, &self.name)
    }
}

/// What xray-sync did with one bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BugAction {
    Created,
    Commented,
    Reopened,
    Closed,
    /// Linked to the failing Test.
    Linked,
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
            (BugAction::Linked, false) => "linked",
            (BugAction::Linked, true) => "would link",
            (BugAction::AlreadyReported, _) => "already reported",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugRow {
    /// Bugs of tests that are not in `failures` (closed on pass, the umbrella issue) are listed
    /// on their own; the others show in their failure's row.
    pub action: BugAction,
    /// Absent in a dry run for a bug that does not exist yet.
    pub key: Option<String>,
    pub url: Option<String>,
    /// The test's name (or, for an umbrella issue, a short description).
    pub test: String,
}

impl RunSummary {
    /// Bug actions not shown in a failure's row (closed on pass, bugs of flaky tests, anything
    /// a failure row does not name): the renderers list these on their own.
    pub fn other_bugs(&self) -> Vec<&BugRow> {
        self.bugs
            .iter()
            .filter(|b| {
                !self.failures.iter().any(|f| {
                    f.bug.as_ref().is_some_and(|fb| match (&fb.key, &b.key) {
                        (Some(a), Some(k)) => a == k,
                        // A bug a dry run would create has no key yet: match by test.
                        (None, None) => fb.action == b.action && f.name == b.test,
                        (Some(_), None) | (None, Some(_)) => false,
                    })
                })
            })
            .collect()
    }

    /// Failed plus errored: the number the `failed` output and the exit code look at.
    pub fn failed_total(&self) -> usize {
        self.counts.failed + self.counts.error
    }

    pub fn bugs_with(&self, action: BugAction) -> usize {
        self.bugs.iter().filter(|b| b.action == action).count()
    }

    /// A copy with every known secret replaced by `***` in every string. Result files are
    /// untrusted: a test that printed a token would otherwise carry it into the summary file,
    /// the PR comment or a `--summary-md` artifact (GitHub masks only what it was told about,
    /// and other CI systems mask none of these files).
    pub fn scrubbed(&self, secrets: &[&Secret]) -> RunSummary {
        let mut copy = self.clone();
        copy.scrub(secrets);
        copy
    }

    /// [`RunSummary::scrubbed`] in place: a run with many failures is not held twice.
    pub fn scrub(&mut self, secrets: &[&Secret]) {
        let s = |t: &mut String| {
            if secrets.iter().any(|secret| t.contains(secret.expose())) {
                *t = scrub(t, secrets);
            }
        };
        let o = |t: &mut Option<String>| {
            if let Some(t) = t {
                s(t);
            }
        };
        let bug = |b: &mut BugRow| {
            let BugRow {
                action: _,
                key,
                url,
                test,
            } = b;
            o(key);
            o(url);
            s(test);
        };
        // Destructured, so a field added later cannot be left out unscrubbed.
        let RunSummary {
            counts: _,
            execution,
            failures,
            flaky,
            bugs,
            notes,
            stale_keys,
            dry_run: _,
            problems,
            errors,
            report_path,
            report_artifact,
            run_url,
        } = self;
        if let Some(ExecutionRef { key, url }) = execution {
            s(key);
            o(url);
        }
        for f in failures {
            let FailureRow {
                name,
                test_id,
                definition,
                xray_key,
                xray_url,
                kind: _,
                message,
                file,
                line: _,
                result_file,
                bug: failure_bug,
                attempts: _,
            } = f;
            for t in [name, test_id, definition] {
                s(t);
            }
            for t in [xray_key, xray_url, message, file, result_file] {
                o(t);
            }
            if let Some(b) = failure_bug {
                bug(b);
            }
        }
        flaky.iter_mut().for_each(s);
        bugs.iter_mut().for_each(bug);
        notes.iter_mut().for_each(s);
        stale_keys.iter_mut().for_each(s);
        for Problem { text, command } in problems {
            s(text);
            o(command);
        }
        errors.iter_mut().for_each(s);
        for t in [report_path, report_artifact, run_url] {
            o(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbed_removes_secrets_everywhere() {
        let secret = Secret::from("s3cr3t-token");
        let leak = "token=s3cr3t-token";
        let s = RunSummary {
            failures: vec![FailureRow {
                name: leak.into(),
                test_id: leak.into(),
                message: Some(leak.into()),
                result_file: Some(leak.into()),
                ..FailureRow::default()
            }],
            problems: vec![Problem::with_command(leak, leak)],
            flaky: vec![leak.into()],
            notes: vec![leak.into()],
            errors: vec![leak.into()],
            run_url: Some(leak.into()),
            ..RunSummary::default()
        };
        let text = serde_json::to_string(&s.scrubbed(&[&secret])).unwrap();
        assert!(!text.contains("s3cr3t-token"), "{text}");
        assert!(text.contains("token=***"));
    }
}
