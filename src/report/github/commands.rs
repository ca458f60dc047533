//! GitHub Actions workflow commands: escaping our own, neutralising everyone else's.
//!
//! Owns the text rules of the runner's command parser (actions/runner `ActionCommand.cs`):
//! - a line is a command when, after trimming whitespace, it starts with `::` (v2 syntax);
//! - failing that, when it contains `##[` anywhere (legacy syntax);
//! - lines end at `\n`, `\r` or `\r\n` (the runner reads stdout with .NET `ReadLine`).
//!
//! Our own commands escape their data (`%`, `\r`, `\n`) and properties (also `:` and `,`), so a
//! value can never end the line or start a new command. Untrusted text printed as plain log
//! lines (test names, failure messages, server answers) is neutralised by
//! [`crate::untrusted::neutralise`], re-exported here; titles and file names of annotations are
//! also cut to [`crate::untrusted::MAX_LINE_BYTES`].

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

pub use crate::untrusted::neutralise;

use crate::untrusted::{MAX_LINE_BYTES, one_line};

use crate::secret::Secret;

/// Secrets shorter than this are not masked: masking `true` or `1` would blank the whole log
/// (the same minimum `secret::scrub` uses).
pub const MIN_MASK_LEN: usize = 4;

/// Escapes command data (the part after the final `::`), as @actions/toolkit `escapeData`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`), as @actions/toolkit `escapeProperty`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::add-mask::` lines for each secret, to print before any other output. A multi-line secret
/// is masked line by line (a newline ends a command); lines shorter than [`MIN_MASK_LEN`] are
/// skipped. Print them on the same stream as the rest of the output, flushed.
pub fn mask_commands(secrets: &[&Secret]) -> Vec<String> {
    let mut out = Vec::new();
    for s in secrets {
        for line in s.expose().split(['\r', '\n']) {
            let line = line.trim();
            if line.chars().count() >= MIN_MASK_LEN {
                out.push(format!("::add-mask::{}", escape_data(line)));
            }
        }
    }
    out.dedup();
    out
}

/// Annotation severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Where an annotation points.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location<'a> {
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub title: Option<&'a str>,
}

/// One annotation command. `message` may be untrusted: it is neutralised and escaped, so it
/// stays one line and carries no command of its own.
pub fn annotation(level: Level, at: &Location<'_>, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(file) = at.file.filter(|f| !f.is_empty()) {
        props.push(format!(
            "file={}",
            escape_property(&one_line(file, MAX_LINE_BYTES))
        ));
        if let Some(line) = at.line.filter(|l| *l > 0) {
            props.push(format!("line={line}"));
        }
    }
    if let Some(title) = at.title.filter(|t| !t.is_empty()) {
        props.push(format!(
            "title={}",
            escape_property(&one_line(title, MAX_LINE_BYTES))
        ));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!(
        "::{}{props}::{}",
        level.as_str(),
        escape_data(&neutralise(message))
    )
}

/// Opens a collapsible log group. Groups do not nest: close one before opening the next.
pub fn group(title: &str) -> String {
    format!("::group::{}", escape_data(&one_line(title, MAX_LINE_BYTES)))
}

pub const ENDGROUP: &str = "::endgroup::";

/// Lines that fence a raw dump: between them the runner obeys no command at all. The token is
/// random per call, so text inside the fence cannot guess it and end the fence early.
pub struct StopCommands {
    pub token: String,
}

impl StopCommands {
    pub fn new() -> Self {
        StopCommands {
            token: random_token(),
        }
    }

    pub fn start(&self) -> String {
        format!("::stop-commands::{}", self.token)
    }

    pub fn end(&self) -> String {
        format!("::{}::", self.token)
    }
}

impl Default for StopCommands {
    fn default() -> Self {
        Self::new()
    }
}

/// 128 random bits as hex. `RandomState` is seeded from the OS per process and the counter
/// makes each call differ, so this needs no extra dependency; it is a delimiter, not a key.
pub fn random_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        *w = h.finish();
    }
    format!("{:016x}{:016x}", words[0], words[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn annotation_is_one_line_with_escaped_parts() {
        let a = annotation(
            Level::Error,
            &Location {
                file: Some("src/a,b.rs"),
                line: Some(7),
                title: Some("t: x"),
            },
            "line1\n::stop-commands::t",
        );
        assert_eq!(
            a,
            "::error file=src/a%2Cb.rs,line=7,title=t%3A x::line1%0A:\u{200B}:stop-commands::t"
        );
        assert!(!a.contains('\n'));
    }

    #[test]
    fn masks_are_per_line_and_skip_tiny_values() {
        let multi = Secret::from("first-line\nsecond-line");
        let tiny = Secret::from("abc");
        let pct = Secret::from("p%0Aq-secret");
        let m = mask_commands(&[&multi, &tiny, &pct]);
        assert_eq!(
            m,
            [
                "::add-mask::first-line",
                "::add-mask::second-line",
                "::add-mask::p%250Aq-secret"
            ]
        );
    }

    #[test]
    fn tokens_differ() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        let f = StopCommands { token: a.clone() };
        assert_eq!(f.end(), format!("::{a}::"));
    }
}
