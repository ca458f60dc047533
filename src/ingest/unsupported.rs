//! Telling "test results in a format no reader handles" from "not test results at all".
//!
//! Owns the guess only, by content, never by extension: a file that *looks like* results (an
//! XML root or JSON keys from a test runner's vocabulary, Behave or Gherkin plain text, TAP)
//! becomes a bad file naming the format it looked like, so results are never dropped silently.
//! Anything else (images, logs, coverage or build XML) stays a skipped file with a note.
//!
//! New readers slot in before this: `ingest::read_one` asks here only after every reader's
//! sniffer said no.

/// Words in an XML root element's name that mark a test runner's vocabulary.
const RESULT_WORDS: &[&str] = &[
    "test", "suite", "result", "spec", "scenario", "feature", "robot", "junit", "cucumber",
    "behave",
];

/// What an XML document whose root is `root` (its local name) looks like, when it looks like
/// test results.
pub(super) fn xml(root: &str) -> Option<String> {
    let lower = root.to_ascii_lowercase();
    match lower.as_str() {
        "testng-results" => Some("TestNG results XML (<testng-results>)".to_string()),
        "robot" => Some("Robot Framework output.xml (<robot>)".to_string()),
        _ if RESULT_WORDS.iter().any(|w| lower.contains(w)) => {
            let shown: String = root.chars().take(64).collect();
            Some(format!("test results XML with root <{shown}>"))
        }
        _ => None,
    }
}

/// XML that shares the results' vocabulary but is known not to hold results: TestNG's suite
/// definitions (`testng.xml`, and the `testng-failed.xml` it writes next to its results) have a
/// `<suite>` root with `<classes>`/`<packages>` inside, or TestNG's DTD. A TestNG output
/// directory given whole must not turn them into bad files.
pub(super) fn xml_not_results(head: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    let suite_definition =
        has(b"testng-1.0.dtd") || (has(b"<suite") && (has(b"<classes>") || has(b"<packages>")));
    suite_definition.then_some("a TestNG suite definition (testng.xml), not results")
}

/// The local name of the root element of the XML document `head` starts, when it gets that far.
pub(super) fn xml_root(head: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    for _ in 0..1024 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    None
}

/// What JSON starting with `head` looks like, when its keys are a test runner's.
pub(super) fn json(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let has = |key: &str| text.contains(&format!("\"{key}\""));
    let array = text.trim_start().starts_with('[');
    // A JSON Schema describes results; it holds none.
    if has("$schema") || (has("properties") && text.contains("\"type\": \"object\"")) {
        return None;
    }
    // Cucumber Messages (NDJSON, `--format message`): one envelope per line, opened by `meta`.
    let messages = text.trim_start().starts_with("{\"meta\"") && has("protocolVersion");
    // `go test -json`: one test2json event per line.
    let go_events = has("Action") && has("Package") && (has("Time") || has("Test"));
    let named = if messages {
        "Cucumber Messages NDJSON (--format message; add --format json:FILE for a file xray-sync reads)"
    } else if go_events {
        "go test -json events (convert with go-junit-report or gotestsum --junitfile)"
    } else if has("generator") && has("suite") && text.contains("Robot") {
        "Robot Framework JSON output (output.json; use output.xml)"
    } else if array && (has("elements") || has("keyword")) {
        "Cucumber or Behave JSON"
    } else if has("numTotalTests") || has("testResults") {
        "Jest JSON (--json; Vitest's json reporter writes the same: write JUnit instead, with \
         jest-junit or Vitest's --reporter=junit)"
    } else if has("stats") && (has("passes") || has("failures")) {
        "Mocha JSON reporter output (use its xunit reporter or mocha-junit-reporter)"
    } else if [
        "tests",
        "status",
        "suites",
        "scenarios",
        "results",
        "testcases",
    ]
    .iter()
    .filter(|k| has(k))
    .count()
        >= 2
    {
        // Two of the words, not one: `status` or `results` alone is in half the JSON there is.
        "test results JSON of an unknown shape"
    } else {
        return None;
    };
    Some(named.to_string())
}

/// What plain text starting with `head` looks like, when it is a test runner's console format.
pub(super) fn text(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('@'));
    let first = lines.next()?;
    // Behave's plain and pretty formatters print the feature with step verdicts, locations or
    // a summary; a Gherkin source file (`*.feature`, the tests themselves) has none of them.
    let runner_marks = [
        " passed in ",
        " failed in ",
        " ... passed",
        " ... failed",
        ".feature:",
        "features passed",
        "feature passed",
        "scenarios passed",
        "scenario passed",
    ];
    if first.starts_with("Feature:") && runner_marks.iter().any(|m| text.contains(m)) {
        return Some(
            "Behave or Gherkin plain text (use Behave's JSON formatter or JUnit output)"
                .to_string(),
        );
    }
    let tap_plan = first
        .strip_prefix("1..")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if first.starts_with("TAP version") || tap_plan {
        return Some("TAP (Test Anything Protocol) output".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_vocabularies_look_like_results_and_others_do_not() {
        assert!(xml("testng-results").unwrap().contains("TestNG"));
        assert!(xml("robot").unwrap().contains("Robot"));
        assert!(xml("TestResults").unwrap().contains("<TestResults>"));
        for other in ["coverage", "project", "checkstyle", "svg", "html", "report"] {
            assert_eq!(xml(other), None, "{other}");
        }
        assert!(
            json(br#"[{"keyword": "Feature", "elements": []}]"#)
                .unwrap()
                .contains("Cucumber")
        );
        assert!(json(br#"{"numTotalTests": 3}"#).unwrap().contains("Jest"));
        assert!(
            json(b"{\"Time\":\"2026-12-06T01:00:00Z\",\"Action\":\"run\",\"Package\":\"calc\",\"Test\":\"TestDiv\"}\n")
                .unwrap()
                .contains("go test -json")
        );
        assert!(
            json(b"{\"meta\":{\"protocolVersion\":\"32.2.0\"}}\n{\"source\":{}}\n")
                .unwrap()
                .contains("Cucumber Messages")
        );
        assert!(
            json(br#"{"tests": [{"name": "a", "status": "failed"}]}"#)
                .unwrap()
                .contains("unknown shape")
        );
        assert_eq!(json(br#"{"name": "pkg", "scripts": {"test": "x"}}"#), None);
        assert!(
            text(b"@smoke\nFeature: Login # features/login.feature:2\n  Scenario: ok\n")
                .unwrap()
                .contains("Behave")
        );
        assert!(
            text(b"Feature: Login\n  Scenario: ok\n    Given a user ... passed in 0.001s\n")
                .is_some()
        );
        // The Gherkin source of the tests is not a result.
        assert_eq!(
            text(b"@smoke\nFeature: Login\n  Scenario: ok\n    Given a user\n"),
            None
        );
        assert_eq!(json(br#"{"title": "Result", "type": "object", "properties": {"tests": {}, "status": {}}}"#), None);
        assert!(
            json(br#"{"generator": "Robot 7.0", "suite": {"tests": []}}"#)
                .unwrap()
                .contains("Robot")
        );
        assert_eq!(json(br#"{"status": "ok", "version": 3}"#), None);
        // Playwright's JSON report has its reader (`ingest::playwright`); one its sniffer did not
        // take is still results, of a shape named as unknown rather than silently skipped.
        assert!(
            json(br#"{"suites": [{"specs": [{"tests": [{"results": [{"status": "passed"}]}]}]}], "config": {}}"#)
                .unwrap()
                .contains("unknown shape")
        );
        assert!(
            text(b"TAP version 13\n1..2\nok 1\n")
                .unwrap()
                .contains("TAP")
        );
        assert!(text(b"1..4\nok 1 - a\n").unwrap().contains("TAP"));
        assert_eq!(text(b"2026-12-05 INFO starting\n"), None);
        assert_eq!(
            xml_root(b"<?xml version=\"1.0\"?>\n<!-- c --><ns:robot a=\"1\">").as_deref(),
            Some("robot")
        );
    }

    #[test]
    fn testng_suite_definitions_are_not_results() {
        let definition = br#"<!DOCTYPE suite SYSTEM "http://testng.org/testng-1.0.dtd">
<suite name="s"><test name="t"><classes><class name="a.B"/></classes></test></suite>"#;
        assert!(xml_not_results(definition).unwrap().contains("testng.xml"));
        let failed = br#"<suite name="Failed suite [s]"><test name="t(failed)"><classes>"#;
        assert!(xml_not_results(failed).is_some());
        // A JUnit-ish `<suite>` of results is still a candidate for "unsupported results".
        assert_eq!(xml_not_results(br#"<suite name="x"><case/></suite>"#), None);
    }
}
