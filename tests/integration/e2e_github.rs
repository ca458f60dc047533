//! The binary on a simulated GitHub Actions runner (issue 6 acceptance): 500 failing tests, some
//! of whose messages try to inject workflow commands, against the fake Xray, Jira and GitHub
//! API. What the runner would do is read back with `github_runner` (its own parsing rules).

use crate::github_runner;
use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use github_runner::{parse_commands, parse_output_file};
use support::e2e::*;
use xray_sync::report::github::OUTPUT_NAMES;

const FAILURES: usize = 500;

/// Failure messages, every tenth one hostile.
fn hostile_failures() -> Vec<(String, String)> {
    let evil = [
        "::stop-commands::abc",
        "::error::pwned",
        "##[error]x",
        "ok\n::error::pwned on a later line\n  ::stop-commands::abc",
    ];
    (0..FAILURES)
        .map(|i| {
            let message = if i % 10 == 0 {
                evil[(i / 10) % evil.len()].to_string()
            } else {
                format!("expected {i} but was {}", i + 1)
            };
            (format!("fails_{i:03}"), message)
        })
        .collect()
}

#[test]
fn actions_run_masks_annotates_outputs_and_summarises_safely() {
    let xray = xray_cloud();
    let jira = jira_cloud();
    same_site(&jira, &xray);
    let gh_state = Arc::new(Mutex::new(GithubState::default()));
    let gh = github_fake(gh_state.clone());
    let s = Scratch::new();
    s.junit("TEST-mass.xml", "MassTest", 0, &hostile_failures());
    std::fs::write(s.path("output"), "").unwrap();
    std::fs::write(s.path("summary.md"), "").unwrap();

    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", s.path("summary.md"))
        .env("GITHUB_OUTPUT", s.path("output"))
        .env("GITHUB_WORKSPACE", s.dir.path())
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_API_URL", gh.url())
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_RUN_ID", "9001")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_SHA", "9f1c2ab")
        .env("GITHUB_JOB", "test")
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("XRAY_SYNC_PR_COMMENT", "true")
        .args([
            "run",
            "--report",
            "report.json",
            "--summary-md",
            "summary-md.md",
            "results",
        ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());

    // Masks first, for every secret value, before any other line.
    let commands = parse_commands(&out.stdout);
    let masked: Vec<&str> = commands
        .iter()
        .take_while(|c| c.name == "add-mask")
        .map(|c| c.data.as_str())
        .collect();
    let basic_form = basic(EMAIL, API_TOKEN);
    assert_eq!(
        masked.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            XRAY_CLIENT_SECRET,
            API_TOKEN,
            basic_form.as_str(),
            GITHUB_TOKEN
        ]),
        "{masked:?}"
    );
    let first_lines: Vec<&str> = out.stdout.lines().take(masked.len()).collect();
    assert!(
        first_lines.iter().all(|l| l.starts_with("::add-mask::")),
        "{first_lines:?}"
    );
    assert!(
        commands[masked.len()..]
            .iter()
            .all(|c| c.name != "add-mask"),
        "a mask came late"
    );

    // At most 50 annotations; nothing injected survives the runner's parser.
    let annotations: Vec<_> = commands
        .iter()
        .filter(|c| matches!(c.name.as_str(), "error" | "warning" | "notice"))
        .collect();
    assert!(!annotations.is_empty());
    assert!(annotations.len() <= 50, "{} annotations", annotations.len());
    // The hostile text did reach the log (so the checks below are not vacuous), defused.
    assert!(out.stdout.contains("stop-commands::abc"));
    assert!(out.stdout.contains("error::pwned"));
    assert!(
        !commands.iter().any(|c| c.name == "stop-commands"),
        "stop-commands got through"
    );
    for c in &commands {
        assert!(
            matches!(
                c.name.as_str(),
                "add-mask" | "error" | "warning" | "notice" | "group" | "endgroup"
            ),
            "unexpected command {c:?}"
        );
        if c.name == "error" {
            // Ours always carry a title; an injected `::error::pwned` or `##[error]x` has none.
            assert!(
                c.props.contains_key("title"),
                "injected error command {c:?}"
            );
            assert!(!c.data.starts_with("pwned"), "injected error command {c:?}");
        }
    }

    // Step outputs, read the way the runner reads them.
    let outputs: BTreeMap<String, String> =
        parse_output_file(&s.read("output")).into_iter().collect();
    assert_eq!(
        outputs.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        OUTPUT_NAMES.iter().copied().collect::<BTreeSet<_>>()
    );
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), FAILURES);
    assert_eq!(outputs["test-execution-key"], exec.key);
    assert_eq!(outputs["total"], "500");
    assert_eq!(outputs["failed"], "500");
    assert_eq!(outputs["passed"], "0");
    assert_eq!(outputs["skipped"], "0");
    assert_eq!(outputs["flaky"], "0");
    assert_eq!(outputs["report-path"], "report.json");
    // Mass failure (default threshold 20): ONE umbrella issue, not 500 bugs.
    let issues = jira.issues();
    assert_eq!(
        issues.len(),
        1,
        "{:?}",
        issues.iter().map(|i| &i.key).collect::<Vec<_>>()
    );
    assert_eq!(outputs["bugs-created"], "1");
    assert_eq!(outputs["bugs-commented"], "0");

    // The job summary: totals line, under 64 KiB; --summary-md holds the same.
    let summary = s.read("summary.md");
    assert!(summary.len() < 64 * 1024, "{} bytes", summary.len());
    assert!(
        summary.contains("**500** tests: **0** passed, **500** failed"),
        "{}",
        &summary[..summary.len().min(2000)]
    );
    assert!(summary.contains("… and 450 more failed tests"));
    assert!(summary.contains(&exec.key));
    assert_eq!(s.read("summary-md.md"), summary);

    // The PR comment went to the fake API, once.
    let comments = gh_state.lock().unwrap().comments.clone();
    assert_eq!(comments.len(), 1, "{comments:?}");
    let comment = comments[0]["body"].as_str().unwrap_or("").to_string();
    assert!(comment.contains("xray-sync"), "{comment}");
    for r in gh.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {GITHUB_TOKEN}").as_str())
        );
    }

    // No secret anywhere the run wrote (stdout after the masks included).
    let mut secrets = all_secrets();
    secrets.extend(xray.tokens_issued());
    let after_masks: String = out
        .stdout
        .lines()
        .skip(masked.len())
        .collect::<Vec<_>>()
        .join("\n");
    let mut texts = vec![
        ("stdout after the masks".to_string(), after_masks),
        ("stderr".to_string(), out.stderr.clone()),
        ("PR comment".to_string(), comment),
    ];
    for f in ["summary.md", "summary-md.md", "output", "report.json"] {
        texts.push((f.to_string(), s.read(f)));
    }
    for (p, t) in s.files_under("spool") {
        texts.push((p.display().to_string(), t));
    }
    assert_no_secrets(&texts, &secrets);
}
