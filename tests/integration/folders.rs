//! Repository folders (issue 13), end to end with the real binary against the fakes: the
//! Tests a run creates or matches by definition land in the folder `XRAY_FOLDER` renders to
//! (created when missing, parent first) on Cloud and DC; Tests given by key stay where they
//! are unless `XRAY_MOVE_KEYED_TESTS`; a folder failure is an error (exit 4) and the results
//! stay in; the plan JSON lists the folder requests.

use crate::support;

use support::e2e::*;
use support::xray_fake::{Action, On, XrayFake};

/// Two classes of two packages, and one result given by key (CALC-7, an existing Test).
const RESULTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="unit" tests="3" timestamp="2026-05-01T10:00:00Z">
    <testcase classname="com.acme.calc.DivTest" name="divides" time="0.01"/>
    <testcase classname="com.acme.io.ReadTest" name="reads" time="0.01"/>
    <testcase classname="com.acme.calc.AddTest" name="adds" time="0.01">
      <properties><property name="test_key" value="CALC-7"/></properties>
    </testcase>
  </testsuite>
</testsuites>
"#;

fn scratch() -> Scratch {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("results")).unwrap();
    std::fs::write(s.path("results/TEST-unit.xml"), RESULTS).unwrap();
    s
}

fn command(s: &Scratch, xray: &XrayFake, cloud: bool) -> std::process::Command {
    let mut cmd = s.bin();
    if cloud {
        xray_cloud_env(&mut cmd, &xray.url());
    } else {
        cmd.env("XRAY_DEPLOYMENT", "dc")
            .env("XRAY_URL", xray.url())
            .env("JIRA_PAT", PAT)
            .env("XRAY_PROJECT", PROJECT);
    }
    cmd
}

fn fake(cloud: bool) -> XrayFake {
    let xray = if cloud { xray_cloud() } else { xray_dc_pat() };
    xray.add_issue("CALC-7", "Test");
    // `/CI` exists already: only the folders below it are created.
    xray.add_folder("/CI");
    xray
}

#[test]
fn tests_land_in_their_package_folder_created_when_missing_on_both_products() {
    for cloud in [true, false] {
        let xray = fake(cloud);
        let s = scratch();
        let mut cmd = command(&s, &xray, cloud);
        cmd.env("XRAY_FOLDER", "/CI/{package}")
            .args(["run", "--report", "report.json", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "cloud={cloud}: {}", out.text());
        let div = xray
            .test_by_definition("com.acme.calc.DivTest.divides")
            .expect("the import created the Test");
        let read = xray
            .test_by_definition("com.acme.io.ReadTest.reads")
            .expect("the import created the Test");
        assert_eq!(
            xray.folder_of(&div).as_deref(),
            Some("/CI/com/acme/calc"),
            "cloud={cloud}"
        );
        assert_eq!(xray.folder_of(&read).as_deref(), Some("/CI/com/acme/io"));
        assert_eq!(
            xray.folder_of("CALC-7"),
            None,
            "a Test given by key is not moved"
        );
        assert_eq!(
            xray.folder_paths(),
            vec![
                "/CI",
                "/CI/com",
                "/CI/com/acme",
                "/CI/com/acme/calc",
                "/CI/com/acme/io"
            ],
            "cloud={cloud}: missing folders created, parent first"
        );
        let report = s.report();
        assert_eq!(
            report["xray"]["folders"]["/CI/com/acme/calc"], 1,
            "{report:#}"
        );
        assert_eq!(report["xray"]["folders"]["/CI/com/acme/io"], 1);
        assert!(out.text().contains("placed in folder /CI/com/acme/calc"));
    }
}

#[test]
fn keyed_tests_move_only_with_move_keyed_tests() {
    for cloud in [true, false] {
        let xray = fake(cloud);
        let s = scratch();
        let mut cmd = command(&s, &xray, cloud);
        cmd.env("XRAY_FOLDER", "/CI/{suite}")
            .env("XRAY_MOVE_KEYED_TESTS", "true")
            .args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "cloud={cloud}: {}", out.text());
        assert_eq!(xray.folder_of("CALC-7").as_deref(), Some("/CI/unit"));
        let div = xray
            .test_by_definition("com.acme.calc.DivTest.divides")
            .unwrap();
        assert_eq!(xray.folder_of(&div).as_deref(), Some("/CI/unit"));
    }
}

#[test]
fn a_folder_failure_is_an_error_and_the_results_stay_in() {
    let xray = fake(false);
    // The Test Repository cannot be read (a permission problem: answered once, not retried).
    xray.fault(
        On::Path("/rest/raven/1.0/api/testrepository/CALC/folders".into(), 1),
        Action::Reply(support::fake::Reply::text(
            403,
            "text/plain",
            "You do not have permission to browse the Test Repository of project CALC.",
        )),
    );
    let s = scratch();
    let mut cmd = command(&s, &xray, false);
    cmd.env("XRAY_FOLDER", "/CI")
        .args(["run", "--report", "report.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("2 Test(s) not placed in repository folder /CI"),
        "{}",
        out.text()
    );
    assert_eq!(xray.only_execution().runs.len(), 3, "the results are in");
    let errors = s.report()["xray"]["errors"].to_string();
    assert!(
        errors.contains("not placed in repository folder /CI"),
        "{errors}"
    );
}

/// Results refused mid-run are spooled with their folders: the run places the Tests that are
/// in (and says nothing about the spooled ones' folders), `resend` places the rest. `resend`
/// reads `XRAY_TEST_SETS` from the same environment as the run: every Test ends in the set.
#[test]
fn resend_places_the_spooled_tests_in_their_folders_on_both_products() {
    for cloud in [true, false] {
        let xray = fake(cloud);
        xray.add_issue("CALC-500", "Test Set");
        let append = if cloud {
            "/api/v2/import/execution"
        } else {
            "/rest/raven/2.0/import/execution"
        };
        xray.fault(
            On::Path(append.into(), 1),
            Action::Reply(support::fake::Reply::json(
                400,
                r#"{"error":"Error importing results: try later"}"#,
            )),
        );
        let s = scratch();
        let mut cmd = command(&s, &xray, cloud);
        cmd.env("XRAY_FOLDER", "/CI/{package}")
            .env("XRAY_TEST_SETS", "CALC-500")
            .env("XRAY_SYNC_CHUNK_MAX_TESTS", "1")
            .args(["run", "results"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(4), "cloud={cloud}: {}", out.text());
        assert!(!out.text().contains("not placed"), "{}", out.text());
        assert!(!out.text().contains("--test-execution"), "{}", out.text());
        let placed_by_run = [
            "com.acme.calc.DivTest.divides",
            "com.acme.io.ReadTest.reads",
        ]
        .iter()
        .filter(|d| xray.test_by_definition(d).is_some())
        .count();
        assert_eq!(
            placed_by_run,
            1,
            "one chunk of three went in: {}",
            out.text()
        );

        let spool = std::fs::read_dir(s.path("spool"))
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path();
        let mut cmd = command(&s, &xray, cloud);
        cmd.env("XRAY_TEST_SETS", "CALC-500")
            .arg("resend")
            .arg(&spool);
        let out = run(&mut cmd);
        assert_eq!(out.code, Some(0), "cloud={cloud}: {}", out.text());
        assert!(!out.text().contains("note:"), "{}", out.text());
        assert_eq!(xray.only_execution().runs.len(), 3);
        let folder = |d: &str| xray.folder_of(&xray.test_by_definition(d).unwrap());
        assert_eq!(
            folder("com.acme.calc.DivTest.divides").as_deref(),
            Some("/CI/com/acme/calc"),
            "cloud={cloud}"
        );
        assert_eq!(
            folder("com.acme.io.ReadTest.reads").as_deref(),
            Some("/CI/com/acme/io"),
            "cloud={cloud}"
        );
        assert_eq!(
            xray.folder_of("CALC-7"),
            None,
            "a Test given by key is not moved"
        );
        let mut in_set = xray.test_set("CALC-500");
        in_set.sort();
        let mut runs: Vec<String> = xray.only_execution().runs.keys().cloned().collect();
        runs.sort();
        assert_eq!(in_set, runs, "cloud={cloud}");
    }
}

#[test]
fn the_plan_json_lists_the_folder_requests() {
    let s = scratch();
    let mut cmd = s.bin();
    cmd.env("XRAY_PROJECT", PROJECT)
        .env("XRAY_FOLDER", "/CI/{package}")
        .args(["run", "--dry-run", "--plan-json", "plan.json", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let plan: serde_json::Value = serde_json::from_str(&s.read("plan.json")).unwrap();
    let after = plan["xray"]["after_import"].as_array().cloned().unwrap();
    let folders: Vec<&serde_json::Value> = after
        .iter()
        .filter(|a| {
            a["what"]
                .as_str()
                .unwrap_or("")
                .contains("repository folder")
        })
        .collect();
    assert_eq!(folders.len(), 2, "{plan:#}");
    assert_eq!(folders[0]["body"]["path"], "/CI/com/acme/calc");
    assert_eq!(
        folders[0]["body"]["tests"],
        serde_json::json!(["<Test of com.acme.calc.DivTest.divides>"]),
        "the keyed CALC-7 is not moved"
    );
    assert_eq!(folders[1]["body"]["path"], "/CI/com/acme/io");
    assert!(
        folders[0]["body"]["mutation"]
            .as_str()
            .unwrap()
            .starts_with("addTestsToFolder")
    );
}

mod doctor {
    use super::*;
    use support::doctor_fake::{self as df, DoctorFake, Faults};

    fn doctor(mode: df::Mode, forbidden: bool) -> Out {
        let fake = DoctorFake::start(
            mode,
            Faults {
                repository_forbidden: forbidden,
                ..Faults::default()
            },
        );
        let s = Scratch::new();
        let mut cmd = s.bin();
        match mode {
            df::Mode::Cloud => {
                cmd.env("XRAY_URL", fake.url())
                    .env("XRAY_CLIENT_ID", df::XRAY_CLIENT_ID)
                    .env("XRAY_CLIENT_SECRET", df::XRAY_CLIENT_SECRET);
            }
            df::Mode::Dc => {
                cmd.env("XRAY_DEPLOYMENT", "dc")
                    .env("XRAY_URL", fake.url())
                    .env("JIRA_PAT", df::DC_PAT);
            }
        }
        cmd.env("XRAY_PROJECT", "CALC")
            .env("XRAY_FOLDER", "/CI/{package}")
            .arg("doctor");
        run(&mut cmd)
    }

    fn line(out: &Out) -> String {
        out.stdout
            .lines()
            .find(|l| l.contains("xray.folder"))
            .unwrap_or_else(|| panic!("no xray.folder line:\n{}", out.text()))
            .to_string()
    }

    #[test]
    fn doctor_reads_the_test_repository_when_a_folder_is_configured() {
        for mode in [df::Mode::Cloud, df::Mode::Dc] {
            let out = doctor(mode, false);
            let l = line(&out);
            assert!(
                l.starts_with("PASS") && l.contains("1 folder(s)"),
                "{mode:?}: {}",
                out.text()
            );
            let out = doctor(mode, true);
            let l = line(&out);
            assert!(l.starts_with("FAIL"), "{mode:?}: {}", out.text());
            assert!(
                out.text().contains("browse the project's Test Repository"),
                "{mode:?}: {}",
                out.text()
            );
            assert_eq!(out.code, Some(1), "{mode:?}");
        }
    }
}
