//! The `xray-sync` binary: parse the command line, run a command, map failures to exit codes.
//!
//! Exit codes live here and only here (the README has the same table):
//! 0 done; 1 tests failed and `--fail-on-test-failure` is set; 2 usage or configuration error;
//! 3 input error (no result files, a result file that could not be read — after everything
//! readable was processed, unless `--allow-bad-files` — or any under `--strict`, unmapped
//! results under `--unmapped fail`); 4 Xray or Jira rejected the request or could not be reached (or the run
//! deadline passed); 130/143 stopped by SIGINT/SIGTERM (reports written, unsent results spooled).
//! Errors print with `{:#}` (Display with causes), never Debug, so secrets stay redacted.

use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use xray_sync::cli::{Cli, Command, ExecutionCommand, InputArgs};
use xray_sync::ingest::{self, IngestError, InputOptions};
use xray_sync::plan::PlanError;
use xray_sync::run::{self, RunError as LibRunError};
use xray_sync::settings::{self, SettingsError, Source};
use xray_sync::stop::StopReason;

// musl's allocator (the static Linux release binaries) is much slower than glibc's on a large
// run: a dry run of 950,000 tests took 5.2 s against glibc's 3.1 s, most of the gap in
// allocation and the memory it gives back at once (benches/README.md); jemalloc brings it to
// 3.1 s. x86_64 only: jemalloc is built for the build machine's page size, and aarch64 kernels
// run with 4, 16 or 64 KiB pages.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A failure, by the exit code it gets.
#[derive(Debug)]
enum RunError {
    /// Bad flags, settings or config file, or a command this build does not have.
    Usage(anyhow::Error),
    /// The result files: none matched, unreadable, malformed under `--strict`, unmapped.
    Input(anyhow::Error),
    /// Xray or Jira refused or could not be reached (payload spooled).
    Remote(anyhow::Error),
    /// `doctor` found a problem: its report already says what and how to fix it.
    Doctor(u8),
    /// SIGINT (130) or SIGTERM (143) stopped the run; everything was written, unsent results
    /// were spooled. (The run deadline stops the same way but exits 4, as `Remote`.)
    Stopped(u8, anyhow::Error),
}

impl RunError {
    fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Input(_) => 3,
            RunError::Remote(_) => 4,
            RunError::Doctor(code) => *code,
            RunError::Stopped(code, _) => *code,
        }
    }

    fn error(&self) -> Option<&anyhow::Error> {
        match self {
            RunError::Usage(e)
            | RunError::Input(e)
            | RunError::Remote(e)
            | RunError::Stopped(_, e) => Some(e),
            RunError::Doctor(_) => None,
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            RunError::Usage(_) => {
                "see `xray-sync --help`; `xray-sync config` shows every resolved setting"
            }
            RunError::Input(_) => "`xray-sync parse PATTERN...` shows what was read",
            RunError::Remote(_) => {
                "`xray-sync doctor` checks credentials, permissions and connectivity"
            }
            RunError::Doctor(_) => "fix the first failing check, then run `xray-sync doctor` again",
            RunError::Stopped(..) => {
                "`xray-sync resend SPOOL_DIR` sends what was saved; the next run files the bugs left out"
            }
        }
    }
}

impl From<LibRunError> for RunError {
    fn from(e: LibRunError) -> Self {
        match e {
            LibRunError::Settings(e) => RunError::Usage(e.into()),
            LibRunError::Input(e) => RunError::Input(e.into()),
            LibRunError::Plan(e @ PlanError::Unmapped { .. }) => RunError::Input(e.into()),
            LibRunError::Plan(e @ (PlanError::Mapping(_) | PlanError::BadScope { .. })) => {
                RunError::Usage(e.into())
            }
            LibRunError::Output { .. } | LibRunError::Http(_) | LibRunError::NothingToDo(_) => {
                RunError::Usage(e.into())
            }
            LibRunError::Remote(_) => RunError::Remote(e.into()),
            LibRunError::Stopped { reason, .. } => match reason {
                StopReason::Interrupt => RunError::Stopped(130, e.into()),
                StopReason::Terminate => RunError::Stopped(143, e.into()),
                StopReason::Deadline(_) => RunError::Remote(e.into()),
            },
            LibRunError::StaleKeys(_) => RunError::Input(e.into()),
        }
    }
}

impl From<IngestError> for RunError {
    fn from(e: IngestError) -> Self {
        RunError::Input(e.into())
    }
}

impl From<SettingsError> for RunError {
    fn from(e: SettingsError) -> Self {
        RunError::Usage(e.into())
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn main() -> ExitCode {
    let matches = match xray_sync::cli::command(&env).try_get_matches() {
        Ok(m) => m,
        // --help / --version exit 0, usage errors exit 2 (clap's own convention matches ours).
        Err(e) => e.exit(),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if matches!(
        cli.command,
        Command::Run(_) | Command::Resend(_) | Command::Execution(_)
    ) && let Err(e) = xray_sync::stop::install_signal_handlers()
    {
        // Without them a signal still ends the process, only without the reports.
        eprintln!("warning: could not install the SIGINT/SIGTERM handlers: {e}");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Run(args) => run::run(args, &env, &mut out)
            .map_err(RunError::from)
            .map(|o| o.tests_failed && o.fail_on_test_failure),
        Command::Parse(args) => parse(&args.input, args.json, &mut out).map(|()| false),
        Command::Doctor(args) => {
            let sub = matches.subcommand_matches("doctor");
            doctor(args, sub, &mut out).map(|()| false)
        }
        Command::Resend(args) => resend(args, &mut out).map(|()| false),
        Command::Execution(args) => match &args.command {
            ExecutionCommand::Create(a) => {
                xray_sync::commands::execution::create(a, &env, &mut out)
                    .map(|_| false)
                    .map_err(RunError::from)
            }
            ExecutionCommand::Finish(a) => {
                xray_sync::commands::execution::finish(a, &env, &mut out)
                    .map(|_| false)
                    .map_err(RunError::from)
            }
        },
        Command::Config(args) => {
            let sub = matches.subcommand_matches("config");
            config(&args.settings, sub, &mut out).map(|()| false)
        }
    };
    let _ = out.flush();
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            if let Some(err) = e.error() {
                // Error text quotes servers and result files: neutralised like any other.
                eprintln!(
                    "error: {}",
                    xray_sync::untrusted::block(&format!("{err:#}"), 64 * 1024)
                );
            }
            eprintln!("hint: {}", e.hint());
            ExitCode::from(e.exit_code())
        }
    }
}

/// `xray-sync parse`: prints what was read, bad files included, then exits 3 when a file could
/// not be read (a warning on stderr instead with `--allow-bad-files`).
fn parse(input: &InputArgs, json: bool, out: &mut dyn Write) -> Result<(), RunError> {
    let results = ingest::collect(&InputOptions {
        patterns: input.split_patterns(),
        allow_empty: input.allow_empty.unwrap_or(false),
        strict: input.strict.unwrap_or(false),
    })?;
    ingest::parse_output::print_parse(&results, json, out)
        .map_err(|e| RunError::Usage(anyhow::Error::new(e).context("writing to stdout")))?;
    let outcome = match IngestError::bad_files(&results) {
        None => Ok(()),
        Some(_) if input.allow_bad_files.unwrap_or(false) => {
            eprintln!(
                "warning: {} result file(s) could not be read (allowed by --allow-bad-files); everything readable was processed",
                results.failed_files().count()
            );
            Ok(())
        }
        Some(bad) => Err(bad.into()),
    };
    // The process ends right after this: its memory goes back to the system at once, so the
    // run's heap blocks (several per test) are not freed one by one (~2 % of the CPU of
    // `parse` on 200,000 tests). Only after the output is written and flushed.
    let _ = out.flush();
    std::mem::forget(results);
    outcome
}

/// `xray-sync config`: every resolved value and where it came from. Secrets print as `***`.
fn config(
    args: &xray_sync::cli::SettingsArgs,
    matches: Option<&clap::ArgMatches>,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let input = InputArgs {
        patterns: vec![],
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    };
    // Resolved as a dry run: missing credentials are notes here, not errors.
    let (settings, trace) = settings::load(args, &input, true, &env)?;
    let command = Cli::command();
    let config_cmd = command.find_subcommand("config");
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for t in &trace.entries {
        let arg = config_cmd.and_then(|c| c.get_arguments().find(|a| a.get_id() == t.id));
        let env_name = arg
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned());
        let source = match t.source {
            Source::Cli => match matches.and_then(|m| m.value_source(t.id)) {
                Some(ValueSource::CommandLine) => "flag".to_string(),
                Some(ValueSource::EnvVariable) => {
                    format!("env {}", env_name.clone().unwrap_or_default())
                }
                Some(ValueSource::DefaultValue) | Some(_) | None => "flag/env".to_string(),
            },
            Source::File => "file".into(),
            Source::Default => "default".into(),
        };
        let name = match &env_name {
            Some(e) => format!("{} ({e})", t.id),
            None => t.id.to_string(),
        };
        let value = if t.value.is_empty() {
            "-".to_string()
        } else {
            t.value.clone()
        };
        rows.push((name, value, source));
    }
    // Columns as wide as their widest entry (a long template included), so every row lines up.
    let name_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let value_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        for (name, value, source) in &rows {
            writeln!(out, "{name:<name_w$}  {value:<value_w$}  {source}")?;
        }
        writeln!(
            out,
            "ci: {} ({})",
            settings.ci.provider.as_str(),
            settings.ci.detected_by
        )?;
        // `config` resolves leniently, like a dry run; what a dry run would do is not its news.
        for n in settings.notes.iter().filter(|n| !n.contains("dry run")) {
            writeln!(out, "note: {n}")?;
        }
        Ok(())
    };
    write(out).map_err(|e| RunError::Usage(anyhow::Error::new(e).context("writing to stdout")))
}

/// `xray-sync doctor`: every check in order, one line each with its fix.
fn doctor(
    args: &xray_sync::cli::DoctorArgs,
    matches: Option<&clap::ArgMatches>,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let input = InputArgs {
        patterns: args.patterns.clone(),
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    };
    let mut settings_args = args.settings();
    settings_args.output.json = Some(args.json);
    // Which settings were given (by env or by flag), before resolution hid it.
    let doctor_cmd = Cli::command();
    let doctor_args: Vec<&clap::Arg> = doctor_cmd
        .find_subcommand("doctor")
        .map(|c| c.get_arguments().collect())
        .unwrap_or_default();
    let env_of = |id: &str| {
        doctor_args
            .iter()
            .find(|a| a.get_id() == id)
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
    };
    let mut given: Vec<String> = matches
        .map(|m| {
            doctor_args
                .iter()
                .filter(|a| {
                    matches!(
                        m.value_source(a.get_id().as_str()),
                        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
                    )
                })
                .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut opts = xray_sync::doctor::Options {
        patterns: Vec::new(),
        json: args.json,
        send_test_issue: args.send_test_issue,
        given: given.clone(),
        no_upload: settings_args.target.no_upload.unwrap_or(false),
        no_bugs: settings_args.target.no_bugs.unwrap_or(false),
    };
    // Resolved leniently (as a dry run): a missing credential is the settings check's finding,
    // not a reason to stop before the other checks. A value that cannot be resolved at all (a
    // lowercase project key, a malformed URL) is the settings check's failure too.
    let (settings, trace) = match settings::load(&settings_args, &input, true, &env) {
        Ok(loaded) => loaded,
        Err(e) => {
            // The report shows it as the settings line, with every other check waiting on it;
            // the exit code is the configuration error's (2), like every other command's.
            let report = xray_sync::doctor::unresolvable(&e.to_string(), &opts);
            write!(out, "{}", report.render(args.json))
                .map_err(|e| RunError::Usage(anyhow::Error::new(e).context("writing to stdout")))?;
            return Err(RunError::Usage(e.into()));
        }
    };
    // Settings from the config file count as given too (by their env var name).
    for t in &trace.entries {
        if t.source == Source::File
            && let Some(var) = env_of(t.id)
            && !given.contains(&var)
        {
            given.push(var);
        }
    }
    let inputs = (!settings.inputs.patterns.is_empty()).then(|| {
        ingest::collect(&InputOptions {
            patterns: settings.inputs.patterns.clone(),
            allow_empty: false,
            strict: false,
        })
    });
    opts.patterns = settings.inputs.patterns.clone();
    opts.given = given;
    let report = xray_sync::doctor::run(&settings, &opts, inputs);
    print_doctor(&report, args.json, out)
}

fn print_doctor(
    report: &xray_sync::doctor::DoctorReport,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    // Checks quote server answers: neutralised (the JSON form keeps its value).
    let text = report.render(json);
    let text = if json {
        xray_sync::untrusted::json(&text)
    } else {
        xray_sync::untrusted::neutralise(&text)
    };
    write!(out, "{text}")
        .map_err(|e| RunError::Usage(anyhow::Error::new(e).context("writing to stdout")))?;
    match report.exit_code() {
        0 => Ok(()),
        code => Err(RunError::Doctor(code)),
    }
}

/// `xray-sync resend SPOOL_DIR`: send what a failed run spooled.
fn resend(args: &xray_sync::cli::ResendArgs, out: &mut dyn Write) -> Result<(), RunError> {
    let input = InputArgs {
        patterns: vec![],
        allow_empty: None,
        strict: None,
        allow_bad_files: None,
    };
    let (settings, _trace) = settings::load(&args.settings(), &input, false, &env)?;
    xray_sync::stop::set_deadline(settings.http.max_run_time);
    xray_sync::outfile::confine_to(&settings.output.workspace);
    let Some(xray) = settings.xray.as_ref().filter(|x| x.is_live()) else {
        use xray_sync::cli::env;
        return Err(RunError::Usage(anyhow::anyhow!(
            "resend needs Xray settings ({} / {} / {}, or the DC credentials)",
            env::XRAY_URL,
            env::XRAY_CLIENT_ID,
            env::XRAY_CLIENT_SECRET
        )));
    };
    let http = xray_sync::http::Http::new(&settings.http).map_err(RunError::Usage)?;
    let mut progress = |line: &str| {
        let _ = writeln!(out, "{}", xray_sync::untrusted::block(line, 4096));
    };
    let receipt = xray_sync::commands::resend::resend(&http, xray, &args.spool_dir, &mut progress)
        .map_err(RunError::Input)?;
    if let Some(key) = &receipt.execution {
        let _ = writeln!(
            out,
            "Xray: results are in {key} ({} test result(s) sent)",
            receipt.tests_sent
        );
    }
    // As `run` prints its notes: what was not done or done differently is said, not hidden.
    for warning in &receipt.warnings {
        let _ = writeln!(out, "note: {}", xray_sync::untrusted::block(warning, 4096));
    }
    if let Some(reason) = xray_sync::stop::reason() {
        let left = receipt
            .chunks
            .iter()
            .filter(|c| c.status != xray_sync::xray::upload::ChunkStatus::Sent)
            .count();
        let e = anyhow::anyhow!(
            "stopped by {}: {left} chunk(s) still in {}; run `xray-sync resend {}` again",
            reason.describe(),
            args.spool_dir.display(),
            args.spool_dir.display()
        );
        return Err(match reason {
            StopReason::Interrupt => RunError::Stopped(130, e),
            StopReason::Terminate => RunError::Stopped(143, e),
            StopReason::Deadline(_) => RunError::Remote(e),
        });
    }
    if receipt.failed() {
        let lines: Vec<String> = receipt.errors.iter().map(|e| e.message.clone()).collect();
        return Err(RunError::Remote(anyhow::anyhow!("{}", lines.join("\n"))));
    }
    Ok(())
}
