//! Property tests: the Playwright JSON reader and its sniffing never panic, whatever the
//! bytes: arbitrary input, JSON-ish token soup of the report's shape, and byte-level mutations
//! of the real report (fixtures/generated-playwright). A generated report reads back with its
//! statuses and tries.
//!
//! CI runs a bounded number of cases; `PROPTEST_CASES=100000` searches longer.

use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::playwright;
use xray_sync::model::OutcomeKind;

const PATH: &str = "<generated>";

fn read_all(bytes: &[u8]) {
    let _ = playwright::looks_like_report(bytes);
    let _ = playwright::parse_reader(bytes, Path::new(PATH));
}

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("\"config\":{\"rootDir\":\"/w/t\",\"configFile\":\"/w/c.js\"},".to_string()),
        Just("\"suites\":[".to_string()),
        Just("\"specs\":[".to_string()),
        Just("\"title\":\"t\",\"file\":\"a.spec.ts\",\"line\":1e999,".to_string()),
        Just("\"tags\":[\"@CALC-1\",3,null],".to_string()),
        Just("\"tests\":[{\"expectedStatus\":\"failed\",\"projectName\":\"chromium\",".to_string()),
        Just("\"results\":[{\"status\":\"timedOut\",\"retry\":-1,\"duration\":1e308,".to_string()),
        Just("\"error\":{\"message\":\"\\u001b[31mboom\\u001b[\"},\"errors\":null,".to_string()),
        Just("\"stdout\":[{\"text\":\"x\"},{\"buffer\":\"%%\"}],".to_string()),
        Just(
            "\"attachments\":[{\"name\":\"a/b\",\"body\":\"aGk=\"},{\"path\":\"../x.png\"}],"
                .to_string()
        ),
        Just("\"annotations\":[{\"type\":\"fixme\"}],".to_string()),
        Just("null".to_string()),
        Just("\"\\u0000\"".to_string()),
        "\\PC{0,8}",
    ];
    prop::collection::vec(token, 0..64).prop_map(|t| t.concat().into_bytes())
}

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
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = crate::props_support::fixture("fixtures/generated-playwright/out/results.json");
        crate::props_support::mutate(&mut bytes, edits);
        read_all(&bytes);
    }

    #[test]
    fn generated_report_reads_back(tests in prop::collection::vec(("[a-zA-Z][a-zA-Z0-9 ]{0,10}", prop::collection::vec(0u8..4, 0..4)), 0..16)) {
        let statuses = ["passed", "failed", "timedOut", "skipped"];
        let specs: Vec<String> = tests
            .iter()
            .map(|(title, tries)| {
                let results: Vec<String> = tries
                    .iter()
                    .enumerate()
                    .map(|(retry, s)| format!(r#"{{"status":"{}","retry":{retry}}}"#, statuses[usize::from(*s)]))
                    .collect();
                format!(
                    r#"{{"title":"{title}","tests":[{{"expectedStatus":"passed","projectName":"","results":[{}]}}]}}"#,
                    results.join(",")
                )
            })
            .collect();
        let json = format!(
            r#"{{"config":{{"rootDir":"/w","workers":1}},"suites":[{{"title":"a.spec.ts","specs":[{}]}}],"errors":[]}}"#,
            specs.join(",")
        );
        prop_assert!(playwright::looks_like_report(json.as_bytes()));
        let parsed = playwright::parse_reader(json.as_bytes(), Path::new(PATH)).unwrap();
        prop_assert_eq!(parsed.cases.len(), tests.len());
        for (case, (title, tries)) in parsed.cases.iter().zip(&tests) {
            prop_assert_eq!(&case.name, title);
            prop_assert_eq!(case.attempts.len(), tries.len().max(1));
            // A skipped try decides only when every try skipped, as Playwright's own
            // `TestCase.outcome()` ignores skipped results unless all are.
            let deciding = tries.iter().rposition(|s| *s != 3);
            let want = match deciding.map(|at| tries[at]) {
                None => OutcomeKind::Skipped,
                Some(0) => OutcomeKind::Passed,
                Some(_) => OutcomeKind::Failed,
            };
            prop_assert_eq!(case.outcome().kind(), want);
            let flaky = deciding.is_some_and(|at| tries[at] == 0 && tries[..at].iter().any(|s| matches!(s, 1 | 2)));
            prop_assert_eq!(case.flaky, flaky);
        }
    }
}
