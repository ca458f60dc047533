//! Cucumber JSON (cucumber-jvm, cucumber-js, cucumber-ruby) and Behave JSON: a top-level
//! array of features, read one feature at a time (serde over the byte stream: a feature is
//! converted and dropped before the next is read), into one `TestCase` per scenario result.
//!
//! Identity: classname = the feature name (its `uri` when unnamed), name = the scenario name
//! (`(line N)` when unnamed), so the Generic definition is `Feature.Scenario`. Every row of a
//! Scenario Outline (English keyword `Scenario Outline`/`Scenario Template`, an id with a row
//! part, one id on several lines, or several ids on one line) is its own result of that same
//! test, told apart by a parameter `example`: Behave's `@1.2 name` suffix; cucumber-jvm/ruby's
//! id tail `examples;2` (a tail that does not end in a number is a Gherkin `Rule` in the id,
//! `feature;rule;scenario`, not a row); pytest-bdd's pytest id parameters `1-1-2` when every
//! row has the outline's line; else `line N`; else `row K` when cucumber-js 7 gives every row
//! the outline's line and id. The plan sends them as iterations.
//! The same id on the same line without the outline keyword is a retry (cucumber-ruby `--retry`,
//! behave `@autoretry`): attempts of one test. Results are sent as Generic
//! tests through the normal Xray JSON; Xray's Cucumber-specific endpoints are not used.
//!
//! Status of a scenario (its background and hooks included), written down in the README:
//! - Behave writes a scenario `status`; it is used as is: `passed`; `failed`; `error`,
//!   `hook_error`, `undefined`, `pending` → error; `skipped`, `untested` → skipped.
//! - Cucumber writes only step results; the scenario is *failed* when any step or hook failed,
//!   else *error* when a step is `undefined`, `pending` or `ambiguous` (strict mode, the
//!   default of current Cucumbers, fails the run for them), else *passed* when every step
//!   passed (or there are none), else *skipped* (all or some steps skipped, none failed).
//! - The message names the step: `Then the result is 4: <first line of the error>` (of a pytest
//!   report, as pytest-bdd writes, its first `E ` line; the step's status when the file has no
//!   error text, as behave 1.3 for a step that raised); the whole error is the details.
//!   Undefined/pending steps give `undefined step: When …`.
//!
//! Tags: the scenario's tags and its feature's (without `@`) are `tag` labels; the feature's
//! are also `feature-tag` labels, so mapping takes Test keys (`@CALC-12`, `@TEST_CALC-12`) only
//! from the scenario's own tags. Embeddings (`embeddings`, base64 with `mime_type` or
//! `media.type`) of steps and hooks become inline evidence; only their base64 is kept.
//! Durations: nanoseconds in Cucumber, seconds in Behave.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};

use super::junit::values::parse_timestamp;
use crate::model::{
    Attachment, Attempt, Extras, Failure, Format, InputError, Label, Outcome, Property, SourceRef,
    TestCase, Text,
};

/// Largest embedding kept as evidence (base64 bytes); larger ones are dropped with a note.
pub const MAX_EMBEDDING_BYTES: usize = 16 * 1024 * 1024;

/// Most embedding bytes (base64) kept per file: evidence is held in memory until it is sent.
/// Tests that passed may fill half of it ([`evidence_budget`]), so that a failure's screenshot
/// is never left out because the passes before it took all the room.
pub const MAX_EMBEDDINGS_PER_FILE: usize = 128 * 1024 * 1024;

/// The evidence bytes a file may hold once this test's evidence is in: all of
/// [`MAX_EMBEDDINGS_PER_FILE`] for a test that failed, half of it for one that did not.
pub(super) fn evidence_budget(failed: bool) -> usize {
    if failed {
        MAX_EMBEDDINGS_PER_FILE
    } else {
        MAX_EMBEDDINGS_PER_FILE / 2
    }
}

/// Evidence left out because the file's kept evidence reached [`MAX_EMBEDDINGS_PER_FILE`]:
/// counted, so the file gets one note for all of them, not one per embedding (a suite that
/// screenshots every step gave hundreds of identical notes).
#[derive(Debug, Default)]
pub(super) struct OverBudget {
    count: usize,
    /// The first one left out, as the note names it (`an embedding of scenario "x", step 1`).
    first: Option<String>,
}

impl OverBudget {
    pub(super) fn leave_out(&mut self, what: String) {
        self.count += 1;
        self.first.get_or_insert(what);
    }

    /// The note for what was left out, if anything was; `plural` names the kind (`embeddings`).
    pub(super) fn note(&self, plural: &str) -> Option<String> {
        let first = self.first.as_ref()?;
        let why = format!(
            "this file's {plural} exceed the {} MiB kept per file ({} MiB for tests that did \
             not fail)",
            MAX_EMBEDDINGS_PER_FILE >> 20,
            evidence_budget(false) >> 20
        );
        Some(match self.count {
            1 => format!("{first} was not kept as evidence: {why}"),
            n => format!("{n} {plural} were not kept as evidence (the first: {first}): {why}"),
        })
    }
}

/// What one file gave.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Cucumber or Behave, by the first feature's shape.
    pub format: Option<Format>,
    pub cases: Vec<TestCase>,
    pub notes: Vec<String>,
}

/// Whether the first bytes of a file look like Cucumber or Behave JSON: a top-level array
/// whose first element is an object with a feature's keys.
pub fn looks_like_features(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'[') {
        return false;
    }
    if rest.find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    ["\"elements\"", "\"keyword\"", "\"uri\""]
        .iter()
        .any(|k| text.contains(k))
}

/// Parses one Cucumber or Behave JSON file. The error names the line of the problem.
pub fn parse_path(path: &Path) -> Result<Parsed, InputError> {
    super::salvage::complete(salvage_path(path))
}

/// Parses Cucumber or Behave JSON from a reader; `path` names it in errors and evidence.
pub fn parse_reader<R: Read>(r: R, path: &Path) -> Result<Parsed, InputError> {
    super::salvage::complete(salvage_reader(r, path))
}

/// Parses one file as far as it can be read: the features read completely before an error (a
/// truncated file) come back with the error.
pub fn salvage_path(path: &Path) -> (Parsed, Option<InputError>) {
    super::salvage::open(path, |file| salvage_reader(file, path))
}

fn salvage_reader<R: Read>(r: R, path: &Path) -> (Parsed, Option<InputError>) {
    let r = match super::salvage::without_bom(r, path) {
        Ok(r) => r,
        Err(e) => return (Parsed::default(), Some(e)),
    };
    let mut de = serde_json::Deserializer::from_reader(r);
    let mut state = State {
        path: Arc::from(path),
        parsed: Parsed::default(),
        feature_file: None,
        embedded: 0,
        over_budget: OverBudget::default(),
    };
    let result = serde::Deserializer::deserialize_seq(&mut de, FeaturesVisitor(&mut state))
        .and_then(|()| de.end());
    state
        .parsed
        .notes
        .extend(state.over_budget.note("embeddings"));
    let error = result.err().map(|e| InputError {
        path: path.to_path_buf(),
        line: (e.line() > 0).then_some(e.line() as u64),
        offset: None,
        message: format!("not Cucumber/Behave JSON: {e}"),
    });
    (state.parsed, error)
}

struct State {
    path: Arc<Path>,
    parsed: Parsed,
    /// The current feature's file, repository-relative, for annotations.
    feature_file: Option<String>,
    /// Embedding bytes kept so far, against [`evidence_budget`].
    embedded: usize,
    over_budget: OverBudget,
}

struct FeaturesVisitor<'a>(&'a mut State);

impl<'de> Visitor<'de> for FeaturesVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One feature at a time: it is converted, then dropped.
        while let Some(feature) = seq.next_element_seed(FeatureSeed)? {
            convert_feature(feature, self.0);
        }
        Ok(())
    }
}

struct FeatureSeed;

impl<'de> DeserializeSeed<'de> for FeatureSeed {
    type Value = Feature;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Feature, D::Error> {
        Feature::deserialize(d)
    }
}

/// Any scalar as text (converters write ids and names as numbers); anything else as none.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A number, or a string holding one; anything else as none.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(number(d)?
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64))
}

fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(serde_json::Value::deserialize(d)?.as_bool())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Feature {
    #[serde(deserialize_with = "text")]
    uri: Option<String>,
    #[serde(deserialize_with = "text")]
    id: Option<String>,
    #[serde(deserialize_with = "text")]
    name: Option<String>,
    /// Behave only.
    #[serde(deserialize_with = "text")]
    location: Option<String>,
    /// Behave only.
    #[serde(deserialize_with = "text")]
    status: Option<String>,
    tags: Vec<Tag>,
    elements: Vec<Element>,
}

/// Cucumber: `{"name": "@x", "line": 1}`; Behave: `"x"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Tag {
    Plain(String),
    Object {
        #[serde(default, deserialize_with = "text")]
        name: Option<String>,
    },
    Other(#[allow(dead_code)] serde_json::Value),
}

impl Tag {
    fn name(&self) -> &str {
        let raw = match self {
            Tag::Plain(s) => s,
            Tag::Object { name: Some(name) } => name,
            Tag::Object { name: None } | Tag::Other(_) => "",
        };
        raw.trim().trim_start_matches('@')
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Element {
    #[serde(rename = "type")]
    #[serde(deserialize_with = "text")]
    kind: Option<String>,
    #[serde(deserialize_with = "text")]
    keyword: Option<String>,
    #[serde(deserialize_with = "text")]
    name: Option<String>,
    #[serde(deserialize_with = "text")]
    id: Option<String>,
    #[serde(deserialize_with = "whole")]
    line: Option<u64>,
    #[serde(deserialize_with = "text")]
    location: Option<String>,
    #[serde(deserialize_with = "text")]
    status: Option<String>,
    #[serde(deserialize_with = "text")]
    start_timestamp: Option<String>,
    tags: Vec<Tag>,
    before: Vec<Step>,
    steps: Vec<Step>,
    after: Vec<Step>,
}

/// A step or a hook.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Step {
    #[serde(deserialize_with = "text")]
    keyword: Option<String>,
    #[serde(deserialize_with = "text")]
    name: Option<String>,
    #[serde(deserialize_with = "flag")]
    hidden: Option<bool>,
    result: Option<StepResult>,
    embeddings: Vec<Embedding>,
    #[serde(rename = "match")]
    matched: Option<Match>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Match {
    #[serde(deserialize_with = "text")]
    location: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepResult {
    #[serde(deserialize_with = "text")]
    status: Option<String>,
    #[serde(deserialize_with = "number")]
    duration: Option<f64>,
    error_message: Option<ErrorMessage>,
}

/// A string, or (older Behave) a list of lines.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorMessage {
    Text(String),
    Lines(Vec<String>),
    Other(serde_json::Value),
}

impl ErrorMessage {
    fn text(&self) -> String {
        match self {
            ErrorMessage::Text(s) => s.clone(),
            ErrorMessage::Lines(l) => l.join("\n"),
            ErrorMessage::Other(v) => v.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Embedding {
    #[serde(deserialize_with = "text")]
    mime_type: Option<String>,
    media: Option<Media>,
    #[serde(deserialize_with = "text")]
    name: Option<String>,
    #[serde(deserialize_with = "text")]
    data: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Media {
    #[serde(rename = "type")]
    #[serde(deserialize_with = "text")]
    kind: Option<String>,
}

fn convert_feature(feature: Feature, state: &mut State) {
    let behave = feature.uri.is_none()
        && feature.id.is_none()
        && (feature.location.is_some() || feature.status.is_some());
    let format = if behave {
        Format::Behave
    } else {
        Format::Cucumber
    };
    state.parsed.format.get_or_insert(format);
    state.feature_file = feature
        .uri
        .as_deref()
        .or_else(|| {
            feature
                .location
                .as_deref()
                .map(|l| l.rsplit_once(':').map_or(l, |(f, _)| f))
        })
        .and_then(relative_file);
    let class: Option<Arc<str>> = feature
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| feature.uri.clone())
        .or_else(|| feature.location.clone())
        .map(Arc::from);
    let suite_path: Arc<[String]> = class
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .into();
    let feature_tags: Vec<String> = feature
        .tags
        .iter()
        .map(Tag::name)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    // What tells one outline row from another where the id does not: its line, or (cucumber-js
    // 7 gives every row the outline's line) its place among the elements sharing its id.
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    let mut per_id_line: HashMap<(&str, Option<u64>), usize> = HashMap::new();
    let mut per_line: HashMap<Option<u64>, usize> = HashMap::new();
    for e in &feature.elements {
        let id = e.id.as_deref().unwrap_or("");
        *per_id.entry(id).or_default() += 1;
        *per_id_line.entry((id, e.line)).or_default() += 1;
        *per_line.entry(e.line).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    // (row label, whether the id repeats on distinct lines: rows whatever the keyword says,
    // as cucumber-js 2 writes outline rows as `Scenario`, and in any language).
    let rows: Vec<(String, bool)> = feature
        .elements
        .iter()
        .map(|e| {
            let id = e.id.as_deref().unwrap_or("");
            let k = seen.entry(id).or_default();
            *k += 1;
            let own_line = per_id_line[&(id, e.line)] == 1;
            // Other ids on this line: rows of one outline told apart by their ids (pytest-bdd
            // gives each row the outline's line and the pytest id `test_sum_rows[1-1-2]`).
            // Rows whatever the keyword says only for such a parametrised id: behave2cucumber
            // numbers the tries of a retried scenario `1`, `2`, `3` on one line.
            let line_shared = e.line.is_some() && per_line[&e.line] > per_id_line[&(id, e.line)];
            if line_shared && !id.is_empty() && per_id[id] == 1 {
                let row = row_of_id(id);
                let parametrised = row != id;
                return (row, parametrised);
            }
            let label = match e.line {
                Some(l) if own_line => format!("line {l}"),
                _ if per_id[id] > 1 => format!("row {k}"),
                _ => "row".to_string(),
            };
            (label, per_id[id] > 1 && own_line && e.line.is_some())
        })
        .collect();
    let mut background: Option<Element> = None;
    for (element, row) in feature.elements.into_iter().zip(rows) {
        if element
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("background"))
        {
            // cucumber-jvm/ruby write the background before each scenario it ran for.
            background = Some(element);
            continue;
        }
        let case = convert_scenario(
            element,
            background.take(),
            row,
            format,
            &class,
            &suite_path,
            &feature_tags,
            state,
        );
        state.parsed.cases.push(case);
    }
}

#[allow(clippy::too_many_arguments)]
fn convert_scenario(
    mut element: Element,
    background: Option<Element>,
    (row, rows_by_line): (String, bool),
    format: Format,
    class: &Option<Arc<str>>,
    suite_path: &Arc<[String]>,
    feature_tags: &[String],
    state: &mut State,
) -> TestCase {
    let behave = format == Format::Behave;
    let raw_name = element.name.clone().unwrap_or_default();
    // Behave names outline rows `Outline name -- @1.2 Examples name`.
    let (name, behave_row) = match raw_name.split_once(" -- @") {
        Some((n, row)) if behave => (n.trim().to_string(), Some(format!("@{}", row.trim()))),
        _ => (raw_name.trim().to_string(), None),
    };
    let name = if name.is_empty() {
        match element.line.or_else(|| line_of_location(&element.location)) {
            Some(l) => format!("(line {l})"),
            None => "(unnamed scenario)".to_string(),
        }
    } else {
        name
    };
    let is_outline = element.keyword.as_deref().is_some_and(|k| {
        let k = k.to_ascii_lowercase();
        k.contains("outline") || k.contains("template")
    });
    let example = behave_row.or_else(|| {
        // A row's id tail ends in its number (`examples;2`, `;2`); a third part that does not
        // is a Gherkin `Rule` (cucumber-js: `feature;rule;scenario`), not a row.
        let id_tail = element
            .id
            .as_deref()
            .and_then(|id| id.splitn(3, ';').nth(2))
            .filter(|t| {
                t.rsplit(';')
                    .next()
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(str::to_string);
        if id_tail.is_some() {
            return id_tail;
        }
        // The same id on the same line without the outline keyword is a retry (cucumber-ruby
        // `--retry`): an attempt of the same test, so no parameter.
        (is_outline || rows_by_line).then_some(row)
    });

    // Steps in the order they ran: background, before hooks, steps, after hooks.
    let mut steps: Vec<(Step, bool)> = Vec::new();
    if let Some(bg) = background {
        steps.extend(bg.before.into_iter().map(|s| (s, true)));
        steps.extend(bg.steps.into_iter().map(|s| (s, false)));
        steps.extend(bg.after.into_iter().map(|s| (s, true)));
    }
    steps.extend(
        std::mem::take(&mut element.before)
            .into_iter()
            .map(|s| (s, true)),
    );
    steps.extend(
        std::mem::take(&mut element.steps)
            .into_iter()
            .map(|s| (s, false)),
    );
    steps.extend(
        std::mem::take(&mut element.after)
            .into_iter()
            .map(|s| (s, true)),
    );

    let unit = if behave { 1.0 } else { 1e-9 };
    let mut duration = None::<f64>;
    // The first failed step: its label, its error text and its status (`failed`, `error`).
    let mut failed: Option<(String, String, String)> = None;
    let mut unfinished: Option<String> = None;
    let mut all_passed = true;
    let mut attachments = Vec::new();
    let mut embeddings = Vec::new();
    for (index, (step, is_hook)) in steps.iter_mut().enumerate() {
        let label = step_label(step, *is_hook);
        let status = step
            .result
            .as_ref()
            .and_then(|r| r.status.as_deref())
            .unwrap_or(if behave { "untested" } else { "skipped" })
            .to_ascii_lowercase();
        if let Some(d) = step
            .result
            .as_ref()
            .and_then(|r| r.duration)
            .filter(|d| d.is_finite() && *d >= 0.0)
        {
            *duration.get_or_insert(0.0) += d * unit;
        }
        let error = step
            .result
            .as_ref()
            .and_then(|r| r.error_message.as_ref())
            .map(ErrorMessage::text);
        match status.as_str() {
            "passed" => {}
            // Behave 1.3 marks a step that raised something other than an assertion `error`,
            // with no `error_message`: the message still names the step.
            "failed" | "error" => {
                all_passed = false;
                if failed.is_none() {
                    let error = error.unwrap_or_default();
                    failed = Some((label.clone(), error, status.clone()));
                }
            }
            "undefined" | "pending" | "ambiguous" => {
                all_passed = false;
                if unfinished.is_none() {
                    let mut m = format!("{status} step: {label}");
                    if let Some(e) = error.filter(|e| !e.trim().is_empty()) {
                        m.push('\n');
                        m.push_str(&e);
                    }
                    unfinished = Some(m);
                }
            }
            // A hook that was skipped does not make the scenario skipped.
            "skipped" | "untested" if *is_hook => {}
            _ => all_passed = false,
        }
        // Kept once the outcome is known: a failure's evidence has the larger budget.
        for (n, e) in std::mem::take(&mut step.embeddings).into_iter().enumerate() {
            embeddings.push((e, index + 1, n + 1));
        }
    }

    let from_steps = if let Some((step, error, status)) = failed {
        Outcome::Failed(failure(&step, &error, &status))
    } else if let Some(m) = unfinished {
        Outcome::Error(Box::new(Failure {
            message: Some(Text::from(m)),
            kind: None,
            details: None,
        }))
    } else if all_passed {
        Outcome::Passed
    } else {
        Outcome::Skipped { message: None }
    };
    let unexpanded = element
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("scenario_outline"));
    let outcome = match element.status.as_deref().map(str::to_ascii_lowercase) {
        Some(s) if behave => behave_outcome(&s, from_steps),
        // cucumber-ruby 2 without `--expand` writes the outline once, with no result per row:
        // the file cannot say how the rows went.
        _ if unexpanded => {
            let why = format!(
                "Scenario Outline {name:?} has no results per example row in this file \
                 (cucumber-ruby writes them with --expand); reported as skipped"
            );
            state.parsed.notes.push(why.clone());
            Outcome::Skipped {
                message: Some(Text::from(why)),
            }
        }
        _ => from_steps,
    };
    let failed = outcome.is_failure();
    for (e, step, n) in embeddings {
        let place = format!("scenario {name:?}, step {step}");
        if let Some(a) = embedding(e, &place, step, n, failed, state) {
            attachments.push(a);
        }
    }

    let attempt = Attempt {
        outcome,
        duration_secs: duration,
        started_at: element.start_timestamp.as_deref().and_then(parse_timestamp),
        system_out: None,
        system_err: None,
        source: SourceRef::new(state.path.clone(), format, None),
    };
    let mut case = TestCase::from_attempts(suite_path.clone(), class.clone(), name, vec![attempt]);
    let mut labels: Vec<Label> = Vec::new();
    let mut push = |name: &str, value: &str| {
        let label = Label {
            name: name.into(),
            value: value.into(),
        };
        if !labels.contains(&label) {
            labels.push(label);
        }
    };
    for t in feature_tags {
        push("tag", t);
    }
    for t in element.tags.iter().map(Tag::name).filter(|t| !t.is_empty()) {
        push("tag", t);
    }
    for t in feature_tags {
        push("feature-tag", t);
    }
    case.set_extras(Extras {
        labels,
        parameters: example
            .map(|value| Property {
                name: "example".into(),
                value,
                items: Vec::new(),
            })
            .into_iter()
            .collect(),
        attachments,
        file: state.feature_file.clone(),
        line: element
            .line
            .or_else(|| line_of_location(&element.location))
            .and_then(|l| u32::try_from(l).ok()),
        ..Extras::default()
    });
    case
}

/// Behave's own scenario status, where it wrote one; the steps' verdict keeps its text.
fn behave_outcome(status: &str, from_steps: Outcome) -> Outcome {
    match status {
        "passed" => Outcome::Passed,
        "failed" => match from_steps {
            Outcome::Failed(f) | Outcome::Error(f) => Outcome::Failed(f),
            _ => Outcome::Failed(Box::default()),
        },
        "skipped" | "untested" => match from_steps {
            s @ Outcome::Skipped { .. } => s,
            _ => Outcome::Skipped { message: None },
        },
        other => match from_steps {
            Outcome::Failed(f) | Outcome::Error(f) => Outcome::Error(f),
            _ => Outcome::Error(Box::new(Failure {
                message: Some(Text::from(format!("behave status {other}"))),
                kind: None,
                details: None,
            })),
        },
    }
}

fn step_label(step: &Step, is_hook: bool) -> String {
    if is_hook || step.hidden == Some(true) {
        let place = step
            .matched
            .as_ref()
            .and_then(|m| m.location.as_deref())
            .unwrap_or("");
        return if place.is_empty() {
            "hook".to_string()
        } else {
            format!("hook {place}")
        };
    }
    let keyword = step.keyword.as_deref().unwrap_or("").trim();
    let name = step.name.as_deref().unwrap_or("").trim();
    format!("{keyword} {name}").trim().to_string()
}

/// The row label of an outline row known by its id: a pytest id's parameters
/// (`test_sum_rows[1-1-2]` → `1-1-2`), else the whole id.
fn row_of_id(id: &str) -> String {
    match id.split_once('[') {
        Some((_, params)) if params.len() > 1 && params.ends_with(']') => {
            params[..params.len() - 1].to_string()
        }
        _ => id.to_string(),
    }
}

/// The failure of step `step`; `status` stands in for an error text the file left empty.
fn failure(step: &str, error: &str, status: &str) -> Box<Failure> {
    // pytest-bdd writes pytest's long report, whose first line is a fixture's repr with a
    // memory address; pytest's own summary line is the first `E   ` line.
    let pytest = error
        .lines()
        .filter_map(|l| l.strip_prefix("E "))
        .map(str::trim)
        .find(|l| !l.is_empty());
    let first = pytest.unwrap_or_else(|| {
        error
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or(status)
    });
    Box::new(Failure {
        message: Some(Text::from(format!("{step}: {first}"))),
        kind: None,
        details: (!error.trim().is_empty()).then(|| Text::from(error.to_string())),
    })
}

/// A feature file as a repository-relative path (`file:` prefix dropped, `\\` as `/`); `None`
/// for `classpath:` resources and absolute paths, which no annotation can point at.
fn relative_file(uri: &str) -> Option<String> {
    let uri = uri.trim();
    let path = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("file:"))
        .unwrap_or(uri)
        .replace('\\', "/");
    let absolute = path.starts_with('/') || path.as_bytes().get(1) == Some(&b':');
    (!path.is_empty() && !absolute && !uri.starts_with("classpath:")).then_some(path)
}

/// `features/x.feature:12` → 12.
fn line_of_location(location: &Option<String>) -> Option<u64> {
    location.as_deref()?.rsplit_once(':')?.1.parse().ok()
}

/// An embedding as inline evidence, when it is plausible base64 of a sane size.
fn embedding(
    e: Embedding,
    place: &str,
    step: usize,
    n: usize,
    failed: bool,
    state: &mut State,
) -> Option<Attachment> {
    let path = &*state.path;
    let notes = &mut state.parsed.notes;
    let data = e.data?;
    let mime = e
        .mime_type
        .or_else(|| e.media.and_then(|m| m.kind))
        .unwrap_or_default();
    if data.len() > MAX_EMBEDDING_BYTES {
        notes.push(format!(
            "an embedding of {place} is larger than {} MiB and was not kept as evidence",
            MAX_EMBEDDING_BYTES >> 20
        ));
        return None;
    }
    if state.embedded + data.len() > evidence_budget(failed) {
        state
            .over_budget
            .leave_out(format!("an embedding of {place}"));
        return None;
    }
    let raw = data;
    let data: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let base64_ok = !data.is_empty()
        && data.len().is_multiple_of(4)
        && data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    // Some adapters embed a file path rather than the content: named as a file evidence,
    // relative to the result file (read later only if inside the workspace).
    let looks_like_path = raw.len() < 4096
        && !raw.trim().contains(['\n', '\0'])
        && Path::new(raw.trim()).extension().is_some();
    if !base64_ok && looks_like_path {
        let file = path.parent().unwrap_or(Path::new(".")).join(raw.trim());
        return Some(Attachment::File {
            name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            path: file,
            content_type: (!mime.is_empty()).then_some(mime),
        });
    }
    if !base64_ok {
        notes.push(format!(
            "an embedding of {place} is not base64 and was not kept as evidence"
        ));
        return None;
    }
    let ext = extension_for(&mime);
    let name = match e.name.map(|n| n.trim().replace(['/', '\\'], "_")) {
        Some(n) if !n.is_empty() && n.contains('.') => n,
        Some(n) if !n.is_empty() => format!("{n}.{ext}"),
        _ => format!("step-{step}-{n}.{ext}"),
    };
    state.embedded += data.len();
    Some(Attachment::Inline { name, base64: data })
}

/// A file extension for an inline attachment's media type (`bin` when unknown): the Cucumber
/// and Playwright readers name embedded evidence that has no file name with it.
pub(crate) fn extension_for(mime: &str) -> &'static str {
    match mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/webp" => "webp",
        "text/plain" => "txt",
        "text/markdown" => "md",
        "text/html" => "html",
        "application/json" => "json",
        "application/xml" | "text/xml" => "xml",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passes may fill only half the evidence budget: a failure after them keeps its screenshot.
    #[test]
    fn passes_leave_room_for_a_failures_evidence() {
        let big = "A".repeat(15 << 20);
        let scenario = |i: usize, status: &str, data: &str| {
            format!(
                r#"{{"type":"scenario","keyword":"Scenario","id":"f;s{i}","name":"s{i}","line":{i},
               "steps":[{{"keyword":"Given ","name":"x","result":{{"status":"{status}"}},
                          "embeddings":[{{"mime_type":"image/png","data":"{data}"}}]}}]}}"#
            )
        };
        let mut elements: Vec<String> = (1..=5).map(|i| scenario(i, "passed", &big)).collect();
        elements.push(scenario(6, "failed", "QUJD"));
        let json = format!(
            r#"[{{"uri":"f.feature","id":"f","name":"F","elements":[{}]}}]"#,
            elements.join(",")
        );
        let p = parse(&json);
        let kept: Vec<usize> = p.cases.iter().map(|c| c.attachments().len()).collect();
        // 4 x 15 MiB fit in the 64 MiB for passes; the fifth does not; the failure's does.
        assert_eq!(kept, [1, 1, 1, 1, 0, 1]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert!(p.notes[0].starts_with("an embedding of scenario \"s5\", step 1 was not kept"));
    }

    /// Evidence over the file's budget is one note, naming how many and the first, not one note
    /// each (a run that screenshots every step left out hundreds).
    #[test]
    fn evidence_over_the_budget_is_one_note() {
        let mut none = OverBudget::default();
        assert_eq!(none.note("embeddings"), None);
        none.leave_out("an embedding of scenario \"a\", step 1".into());
        assert_eq!(
            none.note("embeddings").as_deref(),
            Some(
                "an embedding of scenario \"a\", step 1 was not kept as evidence: this file's \
             embeddings exceed the 128 MiB kept per file (64 MiB for tests that did not fail)"
            )
        );
        none.leave_out("an embedding of scenario \"b\", step 2".into());
        none.leave_out("an embedding of scenario \"c\", step 1".into());
        assert_eq!(
            none.note("embeddings").as_deref(),
            Some(
                "3 embeddings were not kept as evidence (the first: an embedding of scenario \"a\", \
             step 1): this file's embeddings exceed the 128 MiB kept per file (64 MiB for tests \
             that did not fail)"
            )
        );
    }
    use crate::model::{OutcomeKind, ReadText};

    fn parse(json: &str) -> Parsed {
        parse_reader(json.as_bytes(), Path::new("<t>")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_features(b" [ {\"uri\": \"a\"}]"));
        assert!(looks_like_features(
            b"\xEF\xBB\xBF[{\"keyword\": \"Feature\"}]"
        ));
        assert!(!looks_like_features(b"[]"));
        assert!(!looks_like_features(b"[{\"a\": 1}]"));
        assert!(!looks_like_features(b"{\"uri\": 1}"));
    }

    #[test]
    fn cucumber_statuses_outline_rows_tags_and_embeddings() {
        let p = parse(
            r#"[{"uri":"f.feature","id":"calc","name":"Calc","tags":[{"name":"@REQ_CALC-1"}],
              "elements":[
               {"type":"background","keyword":"Background","steps":[{"keyword":"Given ","name":"x","result":{"status":"passed","duration":1000000000}}]},
               {"type":"scenario","keyword":"Scenario","id":"calc;a","name":"A","line":3,
                "tags":[{"name":"@REQ_CALC-1"},{"name":"@CALC-12"}],
                "steps":[{"keyword":"Then ","name":"it fails","result":{"status":"failed","error_message":"boom\nat x"},
                  "embeddings":[{"mime_type":"image/png","data":"iVBO"},{"mime_type":"text/plain","data":"not base64!"}]},
                 {"keyword":"And ","name":"more","result":{"status":"skipped"}}]},
               {"type":"scenario","keyword":"Scenario Outline","id":"calc;b","name":"B","line":9,
                "steps":[{"keyword":"When ","name":"u","result":{"status":"undefined"}}]},
               {"type":"scenario","keyword":"Scenario Outline","id":"calc;b","name":"B","line":10,
                "steps":[{"keyword":"When ","name":"p","result":{"status":"passed"}}],
                "after":[{"match":{"location":"hooks.js:1"},"result":{"status":"failed","error_message":"hook down"}}]},
               {"type":"scenario","keyword":"Scenario","id":"calc;c","name":"C","steps":[{"keyword":"Given ","name":"s","result":{"status":"skipped"}}]},
               {"type":"scenario","keyword":"Scenario","id":"calc;d","name":"D","steps":[{"keyword":"Given ","name":"s","result":{"status":"passed"}}]}
              ]}]"#,
        );
        assert_eq!(p.format, Some(Format::Cucumber));
        let kinds: Vec<_> = p.cases.iter().map(|c| c.outcome().kind()).collect();
        assert_eq!(
            kinds,
            [
                OutcomeKind::Failed,
                OutcomeKind::Error,
                OutcomeKind::Failed,
                OutcomeKind::Skipped,
                OutcomeKind::Passed
            ]
        );
        let a = &p.cases[0];
        assert_eq!(a.definition(), "Calc.A");
        assert_eq!(a.duration_secs(), Some(1.0));
        let f = a.outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("Then it fails: boom"));
        assert_eq!(f.details.read().as_deref(), Some("boom\nat x"));
        assert_eq!(a.attachments().len(), 1);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert!(
            a.labels()
                .iter()
                .any(|l| l.name == "feature-tag" && l.value == "REQ_CALC-1")
        );
        assert!(
            a.labels()
                .iter()
                .any(|l| l.name == "tag" && l.value == "CALC-12")
        );
        assert!(a.parameters().is_empty());
        assert_eq!(p.cases[1].parameters()[0].value, "line 9");
        assert_eq!(p.cases[2].parameters()[0].value, "line 10");
        let f = p.cases[1].outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("undefined step: When u"));
        let f = p.cases[2].outcome().failure().unwrap();
        assert_eq!(
            f.message.read().as_deref(),
            Some("hook hooks.js:1: hook down")
        );
    }

    #[test]
    fn behave_status_rows_and_string_tags() {
        let p = parse(
            r#"[{"keyword":"Feature","name":"Calc","location":"f.feature:1","status":"failed","tags":["REQ_CALC-1"],
              "elements":[
               {"type":"scenario","keyword":"Scenario Outline","name":"Sum -- @1.2 sums","location":"f.feature:9","status":"passed","tags":["CALC-14"],
                "steps":[{"keyword":"Given","name":"a","result":{"status":"passed","duration":0.5}}]},
               {"type":"scenario","keyword":"Scenario","name":"Root","status":"error",
                "steps":[{"keyword":"When","name":"u","result":{"status":"undefined"}},{"keyword":"Then","name":"v"}]},
               {"type":"scenario","keyword":"Scenario","name":"Old","steps":[{"keyword":"Then","name":"w","result":{"status":"failed","error_message":["line 1","line 2"]}}]}
              ]}]"#,
        );
        assert_eq!(p.format, Some(Format::Behave));
        let c = &p.cases[0];
        assert_eq!(c.name, "Sum");
        assert_eq!(c.parameters()[0].value, "@1.2 sums");
        assert_eq!(c.duration_secs(), Some(0.5));
        assert_eq!(c.line(), Some(9));
        assert_eq!(c.file(), Some("f.feature"));
        assert_eq!(p.cases[1].outcome().kind(), OutcomeKind::Error);
        let f = p.cases[2].outcome().failure().unwrap();
        assert_eq!(f.message.read().as_deref(), Some("Then w: line 1"));
    }

    #[test]
    fn salvage_keeps_the_features_read_before_the_cut() {
        let json = r#"[{"uri":"a","name":"A","elements":[{"type":"scenario","name":"ok","steps":[]}]},
            {"uri":"b","name":"B","elements":[{"type":"scenario","name":"cut"#;
        let (parsed, error) = salvage_reader(json.as_bytes(), Path::new("x.json"));
        assert_eq!(parsed.cases.len(), 1);
        assert_eq!(parsed.cases[0].name, "ok");
        assert_eq!(error.unwrap().line, Some(2));
    }

    #[test]
    fn feature_files_for_annotations() {
        assert_eq!(
            relative_file("features/a.feature").as_deref(),
            Some("features/a.feature")
        );
        assert_eq!(
            relative_file("file:src/test/a.feature").as_deref(),
            Some("src/test/a.feature")
        );
        assert_eq!(
            relative_file("features\\a.feature").as_deref(),
            Some("features/a.feature")
        );
        assert_eq!(relative_file("classpath:features/a.feature"), None);
        assert_eq!(relative_file("/home/x/a.feature"), None);
        assert_eq!(relative_file("C:\\x\\a.feature"), None);
    }

    #[test]
    fn malformed_json_names_the_line() {
        let err = parse_reader(
            &b"[{\"uri\": \"a\",\n \"elements\": [}]"[..],
            Path::new("x.json"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
