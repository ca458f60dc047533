//! Unit tests of the model: the outcome rule, merging, definitions, JSON shape, text bounds.

use super::*;

fn attempt(outcome: Outcome) -> Attempt {
    Attempt {
        outcome,
        duration_secs: Some(1.0),
        started_at: None,
        system_out: None,
        system_err: None,
        source: SourceRef::new(Path::new("r.xml"), Format::Junit, None),
    }
}

fn failed(msg: &str) -> Outcome {
    Outcome::Failed(
        Failure {
            message: Some(msg.into()),
            ..Failure::default()
        }
        .into(),
    )
}

#[test]
fn failed_then_passed_is_flaky_and_passed() {
    let mut case = TestCase::new(
        vec![],
        Some("C".into()),
        "t".into(),
        attempt(failed("boom")),
    );
    case.absorb(TestCase::new(
        vec![],
        Some("C".into()),
        "t".into(),
        attempt(Outcome::Passed),
    ));
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert!(case.flaky);
    assert_eq!(case.attempts.len(), 2);
    assert_eq!(case.duration_secs(), Some(2.0));
}

#[test]
fn worst_attempt_wins_without_a_pass() {
    let mut case = TestCase::new(
        vec![],
        None,
        "t".into(),
        attempt(Outcome::Skipped { message: None }),
    );
    case.absorb(TestCase::new(
        vec![],
        None,
        "t".into(),
        attempt(failed("a")),
    ));
    case.absorb(TestCase::new(
        vec![],
        None,
        "t".into(),
        attempt(failed("b")),
    ));
    assert_eq!(*case.outcome(), failed("b"));
    assert!(!case.flaky);
}

#[test]
fn json_keeps_the_merged_outcome_in_its_place() {
    let mut case = TestCase::new(vec![], None, "t".into(), attempt(failed("boom")));
    let json = serde_json::to_string(&case).unwrap();
    assert!(
        json.starts_with(
            r#"{"suite_path":[],"name":"t","outcome":{"status":"failed","message":"boom"},"flaky":false,"duration_secs":1.0,"attempts":[{"status":"failed","message":"boom","#
        ),
        "{json}"
    );
    case.absorb(TestCase::new(
        vec![],
        None,
        "t".into(),
        attempt(Outcome::Passed),
    ));
    let json = serde_json::to_string(&case).unwrap();
    assert!(
        json.contains(r#""outcome":{"status":"passed"},"flaky":true,"#),
        "{json}"
    );
}

#[test]
fn definition_prefers_full_name_then_classname() {
    let mut case = TestCase::new(
        vec![],
        Some("com.acme.T".into()),
        "m".into(),
        attempt(Outcome::Passed),
    );
    assert_eq!(case.definition(), "com.acme.T.m");
    case.extras_mut().full_name = Some("pkg.Full#m".into());
    assert_eq!(case.definition(), "pkg.Full#m");
    let bare = TestCase::new(
        vec![],
        Some(String::new()),
        "m".into(),
        attempt(Outcome::Passed),
    );
    assert_eq!(bare.definition(), "m");
}

#[test]
fn extras_are_absent_until_written_and_serialize_flat() {
    let mut case = TestCase::new(
        vec![],
        Some("C".into()),
        "t".into(),
        attempt(Outcome::Passed),
    );
    let plain = case.clone();
    assert_eq!(case.extras(), &Extras::default());
    case.set_extras(Extras::default());
    assert_eq!(case, plain, "an empty Extras is no Extras");
    case.extras_mut().file = Some("t.rs".into());
    case.extras_mut().line = Some(7);
    case.extras_mut().labels.push(Label {
        name: "tag".into(),
        value: "smoke".into(),
    });
    assert_ne!(case, plain);
    let json = serde_json::to_string(&case).unwrap();
    assert!(
        json.starts_with(
            r#"{"suite_path":[],"classname":"C","name":"t","file":"t.rs","line":7,"outcome":{"status":"passed"},"flaky":false,"duration_secs":1.0,"labels":[{"name":"tag","value":"smoke"}],"attempts":["#
        ),
        "{json}"
    );
}

#[test]
fn absorb_unions_extras_and_keeps_the_first_location() {
    let mut case = TestCase::new(vec![], None, "t".into(), attempt(failed("a")));
    let mut other = TestCase::new(vec![], None, "t".into(), attempt(failed("b")));
    other.extras_mut().file = Some("t.rs".into());
    other.extras_mut().line = Some(3);
    other.extras_mut().properties.push(Property {
        name: "test_key".into(),
        value: "CALC-1".into(),
        items: vec![],
    });
    let again = other.clone();
    case.absorb(other);
    case.absorb(again);
    assert_eq!(case.file(), Some("t.rs"));
    assert_eq!(case.line(), Some(3));
    assert_eq!(case.property("test_key"), Some("CALC-1"));
    assert_eq!(case.properties().len(), 1);
    assert_eq!(*case.outcome(), failed("b"));
}

/// A large run holds one `TestCase` and one `Attempt` per test: growing them is a memory
/// regression (benches/README.md).
#[test]
fn a_test_case_stays_small() {
    assert!(size_of::<TestCase>() <= 96, "{}", size_of::<TestCase>());
    assert!(size_of::<Attempt>() <= 104, "{}", size_of::<Attempt>());
    assert!(size_of::<Outcome>() <= 16, "{}", size_of::<Outcome>());
    // Free text is a handle into the text store (model/text.rs), never a heap string.
    assert_eq!(size_of::<Option<crate::model::Text>>(), 8);
}
