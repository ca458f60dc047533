//! Issue 19 item 1, the trust boundary: a `./xray-sync.toml` found by discovery may hold only
//! mapping and presentation keys. The tests that run before xray-sync can write any file in
//! the workspace; a planted config must not send the credentials elsewhere, widen what may be
//! read, or switch TLS verification off. The same keys in a file the user names explicitly
//! (`--config` / `XRAY_SYNC_CONFIG`) are accepted.

use crate::support;

use support::e2e::*;

/// The planted file from the red-team report: evidence from anywhere, credentials to another
/// host, TLS off.
fn hostile_config(evil_url: &str) -> String {
    format!(
        "[output]\nworkspace = \"/\"\n\n[xray]\nurl = \"{evil_url}\"\n\n[http]\ninsecure = true\n"
    )
}

/// A passing test whose output names `/proc/self/environ` as an attachment.
fn environ_result(s: &Scratch) {
    std::fs::write(
        s.path("results/TEST-a.xml"),
        "<testsuite name=\"s\"><testcase classname=\"com.acme.A\" name=\"t\">\
         <system-out>[[ATTACHMENT|/proc/self/environ]]</system-out></testcase></testsuite>",
    )
    .unwrap();
}

#[test]
fn discovered_config_with_trusted_keys_is_refused_naming_each_key() {
    let evil = echo_fake(200);
    let xray = xray_cloud();
    let s = Scratch::new();
    environ_result(&s);
    std::fs::write(s.path("xray-sync.toml"), hostile_config(&evil.url())).unwrap();

    // The run's own settings: credentials, no XRAY_URL (the Cloud default would apply).
    let mut cmd = s.bin();
    cmd.env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
        .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET)
        .env("XRAY_PROJECT", PROJECT)
        .args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(2), "{}", out.text());
    for key in ["[output] workspace", "[xray] url", "[http] insecure"] {
        assert!(out.stderr.contains(key), "{key} not named:\n{}", out.stderr);
    }
    assert!(
        out.stderr.contains("--config / XRAY_SYNC_CONFIG"),
        "{}",
        out.stderr
    );
    assert!(
        evil.requests().is_empty(),
        "credentials went to the planted host"
    );
    assert!(xray.server.requests().is_empty());
    assert!(!s.path("report.json").exists(), "nothing ran");
    assert_no_secrets(
        &[("stdout".into(), out.stdout), ("stderr".into(), out.stderr)],
        &all_secrets(),
    );

    // `doctor` and `config` stop the same way: neither may ask the planted host anything.
    for sub in ["doctor", "config"] {
        let mut cmd = s.bin();
        cmd.env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
            .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET)
            .arg(sub);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(2), "{sub}: {}", out.text());
        assert!(out.stderr.contains("[xray] url"), "{sub}: {}", out.stderr);
    }
    assert!(evil.requests().is_empty());
}

#[test]
fn the_same_keys_in_an_explicitly_named_config_are_accepted() {
    let xray = xray_cloud();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 2, &[]);
    // The user's own file, pointing at the (fake) Xray they mean.
    std::fs::write(s.path("ci.toml"), hostile_config(&xray.url())).unwrap();

    for how in ["flag", "env"] {
        let mut cmd = s.bin();
        cmd.env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
            .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET)
            .env("XRAY_PROJECT", PROJECT);
        if how == "flag" {
            cmd.args(["config", "--config", "ci.toml"]);
        } else {
            cmd.env("XRAY_SYNC_CONFIG", "ci.toml").arg("config");
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "{how}: {}", out.text());
        let line = |id: &str| {
            out.stdout
                .lines()
                .find(|l| l.starts_with(id))
                .unwrap_or_default()
                .to_string()
        };
        assert!(line("xray_url").contains(&xray.url()), "{}", out.stdout);
        assert!(line("xray_url").ends_with("file"), "{}", out.stdout);
        assert!(line("insecure").contains("true"), "{}", out.stdout);
        assert!(line("workspace").contains('/'), "{}", out.stdout);
    }

    let mut cmd = s.bin();
    cmd.env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
        .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET)
        .env("XRAY_PROJECT", PROJECT)
        .args(["run", "--config", "ci.toml", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(xray.only_execution().runs.len(), 2);
}

/// A discovered file keeps working for what it may hold: mapping and presentation.
#[test]
fn discovered_config_with_mapping_and_presentation_keys_still_applies() {
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 1, &failures(1));
    std::fs::write(
        s.path("map.json"),
        r#"{"com.acme.CalcTest.passes_000": "CALC-7"}"#,
    )
    .unwrap();
    std::fs::write(
        s.path("xray-sync.toml"),
        "[mapping]\nfile = \"map.json\"\n\n[xray]\nsummary = \"nightly {total}\"\n\n[jira]\nlabels = [\"ci\"]\n\n[statuses]\npassed = \"OK\"\n",
    )
    .unwrap();
    let mut cmd = s.bin();
    cmd.args(["run", "--dry-run", "--plan-json", "plan.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let plan = s.read("plan.json");
    assert!(plan.contains("CALC-7"), "mapping file applied:\n{plan}");
    assert!(
        plan.contains("nightly 2"),
        "summary template applied:\n{plan}"
    );
    assert!(plan.contains("\"OK\""), "status name applied:\n{plan}");
}

/// A discovered file cannot point the mapping file outside its directory or through a link,
/// nor be a link to a file elsewhere (it is not even read then).
#[cfg(unix)]
#[test]
fn discovered_config_cannot_reach_other_files() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("map.json"), r#"{"a": "CALC-1"}"#).unwrap();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 1, &[]);
    let escape = format!("{}/map.json", outside.path().display());
    for file in ["../map.json", escape.as_str()] {
        std::fs::write(
            s.path("xray-sync.toml"),
            format!("[mapping]\nfile = {file:?}\n"),
        )
        .unwrap();
        let out = run(s.bin().args(["run", "--dry-run", "results"]));
        assert_eq!(out.code, Some(2), "{file}: {}", out.text());
        assert!(out.stderr.contains("[mapping] file"), "{}", out.stderr);
    }

    // Nor through a mapping file that is a link to one elsewhere.
    std::os::unix::fs::symlink(outside.path().join("map.json"), s.path("map.json")).unwrap();
    std::fs::write(s.path("xray-sync.toml"), "[mapping]\nfile = \"map.json\"\n").unwrap();
    let out = run(s.bin().args(["run", "--dry-run", "results"]));
    assert_eq!(out.code, Some(2), "{}", out.text());
    assert!(out.stderr.contains("symlink"), "{}", out.stderr);
    // The user naming the same file explicitly may use the link.
    let out = run(s
        .bin()
        .args(["run", "--dry-run", "--config", "xray-sync.toml", "results"]));
    assert_eq!(out.code, Some(0), "{}", out.text());

    std::fs::remove_file(s.path("xray-sync.toml")).unwrap();
    let target = outside.path().join("real.toml");
    std::fs::write(&target, "[xray]\nproject = \"CALC\"\n").unwrap();
    std::os::unix::fs::symlink(&target, s.path("xray-sync.toml")).unwrap();
    let out = run(s.bin().args(["run", "--dry-run", "results"]));
    assert_eq!(out.code, Some(2), "{}", out.text());
    assert!(out.stderr.contains("symlink"), "{}", out.stderr);
}

/// The action passes its `config` input as `XRAY_SYNC_CONFIG`, so a file the user names there
/// is explicit (trusted); without the input only discovery applies.
#[test]
fn action_passes_its_config_input_explicitly() {
    let yml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    assert!(
        yml.contains("XRAY_SYNC_CONFIG: ${{ inputs.config }}"),
        "action.yml must map inputs.config to XRAY_SYNC_CONFIG"
    );
}

/// README's Security section lists the trusted keys a discovered file may not hold; the list is
/// the code's (`settings::trust::TRUSTED_KEYS`), so a key added to one is added to the other.
#[test]
fn readme_lists_exactly_the_trusted_keys() {
    use std::collections::BTreeSet;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let security = &readme[readme
        .find("## Security")
        .expect("README has a Security section")..];
    let mut listed = BTreeSet::new();
    for line in security
        .lines()
        .take_while(|l| !l.starts_with("## ") || l.starts_with("## Security"))
    {
        let Some(rest) = line.strip_prefix("| `[") else {
            continue;
        };
        let Some((section, keys)) = rest.split_once("]` | ") else {
            continue;
        };
        let section = section.trim_start_matches('[').trim_end_matches(']');
        for key in keys.trim_end_matches(" |").split(", ") {
            listed.insert((section.to_string(), key.trim_matches('`').to_string()));
        }
    }
    let trusted: BTreeSet<(String, String)> = xray_sync::settings::trust::TRUSTED_KEYS
        .iter()
        .map(|(s, k, _)| (s.to_string(), k.to_string()))
        .collect();
    assert_eq!(
        listed, trusted,
        "README Security's trusted-key table against TRUSTED_KEYS"
    );
}
