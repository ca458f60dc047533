//! The run summary as GitHub-flavoured Markdown: the GitHub job summary, the PR comment body and
//! `--summary-md FILE` for GitLab, Jenkins or Buildkite (`buildkite-agent annotate`).
//!
//! Owns the layout and the size budget. People read one screen, so the summary is:
//! a header line (totals, execution, CI run); problems first when there are any (each with its
//! fix command in a code block); ONE failures table (test, message, then bug, Xray Test and
//! attempts when any row has one) of at most [`MAX_FAILURE_ROWS`] rows, then "and N more" with
//! where the rest is; flaky tests; other Jira actions; notes. The whole text stays under
//! `max_bytes` ([`JOB_SUMMARY_MAX_BYTES`], 60 KiB) for any run size: the sections after the
//! table are measured first, so flaky tests and problems survive any number of failures. Every
//! untrusted string (test names, messages, paths) goes through [`inline`], which escapes
//! Markdown and HTML and defuses `@mentions`, so a result file cannot format, hide or ping
//! anything.

use std::fmt::Write as _;

use crate::model::OutcomeKind;
use crate::report::summary_data::{BugRow, FailureRow, Problem, RunSummary};

/// Budget for the job summary, the PR comment and `--summary-md`: under 64 KiB, so any run's
/// summary reads as one page (GitHub's own limit is 1 MiB per step).
pub const JOB_SUMMARY_MAX_BYTES: usize = 60 * 1024;

/// Failure rows shown before "and N more".
pub const MAX_FAILURE_ROWS: usize = 50;
/// Flaky tests, other bug actions, notes and problems listed before "and N more".
const MAX_LIST_ITEMS: usize = 50;

/// Longest test title, message and problem shown, in characters.
const NAME_CHARS: usize = 160;
const MESSAGE_CHARS: usize = 200;
const ID_CHARS: usize = 300;
const PROBLEM_CHARS: usize = 600;

/// Renders the summary in at most `max_bytes` bytes (UTF-8).
pub fn job_summary_markdown(s: &RunSummary, max_bytes: usize) -> String {
    let mut out = header(s);
    let problems = problems_section(s, max_bytes / 3);
    let tail_budget = max_bytes / 4;
    let flaky = list_section(
        &format!("### 🔁 Flaky tests ({})", s.flaky.len()),
        s.flaky
            .iter()
            .map(|n| format!("- {}\n", inline(n, NAME_CHARS))),
        s.flaky.len(),
        "flaky tests",
        tail_budget / 2,
        &more_hint(s),
    );
    let other_bugs: Vec<&BugRow> = s.other_bugs();
    let bugs = list_section(
        "### Other Jira actions",
        other_bugs.iter().map(|b| bug_item(b, s.dry_run)),
        other_bugs.len(),
        "Jira actions",
        tail_budget / 4,
        &more_hint(s),
    );
    // Stale keys are problems too: shown with them, before the failures.
    let stale = list_section(
        &format!("### Stale Test keys ({})", s.stale_keys.len()),
        s.stale_keys
            .iter()
            .map(|k| format!("- {}\n", inline(k, 500))),
        s.stale_keys.len(),
        "stale keys",
        max_bytes / 8,
        &more_hint(s),
    );
    let notes = list_section(
        "### Notes",
        s.notes.iter().map(|n| format!("- {}\n", inline(n, 500))),
        s.notes.len(),
        "notes",
        tail_budget / 4,
        &more_hint(s),
    );
    out.push_str(&problems);
    out.push_str(&stale);
    let used = out.len() + flaky.len() + bugs.len() + notes.len();
    out.push_str(&failures_section(s, max_bytes.saturating_sub(used)));
    out.push_str(&flaky);
    out.push_str(&bugs);
    out.push_str(&notes);
    truncate_to(&mut out, max_bytes);
    out
}

/// Title and one line of facts: totals, the execution, the CI run.
fn header(s: &RunSummary) -> String {
    let c = &s.counts;
    let failed = s.failed_total();
    let icon = if failed > 0 { "❌" } else { "✅" };
    let verdict = if c.total == 0 {
        "no test results".to_string()
    } else if failed > 0 {
        format!("{failed} of {} tests failed", c.total)
    } else {
        format!("all {} tests passed", c.total)
    };
    let mut out = format!(
        "## {icon} xray-sync{}: {verdict}\n\n",
        if s.dry_run { " (dry run)" } else { "" }
    );
    let mut facts = vec![format!(
        "**{}** tests: **{}** passed, **{}** failed, **{}** errors, **{}** skipped, **{}** flaky",
        c.total, c.passed, c.failed, c.error, c.skipped, c.flaky
    )];
    match (&s.execution, s.dry_run) {
        (Some(e), _) => facts.push(format!("Test Execution {}", link(&e.key, e.url.as_deref()))),
        (None, true) => facts.push("dry run: nothing was sent".to_string()),
        (None, false) => {}
    }
    if let Some(url) = s.run_url.as_deref().and_then(safe_url) {
        facts.push(format!("[CI run]({url})"));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    out
}

fn problems_section(s: &RunSummary, budget: usize) -> String {
    let all: Vec<Problem> = s
        .problems
        .iter()
        .cloned()
        .chain(s.errors.iter().map(Problem::new))
        .collect();
    list_section(
        &format!("### ⚠️ Problems ({})", all.len()),
        all.iter().map(problem_item),
        all.len(),
        "problems",
        budget,
        &more_hint(s),
    )
}

fn problem_item(p: &Problem) -> String {
    let mut item = format!("- {}\n", inline(&p.text, PROBLEM_CHARS));
    if let Some(cmd) = &p.command {
        // A fenced block shows the command verbatim, ready to copy; the fence is longer than
        // any backtick run inside, so the command cannot close it.
        let cmd: String = cmd
            .chars()
            .take(PROBLEM_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let fence = "`".repeat(longest_run(&cmd, '`').max(2) + 1);
        let _ = writeln!(item, "\n  {fence}sh\n  {cmd}\n  {fence}");
    }
    item
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Where the rows a list leaves out can be read.
fn more_hint(s: &RunSummary) -> String {
    let report = match (&s.report_artifact, &s.report_path) {
        (Some(a), _) => format!("the `{}` artifact", code(a)),
        (None, Some(p)) => format!("`{}`", code(p)),
        (None, None) => return "see the console log or run with `--report FILE`".to_string(),
    };
    match s.run_url.as_deref().and_then(safe_url) {
        Some(url) if s.report_artifact.is_some() => {
            format!("the full list is in the JSON report, {report} of the [CI run]({url})")
        }
        Some(_) | None => format!("the full list is in the JSON report, {report}"),
    }
}

fn failures_section(s: &RunSummary, budget: usize) -> String {
    if s.failures.is_empty() {
        return String::new();
    }
    let mut rows: Vec<&FailureRow> = s.failures.iter().collect();
    // Errors (the test could not run) before plain failures; stable within each.
    rows.sort_by_key(|f| f.kind != OutcomeKind::Error);
    // A column nobody has a value for is left out: an all-"—" column is noise (unmapped tests
    // have no Xray key before Xray creates them; a run without Jira files no bug).
    let columns = Columns {
        bug: rows.iter().any(|f| f.bug.is_some()),
        xray: rows.iter().any(|f| f.xray_key.is_some()),
        attempts: rows.iter().any(|f| f.attempts > 1),
    };
    let mut head = format!(
        "### Failed tests ({})\n\n| Test | Message |",
        s.failures.len()
    );
    let mut rule = String::from("| --- | --- |");
    for (on, name, align) in [
        (columns.bug, "Bug", " --- |"),
        (columns.xray, "Xray Test", " --- |"),
        (columns.attempts, "Attempts", " ---: |"),
    ] {
        if on {
            head.push_str(&format!(" {name} |"));
            rule.push_str(align);
        }
    }
    head.push('\n');
    head.push_str(&rule);
    head.push('\n');
    bounded_list(
        head,
        rows.iter()
            .take(MAX_FAILURE_ROWS)
            .map(|f| failure_row(f, columns, s.dry_run)),
        rows.len(),
        "failed tests",
        budget,
        &more_hint(s),
    )
}

/// A heading and as many items as fit in `budget` bytes (at most [`MAX_LIST_ITEMS`]), then a
/// line saying how many were left out and where they are. Empty lists print nothing.
fn list_section(
    heading: &str,
    items: impl Iterator<Item = String>,
    total: usize,
    what: &str,
    budget: usize,
    hint: &str,
) -> String {
    if total == 0 {
        return String::new();
    }
    bounded_list(
        format!("{heading}\n\n"),
        items.take(MAX_LIST_ITEMS),
        total,
        what,
        budget,
        hint,
    )
}

fn bounded_list(
    head: String,
    items: impl Iterator<Item = String>,
    total: usize,
    what: &str,
    budget: usize,
    hint: &str,
) -> String {
    let tail = |left: usize| format!("\n_… and {left} more {what}: {hint}._\n\n");
    // Room for the "and N more" line, whatever N is.
    let reserve = tail(total).len();
    let mut out = head;
    let mut shown = 0;
    for item in items {
        if out.len() + item.len() + reserve > budget {
            break;
        }
        out.push_str(&item);
        shown += 1;
    }
    if shown == 0 && out.len() + reserve > budget {
        // Not even the heading fits: one line saying what is missing.
        return format!("_{total} {what} not shown: {hint}._\n\n");
    }
    if shown < total {
        out.push_str(&tail(total - shown));
    } else {
        out.push('\n');
    }
    out
}

/// Which optional columns the failures table has.
#[derive(Debug, Clone, Copy)]
struct Columns {
    bug: bool,
    xray: bool,
    attempts: bool,
}

fn failure_row(f: &FailureRow, columns: Columns, dry_run: bool) -> String {
    let title = inline(&f.short_title(), NAME_CHARS);
    let title = if f.kind == OutcomeKind::Error {
        format!("{title} (error)")
    } else {
        title
    };
    // The full id (and the source line) behind a disclosure: the short title is what people
    // scan, the id is what they search for.
    // The definition (what a search finds); an Xray key is in its own column.
    let full_id = if f.definition.is_empty() {
        &f.test_id
    } else {
        &f.definition
    };
    let mut where_ = inline(full_id, ID_CHARS);
    match (&f.file, f.line) {
        (Some(file), Some(line)) => {
            let _ = write!(where_, "<br>{}:{line}", inline(file, ID_CHARS));
        }
        (Some(file), None) => {
            let _ = write!(where_, "<br>{}", inline(file, ID_CHARS));
        }
        (None, _) => {}
    }
    let test = format!("<details><summary>{title}</summary>{where_}</details>");
    let message = f
        .message_line()
        .map_or("—".to_string(), |m| inline(&m, MESSAGE_CHARS));
    let bug = match &f.bug {
        Some(b) => {
            let key = match &b.key {
                Some(k) => link(k, b.url.as_deref()),
                None => "new bug".to_string(),
            };
            format!("{key} {}", b.action.verb(dry_run))
        }
        None => "—".to_string(),
    };
    let xray = match &f.xray_key {
        Some(k) => link(k, f.xray_url.as_deref()),
        None => "—".to_string(),
    };
    let mut row = format!("| {test} | {message} |");
    if columns.bug {
        row.push_str(&format!(" {bug} |"));
    }
    if columns.xray {
        row.push_str(&format!(" {xray} |"));
    }
    if columns.attempts {
        let attempts = if f.attempts > 1 {
            f.attempts.to_string()
        } else {
            String::new()
        };
        row.push_str(&format!(" {attempts} |"));
    }
    row.push('\n');
    row
}

fn bug_item(b: &BugRow, dry_run: bool) -> String {
    let issue = match &b.key {
        Some(k) => link(k, b.url.as_deref()),
        None => "a new bug".to_string(),
    };
    format!(
        "- {} {issue}: {}\n",
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

    #[test]
    fn empty_columns_are_left_out_and_attempts_shown_when_more_than_one() {
        let row = |attempts| FailureRow {
            name: "adds".into(),
            definition: "com.acme.CalcTest.adds".into(),
            test_id: "com.acme.CalcTest.adds".into(),
            message: Some("expected 3\nbut was 4".into()),
            attempts,
            ..FailureRow::default()
        };
        let s = RunSummary {
            failures: vec![row(1)],
            ..RunSummary::default()
        };
        let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
        assert!(md.contains("| Test | Message |\n| --- | --- |\n"), "{md}");
        assert!(md.contains("</details> | expected 3 |\n"), "{md}");
        let s = RunSummary {
            failures: vec![row(3), row(1)],
            ..RunSummary::default()
        };
        let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
        assert!(md.contains("| Test | Message | Attempts |\n"), "{md}");
        assert!(md.contains("<summary>CalcTest.adds</summary>"), "{md}");
        assert!(md.contains(" | expected 3 | 3 |\n"), "{md}");
        assert!(md.contains(" | expected 3 |  |\n"), "{md}");
    }

    #[test]
    fn resend_command_is_a_fenced_block_not_backticks() {
        let s = RunSummary {
            problems: vec![Problem::with_command(
                "Xray: results were not sent",
                "xray-sync resend .xray-sync-spool/run-1",
            )],
            ..RunSummary::default()
        };
        let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
        assert!(
            md.contains("\n  ```sh\n  xray-sync resend .xray-sync-spool/run-1\n  ```\n"),
            "{md}"
        );
        assert!(!md.contains("`xray-sync resend"), "{md}");
    }
}
