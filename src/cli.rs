//! The command line: commands, flags and the environment variable behind each flag.
//!
//! Owns stage one of configuration: what was typed or exported, unchecked (clap merges flags
//! over environment variables). `settings` resolves it against `xray-sync.toml` and defaults.
//! Every flag that has an environment variable names it here, so `--help` documents all of them;
//! the names themselves are constants in `env.rs`, shared with the resolver, doctor and messages.
//! Each setting flag is declared once, in a group (`ConnectionArgs`, `TargetArgs`, …) that
//! `SettingsArgs` and each command flatten as they need them.
//! Secrets use `hide_env_values`, so `--help` never shows their values.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::secret::Secret;

pub mod env;

/// CI test results (JUnit XML, Allure, NUnit, xUnit.net, TRX, TestNG, Robot Framework, Cucumber,
/// Behave) in, an Xray Test Execution and deduplicated Jira bugs out.
#[derive(Debug, Parser)]
#[command(name = "xray-sync", version, max_term_width = 100, after_help = TOP_LEVEL_AFTER_HELP,
          about = "Turn CI test results into an Xray Test Execution and deduplicated Jira bugs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Shown under `xray-sync --help`: where the settings are documented, and the exit codes.
const TOP_LEVEL_AFTER_HELP: &str = "\
Formats (recognised by content, any mix): JUnit XML (Surefire, pytest, Jest, Go, Gradle, ...), \
Allure 2 results (*-result.json), Allure 1 XML (*-testsuite.xml), NUnit 2 and 3 XML, \
xUnit.net v1/v2 XML, MSTest/VSTest TRX, TestNG testng-results.xml, Robot Framework output.xml, \
Cucumber JSON, Behave JSON, Playwright JSON reporter output.

Every setting is a flag, an environment variable (XRAY_*, JIRA_*, ATLASSIAN_*, XRAY_SYNC_*, \
GITHUB_TOKEN) or a key in xray-sync.toml; `xray-sync run --help` lists each flag with its \
variable, and `xray-sync config` shows the resolved values.

Exit codes: 0 done; 1 tests failed with --fail-on-test-failure (doctor: a check failed); 2 usage \
or configuration error; 3 input error (no result files, a result file that could not be read \
unless --allow-bad-files); 4 Xray or Jira rejected or unreachable, or --max-run-time passed \
(unsent results are spooled); 130/143 stopped by SIGINT/SIGTERM (reports written, unsent \
results spooled).";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read results, plan, and send them to Xray and Jira (or only show the plan with --dry-run).
    Run(RunArgs),
    /// Read result files and print what was read (per file: format and counts; --json: every test).
    Parse(ParseArgs),
    /// Check configuration, credentials, permissions and inputs, one line per check.
    Doctor(DoctorArgs),
    /// Send payloads spooled by a failed run.
    Resend(ResendArgs),
    /// Print every resolved setting with where it came from (flag, env, file, default).
    Config(ConfigArgs),
    /// One Test Execution for many jobs: `create` it before a matrix, `finish` it after.
    Execution(ExecutionArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExecutionArgs {
    #[command(subcommand)]
    pub command: ExecutionCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ExecutionCommand {
    /// Create an empty Test Execution with everything a run would set on it; print its key
    /// (also in --report and the step output test-execution-key). Pass it to every shard as
    /// XRAY_TEST_EXECUTION: they only append.
    Create(ExecutionCreateArgs),
    /// Recompute the title's counts of a Test Execution from its runs (e.g. in a fan-in job).
    Finish(ExecutionFinishArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExecutionCreateArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ExecutionFinishArgs {
    /// The Test Execution [default: XRAY_TEST_EXECUTION].
    // Its own id: `SettingsArgs` already has `test_execution`.
    #[arg(value_name = "KEY", id = "finish_execution_key")]
    pub key: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Which result files to read.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Result files, directories or globs (comma or newline separated in the variable).
    #[arg(value_name = "PATTERN", env = env::XRAY_SYNC_RESULTS)]
    pub patterns: Vec<String>,
    /// Succeed when no result file matches or the files hold no test (otherwise exit code 3).
    #[arg(long, env = env::XRAY_SYNC_ALLOW_EMPTY, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub allow_empty: Option<bool>,
    /// Any unreadable or malformed result file is fatal: nothing is sent.
    #[arg(long, env = env::XRAY_SYNC_STRICT, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub strict: Option<bool>,
    /// A result file that cannot be read (malformed, cut short, empty, an unsupported format) is
    /// a warning, not exit code 3. Everything readable is processed either way.
    #[arg(long, env = env::XRAY_SYNC_ALLOW_BAD_FILES, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub allow_bad_files: Option<bool>,
}

impl InputArgs {
    /// Patterns split on commas and newlines (how CI variables list several), trimmed.
    pub fn split_patterns(&self) -> Vec<String> {
        split_list(&self.patterns)
    }
}

/// `--max-run-time`: seconds, or a number with `s`, `m`, `h`.
fn parse_run_time(text: &str) -> Result<u64, String> {
    crate::stop::parse_duration(text).map(|d| d.as_secs())
}

/// Splits each value on commas and newlines, trims, drops empties.
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([',', '\n']))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Plan only: print what would be sent and filed. Needs no credentials and no network.
    #[arg(long, env = env::XRAY_SYNC_DRY_RUN, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub dry_run: Option<bool>,
    /// Machine-readable output on stdout.
    #[arg(long, env = env::XRAY_SYNC_JSON, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub json: Option<bool>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print every test case as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Result files, directories or globs to check as well, as `run` reads them (optional).
    #[arg(value_name = "PATTERN", env = env::XRAY_SYNC_RESULTS)]
    pub patterns: Vec<String>,
    /// One JSON object per check instead of text.
    #[arg(long)]
    pub json: bool,
    /// Create (and then close) a test issue to prove bug filing works end to end.
    #[arg(long)]
    pub send_test_issue: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub http: HttpArgs,
}

impl DoctorArgs {
    /// The settings doctor checks; everything it has no flag for is left to the config file
    /// and the defaults.
    pub fn settings(&self) -> SettingsArgs {
        SettingsArgs {
            connection: self.connection.clone(),
            target: self.target.clone(),
            http: self.http.clone(),
            ..SettingsArgs::default()
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ResendArgs {
    /// The spool directory a failed run wrote.
    #[arg(value_name = "SPOOL_DIR")]
    pub spool_dir: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub execution: ExecutionTargetArgs,
    #[command(flatten)]
    pub http: HttpArgs,
}

impl ResendArgs {
    /// The settings resend needs: where Xray is, how to sign in, the project, the execution
    /// it may append to and the Test Sets, HTTP.
    pub fn settings(&self) -> SettingsArgs {
        SettingsArgs {
            connection: self.connection.clone(),
            target: TargetArgs {
                execution: self.execution.clone(),
                ..TargetArgs::default()
            },
            http: self.http.clone(),
            ..SettingsArgs::default()
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deployment {
    Cloud,
    Dc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnmappedArg {
    Create,
    Skip,
    Fail,
}

/// Every setting that can come from a flag or the environment, in groups that commands flatten
/// as they need them. `None` = not given: the config file or the default decides.
///
/// Each flag is declared once, in its group; `display_order` is its place in `run --help`
/// (within its heading), so the order stays the one users know whatever the grouping.
#[derive(Debug, Clone, Default, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub xray: XrayRunArgs,
    #[command(flatten)]
    pub bugs: BugArgs,
    #[command(flatten)]
    pub mapping: MappingArgs,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub deadline: DeadlineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where the config file is, where Xray and Jira are, how to sign in, and the Xray project:
/// what every command that talks to a server reads (`run`, `doctor`, `resend`, `execution`).
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Config file [default: ./xray-sync.toml, when it exists].
    #[arg(display_order = 100, long, env = env::XRAY_SYNC_CONFIG, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Xray base URL: Cloud regional host (default https://xray.cloud.getxray.app), or the Jira base URL on DC.
    #[arg(display_order = 101, long, env = env::XRAY_URL, help_heading = "Xray")]
    pub xray_url: Option<String>,
    /// Xray Cloud API key client id.
    #[arg(display_order = 102, long, env = env::XRAY_CLIENT_ID, help_heading = "Xray")]
    pub xray_client_id: Option<String>,
    /// Xray Cloud API key client secret (never printed).
    #[arg(
        display_order = 103,
        long,
        env = env::XRAY_CLIENT_SECRET,
        hide_env_values = true,
        help_heading = "Xray"
    )]
    pub xray_client_secret: Option<Secret>,
    /// cloud or dc [default: cloud when a client id is set].
    #[arg(display_order = 104, long, env = env::XRAY_DEPLOYMENT, value_enum, help_heading = "Xray")]
    pub xray_deployment: Option<Deployment>,
    /// Jira project key of the Test Execution and of created Tests.
    #[arg(display_order = 105, long, env = env::XRAY_PROJECT, help_heading = "Xray")]
    pub project: Option<String>,
    /// Jira site URL (Cloud https://x.atlassian.net or the DC base URL).
    #[arg(display_order = 122, long, env = env::JIRA_URL, help_heading = "Jira")]
    pub jira_url: Option<String>,
    /// Jira Cloud account email (with JIRA_API_TOKEN).
    #[arg(display_order = 123, long, env = env::JIRA_EMAIL, help_heading = "Jira")]
    pub jira_email: Option<String>,
    /// Jira Cloud API token (never printed).
    #[arg(
        display_order = 124,
        long,
        env = env::JIRA_API_TOKEN,
        hide_env_values = true,
        help_heading = "Jira"
    )]
    pub jira_api_token: Option<Secret>,
    /// Jira/Xray DC personal access token (never printed).
    #[arg(display_order = 125, long, env = env::JIRA_PAT, hide_env_values = true, help_heading = "Jira")]
    pub jira_pat: Option<Secret>,
    /// Jira/Xray DC username (with JIRA_PASSWORD).
    #[arg(display_order = 126, long, env = env::JIRA_USERNAME, help_heading = "Jira")]
    pub jira_username: Option<String>,
    /// Jira/Xray DC password (never printed).
    #[arg(
        display_order = 127,
        long,
        env = env::JIRA_PASSWORD,
        hide_env_values = true,
        help_heading = "Jira"
    )]
    pub jira_password: Option<Secret>,
    /// Jira Cloud OAuth 2.0 client id (service account).
    #[arg(display_order = 128, long, env = env::JIRA_CLIENT_ID, help_heading = "Jira")]
    pub jira_client_id: Option<String>,
    /// Jira Cloud OAuth 2.0 client secret (never printed).
    #[arg(
        display_order = 129,
        long,
        env = env::JIRA_CLIENT_SECRET,
        hide_env_values = true,
        help_heading = "Jira"
    )]
    pub jira_client_secret: Option<Secret>,
    /// Atlassian OAuth token host [default: https://auth.atlassian.com].
    #[arg(display_order = 130, long, env = env::ATLASSIAN_AUTH_URL, help_heading = "Jira")]
    pub atlassian_auth_url: Option<String>,
    /// Atlassian API gateway [default: https://api.atlassian.com].
    #[arg(display_order = 131, long, env = env::ATLASSIAN_API_URL, help_heading = "Jira")]
    pub atlassian_api_url: Option<String>,
}

/// Where results and bugs go beyond the project: plan, execution, environments, fields, Test
/// Sets, repository folder, bug project and type, and the switches that turn a side off.
/// `doctor` checks all of them.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// Test Plan key to attach the execution to.
    #[arg(display_order = 106, long, env = env::XRAY_TEST_PLAN, help_heading = "Xray")]
    pub test_plan: Option<String>,
    /// The execution to append to and the Test Sets (`resend` reads these too).
    #[command(flatten)]
    pub execution: ExecutionTargetArgs,
    /// Test environments (comma list).
    #[arg(
        display_order = 108,
        long,
        env = env::XRAY_ENVIRONMENTS,
        value_delimiter = ',',
        help_heading = "Xray"
    )]
    pub environments: Option<Vec<String>>,
    /// Fix Version of the execution (must exist in the project).
    #[arg(display_order = 109, long, env = env::XRAY_FIX_VERSION, help_heading = "Xray")]
    pub fix_version: Option<String>,
    /// Jira fields of a created Test Execution, a JSON object: field id or name → value
    /// (e.g. '{"Environment type": "nightly", "components": ["api"]}').
    #[arg(display_order = 113, long, env = env::XRAY_EXECUTION_FIELDS, help_heading = "Xray")]
    pub execution_fields: Option<String>,
    /// Test Repository folder for the Tests the run creates or matches by definition, a path
    /// template ({suite} {classname} {package} {file}), e.g. '/CI/{package}'.
    #[arg(display_order = 115, long, env = env::XRAY_FOLDER, help_heading = "Xray")]
    pub folder: Option<String>,
    /// Skip the Xray upload entirely.
    #[arg(display_order = 121, long, env = env::XRAY_SYNC_NO_UPLOAD, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Xray")]
    pub no_upload: Option<bool>,
    /// Project bugs are filed in [default: the Xray project].
    #[arg(display_order = 132, long, env = env::JIRA_BUG_PROJECT, help_heading = "Jira")]
    pub bug_project: Option<String>,
    /// Issue type of filed bugs [default: Bug].
    #[arg(display_order = 133, long, env = env::JIRA_BUG_ISSUE_TYPE, help_heading = "Jira")]
    pub bug_issue_type: Option<String>,
    /// Skip bug filing entirely.
    #[arg(display_order = 138, long, env = env::XRAY_SYNC_NO_BUGS, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Jira")]
    pub no_bugs: Option<bool>,
}

/// The part of the target `resend` reads as well as `run`: the execution results append to
/// (`resend` sends there only when it is the one named, see `commands::resend`) and the Test
/// Sets every sent Test joins.
#[derive(Debug, Clone, Default, Args)]
pub struct ExecutionTargetArgs {
    /// Append to this Test Execution instead of creating one.
    #[arg(display_order = 107, long, env = env::XRAY_TEST_EXECUTION, help_heading = "Xray")]
    pub test_execution: Option<String>,
    /// Test Set keys every Test of the run is added to (comma list).
    #[arg(
        display_order = 114,
        long,
        env = env::XRAY_TEST_SETS,
        value_delimiter = ',',
        help_heading = "Xray"
    )]
    pub test_sets: Option<Vec<String>>,
}

/// How a run builds its Test Execution and import requests (only `run` and `execution` read
/// these).
#[derive(Debug, Clone, Default, Args)]
pub struct XrayRunArgs {
    /// Source revision [default: the CI commit sha].
    #[arg(display_order = 110, long, env = env::XRAY_REVISION, help_heading = "Xray")]
    pub revision: Option<String>,
    /// Execution summary template ({project} {date} {run_id} {sha} {ref} {workflow} {job} {total} {passed} {failed}).
    #[arg(display_order = 111, long, env = env::XRAY_SYNC_SUMMARY, help_heading = "Xray")]
    pub summary: Option<String>,
    /// Execution description template (same placeholders) [default: CI run link, ref, commit].
    #[arg(display_order = 112, long, env = env::XRAY_SYNC_DESCRIPTION, help_heading = "Xray")]
    pub description: Option<String>,
    /// Also move Tests given by key into the folder (by default they stay where they are).
    #[arg(display_order = 116, long, env = env::XRAY_MOVE_KEYED_TESTS, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Xray")]
    pub move_keyed_tests: Option<bool>,
    /// Most results per import request.
    #[arg(display_order = 117, long, env = env::XRAY_SYNC_CHUNK_MAX_TESTS, help_heading = "Xray")]
    pub chunk_max_tests: Option<usize>,
    /// Most bytes of JSON per import request.
    #[arg(display_order = 118, long, env = env::XRAY_SYNC_CHUNK_MAX_BYTES, help_heading = "Xray")]
    pub chunk_max_bytes: Option<usize>,
    /// Part of this CI run's execution identity: invocations of one CI run with the same group
    /// append to one Test Execution (e.g. one per environment).
    #[arg(display_order = 119, long, env = env::XRAY_SYNC_EXECUTION_GROUP, help_heading = "Xray")]
    pub execution_group: Option<String>,
    /// Every invocation creates its own Test Execution (no search for this CI run's execution).
    #[arg(display_order = 120, long, env = env::XRAY_SYNC_NEW_EXECUTION_PER_INVOCATION, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Xray")]
    pub new_execution_per_invocation: Option<bool>,
}

/// How a run files bugs (only `run` reads these).
#[derive(Debug, Clone, Default, Args)]
pub struct BugArgs {
    /// Dedup label prefix [default: xray-sync-].
    #[arg(display_order = 134, long, env = env::JIRA_LABEL_PREFIX, help_heading = "Jira")]
    pub label_prefix: Option<String>,
    /// File bugs for flaky tests too.
    #[arg(display_order = 135, long, env = env::XRAY_SYNC_FILE_FLAKY, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Jira")]
    pub file_flaky: Option<bool>,
    /// Close (transition) open bugs of tests that pass again.
    #[arg(display_order = 136, long, env = env::XRAY_SYNC_CLOSE_ON_PASS, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Jira")]
    pub close_on_pass: Option<bool>,
    /// More failing tests than this → one umbrella issue [default: 20; 0 = never].
    #[arg(display_order = 137, long, env = env::XRAY_SYNC_MASS_FAILURE_THRESHOLD, help_heading = "Jira")]
    pub mass_failure_threshold: Option<usize>,
}

/// Which results count and which Test each belongs to.
#[derive(Debug, Clone, Default, Args)]
pub struct MappingArgs {
    /// Mapping file (TOML or JSON): exact test id or glob → Xray key.
    #[arg(
        display_order = 139,
        long,
        env = env::XRAY_SYNC_MAPPING,
        value_name = "FILE",
        help_heading = "Mapping and scope"
    )]
    pub mapping_file: Option<PathBuf>,
    /// What to do with results that have no Xray key [default: create].
    #[arg(
        display_order = 140,
        long,
        env = env::XRAY_SYNC_UNMAPPED,
        value_enum,
        help_heading = "Mapping and scope"
    )]
    pub unmapped: Option<UnmappedArg>,
    /// Also find keys written CALC_123 in identifier-style test names.
    #[arg(display_order = 141, long, env = env::XRAY_SYNC_UNDERSCORE_KEYS, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Mapping and scope")]
    pub underscore_keys: Option<bool>,
    /// Only results whose test id or definition matches a glob (tag:GLOB matches tags). Comma list.
    #[arg(
        display_order = 142,
        long,
        env = env::XRAY_SYNC_INCLUDE,
        value_delimiter = ',',
        help_heading = "Mapping and scope"
    )]
    pub include: Option<Vec<String>>,
    /// Leave out results matching a glob (tag:GLOB matches tags). Comma list.
    #[arg(
        display_order = 143,
        long,
        env = env::XRAY_SYNC_EXCLUDE,
        value_delimiter = ',',
        help_heading = "Mapping and scope"
    )]
    pub exclude: Option<Vec<String>>,
}

/// TLS, timeouts and retries of every request.
#[derive(Debug, Clone, Default, Args)]
pub struct HttpArgs {
    /// Extra CA certificate (PEM) to trust.
    #[arg(
        display_order = 144,
        long,
        env = env::XRAY_SYNC_CA_CERT,
        value_name = "FILE",
        help_heading = "HTTP"
    )]
    pub ca_cert: Option<PathBuf>,
    /// Turn TLS verification off (dangerous; prints a warning).
    #[arg(display_order = 145, long, env = env::XRAY_SYNC_INSECURE, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "HTTP")]
    pub insecure: Option<bool>,
    /// Connect timeout, seconds [default: 15].
    #[arg(
        display_order = 146,
        long,
        env = env::XRAY_SYNC_CONNECT_TIMEOUT,
        value_name = "SECS",
        help_heading = "HTTP"
    )]
    pub connect_timeout: Option<u64>,
    /// Read timeout, seconds [default: 60].
    #[arg(
        display_order = 147,
        long,
        env = env::XRAY_SYNC_READ_TIMEOUT,
        value_name = "SECS",
        help_heading = "HTTP"
    )]
    pub read_timeout: Option<u64>,
    /// Read timeout of import requests, seconds [default: 300].
    #[arg(
        display_order = 148,
        long,
        env = env::XRAY_SYNC_IMPORT_TIMEOUT,
        value_name = "SECS",
        help_heading = "HTTP"
    )]
    pub import_timeout: Option<u64>,
    /// Attempts per call, retries included [default: 5].
    #[arg(display_order = 149, long, env = env::XRAY_SYNC_MAX_ATTEMPTS, help_heading = "HTTP")]
    pub max_attempts: Option<u32>,
}

/// The deadline of a whole run (shown under HTTP; `doctor` and `resend` do not take it).
#[derive(Debug, Clone, Default, Args)]
pub struct DeadlineArgs {
    /// One deadline for the whole run: past it, no new request starts, the one in flight gets
    /// 10 s, unsent results are spooled and every report is written (exit 4). Seconds, or 15m,
    /// 1h; 0 = none [default: 15m].
    #[arg(display_order = 150, long, env = env::XRAY_SYNC_MAX_RUN_TIME, value_name = "DURATION",
          value_parser = parse_run_time, help_heading = "HTTP")]
    pub max_run_time: Option<u64>,
}

/// What a run writes besides the console, and what decides its exit code.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Write the JSON report here.
    #[arg(
        display_order = 151,
        long,
        env = env::XRAY_SYNC_REPORT,
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub report: Option<PathBuf>,
    /// Write the exact request bodies the run would send here.
    #[arg(
        display_order = 152,
        long,
        env = env::XRAY_SYNC_PLAN_JSON,
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub plan_json: Option<PathBuf>,
    /// Write the job summary as Markdown here.
    #[arg(
        display_order = 153,
        long,
        env = env::XRAY_SYNC_SUMMARY_MD,
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub summary_md: Option<PathBuf>,
    /// Machine-readable output on stdout. Not a flag here: `run --json` and `doctor --json`
    /// each define their own and copy it in before resolving.
    #[arg(skip)]
    pub json: Option<bool>,
    /// Exit 1 when any test failed.
    #[arg(display_order = 154, long, env = env::XRAY_SYNC_FAIL_ON_TEST_FAILURE, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Output")]
    pub fail_on_test_failure: Option<bool>,
    /// Where unsent payloads are spooled [default: .xray-sync-spool].
    #[arg(
        display_order = 155,
        long,
        env = env::XRAY_SYNC_SPOOL_DIR,
        value_name = "DIR",
        help_heading = "Output"
    )]
    pub spool_dir: Option<PathBuf>,
    /// Evidence files are only read inside this directory [default: GITHUB_WORKSPACE or the current directory].
    #[arg(
        display_order = 156,
        long,
        env = env::XRAY_SYNC_WORKSPACE,
        value_name = "DIR",
        help_heading = "Output"
    )]
    pub workspace: Option<PathBuf>,
    /// Post or update one pull request comment (GitHub).
    #[arg(display_order = 157, long, env = env::XRAY_SYNC_PR_COMMENT, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = BoolishValueParser::new(), help_heading = "Output")]
    pub pr_comment: Option<bool>,
    /// GitHub token for the PR comment (never printed; the action passes `github.token`).
    #[arg(
        display_order = 158,
        long,
        env = env::GITHUB_TOKEN,
        hide_env_values = true,
        help_heading = "Output"
    )]
    pub github_token: Option<Secret>,
}

/// The environment variables that are part of the public contract (issue 3). `--help` must
/// list each; a test checks it.
pub const CONTRACT_ENV: &[&str] = &[
    env::XRAY_URL,
    env::XRAY_CLIENT_ID,
    env::XRAY_CLIENT_SECRET,
    env::XRAY_DEPLOYMENT,
    env::XRAY_PROJECT,
    env::XRAY_TEST_PLAN,
    env::XRAY_TEST_EXECUTION,
    env::XRAY_ENVIRONMENTS,
    env::XRAY_FIX_VERSION,
    env::XRAY_REVISION,
    env::JIRA_URL,
    env::JIRA_EMAIL,
    env::JIRA_API_TOKEN,
    env::JIRA_PAT,
    env::JIRA_USERNAME,
    env::JIRA_PASSWORD,
    env::JIRA_CLIENT_ID,
    env::JIRA_CLIENT_SECRET,
    env::JIRA_BUG_PROJECT,
    env::JIRA_BUG_ISSUE_TYPE,
    env::JIRA_LABEL_PREFIX,
    env::ATLASSIAN_AUTH_URL,
    env::ATLASSIAN_API_URL,
];

/// The clap command, with every environment variable that is set but empty (or blank) treated
/// as unset. CI systems export empty variables for unset inputs; `XRAY_URL=` must not count as
/// "Xray configured", and `XRAY_SYNC_INSECURE=` must not be a parse error.
pub fn command(env: &dyn Fn(&str) -> Option<String>) -> clap::Command {
    use clap::CommandFactory;
    ignore_empty_env(Cli::command(), env)
}

fn ignore_empty_env(mut cmd: clap::Command, env: &dyn Fn(&str) -> Option<String>) -> clap::Command {
    let blank: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_env()
                .and_then(|name| name.to_str())
                .and_then(env)
                .is_some_and(|v| v.trim().is_empty())
        })
        .map(|a| a.get_id().clone())
        .collect();
    for id in blank {
        cmd = cmd.mut_arg(id, |a| a.env(None::<&'static str>));
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, |sub| ignore_empty_env(sub, env));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        // Catches duplicate ids between flattened argument groups, which clap only reports at
        // run time (as a panic) for the subcommand that is invoked.
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// `doctor` and `resend` flatten the same groups as `run` (so each flag has the same id,
    /// long name, env var, heading and help everywhere), and neither lists a flag it does not
    /// read.
    #[test]
    fn groups_repeat_settings_flags_exactly() {
        use clap::CommandFactory;
        let cli = Cli::command();
        let run = cli.find_subcommand("run").unwrap();
        for name in ["doctor", "resend"] {
            let sub = cli.find_subcommand(name).unwrap();
            // Flags only: a positional argument's help describes what the command does with it.
            for a in sub
                .get_arguments()
                .filter(|a| a.get_env().is_some() && a.get_long().is_some())
            {
                let r = run
                    .get_arguments()
                    .find(|r| r.get_id() == a.get_id())
                    .unwrap_or_else(|| panic!("{name} --{} is not a run flag", a.get_id()));
                assert_eq!(r.get_long(), a.get_long(), "{name} {}", a.get_id());
                assert_eq!(r.get_env(), a.get_env(), "{name} {}", a.get_id());
                assert_eq!(r.get_help_heading(), a.get_help_heading(), "{name}");
                assert_eq!(
                    r.get_help().map(ToString::to_string),
                    a.get_help().map(ToString::to_string),
                    "{name} {}",
                    a.get_id()
                );
            }
        }
        let doctor = cli.find_subcommand("doctor").unwrap();
        for run_only in [
            "summary",
            "chunk_max_tests",
            "report",
            "mapping_file",
            "pr_comment",
        ] {
            assert!(
                doctor.get_arguments().all(|a| a.get_id() != run_only),
                "doctor lists --{run_only}"
            );
        }
    }

    /// Every variable in `env` is some flag's, and every flag's variable is in `env`.
    #[test]
    fn env_constants_are_the_flags_variables() {
        use clap::CommandFactory;
        fn collect(cmd: &clap::Command, out: &mut std::collections::BTreeSet<String>) {
            for a in cmd.get_arguments() {
                if let Some(e) = a.get_env() {
                    out.insert(e.to_string_lossy().into_owned());
                }
            }
            for sub in cmd.get_subcommands() {
                collect(sub, out);
            }
        }
        let mut used = std::collections::BTreeSet::new();
        collect(&Cli::command(), &mut used);
        let declared: std::collections::BTreeSet<String> =
            env::ALL.iter().map(|e| e.to_string()).collect();
        assert_eq!(used, declared);
        assert_eq!(declared.len(), env::ALL.len(), "a variable is listed twice");
    }

    #[test]
    fn split_list_handles_commas_newlines_and_blanks() {
        let v = vec!["a.xml, b/*.xml\n\n c".to_string(), " ".to_string()];
        assert_eq!(split_list(&v), ["a.xml", "b/*.xml", "c"]);
    }
}
