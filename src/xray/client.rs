//! `Client`: one face over the two Xray back-ends (Cloud in `cloud.rs`, Data Center in
//! `server.rs`), speaking the domain (import, look up Tests, find an execution by label), not HTTP.
//!
//! Owns the product switch, the product's multipart `info` JSON for a new execution, and the secret
//! scrubbing of every error a back-end returns (the shapes both back-ends return and the
//! multipart request are in `wire.rs`). Does not decide policy (what to retry, what to spool): that is `upload.rs`.

use crate::error::ApiError;
use crate::http::{Call, Http};
use crate::plan::IssueKey;
use crate::settings::{Product, XrayAuth, XraySettings};
use crate::xray::payload::{ImportDoc, Info};
use crate::xray::{cloud, server};

// The shapes and request helpers both back-ends share live one level down (`wire.rs`), so
// `cloud` and `server` do not import this module; their old paths stay.
pub(crate) use crate::xray::wire::key_jql;
pub use crate::xray::wire::{FoundTest, LOOKUP_BATCH, RunRef};

/// Either back-end, chosen from the settings.
#[derive(Debug)]
pub enum Client {
    Cloud(cloud::Cloud),
    Dc(server::Dc),
}

impl Client {
    /// `given` (the run's client: the key check's, which holds its token), or a new one kept in
    /// `own` when the run made none (no keys to check).
    pub fn given_or_new<'a>(
        given: Option<&'a Client>,
        own: &'a mut Option<Client>,
        http: &Http,
        settings: &XraySettings,
    ) -> &'a Client {
        match given {
            Some(c) => c,
            None => own.insert(Client::new(http, settings)),
        }
    }

    pub fn new(http: &Http, settings: &XraySettings) -> Client {
        match &settings.auth {
            XrayAuth::Cloud {
                client_id,
                client_secret,
            } => Client::Cloud(cloud::Cloud::new(
                http,
                &settings.url,
                client_id,
                client_secret.clone(),
            )),
            XrayAuth::Dc(auth) => Client::Dc(server::Dc::new(http, &settings.url, auth.clone())),
        }
    }

    /// The Jira site, when only the import answers told it (Cloud); DC's base URL is the site.
    pub fn site(&self) -> Option<String> {
        match self {
            Client::Cloud(c) => c.site(),
            Client::Dc(_) => None,
        }
    }

    pub fn product(&self) -> Product {
        match self {
            Client::Cloud(_) => Product::Cloud,
            Client::Dc(_) => Product::Dc,
        }
    }

    /// Looks up `keys` in batches of [`LOOKUP_BATCH`]; keys absent from the answer do not exist
    /// (or are not visible to these credentials).
    pub fn lookup_tests(&self, keys: &[String]) -> Result<Vec<FoundTest>, ApiError> {
        match self {
            Client::Cloud(c) => c.get_tests_by_keys(keys),
            Client::Dc(c) => c.get_tests_by_keys(keys),
        }
    }

    /// Creates an execution through the multipart import: `info` is the product's Jira-fields
    /// JSON (see [`creation_info`]), `doc` the first chunk. Sent once, never retried here.
    pub fn create(&self, info: &serde_json::Value, doc: &ImportDoc) -> Result<IssueKey, ApiError> {
        match self {
            Client::Cloud(c) => c.import_multipart(doc, info),
            Client::Dc(c) => c.import_multipart(doc, info),
        }
    }

    /// Appends a chunk (`doc.test_execution_key` set). Xray updates one run per Test per
    /// execution, so sending the same chunk twice leaves the same state: the call is sent as
    /// `Call::Read`, which lets the policy retry gateway errors and broken connections.
    pub fn append(&self, doc: &ImportDoc) -> Result<IssueKey, ApiError> {
        match self {
            Client::Cloud(c) => c.import(doc, Call::Read),
            Client::Dc(c) => c.import(doc, Call::Read),
        }
    }

    /// Every run of `execution` (about `expected` of them), one request per 100.
    pub fn execution_runs(
        &self,
        execution: &IssueKey,
        expected: usize,
    ) -> Result<Vec<RunRef>, ApiError> {
        match self {
            Client::Cloud(c) => c.execution_runs(execution),
            Client::Dc(c) => c.execution_runs(execution, expected),
        }
    }

    /// The execution carrying `label`, if any (the run marker check before re-sending a create).
    pub fn find_execution_by_label(&self, label: &str) -> Result<Option<IssueKey>, ApiError> {
        let found = match self {
            Client::Cloud(c) => c.get_test_executions_by_label(label)?,
            Client::Dc(c) => c.get_test_executions_by_label(label)?,
        };
        Ok(found.into_iter().next())
    }

    /// Links `execution` to `plan` where the create could not (DC multipart `info` has no
    /// `xrayFields`). Cloud sets the plan through `xrayFields.testPlanKey` already.
    pub fn link_plan_after_create(&self, plan: &str, execution: &IssueKey) -> Result<(), ApiError> {
        match self {
            Client::Cloud(_) => Ok(()),
            Client::Dc(c) => c.link_test_plan(plan, execution),
        }
    }
}

/// An execution created empty (`xray-sync execution create`): its key and, on Cloud, the issue
/// id GraphQL needs to link it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyExecution {
    pub key: IssueKey,
    pub issue_id: Option<String>,
}

impl Client {
    /// Creates an empty Test Execution with the Jira fields a run's create would set
    /// ([`creation_info`]'s `fields`): Cloud GraphQL `createTestExecution` (environments as its
    /// argument), DC Jira `POST /rest/api/2/issue`. Sent once (`Call::Create`).
    pub fn create_empty(
        &self,
        info: &Info,
        labels: &[String],
        execution_fields: &std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Result<EmptyExecution, ApiError> {
        let mut root = creation_info(self.product(), info, labels);
        // The same Jira fields a run's multipart create carries (`[xray.execution_fields]`).
        crate::xray::exec_fields::apply(&mut root, execution_fields);
        let mut fields = root.get("fields").cloned().unwrap_or_default();
        match self {
            Client::Cloud(c) => {
                // The mutation makes a Test Execution; it takes no issue type.
                if let Some(map) = fields.as_object_mut() {
                    map.remove("issuetype");
                }
                let (id, key) = c.create_test_execution(&fields, &info.test_environments)?;
                Ok(EmptyExecution {
                    key,
                    issue_id: Some(id),
                })
            }
            Client::Dc(c) => Ok(EmptyExecution {
                key: c.create_issue(&fields)?,
                issue_id: None,
            }),
        }
    }

    /// Links a new empty execution to Test Plan `plan`.
    pub fn link_plan_to_empty(
        &self,
        plan: &str,
        execution: &EmptyExecution,
    ) -> Result<(), ApiError> {
        match self {
            Client::Cloud(c) => {
                let Some(plan_id) = c.test_plan_id(plan)? else {
                    return Err(ApiError::NotFound {
                        service: crate::error::Service::Xray,
                        what: format!("test plan {plan}"),
                        detail: String::new(),
                    });
                };
                // The key was recovered by its run marker after a lost create answer: its issue
                // id is looked up (Xray Cloud's mutation takes ids), never skipped silently.
                let exec_id = match &execution.issue_id {
                    Some(id) => id.clone(),
                    None => {
                        let key = execution.key.as_str().to_string();
                        crate::xray::issue_ids::cloud_ids(
                            c,
                            "getTestExecutions",
                            std::slice::from_ref(&key),
                        )?
                        .remove(&key)
                        .ok_or_else(|| ApiError::NotFound {
                            service: crate::error::Service::Xray,
                            what: format!("test execution {key}"),
                            detail: String::new(),
                        })?
                    }
                };
                c.add_execution_to_plan(&plan_id, &exec_id)
            }
            Client::Dc(c) => c.link_test_plan(plan, &execution.key),
        }
    }

    /// Every execution carrying `label`, lowest issue number first (the convergence winner
    /// first). Keys of one project grow with their issue ids, and the identity includes the
    /// project, so the key number orders them as the ids do.
    pub fn executions_by_label(&self, label: &str) -> Result<Vec<IssueKey>, ApiError> {
        let mut keys = match self {
            Client::Cloud(c) => c
                .executions_by_label(label)?
                .into_iter()
                .map(|(_, k)| k)
                .collect(),
            Client::Dc(c) => c.executions_by_label(label)?,
        };
        keys.sort_by_key(|k| (key_number(k), k.as_str().to_string()));
        keys.dedup();
        Ok(keys)
    }

    /// The execution carrying `label` with the lowest issue number: the one every job of a CI
    /// run converges on, even while a racing duplicate still carries the label.
    pub fn oldest_execution_by_label(&self, label: &str) -> Result<Option<IssueKey>, ApiError> {
        Ok(self.executions_by_label(label)?.into_iter().next())
    }

    /// Removes every Test (and so every run) from `execution`; returns how many.
    pub fn remove_all_tests(&self, execution: &IssueKey) -> Result<usize, ApiError> {
        match self {
            Client::Cloud(c) => c.remove_all_tests(execution),
            Client::Dc(c) => c.remove_all_tests(execution),
        }
    }

    /// Relabels a duplicate execution `<marker>-duplicate` (and drops the marker, so searches
    /// stop finding it). `None` on Cloud: labels are Jira fields there, which the Xray API key
    /// cannot edit.
    pub fn mark_duplicate(
        &self,
        execution: &IssueKey,
        marker: &str,
    ) -> Option<Result<(), ApiError>> {
        match self {
            Client::Cloud(_) => None,
            Client::Dc(c) => Some(c.swap_label(execution, marker, &format!("{marker}-duplicate"))),
        }
    }

    /// The status name of every Test Run in `execution`.
    pub fn run_statuses(&self, execution: &IssueKey) -> Result<Vec<String>, ApiError> {
        match self {
            Client::Cloud(c) => c.run_statuses(execution),
            Client::Dc(c) => c.run_statuses(execution),
        }
    }

    /// Sets the execution's title through the Xray credentials where they are Jira ones (DC).
    /// `None` on Cloud: the title is a Jira field, set with the Jira credentials instead.
    pub fn set_summary(&self, execution: &IssueKey, summary: &str) -> Option<Result<(), ApiError>> {
        match self {
            Client::Cloud(_) => None,
            Client::Dc(c) => Some(c.set_summary(execution, summary)),
        }
    }
}

/// The number of an issue key (`CALC-1001` → 1001).
pub fn key_number(key: &IssueKey) -> u64 {
    key.as_str()
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// The multipart `info` part for a new execution: Jira create-issue `fields` (project, summary,
/// issue type, labels with the run marker, fix version, description), plus on Cloud the
/// `xrayFields` `testPlanKey` and `environments`. DC has no `xrayFields` (plan, environments and
/// revision are site-specific custom fields there), so DC gets the plain fields only and the
/// uploader links the plan afterwards.
pub fn creation_info(product: Product, info: &Info, labels: &[String]) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    fields.insert("project".into(), serde_json::json!({ "key": info.project }));
    fields.insert("summary".into(), serde_json::json!(info.summary));
    fields.insert(
        "issuetype".into(),
        serde_json::json!({ "name": "Test Execution" }),
    );
    fields.insert("labels".into(), serde_json::json!(labels));
    if let Some(version) = &info.version {
        fields.insert(
            "fixVersions".into(),
            serde_json::json!([{ "name": version }]),
        );
    }
    if let Some(description) = &info.description {
        fields.insert("description".into(), serde_json::json!(description));
    }
    let mut root = serde_json::Map::new();
    root.insert("fields".into(), serde_json::Value::Object(fields));
    if product == Product::Cloud {
        let mut xray = serde_json::Map::new();
        if let Some(plan) = &info.test_plan_key {
            xray.insert("testPlanKey".into(), serde_json::json!(plan));
        }
        if !info.test_environments.is_empty() {
            xray.insert(
                "environments".into(),
                serde_json::json!(info.test_environments),
            );
        }
        if !xray.is_empty() {
            root.insert("xrayFields".into(), serde_json::Value::Object(xray));
        }
    }
    serde_json::Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_info_carries_xray_fields_and_dc_does_not() {
        let info = Info {
            project: "CALC".into(),
            summary: "CI".into(),
            version: Some("v3".into()),
            test_plan_key: Some("CALC-15".into()),
            test_environments: vec!["chrome".into()],
            ..Info::default()
        };
        let labels = vec!["xray-sync-run-00".to_string()];
        let cloud = creation_info(Product::Cloud, &info, &labels);
        assert_eq!(cloud["fields"]["issuetype"]["name"], "Test Execution");
        assert_eq!(cloud["fields"]["fixVersions"][0]["name"], "v3");
        assert_eq!(cloud["xrayFields"]["testPlanKey"], "CALC-15");
        assert_eq!(cloud["xrayFields"]["environments"][0], "chrome");
        let dc = creation_info(Product::Dc, &info, &labels);
        assert!(dc.get("xrayFields").is_none());
        assert_eq!(dc["fields"]["labels"][0], "xray-sync-run-00");
    }
}
