//! Stopping early: SIGINT/SIGTERM and the run deadline (`--max-run-time`).
//!
//! Owns the process-wide stop state and the signal handlers. A stop never kills the run: it
//! makes `http` refuse to start new requests and gives the one in flight [`GRACE`] to finish,
//! so `run` and `resend` still write the spool, the reports and the outputs, then exit 130
//! (SIGINT) or 143 (SIGTERM); a deadline stops the same way and exits 4. A second signal exits
//! at once (with 130/143), for a stop that itself hangs.
//!
//! Why global: signals are delivered to the process, not to a value; the deadline is one per
//! process run as well. The state only ever goes from "running" to "stopping".
//!
//! Signal handling uses `signal-hook` (`flag::register_usize` and
//! `flag::register_conditional_shutdown`): both handlers only store an atomic or call `_exit`,
//! which is async-signal-safe, and the crate orders them so the second signal exits.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long the request in flight may still take once a stop was requested.
pub const GRACE: Duration = Duration::from_secs(10);

/// How often waiting code looks at the stop state.
pub const POLL: Duration = Duration::from_millis(50);

/// The signal number that stopped the run (0: none).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Armed by the first signal (or the deadline): the next signal exits at once.
static STOPPING: AtomicBool = AtomicBool::new(false);
static DEADLINE: OnceLock<(Instant, Duration)> = OnceLock::new();
/// When the stop was first seen (the grace period runs from here).
static SEEN_AT: OnceLock<Instant> = OnceLock::new();

/// Why the run is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (a cancelled CI job, a timeout of the runner).
    Terminate,
    /// `--max-run-time` passed; the value is the limit.
    Deadline(Duration),
}

impl StopReason {
    /// `SIGTERM`, `SIGINT`, `the run deadline (--max-run-time 900 s)`.
    pub fn describe(self) -> String {
        match self {
            StopReason::Interrupt => "SIGINT".into(),
            StopReason::Terminate => "SIGTERM".into(),
            StopReason::Deadline(d) => format!(
                "the run deadline (XRAY_SYNC_MAX_RUN_TIME / --max-run-time {} s)",
                d.as_secs()
            ),
        }
    }
}

/// Installs the SIGINT and SIGTERM handlers. Call once, before any request.
pub fn install_signal_handlers() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT as INT, SIGTERM as TERM};
    use signal_hook::flag;
    for (signal, status) in [(INT, 130), (TERM, 143)] {
        // Registered first, so it runs first: exits only when a stop is already under way.
        flag::register_conditional_shutdown(signal, status, &STOPPING)?;
        flag::register_usize(signal, &SIGNAL, signal as usize)?;
        flag::register(signal, &STOPPING)?;
    }
    Ok(())
}

/// Starts the run's clock: past `limit` from now, the run stops as on a signal. Zero means no
/// deadline. Only the first call counts.
pub fn set_deadline(limit: Duration) {
    if !limit.is_zero() {
        let _ = DEADLINE.set((Instant::now() + limit, limit));
    }
}

/// Why the run is stopping, or `None` while it may go on.
pub fn reason() -> Option<StopReason> {
    use signal_hook::consts::SIGINT;
    let reason = match SIGNAL.load(Ordering::SeqCst) {
        0 => match DEADLINE.get() {
            Some((at, limit)) if Instant::now() >= *at => {
                STOPPING.store(true, Ordering::SeqCst);
                Some(StopReason::Deadline(*limit))
            }
            _ => None,
        },
        s if s == SIGINT as usize => Some(StopReason::Interrupt),
        _ => Some(StopReason::Terminate),
    };
    if reason.is_some() {
        let _ = SEEN_AT.set(Instant::now());
    }
    reason
}

pub fn requested() -> bool {
    reason().is_some()
}

/// True once a stop was requested and [`GRACE`] has passed since: a request still in flight
/// is then given up.
pub fn grace_over() -> bool {
    requested() && SEEN_AT.get().is_some_and(|t| t.elapsed() >= GRACE)
}

/// Sleeps `total` with `sleep`, in slices, returning early when a stop is requested. True when
/// it slept the whole time.
pub fn sleep_unless_stopped(total: Duration, sleep: fn(Duration)) -> bool {
    let mut left = total;
    while !left.is_zero() {
        if requested() {
            return false;
        }
        let step = left.min(POLL);
        sleep(step);
        left -= step;
    }
    !requested()
}

/// Parses a run time: seconds (`900`), or a number with `s`, `m` or `h` (`15m`, `1h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().last() {
        Some((i, c @ ('s' | 'm' | 'h'))) => (&t[..i], c),
        _ => (t, 's'),
    };
    let n: u64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 900, 900s, 15m or 1h"))?;
    let secs = match unit {
        'h' => n.checked_mul(3600),
        'm' => n.checked_mul(60),
        _ => Some(n),
    }
    .ok_or_else(|| format!("{text:?} is too long"))?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds_minutes_and_hours() {
        assert_eq!(parse_duration("900"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration(" 15m "), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn reasons_name_the_signal_or_the_limit() {
        assert_eq!(StopReason::Terminate.describe(), "SIGTERM");
        assert_eq!(StopReason::Interrupt.describe(), "SIGINT");
        assert!(
            StopReason::Deadline(Duration::from_secs(900))
                .describe()
                .contains("900 s")
        );
    }
}
