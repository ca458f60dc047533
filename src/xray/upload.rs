//! Carries out an `XrayPlan`: resolves mapped Test keys, reads evidence, links defects, sends the
//! chunks (first creates or appends, the rest append), never duplicates an execution, reports
//! progress per chunk, and spools what could not be sent. Produces an `XrayReceipt`.
//!
//! Policy decisions that live here (and why):
//! - One execution per CI run: the run marker label is the CI run's identity
//!   (`settings::run_identity`), looked up before creating (found → append). Without one (no CI
//!   run id, `--new-execution-per-invocation`) the marker is unique to this invocation.
//! - After creating under an identity, the marker is searched again (`converge`): jobs that
//!   raced and both created settle on the lowest issue number; the loser re-sends its results
//!   into the winner before emptying its own execution, so nothing is lost on the way.
//! - Creating goes through the multipart import so the new execution carries the run marker
//!   label. When the create ends ambiguously (connection broken after sending, timeout, 502/503/
//!   504), the marker is looked up before anything is re-sent: found → continue with that key.
//! - Appends (`testExecutionKey` set) are idempotent in Xray (one run per Test per execution is
//!   updated), so they go out as `Call::Read` and the shared policy may retry them. The one
//!   non-idempotent part is evidence, which a retried append may attach twice; that is accepted
//!   over losing results.
//! - DC: the multipart `info` has no `xrayFields`, so the plan is linked after the create
//!   (`/api/testplan/{plan}/testexecution`), and the Xray JSON `info` (environments, revision,
//!   version, plan) rides on the first chunk's `result` part and on every appended chunk.
//! - Keys are checked before anything is sent (`check_plan_keys`, see `keys.rs`); a stale key's
//!   results go by their definition, or under `strict_keys` nothing is sent.
//! - Nothing is re-sent after a 400/403/404: the unsent chunks are spooled. One exception: an
//!   import refusing a `testKey` (`Test with key … not found`) has that key's results sent by
//!   definition and the unsent chunks sent once more, so one stale key never costs the run; one
//!   refusing a Test Environment the Cloud project does not have (`the following environments
//!   dont exist …`) has the unsent chunks sent once more without it, with a warning.
//! - Evidence goes in last, while the encoded request stays under `chunk.max_bytes`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::ReportError;
use crate::http::Http;
use crate::plan::{ChunkTest, ExecutionTarget, IssueKey, ResultSource, Tests, XrayPlan};
use crate::settings::{OutputSettings, Product, XraySettings};
use crate::spool;
use crate::xray::client::{Client, creation_info};
use crate::xray::evidence::{EvidenceReader, SkippedEvidence};
use crate::xray::keys::{self, KeyCheck};
use crate::xray::payload::{ImportDoc, Info, TestInfo, TestType};
pub(crate) use crate::xray::send::{Job, SendOutcome, send_chunks};

/// What happened to one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChunkStatus {
    Sent,
    /// Written to the spool directory for `xray-sync resend`.
    Spooled,
    /// Neither sent nor spooled (the run stopped before it, e.g. under `--strict-keys`).
    NotSent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChunkReceipt {
    pub index: usize,
    pub tests: usize,
    pub status: ChunkStatus,
}

/// A mapped key that is not a usable Test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleKey {
    pub key: String,
    /// `not found` or `is a <type>, not a Test`.
    pub reason: String,
    /// True when its results went with their definition instead (false under `--strict-keys`).
    pub fell_back: bool,
}

/// What the Xray upload did. Serialized as the report's `xray` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XrayReceipt {
    pub product: Product,
    /// The execution holding the results (created or appended to), once known.
    pub execution: Option<IssueKey>,
    /// True when this run (or resend) created the execution.
    pub created: bool,
    /// The run marker label put on a created execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker_label: Option<String>,
    pub chunks: Vec<ChunkReceipt>,
    pub tests_sent: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_keys: Vec<StaleKey>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_skipped: Vec<SkippedEvidence>,
    /// Test id → the Test its result landed on, for results sent by definition whose Test was
    /// looked up after the import (so their bugs could be linked to it).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub test_keys: BTreeMap<String, String>,
    /// Test Set key → how many of the run's Tests were added to it (`xray::organize`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub test_sets: BTreeMap<String, usize>,
    /// Repository folder → how many of the run's Tests were placed in it (`xray::folders`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub folders: BTreeMap<String, usize>,
    /// Requirement keys left out of the import and links made after it (`xray::requirements`).
    #[serde(skip_serializing_if = "crate::xray::requirements::RequirementReceipt::is_empty")]
    pub requirements: crate::xray::requirements::RequirementReceipt,
    pub warnings: Vec<String>,
    pub errors: Vec<ReportError>,
    /// The Jira site the import answers named (Cloud's `self` link), so an Xray-only run can
    /// still link the execution. Not part of the report's schema.
    #[serde(skip)]
    pub site: Option<String>,
    /// Set when unsent chunks were written for `xray-sync resend`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spool: Option<PathBuf>,
    /// Set when this run created an execution at the same time as another job of its CI run
    /// and lost: its results went to `winner`, and this execution was emptied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<DuplicateExecution>,
}

/// An execution this run created and then gave up for its CI run's older one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateExecution {
    pub key: IssueKey,
    pub winner: IssueKey,
    pub reason: String,
    /// Every Test was removed from it.
    pub emptied: bool,
    /// Relabelled `<marker>-duplicate` (DC with the Xray credentials; Cloud through the Jira
    /// settings, see `commands::execution::relabel_duplicate`).
    pub labelled: bool,
    /// Why it still carries the run marker label, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlabelled_reason: Option<String>,
}

impl XrayReceipt {
    pub fn new(product: Product) -> XrayReceipt {
        XrayReceipt {
            product,
            execution: None,
            created: false,
            marker_label: None,
            chunks: Vec::new(),
            tests_sent: 0,
            stale_keys: Vec::new(),
            evidence_skipped: Vec::new(),
            test_keys: BTreeMap::new(),
            test_sets: BTreeMap::new(),
            folders: BTreeMap::new(),
            requirements: Default::default(),
            warnings: Vec::new(),
            errors: Vec::new(),
            site: None,
            spool: None,
            duplicate: None,
        }
    }

    /// True when Xray rejected or could not be reached (exit code 4).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A fresh run marker label: `xray-sync-run-` and 16 hex digits from the clock, the process id
/// and a counter. Unique per run, so a search by it finds only this run's execution.
pub fn new_marker() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::SeqCst).to_le_bytes());
    let local = 0u8;
    h.update((&local as *const u8 as usize).to_le_bytes());
    let hex: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("xray-sync-run-{hex}")
}

/// Uploads `plan`. Never panics; every failure ends up in the receipt (and the spool).
/// Evidence is read from inside `output.workspace` only; use [`run_with_roots`] to also allow
/// the results directories. `results` builds each chunk's import results when it is sent
/// (`plan::RunResults` for a real run).
#[allow(clippy::too_many_arguments)]
pub fn run(
    http: &Http,
    settings: &XraySettings,
    output: &OutputSettings,
    plan: &XrayPlan,
    tests: Tests<'_>,
    results: &dyn ResultSource,
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    progress: &mut dyn FnMut(&str),
) -> XrayReceipt {
    run_with_roots(
        http,
        settings,
        output,
        plan,
        tests,
        results,
        defects,
        &[],
        progress,
    )
}

/// [`run`], with the results directories too (only those inside the workspace count; see
/// `evidence::evidence_roots`).
#[allow(clippy::too_many_arguments)]
pub fn run_with_roots(
    http: &Http,
    settings: &XraySettings,
    output: &OutputSettings,
    plan: &XrayPlan,
    tests: Tests<'_>,
    results: &dyn ResultSource,
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    evidence_roots: &[PathBuf],
    progress: &mut dyn FnMut(&str),
) -> XrayReceipt {
    let keys = check_plan_keys(
        http,
        settings,
        plan,
        tests,
        std::slice::from_ref(&settings.project),
        progress,
    );
    run_checked(
        http,
        settings,
        output,
        plan,
        tests,
        results,
        defects,
        evidence_roots,
        &keys,
        progress,
    )
}

/// The key check of a plan, done once before anything is sent (bug filing included: only
/// verified keys are linked to bugs or used to close them).
#[derive(Debug, Default)]
pub struct PlanKeys {
    /// The client the check used, so the upload reuses its token (one authentication a run).
    client: Option<Client>,
    pub check: KeyCheck,
    /// Set when the lookup failed: the keys could not be checked and are sent as they are,
    /// but none of them counts as verified.
    pub unchecked: Option<String>,
}

impl PlanKeys {
    /// The client the check authenticated, for later calls of the same run.
    pub(crate) fn client(&self) -> Option<&Client> {
        self.client.as_ref()
    }

    /// True when `--strict-keys` must stop the run before anything is sent.
    pub fn blocks(&self, settings: &XraySettings) -> bool {
        settings.strict_keys && !self.check.stale.is_empty()
    }
}

/// Looks up every mapped key of `plan` (batched, stale keys dropped and asked again); a key
/// counts only as a Test of one of `projects` (the Xray project and the mapping's project keys).
pub fn check_plan_keys(
    http: &Http,
    settings: &XraySettings,
    plan: &XrayPlan,
    tests: Tests<'_>,
    projects: &[String],
    progress: &mut dyn FnMut(&str),
) -> PlanKeys {
    let mapped: BTreeSet<String> = plan
        .chunks
        .iter()
        .flat_map(|c| c.tests.iter())
        .filter_map(|t| planned_key(tests, t).map(str::to_string))
        .collect();
    if mapped.is_empty() {
        return PlanKeys::default();
    }
    if crate::stop::requested() {
        // A stopping run sends nothing more: the keys stay unchecked (none counts as verified)
        // and every chunk is spooled as planned.
        return PlanKeys {
            client: None,
            check: KeyCheck::default(),
            unchecked: Some("not checked: the run is stopping".into()),
        };
    }
    let client = Client::new(http, settings);
    match keys::check(&client, &mapped, projects) {
        Ok(check) => PlanKeys {
            client: Some(client),
            check,
            unchecked: None,
        },
        Err(e) => {
            let line =
                format!("could not check the mapped Test keys, sending them as they are: {e}");
            progress(&format!("Xray: warning: {line}"));
            PlanKeys {
                client: Some(client),
                check: KeyCheck::default(),
                unchecked: Some(line),
            }
        }
    }
}

/// [`run_with_roots`] with the key check already done.
#[allow(clippy::too_many_arguments)]
pub fn run_checked(
    http: &Http,
    settings: &XraySettings,
    output: &OutputSettings,
    plan: &XrayPlan,
    tests: Tests<'_>,
    results: &dyn ResultSource,
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    evidence_roots: &[PathBuf],
    keys: &PlanKeys,
    progress: &mut dyn FnMut(&str),
) -> XrayReceipt {
    let own;
    let client = match &keys.client {
        Some(c) => c,
        None => {
            own = Client::new(http, settings);
            &own
        }
    };
    let mut receipt = XrayReceipt::new(client.product());
    receipt.chunks = plan
        .chunks
        .iter()
        .map(|c| ChunkReceipt {
            index: c.index,
            tests: c.tests.len(),
            status: ChunkStatus::NotSent,
        })
        .collect();
    if plan.chunks.iter().all(|c| c.tests.is_empty()) {
        receipt.warnings.push("no results to send to Xray".into());
        return receipt;
    }

    // Keys first: one stale key would make Xray reject the whole import.
    let stale = record_stale(settings, keys, &mut receipt, progress);
    if keys.blocks(settings) {
        let list: Vec<&str> = stale.keys().map(String::as_str).collect();
        receipt.errors.push(ReportError {
            kind: crate::error::ErrorKind::BadInput,
            message: format!(
                "{} mapped Test key(s) do not exist or are not Tests: {} (strict keys: nothing was sent)",
                list.len(),
                list.join(", ")
            ),
            doctor_check: Some("xray.keys".into()),
        });
        return receipt;
    }

    let (info, mut append_to, labels) = target_of(settings, plan);
    // This CI run's execution: found by its marker and appended to, or created with it.
    let identity = settings
        .run_identity
        .clone()
        .filter(|_| append_to.is_none());
    let mut bodies = Bodies {
        product: client.product(),
        settings,
        plan,
        tests,
        results,
        defects,
        stale: &stale,
        refused: BTreeSet::new(),
        refused_requirements: BTreeSet::new(),
        refused_environments: BTreeSet::new(),
        info: &info,
        reader: EvidenceReader::new(&output.workspace, evidence_roots, settings.evidence),
        first_used: BTreeMap::new(),
    };
    // Bodies are built one chunk at a time when sent. Evidence that does not fit is known only
    // once a body is built, so a plan with evidence is built once up front (each body dropped
    // at once) to warn about it before anything is sent, as before.
    if plan
        .chunks
        .iter()
        .any(|c| c.tests.iter().any(|t| !t.evidence().is_empty()))
    {
        for c in &plan.chunks {
            drop(bodies.doc(c.index));
        }
    }
    let reader = &mut bodies.reader;
    if !reader.skipped.is_empty() {
        let names: Vec<String> = reader
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{} of {} ({})",
                    s.path.as_deref().unwrap_or(&s.filename),
                    s.test_id,
                    s.reason
                )
            })
            .collect();
        let line = format!(
            "evidence skipped for {} file(s): {}",
            names.len(),
            names.join("; ")
        );
        progress(&format!("Xray: warning: {line}"));
        receipt.warnings.push(line);
        receipt.evidence_skipped = std::mem::take(&mut reader.skipped);
    }

    let marker = identity.clone().unwrap_or_else(new_marker);
    if let Some(label) = &identity {
        match client.oldest_execution_by_label(label) {
            Ok(Some(key)) => {
                progress(&format!(
                    "Xray: appending to {key}, this CI run's Test Execution (run marker label {label})"
                ));
                receipt.warnings.push(format!(
                    "appended to {key}, created earlier in this CI run (same run marker label {label})"
                ));
                receipt.marker_label = Some(label.clone());
                append_to = Some(key);
            }
            Ok(None) => {}
            Err(e) => {
                // Creating now could duplicate an execution that exists: keep everything for
                // `resend`, which searches again first.
                progress(&format!(
                    "Xray: could not look for this CI run's execution ({e}); nothing was sent"
                ));
                receipt.marker_label = Some(label.clone());
                receipt.errors.push(ReportError::from_api(&e));
                let create = creation_info(client.product(), &info, &{
                    let mut all = labels.clone();
                    all.push(label.clone());
                    all
                });
                let unsent: Vec<usize> = plan.chunks.iter().map(|c| c.index).collect();
                let manifest = spool::Manifest::new(
                    client.product(),
                    &settings.project,
                    None,
                    label,
                    Some(create),
                    info.test_plan_key.clone(),
                    &e.to_string(),
                );
                spool_unsent(
                    &mut receipt,
                    &output.spool_dir,
                    manifest,
                    (&unsent, None),
                    &mut bodies,
                    progress,
                );
                return receipt;
            }
        }
    }
    let mut create = match &append_to {
        Some(_) => None,
        None => {
            let mut all = labels.clone();
            all.push(marker.clone());
            receipt.marker_label = Some(marker.clone());
            let mut create = creation_info(client.product(), &info, &all);
            crate::xray::exec_fields::apply(&mut create, &settings.execution_fields);
            Some(create)
        }
    };
    let indexes: Vec<usize> = plan.chunks.iter().map(|c| c.index).collect();
    let job = Job {
        create: create.as_ref(),
        marker: &marker,
        test_plan: info.test_plan_key.as_deref(),
    };
    // Convergence: a job that raced another one and lost re-sends its results (built again).
    let mut copy = identity.is_some() && create.is_some();
    let mut outcome = send_chunks(
        client,
        http,
        &job,
        append_to,
        &indexes,
        &mut |index| bodies.doc(index),
        progress,
    );
    // A key that passed the check (or could not be checked) and that the import still refuses
    // (deleted meanwhile, lookup down): its results go by definition and the unsent chunks are
    // sent once more, so one stale key never costs the rest of the run.
    if !settings.strict_keys
        && let Some(failure) = &outcome.failure
    {
        let refused = refused_keys(failure, &bodies, &outcome.unsent);
        // A requirement key the check let through (DC's check only sees that it exists) and
        // the import refuses: dropped from the unsent results, reported, sent again. The
        // bodies are built one at a time to find them.
        let mut requirements = BTreeSet::new();
        for &index in &outcome.unsent {
            let doc = bodies.doc(index);
            requirements.extend(crate::xray::requirements::refused(failure, &[(index, doc)]));
        }
        if !requirements.is_empty() {
            crate::xray::requirements::record_refused(
                &requirements,
                plan,
                tests,
                &mut receipt,
                progress,
            );
            bodies.refused_requirements = requirements.clone();
        }
        let environments = refused_environments(failure, &info);
        if !environments.is_empty() {
            let names: Vec<String> = environments.iter().map(|e| format!("'{e}'")).collect();
            let line = format!(
                "Xray refused the Test Environment(s) {} (not in project {}: create them in Xray, or correct XRAY_ENVIRONMENTS); the results were sent without them",
                names.join(", "),
                settings.project
            );
            progress(&format!("Xray: warning: {line}; sending again"));
            receipt.warnings.push(line);
            if let Some(create) = create.as_mut() {
                drop_environments(create, &environments);
            }
            bodies.refused_environments = environments.clone();
        }
        if !refused.is_empty() || !requirements.is_empty() || !environments.is_empty() {
            // The chunks sent first named the refused keys: no re-send into a race winner.
            if (!refused.is_empty() || !requirements.is_empty()) && std::mem::take(&mut copy) {
                receipt.warnings.push(
                    "a Test or requirement key was refused, so this run did not check for an execution another job of its CI run created at the same time".into(),
                );
            }
            if !refused.is_empty() {
                progress(&format!(
                    "Xray: the import refused {} Test key(s) ({}); their results go by definition, sending again",
                    refused.len(),
                    refused.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            for key in &refused {
                receipt.stale_keys.push(StaleKey {
                    key: key.clone(),
                    reason: "not found (refused by the import)".into(),
                    fell_back: true,
                });
            }
            bodies.refused = refused;
            let again = std::mem::take(&mut outcome.unsent);
            let retry_job = Job {
                create: if outcome.execution.is_none() {
                    create.as_ref()
                } else {
                    None
                },
                marker: &marker,
                test_plan: info.test_plan_key.as_deref(),
            };
            let second = send_chunks(
                client,
                http,
                &retry_job,
                outcome.execution.clone(),
                &again,
                &mut |index| bodies.doc(index),
                progress,
            );
            outcome.sent.extend(second.sent);
            outcome.warnings.extend(second.warnings);
            outcome.created |= second.created;
            outcome.execution = second.execution.or(outcome.execution);
            outcome.unsent = second.unsent;
            outcome.failure = second.failure;
        }
    }
    apply_outcome(&mut receipt, &outcome);
    receipt.site = client.site();
    if let (true, true, None, Some(own)) = (
        copy,
        outcome.created,
        &outcome.failure,
        outcome.execution.as_ref(),
    ) {
        converge(
            client,
            http,
            &Converge {
                marker: &marker,
                own,
                project: &settings.project,
                spool_root: &output.spool_dir,
            },
            &mut bodies,
            &indexes,
            &mut receipt,
            progress,
        );
        return receipt;
    }
    if let Some(failure) = outcome.failure {
        let manifest = spool::Manifest::new(
            client.product(),
            &settings.project,
            receipt.execution.as_ref(),
            &marker,
            create.clone(),
            info.test_plan_key.clone(),
            &failure.to_string(),
        );
        let execution = outcome.execution.clone();
        spool_unsent(
            &mut receipt,
            &output.spool_dir,
            manifest,
            (&outcome.unsent, execution.as_ref()),
            &mut bodies,
            progress,
        );
    }
    receipt
}

/// Waits between convergence searches: Xray Cloud's search lags its writes (a new execution
/// shows up in `getTestExecutions` seconds later), so the search is repeated until this job's
/// own execution is visible, which means every earlier create is too.
const CONVERGE_WAITS_MS: [u64; 6] = [300, 700, 1500, 3000, 5000, 8000];

/// Why a Cloud duplicate cannot be relabelled with the Xray credentials alone.
pub const CLOUD_LABELS_ARE_JIRA_FIELDS: &str =
    "on Xray Cloud labels are Jira fields, which the Xray API key cannot edit";

struct Converge<'a> {
    marker: &'a str,
    own: &'a IssueKey,
    project: &'a str,
    spool_root: &'a Path,
}

/// After this job created its CI run's execution: search the marker again; when another job
/// of the same run created one too, the lowest issue number wins. A loser re-sends its results
/// into the winner, empties its own execution, relabels it `<marker>-duplicate` (DC; on Cloud
/// the label is a Jira field, which `commands::execution::relabel_duplicate` sets through the
/// Jira settings) and reports it; its results are never dropped before they are in the winner.
fn converge(
    client: &Client,
    http: &Http,
    c: &Converge<'_>,
    bodies: &mut Bodies<'_>,
    indexes: &[usize],
    receipt: &mut XrayReceipt,
    progress: &mut dyn FnMut(&str),
) {
    let mut seen: Vec<IssueKey> = Vec::new();
    for wait in CONVERGE_WAITS_MS {
        if !http.pause(std::time::Duration::from_millis(wait)) {
            return;
        }
        match client.executions_by_label(c.marker) {
            Ok(found) => seen = found,
            Err(e) => {
                receipt.warnings.push(format!(
                    "could not check whether another job of this CI run also created an execution: {e}"
                ));
                return;
            }
        }
        if seen.contains(c.own) {
            break;
        }
    }
    let Some(winner) = seen.first().cloned().filter(|_| seen.contains(c.own)) else {
        receipt.warnings.push(format!(
            "{} did not show up in the search for its run marker in time; another job of this CI run may have created a second execution",
            c.own
        ));
        return;
    };
    if &winner == c.own {
        return;
    }
    progress(&format!(
        "Xray: {winner} was created first for this CI run; moving the results of {} into it",
        c.own
    ));
    let job = Job {
        create: None,
        marker: c.marker,
        test_plan: None,
    };
    let moved = send_chunks(
        client,
        http,
        &job,
        Some(winner.clone()),
        indexes,
        &mut |index| bodies.doc(index),
        progress,
    );
    if let Some(failure) = moved.failure {
        // The results stay in our own execution (nothing is emptied); the rest is spooled for
        // the winner.
        receipt.errors.push(ReportError::from_api(&failure));
        let manifest = spool::Manifest::new(
            client.product(),
            c.project,
            Some(&winner),
            c.marker,
            None,
            None,
            &failure.to_string(),
        );
        spool_unsent(
            receipt,
            c.spool_root,
            manifest,
            (&moved.unsent, Some(&winner)),
            bodies,
            progress,
        );
        return;
    }
    let emptied = match client.remove_all_tests(c.own) {
        Ok(_) => true,
        Err(e) => {
            receipt
                .warnings
                .push(format!("could not empty the duplicate {}: {e}", c.own));
            false
        }
    };
    let (labelled, unlabelled_reason) = match client.mark_duplicate(c.own, c.marker) {
        Some(Ok(())) => (true, None),
        Some(Err(e)) => {
            receipt
                .warnings
                .push(format!("could not relabel the duplicate {}: {e}", c.own));
            (false, Some(format!("relabelling failed: {e}")))
        }
        // Cloud: the command relabels it through Jira when Jira settings are given.
        None => (false, Some(CLOUD_LABELS_ARE_JIRA_FIELDS.to_string())),
    };
    let reason = format!(
        "another job of this CI run created {winner} at the same time (same run marker label {}); the lowest issue number wins",
        c.marker
    );
    receipt.warnings.push(format!(
        "{} duplicated {winner}: its results were re-sent to {winner}{}{}",
        c.own,
        if emptied { ", it was emptied" } else { "" },
        if labelled {
            format!(" and labelled {}-duplicate", c.marker)
        } else {
            String::new()
        }
    ));
    receipt.duplicate = Some(DuplicateExecution {
        key: c.own.clone(),
        winner: winner.clone(),
        reason,
        emptied,
        labelled,
        unlabelled_reason,
    });
    receipt.execution = Some(winner);
    receipt.created = false;
}

pub use crate::xray::landed::find_landed;

fn apply_outcome(receipt: &mut XrayReceipt, outcome: &SendOutcome) {
    receipt.execution = outcome.execution.clone();
    receipt.created |= outcome.created;
    receipt.warnings.extend(outcome.warnings.iter().cloned());
    for (index, n) in &outcome.sent {
        receipt.tests_sent += n;
        if let Some(c) = receipt.chunks.iter_mut().find(|c| c.index == *index) {
            c.status = ChunkStatus::Sent;
        }
    }
    if let Some(e) = &outcome.failure {
        receipt.errors.push(ReportError::from_api(e));
    }
}

/// The steps after the import (`organize::after_import`) that Tests sent later by `resend`
/// miss, in words: `resend` does the Test Sets (they need only the settings) and the folders
/// (the manifest carries them, [`spooled_folders`]). Requirement links of Tests given by key do
/// not depend on the import and are made by the run, unless it was stopped; new Tests carry
/// theirs in the import body.
fn steps_spooled_tests_miss(plan: &XrayPlan) -> Vec<String> {
    let mut steps = Vec::new();
    if crate::stop::requested() && plan.coverage.iter().any(|c| c.test_key.is_some()) {
        steps.push("the requirement links of Tests given by key".to_string());
    }
    steps
}

/// Per folder, the Tests of the `unsent` chunks' results the plan places there, named as their
/// bodies name them: the key still sent as `testKey`, else the definition (a Test sent by
/// definition, or one whose key fell back to it). `resend` finds them among the execution's
/// runs by these, as `folders::place` does.
fn spooled_folders(
    bodies: &Bodies<'_>,
    unsent: &[usize],
) -> BTreeMap<String, crate::spool::SpooledFolder> {
    let plan = bodies.plan;
    let mut out: BTreeMap<String, crate::spool::SpooledFolder> = BTreeMap::new();
    if plan.folders.is_empty() {
        return out;
    }
    let folder_of: std::collections::HashMap<usize, &str> = (plan.folders.iter())
        .flat_map(|(path, members)| members.iter().map(move |&i| (i, path.as_str())))
        .collect();
    let unsent_tests = (plan.chunks.iter())
        .filter(|c| unsent.contains(&c.index))
        .flat_map(|c| c.tests.iter());
    for ct in unsent_tests {
        let (Some(path), Some(planned)) = (folder_of.get(&ct.test), bodies.tests.try_get(ct.test))
        else {
            continue;
        };
        let folder = out.entry(path.to_string()).or_default();
        match bodies.sent_key(ct) {
            Some(key) => folder.keys.push(key.to_string()),
            None => folder.definitions.push(planned.definition().into_owned()),
        }
    }
    for folder in out.values_mut() {
        folder.keys.sort();
        folder.keys.dedup();
        folder.definitions.sort();
        folder.definitions.dedup();
    }
    out
}

/// Writes the unsent chunks (indexes, and the execution they were headed for) to a new spool
/// directory, each body built, written and dropped in turn, and records it in the receipt.
/// The manifest records the steps after the import the spooled Tests miss, and the receipt
/// says them.
fn spool_unsent(
    receipt: &mut XrayReceipt,
    spool_root: &Path,
    mut manifest: spool::Manifest,
    (unsent, execution): (&[usize], Option<&IssueKey>),
    bodies: &mut Bodies<'_>,
    progress: &mut dyn FnMut(&str),
) {
    manifest.after_import = steps_spooled_tests_miss(bodies.plan);
    manifest.folders = spooled_folders(bodies, unsent);
    let missed = (!manifest.after_import.is_empty()).then(|| {
        format!(
            "the spooled results' Tests miss {}: `resend` does not do it; after resending, run xray-sync again on the same result files with --test-execution {} to apply it",
            manifest.after_import.join(" and "),
            execution.map_or("<the execution>", |k| k.as_str())
        )
    });
    let mut docs = unsent.iter().map(|&index| {
        let mut doc = bodies.doc(index);
        doc.test_execution_key = execution.map(|k| k.as_str().to_string());
        (index, doc)
    });
    match spool::write_each(spool_root, manifest, &mut docs) {
        Ok(dir) => {
            for index in unsent {
                if let Some(c) = receipt.chunks.iter_mut().find(|c| c.index == *index) {
                    c.status = ChunkStatus::Spooled;
                }
            }
            progress(&format!(
                "Xray: {} chunk(s) not sent were saved to {}; send them later with `xray-sync resend {}`",
                unsent.len(),
                dir.display(),
                dir.display()
            ));
            receipt.spool = Some(dir);
            receipt.warnings.extend(missed);
        }
        Err(e) => receipt.errors.push(ReportError {
            kind: crate::error::ErrorKind::BadInput,
            message: format!("could not write the spool, results are lost: {e:#}"),
            doctor_check: None,
        }),
    }
}

/// The `info` for the chunks, the execution to append to (if any) and the user's labels.
fn target_of(settings: &XraySettings, plan: &XrayPlan) -> (Info, Option<IssueKey>, Vec<String>) {
    let configured = settings.test_execution.as_deref().and_then(IssueKey::parse);
    match &plan.target {
        ExecutionTarget::Append { key, info } => (info.clone(), Some(key.clone()), Vec::new()),
        ExecutionTarget::Create { info, labels } => {
            let mut all: Vec<String> = Vec::new();
            for l in labels.iter().chain(&settings.execution_labels) {
                if !all.contains(l) {
                    all.push(l.clone());
                }
            }
            (info.clone(), configured, all)
        }
    }
}

/// Puts the key check's verdicts in the receipt (once per key) and returns the stale keys with
/// their reasons.
fn record_stale(
    settings: &XraySettings,
    keys: &PlanKeys,
    receipt: &mut XrayReceipt,
    progress: &mut dyn FnMut(&str),
) -> BTreeMap<String, String> {
    if let Some(line) = &keys.unchecked {
        receipt.warnings.push(line.clone());
    }
    let stale: BTreeMap<String, String> = keys
        .check
        .stale
        .iter()
        .map(|(k, (_, reason))| (k.clone(), reason.clone()))
        .collect();
    for (key, reason) in &stale {
        receipt.stale_keys.push(StaleKey {
            key: key.clone(),
            reason: reason.clone(),
            fell_back: !settings.strict_keys,
        });
    }
    if !stale.is_empty() && !settings.strict_keys {
        // The keys themselves are listed once, in the summary's stale-key lines.
        progress(&format!(
            "Xray: {} mapped key(s) are not usable Tests; their results go by definition",
            stale.len()
        ));
    }
    stale
}

/// The Test key a chunk entry was planned with, if it goes by key.
fn planned_key<'t>(tests: Tests<'t>, ct: &ChunkTest) -> Option<&'t str> {
    tests.try_get(ct.test)?.key().map(|k| k.as_str())
}

/// Builds the import bodies, one chunk at a time, when they are sent or spooled: the plan's
/// results (from the run), stale and refused keys replaced by definitions, defects linked,
/// evidence read. The first chunk carries `info`; on DC every chunk does (see the module doc).
struct Bodies<'a> {
    product: Product,
    settings: &'a XraySettings,
    plan: &'a XrayPlan,
    tests: Tests<'a>,
    results: &'a dyn ResultSource,
    defects: &'a BTreeMap<usize, Vec<IssueKey>>,
    stale: &'a BTreeMap<String, String>,
    /// Keys the import refused although the check passed them.
    refused: BTreeSet<String>,
    /// Requirement keys the import refused: left out of `testInfo.requirementKeys`.
    refused_requirements: BTreeSet<String>,
    /// Test Environments the import refused: left out of `info.testEnvironments`.
    refused_environments: BTreeSet<String>,
    info: &'a Info,
    reader: EvidenceReader,
    /// Evidence bytes counted before each chunk was first built (`EvidenceReader::set_used`).
    first_used: BTreeMap<usize, u64>,
}

impl Bodies<'_> {
    /// The body of chunk `index`. Built again (a retry, the spool, convergence), it reads its
    /// evidence against the same run cap as the first time, so it gets the same items, and
    /// they are neither counted nor reported twice.
    fn doc(&mut self, index: usize) -> ImportDoc {
        let Some((n, chunk)) = self
            .plan
            .chunks
            .iter()
            .enumerate()
            .find(|(_, c)| c.index == index)
        else {
            return ImportDoc {
                test_execution_key: None,
                info: None,
                tests: Vec::new(),
            };
        };
        let again = self.first_used.get(&index).copied();
        let (used, skipped) = (self.reader.used(), self.reader.skipped.len());
        match again {
            Some(first) => self.reader.set_used(first),
            None => {
                self.first_used.insert(index, used);
            }
        }
        let mut results = Vec::with_capacity(chunk.tests.len());
        for ct in &chunk.tests {
            let planned = self.tests.try_get(ct.test);
            let mut result = self.results.result(ct);
            if result
                .test_key
                .as_ref()
                .is_some_and(|k| self.stale.contains_key(k) || self.refused.contains(k))
            {
                fall_back(self.product, self.settings, planned, &mut result);
                // Its requirements go with it: the link after the import skips stale keys.
                if let Some(info) = result.test_info.as_mut() {
                    info.requirement_keys = self
                        .plan
                        .coverage
                        .iter()
                        .filter(|c| c.test == ct.test)
                        .flat_map(|c| c.requirements.iter())
                        .filter(|k| !self.plan.left_out_requirements.contains(*k))
                        .cloned()
                        .collect();
                }
            }
            for bug in self.defects.get(&ct.test).into_iter().flatten() {
                if !result.defects.iter().any(|d| d == bug.as_str()) {
                    result.defects.push(bug.as_str().to_string());
                }
            }
            results.push(result);
        }
        let mut doc = ImportDoc {
            test_execution_key: None,
            info: (n == 0 || self.product == Product::Dc).then(|| {
                let mut info = self.info.clone();
                info.test_environments
                    .retain(|e| !self.refused_environments.contains(e));
                info
            }),
            tests: results,
        };
        crate::xray::requirements::strip(&mut doc, &self.refused_requirements);
        // Evidence last, against the request ceiling: the body as sent (base64 included, the
        // execution key and the multipart `info` part allowed for) never passes
        // `chunk.max_bytes`. An item that would is dropped with a warning naming its test.
        let max_bytes = self.settings.chunk.max_bytes;
        let mut bytes = crate::plan::chunk::json_size(&doc) + REQUEST_OVERHEAD;
        for (ct, result) in chunk.tests.iter().zip(doc.tests.iter_mut()) {
            let test_id = self
                .tests
                .try_get(ct.test)
                .map(|p| p.test_id())
                .unwrap_or_default();
            for ev in ct.evidence() {
                let Some(e) = self.reader.read(&test_id, ev) else {
                    continue;
                };
                let size = crate::plan::chunk::json_size(&e) + 1;
                if bytes + size > max_bytes {
                    self.reader.refuse(
                        &test_id,
                        &e.filename,
                        format!(
                            "{size} bytes as base64 would make the import request larger than its limit of {max_bytes} bytes"
                        ),
                    );
                    continue;
                }
                bytes += size;
                result.evidence.push(e);
            }
        }
        if again.is_some() {
            self.reader.set_used(used);
            self.reader.skipped.truncate(skipped);
        }
        doc
    }

    /// The Test key chunk entry `ct` still sends as `testKey` (not stale, not refused).
    fn sent_key(&self, ct: &ChunkTest) -> Option<&str> {
        planned_key(self.tests, ct)
            .filter(|k| !self.stale.contains_key(*k) && !self.refused.contains(*k))
    }
}

/// The keys `failure` names as missing Tests that some unsent result still sends as `testKey`.
fn refused_keys(
    failure: &crate::error::ApiError,
    bodies: &Bodies<'_>,
    unsent: &[usize],
) -> BTreeSet<String> {
    let named = keys::keys_in_error(&keys::error_text(failure));
    bodies
        .plan
        .chunks
        .iter()
        .filter(|c| unsent.contains(&c.index))
        .flat_map(|c| c.tests.iter())
        .filter_map(|ct| bodies.sent_key(ct))
        .filter(|k| named.iter().any(|n| n == k))
        .map(str::to_string)
        .collect()
}

/// The configured Test Environments an import refused as not in the project (Xray Cloud:
/// `Error importing results: the following environments dont exist or are not in the context of
/// test execution project: 'QA'!`, docs/xray-api.md §2.1). The names are read from the quotes;
/// when none of them is one of ours (a spelling the answer changed), all of ours are taken, as
/// the import will refuse them again otherwise.
fn refused_environments(failure: &crate::error::ApiError, info: &Info) -> BTreeSet<String> {
    if info.test_environments.is_empty() {
        return BTreeSet::new();
    }
    let text = keys::error_text(failure);
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("environments") else {
        return BTreeSet::new();
    };
    let rest = &lower[at..];
    if !(rest.contains("dont exist")
        || rest.contains("don't exist")
        || rest.contains("do not exist"))
    {
        return BTreeSet::new();
    }
    let quoted: Vec<&str> = text[at..].split('\'').skip(1).step_by(2).collect();
    let named: BTreeSet<String> = info
        .test_environments
        .iter()
        .filter(|e| quoted.iter().any(|q| q.eq_ignore_ascii_case(e)))
        .cloned()
        .collect();
    if named.is_empty() {
        info.test_environments.iter().cloned().collect()
    } else {
        named
    }
}

/// `environments` taken out of a Cloud multipart `info`'s `xrayFields` (the key dropped when
/// none is left, and `xrayFields` when it is empty).
fn drop_environments(create: &mut serde_json::Value, environments: &BTreeSet<String>) {
    let Some(xray) = create
        .get_mut("xrayFields")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    if let Some(list) = xray
        .get_mut("environments")
        .and_then(serde_json::Value::as_array_mut)
    {
        list.retain(|e| e.as_str().is_none_or(|e| !environments.contains(e)));
        if list.is_empty() {
            xray.remove("environments");
        }
    }
    if xray.is_empty()
        && let Some(root) = create.as_object_mut()
    {
        root.remove("xrayFields");
    }
}

/// `result` sent by its definition instead of its stale key: the planned definition and name
/// (the key itself when the test is unknown), as a Generic Test of the project.
fn fall_back(
    product: Product,
    settings: &XraySettings,
    planned: Option<crate::plan::TestView<'_>>,
    result: &mut crate::xray::payload::TestResult,
) {
    let Some(key) = result.test_key.take() else {
        return;
    };
    if result.test_info.is_some() {
        return;
    }
    let definition = planned.map_or_else(|| key.clone(), |p| p.definition().into_owned());
    let summary = planned.map_or(key, |p| p.name().to_string());
    result.test_info = Some(TestInfo {
        project_key: settings.project.clone(),
        summary,
        test_type: match product {
            Product::Cloud => TestType::Cloud("Generic".into()),
            Product::Dc => TestType::Dc("Generic".into()),
        },
        definition: Some(definition),
        labels: Vec::new(),
        requirement_keys: Vec::new(),
    });
}

/// Room kept in every request for what the chunk's JSON does not hold: the
/// `testExecutionKey` of an append, the multipart boundaries and the `info` part of a create.
const REQUEST_OVERHEAD: usize = 16 * 1024;
