//! Native-format files copied from upstream projects (fixtures/{testng-plugin,
//! test-results-parser, robotframework, cucumber-json-converter, behave2cucumber,
//! xray-code-snippets}/, see each PROVENANCE.md): every one is sniffed as its format, and where
//! upstream tests publish counts (MANIFEST.tsv column 5) the reader gives them.
//!
//! Counts are per result record as the reader emits them (before the run-level merge), since
//! that is what upstream counts; TestNG configuration failures (property `testng.config`), which
//! are extra results here, are left out of the test counts.

use std::path::{Path, PathBuf};

use xray_sync::ingest::{InputOptions, collect, cucumber, robot, testng};
use xray_sync::mapping::Mapper;
use xray_sync::model::{FileStatus, Format, OutcomeKind, ReadText, TestCase};
use xray_sync::plan::{IdentitySource, TestIdentity};
use xray_sync::settings::{MappingSettings, UnmappedPolicy};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// (passed, failed, error, skipped).
fn counts(cases: &[TestCase]) -> (usize, usize, usize, usize) {
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

fn testng_tests(rel: &str) -> Vec<TestCase> {
    testng::parse_path(&fixture(rel))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|c| c.property("testng.config").is_none())
        .collect()
}

fn robot_tests(rel: &str) -> Vec<TestCase> {
    robot::parse_path(&fixture(rel)).unwrap_or_else(|e| panic!("{e}"))
}

fn cucumber_tests(rel: &str) -> cucumber::Parsed {
    cucumber::parse_path(&fixture(rel)).unwrap_or_else(|e| panic!("{e}"))
}

/// Every data file of the copied folders is sniffed as its format by `collect`.
#[test]
fn every_copied_file_is_sniffed_as_its_format() {
    let expect: &[(&str, Format)] = &[
        ("testng-plugin", Format::Testng),
        ("test-results-parser/testng", Format::Testng),
        ("test-results-parser/robot", Format::Robot),
        ("test-results-parser/cucumber", Format::Cucumber),
        ("robotframework/rebot", Format::Robot),
        ("robotframework/output", Format::Robot),
        ("robotframework/result", Format::Robot),
        ("robotframework/golden_suite", Format::Robot),
        ("cucumber-json-converter", Format::Cucumber),
        ("xray-code-snippets", Format::Cucumber),
    ];
    for (dir, format) in expect {
        let run = collect(&InputOptions {
            patterns: vec![fixture(dir).display().to_string()],
            allow_empty: false,
            strict: false,
        })
        .unwrap_or_else(|e| panic!("{dir}: {e}"));
        let mut parsed = 0;
        for f in &run.files {
            let name = f.path.display().to_string();
            if name.ends_with(".md") || name.ends_with("LICENSE") || name.ends_with(".tsv") {
                continue;
            }
            match &f.status {
                FileStatus::Parsed { format: got, .. } => {
                    assert_eq!(got, format, "{name}");
                    parsed += 1;
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(parsed > 0, "{dir}");
    }
    // behave2cucumber: behave input files are Behave; its converter outputs are Cucumber-shaped.
    let run = collect(&InputOptions {
        patterns: vec![fixture("behave2cucumber").display().to_string()],
        allow_empty: false,
        strict: true,
    })
    .unwrap();
    for f in &run.files {
        let name = f.path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let want = if name == "behave.json" || name == "autoretry.json" {
            Format::Behave
        } else {
            Format::Cucumber
        };
        assert!(
            matches!(f.status, FileStatus::Parsed { format, .. } if format == want),
            "{name}: {:?}",
            f.status
        );
    }
}

#[test]
fn testng_plugin_counts() {
    // Header total=526 passed=526.
    assert_eq!(
        counts(&testng_tests("testng-plugin/testng-results-testng.xml")),
        (526, 0, 0, 0)
    );
    // ClassResultTest: 36 PASS, 1 FAIL, 1 SKIP test methods.
    assert_eq!(
        counts(&testng_tests("testng-plugin/testng-precheckins.xml")),
        (36, 1, 0, 1)
    );
    // Data-provider rows: 4 PASS, 4 FAIL, each row its own result with its parameters.
    let dp = testng_tests("testng-plugin/testng-dp-result.xml");
    assert_eq!(counts(&dp), (4, 4, 0, 0));
    assert!(dp.iter().all(|c| !c.parameters().is_empty()));
    let instances = testng_tests("testng-plugin/testng-instance-name.xml");
    assert_eq!(counts(&instances), (13, 0, 0, 0));
    // Factory instances of one method stay apart by their `test-instance-name`.
    let named: Vec<_> = instances
        .iter()
        .filter(|c| c.name == "factoryTest1")
        .filter_map(|c| c.parameters().first())
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        named,
        [("instance", "FACTORY_VMFS"), ("instance", "FACTORY_NFS")]
    );
    let exp = testng_tests("testng-plugin/testng-xml-exp-msg.xml");
    assert_eq!(counts(&exp), (0, 1, 0, 0));
    assert!(
        exp[0]
            .outcome()
            .failure()
            .unwrap()
            .message
            .read()
            .unwrap()
            .contains('<'),
        "the HTML inside the CDATA message is kept as text"
    );
    let log = testng_tests("testng-plugin/testng-reporter-log-result.xml");
    assert_eq!(counts(&log), (1, 1, 0, 0));
    let failed = log
        .iter()
        .find(|c| c.outcome().kind() == OutcomeKind::Failed)
        .unwrap();
    assert_eq!(
        failed.attempts[0].system_out.read().as_deref(),
        Some("Some Reporter.log() statement\nAnother Reporter.log() statement")
    );
    assert_eq!(
        counts(&testng_tests("testng-plugin/testng-same-test-name.xml")),
        (4, 0, 0, 0)
    );
    let html = testng_tests("testng-plugin/testng-description-html.xml");
    assert_eq!(counts(&html), (1, 0, 0, 0));
    assert!(
        html[0]
            .property("test_description")
            .unwrap()
            .contains("<a href=")
    );
}

#[test]
fn test_results_parser_counts() {
    // "total 6 ('retries are removed from total'), passed 4, failed 2, retried 2": 8 records,
    // the 2 retried tries being failed attempts (4 passed, 2 failed, 2 retried-and-failed).
    let retries = testng_tests("test-results-parser/testng/multiple-suites-retries.xml");
    assert_eq!(retries.len(), 8);
    assert_eq!(counts(&retries), (4, 4, 0, 0));
    // Merged: the identity is class + method (as Xray's TestNG import), so the two <test>
    // blocks (desktop-chrome, mobile-ios) running the same 3 methods give 3 tests, every
    // sighting an attempt; the retried ones stay visible as failed attempts.
    let run = collect(&InputOptions {
        patterns: vec![
            fixture("test-results-parser/testng/multiple-suites-retries.xml")
                .display()
                .to_string(),
        ],
        allow_empty: false,
        strict: true,
    })
    .unwrap();
    let merged: Vec<TestCase> = run
        .cases
        .into_iter()
        .filter(|c| c.property("testng.config").is_none())
        .collect();
    assert_eq!(merged.len(), 3);
    assert_eq!(merged.iter().map(|c| c.attempts.len()).sum::<usize>(), 8);
    // Upstream's parser counts 20 here and says itself it double counts ("shouldn't this be
    // 10 (5+5)?"): the file holds 10 results, FAIL,PASS,PASS,FAIL,FAIL and FAIL,PASS,PASS,FAIL,SKIP.
    assert_eq!(
        counts(&testng_tests(
            "test-results-parser/testng/single-suite-multiple-tests.xml"
        )),
        (4, 5, 0, 1)
    );
    assert_eq!(
        counts(&testng_tests(
            "test-results-parser/testng/multiple-suites-multiple-tests.xml"
        )),
        (8, 0, 0, 0)
    );
    // c4 carries an <exception> although its status is PASS: the status decides.
    assert_eq!(
        counts(&testng_tests("test-results-parser/testng/single-suite.xml")),
        (4, 0, 0, 0)
    );
    assert!(testng_tests("test-results-parser/testng/empty-suite.xml").is_empty());

    let skipped = cucumber_tests("test-results-parser/cucumber/test-with-skipped-steps.json");
    assert_eq!(counts(&skipped.cases), (0, 1, 0, 0));
    let all_skipped = cucumber_tests("test-results-parser/cucumber/skipped-scenario.json");
    assert_eq!(counts(&all_skipped.cases), (0, 0, 0, 1));
    let hooks = cucumber_tests("test-results-parser/cucumber/test-with-before-and-after.json");
    assert_eq!(counts(&hooks.cases), (1, 0, 0, 0));
    // "case[0] has 3 attachments (a PNG and a JSON embedding on step …)".
    let attached = cucumber_tests("test-results-parser/cucumber/test-with-attachments.json");
    assert_eq!(attached.cases[0].attachments().len(), 3);
}

#[test]
fn robotframework_counts() {
    for (file, expected) in [
        ("robotframework/rebot/output-3.2.2.xml", (172, 10, 0, 0)),
        ("robotframework/rebot/output-4.0.xml", (172, 10, 0, 0)),
        ("robotframework/rebot/output-5.0.xml", (175, 10, 0, 0)),
        ("robotframework/rebot/suite_only.xml", (179, 10, 0, 3)),
    ] {
        assert_eq!(counts(&robot_tests(file)), expected, "{file}");
    }
    let legacy = robot_tests("robotframework/output/legacy.xml");
    let names: Vec<_> = legacy.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Passing",
            "Failing",
            "Failing setup",
            "Failing teardown",
            "Controls",
            "Embedded",
            "Warning"
        ]
    );
    // Robot's own execution errors (a suite file it could not parse, a library it could not
    // import) are notes: tests may be missing from the results.
    let (_, notes) =
        robot::parse_path_noted(&fixture("robotframework/rebot/output-5.0.xml")).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Importing library 'DummyLib' failed")),
        "{notes:?}"
    );
    let golden = robot_tests("robotframework/result/golden.xml");
    assert_eq!(counts(&golden), (1, 0, 0, 0));
    assert_eq!(golden[0].name, "First One");
    assert_eq!(golden[0].labels()[0].value, "t1");
    // Robot's own reader applies the failed suite teardown to the tests; so does ours.
    let teardown = robot_tests("robotframework/result/suite_teardown_failed.xml");
    let message = |name: &str| {
        teardown
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.outcome().failure())
            .and_then(|f| f.message.read())
    };
    assert_eq!(
        message("Pass").as_deref(),
        Some("Parent suite teardown failed:\nXXX")
    );
    assert_eq!(
        message("Fail").as_deref(),
        Some("Message\n\nAlso parent suite teardown failed:\nXXX")
    );
}

#[test]
fn behave2cucumber_counts() {
    // "4 scenarios: 2 passed, 1 failed, 1 skipped".
    let p = cucumber_tests("behave2cucumber/behave.json");
    assert_eq!(p.format, Some(Format::Behave));
    assert_eq!(counts(&p.cases), (2, 1, 0, 1));
    // @autoretry: the same scenario three times (failed, failed, passed) → one flaky test.
    let run = collect(&InputOptions {
        patterns: vec![
            fixture("behave2cucumber/autoretry.json")
                .display()
                .to_string(),
        ],
        allow_empty: false,
        strict: true,
    })
    .unwrap();
    let retried: Vec<_> = run.cases.iter().filter(|c| c.attempts.len() == 3).collect();
    assert_eq!(retried.len(), 1);
    assert!(retried[0].flaky);
}

/// Xray's own sample: 5 outline rows, all passed, tagged `@TEST_CALC_8887` (Xray's export form
/// with an underscore) under a feature tagged `@REQ_CALC_8886`.
#[test]
fn xray_sample_rows_map_to_the_tagged_test() {
    let p = cucumber_tests("xray-code-snippets/cucumber.json");
    assert_eq!(counts(&p.cases), (5, 0, 0, 0));
    let mapper = Mapper::new(&MappingSettings {
        project_keys: vec!["CALC".into()],
        allure_labels: vec![],
        underscore_keys: false,
        table: vec![],
        unmapped: UnmappedPolicy::Create,
        iterations: Default::default(),
    })
    .unwrap();
    for case in &p.cases {
        let mapped = mapper.map(case, &mut Vec::new());
        assert_eq!(mapped.source, IdentitySource::Tag);
        assert!(matches!(&mapped.identity, TestIdentity::Key(k) if k.as_str() == "CALC-8887"));
    }
    let rows: std::collections::BTreeSet<_> = p
        .cases
        .iter()
        .map(|c| c.parameters()[0].value.clone())
        .collect();
    assert_eq!(rows.len(), 5, "each row keeps its own parameter");
}

/// cucumber-json-converter ran the same 11 features with cucumber-js, cucumber-jvm and
/// cucumber-ruby; upstream only asserts which implementation wrote each file. The three JSON
/// shapes must give the same tests and outcomes, except where the runners themselves wrote
/// different step results: the `flaky` and `skipped` step definitions were not implemented for
/// cucumber-js/jvm (their files say `undefined`), and cucumber-ruby ran with `--retry` (a failed
/// then a passed try: one flaky test).
#[test]
fn cucumber_implementations_agree() {
    let features = [
        "failing-after-hook",
        "failing-background-with-two-scenarios",
        "failing-before-hook-with-background",
        "failing-passing-pending-scenarios",
        "flaky-scenario",
        "one-skipped-scenario",
        "one-undefined-scenario",
        "scenario-outline",
        "scenario-outline-nn",
        "step-with-arguments",
        "tagged-feature",
    ];
    let merged = |rel: &str| {
        let run = collect(&InputOptions {
            patterns: vec![fixture(rel).display().to_string()],
            allow_empty: false,
            strict: true,
        })
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let c = run.counts();
        (c.total, c.passed, c.failed, c.error, c.skipped, c.flaky)
    };
    for feature in features {
        let [js, jvm, ruby] = [
            "cucumber-js/7.3.2",
            "cucumber-jvm/7.2.3",
            "cucumber-ruby/7.1.0",
        ]
        .map(|imp| merged(&format!("cucumber-json-converter/{imp}/{feature}.json")));
        match feature {
            "flaky-scenario" => {
                assert_eq!(js, (1, 0, 0, 1, 0, 0), "{feature}: undefined step");
                assert_eq!(jvm, js, "{feature}");
                assert_eq!(ruby, (1, 1, 0, 0, 0, 1), "{feature}: retried, then passed");
            }
            "one-skipped-scenario" => {
                assert_eq!(js, (1, 0, 0, 0, 1, 0), "{feature}");
                assert_eq!(ruby, js, "{feature}");
                assert_eq!(jvm, (1, 0, 0, 1, 0, 0), "{feature}: jvm wrote undefined");
            }
            _ => {
                assert_eq!(jvm, js, "{feature}: jvm vs js");
                assert_eq!(ruby, js, "{feature}: ruby vs js");
            }
        }
    }
    // Outline rows are separate results of one test; a failed row fails, a pending one errs.
    assert_eq!(
        merged("cucumber-json-converter/cucumber-js/7.3.2/scenario-outline.json"),
        (3, 1, 1, 1, 0, 0)
    );
    // cucumber-ruby 2 without --expand: one outline element, no result per row. Nothing can be
    // told about the rows; the outline is one skipped result, with a note saying why.
    let unexpanded =
        cucumber_tests("cucumber-json-converter/cucumber-ruby/2.0.0/scenario-outline.json");
    assert_eq!(counts(&unexpanded.cases), (0, 0, 0, 1));
    assert!(
        unexpanded.notes[0].contains("--expand"),
        "{:?}",
        unexpanded.notes
    );
    // Nor does cucumber-ruby 2 write the failed before hook: every step says `skipped`.
    let hook = cucumber_tests(
        "cucumber-json-converter/cucumber-ruby/2.0.0/failing-before-hook-with-background.json",
    );
    assert_eq!(counts(&hook.cases), (0, 0, 0, 1));
    // The older versions agree with the newer ones on the features they cover.
    for feature in [
        "scenario-outline",
        "tagged-feature",
        "failing-before-hook-with-background",
    ] {
        let new = merged(&format!(
            "cucumber-json-converter/cucumber-jvm/7.2.3/{feature}.json"
        ));
        for old in ["cucumber-js/2.0.0", "cucumber-jvm/4.8.1"] {
            assert_eq!(
                merged(&format!("cucumber-json-converter/{old}/{feature}.json")),
                new,
                "{old}/{feature}"
            );
        }
    }
}

/// Sniffing claims only what its reader reads: an empty or foreign JSON array and a `<suite>`
/// without Robot's `id` are not taken for Cucumber or Robot; a truncated TestNG or Robot file is
/// a bad file naming its line, never a silent success.
#[test]
fn sniffing_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let files = [
        write("empty.json", "[]"),
        write("other.json", r#"[{"a": 1}]"#),
        write("suite.xml", r#"<suite name="x"/>"#),
        write(
            "cut-testng.xml",
            "<testng-results>\n<suite name=\"s\">\n<test name=\"t\">\n<class name=\"C\">\n<test-method status=\"PASS\" name=\"m\">",
        ),
        write(
            "cut-robot.xml",
            "<robot>\n<suite id=\"s1\" name=\"S\">\n<test id=\"t1\" name=\"T\">",
        ),
        write(
            "cut.json",
            "[{\"uri\": \"f\",\n \"elements\": [\n{\"name\": ",
        ),
    ];
    let run = collect(&InputOptions {
        patterns: files.to_vec(),
        allow_empty: true,
        strict: false,
    })
    .unwrap();
    let status = |name: &str| {
        &run.files
            .iter()
            .find(|f| f.path.ends_with(name))
            .unwrap()
            .status
    };
    for name in ["empty.json", "other.json", "suite.xml"] {
        assert!(
            !matches!(
                status(name),
                FileStatus::Parsed {
                    format: Format::Cucumber | Format::Behave | Format::Robot,
                    ..
                }
            ),
            "{name}: {:?}",
            status(name)
        );
    }
    for (name, line) in [("cut-testng.xml", 5), ("cut-robot.xml", 3), ("cut.json", 3)] {
        match status(name) {
            FileStatus::Failed { error, .. } => {
                assert_eq!(error.line, Some(line), "{name}: {error}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// A cut file keeps what was read completely before the cut (`salvage_path`), with the error:
/// the generated files cut after their n-th closed test.
#[test]
fn salvage_keeps_the_tests_closed_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let cut = |rel: &str, closing: &str, n: usize| {
        let text = std::fs::read_to_string(fixture(rel)).unwrap();
        let end = text
            .match_indices(closing)
            .nth(n - 1)
            .map(|(i, m)| i + m.len())
            .unwrap();
        let path = dir.path().join(rel.replace('/', "-"));
        std::fs::write(&path, &text[..end]).unwrap();
        path
    };
    let robot = cut("generated-robot/output.xml", "</test>", 5);
    let (cases, error) = robot::salvage_path(&robot);
    assert_eq!(cases.len(), 5);
    assert!(error.unwrap().message.contains("truncated"));

    // 4 test methods closed (the class being read is flushed too), 2 of them configuration
    // methods: the failed connectDatabase and a skipped openSession that is dropped.
    let testng = cut("generated-testng/testng-results.xml", "</test-method>", 4);
    let (cases, error) = testng::salvage_path(&testng);
    let names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["storesResult", "connectDatabase", "openSession"]);
    assert!(error.is_some());

    let json = cut("generated-behave/behave.json", "\n}", 1);
    let (parsed, error) = cucumber::salvage_path(&json);
    assert_eq!(
        parsed.cases.len(),
        7,
        "the one feature closed before the cut"
    );
    assert!(error.is_some());
}
