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
    let Some(t) = transitions.iter().find(|t| wanted(&t.to_category)) else {
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
        let retry = Transition {
            resolutions: Some(Vec::new()),
            ..t.clone()
        };
        done = client.transition(key, &t.id, resolution_for(&retry, target).as_deref());
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
