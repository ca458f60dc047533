//! Result text and timestamps for the plan: the Xray run comment (failure message, details,
//! flaky history, skip reason), the character bounds that keep it and summaries within Xray
//! and Jira limits, and a case's start/finish span in RFC 3339.
//!
//! The planner's reads of result text happen here and in `bugs.rs`, each an explicit
//! `ReadText::read` of a `Text` handle, never through `Text`'s `Display` or `PartialEq`. What
//! they read is the process's own text store (`model/text.rs`): append-only, each handle
//! written once before planning starts, in an unlinked temporary file no one else can open.
//! So a read is a function of the handle, and the plan stays a function of its inputs (no user
//! file, clock or network); `plan::tests`-style determinism is checked by
//! `plan_is_the_same_when_built_twice` and, across binaries, by `benches/compare_surfaces.sh`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{Outcome, ReadText, TestCase};

/// Xray Cloud's limit for a run comment; DC accepts more, one limit keeps plans identical.
pub const MAX_COMMENT_CHARS: usize = 8_192;
/// Jira's summary limit.
pub const MAX_SUMMARY_CHARS: usize = 255;
const CUT_MARKER: &str = "\n[... truncated by xray-sync]";

/// Start and finish of a case over its attempts, when any start is known.
pub(super) fn span(case: &TestCase) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let mut out: Option<(OffsetDateTime, OffsetDateTime)> = None;
    for a in &case.attempts {
        let Some(s) = a.started_at else { continue };
        let f = end_of(s, a.duration_secs);
        out = Some(match out {
            Some((s0, f0)) => (s0.min(s), f0.max(f)),
            None => (s, f),
        });
    }
    out
}

/// `start + duration`, never before `start`, never panicking on absurd durations.
fn end_of(start: OffsetDateTime, secs: Option<f64>) -> OffsetDateTime {
    secs.filter(|s| s.is_finite() && *s > 0.0)
        .and_then(time::Duration::checked_seconds_f64)
        .and_then(|d| start.checked_add(d))
        .unwrap_or(start)
}

/// RFC 3339 with the offset the input had (`Z` for UTC), to the millisecond.
pub fn rfc3339(t: OffsetDateTime) -> Option<String> {
    let ms = t.nanosecond() / 1_000_000 * 1_000_000;
    t.replace_nanosecond(ms).ok()?.format(&Rfc3339).ok()
}

/// The run comment: `testrun_comment`, then the failure message and trimmed details (or the
/// flaky history, or the skip reason).
pub(super) fn comment(case: &TestCase) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = case
        .property("testrun_comment")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        parts.push(c.to_string());
    }
    match case.outcome() {
        Outcome::Failed(f) | Outcome::Error(f) => push_failure(&mut parts, f),
        Outcome::Passed if case.flaky => {
            let failed = case
                .attempts
                .iter()
                .filter(|a| a.outcome.is_failure())
                .count();
            parts.push(format!(
                "Flaky: passed after {failed} failed attempt(s) of {}.",
                case.attempts.len()
            ));
            if let Some(f) = case.attempts.iter().find_map(|a| a.outcome.failure()) {
                push_failure(&mut parts, f);
            }
        }
        Outcome::Skipped { message: Some(m) } => {
            let m = m.read();
            if !m.trim().is_empty() {
                parts.push(m.trim().to_string());
            }
        }
        Outcome::Passed | Outcome::Skipped { message: None } => {}
    }
    (!parts.is_empty()).then(|| plain(&parts.join("\n\n")))
}

fn push_failure(parts: &mut Vec<String>, f: &crate::model::Failure) {
    let message = f.message.read();
    let message = message.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let details = f.details.read();
    let details = details.as_deref().map(str::trim).filter(|d| !d.is_empty());
    // Stack traces usually start with the message; saying it twice wastes the 8 KB.
    match (message, details) {
        (Some(m), Some(d)) if d.starts_with(m) => parts.push(d.to_string()),
        (Some(m), Some(d)) => {
            parts.push(m.to_string());
            parts.push(d.to_string());
        }
        (Some(m), None) => parts.push(m.to_string()),
        (None, Some(d)) => parts.push(d.to_string()),
        (None, None) => {
            if let Some(kind) = &f.kind {
                parts.push(kind.read());
            }
        }
    }
}

/// Cuts `text` to at most `max` characters, marker included.
pub fn bound_chars(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let keep = max.saturating_sub(CUT_MARKER.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(CUT_MARKER);
    out
}

/// One line (newlines become spaces, runs collapsed), at most `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let mut joined = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    if joined.chars().count() <= max {
        joined
    } else {
        let mut out: String = joined.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `s` without ANSI escape sequences (`untrusted::strip_ansi`).
pub(crate) fn plain(s: &str) -> String {
    crate::untrusted::strip_ansi(s)
}

/// The message people read for a failure of test `name`: the `message` attribute when it says
/// something, else the first non-blank line of the details (jest-junit and others write no
/// `message` attribute; the text is in the element's body), passing over a first line that only
/// names the test (PHPUnit starts the body with `CalcTest::testDivides`) or its place (bats:
/// `(in test file test/calc.bats, line 12)`). A Rust panic's header (`thread 'tests::adds'
/// (23430) panicked at src/lib.rs:19:9`, which cargo-nextest writes as the message, its thread
/// id new every run) gives way to the panic's own message, the body's next line. A body that is
/// a TAP YAML diagnostic block (`---` … `message: five minus three` … `...`, as tap-xunit and
/// tap-junit copy it from ava, tape or node-tap, fixtures/generated-ava-tap/) gives its
/// `message:`. ANSI colour codes removed.
pub(crate) fn failure_message(f: &crate::model::Failure, name: &str) -> Option<String> {
    if let Some(m) = f.message.read().filter(|m| !m.trim().is_empty()) {
        if is_rust_panic_header(m.trim())
            && let Some(payload) = f.details.read().and_then(|d| panic_payload(&d))
        {
            return Some(plain(&payload));
        }
        return Some(plain(&m));
    }
    let details = f.details.read()?;
    let mut lines = details.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    if first == "---" {
        let message = lines
            .clone()
            .take_while(|l| *l != "...")
            .find_map(|l| l.strip_prefix("message:"))
            .map(|m| m.trim().trim_matches(['\'', '"']))
            .filter(|m| !m.is_empty());
        if let Some(m) = message {
            return Some(plain(m));
        }
    }
    let names_the_test = !name.is_empty()
        && first
            .split_once("::")
            .is_some_and(|(_, test)| test.starts_with(name) && !test[name.len()..].contains(": "));
    // bats: `(in test file test/calc.bats, line 12)`, then the command that failed.
    let only_a_place = first.starts_with("(in test file ") && first.ends_with(')');
    match lines.next() {
        Some(second) if names_the_test || only_a_place => Some(plain(second)),
        _ => Some(plain(first)),
    }
}

/// The one line a failure is listed and summarised by: the message's first non-blank line, its
/// runs of spaces made one (an XML attribute's line breaks arrive as spaces). .NET assertion
/// messages put the values on the lines after it (NUnit `Expected: 5` / `But was:  4`, xUnit
/// `Assert.Equal() Failure` / `Expected: 5` / `Actual:   4`), so an Expected line and the
/// But was / Actual line after it join the first line: `Expected: 5, but was: 4`,
/// `integer division rounds down: Expected: 4, but was: 3`; Jest's `Expected: 2` / `Received:
/// 1` the same way. A first line that ends in `:` only announces what follows (Node's
/// `Expected values to be strictly equal:`, Robot's `Teardown failed:` and `Several failures
/// occurred:`), so the next line joins it; except a Python traceback's header, whose message is
/// its last line (`AssertionError: assert 3 == 4`).
pub fn message_line(message: &str) -> Option<String> {
    let mut lines = message
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty());
    let first = lines.next()?;
    if first.starts_with("Traceback (most recent call last)") {
        return Some(lines.next_back().unwrap_or(first));
    }
    let is_expected = |l: &str| l.starts_with("Expected:");
    // `But was: 4` → `but was: 4` (both prefixes start with an ASCII letter).
    let actual = |l: &str| {
        ["But was:", "Actual:", "Received:"]
            .iter()
            .any(|p| l.starts_with(p))
            .then(|| format!("{}{}", l[..1].to_ascii_lowercase(), &l[1..]))
    };
    let (second, third) = (lines.next(), lines.next());
    let joined = match (second.as_deref(), third.as_deref()) {
        (Some(a), _) if is_expected(&first) => actual(a).map(|a| format!("{first}, {a}")),
        (Some(e), Some(a)) if is_expected(e) => actual(a).map(|a| format!("{first}: {e}, {a}")),
        _ => None,
    };
    let joined = joined.or_else(|| match second {
        Some(next) if first.ends_with(':') => Some(format!("{first} {next}")),
        _ => None,
    });
    Some(joined.unwrap_or(first))
}

/// `thread '<name>' panicked at <place>`, with the thread id Rust 1.88+ prints after the name.
fn is_rust_panic_header(message: &str) -> bool {
    let Some(rest) = message.strip_prefix("thread '") else {
        return false;
    };
    let Some((_, rest)) = rest.split_once("' ") else {
        return false;
    };
    let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(") ")) {
        Some((id, after)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => after,
        _ => rest,
    };
    rest.strip_prefix("panicked at ")
        .is_some_and(|place| !place.is_empty() && !place.contains('\n'))
}

/// The first line after the panic header in a failure body: the panic's message.
fn panic_payload(details: &str) -> Option<String> {
    let mut lines = details.lines().map(str::trim);
    lines.find(|l| is_rust_panic_header(l.trim_end_matches(':')))?;
    lines
        .take_while(|l| !l.starts_with("stack backtrace:") && !l.starts_with("note: "))
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod message_line_tests {
    use super::message_line;

    #[test]
    fn dotnet_expected_and_actual_join_the_first_line() {
        // NUnit 2.6 (fixtures/generated-nunit2): the values, or a message and the values.
        assert_eq!(
            message_line("  Expected: 5\n  But was:  4\n").as_deref(),
            Some("Expected: 5, but was: 4")
        );
        assert_eq!(
            message_line("  integer division rounds down\n  Expected: 4\n  But was:  3\n")
                .as_deref(),
            Some("integer division rounds down: Expected: 4, but was: 3")
        );
        // xUnit.
        assert_eq!(
            message_line("Assert.Equal() Failure\r\nExpected: 5\r\nActual:   4").as_deref(),
            Some("Assert.Equal() Failure: Expected: 5, actual: 4")
        );
        // Anything else: the first line, spaces collapsed.
        assert_eq!(
            message_line("\nexpected:   6      got: 5\nmore").as_deref(),
            Some("expected: 6 got: 5")
        );
        assert_eq!(
            message_line("Expected: 5\nsomething else").as_deref(),
            Some("Expected: 5")
        );
        // Jest (fixtures/generated-allure-jest): the values after a blank line.
        assert_eq!(
            message_line(
                "expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 1"
            )
            .as_deref(),
            Some("expect(received).toBe(expected) // Object.is equality: Expected: 2, received: 1")
        );
        // A line announcing the next: Node's assert, Robot's teardown failure.
        assert_eq!(
            message_line("Expected values to be strictly equal:\n\n2 !== -2\n").as_deref(),
            Some("Expected values to be strictly equal: 2 !== -2")
        );
        assert_eq!(
            message_line("Teardown failed:\nteardown could not close the ledger").as_deref(),
            Some("Teardown failed: teardown could not close the ledger")
        );
        assert_eq!(
            message_line("nothing follows:").as_deref(),
            Some("nothing follows:")
        );
        // A Python traceback: the exception, on the last line.
        assert_eq!(
            message_line(
                "Traceback (most recent call last):\n  File \"t.py\", line 3, in test\n    assert 3 == 4\nAssertionError\n"
            )
            .as_deref(),
            Some("AssertionError")
        );
        assert_eq!(message_line(" \n "), None);
    }
}

#[cfg(test)]
mod failure_message_tests {
    use super::failure_message;
    use crate::model::{Failure, Text};

    fn body(details: &str) -> Failure {
        Failure {
            message: None,
            kind: None,
            details: Some(Text::new(details)),
        }
    }

    /// tap-xunit over ava's TAP (fixtures/generated-ava-tap/out/tap-xunit.xml): no message
    /// attribute, the body a YAML block.
    #[test]
    fn a_tap_yaml_block_gives_its_message() {
        let f = body(
            "---\n  name: AssertionError\n  assertion: t.is()\n  message: five minus three\n  at: x.js:3\n...",
        );
        assert_eq!(
            failure_message(&f, "t").as_deref(),
            Some("five minus three")
        );
        let f = body("---\n  message: 'quoted'\n...");
        assert_eq!(failure_message(&f, "t").as_deref(), Some("quoted"));
        // No message in the block: its first line, as before.
        let f = body("---\n  name: AssertionError\n...");
        assert_eq!(failure_message(&f, "t").as_deref(), Some("---"));
    }

    #[test]
    fn a_first_line_naming_the_test_is_passed_over() {
        // PHPUnit's body: the test, the message, a blank line, the place.
        let f = body(
            "CalcTest::testDivides\nintdiv rounds down\nFailed asserting that 3 is identical to 4.\n\n/t/CalcTest.php:8",
        );
        assert_eq!(
            failure_message(&f, "testDivides").as_deref(),
            Some("intdiv rounds down")
        );
        let row = body(
            "CalcTest::testSums with data set \"two\" (2, 2, 5)\nFailed asserting that 4 is identical to 5.",
        );
        assert_eq!(
            failure_message(&row, "testSums with data set \"two\"").as_deref(),
            Some("Failed asserting that 4 is identical to 5.")
        );
        // A namespaced exception is the message; another test's name is text; one line stays.
        let ruby = body("ActiveRecord::RecordNotFound: Couldn't find User\nbacktrace");
        assert_eq!(
            failure_message(&ruby, "RecordNotFound").as_deref(),
            Some("ActiveRecord::RecordNotFound: Couldn't find User")
        );
        let other = body("Calc::other\nboom");
        assert_eq!(
            failure_message(&other, "adds").as_deref(),
            Some("Calc::other")
        );
        let bats = body("(in test file test/calc.bats, line 12)\n  `[ \"$output\" -eq 4 ]' failed");
        assert_eq!(
            failure_message(&bats, "divides").as_deref(),
            Some("`[ \"$output\" -eq 4 ]' failed")
        );
        let alone = body("CalcTest::testDivides");
        assert_eq!(
            failure_message(&alone, "testDivides").as_deref(),
            Some("CalcTest::testDivides")
        );
    }

    #[test]
    fn a_rust_panic_header_gives_way_to_the_panic_message() {
        let panic = |message: &str, details: &str| Failure {
            message: Some(Text::new(message)),
            kind: None,
            details: Some(Text::new(details)),
        };
        // cargo-nextest 0.9 on Rust 1.95: the header (with a thread id) is the message.
        let f = panic(
            "thread 'tests::divides' (23431) panicked at src/lib.rs:19:9",
            "thread 'tests::divides' (23431) panicked at src/lib.rs:19:9:\nassertion `left == right` failed: rounds down\n  left: 3\n right: 4\nstack backtrace:\n   0: x",
        );
        assert_eq!(
            failure_message(&f, "tests::divides").as_deref(),
            Some("assertion `left == right` failed: rounds down")
        );
        // Older Rust: no thread id.
        let old = panic(
            "thread 'tests::x' panicked at src/lib.rs:4:5",
            "thread 'tests::x' panicked at src/lib.rs:4:5:\nattempt to divide by zero\nnote: run with `RUST_BACKTRACE=1`",
        );
        assert_eq!(
            failure_message(&old, "tests::x").as_deref(),
            Some("attempt to divide by zero")
        );
        // No payload in the body, or a message that only looks alike: the message stands.
        let bare = panic(
            "thread 'main' panicked at src/main.rs:1:1",
            "thread 'main' panicked at src/main.rs:1:1:\nstack backtrace:",
        );
        assert_eq!(
            failure_message(&bare, "main").as_deref(),
            Some("thread 'main' panicked at src/main.rs:1:1")
        );
        let prose = panic(
            "thread 'a' (x1) panicked at dawn",
            "thread 'a' (x1) panicked at dawn:\nno",
        );
        assert_eq!(
            failure_message(&prose, "a").as_deref(),
            Some("thread 'a' (x1) panicked at dawn")
        );
    }
}

#[cfg(test)]
mod plain_tests {
    use super::plain;

    #[test]
    fn strips_colour_codes_and_keeps_text() {
        assert_eq!(
            plain("\u{1b}[31mAssertionError\u{1b}[0m: boom"),
            "AssertionError: boom"
        );
        assert_eq!(plain("a\u{1b}[1;38;5;196mb\u{1b}(Bc"), "abc");
        assert_eq!(plain("no escapes [31m here"), "no escapes [31m here");
        assert_eq!(plain("trailing \u{1b}"), "trailing ");
    }
}

#[cfg(test)]
mod one_line_tests {
    use super::one_line;

    #[test]
    fn collapses_whitespace_and_cuts_with_an_ellipsis() {
        assert_eq!(one_line("  a\n\n b\t\tc  ", 10), "a b c");
        assert_eq!(one_line("", 10), "");
        assert_eq!(one_line(" \n\t ", 10), "");
        assert_eq!(one_line("abcdef ghij", 11), "abcdef ghij");
        assert_eq!(one_line("abcdef ghijk", 11), "abcdef ghi…");
        assert_eq!(one_line("äöü äöü", 5), "äöü …");
    }
}
