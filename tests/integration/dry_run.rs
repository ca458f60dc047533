//! `--plan-json` has the Xray JSON shape of ../shared/docs/xray-api.md for Cloud and for DC,
//! checked on plans built from constructed runs (library level). The end-to-end binary tests
//! read a JUnit file through ingest, so they wait for the ingest merge (`#[ignore]`).

use crate::plan_support;

use std::process::Command;

use plan_support::*;
use serde_json::Value;
use xray_sync::model::{Attachment, TestRun};
use xray_sync::plan::{self, json};
use xray_sync::settings::Settings;

fn plan_json(run: &TestRun, s: &Settings) -> Value {
    let p = plan::build(run, s).unwrap();
    let mut buf = Vec::new();
    json::write_plan_json(&p, run, s, &mut buf).unwrap();
    serde_json::from_slice(&buf).unwrap()
}

fn run_with_evidence() -> TestRun {
    let mut r = mixed_run();
    r.cases[1].extras_mut().attachments.push(Attachment::File {
        path: "results/shot.png".into(),
        name: Some("shot.png".into()),
        content_type: None,
    });
    r
}

/// The fields the Xray JSON contract allows on a test result (section 4 of xray-api.md).
const RESULT_FIELDS: &[&str] = &[
    "testKey",
    "testInfo",
    "start",
    "finish",
    "comment",
    "status",
    "defects",
    "evidence",
    "iterations",
];
const INFO_FIELDS: &[&str] = &[
    "project",
    "summary",
    "description",
    "version",
    "revision",
    "startDate",
    "finishDate",
    "testPlanKey",
    "testEnvironments",
];

fn check_shape(v: &Value, statuses: &[&str], type_field: &str, other_type_field: &str, path: &str) {
    assert_eq!(v["format"], "xray-sync-plan/1");
    let requests = v["xray"]["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["path"], path);
    let body = &req["body"];
    assert!(body.get("testExecutionKey").is_none(), "a new execution");
    let info = body["info"].as_object().expect("info");
    for k in info.keys() {
        assert!(
            INFO_FIELDS.contains(&k.as_str()),
            "unexpected info field {k}"
        );
    }
    assert_eq!(info["project"], "CALC");
    assert!(info["summary"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(info["startDate"], "2024-05-01T10:00:00Z");
    let tests = body["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    for t in tests {
        let obj = t.as_object().unwrap();
        for k in obj.keys() {
            assert!(
                RESULT_FIELDS.contains(&k.as_str()),
                "unexpected result field {k}"
            );
        }
        assert!(
            statuses.contains(&t["status"].as_str().unwrap()),
            "{}",
            t["status"]
        );
        assert!(
            t.get("testKey").is_some() != t.get("testInfo").is_some(),
            "key xor info"
        );
        assert!(
            obj.get("evidence").is_none(),
            "evidence is listed by path, not inlined"
        );
        assert!(t["start"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(tests[0]["testKey"], "CALC-101");
    let info = &tests[1]["testInfo"];
    assert_eq!(info["projectKey"], "CALC");
    assert_eq!(info[type_field], "Generic");
    assert!(info.get(other_type_field).is_none());
    assert_eq!(info["definition"], "com.acme.CalcTest.divides");
    let ev = &req["evidence"][0];
    assert_eq!(ev["test"], 1);
    assert_eq!(ev["kind"], "file");
    assert_eq!(ev["path"], "results/shot.png");
    assert_eq!(ev["content_type"], "image/png");
    let intents = v["jira"]["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 2);
    assert!(
        intents[0]["label"]
            .as_str()
            .unwrap()
            .starts_with("xray-sync-")
    );
    assert_eq!(
        intents[0]["fields"]["summary"],
        "CalcTest.divides: expected 2 but was 3"
    );
}

#[test]
fn plan_json_cloud_shape() {
    let v = plan_json(&run_with_evidence(), &cloud());
    check_shape(
        &v,
        &["PASSED", "FAILED", "TO DO"],
        "type",
        "testType",
        "/api/v2/import/execution",
    );
    assert_eq!(v["xray"]["product"], "cloud");
}

#[test]
fn plan_json_dc_shape() {
    let v = plan_json(&run_with_evidence(), &dc());
    check_shape(
        &v,
        &["PASS", "FAIL", "TODO"],
        "testType",
        "type",
        "/rest/raven/2.0/import/execution",
    );
    assert_eq!(v["xray"]["product"], "dc");
}

#[test]
fn plan_json_later_chunks_append_to_the_created_execution() {
    let mut args = cloud_args();
    args.xray.chunk_max_tests = Some(2);
    let v = plan_json(&mixed_run(), &settings_with(&args, ""));
    let reqs = v["xray"]["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert!(reqs[0]["body"].get("info").is_some());
    for r in &reqs[1..] {
        assert!(r["body"].get("info").is_none());
        assert_eq!(r["body"]["testExecutionKey"], json::CREATED_KEY_PLACEHOLDER);
    }
}

const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="calc" tests="3" failures="1" timestamp="2024-05-01T10:00:00Z">
  <testcase classname="com.acme.CalcTest" name="adds" time="0.5">
    <properties><property name="test_key" value="CALC-101"/></properties>
  </testcase>
  <testcase classname="com.acme.CalcTest" name="divides" time="0.1">
    <failure message="expected 2 but was 3">stack</failure>
  </testcase>
  <testcase classname="com.acme.CalcTest" name="skips"><skipped/></testcase>
</testsuite>
"#;

fn dry_run(extra_env: &[(&str, &str)]) -> (std::process::Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("TEST-calc.xml");
    std::fs::write(&xml, JUNIT).unwrap();
    let plan = dir.path().join("plan.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xray-sync"));
    cmd.env_clear().current_dir(dir.path());
    cmd.args(["run", "--dry-run", "--plan-json"])
        .arg(&plan)
        .arg(&xml);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let v =
        serde_json::from_slice(&std::fs::read(&plan).unwrap_or_default()).unwrap_or(Value::Null);
    (out, v)
}

#[test]
fn binary_dry_run_cloud_without_credentials() {
    let (out, v) = dry_run(&[("XRAY_PROJECT", "CALC")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("nothing was sent"));
    assert!(stdout.contains("3 test(s)"));
    assert!(stdout.contains("would create a Test Execution in CALC"));
    let tests = v["xray"]["requests"][0]["body"]["tests"]
        .as_array()
        .unwrap();
    let statuses: Vec<&str> = tests
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["PASSED", "FAILED", "TO DO"]);
    assert_eq!(tests[1]["testInfo"]["type"], "Generic");
}

#[test]
fn binary_dry_run_dc() {
    let (out, v) = dry_run(&[
        ("XRAY_PROJECT", "CALC"),
        ("XRAY_DEPLOYMENT", "dc"),
        ("JIRA_URL", "https://jira.acme.test"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tests = v["xray"]["requests"][0]["body"]["tests"]
        .as_array()
        .unwrap();
    let statuses: Vec<&str> = tests
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["PASS", "FAIL", "TODO"]);
    assert_eq!(tests[1]["testInfo"]["testType"], "Generic");
}

#[test]
fn binary_dry_run_with_fail_on_test_failure_exits_1() {
    let (out, _) = dry_run(&[
        ("XRAY_PROJECT", "CALC"),
        ("XRAY_SYNC_FAIL_ON_TEST_FAILURE", "true"),
    ]);
    assert_eq!(out.status.code(), Some(1));
}
