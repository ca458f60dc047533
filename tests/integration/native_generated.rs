//! The fixtures generated with the real runners (fixtures/generated-*/, see each PROVENANCE.md):
//! every file is sniffed as its format through `ingest::collect`, and the results match the
//! runner's own console counts, outcome by outcome.

use std::path::{Path, PathBuf};

use xray_sync::ingest::{InputOptions, collect};
use xray_sync::model::{
    Attachment, FileStatus, Format, Outcome, OutcomeKind, ReadText, TestCase, TestRun,
};

pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub(crate) fn run(rel: &str) -> TestRun {
    collect(&InputOptions {
        patterns: vec![fixture(rel).display().to_string()],
        allow_empty: false,
        strict: true,
    })
    .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub(crate) fn format_of(run: &TestRun) -> Format {
    match &run.files[0].status {
        FileStatus::Parsed { format, .. } => *format,
        other => panic!("not parsed: {other:?}"),
    }
}

/// (passed, failed, error, skipped) over `cases`.
pub(crate) fn counts<'a>(
    cases: impl IntoIterator<Item = &'a TestCase>,
) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for case in cases {
        match case.outcome().kind() {
            OutcomeKind::Passed => c.0 += 1,
            OutcomeKind::Failed => c.1 += 1,
            OutcomeKind::Error => c.2 += 1,
            OutcomeKind::Skipped => c.3 += 1,
        }
    }
    c
}

pub(crate) fn find<'a>(run: &'a TestRun, name: &str) -> &'a TestCase {
    run.cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no test {name}"))
}

pub(crate) fn message(case: &TestCase) -> String {
    case.outcome()
        .failure()
        .and_then(|f| f.message.read())
        .unwrap_or_default()
}

/// TestNG: "Total tests run: 9, Failures: 3, Skips: 3 / Configuration Failures: 2, Skips: 1".
#[test]
fn testng_matches_the_runner_console() {
    let run = run("generated-testng/testng-results.xml");
    assert_eq!(format_of(&run), Format::Testng);
    let (tests, configs): (Vec<&TestCase>, Vec<&TestCase>) = run
        .cases
        .iter()
        .partition(|c| c.property("testng.config").is_none());
    assert_eq!(tests.len(), 9);
    assert_eq!(counts(tests.iter().copied()), (3, 3, 0, 3));
    // The configuration failures are failed results of their own; the skipped one is dropped.
    let mut config_names: Vec<_> = configs.iter().map(|c| c.name.as_str()).collect();
    config_names.sort();
    assert_eq!(config_names, ["connectDatabase", "openSession"]);
    assert_eq!(counts(configs.iter().copied()), (0, 2, 0, 0));

    // Data-provider rows: one result per row, kept apart by their parameters.
    let rows: Vec<_> = tests.iter().filter(|c| c.name == "sumsRows").collect();
    assert_eq!(rows.len(), 3);
    let failing = rows
        .iter()
        .find(|c| c.outcome().kind() == OutcomeKind::Failed)
        .unwrap();
    let params: Vec<_> = failing
        .parameters()
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(params, [("arg0", "2"), ("arg1", "2"), ("arg2", "5")]);
    assert_eq!(
        message(failing),
        "sum of 2 and 2 expected [5] but found [4]"
    );

    let divides = find(&run, "dividesByZero");
    assert_eq!(divides.classname.as_deref(), Some("calc.CalculatorTest"));
    assert_eq!(divides.definition(), "calc.CalculatorTest.dividesByZero");
    assert_eq!(
        divides.property("test_description"),
        Some("divides by zero")
    );
    let f = divides.outcome().failure().unwrap();
    assert_eq!(f.kind.read().as_deref(), Some("java.lang.AssertionError"));
    assert!(
        f.details
            .read()
            .unwrap()
            .contains("at calc.CalculatorTest.dividesByZero(CalculatorTest.java:19)")
    );
    assert_eq!(
        divides.attempts[0].system_out.read().as_deref(),
        Some("about to divide")
    );
    assert!(divides.labels().iter().any(|l| l.value == "regression"));
    let skipped = find(&run, "readsBalance");
    assert_eq!(
        skipped.outcome(),
        &xray_sync::model::Outcome::Skipped {
            message: Some("skipped by TestNG: configuration method openSession failed".into())
        }
    );
}

/// Robot: "8 tests, 1 passed, 6 failed, 1 skipped", in both schemas.
#[test]
fn robot_matches_the_runner_console_in_both_schemas() {
    for file in [
        "generated-robot/output.xml",
        "generated-robot/output-legacy.xml",
    ] {
        let run = run(file);
        assert_eq!(format_of(&run), Format::Robot, "{file}");
        assert_eq!(run.cases.len(), 8, "{file}");
        assert_eq!(counts(&run.cases), (1, 6, 0, 1), "{file}");

        let reads = find(&run, "Reads Balance");
        assert_eq!(
            reads.definition(),
            "Calculator.Accounts.Balance.Reads Balance",
            "{file}"
        );
        assert_eq!(
            message(reads),
            "Parent suite teardown failed:\naccount cleanup failed",
            "{file}"
        );
        assert_eq!(
            message(find(&run, "Writes Balance With Teardown Failure")),
            "Teardown failed:\nteardown could not close the ledger\n\nAlso parent suite teardown \
             failed:\naccount cleanup failed",
            "{file}"
        );
        assert_eq!(
            message(find(&run, "Stores Result")),
            "Parent suite setup failed:\ndatabase not reachable",
            "{file}"
        );
        let sums = find(&run, "Sums From Table");
        assert_eq!(message(sums), "4 != 5", "{file}");
        // The failing template row, with the keyword inside it that failed.
        assert_eq!(
            sums.outcome().failure().unwrap().details.read().as_deref(),
            Some(
                "Failed keywords:\nSum Should Be    2    2    5\n  Should Be Equal As Integers    \
                 ${sum}    ${expected}\n    4 != 5"
            ),
            "{file}"
        );
        let adds = find(&run, "Adds Two Numbers");
        let tags: Vec<_> = adds.labels().iter().map(|l| l.value.as_str()).collect();
        assert_eq!(tags, ["arithmetic", "CALC-12", "smoke"], "{file}");
        assert!(adds.duration_secs().is_some_and(|d| d > 0.0), "{file}");
        assert!(adds.started_at().is_some(), "{file}");
        assert_eq!(
            find(&run, "Skipped Until Fixed").outcome().kind(),
            OutcomeKind::Skipped
        );
    }
}

/// behave: "3 scenarios passed, 2 failed, 1 error, 1 skipped".
#[test]
fn behave_matches_the_runner_console() {
    let run = run("generated-behave/behave.json");
    assert_eq!(format_of(&run), Format::Behave);
    assert_eq!(run.cases.len(), 7);
    assert_eq!(counts(&run.cases), (3, 2, 1, 1));
    let rows: Vec<_> = run.cases.iter().filter(|c| c.name == "Sum rows").collect();
    assert_eq!(rows.len(), 3, "outline rows stay separate results");
    assert_eq!(rows[2].parameters()[0].value, "@1.3 sums");
    assert_eq!(rows[2].definition(), "Calculator.Sum rows");
    assert_eq!(
        message(rows[2]),
        "Then the result is 5: ASSERT FAILED: expected 5 but got 4"
    );
    assert_eq!(
        message(find(&run, "Square root")),
        "undefined step: When I take the square root of 16"
    );
    let root = find(&run, "Square root");
    assert_eq!(root.file(), Some("features/calculator.feature"));
    assert_eq!(root.line(), Some(30));
}

/// Robot Framework's own `--xunit` file of the same suite: the same console counts
/// (`8 tests, 1 passed, 6 failed, 1 skipped`), nested suites flattened into the classname, and
/// the same tests as `output.xml` gives.
#[test]
fn robot_xunit_matches_the_runner_console() {
    let xunit = run("generated-robot/xunit/xunit.xml");
    assert_eq!(format_of(&xunit), Format::Junit);
    assert_eq!(xunit.cases.len(), 8);
    assert_eq!(counts(&xunit.cases), (1, 6, 0, 1));
    let balance = find(&xunit, "Reads Balance");
    assert_eq!(
        balance.classname.as_deref(),
        Some("Calculator.Accounts.Balance")
    );
    assert!(
        message(balance).contains("Parent suite teardown failed"),
        "{}",
        message(balance)
    );
    let output = run("generated-robot/output.xml");
    let names = |run: &TestRun| {
        let mut names: Vec<String> = run.cases.iter().map(|c| c.name.clone()).collect();
        names.sort();
        names
    };
    assert_eq!(names(&xunit), names(&output));
}

/// Vitest's JUnit reporter: "1 failed | 3 passed | 1 skipped | 1 todo"; the todo is a skip.
#[test]
fn vitest_junit_matches_the_runner_console() {
    let run = run("generated-vitest/out/junit.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 6);
    assert_eq!(counts(&run.cases), (3, 1, 0, 2));
    let broken = find(&run, "calc > always broken");
    assert_eq!(broken.classname.as_deref(), Some("src/calc.test.js"));
    assert_eq!(message(broken), "expected 4 to be 5 // Object.is equality");
}

/// Mocha's built-in `xunit` reporter: "2 passing, 2 pending, 1 failing". The suite's own counts
/// call the failure an error; the test case's `<failure>` decides, as for every JUnit file.
#[test]
fn mocha_xunit_matches_the_runner_console() {
    let run = run("generated-mocha/out-xunit.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(counts(&run.cases), (2, 1, 0, 2));
    // No `message=`: the body is the details (the bug summary takes its first line).
    let broken = find(&run, "always broken");
    assert_eq!(message(broken), "");
    let details = (broken.outcome().failure())
        .and_then(|f| f.details.read())
        .unwrap_or_default();
    assert!(
        details.starts_with("Expected values to be strictly equal:"),
        "{details}"
    );
    assert_eq!(
        find(&run, "flaky once").classname.as_deref(),
        Some("calc nested")
    );
}

/// pytest-bdd's Cucumber JSON: "2 failed, 2 passed" as pytest counts; the outline's two rows
/// (both on the outline's line, told apart by their pytest ids) are two results, not two tries
/// of one; the message is pytest's `E ` line, not the report's first line. pytest's JUnit
/// file of the same run agrees.
#[test]
fn pytest_bdd_matches_the_runner_console() {
    let run = run("generated-pytest-bdd/out/cucumber.json");
    assert_eq!(format_of(&run), Format::Cucumber);
    assert_eq!(run.cases.len(), 4);
    assert_eq!(counts(&run.cases), (2, 2, 0, 0));
    assert!(run.cases.iter().all(|c| !c.flaky && c.attempts.len() == 1));
    let mut rows: Vec<(String, OutcomeKind)> = (run.cases.iter())
        .filter(|c| c.name == "Sum rows")
        .map(|c| (c.parameters()[0].value.clone(), c.outcome().kind()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("1-1-2".to_string(), OutcomeKind::Passed),
            ("2-2-5".to_string(), OutcomeKind::Failed)
        ]
    );
    assert_eq!(
        message(find(&run, "Divide numbers")),
        "Then the result is 4: AssertionError: expected 4 but got 3"
    );
    let junit = self::run("generated-pytest-bdd/out/junit.xml");
    assert_eq!(counts(&junit.cases), (2, 2, 0, 0));
}

/// allure-pytest with a rerun: "2 failed, 3 passed, 1 skipped, 1 rerun"; the rerun is an
/// earlier try of the test that passed (flaky), not a result of its own.
#[test]
fn allure_pytest_matches_the_runner_console() {
    let run = run("generated-allure-pytest/allure-results");
    assert_eq!(run.cases.len(), 6);
    assert_eq!(counts(&run.cases), (3, 2, 0, 1));
    let flaky: Vec<&str> = (run.cases.iter())
        .filter(|c| c.flaky)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(flaky, ["test_flaky_once"]);
    assert_eq!(find(&run, "test_flaky_once").attempts.len(), 2);
    let linked = find(&run, "test_linked_by_testcase");
    assert!(
        linked
            .links()
            .iter()
            .any(|l| l.kind == "tms" && l.url.as_deref() == Some("CALC-101")),
        "{:?}",
        linked.links()
    );
    let label = find(&run, "test_linked_by_label");
    assert!(
        label
            .labels()
            .iter()
            .any(|l| l.name == "xray" && l.value == "CALC-102")
    );
}

/// GoogleTest: "2 tests passed, 1 skipped, 2 failed, 1 disabled"; the disabled test is a skip,
/// and its epoch timestamp (GoogleTest's "never ran") is dropped without a note.
#[test]
fn googletest_matches_the_runner_console() {
    let run = run("generated-googletest/out/gtest.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 6);
    assert_eq!(counts(&run.cases), (2, 2, 0, 2));
    assert_eq!(
        find(&run, "DISABLED_Later").outcome().kind(),
        OutcomeKind::Skipped
    );
    assert!(find(&run, "DISABLED_Later").started_at().is_none());
    assert!(find(&run, "Adds").started_at().is_some());
    assert!(run.files[0].notes.is_empty(), "{:?}", run.files[0].notes);
    let row = find(&run, "IsEven/1");
    assert_eq!(row.classname.as_deref(), Some("Rows/Sums"));
    assert!(message(row).contains("Which is: 1"), "{}", message(row));
}

/// CTest's JUnit report: 3 passed, 4 failed (a timeout among them), 4 that did not run (two
/// skipped, two disabled), as its console lists them. Every classname is the test's own name.
#[test]
fn ctest_matches_the_runner_console() {
    let run = run("generated-ctest/out/ctest.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 11);
    assert_eq!(counts(&run.cases), (3, 4, 0, 4));
    for name in [
        "Calc.Later",
        "shell_disabled",
        "Calc.SkippedAtRunTime",
        "shell_skips",
    ] {
        assert_eq!(
            find(&run, name).outcome().kind(),
            OutcomeKind::Skipped,
            "{name}"
        );
    }
    let timeout = find(&run, "shell_times_out");
    assert_eq!(timeout.outcome().kind(), OutcomeKind::Failed);
    assert_eq!(timeout.classname.as_deref(), Some("shell_times_out"));
    // The class is the name itself: a bug or listing names the test once.
    assert_eq!(
        xray_sync::plan::short_class(&timeout.definition(), &timeout.name),
        None
    );
}

/// behave 1.3.3's `@autoretry`: "2 scenarios passed", the retried one after 2 attempts. The
/// file writes it twice; it is one flaky test with both tries.
#[test]
fn behave_autoretry_is_one_flaky_test() {
    let run = run("generated-behave/autoretry/behave.json");
    assert_eq!(format_of(&run), Format::Behave);
    assert_eq!(run.cases.len(), 2);
    assert_eq!(counts(&run.cases), (2, 0, 0, 0));
    let flaky = find(&run, "Flaky once");
    assert!(flaky.flaky);
    let tries: Vec<OutcomeKind> = flaky.attempts.iter().map(|a| a.outcome.kind()).collect();
    assert_eq!(tries, [OutcomeKind::Failed, OutcomeKind::Passed]);
}

/// cucumber-js with `Rule:` blocks: "4 scenarios (2 failed, 2 passed)". The rule is the middle
/// part of each id, not an outline row's examples: the two rows stay two results (one was
/// folded into the other as an earlier try), and plain scenarios get no `example` parameter.
#[test]
fn cucumber_js_rules_match_the_runner_console() {
    let run = run("generated-cucumber-js-rules/out/cucumber.json");
    assert_eq!(format_of(&run), Format::Cucumber);
    assert_eq!(run.cases.len(), 4);
    assert_eq!(counts(&run.cases), (2, 2, 0, 0));
    assert!(run.cases.iter().all(|c| c.attempts.len() == 1));
    assert!(find(&run, "Add one item").parameters().is_empty());
    assert!(find(&run, "Remove from empty cart").parameters().is_empty());
    let mut rows: Vec<(String, OutcomeKind)> = (run.cases.iter())
        .filter(|c| c.name == "Add several")
        .map(|c| (c.parameters()[0].value.clone(), c.outcome().kind()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("line 18".to_string(), OutcomeKind::Passed),
            ("line 19".to_string(), OutcomeKind::Failed)
        ]
    );
}

/// behave 1.3.3 with `Rule:` blocks: "2 scenarios passed, 1 failed, 1 error". The step that
/// raised has status `error` and no message in the file: the error names the step.
#[test]
fn behave_rules_match_the_runner_console() {
    let run = run("generated-behave/rules/behave.json");
    assert_eq!(format_of(&run), Format::Behave);
    assert_eq!(run.cases.len(), 4);
    assert_eq!(counts(&run.cases), (2, 1, 1, 0));
    let raised = find(&run, "Remove from empty cart");
    assert_eq!(raised.outcome().kind(), OutcomeKind::Error);
    assert_eq!(message(raised), "When I remove 1 item: error");
    assert!(
        raised
            .labels()
            .iter()
            .any(|l| l.name == "tag" && l.value == "CALC-131")
    );
}

/// behave's own `--junit` reporter on the same features: the same console counts, scenario by
/// scenario (the undefined step an error, the tag-skipped scenario skipped).
#[test]
fn behave_junit_matches_the_runner_console() {
    let run = run("generated-behave/junit/TESTS-calculator.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 7);
    assert_eq!(counts(&run.cases), (3, 2, 1, 1));
    assert_eq!(
        find(&run, "Sum rows -- @1.3 sums").outcome().kind(),
        OutcomeKind::Failed
    );
    assert_eq!(
        message(find(&run, "Divide numbers")),
        "expected 4 but got 3"
    );
    assert_eq!(
        find(&run, "Square root").outcome().kind(),
        OutcomeKind::Error
    );
}

/// cucumber-js: "8 scenarios (2 failed, 1 undefined, 1 pending, 4 passed)"; undefined and
/// pending are errors here.
#[test]
fn cucumber_js_matches_the_runner_console() {
    let run = run("generated-cucumber-js/cucumber.json");
    assert_eq!(format_of(&run), Format::Cucumber);
    assert_eq!(run.cases.len(), 8);
    assert_eq!(counts(&run.cases), (4, 2, 2, 0));
    assert!(
        message(find(&run, "Pending multiplication"))
            .starts_with("pending step: When I multiply 3 by 4")
    );
    assert!(
        message(find(&run, "Divide numbers")).starts_with("Then the result is 4: AssertionError")
    );
    let rows: Vec<_> = run.cases.iter().filter(|c| c.name == "Sum rows").collect();
    assert_eq!(rows.len(), 3);
    // The scenario's place, for annotations on the feature file.
    let divide = find(&run, "Divide numbers");
    assert_eq!(divide.file(), Some("features/calculator.feature"));
    assert_eq!(divide.line(), Some(12));
    let shot = find(&run, "Screenshot on result");
    let names: Vec<_> = shot
        .attachments()
        .iter()
        .map(|a| match a {
            Attachment::Inline { name, .. } => name.as_str(),
            Attachment::File { .. } => "file",
        })
        .collect();
    assert_eq!(names, ["step-3-1.txt", "step-3-2.png"]);
    assert!(matches!(
        &shot.attachments()[0],
        Attachment::Inline { base64, .. } if base64 == "cmVzdWx0PTM="
    ));
}

/// TestNG's output directory holds JUnit copies of the same results: with testng-results.xml
/// read, they are skipped with a note instead of counting every test again; alone, they are
/// read as the JUnit they are.
#[test]
fn testng_junit_copies_are_not_counted_twice() {
    let run = collect(&InputOptions {
        patterns: [
            "generated-testng/testng-results.xml",
            "generated-testng/junitreports",
            "generated-testng/Calculator suite",
        ]
        .iter()
        .map(|rel| fixture(rel).display().to_string())
        .collect(),
        allow_empty: false,
        strict: true,
    })
    .unwrap();
    let parsed: Vec<_> = run
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Parsed { .. }))
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(parsed, ["testng-results.xml"]);
    let copies = run
        .files
        .iter()
        .filter(|f| {
            matches!(&f.status, FileStatus::Skipped { reason } if reason.contains("JUnit copy"))
        })
        .count();
    assert_eq!(copies, 4);
    assert_eq!(run.cases.len(), 11);

    // Alone, the copies are JUnit: 7 test names (TestNG's JUnit copy repeats sumsRows for its
    // 3 rows without their parameters).
    let alone = self::run("generated-testng/junitreports");
    assert_eq!(format_of(&alone), Format::Junit);
    assert_eq!(alone.cases.len(), 7);
}

/// Jest + jest-junit defaults: Jest says "7 failed, 1 skipped, 1 todo, 6 passed, 15 total" and
/// "Test Suites: 3 failed". The file holds the 15 tests; the todo has no `<skipped/>` (so it
/// counts as passed), the retried test is one plain `<testcase>`, and the suite that failed to
/// run is absent (PROVENANCE.md says why).
#[test]
fn jest_junit_defaults_match_the_runner_console_as_far_as_the_file_can() {
    let run = run("generated-jest/junit-default.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 15);
    assert_eq!(counts(&run.cases), (6 + 1, 7, 0, 1));
    let todo = find(&run, "calc div handles big numbers");
    assert_eq!(todo.outcome().kind(), OutcomeKind::Passed);
    let retried = find(&run, "flaky passes on the second try");
    assert_eq!(
        retried.attempts.len(),
        1,
        "jest-junit does not write retries"
    );
    let hook = find(&run, "hooks needs the database")
        .outcome()
        .failure()
        .cloned();
    let details = hook.and_then(|f| f.details.map(|d| d.read()));
    assert!(
        details
            .unwrap_or_default()
            .starts_with("Error: database unavailable")
    );
    assert!(!run.cases.iter().any(|c| c.name.contains("broken")));
}

/// With `JEST_JUNIT_REPORT_TEST_SUITE_ERRORS=true` the suite that failed to run is a failing
/// test (written twice, `<error>` then `<failure>`: one test, two attempts), so a broken test
/// file is never a green run.
#[test]
fn jest_junit_suite_errors_make_the_broken_suite_a_failing_test() {
    let run = run("generated-jest/junit-suite-errors.xml");
    assert_eq!(run.cases.len(), 16);
    assert_eq!(counts(&run.cases), (7, 8, 0, 1));
    let broken = find(&run, "src/broken.test.js");
    assert_eq!(broken.attempts.len(), 2);
    assert_eq!(broken.outcome().kind(), OutcomeKind::Failed);
    assert_eq!(
        find(&run, "CALC-12 divides two numbers").file(),
        Some("src/calc.test.js")
    );
}

/// cucumber-js `--retry 2`: "3 scenarios (1 failed, 2 passed)". The json and junit formatters
/// keep each scenario's last attempt only, so both files give the console's counts (and the
/// recovered scenario cannot be flaky); the Cucumber Messages stream, which no reader handles,
/// is a bad file naming its format, never skipped.
#[test]
fn cucumber_js_retry_files_carry_the_last_attempt_and_messages_are_named() {
    for file in ["cucumber-retry.json", "cucumber-retry-junit.xml"] {
        let run = run(&format!("generated-cucumber-js-retry/{file}"));
        assert_eq!(counts(&run.cases), (2, 1, 0, 0), "{file}");
        assert!(run.cases.iter().all(|c| !c.flaky), "{file}");
        assert!(
            message(find(&run, "Always broken")).contains("called 3 times, wanted 99")
                || find(&run, "Always broken")
                    .outcome()
                    .failure()
                    .and_then(|f| f.details.as_ref().map(|d| d.read()))
                    .unwrap_or_default()
                    .contains("called 3 times, wanted 99"),
            "{file}: the last try's failure"
        );
    }
    let messages = collect(&InputOptions {
        patterns: vec![
            fixture("generated-cucumber-js-retry/messages.ndjson")
                .display()
                .to_string(),
        ],
        allow_empty: true,
        strict: false,
    })
    .unwrap();
    match &messages.files[0].status {
        FileStatus::Failed { error, .. } => {
            assert!(error.to_string().contains("Cucumber Messages"), "{error}")
        }
        other => panic!("messages.ndjson: {other:?}"),
    }
}

/// Robot's rerun flow (`--rerunfailed`, then `rebot --merge`): the first run said "3 tests,
/// 1 passed, 2 failed", the rerun "2 tests, 1 passed, 1 failed". Both files given together and
/// rebot's merged file alone give the same tests: the recovered one flaky, the broken one failed
/// twice with its own message, not rebot's HTML merge note.
#[test]
fn robot_rerun_and_rebot_merge_give_the_same_tests() {
    let both = collect(&InputOptions {
        patterns: vec![
            fixture("generated-robot-rerun/output.xml")
                .display()
                .to_string(),
            fixture("generated-robot-rerun/rerun.xml")
                .display()
                .to_string(),
        ],
        allow_empty: false,
        strict: true,
    })
    .unwrap();
    let merged = run("generated-robot-rerun/merged.xml");
    assert_eq!(
        counts(&run("generated-robot-rerun/output.xml").cases),
        (1, 2, 0, 0)
    );
    assert_eq!(
        counts(&run("generated-robot-rerun/rerun.xml").cases),
        (1, 1, 0, 0)
    );
    for (what, r) in [("output.xml + rerun.xml", &both), ("merged.xml", &merged)] {
        assert_eq!(r.cases.len(), 3, "{what}");
        assert_eq!(counts(&r.cases), (2, 1, 0, 0), "{what}");
        let recovered = find(r, "Fails Then Passes");
        assert!(recovered.flaky, "{what}");
        assert_eq!(recovered.attempts.len(), 2, "{what}");
        let broken = find(r, "Fails Always");
        assert_eq!(broken.attempts.len(), 2, "{what}");
        assert_eq!(message(broken), "broken on purpose", "{what}");
        assert!(!find(r, "Passes Always").flaky, "{what}");
    }
}

/// TestNG 6 retry analyzer: "Total tests run: 6, Failures: 1, Skips: 3", the three skips being
/// retried tries. The file writes `failsEveryTry` as `SKIP, FAIL, SKIP`; read in document order
/// its last try would be a skip and hide the failure.
#[test]
fn testng_retry_tries_never_hide_the_failure() {
    let run = run("generated-testng-retry/testng-results.xml");
    assert_eq!(format_of(&run), Format::Testng);
    assert_eq!(run.cases.len(), 3);
    assert_eq!(counts(&run.cases), (2, 1, 0, 0), "TestNG's Failures: 1");
    let broken = find(&run, "failsEveryTry");
    assert_eq!(broken.attempts.len(), 3);
    assert!(
        broken
            .attempts
            .iter()
            .all(|a| a.outcome.kind() == OutcomeKind::Failed)
    );
    assert_eq!(message(broken), "broken on purpose");
    let recovered = find(&run, "passesOnSecondTry");
    assert!(recovered.flaky);
    assert_eq!(recovered.outcome().kind(), OutcomeKind::Passed);
    assert!(!find(&run, "passes").flaky);
}

/// Playwright's junit reporter: "1 failed, 1 flaky, 2 skipped, 3 passed". The flaky test is a
/// plain pass in the file; the `[[ATTACHMENT|…]]` lines point at the run's `test-results/`.
#[test]
fn playwright_junit_matches_the_runner_console_as_far_as_the_file_can() {
    let run = run("generated-playwright/out/junit.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 7);
    assert_eq!(counts(&run.cases), (3 + 1, 1, 0, 2));
    let broken = find(&run, "calc › always broken");
    assert_eq!(broken.attachments().len(), 3, "one error context per try");
    assert_eq!(
        message(broken),
        "expect(received).toBe(expected) // Object.is equality"
    );
}

/// Playwright's json reporter: "1 failed, 1 flaky, 2 skipped, 3 passed" — the flaky test is
/// flaky here (its failed first try is kept), and every test has the identity the junit
/// reporter gave it in the same run.
#[test]
fn playwright_json_matches_the_runner_console() {
    let run = run("generated-playwright/out/results.json");
    assert_eq!(format_of(&run), Format::Playwright);
    assert_eq!(run.cases.len(), 7);
    assert_eq!(counts(&run.cases), (3 + 1, 1, 0, 2));
    let flaky: Vec<&str> = run
        .cases
        .iter()
        .filter(|c| c.flaky)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(flaky, ["calc › flaky once"]);
    let once = find(&run, "calc › flaky once");
    assert_eq!(once.attempts.len(), 2);
    assert_eq!(once.attempts[0].outcome.kind(), OutcomeKind::Failed);
    assert_eq!(once.outcome().kind(), OutcomeKind::Passed);

    let broken = find(&run, "calc › always broken");
    assert_eq!(broken.attempts.len(), 3);
    assert!(
        broken
            .attempts
            .iter()
            .all(|a| a.outcome.kind() == OutcomeKind::Failed)
    );
    // The same message as the junit reporter's `message=`, colours stripped.
    assert_eq!(
        message(broken),
        "expect(received).toBe(expected) // Object.is equality"
    );
    let details = broken
        .outcome()
        .failure()
        .and_then(|f| f.details.read())
        .unwrap_or_default();
    assert!(details.contains("Received: 4"), "{details}");
    assert!(!details.contains('\u{1b}'), "{details}");
    // One error context per try, named with the generating machine's absolute paths: evidence
    // files the evidence reader refuses outside the workspace (and they do not exist here).
    assert_eq!(broken.attachments().len(), 3);
    assert!(broken.attachments().iter().all(|a| matches!(
        a,
        Attachment::File { path, .. } if path.starts_with("/tmp/pw/test-results")
    )));
    assert_eq!(broken.file(), Some("tests/calc.spec.js"));
    assert_eq!(broken.line(), Some(14));

    // `test.fail()` that failed is a pass, as Playwright counts it.
    let xfail = find(&run, "calc › expected to fail");
    assert_eq!(xfail.outcome().kind(), OutcomeKind::Passed);
    assert!(!xfail.flaky);
    let note = find(&run, "calc › with attachment");
    assert!(note.attachments().iter().any(|a| matches!(
        a,
        Attachment::Inline { name, base64 } if name == "note.txt" && base64 == "aGVsbG8="
    )));

    let junit = self::run("generated-playwright/out/junit.xml");
    let identities = |run: &TestRun| {
        let mut ids: Vec<(String, String)> = run
            .cases
            .iter()
            .map(|c| {
                (
                    c.classname.as_deref().unwrap_or("").to_string(),
                    c.name.clone(),
                )
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(identities(&run), identities(&junit));
    assert_eq!(
        find(&run, "calc › always broken").definition(),
        "calc.spec.js.calc › always broken"
    );
}

/// Playwright annotations named as Xray's JUnit properties (`test_key`, `requirements`,
/// `test_summary`, `testrun_comment`), declared or pushed at run time: the JSON file reads them as
/// the properties Playwright's JUnit reporter writes for them, so both files of one run map to
/// the same Test keys. Runner console: 1 failed, 1 flaky, 2 passed.
#[test]
fn playwright_annotations_map_as_the_junit_reporter_writes_them() {
    let json = run("generated-playwright-annotations/out/results.json");
    let junit = run("generated-playwright-annotations/out/junit.xml");
    assert_eq!(format_of(&json), Format::Playwright);
    assert_eq!(counts(&json.cases), (2 + 1, 1, 0, 0));
    let flaky: Vec<&str> = (json.cases.iter())
        .filter(|c| c.flaky)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(flaky, ["cart › applies a coupon"]);
    let property =
        |run: &TestRun, test: &str, name: &str| find(run, test).property(name).map(str::to_string);
    for run in [&json, &junit] {
        let key = |test| property(run, test, "test_key");
        assert_eq!(key("cart › adds an item").as_deref(), Some("CALC-60"));
        assert_eq!(key("cart › applies a coupon").as_deref(), Some("CALC-61"));
        assert_eq!(
            property(run, "cart › adds an item", "requirements").as_deref(),
            Some("CALC-7,CALC-8")
        );
        assert_eq!(
            property(run, "cart › removes an item", "test_summary").as_deref(),
            Some("Remove one item from the cart")
        );
        assert_eq!(
            property(run, "cart › removes an item", "testrun_comment").as_deref(),
            Some("run on the nightly data set")
        );
    }
    // Every test's properties, name for name and value for value, in both files.
    let properties = |run: &TestRun| {
        let mut all: Vec<(String, String, String)> = (run.cases.iter())
            .flat_map(|c| {
                c.properties()
                    .iter()
                    .map(|p| (c.name.clone(), p.name.clone(), p.value.clone()))
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(properties(&json), properties(&junit));
    assert_eq!(properties(&json).len(), 6, "{:?}", properties(&json));
}

/// A Playwright spec file that fails to load: Playwright runs nothing and the report has no
/// tests, only a top-level error. That error is an errored result, so the run is never green.
#[test]
fn playwright_json_load_error_is_an_errored_result() {
    let run = run("generated-playwright/out/load-error.json");
    assert_eq!(format_of(&run), Format::Playwright);
    assert_eq!(counts(&run.cases), (0, 0, 1, 0));
    let case = &run.cases[0];
    assert_eq!(case.classname.as_deref(), Some("broken.spec.js"));
    assert_eq!(case.name, "error outside tests");
    assert!(
        message(case).starts_with("SyntaxError: "),
        "{}",
        message(case)
    );
}

/// JUnit Platform Console Launcher: "12 tests found, 1 skipped, 1 aborted, 7 successful, 3
/// failed". One suite holds every class; the exception is an error, the assertion failures
/// failures, the disabled and the aborted test skipped; the engines that ran nothing wrote
/// suites of no tests, read without an error.
#[test]
fn junit5_console_launcher_matches_the_runner_console() {
    let run = run("generated-junit5/reports");
    assert_eq!(run.files.len(), 3);
    for file in &run.files {
        assert!(
            matches!(
                file.status,
                FileStatus::Parsed {
                    format: Format::Junit,
                    ..
                }
            ),
            "{file:?}"
        );
    }
    assert_eq!(run.cases.len(), 12);
    assert_eq!(counts(&run.cases), (7, 2, 1, 1 + 1));
    let nested = find(&run, "averageFails()");
    assert_eq!(
        nested.classname.as_deref(),
        Some("com.acme.calc.CalculatorTest$WhenEmpty")
    );
    assert!(message(nested).starts_with("average of nothing"));
    assert_eq!(
        find(&run, "parsesInput()").outcome().kind(),
        OutcomeKind::Error
    );
    assert_eq!(
        message(find(&run, "addsRows(int, int, int)[2]")),
        "expected: <6> but was: <5>"
    );
}

/// unittest + xmlrunner: "Ran 6 tests / FAILED (failures=2, errors=2, skipped=1, expected
/// failures=1)". The `setUpClass` error is an error of its own (with xmlrunner's year-1 time
/// stamp dropped, with a note); the expected failure is a skip.
#[test]
fn unittest_xml_matches_the_runner_console() {
    let run = run("generated-unittest-xml/out");
    assert_eq!(run.cases.len(), 7);
    assert_eq!(counts(&run.cases), (1, 2, 2, 1 + 1));
    let setup = find(&run, "setUpClass (test_calc.SetupFails)");
    assert_eq!(setup.outcome().kind(), OutcomeKind::Error);
    assert_eq!(message(setup), "database is down");
    assert!(setup.started_at().is_none());
    assert_eq!(message(find(&run, "test_rows (a=2, b=3)")), "5 != 6");
    let notes: Vec<&String> = run.files.iter().flat_map(|f| &f.notes).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("1 start time(s) before 1971"),
        "{notes:?}"
    );
}

/// mocha-junit-reporter: "3 passing, 1 pending, 3 failing". The pending test is not in the file
/// (only the root's `skipped="1"` counts it), the failing `before` hook is a failing test, and
/// the switched layout reads the same.
#[test]
fn mocha_junit_reporter_matches_the_runner_console_as_far_as_the_file_can() {
    for file in ["out/junit.xml", "out-switched/junit.xml"] {
        let run = run(&format!("generated-mocha-junit-reporter/{file}"));
        assert_eq!(run.cases.len(), 6, "{file}");
        assert_eq!(counts(&run.cases), (3, 3, 0, 0), "{file}");
        let hook = run
            .cases
            .iter()
            .find(|c| c.name.contains("\"before all\" hook"))
            .expect("the hook's failure is a test");
        assert_eq!(message(hook), "fixture file is missing", "{file}");
    }
}

/// Catch2: "test cases: 8 | 2 passed | 4 failed | 2 failed as expected". Sections are test
/// cases of their own in the file (9); what failed as expected is skipped with its failure as
/// the reason; the `[!shouldfail]` test that passed is a pass in the file.
#[test]
fn catch2_matches_the_runner_console_as_far_as_the_file_can() {
    let run = run("generated-catch2/junit.xml");
    assert_eq!(run.cases.len(), 9);
    assert_eq!(counts(&run.cases), (4, 2, 1, 2));
    for name in ["may fail", "should fail and does"] {
        let Outcome::Skipped { message } = find(&run, name).outcome() else {
            panic!("{name} is not skipped");
        };
        assert_eq!(
            message.read().as_deref(),
            Some("TEST_CASE tagged with !mayfail; failed as expected: 1 == 2")
        );
    }
    assert_eq!(
        find(&run, "refuses division by zero").outcome().kind(),
        OutcomeKind::Error
    );
    assert_eq!(
        message(find(&run, "sections/large numbers")),
        "divide(1000000, 3) == 333334"
    );
}

/// Boost.Test: "5 passed, 3 failed, 1 skipped, 1 aborted, 1 expected failure" of 9. Messages
/// come from the bodies (the attributes always say `failure` / `unexpected exception`); the
/// test whose failure Boost expected is failed, as its test case says.
#[test]
fn boost_test_matches_the_runner_console_but_for_its_expected_failure() {
    let run = run("generated-boost-test/junit.xml");
    assert_eq!(run.cases.len(), 9);
    assert_eq!(counts(&run.cases), (5 - 1, 3 - 1 + 1, 1, 1));
    assert_eq!(
        message(find(&run, "divides_with_rounding")),
        "integer division rounds down"
    );
    assert_eq!(
        message(find(&run, "refuses_division_by_zero")),
        "std::domain_error: division by zero"
    );
    assert_eq!(
        message(find(&run, "_1")),
        "check a + a == sum has failed [2 + 2 != 6]"
    );
    assert_eq!(
        find(&run, "expected_failures").outcome().kind(),
        OutcomeKind::Failed
    );
}

/// cargo-nextest with `retries = 2`: "5 tests run: 2 passed (1 flaky), 3 failed, 1 skipped"; the
/// ignored test is not in the file. Earlier tries are attempts of their test, and the messages
/// are the panics' own, not Rust's panic header.
#[test]
fn nextest_matches_the_runner_console_as_far_as_the_file_can() {
    let run = run("generated-nextest/junit.xml");
    assert_eq!(run.cases.len(), 5);
    assert_eq!(counts(&run.cases), (2, 3, 0, 0));
    let flaky = find(&run, "tests::passes_on_the_second_try");
    assert!(flaky.flaky);
    assert_eq!(flaky.attempts.len(), 2);
    let always = find(&run, "tests::always_fails");
    assert_eq!(always.attempts.len(), 3);
    assert!(message(always).starts_with("thread 'tests::always_fails' ("));
}

/// gotestsum on a Go test binary that panics: "DONE 8 tests, 1 skipped, 4 failures"; the test
/// after the panic never ran. Messages come from the output, not the `Failed` placeholder.
#[test]
fn gotestsum_panic_matches_the_runner_console() {
    let run = run("generated-gotestsum-panic/junit-panic.xml");
    assert_eq!(run.cases.len(), 8);
    assert_eq!(counts(&run.cases), (3, 4, 0, 1));
    assert_eq!(
        message(find(&run, "TestCALC12DividesWithRounding")),
        "integer division rounds down: got 3, want 4"
    );
    assert_eq!(
        message(find(&run, "TestPanics")),
        "panic: runtime error: integer divide by zero"
    );
    assert_eq!(
        message(find(&run, "TestRows/two_and_three")),
        "2 + 3 = 5, want 6"
    );
    assert_eq!(message(find(&run, "TestRows")), "Failed");
}

/// RSpec + rspec_junit_formatter: "9 examples, 4 failures, 2 pending"; the pending example (which
/// failed, as pending ones must) is skipped, and a raised error is a failure as RSpec counts it.
#[test]
fn rspec_matches_the_runner_console() {
    let run = run("generated-rspec/rspec.xml");
    assert_eq!(run.cases.len(), 9);
    assert_eq!(counts(&run.cases), (3, 4, 0, 2));
    assert_eq!(
        find(&run, "Calc has a pending bug").outcome().kind(),
        OutcomeKind::Skipped
    );
    assert_eq!(
        message(find(&run, "Calc refuses division by zero")),
        "divided by 0"
    );
}

/// bats-core's JUnit formatter and report formatter: "1..5", 3 `not ok`, 1 `# skip`.
#[test]
fn bats_matches_the_runner_console() {
    for file in ["junit.xml", "report.xml"] {
        let run = run(&format!("generated-bats/{file}"));
        assert_eq!(run.cases.len(), 5, "{file}");
        assert_eq!(counts(&run.cases), (1, 3, 0, 1), "{file}");
        assert_eq!(
            find(&run, "refuses division by zero").classname.as_deref(),
            Some("calc.bats")
        );
    }
}

/// Newman: "assertions 5, failed 3" (10 and 6 over two iterations, which stay one test case per
/// assertion). The same assertion name under two requests is two tests.
#[test]
fn newman_matches_the_runner_console() {
    for file in ["out/newman.xml", "out/newman-2-iterations.xml"] {
        let run = run(&format!("generated-newman/{file}"));
        assert_eq!(run.cases.len(), 5, "{file}");
        assert_eq!(counts(&run.cases), (2, 3, 0, 0), "{file}");
        let status: Vec<_> = run
            .cases
            .iter()
            .filter(|c| c.name == "status is 200")
            .map(|c| (c.classname.as_deref(), c.outcome().kind()))
            .collect();
        assert_eq!(
            status,
            [
                (Some("Sum"), OutcomeKind::Passed),
                (Some("Missing"), OutcomeKind::Failed)
            ],
            "{file}"
        );
    }
    let run = run("generated-newman/out/newman.xml");
    assert_eq!(
        message(find(&run, "quotient rounds down")),
        "integer division rounds down: expected 3 to deeply equal 4"
    );
}

/// pabot: "5 tests, 2 passed, 2 failed, 1 skipped". Its output folder holds the merged
/// `output.xml` and each process's own: read whole, every test is still one execution, not
/// two tries of one.
#[test]
fn pabot_output_folder_counts_each_execution_once() {
    for input in ["generated-pabot/out/output.xml", "generated-pabot/out"] {
        let run = run(input);
        assert_eq!(run.cases.len(), 5, "{input}");
        assert_eq!(counts(&run.cases), (2, 2, 0, 1), "{input}");
        for case in &run.cases {
            assert_eq!(case.attempts.len(), 1, "{input}: {}", case.name);
        }
    }
}

/// pytest with a fixture failing in teardown: "1 failed, 2 passed, 2 errors". The failed test's
/// second `<testcase>` (its teardown error) is not a retry: its own assertion stays its failure.
#[test]
fn pytest_teardown_errors_keep_the_tests_own_failure() {
    let run = run("generated-pytest-teardown/out/junit.xml");
    assert_eq!(run.cases.len(), 3);
    assert_eq!(counts(&run.cases), (1, 1, 1, 0));
    let failed = find(&run, "test_counts_rows");
    assert_eq!(failed.attempts.len(), 1);
    assert!(message(failed).starts_with("AssertionError: expected 3 rows"));
    let details = failed
        .outcome()
        .failure()
        .and_then(|f| f.details.read())
        .unwrap_or_default();
    assert!(details.contains("failed on teardown with"), "{details}");
    assert_eq!(
        find(&run, "test_reads_rows").outcome().kind(),
        OutcomeKind::Error
    );
}

/// pytest-xdist + pytest-rerunfailures: "1 failed, 8 passed, 5 rerun". Each rerun try (a bare
/// `<testcase>` in the file) is a failed try: the two tests that recovered are flaky.
#[test]
fn pytest_xdist_reruns_match_the_runner_console() {
    let run = run("generated-pytest-xdist-reruns/out/junit.xml");
    assert_eq!(run.cases.len(), 9);
    assert_eq!(counts(&run.cases), (8, 1, 0, 0));
    let tries = |name: &str| {
        let case = find(&run, name);
        (case.attempts.len(), case.flaky)
    };
    assert_eq!(tries("test_flaky_a"), (2, true));
    assert_eq!(tries("test_flaky_b"), (3, true));
    assert_eq!(tries("test_always"), (3, false));
    assert_eq!(
        crate::reruns::failed_tries(&run),
        5 + 1,
        "pytest's 5 reruns, and the last try that failed"
    );
}

/// behave 1.2.6, the release most CI images ran for years, on the same features: "3 scenarios
/// passed, 3 failed, 1 skipped" in both its JSON and its JUnit file (1.2.6 counts the
/// undefined step's scenario as failed, where 1.3 says error).
#[test]
fn behave_1_2_6_matches_the_runner_console() {
    let json = run("generated-behave/behave-1.2.6/behave.json");
    assert_eq!(format_of(&json), Format::Behave);
    let junit = run("generated-behave/behave-1.2.6/junit/TESTS-calculator.xml");
    assert_eq!(format_of(&junit), Format::Junit);
    for run in [&json, &junit] {
        assert_eq!(run.cases.len(), 7);
        assert_eq!(counts(&run.cases), (3, 3, 0, 1));
    }
    let root = find(&json, "Square root");
    assert_eq!(root.outcome().kind(), OutcomeKind::Failed);
    assert_eq!(
        message(root),
        "undefined step: When I take the square root of 16"
    );
    assert_eq!(
        message(find(&json, "Divide numbers")),
        "Then the result is 4: Assertion Failed: expected 4 but got 3"
    );
    let rows: Vec<_> = json.cases.iter().filter(|c| c.name == "Sum rows").collect();
    assert_eq!(rows.len(), 3, "outline rows stay separate results");
    assert_eq!(rows[2].parameters()[0].value, "@1.3 sums");
    assert_eq!(
        message(find(&junit, "Divide numbers")),
        "expected 4 but got 3"
    );
}

/// Maven Surefire 2.22.3 + JUnit 4.13.2 with `rerunFailingTestsCount` 2, the whole
/// `surefire-reports/` folder given: "Tests run: 8, Failures: 2, Errors: 1, Skipped: 1, Flakes: 1".
#[test]
fn surefire_junit4_matches_the_runner_console() {
    let run = run("generated-surefire/junit4/surefire-reports");
    assert_eq!(run.cases.len(), 8);
    assert_eq!(counts(&run.cases), (4, 2, 1, 1));
    assert_eq!(run.cases.iter().filter(|c| c.flaky).count(), 1);
    let flaky = find(&run, "passesOnTheSecondTry");
    assert!(flaky.flaky);
    assert_eq!(flaky.attempts.len(), 2, "the flakyFailure, then the pass");
    // Surefire's "Run 1: … Run 3:": every failing test was tried three times.
    for name in ["dividesRoundingDown", "dividesByZero", "adds[2 + 2 = 5]"] {
        assert_eq!(find(&run, name).attempts.len(), 3, "{name}");
    }
    assert_eq!(
        find(&run, "dividesByZero").outcome().kind(),
        OutcomeKind::Error
    );
    assert_eq!(
        message(find(&run, "dividesRoundingDown")),
        "integer division rounds down expected:<4> but was:<3>"
    );
    // The `.txt` summaries are not results; they are reported, never counted.
    let skipped = run
        .files
        .iter()
        .filter(|f| !matches!(f.status, FileStatus::Parsed { .. }))
        .count();
    assert_eq!(skipped, 2);
}

/// Maven Surefire 2.22.3 + JUnit Jupiter 5.9.2 (no reruns with this provider): "Tests run: 10,
/// Failures: 4, Errors: 1, Skipped: 1".
#[test]
fn surefire_junit5_matches_the_runner_console() {
    let run = run("generated-surefire/junit5/surefire-reports/TEST-calc.CalculatorTest.xml");
    assert_eq!(format_of(&run), Format::Junit);
    assert_eq!(run.cases.len(), 10);
    assert_eq!(counts(&run.cases), (4, 4, 1, 1));
    let nested = find(&run, "throwsOnZero");
    assert_eq!(
        nested.classname.as_deref(),
        Some("calc.CalculatorTest$WhenNegative")
    );
    assert_eq!(nested.outcome().kind(), OutcomeKind::Failed);
    assert_eq!(
        find(&run, "multiplies").outcome().kind(),
        OutcomeKind::Skipped
    );
}

/// cucumber-ruby 2.4 (Debian): "6 scenarios (2 failed, 1 undefined, 3 passed)"; undefined is an
/// error here. Its JSON writes the outline's rows as scenarios with the row in the id.
#[test]
fn cucumber_ruby_matches_the_runner_console() {
    let run = run("generated-cucumber-ruby/cucumber.json");
    assert_eq!(format_of(&run), Format::Cucumber);
    assert_eq!(run.cases.len(), 6);
    assert_eq!(counts(&run.cases), (3, 2, 1, 0));
    let rows: Vec<_> = run.cases.iter().filter(|c| c.name == "Sum rows").collect();
    assert_eq!(rows.len(), 3, "outline rows stay separate results");
    let examples: Vec<&str> = rows
        .iter()
        .map(|r| r.parameters()[0].value.as_str())
        .collect();
    assert_eq!(examples, ["sums;2", "sums;3", "sums;4"]);
    assert_eq!(rows[2].outcome().kind(), OutcomeKind::Failed);
    assert_eq!(
        message(find(&run, "Divide numbers")),
        "Then the result is 4: expected 4 but got 3 (RuntimeError)"
    );
    assert_eq!(
        message(find(&run, "Square root")),
        "undefined step: When I take the square root of 16"
    );
}

/// NUnit 2.6.4's console on Mono: "Tests run: 6, Errors: 1, Failures: 2, Inconclusive: 1" and
/// "Not run: 2, Invalid: 1, Ignored: 1". Inconclusive, ignored and invalid (NotRunnable) read as
/// skipped, each with NUnit's reason.
#[test]
fn nunit2_matches_the_runner_console() {
    let run = run("generated-nunit2/TestResult.xml");
    assert_eq!(format_of(&run), Format::Nunit);
    assert_eq!(run.cases.len(), 8);
    assert_eq!(counts(&run.cases), (2, 2, 1, 3));
    let invalid = find(&run, "Calc.Tests.CalculatorTests.AddsTwoNumbers");
    assert_eq!(invalid.outcome().kind(), OutcomeKind::Skipped);
    let Outcome::Skipped { message: reason } = invalid.outcome() else {
        unreachable!("skipped above")
    };
    assert_eq!(
        reason.read().as_deref(),
        Some("Category name must not contain ',', '!', '+' or '-'")
    );
    let row = find(&run, "Calc.Tests.CalculatorTests.Adds(2,2,5)");
    assert_eq!(row.outcome().kind(), OutcomeKind::Failed);
    assert_eq!(
        xray_sync::plan::message_line(&message(row)).as_deref(),
        Some("Expected: 5, but was: 4")
    );
    assert_eq!(
        find(&run, "Calc.Tests.CalculatorTests.DividesByZero")
            .outcome()
            .kind(),
        OutcomeKind::Error
    );
}
