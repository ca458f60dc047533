//! The real-file corpus under fixtures/junit: every JUnit input parses or fails cleanly, the
//! EnricoMi (publish-unit-test-result-action) inputs match their expected-result sidecars,
//! and selected dialect details from the other sources hold.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use xray_sync::ingest::junit::{self, looks_like_junit};
use xray_sync::model::{Attachment, Outcome, OutcomeKind, ReadText, TestCase};

use crate::sidecar;
use sidecar::py_value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junit")
}

fn files_with_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_with_ext(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
}

fn parse(rel: &str) -> Vec<TestCase> {
    let path = root().join(rel);
    junit::parse_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(cases: &'a [TestCase], name: &str) -> &'a TestCase {
    cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no test named {name:?}"))
}

/// Counts as EnricoMi reports them: tests_succ, tests_skip, tests_fail, tests_error.
fn counts(cases: &[TestCase]) -> [u64; 4] {
    let mut c = [0; 4];
    for case in cases {
        let slot = match case.outcome().kind() {
            OutcomeKind::Passed => 0,
            OutcomeKind::Skipped => 1,
            OutcomeKind::Failed => 2,
            OutcomeKind::Error => 3,
        };
        c[slot] += 1;
    }
    c
}

/// Inputs where we differ from EnricoMi on principle; each says why.
const SIDECAR_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "junit-xml/no-cases-but-tests.xml",
        "counts: upstream trusts the suite's tests=/failures= attributes with no <testcase>; \
         we never invent tests from counters",
    ),
    (
        "junit-xml/no-attributes.xml",
        "names: upstream drops nameless <testcase/> from its case list (counts still match)",
    ),
];

fn exception_for(rel: &str) -> Option<&'static str> {
    SIDECAR_EXCEPTIONS
        .iter()
        .find(|(path, _)| *path == rel)
        .map(|(_, why)| *why)
}

/// `(class_name, test_name)` of every case in a `.results` pprint.
fn sidecar_names(results: &str) -> BTreeSet<(String, String)> {
    results
        .split("UnitTestCase(")
        .skip(1)
        .map(|case| {
            let field = |key: &str| {
                let at = case.find(&format!("\n      {key}=")).expect(key) + key.len() + 8;
                py_value(&case[at..]).unwrap_or_default()
            };
            (field("class_name"), field("test_name"))
        })
        .collect()
}

fn json_u64(stats: &serde_json::Value, key: &str) -> u64 {
    stats[key].as_u64().unwrap_or_else(|| panic!("stats.{key}"))
}

#[test]
fn enricomi_inputs_match_their_sidecars() {
    let base = root().join("publish-unit-test-result-action");
    let mut inputs = Vec::new();
    files_with_ext(&base, "xml", &mut inputs);
    let mut checked = 0;
    for input in &inputs {
        let rel = input
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if ["nunit/", "xunit/", "trx/"]
            .iter()
            .any(|t| rel.starts_with(t))
        {
            continue; // .NET formats: tests/integration/dotnet_corpus.rs
        }
        let sidecar = input.with_extension("results.json");
        let results = input.with_extension("results");
        let parsed = junit::parse_path(input);
        let stats: Option<serde_json::Value> = fs::read_to_string(&sidecar)
            .ok()
            .map(|s| serde_json::from_str::<serde_json::Value>(&s).unwrap()["stats"].clone());
        let upstream_failed = stats
            .as_ref()
            .is_none_or(|s| s["errors"].as_array().is_some_and(|e| !e.is_empty()));
        if upstream_failed {
            assert!(
                input.with_extension("exception").exists() || stats.is_some(),
                "{rel}: no sidecar at all"
            );
            let err = parsed.expect_err(&rel);
            assert_eq!(err.path, *input, "{rel}");
            assert!(
                err.line.is_some() || err.offset.is_some(),
                "{rel}: error without a location: {err}"
            );
            assert!(!err.message.is_empty(), "{rel}");
            checked += 1;
            continue;
        }
        let stats = stats.unwrap();
        let cases = parsed.unwrap_or_else(|e| panic!("{rel}: {e}"));
        let exception = exception_for(&rel);
        let want = [
            json_u64(&stats, "tests_succ"),
            json_u64(&stats, "tests_skip"),
            json_u64(&stats, "tests_fail"),
            json_u64(&stats, "tests_error"),
        ];
        if !exception.is_some_and(|why| why.starts_with("counts")) {
            assert_eq!(counts(&cases), want, "{rel}: passed/skipped/failed/error");
            assert_eq!(
                cases.len() as u64,
                json_u64(&stats, "tests"),
                "{rel}: tests"
            );
        }
        if !exception.is_some_and(|why| why.starts_with("names")) {
            let want = sidecar_names(&fs::read_to_string(&results).unwrap());
            let got: BTreeSet<(String, String)> = cases
                .iter()
                .map(|c| {
                    (
                        c.classname.as_deref().unwrap_or_default().to_string(),
                        c.name.clone(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{rel}: test names");
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} EnricoMi inputs checked");
}

#[test]
fn every_corpus_file_parses_or_fails_cleanly() {
    let mut inputs = Vec::new();
    files_with_ext(&root(), "xml", &mut inputs);
    assert!(inputs.len() > 150, "corpus went missing: {}", inputs.len());
    let mut parsed = 0;
    for input in &inputs {
        let head = fs::read(input).unwrap();
        let sniffed = looks_like_junit(&head[..head.len().min(4096)]);
        match junit::parse_path(input) {
            Ok(cases) => {
                parsed += 1;
                assert!(sniffed, "{}: parsed but not sniffed", input.display());
                for case in &cases {
                    assert!(!case.attempts.is_empty());
                }
            }
            Err(e) => assert_eq!(e.path, *input),
        }
    }
    assert!(parsed > 150, "only {parsed} files parsed");
}

#[test]
fn nextest_retries_become_attempts() {
    let cases = parse("nextest/fixture-project-junit.xml");
    let failing = find(&cases, "test_failure_assert");
    assert_eq!(failing.attempts.len(), 3);
    assert!(failing.attempts.iter().all(|a| a.outcome.is_failure()));
    assert!(!failing.flaky);
    let started: Vec<_> = failing.attempts.iter().map(|a| a.started_at).collect();
    assert!(started.iter().all(Option::is_some));
    assert!(started.windows(2).all(|w| w[0] <= w[1]));
    let flaky: Vec<&TestCase> = cases.iter().filter(|c| c.flaky).collect();
    assert!(!flaky.is_empty(), "nextest fixture has a flaky test");
    for case in flaky {
        assert_eq!(*case.outcome(), Outcome::Passed);
        assert_eq!(case.attempts.last().unwrap().outcome, Outcome::Passed);
    }
}

#[test]
fn surefire_flaky_failure_is_a_failed_try_before_the_pass() {
    let cases = parse("action-junit-report/test_results/maven_surefire_flaky/surefire-report.xml");
    let case = find(&cases, "createWebhook");
    assert!(case.flaky);
    assert_eq!(*case.outcome(), Outcome::Passed);
    assert_eq!(case.attempts.len(), 2);
    let failure = case.attempts[0].outcome.failure().unwrap();
    assert_eq!(
        failure.message.read().as_deref(),
        Some("\nExpected: <false>\n     but: was <true>")
    );
    assert_eq!(
        failure.kind.read().as_deref(),
        Some("java.lang.AssertionError")
    );
    assert!(
        failure
            .details
            .read()
            .as_deref()
            .unwrap()
            .contains("MatcherAssert.java:20")
    );
    assert_eq!(
        case.attempts[0].system_err.read().as_deref(),
        Some("Some error output here")
    );
}

#[test]
fn quick_junit_flaky_and_rerun_elements() {
    let cases = parse("quick-junit/basic_report.xml");
    assert_eq!(cases.len(), 8);
    let t4 = find(&cases, "testcase4");
    assert!(t4.flaky);
    assert_eq!(t4.attempts.len(), 3);
    assert_eq!(
        t4.attempts[1].system_out.read().as_deref(),
        Some("flaky system output")
    );
    let details = t4.attempts[1]
        .outcome
        .failure()
        .unwrap()
        .details
        .read()
        .unwrap();
    assert!(details.contains("flaky error description") && details.contains("flaky stack trace"));
    let t5 = find(&cases, "testcase5");
    assert_eq!(t5.attempts.len(), 3);
    assert_eq!(
        t5.outcome().kind(),
        OutcomeKind::Error,
        "worst of failure and rerun error"
    );
    assert!(!t5.flaky);
    let t6 = find(&cases, "testcase6");
    assert_eq!(t6.property("step"), Some("foobar"));
    assert_eq!(
        t6.property("env"),
        None,
        "suite properties are not copied into cases"
    );
    assert_eq!(t6.classname, None);
    assert_eq!(*t6.suite_path, ["testsuite0"]);
}

#[test]
fn xray_custom_junit_properties() {
    let cases = parse("xray-maven-plugin/reports/custom-junit-2026_03_19-12_18_44_991.xml");
    let case = cases
        .iter()
        .find(|c| {
            c.name == "junit_standard"
                && c.classname.as_deref()
                    == Some("app.getxray.xray.it.import_results.XrayDatacenterIT")
        })
        .unwrap();
    assert_eq!(case.property("requirements"), Some("XMP-2"));
    assert_eq!(case.property("test_summary"), Some("junit standard (DC)"));
    assert_eq!(case.property("_dummy_"), Some(""));
    assert_eq!(case.duration_secs(), Some(4.0));
    assert_eq!(
        case.started_at().map(|t| t.to_string()),
        Some("2026-03-19 12:12:16.67648 +00:00:00".to_string())
    );
    // The test passed: its system-out ("display-name: junit standard (DC)", …) was only
    // scanned for attachments and then dropped (see the junit module doc).
    assert_eq!(case.outcome().kind(), OutcomeKind::Passed);
    assert_eq!(case.attempts[0].system_out, None);
    assert!(
        case.properties()
            .iter()
            .all(|p| !p.name.starts_with("java."))
    );
}

#[test]
fn go_junit_report_outcomes() {
    let mut inputs = Vec::new();
    files_with_ext(&root().join("go-junit-report"), "xml", &mut inputs);
    let mut kinds = BTreeSet::new();
    for input in &inputs {
        for case in junit::parse_path(input).unwrap_or_else(|e| panic!("{e}")) {
            kinds.insert(case.outcome().kind());
            assert!(
                case.classname.is_some(),
                "{}: go tests have a package",
                input.display()
            );
        }
    }
    assert_eq!(kinds.len(), 4, "go corpus covers every outcome: {kinds:?}");
}

#[test]
fn action_junit_report_nested_suites() {
    let cases = parse("action-junit-report/test_results/nested/junit.xml");
    let paths: Vec<(Vec<String>, &str, OutcomeKind)> = cases
        .iter()
        .map(|c| (c.suite_path.to_vec(), c.name.as_str(), c.outcome().kind()))
        .collect();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        paths,
        vec![
            (
                s(&["All tests", "tests", "packet", "TestA"]),
                "A",
                OutcomeKind::Failed
            ),
            (
                s(&["All tests", "tests", "packet", "TestA"]),
                "B",
                OutcomeKind::Passed
            ),
            (
                s(&["All tests", "tests", "packet", "TestB"]),
                "A",
                OutcomeKind::Passed
            ),
            (
                s(&["All tests", "tests", "packet", "TestB"]),
                "B",
                OutcomeKind::Failed
            ),
            (
                s(&["All tests", "tests", "packet"]),
                "A",
                OutcomeKind::Failed
            ),
        ]
    );
}

#[test]
fn repeated_testcases_in_one_file_are_one_test_with_attempts() {
    let cases = parse("action-junit-report/test_results/junit-web-test/expectedRetries.xml");
    let retried = find(&cases, "retried flaky test");
    assert_eq!(retried.attempts.len(), 2);
    assert_eq!(
        retried.file(),
        Some("packages/test-runner-junit-reporter/test/fixtures/multiple/simple-test.js")
    );
    assert_eq!(retried.line(), Some(15));
}

#[test]
fn odd_attributes_from_real_files() {
    let cunit = parse("action-junit-report/test_results/cunit/testFailure.xml");
    assert_eq!(
        find(&cunit, "DefaultCtor_When_ShouldTest").duration_secs(),
        Some(1.7e-05)
    );
    let container = parse("action-junit-report/test_results/container-structure/test.xml");
    assert!(
        container
            .iter()
            .all(|c| c.duration_secs().is_none_or(|d| d < 100.0))
    );
    let status = parse("allure2/junitdata/TEST-status-attribute.xml");
    assert!(
        status
            .iter()
            .any(|c| c.outcome().kind() == OutcomeKind::Skipped)
    );
    let bazel = parse("publish-unit-test-result-action/junit-xml/bazel/suite-logs.xml");
    assert_eq!(bazel[0].outcome().kind(), OutcomeKind::Error);
    assert!(
        bazel[0]
            .attachments()
            .iter()
            .all(|a| matches!(a, Attachment::File { .. }))
    );
}

#[test]
fn corrupt_and_foreign_files_name_the_problem() {
    let base = root().join("publish-unit-test-result-action");
    let err = junit::parse_path(&base.join("junit-xml/non-junit.xml")).unwrap_err();
    assert!(
        err.message.contains("not JUnit: root element <suites>"),
        "{err}"
    );
    let err = junit::parse_path(&base.join("junit-xml/pytest/corrupt-xml.xml")).unwrap_err();
    assert!(err.line.is_some(), "{err}");
    let err = junit::parse_path(&base.join("xml/empty.xml")).unwrap_err();
    assert_eq!(err.message, "empty file");
    let err = junit::parse_path(&base.join("xml/not-existing.xml")).unwrap_err();
    assert!(err.message.starts_with("cannot open"), "{err}");
    let allure1 = root().join("allure2/junitdata/invalid.xml");
    if allure1.exists() {
        assert!(junit::parse_path(&allure1).is_err());
    }
}
