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

/// A directory link planted inside the workspace (`out -> /elsewhere`) would carry `--report
/// out/r.json` out of it, and the rename would replace `/elsewhere/r.json`: every directory of
/// an output's path inside the workspace must be a real one. Refused with the path named;
/// nothing appears in (or is replaced in) the link's target. The spool is held to the same.
#[test]
fn a_planted_directory_link_on_an_outputs_way_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("r.json"), "KEEP ME").unwrap();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 2, &[]);
    symlink(outside.path(), s.path("out")).unwrap();
    for (flag, file) in [
        ("--report", "out/r.json"),
        ("--plan-json", "out/plan.json"),
        ("--summary-md", "out/sub/../summary.md"),
    ] {
        let out = run(s.bin().args(["run", "--dry-run", flag, file, "results"]));
        assert_ne!(out.code, Some(0), "{flag}: {}", out.text());
        assert!(
            out.text()
                .contains("is a symlink inside the workspace; refusing to write through it"),
            "{flag}: {}",
            out.text()
        );
        assert!(out.text().contains(file), "{flag}: {}", out.text());
    }
    // Absolute paths into the workspace are checked the same way.
    let abs = s.path("out/r.json");
    let out = run(s.bin().args([
        "run",
        "--dry-run",
        "--report",
        abs.to_str().unwrap(),
        "results",
    ]));
    assert_ne!(out.code, Some(0), "{}", out.text());
    let mut names: Vec<String> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["r.json"], "only what was there before");
    assert_eq!(
        std::fs::read_to_string(outside.path().join("r.json")).unwrap(),
        "KEEP ME"
    );

    // The spool below a planted directory link.
    let xray = refused_import();
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.env("XRAY_SYNC_SPOOL_DIR", s.path("out/spool"));
    let out = run(cmd.args(["run", "results"]));
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text().contains("could not write the spool")
            && out.text().contains("is a symlink inside the workspace"),
        "{}",
        out.text()
    );
    assert!(!outside.path().join("spool").exists());

    // A real directory on the way is fine.
    std::fs::create_dir(s.path("reports")).unwrap();
    let out = run(s
        .bin()
        .args(["run", "--dry-run", "--report", "reports/r.json", "results"]));
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(s.path("reports/r.json").is_file());
}
