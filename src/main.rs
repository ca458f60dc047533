//! The `xray-sync` binary: parse the command line, run a command, map failures to exit codes.
//!
//! Exit codes live here and only here (the README has the same table):
//! 0 done; 1 tests failed and `--fail-on-test-failure` is set; 2 usage or configuration error;
//! 3 input error (no result files, bad files under `--strict`, unmapped results under
//! `--unmapped fail`); 4 Xray or Jira rejected the request or could not be reached.
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
    #[allow(dead_code)] // produced once the executors are merged
    Remote(anyhow::Error),
}

impl RunError {
    fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Input(_) => 3,
            RunError::Remote(_) => 4,
        }
    }

    fn error(&self) -> &anyhow::Error {
        match self {
            RunError::Usage(e) | RunError::Input(e) | RunError::Remote(e) => e,
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
            LibRunError::Output { .. } => RunError::Usage(e.into()),
            LibRunError::NotBuilt(_) => RunError::Usage(e.into()),
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
        Command::Doctor(_) => Err(RunError::Usage(anyhow::anyhow!(
            "doctor not built in this branch"
        ))),
        Command::Resend(_) => Err(RunError::Usage(anyhow::anyhow!(
            "resend not built in this branch"
        ))),
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
            eprintln!("error: {:#}", e.error());
            eprintln!("hint: {}", e.hint());
            ExitCode::from(e.exit_code())
        }
    }
}

fn parse(input: &InputArgs, json: bool, out: &mut dyn Write) -> Result<(), RunError> {
    let results = ingest::collect(&InputOptions {
        patterns: input.split_patterns(),
        allow_empty: input.allow_empty.unwrap_or(false),
        strict: input.strict.unwrap_or(false),
    })?;
    ingest::parse_output::print_parse(&results, json, out)
        .map_err(|e| RunError::Usage(anyhow::Error::new(e).context("writing to stdout")))
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
