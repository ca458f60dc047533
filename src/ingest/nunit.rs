//! NUnit XML: NUnit 2 `<test-results>`, NUnit 3 `<test-run>`, and a bare `<test-suite>` root
//! (one NUnit 3 assembly), read in one streaming pass (the driver in `dotnet.rs`) into
//! `TestCase`s, one per `<test-case>`, in document order. Repeated names are not merged here
//! (NUnit 2 writes parameterised cases with identical names); the run-level merge does that.
//!
//! Mapping (mirrors EnricoMi/publish-unit-test-result-action's NUnit → JUnit conversion, whose
//! expectations the corpus test checks):
//! - name = `name`; classname = `classname` (NUnit 3 only; NUnit 2 names are already
//!   `Namespace.Fixture.Method`, so the classname stays empty, as upstream).
//! - skipped: `executed="False"`, `result` Skipped/Ignored/NotRunnable/Inconclusive, or
//!   `runstate` Skipped/Ignored/NotRunnable; the message is `reason/message`.
//! - error: `result="Error"` (NUnit 2). NUnit 3 writes errors as `result="Failed"
//!   label="Error"`; like upstream, those count as failed.
//! - failed: a `<failure>` element, `result` Failure/Failed, or `success="False"`; message and
//!   details from `failure/message` and `failure/stack-trace`.
//! - otherwise passed. `duration` (NUnit 3) or `time` (NUnit 2) → duration; `start-time` →
//!   start; `<output>` → system-out (kept for tries that did not pass).
//! - suite path = the names of the enclosing `<test-suite>` elements; categories and case
//!   `<property>` entries (and NUnit 2's `description`) → properties.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

use super::junit::values::{Bounded, parse_duration, parse_timestamp};
use super::safe_xml::{self, Attrs, Handler, take_text};
use crate::model::{
    Attempt, Failure, Format, InputError, Outcome, Property, SourceRef, TestCase, Text,
};

/// Parses one NUnit XML file. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Nunit::new(path);
    safe_xml::drive_path(path, &mut reader)?;
    Ok(reader.cases)
}

/// Parses one file as far as it can be read: the tests whose elements closed before an error
/// (a truncated file) come back with the error.
pub fn salvage_path(path: &Path) -> (Vec<TestCase>, Option<InputError>) {
    let mut reader = Nunit::new(path);
    let error = safe_xml::drive_path(path, &mut reader).err();
    (reader.cases, error)
}

/// Parses NUnit XML from a reader; `path` names it. Errors carry a byte offset.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Nunit::new(path);
    safe_xml::drive_reader(r, path, &mut reader)?;
    Ok(reader.cases)
}

#[derive(Default)]
struct Draft {
    name: String,
    classname: Option<String>,
    result: Option<String>,
    executed: Option<String>,
    runstate: Option<String>,
    success: Option<String>,
    duration: Option<f64>,
    started_at: Option<OffsetDateTime>,
    has_failure: bool,
    message: Option<String>,
    details: Option<String>,
    reason: Option<String>,
    output: Option<String>,
    properties: Vec<Property>,
}

struct Nunit {
    path: Arc<Path>,
    suites: Vec<String>,
    current: Option<Draft>,
    cases: Vec<TestCase>,
}

impl Nunit {
    fn new(path: &Path) -> Self {
        Nunit {
            path: Arc::from(path),
            suites: Vec::new(),
            current: None,
            cases: Vec::new(),
        }
    }
}

fn parent(stack: &[String], back: usize) -> Option<&str> {
    stack
        .len()
        .checked_sub(back)
        .and_then(|i| stack.get(i))
        .map(String::as_str)
}

impl Handler for Nunit {
    fn root(&mut self, name: &str, _: &Attrs) -> Result<(), String> {
        match name {
            "test-results" | "test-run" | "test-suite" => Ok(()),
            other => Err(format!(
                "root element <{other}> is not NUnit (test-results, test-run or test-suite)"
            )),
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]) {
        match name {
            "test-suite" => self
                .suites
                .push(attrs.get("name").unwrap_or("").to_string()),
            "test-case" => {
                let mut properties = Vec::new();
                if let Some(d) = attrs.non_empty("description") {
                    properties.push(property("Description", d));
                }
                self.current = Some(Draft {
                    name: attrs
                        .non_empty("name")
                        .or_else(|| attrs.non_empty("fullname"))
                        .unwrap_or_default(),
                    classname: attrs.non_empty("classname"),
                    result: attrs.non_empty("result"),
                    executed: attrs.non_empty("executed"),
                    runstate: attrs.non_empty("runstate"),
                    success: attrs.non_empty("success"),
                    duration: attrs
                        .get("duration")
                        .or_else(|| attrs.get("time"))
                        .and_then(parse_duration),
                    started_at: attrs.get("start-time").and_then(parse_timestamp),
                    properties,
                    ..Draft::default()
                });
            }
            _ => {
                let Some(d) = self.current.as_mut() else {
                    return;
                };
                match (name, parent(stack, 1), parent(stack, 2)) {
                    ("failure", Some("test-case"), _) => d.has_failure = true,
                    ("category", Some("categories"), Some("test-case")) => {
                        if let Some(v) = attrs.non_empty("name") {
                            d.properties.push(property("Category", v));
                        }
                    }
                    ("property", Some("properties"), Some("test-case")) => {
                        if let Some(n) = attrs.non_empty("name") {
                            let value = attrs.get("value").unwrap_or("").to_string();
                            d.properties.push(property(&n, value));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded) {
        if name == "test-suite" {
            self.suites.pop();
            return;
        }
        if name == "test-case" {
            if let Some(d) = self.current.take() {
                let case = finish(d, &self.suites, &self.path);
                self.cases.push(case);
            }
            return;
        }
        let Some(d) = self.current.as_mut() else {
            return;
        };
        match (name, parent(stack, 1), parent(stack, 2)) {
            ("message", Some("failure"), Some("test-case")) => d.message = take_text(text),
            ("stack-trace", Some("failure"), Some("test-case")) => d.details = take_text(text),
            ("message", Some("reason"), Some("test-case")) => d.reason = take_text(text),
            ("output", Some("test-case"), _) => d.output = take_text(text),
            _ => {}
        }
    }
}

fn property(name: &str, value: String) -> Property {
    Property {
        name: name.to_string(),
        value,
        items: Vec::new(),
    }
}

fn is(value: &Option<String>, any: &[&str]) -> bool {
    value
        .as_deref()
        .is_some_and(|v| any.iter().any(|a| v.eq_ignore_ascii_case(a)))
}

fn outcome(d: &mut Draft) -> Outcome {
    let skipped = is(&d.executed, &["False"])
        || is(
            &d.result,
            &["Skipped", "Ignored", "NotRunnable", "Inconclusive"],
        )
        || is(&d.runstate, &["Skipped", "Ignored", "NotRunnable"]);
    let mut failure = || Failure {
        message: d.message.take().map(Text::from),
        kind: None,
        details: d.details.take().map(Text::from),
    };
    if skipped {
        let message = d.reason.take().or_else(|| d.message.take());
        Outcome::Skipped {
            message: message.map(Text::from),
        }
    } else if is(&d.result, &["Error"]) {
        Outcome::Error(failure().into())
    } else if d.has_failure || is(&d.result, &["Failure", "Failed"]) || is(&d.success, &["False"]) {
        Outcome::Failed(failure().into())
    } else {
        Outcome::Passed
    }
}

fn finish(mut d: Draft, suites: &[String], path: &Arc<Path>) -> TestCase {
    let outcome = outcome(&mut d);
    let keep_output = outcome != Outcome::Passed;
    let attempt = Attempt {
        outcome,
        duration_secs: d.duration,
        started_at: d.started_at,
        system_out: d.output.filter(|_| keep_output).map(Text::from),
        system_err: None,
        source: SourceRef::new(path.clone(), Format::Nunit, None),
    };
    let mut case = TestCase::new(suites.to_vec(), d.classname, d.name, attempt);
    if !d.properties.is_empty() {
        case.extras_mut().properties = d.properties;
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutcomeKind;
    use crate::model::ReadText;

    fn parse(xml: &str) -> Vec<TestCase> {
        parse_reader(xml.as_bytes(), Path::new("<t>")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn nunit3_case() {
        let cases = parse(
            r#"<test-run><test-suite type="TestFixture" name="Fx">
            <test-case name="T(1)" fullname="Ns.Fx.T(1)" classname="Ns.Fx" result="Failed"
              label="Error" start-time="2022-07-13T23:20:35.0612744Z" duration="0.5">
              <properties><property name="Category" value="Slow"/></properties>
              <failure><message><![CDATA[boom]]></message><stack-trace>at X</stack-trace></failure>
              <output>log</output>
            </test-case>
            <test-case name="S" classname="Ns.Fx" result="Skipped" label="Ignored">
              <reason><message>later</message></reason></test-case>
            </test-suite></test-run>"#,
        );
        assert_eq!(cases.len(), 2);
        let t = &cases[0];
        assert_eq!(
            (t.classname.as_deref(), t.name.as_str()),
            (Some("Ns.Fx"), "T(1)")
        );
        let f = t.outcome().failure().unwrap();
        assert_eq!(t.outcome().kind(), OutcomeKind::Failed);
        assert_eq!(f.message.read().as_deref(), Some("boom"));
        assert_eq!(f.details.read().as_deref(), Some("at X"));
        assert_eq!(t.duration_secs(), Some(0.5));
        assert!(t.started_at().is_some());
        assert_eq!(t.attempts[0].system_out.read().as_deref(), Some("log"));
        assert_eq!(t.property("Category"), Some("Slow"));
        assert_eq!(*t.suite_path, ["Fx".to_string()]);
        assert_eq!(
            *cases[1].outcome(),
            Outcome::Skipped {
                message: Some("later".into())
            }
        );
    }

    #[test]
    fn nunit2_results() {
        let cases = parse(
            r#"<test-results><test-suite name="A"><results>
            <test-case name="N.F.Err" executed="True" result="Error" success="False" time="0.001">
              <failure><message>x</message></failure></test-case>
            <test-case name="N.F.NotRun" executed="False" result="NotRunnable"/>
            <test-case name="N.F.Ok" executed="True" success="True" time="1,5"/>
            <test-case name="N.F.Bad" executed="True" success="False"/>
            </results></test-suite></test-results>"#,
        );
        let kinds: Vec<_> = cases.iter().map(|c| c.outcome().kind()).collect();
        assert_eq!(
            kinds,
            [
                OutcomeKind::Error,
                OutcomeKind::Skipped,
                OutcomeKind::Passed,
                OutcomeKind::Failed
            ]
        );
        assert_eq!(cases[0].classname, None);
        assert_eq!(cases[2].duration_secs(), Some(1.5));
    }

    #[test]
    fn refuses_other_roots_and_entities() {
        let err = parse_reader("<testsuites/>".as_bytes(), Path::new("<t>")).unwrap_err();
        assert!(err.message.contains("not NUnit"), "{err}");
        let xxe = r#"<!DOCTYPE t [<!ENTITY xxe SYSTEM "secret.txt">]>
            <test-results><test-case name="a"><failure><message>&xxe;</message></failure>
            </test-case></test-results>"#;
        let err = parse_reader(xxe.as_bytes(), Path::new("<t>")).unwrap_err();
        assert!(err.message.contains("&xxe;"), "{err}");
    }

    #[test]
    fn salvage_keeps_the_cases_closed_before_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.xml");
        std::fs::write(
            &path,
            r#"<test-run id="2"><test-suite type="TestFixture" name="Calc" fullname="A.Calc">
<test-case id="1" name="Adds" fullname="A.Calc.Adds" classname="A.Calc" result="Passed"/>
<test-case id="2" name="Subs" fullname="A.Calc.Subs" classname="A.Calc" result="Failed"><failure><message>no</message></failure></test-case>
<test-case id="3" name="Muls" fullname="A.Calc.Muls" classname="A.Calc" result="Pas"#,
        )
        .unwrap();
        let (cases, error) = salvage_path(&path);
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Adds", "Subs"]);
        assert_eq!(cases[1].outcome().kind(), crate::model::OutcomeKind::Failed);
        assert_eq!(error.expect("cut").line, Some(4));
    }
}
