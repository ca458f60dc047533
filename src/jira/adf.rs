//! Atlassian Document Format for Jira Cloud (REST v3): bug descriptions and comments.
//!
//! Owns the ADF rules that bite: the `doc` root with version 1, no empty text nodes (Jira
//! answers `INVALID_INPUT`), code blocks holding unmarked text only, links with `attrs.href`,
//! no control characters. Size is measured on the serialized JSON, after rendering.

use serde_json::{Value, json};

use super::body::{self, Block, Inline};

/// The ADF document for `blocks`, cut to fit Jira's size limit as serialized JSON.
pub fn document(blocks: Vec<Block>) -> Value {
    let fitted = body::fit(blocks, body::BUDGET, |b| serialized_len(&render(b)));
    render(&fitted)
}

/// Characters in the serialized JSON: what counts against the 32,767 limit (the safe reading
/// of an undocumented rule).
pub fn serialized_len(v: &Value) -> usize {
    serde_json::to_string(v)
        .map(|s| s.chars().count())
        .unwrap_or(usize::MAX)
}

fn render(blocks: &[Block]) -> Value {
    let content: Vec<Value> = blocks.iter().filter_map(block).collect();
    json!({"type": "doc", "version": 1, "content": content})
}

fn block(b: &Block) -> Option<Value> {
    match b {
        Block::Para(inlines) => paragraph(inlines),
        Block::Code(t) => {
            let t = body::clean(t);
            // An empty code block is INVALID_INPUT; a single space is not.
            let t = if t.is_empty() { " ".to_string() } else { t };
            Some(json!({
                "type": "codeBlock",
                "attrs": {"language": "text"},
                "content": [{"type": "text", "text": t}],
            }))
        }
        Block::Bullets(items) => {
            let items: Vec<Value> = items
                .iter()
                .filter_map(|i| paragraph(i))
                .map(|p| json!({"type": "listItem", "content": [p]}))
                .collect();
            (!items.is_empty()).then(|| json!({"type": "bulletList", "content": items}))
        }
    }
}

fn paragraph(inlines: &[Inline]) -> Option<Value> {
    let nodes: Vec<Value> = inlines.iter().filter_map(inline).collect();
    (!nodes.is_empty()).then(|| json!({"type": "paragraph", "content": nodes}))
}

fn inline(i: &Inline) -> Option<Value> {
    let node = |text: &str, marks: Value| {
        // Newlines inside inline text become spaces: a paragraph is one line of text nodes.
        let t = body::clean(text).replace(['\n', '\t'], " ");
        (!t.is_empty()).then(|| {
            if marks.as_array().is_some_and(|m| m.is_empty()) {
                json!({"type": "text", "text": t})
            } else {
                json!({"type": "text", "text": t, "marks": marks})
            }
        })
    };
    match i {
        Inline::Text(t) => node(t, json!([])),
        Inline::Strong(t) => node(t, json!([{"type": "strong"}])),
        Inline::Code(t) => node(t, json!([{"type": "code"}])),
        Inline::Link { text, href } => {
            node(text, json!([{"type": "link", "attrs": {"href": href}}]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("type") == Some(&json!("text")) {
                    out.push(m["text"].as_str().unwrap_or_default().to_string());
                }
                m.values().for_each(|x| texts(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
            _ => {}
        }
    }

    #[test]
    fn no_empty_text_nodes_and_valid_root() {
        let doc = document(vec![
            Block::Para(vec![
                Inline::Text(String::new()),
                Inline::Strong("x".into()),
            ]),
            Block::Para(vec![Inline::Text(String::new())]),
            Block::Code(String::new()),
            Block::Code("a\u{0}b\nc".into()),
            Block::Bullets(vec![vec![Inline::Text(String::new())]]),
        ]);
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["version"], 1);
        let mut t = Vec::new();
        texts(&doc, &mut t);
        assert!(t.iter().all(|s| !s.is_empty()), "{t:?}");
        assert!(t.contains(&"ab\nc".to_string()), "{t:?}");
        // The empty paragraph and bullet list are gone; the empty code block became " ".
        assert_eq!(doc["content"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn code_blocks_carry_no_marks_and_links_have_href() {
        let doc = document(vec![
            Block::Code("stack".into()),
            Block::Para(vec![Inline::Link {
                text: "run".into(),
                href: "https://ci/1".into(),
            }]),
        ]);
        assert!(doc["content"][0]["content"][0].get("marks").is_none());
        assert_eq!(
            doc["content"][1]["content"][0]["marks"][0]["attrs"]["href"],
            "https://ci/1"
        );
    }

    #[test]
    fn huge_stack_is_cut_after_rendering() {
        // Quotes double in JSON: cutting the input to the limit would not be enough.
        let stack = "\"q\" \\ ".repeat(20_000);
        let doc = document(vec![
            Block::Para(vec![Inline::Text("head".into())]),
            Block::Code(stack),
        ]);
        let n = serialized_len(&doc);
        assert!(n <= body::BUDGET, "{n}");
        assert!(n > body::BUDGET - 2_000, "cut far too much: {n}");
        let mut t = Vec::new();
        texts(&doc, &mut t);
        assert!(t.iter().any(|s| s.ends_with("to fit Jira's size limit")));
    }
}
