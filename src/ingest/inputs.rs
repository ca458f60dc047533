//! Turns the user's patterns (file paths, directories, globs) into a sorted, de-duplicated list
//! of files, each with the position of the first pattern that named it (the merge orders the
//! tries of a test by it: see `merge`). Owns nothing about formats: that is `ingest::sniff`'s
//! job.
//!
//! - An existing file is taken as is.
//! - An existing directory is walked recursively, in name order. Symlinked directories are not
//!   followed (a link loop must not hang CI); symlinked files are.
//! - Anything else is a glob (`*`, `?`, `[..]`, `**`); directories it matches are walked too.
//!   A pattern that is neither an existing path nor a glob matching something matches nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::IngestError;

/// The files found for the patterns, plus the patterns that matched nothing.
#[derive(Debug, Default, PartialEq)]
pub struct Expansion {
    /// Sorted, each path once.
    pub files: Vec<PathBuf>,
    /// Per file, the position (0-based) of the first pattern that matched it.
    pub given: Vec<usize>,
    /// Patterns that matched no file, in the order given.
    pub unmatched: Vec<String>,
}

/// Expands every pattern. Errors only on a syntactically invalid glob.
pub fn expand(patterns: &[String]) -> Result<Expansion, IngestError> {
    let mut files = Files::new();
    let mut unmatched = Vec::new();
    for (position, pattern) in patterns.iter().enumerate() {
        let before = files.len();
        let found = expand_one(
            pattern,
            &mut Found {
                files: &mut files,
                position,
            },
        )?;
        if !found && files.len() == before {
            unmatched.push(pattern.clone());
        }
    }
    let (files, given) = files.into_iter().unzip();
    Ok(Expansion {
        files,
        given,
        unmatched,
    })
}

/// Each file found, with the position of the first pattern that matched it.
type Files = BTreeMap<PathBuf, usize>;

/// Where one pattern's files go.
struct Found<'a> {
    files: &'a mut Files,
    position: usize,
}

impl Found<'_> {
    fn insert(&mut self, path: PathBuf) {
        self.files.entry(path).or_insert(self.position);
    }
}

/// Returns whether the pattern matched at least one file (even one already found by another
/// pattern).
fn expand_one(pattern: &str, files: &mut Found<'_>) -> Result<bool, IngestError> {
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
fn walk(dir: &Path, files: &mut Found<'_>) -> usize {
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
        // Both files came from the directory (pattern 0), before the glob named x.xml again.
        assert_eq!(got.given, vec![0, 0]);
        let bad = expand(&["[".to_string()]);
        assert!(matches!(bad, Err(IngestError::BadPattern { .. })));
    }
}
