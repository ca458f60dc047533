//! GitHub Actions workflow commands: escaping our own, neutralising everyone else's.
//!
//! Owns the text rules of the runner's command parser (actions/runner `ActionCommand.cs`):
//! - a line is a command when, after trimming whitespace, it starts with `::` (v2 syntax);
//! - failing that, when it contains `##[` anywhere (legacy syntax);
//! - lines end at `\n`, `\r` or `\r\n` (the runner reads stdout with .NET `ReadLine`).
//!
//! Our own commands escape their data (`%`, `\r`, `\n`) and properties (also `:` and `,`), so a
//! value can never end the line or start a new command. Untrusted text printed as plain log
//! lines (test names, failure messages, captured stdout) is *neutralised*: a zero-width space
//! (U+200B) goes between the two colons of a leading `::` and between `##` and `[`. U+200B is
//! not whitespace for .NET `Trim` nor for the runner's parser, so the line no longer parses as a
//! command, and a human reading the log sees the same characters. Without this, a failure
//! message containing `::stop-commands::x` would silently switch off every later annotation,
//! output and mask in the step.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::secret::Secret;

/// Zero-width space: invisible in the log, breaks the command syntax.
const ZWSP: char = '\u{200B}';

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

/// Makes untrusted text safe to print as plain log lines: no line of the result is a workflow
/// command. Line breaks are kept (each line is neutralised on its own).
pub fn neutralise(untrusted: &str) -> String {
    let mut out = String::with_capacity(untrusted.len() + 8);
    let mut rest = untrusted;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        neutralise_line(line, &mut out);
        // Copy the terminator (`\r\n`, `\r` or `\n`) unchanged.
        let term_len = if tail.starts_with("\r\n") {
            2
        } else {
            tail.len().min(1)
        };
        out.push_str(&tail[..term_len]);
        rest = &tail[term_len..];
    }
    out
}

/// What the runner may trim before looking for `::`: whitespace, plus format characters that
/// older Unicode tables (and so some .NET versions) counted as whitespace. Erring wide only adds
/// an invisible character; erring narrow would let a command through.
fn skippable(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

fn neutralise_line(line: &str, out: &mut String) {
    let trimmed = line.trim_start_matches(skippable);
    let lead = line.len() - trimmed.len();
    let mut body = String::with_capacity(line.len() + 3);
    if let Some(after) = trimmed.strip_prefix("::") {
        body.push(':');
        body.push(ZWSP);
        body.push(':');
        body.push_str(after);
    } else {
        body.push_str(trimmed);
    }
    out.push_str(&line[..lead]);
    out.push_str(&body.replace("##[", "##\u{200B}["));
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
        props.push(format!("file={}", escape_property(&neutralise(file))));
        if let Some(line) = at.line.filter(|l| *l > 0) {
            props.push(format!("line={line}"));
        }
    }
    if let Some(title) = at.title.filter(|t| !t.is_empty()) {
        props.push(format!("title={}", escape_property(&neutralise(title))));
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
    format!("::group::{}", escape_data(&neutralise(title)))
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

    /// A line the runner would treat as a command, per the rules in the module doc.
    fn is_command(line: &str) -> bool {
        line.trim_matches(skippable).starts_with("::") || line.contains("##[")
    }

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn neutralise_breaks_every_command_form() {
        let evil = "ok\n::stop-commands::x\n  ::error::boom\r::add-mask::y\r\nsee ##[error]z\n::\n\u{FEFF}\u{180E}::warning::w";
        let safe = neutralise(evil);
        for line in safe.split(['\r', '\n']) {
            assert!(!is_command(line), "{line:?}");
        }
        // Same visible text once the zero-width spaces are removed.
        assert_eq!(safe.replace(ZWSP, ""), evil);
    }

    #[test]
    fn neutralise_keeps_ordinary_text() {
        assert_eq!(neutralise("a::b\n x: y"), "a::b\n x: y");
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
