//! JUnit XML from more runners (fixtures/generated-<runner>/, each PROVENANCE.md quotes the
//! runner's console): Node's test runner, nose2, jasmine-reporters, karma-junit-reporter, two
//! TAP converters of ava's output, mocha-junit-reporter's Jenkins mode and jest-junit with an
//! ancestor separator. The counts are the runner's as far as the file carries them (what each
//! writer leaves out is said per file).

use xray_sync::model::{OutcomeKind, ReadText};

use crate::native_generated::{counts, find, message, run};

#[test]
fn every_file_counts_as_its_runner_as_far_as_it_can() {
    for (file, want) in [
        // "pass 8, fail 9, cancelled 2, skipped 1, todo 1": the cancelled tests are failures in
        // the file, the todo a skip; a file that failed to load is one failing test.
        ("generated-node-test/junit.xml", (8, 10, 0, 2)),
        // "Ran 17 tests: failures=7, errors=3, skipped=1, expected failures=1, unexpected
        // successes=1" (both of the last written as skips) and a setUpClass error of its own.
        ("generated-nose2/nose2-junit.xml", (6, 7, 3, 3)),
        // 15 specs, 7 failed, 2 pending (the 2 suite errors are not specs).
        ("generated-jasmine/out/junitresults.xml", (6, 7, 0, 2)),
        (
            "generated-jasmine/out-fullname/junitresults.xml",
            (6, 7, 0, 2),
        ),
        // "Executed 13 of 15 (7 FAILED) (skipped 2) ERROR": the file holds 14.
        ("generated-karma/out-nobrowser/junit.xml", (5, 7, 0, 2)),
        // tap-junit writes the todo as a failure; tap-xunit as a skip.
        ("generated-ava-tap/out/tap-junit.xml", (4, 6, 0, 1)),
        ("generated-ava-tap/out/tap-xunit.xml", (4, 5, 0, 2)),
        // "9 passing, 2 pending, 8 failing".
        (
            "generated-mocha-junit-reporter-jenkins/out/junit-jenkins.xml",
            (9, 8, 0, 2),
        ),
        // "8 failed, 1 skipped, 1 todo, 8 passed": jest-junit writes the todo as a pass.
        (
            "generated-jest-ancestor-separator/out/junit-ancestor.xml",
            (9, 8, 0, 1),
        ),
    ] {
        assert_eq!(counts(&run(file).cases), want, "{file}");
    }
}

/// Node's reporter writes `classname="test"` on every test: tests of one title in two
/// `describe` blocks are two tests (one failed, one passed), never one flaky test, and each is
/// defined by its blocks.
#[test]
fn node_tests_of_one_title_in_two_blocks_stay_two_tests() {
    let run = run("generated-node-test/junit.xml");
    let negatives: Vec<_> = run
        .cases
        .iter()
        .filter(|c| c.name == "handles negatives")
        .map(|c| (c.definition(), c.outcome().kind(), c.flaky))
        .collect();
    assert_eq!(
        negatives,
        [
            (
                "adder.handles negatives".to_string(),
                OutcomeKind::Failed,
                false
            ),
            (
                "subtractor.handles negatives".to_string(),
                OutcomeKind::Passed,
                false
            ),
        ]
    );
    assert_eq!(
        find(&run, "works deep down").definition(),
        "Calculator.nested.deeper.works deep down"
    );
}

/// nose2 writes `message="test failure"` on every failure and error: the message is the
/// traceback's last line.
#[test]
fn nose2_messages_come_from_the_traceback() {
    let run = run("generated-nose2/nose2-junit.xml");
    assert_eq!(
        message(find(&run, "test_adds_table:2")),
        "AssertionError: 4 != 5"
    );
    let import = find(&run, "test_broken_import");
    assert_eq!(
        message(import),
        "ModuleNotFoundError: No module named 'not_a_module_that_exists'"
    );
    assert!(
        import
            .outcome()
            .failure()
            .unwrap()
            .details
            .read()
            .is_some_and(|d| d.contains("Traceback (most recent call last):"))
    );
}

/// jasmine-reporters writes one `<failure>` per failed expectation: the first is the test's
/// message, every one is in its details.
#[test]
fn every_failed_expectation_is_in_the_details() {
    let run = run("generated-jasmine/out/junitresults.xml");
    let both = find(&run, "checks two things and both fail");
    assert_eq!(message(both), "first check: Expected 2 to be 3.");
    let details = both.outcome().failure().unwrap().details.read().unwrap();
    assert!(
        details.contains("second check: Expected $[1] = 2 to equal 3."),
        "{details}"
    );
}

/// Node's todo test is `<skipped type="todo" message="true"/>`: skipped as "todo", not "true".
/// tap-xunit writes ava's failures with no message attribute, the body a TAP YAML block: the
/// failure list and the bug title read its `message:`.
#[test]
fn node_todo_and_tap_yaml_messages_read_as_meant() {
    let run = run("generated-node-test/junit.xml");
    let todo = find(&run, "divides later");
    assert_eq!(
        *todo.outcome(),
        xray_sync::model::Outcome::Skipped {
            message: Some("todo".into())
        }
    );
    let (stdout, _) = crate::native_dry_run::dry_run("generated-ava-tap/out/tap-xunit.xml");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("subtracts numbers: five minus three")),
        "{stdout}"
    );
}
