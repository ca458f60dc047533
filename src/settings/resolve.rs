//! Layered resolution: flags > environment (both from clap) > `xray-sync.toml` > defaults.
//!
//! Owns validation and every default. Runs once; later stages read `Settings` and never look at
//! flags, files or the environment again. Error messages name the setting in all its spellings
//! (variable / flag / file key). `trace` records where each value came from, for
//! `xray-sync config`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::{FileConfig, FileOverride, parse_mapping};
use super::{
    BugOverride, ChunkLimits, DcAuth, EvidenceLimits, HttpSettings, InputSettings, JiraAuth,
    JiraSettings, MappingEntry, MappingSettings, OutputSettings, Product, ScopeSettings, Settings,
    StatusMap, UnmappedPolicy, XrayAuth, XraySettings,
};
use crate::ci::{self, CiContext};
use crate::cli::{Deployment, InputArgs, SettingsArgs, UnmappedArg, split_list};
use crate::plan::{IssueKey, label};
use crate::secret::Secret;

pub const DEFAULT_CONFIG: &str = "xray-sync.toml";
pub const DEFAULT_XRAY_CLOUD_URL: &str = "https://xray.cloud.getxray.app";
pub const DEFAULT_AUTH_URL: &str = "https://auth.atlassian.com";
pub const DEFAULT_API_URL: &str = "https://api.atlassian.com";
/// Large enough that a typical run (up to ~10,000 tests, ~20 MB) is one import request.
pub const DEFAULT_CHUNK: ChunkLimits = ChunkLimits {
    max_tests: 10_000,
    max_bytes: 20 * 1024 * 1024,
};
pub const DEFAULT_EVIDENCE: EvidenceLimits = EvidenceLimits {
    max_file_bytes: 10 * 1024 * 1024,
    max_run_bytes: 100 * 1024 * 1024,
};
pub const DEFAULT_SUMMARY: &str =
    "Automated tests {date} {workflow} {ref} ({passed}/{total} passed)";
pub const DEFAULT_BUG_SUMMARY: &str = "Test failed: {name}";
pub const PLACEHOLDER_PROJECT: &str = "PROJ";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value is missing, malformed or contradicts another; the message names the setting.
    #[error("{0}")]
    Invalid(String),
    #[error("config file {}: {message}", path.display())]
    File { path: PathBuf, message: String },
}

fn invalid(msg: impl Into<String>) -> SettingsError {
    SettingsError::Invalid(msg.into())
}

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A flag or an environment variable (clap merged them; `config` tells them apart).
    Cli,
    File,
    Default,
}

/// One resolved value for `xray-sync config`. Secrets show as `***`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Traced {
    /// The `SettingsArgs` field id (the flag is `--` + id with `-`), or a file-only key.
    pub id: &'static str,
    pub value: String,
    pub source: Source,
}

#[derive(Debug, Default)]
pub struct Trace {
    pub entries: Vec<Traced>,
}

/// How a value prints in `xray-sync config`.
trait Shown {
    fn shown(&self) -> String;
}
macro_rules! shown_display {
    ($($t:ty),*) => {$(impl Shown for $t { fn shown(&self) -> String { self.to_string() } })*};
}
shown_display!(String, bool, usize, u64, u32, Secret);
impl Shown for PathBuf {
    fn shown(&self) -> String {
        self.display().to_string()
    }
}
impl Shown for Vec<String> {
    fn shown(&self) -> String {
        self.join(",")
    }
}
impl Shown for Product {
    fn shown(&self) -> String {
        match self {
            Product::Cloud => "cloud".into(),
            Product::Dc => "dc".into(),
        }
    }
}
impl Shown for UnmappedPolicy {
    fn shown(&self) -> String {
        match self {
            UnmappedPolicy::Create => "create".into(),
            UnmappedPolicy::Skip => "skip".into(),
            UnmappedPolicy::Fail => "fail".into(),
        }
    }
}

impl Trace {
    /// The first layer that has a value, recorded.
    fn pick<T: Shown>(&mut self, id: &'static str, cli: Option<T>, file: Option<T>) -> Option<T> {
        let (value, source) = match (cli, file) {
            (Some(v), _) => (Some(v), Source::Cli),
            (None, Some(v)) => (Some(v), Source::File),
            (None, None) => (None, Source::Default),
        };
        self.entries.push(Traced {
            id,
            value: value.as_ref().map(Shown::shown).unwrap_or_default(),
            source,
        });
        value
    }

    fn pick_or<T: Shown>(
        &mut self,
        id: &'static str,
        cli: Option<T>,
        file: Option<T>,
        default: T,
    ) -> T {
        let picked = self.pick(id, cli, file);
        match picked {
            Some(v) => v,
            None => {
                if let Some(last) = self.entries.last_mut() {
                    last.value = default.shown();
                }
                default
            }
        }
    }
}

/// Reads the config file and the mapping file, detects CI, and resolves. `env` is only used
/// for CI detection and the default workspace (`GITHUB_WORKSPACE`).
pub fn load(
    args: &SettingsArgs,
    input: &InputArgs,
    dry_run: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Settings, Trace), SettingsError> {
    let (file, config_dir) = read_config(args.config.as_deref())?;
    let mapping_path = match (&args.mapping_file, &file.mapping.file) {
        (Some(p), _) => Some(p.clone()),
        // A path in the config file is relative to the config file.
        (None, Some(p)) => Some(config_dir.join(p)),
        (None, None) => None,
    };
    let table = match &mapping_path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                invalid(format!(
                    "mapping file {} (XRAY_SYNC_MAPPING / --mapping-file / [mapping] file): {e}",
                    p.display()
                ))
            })?;
            parse_mapping(&text, p).map_err(invalid)?
        }
        None => Vec::new(),
    };
    let workspace = env("GITHUB_WORKSPACE")
        .filter(|w| !w.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let ci = ci::detect(env);
    let mut trace = Trace::default();
    let settings = resolve(
        args, input, dry_run, &file, table, ci, workspace, &mut trace,
    )?;
    Ok((settings, trace))
}

fn read_config(explicit: Option<&Path>) -> Result<(FileConfig, PathBuf), SettingsError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_CONFIG);
            if !p.exists() {
                return Ok((FileConfig::default(), PathBuf::from(".")));
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| SettingsError::File {
        path: path.clone(),
        message: format!("{e} (XRAY_SYNC_CONFIG / --config)"),
    })?;
    let file = FileConfig::parse(&text, &path).map_err(|message| SettingsError::File {
        path: path.clone(),
        message,
    })?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((file, dir))
}

/// Pure resolution of all layers. See the module doc.
#[allow(clippy::too_many_arguments)]
pub fn resolve(
    args: &SettingsArgs,
    input: &InputArgs,
    dry_run: bool,
    file: &FileConfig,
    table: Vec<MappingEntry>,
    ci: CiContext,
    default_workspace: PathBuf,
    trace: &mut Trace,
) -> Result<Settings, SettingsError> {
    let mut notes = Vec::new();
    let cli_patterns = input.split_patterns();
    let inputs = InputSettings {
        patterns: trace
            .pick(
                "results",
                (!cli_patterns.is_empty()).then_some(cli_patterns),
                file.inputs.results.clone(),
            )
            .unwrap_or_default(),
        allow_empty: trace.pick_or(
            "allow_empty",
            input.allow_empty,
            file.inputs.allow_empty,
            false,
        ),
        strict: trace.pick_or("strict", input.strict, file.inputs.strict, false),
    };

    let xray = resolve_xray(args, file, dry_run, trace, &mut notes)?;
    let jira = resolve_jira(args, file, dry_run, xray.as_ref(), trace, &mut notes)?;

    // Name keys are only searched for real projects: a placeholder would match nothing useful.
    let default_projects = xray
        .as_ref()
        .filter(|x| !x.is_placeholder() || args.project.is_some())
        .map(|x| vec![x.project.clone()])
        .unwrap_or_default();
    let mapping = MappingSettings {
        project_keys: trace.pick_or(
            "project_keys",
            None,
            file.mapping.project_keys.clone(),
            default_projects,
        ),
        allure_labels: trace.pick_or(
            "allure_labels",
            None,
            file.mapping.allure_labels.clone(),
            vec!["xray".into(), "testKey".into(), "jira".into()],
        ),
        underscore_keys: trace.pick_or(
            "underscore_keys",
            args.underscore_keys,
            file.mapping.underscore_keys,
            false,
        ),
        table,
        unmapped: trace.pick_or(
            "unmapped",
            args.unmapped.map(|u| match u {
                UnmappedArg::Create => UnmappedPolicy::Create,
                UnmappedArg::Skip => UnmappedPolicy::Skip,
                UnmappedArg::Fail => UnmappedPolicy::Fail,
            }),
            file.mapping.unmapped,
            UnmappedPolicy::Create,
        ),
    };
    for p in &mapping.project_keys {
        check_project_key(p, "[mapping] project_keys")?;
    }

    let scope = ScopeSettings {
        include: split_list(
            &trace
                .pick("include", args.include.clone(), file.scope.include.clone())
                .unwrap_or_default(),
        ),
        exclude: split_list(
            &trace
                .pick("exclude", args.exclude.clone(), file.scope.exclude.clone())
                .unwrap_or_default(),
        ),
    };
    for g in scope.include.iter().chain(&scope.exclude) {
        let pattern = g.strip_prefix("tag:").unwrap_or(g);
        globset::Glob::new(pattern).map_err(|e| {
            invalid(format!(
                "XRAY_SYNC_INCLUDE / XRAY_SYNC_EXCLUDE / --include / --exclude: invalid glob {g:?}: {}",
                e.kind()
            ))
        })?;
    }

    let d = HttpSettings::default();
    let secs = |s: u64| Duration::from_secs(s);
    let http = HttpSettings {
        ca_cert: trace.pick("ca_cert", args.ca_cert.clone(), file.http.ca_cert.clone()),
        insecure: trace.pick_or("insecure", args.insecure, file.http.insecure, false),
        connect_timeout: secs(trace.pick_or(
            "connect_timeout",
            args.connect_timeout,
            file.http.connect_timeout_secs,
            d.connect_timeout.as_secs(),
        )),
        read_timeout: secs(trace.pick_or(
            "read_timeout",
            args.read_timeout,
            file.http.read_timeout_secs,
            d.read_timeout.as_secs(),
        )),
        import_timeout: secs(trace.pick_or(
            "import_timeout",
            args.import_timeout,
            file.http.import_timeout_secs,
            d.import_timeout.as_secs(),
        )),
        max_attempts: trace.pick_or(
            "max_attempts",
            args.max_attempts,
            file.http.max_attempts,
            d.max_attempts,
        ),
        max_retry_time: secs(trace.pick_or(
            "max_retry_time",
            None,
            file.http.max_retry_time_secs,
            d.max_retry_time.as_secs(),
        )),
    };
    if http.max_attempts == 0 {
        return Err(invalid(
            "XRAY_SYNC_MAX_ATTEMPTS / --max-attempts / [http] max_attempts must be at least 1",
        ));
    }
    for (name, t) in [
        (
            "XRAY_SYNC_CONNECT_TIMEOUT / --connect-timeout",
            http.connect_timeout,
        ),
        ("XRAY_SYNC_READ_TIMEOUT / --read-timeout", http.read_timeout),
        (
            "XRAY_SYNC_IMPORT_TIMEOUT / --import-timeout",
            http.import_timeout,
        ),
    ] {
        if t.is_zero() {
            return Err(invalid(format!("{name} must be at least 1 second")));
        }
    }
    if http.insecure {
        notes.push("TLS certificate verification is OFF (XRAY_SYNC_INSECURE / --insecure)".into());
    }

    let o = &file.output;
    let output = OutputSettings {
        report: trace.pick("report", args.report.clone(), o.report.clone()),
        plan_json: trace.pick("plan_json", args.plan_json.clone(), o.plan_json.clone()),
        summary_md: trace.pick("summary_md", args.summary_md.clone(), o.summary_md.clone()),
        json: trace.pick_or("json", args.json, o.json, false),
        fail_on_test_failure: trace.pick_or(
            "fail_on_test_failure",
            args.fail_on_test_failure,
            o.fail_on_test_failure,
            false,
        ),
        spool_dir: trace.pick_or(
            "spool_dir",
            args.spool_dir.clone(),
            o.spool_dir.clone(),
            PathBuf::from(".xray-sync-spool"),
        ),
        workspace: trace.pick_or(
            "workspace",
            args.workspace.clone(),
            o.workspace.clone(),
            default_workspace,
        ),
        pr_comment: trace.pick_or("pr_comment", args.pr_comment, o.pr_comment, false),
        github_token: args.github_token.clone(),
    };

    Ok(Settings {
        inputs,
        mapping,
        scope,
        xray,
        jira,
        http,
        output,
        ci,
        dry_run,
        notes,
    })
}

fn check_project_key(p: &str, setting: &str) -> Result<(), SettingsError> {
    let mut chars = p.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{setting}: {p:?} is not a Jira project key (uppercase letters, digits and _, starting with a letter)"
        )))
    }
}

fn check_key(value: Option<String>, setting: &str) -> Result<Option<String>, SettingsError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) if IssueKey::parse(&v).is_none() => Err(invalid(format!(
            "{setting}: {v:?} is not an issue key like CALC-123"
        ))),
        other => Ok(other),
    }
}

fn check_url(url: String, setting: &str) -> Result<String, SettingsError> {
    let url = url.trim().trim_end_matches('/').to_string();
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(invalid(format!("{setting}: {url:?} is not an http(s) URL")))
    }
}

/// Data Center credentials: a PAT, or username and password; never both.
fn dc_auth(
    pat: Option<&Secret>,
    username: Option<&String>,
    password: Option<&Secret>,
) -> Result<Option<DcAuth>, SettingsError> {
    match (pat, username, password) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(invalid(
            "contradictory DC credentials: JIRA_PAT and JIRA_USERNAME/JIRA_PASSWORD are both set; keep one",
        )),
        (Some(p), None, None) => Ok(Some(DcAuth::Pat(p.clone()))),
        (None, Some(u), Some(p)) => Ok(Some(DcAuth::Basic {
            username: u.clone(),
            password: p.clone(),
        })),
        (None, Some(_), None) => Err(invalid(
            "JIRA_USERNAME / --jira-username is set without JIRA_PASSWORD / --jira-password",
        )),
        (None, None, Some(_)) => Err(invalid(
            "JIRA_PASSWORD / --jira-password is set without JIRA_USERNAME / --jira-username",
        )),
        (None, None, None) => Ok(None),
    }
}

fn placeholder_secret() -> Secret {
    Secret::new("")
}

fn resolve_xray(
    args: &SettingsArgs,
    file: &FileConfig,
    dry_run: bool,
    trace: &mut Trace,
    notes: &mut Vec<String>,
) -> Result<Option<XraySettings>, SettingsError> {
    let f = &file.xray;
    let url = trace.pick("xray_url", args.xray_url.clone(), f.url.clone());
    let client_id = trace.pick(
        "xray_client_id",
        args.xray_client_id.clone(),
        f.client_id.clone(),
    );
    let secret = trace.pick("xray_client_secret", args.xray_client_secret.clone(), None);
    let deployment = trace.pick(
        "xray_deployment",
        args.xray_deployment.map(|d| match d {
            Deployment::Cloud => Product::Cloud,
            Deployment::Dc => Product::Dc,
        }),
        f.deployment,
    );
    let project = trace.pick("project", args.project.clone(), f.project.clone());
    let no_upload = trace.pick_or("no_upload", args.no_upload, None, false);
    let jira_url = args.jira_url.clone().or_else(|| file.jira.url.clone());
    let username = args
        .jira_username
        .clone()
        .or_else(|| file.jira.username.clone());

    if no_upload {
        notes.push("Xray upload switched off (XRAY_SYNC_NO_UPLOAD / --no-upload)".into());
        return Ok(None);
    }
    let configured =
        url.is_some() || client_id.is_some() || secret.is_some() || deployment == Some(Product::Dc);
    let placeholder = !configured;
    if placeholder && !dry_run {
        notes.push(
            "Xray is not configured (no XRAY_URL, XRAY_CLIENT_ID or XRAY_DEPLOYMENT=dc): upload skipped"
                .into(),
        );
        return Ok(None);
    }

    let product = match deployment {
        Some(p) => p,
        None if placeholder || client_id.is_some() || secret.is_some() => Product::Cloud,
        None if url.as_deref().is_some_and(|u| u.contains("getxray.app")) => Product::Cloud,
        None if args.jira_pat.is_some() || username.is_some() => Product::Dc,
        None => {
            return Err(invalid(
                "XRAY_DEPLOYMENT / --xray-deployment / [xray] deployment: cannot tell whether Xray is cloud or dc from XRAY_URL alone; set it",
            ));
        }
    };

    let (url, auth) = if placeholder {
        (
            String::new(),
            XrayAuth::Cloud {
                client_id: String::new(),
                client_secret: placeholder_secret(),
            },
        )
    } else {
        match product {
            Product::Cloud => {
                let url = check_url(
                    url.unwrap_or_else(|| DEFAULT_XRAY_CLOUD_URL.into()),
                    "XRAY_URL / --xray-url / [xray] url",
                )?;
                let auth = match (client_id, secret) {
                    (Some(id), Some(s)) => XrayAuth::Cloud {
                        client_id: id,
                        client_secret: s,
                    },
                    (id, s) if dry_run => {
                        notes.push("Xray Cloud credentials incomplete (XRAY_CLIENT_ID and XRAY_CLIENT_SECRET): fine for a dry run, required to send".into());
                        XrayAuth::Cloud {
                            client_id: id.unwrap_or_default(),
                            client_secret: s.unwrap_or_else(placeholder_secret),
                        }
                    }
                    _ => {
                        return Err(invalid(
                            "XRAY_CLIENT_ID / --xray-client-id and XRAY_CLIENT_SECRET / --xray-client-secret are both required for Xray Cloud",
                        ));
                    }
                };
                (url, auth)
            }
            Product::Dc => {
                let url = match url.or(jira_url) {
                    Some(u) => check_url(u, "XRAY_URL / --xray-url / [xray] url (or JIRA_URL)")?,
                    None => {
                        return Err(invalid(
                            "XRAY_URL / --xray-url / [xray] url (or JIRA_URL) is required for Xray DC: the Jira base URL",
                        ));
                    }
                };
                let auth = match dc_auth(
                    args.jira_pat.as_ref(),
                    username.as_ref(),
                    args.jira_password.as_ref(),
                )? {
                    Some(a) => XrayAuth::Dc(a),
                    None if dry_run => {
                        notes.push("Xray DC credentials missing (JIRA_PAT or JIRA_USERNAME/JIRA_PASSWORD): fine for a dry run, required to send".into());
                        XrayAuth::Dc(DcAuth::Pat(placeholder_secret()))
                    }
                    None => {
                        return Err(invalid(
                            "Xray DC needs JIRA_PAT / --jira-pat, or JIRA_USERNAME and JIRA_PASSWORD",
                        ));
                    }
                };
                (url, auth)
            }
        }
    };

    let project = match project
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
    {
        Some(p) => p,
        None if placeholder => PLACEHOLDER_PROJECT.to_string(),
        None => {
            return Err(invalid(
                "XRAY_PROJECT / --project / [xray] project is required when Xray is configured",
            ));
        }
    };
    check_project_key(&project, "XRAY_PROJECT / --project / [xray] project")?;
    if placeholder {
        notes.push(format!(
            "Xray is not configured: the dry run plans for Xray {} project {project} (set XRAY_CLIENT_ID or XRAY_URL to send)",
            if product == Product::Cloud { "Cloud" } else { "DC" }
        ));
    }

    let test_plan = check_key(
        trace.pick("test_plan", args.test_plan.clone(), f.test_plan.clone()),
        "XRAY_TEST_PLAN / --test-plan / [xray] test_plan",
    )?;
    let test_execution = check_key(
        trace.pick(
            "test_execution",
            args.test_execution.clone(),
            f.test_execution.clone(),
        ),
        "XRAY_TEST_EXECUTION / --test-execution / [xray] test_execution",
    )?;
    let environments = split_list(
        &trace
            .pick(
                "environments",
                args.environments.clone(),
                f.environments.clone(),
            )
            .unwrap_or_default(),
    );

    let mut statuses = StatusMap::defaults(product);
    let s = &file.statuses;
    for (slot, value) in [
        (&mut statuses.passed, &s.passed),
        (&mut statuses.failed, &s.failed),
        (&mut statuses.error, &s.error),
        (&mut statuses.skipped, &s.skipped),
        (&mut statuses.flaky, &s.flaky),
    ] {
        if let Some(v) = value.as_ref().map(|v| v.trim()) {
            if v.is_empty() {
                return Err(invalid("[statuses]: a status name cannot be empty"));
            }
            *slot = v.to_string();
        }
    }

    let chunk = ChunkLimits {
        max_tests: trace.pick_or(
            "chunk_max_tests",
            args.chunk_max_tests,
            f.chunk_max_tests,
            DEFAULT_CHUNK.max_tests,
        ),
        max_bytes: trace.pick_or(
            "chunk_max_bytes",
            args.chunk_max_bytes,
            f.chunk_max_bytes,
            DEFAULT_CHUNK.max_bytes,
        ),
    };
    if chunk.max_tests == 0 || chunk.max_bytes == 0 {
        return Err(invalid(
            "XRAY_SYNC_CHUNK_MAX_TESTS / XRAY_SYNC_CHUNK_MAX_BYTES (--chunk-max-tests / --chunk-max-bytes / [xray] chunk_max_*) must be at least 1",
        ));
    }

    Ok(Some(XraySettings {
        product,
        url,
        auth,
        project,
        test_plan,
        test_execution,
        environments,
        fix_version: trace.pick(
            "fix_version",
            args.fix_version.clone(),
            f.fix_version.clone(),
        ),
        revision: trace.pick("revision", args.revision.clone(), f.revision.clone()),
        statuses,
        chunk,
        summary_template: trace.pick_or(
            "summary",
            args.summary.clone(),
            f.summary.clone(),
            DEFAULT_SUMMARY.into(),
        ),
        description: trace.pick(
            "description",
            args.description.clone(),
            f.description.clone(),
        ),
        execution_labels: f.labels.clone().unwrap_or_default(),
        strict_keys: f.strict_keys.unwrap_or(false),
        evidence: EvidenceLimits {
            max_file_bytes: f
                .evidence_max_file_bytes
                .unwrap_or(DEFAULT_EVIDENCE.max_file_bytes),
            max_run_bytes: f
                .evidence_max_run_bytes
                .unwrap_or(DEFAULT_EVIDENCE.max_run_bytes),
        },
    }))
}

fn resolve_jira(
    args: &SettingsArgs,
    file: &FileConfig,
    dry_run: bool,
    xray: Option<&XraySettings>,
    trace: &mut Trace,
    notes: &mut Vec<String>,
) -> Result<Option<JiraSettings>, SettingsError> {
    let f = &file.jira;
    let url = trace.pick("jira_url", args.jira_url.clone(), f.url.clone());
    let email = trace.pick("jira_email", args.jira_email.clone(), f.email.clone());
    let token = trace.pick("jira_api_token", args.jira_api_token.clone(), None);
    let pat = trace.pick("jira_pat", args.jira_pat.clone(), None);
    let username = trace.pick(
        "jira_username",
        args.jira_username.clone(),
        f.username.clone(),
    );
    let password = trace.pick("jira_password", args.jira_password.clone(), None);
    let client_id = trace.pick(
        "jira_client_id",
        args.jira_client_id.clone(),
        f.client_id.clone(),
    );
    let client_secret = trace.pick("jira_client_secret", args.jira_client_secret.clone(), None);
    let auth_url = trace.pick_or(
        "atlassian_auth_url",
        args.atlassian_auth_url.clone(),
        f.auth_url.clone(),
        DEFAULT_AUTH_URL.into(),
    );
    let api_url = trace.pick_or(
        "atlassian_api_url",
        args.atlassian_api_url.clone(),
        f.api_url.clone(),
        DEFAULT_API_URL.into(),
    );
    let no_bugs = trace.pick_or("no_bugs", args.no_bugs, None, false);
    if no_bugs {
        notes.push("bug filing switched off (XRAY_SYNC_NO_BUGS / --no-bugs)".into());
        return Ok(None);
    }

    // PAT and username alone do not configure Jira: Xray DC uses them too.
    let configured = url.is_some()
        || email.is_some()
        || token.is_some()
        || client_id.is_some()
        || client_secret.is_some();
    let placeholder = !configured;
    if placeholder && !dry_run {
        notes.push("Jira is not configured (no JIRA_URL): bug filing skipped".into());
        return Ok(None);
    }

    let token_set = email.is_some() || token.is_some();
    let oauth_set = client_id.is_some() || client_secret.is_some();
    let pat_set = pat.is_some();
    let basic_set = username.is_some() || password.is_some();
    let named: Vec<&str> = [
        (token_set, "JIRA_EMAIL/JIRA_API_TOKEN"),
        (oauth_set, "JIRA_CLIENT_ID/JIRA_CLIENT_SECRET"),
        (pat_set, "JIRA_PAT"),
        (basic_set, "JIRA_USERNAME/JIRA_PASSWORD"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    if named.len() > 1 && !placeholder {
        return Err(invalid(format!(
            "contradictory Jira credentials: {} are all set; keep one of them",
            named.join(" and ")
        )));
    }

    let auth = if placeholder {
        None
    } else if token_set {
        match (email, token) {
            (Some(email), Some(token)) => Some(JiraAuth::CloudToken { email, token }),
            (None, _) => {
                return Err(invalid(
                    "JIRA_API_TOKEN is set without JIRA_EMAIL / --jira-email",
                ));
            }
            (_, None) => {
                return Err(invalid(
                    "JIRA_EMAIL is set without JIRA_API_TOKEN / --jira-api-token",
                ));
            }
        }
    } else if oauth_set {
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => Some(JiraAuth::CloudOAuth {
                client_id,
                client_secret,
                auth_url: check_url(auth_url, "ATLASSIAN_AUTH_URL / --atlassian-auth-url")?,
                api_url: check_url(api_url, "ATLASSIAN_API_URL / --atlassian-api-url")?,
            }),
            (None, _) => {
                return Err(invalid(
                    "JIRA_CLIENT_SECRET is set without JIRA_CLIENT_ID / --jira-client-id",
                ));
            }
            (_, None) => {
                return Err(invalid(
                    "JIRA_CLIENT_ID is set without JIRA_CLIENT_SECRET / --jira-client-secret",
                ));
            }
        }
    } else {
        dc_auth(pat.as_ref(), username.as_ref(), password.as_ref())?.map(JiraAuth::Dc)
    };
    let auth = match auth {
        Some(a) => a,
        None if dry_run => {
            if !placeholder {
                notes.push(
                    "Jira credentials missing: fine for a dry run, required to file bugs".into(),
                );
            }
            let dc = xray.is_some_and(|x| x.product == Product::Dc);
            if dc {
                JiraAuth::Dc(DcAuth::Pat(placeholder_secret()))
            } else {
                JiraAuth::CloudToken {
                    email: String::new(),
                    token: placeholder_secret(),
                }
            }
        }
        None => {
            return Err(invalid(
                "JIRA_URL is set but no Jira credentials are: set JIRA_EMAIL+JIRA_API_TOKEN or JIRA_CLIENT_ID+JIRA_CLIENT_SECRET (Cloud), or JIRA_PAT or JIRA_USERNAME+JIRA_PASSWORD (DC)",
            ));
        }
    };
    let product = match &auth {
        JiraAuth::CloudToken { .. } | JiraAuth::CloudOAuth { .. } => Product::Cloud,
        JiraAuth::Dc(_) => Product::Dc,
    };
    let url = match url {
        Some(u) => check_url(u, "JIRA_URL / --jira-url / [jira] url")?,
        None if dry_run => String::new(),
        None => {
            return Err(invalid(
                "JIRA_URL / --jira-url / [jira] url is required when Jira credentials are given",
            ));
        }
    };

    let project = trace
        .pick("bug_project", args.bug_project.clone(), f.project.clone())
        .or_else(|| xray.map(|x| x.project.clone()))
        // With the upload switched off, XRAY_PROJECT still names the team's project.
        .or_else(|| args.project.clone().or_else(|| file.xray.project.clone()))
        .or_else(|| placeholder.then(|| PLACEHOLDER_PROJECT.to_string()));
    let Some(project) = project else {
        return Err(invalid(
            "JIRA_BUG_PROJECT / --bug-project / [jira] project is required (there is no Xray project to default to)",
        ));
    };
    check_project_key(
        &project,
        "JIRA_BUG_PROJECT / --bug-project / [jira] project",
    )?;

    let prefix = trace.pick_or(
        "label_prefix",
        args.label_prefix.clone(),
        f.label_prefix.clone(),
        "xray-sync-".into(),
    );
    let prefix = prefix.trim().to_lowercase();
    if prefix.is_empty() || label::sanitize(&prefix) != prefix || prefix.len() > 200 {
        return Err(invalid(format!(
            "JIRA_LABEL_PREFIX / --label-prefix / [jira] label_prefix {prefix:?}: use 1 to 200 of a-z 0-9 _ . : - (Jira labels cannot hold spaces)"
        )));
    }
    let marker = f.marker_label.clone().unwrap_or_else(|| "xray-sync".into());
    if !label::is_label_safe(&marker) {
        return Err(invalid(format!(
            "[jira] marker_label {marker:?}: use only a-z 0-9 _ . : -"
        )));
    }
    let labels = f.labels.clone().unwrap_or_default();
    for l in &labels {
        if l.is_empty() || l.contains(char::is_whitespace) || l.len() > 255 {
            return Err(invalid(format!(
                "[jira] labels: {l:?} is not a valid Jira label (no spaces, at most 255 characters)"
            )));
        }
    }
    let threshold = trace.pick_or(
        "mass_failure_threshold",
        args.mass_failure_threshold,
        f.mass_failure_threshold,
        20,
    );
    let parallelism = f.parallelism.unwrap_or(4);
    if !(1..=16).contains(&parallelism) {
        return Err(invalid("[jira] parallelism must be between 1 and 16"));
    }
    let overrides = file
        .bugs
        .overrides
        .iter()
        .map(to_override)
        .collect::<Result<Vec<_>, _>>()?;

    if placeholder {
        notes.push(format!(
            "Jira is not configured: the dry run lists the bugs it would file in {project}, but cannot know whether they already exist (set JIRA_URL and credentials)"
        ));
    }

    Ok(Some(JiraSettings {
        product,
        url,
        auth,
        project,
        issue_type: trace.pick_or(
            "bug_issue_type",
            args.bug_issue_type.clone(),
            f.issue_type.clone(),
            "Bug".into(),
        ),
        label_prefix: prefix,
        marker_label: marker,
        labels,
        assignee: f.assignee.clone(),
        components: f.components.clone().unwrap_or_default(),
        priority: f.priority.clone(),
        summary_template: f
            .summary
            .clone()
            .unwrap_or_else(|| DEFAULT_BUG_SUMMARY.into()),
        file_flaky: trace.pick_or("file_flaky", args.file_flaky, f.file_flaky, false),
        mass_failure_threshold: (threshold > 0).then_some(threshold),
        close_on_pass: trace.pick_or("close_on_pass", args.close_on_pass, f.close_on_pass, false),
        reopen_within_days: f.reopen_within_days,
        done_link_type: f.done_link_type.clone().unwrap_or_else(|| "Relates".into()),
        duplicate_link_type: f
            .duplicate_link_type
            .clone()
            .unwrap_or_else(|| "Duplicate".into()),
        test_link_type: f.test_link_type.clone().unwrap_or_else(|| "Tests".into()),
        parallelism,
        overrides,
    }))
}

fn to_override(o: &FileOverride) -> Result<BugOverride, SettingsError> {
    if o.matches.trim().is_empty() {
        return Err(invalid("[[bugs.override]] matches cannot be empty"));
    }
    globset::Glob::new(&o.matches).map_err(|e| {
        invalid(format!(
            "[[bugs.override]] matches = {:?}: invalid glob: {}",
            o.matches,
            e.kind()
        ))
    })?;
    Ok(BugOverride {
        matches: o.matches.clone(),
        disable: o.disable,
        project: o.project.clone(),
        issue_type: o.issue_type.clone(),
        assignee: o.assignee.clone(),
        labels: o.labels.clone(),
        components: o.components.clone(),
        priority: o.priority.clone(),
    })
}
