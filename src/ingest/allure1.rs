//! Allure 1 results: `*-testsuite.xml` (root `test-suite` in the namespace
//! `urn:model.allure.qatools.yandex.ru`, usually spelled `ns2:test-suite`). Streams the document
//! with quick-xml; memory follows the number of test cases, text fields are bounded.
//!
//! Mapping (mirrors Allure's own Allure 1 reader where it matters for Xray):
//! - `status` passed/failed/broken → Passed/Failed/Error; canceled/pending/skipped → Skipped;
//!   missing, empty or unrecognised → Skipped "allure status unknown…".
//! - `<failure><message>`/`<stack-trace>` → failure message/details.
//! - classname = the case's `testClass` label, else the suite's, else the suite `<name>`;
//!   `full_name` = `classname.name`; suite path = the suite `<title>`, else its `<name>`.
//! - labels: the case's, then the suite's; `historyId` label → history id; `issue`/`testId`
//!   labels → `issue`/`tms` links; label `status_details=flaky` marks a passed test flaky.
//! - parameters of kind `argument` (or no kind) → parameters; environment-variable and
//!   system-property ones are run context, not test identity, and are dropped.
//! - attachments of the case and its steps, `source` relative to the file's directory, under
//!   the containment rule in `allure.rs`. `start`/`stop` (epoch ms) → start time and duration.
//!
//! Entities: only the five predefined ones and character references; anything declared in a
//! DTD is never expanded (it is an error), so entity-expansion attacks cannot grow memory.

use std::io::BufRead;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::allure::{
    AllureCase, AllureParse, duration_secs, epoch_ms, outcome_for, resolve_attachment,
};
use crate::model::{
    Attempt, Extras, Format, InputError, Label, Link, MAX_TEXT_BYTES, Outcome, Property, SourceRef,
    TestCase, dedup_in_order,
};

/// Deeper nesting than this is refused: real files nest steps a few levels, not hundreds.
const MAX_DEPTH: usize = 256;

/// Whether the first element of `head` is an Allure 1 `test-suite` root.
pub fn looks_like_allure1(head: &[u8]) -> bool {
    let mut reader = Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return e.local_name().as_ref() == "test-suite";
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// Parses one Allure 1 XML file.
pub fn parse_path(path: &Path) -> Result<AllureParse, InputError> {
    match salvage_path(path) {
        (parse, None) => Ok(parse),
        (_, Some(error)) => Err(error),
    }
}

/// Reads one Allure 1 XML file as far as it goes: the test cases closed before an error (a file
/// cut short) come back with the error, which names the line.
pub fn salvage_path(path: &Path) -> (AllureParse, Option<InputError>) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let error = InputError::whole_file(path, format!("cannot read: {e}"));
            return (AllureParse::default(), Some(error));
        }
    };
    let (parse, error) = salvage_reader(std::io::BufReader::new(file), path);
    let error = error.map(|mut e| {
        // The streaming reader only knows byte offsets; on the (rare) error path, re-read the
        // prefix to also name the line, which is what people look for in an editor.
        if let (None, Some(offset)) = (e.line, e.offset) {
            e.line = super::line_at(path, offset);
        }
        e
    });
    (parse, error)
}

#[derive(Default)]
struct CaseDraft {
    name: String,
    status: Option<String>,
    start: Option<i64>,
    stop: Option<i64>,
    message: Option<String>,
    trace: Option<String>,
    labels: Vec<Label>,
    parameters: Vec<Property>,
    attachments: Vec<crate::model::Attachment>,
}

#[derive(Default)]
struct SuiteDraft {
    name: String,
    title: String,
    labels: Vec<Label>,
}

/// Parses Allure 1 XML from a reader; `path` names it and locates its attachments.
pub fn parse_reader<R: BufRead>(r: R, path: &Path) -> Result<AllureParse, InputError> {
    match salvage_reader(r, path) {
        (parse, None) => Ok(parse),
        (_, Some(error)) => Err(error),
    }
}

/// Reads Allure 1 XML as far as it goes: the test cases closed before an error (a file cut
/// short) come back with the error.
pub fn salvage_reader<R: BufRead>(r: R, path: &Path) -> (AllureParse, Option<InputError>) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut reader = Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut suite = SuiteDraft::default();
    let mut drafts: Vec<CaseDraft> = Vec::new();
    let mut current: Option<CaseDraft> = None;
    let mut text = String::new();
    let mut notes = Vec::new();
    let mut saw_root = false;
    let fail = |reader: &Reader<R>, message: String| InputError {
        path: path.to_path_buf(),
        line: None,
        offset: Some(reader.error_position().max(reader.buffer_position())),
        message,
    };
    let failure = loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => break Some(fail(&reader, format!("malformed XML: {e}"))),
        };
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    break Some(fail(
                        &reader,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                if stack.is_empty() {
                    if let Err(m) = check_root(&e) {
                        break Some(fail(&reader, m));
                    }
                    saw_root = true;
                }
                open(&e, &stack, &mut current, &mut suite, dir, &mut notes);
                stack.push(e.local_name().as_ref().to_string());
                text.clear();
            }
            Event::Empty(e) => {
                if stack.is_empty() {
                    if let Err(m) = check_root(&e) {
                        break Some(fail(&reader, m));
                    }
                    saw_root = true;
                }
                open(&e, &stack, &mut current, &mut suite, dir, &mut notes);
                if e.local_name().as_ref() == "test-case"
                    && let Some(done) = current.take()
                {
                    drafts.push(done);
                }
            }
            Event::Text(t) => push_text(&mut text, &t.xml10_content()),
            Event::CData(t) => push_text(&mut text, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            break Some(fail(
                                &reader,
                                format!("undeclared or external entity &{};", &*r),
                            ));
                        }
                    },
                    Err(e) => break Some(fail(&reader, format!("bad character reference: {e}"))),
                };
                push_text(&mut text, &resolved);
            }
            Event::End(_) => {
                let Some(closed) = stack.pop() else {
                    break Some(fail(&reader, "unexpected closing tag".into()));
                };
                let parent = stack.last().map(String::as_str);
                let grand = stack.len().checked_sub(2).map(|i| stack[i].as_str());
                let value = std::mem::take(&mut text).trim().to_string();
                match (closed.as_str(), parent) {
                    ("test-case", _) => {
                        if let Some(done) = current.take() {
                            drafts.push(done);
                        }
                    }
                    ("name", Some("test-case")) => {
                        if let Some(c) = current.as_mut() {
                            c.name = value;
                        }
                    }
                    ("name", Some("test-suite")) if stack.len() == 1 => suite.name = value,
                    ("title", Some("test-suite")) if stack.len() == 1 => suite.title = value,
                    ("message", Some("failure")) if grand == Some("test-case") => {
                        if let Some(c) = current.as_mut() {
                            c.message = Some(value);
                        }
                    }
                    ("stack-trace", Some("failure")) if grand == Some("test-case") => {
                        if let Some(c) = current.as_mut() {
                            c.trace = Some(value);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break None,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    };
    let failure = failure.or_else(|| {
        if !saw_root {
            Some(InputError::whole_file(
                path,
                "no test-suite element (empty or not XML)",
            ))
        } else if !stack.is_empty() {
            Some(fail(
                &reader,
                "truncated document: unclosed elements at end of file".into(),
            ))
        } else {
            None
        }
    });
    let cases = drafts
        .into_iter()
        .map(|d| finish(d, &suite, path))
        .collect();
    (AllureParse { cases, notes }, failure)
}

fn check_root(e: &BytesStart<'_>) -> Result<(), String> {
    if e.local_name().as_ref() == "test-suite" {
        Ok(())
    } else {
        Err(format!(
            "root element <{}> is not an Allure 1 test-suite",
            e.name().as_ref()
        ))
    }
}

fn push_text(into: &mut String, more: &str) {
    // Bounded while collecting, so a huge stack trace never sits whole in memory.
    let room = (MAX_TEXT_BYTES + 1).saturating_sub(into.len());
    if room == 0 {
        return;
    }
    if more.len() <= room {
        into.push_str(more);
    } else {
        let mut cut = room;
        while !more.is_char_boundary(cut) {
            cut -= 1;
        }
        into.push_str(&more[..cut]);
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    // Only the predefined entities and character references are resolved in values.
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// Handles an opening (or empty) element given the path of its ancestors.
fn open(
    e: &BytesStart<'_>,
    stack: &[String],
    current: &mut Option<CaseDraft>,
    suite: &mut SuiteDraft,
    dir: &Path,
    notes: &mut Vec<String>,
) {
    let parent = stack.last().map(String::as_str);
    match (e.local_name().as_ref(), parent) {
        ("test-case", Some("test-cases")) if stack.len() == 2 => {
            *current = Some(CaseDraft {
                status: attr(e, "status"),
                start: attr(e, "start").and_then(|s| s.trim().parse().ok()),
                stop: attr(e, "stop").and_then(|s| s.trim().parse().ok()),
                ..CaseDraft::default()
            });
        }
        ("label", Some("labels")) => {
            let Some(name) = attr(e, "name") else { return };
            let label = Label {
                name,
                value: attr(e, "value").unwrap_or_default(),
            };
            match current.as_mut() {
                Some(c) => c.labels.push(label),
                None if stack.len() == 2 => suite.labels.push(label),
                None => {}
            }
        }
        ("parameter", Some("parameters")) => {
            let Some(c) = current.as_mut() else { return };
            let kind = attr(e, "kind").unwrap_or_default();
            if !(kind.is_empty() || kind.eq_ignore_ascii_case("argument")) {
                return;
            }
            let p = Property {
                name: attr(e, "name").unwrap_or_default(),
                value: attr(e, "value").unwrap_or_default(),
                items: Vec::new(),
            };
            // De-duplicated once, when the case ends (`dedup_in_order`).
            c.parameters.push(p);
        }
        ("attachment", Some("attachments")) => {
            let Some(c) = current.as_mut() else { return };
            let source = attr(e, "source");
            if let Some(a) = resolve_attachment(
                dir,
                source.as_deref(),
                attr(e, "title"),
                attr(e, "type"),
                notes,
            ) {
                c.attachments.push(a);
            }
        }
        _ => {}
    }
}

fn finish(d: CaseDraft, suite: &SuiteDraft, path: &Path) -> AllureCase {
    let (outcome, status_known) = outcome_for(d.status.as_deref(), d.message, d.trace);
    let attempt = Attempt {
        outcome,
        duration_secs: duration_secs(d.start, d.stop),
        started_at: d.start.and_then(epoch_ms),
        system_out: None,
        system_err: None,
        source: SourceRef::new(path, Format::Allure1, None),
    };
    let find = |labels: &[Label], name: &str| {
        labels
            .iter()
            .find(|l| l.name == name && !l.value.is_empty())
            .map(|l| l.value.clone())
    };
    let classname = find(&d.labels, "testClass")
        .or_else(|| find(&suite.labels, "testClass"))
        .or_else(|| Some(suite.name.clone()).filter(|n| !n.is_empty()));
    let suite_name = if suite.title.is_empty() {
        &suite.name
    } else {
        &suite.title
    };
    let suite_path = if suite_name.is_empty() {
        Vec::new()
    } else {
        vec![suite_name.clone()]
    };
    let name = if d.name.is_empty() {
        "(unnamed)".to_string()
    } else {
        d.name
    };
    let history_id = find(&d.labels, "historyId");
    let flaky = d
        .labels
        .iter()
        .any(|l| l.name == "status_details" && l.value.eq_ignore_ascii_case("flaky"));
    let mut labels = d.labels;
    labels.extend(suite.labels.iter().cloned());
    dedup_in_order(&mut labels);
    let links = labels
        .iter()
        .filter_map(|l| {
            let kind = match l.name.as_str() {
                "issue" => "issue",
                "testId" => "tms",
                _ => return None,
            };
            Some(Link {
                kind: kind.to_string(),
                name: Some(l.value.clone()),
                url: None,
            })
        })
        .collect();
    let full_name = classname.as_ref().map(|c| format!("{c}.{name}"));
    let mut case = TestCase::new(suite_path, classname, name, attempt);
    case.set_extras(Extras {
        full_name,
        history_id,
        labels,
        links,
        parameters: deduped(d.parameters),
        attachments: deduped(d.attachments),
        ..Extras::default()
    });
    case.flaky = flaky && *case.outcome() == Outcome::Passed;
    AllureCase {
        case,
        uuid: None,
        status_known,
    }
}

/// `list` without repeats (the first of equals stays), in one hashed pass.
fn deduped<T: std::hash::Hash + Eq>(mut list: Vec<T>) -> Vec<T> {
    dedup_in_order(&mut list);
    list
}
