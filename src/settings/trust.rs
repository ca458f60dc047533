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

    #[test]
    fn mapping_paths_stay_below_the_config() {
        assert!(mapping_path_is_contained(Path::new("map.json")));
        assert!(mapping_path_is_contained(Path::new("./ci/map.toml")));
        assert!(!mapping_path_is_contained(Path::new("../map.json")));
        assert!(!mapping_path_is_contained(Path::new("/proc/self/environ")));
    }
}
