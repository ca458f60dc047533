//! Bad result files never give a green run (issue 11): a file that cannot be read is named with
//! its line, everything readable is still processed, sent and reported, and then the exit code
//! is 3 (`--allow-bad-files`: a warning and 0). A file cut short keeps the tests read before the
//! cut. Results in a format no reader handles are errors naming the format they looked like.
//! Runs the real binary (`support::e2e`).

use crate::support;

use support::e2e::*;

/// Three complete test cases, then the file stops inside the fourth (a test process that
/// crashed while writing its report).
const TRUNCATED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="calc" tests="4">
  <testcase classname="calc.Add" name="adds"/>
  <testcase classname="calc.Add" name="overflows"><failure message="boom">trace</failure></testcase>
  <testcase classname="calc.Sub" name="subtracts"><skipped/></testcase>
  <testcase classname="calc.Sub" name="underfl"#;

fn write(s: &Scratch, rel: &str, body: &str) {
    std::fs::write(s.path(rel), body).unwrap();
}

#[test]
fn parse_lists_the_tests_read_before_the_cut_and_exits_3() {
    let s = Scratch::new();
    write(&s, "results/TEST-cut.xml", TRUNCATED);

    let out = run(s.bin().args(["parse", "results/TEST-cut.xml"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stdout.contains("results/TEST-cut.xml:6: error:"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("3 test(s) read before the error were kept"),
        "{}",
        out.stdout
    );
    for listed in [
        "calc.Add.adds (passed)",
        "calc.Add.overflows (failed)",
        "calc.Sub.subtracts (skipped)",
    ] {
        assert!(out.stdout.contains(listed), "{listed}:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("underfl"), "{}", out.stdout);
    assert!(out.stdout.contains("total: 3 test(s)"), "{}", out.stdout);
    assert!(out.stderr.contains("--allow-bad-files"), "{}", out.stderr);

    // --json lists the same three tests, and says how many were salvaged from the file.
    let out = run(s.bin().args(["parse", "--json", "results/TEST-cut.xml"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["adds", "overflows", "subtracts"]);
    assert_eq!(v["files"][0]["status"], "failed");
    assert_eq!(v["files"][0]["salvaged"], 3);
    assert_eq!(v["files"][0]["error"]["line"], 6);

    // Allowed: the same output, a warning, exit 0 (flag or environment variable).
    let out = run(s
        .bin()
        .args(["parse", "--allow-bad-files", "results/TEST-cut.xml"]));
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stderr
            .contains("warning: 1 result file(s) could not be read"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("calc.Add.overflows (failed)"),
        "{}",
        out.stdout
    );
    let out = run(s
        .bin()
        .env("XRAY_SYNC_ALLOW_BAD_FILES", "true")
        .args(["parse", "results/TEST-cut.xml"]));
    assert_eq!(out.code, Some(0), "{}", out.text());
}

#[test]
fn dry_run_plans_the_good_file_and_exits_3_for_the_bad_one() {
    let s = Scratch::new();
    s.junit("TEST-good.xml", "GoodTest", 2, &failures(1));
    write(
        &s,
        "results/TEST-garbage.xml",
        "\u{0}\u{1}PK binary, not XML",
    );

    let out = run(s.bin().env("XRAY_PROJECT", "CALC").args([
        "run",
        "--dry-run",
        "--plan-json",
        "plan.json",
        "--report",
        "report.json",
        "results",
    ]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(out.stdout.contains("TEST-garbage.xml"), "{}", out.stdout);
    assert!(
        out.stderr.contains("1 result file(s) could not be read"),
        "{}",
        out.stderr
    );
    // The good file's three results are planned, and the report is written.
    let plan = s.read("plan.json");
    for name in ["passes_000", "passes_001", "fails_000"] {
        assert!(plan.contains(name), "{name} not planned:\n{plan}");
    }
    let report = s.report();
    assert_eq!(report["counts"]["total"], 3);
    assert!(
        report["notes"].to_string().contains("TEST-garbage.xml"),
        "{report}"
    );

    // --strict: nothing is planned or sent, exit 3 before the plan.
    let out = run(s.bin().env("XRAY_PROJECT", "CALC").args([
        "run",
        "--dry-run",
        "--strict",
        "--plan-json",
        "strict.json",
        "results",
    ]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(!s.path("strict.json").exists());
}

/// On GitHub: an `::error` annotation on the file and line, and a line in the job summary; the
/// JSON report says how many tests were salvaged.
#[test]
fn github_annotates_the_bad_file_and_the_summary_names_it() {
    let s = Scratch::new();
    write(&s, "results/TEST-cut.xml", TRUNCATED);
    write(&s, "summary.md", "");
    let out = run(s
        .bin()
        .env("XRAY_PROJECT", "CALC")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", s.path("summary.md"))
        .args(["run", "--dry-run", "--report", "report.json", "results"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    let annotation = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error ") && l.contains("result file not read"))
        .unwrap_or_else(|| panic!("no ::error for the file:\n{}", out.stdout));
    assert!(
        annotation.contains("file=results/TEST-cut.xml,line=6"),
        "{annotation}"
    );
    assert!(
        annotation.contains("3 test(s) read before the error were kept"),
        "{annotation}"
    );
    let summary = s.read("summary.md");
    assert!(summary.contains("result file not read"), "{summary}");
    assert!(summary.contains("TEST-cut.xml"), "{summary}");
    let notes = s.report()["notes"].to_string();
    assert!(
        notes.contains("3 test(s) read before the error were kept"),
        "{notes}"
    );
    assert_eq!(s.report()["counts"]["total"], 3);
}

/// Results in formats no reader handles are errors naming what they looked like; files that
/// are clearly not results, inside a given directory, are skipped with a note.
#[test]
fn unsupported_result_formats_are_errors_and_other_files_are_skipped() {
    let s = Scratch::new();
    s.junit("TEST-good.xml", "GoodTest", 1, &[]);
    write(
        &s,
        "results/behave.txt",
        "@smoke\nFeature: Login\n  Scenario: valid user\n    Given a user ... passed\n",
    );
    write(
        &s,
        "results/jest.json",
        r#"{"numTotalTests": 2, "testResults": []}"#,
    );
    write(&s, "results/custom.xml", "<test-log><entry/></test-log>");
    write(&s, "results/screenshot.png", "\u{89}PNG\r\n");
    write(&s, "results/build.log", "compiling...\nok\n");
    write(&s, "results/coverage.xml", "<coverage line-rate=\"1\"/>");

    let out = run(s.bin().args(["parse", "results"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    for (file, looks_like) in [
        ("behave.txt", "looks like Behave or Gherkin plain text"),
        (
            "jest.json",
            "looks like Jest JSON (--json; Vitest's json reporter writes the same: write JUnit \
             instead, with jest-junit or Vitest's --reporter=junit)",
        ),
        (
            "custom.xml",
            "looks like test results XML with root <test-log>",
        ),
    ] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{}", out.stdout));
        assert!(
            line.contains("error:") && line.contains(looks_like),
            "{line}"
        );
    }
    for file in ["screenshot.png", "build.log", "coverage.xml"] {
        let line = out.stdout.lines().find(|l| l.contains(file)).unwrap();
        assert!(line.contains("skipped:"), "{line}");
    }
    assert!(
        out.stdout.contains("3 file(s) could not be read"),
        "{}",
        out.stdout
    );
}

/// NUnit writes `0001-01-01` when a test never started: it is no start date.
#[test]
fn nunit_zero_dates_never_reach_the_execution() {
    let s = Scratch::new();
    write(
        &s,
        "results/nunit.xml",
        r#"<test-run id="2" testcasecount="1" result="Passed" start-time="0001-01-01 00:00:00Z">
  <test-suite type="TestFixture" name="Calc" fullname="Acme.Calc">
    <test-case id="1" name="Adds" fullname="Acme.Calc.Adds" classname="Acme.Calc" result="Passed"
               start-time="0001-01-01 00:00:00Z" end-time="0001-01-01 00:00:00Z" duration="0.1"/>
  </test-suite>
</test-run>"#,
    );
    let out = run(s.bin().env("XRAY_PROJECT", "CALC").args([
        "run",
        "--dry-run",
        "--plan-json",
        "plan.json",
        "results",
    ]));
    assert_eq!(out.code, Some(0), "{}", out.text());
    let plan = s.read("plan.json");
    assert!(!plan.contains("0001-"), "{plan}");
    assert!(plan.contains("Adds"), "{plan}");
    let out = run(s.bin().args(["parse", "results"]));
    assert!(
        out.stdout.contains("1 start time(s) before 1971"),
        "{}",
        out.stdout
    );
}

/// Allure 1 and NUnit files cut short keep their closed test cases too.
#[test]
fn cut_allure1_and_nunit_files_keep_their_closed_tests() {
    let s = Scratch::new();
    write(
        &s,
        "results/a-testsuite.xml",
        r#"<ns2:test-suite xmlns:ns2="urn:model.allure.qatools.yandex.ru"><name>Suite</name><test-cases>
<test-case status="passed"><name>one</name></test-case>
<test-case status="failed"><name>two</name><failure><message>boom</message></failure></test-case>
<test-case status="pass"#,
    );
    write(
        &s,
        "results/nunit.xml",
        r#"<test-run id="2"><test-suite type="TestFixture" name="Calc" fullname="A.Calc">
<test-case id="1" name="Adds" fullname="A.Calc.Adds" classname="A.Calc" result="Passed"/>
<test-case id="2" name="Su"#,
    );
    let out = run(s.bin().args(["parse", "results"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stdout
            .contains("2 test(s) read before the error were kept"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("1 test(s) read before the error were kept"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("total: 3 test(s): 2 passed (0 flaky), 1 failed"),
        "{}",
        out.stdout
    );
}

/// What jest-junit writes when every suite failed to run (its defaults leave such suites out):
/// a well-formed report holding no test. That is not a green run: exit 3 naming the file, and
/// `--allow-empty` says an empty run is expected.
#[test]
fn result_files_that_hold_no_tests_exit_3_unless_allowed_empty() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("results")).unwrap();
    write(
        &s,
        "results/junit.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"jest tests\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0.5\">\n</testsuites>\n",
    );
    let out = run(s.bin().args(["run", "--dry-run", "results"]));
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stderr.contains("hold no tests") && out.stderr.contains("results/junit.xml"),
        "{}",
        out.text()
    );
    let out = run(s
        .bin()
        .args(["run", "--dry-run", "--allow-empty", "results"]));
    assert_eq!(out.code, Some(0), "{}", out.text());
}
