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
fn the_last_failure_is_the_outcome_with_its_text() {
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

/// A large run holds one `TestCase` per test, its first `Attempt` inline (`Attempts`): growing
/// them is a memory regression (benches/README.md).
#[test]
fn a_test_case_stays_small() {
    // 72 bytes of its own plus the inline first try (no heap block for a test run once).
    assert!(
        size_of::<TestCase>() <= 72 + size_of::<Attempt>(),
        "{}",
        size_of::<TestCase>()
    );
    assert!(size_of::<Attempt>() <= 104, "{}", size_of::<Attempt>());
    assert!(size_of::<Outcome>() <= 16, "{}", size_of::<Outcome>());
    // Free text is a handle into the text store (model/text.rs), never a heap string.
    assert_eq!(size_of::<Option<crate::model::Text>>(), 8);
}

/// The last attempt decides: a pass after a failure is flaky, a failure after a pass is a
/// failure (pytest-rerunfailures writes failed tries as bare, pass-looking `<testcase>`s).
#[test]
fn the_last_attempt_decides() {
    let tried = |outcomes: Vec<Outcome>| {
        let attempts: Vec<Attempt> = outcomes.into_iter().map(attempt).collect();
        TestCase::from_attempts(Vec::new().into(), None, "t".into(), attempts)
    };
    let case = tried(vec![Outcome::Passed, Outcome::Passed, failed("third")]);
    assert_eq!(*case.outcome(), failed("third"));
    assert!(!case.flaky);
    let case = tried(vec![failed("a"), failed("b"), Outcome::Passed]);
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert!(case.flaky);
    let case = tried(vec![failed("a"), failed("b")]);
    assert!(!case.flaky, "flaky needs a passing last attempt");
    let case = tried(vec![Outcome::Passed, Outcome::Passed]);
    assert!(!case.flaky);
}

/// A skipped try never overrides one that ran: a rerun that skips leaves the failure (as
/// `rebot --merge` does), a pass stays a pass, and only all-skipped is skipped.
#[test]
fn a_skipped_try_does_not_decide_over_one_that_ran() {
    let skip = || Outcome::Skipped { message: None };
    let tried = |outcomes: Vec<Outcome>| {
        let attempts: Vec<Attempt> = outcomes.into_iter().map(attempt).collect();
        TestCase::from_attempts(Vec::new().into(), None, "t".into(), attempts)
    };
    let case = tried(vec![failed("a"), skip()]);
    assert_eq!(*case.outcome(), failed("a"));
    assert!(!case.flaky);
    let case = tried(vec![failed("a"), Outcome::Passed, skip()]);
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert!(case.flaky);
    let case = tried(vec![skip(), failed("b")]);
    assert_eq!(*case.outcome(), failed("b"));
    let case = tried(vec![skip(), skip()]);
    assert_eq!(case.outcome().kind(), OutcomeKind::Skipped);
    assert!(!case.flaky);
}

/// De-duplication is linear: counted, not timed. Rescanning the list for each item (the
/// quadratic `contains` it replaced) would compare about n²/2 pairs.
#[test]
fn dedup_in_order_compares_linearly_and_keeps_the_first() {
    use std::hash::{Hash, Hasher};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COMPARISONS: AtomicUsize = AtomicUsize::new(0);
    #[derive(Debug)]
    struct Counted(u32);
    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARISONS.fetch_add(1, Ordering::Relaxed);
            self.0 == other.0
        }
    }
    impl Eq for Counted {}
    impl Hash for Counted {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }
    let n = 20_000u32;
    // Every value twice, interleaved: 0, 1, …, n-1, 0, 1, …
    let mut list: Vec<Counted> = (0..2 * n).map(|i| Counted(i % n)).collect();
    dedup_in_order(&mut list);
    assert_eq!(list.len(), n as usize);
    assert!(list.iter().enumerate().all(|(i, c)| c.0 == i as u32));
    let compared = COMPARISONS.load(Ordering::Relaxed);
    assert!(
        compared <= 2 * n as usize,
        "{compared} comparisons for {n} items: no longer linear"
    );
}

/// Appending sightings does no work per existing attempt; settling once de-duplicates what
/// the sightings repeated and derives `flaky` from the last attempt.
#[test]
fn append_then_settle_merges_many_sightings_once() {
    let sighting = |outcome: Outcome| {
        let mut c = TestCase::new(vec![], None, "t".into(), attempt(outcome));
        c.extras_mut().attachments.push(Attachment::File {
            path: "shot.png".into(),
            name: None,
            content_type: None,
        });
        c
    };
    let mut case = sighting(failed("first"));
    for _ in 0..1_000 {
        case.append(sighting(failed("again")));
    }
    case.append(sighting(Outcome::Passed));
    assert_eq!(
        case.extras().attachments.len(),
        1_002,
        "not de-duplicated yet"
    );
    case.settle();
    assert_eq!(case.attempts.len(), 1_002);
    assert_eq!(case.extras().attachments.len(), 1);
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert!(case.flaky);
}
