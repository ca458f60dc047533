//! `xray-sync run`: ingest → plan → Jira bugs → Xray upload → reports.
//!
//! Owns the order of the steps and which outputs are written. Bugs are filed before the upload
//! so their keys go into the test runs' `defects` in the same import. A dry run sends nothing:
//! with real Jira credentials it still runs the read-only label searches, so it can say "would
//! comment on ABC-12" instead of guessing. On GitHub Actions every secret is masked before any
//! other output.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::RunArgs;
use crate::http::Http;
use crate::ingest::{self, IngestError, InputOptions};
use crate::plan::{self, Plan};
use crate::report::assemble::{self, Receipts};
use crate::report::{console, github};
use crate::settings::{self, Settings};

// The error of every command that runs the pipeline (`run`, `execution`), one level down so the
// commands share it without importing each other.
pub use super::error::RunError;

/// What a finished run tells `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// Some test failed or errored.
    pub tests_failed: bool,
    pub fail_on_test_failure: bool,
}

pub fn run(
    args: &RunArgs,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> Result<RunOutcome, RunError> {
    let dry_run = args.dry_run.unwrap_or(false);
    let mut settings_args = args.settings.clone();
    settings_args.output.json = args.json;
    let (settings, _trace) = settings::load(&settings_args, &args.input, dry_run, env)?;
    crate::stop::set_deadline(settings.http.max_run_time);
    crate::outfile::confine_to(&settings.output.workspace);
    if !dry_run && settings.xray.is_none() && settings.jira.is_none() {
        return Err(RunError::NothingToDo(settings.notes.clone()));
    }
    let secrets = settings.secrets();
    let secret_refs: Vec<&crate::secret::Secret> = secrets.iter().collect();
    let on_github = env("GITHUB_ACTIONS").as_deref() == Some("true");
    // `--json`: stdout carries only the JSON report; the human text goes to stderr.
    let json = settings.output.json;
    let mut stderr = std::io::stderr();
    macro_rules! human {
        () => {
            if json {
                &mut stderr as &mut dyn Write
            } else {
                &mut *out
            }
        };
    }
    if on_github {
        // Before anything else is printed: the runner masks only what it was told about. With
        // `--json` every workflow command goes to stderr (the runner reads both streams), so
        // stdout stays one JSON document.
        github::emit_masks(&mut WriteAdapter(human!()), &secret_refs).map_err(stdout_error)?;
    }
    if settings.http.insecure {
        writeln!(
            human!(),
            "WARNING: TLS certificate verification is OFF (--insecure): anyone on the network path can read and change what is sent, credentials included."
        )
        .map_err(stdout_error)?;
    }

    let results = match ingest::collect(&InputOptions {
        patterns: settings.inputs.patterns.clone(),
        allow_empty: settings.inputs.allow_empty,
        strict: settings.inputs.strict,
    }) {
        Ok(r) => r,
        Err(e) => {
            if on_github
                && matches!(
                    e,
                    IngestError::NoResults { .. } | IngestError::NoTests { .. }
                )
            {
                // The step fails; it still says why where people look (annotation, summary)
                // and sets its outputs, so later steps can read counts of 0.
                no_results_on_github(&e, env, human!()).map_err(stdout_error)?;
            }
            return Err(e.into());
        }
    };
    print_files_read(&results, &settings.inputs.patterns, on_github, human!())
        .map_err(stdout_error)?;
    let plan = plan::build(&results, &settings)?;
    if let Some(path) = &settings.output.plan_json {
        write_plan_file(&plan, &results, &settings, path)?;
    }
    if dry_run {
        console::render_dry_run(&plan, &settings, human!()).map_err(stdout_error)?;
    }

    let receipts = execute(&plan, &settings, &results, dry_run, on_github, human!())?;
    // The stop path is this same path: everything below is local, so a stopped run still
    // writes the report, the summaries and the outputs (only the PR comment, a request, is
    // left out).
    let jira_live =
        !dry_run && plan.jira.is_some() && settings.jira.as_ref().is_some_and(|j| j.is_live());
    let stopped =
        crate::stop::reason().map(|reason| (reason, stop_lines(reason, &receipts, jira_live)));
    let mut summary = assemble::summary(&plan, &results, &settings, &receipts, dry_run);
    if let Some((_, lines)) = &stopped {
        summary.errors.splice(0..0, lines.iter().cloned());
    }
    // Bad files are problems of the run: the job summary lists them with the other problems.
    summary.errors.extend(
        results
            .bad_files()
            .map(|(error, salvaged)| format!("result file not read: {}", error.describe(salvaged))),
    );
    summary.report_artifact =
        env(crate::cli::env::XRAY_SYNC_REPORT_ARTIFACT).filter(|a| !a.is_empty());
    summary.scrub(&secret_refs);
    console::render_run(&summary, human!()).map_err(stdout_error)?;
    let failed_remote = receipts.failed();
    let stopped_by_keys = receipts.xray.as_ref().is_some_and(|x| {
        x.tests_sent == 0 && !x.stale_keys.is_empty() && x.stale_keys.iter().all(|k| !k.fell_back)
    });
    let error_lines = receipts.error_lines();
    let mut report = assemble::report(&plan, receipts, dry_run);
    if let Some((reason, lines)) = &stopped {
        report.stopped = Some(crate::report::json::Stopped {
            reason: reason.describe(),
            lines: lines.clone(),
        });
    }
    // Rendered only when asked for: a large run's report (every bug action) is tens of
    // megabytes of text.
    let report_json = (settings.output.report.is_some() || json)
        .then(|| crate::secret::scrub_owned(report.to_json(), &secret_refs));
    drop(report);
    if let (Some(path), Some(report_json)) = (&settings.output.report, &report_json) {
        let bytes = report_json.clone() + "\n";
        crate::outfile::write(path, bytes.as_bytes(), crate::outfile::PUBLIC_MODE).map_err(
            |source| RunError::Output {
                path: path.clone(),
                source,
            },
        )?;
    }
    if let (true, Some(report_json)) = (json, &report_json) {
        // The same JSON value, with nothing the runner or a terminal would act on.
        writeln!(out, "{}", crate::untrusted::json(report_json)).map_err(stdout_error)?;
    }
    if let Some(path) = &settings.output.summary_md {
        github::write_summary_md(path, &summary, &secret_refs).map_err(|source| {
            RunError::Output {
                path: path.clone(),
                source,
            }
        })?;
    }
    if on_github {
        for (error, salvaged) in results.bad_files() {
            let line = github::bad_file_annotation(error, salvaged);
            writeln!(human!(), "{}", crate::secret::scrub(&line, &secret_refs))
                .map_err(stdout_error)?;
        }
        publish_github(
            &settings,
            &summary,
            &secret_refs,
            env,
            dry_run,
            stopped.is_none(),
            human!(),
        )?;
    }
    if let Some((reason, lines)) = stopped {
        return Err(RunError::Stopped {
            reason,
            lines: lines
                .iter()
                .map(|l| crate::secret::scrub(l, &secret_refs))
                .collect(),
        });
    }
    if stopped_by_keys {
        return Err(RunError::StaleKeys(
            error_lines
                .iter()
                .map(|l| crate::secret::scrub(l, &secret_refs))
                .collect(),
        ));
    }
    if failed_remote {
        return Err(RunError::Remote(
            error_lines
                .iter()
                .map(|l| crate::secret::scrub(l, &secret_refs))
                .collect(),
        ));
    }
    // Everything readable was sent and reported; a bad file still makes the run fail (exit 3)
    // unless it was allowed, so a crashed test process never turns the step green.
    if let Some(bad) = IngestError::bad_files(&results) {
        if !settings.inputs.allow_bad_files {
            return Err(RunError::Input(bad));
        }
        writeln!(
            human!(),
            "WARNING: {} result file(s) could not be read (--allow-bad-files: not an error); see the notes above.",
            results.failed_files().count()
        )
        .map_err(stdout_error)?;
    }
    Ok(RunOutcome {
        tests_failed: plan.counts.failed + plan.counts.error > 0,
        fail_on_test_failure: settings.output.fail_on_test_failure,
    })
}

/// How many "files read" lines a terminal gets.
const FILES_READ_SHOWN: usize = 100;

/// One line per file read (format and count), folded into a group on GitHub, and a note when
/// the arguments look like a glob the shell expanded into fewer files than it would match.
fn print_files_read(
    results: &crate::model::TestRun,
    patterns: &[String],
    on_github: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let lines = crate::report::files_read::lines(results);
    if on_github {
        writeln!(
            out,
            "{}",
            github::group(&format!(
                "xray-sync: {} result file(s) read",
                results.files.len()
            ))
        )?;
    }
    // Folded away on GitHub, so every file is listed there; a terminal gets the first
    // FILES_READ_SHOWN (`xray-sync parse` lists them all).
    let shown = if on_github {
        lines.len()
    } else {
        lines.len().min(FILES_READ_SHOWN)
    };
    for line in &lines[..shown] {
        let line = if on_github {
            github::neutralise(line)
        } else {
            line.clone()
        };
        writeln!(out, "{line}")?;
    }
    if shown < lines.len() {
        writeln!(
            out,
            "… and {} more file line(s); `xray-sync parse PATTERN...` lists every file",
            lines.len() - shown
        )?;
    }
    if on_github {
        writeln!(out, "{}", github::ENDGROUP)?;
    }
    if let Some(note) = ingest::shell_glob::expansion_note(patterns) {
        if on_github {
            let at = github::commands::Location {
                title: Some("xray-sync: quote the results glob"),
                ..Default::default()
            };
            writeln!(
                out,
                "{}",
                github::commands::annotation(github::commands::Level::Warning, &at, &note)
            )?;
        } else {
            writeln!(out, "note: {note}")?;
        }
    }
    Ok(())
}

/// No result file matched, on GitHub: an error annotation, a job summary saying what was tried
/// from which directory (or what to set), and the step outputs with counts of 0.
fn no_results_on_github(
    e: &IngestError,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let message = e.to_string();
    let at = github::commands::Location {
        title: Some("xray-sync: no test results"),
        ..Default::default()
    };
    writeln!(
        out,
        "{}",
        github::commands::annotation(github::commands::Level::Error, &at, &message)
    )?;
    out.flush()?;
    let genv = github::GithubEnv::from_vars(env);
    if let Some(path) = &genv.step_summary {
        let text = message
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let summary = format!(
            "### xray-sync: no test results\n\n{text}\n\nNothing was sent to Xray or Jira. If a run without result files is expected, set `allow-empty: true` ({}).\n",
            crate::cli::env::XRAY_SYNC_ALLOW_EMPTY
        );
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        f.write_all(summary.as_bytes())?;
    }
    if let Some(path) = &genv.output {
        let pairs: Vec<(&str, &str)> = github::OUTPUT_NAMES
            .iter()
            .map(|name| match *name {
                "test-execution-key" | "report-path" => (*name, ""),
                _ => (*name, "0"),
            })
            .collect();
        github::write_outputs(path, &pairs)?;
    }
    Ok(())
}

/// Longest progress line printed (a few single-line fields and a server message).
const PROGRESS_LINE_BYTES: usize = 4 * crate::untrusted::MAX_LINE_BYTES;

/// Files bugs, then uploads. In a dry run only the read-only Jira searches run, and only when
/// real Jira credentials are set.
fn execute(
    plan: &Plan,
    settings: &Settings,
    results: &crate::model::TestRun,
    dry_run: bool,
    on_github: bool,
    out: &mut dyn Write,
) -> Result<Receipts, RunError> {
    let jira_live = settings.jira.as_ref().is_some_and(|j| j.is_live());
    let xray_live = settings.xray.as_ref().is_some_and(|x| x.is_live());
    if !jira_live && (dry_run || !xray_live) {
        return Ok(Receipts::default());
    }
    let http = Http::new(&settings.http).map_err(RunError::Http)?;
    if on_github {
        // Request-by-request progress is for digging; fold it away in the job log.
        let _ = writeln!(
            out,
            "{}",
            github::group("xray-sync: Jira and Xray requests")
        );
    }
    let mut receipts = send(plan, settings, results, dry_run, &http, out);
    if let Some(xr) = receipts.xray.as_mut() {
        super::execution::relabel_duplicate(settings, &http, xr);
    }
    retitle_shared(settings, &http, &mut receipts);
    if on_github {
        let _ = writeln!(out, "{}", github::ENDGROUP);
    }
    Ok(receipts)
}

/// After adding results to an execution another invocation of this CI run created (found by
/// its marker, or the winner of a race), recomputes its title's counts from all its runs, so
/// the title tells the union. Never for a `--test-execution` the user named: its title is
/// theirs. A failure is a warning: the results are in.
fn retitle_shared(settings: &Settings, http: &Http, receipts: &mut Receipts) {
    let Some(x) = settings.xray.as_ref().filter(|x| x.is_live()) else {
        return;
    };
    let Some(xr) = receipts.xray.as_mut() else {
        return;
    };
    let joined = !xr.created && x.test_execution.is_none() && xr.marker_label.is_some();
    if !(joined || xr.duplicate.is_some()) || !xr.errors.is_empty() || crate::stop::requested() {
        return;
    }
    let Some(key) = xr.execution.clone() else {
        return;
    };
    match super::execution::retitle(http, settings, x, &key) {
        Ok(done) => xr.warnings.push(format!(
            "title of {key} recomputed from its {} run(s): \"{}\"",
            done.counts.total, done.summary
        )),
        Err(e) => xr.warnings.push(format!(
            "the title of {key} still has the counts of the invocation that created it ({e}); `xray-sync execution finish {key}` recomputes them"
        )),
    }
}

/// The requests themselves, in order: bugs first (their keys go into `defects`), then the upload.
fn send(
    plan: &Plan,
    settings: &Settings,
    results: &crate::model::TestRun,
    dry_run: bool,
    http: &Http,
    out: &mut dyn Write,
) -> Receipts {
    let jira_live = settings.jira.as_ref().filter(|j| j.is_live());
    let xray_live = settings.xray.as_ref().filter(|x| x.is_live());
    // Progress lines carry server text (error bodies echo what was sent): neutralised always.
    // Capped too: a line can quote a test id, which a result file may make megabytes long.
    let mut progress = |line: &str| {
        let _ = writeln!(
            out,
            "{}",
            crate::untrusted::block(line, PROGRESS_LINE_BYTES)
        );
    };
    let mut receipts = Receipts::default();
    let tests = plan.tests_in(results);
    // Keys before bugs: a key is linked to a bug or used to close one only once it is known to
    // be a Test of the Xray project, and under strict keys a stale one stops everything.
    let keys = match (xray_live, &plan.xray) {
        (Some(xs), Some(xp)) if !dry_run => Some(crate::xray::upload::check_plan_keys(
            http,
            xs,
            xp,
            tests,
            &crate::xray::keys::projects(settings),
            &mut progress,
        )),
        _ => None,
    };
    if let (Some(xs), Some(xp), Some(k)) = (xray_live, &plan.xray, &keys)
        && k.blocks(xs)
    {
        receipts.xray = Some(crate::xray::upload::run_checked(
            http,
            xs,
            &settings.output,
            xp,
            tests,
            &crate::plan::RunResults::new(xs, xp, tests),
            &Default::default(),
            &[],
            k,
            &mut progress,
        ));
        return receipts;
    }
    let mut filed_plan = None;
    // A stop before the bugs: none is filed (the next run files them); the upload below still
    // spools every chunk.
    if let (Some(js), Some(jp)) = (jira_live, &plan.jira)
        && !crate::stop::requested()
    {
        // Without Xray the keys are checked in Jira itself (issue type Test, a configured
        // project), so a Jira-only run still links bugs to real Tests and nothing else.
        let jira_checked = match &keys {
            None if !dry_run => jira_key_check(http, js, jp, tests, settings, &mut progress),
            _ => None,
        };
        let verified = |key: &str| {
            keys.as_ref().is_some_and(|k| k.check.is_verified(key))
                || jira_checked.as_ref().is_some_and(|c| c.is_verified(key))
        };
        // A dry run writes nothing, so its would-… lines keep every key (none is checked).
        let jp = if dry_run {
            std::borrow::Cow::Borrowed(jp)
        } else {
            crate::jira::file::only_verified_keys(jp, tests, &verified)
        };
        receipts.jira = Some(crate::jira::file::run(
            http,
            js,
            &jp,
            tests,
            dry_run,
            &mut progress,
        ));
        filed_plan = Some(jp);
    }
    if dry_run {
        return receipts;
    }
    if let (Some(xs), Some(xp), Some(keys)) = (xray_live, &plan.xray, &keys) {
        let defects = receipts
            .jira
            .as_ref()
            .map(|j| j.bug_keys.clone())
            .unwrap_or_default();
        // Directories that held result files; only those inside the workspace become evidence
        // roots (`xray::evidence::evidence_roots`).
        let mut roots: Vec<PathBuf> = results
            .files
            .iter()
            .filter(|f| matches!(f.status, crate::model::FileStatus::Parsed { .. }))
            .filter_map(|f| f.path.parent().map(std::path::Path::to_path_buf))
            .collect();
        roots.sort();
        roots.dedup();
        // Execution fields are checked against the create screen before anything is sent.
        let prepared;
        let xs = if !xs.execution_fields.is_empty()
            && matches!(xp.target, crate::plan::ExecutionTarget::Create { .. })
        {
            match crate::xray::exec_fields::prepare(http, xs, settings.jira.as_ref(), &mut progress)
            {
                Ok(x) => {
                    prepared = x;
                    &prepared
                }
                Err(message) => {
                    progress(&format!(
                        "Xray: error: Test Execution not created: {message}"
                    ));
                    receipts.xray = Some(crate::xray::exec_fields::refused(xp, message));
                    return receipts;
                }
            }
        } else {
            xs
        };
        // Status names Xray Cloud does not have would record those runs as TO DO, silently:
        // checked once, replaced by the defaults (`xray::statuses`).
        let statuses = crate::xray::statuses::check(http, keys.client(), xs);
        let xs = statuses.settings.as_ref().unwrap_or(xs);
        for w in &statuses.warnings {
            progress(&format!("Xray: warning: {w}"));
        }
        // The tests carry the status names they are sent with.
        let tests = match &statuses.settings {
            Some(fixed) => crate::plan::Tests::new(&plan.tests, results, &fixed.statuses),
            None => tests,
        };
        // Requirement keys that are not requirements would refuse the whole import: looked up
        // first, dropped from the payload and reported (`xray::requirements`).
        let required =
            crate::xray::requirements::check(http, xs, keys.client(), xp, tests, &mut progress);
        let xp = required.plan.as_ref().unwrap_or(xp);
        receipts.xray = Some(crate::xray::upload::run_checked(
            http,
            xs,
            &settings.output,
            xp,
            tests,
            &crate::plan::RunResults::new(xs, xp, tests),
            &defects,
            &roots,
            keys,
            &mut progress,
        ));
        // Test Sets, repository folders and requirement links of keyed Tests (one lookup of
        // the runs).
        if let Some(xr) = receipts.xray.as_mut() {
            let refused = std::mem::take(&mut xr.requirements.missing);
            xr.requirements.missing = required.receipt.missing;
            xr.requirements.missing.extend(refused);
            xr.warnings.extend(required.warnings);
            xr.warnings.extend(statuses.warnings);
            crate::xray::organize::after_import(
                http,
                xs,
                settings.jira.as_ref(),
                keys.client(),
                xr,
                xp,
                tests,
                &mut progress,
            );
        }
        // Bugs of results sent by definition: link them to the Test the import matched or
        // created, once it is known (one batched lookup of the execution's runs).
        if let (Some(js), Some(jp), Some(jr), Some(xr)) = (
            jira_live,
            &filed_plan,
            receipts.jira.as_mut(),
            receipts.xray.as_mut(),
        ) && !crate::stop::requested()
        {
            let wanted = crate::jira::file::tests_to_link(jp, jr);
            if !wanted.is_empty() {
                let landed = crate::xray::upload::find_landed(
                    http,
                    xs,
                    keys,
                    xr,
                    xp,
                    tests,
                    &defects,
                    &wanted,
                    &mut progress,
                );
                crate::jira::file::link_landed(http, js, jp, tests, &landed, jr, &mut progress);
            }
        }
    }
    receipts
}

/// The Jira-side key check of a run without Xray: the keys the bug plan would link or close
/// by, looked up in Jira (`key in (…)`, stale keys dropped and asked again). `None` when there
/// is nothing to check or no configured project a Test could be in.
fn jira_key_check(
    http: &Http,
    js: &crate::settings::JiraSettings,
    jp: &crate::plan::JiraPlan,
    tests: crate::plan::Tests<'_>,
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Option<crate::xray::keys::KeyCheck> {
    let mut keys: std::collections::BTreeSet<String> = jp
        .intents
        .iter()
        .filter_map(|i| i.report.xray_key.as_ref().map(|k| k.to_string()))
        .collect();
    for p in &jp.close_on_pass {
        if let Some(k) = tests.try_get(p.test).and_then(|t| t.key()) {
            keys.insert(k.to_string());
        }
    }
    let projects = crate::xray::keys::projects(settings);
    if keys.is_empty() || projects.is_empty() {
        return None;
    }
    let client = crate::jira::client::Client::new(http, js);
    let found = crate::xray::keys::check_with(&keys, &projects, |batch| {
        client.issue_types_of(batch).map(|hits| {
            hits.into_iter()
                .map(|(key, issue_type)| crate::xray::client::FoundTest {
                    key,
                    issue_type,
                    test_type: None,
                })
                .collect()
        })
    });
    match found {
        Ok(check) => Some(check),
        Err(e) => {
            progress(&format!(
                "jira: warning: could not check the Test keys, so no bug is linked to a Test: {e}"
            ));
            None
        }
    }
}

/// Annotations, job summary, step outputs and the optional PR comment.
fn publish_github(
    settings: &Settings,
    summary: &crate::report::summary_data::RunSummary,
    secrets: &[&crate::secret::Secret],
    env: &dyn Fn(&str) -> Option<String>,
    dry_run: bool,
    may_send: bool,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let genv = github::GithubEnv::from_vars(env);
    github::publish(&genv, summary, secrets, &mut WriteAdapter(out)).map_err(stdout_error)?;
    if !settings.output.pr_comment || !may_send {
        return Ok(());
    }
    if dry_run {
        // A dry run sends nothing to anyone, GitHub included.
        let _ = writeln!(out, "xray-sync: dry run: no PR comment was posted");
        return Ok(());
    }
    let job_key = settings.ci.job.as_deref();
    let Some(target) = genv.pr_target(
        settings.ci.pr_number,
        settings.output.github_token.as_ref(),
        job_key,
    ) else {
        let _ = writeln!(
            out,
            "::warning::xray-sync: no PR comment (not a pull request run, or GITHUB_TOKEN is not set)"
        );
        return Ok(());
    };
    let body = github::pr_comment::pr_comment_body(summary, job_key, secrets);
    // The same HTTP stack as every other call: CA bundle, --insecure, proxy, timeouts, retries.
    let http = &Http::new(&settings.http).map_err(RunError::Http)?;
    match github::pr_comment::upsert(http, &target, &body) {
        Ok(github::pr_comment::PrCommentOutcome::Skipped { reason }) => {
            let _ = writeln!(
                out,
                "::warning::xray-sync: PR comment skipped: {}",
                github::neutralise(&reason)
            );
        }
        Ok(_) => {}
        Err(e) => {
            let text = crate::secret::scrub(&e.to_string(), secrets);
            let _ = writeln!(out, "::warning::xray-sync: {}", github::neutralise(&text));
        }
    }
    Ok(())
}

/// What a stopped run did and did not send, one line each, first the reason.
fn stop_lines(
    reason: crate::stop::StopReason,
    receipts: &Receipts,
    jira_live: bool,
) -> Vec<String> {
    use crate::xray::upload::ChunkStatus;
    let mut lines = vec![format!(
        "stopped by {}: no new request was started after it",
        reason.describe()
    )];
    if let Some(x) = &receipts.xray {
        let count = |status: ChunkStatus| {
            let chunks: Vec<_> = x.chunks.iter().filter(|c| c.status == status).collect();
            (chunks.len(), chunks.iter().map(|c| c.tests).sum::<usize>())
        };
        let (sent, sent_tests) = count(ChunkStatus::Sent);
        let (spooled, spooled_tests) = count(ChunkStatus::Spooled);
        let (lost, lost_tests) = count(ChunkStatus::NotSent);
        let target = x
            .execution
            .as_ref()
            .map(|k| format!(" to {k}"))
            .unwrap_or_default();
        lines.push(format!(
            "Xray: {sent} of {} chunk(s) sent{target} ({sent_tests} result(s))",
            x.chunks.len()
        ));
        if let Some(dir) = &x.spool {
            let into = match &x.execution {
                Some(k) => format!("appends them to {k}"),
                None => "creates the execution (or finds it by its run marker) and sends them"
                    .to_string(),
            };
            lines.push(format!(
                "Xray: {spooled} chunk(s) ({spooled_tests} result(s)) not sent, saved to {}; `xray-sync resend {}` {into}",
                dir.display(),
                dir.display()
            ));
        }
        if lost > 0 {
            lines.push(format!(
                "Xray: {lost} chunk(s) ({lost_tests} result(s)) neither sent nor saved"
            ));
        }
    }
    match &receipts.jira {
        Some(j) => lines.push(format!(
            "Jira: {} bug action(s) done before the stop; failing tests not yet handled are filed by the next run",
            j.actions.len()
        )),
        None if jira_live => lines.push(
            "Jira: no bug was filed (the stop came first); the next run files them".to_string(),
        ),
        None => {}
    }
    lines
}

fn stdout_error(source: std::io::Error) -> RunError {
    RunError::Output {
        path: PathBuf::from("<stdout>"),
        source,
    }
}

/// `&mut dyn Write` as a sized `Write`, for helpers generic over `impl Write`.
struct WriteAdapter<'a>(&'a mut dyn Write);

impl Write for WriteAdapter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Writes `--plan-json` of `plan`, built from `run` with `settings`.
pub fn write_plan_file(
    plan: &Plan,
    run: &crate::model::TestRun,
    settings: &Settings,
    path: &std::path::Path,
) -> Result<(), RunError> {
    let wrap = |source| RunError::Output {
        path: path.to_path_buf(),
        source,
    };
    // Never through a symlink planted at `path` (see `outfile`).
    crate::outfile::write_with(path, crate::outfile::PUBLIC_MODE, |w| {
        plan::json::write_plan_json(plan, run, settings, w)
    })
    .map_err(wrap)
}
