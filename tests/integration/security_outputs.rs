//! Issue 19 item 10: output files (`--report`, `--plan-json`, `--summary-md`) and the spool are
//! created without following symlinks planted beforehand; spool files are owner-only. A link's
//! target (outside the scratch directory) is never written, and a dangling link never creates
//! its target.
#![cfg(unix)]

use crate::support;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use support::e2e::*;
use support::fake::Reply;
use support::xray_fake::{Action, On};

fn is_link(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn planted_output_links_are_replaced_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let kept = outside.path().join("kept.txt");
    std::fs::write(&kept, "KEEP ME").unwrap();
    let dangling = outside.path().join("never-created.txt");

    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 2, &failures(1));
    symlink(&kept, s.path("report.json")).unwrap();
    symlink(&kept, s.path("plan.json")).unwrap();
    symlink(&dangling, s.path("summary.md")).unwrap();

    let out = run(s.bin().args([
        "run",
        "--dry-run",
        "--report",
        "report.json",
        "--plan-json",
        "plan.json",
        "--summary-md",
        "summary.md",
        "results",
    ]));
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "KEEP ME");
    assert!(!dangling.exists(), "a dangling link's target was created");
    for name in ["report.json", "plan.json", "summary.md"] {
        let p = s.path(name);
        assert!(!is_link(&p), "{name} is still a link");
        assert!(p.is_file(), "{name} was not written");
    }
    assert_eq!(
        s.report()["counts"]["failed"],
        1,
        "{}",
        s.read("report.json")
    );
    assert!(s.read("plan.json").contains("CalcTest"));
    assert!(
        s.read("summary.md").contains("xray-sync (dry run)"),
        "{}",
        s.read("summary.md")
    );
    // Nothing else appeared next to the outputs (no leftover temporary files).
    let mut names: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["home", "plan.json", "report.json", "results", "summary.md"]
    );
}

/// Xray refuses the import, so the run spools; `refuse` makes that happen once.
fn refused_import() -> support::xray_fake::XrayFake {
    let xray = xray_cloud();
    xray.fault(
        On::Path("/api/v2/import/execution/multipart".into(), 1),
        Action::Reply(Reply::json(400, r#"{"error":"try later"}"#)),
    );
    xray
}

#[test]
fn the_spool_is_owner_only() {
    let xray = refused_import();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 2, &[]);
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    let out = run(cmd.args(["run", "results"]));
    assert_eq!(out.code, Some(4), "{}", out.text());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&s.path("spool")), 0o700);
    let files = s.files_under("spool");
    assert!(files.len() >= 2, "{files:?}");
    for (path, _) in &files {
        assert_eq!(mode(path), 0o600, "{}", path.display());
        assert_eq!(mode(path.parent().unwrap()), 0o700, "{}", path.display());
    }
}

#[test]
fn a_planted_spool_link_is_refused_and_its_target_untouched() {
    let outside = tempfile::tempdir().unwrap();
    let existing = outside.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    let dangling = outside.path().join("dangling");
    for target in [&existing, &dangling] {
        let xray = refused_import();
        let s = Scratch::new();
        s.junit("TEST-a.xml", "CalcTest", 2, &[]);
        symlink(target, s.path("spool")).unwrap();
        let mut cmd = s.bin();
        xray_cloud_env(&mut cmd, &xray.url());
        let out = run(cmd.args(["run", "results"]));
        // The upload failed and nothing could be spooled: the run says so and exits 4.
        assert_eq!(out.code, Some(4), "{}", out.text());
        assert!(
            out.text().contains("could not write the spool"),
            "{}",
            out.text()
        );
        assert!(out.text().contains("symlink"), "{}", out.text());
        assert!(is_link(&s.path("spool")));
    }
    assert_eq!(std::fs::read_dir(&existing).unwrap().count(), 0);
    assert!(!dangling.exists());
}
