//! Robot Framework's HTML messages as plain text.
//!
//! Owns turning a message Robot marks as HTML (a status text starting with `*HTML*`, a
//! `<msg html="true">` in RF 7 or `html="yes"` before) into the text a bug title, a failure
//! list and Xray's comment show: line breaks (`<br>`, `<hr>`, `<p>`) become new lines, other
//! tags are dropped and character references are decoded. Robot writes such markup itself
//! (rebot's merge messages) and users do (`Fail    *HTML* <b>…</b>`).

use std::borrow::Cow;

/// `message` as plain text when it starts with `*HTML*`; unchanged otherwise.
pub fn message_text(message: &str) -> Cow<'_, str> {
    match message.strip_prefix("*HTML*") {
        Some(html) => Cow::Owned(to_text(html.trim_start())),
        None => Cow::Borrowed(message),
    }
}

/// An HTML fragment as plain text (see the module doc).
pub fn to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else { break };
            let tag = rest[1..end].trim_start_matches('/').trim();
            let tag_name = tag
                .split(|c: char| c.is_ascii_whitespace() || c == '/')
                .next()
                .unwrap_or("");
            if ["br", "hr", "p", "div", "li", "tr"]
                .iter()
                .any(|t| t.eq_ignore_ascii_case(tag_name))
                && !text.is_empty()
                && !text.ends_with('\n')
            {
                text.push('\n');
            }
            rest = &rest[end + 1..];
        } else {
            let (decoded, used) = reference(rest);
            text.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    text.push_str(rest);
    text
}

/// The character reference at the start of `s` (which starts with `&`) and the bytes it
/// takes; an `&` that starts none stays as it is.
fn reference(s: &str) -> (Cow<'static, str>, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10) else {
        return (Cow::Borrowed("&"), 1);
    };
    let name = &s[1..end];
    let named = match name {
        "lt" => Some("<"),
        "gt" => Some(">"),
        "amp" => Some("&"),
        "quot" => Some("\""),
        "apos" => Some("'"),
        "nbsp" => Some(" "),
        _ => None,
    };
    if let Some(t) = named {
        return (Cow::Borrowed(t), end + 1);
    }
    let code = match name.strip_prefix('#') {
        Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16).ok(),
        Some(dec) => dec.parse().ok(),
        None => None,
    };
    match code.and_then(char::from_u32) {
        Some(c) => (Cow::Owned(c.to_string()), end + 1),
        None => (Cow::Borrowed("&"), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_lines_and_references_characters() {
        // As RF 6.1's `<msg level="FAIL" html="true">` and RF 7's `*HTML*` status wrote them
        // (fixtures/generated-robot-6.1.1/output-versions.xml).
        assert_eq!(
            to_text("first line<br>second <b>bold</b> line"),
            "first line\nsecond bold line"
        );
        assert_eq!(
            message_text("*HTML* a &lt;b&gt; &amp; &#39;c&#x27; &unknown; & d"),
            "a <b> & 'c' &unknown; & d"
        );
        assert_eq!(message_text("plain <b> text"), "plain <b> text");
        assert_eq!(to_text("<p>one</p><p>two</p><hr/>three"), "one\ntwo\nthree");
        // An unclosed tag is kept as text.
        assert_eq!(to_text("cut <b"), "cut <b");
    }
}
