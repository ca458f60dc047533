//! The pure reconcile decision: given a failing test's dedup label and the issues a label search
//! found, decide whether to comment, reopen or create, and which raced duplicates to close.
//!
//! Owns the dedup rules and nothing else: no I/O, no clock (the "now" for the reopen window is a
//! parameter). Open vs Done is `statusCategory` (key `done`), never a status name, so custom
//! workflows whose last status is not called "Closed" work. Among several open issues the lowest
//! numeric id wins: every parallel run computes the same winner from the same issues.

use time::OffsetDateTime;

use super::client::Issue;

/// Inputs to the decision that come from settings and the run, not from Jira.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Reopen a Done issue resolved within this many days instead of filing a new one.
    pub reopen_within_days: Option<u32>,
    pub now: OffsetDateTime,
}

/// What to do for one failing test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An open issue carries the label: comment on `target` (the lowest id) and close the other
    /// open ones as its duplicates.
    Comment {
        target: Issue,
        duplicates: Vec<Issue>,
    },
    /// Only Done issues, and the latest was resolved inside the reopen window.
    Reopen { target: Issue },
    /// Nothing open: file a new issue, linked to the latest Done one when there is one.
    Create { related_done: Option<Issue> },
}

/// Issues among `found` that carry `label` (Jira matches labels case-insensitively, so this
/// compares the same way), ordered by id.
pub fn with_label<'a>(label: &str, found: &'a [Issue]) -> Vec<&'a Issue> {
    let wanted = label.to_lowercase();
    let mut out: Vec<&Issue> = found
        .iter()
        .filter(|i| i.labels.iter().any(|l| l.to_lowercase() == wanted))
        .collect();
    out.sort_by_key(|i| i.id);
    out.dedup_by_key(|i| i.id);
    out
}

/// The open issues carrying `label`, lowest id first.
pub fn open_with_label<'a>(label: &str, found: &'a [Issue]) -> Vec<&'a Issue> {
    with_label(label, found)
        .into_iter()
        .filter(|i| !i.is_done())
        .collect()
}

/// The canonical open issue for `label` (lowest id) and the other open ones, or `None` when
/// nothing open carries it.
pub fn converge(label: &str, found: &[Issue]) -> Option<(Issue, Vec<Issue>)> {
    let open = open_with_label(label, found);
    let (first, rest) = open.split_first()?;
    Some((
        (*first).clone(),
        rest.iter().map(|i| (*i).clone()).collect(),
    ))
}

/// The decision for one failing test whose dedup label is `label`.
pub fn decide(label: &str, found: &[Issue], policy: &Policy) -> Decision {
    if let Some((target, duplicates)) = converge(label, found) {
        return Decision::Comment { target, duplicates };
    }
    let latest_done = with_label(label, found)
        .into_iter()
        .filter(|i| i.is_done())
        // Latest resolution first; issues without a resolution date sort before any dated one,
        // and ids break ties so the answer never depends on search order.
        .max_by_key(|i| (i.resolved, i.id))
        .cloned();
    match latest_done {
        Some(done) if within_window(&done, policy) => Decision::Reopen { target: done },
        related_done => Decision::Create { related_done },
    }
}

fn within_window(issue: &Issue, policy: &Policy) -> bool {
    let (Some(days), Some(resolved)) = (policy.reopen_within_days, issue.resolved) else {
        return false;
    };
    let age = policy.now - resolved;
    // A resolution "in the future" (clock skew between Jira and CI) counts as just now.
    age <= time::Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn issue(id: u64, labels: &[&str], category: &str, resolved: Option<OffsetDateTime>) -> Issue {
        Issue {
            id,
            key: format!("BUG-{id}"),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            status: match category {
                "done" => "Verified".into(),
                "indeterminate" => "In Progress".into(),
                _ => "To Do".into(),
            },
            status_category: category.into(),
            resolved,
            summary: String::new(),
        }
    }

    fn policy(days: Option<u32>) -> Policy {
        Policy {
            reopen_within_days: days,
            now: NOW,
        }
    }

    #[test]
    fn nothing_found_creates_unlinked() {
        assert_eq!(
            decide("xs-a", &[], &policy(None)),
            Decision::Create { related_done: None }
        );
        // Issues for other labels in the same batch do not count.
        let other = [issue(1, &["xs-b"], "new", None)];
        assert_eq!(
            decide("xs-a", &other, &policy(Some(30))),
            Decision::Create { related_done: None }
        );
    }

    #[test]
    fn one_open_issue_is_commented() {
        let found = [issue(7, &["xs-a", "xray-sync"], "indeterminate", None)];
        assert_eq!(
            decide("xs-a", &found, &policy(None)),
            Decision::Comment {
                target: found[0].clone(),
                duplicates: vec![]
            }
        );
    }

    #[test]
    fn several_open_lowest_id_wins_in_any_order() {
        let a = issue(30, &["xs-a"], "new", None);
        let b = issue(12, &["xs-a"], "indeterminate", None);
        let c = issue(25, &["XS-A"], "new", None);
        let done = issue(5, &["xs-a"], "done", Some(NOW));
        for found in [
            vec![a.clone(), b.clone(), c.clone(), done.clone()],
            vec![done.clone(), c.clone(), b.clone(), a.clone()],
            vec![c.clone(), a.clone(), done.clone(), b.clone()],
        ] {
            assert_eq!(
                decide("xs-a", &found, &policy(Some(30))),
                Decision::Comment {
                    target: b.clone(),
                    duplicates: vec![c.clone(), a.clone()]
                }
            );
        }
    }

    #[test]
    fn only_done_creates_linked_to_latest_resolved() {
        let old = issue(40, &["xs-a"], "done", Some(datetime!(2026-01-01 0:00 UTC)));
        let recent = issue(3, &["xs-a"], "done", Some(datetime!(2026-11-01 0:00 UTC)));
        let undated = issue(50, &["xs-a"], "done", None);
        let found = [old, recent.clone(), undated];
        assert_eq!(
            decide("xs-a", &found, &policy(None)),
            Decision::Create {
                related_done: Some(recent.clone())
            }
        );
        // Outside a 7-day window: still create.
        assert_eq!(
            decide("xs-a", &found, &policy(Some(7))),
            Decision::Create {
                related_done: Some(recent.clone())
            }
        );
        // Inside a 30-day window: reopen.
        assert_eq!(
            decide("xs-a", &found, &policy(Some(30))),
            Decision::Reopen { target: recent }
        );
    }

    #[test]
    fn reopen_window_edges() {
        let at = |resolved| [issue(1, &["xs-a"], "done", Some(resolved))];
        let p = policy(Some(7));
        assert!(matches!(
            decide("xs-a", &at(datetime!(2026-11-15 10:00 UTC)), &p),
            Decision::Reopen { .. }
        ));
        assert!(matches!(
            decide("xs-a", &at(datetime!(2026-11-15 09:59 UTC)), &p),
            Decision::Create { .. }
        ));
        // Resolved "after now" (clock skew) is inside the window.
        assert!(matches!(
            decide("xs-a", &at(datetime!(2026-11-23 0:00 UTC)), &p),
            Decision::Reopen { .. }
        ));
        // Zero days: only a resolution at exactly now qualifies.
        assert!(matches!(
            decide("xs-a", &at(NOW), &policy(Some(0))),
            Decision::Reopen { .. }
        ));
        // Undated Done issues are never reopened.
        let undated = [issue(1, &["xs-a"], "done", None)];
        assert!(matches!(
            decide("xs-a", &undated, &policy(Some(3650))),
            Decision::Create {
                related_done: Some(_)
            }
        ));
    }

    #[test]
    fn status_names_never_matter() {
        let mut closed_but_open = issue(1, &["xs-a"], "indeterminate", None);
        closed_but_open.status = "Closed".into();
        assert!(matches!(
            decide("xs-a", &[closed_but_open], &policy(None)),
            Decision::Comment { .. }
        ));
        let mut custom_done = issue(2, &["xs-a"], "done", None);
        custom_done.status = "Shipped to prod".into();
        assert!(matches!(
            decide("xs-a", &[custom_done], &policy(None)),
            Decision::Create {
                related_done: Some(_)
            }
        ));
    }

    #[test]
    fn converge_is_deterministic_and_ignores_done() {
        assert_eq!(converge("xs-a", &[]), None);
        let done = issue(1, &["xs-a"], "done", None);
        assert_eq!(converge("xs-a", std::slice::from_ref(&done)), None);
        let x = issue(9, &["xs-a"], "new", None);
        let y = issue(4, &["xs-a"], "new", None);
        let dup_in_results = [x.clone(), y.clone(), done, y.clone()];
        assert_eq!(
            converge("xs-a", &dup_in_results),
            Some((y.clone(), vec![x.clone()]))
        );
        assert_eq!(
            converge("xs-a", &[y.clone(), x.clone()]),
            Some((y, vec![x]))
        );
    }

    #[test]
    fn non_ascii_labels_compare_case_insensitively() {
        let found = [issue(1, &["XS-ÄÖ"], "new", None)];
        assert_eq!(open_with_label("xs-äö", &found).len(), 1);
        assert_eq!(open_with_label("xs-ao", &found).len(), 0);
    }
}
