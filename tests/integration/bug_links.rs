//! Bugs of unmapped tests are linked to the Test the import created or matched (issue 12):
//! after the import one batched lookup of the execution's runs finds each Test, the bug gets a
//! link from it (`test_link_type` "Tests", sent as the site's type whose phrase that is, `Test`)
//! and a description naming it, and the JSON report and job summary carry
//! the Test key. Cloud and Data Center.

use crate::support;

use support::e2e::*;

fn ten_failing_unmapped(dc: bool) {
    let xray = if dc { xray_dc_pat() } else { xray_cloud() };
    let jira = if dc { jira_dc_pat() } else { jira_cloud() };
    same_site(&jira, &xray);
    // One failing test already has its Generic Test: the import matches it, the rest are created.
    xray.add_generic_test("CALC-77", "com.acme.CalcTest.fails_003");
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 5, &failures(10));
    let mut cmd = s.bin();
    if dc {
        cmd.env("XRAY_DEPLOYMENT", "dc")
            .env("XRAY_URL", xray.url())
            .env("JIRA_URL", jira.url())
            .env("JIRA_PAT", PAT)
            .env("XRAY_PROJECT", PROJECT)
            .env("JIRA_BUG_PROJECT", BUG_PROJECT);
    } else {
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
    }
    cmd.args([
        "run",
        "--report",
        "report.json",
        "--summary-md",
        "summary.md",
        "results",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());

    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 15);
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 10, "{}", out.text());
    let report = s.report();
    let test_keys = report["xray"]["test_keys"].as_object().expect("test_keys");
    for bug in &bugs {
        // The run whose defects hold this bug is the Test it must be linked from.
        let (test_key, _) = exec
            .runs
            .iter()
            .find(|(_, r)| r.defects.contains(&bug.key))
            .expect("bug is a defect of one run");
        assert!(
            bug.links
                .contains(&("Test".to_string(), test_key.clone(), bug.key.clone())),
            "{} links {:?}, want Test from {test_key}",
            bug.key,
            bug.links
        );
        let text = support::jira_fake::text_of(&bug.description);
        // ADF on Cloud ("Xray Test: CALC-1"), wiki markup on DC ("*Xray Test:* [CALC-1|…]").
        let line = text
            .lines()
            .find(|l| l.contains("Xray Test:"))
            .unwrap_or("");
        assert!(line.contains(test_key.as_str()), "{text}");
        assert!(
            test_keys.values().any(|v| v == test_key.as_str()),
            "{test_keys:?}"
        );
    }
    assert_eq!(test_keys.len(), 10, "{test_keys:?}");
    assert_eq!(test_keys["com.acme.CalcTest.fails_003"], "CALC-77");
    let linked = report["bugs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "linked")
        .count();
    assert_eq!(linked, 10);
    // The summary's Xray column names each Test.
    let summary = s.read("summary.md");
    for key in test_keys.values() {
        assert!(summary.contains(key.as_str().unwrap()), "{summary}");
    }
    // One lookup of the runs for 15 results (≤ ceil(N/100)).
    let lookups = xray
        .server
        .requests()
        .iter()
        .filter(|r| {
            r.path().contains("/api/testexec/")
                || (r.path() == "/api/v2/graphql" && r.body_str().contains("testRuns"))
        })
        .count();
    assert_eq!(lookups, 1);
}

#[test]
fn cloud_bugs_of_unmapped_tests_are_linked_to_their_tests() {
    ten_failing_unmapped(false);
}

#[test]
fn dc_bugs_of_unmapped_tests_are_linked_to_their_tests() {
    ten_failing_unmapped(true);
}
