//! Property tests: the .NET readers (NUnit, xUnit.net, TRX) and their sniffing never panic,
//! whatever the bytes: arbitrary input, XML-ish token soup around each vocabulary, and
//! byte-level mutations of real corpus files. A generated NUnit 3 document reads back.
//!
//! CI runs a bounded number of cases. To search longer, raise the count, e.g.
//! `PROPTEST_CASES=100000 cargo test --release --test dotnet_props`.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::{dotnet, nunit, trx, xunit};
use xray_sync::model::OutcomeKind;

const PATH: &str = "<generated>";

/// Runs every reader and the sniffer; none may panic (errors are fine).
fn read_all(bytes: &[u8]) {
    let path = Path::new(PATH);
    let _ = dotnet::sniff(bytes);
    let _ = nunit::parse_reader(bytes, path);
    let _ = xunit::parse_reader(bytes, path);
    let _ = trx::parse_reader(bytes, path);
}

/// Tokens from the three vocabularies plus XML hazards, so inputs get past the root element.
fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("\u{FEFF}".to_string()),
        Just("<test-run>".to_string()),
        Just("<test-results>".to_string()),
        Just("<test-suite type=\"Assembly\" name=\"a\">".to_string()),
        Just("</test-suite>".to_string()),
        Just("<test-case name=\"t\" result=\"Failed\" duration=\"-1e308\" start-time=\"9999-99-99\">".to_string()),
        Just("</test-case>".to_string()),
        Just("<failure><message>".to_string()),
        Just("</message></failure>".to_string()),
        Just("<reason><message>r</message></reason>".to_string()),
        Just("<assemblies><assembly name=\"a\"><collection name=\"c\">".to_string()),
        Just("<test name=\"T.m(x: 1)\" type=\"T\" method=\"m\" result=\"Fail\" time=\"0,5\">".to_string()),
        Just("</test>".to_string()),
        Just("<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"><Results>".to_string()),
        Just("<UnitTestResult testId=\"x\" testName=\"n\" outcome=\"Failed\" duration=\"99:99:99\">".to_string()),
        Just("<InnerResults>".to_string()),
        Just("</UnitTestResult>".to_string()),
        Just("<Output><ErrorInfo><Message>m</Message></ErrorInfo></Output>".to_string()),
        Just("<TestDefinitions><UnitTest id=\"x\"><TestMethod className=\",\"/></UnitTest>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("&amp;".to_string()),
        Just("&#0;".to_string()),
        Just("&xxe;".to_string()),
        Just("<!DOCTYPE t [<!ENTITY xxe SYSTEM \"/etc/passwd\">]>".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

/// Real files the mutations start from.
const CORPUS: &[&str] = &[
    "fixtures/junit/publish-unit-test-result-action/nunit/nunit3/jenkins/NUnit-correct.xml",
    "fixtures/junit/publish-unit-test-result-action/nunit/mstest/clicketyclackety.xml",
    "fixtures/junit/publish-unit-test-result-action/xunit/mstest/fixie.xml",
    "fixtures/junit/publish-unit-test-result-action/trx/xunit/dotnet-trx.trx",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read_all(&bytes);
    }

    #[test]
    fn xml_like_input_never_panics(bytes in xmlish()) {
        read_all(&bytes);
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        which in 0..CORPUS.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = crate::props_support::fixture(CORPUS[which]);
        crate::props_support::mutate(&mut bytes, edits);
        read_all(&bytes);
    }

    #[test]
    fn generated_nunit3_reads_back(
        rows in prop::collection::vec(("\\PC{1,12}", 0u8..4), 0..16),
    ) {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        let mut xml = String::from("<test-run><test-suite type=\"TestFixture\" name=\"F\">");
        for (i, (name, kind)) in rows.iter().enumerate() {
            let result = ["Passed", "Failed", "Skipped", "Inconclusive"][usize::from(*kind)];
            xml.push_str(&format!(
                "<test-case name=\"{}#{i}\" classname=\"C\" result=\"{result}\"/>",
                esc(name)
            ));
        }
        xml.push_str("</test-suite></test-run>");
        let cases = nunit::parse_reader(xml.as_bytes(), Path::new(PATH)).unwrap();
        prop_assert_eq!(cases.len(), rows.len());
        for (case, (name, kind)) in cases.iter().zip(&rows) {
            prop_assert!(case.name.starts_with(name.as_str()));
            let want = match kind {
                0 => OutcomeKind::Passed,
                1 => OutcomeKind::Failed,
                _ => OutcomeKind::Skipped,
            };
            prop_assert_eq!(case.outcome().kind(), want);
        }
    }
}
