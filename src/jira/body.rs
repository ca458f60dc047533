//! What bug descriptions and comments say, as a small block model that `adf.rs` (Cloud) and
//! `wiki.rs` (DC) render, plus truncation that runs AFTER rendering.
//!
//! Owns wording and the size budget. Jira rejects descriptions and comments over 32,767
//! characters, and markup can grow text (escaping, JSON), so [`fit`] measures the rendered form
//! and cuts the biggest block until it fits, instead of cutting the input and hoping.

use crate::plan::{BugReport, IssueKey, RunFacts};

/// Jira's limit for a description or comment body.
pub const JIRA_TEXT_LIMIT: usize = 32_767;
/// What we aim for: under the limit with room for Jira's own counting differences.
pub const BUDGET: usize = 32_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Code(String),
    Link { text: String, href: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para(Vec<Inline>),
    /// Preformatted text (failure messages, stack traces): never interpreted as markup.
    Code(String),
    Bullets(Vec<Vec<Inline>>),
}

/// Longest test id, definition or file name in a description, in characters.
const ID_CHARS: usize = 1000;

/// Links and identifiers the wording needs besides the report.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Browse URL of the Xray Test, when the test has a key.
    pub xray_url: Option<&'a str>,
    pub label: &'a str,
    pub run_marker: &'a str,
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

/// The CI run a text talks about: its link and its facts.
#[derive(Debug, Clone, Copy)]
pub struct RunRef<'a> {
    pub url: Option<&'a str>,
    pub facts: &'a RunFacts,
}

impl<'a> RunRef<'a> {
    pub fn of(r: &'a BugReport) -> RunRef<'a> {
        RunRef {
            url: r.ci_run_url.as_deref(),
            facts: &r.run,
        }
    }
}

/// The CI run as a link with readable text (`tests run 42 (attempt 1)`), falling back to the
/// URL itself, or to the marker in code when there is no link at all.
fn run_link(run: RunRef, marker: &str) -> Inline {
    let title = run.facts.title.as_deref().filter(|t| !t.is_empty());
    match (run.url.filter(|u| !u.is_empty()), title) {
        (Some(u), Some(t)) => Inline::Link {
            text: t.to_string(),
            href: u.to_string(),
        },
        (Some(u), None) => Inline::Link {
            text: u.to_string(),
            href: u.to_string(),
        },
        (None, Some(t)) => text(t),
        (None, None) => Inline::Code(marker.to_string()),
    }
}

/// The run link followed by ` (commit abc123def456, branch main, PR #7)` when any is known:
/// what people need to find the change.
fn run_with_facts(run: RunRef, marker: &str) -> Vec<Inline> {
    let f = run.facts;
    let mut parts: Vec<Vec<Inline>> = Vec::new();
    if let Some(sha) = f.sha.as_deref().filter(|s| !s.is_empty()) {
        parts.push(vec![
            text("commit "),
            Inline::Code(sha.chars().take(12).collect()),
        ]);
    }
    if let Some(b) = f.branch.as_deref().filter(|b| !b.is_empty()) {
        parts.push(vec![text("branch "), Inline::Code(first_chars(b, 200))]);
    }
    if let Some(pr) = f.pr_number {
        parts.push(vec![text(format!("PR #{pr}"))]);
    }
    let mut out = vec![run_link(run, marker)];
    if !parts.is_empty() {
        out.push(text(" ("));
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(text(", "));
            }
            out.extend(p);
        }
        out.push(text(")"));
    }
    out
}

/// The first non-blank line of the failure message.
fn first_line(m: Option<&str>) -> Option<&str> {
    m?.lines().map(str::trim).find(|l| !l.is_empty())
}

/// The description of a new bug: what failed, where, when it was first seen, the details once,
/// the attempts as one line, and the xray-sync bookkeeping last.
pub fn bug_description(r: &BugReport, ctx: &Context) -> Vec<Block> {
    let mut blocks = Vec::new();
    let what = first_line(r.message.as_deref())
        .map(|m| first_chars(m, 500))
        .unwrap_or_else(|| "(the result file gave no failure message)".to_string());
    blocks.push(Block::Para(vec![strong("What failed: "), text(what)]));

    // Ids are cut like every single-line field: a result file can make a name megabytes long,
    // and only code blocks are shortened to fit Jira's limit.
    let mut where_ = vec![
        strong("Where: "),
        Inline::Code(first_chars(&r.test_id, ID_CHARS)),
    ];
    if !r.definition.is_empty() && r.definition != r.test_id {
        where_.push(text(" ("));
        where_.push(Inline::Code(first_chars(&r.definition, ID_CHARS)));
        where_.push(text(")"));
    }
    if let Some(file) = r.file.as_deref().filter(|f| !f.is_empty()) {
        let file = first_chars(file, ID_CHARS);
        let at = match r.line {
            Some(l) => format!("{file}:{l}"),
            None => file,
        };
        where_.push(text(" in "));
        where_.push(Inline::Code(at));
    }
    if let Some(key) = &r.xray_key {
        where_.push(text(", Xray Test: "));
        where_.push(key_link(key, ctx.xray_url));
    }
    blocks.push(Block::Para(where_));
    if !r.rows.is_empty() {
        // A data-driven Test: one bug, naming each failing row.
        let rows = r
            .rows
            .iter()
            .map(|n| first_chars(n, ID_CHARS))
            .collect::<Vec<_>>()
            .join(", ");
        blocks.push(Block::Para(vec![strong("Failing rows: "), text(rows)]));
    }

    let mut when = vec![strong("First seen: ")];
    when.extend(run_with_facts(RunRef::of(r), ctx.run_marker));
    blocks.push(Block::Para(when));

    if let Some(a) = attempts_line(r) {
        blocks.push(Block::Para(vec![strong("Attempts: "), text(a)]));
    }
    if let Some(d) = details(r) {
        blocks.push(Block::Code(d));
    }
    blocks.push(Block::Para(vec![
        text("Filed by xray-sync in run "),
        Inline::Code(ctx.run_marker.to_string()),
        text(". Dedup label: "),
        Inline::Code(ctx.label.to_string()),
    ]));
    blocks
}

/// A comment saying the test failed again: the run link, commit and branch, and the message
/// only when it is not the one the bug is about (`message_differs`). Never the stack again: it
/// is in the description and in the CI run. Carries the run marker that stops a re-run of the
/// same CI run from commenting twice.
pub fn failed_again(
    r: &BugReport,
    ctx: &Context,
    reopened: bool,
    message_differs: bool,
) -> Vec<Block> {
    let lead = if reopened {
        "Reopened by xray-sync: failed again in "
    } else {
        "Failed again in "
    };
    let mut para = vec![text(lead)];
    para.extend(run_with_facts(RunRef::of(r), ctx.run_marker));
    para.push(text(". xray-sync run marker: "));
    para.push(Inline::Code(ctx.run_marker.to_string()));
    let mut blocks = vec![Block::Para(para)];
    if message_differs && let Some(m) = first_line(r.message.as_deref()) {
        blocks.push(Block::Para(vec![
            strong("This time: "),
            text(first_chars(m, 500)),
        ]));
    }
    if let Some(a) = attempts_line(r) {
        blocks.push(Block::Para(vec![strong("Attempts: "), text(a)]));
    }
    blocks
}

/// The details once, trimmed: blank lines around them and the indentation all lines share
/// removed (JUnit bodies start with a newline and the XML's indentation). When there are no
/// details, a multi-line message takes their place.
fn details(r: &BugReport) -> Option<String> {
    let details = r.details.map(|d| d.read());
    let source = details
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .or_else(|| {
            r.message
                .as_deref()
                .filter(|m| m.trim().lines().count() > 1)
        })?;
    Some(dedent(source))
}

fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    let body = &lines[start..end];
    let indent = body
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `failed, failed, passed (flaky: passed on a retry)`; `None` for a single try.
fn attempts_line(r: &BugReport) -> Option<String> {
    if r.attempts.len() <= 1 && !r.flaky {
        return None;
    }
    let mut line = r
        .attempts
        .iter()
        .map(|a| a.outcome.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if r.flaky {
        line.push_str(" (flaky: passed on a retry)");
    }
    Some(line)
}

/// One failing test in an umbrella list.
#[derive(Debug, Clone)]
pub struct UmbrellaLine<'a> {
    pub test_id: &'a str,
    pub message: Option<&'a str>,
    pub xray_key: Option<(&'a IssueKey, String)>,
}

/// The umbrella issue's description (or its comment when it exists already).
pub fn umbrella(
    lines: &[UmbrellaLine],
    run: RunRef,
    run_marker: &str,
    label: &str,
    comment: bool,
) -> Vec<Block> {
    let mut lead = if comment {
        vec![text(format!("{} tests failed again in ", lines.len()))]
    } else {
        vec![text(format!("{} tests failed at once in ", lines.len()))]
    };
    lead.extend(run_with_facts(run, run_marker));
    lead.push(text(if comment {
        ". "
    } else {
        ", so xray-sync filed this one issue instead of a bug per test. "
    }));
    let bullets = lines
        .iter()
        .map(|l| {
            let mut line = vec![Inline::Code(l.test_id.to_string())];
            if let Some((key, url)) = &l.xray_key {
                line.push(text(" "));
                line.push(key_link(key, Some(url)));
            }
            if let Some(m) = l
                .message
                .and_then(|m| m.lines().next())
                .filter(|m| !m.trim().is_empty())
            {
                line.push(text(format!(": {}", first_chars(m, 300))));
            }
            line
        })
        .collect();
    vec![
        Block::Para(
            lead.into_iter()
                .chain([
                    text("xray-sync run marker: "),
                    Inline::Code(run_marker.to_string()),
                    text(". Dedup label: "),
                    Inline::Code(label.to_string()),
                ])
                .collect(),
        ),
        Block::Bullets(bullets),
    ]
}

/// The comment on an issue closed because its test passed.
pub fn passed(run_marker: &str) -> Vec<Block> {
    vec![Block::Para(vec![
        text("The test passed in run "),
        Inline::Code(run_marker.to_string()),
        text(" (xray-sync run marker), so xray-sync closes this bug."),
    ])]
}

/// The comment on a raced duplicate before it is closed.
pub fn duplicate_of(winner: &str, label: &str) -> Vec<Block> {
    vec![Block::Para(vec![
        text("Closed as a duplicate of "),
        Inline::Code(winner.to_string()),
        text(": parallel xray-sync runs filed the same failing test (label "),
        Inline::Code(label.to_string()),
        text("), and the issue with the lowest id is kept."),
    ])]
}

fn key_link(key: &IssueKey, url: Option<&str>) -> Inline {
    match url {
        Some(u) => Inline::Link {
            text: key.to_string(),
            href: u.to_string(),
        },
        None => Inline::Code(key.to_string()),
    }
}

fn first_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    }
}

/// Control characters other than newline and tab break ADF (and render as garbage in wiki).
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// Cuts `blocks` until `measure` (the rendered size) is at most `budget`: the largest code
/// block first, keeping as much of its head (where the assertion is) as fits, found by binary
/// search on the rendered size because escaping makes rendered and source lengths differ; then
/// bullets from the end. Always terminates; in the worst case a one-line notice replaces all.
pub fn fit(
    mut blocks: Vec<Block>,
    budget: usize,
    measure: impl Fn(&[Block]) -> usize,
) -> Vec<Block> {
    const NOTE: &str = "\n… truncated by xray-sync to fit Jira's size limit";
    let more = vec![text("… and more (list truncated to fit Jira's size limit)")];
    for _ in 0..64 {
        if measure(&blocks) <= budget {
            return blocks;
        }
        let biggest = blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b {
                Block::Code(t) if t != NOTE => Some((i, t.chars().count())),
                _ => None,
            })
            .max_by_key(|&(_, n)| n);
        if let Some((i, _)) = biggest {
            let Block::Code(original) = blocks[i].clone() else {
                continue;
            };
            let source: Vec<char> = original
                .strip_suffix(NOTE)
                .unwrap_or(&original)
                .chars()
                .collect();
            let with = |keep: usize, blocks: &mut Vec<Block>| {
                let head: String = source[..keep].iter().collect();
                blocks[i] = Block::Code(format!("{head}{NOTE}"));
            };
            // Largest `keep` that fits (0 when even an empty block is too big).
            let (mut lo, mut hi) = (0usize, source.len());
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                with(mid, &mut blocks);
                if measure(&blocks) <= budget {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            // With nothing kept the block is exactly NOTE, which is never picked again.
            with(lo, &mut blocks);
            continue;
        }
        let Some(pos) = blocks
            .iter()
            .rposition(|b| matches!(b, Block::Bullets(items) if items.len() > 1))
        else {
            break;
        };
        if let Block::Bullets(items) = &mut blocks[pos] {
            if items.last() == Some(&more) {
                items.pop();
            }
            let kept = items.len() - (items.len() / 2).max(1);
            items.truncate(kept);
            items.push(more.clone());
        }
    }
    if measure(&blocks) <= budget {
        return blocks;
    }
    vec![Block::Para(vec![text(
        "The failure details were too long for Jira; see the CI run.",
    )])]
}
