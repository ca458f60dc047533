//! `xray-sync resend`: sends what a failed run left in its spool directory (`spool`) to the
//! execution it was meant for. A command, so it may use the Xray client and the uploader; the
//! spool itself only knows its files. The spool is untrusted input (anything may have written
//! it): only plain file names inside it are read, the project must be the settings', and the
//! results go only to the execution carrying the spool's run marker, or the one the settings
//! name. The Tests it sent join the configured Test Sets and the repository folders the manifest
//! names for them; what else the spooling run could not do for them (the requirement links of a
//! stopped run) is only named (the manifest's `after_import`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::error::ReportError;
use crate::http::Http;
use crate::plan::IssueKey;
use crate::plan::xray_json::ImportDoc;
use crate::settings::XraySettings;
use crate::spool::{
    MANIFEST, checked_doc, in_project, read_json, read_manifest, spool_file, write_json,
};
use crate::xray::client::Client;
use crate::xray::organize::SentTests;
use crate::xray::upload::{self, ChunkReceipt, ChunkStatus, Job, XrayReceipt};

/// Sends a spool directory's unsent chunks: to the recorded execution, or to the execution
/// carrying the marker label, or creating it first. Updates the manifest (key, `sent` flags) so
/// a second `resend` continues where this one stopped. `Err` means the spool could not be read
/// or does not fit the settings; upload failures are in the receipt's `errors`.
pub fn resend(
    http: &Http,
    settings: &XraySettings,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<XrayReceipt> {
    let mut manifest = read_manifest(dir)?;
    if manifest.product != settings.product {
        bail!(
            "{} was spooled for Xray {:?} but the settings are for Xray {:?}",
            dir.display(),
            manifest.product,
            settings.product
        );
    }
    if manifest.project != settings.project {
        bail!(
            "{} was spooled for project {} but the settings name {}; refusing to send it elsewhere",
            dir.display(),
            manifest.project,
            settings.project
        );
    }
    // Every file the manifest names, checked before anything is read or sent.
    let unsent: Vec<(usize, usize, PathBuf)> = manifest
        .chunks
        .iter()
        .filter(|c| !c.sent)
        .map(|c| Ok((c.index, c.tests, spool_file(dir, &c.file)?)))
        .collect::<anyhow::Result<_>>()?;
    let create_info_path = match &manifest.create_info_file {
        Some(file) => Some(spool_file(dir, file)?),
        None => None,
    };
    if let Some(plan) = &manifest.test_plan {
        in_project(plan, &settings.project, "test_plan", &dir.join(MANIFEST))?;
    }
    let recorded = match manifest.execution_key.as_deref() {
        Some(k) => Some(IssueKey::parse(k).with_context(|| {
            format!(
                "{}: execution_key {k:?} is not an issue key",
                dir.join(MANIFEST).display()
            )
        })?),
        None => None,
    };
    let client = Client::new(http, settings);
    let mut receipt = XrayReceipt::new(client.product());
    receipt.marker_label = Some(manifest.marker_label.clone());
    let mut docs = Vec::new();
    let mut indexes = Vec::new();
    for (index, tests, path) in &unsent {
        docs.push(checked_doc(read_json::<ImportDoc>(path)?, path, settings)?);
        indexes.push(*index);
        receipt.chunks.push(ChunkReceipt {
            index: *index,
            tests: *tests,
            status: ChunkStatus::Spooled,
        });
    }
    if docs.is_empty() {
        receipt.execution = recorded;
        receipt
            .warnings
            .push("nothing left to send in this spool".into());
        return Ok(receipt);
    }
    // The execution must be the one carrying this spool's run marker (or the one the settings
    // name): a manifest cannot steer results into any other issue.
    let configured = settings.test_execution.as_deref().and_then(IssueKey::parse);
    let lookup = match &recorded {
        Some(r) if configured.as_ref() == Some(r) => Ok(Some(r.clone())),
        _ => client.oldest_execution_by_label(&manifest.marker_label),
    };
    let execution = match lookup {
        Ok(found) => match (&recorded, found) {
            (Some(r), Some(f)) if *r == f => Some(f),
            (Some(r), found) => bail!(
                "{} names execution {r}, but {} carries this spool's run marker {}; refusing to append to an execution this spool did not create (set {} / --test-execution {r} to send there on purpose)",
                dir.join(MANIFEST).display(),
                found.map_or_else(|| "no execution".to_string(), |f| f.to_string()),
                manifest.marker_label,
                crate::cli::env::XRAY_TEST_EXECUTION
            ),
            // The first attempt may have created it after all.
            (None, found) => found,
        },
        Err(e) => {
            receipt.errors.push(ReportError::from_api(&e));
            receipt.spool = Some(dir.to_path_buf());
            return Ok(receipt);
        }
    };
    let create_info: Option<serde_json::Value> = match (&execution, &create_info_path) {
        (None, Some(path)) => Some(read_json(path)?),
        _ => None,
    };
    let job = Job {
        create: create_info.as_ref(),
        marker: &manifest.marker_label,
        test_plan: manifest.test_plan.as_deref(),
    };
    progress(&format!(
        "Xray: resending {} chunk(s) from {}",
        docs.len(),
        dir.display()
    ));
    // The Tests of each chunk, for the Test Sets once it is sent.
    let mut sent_tests: std::collections::BTreeMap<usize, SentTests> = indexes
        .iter()
        .zip(&docs)
        .map(|(&i, doc)| (i, SentTests::of_results(&doc.tests)))
        .collect();
    let mut docs: std::collections::BTreeMap<usize, ImportDoc> =
        indexes.iter().copied().zip(docs).collect();
    let mut body = |index: usize| {
        docs.remove(&index).unwrap_or_else(|| ImportDoc {
            test_execution_key: None,
            info: None,
            tests: Vec::new(),
        })
    };
    let outcome = upload::send_chunks(
        &client, http, &job, execution, &indexes, &mut body, progress,
    );
    receipt.execution = outcome.execution.clone();
    receipt.created = outcome.created;
    receipt.warnings.extend(outcome.warnings.iter().cloned());
    for (index, n) in &outcome.sent {
        receipt.tests_sent += n;
        if let Some(c) = receipt.chunks.iter_mut().find(|c| c.index == *index) {
            c.status = ChunkStatus::Sent;
        }
        if let Some(c) = manifest.chunks.iter_mut().find(|c| c.index == *index) {
            c.sent = true;
        }
    }
    // The steps after the import: the resent Tests join the configured Test Sets (every run of
    // the marker's execution is the spooling run's, as when a run creates it; of an execution
    // the settings name, only the resent Tests) and the folders the manifest names.
    let mut resent = SentTests::default();
    for (index, _) in &outcome.sent {
        if let Some(tests) = sent_tests.remove(index) {
            resent.absorb(tests);
        }
    }
    let named = matches!((&recorded, &configured), (Some(r), Some(c)) if r == c);
    crate::xray::organize::after_resend(
        settings,
        &client,
        &mut receipt,
        &resent,
        !named,
        &manifest.folders,
        progress,
    );
    if !outcome.sent.is_empty() && !manifest.after_import.is_empty() {
        receipt.warnings.push(format!(
            "the resent results' Tests miss {} (the run that spooled them had these steps): `resend` does not do it; run xray-sync again on the same result files with --test-execution {} to apply it",
            // The spool is untrusted: its words are printed only made safe.
            crate::untrusted::one_line(&manifest.after_import.join(" and "), 1024),
            outcome
                .execution
                .as_ref()
                .map_or("<the execution>", |k| k.as_str())
        ));
    }
    manifest.execution_key = outcome.execution.as_ref().map(|k| k.as_str().to_string());
    if let Some(e) = &outcome.failure {
        receipt.errors.push(ReportError::from_api(e));
        manifest.reason = e.to_string();
        receipt.spool = Some(dir.to_path_buf());
    }
    write_json(&dir.join(MANIFEST), &manifest)?;
    Ok(receipt)
}
