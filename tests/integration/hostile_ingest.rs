//! Issue 19: result files written to hurt the reader, read with the real binary.
//!
//! - Item 5, linear ingest: the shapes that took minutes before (one Allure result with tens of
//!   thousands of parameters or attachments, each seen twice; tens of thousands of identical
//!   JUnit test cases) go through `parse --json`, whose output must count every kept item once.
//!   Sizes are picked so a linear reader needs a second or two in a debug build. The old
//!   quadratic one took 53 s for 100k parameters, 50 s for 50k attachments and 146 s for 300k
//!   test cases in release; scaled to these sizes that is roughly 25 s, 50 s and 6 s in release
//!   and several times more in debug. The time budget only turns that into a failure and is
//!   generous for a loaded machine; the 200k-item release numbers are `cargo bench --bench
//!   ingest`.
//! - "What held": no XML reader follows `<xi:include>` or expands an external entity. A file
//!   naming a canary file (and /etc/passwd) both ways is read without their content appearing
//!   in anything the run produces: `parse` output, the dry-run console, the plan JSON, the
//!   report.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::support::e2e::{self, Scratch};

/// Far above what a linear read of these inputs needs in a debug build, far below the minutes
/// a quadratic one takes.
const BUDGET: Duration = Duration::from_secs(20);

/// Runs `parse --json DIR` and returns the parsed test cases, checking the time budget.
fn parse_json(s: &Scratch, dir: &str) -> Vec<serde_json::Value> {
    let started = Instant::now();
    let out = e2e::run(s.bin().args(["parse", "--json", dir]));
    let took = started.elapsed();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(took < BUDGET, "parse of {dir} took {took:?}: not linear");
    let run: serde_json::Value = serde_json::from_str(&out.stdout).expect("parse --json");
    run["cases"].as_array().expect("cases").clone()
}

fn allure_result(name: &str, parameters: &str, attachments: &str) -> String {
    format!(
        r#"{{"uuid":"u-{name}","historyId":"h-{name}","name":"{name}","fullName":"hostile.{name}","status":"passed","start":1767225600000,"stop":1767225601000,"parameters":[{parameters}],"attachments":[{attachments}]}}"#
    )
}

#[test]
fn fifty_thousand_allure_parameters_seen_twice_are_kept_once_each() {
    const N: usize = 50_000;
    let s = Scratch::new();
    std::fs::create_dir(s.path("params")).unwrap();
    let mut params = String::with_capacity(N * 40);
    for i in 0..N {
        // Every parameter twice: the second sighting is dropped by hash.
        for _ in 0..2 {
            if !params.is_empty() {
                params.push(',');
            }
            let _ = write!(params, r#"{{"name":"p{i}","value":"v{i}"}}"#);
        }
    }
    std::fs::write(
        s.path("params/p-result.json"),
        allure_result("params", &params, ""),
    )
    .unwrap();
    let cases = parse_json(&s, "params");
    assert_eq!(cases.len(), 1);
    let kept = cases[0]["parameters"].as_array().expect("parameters");
    assert_eq!(kept.len(), N, "each distinct parameter once");
    assert_eq!(kept[0]["name"], "p0");
    assert_eq!(kept[N - 1]["value"], format!("v{}", N - 1));
}

#[test]
fn fifty_thousand_allure_attachments_seen_twice_are_kept_once_each() {
    const N: usize = 50_000;
    let s = Scratch::new();
    let dir = s.path("attachments");
    std::fs::create_dir(&dir).unwrap();
    // Distinct attachments (by name) of one file: what de-duplication compares, without
    // writing 50k files first.
    std::fs::write(dir.join("same-attachment.txt"), "x").unwrap();
    let mut list = String::with_capacity(N * 2 * 70);
    for i in 0..N {
        for _ in 0..2 {
            if !list.is_empty() {
                list.push(',');
            }
            let _ = write!(
                list,
                r#"{{"name":"a{i}","source":"same-attachment.txt","type":"text/plain"}}"#
            );
        }
    }
    std::fs::write(
        dir.join("a-result.json"),
        allure_result("attachments", "", &list),
    )
    .unwrap();
    let cases = parse_json(&s, "attachments");
    assert_eq!(cases.len(), 1);
    let kept = cases[0]["attachments"].as_array().expect("attachments");
    assert_eq!(kept.len(), N, "each distinct attachment once");
}

#[test]
fn sixty_thousand_identical_junit_test_cases_are_one_test() {
    const N: usize = 60_000;
    let s = Scratch::new();
    std::fs::create_dir(s.path("junit")).unwrap();
    let mut xml = String::with_capacity(N * 80 + 64);
    xml.push_str("<testsuite name=\"hostile\">\n");
    for _ in 0..N {
        xml.push_str("  <testcase classname=\"hostile.Same\" name=\"again\" time=\"0.001\"/>\n");
    }
    xml.push_str("</testsuite>\n");
    std::fs::write(s.path("junit/TEST-same.xml"), xml).unwrap();
    let started = Instant::now();
    let out = e2e::run(s.bin().args(["parse", "--json", "junit"]));
    let took = started.elapsed();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(took < BUDGET, "parse took {took:?}: not linear");
    // Counted in the text (a debug-built JSON parser would take longer than the read): one
    // test once every sighting is merged, with every sighting as one of its tries.
    let json = &out.stdout;
    assert_eq!(json.matches(r#""name": "again""#).count(), 1);
    let tries = json.matches(r#""format": "junit""#).count() - 1; // and the file's own entry
    assert_eq!(tries, N, "every sighting is a try of the one test");
    assert!(json.contains(r#""tests": 1"#), "the file reports one test");
}

/// One document per XML reader, each with `BODY` where a failure message goes.
fn xml_docs(body: &str) -> Vec<(&'static str, &'static str, String)> {
    let xi = r#"xmlns:xi="http://www.w3.org/2001/XInclude""#;
    vec![
        (
            "junit",
            "TEST-x.xml",
            format!(
                r#"<testsuite name="S" {xi}><testcase classname="a.C" name="t"><failure message="m">{body}</failure></testcase></testsuite>"#
            ),
        ),
        (
            "nunit",
            "nunit.xml",
            format!(
                r#"<test-run {xi}><test-suite type="TestFixture" name="Fx"><test-case name="T" fullname="Ns.Fx.T" classname="Ns.Fx" result="Failed"><failure><message>{body}</message></failure></test-case></test-suite></test-run>"#
            ),
        ),
        (
            "xunit",
            "xunit.xml",
            format!(
                r#"<assemblies {xi}><assembly name="A.dll"><collection name="C"><test name="N.T.M" type="N.T" method="M" result="Fail"><failure><message>{body}</message></failure></test></collection></assembly></assemblies>"#
            ),
        ),
        (
            "trx",
            "run.trx",
            format!(
                r#"<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010" {xi}><Results><UnitTestResult testId="t1" testName="N.C.F" outcome="Failed"><Output><ErrorInfo><Message>{body}</Message></ErrorInfo></Output></UnitTestResult></Results></TestRun>"#
            ),
        ),
        (
            "testng",
            "testng-results.xml",
            format!(
                r#"<testng-results {xi}><suite name="S"><test name="T"><class name="a.C"><test-method status="FAIL" name="f"><exception class="E"><message>{body}</message></exception></test-method></class></test></suite></testng-results>"#
            ),
        ),
        (
            "robot",
            "output.xml",
            format!(
                r#"<robot {xi}><suite id="s1" name="S"><test id="t" name="T"><status status="FAIL">{body}</status></test><status status="FAIL"/></suite></robot>"#
            ),
        ),
        (
            "allure1",
            "x-testsuite.xml",
            format!(
                r#"<ns2:test-suite xmlns:ns2="urn:model.allure.qatools.yandex.ru" {xi}><name>S</name><test-cases><test-case status="failed"><name>t</name><failure><message>{body}</message></failure></test-case></test-cases></ns2:test-suite>"#
            ),
        ),
    ]
}

#[test]
fn xinclude_and_external_entities_are_never_followed() {
    const CANARY: &str = "CANARY-6b1f0e7d-not-for-output";
    let s = Scratch::new();
    let canary = s.path("secret.txt");
    std::fs::write(&canary, CANARY).unwrap();
    let canary = canary.display().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let passwd_line = passwd.lines().find(|l| l.contains(':')).map(str::to_string);

    let include = format!(
        r#"m <xi:include href="{canary}" parse="text"/><xi:include href="/etc/passwd" parse="text"/><xi:include href="file://{canary}"/>"#
    );
    let entity_doctype = |root: &str| {
        format!(
            r#"<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{canary}"><!ENTITY pw SYSTEM "/etc/passwd"><!ENTITY % p SYSTEM "file://{canary}"> %p;]>"#
        )
    };
    for (format, file, doc) in xml_docs(&include) {
        // XInclude only: the document is well-formed, so it is read (one failing test), and
        // the include element is just an element nobody follows.
        let dir = format!("{format}-xinclude");
        std::fs::create_dir(s.path(&dir)).unwrap();
        std::fs::write(s.path(&dir).join(file), &doc).unwrap();
        // An external entity declared and used: refused or left unexpanded, never read.
        let root = doc[1..].split([' ', '>']).next().unwrap().to_string();
        let with_entity = format!(
            "<?xml version=\"1.0\"?>\n{}\n{}",
            entity_doctype(&root),
            doc.replace("<failure message=\"m\">", "<failure message=\"m &xxe;\">")
                .replacen(&include, "m &xxe; &pw;", 1)
        );
        let dir = format!("{format}-entity");
        std::fs::create_dir(s.path(&dir)).unwrap();
        std::fs::write(s.path(&dir).join(file), &with_entity).unwrap();
    }

    for (format, _, _) in xml_docs("") {
        let dir = format!("{format}-xinclude");
        let out = e2e::run(s.bin().args(["parse", "--json", &dir]));
        assert_eq!(out.code, Some(0), "{format}: {}", out.text());
        let run: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert_eq!(
            run["cases"].as_array().map(Vec::len),
            Some(1),
            "{format}: {}",
            out.stdout
        );
        let mut texts = vec![(format!("{format} parse"), out.text())];
        for dir in [format!("{format}-xinclude"), format!("{format}-entity")] {
            let plan = s.path(&format!("{dir}.plan.json"));
            let report = s.path(&format!("{dir}.report.json"));
            let out = e2e::run(s.bin().args([
                "run",
                "--dry-run",
                "--plan-json",
                plan.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
                &dir,
            ]));
            assert!(
                matches!(out.code, Some(0) | Some(3)),
                "{dir}: {}",
                out.text()
            );
            texts.push((format!("{dir} run"), out.text()));
            texts.push((
                format!("{dir} plan"),
                std::fs::read_to_string(&plan).unwrap_or_default(),
            ));
            texts.push((
                format!("{dir} report"),
                std::fs::read_to_string(&report).expect("the report is written"),
            ));
            let out = e2e::run(s.bin().args(["parse", "--json", &dir]));
            texts.push((format!("{dir} parse"), out.text()));
        }
        for (what, text) in &texts {
            assert!(!text.contains(CANARY), "{what} shows the canary:\n{text}");
            if let Some(line) = &passwd_line {
                assert!(!text.contains(line.as_str()), "{what} shows /etc/passwd");
            }
        }
    }
}
