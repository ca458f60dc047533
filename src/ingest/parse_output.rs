//! What `xray-sync parse PATTERN... [--json]` prints: per file its format and test count (or why
//! it was skipped, or its error), Allure side files as one count, then totals by outcome.
//! With `--json`, the whole `TestRun` (every `TestCase` and file report) as pretty JSON.
//!
//! Plain lines only (no colour, no terminal tricks): this output is read on CI logs and diffed
//! by tests.

use std::io::{self, Write};

use super::allure::ALLURE_SIDE_FILE;
use crate::model::{FileStatus, TestRun};

/// Prints `run` to `out`, as text or as JSON.
pub fn print_parse(run: &TestRun, json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        crate::pretty_json::to_writer(&mut *out, run).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let mut side_files = 0usize;
    for file in &run.files {
        let path = file.path.display();
        match &file.status {
            FileStatus::Parsed { format, tests } => {
                let plural = if *tests == 1 { "" } else { "s" };
                writeln!(out, "{path}: {} ({tests} test{plural})", format.as_str())?;
            }
            FileStatus::Skipped { reason } if reason.starts_with(ALLURE_SIDE_FILE) => {
                side_files += 1;
                // A side file with something to say (a refused attachment) still gets a line.
                if !file.notes.is_empty() {
                    writeln!(out, "{path}: {reason}")?;
                }
            }
            FileStatus::Skipped { reason } => writeln!(out, "{path}: skipped: {reason}")?,
            FileStatus::Failed { error, salvaged } => {
                let at = match (error.line, error.offset) {
                    (Some(line), _) => format!(":{line}"),
                    (None, Some(offset)) => format!(" (byte {offset})"),
                    (None, None) => String::new(),
                };
                writeln!(out, "{path}{at}: error: {}", error.message)?;
                if *salvaged > 0 {
                    writeln!(out, "  {salvaged} test(s) read before the error were kept:")?;
                    list_salvaged(run, &file.path, out)?;
                }
            }
        }
        for note in &file.notes {
            writeln!(out, "  note: {note}")?;
        }
    }
    if side_files > 0 {
        writeln!(
            out,
            "{side_files} Allure side file(s) skipped (containers, attachments, metadata)"
        )?;
    }
    let c = run.counts();
    let bad = run.failed_files().count();
    write!(
        out,
        "total: {} test(s): {} passed ({} flaky), {} failed, {} error, {} skipped",
        c.total, c.passed, c.flaky, c.failed, c.error, c.skipped
    )?;
    if bad > 0 {
        write!(out, "; {bad} file(s) could not be read")?;
    }
    writeln!(out)
}

/// Most tests listed under one bad file; the rest are counted.
const SALVAGED_SHOWN: usize = 20;

/// The tests with an attempt read from `path`, one line each.
fn list_salvaged(run: &TestRun, path: &std::path::Path, out: &mut dyn Write) -> io::Result<()> {
    let from_file = run
        .cases
        .iter()
        .filter(|c| c.attempts.iter().any(|a| *a.source.path == *path));
    for (shown, case) in from_file.enumerate() {
        if shown == SALVAGED_SHOWN {
            return writeln!(out, "    …");
        }
        writeln!(
            out,
            "    {} ({})",
            case.definition(),
            case.outcome().kind().as_str()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileReport, Format, InputError};

    #[test]
    fn text_lists_files_counts_side_files_and_totals() {
        let run = TestRun {
            cases: Vec::new(),
            files: vec![
                FileReport {
                    path: "a-result.json".into(),
                    status: FileStatus::Parsed {
                        format: Format::Allure2,
                        tests: 1,
                    },
                    notes: vec!["attachment \"x\": refused".into()],
                },
                FileReport {
                    path: "c-container.json".into(),
                    status: FileStatus::Skipped {
                        reason: format!("{ALLURE_SIDE_FILE}: container"),
                    },
                    notes: vec![],
                },
                FileReport {
                    path: "bad.xml".into(),
                    status: FileStatus::Failed {
                        error: InputError {
                            path: "bad.xml".into(),
                            line: Some(3),
                            offset: None,
                            message: "truncated".into(),
                        },
                        salvaged: 0,
                    },
                    notes: vec![],
                },
            ],
        };
        let mut out = Vec::new();
        print_parse(&run, false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "a-result.json: allure2 (1 test)\n  note: attachment \"x\": refused\n\
             bad.xml:3: error: truncated\n\
             1 Allure side file(s) skipped (containers, attachments, metadata)\n\
             total: 0 test(s): 0 passed (0 flaky), 0 failed, 0 error, 0 skipped; 1 file(s) could not be read\n"
        );
    }
}
