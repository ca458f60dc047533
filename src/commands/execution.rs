//! `xray-sync execution create|finish`: one Test Execution shared by every job of a CI run.
//!
//! The race-free path for matrices: a setup job runs `create`, which makes an empty execution
//! with everything a run would set on it (project, summary and description templates, Test
//! Plan, environments, fix version, revision where the product takes it at creation, labels)
//! and prints its key; every shard then runs with `XRAY_TEST_EXECUTION=<key>` and only appends
//! (no search by marker). `finish` (optional, e.g. in a fan-in job) recomputes the title's
//! counts from the execution's runs.
//!
//! Owns the two commands' steps and outputs. `create` prints the key alone on stdout (so
//! `KEY=$(xray-sync execution create)` works); progress and workflow commands go to stderr.
//! The summary template's count placeholders (`{total}` `{passed}` `{failed}`) read `?` until
//! `finish` fills them in; `{date}` is today's date (UTC).

use std::io::Write;

use crate::cli::{ExecutionCreateArgs, ExecutionFinishArgs, InputArgs};
use crate::commands::error::RunError;
use crate::http::Http;
use crate::model::{Counts, TestRun};
use crate::plan::IssueKey;
use crate::plan::build_support::{ci_description, expand_template, fold_separators, one_line};
use crate::report::github;
use crate::report::json::{Report, ReportError};
use crate::settings::{self, Settings, SettingsError, StatusMap, XraySettings};
use crate::xray::client::Client;
use crate::xray::payload::Info;
use crate::xray::upload::{XrayReceipt, new_marker};

/// The longest execution title Jira takes.
const MAX_SUMMARY_CHARS: usize = 255;

/// `xray-sync execution create`.
pub fn create(
    args: &ExecutionCreateArgs,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> Result<IssueKey, RunError> {
    let (settings, x) = load(&args.settings, env, "execution create")?;
    let secrets = settings.secrets();
    let secret_refs: Vec<&crate::secret::Secret> = secrets.iter().collect();
    let on_github = env("GITHUB_ACTIONS").as_deref() == Some("true");
    let mut err = std::io::stderr();
    if on_github {
        // stdout carries only the key; the runner reads workflow commands on stderr too.
        github::emit_masks(&mut err, &secret_refs).map_err(stderr_error)?;
    }
    let http = Http::new(&settings.http).map_err(RunError::Http)?;
    let mut progress = |line: &str| {
        let line = crate::secret::scrub(line, &secret_refs);
        let _ = writeln!(std::io::stderr(), "{}", github::neutralise(&line));
    };
    // Execution fields are checked against the create screen first (even when none are
    // given: this one-off setup step can afford the two reads): a required field without a
    // value stops here with its name and the setting, before anything is created. Where the
    // screen cannot be read (Xray Cloud without Jira settings) Jira's own refusal names it.
    let x = {
        let given = !x.execution_fields.is_empty();
        let mut quiet = |_: &str| {};
        let sink: &mut dyn FnMut(&str) = if given { &mut progress } else { &mut quiet };
        crate::xray::exec_fields::prepare(&http, &x, settings.jira.as_ref(), sink).map_err(
            |message| {
                RunError::Remote(vec![format!("Xray: Test Execution not created: {message}")])
            },
        )?
    };
    let client = Client::new(&http, &x);
    let info = execution_info(&settings, &x, None);
    let marker = new_marker();
    let mut labels: Vec<String> = Vec::new();
    for l in x.execution_labels.iter().chain(std::iter::once(&marker)) {
        if !labels.contains(l) {
            labels.push(l.clone());
        }
    }
    let mut receipt = XrayReceipt::new(client.product());
    receipt.marker_label = Some(marker.clone());
    let mut created = None;
    let result =
        crate::xray::send::checked_create(&client, &http, &marker, &mut progress, &mut || {
            client
                .create_empty(&info, &labels, &x.execution_fields)
                .map(|e| {
                    let key = e.key.clone();
                    created = Some(e);
                    key
                })
        });
    match result {
        Ok((key, recovered)) => {
            receipt.execution = Some(key.clone());
            receipt.created = true;
            if recovered {
                receipt.warnings.push(format!(
                    "the create's answer was lost; found {key} by its run marker label"
                ));
            }
            if let Some(plan) = &info.test_plan_key {
                let linked = match &created {
                    Some(e) => client.link_plan_to_empty(plan, e),
                    None => client.link_plan_to_empty(
                        plan,
                        &crate::xray::client::EmptyExecution {
                            key: key.clone(),
                            issue_id: None,
                        },
                    ),
                };
                if let Err(e) = linked {
                    receipt
                        .warnings
                        .push(format!("could not link {key} to test plan {plan}: {e}"));
                }
            }
        }
        Err(e) => {
            let refused_field = matches!(e, crate::error::ApiError::Rejected { .. })
                && e.to_string().to_ascii_lowercase().contains("required");
            receipt.errors.push(ReportError::from_api(&e));
            if refused_field {
                receipt.errors.push(ReportError {
                    kind: crate::error::ErrorKind::BadInput,
                    message: format!(
                        "Test Execution not created: a field it requires has no value; give it in {} (by id in Jira's shape without Jira settings, e.g. {{\"customfield_10100\": {{\"value\": \"nightly\"}}}}); `xray-sync doctor` lists the required fields",
                        crate::xray::exec_fields::SETTING
                    ),
                    doctor_check: Some("xray.execution-fields".into()),
                });
            }
        }
    }
    for w in &receipt.warnings {
        progress(&format!("Xray: warning: {w}"));
    }
    let key = receipt.execution.clone();
    let errors: Vec<String> = receipt
        .errors
        .iter()
        .map(|e| crate::secret::scrub(&format!("Xray: {}", e.message), &secret_refs))
        .collect();
    write_report(
        &settings,
        Report::new(Counts::default()).with_xray(receipt),
        &secret_refs,
    )?;
    if let Some(key) = &key {
        progress(&format!(
            "Xray: created Test Execution {key} \"{}\"; pass it to every job as XRAY_TEST_EXECUTION={key} (action input test-execution)",
            info.summary
        ));
        writeln!(out, "{key}").map_err(stdout_error)?;
        if on_github && let Some(path) = github::GithubEnv::from_vars(env).output {
            github::write_outputs(&path, &[("test-execution-key", key.as_str())]).map_err(
                |source| RunError::Output {
                    path: path.clone(),
                    source,
                },
            )?;
        }
    }
    if let Some(reason) = crate::stop::reason() {
        return Err(RunError::Stopped {
            reason,
            lines: vec![format!("stopped by {}", reason.describe())],
        });
    }
    match key {
        Some(key) if errors.is_empty() => Ok(key),
        _ => Err(RunError::Remote(errors)),
    }
}

/// What `finish` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub key: IssueKey,
    pub counts: Counts,
    pub summary: String,
}

/// `xray-sync execution finish [KEY]`.
pub fn finish(
    args: &ExecutionFinishArgs,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> Result<Finished, RunError> {
    let (settings, x) = load(&args.settings, env, "execution finish")?;
    let secrets = settings.secrets();
    let secret_refs: Vec<&crate::secret::Secret> = secrets.iter().collect();
    let given = args.key.clone().or_else(|| x.test_execution.clone());
    let Some(key) = given.as_deref().map(str::trim).and_then(IssueKey::parse) else {
        return Err(invalid(
            "execution finish needs the execution: KEY or XRAY_TEST_EXECUTION / --test-execution (an issue key like CALC-123)",
        ));
    };
    let http = Http::new(&settings.http).map_err(RunError::Http)?;
    let Finished {
        key,
        counts,
        summary,
    } = match retitle(&http, &settings, &x, &key) {
        Ok(done) => done,
        Err(RetitleError::NeedsJira) => return Err(invalid(NEEDS_JIRA)),
        Err(RetitleError::Api(e)) => {
            return Err(RunError::Remote(vec![crate::secret::scrub(
                &format!("Xray: {e}"),
                &secret_refs,
            )]));
        }
    };
    writeln!(
        out,
        "{key}: {} run(s): {} passed, {} failed, {} other; title set to \"{summary}\"",
        counts.total, counts.passed, counts.failed, counts.skipped
    )
    .map_err(stdout_error)?;
    let mut receipt = XrayReceipt::new(x.product);
    receipt.execution = Some(key.clone());
    write_report(
        &settings,
        Report::new(counts).with_xray(receipt),
        &secret_refs,
    )?;
    Ok(Finished {
        key,
        counts,
        summary,
    })
}

const NEEDS_JIRA: &str = "on Xray Cloud the execution's title is a Jira field: setting it needs JIRA_URL and Jira credentials";

/// Why a title could not be recomputed.
#[derive(Debug)]
pub enum RetitleError {
    Api(crate::error::ApiError),
    /// Xray Cloud without Jira settings: the title is a Jira field.
    NeedsJira,
}

impl std::fmt::Display for RetitleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetitleError::Api(e) => write!(f, "{e}"),
            RetitleError::NeedsJira => f.write_str(NEEDS_JIRA),
        }
    }
}

/// Counts the runs of `key` and sets its title from the summary template with those counts:
/// DC through the Xray (Jira) credentials, Cloud through the Jira settings. Used by `finish`
/// and by `run` after it added results to an execution another invocation created.
pub fn retitle(
    http: &Http,
    settings: &Settings,
    x: &XraySettings,
    key: &IssueKey,
) -> Result<Finished, RetitleError> {
    let client = Client::new(http, x);
    let statuses = client.run_statuses(key).map_err(RetitleError::Api)?;
    let counts = count_statuses(&x.statuses, &statuses);
    let summary = execution_info(settings, x, Some(&counts)).summary;
    let set = match client.set_summary(key, &summary) {
        Some(result) => result,
        None => match settings.jira.as_ref().filter(|j| j.is_live()) {
            Some(js) => {
                crate::jira::client::Client::new(http, js).set_summary(key.as_str(), &summary)
            }
            None => return Err(RetitleError::NeedsJira),
        },
    };
    set.map_err(RetitleError::Api)?;
    Ok(Finished {
        key: key.clone(),
        counts,
        summary,
    })
}

/// After this run lost a creation race on Xray Cloud (`upload::converge` moved its results to
/// the winner and emptied its own execution): relabels the duplicate `<marker>-duplicate`
/// through Jira, as DC does with the Xray credentials, so a later search for the CI run's
/// marker finds only the winner. Labels are Jira fields that the Xray API key cannot edit, so
/// this needs the Jira settings; without them (or when Jira refuses) the duplicate keeps the
/// marker, and the warning and the report's `duplicate.unlabelled_reason` say so and why.
/// Either way later jobs choose the winner: it has the lowest issue number.
pub fn relabel_duplicate(settings: &Settings, http: &Http, receipt: &mut XrayReceipt) {
    let Some(marker) = receipt.marker_label.clone() else {
        return;
    };
    let Some(dup) = receipt.duplicate.as_mut().filter(|d| !d.labelled) else {
        return;
    };
    if receipt.product != crate::settings::Product::Cloud {
        // DC relabels with the Xray credentials during convergence; a failure is reported there.
        return;
    }
    let (own, winner) = (dup.key.clone(), dup.winner.clone());
    let duplicate_label = format!("{marker}-duplicate");
    let jira = settings.jira.as_ref().filter(|j| j.is_live());
    let outcome = match jira {
        Some(js) => crate::jira::client::Client::new(http, js)
            .swap_label(own.as_str(), &marker, &duplicate_label)
            .map_err(|e| format!("relabelling through Jira failed: {e}")),
        None => Err(format!(
            "{}, and no Jira settings (JIRA_URL and credentials) are given to edit them",
            crate::xray::upload::CLOUD_LABELS_ARE_JIRA_FIELDS
        )),
    };
    match outcome {
        Ok(()) => {
            dup.labelled = true;
            dup.unlabelled_reason = None;
            receipt.warnings.push(format!(
                "{own} relabelled {duplicate_label} through Jira: searches for this CI run's marker now find only {winner}"
            ));
        }
        Err(reason) => {
            receipt.warnings.push(format!(
                "{own} keeps the run marker label {marker} ({reason}); it is emptied, and later jobs of this CI run still choose {winner}, the lowest issue number"
            ));
            dup.unlabelled_reason = Some(reason);
        }
    }
}

/// Resolves the settings; both commands need live Xray settings.
fn load(
    args: &crate::cli::SettingsArgs,
    env: &dyn Fn(&str) -> Option<String>,
    command: &str,
) -> Result<(Settings, XraySettings), RunError> {
    let input = InputArgs {
        patterns: vec![],
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    };
    let (settings, _trace) = settings::load(args, &input, false, env)?;
    crate::stop::set_deadline(settings.http.max_run_time);
    crate::outfile::confine_to(&settings.output.workspace);
    let Some(x) = settings.xray.clone().filter(|x| x.is_live()) else {
        return Err(invalid(&format!(
            "{command} needs Xray settings (XRAY_URL / XRAY_CLIENT_ID / XRAY_CLIENT_SECRET / XRAY_PROJECT, or the DC credentials)"
        )));
    };
    Ok((settings, x))
}

/// The execution's fields as a run would set them; counts unknown (`None`) read `?`.
fn execution_info(settings: &Settings, x: &XraySettings, counts: Option<&Counts>) -> Info {
    let today = {
        let d = time::OffsetDateTime::now_utc().date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    };
    let c = counts.copied().unwrap_or_default();
    let expand = |template: &str| {
        let mut t = template.replace("{date}", &today);
        if counts.is_none() {
            for p in ["{total}", "{passed}", "{failed}"] {
                t = t.replace(p, "?");
            }
        }
        expand_template(&t, &x.project, &TestRun::default(), &settings.ci, &c)
    };
    // Placeholders that expanded empty drop their `·`, as in a run's own title.
    let summary = fold_separators(&one_line(&expand(&x.summary_template), MAX_SUMMARY_CHARS));
    Info {
        project: x.project.clone(),
        summary: if summary.is_empty() {
            "Automated test run".to_string()
        } else {
            summary
        },
        description: x
            .description
            .as_deref()
            .map(expand)
            .or_else(|| ci_description(&settings.ci)),
        version: x.fix_version.clone(),
        revision: x.revision.clone().or_else(|| settings.ci.sha.clone()),
        start_date: None,
        finish_date: None,
        test_plan_key: x.test_plan.clone(),
        test_environments: x.environments.clone(),
    }
}

/// Counts run statuses in the product's vocabulary (`[statuses]`): passed (flaky's status
/// included), failed (error's too), everything else (TO DO, EXECUTING, custom) as skipped.
fn count_statuses(s: &StatusMap, statuses: &[String]) -> Counts {
    let is = |status: &str, name: &str| status.eq_ignore_ascii_case(name);
    let mut c = Counts {
        total: statuses.len(),
        ..Counts::default()
    };
    for status in statuses {
        if is(status, &s.passed) || is(status, &s.flaky) {
            c.passed += 1;
        } else if is(status, &s.failed) || is(status, &s.error) {
            c.failed += 1;
        } else {
            c.skipped += 1;
        }
    }
    c
}

fn write_report(
    settings: &Settings,
    report: Report,
    secrets: &[&crate::secret::Secret],
) -> Result<(), RunError> {
    if let Some(path) = &settings.output.report {
        let json = crate::secret::scrub(&report.to_json(), secrets) + "\n";
        // Never through a symlink planted at `path`, like every output (see `outfile`).
        crate::outfile::write(path, json.as_bytes(), crate::outfile::PUBLIC_MODE).map_err(
            |source| RunError::Output {
                path: path.clone(),
                source,
            },
        )?;
    }
    Ok(())
}

fn invalid(message: &str) -> RunError {
    RunError::Settings(SettingsError::Invalid(message.to_string()))
}

fn stdout_error(source: std::io::Error) -> RunError {
    RunError::Output {
        path: "<stdout>".into(),
        source,
    }
}

fn stderr_error(source: std::io::Error) -> RunError {
    RunError::Output {
        path: "<stderr>".into(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Product, StatusMap};

    #[test]
    fn statuses_count_in_the_products_vocabulary() {
        let names: Vec<String> = ["PASS", "FAIL", "pass", "TODO", "EXECUTING", "ABORTED"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = count_statuses(&StatusMap::defaults(Product::Dc), &names);
        assert_eq!((c.total, c.passed, c.failed, c.skipped), (6, 2, 1, 3));
        let cloud = ["PASSED", "FAILED", "TO DO"].map(String::from);
        let c = count_statuses(&StatusMap::defaults(Product::Cloud), &cloud);
        assert_eq!((c.total, c.passed, c.failed, c.skipped), (3, 1, 1, 1));
    }
}
