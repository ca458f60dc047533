//! Issue 19 item 12: `resend` reads only files inside the spool directory it was given
//! (manifest `file` entries with `../`, absolute paths or symlinks are refused before anything
//! is read or sent), and appends only to the execution carrying the spool's run marker (or the
//! one the settings name on purpose), never to whatever `execution_key` the manifest names.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::fake::Reply;
use support::xray_fake::{Action, On, XrayFake};
use support::xray_plans::*;
use xray_sync::commands::resend::resend;
use xray_sync::settings::{Product, XraySettings};
use xray_sync::spool;

/// A run whose second chunk Xray refused: the execution exists (with the marker), chunks 1
/// and 2 are spooled. Returns the fake, the settings and the spool directory.
fn spooled_run(dir: &Path) -> (XrayFake, XraySettings, PathBuf) {
    let fake = cloud_fake();
    fake.fault(
        On::Path("/api/v2/import/execution".into(), 1),
        Action::Reply(Reply::json(400, r#"{"error":"try later"}"#)),
    );
    let out = output(dir);
    let (plan, tests) = plan(Product::Cloud, 6, 2, &|_| None);
    let settings = settings(Product::Cloud, &fake.url(), false);
    let receipt = upload(
        &http(Duration::from_secs(5)),
        &settings,
        &out,
        &plan,
        tests.tests(),
    );
    assert!(receipt.failed());
    let spool_dir = receipt.spool.clone().expect("spooled");
    (fake, settings, spool_dir)
}

/// Rewrites the manifest with `edit` applied to its JSON.
fn tamper(spool_dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = spool_dir.join(spool::MANIFEST);
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut m);
    std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
}

fn resend_ok(settings: &XraySettings, spool_dir: &Path) -> xray_sync::xray::upload::XrayReceipt {
    resend(
        &http(Duration::from_secs(5)),
        settings,
        spool_dir,
        &mut |_| {},
    )
    .expect("resend accepts the spool")
}

fn resend_err(settings: &XraySettings, spool_dir: &Path) -> String {
    match resend(
        &http(Duration::from_secs(5)),
        settings,
        spool_dir,
        &mut |_| {},
    ) {
        Err(e) => format!("{e:#}"),
        Ok(r) => panic!("resend should refuse, got {r:?}"),
    }
}

#[test]
fn manifest_files_outside_the_spool_are_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, settings, spool_dir) = spooled_run(dir.path());
    let sent_before = fake.import_requests().len();
    // A file outside the spool that would parse as a chunk.
    let chunk = std::fs::read(spool_dir.join("chunk-0001.json")).unwrap();
    std::fs::write(dir.path().join("outside.json"), &chunk).unwrap();
    let outside = dir.path().join("outside.json");

    for name in [
        "../../outside.json".to_string(),
        outside.display().to_string(),
        "sub/chunk-0001.json".to_string(),
    ] {
        let n = name.clone();
        tamper(&spool_dir, |m| {
            m["chunks"][0]["file"] = serde_json::json!(n)
        });
        let e = resend_err(&settings, &spool_dir);
        assert!(
            e.contains("not a file inside the spool directory") && e.contains(&name),
            "{name}: {e}"
        );
    }
    tamper(&spool_dir, |m| {
        m["chunks"][0]["file"] = serde_json::json!("chunk-0001.json");
        m["create_info_file"] = serde_json::json!("/etc/passwd");
    });
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("/etc/passwd"), "{e}");

    // A chunk file that is a symlink to a file outside is not read either.
    #[cfg(unix)]
    {
        tamper(&spool_dir, |m| {
            m["create_info_file"] = serde_json::Value::Null
        });
        std::fs::remove_file(spool_dir.join("chunk-0001.json")).unwrap();
        std::os::unix::fs::symlink(&outside, spool_dir.join("chunk-0001.json")).unwrap();
        let e = resend_err(&settings, &spool_dir);
        assert!(e.contains("symlink"), "{e}");
    }

    assert_eq!(
        fake.import_requests().len(),
        sent_before,
        "nothing was sent"
    );
}

#[test]
fn the_execution_must_carry_the_spools_marker() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, settings, spool_dir) = spooled_run(dir.path());
    let own = spool::read_manifest(&spool_dir)
        .unwrap()
        .execution_key
        .unwrap();
    fake.add_execution("CALC-999");
    let sent_before = fake.import_requests().len();

    tamper(&spool_dir, |m| {
        m["execution_key"] = serde_json::json!("CALC-999")
    });
    let e = resend_err(&settings, &spool_dir);
    assert!(
        e.contains("CALC-999") && e.contains("run marker") && e.contains(&own),
        "{e}"
    );
    assert_eq!(fake.import_requests().len(), sent_before);
    assert!(fake.executions()["CALC-999"].runs.is_empty());

    // A marker that is not ours is refused outright.
    tamper(&spool_dir, |m| {
        m["marker_label"] = serde_json::json!("nightly")
    });
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("run marker"), "{e}");

    // Another project than the settings' is refused too.
    tamper(&spool_dir, |m| {
        m["marker_label"] = serde_json::json!(
            fake.executions()[&own]
                .labels
                .iter()
                .find(|l| l.starts_with("xray-sync-run-"))
                .unwrap()
        );
        m["execution_key"] = serde_json::json!(own);
        m["project"] = serde_json::json!("OTHER");
    });
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("OTHER"), "{e}");

    // Put right, the spool is delivered to its own execution.
    tamper(&spool_dir, |m| m["project"] = serde_json::json!(PROJECT));
    let r = resend_ok(&settings, &spool_dir);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.execution.unwrap().as_str(), own);
    assert_eq!(fake.executions()[&own].runs.len(), 6);
}

#[test]
fn an_execution_named_in_the_settings_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, mut settings, spool_dir) = spooled_run(dir.path());
    fake.add_execution("CALC-999");
    tamper(&spool_dir, |m| {
        m["execution_key"] = serde_json::json!("CALC-999")
    });
    settings.test_execution = Some("CALC-999".into());
    let r = resend_ok(&settings, &spool_dir);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.execution.unwrap().as_str(), "CALC-999");
    assert_eq!(fake.executions()["CALC-999"].runs.len(), 4);
}

/// The chunk files cannot steer the results either: a `testExecutionKey` inside a chunk is
/// dropped (the execution is the marker's), and a test plan or project of another project is
/// refused.
#[test]
fn chunk_files_cannot_name_another_execution_plan_or_project() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, settings, spool_dir) = spooled_run(dir.path());
    let own = spool::read_manifest(&spool_dir)
        .unwrap()
        .execution_key
        .unwrap();
    fake.add_execution("CALC-999");
    let chunk_path = spool_dir.join("chunk-0001.json");
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&chunk_path).unwrap()).unwrap();
    let write_chunk = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut c = original.clone();
        edit(&mut c);
        std::fs::write(&chunk_path, serde_json::to_string(&c).unwrap()).unwrap();
    };

    write_chunk(&|c| {
        c["info"] = serde_json::json!({"project": PROJECT, "summary": "s", "testPlanKey": "OPS-1"})
    });
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("OPS-1"), "{e}");
    write_chunk(&|c| c["info"] = serde_json::json!({"project": "OPS", "summary": "s"}));
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("\"OPS\""), "{e}");
    tamper(&spool_dir, |m| m["test_plan"] = serde_json::json!("OPS-2"));
    write_chunk(&|_| {});
    let e = resend_err(&settings, &spool_dir);
    assert!(e.contains("OPS-2"), "{e}");
    tamper(&spool_dir, |m| m["test_plan"] = serde_json::Value::Null);

    write_chunk(&|c| c["testExecutionKey"] = serde_json::json!("CALC-999"));
    let r = resend_ok(&settings, &spool_dir);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.execution.unwrap().as_str(), own);
    assert!(fake.executions()["CALC-999"].runs.is_empty());
    for req in fake.import_requests() {
        assert!(!req.body_str().contains("CALC-999"), "{}", req.body_str());
    }
}

/// The manifest's words about missed steps are printed only made safe: a workflow command or a
/// control character written into it stays text.
#[test]
fn the_manifests_missed_steps_are_neutralised_when_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (_fake, settings, spool_dir) = spooled_run(dir.path());
    tamper(&spool_dir, |m| {
        m["after_import"] = serde_json::json!(["x\n::set-output name=a::b", "y\u{1b}]0;t\u{7}"])
    });
    let r = resend_ok(&settings, &spool_dir);
    let warning = r
        .warnings
        .iter()
        .find(|w| w.contains("--test-execution"))
        .expect("the missed steps are said");
    assert!(
        !warning.contains('\n') && !warning.contains('\u{1b}'),
        "{warning:?}"
    );
    assert!(
        !warning
            .lines()
            .any(xray_sync::untrusted::is_workflow_command),
        "{warning:?}"
    );
}

/// The manifest's folders are untrusted like the rest of it: a path that is not a folder path
/// as the planner writes them is refused (and printed safely), and only the Tests of results
/// this `resend` sent move: a key the manifest adds (a Test outside the execution) and a Test
/// of a result sent earlier stay where they are.
#[test]
fn the_manifests_folders_move_only_the_resent_tests_into_folder_paths() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, settings, spool_dir) = spooled_run(dir.path());
    fake.add_issue("CALC-7", "Test");
    tamper(&spool_dir, |m| {
        m["folders"] = serde_json::json!({
            "x\n::set-output name=a::b": {"definitions": ["com.acme.Suite.test2"]},
            "/moved": {
                "keys": ["CALC-7"],
                "definitions": ["com.acme.Suite.test3", "com.acme.Suite.test0"]
            }
        })
    });
    let r = resend_ok(&settings, &spool_dir);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.tests_sent, 4);
    let test = |i: usize| {
        fake.test_by_definition(&format!("com.acme.Suite.test{i}"))
            .unwrap()
    };
    assert_eq!(fake.folder_of(&test(3)).as_deref(), Some("/moved"));
    assert_eq!(fake.folder_of("CALC-7"), None);
    assert_eq!(
        fake.folder_of(&test(0)),
        None,
        "sent by the run, not resent"
    );
    assert_eq!(fake.folder_of(&test(2)), None);
    let warning = r
        .warnings
        .iter()
        .find(|w| w.contains("not a folder path"))
        .expect("the bad path is said");
    assert!(!warning.contains('\n'), "{warning:?}");
    assert!(
        !warning
            .lines()
            .any(xray_sync::untrusted::is_workflow_command),
        "{warning:?}"
    );
}
