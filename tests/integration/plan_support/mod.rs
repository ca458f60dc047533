//! Builders for the planner's tests: `TestRun`s and `Settings` constructed in code, so planner
//! tests never depend on ingest or on the process environment.
#![allow(dead_code)] // each test file uses a different subset

use std::path::Path;

use time::OffsetDateTime;
use time::macros::datetime;
use xray_sync::ci::CiContext;
use xray_sync::cli::{Deployment, InputArgs, SettingsArgs};
use xray_sync::model::{
    Attempt, Failure, Format, Label, Outcome, Property, SourceRef, TestCase, TestRun,
};
use xray_sync::secret::Secret;
use xray_sync::settings::{self, FileConfig, MappingEntry, Settings, Trace};

pub const T0: OffsetDateTime = datetime!(2024-05-01 10:00:00 UTC);

pub fn no_input() -> InputArgs {
    InputArgs {
        patterns: vec![],
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    }
}

/// Xray Cloud + Jira Cloud, project CALC.
pub fn cloud_args() -> SettingsArgs {
    SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_client_id: Some("client-id".into()),
            xray_client_secret: Some(Secret::from("xray-secret-value")),
            project: Some("CALC".into()),
            jira_url: Some("https://acme.atlassian.net".into()),
            jira_email: Some("ci@acme.test".into()),
            jira_api_token: Some(Secret::from("jira-token-value")),
            ..Default::default()
        },
        ..SettingsArgs::default()
    }
}

/// Xray DC + Jira DC with one PAT, project CALC.
pub fn dc_args() -> SettingsArgs {
    SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_deployment: Some(Deployment::Dc),
            jira_url: Some("https://jira.acme.test/".into()),
            jira_pat: Some(Secret::from("pat-value-123")),
            project: Some("CALC".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    }
}

pub fn resolve_full(
    args: &SettingsArgs,
    toml: &str,
    table: Vec<MappingEntry>,
    dry_run: bool,
    ci: CiContext,
) -> Result<Settings, settings::SettingsError> {
    let file = FileConfig::parse(toml, Path::new("xray-sync.toml"))
        .map_err(settings::SettingsError::Invalid)?;
    let mut trace = Trace::default();
    settings::resolve(
        args,
        &no_input(),
        dry_run,
        &file,
        table,
        ci,
        ".".into(),
        &mut trace,
    )
}

pub fn settings_with(args: &SettingsArgs, toml: &str) -> Settings {
    resolve_full(args, toml, vec![], false, CiContext::default()).expect("valid settings")
}

pub fn cloud() -> Settings {
    settings_with(&cloud_args(), "")
}

pub fn dc() -> Settings {
    settings_with(&dc_args(), "")
}

fn attempt(outcome: Outcome, start: Option<OffsetDateTime>, secs: Option<f64>) -> Attempt {
    Attempt {
        outcome,
        duration_secs: secs,
        started_at: start,
        system_out: None,
        system_err: None,
        source: SourceRef {
            path: std::path::Path::new("results/TEST-calc.xml").into(),
            format: Format::Junit,
            line: Some(3),
        },
    }
}

pub fn failure(message: &str) -> Failure {
    Failure {
        message: Some(message.into()),
        kind: Some("AssertionError".into()),
        details: Some(format!("{message}\n\tat com.acme.Calc.add(Calc.java:10)").into()),
    }
}

pub fn case(class: &str, name: &str, outcome: Outcome) -> TestCase {
    TestCase::new(
        vec!["suite".into()],
        Some(class.into()),
        name.into(),
        attempt(outcome, Some(T0), Some(1.5)),
    )
}

pub fn passed(class: &str, name: &str) -> TestCase {
    case(class, name, Outcome::Passed)
}

pub fn failed(class: &str, name: &str, message: &str) -> TestCase {
    case(class, name, Outcome::Failed(failure(message).into()))
}

pub fn errored(class: &str, name: &str, message: &str) -> TestCase {
    case(class, name, Outcome::Error(failure(message).into()))
}

pub fn skipped(class: &str, name: &str) -> TestCase {
    case(
        class,
        name,
        Outcome::Skipped {
            message: Some("not on this platform".into()),
        },
    )
}

/// Failed once, then passed.
pub fn flaky(class: &str, name: &str) -> TestCase {
    let mut c = failed(class, name, "timeout");
    c.absorb(TestCase::new(
        vec!["suite".into()],
        Some(class.into()),
        name.into(),
        attempt(
            Outcome::Passed,
            Some(T0 + time::Duration::seconds(5)),
            Some(1.0),
        ),
    ));
    c
}

pub fn with_property(mut c: TestCase, name: &str, value: &str) -> TestCase {
    c.extras_mut().properties.push(Property {
        name: name.into(),
        value: value.into(),
        items: vec![],
    });
    c
}

pub fn with_key(c: TestCase, key: &str) -> TestCase {
    with_property(c, "test_key", key)
}

pub fn with_tag(mut c: TestCase, tag: &str) -> TestCase {
    c.extras_mut().labels.push(Label {
        name: "tag".into(),
        value: tag.into(),
    });
    c
}

pub fn run_of(cases: Vec<TestCase>) -> TestRun {
    TestRun {
        cases,
        files: vec![],
    }
}

/// A run with one of each outcome: mapped pass, unmapped fail, error, skip, flaky.
pub fn mixed_run() -> TestRun {
    run_of(vec![
        with_key(passed("com.acme.CalcTest", "adds"), "CALC-101"),
        failed("com.acme.CalcTest", "divides", "expected 2 but was 3"),
        errored("com.acme.CalcTest", "parses", "NullPointerException"),
        skipped("com.acme.CalcTest", "windows_only"),
        flaky("com.acme.CalcTest", "slow"),
    ])
}
