//! Tests re-executed with `robot --rerunfailed` and combined by `rebot --merge`.
//!
//! Owns reading the status messages rebot writes on merged tests (Robot Framework's
//! `robot/result/merger.py`, the same from RF 4 to 7):
//! - a rerun that ran: the new status and message, then the old ones, as HTML (`*HTML* <span
//!   class="merge">Test has been re-executed and results merged.</span><hr>… <span
//!   class="old-status">Old status:</span> <span class="fail">FAIL</span><br><span
//!   class="old-message">Old message:</span> …<br>`); the test's status is the new one. The old
//!   try becomes an attempt before the new one, so a test that passed on its rerun is flaky,
//!   as with every other format.
//! - a rerun that was skipped: rebot keeps the earlier result and its status, and says so
//!   (`*HTML* Test has been re-executed and results merged. Latter result had <span
//!   class="skip">SKIP</span> status and was ignored. Message:\n…<hr>Original message:\n…`).
//!   The skipped rerun becomes an attempt after the kept one, which still decides (a skipped
//!   try never does, `model`), exactly as when the two outputs are given separately.
//! - a test only the rerun has: `*HTML* Test added from merged output.<hr>…`.
//!
//! "Task" instead of "Test" in RPA runs. The bug and the console see the messages as text.

use super::html;

/// What rebot's message on a merged test says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// The rerun ran: its status is the test's; the earlier try is in the message.
    Rerun(Merged),
    /// The rerun was skipped: the test's status is the earlier try's.
    SkippedRerun {
        rerun_message: Option<String>,
        original_message: Option<String>,
    },
    /// Only the rerun had the test.
    Added { message: Option<String> },
}

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
pub fn read(message: &str) -> Option<Merge> {
    let html = message.strip_prefix("*HTML*")?.trim_start();
    let html = html
        .strip_prefix("Test ")
        .or_else(|| html.strip_prefix("Task "))
        .unwrap_or(html);
    if let Some(rest) = html.strip_prefix("added from merged output.") {
        let message = rest
            .strip_prefix("<hr>")
            .map(text)
            .filter(|m| !m.is_empty());
        return Some(Merge::Added { message });
    }
    if let Some(rest) = html.strip_prefix(
        "has been re-executed and results merged. Latter result had <span class=\"skip\">SKIP</span> status and was ignored. Message:\n",
    ) {
        let (rerun, original) = match rest.split_once("<hr>Original message:\n") {
            Some((rerun, original)) => (rerun, Some(original)),
            None => (rest, None),
        };
        return Some(Merge::SkippedRerun {
            rerun_message: Some(text(rerun)).filter(|m| !m.is_empty()),
            original_message: original.map(text).filter(|m| !m.is_empty()),
        });
    }
    read_rerun(html).map(Merge::Rerun)
}

/// The message of a rerun that ran (the first form in the module doc).
fn read_rerun(html: &str) -> Option<Merged> {
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
    Some(text(value))
}

/// A part of rebot's message as trimmed plain text.
fn text(html: &str) -> String {
    html::to_text(html).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // As Robot Framework 7.5's rebot wrote them (fixtures/generated-robot-rerun/merged.xml).
    const RECOVERED: &str = "*HTML* <span class=\"merge\">Test has been re-executed and results merged.</span><hr><span class=\"new-status\">New status:</span> <span class=\"pass\">PASS</span><br><hr><span class=\"old-status\">Old status:</span> <span class=\"fail\">FAIL</span><br><span class=\"old-message\">Old message:</span> first try fails on purpose<br>";
    const STILL_FAILING: &str = "*HTML* <span class=\"merge\">Test has been re-executed and results merged.</span><hr><span class=\"new-status\">New status:</span> <span class=\"fail\">FAIL</span><br><span class=\"new-message\">New message:</span> broken &lt;on&gt; purpose<br><hr><span class=\"old-status\">Old status:</span> <span class=\"fail\">FAIL</span><br><span class=\"old-message\">Old message:</span> broken on purpose<br>";

    fn rerun(message: &str) -> Merged {
        match read(message) {
            Some(Merge::Rerun(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_recovered_test_had_a_failing_old_try() {
        let m = rerun(RECOVERED);
        assert_eq!(m.old_status, "FAIL");
        assert_eq!(m.old_message.as_deref(), Some("first try fails on purpose"));
        assert_eq!(m.new_message, None);
    }

    #[test]
    fn a_test_still_failing_keeps_its_new_message_as_text() {
        let m = rerun(STILL_FAILING);
        assert_eq!(m.new_message.as_deref(), Some("broken <on> purpose"));
        assert_eq!(m.old_status, "FAIL");
    }

    /// As RF 4.1 to 7.0's rebot wrote it (fixtures/generated-robot-6.1.1/rerun/merged.xml).
    #[test]
    fn a_skipped_rerun_keeps_the_original_message() {
        let skipped = "*HTML* Test has been re-executed and results merged. Latter result had <span class=\"skip\">SKIP</span> status and was ignored. Message:\nenvironment missing on rerun<hr>Original message:\nfails before the environment check";
        assert_eq!(
            read(skipped),
            Some(Merge::SkippedRerun {
                rerun_message: Some("environment missing on rerun".into()),
                original_message: Some("fails before the environment check".into()),
            })
        );
        let no_original = "*HTML* Task has been re-executed and results merged. Latter result had <span class=\"skip\">SKIP</span> status and was ignored. Message:\nskipped &lt;here&gt;";
        assert_eq!(
            read(no_original),
            Some(Merge::SkippedRerun {
                rerun_message: Some("skipped <here>".into()),
                original_message: None,
            })
        );
    }

    #[test]
    fn an_added_test_keeps_its_message() {
        assert_eq!(
            read("*HTML* Test added from merged output.<hr>new &amp; failing"),
            Some(Merge::Added {
                message: Some("new & failing".into())
            })
        );
        assert_eq!(
            read("*HTML* Test added from merged output."),
            Some(Merge::Added { message: None })
        );
    }

    #[test]
    fn other_messages_are_not_merges() {
        assert_eq!(read("broken on purpose"), None);
        assert_eq!(read("*HTML* <b>bold</b> failure"), None);
    }
}
