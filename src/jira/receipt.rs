//! `JiraReceipt`: what bug filing did, for the report, the console and the Xray `defects`.
//!
//! Owns the record shapes only. Errors are serialized as kind + message (both already scrubbed
//! of secrets by the client), never with `Debug`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::ApiError;
use crate::plan::IssueKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    Created,
    Commented,
    Linked,
    ClosedAsDuplicate,
    ClosedOnPass,
    Reopened,
    /// This job created the bug too, but a parallel job's create survived convergence: the
    /// action names the surviving bug (this job's own was closed as its duplicate).
    FiledByParallelJob,
    Skipped,
    WouldCreate,
    WouldComment,
    WouldReopen,
    WouldClose,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Created => "created",
            ActionKind::Commented => "commented",
            ActionKind::Linked => "linked",
            ActionKind::ClosedAsDuplicate => "closed as duplicate",
            ActionKind::ClosedOnPass => "closed on pass",
            ActionKind::Reopened => "reopened",
            ActionKind::FiledByParallelJob => "reported by a parallel job as",
            ActionKind::Skipped => "skipped",
            ActionKind::WouldCreate => "would create",
            ActionKind::WouldComment => "would comment on",
            ActionKind::WouldReopen => "would reopen",
            ActionKind::WouldClose => "would close",
        }
    }
}

/// One thing done (or, in a dry run, that would be done) to one issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugAction {
    pub kind: ActionKind,
    /// Index into `Plan::tests`; `None` for the umbrella issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_id: Option<String>,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<IssueKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The other issue involved (`duplicate of CALC-1`, `Relates → CALC-3`) or why skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl BugAction {
    /// One console line: `created CALC-12 for pkg.Test.name (duplicate of …)`.
    pub fn line(&self) -> String {
        let mut s = self.kind.as_str().to_string();
        if let Some(k) = &self.key {
            s.push(' ');
            s.push_str(k.as_str());
        } else if matches!(self.kind, ActionKind::WouldCreate) {
            s.push_str(" a bug");
        }
        match &self.test_id {
            Some(t) => s.push_str(&format!(" for {t}")),
            None => s.push_str(" (umbrella issue)"),
        }
        if let Some(d) = &self.detail {
            s.push_str(&format!(": {d}"));
        }
        s
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JiraReceipt {
    pub actions: Vec<BugAction>,
    /// Test index → the bug(s) now tracking it (for the Xray test run's `defects`).
    pub bug_keys: BTreeMap<usize, Vec<IssueKey>>,
    pub errors: Vec<ApiError>,
}

impl JiraReceipt {
    pub fn count(&self, kind: ActionKind) -> usize {
        self.actions.iter().filter(|a| a.kind == kind).count()
    }
}

impl Serialize for JiraReceipt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Error<'a> {
            kind: crate::error::ErrorKind,
            service: String,
            message: String,
            doctor_check: &'a str,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            actions: &'a [BugAction],
            bug_keys: &'a BTreeMap<usize, Vec<IssueKey>>,
            errors: Vec<Error<'a>>,
        }
        Out {
            actions: &self.actions,
            bug_keys: &self.bug_keys,
            errors: self
                .errors
                .iter()
                .map(|e| Error {
                    kind: e.kind(),
                    service: e.service().to_string(),
                    message: e.to_string(),
                    doctor_check: e.doctor_check(),
                })
                .collect(),
        }
        .serialize(s)
    }
}
