//! Folds every sighting of the same test into one `TestCase` (via `TestCase::absorb`).
//!
//! Identity, checked in this order:
//! - Allure (1 or 2) with a `historyId`: the history id. Allure derives it from the full name and
//!   the parameters, and keeps it across retries, so it is exactly "the same test".
//! - Allure without a history id: its definition (`fullName`, else `classname.name`) plus its
//!   parameters.
//! - JUnit (and NUnit, xUnit.net, TRX): `(classname, name, parameters)`. The suite is not part of it, so the same test
//!   reported by two shards or a rerun job in another suite file still merges.
//!
//! Allure and JUnit identities never meet: the same run exported twice in both formats would
//! otherwise count every test twice over as retries.
//!
//! Order: a merged test sits where it was first seen; inputs arrive in sorted path order and in
//! document order within a file, so the result is deterministic.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::hash_index::HashIndex;
use crate::model::{Format, Outcome, Property, TestCase};

/// Who a sighting is, borrowed from it: nothing is copied to build or compare one.
#[derive(PartialEq, Eq, Hash)]
enum Identity<'a> {
    AllureHistory(&'a str),
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
                Some(h) if !h.is_empty() => Identity::AllureHistory(h),
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
                | Format::Behave,
            )
            | None => Identity::Junit {
                classname: case.classname.as_deref().filter(|c| !c.is_empty()),
                name: &case.name,
                parameters,
            },
        }
    }

    fn hash64(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

/// Merges sightings (in input order) into one case per identity, in place: a large run is
/// never held twice, and the index holds hashes, not names.
pub fn merge(mut cases: Vec<TestCase>) -> Vec<TestCase> {
    let mut index = HashIndex::with_capacity(cases.len());
    // `cases[..kept]` are the merged tests so far (index positions); `cases[kept..seen]` are
    // leftovers.
    let mut kept = 0;
    for seen in 0..cases.len() {
        let (hash, earlier) = {
            let id = Identity::of(&cases[seen]);
            let hash = id.hash64();
            let earlier = index
                .candidates(hash)
                .find(|&at| Identity::of(&cases[at]) == id);
            (hash, earlier)
        };
        match earlier {
            Some(target) => {
                // The leftover is a case with no attempts; `truncate` below drops it.
                let leftover =
                    TestCase::from_attempts(Vec::new().into(), None, String::new(), Vec::new());
                let case = std::mem::replace(&mut cases[seen], leftover);
                fold(&mut cases[target], case);
            }
            None => {
                cases.swap(kept, seen);
                index.push(hash);
                kept += 1;
            }
        }
    }
    cases.truncate(kept);
    cases
}

/// Folds a later sighting into the first one.
fn fold(target: &mut TestCase, case: TestCase) {
    // A runner-reported flaky mark (Allure `statusDetails.flaky`) survives the re-derivation
    // in `absorb`, as long as the merged test passed.
    let reported = target.flaky || case.flaky;
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
    target.absorb(case);
    target.flaky |= reported && *target.outcome() == Outcome::Passed;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attempt, Failure, SourceRef};

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
            Attempt {
                outcome,
                duration_secs: None,
                started_at: None,
                system_out: None,
                system_err: None,
                source: SourceRef::new(std::path::Path::new("x"), format, None),
            },
        );
        c.extras_mut().history_id = history.map(String::from);
        c
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
        assert!(merged[0].flaky && merged[1].flaky);
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
        // passed + error is flaky by the model's own rule too
        assert!(merged[0].flaky);
    }
}
