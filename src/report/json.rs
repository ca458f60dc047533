//! The JSON report (`--report FILE`): what a run did, for machines. Schema in
//! README.md (section "Xray upload"); `version` changes when a field changes meaning or goes away.
//!
//! Owns the report's shape and writing it. The Xray part is the uploader's `XrayReceipt` as is;
//! the Jira part (`bugs`) is filled by the run orchestration from the Jira receipt. Nothing here
//! holds a credential: receipts carry scrubbed error text only.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::jira::receipt::{BugAction, JiraReceipt};
use crate::model::Counts;
use crate::xray::upload::XrayReceipt;

pub const REPORT_VERSION: u32 = 1;

/// Lives in `error` so the uploader can record it without depending on the report.
pub use crate::error::ReportError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub version: u32,
    pub counts: Counts,
    /// `null` when Xray was not configured or the run was a dry run.
    pub xray: Option<XrayReceipt>,
    /// Every bug action (created, commented, linked, closed-as-duplicate, closed-on-pass,
    /// reopened, skipped, and the would-… forms of a dry run), with keys.
    pub bugs: Vec<BugAction>,
    /// Nothing was sent: the counts and bug actions say what would happen.
    pub dry_run: bool,
    /// One line per decision worth telling (a side skipped, results left out).
    pub notes: Vec<String>,
    /// Every error of the run, Xray's included.
    pub errors: Vec<ReportError>,
    /// Set when the run stopped early (`SIGTERM`, `SIGINT`, the run deadline): why, and what
    /// was and was not sent. Absent on a run that went to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
}

/// An early stop, as the report tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stopped {
    /// `SIGTERM`, `SIGINT` or the run deadline.
    pub reason: String,
    /// What was and was not sent, one line each.
    pub lines: Vec<String>,
}

impl Report {
    pub fn new(counts: Counts) -> Report {
        Report {
            version: REPORT_VERSION,
            counts,
            xray: None,
            bugs: Vec::new(),
            dry_run: false,
            notes: Vec::new(),
            errors: Vec::new(),
            stopped: None,
        }
    }

    /// Puts the Xray receipt in, copying its errors to the run-level list.
    pub fn with_xray(mut self, receipt: XrayReceipt) -> Report {
        self.errors.extend(receipt.errors.iter().cloned());
        self.xray = Some(receipt);
        self
    }

    /// Puts the Jira receipt in: its actions become `bugs`, its errors join the run-level list.
    pub fn with_jira(mut self, receipt: JiraReceipt) -> Report {
        self.errors
            .extend(receipt.errors.iter().map(ReportError::from_api));
        self.bugs = receipt.actions;
        self
    }

    pub fn to_json(&self) -> String {
        // Our own types with string keys: serializing cannot fail.
        crate::pretty_json::to_string(self).unwrap_or_default()
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = self.to_json() + "\n";
        crate::outfile::write(path, bytes.as_bytes(), crate::outfile::PUBLIC_MODE)
            .with_context(|| format!("writing the report {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use crate::settings::Product;

    #[test]
    fn report_shape() {
        let mut receipt = XrayReceipt::new(Product::Cloud);
        receipt
            .errors
            .push(ReportError::from_api(&ApiError::Rejected {
                service: crate::error::Service::Xray,
                status: 400,
                detail: "Test with key CALC-9 not found".into(),
            }));
        let report = Report::new(Counts::default()).with_xray(receipt);
        let v: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["xray"]["product"], "cloud");
        assert_eq!(v["errors"][0]["kind"], "bad-input");
        // An import refused for a missing key is explained by xray.keys (issue 12).
        assert_eq!(v["errors"][0]["doctor_check"], "xray.keys");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("CALC-9 not found")
        );
        assert_eq!(v["bugs"], serde_json::json!([]));
    }
}
