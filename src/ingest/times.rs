//! Start times that cannot be true are dropped while reading, before anything uses them.
//!
//! A runner that never set a clock writes its zero: NUnit's `0001-01-01T00:00:00`, .NET's
//! `DateTime.MinValue`, Unix epoch 0, or a year-2100 value from a broken clock. Such a time would
//! become a Test Execution's start date, a summary's run time and the order of reruns. So a start
//! before 1971 or more than one day after this run is treated as unknown, and the file gets a
//! note saying how many were dropped. A zero time on a test that did not run (skipped) is the
//! runner saying so, not a clock problem (GoogleTest writes the epoch for a disabled test): it
//! is dropped without a note.

use time::{Duration, OffsetDateTime};

use crate::model::{Outcome, TestCase};

/// The earliest start time believed: 1971-01-01T00:00:00Z (epoch 0 and the year-1 zero values
/// fall before it).
const EARLIEST_UNIX: i64 = 31_536_000;

/// Clears every attempt's start time outside 1971-01-01 .. `now` + 1 day; returns how many.
pub(super) fn drop_implausible(cases: &mut [TestCase], now: OffsetDateTime) -> usize {
    let latest = now + Duration::days(1);
    let mut dropped = 0;
    for attempt in cases.iter_mut().flat_map(|c| c.attempts.iter_mut()) {
        if let Some(at) = attempt.started_at
            && (at.unix_timestamp() < EARLIEST_UNIX || at > latest)
        {
            attempt.started_at = None;
            let not_run = matches!(attempt.outcome, Outcome::Skipped { .. });
            if !(not_run && at.unix_timestamp() < EARLIEST_UNIX) {
                dropped += 1;
            }
        }
    }
    dropped
}

/// The file note for `dropped` start times.
pub(super) fn note(dropped: usize) -> String {
    format!(
        "{dropped} start time(s) before 1971 or more than a day after this run were ignored (treated as unknown)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attempt, Format, SourceRef};
    use time::macros::datetime;

    fn case_at(at: Option<OffsetDateTime>) -> TestCase {
        case_with(Outcome::Passed, at)
    }

    fn case_with(outcome: Outcome, at: Option<OffsetDateTime>) -> TestCase {
        TestCase::new(
            vec![],
            None,
            "t".into(),
            Attempt {
                outcome,
                duration_secs: None,
                started_at: at,
                system_out: None,
                system_err: None,
                source: SourceRef::new(std::path::Path::new("r.xml"), Format::Nunit, None),
            },
        )
    }

    #[test]
    fn zero_dates_and_future_dates_become_unknown() {
        let now = datetime!(2026-12-05 12:00 UTC);
        let mut cases = vec![
            case_at(Some(datetime!(0001-01-01 00:00 UTC))),
            case_at(Some(datetime!(1970-01-01 00:00 UTC))),
            case_at(Some(datetime!(2026-12-05 11:00 UTC))),
            case_at(Some(datetime!(2026-12-06 11:00 UTC))),
            case_at(Some(datetime!(2026-12-06 12:00:01 UTC))),
            case_at(None),
        ];
        assert_eq!(drop_implausible(&mut cases, now), 3);
        let kept: Vec<bool> = cases.iter().map(|c| c.started_at().is_some()).collect();
        assert_eq!(kept, [false, false, true, true, false, false]);
    }

    /// A skipped test's zero time is the runner saying it did not run: cleared, not counted;
    /// a skipped test's future time still is.
    #[test]
    fn a_zero_time_on_a_test_that_did_not_run_is_cleared_without_a_note() {
        let now = datetime!(2026-12-05 12:00 UTC);
        let skipped = || Outcome::Skipped { message: None };
        let mut cases = vec![
            case_with(skipped(), Some(datetime!(1970-01-01 00:00 UTC))),
            case_with(skipped(), Some(datetime!(2100-01-01 00:00 UTC))),
        ];
        assert_eq!(drop_implausible(&mut cases, now), 1);
        assert!(cases.iter().all(|c| c.started_at().is_none()));
    }
}
