//! JUnit XML in every dialect found in the fixtures (Surefire, Gradle, pytest, jest, mocha,
//! vitest, Playwright, cucumber-js, go-junit-report, nextest, Robot, xray-junit-extensions…),
//! read in one streaming pass into `TestCase`s.
//!
//! Owns: the JUnit vocabulary, sniffing a JUnit document by its root element, and merging the
//! tries of one test *within one file*. Does not own globbing, merging across files or Allure.
//!
//! Memory follows the number of tests, not the file size: text fields are cut at
//! [`MAX_TEXT_BYTES`](crate::model::MAX_TEXT_BYTES) while they are read, and text is read in
//! bounded chunks rather than whole nodes, so one huge `<system-out>` or CDATA section never
//! grows a buffer (`text.rs`); a single tag above 16 MiB is refused as bad input. Per file,
//! one `Arc<Path>` is shared by every attempt's `SourceRef` and one `Arc<[String]>` suite path
//! by the tests of a suite.
//!
//! Mapping decisions (documented here because other stages rely on them):
//! - One `Attempt` per try: `flakyFailure`/`flakyError` are failed tries *before* the final
//!   result; `rerunFailure`/`rerunError` are failed tries *after* the first failure.
//!   Repeated `<testcase>` with the same classname and name in the same suite are tries of
//!   one test, in document order (the last one decides: see `model`); they are appended with
//!   [`TestCase::append`] and each test is settled once at the end of the file, so 300k
//!   repeats stay linear (the same name in another nested suite is another test; nameless
//!   cases are never merged).
//! - A file cut short or broken part-way: [`salvage_path`] keeps every test case read
//!   completely before the error; [`parse_path`] drops them.
//! - Several results in one testcase: error > failure > skipped; among equals, the first, a
//!   further failure or error adding its message and body to the first's details.
//!   `status="disabled"|"notrun"|"skipped"|"ignored"` without a result element means skipped.
//! - A testcase without `name` uses `id` (CUnit), else the empty string; a missing `classname`
//!   stays `None` (Xray then uses the name alone as definition).
//! - `suite_path` is the chain of named `<testsuite>` elements, outermost first. The
//!   `<testsuites>` name is the run's name and is not part of it.
//! - Suite-level `<properties>` are *not* copied into cases: in practice they are Surefire
//!   dumps of every JVM system property (hundreds of entries, a full class path), and copying
//!   them into each case would multiply memory by the number of tests. Case properties are
//!   kept in document order.
//! - Unreadable `time` is `None`, never an error; see [`values::parse_duration`].
//! - `system-out`/`system-err` of a *passed* try are scanned for attachment lines and then
//!   dropped, not kept: nothing downstream uses a passing test's output (Xray comments and Jira
//!   bugs are for failures), and keeping it was most of the memory of a large run. Failed,
//!   errored and skipped tries, and every flaky/rerun try, keep theirs (bounded).
//! - `[[ATTACHMENT|path]]` lines in a test's output become `Attachment::File`; xray
//!   `testrun_evidence` items become `Attachment::Inline`.
//! - Entities: the five predefined ones and character references only. DOCTYPEs are skipped,
//!   and any other entity reference is an error, so nothing is ever expanded or fetched.

mod case;
mod markup;
mod parser;
mod split;
pub(crate) mod text;
pub mod values;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

pub(crate) use parser::Parsed;
use std::path::{Path, PathBuf};
use text::Input;

use quick_xml::events::Event;

use crate::model::{InputError, TestCase};

/// Read buffer for files: large enough that quick-xml rarely refills mid-event.
const READ_BUFFER: usize = 256 * 1024;

/// A parse failure before it is tied to a file: a byte offset and a message.
#[derive(Debug)]
pub(crate) struct Failed {
    offset: u64,
    message: String,
}

impl Failed {
    pub(crate) fn at(offset: u64, message: impl Into<String>) -> Self {
        Failed {
            offset,
            message: message.into(),
        }
    }
}

/// Parses one JUnit XML file. The error names the file and the line of the problem.
pub fn parse_path(path: &Path) -> Result<Vec<TestCase>, InputError> {
    let file =
        File::open(path).map_err(|e| InputError::whole_file(path, format!("cannot open: {e}")))?;
    let size = file.metadata().map_or(0, |m| m.len());
    parse_inner(Input::new(file, READ_BUFFER), path, size).map_err(|failed| {
        // The line is only worth computing when something went wrong: re-read the prefix.
        let line = File::open(path)
            .ok()
            .and_then(|f| super::line_of(BufReader::new(f), failed.offset));
        to_error(path, failed, line)
    })
}

/// Parses one JUnit XML file as far as it can be read: every test case read completely before
/// an error (a truncated file, a crash mid-write) comes back with the error, which names the
/// file and line. `parse_path` drops them instead.
pub fn salvage_path(path: &Path) -> (Vec<TestCase>, Option<InputError>) {
    let (parsed, error) = salvage(path);
    (parsed.cases, error)
}

/// [`salvage_path`], telling also whether the tests are [`Parsed::distinct`].
pub(crate) fn salvage(path: &Path) -> (Parsed, Option<InputError>) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    salvage_splitting(path, (cores >= 2).then_some(split::MIN_SPLIT_BYTES))
}

/// [`salvage`], trying first a parse on two threads (`split.rs`) when the file has at least
/// `split_from` bytes; tests force the split on small files with `Some(0)`.
pub(crate) fn salvage_splitting(
    path: &Path,
    split_from: Option<u64>,
) -> (Parsed, Option<InputError>) {
    if let Some(min_bytes) = split_from
        && let Some(parsed) = split::parse_in_two(path, min_bytes)
    {
        return (parsed, None);
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let parsed = Parsed {
                cases: Vec::new(),
                distinct: true,
            };
            let error = InputError::whole_file(path, format!("cannot open: {e}"));
            return (parsed, Some(error));
        }
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let parser = parser::Parser::expecting(path, size);
    let (parsed, failed) = parser.run_salvaging(Input::new(file, READ_BUFFER));
    let error = failed.map(|failed| {
        let line = File::open(path)
            .ok()
            .and_then(|f| super::line_of(BufReader::new(f), failed.offset));
        to_error(path, failed, line)
    });
    (parsed, error)
}

/// Parses JUnit XML from any buffered reader; `path` names the source in records and errors
/// (and anchors relative attachment paths). Errors carry a byte offset, not a line.
pub fn parse_reader<R: BufRead>(reader: R, path: &Path) -> Result<Vec<TestCase>, InputError> {
    parse_inner(Input::new(reader, READ_BUFFER), path, 0)
        .map_err(|failed| to_error(path, failed, None))
}

/// Parses JUnit XML held in memory, as if read from `<string>`.
pub fn parse_str(s: &str) -> Result<Vec<TestCase>, InputError> {
    let path = Path::new("<string>");
    // A string needs no bigger buffer than itself.
    let input = Input::new(s.as_bytes(), s.len().min(READ_BUFFER));
    parse_inner(input, path, s.len() as u64).map_err(|failed| {
        let line = super::line_of(s.as_bytes(), failed.offset);
        to_error(path, failed, line)
    })
}

/// `expected_bytes`: the input's size when known, else 0 (sizes memory only).
fn parse_inner<R: Read>(
    input: Input<R>,
    path: &Path,
    expected_bytes: u64,
) -> Result<Vec<TestCase>, Failed> {
    parser::Parser::expecting(path, expected_bytes).run(input)
}

/// [`parse_str`] with a given input buffer size: tests use tiny buffers so that every text,
/// CDATA section and reference is split across refills somewhere.
#[cfg(test)]
pub(crate) fn parse_str_buffered(s: &str, buffer: usize) -> Result<Vec<TestCase>, InputError> {
    let path = Path::new("<string>");
    parse_inner(Input::new(s.as_bytes(), buffer), path, s.len() as u64)
        .map_err(|f| to_error(path, f, None))
}

fn to_error(path: &Path, failed: Failed, line: Option<u64>) -> InputError {
    InputError {
        path: PathBuf::from(path),
        line,
        offset: if line.is_some() {
            None
        } else {
            Some(failed.offset)
        },
        message: failed.message,
    }
}

/// True when `head` (the first bytes of a file, any length) is the start of a JUnit document:
/// its root element, after a BOM, the XML declaration, comments, processing instructions and a
/// DOCTYPE, is `<testsuites>` or `<testsuite>`. Allure 1 (`<ns2:test-suite>`) is not JUnit.
pub fn looks_like_junit(head: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    // Bounded: a head full of comments cannot keep us here.
    for _ in 0..1024 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return parser::is_junit_root(e.local_name().as_ref().as_bytes());
            }
            Ok(Event::Text(t)) if t.trim().is_empty() => {}
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(_) | Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests;
