//! The binary's command line: `--help` documents every contract variable, `config` shows each
//! value's source, empty variables count as unset, exit codes for usage errors, and secrets
//! never printed. Runs the built binary with a controlled environment (nothing inherited).

use std::process::{Command, Output};

use xray_sync::cli::CONTRACT_ENV;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xray-sync"));
    c.env_clear();
    if let Ok(path) = std::env::var("PATH") {
        c.env("PATH", path);
    }
    // No xray-sync.toml is picked up from the repository.
    c.current_dir(std::env::temp_dir());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn run_help_lists_every_contract_env_var() {
    let o = bin().args(["run", "--help"]).output().unwrap();
    assert!(o.status.success());
    // clap wraps long lines; compare with whitespace collapsed.
    let help = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    for var in CONTRACT_ENV {
        assert!(
            help.contains(&format!("[env: {var}")),
            "--help misses {var}"
        );
    }
    for var in [
        "XRAY_SYNC_RESULTS",
        "XRAY_SYNC_CONFIG",
        "XRAY_SYNC_PLAN_JSON",
        "XRAY_SYNC_NO_UPLOAD",
        "XRAY_SYNC_NO_BUGS",
        "XRAY_SYNC_UNMAPPED",
    ] {
        assert!(help.contains(var), "--help misses {var}");
    }
}

#[test]
fn help_never_shows_secret_values() {
    let o = bin()
        .args(["run", "--help"])
        .env("XRAY_CLIENT_SECRET", "super-secret-xray")
        .env("JIRA_API_TOKEN", "super-secret-jira")
        .env("XRAY_PROJECT", "CALC")
        .output()
        .unwrap();
    let help = text(&o);
    assert!(!help.contains("super-secret"), "secret in --help");
    assert!(
        help.contains("[env: XRAY_PROJECT=CALC]"),
        "non-secret values are shown"
    );
}

#[test]
fn config_shows_sources_and_redacts() {
    let o = bin()
        .args(["config", "--test-plan", "CALC-15"])
        .env("XRAY_PROJECT", "CALC")
        .env("XRAY_CLIENT_ID", "cid")
        .env("XRAY_CLIENT_SECRET", "super-secret-xray")
        .env("XRAY_URL", "")
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let line = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no line for {id} in\n{out}"))
            .to_string()
    };
    // name, value, source: the source column starts at the same place on every line.
    let source = |id: &str, src: &str, value: &str| {
        let l = line(id);
        let at = l.rfind(&format!("  {src}")).map(|i| i + 2);
        assert!(
            at.is_some() && l.ends_with(src) && l.contains(&format!(" {value} ")),
            "{id}: {l:?} should show value {value} and source {src}"
        );
        at.unwrap()
    };
    let col = source("project", "env XRAY_PROJECT", "CALC");
    assert_eq!(source("test_plan", "flag", "CALC-15"), col);
    assert_eq!(source("chunk_max_tests", "default", "1000"), col);
    assert_eq!(
        source("xray_url", "default", "-"),
        col,
        "empty XRAY_URL counts as unset"
    );
    assert!(line("xray_client_secret").contains("***"));
    assert!(
        out.contains("\nci: local (no CI variables found)\n"),
        "{out}"
    );
    assert!(!out.contains("dry run"), "{out}");
    assert!(!out.contains("super-secret"));
}

#[test]
fn empty_env_vars_are_unset_not_errors() {
    let o = bin()
        .args(["config"])
        .env("XRAY_SYNC_INSECURE", "")
        .env("XRAY_SYNC_CHUNK_MAX_TESTS", " ")
        .env("XRAY_DEPLOYMENT", "")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = bin().args(["run", "--no-such-flag"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["run", "--unmapped", "sometimes"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["run", "--dry-run", "x.xml"])
        .env("XRAY_CLIENT_ID", "cid")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    assert!(
        out.contains("error: XRAY_PROJECT / --project / [xray] project is required"),
        "{out}"
    );
    assert!(out.contains("hint:"));
    for sub in ["doctor", "resend", "config", "parse", "run"] {
        let o = bin().args([sub, "--help"]).output().unwrap();
        assert!(o.status.success(), "{sub} --help: {}", text(&o));
    }
    // Nothing configured: doctor fails its settings check and skips the rest (never passes).
    let o = bin().args(["doctor"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(out.contains("FAIL settings"), "{out}");
    assert!(out.contains("SKIP xray.auth"), "{out}");
}

#[test]
fn bad_config_file_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("xray-sync.toml");
    std::fs::write(&cfg, "[xray]\nprojekt = \"CALC\"\n").unwrap();
    let o = bin()
        .args(["run", "--dry-run", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    assert!(
        out.contains("xray-sync.toml") && out.contains("projekt"),
        "{out}"
    );
}

/// A real run with neither Xray nor Jira configured must not "succeed" doing nothing.
#[test]
fn run_with_nothing_configured_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("TEST-a.xml");
    std::fs::write(
        &file,
        r#"<testsuite name="s"><testcase classname="a" name="b"/></testsuite>"#,
    )
    .unwrap();
    let o = bin().args(["run"]).arg(&file).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nothing to send"), "{}", text(&o));
}

/// `run --json`: stdout is exactly the JSON report; the human summary goes to stderr.
#[test]
fn run_json_prints_only_the_report_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("TEST-a.xml");
    std::fs::write(
        &file,
        r#"<testsuite name="s"><testcase classname="a" name="ok"/><testcase classname="a" name="bad"><failure message="boom"/></testcase></testsuite>"#,
    )
    .unwrap();
    let o = bin()
        .args(["run", "--dry-run", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(v["counts"]["total"], 2);
    assert_eq!(v["counts"]["failed"], 1);
    assert_eq!(v["dry_run"], true);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("dry run"),
        "human text on stderr"
    );
}

/// The README's quick start, as written there: its first command reads the bundled fixtures and
/// prints no warning about them (only the notes that say nothing is configured).
#[test]
fn readme_quick_start_prints_no_warnings_about_the_bundled_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let quick = &readme[readme.find("## Quick start").expect("quick start section")..];
    let line = quick
        .lines()
        .find(|l| l.starts_with("cargo run --release -- "))
        .expect("the quick start's first command");
    let args: Vec<&str> = line["cargo run --release -- ".len()..]
        .split_whitespace()
        .collect();
    let o = bin().args(&args).current_dir(root).output().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test(s):"), "{out}");
    let notes: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "Notes:")
        .skip(1)
        .filter(|l| l.starts_with("  - "))
        .filter(|l| !l.contains("is not configured"))
        .collect();
    assert!(notes.is_empty(), "{notes:#?}");
    assert!(!out.to_lowercase().contains("warning"), "{out}");
}

/// The name `--help` gives each format; the match makes a new `Format` fail to compile here
/// until the top-level help names it.
fn help_name(f: xray_sync::model::Format) -> &'static str {
    use xray_sync::model::Format;
    match f {
        Format::Junit => "JUnit XML",
        Format::Allure2 => "Allure 2",
        Format::Allure1 => "Allure 1",
        Format::Nunit => "NUnit",
        Format::Xunit => "xUnit.net",
        Format::Trx => "TRX",
        Format::Testng => "TestNG",
        Format::Robot => "Robot Framework",
        Format::Cucumber => "Cucumber JSON",
        Format::Behave => "Behave JSON",
        Format::Playwright => "Playwright JSON",
    }
}

#[test]
fn top_level_help_lists_every_format() {
    use xray_sync::model::Format;
    let o = bin().arg("--help").output().unwrap();
    // Help is wrapped to the terminal width: compare with single spaces.
    let help = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(o.status.success(), "{help}");
    for f in [
        Format::Junit,
        Format::Allure2,
        Format::Allure1,
        Format::Nunit,
        Format::Xunit,
        Format::Trx,
        Format::Testng,
        Format::Robot,
        Format::Cucumber,
        Format::Behave,
        Format::Playwright,
    ] {
        assert!(help.contains(help_name(f)), "{f:?} missing from:\n{help}");
    }
}

/// A CI job whose system is not recognised says so instead of falling back to "local" silently.
#[test]
fn unrecognised_ci_is_a_note_and_config_says_why() {
    let o = bin()
        .args(["config"])
        .env("CI", "true")
        .env("CI_PIPELINE_ID", "5")
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("\nci: local (CI=true is set, but no variable"),
        "{out}"
    );
    assert!(out.contains("note: CI detection: CI=true is set"), "{out}");
    let gl = bin()
        .args(["config"])
        .env("CI_PIPELINE_ID", "5")
        .env("CI_JOB_ID", "6")
        .output()
        .unwrap();
    assert!(
        text(&gl).contains("\nci: GitLab CI (CI_PIPELINE_ID + CI_JOB_ID)\n"),
        "{}",
        text(&gl)
    );
}
