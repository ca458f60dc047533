//! Multi-request operations on one issue that several filing steps share: comment once per run,
//! move to a Done-category or open-category status, close as a duplicate.
//!
//! Owns the "re-read before deciding again" rule for writes that are not resent blindly: a
//! transition whose answer was lost, or that a parallel run already made, is confirmed by
//! reading the issue (strongly consistent) instead of being sent twice.

use serde_json::Value;

use super::client::{Client, Issue, Transition};
use crate::error::{ApiError, Service};

/// Whether a comment carrying `marker` was added or was already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commented {
    Added,
    AlreadyThere,
}

/// True when one of the issue's recent comments carries `marker`.
pub fn has_marker(client: &Client, key: &str, marker: &str) -> Result<bool, ApiError> {
    if marker.is_empty() {
        return Ok(false);
    }
    // DC comments are wiki markup, where the marker may appear backslash-escaped.
    let escaped = super::wiki::escape(marker);
    Ok(client
        .recent_comments(key)?
        .iter()
        .any(|c| c.contains(marker) || c.contains(&escaped)))
}

/// Adds `body` unless a recent comment already carries `marker` (a re-run of the same CI run).
pub fn comment_once(
    client: &Client,
    key: &str,
    marker: &str,
    body: &Value,
) -> Result<Commented, ApiError> {
    if has_marker(client, key, marker)? {
        return Ok(Commented::AlreadyThere);
    }
    client.add_comment(key, body)?;
    Ok(Commented::Added)
}

/// Which way a transition should move the issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Any status whose category key is `done` (whatever the workflow calls it).
    Done,
    /// A Done-category status, as the duplicate of another issue (its Resolution, when the
    /// screen asks for one, is `Duplicate` where the site has it).
    Duplicate,
    /// Any status whose category is not `done` (reopen).
    Open,
}

impl Target {
    /// The Resolutions to set, in order of preference, when the transition's screen has the
    /// field: Jira refuses such a transition without one on many workflows ("Field Resolution
    /// is required.", jira-api.md §4.2), and only a Resolution gives the issue a resolution date
    /// (which the reopen window reads).
    fn resolutions(self) -> &'static [&'static str] {
        match self {
            Target::Done => &["Done", "Fixed", "Resolved"],
            Target::Duplicate => &["Duplicate", "Done", "Fixed", "Resolved"],
            Target::Open => &[],
        }
    }
}

/// The Resolution a transition to `target` sets: `None` when the transition's screen does not
/// have the field (or `target` is a reopen); else the first preferred name the screen allows
/// (its own spelling), or its first allowed one, or the first preferred name when it lists none.
pub fn resolution_for(t: &Transition, target: Target) -> Option<String> {
    let preferred = target.resolutions();
    let first = preferred.first()?;
    let allowed = t.resolutions.as_ref()?;
    let chosen = preferred
        .iter()
        .find_map(|p| allowed.iter().find(|a| a.eq_ignore_ascii_case(p)))
        .or_else(|| allowed.first())
        .map_or(*first, String::as_str);
    Some(chosen.to_string())
}

/// The transition to take among those leading to a status of `target`'s category. Workflows
/// often have several into Done ("Done", "Won't Do", "Duplicate", "Cancel"): a bug whose test
/// passed is closed by the one that says it was fixed, a raced duplicate by the duplicate one,
/// never by one that says the bug was rejected. Names are compared with the transition's and its
/// status's, in any case; with no name recognised, the first one the workflow lists.
fn best_transition(
    transitions: &[Transition],
    target: Target,
    wanted: impl Fn(&str) -> bool,
) -> Option<&Transition> {
    const FIXED: &[&str] = &[
        "done",
        "close",
        "closed",
        "close issue",
        "resolve",
        "resolved",
        "resolve issue",
        "fixed",
        "complete",
        "completed",
    ];
    const REJECTED: &[&str] = &[
        "won't do",
        "wont do",
        "won't fix",
        "wontfix",
        "reject",
        "rejected",
        "cancel",
        "cancelled",
        "canceled",
        "invalid",
        "declined",
        "duplicate",
        "not a bug",
    ];
    const REOPEN: &[&str] = &["reopen", "reopen issue", "reopened", "to do", "open"];
    let says = |t: &Transition, names: &[&str]| {
        [&t.name, &t.to_status]
            .iter()
            .any(|n| names.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
    };
    let candidates: Vec<&Transition> = transitions
        .iter()
        .filter(|t| wanted(&t.to_category))
        .collect();
    let preferred = |names: &[&str]| candidates.iter().copied().find(|t| says(t, names));
    match target {
        Target::Duplicate => preferred(&["duplicate"]).or_else(|| preferred(FIXED)),
        Target::Done => preferred(FIXED),
        Target::Open => preferred(REOPEN),
    }
    .or_else(|| {
        candidates
            .iter()
            .copied()
            .find(|t| target == Target::Open || !says(t, REJECTED))
    })
    .or_else(|| candidates.first().copied())
}

/// The transition that closes an issue as done ([`best_transition`] into a Done-category
/// status): for `doctor`'s own test issue.
pub fn closing_transition(transitions: &[Transition]) -> Option<&Transition> {
    best_transition(transitions, Target::Done, |c| {
        c.eq_ignore_ascii_case("done")
    })
}

/// Whether Jira refused a transition for want of a Resolution: the field can be on the screen
/// although the transitions' `fields` did not list it (they under-report it on some sites).
fn wants_resolution(e: &ApiError) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("resolution") && text.contains("required")
}

/// Moves `key` to a status of the `target` category. `Ok(false)` when the issue already is in
/// that category (a parallel run got there first).
pub fn move_to(client: &Client, key: &str, target: Target) -> Result<bool, ApiError> {
    let wanted = |category: &str| match target {
        Target::Done | Target::Duplicate => category.eq_ignore_ascii_case("done"),
        Target::Open => !category.is_empty() && !category.eq_ignore_ascii_case("done"),
    };
    let transitions = client.transitions(key)?;
    let Some(t) = best_transition(&transitions, target, wanted) else {
        let current = client.get_issue(key)?;
        if wanted(&current.status_category) {
            return Ok(false);
        }
        return Err(ApiError::Rejected {
            service: Service::Jira,
            status: 400,
            detail: format!(
                "no transition from {key}'s status '{}' leads to a {} status (available: {}); check the workflow and the TRANSITION_ISSUES permission",
                current.status,
                match target {
                    Target::Done | Target::Duplicate => "Done-category",
                    Target::Open => "non-Done",
                },
                if transitions.is_empty() {
                    "none".to_string()
                } else {
                    transitions
                        .iter()
                        .map(|t| format!("{} → {}", t.name, t.to_status))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        });
    };
    let resolution = resolution_for(t, target);
    let mut done = client.transition(key, &t.id, resolution.as_deref());
    if let Err(e) = &done
        && resolution.is_none()
        && target != Target::Open
        && wants_resolution(e)
    {
        done = client.transition(key, &t.id, target.resolutions().first().copied());
    }
    match done {
        Ok(()) => Ok(true),
        Err(e) => {
            // The answer may have been lost, or another run moved it meanwhile: look before
            // calling it a failure.
            match client.get_issue(key) {
                Ok(current) if wanted(&current.status_category) => Ok(true),
                _ => Err(e),
            }
        }
    }
}

/// What closing a raced duplicate did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Closed,
    /// Another run (or a person) had already closed it.
    AlreadyDone,
}

/// Closes `loser` as a duplicate of `winner`: Duplicate link, a comment, a transition to a
/// Done-category status. Re-reads the loser first, so parallel runs that reach the same answer
/// do not pile up comments on an issue one of them already closed.
pub fn close_duplicate(
    client: &Client,
    loser: &Issue,
    winner: &str,
    link_type: &str,
    comment: &Value,
) -> Result<Closed, ApiError> {
    if client.get_issue(&loser.key)?.is_done() {
        return Ok(Closed::AlreadyDone);
    }
    if !link_type.is_empty() {
        // "loser duplicates winner": inward is the duplicate, outward the original.
        client.link(link_type, &loser.key, winner)?;
    }
    client.add_comment(&loser.key, comment)?;
    Ok(match move_to(client, &loser.key, Target::Duplicate)? {
        true => Closed::Closed,
        false => Closed::AlreadyDone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, name: &str, to: &str, category: &str) -> Transition {
        Transition {
            id: id.into(),
            name: name.into(),
            to_status: to.into(),
            to_category: category.into(),
            resolutions: None,
        }
    }

    fn pick(ts: &[Transition], target: Target) -> Option<&str> {
        let wanted = |c: &str| match target {
            Target::Done | Target::Duplicate => c == "done",
            Target::Open => c != "done",
        };
        best_transition(ts, target, wanted).map(|t| t.id.as_str())
    }

    #[test]
    fn the_transition_that_says_fixed_closes_a_bug() {
        let ts = [
            t("1", "Won't Do", "Won't Do", "done"),
            t("2", "Start", "In Progress", "indeterminate"),
            t("3", "Mark as duplicate", "Duplicate", "done"),
            t("4", "Verify", "Verified", "done"),
            t("5", "Resolve Issue", "Resolved", "done"),
        ];
        assert_eq!(pick(&ts, Target::Done), Some("5"));
        assert_eq!(pick(&ts, Target::Duplicate), Some("3"));
        // No name says fixed: the first that does not say rejected.
        assert_eq!(pick(&ts[..4], Target::Done), Some("4"));
        // Only a rejecting one: still taken, rather than no transition at all.
        assert_eq!(pick(&ts[..1], Target::Done), Some("1"));
        assert_eq!(pick(&ts, Target::Open), Some("2"));
        let reopen = [
            t("6", "Start", "In Progress", "indeterminate"),
            t("7", "Reopen Issue", "Reopened", "new"),
        ];
        assert_eq!(pick(&reopen, Target::Open), Some("7"));
    }

    #[test]
    fn the_resolution_is_the_preferred_one_the_screen_allows() {
        let mut done = t("4", "Verify", "Verified", "done");
        assert_eq!(resolution_for(&done, Target::Done), None);
        done.resolutions = Some(vec!["Won't Do".into(), "fixed".into()]);
        assert_eq!(
            resolution_for(&done, Target::Done).as_deref(),
            Some("fixed")
        );
        assert_eq!(
            resolution_for(&done, Target::Duplicate).as_deref(),
            Some("fixed")
        );
        done.resolutions = Some(vec!["Won't Do".into()]);
        assert_eq!(
            resolution_for(&done, Target::Done).as_deref(),
            Some("Won't Do")
        );
        done.resolutions = Some(Vec::new());
        assert_eq!(resolution_for(&done, Target::Done).as_deref(), Some("Done"));
        assert_eq!(resolution_for(&done, Target::Open), None);
    }
}
