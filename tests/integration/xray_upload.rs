//! The Xray uploader against the stateful fake: happy paths on both products, request budgets,
//! chunking, stale keys, evidence containment, and the spool + resend round trip.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::fake::multipart_parts;
use support::xray_fake::{Action, On, XrayFake};
use support::xray_plans::*;
use xray_sync::plan::{ExecutionTarget, IssueKey, PlannedEvidence};
use xray_sync::settings::Product;
use xray_sync::spool;
use xray_sync::xray::upload::{self, ChunkStatus};

fn keyed_first(n: usize) -> impl Fn(usize) -> Option<String> {
    move |i| (i < n).then(|| format!("CALC-{}", i + 1))
}

#[test]
fn cloud_happy_path_sends_everything_in_one_import() {
    let fake = cloud_fake();
    for k in 1..=3 {
        fake.add_issue(&format!("CALC-{k}"), "Test");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    std::fs::write(out.workspace.join("shot.png"), b"\x89PNG fake").unwrap();
    let (mut plan, tests) = plan(Product::Cloud, 6, 10_000, &keyed_first(3));
    add_evidence(
        &mut plan,
        1,
        PlannedEvidence::File {
            path: out.workspace.join("shot.png"),
            filename: "shot.png".into(),
            content_type: "image/png".into(),
        },
    );
    let defects = BTreeMap::from([(1, vec![IssueKey::parse("BUG-7").unwrap()])]);
    let settings = settings(Product::Cloud, &fake.url(), false);
    let mut lines = Vec::new();
    let receipt = upload::run(
        &http(Duration::from_secs(5)),
        &settings,
        &out,
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &defects,
        &mut collect(&mut lines),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert!(receipt.created);
    assert_eq!(receipt.tests_sent, 6);
    assert_eq!(receipt.chunks[0].status, ChunkStatus::Sent);

    // authenticate + one batched key lookup + one import.
    let paths: Vec<String> = fake
        .server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v2/authenticate",
            "/api/v2/graphql",
            "/api/v2/import/execution/multipart"
        ]
    );
    let create = &fake
        .server
        .requests_to("POST", "/api/v2/import/execution/multipart")[0];
    assert!(
        create
            .header("authorization")
            .unwrap()
            .starts_with("Bearer eyJ")
    );
    let parts = multipart_parts(create);
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["results", "info"]);
    let info: serde_json::Value = serde_json::from_slice(&parts[1].data).unwrap();
    let marker = receipt.marker_label.clone().unwrap();
    assert!(
        marker.starts_with("xray-sync-run-") && marker.len() == 30,
        "{marker}"
    );
    assert_eq!(
        info,
        serde_json::json!({
            "fields": {
                "project": {"key": "CALC"},
                "summary": "CI run",
                "issuetype": {"name": "Test Execution"},
                "labels": ["ci", "nightly", marker],
                "fixVersions": [{"name": "v3.0"}],
                "description": "from xray-sync"
            },
            "xrayFields": {"testPlanKey": "CALC-15", "environments": ["chrome"]}
        })
    );
    let results: serde_json::Value = serde_json::from_slice(&parts[0].data).unwrap();
    assert_eq!(results["info"]["revision"], "9f1c2ab");
    assert_eq!(results["tests"][3]["testInfo"]["type"], "Generic");
    assert_eq!(
        results["tests"][3]["testInfo"]["definition"],
        "com.acme.Suite.test3"
    );

    let exec = fake.only_execution();
    assert_eq!(
        Some(&exec.key),
        receipt
            .execution
            .as_ref()
            .map(|k| k.as_str().to_string())
            .as_ref()
    );
    assert_eq!(exec.test_plan.as_deref(), Some("CALC-15"));
    assert_eq!(exec.environments, ["chrome"]);
    assert_eq!(exec.fix_versions, ["v3.0"]);
    assert_eq!(exec.revision.as_deref(), Some("9f1c2ab"));
    assert_eq!(exec.runs.len(), 6);
    assert_eq!(exec.runs["CALC-1"].status, "PASSED");
    let failed = &exec.runs["CALC-2"];
    assert_eq!(failed.status, "FAILED");
    assert_eq!(failed.defects, ["BUG-7"]);
    assert_eq!(
        failed.evidence,
        [(
            "shot.png".to_string(),
            "image/png".to_string(),
            b"\x89PNG fake".to_vec()
        )]
    );
    assert_eq!(exec.runs.values().filter(|r| r.by_definition).count(), 3);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("chunk 1/1 sent (6 results)")),
        "{lines:?}"
    );
}

fn dc_happy_path(basic: bool) {
    let fake = if basic {
        dc_fake_basic()
    } else {
        dc_fake_pat()
    };
    for k in 1..=2 {
        fake.add_issue(&format!("CALC-{k}"), "Test");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    let (plan, tests) = plan(Product::Dc, 5, 3, &keyed_first(2));
    let settings = settings(Product::Dc, &fake.url(), basic);
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings,
        &out,
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    let paths: Vec<String> = fake
        .server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/rest/api/2/search",
            "/rest/raven/2.0/import/execution/multipart",
            "/rest/raven/2.0/api/testplan/CALC-15/testexecution",
            "/rest/raven/2.0/import/execution",
        ]
    );
    let search = fake.server.requests_to("POST", "/rest/api/2/search")[0].json();
    assert_eq!(search["jql"], "key in (CALC-1,CALC-2)");
    assert_eq!(search["fields"], serde_json::json!(["issuetype"]));
    let create = &fake
        .server
        .requests_to("POST", "/rest/raven/2.0/import/execution/multipart")[0];
    let parts = multipart_parts(create);
    assert_eq!(parts[0].name, "result");
    let info: serde_json::Value = serde_json::from_slice(&parts[1].data).unwrap();
    assert!(info.get("xrayFields").is_none());
    let append = fake
        .server
        .requests_to("POST", "/rest/raven/2.0/import/execution")[0]
        .json();
    assert_eq!(
        append["testExecutionKey"],
        receipt.execution.as_ref().unwrap().as_str()
    );
    assert_eq!(
        append["info"]["testEnvironments"],
        serde_json::json!(["chrome"])
    );
    assert_eq!(append["tests"][0]["testInfo"]["testType"], "Generic");

    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 5);
    assert_eq!(exec.runs["CALC-1"].status, "PASS");
    assert_eq!(exec.runs["CALC-2"].status, "FAIL");
    assert_eq!(exec.test_plan.as_deref(), Some("CALC-15"));
    assert_eq!(exec.environments, ["chrome"]);
    assert_eq!(exec.revision.as_deref(), Some("9f1c2ab"));
    assert_eq!(exec.fix_versions, ["v3.0"]);
    assert!(exec.labels.contains(receipt.marker_label.as_ref().unwrap()));
}

#[test]
fn dc_happy_path_with_pat() {
    dc_happy_path(false);
}

#[test]
fn dc_happy_path_with_basic_auth() {
    dc_happy_path(true);
}

#[test]
fn five_thousand_tests_in_chunks_of_500_make_ten_imports_into_one_execution() {
    let fake = cloud_fake();
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(Product::Cloud, 5000, 500, &|_| None);
    let mut lines = Vec::new();
    let receipt = upload::run(
        &http(Duration::from_secs(30)),
        &settings(Product::Cloud, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &BTreeMap::new(),
        &mut collect(&mut lines),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(fake.import_requests().len(), 10);
    assert_eq!(
        fake.server.requests().len(),
        11,
        "authenticate + 10 imports"
    );
    assert_eq!(receipt.tests_sent, 5000);
    assert_eq!(fake.only_execution().runs.len(), 5000);
    let progress: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("sent (500 results)"))
        .collect();
    assert_eq!(progress.len(), 10, "{lines:?}");
    assert!(progress[9].contains("chunk 10/10"));
}

#[test]
fn three_thousand_tests_are_two_requests_and_lookups_are_batched_by_100() {
    let fake = cloud_fake();
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(Product::Cloud, 3000, 10_000, &|_| None);
    let receipt = upload(
        &http(Duration::from_secs(30)),
        &settings(Product::Cloud, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(fake.server.requests().len(), 2);

    let fake = cloud_fake();
    for k in 1..=250 {
        fake.add_issue(&format!("CALC-{k}"), "Test");
    }
    let (plan, tests) = support::xray_plans::plan(Product::Cloud, 3000, 10_000, &keyed_first(250));
    let receipt = upload(
        &http(Duration::from_secs(30)),
        &settings(Product::Cloud, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(fake.server.requests_to("POST", "/api/v2/graphql").len(), 3);
    assert_eq!(fake.server.requests().len(), 5);
    assert!(receipt.stale_keys.is_empty());
}

fn stale_key_falls_back(product: Product) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    fake.add_issue("CALC-1", "Test");
    // CALC-404 does not exist; CALC-15 is the Test Plan, not a Test.
    let keys = ["CALC-1", "CALC-404", "CALC-15"];
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(product, 4, 10_000, &|i| keys.get(i).map(|k| k.to_string()));
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings(product, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    let stale: Vec<(&str, &str)> = receipt
        .stale_keys
        .iter()
        .map(|s| (s.key.as_str(), s.reason.as_str()))
        .collect();
    let want = match product {
        // getTests only returns Tests, so Cloud cannot name the other type; a missing key fails
        // the JQL (xray-api.md §7), which names it.
        Product::Cloud => [("CALC-15", "is not a Test"), ("CALC-404", "not found")],
        Product::Dc => [
            ("CALC-15", "is a Test Plan, not a Test"),
            ("CALC-404", "not found"),
        ],
    };
    assert_eq!(stale, want);
    assert!(receipt.stale_keys.iter().all(|s| s.fell_back));
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 4);
    assert!(!exec.runs["CALC-1"].by_definition);
    assert_eq!(exec.runs.values().filter(|r| r.by_definition).count(), 3);
    let sent = &fake.import_requests()[0];
    let doc: serde_json::Value = serde_json::from_slice(&multipart_parts(sent)[0].data).unwrap();
    assert_eq!(
        doc["tests"][1]["testInfo"]["definition"],
        "com.acme.Suite.test1"
    );
    assert!(doc["tests"][1].get("testKey").is_none());
}

/// Xray Cloud refuses a whole import naming a Test Environment the project does not have
/// (xray-api.md §2.1): the results go again without it, with a warning, so one misspelt
/// environment never costs the run. The ones the project has stay on the execution.
#[test]
fn an_unknown_test_environment_costs_only_itself_on_cloud() {
    let fake = cloud_fake();
    fake.add_issue("CALC-1", "Test");
    let dir = tempfile::tempdir().unwrap();
    let (mut plan, tests) = plan(Product::Cloud, 3, 10_000, &keyed_first(1));
    let ExecutionTarget::Create { info, .. } = &mut plan.target else {
        unreachable!("the test plans create")
    };
    info.test_environments = vec!["chrome".into(), "QA".into()];
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings(Product::Cloud, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(receipt.tests_sent, 3);
    let warning = receipt
        .warnings
        .iter()
        .find(|w| w.contains("Test Environment"))
        .unwrap_or_else(|| panic!("{:?}", receipt.warnings));
    assert!(
        warning.contains("'QA'") && !warning.contains("'chrome'"),
        "{warning}"
    );
    let exec = fake.only_execution();
    assert_eq!(exec.environments, ["chrome"]);
    assert_eq!(exec.runs.len(), 3);
    // The refused create, then the one without `QA` (both multipart: nothing was created first).
    let creates = fake
        .server
        .requests_to("POST", "/api/v2/import/execution/multipart");
    assert_eq!(creates.len(), 2);
    let info: serde_json::Value =
        serde_json::from_slice(&multipart_parts(&creates[1])[1].data).unwrap();
    assert_eq!(
        info["xrayFields"]["environments"],
        serde_json::json!(["chrome"])
    );
    let results: serde_json::Value =
        serde_json::from_slice(&multipart_parts(&creates[1])[0].data).unwrap();
    assert_eq!(
        results["info"]["testEnvironments"],
        serde_json::json!(["chrome"])
    );
}

#[test]
fn stale_key_falls_back_to_definition_on_cloud() {
    stale_key_falls_back(Product::Cloud);
}

#[test]
fn stale_key_falls_back_to_definition_on_dc() {
    stale_key_falls_back(Product::Dc);
}

#[test]
fn strict_keys_fails_before_sending() {
    let fake = cloud_fake();
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(Product::Cloud, 2, 10_000, &|i| {
        (i == 0).then(|| "CALC-404".into())
    });
    let mut s = settings(Product::Cloud, &fake.url(), false);
    s.strict_keys = true;
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &s,
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.failed());
    assert!(
        receipt.errors[0].message.contains("CALC-404"),
        "{:?}",
        receipt.errors
    );
    assert!(fake.import_requests().is_empty());
    assert!(fake.executions().is_empty());
    assert_eq!(receipt.chunks[0].status, ChunkStatus::NotSent);
}

#[test]
fn evidence_outside_the_workspace_is_refused() {
    let fake = cloud_fake();
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("id_rsa"), b"PRIVATE KEY").unwrap();
    std::fs::write(out.workspace.join("log.txt"), b"hello log").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.join("id_rsa"), out.workspace.join("link.txt")).unwrap();
    let (mut plan, tests) = plan(Product::Cloud, 1, 10_000, &|_| None);
    let file = |path: std::path::PathBuf, name: &str| PlannedEvidence::File {
        path,
        filename: name.into(),
        content_type: "text/plain".into(),
    };
    add_evidence(&mut plan, 0, file(out.workspace.join("log.txt"), "log.txt"));
    add_evidence(
        &mut plan,
        0,
        file(out.workspace.join("../outside/id_rsa"), "escape"),
    );
    add_evidence(&mut plan, 0, file("/etc/passwd".into(), "passwd"));
    add_evidence(&mut plan, 0, file(out.workspace.join("link.txt"), "link"));
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings(Product::Cloud, &fake.url(), false),
        &out,
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    let refused: Vec<&str> = receipt
        .evidence_skipped
        .iter()
        .map(|s| s.filename.as_str())
        .collect();
    assert_eq!(refused, ["escape", "passwd", "link"]);
    assert!(
        receipt
            .evidence_skipped
            .iter()
            .all(|s| s.reason.starts_with("refused"))
    );
    assert!(
        receipt
            .warnings
            .iter()
            .any(|w| w.contains("evidence skipped for 3 file(s)"))
    );
    let exec = fake.only_execution();
    let run = exec.runs.values().next().unwrap();
    assert_eq!(run.evidence.len(), 1);
    assert_eq!(run.evidence[0].2, b"hello log");
    for req in fake.server.requests() {
        let body = req.body_str();
        assert!(
            !body.contains("root:") && !body.contains("UFJJVkFURSBLRVk"),
            "leaked a file"
        );
    }
}

#[test]
fn appends_to_a_given_execution() {
    let fake = dc_fake_pat();
    fake.add_execution("CALC-500");
    let dir = tempfile::tempdir().unwrap();
    let (mut plan, tests) = plan(Product::Dc, 4, 2, &|_| None);
    plan.target = ExecutionTarget::Append {
        key: IssueKey::parse("CALC-500").unwrap(),
        info: info(),
    };
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings(Product::Dc, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert!(!receipt.created);
    assert_eq!(receipt.execution.as_ref().unwrap().as_str(), "CALC-500");
    assert!(
        fake.server
            .requests_to("POST", "/rest/raven/2.0/import/execution/multipart")
            .is_empty()
    );
    assert_eq!(fake.import_requests().len(), 2);
    assert_eq!(fake.only_execution().runs.len(), 4);
}

/// Xray Cloud refuses the import request `n` (from 0) with a 400: the run spools what was not
/// sent and re-sends nothing.
fn refuse_import(fake: &XrayFake, n: usize) {
    fake.fault(
        On::Path("/api/v2/import/execution".into(), n),
        Action::Reply(support::fake::Reply::json(
            400,
            r#"{"error":"Error importing results: try later"}"#,
        )),
    );
}

#[test]
fn spool_and_resend_round_trip() {
    let fake = cloud_fake();
    // The first append is refused once: chunks 1 and 2 are spooled, nothing is re-sent.
    refuse_import(&fake, 1);
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    let (plan, tests) = plan(Product::Cloud, 6, 2, &|_| None);
    let settings = settings(Product::Cloud, &fake.url(), false);
    let http = http(Duration::from_secs(5));
    let receipt = upload(&http, &settings, &out, &plan, tests.tests());
    assert!(receipt.failed());
    assert!(
        receipt.errors[0].message.contains("try later"),
        "{:?}",
        receipt.errors
    );
    assert_eq!(
        fake.import_requests().len(),
        2,
        "nothing re-sent after a 400"
    );
    let statuses: Vec<ChunkStatus> = receipt.chunks.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [
            ChunkStatus::Sent,
            ChunkStatus::Spooled,
            ChunkStatus::Spooled
        ]
    );
    let spool_dir = receipt.spool.clone().unwrap();
    assert!(spool_dir.starts_with(&out.spool_dir));
    let manifest = spool::read_manifest(&spool_dir).unwrap();
    assert_eq!(
        manifest.execution_key.as_deref(),
        receipt.execution.as_ref().map(|k| k.as_str())
    );
    assert_eq!(manifest.chunks.len(), 2);
    assert!(manifest.create_info_file.is_none());
    // No Test Sets, no folders: nothing that resend would not do.
    assert!(manifest.after_import.is_empty());
    assert!(
        !receipt.warnings.iter().any(|w| w.contains("resend")),
        "{:?}",
        receipt.warnings
    );

    let mut lines = Vec::new();
    let again =
        xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut collect(&mut lines))
            .unwrap();
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(again.tests_sent, 4);
    assert_eq!(again.execution, receipt.execution);
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 6);
    assert!(
        spool::read_manifest(&spool_dir)
            .unwrap()
            .chunks
            .iter()
            .all(|c| c.sent)
    );
    let third =
        xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut |_| {}).unwrap();
    assert_eq!(third.tests_sent, 0);
    assert_eq!(fake.import_requests().len(), 4);
}

/// The spooled Tests miss the steps after the import when their results are refused; `resend`
/// does them once they are in: every run of the marker's execution joins the Test Sets, and the
/// resent Tests go to the folders the run planned for them (by key or by definition, found
/// among the execution's runs: Cloud's runs carry the definition, DC reads it).
fn resend_adds_the_resent_tests_to_the_test_sets_and_their_folders(product: Product) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    fake.add_issue("CALC-900", "Test Set");
    fake.add_issue("CALC-3", "Test");
    fake.add_folder("/ui");
    // The first append is refused: chunk 0 (tests 0, 1) is in, chunks 1 and 2 are spooled.
    let append = match product {
        Product::Cloud => "/api/v2/import/execution",
        Product::Dc => "/rest/raven/2.0/import/execution",
    };
    fake.fault(
        On::Path(append.into(), 1),
        Action::Reply(support::fake::Reply::json(
            400,
            r#"{"error":"Error importing results: try later"}"#,
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    let key_3 = |i: usize| (i == 3).then(|| "CALC-3".to_string());
    let (mut plan, tests) = plan(product, 6, 2, &key_3);
    plan.folders.insert("/ui".into(), vec![0, 2, 3]);
    plan.folders.insert("/api/v1".into(), vec![4]);
    let mut settings = settings(product, &fake.url(), false);
    settings.test_sets = vec!["CALC-900".into()];
    let http = http(Duration::from_secs(5));
    let receipt = upload(&http, &settings, &out, &plan, tests.tests());
    let spool_dir = receipt.spool.clone().unwrap();
    assert!(
        !receipt
            .warnings
            .iter()
            .any(|w| w.contains("--test-execution")),
        "resend does the Test Sets and the folders: {:?}",
        receipt.warnings
    );
    let manifest = spool::read_manifest(&spool_dir).unwrap();
    assert!(manifest.after_import.is_empty());
    let folders: Vec<(&str, &[String], &[String])> = (manifest.folders.iter())
        .map(|(p, f)| (p.as_str(), f.keys.as_slice(), f.definitions.as_slice()))
        .collect();
    assert_eq!(
        folders,
        [
            (
                "/api/v1",
                &[][..],
                &["com.acme.Suite.test4".to_string()][..]
            ),
            (
                "/ui",
                &["CALC-3".to_string()][..],
                &["com.acme.Suite.test2".to_string()][..]
            ),
        ],
        "the spooled Tests only (test 0 was sent), as their bodies name them"
    );

    let mut lines = Vec::new();
    let again =
        xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut collect(&mut lines))
            .unwrap();
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(again.tests_sent, 4);
    // The execution carries the spool's marker: every run of it is the spooling run's, the
    // two sent before the refusal included.
    let mut in_set = fake.test_set("CALC-900");
    in_set.sort();
    let mut runs: Vec<String> = fake.only_execution().runs.keys().cloned().collect();
    runs.sort();
    assert_eq!(in_set, runs);
    assert_eq!(in_set.len(), 6);
    assert_eq!(again.test_sets.get("CALC-900"), Some(&6));
    let test = |i: usize| {
        fake.test_by_definition(&format!("com.acme.Suite.test{i}"))
            .unwrap()
    };
    assert_eq!(fake.folder_of(&test(2)).as_deref(), Some("/ui"));
    assert_eq!(fake.folder_of("CALC-3").as_deref(), Some("/ui"));
    assert_eq!(fake.folder_of(&test(4)).as_deref(), Some("/api/v1"));
    assert_eq!(fake.folder_of(&test(5)), None, "no folder planned");
    assert_eq!(
        fake.folder_of(&test(0)),
        None,
        "the run's to place, not resend's"
    );
    assert_eq!(again.folders.get("/ui"), Some(&2));
    assert_eq!(again.folders.get("/api/v1"), Some(&1));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("placed in folder /api/v1 (created /api, /api/v1)")),
        "{lines:?}"
    );
    // Nothing left to send: nothing to add or place, nothing to say but that.
    let third =
        xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut |_| {}).unwrap();
    assert_eq!(third.warnings, ["nothing left to send in this spool"]);
    assert!(third.test_sets.is_empty() && third.folders.is_empty());
}

#[test]
fn resend_adds_the_resent_tests_to_the_test_sets_and_their_folders_on_cloud() {
    resend_adds_the_resent_tests_to_the_test_sets_and_their_folders(Product::Cloud);
}

#[test]
fn resend_adds_the_resent_tests_to_the_test_sets_and_their_folders_on_dc() {
    resend_adds_the_resent_tests_to_the_test_sets_and_their_folders(Product::Dc);
}

/// Of an execution the settings name (not the spool's own), only the resent Tests join the
/// Test Sets: found by their definition (DC's runs carry none: it reads them).
#[test]
fn resend_to_a_named_execution_adds_only_the_resent_tests_to_the_test_sets() {
    for product in [Product::Cloud, Product::Dc] {
        let (fake, append) = match product {
            Product::Cloud => (cloud_fake(), "/api/v2/import/execution"),
            Product::Dc => (dc_fake_pat(), "/rest/raven/2.0/import/execution"),
        };
        fake.add_issue("CALC-900", "Test Set");
        fake.add_execution("CALC-999");
        // The second import request: chunk 0 is in, chunks 1 and 2 are spooled.
        fake.fault(
            On::Path(append.into(), 2),
            Action::Reply(support::fake::Reply::json(
                400,
                r#"{"error":"Error importing results: try later"}"#,
            )),
        );
        let dir = tempfile::tempdir().unwrap();
        let out = output(dir.path());
        let (plan, tests) = plan(product, 6, 2, &|_| None);
        let mut settings = settings(product, &fake.url(), false);
        settings.test_execution = Some("CALC-999".into());
        settings.test_sets = vec!["CALC-900".into()];
        let http = http(Duration::from_secs(5));
        let receipt = upload(&http, &settings, &out, &plan, tests.tests());
        let spool_dir = receipt.spool.clone().unwrap();
        let again =
            xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut |_| {}).unwrap();
        assert!(again.errors.is_empty(), "{product:?}: {:?}", again.errors);
        assert_eq!(again.tests_sent, 4);
        assert_eq!(fake.executions()["CALC-999"].runs.len(), 6);
        let mut in_set = fake.test_set("CALC-900");
        in_set.sort();
        let mut resent: Vec<String> = (2..6)
            .map(|i| {
                fake.test_by_definition(&format!("com.acme.Suite.test{i}"))
                    .unwrap()
            })
            .collect();
        resent.sort();
        assert_eq!(in_set, resent, "{product:?}: the resent Tests only");
    }
}

#[test]
fn a_refused_create_is_spooled_with_its_info_and_resend_creates_once() {
    let fake = dc_fake_pat();
    fake.fault(
        On::Path("/rest/raven/2.0/import/execution/multipart".into(), 1),
        Action::Reply(support::fake::Reply::json(
            400,
            r#"{"error":"fixVersions: fixVersions"}"#,
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    let (plan, tests) = plan(Product::Dc, 4, 2, &|_| None);
    let settings = settings(Product::Dc, &fake.url(), false);
    let http = http(Duration::from_secs(5));
    let receipt = upload(&http, &settings, &out, &plan, tests.tests());
    assert!(receipt.failed() && receipt.execution.is_none());
    assert_eq!(fake.import_requests().len(), 1);
    let spool_dir = receipt.spool.clone().unwrap();
    let manifest = spool::read_manifest(&spool_dir).unwrap();
    assert_eq!(manifest.create_info_file.as_deref(), Some("info.json"));
    assert_eq!(Some(&manifest.marker_label), receipt.marker_label.as_ref());
    let again =
        xray_sync::commands::resend::resend(&http, &settings, &spool_dir, &mut |_| {}).unwrap();
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert!(again.created);
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 4);
    assert_eq!(exec.test_plan.as_deref(), Some("CALC-15"));
    assert!(exec.labels.contains(&manifest.marker_label));
}

/// Issue 19 item 4: one `testrun_evidence` item that is not base64 (Xray refuses the whole
/// import for it) is dropped with a warning naming its test; the chunk goes through.
fn bad_base64_costs_only_its_item(product: Product) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    let dir = tempfile::tempdir().unwrap();
    let (mut plan, tests) = plan(product, 3, 10_000, &|_| None);
    let inline = |name: &str, data: &str| PlannedEvidence::Inline {
        filename: name.into(),
        content_type: "image/png".into(),
        base64: data.into(),
    };
    add_evidence(&mut plan, 0, inline("broken.png", "%%% not base64 %%%"));
    add_evidence(&mut plan, 1, inline("fine.png", "iVBORw0KGgo="));
    let mut lines = Vec::new();
    let receipt = upload::run(
        &http(Duration::from_secs(5)),
        &settings(product, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &BTreeMap::new(),
        &mut collect(&mut lines),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(receipt.tests_sent, 3);
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 3);
    let evidence: Vec<&str> = exec
        .runs
        .values()
        .flat_map(|r| r.evidence.iter().map(|(n, _, _)| n.as_str()))
        .collect();
    assert_eq!(evidence, ["fine.png"]);
    assert_eq!(receipt.evidence_skipped.len(), 1);
    assert_eq!(
        receipt.evidence_skipped[0].test_id,
        tests.tests().get(0).test_id()
    );
    let warning = lines
        .iter()
        .find(|l| l.contains("evidence skipped"))
        .expect("a warning");
    assert!(
        warning.contains(tests.tests().get(0).test_id().as_ref()),
        "{warning}"
    );
    assert!(warning.contains("not valid base64"), "{warning}");
}

#[test]
fn bad_base64_evidence_is_dropped_not_the_chunk_on_cloud() {
    bad_base64_costs_only_its_item(Product::Cloud);
}

#[test]
fn bad_base64_evidence_is_dropped_not_the_chunk_on_dc() {
    bad_base64_costs_only_its_item(Product::Dc);
}

/// Issue 12: no import request passes the byte limit once evidence is read and base64-encoded
/// (4/3 of the file); evidence that would push it over is dropped with a warning naming its
/// test, and the results still go.
#[test]
fn no_request_exceeds_the_byte_limit_after_evidence_is_encoded() {
    let fake = cloud_fake();
    let dir = tempfile::tempdir().unwrap();
    let out = output(dir.path());
    // 30 KiB files: 40 KiB as base64. Two of them cannot share a 64 KiB request.
    for name in ["a.bin", "b.bin"] {
        std::fs::write(out.workspace.join(name), vec![7u8; 30 * 1024]).unwrap();
    }
    let (mut plan, tests) = plan(Product::Cloud, 2, 10_000, &|_| None);
    for (i, name) in ["a.bin", "b.bin"].iter().enumerate() {
        add_evidence(
            &mut plan,
            i,
            PlannedEvidence::File {
                path: out.workspace.join(name),
                filename: name.to_string(),
                content_type: "application/octet-stream".into(),
            },
        );
    }
    let mut s = settings(Product::Cloud, &fake.url(), false);
    s.chunk.max_bytes = 64 * 1024;
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &s,
        &out,
        &plan,
        tests.tests(),
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    assert_eq!(receipt.tests_sent, 2);
    for r in fake.import_requests() {
        assert!(r.body.len() <= 64 * 1024, "{} bytes", r.body.len());
    }
    assert_eq!(receipt.evidence_skipped.len(), 1);
    assert_eq!(receipt.evidence_skipped[0].filename, "b.bin");
    assert_eq!(
        receipt.evidence_skipped[0].test_id,
        tests.tests().get(1).test_id()
    );
    assert!(
        receipt.evidence_skipped[0]
            .reason
            .contains("larger than its limit"),
        "{:?}",
        receipt.evidence_skipped
    );
}

/// Issue 12: after the import, where each result sent by definition landed is found with one
/// lookup of the execution's runs per 100 results (ceil(N/100)), on both products.
fn landed_lookups_are_batched(product: Product, page_cap: Option<usize>) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    if let Some(cap) = page_cap {
        fake.state.lock().unwrap().page_cap = cap;
    }
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(product, 150, 10_000, &|_| None);
    let defects: BTreeMap<usize, Vec<IssueKey>> = (0..150)
        .map(|i| (i, vec![IssueKey::parse(&format!("BUG-{}", i + 1)).unwrap()]))
        .collect();
    let s = settings(product, &fake.url(), false);
    let mut receipt = upload::run(
        &http(Duration::from_secs(5)),
        &s,
        &output(dir.path()),
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &defects,
        &mut |_| {},
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    let before = fake.server.requests().len();
    let wanted: std::collections::BTreeSet<usize> = (0..150).collect();
    let landed = upload::find_landed(
        &http(Duration::from_secs(5)),
        &s,
        &upload::PlanKeys::default(),
        &mut receipt,
        &plan,
        tests.tests(),
        &defects,
        &wanted,
        &mut |_| {},
    );
    let lookups = fake
        .server
        .requests()
        .iter()
        .skip(before)
        .filter(|r| r.path() != "/api/v2/authenticate")
        .count();
    // Pages of 100 (two lookups), or of the site's cap until `expected` runs are read.
    assert_eq!(lookups, page_cap.map_or(2, |cap| 150usize.div_ceil(cap)));
    assert_eq!(landed.len(), 150);
    let exec = fake.only_execution();
    for (t, key) in &landed {
        let run = &exec.runs[key.as_str()];
        assert!(
            run.defects.contains(&format!("BUG-{}", t + 1)),
            "{t} → {key}"
        );
    }
    assert_eq!(receipt.test_keys.len(), 150);
}

#[test]
fn landed_lookups_are_batched_by_100_on_cloud() {
    landed_lookups_are_batched(Product::Cloud, None);
}

#[test]
fn landed_lookups_are_batched_by_100_on_dc() {
    landed_lookups_are_batched(Product::Dc, None);
}

/// A DC site whose Global Configuration caps a page at 40 runs: every run is still read (a
/// page shorter than asked is not taken for the last one).
#[test]
fn landed_lookups_read_every_page_of_a_capped_dc_site() {
    landed_lookups_are_batched(Product::Dc, Some(40));
}

/// Issue 12: a key the check could not vet (lookup refused) that the import then refuses
/// ("Test with key … not found") costs only itself: its results go by definition, the chunk is
/// sent again, one execution holds every result.
fn import_refusing_a_key_falls_back(product: Product) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    fake.add_issue("CALC-1", "Test");
    let lookup = match product {
        Product::Cloud => "/api/v2/graphql",
        Product::Dc => "/rest/api/2/search",
    };
    fake.fault(
        On::Path(lookup.into(), 1),
        Action::Reply(support::fake::Reply::json(
            403,
            r#"{"errorMessages":["You do not have the permission to see the specified issues."]}"#,
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let keys = ["CALC-1", "CALC-404"];
    let (plan, tests) = plan(product, 3, 10_000, &|i| keys.get(i).map(|k| k.to_string()));
    let mut lines = Vec::new();
    let receipt = upload::run(
        &http(Duration::from_secs(5)),
        &settings(product, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &BTreeMap::new(),
        &mut collect(&mut lines),
    );
    assert!(receipt.errors.is_empty(), "{:?} {lines:?}", receipt.errors);
    assert_eq!(receipt.tests_sent, 3);
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), 3);
    assert!(!exec.runs["CALC-1"].by_definition);
    assert_eq!(fake.import_requests().len(), 2);
    let stale: Vec<&str> = receipt.stale_keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(stale, ["CALC-404"]);
    assert!(receipt.spool.is_none());
}

#[test]
fn import_refusing_a_key_falls_back_on_cloud() {
    import_refusing_a_key_falls_back(Product::Cloud);
}

#[test]
fn import_refusing_a_key_falls_back_on_dc() {
    import_refusing_a_key_falls_back(Product::Dc);
}
