//! The one safe XML reader under the .NET, TestNG and Robot Framework readers (`nunit`,
//! `xunit`, `trx`, `testng`, `robot`): sniffing the format by its root element, and one
//! streaming quick-xml driver that each reader plugs its vocabulary into (`Handler`). It
//! imports none of those readers (`dotnet` dispatches to them), so the readers depend on it
//! one way.
//!
//! The driver owns the rules every reader must keep:
//! - Entities: the five predefined ones and character references only. A DOCTYPE is skipped;
//!   any other entity reference (`&xxe;` declared in it, external or not) is an error, so nothing
//!   is ever expanded or fetched (the XXE fixtures `NUnit-sec1752-*.xml`).
//! - Characters XML 1.0 forbids (controls other than tab, LF, CR, e.g. the NUL inside a CDATA
//!   section of `NUnit-issue17521.xml`) are an error, as are malformed attributes
//!   (`NUnit-issue47367.xml`), mismatched tags and truncated documents.
//! - Memory: text is collected into a bounded buffer (`MAX_TEXT_BYTES`); no single event (tag,
//!   text run, CDATA section) may exceed [`MAX_EVENT_BYTES`], so quick-xml's event buffer stays
//!   bounded too. Elements nest at most [`MAX_DEPTH`] deep.
//! - A UTF-8 BOM is skipped. Errors name the file and, when read from a path, the line.

use std::io::{BufRead, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::junit::text::{Input, start_markup};
use super::junit::values::Bounded;
use crate::model::{Format, InputError};

/// Largest single event (a tag with its attributes, a text run, a CDATA section) accepted.
pub const MAX_EVENT_BYTES: u64 = 64 * 1024 * 1024;

/// Deeper nesting is refused: real reports nest suites a few levels, not hundreds.
pub const MAX_DEPTH: usize = 256;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The TRX namespace prefix shared by the 2006 and 2010 schemas.
const TEAMTEST_NS: &str = "http://microsoft.com/schemas/VisualStudio/TeamTest/";

/// Which .NET format `head` (the first bytes of a file) is, by its root element:
/// `test-results`/`test-run` (or an unprefixed `test-suite` with a `type`, which Allure 1
/// never writes) → NUnit; `assemblies`/`assembly` → xUnit.net; `TestRun` in the TeamTest
/// namespace → TRX.
pub fn sniff(head: &[u8]) -> Option<Format> {
    with_root(head, root_format)
}

/// The root element of `head` (the first bytes of a file): its local name and its `id`
/// attribute, for the readers that sniff by root name (TestNG, Robot Framework).
pub fn root_element(head: &[u8]) -> Option<(String, Option<String>)> {
    with_root(head, |e| {
        let id = e
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == "id")
            .map(|a| a.value.to_string());
        Some((e.local_name().as_ref().to_string(), id))
    })
}

/// `read` of the first element of `head` (a leading BOM, the declaration, comments, processing
/// instructions, a DOCTYPE and blank text skipped); `None` when anything else comes first.
fn with_root<T>(head: &[u8], read: impl FnOnce(&BytesStart<'_>) -> Option<T>) -> Option<T> {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let mut reader = Reader::from_reader(head);
    let mut buf = Vec::new();
    // Bounded: a head full of comments cannot keep us here.
    for _ in 0..1024 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => return read(&e),
            Ok(Event::Text(t)) if t.trim_ascii().is_empty() => {}
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(_) | Err(_) => return None,
        }
    }
    None
}

fn root_format(e: &BytesStart<'_>) -> Option<Format> {
    let has_attr = |name: &str| {
        e.attributes()
            .flatten()
            .any(|a| a.key.as_ref() == name || a.key.local_name().as_ref() == name)
    };
    match e.local_name().as_ref() {
        "test-results" | "test-run" => Some(Format::Nunit),
        "test-suite" if e.name().as_ref() == "test-suite" && has_attr("type") => {
            Some(Format::Nunit)
        }
        "assemblies" | "assembly" => Some(Format::Xunit),
        "TestRun" => {
            let in_ns = e.attributes().flatten().any(|a| {
                a.key.as_ref().starts_with("xmlns") && a.value.as_ref().starts_with(TEAMTEST_NS)
            });
            in_ns.then_some(Format::Trx)
        }
        _ => None,
    }
}

/// The attributes of one element, by local name, values unescaped.
#[derive(Debug, Default)]
pub(crate) struct Attrs(Vec<(String, String)>);

impl Attrs {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value, owned; `None` when absent or empty.
    pub(crate) fn non_empty(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty()).map(str::to_string)
    }
}

/// A reader's vocabulary. The driver calls `root` once, then `open`/`close` for every element
/// (an empty element is opened and closed at once). `stack` holds the local names of the
/// element's ancestors, outermost first.
pub(crate) trait Handler {
    /// Whether the root element starts a document of this format; the error says why not.
    fn root(&mut self, name: &str, attrs: &Attrs) -> Result<(), String>;
    fn open(&mut self, name: &str, attrs: Attrs, stack: &[String]);
    /// `text` holds the element's own text when it has no child elements (bounded); the
    /// handler may take it.
    fn close(&mut self, name: &str, stack: &[String], text: &mut Bounded);
}

/// Opens `path` and runs `handler` over it; an error names the line of the problem.
pub(crate) fn drive_path<H: Handler>(path: &Path, handler: &mut H) -> Result<(), InputError> {
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::whole_file(path, format!("cannot open: {e}")))?;
    drive_reader(file, path, handler).map_err(|mut e| {
        // Only the error path pays for a line number: re-read the prefix.
        if let (None, Some(offset)) = (e.line, e.offset) {
            e.line = super::line_at(path, offset);
            if e.line.is_some() {
                e.offset = None;
            }
        }
        e
    })
}

/// Runs `handler` over XML from `r`; `path` names the source in errors (byte offsets).
pub(crate) fn drive_reader<R: Read, H: Handler>(
    r: R,
    path: &Path,
    handler: &mut H,
) -> Result<(), InputError> {
    let fail = |offset: u64, message: String| InputError {
        path: path.to_path_buf(),
        line: None,
        offset: Some(offset),
        message,
    };
    // The JUnit reader's input, with the cap on every event (text included: this reader lets
    // quick-xml read text).
    let mut r = Input::with_cap(r, 64 * 1024, MAX_EVENT_BYTES);
    let mut skipped = 0u64;
    match r.fill_buf() {
        Ok(head) if head.starts_with(BOM) => {
            r.consume(BOM.len());
            skipped = BOM.len() as u64;
        }
        Ok(_) => {}
        Err(e) => return Err(fail(0, format!("cannot read: {e}"))),
    }
    let mut reader = Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut text = Bounded::default();
    let mut root_seen = false;
    let mut root_closed = false;
    loop {
        start_markup(&mut reader);
        buf.clear();
        let at = skipped + reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let message = if reader.get_ref().markup_overflow() {
                    format!(
                        "an element or text larger than {} MiB",
                        MAX_EVENT_BYTES >> 20
                    )
                } else {
                    format!("malformed XML: {e}")
                };
                let offset = skipped + reader.error_position().max(at);
                return Err(fail(offset, message));
            }
        };
        match event {
            Event::Start(e) => {
                let (name, attrs) = element(&e).map_err(|m| fail(at, m))?;
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(at, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                if !root_seen {
                    handler.root(&name, &attrs).map_err(|m| fail(at, m))?;
                    root_seen = true;
                } else if root_closed {
                    return Err(fail(at, "malformed XML: a second root element".into()));
                }
                text.clear();
                handler.open(&name, attrs, &stack);
                stack.push(name);
            }
            Event::Empty(e) => {
                let (name, attrs) = element(&e).map_err(|m| fail(at, m))?;
                if !root_seen {
                    handler.root(&name, &attrs).map_err(|m| fail(at, m))?;
                    root_seen = true;
                    root_closed = stack.is_empty();
                } else if root_closed {
                    return Err(fail(at, "malformed XML: a second root element".into()));
                }
                text.clear();
                handler.open(&name, attrs, &stack);
                handler.close(&name, &stack, &mut text);
                text.clear();
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err(fail(at, "malformed XML: unexpected closing tag".into()));
                };
                handler.close(&name, &stack, &mut text);
                text.clear();
                root_closed = stack.is_empty();
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                check_chars(&content).map_err(|m| fail(at, m))?;
                if stack.is_empty() {
                    if !content.trim().is_empty() {
                        let place = if root_seen { "after" } else { "before" };
                        return Err(fail(at, format!("not XML: text {place} the root element")));
                    }
                } else {
                    text.push(&content);
                }
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                check_chars(&content).map_err(|m| fail(at, m))?;
                if stack.is_empty() {
                    return Err(fail(at, "not XML: CDATA outside the root element".into()));
                }
                text.push(&content);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) if allowed(c) => c.to_string(),
                    Ok(Some(c)) => {
                        return Err(fail(
                            at,
                            format!(
                                "malformed XML: character reference to U+{:04X}, \
                                 which XML 1.0 does not allow",
                                u32::from(c)
                            ),
                        ));
                    }
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(fail(
                                at,
                                format!(
                                    "undeclared or external entity &{};: entities declared in a \
                                     DOCTYPE are never expanded",
                                    &*r
                                ),
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(fail(
                            at,
                            format!("malformed XML: bad character reference: {e}"),
                        ));
                    }
                };
                if stack.is_empty() {
                    return Err(fail(at, "not XML: text outside the root element".into()));
                }
                text.push(&resolved);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !root_seen {
        return Err(InputError {
            path: path.to_path_buf(),
            line: None,
            offset: Some(0),
            message: "empty file or no root element".into(),
        });
    }
    if let Some(open) = stack.last() {
        let end = skipped + reader.buffer_position();
        return Err(fail(
            end,
            format!("truncated document: <{open}> is not closed at end of file"),
        ));
    }
    Ok(())
}

/// The local name and attributes of an element, or why they are malformed.
fn element(e: &BytesStart<'_>) -> Result<(String, Attrs), String> {
    let name = e.local_name().as_ref().to_string();
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed XML: bad attribute in <{name}>: {err}"))?;
        let key = a.key.local_name().as_ref().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| {
                format!(
                    "bad value of attribute {key} in <{name}>: {err} (entities declared in a \
                     DOCTYPE are never expanded)"
                )
            })?;
        check_chars(&value)?;
        out.push((key, value.into_owned()));
    }
    Ok((name, Attrs(out)))
}

/// XML 1.0 characters: no controls other than tab, LF and CR.
fn allowed(c: char) -> bool {
    (c >= '\u{20}' || matches!(c, '\t' | '\n' | '\r')) && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn check_chars(s: &str) -> Result<(), String> {
    // Fast path: the bytes that can start a forbidden character.
    let suspicious = s.bytes().any(|b| b < 0x20 || b == 0xEF);
    if !suspicious {
        return Ok(());
    }
    match s.chars().find(|c| !allowed(*c)) {
        Some(c) => Err(format!(
            "malformed XML: character U+{:04X} is not allowed in XML 1.0",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// The element's text, trimmed; `None` when empty. Keeps the truncation marker.
pub(crate) fn take_text(text: &mut Bounded) -> Option<String> {
    let s = text.take()?;
    let trimmed = s.trim();
    if trimmed.len() == s.len() {
        Some(s)
    } else {
        Some(trimmed.to_string())
    }
}

/// A .NET `TimeSpan` as TRX writes durations: `[d.]hh:mm:ss[.fffffff]`, in seconds.
pub fn parse_timespan(raw: &str) -> Option<f64> {
    let s = raw.trim();
    let mut parts = s.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, h) = match h.split_once('.') {
        Some((d, h)) => (d.parse::<u64>().ok()?, h),
        None => (0, h),
    };
    let h: u64 = h.parse().ok()?;
    let m: u64 = m.parse().ok()?;
    if m >= 60 || !sec.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let sec: f64 = sec.parse().ok()?;
    let total = days as f64 * 86_400.0 + h as f64 * 3600.0 + m as f64 * 60.0 + sec;
    (total.is_finite() && sec < 60.0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_roots() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF<?xml version='1.0'?><test-run/>"),
            Some(Format::Nunit)
        );
        assert_eq!(sniff(b"<!-- x --><test-results>"), Some(Format::Nunit));
        assert_eq!(
            sniff(b"<test-suite type=\"Assembly\">"),
            Some(Format::Nunit)
        );
        assert_eq!(
            sniff(b"<ns2:test-suite xmlns:ns2=\"urn:model.allure.qatools.yandex.ru\">"),
            None
        );
        assert_eq!(sniff(b"<test-suite start=\"1\">"), None);
        assert_eq!(sniff(b"<assemblies>"), Some(Format::Xunit));
        assert_eq!(sniff(b"<assembly name=\"a\">"), Some(Format::Xunit));
        assert_eq!(
            sniff(b"<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">"),
            Some(Format::Trx)
        );
        assert_eq!(sniff(b"<TestRun>"), None);
        assert_eq!(sniff(b"<testsuites>"), None);
        assert_eq!(sniff(b"not xml"), None);
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:00:00.0010000"), Some(0.001));
        assert_eq!(parse_timespan("01:02:03.5"), Some(3723.5));
        assert_eq!(parse_timespan("1.00:00:01"), Some(86_401.0));
        assert_eq!(parse_timespan("00:61:00"), None);
        assert_eq!(parse_timespan("00:00:-1"), None);
        assert_eq!(parse_timespan("garbage"), None);
        assert_eq!(parse_timespan("00:00:NaN"), None);
    }

    struct Names(Vec<(String, Option<String>)>);

    impl Handler for Names {
        fn root(&mut self, name: &str, _: &Attrs) -> Result<(), String> {
            if name == "r" {
                Ok(())
            } else {
                Err(format!("root <{name}>"))
            }
        }
        fn open(&mut self, _: &str, _: Attrs, _: &[String]) {}
        fn close(&mut self, name: &str, _: &[String], text: &mut Bounded) {
            self.0.push((name.to_string(), take_text(text)));
        }
    }

    fn run(xml: &str) -> Result<Vec<(String, Option<String>)>, InputError> {
        let mut h = Names(Vec::new());
        drive_reader(xml.as_bytes(), Path::new("<t>"), &mut h).map(|()| h.0)
    }

    #[test]
    fn driver_rules() {
        let got = run("\u{FEFF}<r><a> x &amp; &#65;<![CDATA[<y>]]></a><b/></r>").unwrap();
        assert_eq!(got[0], ("a".into(), Some("x & A<y>".into())));
        assert_eq!(got[1], ("b".into(), None));
        let err = run("<!DOCTYPE r [<!ENTITY e SYSTEM \"/etc/passwd\">]><r>&e;</r>").unwrap_err();
        assert!(err.message.contains("never expanded"), "{err}");
        assert!(run("<r a=\"&e;\"/>").is_err());
        assert!(
            run("<r><![CDATA[\u{0}]]></r>")
                .unwrap_err()
                .message
                .contains("U+0000")
        );
        assert!(run("<r>&#0;</r>").is_err());
        assert!(run("<r a=\"x\"y\"/>").is_err());
        assert!(run("<r><a></r>").is_err());
        assert!(run("<r><a>").unwrap_err().message.contains("truncated"));
        assert!(run("").unwrap_err().message.contains("no root"));
        assert!(run("<x/>").unwrap_err().message.contains("root <x>"));
        assert!(run("hello").is_err());
        let deep = "<r>".to_string() + &"<a>".repeat(MAX_DEPTH + 1);
        assert!(run(&deep).unwrap_err().message.contains("deeper"));
    }

    /// One event larger than the cap is refused as bad input instead of buffered whole; the
    /// input is streamed, so the test itself never holds it.
    #[test]
    fn an_event_over_the_cap_is_an_error() {
        let huge = std::io::repeat(b'x').take(MAX_EVENT_BYTES + 1024);
        let input = b"<r><a>".chain(huge).chain(&b"</a></r>"[..]);
        let mut h = Names(Vec::new());
        let err = drive_reader(input, Path::new("<t>"), &mut h).unwrap_err();
        assert!(err.message.contains("larger than 64 MiB"), "{err}");
        assert!(
            err.offset.is_some_and(|o| o <= MAX_EVENT_BYTES + 1024),
            "{err:?}"
        );
    }
}
