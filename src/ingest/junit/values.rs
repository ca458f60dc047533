//! Attribute and text values as JUnit producers write them: durations in every spelling seen
//! in the wild, timestamps with and without zones, text bounded while it is read, and
//! `[[ATTACHMENT|path]]` lines. Pure functions; no XML here.

use std::path::{Path, PathBuf};

use memchr::memmem;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::model::{Attachment, MAX_TEXT_BYTES, TRUNCATION_MARKER, Text};

/// Text collected from one element (or several text/CDATA chunks of it), never holding more
/// than `cap` bytes: once full, further chunks are dropped and the marker is added at the end.
#[derive(Debug, Default)]
pub(crate) struct Bounded {
    text: String,
    truncated: bool,
}

impl Bounded {
    pub(crate) fn push(&mut self, chunk: &str) {
        self.push_capped(chunk, MAX_TEXT_BYTES);
    }

    pub(crate) fn push_capped(&mut self, chunk: &str, cap: usize) {
        if self.truncated || chunk.is_empty() {
            return;
        }
        let room = cap.saturating_sub(self.text.len());
        if chunk.len() <= room {
            self.text.push_str(chunk);
            return;
        }
        let mut cut = room;
        while !chunk.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&chunk[..cut]);
        self.truncated = true;
    }

    pub(crate) fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The text so far, without the marker.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Empties the buffer, keeping its capacity for the next element.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.truncated = false;
    }

    /// The text with the truncation marker when cut; `None` when empty or only whitespace
    /// (producers pretty-print empty elements with indentation). Copies the text out at its
    /// exact size and leaves this buffer empty with its capacity, so one buffer serves a whole
    /// file.
    pub(crate) fn take(&mut self) -> Option<String> {
        let kept = if self.text.trim().is_empty() {
            None
        } else {
            let marker = if self.truncated {
                TRUNCATION_MARKER
            } else {
                ""
            };
            let mut text = String::with_capacity(self.text.len() + marker.len());
            text.push_str(&self.text);
            text.push_str(marker);
            Some(text)
        };
        self.clear();
        kept
    }

    /// Like [`Bounded::take`], but straight into the text store: no copy on the heap.
    pub(crate) fn take_text(&mut self) -> Option<Text> {
        let kept = match self.text.trim().is_empty() {
            true => None,
            false if self.truncated => Some(Text::truncated(&self.text)),
            false => Some(Text::new(&self.text)),
        };
        self.clear();
        kept
    }

    /// The text with the truncation marker when cut, whitespace kept (property values).
    pub(crate) fn finish_raw(self) -> String {
        let mut text = self.text;
        if self.truncated {
            text.push_str(TRUNCATION_MARKER);
        }
        text
    }
}

/// A duration in seconds from a `time=` attribute. Never fails: anything unreadable is `None`.
///
/// Accepted: `1.5`, `0,288` (comma decimal), `1,234.5` (thousands separator), `1.7e-05`, and
/// integers of 10^8 or more, which no runner reports as seconds (three years) but
/// container-structure-test writes as nanoseconds (`999638317`).
pub fn parse_duration(raw: &str) -> Option<f64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let value: f64 = if s.contains(',') {
        if s.contains('.') {
            s.replace(',', "").parse().ok()?
        } else {
            s.replacen(',', ".", 1).parse().ok()?
        }
    } else {
        s.parse().ok()?
    };
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let integral = s.bytes().all(|b| b.is_ascii_digit());
    if integral && value >= 1e8 {
        return Some(value / 1e9);
    }
    Some(value)
}

/// A start time from a `timestamp=` (or `started-at=`) attribute. Zone-less times are taken as
/// UTC. Accepted: ISO 8601 with `T` or a space, optional fraction (any length), `Z`, `±hh:mm`,
/// `±hhmm`, a trailing ` UTC`/` GMT`; Robot Framework `YYYYMMDD hh:mm:ss.mmm`. Anything else
/// (RFC 1123 dates, US dates) is `None`: a wrong start time is worse than none.
pub fn parse_timestamp(raw: &str) -> Option<OffsetDateTime> {
    let s = raw.trim().as_bytes();
    let mut p = Cursor { s, i: 0 };
    let year = p.digits(4)?;
    let dashed = p.eat(b'-');
    let month = p.digits(2)?;
    if dashed && !p.eat(b'-') {
        return None;
    }
    let day = p.digits(2)?;
    if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
        return None;
    }
    let hour = p.digits(2)?;
    p.eat(b':').then_some(())?;
    let minute = p.digits(2)?;
    p.eat(b':').then_some(())?;
    let second = p.digits(2)?;
    let mut nanos = 0u32;
    if p.eat(b'.') || p.eat(b',') {
        let start = p.i;
        let mut scale = 100_000_000u32;
        while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            p.i += 1;
        }
        if p.i == start {
            return None;
        }
    }
    let offset = p.offset()?;
    if p.i != s.len() {
        return None;
    }
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let part = self.s.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    /// The zone suffix; none at all means UTC.
    fn offset(&mut self) -> Option<UtcOffset> {
        let rest = &self.s[self.i..];
        if rest.is_empty() {
            return Some(UtcOffset::UTC);
        }
        if rest == b"Z" || rest == b"z" || rest == b" UTC" || rest == b" GMT" || rest == b" Z" {
            self.i = self.s.len();
            return Some(UtcOffset::UTC);
        }
        let sign: i8 = match rest[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.i += 1;
        let hours = self.digits(2)?;
        self.eat(b':');
        let minutes = if self.i < self.s.len() {
            self.digits(2)?
        } else {
            0
        };
        UtcOffset::from_hms(
            sign * i8::try_from(hours).ok()?,
            sign * i8::try_from(minutes).ok()?,
            0,
        )
        .ok()
    }
}

/// Jenkins attachments-plugin lines, `[[ATTACHMENT|path]]`, in system-out/err. Relative paths
/// are joined to the directory of the result file.
///
/// Called for every test's output (mostly empty, almost never with a marker), so the searchers
/// are built once per process, not per call (`str::find` built one each time: ~3 % of
/// `xray-sync parse`).
pub(crate) fn attachment_lines(text: &str, result_file: &Path, out: &mut Vec<Attachment>) {
    const OPEN: &str = "[[ATTACHMENT|";
    static FINDERS: std::sync::LazyLock<(memmem::Finder<'static>, memmem::Finder<'static>)> =
        std::sync::LazyLock::new(|| (memmem::Finder::new(OPEN), memmem::Finder::new("]]")));
    if text.len() < OPEN.len() {
        return;
    }
    let (open, close) = &*FINDERS;
    let mut rest = text;
    while let Some(at) = open.find(rest.as_bytes()) {
        rest = &rest[at + OPEN.len()..];
        let Some(end) = close.find(rest.as_bytes()) else {
            break;
        };
        let raw = rest[..end].trim();
        rest = &rest[end + 2..];
        if raw.is_empty() || raw.contains('\n') {
            continue;
        }
        let named = PathBuf::from(raw);
        let path = if named.is_absolute() {
            named
        } else {
            result_file
                .parent()
                .map(|dir| dir.join(&named))
                .unwrap_or(named)
        };
        let attachment = Attachment::File {
            path,
            name: None,
            content_type: None,
        };
        if !out.contains(&attachment) {
            out.push(attachment);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_the_wild() {
        assert_eq!(parse_duration("1.5"), Some(1.5));
        assert_eq!(parse_duration("0,288"), Some(0.288));
        assert_eq!(parse_duration("1,234.5"), Some(1234.5));
        assert_eq!(parse_duration("1.7e-05"), Some(1.7e-05));
        assert_eq!(parse_duration("501"), Some(501.0));
        assert_eq!(parse_duration("999638317"), Some(0.999638317));
        assert_eq!(parse_duration("<<computed>>"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("-1"), None);
        assert_eq!(parse_duration("NaN"), None);
        assert_eq!(parse_duration("inf"), None);
    }

    #[test]
    fn timestamps_in_the_wild() {
        let utc = |s| parse_timestamp(s).map(|t| t.to_offset(UtcOffset::UTC).to_string());
        assert_eq!(
            utc("2026-03-19T12:12:16.67648"),
            Some("2026-03-19 12:12:16.67648 +00:00:00".into())
        );
        assert_eq!(
            utc("2021-04-01T10:52:39.000-08:00"),
            Some("2021-04-01 18:52:39.0 +00:00:00".into())
        );
        assert_eq!(
            utc("2021-03-07T10:36:56 UTC"),
            Some("2021-03-07 10:36:56.0 +00:00:00".into())
        );
        assert_eq!(
            utc("20240102 03:04:05.678"),
            Some("2024-01-02 3:04:05.678 +00:00:00".into())
        );
        assert_eq!(
            utc("2024-01-09T07:50:12Z"),
            Some("2024-01-09 7:50:12.0 +00:00:00".into())
        );
        assert_eq!(utc("Sat, 05 Dec 2020 10:00:00 GMT"), None);
        assert_eq!(utc("02/01/2019 14:47:17"), None);
        assert_eq!(utc("2024-13-01T00:00:00"), None);
        assert_eq!(utc("2024-01-01T00:00:00+"), None);
    }

    #[test]
    fn bounded_text_stops_at_the_cap() {
        let mut b = Bounded::default();
        b.push_capped("héllo", 2);
        b.push_capped("more", 2);
        assert!(b.is_truncated());
        let mut reused = Bounded::default();
        reused.push_capped("héllo", 2);
        assert_eq!(reused.take(), Some(format!("h{TRUNCATION_MARKER}")));
        reused.push("  \n");
        assert_eq!(reused.take(), None, "whitespace only is no text");
        reused.push("again");
        assert_eq!(
            reused.take().as_deref(),
            Some("again"),
            "a taken buffer starts afresh"
        );
        assert_eq!(b.finish_raw(), format!("h{TRUNCATION_MARKER}"));
        assert_eq!(Bounded::default().take(), None);
    }

    #[test]
    fn attachment_lines_join_relative_paths() {
        let mut out = Vec::new();
        let text = "x\n[[ATTACHMENT|shot.png]]\n[[ATTACHMENT|/abs/log.txt]]\n[[ATTACHMENT|";
        attachment_lines(text, Path::new("reports/TEST-a.xml"), &mut out);
        let paths: Vec<_> = out
            .iter()
            .map(|a| match a {
                Attachment::File { path, .. } => path.clone(),
                Attachment::Inline { name, .. } => PathBuf::from(name),
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                PathBuf::from("reports/shot.png"),
                PathBuf::from("/abs/log.txt")
            ]
        );
    }
}
