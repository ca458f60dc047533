//! The planner end to end on constructed runs: status maps per product, identity, unmapped
//! policies, merging, chunking, timestamps, comments, evidence, info, Jira intents, overrides,
//! the mass-failure guard and determinism.

use crate::plan_support;

use plan_support::*;
use xray_sync::ci::{CiContext, CiProvider};
use xray_sync::model::{Attachment, Outcome};
use xray_sync::plan::{
    self, ExecutionTarget, IdentitySource, Plan, PlanError, PlannedEvidence, ResultSource,
    TestIdentity,
};
use xray_sync::settings::{Product, Settings};
use xray_sync::xray::payload::{TestResult, TestType};

/// A plan with the import results of its chunks, built per chunk from the run as the uploader
/// and `--plan-json` build them (`plan::RunResults`).
struct Built {
    plan: Plan,
    /// The run it was planned from.
    run: xray_sync::model::TestRun,
    /// `results[c][i]`: the result of `chunks[c].tests[i]`.
    results: Vec<Vec<TestResult>>,
}

impl Built {
    /// Planned test `i`, read with its case.
    fn test(&self, i: usize) -> plan::TestView<'_> {
        self.plan.tests_in(&self.run).get(i)
    }
}

impl std::ops::Deref for Built {
    type Target = Plan;
    fn deref(&self) -> &Plan {
        &self.plan
    }
}

fn build(run: &xray_sync::model::TestRun, s: &Settings) -> Built {
    let plan = plan::build(run, s).expect("plan builds");
    let results = match (&plan.xray, &s.xray) {
        (Some(x), Some(xs)) => {
            let source = plan::RunResults::new(xs, x, plan.tests_in(run));
            x.chunks
                .iter()
                .map(|c| c.tests.iter().map(|t| source.result(t)).collect())
                .collect()
        }
        _ => Vec::new(),
    };
    Built {
        plan,
        run: run.clone(),
        results,
    }
}

fn results(p: &Built) -> Vec<&TestResult> {
    p.results.iter().flatten().collect()
}

fn statuses(p: &Built) -> Vec<&str> {
    results(p).iter().map(|r| r.status.as_str()).collect()
}

#[test]
fn cloud_status_map_and_test_info_type() {
    let p = build(&mixed_run(), &cloud());
    assert_eq!(
        statuses(&p),
        ["PASSED", "FAILED", "FAILED", "TO DO", "PASSED"]
    );
    let r = results(&p);
    assert_eq!(r[0].test_key.as_deref(), Some("CALC-101"));
    assert!(r[0].test_info.is_none());
    let info = r[1].test_info.as_ref().expect("unmapped → testInfo");
    assert_eq!(info.test_type, TestType::Cloud("Generic".into()));
    assert_eq!(info.project_key, "CALC");
    assert_eq!(
        info.definition.as_deref(),
        Some("com.acme.CalcTest.divides")
    );
    assert_eq!(info.summary, "divides");
    assert_eq!(p.counts.total, 5);
    assert_eq!(p.counts.flaky, 1);
}

#[test]
fn dc_status_map_and_test_type_field() {
    let p = build(&mixed_run(), &dc());
    assert_eq!(p.xray.as_ref().unwrap().product, Product::Dc);
    assert_eq!(statuses(&p), ["PASS", "FAIL", "FAIL", "TODO", "PASS"]);
    let info = results(&p)[1].test_info.clone().unwrap();
    assert_eq!(info.test_type, TestType::Dc("Generic".into()));
}

#[test]
fn custom_status_names_from_config() {
    let s = settings_with(
        &cloud_args(),
        "[statuses]\nskipped = \"SKIPPED\"\nflaky = \"FLAKY\"\nerror = \"ERROR\"\n",
    );
    let p = build(&mixed_run(), &s);
    assert_eq!(
        statuses(&p),
        ["PASSED", "FAILED", "ERROR", "SKIPPED", "FLAKY"]
    );
}

#[test]
fn unmapped_create_skip_fail() {
    let run = run_of(vec![
        with_key(passed("a.B", "one"), "CALC-1"),
        passed("a.B", "two"),
    ]);
    let create = build(&run, &cloud());
    assert_eq!(results(&create).len(), 2);
    assert_eq!(create.test(1).source(), IdentitySource::Definition);

    let mut skip_args = cloud_args();
    skip_args.mapping.unmapped = Some(xray_sync::cli::UnmappedArg::Skip);
    let skip = build(&run, &settings_with(&skip_args, ""));
    assert_eq!(results(&skip).len(), 1);
    assert_eq!(results(&skip)[0].test_key.as_deref(), Some("CALC-1"));
    assert!(skip.notes.iter().any(|n| n.contains("--unmapped skip")));

    let fail = settings_with(&cloud_args(), "[mapping]\nunmapped = \"fail\"\n");
    match plan::build(&run, &fail) {
        Err(PlanError::Unmapped { count, examples }) => {
            assert_eq!(count, 1);
            assert_eq!(examples, ["a.B.two"]);
        }
        other => panic!("expected Unmapped, got {other:?}"),
    }
}

#[test]
fn parametrized_results_on_one_key_merge_worst_wins_with_iterations() {
    let mut a = with_key(passed("a.B", "add[1]"), "CALC-7");
    a.extras_mut().parameters.push(xray_sync::model::Property {
        name: "x".into(),
        value: "1".into(),
        items: vec![],
    });
    let b = with_key(failed("a.B", "add[2]", "boom"), "CALC-7");
    let c = with_key(skipped("a.B", "add[3]"), "CALC-7");
    let p = build(&run_of(vec![a, b, c]), &cloud());
    let chunk = &p.xray.as_ref().unwrap().chunks[0];
    assert_eq!(chunk.tests.len(), 1);
    let entry = &chunk.tests[0];
    assert_eq!(entry.merged(), [1, 2]);
    let result = &p.results[0][0];
    assert_eq!(result.status, "FAILED");
    let its = &result.iterations;
    assert_eq!(its.len(), 3);
    assert_eq!(
        its.iter().map(|i| i.status.as_str()).collect::<Vec<_>>(),
        ["PASSED", "FAILED", "TO DO"]
    );
    assert_eq!(its[0].parameters[0].name, "x");
    assert!(result.comment.as_deref().unwrap().contains("[add[2]]"));
    // One bug for the key, not one per iteration.
    assert_eq!(p.jira.as_ref().unwrap().intents.len(), 1);
    // Skipped outranks passed, so pass + skip is TO DO (Xray's own rule).
    let p = build(
        &run_of(vec![
            with_key(passed("a.B", "x[1]"), "CALC-8"),
            with_key(skipped("a.B", "x[2]"), "CALC-8"),
        ]),
        &cloud(),
    );
    assert_eq!(statuses(&p), ["TO DO"]);
}

/// Iterations carry only the fields each product documents (xray-api.md §4.2, §7; issue 12):
/// Cloud names them; DC's iteration has no `name`, so the case name becomes a parameter when
/// the case has none; a parameter never has an empty name.
#[test]
fn iterations_use_each_products_documented_fields() {
    let mut a = with_key(passed("a.B", "add[1]"), "CALC-7");
    a.extras_mut().parameters.push(xray_sync::model::Property {
        name: "".into(),
        value: "1".into(),
        items: vec![],
    });
    let b = with_key(failed("a.B", "add[2]", "boom"), "CALC-7");
    let cases = vec![a, b];
    let cloud_plan = build(&run_of(cases.clone()), &cloud());
    let its = &cloud_plan.results[0][0].iterations;
    assert_eq!(its[0].name.as_deref(), Some("add[1]"));
    assert_eq!(its[0].parameters[0].name, "arg1");
    let dc_plan = build(&run_of(cases), &dc());
    let its = &dc_plan.results[0][0].iterations;
    let json = serde_json::to_value(its).unwrap();
    for it in json.as_array().unwrap() {
        assert!(it.get("name").is_none(), "{it}");
        for p in it["parameters"].as_array().unwrap() {
            assert!(!p["name"].as_str().unwrap().is_empty(), "{p}");
        }
    }
    assert_eq!(json[0]["parameters"][0]["name"], "arg1");
    assert_eq!(
        json[1]["parameters"][0],
        serde_json::json!({"name": "name", "value": "add[2]"})
    );
}

fn many(n: usize) -> xray_sync::model::TestRun {
    run_of((0..n).map(|i| passed("a.B", &format!("t{i}"))).collect())
}

fn chunk_sizes(p: &Plan) -> Vec<usize> {
    p.xray
        .as_ref()
        .map(|x| x.chunks.iter().map(|c| c.tests.len()).collect())
        .unwrap_or_default()
}

#[test]
fn chunk_boundaries_by_count() {
    let mut args = cloud_args();
    args.xray.chunk_max_tests = Some(3);
    let s = settings_with(&args, "");
    let empty = build(&many(0), &s);
    assert!(empty.xray.is_none());
    assert!(empty.notes.iter().any(|n| n.contains("nothing to send")));
    assert_eq!(chunk_sizes(&build(&many(1), &s)), [1]);
    assert_eq!(chunk_sizes(&build(&many(3), &s)), [3]);
    assert_eq!(chunk_sizes(&build(&many(4), &s)), [3, 1]);
    assert_eq!(chunk_sizes(&build(&many(7), &s)), [3, 3, 1]);
}

#[test]
fn one_huge_test_travels_alone() {
    let mut args = cloud_args();
    args.xray.chunk_max_bytes = Some(2_000);
    let s = settings_with(&args, "");
    let huge = failed("a.B", "huge", &"x".repeat(5_000));
    let run = run_of(vec![passed("a.B", "a"), huge, passed("a.B", "b")]);
    let p = build(&run, &s);
    assert_eq!(chunk_sizes(&p), [1, 1, 1]);
    assert_eq!(p.xray.clone().unwrap().chunks[1].tests[0].test, 1);
}

#[test]
fn first_chunk_creates_rest_append() {
    let mut args = cloud_args();
    args.xray.chunk_max_tests = Some(2);
    let run = many(3);
    let s = settings_with(&args, "");
    let p = build(&run, &s);
    let x = p.xray.as_ref().unwrap();
    let source = plan::RunResults::new(s.xray.as_ref().unwrap(), x, p.tests_in(&run));
    assert!(matches!(x.target, ExecutionTarget::Create { .. }));
    let first = x.import_doc(0, None, &source);
    assert!(first.info.is_some());
    assert!(first.test_execution_key.is_none());
    assert_eq!(first.tests, p.results[0]);
    let second = x.import_doc(1, Some("CALC-900"), &source);
    assert!(second.info.is_none());
    assert_eq!(second.test_execution_key.as_deref(), Some("CALC-900"));
    assert_eq!(second.tests, p.results[1]);

    args.target.execution.test_execution = Some("CALC-82".into());
    let s = settings_with(&args, "");
    let p = build(&run, &s);
    let x = p.xray.as_ref().unwrap();
    let source = plan::RunResults::new(s.xray.as_ref().unwrap(), x, p.tests_in(&run));
    assert!(matches!(&x.target, ExecutionTarget::Append { key, .. } if key.as_str() == "CALC-82"));
    for i in 0..2 {
        assert_eq!(
            x.import_doc(i, Some("ignored"), &source)
                .test_execution_key
                .as_deref(),
            Some("CALC-82")
        );
    }
    assert!(x.import_doc(0, None, &source).info.is_some());
}

#[test]
fn start_and_finish_are_rfc3339_with_offset_and_ordered() {
    let mut c = passed("a.B", "t");
    let offset = time::UtcOffset::from_hms(2, 0, 0).unwrap();
    c.attempts[0].started_at = Some(T0.to_offset(offset) + time::Duration::milliseconds(1234));
    c.attempts[0].duration_secs = Some(2.5);
    c.recompute();
    let mut no_time = passed("a.B", "u");
    no_time.attempts[0].started_at = None;
    no_time.recompute();
    let p = build(&run_of(vec![c, no_time]), &cloud());
    let r = results(&p);
    assert_eq!(r[0].start.as_deref(), Some("2024-05-01T12:00:01.234+02:00"));
    assert_eq!(
        r[0].finish.as_deref(),
        Some("2024-05-01T12:00:03.734+02:00")
    );
    assert!(r[1].start.is_none() && r[1].finish.is_none());
    let info = match &p.xray.clone().unwrap().target {
        ExecutionTarget::Create { info, .. } => info.clone(),
        ExecutionTarget::Append { info, .. } => info.clone(),
    };
    assert_eq!(
        info.start_date.as_deref(),
        Some("2024-05-01T12:00:01.234+02:00")
    );
    assert!(info.finish_date >= info.start_date);
    let utc = build(&mixed_run(), &cloud());
    assert_eq!(
        results(&utc)[0].start.as_deref(),
        Some("2024-05-01T10:00:00Z")
    );
}

#[test]
fn comment_is_message_and_details_within_limit() {
    let p = build(&mixed_run(), &cloud());
    let r = results(&p);
    let c = r[1].comment.as_deref().unwrap();
    // Details start with the message, so the message is not repeated.
    assert_eq!(
        c,
        "expected 2 but was 3\n\tat com.acme.Calc.add(Calc.java:10)"
    );
    assert!(r[0].comment.is_none());
    assert_eq!(r[3].comment.as_deref(), Some("not on this platform"));
    assert!(
        r[4].comment
            .as_deref()
            .unwrap()
            .starts_with("Flaky: passed after 1 failed attempt(s) of 2.")
    );

    let f = xray_sync::model::Failure {
        message: Some("short".into()),
        details: Some("é".repeat(20_000).into()),
        ..Default::default()
    };
    let long = case("a.B", "long", Outcome::Failed(f.into()));
    let p = build(&run_of(vec![long]), &cloud());
    let c = results(&p)[0].comment.clone().unwrap();
    assert_eq!(c.chars().count(), 8_192);
    assert!(c.starts_with("short\n\n"));
    assert!(c.ends_with("[... truncated by xray-sync]"));
}

#[test]
fn evidence_is_planned_with_content_types() {
    let mut c = failed("a.B", "shot", "ui broke");
    c.extras_mut().attachments.push(Attachment::File {
        path: "results/shot.PNG".into(),
        name: None,
        content_type: None,
    });
    c.extras_mut().attachments.push(Attachment::Inline {
        name: "log.txt".into(),
        base64: "SGVsbG8=".into(),
    });
    let p = build(&run_of(vec![c]), &cloud());
    let ev = p.xray.clone().unwrap().chunks[0].tests[0]
        .evidence()
        .to_vec();
    assert_eq!(
        ev[0],
        PlannedEvidence::File {
            path: "results/shot.PNG".into(),
            filename: "shot.PNG".into(),
            content_type: "image/png".into()
        }
    );
    assert!(
        matches!(&ev[1], PlannedEvidence::Inline { content_type, .. } if content_type == "text/plain")
    );
}

#[test]
fn info_from_template_ci_context_and_run_date() {
    let mut args = cloud_args();
    args.xray.summary = Some("{project} {date} #{run_id} {sha} {ref} {workflow}/{job}: {failed} of {total} failed, {passed} passed".into());
    args.target.test_plan = Some("CALC-15".into());
    args.target.environments = Some(vec!["chrome".into(), "linux".into()]);
    args.target.fix_version = Some("v3.0".into());
    let ci = CiContext {
        provider: CiProvider::GithubActions,
        run_id: Some("77-1".into()),
        run_url: Some("https://github.com/acme/calc/actions/runs/77".into()),
        sha: Some("9f1c2ab0000000000000".into()),
        ref_name: Some("main".into()),
        workflow: Some("CI".into()),
        job: Some("test".into()),
        repository: Some("acme/calc".into()),
        pr_number: None,
        ..CiContext::default()
    };
    let s = resolve_full(&args, "", vec![], false, ci).unwrap();
    let p = build(&mixed_run(), &s);
    let ExecutionTarget::Create { info, .. } = &p.xray.as_ref().unwrap().target else {
        panic!("create expected");
    };
    assert_eq!(
        info.summary,
        "CALC 2024-05-01 #77-1 9f1c2ab00000 main CI/test: 2 of 5 failed, 2 passed"
    );
    assert_eq!(info.test_plan_key.as_deref(), Some("CALC-15"));
    assert_eq!(info.test_environments, ["chrome", "linux"]);
    assert_eq!(info.version.as_deref(), Some("v3.0"));
    assert_eq!(info.revision.as_deref(), Some("9f1c2ab0000000000000"));
    assert!(
        info.description
            .as_deref()
            .unwrap()
            .contains("actions/runs/77")
    );
    assert_eq!(p.jira.as_ref().unwrap().run_marker, "github:77-1");
}

#[test]
fn jira_intents_for_failures_with_labels_and_fields() {
    let p = build(&mixed_run(), &cloud());
    let j = p.jira.as_ref().unwrap();
    assert_eq!(
        j.intents.len(),
        2,
        "failed + error; flaky only with file_flaky"
    );
    let i = &j.intents[0];
    assert_eq!(p.test(i.test).name(), "divides");
    assert_eq!(
        i.label,
        plan::dedup_label(
            "xray-sync-",
            &TestIdentity::Definition("com.acme.CalcTest.divides".into())
        )
    );
    assert_eq!(
        i.fields.labels[..2],
        [i.label.clone(), "xray-sync".to_string()]
    );
    assert_eq!(i.fields.project, "CALC");
    assert_eq!(i.fields.issue_type, "Bug");
    assert_eq!(i.fields.summary, "CalcTest.divides: expected 2 but was 3");
    assert_eq!(i.report.message.as_deref(), Some("expected 2 but was 3"));
    assert_eq!(i.report.attempts.len(), 1);

    let mut args = cloud_args();
    args.bugs.file_flaky = Some(true);
    let p = build(&mixed_run(), &settings_with(&args, ""));
    let j = p.jira.clone().unwrap();
    assert_eq!(j.intents.len(), 3);
    assert!(j.intents[2].report.flaky);
}

#[test]
fn overrides_match_by_glob_or_exact_key_and_disable() {
    let toml = r#"
[jira]
labels = ["ci"]

[[bugs.override]]
matches = "com.acme.CalcTest.*"
assignee = "alice"
labels = ["calc"]

[[bugs.override]]
matches = "*parses*"
project = "OPS"
issue_type = "Incident"
assignee = "bob"

[[bugs.override]]
matches = "CALC-101"
disable = true
"#;
    let run = run_of(vec![
        with_key(failed("com.acme.CalcTest", "adds", "x"), "CALC-101"),
        failed("com.acme.CalcTest", "divides", "y"),
        errored("com.acme.CalcTest", "parses", "z"),
        failed("org.other.T", "misc", "w"),
    ]);
    let p = build(&run, &settings_with(&cloud_args(), toml));
    let j = p.jira.clone().unwrap();
    let names: Vec<&str> = j.intents.iter().map(|i| p.test(i.test).name()).collect();
    assert_eq!(names, ["divides", "parses", "misc"], "CALC-101 disabled");
    assert_eq!(j.intents[0].fields.assignee.as_deref(), Some("alice"));
    assert_eq!(j.intents[0].fields.labels[2..], ["ci", "calc"]);
    assert_eq!(j.intents[1].fields.project, "OPS");
    assert_eq!(j.intents[1].fields.issue_type, "Incident");
    assert_eq!(
        j.intents[1].fields.assignee.as_deref(),
        Some("bob"),
        "later wins"
    );
    assert_eq!(j.intents[2].fields.assignee, None);
    assert!(p.notes.iter().any(|n| n.contains("disabled")));
}

#[test]
fn mass_failure_becomes_one_umbrella() {
    let mut args = cloud_args();
    args.bugs.mass_failure_threshold = Some(2);
    let run = run_of(
        (0..3)
            .map(|i| failed("a.B", &format!("t{i}"), "env down"))
            .collect(),
    );
    let p = build(&run, &settings_with(&args, ""));
    let j = p.jira.clone().unwrap();
    assert!(j.intents.is_empty());
    let u = j.umbrella.unwrap();
    assert_eq!(u.tests, [0, 1, 2]);
    assert_eq!(u.label, "xray-sync-mass-failure");
    assert_eq!(
        u.fields.labels[..2],
        ["xray-sync-mass-failure", "xray-sync"]
    );
    // At the threshold exactly: still one bug each.
    let run = run_of(
        (0..2)
            .map(|i| failed("a.B", &format!("t{i}"), "x"))
            .collect(),
    );
    let p = build(&run, &settings_with(&args, ""));
    assert_eq!(p.jira.clone().unwrap().intents.len(), 2);
}

#[test]
fn close_on_pass_lists_clean_passes_only() {
    let mut args = cloud_args();
    args.bugs.close_on_pass = Some(true);
    let p = build(&mixed_run(), &settings_with(&args, ""));
    let j = p.jira.clone().unwrap();
    assert_eq!(j.close_on_pass.len(), 1);
    assert_eq!(j.close_on_pass[0].label, "xray-sync-calc-101");
    assert!(
        build(&mixed_run(), &cloud())
            .jira
            .as_ref()
            .unwrap()
            .close_on_pass
            .is_empty()
    );
}

#[test]
fn local_run_marker_is_a_stable_hash_of_inputs() {
    let a = build(&mixed_run(), &cloud())
        .jira
        .clone()
        .unwrap()
        .run_marker;
    let b = build(&mixed_run(), &cloud())
        .jira
        .clone()
        .unwrap()
        .run_marker;
    assert_eq!(a, b);
    assert!(a.starts_with("local:") && a.len() == "local:".len() + 16);
    let other = build(&many(2), &cloud()).jira.clone().unwrap().run_marker;
    assert_ne!(a, other);
    // The recipe, spelled out: a marker that changed between releases would comment again on
    // every bug of a re-run local command.
    use sha2::Digest;
    let run = mixed_run();
    let mut hasher = sha2::Sha256::new();
    for f in &run.files {
        hasher.update(f.path.to_string_lossy().as_bytes());
        hasher.update([0]);
    }
    for c in &run.cases {
        hasher.update(c.definition().as_bytes());
        hasher.update([0]);
        hasher.update(c.outcome().kind().as_str().as_bytes());
        hasher.update([0]);
    }
    let hex: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(a, format!("local:{hex}"));
}

#[test]
fn include_exclude_on_test_id_and_tags() {
    let run = run_of(vec![
        with_tag(passed("com.acme.ui.LoginTest", "ok"), "smoke"),
        with_key(passed("com.acme.api.T", "a"), "CALC-5"),
        passed("com.acme.api.T", "b"),
    ]);
    let mut args = cloud_args();
    args.mapping.include = Some(vec!["com.acme.api.*".into()]);
    let p = build(&run, &settings_with(&args, ""));
    assert_eq!(
        p.tests.len(),
        2,
        "definition matches even when mapped to a key"
    );
    assert!(p.notes.iter().any(|n| n.contains("1 result(s) left out")));

    args.mapping.include = Some(vec!["tag:smo*".into(), "CALC-5".into()]);
    let p = build(&run, &settings_with(&args, ""));
    let ids: Vec<String> = (0..p.tests.len())
        .map(|i| p.test(i).test_id().into_owned())
        .collect();
    assert_eq!(ids, ["com.acme.ui.LoginTest.ok", "CALC-5"]);

    args.mapping.include = None;
    args.mapping.exclude = Some(vec!["tag:smoke".into()]);
    assert_eq!(build(&run, &settings_with(&args, "")).tests.len(), 2);
}

#[test]
fn no_upload_and_no_bugs_skip_each_side() {
    let mut args = cloud_args();
    args.target.no_upload = Some(true);
    let p = build(&mixed_run(), &settings_with(&args, ""));
    assert!(p.xray.is_none() && p.jira.is_some());
    assert!(p.notes.iter().any(|n| n.contains("--no-upload")));
    let mut args = cloud_args();
    args.target.no_bugs = Some(true);
    let p = build(&mixed_run(), &settings_with(&args, ""));
    assert!(p.xray.is_some() && p.jira.is_none());
}

#[test]
fn mapping_table_and_name_keys_through_build() {
    let table = vec![xray_sync::settings::MappingEntry {
        pattern: "com.acme.Mapped*".into(),
        key: "CALC-40".into(),
    }];
    let s = resolve_full(&cloud_args(), "", table, false, CiContext::default()).unwrap();
    let run = run_of(vec![
        passed("com.acme.MappedTest", "x"),
        passed("a.B", "CALC-41 works"),
    ]);
    let p = build(&run, &s);
    assert_eq!(p.test(0).source(), IdentitySource::MappingFile);
    assert_eq!(p.test(0).test_id(), "CALC-40");
    assert_eq!(p.test(1).source(), IdentitySource::NameKey);
    assert_eq!(results(&p)[1].test_key.as_deref(), Some("CALC-41"));
}

#[test]
fn plan_is_deterministic() {
    let (x, y) = (build(&mixed_run(), &cloud()), build(&mixed_run(), &cloud()));
    assert_eq!(x.plan, y.plan);
    assert_eq!(x.results, y.results);
}
