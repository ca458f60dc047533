//! `Settings`: one merged, validated view of flags > environment > `xray-sync.toml` > defaults.
//! A config file found by discovery may hold only mapping and presentation keys (`trust.rs`).
//!
//! Owns the resolved shape every later stage reads. There are no `Option`s for things that have
//! a default; an `Option` here means "not configured" (e.g. no Xray at all), and the stage that
//! needs it is skipped with a note. Reading the environment and files happens only here and in
//! `cli.rs`.

use std::path::PathBuf;
use std::time::Duration;

use crate::ci::CiContext;
use crate::secret::Secret;

/// Which product a service runs as. Xray Cloud and DC differ in auth, endpoints, status names and
/// payload field names; Jira Cloud and DC differ in search endpoints and rich-text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Cloud,
    Dc,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub inputs: InputSettings,
    pub mapping: MappingSettings,
    pub scope: ScopeSettings,
    /// `None`: Xray not configured (or switched off); the upload is skipped with a note.
    pub xray: Option<XraySettings>,
    /// `None`: Jira not configured (or bug filing switched off); skipped with a note.
    pub jira: Option<JiraSettings>,
    pub http: HttpSettings,
    pub output: OutputSettings,
    pub ci: CiContext,
    pub dry_run: bool,
    /// Why a side was skipped, one line each, for the console and the report.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct InputSettings {
    pub patterns: Vec<String>,
    pub allow_empty: bool,
    pub strict: bool,
    /// A bad result file is a warning instead of exit code 3 (`--allow-bad-files`).
    pub allow_bad_files: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnmappedPolicy {
    /// Let Xray match or create a Generic Test by its definition (default).
    Create,
    /// Leave unmapped results out: an update-only run that never creates Tests.
    Skip,
    /// Any unmapped result fails the run before anything is sent.
    Fail,
}

#[derive(Debug, Clone)]
pub struct MappingSettings {
    /// Project keys whose issue keys count as Xray Test keys (`CALC` → `CALC-123`).
    pub project_keys: Vec<String>,
    /// Allure label names that carry a Test key (default `xray`, `testKey`, `jira`).
    pub allure_labels: Vec<String>,
    /// Also accept `CALC_123` inside identifier-style names.
    pub underscore_keys: bool,
    /// Entries from the mapping file, in file order: exact test id or glob → key.
    pub table: Vec<MappingEntry>,
    pub unmapped: UnmappedPolicy,
    /// Data-driven rows (`name[params]`, `method(args)`, …) as iterations of one Test.
    pub iterations: IterationMode,
}

/// `[mapping] iterations`: whether data-driven rows become iterations of one Test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IterationMode {
    /// Rows of one data-driven test become one Test with one iteration per row (default).
    #[default]
    Auto,
    /// One Test per row, as the name reads.
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingEntry {
    pub pattern: String,
    pub key: String,
}

#[derive(Debug, Clone, Default)]
pub struct ScopeSettings {
    /// Globs on the test id (definition or key) and Allure tags; empty = everything.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// How xray-sync authenticates to Xray.
#[derive(Debug, Clone)]
pub enum XrayAuth {
    /// Xray Cloud API key pair, exchanged for a bearer token.
    Cloud {
        client_id: String,
        client_secret: Secret,
    },
    /// Xray DC: Jira credentials on every request.
    Dc(DcAuth),
}

/// Data Center credentials (Jira and Xray DC share them).
#[derive(Debug, Clone)]
pub enum DcAuth {
    /// Personal access token, sent as `Bearer`.
    Pat(Secret),
    /// Username and password, sent as `Basic`.
    Basic { username: String, password: Secret },
}

/// How xray-sync authenticates to Jira.
#[derive(Debug, Clone)]
pub enum JiraAuth {
    /// Jira Cloud: account email + API token, as `Basic`.
    CloudToken {
        email: String,
        token: Secret,
    },
    /// Jira Cloud OAuth 2.0 client credentials (service account): token from `auth_url`, calls
    /// through `api_url`/ex/jira/{cloudId}.
    CloudOAuth {
        client_id: String,
        client_secret: Secret,
        auth_url: String,
        api_url: String,
    },
    Dc(DcAuth),
}

/// Xray status names for each outcome. Defaults differ by product; sites add custom ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMap {
    pub passed: String,
    pub failed: String,
    pub error: String,
    pub skipped: String,
    /// Passed after a failed try.
    pub flaky: String,
}

impl StatusMap {
    pub fn defaults(product: Product) -> Self {
        match product {
            Product::Cloud => StatusMap {
                passed: "PASSED".into(),
                failed: "FAILED".into(),
                error: "FAILED".into(),
                skipped: "TO DO".into(),
                flaky: "PASSED".into(),
            },
            Product::Dc => StatusMap {
                passed: "PASS".into(),
                failed: "FAIL".into(),
                error: "FAIL".into(),
                skipped: "TODO".into(),
                flaky: "PASS".into(),
            },
        }
    }
}

/// When a run is split into several import requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLimits {
    pub max_tests: usize,
    pub max_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceLimits {
    pub max_file_bytes: u64,
    pub max_run_bytes: u64,
}

/// Whether a side can be asked, decided once by the resolver: later stages ask this instead of
/// testing for an empty URL or an empty secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No URL: a dry run (or `doctor`, `config`) plans for this side with a stand-in; nothing
    /// can be sent. The `url` is empty and the credentials may be stand-ins (empty).
    Placeholder,
    /// A URL, but a credential is missing or empty: fine for a dry run, cannot be sent.
    Incomplete,
    /// A URL and complete credentials: requests can go out.
    Live,
}

/// Xray: where it is and how to sign in, and (in `plan`, reached through `Deref`) what a
/// run does with it. The planner only ever sees `plan`, so it cannot read a URL or a credential.
/// (`Deref` keeps the many readers of e.g. `x.project` as they were; only a literal or a move
/// out of a field names `plan`.)
#[derive(Debug, Clone)]
pub struct XraySettings {
    /// Whether Xray can be asked (see `Connection`).
    pub connection: Connection,
    /// Cloud: the (regional) Xray host; DC: the Jira base URL. No trailing slash.
    pub url: String,
    pub auth: XrayAuth,
    pub plan: XrayPlanSettings,
}

impl std::ops::Deref for XraySettings {
    type Target = XrayPlanSettings;
    fn deref(&self) -> &XrayPlanSettings {
        &self.plan
    }
}

impl std::ops::DerefMut for XraySettings {
    fn deref_mut(&mut self) -> &mut XrayPlanSettings {
        &mut self.plan
    }
}

/// What a run does with Xray, without its URL or credentials: what the planner reads.
#[derive(Debug, Clone)]
pub struct XrayPlanSettings {
    pub product: Product,
    pub project: String,
    pub test_plan: Option<String>,
    /// Append to this execution instead of creating one.
    pub test_execution: Option<String>,
    /// The run marker label of this CI run's Test Execution (see `resolve::run_identity`):
    /// an invocation first looks for the execution carrying it and appends, and creates it
    /// only when none exists. `None` (no CI run id, `--new-execution-per-invocation`): every
    /// invocation creates its own, with a fresh marker.
    pub run_identity: Option<String>,
    pub environments: Vec<String>,
    pub fix_version: Option<String>,
    pub revision: Option<String>,
    pub statuses: StatusMap,
    pub chunk: ChunkLimits,
    /// Execution summary template; placeholders documented in the README.
    pub summary_template: String,
    pub description: Option<String>,
    /// Extra labels on a created execution (the run marker label is added by the uploader).
    pub execution_labels: Vec<String>,
    /// Fail the run when a mapped key does not exist, instead of falling back to its definition.
    pub strict_keys: bool,
    pub evidence: EvidenceLimits,
    /// Jira fields for a created Test Execution, field id or name → value as given
    /// (`[xray.execution_fields]`, `XRAY_EXECUTION_FIELDS`); shorthands are expanded and names
    /// resolved against the create metadata when sending (`xray::exec_fields`).
    pub execution_fields: std::collections::BTreeMap<String, serde_json::Value>,
    /// Test Set keys every Test of the run is added to (`XRAY_TEST_SETS`).
    pub test_sets: Vec<String>,
    /// `XRAY_FOLDER`: Test Repository folder template for the Tests the run creates or matches
    /// by definition, checked to use only known placeholders (`model::folder`).
    pub folder: Option<String>,
    /// `[xray] move_keyed_tests`: Tests given by key are moved into the folder too.
    pub move_keyed_tests: bool,
    /// `[mapping] requirement_labels`: Allure label names whose values are requirement keys.
    pub requirement_labels: Vec<String>,
    /// `[mapping] requirement_tag_pattern`: tags (Robot, Cucumber, Allure `tag`) that name a
    /// requirement; the first capture group (or the whole match) is the key. Off by default.
    pub requirement_tag_pattern: Option<regex::Regex>,
}

/// Per-test changes to the bug xray-sync files, from `[[bugs.override]]` in xray-sync.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BugOverride {
    /// Glob on the test id / definition / name, or an exact Xray key.
    pub matches: String,
    pub disable: bool,
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub priority: Option<String>,
}

/// Jira: where it is and how to sign in, and (in `plan`, reached through `Deref`) what a
/// run does with it. The planner only ever sees `plan`, so it cannot read a URL or a credential.
/// (`Deref` keeps the many readers of e.g. `x.project` as they were; only a literal or a move
/// out of a field names `plan`.)
#[derive(Debug, Clone)]
pub struct JiraSettings {
    /// Whether Jira can be asked (see `Connection`).
    pub connection: Connection,
    /// The Jira site (Cloud `https://x.atlassian.net`, or the DC base URL). No trailing slash.
    pub url: String,
    pub auth: JiraAuth,
    pub plan: JiraPlanSettings,
}

impl std::ops::Deref for JiraSettings {
    type Target = JiraPlanSettings;
    fn deref(&self) -> &JiraPlanSettings {
        &self.plan
    }
}

impl std::ops::DerefMut for JiraSettings {
    fn deref_mut(&mut self) -> &mut JiraPlanSettings {
        &mut self.plan
    }
}

/// What a run does with Jira, without its URL or credentials: what the planner reads.
#[derive(Debug, Clone)]
pub struct JiraPlanSettings {
    pub product: Product,
    pub project: String,
    pub issue_type: String,
    /// Dedup label prefix (default `xray-sync-`).
    pub label_prefix: String,
    /// One constant label on every bug xray-sync files (default `xray-sync`).
    pub marker_label: String,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    pub components: Vec<String>,
    pub priority: Option<String>,
    /// Default `{short_class}.{name}: {message_first_line}`, cut to 255 characters.
    pub summary_template: String,
    /// File bugs for flaky tests too.
    pub file_flaky: bool,
    /// More failing tests than this → one umbrella issue instead (None = never).
    pub mass_failure_threshold: Option<usize>,
    pub close_on_pass: bool,
    /// Reopen a Done bug resolved within this many days instead of filing a new one.
    pub reopen_within_days: Option<u32>,
    /// Link from a new bug to the latest Done one (default `Relates`).
    pub done_link_type: String,
    /// Link closing a raced duplicate (default `Duplicate`).
    pub duplicate_link_type: String,
    /// Link from a bug to its Xray Test (default `Tests`... configurable; empty = no link).
    pub test_link_type: String,
    pub parallelism: usize,
    pub overrides: Vec<BugOverride>,
}

/// The default `--max-run-time`: 15 minutes.
pub const DEFAULT_MAX_RUN_TIME_SECS: u64 = 15 * 60;

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub ca_cert: Option<PathBuf>,
    /// TLS verification off. Only by explicit opt-in, with a loud warning.
    pub insecure: bool,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// Read timeout for import requests (large bodies, slow servers): at least 180 s by default.
    pub import_timeout: Duration,
    pub max_attempts: u32,
    /// Upper bound on the time one call may spend retrying.
    pub max_retry_time: Duration,
    /// One deadline for the whole run (`--max-run-time`); zero = none. See `crate::stop`.
    pub max_run_time: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            ca_cert: None,
            insecure: false,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            import_timeout: Duration::from_secs(300),
            max_attempts: 5,
            max_retry_time: Duration::from_secs(300),
            max_run_time: Duration::from_secs(DEFAULT_MAX_RUN_TIME_SECS),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutputSettings {
    /// `--report FILE`: the JSON report.
    pub report: Option<PathBuf>,
    /// `--plan-json FILE`: the exact request bodies a run would send.
    pub plan_json: Option<PathBuf>,
    /// `--summary-md FILE`: the job summary as Markdown, for any CI.
    pub summary_md: Option<PathBuf>,
    /// Machine-readable output on stdout.
    pub json: bool,
    pub fail_on_test_failure: bool,
    /// Where unsent payloads go when an upload finally fails.
    pub spool_dir: PathBuf,
    /// Evidence files are read only from inside this directory (or a results directory).
    pub workspace: PathBuf,
    /// Post/update one PR comment (GitHub only).
    pub pr_comment: bool,
    /// Token for the PR comment; only ever sent to the GitHub API.
    pub github_token: Option<Secret>,
}

pub mod credentials;
mod file;
mod resolve;
pub mod trust;

pub use file::{FileConfig, parse_mapping};
pub use resolve::{
    DEFAULT_CHUNK, DEFAULT_SUMMARY, PLACEHOLDER_PROJECT, SettingsError, Source, Trace, Traced,
    load, resolve, run_identity,
};
pub use trust::{PRESENTATION_KEYS, TRUSTED_KEYS, trusted_keys_in};

impl XraySettings {
    /// True for the stand-in a dry run plans with when Xray is not configured: it has no URL
    /// and can never be sent.
    pub fn is_placeholder(&self) -> bool {
        self.connection == Connection::Placeholder
    }

    /// A URL and credentials are both given, so Xray can be asked.
    pub fn is_live(&self) -> bool {
        self.connection == Connection::Live
    }
}

impl JiraSettings {
    /// True when a dry run plans bugs without a Jira site to ask.
    pub fn is_placeholder(&self) -> bool {
        self.connection == Connection::Placeholder
    }

    /// A site and credentials are both given, so Jira can be asked.
    pub fn is_live(&self) -> bool {
        self.connection == Connection::Live
    }
}

impl XrayAuth {
    /// The credential that makes this scheme work (the one a dry run may leave empty).
    pub fn key_secret(&self) -> &Secret {
        match self {
            XrayAuth::Cloud { client_secret, .. } => client_secret,
            XrayAuth::Dc(dc) => dc.key_secret(),
        }
    }
}

impl JiraAuth {
    /// The credential that makes this scheme work (the one a dry run may leave empty).
    pub fn key_secret(&self) -> &Secret {
        match self {
            JiraAuth::CloudToken { token, .. } => token,
            JiraAuth::CloudOAuth { client_secret, .. } => client_secret,
            JiraAuth::Dc(dc) => dc.key_secret(),
        }
    }
}

impl DcAuth {
    fn key_secret(&self) -> &Secret {
        match self {
            DcAuth::Pat(pat) => pat,
            DcAuth::Basic { password, .. } => password,
        }
    }
}

impl Connection {
    /// The resolver's verdict for a side: no URL is a placeholder; a URL with an empty key
    /// credential (a dry run's stand-in, or a value given empty) cannot be sent.
    pub(crate) fn of(url: &str, key_secret: &Secret) -> Connection {
        if url.is_empty() {
            Connection::Placeholder
        } else if key_secret.is_empty() {
            Connection::Incomplete
        } else {
            Connection::Live
        }
    }
}

/// What the planner reads (`plan::build`): everything but URLs and credentials, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct PlanSettings<'a> {
    pub mapping: &'a MappingSettings,
    pub scope: &'a ScopeSettings,
    pub xray: Option<&'a XrayPlanSettings>,
    pub jira: Option<&'a JiraPlanSettings>,
    pub ci: &'a CiContext,
    pub notes: &'a [String],
}

impl Settings {
    /// The credential-free view the planner takes.
    pub fn planning(&self) -> PlanSettings<'_> {
        PlanSettings {
            mapping: &self.mapping,
            scope: &self.scope,
            xray: self.xray.as_ref().map(|x| &x.plan),
            jira: self.jira.as_ref().map(|j| &j.plan),
            ci: &self.ci,
            notes: &self.notes,
        }
    }

    /// Every credential this run holds, plus the forms derived from them that travel in
    /// headers (Basic `user:secret` in base64), for masking on GitHub and for scrubbing text
    /// that leaves the process.
    pub fn secrets(&self) -> Vec<Secret> {
        use base64::Engine as _;
        // No Basic form for an empty password: `base64(":")` is `Og==`, which would be masked
        // (and printed as `::add-mask::Og==`) for a credential that does not exist.
        let basic = |user: &str, secret: &Secret| {
            if secret.is_empty() {
                return Secret::new("");
            }
            Secret::new(
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", secret.expose())),
            )
        };
        let mut out = Vec::new();
        let dc = |auth: &DcAuth, out: &mut Vec<Secret>| match auth {
            DcAuth::Pat(pat) => out.push(pat.clone()),
            DcAuth::Basic { username, password } => {
                out.push(password.clone());
                out.push(basic(username, password));
            }
        };
        if let Some(x) = &self.xray {
            match &x.auth {
                XrayAuth::Cloud { client_secret, .. } => out.push(client_secret.clone()),
                XrayAuth::Dc(auth) => dc(auth, &mut out),
            }
        }
        if let Some(j) = &self.jira {
            match &j.auth {
                JiraAuth::CloudToken { email, token } => {
                    out.push(token.clone());
                    out.push(basic(email, token));
                }
                JiraAuth::CloudOAuth { client_secret, .. } => out.push(client_secret.clone()),
                JiraAuth::Dc(auth) => dc(auth, &mut out),
            }
        }
        out.extend(self.output.github_token.clone());
        out.retain(|s| !s.is_empty());
        out.dedup();
        out
    }
}
