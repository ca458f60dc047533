//! The doctor's report: one `Check` per line, in the order they ran, rendered for humans or as
//! JSON, plus the exit code.
//!
//! Owns the check ids (the same ids `ApiError::doctor_check` names), the shape of a result and
//! the rendering. Knows nothing about how a check decides.
//!
//! Exit code: 0 only when every check passed (a warning is a pass with advice). A failed check
//! makes it 1, and so does a skipped one: doctor cannot vouch for what it did not check, so a
//! setup with Jira or Xray left unconfigured never looks green. The skipped line says why.

use serde::Serialize;

use crate::error::ErrorKind;

/// The check ids, in the order they run. `ApiError::doctor_check` returns these.
pub mod ids {
    pub const SETTINGS: &str = "settings";
    pub const INPUTS: &str = "inputs";
    pub const XRAY_AUTH: &str = "xray.auth";
    pub const XRAY_PROJECT: &str = "xray.project";
    pub const XRAY_KEYS: &str = "xray.keys";
    pub const XRAY_TEST_PLAN: &str = "xray.test-plan";
    pub const XRAY_ENVIRONMENTS: &str = "xray.environments";
    pub const XRAY_STATUSES: &str = "xray.statuses";
    pub const XRAY_EXECUTION_FIELDS: &str = "xray.execution-fields";
    pub const XRAY_TEST_SETS: &str = "xray.test-sets";
    pub const XRAY_FOLDER: &str = "xray.folder";
    pub const JIRA_SERVER: &str = "jira.server";
    pub const JIRA_MYSELF: &str = "jira.myself";
    pub const JIRA_PROJECT: &str = "jira.project";
    pub const JIRA_PERMISSIONS: &str = "jira.permissions";
    pub const JIRA_ISSUE_TYPE: &str = "jira.issue-type";
    pub const JIRA_LINK_TYPES: &str = "jira.link-types";
    /// Only with `--send-test-issue`.
    pub const JIRA_TEST_ISSUE: &str = "jira.test-issue";

    /// The one-line title of a check, for humans.
    pub fn title(id: &str) -> &'static str {
        match id {
            SETTINGS => "settings complete and consistent",
            INPUTS => "result paths match files that parse",
            XRAY_AUTH => "Xray accepts the credentials",
            XRAY_PROJECT => "Xray project has the Test and Test Execution issue types",
            XRAY_KEYS => "Test keys in the results are Tests of the project",
            XRAY_TEST_PLAN => "test plan exists and is a Test Plan",
            XRAY_ENVIRONMENTS => "test environments exist",
            XRAY_STATUSES => "status names are valid",
            XRAY_EXECUTION_FIELDS => {
                "Test Execution create screen: required fields filled, given fields exist"
            }
            XRAY_FOLDER => "the Test Repository can be read, so the run can place Tests in folders",
            JIRA_SERVER => "Jira answers at the base URL",
            JIRA_MYSELF => "Jira accepts the credentials",
            JIRA_PROJECT => "bug project is browsable",
            JIRA_PERMISSIONS => "project permissions",
            JIRA_ISSUE_TYPE => "bug issue type and its required fields",
            JIRA_LINK_TYPES => "configured link types exist",
            JIRA_TEST_ISSUE => "a test issue can be filed and closed",
            _ => "check",
        }
    }

    /// Every id, in run order.
    pub const ALL: &[&str] = &[
        SETTINGS,
        INPUTS,
        XRAY_AUTH,
        XRAY_PROJECT,
        XRAY_KEYS,
        XRAY_TEST_PLAN,
        XRAY_ENVIRONMENTS,
        XRAY_STATUSES,
        XRAY_EXECUTION_FIELDS,
        XRAY_TEST_SETS,
        XRAY_FOLDER,
        JIRA_SERVER,
        JIRA_MYSELF,
        JIRA_PROJECT,
        JIRA_PERMISSIONS,
        JIRA_ISSUE_TYPE,
        JIRA_LINK_TYPES,
        JIRA_TEST_ISSUE,
    ];
}

/// How one check ended. Only a failure carries a kind; a pass carries no message of blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Works, but something deserves attention. Counts as passed.
    Warn {
        message: String,
        fix: String,
    },
    Fail {
        kind: ErrorKind,
        message: String,
        fix: String,
    },
    /// Not run: its side is not configured (or switched off), no result files were given, or a
    /// check it needs failed (then that check is the report's failure).
    Skipped {
        reason: String,
    },
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    #[serde(flatten)]
    pub status: Status,
    /// What was found (on a pass: the identity, the counts, the server version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    pub fn pass(id: &'static str, detail: impl Into<String>) -> Check {
        Check {
            id,
            title: ids::title(id),
            status: Status::Pass,
            detail: Some(detail.into()),
        }
    }

    pub fn warn(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            id,
            title: ids::title(id),
            status: Status::Warn {
                message: message.into(),
                fix: fix.into(),
            },
            detail: None,
        }
    }

    pub fn fail(
        id: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            id,
            title: ids::title(id),
            status: Status::Fail {
                kind,
                message: message.into(),
                fix: fix.into(),
            },
            detail: None,
        }
    }

    pub fn skipped(id: &'static str, reason: impl Into<String>) -> Check {
        Check {
            id,
            title: ids::title(id),
            status: Status::Skipped {
                reason: reason.into(),
            },
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Check {
        self.detail = Some(detail.into());
        self
    }

    /// Passed, possibly with a warning.
    pub fn passed(&self) -> bool {
        match self.status {
            Status::Pass | Status::Warn { .. } => true,
            Status::Fail { .. } | Status::Skipped { .. } => false,
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.status, Status::Fail { .. })
    }

    /// The message a failure or warning carries.
    pub fn message(&self) -> Option<&str> {
        match &self.status {
            Status::Fail { message, .. } | Status::Warn { message, .. } => Some(message),
            Status::Pass | Status::Skipped { .. } => None,
        }
    }

    pub fn fix(&self) -> Option<&str> {
        match &self.status {
            Status::Fail { fix, .. } | Status::Warn { fix, .. } => Some(fix),
            Status::Pass | Status::Skipped { .. } => None,
        }
    }

    fn tag(&self) -> &'static str {
        match self.status {
            Status::Pass => "PASS",
            Status::Warn { .. } => "WARN",
            Status::Fail { .. } => "FAIL",
            Status::Skipped { .. } => "SKIP",
        }
    }
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub warned: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Everything `doctor` found, in run order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
    /// The key of the issue `--send-test-issue` created, when it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_issue: Option<String>,
}

impl DoctorReport {
    /// True when no check failed. A skipped check does not fail the report by itself: it was
    /// either not asked for (a side that is not configured, no result files given) or it needs a
    /// check that failed, and that failure already decides.
    pub fn ok(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }

    /// 0 when [`DoctorReport::ok`], else 1.
    pub fn exit_code(&self) -> u8 {
        if self.ok() { 0 } else { 1 }
    }

    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The first failed check: the line to read first.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.failed())
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.checks {
            match c.status {
                Status::Pass => s.passed += 1,
                Status::Warn { .. } => s.warned += 1,
                Status::Fail { .. } => s.failed += 1,
                Status::Skipped { .. } => s.skipped += 1,
            }
        }
        s
    }

    /// Plain lines, one per check, each failure and warning followed by its fix. No colour and
    /// no box drawing, so CI logs read the same as a terminal.
    pub fn to_human(&self) -> String {
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        let mut out = String::new();
        for c in &self.checks {
            let text = match &c.status {
                Status::Pass => c.detail.clone().unwrap_or_else(|| c.title.to_string()),
                Status::Warn { message, .. } | Status::Fail { message, .. } => message.clone(),
                Status::Skipped { reason } => format!("({reason})"),
            };
            out.push_str(&format!("{} {:<width$}  {text}\n", c.tag(), c.id));
            if let Some(fix) = c.fix() {
                out.push_str(&format!("     {:<width$}  fix: {fix}\n", ""));
            }
            if !matches!(c.status, Status::Pass)
                && let Some(detail) = &c.detail
            {
                out.push_str(&format!("     {:<width$}  {detail}\n", ""));
            }
        }
        let s = self.summary();
        out.push_str(&format!(
            "doctor: {} passed, {} warned, {} failed, {} skipped",
            s.passed, s.warned, s.failed, s.skipped
        ));
        match self.first_failure() {
            Some(c) => out.push_str(&format!(" (first failure: {})\n", c.id)),
            None => out.push('\n'),
        }
        if let Some(key) = &self.test_issue {
            out.push_str(&format!("test issue: {key}\n"));
        }
        out
    }

    /// What the command prints: JSON (pretty) with `--json`, else the human lines.
    pub fn render(&self, json: bool) -> String {
        if json {
            let mut text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
            text.push('\n');
            text
        } else {
            self.to_human()
        }
    }

    /// The `--json` document: `{"ok", "summary", "checks": [...], "test_issue"?}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": self.ok(),
            "exit_code": self.exit_code(),
            "summary": self.summary(),
            "checks": self.checks,
            "test_issue": self.test_issue,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> DoctorReport {
        DoctorReport {
            checks: vec![
                Check::pass(ids::SETTINGS, "Cloud Xray + Cloud Jira"),
                Check::fail(
                    ids::XRAY_AUTH,
                    ErrorKind::AuthRejected,
                    "Xray rejected the client id/secret",
                    "create a new API key",
                ),
                Check::skipped(ids::XRAY_PROJECT, "needs xray.auth"),
                Check::warn(ids::JIRA_SERVER, "old", "upgrade"),
            ],
            test_issue: None,
        }
    }

    #[test]
    fn skipped_alone_is_not_a_failure_and_a_failure_always_is() {
        let r = DoctorReport {
            checks: vec![
                Check::pass(ids::SETTINGS, "ok"),
                Check::skipped(ids::XRAY_AUTH, "not configured"),
            ],
            test_issue: None,
        };
        assert!(!r.checks[1].passed(), "skipped is never passed");
        assert!(r.ok());
        assert_eq!(r.exit_code(), 0);
        assert_eq!(r.first_failure(), None);
        assert!(r.to_human().contains("SKIP xray.auth  (not configured)"));
        let failed = report();
        assert_eq!(failed.exit_code(), 1);
        let all_pass = DoctorReport {
            checks: vec![
                Check::pass(ids::SETTINGS, "ok"),
                Check::warn(ids::JIRA_SERVER, "m", "f"),
            ],
            test_issue: None,
        };
        assert_eq!(all_pass.exit_code(), 0);
    }

    #[test]
    fn human_output_has_one_line_per_check_and_the_fix_under_failures() {
        let text = report().to_human();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("PASS settings "), "{text}");
        assert!(lines[1].starts_with("FAIL xray.auth "), "{text}");
        assert!(lines[1].ends_with("Xray rejected the client id/secret"));
        assert!(
            lines[2]
                .trim_start()
                .starts_with("fix: create a new API key")
        );
        assert!(lines[3].ends_with("(needs xray.auth)"), "{text}");
        assert!(lines[4].starts_with("WARN jira.server"));
        assert!(
            text.ends_with(
                "doctor: 1 passed, 1 warned, 1 failed, 1 skipped (first failure: xray.auth)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn json_shape_is_flat_per_check() {
        let v = report().to_json();
        assert_eq!(v["ok"], false);
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["summary"]["failed"], 1);
        assert_eq!(v["checks"][1]["id"], "xray.auth");
        assert_eq!(v["checks"][1]["status"], "fail");
        assert_eq!(v["checks"][1]["kind"], "auth-rejected");
        assert_eq!(v["checks"][2]["status"], "skipped");
        assert_eq!(v["checks"][2]["reason"], "needs xray.auth");
        assert_eq!(v["checks"][0]["detail"], "Cloud Xray + Cloud Jira");
        let printed: serde_json::Value = serde_json::from_str(&report().render(true)).unwrap();
        assert_eq!(printed, v);
    }
}
