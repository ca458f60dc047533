//! `xray-sync doctor`: checks each piece of a setup on its own and says what to fix.
//!
//! Owns the order of the checks and which check needs which: when one fails, the checks that
//! depend on it are reported as skipped ("needs xray.auth"), never as failed, so the first
//! failing line is the cause. The verdicts live in `settings_check`, `xray_checks` and
//! `jira_checks`; the probes they ask are traits (`probes`), implemented on the shared Xray and
//! Jira clients in `adapters`; `report` renders the result. Reading result files is injected
//! (the caller passes what `ingest::collect` returned), so this module does not depend on ingest.
//!
//! Order: settings, inputs, xray.auth, xray.project, xray.keys, xray.test-plan, xray.environments,
//! xray.statuses, xray.execution-fields, xray.test-sets, xray.folder, jira.server, jira.myself, jira.project, jira.permissions, jira.issue-type,
//! jira.link-types, and with `--send-test-issue` jira.test-issue.

pub mod adapters;
pub mod jira_checks;
pub mod naming;
pub mod probes;
pub mod report;
pub mod settings_check;
pub mod xray_checks;

use std::collections::BTreeMap;
use std::fmt::Display;

use crate::cli::env;
use crate::error::ErrorKind;
use crate::http::Http;
use crate::model::{FileStatus, TestRun};
use crate::secret::{Secret, scrub};
use crate::settings::{Product, Settings};

use probes::{JiraProbe, XrayProbe};
pub use report::{Check, DoctorReport, Status, ids};

/// What the `doctor` command was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Result paths or globs from the command line (empty: the configured inputs).
    pub patterns: Vec<String>,
    /// Print the report as JSON.
    pub json: bool,
    /// File one clearly labelled test issue and close it.
    pub send_test_issue: bool,
    /// Names of the credential env vars (or their flags, by env var name) that were set and
    /// non-empty, before settings were resolved. Lets the settings check name half-given and
    /// contradictory credential sets; see `settings::credentials::CREDENTIAL_SETS`. Settings given in
    /// the config file are listed by their env var name too, so fixes name only what the user
    /// set or needs (`naming`).
    pub given: Vec<String>,
    /// `--no-upload` / `XRAY_SYNC_NO_UPLOAD`: the Xray side is switched off.
    pub no_upload: bool,
    /// `--no-bugs` / `XRAY_SYNC_NO_BUGS`: the Jira side is switched off.
    pub no_bugs: bool,
}

const XRAY_CHECKS: &[&str] = &[
    ids::XRAY_AUTH,
    ids::XRAY_PROJECT,
    ids::XRAY_KEYS,
    ids::XRAY_TEST_PLAN,
    ids::XRAY_ENVIRONMENTS,
    ids::XRAY_STATUSES,
    ids::XRAY_EXECUTION_FIELDS,
    ids::XRAY_TEST_SETS,
    ids::XRAY_FOLDER,
];

const JIRA_CHECKS: &[&str] = &[
    ids::JIRA_SERVER,
    ids::JIRA_MYSELF,
    ids::JIRA_PROJECT,
    ids::JIRA_PERMISSIONS,
    ids::JIRA_ISSUE_TYPE,
    ids::JIRA_LINK_TYPES,
];

/// Runs every check over HTTP. `inputs` is what reading the result files gave
/// (`ingest::collect`), or `None` when there was nothing to read.
pub fn run<E: Display>(
    settings: &Settings,
    opts: &Options,
    inputs: Option<Result<TestRun, E>>,
) -> DoctorReport {
    let http = match Http::new(&settings.http) {
        Ok(h) => h,
        Err(e) => {
            return run_checks(settings, opts, inputs, None, None, Some(&format!("{e:#}")));
        }
    };
    let mut xray = settings.xray.as_ref().map(|x| adapters::xray(&http, x));
    let mut jira = settings.jira.as_ref().map(|j| adapters::jira(&http, j));
    run_with(
        settings,
        opts,
        inputs,
        xray.as_mut().map(|p| &mut **p as &mut dyn XrayProbe),
        jira.as_mut().map(|p| &mut **p as &mut dyn JiraProbe),
    )
}

/// Runs every check against the given probes (tests pass in-memory ones). A side whose probe
/// is `None` is skipped.
pub fn run_with<E: Display>(
    settings: &Settings,
    opts: &Options,
    inputs: Option<Result<TestRun, E>>,
    xray: Option<&mut dyn XrayProbe>,
    jira: Option<&mut dyn JiraProbe>,
) -> DoctorReport {
    run_checks(settings, opts, inputs, xray, jira, None)
}

fn run_checks<E: Display>(
    settings: &Settings,
    opts: &Options,
    inputs: Option<Result<TestRun, E>>,
    xray: Option<&mut dyn XrayProbe>,
    mut jira: Option<&mut dyn JiraProbe>,
    transport: Option<&str>,
) -> DoctorReport {
    // A dry-run resolution fills a side that was not configured with a placeholder (no URL);
    // for doctor that side is simply not configured.
    let mut stripped = settings.clone();
    if stripped.xray.as_ref().is_some_and(|x| x.is_placeholder()) {
        stripped.xray = None;
    }
    if stripped.jira.as_ref().is_some_and(|j| j.is_placeholder()) {
        stripped.jira = None;
    }
    let settings = &stripped;
    let mut report = DoctorReport::default();
    let verdict = settings_check::check(settings, &opts.given, transport);
    let settings_failed = verdict.check.failed();
    report.checks.push(verdict.check);

    let patterns = if opts.patterns.is_empty() {
        &settings.inputs.patterns
    } else {
        &opts.patterns
    };
    let mapped = inputs.as_ref().and_then(|r| r.as_ref().ok()).map(|run| {
        (
            crate::xray::keys::projects(settings),
            mapped_keys(run, settings),
        )
    });
    report.checks.push(inputs_check(patterns, inputs));

    // Xray.
    match (&settings.xray, xray) {
        (Some(x), Some(probe)) if verdict.xray_ok => {
            let jira_for_types = if x.product == Product::Cloud && verdict.jira_ok {
                jira.as_mut().map(|p| &mut **p as &mut dyn JiraProbe)
            } else {
                None
            };
            run_xray(
                x,
                probe,
                jira_for_types,
                mapped.as_ref(),
                &mut report.checks,
            );
        }
        (Some(_), _) if settings_failed => {
            skip_all(XRAY_CHECKS, "needs settings", &mut report.checks)
        }
        (Some(_), _) => skip_all(XRAY_CHECKS, "no Xray client", &mut report.checks),
        (None, _) => skip_side(XRAY_CHECKS, &xray_not_configured(opts), &mut report.checks),
    }

    // Jira.
    let mut jira_ids: Vec<&'static str> = JIRA_CHECKS.to_vec();
    if opts.send_test_issue {
        jira_ids.push(ids::JIRA_TEST_ISSUE);
    }
    match (&settings.jira, jira) {
        (Some(j), Some(probe)) if verdict.jira_ok => {
            let key = run_jira(j, probe, opts.send_test_issue, &mut report.checks);
            report.test_issue = key;
        }
        (Some(_), _) if settings_failed => {
            skip_all(&jira_ids, "needs settings", &mut report.checks)
        }
        (Some(_), _) => skip_all(&jira_ids, "no Jira client", &mut report.checks),
        (None, _) => skip_side(&jira_ids, &jira_not_configured(opts), &mut report.checks),
    }

    naming::name_settings(&mut report, &opts.given);
    // The one list of secrets (configured values and their derived forms: Basic base64,
    // GITHUB_TOKEN), the same the run masks and scrubs with.
    scrub_report(&mut report, &settings.secrets());
    report
}

/// The report when the settings could not even be resolved (a malformed project key, URL or
/// number): that is the `settings` check's failure, and every other check needs it.
pub fn unresolvable(message: &str, opts: &Options) -> DoctorReport {
    let fix = "correct the value named above (it is read from the environment variable, the flag or the config file key listed)";
    let mut report = DoctorReport::default();
    let failed = Check::fail(ids::SETTINGS, ErrorKind::BadInput, message, fix);
    report.checks.push(failed.clone());
    report.checks.push(needs(ids::INPUTS, &failed));
    let mut rest: Vec<&'static str> = XRAY_CHECKS.to_vec();
    rest.extend(JIRA_CHECKS);
    if opts.send_test_issue {
        rest.push(ids::JIRA_TEST_ISSUE);
    }
    report
        .checks
        .extend(rest.into_iter().map(|id| needs(id, &failed)));
    naming::name_settings(&mut report, &opts.given);
    report
}

/// Why the Xray checks do not run when Xray is not configured: said once, on the first line.
fn xray_not_configured(opts: &Options) -> String {
    let has = |v: &str| opts.given.iter().any(|g| g == v);
    if opts.no_upload {
        "not configured: switched off by XRAY_SYNC_NO_UPLOAD / --no-upload".into()
    } else if has(env::JIRA_PAT) || has(env::JIRA_USERNAME) {
        "not configured: Data Center credentials are set but no XRAY_URL; for Xray Data Center set XRAY_DEPLOYMENT=dc (Xray then uses JIRA_URL)".into()
    } else {
        "not configured: no Xray credentials (XRAY_CLIENT_ID and XRAY_CLIENT_SECRET for Xray Cloud; XRAY_DEPLOYMENT=dc with the Jira DC credentials for Xray Data Center)".into()
    }
}

fn jira_not_configured(opts: &Options) -> String {
    if opts.no_bugs {
        "not configured: switched off by XRAY_SYNC_NO_BUGS / --no-bugs".into()
    } else {
        "not configured: no JIRA_URL (bug filing needs JIRA_URL with JIRA_EMAIL and JIRA_API_TOKEN, an OAuth service account, or JIRA_PAT)".into()
    }
}

/// A side that is not configured: the first check says why, the rest `(not configured)`.
fn skip_side(which: &[&'static str], why: &str, out: &mut Vec<Check>) {
    for (i, id) in which.iter().enumerate() {
        out.push(Check::skipped(
            id,
            if i == 0 { why } else { "not configured" },
        ));
    }
}

fn skip_all(which: &[&'static str], reason: &str, out: &mut Vec<Check>) {
    out.extend(which.iter().map(|id| Check::skipped(id, reason)));
}

fn needs(id: &'static str, failed: &Check) -> Check {
    Check::skipped(id, format!("needs {}", failed.id))
}

/// The projects a key may be a Test of, and each Test key the results map to with its file.
type MappedKeys = (Vec<String>, Vec<(String, String)>);

/// Each Test key the results map to, with the result file it came from.
fn mapped_keys(run: &TestRun, settings: &Settings) -> Vec<(String, String)> {
    let Ok(mapper) = crate::mapping::Mapper::new(&settings.mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for case in &run.cases {
        let mapped = mapper.map(case, &mut Vec::new());
        if let crate::plan::TestIdentity::Key(k) = &mapped.identity {
            let file = case
                .attempts
                .first()
                .map(|a| a.source.path.display().to_string())
                .unwrap_or_default();
            out.push((k.to_string(), file));
        }
    }
    out
}

fn run_xray(
    x: &crate::settings::XraySettings,
    probe: &mut dyn XrayProbe,
    jira: Option<&mut dyn JiraProbe>,
    mapped: Option<&MappedKeys>,
    out: &mut Vec<Check>,
) {
    let auth = xray_checks::auth(x, probe);
    if !auth.check.passed() {
        let failed = auth.check.clone();
        out.push(auth.check);
        out.extend(XRAY_CHECKS[1..].iter().map(|id| needs(id, &failed)));
        return;
    }
    out.push(auth.check);
    let mut jira = jira;
    let (project_check, project) = xray_checks::project(x, probe, || {
        let jira = jira.as_mut()?;
        Some(
            jira.project(&x.project)
                .map(|p| probes::IssueTypeRef::standard_names(p.issue_types)),
        )
    });
    let project_failed = (!project_check.passed()).then(|| project_check.clone());
    out.push(project_check);
    match (&project_failed, mapped) {
        (Some(failed), _) => out.push(needs(ids::XRAY_KEYS, failed)),
        (None, None) => out.push(Check::skipped(
            ids::XRAY_KEYS,
            "no result files were read (pass PATTERN... to check their keys)",
        )),
        (None, Some((projects, mapped))) => out.push(xray_checks::keys(x, probe, projects, mapped)),
    }
    out.push(xray_checks::test_plan(x, probe));
    match (&project, &project_failed) {
        (Some(p), None) => out.push(xray_checks::environments(x, p)),
        (_, Some(failed)) => out.push(needs(ids::XRAY_ENVIRONMENTS, failed)),
        (None, None) => out.push(Check::skipped(
            ids::XRAY_ENVIRONMENTS,
            "project settings unavailable",
        )),
    }
    let statuses = auth.statuses.unwrap_or_else(|| probe.statuses());
    out.push(xray_checks::statuses(x, statuses));
    match &project_failed {
        Some(failed) => out.push(needs(ids::XRAY_EXECUTION_FIELDS, failed)),
        None => {
            // DC reads the screen through the Xray site; Cloud asks Jira, when configured.
            let screen = match probe.execution_screen(&x.project) {
                Ok(None) => jira.map(|j| {
                    j.issue_type(&x.project, crate::xray::exec_fields::EXECUTION_ISSUE_TYPE)
                        .map(|found| match found {
                            probes::IssueTypeLookup::Found { fields, .. } => fields,
                            probes::IssueTypeLookup::Missing { .. } => Vec::new(),
                        })
                }),
                other => other.transpose(),
            };
            match screen {
                // On Cloud the screen comes from Jira: a Jira failure is the jira.* checks'
                // to report, first and once.
                Some(Err(e)) if x.product == Product::Cloud => out.push(Check::skipped(
                    ids::XRAY_EXECUTION_FIELDS,
                    format!("the Test Execution create screen could not be read through Jira (see the jira.* checks): {e}"),
                )),
                screen => out.push(xray_checks::execution_fields(x, screen)),
            }
        }
    }
    out.push(xray_checks::test_sets(x, probe));
    out.push(xray_checks::folder(x, probe));
}

/// Returns the key of the test issue, when one was created.
fn run_jira(
    j: &crate::settings::JiraSettings,
    probe: &mut dyn JiraProbe,
    send_test_issue: bool,
    out: &mut Vec<Check>,
) -> Option<String> {
    let rest = |from: usize| -> Vec<&'static str> {
        let mut v = JIRA_CHECKS[from..].to_vec();
        if send_test_issue {
            v.push(ids::JIRA_TEST_ISSUE);
        }
        v
    };
    let (server, info) = jira_checks::server(j, probe);
    if !server.passed() {
        let skipped: Vec<Check> = rest(1).into_iter().map(|id| needs(id, &server)).collect();
        out.push(server);
        out.extend(skipped);
        return None;
    }
    out.push(server);
    let (me, identity) = jira_checks::myself(j, probe, info.as_ref());
    let Some(identity) = identity else {
        let skipped: Vec<Check> = rest(2).into_iter().map(|id| needs(id, &me)).collect();
        out.push(me);
        out.extend(skipped);
        return None;
    };
    out.push(me);

    let project = jira_checks::project(j, probe, &identity);
    let mut first_failed = (!project.passed()).then(|| project.clone());
    out.push(project);
    let mut issue_type = None;
    match &first_failed {
        Some(failed) => {
            out.push(needs(ids::JIRA_PERMISSIONS, failed));
            out.push(needs(ids::JIRA_ISSUE_TYPE, failed));
        }
        None => {
            let (perms, missing) = jira_checks::permissions(j, probe, &identity);
            let perms_failed = (!perms.passed()).then(|| perms.clone());
            out.push(perms);
            // createmeta needs CREATE_ISSUES; without it the issue type cannot be read.
            if missing.iter().any(|m| m == "CREATE_ISSUES")
                && let Some(failed) = &perms_failed
            {
                out.push(needs(ids::JIRA_ISSUE_TYPE, failed));
            } else {
                let (check, found) = jira_checks::issue_type(j, probe);
                if !check.passed() && perms_failed.is_none() {
                    first_failed = Some(check.clone());
                }
                out.push(check);
                issue_type = found;
            }
            if first_failed.is_none() {
                first_failed = perms_failed;
            }
        }
    }
    let links = jira_checks::link_types(j, probe);
    if !links.passed() && first_failed.is_none() {
        first_failed = Some(links.clone());
    }
    out.push(links);

    if !send_test_issue {
        return None;
    }
    match (first_failed, issue_type) {
        (None, Some(t)) => {
            let (check, key) = jira_checks::test_issue(j, probe, &t);
            out.push(check);
            key
        }
        (Some(failed), _) => {
            out.push(needs(ids::JIRA_TEST_ISSUE, &failed));
            None
        }
        (None, None) => {
            out.push(Check::skipped(
                ids::JIRA_TEST_ISSUE,
                "needs jira.issue-type",
            ));
            None
        }
    }
}

fn inputs_check<E: Display>(patterns: &[String], inputs: Option<Result<TestRun, E>>) -> Check {
    let tried = || {
        patterns
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fix = "check the paths and globs: they are relative to the working directory, and globs need quotes so the shell does not expand them (e.g. 'target/surefire-reports/*.xml')";
    let run = match inputs {
        None => {
            return Check::skipped(
                ids::INPUTS,
                "no results given: pass PATTERN... or set XRAY_SYNC_RESULTS to check them",
            );
        }
        Some(Err(e)) => return Check::fail(ids::INPUTS, ErrorKind::BadInput, e.to_string(), fix),
        Some(Ok(run)) => run,
    };
    let mut per_format: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in &run.files {
        if let FileStatus::Parsed { format, .. } = &f.status {
            *per_format.entry(format.as_str()).or_default() += 1;
        }
    }
    let parsed: usize = per_format.values().sum();
    if parsed == 0 {
        return Check::fail(
            ids::INPUTS,
            ErrorKind::BadInput,
            format!(
                "no test result files found (patterns tried: {}; {} file(s) matched, none a result)",
                tried(),
                run.files.len()
            ),
            fix,
        );
    }
    let formats = per_format
        .iter()
        .map(|(f, n)| format!("{n} {f}"))
        .collect::<Vec<_>>()
        .join(", ");
    let detail = format!(
        "{parsed} result file(s): {formats}; {} test(s)",
        run.cases.len()
    );
    let bad: Vec<String> = run.failed_files().map(ToString::to_string).collect();
    if bad.is_empty() {
        Check::pass(ids::INPUTS, detail)
    } else {
        Check::warn(
            ids::INPUTS,
            format!(
                "{} file(s) could not be parsed and would be left out: {}",
                bad.len(),
                bad.first().map(String::as_str).unwrap_or("")
            ),
            "fix or exclude those files: a run reads the rest and then exits 3 (XRAY_SYNC_ALLOW_BAD_FILES: a warning; XRAY_SYNC_STRICT: nothing is sent)",
        )
        .with_detail(detail)
    }
}

/// Servers sometimes echo what they were sent; nothing in the report may show a secret.
/// Server messages arrive whole (see `error::shorten`): they are cut to a readable length here,
/// after scrubbing, so a cut never splits a secret.
fn scrub_report(report: &mut DoctorReport, secrets: &[Secret]) {
    let refs: Vec<&Secret> = secrets.iter().collect();
    let s = |t: &mut String| *t = crate::error::shorten(&scrub(t, &refs));
    for c in &mut report.checks {
        match &mut c.status {
            Status::Pass => {}
            Status::Warn { message, fix } | Status::Fail { message, fix, .. } => {
                s(message);
                s(fix);
            }
            Status::Skipped { reason } => s(reason),
        }
        if let Some(d) = &mut c.detail {
            s(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, Service};
    use crate::model::{FileReport, InputError};

    #[test]
    fn every_id_run_errors_point_at_is_a_doctor_check() {
        for service in [Service::Xray, Service::Jira, Service::AtlassianAuth] {
            let errors = [
                ApiError::Unauthorized {
                    service,
                    detail: String::new(),
                },
                ApiError::Forbidden {
                    service,
                    what: "x".into(),
                    detail: String::new(),
                },
                ApiError::NotFound {
                    service,
                    what: "x".into(),
                    detail: String::new(),
                },
                ApiError::RateLimited {
                    service,
                    retry_after: None,
                    reason: None,
                },
                ApiError::Server {
                    service,
                    status: 500,
                    detail: String::new(),
                },
                ApiError::Rejected {
                    service,
                    status: 400,
                    detail: String::new(),
                },
                ApiError::BadResponse {
                    service,
                    detail: String::new(),
                },
                ApiError::Network {
                    service,
                    url: "u".into(),
                    detail: String::new(),
                    maybe_applied: false,
                },
            ];
            for e in errors {
                assert!(ids::ALL.contains(&e.doctor_check()), "{e:?}");
            }
        }
        let region = ApiError::WrongRegion {
            detail: String::new(),
        };
        assert_eq!(region.doctor_check(), ids::XRAY_AUTH);
    }

    fn file(path: &str, status: FileStatus) -> FileReport {
        FileReport {
            path: path.into(),
            status,
            notes: Vec::new(),
        }
    }

    #[test]
    fn inputs_count_per_format_and_warn_on_unparsable_files() {
        let run = TestRun {
            cases: Vec::new(),
            files: vec![
                file(
                    "a.xml",
                    FileStatus::Parsed {
                        format: crate::model::Format::Junit,
                        tests: 3,
                    },
                ),
                file(
                    "b-result.json",
                    FileStatus::Parsed {
                        format: crate::model::Format::Allure2,
                        tests: 1,
                    },
                ),
                file(
                    "c.xml",
                    FileStatus::Failed {
                        error: InputError {
                            path: "c.xml".into(),
                            line: Some(7),
                            offset: None,
                            message: "unexpected end of file".into(),
                        },
                        salvaged: 0,
                    },
                ),
            ],
        };
        let c = inputs_check::<String>(&["*.xml".into()], Some(Ok(run)));
        assert!(
            matches!(&c.status, Status::Warn { message, .. } if message.contains("c.xml:7: unexpected end of file")),
            "{c:?}"
        );
        assert_eq!(
            c.detail.as_deref(),
            Some("2 result file(s): 1 allure2, 1 junit; 0 test(s)")
        );
    }

    #[test]
    fn inputs_error_from_ingest_is_the_failure_message() {
        let c = inputs_check(
            &["out/*.xml".into()],
            Some(Err::<TestRun, _>(
                "no test result files found (patterns tried: \"out/*.xml\")",
            )),
        );
        assert!(c.failed());
        assert_eq!(
            c.message(),
            Some("no test result files found (patterns tried: \"out/*.xml\")")
        );
        let none = inputs_check::<String>(&[], None);
        assert!(matches!(none.status, Status::Skipped { .. }));
    }
}
