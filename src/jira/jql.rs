//! JQL text xray-sync sends: quoting and escaping of every value, and label batching.
//!
//! Owns the only code that builds JQL. Every value (project key included: `DO`, `IT` and `IF`
//! are reserved words) goes inside double quotes with `\` and `"` escaped, so test names with
//! quotes, backslashes, reserved words or non-ASCII text can never change the query's meaning.

/// Most labels in one `labels in (…)` clause: matches the `reconcileIssues` cap (50) and keeps
/// the JQL well under any proxy or server limit even with long labels.
pub const MAX_LABELS_PER_QUERY: usize = 50;

/// `value` as a JQL string literal: double-quoted, with `\` → `\\`, `"` → `\"` and control
/// characters as `\uXXXX` (a raw newline would end the literal on some Jira versions).
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `project = "P" AND labels in ("a", "b") ORDER BY created ASC`: every issue (any status) that
/// carries one of `labels`. Done issues are included on purpose: they tell "fixed before, file a
/// new one linked to it" apart from "never filed".
pub fn labels_query(project: &str, labels: &[String]) -> String {
    let list = labels
        .iter()
        .map(|l| quote(l))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "project = {} AND labels in ({list}) ORDER BY created ASC",
        quote(project)
    )
}

/// Splits `labels` into batches of at most [`MAX_LABELS_PER_QUERY`], dropping repeats. Jira
/// matches labels case-insensitively, so `Foo` and `foo` are one query value.
pub fn batches(labels: impl IntoIterator<Item = String>) -> Vec<Vec<String>> {
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<String> = labels
        .into_iter()
        .filter(|l| !l.is_empty() && seen.insert(l.to_lowercase()))
        .collect();
    unique
        .chunks(MAX_LABELS_PER_QUERY)
        .map(<[String]>::to_vec)
        .collect()
}

/// Makes a string usable as a Jira label: no whitespace (Jira rejects it), at most 255
/// characters. Labels that already comply (all generated ones) come back unchanged.
pub fn label(value: &str) -> String {
    let cleaned: String = value
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    cleaned.chars().take(255).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_backslash_quote_and_controls() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"a"b"#), r#""a\"b""#);
        assert_eq!(quote(r"a\b"), r#""a\\b""#);
        assert_eq!(quote(r#"\""#), r#""\\\"""#);
        assert_eq!(quote("line\nnext"), r#""line\u000anext""#);
        assert_eq!(quote("AND"), r#""AND""#);
        assert_eq!(quote("order by"), r#""order by""#);
        assert_eq!(quote("тест ✓ 日本"), "\"тест ✓ 日本\"");
        assert_eq!(quote(""), r#""""#);
    }

    #[test]
    fn query_quotes_the_project_and_every_label() {
        let q = labels_query("DO", &["xs-a".into(), r#"x"s\b"#.into(), "or".into()]);
        assert_eq!(
            q,
            r#"project = "DO" AND labels in ("xs-a", "x\"s\\b", "or") ORDER BY created ASC"#
        );
    }

    #[test]
    fn batches_cap_at_fifty_and_drop_case_repeats() {
        let labels: Vec<String> = (0..120).map(|i| format!("xs-{i}")).collect();
        let b = batches(labels.clone());
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![50, 50, 20]);
        let b = batches(vec!["Foo".into(), "foo".into(), "".into(), "bar".into()]);
        assert_eq!(b, vec![vec!["Foo".to_string(), "bar".to_string()]]);
        assert!(batches(Vec::new()).is_empty());
    }

    #[test]
    fn labels_lose_whitespace_and_length() {
        assert_eq!(label("xs-abc"), "xs-abc");
        assert_eq!(label(" a b\tc "), "a_b_c");
        assert_eq!(label(&"x".repeat(300)).chars().count(), 255);
        assert_eq!(label("ünï-ß"), "ünï-ß");
    }
}
