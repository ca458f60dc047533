//! Kept text (failure text, output of failed tries) lives in a temporary file while a run lasts
//! (`src/model/text.rs`). These run the binary on a report with enough text to flush the store's
//! buffer several times: every text comes back whole, and without a writable temp dir xray-sync
//! warns once, keeps the text in memory and prints the same result.

use std::path::Path;
use std::process::{Command, Output};

/// `failures` failing tests, each with a distinct ~4 KB stack trace and ~2 KB of output whose
/// ends are marked, so a text read back cut short or from the wrong place is caught.
fn write_report(dir: &Path, failures: usize) -> std::path::PathBuf {
    let mut xml = String::from("<testsuite name=\"S\">\n");
    for i in 0..failures {
        let frames = format!("\tat com.acme.C.m{i}(C.java:{i})\n").repeat(120);
        let output = format!("log line of test {i}\n").repeat(100);
        xml.push_str(&format!(
            "<testcase classname=\"com.acme.C\" name=\"t{i}\"><failure message=\"boom {i}\" \
             type=\"AssertionError\">trace-{i}-start\n{frames}trace-{i}-end</failure>\
             <system-out>out-{i}-start\n{output}out-{i}-end</system-out></testcase>\n"
        ));
        xml.push_str(&format!(
            "<testcase classname=\"com.acme.C\" name=\"ok{i}\"/>\n"
        ));
    }
    xml.push_str("</testsuite>\n");
    let file = dir.join("TEST-store.xml");
    std::fs::write(&file, xml).unwrap();
    file
}

fn parse_json(file: &Path, tmpdir: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xray-sync"));
    c.env_clear();
    if let Ok(path) = std::env::var("PATH") {
        c.env("PATH", path);
    }
    c.env("TMPDIR", tmpdir)
        .current_dir(file.parent().unwrap())
        .args(["parse", "--json"])
        .arg(file)
        .output()
        .unwrap()
}

const WARNING: &str = "cannot keep test output in a temporary file";

#[test]
fn kept_text_reads_back_whole_and_an_unwritable_temp_dir_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let failures = 300; // ~1.8 MB of kept text: several flushes of the 256 KiB buffer
    let file = write_report(dir.path(), failures);

    let normal = parse_json(&file, dir.path());
    let stdout = String::from_utf8(normal.stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&normal.stderr);
    assert!(normal.status.success(), "{stderr}");
    assert!(!stderr.contains(WARNING), "{stderr}");
    let cases: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let cases = cases["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{stdout:.300}"));
    assert_eq!(cases.len(), failures * 2);
    for i in 0..failures {
        let case = cases.iter().find(|c| c["name"] == format!("t{i}")).unwrap();
        let attempt = &case["attempts"][0];
        assert_eq!(attempt["message"], format!("boom {i}"));
        assert_eq!(attempt["type"], "AssertionError");
        let details = attempt["details"].as_str().unwrap();
        assert!(details.starts_with(&format!("trace-{i}-start\n")), "{i}");
        assert!(details.ends_with(&format!("trace-{i}-end")), "{i}");
        let out = attempt["system_out"].as_str().unwrap();
        assert!(out.starts_with(&format!("out-{i}-start\n")), "{i}");
        assert!(out.ends_with(&format!("out-{i}-end")), "{i}");
    }

    let missing = dir.path().join("no-such-dir");
    let fallback = parse_json(&file, &missing);
    let stderr = String::from_utf8_lossy(&fallback.stderr);
    assert!(fallback.status.success(), "{stderr}");
    assert_eq!(stderr.matches(WARNING).count(), 1, "warned once: {stderr}");
    assert!(
        fallback.stdout == normal.stdout,
        "same result with the text kept in memory"
    );
}
