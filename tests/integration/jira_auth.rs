//! Jira credentials against the fake: Cloud Basic, DC PAT and Basic, Cloud OAuth service
//! accounts (token exchange, cloudId discovery, gateway routing, renewal).

use crate::support;

use support::jira_fake::build::{self, CLIENT_ID, CLIENT_SECRET, CLOUD_ID};
use support::jira_fake::{FakeAuth, JiraFake};
use xray_sync::error::ApiError;
use xray_sync::jira::client::Client;
use xray_sync::jira::file::ActionKind;
use xray_sync::settings::Product;

#[test]
fn cloud_api_token_is_basic_auth() {
    let (config, auth) = build::cloud_basic();
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), Product::Cloud, auth);
    let (plan, tests) = build::failing(&build::names(2), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.count(ActionKind::Created), 2);
    let reqs = fake.fake.requests();
    assert!(reqs.iter().all(|r| r.header("authorization")
        == Some("Basic Y2lAZXhhbXBsZS5jb206QVRBVFQtYXBpLXRva2VuLXMzY3IzdA==")));
    assert!(reqs.iter().all(|r| {
        r.header("user-agent")
            .is_some_and(|ua| ua.starts_with("xray-sync/"))
    }));
}

#[test]
fn dc_pat_is_bearer_and_dc_basic_works() {
    for (config, auth) in [build::dc_pat(), build::dc_basic()] {
        let pat = matches!(config.auth, FakeAuth::Bearer(_));
        let fake = JiraFake::start(config);
        let settings = build::settings(&fake.url(), Product::Dc, auth);
        let (plan, tests) = build::failing(&build::names(1), "run-1");
        let r = build::file(&settings, &plan, &tests);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let header = fake.fake.requests()[0]
            .header("authorization")
            .unwrap_or("")
            .to_string();
        assert_eq!(header.starts_with("Bearer "), pat, "{header}");
        assert!(
            fake.fake
                .requests()
                .iter()
                .all(|r| r.path().starts_with("/rest/api/2/"))
        );
    }
}

#[test]
fn wrong_credentials_are_unauthorized() {
    let (config, _) = build::dc_pat();
    let fake = JiraFake::start(config);
    let settings = build::settings(
        &fake.url(),
        Product::Dc,
        xray_sync::settings::JiraAuth::Dc(xray_sync::settings::DcAuth::Pat("wrong".into())),
    );
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(
        matches!(r.errors.as_slice(), [ApiError::Unauthorized { .. }]),
        "{:?}",
        r.errors
    );
    // Nothing was created blind after the failed lookup.
    assert_eq!(r.count(ActionKind::Skipped), 3);
    assert!(fake.issues().is_empty());
}

fn oauth_fake(config: support::jira_fake::Config) -> (JiraFake, xray_sync::settings::JiraSettings) {
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), Product::Cloud, build::oauth_auth(&fake.url()));
    (fake, settings)
}

#[test]
fn oauth_exchanges_a_token_discovers_the_cloud_id_and_uses_the_gateway() {
    let (fake, settings) = oauth_fake(build::cloud_oauth());
    let (plan, tests) = build::failing(&build::names(3), "run-1");
    let r = build::file(&settings, &plan, &tests);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.count(ActionKind::Created), 3);
    assert_eq!(fake.token_requests(), 1, "one token for the whole run");
    let reqs = fake.fake.requests();
    let token_req = reqs.iter().find(|r| r.path() == "/oauth/token").unwrap();
    let body = token_req.json();
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], CLIENT_ID);
    assert_eq!(body["client_secret"], CLIENT_SECRET);
    assert_eq!(body["audience"], "api.atlassian.com");
    let api: Vec<_> = reqs
        .iter()
        .filter(|r| r.path().contains("/rest/api/"))
        .collect();
    assert!(!api.is_empty());
    for r in api {
        assert!(
            r.path()
                .starts_with(&format!("/ex/jira/{CLOUD_ID}/rest/api/3/")),
            "{}",
            r.path()
        );
        assert_eq!(
            r.header("authorization"),
            Some("Bearer oauth-access-token-1-s3cr3t")
        );
    }
    // Links in the receipt point at the site, not the gateway.
    let key = r.actions[0].key.as_ref().unwrap();
    assert_eq!(
        r.actions[0].url.as_deref(),
        Some(format!("{}/browse/{key}", fake.url()).as_str())
    );
}

#[test]
fn oauth_cloud_id_from_accessible_resources_matching_the_site() {
    // Several sites, this one written in upper case with a slash; no tenant_info, so the match
    // must come from the list.
    let mut config = build::cloud_oauth();
    config.tenant_info = false;
    config.resources = Some(vec![
        (
            "other-cloud-id".into(),
            "https://other.atlassian.net".into(),
        ),
        (CLOUD_ID.into(), "{SITE}/".into()),
    ]);
    let (fake, settings) = oauth_fake(config);
    let http = build::http();
    let client = Client::new(&http, &settings);
    client.authenticate().unwrap();
    assert_eq!(client.cloud_id().as_deref(), Some(CLOUD_ID));
    assert!(
        fake.fake
            .requests_to("GET", "/_edge/tenant_info")
            .is_empty()
    );
    assert_eq!(
        fake.fake
            .requests_to("GET", "/oauth/token/accessible-resources")
            .len(),
        1
    );
}

#[test]
fn oauth_cloud_id_falls_back_to_tenant_info() {
    let mut config = build::cloud_oauth();
    config.resources = Some(vec![
        ("a".into(), "https://a.atlassian.net".into()),
        ("b".into(), "https://b.atlassian.net".into()),
    ]);
    let (fake, settings) = oauth_fake(config);
    let http = build::http();
    let client = Client::new(&http, &settings);
    assert!(client.myself().is_ok());
    assert_eq!(client.cloud_id().as_deref(), Some(CLOUD_ID));
    assert_eq!(fake.fake.requests_to("GET", "/_edge/tenant_info").len(), 1);
}

#[test]
fn oauth_without_any_site_is_a_clear_error() {
    let mut config = build::cloud_oauth();
    config.resources = Some(vec![]);
    config.tenant_info = false;
    let (_fake, settings) = oauth_fake(config);
    let http = build::http();
    let err = Client::new(&http, &settings).authenticate().unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("accessible resources"), "{err}");
}

#[test]
fn oauth_bad_client_secret_is_unauthorized_at_the_auth_server() {
    let (fake, mut settings) = oauth_fake(build::cloud_oauth());
    settings.auth = xray_sync::settings::JiraAuth::CloudOAuth {
        client_id: CLIENT_ID.into(),
        client_secret: "not-the-secret".into(),
        auth_url: fake.url(),
        api_url: fake.url(),
    };
    let http = build::http();
    let err = Client::new(&http, &settings).myself().unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Unauthorized {
                service: xray_sync::error::Service::AtlassianAuth,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn expired_token_is_renewed_once() {
    let (fake, settings) = oauth_fake(build::cloud_oauth());
    let http = build::http();
    let client = Client::new(&http, &settings);
    client.myself().unwrap();
    assert_eq!(fake.token_requests(), 1);
    fake.expire_tokens();
    client.myself().unwrap();
    assert_eq!(fake.token_requests(), 2, "renewed after the 401");
    client.myself().unwrap();
    assert_eq!(fake.token_requests(), 2, "the renewed token is reused");

    // A 401 that renewal does not cure is reported after exactly one renewal.
    fake.inject(support::jira_fake::Fault {
        method: "GET",
        path: "/myself".into(),
        times: 5,
        action: support::jira_fake::FaultAction::Reply(support::fake::Reply::json(
            401,
            r#"{"errorMessages":["revoked"]}"#,
        )),
    });
    let err = client.myself().unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err}");
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(
        fake.fake
            .requests_to("GET", &format!("/ex/jira/{CLOUD_ID}/rest/api/3/myself"))
            .len(),
        6
    );
}

#[test]
fn token_is_renewed_before_it_expires() {
    let mut config = build::cloud_oauth();
    // Expires inside the renewal margin: every call gets a fresh token, none is ever refused.
    config.expires_in = 30;
    let (fake, settings) = oauth_fake(config);
    let http = build::http();
    let client = Client::new(&http, &settings);
    for _ in 0..3 {
        client.myself().unwrap();
    }
    assert_eq!(fake.token_requests(), 3);
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| r.path() != "/oauth/token" || r.method == "POST")
    );
}

#[test]
fn oauth_concurrent_runs_share_the_gateway() {
    let (fake, settings) = oauth_fake(build::cloud_oauth());
    let names = build::names(5);
    std::thread::scope(|s| {
        for job in 0..3 {
            let (settings, names) = (&settings, &names);
            s.spawn(move || {
                let (plan, tests) = build::failing(names, &format!("job-{job}"));
                let r = build::file(settings, &plan, &tests);
                assert!(r.errors.is_empty(), "{:?}", r.errors);
            });
        }
    });
    for n in &names {
        assert_eq!(fake.open_with_label(&build::label_for(n)).len(), 1);
    }
}
