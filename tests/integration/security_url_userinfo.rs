//! Issue 19 item 8: credentials in a URL (`https://user:pass@host`) are refused with a clear
//! error that never repeats them, in every URL setting, before anything is sent or written:
//! stdout, stderr, the JSON report, the job summary (file and GitHub's) and `config` never
//! show the password.

use crate::support;

use support::e2e::*;

const URL_PASSWORD: &str = "URLPASSWORD-5e1f";

fn with_userinfo(url: &str) -> String {
    url.replacen("://", &format!("://ci-user:{URL_PASSWORD}@"), 1)
}

/// Everything the run left behind, for the "never echoed" check.
fn every_text(s: &Scratch, out: &Out) -> Vec<(String, String)> {
    let mut texts = vec![
        ("stdout".to_string(), out.stdout.clone()),
        ("stderr".to_string(), out.stderr.clone()),
    ];
    for (path, text) in s.files_under(".") {
        texts.push((path.display().to_string(), text));
    }
    texts
}

#[test]
fn userinfo_in_a_url_is_refused_and_never_echoed_by_run() {
    let xray = xray_cloud();
    let jira = jira_cloud();
    for (var, url) in [
        ("XRAY_URL", xray.url()),
        ("JIRA_URL", jira.url()),
        ("ATLASSIAN_AUTH_URL", jira.url()),
        ("ATLASSIAN_API_URL", jira.url()),
    ] {
        let s = Scratch::new();
        s.junit("TEST-a.xml", "CalcTest", 1, &failures(1));
        std::fs::write(s.path("step-summary.md"), "").unwrap();
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        jira_cloud_env(&mut cmd, &jira.url());
        cmd.env(var, with_userinfo(&url))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", s.path("step-summary.md"))
            .args([
                "run",
                "--json",
                "--report",
                "report.json",
                "--summary-md",
                "summary.md",
                "results",
            ]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(2), "{var}: {}", out.text());
        assert!(
            out.stderr.contains(var) && out.stderr.contains("user name or password"),
            "{var}: the error names the setting:\n{}",
            out.stderr
        );
        assert!(out.stderr.contains("***@"), "{var}: {}", out.stderr);
        assert_no_secrets(&every_text(&s, &out), &[URL_PASSWORD.to_string()]);
        assert!(!s.path("report.json").exists() && !s.path("summary.md").exists());
    }
    assert!(xray.server.requests().is_empty(), "nothing was sent");
    assert!(jira.fake.requests().is_empty(), "nothing was sent");
}

#[test]
fn config_and_doctor_never_print_userinfo() {
    let s = Scratch::new();
    // Unused by this configuration (no OAuth), so nothing else would check it.
    for (var, value) in [
        (
            "ATLASSIAN_AUTH_URL",
            with_userinfo("https://auth.example.test"),
        ),
        ("JIRA_URL", with_userinfo("https://jira.example.test")),
    ] {
        for sub in ["config", "doctor"] {
            let mut cmd = s.bin();
            cmd.env(var, &value).arg(sub);
            let out = run(&mut cmd);
            assert_eq!(out.code, Some(2), "{sub} {var}: {}", out.text());
            assert!(out.stderr.contains(var), "{sub}: {}", out.stderr);
            assert_no_secrets(&every_text(&s, &out), &[URL_PASSWORD.to_string()]);
        }
    }
    // In a config file the user names, too.
    std::fs::write(
        s.path("ci.toml"),
        format!(
            "[jira]\nurl = {:?}\n",
            with_userinfo("https://jira.example.test")
        ),
    )
    .unwrap();
    let out = run(s.bin().args(["config", "--config", "ci.toml"]));
    assert_eq!(out.code, Some(2), "{}", out.text());
    assert!(out.stderr.contains("[jira] url"), "{}", out.stderr);
    assert!(!out.text().contains(URL_PASSWORD), "{}", out.text());
}

#[test]
fn an_at_sign_after_the_host_is_not_userinfo() {
    let xray = xray_cloud();
    let s = Scratch::new();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("JIRA_URL", "https://jira.example.test/@team")
        .arg("config");
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout.contains("https://jira.example.test/@team"),
        "{}",
        out.stdout
    );
}

/// Every URL key, from flags/env and from the file, is checked whether the run uses it or not.
#[test]
fn every_url_setting_is_checked_in_resolution() {
    use crate::plan_support::{cloud_args, resolve_full};
    use xray_sync::ci::CiContext;

    let bad = format!("https://ci:{URL_PASSWORD}@host.example.test");
    let file_keys = [
        ("xray", "url", "[xray] url"),
        ("jira", "url", "[jira] url"),
        ("jira", "auth_url", "[jira] auth_url"),
        ("jira", "api_url", "[jira] api_url"),
    ];
    for (section, key, named) in file_keys {
        let toml = format!("[{section}]\n{key} = {bad:?}\n");
        let e = resolve_full(&cloud_args(), &toml, vec![], true, CiContext::default())
            .expect_err("refused")
            .to_string();
        assert!(e.contains(named), "{e}");
        assert!(!e.contains(URL_PASSWORD), "{e}");
    }
    let mut args = cloud_args();
    args.connection.atlassian_api_url = Some(bad.clone());
    let e = resolve_full(&args, "", vec![], true, CiContext::default())
        .expect_err("refused")
        .to_string();
    assert!(
        e.contains("ATLASSIAN_API_URL") && !e.contains(URL_PASSWORD),
        "{e}"
    );
}
