//! Bug filing: carries out a `JiraPlan` against Jira and converges to one open bug per test.
//!
//! Owns the order of work, not the rules (`dedup.rs` decides). Phases:
//! 1. lookup: one search per batch of ≤50 labels per project, all statuses;
//! 2. per test (bounded parallelism): comment on the open bug once per run, reopen, or create;
//!    raced duplicates seen in the lookup are closed; what it would create is searched again
//!    after a jittered pause first, so parallel jobs of one CI run see each other's bugs
//!    (`recheck_pause`, measured in benches/README.md);
//! 3. convergence for everything created (`file/converge.rs`): batched searches with
//!    `reconcileIssues` (Cloud: several rounds, since a racing run's issue may lag); the lowest
//!    open id wins, the others are closed as duplicates. A create whose answer was lost is found
//!    by label before anything is created again;
//! 4. close on pass.
//!
//! In a dry run only the lookup and comment reads happen; actions say what would be done.
//! What a new bug or a comment says is built in `file/fields.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use time::OffsetDateTime;

use super::body;
use super::client::{Client, Issue};
use super::dedup::{self, Decision, Policy};
use super::jql;
use super::ops::{self, Closed, Commented, Target};
use crate::error::ApiError;
use crate::http::Http;
use crate::plan::{BugFields, BugReport, IssueKey, JiraPlan, Tests};
use crate::settings::JiraSettings;

pub use super::receipt::{ActionKind, BugAction, JiraReceipt};

mod converge;
mod fields;
mod landed;

use converge::{Pending, Work};
pub use fields::summary;
pub use landed::{link_landed, tests_to_link};

/// Files, comments, links and closes bugs for `plan`. Never panics on server answers; every
/// failure lands in `errors` and the rest of the plan still runs.
pub fn run(
    http: &Http,
    settings: &JiraSettings,
    plan: &JiraPlan,
    tests: Tests<'_>,
    dry_run: bool,
    progress: &mut dyn FnMut(&str),
) -> JiraReceipt {
    run_at(
        http,
        settings,
        plan,
        tests,
        dry_run,
        OffsetDateTime::now_utc(),
        progress,
    )
}

/// [`run`] with the "now" for the reopen window given (tests pin it).
pub fn run_at(
    http: &Http,
    settings: &JiraSettings,
    plan: &JiraPlan,
    tests: Tests<'_>,
    dry_run: bool,
    now: OffsetDateTime,
    progress: &mut dyn FnMut(&str),
) -> JiraReceipt {
    let client = Client::new(http, settings);
    let filer = Filer {
        client: &client,
        http,
        settings,
        plan,
        dry_run,
        policy: Policy {
            reopen_within_days: settings.reopen_within_days,
            now,
        },
    };
    filer.run(&items(plan, tests), progress)
}

/// `plan` with every Xray key `verified` does not confirm taken out of it: such a key is not
/// linked to a bug (its bug is still filed, without the link), and a passing test naming it
/// closes nothing. A result file can name any issue in `test_key`; only a key checked to be a
/// Test of the Xray project may steer a write to another issue.
///
/// Borrowed as it is when every key is verified (the usual case): a large run's plan is not
/// copied for nothing.
pub fn only_verified_keys<'p>(
    plan: &'p JiraPlan,
    tests: Tests<'_>,
    verified: &dyn Fn(&str) -> bool,
) -> std::borrow::Cow<'p, JiraPlan> {
    let unverified = |k: Option<&IssueKey>| k.is_some_and(|k| !verified(k.as_str()));
    let changes = plan
        .intents
        .iter()
        .any(|i| unverified(i.report.xray_key.as_ref()))
        || plan
            .close_on_pass
            .iter()
            .any(|p| unverified(tests.try_get(p.test).and_then(|t| t.key())));
    if !changes {
        return std::borrow::Cow::Borrowed(plan);
    }
    let mut out = plan.clone();
    for intent in &mut out.intents {
        if intent
            .report
            .xray_key
            .as_ref()
            .is_some_and(|k| !verified(k.as_str()))
        {
            intent.report.xray_key = None;
        }
    }
    out.close_on_pass
        .retain(|p| match tests.try_get(p.test).and_then(|t| t.key()) {
            Some(k) => verified(k.as_str()),
            None => true,
        });
    std::borrow::Cow::Owned(out)
}

/// One bug to keep: a failing test's, or the umbrella issue.
struct Item<'a> {
    /// `None` for the umbrella.
    test: Option<usize>,
    /// Tests whose `defects` get this bug's key.
    tests: Vec<usize>,
    test_id: Option<String>,
    label: String,
    fields: &'a BugFields,
    report: Option<&'a BugReport>,
    umbrella_lines: Vec<(String, Option<String>, Option<IssueKey>)>,
}

fn items<'a>(plan: &'a JiraPlan, tests: Tests<'a>) -> Vec<Item<'a>> {
    let mut out: Vec<Item> = plan
        .intents
        .iter()
        .map(|i| Item {
            test: Some(i.test),
            tests: vec![i.test],
            test_id: Some(i.report.test_id.clone()),
            label: jql::label(&i.label),
            fields: &i.fields,
            report: Some(&i.report),
            umbrella_lines: Vec::new(),
        })
        .collect();
    if let Some(u) = &plan.umbrella {
        out.push(Item {
            test: None,
            tests: u.tests.clone(),
            test_id: None,
            label: jql::label(&u.label),
            fields: &u.fields,
            report: None,
            umbrella_lines: u
                .tests
                .iter()
                .filter_map(|&t| tests.try_get(t))
                .map(|t| (t.test_id().into_owned(), t.message(), t.key().cloned()))
                .collect(),
        });
    }
    out
}

/// The running result, shared by worker threads.
#[derive(Default)]
struct Out {
    actions: Vec<(usize, usize, BugAction)>,
    keys: BTreeMap<usize, Vec<IssueKey>>,
    errors: Vec<ApiError>,
    work: Vec<Work>,
    /// Items the first search decided to create: re-checked after a jittered pause first.
    deferred: Vec<(usize, Option<Issue>)>,
}

struct Filer<'a> {
    client: &'a Client<'a>,
    http: &'a Http,
    settings: &'a JiraSettings,
    plan: &'a JiraPlan,
    dry_run: bool,
    policy: Policy,
}

impl Filer<'_> {
    fn run(&self, items: &[Item], progress: &mut dyn FnMut(&str)) -> JiraReceipt {
        let out = Mutex::new(Out::default());
        let passing: Vec<(String, String)> = if self.settings.close_on_pass {
            self.plan
                .close_on_pass
                .iter()
                .map(|p| (p.project.clone(), jql::label(&p.label)))
                .collect()
        } else {
            Vec::new()
        };
        let lookups: Vec<(String, String)> = items
            .iter()
            .map(|i| (i.fields.project.clone(), i.label.clone()))
            .chain(passing.iter().cloned())
            .collect();
        if lookups.is_empty() {
            return JiraReceipt::default();
        }
        let queries = queries(&lookups);
        progress(&format!(
            "jira: looking up {} label(s) in {} search(es)",
            lookups.len(),
            queries.len()
        ));
        let (found, failed) = self.search_all(&queries, &[], &out);

        // Phase 2: one decision per item.
        par_for(items.len(), self.settings.parallelism, |n| {
            let item = &items[n];
            if failed.contains(&item.label.to_lowercase()) {
                self.push(
                    &out,
                    n,
                    item,
                    ActionKind::Skipped,
                    None,
                    Some(
                        "the label search failed, so xray-sync cannot know whether a bug exists"
                            .into(),
                    ),
                );
                return;
            }
            let found = found
                .get(&item.fields.project)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            self.handle(n, item, found, &out, true);
        });

        // Phase 2b: before creating, wait a jittered moment and search again, so jobs of one CI
        // run that failed the same tests at the same moment see each other's creates (as far
        // as search allows; convergence below settles the rest).
        let deferred = std::mem::take(&mut lock(&out).deferred);
        if !deferred.is_empty() {
            let wait = recheck_pause(self.client.product(), jitter());
            progress(&format!(
                "jira: {} new bug(s) to file; searching again in {} ms in case a parallel job filed them",
                deferred.len(),
                wait.as_millis()
            ));
            crate::stop::sleep_unless_stopped(wait, std::thread::sleep);
            let lookups: Vec<(String, String)> = deferred
                .iter()
                .map(|(n, _)| (items[*n].fields.project.clone(), items[*n].label.clone()))
                .collect();
            let (again, failed_again) = self.search_all(&self::queries(&lookups), &[], &out);
            par_for(deferred.len(), self.settings.parallelism, |d| {
                let (n, related_done) = &deferred[d];
                let item = &items[*n];
                let found = again
                    .get(&item.fields.project)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let theirs = found.iter().any(|i| {
                    i.labels.iter().any(|l| l.eq_ignore_ascii_case(&item.label)) && !i.is_done()
                });
                if failed_again.contains(&item.label.to_lowercase()) || !theirs {
                    // Nothing new (or cannot tell): the first decision stands.
                    self.create(*n, item, related_done.clone(), &out);
                } else {
                    self.handle(*n, item, found, &out, false);
                }
            });
        }

        // Phase 3: convergence for what was created (or may have been).
        let work = std::mem::take(&mut lock(&out).work);
        if !work.is_empty() {
            progress(&format!(
                "jira: checking {} new issue(s) for raced duplicates",
                work.len()
            ));
            let retry = self.converge(items, work, &out);
            if !retry.is_empty() {
                let again = self.recreate(items, retry, &out);
                let left = self.converge(items, again, &out);
                for w in left {
                    if let Pending::Unknown(e) = w.pending {
                        lock(&out).errors.push(e);
                    }
                }
            }
        }

        // Phase 4: close on pass.
        if !passing.is_empty() {
            par_for(passing.len(), self.settings.parallelism, |n| {
                let (project, label) = &passing[n];
                if failed.contains(&label.to_lowercase()) {
                    return;
                }
                let found = found.get(project).map(Vec::as_slice).unwrap_or(&[]);
                self.close_on_pass(n, &self.plan.close_on_pass[n], label, found, &out);
            });
        }

        let mut out = out.into_inner().unwrap_or_else(|p| p.into_inner());
        out.actions.sort_by_key(|(item, seq, _)| (*item, *seq));
        let actions: Vec<BugAction> = out.actions.into_iter().map(|(_, _, a)| a).collect();
        for a in &actions {
            progress(&format!("jira: {}", a.line()));
        }
        for keys in out.keys.values_mut() {
            keys.sort();
            keys.dedup();
        }
        JiraReceipt {
            actions,
            bug_keys: out.keys,
            errors: out.errors,
        }
    }

    /// Runs every query (bounded parallelism). Returns issues by project, and the lowercase
    /// labels whose search failed (their items must not create: that could duplicate).
    fn search_all(
        &self,
        queries: &[(String, Vec<String>)],
        reconcile: &[Vec<u64>],
        out: &Mutex<Out>,
    ) -> (BTreeMap<String, Vec<Issue>>, BTreeSet<String>) {
        let results = par_map(queries.len(), self.settings.parallelism, |n| {
            let (project, labels) = &queries[n];
            let ids = reconcile.get(n).map(Vec::as_slice).unwrap_or(&[]);
            self.client.search(&jql::labels_query(project, labels), ids)
        });
        let mut found: BTreeMap<String, Vec<Issue>> = BTreeMap::new();
        let mut failed = BTreeSet::new();
        for ((project, labels), result) in queries.iter().zip(results) {
            match result {
                Ok(issues) => found.entry(project.clone()).or_default().extend(issues),
                Err(e) => {
                    failed.extend(labels.iter().map(|l| l.to_lowercase()));
                    lock(out).errors.push(e);
                }
            }
        }
        (found, failed)
    }

    /// One decision; with `defer`, a create is only recorded for the re-check (phase 2b).
    fn handle(&self, n: usize, item: &Item, found: &[Issue], out: &Mutex<Out>, defer: bool) {
        match dedup::decide(&item.label, found, &self.policy) {
            Decision::Comment { target, duplicates } => {
                self.note_key(out, item, &target.key);
                self.comment(n, item, &target, false, out);
                for dup in &duplicates {
                    self.close_duplicate(n, item, dup, &target.key, out);
                }
            }
            Decision::Reopen { target } => {
                if self.dry_run {
                    self.note_key(out, item, &target.key);
                    return self.push(
                        out,
                        n,
                        item,
                        ActionKind::WouldReopen,
                        Some(&target.key),
                        Some(format!("resolved {}", target.status)),
                    );
                }
                match ops::move_to(self.client, &target.key, Target::Open) {
                    Ok(_) => {
                        self.note_key(out, item, &target.key);
                        self.push(out, n, item, ActionKind::Reopened, Some(&target.key), None);
                        self.comment(n, item, &target, true, out);
                        self.link_test(n, item, &target.key, out);
                    }
                    Err(e) => {
                        // No way back to an open status: file a new bug linked to it instead.
                        lock(out).errors.push(e);
                        self.create(n, item, Some(target), out);
                    }
                }
            }
            Decision::Create { related_done } if defer && !self.dry_run => {
                lock(out).deferred.push((n, related_done))
            }
            Decision::Create { related_done } => self.create(n, item, related_done, out),
        }
    }

    fn comment(&self, n: usize, item: &Item, target: &Issue, reopened: bool, out: &Mutex<Out>) {
        let marker = &self.plan.run_marker;
        let created_here = self.run_label();
        if !marker.is_empty()
            && target
                .labels
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&created_here))
        {
            // This CI run filed the bug (an earlier invocation, a parallel job): saying it
            // "failed again" in the same run would only be noise.
            return self.push(
                out,
                n,
                item,
                ActionKind::Skipped,
                Some(&target.key),
                Some(format!("created in this CI run ({marker})")),
            );
        }
        if self.dry_run {
            let (kind, detail) = match ops::has_marker(self.client, &target.key, marker) {
                Ok(true) => (
                    ActionKind::Skipped,
                    Some(format!("already commented in run {marker}")),
                ),
                Ok(false) => (ActionKind::WouldComment, None),
                Err(e) => {
                    lock(out).errors.push(e);
                    (
                        ActionKind::WouldComment,
                        Some("could not read its comments".into()),
                    )
                }
            };
            return self.push(out, n, item, kind, Some(&target.key), detail);
        }
        let body = self
            .client
            .rich_text(self.comment_blocks(item, target, reopened));
        match ops::comment_once(self.client, &target.key, marker, &body) {
            Ok(Commented::Added) => {
                self.push(out, n, item, ActionKind::Commented, Some(&target.key), None)
            }
            Ok(Commented::AlreadyThere) => self.push(
                out,
                n,
                item,
                ActionKind::Skipped,
                Some(&target.key),
                Some(format!("already commented in run {marker}")),
            ),
            Err(e) => lock(out).errors.push(e),
        }
    }

    fn create(&self, n: usize, item: &Item, related_done: Option<Issue>, out: &Mutex<Out>) {
        if self.dry_run {
            let detail = related_done
                .as_ref()
                .map(|d| format!("{} {}", self.settings.done_link_type, d.key));
            return self.push(out, n, item, ActionKind::WouldCreate, None, detail);
        }
        let mut fields = self.create_fields(item);
        let mut created = self.client.create_issue(&fields);
        // An optional field Jira refuses (an assignee that is no user here, a priority or
        // component the project lacks) costs only itself: the bug is filed without it, and
        // the action says so.
        let mut left_out: Vec<&'static str> = Vec::new();
        let mut why = Vec::new();
        // Jira names every refused field at once; a site that names one at a time still ends
        // within one try per optional field.
        while let Err(e) = &created
            && let Some(refused) = refused_optional_fields(e, &fields)
        {
            for name in &refused {
                if let Some(map) = fields.as_object_mut() {
                    map.remove(*name);
                }
            }
            why.push(crate::untrusted::block(&e.to_string(), 300));
            left_out.extend(refused);
            created = self.client.create_issue(&fields);
        }
        let dropped = (!left_out.is_empty()).then(|| {
            format!(
                "filed without its {}: Jira refused {} ({})",
                left_out.join(", "),
                if left_out.len() == 1 { "it" } else { "them" },
                why.join("; ")
            )
        });
        let pending = match created {
            Ok(c) => Pending::Created {
                id: c.id,
                key: c.key,
            },
            Err(e) if ambiguous(&e) => Pending::Unknown(e),
            Err(e) => return lock(out).errors.push(e),
        };
        lock(out).work.push(Work {
            item: n,
            pending,
            related_done,
            left_out,
            dropped,
        });
    }

    fn close_duplicate(
        &self,
        n: usize,
        item: &Item,
        loser: &Issue,
        winner: &str,
        out: &Mutex<Out>,
    ) {
        if self.dry_run {
            return self.push(
                out,
                n,
                item,
                ActionKind::WouldClose,
                Some(&loser.key),
                Some(format!("duplicate of {winner}")),
            );
        }
        let comment = self
            .client
            .rich_text(body::duplicate_of(winner, &item.label));
        match ops::close_duplicate(
            self.client,
            loser,
            winner,
            &self.settings.duplicate_link_type,
            &comment,
        ) {
            Ok(Closed::Closed) => self.push(
                out,
                n,
                item,
                ActionKind::ClosedAsDuplicate,
                Some(&loser.key),
                Some(format!("duplicate of {winner}")),
            ),
            Ok(Closed::AlreadyDone) => {}
            Err(e) => lock(out).errors.push(e),
        }
    }

    fn close_on_pass(
        &self,
        n: usize,
        passing: &crate::plan::PassingTest,
        label: &str,
        found: &[Issue],
        out: &Mutex<Out>,
    ) {
        let seq_base = usize::MAX / 2 + n;
        // Only bugs this tool filed for this test: its dedup label and the marker label.
        let marker = &self.settings.marker_label;
        let ours = |i: &&Issue| {
            !marker.is_empty() && i.labels.iter().any(|l| l.eq_ignore_ascii_case(marker))
        };
        for issue in dedup::open_with_label(label, found)
            .into_iter()
            .filter(ours)
        {
            let action = |kind, detail: Option<String>| BugAction {
                kind,
                test: Some(passing.test),
                test_id: None,
                label: label.to_string(),
                key: IssueKey::parse(&issue.key),
                url: Some(self.client.browse_url(&issue.key)),
                detail,
            };
            if self.dry_run {
                push_raw(
                    out,
                    seq_base,
                    action(ActionKind::WouldClose, Some("the test passed".into())),
                );
                continue;
            }
            let body = self.client.rich_text(body::passed(&self.plan.run_marker));
            let result = ops::comment_once(self.client, &issue.key, &self.plan.run_marker, &body)
                .and_then(|_| ops::move_to(self.client, &issue.key, Target::Done));
            match result {
                Ok(_) => push_raw(out, seq_base, action(ActionKind::ClosedOnPass, None)),
                Err(e) => lock(out).errors.push(e),
            }
        }
    }

    fn link_test(&self, n: usize, item: &Item, bug: &str, out: &Mutex<Out>) {
        let link = &self.settings.test_link_type;
        let Some(test) = item.report.and_then(|r| r.xray_key.as_ref()) else {
            return;
        };
        if link.is_empty() {
            return;
        }
        // "Test tests Bug": the Test is the inward issue of the outward phrase.
        match self.client.link(link, test.as_str(), bug) {
            Ok(()) => self.push(
                out,
                n,
                item,
                ActionKind::Linked,
                Some(bug),
                Some(format!("{link} {test}")),
            ),
            Err(e) => lock(out).errors.push(e),
        }
    }

    fn note_key(&self, out: &Mutex<Out>, item: &Item, key: &str) {
        let Some(key) = IssueKey::parse(key) else {
            return;
        };
        let mut o = lock(out);
        for &t in &item.tests {
            o.keys.entry(t).or_default().push(key.clone());
        }
    }

    fn push(
        &self,
        out: &Mutex<Out>,
        n: usize,
        item: &Item,
        kind: ActionKind,
        key: Option<&str>,
        detail: Option<String>,
    ) {
        let action = BugAction {
            kind,
            test: item.test,
            test_id: item.test_id.clone(),
            label: item.label.clone(),
            key: key.and_then(IssueKey::parse),
            url: key.map(|k| self.client.browse_url(k)),
            detail,
        };
        push_raw(out, n, action);
    }
}

fn push_raw(out: &Mutex<Out>, order: usize, action: BugAction) {
    let mut o = lock(out);
    let seq = o.actions.len();
    o.actions.push((order, seq, action));
}

/// A create that may have happened: the request went out and the answer was lost, or a gateway
/// failed in front of Jira.
/// The pause before the re-check: a fixed part (Cloud's search lags its writes) and a spread
/// that parallel jobs draw from at random, so their re-checks and creates come one after the
/// other rather than at once.
fn recheck_pause(product: crate::settings::Product, jitter: f64) -> std::time::Duration {
    let (base, spread) = match product {
        crate::settings::Product::Cloud => (1000.0, 2000.0),
        crate::settings::Product::Dc => (100.0, 1500.0),
    };
    std::time::Duration::from_millis((base + spread * jitter.clamp(0.0, 1.0)) as u64)
}

/// A number in [0, 1) that differs between processes and threads started at the same moment.
fn jitter() -> f64 {
    use sha2::{Digest, Sha256};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(format!("{:?}", std::thread::current().id()).as_bytes());
    let d = h.finalize();
    let n = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
    f64::from(n) / (f64::from(u32::MAX) + 1.0)
}

/// The optional bug fields (`assignee`, `priority`, `components`) that `fields` sets and that a
/// refused create names (Jira's `errors` object: `assignee: Specify a valid value …`); `None`
/// when the refusal is about anything else, which dropping fields would not mend.
fn refused_optional_fields(e: &ApiError, fields: &serde_json::Value) -> Option<Vec<&'static str>> {
    let ApiError::Rejected {
        status: 400,
        detail,
        ..
    } = e
    else {
        return None;
    };
    let named: Vec<&'static str> = ["assignee", "priority", "components"]
        .into_iter()
        .filter(|f| fields.get(*f).is_some())
        .filter(|f| {
            detail
                .split("; ")
                .any(|part| part.starts_with(&format!("{f}: ")))
        })
        .collect();
    (!named.is_empty()).then_some(named)
}

fn ambiguous(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Network {
            maybe_applied: true,
            ..
        } | ApiError::Server {
            status: 502..=504,
            ..
        }
    )
}

fn queries(lookups: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut by_project: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (project, label) in lookups {
        by_project.entry(project).or_default().push(label.clone());
    }
    by_project
        .into_iter()
        .flat_map(|(project, labels)| {
            jql::batches(labels)
                .into_iter()
                .map(move |b| (project.to_string(), b))
        })
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f(0..n)` on at most `workers` scoped threads.
fn par_for(n: usize, workers: usize, f: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    let workers = workers.clamp(1, n.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    f(i);
                }
            });
        }
    });
}

/// `f(0..n)` on at most `workers` threads, results in index order.
fn par_map<R: Send>(n: usize, workers: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let slots: Vec<Mutex<Option<R>>> = (0..n).map(|_| Mutex::new(None)).collect();
    par_for(n, workers, |i| *lock(&slots[i]) = Some(f(i)));
    slots
        .into_iter()
        .filter_map(|s| s.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Service;

    #[test]
    fn queries_group_by_project_and_batch() {
        let mut lookups: Vec<(String, String)> = (0..120)
            .map(|i| ("P".to_string(), format!("xs-{i}")))
            .collect();
        lookups.push(("Q".into(), "xs-0".into()));
        let q = queries(&lookups);
        assert_eq!(q.len(), 4);
        assert_eq!(q[3], ("Q".to_string(), vec!["xs-0".to_string()]));
    }

    #[test]
    fn par_map_keeps_order_and_bounds() {
        let r = par_map(100, 4, |i| i * 2);
        assert_eq!(r, (0..100).map(|i| i * 2).collect::<Vec<_>>());
        assert!(par_map(0, 4, |i| i).is_empty());
    }

    #[test]
    fn recheck_pauses_spread_jobs_apart() {
        use crate::settings::Product;
        let ms = |p, j| recheck_pause(p, j).as_millis();
        assert_eq!(
            (ms(Product::Dc, 0.0), ms(Product::Dc, 0.999_999)),
            (100, 1599)
        );
        assert_eq!(
            (ms(Product::Cloud, 0.0), ms(Product::Cloud, 0.5)),
            (1000, 2000)
        );
        let j = jitter();
        assert!((0.0..1.0).contains(&j), "{j}");
    }

    #[test]
    fn only_lost_answers_are_ambiguous() {
        let net = |maybe_applied| ApiError::Network {
            service: Service::Jira,
            url: "u".into(),
            detail: "d".into(),
            maybe_applied,
        };
        assert!(ambiguous(&net(true)));
        assert!(!ambiguous(&net(false)));
        let server = |status| ApiError::Server {
            service: Service::Jira,
            status,
            detail: String::new(),
        };
        assert!(ambiguous(&server(504)));
        assert!(!ambiguous(&server(500)));
    }
}
