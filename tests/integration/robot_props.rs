//! Property tests: the Robot Framework reader never panics, whatever the bytes: arbitrary
//! input, XML-ish token soup of output.xml's vocabulary (both schemas), and byte-level
//! mutations of real files. A generated output.xml reads back with its statuses.
//!
//! CI runs a bounded number of cases; `PROPTEST_CASES=100000` searches longer.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::{dotnet, robot};
use xray_sync::model::OutcomeKind;

const PATH: &str = "<generated>";

fn read_all(bytes: &[u8]) {
    let _ = dotnet::root_element(bytes);
    let _ = robot::parse_reader(bytes, Path::new(PATH));
}

fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("<robot schemaversion=\"5\">".to_string()),
        Just("<suite id=\"s1\" name=\"S\">".to_string()),
        Just("</suite>".to_string()),
        Just("<test id=\"t\" name=\"T\">".to_string()),
        Just("</test>".to_string()),
        Just("<kw name=\"Fail\" type=\"TEARDOWN\">".to_string()),
        Just("<kw type=\"setup\">".to_string()),
        Just("</kw>".to_string()),
        Just("<teardown name=\"x\">".to_string()),
        Just("</teardown>".to_string()),
        Just("<status status=\"FAIL\" start=\"2024-13-45T99:00:00\" elapsed=\"-1\">".to_string()),
        Just(
            "<status status=\"SKIP\" starttime=\"20240102 03:04:05.000\" endtime=\"N/A\">"
                .to_string()
        ),
        Just("<status status=\"PASS\"/>".to_string()),
        Just("</status>".to_string()),
        Just("<tags><tag>CALC-1</tag></tags>".to_string()),
        Just("<tag>x</tag>".to_string()),
        Just("<doc>d</doc>".to_string()),
        Just("<msg level=\"INFO\">m</msg>".to_string()),
        Just("</robot>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("&xxe;".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

/// Real files the mutations start from.
const CORPUS: &[&str] = &[
    "fixtures/generated-robot/output.xml",
    "fixtures/generated-robot/output-legacy.xml",
    "fixtures/robotframework/result/suite_teardown_failed.xml",
    "fixtures/robotframework/output/legacy.xml",
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
    fn generated_output_reads_back(rows in prop::collection::vec(("[a-zA-Z][a-zA-Z0-9 ]{0,10}", 0u8..3), 0..16)) {
        let mut xml = String::from("<robot><suite id=\"s1\" name=\"Root\"><suite id=\"s1-s1\" name=\"Sub\">");
        for (i, (name, kind)) in rows.iter().enumerate() {
            let status = ["PASS", "FAIL", "SKIP"][usize::from(*kind)];
            xml.push_str(&format!(
                "<test id=\"t{i}\" name=\"{name}\"><tag>CALC-{i}</tag><status status=\"{status}\" start=\"2024-01-01T00:00:00\" elapsed=\"0.5\">m</status></test>"
            ));
        }
        xml.push_str("<status status=\"PASS\"/></suite><status status=\"PASS\"/></suite></robot>");
        let cases = robot::parse_reader(xml.as_bytes(), Path::new(PATH)).unwrap();
        prop_assert_eq!(cases.len(), rows.len());
        for (case, (name, kind)) in cases.iter().zip(&rows) {
            prop_assert_eq!(&case.name, name);
            prop_assert_eq!(case.classname.as_deref(), Some("Root.Sub"));
            let want = [OutcomeKind::Passed, OutcomeKind::Failed, OutcomeKind::Skipped][usize::from(*kind)];
            prop_assert_eq!(case.outcome().kind(), want);
        }
    }
}
