//! dorny/test-reporter's Jest snapshots as an oracle for the JUnit parser: every JUnit input
//! under fixtures/junit/test-reporter that has a snapshot entry must give the same number of
//! passed, failed and skipped tests and the same test names; the inputs without one must
//! match what upstream's test code asserts on them inline.
//!
//! The `.snap` files are Jest `pretty-format` output wrapped in template literals; a small
//! tolerant reader below pulls out only what is compared (suite, group, test name and result).
//!
//! Where the models differ on purpose, both sides are normalised the same way (no file is
//! exempt):
//! - test-reporter has no "error" outcome: errors count as `failed` on our side too.
//! - repeated `<testcase>`s are one test with attempts for us, several tests for test-reporter:
//!   test counts fold the snapshot's repeats by our merge rule, per-name results compare tries
//!   (`external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml`, pulsar, jest).
//! - names compare with whitespace collapsed and trimmed (see [`normalise`]).
//! - nette/tester names compare as `File.phpt[::method]` (see [`tester_key`]).
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use xray_sync::ingest::junit;
use xray_sync::model::{Outcome, OutcomeKind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junit/test-reporter")
}

/// One `TestCaseResult` of a snapshot.
#[derive(Debug)]
struct SnapCase {
    suite: String,
    group: String,
    name: String,
    result: String,
}

/// One `exports[...]` entry: the parsed tree of the input at `path` (relative to `root()`).
#[derive(Debug)]
struct Snapshot {
    path: String,
    cases: Vec<SnapCase>,
}

/// Undoes the template-literal escaping Jest applies around a snapshot (`\\`, `` \` ``, `\${`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && matches!(next, '\\' | '`' | '$')
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// The string value of `"key": "…"` written at exactly `indent` spaces, searched from `from`.
/// pretty-format (with `escapeString: false`) does not escape quotes, and names can span
/// lines, so the value ends where the next sibling key (same indent) or the closing brace
/// (two spaces less) begins — not at the first quote.
fn field(text: &str, from: usize, indent: usize, key: &str) -> Option<(String, usize)> {
    let open = format!("\n{}\"{key}\": \"", " ".repeat(indent));
    let start = from + text[from..].find(&open)? + open.len();
    let sibling = format!("\n{}\"", " ".repeat(indent));
    let close = format!("\n{}}}", " ".repeat(indent.saturating_sub(2)));
    let mut at = start;
    loop {
        let end = at + text[at..].find("\",")?;
        let rest = &text[end + 2..];
        if rest.starts_with(&sibling) || rest.starts_with(&close) {
            return Some((unescape(&text[start..end]), end));
        }
        at = end + 2;
    }
}

/// Where each `Name {` header line of the three result types starts, in document order, with
/// its indentation.
fn headers(entry: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in entry.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        for kind in ["TestSuiteResult", "TestGroupResult", "TestCaseResult"] {
            if body.trim_end() == format!("{kind} {{") {
                out.push((offset, indent, kind));
            }
        }
        offset += line.len();
    }
    out
}

fn parse_snapshots(text: &str) -> Vec<Snapshot> {
    let mut out = Vec::new();
    for entry in text.split("\nexports[`").skip(1) {
        let (path, _) = field(entry, 0, 2, "path").expect("snapshot entry has a path");
        let mut cases = Vec::new();
        // A suite's name is written after its groups (keys are sorted), so its cases are
        // collected first and named when the suite's own `"name"` is reached.
        let mut suite_cases: Vec<SnapCase> = Vec::new();
        let mut suite_at: Option<(usize, usize)> = None;
        let mut group = String::new();
        let finish_suite = |at: Option<(usize, usize)>, pending: &mut Vec<SnapCase>| {
            let Some((pos, indent)) = at else {
                return Vec::new();
            };
            let (name, _) = field(entry, pos, indent + 2, "name").expect("suite name");
            pending
                .drain(..)
                .map(|c| SnapCase {
                    suite: name.clone(),
                    ..c
                })
                .collect()
        };
        for (pos, indent, kind) in headers(entry) {
            match kind {
                "TestSuiteResult" => {
                    cases.extend(finish_suite(suite_at, &mut suite_cases));
                    suite_at = Some((pos, indent));
                }
                "TestGroupResult" => {
                    group = field(entry, pos, indent + 2, "name")
                        .map(|(n, _)| n)
                        .unwrap_or_default();
                }
                _ => {
                    let (name, after) = field(entry, pos, indent + 2, "name").expect("case name");
                    let (result, _) =
                        field(entry, after, indent + 2, "result").expect("case result");
                    suite_cases.push(SnapCase {
                        suite: String::new(),
                        group: group.clone(),
                        name,
                        result,
                    });
                }
            }
        }
        cases.extend(finish_suite(suite_at, &mut suite_cases));
        out.push(Snapshot { path, cases });
    }
    out
}

fn all_snapshots() -> Vec<Snapshot> {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("__snapshots__"))
        .expect("snapshots copied")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| parse_snapshots(&fs::read_to_string(f).unwrap()))
        .collect()
}

/// test-reporter's vocabulary: `success`, `failed` (failure or error), `skipped`.
fn result_of(outcome: &Outcome) -> &'static str {
    match outcome.kind() {
        OutcomeKind::Passed => "success",
        OutcomeKind::Failed | OutcomeKind::Error => "failed",
        OutcomeKind::Skipped => "skipped",
    }
}

/// Whitespace runs as one space, trimmed. Two deliberate differences hide behind this:
/// test-reporter trims names (jest-junit writes `name="calls the teardown method "`), and
/// jest-junit writes multi-line names with raw newlines inside the attribute, which XML
/// attribute-value normalisation turns into spaces (we follow the spec, as Xray's own JUnit
/// import does; test-reporter's sax parser keeps them).
fn normalise(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// nette/tester's names as test-reporter shows them (`Assert.equal.recursive.phpt::testDeep`,
/// `Description (File.phpt)`) and as the XML has them (`Description | tests/dir/File.phpt
/// [method=testDeep]`) both reduce to `File.phpt::testDeep`: test-reporter rewrites this
/// dialect's names for display, we keep the XML name because it is the test's identity in Xray.
fn tester_key(name: &str, from_snapshot: bool) -> String {
    if from_snapshot {
        return match name.strip_suffix(')').and_then(|n| n.rsplit_once(" (")) {
            Some((_, file)) => file.to_string(),
            None => name.to_string(),
        };
    }
    let path = name.rsplit_once(" | ").map_or(name, |(_, p)| p);
    let (path, method) = match path
        .strip_suffix(']')
        .and_then(|p| p.split_once(" [method="))
    {
        Some((p, m)) => (p, Some(m)),
        None => (path, None),
    };
    let file = path.rsplit_once('/').map_or(path, |(_, f)| f);
    match method {
        Some(m) => format!("{file}::{m}"),
        None => file.to_string(),
    }
}

fn tally<'a>(results: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut out = BTreeMap::new();
    for r in results {
        *out.entry(r).or_default() += 1;
    }
    out
}

/// Our model merges repeated `<testcase>`s (same suite, classname and name) into one test
/// with one attempt each; test-reporter lists every element. Folding the snapshot's repeats
/// with the model's rule makes test-level counts comparable: in one file the repeats are in
/// document order, and the last one that ran decides (a skipped repeat only when all are).
fn fold(results: &[&str]) -> &'static str {
    let ran = results.iter().rev().find(|r| **r != "skipped");
    match ran.or(results.last()).copied() {
        Some("skipped") => "skipped",
        Some("success") => "success",
        _ => "failed",
    }
}

#[test]
fn junit_inputs_match_their_snapshots() {
    let snapshots = all_snapshots();
    let mut checked = BTreeSet::new();
    for snap in &snapshots {
        let input = root().join(&snap.path);
        let rel = &snap.path;
        let cases = junit::parse_path(&input).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let tester = rel.contains("nette-tester/");
        let key = |name: &str, from_snapshot: bool| {
            let name = normalise(name);
            if tester {
                tester_key(&name, from_snapshot)
            } else {
                name
            }
        };

        // Test level: the snapshot's repeats folded the way `TestCase::absorb` merges them.
        let mut repeats: BTreeMap<(&str, &str, String), Vec<&str>> = BTreeMap::new();
        for c in &snap.cases {
            repeats
                .entry((&c.suite, &c.group, key(&c.name, true)))
                .or_default()
                .push(&c.result);
        }
        let want = tally(repeats.values().map(|r| fold(r)));
        let got = tally(cases.iter().map(|c| result_of(c.outcome())));
        assert_eq!(got, want, "{rel}: tests per outcome");

        // Try level: each of our attempts is one `<testcase>` element here (none of these
        // files has flaky/rerun elements), so per name the results match one for one.
        let mut want: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for c in &snap.cases {
            want.entry(key(&c.name, true)).or_default().push(&c.result);
        }
        let mut got: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for c in &cases {
            let tries = got.entry(key(&c.name, false)).or_default();
            tries.extend(c.attempts.iter().map(|a| result_of(&a.outcome)));
        }
        for results in want.values_mut().chain(got.values_mut()) {
            results.sort_unstable();
        }
        if got != want {
            let names =
                |m: &BTreeMap<String, Vec<&str>>| m.keys().cloned().collect::<BTreeSet<_>>();
            let (g, w) = (names(&got), names(&want));
            let only_ours: Vec<_> = g.difference(&w).take(5).collect();
            let only_snapshot: Vec<_> = w.difference(&g).take(5).collect();
            panic!(
                "{rel}: names or per-name results differ; only ours: {only_ours:?}, \
                 only in the snapshot: {only_snapshot:?}"
            );
        }
        checked.insert(rel.clone());
    }
    // 18 entries; the 6 JUnit snapshot files hold one per JUnit input that upstream snapshots.
    assert_eq!(checked.len(), 18, "snapshot entries checked: {checked:?}");
}

/// The JUnit inputs without a snapshot, and what upstream's test code asserts on them inline
/// (or, for `phpunit-paths.xml`, which upstream only uses for path resolution, what the file
/// itself states: six cases, six failures).
#[test]
fn inputs_without_a_snapshot_match_upstream_inline_assertions() {
    let covered: BTreeSet<String> = all_snapshots().into_iter().map(|s| s.path).collect();
    let expected: &[(&str, &[(&str, usize)])] = &[
        ("fixtures/empty/java-junit.xml", &[]),
        ("fixtures/empty/jest-junit-empty-testsuite.xml", &[]),
        ("fixtures/empty/jest-junit.xml", &[]),
        ("fixtures/empty/phpunit-empty.xml", &[]),
        (
            "fixtures/external/java/empty_failures.xml",
            &[("failed", 1), ("success", 2)],
        ),
        ("fixtures/phpunit/phpunit-paths.xml", &[("failed", 6)]),
    ];
    let mut inputs = Vec::new();
    xml_files(&root().join("fixtures"), &mut inputs);
    for input in &inputs {
        let rel = input
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if covered.contains(&rel) {
            continue;
        }
        let (_, want) = expected
            .iter()
            .find(|(path, _)| *path == rel)
            .unwrap_or_else(|| {
                panic!("{rel}: JUnit input with neither a snapshot nor an expectation")
            });
        let cases = junit::parse_path(input).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let got = tally(cases.iter().map(|c| result_of(c.outcome())));
        let want: BTreeMap<&str, usize> = want.iter().copied().collect();
        assert_eq!(got, want, "{rel}");
    }
    assert_eq!(
        inputs.len(),
        covered.len() + expected.len(),
        "inputs: {inputs:?}"
    );
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("fixture dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
    out.sort();
}
