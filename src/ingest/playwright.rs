//! Playwright Test's JSON reporter output (`reporter: [["json", {outputFile}]]`): one object
//! `{config, suites, errors, stats}`, read as a stream (serde over the byte stream: each
//! top-level suite, one test file, is converted and dropped before the next is read), into one
//! `TestCase` per test (a spec in one project) with every try as an attempt.
//!
//! Unlike Playwright's JUnit reporter, which writes a test that failed and then passed its
//! retry as a plain pass, this file keeps every try (`results[]`, ordered by `retry`), so a
//! flaky test is flaky here (`TestCase::from_attempts`: last passed, an earlier one failed).
//!
//! Identity, the same as Playwright's JUnit reporter writes for the same test: classname = the
//! file suite's title (the spec file relative to `testDir`), name = the describe titles and the
//! spec title joined with ` › `. A named project (`projectName`) is a parameter `project`, so
//! the same spec in chromium and firefox stays two results (iterations of one Xray test).
//!
//! Status of one try (`status` against the test's `expectedStatus`):
//! - `passed` → passed; but failed when `expectedStatus` is `failed` (`test.fail()` that passed).
//! - `failed` → failed; but passed when `expectedStatus` is `failed`, as Playwright counts it.
//! - `timedOut` → failed, the message saying it timed out; `interrupted` → error;
//!   `skipped` → skipped (the `skip`/`fixme` annotation is the reason).
//! - A test without any result (not run: `maxFailures`, an interrupted run) → skipped.
//!
//! The message is the first line of the error (ANSI colours stripped, a leading `Error: ` dropped
//! as the JUnit reporter does); the details are every error of the try. stdout/stderr are kept
//! only for tries that did not pass, bounded like every reader's text. Attachments with a `path`
//! are file evidence (absolute paths as written: the evidence reader refuses those outside the
//! workspace, and a missing file is skipped with its reason); ones with a `body` (base64) are
//! inline evidence. `tags` (`@smoke`, `@CALC-12`) are `tag` labels, which mapping reads for
//! Test keys as it does Cucumber's. Annotations (the test's and each try's, `test.info()
//! .annotations.push(…)` included) are properties, `type` → name and `description` → value
//! (empty when absent), as Playwright's JUnit reporter writes them: Xray's Playwright guide
//! names them as its JUnit properties (`test_key`, `requirements`, `test_summary`,
//! `testrun_comment`), so the same run maps the same from either file. Errors outside any test
//! (a file that failed to load) are notes.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::cucumber::{MAX_EMBEDDING_BYTES, OverBudget, evidence_budget, extension_for};
use super::junit::values::{Bounded, parse_timestamp};
use crate::model::{
    Attachment, Attempt, Extras, Failure, Format, InputError, Label, MAX_TEXT_BYTES, Outcome,
    Property, SourceRef, TestCase, Text,
};
use crate::untrusted::cut;

/// How JUnit's reporter (and Playwright's console) joins describe titles and the test title.
pub const TITLE_SEPARATOR: &str = " › ";

/// Keys of Playwright's `FullConfig` as the JSON reporter writes it; two of them near the top of
/// a `{"config": …}` object tell it from other JSON with a `config`.
const CONFIG_KEYS: &[&str] = &[
    "configFile",
    "rootDir",
    "forbidOnly",
    "fullyParallel",
    "globalSetup",
    "globalTimeout",
    "maxFailures",
    "preserveOutput",
    "reportSlowTests",
    "updateSnapshots",
    "workers",
];

/// What one file gave.
#[derive(Debug, Default)]
pub struct Parsed {
    pub cases: Vec<TestCase>,
    pub notes: Vec<String>,
}

/// Whether the first bytes of a file look like Playwright's JSON report: an object whose first
/// key is `config` (the reporter writes it first), holding Playwright's config keys.
pub fn looks_like_report(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'{') {
        return false;
    }
    let rest: Vec<u8> = rest
        .skip_while(|b| b.is_ascii_whitespace())
        .take(9)
        .copied()
        .collect();
    if !rest.starts_with(b"\"config\"") {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    CONFIG_KEYS
        .iter()
        .filter(|k| text.contains(&format!("\"{k}\"")))
        .count()
        >= 2
}

/// Parses one report. The error names the line of the problem.
pub fn parse_path(path: &Path) -> Result<Parsed, InputError> {
    super::salvage::complete(salvage_path(path))
}

/// Parses a report from a reader; `path` names it in errors and resolves relative attachments.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Parsed, InputError> {
    super::salvage::complete(salvage_reader(r, path))
}

/// Parses one file as far as it can be read: the test files (top-level suites) read completely
/// before an error (a truncated file) come back with the error, as Cucumber's reader does.
pub fn salvage_path(path: &Path) -> (Parsed, Option<InputError>) {
    super::salvage::open(path, |file| salvage_reader(file, path))
}

/// Like [`salvage_path`], from a reader.
pub fn salvage_reader<R: Read>(r: R, path: &Path) -> (Parsed, Option<InputError>) {
    let r = match super::salvage::without_bom(r, path) {
        Ok(r) => r,
        Err(e) => return (Parsed::default(), Some(e)),
    };
    let mut de = serde_json::Deserializer::from_reader(r);
    let mut state = State {
        path: Arc::from(path),
        parsed: Parsed::default(),
        file_prefix: None,
        root_dir: None,
        inlined: 0,
        over_budget: OverBudget::default(),
        saw_suites: false,
    };
    let result = serde::Deserializer::deserialize_map(&mut de, ReportVisitor(&mut state))
        .and_then(|()| de.end());
    state
        .parsed
        .notes
        .extend(state.over_budget.note("attachments"));
    let error = result.err().map(|e| InputError {
        path: path.to_path_buf(),
        line: (e.line() > 0).then_some(e.line() as u64),
        offset: None,
        message: format!("not a Playwright JSON report: {e}"),
    });
    if error.is_none() && !state.saw_suites {
        state
            .parsed
            .notes
            .push("the Playwright report has no `suites`: no tests in it".to_string());
    }
    (state.parsed, error)
}

struct State {
    path: Arc<Path>,
    parsed: Parsed,
    /// `testDir` relative to the config file's directory (`tests/`), so spec files (relative to
    /// `testDir`) become repository-relative for annotations.
    file_prefix: Option<String>,
    /// Inline attachment bytes (base64) kept so far, against [`evidence_budget`].
    inlined: usize,
    over_budget: OverBudget,
    saw_suites: bool,
    /// `config.rootDir`: spec files are named relative to it.
    root_dir: Option<String>,
}

struct ReportVisitor<'a>(&'a mut State);

impl<'de> Visitor<'de> for ReportVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Playwright JSON report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "config" => {
                    let config: Config = map.next_value()?;
                    self.0.file_prefix = config.file_prefix();
                    self.0.root_dir = config.root_dir.clone();
                }
                "suites" => {
                    self.0.saw_suites = true;
                    map.next_value_seed(SuitesSeed(&mut *self.0))?;
                }
                "errors" => {
                    let errors: Option<Vec<TestError>> = map.next_value()?;
                    global_errors(errors.unwrap_or_default(), self.0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The top-level suites, one test file each: converted one at a time.
struct SuitesSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for SuitesSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SuitesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of suites")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(suite) = seq.next_element::<Suite>()? {
            let file = suite
                .title
                .clone()
                .filter(|t| !t.is_empty())
                .or_else(|| suite.file.clone())
                .unwrap_or_default();
            let class: Arc<str> = Arc::from(file.as_str());
            convert_suite(suite, &class, &[], self.0);
        }
        Ok(())
    }
}

/// Any scalar as text; anything else as none.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64().filter(|n| n.is_finite()),
        _ => None,
    })
}

/// A list, `null` read as empty.
fn list<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Config {
    #[serde(rename = "configFile", deserialize_with = "text")]
    config_file: Option<String>,
    #[serde(rename = "rootDir", deserialize_with = "text")]
    root_dir: Option<String>,
}

impl Config {
    /// `rootDir` relative to the config file's directory, with a trailing `/` (empty when equal).
    fn file_prefix(&self) -> Option<String> {
        let config_dir = Path::new(self.config_file.as_deref()?).parent()?;
        let root = Path::new(self.root_dir.as_deref()?);
        let rel = root.strip_prefix(config_dir).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        Some(if rel.is_empty() {
            rel
        } else {
            format!("{rel}/")
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Suite {
    #[serde(deserialize_with = "text")]
    title: Option<String>,
    #[serde(deserialize_with = "text")]
    file: Option<String>,
    #[serde(deserialize_with = "list")]
    specs: Vec<Spec>,
    #[serde(deserialize_with = "list")]
    suites: Vec<Suite>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Spec {
    #[serde(deserialize_with = "text")]
    title: Option<String>,
    #[serde(deserialize_with = "list")]
    tags: Vec<serde_json::Value>,
    #[serde(deserialize_with = "list")]
    tests: Vec<Test>,
    #[serde(deserialize_with = "text")]
    file: Option<String>,
    #[serde(deserialize_with = "number")]
    line: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Test {
    #[serde(rename = "expectedStatus", deserialize_with = "text")]
    expected_status: Option<String>,
    #[serde(deserialize_with = "list")]
    annotations: Vec<Annotation>,
    #[serde(rename = "projectName", deserialize_with = "text")]
    project_name: Option<String>,
    #[serde(deserialize_with = "list")]
    results: Vec<TestResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Annotation {
    #[serde(rename = "type", deserialize_with = "text")]
    kind: Option<String>,
    #[serde(deserialize_with = "text")]
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TestResult {
    #[serde(deserialize_with = "text")]
    status: Option<String>,
    #[serde(deserialize_with = "number")]
    duration: Option<f64>,
    error: Option<TestError>,
    #[serde(deserialize_with = "list")]
    errors: Vec<TestError>,
    #[serde(deserialize_with = "list")]
    stdout: Vec<Chunk>,
    #[serde(deserialize_with = "list")]
    stderr: Vec<Chunk>,
    #[serde(deserialize_with = "number")]
    retry: Option<f64>,
    #[serde(rename = "startTime", deserialize_with = "text")]
    start_time: Option<String>,
    #[serde(deserialize_with = "list")]
    attachments: Vec<PwAttachment>,
    #[serde(deserialize_with = "list")]
    annotations: Vec<Annotation>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TestError {
    /// Where the error happened (errors outside tests: the file that failed to load).
    location: Option<Location>,
    #[serde(deserialize_with = "text")]
    message: Option<String>,
    #[serde(deserialize_with = "text")]
    stack: Option<String>,
    #[serde(deserialize_with = "text")]
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Location {
    #[serde(deserialize_with = "text")]
    file: Option<String>,
}

/// `{"text": …}` or `{"buffer": <base64>}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Chunk {
    #[serde(deserialize_with = "text")]
    text: Option<String>,
    #[serde(deserialize_with = "text")]
    buffer: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PwAttachment {
    #[serde(deserialize_with = "text")]
    name: Option<String>,
    #[serde(deserialize_with = "text")]
    path: Option<String>,
    #[serde(deserialize_with = "text")]
    body: Option<String>,
    #[serde(rename = "contentType", deserialize_with = "text")]
    content_type: Option<String>,
}

/// The name of the result an error outside any test becomes.
pub const OUTSIDE_TESTS: &str = "error outside tests";

/// Errors outside any test (a spec file that failed to load, a failing global setup): when one
/// happens Playwright runs no test at all and the report's suites are empty, so each error is an
/// errored result of its own (classname = the file it names, relative to `rootDir`, name
/// [`OUTSIDE_TESTS`]) and the run can never look green.
fn global_errors(errors: Vec<TestError>, state: &mut State) {
    if errors.is_empty() {
        return;
    }
    let first = first_line(&error_text(&errors[0])).unwrap_or_default();
    state.parsed.notes.push(format!(
        "Playwright reported {} error(s) outside any test (such as a test file that failed to \
         load; Playwright then runs no test); each is an errored result named {OUTSIDE_TESTS:?}: {first}",
        errors.len()
    ));
    for e in errors {
        let file = e
            .location
            .as_ref()
            .and_then(|l| l.file.as_deref())
            .map(|f| {
                let root = state.root_dir.as_deref().unwrap_or("");
                let rel = Path::new(f).strip_prefix(root).unwrap_or(Path::new(f));
                rel.to_string_lossy().replace('\\', "/")
            });
        let class: Arc<str> = file.as_deref().unwrap_or("playwright").into();
        let message = first_line(&error_text(&e)).unwrap_or_else(|| "error".to_string());
        let mut details = Bounded::default();
        details.push(&strip_ansi(&detail_text(&e)));
        let attempt = Attempt {
            outcome: Outcome::Error(Box::new(Failure {
                message: Some(Text::from(message)),
                kind: None,
                details: details.take_text(),
            })),
            duration_secs: None,
            started_at: None,
            system_out: None,
            system_err: None,
            source: SourceRef::new(state.path.clone(), Format::Playwright, None),
        };
        let suite_path: Arc<[String]> = vec![class.to_string()].into();
        let case =
            TestCase::from_attempts(suite_path, Some(class), OUTSIDE_TESTS.into(), vec![attempt]);
        state.parsed.cases.push(case);
    }
}

/// Converts the specs of `suite` and of the suites inside it; `describes` are the titles of the
/// describe blocks around it (the file suite has none).
fn convert_suite(suite: Suite, class: &Arc<str>, describes: &[String], state: &mut State) {
    let suite_path: Arc<[String]> = std::iter::once(class.to_string())
        .chain(describes.iter().cloned())
        .collect::<Vec<_>>()
        .into();
    for spec in suite.specs {
        convert_spec(spec, class, describes, &suite_path, state);
    }
    for inner in suite.suites {
        let mut titles = describes.to_vec();
        if let Some(t) = inner.title.as_deref().filter(|t| !t.is_empty()) {
            titles.push(t.to_string());
        }
        convert_suite(inner, class, &titles, state);
    }
}

fn convert_spec(
    spec: Spec,
    class: &Arc<str>,
    describes: &[String],
    suite_path: &Arc<[String]>,
    state: &mut State,
) {
    let title = spec.title.unwrap_or_default();
    let name = describes
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(title.as_str()))
        .collect::<Vec<_>>()
        .join(TITLE_SEPARATOR);
    let mut labels: Vec<Label> = Vec::new();
    for tag in &spec.tags {
        let Some(tag) = tag.as_str().map(|t| t.trim().trim_start_matches('@')) else {
            continue;
        };
        let label = Label {
            name: "tag".into(),
            value: tag.into(),
        };
        if !tag.is_empty() && !labels.contains(&label) {
            labels.push(label);
        }
    }
    let file = spec
        .file
        .as_deref()
        .filter(|f| !f.is_empty() && !Path::new(f).is_absolute())
        .map(|f| format!("{}{f}", state.file_prefix.as_deref().unwrap_or("")));
    let line = spec
        .line
        .filter(|l| *l >= 1.0 && *l <= f64::from(u32::MAX))
        .map(|l| l as u32);
    for test in spec.tests {
        let mut attachments = Vec::new();
        let mut properties = Vec::new();
        annotation_properties(&test.annotations, &mut properties);
        for r in &test.results {
            annotation_properties(&r.annotations, &mut properties);
        }
        crate::model::dedup_in_order(&mut properties);
        let attempts = attempts(test.results, &test.expected_status, &mut attachments, state);
        let attempts = if attempts.is_empty() {
            vec![not_run(&test.annotations, state)]
        } else {
            attempts
        };
        let mut case = TestCase::from_attempts(
            suite_path.clone(),
            Some(class.clone()),
            name.clone(),
            attempts,
        );
        let parameters = test
            .project_name
            .filter(|p| !p.is_empty())
            .map(|value| Property {
                name: "project".into(),
                value,
                items: Vec::new(),
            })
            .into_iter()
            .collect();
        case.set_extras(Extras {
            labels: labels.clone(),
            properties,
            parameters,
            attachments,
            file: file.clone(),
            line,
            ..Extras::default()
        });
        state.parsed.cases.push(case);
    }
}

/// Each annotation with a `type` as a property (see the module doc); repeats are left to the
/// caller's `dedup_in_order` (a test's annotation is on each of its tries too).
fn annotation_properties(annotations: &[Annotation], into: &mut Vec<Property>) {
    for a in annotations {
        let Some(name) = a.kind.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        into.push(Property {
            name: name.into(),
            value: a.description.clone().unwrap_or_default(),
            items: Vec::new(),
        });
    }
}

/// The tries of one test, in `retry` order (document order where equal or absent).
fn attempts(
    mut results: Vec<TestResult>,
    expected: &Option<String>,
    attachments: &mut Vec<Attachment>,
    state: &mut State,
) -> Vec<Attempt> {
    results.sort_by(|a, b| {
        let retry = |r: &TestResult| r.retry.unwrap_or(0.0);
        retry(a).total_cmp(&retry(b))
    });
    let expect_failure = expected.as_deref() == Some("failed");
    results
        .into_iter()
        .map(|r| {
            let outcome = outcome(&r, expect_failure);
            for a in r.attachments {
                if let Some(a) = attachment(a, outcome.is_failure(), state)
                    && !attachments.contains(&a)
                {
                    attachments.push(a);
                }
            }
            let (system_out, system_err) = if matches!(outcome, Outcome::Passed) {
                (None, None)
            } else {
                (output(&r.stdout), output(&r.stderr))
            };
            Attempt {
                outcome,
                duration_secs: r.duration.filter(|d| *d >= 0.0).map(|ms| ms / 1000.0),
                started_at: r.start_time.as_deref().and_then(parse_timestamp),
                system_out,
                system_err,
                source: SourceRef::new(state.path.clone(), Format::Playwright, None),
            }
        })
        .collect()
}

/// A test Playwright wrote without any try: it did not run.
fn not_run(annotations: &[Annotation], state: &State) -> Attempt {
    let message = skip_reason(annotations)
        .unwrap_or_else(|| "not run (Playwright wrote no result for this test)".to_string());
    Attempt {
        outcome: Outcome::Skipped {
            message: Some(Text::from(message)),
        },
        duration_secs: None,
        started_at: None,
        system_out: None,
        system_err: None,
        source: SourceRef::new(state.path.clone(), Format::Playwright, None),
    }
}

/// `fixme`, or `skip: reason`, from the first skip-like annotation.
fn skip_reason(annotations: &[Annotation]) -> Option<String> {
    annotations.iter().find_map(|a| {
        let kind = a.kind.as_deref()?;
        if !matches!(kind, "skip" | "fixme" | "slow-skip") {
            return None;
        }
        Some(match a.description.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => format!("{kind}: {d}"),
            _ => kind.to_string(),
        })
    })
}

fn outcome(r: &TestResult, expect_failure: bool) -> Outcome {
    match r.status.as_deref().unwrap_or("") {
        "passed" if expect_failure => Outcome::Failed(Box::new(Failure {
            message: Some(Text::from(
                "expected to fail (test.fail()), but passed".to_string(),
            )),
            kind: None,
            details: None,
        })),
        "passed" => Outcome::Passed,
        "failed" if expect_failure => Outcome::Passed,
        "failed" => Outcome::Failed(failure(r, None)),
        "timedOut" => Outcome::Failed(failure(r, Some("timed out"))),
        "interrupted" => Outcome::Error(failure(r, Some("interrupted"))),
        "skipped" => Outcome::Skipped {
            message: skip_reason(&r.annotations).map(Text::from),
        },
        other => Outcome::Error(failure(
            r,
            Some(&format!("unknown Playwright status {:?}", cut(other, 64))),
        )),
    }
}

/// The failure of one try: the first line of its first error, every error as the details.
/// `why` heads the message when the error does not already say it (`timed out`).
fn failure(r: &TestResult, why: Option<&str>) -> Box<Failure> {
    let mut errors: Vec<&TestError> = r.errors.iter().collect();
    if errors.is_empty()
        && let Some(e) = &r.error
    {
        errors.push(e);
    }
    let primary = r.error.as_ref().or(errors.first().copied());
    let first = primary.and_then(|e| first_line(&error_text(e)));
    let says_it = |first: &str, why: &str| {
        let lower = first.to_ascii_lowercase();
        lower.contains(why) || (why == "timed out" && lower.contains("timeout"))
    };
    let message = match (why, first) {
        (Some(why), Some(first)) if says_it(&first, why) => first,
        (Some(why), Some(first)) => format!("{why}: {first}"),
        (Some(why), None) => why.to_string(),
        (None, Some(first)) => first,
        (None, None) => "failed".to_string(),
    };
    let mut details = Bounded::default();
    for (i, e) in errors.iter().enumerate() {
        let text = strip_ansi(&detail_text(e));
        if text.trim().is_empty() {
            continue;
        }
        if i > 0 {
            details.push("\n\n");
        }
        details.push(&text);
    }
    Box::new(Failure {
        message: Some(Text::from(message)),
        kind: None,
        details: details.take_text(),
    })
}

/// The error's message (or thrown value), colours stripped.
fn error_text(e: &TestError) -> String {
    strip_ansi(
        e.message
            .as_deref()
            .or(e.value.as_deref())
            .or(e.stack.as_deref())
            .unwrap_or(""),
    )
}

/// The longest telling text of an error: `errors[].message` holds the snippet and location,
/// `error.stack` the message and the stack.
fn detail_text(e: &TestError) -> String {
    let message = e.message.as_deref().or(e.value.as_deref()).unwrap_or("");
    match e.stack.as_deref() {
        Some(stack) if stack.len() > message.len() => stack.to_string(),
        _ => message.to_string(),
    }
}

/// The first non-empty line, without the `Error: ` the JUnit reporter drops too.
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.strip_prefix("Error: ").unwrap_or(line).trim();
    (!line.is_empty()).then(|| cut(line, MAX_TEXT_BYTES).to_string())
}

/// Removes ANSI escape sequences (`untrusted::strip_ansi`).
pub fn strip_ansi(s: &str) -> String {
    crate::untrusted::strip_ansi(s)
}

/// stdout/stderr chunks as one bounded text (`buffer` chunks are base64, decoded lossily).
fn output(chunks: &[Chunk]) -> Option<Text> {
    let mut out = Bounded::default();
    for c in chunks {
        if out.is_truncated() {
            break;
        }
        if let Some(t) = &c.text {
            out.push(&strip_ansi(t));
        } else if let Some(b) = &c.buffer
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b.trim())
        {
            out.push(&strip_ansi(&String::from_utf8_lossy(&bytes)));
        }
    }
    out.take_text()
}

/// An attachment as evidence: a file it names, or its base64 body. allure-playwright's runtime
/// messages (`application/vnd.allure.message+json`: the labels and links a test set through
/// allure-js, fixtures/generated-allure-playwright/results.json) are the adapter talking to
/// itself through the report, not evidence.
fn attachment(a: PwAttachment, failed: bool, state: &mut State) -> Option<Attachment> {
    if a.content_type
        .as_deref()
        .is_some_and(|c| c.trim().starts_with("application/vnd.allure."))
    {
        return None;
    }
    let name = a.name.as_deref().map(str::trim).unwrap_or("").to_string();
    if let Some(raw) = a.path.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        if raw.contains(['\n', '\0']) {
            return None;
        }
        let named = PathBuf::from(raw);
        // Absolute paths stay as written (the evidence reader confines them to the workspace);
        // relative ones are relative to the report.
        let path = if named.is_absolute() {
            named
        } else {
            state.path.parent().unwrap_or(Path::new(".")).join(named)
        };
        return Some(Attachment::File {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            path,
            content_type: a.content_type.filter(|c| !c.is_empty()),
        });
    }
    let body = a.body?;
    let data: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let shown = if name.is_empty() { "attachment" } else { &name };
    if data.len() > MAX_EMBEDDING_BYTES {
        state.parsed.notes.push(format!(
            "attachment {:?} is larger than {} MiB and was not kept as evidence",
            cut(shown, 64),
            MAX_EMBEDDING_BYTES >> 20
        ));
        return None;
    }
    if state.inlined + data.len() > evidence_budget(failed) {
        state
            .over_budget
            .leave_out(format!("attachment {:?}", cut(shown, 64)));
        return None;
    }
    if data.is_empty()
        || base64::engine::general_purpose::STANDARD
            .decode(&data)
            .is_err()
    {
        state.parsed.notes.push(format!(
            "attachment {:?} has a body that is not base64 and was not kept as evidence",
            cut(shown, 64)
        ));
        return None;
    }
    state.inlined += data.len();
    let safe = shown.replace(['/', '\\'], "_");
    let name = if safe.contains('.') {
        safe
    } else {
        format!(
            "{safe}.{}",
            extension_for(a.content_type.as_deref().unwrap_or(""))
        )
    };
    Some(Attachment::Inline { name, base64: data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OutcomeKind, ReadText};

    fn parse(json: &str) -> Parsed {
        parse_reader(json.as_bytes(), Path::new("out/results.json"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    const CONFIG: &str = r#""config":{"configFile":"/w/playwright.config.ts","rootDir":"/w/e2e","forbidOnly":false,"workers":2}"#;

    fn report(suites: &str) -> String {
        format!(r#"{{{CONFIG},"suites":[{suites}],"errors":[]}}"#)
    }

    fn result(status: &str, retry: u32, extra: &str) -> String {
        format!(
            r#"{{"status":"{status}","retry":{retry},"duration":1500,"startTime":"2026-12-06T01:08:37.072Z"{extra}}}"#
        )
    }

    fn spec(title: &str, tests: &[(&str, &str, Vec<String>)]) -> String {
        let tests: Vec<String> = tests
            .iter()
            .map(|(project, expected, results)| {
                format!(
                    r#"{{"expectedStatus":"{expected}","projectName":"{project}","annotations":[],"results":[{}]}}"#,
                    results.join(",")
                )
            })
            .collect();
        format!(
            r#"{{"title":"{title}","tags":["@smoke","@CALC-12"],"file":"a.spec.ts","line":7,"tests":[{}]}}"#,
            tests.join(",")
        )
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_report(report("").as_bytes()));
        assert!(looks_like_report(
            format!("\u{feff}\n {{ {CONFIG}}}").as_bytes()
        ));
        assert!(!looks_like_report(br#"{"config":{"a":1},"suites":[]}"#));
        assert!(!looks_like_report(
            br#"{"suites":[],"config":{"rootDir":"x","workers":1}}"#
        ));
        assert!(!looks_like_report(br#"[{"config":{}}]"#));
    }

    #[test]
    fn retries_are_attempts_and_flaky_is_derived() {
        let err = r#","error":{"message":"Error: \u001b[31mboom\u001b[39m\nmore","stack":"Error: boom\nmore\n    at x.spec.ts:3:1"},"errors":[{"message":"Error: boom\nmore\n\n> 3 | x\n    at x.spec.ts:3:1"}],"stdout":[{"text":"log line\n"}],"stderr":[{"buffer":"ZXJy"}]"#;
        // Built by hand: `result()` writes `errors`/`stdout` itself.
        let failed = format!(
            r#"{{"status":"failed","retry":0,"duration":20,"attachments":[{{"name":"screenshot","contentType":"image/png","path":"/elsewhere/test-results/a/shot.png"}}]{err}}}"#
        );
        let passed = result("passed", 1, "");
        // Written out of order: retry decides.
        let json = report(&format!(
            r#"{{"title":"a.spec.ts","file":"a.spec.ts","specs":[],"suites":[{{"title":"group","specs":[{}]}}]}}"#,
            spec("works later", &[("", "passed", vec![passed, failed])])
        ));
        let p = parse(&json);
        assert_eq!(p.cases.len(), 1);
        let c = &p.cases[0];
        assert_eq!(c.classname.as_deref(), Some("a.spec.ts"));
        assert_eq!(c.name, "group › works later");
        assert_eq!(c.definition(), "a.spec.ts.group › works later");
        assert_eq!(c.suite_path.as_ref(), ["a.spec.ts", "group"]);
        assert!(c.flaky);
        assert_eq!(c.attempts.len(), 2);
        assert_eq!(c.outcome().kind(), OutcomeKind::Passed);
        let first = &c.attempts[0];
        let f = first.outcome.failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("boom"));
        assert!(f.details.read().unwrap().contains("> 3 | x"));
        assert_eq!(first.system_out.read().as_deref(), Some("log line\n"));
        assert_eq!(first.system_err.read().as_deref(), Some("err"));
        assert_eq!(first.duration_secs, Some(0.02));
        assert_eq!(c.attempts[1].duration_secs, Some(1.5));
        assert!(c.attempts[1].started_at.is_some());
        assert_eq!(c.file(), Some("e2e/a.spec.ts"));
        assert_eq!(c.line(), Some(7));
        let tags: Vec<_> = c.labels().iter().map(|l| l.value.as_str()).collect();
        assert_eq!(tags, ["smoke", "CALC-12"]);
        assert_eq!(
            c.attachments(),
            [Attachment::File {
                path: PathBuf::from("/elsewhere/test-results/a/shot.png"),
                name: Some("shot.png".into()),
                content_type: Some("image/png".into()),
            }]
        );
        assert!(c.parameters().is_empty());
    }

    #[test]
    fn statuses_against_the_expected_status_and_projects() {
        let timed_out = r#"{"status":"timedOut","retry":0,"error":{"message":"Test timeout of 30000ms exceeded."}}"#.to_string();
        let json = report(&format!(
            r#"{{"title":"a.spec.ts","specs":[{},{},{},{},{},{}]}}"#,
            spec(
                "browsers",
                &[
                    ("chromium", "passed", vec![result("passed", 0, "")]),
                    ("firefox", "passed", vec![result("failed", 0, "")]),
                ]
            ),
            spec("xfail ok", &[("", "failed", vec![result("failed", 0, "")])]),
            spec(
                "xfail passed",
                &[("", "failed", vec![result("passed", 0, "")])]
            ),
            spec("slow", &[("", "passed", vec![timed_out])]),
            spec(
                "stopped",
                &[("", "passed", vec![result("interrupted", 0, "")])]
            ),
            spec(
                "skipped",
                &[(
                    "",
                    "skipped",
                    vec![result(
                        "skipped",
                        0,
                        r#","annotations":[{"type":"fixme","description":"later"}]"#
                    )]
                )]
            ),
        ));
        let p = parse(&json);
        let kinds: Vec<_> = p.cases.iter().map(|c| c.outcome().kind()).collect();
        assert_eq!(
            kinds,
            [
                OutcomeKind::Passed,
                OutcomeKind::Failed,
                OutcomeKind::Passed,
                OutcomeKind::Failed,
                OutcomeKind::Failed,
                OutcomeKind::Error,
                OutcomeKind::Skipped
            ]
        );
        assert_eq!(p.cases[0].parameters()[0].value, "chromium");
        assert_eq!(p.cases[1].parameters()[0].value, "firefox");
        assert_eq!(p.cases[0].name, p.cases[1].name);
        let msg = |i: usize| {
            p.cases[i]
                .outcome()
                .failure()
                .and_then(|f| f.message.read())
                .unwrap_or_default()
        };
        assert!(msg(3).contains("test.fail"), "{}", msg(3));
        assert_eq!(msg(4), "Test timeout of 30000ms exceeded.");
        assert_eq!(msg(5), "interrupted");
        let Outcome::Skipped { message } = p.cases[6].outcome() else {
            panic!()
        };
        assert_eq!(message.read().as_deref(), Some("fixme: later"));
    }

    #[test]
    fn a_test_without_results_is_skipped_and_inline_bodies_are_evidence() {
        let json = report(&format!(
            r#"{{"title":"a.spec.ts","specs":[{},{}]}}"#,
            spec("never ran", &[("", "passed", vec![])]),
            spec(
                "attached",
                &[(
                    "",
                    "passed",
                    vec![result(
                        "passed",
                        0,
                        r#","stdout":[{"text":"dropped"}],"attachments":[{"name":"note","contentType":"text/plain","body":"aGVsbG8="},{"name":"bad","body":"%%%"}]"#
                    )]
                )]
            ),
        ));
        let p = parse(&json);
        assert_eq!(p.cases[0].outcome().kind(), OutcomeKind::Skipped);
        let c = &p.cases[1];
        assert_eq!(c.attempts[0].system_out, None, "a pass keeps no output");
        assert_eq!(
            c.attachments(),
            [Attachment::Inline {
                name: "note.txt".into(),
                base64: "aGVsbG8=".into()
            }]
        );
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    }

    #[test]
    fn global_errors_are_notes_and_truncation_keeps_finished_files() {
        let json = format!(
            r#"{{{CONFIG},"suites":[],"errors":[{{"message":"Error: \u001b[31mCannot find module 'x'\u001b[39m"}}]}}"#
        );
        let p = parse(&json);
        assert!(
            p.notes[0].contains("Cannot find module 'x'"),
            "{:?}",
            p.notes
        );
        // The run never looks green: the error is a result of its own.
        assert_eq!(p.cases.len(), 1);
        assert_eq!(p.cases[0].name, OUTSIDE_TESTS);
        assert_eq!(
            p.cases[0].outcome().kind(),
            crate::model::OutcomeKind::Error
        );
        let full = report(&format!(
            r#"{{"title":"a.spec.ts","specs":[{}]}},{{"title":"b.spec.ts","specs":[{}]}}"#,
            spec("one", &[("", "passed", vec![result("passed", 0, "")])]),
            spec("two", &[("", "passed", vec![result("passed", 0, "")])]),
        ));
        let cut_at = full.find("b.spec.ts").unwrap() + 20;
        let (parsed, error) = salvage_reader(&full.as_bytes()[..cut_at], Path::new("r.json"));
        assert_eq!(parsed.cases.len(), 1);
        assert_eq!(parsed.cases[0].name, "one");
        assert!(error.unwrap().message.contains("Playwright"));
    }

    #[test]
    fn ansi_sequences_are_stripped() {
        assert_eq!(
            strip_ansi("Error: \u{1b}[2mexpect(\u{1b}[22m\u{1b}[31mreceived\u{1b}[39m)"),
            "Error: expect(received)"
        );
        assert_eq!(strip_ansi("a\u{1b}]8;;http://x\u{7}b\u{1b}"), "ab");
        assert_eq!(strip_ansi("plain"), "plain");
    }
}
