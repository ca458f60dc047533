//! Requirement coverage (issue 13), end to end with the real binary against the fakes: new
//! Tests cover their requirements through the import (`testInfo.requirementKeys`), Tests
//! given by key through a Jira link made after it (Test "tests" requirement); a requirement
//! key that does not exist or is not a requirement is reported and left out, and the rest of
//! the import goes through (exit 0); the plan JSON shows who covers what.

use crate::support;

use support::e2e::*;
use support::jira_fake::JiraFake;
use support::xray_fake::XrayFake;

/// A new Test covering CALC-20, a Test given by key (CALC-7) covering CALC-21, and a new
/// Test naming `extra` too.
fn results(extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="unit" tests="3" timestamp="2026-05-01T10:00:00Z">
  <testcase classname="com.acme.calc.DivTest" name="divides" time="0.01">
    <properties><property name="requirements" value="CALC-20"/></properties>
  </testcase>
  <testcase classname="com.acme.calc.AddTest" name="adds" time="0.01">
    <properties>
      <property name="test_key" value="CALC-7"/>
      <property name="requirements" value="CALC-21"/>
    </properties>
  </testcase>
  <testcase classname="com.acme.calc.SubTest" name="subtracts" time="0.01">
    <properties><property name="requirements" value="CALC-20,{extra}"/></properties>
  </testcase>
</testsuite>
"#
    )
}

fn scratch(extra: &str) -> Scratch {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("results")).unwrap();
    std::fs::write(s.path("results/TEST-unit.xml"), results(extra)).unwrap();
    s
}

fn fake(cloud: bool) -> XrayFake {
    let xray = if cloud { xray_cloud() } else { xray_dc_pat() };
    xray.add_issue("CALC-7", "Test");
    xray.add_issue("CALC-20", "Story");
    xray.add_issue("CALC-21", "Story");
    xray.add_issue("CALC-22", "Epic");
    // Exists, but is no requirement: Xray refuses it in `requirementKeys`.
    xray.add_issue("CALC-30", "Bug");
    xray
}

fn dc_command(s: &Scratch, xray: &XrayFake) -> std::process::Command {
    let mut cmd = s.bin();
    cmd.env("XRAY_DEPLOYMENT", "dc")
        .env("XRAY_URL", xray.url())
        .env("JIRA_PAT", PAT)
        .env("XRAY_PROJECT", PROJECT);
    cmd
}

/// Xray Cloud with Jira Cloud on the same site (Xray Cloud's coverage links are Jira links).
fn cloud_command(s: &Scratch, xray: &XrayFake) -> (std::process::Command, JiraFake) {
    let jira = jira_cloud();
    same_site(&jira, xray);
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    (cmd, jira)
}

#[test]
fn requirement_links_appear_on_new_and_keyed_tests_on_dc() {
    let xray = fake(false);
    let s = scratch("CALC-22");
    let mut cmd = dc_command(&s, &xray);
    cmd.args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let div = xray
        .test_by_definition("com.acme.calc.DivTest.divides")
        .unwrap();
    let sub = xray
        .test_by_definition("com.acme.calc.SubTest.subtracts")
        .unwrap();
    assert_eq!(xray.coverage_of(&div), vec!["CALC-20"]);
    assert_eq!(xray.coverage_of(&sub), vec!["CALC-20", "CALC-22"]);
    assert_eq!(
        xray.coverage_of("CALC-7"),
        vec!["CALC-21"],
        "the keyed Test is linked after the import"
    );
    let report = s.report();
    assert_eq!(
        report["xray"]["requirements"]["linked"],
        serde_json::json!([{"test": "CALC-7", "requirement": "CALC-21"}]),
        "{report:#}"
    );
}

#[test]
fn requirement_links_appear_on_new_and_keyed_tests_on_cloud() {
    let xray = fake(true);
    let s = scratch("CALC-22");
    let (mut cmd, jira) = cloud_command(&s, &xray);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let div = xray
        .test_by_definition("com.acme.calc.DivTest.divides")
        .unwrap();
    assert_eq!(xray.coverage_of(&div), vec!["CALC-20"]);
    assert!(
        jira.links()
            .contains(&("Test".into(), "CALC-7".into(), "CALC-21".into())),
        "Test CALC-7 \"tests\" CALC-21 through Jira: {:?}",
        jira.links()
    );
}

#[test]
fn a_missing_requirement_is_reported_and_the_rest_goes_through() {
    for cloud in [true, false] {
        let xray = fake(cloud);
        // CALC-99 does not exist at all.
        let s = scratch("CALC-99");
        let (mut cmd, _jira) = if cloud {
            let (c, j) = cloud_command(&s, &xray);
            (c, Some(j))
        } else {
            (dc_command(&s, &xray), None)
        };
        cmd.args([
            "run",
            "--report",
            "report.json",
            "--summary-md",
            "summary.md",
            "results",
        ]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "cloud={cloud}: {}", out.text());
        assert!(
            out.text()
                .contains("requirement CALC-99 left out of the import"),
            "{}",
            out.text()
        );
        assert_eq!(xray.only_execution().runs.len(), 3, "every result is in");
        assert!(
            s.read("summary.md")
                .contains("requirement CALC-99 left out of the import"),
            "the job summary says it too"
        );
        let sub = xray
            .test_by_definition("com.acme.calc.SubTest.subtracts")
            .unwrap();
        assert_eq!(
            xray.coverage_of(&sub),
            vec!["CALC-20"],
            "the good key stays"
        );
        let missing = &s.report()["xray"]["requirements"]["missing"];
        assert_eq!(missing[0]["key"], "CALC-99", "{missing:#}");
        assert_eq!(
            missing[0]["tests"],
            serde_json::json!(["com.acme.calc.SubTest.subtracts"])
        );
    }
}

#[test]
fn a_key_that_is_not_a_requirement_is_reported_and_the_rest_goes_through() {
    // Cloud finds it before the import (not a coverable issue); DC's check sees only that it
    // exists, so the import refuses it and the results are sent again without it.
    for cloud in [true, false] {
        let xray = fake(cloud);
        let s = scratch("CALC-30");
        let (mut cmd, _jira) = if cloud {
            let (c, j) = cloud_command(&s, &xray);
            (c, Some(j))
        } else {
            (dc_command(&s, &xray), None)
        };
        cmd.args(["run", "--report", "report.json", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "cloud={cloud}: {}", out.text());
        assert!(
            out.text()
                .contains("requirement CALC-30 left out of the import"),
            "cloud={cloud}: {}",
            out.text()
        );
        assert_eq!(xray.only_execution().runs.len(), 3, "cloud={cloud}");
        let report = s.report();
        let missing = &report["xray"]["requirements"]["missing"];
        assert_eq!(missing[0]["key"], "CALC-30", "{report:#}");
        assert!(
            missing[0]["reason"]
                .as_str()
                .unwrap()
                .contains("not a requirement")
        );
        assert_eq!(report["xray"]["errors"], serde_json::json!([]));
    }
}

#[test]
fn the_plan_json_shows_who_covers_which_requirements() {
    let s = scratch("CALC-22");
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
    let reqs = &plan["xray"]["requirements"];
    assert_eq!(
        reqs,
        &serde_json::json!([
            {"test": "com.acme.calc.DivTest.divides", "requirements": ["CALC-20"],
             "how": "testInfo.requirementKeys"},
            {"test": "CALC-7", "requirements": ["CALC-21"], "how": "link after the import"},
            {"test": "com.acme.calc.SubTest.subtracts", "requirements": ["CALC-20", "CALC-22"],
             "how": "testInfo.requirementKeys"}
        ]),
        "{plan:#}"
    );
    let links: Vec<&serde_json::Value> = plan["xray"]["after_import"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["what"].as_str().unwrap_or("").contains("requirement"))
        .collect();
    assert_eq!(links.len(), 1, "{plan:#}");
    assert_eq!(links[0]["body"]["inwardIssue"]["key"], "CALC-7");
    assert_eq!(links[0]["body"]["outwardIssue"]["key"], "CALC-21");
}

/// A Test given by a stale key (CALC-7 was deleted) is sent by its definition instead; its
/// requirement goes with it through `requirementKeys`, and no link is tried for the stale key.
#[test]
fn a_stale_keyed_test_keeps_its_requirement_when_sent_by_definition() {
    let xray = xray_dc_pat();
    xray.add_issue("CALC-20", "Story");
    xray.add_issue("CALC-21", "Story");
    xray.add_issue("CALC-22", "Epic");
    let s = scratch("CALC-22");
    let mut cmd = dc_command(&s, &xray);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let add = xray
        .test_by_definition("com.acme.calc.AddTest.adds")
        .expect("the stale key's result sent by definition");
    assert_eq!(xray.coverage_of(&add), vec!["CALC-21"]);
}
