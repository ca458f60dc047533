//! Playwright JSON report attachments as evidence, end to end against the fake Xray: the report
//! names absolute paths of the machine that ran the tests. Inside the workspace they are sent;
//! outside it they are refused, and missing ones skipped, each with its reason; `body`
//! attachments go inline. Nothing outside the workspace is ever read.
#![cfg(unix)]

use crate::support;

use base64::Engine;
use support::e2e::*;

#[test]
fn attachments_inside_the_workspace_are_sent_and_others_refused_with_a_reason() {
    let xray = xray_cloud();
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("test-results/a")).unwrap();
    std::fs::write(s.path("test-results/a/shot.png"), b"inside the workspace").unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("error-context.md");
    std::fs::write(&secret, b"OUTSIDE-SECRET-CONTENT").unwrap();
    let inside = s.path("test-results/a/shot.png");
    let missing = "/nonexistent-pw-machine/test-results/a/trace.zip";
    let report = format!(
        r#"{{"config":{{"configFile":"/ci/playwright.config.ts","rootDir":"/ci/tests","workers":1}},
          "suites":[{{"title":"a.spec.ts","file":"a.spec.ts","specs":[{{"title":"broken","tags":[],"tests":[
            {{"expectedStatus":"passed","projectName":"","results":[
              {{"status":"failed","retry":0,"error":{{"message":"Error: boom"}},"attachments":[
                {{"name":"screenshot","contentType":"image/png","path":"{inside}"}},
                {{"name":"error-context","contentType":"text/markdown","path":"{secret}"}}]}},
              {{"status":"failed","retry":1,"error":{{"message":"Error: boom"}},"attachments":[
                {{"name":"trace","contentType":"application/zip","path":"{missing}"}},
                {{"name":"note","contentType":"text/plain","body":"aGVsbG8="}}]}}]}}]}}]}}],
          "errors":[]}}"#,
        inside = inside.display(),
        secret = secret.display(),
    );
    std::fs::write(s.path("results/results.json"), report).unwrap();

    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--report", "report.json", "results/results.json"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(out.text().contains("playwright (1 test)"), "{}", out.text());

    let exec = xray.only_execution();
    assert_eq!(exec.runs.len(), 1, "{:?}", exec.runs.keys());
    let mut evidence: Vec<(String, Vec<u8>)> = exec
        .runs
        .values()
        .flat_map(|r| {
            r.evidence
                .iter()
                .map(|(name, _, bytes)| (name.clone(), bytes.clone()))
        })
        .collect();
    evidence.sort();
    assert_eq!(
        evidence,
        [
            ("note.txt".to_string(), b"hello".to_vec()),
            ("shot.png".to_string(), b"inside the workspace".to_vec()),
        ]
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode("OUTSIDE-SECRET-CONTENT");
    for req in xray.server.requests() {
        let body = req.body_str();
        assert!(!body.contains(&encoded) && !body.contains("OUTSIDE-SECRET"));
    }
    let report = s.report();
    let skipped = report["xray"]["evidence_skipped"].as_array().unwrap();
    let reason = |file: &str| {
        skipped
            .iter()
            .find(|e| e["filename"] == file)
            .and_then(|e| e["reason"].as_str())
            .unwrap_or_else(|| panic!("{file} not skipped: {skipped:?}"))
            .to_string()
    };
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(reason("error-context.md").starts_with("refused: outside the workspace"));
    assert!(reason("trace.zip").starts_with("cannot open"));
}
