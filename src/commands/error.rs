//! `RunError`: how a pipeline command (`run`, `execution create` / `finish`) fails, by the kind
//! `main` maps to an exit code. Below the commands, so they share it without a cycle.

use std::path::PathBuf;

use crate::ingest::IngestError;
use crate::plan::PlanError;
use crate::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Input(#[from] IngestError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("writing {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("setting up HTTP: {0:#}")]
    Http(anyhow::Error),
    /// Neither side is configured for a real run: doing nothing and exiting 0 would hide a
    /// misconfiguration.
    #[error(
        "nothing to send: neither Xray nor Jira is configured ({}); set {} or {} and credentials, or preview with --dry-run",
        .0.join("; "),
        crate::settings::credentials::set(crate::settings::credentials::Scheme::XrayCloudKey).joined(),
        crate::cli::env::JIRA_URL
    )]
    NothingToDo(Vec<String>),
    /// `strict_keys` and some mapped Test keys are not Tests of the project: nothing was sent.
    #[error("{}", .0.join("\n"))]
    StaleKeys(Vec<String>),
    /// Xray or Jira refused or could not be reached; reports are written, unsent results are
    /// spooled. One line per error.
    #[error("{}", .0.join("\n"))]
    Remote(Vec<String>),
    /// A signal or the run deadline stopped the run early; reports are written and unsent
    /// results are spooled. The lines say what was and was not sent.
    #[error("{}", .lines.join("\n"))]
    Stopped {
        reason: crate::stop::StopReason,
        lines: Vec<String>,
    },
}
