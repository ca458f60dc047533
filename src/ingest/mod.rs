//! PLACEHOLDER for the ingest layer (issue 2), built in another branch and replaced at merge.
//!
//! Exposes only the interface `run` and `parse` call. `collect` returns an empty run; nothing
//! here is tested, and nothing should be built on it.

use std::io::Write;

use crate::model::{InputError, TestRun};

/// What to read and how strictly.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    pub patterns: Vec<String>,
    pub allow_empty: bool,
    pub strict: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("no result files matched {}", patterns.join(", "))]
    NoResults { patterns: Vec<String> },
    #[error("{} bad input file(s): {}", errors.len(), errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    BadInput { errors: Vec<InputError> },
}

/// Placeholder: the real implementation expands the patterns and parses every file.
pub fn collect(_options: &InputOptions) -> Result<TestRun, IngestError> {
    Ok(TestRun::default())
}

/// Placeholder: the real implementation prints per-file formats and counts (or JSON).
pub fn print_parse(_run: &TestRun, _json: bool, _out: &mut dyn Write) -> std::io::Result<()> {
    Ok(())
}
