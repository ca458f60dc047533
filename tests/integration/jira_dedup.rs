//! Bug filing against the stateful fake Jira: one open bug per failing test across runs,
//! parallel runs, Done bugs, batching, umbrella, odd names, reopen, close on pass, dry run.

use crate::support;

use std::collections::BTreeSet;

use support::jira_fake::build::{self, label_for};
use support::jira_fake::{Config, FakeIssue, JiraFake};
use xray_sync::jira::file::{self, ActionKind, JiraReceipt};
use xray_sync::plan::{JiraPlan, Tests};
use xray_sync::settings::{JiraAuth, JiraSettings, Product};

fn start(
    config: Config,
    auth: impl FnOnce(&str) -> JiraAuth,
    product: Product,
) -> (JiraFake, JiraSettings) {
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), product, auth(&fake.url()));
    (fake, settings)
}

fn cloud(lag: u32) -> (JiraFake, JiraSettings) {
    let (mut config, auth) = build::cloud_basic();
    config.lag = lag;
    start(config, |_| auth, Product::Cloud)
}

fn dc() -> (JiraFake, JiraSettings) {
    let (config, auth) = build::dc_pat();
    start(config, |_| auth, Product::Dc)
}

fn run(settings: &JiraSettings, plan: &JiraPlan, tests: Tests<'_>) -> JiraReceipt {
    let receipt = file::run(&build::http(), settings, plan, tests, false, &mut |_| {});
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    receipt
}

/// [`run`] as of `now` (the reopen window's clock).
fn run_at(
    settings: &JiraSettings,
    plan: &JiraPlan,
    tests: Tests<'_>,
    now: time::OffsetDateTime,
) -> JiraReceipt {
    let receipt = file::run_at(
        &build::http(),
        settings,
        plan,
        tests,
        false,
        now,
        &mut |_| {},
    );
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    receipt
}

/// Files bugs for `test_000` and `test_001` (run-1), then runs again with `test_001` passing
/// (run-2): the key of `test_001`'s bug and the second run's receipt.
fn fix_the_second_test(settings: &JiraSettings) -> (String, JiraReceipt) {
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = run(settings, &plan, tests.tests());
    let fixed = r.bug_keys[&1][0].to_string();
    let (mut plan, mut tests) = build::failing(&build::names(1), "run-2");
    build::passing(&mut plan, &mut tests, "test_001");
    (fixed, run(settings, &plan, tests.tests()))
}

fn open_bugs(fake: &JiraFake) -> Vec<FakeIssue> {
    fake.issues()
        .into_iter()
        .filter(|i| i.project == "BUG" && i.is_open())
        .collect()
}

/// Exactly one open bug per test label, and no open bug for any other label.
fn assert_one_open_per_test(fake: &JiraFake, names: &[String]) {
    for n in names {
        let open = fake.open_with_label(&label_for(n));
        assert_eq!(
            open.len(),
            1,
            "{n}: {:?}",
            open.iter().map(|i| &i.key).collect::<Vec<_>>()
        );
    }
    assert_eq!(open_bugs(fake).len(), names.len());
}

fn ten_failures_across_runs(fake: &JiraFake, settings: &JiraSettings) {
    let names = build::names(10);
    let (plan1, tests) = build::failing(&names, "run-1");
    let r1 = run(settings, &plan1, tests.tests());
    assert_eq!(r1.count(ActionKind::Created), 10);
    assert_eq!(r1.bug_keys.len(), 10);
    assert_one_open_per_test(fake, &names);
    let first_keys: Vec<_> = r1.bug_keys.values().cloned().collect();

    // Run 2: a new CI run → no new bug, one comment each, same keys.
    let (plan2, _) = build::failing(&names, "run-2");
    let r2 = run(settings, &plan2, tests.tests());
    assert_eq!(r2.count(ActionKind::Created), 0);
    assert_eq!(r2.count(ActionKind::Commented), 10);
    assert_eq!(
        r2.bug_keys.values().cloned().collect::<Vec<_>>(),
        first_keys
    );
    assert_eq!(fake.issues().len(), 10);
    for i in fake.issues() {
        assert_eq!(i.comments.len(), 1, "{}", i.key);
        assert!(i.comment_texts()[0].contains("run-2"));
    }

    // Run 2 re-run (same marker) → no new comment.
    let r2b = run(settings, &plan2, tests.tests());
    assert_eq!(r2b.count(ActionKind::Commented), 0);
    assert_eq!(r2b.count(ActionKind::Skipped), 10);
    assert!(fake.issues().iter().all(|i| i.comments.len() == 1));

    // One bug fixed (Done-category status "Verified") → run 3 files exactly one new bug,
    // linked to the fixed one.
    let fixed = first_keys[3][0].to_string();
    fake.resolve(&fixed, None);
    let (plan3, _) = build::failing(&names, "run-3");
    let r3 = run(settings, &plan3, tests.tests());
    assert_eq!(r3.count(ActionKind::Created), 1);
    assert_eq!(r3.count(ActionKind::Commented), 9);
    let new_key = r3.bug_keys[&3][0].to_string();
    assert_ne!(new_key, fixed);
    let new_issue = fake.issue(&new_key);
    assert!(
        new_issue
            .links
            .contains(&("Relates".into(), new_key.clone(), fixed.clone())),
        "{:?}",
        new_issue.links
    );
    assert_eq!(fake.issues().len(), 11);
    assert_one_open_per_test(fake, &names);
}

#[test]
fn ten_failures_one_bug_each_across_runs_cloud_with_lag() {
    let (fake, settings) = cloud(2);
    ten_failures_across_runs(&fake, &settings);
    // Cloud: only search/jql, never the removed /search.
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| !r.path().ends_with("/rest/api/3/search"))
    );
    assert!(
        fake.searches()
            .iter()
            .all(|s| s.path == "/rest/api/3/search/jql")
    );
}

#[test]
fn ten_failures_one_bug_each_across_runs_dc() {
    let (fake, settings) = dc();
    ten_failures_across_runs(&fake, &settings);
    assert!(
        fake.searches()
            .iter()
            .all(|s| s.path == "/rest/api/2/search")
    );
    // DC descriptions are wiki markup strings.
    assert!(fake.issues().iter().all(|i| i.description.is_string()));
}

#[test]
fn created_bug_has_description_summary_and_labels() {
    let (fake, settings) = cloud(0);
    let (plan, tests) = build::failing(&build::names(1), "gh-77-1");
    let r = run(&settings, &plan, tests.tests());
    let issue = fake.issue(r.bug_keys[&0][0].as_str());
    assert_eq!(issue.summary, "Test failed: test_000");
    // Dedup label, marker label, then the label of the CI run that created it.
    assert_eq!(issue.labels[..2], ["xs-test_000", "xray-sync"]);
    assert!(issue.labels[2].starts_with("xs-run-"), "{:?}", issue.labels);
    assert_eq!(issue.labels.len(), 3);
    assert_eq!(issue.description["type"], "doc");
    let text = support::jira_fake::text_of(&issue.description);
    for want in [
        "suite.test_000",
        "expected 3 but was 4",
        "Test.java:42",
        "https://ci.example/run/1",
        "Attempts: failed, failed",
    ] {
        assert!(text.contains(want), "{want} missing in {text}");
    }
    assert_eq!(
        r.actions[0].url.as_deref(),
        Some(format!("{}/browse/{}", fake.url(), issue.key).as_str())
    );
}

fn concurrent_runs(fake: &JiraFake, settings: &JiraSettings) {
    let names = build::names(6);
    std::thread::scope(|s| {
        for job in 0..4 {
            let names = &names;
            s.spawn(move || {
                let (plan, tests) = build::failing(names, &format!("run-9-job-{job}"));
                let r = build::file(settings, &plan, &tests);
                assert!(r.errors.is_empty(), "{:?}", r.errors);
                assert_eq!(r.bug_keys.len(), 6);
            });
        }
    });
    assert_one_open_per_test(fake, &names);
    // Every closed extra says which bug it duplicates.
    for i in fake.issues().iter().filter(|i| !i.is_open()) {
        assert!(
            i.links
                .iter()
                .any(|(t, inward, _)| t == "Duplicate" && inward == &i.key),
            "{:?}",
            i.links
        );
        assert!(i.comment_texts().iter().any(|c| c.contains("duplicate of")));
    }
    // A later run agrees with the survivors and files nothing.
    let (plan, tests) = build::failing(&names, "run-10");
    let r = run(settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Created), 0);
    let survivors: BTreeSet<String> = open_bugs(fake).into_iter().map(|i| i.key).collect();
    let reported: BTreeSet<String> = r
        .bug_keys
        .values()
        .flatten()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(survivors, reported);
}

#[test]
fn four_concurrent_runs_leave_one_open_bug_per_test_cloud_with_lag() {
    let (fake, settings) = cloud(2);
    concurrent_runs(&fake, &settings);
}

#[test]
fn four_concurrent_runs_leave_one_open_bug_per_test_dc() {
    let (fake, settings) = dc();
    concurrent_runs(&fake, &settings);
}

#[test]
fn hundred_twenty_failures_take_three_lookup_searches() {
    let (fake, settings) = cloud(1);
    let names = build::names(120);
    let (plan, tests) = build::failing(&names, "run-1");
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Created), 120);
    let lookups: Vec<_> = fake
        .searches()
        .into_iter()
        .filter(|s| s.first_page && s.reconcile.is_empty())
        .collect();
    // Three for the lookup, three for the re-check before creating.
    assert!(lookups.len() <= 6, "{} lookup searches", lookups.len());
    assert!(
        fake.searches()
            .iter()
            .all(|s| s.labels <= 50 && s.reconcile.len() <= 50)
    );
    assert_one_open_per_test(&fake, &names);

    let before = fake.searches().len();
    let (plan, _) = build::failing(&names, "run-2");
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Commented), 120);
    assert_eq!(fake.searches().len() - before, 3);
}

#[test]
fn search_pages_are_followed() {
    let (mut config, auth) = build::cloud_basic();
    config.page_size = 7;
    let (fake, settings) = start(config, |_| auth, Product::Cloud);
    let names = build::names(30);
    let (plan, tests) = build::failing(&names, "run-1");
    run(&settings, &plan, tests.tests());
    let (plan, _) = build::failing(&names, "run-2");
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Created), 0);
    assert_eq!(r.count(ActionKind::Commented), 30);
    assert!(fake.searches().iter().any(|s| !s.first_page));
}

#[test]
fn mass_failure_files_exactly_one_umbrella() {
    let (fake, settings) = cloud(2);
    let names = build::names(120);
    let (plan, tests) = build::umbrella(&names, "run-1");
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| run(&settings, &plan, tests.tests()));
        }
    });
    let open = fake.open_with_label("xs-umbrella-ci");
    assert_eq!(open.len(), 1);
    assert_eq!(open_bugs(&fake).len(), 1);
    let text = support::jira_fake::text_of(&open[0].description);
    assert!(
        text.contains("120 tests failed") && text.contains("suite.test_119"),
        "{text}"
    );

    let (plan2, _) = build::umbrella(&names, "run-2");
    let r = run(&settings, &plan2, tests.tests());
    assert_eq!(r.count(ActionKind::Created), 0);
    assert_eq!(r.count(ActionKind::Commented), 1);
    assert_eq!(r.bug_keys.len(), 120);
    assert!(r.bug_keys.values().all(|k| k[0].as_str() == open[0].key));
}

#[test]
fn odd_test_names_never_break_jql_or_labels() {
    let names: Vec<String> = [
        r#"quote " inside"#,
        r"back\slash\\",
        "AND",
        "order by",
        "OR (x) = 1, !=",
        "тест_юникод ✓ 日本語",
        r#"\"mixed\" AND or"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (fake, settings) in [cloud(1), dc()] {
        let (plan, tests) = build::failing(&names, "run-1");
        let r = run(&settings, &plan, tests.tests());
        assert_eq!(r.count(ActionKind::Created), names.len());
        let (plan, _) = build::failing(&names, "run-2");
        let r = run(&settings, &plan, tests.tests());
        assert_eq!(r.count(ActionKind::Created), 0, "{:?}", r.actions);
        assert_eq!(r.count(ActionKind::Commented), names.len());
        assert_one_open_per_test(&fake, &names);
        for i in fake.issues() {
            assert!(i.labels.iter().all(|l| !l.contains(' ')), "{:?}", i.labels);
        }
    }
}

#[test]
fn raced_duplicates_found_in_the_lookup_are_closed() {
    let (fake, settings) = cloud(0);
    let label = label_for("test_000");
    let winner = fake.add_issue("BUG", &[&label], "indeterminate");
    let extra = fake.add_issue("BUG", &[&label], "new");
    let (plan, tests) = build::failing(&build::names(1), "run-5");
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Commented), 1);
    assert_eq!(r.count(ActionKind::ClosedAsDuplicate), 1);
    assert_eq!(r.bug_keys[&0][0].as_str(), winner);
    let closed = fake.issue(&extra);
    assert_eq!(
        (closed.status.as_str(), closed.category.as_str()),
        ("Verified", "done")
    );
    // The Done transition's screen requires a Resolution (jira-api.md §4.2): a duplicate's.
    assert_eq!(closed.resolution.as_deref(), Some("Duplicate"));
    assert!(closed.resolutiondate.is_some());
    assert!(
        closed
            .links
            .contains(&("Duplicate".into(), extra.clone(), winner.clone()))
    );
}

/// A site whose transitions do not list the Resolution on the Done screen although it is
/// required there: the refusal ("Field Resolution is required.") is answered once with `Done`,
/// and the bug is closed.
#[test]
fn a_required_resolution_the_transitions_do_not_list_is_still_given() {
    let (mut config, auth) = build::dc_pat();
    config.hide_resolution_field = true;
    let (fake, settings) = start(config, |_| auth, Product::Dc);
    let (fixed, r) = fix_the_second_test(&settings);
    assert_eq!(r.count(ActionKind::ClosedOnPass), 1);
    let issue = fake.issue(&fixed);
    assert_eq!(issue.category, "done");
    assert_eq!(issue.resolution.as_deref(), Some("Done"));
}

/// An override naming an assignee the site does not know (a user name on Cloud, where only an
/// accountId names a user) and a priority it lacks: the bug is filed without them, and the
/// action says which fields were left out and why. A known assignee is kept.
#[test]
fn refused_optional_fields_cost_only_themselves() {
    let (fake, settings) = cloud(0);
    let (mut plan, tests) = build::failing(&build::names(2), "run-1");
    plan.intents[0].fields.assignee = Some("alice".into());
    plan.intents[0].fields.priority = Some("Urgent".into());
    plan.intents[1].fields.assignee = Some("5b10ac8d82e05b22cc7d4ef5".into());
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::Created), 2);
    let created: Vec<_> = r
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::Created)
        .collect();
    let first = created.iter().find(|a| a.test == Some(0)).unwrap();
    let detail = first.detail.as_deref().unwrap_or_default();
    assert!(
        detail.starts_with("filed without its assignee, priority: Jira refused them")
            && detail.contains("Account ID alice does not exist"),
        "{detail}"
    );
    let bug = fake.issue(&r.bug_keys[&0][0].to_string());
    assert!(bug.fields.get("assignee").is_none(), "{:?}", bug.fields);
    let kept = fake.issue(&r.bug_keys[&1][0].to_string());
    assert_eq!(
        kept.fields["assignee"]["accountId"],
        "5b10ac8d82e05b22cc7d4ef5"
    );
    assert!(
        created
            .iter()
            .find(|a| a.test == Some(1))
            .unwrap()
            .detail
            .is_none()
    );
}

#[test]
fn recently_resolved_bug_is_reopened_when_configured() {
    let (fake, mut settings) = cloud(0);
    settings.reopen_within_days = Some(7);
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = run(&settings, &plan, tests.tests());
    let recent = r.bug_keys[&0][0].to_string();
    let old = r.bug_keys[&1][0].to_string();
    fake.resolve(&recent, Some("2026-11-20T10:00:00.000+0000"));
    fake.resolve(&old, Some("2026-10-01T10:00:00.000+0000"));
    let (plan, _) = build::failing(&build::names(2), "run-2");
    let now = time::macros::datetime!(2026-11-22 10:00 UTC);
    let r = run_at(&settings, &plan, tests.tests(), now);
    assert_eq!(r.count(ActionKind::Reopened), 1);
    assert_eq!(r.bug_keys[&0][0].as_str(), recent);
    assert!(fake.issue(&recent).is_open());
    assert!(
        fake.issue(&recent)
            .comment_texts()
            .iter()
            .any(|c| c.contains("Reopened"))
    );
    assert_eq!(r.count(ActionKind::Created), 1);
    assert_ne!(r.bug_keys[&1][0].as_str(), old);
}

/// A bug a person moved to Done on a workflow that sets no Resolution has no resolution date;
/// on Cloud the time it entered Done decides the reopen window instead. DC tells neither, so
/// there a new bug is filed (and linked to the closed one).
#[test]
fn bug_closed_without_a_resolution_is_reopened_within_the_window_on_cloud() {
    let now = time::macros::datetime!(2026-11-22 10:00 UTC);
    for (on_cloud, reopened) in [(true, 1), (false, 0)] {
        let (fake, mut settings) = if on_cloud { cloud(0) } else { dc() };
        settings.reopen_within_days = Some(7);
        let (plan, tests) = build::failing(&build::names(1), "run-1");
        let r = run(&settings, &plan, tests.tests());
        let closed = r.bug_keys[&0][0].to_string();
        fake.close_without_resolution(&closed, "2026-11-20T10:00:00.000+0000");
        assert_eq!(fake.issue(&closed).resolutiondate, None);
        let (plan, _) = build::failing(&build::names(1), "run-2");
        let r = run_at(&settings, &plan, tests.tests(), now);
        assert_eq!(r.count(ActionKind::Reopened), reopened, "cloud: {on_cloud}");
        assert_eq!(
            r.count(ActionKind::Created),
            1 - reopened,
            "cloud: {on_cloud}"
        );
        assert_eq!(fake.issue(&closed).is_open(), on_cloud);
    }
}

#[test]
fn passing_test_closes_its_open_bug() {
    let (fake, settings) = dc();
    let (fixed, r) = fix_the_second_test(&settings);
    assert_eq!(r.count(ActionKind::ClosedOnPass), 1);
    let issue = fake.issue(&fixed);
    assert_eq!(issue.category, "done");
    assert_eq!(issue.resolution.as_deref(), Some("Done"));
    assert!(
        issue
            .comment_texts()
            .iter()
            .any(|c| c.contains("passed in run") && c.contains("run-2"))
    );
    // Opt-in: with close_on_pass off nothing is closed.
    let (fake, mut settings) = dc();
    settings.close_on_pass = false;
    let (_, r) = fix_the_second_test(&settings);
    assert_eq!(r.count(ActionKind::ClosedOnPass), 0);
    assert_eq!(open_bugs(&fake).len(), 2);
}

#[test]
fn bug_is_linked_to_its_xray_test() {
    let (fake, settings) = cloud(0);
    let test_key = fake.add_issue("CALC", &[], "new");
    assert_eq!(test_key, "CALC-1");
    let t = build::planned(
        "adds",
        xray_sync::model::OutcomeKind::Failed,
        Some("CALC-1"),
    );
    let plan = JiraPlan {
        intents: vec![build::intent(0, t.tests().get(0))],
        umbrella: None,
        close_on_pass: vec![],
        run_marker: "run-1".into(),
    };
    let r = run(&settings, &plan, t.tests());
    let bug = r.bug_keys[&0][0].to_string();
    assert!(
        fake.issue(&bug)
            .links
            .contains(&("Test".into(), "CALC-1".into(), bug.clone()))
    );
    assert_eq!(r.count(ActionKind::Linked), 1);
    let text = support::jira_fake::text_of(&fake.issue(&bug).description);
    assert!(text.contains("Xray Test: CALC-1"), "{text}");
}

#[test]
fn dry_run_only_reads_and_says_what_it_would_do() {
    let (fake, settings) = cloud(0);
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    run(&settings, &plan, tests.tests());
    let writes_before = fake
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && !r.path().contains("search"))
        .count();
    let (plan, tests) = build::failing(&build::names(4), "run-2");
    let mut lines = Vec::new();
    let r = file::run(
        &build::http(),
        &settings,
        &plan,
        tests.tests(),
        true,
        &mut |l| lines.push(l.to_string()),
    );
    assert!(r.errors.is_empty());
    assert_eq!(r.count(ActionKind::WouldComment), 3);
    assert_eq!(r.count(ActionKind::WouldCreate), 1);
    let writes_after = fake
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && !r.path().contains("search"))
        .count();
    assert_eq!(writes_before, writes_after);
    assert!(
        lines.iter().any(|l| l.contains("would comment on BUG-1")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("would create a bug for suite.test_003")),
        "{lines:?}"
    );
}

#[test]
fn receipt_serializes_every_action_with_keys() {
    let (_fake, settings) = cloud(0);
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = run(&settings, &plan, tests.tests());
    let v = serde_json::to_value(&r).unwrap();
    // Bugs are created in parallel, so which test gets BUG-1 is not fixed; the pairing is.
    assert_eq!(v["actions"][0]["kind"], "created");
    assert_eq!(v["actions"][0]["test"], 0);
    assert_eq!(v["actions"][0]["test_id"], "suite.test_000");
    let key0 = v["actions"][0]["key"].as_str().unwrap().to_string();
    assert!(key0 == "BUG-1" || key0 == "BUG-2", "{key0}");
    assert_eq!(v["bug_keys"]["0"][0], key0.as_str());
    let key1 = v["bug_keys"]["1"][0].as_str().unwrap();
    assert!(key1 != key0 && key1.starts_with("BUG-"), "{key1}");
    assert_eq!(v["errors"], serde_json::json!([]));
}

/// Issue 19 item 7: close-on-pass closes only bugs this tool filed for that test (its dedup
/// label AND the marker label); an issue a person labelled the same way stays open.
#[test]
fn close_on_pass_needs_the_marker_label_too() {
    let (fake, settings) = dc();
    let by_hand = fake.add_issue("BUG", &[&label_for("test_000")], "new");
    let (mut plan, mut tests) = build::failing(&[], "run-1");
    build::passing(&mut plan, &mut tests, "test_000");
    let r = run(&settings, &plan, tests.tests());
    assert_eq!(r.count(ActionKind::ClosedOnPass), 0);
    assert!(fake.issue(&by_hand).is_open());
}

/// Issue 19 item 7: a key from the results steers a link or a close only once verified as a
/// Test of the project. A passing result claiming `test_key=CALC-5` (someone else's Test)
/// closes nothing, and a failing one naming an unverified key files its bug without a link.
#[test]
fn unverified_keys_neither_close_nor_link() {
    let (fake, settings) = dc();
    // The real CALC-5 test failed earlier: its bug is open.
    let t5 = build::planned(
        "adds",
        xray_sync::model::OutcomeKind::Failed,
        Some("CALC-5"),
    );
    let plan = JiraPlan {
        intents: vec![build::intent(0, t5.tests().get(0))],
        umbrella: None,
        close_on_pass: vec![],
        run_marker: "run-1".into(),
    };
    let first = build::file(&settings, &plan, &t5);
    let bug = first.bug_keys[&0][0].to_string();
    // A hostile result passes while claiming CALC-5; another fails naming CALC-6 (a Story).
    let mut tests = build::planned(
        "hostile",
        xray_sync::model::OutcomeKind::Passed,
        Some("CALC-5"),
    );
    build::push(
        &mut tests,
        "story",
        xray_sync::model::OutcomeKind::Failed,
        Some("CALC-6"),
    );
    let plan = JiraPlan {
        intents: vec![build::intent(1, tests.tests().get(1))],
        umbrella: None,
        close_on_pass: vec![xray_sync::plan::PassingTest {
            test: 0,
            label: label_for("adds"),
            project: "BUG".into(),
        }],
        run_marker: "run-2".into(),
    };
    let verified = |_: &str| false;
    let checked = file::only_verified_keys(&plan, tests.tests(), &verified);
    assert!(checked.close_on_pass.is_empty());
    assert!(checked.intents[0].report.xray_key.is_none());
    let r = run(&settings, &checked, tests.tests());
    assert_eq!(r.count(ActionKind::ClosedOnPass), 0);
    assert_eq!(r.count(ActionKind::Linked), 0);
    assert!(fake.issue(&bug).is_open());
    // Verified, the same close goes through.
    let verified = |k: &str| k == "CALC-5";
    let checked = file::only_verified_keys(&plan, tests.tests(), &verified);
    assert_eq!(checked.close_on_pass.len(), 1);
}
