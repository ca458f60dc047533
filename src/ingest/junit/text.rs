//! The streaming clamp: the input buffer under quick-xml, and our own reader for text and
//! CDATA, so that no single node can make memory grow with its size.
//!
//! quick-xml buffers a whole event before returning it, so one 1 GB `<system-out>` would become
//! a 1 GB buffer before the parser could cut it to `MAX_TEXT_BYTES`. Instead, after every event
//! the parser calls [`drain_text`], which reads the text that follows straight from the input
//! buffer (through quick-xml's `Reader::stream`, which keeps its byte offsets right) in chunks
//! of at most the buffer size: it checks UTF-8, resolves references, normalises line ends and
//! hands the chunks to a [`TextSink`], which keeps a bounded prefix or nothing. CDATA sections
//! are read the same way. quick-xml then only ever sees markup (tags, comments, DOCTYPE,
//! processing instructions), and [`Input`] refuses any single piece of markup larger than
//! [`MAX_MARKUP_BYTES`], so the whole reader is bounded by buffer size + that cap.

use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::BytesRef;

use super::Failed;
use super::markup::{Resolved, resolve_ref};

/// Largest single tag (with its attributes), comment, DOCTYPE or PI accepted. Real reports stay
/// far below (a long `message=` attribute is a few KB); beyond this the file is refused as bad
/// input rather than buffered.
pub(crate) const MAX_MARKUP_BYTES: u64 = 16 * 1024 * 1024;

/// Smallest input buffer: a reference (`&name;`) must fit in one look-ahead.
const MIN_BUFFER: usize = 64;

/// Longest entity or character reference looked at, `&` and `;` included.
const MAX_REF: usize = 40;

/// A buffered reader like `BufReader` that can also look ahead a few bytes across a refill
/// (to recognise `<![CDATA[` and whole references) and that enforces a cap on the bytes
/// quick-xml reads for one event (from [`start_markup`] on), so its event buffer stays bounded.
pub(crate) struct Input<R> {
    inner: R,
    cap: u64,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    consumed: u64,
    /// Offset where the markup being read by quick-xml began; `u64::MAX` while we read text.
    markup_start: u64,
    markup_overflow: bool,
}

impl<R: Read> Input<R> {
    /// Caps markup at [`MAX_MARKUP_BYTES`] (text is streamed by [`drain_text`], never capped).
    pub(crate) fn new(inner: R, capacity: usize) -> Self {
        Self::with_cap(inner, capacity, MAX_MARKUP_BYTES)
    }

    /// Caps every event at `cap` bytes: for readers that let quick-xml read text too.
    pub(crate) fn with_cap(inner: R, capacity: usize, cap: u64) -> Self {
        Input {
            inner,
            cap,
            buf: vec![0; capacity.max(MIN_BUFFER)].into_boxed_slice(),
            pos: 0,
            end: 0,
            consumed: 0,
            markup_start: 0,
            markup_overflow: false,
        }
    }

    /// True when the last I/O error was the cap, not the file.
    pub(crate) fn markup_overflow(&self) -> bool {
        self.markup_overflow
    }

    /// At least the next `n` bytes (fewer only at end of input; often more), without
    /// consuming them.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let n = n.min(self.buf.len());
        if self.end - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            while self.end < n {
                let got = read_some(&mut self.inner, &mut self.buf[self.end..])?;
                if got == 0 {
                    break;
                }
                self.end += got;
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }
}

fn read_some<R: Read>(inner: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> Input<R> {
    /// [`BufRead::fill_buf`] when the buffer is empty or the cap is reached.
    #[inline(never)]
    fn refill(&mut self) -> io::Result<&[u8]> {
        if self.consumed.saturating_sub(self.markup_start) > self.cap {
            self.markup_overflow = true;
            return Err(io::Error::other("event larger than the cap"));
        }
        if self.pos == self.end {
            self.pos = 0;
            self.end = read_some(&mut self.inner, &mut self.buf)?;
        }
        Ok(&self.buf[self.pos..self.end])
    }
}

impl<R: Read> BufRead for Input<R> {
    /// quick-xml calls this several times per event: the common case (bytes buffered, cap not
    /// reached) is inlined, the rest is in `refill` (as a call it was ~7 % of parse).
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.end && self.consumed.saturating_sub(self.markup_start) <= self.cap {
            return Ok(&self.buf[self.pos..self.end]);
        }
        self.refill()
    }

    #[inline]
    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.end - self.pos);
        self.pos += amt;
        self.consumed += amt as u64;
    }
}

/// Marks the start of the markup quick-xml is about to read, for the cap.
pub(crate) fn start_markup<R: Read>(reader: &mut Reader<Input<R>>) {
    let input = reader.get_mut();
    input.markup_start = input.consumed;
}

/// Where text goes: the parser, which knows whether text at this point is kept.
pub(crate) trait TextSink {
    /// False: text here is only checked (UTF-8, references), never copied.
    fn wants_text(&self) -> bool;
    /// A chunk of decoded text, in document order.
    fn text(&mut self, chunk: &str);
    /// Before the root element only whitespace may appear.
    fn root_seen(&self) -> bool;
}

/// Reads the text (with references and CDATA sections) from the current position up to the
/// next markup or the end of input, in bounded chunks. Leaves the reader at `<` or at EOF.
pub(crate) fn drain_text<R: Read, S: TextSink>(
    reader: &mut Reader<Input<R>>,
    sink: &mut S,
) -> Result<(), Failed> {
    let mut stream = reader.stream();
    stream.get_mut().markup_start = u64::MAX;
    let mut after_cr = false;
    loop {
        let offset = stream.offset();
        let avail = stream.fill_buf().map_err(|e| io_failed(offset, &e))?;
        if avail.is_empty() {
            return Ok(());
        }
        let (len, stop) = match find_stop(avail) {
            Some(i) => (i, Some(avail[i])),
            None => (avail.len(), None),
        };
        if len > 0 {
            let used = emit(&avail[..len], stop.is_none(), offset, sink, &mut after_cr)?;
            if used == 0 {
                // Only the start of a multi-byte character is buffered: fetch the rest.
                let more = stream
                    .get_mut()
                    .peek(len + 4)
                    .map_err(|e| io_failed(offset, &e))?;
                if more.len() <= len {
                    return Err(Failed::at(
                        offset,
                        "malformed XML: invalid UTF-8 at end of file",
                    ));
                }
                continue;
            }
            stream.consume(used);
            continue;
        }
        after_cr = false;
        if stop == Some(b'&') {
            let look = stream
                .get_mut()
                .peek(MAX_REF)
                .map_err(|e| io_failed(offset, &e))?;
            let look = &look[..look.len().min(MAX_REF)];
            let Some(semi) = memchr::memchr(b';', look) else {
                return Err(Failed::at(
                    offset,
                    "malformed XML: unclosed or over-long reference (`&` must be written `&amp;`)",
                ));
            };
            let name = std::str::from_utf8(&look[1..semi])
                .map_err(|_| Failed::at(offset, "malformed XML: invalid UTF-8 in a reference"))?;
            let resolved = resolve_ref(&BytesRef::new(name), offset)?;
            if sink.wants_text() {
                match resolved {
                    Resolved::Char(c) => sink.text(c.encode_utf8(&mut [0u8; 4])),
                    Resolved::Str(s) => sink.text(s),
                }
            } else if !sink.root_seen() {
                return Err(Failed::at(offset, "not XML: text before the root element"));
            }
            stream.consume(semi + 1);
            continue;
        }
        // At `<`: a CDATA section is text too; anything else is markup for quick-xml.
        const CDATA: &[u8] = b"<![CDATA[";
        let head = stream
            .get_mut()
            .peek(CDATA.len())
            .map_err(|e| io_failed(offset, &e))?;
        if !head.starts_with(CDATA) {
            return Ok(());
        }
        stream.consume(CDATA.len());
        loop {
            let offset = stream.offset();
            let avail = stream.fill_buf().map_err(|e| io_failed(offset, &e))?;
            if avail.is_empty() {
                return Err(Failed::at(offset, "unexpected end of file inside CDATA"));
            }
            if let Some(i) = memchr::memmem::find(avail, b"]]>") {
                if i > 0 {
                    emit(&avail[..i], false, offset, sink, &mut after_cr)?;
                }
                stream.consume(i + 3);
                after_cr = false;
                break;
            }
            // The last two bytes may begin `]]>`: keep them for the next round.
            let n = avail.len();
            let take = n.saturating_sub(2);
            let used = if take > 0 {
                emit(&avail[..take], true, offset, sink, &mut after_cr)?
            } else {
                0
            };
            if used == 0 {
                let more = stream
                    .get_mut()
                    .peek(n + 3)
                    .map_err(|e| io_failed(offset, &e))?;
                if more.len() <= n {
                    return Err(Failed::at(offset, "unexpected end of file inside CDATA"));
                }
                continue;
            }
            stream.consume(used);
        }
    }
}

/// Position of the first `<` or `&`. Most runs between two tags are a few bytes of
/// indentation: those are scanned inline, and only longer text pays for a `memchr2` call (which
/// was ~6 % of `xray-sync parse` when called for every run).
#[inline]
fn find_stop(avail: &[u8]) -> Option<usize> {
    const INLINE: usize = 32;
    let head = &avail[..avail.len().min(INLINE)];
    if let Some(i) = head.iter().position(|&b| b == b'<' || b == b'&') {
        return Some(i);
    }
    memchr::memchr2(b'<', b'&', &avail[head.len()..]).map(|i| head.len() + i)
}

/// Checks and passes on one run of text; returns how many bytes were used. With `may_split`,
/// an incomplete character at the end is left for the next round instead of being an error.
fn emit<S: TextSink>(
    bytes: &[u8],
    may_split: bool,
    offset: u64,
    sink: &mut S,
    after_cr: &mut bool,
) -> Result<usize, Failed> {
    // Most runs of text are the indentation between two tags, read only to be checked: ASCII
    // needs no UTF-8 decoding, and `is_ascii` is inlined where `from_utf8` is a call per run
    // (from_utf8 on these runs was ~6 % of `xray-sync parse`).
    if !sink.wants_text() && sink.root_seen() && bytes.is_ascii() {
        return Ok(bytes.len());
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) if may_split && e.error_len().is_none() => {
            // `valid_up_to` is a char boundary by definition, so this cannot fail.
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(e) => {
            return Err(Failed::at(
                offset + e.valid_up_to() as u64,
                "malformed XML: invalid UTF-8 in text",
            ));
        }
    };
    if text.is_empty() {
        return Ok(0);
    }
    if !sink.root_seen() && !text.trim().is_empty() {
        return Err(Failed::at(offset, "not XML: text before the root element"));
    }
    if sink.wants_text() {
        push_normalized(sink, text, after_cr);
    }
    Ok(text.len())
}

/// XML 1.0 line ends: `\r\n` and a lone `\r` become `\n`, also when a chunk ends between them.
fn push_normalized<S: TextSink>(sink: &mut S, mut text: &str, after_cr: &mut bool) {
    if std::mem::take(after_cr) {
        text = text.strip_prefix('\n').unwrap_or(text);
    }
    while let Some(i) = memchr::memchr(b'\r', text.as_bytes()) {
        if i > 0 {
            sink.text(&text[..i]);
        }
        sink.text("\n");
        let rest = &text[i + 1..];
        if rest.is_empty() {
            *after_cr = true;
            return;
        }
        text = rest.strip_prefix('\n').unwrap_or(rest);
    }
    if !text.is_empty() {
        sink.text(text);
    }
}

fn io_failed(offset: u64, e: &io::Error) -> Failed {
    Failed::at(offset, format!("cannot read: {e}"))
}
