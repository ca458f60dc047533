//! `Client`: one face over the two Xray back-ends (Cloud in `cloud.rs`, Data Center in
//! `server.rs`), speaking the domain (import, look up Tests, find an execution by label), not HTTP.
//!
//! Owns the product switch, the shapes both back-ends return (`FoundTest`), the product's
//! multipart `info` JSON and the multipart import request for a new execution, and the secret
//! scrubbing of every error a back-end returns. Does not decide policy (what to retry, what to spool): that is `upload.rs`.

use serde::Serialize;

use crate::error::ApiError;
use crate::http::{Body, Call, Http, Part, Request};
use crate::plan::IssueKey;
use crate::settings::{Product, XrayAuth, XraySettings};
use crate::xray::payload::{ImportDoc, Info};
use crate::xray::{cloud, server};

/// The largest key list one lookup request carries (Xray GraphQL `limit` and our Jira search
/// page both stop at 100).
pub const LOOKUP_BATCH: usize = 100;

/// A key that a lookup found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundTest {
    pub key: String,
    /// The Jira issue type name (`Test` for every Cloud `getTests` result).
    pub issue_type: String,
    /// The Xray test type (`Generic`, `Manual`, …) when the back-end reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_type: Option<String>,
}

impl FoundTest {
    pub fn is_test(&self) -> bool {
        self.issue_type.eq_ignore_ascii_case("test")
    }
}

/// One run of an execution, as the runs lookup reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    /// The Test the run belongs to.
    pub test_key: String,
    /// The Test's generic definition (Cloud `unstructured`), when the back-end reports it.
    pub definition: Option<String>,
    /// Keys of the defects linked to the run (DC), when the back-end reports them.
    pub defects: Vec<String>,
}

/// Either back-end, chosen from the settings.
#[derive(Debug)]
pub enum Client {
    Cloud(cloud::Cloud),
    Dc(server::Dc),
}

impl Client {
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
                let Some(exec_id) = &execution.issue_id else {
                    return Ok(());
                };
                c.add_execution_to_plan(&plan_id, exec_id)
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

/// The multipart import request that creates an execution: the Xray JSON as a file part named
/// `results_part` (Cloud `results`, DC `result`) and the `info` JSON. Sent once
/// (`Call::Create`) with the long import timeout.
pub(crate) fn multipart_import(
    url: String,
    results_part: &str,
    doc: &ImportDoc,
    info: &serde_json::Value,
) -> Request {
    // Serializing our own types cannot fail (no maps with non-string keys).
    let results = serde_json::to_vec(doc).unwrap_or_default();
    let info = serde_json::to_vec(info).unwrap_or_default();
    let json_file = |name, filename, data| Part {
        name,
        filename,
        content_type: "application/json",
        data,
    };
    Request {
        method: "POST",
        url,
        headers: Vec::new(),
        body: Body::multipart(&[
            json_file(results_part, "results.json", &results),
            json_file("info", "info.json", &info),
        ]),
        call: Call::Create,
        slow: true,
    }
}

/// The Jira site an import answer names: Cloud `{"self": "https://acme.atlassian.net/rest/api/2/
/// issue/38101"}` (xray-api.md §2.3) → `https://acme.atlassian.net`. Only http(s) URLs.
pub(crate) fn site_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct SelfLink {
        #[serde(rename = "self")]
        link: Option<String>,
    }
    let link = serde_json::from_slice::<SelfLink>(body).ok()?.link?;
    let lower = link.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let (site, _) = link.split_once("/rest/")?;
    (!site.is_empty()).then(|| site.to_string())
}

/// The success body of an import: Cloud `{"key"}`, DC `{"testExecIssue":{"key"}}`. A 2xx
/// without a valid key is an error quoting the body (Xray can answer 200 with `{"error":…}`).
pub(crate) fn execution_key(product: Product, body: &[u8]) -> Result<IssueKey, ApiError> {
    #[derive(serde::Deserialize)]
    struct KeyOnly {
        key: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct DcBody {
        test_exec_issue: Option<KeyOnly>,
    }
    let key = match product {
        Product::Cloud => serde_json::from_slice::<KeyOnly>(body)
            .ok()
            .and_then(|b| b.key),
        Product::Dc => serde_json::from_slice::<DcBody>(body)
            .ok()
            .and_then(|b| b.test_exec_issue)
            .and_then(|k| k.key),
    };
    key.as_deref()
        .and_then(IssueKey::parse)
        .ok_or_else(|| ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: format!(
                "the import answered without a Test Execution key: {}",
                crate::http::detail_of(body)
            ),
        })
}

/// `key in (A-1,B-2)` for a batch of validated keys (an invalid key is dropped: it cannot be a
/// Test and would break the JQL).
pub(crate) fn key_jql(keys: &[String]) -> String {
    let list: Vec<&str> = keys
        .iter()
        .filter(|k| IssueKey::parse(k).is_some())
        .map(String::as_str)
        .collect();
    format!("key in ({})", list.join(","))
}

/// `labels = "…"` for a label we generated or the user configured; quotes and backslashes are
/// escaped so the value stays one JQL string.
pub(crate) fn label_jql(label: &str) -> String {
    let escaped = label.replace('\\', "\\\\").replace('"', "\\\"");
    format!("labels = \"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_comes_from_the_self_link() {
        assert_eq!(
            site_of(br#"{"id":"1","key":"CALC-82","self":"https://acme.atlassian.net/rest/api/2/issue/1"}"#)
                .as_deref(),
            Some("https://acme.atlassian.net")
        );
        assert_eq!(site_of(br#"{"key":"CALC-82"}"#), None);
        assert_eq!(site_of(br#"{"self":"javascript:x/rest/"}"#), None);
    }

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

    #[test]
    fn success_needs_a_key() {
        assert_eq!(
            execution_key(Product::Cloud, br#"{"id":"1","key":"CALC-82"}"#)
                .unwrap()
                .as_str(),
            "CALC-82"
        );
        assert_eq!(
            execution_key(Product::Dc, br#"{"testExecIssue":{"key":"BOOK-9"}}"#)
                .unwrap()
                .as_str(),
            "BOOK-9"
        );
        let err =
            execution_key(Product::Cloud, br#"{"error":"Error parsing info file!"}"#).unwrap_err();
        assert!(
            err.to_string().contains("Error parsing info file!"),
            "{err}"
        );
        assert!(execution_key(Product::Dc, br#"{"key":"CALC-1"}"#).is_err());
    }

    #[test]
    fn jql_helpers() {
        assert_eq!(
            key_jql(&["A-1".into(), "bad key".into(), "B-2".into()]),
            "key in (A-1,B-2)"
        );
        assert_eq!(label_jql(r#"a"b"#), r#"labels = "a\"b""#);
    }
}
