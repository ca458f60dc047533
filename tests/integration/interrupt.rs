//! Stopping early (issue 14, issue 19 item 14): SIGTERM/SIGINT and the run deadline stop the
//! real binary cleanly: no new request, the one in flight finishes (or is given up after the
//! grace period), then the spool (with the execution key), the JSON report, the Markdown
//! summary and the step outputs are written, and `resend` completes the same execution.
#![cfg(unix)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::e2e::{self, Out, Scratch};
use crate::support::fake::Reply;
use crate::support::xray_fake::{Action, On};

const APPEND: &str = "/api/v2/import/execution";

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} failed");
}

/// Waits until `cond` holds (checked every 20 ms), at most `limit`.
fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(child: Child) -> Out {
    let o = child.wait_with_output().expect("wait for xray-sync");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A GitHub-flavoured run of 10 passing tests in 5 chunks of 2 against `url`.
fn five_chunk_run(s: &Scratch, url: &str) -> Command {
    s.junit("calc.xml", "calc", 10, &[]);
    std::fs::write(s.path("gh-output"), "").unwrap();
    std::fs::write(s.path("gh-summary"), "").unwrap();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, url);
    cmd.env("XRAY_SYNC_CHUNK_MAX_TESTS", "2")
        .env("XRAY_SYNC_REPORT", s.path("report.json"))
        .env("XRAY_SYNC_SUMMARY_MD", s.path("summary.md"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", s.path("gh-output"))
        .env("GITHUB_STEP_SUMMARY", s.path("gh-summary"))
        .args(["run", "results"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn only_spool(s: &Scratch) -> std::path::PathBuf {
    let dirs: Vec<_> = std::fs::read_dir(s.path("spool"))
        .expect("a spool directory was written")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(dirs.len(), 1, "one spool directory: {dirs:?}");
    dirs[0].clone()
}

#[test]
fn sigterm_during_chunk_two_of_five_writes_everything_and_resend_completes_the_execution() {
    let xray = e2e::xray_cloud();
    // Chunk 2 is the first append: it is processed, and answered 3 s later (< the 10 s grace).
    xray.fault(
        On::Path(APPEND.into(), 1),
        Action::ApplyThenDelay(Duration::from_secs(3)),
    );
    let s = Scratch::new();
    let child = five_chunk_run(&s, &xray.url()).spawn().expect("spawn");
    wait_for(Duration::from_secs(20), || {
        !xray.server.requests_to("POST", APPEND).is_empty()
    });
    signal(&child, "TERM");
    let out = finish(child);
    assert_eq!(out.code, Some(143), "{}", out.text());

    // The chunk in flight finished; nothing was started after the signal.
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 4, "chunks 1 and 2 are in {}", exec.key);
    assert_eq!(xray.server.requests_to("POST", APPEND).len(), 1);

    let report = s.report();
    assert_eq!(report["stopped"]["reason"], "SIGTERM");
    assert_eq!(report["xray"]["execution"], exec.key.as_str());
    let statuses: Vec<&str> = report["xray"]["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["sent", "sent", "spooled", "spooled", "spooled"]);
    let text = out.text();
    assert!(
        text.contains(&format!(
            "2 of 5 chunk(s) sent to {} (4 result(s))",
            exec.key
        )),
        "{text}"
    );
    assert!(text.contains("3 chunk(s) (6 result(s)) not sent"), "{text}");
    let summary = s.read("summary.md");
    assert!(summary.contains("stopped by SIGTERM"), "{summary}");
    assert!(s.read("gh-summary").contains("stopped by SIGTERM"));
    assert!(
        s.read("gh-output")
            .contains(&format!("test-execution-key={}", exec.key)),
        "{}",
        s.read("gh-output")
    );

    // The spool names the execution, so resend appends to it.
    let spool = only_spool(&s);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spool.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["execution_key"], exec.key.as_str());
    assert!(!spool.join("info.json").exists(), "nothing left to create");

    let mut resend = s.bin();
    e2e::xray_cloud_env(&mut resend, &xray.url());
    resend.arg("resend").arg(&spool);
    let out = e2e::run(&mut resend);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 10, "every result is in {}", exec.key);
    assert!(exec.runs.values().all(|r| r.status == "PASSED"));
    // Titled from the whole run's counts, which are now all in it.
    assert!(exec.summary.contains("· 10/10 passed"), "{}", exec.summary);
}

#[test]
fn a_second_signal_exits_at_once() {
    let xray = e2e::xray_cloud();
    // The append would take 60 s: only the second signal ends the wait before the grace does.
    xray.fault(
        On::Path(APPEND.into(), 1),
        Action::ApplyThenDelay(Duration::from_secs(60)),
    );
    let s = Scratch::new();
    let mut cmd = five_chunk_run(&s, &xray.url());
    cmd.env("XRAY_SYNC_IMPORT_TIMEOUT", "120");
    let child = cmd.spawn().expect("spawn");
    wait_for(Duration::from_secs(20), || {
        !xray.server.requests_to("POST", APPEND).is_empty()
    });
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    let second = Instant::now();
    signal(&child, "INT");
    let out = finish(child);
    assert_eq!(out.code, Some(130), "{}", out.text());
    assert!(
        second.elapsed() < Duration::from_secs(5),
        "exited {:?} after the second signal",
        second.elapsed()
    );
}

#[test]
fn the_run_deadline_stops_a_server_that_answers_slowly_and_an_auth_timeout_is_no_create() {
    let xray = e2e::xray_cloud();
    // Authentication answers after 60 s: headers never come within the deadline.
    xray.fault(
        On::Path("/api/v2/authenticate".into(), 1),
        Action::Reply(Reply::json(200, "\"late-token\"").after(Duration::from_secs(60))),
    );
    let s = Scratch::new();
    let mut cmd = five_chunk_run(&s, &xray.url());
    cmd.env("XRAY_SYNC_MAX_RUN_TIME", "2s")
        .env("XRAY_SYNC_READ_TIMEOUT", "120")
        .env("XRAY_SYNC_IMPORT_TIMEOUT", "120")
        .env("XRAY_SYNC_MAX_ATTEMPTS", "5");
    let started = Instant::now();
    let out = finish(cmd.spawn().expect("spawn"));
    let took = started.elapsed();
    // 2 s deadline + 10 s grace for the request in flight, then the outputs.
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(took >= Duration::from_secs(2), "took {took:?}");
    assert_eq!(out.code, Some(4), "{}", out.text());
    let text = out.text();
    assert!(text.contains("--max-run-time 2 s"), "{text}");
    // The create was never sent: no marker search, the spool creates it later.
    assert!(!text.contains("may have happened"), "{text}");
    assert!(
        xray.server
            .requests_to("POST", "/api/v2/graphql")
            .is_empty()
    );
    assert!(xray.import_requests().is_empty());
    assert!(xray.executions().is_empty());
    let report = s.report();
    assert!(
        report["stopped"]["reason"]
            .as_str()
            .unwrap()
            .contains("deadline"),
        "{report}"
    );
    let spool = only_spool(&s);
    assert!(spool.join("info.json").exists(), "the create is spooled");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spool.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["chunks"].as_array().unwrap().len(), 5);
}

#[test]
fn an_authentication_timeout_does_not_count_as_a_create_that_may_have_happened() {
    let xray = e2e::xray_cloud();
    xray.fault(
        On::Path("/api/v2/authenticate".into(), 1),
        Action::Reply(Reply::json(200, "\"late-token\"").after(Duration::from_secs(4))),
    );
    let s = Scratch::new();
    s.junit("calc.xml", "calc", 3, &[]);
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_READ_TIMEOUT", "1")
        .env("XRAY_SYNC_REPORT", s.path("report.json"))
        .args(["run", "results"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    let text = out.text();
    assert!(text.contains("nothing was created"), "{text}");
    assert!(!text.contains("may have happened"), "{text}");
    assert!(
        xray.server
            .requests_to("POST", "/api/v2/graphql")
            .is_empty()
    );
    assert!(only_spool(&s).join("info.json").exists());
}

#[test]
fn sigterm_while_filing_bugs_spools_every_xray_chunk_for_resend() {
    use crate::support::jira_fake::{Fault, FaultAction};
    let xray = e2e::xray_cloud();
    let jira = e2e::jira_cloud();
    // The first bug create is processed, and answered 3 s later.
    jira.inject(Fault {
        method: "POST",
        path: "/rest/api/3/issue".into(),
        times: 1,
        action: FaultAction::ApplyThenDelay(Duration::from_secs(3)),
    });
    let s = Scratch::new();
    s.junit("calc.xml", "calc", 3, &e2e::failures(2));
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    e2e::jira_cloud_env(&mut cmd, &jira.url());
    cmd.env("XRAY_SYNC_REPORT", s.path("report.json"))
        .env("XRAY_SYNC_IMPORT_TIMEOUT", "30")
        .args(["run", "results"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    wait_for(Duration::from_secs(30), || !jira.issues().is_empty());
    signal(&child, "TERM");
    let out = finish(child);
    assert_eq!(out.code, Some(143), "{}", out.text());
    // Nothing went to Xray after the signal; every result is spooled, the create included.
    assert!(xray.import_requests().is_empty());
    let report = s.report();
    assert_eq!(report["stopped"]["reason"], "SIGTERM");
    assert_eq!(report["xray"]["chunks"][0]["status"], "spooled");
    let lines = report["stopped"]["lines"].to_string();
    assert!(lines.contains("Jira: "), "{lines}");
    let spool = only_spool(&s);
    assert!(spool.join("info.json").exists());

    let mut resend = s.bin();
    e2e::xray_cloud_env(&mut resend, &xray.url());
    resend.arg("resend").arg(&spool);
    let out = e2e::run(&mut resend);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(xray.only_execution().runs.len(), 5);
}

/// A run stopped mid-upload makes no requirement links for its Tests given by key (the steps
/// after the import are not started once stopped): the spool's manifest says so, the run's
/// output names the way out, and `resend` says it again when it has sent the rest.
#[test]
fn a_stopped_run_names_the_requirement_links_it_did_not_make_and_resend_repeats_it() {
    let xray = e2e::xray_cloud();
    xray.add_issue("CALC-7", "Test");
    xray.add_issue("CALC-8", "Story");
    // Chunk 2 is the first append: processed, answered 3 s later (< the 10 s grace).
    xray.fault(
        On::Path(APPEND.into(), 1),
        Action::ApplyThenDelay(Duration::from_secs(3)),
    );
    let s = Scratch::new();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"calc\" tests=\"6\">\n",
    );
    for i in 0..5 {
        xml.push_str(&format!(
            "<testcase classname=\"calc\" name=\"test{i}\"/>\n"
        ));
    }
    xml.push_str(
        "<testcase classname=\"calc\" name=\"keyed\"><properties>\
         <property name=\"test_key\" value=\"CALC-7\"/>\
         <property name=\"requirements\" value=\"CALC-8\"/></properties></testcase>\n</testsuite>\n",
    );
    std::fs::create_dir_all(s.path("results")).unwrap();
    std::fs::write(s.path("results/calc.xml"), xml).unwrap();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_CHUNK_MAX_TESTS", "2")
        .args(["run", "results"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    wait_for(Duration::from_secs(20), || {
        !xray.server.requests_to("POST", APPEND).is_empty()
    });
    signal(&child, "TERM");
    let out = finish(child);
    assert_eq!(out.code, Some(143), "{}", out.text());
    let text = out.text();
    assert!(
        text.contains("the requirement links of Tests given by key")
            && text.contains("--test-execution"),
        "{text}"
    );
    let spool = only_spool(&s);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spool.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["after_import"],
        serde_json::json!(["the requirement links of Tests given by key"])
    );

    let mut resend = s.bin();
    e2e::xray_cloud_env(&mut resend, &xray.url());
    resend.arg("resend").arg(&spool);
    let out = e2e::run(&mut resend);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(xray.only_execution().runs.len(), 6);
    assert!(
        out.stdout.contains(
            "note: the resent results' Tests miss the requirement links of Tests given by key"
        ),
        "{}",
        out.text()
    );
}
