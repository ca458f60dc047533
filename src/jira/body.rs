//! What bug descriptions and comments say, as a small block model that `adf.rs` (Cloud) and
//! `wiki.rs` (DC) render, plus truncation that runs AFTER rendering.
//!
//! Owns wording and the size budget. Jira rejects descriptions and comments over 32,767
//! characters, and markup can grow text (escaping, JSON), so [`fit`] measures the rendered form
//! and cuts the biggest block until it fits, instead of cutting the input and hoping.

use crate::plan::{BugReport, IssueKey};

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

fn run_link(url: Option<&str>, marker: &str) -> Inline {
    match url {
        Some(u) if !u.is_empty() => Inline::Link {
            text: marker.to_string(),
            href: u.to_string(),
        },
        _ => Inline::Code(marker.to_string()),
    }
}

/// The description of a new bug.
pub fn bug_description(r: &BugReport, ctx: &Context) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut test_line = vec![strong("Test: "), Inline::Code(r.test_id.clone())];
    if !r.name.is_empty() && r.name != r.test_id {
        test_line.push(text(format!(" ({})", r.name)));
    }
    blocks.push(Block::Para(test_line));
    if !r.definition.is_empty() && r.definition != r.test_id {
        blocks.push(Block::Para(vec![
            strong("Definition: "),
            Inline::Code(r.definition.clone()),
        ]));
    }
    if let Some(key) = &r.xray_key {
        blocks.push(Block::Para(vec![
            strong("Xray Test: "),
            key_link(key, ctx.xray_url),
        ]));
    }
    if let Some(url) = r.ci_run_url.as_deref().filter(|u| !u.is_empty()) {
        blocks.push(Block::Para(vec![
            strong("CI run: "),
            Inline::Link {
                text: url.to_string(),
                href: url.to_string(),
            },
        ]));
    }
    failure_blocks(r, &mut blocks);
    attempts_blocks(r, &mut blocks);
    blocks.push(Block::Para(vec![
        text("Filed by xray-sync in run "),
        Inline::Code(ctx.run_marker.to_string()),
        text(". Dedup label: "),
        Inline::Code(ctx.label.to_string()),
    ]));
    blocks
}

/// A comment saying the test failed again, carrying the run marker that stops a re-run of the
/// same CI run from commenting twice.
pub fn failed_again(r: &BugReport, ctx: &Context, reopened: bool) -> Vec<Block> {
    let lead = if reopened {
        "Reopened by xray-sync: the test failed again in run "
    } else {
        "Failed again in run "
    };
    let mut blocks = vec![Block::Para(vec![
        text(lead),
        run_link(r.ci_run_url.as_deref(), ctx.run_marker),
        text(" (xray-sync run marker: "),
        Inline::Code(ctx.run_marker.to_string()),
        text(")."),
    ])];
    failure_blocks(r, &mut blocks);
    attempts_blocks(r, &mut blocks);
    blocks
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
    run_marker: &str,
    label: &str,
    comment: bool,
) -> Vec<Block> {
    let lead = if comment {
        format!("{} tests failed again in run ", lines.len())
    } else {
        format!(
            "{} tests failed at once, so xray-sync filed this one issue instead of a bug per test. Run ",
            lines.len()
        )
    };
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
        Block::Para(vec![
            text(lead),
            Inline::Code(run_marker.to_string()),
            text(" (xray-sync run marker). Dedup label: "),
            Inline::Code(label.to_string()),
        ]),
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

fn failure_blocks(r: &BugReport, blocks: &mut Vec<Block>) {
    if let Some(m) = r.message.as_deref().filter(|m| !m.trim().is_empty()) {
        blocks.push(Block::Para(vec![strong("Failure:")]));
        blocks.push(Block::Code(m.to_string()));
    }
    if let Some(d) = r.details.as_deref().filter(|d| !d.trim().is_empty()) {
        blocks.push(Block::Para(vec![strong("Details:")]));
        blocks.push(Block::Code(d.to_string()));
    }
}

fn attempts_blocks(r: &BugReport, blocks: &mut Vec<Block>) {
    if r.attempts.len() <= 1 && !r.flaky {
        return;
    }
    let mut head = format!("Attempts: {}", r.attempts.len());
    if r.flaky {
        head.push_str(" (flaky: passed on a retry)");
    }
    blocks.push(Block::Para(vec![strong(head)]));
    let items = r
        .attempts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut s = format!("#{} {}", i + 1, a.outcome.as_str());
            if let Some(m) = a.message.as_deref().and_then(|m| m.lines().next()) {
                s.push_str(": ");
                s.push_str(&first_chars(m, 300));
            }
            vec![text(s)]
        })
        .collect::<Vec<_>>();
    if !items.is_empty() {
        blocks.push(Block::Bullets(items));
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
