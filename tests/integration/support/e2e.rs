//! End-to-end helpers: run the real `xray-sync` binary against the in-process fakes.
//!
//! Owns the process boundary: a clean environment (`env_clear`, then only PATH, HOME in a
//! tempdir and what the test sets), short HTTP timeouts and one attempt per call so failure
//! paths finish in milliseconds, generated JUnit files, and the "no secret anywhere" check over
//! every text the binary produced. The fakes themselves live in `xray_fake.rs` / `jira_fake.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;

use super::fake::{Fake, Reply, Request};
use super::jira_fake::{self, JiraFake};
use super::xray_fake::{Creds, Mode, XrayFake};

/// The Xray project (and Xray fake's project).
pub const PROJECT: &str = "CALC";
/// Where bugs go (a project the Jira fake knows).
pub const BUG_PROJECT: &str = "BUG";
pub const XRAY_CLIENT_ID: &str = "xray-client-id-e2e";
pub const XRAY_CLIENT_SECRET: &str = "XRAYSECRET-e2e-0b7c9d";
pub const GITHUB_TOKEN: &str = "ghs_E2EGITHUBTOKEN123";
pub const EMAIL: &str = jira_fake::build::EMAIL;
pub const API_TOKEN: &str = jira_fake::build::API_TOKEN;
pub const PAT: &str = jira_fake::build::PAT;
pub const PASSWORD: &str = jira_fake::build::PASSWORD;
pub const CLIENT_ID: &str = jira_fake::build::CLIENT_ID;
pub const CLIENT_SECRET: &str = jira_fake::build::CLIENT_SECRET;
pub const DC_USER: &str = "ci-bot";

/// `base64(user:secret)`, the Basic form a secret travels in.
pub fn basic(user: &str, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
}

/// Every credential value any e2e test sets, with the Basic forms.
pub fn all_secrets() -> Vec<String> {
    vec![
        XRAY_CLIENT_SECRET.to_string(),
        API_TOKEN.to_string(),
        basic(EMAIL, API_TOKEN),
        PAT.to_string(),
        PASSWORD.to_string(),
        basic(DC_USER, PASSWORD),
        CLIENT_SECRET.to_string(),
        GITHUB_TOKEN.to_string(),
    ]
}

/// What one invocation left behind.
#[derive(Debug)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stdout and stderr together, for wording checks.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A scratch directory for one test: the working directory, HOME, result files and outputs.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        std::fs::create_dir_all(dir.path().join("results")).expect("results");
        Scratch { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The binary, with nothing inherited but PATH, run in the scratch directory (so no
    /// `xray-sync.toml` of the repository is picked up), with fast-failing HTTP settings.
    pub fn bin(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xray-sync"));
        c.env_clear();
        if let Ok(path) = std::env::var("PATH") {
            c.env("PATH", path);
        }
        c.env("HOME", self.path("home"));
        c.current_dir(self.dir.path());
        c.env("XRAY_SYNC_CONNECT_TIMEOUT", "2")
            .env("XRAY_SYNC_READ_TIMEOUT", "5")
            .env("XRAY_SYNC_IMPORT_TIMEOUT", "5")
            // One attempt: a retry would sleep for the policy's backoff (seconds).
            .env("XRAY_SYNC_MAX_ATTEMPTS", "1")
            .env("XRAY_SYNC_SPOOL_DIR", self.path("spool"));
        // Hosts that have real defaults point at a dead loopback port unless a test sets them,
        // so no code path can ever reach Atlassian or GitHub.
        let dead = refused_url();
        c.env("ATLASSIAN_AUTH_URL", &dead)
            .env("ATLASSIAN_API_URL", &dead)
            .env("GITHUB_API_URL", &dead);
        c
    }

    /// Writes `results/NAME` with `passing` passing tests and the given failures
    /// (name, message). Test ids are `com.acme.<suite>.<name>`.
    pub fn junit(&self, name: &str, suite: &str, passing: usize, failing: &[(String, String)]) {
        std::fs::write(
            self.path("results").join(name),
            junit_xml(suite, passing, failing),
        )
        .expect("write junit");
    }

    /// Every file under `rel` (recursively) as (path, text); empty when it does not exist.
    pub fn files_under(&self, rel: &str) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        walk(&self.path(rel), &mut out);
        out
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    pub fn report(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("report.json")).expect("report.json is JSON")
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned();
            out.push((p, text));
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn junit_xml(suite: &str, passing: usize, failing: &[(String, String)]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"{suite}\" tests=\"{}\" failures=\"{}\" timestamp=\"2026-05-01T10:00:00Z\">\n",
        passing + failing.len(),
        failing.len()
    );
    for i in 0..passing {
        x.push_str(&format!(
            "  <testcase classname=\"com.acme.{suite}\" name=\"passes_{i:03}\" time=\"0.01\"/>\n"
        ));
    }
    for (name, message) in failing {
        let m = xml_escape(message);
        x.push_str(&format!(
            "  <testcase classname=\"com.acme.{suite}\" name=\"{}\" time=\"0.02\">\n    <failure message=\"{m}\" type=\"AssertionError\">{m}\n  at com.acme.{suite}.{}(Test.java:42)</failure>\n  </testcase>\n",
            xml_escape(name),
            xml_escape(name)
        ));
    }
    x.push_str("</testsuite>\n");
    x
}

/// `n` failures named `fails_000`… with a plain message.
pub fn failures(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("fails_{i:03}"),
                format!("expected {i} but was {}", i + 1),
            )
        })
        .collect()
}

pub fn run(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("run xray-sync");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

// ---- fakes and the variables that point at them ----

pub fn xray_cloud() -> XrayFake {
    XrayFake::start(
        Mode::Cloud,
        PROJECT,
        Creds::Cloud {
            client_id: XRAY_CLIENT_ID.into(),
            secret: XRAY_CLIENT_SECRET.into(),
        },
    )
}

pub fn xray_dc_pat() -> XrayFake {
    XrayFake::start(Mode::Dc, PROJECT, Creds::Pat(PAT.into()))
}

pub fn jira_cloud() -> JiraFake {
    JiraFake::start(jira_fake::build::cloud_basic().0)
}

pub fn jira_dc_pat() -> JiraFake {
    JiraFake::start(jira_fake::build::dc_pat().0)
}

/// Puts the Xray fake's issues (Tests, created by imports too) on the Jira fake's site, as in
/// reality: Xray's Tests are Jira issues of the same site, so bugs can be linked to them.
pub fn same_site(jira: &JiraFake, xray: &XrayFake) {
    let state = xray.state.clone();
    jira.share_site(Arc::new(move |key: &str| {
        let s = state.lock().unwrap_or_else(|p| p.into_inner());
        if s.hidden.contains(key) {
            return None;
        }
        s.issues.get(key).cloned()
    }));
    let state = xray.state.clone();
    jira.share_site_edits(Arc::new(move |key: &str, body: &serde_json::Value| {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.edit_execution(key, body)
    }));
}

/// Xray Cloud variables pointing at `url`.
pub fn xray_cloud_env(cmd: &mut Command, url: &str) {
    cmd.env("XRAY_URL", url)
        .env("XRAY_CLIENT_ID", XRAY_CLIENT_ID)
        .env("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET)
        .env("XRAY_PROJECT", PROJECT);
}

/// Jira Cloud (email + API token) variables pointing at `url`. The OAuth hosts point at the
/// same loopback URL, so nothing can ever default to a real Atlassian host.
pub fn jira_cloud_env(cmd: &mut Command, url: &str) {
    cmd.env("JIRA_URL", url)
        .env("JIRA_EMAIL", EMAIL)
        .env("JIRA_API_TOKEN", API_TOKEN)
        .env("JIRA_BUG_PROJECT", BUG_PROJECT)
        .env("ATLASSIAN_AUTH_URL", url)
        .env("ATLASSIAN_API_URL", url);
}

/// A URL on loopback where nothing listens (connection refused).
pub fn refused_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("http://{addr}")
}

/// A server that answers every request with `status` and a body quoting the whole request
/// (headers and body), like a misbehaving proxy: whatever credential was sent comes back.
pub fn echo_fake(status: u16) -> Fake {
    Fake::serve(move |req: &Request| Reply::json(status, echo_body(req)))
}

pub fn echo_body(req: &Request) -> String {
    let headers: Vec<String> = req
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    serde_json::json!({
        "error": format!("rejected {} {}", req.method, req.target),
        "errorMessages": [format!("you sent: {} | {}", headers.join(" | "), req.body_str())],
        "message": format!("headers: {}", headers.join(" | ")),
    })
    .to_string()
}

// ---- a minimal GitHub API for the PR comment ----

#[derive(Default)]
pub struct GithubState {
    pub comments: Vec<serde_json::Value>,
}

/// Accepts the PR comment routes for `acme/app` pull request 7.
pub fn github_fake(state: Arc<Mutex<GithubState>>) -> Fake {
    Fake::serve(move |req: &Request| {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        match (req.method.as_str(), req.path()) {
            ("GET", "/user") => Reply::json(
                403,
                r#"{"message":"Resource not accessible by integration"}"#,
            ),
            ("GET", "/repos/acme/app/issues/7/comments") => Reply::json(
                200,
                serde_json::Value::Array(st.comments.clone()).to_string(),
            ),
            ("POST", "/repos/acme/app/issues/7/comments") => {
                let id = 1000 + st.comments.len() as u64;
                let body = req.json()["body"].as_str().unwrap_or("").to_string();
                let c = serde_json::json!({
                    "id": id,
                    "node_id": format!("IC_{id}"),
                    "url": format!("http://fake/repos/acme/app/issues/comments/{id}"),
                    "html_url": format!("https://github.com/acme/app/pull/7#issuecomment-{id}"),
                    "body": body,
                    "user": {"login": "github-actions[bot]", "id": 1, "type": "Bot"},
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z"
                });
                st.comments.push(c.clone());
                Reply::json(201, c.to_string())
            }
            _ => Reply::json(404, r#"{"message":"Not Found"}"#),
        }
    })
}

// ---- secrets ----

/// Asserts that no secret (nor its Basic form, which the caller includes) occurs in any text.
pub fn assert_no_secrets(texts: &[(String, String)], secrets: &[String]) {
    for (what, text) in texts {
        for s in secrets {
            assert!(
                !text.contains(s.as_str()),
                "secret {s:?} leaked into {what}:\n{text}"
            );
        }
    }
}
