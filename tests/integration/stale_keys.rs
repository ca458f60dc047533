//! Stale Test keys end to end (issue 12): results naming a key that does not exist, a key of a
//! Bug and 20 valid Tests go into one execution with every result, the two stale keys are
//! reported once (console, JSON report, job summary) and the run exits 0; under `strict_keys`
//! nothing is sent and the exit code is 3. The bug of a test whose key names a Bug is filed
//! without a "tests" link from that Bug (issue 19 item 7). Cloud and Data Center.

use crate::support;

use support::e2e::*;
use support::xray_fake::XrayFake;

/// JUnit with 22 keyed tests: `CALC-404` (missing), `CALC-900` (a Bug, failing), and
/// `CALC-1`…`CALC-20` (Tests; `CALC-1` fails).
pub fn keyed_junit() -> String {
    keyed_junit_from(1, true)
}

/// [`keyed_junit`] with the valid keys `CALC-first`…`CALC-first+19`; without `stale`, only those.
pub fn keyed_junit_from(first: usize, stale: bool) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"Keyed\" tests=\"22\" failures=\"2\">\n",
    );
    let case = |name: &str, key: &str, fail: bool| {
        let failure = if fail {
            "<failure message=\"boom\">boom</failure>"
        } else {
            ""
        };
        format!(
            "  <testcase classname=\"com.acme.Keyed\" name=\"{name}\" time=\"0.01\">{failure}<properties><property name=\"test_key\" value=\"{key}\"/></properties></testcase>\n"
        )
    };
    if stale {
        x.push_str(&case("gone", "CALC-404", false));
        x.push_str(&case("claims_a_bug", "CALC-900", true));
    }
    for i in 1..=20 {
        let key = format!("CALC-{}", first + i - 1);
        x.push_str(&case(&format!("t{i:02}"), &key, i == 1));
    }
    x.push_str("</testsuite>\n");
    x
}

/// The Xray fake's issues: 20 Tests and one Bug.
pub fn seed(xray: &XrayFake) {
    for i in 1..=20 {
        xray.add_issue(&format!("CALC-{i}"), "Test");
    }
    xray.add_issue("CALC-900", "Bug");
}

fn scratch() -> Scratch {
    let s = Scratch::new();
    std::fs::write(s.path("results").join("TEST-keyed.xml"), keyed_junit()).unwrap();
    s
}

fn xray_env(cmd: &mut std::process::Command, xray: &XrayFake, dc: bool) {
    if dc {
        cmd.env("XRAY_DEPLOYMENT", "dc")
            .env("XRAY_URL", xray.url())
            .env("JIRA_PAT", PAT)
            .env("XRAY_PROJECT", PROJECT);
    } else {
        xray_cloud_env(cmd, &xray.url());
    }
}

fn falls_back(dc: bool) {
    let xray = if dc { xray_dc_pat() } else { xray_cloud() };
    seed(&xray);
    let jira = if dc { jira_dc_pat() } else { jira_cloud() };
    same_site(&jira, &xray);
    let s = scratch();
    let mut cmd = s.bin();
    xray_env(&mut cmd, &xray, dc);
    if dc {
        cmd.env("JIRA_URL", jira.url())
            .env("JIRA_BUG_PROJECT", BUG_PROJECT);
    } else {
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

    // One execution with all 22 results: 20 by key, the two stale ones by definition.
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 22, "{:?}", exec.runs.keys());
    assert_eq!(exec.runs.values().filter(|r| r.by_definition).count(), 2);
    assert_eq!(xray.import_requests().len(), 1);

    // Reported once in each place.
    let report = s.report();
    let stale: Vec<(String, String)> = report["xray"]["stale_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_string(),
                k["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want_bug = if dc {
        "is a Bug, not a Test"
    } else {
        "is not a Test"
    };
    assert_eq!(
        stale,
        [
            ("CALC-404".to_string(), "not found".to_string()),
            ("CALC-900".to_string(), want_bug.to_string()),
        ]
    );
    let text = out.text();
    for key in ["CALC-404", "CALC-900"] {
        assert_eq!(
            text.matches(&format!("stale key: {key}")).count(),
            1,
            "{text}"
        );
    }
    let summary = s.read("summary.md");
    assert!(summary.contains("Stale Test keys (2)"), "{summary}");
    assert!(summary.contains("CALC-404: not found"), "{summary}");
    // The failed-tests row of the Bug-claiming test names the Test its result landed on.
    let landed = report["xray"]["test_keys"]["CALC-900"]
        .as_str()
        .expect("where CALC-900's result landed")
        .to_string();
    let row = summary
        .lines()
        .find(|l| l.starts_with('|') && l.contains("claims"))
        .unwrap_or_default();
    assert!(row.contains(&landed) && !row.contains("CALC-900"), "{row}");

    // Two bugs (CALC-900's test and CALC-1's); only the verified Test is linked.
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 2, "{bugs:?}");
    let links: Vec<(String, String, String)> =
        bugs.iter().flat_map(|b| b.links.iter().cloned()).collect();
    assert!(
        links.iter().all(|(_, inward, _)| inward != "CALC-900"),
        "a Bug named by test_key must not be linked as a Test: {links:?}"
    );
    let t01 = bugs.iter().find(|b| b.summary.contains("t01")).unwrap();
    assert!(
        t01.links
            .contains(&("Test".to_string(), "CALC-1".to_string(), t01.key.clone())),
        "{:?}",
        t01.links
    );
}

#[test]
fn cloud_stale_keys_fall_back_and_the_run_succeeds() {
    falls_back(false);
}

#[test]
fn dc_stale_keys_fall_back_and_the_run_succeeds() {
    falls_back(true);
}

fn strict(dc: bool) {
    let xray = if dc { xray_dc_pat() } else { xray_cloud() };
    seed(&xray);
    let jira = if dc { jira_dc_pat() } else { jira_cloud() };
    let s = scratch();
    std::fs::write(s.path("strict.toml"), "[xray]\nstrict_keys = true\n").unwrap();
    let mut cmd = s.bin();
    xray_env(&mut cmd, &xray, dc);
    if dc {
        cmd.env("JIRA_URL", jira.url())
            .env("JIRA_BUG_PROJECT", BUG_PROJECT);
    } else {
        jira_cloud_env(&mut cmd, &jira.url());
    }
    cmd.args([
        "run",
        "--config",
        "strict.toml",
        "--report",
        "report.json",
        "results",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(out.text().contains("CALC-404"), "{}", out.text());
    // Nothing sent anywhere: no import, no bug, no Jira write.
    assert!(xray.import_requests().is_empty());
    assert!(xray.executions().is_empty());
    assert!(jira.issues().is_empty());
    assert!(
        jira.fake.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        jira.fake.requests()
    );
    let report = s.report();
    assert_eq!(report["xray"]["stale_keys"].as_array().unwrap().len(), 2);
    assert_eq!(report["xray"]["chunks"][0]["status"], "not-sent");
}

#[test]
fn cloud_strict_keys_send_nothing_and_exit_3() {
    strict(false);
}

#[test]
fn dc_strict_keys_send_nothing_and_exit_3() {
    strict(true);
}

/// Issue 19 item 7 without Xray: the keys are checked in Jira itself (`key in (…)`, the
/// missing one dropped and asked again); only the real Test of a configured project is linked.
fn jira_only(dc: bool) {
    let jira = if dc { jira_dc_pat() } else { jira_cloud() };
    // The site's Tests live in the Xray fake's store; Xray itself is not configured.
    let store = xray_cloud();
    store.add_issue("CALC-1", "Test");
    store.add_issue("CALC-900", "Bug");
    same_site(&jira, &store);
    let s = Scratch::new();
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"K\" tests=\"3\" failures=\"3\">\n",
    );
    for (name, key) in [
        ("real", "CALC-1"),
        ("claims_a_bug", "CALC-900"),
        ("gone", "CALC-404"),
    ] {
        x.push_str(&format!(
            "  <testcase classname=\"com.acme.K\" name=\"{name}\"><failure message=\"boom\">boom</failure><properties><property name=\"test_key\" value=\"{key}\"/></properties></testcase>\n"
        ));
    }
    x.push_str("</testsuite>\n");
    std::fs::write(s.path("results").join("TEST-k.xml"), x).unwrap();
    std::fs::write(
        s.path("mapping.toml"),
        "[mapping]\nproject_keys = [\"CALC\"]\n",
    )
    .unwrap();
    let mut cmd = s.bin();
    if dc {
        cmd.env("JIRA_URL", jira.url())
            .env("JIRA_PAT", PAT)
            .env("JIRA_BUG_PROJECT", BUG_PROJECT);
    } else {
        jira_cloud_env(&mut cmd, &jira.url());
    }
    cmd.args(["run", "--config", "mapping.toml", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 3, "{}", out.text());
    let links: Vec<(String, String, String)> =
        bugs.iter().flat_map(|b| b.links.iter().cloned()).collect();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].0, "Test");
    assert_eq!(links[0].1, "CALC-1");
    // One lookup naming all three, one again without the missing key.
    let lookups: Vec<String> = jira
        .fake
        .requests()
        .iter()
        .map(|r| r.body_str())
        .filter(|b| b.contains("key in"))
        .collect();
    assert_eq!(lookups.len(), 2, "{lookups:?}");
    assert!(!lookups[1].contains("CALC-404"));
}

#[test]
fn cloud_jira_only_run_links_only_verified_tests() {
    jira_only(false);
}

#[test]
fn dc_jira_only_run_links_only_verified_tests() {
    jira_only(true);
}
