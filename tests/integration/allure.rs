//! Drives the real Allure fixtures (fixtures/allure2, see its PROVENANCE.md and SUBSET.md)
//! through `ingest::collect`, replicating what upstream's Allure1PluginTest and
//! Allure2PluginTest assert inline. Like upstream, the edge-case files are copied into a fresh
//! results directory under the names an Allure adapter would give them (`<uuid>-result.json`).

use std::path::{Path, PathBuf};

use xray_sync::ingest::{InputOptions, collect};
use xray_sync::model::{
    Attachment, FileStatus, Format, Link, Outcome, OutcomeKind, ReadText, TestCase, TestRun,
};

const FIXTURES: &str = "fixtures/allure2";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(rel)
}

/// Copies `(fixture, name)` pairs into a new directory, like upstream's `process(...)`.
fn results_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in files {
        std::fs::copy(fixture(from), dir.path().join(to)).unwrap();
    }
    dir
}

fn read(pattern: &Path) -> TestRun {
    collect(&InputOptions {
        patterns: vec![pattern.display().to_string()],
        allow_empty: false,
        strict: true,
    })
    .unwrap()
}

fn params(case: &TestCase) -> Vec<(&str, &str)> {
    case.parameters()
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect()
}

fn attachment_names(case: &TestCase) -> Vec<&str> {
    case.attachments()
        .iter()
        .filter_map(|a| match a {
            Attachment::File { name, .. } => name.as_deref(),
            Attachment::Inline { name, .. } => Some(name.as_str()),
        })
        .collect()
}

fn notes(run: &TestRun) -> Vec<&str> {
    run.files
        .iter()
        .flat_map(|f| &f.notes)
        .map(String::as_str)
        .collect()
}

fn skipped_message(case: &TestCase) -> String {
    match case.outcome() {
        Outcome::Skipped { message } => message.read().unwrap_or_default(),
        other => panic!("expected skipped, got {other:?}"),
    }
}

// ---- Allure 2 (Allure2PluginTest) ----

#[test]
fn allure2_befores_afters_and_step_attachments_reach_the_test() {
    let dir = results_dir(&[
        ("allure2/simple-testcase.json", "a1-result.json"),
        ("allure2/first-testgroup.json", "c1-container.json"),
        ("allure2/second-testgroup.json", "c2-container.json"),
        (
            "allure2/test-sample-attachment.txt",
            "test-sample-attachment.txt",
        ),
        (
            "allure2/after-sample-attachment.txt",
            "after-sample-attachment.txt",
        ),
    ]);
    let run = read(dir.path());
    assert_eq!(run.cases.len(), 1);
    let case = &run.cases[0];
    assert_eq!(case.name, "shouldCreate");
    assert_eq!(*case.outcome(), Outcome::Passed);
    // The step's attachment (upstream: shouldPickUpAttachmentsForTestCase) and the after
    // fixture's (shouldPickUpAttachmentsForAfters).
    assert_eq!(
        attachment_names(case),
        [
            "String attachment in test.txt",
            "String attachment in after.txt"
        ]
    );
    assert_eq!(case.duration_secs(), Some(0.004));
    assert_eq!(
        case.started_at().map(|t| t.unix_timestamp()),
        Some(1_479_552_611)
    );
    assert!(notes(&run).is_empty(), "{:?}", notes(&run));
}

#[test]
fn allure2_same_result_twice_is_one_test_with_one_attempt_given_group_attachments() {
    // Upstream keeps two results (shouldDoNotOverrideAttachmentsForGroups); xray-sync merges
    // them (same identity, no historyId: name + parameters), and since both files report the
    // same execution (same start to the millisecond, same duration and status), it is one
    // attempt, not a retry.
    let dir = results_dir(&[
        ("allure2/other-testcase.json", "a1-result.json"),
        ("allure2/other-testcase.json", "a2-result.json"),
        ("allure2/second-testgroup.json", "c2-container.json"),
        (
            "allure2/after-sample-attachment.txt",
            "after-sample-attachment.txt",
        ),
    ]);
    let run = read(dir.path());
    assert_eq!(run.cases.len(), 1);
    assert_eq!(run.cases[0].attempts.len(), 1);
    assert!(!run.cases[0].flaky);
    assert_eq!(
        attachment_names(&run.cases[0]),
        ["String attachment in after.txt"]
    );
}

#[test]
fn allure2_missing_null_and_invalid_status_read_as_unknown() {
    for (file, detail) in [
        ("allure2/no-status.json", "no status"),
        ("allure2/null-status.json", "no status"),
        ("allure2/invalid-status.json", "some-invalid-string"),
    ] {
        let dir = results_dir(&[(file, "x-result.json")]);
        let run = read(dir.path());
        assert_eq!(run.cases.len(), 1, "{file}");
        let msg = skipped_message(&run.cases[0]);
        assert!(msg.starts_with("allure status unknown"), "{file}: {msg}");
        assert!(msg.contains(detail), "{file}: {msg}");
    }
}

#[test]
fn allure2_null_fixture_times_are_fine() {
    let dir = results_dir(&[
        ("allure2/other-testcase.json", "a-result.json"),
        ("allure2/null-before-group.json", "b-container.json"),
    ]);
    assert_eq!(read(dir.path()).cases.len(), 1);
}

#[test]
fn allure2_duplicated_parameters_are_dropped() {
    let dir = results_dir(&[("allure2/duplicated-params.json", "a-result.json")]);
    let run = read(dir.path());
    assert_eq!(
        params(&run.cases[0]),
        [
            ("name", "value"),
            ("name", "value2"),
            ("name2", "value"),
            ("name2", "value2")
        ]
    );
}

#[test]
fn allure2_hidden_and_excluded_parameters_dropped_and_masked_ones_masked() {
    let dir = results_dir(&[("allure2/parameters.json", "a-result.json")]);
    let run = read(dir.path());
    let case = &run.cases[0];
    // `param 5` is `excluded`: not part of the test's identity, as allure-js's `Retry` is not.
    assert_eq!(
        params(case),
        [
            ("param 3", "value 3"),
            ("param 6", "value 6"),
            ("param 7", "******")
        ]
    );
    // "Passed" with a capital P is still a pass.
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert_eq!(case.history_id(), Some("adapter-provided-history-id"));
}

#[test]
fn allure2_flaky_comes_from_status_details() {
    let dir = results_dir(&[
        ("allure2/flaky.json", "a-result.json"),
        ("allure2/flaky-false.json", "b-result.json"),
        ("allure2/flaky-not-set.json", "c-result.json"),
    ]);
    let run = read(dir.path());
    let mut got: Vec<(&str, bool)> = run
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.flaky))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("default not flaky test", false),
            ("flaky test", true),
            ("not flaky test", false)
        ]
    );
    assert_eq!(run.counts().flaky, 1);
}

#[test]
fn allure2_descriptions_are_ignored_so_no_html_is_carried() {
    let dir = results_dir(&[
        ("allure2/description-html-xss.json", "a-result.json"),
        ("allure2/description-html-script-xss.json", "b-result.json"),
    ]);
    let run = read(dir.path());
    assert_eq!(run.cases.len(), 2);
    let json = serde_json::to_string(&run).unwrap();
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!json.contains(bad), "{bad} leaked into {json}");
    }
    assert_eq!(run.cases[0].full_name(), Some("xss.poc.test"));
}

#[test]
fn allure2_attachment_without_extension_keeps_its_content_type() {
    let dir = results_dir(&[
        ("allure2/text-attachment-no-ext.json", "a-result.json"),
        (
            "allure2/test-sample-attachment.txt",
            "test-sample-attachment",
        ),
    ]);
    let run = read(dir.path());
    assert_eq!(
        run.cases[0].attachments(),
        [Attachment::File {
            path: dir.path().join("test-sample-attachment"),
            name: Some("String attachment in test".into()),
            content_type: Some("text/plain".into()),
        }]
    );
}

#[test]
fn allure2_bad_sources_attach_nothing_and_say_why() {
    let dir = results_dir(&[
        ("allure2/text-attachment-bad-source.json", "a-result.json"),
        ("allure2/secret-file.txt", "secret-file.txt"),
    ]);
    let run = read(dir.path());
    assert!(run.cases[0].attachments().is_empty());
    let notes = notes(&run);
    assert_eq!(notes.len(), 4, "{notes:?}");
    assert!(notes[0].contains("\"./secret-file.txt\" refused"));
    assert!(notes[1].contains("\"nested/path/secret-file.txt\" refused"));
    assert!(notes[2].contains("no source"));
    assert!(notes[3].contains("not found"));
}

/// Reads a results directory holding only `result` (a fixture whose attachment points at
/// `../secret-file.txt`), next to which that secret file exists.
fn read_traversal(result: &str, name_in_results: &str, secret: &str) -> TestRun {
    let outer = tempfile::tempdir().unwrap();
    let results = outer.path().join("allure-results");
    std::fs::create_dir(&results).unwrap();
    std::fs::copy(fixture(result), results.join(name_in_results)).unwrap();
    std::fs::copy(fixture(secret), outer.path().join("secret-file.txt")).unwrap();
    read(&results)
}

#[test]
fn allure2_path_traversal_is_refused() {
    let run = read_traversal(
        "allure2/text-attachment-path-traversal.json",
        "a-result.json",
        "allure2/secret-file.txt",
    );
    assert!(run.cases[0].attachments().is_empty());
    assert!(notes(&run)[0].contains("\"../secret-file.txt\" refused"));
}

#[cfg(unix)]
#[test]
fn allure2_symlinked_attachment_is_refused() {
    let dir = results_dir(&[
        ("allure2/text-attachment-link.json", "a-result.json"),
        ("allure2/secret-file.txt", "secret-file.txt"),
    ]);
    std::os::unix::fs::symlink(
        dir.path().join("secret-file.txt"),
        dir.path().join("link.txt"),
    )
    .unwrap();
    let run = read(dir.path());
    assert!(run.cases[0].attachments().is_empty());
    assert!(notes(&run)[0].contains("symbolic link"));
}

#[test]
fn allure2_relative_results_path_resolves_attachments() {
    let outer = tempfile::tempdir().unwrap();
    let results = outer.path().join("allure-results");
    std::fs::create_dir(&results).unwrap();
    std::fs::copy(
        fixture("allure2/text-attachment-link.json"),
        results.join("a-result.json"),
    )
    .unwrap();
    std::fs::copy(
        fixture("allure2/test-sample-attachment.txt"),
        results.join("link.txt"),
    )
    .unwrap();
    let run = read(&results.join("..").join("allure-results"));
    assert_eq!(
        attachment_names(&run.cases[0]),
        ["String attachment in test.txt"]
    );
}

#[test]
fn allure2data_directory() {
    let run = read(&fixture("allure2data"));
    let mut names: Vec<&str> = run.cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    // Two results share a uuid but not a historyId/name: still two tests.
    assert_eq!(
        names,
        [
            "shouldCreate",
            "shouldDelete",
            "shouldMainTest",
            "shouldNotCreate"
        ]
    );
    assert!(run.cases.iter().all(|c| *c.outcome() == Outcome::Passed));
    let main = run
        .cases
        .iter()
        .find(|c| c.name == "shouldMainTest")
        .unwrap();
    assert_eq!(main.classname.as_deref(), Some("io.qameta.allure.MainTest"));
    assert_eq!(*main.suite_path, ["My suite"]);
    assert_eq!(main.history_id(), Some("first"));
    let parsed = run
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Parsed { .. }))
        .count();
    assert_eq!(parsed, 4);
}

#[test]
fn demo_report_counts_retries_and_missing_attachments() {
    // Expected numbers computed independently from the 30 result files with jq
    // (historyId, status): 9 retried pairs, 7 single results with a history id, 5 without.
    let run = read(&fixture("demo"));
    let c = run.counts();
    assert_eq!(
        (c.total, c.passed, c.failed, c.error, c.skipped, c.flaky),
        (21, 13, 5, 1, 2, 1)
    );
    let flaky = run.cases.iter().find(|c| c.flaky).unwrap();
    assert_eq!(flaky.name, "Closing new issue for authorized user");
    assert_eq!(flaky.attempts.len(), 2);
    assert_eq!(
        flaky
            .attempts
            .iter()
            .map(|a| a.outcome.kind())
            .collect::<Vec<_>>(),
        [OutcomeKind::Failed, OutcomeKind::Passed]
    );
    let unknown = run
        .cases
        .iter()
        .find(|c| c.history_id() == Some("demo-status-unknown-history"))
        .unwrap();
    assert_eq!(skipped_message(unknown), "allure status unknown");
    let broken = run
        .cases
        .iter()
        .find(|c| c.history_id() == Some("demo-status-broken-history"))
        .unwrap();
    assert_eq!(broken.outcome().kind(), OutcomeKind::Error);
    // The four attachments PROVENANCE.md says are absent are noted, not attached.
    let notes = notes(&run);
    for missing in [
        "attachment-html-over-limit.html",
        "attachment-html-jquery.html",
        "attachment-html-searchable-table.html",
        "attachment-html-xss-probe.html",
    ] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(missing) && n.contains("not found")),
            "{missing}: {notes:?}"
        );
    }
    // Containers, attachments, categories/executor/launch/environment and history/ files are
    // side files, never "unknown".
    for f in &run.files {
        if let FileStatus::Skipped { reason } = &f.status {
            assert!(
                reason.starts_with("allure side file"),
                "{}: {reason}",
                f.path.display()
            );
        }
    }
}

// ---- Allure 1 (Allure1PluginTest) ----

fn allure1(file: &str) -> TestRun {
    let dir = results_dir(&[(file, "a-testsuite.xml")]);
    read(dir.path())
}

fn by_name<'a>(run: &'a TestRun, name: &str) -> &'a TestCase {
    run.cases.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn allure1_empty_or_invalid_status_is_unknown() {
    let run = allure1("allure1/empty-status-testsuite.xml");
    assert_eq!(run.cases.len(), 4);
    assert!(skipped_message(by_name(&run, "testOne")).starts_with("allure status unknown"));
    assert!(skipped_message(by_name(&run, "testFour")).starts_with("allure status unknown"));
    assert_eq!(*by_name(&run, "testTwo").outcome(), Outcome::Passed);
    assert_eq!(
        by_name(&run, "testThree").outcome().kind(),
        OutcomeKind::Failed
    );
}

#[test]
fn allure1_sample_suite_has_four_tests_with_issue_and_tms_links() {
    let run = allure1("allure1/sample-testsuite.xml");
    assert_eq!(run.cases.len(), 4);
    let four = by_name(&run, "testFour");
    let link = |kind: &str, name: &str| Link {
        kind: kind.into(),
        name: Some(name.into()),
        url: None,
    };
    assert_eq!(
        four.links(),
        [
            link("issue", "JIRA-1"),
            link("issue", "JIRA-2"),
            link("tms", "TMS-1")
        ]
    );
    assert_eq!(
        four.classname.as_deref(),
        Some("my.company.AlwaysPassingTest")
    );
    assert_eq!(*four.suite_path, ["my.company.AlwaysPassingTest"]);
    // Suite labels are copied onto every test.
    assert!(
        four.labels()
            .iter()
            .any(|l| l.name == "story" && l.value == "SuccessStory")
    );
    assert_eq!(four.attempts[0].source.format, Format::Allure1);
}

#[test]
fn allure1_duplicated_parameters_are_dropped() {
    let run = allure1("allure1/duplicated-params.xml");
    assert_eq!(
        params(&run.cases[0]),
        [
            ("name", "value"),
            ("name", "value2"),
            ("name2", "value"),
            ("name2", "value2")
        ]
    );
}

#[test]
fn allure1_attachment_and_flaky_label() {
    let dir = results_dir(&[
        ("allure1/suite-with-attachments.xml", "a-testsuite.xml"),
        ("allure1/sample-attachment.txt", "sample-attachment.txt"),
    ]);
    let run = read(dir.path());
    assert_eq!(run.cases.len(), 1);
    let case = &run.cases[0];
    assert_eq!(attachment_names(case), ["some-attachment.txt"]);
    assert!(case.flaky);
    assert_eq!(*case.suite_path, ["my.company.AlwaysPassingTest"]);
}

#[test]
fn allure1_test_class_label_gives_the_full_name() {
    let run = allure1("allure1/packages-testsuite.xml");
    assert_eq!(
        run.cases[0].full_name(),
        Some("my.company.package.subpackage.MyClass.testThree")
    );
}

#[test]
fn allure1_history_id_label() {
    let run = allure1("allure1/history-id-label.xml");
    assert_eq!(by_name(&run, "test1").history_id(), Some("something"));
    assert_eq!(by_name(&run, "test2").history_id(), None);
}

#[test]
fn allure1_null_parameter_names_and_values_read_as_empty() {
    let run = allure1("allure1/empty-parameter-value.xml");
    assert_eq!(
        params(&run.cases[0]),
        [
            ("parameterArgument", ""),
            ("parameter", "default"),
            ("invalid", ""),
            ("", "")
        ]
    );
}

#[test]
fn allure1_empty_lists_and_parameterised_tests() {
    assert_eq!(allure1("allure1/empty-lists.xml").cases.len(), 1);
    let run = allure1("allure1/suite-with-parameters.xml");
    // Same name, different parameter: two tests, not one retried.
    assert_eq!(run.cases.len(), 2);
    assert_eq!(params(&run.cases[1]), [("param1", "2")]);
}

#[test]
fn allure1_path_traversal_is_refused() {
    let run = read_traversal(
        "allure1/text-attachment-path-traversal.xml",
        "a-testsuite.xml",
        "allure1/secret-file.txt",
    );
    assert!(run.cases[0].attachments().is_empty());
    assert!(notes(&run)[0].contains("refused"));
}

#[test]
fn allure1_json_suite_is_noted_not_read() {
    let dir = results_dir(&[("allure1/sample-testsuite.json", "a-testsuite.json")]);
    let run = collect(&InputOptions {
        patterns: vec![dir.path().display().to_string()],
        allow_empty: true,
        strict: false,
    })
    .unwrap();
    assert!(run.cases.is_empty());
    assert!(matches!(
        &run.files[0].status,
        FileStatus::Skipped { reason } if reason.contains("Allure 1 JSON")
    ));
}

#[test]
fn allure1data_directory() {
    let run = read(&fixture("allure1data"));
    let c = run.counts();
    // 7 XML suites; counts checked against the status attributes with grep (broken = error,
    // canceled/pending/skipped = skipped).
    assert_eq!(
        (c.total, c.passed, c.failed, c.error, c.skipped),
        (19, 9, 4, 4, 2)
    );
    let failed = by_name(&run, "longAssertionTest");
    let failure = failed.outcome().failure().unwrap();
    assert!(
        failure
            .message
            .read()
            .as_deref()
            .unwrap()
            .starts_with("AssertionError:")
    );
    assert!(
        failure
            .details
            .read()
            .as_deref()
            .unwrap()
            .contains("at my.company.ManyInfoTest.longAssertionTest")
    );
    // Environment-variable parameters are run context, not identity.
    assert!(failed.parameters().is_empty());
    assert_eq!(attachment_names(failed), ["System Environment.txt"]);
    let title_with_entities = by_name(&run, "attachmentsTest");
    assert_eq!(title_with_entities.attachments().len(), 5);
    assert_eq!(
        run.cases
            .iter()
            .filter(|c| c.attempts[0].source.format == Format::Allure1)
            .count(),
        19
    );
}
