//! The index both merges use (same-file reruns in the JUnit parser, sightings across files in
//! `merge`): from a test identity's hash to the positions of the tests with that hash.
//!
//! Only hashes are stored, never names, so the index costs about 24 bytes per test whatever the
//! names are; callers compare the candidates exactly, which handles collisions. Positions are
//! numbered in the order they are pushed.
//!
//! The index owns the hash function its callers hash identities with ([`HashIndex::hash`]):
//! foldhash, keyed with a random seed per index. It is several times faster than the standard
//! library's SipHash on short names (SipHash was ~8 % of `xray-sync parse` on a 200,000-test
//! file), and the per-index seed keeps a hostile result file from choosing names that collide:
//! collisions only lengthen a chain of exact comparisons, and they cannot be planned.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

const NONE: u32 = u32::MAX;

#[derive(Default)]
pub(crate) struct HashIndex {
    /// Upper half of the hash -> the latest position with it. 32 bits are enough to find
    /// candidates (a rare equal half only adds one exact comparison) and take half the memory
    /// of a `u64` key with a `usize` position: 8 bytes an entry, ~2.4 MB for 200,000 tests.
    latest: HashMap<u32, u32, BuildHasherDefault<KeyIsHash>>,
    /// Per position, the previous position with the same key (`NONE` ends the chain).
    previous: Vec<u32>,
    /// The keyed hash of identities pushed here.
    key: foldhash::fast::RandomState,
}

impl HashIndex {
    pub(crate) fn with_capacity(positions: usize) -> Self {
        HashIndex {
            latest: HashMap::with_capacity_and_hasher(positions, BuildHasherDefault::default()),
            previous: Vec::with_capacity(positions),
            key: foldhash::fast::RandomState::default(),
        }
    }

    /// The hash of an identity, under this index's key: push and look up with it.
    pub(crate) fn hash<T: Hash + ?Sized>(&self, identity: &T) -> u64 {
        self.key.hash_one(identity)
    }

    /// Positions pushed with `hash`, latest first (and, rarely, others that share its key).
    #[cfg(test)]
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let found = |at: u32| (at != NONE).then_some(at);
        let head = self.latest.get(&key_of(hash)).copied();
        std::iter::successors(head, move |&at| found(self.previous[at as usize]))
            .map(|at| at as usize)
    }

    /// The first candidate for `hash` (latest first) that `is_same` accepts; when none does,
    /// pushes the next position with `hash`, as [`HashIndex::push`]. One table probe for both,
    /// where `candidates` then `push` made two (each a likely cache miss on a large run).
    pub(crate) fn find_or_push(
        &mut self,
        hash: u64,
        mut is_same: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        let at = self.next_position();
        let previous = &mut self.previous;
        match self.latest.entry(key_of(hash)) {
            Entry::Occupied(mut head) => {
                let mut candidate = *head.get();
                while candidate != NONE {
                    if is_same(candidate as usize) {
                        return Some(candidate as usize);
                    }
                    candidate = previous[candidate as usize];
                }
                previous.push(head.insert(at));
            }
            Entry::Vacant(slot) => {
                slot.insert(at);
                previous.push(NONE);
            }
        }
        None
    }

    /// The next position, found by `hash` from now on.
    pub(crate) fn push(&mut self, hash: u64) {
        let at = self.next_position();
        let previous = self.latest.insert(key_of(hash), at).unwrap_or(NONE);
        self.previous.push(previous);
    }

    /// The next position, never found (a test that cannot be told apart from others).
    pub(crate) fn push_unfindable(&mut self) {
        self.next_position();
        self.previous.push(NONE);
    }

    fn next_position(&self) -> u32 {
        // Four billion tests would need terabytes of memory before reaching this.
        u32::try_from(self.previous.len())
            .ok()
            .filter(|&at| at != NONE)
            .expect("fewer than 2^32 - 1 tests in one index")
    }
}

fn key_of(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// `HashMap` hasher for keys that already are (halves of) hashes: spreads the 32 bits over
/// the 64 the table reads (its control bytes use the top bits).
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) << 32) | u64::from(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_position_of_a_hash_latest_first() {
        let (seven, nine) = (7 << 32, 9 << 32);
        let mut index = HashIndex::with_capacity(4);
        index.push(seven);
        index.push(nine);
        index.push_unfindable();
        index.push(seven);
        assert_eq!(index.candidates(seven).collect::<Vec<_>>(), [3, 0]);
        assert_eq!(index.candidates(nine).collect::<Vec<_>>(), [1]);
        assert_eq!(index.candidates(1 << 32).count(), 0);
        // Hashes that differ only in their lower half share a chain: callers compare exactly.
        assert_eq!(index.candidates(seven | 5).collect::<Vec<_>>(), [3, 0]);
    }

    #[test]
    fn find_or_push_finds_an_accepted_candidate_or_pushes() {
        let (seven, nine) = (7 << 32, 9 << 32);
        let mut index = HashIndex::default();
        assert_eq!(index.find_or_push(seven, |_| true), None);
        assert_eq!(index.find_or_push(nine, |_| true), None);
        assert_eq!(index.find_or_push(seven, |at| at == 0), Some(0));
        // Refused by the caller's comparison: pushed as position 2, chained before 0.
        assert_eq!(index.find_or_push(seven, |_| false), None);
        assert_eq!(index.candidates(seven).collect::<Vec<_>>(), [2, 0]);
        assert_eq!(index.candidates(nine).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn distinct_identities_hash_apart_under_one_key() {
        let index = HashIndex::default();
        assert_eq!(index.hash("a"), index.hash("a"));
        assert_ne!(index.hash("a"), index.hash("b"));
    }
}
