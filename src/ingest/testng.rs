//! TestNG's own report, `testng-results.xml` (TestNG 5 to 7), read in one streaming pass (the
//! safe XML driver in `dotnet.rs`: no entity expansion, capped events and depth) into
//! `TestCase`s, one per `<test-method>` that is a test, in document order.
//!
//! Mapping (as Xray's own TestNG import: Generic tests whose definition is class name + method
//! name):
//! - classname = `<class name>`, name = the method `name`; suite path = `<suite name>`, then
//!   `<test name>`.
//! - status `PASS` → passed, `FAIL` → failed (`<exception class>` is the type, its `<message>`
//!   the message, `<full-stacktrace>` the details), `SKIP` → skipped. A `retried="true"` row
//!   (TestNG 7 `IRetryAnalyzer`) is a try that failed and was run again: a failed attempt of the
//!   same test. Any other status is an error naming it, never a pass.
//! - Data-provider rows: `<params><param index="i"><value>` become parameters `arg0`, `arg1`, …
//!   so each row is its own result (the merge keeps rows apart by their parameters; the plan
//!   sends them as iterations of one Test). A `test-instance-name` (factory / `ITest`
//!   instances) is a parameter `instance`, for the same reason.
//! - Configuration methods (`is-config="true"`: @BeforeX/@AfterX) are not tests. A *failed* one
//!   is reported as a failed result of its own (classname = its class, name = its method
//!   name, summary "… (TestNG configuration method)", property `testng.config` = `true`), so the
//!   cause of the skips is visible; a skipped or
//!   passed one is dropped. Tests TestNG skipped in a class whose configuration failed get the
//!   skip reason "configuration method … failed" when TestNG gave none.
//! - Groups (the suite's `<groups>` list) become `tag` labels; `description` the property
//!   `test_description`; `<reporter-output>` lines the output (kept for tries that did not
//!   pass). xray-testng-extensions `<attributes>`: `test` → property `test_key`, `requirement` →
//!   `requirements`, `labels` → `tags`, `summary` → `test_summary`.
//! - `started-at` → start time (zones TestNG writes as ` IST` etc. are not parsed: unknown),
//!   `duration-ms` → duration.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::dotnet::{self, Attrs, Handler, take_text};
use super::junit::values::{Bounded, parse_timestamp};
use crate::model::{
    Attempt, Extras, Failure, Format, InputError, Label, Outcome, Property, SourceRef, TestCase,
    Text,
};

/// Parses one `testng-results.xml`. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Testng::new(path);
    dotnet::drive_path(path, &mut reader)?;
    Ok(reader.cases)
}

/// Parses one file as far as it can be read: the test methods that closed before an error (a
/// truncated file) come back with the error.
pub fn salvage_path(path: &Path) -> (Vec<TestCase>, Option<InputError>) {
    let mut reader = Testng::new(path);
    let error = dotnet::drive_path(path, &mut reader).err();
    // The class being read when the file ended: its complete test methods still count.
    reader.finish_class();
    (reader.cases, error)
}

/// Parses TestNG XML from a reader; `path` names it. Errors carry a byte offset.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    let mut reader = Testng::new(path);
    dotnet::drive_reader(r, path, &mut reader)?;
    Ok(reader.cases)
}

/// Whether `name` is the root element of a TestNG report.
pub fn is_root(name: &str) -> bool {
    name == "testng-results"
}

#[derive(Default)]
struct Draft {
    name: String,
    status: String,
    is_config: bool,
    retried: bool,
    duration: Option<f64>,
    started_at: Option<time::OffsetDateTime>,
    description: Option<String>,
    /// `test-instance-name` (`ITest` / factory instances): tells instances of one method apart.
    instance: Option<String>,
    exception: Option<String>,
    message: Option<String>,
    stacktrace: Option<String>,
    params: Vec<Property>,
    /// Index of the `<param>` being read.
    param_index: Option<String>,
    /// `<value is-null="true"/>`.
    null_value: bool,
    output: Bounded,
    attribute_name: Option<String>,
    properties: Vec<Property>,
}

struct Testng {
    path: Arc<Path>,
    suite: Option<String>,
    test: Option<String>,
    class: Option<Arc<str>>,
    /// `(class, method)` → groups, from the suite's `<groups>` list.
    groups: HashMap<(String, String), Vec<String>>,
    group: Option<String>,
    current: Option<Draft>,
    /// The current class's results, finished when the class closes (skip reasons need the
    /// class's failed configuration methods, which may come after the tests they skipped).
    class_cases: Vec<(Draft, bool)>,
    cases: Vec<TestCase>,
}

impl Testng {
    fn new(path: &Path) -> Self {
        Testng {
            path: Arc::from(path),
            suite: None,
            test: None,
            class: None,
            groups: HashMap::new(),
            group: None,
            current: None,
            class_cases: Vec::new(),
            cases: Vec::new(),
        }
    }

    fn finish_class(&mut self) {
        let failed_configs: Vec<String> = self
            .class_cases
            .iter()
            .filter(|(d, is_config)| *is_config && d.status.eq_ignore_ascii_case("FAIL"))
            .map(|(d, _)| d.name.clone())
            .collect();
        let suite_path: Arc<[String]> = self
            .suite
            .iter()
            .chain(self.test.iter())
            .cloned()
            .collect::<Vec<_>>()
            .into();
        for (draft, is_config) in std::mem::take(&mut self.class_cases) {
            // Configuration methods are not tests; only a failed one is reported.
            if is_config && !draft.status.eq_ignore_ascii_case("FAIL") {
                continue;
            }
            let groups = self
                .class
                .as_deref()
                .and_then(|c| self.groups.get(&(c.to_string(), draft.name.clone())))
                .cloned()
                .unwrap_or_default();
            let case = finish(
                draft,
                is_config,
                &failed_configs,
                groups,
                suite_path.clone(),
                self.class.clone(),
                &self.path,
            );
            self.cases.push(case);
        }
    }
}

impl Handler for Testng {
    fn root(&mut self, name: &str, _: &Attrs) -> Result<(), String> {
        if is_root(name) {
            Ok(())
        } else {
            Err(format!(
                "root element <{name}> is not TestNG (testng-results)"
            ))
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]) {
        let parent = stack.last().map(String::as_str);
        if let Some(d) = self.current.as_mut() {
            match (name, parent) {
                ("exception", Some("test-method")) => d.exception = attrs.non_empty("class"),
                ("param", Some("params")) => {
                    d.param_index = Some(attrs.get("index").unwrap_or_default().to_string());
                }
                ("value", Some("param")) => {
                    d.null_value = attrs.get("is-null") == Some("true");
                }
                ("attribute", Some("attributes")) => d.attribute_name = attrs.non_empty("name"),
                _ => {}
            }
            return;
        }
        match (name, parent) {
            ("suite", _) => {
                self.suite = attrs.non_empty("name");
                self.groups.clear();
            }
            ("group", Some("groups")) => self.group = attrs.non_empty("name"),
            ("method", Some("group")) => {
                if let (Some(group), Some(class), Some(method)) = (
                    self.group.clone(),
                    attrs.non_empty("class"),
                    attrs.non_empty("name"),
                ) {
                    let list = self.groups.entry((class, method)).or_default();
                    if !list.contains(&group) {
                        list.push(group);
                    }
                }
            }
            ("test", Some("suite")) => self.test = attrs.non_empty("name"),
            ("class", Some("test")) => self.class = attrs.non_empty("name").map(Arc::from),
            ("test-method", Some("class")) => {
                self.current = Some(Draft {
                    name: attrs.get("name").unwrap_or_default().to_string(),
                    status: attrs.get("status").unwrap_or_default().trim().to_string(),
                    is_config: attrs.get("is-config") == Some("true"),
                    retried: attrs.get("retried") == Some("true"),
                    duration: attrs
                        .get("duration-ms")
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .map(|ms| ms / 1000.0),
                    started_at: attrs.get("started-at").and_then(parse_timestamp),
                    description: attrs.non_empty("description"),
                    instance: attrs.non_empty("test-instance-name"),
                    ..Draft::default()
                });
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded) {
        let parent = stack.last().map(String::as_str);
        if name == "test-method" && parent == Some("class") {
            if let Some(mut d) = self.current.take() {
                if d.status.eq_ignore_ascii_case("PASS") {
                    // Output of a passed test is not kept; free it before the class ends.
                    d.output.clear();
                }
                let is_config = d.is_config;
                self.class_cases.push((d, is_config));
            }
            return;
        }
        let Some(d) = self.current.as_mut() else {
            match name {
                "class" => {
                    self.finish_class();
                    self.class = None;
                }
                "test" if parent == Some("suite") => self.test = None,
                "group" => self.group = None,
                "suite" => self.suite = None,
                _ => {}
            }
            return;
        };
        match (name, parent) {
            ("message", Some("exception")) => d.message = take_text(text),
            ("full-stacktrace", Some("exception")) => d.stacktrace = take_text(text),
            ("value", Some("param")) => {
                let value = if d.null_value {
                    "null".to_string()
                } else {
                    take_text(text).unwrap_or_default()
                };
                let index = d.param_index.clone().unwrap_or_default();
                d.params.push(Property {
                    name: format!("arg{index}"),
                    value: without_identity_hash(value),
                    items: Vec::new(),
                });
            }
            ("line", Some("reporter-output")) => {
                if let Some(line) = take_text(text) {
                    if !d.output.as_str().is_empty() {
                        d.output.push("\n");
                    }
                    d.output.push(&line);
                }
            }
            ("attribute", Some("attributes")) => {
                let value = take_text(text).unwrap_or_default();
                let property = match d.attribute_name.take().as_deref() {
                    Some("test") => Some("test_key"),
                    Some("requirement") => Some("requirements"),
                    Some("labels") => Some("tags"),
                    Some("summary") => Some("test_summary"),
                    _ => None,
                };
                if let Some(p) = property {
                    d.properties.push(Property {
                        name: p.to_string(),
                        value,
                        items: Vec::new(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// `com.acme.Row@1b6d3586` (Java's default `toString`) → `com.acme.Row`: the hash changes
/// on every run and every retry, so it would split one row into new tests each time.
fn without_identity_hash(value: String) -> String {
    let Some((class, hash)) = value.rsplit_once('@') else {
        return value;
    };
    let is_hash =
        !hash.is_empty() && hash.len() <= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    // A package-qualified class name: `user@cafe` stays as it is.
    let is_class = class.contains('.')
        && class
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '$' | '_'));
    if is_hash && is_class {
        class.to_string()
    } else {
        value
    }
}

fn finish(
    mut d: Draft,
    is_config: bool,
    failed_configs: &[String],
    groups: Vec<String>,
    suite_path: Arc<[String]>,
    class: Option<Arc<str>>,
    path: &Arc<Path>,
) -> TestCase {
    let failure = |d: &mut Draft| {
        Box::new(Failure {
            message: d.message.take().map(Text::from),
            kind: d.exception.take().map(Text::from),
            details: d.stacktrace.take().map(Text::from),
        })
    };
    let status = d.status.to_ascii_uppercase();
    let outcome = match status.as_str() {
        "PASS" | "SUCCESS" => Outcome::Passed,
        "FAIL" | "FAILURE" => Outcome::Failed(failure(&mut d)),
        // A retried try failed (TestNG 7 reports it as SKIP with `retried="true"`).
        "SKIP" if d.retried => {
            if d.message.is_none() && d.exception.is_none() {
                d.message = Some("failed; TestNG retried it".to_string());
            }
            Outcome::Failed(failure(&mut d))
        }
        "SKIP" => {
            let reason = d.message.take().or_else(|| {
                (!failed_configs.is_empty() && !is_config).then(|| {
                    format!(
                        "skipped by TestNG: configuration method {} failed",
                        failed_configs.join(", ")
                    )
                })
            });
            Outcome::Skipped {
                message: reason.map(Text::from),
            }
        }
        other => {
            let mut f = failure(&mut d);
            if f.message.is_none() {
                f.message = Some(Text::from(format!("unknown TestNG status {other:?}")));
            }
            Outcome::Error(f)
        }
    };
    let keep_output = outcome != Outcome::Passed;
    let output = d.output.take();
    let attempt = Attempt {
        outcome,
        duration_secs: d.duration,
        started_at: d.started_at,
        system_out: output.filter(|_| keep_output).map(Text::from),
        system_err: None,
        source: SourceRef::new(path.clone(), Format::Testng, None),
    };
    let summary = is_config.then(|| format!("{} (TestNG configuration method)", d.name));
    let mut case = TestCase::from_attempts(suite_path, class, d.name, vec![attempt]);
    let mut properties = d.properties;
    if let Some(summary) = summary {
        properties.push(Property {
            name: "test_summary".into(),
            value: summary,
            items: Vec::new(),
        });
    }
    let mut parameters = d.params;
    if let Some(instance) = d.instance {
        parameters.insert(
            0,
            Property {
                name: "instance".into(),
                value: instance,
                items: Vec::new(),
            },
        );
    }
    if let Some(description) = d.description {
        properties.push(Property {
            name: "test_description".into(),
            value: description,
            items: Vec::new(),
        });
    }
    if is_config {
        properties.push(Property {
            name: "testng.config".into(),
            value: "true".into(),
            items: Vec::new(),
        });
    }
    case.set_extras(Extras {
        properties,
        labels: groups
            .into_iter()
            .map(|g| Label {
                name: "tag".into(),
                value: g,
            })
            .collect(),
        parameters,
        ..Extras::default()
    });
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OutcomeKind, ReadText};

    fn parse(xml: &str) -> Vec<TestCase> {
        parse_reader(xml.as_bytes(), Path::new("<t>")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tests_configs_rows_and_groups() {
        let cases = parse(
            r#"<testng-results><suite name="S"><groups><group name="fast">
              <method name="ok" class="a.C"/></group></groups>
              <test name="T"><class name="a.C">
                <test-method status="SKIP" name="skipped"/>
                <test-method status="FAIL" is-config="true" name="setUp">
                  <exception class="java.lang.RuntimeException"><message><![CDATA[down]]></message>
                  <full-stacktrace><![CDATA[java.lang.RuntimeException: down]]></full-stacktrace></exception>
                </test-method>
                <test-method status="SKIP" is-config="true" name="setUp"/>
                <test-method status="PASS" is-config="true" name="tearDown"/>
                <test-method status="PASS" name="ok" description="works" duration-ms="1500"
                  started-at="2024-01-02T03:04:05Z"><reporter-output><line>hi</line></reporter-output></test-method>
                <test-method status="FAIL" name="row"><params><param index="0"><value><![CDATA[1]]></value></param>
                  <param index="1"><value is-null="true"/></param></params>
                  <reporter-output><line>a</line><line>b</line></reporter-output></test-method>
                <test-method status="SKIP" retried="true" name="flaky"/>
                <test-method status="PASS" name="flaky"/>
                <test-method status="WEIRD" name="odd"/>
              </class></test></suite></testng-results>"#,
        );
        let names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["skipped", "setUp", "ok", "row", "flaky", "flaky", "odd"]
        );
        assert_eq!(
            cases[0].outcome(),
            &Outcome::Skipped {
                message: Some("skipped by TestNG: configuration method setUp failed".into())
            }
        );
        let f = cases[1].outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("down"));
        assert_eq!(f.kind.read().as_deref(), Some("java.lang.RuntimeException"));
        assert_eq!(cases[1].classname.as_deref(), Some("a.C"));
        assert_eq!(*cases[1].suite_path, ["S".to_string(), "T".to_string()]);
        assert_eq!(cases[2].duration_secs(), Some(1.5));
        assert!(cases[2].started_at().is_some());
        assert_eq!(cases[2].labels()[0].value, "fast");
        assert_eq!(cases[2].property("test_description"), Some("works"));
        assert_eq!(
            cases[2].attempts[0].system_out, None,
            "passed: output dropped"
        );
        assert_eq!(cases[3].parameters()[0].name, "arg0");
        assert_eq!(cases[3].parameters()[1].value, "null");
        assert_eq!(
            cases[3].attempts[0].system_out.read().as_deref(),
            Some("a\nb")
        );
        assert_eq!(cases[4].outcome().kind(), OutcomeKind::Failed);
        assert_eq!(cases[6].outcome().kind(), OutcomeKind::Error);
    }

    #[test]
    fn identity_hashes_are_dropped_from_parameters() {
        assert_eq!(without_identity_hash("C.M.TD@e111c7c".into()), "C.M.TD");
        assert_eq!(without_identity_hash("a@b.com".into()), "a@b.com");
        assert_eq!(without_identity_hash("user@host".into()), "user@host");
        assert_eq!(without_identity_hash("x y@12".into()), "x y@12");
    }

    #[test]
    fn wrong_root_is_an_error() {
        let err = parse_reader(&b"<testsuites/>"[..], Path::new("<t>")).unwrap_err();
        assert!(err.message.contains("not TestNG"), "{err}");
    }
}
