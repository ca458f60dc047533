//! Bug filing under faults: rate limits, server errors, lost create answers, bad JQL, failed
//! lookups. The invariant throughout: never a duplicate bug, never a blind re-create.

use crate::support;

use std::time::Duration;

use support::fake::Reply;
use support::jira_fake::build::{self, label_for};
use support::jira_fake::{Fault, FaultAction, JiraFake};
use xray_sync::error::ApiError;
use xray_sync::jira::client::Client;
use xray_sync::jira::file::{self, ActionKind};
use xray_sync::settings::{JiraSettings, Product};

fn cloud(lag: u32) -> (JiraFake, JiraSettings) {
    let (mut config, auth) = build::cloud_basic();
    config.lag = lag;
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), Product::Cloud, auth);
    (fake, settings)
}

fn fault(method: &'static str, path: &str, times: u32, action: FaultAction) -> Fault {
    Fault {
        method,
        path: path.into(),
        times,
        action,
    }
}

fn creates(fake: &JiraFake) -> usize {
    fake.fake.requests_to("POST", "/rest/api/3/issue").len()
}

#[test]
fn rate_limited_search_is_retried_after_retry_after() {
    let (fake, settings) = cloud(0);
    fake.inject(fault(
        "POST",
        "/search/jql",
        2,
        FaultAction::Reply(
            Reply::json(429, "{}")
                .header("Retry-After", "1")
                .header("RateLimit-Reason", "jira-burst-based"),
        ),
    ));
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.count(ActionKind::Created), 2);
}

#[test]
fn persistent_rate_limit_quotes_the_reason_and_creates_nothing() {
    let (fake, settings) = cloud(0);
    fake.inject(fault(
        "POST",
        "/search/jql",
        100,
        FaultAction::Reply(
            Reply::json(429, "{}")
                .header("Retry-After", "0")
                .header("RateLimit-Reason", "jira-quota-tenant-based"),
        ),
    ));
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(
        matches!(r.errors.as_slice(), [ApiError::RateLimited { .. }]),
        "{:?}",
        r.errors
    );
    assert!(
        r.errors[0].to_string().contains("jira-quota-tenant-based"),
        "{}",
        r.errors[0]
    );
    assert_eq!(r.count(ActionKind::Skipped), 2);
    assert_eq!(creates(&fake), 0);
}

#[test]
fn server_errors_on_reads_are_retried() {
    let (fake, settings) = cloud(0);
    fake.inject(fault(
        "POST",
        "/search/jql",
        1,
        FaultAction::Reply(Reply::json(503, "{}")),
    ));
    fake.inject(fault(
        "POST",
        "/search/jql",
        1,
        FaultAction::Reply(Reply::Reset),
    ));
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(fake.issues().len(), 3);
}

#[test]
fn create_applied_but_connection_reset_is_found_not_repeated() {
    let (fake, settings) = cloud(2);
    fake.inject(fault(
        "POST",
        "/rest/api/3/issue",
        1,
        FaultAction::ApplyThenReset,
    ));
    let (plan, tests) = build::failing(&build::names(1), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(creates(&fake), 1, "the create was not sent again");
    assert_eq!(fake.issues().len(), 1);
    assert_eq!(r.bug_keys[&0][0].as_str(), fake.issues()[0].key);
    assert!(
        r.actions[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("found by its label")
    );
}

#[test]
fn create_applied_but_answer_slower_than_timeout_is_found_not_repeated() {
    let (fake, settings) = cloud(1);
    fake.inject(fault(
        "POST",
        "/rest/api/3/issue",
        1,
        FaultAction::ApplyThenDelay(Duration::from_millis(600)),
    ));
    let (plan, tests) = build::failing(&build::names(1), "run-1");
    let http = build::http_with_timeout(Duration::from_millis(200));
    let r = file::run(&http, &settings, &plan, tests.tests(), false, &mut |_| {});
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(creates(&fake), 1);
    assert_eq!(fake.open_with_label(&label_for("test_000")).len(), 1);
}

#[test]
fn gateway_error_before_create_searches_then_creates_once() {
    let (fake, settings) = cloud(0);
    fake.inject(fault(
        "POST",
        "/rest/api/3/issue",
        1,
        FaultAction::Reply(Reply::json(504, "{}")),
    ));
    let (plan, tests) = build::failing(&build::names(1), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        creates(&fake),
        2,
        "searched, found nothing, created once more"
    );
    assert_eq!(fake.issues().len(), 1);
    // A search came between the two creates.
    let reqs = fake.fake.requests();
    let first = reqs
        .iter()
        .position(|r| r.path() == "/rest/api/3/issue")
        .unwrap();
    let second = reqs
        .iter()
        .rposition(|r| r.path() == "/rest/api/3/issue")
        .unwrap();
    assert!(
        reqs[first..second]
            .iter()
            .any(|r| r.path().ends_with("/search/jql"))
    );
}

#[test]
fn create_rejected_is_an_error_and_others_continue() {
    let (fake, settings) = cloud(0);
    fake.inject(fault(
        "POST",
        "/rest/api/3/issue",
        1,
        FaultAction::Reply(Reply::json(
            400,
            r#"{"errorMessages":[],"errors":{"priority":"Field 'priority' cannot be set."}}"#,
        )),
    ));
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0].to_string().contains("priority"),
        "{}",
        r.errors[0]
    );
    assert_eq!(r.count(ActionKind::Created), 2);
    assert_eq!(creates(&fake), 3);
}

#[test]
fn comment_failure_is_reported_and_retried_next_run() {
    let (fake, settings) = cloud(0);
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    build::file(&settings, &plan, &tests);
    fake.inject(fault(
        "POST",
        "/comment",
        1,
        FaultAction::Reply(Reply::json(500, "{}")),
    ));
    let (plan, _) = build::failing(&build::names(2), "run-2");
    let r = build::file(&settings, &plan, &tests);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.count(ActionKind::Commented), 1);
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty());
    assert_eq!(r.count(ActionKind::Commented), 1);
    assert!(fake.issues().iter().all(|i| i.comments.len() == 1));
}

#[test]
fn fake_rejects_bad_jql_and_the_removed_search() {
    let (fake, settings) = cloud(0);
    let http = build::http();
    let client = Client::new(&http, &settings);
    let err = client
        .search(r#"project = "BUG AND labels in ("a")"#, &[])
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 400, .. }),
        "{err}"
    );
    let err = client
        .search("project = BUG AND labels in (AND)", &[])
        .unwrap_err();
    assert!(err.to_string().contains("quoted"), "{err}");
    // The removed endpoint answers 410 like real Cloud (the client never calls it).
    let req = xray_sync::http::Request::post_json(
        format!("{}/rest/api/3/search", fake.url()),
        &serde_json::json!({"jql": "x"}),
        xray_sync::http::Call::Read,
    )
    .header(
        "Authorization",
        "Basic Y2lAZXhhbXBsZS5jb206QVRBVFQtYXBpLXRva2VuLXMzY3IzdA==",
    );
    let err = http
        .send(xray_sync::error::Service::Jira, "search", &req)
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 410, .. }),
        "{err}"
    );
}

#[test]
fn unreachable_jira_fails_without_creating() {
    let (fake, settings) = cloud(0);
    let url = fake.url();
    drop(fake);
    std::thread::sleep(Duration::from_millis(20));
    let mut settings = settings;
    settings.url = url;
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(!r.errors.is_empty());
    assert!(
        r.errors
            .iter()
            .all(|e| matches!(e, ApiError::Network { .. })),
        "{:?}",
        r.errors
    );
    assert_eq!(r.count(ActionKind::Created), 0);
}

/// A bug project the site does not have (or the credentials cannot browse): Jira refuses the
/// label search itself (jira-api.md §1.5), so nothing is created and the error names the
/// project; the other bugs of the run, in a project that exists, are filed.
#[test]
fn a_bug_project_the_site_lacks_is_an_error_naming_it() {
    let (fake, settings) = cloud(0);
    let (mut plan, tests) = build::failing(&build::names(2), "run-1");
    plan.intents[0].fields.project = "NOPE".into();
    let r = build::file(&settings, &plan, &tests);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert!(
        r.errors[0]
            .to_string()
            .contains("The value 'NOPE' does not exist for the field 'project'"),
        "{}",
        r.errors[0]
    );
    assert_eq!(r.count(ActionKind::Created), 1);
    assert!(fake.issues().iter().all(|i| i.project == "BUG"));
}
