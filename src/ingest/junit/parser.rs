//! The streaming JUnit reader: one pass of quick-xml events, a stack of element frames, and
//! one test case under construction at a time. Elements we do not keep (suite properties,
//! suite-level output, unknown vocabulary) are skipped without decoding their attributes or text.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::Failed;
use super::values::{Bounded, attachment_lines, parse_duration, parse_timestamp};
use crate::model::{
    Attachment, Attempt, Failure, Format, Item, Outcome, Property, SourceRef, TestCase,
};

/// Deeper nesting than this is refused: no real report comes close, and the frame stack must
/// not grow with hostile input.
pub(crate) const MAX_DEPTH: usize = 256;

/// Base64 evidence items may exceed the text cap; beyond this they are dropped rather than
/// kept corrupt.
const MAX_EVIDENCE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Suite { named: bool },
    Case,
    Result,
    Retry,
    RetryTrace,
    Out { err: bool, retry: bool },
    Properties,
    Property,
    Item,
    Skip,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ResultKind {
    Skipped,
    Failure,
    Error,
}

struct Pending {
    kind: ResultKind,
    message: Option<String>,
    ty: Option<String>,
    body: Bounded,
}

impl Pending {
    fn into_outcome(self) -> Outcome {
        let details = self.body.finish();
        let failure = |message, kind, details| Failure {
            message,
            kind,
            details,
        };
        match self.kind {
            ResultKind::Skipped => Outcome::Skipped {
                message: self.message.filter(|m| !m.is_empty()).or(details),
            },
            ResultKind::Failure => Outcome::Failed(failure(self.message, self.ty, details)),
            ResultKind::Error => Outcome::Error(failure(self.message, self.ty, details)),
        }
    }
}

struct PendingProperty {
    property: Property,
    /// A `value` attribute wins over element text (Xray `testrun_comment` uses the text).
    has_value: bool,
    text: Bounded,
}

struct Retry {
    flaky: bool,
    result: Pending,
    time: Option<f64>,
    started: Option<time::OffsetDateTime>,
    out: Bounded,
    err: Bounded,
}

#[derive(Default)]
struct Case {
    classname: Option<String>,
    name: String,
    file: Option<String>,
    line: Option<u32>,
    time: Option<f64>,
    started: Option<time::OffsetDateTime>,
    skipped_by_status: bool,
    result: Option<Pending>,
    open_result: Option<Pending>,
    out: Bounded,
    err: Bounded,
    properties: Vec<Property>,
    attachments: Vec<Attachment>,
    flaky: Vec<Attempt>,
    reruns: Vec<Attempt>,
    retry: Option<Retry>,
    property: Option<PendingProperty>,
    item: Option<(String, Bounded)>,
}

pub(crate) struct Parser<'p> {
    path: &'p Path,
    frames: Vec<Frame>,
    suite_path: Vec<String>,
    case: Option<Case>,
    cases: Vec<TestCase>,
    index: HashMap<u64, Vec<usize>>,
}

impl<'p> Parser<'p> {
    pub(crate) fn new(path: &'p Path) -> Self {
        Parser {
            path,
            frames: Vec::with_capacity(16),
            suite_path: Vec::new(),
            case: None,
            cases: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Reads the whole document. Errors carry a byte offset; the caller turns it into a line.
    pub(crate) fn run<R: BufRead>(mut self, input: R) -> Result<Vec<TestCase>, Failed> {
        let mut reader = quick_xml::Reader::from_reader(input);
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut root_seen = false;
        loop {
            buf.clear();
            let event = match reader.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(e) => return Err(Failed::at(reader.error_position(), xml_message(&e))),
            };
            let pos = reader.buffer_position();
            match event {
                Event::Start(e) => {
                    if !root_seen {
                        check_root(&e, pos)?;
                        root_seen = true;
                    }
                    self.open(&e, pos)?;
                }
                Event::Empty(e) => {
                    if !root_seen {
                        check_root(&e, pos)?;
                        root_seen = true;
                    }
                    self.open(&e, pos)?;
                    self.close();
                    if self.frames.is_empty() {
                        break;
                    }
                }
                Event::End(_) => {
                    self.close();
                    if self.frames.is_empty() {
                        break;
                    }
                }
                Event::Text(t) => {
                    if !root_seen && !t.trim().is_empty() {
                        return Err(Failed::at(pos, "not XML: text before the root element"));
                    }
                    if self.wants_text() {
                        self.text(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if self.wants_text() {
                        self.text(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_ref(&r, pos)?;
                    if self.wants_text() {
                        match resolved {
                            Resolved::Char(c) => {
                                let mut tmp = [0u8; 4];
                                self.text(c.encode_utf8(&mut tmp));
                            }
                            Resolved::Str(s) => self.text(s),
                        }
                    }
                }
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = enc.to_ascii_lowercase();
                        if !matches!(enc.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
                            return Err(Failed::at(
                                0,
                                format!("encoding \"{enc}\" is not supported: only UTF-8"),
                            ));
                        }
                    }
                }
                // DOCTYPE declarations are never read: their entities stay undefined, so a
                // billion-laughs or external-entity reference fails in `resolve_ref`.
                Event::DocType(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    return Err(match self.frames.last() {
                        _ if !root_seen && pos == 0 => Failed::at(0, "empty file"),
                        None => Failed::at(pos, "not XML: no root element"),
                        Some(_) => Failed::at(
                            pos,
                            format!(
                                "unexpected end of file: <{}> is not closed",
                                self.open_name()
                            ),
                        ),
                    });
                }
            }
        }
        Ok(self.cases)
    }

    fn open_name(&self) -> &'static str {
        match self.frames.iter().rev().find(|f| **f != Frame::Skip) {
            Some(Frame::Case | Frame::Result | Frame::Retry | Frame::RetryTrace) => "testcase",
            Some(Frame::Out { .. }) => "system-out",
            Some(Frame::Properties | Frame::Property | Frame::Item) => "properties",
            Some(Frame::Suite { .. }) => "testsuite",
            Some(Frame::Root | Frame::Skip) | None => "testsuites",
        }
    }

    fn wants_text(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(
                Frame::Result
                    | Frame::Retry
                    | Frame::RetryTrace
                    | Frame::Out { .. }
                    | Frame::Property
                    | Frame::Item
            )
        )
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), Failed> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(Failed::at(
                pos,
                format!("elements nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let parent = self.frames.last().copied();
        let name = e.local_name();
        let frame = match (parent, name.as_ref().as_bytes()) {
            (None, b"testsuites") => Frame::Root,
            (None, _) => Frame::Suite {
                named: self.open_suite(e, pos)?,
            },
            (Some(Frame::Skip), _) => Frame::Skip,
            (Some(Frame::Root | Frame::Suite { .. }), b"testsuite") => Frame::Suite {
                named: self.open_suite(e, pos)?,
            },
            (Some(Frame::Root | Frame::Suite { .. }), b"testcase") if self.case.is_none() => {
                self.case = Some(open_case(e, pos)?);
                Frame::Case
            }
            (Some(Frame::Case), tag) => self.open_in_case(tag, e, pos)?,
            (Some(Frame::Retry), b"stackTrace") => Frame::RetryTrace,
            (Some(Frame::Retry), b"system-out") => Frame::Out {
                err: false,
                retry: true,
            },
            (Some(Frame::Retry), b"system-err") => Frame::Out {
                err: true,
                retry: true,
            },
            (Some(Frame::Properties), b"property") => {
                let mut property = Property {
                    name: String::new(),
                    value: String::new(),
                    items: Vec::new(),
                };
                let mut has_value = false;
                for_attrs(e, pos, |key, value| {
                    match key {
                        b"name" => property.name = value.into_owned(),
                        b"value" => {
                            property.value = value.into_owned();
                            has_value = true;
                        }
                        _ => {}
                    }
                    Ok(())
                })?;
                if let Some(case) = self.case.as_mut() {
                    case.property = Some(PendingProperty {
                        property,
                        has_value,
                        text: Bounded::default(),
                    });
                }
                Frame::Property
            }
            (Some(Frame::Property), b"item") => {
                let mut name = String::new();
                for_attrs(e, pos, |key, value| {
                    if key == b"name" {
                        name = value.into_owned();
                    }
                    Ok(())
                })?;
                if let Some(case) = self.case.as_mut() {
                    case.item = Some((name, Bounded::default()));
                }
                Frame::Item
            }
            _ => Frame::Skip,
        };
        self.frames.push(frame);
        Ok(())
    }

    fn open_suite(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<bool, Failed> {
        let mut name = None;
        for_attrs(e, pos, |key, value| {
            if key == b"name" {
                name = Some(value.into_owned());
            }
            Ok(())
        })?;
        match name {
            Some(name) if !name.is_empty() => {
                self.suite_path.push(name);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn open_in_case(&mut self, tag: &[u8], e: &BytesStart<'_>, pos: u64) -> Result<Frame, Failed> {
        let Some(case) = self.case.as_mut() else {
            return Ok(Frame::Skip);
        };
        let (kind, retry) = match tag {
            b"failure" => (ResultKind::Failure, None),
            b"error" => (ResultKind::Error, None),
            b"skipped" => (ResultKind::Skipped, None),
            b"flakyFailure" => (ResultKind::Failure, Some(true)),
            b"flakyError" => (ResultKind::Error, Some(true)),
            b"rerunFailure" => (ResultKind::Failure, Some(false)),
            b"rerunError" => (ResultKind::Error, Some(false)),
            b"system-out" => {
                return Ok(Frame::Out {
                    err: false,
                    retry: false,
                });
            }
            b"system-err" => {
                return Ok(Frame::Out {
                    err: true,
                    retry: false,
                });
            }
            b"properties" => return Ok(Frame::Properties),
            _ => return Ok(Frame::Skip),
        };
        let mut result = Pending {
            kind,
            message: None,
            ty: None,
            body: Bounded::default(),
        };
        let mut time = None;
        let mut started = None;
        for_attrs(e, pos, |key, value| {
            match key {
                b"message" => result.message = Some(bounded(&value)),
                b"type" => result.ty = Some(bounded(&value)),
                b"time" if retry.is_some() => time = parse_duration(&value),
                b"timestamp" if retry.is_some() => started = parse_timestamp(&value),
                _ => {}
            }
            Ok(())
        })?;
        Ok(match retry {
            None => {
                case.open_result = Some(result);
                Frame::Result
            }
            Some(flaky) => {
                case.retry = Some(Retry {
                    flaky,
                    result,
                    time,
                    started,
                    out: Bounded::default(),
                    err: Bounded::default(),
                });
                Frame::Retry
            }
        })
    }

    fn text(&mut self, chunk: &str) {
        let (Some(frame), Some(case)) = (self.frames.last(), self.case.as_mut()) else {
            return;
        };
        match *frame {
            Frame::Result => {
                if let Some(r) = case.open_result.as_mut() {
                    r.body.push(chunk);
                }
            }
            Frame::Retry | Frame::RetryTrace => {
                if let Some(r) = case.retry.as_mut() {
                    r.result.body.push(chunk);
                }
            }
            Frame::Out { err, retry } => {
                let target = match (retry, case.retry.as_mut()) {
                    (true, Some(r)) => {
                        if err {
                            &mut r.err
                        } else {
                            &mut r.out
                        }
                    }
                    (true, None) => return,
                    (false, _) => {
                        if err {
                            &mut case.err
                        } else {
                            &mut case.out
                        }
                    }
                };
                target.push(chunk);
            }
            Frame::Property => {
                if let Some(p) = case.property.as_mut()
                    && !p.has_value
                {
                    p.text.push(chunk);
                }
            }
            Frame::Item => {
                let evidence =
                    matches!(&case.property, Some(p) if p.property.name == "testrun_evidence");
                let cap = if evidence {
                    MAX_EVIDENCE_BYTES
                } else {
                    crate::model::MAX_TEXT_BYTES
                };
                if let Some((_, text)) = case.item.as_mut() {
                    text.push_capped(chunk, cap);
                }
            }
            Frame::Root | Frame::Suite { .. } | Frame::Case | Frame::Properties | Frame::Skip => {}
        }
    }

    fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame {
            Frame::Suite { named: true } => {
                self.suite_path.pop();
            }
            Frame::Case => {
                if let Some(case) = self.case.take() {
                    self.finish_case(case);
                }
            }
            Frame::Result => {
                if let Some(case) = self.case.as_mut()
                    && let Some(r) = case.open_result.take()
                {
                    // error > failure > skipped; among equals the first one stays.
                    if case.result.as_ref().is_none_or(|old| r.kind > old.kind) {
                        case.result = Some(r);
                    }
                }
            }
            Frame::Retry => {
                if let Some(case) = self.case.as_mut()
                    && let Some(r) = case.retry.take()
                {
                    let attempt = Self::attempt(
                        self.path,
                        r.result.into_outcome(),
                        r.time,
                        r.started,
                        r.out,
                        r.err,
                    );
                    if r.flaky {
                        case.flaky.push(attempt);
                    } else {
                        case.reruns.push(attempt);
                    }
                }
            }
            Frame::Property => {
                if let Some(case) = self.case.as_mut()
                    && let Some(pending) = case.property.take()
                {
                    let mut property = pending.property;
                    if !pending.has_value {
                        property.value = pending.text.finish_raw().trim().to_string();
                    }
                    case.properties.push(property);
                }
            }
            Frame::Item => {
                if let Some(case) = self.case.as_mut()
                    && let Some((name, text)) = case.item.take()
                    && let Some(PendingProperty { property, .. }) = case.property.as_mut()
                {
                    let evidence = property.name == "testrun_evidence";
                    if evidence && !text.is_truncated() {
                        let base64: String = text
                            .finish_raw()
                            .chars()
                            .filter(|c| !c.is_ascii_whitespace())
                            .collect();
                        case.attachments.push(Attachment::Inline {
                            name: name.clone(),
                            base64: base64.clone(),
                        });
                        property.items.push(Item {
                            name,
                            value: base64,
                        });
                    } else if !evidence {
                        property.items.push(Item {
                            name,
                            value: text.finish_raw().trim().to_string(),
                        });
                    }
                }
            }
            Frame::Root
            | Frame::Suite { named: false }
            | Frame::RetryTrace
            | Frame::Out { .. }
            | Frame::Properties
            | Frame::Skip => {}
        }
    }

    fn attempt(
        path: &Path,
        outcome: Outcome,
        duration_secs: Option<f64>,
        started_at: Option<time::OffsetDateTime>,
        out: Bounded,
        err: Bounded,
    ) -> Attempt {
        Attempt {
            outcome,
            duration_secs,
            started_at,
            system_out: out.finish(),
            system_err: err.finish(),
            source: SourceRef {
                path: path.to_path_buf(),
                format: Format::Junit,
                line: None,
            },
        }
    }

    fn finish_case(&mut self, mut case: Case) {
        let outcome = match case.result.take() {
            Some(result) => result.into_outcome(),
            None if case.skipped_by_status => Outcome::Skipped { message: None },
            None => Outcome::Passed,
        };
        let out = std::mem::take(&mut case.out);
        let err = std::mem::take(&mut case.err);
        let main = Self::attempt(self.path, outcome, case.time, case.started, out, err);
        // Surefire order: flaky tries happened before the final (main) result; reruns after the
        // first (main) failure.
        let mut attempts = std::mem::take(&mut case.flaky);
        attempts.push(main);
        attempts.append(&mut case.reruns);
        for attempt in &attempts {
            for text in [&attempt.system_out, &attempt.system_err]
                .into_iter()
                .flatten()
            {
                attachment_lines(text, self.path, &mut case.attachments);
            }
        }
        if attempts.is_empty() {
            return;
        }
        // Built directly rather than with `TestCase::new` + `recompute`, which would clone the
        // failure texts twice more per test.
        let mut test = TestCase {
            suite_path: self.suite_path.clone(),
            classname: case.classname,
            name: case.name,
            full_name: None,
            history_id: None,
            file: case.file,
            line: case.line,
            outcome: Outcome::Passed,
            flaky: false,
            duration_secs: None,
            started_at: None,
            properties: case.properties,
            labels: Vec::new(),
            links: Vec::new(),
            parameters: Vec::new(),
            attachments: case.attachments,
            attempts,
        };
        test.recompute();
        // Retries repeat a testcase inside the same suite; the same name in another suite
        // (nested reports) is another test. Nameless cases cannot be told apart: never merged.
        if test.name.is_empty() {
            self.cases.push(test);
            return;
        }
        // Keyed by a hash so names are not stored twice; collisions are checked exactly.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&test.suite_path, &test.classname, &test.name).hash(&mut hasher);
        let bucket = self.index.entry(hasher.finish()).or_default();
        let same = bucket.iter().copied().find(|&at| {
            let other: &TestCase = &self.cases[at];
            other.name == test.name
                && other.classname == test.classname
                && other.suite_path == test.suite_path
        });
        match same {
            Some(at) => self.cases[at].absorb(test),
            None => {
                bucket.push(self.cases.len());
                self.cases.push(test);
            }
        }
    }
}

fn check_root(e: &BytesStart<'_>, pos: u64) -> Result<(), Failed> {
    if is_junit_root(e.local_name().as_ref().as_bytes()) {
        return Ok(());
    }
    let shown: String = e.name().as_ref().chars().take(64).collect();
    Err(Failed::at(
        pos,
        format!("not JUnit: root element <{shown}>"),
    ))
}

pub(crate) fn is_junit_root(local_name: &[u8]) -> bool {
    matches!(local_name, b"testsuites" | b"testsuite")
}

fn open_case(e: &BytesStart<'_>, pos: u64) -> Result<Case, Failed> {
    let mut case = Case::default();
    let mut id = None;
    let mut name = None;
    for_attrs(e, pos, |key, value| {
        match key {
            b"name" => name = Some(value.into_owned()),
            b"classname" => case.classname = Some(value.into_owned()),
            b"id" => id = Some(value.into_owned()),
            b"time" => case.time = parse_duration(&value),
            b"timestamp" | b"started-at" if case.started.is_none() => {
                case.started = parse_timestamp(&value);
            }
            b"file" => case.file = Some(value.into_owned()),
            b"line" => case.line = value.trim().parse().ok(),
            b"status" => {
                case.skipped_by_status = matches!(
                    value.to_ascii_lowercase().as_str(),
                    "disabled" | "notrun" | "skipped" | "ignored" | "skip"
                )
            }
            _ => {}
        }
        Ok(())
    })?;
    // CUnit writes `id` next to `name`; some producers write only `id`.
    case.name = name.or(id).unwrap_or_default();
    Ok(case)
}

/// Calls `f` with the local name and unescaped value of each attribute. Values are only
/// unescaped here, for elements we keep.
fn for_attrs(
    e: &BytesStart<'_>,
    pos: u64,
    mut f: impl FnMut(&[u8], std::borrow::Cow<'_, str>) -> Result<(), Failed>,
) -> Result<(), Failed> {
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| Failed::at(pos, format!("bad attribute: {err}")))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| Failed::at(pos, xml_message(&err)))?;
        f(attr.key.local_name().as_ref().as_bytes(), value)?;
    }
    Ok(())
}

fn bounded(value: &str) -> String {
    let mut b = Bounded::default();
    b.push(value);
    b.finish_raw()
}

enum Resolved {
    Char(char),
    Str(&'static str),
}

/// Character references and the five predefined entities. Anything else is an error: entities
/// declared in a DOCTYPE are never expanded (billion laughs, external entities).
fn resolve_ref(r: &BytesRef<'_>, pos: u64) -> Result<Resolved, Failed> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(Resolved::Char(c)),
        Ok(None) => {}
        Err(e) => return Err(Failed::at(pos, xml_message(&e))),
    }
    let name: &str = r;
    quick_xml::escape::resolve_predefined_entity(name)
        .map(Resolved::Str)
        .ok_or_else(|| {
            let shown: String = name.chars().take(64).collect();
            Failed::at(
                pos,
                format!("undefined entity &{shown}; (DOCTYPE entities are never expanded)"),
            )
        })
}

fn xml_message(e: &quick_xml::Error) -> String {
    format!("malformed XML: {e}")
}
