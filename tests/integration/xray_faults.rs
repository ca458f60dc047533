//! Faults during an upload: rate limits, gateway errors, resets, token expiry, a create that
//! happened but whose answer was lost. Each must end with exactly one execution holding every
//! result; a 400 is never re-sent.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::fake::Reply;
use support::xray_fake::{Action, On, XrayFake};
use support::xray_plans::*;
use xray_sync::settings::Product;
use xray_sync::xray::upload::{self, XrayReceipt};

const CLOUD_CREATE: &str = "/api/v2/import/execution/multipart";
const CLOUD_APPEND: &str = "/api/v2/import/execution";
const DC_CREATE: &str = "/rest/raven/2.0/import/execution/multipart";

/// Uploads `n` tests in chunks of `chunk` to `fake`; returns the receipt and progress lines.
fn upload_to(
    fake: &XrayFake,
    product: Product,
    n: usize,
    chunk: usize,
    import_timeout: Duration,
) -> (XrayReceipt, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (plan, tests) = plan(product, n, chunk, &|_| None);
    let mut lines = Vec::new();
    let receipt = upload::run(
        &http(import_timeout),
        &settings(product, &fake.url(), false),
        &output(dir.path()),
        &plan,
        tests.tests(),
        &support::xray_plans::synthetic(&plan, tests.tests()),
        &BTreeMap::new(),
        &mut collect(&mut lines),
    );
    (receipt, lines)
}

fn assert_one_execution_with_all(fake: &XrayFake, receipt: &XrayReceipt, n: usize) {
    assert!(receipt.errors.is_empty(), "{:?}", receipt.errors);
    let exec = fake.only_execution();
    assert_eq!(exec.runs.len(), n);
    assert_eq!(
        receipt.execution.as_ref().map(|k| k.as_str().to_string()),
        Some(exec.key)
    );
    assert_eq!(receipt.tests_sent, n);
}

#[test]
fn rate_limited_create_with_retry_after_is_resent() {
    let fake = cloud_fake();
    fake.fault(
        On::Path(CLOUD_CREATE.into(), 1),
        Action::Reply(Reply::json(429, "{}").header("Retry-After", "1")),
    );
    let (receipt, _) = upload_to(&fake, Product::Cloud, 6, 3, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 6);
    assert_eq!(fake.server.requests_to("POST", CLOUD_CREATE).len(), 2);
}

#[test]
fn rate_limited_append_without_retry_after_backs_off_and_is_resent() {
    let fake = cloud_fake();
    fake.fault(
        On::Path(CLOUD_APPEND.into(), 1),
        Action::Reply(Reply::json(429, r#"{"error":"Too many requests"}"#)),
    );
    let (receipt, _) = upload_to(&fake, Product::Cloud, 6, 3, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 6);
    assert_eq!(fake.server.requests_to("POST", CLOUD_APPEND).len(), 2);
}

#[test]
fn create_answered_503_twice_checks_the_marker_then_succeeds() {
    let fake = cloud_fake();
    for n in 1..=2 {
        fake.fault(
            On::Path(CLOUD_CREATE.into(), n),
            Action::Reply(Reply::json(503, r#"{"error":"unavailable"}"#)),
        );
    }
    let (receipt, lines) = upload_to(&fake, Product::Cloud, 6, 3, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 6);
    assert_eq!(fake.server.requests_to("POST", CLOUD_CREATE).len(), 3);
    let lookups: Vec<_> = fake
        .server
        .requests_to("POST", "/api/v2/graphql")
        .into_iter()
        .filter(|r| r.body_str().contains("getTestExecutions"))
        .collect();
    assert_eq!(lookups.len(), 2, "one marker check per ambiguous failure");
    let marker = receipt.marker_label.clone().unwrap();
    assert!(
        lookups[0].json()["variables"]["jql"]
            .as_str()
            .unwrap()
            .contains(&marker)
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("looking for the run marker"))
    );
}

#[test]
fn append_answered_503_twice_is_retried_by_the_policy() {
    let fake = dc_fake_pat();
    for n in 1..=2 {
        fake.fault(
            On::Path("/rest/raven/2.0/import/execution".into(), n),
            Action::Reply(Reply::json(503, "{}")),
        );
    }
    let (receipt, _) = upload_to(&fake, Product::Dc, 6, 3, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 6);
    assert_eq!(fake.import_requests().len(), 4);
}

#[test]
fn reset_before_the_create_is_processed_is_resent_after_a_check() {
    let fake = cloud_fake();
    fake.fault(
        On::Path(CLOUD_CREATE.into(), 1),
        Action::Reply(Reply::Reset),
    );
    let (receipt, _) = upload_to(&fake, Product::Cloud, 4, 2, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 4);
    assert_eq!(fake.server.requests_to("POST", CLOUD_CREATE).len(), 2);
}

#[test]
fn reset_after_the_create_was_applied_continues_with_the_found_execution() {
    let fake = dc_fake_pat();
    fake.fault(On::Path(DC_CREATE.into(), 1), Action::ApplyThenReset);
    let (receipt, _) = upload_to(&fake, Product::Dc, 4, 2, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 4);
    assert_eq!(fake.server.requests_to("POST", DC_CREATE).len(), 1);
    assert!(
        receipt
            .warnings
            .iter()
            .any(|w| w.contains("found the execution"))
    );
}

#[test]
fn gateway_error_after_an_applied_create_does_not_duplicate() {
    let fake = cloud_fake();
    fake.fault(
        On::Path(CLOUD_CREATE.into(), 1),
        Action::ApplyThenStatus(504),
    );
    let (receipt, _) = upload_to(&fake, Product::Cloud, 4, 2, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 4);
    assert_eq!(fake.server.requests_to("POST", CLOUD_CREATE).len(), 1);
}

#[test]
fn a_reset_append_is_resent() {
    let fake = cloud_fake();
    fake.fault(On::Path(CLOUD_APPEND.into(), 1), Action::ApplyThenReset);
    let (receipt, _) = upload_to(&fake, Product::Cloud, 4, 2, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 4);
    assert_eq!(fake.server.requests_to("POST", CLOUD_APPEND).len(), 2);
}

#[test]
fn token_expiry_mid_run_reauthenticates_once() {
    let fake = cloud_fake();
    // The token dies after the create and one append.
    fake.expire_token_after(2);
    let (receipt, _) = upload_to(&fake, Product::Cloud, 8, 2, Duration::from_secs(5));
    assert_one_execution_with_all(&fake, &receipt, 8);
    assert_eq!(fake.tokens_issued().len(), 2);
    assert_eq!(
        fake.server
            .requests_to("POST", "/api/v2/authenticate")
            .len(),
        2
    );
    assert_eq!(fake.import_requests().len(), 5, "4 chunks + the one 401");
}

fn create_applied_but_answer_timed_out(product: Product) {
    let fake = match product {
        Product::Cloud => cloud_fake(),
        Product::Dc => dc_fake_pat(),
    };
    let create = match product {
        Product::Cloud => CLOUD_CREATE,
        Product::Dc => DC_CREATE,
    };
    fake.fault(
        On::Path(create.into(), 1),
        Action::ApplyThenDelay(Duration::from_millis(1000)),
    );
    let (receipt, _) = upload_to(&fake, product, 6, 2, Duration::from_millis(300));
    assert_one_execution_with_all(&fake, &receipt, 6);
    assert_eq!(fake.server.requests_to("POST", create).len(), 1);
    assert!(receipt.created);
}

#[test]
fn create_that_succeeds_but_times_out_is_found_not_repeated_on_cloud() {
    create_applied_but_answer_timed_out(Product::Cloud);
}

#[test]
fn create_that_succeeds_but_times_out_is_found_not_repeated_on_dc() {
    create_applied_but_answer_timed_out(Product::Dc);
}

#[test]
fn bad_request_is_not_resent_and_the_payload_is_spooled() {
    let fake = cloud_fake();
    fake.fault(
        On::Path(CLOUD_CREATE.into(), 1),
        Action::Reply(Reply::json(
            400,
            r#"{"error":"Error retrieving Project from Jira with key \"CALC\""}"#,
        )),
    );
    let (receipt, lines) = upload_to(&fake, Product::Cloud, 4, 2, Duration::from_secs(5));
    assert!(receipt.failed());
    assert_eq!(fake.import_requests().len(), 1);
    assert!(fake.executions().is_empty());
    let e = &receipt.errors[0];
    assert_eq!(e.kind, xray_sync::error::ErrorKind::BadInput);
    assert!(
        e.message.contains("Error retrieving Project"),
        "{}",
        e.message
    );
    assert!(receipt.spool.is_some());
    assert!(lines.iter().any(|l| l.contains("xray-sync resend")));
}

#[test]
fn ok_status_with_an_error_body_is_a_failure() {
    let fake = dc_fake_pat();
    fake.fault(
        On::Path(DC_CREATE.into(), 1),
        Action::Reply(Reply::json(200, r#"{"error":"Error parsing info file!"}"#)),
    );
    let (receipt, _) = upload_to(&fake, Product::Dc, 2, 10, Duration::from_secs(5));
    assert!(receipt.failed());
    assert!(
        receipt.errors[0]
            .message
            .contains("Error parsing info file!")
    );
    assert_eq!(fake.import_requests().len(), 1);
    assert!(receipt.spool.is_some());
}

#[test]
fn wrong_region_is_an_actionable_auth_error() {
    let fake = cloud_fake();
    fake.fault(
        On::Path("/api/v2/import/execution/multipart".into(), 1),
        Action::Reply(Reply::json(
            401,
            r#"{"error":"Xray data is in another region. Contact support to migrate Xray data to current region."}"#,
        )),
    );
    let (receipt, _) = upload_to(&fake, Product::Cloud, 2, 10, Duration::from_secs(5));
    assert!(receipt.failed());
    assert!(
        receipt.errors[0].message.contains("XRAY_URL"),
        "{:?}",
        receipt.errors
    );
    assert_eq!(receipt.errors[0].doctor_check.as_deref(), Some("xray.auth"));
}
