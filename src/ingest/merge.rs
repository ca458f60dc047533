//! Folds every sighting of the same test into one `TestCase`, and puts its attempts in the
//! order that decides its outcome (the last attempt decides: see `model`).
//!
//! Identity, checked in this order:
//! - Allure (1 or 2) with a `historyId`: the history id and the parameters. Allure derives the
//!   id from the full name and the parameters and keeps it across retries, so it is "the same
//!   test"; the parameters guard against adapters that compute it before the parameters are
//!   set (allure-mocha 2 gives both rows of a data-driven test one id,
//!   fixtures/generated-allure-mocha-2/). Retries differ only in `excluded` parameters, which
//!   the reader drops.
//! - Allure without a history id: its definition (`fullName`, else `classname.name`) plus its
//!   parameters.
//! - JUnit (and NUnit, xUnit.net, TRX): `(classname, name, parameters)`. The suite is not part of it, so the same test
//!   reported by two shards or a rerun job in another suite file still merges.
//!
//! Allure and JUnit identities never meet: the same run exported twice in both formats would
//! otherwise count every test twice over as retries.
//!
//! Order of a test's sightings (each sighting keeps its own document order):
//! 1. when every attempt has a start time: by start time;
//! 2. otherwise by the position of the pattern that named the file (`xray-sync run first.xml
//!    rerun.xml` says the rerun came second);
//! 3. where neither tells (equal start times, or two files matched by one pattern or directory)
//!    the order is unknown, and the file whose last attempt is worse goes last, so a failure is
//!    never hidden behind a pass; sightings from one file stay in document order.
//!
//! Order of tests: a merged test sits where it was first seen; inputs arrive in sorted path order
//! and in document order within a file, so the result is deterministic. Merging is linear:
//! sightings are appended ([`TestCase::append`]) and each merged test is ordered and settled
//! once at the end.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::hash_index::HashIndex;
use crate::model::{Attempt, Format, Outcome, Property, TestCase};

/// Who a sighting is, borrowed from it: nothing is copied to build or compare one.
#[derive(PartialEq, Eq, Hash)]
enum Identity<'a> {
    AllureHistory(&'a str, Parameters<'a>),
    Allure {
        /// `fullName`, else `classname.name` (computed: only Allure has it, one file per test).
        definition: String,
        parameters: Parameters<'a>,
    },
    Junit {
        classname: Option<&'a str>,
        name: &'a str,
        parameters: Parameters<'a>,
    },
}

/// Parameters as `(name, value)` pairs; `items` play no part in identity.
struct Parameters<'a>(&'a [Property]);

impl PartialEq for Parameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0)
                .all(|(a, b)| a.name == b.name && a.value == b.value)
    }
}

impl Eq for Parameters<'_> {}

impl Hash for Parameters<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        for p in self.0 {
            (&p.name, &p.value).hash(state);
        }
    }
}

impl<'a> Identity<'a> {
    fn of(case: &'a TestCase) -> Self {
        let parameters = Parameters(case.parameters());
        match case.attempts.first().map(|a| a.source.format) {
            Some(Format::Allure1 | Format::Allure2) => match case.history_id() {
                Some(h) if !h.is_empty() => Identity::AllureHistory(h, parameters),
                _ => Identity::Allure {
                    definition: case.definition(),
                    parameters,
                },
            },
            Some(
                Format::Junit
                | Format::Nunit
                | Format::Xunit
                | Format::Trx
                | Format::Testng
                | Format::Robot
                | Format::Cucumber
                | Format::Behave
                | Format::Playwright,
            )
            | None => Identity::Junit {
                classname: case.classname.as_deref().filter(|c| !c.is_empty()),
                name: &case.name,
                parameters,
            },
        }
    }
}

/// The hash of a test's identity under `index`'s key (what `merge_files` indexes by).
pub(crate) fn identity_hash(index: &HashIndex, case: &TestCase) -> u64 {
    index.hash(&Identity::of(case))
}

/// True when `merge_files` would fold `a` and `b` into one test.
pub(crate) fn same_identity(a: &TestCase, b: &TestCase) -> bool {
    Identity::of(a) == Identity::of(b)
}

/// Which sightings came from which file: `cases[previous end..end]` were read from one file,
/// named by the pattern at position `given`. `folded`: the file's reader already folded the
/// repeats it counts as one test (the JUnit reader: retries in one suite), so two of its
/// sightings that share an identity are two tests it kept apart on purpose (the same class
/// and name in two suites: Node's test runner writes `classname="test"` for every test,
/// fixtures/generated-node-test/) and are never folded into one here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpan {
    pub end: usize,
    pub given: usize,
    pub folded: bool,
}

/// Merges sightings that all come from one file (document order decides).
pub fn merge(cases: Vec<TestCase>) -> Vec<TestCase> {
    let end = cases.len();
    merge_files(
        cases,
        &[FileSpan {
            end,
            given: 0,
            folded: false,
        }],
    )
}

/// Merges sightings (in input order, `files` saying where each file's sightings end) into one
/// case per identity, in place: a large run is never held twice, and the index holds hashes, not
/// names. Sightings past the last span count as one more file.
pub fn merge_files(mut cases: Vec<TestCase>, files: &[FileSpan]) -> Vec<TestCase> {
    let mut index = HashIndex::with_capacity(cases.len());
    // Per merged test, the file it was first seen in; per merged test seen more than once, its
    // sightings in the order they were appended.
    let mut first_seen: Vec<Origin> = Vec::with_capacity(cases.len());
    // Per merged test, the last file a sighting of it came from.
    let mut last_file: Vec<usize> = Vec::with_capacity(cases.len());
    let mut repeated: HashMap<usize, Sightings> = HashMap::new();
    let mut span = 0;
    // `cases[..kept]` are the merged tests so far (index positions); `cases[kept..seen]` are
    // leftovers.
    let mut kept = 0;
    for seen in 0..cases.len() {
        while span < files.len() && seen >= files[span].end {
            span += 1;
        }
        let origin = Origin {
            file: span,
            given: files.get(span).map_or(usize::MAX, |f| f.given),
        };
        let folded = files.get(span).is_some_and(|f| f.folded);
        // Not found: pushed as position `kept`, which the test moves to below.
        let earlier = {
            let id = Identity::of(&cases[seen]);
            let hash = index.hash(&id);
            index.find_or_push(hash, |at| {
                !(folded && last_file[at] == span) && Identity::of(&cases[at]) == id
            })
        };
        match earlier {
            Some(target) => {
                // The leftover is a case with no attempts; `truncate` below drops it.
                let leftover =
                    TestCase::from_attempts(Vec::new().into(), None, String::new(), Vec::new());
                let case = std::mem::replace(&mut cases[seen], leftover);
                let sightings = repeated.entry(target).or_insert_with(|| Sightings {
                    parts: vec![Part {
                        origin: first_seen[target],
                        attempts: cases[target].attempts.len(),
                    }],
                    reported_flaky: cases[target].flaky,
                });
                sightings.parts.push(Part {
                    origin,
                    attempts: case.attempts.len(),
                });
                sightings.reported_flaky |= case.flaky;
                fold(&mut cases[target], case);
                last_file[target] = span;
            }
            None => {
                cases.swap(kept, seen);
                first_seen.push(origin);
                last_file.push(span);
                kept += 1;
            }
        }
    }
    cases.truncate(kept);
    for (at, sightings) in repeated {
        let case = &mut cases[at];
        order(case, &sightings.parts);
        drop_repeated_executions(case);
        case.settle();
        // A runner-reported flaky mark (Allure `statusDetails.flaky`) survives the re-derivation,
        // as long as the merged test passed.
        case.flaky |= sightings.reported_flaky && *case.outcome() == Outcome::Passed;
    }
    cases
}

/// Where a sighting came from.
#[derive(Debug, Clone, Copy)]
struct Origin {
    /// Position of its file among the files read.
    file: usize,
    /// Position of the pattern that named the file.
    given: usize,
}

/// One sighting's attempts inside a merged test (they are consecutive until `order`).
#[derive(Debug, Clone, Copy)]
struct Part {
    origin: Origin,
    attempts: usize,
}

/// The sightings of a test seen more than once.
struct Sightings {
    parts: Vec<Part>,
    reported_flaky: bool,
}

/// Copies what only a later sighting knows and appends its attempts (settled later).
fn fold(target: &mut TestCase, case: TestCase) {
    if target.history_id().is_none()
        && let Some(h) = case.history_id()
    {
        target.extras_mut().history_id = Some(h.to_owned());
    }
    if target.full_name().is_none()
        && let Some(f) = case.full_name()
    {
        target.extras_mut().full_name = Some(f.to_owned());
    }
    target.append(case);
}

/// Puts the sightings of one test in run order (the rule in the module doc). `parts` lists the
/// sightings as their attempts sit in `case.attempts` now.
fn order(case: &mut TestCase, parts: &[Part]) {
    let all_timed = case.attempts.iter().all(|a| a.started_at.is_some());
    // Per part: its primary key (start time, or the pattern position) and its attempts' range.
    let mut start = 0;
    let keyed: Vec<(Key, std::ops::Range<usize>, Origin)> = parts
        .iter()
        .map(|p| {
            let range = start..start + p.attempts;
            start += p.attempts;
            let key = match all_timed {
                true => Key::Time(case.attempts.get(range.start).and_then(|a| a.started_at)),
                false => Key::Given(p.origin.given),
            };
            (key, range, p.origin)
        })
        .collect();
    // Files whose order is unknown against each other (same key): the one whose last attempt
    // is worse goes last. Sightings of one file share that file's worst-last severity, so they
    // stay together and in document order.
    let mut last_severity: HashMap<(Key, usize), u8> = HashMap::new();
    for (key, range, origin) in &keyed {
        if let Some(last) = range.clone().last().and_then(|i| case.attempts.get(i)) {
            last_severity.insert((*key, origin.file), last.outcome.severity());
        }
    }
    let mut sorted: Vec<usize> = (0..keyed.len()).collect();
    sorted.sort_by_key(|&i| {
        let (key, _, origin) = &keyed[i];
        let severity = last_severity.get(&(*key, origin.file)).copied();
        (*key, severity, origin.file, i)
    });
    if sorted.iter().enumerate().all(|(at, &i)| at == i) {
        return;
    }
    let mut pieces: Vec<Vec<crate::model::Attempt>> = Vec::with_capacity(keyed.len());
    let mut rest = std::mem::take(&mut case.attempts).into_vec();
    for (_, range, _) in keyed.iter().rev() {
        pieces.push(rest.split_off(range.start));
    }
    pieces.reverse();
    let mut pieces: Vec<Option<Vec<crate::model::Attempt>>> =
        pieces.into_iter().map(Some).collect();
    for i in sorted {
        if let Some(piece) = pieces[i].take() {
            rest.extend(piece);
        }
    }
    case.attempts = rest.into();
}

/// The same execution reported by two files is one attempt, not a retry: pabot's merged
/// `output.xml` next to each process's own (`pabot_results/*/output.xml`, read when the output
/// folder is the input), a rebot output given with its inputs, one report copied into two
/// folders. An attempt from another file that started at the same sub-second instant, took as
/// long and ended the same way as an earlier one is dropped. A start time to the second only
/// (a JUnit suite's `timestamp`) does not tell two executions apart, so it never counts.
fn drop_repeated_executions(case: &mut TestCase) {
    // Attempts by (start, duration), the start precise: only those can be one execution. Linear:
    // a test seen in 100,000 files compares only attempts that share a key.
    type Key = (time::OffsetDateTime, Option<u64>);
    let key = |a: &Attempt| -> Option<Key> {
        let start = a.started_at.filter(|t| t.nanosecond() != 0)?;
        Some((start, a.duration_secs.map(f64::to_bits)))
    };
    // Most repeated tests have no precise start (JUnit): nothing to compare, nothing allocated.
    if case
        .attempts
        .iter()
        .filter(|a| key(a).is_some())
        .nth(1)
        .is_none()
    {
        return;
    }
    let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut repeated = vec![false; case.attempts.len()];
    for (i, a) in case.attempts.iter().enumerate() {
        let Some(k) = key(a) else { continue };
        let earlier = by_key.entry(k).or_default();
        repeated[i] = earlier.iter().any(|&e| {
            let e = &case.attempts[e];
            e.source.path != a.source.path && e.outcome == a.outcome
        });
        if !repeated[i] {
            earlier.push(i);
        }
    }
    if !repeated.contains(&true) {
        return;
    }
    let kept: Vec<Attempt> = std::mem::take(&mut case.attempts)
        .into_vec()
        .into_iter()
        .zip(repeated)
        .filter_map(|(a, repeat)| (!repeat).then_some(a))
        .collect();
    case.attempts = kept.into();
}

/// What orders sightings before the tie rule: start time when every attempt has one, else
/// the position of the pattern that named the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Time(Option<time::OffsetDateTime>),
    Given(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(end: usize, given: usize) -> FileSpan {
        FileSpan {
            end,
            given,
            folded: false,
        }
    }
    use crate::model::{Failure, SourceRef};

    fn case(
        format: Format,
        class: &str,
        name: &str,
        outcome: Outcome,
        history: Option<&str>,
    ) -> TestCase {
        let mut c = TestCase::new(
            vec![],
            Some(class.into()),
            name.into(),
            Attempt::new(
                outcome,
                SourceRef::new(std::path::Path::new("x"), format, None),
            ),
        );
        c.extras_mut().history_id = history.map(String::from);
        c
    }

    /// One execution seen in two files (pabot's merged output and a process's own) is one
    /// attempt; a real rerun (another start), a start known to the second only, and two
    /// attempts of one file stay attempts.
    #[test]
    fn one_execution_in_two_files_is_one_attempt() {
        let at = |file: &str, start: time::OffsetDateTime, outcome: Outcome| {
            let mut attempt = Attempt::new(
                outcome,
                SourceRef::new(std::path::Path::new(file), Format::Robot, None),
            );
            attempt.started_at = Some(start);
            attempt.duration_secs = Some(0.25);
            TestCase::new(vec![], Some("Calc".into()), "t".into(), attempt)
        };
        let fail = || Outcome::Failed(Failure::default().into());
        let precise = time::macros::datetime!(2026-12-06 11:29:27.523010 UTC);
        let later = time::macros::datetime!(2026-12-06 11:31:02.100000 UTC);
        let whole_second = time::macros::datetime!(2026-12-06 11:29:27 UTC);
        // The two sightings merged: from two files, or both from one.
        let merged = |a: TestCase, b: TestCase, files: usize| {
            let spans: Vec<FileSpan> = (1..=files).map(|end| span(end, 0)).collect();
            merge_files(vec![a, b], &spans).remove(0)
        };

        let same = merged(
            at("out/output.xml", precise, fail()),
            at("out/pabot_results/0/output.xml", precise, fail()),
            2,
        );
        assert_eq!(same.attempts.len(), 1);

        let rerun = merged(
            at("output.xml", precise, fail()),
            at("rerun.xml", later, Outcome::Passed),
            2,
        );
        assert_eq!(rerun.attempts.len(), 2);
        assert!(rerun.flaky);

        let coarse = merged(
            at("a.xml", whole_second, fail()),
            at("b.xml", whole_second, fail()),
            2,
        );
        assert_eq!(coarse.attempts.len(), 2);

        let other_end = merged(
            at("a.xml", precise, fail()),
            at("b.xml", precise, Outcome::Passed),
            2,
        );
        assert_eq!(other_end.attempts.len(), 2);

        let one_file = merged(
            at("a.xml", precise, fail()),
            at("a.xml", precise, fail()),
            1,
        );
        assert_eq!(one_file.attempts.len(), 2);
    }

    #[test]
    fn junit_identity_is_class_name_and_parameters() {
        let fail = Outcome::Failed(Failure::default().into());
        let merged = merge(vec![
            case(Format::Junit, "C", "t", fail.clone(), None),
            case(Format::Junit, "D", "t", fail.clone(), None),
            case(Format::Junit, "C", "t", Outcome::Passed, None),
        ]);
        assert_eq!(merged.len(), 2);
        assert!(merged[0].flaky);
        assert_eq!(merged[0].attempts.len(), 2);
        assert_eq!(merged[1].classname.as_deref(), Some("D"));
    }

    /// Merged in place: first sightings keep their order, later ones fold into them, and
    /// parameters (not their items) tell tests of one name apart.
    #[test]
    fn merges_in_place_keeping_first_seen_order() {
        let fail = || Outcome::Failed(Failure::default().into());
        let with_param = |name: &str, value: &str| {
            let mut c = case(Format::Junit, "C", "p", Outcome::Passed, None);
            c.extras_mut().parameters.push(crate::model::Property {
                name: name.into(),
                value: value.into(),
                items: vec![],
            });
            c
        };
        let merged = merge(vec![
            case(Format::Junit, "C", "a", fail(), None),
            case(Format::Junit, "C", "b", Outcome::Passed, None),
            case(Format::Junit, "C", "a", Outcome::Passed, None),
            with_param("x", "1"),
            case(Format::Junit, "C", "b", fail(), None),
            with_param("x", "2"),
            with_param("x", "1"),
            case(Format::Junit, "", "c", Outcome::Passed, None),
            case(Format::Junit, "C", "a", fail(), None),
        ]);
        let names: Vec<_> = merged.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "p", "p", "c"]);
        let tries: Vec<_> = merged.iter().map(|c| c.attempts.len()).collect();
        assert_eq!(tries, [3, 2, 2, 1, 1]);
        assert_eq!(merged[2].parameters()[0].value, "1");
        assert_eq!(merged[3].parameters()[0].value, "2");
        // One file, document order: a failed, passed, failed (the last try decides); b passed
        // then failed.
        assert!(merged[0].outcome().is_failure() && !merged[0].flaky);
        assert!(merged[1].outcome().is_failure() && !merged[1].flaky);
    }

    #[test]
    fn allure_groups_by_history_id_and_keeps_formats_apart() {
        let fail = Outcome::Failed(Failure::default().into());
        let merged = merge(vec![
            case(Format::Allure2, "C", "a", fail.clone(), Some("h1")),
            case(Format::Allure2, "C", "renamed", Outcome::Passed, Some("h1")),
            case(Format::Junit, "C", "a", Outcome::Passed, None),
        ]);
        assert_eq!(merged.len(), 2);
        assert!(merged[0].flaky && *merged[0].outcome() == Outcome::Passed);
    }

    #[test]
    fn reported_flaky_survives_merge_only_when_passed() {
        let mut first = case(Format::Allure2, "C", "a", Outcome::Passed, Some("h"));
        first.flaky = true;
        let merged = merge(vec![
            first.clone(),
            case(Format::Allure2, "C", "a", Outcome::Passed, Some("h")),
        ]);
        assert!(merged[0].flaky);
        let merged = merge(vec![
            first,
            case(
                Format::Allure2,
                "C",
                "a",
                Outcome::Error(Failure::default().into()),
                Some("h"),
            ),
        ]);
        // The error came last: it decides, and a failed test is never flaky.
        assert!(!merged[0].flaky);
        assert_eq!(merged[0].outcome().kind(), crate::model::OutcomeKind::Error);
    }

    fn at(case: TestCase, path: &str, start: Option<time::OffsetDateTime>) -> TestCase {
        let mut case = case;
        for a in &mut case.attempts {
            a.source = SourceRef::new(std::path::Path::new(path), a.source.format, None);
            a.started_at = start;
        }
        case
    }

    fn kinds(case: &TestCase) -> Vec<&'static str> {
        case.attempts
            .iter()
            .map(|a| a.outcome.kind().as_str())
            .collect()
    }

    /// Two files named by one pattern (shards, or a directory): no order is known, so the
    /// failure goes last and decides, whichever file sorts first.
    #[test]
    fn unknown_order_between_files_puts_the_failure_last() {
        let fail = || Outcome::Failed(Failure::default().into());
        for (first, second) in [(fail(), Outcome::Passed), (Outcome::Passed, fail())] {
            let merged = merge_files(
                vec![
                    at(case(Format::Junit, "C", "t", first, None), "a.xml", None),
                    at(case(Format::Junit, "C", "t", second, None), "b.xml", None),
                ],
                &[span(1, 0), span(2, 0)],
            );
            assert_eq!(kinds(&merged[0]), ["passed", "failed"]);
            assert!(!merged[0].flaky);
        }
    }

    /// A file whose reader folded its own repeats (JUnit) keeps two tests of one identity
    /// apart (Node's `classname="test"` in two describe blocks); a sighting from another file
    /// still merges, into the latest of them.
    #[test]
    fn a_folded_files_sightings_are_never_folded_together() {
        let fail = || Outcome::Failed(Failure::default().into());
        let folded = |end| FileSpan {
            end,
            given: 0,
            folded: true,
        };
        let merged = merge_files(
            vec![
                at(
                    case(Format::Junit, "test", "t", fail(), None),
                    "a.xml",
                    None,
                ),
                at(
                    case(Format::Junit, "test", "t", Outcome::Passed, None),
                    "a.xml",
                    None,
                ),
                at(
                    case(Format::Junit, "test", "t", Outcome::Passed, None),
                    "b.xml",
                    None,
                ),
            ],
            &[folded(2), folded(3)],
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(kinds(&merged[0]), ["failed"]);
        assert_eq!(kinds(&merged[1]), ["passed", "passed"]);
        // Without the mark (a reader that leaves its repeats to this merge) they are tries.
        let merged = merge_files(
            vec![
                at(
                    case(Format::Junit, "test", "t", fail(), None),
                    "a.xml",
                    None,
                ),
                at(
                    case(Format::Junit, "test", "t", Outcome::Passed, None),
                    "a.xml",
                    None,
                ),
            ],
            &[span(2, 0)],
        );
        assert_eq!(merged.len(), 1);
    }

    /// Files given in order (`run first.xml rerun.xml`): the later pattern's try is the last.
    #[test]
    fn pattern_order_orders_files_without_start_times() {
        let fail = || Outcome::Failed(Failure::default().into());
        let merged = merge_files(
            vec![
                at(
                    case(Format::Junit, "C", "t", Outcome::Passed, None),
                    "a-rerun.xml",
                    None,
                ),
                at(
                    case(Format::Junit, "C", "t", fail(), None),
                    "b-first.xml",
                    None,
                ),
            ],
            &[span(1, 1), span(2, 0)],
        );
        assert_eq!(kinds(&merged[0]), ["failed", "passed"]);
        assert!(merged[0].flaky && *merged[0].outcome() == Outcome::Passed);
    }

    /// Start times order files when every try has one, whatever the pattern order; equal times
    /// are no order, so the failure wins.
    #[test]
    fn start_times_order_files_and_equal_times_let_the_failure_win() {
        use time::macros::datetime;
        let fail = || Outcome::Failed(Failure::default().into());
        let early = Some(datetime!(2026-01-01 10:00 UTC));
        let late = Some(datetime!(2026-01-01 11:00 UTC));
        let spans = [span(1, 0), span(2, 1)];
        let merged = merge_files(
            vec![
                at(
                    case(Format::Junit, "C", "t", Outcome::Passed, None),
                    "a.xml",
                    late,
                ),
                at(case(Format::Junit, "C", "t", fail(), None), "b.xml", early),
            ],
            &spans,
        );
        assert_eq!(kinds(&merged[0]), ["failed", "passed"]);
        assert!(merged[0].flaky);
        let merged = merge_files(
            vec![
                at(case(Format::Junit, "C", "t", fail(), None), "a.xml", early),
                at(
                    case(Format::Junit, "C", "t", Outcome::Passed, None),
                    "b.xml",
                    early,
                ),
            ],
            &spans,
        );
        assert_eq!(kinds(&merged[0]), ["passed", "failed"]);
    }

    /// 100k sightings of one test merge into one test with every try (`benches/ingest.rs`
    /// times 300k; a quadratic merge would take minutes here).
    #[test]
    fn many_sightings_of_one_test_merge_into_one() {
        let n = 100_000;
        let cases: Vec<TestCase> = (0..n)
            .map(|_| case(Format::Junit, "C", "t", Outcome::Passed, None))
            .collect();
        let merged = merge(cases);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].attempts.len(), n);
    }
}
