//! Xray depth (issue 13), end to end with the real binary against the fakes: Test Execution
//! fields on a project whose Test Execution requires a custom select field (Cloud and DC),
//! and the doctor check that finds a missing one first.

use crate::support;

use serde_json::json;
use support::e2e::*;
use support::execution_screen::RequiredSelect;
use support::jira_fake::{self, JiraFake};
use support::xray_fake::XrayFake;

/// Xray Cloud and Jira Cloud whose Test Execution requires "Environment type".
fn cloud_requiring_select() -> (XrayFake, JiraFake) {
    let xray = xray_cloud();
    xray.require_execution_select(RequiredSelect::environment_type());
    let mut config = jira_fake::build::cloud_basic().0;
    config.execution_select = Some(RequiredSelect::environment_type());
    (xray, JiraFake::start(config))
}

fn dc_requiring_select() -> XrayFake {
    let xray = xray_dc_pat();
    xray.require_execution_select(RequiredSelect::environment_type());
    xray
}

fn cloud_cmd(s: &Scratch, xray: &XrayFake, jira: &JiraFake) -> std::process::Command {
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    jira_cloud_env(&mut cmd, &jira.url());
    cmd
}

fn dc_cmd(s: &Scratch, xray: &XrayFake) -> std::process::Command {
    let mut cmd = s.bin();
    cmd.env("XRAY_DEPLOYMENT", "dc")
        .env("XRAY_URL", xray.url())
        .env("JIRA_PAT", PAT)
        .env("XRAY_PROJECT", PROJECT);
    cmd
}

#[test]
fn cloud_run_fills_a_required_select_by_field_name() {
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 3, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly", "components": ["api"]}"#,
    )
    .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(
        exec.fields["customfield_10100"],
        json!({"value": "nightly"})
    );
    assert_eq!(exec.fields["components"], json!([{"name": "api"}]));
    assert_eq!(exec.runs.len(), 3);
    // Summary template and the run marker label still apply.
    assert!(!exec.summary.is_empty());
    assert!(
        exec.labels.iter().any(|l| l.starts_with("xray-sync-run-")),
        "{:?}",
        exec.labels
    );
}

#[test]
fn dc_run_fills_a_required_select_from_the_config_table() {
    let xray = dc_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 2, &[]);
    std::fs::write(
        s.path("xray-sync.toml"),
        "[xray.execution_fields]\n\"Environment type\" = \"release\"\n",
    )
    .unwrap();
    let mut cmd = dc_cmd(&s, &xray);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let exec = xray.only_execution();
    assert_eq!(
        exec.fields["customfield_10100"],
        json!({"value": "release"})
    );
    assert_eq!(exec.runs.len(), 2);
}

#[test]
fn a_missing_required_select_fails_clearly_on_both_products() {
    // Without any execution fields the create is refused by Jira behind Xray, and the run
    // says which field.
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("customfield_10100: Environment type is required"),
        "{}",
        out.text()
    );
    assert!(xray.executions().is_empty());

    // With other fields given, the create screen is read first and nothing is sent.
    let xray = dc_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = dc_cmd(&s, &xray);
    cmd.env("XRAY_EXECUTION_FIELDS", r#"{"components": ["api"]}"#)
        .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text().contains(
            "the Test Execution requires field 'Environment type' (customfield_10100) and it has no default"
        ),
        "{}",
        out.text()
    );
    assert!(xray.import_requests().is_empty(), "nothing sent");
}

#[test]
fn a_field_the_screen_does_not_have_is_refused_before_sending() {
    let (xray, jira) = cloud_requiring_select();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 1, &[]);
    let mut cmd = cloud_cmd(&s, &xray, &jira);
    cmd.env(
        "XRAY_EXECUTION_FIELDS",
        r#"{"Environment type": "nightly", "Sprint goal": "x"}"#,
    )
    .args(["run", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("field 'Sprint goal' (XRAY_EXECUTION_FIELDS"),
        "{}",
        out.text()
    );
    assert!(xray.import_requests().is_empty());
}

mod doctor {
    use super::*;
    use support::doctor_fake::{self as df, DoctorFake, Faults};

    fn doctor(mode: df::Mode, select: bool, fields: Option<&str>) -> Out {
        let fake = DoctorFake::start(
            mode,
            Faults {
                execution_select: select,
                ..Faults::default()
            },
        );
        let s = Scratch::new();
        let mut cmd = s.bin();
        match mode {
            df::Mode::Cloud => {
                cmd.env("XRAY_URL", fake.url())
                    .env("XRAY_CLIENT_ID", df::XRAY_CLIENT_ID)
                    .env("XRAY_CLIENT_SECRET", df::XRAY_CLIENT_SECRET)
                    .env("JIRA_URL", fake.url())
                    .env("JIRA_EMAIL", df::JIRA_EMAIL)
                    .env("JIRA_API_TOKEN", df::JIRA_TOKEN)
                    .env("ATLASSIAN_AUTH_URL", fake.url())
                    .env("ATLASSIAN_API_URL", fake.url());
            }
            df::Mode::Dc => {
                cmd.env("XRAY_DEPLOYMENT", "dc")
                    .env("XRAY_URL", fake.url())
                    .env("JIRA_PAT", df::DC_PAT);
            }
        }
        cmd.env("XRAY_PROJECT", "CALC")
            .env("JIRA_BUG_PROJECT", "CALC")
            .arg("doctor");
        if let Some(f) = fields {
            cmd.env("XRAY_EXECUTION_FIELDS", f);
        }
        run(&mut cmd)
    }

    fn line<'a>(out: &'a Out, id: &str) -> &'a str {
        out.stdout
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no {id} line:\n{}", out.text()))
    }

    #[test]
    fn doctor_fails_on_a_required_field_without_value_and_passes_once_given() {
        for mode in [df::Mode::Cloud, df::Mode::Dc] {
            let out = doctor(mode, true, None);
            let l = line(&out, "xray.execution-fields");
            assert!(l.starts_with("FAIL"), "{mode:?}: {}", out.text());
            assert!(
                l.contains("'Environment type' (customfield_10100)"),
                "{mode:?}: {l}"
            );
            assert_ne!(out.code, Some(0));

            let out = doctor(mode, true, Some(r#"{"customfield_10100": "nightly"}"#));
            let l = line(&out, "xray.execution-fields");
            assert!(l.starts_with("PASS"), "{mode:?}: {}", out.text());

            let out = doctor(mode, false, Some(r#"{"Sprint goal": "x"}"#));
            let l = line(&out, "xray.execution-fields");
            assert!(
                l.starts_with("FAIL") && l.contains("'Sprint goal'"),
                "{mode:?}: {}",
                out.text()
            );
        }
    }
}
