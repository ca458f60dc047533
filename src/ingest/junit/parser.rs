//! The streaming JUnit reader: one pass of quick-xml events, a stack of element frames, and
//! one test case under construction at a time. Elements we do not keep (suite properties,
//! suite-level output, unknown vocabulary) are skipped without decoding their attributes or text.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};

use super::Failed;
use super::case::{
    CATCH2_OK_TO_FAIL, Case, PLACEHOLDER_MESSAGES, Pending, PendingProperty, ResultKind, Retry,
    message_in_body,
};
use super::markup::{for_attrs, resolve_ref, xml_message};
use super::text::{Input, MAX_MARKUP_BYTES, TextSink, drain_text, start_markup};
use super::values::{Bounded, attachment_lines, parse_duration, parse_timestamp};
use crate::ingest::hash_index::HashIndex;
use crate::ingest::merge;
use crate::model::{
    Attachment, Attempt, Format, Item, Outcome, Property, ReadText, SourceRef, TestCase, Text,
};

/// Deeper nesting than this is refused: no real report comes close, and the frame stack must
/// not grow with hostile input.
pub(crate) const MAX_DEPTH: usize = 256;

/// Base64 evidence items may exceed the text cap; beyond this they are dropped rather than
/// kept corrupt.
const MAX_EVIDENCE_BYTES: usize = 8 * 1024 * 1024;

/// The tests read before the test vector is sized for the rest of the input
/// ([`Parser::size_for_the_rest`]): enough to tell the bytes a test takes in this file.
const SAMPLE_TESTS: usize = 4096;

/// The most tests the sizing reserves room for at once (~350 MB of address space, none of it
/// touched until tests fill it); a file with more grows its vector the ordinary way past that.
const MAX_RESERVED_TESTS: usize = 1 << 21;

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

/// The tests of one file.
pub(crate) struct Parsed {
    pub(crate) cases: Vec<TestCase>,
    /// No two of `cases` share a cross-file identity (`merge::same_identity`): merging them
    /// alone would change nothing.
    pub(crate) distinct: bool,
}

pub(crate) struct Parser<'p> {
    path: &'p Path,
    /// The one allocation of the file name every attempt's `SourceRef` points at.
    shared_path: Arc<Path>,
    frames: Vec<Frame>,
    suite_path: Vec<String>,
    /// `suite_path` as shared by the tests of the current suite; rebuilt when it changes.
    shared_suite: Option<Arc<[String]>>,
    case: Case,
    cases: Vec<TestCase>,
    /// The bytes this parser expects to read in all (0: not known): sizes `cases` once.
    expected_bytes: u64,
    /// Merge index over `cases`. Keyed by the cross-file identity of `merge` (classname and
    /// name) while no two kept tests share one, so that `merge_files` can be skipped for a
    /// single file ([`Parsed::distinct`]); after that (`crossed`) by the file's own identity,
    /// (suite path, classname, name).
    index: HashIndex,
    crossed: bool,
    root_seen: bool,
    /// Where the root element's end tag ended (the byte after its `>`), once it is read.
    root_closed_at: Option<u64>,
}

impl TextSink for Parser<'_> {
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

    fn text(&mut self, chunk: &str) {
        self.keep_text(chunk);
    }

    fn root_seen(&self) -> bool {
        self.root_seen
    }
}

impl<'p> Parser<'p> {
    /// A parser with no idea of its input's size.
    #[cfg(test)]
    pub(crate) fn new(path: &'p Path) -> Self {
        Parser::expecting(path, 0)
    }

    /// A parser that expects to read about `bytes` bytes: the size of its file, or for the
    /// first half of a split parse the whole file's, whose tests it ends up holding. Only a
    /// guess for sizing memory ([`Parser::size_for_the_rest`]), never trusted for anything else.
    pub(crate) fn expecting(path: &'p Path, bytes: u64) -> Self {
        Parser {
            path,
            shared_path: Arc::from(path),
            frames: Vec::with_capacity(16),
            suite_path: Vec::new(),
            shared_suite: None,
            case: Case::default(),
            cases: Vec::new(),
            expected_bytes: bytes,
            index: HashIndex::default(),
            crossed: false,
            root_seen: false,
            root_closed_at: None,
        }
    }

    /// Reads the whole document. Errors carry a byte offset; the caller turns it into a line.
    pub(crate) fn run<R: Read>(self, input: Input<R>) -> Result<Vec<TestCase>, Failed> {
        match self.run_salvaging(input) {
            (parsed, None) => Ok(parsed.cases),
            (_, Some(failed)) => Err(failed),
        }
    }

    /// Reads the document as far as it goes: every test case read completely before an error
    /// (a file cut short by a crashed test process) is returned with the error.
    pub(crate) fn run_salvaging<R: Read>(mut self, input: Input<R>) -> (Parsed, Option<Failed>) {
        let failed = self.read(input).err();
        (self.into_parsed(), failed)
    }

    /// Reads the whole document, telling also where its root element closed: the two halves
    /// of a split parse (`split.rs`) check that it closed exactly at the end of their input.
    pub(crate) fn run_to_root_close<R: Read>(
        mut self,
        input: Input<R>,
    ) -> Result<(Parsed, u64), Failed> {
        self.read(input)?;
        let closed_at = self.root_closed_at;
        let parsed = self.into_parsed();
        closed_at
            .map(|at| (parsed, at))
            .ok_or_else(|| Failed::at(0, "the root element did not close"))
    }

    fn read<R: Read>(&mut self, input: Input<R>) -> Result<(), Failed> {
        let mut reader = quick_xml::Reader::from_reader(input);
        // Holds one piece of markup at a time (text never reaches it, see `text.rs`).
        let mut buf = Vec::with_capacity(4 * 1024);
        let mut started = false;
        loop {
            if started {
                drain_text(&mut reader, self)?;
            }
            if buf.capacity() > 1024 * 1024 {
                // One huge tag (under the cap) must not pin its buffer for the rest of the file.
                buf = Vec::with_capacity(4 * 1024);
            }
            buf.clear();
            start_markup(&mut reader);
            let event = match reader.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(e) => {
                    let message = if reader.get_ref().markup_overflow() {
                        format!(
                            "a single tag, comment or DOCTYPE is larger than {} MiB: refused",
                            MAX_MARKUP_BYTES / (1024 * 1024)
                        )
                    } else {
                        xml_message(&e)
                    };
                    return Err(Failed::at(reader.error_position(), message));
                }
            };
            started = true;
            let pos = reader.buffer_position();
            match event {
                Event::Start(e) => {
                    if !self.root_seen {
                        check_root(&e, pos)?;
                        self.root_seen = true;
                    }
                    self.open(&e, pos)?;
                }
                Event::Empty(e) => {
                    if !self.root_seen {
                        check_root(&e, pos)?;
                        self.root_seen = true;
                    }
                    self.open(&e, pos)?;
                    self.close(pos);
                    if self.frames.is_empty() {
                        self.root_closed_at = Some(pos);
                        break;
                    }
                }
                Event::End(_) => {
                    self.close(pos);
                    if self.frames.is_empty() {
                        self.root_closed_at = Some(pos);
                        break;
                    }
                }
                // Only the very first event can be text: after it `drain_text` reads all text.
                Event::Text(t) => {
                    if !self.root_seen && !t.trim().is_empty() {
                        return Err(Failed::at(pos, "not XML: text before the root element"));
                    }
                }
                Event::CData(_) => {
                    if !self.root_seen {
                        return Err(Failed::at(pos, "not XML: text before the root element"));
                    }
                }
                Event::GeneralRef(r) => {
                    resolve_ref(&r, pos)?;
                    if !self.root_seen {
                        return Err(Failed::at(pos, "not XML: text before the root element"));
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
                        _ if !self.root_seen && pos == 0 => Failed::at(0, "empty file"),
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
        Ok(())
    }

    /// The tests read so far, each settled (repeats de-duplicated, `flaky` derived) once.
    fn into_parsed(mut self) -> Parsed {
        // One allocation for every rerun's message, stored only if some test was rerun.
        let mut rerun_message = None;
        for case in &mut self.cases {
            if case.attempts.len() > 1 {
                if written_by_pytest(case) {
                    mark_pytest_reruns(case, &mut rerun_message);
                }
                case.settle();
            }
        }
        Parsed {
            cases: self.cases,
            distinct: !self.crossed,
        }
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

    /// The case being read, when inside a `<testcase>`.
    fn case_mut(&mut self) -> Option<&mut Case> {
        Some(&mut self.case).filter(|c| c.active)
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
            (Some(Frame::Root | Frame::Suite { .. }), b"testcase") if !self.case.active => {
                self.case.open(e, pos)?;
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
                for_attrs(e, pos, &[b"name", b"value"], |key, value| {
                    if key == b"name" {
                        property.name = value.into_owned();
                    } else {
                        property.value = value.into_owned();
                        has_value = true;
                    }
                })?;
                if let Some(case) = self.case_mut() {
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
                for_attrs(e, pos, &[b"name"], |_, value| name = value.into_owned())?;
                if let Some(case) = self.case_mut() {
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
        for_attrs(e, pos, &[b"name"], |_, value| {
            name = Some(value.into_owned())
        })?;
        match name {
            Some(name) if !name.is_empty() => {
                self.suite_path.push(name);
                self.shared_suite = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn open_in_case(&mut self, tag: &[u8], e: &BytesStart<'_>, pos: u64) -> Result<Frame, Failed> {
        let Some(case) = self.case_mut() else {
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
            placeholder: false,
        };
        let mut time = None;
        let mut started = None;
        let mut ok_to_fail = false;
        let wanted: &[&[u8]] = if retry.is_some() {
            &[b"message", b"type", b"time", b"timestamp"]
        } else {
            &[b"message", b"type"]
        };
        for_attrs(e, pos, wanted, |key, value| match key {
            b"message" => {
                ok_to_fail = kind == ResultKind::Skipped && value == CATCH2_OK_TO_FAIL;
                result.placeholder =
                    kind != ResultKind::Skipped && PLACEHOLDER_MESSAGES.contains(&value.as_ref());
                result.message = Some(Text::new(&value));
            }
            b"type" => result.ty = Some(Text::new(&value)),
            b"time" => time = parse_duration(&value),
            _ => started = parse_timestamp(&value),
        })?;
        case.ok_to_fail |= ok_to_fail && retry.is_none();
        Ok(match retry {
            None => {
                case.result_body.clear();
                case.open_result = Some(result);
                Frame::Result
            }
            Some(flaky) => {
                case.retry_body.clear();
                case.retry_out.clear();
                case.retry_err.clear();
                case.retry = Some(Retry {
                    flaky,
                    result,
                    time,
                    started,
                });
                Frame::Retry
            }
        })
    }

    fn keep_text(&mut self, chunk: &str) {
        let Some(&frame) = self.frames.last() else {
            return;
        };
        let Some(case) = self.case_mut() else {
            return;
        };
        match frame {
            Frame::Result => {
                if case.open_result.is_some() {
                    case.result_body.push(chunk);
                }
            }
            Frame::Retry | Frame::RetryTrace => {
                if case.retry.is_some() {
                    case.retry_body.push(chunk);
                }
            }
            Frame::Out { err, retry } => {
                let target = match (retry, err) {
                    (true, _) if case.retry.is_none() => return,
                    (true, true) => &mut case.retry_err,
                    (true, false) => &mut case.retry_out,
                    (false, true) => &mut case.err,
                    (false, false) => &mut case.out,
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

    /// Closes the innermost element, whose end tag ends at byte `pos`.
    fn close(&mut self, pos: u64) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame {
            Frame::Suite { named: true } => {
                self.suite_path.pop();
                self.shared_suite = None;
            }
            Frame::Case => {
                if self.case.active {
                    self.finish_case(pos);
                }
            }
            Frame::Result => {
                if let Some(case) = self.case_mut()
                    && let Some(mut r) = case.open_result.take()
                {
                    if r.placeholder
                        && let Some(message) = message_in_body(case.result_body.as_str())
                    {
                        r.message = Some(Text::new(&message));
                    }
                    // error > failure > skipped; among equals the first one stays, and a
                    // further failure or error adds its message and body to the first's
                    // details (jasmine-reporters and karma-junit-reporter write one
                    // `<failure>` per failed expectation, fixtures/generated-jasmine/).
                    if case.result.as_ref().is_none_or(|(old, _)| r.kind > *old) {
                        let kind = r.kind;
                        let outcome = r.into_outcome(case.result_body.take_text());
                        case.result = Some((kind, outcome));
                    } else if let Some((old, Outcome::Failed(first) | Outcome::Error(first))) =
                        case.result.as_mut()
                        && *old == r.kind
                    {
                        let mut details = first.details.read().unwrap_or_default();
                        for part in [
                            r.message.read(),
                            Some(case.result_body.as_str().to_string()),
                        ]
                        .into_iter()
                        .flatten()
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        {
                            details.push_str(if details.is_empty() { "" } else { "\n\n" });
                            details.push_str(&part);
                        }
                        first.details = Some(Text::new(&details));
                    }
                    case.result_body.clear();
                }
            }
            Frame::Retry => {
                let path = self.shared_path.clone();
                let file = self.path;
                if let Some(case) = self.case_mut()
                    && let Some(r) = case.retry.take()
                {
                    // A flaky or rerun try always failed or errored: its output is kept, after
                    // it is scanned for attachments (in the order the tries ran, see
                    // `finish_case`).
                    let found = match r.flaky {
                        true => &mut case.flaky_attachments,
                        false => &mut case.rerun_attachments,
                    };
                    attachment_lines(case.retry_out.as_str(), file, found);
                    attachment_lines(case.retry_err.as_str(), file, found);
                    let attempt = Attempt {
                        outcome: r.result.into_outcome(case.retry_body.take_text()),
                        duration_secs: r.time,
                        started_at: r.started,
                        system_out: case.retry_out.take_text(),
                        system_err: case.retry_err.take_text(),
                        source: SourceRef::new(path, Format::Junit, None),
                    };
                    if r.flaky {
                        case.flaky.push(attempt);
                    } else {
                        case.reruns.push(attempt);
                    }
                }
            }
            Frame::Property => {
                if let Some(case) = self.case_mut()
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
                if let Some(case) = self.case_mut()
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

    fn finish_case(&mut self, pos: u64) {
        if self.cases.len() == self.cases.capacity() {
            self.size_for_the_rest(pos);
        }
        let suite_path = match &self.shared_suite {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<[String]> = self.suite_path.as_slice().into();
                self.shared_suite = Some(shared.clone());
                shared
            }
        };
        let test = self.case.finish(self.path, &self.shared_path, suite_path);
        if !self.crossed {
            // Keyed by the cross-file identity: every test kept so far has its own, so at most
            // one candidate has this test's.
            let hash = merge::identity_hash(&self.index, &test);
            let cases = &self.cases;
            let same = self
                .index
                .find_or_push(hash, |at| merge::same_identity(&cases[at], &test));
            match same {
                // Pushed.
                None => {
                    self.cases.push(test);
                    return;
                }
                Some(at) if !test.name.is_empty() && same_in_file(&cases[at], &test) => {
                    append_repeat(&mut self.cases[at], test);
                    return;
                }
                // Two tests this file keeps apart that the cross-file merge would fold: from
                // here on, key by the file's own identity (below), as `merge_files` will run.
                Some(_) => self.cross(),
            }
        }
        // Retries repeat a testcase inside the same suite; the same name in another suite
        // (nested reports) is another test. Nameless cases cannot be told apart: never merged.
        if test.name.is_empty() {
            self.cases.push(test);
            self.index.push_unfindable();
            return;
        }
        // Keyed by a hash so names are not stored twice; collisions are checked exactly.
        let hash = file_identity_hash(&self.index, &test);
        let cases = &self.cases;
        let earlier = self
            .index
            .find_or_push(hash, |at| same_in_file(&cases[at], &test));
        match earlier {
            // Appended in document order; every case is settled once when the file ends.
            Some(at) => append_repeat(&mut self.cases[at], test),
            // Pushed.
            None => self.cases.push(test),
        }
    }

    /// Makes room, once, for the tests the rest of the input likely holds, judged by the bytes
    /// per test of the first [`SAMPLE_TESTS`] and the bytes expected (`expected_bytes`), plus
    /// an eighth. Growing by doubling copies the vector at each step, and an allocator that
    /// cannot grow a large block in place (jemalloc, in the musl build) holds both copies for
    /// a moment and keeps the old pages: +25 MB at the peak of a 200,000-test `parse`. Room no
    /// test fills costs address space only (its pages are never touched). A wrong guess costs
    /// nothing more than before: past the room made, the vector doubles as it always did.
    fn size_for_the_rest(&mut self, read: u64) {
        let kept = self.cases.len();
        if kept < SAMPLE_TESTS || self.expected_bytes == 0 {
            return;
        }
        let rest = self.expected_bytes.saturating_sub(read);
        // Once: from here on `expected_bytes` is spent.
        self.expected_bytes = 0;
        let per_test = (read / kept as u64).max(1);
        let more = usize::try_from(rest / per_test).unwrap_or(usize::MAX);
        let more = more.saturating_add(more / 8).min(MAX_RESERVED_TESTS);
        // Refused (no address space to be had): the vector grows as it would have.
        let _ = self.cases.try_reserve_exact(more);
    }

    /// Re-keys the index by the file's own identity (suite path, classname, name): once, when
    /// two tests of this file turn out to share a cross-file identity. Linear, like the rest.
    fn cross(&mut self) {
        self.crossed = true;
        let mut index = HashIndex::with_capacity(self.cases.len());
        for case in &self.cases {
            if case.name.is_empty() {
                index.push_unfindable();
            } else {
                index.push(file_identity_hash(&index, case));
            }
        }
        self.index = index;
    }
}

/// pytest names its suite `pytest` (its `junit_suite_name` default), in both JUnit families.
fn written_by_pytest(case: &TestCase) -> bool {
    matches!(&*case.suite_path, [suite] if suite == "pytest")
}

/// What a pytest rerun's try says: the file does not keep its failure.
const PYTEST_RERUN_MESSAGE: &str = "failed and was rerun (pytest-rerunfailures keeps no details \
     of a rerun try in the JUnit report)";

/// pytest writes a test once per try only when it reruns it, and pytest-rerunfailures reruns
/// only a try that failed (or errored in setup or teardown), writing that try as a bare
/// `<testcase>`, like a pass. So in a file pytest wrote, every try of a repeated test before
/// its last that reads as a pass failed: it is marked so, and a test that recovered on a rerun
/// is flaky, not a plain pass ("1 failed, 8 passed, 5 rerun"). A repeat in another runner's
/// file is left as written.
fn mark_pytest_reruns(case: &mut TestCase, message: &mut Option<Text>) {
    let Some((_, earlier)) = case.attempts.split_last_mut() else {
        return;
    };
    for attempt in earlier {
        if attempt.outcome == Outcome::Passed {
            let message = *message.get_or_insert_with(|| Text::new(PYTEST_RERUN_MESSAGE));
            attempt.outcome = Outcome::Failed(Box::new(crate::model::Failure {
                message: Some(message),
                kind: None,
                details: None,
            }));
        }
    }
}

/// Appends a repeat of `target` in the same file as its next try, unless it is pytest's report
/// of the teardown of the execution just read: pytest writes a test that failed and then also
/// failed in teardown as two `<testcase>`s, the second only an `<error message="failed on
/// teardown with ...">`. That is one execution, not a retry whose teardown error would replace
/// the test's own failure: the teardown error joins that failure's details instead.
fn append_repeat(target: &mut TestCase, repeat: TestCase) {
    if let Some(teardown) = pytest_teardown_error(&repeat)
        && let Some(last) = target.attempts.last_mut()
        && let Outcome::Failed(failure) | Outcome::Error(failure) = &mut last.outcome
    {
        let details = failure.details.read().unwrap_or_default();
        let joined = match details.trim().is_empty() {
            true => teardown,
            false => format!("{}\n\n{teardown}", details.trim_end()),
        };
        failure.details = Some(Text::new(&joined));
        return;
    }
    target.append(repeat);
}

/// The message and details of a lone try that is pytest's teardown error.
fn pytest_teardown_error(test: &TestCase) -> Option<String> {
    let [attempt] = &test.attempts[..] else {
        return None;
    };
    let Outcome::Error(failure) = &attempt.outcome else {
        return None;
    };
    let message = failure.message.read()?;
    if !message.starts_with("failed on teardown with ") {
        return None;
    }
    let details = failure.details.read().unwrap_or_default();
    Some(format!("{message}\n{}", details.trim_end()))
}

/// The same test within one file: retries repeat a testcase inside the same suite.
fn same_in_file(a: &TestCase, b: &TestCase) -> bool {
    a.name == b.name
        && a.classname == b.classname
        && (Arc::ptr_eq(&a.suite_path, &b.suite_path) || a.suite_path == b.suite_path)
}

fn file_identity_hash(index: &HashIndex, case: &TestCase) -> u64 {
    index.hash(&(&*case.suite_path, &case.classname, &case.name))
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
