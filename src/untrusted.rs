//! Untrusted text made safe to print: test names and messages from result files, and every text
//! a server sent back (error bodies, issue fields, echoed file names).
//!
//! Owns the one neutraliser every printed surface uses (console, stderr, `doctor`, `resend`,
//! annotations, the job summary's plain-text parts) and the length caps for single-line fields.
//! It sits at the bottom of the module order (it imports nothing of ours) so `run`, `doctor`,
//! `resend` and the reports share it instead of each growing their own.
//!
//! The runner's command parser (actions/runner `ActionCommand.cs`) treats a line as a workflow
//! command when, after trimming whitespace, it starts with `::` (v2 syntax), or when it contains
//! `##[` anywhere (legacy syntax); lines end at `\n`, `\r` or `\r\n`. [`neutralise`] puts a
//! zero-width space (U+200B) between the two colons of a leading `::` and between `##` and `[`:
//! U+200B is not whitespace for .NET `Trim` nor for the parser, so the line no longer parses as a
//! command, and a human sees the same characters. Without this, a failure message or a server
//! answer containing `::stop-commands::x` would silently switch off every later annotation,
//! output and mask in the step.
//!
//! Control characters (ESC and the rest of C0/C1, DEL) and the bidirectional overrides are shown
//! as `\u{1b}`-style escapes, so a result file cannot move the cursor, recolour or reorder a
//! terminal or log line.

/// Zero-width space: invisible in the log, breaks the command syntax.
pub const ZWSP: char = '\u{200B}';

/// Longest single-line field (a test name, an id, a title) printed anywhere, in bytes. Long
/// enough for any real parametrised name; a 5 MB name from a hostile file prints as 1 KiB.
pub const MAX_LINE_BYTES: usize = 1024;

/// Makes untrusted text safe to print as plain log lines: no line of the result is a workflow
/// command and no control character other than the line breaks and tabs survives. Line breaks
/// are kept (each line is neutralised on its own).
pub fn neutralise(untrusted: &str) -> String {
    let mut out = String::with_capacity(untrusted.len() + 8);
    let mut rest = untrusted;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        neutralise_line(&escape_controls(line, true), &mut out);
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

/// A JSON document (as serde_json writes it) made safe to print without changing what it
/// parses to: `##[` becomes `##\u005b`, and the characters serde leaves raw inside strings that
/// [`neutralise`] would escape (DEL, C1 controls, bidi controls) become `\uXXXX` escapes. Those
/// can only occur inside strings, so every replacement is a valid JSON escape of the same text.
/// (A JSON line never starts with `::`: it starts with a bracket, a quote or a space.)
pub fn json(document: &str) -> String {
    let mut out = String::with_capacity(document.len());
    let mut rest = document;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("##[") {
            out.push_str("##\\u005b");
            rest = &rest[3..];
            continue;
        }
        if c != '\n' && c != '\r' && c != '\t' && dangerous(c, false) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// One line for a single-line field: line breaks and tabs become spaces, controls are escaped,
/// the text is cut to `max_bytes` (with `…`) and neutralised.
pub fn one_line(untrusted: &str, max_bytes: usize) -> String {
    let flat: String = cut(untrusted.trim(), max_bytes.saturating_mul(4))
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let escaped = escape_controls(&flat, false);
    let mut out = String::new();
    neutralise_line(cut(&escaped, max_bytes), &mut out);
    if escaped.len() > max_bytes || untrusted.trim().len() > max_bytes.saturating_mul(4) {
        out.push('…');
    }
    out
}

/// Untrusted multi-line text cut to `max_bytes` (with a note saying so) and neutralised.
pub fn block(untrusted: &str, max_bytes: usize) -> String {
    let mut s = neutralise(cut(untrusted, max_bytes));
    if untrusted.len() > max_bytes {
        s.push_str(" […]");
    }
    s
}

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a character boundary.
pub fn cut(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut at = max_bytes;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

/// Characters shown as an escape instead of themselves: C0 and C1 controls and DEL (tab kept
/// when `keep_tab`), and the bidirectional embedding, override and isolate controls.
fn dangerous(c: char, keep_tab: bool) -> bool {
    (c.is_control() && !(keep_tab && c == '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_controls(s: &str, keep_tab: bool) -> String {
    if !s.chars().any(|c| dangerous(c, keep_tab)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if dangerous(c, keep_tab) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// What the runner may trim before looking for `::`: whitespace, plus format characters that
/// older Unicode tables (and so some .NET versions) counted as whitespace. Erring wide only adds
/// an invisible character; erring narrow would let a command through.
pub fn skippable(c: char) -> bool {
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

/// True when the runner would read `line` as a workflow command (the rules in the module doc).
/// For tests of every surface that prints untrusted text.
pub fn is_workflow_command(line: &str) -> bool {
    line.trim_matches(skippable).starts_with("::") || line.contains("##[")
}

/// `s` without ANSI escape sequences (colour codes test runners write into messages and
/// output): no sink renders them, and in an Xray comment, a Jira bug or a job summary they are
/// noise like `[31m`. Removes CSI (`ESC [` parameters, final byte in `@..~`), OSC (`ESC ]` up to
/// BEL or `ESC \`), and other escapes (intermediate bytes, then one final character:
/// `ESC ( B`).
pub fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            Some(c) if (' '..='/').contains(&c) => {
                while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
                chars.next();
            }
            Some(_) | None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralise_breaks_every_command_form() {
        let evil = "ok\n::stop-commands::x\n  ::error::boom\r::add-mask::y\r\nsee ##[error]z\n::\n\u{FEFF}\u{180E}::warning::w";
        let safe = neutralise(evil);
        for line in safe.split(['\r', '\n']) {
            assert!(!is_workflow_command(line), "{line:?}");
        }
        // Same visible text once the zero-width spaces are removed.
        assert_eq!(safe.replace(ZWSP, ""), evil);
    }

    #[test]
    fn neutralise_keeps_ordinary_text_and_escapes_controls() {
        assert_eq!(neutralise("a::b\n x: y\tz"), "a::b\n x: y\tz");
        assert_eq!(neutralise("red \u{1b}[31mX"), "red \\u{1b}[31mX");
        assert_eq!(neutralise("a\u{202E}b"), "a\\u{202e}b");
    }

    #[test]
    fn json_stays_the_same_value_and_prints_safely() {
        let value = serde_json::json!({
            "m": "##[error]x \u{7f} \u{9b}31m \u{202e}evil\n::stop-commands::y"
        });
        for text in [
            value.to_string(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let safe = json(&text);
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            assert_eq!(back, value);
            for line in safe.lines() {
                assert!(!is_workflow_command(line), "{line}");
            }
            assert!(!safe.contains(['\u{7f}', '\u{9b}', '\u{202e}']), "{safe}");
        }
    }

    #[test]
    fn one_line_is_flat_bounded_and_safe() {
        assert_eq!(one_line("  a\nb\tc  ", 100), "a b c");
        assert_eq!(one_line("::add-mask::x", 100), ":\u{200B}:add-mask::x");
        let huge = "é".repeat(3_000_000);
        let s = one_line(&huge, MAX_LINE_BYTES);
        assert!(s.len() <= MAX_LINE_BYTES + 3, "{}", s.len());
        assert!(s.ends_with('…'));
        assert!(!one_line("x\u{1b}]0;title\u{7}", 100).contains('\u{1b}'));
    }

    #[test]
    fn block_keeps_lines_and_marks_the_cut() {
        assert_eq!(block("a\n::error::b", 100), "a\n:\u{200B}:error::b");
        assert_eq!(block("abcdef", 3), "abc […]");
    }

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(
            strip_ansi("\u{1b}[31mAssertionError\u{1b}[0m: boom"),
            "AssertionError: boom"
        );
        assert_eq!(strip_ansi("a\u{1b}[1;38;5;196mb\u{1b}(Bc"), "abc");
        assert_eq!(strip_ansi("no escapes [31m here"), "no escapes [31m here");
        assert_eq!(strip_ansi("trailing \u{1b}"), "trailing ");
        assert_eq!(strip_ansi("a\u{1b}]8;;http://x\u{7}b\u{1b}"), "ab");
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{1b}\\b"), "ab");
    }
}
