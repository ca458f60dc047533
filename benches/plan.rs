//! Times `plan::build` (and the `--plan-json` serialization) on a constructed run of N tests,
//! without ingest. Run: `cargo bench --bench plan` (200,000 tests), or `cargo bench --bench plan -- N`.
//! A tenth of the tests fail, a tenth are mapped by `test_key`, some share keys (iterations).

use std::time::Instant;

use time::macros::datetime;
use xray_sync::ci::CiContext;
use xray_sync::cli::{InputArgs, SettingsArgs};
use xray_sync::model::{Attempt, Failure, Format, Outcome, Property, SourceRef, TestCase, TestRun};
use xray_sync::plan;
use xray_sync::secret::Secret;
use xray_sync::settings::{self, FileConfig, Trace};

fn main() {
    // `cargo bench` passes `--bench`; the first number given is the test count.
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let t0 = datetime!(2024-05-01 10:00:00 UTC);
    let cases: Vec<TestCase> = (0..n)
        .map(|i| {
            let outcome = if i % 10 == 3 {
                Outcome::Failed(
                    Failure {
                        message: Some(format!("expected {i} but was {}", i + 1).into()),
                        kind: Some("AssertionError".into()),
                        details: Some("at com.acme.Calc.add(Calc.java:10)\n".repeat(20).into()),
                    }
                    .into(),
                )
            } else {
                Outcome::Passed
            };
            let mut c = TestCase::new(
                vec!["suite".into()],
                Some(format!("com.acme.pkg{}.Class{}", i % 97, i % 1013)),
                format!("test_{i}"),
                Attempt {
                    outcome,
                    duration_secs: Some(0.01),
                    started_at: Some(t0 + time::Duration::milliseconds(i as i64)),
                    system_out: None,
                    system_err: None,
                    source: SourceRef {
                        path: std::path::Path::new("results/TEST-big.xml").into(),
                        format: Format::Junit,
                        line: Some(i as u64),
                    },
                },
            );
            if i % 10 == 0 {
                c.extras_mut().properties.push(Property {
                    name: "test_key".into(),
                    value: format!("CALC-{}", 1 + i / 20),
                    items: vec![],
                });
            }
            c
        })
        .collect();
    let run = TestRun {
        cases,
        files: vec![],
    };
    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_client_id: Some("id".into()),
            xray_client_secret: Some(Secret::from("secret")),
            project: Some("CALC".into()),
            jira_url: Some("https://acme.atlassian.net".into()),
            jira_email: Some("ci@acme.test".into()),
            jira_api_token: Some(Secret::from("token")),
            ..Default::default()
        },
        bugs: xray_sync::cli::BugArgs {
            mass_failure_threshold: Some(0),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    let input = InputArgs {
        patterns: vec![],
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    };
    let mut trace = Trace::default();
    let s = settings::resolve(
        &args,
        &input,
        true,
        &FileConfig::default(),
        vec![],
        CiContext::default(),
        ".".into(),
        &mut trace,
    )
    .expect("settings");

    let start = Instant::now();
    let p = plan::build(&run, &s).expect("plan");
    let built = start.elapsed();
    let mut out = Vec::new();
    plan::json::write_plan_json(&p, &run, &s, &mut out).expect("json");
    let total = start.elapsed();
    println!(
        "{n} tests: plan::build {:.3}s, + plan JSON ({:.1} MB) {:.3}s; {} chunk(s), {} bug intent(s)",
        built.as_secs_f64(),
        out.len() as f64 / 1e6,
        total.as_secs_f64(),
        p.xray.as_ref().map_or(0, |x| x.chunks.len()),
        p.jira.as_ref().map_or(0, |j| j.intents.len()),
    );
}
