//! Tests of the two-thread parse: with the split forced on small files, every JUnit fixture,
//! every document that must fall back and generated multi-suite documents give exactly what
//! the sequential parse gives.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::TestRunner;

use super::*;
use crate::ingest::junit::{looks_like_junit, salvage_splitting};
use crate::model::InputError;

/// What `parse --json` and the file report are made of: the tests as JSON, whether the
/// cross-file merge may be skipped, and the error (with its line).
type Outcome = (String, bool, Option<InputError>);

fn outcome(path: &Path, split_from: Option<u64>) -> Outcome {
    let (parsed, error) = salvage_splitting(path, split_from);
    (
        serde_json::to_string_pretty(&parsed.cases).unwrap(),
        parsed.distinct,
        error,
    )
}

/// Asserts that the parse with the split forced equals the sequential parse, and that halves
/// that were joined equal it too; tells whether the halves were joined (else it fell back).
fn same_as_sequential(path: &Path) -> bool {
    let sequential = outcome(path, None);
    let halves = parse_in_two(path, 0);
    let joined = halves.is_some();
    if let Some(parsed) = halves {
        assert_eq!(
            sequential.2,
            None,
            "{}: joined an erroneous file",
            path.display()
        );
        let json = serde_json::to_string_pretty(&parsed.cases).unwrap();
        assert_eq!(json, sequential.0, "{}", path.display());
        assert_eq!(parsed.distinct, sequential.1, "{}", path.display());
    }
    assert_eq!(outcome(path, Some(0)), sequential, "{}", path.display());
    joined
}

fn file_with(content: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(content.as_bytes()).unwrap();
    file.flush().unwrap();
    file
}

/// `<testsuites>` with `suites` suites of `tests` passing tests each, every name unique;
/// `extra(suite)` adds markup at the end of a suite.
fn document(suites: usize, tests: usize, extra: impl Fn(usize) -> String) -> String {
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"r\">\n");
    for s in 0..suites {
        xml.push_str(&format!("  <testsuite name=\"S{s}\" tests=\"{tests}\">\n"));
        for t in 0..tests {
            xml.push_str(&format!(
                "    <testcase classname=\"C{s}\" name=\"t{t}\" time=\"0.{t}\"/>\n"
            ));
        }
        xml.push_str(&extra(s));
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

#[test]
fn join_keeps_the_order() {
    for (a, b) in [(0, 0), (3, 0), (0, 5), (7, 20_000), (20_000, 8 * 1024)] {
        let mut first: Vec<usize> = (0..a).collect();
        join(&mut first, (a..a + b).collect());
        assert_eq!(first, (0..a + b).collect::<Vec<_>>());
    }
}

#[test]
fn sorted_lists_share_a_value_or_not() {
    assert!(!share_any(&[], &[]));
    assert!(!share_any(&[1, 3, 5], &[]));
    assert!(!share_any(&[1, 3, 5], &[0, 2, 4, 6]));
    assert!(share_any(&[1, 3, 5], &[0, 2, 5]));
    assert!(share_any(&[7], &[1, 2, 3, 7]));
    assert!(share_any(&[u64::MAX], &[0, u64::MAX]));
}

#[test]
fn the_cut_is_a_suite_start_after_a_tag() {
    assert_eq!(find_cut(b"x <testsuite a> <testsuite b>"), Some(16));
    assert_eq!(find_cut(b"</testsuite>\n  <testsuite>"), Some(15));
    assert_eq!(find_cut(b"> <testsuites> <testsuitex"), None);
    assert_eq!(find_cut(b"><testsuite"), None);
}

#[test]
fn the_root_must_be_testsuites() {
    let head = b"<?xml version=\"1.0\"?>\n<!-- c -->\n<j:testsuites x=\"1\">\n<testsuite>";
    let (end, close) = root_start(head).unwrap();
    assert_eq!(
        &head[..end],
        b"<?xml version=\"1.0\"?>\n<!-- c -->\n<j:testsuites x=\"1\">"
    );
    assert_eq!(close, b"</j:testsuites>");
    assert_eq!(root_start(b"<testsuite name=\"a\">"), None);
    assert_eq!(root_start(b"<testsuites/>"), None);
}

#[test]
fn a_clean_multi_suite_file_is_joined_and_equal() {
    let file = file_with(&document(10, 20, |_| String::new()));
    assert!(same_as_sequential(file.path()));
    assert_eq!(outcome(file.path(), Some(0)).2, None);
    let (parsed, _) = salvage_splitting(file.path(), Some(0));
    assert_eq!(parsed.cases.len(), 200);
    assert!(parsed.distinct);
}

#[test]
fn the_split_waits_for_its_threshold() {
    let file = file_with(&document(10, 20, |_| String::new()));
    assert!(parse_in_two(file.path(), MIN_SPLIT_BYTES).is_none());
}

#[test]
fn the_same_test_in_both_halves_falls_back_and_is_folded() {
    // Suites 0 and 9 are both named "S", so their test "t0" of class "C" is one test, tried
    // twice: the sequential parse folds the two into attempts of one test.
    let xml = document(10, 20, |_| String::new())
        .replace("name=\"S0\"", "name=\"S\"")
        .replace("name=\"S9\"", "name=\"S\"")
        .replace("classname=\"C0\"", "classname=\"C\"")
        .replace("classname=\"C9\"", "classname=\"C\"");
    let file = file_with(&xml);
    assert!(!same_as_sequential(file.path()));
    let (parsed, error) = salvage_splitting(file.path(), Some(0));
    assert!(error.is_none());
    assert_eq!(parsed.cases.len(), 180);
    assert_eq!(parsed.cases[0].attempts.len(), 2);
}

#[test]
fn the_same_identity_in_two_suites_falls_back() {
    // Not one test (the suites differ), but the cross-file merge would fold them: the halves
    // are not joined, and the sequential parse tells the merge to run.
    let xml = document(10, 20, |_| String::new()).replace("classname=\"C9\"", "classname=\"C0\"");
    let file = file_with(&xml);
    assert!(!same_as_sequential(file.path()));
    assert!(!salvage_splitting(file.path(), Some(0)).0.distinct);
}

#[test]
fn a_cut_inside_cdata_falls_back() {
    // The middle of the file is in a CDATA section full of what looks like suite starts.
    let fake = "> <testsuite name=\"fake\">\n".repeat(400);
    let xml = document(3, 2, |s| {
        if s == 1 {
            format!(
                "    <testcase name=\"out\"><failure/><system-out><![CDATA[{fake}]]></system-out></testcase>\n"
            )
        } else {
            String::new()
        }
    });
    let middle = xml.len() / 2;
    assert!(xml[middle..].find("<testsuite ") < xml[middle..].find("]]>"));
    let file = file_with(&xml);
    assert!(!same_as_sequential(file.path()));
    let (parsed, error) = salvage_splitting(file.path(), Some(0));
    assert!(error.is_none());
    assert_eq!(parsed.cases.len(), 7);
}

#[test]
fn a_cut_inside_a_comment_or_a_nested_suite_falls_back() {
    let comment = document(3, 2, |s| match s {
        1 => format!("<!-- {} -->\n", "> <testsuite name=\"x\">\n".repeat(400)),
        _ => String::new(),
    });
    let nested = document(3, 2, |s| match s {
        1 => "    <testsuite name=\"inner\">\n      <testcase name=\"n\"/>\n    </testsuite>\n"
            .repeat(100),
        _ => String::new(),
    });
    for xml in [comment, nested] {
        let file = file_with(&xml);
        assert!(!same_as_sequential(file.path()));
        assert!(salvage_splitting(file.path(), Some(0)).1.is_none());
    }
}

#[test]
fn a_truncated_file_falls_back_and_salvages_the_same() {
    let xml = document(10, 20, |_| String::new());
    let file = file_with(&xml[..xml.len() * 4 / 5]);
    assert!(!same_as_sequential(file.path()));
    let (parsed, error) = salvage_splitting(file.path(), Some(0));
    let error = error.expect("a truncated file is an error");
    assert!(error.message.contains("unexpected end of file"), "{error}");
    assert!(error.line.is_some());
    assert!(parsed.cases.len() > 100 && parsed.cases.len() < 200);
}

#[test]
fn a_single_suite_root_is_not_split() {
    let xml = document(10, 20, |_| String::new())
        .replace("<testsuites name=\"r\">", "<testsuite name=\"r\">")
        .replace("</testsuites>", "</testsuite>");
    let file = file_with(&xml);
    assert!(!same_as_sequential(file.path()));
    assert_eq!(salvage_splitting(file.path(), Some(0)).0.cases.len(), 200);
}

#[test]
fn a_root_closed_before_the_cut_falls_back() {
    // The sequential parse stops at the end of the root and never reads what follows it.
    let mut xml = document(2, 20, |_| String::new());
    xml.push_str(
        &document(10, 20, |_| String::new())
            .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", ""),
    );
    let file = file_with(&xml);
    assert!(!same_as_sequential(file.path()));
    assert_eq!(salvage_splitting(file.path(), Some(0)).0.cases.len(), 40);
}

/// Every JUnit file under fixtures/ and the shared fixtures (read in place, when present).
fn junit_fixtures() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        PathBuf::from("/work/shared/fixtures"),
    ];
    let mut found = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(mut file) = std::fs::File::open(&path) else {
                continue;
            };
            let mut head = Vec::new();
            let _ = (&mut file).take(4096).read_to_end(&mut head);
            if looks_like_junit(&head) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_junit_fixture_parses_the_same_split_or_not() {
    let files = junit_fixtures();
    let joined = files.iter().filter(|p| same_as_sequential(p)).count();
    assert!(files.len() > 50, "corpus not found: {} files", files.len());
    // Most fixtures have one suite, or none starting past their middle: they fall back.
    assert!(joined >= 5, "{joined} of {} fixtures joined", files.len());
}

/// One generated test: its suite-unique or shared name, and what happened to it.
#[derive(Debug, Clone)]
struct GenTest {
    shared_name: Option<u8>,
    class: u8,
    result: u8,
    output: bool,
}

fn gen_test() -> impl Strategy<Value = GenTest> {
    (
        prop_oneof![4 => Just(None), 1 => (0u8..3).prop_map(Some)],
        0u8..2,
        0u8..6,
        any::<bool>(),
    )
        .prop_map(|(shared_name, class, result, output)| GenTest {
            shared_name,
            class,
            result,
            output,
        })
}

/// Suites: a name (shared among a few, or none), an optional nested suite, the tests, and the
/// whitespace after the suite.
type GenSuite = (u8, bool, Vec<GenTest>, u8);

fn render(suites: &[GenSuite]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<testsuites>");
    for (s, (name, nested, tests, gap)) in suites.iter().enumerate() {
        let name = match name {
            0 => String::new(),
            1 => " name=\"same\"".to_string(),
            n => format!(" name=\"S{s}_{n}\""),
        };
        xml.push_str(["", "\n", "\n  ", " \t\r\n"][*gap as usize % 4]);
        xml.push_str(&format!("<testsuite{name}>"));
        if *nested {
            xml.push_str("<testsuite name=\"inner\">");
        }
        for (t, test) in tests.iter().enumerate() {
            let name = match test.shared_name {
                Some(n) => format!("t{n}"),
                None => format!("u{s}_{t}"),
            };
            xml.push_str(&format!(
                "\n<testcase classname=\"C{}\" name=\"{name}\" time=\"0.{t}\">",
                test.class
            ));
            match test.result {
                1 => xml.push_str("<failure message=\"m &amp; &lt;testsuite \" type=\"T\">at x()\n  at y()</failure>"),
                2 => xml.push_str("<error message=\"e\"><![CDATA[> <testsuite name=\"not\">]]></error>"),
                3 => xml.push_str("<skipped message=\"s\"/>"),
                4 => xml.push_str("<flakyFailure message=\"f\"><stackTrace>st</stackTrace></flakyFailure>"),
                _ => {}
            }
            if test.output {
                xml.push_str("<system-out><![CDATA[out\n<testsuite name=\"x\">\n]]>[[ATTACHMENT|a.png]]</system-out>");
            }
            xml.push_str("</testcase>");
        }
        if *nested {
            xml.push_str("</testsuite>");
        }
        xml.push_str("\n</testsuite>");
    }
    xml.push_str("\n</testsuites>\n");
    xml
}

#[test]
fn generated_multi_suite_documents_parse_the_same_split_or_not() {
    let suite = (
        0u8..4,
        any::<bool>(),
        prop::collection::vec(gen_test(), 0..8),
        0u8..4,
    );
    let documents = (prop::collection::vec(suite, 1..12), any::<bool>()).prop_map(|(s, bom)| {
        let bom = if bom { "\u{feff}" } else { "" };
        format!("{bom}{}", render(&s))
    });
    let joined = AtomicUsize::new(0);
    let fell_back = AtomicUsize::new(0);
    TestRunner::default()
        .run(&documents, |xml| {
            let file = file_with(&xml);
            let counter = if same_as_sequential(file.path()) {
                &joined
            } else {
                &fell_back
            };
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    // Both ways are exercised: halves joined, and doubts that fell back.
    assert!(joined.load(Ordering::Relaxed) > 0);
    assert!(fell_back.load(Ordering::Relaxed) > 0);
}

#[test]
fn a_byte_order_mark_is_part_of_the_prologue() {
    let xml = format!("\u{feff}{}", document(10, 20, |_| String::new()));
    let (end, _) = root_start(xml.as_bytes()).unwrap();
    assert!(xml.as_bytes()[..end].ends_with(b"<testsuites name=\"r\">"));
    let file = file_with(&xml);
    assert!(same_as_sequential(file.path()));
}
