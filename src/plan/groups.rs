//! Planned tests grouped by test id: results sharing one become one Xray result (iterations)
//! and one bug.
//!
//! Built for large runs (issue 18): no id is copied or kept while grouping. Each test's id is
//! hashed once; the (hash, test) pairs are sorted, and only tests whose hashes are equal have
//! their ids compared (which settles hash collisions exactly). The groups are two flat `u32`
//! arrays, about 8 bytes per test, instead of one vector per group.

use std::hash::Hasher;

use super::Tests;

/// Groups of `Plan::tests` indexes, each in first-seen order, the groups in the order of their
/// first members.
pub(super) struct Groups {
    /// Where each group's members start in `members`, plus the end.
    starts: Vec<u32>,
    members: Vec<u32>,
}

/// Groups `tests` by test id.
pub(super) fn by_test_id(tests: Tests<'_>) -> Groups {
    let n = tests.len();
    let index = |i: usize| u32::try_from(i).expect("a plan holds fewer than 2^32 tests");
    let mut hashed: Vec<(u64, u32)> = tests
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut h = std::hash::DefaultHasher::new();
            h.write(t.test_id().as_bytes());
            (h.finish(), index(i))
        })
        .collect();
    hashed.sort_unstable();

    // `first[i]`: the first test with the same id as test `i` (itself when it is the first).
    let mut first: Vec<u32> = (0..n).map(index).collect();
    for run in hashed.chunk_by(|a, b| a.0 == b.0) {
        if run.len() == 1 {
            continue;
        }
        // Usually one id; distinct ids here are hash collisions, told apart exactly.
        let mut firsts: Vec<(u32, String)> = Vec::new();
        for &(_, i) in run {
            let id = tests.get(i as usize).test_id();
            match firsts.iter().find(|(_, f)| *f == id) {
                Some(&(f, _)) => first[i as usize] = f,
                None => firsts.push((i, id.into_owned())),
            }
        }
    }
    drop(hashed);

    // Number the groups in the order of their first members; `first` becomes group numbers
    // (a test's first member comes before it, so its number is already there).
    let mut count = 0u32;
    for i in 0..n {
        let f = first[i] as usize;
        first[i] = if f == i {
            count += 1;
            count - 1
        } else {
            first[f]
        };
    }
    Groups::new(&first, count as usize)
}

impl Groups {
    /// From each test's group number (`0..count`).
    fn new(group_of: &[u32], count: usize) -> Groups {
        let mut starts = vec![0u32; count + 1];
        for &g in group_of {
            starts[g as usize + 1] += 1;
        }
        for g in 0..count {
            starts[g + 1] += starts[g];
        }
        let mut next = starts.clone();
        let mut members = vec![0u32; group_of.len()];
        for (i, &g) in group_of.iter().enumerate() {
            let at = &mut next[g as usize];
            members[*at as usize] = i as u32;
            *at += 1;
        }
        Groups { starts, members }
    }

    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each group's members (`Plan::tests` indexes), the first-seen first.
    pub(super) fn iter(&self) -> impl Iterator<Item = Group<'_>> + '_ {
        self.starts
            .windows(2)
            .map(|w| Group(&self.members[w[0] as usize..w[1] as usize]))
    }
}

/// One group's members, never empty.
#[derive(Clone, Copy)]
pub(super) struct Group<'a>(&'a [u32]);

impl Group<'_> {
    /// The first-seen member.
    pub(super) fn first(&self) -> usize {
        self.0[0] as usize
    }

    /// Every member, the first first.
    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().map(|&i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attempt, Outcome, SourceRef, TestCase, TestRun};
    use crate::plan::{IdentitySource, PlannedTest, TestIdentity};
    use crate::settings::{Product, StatusMap};

    fn run_of(names: &[&str]) -> (TestRun, Vec<PlannedTest>) {
        let mut run = TestRun {
            cases: Vec::new(),
            files: Vec::new(),
        };
        let mut planned = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let source = SourceRef::new(
                std::path::Path::new("r.xml"),
                crate::model::Format::Junit,
                None,
            );
            let attempt = Attempt::new(Outcome::Passed, source);
            let case = TestCase::new(vec![], Some("C".into()), (*name).into(), attempt);
            let definition = case.definition();
            run.cases.push(case);
            planned.push(PlannedTest::new(
                i,
                &definition,
                TestIdentity::Definition(definition.clone()),
                IdentitySource::Definition,
            ));
        }
        (run, planned)
    }

    #[test]
    fn groups_keep_first_seen_order_of_groups_and_members() {
        let (run, planned) = run_of(&["b", "a", "b", "c", "a", "b"]);
        let statuses = StatusMap::defaults(Product::Cloud);
        let groups = by_test_id(Tests::new(&planned, &run, &statuses));
        let got: Vec<Vec<usize>> = groups.iter().map(|g| g.iter().collect()).collect();
        assert_eq!(got, [vec![0, 2, 5], vec![1, 4], vec![3]]);
        assert_eq!(groups.len(), 3);
    }

    #[test]
    fn an_empty_plan_has_no_groups() {
        let (run, planned) = run_of(&[]);
        let statuses = StatusMap::defaults(Product::Cloud);
        let groups = by_test_id(Tests::new(&planned, &run, &statuses));
        assert!(groups.is_empty());
    }
}
