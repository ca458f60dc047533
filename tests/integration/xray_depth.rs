//! Xray depth (issue 13), end to end with the real binary against the fakes: Test Execution
//! fields on a project whose Test Execution requires a custom select field (Cloud and DC),
//! and the doctor check that finds a missing one first.

use crate::support;

use serde_json::json;
use support::e2e::*;
use support::execution_screen::RequiredSelect;
use support::jira_fake::{self, JiraFake};
use support::xray_fake::XrayFake;

/// Xray Cloud and Jira Cloud whose Test Execution requires "Environment type".
fn cloud_requiring_select() -> (XrayFake, JiraFake) {
    let xray = xray_cloud();
    xray.require_execution_select(RequiredSelect::environment_type());
    let mut config = jira_fake::build::cloud_basic().0;
    config.execution_select = Some(RequiredSelect::environment_type());
    (xray, JiraFake::start(config))
}

fn dc_requiring_select() -> XrayFake {
    let xray = xray_dc_pat();
    xray.require_execution_select(RequiredSelect::environment_type());
    xray
}

fn cloud_cmd(s: &Scratch, xray: &XrayFake, jira: &JiraFake) -> std::process::Command {
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    cmd
}

fn dc_cmd(s: &Scratch, xray: &XrayFake) -> std::process::Command {
    let mut cmd = s.bin();
    cmd.env("XRAY_DEPLOYMENT", "dc")
        .env("XRAY_URL", xray.url())
        .env("JIRA_PAT", PAT)
        .env("XRAY_PROJECT", PROJECT);
    cmd
}

#[test]
fn cloud_run_fills_a_required_select_by_field_name() {
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly", "components": ["api"]}"#,
    )
    .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(
        exec.fields["customfield_10100"],
        json!({"value": "nightly"})
    );
    assert_eq!(exec.fields["components"], json!([{"name": "api"}]));
    assert_eq!(exec.runs.len(), 3);
    // Summary template and the run marker label still apply.
    assert!(!exec.summary.is_empty());
    assert!(
        exec.labels.iter().any(|l| l.starts_with("xray-sync-run-")),
        "{:?}",
        exec.labels
    );
}

#[test]
fn dc_run_fills_a_required_select_from_the_config_table() {
    let xray = dc_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 2, &[]);
    std::fs::write(
        s.path("xray-sync.toml"),
        "[xray.execution_fields]\n\"Environment type\" = \"release\"\n",
    )
    .unwrap();
    let mut cmd = dc_cmd(&s, &xray);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(
        exec.fields["customfield_10100"],
        json!({"value": "release"})
    );
    assert_eq!(exec.runs.len(), 2);
}

#[test]
fn a_missing_required_select_fails_clearly_on_both_products() {
    // Without any execution fields the create is refused by Jira behind Xray, and the run
    // says which field.
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("customfield_10100: Environment type is required"),
        "{}",
        out.text()
    );
    assert!(xray.executions().is_empty());

    // With other fields given, the create screen is read first and nothing is sent.
    let xray = dc_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = dc_cmd(&s, &xray);
    cmd.env("XRAY_EXECUTION_FIELDS", r#"{"components": ["api"]}"#)
        .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text().contains(
            "the Test Execution requires field 'Environment type' (customfield_10100) and it has no default"
        ),
        "{}",
        out.text()
    );
    assert!(xray.import_requests().is_empty(), "nothing sent");
}

#[test]
fn a_field_the_screen_does_not_have_is_refused_before_sending() {
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly", "Sprint goal": "x"}"#,
    )
    .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("field 'Sprint goal' (XRAY_EXECUTION_FIELDS"),
        "{}",
        out.text()
    );
    assert!(xray.import_requests().is_empty());
}

mod doctor {
    use super::*;
    use support::doctor_fake::{self as df, DoctorFake, Faults};

    #[test]
    fn doctor_fails_on_a_test_set_key_that_is_not_a_test_set() {
        for mode in [df::Mode::Cloud, df::Mode::Dc] {
            let out = doctor_with(mode, false, None, Some("CALC-20"));
            let l = line(&out, "xray.test-sets");
            assert!(l.starts_with("PASS"), "{mode:?}: {}", out.text());
            let out = doctor_with(mode, false, None, Some("CALC-20,CALC-16"));
            let l = line(&out, "xray.test-sets");
            assert!(
                l.starts_with("FAIL") && l.contains("CALC-16") && !l.contains("CALC-20"),
                "{mode:?}: {}",
                out.text()
            );
        }
    }

    fn doctor(mode: df::Mode, select: bool, fields: Option<&str>) -> Out {
        doctor_with(mode, select, fields, None)
    }

    fn doctor_with(mode: df::Mode, select: bool, fields: Option<&str>, sets: Option<&str>) -> Out {
        let fake = DoctorFake::start(
            mode,
            Faults {
                execution_select: select,
                ..Faults::default()
            },
        );
        let s = Scratch::new();
        let mut cmd = s.bin();
        match mode {
            df::Mode::Cloud => {
                cmd.env("XRAY_URL", fake.url())
                    .env("XRAY_CLIENT_ID", df::XRAY_CLIENT_ID)
                    .env("XRAY_CLIENT_SECRET", df::XRAY_CLIENT_SECRET)
                    .env("JIRA_URL", fake.url())
                    .env("JIRA_EMAIL", df::JIRA_EMAIL)
                    .env("JIRA_API_TOKEN", df::JIRA_TOKEN)
                    .env("ATLASSIAN_AUTH_URL", fake.url())
                    .env("ATLASSIAN_API_URL", fake.url());
            }
            df::Mode::Dc => {
                cmd.env("XRAY_DEPLOYMENT", "dc")
                    .env("XRAY_URL", fake.url())
                    .env("JIRA_PAT", df::DC_PAT);
            }
        }
        cmd.env("XRAY_PROJECT", "CALC")
            .env("JIRA_BUG_PROJECT", "CALC")
            .arg("doctor");
        if let Some(f) = fields {
            cmd.env("XRAY_EXECUTION_FIELDS", f);
        }
        if let Some(s) = sets {
            cmd.env("XRAY_TEST_SETS", s);
        }
        run(&mut cmd)
    }

    fn line<'a>(out: &'a Out, id: &str) -> &'a str {
        out.stdout
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no {id} line:\n{}", out.text()))
    }

    #[test]
    fn doctor_fails_on_a_required_field_without_value_and_passes_once_given() {
        for mode in [df::Mode::Cloud, df::Mode::Dc] {
            let out = doctor(mode, true, None);
            let l = line(&out, "xray.execution-fields");
            assert!(l.starts_with("FAIL"), "{mode:?}: {}", out.text());
            assert!(
                l.contains("'Environment type' (customfield_10100)"),
                "{mode:?}: {l}"
            );
            assert_ne!(out.code, Some(0));

            let out = doctor(mode, true, Some(r#"{"customfield_10100": "nightly"}"#));
            let l = line(&out, "xray.execution-fields");
            assert!(l.starts_with("PASS"), "{mode:?}: {}", out.text());

            let out = doctor(mode, false, Some(r#"{"Sprint goal": "x"}"#));
            let l = line(&out, "xray.execution-fields");
            assert!(
                l.starts_with("FAIL") && l.contains("'Sprint goal'"),
                "{mode:?}: {}",
                out.text()
            );
        }
    }
}

mod iterations {
    use super::*;
    use support::fake::multipart_parts;

    /// pytest's JUnit XML for `@pytest.mark.parametrize("a,b", [(1, 0), (4, 2)])`.
    const PYTEST_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="3" time="0.05" timestamp="2026-05-01T10:00:00" hostname="ci">
<testcase classname="tests.test_calc" name="test_div[1-0]" time="0.001"><failure message="ZeroDivisionError: division by zero">a = 1, b = 0
E   ZeroDivisionError: division by zero</failure></testcase>
<testcase classname="tests.test_calc" name="test_div[4-2]" time="0.001" />
<testcase classname="tests.test_calc" name="test_add" time="0.001" />
</testsuite></testsuites>
"#;

    /// The Xray JSON of the import(s) the fake received, as one list of tests.
    fn sent_tests(xray: &XrayFake) -> Vec<serde_json::Value> {
        xray.import_requests()
            .iter()
            .flat_map(|r| {
                let doc: serde_json::Value = if r.path().ends_with("/multipart") {
                    let parts = multipart_parts(r);
                    let p = parts
                        .iter()
                        .find(|p| p.name == "results" || p.name == "result")
                        .expect("results part");
                    serde_json::from_slice(&p.data).unwrap()
                } else {
                    r.json()
                };
                doc["tests"].as_array().cloned().unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn pytest_rows_become_one_test_with_two_iterations_and_one_bug() {
        let xray = xray_cloud();
        let jira = jira_cloud();
        same_site(&jira, &xray);
        let s = Scratch::new();
        std::fs::create_dir_all(s.path("results")).unwrap();
        std::fs::write(s.path("results/pytest.xml"), PYTEST_XML).unwrap();
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
        cmd.args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());

        let tests = sent_tests(&xray);
        assert_eq!(tests.len(), 2, "test_div and test_add: {tests:#?}");
        let div = tests
            .iter()
            .find(|t| t["testInfo"]["definition"] == "tests.test_calc.test_div")
            .expect("one Test for the rows");
        assert_eq!(div["testInfo"]["summary"], "test_div");
        assert_eq!(div["status"], "FAILED", "any failed row fails the Test");
        let its = div["iterations"].as_array().unwrap();
        assert_eq!(its.len(), 2);
        assert_eq!(its[0]["name"], "test_div[1-0]");
        assert_eq!(its[0]["status"], "FAILED");
        assert_eq!(
            its[0]["parameters"],
            json!([{"name": "p1", "value": "1-0"}])
        );
        assert!(
            its[0]["log"]
                .as_str()
                .is_some_and(|l| l.contains("ZeroDivisionError")),
            "{its:#?}"
        );
        assert_eq!(its[1]["status"], "PASSED");
        assert_eq!(
            its[1]["parameters"],
            json!([{"name": "p1", "value": "4-2"}])
        );
        assert!(tests.iter().any(
            |t| t["testInfo"]["definition"] == "tests.test_calc.test_add"
                && t.get("iterations").is_none()
        ));

        // One bug for the data-driven Test, naming the failing row; the Test's run links it.
        let bugs = jira.issues();
        assert_eq!(bugs.len(), 1, "{bugs:?}");
        assert!(
            jira_fake::text_of(&bugs[0].description).contains("test_div[1-0]"),
            "{:?}",
            bugs[0].description
        );
        assert_eq!(div["defects"], json!([bugs[0].key]));
        assert_eq!(
            bugs[0].links.len(),
            1,
            "linked to the one Test: {:?}",
            bugs[0].links
        );
    }

    /// Real pytest 9.2 output (fixtures/generated-pytest-params, "4 failed, 12 passed,
    /// 1 skipped, 1 xfailed"): 18 rows are 6 Tests, each data-driven one with its rows as
    /// iterations (ids holding brackets too), and one bug per failing Test, named by the Test.
    #[test]
    fn real_pytest_parametrize_rows_are_iterations_with_one_bug_per_test() {
        let xray = xray_cloud();
        let jira = jira_cloud();
        same_site(&jira, &xray);
        let s = Scratch::new();
        std::fs::create_dir_all(s.path("results")).unwrap();
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/generated-pytest-params/pytest-params-xunit1.xml"
        );
        std::fs::copy(fixture, s.path("results/pytest.xml")).unwrap();
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
        cmd.args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
        assert!(
            out.stdout.contains(
                "4 of 18 tests failed (12 passed, 4 failed, 0 error(s), 2 skipped, 0 flaky)"
            ),
            "{}",
            out.text()
        );

        let tests = sent_tests(&xray);
        let rows = |definition: &str| -> Vec<(String, String)> {
            let t = tests
                .iter()
                .find(|t| t["testInfo"]["definition"] == definition)
                .unwrap_or_else(|| panic!("no Test {definition}: {tests:#?}"));
            t["iterations"]
                .as_array()
                .map(|its| {
                    its.iter()
                        .map(|i| {
                            (
                                i["parameters"][0]["value"].as_str().unwrap().to_string(),
                                i["status"].as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(tests.len(), 6, "{tests:#?}");
        let statuses = |r: Vec<(String, String)>| r.into_iter().map(|(_, s)| s).collect::<Vec<_>>();
        assert_eq!(
            statuses(rows("test_params.test_div")),
            ["PASSED", "FAILED", "PASSED", "FAILED"]
        );
        assert_eq!(rows("test_params.test_product_positive").len(), 4);
        assert_eq!(
            rows("test_params.TestStrings.test_split"),
            [
                ("a b".to_string(), "FAILED".to_string()),
                ("a/b".to_string(), "PASSED".to_string()),
                ("[x]".to_string(), "PASSED".to_string()),
            ]
        );
        assert!(rows("test_params.test_plain").is_empty());

        let mut summaries: Vec<String> = jira.issues().into_iter().map(|b| b.summary).collect();
        summaries.sort();
        assert_eq!(summaries.len(), 3, "{summaries:?}");
        assert!(
            summaries[0].starts_with("TestStrings.test_split: "),
            "{summaries:?}"
        );
        assert!(
            summaries[1].starts_with("test_params.test_div: ZeroDivisionError"),
            "{summaries:?}"
        );
        assert!(
            summaries[2].starts_with("test_params.test_palindrome: "),
            "{summaries:?}"
        );
        // A row's own tries, not the Test's failing rows, are what the console counts.
        assert!(!out.stdout.contains("2 attempts"), "{}", out.stdout);
        // Every failing row shows its Test's one bug.
        assert_eq!(
            out.stdout.matches(" created http").count(),
            4,
            "{}",
            out.stdout
        );
    }

    #[test]
    fn iterations_off_keeps_one_test_per_row_and_dc_iterations_carry_no_log() {
        let xray = xray_dc_pat();
        let s = Scratch::new();
        std::fs::create_dir_all(s.path("results")).unwrap();
        std::fs::write(s.path("results/pytest.xml"), PYTEST_XML).unwrap();
        let mut cmd = dc_cmd(&s, &xray);
        cmd.args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
        let tests = sent_tests(&xray);
        assert_eq!(tests.len(), 2);
        let div = tests
            .iter()
            .find(|t| t["testInfo"]["definition"] == "tests.test_calc.test_div")
            .unwrap();
        assert_eq!(div["status"], "FAIL");
        let its = div["iterations"].as_array().unwrap();
        assert_eq!(its.len(), 2);
        assert!(its.iter().all(|i| i.get("log").is_none()));

        let xray = xray_dc_pat();
        let s = Scratch::new();
        std::fs::create_dir_all(s.path("results")).unwrap();
        std::fs::write(s.path("results/pytest.xml"), PYTEST_XML).unwrap();
        std::fs::write(
            s.path("xray-sync.toml"),
            "[mapping]\niterations = \"off\"\n",
        )
        .unwrap();
        let mut cmd = dc_cmd(&s, &xray);
        cmd.args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
        let tests = sent_tests(&xray);
        assert_eq!(tests.len(), 3, "one Test per row");
        assert!(tests.iter().all(|t| t.get("iterations").is_none()));
    }
}

mod test_sets {
    use super::*;

    /// The binary set up for the Cloud fake or (`cloud` false) the DC one.
    fn product_cmd(cloud: bool, s: &Scratch, xray: &XrayFake) -> std::process::Command {
        if cloud {
            let mut cmd = s.bin();
            xray_cloud_env(&mut cmd, &xray.url());
            cmd
        } else {
            dc_cmd(s, xray)
        }
    }

    #[test]
    fn every_test_of_the_run_lands_in_the_test_set_on_both_products() {
        for cloud in [true, false] {
            let xray = if cloud { xray_cloud() } else { xray_dc_pat() };
            xray.add_issue("CALC-500", "Test Set");
            xray.add_issue("CALC-7", "Test");
            let s = Scratch::new();
            s.junit("TEST-calc.xml", "CalcTest", 3, &[]);
            let mut cmd = product_cmd(cloud, &s, &xray);
            cmd.env("XRAY_TEST_SETS", "CALC-500").args([
                "run",
                "--report",
                "report.json",
                "results",
            ]);
            let out = run(&mut cmd);
            assert_eq!(out.code, Some(0), "{}", out.text());
            let exec = xray.only_execution();
            let mut in_set = xray.test_set("CALC-500");
            in_set.sort();
            let mut run_tests: Vec<String> = exec.runs.keys().cloned().collect();
            run_tests.sort();
            assert_eq!(in_set, run_tests, "cloud={cloud}");
            assert_eq!(in_set.len(), 3);
            assert!(
                !in_set.contains(&"CALC-7".to_string()),
                "not a Test of the run"
            );
            assert_eq!(s.report()["xray"]["test_sets"]["CALC-500"], 3);
        }
    }

    /// Appending to an execution another job filled: only this run's Tests join the set, and
    /// those sent by definition are found too (DC's runs carry no definition: it reads them).
    #[test]
    fn appending_to_a_named_execution_adds_only_the_runs_own_tests_on_both_products() {
        for cloud in [true, false] {
            let xray = if cloud { xray_cloud() } else { xray_dc_pat() };
            xray.add_issue("CALC-500", "Test Set");
            xray.add_execution("CALC-999");
            let command = |s: &Scratch| {
                let mut cmd = product_cmd(cloud, s, &xray);
                cmd.env("XRAY_TEST_EXECUTION", "CALC-999");
                cmd
            };
            let other = Scratch::new();
            other.junit("TEST-other.xml", "OtherTest", 2, &[]);
            let out = run(command(&other).args(["run", "results"]));
            assert_eq!(out.code, Some(0), "{}", out.text());
            let before: Vec<String> = xray.executions()["CALC-999"].runs.keys().cloned().collect();
            assert_eq!(before.len(), 2);

            let s = Scratch::new();
            s.junit("TEST-calc.xml", "CalcTest", 3, &[]);
            let mut cmd = command(&s);
            cmd.env("XRAY_TEST_SETS", "CALC-500").args([
                "run",
                "--report",
                "report.json",
                "results",
            ]);
            let out = run(&mut cmd);
            assert_eq!(out.code, Some(0), "{}", out.text());
            let mut own: Vec<String> = (xray.executions()["CALC-999"].runs.keys())
                .filter(|k| !before.contains(k))
                .cloned()
                .collect();
            own.sort();
            assert_eq!(own.len(), 3, "cloud={cloud}");
            let mut in_set = xray.test_set("CALC-500");
            in_set.sort();
            assert_eq!(in_set, own, "cloud={cloud}: {}", out.text());
            assert_eq!(s.report()["xray"]["test_sets"]["CALC-500"], 3);
        }
    }

    #[test]
    fn a_key_that_is_not_a_test_set_is_an_error_and_the_results_stay_in() {
        let xray = xray_dc_pat();
        xray.add_issue("CALC-501", "Story");
        let s = Scratch::new();
        s.junit("TEST-calc.xml", "CalcTest", 2, &[]);
        let mut cmd = dc_cmd(&s, &xray);
        cmd.env("XRAY_TEST_SETS", "CALC-501")
            .args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(4), "{}", out.text());
        assert!(
            out.text()
                .contains("CALC-501 is not a Test Set issue or is not a valid issue key."),
            "{}",
            out.text()
        );
        assert_eq!(xray.only_execution().runs.len(), 2, "results are in");
    }

    #[test]
    fn the_plan_json_shows_the_test_set_request() {
        let s = Scratch::new();
        s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
        let mut cmd = s.bin();
        cmd.env("XRAY_PROJECT", PROJECT)
            .env("XRAY_TEST_SETS", "CALC-500")
            .env(
                "XRAY_EXECUTION_FIELDS",
                r#"{"Environment type": "nightly"}"#,
            )
            .args(["run", "--dry-run", "--plan-json", "plan.json", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
        let plan: serde_json::Value = serde_json::from_str(&s.read("plan.json")).unwrap();
        let after = &plan["xray"]["after_import"];
        assert_eq!(after.as_array().map(Vec::len), Some(1), "{plan:#}");
        assert!(
            after[0]["what"]
                .as_str()
                .unwrap()
                .contains("Test Set CALC-500")
        );
        assert_eq!(
            plan["xray"]["execution_fields"],
            json!({"Environment type": "nightly"})
        );
    }
}

mod requirements {
    use super::*;

    #[test]
    fn new_tests_carry_requirement_keys_from_links_labels_and_tags() {
        let s = Scratch::new();
        std::fs::create_dir_all(s.path("results")).unwrap();
        std::fs::write(
            s.path("results/0a1b-result.json"),
            r#"{"uuid":"0a1b","name":"adds","fullName":"calc.AddTest.adds","status":"passed",
               "start":1746093600000,"stop":1746093601000,
               "labels":[{"name":"tag","value":"REQ-CALC-7"},{"name":"story","value":"CALC-8"},{"name":"tag","value":"smoke"}],
               "links":[{"type":"requirement","name":"CALC-9"},{"type":"issue","name":"CALC-10"}]}"#,
        )
        .unwrap();
        std::fs::write(
            s.path("xray-sync.toml"),
            "[mapping]\nrequirement_labels = [\"story\"]\nrequirement_tag_pattern = \"^REQ-(.+)$\"\n",
        )
        .unwrap();
        let mut cmd = s.bin();
        cmd.env("XRAY_PROJECT", PROJECT).args([
            "run",
            "--dry-run",
            "--plan-json",
            "plan.json",
            "results",
        ]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
        let plan: serde_json::Value = serde_json::from_str(&s.read("plan.json")).unwrap();
        let info = &plan["xray"]["requests"][0]["body"]["tests"][0]["testInfo"];
        assert_eq!(
            info["requirementKeys"],
            json!(["CALC-9", "CALC-7", "CALC-8"]),
            "{plan:#}"
        );
    }
}
