//! The "files read" lines `run` prints: one per result file with its format and test count (or
//! why it was skipped, or its error), Allure side files as one count. On GitHub the caller
//! folds them into a collapsed group.

use crate::ingest::allure::ALLURE_SIDE_FILE;
use crate::model::{FileStatus, TestRun};

/// The lines, in file order.
pub fn lines(run: &TestRun) -> Vec<String> {
    let mut out = Vec::new();
    let mut side_files = 0usize;
    for file in &run.files {
        let path = file.path.display();
        match &file.status {
            FileStatus::Parsed { format, tests } => {
                let plural = if *tests == 1 { "" } else { "s" };
                out.push(format!(
                    "read {path}: {} ({tests} test{plural})",
                    format.as_str()
                ));
            }
            FileStatus::Skipped { reason } if reason.starts_with(ALLURE_SIDE_FILE) => {
                side_files += 1;
            }
            FileStatus::Skipped { reason } => out.push(format!("skipped {path}: {reason}")),
            FileStatus::Failed { error, salvaged: 0 } => out.push(format!("not read {error}")),
            FileStatus::Failed { error, salvaged } => out.push(format!(
                "not read to the end {error} ({salvaged} test(s) read before the error kept)"
            )),
        }
    }
    if side_files > 0 {
        out.push(format!(
            "{side_files} Allure side file(s) (containers, attachments, metadata)"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileReport, Format, InputError};

    #[test]
    fn one_line_per_file_with_format_and_count() {
        let run = TestRun {
            cases: Vec::new(),
            files: vec![
                FileReport {
                    path: "r/TEST-a.xml".into(),
                    status: FileStatus::Parsed {
                        format: Format::Junit,
                        tests: 3,
                    },
                    notes: Vec::new(),
                },
                FileReport {
                    path: "r/x-container.json".into(),
                    status: FileStatus::Skipped {
                        reason: format!("{ALLURE_SIDE_FILE} container"),
                    },
                    notes: Vec::new(),
                },
                FileReport {
                    path: "r/bad.xml".into(),
                    status: FileStatus::Failed {
                        error: InputError {
                            path: "r/bad.xml".into(),
                            line: Some(4),
                            offset: None,
                            message: "unexpected end of file".into(),
                        },
                        salvaged: 0,
                    },
                    notes: Vec::new(),
                },
            ],
        };
        assert_eq!(
            lines(&run),
            [
                "read r/TEST-a.xml: junit (3 tests)",
                "not read r/bad.xml:4: unexpected end of file",
                "1 Allure side file(s) (containers, attachments, metadata)",
            ]
        );
    }
}
