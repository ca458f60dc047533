//! Secrets never leave the binary, whatever goes wrong: every credential kind (Xray client
//! secret, Jira API token, PAT, password, OAuth client secret, and the Basic forms) under Xray
//! 401, Jira 401, Xray 5xx (spooled) and connection refused, with servers that quote the whole
//! request (credentials included) back in their error bodies. stdout, stderr, the JSON report,
//! the `--summary-md` file and every spool file are searched.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};

use support::e2e::*;
use support::fake::{Fake, Reply, Request};
use support::xray_fake::{Creds, Mode, XrayFake};

/// Bearer tokens the echo servers hand out; the binary learns them at run time and must scrub
/// them too.
const XRAY_BEARER: &str = "XRAYBEARER-e2e-token-5150";
const OAUTH_BEARER: &str = "OAUTHBEARER-e2e-token-6160";

#[derive(Clone, Copy, Debug)]
enum Creds4 {
    /// Xray Cloud + Jira Cloud email/API token.
    CloudToken,
    /// Xray Cloud + Jira Cloud OAuth client credentials.
    CloudOAuth,
    /// Xray DC + Jira DC, one PAT.
    DcPat,
    /// Xray DC + Jira DC, username + password.
    DcBasic,
}

#[derive(Clone, Copy, Debug)]
enum Failure {
    /// Both services answer 401 to everything, quoting the request.
    Unauthorized,
    /// Xray authenticates, rate-limits the import once, then answers 500 (quoting the request):
    /// results are spooled after the retry. Jira answers 401.
    XrayServerError,
    /// Xray is healthy; only Jira answers 401.
    JiraUnauthorized,
    /// Nothing listens.
    Refused,
}

/// A back end that quotes each request back. With `status` 401 everything is refused; else the
/// token endpoints (Xray Cloud authenticate, OAuth) succeed, the first import is rate limited
/// with `Retry-After: 0` (so the retry path runs without sleeping) and everything else gets
/// `status`.
fn echo_service(status: u16) -> Fake {
    let imports = AtomicUsize::new(0);
    Fake::serve(move |req: &Request| {
        if status != 401 {
            if req.path().contains("/import/execution")
                && imports.fetch_add(1, Ordering::SeqCst) == 0
            {
                return Reply::json(429, echo_body(req)).header("Retry-After", "0");
            }
            match (req.method.as_str(), req.path()) {
                ("POST", "/api/v2/authenticate") => {
                    return Reply::json(200, format!("\"{XRAY_BEARER}\""));
                }
                ("POST", "/oauth/token") => {
                    return Reply::json(
                        200,
                        format!(
                            r#"{{"access_token":"{OAUTH_BEARER}","expires_in":3600,"token_type":"Bearer"}}"#
                        ),
                    );
                }
                _ => {}
            }
        }
        Reply::json(status, echo_body(req))
    })
}

/// Both services' URLs and the fakes that must stay alive for the run.
struct Backends {
    xray_url: String,
    jira_url: String,
    keep: Vec<Fake>,
    healthy_xray: Option<XrayFake>,
}

fn backends(creds: Creds4, failure: Failure) -> Backends {
    match failure {
        Failure::Unauthorized => {
            let (x, j) = (echo_service(401), echo_service(401));
            Backends {
                xray_url: x.url(),
                jira_url: j.url(),
                keep: vec![x, j],
                healthy_xray: None,
            }
        }
        Failure::XrayServerError => {
            let (x, j) = (echo_service(500), echo_service(401));
            Backends {
                xray_url: x.url(),
                jira_url: j.url(),
                keep: vec![x, j],
                healthy_xray: None,
            }
        }
        Failure::JiraUnauthorized => {
            let xray = match creds {
                Creds4::CloudToken | Creds4::CloudOAuth => xray_cloud(),
                Creds4::DcPat => XrayFake::start(Mode::Dc, PROJECT, Creds::Pat(PAT.into())),
                Creds4::DcBasic => XrayFake::start(
                    Mode::Dc,
                    PROJECT,
                    Creds::Basic {
                        user: DC_USER.into(),
                        password: PASSWORD.into(),
                    },
                ),
            };
            let j = echo_service(401);
            Backends {
                xray_url: xray.url(),
                jira_url: j.url(),
                keep: vec![j],
                healthy_xray: Some(xray),
            }
        }
        Failure::Refused => Backends {
            xray_url: refused_url(),
            jira_url: refused_url(),
            keep: vec![],
            healthy_xray: None,
        },
    }
}

fn configure(cmd: &mut std::process::Command, creds: Creds4, b: &Backends) {
    cmd.env("XRAY_PROJECT", PROJECT)
        .env("JIRA_BUG_PROJECT", BUG_PROJECT)
        .env("XRAY_URL", &b.xray_url)
        .env("JIRA_URL", &b.jira_url)
        // Never a real Atlassian host, whatever the credential kind.
        .env("ATLASSIAN_AUTH_URL", &b.jira_url)
        .env("ATLASSIAN_API_URL", &b.jira_url);
    match creds {
        Creds4::CloudToken | Creds4::CloudOAuth => {
            cmd.env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
                .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET);
        }
        Creds4::DcPat | Creds4::DcBasic => {
            cmd.env("XRAY_DEPLOYMENT", "dc");
        }
    }
    match creds {
        Creds4::CloudToken => {
            cmd.env("JIRA_EMAIL", EMAIL)
                .env("JIRA_API_TOKEN", API_TOKEN);
        }
        Creds4::CloudOAuth => {
            cmd.env("JIRA_CLIENT_ID", CLIENT_ID)
                .env("JIRA_CLIENT_SECRET", CLIENT_SECRET);
        }
        Creds4::DcPat => {
            cmd.env("JIRA_PAT", PAT);
        }
        Creds4::DcBasic => {
            cmd.env("JIRA_USERNAME", DC_USER)
                .env("JIRA_PASSWORD", PASSWORD);
        }
    }
}

/// The secrets this credential kind sends (so the servers can echo them).
fn sent_secrets(creds: Creds4) -> Vec<String> {
    match creds {
        Creds4::CloudToken => vec![XRAY_CLIENT_SECRET.into(), basic(EMAIL, API_TOKEN)],
        Creds4::CloudOAuth => vec![XRAY_CLIENT_SECRET.into(), CLIENT_SECRET.into()],
        Creds4::DcPat => vec![PAT.into()],
        Creds4::DcBasic => vec![basic(DC_USER, PASSWORD)],
    }
}

fn check(creds: Creds4, failure: Failure) {
    let b = backends(creds, failure);
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &failures(2));
    let mut cmd = s.bin();
    configure(&mut cmd, creds, &b);
    if matches!(failure, Failure::XrayServerError) {
        cmd.env("XRAY_SYNC_MAX_ATTEMPTS", "2");
    }
    cmd.args([
        "run",
        "--report",
        "report.json",
        "--summary-md",
        "summary.md",
        "results",
    ]);
    let out = run(&mut cmd);
    let what = format!("{creds:?} / {failure:?}");
    assert_eq!(out.code, Some(4), "{what}: {}", out.text());

    // The servers really did get (and so could echo) the credentials.
    if !matches!(failure, Failure::Refused) {
        let seen: String = b
            .keep
            .iter()
            .flat_map(Fake::requests)
            .chain(b.healthy_xray.iter().flat_map(|x| x.server.requests()))
            .map(|r| format!("{:?} {}", r.headers, r.body_str()))
            .collect();
        let expected: Vec<String> = match failure {
            // Only Jira's credential reaches an echoing server.
            Failure::JiraUnauthorized => sent_secrets(creds)
                .into_iter()
                .filter(|s| s != XRAY_CLIENT_SECRET)
                .collect(),
            Failure::Unauthorized | Failure::XrayServerError | Failure::Refused => {
                sent_secrets(creds)
            }
        };
        for secret in expected {
            assert!(seen.contains(&secret), "{what}: {secret} was never sent");
        }
        // The echoed error text reached the user, scrubbed rather than dropped.
        assert!(out.text().contains("***"), "{what}: {}", out.text());
    }
    if matches!(failure, Failure::XrayServerError) {
        let imports = b.keep[0]
            .requests()
            .iter()
            .filter(|r| r.path().contains("/import/execution"))
            .count();
        assert_eq!(
            imports, 2,
            "{what}: one retry after the 429, none after the 500"
        );
    }
    if matches!(failure, Failure::XrayServerError | Failure::Refused) {
        assert!(
            !s.files_under("spool").is_empty(),
            "{what}: results were not spooled"
        );
    }

    let mut texts = vec![
        (format!("{what}: stdout"), out.stdout.clone()),
        (format!("{what}: stderr"), out.stderr.clone()),
        (format!("{what}: report"), s.read("report.json")),
        (format!("{what}: summary-md"), s.read("summary.md")),
    ];
    assert!(!texts[2].1.is_empty() && !texts[3].1.is_empty(), "{what}");
    for (p, t) in s.files_under("spool") {
        texts.push((format!("{what}: {}", p.display()), t));
    }
    let mut secrets = all_secrets();
    secrets.extend([XRAY_BEARER.to_string(), OAUTH_BEARER.to_string()]);
    if let Some(x) = &b.healthy_xray {
        secrets.extend(x.tokens_issued());
    }
    assert_no_secrets(&texts, &secrets);
}

fn all_failures(creds: Creds4) {
    for failure in [
        Failure::Unauthorized,
        Failure::XrayServerError,
        Failure::JiraUnauthorized,
        Failure::Refused,
    ] {
        check(creds, failure);
    }
}

#[test]
fn cloud_api_token_never_leaks() {
    all_failures(Creds4::CloudToken);
}

#[test]
fn cloud_oauth_client_secret_never_leaks() {
    all_failures(Creds4::CloudOAuth);
}

#[test]
fn dc_pat_never_leaks() {
    all_failures(Creds4::DcPat);
}

#[test]
fn dc_password_never_leaks() {
    all_failures(Creds4::DcBasic);
}

/// A server whose 401 message is long enough to be cut for display, with `secret` placed
/// across the cut: the first characters of the secret fall before it.
fn straddling_fake(secret: String) -> Fake {
    Fake::serve(move |_req: &Request| {
        // The displayed detail keeps 500 characters; the secret starts 10 before the end.
        let message = format!("{} {secret} and more text after it", "x".repeat(489));
        Reply::json(
            401,
            serde_json::json!({ "errorMessages": [message] }).to_string(),
        )
    })
}

/// Error text is shortened before it is shown; a secret cut in two by that must not leave its
/// first characters behind (a full-value replace cannot find half a secret).
#[test]
fn a_secret_cut_by_truncation_leaves_no_prefix() {
    for creds in [
        Creds4::CloudToken,
        Creds4::CloudOAuth,
        Creds4::DcPat,
        Creds4::DcBasic,
    ] {
        let sent = sent_secrets(creds);
        let (xray_secret, jira_secret) = match creds {
            Creds4::CloudToken => (XRAY_CLIENT_SECRET.to_string(), API_TOKEN.to_string()),
            Creds4::CloudOAuth => (XRAY_CLIENT_SECRET.to_string(), CLIENT_SECRET.to_string()),
            Creds4::DcPat => (PAT.to_string(), PAT.to_string()),
            Creds4::DcBasic => (PASSWORD.to_string(), basic(DC_USER, PASSWORD)),
        };
        let x = straddling_fake(xray_secret);
        let j = straddling_fake(jira_secret);
        let b = Backends {
            xray_url: x.url(),
            jira_url: j.url(),
            keep: vec![x, j],
            healthy_xray: None,
        };
        let s = Scratch::new();
        s.junit("TEST-calc.xml", "CalcTest", 1, &failures(1));
        let mut cmd = s.bin();
        configure(&mut cmd, creds, &b);
        cmd.args(["run", "--report", "report.json", "results"]);
        let out = run(&mut cmd);
        let what = format!("{creds:?}");
        assert_eq!(out.code, Some(4), "{what}: {}", out.text());
        assert!(
            out.text().contains("xxxxxxxx"),
            "{what}: the message was shown"
        );
        let mut texts = vec![
            (format!("{what}: stdout"), out.stdout.clone()),
            (format!("{what}: stderr"), out.stderr.clone()),
            (format!("{what}: report"), s.read("report.json")),
        ];
        for (p, t) in s.files_under("spool") {
            texts.push((format!("{what}: {}", p.display()), t));
        }
        let mut prefixes: Vec<String> = all_secrets()
            .iter()
            .chain(&sent)
            .map(|v| v.chars().take(8).collect())
            .collect();
        prefixes.dedup();
        assert_no_secrets(&texts, &prefixes);
    }
}
