//! Checks `action.yml` against the binary's contract, and the composite action's scripts.
//!
//! - every input is mapped, in a step's `env:`, to an environment variable the binary (or the
//!   install script) reads, with the name the env contract gives it;
//! - every declared output is one the binary writes (`report::github::OUTPUT_NAMES`) and vice
//!   versa;
//! - no `${{ }}` expression inside a `run:` script;
//! - on Unix, `action/install.sh` verifies downloads against the pinned digest and refuses a
//!   mismatch, `action/build.sh` builds the action's own sources with a pinned toolchain that a
//!   planted `rust-toolchain.toml` in the workspace cannot change, and `action/run.sh` runs only
//!   a binary whose digest it was given and unsets inputs left empty.
//!
//! serde_yaml is not a dependency, and action.yml keeps to a plain block-style subset, so it is
//! read here with a small indentation-based reader.

use std::collections::BTreeMap;
use std::path::Path;

use xray_sync::report::github::OUTPUT_NAMES;

/// The env contract: input id → the variable it is mapped to. Inputs for the install step map
/// to `XS_*` names that only `action/install.sh` reads (`XS_MODE`: `action/run.sh`). The binary's half of this
/// table is checked against the `env =` names in src/cli.rs (`every_mapped_variable_is_read_by_the_binary`).
const CONTRACT: &[(&str, &str)] = &[
    ("results", "XRAY_SYNC_RESULTS"),
    ("allow-empty", "XRAY_SYNC_ALLOW_EMPTY"),
    ("dry-run", "XRAY_SYNC_DRY_RUN"),
    ("config", "XRAY_SYNC_CONFIG"),
    ("xray-url", "XRAY_URL"),
    ("xray-deployment", "XRAY_DEPLOYMENT"),
    ("xray-client-id", "XRAY_CLIENT_ID"),
    ("xray-client-secret", "XRAY_CLIENT_SECRET"),
    ("project", "XRAY_PROJECT"),
    ("test-plan", "XRAY_TEST_PLAN"),
    ("test-execution", "XRAY_TEST_EXECUTION"),
    ("execution-group", "XRAY_SYNC_EXECUTION_GROUP"),
    ("environments", "XRAY_ENVIRONMENTS"),
    ("fix-version", "XRAY_FIX_VERSION"),
    ("revision", "XRAY_REVISION"),
    ("execution-fields", "XRAY_EXECUTION_FIELDS"),
    ("test-sets", "XRAY_TEST_SETS"),
    ("folder", "XRAY_FOLDER"),
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
    ("max-run-time", "XRAY_SYNC_MAX_RUN_TIME"),
    ("fail-on-test-failure", "XRAY_SYNC_FAIL_ON_TEST_FAILURE"),
    ("allow-bad-files", "XRAY_SYNC_ALLOW_BAD_FILES"),
    ("pr-comment", "XRAY_SYNC_PR_COMMENT"),
    ("github-token", "GITHUB_TOKEN"),
    ("report-artifact", "XS_REPORT_ARTIFACT"),
    ("mode", "XS_MODE"),
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
        ["install", "cache", "build", "run", "report"]
    );
    for step in &a.steps {
        if let Some(uses) = &step.uses {
            // Third-party code runs pinned to a full commit SHA, the tag in a comment, on
            // Node 24 (actions/cache v5, actions/upload-artifact v7).
            let (action, rest) = uses.split_once('@').expect("uses: owner/name@sha");
            let (sha, comment) = rest.split_once(" # v").expect("tag comment");
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{uses}"
            );
            match action {
                "actions/cache" => assert!(comment.starts_with('5'), "{uses}"),
                "actions/upload-artifact" => assert!(comment.starts_with('7'), "{uses}"),
                other => panic!("unexpected action {other}"),
            }
            continue;
        }
        assert!(!step.run.is_empty(), "step {} has no run", step.id);
        assert!(
            !step.run.contains("${{"),
            "step {}: ${{{{ }}}} in run",
            step.id
        );
        assert_eq!(step.shell.as_deref(), Some("bash"));
        assert!(step.run.contains("$GITHUB_ACTION_PATH/action/"));
    }
    // The run step gets the binary and its digest from the build or install step, and nothing
    // unmapped.
    let run = &a.steps[3];
    assert!(run.env.contains(&(
        "XS_BIN".to_string(),
        "${{ steps.build.outputs.bin || steps.install.outputs.bin }}".to_string()
    )));
    assert!(run.env.contains(&(
        "XS_BIN_SHA256".to_string(),
        "${{ steps.build.outputs.sha256 || steps.install.outputs.sha256 }}".to_string()
    )));
    for (var, value) in &run.env {
        assert!(
            var.starts_with("XS_BIN")
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
            std::fs::copy(root().join("action/build.sh"), action.join("build.sh")).unwrap();
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
        assert_eq!(
            sb.outputs(),
            format!("bin={}\nsha256={}\n", bin.display(), hex(ASSET_BYTES))
        );
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
        assert_eq!(
            sb.outputs(),
            format!("bin={}\nsha256={}\n", prebuilt.display(), hex(b"x"))
        );
        assert!(!sb.path("curl.log").exists(), "nothing downloaded");

        let out = sb.run("install.sh", &[("XS_VERSION", "v9.9.9")]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("pins '1.2.3'"));
    }

    #[test]
    fn install_without_pins_asks_for_a_cached_source_build_and_never_downloads() {
        let sb = Sandbox::new("", "# nothing pinned yet\n");
        std::fs::create_dir_all(sb.path("action_path/src")).unwrap();
        std::fs::write(sb.path("action_path/src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(sb.path("action_path/Cargo.toml"), "[package]\n").unwrap();
        let out = sb.run("install.sh", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("::notice title=xray-sync install::no pinned digest"),
            "{stdout}"
        );
        let outputs = sb.outputs();
        let lines: Vec<&str> = outputs.lines().collect();
        assert_eq!(lines[0], "build=true");
        let key = lines[1].strip_prefix("cache-key=").unwrap();
        assert!(
            key.starts_with("xray-sync-source-x86_64-unknown-linux-musl-") && key.len() > 60,
            "{key}"
        );
        assert_eq!(
            lines[2],
            format!(
                "target-dir={}",
                sb.path("tmp/xray-sync-install/target").display()
            )
        );
        assert!(!outputs.contains("bin="), "no binary before the build step");
        assert!(!sb.path("curl.log").exists(), "nothing downloaded");

        // The key follows the action's sources: another commit gets another cache.
        std::fs::write(sb.path("action_path/src/main.rs"), "fn main() { }\n").unwrap();
        std::fs::remove_file(sb.path("github_output")).unwrap();
        assert!(sb.run("install.sh", &[]).status.success());
        assert!(
            !sb.outputs().contains(key),
            "same key after a source change"
        );
    }

    /// A simulated workspace that tests from a pull request wrote before the action ran: a
    /// `rust-toolchain.toml` naming a toolchain path of the attacker's, a `.cargo/config.toml`
    /// with a compiler wrapper, and CARGO_HOME / RUSTUP_HOME pointing into it. Each planted
    /// program leaves a marker when run.
    struct PlantedWorkspace {
        ws: PathBuf,
        marker: PathBuf,
    }

    fn plant_workspace(sb: &Sandbox) -> PlantedWorkspace {
        let ws = sb.path("workspace");
        let evil = sb.path("workspace/evil-toolchain/bin");
        std::fs::create_dir_all(&evil).unwrap();
        std::fs::create_dir_all(ws.join(".cargo")).unwrap();
        let marker = sb.path("pwned");
        let payload = format!(
            "#!/bin/sh\necho \"$0 $*\" >>\"{}\"\nexit 0\n",
            marker.display()
        );
        for tool in ["cargo", "rustc"] {
            write_exec(&evil.join(tool), &payload);
        }
        write_exec(&ws.join("wrapper"), &payload);
        // rustup's toolchain file: `path` names a custom toolchain directory.
        std::fs::write(
            ws.join("rust-toolchain.toml"),
            format!(
                "[toolchain]\npath = \"{}\"\n",
                evil.parent().unwrap().display()
            ),
        )
        .unwrap();
        std::fs::write(
            ws.join(".cargo/config.toml"),
            format!(
                "[build]\nrustc-wrapper = \"{}\"\n",
                ws.join("wrapper").display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(ws.join("cargo-home/bin")).unwrap();
        write_exec(&ws.join("cargo-home/bin/cargo"), &payload);
        PlantedWorkspace { ws, marker }
    }

    /// A tiny crate with an `xray-sync` binary stands in for the action's sources, so the
    /// build takes a second.
    fn tiny_action_crate(sb: &Sandbox) {
        let dir = sb.path("action_path");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"xray-sync\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"xray-sync\"\npath = \"src/main.rs\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("Cargo.lock"),
            "version = 4\n\n[[package]]\nname = \"xray-sync\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("src/main.rs"),
            "fn main() { println!(\"tiny xray-sync\"); }\n",
        )
        .unwrap();
    }

    /// `$HOME`, when rustup's cargo proxy is under `$HOME/.cargo/bin` with a stable toolchain
    /// installed (checked without installing anything).
    fn real_rustup_home() -> Option<PathBuf> {
        let home = PathBuf::from(std::env::var_os("HOME")?);
        let ok = Command::new(home.join(".cargo/bin/cargo"))
            .arg("--version")
            .current_dir(std::env::temp_dir())
            .env("RUSTUP_TOOLCHAIN", "stable")
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(home)
    }

    #[test]
    fn build_ignores_a_planted_rust_toolchain_in_the_workspace() {
        let Some(home) = real_rustup_home() else {
            eprintln!("skipped: no rustup with a stable toolchain under $HOME/.cargo");
            return;
        };
        let sb = Sandbox::new("", "");
        tiny_action_crate(&sb);
        let planted = plant_workspace(&sb);
        let ws = planted.ws.to_str().unwrap();
        let home_s = home.to_str().unwrap();
        let path = format!("{}/.cargo/bin:/usr/bin:/bin", home.display());
        // Control: the plant works. rustup's proxy run in the workspace without the pin picks the
        // planted toolchain (rustup book, "Overrides": a toolchain file beats the default).
        let control = Command::new(home.join(".cargo/bin/cargo"))
            .arg("--version")
            .current_dir(&planted.ws)
            .env_clear()
            .env("HOME", &home)
            .env("PATH", &path)
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output()
            .unwrap();
        assert!(control.status.success(), "{control:?}");
        assert!(
            planted.marker.exists(),
            "the planted toolchain should be what rustup picks without the pin"
        );
        std::fs::remove_file(&planted.marker).unwrap();

        let target = sb.path("tmp/xray-sync-install/target");
        let mut cmd = Command::new("bash");
        cmd.arg(sb.path("action_path/action/build.sh"))
            .current_dir(&planted.ws)
            .env_clear()
            .env("HOME", home_s)
            .env("PATH", format!("{ws}/evil-toolchain/bin:{path}"))
            .env("GITHUB_WORKSPACE", ws)
            .env("GITHUB_ACTION_PATH", sb.path("action_path"))
            .env("GITHUB_OUTPUT", sb.path("github_output"))
            .env("RUNNER_TEMP", sb.path("tmp"))
            .env("RUNNER_OS", "Linux")
            .env("XS_TARGET_DIR", &target)
            .env("CARGO_HOME", format!("{ws}/cargo-home"))
            .env("RUSTUP_HOME", format!("{ws}/rustup-home"))
            .env("RUSTC_WRAPPER", format!("{ws}/wrapper"))
            // Never let rustup download a toolchain from a test.
            .env("RUSTUP_AUTO_INSTALL", "0");
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !planted.marker.exists(),
            "a planted program ran: {}",
            std::fs::read_to_string(&planted.marker).unwrap_or_default()
        );
        assert!(stdout.contains("CARGO_HOME="), "{stdout}");
        assert!(
            stdout.contains("PATH entry") && stdout.contains("evil-toolchain/bin"),
            "{stdout}"
        );
        assert!(stdout.contains("built from source in "), "{stdout}");
        assert!(stdout.contains("cache miss"), "{stdout}");
        let bin = sb.path("tmp/xray-sync-install/source/xray-sync");
        let built = std::fs::read(&bin).unwrap();
        assert_eq!(
            sb.outputs(),
            format!("bin={}\nsha256={}\n", bin.display(), hex(&built))
        );
        let ran = Command::new(&bin).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "tiny xray-sync\n");
    }

    #[test]
    fn build_refuses_a_cargo_inside_the_workspace() {
        let sb = Sandbox::new("", "");
        let planted = plant_workspace(&sb);
        let ws = planted.ws.to_str().unwrap();
        // HOME without a cargo: the only cargo on PATH is the workspace's, and CARGO_HOME
        // points into the workspace too.
        let out = sb.run(
            "build.sh",
            &[
                ("HOME", sb.path("home").to_str().unwrap()),
                ("GITHUB_WORKSPACE", ws),
                ("PATH", &format!("{ws}/evil-toolchain/bin:/usr/bin:/bin")),
                ("CARGO_HOME", &format!("{ws}/cargo-home")),
                ("XS_TARGET_DIR", sb.path("tmp/target").to_str().unwrap()),
            ],
        );
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The workspace's PATH entry is dropped, so no cargo is left to run.
        assert!(
            stdout.contains("PATH entry") && stdout.contains("::error title=xray-sync build::"),
            "{stdout}"
        );
        assert!(!planted.marker.exists());
        assert_eq!(sb.outputs(), "");
    }

    #[test]
    fn run_refuses_a_binary_whose_digest_was_not_checked() {
        let sb = Sandbox::new("", "");
        let fake_bin = sb.path("fake-xray-sync");
        write_exec(
            &fake_bin,
            &format!("#!/bin/sh\ntouch \"{}\"\n", sb.path("ran").display()),
        );
        let right = hex(&std::fs::read(&fake_bin).unwrap());
        for (digest, why) in [
            ("", "no verified digest"),
            (&"0".repeat(64)[..], "changed since it was installed"),
        ] {
            let out = sb.run(
                "run.sh",
                &[
                    ("XS_BIN", fake_bin.to_str().unwrap()),
                    ("XS_BIN_SHA256", digest),
                ],
            );
            assert!(!out.status.success());
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("::error title=xray-sync::") && stdout.contains(why),
                "{stdout}"
            );
            assert!(!sb.path("ran").exists(), "the binary ran");
        }
        let out = sb.run(
            "run.sh",
            &[
                ("XS_BIN", fake_bin.to_str().unwrap()),
                ("XS_BIN_SHA256", &right),
            ],
        );
        assert!(out.status.success());
        assert!(sb.path("ran").exists());
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
                ("XS_BIN_SHA256", &hex(&std::fs::read(&fake_bin).unwrap())),
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

    #[test]
    fn mode_input_picks_the_command() {
        let sb = Sandbox::new("", "");
        let fake_bin = sb.path("fake-xray-sync");
        write_exec(
            &fake_bin,
            &format!(
                "#!/bin/sh\necho \"args=$*\" >>\"{}\"\n",
                sb.path("seen").display()
            ),
        );
        let bin = fake_bin.to_str().unwrap();
        // run.sh runs only a binary whose digest it was given (install or build checked it).
        let digest = hex(&std::fs::read(&fake_bin).unwrap());
        for mode in ["create-execution", "finish-execution", "run", ""] {
            let out = sb.run(
                "run.sh",
                &[
                    ("XS_BIN", bin),
                    ("XS_BIN_SHA256", &digest),
                    ("XS_MODE", mode),
                ],
            );
            assert!(
                out.status.success(),
                "{mode}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = sb.run(
            "run.sh",
            &[
                ("XS_BIN", bin),
                ("XS_BIN_SHA256", &digest),
                ("XS_MODE", "::stop-commands::x"),
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("unknown mode"), "{stderr}");
        assert!(!stderr.contains("stop-commands"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(sb.path("seen")).unwrap(),
            "args=execution create\nargs=execution finish\nargs=run\nargs=run\n"
        );
    }
}

/// Every variable the action sets for the binary is one the binary reads: an `env =` of some
/// flag in `cli.rs` (the `XS_*` ones are read by the action's scripts alone).
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
