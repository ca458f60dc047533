//! `xray-sync resend`: sends what a failed run left in its spool directory (`spool`) to the
//! execution it was meant for. A command, so it may use the Xray client and the uploader; the
//! spool itself only knows its files.

use std::path::Path;

use anyhow::bail;

use crate::error::ReportError;
use crate::http::Http;
use crate::plan::IssueKey;
use crate::plan::xray_json::ImportDoc;
use crate::settings::XraySettings;
use crate::spool::{MANIFEST, read_json, read_manifest, write_json};
use crate::xray::client::Client;
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
    let client = Client::new(http, settings);
    let mut receipt = XrayReceipt::new(client.product());
    receipt.marker_label = Some(manifest.marker_label.clone());
    if manifest.project != settings.project {
        receipt.warnings.push(format!(
            "the spool was written for project {} but the settings name {}",
            manifest.project, settings.project
        ));
    }
    let mut docs = Vec::new();
    let mut indexes = Vec::new();
    for c in manifest.chunks.iter().filter(|c| !c.sent) {
        docs.push(read_json::<ImportDoc>(&dir.join(&c.file))?);
        indexes.push(c.index);
        receipt.chunks.push(ChunkReceipt {
            index: c.index,
            tests: c.tests,
            status: ChunkStatus::Spooled,
        });
    }
    if docs.is_empty() {
        receipt.execution = manifest.execution_key.as_deref().and_then(IssueKey::parse);
        receipt
            .warnings
            .push("nothing left to send in this spool".into());
        return Ok(receipt);
    }
    let mut execution = manifest.execution_key.as_deref().and_then(IssueKey::parse);
    if execution.is_none() {
        // The first attempt may have created it after all.
        match client.find_execution_by_label(&manifest.marker_label) {
            Ok(found) => execution = found,
            Err(e) => {
                receipt.errors.push(ReportError::from_api(&e));
                receipt.spool = Some(dir.to_path_buf());
                return Ok(receipt);
            }
        }
    }
    let create_info: Option<serde_json::Value> = match (&execution, &manifest.create_info_file) {
        (None, Some(file)) => Some(read_json(&dir.join(file))?),
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
    let outcome = upload::send_chunks(&client, http, &job, execution, docs, &indexes, progress);
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
    manifest.execution_key = outcome.execution.as_ref().map(|k| k.as_str().to_string());
    if let Some(e) = &outcome.failure {
        receipt.errors.push(ReportError::from_api(e));
        manifest.reason = e.to_string();
        receipt.spool = Some(dir.to_path_buf());
    }
    write_json(&dir.join(MANIFEST), &manifest)?;
    Ok(receipt)
}
