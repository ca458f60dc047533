//! Checks `action.yml` against the binary's contract, and the composite action's scripts.
//!
//! - every input is mapped, in a step's `env:`, to an environment variable the binary (or the
//!   install script) reads, with the name the env contract gives it;
//! - every declared output is one the binary writes (`report::github::OUTPUT_NAMES`) and vice
//!   versa;
//! - no `${{ }}` expression inside a `run:` script;
//! - on Unix, `action/install.sh` verifies downloads against the pinned digest and refuses a
//!   mismatch, and `action/run.sh` unsets inputs left empty.
//!
//! serde_yaml is not a dependency, and action.yml keeps to a plain block-style subset, so it is
//! read here with a small indentation-based reader.

use std::collections::BTreeMap;
use std::path::Path;

use xray_sync::report::github::OUTPUT_NAMES;

/// The env contract: input id → the variable it is mapped to. Inputs for the install step map
/// to `XS_*` names that only `action/install.sh` reads. The binary's half of this
/// table is checked against the `env =` names in src/cli.rs (`every_mapped_variable_is_read_by_the_binary`).
const CONTRACT: &[(&str, &str)] = &[
    ("results", "XRAY_SYNC_RESULTS"),
    ("dry-run", "XRAY_SYNC_DRY_RUN"),
    ("config", "XRAY_SYNC_CONFIG"),
    ("xray-url", "XRAY_URL"),
    ("xray-deployment", "XRAY_DEPLOYMENT"),
    ("xray-client-id", "XRAY_CLIENT_ID"),
    ("xray-client-secret", "XRAY_CLIENT_SECRET"),
    ("project", "XRAY_PROJECT"),
    ("test-plan", "XRAY_TEST_PLAN"),
    ("test-execution", "XRAY_TEST_EXECUTION"),
    ("environments", "XRAY_ENVIRONMENTS"),
    ("fix-version", "XRAY_FIX_VERSION"),
    ("revision", "XRAY_REVISION"),
    ("execution-fields", "XRAY_EXECUTION_FIELDS"),
    ("test-sets", "XRAY_TEST_SETS"),
    ("jira-url", "JIRA_URL"),
    ("jira-email", "JIRA_EMAIL"),
    ("jira-api-token", "JIRA_API_TOKEN"),
    ("jira-pat", "JIRA_PAT"),
    ("jira-username", "JIRA_USERNAME"),
    ("jira-password", "JIRA_PASSWORD"),
    ("jira-client-id", "JIRA_CLIENT_ID"),
    ("jira-client-secret", "JIRA_CLIENT_SECRET"),
    ("bug-project", "JIRA_BUG_PROJECT"),
    ("bug-issue-type", "JIRA_BUG_ISSUE_TYPE"),
    ("label-prefix", "JIRA_LABEL_PREFIX"),
    ("report-path", "XRAY_SYNC_REPORT"),
    ("fail-on-test-failure", "XRAY_SYNC_FAIL_ON_TEST_FAILURE"),
    ("allow-bad-files", "XRAY_SYNC_ALLOW_BAD_FILES"),
    ("pr-comment", "XRAY_SYNC_PR_COMMENT"),
    ("github-token", "GITHUB_TOKEN"),
    ("report-artifact", "XS_REPORT_ARTIFACT"),
    ("binary", "XS_BINARY"),
    ("version", "XS_VERSION"),
];

/// What the reader keeps of action.yml.
#[derive(Debug, Default)]
struct Action {
    /// input id → (description, default)
    inputs: BTreeMap<String, (Option<String>, Option<String>)>,
    /// output id → value expression
    outputs: BTreeMap<String, String>,
    steps: Vec<Step>,
}

#[derive(Debug, Default)]
struct Step {
    id: String,
    /// `owner/repo@sha # tag` for a step that runs another action.
    uses: Option<String>,
    shell: Option<String>,
    env: Vec<(String, String)>,
    run: String,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

fn parse_action(text: &str) -> Action {
    let mut a = Action::default();
    let mut section = "";
    let mut current: Option<String> = None;
    let mut in_env = false;
    let mut in_run_block: Option<usize> = None;
    for raw in text.lines() {
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let ind = indent(raw);
        let line = raw.trim();
        if let Some(block_indent) = in_run_block {
            if ind > block_indent {
                let step = a.steps.last_mut().expect("run block inside a step");
                step.run.push_str(line);
                step.run.push('\n');
                continue;
            }
            in_run_block = None;
        }
        if ind == 0 {
            section = line.split(':').next().unwrap_or("");
            current = None;
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .map_or((line, ""), |(k, v)| (k, v.trim()));
        match section {
            "inputs" | "outputs" if ind == 2 => {
                current = Some(key.to_string());
                if section == "inputs" {
                    a.inputs.insert(key.to_string(), (None, None));
                }
            }
            "inputs" if ind == 4 => {
                let entry = a.inputs.get_mut(current.as_deref().unwrap()).unwrap();
                match key {
                    "description" => entry.0 = Some(unquote(value)),
                    "default" => entry.1 = Some(unquote(value)),
                    _ => {}
                }
            }
            "outputs" if ind == 4 && key == "value" => {
                a.outputs.insert(current.clone().unwrap(), unquote(value));
            }
            "runs" if ind == 4 && line.starts_with("- ") => {
                in_env = false;
                let (k, v) = line[2..].split_once(':').unwrap();
                let mut step = Step::default();
                if k == "id" {
                    step.id = v.trim().to_string();
                }
                a.steps.push(step);
            }
            "runs" if ind == 6 => {
                in_env = key == "env";
                let step = a.steps.last_mut().unwrap();
                match key {
                    "id" => step.id = value.to_string(),
                    "shell" => step.shell = Some(value.to_string()),
                    "uses" => step.uses = Some(value.to_string()),
                    "run" if value == "|" || value == "|-" => in_run_block = Some(ind),
                    "run" => step.run = unquote(value),
                    _ => {}
                }
            }
            "runs" if ind == 8 && in_env => {
                a.steps
                    .last_mut()
                    .unwrap()
                    .env
                    .push((key.to_string(), value.to_string()));
            }
            _ => {}
        }
    }
    a
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Action {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    parse_action(&text)
}

#[test]
fn every_input_is_mapped_to_the_variable_the_contract_names() {
    let a = action();
    let contract: BTreeMap<&str, &str> = CONTRACT.iter().copied().collect();
    let declared: Vec<&str> = a.inputs.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = contract.keys().copied().collect();
    expected.sort_unstable();
    assert_eq!(declared, expected, "inputs differ from the env contract");

    let mut mapped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for step in &a.steps {
        for (var, value) in &step.env {
            if let Some(input) = value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
            {
                mapped
                    .entry(input.to_string())
                    .or_default()
                    .push(var.clone());
            }
        }
    }
    for (input, var) in &contract {
        assert_eq!(
            mapped.get(*input).map(Vec::as_slice),
            Some(&[var.to_string()][..]),
            "input {input} must be mapped exactly once, to {var}"
        );
    }
    for (input, (description, _)) in &a.inputs {
        assert!(
            input
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && input.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "input id {input}"
        );
        assert!(
            description.as_deref().is_some_and(|d| !d.is_empty()),
            "input {input} needs a description"
        );
    }
    assert_eq!(a.inputs["dry-run"].1.as_deref(), Some("false"));
    assert_eq!(
        a.inputs["github-token"].1.as_deref(),
        Some("${{ github.token }}")
    );
}

#[test]
fn install_inputs_are_read_by_the_install_script() {
    let script = std::fs::read_to_string(root().join("action/install.sh")).unwrap();
    for var in ["XS_BINARY", "XS_VERSION"] {
        assert!(
            script.contains(&format!("${{{var}")),
            "install.sh never reads {var}"
        );
    }
    let run = std::fs::read_to_string(root().join("action/run.sh")).unwrap();
    assert!(run.contains("exec \"$bin\" run"));
    for var in ["XS_REPORT_ARTIFACT", "XS_ARTIFACT_NAME"] {
        assert!(
            run.contains(&format!("${{{var}")),
            "run.sh never reads {var}"
        );
    }
}

#[test]
fn every_output_is_written_by_the_binary() {
    let a = action();
    let declared: Vec<&str> = a.outputs.keys().map(String::as_str).collect();
    let mut written = OUTPUT_NAMES.to_vec();
    written.sort_unstable();
    assert_eq!(declared, written);
    for (name, value) in &a.outputs {
        assert_eq!(value, &format!("${{{{ steps.run.outputs.{name} }}}}"));
    }
}

#[test]
fn no_expression_inside_run_scripts_and_steps_use_bash() {
    let a = action();
    assert_eq!(
        a.steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["install", "run", "report"]
    );
    // The report upload runs another action, pinned to a full commit SHA with its tag beside.
    let upload = a.steps[2].uses.as_deref().unwrap_or("");
    let (action, pin) = upload.split_once('@').unwrap_or(("", ""));
    assert_eq!(action, "actions/upload-artifact");
    let sha = pin.split_whitespace().next().unwrap_or("");
    assert!(
        sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "not pinned to a commit: {upload}"
    );
    assert!(pin.contains("# v"), "no tag comment: {upload}");
    for step in &a.steps[..2] {
        assert!(!step.run.is_empty(), "step {} has no run", step.id);
        assert!(
            !step.run.contains("${{"),
            "step {}: ${{{{ }}}} in run",
            step.id
        );
        assert_eq!(step.shell.as_deref(), Some("bash"));
        assert!(step.run.contains("$GITHUB_ACTION_PATH/action/"));
    }
    // The run step gets the binary from the install step and nothing unmapped.
    let run = &a.steps[1];
    assert!(run.env.contains(&(
        "XS_BIN".to_string(),
        "${{ steps.install.outputs.bin }}".to_string()
    )));
    for (var, value) in &run.env {
        assert!(
            var == "XS_BIN"
                || value.starts_with("${{ inputs.")
                || (var == "XS_ARTIFACT_NAME"
                    && value == "xray-sync-report-${{ github.job }}-${{ strategy.job-index }}"),
            "{var}: {value}"
        );
    }
}

#[test]
fn reader_handles_block_run_scripts() {
    let a = parse_action(
        "inputs:\n  x:\n    description: d\nruns:\n  using: composite\n  steps:\n    - id: s\n      shell: bash\n      run: |\n        echo one\n        echo \"${{ inputs.x }}\"\n      env:\n        A: b\n",
    );
    assert_eq!(a.steps[0].run, "echo one\necho \"${{ inputs.x }}\"\n");
    assert_eq!(a.steps[0].env, [("A".to_string(), "b".to_string())]);
}

#[cfg(unix)]
mod scripts {
    //! The composite action's shell scripts, run with bash against a fake `curl`.

    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    use sha2::{Digest, Sha256};

    use super::root;

    const ASSET_BYTES: &[u8] = b"#!/bin/sh\necho fake xray-sync\n";

    struct Sandbox {
        dir: tempfile::TempDir,
    }

    impl Sandbox {
        /// An action checkout with the given pins, and a `curl` that "downloads" ASSET_BYTES.
        fn new(version: &str, sums: &str) -> Sandbox {
            let dir = tempfile::tempdir().unwrap();
            let action = dir.path().join("action_path/action");
            std::fs::create_dir_all(&action).unwrap();
            std::fs::copy(root().join("action/install.sh"), action.join("install.sh")).unwrap();
            std::fs::copy(root().join("action/run.sh"), action.join("run.sh")).unwrap();
            std::fs::write(
                action.join("release.txt"),
                format!("# pins\nversion={version}\nrepository=acme/xray-sync\n"),
            )
            .unwrap();
            std::fs::write(action.join("assets.sha256"), sums).unwrap();
            let bin = dir.path().join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(dir.path().join("asset"), ASSET_BYTES).unwrap();
            write_exec(
                &bin.join("curl"),
                &format!(
                    "#!/bin/sh\n# records its URL, writes the asset to -o\nout=\"\"\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in -o) out=\"$2\"; shift ;; http*) echo \"$1\" >>\"{log}\" ;; esac\n  shift\ndone\ncp \"{asset}\" \"$out\"\n",
                    log = dir.path().join("curl.log").display(),
                    asset = dir.path().join("asset").display()
                ),
            );
            Sandbox { dir }
        }

        fn path(&self, p: &str) -> PathBuf {
            self.dir.path().join(p)
        }

        fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
            let mut cmd = Command::new("bash");
            cmd.arg(self.path("action_path/action").join(script))
                .env_clear()
                .env(
                    "PATH",
                    format!("{}:/usr/bin:/bin", self.path("bin").display()),
                )
                .env("GITHUB_ACTION_PATH", self.path("action_path"))
                .env("GITHUB_OUTPUT", self.path("github_output"))
                .env("RUNNER_TEMP", self.path("tmp"))
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64");
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd.output().unwrap()
        }

        fn outputs(&self) -> String {
            std::fs::read_to_string(self.path("github_output")).unwrap_or_default()
        }
    }

    fn write_exec(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn install_verifies_the_pinned_digest() {
        let sums = format!(
            "# comment\n{}  xray-sync-x86_64-unknown-linux-musl\n{}  xray-sync-aarch64-apple-darwin\n",
            hex(ASSET_BYTES).to_uppercase(),
            "0".repeat(64)
        );
        let sb = Sandbox::new("1.2.3", &sums);
        let out = sb.run("install.sh", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = sb.path("tmp/xray-sync-install/1.2.3/xray-sync");
        assert_eq!(sb.outputs(), format!("bin={}\n", bin.display()));
        assert_eq!(std::fs::read(&bin).unwrap(), ASSET_BYTES);
        assert!(std::fs::metadata(&bin).unwrap().permissions().mode() & 0o111 != 0);
        let url = std::fs::read_to_string(sb.path("curl.log")).unwrap();
        assert_eq!(
            url.trim(),
            "https://github.com/acme/xray-sync/releases/download/v1.2.3/xray-sync-x86_64-unknown-linux-musl"
        );
    }

    #[test]
    fn install_refuses_a_swapped_asset() {
        let sums = format!("{}  xray-sync-x86_64-unknown-linux-musl\n", "a".repeat(64));
        let sb = Sandbox::new("1.2.3", &sums);
        let out = sb.run("install.sh", &[]);
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("::error title=xray-sync install::SHA-256 mismatch"),
            "{stdout}"
        );
        assert!(stdout.contains(&hex(ASSET_BYTES)), "both digests are shown");
        assert_eq!(sb.outputs(), "");
        assert!(!sb.path("tmp/xray-sync-install/1.2.3/xray-sync").exists());
        assert!(
            !sb.path("tmp/xray-sync-install/1.2.3/xray-sync.part")
                .exists()
        );
    }

    #[test]
    fn install_prefers_the_binary_input_and_rejects_other_versions() {
        let sb = Sandbox::new("1.2.3", "");
        let prebuilt = sb.path("prebuilt");
        std::fs::write(&prebuilt, "x").unwrap();
        let out = sb.run("install.sh", &[("XS_BINARY", prebuilt.to_str().unwrap())]);
        assert!(out.status.success());
        assert_eq!(sb.outputs(), format!("bin={}\n", prebuilt.display()));
        assert!(!sb.path("curl.log").exists(), "nothing downloaded");

        let out = sb.run("install.sh", &[("XS_VERSION", "v9.9.9")]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("pins '1.2.3'"));
    }

    #[test]
    fn install_without_pins_builds_the_checkout_and_never_downloads() {
        let sb = Sandbox::new("", "# nothing pinned yet\n");
        // A fake cargo, first on PATH: records its arguments and "installs" a binary.
        write_exec(
            &sb.path("bin/cargo"),
            &format!(
                "#!/bin/sh\necho \"$*\" >\"{log}\"\nroot=\"\"\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\nmkdir -p \"$root/bin\" && echo built >\"$root/bin/xray-sync\"\n",
                log = sb.path("cargo.log").display()
            ),
        );
        let out = sb.run("install.sh", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("::warning title=xray-sync install::no pinned digest"),
            "{stdout}"
        );
        let root_dir = sb.path("tmp/xray-sync-install/source");
        let args = std::fs::read_to_string(sb.path("cargo.log")).unwrap();
        assert_eq!(
            args.trim(),
            format!(
                "install --locked --path {} --root {} --bin xray-sync",
                sb.path("action_path").display(),
                root_dir.display()
            )
        );
        assert_eq!(
            sb.outputs(),
            format!("bin={}/bin/xray-sync\n", root_dir.display())
        );
        assert!(!sb.path("curl.log").exists(), "nothing downloaded");
    }

    #[test]
    fn run_unsets_empty_inputs_and_defaults_the_report() {
        let sb = Sandbox::new("", "");
        let fake_bin = sb.path("fake-xray-sync");
        write_exec(
            &fake_bin,
            &format!(
                "#!/bin/sh\n{{ echo \"args=$*\"; env | grep -E '^(XRAY|JIRA|GITHUB_TOKEN)' | sort; }} >\"{}\"\n",
                sb.path("seen").display()
            ),
        );
        let out = sb.run(
            "run.sh",
            &[
                ("XS_BIN", fake_bin.to_str().unwrap()),
                ("XRAY_URL", "https://xray.example"),
                ("XRAY_CLIENT_SECRET", ""),
                ("JIRA_URL", ""),
                ("XRAY_SYNC_DRY_RUN", "true"),
                ("GITHUB_TOKEN", ""),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen = std::fs::read_to_string(sb.path("seen")).unwrap();
        let report = sb.path("tmp/xray-sync-report.json");
        assert_eq!(
            seen,
            format!(
                "args=run\nXRAY_SYNC_DRY_RUN=true\nXRAY_SYNC_REPORT={}\nXRAY_URL=https://xray.example\n",
                report.display()
            )
        );
    }
}

/// Every variable the action sets for the binary is one the binary reads: an `env =` of some
/// flag in `cli.rs` (the `XS_*` ones are read by `action/install.sh` alone).
#[test]
fn every_mapped_variable_is_read_by_the_binary() {
    let command = xray_sync::cli::command(&|_| None);
    let mut read: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    fn collect(cmd: &clap::Command, read: &mut std::collections::BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                read.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            collect(sub, read);
        }
    }
    collect(&command, &mut read);
    for (input, var) in CONTRACT {
        if var.starts_with("XS_") {
            continue;
        }
        assert!(
            read.contains(*var),
            "input {input} sets {var}, which the binary does not read"
        );
    }
}
