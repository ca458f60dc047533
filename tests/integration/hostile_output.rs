//! Issue 19 items 3, 9, 11 and 13, against the real binary and the fakes: text a server echoes
//! back never becomes a workflow command (run, doctor, resend); `run --json` keeps stdout pure
//! JSON on GitHub Actions; 5 MB test names and raw ESC bytes do not reach the log; a dry run
//! sends nothing to GitHub and masks no empty credential. Also issue 16's "no comment from the
//! CI run that created the bug" with two invocations in one CI run.

use crate::github_runner::parse_commands;
use crate::support;

use support::e2e::*;
use support::fake::{Fake, Reply, Request};
use support::xray_fake::{Action, On};

/// Text that would be workflow commands if printed raw; `pwned` marks what must not run.
const INJECTED: &str =
    "shot\n::stop-commands::pwned\n::add-mask::pwned-mask\n##[error]pwned-legacy";

/// Every workflow command in `log`, as the runner would parse them.
fn commands(log: &str) -> Vec<String> {
    parse_commands(log)
        .into_iter()
        .map(|c| format!("{}:{}", c.name, c.data))
        .collect()
}

fn assert_no_injected_command(what: &str, log: &str) {
    for c in commands(log) {
        assert!(
            !c.contains("pwned"),
            "{what}: the server's text became the workflow command {c:?}:\n{log}"
        );
    }
}

fn github_env(cmd: &mut std::process::Command, s: &Scratch) {
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", s.dir.path())
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_RUN_ID", "77")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_SERVER_URL", "https://github.example");
}

#[test]
fn xray_400_echoing_a_filename_never_becomes_a_workflow_command() {
    let xray = xray_cloud();
    // xray-api.md §2.4: Cloud errors are usually `400 {"error": "<message>"}`, and the message
    // quotes what was sent (here an evidence file name with line breaks in it).
    let body = serde_json::json!({ "error": format!("Invalid evidence filename: {INJECTED}") });
    xray.fault(
        On::Path("/api/v2/import/execution/multipart".into(), 1),
        Action::Reply(Reply::json(400, body.to_string())),
    );
    let s = Scratch::new();
    s.junit("TEST-a.xml", "ATest", 2, &failures(1));
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    github_env(&mut cmd, &s);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.stderr.contains("Invalid evidence filename"),
        "{}",
        out.stderr
    );
    assert_no_injected_command("run stdout", &out.stdout);
    assert_no_injected_command("run stderr", &out.stderr);

    // resend of what the failed run spooled: the same echo on its first try.
    xray.fault(
        On::Path("/api/v2/import/execution/multipart".into(), 2),
        Action::Reply(Reply::json(400, body.to_string())),
    );
    let spool = s
        .files_under("spool")
        .into_iter()
        .find(|(p, _)| p.ends_with("manifest.json"))
        .map(|(p, _)| p.parent().unwrap().to_path_buf())
        .expect("the failed run spooled its chunk");
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    github_env(&mut cmd, &s);
    cmd.arg("resend").arg(&spool);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert_no_injected_command("resend stdout", &out.stdout);
    assert_no_injected_command("resend stderr", &out.stderr);
}

#[test]
fn doctor_prints_server_text_neutralised() {
    // xray-api.md §1: authenticate answers `400` `text/plain` for a malformed request; a proxy
    // or a hostile server can put anything in that body.
    let xray = Fake::serve(|_req: &Request| Reply::text(400, "text/plain", INJECTED));
    let s = Scratch::new();
    for json in [false, true] {
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        cmd.env("GITHUB_ACTIONS", "true").arg("doctor");
        if json {
            cmd.arg("--json");
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(1), "{}", out.text());
        assert!(out.stdout.contains("stop-commands"), "{}", out.stdout);
        assert_no_injected_command("doctor stdout", &out.stdout);
        assert_no_injected_command("doctor stderr", &out.stderr);
        if json {
            let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("doctor --json");
            assert_eq!(v["ok"], false);
        }
    }
}

#[test]
fn run_json_on_github_keeps_stdout_pure_json() {
    let xray = xray_cloud();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "ATest", 2, &failures(2));
    std::fs::write(s.path("summary.md"), "").unwrap();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    github_env(&mut cmd, &s);
    cmd.env("GITHUB_STEP_SUMMARY", s.path("summary.md"))
        .args(["run", "--json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let v: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(v["counts"]["failed"], 2);
    // The workflow commands went to stderr, which the runner reads too.
    let on_stderr = commands(&out.stderr);
    assert!(
        on_stderr.iter().any(|c| c.starts_with("add-mask:")),
        "{on_stderr:?}"
    );
    assert_eq!(
        on_stderr.iter().filter(|c| c.starts_with("error:")).count(),
        2
    );
}

#[test]
fn five_megabyte_names_and_escape_bytes_are_cut_and_escaped() {
    let xray = xray_cloud();
    let jira = jira_cloud();
    same_site(&jira, &xray);
    let s = Scratch::new();
    let huge: Vec<(String, String)> = (0..3)
        .map(|i| {
            (
                format!("n{i}_{}", "x".repeat(5 * 1024 * 1024)),
                "boom".to_string(),
            )
        })
        .collect();
    s.junit("TEST-huge.xml", "HugeTest", 0, &huge);
    // Raw ESC (not allowed in XML 1.0, written by hand) in a test name and a failure message.
    std::fs::write(
        s.path("results/TEST-esc.xml"),
        "<testsuite name=\"e\"><testcase classname=\"e.E\" name=\"esc\u{1b}[2Jname\"><failure message=\"red \u{1b}[31mX \u{1b}]0;title\u{7}\">x</failure></testcase></testsuite>",
    )
    .unwrap();
    std::fs::write(s.path("summary.md"), "").unwrap();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    github_env(&mut cmd, &s);
    cmd.env("GITHUB_STEP_SUMMARY", s.path("summary.md"))
        .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    // Bugs were filed with bounded titles and descriptions that still say what failed.
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 4, "{}", out.text());
    for b in &bugs {
        assert!(b.summary.chars().count() <= 255);
        let text = support::jira_fake::text_of(&b.description);
        assert!(text.contains("What failed"), "{text}");
    }
    assert!(
        out.stdout.len() + out.stderr.len() < 256 * 1024,
        "{} bytes of output for three 5 MB names",
        out.stdout.len() + out.stderr.len()
    );
    for line in out.stdout.lines().chain(out.stderr.lines()) {
        assert!(line.len() < 8 * 1024, "a {} byte line", line.len());
    }
    let summary = s.read("summary.md");
    assert!(summary.len() < 64 * 1024, "{} bytes", summary.len());
    for c in parse_commands(&out.stdout) {
        if let Some(title) = c.props.get("title") {
            assert!(
                title.len() <= 1100,
                "a {} byte annotation title",
                title.len()
            );
        }
    }
    let everything = format!("{}{}{summary}", out.stdout, out.stderr);
    assert!(
        everything.contains("esc\\u{1b}[2Jname"),
        "the name is shown, its ESC escaped"
    );
    assert!(!everything.contains('\u{1b}'), "raw ESC reached the output");
    assert!(!everything.contains('\u{7}'), "raw BEL reached the output");
}

#[test]
fn dry_run_with_pr_comment_calls_no_github_api_and_masks_nothing_empty() {
    let github = Fake::serve(|_req: &Request| Reply::json(500, r#"{"message":"no"}"#));
    let s = Scratch::new();
    s.junit("TEST-a.xml", "ATest", 1, &failures(1));
    let mut cmd = s.bin();
    github_env(&mut cmd, &s);
    cmd.env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        // Xray DC with no credentials at all: the dry run plans with an empty Basic pair,
        // whose encoded form `base64(":")` is `Og==`.
        .env("XRAY_DEPLOYMENT", "dc")
        .env("XRAY_URL", refused_url())
        .env("XRAY_PROJECT", PROJECT)
        .args(["run", "--dry-run", "--pr-comment", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        github.requests().is_empty(),
        "a dry run called GitHub: {:?}",
        github
            .requests()
            .iter()
            .map(|r| r.target.clone())
            .collect::<Vec<_>>()
    );
    let masks: Vec<String> = commands(&out.stdout)
        .into_iter()
        .filter(|c| c.starts_with("add-mask:"))
        .collect();
    assert!(!masks.iter().any(|m| m == "add-mask:Og=="), "{masks:?}");
    for m in &masks {
        assert!(
            m.len() > "add-mask:".len() + 4,
            "mask of a short value: {m:?}"
        );
    }
}

#[test]
fn second_invocation_in_the_same_ci_run_does_not_comment_on_the_bug_the_first_created() {
    let xray = xray_cloud();
    let jira = jira_cloud();
    same_site(&jira, &xray);
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &failures(1));
    let invoke = || {
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
        github_env(&mut cmd, &s);
        cmd.args(["run", "results"]);
        run(&mut cmd)
    };
    let first = invoke();
    assert_eq!(first.code, Some(0), "{}", first.text());
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 1, "{}", first.text());
    let second = invoke();
    assert_eq!(second.code, Some(0), "{}", second.text());
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 1, "no second bug");
    assert!(
        bugs[0].comments.is_empty(),
        "commented on a bug this CI run created: {:?}",
        bugs[0].comment_texts()
    );
    assert!(
        second.stdout.contains("created in this CI run"),
        "{}",
        second.stdout
    );
}
