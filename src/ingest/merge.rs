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

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Format, Outcome, TestCase};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    AllureHistory(String),
    Allure {
        definition: String,
        parameters: Vec<(String, String)>,
    },
    Junit {
        classname: Option<Arc<str>>,
        name: String,
        parameters: Vec<(String, String)>,
    },
}

fn identity(case: &TestCase) -> Identity {
    let parameters = case
        .parameters()
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect();
    let format = case.attempts.first().map(|a| a.source.format);
    match format {
        Some(Format::Allure1) | Some(Format::Allure2) => match case.history_id() {
            Some(h) if !h.is_empty() => Identity::AllureHistory(h.to_owned()),
            _ => Identity::Allure {
                definition: case.definition(),
                parameters,
            },
        },
        Some(Format::Junit | Format::Nunit | Format::Xunit | Format::Trx) | None => {
            Identity::Junit {
                classname: case.classname.clone().filter(|c| !c.is_empty()),
                name: case.name.clone(),
                parameters,
            }
        }
    }
}

/// Merges sightings (in input order) into one case per identity.
pub fn merge(sightings: impl IntoIterator<Item = TestCase>) -> Vec<TestCase> {
    let mut index: HashMap<Identity, usize> = HashMap::new();
    let mut out: Vec<TestCase> = Vec::new();
    for case in sightings {
        let id = identity(&case);
        match index.get(&id) {
            Some(&i) => {
                let target = &mut out[i];
                // A runner-reported flaky mark (Allure `statusDetails.flaky`) survives the
                // re-derivation in `absorb`, as long as the merged test passed.
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
            None => {
                index.insert(id, out.len());
                out.push(case);
            }
        }
    }
    out
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
        let merged = merge([
            case(Format::Junit, "C", "t", fail.clone(), None),
            case(Format::Junit, "D", "t", fail.clone(), None),
            case(Format::Junit, "C", "t", Outcome::Passed, None),
        ]);
        assert_eq!(merged.len(), 2);
        assert!(merged[0].flaky);
        assert_eq!(merged[0].attempts.len(), 2);
        assert_eq!(merged[1].classname.as_deref(), Some("D"));
    }

    #[test]
    fn allure_groups_by_history_id_and_keeps_formats_apart() {
        let fail = Outcome::Failed(Failure::default().into());
        let merged = merge([
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
        let merged = merge([
            first.clone(),
            case(Format::Allure2, "C", "a", Outcome::Passed, Some("h")),
        ]);
        assert!(merged[0].flaky);
        let merged = merge([
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
