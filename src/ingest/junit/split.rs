//! One large JUnit file parsed on two threads: the file is cut between two top-level
//! `<testsuite>` elements of a `<testsuites>` root, each half goes through the unchanged
//! streaming parser on its own thread, and the two lists of tests are joined.
//!
//! Owns: finding the cut, building the two half-documents, and deciding whether the joined
//! result is exactly what the sequential parse would give. Whenever that is in any doubt the
//! answer is `None` and the caller parses the file the ordinary way (the halves' tests are
//! dropped; only text they stored stays in the text store, unreferenced).
//!
//! The halves: bytes `[0, cut)` followed by a synthetic end tag of the root, and the file's
//! prologue up to and including the root's start tag (copied byte for byte) followed by bytes
//! `[cut, end)`. The joined result is the sequential one when all of these hold (else `None`):
//! - the root is a `<testsuites>` start tag found in the first [`HEAD_BYTES`];
//! - each half parses without any error;
//! - the first half's root closes exactly at the end of its input, with the synthetic end tag:
//!   so at the cut the sequential parser is inside the root and between two of its children,
//!   in the state a fresh parser is in right after the root's start tag (a cut inside a
//!   comment, CDATA section, attribute or nested element leaves the synthetic tag unread or
//!   mismatched, an error);
//! - neither half had two tests sharing a cross-file identity (both are `Parsed::distinct`),
//!   and no identity appears in both halves: then the sequential parser folds no test of the
//!   second half into one of the first, and folds within the second half exactly as the
//!   second half's own parser did.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::panic::AssertUnwindSafe;
use std::path::Path;

use quick_xml::events::Event;

use super::READ_BUFFER;
use super::parser::{Parsed, Parser};
use super::text::Input;
use crate::ingest::hash_index::HashIndex;
use crate::ingest::merge;

/// Files smaller than this are parsed on one thread: the second thread is not worth starting.
pub(crate) const MIN_SPLIT_BYTES: u64 = 16 * 1024 * 1024;

/// The root's start tag must end within this many bytes of the file's start.
const HEAD_BYTES: usize = 64 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How far past the middle the cut is looked for.
const SEARCH_BYTES: usize = 4 * 1024 * 1024;

/// Parses `path` in two halves on two threads when it is a `<testsuites>` document of at least
/// `min_bytes` bytes with a cut point past its middle, and the joined result is provably the
/// sequential parse's (see the module doc); `None` otherwise, and the caller parses it whole.
pub(crate) fn parse_in_two(path: &Path, min_bytes: u64) -> Option<Parsed> {
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size < min_bytes.max(1) {
        return None;
    }
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .ok()?;
    let (root_end, close) = root_start(&head)?;
    let prologue = &head[..root_end];
    let middle = (size / 2).max(root_end as u64);
    file.seek(SeekFrom::Start(middle)).ok()?;
    let mut window = Vec::new();
    file.take(SEARCH_BYTES as u64)
        .read_to_end(&mut window)
        .ok()?;
    let cut = middle + find_cut(&window)? as u64;
    // The first half must hold something past the root's start tag.
    if cut <= root_end as u64 {
        return None;
    }

    // Where the first half's root must close, as the parser counts (quick-xml leaves a byte
    // order mark out of its positions).
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let first_len = cut + close.len() as u64 - bom as u64;
    // One key for both halves' identity hashes, so they compare.
    let key = HashIndex::default();
    let (first, second) = std::thread::scope(|s| {
        let first = std::thread::Builder::new().spawn_scoped(s, || {
            let file = File::open(path).ok()?;
            let input = Input::new(file.take(cut).chain(close.as_slice()), READ_BUFFER);
            // Sized for the whole file: the join appends the second half's tests to these.
            let parser = Parser::expecting(path, size);
            let (parsed, closed_at) = parser.run_to_root_close(input).ok()?;
            if closed_at != first_len || !parsed.distinct {
                return None;
            }
            let hashes = identity_hashes(&key, &parsed);
            Some((parsed, hashes))
        });
        // No thread to be had (`spawn` would panic): the sequential parse.
        let Ok(first) = first else {
            return (None, None);
        };
        let second = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut file = File::open(path).ok()?;
            file.seek(SeekFrom::Start(cut)).ok()?;
            let input = Input::new(prologue.chain(file), READ_BUFFER);
            let parser = Parser::expecting(path, prologue.len() as u64 + size.saturating_sub(cut));
            let (parsed, _) = parser.run_to_root_close(input).ok()?;
            if !parsed.distinct {
                return None;
            }
            let hashes = identity_hashes(&key, &parsed);
            Some((parsed, hashes))
        }));
        // A panic in either half is a doubt like any other: the sequential parse decides.
        (first.join().ok().flatten(), second.ok().flatten())
    });
    let (mut first, first_hashes) = first?;
    let (second, second_hashes) = second?;
    // A hash seen in both halves is a doubt, whether the identities are equal or only collide.
    if share_any(&first_hashes, &second_hashes) {
        return None;
    }
    // Gone before the join, which is when the parse holds the most.
    drop((first_hashes, second_hashes));
    join(&mut first.cases, second.cases);
    Some(Parsed {
        cases: first.cases,
        distinct: true,
    })
}

/// Appends `second` to `first` without holding both copies of `second` at once (+10 MB at the
/// peak on 200,000 tests): its elements move over from its end, a slice at a time, each time
/// giving back the memory they took (`shrink_to_fit`), and land reversed, then are put back in
/// order where they are.
fn join<T>(first: &mut Vec<T>, mut second: Vec<T>) {
    const SLICE: usize = 8 * 1024;
    let start = first.len();
    first.reserve_exact(second.len());
    while !second.is_empty() {
        let from = second.len().saturating_sub(SLICE);
        first.extend(second.drain(from..).rev());
        second.shrink_to_fit();
    }
    first[start..].reverse();
}

/// The sorted hashes of the cross-file identities (`merge::identity_hash`) of one half's
/// tests: computed on the half's own thread, so the check across halves is one linear walk.
fn identity_hashes(key: &HashIndex, parsed: &Parsed) -> Vec<u64> {
    let mut hashes: Vec<u64> = parsed
        .cases
        .iter()
        .map(|case| merge::identity_hash(key, case))
        .collect();
    hashes.sort_unstable();
    hashes
}

/// Whether two sorted lists have a value in common.
fn share_any(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Where the root's start tag ends in `head` and the end tag that closes it, when the root is
/// a `<testsuites>` start tag (not empty, not a single `<testsuite>`).
fn root_start(head: &[u8]) -> Option<(usize, Vec<u8>)> {
    // quick-xml's positions leave a byte order mark out.
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let mut reader = quick_xml::Reader::from_reader(&head[bom..]);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                if e.local_name().as_ref().as_bytes() != b"testsuites" {
                    return None;
                }
                let end = bom + usize::try_from(reader.buffer_position()).ok()?;
                // The position is checked against the tag's own bytes, not trusted.
                let tag = [b"<", e.as_bytes(), b">"].concat();
                if !head.get(..end)?.ends_with(&tag) {
                    return None;
                }
                let mut close = b"</".to_vec();
                close.extend_from_slice(e.name().as_ref().as_bytes());
                close.push(b'>');
                return Some((end, close));
            }
            Event::Text(t) if t.trim().is_empty() => {}
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            _ => return None,
        }
    }
}

/// The first `<testsuite` (followed by whitespace or `>`) in `window` that follows a `>` and
/// nothing but whitespace: a likely start of a top-level suite. Only likely: the parse of the
/// first half confirms it (the module doc).
fn find_cut(window: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"<testsuite";
    let finder = memchr::memmem::Finder::new(TAG);
    finder.find_iter(window).find(|&at| {
        let after = window.get(at + TAG.len());
        let before = window[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
        matches!(after, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>')) && before == Some(&b'>')
    })
}

#[cfg(test)]
mod tests;
