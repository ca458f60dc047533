//! The .NET part of the EnricoMi (publish-unit-test-result-action) corpus under
//! fixtures/junit/publish-unit-test-result-action/{nunit,xunit,trx}: every input is sniffed as
//! its format, inputs with a `.results.json` sidecar match its counts and the test names of
//! its `.results`, and `.exception` inputs (and the XXE ones) fail with a clear error.
//!
//! Counts are compared per case against the `.results` case list (upstream's main per-case
//! oracle): the .NET readers emit one record per result element, and parameterised cases that
//! share a name (NUnit 2, xUnit's `method`) are distinct records here, merged only at the run
//! level. The `.results.json` `runs_*` stats are not used: for `NUnit-issue33493` and xUnit
//! `testcase2` they disagree with upstream's own case list.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use xray_sync::ingest::{InputOptions, collect, dotnet};
use xray_sync::model::{FileStatus, Format, OutcomeKind, ReadText};

use crate::sidecar;
use sidecar::py_value;

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junit/publish-unit-test-result-action")
}

/// The subtrees holding .NET inputs, and the format each holds.
const TREES: &[(&str, &str, Format)] = &[
    ("nunit", "xml", Format::Nunit),
    ("xunit", "xml", Format::Xunit),
    ("trx", "trx", Format::Trx),
];

fn inputs() -> Vec<(PathBuf, Format)> {
    fn walk(dir: &Path, ext: &str, format: Format, out: &mut Vec<(PathBuf, Format)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, ext, format, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push((path, format));
            }
        }
    }
    let mut out = Vec::new();
    for (tree, ext, format) in TREES {
        walk(&base().join(tree), ext, *format, &mut out);
    }
    out.sort();
    out
}

/// XXE inputs: upstream's current `.results` show lxml resolving the local file entity
/// (`message='abc\n'`). We never expand DOCTYPE entities, so these are errors here.
const XXE: &[&str] = &[
    "nunit/nunit3/jenkins/NUnit-sec1752-file.xml",
    "nunit/nunit3/jenkins/NUnit-sec1752-https.xml",
];

/// Inputs where we differ from EnricoMi on principle; each says why.
const SIDECAR_EXCEPTIONS: &[(&str, &str)] = &[(
    "xunit/mstest/jenkinsci/testcase6.xml",
    "names: the <test> has method=\"\" type=\"\"; upstream names it '' (from `method`), we fall \
     back to its name attribute `collection1\\test.xml` rather than invent a nameless test",
)];

fn exception_for(rel: &str) -> Option<&'static str> {
    SIDECAR_EXCEPTIONS
        .iter()
        .find(|(path, _)| *path == rel)
        .map(|(_, why)| *why)
}

/// `(class_name, test_name, result)` of every case in a `.results` pprint.
fn sidecar_cases(results: &str) -> Vec<(String, String, String)> {
    results
        .split("UnitTestCase(")
        .skip(1)
        .map(|case| {
            let field = |key: &str| {
                let at = case.find(&format!("\n      {key}=")).expect(key) + key.len() + 8;
                py_value(&case[at..]).unwrap_or_default()
            };
            (field("class_name"), field("test_name"), field("result"))
        })
        .collect()
}

/// Counts per outcome: passed, skipped, failed, error.
fn counts(kinds: impl IntoIterator<Item = OutcomeKind>) -> [u64; 4] {
    let mut c = [0; 4];
    for kind in kinds {
        let slot = match kind {
            OutcomeKind::Passed => 0,
            OutcomeKind::Skipped => 1,
            OutcomeKind::Failed => 2,
            OutcomeKind::Error => 3,
        };
        c[slot] += 1;
    }
    c
}

/// EnricoMi's result words.
fn kind_of(result: &str) -> OutcomeKind {
    match result {
        "success" => OutcomeKind::Passed,
        "skipped" | "disabled" => OutcomeKind::Skipped,
        "failure" => OutcomeKind::Failed,
        "error" => OutcomeKind::Error,
        other => panic!("unknown sidecar result {other:?}"),
    }
}

fn sniffed(path: &Path) -> Option<Format> {
    let bytes = fs::read(path).unwrap();
    dotnet::sniff(&bytes[..bytes.len().min(4096)])
}

#[test]
fn enricomi_dotnet_inputs_match_their_sidecars() {
    let inputs = inputs();
    let mut matched = 0;
    let mut failed_cleanly = 0;
    for (input, format) in &inputs {
        let rel = input
            .strip_prefix(base())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(sniffed(input), Some(*format), "{rel}: sniffed format");
        let parsed = dotnet::parse_path(input, *format);
        if XXE.contains(&rel.as_str()) {
            let err = parsed.expect_err(&rel);
            assert!(err.message.contains("&xxe;"), "{rel}: {err}");
            assert!(err.message.contains("never expanded"), "{rel}: {err}");
            assert!(!err.to_string().contains("abc"), "{rel}: {err}");
            failed_cleanly += 1;
            continue;
        }
        let stats: Option<serde_json::Value> =
            fs::read_to_string(input.with_extension("results.json"))
                .ok()
                .map(|s| serde_json::from_str::<serde_json::Value>(&s).unwrap()["stats"].clone());
        let upstream_parsed =
            stats.is_some_and(|s| s["errors"].as_array().is_none_or(|e| e.is_empty()));
        if !upstream_parsed {
            assert!(
                input.with_extension("exception").exists(),
                "{rel}: no sidecar at all"
            );
            let err = parsed.expect_err(&rel);
            assert_eq!(err.path, *input, "{rel}");
            assert!(err.line.is_some(), "{rel}: error without a line: {err}");
            assert!(err.message.starts_with("malformed XML"), "{rel}: {err}");
            failed_cleanly += 1;
            continue;
        };
        let cases = parsed.unwrap_or_else(|e| panic!("{rel}: {e}"));
        let want = sidecar_cases(&fs::read_to_string(input.with_extension("results")).unwrap());
        let exception = exception_for(&rel);
        if !exception.is_some_and(|why| why.starts_with("counts")) {
            let got = counts(cases.iter().map(|c| c.outcome().kind()));
            let expected = counts(want.iter().map(|(_, _, r)| kind_of(r)));
            assert_eq!(got, expected, "{rel}: passed/skipped/failed/error");
            assert_eq!(cases.len(), want.len(), "{rel}: cases");
        }
        if !exception.is_some_and(|why| why.starts_with("names")) {
            let want: BTreeSet<(&str, &str)> = want
                .iter()
                .map(|(c, n, _)| (c.as_str(), n.as_str()))
                .collect();
            let got: BTreeSet<(&str, &str)> = cases
                .iter()
                .map(|c| (c.classname.as_deref().unwrap_or_default(), c.name.as_str()))
                .collect();
            assert_eq!(got, want, "{rel}: test names");
        }
        for case in &cases {
            assert_eq!(case.attempts.len(), 1, "{rel}");
            assert_eq!(case.attempts[0].source.format, *format, "{rel}");
        }
        matched += 1;
    }
    assert!(matched >= 20, "only {matched} .NET inputs matched");
    assert_eq!(
        failed_cleanly, 4,
        "the 2 .exception inputs and the 2 XXE ones"
    );
}

#[test]
fn collect_reads_the_dotnet_tree_by_content() {
    let patterns = TREES
        .iter()
        .map(|(tree, _, _)| base().join(tree).to_string_lossy().into_owned())
        .collect();
    let run = collect(&InputOptions {
        patterns,
        allow_empty: false,
        strict: false,
    })
    .unwrap();
    let mut parsed = BTreeSet::new();
    for file in &run.files {
        let name = file.path.to_string_lossy();
        match &file.status {
            FileStatus::Parsed { format, .. } => {
                parsed.insert(*format);
            }
            FileStatus::Failed { error, .. } => assert!(!error.message.is_empty()),
            FileStatus::Skipped { reason } => assert!(
                !(name.ends_with(".xml") || name.ends_with(".trx")),
                "{name} skipped: {reason}"
            ),
        }
    }
    let want: BTreeSet<Format> = TREES.iter().map(|(_, _, f)| *f).collect();
    assert_eq!(parsed, want);
    assert!(run.counts().total > 100);
}

#[test]
fn nunit_details_from_real_files() {
    let cases = dotnet::parse_path(
        &base().join("nunit/nunit3/jenkins/NUnit-correct.xml"),
        Format::Nunit,
    )
    .unwrap();
    let failing = cases
        .iter()
        .find(|c| c.name == "NUnit.Tests.Assemblies.MockTestFixture.FailingTest")
        .unwrap();
    let failure = failing.outcome().failure().unwrap();
    assert_eq!(
        failure.message.read().as_deref(),
        Some("Intentional failure")
    );
    assert!(
        failure
            .details
            .read()
            .as_deref()
            .unwrap()
            .contains("MockAssembly.cs:121")
    );
    assert_eq!(failing.duration_secs(), Some(0.013));
    assert_eq!(failing.property("Category"), None);
    assert!(failing.suite_path.iter().any(|s| s == "MockTestFixture"));

    let cases = dotnet::parse_path(
        &base().join("nunit/mstest/clicketyclackety.xml"),
        Format::Nunit,
    )
    .unwrap();
    assert!(cases.iter().all(|c| c.started_at().is_some()));
    assert!(cases.iter().all(|c| c.classname.is_some()));
}

#[test]
fn xunit_theory_rows_stay_distinct_tests() {
    let path = base().join("xunit/mstest/fixie.xml");
    let cases = dotnet::parse_path(&path, Format::Xunit).unwrap();
    let rows: Vec<_> = cases
        .iter()
        .filter(|c| c.name == "ShouldBeString")
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].parameters()[0].value, "<System.Int32>(123)");
    // Rows differ by their arguments, so merging keeps them apart: one failing row does not
    // make the passing ones "flaky".
    let merged = xray_sync::ingest::merge::merge(cases.clone());
    assert_eq!(merged.len(), cases.len());
    assert!(merged.iter().all(|c| !c.flaky));
    let skip = cases.iter().find(|c| c.name == "Skip").unwrap();
    assert_eq!(
        *skip.outcome(),
        xray_sync::model::Outcome::Skipped {
            message: Some("⚠ Skipped with attribute.".into())
        }
    );
}

#[test]
fn trx_details_from_real_files() {
    let cases = dotnet::parse_path(&base().join("trx/xunit/dotnet-trx.trx"), Format::Trx).unwrap();
    let failing = cases
        .iter()
        .find(|c| c.name == "Exception_In_TargetTest")
        .unwrap();
    assert_eq!(
        failing.classname.as_deref(),
        Some("DotnetTests.XUnitTests.CalculatorTests")
    );
    let failure = failing.outcome().failure().unwrap();
    assert_eq!(
        failure.message.read().as_deref(),
        Some("System.DivideByZeroException : Attempted to divide by zero.")
    );
    assert!(
        failure
            .details
            .read()
            .as_deref()
            .unwrap()
            .contains("Calculator.cs:line 9")
    );
    assert_eq!(failing.duration_secs(), Some(0.0008377));
    assert_eq!(
        failing.started_at().map(|t| t.unix_timestamp()),
        Some(1_618_900_292)
    );
    let skipped = cases.iter().find(|c| c.name == "Skipped_Test").unwrap();
    assert_eq!(
        skipped.attempts[0].system_out.read().as_deref(),
        Some("Skipped test")
    );

    // Old MSTest: className carries the assembly after a comma.
    let cases = dotnet::parse_path(
        &base().join("trx/yami_YAMILEX_2015-10-24_04_18_59.trx"),
        Format::Trx,
    )
    .unwrap();
    assert!(
        cases
            .iter()
            .all(|c| c.classname.as_deref().is_some_and(|c| !c.contains(',')))
    );
}
