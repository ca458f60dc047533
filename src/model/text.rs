//! Free text kept per test (failure message, type and details, skip reason, output), stored
//! outside the heap.
//!
//! A large run holds hundreds of thousands of tests, and their stack traces and output are most
//! of its size (benches/README.md). Only a few of those texts are ever read again (when a bug,
//! comment or report is written), so each one is appended once to a process-wide store, and a
//! [`Text`] is an 8-byte handle (offset and length) into it. The store is an anonymous temporary
//! file (`tempfile::tempfile`: unlinked at creation, owner-only, gone when the process exits)
//! behind a small write buffer, so the kernel's page cache holds the bytes, not this process.
//!
//! If no temporary file can be created or written (read-only or full temp dir), the store warns
//! once on stderr and keeps the rest of the text in memory: the run goes on, only its memory
//! bound is lost. Reading a text back cannot fail on input; a failed read of our own temporary
//! file (a disk error) gives a marked placeholder instead of the text.
//!
//! The store only grows: a text is never freed, which is what a run needs (every text lives
//! until the process ends) and what makes a `Text` a plain `Copy` handle.
//!
//! The store is split into [`SHARDS`] shards, each with its own lock, buffer and file, and each
//! thread appends to its own shard: the two halves of a split parse (`ingest/junit/split.rs`)
//! store text at the same time, and with one lock each waited on the other's flushes (a write
//! of [`FLUSH_AT`] bytes under the lock), a sleep and a wake-up each time. A handle's offset
//! names its shard, so any thread reads any text.

use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use super::{MAX_TEXT_BYTES, TRUNCATION_MARKER};

/// Bits of a handle that hold the length; the rest hold the offset (+1, so no handle is 0).
const LEN_BITS: u32 = 16;
const _: () = assert!(MAX_TEXT_BYTES + TRUNCATION_MARKER.len() < 1 << LEN_BITS);

/// Buffered bytes written to the temporary file at once.
const FLUSH_AT: usize = 256 * 1024;

/// Shards of the store; threads beyond this many share them (correct, only slower).
const SHARDS: usize = 8;

/// Where a handle's offset puts its shard number: each shard addresses 16 TiB, and the largest
/// offset (`SHARDS << SHARD_SHIFT`) + 1 still leaves the length its [`LEN_BITS`].
const SHARD_SHIFT: u32 = 44;
const _: () = assert!(((SHARDS as u64) << SHARD_SHIFT) < 1 << (64 - LEN_BITS));

/// A bounded piece of text (at most [`MAX_TEXT_BYTES`] plus the truncation marker), held in the
/// process-wide text store. `Option<Text>` is 8 bytes.
///
/// Equality, `Debug`, `Display` and JSON all use the text itself, read back from the store.
#[derive(Clone, Copy)]
pub struct Text(NonZeroU64);

impl Text {
    /// Stores `text`, cut to [`MAX_TEXT_BYTES`] on a char boundary with the truncation marker
    /// appended when it is longer.
    pub fn new(text: &str) -> Text {
        Text::store(text, false)
    }

    /// Stores `text` (cut like [`Text::new`]) followed by the truncation marker: for a reader
    /// that already stopped collecting at the bound.
    pub(crate) fn truncated(text: &str) -> Text {
        Text::store(text, true)
    }

    fn store(text: &str, mut cut: bool) -> Text {
        let mut kept = text;
        if text.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            kept = &text[..end];
            cut = true;
        }
        let marker = if cut { TRUNCATION_MARKER } else { "" };
        let len = kept.len() + marker.len();
        let shard = own_shard();
        let local = store()[shard].append(&[kept.as_bytes(), marker.as_bytes()]);
        assert!(local < 1 << SHARD_SHIFT, "text store shard full (16 TiB)");
        let offset = ((shard as u64) << SHARD_SHIFT) | local;
        let packed = ((offset + 1) << LEN_BITS) | len as u64;
        Text(NonZeroU64::new(packed).expect("offset + 1 is never 0"))
    }

    /// The text, read back from the store.
    pub fn read(&self) -> String {
        let offset = self.offset();
        let shard = (offset >> SHARD_SHIFT) as usize;
        store()[shard].read(offset & ((1 << SHARD_SHIFT) - 1), self.len())
    }

    /// Length in bytes (no read).
    pub fn len(&self) -> usize {
        (self.0.get() & ((1 << LEN_BITS) - 1)) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn offset(&self) -> u64 {
        (self.0.get() >> LEN_BITS) - 1
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::new(&text)
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Text {
        Text::new(text)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.0 == other.0 || (self.len() == other.len() && self.read() == other.read())
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.len() == other.len() && self.read() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.read(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.read())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.read())
    }
}

/// `read()` for an optional text: `failure.message.read()` is the message, if any.
pub trait ReadText {
    fn read(&self) -> Option<String>;
}

impl ReadText for Option<Text> {
    fn read(&self) -> Option<String> {
        self.as_ref().map(Text::read)
    }
}

/// Bytes the store holds on disk and in memory, for the benchmark and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreUsage {
    /// Written to the temporary file (page cache, not this process's memory).
    pub on_disk: u64,
    /// Still in this process's memory: the write buffer, or everything after a fallback.
    pub in_memory: u64,
}

/// How much text the store holds.
pub fn store_usage() -> StoreUsage {
    let mut usage = StoreUsage {
        on_disk: 0,
        in_memory: 0,
    };
    for shard in store() {
        let inner = shard.lock();
        usage.on_disk += inner.flushed;
        usage.in_memory += inner.pending.len() as u64;
    }
    usage
}

fn store() -> &'static [Store; SHARDS] {
    static STORE: OnceLock<[Store; SHARDS]> = OnceLock::new();
    STORE.get_or_init(Default::default)
}

/// This thread's shard: threads take the shards in turn, the first time they store a text.
fn own_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.with(|shard| *shard)
}

#[derive(Default)]
struct Store {
    inner: Mutex<Inner>,
}

/// Bytes `[0, flushed)` are in `file`; bytes `[flushed, flushed + pending.len())` are in
/// `pending`. A text is appended to `pending` whole and `pending` is flushed whole, so no text
/// straddles the two.
#[derive(Default)]
struct Inner {
    file: Option<File>,
    /// No temporary file could be created or written: keep everything in `pending` from now on.
    memory_only: bool,
    flushed: u64,
    pending: Vec<u8>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` inconsistent: every field update
        // happens after the fallible I/O.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn append(&self, parts: &[&[u8]]) -> u64 {
        let mut inner = self.lock();
        let offset = inner.flushed + inner.pending.len() as u64;
        for part in parts {
            inner.pending.extend_from_slice(part);
        }
        if inner.pending.len() >= FLUSH_AT && !inner.memory_only {
            inner.flush();
        }
        offset
    }

    fn read(&self, offset: u64, len: usize) -> String {
        let mut inner = self.lock();
        let bytes = if offset >= inner.flushed {
            let start = (offset - inner.flushed) as usize;
            inner.pending.get(start..start + len).map(<[u8]>::to_vec)
        } else {
            let mut buf = vec![0; len];
            let file = inner.file.as_mut().expect("flushed bytes live in the file");
            match file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_exact(&mut buf))
            {
                Ok(()) => Some(buf),
                Err(e) => {
                    return format!("[xray-sync: this text could not be read back: {e}]");
                }
            }
        };
        match bytes {
            Some(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            None => "[xray-sync: this text is not in the store]".to_string(),
        }
    }
}

impl Inner {
    fn flush(&mut self) {
        let result = match &mut self.file {
            Some(file) => write_at_end(file, self.flushed, &self.pending),
            None => tempfile::tempfile().and_then(|mut file| {
                write_at_end(&mut file, 0, &self.pending)?;
                self.file = Some(file);
                Ok(())
            }),
        };
        match result {
            Ok(()) => {
                self.flushed += self.pending.len() as u64;
                self.pending.clear();
            }
            Err(e) => {
                self.memory_only = true;
                // Once for the process, not once per shard.
                static WARNED: AtomicBool = AtomicBool::new(false);
                if WARNED.swap(true, Ordering::Relaxed) {
                    return;
                }
                eprintln!(
                    "xray-sync: warning: cannot keep test output in a temporary file ({e}); \
                     keeping it in memory instead (set TMPDIR to a writable directory)"
                );
            }
        }
    }
}

/// Writes `bytes` at `at`; on error the bytes past `at` are garbage that later flushes overwrite
/// or never reference.
fn write_at_end(file: &mut File, at: u64, bytes: &[u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_compares_by_content() {
        let a = Text::new("expected 1 but was 2");
        let b = Text::from("expected 1 but was 2".to_string());
        assert_eq!(a.read(), "expected 1 but was 2");
        assert_eq!(a, b);
        assert_eq!(a, "expected 1 but was 2");
        assert_ne!(a, Text::new("other"));
        assert_eq!(
            format!("{a}|{a:?}"),
            "expected 1 but was 2|\"expected 1 but was 2\""
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            "\"expected 1 but was 2\""
        );
        assert!(Text::new("").is_empty());
        assert_eq!(Text::new("").read(), "");
    }

    #[test]
    fn a_handle_is_eight_bytes() {
        assert_eq!(size_of::<Option<Text>>(), 8);
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_TEXT_BYTES);
        let text = Text::new(&long);
        let back = text.read();
        assert!(back.ends_with(TRUNCATION_MARKER));
        assert!(back.len() <= MAX_TEXT_BYTES + TRUNCATION_MARKER.len());
        assert!(long.starts_with(back.trim_end_matches(TRUNCATION_MARKER)));
    }

    /// Enough text to flush the buffer to the file several times, written from more threads
    /// than there are shards (so some share one): every handle still reads back its own text,
    /// on another thread, from the file or from the buffer.
    #[test]
    fn texts_survive_flushes_from_many_threads() {
        let handles: Vec<_> = (0..SHARDS + 3)
            .map(|t| {
                std::thread::spawn(move || {
                    (0..400)
                        .map(|i| {
                            let s = format!("thread {t} text {i} ").repeat(50 + i % 7);
                            (Text::new(&s), s)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        assert!(store_usage().on_disk > 0, "the buffer was flushed");
        let shards: std::collections::BTreeSet<u64> =
            all.iter().map(|(t, _)| t.offset() >> SHARD_SHIFT).collect();
        assert!(shards.len() > 1, "threads append to their own shards");
        for (text, s) in &all {
            assert_eq!(text.read(), *s);
        }
    }

    #[test]
    fn a_store_without_a_file_keeps_text_in_memory() {
        let store = Store::default();
        store.lock().memory_only = true;
        let big = vec![b'x'; FLUSH_AT + 10];
        let first = store.append(&[b"head"]);
        let second = store.append(&[&big]);
        assert_eq!(store.read(first, 4), "head");
        assert_eq!(store.read(second, big.len()).len(), big.len());
        assert_eq!(store.lock().flushed, 0);
    }
}
