//! GitHub Actions surfaces: the job summary, error annotations, step outputs and masks.
//!
//! Owns what the binary writes for the runner: `$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT` and
//! workflow commands on stdout. Everything here is a function of a [`RunSummary`] and of paths
//! handed in as a [`GithubEnv`]; the environment itself is read by the CLI, not here. The PR
//! comment lives in [`pr_comment`] (the only network call), escaping in [`commands`].
//!
//! Order matters on the runner: call [`emit_masks`] before printing anything else, then
//! [`publish`] at the end of the run.

pub mod commands;
pub mod pr_comment;

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use commands::{ENDGROUP, group, mask_commands, neutralise};

use crate::model::OutcomeKind;
use crate::report::markdown::{JOB_SUMMARY_MAX_BYTES, job_summary_markdown};
use crate::report::summary_data::{BugAction, FailureRow, RunSummary};
use crate::secret::Secret;
use crate::untrusted::{MAX_LINE_BYTES, one_line};
use commands::{Level, Location, annotation};

/// Every step output the binary writes; `action.yml` declares exactly these
/// (tests/integration/action_yml.rs checks it).
pub const OUTPUT_NAMES: &[&str] = &[
    "test-execution-key",
    "total",
    "passed",
    "failed",
    "skipped",
    "flaky",
    "bugs-created",
    "bugs-commented",
    "report-path",
];

/// Annotations per job GitHub shows; the rest would only clutter the log.
pub const ANNOTATION_LIMIT: usize = 50;

/// Longest failure message put in an annotation, in bytes (GitHub allows 64 KB; the summary
/// and the report carry the rest).
const ANNOTATION_MESSAGE_BYTES: usize = 4096;

/// The runner's files, as the CLI found them in the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubEnv {
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`.
    pub output: Option<PathBuf>,
    /// `GITHUB_API_URL` (`https://api.github.com`, or GHES's `/api/v3`).
    pub api_url: Option<String>,
    /// `GITHUB_REPOSITORY` (`owner/repo`).
    pub repository: Option<String>,
}

impl GithubEnv {
    /// Reads the variables through `get` (the CLI passes `std::env::var`), so this module never
    /// touches the process environment itself. Empty values count as unset.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let path = |name: &str| get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let text = |name: &str| get(name).filter(|v| !v.is_empty());
        GithubEnv {
            step_summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
            api_url: text("GITHUB_API_URL"),
            repository: text("GITHUB_REPOSITORY"),
        }
    }

    /// Where the PR comment goes, when this run is for a pull request (`CiContext::pr_number`)
    /// and a token is set. `api_url` defaults to `https://api.github.com`.
    pub fn pr_target(
        &self,
        pr_number: Option<u64>,
        token: Option<&Secret>,
        job_key: Option<&str>,
    ) -> Option<pr_comment::PrTarget> {
        let token = token.filter(|t| !t.is_empty())?;
        Some(pr_comment::PrTarget {
            api_url: self
                .api_url
                .clone()
                .unwrap_or_else(|| "https://api.github.com".to_string()),
            repository: self.repository.clone()?,
            pr_number: pr_number?,
            token: token.clone(),
            job_key: job_key.map(str::to_string),
        })
    }
}

/// Writes the `::add-mask::` lines and flushes. Call first, before any other output.
pub fn emit_masks(out: &mut impl Write, secrets: &[&Secret]) -> io::Result<()> {
    for line in mask_commands(secrets) {
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// The step outputs, in [`OUTPUT_NAMES`] order. `failed` counts errored tests too.
pub fn outputs(s: &RunSummary) -> Vec<(&'static str, String)> {
    let c = &s.counts;
    vec![
        (
            "test-execution-key",
            s.execution
                .as_ref()
                .map(|e| e.key.clone())
                .unwrap_or_default(),
        ),
        ("total", c.total.to_string()),
        ("passed", c.passed.to_string()),
        ("failed", s.failed_total().to_string()),
        ("skipped", c.skipped.to_string()),
        ("flaky", c.flaky.to_string()),
        ("bugs-created", s.bugs_with(BugAction::Created).to_string()),
        (
            "bugs-commented",
            s.bugs_with(BugAction::Commented).to_string(),
        ),
        ("report-path", s.report_path.clone().unwrap_or_default()),
    ]
}

/// Appends outputs to a `$GITHUB_OUTPUT` file. Single-line values use `name=value`; a value
/// with a line break uses `name<<DELIM` … `DELIM` with a random delimiter that does not occur
/// anywhere in the value.
pub fn write_outputs(path: &Path, outputs: &[(&str, &str)]) -> io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        if name.is_empty() || name.contains(['=', '<', '\r', '\n']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid step output name {name:?}"),
            ));
        }
        if value.contains(['\r', '\n']) {
            let delimiter = loop {
                let d = format!("ghadelimiter_{}", commands::random_token());
                if !value.contains(&d) {
                    break d;
                }
            };
            text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            text.push_str(&format!("{name}={value}\n"));
        }
    }
    append(path, &text)
}

/// Error annotations for failed tests, errors first, at most `limit` lines in all: when there
/// are more failures, the last line is a warning saying how many were left out.
pub fn annotations(s: &RunSummary, limit: usize) -> Vec<String> {
    if limit == 0 || s.failures.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<&FailureRow> = s.failures.iter().collect();
    rows.sort_by_key(|f| f.kind != OutcomeKind::Error);
    let room = if rows.len() > limit { limit - 1 } else { limit };
    let mut out: Vec<String> = rows
        .iter()
        .take(room)
        .map(|f| failure_annotation(f))
        .collect();
    if rows.len() > room {
        out.push(annotation(
            Level::Warning,
            &Location {
                title: Some("xray-sync"),
                ..Location::default()
            },
            &format!(
                "{} more failed tests are not annotated; see the job summary.",
                rows.len() - room
            ),
        ));
    }
    out
}

/// An `::error` annotation for a result file that could not be read, pointing at the file and
/// line, saying what was kept from it (untrusted text is neutralised by `annotation`).
pub fn bad_file_annotation(error: &crate::model::InputError, salvaged: usize) -> String {
    let file = error.path.display().to_string();
    annotation(
        Level::Error,
        &Location {
            file: Some(&file),
            line: error.line.and_then(|l| u32::try_from(l).ok()),
            title: Some("xray-sync: result file not read"),
        },
        &error.describe(salvaged),
    )
}

fn failure_annotation(f: &FailureRow) -> String {
    // The test's own source line when the runner reported it, else the result file.
    let (file, line) = match (&f.file, &f.result_file) {
        (Some(file), _) => (Some(file.as_str()), f.line),
        (None, Some(result)) => (Some(result.as_str()), None),
        (None, None) => (None, None),
    };
    let verb = match f.kind {
        OutcomeKind::Error => "errored",
        OutcomeKind::Failed | OutcomeKind::Passed | OutcomeKind::Skipped => "failed",
    };
    let title = match &f.xray_key {
        Some(key) => format!("{} {verb} ({key})", f.name),
        None => format!("{} {verb}", f.name),
    };
    let mut message = f
        .message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or("(no failure message)")
        .to_string();
    cut(&mut message, ANNOTATION_MESSAGE_BYTES);
    annotation(
        Level::Error,
        &Location {
            file,
            line,
            title: Some(&title),
        },
        &message,
    )
}

fn cut(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push_str(" […]");
    }
}

/// Writes the job summary to a file. On GitHub it is appended (`>>` semantics: other tools in
/// the same step keep theirs); for `--summary-md FILE` use [`write_summary_md`]. Known secrets
/// are scrubbed from the text first.
pub fn append_summary(path: &Path, s: &RunSummary, secrets: &[&Secret]) -> io::Result<()> {
    append(
        path,
        &job_summary_markdown(&s.scrubbed(secrets), JOB_SUMMARY_MAX_BYTES),
    )
}

/// `--summary-md FILE`: the same Markdown, replacing the file (any CI; nothing masks it there,
/// so known secrets are scrubbed).
pub fn write_summary_md(path: &Path, s: &RunSummary, secrets: &[&Secret]) -> io::Result<()> {
    let text = job_summary_markdown(&s.scrubbed(secrets), JOB_SUMMARY_MAX_BYTES);
    crate::outfile::write(path, text.as_bytes(), crate::outfile::PUBLIC_MODE)
        .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", path.display())))
}

/// Everything at the end of a run on GitHub: annotations on `out`, the job summary, the step
/// outputs, all with known secrets scrubbed. Masks must already have been emitted
/// ([`emit_masks`]).
pub fn publish(
    env: &GithubEnv,
    s: &RunSummary,
    secrets: &[&Secret],
    out: &mut impl Write,
) -> io::Result<()> {
    let s = &s.scrubbed(secrets);
    for line in annotations(s, ANNOTATION_LIMIT) {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    if let Some(path) = &env.step_summary {
        append(path, &job_summary_markdown(s, JOB_SUMMARY_MAX_BYTES))?;
    }
    if let Some(path) = &env.output {
        let values = outputs(s);
        let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        write_outputs(path, &pairs)?;
    }
    Ok(())
}

/// Failure details as plain log lines inside one collapsed group, every untrusted line
/// neutralised. At most `max` tests are listed.
pub fn failure_log(s: &RunSummary, max: usize) -> Vec<String> {
    if s.failures.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![group(&format!(
        "xray-sync: {} failed tests",
        s.failures.len()
    ))];
    for f in s.failures.iter().take(max) {
        lines.push(format!(
            "✗ {} [{}]",
            one_line(&f.name, MAX_LINE_BYTES),
            one_line(&f.test_id, MAX_LINE_BYTES)
        ));
        if let Some(m) = &f.message {
            let mut m = m.clone();
            cut(&mut m, ANNOTATION_MESSAGE_BYTES);
            for l in m.lines() {
                lines.push(format!("    {}", neutralise(l)));
            }
        }
    }
    if s.failures.len() > max {
        lines.push(format!("… {} more", s.failures.len() - max));
    }
    lines.push(ENDGROUP.to_string());
    lines
}

fn append(path: &Path, text: &str) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("opening {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_match_the_declared_names() {
        let names: Vec<&str> = outputs(&RunSummary::default())
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(names, OUTPUT_NAMES);
    }

    #[test]
    fn env_ignores_empty_values() {
        let env = GithubEnv::from_vars(|n| match n {
            "GITHUB_OUTPUT" => Some("/tmp/o".into()),
            _ => Some(String::new()),
        });
        assert_eq!(env.output.as_deref(), Some(Path::new("/tmp/o")));
        assert_eq!(env.step_summary, None);
        assert_eq!(env.repository, None);
    }

    #[test]
    fn pr_target_needs_repository_number_and_token() {
        let env = GithubEnv {
            repository: Some("acme/app".into()),
            ..GithubEnv::default()
        };
        let token = Secret::from("ghs_x");
        let t = env.pr_target(Some(7), Some(&token), None).unwrap();
        assert_eq!(t.api_url, "https://api.github.com");
        assert_eq!(t.pr_number, 7);
        assert!(env.pr_target(None, Some(&token), None).is_none());
        assert!(env.pr_target(Some(7), None, None).is_none());
        assert!(
            GithubEnv::default()
                .pr_target(Some(7), Some(&token), None)
                .is_none()
        );
    }

    #[test]
    fn rejects_bad_output_names() {
        let dir = std::env::temp_dir().join(format!("xs-out-{}", commands::random_token()));
        assert!(write_outputs(&dir, &[("a=b", "x")]).is_err());
        assert!(!dir.exists());
    }
}
