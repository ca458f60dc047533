//! MSTest / VSTest TRX (`<TestRun>` in the `http://microsoft.com/schemas/VisualStudio/TeamTest/2010`
//! namespace, also 2006), read in one streaming pass (the driver in `dotnet.rs`) into
//! `TestCase`s, one per `<UnitTestResult>`, in document order.
//!
//! `<Results>` usually come before `<TestDefinitions>`, so results are kept (text bounded) until
//! the end of the file and joined then: `testId` → `<UnitTest id>` (else `executionId` →
//! `<Execution id>`, the 2006 schema's join) gives `TestMethod/@className`.
//!
//! Mapping (mirrors EnricoMi/publish-unit-test-result-action's TRX → JUnit conversion, whose
//! expectations the corpus test checks):
//! - classname = `className` up to its first comma (older files append the assembly); name =
//!   `testName` without a leading `className.` (VSTest writes xUnit names fully qualified).
//! - `outcome`: Passed/PassedButRunAborted → passed; Failed → failed; Error, or no outcome at
//!   all → error; Timeout → failed (a deviation: upstream calls it skipped, but a timed-out
//!   test did not pass); anything else (NotExecuted, Inconclusive, Aborted, NotRunnable,
//!   Warning, Completed, …) → skipped, as upstream.
//! - `Output/ErrorInfo/Message` and `StackTrace` → failure message and details (the message is
//!   also a skip's reason); `Output/StdOut`/`StdErr` → system-out/err (kept for tries that did
//!   not pass). `duration` (`hh:mm:ss.fffffff`), else `endTime - startTime` → duration;
//!   `startTime` → start. `TestCategoryItem` → properties `Category`.
//! - A data-driven result with `<InnerResults>` is represented by its inner results only, so
//!   a row is never counted twice (not in the corpus; upstream would count both).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

use super::junit::values::{Bounded, parse_timestamp};
use super::safe_xml::{self, Attrs, Handler, parse_timespan, take_text};
use crate::model::{
    Attempt, Failure, Format, InputError, Outcome, Property, SourceRef, TestCase, Text,
};

/// Parses one TRX file. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Trx::new(path);
    safe_xml::drive_path(path, &mut reader)?;
    Ok(reader.finish())
}

/// Parses TRX from a reader; `path` names it. Errors carry a byte offset.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Trx::new(path);
    safe_xml::drive_reader(r, path, &mut reader)?;
    Ok(reader.finish())
}

#[derive(Default)]
struct Draft {
    test_id: Option<String>,
    execution_id: Option<String>,
    test_name: String,
    outcome: Option<String>,
    duration: Option<f64>,
    started_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
    message: Option<String>,
    details: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    has_inner: bool,
}

#[derive(Default)]
struct Definition {
    id: Option<String>,
    execution_id: Option<String>,
    class: Option<String>,
    categories: Vec<String>,
}

struct Trx {
    path: Arc<Path>,
    open: Vec<Draft>,
    done: Vec<Draft>,
    definition: Option<Definition>,
    /// Test id → (class, categories).
    by_test: HashMap<String, (Option<String>, Vec<String>)>,
    /// Execution id → test id.
    by_execution: HashMap<String, String>,
}

impl Trx {
    fn new(path: &Path) -> Self {
        Trx {
            path: Arc::from(path),
            open: Vec::new(),
            done: Vec::new(),
            definition: None,
            by_test: HashMap::new(),
            by_execution: HashMap::new(),
        }
    }

    fn finish(self) -> Vec<TestCase> {
        let Trx {
            path,
            done,
            by_test,
            by_execution,
            ..
        } = self;
        done.into_iter()
            .map(|d| {
                let test_id = d.test_id.as_deref().filter(|id| by_test.contains_key(*id));
                let test_id = test_id.or_else(|| {
                    d.execution_id
                        .as_deref()
                        .and_then(|e| by_execution.get(e))
                        .map(String::as_str)
                });
                let (class, categories) = test_id
                    .and_then(|id| by_test.get(id))
                    .map(|(c, cats)| (c.clone(), cats.as_slice()))
                    .unwrap_or((None, &[]));
                to_case(d, class, categories, &path)
            })
            .collect()
    }
}

impl Handler for Trx {
    fn root(&mut self, name: &str, _: &Attrs) -> Result<(), String> {
        if name == "TestRun" {
            Ok(())
        } else {
            Err(format!("root element <{name}> is not a TRX TestRun"))
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]) {
        let parent = stack.last().map(String::as_str);
        match (name, parent) {
            ("UnitTestResult", Some("Results" | "InnerResults")) => {
                if parent == Some("InnerResults")
                    && let Some(outer) = self.open.last_mut()
                {
                    outer.has_inner = true;
                }
                self.open.push(Draft {
                    test_id: attrs.non_empty("testId"),
                    execution_id: attrs.non_empty("executionId"),
                    test_name: attrs.get("testName").unwrap_or_default().to_string(),
                    outcome: attrs.non_empty("outcome"),
                    duration: attrs.get("duration").and_then(parse_timespan),
                    started_at: attrs.get("startTime").and_then(parse_timestamp),
                    ended_at: attrs.get("endTime").and_then(parse_timestamp),
                    ..Draft::default()
                });
            }
            ("UnitTest", Some("TestDefinitions")) => {
                self.definition = Some(Definition {
                    id: attrs.non_empty("id"),
                    ..Definition::default()
                });
            }
            ("Execution", Some("UnitTest")) => {
                if let Some(d) = self.definition.as_mut() {
                    d.execution_id = attrs.non_empty("id");
                }
            }
            ("TestMethod", Some("UnitTest")) => {
                if let Some(d) = self.definition.as_mut() {
                    d.class = attrs.non_empty("className");
                }
            }
            ("TestCategoryItem", Some("TestCategory")) => {
                if let (Some(d), Some(c)) =
                    (self.definition.as_mut(), attrs.non_empty("TestCategory"))
                {
                    d.categories.push(c);
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded) {
        let parent = stack.last().map(String::as_str);
        match (name, parent) {
            ("UnitTestResult", Some("Results" | "InnerResults")) => {
                if let Some(d) = self.open.pop()
                    && !d.has_inner
                {
                    self.done.push(d);
                }
            }
            ("UnitTest", Some("TestDefinitions")) => {
                if let Some(d) = self.definition.take()
                    && let Some(id) = d.id
                {
                    if let Some(e) = d.execution_id {
                        self.by_execution.insert(e, id.clone());
                    }
                    self.by_test.insert(id, (d.class, d.categories));
                }
            }
            ("Message" | "StackTrace", Some("ErrorInfo"))
            | ("StdOut" | "StdErr", Some("Output")) => {
                let Some(d) = self.open.last_mut() else {
                    return;
                };
                let slot = match name {
                    "Message" => &mut d.message,
                    "StackTrace" => &mut d.details,
                    "StdOut" => &mut d.stdout,
                    _ => &mut d.stderr,
                };
                *slot = take_text(text);
            }
            _ => {}
        }
    }
}

fn outcome(d: &mut Draft) -> Outcome {
    let mut failure = || Failure {
        message: d.message.take().map(Text::from),
        kind: None,
        details: d.details.take().map(Text::from),
    };
    match d.outcome.as_deref() {
        None | Some("Error") => Outcome::Error(failure().into()),
        Some("Passed" | "PassedButRunAborted") => Outcome::Passed,
        Some("Failed" | "Timeout") => Outcome::Failed(failure().into()),
        Some(_) => Outcome::Skipped {
            message: d.message.take().map(Text::from),
        },
    }
}

fn to_case(
    mut d: Draft,
    class: Option<String>,
    categories: &[String],
    path: &Arc<Path>,
) -> TestCase {
    let outcome = outcome(&mut d);
    let keep_output = outcome != Outcome::Passed;
    let duration = d.duration.or_else(|| {
        let secs = (d.ended_at? - d.started_at?).as_seconds_f64();
        (secs.is_finite() && secs >= 0.0).then_some(secs)
    });
    let attempt = Attempt {
        outcome,
        duration_secs: duration,
        started_at: d.started_at,
        system_out: d.stdout.filter(|_| keep_output).map(Text::from),
        system_err: d.stderr.filter(|_| keep_output).map(Text::from),
        source: SourceRef::new(path.clone(), Format::Trx, None),
    };
    let class = class
        .map(|c| c.split(',').next().unwrap_or_default().trim().to_string())
        .filter(|c| !c.is_empty());
    let name = match class.as_deref() {
        Some(c) => d
            .test_name
            .strip_prefix(c)
            .and_then(|rest| rest.strip_prefix('.'))
            .filter(|rest| !rest.is_empty())
            .map(str::to_string)
            .unwrap_or(d.test_name),
        None => d.test_name,
    };
    let mut case = TestCase::new(Vec::new(), class, name, attempt);
    if categories.is_empty() {
        return case;
    }
    case.extras_mut().properties = categories
        .iter()
        .map(|c| Property {
            name: "Category".to_string(),
            value: c.clone(),
            items: Vec::new(),
        })
        .collect();
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutcomeKind;
    use crate::model::ReadText;

    const NS: &str = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    fn parse(body: &str) -> Vec<TestCase> {
        let xml =
            format!("\u{FEFF}<?xml version=\"1.0\"?><TestRun xmlns=\"{NS}\">{body}</TestRun>");
        parse_reader(xml.as_bytes(), Path::new("<t>")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn results_join_definitions_that_follow() {
        let cases = parse(
            r#"<Results>
            <UnitTestResult executionId="e1" testId="t1" testName="N.C.Fails(i: 3)" outcome="Failed"
              duration="00:00:01.5000000" startTime="2021-04-20T08:31:32.9669698+02:00">
              <Output><StdOut>log</StdOut><ErrorInfo><Message>boom</Message>
              <StackTrace>at N.C.Fails()</StackTrace></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult executionId="e2" testId="t2" testName="Skips" outcome="NotExecuted"
              startTime="2021-04-20T08:31:32Z" endTime="2021-04-20T08:31:33Z">
              <Output><ErrorInfo><Message>Ignore test</Message></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult executionId="e3" testId="t3" testName="NoOutcome"/>
            </Results>
            <TestDefinitions>
              <UnitTest name="a" id="t1"><TestCategory><TestCategoryItem TestCategory="Slow"/></TestCategory>
                <Execution id="e1"/><TestMethod className="N.C" name="Fails"/></UnitTest>
              <UnitTest name="b" id="t2"><Execution id="e2"/>
                <TestMethod className="N.D, N, Version=1.0.0.0" name="Skips"/></UnitTest>
            </TestDefinitions>"#,
        );
        assert_eq!(cases.len(), 3);
        let t = &cases[0];
        assert_eq!(
            (t.classname.as_deref(), t.name.as_str()),
            (Some("N.C"), "Fails(i: 3)")
        );
        assert_eq!(t.duration_secs(), Some(1.5));
        assert!(t.started_at().is_some());
        let f = t.outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("boom"));
        assert_eq!(f.details.read().as_deref(), Some("at N.C.Fails()"));
        assert_eq!(t.attempts[0].system_out.read().as_deref(), Some("log"));
        assert_eq!(t.property("Category"), Some("Slow"));
        assert_eq!(cases[1].classname.as_deref(), Some("N.D"));
        assert_eq!(
            *cases[1].outcome(),
            Outcome::Skipped {
                message: Some("Ignore test".into())
            }
        );
        assert_eq!(cases[1].duration_secs(), Some(1.0));
        assert_eq!(cases[2].outcome().kind(), OutcomeKind::Error);
        assert_eq!(cases[2].classname, None);
    }

    #[test]
    fn inner_results_replace_their_parent() {
        let cases = parse(
            r#"<Results><UnitTestResult testId="t" testName="DataTest" outcome="Failed">
              <InnerResults>
                <UnitTestResult testId="t" testName="DataTest (Data Row 0)" outcome="Passed"/>
                <UnitTestResult testId="t" testName="DataTest (Data Row 1)" outcome="Timeout"/>
              </InnerResults></UnitTestResult></Results>"#,
        );
        let names: Vec<_> = cases
            .iter()
            .map(|c| (c.name.as_str(), c.outcome().kind()))
            .collect();
        assert_eq!(
            names,
            [
                ("DataTest (Data Row 0)", OutcomeKind::Passed),
                ("DataTest (Data Row 1)", OutcomeKind::Failed)
            ]
        );
    }
}
