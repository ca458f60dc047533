//! The run summary as GitHub-flavoured Markdown: the GitHub job summary, the PR comment body and
//! `--summary-md FILE` for GitLab, Jenkins or Buildkite (`buildkite-agent annotate`).
//!
//! Owns the layout and the size budget. GitHub rejects a step summary over 1 MiB (and a comment
//! over 65,536 characters), so lists are cut to fit `max_bytes` with a note saying how many rows
//! were left out; the totals, the execution link and the errors always come first. Every
//! untrusted string (test names, messages, paths) goes through [`inline`], which escapes Markdown
//! and HTML and defuses `@mentions`, so a result file cannot format, hide or ping anything.

use std::fmt::Write as _;

use crate::model::OutcomeKind;
use crate::report::summary_data::{BugRow, FailureRow, RunSummary};

/// Default budget for `$GITHUB_STEP_SUMMARY`: under GitHub's 1 MiB per step, with headroom.
pub const JOB_SUMMARY_MAX_BYTES: usize = 1_000_000;

/// Bytes kept free while filling a list, so the truncation notes of this and later sections
/// always fit.
const RESERVE: usize = 2048;

/// Longest test name and message shown in a table cell, in characters.
const NAME_CHARS: usize = 160;
const MESSAGE_CHARS: usize = 240;

/// Renders the summary in at most `max_bytes` bytes (UTF-8).
pub fn job_summary_markdown(s: &RunSummary, max_bytes: usize) -> String {
    let mut out = String::new();
    let failed = s.failed_total();
    let icon = if failed > 0 { "❌" } else { "✅" };
    let _ = writeln!(
        out,
        "## {icon} xray-sync{}\n",
        if s.dry_run { " (dry run)" } else { "" }
    );
    let c = &s.counts;
    let _ = writeln!(
        out,
        "| Total | Passed | Failed | Errors | Skipped | Flaky |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {} | {} | {} | {} | {} | {} |\n",
        c.total, c.passed, c.failed, c.error, c.skipped, c.flaky
    );
    match (&s.execution, s.dry_run) {
        (Some(e), _) => {
            let _ = writeln!(
                out,
                "**Test Execution:** {}\n",
                link(&e.key, e.url.as_deref())
            );
        }
        (None, true) => out.push_str("_Dry run: nothing was sent to Xray or Jira._\n\n"),
        (None, false) => {}
    }
    if let Some(url) = s.run_url.as_deref().and_then(safe_url) {
        let _ = writeln!(out, "[CI run]({url})\n");
    }

    list_section(
        &mut out,
        max_bytes,
        "### ⚠️ Problems",
        None,
        s.errors.iter().map(|e| format!("- {}\n", inline(e, 500))),
        s.errors.len(),
        "problems",
    );

    let mut failures: Vec<&FailureRow> = s.failures.iter().collect();
    // Errors (the test could not run) before plain failures; stable within each.
    failures.sort_by_key(|f| f.kind != OutcomeKind::Error);
    list_section(
        &mut out,
        max_bytes,
        &format!("### Failed tests ({})", s.failures.len()),
        Some("| Test | Xray | Message | Where |\n| --- | --- | --- | --- |\n"),
        failures.iter().map(|f| failure_row(f)),
        failures.len(),
        "failed tests",
    );

    list_section(
        &mut out,
        max_bytes,
        "### Jira bugs",
        Some("| Action | Issue | Test |\n| --- | --- | --- |\n"),
        s.bugs.iter().map(|b| bug_row(b, s.dry_run)),
        s.bugs.len(),
        "bugs",
    );

    list_section(
        &mut out,
        max_bytes,
        &format!("### Flaky tests ({})", s.flaky.len()),
        None,
        s.flaky
            .iter()
            .map(|n| format!("- {}\n", inline(n, NAME_CHARS))),
        s.flaky.len(),
        "flaky tests",
    );

    list_section(
        &mut out,
        max_bytes,
        &format!("### Stale Test keys ({})", s.stale_keys.len()),
        None,
        s.stale_keys
            .iter()
            .map(|k| format!("- {}\n", inline(k, 500))),
        s.stale_keys.len(),
        "stale keys",
    );

    list_section(
        &mut out,
        max_bytes,
        "### Notes",
        None,
        s.notes.iter().map(|n| format!("- {}\n", inline(n, 500))),
        s.notes.len(),
        "notes",
    );

    truncate_to(&mut out, max_bytes);
    out
}

/// Appends a heading and as many items as fit, then a note for the rest. Empty lists print
/// nothing.
fn list_section(
    out: &mut String,
    max_bytes: usize,
    heading: &str,
    table_head: Option<&str>,
    items: impl Iterator<Item = String>,
    total: usize,
    what: &str,
) {
    if total == 0 {
        return;
    }
    let head_len = heading.len() + 2 + table_head.map_or(0, str::len);
    if out.len() + head_len + RESERVE > max_bytes {
        let _ = writeln!(
            out,
            "_{total} {what} not shown: the summary reached its size limit; see the JSON report._\n"
        );
        return;
    }
    let _ = writeln!(out, "{heading}\n");
    if let Some(t) = table_head {
        out.push_str(t);
    }
    let mut shown = 0;
    for item in items {
        if out.len() + item.len() + RESERVE > max_bytes {
            break;
        }
        out.push_str(&item);
        shown += 1;
    }
    out.push('\n');
    if shown < total {
        let _ = writeln!(
            out,
            "_… and {} more {what} not shown: the summary is capped at {} bytes; see the JSON report._\n",
            total - shown,
            max_bytes
        );
    }
}

fn failure_row(f: &FailureRow) -> String {
    let name = if f.kind == OutcomeKind::Error {
        format!("{} (error)", inline(&f.name, NAME_CHARS))
    } else {
        inline(&f.name, NAME_CHARS)
    };
    let key = f
        .xray_key
        .as_deref()
        .map_or("—".to_string(), |k| inline(k, 40));
    let message = f
        .message
        .as_deref()
        .and_then(|m| m.lines().find(|l| !l.trim().is_empty()))
        .map_or(String::new(), |m| inline(m, MESSAGE_CHARS));
    let place = match (&f.file, f.line, &f.result_file) {
        (Some(file), Some(line), _) => format!("`{}:{line}`", code(file)),
        (Some(file), None, _) => format!("`{}`", code(file)),
        (None, _, Some(result)) => format!("`{}`", code(result)),
        (None, _, None) => String::new(),
    };
    format!("| {name} | {key} | {message} | {place} |\n")
}

fn bug_row(b: &BugRow, dry_run: bool) -> String {
    let issue = match &b.key {
        Some(k) => link(k, b.url.as_deref()),
        None => "(new)".to_string(),
    };
    format!(
        "| {} | {issue} | {} |\n",
        b.action.verb(dry_run),
        inline(&b.test, NAME_CHARS)
    )
}

/// `[text](url)` when the URL is a plain http(s) URL, else the escaped text alone.
fn link(text: &str, url: Option<&str>) -> String {
    match url.and_then(safe_url) {
        Some(u) => format!("[{}]({u})", inline(text, 80)),
        None => inline(text, 80),
    }
}

/// Accepts only http(s) URLs and percent-encodes the characters that would end a Markdown link.
fn safe_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '|' => out.push_str("%7C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Untrusted text as one line of inline Markdown: whitespace collapsed, cut to `max_chars`,
/// Markdown punctuation backslash-escaped, HTML special characters as entities, and a
/// zero-width space after `@` so no user or team is mentioned.
pub fn inline(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 2));
    let mut last_space = false;
    for (n, c) in s.trim().chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        if c.is_whitespace() || c.is_control() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200B}"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: one line, no backticks or pipes (a pipe ends a table cell even
/// in code), cut to 200 characters.
fn code(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| match c {
            '`' => '\'',
            '|' => '¦',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Cuts at a character boundary. Only a last resort: the sections already keep to the budget.
fn truncate_to(s: &mut String, max_bytes: usize) {
    if s.len() <= max_bytes {
        return;
    }
    let mut cut = max_bytes;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markdown_html_and_mentions() {
        assert_eq!(
            inline("a|b <script> *x* @org/team\n[l](u)", 100),
            "a\\|b &lt;script&gt; \\*x\\* @\u{200B}org/team \\[l\\]\\(u\\)"
        );
        assert_eq!(inline("abcdef", 3), "abc…");
    }

    #[test]
    fn only_http_links() {
        assert_eq!(link("K-1", Some("javascript:alert(1)")), "K-1");
        assert_eq!(
            link("K-1", Some("https://x/browse/K-1 (a)")),
            "[K-1](https://x/browse/K-1%20%28a%29)"
        );
    }

    #[test]
    fn tiny_budget_still_bounded() {
        let s = RunSummary {
            notes: vec!["n".repeat(100); 100],
            ..RunSummary::default()
        };
        assert!(job_summary_markdown(&s, 300).len() <= 300);
    }
}
