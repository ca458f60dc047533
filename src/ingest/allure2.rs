//! Allure 2 results: `*-result.json` (one test each) and `*-container.json` (fixtures that wrap
//! tests). Owns the JSON shapes, their lenient reading, and the result → `TestCase` mapping.
//!
//! Mapping:
//! - status `passed`/`failed`/`broken` → Passed/Failed/Error; `skipped` → Skipped; `unknown`,
//!   missing, `null` or unrecognised → Skipped with a message starting "allure status unknown".
//!   Status words are case-insensitive (`"Passed"` occurs in the wild).
//! - `statusDetails.message`/`trace` → failure message/details (bounded); `statusDetails.flaky`
//!   marks a passed test flaky.
//! - labels → `labels`; `testClass` (else `class`) → classname; `parentSuite`/`suite`/`subSuite`
//!   (else `package`) → suite path. links → `links` (type defaults to `link`).
//! - parameters → `parameters`, without `mode: hidden` ones and without `excluded` ones (Allure
//!   leaves those out of the test's identity: allure-js marks each retry `Retry=1`, `Retry=2`,
//!   so they would split one test's tries into iterations), `mode: masked` values shown as
//!   `******`, exact duplicates dropped (as Allure's own report does).
//! - attachments of the test and of all its steps → `attachments`, under the containment rule
//!   in `allure.rs`. `start`/`stop` (epoch ms) → start time and duration.
//! - name → name; allure-behave's Scenario Outline rows (`Halving a number -- @1.2 `) keep the
//!   outline's name, their row being in the parameters.
//! - descriptions are ignored.
//!
//! Containers: their `befores`/`afters` fixtures (and their steps) contribute attachments to every
//! child test. A before-fixture that failed or broke turns a child whose own status is missing or
//! unknown into an Error naming the fixture; a child with a known status keeps it.
//!
//! Globals (`*-globals.json`, allure-js 3): errors outside any test, such as a failed
//! `before all` hook under allure-mocha or allure-vitest, which write no result for the tests
//! it kept from running (or skipped ones). Each error is a test in error, so the run counts it
//! as the runner does (mocha: "failing") and it is never lost: named by the message's first
//! line up to its first `: ` (`"before all" hook failed`, the part a run repeats), under the
//! suite `Allure global errors`; the whole message and the trace are its failure.

use std::path::Path;

use serde::{Deserialize, Deserializer, de::DeserializeOwned};

use super::allure::{
    AllureCase, AllureParse, duration_secs, epoch_ms, outcome_for, resolve_attachment,
};
use crate::model::{
    Attachment, Attempt, Extras, Failure, Format, InputError, Label, Link, Outcome, Property,
    SourceRef, TestCase, Text, dedup_in_order,
};

/// Largest JSON file read whole to decide whether it is an Allure file. Real results are KBs.
pub const MAX_JSON_BYTES: u64 = 32 * 1024 * 1024;

/// One Allure 2 JSON document: the union of the result and container shapes. Every field is
/// optional and type-lenient, because adapters disagree on details (see fixtures/allure2).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawDoc {
    #[serde(deserialize_with = "lenient_string")]
    uuid: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    history_id: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    full_name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    status: Option<String>,
    #[serde(deserialize_with = "lenient_object")]
    status_details: Option<RawStatusDetails>,
    #[serde(deserialize_with = "lenient_ms")]
    start: Option<i64>,
    #[serde(deserialize_with = "lenient_ms")]
    stop: Option<i64>,
    #[serde(deserialize_with = "lenient_list")]
    labels: Vec<RawLabel>,
    #[serde(deserialize_with = "lenient_list")]
    links: Vec<RawLink>,
    #[serde(deserialize_with = "lenient_list")]
    parameters: Vec<RawParameter>,
    #[serde(deserialize_with = "lenient_list")]
    attachments: Vec<RawAttachment>,
    #[serde(deserialize_with = "lenient_list")]
    steps: Vec<RawStep>,
    /// Present only on containers.
    #[serde(deserialize_with = "lenient_opt_list")]
    children: Option<Vec<String>>,
    #[serde(deserialize_with = "lenient_list")]
    befores: Vec<RawStep>,
    #[serde(deserialize_with = "lenient_list")]
    afters: Vec<RawStep>,
    /// Allure 1 JSON suites carry this; used only to recognise them.
    #[serde(deserialize_with = "lenient_opt_list")]
    test_cases: Option<Vec<serde_json::Value>>,
    /// Present only on globals (`*-globals.json`): errors outside any test.
    #[serde(deserialize_with = "lenient_opt_list")]
    errors: Option<Vec<RawGlobalError>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawGlobalError {
    #[serde(deserialize_with = "lenient_string")]
    message: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    trace: Option<String>,
    #[serde(deserialize_with = "lenient_ms")]
    timestamp: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawStatusDetails {
    #[serde(deserialize_with = "lenient_string")]
    message: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    trace: Option<String>,
    #[serde(deserialize_with = "lenient_bool")]
    flaky: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawLabel {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawLink {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawParameter {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    value: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    mode: Option<String>,
    #[serde(deserialize_with = "lenient_bool")]
    excluded: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawAttachment {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    source: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    content_type: Option<String>,
}

/// A step or a fixture (same shape).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawStep {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    status: Option<String>,
    #[serde(deserialize_with = "lenient_object")]
    status_details: Option<RawStatusDetails>,
    #[serde(deserialize_with = "lenient_list")]
    attachments: Vec<RawAttachment>,
    #[serde(deserialize_with = "lenient_list")]
    steps: Vec<RawStep>,
}

// Lenient field readers: a field of the wrong JSON type reads as absent instead of failing the
// whole file; only broken JSON syntax makes a file bad.

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn lenient_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

fn lenient_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(if v.is_object() {
        serde_json::from_value(v).ok()
    } else {
        None
    })
}

fn lenient_opt_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
        ),
        _ => None,
    })
}

fn lenient_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(lenient_opt_list(d)?.unwrap_or_default())
}

/// What a JSON file turned out to be.
#[derive(Debug)]
pub enum JsonKind {
    Result(Box<RawDoc>),
    Container(Box<RawDoc>),
    /// An Allure 1 JSON suite (`*-testsuite.json`): recognised, not read.
    Allure1Json,
    /// allure-js 3 `*-globals.json` (see the module doc).
    Globals(Box<RawDoc>),
    /// Some other JSON (or not JSON at all); the string says what.
    Other(String),
}

/// Decides by content what a JSON file is. `Err` only for a file that is clearly meant to be an
/// Allure result or container (by its `-result.json`/`-container.json` name) but is not valid JSON.
pub fn classify(bytes: &[u8], path: &Path) -> Result<JsonKind, InputError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let named = file_name(path);
    let allure_named = named.ends_with("-result.json") || named.ends_with("-container.json");
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        if allure_named {
            return Err(error(path, None, "not a JSON object".to_string()));
        }
        return Ok(JsonKind::Other("not a JSON object".to_string()));
    }
    let doc: RawDoc = match serde_json::from_slice(body) {
        Ok(doc) => doc,
        Err(e) if allure_named => {
            return Err(error(
                path,
                Some(e.line() as u64),
                format!("invalid JSON: {e}"),
            ));
        }
        Err(_) => return Ok(JsonKind::Other("not valid JSON".to_string())),
    };
    let has_id = doc.uuid.is_some() || doc.history_id.is_some();
    let looks_result = doc.status.is_some() || doc.name.is_some();
    Ok(if doc.children.is_some() && doc.status.is_none() {
        JsonKind::Container(Box::new(doc))
    } else if looks_result && (has_id || named.ends_with("-result.json")) {
        JsonKind::Result(Box::new(doc))
    } else if doc.test_cases.is_some() {
        JsonKind::Allure1Json
    } else if doc.errors.is_some() && named.ends_with("-globals.json") && !looks_result {
        JsonKind::Globals(Box::new(doc))
    } else {
        JsonKind::Other("JSON, but not an Allure result".to_string())
    })
}

/// Parses one Allure 2 `*-result.json` file; its directory is the results directory.
pub fn parse_path(path: &Path) -> Result<AllureParse, InputError> {
    let bytes = std::fs::read(path).map_err(|e| error(path, None, format!("cannot read: {e}")))?;
    parse_slice(&bytes, path)
}

/// Parses the bytes of one Allure 2 result; `path` names it and locates its attachments.
/// Anything that is not an Allure 2 result is an error here (`ingest` sniffs before calling).
pub fn parse_slice(bytes: &[u8], path: &Path) -> Result<AllureParse, InputError> {
    match classify(bytes, path)? {
        JsonKind::Result(doc) => Ok(convert(*doc, path)),
        JsonKind::Container(_) => Err(error(
            path,
            None,
            "an Allure container, not a result".into(),
        )),
        JsonKind::Allure1Json => Err(error(path, None, "an Allure 1 JSON suite".into())),
        JsonKind::Globals(doc) => Ok(global_errors(*doc, path)),
        JsonKind::Other(what) => Err(error(path, None, what)),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn error(path: &Path, line: Option<u64>, message: String) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line,
        offset: None,
        message,
    }
}

fn results_dir(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Turns one result document into a test case.
pub fn convert(doc: RawDoc, path: &Path) -> AllureParse {
    let dir = results_dir(path);
    let mut notes = Vec::new();
    let details = doc.status_details.unwrap_or_default();
    let (outcome, status_known) =
        outcome_for(doc.status.as_deref(), details.message, details.trace);
    let attempt = Attempt {
        outcome,
        duration_secs: duration_secs(doc.start, doc.stop),
        started_at: doc.start.and_then(epoch_ms),
        system_out: None,
        system_err: None,
        source: SourceRef::new(path, Format::Allure2, None),
    };
    let labels: Vec<Label> = doc
        .labels
        .into_iter()
        .filter_map(|l| {
            Some(Label {
                name: l.name?,
                value: l.value.unwrap_or_default(),
            })
        })
        .collect();
    let label = |name: &str| {
        labels
            .iter()
            .find(|l| l.name == name && !l.value.is_empty())
            .map(|l| l.value.clone())
    };
    let classname = label("testClass").or_else(|| label("class"));
    let mut suite_path: Vec<String> = ["parentSuite", "suite", "subSuite"]
        .iter()
        .filter_map(|n| label(n))
        .collect();
    if suite_path.is_empty() {
        suite_path.extend(label("package"));
    }
    let name = doc
        .name
        .filter(|n| !n.is_empty())
        .or_else(|| doc.full_name.clone())
        .unwrap_or_else(|| "(unnamed)".to_string());
    let name = if label("framework").as_deref() == Some("behave") && !doc.parameters.is_empty() {
        behave_outline_name(name)
    } else {
        name
    };
    let mut case = TestCase::new(suite_path, classname, name, attempt);
    let links = doc
        .links
        .into_iter()
        .filter(|l| l.name.is_some() || l.url.is_some())
        .map(|l| Link {
            kind: l
                .kind
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "link".into()),
            name: l.name,
            url: l.url,
        })
        .collect();
    let mut attachments = Vec::new();
    for a in doc.attachments {
        attach(dir, a, &mut attachments, &mut notes);
    }
    step_attachments(dir, &doc.steps, &mut attachments, &mut notes);
    // Repeats are dropped once, here, by hash: a result naming 200k attachments stays linear.
    dedup_in_order(&mut attachments);
    case.set_extras(Extras {
        full_name: doc.full_name.filter(|f| !f.is_empty()),
        history_id: doc.history_id.filter(|h| !h.is_empty()),
        labels,
        links,
        parameters: parameters(doc.parameters),
        attachments,
        ..Extras::default()
    });
    // Allure's own flag; only meaningful on a pass (see model: flaky means passed after a failure).
    case.flaky = details.flaky && *case.outcome() == Outcome::Passed;
    AllureParse {
        cases: vec![AllureCase {
            case,
            uuid: doc.uuid,
            status_known,
        }],
        notes,
    }
}

/// allure-behave names a Scenario Outline's row by behave's default annotation schema, `{name}
/// -- @{row.id} {examples.name}` (`Halving a number -- @1.2 `); the row is in its parameters
/// already, so the test keeps the outline's name, as behave's JSON and the Behave reader have
/// it: the rows are one Test's iterations, named alike whichever row is read first.
fn behave_outline_name(name: String) -> String {
    let Some((outline, row)) = name.rsplit_once(" -- @") else {
        return name;
    };
    let id = row.split(' ').next().unwrap_or_default();
    let is_row_id = id.split('.').count() == 2
        && id
            .split('.')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if is_row_id && !outline.trim().is_empty() {
        outline.to_string()
    } else {
        name
    }
}

/// The errors of a globals file, each a test in error (see the module doc).
pub fn global_errors(doc: RawDoc, path: &Path) -> AllureParse {
    let cases = doc
        .errors
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let message = e
                .message
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| "error outside any test".to_string());
            let name = global_error_name(&message);
            let attempt = Attempt {
                outcome: Outcome::Error(Box::new(Failure {
                    message: Some(Text::new(&message)),
                    kind: None,
                    details: e.trace.as_deref().map(Text::new),
                })),
                duration_secs: None,
                started_at: e.timestamp.and_then(epoch_ms),
                system_out: None,
                system_err: None,
                source: SourceRef::new(path, Format::Allure2, None),
            };
            let suite = vec![GLOBAL_ERRORS_SUITE.to_string()];
            AllureCase {
                case: TestCase::new(suite, None, name, attempt),
                uuid: None,
                status_known: true,
            }
        })
        .collect();
    AllureParse {
        cases,
        notes: Vec::new(),
    }
}

/// The suite of the tests [`global_errors`] makes.
pub const GLOBAL_ERRORS_SUITE: &str = "Allure global errors";

/// `"before all" hook failed: cannot connect` → `"before all" hook failed`: the first line up
/// to its first `: `, at most 120 characters.
fn global_error_name(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    let head = line.split_once(": ").map_or(line, |(head, _)| head).trim();
    let head = if head.is_empty() { line.trim() } else { head };
    head.chars().take(120).collect()
}

fn parameters(raw: Vec<RawParameter>) -> Vec<Property> {
    let mut out: Vec<Property> = Vec::new();
    for p in raw {
        let mode = p.mode.as_deref().unwrap_or("default");
        if mode.eq_ignore_ascii_case("hidden") || p.excluded {
            continue;
        }
        let value = if mode.eq_ignore_ascii_case("masked") {
            "******".to_string()
        } else {
            p.value.unwrap_or_default()
        };
        out.push(Property {
            name: p.name.unwrap_or_default(),
            value,
            items: Vec::new(),
        });
    }
    // Repeated parameters are dropped by hash, not by rescanning: 200k parameters stay linear.
    dedup_in_order(&mut out);
    out
}

fn attach(dir: &Path, a: RawAttachment, into: &mut Vec<Attachment>, notes: &mut Vec<String>) {
    if let Some(att) = resolve_attachment(dir, a.source.as_deref(), a.name, a.content_type, notes) {
        into.push(att);
    }
}

fn step_attachments(
    dir: &Path,
    steps: &[RawStep],
    into: &mut Vec<Attachment>,
    notes: &mut Vec<String>,
) {
    for step in steps {
        for a in &step.attachments {
            let a = RawAttachment {
                name: a.name.clone(),
                source: a.source.clone(),
                content_type: a.content_type.clone(),
            };
            attach(dir, a, into, notes);
        }
        step_attachments(dir, &step.steps, into, notes);
    }
}

/// What a container contributes to its child tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    /// `uuid`s of the tests (or nested containers) it wraps.
    pub children: Vec<String>,
    /// Attachments of all its fixtures and their steps, already checked for containment.
    pub attachments: Vec<Attachment>,
    /// The first before-fixture that failed or broke, as the outcome it imposes.
    pub failed_before: Option<Outcome>,
}

/// Reads a container document (already classified) into what it contributes.
pub fn container(doc: RawDoc, path: &Path, notes: &mut Vec<String>) -> Container {
    let dir = results_dir(path);
    let mut attachments = Vec::new();
    for fixture in doc.befores.iter().chain(doc.afters.iter()) {
        step_attachments(dir, std::slice::from_ref(fixture), &mut attachments, notes);
    }
    let failed_before = doc.befores.iter().find_map(|f| {
        let details = f.status_details.as_ref();
        let status = f.status.as_deref()?.to_ascii_lowercase();
        if status != "failed" && status != "broken" {
            return None;
        }
        let name = f.name.as_deref().unwrap_or("(unnamed)");
        let mut message = format!("before fixture {name:?} {status}");
        if let Some(m) = details.and_then(|d| d.message.as_deref()) {
            message.push_str(": ");
            message.push_str(m);
        }
        Some(Outcome::Error(
            Failure {
                message: Some(Text::new(&message)),
                kind: None,
                details: details.and_then(|d| d.trace.as_deref()).map(Text::new),
            }
            .into(),
        ))
    });
    Container {
        children: doc.children.unwrap_or_default(),
        attachments,
        failed_before,
    }
}

/// Applies a container to one of its child tests (see the module doc for the rule).
pub fn apply_container(child: &mut AllureCase, container: &Container) {
    if !container.attachments.is_empty() {
        let attachments = &mut child.case.extras_mut().attachments;
        attachments.extend(container.attachments.iter().cloned());
        dedup_in_order(attachments);
    }
    if let Some(outcome) = &container.failed_before
        && !child.status_known
    {
        for attempt in &mut child.case.attempts {
            attempt.outcome = outcome.clone();
        }
        child.status_known = true;
        child.case.recompute();
    }
}
