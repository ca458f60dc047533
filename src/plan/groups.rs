//! Planned tests grouped by test id: results sharing one become one Xray result (iterations)
//! and one bug. Flat, and keyed by hashes only, so grouping a large run copies no id.

use std::hash::Hasher;

use super::Tests;
use crate::ingest::hash_index::HashIndex;

/// Planned tests grouped by test id, groups and their members in first-seen order.
pub(super) fn by_test_id(tests: Tests<'_>) -> Groups {
    // Only hashes of the ids are kept, with each group's first member to compare against.
    let mut index = HashIndex::with_capacity(tests.len());
    let mut group_of = Vec::with_capacity(tests.len());
    let mut firsts: Vec<usize> = Vec::new();
    for (i, t) in tests.iter().enumerate() {
        let id = t.test_id();
        let hash = {
            let mut h = std::hash::DefaultHasher::new();
            h.write(id.as_bytes());
            h.finish()
        };
        let found = index
            .candidates(hash)
            .find(|&g| tests.get(firsts[g]).test_id() == id);
        group_of.push(match found {
            Some(g) => g,
            None => {
                index.push(hash);
                firsts.push(i);
                firsts.len() - 1
            }
        });
    }
    Groups::new(&group_of, firsts.len())
}

/// Groups of `Plan::tests` indexes, flat: one allocation for all members instead of one per
/// group (a run of 200,000 distinct tests has 200,000 groups).
pub(super) struct Groups {
    /// Where each group's members start in `members`, plus the end.
    starts: Vec<usize>,
    members: Vec<usize>,
}

impl Groups {
    /// From each test's group number (`0..count`, first-seen order).
    fn new(group_of: &[usize], count: usize) -> Groups {
        let mut starts = vec![0usize; count + 1];
        for &g in group_of {
            starts[g + 1] += 1;
        }
        for g in 0..count {
            starts[g + 1] += starts[g];
        }
        let mut next = starts.clone();
        let mut members = vec![0usize; group_of.len()];
        for (i, &g) in group_of.iter().enumerate() {
            members[next[g]] = i;
            next[g] += 1;
        }
        Groups { starts, members }
    }

    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each group's members, the first-seen first.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[usize]> + '_ {
        self.starts.windows(2).map(|w| &self.members[w[0]..w[1]])
    }
}
