//! Turns the user's patterns (file paths, directories, globs) into a sorted, de-duplicated list
//! of files. Owns nothing about formats: that is `ingest::sniff`'s job.
//!
//! - An existing file is taken as is.
//! - An existing directory is walked recursively, in name order. Symlinked directories are not
//!   followed (a link loop must not hang CI); symlinked files are.
//! - Anything else is a glob (`*`, `?`, `[..]`, `**`); directories it matches are walked too.
//!   A pattern that is neither an existing path nor a glob matching something matches nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::IngestError;

/// The files found for the patterns, plus the patterns that matched nothing.
#[derive(Debug, Default, PartialEq)]
pub struct Expansion {
    /// Sorted, each path once.
    pub files: Vec<PathBuf>,
    /// Patterns that matched no file, in the order given.
    pub unmatched: Vec<String>,
}

/// Expands every pattern. Errors only on a syntactically invalid glob.
pub fn expand(patterns: &[String]) -> Result<Expansion, IngestError> {
    let mut files = BTreeSet::new();
    let mut unmatched = Vec::new();
    for pattern in patterns {
        let before = files.len();
        let found = expand_one(pattern, &mut files)?;
        if !found && files.len() == before {
            unmatched.push(pattern.clone());
        }
    }
    Ok(Expansion {
        files: files.into_iter().collect(),
        unmatched,
    })
}

/// Returns whether the pattern matched at least one file (even one already found by another
/// pattern).
fn expand_one(pattern: &str, files: &mut BTreeSet<PathBuf>) -> Result<bool, IngestError> {
    let path = Path::new(pattern);
    if path.is_file() {
        files.insert(path.to_path_buf());
        return Ok(true);
    }
    if path.is_dir() {
        return Ok(walk(path, files) > 0);
    }
    if !pattern.contains(['*', '?', '[']) {
        return Ok(false);
    }
    let paths = glob::glob(pattern).map_err(|e| IngestError::BadPattern {
        pattern: pattern.to_string(),
        message: e.to_string(),
    })?;
    let mut any = false;
    // Unreadable entries are skipped: the glob crate reports them per path, and one unreadable
    // directory must not hide the rest.
    for p in paths.flatten() {
        if p.is_file() {
            files.insert(p);
            any = true;
        } else if p.is_dir() && walk(&p, files) > 0 {
            any = true;
        }
    }
    Ok(any)
}

/// Adds every file below `dir`; returns how many files it saw.
fn walk(dir: &Path, files: &mut BTreeSet<PathBuf>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    let mut seen = 0;
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            seen += walk(&path, files);
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            files.insert(path);
            seen += 1;
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_globs_and_misses() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/x.xml"), "<x/>").unwrap();
        std::fs::write(root.join("a/y.json"), "{}").unwrap();
        let pats = vec![
            root.join("a").display().to_string(),
            root.join("a/**/*.xml").display().to_string(),
            root.join("nope/*.xml").display().to_string(),
            root.join("missing.xml").display().to_string(),
        ];
        let got = expand(&pats).unwrap();
        assert_eq!(
            got.files,
            vec![root.join("a/b/x.xml"), root.join("a/y.json")]
        );
        assert_eq!(got.unmatched, pats[2..].to_vec());
        let bad = expand(&["[".to_string()]);
        assert!(matches!(bad, Err(IngestError::BadPattern { .. })));
    }
}
