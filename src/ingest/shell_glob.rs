//! Spotting a glob the shell expanded before xray-sync saw it.
//!
//! `xray-sync run build/test-results/**/*.xml` without quotes is expanded by the shell, and a
//! shell without `globstar` reads `**` as `*`: xray-sync then gets the files one level deep and
//! silently misses the rest. Several plain file arguments alone prove nothing (they may have
//! been listed on purpose), so the note is given only when the quoted pattern those arguments
//! suggest (their common directory, `**`, their common extension) matches more files than were
//! given.

use std::path::{Path, PathBuf};

/// The note to print, or None when nothing suggests a shell expansion.
pub fn expansion_note(patterns: &[String]) -> Option<String> {
    if patterns.len() < 2
        || patterns
            .iter()
            .any(|p| p.contains(['*', '?', '[']) || !Path::new(p).is_file())
    {
        return None;
    }
    let ext = common_extension(patterns)?;
    let dir = common_dir(patterns);
    let prefix = if dir.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", dir.display())
    };
    let suggested = format!("{prefix}**/*.{ext}");
    let given: std::collections::BTreeSet<PathBuf> = patterns.iter().map(PathBuf::from).collect();
    let matched = glob::glob(&suggested)
        .ok()?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .count();
    (matched > given.len()).then(|| {
        format!(
            "{} result files were given one by one, but '{suggested}' matches {matched}; if the shell expanded an unquoted glob, quote it so xray-sync expands it (e.g. '{suggested}')",
            given.len()
        )
    })
}

fn common_extension(patterns: &[String]) -> Option<String> {
    let first = Path::new(&patterns[0]).extension()?.to_str()?.to_string();
    patterns
        .iter()
        .all(|p| Path::new(p).extension().and_then(|e| e.to_str()) == Some(first.as_str()))
        .then_some(first)
}

fn common_dir(patterns: &[String]) -> PathBuf {
    let mut dirs = patterns
        .iter()
        .map(|p| Path::new(p).parent().unwrap_or(Path::new("")).to_path_buf());
    let mut common = dirs.next().unwrap_or_default();
    for d in dirs {
        while !d.starts_with(&common) {
            if !common.pop() {
                return PathBuf::new();
            }
        }
    }
    common
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_only_when_the_quoted_pattern_would_read_more() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["r/a/TEST-1.xml", "r/a/TEST-2.xml", "r/a/deep/TEST-3.xml"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "<testsuite/>").unwrap();
        }
        let path = |f: &str| root.join(f).display().to_string();
        // What `r/*/*.xml` gives a shell without globstar: the deep file is missed.
        let note = expansion_note(&[path("r/a/TEST-1.xml"), path("r/a/TEST-2.xml")]).unwrap();
        assert!(note.contains("matches 3"), "{note}");
        assert!(
            note.contains(&format!("'{}/**/*.xml'", path("r/a"))),
            "{note}"
        );
        // Every file given: nothing to say.
        assert_eq!(
            expansion_note(&[
                path("r/a/TEST-1.xml"),
                path("r/a/TEST-2.xml"),
                path("r/a/deep/TEST-3.xml")
            ]),
            None
        );
        // One file, a glob, or a directory: nothing to say.
        assert_eq!(expansion_note(&[path("r/a/TEST-1.xml")]), None);
        assert_eq!(
            expansion_note(&[path("r/*/*.xml"), path("r/a/TEST-1.xml")]),
            None
        );
        assert_eq!(expansion_note(&[path("r"), path("r/a/TEST-1.xml")]), None);
    }
}
