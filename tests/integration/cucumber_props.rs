//! Property tests: the Cucumber/Behave reader and its sniffing never panic, whatever the
//! bytes: arbitrary input, JSON-ish token soup of both shapes, and byte-level mutations of
//! real files (cucumber-js, cucumber-jvm, cucumber-ruby, behave). A generated Cucumber file
//! reads back with its statuses.
//!
//! CI runs a bounded number of cases; `PROPTEST_CASES=100000` searches longer.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::cucumber;
use xray_sync::model::OutcomeKind;

const PATH: &str = "<generated>";

fn read_all(bytes: &[u8]) {
    let _ = cucumber::looks_like_features(bytes);
    let _ = cucumber::parse_reader(bytes, Path::new(PATH));
}

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just("\"uri\":\"f\",".to_string()),
        Just("\"location\":\"f:1\",\"status\":\"failed\",".to_string()),
        Just("\"elements\":[".to_string()),
        Just("\"type\":\"background\",".to_string()),
        Just("\"type\":\"scenario\",\"keyword\":\"Scenario Outline\",\"id\":\"a;b\",".to_string()),
        Just("\"name\":\"x -- @1.1 e\",".to_string()),
        Just("\"line\":-1e999,".to_string()),
        Just("\"tags\":[{\"name\":\"@CALC-1\"},\"TEST_CALC-2\",3],".to_string()),
        Just("\"steps\":[{\"keyword\":\"Given \",\"name\":\"s\",\"result\":{\"status\":\"failed\",\"duration\":1e308,\"error_message\":[\"a\",\"b\"]}".to_string()),
        Just("\"embeddings\":[{\"mime_type\":\"image/png\",\"data\":\"iVBO\"},{\"media\":{\"type\":\"text/plain\"},\"data\":\"a/b.png\"}]".to_string()),
        Just("\"before\":[{\"result\":{\"status\":\"undefined\"}}],".to_string()),
        Just("null".to_string()),
        Just("\"\\u0000\"".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

/// Real files the mutations start from.
const CORPUS: &[&str] = &[
    "fixtures/generated-cucumber-js/cucumber.json",
    "fixtures/generated-behave/behave.json",
    "fixtures/cucumber-json-converter/cucumber-jvm/7.2.3/failing-background-with-two-scenarios.json",
    "fixtures/cucumber-json-converter/cucumber-ruby/7.1.0/scenario-outline.json",
    "fixtures/behave2cucumber/autoretry.json",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read_all(&bytes);
    }

    #[test]
    fn json_like_input_never_panics(bytes in jsonish()) {
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
    fn generated_cucumber_reads_back(rows in prop::collection::vec(("[a-zA-Z][a-zA-Z0-9 ]{0,10}", 0u8..4), 0..16)) {
        let elements: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (name, kind))| {
                let status = ["passed", "failed", "undefined", "skipped"][usize::from(*kind)];
                format!(
                    r#"{{"type":"scenario","keyword":"Scenario","id":"f;s{i}","name":"{name}","line":{i},
                       "steps":[{{"keyword":"Given ","name":"x","result":{{"status":"{status}"}}}}]}}"#
                )
            })
            .collect();
        let json = format!(r#"[{{"uri":"f.feature","id":"f","name":"F","elements":[{}]}}]"#, elements.join(","));
        let parsed = cucumber::parse_reader(json.as_bytes(), Path::new(PATH)).unwrap();
        prop_assert_eq!(parsed.cases.len(), rows.len());
        for (case, (name, kind)) in parsed.cases.iter().zip(&rows) {
            prop_assert_eq!(&case.name, name.trim());
            let want = [OutcomeKind::Passed, OutcomeKind::Failed, OutcomeKind::Error, OutcomeKind::Skipped][usize::from(*kind)];
            prop_assert_eq!(case.outcome().kind(), want);
        }
    }
}
