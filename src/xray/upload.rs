//! Carries out an `XrayPlan`: resolves mapped Test keys, reads evidence, links defects, sends the
//! chunks (first creates or appends, the rest append), never duplicates an execution, reports
//! progress per chunk, and spools what could not be sent. Produces an `XrayReceipt`.
//!
//! Policy decisions that live here (and why):
//! - Creating goes through the multipart import so the new execution carries a unique run marker
//!   label. When the create ends ambiguously (connection broken after sending, timeout, 502/503/
//!   504), the marker is looked up before anything is re-sent: found → continue with that key.
//! - Appends (`testExecutionKey` set) are idempotent in Xray (one run per Test per execution is
//!   updated), so they go out as `Call::Read` and the shared policy may retry them. The one
//!   non-idempotent part is evidence, which a retried append may attach twice; that is accepted
//!   over losing results.
//! - DC: the multipart `info` has no `xrayFields`, so the plan is linked after the create
//!   (`/api/testplan/{plan}/testexecution`), and the Xray JSON `info` (environments, revision,
//!   version, plan) rides on the first chunk's `result` part and on every appended chunk.
//! - Nothing is re-sent after a 400/403/404: the unsent chunks are spooled.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::ReportError;
use crate::http::Http;
use crate::plan::{ExecutionTarget, IssueKey, PlannedTest, XrayPlan};
use crate::settings::{OutputSettings, Product, XraySettings};
use crate::spool;
use crate::xray::client::{Client, creation_info};
use crate::xray::evidence::{EvidenceReader, SkippedEvidence};
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
    pub warnings: Vec<String>,
    pub errors: Vec<ReportError>,
    /// Set when unsent chunks were written for `xray-sync resend`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spool: Option<PathBuf>,
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
            warnings: Vec::new(),
            errors: Vec::new(),
            spool: None,
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
/// the results directories.
pub fn run(
    http: &Http,
    settings: &XraySettings,
    output: &OutputSettings,
    plan: &XrayPlan,
    tests: &[PlannedTest],
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    progress: &mut dyn FnMut(&str),
) -> XrayReceipt {
    run_with_roots(http, settings, output, plan, tests, defects, &[], progress)
}

/// [`run`], with extra directories evidence may be read from (the results directories).
#[allow(clippy::too_many_arguments)]
pub fn run_with_roots(
    http: &Http,
    settings: &XraySettings,
    output: &OutputSettings,
    plan: &XrayPlan,
    tests: &[PlannedTest],
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    evidence_roots: &[PathBuf],
    progress: &mut dyn FnMut(&str),
) -> XrayReceipt {
    let client = Client::new(http, settings);
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
    let stale = resolve_keys(&client, settings, plan, &mut receipt, progress);
    if settings.strict_keys && !stale.is_empty() {
        let list: Vec<&str> = stale.keys().map(String::as_str).collect();
        receipt.errors.push(ReportError {
            kind: crate::error::ErrorKind::BadInput,
            message: format!(
                "{} mapped Test key(s) do not exist or are not Tests: {} (strict keys: nothing was sent)",
                list.len(),
                list.join(", ")
            ),
            doctor_check: None,
        });
        return receipt;
    }

    let (info, append_to, labels) = target_of(settings, plan);
    let mut roots = vec![output.workspace.clone()];
    roots.extend(evidence_roots.iter().cloned());
    let mut reader = EvidenceReader::new(&roots, settings.evidence);
    let docs = build_docs(
        client.product(),
        settings,
        plan,
        tests,
        defects,
        &stale,
        &info,
        &mut reader,
    );
    if !reader.skipped.is_empty() {
        let names: Vec<String> = reader
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{} ({})",
                    s.path.as_deref().unwrap_or(&s.filename),
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

    let marker = new_marker();
    let create = match &append_to {
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
    let outcome = send_chunks(&client, http, &job, append_to, docs, &indexes, progress);
    apply_outcome(&mut receipt, &outcome);
    if let Some(failure) = outcome.failure {
        let unsent: Vec<(usize, ImportDoc)> = outcome.unsent;
        let manifest = spool::Manifest::new(
            client.product(),
            &settings.project,
            receipt.execution.as_ref(),
            &marker,
            create.clone(),
            info.test_plan_key.clone(),
            &failure.to_string(),
        );
        spool_unsent(&mut receipt, &output.spool_dir, manifest, &unsent, progress);
    }
    receipt
}

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

/// Writes the unsent chunks to a new spool directory and records it in the receipt.
fn spool_unsent(
    receipt: &mut XrayReceipt,
    spool_root: &Path,
    manifest: spool::Manifest,
    unsent: &[(usize, ImportDoc)],
    progress: &mut dyn FnMut(&str),
) {
    match spool::write(spool_root, manifest, unsent) {
        Ok(dir) => {
            for (index, _) in unsent {
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

/// Looks up every mapped key (batched); returns the unusable ones with their reason.
fn resolve_keys(
    client: &Client,
    settings: &XraySettings,
    plan: &XrayPlan,
    receipt: &mut XrayReceipt,
    progress: &mut dyn FnMut(&str),
) -> BTreeMap<String, String> {
    let mapped: BTreeSet<String> = plan
        .chunks
        .iter()
        .flat_map(|c| c.tests.iter())
        .filter_map(|t| t.result.test_key.clone())
        .collect();
    let mut stale = BTreeMap::new();
    if mapped.is_empty() {
        return stale;
    }
    let keys: Vec<String> = mapped.iter().cloned().collect();
    let found = match client.lookup_tests(&keys) {
        Ok(found) => found,
        Err(e) => {
            let line =
                format!("could not check the mapped Test keys, sending them as they are: {e}");
            progress(&format!("Xray: warning: {line}"));
            receipt.warnings.push(line);
            return stale;
        }
    };
    for key in &mapped {
        let reason = match found.iter().find(|f| &f.key == key) {
            Some(f) if f.is_test() => continue,
            Some(f) => format!("is a {}, not a Test", f.issue_type),
            // Cloud `getTests` only returns Tests: absent means missing or another type.
            None if client.product() == Product::Cloud => "not found or not a Test".to_string(),
            None => "not found".to_string(),
        };
        stale.insert(key.clone(), reason);
    }
    for (key, reason) in &stale {
        receipt.stale_keys.push(StaleKey {
            key: key.clone(),
            reason: reason.clone(),
            fell_back: !settings.strict_keys,
        });
    }
    if !stale.is_empty() && !settings.strict_keys {
        let line = format!(
            "{} mapped key(s) are not usable Tests, their results go by definition instead: {}",
            stale.len(),
            stale
                .iter()
                .map(|(k, r)| format!("{k} ({r})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        progress(&format!("Xray: warning: {line}"));
        receipt.warnings.push(line);
    }
    stale
}

/// One `ImportDoc` per chunk: stale keys replaced by definitions, defects linked, evidence read.
/// The first doc carries `info`; on DC every doc does (see the module doc).
#[allow(clippy::too_many_arguments)]
fn build_docs(
    product: Product,
    settings: &XraySettings,
    plan: &XrayPlan,
    tests: &[PlannedTest],
    defects: &BTreeMap<usize, Vec<IssueKey>>,
    stale: &BTreeMap<String, String>,
    info: &Info,
    reader: &mut EvidenceReader,
) -> Vec<ImportDoc> {
    let mut docs = Vec::with_capacity(plan.chunks.len());
    for (n, chunk) in plan.chunks.iter().enumerate() {
        let mut results = Vec::with_capacity(chunk.tests.len());
        for ct in &chunk.tests {
            let planned = tests.get(ct.test);
            let mut result = ct.result.clone();
            if let Some(key) = result.test_key.clone()
                && stale.contains_key(&key)
            {
                result.test_key = None;
                if result.test_info.is_none() {
                    let definition = planned.map(|p| p.definition.clone()).unwrap_or(key.clone());
                    let summary = planned.map(|p| p.name.clone()).unwrap_or(key.clone());
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
            }
            for bug in defects.get(&ct.test).into_iter().flatten() {
                if !result.defects.iter().any(|d| d == bug.as_str()) {
                    result.defects.push(bug.as_str().to_string());
                }
            }
            let test_id = planned.map(|p| p.test_id.as_str()).unwrap_or("");
            for ev in &ct.evidence {
                if let Some(e) = reader.read(test_id, ev) {
                    result.evidence.push(e);
                }
            }
            results.push(result);
        }
        docs.push(ImportDoc {
            test_execution_key: None,
            info: (n == 0 || product == Product::Dc).then(|| info.clone()),
            tests: results,
        });
    }
    docs
}
