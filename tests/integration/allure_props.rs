//! Property tests: the Allure readers never panic, whatever the bytes, and a well-formed Allure 2
//! result keeps its status through a parse.
//!
//! CI runs a bounded number of cases. To search longer, raise the count, e.g.
//! `PROPTEST_CASES=100000 cargo test --release --test allure_props`.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::{allure1, allure2};
use xray_sync::model::OutcomeKind;

const PATH: &str = "/nonexistent-results-dir/x-result.json";

/// JSON-ish fragments, so generated inputs get past the first byte often.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"status\"".to_string()),
        Just("\"uuid\"".to_string()),
        Just("\"name\"".to_string()),
        Just("\"steps\"".to_string()),
        Just("\"attachments\"".to_string()),
        Just("\"source\"".to_string()),
        Just("\"children\"".to_string()),
        Just("\"start\"".to_string()),
        Just("null".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e308".to_string()),
        Just("\"../x\"".to_string()),
        "\\PC{0,8}".prop_map(|s| format!("{s:?}")),
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

/// XML-ish fragments around the Allure 1 vocabulary.
fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("<test-suite>".to_string()),
        Just("</test-suite>".to_string()),
        Just("<test-cases>".to_string()),
        Just(
            "<test-case status=\"failed\" start=\"-1\" stop=\"99999999999999999999\">".to_string()
        ),
        Just("</test-case>".to_string()),
        Just("<name>".to_string()),
        Just("</name>".to_string()),
        Just("<failure><message>".to_string()),
        Just("</message></failure>".to_string()),
        Just("<attachments><attachment source=\"../../etc/passwd\"/>".to_string()),
        Just("<labels><label name=\"historyId\" value=\"h\"/></labels>".to_string()),
        Just("<![CDATA[".to_string()),
        Just("]]>".to_string()),
        Just("&amp;".to_string()),
        Just("&#0;".to_string()),
        Just("&bogus;".to_string()),
        Just("<!DOCTYPE x [<!ENTITY e \"e\">]>".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

proptest! {
    #[test]
    fn allure2_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = allure2::parse_slice(&bytes, Path::new(PATH));
    }

    #[test]
    fn allure2_never_panics_on_json_like_input(bytes in jsonish()) {
        let _ = allure2::parse_slice(&bytes, Path::new(PATH));
    }

    #[test]
    fn allure1_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = allure1::parse_reader(&bytes[..], Path::new(PATH));
        let _ = allure1::looks_like_allure1(&bytes);
    }

    #[test]
    fn allure1_never_panics_on_xml_like_input(bytes in xmlish()) {
        let _ = allure1::parse_reader(&bytes[..], Path::new(PATH));
    }

    #[test]
    fn allure2_status_survives_a_parse(
        status in prop::sample::select(vec!["passed", "failed", "broken", "skipped", "unknown", "PASSED"]),
        name in "\\PC{1,20}",
        start in any::<i64>(),
        len in 0i64..1_000_000,
    ) {
        let doc = serde_json::json!({
            "uuid": "u", "name": name, "status": status,
            "start": start, "stop": start.saturating_add(len),
        });
        let parsed = allure2::parse_slice(doc.to_string().as_bytes(), Path::new(PATH)).unwrap();
        let case = &parsed.cases[0].case;
        let want = match status {
            "passed" | "PASSED" => OutcomeKind::Passed,
            "failed" => OutcomeKind::Failed,
            "broken" => OutcomeKind::Error,
            _ => OutcomeKind::Skipped,
        };
        prop_assert_eq!(case.outcome().kind(), want);
        prop_assert_eq!(&case.name, &name);
        if start.checked_add(len).is_some() {
            prop_assert_eq!(case.duration_secs(), Some(len as f64 / 1000.0));
        }
    }
}
