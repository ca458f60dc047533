//! Property tests for the JUnit reader: no input panics it (arbitrary bytes, mutated real
//! fixtures), generated test cases written as JUnit read back unchanged, odd `time` spellings.
//!
//! CI runs 256 cases per property (fast). To search longer:
//! `PROPTEST_CASES=100000 cargo test --release --test junit_props`.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;
use xray_sync::ingest::junit::{self, looks_like_junit, values::parse_duration};
use xray_sync::model::{Outcome, OutcomeKind, ReadText};

const SEEDS: &[&str] = &[
    "fixtures/junit/quick-junit/basic_report.xml",
    "fixtures/junit/nextest/fixture-project-junit.xml",
    "fixtures/junit/publish-unit-test-result-action/junit-xml/with-xml-entities.xml",
    "fixtures/junit/publish-unit-test-result-action/junit-xml/junit.multiresult.xml",
    "fixtures/junit/action-junit-report/test_results/maven_surefire_flaky/surefire-report.xml",
];

fn parse_bytes(bytes: &[u8]) {
    let _ = looks_like_junit(bytes);
    if let Err(e) = junit::parse_reader(Cursor::new(bytes), Path::new("fuzz.xml")) {
        assert!(!e.message.is_empty());
        assert!(e.offset.is_some());
    }
}

#[derive(Debug, Clone)]
struct Gen {
    classname: String,
    name: String,
    kind: OutcomeKind,
    message: String,
}

fn text() -> impl Strategy<Value = String> {
    // Printable text including XML specials, quotes and non-ASCII.
    "[a-zA-Z0-9 <>&\"'é€😀._-]{1,20}"
}

fn gen_case() -> impl Strategy<Value = Gen> {
    (
        text(),
        text(),
        prop_oneof![
            Just(OutcomeKind::Passed),
            Just(OutcomeKind::Failed),
            Just(OutcomeKind::Error),
            Just(OutcomeKind::Skipped),
        ],
        text(),
    )
        .prop_map(|(classname, name, kind, message)| Gen {
            classname,
            name,
            kind,
            message,
        })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn write_junit(cases: &[Gen]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"gen\">\n",
    );
    for (i, c) in cases.iter().enumerate() {
        // The index keeps names unique, so no two generated cases merge.
        xml.push_str(&format!(
            "<testcase classname=\"{}\" name=\"{}#{i}\">",
            escape(&c.classname),
            escape(&c.name)
        ));
        let m = escape(&c.message);
        match c.kind {
            OutcomeKind::Passed => {}
            OutcomeKind::Failed => xml.push_str(&format!("<failure message=\"{m}\">{m}</failure>")),
            OutcomeKind::Error => xml.push_str(&format!(
                "<error message=\"{m}\"><![CDATA[{}]]></error>",
                c.message
            )),
            OutcomeKind::Skipped => xml.push_str(&format!("<skipped message=\"{m}\"/>")),
        }
        xml.push_str("</testcase>\n");
    }
    xml.push_str("</testsuite>\n</testsuites>\n");
    xml
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_bytes(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC*") {
        let _ = junit::parse_str(&s);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = crate::props_support::fixture(SEEDS[which]);
        crate::props_support::mutate(&mut bytes, edits);
        parse_bytes(&bytes);
    }

    #[test]
    fn generated_cases_read_back(cases in proptest::collection::vec(gen_case(), 0..20)) {
        let xml = write_junit(&cases);
        let parsed = junit::parse_str(&xml).unwrap();
        prop_assert_eq!(parsed.len(), cases.len());
        for (i, (want, got)) in cases.iter().zip(&parsed).enumerate() {
            prop_assert_eq!(got.classname.as_deref(), Some(want.classname.as_str()));
            prop_assert_eq!(&got.name, &format!("{}#{i}", want.name));
            prop_assert_eq!(got.outcome().kind(), want.kind);
            let message = match got.outcome() {
                Outcome::Passed => None,
                Outcome::Failed(f) | Outcome::Error(f) => f.message.read(),
                Outcome::Skipped { message } => message.read(),
            };
            if want.kind != OutcomeKind::Passed {
                prop_assert_eq!(message.as_deref(), Some(want.message.as_str()));
            }
            if let Some(f) = got.outcome().failure() {
                // Bodies keep the text as written (whitespace-only bodies are dropped).
                if !want.message.trim().is_empty() {
                    let details = f.details.read();
                    prop_assert_eq!(details.as_deref(), Some(want.message.as_str()));
                }
            }
        }
    }

    #[test]
    fn odd_times_never_fail_and_stay_sane(
        secs in 0u32..100_000,
        frac in 0u32..1000,
        style in 0u8..4,
    ) {
        let value = f64::from(secs) + f64::from(frac) / 1000.0;
        let raw = match style {
            0 => format!("{secs}.{frac:03}"),
            1 => format!("{secs},{frac:03}"),
            2 => format!("{value:e}"),
            _ => format!("{}", u64::from(secs) * 1_000_000_000 + u64::from(frac) * 1_000_000),
        };
        let parsed = parse_duration(&raw);
        let xml = format!("<testsuite><testcase name=\"t\" time=\"{raw}\"/></testsuite>");
        let case = &junit::parse_str(&xml).unwrap()[0];
        prop_assert_eq!(case.duration_secs(), parsed);
        if style == 3 && secs == 0 && frac == 0 {
            prop_assert_eq!(parsed, Some(0.0));
        } else if style == 3 && u64::from(secs) * 1_000_000_000 < 100_000_000 {
            // Small integers are seconds, not nanoseconds: below the nanosecond threshold.
            prop_assert!(parsed.is_some());
        } else {
            let got = parsed.unwrap();
            prop_assert!((got - value).abs() < 1e-6, "{raw} -> {got}, want {value}");
        }
    }

    #[test]
    fn garbage_times_are_none(raw in "[a-zA-Z ,.<>:+-]{0,12}") {
        let xml = format!("<testsuite><testcase name=\"t\" time=\"{}\"/></testsuite>", escape(&raw));
        let case = &junit::parse_str(&xml).unwrap()[0];
        prop_assert!(case.duration_secs().is_none_or(|d| d.is_finite() && d >= 0.0));
    }
}
