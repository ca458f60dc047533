//! The `xray-sync` binary: parse the command line, run a command, map failures to exit codes.
//!
//! Exit codes live here and only here (the README has the same table):
//! 0 done; 1 tests failed and `--fail-on-test-failure` is set; 2 usage or configuration error;
//! 3 input error (no result files, a result file that could not be read — after everything
//! readable was processed, unless `--allow-bad-files` — or any under `--strict`, unmapped
//! results under `--unmapped fail`); 4 Xray or Jira rejected the request or could not be reached.
//! Errors print with `{:#}` (Display with causes), never Debug, so secrets stay redacted.

use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use xray_sync::cli::{Cli, Command, InputArgs};
use xray_sync::ingest::{self, IngestError, InputOptions};
use xray_sync::plan::PlanError;
use xray_sync::run::{self, RunError as LibRunError};
use xray_sync::settings::{self, SettingsError, Source};

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
}

impl RunError {
    fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Input(_) => 3,
            RunError::Remote(_) => 4,
            RunError::Doctor(code) => *code,
        }
    }

    fn error(&self) -> Option<&anyhow::Error> {
        match self {
            RunError::Usage(e) | RunError::Input(e) | RunError::Remote(e) => Some(e),
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
    match IngestError::bad_files(&results) {
        None => Ok(()),
        Some(_) if input.allow_bad_files.unwrap_or(false) => {
            eprintln!(
                "warning: {} result file(s) could not be read (allowed by --allow-bad-files); everything readable was processed",
                results.failed_files().count()
            );
            Ok(())
        }
        Some(bad) => Err(bad.into()),
    }
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
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
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
            let value = if t.value.is_empty() { "-" } else { &t.value };
            writeln!(out, "{name:<48} {value:<40} {source}")?;
        }
        writeln!(out, "ci: {}", settings.ci.provider.as_str())?;
        for n in &settings.notes {
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
    let mut settings_args = args.settings.clone();
    settings_args.json = Some(args.json);
    // Resolved leniently (as a dry run): a missing credential is the settings check's finding,
    // not a reason to stop before the other checks.
    let (settings, _trace) = settings::load(&settings_args, &input, true, &env)?;
    // Which credential variables were given (by env or by flag), before resolution hid it.
    let given: Vec<String> = matches
        .map(|m| {
            Cli::command()
                .find_subcommand("doctor")
                .map(|c| {
                    c.get_arguments()
                        .filter(|a| {
                            matches!(
                                m.value_source(a.get_id().as_str()),
                                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
                            )
                        })
                        .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let inputs = (!settings.inputs.patterns.is_empty()).then(|| {
        ingest::collect(&InputOptions {
            patterns: settings.inputs.patterns.clone(),
            allow_empty: false,
            strict: false,
        })
    });
    let opts = xray_sync::doctor::Options {
        patterns: settings.inputs.patterns.clone(),
        json: args.json,
        send_test_issue: args.send_test_issue,
        given,
    };
    let report = xray_sync::doctor::run(&settings, &opts, inputs);
    // Checks quote server answers: neutralised (the JSON form keeps its value).
    let text = report.render(args.json);
    let text = if args.json {
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
    let (settings, _trace) = settings::load(&args.settings, &input, false, &env)?;
    let Some(xray) = settings.xray.as_ref().filter(|x| x.is_live()) else {
        return Err(RunError::Usage(anyhow::anyhow!(
            "resend needs Xray settings (XRAY_URL / XRAY_CLIENT_ID / XRAY_CLIENT_SECRET, or the DC credentials)"
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
    if receipt.failed() {
        let lines: Vec<String> = receipt.errors.iter().map(|e| e.message.clone()).collect();
        return Err(RunError::Remote(anyhow::anyhow!("{}", lines.join("\n"))));
    }
    Ok(())
}
