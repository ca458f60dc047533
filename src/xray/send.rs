//! Sending a list of chunks to one execution: the create (checked against the run marker after
//! an ambiguous failure, never blindly re-sent) and the appends. Shared by `upload::run` and
//! `commands::resend`; decides nothing about spooling or reporting.

use crate::error::ApiError;
use crate::http::{Call, Decision, Failure, Http};
use crate::plan::IssueKey;
use crate::xray::client::Client;
use crate::xray::payload::ImportDoc;

/// What a send needs beyond the chunks: the create's `info` (None when appending), the marker
/// to look for after an ambiguous create, and the plan to link on DC.
pub(crate) struct Job<'a> {
    pub create: Option<&'a serde_json::Value>,
    pub marker: &'a str,
    pub test_plan: Option<&'a str>,
}

/// The result of sending a list of chunks.
pub(crate) struct SendOutcome {
    pub execution: Option<IssueKey>,
    pub created: bool,
    /// Chunk indexes sent, with their test counts.
    pub sent: Vec<(usize, usize)>,
    /// Indexes of the chunks not sent (from the failing one on). Their bodies are not kept:
    /// the caller builds them again to spool them, one at a time.
    pub unsent: Vec<usize>,
    pub failure: Option<ApiError>,
    pub warnings: Vec<String>,
}

/// Sends the chunks `indexes` in order, each body built by `body` just before it is sent and
/// dropped after (one body alive at a time): creates through `job.create` unless `append_to`
/// is given, then appends the rest. Stops at the first failure.
pub(crate) fn send_chunks(
    client: &Client,
    http: &Http,
    job: &Job<'_>,
    append_to: Option<IssueKey>,
    indexes: &[usize],
    body: &mut dyn FnMut(usize) -> ImportDoc,
    progress: &mut dyn FnMut(&str),
) -> SendOutcome {
    let total = indexes.len();
    let mut out = SendOutcome {
        execution: append_to,
        created: false,
        sent: Vec::new(),
        unsent: Vec::new(),
        failure: None,
        warnings: Vec::new(),
    };
    for (i, &index) in indexes.iter().enumerate() {
        let mut doc = body(index);
        let n = doc.tests.len();
        let result = match (&out.execution, job.create) {
            (Some(key), _) => {
                doc.test_execution_key = Some(key.as_str().to_string());
                client.append(&doc).map(|got| {
                    if &got != key {
                        out.warnings.push(format!(
                            "Xray answered {got} for a chunk appended to {key}"
                        ));
                    }
                    key.clone()
                })
            }
            (None, Some(info)) => create_checked(client, http, info, &doc, job.marker, progress)
                .map(|(key, recovered)| {
                    if recovered {
                        out.warnings.push(format!(
                            "the create's answer was lost; found the execution {key} by its run marker label and continued with it"
                        ));
                    }
                    out.created = true;
                    if let Some(plan) = job.test_plan
                        && let Err(e) = client.link_plan_after_create(plan, &key)
                    {
                        out.warnings
                            .push(format!("could not link {key} to test plan {plan}: {e}"));
                    }
                    key
                }),
            (None, None) => Err(ApiError::BadResponse {
                service: crate::error::Service::Xray,
                detail: "no execution to append to and nothing to create it from".into(),
            }),
        };
        match result {
            Ok(key) => {
                progress(&format!(
                    "Xray: chunk {}/{} sent ({n} results) to {key}",
                    i + 1,
                    total
                ));
                out.execution = Some(key);
                out.sent.push((index, n));
            }
            Err(e) => {
                progress(&format!("Xray: chunk {}/{} failed: {e}", i + 1, total));
                out.unsent.extend_from_slice(&indexes[i..]);
                out.failure = Some(e);
                break;
            }
        }
    }
    out
}

/// How an ambiguous create failed, for the policy; `None` when the error is not ambiguous.
fn ambiguity(e: &ApiError) -> Option<Failure> {
    match e {
        ApiError::Network {
            maybe_applied: true,
            ..
        } => Some(Failure::Interrupted),
        ApiError::Server { status, .. } if (502..=504).contains(status) => {
            Some(Failure::Status(*status))
        }
        _ => None,
    }
}

/// Sends the create; after an ambiguous failure, waits as the policy says, looks for the run
/// marker, and only re-sends when no execution carries it. The flag says the key was recovered
/// by the lookup.
fn create_checked(
    client: &Client,
    http: &Http,
    info: &serde_json::Value,
    doc: &ImportDoc,
    marker: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(IssueKey, bool), ApiError> {
    checked_create(client, http, marker, progress, &mut || {
        client.create(info, doc)
    })
}

/// Sends `create` (anything that makes an execution carrying `marker`); after an ambiguous
/// failure, waits as the policy says, looks for the marker, and only re-sends when no
/// execution carries it. The flag says the key was recovered by the lookup.
pub(crate) fn checked_create(
    client: &Client,
    http: &Http,
    marker: &str,
    progress: &mut dyn FnMut(&str),
    create: &mut dyn FnMut() -> Result<IssueKey, ApiError>,
) -> Result<(IssueKey, bool), ApiError> {
    let policy = http.policy();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let err = match create() {
            Ok(key) => return Ok((key, false)),
            Err(e) => e,
        };
        let Some(failure) = ambiguity(&err) else {
            return Err(err);
        };
        let decision = policy.decide(attempt, Call::Create, failure, None, 0.5);
        if let Decision::CheckThenRetry(wait) | Decision::Retry(wait) = decision {
            http.pause(wait);
        }
        progress(&format!(
            "Xray: the create may have happened ({err}); looking for the run marker {marker}"
        ));
        match client.oldest_execution_by_label(marker) {
            Ok(Some(key)) => return Ok((key, true)),
            Ok(None) => {}
            // Cannot tell whether it exists: re-sending could duplicate it. Stop; the spool keeps
            // the marker so `resend` checks again first.
            Err(_) => return Err(err),
        }
        if decision == Decision::GiveUp {
            return Err(err);
        }
    }
}
