//! Allure results written by the real adapters of eight runners (fixtures/generated-allure-*/,
//! each PROVENANCE.md quotes the runner's console): the counts are the runner's, except where
//! the adapter itself writes something else (said per test); a failed hook that only allure-js's
//! `*-globals.json` records is never lost; a retry's `excluded` `Retry` parameter does not make
//! its tries iterations; tags map to Test keys as the runner's own output does.

use std::collections::BTreeMap;

use xray_sync::model::{FileStatus, OutcomeKind, ReadText, TestRun};

use crate::native_generated::{counts, find, run};

fn results(adapter: &str) -> TestRun {
    run(&format!("generated-allure-{adapter}/allure-results"))
}

fn flaky(run: &TestRun) -> usize {
    run.cases.iter().filter(|c| c.flaky).count()
}

/// (passed, failed, error, skipped), as `counts` gives them.
type Counts = (usize, usize, usize, usize);

/// (passed, failed, error, skipped) and flaky, per adapter; the runner's words in the comment.
#[test]
fn every_adapter_counts_as_its_runner() {
    let want: BTreeMap<&str, (Counts, usize)> = [
        // jest: "Tests: 6 failed, 1 skipped, 5 passed, 12 total" (broken = error).
        ("jest", ((5, 3, 3, 1), 1)),
        // mocha: "4 passing, 1 pending, 4 failing": the failing `before all` hook is only in
        // the globals file.
        ("mocha", ((4, 2, 2, 1), 1)),
        // allure-mocha 2 with mocha 10: "4 passing, 1 pending, 4 failing"; it writes no failed
        // try of a retried test, so nothing is flaky.
        ("mocha-2", ((4, 2, 2, 1), 0)),
        // playwright: "2 passed, 1 flaky, 3 failed, 1 skipped".
        ("playwright", ((3, 3, 0, 1), 1)),
        // behave: "3 scenarios passed, 2 failed, 1 error, 1 skipped".
        ("behave", ((3, 2, 1, 1), 1)),
        // robot: first run 1 passed, 4 failed, 1 skipped; the rerun passes one of them.
        ("robotframework", ((2, 3, 0, 1), 1)),
        // vitest: "3 failed | 4 passed | 4 skipped (11)" and a failed beforeAll: the adapter
        // writes no file for `test.skip` (10 results) and the hook's tests as skipped; the
        // hook is the globals error.
        ("vitest", ((4, 2, 2, 3), 0)),
        // cucumber-js: "7 scenarios (3 failed, 1 skipped, 3 passed)": allure-cucumberjs writes
        // the skipped scenario as passed (below).
        ("cucumberjs", ((4, 2, 1, 0), 1)),
    ]
    .into_iter()
    .collect();
    for (adapter, (outcomes, flakies)) in want {
        let run = results(adapter);
        assert_eq!(counts(&run.cases), outcomes, "{adapter}");
        assert_eq!(flaky(&run), flakies, "{adapter}");
        let bad: Vec<_> = run
            .files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Failed { .. }))
            .collect();
        assert!(bad.is_empty(), "{adapter}: {bad:?}");
    }
    // The adapter's own reading, not ours: the scenario is `"status":"passed"` in its file.
    let cucumber = results("cucumberjs");
    let skipped = find(&cucumber, "Multiplying matrices");
    assert_eq!(skipped.outcome().kind(), OutcomeKind::Passed);
}

/// allure-mocha 3 and allure-vitest record a failed `before all` hook only in
/// `*-globals.json`; allure-jest records it there and on the tests it failed.
#[test]
fn a_failed_hook_in_the_globals_is_a_test_in_error_once() {
    for (adapter, name, message) in [
        (
            "mocha",
            "\"before all\" hook failed",
            "\"before all\" hook failed: cannot connect",
        ),
        (
            "vitest",
            "beforeAll hook failed",
            "beforeAll hook failed: cannot connect",
        ),
    ] {
        let run = results(adapter);
        let hook = find(&run, name);
        assert_eq!(hook.outcome().kind(), OutcomeKind::Error, "{adapter}");
        assert_eq!(&*hook.suite_path, ["Allure global errors"], "{adapter}");
        let failure = hook.outcome().failure().unwrap();
        assert_eq!(
            failure.message.read().as_deref(),
            Some(message),
            "{adapter}"
        );
        assert!(
            failure
                .details
                .read()
                .is_some_and(|t| t.starts_with("Error: cannot connect")),
            "{adapter}"
        );
    }
    let jest = results("jest");
    assert!(jest.cases.iter().all(|c| c.name != "beforeAll failed"));
    let globals = jest
        .files
        .iter()
        .find(|f| f.path.to_string_lossy().ends_with("-globals.json"))
        .unwrap();
    assert!(matches!(globals.status, FileStatus::Skipped { .. }));
    assert!(
        globals.notes[0].contains("not counted again"),
        "{globals:?}"
    );
    assert_eq!(
        find(&jest, "reads a row").outcome().kind(),
        OutcomeKind::Error
    );
}

/// allure-js marks each retry with `{"name":"Retry","value":"1","excluded":true}`: one test
/// with its tries, not one iteration per try. allure-mocha 2 gives both rows of a data-driven
/// test one `historyId`: their parameters keep them apart.
#[test]
fn retries_are_tries_and_rows_stay_rows() {
    for adapter in ["mocha", "playwright"] {
        let run = results(adapter);
        for case in &run.cases {
            assert!(
                case.parameters().iter().all(|p| p.name != "Retry"),
                "{adapter}: {}: {:?}",
                case.name,
                case.parameters()
            );
        }
    }
    // allure-behave names outline rows `Halving a number -- @1.1 `: the outline's name, the
    // row in the parameters, as behave's JSON has it.
    let behave = results("behave");
    let rows: Vec<_> = behave
        .cases
        .iter()
        .filter(|c| c.name == "Halving a number")
        .map(|c| c.parameters()[0].value.clone())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(behave.cases.iter().all(|c| !c.name.contains(" -- @")));

    let run = results("mocha-2");
    let rows: Vec<_> = run
        .cases
        .iter()
        .filter(|c| c.name == "halves a number")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let mut outcomes: Vec<_> = rows
        .iter()
        .map(|c| (c.parameters()[0].value.clone(), c.outcome().kind()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("7".to_string(), OutcomeKind::Failed),
            ("8".to_string(), OutcomeKind::Passed)
        ]
    );
}

/// The runners' tags reach Allure as `tag` labels (`@CALC-103` from allure-cucumberjs, plain
/// from allure-behave and allure-robotframework): planned as the Test keys the runner's own
/// output names (fixtures/generated-allure-*/ hold both outputs of one run).
#[test]
fn tag_labels_are_planned_as_the_test_keys_native_output_names() {
    for adapter in ["cucumberjs", "behave", "robotframework"] {
        let (_, v) =
            crate::native_dry_run::dry_run(&format!("generated-allure-{adapter}/allure-results"));
        let keys: Vec<String> = crate::native_dry_run::tests_of(&v)
            .iter()
            .filter_map(|t| t["testKey"].as_str().map(String::from))
            .collect();
        assert!(keys.iter().any(|k| k == "CALC-103"), "{adapter}: {keys:?}");
        // `@TEST_CALC-105`; the cucumber-js scenario also has `@allure.tms:CALC-106`, a tms
        // link, which comes first (README "Test identity").
        let retried = if adapter == "cucumberjs" {
            "CALC-106"
        } else {
            "CALC-105"
        };
        assert!(keys.iter().any(|k| k == retried), "{adapter}: {keys:?}");
    }
}

/// allure-playwright also leaves its runtime messages in Playwright's own JSON report
/// (`application/vnd.allure.message+json` attachments): not evidence.
#[test]
fn allure_runtime_messages_in_the_playwright_report_are_not_evidence() {
    let run = run("generated-allure-playwright/results.json");
    assert_eq!(counts(&run.cases), (3, 3, 0, 1));
    for case in &run.cases {
        for a in case.attachments() {
            let (name, content_type) = match a {
                xray_sync::model::Attachment::File {
                    name, content_type, ..
                } => (name.clone().unwrap_or_default(), content_type.clone()),
                xray_sync::model::Attachment::Inline { name, .. } => (name.clone(), None),
            };
            assert!(
                !name.contains("Allure Metadata")
                    && !content_type.is_some_and(|c| c.contains("vnd.allure")),
                "{}: {name}",
                case.name
            );
        }
    }
}
