//! `xray-sync run`: ingest → plan → (dry run: print and write the plan | send).
//!
//! Owns the order of the steps and which outputs are written. Sending is behind [`execute`],
//! the seam where the Xray uploader and Jira reconciler are plugged in; in this branch it
//! refuses, so only `--dry-run` works.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::cli::RunArgs;
use crate::ingest::{self, IngestError, InputOptions};
use crate::plan::{self, Plan, PlanError};
use crate::report::console;
use crate::settings::{self, Settings, SettingsError};

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
    /// The executors are not part of this build.
    #[error("{0}")]
    NotBuilt(&'static str),
}

/// What a finished run tells `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// Some test failed or errored.
    pub tests_failed: bool,
    pub fail_on_test_failure: bool,
}

pub fn run(
    args: &RunArgs,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> Result<RunOutcome, RunError> {
    let dry_run = args.dry_run.unwrap_or(false);
    let mut settings_args = args.settings.clone();
    settings_args.json = args.json;
    let (settings, _trace) = settings::load(&settings_args, &args.input, dry_run, env)?;
    let results = ingest::collect(&InputOptions {
        patterns: settings.inputs.patterns.clone(),
        allow_empty: settings.inputs.allow_empty,
        strict: settings.inputs.strict,
    })?;
    let plan = plan::build(&results, &settings)?;
    if let Some(path) = &settings.output.plan_json {
        write_plan_file(&plan, path)?;
    }
    if dry_run {
        console::render_dry_run(&plan, &settings, out).map_err(|source| RunError::Output {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    } else {
        execute(&plan, &settings)?;
    }
    Ok(RunOutcome {
        tests_failed: plan.counts.failed + plan.counts.error > 0,
        fail_on_test_failure: settings.output.fail_on_test_failure,
    })
}

/// Writes `--plan-json`.
pub fn write_plan_file(plan: &Plan, path: &std::path::Path) -> Result<(), RunError> {
    let wrap = |source| RunError::Output {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::io::BufWriter::new(fs::File::create(path).map_err(wrap)?);
    plan::json::write_plan_json(plan, &mut file).map_err(wrap)?;
    file.flush().map_err(wrap)
}

/// Carries the plan out: Xray import, then Jira reconciliation. Replaced at merge by the real
/// executors (issues for the uploader and the bug filer).
fn execute(_plan: &Plan, _settings: &Settings) -> Result<(), RunError> {
    Err(RunError::NotBuilt(
        "uploader not built in this branch: only `run --dry-run` works here",
    ))
}
