//! Issue 19 item 6: evidence roots are the canonical workspace and the canonical results
//! directories inside it. A symlinked directory inside the results tree, matched by
//! `results/**/*.xml`, must not make its target an allowed root.
#![cfg(unix)]

use crate::support;

use std::path::PathBuf;

use base64::Engine;
use support::e2e::*;
use xray_sync::xray::evidence::evidence_roots;

fn result_with_attachment(test: &str, attachment: &str) -> String {
    format!(
        "<testsuite name=\"s\"><testcase classname=\"com.acme.Ev\" name=\"{test}\">\
         <system-out>[[ATTACHMENT|{attachment}]]</system-out></testcase></testsuite>"
    )
}

#[test]
fn a_symlinked_results_directory_does_not_widen_the_evidence_roots() {
    let xray = xray_cloud();
    let s = Scratch::new();
    // A real results file with real evidence next to it: still attached.
    std::fs::write(s.path("results/ok.txt"), b"inside the workspace").unwrap();
    std::fs::write(
        s.path("results/TEST-ok.xml"),
        result_with_attachment("ok", "ok.txt"),
    )
    .unwrap();
    // Outside the workspace: a secret and a results file naming it relatively, reached
    // through `results/linked -> outside`.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"OUTSIDE-SECRET-CONTENT").unwrap();
    std::fs::write(
        outside.path().join("TEST-evil.xml"),
        result_with_attachment("evil", "secret.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("results/linked")).unwrap();

    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--report", "report.json", "results/**/*.xml"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());

    // The linked results file was read (the attack path is exercised) ...
    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 2, "{:?}", exec.runs.keys());
    // ... but only the workspace's evidence went out.
    let evidence: Vec<(String, Vec<u8>)> = exec
        .runs
        .values()
        .flat_map(|r| {
            r.evidence
                .iter()
                .map(|(name, _, bytes)| (name.clone(), bytes.clone()))
        })
        .collect();
    assert_eq!(
        evidence,
        [("ok.txt".to_string(), b"inside the workspace".to_vec())]
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode("OUTSIDE-SECRET-CONTENT");
    for req in xray.server.requests() {
        let body = req.body_str();
        assert!(!body.contains(&encoded) && !body.contains("OUTSIDE-SECRET"));
    }
    let report = s.report();
    let skipped = report["xray"]["evidence_skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["filename"], "secret.txt");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("refused: outside the workspace"),
        "{skipped:?}"
    );
}

#[test]
fn roots_are_canonical_and_inside_the_workspace() {
    let ws = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join("results/sub")).unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.path().join("results/linked")).unwrap();
    let canonical_ws = std::fs::canonicalize(ws.path()).unwrap();
    let dirs: Vec<PathBuf> = vec![
        ws.path().join("results/sub"),
        ws.path().join("results/linked"),
        ws.path().join("results/../results/sub"),
        outside.path().to_path_buf(),
    ];
    assert_eq!(
        evidence_roots(ws.path(), &dirs),
        [canonical_ws.clone(), canonical_ws.join("results/sub")]
    );
    // A workspace that does not exist allows nothing.
    assert!(evidence_roots(&ws.path().join("missing"), &dirs).is_empty());
}
