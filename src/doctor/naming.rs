//! How doctor's fix lines name settings: every setting in all its spellings (environment
//! variable, flag, config file key), and only settings the user set or needs.
//!
//! The checks write fixes with environment variable names (short and greppable); this pass,
//! run once over the finished report, adds the other spellings after the first mention of each
//! and replaces a default the user never set with the setting it comes from (bugs go to the
//! Xray project unless `JIRA_BUG_PROJECT` is set, so a wrong project is fixed in
//! `XRAY_PROJECT`).

use super::report::{DoctorReport, Status};
use crate::cli::env;

/// Env var → (flag, config file key). Secrets have no file key: they are never read from a file.
pub const SPELLINGS: &[(&str, &str, Option<&str>)] = &[
    (env::XRAY_URL, "--xray-url", Some("[xray] url")),
    (
        env::XRAY_CLIENT_ID,
        "--xray-client-id",
        Some("[xray] client_id"),
    ),
    (env::XRAY_CLIENT_SECRET, "--xray-client-secret", None),
    (
        env::XRAY_DEPLOYMENT,
        "--xray-deployment",
        Some("[xray] deployment"),
    ),
    (env::XRAY_PROJECT, "--project", Some("[xray] project")),
    (env::XRAY_TEST_PLAN, "--test-plan", Some("[xray] test_plan")),
    (
        env::XRAY_ENVIRONMENTS,
        "--environments",
        Some("[xray] environments"),
    ),
    (env::JIRA_URL, "--jira-url", Some("[jira] url")),
    (env::JIRA_EMAIL, "--jira-email", Some("[jira] email")),
    (env::JIRA_API_TOKEN, "--jira-api-token", None),
    (env::JIRA_PAT, "--jira-pat", None),
    (
        env::JIRA_USERNAME,
        "--jira-username",
        Some("[jira] username"),
    ),
    (env::JIRA_PASSWORD, "--jira-password", None),
    (
        env::JIRA_CLIENT_ID,
        "--jira-client-id",
        Some("[jira] client_id"),
    ),
    (env::JIRA_CLIENT_SECRET, "--jira-client-secret", None),
    (
        env::JIRA_BUG_PROJECT,
        "--bug-project",
        Some("[jira] project"),
    ),
    (
        env::JIRA_BUG_ISSUE_TYPE,
        "--bug-issue-type",
        Some("[jira] issue_type"),
    ),
    (env::XRAY_SYNC_CA_CERT, "--ca-cert", Some("[http] ca_cert")),
    (env::XRAY_SYNC_STRICT, "--strict", Some("[inputs] strict")),
    (
        env::XRAY_SYNC_ALLOW_BAD_FILES,
        "--allow-bad-files",
        Some("[inputs] allow_bad_files"),
    ),
    (
        env::XRAY_SYNC_RESULTS,
        "PATTERN...",
        Some("[inputs] results"),
    ),
];

/// "XRAY_URL (--xray-url, [xray] url)".
pub fn spelled(var: &str) -> String {
    match SPELLINGS.iter().find(|(v, _, _)| *v == var) {
        Some((v, flag, Some(key))) => format!("{v} ({flag}, {key})"),
        Some((v, flag, None)) => format!("{v} ({flag})"),
        None => var.to_string(),
    }
}

/// Rewrites every fix in the report; see the module doc.
pub fn name_settings(report: &mut DoctorReport, given: &[String]) {
    let has = |v: &str| given.iter().any(|g| g == v);
    for check in &mut report.checks {
        if let Status::Fail { fix, .. } | Status::Warn { fix, .. } = &mut check.status {
            if !has(env::JIRA_BUG_PROJECT) && contains_var(fix, env::JIRA_BUG_PROJECT) {
                *fix = replace_var(fix, env::JIRA_BUG_PROJECT, env::XRAY_PROJECT);
            }
            *fix = expand(fix);
        }
    }
}

fn is_var_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
}

/// Byte offsets where `var` appears as a whole name.
fn occurrences(text: &str, var: &str) -> Vec<usize> {
    text.match_indices(var)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + var.len()..].chars().next();
            !before.is_some_and(is_var_char) && !after.is_some_and(is_var_char)
        })
        .map(|(at, _)| at)
        .collect()
}

fn contains_var(text: &str, var: &str) -> bool {
    !occurrences(text, var).is_empty()
}

fn replace_var(text: &str, var: &str, with: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for at in occurrences(text, var) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + var.len();
    }
    out.push_str(&text[last..]);
    out
}

/// The first mention of each known variable gets its other spellings, unless it is written as
/// an assignment (`XRAY_DEPLOYMENT=dc`), which reads better left alone.
fn expand(text: &str) -> String {
    let mut firsts: Vec<(usize, &str)> = SPELLINGS
        .iter()
        .filter_map(|(var, _, _)| {
            occurrences(text, var)
                .into_iter()
                .find(|at| !text[at + var.len()..].starts_with('='))
                .map(|at| (at, *var))
        })
        .collect();
    firsts.sort_unstable();
    let mut out = String::new();
    let mut last = 0;
    for (at, var) in firsts {
        out.push_str(&text[last..at]);
        out.push_str(&spelled(var));
        last = at + var.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each spelling's flag is the flag clap gives that variable (`doctor` or `run`).
    #[test]
    fn spellings_match_the_flags() {
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let run = cli.find_subcommand("run").unwrap();
        for (var, flag, _) in SPELLINGS {
            let arg = run
                .get_arguments()
                .find(|a| a.get_env().is_some_and(|e| e == *var))
                .unwrap_or_else(|| panic!("{var} is no run flag's variable"));
            match arg.get_long() {
                Some(long) => assert_eq!(format!("--{long}"), *flag, "{var}"),
                None => assert_eq!(*flag, "PATTERN...", "{var}"),
            }
        }
    }
    use crate::doctor::report::{Check, ids};
    use crate::error::ErrorKind;

    #[test]
    fn fixes_get_every_spelling_once_and_assignments_stay() {
        assert_eq!(
            expand("set XRAY_CLIENT_ID and XRAY_CLIENT_SECRET; XRAY_CLIENT_ID again"),
            "set XRAY_CLIENT_ID (--xray-client-id, [xray] client_id) and XRAY_CLIENT_SECRET (--xray-client-secret); XRAY_CLIENT_ID again"
        );
        assert_eq!(
            expand("set XRAY_DEPLOYMENT=dc"),
            "set XRAY_DEPLOYMENT=dc",
            "assignment left alone"
        );
        assert_eq!(expand("MY_JIRA_URL_X"), "MY_JIRA_URL_X", "whole names only");
    }

    #[test]
    fn a_bug_project_never_set_is_fixed_in_the_xray_project() {
        let mut report = DoctorReport {
            checks: vec![Check::fail(
                ids::JIRA_PROJECT,
                ErrorKind::NotFound,
                "project CALX not found",
                "check JIRA_BUG_PROJECT (keys are case-sensitive)",
            )],
            test_issue: None,
        };
        name_settings(&mut report, &[]);
        let fix = report.checks[0].fix().unwrap().to_string();
        assert!(
            fix.starts_with("check XRAY_PROJECT (--project, [xray] project)"),
            "{fix}"
        );
        assert!(!fix.contains("JIRA_BUG_PROJECT"), "{fix}");

        let mut given = report.clone();
        given.checks[0] = Check::fail(
            ids::JIRA_PROJECT,
            ErrorKind::NotFound,
            "m",
            "check JIRA_BUG_PROJECT",
        );
        name_settings(&mut given, &["JIRA_BUG_PROJECT".into()]);
        assert_eq!(
            given.checks[0].fix(),
            Some("check JIRA_BUG_PROJECT (--bug-project, [jira] project)")
        );
    }
}
