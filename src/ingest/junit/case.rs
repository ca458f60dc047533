//! The JUnit test case being read: its state while its elements stream by (results, retries,
//! output, properties), how a `<testcase>` start resets it, and how its end turns it into a
//! `TestCase`. The parser (`parser.rs`) owns the event loop and decides which element feeds which
//! field; this module owns what a finished case is made of.

use std::path::Path;
use std::sync::Arc;

use quick_xml::events::BytesStart;

use super::Failed;
use super::markup::for_attrs;
use super::values::{Bounded, attachment_lines, parse_duration, parse_timestamp};
use crate::model::{
    Attachment, Attempt, Extras, Failure, Format, Outcome, Property, ReadText, SourceRef, TestCase,
    Text,
};

/// The `<skipped message=...>` Catch2 (v2 and v3) writes before the failure of a test tagged
/// `[!mayfail]` or `[!shouldfail]` that failed, which Catch2 counts as "failed as expected", not
/// as failed (nor in its exit code). The case is then skipped, its failure kept as the reason,
/// as for pytest's and unittest's expected failures, which their reporters write as skips.
pub(super) const CATCH2_OK_TO_FAIL: &str = "TEST_CASE tagged with !mayfail";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ResultKind {
    Skipped,
    Failure,
    Error,
}

/// A result element being read; its body goes to the case's reused `result_body` buffer.
pub(super) struct Pending {
    pub(super) kind: ResultKind,
    pub(super) message: Option<Text>,
    pub(super) ty: Option<Text>,
    /// The `message` attribute is a fixed word ([`PLACEHOLDER_MESSAGES`]), not a message.
    pub(super) placeholder: bool,
}

/// `message` attributes that are the same for every failure of a runner, the message being in
/// the body ([`message_in_body`]): Boost.Test's for every failed assertion and exception, Go's
/// (gotestsum, go-junit-report) for every failed test and a panic, nose2's for every failure
/// and error (fixtures/generated-nose2/).
pub(super) const PLACEHOLDER_MESSAGES: [&str; 5] = [
    "failure",
    "unexpected exception",
    "Failed",
    "Runtime error",
    "test failure",
];

/// The message in the body of a result whose `message` attribute is a placeholder: Boost.Test's
/// or Go's test output as their JUnit writers put it there. `None` for any other body, whose
/// `message` attribute then stands.
pub(super) fn message_in_body(body: &str) -> Option<String> {
    boost_message(body)
        .or_else(|| go_message(body))
        .or_else(|| python_message(body))
}

/// A Python traceback (nose2's body): the exception, on its last line
/// (`AssertionError: 4 != 5`).
fn python_message(body: &str) -> Option<String> {
    if !body.contains("Traceback (most recent call last):") {
        return None;
    }
    body.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// Go test output (`=== RUN`, `    calc_test.go:18: text`, `--- FAIL:`, a `panic: ` line): the
/// panic, else the last `file.go:line: text` the test logged (Go writes `t.Log` and `t.Error`
/// alike, and a test usually logs before it fails: go-junit-report's `TestP1` logs
/// `t.Log(P1)`, then `P1 error`).
fn go_message(body: &str) -> Option<String> {
    let panic = body
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("panic: "))
        .map(|l| l.trim_end_matches(" [recovered]"));
    let logged = || {
        body.lines().rev().find_map(|line| {
            let (place, text) = line.trim_start().split_once(": ")?;
            let (file, number) = place.rsplit_once(':')?;
            let go_line = file.ends_with(".go")
                && !file.contains(char::is_whitespace)
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit());
            go_line.then(|| text.trim()).filter(|t| !t.is_empty())
        })
    };
    panic.or_else(logged).map(str::to_string)
}

/// Boost.Test's JUnit logger: the `- message: ` line of an `ASSERTION FAILURE:`, or the
/// exception's text under `EXCEPTION STACK TRACE:` of an `UNCAUGHT EXCEPTION:`.
fn boost_message(body: &str) -> Option<String> {
    let body = body.trim_start();
    let found = if body.starts_with("ASSERTION FAILURE:") {
        body.lines()
            .find_map(|l| l.strip_prefix("- message:"))
            .map(str::trim)
    } else if body.starts_with("UNCAUGHT EXCEPTION:") {
        let (_, trace) = body.split_once("EXCEPTION STACK TRACE:")?;
        trace
            .lines()
            .skip(1)
            .map(str::trim)
            .take_while(|l| !l.starts_with("-----"))
            .find(|l| !l.is_empty())
    } else {
        None
    };
    found.filter(|m| !m.is_empty()).map(str::to_string)
}

impl Pending {
    pub(super) fn into_outcome(self, details: Option<Text>) -> Outcome {
        let failure = |message, kind, details| {
            Box::new(Failure {
                message,
                kind,
                details,
            })
        };
        match self.kind {
            ResultKind::Skipped => {
                // Node's test runner marks a todo test `<skipped type="todo" message="true"/>`
                // (fixtures/generated-node-test/): the message is a flag, the type says it.
                let todo_flag = self.ty.read().as_deref() == Some("todo")
                    && self.message.read().as_deref() == Some("true");
                let message = match todo_flag {
                    true => Some(Text::from("todo")),
                    false => self.message.filter(|m| !m.is_empty()),
                };
                Outcome::Skipped {
                    message: message.or(details),
                }
            }
            ResultKind::Failure => Outcome::Failed(failure(self.message, self.ty, details)),
            ResultKind::Error => Outcome::Error(failure(self.message, self.ty, details)),
        }
    }
}

pub(super) struct PendingProperty {
    pub(super) property: Property,
    /// A `value` attribute wins over element text (Xray `testrun_comment` uses the text).
    pub(super) has_value: bool,
    pub(super) text: Bounded,
}

pub(super) struct Retry {
    pub(super) flaky: bool,
    pub(super) result: Pending,
    pub(super) time: Option<f64>,
    pub(super) started: Option<time::OffsetDateTime>,
}

/// The test case being read. One is reused for the whole file: the `Bounded` buffers keep
/// their capacity between tests, and kept text is copied out once, at its exact size.
#[derive(Default)]
pub(super) struct Case {
    pub(super) active: bool,
    pub(super) classname: Option<Arc<str>>,
    /// The previous case's classname, shared with the next case when equal (Surefire and
    /// most runners write one class's tests together), so a class name is stored once.
    pub(super) last_classname: Option<Arc<str>>,
    pub(super) name: String,
    pub(super) file: Option<String>,
    pub(super) line: Option<u32>,
    pub(super) time: Option<f64>,
    pub(super) started: Option<time::OffsetDateTime>,
    pub(super) skipped_by_status: bool,
    /// Catch2 wrote its "failed as expected" marker ([`CATCH2_OK_TO_FAIL`]) in this case.
    pub(super) ok_to_fail: bool,
    pub(super) result: Option<(ResultKind, Outcome)>,
    pub(super) open_result: Option<Pending>,
    pub(super) result_body: Bounded,
    pub(super) out: Bounded,
    pub(super) err: Bounded,
    pub(super) properties: Vec<Property>,
    pub(super) attachments: Vec<Attachment>,
    /// Found in the output of flaky and rerun tries, kept apart to list them in run order.
    pub(super) flaky_attachments: Vec<Attachment>,
    pub(super) rerun_attachments: Vec<Attachment>,
    pub(super) flaky: Vec<Attempt>,
    pub(super) reruns: Vec<Attempt>,
    pub(super) retry: Option<Retry>,
    pub(super) retry_body: Bounded,
    pub(super) retry_out: Bounded,
    pub(super) retry_err: Bounded,
    pub(super) property: Option<PendingProperty>,
    pub(super) item: Option<(String, Bounded)>,
}

/// Catch2's "failed as expected": skipped, its message the marker and the failure's own.
fn expected_failure(failure: &Failure) -> Outcome {
    let failed = failure
        .message
        .as_ref()
        .map(Text::read)
        .filter(|m| !m.trim().is_empty());
    let message = match failed {
        Some(failed) => format!("{CATCH2_OK_TO_FAIL}; failed as expected: {}", failed.trim()),
        None => format!("{CATCH2_OK_TO_FAIL}; failed as expected"),
    };
    Outcome::Skipped {
        message: Some(Text::new(&message)),
    }
}

impl Case {
    /// Starts a new test in this reused case: per-test fields reset, text buffers kept (empty).
    pub(super) fn open(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), Failed> {
        let case = self;
        case.classname = None;
        case.file = None;
        case.line = None;
        case.time = None;
        case.started = None;
        case.skipped_by_status = false;
        case.ok_to_fail = false;
        case.result = None;
        case.open_result = None;
        case.retry = None;
        case.property = None;
        case.item = None;
        case.out.clear();
        case.err.clear();
        // Taken when the previous case finished; cleared in case it was abandoned.
        case.properties.clear();
        case.attachments.clear();
        case.flaky_attachments.clear();
        case.rerun_attachments.clear();
        case.flaky.clear();
        case.reruns.clear();
        let mut id = None;
        let mut name = None;
        const WANTED: &[&[u8]] = &[
            b"name",
            b"classname",
            b"id",
            b"time",
            b"timestamp",
            b"started-at",
            b"file",
            b"line",
            b"status",
        ];
        for_attrs(e, pos, WANTED, |key, value| match key {
            b"name" => name = Some(value.into_owned()),
            b"classname" => {
                let shared = match &case.last_classname {
                    Some(last) if **last == *value => last.clone(),
                    _ => {
                        let fresh: Arc<str> = value.as_ref().into();
                        case.last_classname = Some(fresh.clone());
                        fresh
                    }
                };
                case.classname = Some(shared);
            }
            b"id" => id = Some(value.into_owned()),
            b"time" => case.time = parse_duration(&value),
            b"timestamp" | b"started-at" => {
                if case.started.is_none() {
                    case.started = parse_timestamp(&value);
                }
            }
            b"file" => case.file = Some(value.into_owned()),
            b"line" => case.line = value.trim().parse().ok(),
            _ => {
                case.skipped_by_status = matches!(
                    value.to_ascii_lowercase().as_str(),
                    "disabled" | "notrun" | "skipped" | "ignored" | "skip"
                )
            }
        })?;
        // CUnit writes `id` next to `name`; some producers write only `id`.
        case.name = name.or(id).unwrap_or_default();
        case.active = true;
        Ok(())
    }

    /// Ends this case: its tries and extras become a `TestCase`; the buffers stay for the next.
    pub(super) fn finish(
        &mut self,
        path: &Path,
        shared_path: &Arc<Path>,
        suite_path: Arc<[String]>,
    ) -> TestCase {
        let case = self;
        case.active = false;
        let outcome = match case.result.take() {
            Some((_, Outcome::Failed(failure) | Outcome::Error(failure))) if case.ok_to_fail => {
                expected_failure(&failure)
            }
            Some((_, outcome)) => outcome,
            None if case.skipped_by_status => Outcome::Skipped { message: None },
            None => Outcome::Passed,
        };
        let mut attachments = std::mem::take(&mut case.attachments);
        attachments.append(&mut case.flaky_attachments);
        attachment_lines(case.out.as_str(), path, &mut attachments);
        attachment_lines(case.err.as_str(), path, &mut attachments);
        attachments.append(&mut case.rerun_attachments);
        // Output of a passed try is only scanned for attachments, never kept: Xray comments
        // and Jira bugs are written for failures (see the module doc).
        let (system_out, system_err) = if matches!(outcome, Outcome::Passed) {
            case.out.clear();
            case.err.clear();
            (None, None)
        } else {
            (case.out.take_text(), case.err.take_text())
        };
        let main = Attempt {
            outcome,
            duration_secs: case.time,
            started_at: case.started,
            system_out,
            system_err,
            source: SourceRef::new(shared_path.clone(), Format::Junit, None),
        };
        // Surefire order: flaky tries happened before the final (main) result; reruns after the
        // first (main) failure.
        // A lone try is held inline (no allocation); several are allocated at their final size.
        let attempts: crate::model::Attempts = if case.flaky.is_empty() && case.reruns.is_empty() {
            main.into()
        } else {
            let mut tries = Vec::with_capacity(case.flaky.len() + 1 + case.reruns.len());
            tries.append(&mut case.flaky);
            tries.push(main);
            tries.append(&mut case.reruns);
            tries.into()
        };
        let classname = match case.classname.take() {
            Some(c) if is_node_test_placeholder(&c, &suite_path) => {
                Some(suite_path.join(".").into())
            }
            other => other,
        };
        let mut test = TestCase::from_attempts(
            suite_path,
            classname,
            std::mem::take(&mut case.name),
            attempts,
        );
        // Most JUnit tests have none of these: the case then carries no `Extras` box.
        let file = case.file.take();
        if file.is_some()
            || case.line.is_some()
            || !case.properties.is_empty()
            || !attachments.is_empty()
        {
            test.set_extras(Extras {
                file,
                line: case.line,
                properties: std::mem::take(&mut case.properties),
                attachments,
                ..Extras::default()
            });
        }
        test
    }
}

/// Node's test runner (`--test-reporter=junit`) writes `classname="test"` on every test and
/// the `describe` blocks as nested `<testsuite>`s (fixtures/generated-node-test/): the class
/// says nothing, so tests of one title in two blocks would share one definition. Under named
/// suites such a test takes the suite path as its class (`Calculator.nested`), as the runner
/// shows it. pytest writes `classname="test"` only for functions in a root `test.py`, under its
/// `pytest` suite: kept.
fn is_node_test_placeholder(classname: &str, suite_path: &[String]) -> bool {
    classname == "test"
        && !suite_path.is_empty()
        && suite_path.iter().all(|s| !s.is_empty())
        && suite_path.last().is_some_and(|s| s != "pytest")
}
