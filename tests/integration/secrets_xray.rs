//! The client secret, tokens, PAT and password never appear in what xray-sync writes or shows:
//! the receipt, the JSON report, the spool files and the progress lines, under every failure
//! mode of the upload (servers here echo credentials back in their error bodies on purpose).

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use support::fake::Reply;
use support::xray_fake::{Action, On, XrayFake};
use support::xray_plans::*;
use xray_sync::model::Counts;
use xray_sync::report::json::Report;
use xray_sync::secret::Secret;
use xray_sync::settings::{DcAuth, Product, XrayAuth, XraySettings};
use xray_sync::xray::upload;

const WRONG_SECRET: &str = "CLIENTSECRET-wrong-7777";
const WRONG_PAT: &str = "PATSECRET-wrong-8888";
const WRONG_PASSWORD: &str = "PASSWORDSECRET-wrong-9999";

struct Scenario {
    name: &'static str,
    product: Product,
    basic: bool,
    setup: fn(&XrayFake),
    adjust: fn(&mut XraySettings),
    import_timeout: Duration,
}

fn none(_: &XrayFake) {}
fn keep(_: &mut XraySettings) {}

fn scenarios() -> Vec<Scenario> {
    let s = Duration::from_secs(5);
    let sc = |name, product, basic, setup, adjust| Scenario {
        name,
        product,
        basic,
        setup,
        adjust,
        import_timeout: s,
    };
    vec![
        sc("cloud ok", Product::Cloud, false, none, keep),
        sc(
            "cloud 429",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/import/execution/multipart".into(), 1),
                    Action::Reply(Reply::json(429, "{}").header("Retry-After", "1")),
                )
            },
            keep,
        ),
        sc(
            "cloud 429 no header",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/import/execution".into(), 1),
                    Action::Reply(Reply::json(429, "{}")),
                )
            },
            keep,
        ),
        sc(
            "cloud 503 twice",
            Product::Cloud,
            false,
            |f| {
                for n in 1..=2 {
                    f.fault(
                        On::Path("/api/v2/import/execution/multipart".into(), n),
                        Action::Reply(Reply::json(503, "{}")),
                    );
                }
            },
            keep,
        ),
        sc(
            "cloud reset",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/import/execution/multipart".into(), 1),
                    Action::Reply(Reply::Reset),
                )
            },
            keep,
        ),
        sc(
            "cloud applied reset",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/import/execution/multipart".into(), 1),
                    Action::ApplyThenReset,
                )
            },
            keep,
        ),
        sc(
            "cloud token expiry",
            Product::Cloud,
            false,
            |f| f.expire_token_after(2),
            keep,
        ),
        sc(
            "cloud 400",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/import/execution".into(), 1),
                    Action::Reply(Reply::json(
                        400,
                        r#"{"error":"Test with key CALC-9 not found"}"#,
                    )),
                )
            },
            keep,
        ),
        sc(
            "cloud reauth refused, secret echoed",
            Product::Cloud,
            false,
            |f| {
                f.expire_token_after(1);
                f.fault(
                    On::Path("/api/v2/authenticate".into(), 2),
                    Action::Reply(Reply::json(
                        401,
                        format!(r#"{{"error":"bad client_secret {CLIENT_SECRET}"}}"#),
                    )),
                );
            },
            keep,
        ),
        sc(
            "cloud wrong secret echoed",
            Product::Cloud,
            false,
            |f| {
                f.fault(
                    On::Path("/api/v2/authenticate".into(), 1),
                    Action::Reply(Reply::json(
                        401,
                        format!(r#"{{"error":"bad client_secret {WRONG_SECRET}"}}"#),
                    )),
                )
            },
            |s| {
                s.auth = XrayAuth::Cloud {
                    client_id: CLIENT_ID.into(),
                    client_secret: Secret::from(WRONG_SECRET),
                }
            },
        ),
        sc("dc ok", Product::Dc, false, none, keep),
        sc(
            "dc 503 append",
            Product::Dc,
            false,
            |f| {
                f.fault(
                    On::Path("/rest/raven/2.0/import/execution".into(), 1),
                    Action::Reply(Reply::json(503, "{}")),
                )
            },
            keep,
        ),
        sc(
            "dc applied reset",
            Product::Dc,
            false,
            |f| {
                f.fault(
                    On::Path("/rest/raven/2.0/import/execution/multipart".into(), 1),
                    Action::ApplyThenReset,
                )
            },
            keep,
        ),
        sc(
            "dc 400",
            Product::Dc,
            true,
            |f| {
                f.fault(
                    On::Path("/rest/raven/2.0/import/execution/multipart".into(), 1),
                    Action::Reply(Reply::json(400, r#"{"error":"fixVersions: fixVersions"}"#)),
                )
            },
            keep,
        ),
        sc("dc wrong pat echoed", Product::Dc, false, none, |s| {
            s.auth = XrayAuth::Dc(DcAuth::Pat(Secret::from(WRONG_PAT)))
        }),
        sc("dc wrong password echoed", Product::Dc, true, none, |s| {
            s.auth = XrayAuth::Dc(DcAuth::Basic {
                username: USER.into(),
                password: Secret::from(WRONG_PASSWORD),
            })
        }),
        Scenario {
            name: "cloud create timed out",
            product: Product::Cloud,
            basic: false,
            setup: |f| {
                f.fault(
                    On::Path("/api/v2/import/execution/multipart".into(), 1),
                    Action::ApplyThenDelay(Duration::from_millis(1000)),
                )
            },
            adjust: keep,
            import_timeout: Duration::from_millis(300),
        },
        Scenario {
            name: "dc create timed out",
            product: Product::Dc,
            basic: true,
            setup: |f| {
                f.fault(
                    On::Path("/rest/raven/2.0/import/execution/multipart".into(), 1),
                    Action::ApplyThenDelay(Duration::from_millis(1000)),
                )
            },
            adjust: keep,
            import_timeout: Duration::from_millis(300),
        },
    ]
}

fn files_under(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned();
            out.push((p.display().to_string(), text));
        }
    }
}

#[test]
fn no_secret_appears_in_receipt_report_spool_or_progress() {
    let mut failures_seen = 0;
    for sc in scenarios() {
        let fake = match (sc.product, sc.basic) {
            (Product::Cloud, _) => cloud_fake(),
            (Product::Dc, false) => dc_fake_pat(),
            (Product::Dc, true) => dc_fake_basic(),
        };
        (sc.setup)(&fake);
        let mut settings = settings(sc.product, &fake.url(), sc.basic);
        (sc.adjust)(&mut settings);
        let dir = tempfile::tempdir().unwrap();
        let out = output(dir.path());
        let (plan, tests) = plan(sc.product, 6, 2, &|_| None);
        let http = http(sc.import_timeout);
        let mut lines = Vec::new();
        let receipt = upload::run(
            &http,
            &settings,
            &out,
            &plan,
            tests.tests(),
            &support::xray_plans::synthetic(&plan, tests.tests()),
            &BTreeMap::new(),
            &mut collect(&mut lines),
        );
        if receipt.failed() {
            failures_seen += 1;
        }
        if sc.name.contains("echoed") {
            // The server did echo the credential; it must arrive scrubbed, not dropped silently.
            assert!(
                receipt.errors.iter().any(|e| e.message.contains("***")),
                "scenario {:?}: {:?}",
                sc.name,
                receipt.errors
            );
        }
        // A resend of whatever was spooled is one more place text comes from.
        if let Some(spool_dir) = &receipt.spool {
            let result = xray_sync::commands::resend::resend(
                &http,
                &settings,
                spool_dir,
                &mut collect(&mut lines),
            );
            match result {
                Ok(again) => lines.push(format!("{again:?}")),
                Err(e) => lines.push(format!("{e:#}")),
            }
        }
        let report = Report::new(Counts::default()).with_xray(receipt.clone());
        let mut texts: Vec<(String, String)> = vec![
            ("receipt debug".into(), format!("{receipt:?}")),
            ("report".into(), report.to_json()),
            ("progress".into(), lines.join("\n")),
            ("settings debug".into(), format!("{settings:?}")),
        ];
        files_under(dir.path(), &mut texts);
        let mut secrets: Vec<String> = vec![
            CLIENT_SECRET.into(),
            PAT.into(),
            PASSWORD.into(),
            WRONG_SECRET.into(),
            WRONG_PAT.into(),
            WRONG_PASSWORD.into(),
        ];
        for (user, pw) in [(USER, PASSWORD), (USER, WRONG_PASSWORD)] {
            secrets.push(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}")));
        }
        secrets.extend(fake.tokens_issued());
        for (place, text) in &texts {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "scenario {:?}: a secret leaked into {place}:\n{text}",
                    sc.name
                );
            }
        }
    }
    // The failure modes really failed (so their error text was checked too).
    assert!(failures_seen >= 5, "only {failures_seen} scenarios failed");
}
