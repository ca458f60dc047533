//! Splitting a run into import requests by test count and by serialized bytes.
//!
//! Owns the chunk boundary rule only: greedy, in order, a new chunk starts when adding the next
//! test would pass either limit. A single test bigger than the byte limit still goes out, alone
//! in its own chunk: dropping it would lose a result, and Xray has no documented size limit.

use std::io;

use crate::settings::ChunkLimits;

/// The boundary rule, one test at a time, so a planner can fill chunks as it builds their
/// tests instead of holding a flat list and copying it into chunks.
#[derive(Debug, Clone)]
pub struct Chunker {
    max_tests: usize,
    max_bytes: usize,
    tests: usize,
    bytes: usize,
}

impl Chunker {
    /// Limits of 0 are treated as 1.
    pub fn new(limits: ChunkLimits) -> Self {
        Chunker {
            max_tests: limits.max_tests.max(1),
            max_bytes: limits.max_bytes.max(1),
            tests: 0,
            bytes: 0,
        }
    }

    /// Whether the next test, `size` bytes of JSON, starts a new chunk (never the first test);
    /// then counts it in the current chunk.
    pub fn starts_new(&mut self, size: usize) -> bool {
        let new = self.tests > 0
            && (self.tests + 1 > self.max_tests
                || self.bytes.saturating_add(size) > self.max_bytes);
        if new {
            self.tests = 0;
            self.bytes = 0;
        }
        self.tests += 1;
        self.bytes = self.bytes.saturating_add(size);
        new
    }
}

/// Ranges of indexes into `sizes`, one per chunk, covering all of them in order: the
/// [`Chunker`] rule over a whole list. Empty input gives no chunks.
pub fn split(sizes: &[usize], limits: ChunkLimits) -> Vec<std::ops::Range<usize>> {
    let mut chunker = Chunker::new(limits);
    let mut chunks = Vec::new();
    let mut start = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if chunker.starts_new(size) {
            chunks.push(start..i);
            start = i;
        }
    }
    if start < sizes.len() {
        chunks.push(start..sizes.len());
    }
    chunks
}

/// The size of `value` as compact JSON, without allocating the text.
pub fn json_size<T: serde::Serialize>(value: &T) -> usize {
    let mut counter = Counter(0);
    // Serializing our own payload types into a counter cannot fail; if it ever did, count it as
    // huge so it travels alone rather than silently under-counting.
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX / 4,
    }
}

struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_tests: usize, max_bytes: usize) -> ChunkLimits {
        ChunkLimits {
            max_tests,
            max_bytes,
        }
    }

    #[test]
    fn zero_tests_no_chunks() {
        assert!(split(&[], limits(3, 100)).is_empty());
    }

    #[test]
    fn one_test_one_chunk() {
        assert_eq!(split(&[10], limits(3, 100)), vec![0..1]);
    }

    #[test]
    fn exactly_n_tests_is_one_chunk() {
        assert_eq!(split(&[10, 10, 10], limits(3, 100)), vec![0..3]);
    }

    #[test]
    fn n_plus_one_tests_is_two_chunks() {
        assert_eq!(split(&[10, 10, 10, 10], limits(3, 100)), vec![0..3, 3..4]);
    }

    #[test]
    fn bytes_limit_splits_at_exact_boundary() {
        // 40 + 60 = 100 fits exactly; the next byte does not.
        assert_eq!(split(&[40, 60, 1], limits(10, 100)), vec![0..2, 2..3]);
    }

    #[test]
    fn one_huge_test_gets_its_own_chunk() {
        assert_eq!(
            split(&[10, 500, 10], limits(10, 100)),
            vec![0..1, 1..2, 2..3]
        );
        assert_eq!(split(&[500], limits(10, 100)), vec![0..1]);
    }

    #[test]
    fn zero_limits_do_not_loop() {
        assert_eq!(split(&[1, 1], limits(0, 0)), vec![0..1, 1..2]);
    }

    #[test]
    fn json_size_matches_serialized_length() {
        let v = serde_json::json!({"a": "é", "b": [1, 2]});
        assert_eq!(json_size(&v), serde_json::to_vec(&v).unwrap().len());
    }
}
