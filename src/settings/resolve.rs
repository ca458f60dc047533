//! Layered resolution: flags > environment (both from clap) > `xray-sync.toml` > defaults.
//!
//! Owns validation and every default. Runs once; later stages read `Settings` and never look at
//! flags, files or the environment again. Error messages name the setting in all its spellings
//! (variable / flag / file key). `trace` records where each value came from, for
//! `xray-sync config`.
//!
//! This file keeps the entry points, the defaults, the shared checks and the small sections
//! (inputs, mapping, scope, HTTP, output); `xray` and `jira` resolve the two products.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::{FileConfig, FileHttp, FileInputs, FileOutput, FileScope, parse_mapping};
use super::trust;
use super::{
    ChunkLimits, DcAuth, EvidenceLimits, HttpSettings, InputSettings, MappingEntry,
    MappingSettings, OutputSettings, ScopeSettings, Settings, UnmappedPolicy,
};
use crate::ci::{self, CiContext};
use crate::cli::{
    DeadlineArgs, HttpArgs, InputArgs, MappingArgs, OutputArgs, SettingsArgs, UnmappedArg, env,
    split_list,
};
use crate::model::identity::IssueKey;
use crate::secret::Secret;
use crate::settings::credentials::{self, Scheme};

mod jira;
mod trace;
mod url;
mod xray;

use jira::resolve_jira;
pub use trace::{Source, Trace, Traced};
use xray::resolve_xray;

pub const DEFAULT_CONFIG: &str = "xray-sync.toml";
pub const DEFAULT_XRAY_CLOUD_URL: &str = "https://xray.cloud.getxray.app";
pub const DEFAULT_AUTH_URL: &str = "https://auth.atlassian.com";
pub const DEFAULT_API_URL: &str = "https://api.atlassian.com";
/// 1,000 tests: the one per-request count Xray documents (its bulk import takes at most 1,000
/// per request; xray-api.md §2.5), since none is documented for execution imports. 20 MiB: the
/// ceiling no request passes, evidence base64 included (none documented either; it holds a
/// file at the 10 MiB evidence cap, 13.4 MiB encoded). See README "Import limits".
pub const DEFAULT_CHUNK: ChunkLimits = ChunkLimits {
    max_tests: 1_000,
    max_bytes: 20 * 1024 * 1024,
};
pub const DEFAULT_EVIDENCE: EvidenceLimits = EvidenceLimits {
    max_file_bytes: 10 * 1024 * 1024,
    max_run_bytes: 100 * 1024 * 1024,
};
/// Parts that expand empty (no CI, no start time) leave a doubled `·`, which the planner folds.
pub const DEFAULT_SUMMARY: &str = "Test run {date} · {workflow} · {ref} · {passed}/{total} passed";
pub const DEFAULT_BUG_SUMMARY: &str = "{short_class}.{name}: {message_first_line}";
pub const PLACEHOLDER_PROJECT: &str = "PROJ";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value is missing, malformed or contradicts another; the message names the setting.
    #[error("{0}")]
    Invalid(String),
    #[error("config file {}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// A config file found by discovery (not named by the user) sets keys only a trusted
    /// source may set; each is named.
    #[error(
        "config file {} was found in the working directory, not named with --config / {}, so it may hold only mapping and presentation keys, but it sets {}. These decide where credentials go, which issues are touched or what may be read: set them as flags or environment variables (action inputs), or name the file with --config / {} (README: Security)",
        path.display(),
        env::XRAY_SYNC_CONFIG,
        keys.join(", "),
        env::XRAY_SYNC_CONFIG
    )]
    UntrustedConfig { path: PathBuf, keys: Vec<String> },
}

fn invalid(msg: impl Into<String>) -> SettingsError {
    SettingsError::Invalid(msg.into())
}

/// Reads the config file and the mapping file, detects CI, and resolves. `env` is only used
/// for CI detection and the default workspace (`GITHUB_WORKSPACE`).
pub fn load(
    args: &SettingsArgs,
    input: &InputArgs,
    dry_run: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Settings, Trace), SettingsError> {
    let (file, config_dir) = read_config(args.connection.config.as_deref())?;
    // A mapping file named by a discovered config is read only when it is a regular file, not
    // a link planted next to it.
    let (mapping_path, from_discovered) = match (&args.mapping.mapping_file, &file.mapping.file) {
        (Some(p), _) => (Some(p.clone()), false),
        // A path in the config file is relative to the config file.
        (None, Some(p)) => (Some(config_dir.join(p)), args.connection.config.is_none()),
        (None, None) => (None, false),
    };
    let table = match &mapping_path {
        Some(p) => {
            let text = read_text(p, from_discovered).map_err(|e| {
                invalid(format!(
                    "mapping file {} ({} / --mapping-file / [mapping] file): {e}",
                    p.display(),
                    env::XRAY_SYNC_MAPPING
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

/// The config file: the one named by `--config` / `XRAY_SYNC_CONFIG`, else `./xray-sync.toml`
/// when it exists. A discovered file is held to the trust boundary (`trust.rs`): it may not set
/// a trusted key, and its mapping file must lie below it.
fn read_config(explicit: Option<&Path>) -> Result<(FileConfig, PathBuf), SettingsError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_CONFIG);
            // A dangling symlink counts as present, so it is reported rather than skipped.
            if std::fs::symlink_metadata(&p).is_err() {
                return Ok((FileConfig::default(), PathBuf::from(".")));
            }
            p
        }
    };
    // A discovered file is read only when it is a regular file, not a link to one elsewhere
    // (a planted `xray-sync.toml -> /proc/self/environ` must not be read at all).
    let text = read_text(&path, explicit.is_none()).map_err(|e| SettingsError::File {
        path: path.clone(),
        message: format!("{e} ({} / --config)", env::XRAY_SYNC_CONFIG),
    })?;
    let file = FileConfig::parse(&text, &path).map_err(|message| SettingsError::File {
        path: path.clone(),
        message,
    })?;
    if explicit.is_none() {
        let keys = trust::trusted_keys_in(&text);
        if !keys.is_empty() {
            return Err(SettingsError::UntrustedConfig { path, keys });
        }
        if let Some(map) = file
            .mapping
            .file
            .as_deref()
            .filter(|m| !trust::mapping_path_is_contained(m))
        {
            return Err(SettingsError::File {
                path,
                message: format!(
                    "[mapping] file = {:?}: a config file found by discovery may name a mapping file only below its own directory (no `..`, not absolute); name the config with --config / {}, or use {} / --mapping-file",
                    map.display(),
                    env::XRAY_SYNC_CONFIG,
                    env::XRAY_SYNC_MAPPING
                ),
            });
        }
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((file, dir))
}

/// Reads a settings file; `untrusted` ones (found by discovery, or named by such a file) only
/// when they are regular files and not symlinks.
fn read_text(path: &Path, untrusted: bool) -> std::io::Result<String> {
    if !untrusted {
        return std::fs::read_to_string(path);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut crate::outfile::open_regular_nofollow(path)?, &mut text)?;
    Ok(text)
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
    // Every URL setting that is given, used or not, so none can carry a password into `config`.
    url::refuse_userinfo_everywhere(args, file)?;
    let mut notes = Vec::new();
    // A CI job whose system was not recognised would otherwise lose its run link silently.
    if ci.provider == crate::ci::CiProvider::Local && ci.detected_by.starts_with("CI=true") {
        notes.push(format!("CI detection: {}", ci.detected_by));
    }
    let inputs = resolve_inputs(input, &file.inputs, trace);

    let mut xray = resolve_xray(
        &args.connection,
        &args.target,
        &args.xray,
        file,
        dry_run,
        trace,
        &mut notes,
    )?;
    let group = trace
        .pick(
            "execution_group",
            args.xray.execution_group.clone(),
            file.xray.execution_group.clone(),
        )
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty());
    let per_attempt = trace.pick_or(
        "execution_per_attempt",
        None,
        file.xray.execution_per_attempt,
        false,
    );
    let per_invocation = trace.pick_or(
        "new_execution_per_invocation",
        args.xray.new_execution_per_invocation,
        None,
        false,
    );
    if let Some(x) = xray.as_mut()
        && !per_invocation
    {
        x.run_identity = run_identity(&ci, &x.project, group.as_deref(), per_attempt);
    }
    let jira = resolve_jira(
        &args.connection,
        &args.target,
        &args.bugs,
        file,
        dry_run,
        xray.as_ref(),
        trace,
        &mut notes,
    )?;

    // Name keys are only searched for real projects: a placeholder would match nothing useful.
    let default_projects = xray
        .as_ref()
        .filter(|x| !x.is_placeholder() || args.connection.project.is_some())
        .map(|x| vec![x.project.clone()])
        .unwrap_or_default();
    let mapping = resolve_mapping(&args.mapping, file, table, default_projects, trace)?;
    let scope = resolve_scope(&args.mapping, &file.scope, trace)?;

    let http = resolve_http(&args.http, &args.deadline, &file.http, trace, &mut notes)?;

    let output = resolve_output(&args.output, &file.output, default_workspace, trace);

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

/// The inputs group: `InputArgs` over `[inputs]` over the defaults.
fn resolve_inputs(input: &InputArgs, file: &FileInputs, trace: &mut Trace) -> InputSettings {
    let cli_patterns = input.split_patterns();
    InputSettings {
        patterns: trace
            .pick(
                "results",
                (!cli_patterns.is_empty()).then_some(cli_patterns),
                file.results.clone(),
            )
            .unwrap_or_default(),
        allow_empty: trace.pick_or("allow_empty", input.allow_empty, file.allow_empty, false),
        strict: trace.pick_or("strict", input.strict, file.strict, false),
        allow_bad_files: trace.pick_or(
            "allow_bad_files",
            input.allow_bad_files,
            file.allow_bad_files,
            false,
        ),
    }
}

/// The mapping group: `MappingArgs` over `[mapping]` over the defaults (the table is read by
/// `load`; name keys default to the Xray project).
fn resolve_mapping(
    args: &MappingArgs,
    file: &FileConfig,
    table: Vec<MappingEntry>,
    default_projects: Vec<String>,
    trace: &mut Trace,
) -> Result<MappingSettings, SettingsError> {
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
        iterations: file.mapping.iterations.unwrap_or_default(),
    };
    for p in &mapping.project_keys {
        check_project_key(p, "[mapping] project_keys")?;
    }
    Ok(mapping)
}

/// The scope globs: `--include` / `--exclude` over `[scope]`, each checked once here.
fn resolve_scope(
    args: &MappingArgs,
    file: &FileScope,
    trace: &mut Trace,
) -> Result<ScopeSettings, SettingsError> {
    let scope = ScopeSettings {
        include: split_list(
            &trace
                .pick("include", args.include.clone(), file.include.clone())
                .unwrap_or_default(),
        ),
        exclude: split_list(
            &trace
                .pick("exclude", args.exclude.clone(), file.exclude.clone())
                .unwrap_or_default(),
        ),
    };
    for g in scope.include.iter().chain(&scope.exclude) {
        let pattern = g.strip_prefix("tag:").unwrap_or(g);
        globset::Glob::new(pattern).map_err(|e| {
            invalid(format!(
                "{} / {} / --include / --exclude: invalid glob {g:?}: {}",
                env::XRAY_SYNC_INCLUDE,
                env::XRAY_SYNC_EXCLUDE,
                e.kind()
            ))
        })?;
    }
    Ok(scope)
}

/// The HTTP group and the run deadline: flags over `[http]` over `HttpSettings::default`.
fn resolve_http(
    args: &HttpArgs,
    deadline: &DeadlineArgs,
    file: &FileHttp,
    trace: &mut Trace,
    notes: &mut Vec<String>,
) -> Result<HttpSettings, SettingsError> {
    let d = HttpSettings::default();
    let secs = |s: u64| Duration::from_secs(s);
    let http = HttpSettings {
        ca_cert: trace.pick("ca_cert", args.ca_cert.clone(), file.ca_cert.clone()),
        insecure: trace.pick_or("insecure", args.insecure, file.insecure, false),
        connect_timeout: secs(trace.pick_or(
            "connect_timeout",
            args.connect_timeout,
            file.connect_timeout_secs,
            d.connect_timeout.as_secs(),
        )),
        read_timeout: secs(trace.pick_or(
            "read_timeout",
            args.read_timeout,
            file.read_timeout_secs,
            d.read_timeout.as_secs(),
        )),
        import_timeout: secs(trace.pick_or(
            "import_timeout",
            args.import_timeout,
            file.import_timeout_secs,
            d.import_timeout.as_secs(),
        )),
        max_attempts: trace.pick_or(
            "max_attempts",
            args.max_attempts,
            file.max_attempts,
            d.max_attempts,
        ),
        max_retry_time: secs(trace.pick_or(
            "max_retry_time",
            None,
            file.max_retry_time_secs,
            d.max_retry_time.as_secs(),
        )),
        max_run_time: secs(trace.pick_or(
            "max_run_time",
            deadline.max_run_time,
            None,
            d.max_run_time.as_secs(),
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
    Ok(http)
}

/// The output group: `OutputArgs` over `[output]` over the defaults.
fn resolve_output(
    args: &OutputArgs,
    o: &FileOutput,
    default_workspace: PathBuf,
    trace: &mut Trace,
) -> OutputSettings {
    OutputSettings {
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
    }
}

/// The run marker label every invocation of one CI run shares: `xray-sync-run-` and 16 hex of
/// a SHA-256 over the CI provider, the CI run (`CiContext::pipeline_run`), the attempt (only
/// with `execution_per_attempt`), the group and the project. Hashed so that any group text
/// makes a valid Jira label and the label's length stays fixed. `None` without a CI run id.
///
/// Why a re-run attempt appends to attempt 1's execution by default: "re-run failed jobs"
/// re-runs only some jobs, so an execution per attempt would hold only those jobs' results,
/// while appending keeps one execution with the latest result of every test (Xray keeps one run
/// per Test per execution, and the re-run's result replaces the failed one).
pub fn run_identity(
    ci: &CiContext,
    project: &str,
    group: Option<&str>,
    per_attempt: bool,
) -> Option<String> {
    use sha2::{Digest, Sha256};
    let run = ci.pipeline_run.as_deref()?;
    let attempt = if per_attempt {
        ci.run_attempt.as_deref().unwrap_or("")
    } else {
        ""
    };
    let mut h = Sha256::new();
    for part in [
        "xray-sync execution identity v1",
        ci.provider.as_str(),
        run,
        attempt,
        group.unwrap_or(""),
        project,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(format!("xray-sync-run-{hex}"))
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

use url::check_url;

/// Data Center credentials: a PAT, or username and password; never both.
fn dc_auth(
    pat: Option<&Secret>,
    username: Option<&String>,
    password: Option<&Secret>,
) -> Result<Option<DcAuth>, SettingsError> {
    match (pat, username, password) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(invalid(format!(
            "contradictory DC credentials: {} and {} are both set; keep one",
            credentials::set(Scheme::DcPat).joined(),
            credentials::set(Scheme::DcBasic).joined()
        ))),
        (Some(p), None, None) => Ok(Some(DcAuth::Pat(p.clone()))),
        (None, Some(u), Some(p)) => Ok(Some(DcAuth::Basic {
            username: u.clone(),
            password: p.clone(),
        })),
        (None, Some(_), None) => Err(invalid(format!(
            "{} / --jira-username is set without {} / --jira-password",
            env::JIRA_USERNAME,
            env::JIRA_PASSWORD
        ))),
        (None, None, Some(_)) => Err(invalid(format!(
            "{} / --jira-password is set without {} / --jira-username",
            env::JIRA_PASSWORD,
            env::JIRA_USERNAME
        ))),
        (None, None, None) => Ok(None),
    }
}

fn placeholder_secret() -> Secret {
    Secret::new("")
}

#[cfg(test)]
mod identity_tests {
    use super::run_identity;
    use crate::ci::{CiContext, CiProvider};

    fn github(run: &str, attempt: &str) -> CiContext {
        CiContext {
            provider: CiProvider::GithubActions,
            pipeline_run: Some(run.into()),
            run_attempt: Some(attempt.into()),
            ..CiContext::default()
        }
    }

    #[test]
    fn one_identity_per_ci_run_group_and_project() {
        let a = run_identity(&github("77", "1"), "CALC", None, false).unwrap();
        assert!(a.starts_with("xray-sync-run-") && a.len() == "xray-sync-run-".len() + 16);
        assert_eq!(
            run_identity(&github("77", "1"), "CALC", None, false),
            Some(a.clone())
        );
        // A re-run attempt is the same CI run unless the attempt is part of the identity.
        assert_eq!(
            run_identity(&github("77", "2"), "CALC", None, false),
            Some(a.clone())
        );
        assert_ne!(
            run_identity(&github("77", "2"), "CALC", None, true),
            Some(a.clone())
        );
        assert_ne!(
            run_identity(&github("78", "1"), "CALC", None, false),
            Some(a.clone())
        );
        assert_ne!(
            run_identity(&github("77", "1"), "CALC", Some("chrome"), false),
            Some(a.clone())
        );
        assert_ne!(
            run_identity(&github("77", "1"), "BOOK", None, false),
            Some(a)
        );
        assert_eq!(
            run_identity(&CiContext::default(), "CALC", None, false),
            None
        );
    }
}
