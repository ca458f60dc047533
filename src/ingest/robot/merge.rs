//! Tests re-executed with `robot --rerunfailed` and combined by `rebot --merge`.
//!
//! Owns reading the status message rebot writes on such a test: the new status and message,
//! then the old ones, as HTML (`*HTML* <span class="merge">Test has been re-executed and
//! results merged.</span><hr>… <span class="old-status">Old status:</span> <span
//! class="fail">FAIL</span><br><span class="old-message">Old message:</span> …<br>`, Robot
//! Framework's `robot/result/merger.py`). The old try becomes an attempt before the new one, so
//! the last attempt decides and a test that passed on its rerun is flaky, as with every other
//! format; the bug and the console see the new message, not the HTML.

/// What rebot's merge message says about the earlier try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The rerun's own message (`New message:`), when it has one.
    pub new_message: Option<String>,
    /// `PASS`, `FAIL`, `SKIP`, … of the earlier try.
    pub old_status: String,
    pub old_message: Option<String>,
}

/// The merge a test's status `message` records, when it is one rebot wrote.
pub fn read(message: &str) -> Option<Merged> {
    let html = message.strip_prefix("*HTML*")?;
    if !html.contains("<span class=\"merge\">") {
        return None;
    }
    // The part after the last `<hr>` is the old try, the one before it the new try; an older
    // merge kept inside the old message is left as its text.
    let (new_part, old_part) = html
        .split_once("<hr>")
        .map(|(_, rest)| rest)?
        .split_once("<hr>")?;
    let old_status = labelled(old_part, "old-status")?;
    Some(Merged {
        new_message: labelled(new_part, "new-message").filter(|m| !m.is_empty()),
        old_status: old_status.to_ascii_uppercase(),
        old_message: labelled(old_part, "old-message").filter(|m| !m.is_empty()),
    })
}

/// The value after `<span class="{class}">Label:</span> `, up to the next `<br>` (or the end),
/// as plain text.
fn labelled(part: &str, class: &str) -> Option<String> {
    let marker = format!("<span class=\"{class}\">");
    let after_marker = &part[part.find(&marker)? + marker.len()..];
    let value = &after_marker[after_marker.find("</span>")? + "</span>".len()..];
    let value = value.strip_prefix(' ').unwrap_or(value);
    let value = value.split("<br>").next().unwrap_or(value);
    Some(plain(value).trim().to_string())
}

/// `<span class="fail">FAIL</span>` → `FAIL`; HTML entities rebot escaped back to text.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    // As Robot Framework 7.5's rebot wrote them (fixtures/generated-robot-rerun/merged.xml).
    const RECOVERED: &str = "*HTML* <span class=\"merge\">Test has been re-executed and results merged.</span><hr><span class=\"new-status\">New status:</span> <span class=\"pass\">PASS</span><br><hr><span class=\"old-status\">Old status:</span> <span class=\"fail\">FAIL</span><br><span class=\"old-message\">Old message:</span> first try fails on purpose<br>";
    const STILL_FAILING: &str = "*HTML* <span class=\"merge\">Test has been re-executed and results merged.</span><hr><span class=\"new-status\">New status:</span> <span class=\"fail\">FAIL</span><br><span class=\"new-message\">New message:</span> broken &lt;on&gt; purpose<br><hr><span class=\"old-status\">Old status:</span> <span class=\"fail\">FAIL</span><br><span class=\"old-message\">Old message:</span> broken on purpose<br>";

    #[test]
    fn a_recovered_test_had_a_failing_old_try() {
        let m = read(RECOVERED).unwrap();
        assert_eq!(m.old_status, "FAIL");
        assert_eq!(m.old_message.as_deref(), Some("first try fails on purpose"));
        assert_eq!(m.new_message, None);
    }

    #[test]
    fn a_test_still_failing_keeps_its_new_message_as_text() {
        let m = read(STILL_FAILING).unwrap();
        assert_eq!(m.new_message.as_deref(), Some("broken <on> purpose"));
        assert_eq!(m.old_status, "FAIL");
    }

    #[test]
    fn other_messages_are_not_merges() {
        assert_eq!(read("broken on purpose"), None);
        assert_eq!(read("*HTML* <b>bold</b> failure"), None);
        assert_eq!(
            read("*HTML* <span class=\"merge\">Test added from merged output.</span>"),
            None
        );
    }
}
