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
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

const NONE: usize = usize::MAX;

#[derive(Default)]
pub(crate) struct HashIndex {
    /// Hash -> the latest position with it.
    latest: HashMap<u64, usize, BuildHasherDefault<KeyIsHash>>,
    /// Per position, the previous position with the same hash (`NONE` ends the chain).
    previous: Vec<usize>,
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

    /// Positions pushed with `hash`, latest first.
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let found = |at: usize| (at != NONE).then_some(at);
        let head = self.latest.get(&hash).copied();
        std::iter::successors(head, move |&at| found(self.previous[at]))
    }

    /// The next position, found by `hash` from now on.
    pub(crate) fn push(&mut self, hash: u64) {
        let at = self.previous.len();
        let previous = self.latest.insert(hash, at).unwrap_or(NONE);
        self.previous.push(previous);
    }

    /// The next position, never found (a test that cannot be told apart from others).
    pub(crate) fn push_unfindable(&mut self) {
        self.previous.push(NONE);
    }
}

/// `HashMap` hasher for keys that already are hashes.
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

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_position_of_a_hash_latest_first() {
        let mut index = HashIndex::with_capacity(4);
        index.push(7);
        index.push(9);
        index.push_unfindable();
        index.push(7);
        assert_eq!(index.candidates(7).collect::<Vec<_>>(), [3, 0]);
        assert_eq!(index.candidates(9).collect::<Vec<_>>(), [1]);
        assert_eq!(index.candidates(1).count(), 0);
    }
}
