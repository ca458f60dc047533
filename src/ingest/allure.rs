//! What the Allure 1 and Allure 2 readers share: the per-result record they hand to `ingest`,
//! status words, epoch-millisecond times, and the attachment containment rule.
//!
//! Containment rule: an attachment `source` must be a plain file name that exists as a regular
//! file (not a symlink) directly inside the results directory. `../x`, `/etc/x`, `./x`,
//! `nested/x` and blank sources are refused with a note and not attached; a missing file is
//! noted and not attached. This is stricter than "somewhere below the directory" on purpose:
//! Allure adapters always write flat names, and Allure's own reader refuses the same sources.

use std::path::{Component, Path};

use crate::model::{Attachment, Failure, Outcome, TestCase, Text};

/// Prefix of every `FileStatus::Skipped` reason given to files that belong to an Allure results
/// directory without being results themselves (containers, attachments, metadata, history).
/// The `parse` printer counts these instead of listing them.
pub const ALLURE_SIDE_FILE: &str = "allure side file";

/// One test result read from an Allure file, with what `ingest` needs beyond the `TestCase`.
#[derive(Debug, Clone, PartialEq)]
pub struct AllureCase {
    pub case: TestCase,
    /// Allure 2 `uuid`; containers name their tests by it.
    pub uuid: Option<String>,
    /// False when the status was missing, null, unrecognised or `unknown`; a failed before-fixture
    /// may then decide the outcome (see `allure2`).
    pub status_known: bool,
}

/// The result of reading one Allure file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllureParse {
    pub cases: Vec<AllureCase>,
    /// Refused or missing attachments and similar remarks, for the file's report.
    pub notes: Vec<String>,
}

impl AllureParse {
    /// Just the test cases.
    pub fn into_cases(self) -> Vec<TestCase> {
        self.cases.into_iter().map(|c| c.case).collect()
    }
}

/// Maps an Allure status word (case-insensitive; Allure 1 and 2 spellings) to an outcome.
/// Returns the outcome and whether the status was a known, decisive one.
pub fn outcome_for(
    status: Option<&str>,
    message: Option<String>,
    trace: Option<String>,
) -> (Outcome, bool) {
    let failure = || Failure {
        message: message.as_deref().map(Text::new),
        kind: None,
        details: trace.as_deref().map(Text::new),
    };
    let Some(word) = status.map(str::trim) else {
        return (
            Outcome::Skipped {
                message: Some("allure status unknown (the result has no status)".into()),
            },
            false,
        );
    };
    match word.to_ascii_lowercase().as_str() {
        "passed" => (Outcome::Passed, true),
        "failed" => (Outcome::Failed(failure().into()), true),
        "broken" => (Outcome::Error(failure().into()), true),
        "skipped" | "canceled" | "cancelled" | "pending" => {
            let message = message.as_deref().map(Text::new).or_else(|| match word {
                w if w.eq_ignore_ascii_case("skipped") => None,
                w => Some(format!("allure status {}", w.to_ascii_lowercase()).into()),
            });
            (Outcome::Skipped { message }, true)
        }
        "unknown" => (
            Outcome::Skipped {
                message: Some("allure status unknown".into()),
            },
            false,
        ),
        "" => (
            Outcome::Skipped {
                message: Some("allure status unknown (empty status)".into()),
            },
            false,
        ),
        _ => {
            let shown: String = word.chars().take(64).collect();
            (
                Outcome::Skipped {
                    message: Some(
                        format!("allure status unknown (unrecognised status {shown:?})").into(),
                    ),
                },
                false,
            )
        }
    }
}

/// Epoch milliseconds to a timestamp; `None` when out of range.
pub fn epoch_ms(ms: i64) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// `stop - start` in seconds, when both are known and in order.
pub fn duration_secs(start: Option<i64>, stop: Option<i64>) -> Option<f64> {
    let (start, stop) = (start?, stop?);
    let ms = stop.checked_sub(start).filter(|d| *d >= 0)?;
    // Millisecond precision; f64 is exact far beyond any real test's duration.
    Some(ms as f64 / 1000.0)
}

/// Applies the containment rule (module doc) to one attachment `source` in `dir`.
/// Returns the attachment to keep, or pushes a note saying why it was not kept.
pub fn resolve_attachment(
    dir: &Path,
    source: Option<&str>,
    name: Option<String>,
    content_type: Option<String>,
    notes: &mut Vec<String>,
) -> Option<Attachment> {
    let label = name.as_deref().unwrap_or("(unnamed)");
    let source = match source.map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => {
            notes.push(format!("attachment {label:?} has no source; not attached"));
            return None;
        }
    };
    let mut components = Path::new(source).components();
    let plain = matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    ) && !source.contains(['/', '\\']);
    if !plain {
        notes.push(format!(
            "attachment {label:?}: source {source:?} refused: not a plain file name inside the results directory"
        ));
        return None;
    }
    let path = dir.join(source);
    match std::fs::symlink_metadata(&path) {
        Err(_) => {
            notes.push(format!(
                "attachment {label:?}: {} not found; not attached",
                path.display()
            ));
            None
        }
        Ok(meta) if meta.file_type().is_symlink() => {
            notes.push(format!(
                "attachment {label:?}: {} is a symbolic link; refused",
                path.display()
            ));
            None
        }
        Ok(meta) if !meta.is_file() => {
            notes.push(format!(
                "attachment {label:?}: {} is not a regular file; not attached",
                path.display()
            ));
            None
        }
        Ok(_) => Some(Attachment::File {
            name: name.map(|n| with_extension_of(n, source)),
            path,
            content_type,
        }),
    }
}

/// An attachment's display name as an evidence file name: adapters name attachments for
/// people (`operands`, `Keyword Log`) and keep the type in the source's extension
/// (`…-attachment.txt`), which the name gets when it has none of its own.
fn with_extension_of(name: String, source: &str) -> String {
    let has_own = Path::new(&name)
        .extension()
        .is_some_and(|e| !e.is_empty() && e.len() <= 8 && !e.to_string_lossy().contains(' '));
    match Path::new(source).extension().and_then(|e| e.to_str()) {
        Some(ext) if !has_own && !name.trim().is_empty() && !ext.is_empty() => {
            format!("{name}.{ext}")
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_get_the_source_extension_when_they_have_none() {
        let named = |n: &str, source: &str| with_extension_of(n.to_string(), source);
        assert_eq!(named("operands", "a1-attachment.txt"), "operands.txt");
        assert_eq!(
            named("Keyword Log", "b2-attachment.html"),
            "Keyword Log.html"
        );
        assert_eq!(named("shot.png", "c3-attachment.png"), "shot.png");
        assert_eq!(named("v1.2 notes", "d4-attachment.txt"), "v1.2 notes.txt");
        assert_eq!(named("raw", "e5-attachment"), "raw");
    }

    #[test]
    fn status_words_map_case_insensitively() {
        assert_eq!(
            outcome_for(Some("Passed"), None, None),
            (Outcome::Passed, true)
        );
        assert!(matches!(
            outcome_for(Some("broken"), None, None).0,
            Outcome::Error(_)
        ));
        let (o, known) = outcome_for(Some("unknown"), None, None);
        assert_eq!(
            o,
            Outcome::Skipped {
                message: Some("allure status unknown".into())
            }
        );
        assert!(!known);
        let (o, known) = outcome_for(Some("some-invalid-string"), None, None);
        assert!(!known);
        assert!(
            matches!(o, Outcome::Skipped { message: Some(m) } if m.read().starts_with("allure status unknown"))
        );
        assert!(!outcome_for(None, None, None).1);
        assert_eq!(
            outcome_for(Some("canceled"), None, None).0,
            Outcome::Skipped {
                message: Some("allure status canceled".into())
            }
        );
    }

    #[test]
    fn duration_needs_ordered_times() {
        assert_eq!(duration_secs(Some(1000), Some(3500)), Some(2.5));
        assert_eq!(duration_secs(Some(3500), Some(1000)), None);
        assert_eq!(duration_secs(Some(i64::MIN), Some(i64::MAX)), None);
        assert!(epoch_ms(i64::MAX).is_none());
    }

    #[test]
    fn sources_outside_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.txt"), "x").unwrap();
        let mut notes = Vec::new();
        for bad in [
            "../ok.txt",
            "/etc/passwd",
            "./ok.txt",
            "a/ok.txt",
            "  ",
            "..\\ok.txt",
        ] {
            assert_eq!(
                resolve_attachment(dir.path(), Some(bad), None, None, &mut notes),
                None,
                "{bad}"
            );
        }
        assert_eq!(notes.len(), 6);
        assert!(resolve_attachment(dir.path(), Some("ok.txt"), None, None, &mut notes).is_some());
        assert!(
            resolve_attachment(dir.path(), Some("missing.txt"), None, None, &mut notes).is_none()
        );
        assert!(notes.last().unwrap().contains("not found"));
    }
}
