//! Jira wiki markup for Data Center (REST v2): bug descriptions and comments.
//!
//! Owns escaping: inline text has wiki metacharacters backslash-escaped, and logs go in
//! `{noformat}` blocks (never interpreted), with any `{noformat}` inside them defused. Size is
//! measured on the rendered string, after rendering.

use super::body::{self, Block, Inline};

/// The wiki markup for `blocks`, cut to fit Jira's size limit.
pub fn document(blocks: Vec<Block>) -> String {
    let fitted = body::fit(blocks, body::BUDGET, |b| render(b).chars().count());
    render(&fitted)
}

fn render(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Para(inlines) => line(inlines),
            Block::Code(t) => {
                let t = body::clean(t).replace("{noformat}", "{ noformat}");
                format!("{{noformat}}\n{t}\n{{noformat}}")
            }
            Block::Bullets(items) => items
                .iter()
                .map(|i| format!("* {}", line(i)))
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn line(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) if t.trim().is_empty() => escape(t),
            Inline::Strong(t) => {
                // Wiki bold needs the asterisks against non-space characters.
                let trailing = &t[t.trim_end().len()..];
                format!("*{}*{trailing}", escape(t.trim_end()))
            }
            Inline::Code(t) if t.is_empty() => String::new(),
            Inline::Code(t) => format!("{{{{{}}}}}", escape(t)),
            Inline::Link { text, href } => {
                format!("[{}|{}]", escape(text), href.replace(['|', ']', ' '], ""))
            }
        })
        .collect::<String>()
        .replace(['\n', '\r'], " ")
}

/// Backslash-escapes the characters wiki markup would interpret inline. `-` stays as is: it
/// only strikes through in `-word-` pairs, and run markers and keys are full of hyphens that
/// must stay searchable in comment text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in body::clean(s).chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '+' | '^' | '~' | '{' | '}' | '[' | ']' | '|' | '!' | '#' | '?'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped_and_logs_are_noformat() {
        let s = document(vec![
            Block::Para(vec![
                Inline::Strong("Test: ".into()),
                Inline::Code("a*b_[c]|{d}".into()),
            ]),
            Block::Code("x {noformat} y *z*".into()),
        ]);
        assert!(
            s.starts_with("*Test:* {{a\\*b\\_\\[c\\]\\|\\{d\\}}}"),
            "{s}"
        );
        assert!(
            s.contains("{noformat}\nx { noformat} y *z*\n{noformat}"),
            "{s}"
        );
    }

    #[test]
    fn links_and_bullets() {
        let s = document(vec![Block::Bullets(vec![vec![Inline::Link {
            text: "CALC-1".into(),
            href: "https://j/browse/CALC-1".into(),
        }]])]);
        assert_eq!(s, "* [CALC-1|https://j/browse/CALC-1]");
    }

    #[test]
    fn huge_log_is_cut_after_rendering() {
        let s = document(vec![Block::Code("{noformat}".repeat(5_000))]);
        let n = s.chars().count();
        assert!(n <= body::BUDGET && n > body::BUDGET - 2_000, "{n}");
        assert!(s.ends_with("size limit\n{noformat}"));
    }
}
