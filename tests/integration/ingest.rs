//! `ingest::collect` end to end on generated inputs: pattern expansion, sniffing by content,
//! the zero-results error, strict vs lenient bad files, parallel determinism, merging across
//! files, attachment containment, and the `parse` printer.
//!
//! JUnit-specific cases (e.g. a JUnit file named `.txt`) wait for the JUnit parser branch.

use std::path::Path;

use xray_sync::ingest::parse_output::print_parse;
use xray_sync::ingest::{IngestError, InputOptions, collect};
use xray_sync::model::{FileStatus, Format, Outcome, OutcomeKind, ReadText, TestRun};

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn opts(patterns: &[String]) -> InputOptions {
    InputOptions {
        patterns: patterns.to_vec(),
        allow_empty: false,
        strict: false,
    }
}

fn run_dir(dir: &Path) -> TestRun {
    collect(&opts(&[dir.display().to_string()])).unwrap()
}

/// An Allure 2 result starting `start` ms after 2026-01-01 (times before 1971 are dropped as
/// implausible, so the base keeps them real).
fn result(uuid: &str, history: Option<&str>, name: &str, status: &str, start: i64) -> String {
    let start = 1_767_225_600_000 + start;
    let history = history
        .map(|h| format!(r#""historyId": "{h}","#))
        .unwrap_or_default();
    format!(
        r#"{{"uuid": "{uuid}", {history} "name": "{name}", "fullName": "pkg.T.{name}",
            "status": "{status}", "statusDetails": {{"message": "{status} msg"}},
            "start": {start}, "stop": {stop},
            "labels": [{{"name": "testClass", "value": "pkg.T"}}, {{"name": "suite", "value": "S"}},
                       {{"name": "tag", "value": "smoke"}}],
            "links": [{{"type": "tms", "name": "PROJ-1", "url": "https://jira/PROJ-1"}},
                      {{"type": "issue", "name": "BUG-2"}}]}}"#,
        stop = start + 1500
    )
}

const ALLURE1: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ns2:test-suite xmlns:ns2="urn:model.allure.qatools.yandex.ru" start="1" stop="2">
  <name>com.acme.Suite</name>
  <test-cases>
    <test-case start="1767225601000" stop="1767225602000" status="STATUS">
      <name>works</name>
      <failure><message>boom &amp; bust</message><stack-trace><![CDATA[at x <y>]]></stack-trace></failure>
    </test-case>
  </test-cases>
</ns2:test-suite>
"#;

fn allure1(status: &str) -> String {
    ALLURE1.replace("STATUS", status)
}

fn status_of<'a>(run: &'a TestRun, file: &str) -> &'a FileStatus {
    &run.files
        .iter()
        .find(|f| f.path.ends_with(file))
        .unwrap_or_else(|| panic!("{file} not reported"))
        .status
}

#[test]
fn globs_directories_and_plain_paths_are_expanded_sorted_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "b/one-result.json",
        result("1", Some("h1"), "one", "passed", 0).as_bytes(),
    );
    write(
        d,
        "a/deep/two-result.json",
        result("2", Some("h2"), "two", "passed", 0).as_bytes(),
    );
    write(d, "a/notes.md", b"# not a result");
    let run = collect(&opts(&[
        d.join("**/*-result.json").display().to_string(),
        d.join("a").display().to_string(),
        d.join("b/one-result.json").display().to_string(),
    ]))
    .unwrap();
    let paths: Vec<_> = run.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(
        paths,
        [
            d.join("a/deep/two-result.json"),
            d.join("a/notes.md"),
            d.join("b/one-result.json")
        ]
    );
    assert_eq!(run.cases.len(), 2);
    assert!(matches!(
        status_of(&run, "notes.md"),
        FileStatus::Skipped { reason } if reason == "not a recognised result format"
    ));
}

#[test]
fn format_is_sniffed_by_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "suite.txt", allure1("passed").as_bytes());
    write(
        d,
        "res.dat",
        result("u", Some("h"), "t", "failed", 0).as_bytes(),
    );
    write(d, "package.json", br#"{"name": "app", "version": "1.0.0"}"#);
    write(
        d,
        "pom.xml",
        b"<project><modelVersion>4.0.0</modelVersion></project>",
    );
    write(d, "cover.png", b"\x89PNG\r\n\x1a\n\0\0");
    let run = run_dir(d);
    assert_eq!(
        status_of(&run, "suite.txt"),
        &FileStatus::Parsed {
            format: Format::Allure1,
            tests: 1
        }
    );
    assert_eq!(
        status_of(&run, "res.dat"),
        &FileStatus::Parsed {
            format: Format::Allure2,
            tests: 1
        }
    );
    for (file, why) in [
        ("package.json", "JSON, but not an Allure result"),
        ("pom.xml", "XML, but not a test result format"),
        ("cover.png", "not a recognised result format"),
    ] {
        // They sit next to Allure results, so they are quiet side files; the reason still says why.
        match status_of(&run, file) {
            FileStatus::Skipped { reason } => assert!(reason.ends_with(why), "{file}: {reason}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn unknown_files_outside_allure_directories_are_noted_as_such() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "r/a-result.json",
        result("1", None, "t", "passed", 0).as_bytes(),
    );
    write(dir.path(), "other/package.json", br#"{"name": "app"}"#);
    write(
        dir.path(),
        "r/executor.json",
        br#"{"name": "GitHub", "type": "github"}"#,
    );
    write(dir.path(), "r/history/history-trend.json", b"[]");
    let run = run_dir(dir.path());
    assert_eq!(
        status_of(&run, "package.json"),
        &FileStatus::Skipped {
            reason: "JSON, but not an Allure result".into()
        }
    );
    for side in ["executor.json", "history-trend.json"] {
        assert!(matches!(
            status_of(&run, side),
            FileStatus::Skipped { reason } if reason.starts_with("allure side file")
        ));
    }
}

#[test]
fn zero_result_files_is_an_error_listing_the_patterns_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "readme.txt", b"hello");
    let patterns = vec![
        dir.path().display().to_string(),
        "no/such/dir/*.xml".to_string(),
    ];
    let err = collect(&opts(&patterns)).unwrap_err();
    assert!(matches!(&err, IngestError::NoResults { patterns: p } if *p == patterns));
    let text = err.to_string();
    assert!(
        text.starts_with("no test result files found (patterns tried: "),
        "{text}"
    );
    assert!(text.contains("\"no/such/dir/*.xml\""), "{text}");
    assert!(text.contains("--allow-empty"), "{text}");

    let run = collect(&InputOptions {
        allow_empty: true,
        ..opts(&patterns)
    })
    .unwrap();
    assert!(run.cases.is_empty());
    assert_eq!(
        status_of(&run, "*.xml"),
        &FileStatus::Skipped {
            reason: "pattern matched no files".into()
        }
    );
}

#[test]
fn bad_files_are_reported_and_the_rest_still_read_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "good-result.json",
        result("1", Some("h"), "ok", "passed", 0).as_bytes(),
    );
    write(
        d,
        "cut-result.json",
        b"{\n  \"uuid\": \"2\",\n  \"name\": \"t",
    );
    write(d, "cut-testsuite.xml", &allure1("passed").as_bytes()[..200]);
    write(d, "empty.xml", b"");
    write(d, "garbage.xml", b"\x00\x01\x02 binary");
    let run = run_dir(d);
    assert_eq!(run.cases.len(), 1);
    let errors: Vec<_> = run.failed_files().collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    let cut_json = errors
        .iter()
        .find(|e| e.path.ends_with("cut-result.json"))
        .unwrap();
    assert_eq!(cut_json.line, Some(3));
    assert!(
        cut_json.message.starts_with("invalid JSON"),
        "{}",
        cut_json.message
    );
    let cut_xml = errors
        .iter()
        .find(|e| e.path.ends_with("cut-testsuite.xml"))
        .unwrap();
    assert!(cut_xml.offset.is_some());
    assert!(cut_xml.line.is_some_and(|l| l >= 5), "{cut_xml:?}");
    assert!(cut_xml.to_string().contains("cut-testsuite.xml"));
    let empty = errors
        .iter()
        .find(|e| e.path.ends_with("empty.xml"))
        .unwrap();
    assert_eq!(empty.message, "empty file");

    let err = collect(&InputOptions {
        strict: true,
        ..opts(&[d.display().to_string()])
    })
    .unwrap_err();
    match &err {
        IngestError::BadInput { errors } => assert_eq!(errors.len(), 4),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("4 bad input file(s) with --strict:")
    );
}

#[test]
fn hostile_allure1_xml_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<test-suite><name>&lol2;</name><test-cases/></test-suite>"#;
    write(d, "laughs-testsuite.xml", laughs.as_bytes());
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<test-suite><test-cases><test-case status="passed"><name>&xxe;</name></test-case></test-cases></test-suite>"#;
    write(d, "xxe-testsuite.xml", xxe.as_bytes());
    let deep = format!(
        "<test-suite><test-cases><test-case><steps>{}",
        "<step><steps>".repeat(300)
    );
    write(d, "deep-testsuite.xml", deep.as_bytes());
    let mut bad_utf8 = allure1("passed").into_bytes();
    let at = bad_utf8.windows(5).position(|w| w == b"works").unwrap();
    bad_utf8[at] = 0xff;
    write(d, "utf8-testsuite.xml", &bad_utf8);
    let run = collect(&InputOptions {
        allow_empty: true,
        ..opts(&[d.display().to_string()])
    })
    .unwrap();
    assert!(run.cases.is_empty());
    let messages: Vec<String> = run.failed_files().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("entity &lol2;")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("entity &xxe;")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("nested deeper than 256")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("utf8-testsuite.xml")),
        "{messages:?}"
    );
}

#[test]
fn parallel_reading_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        let status = ["passed", "failed", "broken", "skipped"][i % 4];
        // Every third history id repeats, so merging across files is exercised too.
        let history = format!("h{}", i % 20);
        write(
            dir.path(),
            &format!("r{i:03}-result.json"),
            result(
                &i.to_string(),
                Some(&history),
                &format!("t{}", i % 20),
                status,
                i as i64 * 10,
            )
            .as_bytes(),
        );
    }
    let first = serde_json::to_string(&run_dir(dir.path())).unwrap();
    for _ in 0..5 {
        assert_eq!(serde_json::to_string(&run_dir(dir.path())).unwrap(), first);
    }
    let run = run_dir(dir.path());
    assert_eq!(run.cases.len(), 20);
    assert!(run.cases.iter().all(|c| c.attempts.len() == 3));
    assert_eq!(run.cases[0].history_id(), Some("h0"));
}

#[test]
fn allure2_retries_merge_by_history_id_across_directories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "job1/a-result.json",
        result("a", Some("H"), "login", "failed", 1_000).as_bytes(),
    );
    write(
        d,
        "job2/b-result.json",
        result("b", Some("H"), "login", "passed", 5_000).as_bytes(),
    );
    write(
        d,
        "job2/c-result.json",
        result("c", Some("X"), "logout", "broken", 0).as_bytes(),
    );
    let run = run_dir(d);
    assert_eq!(run.cases.len(), 2);
    let login = &run.cases[0];
    assert_eq!(login.name, "login");
    assert!(login.flaky);
    assert_eq!(*login.outcome(), Outcome::Passed);
    assert_eq!(login.attempts.len(), 2);
    assert_eq!(login.duration_secs(), Some(3.0));
    assert_eq!(login.classname.as_deref(), Some("pkg.T"));
    assert_eq!(*login.suite_path, ["S"]);
    assert_eq!(login.links().len(), 2);
    assert_eq!(login.links()[0].kind, "tms");
    assert!(
        login
            .labels()
            .iter()
            .any(|l| l.name == "tag" && l.value == "smoke")
    );
    let counts = run.counts();
    assert_eq!((counts.passed, counts.error, counts.flaky), (1, 1, 1));
    let logout = &run.cases[1];
    let failure = logout.outcome().failure().unwrap();
    assert_eq!(failure.message.read().as_deref(), Some("broken msg"));
}

#[test]
fn allure_without_history_id_falls_back_to_full_name_and_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let with_param = |uuid: &str, value: &str, status: &str| {
        format!(
            r#"{{"uuid": "{uuid}", "name": "t", "fullName": "pkg.T.t", "status": "{status}",
                "parameters": [{{"name": "browser", "value": "{value}"}}]}}"#
        )
    };
    write(
        dir.path(),
        "1-result.json",
        with_param("1", "firefox", "failed").as_bytes(),
    );
    write(
        dir.path(),
        "2-result.json",
        with_param("2", "firefox", "failed").as_bytes(),
    );
    write(
        dir.path(),
        "3-result.json",
        with_param("3", "chrome", "passed").as_bytes(),
    );
    let run = run_dir(dir.path());
    assert_eq!(run.cases.len(), 2);
    assert_eq!(run.cases[0].attempts.len(), 2);
    assert_eq!(run.cases[0].outcome().kind(), OutcomeKind::Failed);
    assert!(!run.cases[0].flaky);
    assert_eq!(run.cases[1].parameters()[0].value, "chrome");
}

#[test]
fn allure1_reruns_in_two_files_merge_into_a_flaky_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1-testsuite.xml", allure1("failed").as_bytes());
    write(
        dir.path(),
        "2-testsuite.xml",
        allure1("passed")
            .replace("1767225601000", "1767225603000")
            .as_bytes(),
    );
    let run = run_dir(dir.path());
    assert_eq!(run.cases.len(), 1);
    let case = &run.cases[0];
    assert!(case.flaky);
    assert_eq!(case.attempts.len(), 2);
    let first = case.attempts[0].outcome.failure().unwrap();
    assert_eq!(first.message.read().as_deref(), Some("boom & bust"));
    assert_eq!(first.details.read().as_deref(), Some("at x <y>"));
    assert_eq!(case.full_name(), Some("com.acme.Suite.works"));
}

#[test]
fn attachment_sources_cannot_leave_the_results_directory() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"uuid": "1", "name": "t", "status": "passed",
        "attachments": [{"name": "pw", "source": "../../etc/passwd"},
                        {"name": "abs", "source": "/etc/passwd"},
                        {"name": "ok", "source": "shot.png", "type": "image/png"}],
        "steps": [{"name": "s", "attachments": [{"name": "step pw", "source": "../../../etc/passwd"}]}]}"#;
    write(dir.path(), "r/1-result.json", doc.as_bytes());
    write(dir.path(), "r/shot.png", b"png");
    let run = run_dir(&dir.path().join("r"));
    let case = &run.cases[0];
    assert_eq!(case.attachments().len(), 1);
    let notes = &run.files[0].notes;
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes.iter().all(|n| n.contains("refused")), "{notes:?}");
    assert!(notes[0].contains("../../etc/passwd"));
}

#[test]
fn failed_before_fixture_decides_only_tests_without_a_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a-result.json",
        br#"{"uuid": "A", "name": "no status yet"}"#,
    );
    write(
        d,
        "b-result.json",
        br#"{"uuid": "B", "name": "ran", "status": "passed"}"#,
    );
    write(
        d,
        "c-container.json",
        br#"{"uuid": "C", "children": ["A", "B"],
             "befores": [{"name": "setUp", "status": "broken",
                          "statusDetails": {"message": "db down", "trace": "at db"}}]}"#,
    );
    let run = run_dir(d);
    let a = run
        .cases
        .iter()
        .find(|c| c.name == "no status yet")
        .unwrap();
    let failure = match a.outcome() {
        Outcome::Error(f) => f,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        failure.message.read().as_deref(),
        Some("before fixture \"setUp\" broken: db down")
    );
    let b = run.cases.iter().find(|c| c.name == "ran").unwrap();
    assert_eq!(*b.outcome(), Outcome::Passed);
}

#[test]
fn parse_printer_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a-result.json",
        result("1", Some("h1"), "one", "failed", 0).as_bytes(),
    );
    write(
        d,
        "b-result.json",
        result("2", Some("h1"), "one", "passed", 10).as_bytes(),
    );
    write(
        d,
        "c-container.json",
        br#"{"uuid": "c", "children": ["1"]}"#,
    );
    write(d, "x.log", b"plain text");
    let run = run_dir(d);
    let mut text = Vec::new();
    print_parse(&run, false, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let p = |f: &str| d.join(f).display().to_string();
    assert_eq!(
        text,
        format!(
            "{}: allure2 (1 test)\n{}: allure2 (1 test)\n\
             2 Allure side file(s) skipped (containers, attachments, metadata)\n\
             total: 1 test(s): 1 passed (1 flaky), 0 failed, 0 error, 0 skipped\n",
            p("a-result.json"),
            p("b-result.json")
        )
    );
    let mut json = Vec::new();
    print_parse(&run, true, &mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["cases"].as_array().unwrap().len(), 1);
    assert_eq!(v["cases"][0]["flaky"], true);
    assert_eq!(v["cases"][0]["attempts"][0]["status"], "failed");
    assert_eq!(v["cases"][0]["attempts"][1]["status"], "passed");
    assert_eq!(v["files"][0]["status"], "parsed");
    assert_eq!(v["files"][0]["format"], "allure2");
}
