//! The retry policy: which failed attempts may be sent again, after how long, and which must
//! be checked first because they may already have been applied. Pure (no clock, no I/O), so it
//! is tested as a table; `Http::send` is its only caller that loops.

use std::time::Duration;

use crate::settings::HttpSettings;

/// What a request does, which decides whether a failed attempt may simply be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// GET, or a POST that only reads (search, GraphQL query, token exchange).
    Read,
    /// Creates something (an execution, an issue, a comment). Sending it again after an
    /// ambiguous failure could create it twice, so the caller must check first.
    Create,
}

/// What to do after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the same request again after this delay.
    Retry(Duration),
    /// The request may have been applied: find out before sending again (after this delay).
    CheckThenRetry(Duration),
    GiveUp,
}

/// How an attempt failed, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP status other than 2xx.
    Status(u16),
    /// Could not connect: nothing was sent, so resending is always safe.
    Connect,
    /// The connection broke or timed out after the request went out: it may have been applied.
    Interrupted,
}

/// Exponential backoff with jitter, bounded in attempts and in total time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_total: Duration,
}

impl RetryPolicy {
    pub fn from_settings(s: &HttpSettings) -> Self {
        RetryPolicy {
            max_attempts: s.max_attempts.max(1),
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_total: s.max_retry_time,
        }
    }

    /// The decision after attempt number `attempt` (1-based) failed with `failure`.
    /// `retry_after` is the server's Retry-After, when it sent one. `jitter` is a number in
    /// [0, 1) that spreads parallel clients apart (pass 0.0 for deterministic tests).
    pub fn decide(
        &self,
        attempt: u32,
        call: Call,
        failure: Failure,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Decision {
        if attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let backoff = {
            let exp = self
                .base_delay
                .saturating_mul(1u32 << (attempt - 1).min(16));
            let capped = exp.min(self.max_delay);
            capped + capped.mul_f64(jitter.clamp(0.0, 1.0) * 0.5)
        };
        match failure {
            // Rate limited: the request was not processed; honour the server's wait.
            // At least a second even when told 0 (jira-api.md §5.1: max(Retry-After, 1 s)).
            Failure::Status(429) => match retry_after {
                Some(wait) if wait > self.max_total => Decision::GiveUp,
                Some(wait) => Decision::Retry(wait.max(Duration::from_secs(1))),
                None => Decision::Retry(backoff),
            },
            // The gateway failed; the origin may or may not have done the work.
            Failure::Status(502..=504) => match call {
                Call::Read => Decision::Retry(backoff),
                Call::Create => Decision::CheckThenRetry(backoff),
            },
            Failure::Status(_) => Decision::GiveUp,
            Failure::Connect => Decision::Retry(backoff),
            Failure::Interrupted => match call {
                Call::Read => Decision::Retry(backoff),
                Call::Create => Decision::CheckThenRetry(backoff),
            },
        }
    }
}

/// The wait an `X-RateLimit-Reset` names: Jira Cloud sends an ISO-8601 time on 429, often to
/// the minute (`2026-12-06T14:00Z`, jira-api.md §5.1); RFC 3339 with seconds is read too.
pub fn parse_rate_limit_reset(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    use time::format_description::well_known::Rfc3339;
    let value = value.trim();
    let when = time::OffsetDateTime::parse(value, &Rfc3339)
        .ok()
        .or_else(|| {
            // To the minute: add the seconds RFC 3339 wants before the offset.
            let split = value.rfind(['Z', '+', '-']).filter(|&i| i > 10)?;
            let (head, offset) = value.split_at(split);
            time::OffsetDateTime::parse(&format!("{head}:00{offset}"), &Rfc3339).ok()
        })?;
    let diff = when - now;
    Some(if diff.is_negative() {
        Duration::ZERO
    } else {
        diff.unsigned_abs()
    })
}

/// Parses a Retry-After value: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let diff = when - now;
    Some(if diff.is_negative() {
        Duration::ZERO
    } else {
        diff.unsigned_abs()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_total: Duration::from_secs(300),
        }
    }

    #[test]
    fn retry_decisions_table() {
        use Call::*;
        use Decision::*;
        use Failure::*;
        let s = Duration::from_secs;
        let table: &[(u32, Call, Failure, Option<Duration>, Decision)] = &[
            (1, Read, Status(429), Some(s(7)), Retry(s(7))),
            (1, Create, Status(429), Some(s(0)), Retry(s(1))),
            (1, Read, Status(429), None, Retry(s(2))),
            (2, Read, Status(429), None, Retry(s(4))),
            (1, Read, Status(429), Some(s(3600)), GiveUp),
            (1, Read, Status(503), None, Retry(s(2))),
            (3, Read, Status(502), None, Retry(s(8))),
            (1, Create, Status(502), None, CheckThenRetry(s(2))),
            (1, Create, Interrupted, None, CheckThenRetry(s(2))),
            (1, Read, Interrupted, None, Retry(s(2))),
            (1, Create, Connect, None, Retry(s(2))),
            (4, Read, Status(503), None, GiveUp),
            (1, Read, Status(400), None, GiveUp),
            (1, Create, Status(400), None, GiveUp),
            (1, Read, Status(403), None, GiveUp),
            (1, Read, Status(404), None, GiveUp),
            (1, Read, Status(401), None, GiveUp),
            (1, Read, Status(500), None, GiveUp),
        ];
        for &(attempt, call, failure, retry_after, want) in table {
            assert_eq!(
                policy().decide(attempt, call, failure, retry_after, 0.0),
                want,
                "{attempt} {call:?} {failure:?} {retry_after:?}"
            );
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = policy();
        assert_eq!(
            p.decide(3, Call::Read, Failure::Status(429), None, 0.0),
            Decision::Retry(Duration::from_secs(8))
        );
        let p = RetryPolicy {
            max_attempts: 30,
            ..p
        };
        assert_eq!(
            p.decide(20, Call::Read, Failure::Status(503), None, 0.0),
            Decision::Retry(Duration::from_secs(60))
        );
        assert_eq!(
            p.decide(20, Call::Read, Failure::Status(503), None, 0.999),
            Decision::Retry(Duration::from_secs_f64(60.0 + 60.0 * 0.4995))
        );
    }

    #[test]
    fn rate_limit_reset_to_the_minute_or_second() {
        let now = time::macros::datetime!(2026-12-06 13:59:30 UTC);
        assert_eq!(
            parse_rate_limit_reset("2026-12-06T14:00Z", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_rate_limit_reset("2026-12-06T14:00:10Z", now),
            Some(Duration::from_secs(40))
        );
        assert_eq!(
            parse_rate_limit_reset("2026-12-06T13:00Z", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_rate_limit_reset("soon", now), None);
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = time::macros::datetime!(2026-11-22 10:00:00 UTC);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
