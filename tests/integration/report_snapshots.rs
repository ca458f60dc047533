//! Snapshots of what people read: the job summary, the console summary, a bug description
//! (ADF for Cloud, wiki markup for DC) and the "failed again" comment, built from real fixtures
//! and from a generated 200,000-test run, so a change in wording or layout shows in review as a
//! diff of `tests/integration/snapshots/`. Also the acceptance checks of issue 16 that read
//! these surfaces: every jest-junit failure has a message, and the summary keeps its size bound.

use std::path::Path;

use crate::plan_support::{cloud_args, dc_args, resolve_full};
use crate::support;

use xray_sync::ci::{CiContext, CiProvider};
use xray_sync::ingest::{self, InputOptions};
use xray_sync::jira::body::{self, Context};
use xray_sync::jira::receipt::{ActionKind, BugAction, JiraReceipt};
use xray_sync::jira::{adf, wiki};
use xray_sync::model::TestRun;
use xray_sync::plan::{self, IssueKey, Plan};
use xray_sync::report::assemble::{self, Receipts};
use xray_sync::report::console;
use xray_sync::report::markdown::{JOB_SUMMARY_MAX_BYTES, job_summary_markdown};
use xray_sync::report::summary_data::RunSummary;
use xray_sync::settings::{Product, Settings};
use xray_sync::xray::upload::XrayReceipt;

const JEST: &str = "fixtures/junit/test-reporter/fixtures/jest-junit.xml";
const SUREFIRE_FLAKY: &str =
    "fixtures/junit/action-junit-report/test_results/maven_surefire_flaky/surefire-report.xml";
const MULTIPLE_FAILURES: &str = "fixtures/junit/action-junit-report/test_results/multiple_failures";

/// A GitHub Actions pull-request run of a workflow called `tests`.
fn github_ci() -> CiContext {
    CiContext {
        provider: CiProvider::GithubActions,
        run_id: Some("4242-1".into()),
        run_url: Some("https://github.com/acme/calc/actions/runs/4242".into()),
        sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        ref_name: Some("fix-divide".into()),
        workflow: Some("tests".into()),
        job: Some("unit".into()),
        repository: Some("acme/calc".into()),
        pr_number: Some(7),
        pipeline_run: Some("4242".into()),
        run_attempt: Some("1".into()),
        ..CiContext::default()
    }
}

fn settings(product: Product) -> Settings {
    let args = match product {
        Product::Cloud => cloud_args(),
        Product::Dc => dc_args(),
    };
    resolve_full(&args, "", vec![], false, github_ci()).expect("valid settings")
}

fn plan_of(patterns: &[&str], settings: &Settings) -> (Plan, TestRun) {
    let run = ingest::collect(&InputOptions {
        patterns: patterns.iter().map(|p| p.to_string()).collect(),
        allow_empty: false,
        strict: false,
    })
    .expect("fixtures parse");
    (plan::build(&run, settings).expect("plan"), run)
}

/// What a run against working servers would have answered: the execution CALC-51 and one new
/// bug per intent (BUG-1, BUG-2, …).
fn receipts(plan: &Plan, site: &str) -> Receipts {
    let mut xray = XrayReceipt::new(Product::Cloud);
    xray.execution = IssueKey::parse("CALC-51");
    xray.created = true;
    let mut actions: Vec<BugAction> = plan
        .jira
        .iter()
        .flat_map(|j| &j.intents)
        .enumerate()
        .map(|(n, i)| BugAction {
            kind: ActionKind::Created,
            test: Some(i.test),
            test_id: Some(i.report.test_id.clone()),
            label: i.label.clone(),
            key: IssueKey::parse(&format!("BUG-{}", n + 1)),
            url: Some(format!("{site}/browse/BUG-{}", n + 1)),
            detail: None,
        })
        .collect();
    // A mass failure files one umbrella issue for every failing test.
    if let Some(u) = plan.jira.as_ref().and_then(|j| j.umbrella.as_ref()) {
        actions.push(BugAction {
            kind: ActionKind::Created,
            test: None,
            test_id: None,
            label: u.label.clone(),
            key: IssueKey::parse("BUG-900"),
            url: Some(format!("{site}/browse/BUG-900")),
            detail: None,
        });
    }
    Receipts {
        xray: Some(xray),
        jira: Some(JiraReceipt {
            actions,
            ..JiraReceipt::default()
        }),
    }
}

fn summary_of(patterns: &[&str]) -> RunSummary {
    let s = settings(Product::Cloud);
    let (plan, run) = plan_of(patterns, &s);
    assemble::summary(
        &plan,
        &run,
        &s,
        &receipts(&plan, "https://acme.atlassian.net"),
        false,
    )
}

fn console_text(s: &RunSummary) -> String {
    let mut out = Vec::new();
    console::render_run(s, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn summary_and_console_of_real_fixtures() {
    let s = summary_of(&[JEST, SUREFIRE_FLAKY, MULTIPLE_FAILURES]);
    insta::assert_snapshot!(
        "summary_real_fixtures",
        job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES)
    );
    insta::assert_snapshot!("console_real_fixtures", console_text(&s));
}

#[test]
fn jest_junit_failures_all_have_a_message() {
    // jest-junit writes no `message` attribute: the text is in the element's body.
    let s = summary_of(&[JEST]);
    assert_eq!(
        s.failures.len(),
        4,
        "the fixture's own count: failures=\"4\""
    );
    for f in &s.failures {
        let m = f.message.as_deref().unwrap_or("");
        assert!(!m.trim().is_empty(), "{} has no message", f.name);
    }
    let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
    assert!(
        md.contains("| Error: expect\\(received\\).toBeTruthy\\(\\) |"),
        "{md}"
    );
}

fn bug_surfaces(product: Product) -> (String, String, String) {
    let s = settings(product);
    let (plan, _) = plan_of(&[JEST], &s);
    let jira = plan.jira.as_ref().expect("jira plan");
    let intent = &jira.intents[0];
    let ctx = Context {
        xray_url: None,
        label: &intent.label,
        run_marker: &jira.run_marker,
    };
    let description = body::bug_description(&intent.report, &ctx);
    let same = body::failed_again(&intent.report, &ctx, false, false);
    let new_message = body::failed_again(&intent.report, &ctx, false, true);
    let render = |b: Vec<body::Block>| match product {
        Product::Cloud => serde_json::to_string_pretty(&adf::document(b)).unwrap(),
        Product::Dc => wiki::document(b),
    };
    (
        intent.fields.summary.clone(),
        render(description),
        format!(
            "--- same failure ---\n{}\n--- a different message ---\n{}",
            render(same),
            render(new_message)
        ),
    )
}

#[test]
fn bug_title_description_and_comment_adf() {
    let (title, description, comment) = bug_surfaces(Product::Cloud);
    assert_eq!(
        title,
        "Test 1.1.Failing test: Error: expect(received).toBeTruthy()"
    );
    insta::assert_snapshot!("bug_description_adf", description);
    insta::assert_snapshot!("bug_comment_adf", comment);
    assert!(
        !comment.contains("at Object"),
        "a comment never repeats the stack"
    );
}

#[test]
fn bug_description_and_comment_wiki() {
    let (_, description, comment) = bug_surfaces(Product::Dc);
    insta::assert_snapshot!("bug_description_wiki", description);
    insta::assert_snapshot!("bug_comment_wiki", comment);
    assert!(
        description.contains(
            "[tests run 4242 (attempt 1)|https://github.com/acme/calc/actions/runs/4242]"
        ),
        "{description}"
    );
    assert!(!description.contains("github:4242-1]"), "{description}");
}

/// 200,000 tests in one JUnit file: every 10th fails (20,000 failures), every 1,000th passes
/// on a rerun (flaky).
fn write_200k(dir: &Path) -> String {
    use std::fmt::Write as _;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"big\" tests=\"200000\" timestamp=\"2026-05-01T10:00:00Z\">\n",
    );
    for i in 0..200_000 {
        let class = format!("com.acme.big.Suite{:03}", i / 1000);
        if i % 1000 == 5 {
            let _ = writeln!(
                x,
                "<testcase classname=\"{class}\" name=\"t{i:06}\" time=\"0.1\"><flakyFailure message=\"timeout\" type=\"Timeout\">timeout</flakyFailure></testcase>"
            );
        } else if i % 10 == 3 {
            let _ = writeln!(
                x,
                "<testcase classname=\"{class}\" name=\"t{i:06}\" time=\"0.1\"><failure message=\"expected {i} but was {}\" type=\"AssertionError\">AssertionError: expected {i}\n    at {class}.t{i:06}(Suite.java:{})</failure></testcase>",
                i + 1,
                i % 500 + 1
            );
        } else {
            let _ = writeln!(
                x,
                "<testcase classname=\"{class}\" name=\"t{i:06}\" time=\"0.01\"/>"
            );
        }
    }
    x.push_str("</testsuite>\n</testsuites>\n");
    let path = dir.join("TEST-big.xml");
    std::fs::write(&path, x).unwrap();
    path.display().to_string()
}

#[test]
fn summary_and_console_of_200000_tests() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_200k(dir.path());
    let mut s = summary_of(&[&file]);
    s.report_path = Some("xray-sync-report.json".into());
    s.report_artifact = Some("xray-sync-report".into());
    assert_eq!(s.counts.total, 200_000);
    assert_eq!(s.failed_total(), 20_000);
    assert_eq!(s.flaky.len(), 200);
    let md = job_summary_markdown(&s, JOB_SUMMARY_MAX_BYTES);
    assert!(md.len() < 64 * 1024, "{} bytes", md.len());
    assert!(md.contains("### 🔁 Flaky tests (200)"));
    let tmp = dir.path().display().to_string();
    insta::assert_snapshot!("summary_200k", md.replace(&tmp, "[TMP]"));
    let console = console_text(&s);
    assert!(console.lines().count() < 60, "one screen");
    insta::assert_snapshot!("console_200k", console.replace(&tmp, "[TMP]"));
}

#[test]
fn umbrella_description_and_comment_wiki() {
    // More failures than the mass-failure threshold (20): one umbrella issue.
    let dir = tempfile::tempdir().unwrap();
    let failing: Vec<(String, String)> = (0..25)
        .map(|i| {
            (
                format!("t{i:02}"),
                format!("expected {i} but was {}", i + 1),
            )
        })
        .collect();
    let path = dir.path().join("TEST-mass.xml");
    std::fs::write(&path, support::e2e::junit_xml("Mass", 1, &failing)).unwrap();
    let s = settings(Product::Dc);
    let (plan, run) = plan_of(&[path.to_str().unwrap()], &s);
    let jira = plan.jira.as_ref().expect("jira plan");
    let u = jira.umbrella.as_ref().expect("an umbrella issue");
    let tests = plan.tests_in(&run);
    let named: Vec<(String, Option<String>)> = u
        .tests
        .iter()
        .map(|&t| (tests.get(t).test_id().into_owned(), tests.get(t).message()))
        .collect();
    let lines: Vec<body::UmbrellaLine> = named
        .iter()
        .map(|(test_id, message)| body::UmbrellaLine {
            test_id,
            message: message.as_deref(),
            xray_key: None,
        })
        .collect();
    let run = body::RunRef {
        url: u.ci_run_url.as_deref(),
        facts: &u.run,
    };
    let description = wiki::document(body::umbrella(
        &lines,
        run,
        &jira.run_marker,
        &u.label,
        false,
    ));
    let comment = wiki::document(body::umbrella(
        &lines,
        run,
        &jira.run_marker,
        &u.label,
        true,
    ));
    insta::assert_snapshot!(
        "umbrella_wiki",
        format!("--- description ---\n{description}\n--- comment ---\n{comment}")
    );
}
