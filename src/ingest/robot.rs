//! Robot Framework `output.xml`, RF 3.2 to 7.x (schema versions up to 5, and the `<suite>`-only
//! root Rebot accepts), read in one streaming pass (the safe XML driver in `dotnet.rs`) into
//! `TestCase`s, one per `<test>`, in document order.
//!
//! Mapping (as Xray's own Robot import: Generic tests whose definition is the suite path and
//! the test name, tags that are Test keys link the result to that Test):
//! - suite path = the nested `<suite name>`s, outermost first; classname = the same joined
//!   with `.` (so the definition is `Root.Sub.Suite.Test name`); name = the test name.
//! - The test's own `<status>` decides: `PASS` → passed, `FAIL` → failed (the status text is
//!   the message: Robot already writes "Setup failed:", "Teardown failed:" and "Parent suite
//!   setup failed:" there), `SKIP` and `NOT RUN` → skipped with the message. Anything else is an
//!   error naming it.
//! - Suite teardown: Robot writes a failed suite teardown only on the suite's teardown keyword
//!   and applies it to the tests when it reads the file (`robot.result.suiteteardownfailed`);
//!   this reader applies the same rule: every test below the suite that was not skipped fails,
//!   its message becomes "Parent suite teardown failed:\n…" (or gets "\n\nAlso parent suite
//!   teardown failed:\n…" appended); a skipped teardown skips them.
//! - Times: `starttime`/`endtime` (RF ≤ 6, `YYYYMMDD hh:mm:ss.mmm`) or `start`/`elapsed`
//!   (RF 7). Robot writes local time without a zone; it is read as UTC, as for JUnit.
//! - Tags (`<tags><tag>` in RF 3.2, `<tag>` from RF 4) → `tag` labels; mapping turns a tag that is
//!   an issue key into the Test key. `<doc>` → property `test_description`.
//! - Templates (data-driven tests) are one test with one status, as Robot counts them; the
//!   failure message lists the failing rows as Robot writes it.
//! - Failure details: the failed keywords of the test, each with its arguments (for a template
//!   test: the failing rows) and, indented below, the keyword inside it that failed, down to
//!   the innermost one with its message (at most 20 top-level keywords).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

mod html;
mod merge;

use super::junit::values::{Bounded, parse_duration, parse_timestamp};
use super::safe_xml::{self, Attrs, Handler, take_text};
use crate::model::{
    Attempt, Extras, Failure, Format, InputError, Label, Outcome, Property, ReadText, SourceRef,
    TestCase, Text,
};
use merge::Merge;

/// Parses one `output.xml`. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    parse_path_noted(path).map(|(cases, _)| cases)
}

/// Like [`parse_path`], with notes: Robot's own execution errors (`<errors>`, level ERROR:
/// a suite file that could not be parsed, a library that failed to import), which can mean
/// tests that never ran and are in no result.
pub fn parse_path_noted(path: &Path) -> Result<(Vec<TestCase>, Vec<String>), InputError> {
    let mut reader = Robot::new(path);
    safe_xml::drive_path(path, &mut reader)?;
    let mut notes = reader.errors;
    if reader.more_errors > 0 {
        notes.push(format!(
            "… and {} more Robot Framework execution error(s)",
            reader.more_errors
        ));
    }
    Ok((reader.cases, notes))
}

/// Parses one file as far as it can be read: the tests that closed before an error (a
/// truncated file) come back with the error.
pub fn salvage_path(path: &Path) -> (Vec<TestCase>, Option<InputError>) {
    let mut reader = Robot::new(path);
    let error = safe_xml::drive_path(path, &mut reader).err();
    (reader.cases, error)
}

/// Parses Robot XML from a reader; `path` names it. Errors carry a byte offset.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Robot::new(path);
    safe_xml::drive_reader(r, path, &mut reader)?;
    Ok(reader.cases)
}

/// Whether a root element named `name` (with its `id` attribute) starts a Robot output file:
/// `<robot>`, or a bare `<suite id="s1">` as Rebot also reads.
pub fn is_root(name: &str, id: Option<&str>) -> bool {
    name == "robot" || (name == "suite" && id.is_some_and(|i| i.starts_with('s')))
}

/// Most failed keywords listed in a test's failure details (a template test can fail many
/// rows).
const MAX_FAILED_KEYWORDS: usize = 20;

/// A keyword being read inside a test, for the failure details.
#[derive(Default)]
struct Frame {
    /// `SETUP`/`TEARDOWN` (any case) or empty.
    kind: String,
    name: String,
    args: Vec<String>,
    status: Option<String>,
    message: Option<String>,
    /// The text of a `<msg level="FAIL">` (RF ≤ 6 leaves the keyword's status text empty),
    /// as plain text when Robot marked it as HTML.
    fail_msg: Option<String>,
    reading_fail_msg: bool,
    /// The `<msg>` being read has `html="true"` (RF 7) or `html="yes"` (before).
    fail_msg_html: bool,
    /// The first failed keyword inside this one, already formatted.
    child: Option<String>,
}

impl Frame {
    fn describe(self) -> String {
        let mut line = String::new();
        match self.kind.to_ascii_lowercase().as_str() {
            "setup" => line.push_str("Setup: "),
            "teardown" => line.push_str("Teardown: "),
            _ => {}
        }
        line.push_str(&self.name);
        for a in &self.args {
            line.push_str("    ");
            line.push_str(a);
        }
        match self.child {
            Some(child) => {
                for l in child.lines() {
                    line.push_str("\n  ");
                    line.push_str(l);
                }
            }
            None => {
                let message = self.message.map(|m| html::message_text(&m).into_owned());
                if let Some(m) = message.or(self.fail_msg) {
                    for l in m.lines() {
                        line.push_str("\n  ");
                        line.push_str(l);
                    }
                }
            }
        }
        line
    }
}

#[derive(Default)]
struct Draft {
    name: String,
    keywords: Vec<Frame>,
    /// Failed top-level keywords, innermost failure indented below each.
    failed: Vec<String>,
    more_failed: usize,
    tags: Vec<String>,
    doc: Option<String>,
    status: Option<String>,
    message: Option<String>,
    started_at: Option<time::OffsetDateTime>,
    duration: Option<f64>,
}

struct Suite {
    name: String,
    /// Index in `cases` of this suite's first test.
    first: usize,
    /// The suite's own setup/teardown keyword being read: its type.
    fixture: Option<String>,
    /// Status and message of a teardown that did not pass.
    teardown: Option<(String, String)>,
}

/// Most execution errors turned into notes.
const MAX_ERROR_NOTES: usize = 10;

struct Robot {
    path: Arc<Path>,
    /// Robot's execution errors (`<errors><msg level="ERROR">`), first lines, as notes.
    errors: Vec<String>,
    more_errors: usize,
    reading_error: bool,
    suites: Vec<Suite>,
    /// Shared by the tests of the current suite (rebuilt when the suite changes).
    shared: Option<(Arc<[String]>, Arc<str>)>,
    current: Option<Draft>,
    cases: Vec<TestCase>,
}

impl Robot {
    fn new(path: &Path) -> Self {
        Robot {
            path: Arc::from(path),
            errors: Vec::new(),
            more_errors: 0,
            reading_error: false,
            suites: Vec::new(),
            shared: None,
            current: None,
            cases: Vec::new(),
        }
    }

    fn shared(&mut self) -> (Arc<[String]>, Arc<str>) {
        if let Some(s) = &self.shared {
            return s.clone();
        }
        let names: Vec<String> = self.suites.iter().map(|s| s.name.clone()).collect();
        let class: Arc<str> = Arc::from(names.join("."));
        let s = (Arc::<[String]>::from(names), class);
        self.shared = Some(s.clone());
        s
    }

    fn close_suite(&mut self) {
        self.shared = None;
        let Some(suite) = self.suites.pop() else {
            return;
        };
        if let Some((status, message)) = suite.teardown {
            for case in &mut self.cases[suite.first..] {
                apply_suite_teardown(case, &status, &message);
            }
        }
    }
}

/// Robot's `SuiteTeardownFailed` visitor, on one test.
fn apply_suite_teardown(case: &mut TestCase, status: &str, message: &str) {
    for attempt in &mut case.attempts {
        let (old, skipped) = match &attempt.outcome {
            Outcome::Passed => (None, false),
            Outcome::Failed(f) | Outcome::Error(f) => (f.message.read(), false),
            Outcome::Skipped { message } => (message.read(), true),
        };
        let old = old.unwrap_or_default();
        if status.eq_ignore_ascii_case("SKIP") {
            let text = if old.is_empty() {
                format!("Skipped in parent suite teardown:\n{message}")
            } else {
                format!("Skipped in parent suite teardown:\n{message}\n\nEarlier message:\n{old}")
            };
            attempt.outcome = Outcome::Skipped {
                message: Some(Text::from(text)),
            };
            continue;
        }
        let text = if old.is_empty() {
            format!("Parent suite teardown failed:\n{message}")
        } else {
            format!("{old}\n\nAlso parent suite teardown failed:\n{message}")
        };
        attempt.outcome = match std::mem::replace(&mut attempt.outcome, Outcome::Passed) {
            Outcome::Skipped { .. } if skipped => Outcome::Skipped {
                message: Some(Text::from(text)),
            },
            Outcome::Failed(mut f) | Outcome::Error(mut f) => {
                f.message = Some(Text::from(text));
                Outcome::Failed(f)
            }
            _ => Outcome::Failed(Box::new(Failure {
                message: Some(Text::from(text)),
                kind: None,
                details: None,
            })),
        };
    }
    case.recompute();
}

impl Handler for Robot {
    fn root(&mut self, name: &str, attrs: &Attrs) -> Result<(), String> {
        if is_root(name, attrs.get("id")) {
            Ok(())
        } else {
            Err(format!(
                "root element <{name}> is not Robot Framework output (robot)"
            ))
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]) {
        let parent = stack.last().map(String::as_str);
        if let Some(d) = self.current.as_mut() {
            match (name, parent) {
                ("status", Some("test")) => {
                    d.status = attrs.non_empty("status");
                    times(&attrs, &mut d.started_at, &mut d.duration);
                }
                ("kw", _) => d.keywords.push(Frame {
                    kind: attrs.get("type").unwrap_or_default().to_string(),
                    name: attrs.get("name").unwrap_or_default().to_string(),
                    ..Frame::default()
                }),
                ("status", Some("kw")) => {
                    if let Some(f) = d.keywords.last_mut() {
                        f.status = attrs.non_empty("status");
                    }
                }
                ("msg", Some("kw")) => {
                    if let Some(f) = d.keywords.last_mut() {
                        f.reading_fail_msg = attrs.get("level") == Some("FAIL");
                        f.fail_msg_html = matches!(attrs.get("html"), Some("true" | "yes"));
                    }
                }
                _ => {}
            }
            return;
        }
        match (name, parent) {
            ("suite", None | Some("robot" | "suite")) => {
                self.shared = None;
                self.suites.push(Suite {
                    name: attrs.get("name").unwrap_or_default().to_string(),
                    first: self.cases.len(),
                    fixture: None,
                    teardown: None,
                });
            }
            ("msg", Some("errors")) => self.reading_error = attrs.get("level") == Some("ERROR"),
            ("test", Some("suite")) => {
                self.current = Some(Draft {
                    name: attrs.get("name").unwrap_or_default().to_string(),
                    ..Draft::default()
                });
            }
            // RF ≤ 6: `<kw type="teardown">`; RF 7: `type="TEARDOWN"`; RF 7 also `<teardown>`.
            ("kw", Some("suite")) | ("setup" | "teardown", Some("suite")) => {
                let kind = if name == "kw" {
                    attrs.get("type").unwrap_or_default().to_ascii_lowercase()
                } else {
                    name.to_string()
                };
                if let Some(s) = self.suites.last_mut() {
                    s.fixture = Some(kind);
                }
            }
            ("status", Some("kw" | "teardown")) if stack.len() >= 2 => {
                let grandparent = stack[stack.len() - 2].as_str();
                if grandparent == "suite"
                    && let Some(s) = self.suites.last_mut()
                    && s.fixture.as_deref() == Some("teardown")
                {
                    let status = attrs.get("status").unwrap_or_default().to_string();
                    if status.eq_ignore_ascii_case("FAIL") || status.eq_ignore_ascii_case("SKIP") {
                        s.teardown = Some((status, String::new()));
                    }
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded) {
        let parent = stack.last().map(String::as_str);
        if name == "test" && parent == Some("suite") {
            if let Some(d) = self.current.take() {
                let (suite_path, class) = self.shared();
                let case = finish(d, suite_path, class, &self.path);
                self.cases.push(case);
            }
            return;
        }
        if let Some(d) = self.current.as_mut() {
            let in_test = parent == Some("test");
            match name {
                "tag" if in_test || parent == Some("tags") && stack.len() >= 2 => {
                    // `<tags>` must itself sit in the test, not in a keyword.
                    let owner = if in_test {
                        "test"
                    } else {
                        stack[stack.len() - 2].as_str()
                    };
                    if owner == "test"
                        && let Some(tag) = take_text(text)
                    {
                        d.tags.push(tag);
                    }
                }
                "doc" if in_test => d.doc = take_text(text),
                "status" if in_test => d.message = take_text(text),
                "status" if parent == Some("kw") => {
                    if let Some(f) = d.keywords.last_mut() {
                        f.message = take_text(text);
                    }
                }
                "msg" if parent == Some("kw") => {
                    if let Some(f) = d.keywords.last_mut()
                        && std::mem::take(&mut f.reading_fail_msg)
                    {
                        f.fail_msg = take_text(text).map(|m| match f.fail_msg_html {
                            true => html::to_text(&m),
                            false => m,
                        });
                    }
                }
                // `<kw><arg>` from RF 4, `<kw><arguments><arg>` in RF 3.2.
                "arg" if matches!(parent, Some("kw" | "arguments")) => {
                    if let Some(f) = d.keywords.last_mut()
                        && f.args.len() < 16
                    {
                        let mut arg = take_text(text).unwrap_or_default();
                        if arg.len() > 200 {
                            let mut cut = 200;
                            while !arg.is_char_boundary(cut) {
                                cut -= 1;
                            }
                            arg.truncate(cut);
                            arg.push('…');
                        }
                        f.args.push(arg);
                    }
                }
                "kw" => {
                    if let Some(frame) = d.keywords.pop()
                        && frame
                            .status
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case("FAIL"))
                    {
                        let described = frame.describe();
                        match d.keywords.last_mut() {
                            Some(parent) => {
                                parent.child.get_or_insert(described);
                            }
                            None if d.failed.len() < MAX_FAILED_KEYWORDS => {
                                d.failed.push(described)
                            }
                            None => d.more_failed += 1,
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        match (name, parent) {
            ("suite", _) => self.close_suite(),
            ("msg", Some("errors")) if std::mem::take(&mut self.reading_error) => {
                let text = take_text(text).unwrap_or_default();
                let first = text.lines().next().unwrap_or("").trim();
                if self.errors.len() < MAX_ERROR_NOTES {
                    self.errors
                        .push(format!("Robot Framework execution error: {first}"));
                } else {
                    self.more_errors += 1;
                }
            }
            ("status", Some("kw" | "teardown")) if stack.len() >= 2 => {
                if stack[stack.len() - 2] == "suite"
                    && let Some(s) = self.suites.last_mut()
                    && let Some((_, message)) = s.teardown.as_mut()
                    && message.is_empty()
                {
                    *message = take_text(text).unwrap_or_default();
                }
            }
            ("kw" | "setup" | "teardown", Some("suite")) => {
                if let Some(s) = self.suites.last_mut() {
                    s.fixture = None;
                }
            }
            _ => {}
        }
    }
}

/// Start and duration from either schema's `<status>` attributes.
fn times(attrs: &Attrs, started: &mut Option<time::OffsetDateTime>, duration: &mut Option<f64>) {
    if let Some(start) = attrs.get("start") {
        *started = parse_timestamp(start);
        *duration = attrs.get("elapsed").and_then(parse_duration);
        return;
    }
    let start = attrs
        .get("starttime")
        .filter(|s| *s != "N/A")
        .and_then(parse_timestamp);
    let end = attrs
        .get("endtime")
        .filter(|s| *s != "N/A")
        .and_then(parse_timestamp);
    *started = start;
    *duration = match (start, end) {
        (Some(s), Some(e)) if e >= s => Some((e - s).as_seconds_f64()),
        _ => None,
    };
}

fn finish(d: Draft, suite_path: Arc<[String]>, class: Arc<str>, path: &Arc<Path>) -> TestCase {
    let status = d.status.unwrap_or_default().to_ascii_uppercase();
    // `rebot --merge`: the message records the other try; it becomes an attempt of its own.
    let merge = d.message.as_deref().and_then(merge::read);
    let (message, earlier, later) = match merge {
        Some(Merge::Rerun(mut m)) => (m.new_message.take(), Some(m), None),
        Some(Merge::SkippedRerun {
            rerun_message,
            original_message,
        }) => (original_message, None, Some(rerun_message)),
        Some(Merge::Added { message }) => (message, None, None),
        None => (
            d.message.map(|m| html::message_text(&m).into_owned()),
            None,
            None,
        ),
    };
    let message = message.map(Text::from);
    let details = (!d.failed.is_empty()).then(|| {
        let mut text = String::from("Failed keywords:\n");
        text.push_str(&d.failed.join("\n"));
        if d.more_failed > 0 {
            text.push_str(&format!("\n… and {} more", d.more_failed));
        }
        Text::from(text)
    });
    let attempt = Attempt {
        outcome: outcome(&status, message, details),
        duration_secs: d.duration,
        started_at: d.started_at,
        system_out: None,
        system_err: None,
        source: SourceRef::new(path.clone(), Format::Robot, None),
    };
    let mut attempts = Vec::with_capacity(1 + usize::from(earlier.is_some() || later.is_some()));
    if let Some(m) = earlier {
        // Before the rerun; rebot keeps neither its time nor its keywords.
        attempts.push(Attempt {
            outcome: outcome(&m.old_status, m.old_message.map(Text::from), None),
            duration_secs: None,
            started_at: None,
            system_out: None,
            system_err: None,
            source: attempt.source.clone(),
        });
    }
    let source = attempt.source.clone();
    attempts.push(attempt);
    if let Some(rerun_message) = later {
        // The skipped rerun; rebot keeps neither its time nor its keywords either.
        attempts.push(Attempt {
            outcome: Outcome::Skipped {
                message: rerun_message.map(Text::from),
            },
            duration_secs: None,
            started_at: None,
            system_out: None,
            system_err: None,
            source,
        });
    }
    let class = (!class.is_empty()).then_some(class);
    let mut case = TestCase::from_attempts(suite_path, class, d.name, attempts);
    case.set_extras(Extras {
        labels: d
            .tags
            .into_iter()
            .map(|t| Label {
                name: "tag".into(),
                value: t,
            })
            .collect(),
        properties: d
            .doc
            .map(|doc| Property {
                name: "test_description".into(),
                value: doc,
                items: Vec::new(),
            })
            .into_iter()
            .collect(),
        ..Extras::default()
    });
    case
}

/// A Robot status (upper-cased) with its message and failed-keyword details as an outcome.
fn outcome(status: &str, message: Option<Text>, details: Option<Text>) -> Outcome {
    match status {
        "PASS" => Outcome::Passed,
        "FAIL" => Outcome::Failed(Box::new(Failure {
            message,
            kind: None,
            details,
        })),
        "SKIP" | "NOT RUN" | "NOT_RUN" => Outcome::Skipped { message },
        other => Outcome::Error(Box::new(Failure {
            message: Some(Text::from(format!(
                "unknown Robot Framework status {other:?}{}",
                message.read().map(|m| format!(": {m}")).unwrap_or_default()
            ))),
            kind: None,
            details: None,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutcomeKind;

    fn parse(xml: &str) -> Vec<TestCase> {
        parse_reader(xml.as_bytes(), Path::new("<t>")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rf7_schema_with_suite_teardown() {
        let cases = parse(
            r#"<robot schemaversion="5"><suite id="s1" name="Root"><suite id="s1-s1" name="Sub">
            <test id="t1" name="Passes"><kw name="Log"><tag>inner</tag><status status="PASS"/></kw>
              <doc>d</doc><tag>CALC-12</tag><tag>smoke</tag>
              <status status="PASS" start="2024-01-02T03:04:05.000001" elapsed="1.5"/></test>
            <test id="t2" name="Fails"><status status="FAIL" start="2024-01-02T03:04:05" elapsed="0.1">boom</status></test>
            <test id="t3" name="Skips"><status status="SKIP">later</status></test>
            <kw name="Fail" type="TEARDOWN"><status status="FAIL">cleanup</status></kw>
            <status status="FAIL"/></suite>
            <test id="t4" name="Top"><status status="NOT RUN"/></test>
            <status status="FAIL"/></suite></robot>"#,
        );
        assert_eq!(cases.len(), 4);
        assert_eq!(cases[0].classname.as_deref(), Some("Root.Sub"));
        assert_eq!(cases[0].definition(), "Root.Sub.Passes");
        assert_eq!(
            cases[0]
                .labels()
                .iter()
                .map(|l| l.value.as_str())
                .collect::<Vec<_>>(),
            ["CALC-12", "smoke"]
        );
        assert_eq!(cases[0].property("test_description"), Some("d"));
        assert_eq!(cases[0].duration_secs(), Some(1.5));
        let f = cases[0].outcome().failure().unwrap();
        assert_eq!(
            f.message.read().as_deref(),
            Some("Parent suite teardown failed:\ncleanup")
        );
        let f = cases[1].outcome().failure().unwrap();
        assert_eq!(
            f.message.read().as_deref(),
            Some("boom\n\nAlso parent suite teardown failed:\ncleanup")
        );
        assert_eq!(cases[2].outcome().kind(), OutcomeKind::Skipped);
        assert_eq!(cases[3].outcome().kind(), OutcomeKind::Skipped);
        assert_eq!(cases[3].classname.as_deref(), Some("Root"));
    }

    #[test]
    fn legacy_schema_times_tags_and_suite_root() {
        let cases = parse(
            r#"<suite id="s1" name="S"><test id="t" name="T"><tags><tag>a</tag></tags>
            <status status="FAIL" starttime="20240102 03:04:05.000" endtime="20240102 03:04:06.500" critical="yes">m</status></test>
            <kw type="teardown" name="x"><status status="PASS"/></kw><status status="FAIL"/></suite>"#,
        );
        assert_eq!(cases[0].duration_secs(), Some(1.5));
        assert_eq!(cases[0].labels()[0].value, "a");
        let f = cases[0].outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("m"));
    }

    #[test]
    fn failed_keywords_become_details_in_both_schemas() {
        let rf7 = parse(
            r#"<robot><suite id="s1" name="S"><test id="t" name="T">
            <kw name="Row"><kw name="Check"><msg level="FAIL">x</msg><arg>${a}</arg>
              <status status="FAIL">4 != 5</status></kw><arg>2</arg><arg>5</arg><status status="FAIL">4 != 5</status></kw>
            <kw name="Row"><arg>1</arg><status status="PASS"/></kw>
            <status status="FAIL">4 != 5</status></test></suite></robot>"#,
        );
        let legacy = parse(
            r#"<robot><suite id="s1" name="S"><test id="t" name="T">
            <kw name="Row"><arguments><arg>2</arg><arg>5</arg></arguments><kw name="Check">
              <arguments><arg>${a}</arg></arguments><msg level="FAIL">4 != 5</msg><status status="FAIL"/></kw>
              <status status="FAIL"/></kw>
            <status status="FAIL">4 != 5</status></test></suite></robot>"#,
        );
        for cases in [rf7, legacy] {
            let f = cases[0].outcome().failure().unwrap();
            assert_eq!(
                f.details.read().as_deref(),
                Some("Failed keywords:\nRow    2    5\n  Check    ${a}\n    4 != 5")
            );
        }
    }

    #[test]
    fn wrong_root_is_an_error() {
        assert!(parse_reader(&b"<testsuites/>"[..], Path::new("<t>")).is_err());
    }
}
