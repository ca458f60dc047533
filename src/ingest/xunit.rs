//! xUnit.net XML: v2 `<assemblies><assembly><collection><test>` (also written by Fixie and
//! other tools) and the v1 shape `<assembly><class><test>`, read in one streaming pass (the
//! driver in `dotnet.rs`) into `TestCase`s, one per `<test>`, in document order.
//!
//! Mapping (mirrors EnricoMi/publish-unit-test-result-action's xUnit → JUnit conversion, whose
//! expectations the corpus test checks):
//! - classname = `type`; name = `method` (the `name` attribute when `method` is empty).
//! - Theory rows share `type` and `method`; what tells them apart is the rest of the `name`
//!   attribute (`(x: 1)`), kept as a parameter `arguments` so the run-level merge keeps them
//!   as separate tests (Xray iterations) instead of folding them into retries. A display name
//!   that does not start with `type.method` is kept as a parameter `display name`.
//! - failed: `result="Fail"` or a `<failure>` element (message, `stack-trace`,
//!   `exception-type`); skipped: `result` Skip/NotRun or a `<reason>` (its text is the message);
//!   otherwise passed. `time` → duration; `<output>` → system-out (kept for tries that did not
//!   pass); `<traits>` → properties.
//! - suite path = assembly name, then collection (or class) name. Assembly-level `<errors>`
//!   (fixture clean-up failures) belong to no test and are not read, as upstream.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::junit::values::{Bounded, parse_duration};
use super::safe_xml::{self, Attrs, Handler, take_text};
use crate::model::{
    Attempt, Failure, Format, InputError, Outcome, Property, SourceRef, TestCase, Text,
};

/// Parses one xUnit.net XML file. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Xunit::new(path);
    safe_xml::drive_path(path, &mut reader)?;
    Ok(reader.cases)
}

/// Parses one file as far as it can be read: the tests whose elements closed before an error
/// (a truncated file) come back with the error.
pub fn salvage_path(path: &Path) -> (Vec<TestCase>, Option<InputError>) {
    let mut reader = Xunit::new(path);
    let error = safe_xml::drive_path(path, &mut reader).err();
    (reader.cases, error)
}

/// Parses xUnit.net XML from a reader; `path` names it. Errors carry a byte offset.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Xunit::new(path);
    safe_xml::drive_reader(r, path, &mut reader)?;
    Ok(reader.cases)
}

#[derive(Default)]
struct Draft {
    full: String,
    classname: Option<String>,
    method: Option<String>,
    result: Option<String>,
    duration: Option<f64>,
    has_failure: bool,
    has_reason: bool,
    kind: Option<String>,
    message: Option<String>,
    details: Option<String>,
    reason: Option<String>,
    output: Option<String>,
    properties: Vec<Property>,
}

struct Xunit {
    path: Arc<Path>,
    suites: Vec<String>,
    current: Option<Draft>,
    cases: Vec<TestCase>,
}

impl Xunit {
    fn new(path: &Path) -> Self {
        Xunit {
            path: Arc::from(path),
            suites: Vec::new(),
            current: None,
            cases: Vec::new(),
        }
    }
}

fn is_suite(name: &str) -> bool {
    matches!(name, "assembly" | "collection" | "class")
}

impl Handler for Xunit {
    fn root(&mut self, name: &str, _: &Attrs) -> Result<(), String> {
        match name {
            "assemblies" | "assembly" => Ok(()),
            other => Err(format!(
                "root element <{other}> is not xUnit.net (assemblies or assembly)"
            )),
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]) {
        let parent = stack.last().map(String::as_str);
        if self.current.is_none() {
            if is_suite(name) {
                self.suites
                    .push(attrs.get("name").unwrap_or_default().to_string());
            } else if name == "test" && parent.is_some_and(is_suite) {
                self.current = Some(Draft {
                    full: attrs.get("name").unwrap_or_default().to_string(),
                    classname: attrs.non_empty("type"),
                    method: attrs.non_empty("method"),
                    result: attrs.non_empty("result"),
                    duration: attrs.get("time").and_then(parse_duration),
                    ..Draft::default()
                });
            }
            return;
        }
        let Some(d) = self.current.as_mut() else {
            return;
        };
        match (name, parent) {
            ("failure", Some("test")) => {
                d.has_failure = true;
                d.kind = attrs.non_empty("exception-type");
            }
            ("reason", Some("test")) => d.has_reason = true,
            ("trait", Some("traits")) => {
                if let Some(n) = attrs.non_empty("name") {
                    d.properties.push(Property {
                        name: n,
                        value: attrs.get("value").unwrap_or_default().to_string(),
                        items: Vec::new(),
                    });
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded) {
        let parent = stack.last().map(String::as_str);
        if name == "test" && parent.is_some_and(is_suite) {
            if let Some(d) = self.current.take() {
                let case = finish(d, &self.suites, &self.path);
                self.cases.push(case);
            }
            return;
        }
        let Some(d) = self.current.as_mut() else {
            if is_suite(name) {
                self.suites.pop();
            }
            return;
        };
        match (name, parent) {
            ("message", Some("failure")) => d.message = take_text(text),
            ("stack-trace", Some("failure")) => d.details = take_text(text),
            ("reason", Some("test")) => d.reason = take_text(text),
            ("output", Some("test")) => d.output = take_text(text),
            _ => {}
        }
    }
}

fn is(value: &Option<String>, any: &[&str]) -> bool {
    value
        .as_deref()
        .is_some_and(|v| any.iter().any(|a| v.eq_ignore_ascii_case(a)))
}

fn finish(d: Draft, suites: &[String], path: &Arc<Path>) -> TestCase {
    let outcome = if d.has_failure || is(&d.result, &["Fail"]) {
        Outcome::Failed(
            Failure {
                message: d.message.map(Text::from),
                kind: d.kind.map(Text::from),
                details: d.details.map(Text::from),
            }
            .into(),
        )
    } else if d.has_reason || is(&d.result, &["Skip", "NotRun"]) {
        Outcome::Skipped {
            message: d.reason.map(Text::from),
        }
    } else {
        Outcome::Passed
    };
    let keep_output = outcome != Outcome::Passed;
    let attempt = Attempt {
        outcome,
        duration_secs: d.duration,
        started_at: None,
        system_out: d.output.filter(|_| keep_output).map(Text::from),
        system_err: None,
        source: SourceRef::new(path.clone(), Format::Xunit, None),
    };
    let (name, parameter) = name_and_rest(&d.full, d.classname.as_deref(), d.method);
    let mut case = TestCase::new(suites.to_vec(), d.classname, name, attempt);
    if !d.properties.is_empty() || parameter.is_some() {
        let extras = case.extras_mut();
        extras.properties = d.properties;
        extras.parameters = parameter.into_iter().collect();
    }
    case
}

/// The test name (`method`) and, when the full `name` says more, what it adds.
fn name_and_rest(
    full: &str,
    classname: Option<&str>,
    method: Option<String>,
) -> (String, Option<Property>) {
    let Some(method) = method else {
        return (full.to_string(), None);
    };
    let param = |name: &str, value: &str| Property {
        name: name.to_string(),
        value: value.to_string(),
        items: Vec::new(),
    };
    let qualified = classname.map(|c| format!("{c}.{method}"));
    let rest = qualified
        .as_deref()
        .and_then(|q| full.strip_prefix(q))
        .or_else(|| full.strip_prefix(method.as_str()));
    let extra = match rest {
        Some("") => None,
        Some(args) => Some(param("arguments", args)),
        None if full.is_empty() => None,
        None => Some(param("display name", full)),
    };
    (method, extra)
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
    fn v2_tests_and_theory_rows() {
        let cases = parse(
            r#"<assemblies><assembly name="A.dll"><errors/>
            <collection name="C">
              <test name="N.T.M(x: 1)" type="N.T" method="M" result="Pass" time="0,5"/>
              <test name="N.T.M(x: 2)" type="N.T" method="M" result="Fail" time="0.1">
                <traits><trait name="Category" value="Slow"/></traits>
                <failure exception-type="Xunit.Sdk.TrueException">
                  <message><![CDATA[Assert.True() Failure]]></message>
                  <stack-trace><![CDATA[   at N.T.M()]]></stack-trace></failure>
                <output>log</output>
              </test>
              <test name="Nice name" type="N.T" method="S" result="Skip"><reason>later</reason></test>
            </collection></assembly></assemblies>"#,
        );
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].name, "M");
        assert_eq!(cases[0].classname.as_deref(), Some("N.T"));
        assert_eq!(cases[0].parameters()[0].value, "(x: 1)");
        assert_eq!(cases[0].duration_secs(), Some(0.5));
        assert_eq!(*cases[0].suite_path, ["A.dll".to_string(), "C".to_string()]);
        let f = cases[1].outcome().failure().unwrap();
        assert_eq!(f.kind.read().as_deref(), Some("Xunit.Sdk.TrueException"));
        assert_eq!(f.message.read().as_deref(), Some("Assert.True() Failure"));
        assert_eq!(f.details.read().as_deref(), Some("at N.T.M()"));
        assert_eq!(
            cases[1].attempts[0].system_out.read().as_deref(),
            Some("log")
        );
        assert_eq!(cases[1].property("Category"), Some("Slow"));
        assert_eq!(
            *cases[2].outcome(),
            Outcome::Skipped {
                message: Some("later".into())
            }
        );
        assert_eq!(cases[2].parameters()[0].name, "display name");
    }

    #[test]
    fn v1_class_shape_and_nameless_method() {
        let cases = parse(
            r#"<assembly name="A"><class name="K">
              <test name="K.Ok" type="K" method="Ok" result="Pass"/>
              <test name="dir\t.xml" type="" method="" result="Fail"><failure/></test>
            </class></assembly>"#,
        );
        assert_eq!(cases[0].name, "Ok");
        assert!(cases[0].parameters().is_empty());
        assert_eq!(cases[1].name, "dir\\t.xml");
        assert_eq!(cases[1].classname, None);
        assert_eq!(cases[1].outcome().kind(), OutcomeKind::Failed);
    }

    #[test]
    fn salvage_keeps_the_tests_closed_before_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.xml");
        std::fs::write(
            &path,
            r#"<assemblies><assembly name="a.dll"><collection name="c">
<test name="A.Calc.Adds" type="A.Calc" method="Adds" result="Pass" time="0.1"/>
<test name="A.Calc.Subs" type="A.Calc" method="Subs" result="Fail" time="0.1"><failure><message>no</message></failure></test>
<test name="A.Calc.Muls" type="A.Calc" method="Muls" res"#,
        )
        .unwrap();
        let (cases, error) = salvage_path(&path);
        let kinds: Vec<OutcomeKind> = cases.iter().map(|c| c.outcome().kind()).collect();
        assert_eq!(kinds, [OutcomeKind::Passed, OutcomeKind::Failed]);
        assert!(error.is_some());
    }
}
