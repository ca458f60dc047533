//! The trust boundary of the config file layer.
//!
//! Owns which config file keys are *trusted*: keys that decide where credentials go, which
//! issues a run may touch, or what may be read or written. Tests that ran before xray-sync in
//! the same job can write any file in the workspace, so a `./xray-sync.toml` found by
//! discovery is theirs as much as the user's: it may hold only mapping and presentation keys.
//! Trusted keys come from flags, environment variables (action inputs), or a config file the
//! user named (`--config` / `XRAY_SYNC_CONFIG`).

use std::path::{Component, Path};

/// Every trusted key as `(section, key, why)`. `bugs.override` stands for each
/// `[[bugs.override]]` entry.
pub const TRUSTED_KEYS: &[(&str, &str, &str)] = &[
    ("inputs", "results", "which files are read"),
    ("xray", "url", "where the Xray credentials are sent"),
    ("xray", "client_id", "which credential is used"),
    ("xray", "deployment", "which credential scheme is used"),
    ("xray", "project", "which project results go to"),
    ("xray", "test_plan", "which issue is touched"),
    ("xray", "test_execution", "which issue is touched"),
    ("xray", "execution_group", "which execution is appended to"),
    (
        "xray",
        "execution_per_attempt",
        "which execution is appended to",
    ),
    ("xray", "test_sets", "which issues are touched"),
    ("xray", "folder", "where Tests are moved"),
    ("xray", "move_keyed_tests", "which Tests are moved"),
    ("xray", "evidence_max_file_bytes", "how much is read"),
    ("xray", "evidence_max_run_bytes", "how much is read"),
    ("jira", "url", "where the Jira credentials are sent"),
    ("jira", "auth_url", "where the OAuth client secret is sent"),
    ("jira", "api_url", "where the OAuth token is sent"),
    ("jira", "email", "which credential is used"),
    ("jira", "username", "which credential is used"),
    ("jira", "client_id", "which credential is used"),
    ("jira", "project", "which project bugs are filed in"),
    ("jira", "issue_type", "which issues are filed"),
    (
        "jira",
        "label_prefix",
        "which existing issues are found and changed",
    ),
    (
        "jira",
        "marker_label",
        "which existing issues are found and changed",
    ),
    ("jira", "close_on_pass", "which issues are closed"),
    (
        "bugs.override",
        "project",
        "which project bugs are filed in",
    ),
    ("bugs.override", "issue_type", "which issues are filed"),
    ("http", "ca_cert", "which servers are trusted"),
    ("http", "insecure", "whether servers are verified"),
    ("output", "workspace", "which files may be read as evidence"),
    ("output", "spool_dir", "where unsent results are written"),
    ("output", "report", "where a file is written"),
    ("output", "plan_json", "where a file is written"),
    ("output", "summary_md", "where a file is written"),
    ("output", "pr_comment", "whether the GitHub token is used"),
];

/// Every other config file key, as `(section, key)`: mapping and presentation, which a
/// discovered file may set. Kept so that a new key must be classified (a unit test checks that
/// the two lists cover every key the file format accepts).
pub const PRESENTATION_KEYS: &[(&str, &str)] = &[
    ("inputs", "allow_empty"),
    ("inputs", "strict"),
    // Like `allow_empty`: tests that can plant a config file can write the result files too.
    ("inputs", "allow_bad_files"),
    ("xray", "environments"),
    ("xray", "fix_version"),
    ("xray", "revision"),
    ("xray", "summary"),
    ("xray", "description"),
    ("xray", "labels"),
    ("xray", "strict_keys"),
    ("xray", "chunk_max_tests"),
    ("xray", "chunk_max_bytes"),
    // Fields of the execution this run creates (like summary, labels, fix version).
    ("xray", "execution_fields"),
    ("jira", "labels"),
    ("jira", "assignee"),
    ("jira", "components"),
    ("jira", "priority"),
    ("jira", "summary"),
    ("jira", "file_flaky"),
    ("jira", "mass_failure_threshold"),
    ("jira", "reopen_within_days"),
    ("jira", "done_link_type"),
    ("jira", "duplicate_link_type"),
    ("jira", "test_link_type"),
    ("jira", "parallelism"),
    // Only below the config's own directory when the file was discovered.
    ("mapping", "file"),
    ("mapping", "project_keys"),
    ("mapping", "allure_labels"),
    ("mapping", "underscore_keys"),
    ("mapping", "unmapped"),
    ("mapping", "iterations"),
    ("mapping", "requirement_labels"),
    ("mapping", "requirement_tag_pattern"),
    ("scope", "include"),
    ("scope", "exclude"),
    ("statuses", "passed"),
    ("statuses", "failed"),
    ("statuses", "error"),
    ("statuses", "skipped"),
    ("statuses", "flaky"),
    ("http", "connect_timeout_secs"),
    ("http", "read_timeout_secs"),
    ("http", "import_timeout_secs"),
    ("http", "max_attempts"),
    ("http", "max_retry_time_secs"),
    ("output", "json"),
    ("output", "fail_on_test_failure"),
    ("bugs.override", "matches"),
    ("bugs.override", "disable"),
    ("bugs.override", "assignee"),
    ("bugs.override", "labels"),
    ("bugs.override", "components"),
    ("bugs.override", "priority"),
];

/// The trusted keys `text` sets, spelled as in the README (`[xray] url`,
/// `[[bugs.override]] project`), in the order of [`TRUSTED_KEYS`].
pub fn trusted_keys_in(text: &str) -> Vec<String> {
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        // The typed parse reports the syntax error with its position.
        return Vec::new();
    };
    let mut found = Vec::new();
    for (section, key, _) in TRUSTED_KEYS {
        let set = match *section {
            "bugs.override" => doc
                .get("bugs")
                .and_then(|b| b.get("override"))
                .and_then(toml::Value::as_array)
                .is_some_and(|entries| entries.iter().any(|e| e.get(key).is_some())),
            _ => doc.get(*section).and_then(|s| s.get(key)).is_some(),
        };
        if set {
            found.push(match *section {
                "bugs.override" => format!("[[bugs.override]] {key}"),
                _ => format!("[{section}] {key}"),
            });
        }
    }
    found
}

/// A `[mapping] file` from a discovered config: only a relative path below the config's
/// directory (no `..`, not absolute), so the file cannot point the run at other files.
pub fn mapping_path_is_contained(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_trusted_key_and_ignores_presentation_keys() {
        let text = r#"
[output]
workspace = "/"
json = true
[xray]
url = "https://evil.test"
summary = "nightly"
[http]
insecure = true
connect_timeout_secs = 5
[mapping]
unmapped = "skip"
[[bugs.override]]
matches = "a.*"
priority = "High"
[[bugs.override]]
matches = "b.*"
project = "OTHER"
"#;
        assert_eq!(
            trusted_keys_in(text),
            [
                "[xray] url",
                "[[bugs.override]] project",
                "[http] insecure",
                "[output] workspace"
            ]
        );
        assert!(trusted_keys_in("[scope]\ninclude = [\"a\"]\n").is_empty());
    }

    /// The keys a section accepts, read from the file parser's own "unknown field" message, so
    /// this test cannot drift from `file.rs`.
    fn accepted_keys(section_doc: &str) -> Vec<String> {
        let e = crate::settings::FileConfig::parse(section_doc, Path::new("probe.toml"))
            .expect_err("the probe key is unknown");
        // serde says "expected `a`", "expected `a` or `b`" or "expected one of `a`, `b`, …".
        let list = e
            .split("expected ")
            .nth(1)
            .unwrap_or_else(|| panic!("no key list in {e}"));
        let list = list.trim_start_matches("one of ");
        list.split(", ")
            .flat_map(|k| k.split(" or "))
            .map(|k| k.trim().trim_matches('`').to_string())
            .collect()
    }

    #[test]
    fn every_file_key_is_classified_as_trusted_or_presentation() {
        let sections = accepted_keys("xray_sync_probe = 1\n");
        assert!(sections.len() >= 9, "{sections:?}");
        for section in sections {
            let (name, doc) = match section.as_str() {
                "bugs" => (
                    "bugs.override".to_string(),
                    "[[bugs.override]]\nmatches = \"a\"\nxray_sync_probe = 1\n".to_string(),
                ),
                s => (s.to_string(), format!("[{s}]\nxray_sync_probe = 1\n")),
            };
            for key in accepted_keys(&doc) {
                let trusted = TRUSTED_KEYS.iter().any(|(s, k, _)| *s == name && *k == key);
                let presentation = PRESENTATION_KEYS
                    .iter()
                    .any(|(s, k)| *s == name && *k == key);
                assert!(
                    trusted ^ presentation,
                    "[{name}] {key} must be in exactly one of TRUSTED_KEYS and PRESENTATION_KEYS"
                );
            }
        }
    }

    #[test]
    fn mapping_paths_stay_below_the_config() {
        assert!(mapping_path_is_contained(Path::new("map.json")));
        assert!(mapping_path_is_contained(Path::new("./ci/map.toml")));
        assert!(!mapping_path_is_contained(Path::new("../map.json")));
        assert!(!mapping_path_is_contained(Path::new("/proc/self/environ")));
    }
}
