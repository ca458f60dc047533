//! Rerun semantics on real rerun outputs (fixtures/pytest-rerunfailures,
//! fixtures/gotestsum-rerun-fails): the last try decides, a test is flaky only when its last try
//! passed after a failed one, and xray-sync's counts agree with the runner's own console summary,
//! outcome by outcome. (Before the last-try rule, the pytest file read as "passed and flaky" for
//! every test that failed on all three tries.) The expectations are read from the runner's console output committed
//! next to each file, never typed in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use xray_sync::ingest::{InputOptions, collect};
use xray_sync::model::{OutcomeKind, TestCase, TestRun};

fn fixture(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(dir)
}

fn read(paths: &[PathBuf]) -> TestRun {
    collect(&InputOptions {
        patterns: paths.iter().map(|p| p.display().to_string()).collect(),
        ..InputOptions::default()
    })
    .unwrap()
}

/// The numbers of pytest's final line, `= 6 failed, 18 passed, … in 0.18s =`, by word.
fn pytest_summary_line(console: &str) -> BTreeMap<String, usize> {
    let line = console
        .lines()
        .rev()
        .find(|l| l.starts_with('=') && l.contains(" in "))
        .expect("pytest's summary line");
    let inner = line.trim_matches('=').trim();
    let counts = inner.rsplit_once(" in ").map_or(inner, |(c, _)| c);
    counts
        .split(", ")
        .map(|part| {
            let (n, word) = part.split_once(' ').expect("`N word`");
            (word.to_string(), n.parse().expect("a count"))
        })
        .collect()
}

/// pytest's `-rA` short test summary: per node id, the verdicts it printed (`PASSED`, `FAILED`,
/// `ERROR`, `XPASS`; `SKIPPED` and `XFAIL` lines are counted under their word).
fn pytest_short_summary(console: &str) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, usize>) {
    let mut by_node: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_word: BTreeMap<String, usize> = BTreeMap::new();
    let section = console
        .split("short test summary info")
        .nth(1)
        .expect("-rA summary");
    for line in section.lines().skip(1) {
        if line.starts_with('=') {
            break;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        *by_word.entry(word.to_string()).or_default() += 1;
        if rest.contains("::") {
            let node = rest.split(" - ").next().unwrap().trim().to_string();
            by_node.entry(node).or_default().push(word.to_string());
        }
    }
    (by_node, by_word)
}

/// `test_reruns.py::TestCalculator::test_add` → `test_reruns.TestCalculator.test_add`, the
/// definition pytest's JUnit writer gives the test (classname = module and class).
fn definition_of_node(node: &str) -> String {
    let mut parts = node.split("::");
    let module = parts
        .next()
        .unwrap()
        .trim_end_matches(".py")
        .replace('/', ".");
    std::iter::once(module)
        .chain(parts.map(str::to_string))
        .collect::<Vec<_>>()
        .join(".")
}

fn by_definition(run: &TestRun) -> BTreeMap<String, &TestCase> {
    run.cases.iter().map(|c| (c.definition(), c)).collect()
}

/// Tries that failed or errored, over every test of `run` (also used by `native_generated`).
pub(crate) fn failed_tries(run: &TestRun) -> usize {
    run.cases
        .iter()
        .map(|c| c.attempts.iter().filter(|a| a.outcome.is_failure()).count())
        .sum()
}

/// xray-sync's reading of a pytest JUnit file against pytest's own console: outcome by outcome
/// against its final line, and test by test against its `-rA` short summary (the recovered
/// tests' flakiness is left to the callers: it depends on the rerunfailures version).
fn check_pytest_verdicts(label: &str, run: &TestRun, console: &str) -> BTreeMap<String, usize> {
    let line = pytest_summary_line(console);
    let (nodes, words) = pytest_short_summary(console);
    let counts = run.counts();
    let tests = by_definition(run);

    // Outcome by outcome against pytest's own final line.
    assert_eq!(counts.failed, line["failed"], "{label}: failed");
    assert_eq!(counts.error, line["errors"], "{label}: errors");
    assert_eq!(
        counts.skipped,
        line["skipped"] + line["xfailed"],
        "{label}: skipped (pytest's skipped + xfailed, both <skipped> in JUnit)"
    );
    // pytest counts `passed` per report: a test that passes its call and errors in teardown
    // adds one `PASSED` per try. As tests: the nodes whose every verdict is PASSED, plus xpass.
    let passed_nodes: BTreeSet<&String> = nodes
        .iter()
        .filter(|(_, v)| v.iter().all(|w| w == "PASSED"))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        words["PASSED"], line["passed"],
        "{label}: the short summary and the final line agree"
    );
    assert_eq!(
        counts.passed,
        passed_nodes.len() + line["xpassed"],
        "{label}: passed"
    );
    assert_eq!(
        counts.total,
        counts.passed + counts.failed + counts.error + counts.skipped
    );

    // Test by test: pytest's verdict for each node is xray-sync's outcome.
    for (node, verdicts) in &nodes {
        let def = definition_of_node(node);
        let case = tests
            .get(&def)
            .unwrap_or_else(|| panic!("{label}: {def} not read"));
        let want = if verdicts.iter().any(|w| w == "ERROR") {
            OutcomeKind::Error
        } else if verdicts.iter().any(|w| w == "FAILED") {
            OutcomeKind::Failed
        } else if verdicts.iter().any(|w| w == "XFAIL") {
            OutcomeKind::Skipped
        } else {
            OutcomeKind::Passed
        };
        assert_eq!(case.outcome().kind(), want, "{label}: {def} {verdicts:?}");
        if case.outcome().is_failure() {
            assert!(!case.flaky, "{label}: {def} failed, so it is not flaky");
        }
    }
    line
}

fn check_pytest_family(family: &str) {
    let dir = fixture("pytest-rerunfailures");
    let console = std::fs::read_to_string(dir.join(format!("console-{family}.txt"))).unwrap();
    let run = read(&[dir.join(format!("pytest-reruns-{family}.xml"))]);
    let line = check_pytest_verdicts(family, &run, &console);
    let counts = run.counts();

    // Every try is kept: the tests plus pytest's `N rerun`.
    let tries: usize = run.cases.iter().map(|c| c.attempts.len()).sum();
    assert_eq!(tries, counts.total + line["rerun"], "{family}: tries");
    for case in run.cases.iter().filter(|c| c.outcome().is_failure()) {
        assert_eq!(
            case.attempts.len(),
            3,
            "{family}: {} was tried 3 times",
            case.name
        );
    }
    // pytest-rerunfailures writes a rerun try as a bare `<testcase>` with no child; pytest
    // writes a test once per try only when it reruns it, and it reruns only a failed try. So
    // every earlier try reads as failed, and the 7 tests that recovered are flaky (pytest's
    // "24 rerun"), not plain passes.
    assert_eq!(counts.flaky, 7, "{family}: the recovered tests are flaky");
    assert_eq!(
        failed_tries(&run),
        line["rerun"] + counts.failed + counts.error,
        "{family}: every rerun try failed, and the last try of each failed test"
    );
    let recovered: Vec<&TestCase> = run
        .cases
        .iter()
        .filter(|c| c.name.starts_with("test_flaky"))
        .collect();
    assert_eq!(recovered.len(), 7, "{family}");
    for case in recovered {
        assert_eq!(
            case.outcome().kind(),
            OutcomeKind::Passed,
            "{family}: {}",
            case.name
        );
        assert!(case.attempts.len() > 1, "{family}: {} was rerun", case.name);
        assert!(case.flaky, "{family}: {} recovered on a rerun", case.name);
    }
}

#[test]
fn pytest_rerunfailures_xunit1_counts_match_pytest() {
    check_pytest_family("xunit1");
}

#[test]
fn pytest_rerunfailures_xunit2_counts_match_pytest() {
    check_pytest_family("xunit2");
}

/// pytest-rerunfailures before 16.6.1 (here 16.6 with pytest 8.4.2, the same tests) writes each
/// test's last try only: nothing in the file says a test was rerun. Failures, errors and skips
/// still agree with pytest test by test; the 7 tests that recovered on a rerun can only read as
/// plain passes (README: "pytest reruns").
#[test]
fn pytest_rerunfailures_before_16_6_1_keeps_only_the_last_try() {
    let dir = fixture("pytest-rerunfailures");
    let console = std::fs::read_to_string(dir.join("console-16.6.txt")).unwrap();
    let run = read(&[dir.join("pytest-reruns-16.6.xml")]);
    let line = check_pytest_verdicts("16.6", &run, &console);
    assert_eq!(line["rerun"], 24, "pytest reran as often as with 16.7");
    let counts = run.counts();
    assert_eq!(
        counts.flaky, 0,
        "the file holds no rerun try of a test that recovered"
    );
    for case in run
        .cases
        .iter()
        .filter(|c| c.name.starts_with("test_flaky"))
    {
        assert_eq!(case.outcome().kind(), OutcomeKind::Passed, "{}", case.name);
        assert_eq!(case.attempts.len(), 1, "{}", case.name);
    }
    // The one test 16.6 writes once per try is the one whose every try errors in teardown
    // (bare, bare, then the error): its earlier tries read as failed, which they were.
    let repeated: Vec<_> = run.cases.iter().filter(|c| c.attempts.len() > 1).collect();
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0].name, "test_teardown_error");
    assert_eq!(repeated[0].attempts.len(), 3);
    assert!(repeated[0].attempts.iter().all(|a| a.outcome.is_failure()));
    assert_eq!(repeated[0].outcome().kind(), OutcomeKind::Error);
}

/// gotestsum writes every failed try first and the passing tries after them; in document
/// order, a test that passed on a rerun therefore ends with its pass.
#[test]
fn gotestsum_rerun_fails_counts_match_gotestsum() {
    let dir = fixture("gotestsum-rerun-fails");
    let console = std::fs::read_to_string(dir.join("console.txt")).unwrap();
    // `DONE 3 runs, 21 tests, 1 skipped, 12 failures in 5.519s`
    // gotestsum prints a DONE line after each run; the last one totals all runs.
    let done = console
        .lines()
        .rfind(|l| l.starts_with("DONE "))
        .expect("gotestsum's DONE line");
    let numbers: BTreeMap<&str, usize> = done
        .trim_start_matches("DONE ")
        .split(" in ")
        .next()
        .unwrap()
        .split(", ")
        .map(|p| {
            let (n, w) = p.split_once(' ').unwrap();
            (w, n.parse().unwrap())
        })
        .collect();
    let runs = numbers["runs"];
    // The tests that failed in the last run (`=== FAIL: . TestX (re-run 2)`).
    let last = format!("(re-run {})", runs - 1);
    let failed_last: BTreeSet<String> = console
        .lines()
        .filter(|l| l.starts_with("=== FAIL: ") && l.contains(&last))
        .map(|l| l.split_whitespace().nth(3).unwrap().to_string())
        .collect();
    let failed_ever: BTreeSet<String> = console
        .lines()
        .filter(|l| l.starts_with("=== FAIL: "))
        .map(|l| l.split_whitespace().nth(3).unwrap().to_string())
        .collect();

    let run = read(&[dir.join("gotestsum-reruns.xml")]);
    let counts = run.counts();
    let tries: Vec<_> = run.cases.iter().flat_map(|c| &c.attempts).collect();
    assert_eq!(tries.len(), numbers["tests"], "tries = gotestsum's `tests`");
    assert_eq!(
        tries.iter().filter(|a| a.outcome.is_failure()).count(),
        numbers["failures"]
    );
    assert_eq!(counts.skipped, numbers["skipped"]);
    let failed: BTreeSet<String> = run
        .cases
        .iter()
        .filter(|c| c.outcome().kind() == OutcomeKind::Failed)
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(failed, failed_last, "failed = failed in the last run");
    let flaky: BTreeSet<String> = run
        .cases
        .iter()
        .filter(|c| c.flaky)
        .map(|c| c.name.clone())
        .collect();
    let recovered: BTreeSet<String> = failed_ever.difference(&failed_last).cloned().collect();
    assert_eq!(flaky, recovered, "flaky = failed once, not in the last run");
    assert_eq!(counts.failed, 3);
    assert_eq!(counts.flaky, 2);
    assert_eq!(counts.error, 0);
}

/// Two files given in order: the second pattern's try is the later one.
#[test]
fn a_rerun_file_given_after_the_first_decides() {
    let scratch = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = scratch.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let first = write(
        "z-first.xml",
        r#"<testsuite name="s"><testcase classname="C" name="t"><failure message="boom"/></testcase></testsuite>"#,
    );
    let rerun = write(
        "a-rerun.xml",
        r#"<testsuite name="s"><testcase classname="C" name="t"/></testsuite>"#,
    );
    let run = read(&[first.clone(), rerun.clone()]);
    assert_eq!(run.cases[0].outcome().kind(), OutcomeKind::Passed);
    assert!(run.cases[0].flaky);
    // Given the other way round, the failure is the last try.
    let run = read(&[rerun, first]);
    assert_eq!(run.cases[0].outcome().kind(), OutcomeKind::Failed);
    assert!(!run.cases[0].flaky);
    // Both matched by one pattern: no order is known, so the failure wins.
    let run = read(&[scratch.path().to_path_buf()]);
    assert_eq!(run.cases[0].outcome().kind(), OutcomeKind::Failed);
}
