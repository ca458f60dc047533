//! Phase 3 of bug filing: post-create convergence, so parallel runs that filed the same bug
//! end with one open issue.
//!
//! Owns the rounds of batched label searches (with `reconcileIssues` on Cloud, whose search lags
//! writes; one round on DC, whose search is consistent), the choice of winner (`dedup::converge`:
//! the lowest open id), closing the losers as duplicates, and the one re-create allowed for a
//! create whose answer was lost and that no search found. A child of `file` because it works on
//! the filer's private state.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{ActionKind, Filer, Item, Out, ambiguous, lock, queries};
use crate::error::ApiError;
use crate::jira::client::{Issue, MAX_RECONCILE};
use crate::jira::dedup;
use crate::settings::Product;

/// Convergence search rounds on Cloud (search lags writes there); DC search is consistent.
const CLOUD_ROUNDS: usize = 3;
/// Pause between convergence rounds, so a racing run's issue has time to become visible.
const ROUND_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

/// What phase 2 left for convergence.
pub(super) enum Pending {
    Created {
        id: u64,
        key: String,
    },
    /// The create's answer was lost: it may or may not exist.
    Unknown(ApiError),
}

pub(super) struct Work {
    pub(super) item: usize,
    pub(super) pending: Pending,
    pub(super) related_done: Option<Issue>,
    /// Optional fields the create left out because Jira refused them (left out again if the
    /// create is made once more), and what the action says about it.
    pub(super) left_out: Vec<&'static str>,
    pub(super) dropped: Option<String>,
}

impl Filer<'_> {
    /// Post-create convergence. Returns the work whose create was lost and that no search
    /// found: those may be created once more.
    pub(super) fn converge(
        &self,
        items: &[Item],
        mut work: Vec<Work>,
        out: &Mutex<Out>,
    ) -> Vec<Work> {
        let rounds = match self.client.product() {
            Product::Cloud => CLOUD_ROUNDS,
            Product::Dc => 1,
        };
        let mut last: BTreeMap<usize, Vec<Issue>> = BTreeMap::new();
        let mut settled: Vec<(Work, Vec<Issue>)> = Vec::new();
        for round in 0..rounds {
            if work.is_empty() {
                break;
            }
            if round > 0 {
                self.http.pause(ROUND_PAUSE);
            }
            let lookups: Vec<(String, String)> = work
                .iter()
                .map(|w| {
                    (
                        items[w.item].fields.project.clone(),
                        items[w.item].label.clone(),
                    )
                })
                .collect();
            let queries = queries(&lookups);
            // Name every id this run created (and every one it has seen) in reconcileIssues.
            let reconcile: Vec<Vec<u64>> = queries
                .iter()
                .map(|(project, labels)| {
                    let wanted: BTreeSet<String> =
                        labels.iter().map(|l| l.to_lowercase()).collect();
                    let mut ids: Vec<u64> = work
                        .iter()
                        .filter(|w| {
                            &items[w.item].fields.project == project
                                && wanted.contains(&items[w.item].label.to_lowercase())
                        })
                        .flat_map(|w| {
                            let own = match &w.pending {
                                Pending::Created { id, .. } => Some(*id),
                                Pending::Unknown(_) => None,
                            };
                            own.into_iter()
                                .chain(last.get(&w.item).into_iter().flatten().map(|i| i.id))
                        })
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids.truncate(MAX_RECONCILE);
                    ids
                })
                .collect();
            let (found, failed) = self.search_all(&queries, &reconcile, out);
            let mut next = Vec::new();
            for w in work {
                let item = &items[w.item];
                if failed.contains(&item.label.to_lowercase()) {
                    // Cannot check: keep what we know. A lost create is never repeated unseen.
                    let mut seen = last.remove(&w.item).unwrap_or_default();
                    match &w.pending {
                        Pending::Created { id, key } => {
                            if !seen.iter().any(|i| i.id == *id) {
                                seen.push(own_issue(*id, key, &item.label));
                            }
                            settled.push((w, seen));
                        }
                        Pending::Unknown(e) => {
                            if dedup::converge(&item.label, &seen).is_some() {
                                settled.push((w, seen));
                            } else {
                                lock(out).errors.push(e.clone());
                            }
                        }
                    }
                    continue;
                }
                let mut seen: Vec<Issue> = dedup::with_label(
                    &item.label,
                    found
                        .get(&item.fields.project)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]),
                )
                .into_iter()
                .cloned()
                .collect();
                if let Pending::Created { id, key } = &w.pending
                    && !seen.iter().any(|i| i.id == *id)
                {
                    // Not visible even when reconciled (or DC): it exists, we created it.
                    seen.push(own_issue(*id, key, &item.label));
                }
                let lost = match (&w.pending, dedup::converge(&item.label, &seen)) {
                    (Pending::Created { id, .. }, Some((winner, _))) => winner.id < *id,
                    (Pending::Unknown(_), Some(_)) => true,
                    (_, None) => false,
                };
                last.insert(w.item, seen.clone());
                if lost || round + 1 == rounds {
                    settled.push((w, seen));
                } else {
                    next.push(w);
                }
            }
            work = next;
        }
        let mut retry = Vec::new();
        for (w, seen) in settled {
            match (&w.pending, dedup::converge(&items[w.item].label, &seen)) {
                (Pending::Unknown(_), None) => retry.push(w),
                (_, winner) => self.finish(items, w, winner, out),
            }
        }
        retry
    }

    /// Records a converged create: links for the winner, duplicates closed.
    fn finish(
        &self,
        items: &[Item],
        w: Work,
        winner: Option<(Issue, Vec<Issue>)>,
        out: &Mutex<Out>,
    ) {
        let item = &items[w.item];
        let n = w.item;
        let (own_key, detail) = match &w.pending {
            Pending::Created { key, .. } => (Some(key.clone()), w.dropped.clone()),
            Pending::Unknown(_) => (
                None,
                Some("the create's answer was lost; the issue was found by its label".to_string()),
            ),
        };
        let Some((winner, losers)) = winner else {
            // Only reachable when the search failed and our own issue is all we know.
            if let Some(k) = &own_key {
                self.note_key(out, item, k);
                self.push(out, n, item, ActionKind::Created, Some(k), detail);
            }
            return;
        };
        let ours = own_key.as_deref().is_none_or(|k| k == winner.key);
        if let Some(k) = &own_key {
            // Counted as created only when it survived; otherwise the surviving bug is named.
            if ours {
                self.push(out, n, item, ActionKind::Created, Some(k), detail);
            } else {
                self.push(
                    out,
                    n,
                    item,
                    ActionKind::FiledByParallelJob,
                    Some(&winner.key),
                    Some(format!(
                        "raced a parallel job; {} is kept, {k} is closed as its duplicate",
                        winner.key
                    )),
                );
            }
        } else {
            self.push(out, n, item, ActionKind::Created, Some(&winner.key), detail);
        }
        self.note_key(out, item, &winner.key);
        if ours {
            if let Some(done) = &w.related_done {
                let link = &self.settings.done_link_type;
                if !link.is_empty() {
                    match self.client.link(link, &winner.key, &done.key) {
                        Ok(()) => self.push(
                            out,
                            n,
                            item,
                            ActionKind::Linked,
                            Some(&winner.key),
                            Some(format!("{link} {}", done.key)),
                        ),
                        Err(e) => lock(out).errors.push(e),
                    }
                }
            }
            self.link_test(n, item, &winner.key, out);
        }
        for loser in &losers {
            self.close_duplicate(n, item, loser, &winner.key, out);
        }
    }

    /// Creates once more the items whose first create was lost and never showed up.
    pub(super) fn recreate(&self, items: &[Item], retry: Vec<Work>, out: &Mutex<Out>) -> Vec<Work> {
        let mut again = Vec::new();
        for w in retry {
            let mut fields = self.create_fields(&items[w.item]);
            for name in &w.left_out {
                if let Some(map) = fields.as_object_mut() {
                    map.remove(*name);
                }
            }
            match self.client.create_issue(&fields) {
                Ok(c) => again.push(Work {
                    pending: Pending::Created {
                        id: c.id,
                        key: c.key,
                    },
                    ..w
                }),
                Err(e) if ambiguous(&e) => again.push(Work {
                    pending: Pending::Unknown(e),
                    ..w
                }),
                Err(e) => lock(out).errors.push(e),
            }
        }
        again
    }
}

fn own_issue(id: u64, key: &str, label: &str) -> Issue {
    Issue {
        id,
        key: key.to_string(),
        labels: vec![label.to_string()],
        status: String::new(),
        status_category: "new".into(),
        resolved: None,
        summary: String::new(),
    }
}
