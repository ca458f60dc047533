//! The shared HTTP client against the loopback fake: retries, faults, timeouts.

use crate::support;

use std::time::Duration;

use support::fake::{Fake, Reply};
use xray_sync::error::{ApiError, Service};
use xray_sync::http::{Call, Http, Request};
use xray_sync::settings::HttpSettings;

fn http(read_timeout: Duration) -> Http {
    let settings = HttpSettings {
        read_timeout,
        import_timeout: read_timeout,
        ..HttpSettings::default()
    };
    Http::new(&settings).unwrap().with_sleep(|_| {})
}

#[test]
fn rate_limited_then_ok_honours_retry_after() {
    let fake = Fake::script([
        Reply::json(429, "{}").header("Retry-After", "1"),
        Reply::json(503, "{}"),
        Reply::json(200, r#"{"ok":true}"#),
    ]);
    let resp = http(Duration::from_secs(5))
        .send(
            Service::Jira,
            "search",
            &Request::get(format!("{}/x", fake.url())),
        )
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(fake.requests().len(), 3);
    let ua = fake.requests()[0].header("user-agent").unwrap().to_string();
    assert!(ua.starts_with("xray-sync/"), "{ua}");
}

#[test]
fn bad_request_is_never_retried() {
    let fake = Fake::script([
        Reply::json(400, r#"{"error":"Error parsing info file!"}"#),
        Reply::json(200, "{}"),
    ]);
    let req = Request::post_json(
        format!("{}/import", fake.url()),
        &serde_json::json!({"a":1}),
        Call::Create,
    );
    let err = http(Duration::from_secs(5))
        .send(Service::Xray, "import", &req)
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Rejected { status: 400, detail, .. } if detail == "Error parsing info file!"),
        "{err}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn reset_on_a_read_is_retried_but_on_a_create_is_reported_as_maybe_applied() {
    let fake = Fake::script([Reply::Reset, Reply::json(200, "{}")]);
    let ok = http(Duration::from_secs(5)).send(
        Service::Jira,
        "read",
        &Request::get(format!("{}/r", fake.url())),
    );
    assert!(ok.is_ok(), "{ok:?}");

    let fake = Fake::script([Reply::Reset, Reply::json(200, "{}")]);
    let req = Request::post_json(
        format!("{}/create", fake.url()),
        &serde_json::json!({}),
        Call::Create,
    );
    let err = http(Duration::from_secs(5))
        .send(Service::Jira, "create", &req)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                maybe_applied: true,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn slow_answer_times_out_as_maybe_applied() {
    let fake = Fake::script([Reply::json(200, "{}").after(Duration::from_millis(800))]);
    let req = Request::post_json(
        format!("{}/create", fake.url()),
        &serde_json::json!({}),
        Call::Create,
    );
    let err = http(Duration::from_millis(200))
        .send(Service::Xray, "import", &req)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                maybe_applied: true,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn connection_refused_is_network_not_applied() {
    let url = {
        let fake = Fake::script([]);
        fake.url()
    };
    std::thread::sleep(Duration::from_millis(50));
    let err = http(Duration::from_secs(1))
        .send(Service::Xray, "auth", &Request::get(format!("{url}/x")))
        .unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err}");
}

#[test]
fn redirect_is_not_followed() {
    let fake = Fake::script([Reply::status(302).header("Location", "/login.jsp")]);
    let req = Request::post_json(
        format!("{}/rest/raven/2.0/import/execution", fake.url()),
        &serde_json::json!({}),
        Call::Create,
    );
    let err = http(Duration::from_secs(5))
        .send(Service::Xray, "import", &req)
        .unwrap_err();
    assert!(err.to_string().contains("redirect to /login.jsp"), "{err}");
}

/// The HTTP layer scrubs what it sent: a server (or proxy) that echoes the Authorization header
/// in its error body cannot put the credential into an `ApiError`, whichever client sent it.
#[test]
fn echoed_credentials_are_scrubbed_by_the_http_layer() {
    let fake = Fake::serve(|req: &support::fake::Request| {
        let echoed = req
            .headers
            .get("authorization")
            .cloned()
            .unwrap_or_default();
        Reply::json(400, format!(r#"{{"message":"bad header {echoed}"}}"#))
    });
    for header in ["Bearer eyJhbGciOi.secret-token", "Basic dXNlcjpodW50ZXIy"] {
        let req = Request::get(format!("{}/anything", fake.url())).header("Authorization", header);
        let err = http(Duration::from_secs(5))
            .send(Service::Jira, "a thing", &req)
            .unwrap_err();
        let text = err.to_string();
        let credential = header.split_once(' ').unwrap().1;
        assert!(!text.contains(credential), "{text}");
        assert!(text.contains("bad header"), "{text}");
    }
    assert_eq!(fake.requests().len(), 2, "both requests really went out");
}
