//! GitHub Actions surfaces, checked the way the runner reads them: the job summary, the step
//! outputs file (heredoc values too), annotations and their cap, masks first, untrusted text
//! that must not become a workflow command, and the PR comment against a loopback fake.

use crate::github_runner;
use crate::support;

use std::collections::BTreeMap;

use github_runner::{parse_commands, parse_output_file};
use std::sync::{Arc, Mutex};

use support::fake::{Fake, Reply, Request};
use xray_sync::model::{Counts, OutcomeKind};
use xray_sync::report::github::pr_comment::{self, PrCommentOutcome, PrTarget};
use xray_sync::report::github::{self, GithubEnv, OUTPUT_NAMES};
use xray_sync::report::markdown::{JOB_SUMMARY_MAX_BYTES, job_summary_markdown};
use xray_sync::report::summary_data::{
    BugAction, BugRow, ExecutionRef, FailureRow, Problem, RunSummary,
};
use xray_sync::secret::Secret;

fn failure(i: usize) -> FailureRow {
    FailureRow {
        name: format!("test_case_{i}"),
        test_id: format!("com.acme.Suite.test_case_{i}"),
        xray_key: i.is_multiple_of(2).then(|| format!("CALC-{}", i + 1)),
        kind: if i % 7 == 3 {
            OutcomeKind::Error
        } else {
            OutcomeKind::Failed
        },
        message: Some(format!(
            "expected {i} but was {}\n  at Suite.java:{i}",
            i + 1
        )),
        file: (!i.is_multiple_of(3)).then(|| "src/test/java/com/acme/Suite.java".to_string()),
        line: (i % 3 == 1).then_some(40 + i as u32),
        result_file: Some("target/surefire-reports/TEST-Suite.xml".to_string()),
        definition: format!("com.acme.Suite.test_case_{i}"),
        ..FailureRow::default()
    }
}

fn sample() -> RunSummary {
    RunSummary {
        counts: Counts {
            total: 10,
            passed: 6,
            failed: 2,
            error: 1,
            skipped: 1,
            flaky: 1,
        },
        execution: Some(ExecutionRef {
            key: "CALC-9".into(),
            url: Some("https://acme.atlassian.net/browse/CALC-9".into()),
        }),
        failures: (0..3).map(failure).collect(),
        flaky: vec!["retry_me".into()],
        bugs: vec![
            BugRow {
                action: BugAction::Created,
                key: Some("CALC-10".into()),
                url: Some("https://acme.atlassian.net/browse/CALC-10".into()),
                test: "test_case_0".into(),
            },
            BugRow {
                action: BugAction::Commented,
                key: Some("CALC-4".into()),
                url: Some("https://acme.atlassian.net/browse/CALC-4".into()),
                test: "test_case_1".into(),
            },
        ],
        notes: vec!["Jira close-on-pass is off".into()],
        stale_keys: Vec::new(),
        dry_run: false,
        report_path: Some("/tmp/r/xray-sync.json".into()),
        run_url: Some("https://github.com/acme/app/actions/runs/1".into()),
        ..RunSummary::default()
    }
}

#[test]
fn summary_has_totals_execution_failures_bugs_and_flaky() {
    let mut s = sample();
    s.failures[0].bug = Some(s.bugs[0].clone());
    s.failures[1].bug = Some(s.bugs[1].clone());
    let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
    assert!(
        md.starts_with("## ❌ xray-sync: 3 of 10 tests failed\n"),
        "{md}"
    );
    assert!(md.contains(
        "**10** tests: **6** passed, **2** failed, **1** errors, **1** skipped, **1** flaky · Test Execution [CALC-9](https://acme.atlassian.net/browse/CALC-9) · [CI run](https://github.com/acme/app/actions/runs/1)"
    ), "{md}");
    assert!(md.contains("### Failed tests (3)"));
    assert!(md.contains("| Test | Message | Bug | Xray Test |"));
    // One row per failure: short title, full id and source behind the disclosure, bug and key.
    assert!(md.contains(
        "| <details><summary>Suite.test\\_case\\_1</summary>com.acme.Suite.test\\_case\\_1<br>src/test/java/com/acme/Suite.java:41</details> | expected 1 but was 2 | [CALC-4](https://acme.atlassian.net/browse/CALC-4) commented | — |"
    ), "{md}");
    assert!(md.contains("| expected 0 but was 1 | [CALC-10](https://acme.atlassian.net/browse/CALC-10) created | CALC-1 |"), "{md}");
    // Bugs shown in their failure's row are not listed again.
    assert!(!md.contains("### Other Jira actions"), "{md}");
    assert!(md.contains("### 🔁 Flaky tests (1)\n\n- retry\\_me\n"));
    assert!(md.contains("- Jira close-on-pass is off"));
}

#[test]
fn dry_run_summary_says_nothing_was_sent() {
    let mut s = sample();
    s.dry_run = true;
    s.execution = None;
    s.bugs[0].key = None;
    s.bugs[0].url = None;
    let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
    assert!(md.starts_with("## ❌ xray-sync (dry run)"));
    assert!(md.contains("dry run: nothing was sent"));
    assert!(
        md.contains("- would create a new bug: test\\_case\\_0"),
        "{md}"
    );
}

#[test]
fn summary_for_20000_failures_stays_under_64_kib_with_flaky_and_problems() {
    let mut s = sample();
    s.failures = (0..20_000).map(failure).collect();
    s.flaky = (0..5_000).map(|i| format!("flaky_{i}")).collect();
    s.problems = vec![
        Problem::with_command(
            "Xray: results that were not sent are saved in .xray-sync-spool/run-1; send them later with",
            "xray-sync resend .xray-sync-spool/run-1",
        ),
        Problem::new("CALC-77 is not a Test: its results went by definition"),
    ];
    s.counts.failed = 20_000;
    let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
    assert!(md.len() < 64 * 1024, "{} bytes", md.len());
    assert!(
        md.contains("… and 19950 more failed tests"),
        "no truncation note"
    );
    // The top of the summary, the problems and the flaky list survive the cut.
    assert!(md.contains("Test Execution [CALC-9]"));
    assert!(md.contains("### ⚠️ Problems (2)"));
    assert!(md.contains("xray-sync resend .xray-sync-spool/run-1"));
    assert!(md.contains("CALC-77 is not a Test"));
    assert!(md.contains("### 🔁 Flaky tests (5000)"));
    assert!(md.contains("- flaky\\_0\n"));
    assert!(md.contains("- Jira close-on-pass is off"));
    // Problems come before the failures.
    assert!(md.find("### ⚠️ Problems") < md.find("### Failed tests"));
}

#[test]
fn outputs_file_round_trips_including_multiline_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("output");
    std::fs::write(&path, "earlier=kept\n").unwrap();
    let tricky = "line one\nghadelimiter_x\nEOF\n\nlast";
    github::write_outputs(&path, &[("total", "3"), ("notes", tricky), ("eq", "a=b")]).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("earlier=kept\ntotal=3\nnotes<<ghadelimiter_"));
    let parsed = parse_output_file(&text);
    assert_eq!(
        parsed,
        [
            ("earlier".to_string(), "kept".to_string()),
            ("total".into(), "3".into()),
            ("notes".into(), tricky.into()),
            ("eq".into(), "a=b".into()),
        ]
    );
}

#[test]
fn publish_writes_summary_outputs_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let env = GithubEnv {
        step_summary: Some(dir.path().join("summary.md")),
        output: Some(dir.path().join("output")),
        ..GithubEnv::default()
    };
    let mut log = Vec::new();
    github::publish(&env, &sample(), &[], &mut log).unwrap();

    let outputs: BTreeMap<String, String> =
        parse_output_file(&std::fs::read_to_string(dir.path().join("output")).unwrap())
            .into_iter()
            .collect();
    let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
    let mut declared = OUTPUT_NAMES.to_vec();
    declared.sort_unstable();
    assert_eq!(names, declared);
    assert_eq!(outputs["test-execution-key"], "CALC-9");
    assert_eq!(outputs["total"], "10");
    assert_eq!(outputs["failed"], "3", "failed counts errors too");
    assert_eq!(outputs["bugs-created"], "1");
    assert_eq!(outputs["bugs-commented"], "1");
    assert_eq!(outputs["report-path"], "/tmp/r/xray-sync.json");

    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("**10** tests: **6** passed, **2** failed, **1** errors"));

    let cmds = parse_commands(&String::from_utf8(log).unwrap());
    assert_eq!(cmds.len(), 3);
    assert!(cmds.iter().all(|c| c.name == "error"));
}

#[test]
fn annotations_are_capped_at_50_with_500_failures() {
    let mut s = sample();
    s.failures = (0..500).map(failure).collect();
    let lines = github::annotations(&s, github::ANNOTATION_LIMIT);
    assert_eq!(lines.len(), 50);
    let cmds = parse_commands(&lines.join("\n"));
    assert_eq!(cmds.len(), 50, "every line is exactly one command");
    assert_eq!(cmds.iter().filter(|c| c.name == "error").count(), 49);
    let last = &cmds[49];
    assert_eq!(last.name, "warning");
    assert_eq!(
        last.data,
        "451 more failed tests are not annotated; see the job summary."
    );
    // Errored tests come first.
    assert!(cmds[0].props["title"].ends_with("errored"));
    // File and line when known, else the result file without a line.
    let with_line = cmds.iter().find(|c| c.props.contains_key("line")).unwrap();
    assert_eq!(with_line.props["file"], "src/test/java/com/acme/Suite.java");
    let on_result = cmds
        .iter()
        .find(|c| {
            c.props.get("file").map(String::as_str)
                == Some("target/surefire-reports/TEST-Suite.xml")
        })
        .unwrap();
    assert!(!on_result.props.contains_key("line"));
    assert!(
        on_result.data.contains("\n  at Suite.java:"),
        "message keeps its lines"
    );

    // Below the cap: one annotation per failure, no overflow line.
    s.failures.truncate(50);
    assert_eq!(github::annotations(&s, 50).len(), 50);
    assert!(github::annotations(&s, 0).is_empty());
}

#[test]
fn masks_come_before_any_other_output() {
    let secret = Secret::from("xray-client-secret-value");
    let token = Secret::from("jira-api-token-1\njira-api-token-2");
    let mut s = sample();
    s.failures[0].message = Some("auth failed".into());
    let mut log = Vec::new();
    github::emit_masks(&mut log, &[&secret, &token]).unwrap();
    github::publish(&GithubEnv::default(), &s, &[&secret, &token], &mut log).unwrap();
    for line in github::failure_log(&s, 10) {
        log.extend_from_slice(line.as_bytes());
        log.push(b'\n');
    }
    let cmds = parse_commands(&String::from_utf8(log).unwrap());
    let masks: Vec<&str> = cmds
        .iter()
        .take_while(|c| c.name == "add-mask")
        .map(|c| c.data.as_str())
        .collect();
    assert_eq!(
        masks,
        [
            "xray-client-secret-value",
            "jira-api-token-1",
            "jira-api-token-2"
        ]
    );
    assert!(cmds.iter().skip(3).all(|c| c.name != "add-mask"));
    assert!(cmds.len() > 3);
}

#[test]
fn known_secrets_never_reach_the_log_or_any_file() {
    let secret = Secret::from("xray-client-secret-value");
    let token = Secret::from("ghs_faketoken123");
    let mut s = sample();
    s.failures[0].message = Some("401 with client_secret=xray-client-secret-value".into());
    s.failures[1].name = "prints ghs_faketoken123".into();
    s.flaky.push("flaky ghs_faketoken123".into());
    s.errors
        .push("Jira said: bad token ghs_faketoken123".into());
    let dir = tempfile::tempdir().unwrap();
    let env = GithubEnv {
        step_summary: Some(dir.path().join("summary.md")),
        output: Some(dir.path().join("output")),
        ..GithubEnv::default()
    };
    let secrets = [&secret, &token];
    let mut log = Vec::new();
    github::emit_masks(&mut log, &secrets).unwrap();
    github::publish(&env, &s, &secrets, &mut log).unwrap();
    github::write_summary_md(&dir.path().join("summary-md.md"), &s, &secrets).unwrap();
    let body = pr_comment::pr_comment_body(&s, Some("job"), &secrets);

    let log = String::from_utf8(log).unwrap();
    let after_masks: Vec<&str> = log.lines().skip(2).collect();
    assert!(log.lines().take(2).all(|l| l.starts_with("::add-mask::")));
    let mut texts = vec![after_masks.join("\n"), body];
    for f in ["summary.md", "output", "summary-md.md"] {
        texts.push(std::fs::read_to_string(dir.path().join(f)).unwrap());
    }
    for t in &texts {
        assert!(!t.contains("xray-client-secret-value"), "{t}");
        assert!(!t.contains("ghs_faketoken123"), "{t}");
    }
    assert!(
        texts[2].contains("client\\_secret=\\*\\*\\*"),
        "scrubbed, not dropped"
    );
}

#[test]
fn untrusted_text_never_becomes_a_command() {
    let evil = [
        "::stop-commands::pwned",
        "  ::error::fake error",
        "ok\n::add-mask::x\n::set-output name=total::999",
        "##[error]legacy",
        "text ##[group]legacy in the middle",
        "cr\r::warning::after carriage return",
        "::pwned::",
    ];
    let mut s = sample();
    s.failures = evil
        .iter()
        .enumerate()
        .map(|(i, e)| FailureRow {
            name: e.to_string(),
            test_id: e.to_string(),
            xray_key: None,
            kind: OutcomeKind::Failed,
            message: Some(format!("{e}\nstdout: {e}")),
            file: Some(e.to_string()),
            line: Some(i as u32 + 1),
            ..FailureRow::default()
        })
        .collect();
    let mut log = github::annotations(&s, 50);
    log.extend(github::failure_log(&s, 50));
    for e in evil {
        log.push(github::neutralise(e));
    }
    let cmds = parse_commands(&log.join("\n"));
    let names: Vec<&str> = cmds.iter().map(|c| c.name.as_str()).collect();
    // Only our own commands: one error per failure, one group around the details.
    let mut expected = vec!["error"; evil.len()];
    expected.extend(["group", "endgroup"]);
    assert_eq!(names, expected);
    // Our annotations still carry the untrusted text, escaped, readable.
    assert!(cmds[0].data.starts_with(":\u{200B}:stop-commands::pwned"));
    assert!(!cmds.iter().any(|c| c.name == "stop-commands"));
}

// ---------------------------------------------------------------------------------------------
// PR comment against a fake GitHub API.

#[derive(Default)]
struct FakeGithub {
    comments: Vec<serde_json::Value>,
    next_id: u64,
    /// Status for create/update, to simulate a read-only token.
    write_status: Option<u16>,
}

fn comment_json(id: u64, login: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "node_id": format!("IC_{id}"),
        "url": format!("http://fake/repos/acme/app/issues/comments/{id}"),
        "html_url": format!("https://github.com/acme/app/pull/7#issuecomment-{id}"),
        "body": body,
        "user": {"login": login, "id": 1, "type": if login.ends_with("[bot]") { "Bot" } else { "User" }},
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

fn github_fake(state: Arc<Mutex<FakeGithub>>) -> Fake {
    Fake::serve(move |req: &Request| {
        let mut st = state.lock().unwrap();
        let path = req.path().to_string();
        match (req.method.as_str(), path.as_str()) {
            ("GET", "/user") => Reply::json(
                403,
                r#"{"message":"Resource not accessible by integration"}"#,
            ),
            ("GET", "/repos/acme/app/issues/7/comments") => Reply::json(
                200,
                serde_json::Value::Array(st.comments.clone()).to_string(),
            ),
            ("POST", "/repos/acme/app/issues/7/comments") => {
                if let Some(code) = st.write_status {
                    return Reply::json(
                        code,
                        r#"{"message":"Resource not accessible by integration"}"#,
                    );
                }
                st.next_id += 1;
                let id = 1000 + st.next_id;
                let body = req.json()["body"].as_str().unwrap_or("").to_string();
                let c = comment_json(id, "github-actions[bot]", &body);
                st.comments.push(c.clone());
                Reply::json(201, c.to_string())
            }
            ("PATCH", p) if p.starts_with("/repos/acme/app/issues/comments/") => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let body = req.json()["body"].as_str().unwrap_or("").to_string();
                match st.comments.iter_mut().find(|c| c["id"] == id) {
                    Some(c) => {
                        c["body"] = body.into();
                        Reply::json(200, c.to_string())
                    }
                    None => Reply::json(404, r#"{"message":"Not Found"}"#),
                }
            }
            _ => Reply::json(404, r#"{"message":"Not Found"}"#),
        }
    })
}

/// The shared HTTP stack the PR comment goes through, without the retry policy's sleeps.
fn http() -> xray_sync::http::Http {
    xray_sync::http::Http::new(&xray_sync::settings::HttpSettings::default())
        .unwrap()
        .with_sleep(|_| {})
}

fn target(fake: &Fake) -> PrTarget {
    PrTarget {
        api_url: fake.url(),
        repository: "acme/app".into(),
        pr_number: 7,
        token: Secret::from("ghs_faketoken123"),
        job_key: None,
    }
}

#[test]
fn pr_comment_is_created_then_updated_in_place() {
    let state = Arc::new(Mutex::new(FakeGithub::default()));
    // Someone else pasted our marker: it must not be the one we edit.
    state.lock().unwrap().comments.push(comment_json(
        5,
        "mallory",
        "<!-- xray-sync -->\nfake results",
    ));
    let fake = github_fake(state.clone());
    let t = target(&fake);

    let first = pr_comment::upsert(
        &http(),
        &t,
        &pr_comment::pr_comment_body(&sample(), None, &[]),
    )
    .unwrap();
    let PrCommentOutcome::Created { id, url } = first else {
        panic!("expected a created comment, got {first:?}");
    };
    assert_eq!(
        url.as_deref(),
        Some(format!("https://github.com/acme/app/pull/7#issuecomment-{id}").as_str())
    );

    let mut second_run = sample();
    second_run.counts.total = 11;
    let second = pr_comment::upsert(
        &http(),
        &t,
        &pr_comment::pr_comment_body(&second_run, None, &[]),
    )
    .unwrap();
    assert!(
        matches!(second, PrCommentOutcome::Updated { id: i, .. } if i == id),
        "{second:?}"
    );

    assert_eq!(
        fake.requests_to("POST", "/repos/acme/app/issues/7/comments")
            .len(),
        1
    );
    let patches = fake.requests_to("PATCH", &format!("/repos/acme/app/issues/comments/{id}"));
    assert_eq!(patches.len(), 1);
    assert!(
        patches[0].json()["body"]
            .as_str()
            .unwrap()
            .contains("**11** tests: **6** passed")
    );
    let st = state.lock().unwrap();
    assert_eq!(st.comments.len(), 2);
    assert_eq!(st.comments[0]["body"], "<!-- xray-sync -->\nfake results");
    // Every request carried the token; none went anywhere but the fake.
    for r in fake.requests() {
        assert!(
            r.header("authorization")
                .unwrap_or("")
                .contains("ghs_faketoken123")
        );
    }
}

#[test]
fn pr_comment_without_permission_is_skipped() {
    let state = Arc::new(Mutex::new(FakeGithub {
        write_status: Some(403),
        ..FakeGithub::default()
    }));
    let fake = github_fake(state);
    let out = pr_comment::upsert(&http(), &target(&fake), "<!-- xray-sync -->\nhi").unwrap();
    match out {
        PrCommentOutcome::Skipped { reason } => {
            assert!(reason.contains("403"), "{reason}");
            assert!(!reason.contains("ghs_faketoken123"));
        }
        other => panic!("expected Skipped, got {other:?}"),
    }
}

#[test]
fn pr_comment_server_error_is_an_error_not_a_skip() {
    let fake = Fake::serve(|req: &Request| match req.path() {
        "/user" => Reply::json(200, r#"{"login":"ci-bot"}"#),
        _ => Reply::json(500, r#"{"message":"boom"}"#),
    });
    let err = pr_comment::upsert(&http(), &target(&fake), "x").unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
}

/// The PR comment rides the shared HTTP stack, so it gets the one retry policy: a read that
/// meets a 503 is asked again, while a create that meets a gateway error is never resent blind
/// (it may have been applied). octocrab sent each request once, outside that policy.
#[test]
fn pr_comment_follows_the_shared_retry_policy() {
    let listed = Arc::new(Mutex::new(0u32));
    let seen = listed.clone();
    let fake = Fake::serve(
        move |req: &Request| match (req.method.as_str(), req.path()) {
            ("GET", "/user") => Reply::json(200, r#"{"login":"ci-bot"}"#),
            ("GET", "/repos/acme/app/issues/7/comments") => {
                let mut n = seen.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    Reply::json(503, r#"{"message":"try again"}"#)
                } else {
                    Reply::json(200, "[]")
                }
            }
            ("POST", "/repos/acme/app/issues/7/comments") => Reply::json(502, "bad gateway"),
            _ => Reply::json(404, r#"{"message":"Not Found"}"#),
        },
    );
    let err = pr_comment::upsert(&http(), &target(&fake), "<!-- xray-sync -->\nhi").unwrap_err();
    assert_eq!(*listed.lock().unwrap(), 2, "the list was retried once");
    assert_eq!(
        fake.requests_to("POST", "/repos/acme/app/issues/7/comments")
            .len(),
        1,
        "an ambiguous create is not resent"
    );
    assert!(err.to_string().contains("502"), "{err}");
}
