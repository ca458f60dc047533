//! `xray-sync.toml`: the config file layer, and the mapping file.
//!
//! Owns the file shapes only. Every section and field is optional; unknown fields are errors
//! (`deny_unknown_fields`), so a typo is reported instead of silently ignored. Secrets are not
//! accepted here: they come from the environment or flags only.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{MappingEntry, Product, UnmappedPolicy};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    pub inputs: FileInputs,
    pub xray: FileXray,
    pub jira: FileJira,
    pub mapping: FileMapping,
    pub scope: FileScope,
    pub statuses: FileStatuses,
    pub http: FileHttp,
    pub output: FileOutput,
    pub bugs: FileBugs,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileInputs {
    pub results: Option<Vec<String>>,
    pub allow_empty: Option<bool>,
    pub strict: Option<bool>,
    pub allow_bad_files: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileXray {
    pub url: Option<String>,
    pub client_id: Option<String>,
    pub deployment: Option<Product>,
    pub project: Option<String>,
    pub test_plan: Option<String>,
    pub test_execution: Option<String>,
    pub environments: Option<Vec<String>>,
    pub fix_version: Option<String>,
    pub revision: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub labels: Option<Vec<String>>,
    pub strict_keys: Option<bool>,
    pub chunk_max_tests: Option<usize>,
    pub chunk_max_bytes: Option<usize>,
    pub evidence_max_file_bytes: Option<u64>,
    pub evidence_max_run_bytes: Option<u64>,
    /// A re-run attempt of a CI run gets its own execution (default: it appends to attempt 1's).
    pub execution_per_attempt: Option<bool>,
    pub execution_group: Option<String>,
    /// `[xray.execution_fields]`: field id or name → value for a created Test Execution.
    pub execution_fields: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    pub test_sets: Option<Vec<String>>,
    /// Test Repository folder template for created / definition-matched Tests.
    pub folder: Option<String>,
    /// Move Tests given by key into the folder too.
    pub move_keyed_tests: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileJira {
    pub url: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub client_id: Option<String>,
    pub auth_url: Option<String>,
    pub api_url: Option<String>,
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub label_prefix: Option<String>,
    pub marker_label: Option<String>,
    pub labels: Option<Vec<String>>,
    pub assignee: Option<String>,
    pub components: Option<Vec<String>>,
    pub priority: Option<String>,
    pub summary: Option<String>,
    pub file_flaky: Option<bool>,
    /// 0 = never use an umbrella issue.
    pub mass_failure_threshold: Option<usize>,
    pub close_on_pass: Option<bool>,
    pub reopen_within_days: Option<u32>,
    pub done_link_type: Option<String>,
    pub duplicate_link_type: Option<String>,
    pub test_link_type: Option<String>,
    pub parallelism: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileMapping {
    pub project_keys: Option<Vec<String>>,
    pub allure_labels: Option<Vec<String>>,
    pub underscore_keys: Option<bool>,
    pub file: Option<PathBuf>,
    pub unmapped: Option<UnmappedPolicy>,
    pub iterations: Option<super::IterationMode>,
    pub requirement_labels: Option<Vec<String>>,
    pub requirement_tag_pattern: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileScope {
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileStatuses {
    pub passed: Option<String>,
    pub failed: Option<String>,
    pub error: Option<String>,
    pub skipped: Option<String>,
    pub flaky: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileHttp {
    pub ca_cert: Option<PathBuf>,
    pub insecure: Option<bool>,
    pub connect_timeout_secs: Option<u64>,
    pub read_timeout_secs: Option<u64>,
    pub import_timeout_secs: Option<u64>,
    pub max_attempts: Option<u32>,
    pub max_retry_time_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileOutput {
    pub report: Option<PathBuf>,
    pub plan_json: Option<PathBuf>,
    pub summary_md: Option<PathBuf>,
    pub json: Option<bool>,
    pub fail_on_test_failure: Option<bool>,
    pub spool_dir: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    pub pr_comment: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileBugs {
    #[serde(rename = "override")]
    pub overrides: Vec<FileOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOverride {
    pub matches: String,
    #[serde(default)]
    pub disable: bool,
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub assignee: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    pub priority: Option<String>,
}

impl FileConfig {
    pub fn parse(text: &str, path: &Path) -> Result<FileConfig, String> {
        toml::from_str(text).map_err(|e| format!("{}: {}", path.display(), e.message()))
    }
}

/// A mapping file. TOML: `[[test]]` tables with `match` and `key`, or a `[tests]` table of
/// `"id or glob" = "KEY"`. JSON: an array of `{"match": …, "key": …}`, or an object of
/// `"id or glob": "KEY"`. Use the array forms when several globs can match one test: order
/// decides, and JSON/TOML objects do not keep it (they are read sorted by pattern).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MappingDoc {
    List(Vec<MappingLine>),
    Toml(MappingToml),
    Table(std::collections::BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingToml {
    #[serde(default)]
    test: Vec<MappingLine>,
    #[serde(default)]
    tests: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingLine {
    #[serde(rename = "match")]
    pattern: String,
    key: String,
}

/// Parses a mapping file's text. `.json` is JSON and `.toml` is TOML; otherwise JSON when the
/// text parses as JSON, TOML if not (a TOML `[[test]]` also starts with `[`). Keys are checked
/// here, so a typo is reported at load with the entry it is in.
pub fn parse_mapping(text: &str, path: &Path) -> Result<Vec<MappingEntry>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let json = || -> Result<MappingDoc, String> {
        serde_json::from_str(trimmed).map_err(|e| format!("{}: {e}", path.display()))
    };
    let toml = || -> Result<MappingDoc, String> {
        toml::from_str::<MappingToml>(trimmed)
            .map(MappingDoc::Toml)
            .map_err(|e| format!("{}: {}", path.display(), e.message()))
    };
    let doc = match ext.as_str() {
        "json" => json()?,
        "toml" => toml()?,
        _ if trimmed.starts_with('{') => json()?,
        _ if trimmed.starts_with('[') => json().or_else(|_| toml())?,
        _ => toml()?,
    };
    let pairs: Vec<(String, String)> = match doc {
        MappingDoc::List(lines) => lines.into_iter().map(|l| (l.pattern, l.key)).collect(),
        MappingDoc::Toml(t) => t
            .test
            .into_iter()
            .map(|l| (l.pattern, l.key))
            .chain(t.tests)
            .collect(),
        MappingDoc::Table(t) => t.into_iter().collect(),
    };
    pairs
        .into_iter()
        .map(|(pattern, key)| {
            let key = key.trim().to_string();
            if crate::model::identity::IssueKey::parse(&key).is_none() {
                return Err(format!(
                    "{}: entry {pattern:?} maps to {key:?}, which is not an issue key like CALC-123",
                    path.display()
                ));
            }
            Ok(MappingEntry { pattern, key })
        })
        .collect()
}
