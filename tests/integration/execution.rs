//! `xray-sync execution create|finish` (issue 14): a setup job creates one empty Test
//! Execution, shard jobs append to the printed key (no search by marker), a finish job
//! recomputes the title's counts from the execution's runs.

use std::process::Command;

use crate::support::e2e::{self, Scratch};
use crate::support::xray_fake::{Action, On, XrayFake};

fn dc_env(cmd: &mut Command, url: &str) {
    cmd.env("XRAY_URL", url)
        .env("XRAY_DEPLOYMENT", "dc")
        .env("JIRA_PAT", e2e::PAT)
        .env("XRAY_PROJECT", e2e::PROJECT);
}

/// Three shard jobs of one CI run, disjoint suites, each appending to `key`.
fn run_shards(s: &Scratch, key: &str, env: &dyn Fn(&mut Command)) {
    let shards: [(&str, usize, usize); 3] = [("alpha", 3, 0), ("beta", 4, 1), ("gamma", 5, 0)];
    for (suite, passing, failing) in shards {
        let dir = format!("results-{suite}");
        std::fs::create_dir_all(s.path(&dir)).unwrap();
        std::fs::write(
            s.path(&dir).join("TEST.xml"),
            e2e::junit_xml(suite, passing, &e2e::failures(failing)),
        )
        .unwrap();
        let mut cmd = s.bin();
        env(&mut cmd);
        cmd.env("XRAY_TEST_EXECUTION", key)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_RUN_ID", "777")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .args(["run", &dir]);
        let out = e2e::run(&mut cmd);
        assert_eq!(out.code, Some(0), "shard {suite}: {}", out.text());
        assert!(out.text().contains(key), "{}", out.text());
    }
}

fn assert_no_marker_search(xray: &XrayFake) {
    let searches: Vec<String> = xray
        .server
        .requests()
        .iter()
        .map(|r| r.body_str())
        .filter(|b| b.contains("labels ="))
        .collect();
    assert!(searches.is_empty(), "searched by marker: {searches:?}");
}

#[test]
fn cloud_create_then_three_shards_append_to_the_printed_key() {
    let xray = e2e::xray_cloud();
    xray.add_issue("CALC-15", "Test Plan");
    let s = Scratch::new();
    std::fs::write(s.path("gh-output"), "").unwrap();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_TEST_PLAN", "CALC-15")
        .env("XRAY_ENVIRONMENTS", "chrome")
        .env("XRAY_FIX_VERSION", "v3")
        .env("XRAY_SYNC_REPORT", s.path("create.json"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_RUN_ID", "777")
        .env("GITHUB_REF_NAME", "main")
        .env("GITHUB_OUTPUT", s.path("gh-output"))
        .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());

    let exec = xray.only_execution();
    // stdout is the key alone, for `KEY=$(xray-sync execution create)`.
    assert_eq!(out.stdout, format!("{}\n", exec.key));
    let report: serde_json::Value = serde_json::from_str(&s.read("create.json")).unwrap();
    assert_eq!(report["xray"]["execution"], exec.key.as_str());
    assert_eq!(report["xray"]["created"], true);
    assert!(
        s.read("gh-output")
            .contains(&format!("test-execution-key={}", exec.key))
    );
    // Everything a run would set on it; counts unknown until `finish`.
    assert!(
        exec.summary.contains("main · ?/? passed"),
        "{}",
        exec.summary
    );
    assert_eq!(exec.test_plan.as_deref(), Some("CALC-15"));
    assert_eq!(exec.environments, ["chrome"]);
    assert_eq!(exec.fix_versions, ["v3"]);
    assert!(
        exec.labels.iter().any(|l| l.starts_with("xray-sync-run-")),
        "{:?}",
        exec.labels
    );
    assert!(exec.runs.is_empty());

    run_shards(&s, &exec.key, &|c| e2e::xray_cloud_env(c, &xray.url()));
    let exec = xray.only_execution();
    assert_eq!(
        exec.runs.len(),
        13,
        "every shard's results are in {}",
        exec.key
    );
    assert_eq!(
        exec.runs.values().filter(|r| r.status == "FAILED").count(),
        1
    );
    assert_no_marker_search(&xray);
}

#[test]
fn dc_create_shards_and_finish_recomputes_the_title_from_the_runs() {
    let xray = e2e::xray_dc_pat();
    let s = Scratch::new();
    let mut cmd = s.bin();
    dc_env(&mut cmd, &xray.url());
    cmd.env(
        "XRAY_SYNC_SUMMARY",
        "Nightly {project} ({passed}/{total} passed, {failed} failed)",
    )
    .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = out.stdout.trim().to_string();
    let exec = xray.only_execution();
    assert_eq!(exec.key, key);
    assert_eq!(exec.summary, "Nightly CALC (?/? passed, ? failed)");

    run_shards(&s, &key, &|c| dc_env(c, &xray.url()));
    assert_eq!(xray.only_execution().runs.len(), 13);
    assert_no_marker_search(&xray);

    let mut cmd = s.bin();
    dc_env(&mut cmd, &xray.url());
    cmd.env(
        "XRAY_SYNC_SUMMARY",
        "Nightly {project} ({passed}/{total} passed, {failed} failed)",
    )
    .env("XRAY_SYNC_REPORT", s.path("finish.json"))
    .args(["execution", "finish", &key]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(
        xray.only_execution().summary,
        "Nightly CALC (12/13 passed, 1 failed)"
    );
    let report: serde_json::Value = serde_json::from_str(&s.read("finish.json")).unwrap();
    assert_eq!(report["counts"]["total"], 13);
    assert_eq!(report["counts"]["failed"], 1);
}

#[test]
fn create_without_xray_settings_is_a_usage_error() {
    let s = Scratch::new();
    let out = e2e::run(s.bin().args(["execution", "create"]));
    assert_eq!(out.code, Some(2), "{}", out.text());
    assert!(out.text().contains("execution create needs Xray settings"));
    assert!(out.stdout.is_empty());
}

/// One `run` of suite `suite` (`passing` tests) in GitHub run 4242, attempt `attempt`.
fn ci_run(
    s: &Scratch,
    xray: &XrayFake,
    suite: &str,
    attempt: &str,
    extra: &[(&str, &str)],
) -> serde_json::Value {
    let dir = format!("results-{suite}-{attempt}");
    std::fs::create_dir_all(s.path(&dir)).unwrap();
    std::fs::write(s.path(&dir).join("TEST.xml"), e2e::junit_xml(suite, 2, &[])).unwrap();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_RUN_ATTEMPT", attempt)
        .env("XRAY_SYNC_REPORT", s.path("report.json"));
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.args(["run", &dir]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    s.report()
}

#[test]
fn a_second_invocation_of_the_same_ci_run_appends_to_its_execution() {
    let xray = e2e::xray_cloud();
    let s = Scratch::new();
    let first = ci_run(&s, &xray, "alpha", "1", &[]);
    let second = ci_run(&s, &xray, "beta", "1", &[]);
    assert_eq!(first["xray"]["created"], true);
    assert_eq!(second["xray"]["created"], false);
    assert_eq!(first["xray"]["execution"], second["xray"]["execution"]);
    assert_eq!(
        first["xray"]["marker_label"],
        second["xray"]["marker_label"]
    );
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 4, "both invocations' results");
    // A re-run attempt appends to attempt 1's execution by default.
    let rerun = ci_run(&s, &xray, "gamma", "2", &[]);
    assert_eq!(rerun["xray"]["execution"], first["xray"]["execution"]);
    assert_eq!(xray.only_execution().runs.len(), 6);
}

#[test]
fn new_execution_per_invocation_and_groups_and_attempts_make_their_own() {
    let xray = e2e::xray_cloud();
    let s = Scratch::new();
    let first = ci_run(&s, &xray, "alpha", "1", &[]);
    let own = ci_run(
        &s,
        &xray,
        "beta",
        "1",
        &[("XRAY_SYNC_NEW_EXECUTION_PER_INVOCATION", "true")],
    );
    assert_eq!(own["xray"]["created"], true);
    assert_ne!(own["xray"]["execution"], first["xray"]["execution"]);
    assert_eq!(xray.executions().len(), 2);

    // Another group of the same CI run: its own execution, shared by that group.
    let chrome = ci_run(
        &s,
        &xray,
        "gamma",
        "1",
        &[("XRAY_SYNC_EXECUTION_GROUP", "chrome")],
    );
    let chrome2 = ci_run(
        &s,
        &xray,
        "delta",
        "1",
        &[("XRAY_SYNC_EXECUTION_GROUP", "chrome")],
    );
    assert_eq!(chrome["xray"]["created"], true);
    assert_eq!(chrome2["xray"]["execution"], chrome["xray"]["execution"]);
    assert_ne!(chrome["xray"]["execution"], first["xray"]["execution"]);
    assert_eq!(xray.executions().len(), 3);

    // `[xray] execution_per_attempt = true`: attempt 2 gets its own execution.
    std::fs::write(
        s.path("per-attempt.toml"),
        "[xray]\nexecution_per_attempt = true\n",
    )
    .unwrap();
    let config = s.path("per-attempt.toml");
    let config = config.to_str().unwrap();
    let a1 = ci_run(&s, &xray, "eps", "1", &[("XRAY_SYNC_CONFIG", config)]);
    let a2 = ci_run(&s, &xray, "zeta", "2", &[("XRAY_SYNC_CONFIG", config)]);
    assert_ne!(a1["xray"]["execution"], a2["xray"]["execution"]);
    assert_eq!(a2["xray"]["created"], true);
    assert_eq!(xray.executions().len(), 5);
}

/// What one concurrent job left: its report, its console text, its Markdown summary.
struct Job {
    report: serde_json::Value,
    text: String,
    summary: String,
}

/// Three shard jobs of GitHub run 9000 started at once, disjoint suites (3 tests each, one
/// failing in `beta`); returns what each one left.
fn three_at_once(s: &Scratch, env: &dyn Fn(&mut Command)) -> Vec<Job> {
    let suites = [("alpha", 3, 0), ("beta", 2, 1), ("gamma", 3, 0)];
    let mut children = Vec::new();
    for (suite, passing, failing) in suites {
        let dir = format!("results-{suite}");
        std::fs::create_dir_all(s.path(&dir)).unwrap();
        std::fs::write(
            s.path(&dir).join("TEST.xml"),
            e2e::junit_xml(suite, passing, &e2e::failures(failing)),
        )
        .unwrap();
        let mut cmd = s.bin();
        env(&mut cmd);
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_RUN_ID", "9000")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("XRAY_SYNC_REPORT", s.path(&format!("report-{suite}.json")))
            .env(
                "XRAY_SYNC_SUMMARY_MD",
                s.path(&format!("summary-{suite}.md")),
            )
            .args(["run", &dir])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        children.push((suite, cmd.spawn().expect("spawn")));
    }
    children
        .into_iter()
        .map(|(suite, child)| {
            let o = child.wait_with_output().unwrap();
            let text = format!(
                "{}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(o.status.code(), Some(0), "{suite}: {text}");
            Job {
                report: serde_json::from_str(&s.read(&format!("report-{suite}.json"))).unwrap(),
                text,
                summary: s.read(&format!("summary-{suite}.md")),
            }
        })
        .collect()
}

/// Exactly one execution holds every result; every other one is an emptied duplicate that a
/// report names. Returns the duplicates.
fn assert_converged(xray: &XrayFake, jobs: &[Job]) -> Vec<String> {
    let execs = xray.executions();
    let holding: Vec<_> = execs.values().filter(|e| !e.runs.is_empty()).collect();
    assert_eq!(holding.len(), 1, "{:?}", execs.keys());
    let winner = holding[0];
    assert_eq!(winner.runs.len(), 9, "every result is in {}", winner.key);
    assert_eq!(
        winner
            .runs
            .values()
            .filter(|r| r.status.starts_with("FAIL"))
            .count(),
        1
    );
    for j in jobs {
        assert_eq!(
            j.report["xray"]["execution"],
            winner.key.as_str(),
            "{}",
            j.report
        );
    }
    let losers: Vec<String> = execs
        .keys()
        .filter(|k| **k != winner.key)
        .cloned()
        .collect();
    for loser in &losers {
        let reported = jobs
            .iter()
            .find(|j| j.report["xray"]["duplicate"]["key"] == loser.as_str())
            .unwrap_or_else(|| panic!("no report names the duplicate {loser}"));
        let dup = &reported.report["xray"]["duplicate"];
        assert_eq!(dup["winner"], winner.key.as_str());
        assert_eq!(dup["emptied"], true);
        let said = format!("{loser} duplicated {}", winner.key);
        assert!(
            reported.report["xray"]["warnings"]
                .to_string()
                .contains(&said),
            "{}",
            reported.report
        );
        assert!(reported.text.contains(&said), "console: {}", reported.text);
        assert!(
            reported.summary.contains(&said),
            "summary: {}",
            reported.summary
        );
    }
    losers
}

fn marker_of(jobs: &[Job]) -> String {
    jobs[0].report["xray"]["marker_label"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every loser carries `<marker>-duplicate` instead of the marker, so a search by the marker
/// finds the winner alone.
fn assert_relabelled(xray: &XrayFake, losers: &[String], marker: &str) {
    let execs = xray.executions();
    for loser in losers {
        let labels = &execs[loser].labels;
        assert!(
            labels.contains(&format!("{marker}-duplicate")),
            "{labels:?}"
        );
        assert!(!labels.contains(&marker.to_string()), "{labels:?}");
    }
    let carrying: Vec<&String> = execs
        .values()
        .filter(|e| e.labels.iter().any(|l| l == marker))
        .map(|e| &e.key)
        .collect();
    assert_eq!(carrying.len(), 1, "{carrying:?}");
}

#[test]
fn three_concurrent_dc_jobs_of_one_ci_run_converge_on_one_execution() {
    let xray = e2e::xray_dc_pat();
    let s = Scratch::new();
    let jobs = three_at_once(&s, &|c| dc_env(c, &xray.url()));
    assert_converged(&xray, &jobs);
}

#[test]
fn with_search_lag_dc_duplicates_are_emptied_relabelled_and_reported() {
    let xray = e2e::xray_dc_pat();
    xray.search_lag(std::time::Duration::from_millis(1500));
    let s = Scratch::new();
    let jobs = three_at_once(&s, &|c| dc_env(c, &xray.url()));
    let losers = assert_converged(&xray, &jobs);
    // The lag hides each create from the others' first search: they all created.
    assert!(!losers.is_empty(), "the lag should have made a race");
    assert_relabelled(&xray, &losers, &marker_of(&jobs));
    for j in jobs
        .iter()
        .filter(|j| !j.report["xray"]["duplicate"].is_null())
    {
        assert_eq!(j.report["xray"]["duplicate"]["labelled"], true);
    }
}

/// Xray Cloud without Jira settings: the Xray API key cannot edit labels (Jira fields), so the
/// emptied duplicate keeps the marker; console, summary and report say so and why.
#[test]
fn with_search_lag_cloud_jobs_converge_and_empty_the_duplicates() {
    let xray = e2e::xray_cloud();
    xray.search_lag(std::time::Duration::from_millis(1500));
    let s = Scratch::new();
    let jobs = three_at_once(&s, &|c| e2e::xray_cloud_env(c, &xray.url()));
    let losers = assert_converged(&xray, &jobs);
    assert!(!losers.is_empty(), "the lag should have made a race");
    let marker = marker_of(&jobs);
    for loser in &losers {
        let j = jobs
            .iter()
            .find(|j| j.report["xray"]["duplicate"]["key"] == loser.as_str())
            .unwrap();
        let dup = &j.report["xray"]["duplicate"];
        assert_eq!(dup["labelled"], false);
        let reason = dup["unlabelled_reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("the Xray API key cannot edit") && reason.contains("JIRA_URL"),
            "{reason}"
        );
        let said = format!("{loser} keeps the run marker label {marker}");
        assert!(j.text.contains(&said), "console: {}", j.text);
        assert!(j.summary.contains(&said), "summary: {}", j.summary);
        assert!(xray.executions()[loser].labels.contains(&marker));
    }
}

/// Xray Cloud with Jira settings (the same site): the duplicate is relabelled through Jira's
/// edit-issue `update.labels`, so the next job of the CI run finds only the winner.
#[test]
fn with_search_lag_cloud_duplicates_are_relabelled_through_jira() {
    let xray = e2e::xray_cloud();
    let jira = e2e::jira_cloud();
    e2e::same_site(&jira, &xray);
    xray.search_lag(std::time::Duration::from_millis(1500));
    let s = Scratch::new();
    let env = |c: &mut Command| {
        e2e::xray_cloud_env(c, &xray.url());
        e2e::jira_cloud_env(c, &jira.url());
    };
    let jobs = three_at_once(&s, &env);
    let losers = assert_converged(&xray, &jobs);
    assert!(!losers.is_empty(), "the lag should have made a race");
    let marker = marker_of(&jobs);
    assert_relabelled(&xray, &losers, &marker);
    for loser in &losers {
        let j = jobs
            .iter()
            .find(|j| j.report["xray"]["duplicate"]["key"] == loser.as_str())
            .unwrap();
        assert_eq!(j.report["xray"]["duplicate"]["labelled"], true);
        assert!(j.report["xray"]["duplicate"]["unlabelled_reason"].is_null());
        assert!(
            j.text.contains(&format!(
                "{loser} relabelled {marker}-duplicate through Jira"
            )),
            "{}",
            j.text
        );
    }
    // The one failing test has one bug, whichever job filed it.
    assert_eq!(jira.issues().len(), 1, "{:?}", jira.issues());
    // A loser that moved its results recomputed the winner's title through Jira too.
    let winner = jobs[0].report["xray"]["execution"].as_str().unwrap();
    assert!(
        jobs.iter().any(|j| j.report["xray"]["warnings"]
            .to_string()
            .contains(&format!("title of {winner} recomputed from its"))),
        "{:?}",
        jobs.iter()
            .map(|j| &j.report["xray"]["warnings"])
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_joining_invocation_recomputes_the_title_from_every_run() {
    let xray = e2e::xray_dc_pat();
    let s = Scratch::new();
    for (suite, failing) in [("alpha", 0), ("beta", 1)] {
        let dir = format!("results-{suite}");
        std::fs::create_dir_all(s.path(&dir)).unwrap();
        std::fs::write(
            s.path(&dir).join("TEST.xml"),
            e2e::junit_xml(suite, 2, &e2e::failures(failing)),
        )
        .unwrap();
        let mut cmd = s.bin();
        dc_env(&mut cmd, &xray.url());
        cmd.env("GITLAB_CI", "true")
            .env("CI_PIPELINE_ID", "31")
            .env("CI_JOB_ID", suite)
            .env(
                "XRAY_SYNC_SUMMARY",
                "Pipeline {run_id} ({passed}/{total} passed)",
            )
            .args(["run", &dir]);
        let out = e2e::run(&mut cmd);
        assert_eq!(out.code, Some(0), "{}", out.text());
    }
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 5);
    // Created as "(2/2 passed)" by alpha; beta's append recomputed it over both.
    assert!(exec.summary.ends_with("(4/5 passed)"), "{}", exec.summary);
}

/// `execution create` into a project whose Test Execution requires a custom select: refused
/// before anything is created, naming the field, when no value is given; created with the
/// field when `XRAY_EXECUTION_FIELDS` gives it (by name, resolved through the create screen).
#[test]
fn dc_create_with_a_required_field_needs_the_execution_fields() {
    use crate::support::execution_screen::RequiredSelect;
    let xray = e2e::xray_dc_pat();
    xray.require_execution_select(RequiredSelect::environment_type());
    let s = Scratch::new();

    let mut cmd = s.bin();
    dc_env(&mut cmd, &xray.url());
    cmd.args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_ne!(out.code, Some(0), "{}", out.text());
    assert!(out.text().contains("Environment type"), "{}", out.text());
    assert!(xray.executions().is_empty(), "nothing was created");

    let mut cmd = s.bin();
    dc_env(&mut cmd, &xray.url());
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly"}"#,
    )
    .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = out.stdout.trim().to_string();
    assert_eq!(xray.only_execution().key, key);
    let create = xray
        .server
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST" && r.path() == "/rest/api/2/issue")
        .expect("the create request");
    assert_eq!(
        create.json()["fields"]["customfield_10100"],
        serde_json::json!({"value": "nightly"})
    );
}

/// `execution create` on Xray Cloud into a project whose Test Execution requires a custom
/// select: without a value the create is refused and the error names the field (nothing is
/// created); with `XRAY_EXECUTION_FIELDS` by name (resolved through Jira's create screen) or
/// by id in Jira's shape (no Jira settings needed) the execution is created with it.
#[test]
fn cloud_create_with_a_required_field_needs_the_execution_fields() {
    use crate::support::execution_screen::RequiredSelect;
    use crate::support::jira_fake::{self, JiraFake};
    let xray = e2e::xray_cloud();
    xray.require_execution_select(RequiredSelect::environment_type());
    let mut config = jira_fake::build::cloud_basic().0;
    config.execution_select = Some(RequiredSelect::environment_type());
    let jira = JiraFake::start(config);
    let s = Scratch::new();

    // No value: refused, naming the field; stdout (the key) stays empty.
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_REPORT", s.path("refused.json"))
        .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.stderr
            .contains("customfield_10100: Environment type is required"),
        "{}",
        out.text()
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("give it in XRAY_EXECUTION_FIELDS"),
        "{}",
        out.stderr
    );
    assert!(xray.executions().is_empty(), "nothing was created");
    let report: serde_json::Value = serde_json::from_str(&s.read("refused.json")).unwrap();
    assert!(report["xray"]["execution"].is_null(), "{report}");

    // With Jira settings the create screen is read first, so a missing required field is
    // named with the setting before anything is sent (no fields given, or other ones).
    for fields in [None, Some(r#"{"components": ["api"]}"#)] {
        let mut cmd = s.bin();
        e2e::xray_cloud_env(&mut cmd, &xray.url());
        e2e::jira_cloud_env(&mut cmd, &jira.url());
        if let Some(f) = fields {
            cmd.env("XRAY_EXECUTION_FIELDS", f);
        }
        cmd.args(["execution", "create"]);
        let before = xray.server.requests().len();
        let out = e2e::run(&mut cmd);
        assert_eq!(out.code, Some(4), "{}", out.text());
        assert!(
            out.text().contains(
                "the Test Execution requires field 'Environment type' (customfield_10100) and it has no default: give it in XRAY_EXECUTION_FIELDS"
            ),
            "{}",
            out.text()
        );
        assert!(
            !xray.server.requests()[before..]
                .iter()
                .any(|r| r.body_str().contains("createTestExecution")),
            "no create was sent"
        );
    }
    assert!(xray.executions().is_empty(), "nothing was created");

    // Given by name: created with the field in Jira's shape.
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    e2e::jira_cloud_env(&mut cmd, &jira.url());
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly"}"#,
    )
    .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = out.stdout.trim().to_string();
    assert_eq!(xray.only_execution().key, key);
    let sent = xray
        .server
        .requests()
        .into_iter()
        .rfind(|r| r.body_str().contains("createTestExecution"))
        .expect("the create mutation");
    assert_eq!(
        sent.json()["variables"]["jira"]["fields"]["customfield_10100"],
        serde_json::json!({"value": "nightly"})
    );
    // The shards append to it: appends create nothing, so the required field is no concern.
    run_shards(&s, &key, &|c| e2e::xray_cloud_env(c, &xray.url()));
    assert_eq!(xray.only_execution().runs.len(), 13);
    assert_no_marker_search(&xray);

    // By id in Jira's own shape: no create metadata needed, so no Jira settings either.
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"customfield_10100": {"value": "release"}}"#,
    )
    .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(xray.executions().len(), 2);
}

/// Shard jobs of GitHub run 555 started at once, each appending its own suite to `key`.
fn shards_at_once(
    s: &Scratch,
    key: &str,
    attempt: &str,
    shards: &[(&str, usize, usize)],
    env: &dyn Fn(&mut Command),
) {
    let mut children = Vec::new();
    for (suite, passing, failing) in shards {
        let dir = format!("shard-{suite}-{attempt}");
        std::fs::create_dir_all(s.path(&dir)).unwrap();
        std::fs::write(
            s.path(&dir).join("TEST.xml"),
            e2e::junit_xml(suite, *passing, &e2e::failures(*failing)),
        )
        .unwrap();
        let mut cmd = s.bin();
        env(&mut cmd);
        cmd.env("XRAY_TEST_EXECUTION", key)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_RUN_ID", "555")
            .env("GITHUB_RUN_ATTEMPT", attempt)
            .args(["run", &dir])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        children.push((suite.to_string(), cmd.spawn().expect("spawn")));
    }
    for (suite, child) in children {
        let o = child.wait_with_output().unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(0), "shard {suite}: {text}");
        assert!(text.contains(key), "shard {suite}: {text}");
    }
}

/// The race-free path with bugs: `execution create`, then 3 shard runs at once with the printed
/// key (disjoint suites, failures in two of them), then a re-run of one shard: one execution
/// holds every result, nothing searched by marker, no second execution, one bug per failing
/// test (the re-run comments on its bug instead of filing another).
fn create_then_three_shards_with_bugs(dc: bool) {
    let xray = if dc {
        e2e::xray_dc_pat()
    } else {
        e2e::xray_cloud()
    };
    let jira = if dc {
        e2e::jira_dc_pat()
    } else {
        e2e::jira_cloud()
    };
    e2e::same_site(&jira, &xray);
    let env = |c: &mut Command| {
        if dc {
            dc_env(c, &xray.url());
            c.env("JIRA_URL", jira.url())
                .env("JIRA_BUG_PROJECT", e2e::BUG_PROJECT);
        } else {
            e2e::xray_cloud_env(c, &xray.url());
            e2e::jira_cloud_env(c, &jira.url());
        }
    };
    let s = Scratch::new();
    let mut cmd = s.bin();
    env(&mut cmd);
    cmd.args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = out.stdout.trim().to_string();

    shards_at_once(
        &s,
        &key,
        "1",
        &[("alpha", 4, 1), ("beta", 3, 2), ("gamma", 5, 0)],
        &env,
    );
    let exec = xray.only_execution();
    assert_eq!(exec.key, key);
    assert_eq!(exec.runs.len(), 15, "every shard's results are in {key}");
    let failed: Vec<&crate::support::xray_fake::Run> = exec
        .runs
        .values()
        .filter(|r| r.status.starts_with("FAIL"))
        .collect();
    assert_eq!(failed.len(), 3);
    let bugs = jira.issues();
    assert_eq!(bugs.len(), 3, "one bug per failing test: {bugs:?}");
    for run in &failed {
        assert_eq!(run.defects.len(), 1, "{run:?}");
        assert!(bugs.iter().any(|b| b.key == run.defects[0]));
    }

    // "Re-run failed jobs": beta again, same failures, same execution.
    shards_at_once(&s, &key, "2", &[("beta", 3, 2)], &env);
    assert_eq!(xray.only_execution().runs.len(), 15);
    let again = jira.issues();
    assert_eq!(
        again.len(),
        3,
        "no second bug for a failing test: {again:?}"
    );
    let commented = again.iter().filter(|b| !b.comments.is_empty()).count();
    assert_eq!(commented, 2, "beta's two bugs got the re-run's comment");
    assert_no_marker_search(&xray);
    let creates = xray
        .server
        .requests()
        .iter()
        .filter(|r| {
            r.body_str().contains("createTestExecution")
                || r.path().ends_with("/import/execution/multipart")
                || (r.method == "POST" && r.path() == "/rest/api/2/issue")
        })
        .count();
    assert_eq!(creates, 1, "only `execution create` created");
}

#[test]
fn cloud_create_then_three_shards_append_and_bugs_are_filed_once() {
    create_then_three_shards_with_bugs(false);
}

#[test]
fn dc_create_then_three_shards_append_and_bugs_are_filed_once() {
    create_then_three_shards_with_bugs(true);
}

/// `execution finish KEY` on Xray Cloud: the title is a Jira field, so without Jira settings it
/// is a usage error that says so; with them the counts come from every run of the execution
/// (more than one page of 100) and the title is set through Jira.
#[test]
fn cloud_finish_recomputes_the_title_from_the_runs_through_jira() {
    let xray = e2e::xray_cloud();
    let jira = e2e::jira_cloud();
    e2e::same_site(&jira, &xray);
    let summary = "Nightly {project} ({passed}/{total} passed, {failed} failed)";
    let s = Scratch::new();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_SUMMARY", summary)
        .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = out.stdout.trim().to_string();
    assert_eq!(
        xray.only_execution().summary,
        "Nightly CALC (?/? passed, ? failed)"
    );
    shards_at_once(
        &s,
        &key,
        "1",
        &[("alpha", 70, 1), ("beta", 60, 2), ("gamma", 5, 0)],
        &|c| e2e::xray_cloud_env(c, &xray.url()),
    );
    assert_eq!(xray.only_execution().runs.len(), 138);

    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_SUMMARY", summary)
        .args(["execution", "finish", &key]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(2), "{}", out.text());
    assert!(
        out.text()
            .contains("on Xray Cloud the execution's title is a Jira field"),
        "{}",
        out.text()
    );
    assert_eq!(
        xray.only_execution().summary,
        "Nightly CALC (?/? passed, ? failed)"
    );

    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    e2e::jira_cloud_env(&mut cmd, &jira.url());
    cmd.env("XRAY_SYNC_SUMMARY", summary)
        .env("XRAY_SYNC_REPORT", s.path("finish.json"))
        .args(["execution", "finish", &key]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(
        xray.only_execution().summary,
        "Nightly CALC (135/138 passed, 3 failed)"
    );
    assert!(
        out.stdout
            .contains(&format!("{key}: 138 run(s): 135 passed, 3 failed, 0 other")),
        "{}",
        out.stdout
    );
    let report: serde_json::Value = serde_json::from_str(&s.read("finish.json")).unwrap();
    assert_eq!(report["counts"]["total"], 138);
    assert_eq!(report["counts"]["failed"], 3);
    assert_eq!(report["xray"]["execution"], key.as_str());
}

/// Xray Cloud: the createTestExecution answer is lost (the connection drops after the fake
/// applied it). The key is found by the run marker, and the execution is still linked to the
/// Test Plan: its issue id is looked up by key (it was skipped silently before).
#[test]
fn cloud_create_with_a_lost_answer_still_links_the_plan() {
    let xray = e2e::xray_cloud();
    xray.add_issue("CALC-15", "Test Plan");
    // The requests a create makes, in order, up to the mutation: find its place first.
    let probe = e2e::xray_cloud();
    probe.add_issue("CALC-15", "Test Plan");
    let s = Scratch::new();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &probe.url());
    cmd.env("XRAY_TEST_PLAN", "CALC-15")
        .args(["execution", "create"]);
    assert_eq!(e2e::run(&mut cmd).code, Some(0));
    let nth = probe
        .server
        .requests()
        .iter()
        .filter(|r| r.path() == "/api/v2/graphql")
        .position(|r| r.body_str().contains("createTestExecution"))
        .expect("a create")
        + 1;
    xray.fault(
        On::Path("/api/v2/graphql".into(), nth),
        Action::ApplyThenReset,
    );
    let s = Scratch::new();
    let mut cmd = s.bin();
    e2e::xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_TEST_PLAN", "CALC-15")
        .env("XRAY_SYNC_REPORT", s.path("create.json"))
        .args(["execution", "create"]);
    let out = e2e::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(out.stdout, format!("{}\n", exec.key));
    assert_eq!(exec.test_plan.as_deref(), Some("CALC-15"), "{}", out.text());
    let report: serde_json::Value = serde_json::from_str(&s.read("create.json")).unwrap();
    assert!(
        !report["xray"]["warnings"]
            .to_string()
            .contains("could not link"),
        "{report}"
    );
}
