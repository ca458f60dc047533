//! Property tests: the TestNG reader and root sniffing never panic, whatever the bytes:
//! arbitrary input, XML-ish token soup of TestNG's vocabulary, and byte-level mutations of real
//! files (generated and copied). A generated report reads back with its statuses.
//!
//! CI runs a bounded number of cases; `PROPTEST_CASES=100000` searches longer.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::{dotnet, testng};
use xray_sync::model::OutcomeKind;

const PATH: &str = "<generated>";

fn read_all(bytes: &[u8]) {
    let _ = dotnet::root_element(bytes);
    let _ = testng::parse_reader(bytes, Path::new(PATH));
}

fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("<testng-results total=\"x\">".to_string()),
        Just("<suite name=\"s\"><groups><group name=\"g\"><method name=\"m\" class=\"C\"/></group></groups>".to_string()),
        Just("<test name=\"t\"><class name=\"C\">".to_string()),
        Just("<test-method status=\"FAIL\" name=\"m\" is-config=\"true\" duration-ms=\"-1e309\" started-at=\"9999-99-99\">".to_string()),
        Just("<test-method status=\"SKIP\" retried=\"true\" name=\"m\">".to_string()),
        Just("<test-method status=\"PASS\" name=\"m\" description=\"&lt;a&gt;\">".to_string()),
        Just("</test-method>".to_string()),
        Just("<exception class=\"E\"><message>".to_string()),
        Just("</message><full-stacktrace>".to_string()),
        Just("</full-stacktrace></exception>".to_string()),
        Just("<params><param index=\"0\"><value is-null=\"true\"/></param><param index=\"1\"><value>".to_string()),
        Just("</value></param></params>".to_string()),
        Just("<reporter-output><line>".to_string()),
        Just("</line></reporter-output>".to_string()),
        Just("<attributes><attribute name=\"test\">CALC-1</attribute></attributes>".to_string()),
        Just("</class></test></suite></testng-results>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("&#0;".to_string()),
        Just("&xxe;".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

/// Real files the mutations start from.
const CORPUS: &[&str] = &[
    "fixtures/generated-testng/testng-results.xml",
    "fixtures/testng-plugin/testng-dp-result.xml",
    "fixtures/test-results-parser/testng/multiple-suites-retries.xml",
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
    fn mutated_real_files_never_panic(
        which in 0..CORPUS.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = crate::props_support::fixture(CORPUS[which]);
        crate::props_support::mutate(&mut bytes, edits);
        read_all(&bytes);
    }

    #[test]
    fn generated_report_reads_back(rows in prop::collection::vec(("[a-zA-Z_][a-zA-Z0-9_]{0,10}", 0u8..3), 0..16)) {
        let mut xml = String::from("<testng-results><suite name=\"S\"><test name=\"T\"><class name=\"a.C\">");
        for (i, (name, kind)) in rows.iter().enumerate() {
            let status = ["PASS", "FAIL", "SKIP"][usize::from(*kind)];
            xml.push_str(&format!(
                "<test-method status=\"{status}\" name=\"{name}\"><params><param index=\"0\"><value>{i}</value></param></params></test-method>"
            ));
        }
        xml.push_str("</class></test></suite></testng-results>");
        let cases = testng::parse_reader(xml.as_bytes(), Path::new(PATH)).unwrap();
        prop_assert_eq!(cases.len(), rows.len());
        for (case, (name, kind)) in cases.iter().zip(&rows) {
            prop_assert_eq!(&case.name, name);
            let want = [OutcomeKind::Passed, OutcomeKind::Failed, OutcomeKind::Skipped][usize::from(*kind)];
            prop_assert_eq!(case.outcome().kind(), want);
        }
    }
}
