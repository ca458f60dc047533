//! `xray-sync run` end to end: the real binary, a clean environment, the fake Xray and Jira on
//! loopback. Each test proves an acceptance point through what a user sees: exit code, console,
//! `--report` JSON, and the state the fakes end up in.

use crate::support;

use std::collections::BTreeSet;

use support::e2e::*;
use support::fake::{Reply, multipart_parts};
use support::xray_fake::{Action, On};

/// The `note:` lines of a run's console output, each once.
fn assert_notes_unique(stdout: &str) {
    let notes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("note:")).collect();
    let unique: BTreeSet<&&str> = notes.iter().collect();
    assert_eq!(notes.len(), unique.len(), "a note printed twice:\n{stdout}");
}

/// Cloud Xray + Cloud Jira (email + API token): one execution with every result, one bug per
/// failing test linked as the run's defect; a second CI run comments instead of filing again.
#[test]
fn cloud_run_files_bugs_links_defects_and_dedups_on_the_next_run() {
    let xray = xray_cloud();
    let jira = jira_cloud();
    same_site(&jira, &xray);
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));
    let run_once = |job: &str| {
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
        // A GitLab job: the CI run id (pipeline + job) is the comment marker. Each call is its
        // own pipeline (jobs of one pipeline share a Test Execution).
        cmd.env("GITLAB_CI", "true")
            .env("CI_PIPELINE_ID", format!("50{job}"))
            .env("CI_JOB_ID", job)
            .args(["run", "--report", "report.json", "results"]);
        run(&mut cmd)
    };

    let out = run_once("1");
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_notes_unique(&out.stdout);

    // Jira: two open bugs, each with its dedup label and the marker label.
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 2, "{bugs:?}");
    for b in &bugs {
        assert!(b.is_open());
        assert_eq!(b.project, BUG_PROJECT);
        assert!(b.labels.iter().any(|l| l == "xray-sync"), "{:?}", b.labels);
        assert!(
            b.labels
                .iter()
                .any(|l| l.starts_with("xray-sync-") && l.len() > "xray-sync-".len()),
            "{:?}",
            b.labels
        );
    }
    let bug_keys: BTreeSet<String> = bugs.iter().map(|b| b.key.clone()).collect();

    // Xray: exactly one execution with 5 results; the failing runs carry the bugs as defects.
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 5);
    let failed: Vec<_> = exec
        .runs
        .values()
        .filter(|r| r.status == "FAILED")
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(
        exec.runs.values().filter(|r| r.status == "PASSED").count(),
        3
    );
    let defects: BTreeSet<String> = failed
        .iter()
        .flat_map(|r| r.defects.iter().cloned())
        .collect();
    assert_eq!(defects, bug_keys);
    assert!(failed.iter().all(|r| r.defects.len() == 1));

    // Report: execution key, chunk receipts, bug actions "created" with keys.
    let report = s.report();
    assert_eq!(report["xray"]["execution"], exec.key.as_str());
    assert_eq!(report["xray"]["created"], true);
    assert_eq!(
        report["xray"]["chunks"],
        serde_json::json!([{"index": 0, "tests": 5, "status": "sent"}])
    );
    assert_eq!(report["counts"]["total"], 5);
    assert_eq!(report["counts"]["failed"], 2);
    let actions = report["bugs"].as_array().unwrap();
    // Each new bug is created, then linked to the Test the import put its result on.
    assert_eq!(actions.len(), 4, "{actions:?}");
    let kinds = |kind: &str| -> BTreeSet<String> {
        actions
            .iter()
            .filter(|a| a["kind"] == kind)
            .map(|a| a["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds("created"), bug_keys);
    assert_eq!(kinds("linked"), bug_keys);
    assert_eq!(report["errors"], serde_json::json!([]));

    // Console: the execution and the bugs.
    assert!(
        out.stdout
            .contains(&format!("Xray: results are in {}", exec.key)),
        "{}",
        out.stdout
    );
    for k in &bug_keys {
        assert!(
            out.stdout.contains(&format!("created {k}")),
            "{}",
            out.stdout
        );
    }

    // The next CI run, same failures: no new bug, one comment on each.
    let out = run_once("2");
    assert_eq!(out.code, Some(0), "{}", out.text());
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 2, "a second run filed a new bug");
    for b in &bugs {
        assert!(b.is_open());
        assert_eq!(b.comments.len(), 1, "{}: {:?}", b.key, b.comment_texts());
    }
    let report = s.report();
    let kinds: Vec<&str> = report["bugs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["commented", "commented"]);
    for k in &bug_keys {
        assert!(
            out.stdout.contains(&format!("commented {k}")),
            "{}",
            out.stdout
        );
    }
    // The second run's execution links the same bugs.
    let execs = xray.executions();
    assert_eq!(execs.len(), 2);
    let second = execs.values().find(|e| e.key != exec.key).unwrap();
    let defects: BTreeSet<String> = second
        .runs
        .values()
        .flat_map(|r| r.defects.iter().cloned())
        .collect();
    assert_eq!(defects, bug_keys);
}

/// Data Center: one PAT for Xray and Jira. DC statuses (PASS/FAIL) and `testInfo.testType`.
#[test]
fn dc_run_with_one_pat() {
    let xray = xray_dc_pat();
    let jira = jira_dc_pat();
    same_site(&jira, &xray);
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));
    let mut cmd = s.bin();
    cmd.env("XRAY_DEPLOYMENT", "dc")
        .env("XRAY_URL", xray.url())
        .env("JIRA_URL", jira.url())
        .env("JIRA_PAT", PAT)
        .env("XRAY_PROJECT", PROJECT)
        .env("JIRA_BUG_PROJECT", BUG_PROJECT)
        .args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());

    let exec = xray.only_execution();
    let statuses: Vec<&str> = exec.runs.values().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "PASS").count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == "FAIL").count(), 2);

    // The DC multipart import: part `result`, tests defined by `testInfo.testType`.
    let imports = xray.import_requests();
    assert_eq!(imports.len(), 1);
    assert_eq!(
        imports[0].path(),
        "/rest/raven/2.0/import/execution/multipart"
    );
    assert_eq!(
        imports[0].header("authorization"),
        Some(format!("Bearer {PAT}").as_str())
    );
    let parts = multipart_parts(&imports[0]);
    let result = parts
        .iter()
        .find(|p| p.name == "result")
        .expect("result part");
    let doc: serde_json::Value = serde_json::from_slice(&result.data).unwrap();
    let tests = doc["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    for t in tests {
        assert_eq!(t["testInfo"]["testType"], "Generic", "{t}");
        assert!(t["testInfo"].get("type").is_none(), "{t}");
    }

    // Jira DC: two bugs (same PAT), linked as defects.
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 2);
    let keys: BTreeSet<String> = bugs.iter().map(|b| b.key.clone()).collect();
    let defects: BTreeSet<String> = exec
        .runs
        .values()
        .flat_map(|r| r.defects.iter().cloned())
        .collect();
    assert_eq!(defects, keys);
    for r in jira.fake.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {PAT}").as_str())
        );
    }
}

/// `--fail-on-test-failure`: exit 1 when tests failed, and only after the upload.
#[test]
fn fail_on_test_failure_exits_1_after_uploading() {
    let xray = xray_cloud();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--fail-on-test-failure", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(1), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 5);
    assert!(
        out.stdout
            .contains(&format!("Xray: results are in {}", exec.key))
    );

    // All passing: exit 0 with the same flag.
    let s = Scratch::new();
    s.junit("TEST-ok.xml", "OkTest", 2, &[]);
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--fail-on-test-failure", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
}

/// Xray rejects the import (400): exit 4, the spool directory is named, the report carries the
/// error with its doctor check; `resend` against a healthy Xray then delivers everything.
#[test]
fn rejected_import_is_spooled_and_resent() {
    let xray = xray_cloud();
    xray.fault(
        On::Path("/api/v2/import/execution/multipart".into(), 1),
        Action::Reply(Reply::json(
            400,
            r#"{"error":"Error creating Test Execution - Issue create failed! - fixVersions: Version name 'v9' is not valid"}"#,
        )),
    );
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(xray.executions().is_empty());

    let spools: Vec<_> = std::fs::read_dir(s.path("spool"))
        .expect("spool directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(spools.len(), 1, "{spools:?}");
    let spool = &spools[0];
    assert!(
        out.stderr.contains(&spool.display().to_string()),
        "stderr must name {}:\n{}",
        spool.display(),
        out.stderr
    );
    assert!(out.stderr.contains("xray-sync resend"), "{}", out.stderr);

    let report = s.report();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("Version name 'v9' is not valid"),
        "{errors:?}"
    );
    assert!(
        errors[0]["doctor_check"]
            .as_str()
            .is_some_and(|c| c.starts_with("xray.")),
        "{errors:?}"
    );
    assert_eq!(report["xray"]["chunks"][0]["status"], "spooled");

    // The fault fired once: Xray is healthy now.
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.arg("resend").arg(spool);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 5);
    assert!(out.stdout.contains(&exec.key), "{}", out.stdout);

    // Again: nothing is sent twice, and the command says why it did nothing.
    let before = xray.server.requests().len();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.arg("resend").arg(spool);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout
            .contains("note: nothing left to send in this spool"),
        "{}",
        out.text()
    );
    assert_eq!(xray.server.requests().len(), before);
}

/// Input errors: no file → exit 3 naming the patterns; a malformed file among good ones is
/// named with its line and skipped; `--strict` makes it fatal.
#[test]
fn input_errors_and_malformed_files() {
    let xray = xray_cloud();
    let s = Scratch::new();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "missing/*.xml", "nope.xml"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(out.stderr.contains("missing/*.xml"), "{}", out.stderr);
    assert!(out.stderr.contains("nope.xml"), "{}", out.stderr);
    assert!(xray.server.requests().is_empty());

    s.junit("TEST-good.xml", "GoodTest", 2, &failures(1));
    std::fs::write(
        s.path("results/TEST-bad.xml"),
        "<?xml version=\"1.0\"?>\n<testsuite name=\"bad\">\n  <testcase name=\"a\" classname=\"b\">\n    <failure message=\"m\">\n</testsuite>\n",
    )
    .unwrap();

    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--strict", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(out.stderr.contains("TEST-bad.xml:5"), "{}", out.stderr);
    assert!(xray.server.requests().is_empty(), "--strict sends nothing");

    // Without --strict everything readable is sent and reported, and the bad file still makes
    // the run fail (exit 3): a crashed test process never gives a green step.
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stdout.contains("TEST-bad.xml:5"),
        "the bad file and its line must be named:\n{}",
        out.stdout
    );
    assert!(out.stderr.contains("--allow-bad-files"), "{}", out.stderr);
    assert_notes_unique(&out.stdout);
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 3, "the good file's results are uploaded");
    let notes = s.report()["notes"].to_string();
    assert!(notes.contains("TEST-bad.xml:5"), "{notes}");

    // --allow-bad-files: the same run is a warning, exit 0.
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--allow-bad-files", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout
            .contains("WARNING: 1 result file(s) could not be read"),
        "{}",
        out.stdout
    );
}

/// Dry runs: with Jira credentials the label searches are real and read-only ("would comment
/// on" the existing bug, "would create" the other), nothing is written to Jira and Xray is not
/// contacted; without credentials it says it cannot know.
#[test]
fn dry_runs_search_but_never_write() {
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));

    // No credentials at all: every URL unset, nothing to reach.
    let mut cmd = s.bin();
    cmd.env("XRAY_PROJECT", PROJECT)
        .env("JIRA_BUG_PROJECT", BUG_PROJECT)
        .args(["run", "--dry-run", "--plan-json", "plan.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(out.stdout.contains("nothing was sent"), "{}", out.stdout);
    assert!(out.stdout.contains("cannot know"), "{}", out.stdout);
    let plan: serde_json::Value = serde_json::from_str(&s.read("plan.json")).unwrap();
    let intents = plan["jira"]["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 2);
    let existing_label = intents[0]["label"].as_str().unwrap().to_string();

    // One of the two failing tests already has an open bug.
    let xray = xray_cloud();
    let jira = jira_cloud();
    same_site(&jira, &xray);
    let existing = jira.add_issue(BUG_PROJECT, &[&existing_label, "xray-sync"], "new");
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    cmd.args(["run", "--dry-run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout.contains(&format!("would comment on {existing}")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("would create"), "{}", out.stdout);
    assert!(
        out.stdout.contains("lookups below are real"),
        "{}",
        out.stdout
    );

    let requests = jira.fake.requests();
    assert!(!requests.is_empty(), "the dry run searched");
    for r in &requests {
        assert!(
            r.method == "GET" || r.path() == "/rest/api/3/search/jql",
            "a dry run wrote to Jira: {} {}",
            r.method,
            r.path()
        );
    }
    assert_eq!(jira.issues().len(), 1);
    assert!(jira.issue(&existing).comments.is_empty());
    assert!(
        xray.server.requests().is_empty(),
        "a dry run never calls Xray"
    );
    let report = s.report();
    assert_eq!(report["dry_run"], true);
    let kinds: BTreeSet<&str> = report["bugs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, BTreeSet::from(["would-comment", "would-create"]));
}

/// 200 results at 50 per request: four imports (one create, three appends), one execution.
#[test]
fn chunked_upload_goes_into_one_execution() {
    let xray = xray_cloud();
    let s = Scratch::new();
    s.junit("TEST-big.xml", "BigTest", 150, &failures(50));
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_CHUNK_MAX_TESTS", "50")
        .args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let imports = xray.import_requests();
    assert_eq!(imports.len(), 4);
    assert_eq!(imports[0].path(), "/api/v2/import/execution/multipart");
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 200);
    for r in &imports[1..] {
        assert_eq!(r.path(), "/api/v2/import/execution");
        assert_eq!(r.json()["testExecutionKey"], exec.key.as_str());
        assert_eq!(r.json()["tests"].as_array().map(Vec::len), Some(50));
    }
    let chunks = s.report()["xray"]["chunks"].clone();
    assert_eq!(chunks.as_array().map(Vec::len), Some(4));
    assert!(
        chunks
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "sent" && c["tests"] == 50)
    );
}

/// Xray Cloud records a run whose status name it does not have as TO DO, without an error
/// (xray-api.md §0, §7 pitfall 1): a Data Center name in `[statuses]` would turn every failure
/// into TO DO. The run reads the site's names once, sends the Cloud default instead, and says
/// so; the names the site has (a custom `FLAKY`) are sent as configured.
#[test]
fn a_status_name_cloud_does_not_have_is_replaced_not_recorded_as_to_do() {
    let xray = xray_cloud();
    xray.state.lock().unwrap().statuses.push("FLAKY".into());
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 2, &failures(1));
    std::fs::write(
        s.path("xray-sync.toml"),
        "[statuses]\nfailed = \"FAIL\"\nflaky = \"FLAKY\"\n",
    )
    .unwrap();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout
            .contains("status 'FAIL' (for failed) is not an Xray status of this site"),
        "{}",
        out.text()
    );
    assert!(!out.stdout.contains("status 'FLAKY'"), "{}", out.text());
    let exec = xray.only_execution();
    let mut statuses: Vec<&str> = exec.runs.values().map(|r| r.status.as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["FAILED", "PASSED", "PASSED"]);
    let report = s.report();
    let warnings = report["xray"]["warnings"].to_string();
    assert!(warnings.contains("sent as 'FAILED' instead"), "{warnings}");
}
