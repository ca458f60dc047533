//! Unit tests for the JUnit reader: dialect details on small inline documents.

use super::*;
use crate::model::{Outcome, OutcomeKind, ReadText};

fn kinds(cases: &[TestCase]) -> Vec<(String, OutcomeKind)> {
    cases
        .iter()
        .map(|c| (c.name.clone(), c.outcome().kind()))
        .collect()
}

#[test]
fn minimal_suite() {
    let cases = parse_str(r#"<testsuite name="s"><testcase classname="C" name="a" time="0,5"/><testcase name="b"><failure message="m" type="T">trace</failure></testcase></testsuite>"#).unwrap();
    assert_eq!(
        kinds(&cases),
        vec![
            ("a".into(), OutcomeKind::Passed),
            ("b".into(), OutcomeKind::Failed)
        ]
    );
    assert_eq!(*cases[0].suite_path, ["s"]);
    assert_eq!(cases[0].duration_secs(), Some(0.5));
    assert_eq!(cases[1].classname, None);
    let f = cases[1].outcome().failure().unwrap();
    assert_eq!(f.message.read().as_deref(), Some("m"));
    assert_eq!(f.kind.read().as_deref(), Some("T"));
    assert_eq!(f.details.read().as_deref(), Some("trace"));
}

fn err(xml: &str) -> InputError {
    parse_str(xml).expect_err("must fail")
}

#[test]
fn billion_laughs_and_external_entities_are_never_expanded() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuite><testcase name="t"><failure>&lol2;</failure></testcase></testsuite>"#;
    let e = err(laughs);
    assert!(e.message.contains("undefined entity &lol2;"), "{e}");
    assert_eq!(e.line, Some(3));
    let xxe = r#"<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="&xxe;"/></testsuite>"#;
    assert!(err(xxe).message.contains("xxe"));
}

#[test]
fn deep_nesting_is_refused() {
    let xml = format!(
        "<testsuites>{}{}</testsuites>",
        "<testsuite>".repeat(300),
        "</testsuite>".repeat(300)
    );
    assert!(err(&xml).message.contains("nested deeper"));
}

#[test]
fn encodings_bom_and_bad_bytes() {
    let latin = r#"<?xml version="1.0" encoding="ISO-8859-1"?><testsuite/>"#;
    assert!(err(latin).message.contains("only UTF-8"));
    let bom = "\u{feff}<?xml version='1.0' encoding='utf-8'?><testsuite><testcase name=\"t\"/></testsuite>";
    assert_eq!(parse_str(bom).unwrap().len(), 1);
    let bad = b"<testsuite><testcase name=\"\xff\xfe\"/></testsuite>";
    let e = parse_reader(&bad[..], Path::new("bad.xml")).unwrap_err();
    assert!(e.offset.is_some(), "{e}");
    assert!(err("").message.contains("empty"));
    assert!(
        err("<suites><suite/></suites>")
            .message
            .contains("not JUnit: root element <suites>")
    );
    assert!(
        err("<testsuite><testcase name=\"t\">")
            .message
            .contains("not closed")
    );
}

#[test]
fn sniffing() {
    assert!(looks_like_junit(
        b"\xef\xbb\xbf<?xml version=\"1.0\"?><!-- c --><testsuites>"
    ));
    assert!(looks_like_junit(b"<!DOCTYPE x><testsuite name=\"a\"/>"));
    assert!(!looks_like_junit(
        b"<ns2:test-suite xmlns:ns2=\"urn:model.allure.qatools.yandex.ru\">"
    ));
    assert!(!looks_like_junit(b"<suites><suite>"));
    assert!(!looks_like_junit(b"plain text"));
    assert!(!looks_like_junit(b""));
}

#[test]
fn several_results_status_attributes_and_skips() {
    let cases = parse_str(
        r#"<testsuite>
        <testcase name="e"><skipped/><failure message="f"/><error message="x">body</error></testcase>
        <testcase name="d" status="disabled"/>
        <testcase name="n" status="notrun"/>
        <testcase name="df" status="disabled"><failure message="f"/></testcase>
        <testcase name="s"><skipped message="why">long reason</skipped></testcase>
        <testcase id="only-id"/>
        </testsuite>"#,
    )
    .unwrap();
    assert_eq!(
        kinds(&cases),
        vec![
            ("e".into(), OutcomeKind::Error),
            ("d".into(), OutcomeKind::Skipped),
            ("n".into(), OutcomeKind::Skipped),
            ("df".into(), OutcomeKind::Failed),
            ("s".into(), OutcomeKind::Skipped),
            ("only-id".into(), OutcomeKind::Passed),
        ]
    );
    assert_eq!(
        cases[0]
            .outcome()
            .failure()
            .unwrap()
            .message
            .read()
            .as_deref(),
        Some("x")
    );
    assert_eq!(
        *cases[4].outcome(),
        Outcome::Skipped {
            message: Some("why".into())
        }
    );
}

#[test]
fn xray_extension_properties_and_attachments() {
    let cases = parse_str(
        r#"<testsuite name="s"><properties><property name="suite_only" value="1"/></properties>
        <testcase classname="C" name="t">
          <system-out>log
[[ATTACHMENT|shots/a.png]]
</system-out>
          <properties>
            <property name="test_key" value="CALC-1"/>
            <property name="tags" value="a,b"/>
            <property name="testrun_comment"><![CDATA[multi
line]]></property>
            <property name="testrun_evidence">
              <item name="hello.txt">aGVs
              bG8=</item>
            </property>
            <property name="testrun_customfields">
              <item name="env">prod</item>
            </property>
          </properties>
        </testcase></testsuite>"#,
    )
    .unwrap();
    let case = &cases[0];
    assert_eq!(case.property("test_key"), Some("CALC-1"));
    assert_eq!(case.property("tags"), Some("a,b"));
    assert_eq!(case.property("testrun_comment"), Some("multi\nline"));
    assert_eq!(case.property("suite_only"), None);
    let custom = case
        .properties()
        .iter()
        .find(|p| p.name == "testrun_customfields")
        .unwrap();
    assert_eq!(custom.items[0].name, "env");
    assert_eq!(custom.items[0].value, "prod");
    assert!(
        case.attachments()
            .contains(&crate::model::Attachment::Inline {
                name: "hello.txt".into(),
                base64: "aGVsbG8=".into()
            })
    );
    assert!(
        case.attachments()
            .contains(&crate::model::Attachment::File {
                path: PathBuf::from("shots/a.png"),
                name: None,
                content_type: None
            })
    );
}

#[test]
fn text_is_bounded_while_reading() {
    let big = "x".repeat(crate::model::MAX_TEXT_BYTES * 3);
    let xml = format!(
        "<testsuite><testcase name=\"t\"><failure message=\"{big}\">{big}<![CDATA[{big}]]></failure><system-out>{big}</system-out></testcase></testsuite>"
    );
    let case = &parse_str(&xml).unwrap()[0];
    let f = case.outcome().failure().unwrap();
    let limit = crate::model::MAX_TEXT_BYTES + crate::model::TRUNCATION_MARKER.len();
    for text in [f.message, f.details, case.attempts[0].system_out] {
        let text = text.unwrap().read();
        assert_eq!(text.len(), limit);
        assert!(text.ends_with(crate::model::TRUNCATION_MARKER));
    }
}

#[test]
fn repeated_testcase_merges_in_document_order() {
    let cases = parse_str(
        r#"<testsuite name="s">
        <testcase classname="C" name="t"><failure message="first"/></testcase>
        <testcase classname="C" name="t"/>
        <testcase classname="D" name="t"/>
        </testsuite>"#,
    )
    .unwrap();
    assert_eq!(cases.len(), 2);
    assert!(cases[0].flaky);
    assert_eq!(cases[0].attempts.len(), 2);
}

/// Every `.xml` under fixtures/junit, parsed with the smallest input buffer, gives exactly what
/// the normal buffer gives: text, CDATA, references, line ends and multi-byte characters split
/// across refills are reassembled, and errors stay errors.
#[test]
fn tiny_input_buffer_reads_the_corpus_the_same() {
    let mut dirs =
        vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/junit")];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            files += 1;
            let normal = parse_str_buffered(&text, 256 * 1024);
            let tiny = parse_str_buffered(&text, 1);
            match (normal, tiny) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", path.display()),
                (Err(a), Err(b)) => assert_eq!(a.message, b.message, "{}", path.display()),
                (a, b) => panic!("{}: {a:?} vs {b:?}", path.display()),
            }
        }
    }
    assert!(files > 20, "corpus not found: {files} files");
}

#[test]
fn split_text_cdata_references_and_line_ends() {
    let xml = "<testsuite><testcase name=\"t\"><failure message=\"m\">a\r\nb\rc &amp; &#233;&#x1F600; é😀<![CDATA[x]]y\r\n<z>]]>end</failure>\r\n<system-out><![CDATA[out]]>put</system-out></testcase></testsuite>";
    for buffer in [1, 64, 65, 70, 1024] {
        let cases = parse_str_buffered(xml, buffer).unwrap();
        let f = cases[0].outcome().failure().unwrap();
        assert_eq!(
            f.details.read().as_deref(),
            Some("a\nb\nc & é😀 é😀x]]y\n<z>end"),
            "buffer {buffer}"
        );
        assert_eq!(
            cases[0].attempts[0].system_out.read().as_deref(),
            Some("output")
        );
    }
    assert!(
        err("<testsuite><testcase name=\"t\"><failure>a & b</failure></testcase></testsuite>")
            .message
            .contains("reference")
    );
    assert!(
        err("<testsuite><testcase name=\"t\"><failure><![CDATA[never closed")
            .message
            .contains("CDATA")
    );
}

/// A reader producing one huge text node without holding it: the parser must stream it.
struct HugeNode {
    head: &'static [u8],
    body: u64,
    tail: &'static [u8],
    at: u64,
}

impl Read for HugeNode {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let (head, body) = (self.head.len() as u64, self.body);
        let mut n = 0;
        while n < out.len() {
            let i = self.at;
            let byte = if i < head {
                self.head[i as usize]
            } else if i < head + body {
                b'x'
            } else if let Some(&b) = self.tail.get((i - head - body) as usize) {
                b
            } else {
                break;
            };
            out[n] = byte;
            n += 1;
            self.at += 1;
        }
        Ok(n)
    }
}

#[test]
fn a_huge_text_node_is_streamed_and_cut_and_a_huge_tag_is_refused() {
    let huge = HugeNode {
        head: b"<testsuite><testcase name=\"t\"><failure><![CDATA[",
        body: 40 * 1024 * 1024,
        tail: b"]]></failure><system-out>x</system-out></testcase></testsuite>",
        at: 0,
    };
    let cases = parse_reader(BufReader::new(huge), Path::new("huge.xml")).unwrap();
    let details = cases[0]
        .outcome()
        .failure()
        .unwrap()
        .details
        .read()
        .unwrap();
    assert!(details.ends_with(crate::model::TRUNCATION_MARKER));
    assert!(details.len() <= crate::model::MAX_TEXT_BYTES + crate::model::TRUNCATION_MARKER.len());
    let tag = HugeNode {
        head: b"<testsuite><testcase name=\"",
        body: 20 * 1024 * 1024,
        tail: b"\"/></testsuite>",
        at: 0,
    };
    let e = parse_reader(BufReader::new(tag), Path::new("tag.xml")).unwrap_err();
    assert!(e.message.contains("larger than 16 MiB"), "{e}");
}

#[test]
fn passed_output_is_scanned_for_attachments_and_dropped() {
    let cases = parse_str(
        r#"<testsuite name="s">
        <testcase name="ok"><system-out>noise
[[ATTACHMENT|ok.png]]</system-out><system-err>more noise</system-err></testcase>
        <testcase name="bad"><failure/><system-out>why it failed</system-out></testcase>
        <testcase name="flaky"><flakyFailure><system-out>first try</system-out></flakyFailure>
          <system-out>second try</system-out></testcase>
        </testsuite>"#,
    )
    .unwrap();
    let ok = &cases[0];
    assert_eq!(ok.attempts[0].system_out, None);
    assert_eq!(ok.attempts[0].system_err, None);
    assert_eq!(ok.attachments().len(), 1, "{:?}", ok.attachments());
    assert_eq!(
        cases[1].attempts[0].system_out.read().as_deref(),
        Some("why it failed")
    );
    let flaky = &cases[2];
    assert!(flaky.flaky);
    assert_eq!(
        flaky.attempts[0].system_out.read().as_deref(),
        Some("first try")
    );
    assert_eq!(flaky.attempts[1].system_out, None);
    assert!(std::sync::Arc::ptr_eq(
        &cases[0].suite_path,
        &cases[1].suite_path
    ));
    assert!(std::sync::Arc::ptr_eq(
        &cases[0].attempts[0].source.path,
        &cases[2].attempts[0].source.path
    ));
}

#[test]
fn consecutive_tests_of_one_class_share_its_name() {
    let cases = parse_str(
        r#"<testsuite name="s"><testcase classname="C" name="a"/><testcase classname="C" name="b"/><testcase classname="D" name="c"/></testsuite>"#,
    )
    .unwrap();
    let class = |i: usize| cases[i].classname.clone().unwrap();
    assert!(std::sync::Arc::ptr_eq(&class(0), &class(1)));
    assert_eq!(&*class(2), "D");
    assert!(
        cases
            .iter()
            .all(|c| c.extras() == &crate::model::Extras::default())
    );
}

/// A file cut inside its fourth test case keeps the three complete ones, with the error (and its
/// line); repeats among them are still merged.
#[test]
fn salvage_keeps_the_cases_read_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.xml");
    std::fs::write(
        &path,
        "<testsuite name=\"s\">\n<testcase classname=\"C\" name=\"a\"/>\n<testcase classname=\"C\" name=\"b\"><failure message=\"m\"/></testcase>\n<testcase classname=\"C\" name=\"a\"><failure message=\"again\"/></testcase>\n<testcase classname=\"C\" name=\"c\"><system-out>half a li",
    )
    .unwrap();
    let (cases, error) = salvage_path(&path);
    assert_eq!(
        kinds(&cases),
        vec![
            ("a".into(), OutcomeKind::Failed),
            ("b".into(), OutcomeKind::Failed)
        ]
    );
    assert_eq!(cases[0].attempts.len(), 2);
    let error = error.expect("the cut is an error");
    assert_eq!(error.line, Some(5));
    assert!(error.message.contains("not closed"), "{}", error.message);
    // `parse_path` drops everything, as before.
    assert!(parse_path(&path).is_err());
    // A whole file: nothing to salvage, no error.
    std::fs::write(&path, "<testsuite><testcase name=\"x\"/></testsuite>").unwrap();
    let (cases, error) = salvage_path(&path);
    assert_eq!((cases.len(), error), (1, None));
}

/// Cut anywhere, a file gives back exactly the test cases whose end tag came before the cut
/// (and never panics), through a tiny buffer so cuts fall inside every kind of event.
#[test]
fn salvage_at_every_cut_keeps_exactly_the_closed_cases() {
    let doc = "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"s\">\
        <testcase classname=\"C\" name=\"a\"><system-out>out &amp; more</system-out></testcase>\
        <testcase classname=\"C\" name=\"b\"><failure message=\"m\"><![CDATA[trace]]></failure></testcase>\
        <testcase classname=\"C\" name=\"c\"/>\
        </testsuite></testsuites>";
    let ends: Vec<(usize, &str)> = [("</testcase>", "a"), ("</testcase>", "b"), ("/>", "c")]
        .iter()
        .scan(0, |from, (tag, name)| {
            let at = *from + doc[*from..].find(&format!("name=\"{name}\"")).unwrap();
            let end = at + doc[at..].find(tag).unwrap() + tag.len();
            *from = end;
            Some((end, *name))
        })
        .collect();
    for cut in 0..doc.len() {
        let input = text::Input::new(&doc.as_bytes()[..cut], 7);
        let (parsed, failed) = parser::Parser::new(Path::new("cut.xml")).run_salvaging(input);
        let names: Vec<&str> = parsed.cases.iter().map(|c| c.name.as_str()).collect();
        let want: Vec<&str> = ends
            .iter()
            .filter(|(end, _)| *end <= cut)
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(names, want, "cut at {cut}");
        assert!(failed.is_some(), "cut at {cut} is an error");
    }
}

/// `Parsed::distinct` lets `ingest::collect` skip the cross-file merge for a single file: it
/// must be false exactly when that merge would fold two of the file's tests, and when true the
/// merge must change nothing.
#[test]
fn distinct_tells_whether_the_cross_file_merge_would_fold_anything() {
    let parsed = |xml: &str| {
        let input = text::Input::new(xml.as_bytes(), 64);
        let (parsed, failed) = parser::Parser::new(Path::new("d.xml")).run_salvaging(input);
        assert!(failed.is_none(), "{xml}");
        parsed
    };
    let json = |cases: &[TestCase]| serde_json::to_string(cases).unwrap();
    let docs = [
        // Repeats within a suite, other classes, other names: folded by the reader.
        (
            r#"<testsuites><testsuite name="A"><testcase classname="C" name="t"><failure/></testcase>
            <testcase classname="C" name="t"/><testcase classname="D" name="t"/></testsuite>
            <testsuite name="B"><testcase classname="E" name="t"/><testcase name="t"/></testsuite></testsuites>"#,
            true,
            4,
        ),
        // The same test in two suites: two tests here, one after the cross-file merge.
        (
            r#"<testsuites><testsuite name="A"><testcase classname="C" name="t"/></testsuite>
            <testsuite name="B"><testcase classname="C" name="t"/></testsuite></testsuites>"#,
            false,
            2,
        ),
        // Nameless tests of one class are never folded here, but are by the merge.
        (
            r#"<testsuite name="A"><testcase classname="C"/><testcase classname="C"/></testsuite>"#,
            false,
            2,
        ),
        // An empty classname is no classname for the merge.
        (
            r#"<testsuite name="A"><testcase classname="" name="t"/><testcase name="t"/></testsuite>"#,
            false,
            2,
        ),
        // One nameless test and no repeats: nothing to fold.
        (
            r#"<testsuite name="A"><testcase classname="C"/><testcase classname="C" name="n"/></testsuite>"#,
            true,
            2,
        ),
    ];
    for (xml, distinct, tests) in docs {
        let parsed = parsed(xml);
        assert_eq!(parsed.distinct, distinct, "{xml}");
        assert_eq!(parsed.cases.len(), tests, "{xml}");
        let before = json(&parsed.cases);
        let merged = crate::ingest::merge::merge(parsed.cases);
        assert_eq!(json(&merged) == before, distinct, "{xml}");
    }
    // After the switch to the file's own identity, repeats within a suite still fold (before
    // and after the switch), and tests of other suites stay apart.
    let parsed = parsed(
        r#"<testsuites><testsuite name="A"><testcase classname="C" name="t"><failure/></testcase>
        <testcase classname="C" name="t"/><testcase classname="C" name="u"/></testsuite>
        <testsuite name="B"><testcase classname="C" name="t"/><testcase classname="C" name="t"/>
        <testcase classname="C" name="u"><failure/></testcase></testsuite></testsuites>"#,
    );
    assert!(!parsed.distinct);
    let shape: Vec<(&str, &str, usize)> = parsed
        .cases
        .iter()
        .map(|c| (c.suite_path[0].as_str(), c.name.as_str(), c.attempts.len()))
        .collect();
    assert_eq!(
        shape,
        [("A", "t", 2), ("A", "u", 1), ("B", "t", 2), ("B", "u", 1)]
    );
}

/// The test vector is sized once from the first tests and the expected input size: room for
/// about the file's tests (an eighth spare), not the next power of two; a wrong guess, too
/// small or too large, changes no result.
#[test]
fn the_test_vector_is_sized_from_the_first_tests_and_a_wrong_guess_changes_nothing() {
    let tests = 10_000;
    let mut doc = String::from("<testsuites><testsuite name=\"s\">");
    for i in 0..tests {
        doc.push_str(&format!("<testcase classname=\"C\" name=\"t{i}\"/>"));
    }
    doc.push_str("</testsuite></testsuites>");
    let parse = |expected: usize| {
        let input = text::Input::new(doc.as_bytes(), 4096);
        let parser = parser::Parser::expecting(Path::new("big.xml"), expected as u64);
        let (parsed, failed) = parser.run_salvaging(input);
        assert!(failed.is_none());
        parsed.cases
    };
    let sized = parse(doc.len());
    assert_eq!(sized.len(), tests);
    // Doubling would have left 16,384.
    let room = sized.capacity();
    assert!((tests..=tests * 9 / 8 + 100).contains(&room), "{room}");
    let json = |cases: &[TestCase]| serde_json::to_string(cases).unwrap();
    for wrong in [0, 1, doc.len() / 3, doc.len() * 10] {
        assert_eq!(json(&parse(wrong)), json(&sized), "expected {wrong} bytes");
    }
}

/// Catch2 marks a `[!mayfail]`/`[!shouldfail]` test that failed with a `<skipped>` before the
/// failure, and counts it "failed as expected": skipped, the failure's message kept. Any other
/// skip next to a failure leaves the failure standing.
#[test]
fn catch2_failed_as_expected_is_skipped() {
    let cases = parse_str(
        r#"<testsuites><testsuite name="t">
<testcase classname="t.global" name="may fail"><skipped message="TEST_CASE tagged with !mayfail"/><failure message="1 == 2" type="REQUIRE">FAILED:
  REQUIRE( 1 == 2 )</failure></testcase>
<testcase classname="t.global" name="throws"><skipped message="TEST_CASE tagged with !mayfail"/><error type="TEST_CASE">FAILED:
failure to init</error></testcase>
<testcase classname="t.global" name="other skip"><skipped message="flaky on CI"/><failure message="boom"/></testcase>
</testsuite></testsuites>"#,
    )
    .unwrap();
    assert_eq!(
        kinds(&cases),
        vec![
            ("may fail".into(), OutcomeKind::Skipped),
            ("throws".into(), OutcomeKind::Skipped),
            ("other skip".into(), OutcomeKind::Failed),
        ]
    );
    let Outcome::Skipped { message } = cases[0].outcome() else {
        unreachable!()
    };
    assert_eq!(
        message.read().as_deref(),
        Some("TEST_CASE tagged with !mayfail; failed as expected: 1 == 2")
    );
    let Outcome::Skipped { message } = cases[1].outcome() else {
        unreachable!()
    };
    assert_eq!(
        message.read().as_deref(),
        Some("TEST_CASE tagged with !mayfail; failed as expected")
    );
}

/// Each case's failure message, if it failed.
fn failure_messages(cases: &[TestCase]) -> Vec<Option<String>> {
    cases
        .iter()
        .map(|c| c.outcome().failure().and_then(|f| f.message.read()))
        .collect()
}

/// Boost.Test writes `message="failure"` on every failed assertion and `message="unexpected
/// exception"` on every exception; the message is in the body. A `failure` message with any
/// other body stays as written.
#[test]
fn boost_test_messages_come_from_the_body() {
    let cases = parse_str(
        r#"<testsuite name="calc">
<testcase classname="calculator" name="divides"><failure message="failure" type="assertion error"><![CDATA[
ASSERTION FAILURE:
- file   : calc_test.cpp
- line   : 22
- message: integer division rounds down

]]></failure></testcase>
<testcase classname="calculator" name="throws"><error message="unexpected exception" type="uncaught exception"><![CDATA[
UNCAUGHT EXCEPTION:
- file: unknown location
- line: 0


EXCEPTION STACK TRACE: --------------
std::domain_error: division by zero
-------------------------------------

Last checkpoint:
- message: ""
]]></error></testcase>
<testcase classname="other" name="plain"><failure message="failure">expected 1 but was 2</failure></testcase>
</testsuite>"#,
    )
    .unwrap();
    assert_eq!(
        failure_messages(&cases),
        [
            Some("integer division rounds down".to_string()),
            Some("std::domain_error: division by zero".to_string()),
            Some("failure".to_string()),
        ]
    );
    assert_eq!(
        cases[1]
            .outcome()
            .failure()
            .and_then(|f| f.kind.read())
            .as_deref(),
        Some("uncaught exception")
    );
}

/// gotestsum and go-junit-report write `message="Failed"` on every failed Go test: the message
/// is its panic, else the last line the test logged (`calc_test.go:18: text`); a parent test
/// that logged nothing keeps `Failed`.
#[test]
fn go_test_messages_come_from_the_output() {
    let cases = parse_str(
        "<testsuite name=\"example.com/calc\">\
<testcase classname=\"example.com/calc\" name=\"TestDivides\"><failure message=\"Failed\" type=\"\">=== RUN   TestDivides&#xA;    calc_test.go:17: dividing 7 by 2&#xA;    calc_test.go:18: rounds down: got 3, want 4&#xA;--- FAIL: TestDivides (0.00s)&#xA;</failure></testcase>\
<testcase classname=\"example.com/calc\" name=\"TestPanics\"><failure message=\"Failed\" type=\"\">=== RUN   TestPanics&#xA;    calc_test.go:47: dividing by zero&#xA;--- FAIL: TestPanics (0.00s)&#xA;panic: runtime error: integer divide by zero [recovered]&#xA;&#x9;panic: runtime error: integer divide by zero&#xA;</failure></testcase>\
<testcase classname=\"example.com/calc\" name=\"TestRows\"><failure message=\"Failed\" type=\"\">=== RUN   TestRows&#xA;--- FAIL: TestRows (0.00s)&#xA;</failure></testcase>\
<testcase classname=\"pkg\" name=\"TestMain\"><error message=\"Runtime error\"><![CDATA[TestMain failed, returning early]]></error></testcase>\
</testsuite>",
    )
    .unwrap();
    assert_eq!(
        failure_messages(&cases),
        [
            Some("rounds down: got 3, want 4".to_string()),
            Some("panic: runtime error: integer divide by zero".to_string()),
            Some("Failed".to_string()),
            Some("Runtime error".to_string()),
        ]
    );
}

/// pytest writes a test that failed and then failed in teardown as two `<testcase>`s: one
/// execution, whose own failure stays the outcome, the teardown error added to its details. A
/// teardown error alone (the call passed) is the test's error; other repeats stay tries.
#[test]
fn pytest_teardown_error_after_a_failure_is_not_a_retry() {
    let cases = parse_str(
        r#"<testsuites name="pytest tests"><testsuite name="pytest">
<testcase classname="test_db" name="test_counts_rows" time="0.001"><failure message="AssertionError: expected 3 rows&#10;assert 2 == 3">db = {'rows': 2}
E       AssertionError: expected 3 rows</failure></testcase>
<testcase classname="test_db" name="test_counts_rows" time="0.000"><error message="failed on teardown with &quot;RuntimeError: could not drop the test database&quot;">def db():
E       RuntimeError: could not drop the test database</error></testcase>
<testcase classname="test_db" name="test_reads_rows" time="0.001"><error message="failed on teardown with &quot;RuntimeError: could not drop the test database&quot;">E RuntimeError</error></testcase>
<testcase classname="test_db" name="test_retried" time="0.001"><failure message="boom"/></testcase>
<testcase classname="test_db" name="test_retried" time="0.001"><error message="setup failed"/></testcase>
</testsuite></testsuites>"#,
    )
    .unwrap();
    assert_eq!(
        kinds(&cases),
        vec![
            ("test_counts_rows".into(), OutcomeKind::Failed),
            ("test_reads_rows".into(), OutcomeKind::Error),
            ("test_retried".into(), OutcomeKind::Error),
        ]
    );
    assert_eq!(cases[0].attempts.len(), 1);
    let failure = cases[0].outcome().failure().unwrap();
    assert_eq!(
        failure.message.read().as_deref(),
        Some("AssertionError: expected 3 rows\nassert 2 == 3")
    );
    let details = failure.details.read().unwrap();
    assert!(details.starts_with("db = {'rows': 2}"), "{details}");
    assert!(
        details.contains(
            "\n\nfailed on teardown with \"RuntimeError: could not drop the test database\"\ndef db():"
        ),
        "{details}"
    );
    assert_eq!(cases[2].attempts.len(), 2);
}
