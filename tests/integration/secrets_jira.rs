//! No Jira credential ever reaches the receipt, an error message or progress text, even when the
//! server echoes the Authorization header back (a misbehaving proxy) or fails in other ways.

use crate::support;

use support::fake::Reply;
use support::jira_fake::build::{self, API_TOKEN, CLIENT_SECRET, PASSWORD, PAT};
use support::jira_fake::{Config, Fault, FaultAction, JiraFake};
use xray_sync::jira::client::Client;
use xray_sync::jira::file;
use xray_sync::settings::{JiraAuth, JiraSettings, Product};

/// Every secret form a leak could take: raw values, the Basic encodings, OAuth access tokens.
fn forbidden() -> Vec<String> {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        API_TOKEN.into(),
        PAT.into(),
        PASSWORD.into(),
        CLIENT_SECRET.into(),
        "oauth-access-token-1-s3cr3t".into(),
        "oauth-access-token-2-s3cr3t".into(),
        b64(&format!("{}:{API_TOKEN}", build::EMAIL)),
        b64(&format!("ci-bot:{PASSWORD}")),
        "s3cr3t".into(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for s in forbidden() {
        assert!(!text.contains(&s), "{what} leaks {s}: {text}");
    }
}

/// Runs a plan and checks the receipt, every error and every progress line.
fn run_and_check(settings: &JiraSettings, dry_run: bool) -> usize {
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    let mut progress = Vec::new();
    let r = file::run(
        &build::http(),
        settings,
        &plan,
        tests.tests(),
        dry_run,
        &mut |l| progress.push(l.to_string()),
    );
    assert_clean("receipt", &serde_json::to_string(&r).unwrap());
    for e in &r.errors {
        assert_clean("error", &e.to_string());
        assert_clean("error debug", &format!("{e:?}"));
    }
    for l in &progress {
        assert_clean("progress", l);
    }
    assert_clean("settings debug", &format!("{settings:?}"));
    r.errors.len()
}

fn echoing(config: Config) -> Config {
    Config {
        echo_auth: true,
        ..config
    }
}

#[test]
fn wrong_basic_credentials_echoed_back_never_leak() {
    // The server answers 401 quoting the Authorization header it got.
    let (config, _) = build::cloud_basic();
    let fake = JiraFake::start(echoing(Config {
        auth: support::jira_fake::FakeAuth::Basic {
            user: "someone-else".into(),
            secret: "x".into(),
        },
        ..config
    }));
    let (_, auth) = build::cloud_basic();
    let settings = build::settings(&fake.url(), Product::Cloud, auth);
    assert!(run_and_check(&settings, false) > 0);
    assert!(
        fake.fake
            .requests()
            .iter()
            .any(|r| r.path().contains("search"))
    );

    let (config, auth) = build::dc_basic();
    let fake = JiraFake::start(echoing(Config {
        auth: support::jira_fake::FakeAuth::Bearer("other".into()),
        ..config
    }));
    let settings = build::settings(&fake.url(), Product::Dc, auth);
    assert!(run_and_check(&settings, true) > 0);
}

#[test]
fn wrong_pat_echoed_back_never_leaks() {
    let (config, auth) = build::dc_pat();
    let fake = JiraFake::start(echoing(Config {
        auth: support::jira_fake::FakeAuth::Bearer("the-right-one".into()),
        ..config
    }));
    let settings = build::settings(&fake.url(), Product::Dc, auth);
    assert!(run_and_check(&settings, false) > 0);
    // The echo really happened, and was scrubbed.
    let http = build::http();
    let err = Client::new(&http, &settings)
        .myself()
        .unwrap_err()
        .to_string();
    // The HTTP layer scrubs the whole header value it sent, scheme included (issue 17).
    assert!(
        err.contains("(got: ***)") || err.contains("(got: Bearer ***)"),
        "{err}"
    );
}

#[test]
fn oauth_failures_never_leak_the_client_secret_or_tokens() {
    // Token endpoint echoing the request body.
    let fake = JiraFake::start(build::cloud_oauth());
    fake.inject(Fault {
        method: "POST",
        path: "/oauth/token".into(),
        times: 10,
        action: FaultAction::Reply(Reply::json(
            401,
            format!(r#"{{"error":"access_denied","error_description":"bad client_secret {CLIENT_SECRET}"}}"#),
        )),
    });
    let settings = build::settings(&fake.url(), Product::Cloud, build::oauth_auth(&fake.url()));
    assert!(run_and_check(&settings, false) > 0);

    // Gateway refusing the issued token and quoting it, before and after renewal.
    let fake = JiraFake::start(echoing(build::cloud_oauth()));
    let settings = build::settings(&fake.url(), Product::Cloud, build::oauth_auth(&fake.url()));
    fake.inject(Fault {
        method: "POST",
        path: "/search/jql".into(),
        times: 10,
        action: FaultAction::Reply(Reply::json(
            401,
            r#"{"errorMessages":["token oauth-access-token-1-s3cr3t and oauth-access-token-2-s3cr3t revoked"]}"#,
        )),
    });
    assert!(run_and_check(&settings, false) > 0);
    assert_eq!(fake.token_requests(), 2);

    // Server errors on every write, after a good lookup.
    let fake = JiraFake::start(echoing(build::cloud_oauth()));
    let settings = build::settings(&fake.url(), Product::Cloud, build::oauth_auth(&fake.url()));
    fake.inject(Fault {
        method: "POST",
        path: "/rest/api/3/issue".into(),
        times: 10,
        action: FaultAction::Reply(Reply::json(
            500,
            r#"{"errorMessages":["boom oauth-access-token-1-s3cr3t"]}"#,
        )),
    });
    assert!(run_and_check(&settings, false) > 0);
}

#[test]
fn unreachable_jira_errors_never_leak() {
    let fake = JiraFake::start(build::cloud_oauth());
    let url = fake.url();
    drop(fake);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let settings = build::settings(&url, Product::Cloud, build::oauth_auth(&url));
    assert!(run_and_check(&settings, false) > 0);
    let (_, auth) = build::cloud_basic();
    let settings = build::settings(&url, Product::Cloud, auth);
    assert!(run_and_check(&settings, false) > 0);
}

#[test]
fn client_debug_and_errors_are_clean() {
    let (config, auth) = build::cloud_basic();
    let fake = JiraFake::start(echoing(Config {
        auth: support::jira_fake::FakeAuth::Bearer("nope".into()),
        ..config
    }));
    let settings = build::settings(&fake.url(), Product::Cloud, auth);
    let http = build::http();
    let client = Client::new(&http, &settings);
    for e in [
        client.myself().unwrap_err(),
        client
            .server_info()
            .map(|_| ())
            .and_then(|_| client.link_types().map(|_| ()))
            .unwrap_err(),
    ] {
        assert_clean("error", &e.to_string());
    }
    let _: &JiraAuth = &settings.auth;
}
