//! Reads the evidence a plan names, with workspace containment and size caps.
//!
//! Owns the one place evidence files are opened and the roots they may come from. A results file
//! from an untrusted branch must not be able to upload `~/.ssh`, `/etc` or `/proc/self/environ`,
//! so a file is read only when its canonical path (symlinks and `..` resolved) lies inside an
//! allowed root: the canonical workspace, and the canonical results directories inside it. A
//! results directory is canonicalised before it counts, so one reached through a symlink (a
//! `results/link -> /` matched by `results/**/*.xml`) cannot widen the roots. Everything refused
//! or over a cap is recorded in `skipped` with the reason, so the user gets one warning listing
//! them.

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Serialize;

use crate::plan::PlannedEvidence;
use crate::settings::EvidenceLimits;
use crate::xray::payload::Evidence;

/// The canonical workspace, then each canonical results directory inside it (deduplicated).
pub fn evidence_roots(workspace: &Path, results_dirs: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(ws) = std::fs::canonicalize(workspace) else {
        return Vec::new();
    };
    let mut roots = vec![ws.clone()];
    for dir in results_dirs {
        if let Ok(c) = std::fs::canonicalize(dir)
            && c.starts_with(&ws)
            && !roots.contains(&c)
        {
            roots.push(c);
        }
    }
    roots
}

/// Evidence that was not attached, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedEvidence {
    pub test_id: String,
    pub filename: String,
    /// The path as the results named it (not canonicalized, so a refused symlink shows as named).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: String,
}

pub struct EvidenceReader {
    roots: Vec<PathBuf>,
    limits: EvidenceLimits,
    used: u64,
    pub skipped: Vec<SkippedEvidence>,
}

impl EvidenceReader {
    /// Evidence may come from the canonical `workspace` and from those `results_dirs` whose
    /// canonical path lies inside it; any other directory is dropped. A workspace that does not
    /// exist allows nothing.
    pub fn new(
        workspace: &Path,
        results_dirs: &[PathBuf],
        limits: EvidenceLimits,
    ) -> EvidenceReader {
        EvidenceReader {
            roots: evidence_roots(workspace, results_dirs),
            limits,
            used: 0,
            skipped: Vec::new(),
        }
    }

    /// The directories evidence may be read from (canonical).
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Bytes attached so far (before base64).
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Sets the bytes counted so far: a body built again (a retry, the spool) reads its
    /// evidence from the count it started with the first time, so it gets the same items and
    /// they are not counted twice.
    pub fn set_used(&mut self, used: u64) {
        self.used = used;
    }

    fn skip(&mut self, test_id: &str, filename: &str, path: Option<&Path>, reason: String) {
        self.skipped.push(SkippedEvidence {
            test_id: test_id.to_string(),
            filename: filename.to_string(),
            path: path.map(|p| p.display().to_string()),
            reason,
        });
    }

    /// Records an item read but not sent (it would not fit the request). Its bytes stay counted
    /// against the run's cap (conservative: the cap bounds what is read as well).
    pub fn refuse(&mut self, test_id: &str, filename: &str, reason: String) {
        self.skip(test_id, filename, None, reason);
    }

    /// Checks the caps for `size` more bytes; records a skip and says no when over one.
    fn admit(&mut self, test_id: &str, filename: &str, path: Option<&Path>, size: u64) -> bool {
        if size > self.limits.max_file_bytes {
            self.skip(
                test_id,
                filename,
                path,
                format!(
                    "{size} bytes is over the per-file cap of {} bytes",
                    self.limits.max_file_bytes
                ),
            );
            return false;
        }
        if self.used.saturating_add(size) > self.limits.max_run_bytes {
            self.skip(
                test_id,
                filename,
                path,
                format!(
                    "the run's evidence cap of {} bytes is reached",
                    self.limits.max_run_bytes
                ),
            );
            return false;
        }
        true
    }

    /// The evidence as Xray wants it, or `None` (recorded in `skipped`).
    pub fn read(&mut self, test_id: &str, planned: &PlannedEvidence) -> Option<Evidence> {
        match planned {
            PlannedEvidence::Inline {
                filename,
                content_type,
                base64,
            } => {
                // Xray refuses a whole import for one item whose `data` is not base64
                // (xray-api.md §7), so a bad item is dropped here, never sent. Line breaks
                // inside the text (wrapped base64 in XML) are not part of the data.
                let data: String = base64
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                let decoded = match base64::engine::general_purpose::STANDARD.decode(&data) {
                    Ok(d) => d,
                    Err(e) => {
                        self.skip(test_id, filename, None, format!("not valid base64 ({e})"));
                        return None;
                    }
                };
                let size = decoded.len() as u64;
                if !self.admit(test_id, filename, None, size) {
                    return None;
                }
                self.used += size;
                Some(Evidence {
                    data,
                    filename: filename.clone(),
                    content_type: content_type.clone(),
                })
            }
            PlannedEvidence::File {
                path,
                filename,
                content_type,
            } => {
                let bytes = self.read_contained(test_id, filename, path)?;
                Some(Evidence {
                    data: base64::engine::general_purpose::STANDARD.encode(bytes),
                    filename: filename.clone(),
                    content_type: content_type.clone(),
                })
            }
        }
    }

    fn read_contained(&mut self, test_id: &str, filename: &str, path: &Path) -> Option<Vec<u8>> {
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => {
                self.skip(test_id, filename, Some(path), format!("cannot open: {e}"));
                return None;
            }
        };
        if !self.roots.iter().any(|root| canonical.starts_with(root)) {
            self.skip(
                test_id,
                filename,
                Some(path),
                "refused: outside the workspace (XRAY_SYNC_WORKSPACE / --workspace)".into(),
            );
            return None;
        }
        let meta = match std::fs::metadata(&canonical) {
            Ok(m) if m.is_file() => m,
            Ok(_) => {
                self.skip(test_id, filename, Some(path), "not a regular file".into());
                return None;
            }
            Err(e) => {
                self.skip(test_id, filename, Some(path), format!("cannot open: {e}"));
                return None;
            }
        };
        if !self.admit(test_id, filename, Some(path), meta.len()) {
            return None;
        }
        // Read at most the cap even if the file grew since `metadata`.
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&canonical).and_then(|f| {
            f.take(self.limits.max_file_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        });
        match read {
            Ok(_) if bytes.len() as u64 > self.limits.max_file_bytes => {
                self.skip(
                    test_id,
                    filename,
                    Some(path),
                    "grew over the per-file cap while reading".into(),
                );
                None
            }
            Ok(n) => {
                self.used += n as u64;
                Some(bytes)
            }
            Err(e) => {
                self.skip(test_id, filename, Some(path), format!("cannot read: {e}"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &Path) -> PlannedEvidence {
        PlannedEvidence::File {
            path: path.to_path_buf(),
            filename: "f".into(),
            content_type: "text/plain".into(),
        }
    }

    #[test]
    fn containment_and_caps() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("ok.txt"), b"hello").unwrap();
        std::fs::write(ws.path().join("big.txt"), vec![b'x'; 50]).unwrap();
        std::fs::write(outside.path().join("secret.txt"), b"s").unwrap();
        let limits = EvidenceLimits {
            max_file_bytes: 20,
            max_run_bytes: 8,
        };
        let mut r = EvidenceReader::new(ws.path(), &[], limits);
        let ok = r.read("t", &file(&ws.path().join("ok.txt"))).unwrap();
        assert_eq!(ok.data, "aGVsbG8=");
        let escape = ws.path().join("..").join(
            outside
                .path()
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_default()
                .join("secret.txt"),
        );
        assert!(r.read("t", &file(&escape)).is_none());
        assert!(r.read("t", &file(&ws.path().join("big.txt"))).is_none());
        // 5 bytes used; another 5 would pass the per-file cap but not the run cap of 8.
        assert!(r.read("t", &file(&ws.path().join("ok.txt"))).is_none());
        let reasons: Vec<&str> = r.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert!(reasons[0].starts_with("refused"), "{reasons:?}");
        assert!(reasons[1].contains("per-file cap"), "{reasons:?}");
        assert!(reasons[2].contains("run's evidence cap"), "{reasons:?}");
        assert_eq!(r.used(), 5);
    }

    #[test]
    fn inline_evidence_must_be_base64() {
        let limits = EvidenceLimits {
            max_file_bytes: 20,
            max_run_bytes: 100,
        };
        let mut r =
            EvidenceReader::new(std::path::Path::new("/nonexistent-workspace"), &[], limits);
        let inline = |b: &str| PlannedEvidence::Inline {
            filename: "shot.png".into(),
            content_type: "image/png".into(),
            base64: b.into(),
        };
        assert!(r.read("pkg.T.bad", &inline("not base64!!")).is_none());
        let ok = r.read("pkg.T.ok", &inline("SGVs\nbG8=")).unwrap();
        assert_eq!(ok.data, "SGVsbG8=");
        // 30 decoded bytes: over the per-file cap.
        assert!(r.read("pkg.T.big", &inline(&"QUFB".repeat(10))).is_none());
        let skipped: Vec<(&str, &str)> = r
            .skipped
            .iter()
            .map(|s| (s.test_id.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].0, "pkg.T.bad");
        assert!(skipped[0].1.starts_with("not valid base64"), "{skipped:?}");
        assert_eq!(skipped[1].0, "pkg.T.big");
        assert_eq!(r.used(), 5);
    }
}
