//! Xray Data Center back-end: Jira credentials (PAT as `Bearer`, or `Basic`) on every request,
//! the `/rest/raven/2.0` imports, the test-plan link, the license and test-status reads, and the
//! Jira reads Xray DC relies on: searches (`/rest/api/2/search`) that resolve Test keys and find
//! an execution by its run marker label, a project's issue types, an issue's type.
//!
//! Owns the DC request shapes. Every error leaving this file has the PAT or password scrubbed.

use serde::Deserialize;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request, percent_encode};
use crate::jira::client::IssueType;
use crate::plan::IssueKey;
use crate::secret::Secret;
use crate::settings::{DcAuth, Product};
use crate::xray::payload::ImportDoc;
use crate::xray::wire::{
    FoundTest, LOOKUP_BATCH, RunRef, execution_key, key_jql, label_jql, multipart_import,
};

#[derive(Debug)]
pub struct Dc {
    http: Http,
    base: String,
    auth: DcAuth,
}

/// `GET /rest/raven/latest/api/xraylicense`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct License {
    pub active: bool,
    pub license_type: Option<String>,
}

/// One issue from a Jira search, with the fields xray-sync asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub key: String,
    pub issue_type: Option<String>,
}

impl Dc {
    pub fn new(http: &Http, url: &str, auth: DcAuth) -> Dc {
        Dc {
            http: http.clone(),
            base: url.trim_end_matches('/').to_string(),
            auth,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    /// The Jira DC credentials' header: Xray DC authenticates with them.
    fn authorization(&self) -> Secret {
        crate::jira::auth::dc_header(&self.auth)
    }

    /// Scrubs the PAT or password, and the whole header value (a server echoing `Basic …`
    /// would otherwise leak the base64 of user:password).
    fn scrub(&self, err: ApiError) -> ApiError {
        let header = self.authorization();
        let encoded = Secret::new(header.expose().split_once(' ').map_or("", |(_, v)| v));
        match &self.auth {
            DcAuth::Pat(pat) => err.scrubbed(&[&header, pat]),
            DcAuth::Basic { password, .. } => err.scrubbed(&[&header, &encoded, password]),
        }
    }

    fn send(&self, what: &str, req: Request) -> Result<crate::http::Response, ApiError> {
        let req = req.header("Authorization", self.authorization().expose());
        self.http
            .send(Service::Xray, what, &req)
            .map_err(|e| self.scrub(e))
    }

    /// The license probe: cheap proof that this is Xray DC and the credentials work.
    pub fn license(&self) -> Result<License, ApiError> {
        self.get_json("Xray license", "/rest/raven/latest/api/xraylicense")
    }

    /// `GET` of a JSON resource with the Jira credentials.
    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
    ) -> Result<T, ApiError> {
        self.send(what, Request::get(self.url(path)))?
            .json(Service::Xray, what)
            .map_err(|e| self.scrub(e))
    }

    /// The Test Run status names (`/rest/raven/1.0/api/settings/teststatuses`).
    pub fn test_statuses(&self) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct Status {
            name: String,
        }
        let list: Vec<Status> =
            self.get_json("statuses", "/rest/raven/1.0/api/settings/teststatuses")?;
        Ok(list.into_iter().map(|s| s.name).collect())
    }

    /// The issue types of `project` (Jira `GET /rest/api/2/project/{key}`), which must include
    /// Xray's Test and Test Execution for imports to work.
    pub fn project_issue_types(&self, project: &str) -> Result<Vec<IssueType>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Project {
            #[serde(default)]
            issue_types: Vec<IssueType>,
        }
        let p: Project = self.get_json(
            &format!("project {project}"),
            &format!("/rest/api/2/project/{}", percent_encode(project)),
        )?;
        Ok(p.issue_types)
    }

    /// The create screen of issue type `type_name` in `project` (Jira DC
    /// `GET /rest/api/2/issue/createmeta/{project}/issuetypes[/{id}]`, both listing under
    /// `values`; docs/jira-api.md §3.2). Empty when the project has no such type.
    pub fn create_meta(
        &self,
        project: &str,
        type_name: &str,
    ) -> Result<Vec<crate::jira::client::FieldMeta>, ApiError> {
        #[derive(Deserialize)]
        struct Page<T> {
            #[serde(default = "Vec::new")]
            values: Vec<T>,
        }
        let types: Page<IssueType> = self.get_json(
            &format!("issue types of {project}"),
            &format!(
                "/rest/api/2/issue/createmeta/{}/issuetypes?maxResults=200",
                percent_encode(project)
            ),
        )?;
        let Some(t) = types.values.iter().find(|t| t.name == type_name) else {
            return Ok(Vec::new());
        };
        let fields: Page<crate::jira::client::FieldMeta> = self.get_json(
            &format!("fields of issue type {type_name}"),
            &format!(
                "/rest/api/2/issue/createmeta/{}/issuetypes/{}?maxResults=200",
                percent_encode(project),
                percent_encode(&t.id)
            ),
        )?;
        Ok(fields.values)
    }

    /// The issue type name of `key` (Jira `GET /rest/api/2/issue/{key}?fields=issuetype`),
    /// to tell a Test Plan from another issue.
    pub fn issue_type_of(&self, key: &str) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Issue {
            fields: Fields,
        }
        #[derive(Deserialize)]
        struct Fields {
            issuetype: Named,
        }
        #[derive(Deserialize)]
        struct Named {
            name: String,
        }
        let issue: Issue = self.get_json(
            &format!("issue {key}"),
            &format!("/rest/api/2/issue/{}?fields=issuetype", percent_encode(key)),
        )?;
        Ok(issue.fields.issuetype.name)
    }

    /// `POST /rest/api/2/search` with `jql`, returning key and issue type of each hit (one page
    /// of at most `max_results`). A `key in (…)` naming a key that does not exist (or cannot be
    /// seen) fails the whole search with 400 and the key in `errorMessages` (xray-api.md §7);
    /// `xray::keys` drops such keys and asks again.
    pub fn search(&self, jql: &str, max_results: usize) -> Result<Vec<SearchHit>, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            issues: Vec<Issue>,
        }
        #[derive(Deserialize)]
        struct Issue {
            key: String,
            #[serde(default)]
            fields: Option<Fields>,
        }
        #[derive(Deserialize)]
        struct Fields {
            issuetype: Option<IssueType>,
        }
        #[derive(Deserialize)]
        struct IssueType {
            name: Option<String>,
        }
        let req = Request::post_json(
            self.url("/rest/api/2/search"),
            &serde_json::json!({
                "jql": jql,
                "fields": ["issuetype"],
                "maxResults": max_results,
            }),
            Call::Read,
        );
        let resp = self.send("Jira search", req)?;
        let answer: Answer = resp
            .json(Service::Xray, "Jira search")
            .map_err(|e| self.scrub(e))?;
        Ok(answer
            .issues
            .into_iter()
            .map(|i| SearchHit {
                key: i.key,
                issue_type: i.fields.and_then(|f| f.issuetype).and_then(|t| t.name),
            })
            .collect())
    }

    /// Resolves keys by Jira search, [`LOOKUP_BATCH`] keys per request.
    pub fn get_tests_by_keys(&self, keys: &[String]) -> Result<Vec<FoundTest>, ApiError> {
        let mut found = Vec::new();
        for batch in keys.chunks(LOOKUP_BATCH) {
            for hit in self.search(&key_jql(batch), LOOKUP_BATCH)? {
                found.push(FoundTest {
                    key: hit.key,
                    issue_type: hit.issue_type.unwrap_or_default(),
                    test_type: None,
                });
            }
        }
        Ok(found)
    }

    /// Test Executions carrying `label` (Jira search by label).
    pub fn get_test_executions_by_label(&self, label: &str) -> Result<Vec<IssueKey>, ApiError> {
        Ok(self
            .search(&label_jql(label), 1)?
            .into_iter()
            .filter_map(|h| IssueKey::parse(&h.key))
            .collect())
    }

    /// The runs of `execution`: `GET /rest/raven/1.0/api/testexec/{key}/test?detailed=true&
    /// page=N&limit=100` (xray-api.md §3.4), page by page until the last ([`Pages`]) or until
    /// `expected` runs are read, which saves the empty last page. `detailed` adds each run's defects, which is
    /// how a result sent by definition is matched to its Test: the bug filed for it is there.
    pub fn execution_runs(
        &self,
        execution: &IssueKey,
        expected: usize,
    ) -> Result<Vec<RunRef>, ApiError> {
        #[derive(Deserialize)]
        struct Run {
            key: Option<String>,
            #[serde(default)]
            defects: Vec<serde_json::Value>,
        }
        const LIMIT: usize = 100;
        let mut runs = Vec::new();
        let mut pages = Pages::default();
        for page in 1.. {
            let path = format!(
                "/rest/raven/1.0/api/testexec/{}/test?detailed=true&page={page}&limit={LIMIT}",
                percent_encode(execution.as_str())
            );
            let got: Vec<Run> = self.get_json("execution runs", &path)?;
            let last = pages.last(got.len());
            for r in got {
                let Some(key) = r.key else { continue };
                let defects = r
                    .defects
                    .iter()
                    .filter_map(|d| match d {
                        serde_json::Value::String(s) => Some(s.clone()),
                        other => other["key"].as_str().map(str::to_string),
                    })
                    .collect();
                runs.push(RunRef {
                    test_key: key,
                    definition: None,
                    defects,
                });
            }
            if last || runs.len() >= expected {
                break;
            }
        }
        Ok(runs)
    }

    /// `POST /rest/raven/2.0/import/execution/multipart` with parts `result` (Xray JSON) and
    /// `info` (Jira fields). Always creates a new execution; sent once (`Call::Create`).
    pub fn import_multipart(
        &self,
        doc: &ImportDoc,
        info: &serde_json::Value,
    ) -> Result<IssueKey, ApiError> {
        let req = multipart_import(
            self.url("/rest/raven/2.0/import/execution/multipart"),
            "result",
            doc,
            info,
        );
        let resp = self.send("execution import", req)?;
        execution_key(Product::Dc, &resp.body).map_err(|e| self.scrub(e))
    }

    /// `POST /rest/raven/2.0/import/execution` with an Xray JSON body.
    pub fn import(&self, doc: &ImportDoc, call: Call) -> Result<IssueKey, ApiError> {
        let req =
            Request::post_json(self.url("/rest/raven/2.0/import/execution"), doc, call).slow();
        let resp = self.send("execution import", req)?;
        execution_key(Product::Dc, &resp.body).map_err(|e| self.scrub(e))
    }

    /// `POST /rest/api/2/issue` (Jira DC, the same credentials): an empty Test Execution with
    /// `fields` (jira-api.md §3.1). Sent once (`Call::Create`).
    pub fn create_issue(&self, fields: &serde_json::Value) -> Result<IssueKey, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            key: Option<String>,
        }
        let req = Request::post_json(
            self.url("/rest/api/2/issue"),
            &serde_json::json!({ "fields": fields }),
            Call::Create,
        );
        let resp = self.send("create Test Execution", req)?;
        let a: Answer = resp
            .json(Service::Xray, "created issue")
            .map_err(|e| self.scrub(e))?;
        a.key
            .as_deref()
            .and_then(IssueKey::parse)
            .ok_or_else(|| ApiError::BadResponse {
                service: Service::Xray,
                detail: "the issue create answered without a key".into(),
            })
    }

    /// The status of every Test Run in execution `key`
    /// (`GET /rest/raven/1.0/api/testexec/{key}/test?detailed=false`, 200 per page).
    pub fn run_statuses(&self, key: &IssueKey) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct Run {
            #[serde(default)]
            status: String,
        }
        const LIMIT: usize = 200;
        let mut out = Vec::new();
        let mut pages = Pages::default();
        for page in 1.. {
            let runs: Vec<Run> = self.get_json(
                &format!("runs of {key}"),
                &format!(
                    "/rest/raven/1.0/api/testexec/{}/test?detailed=false&page={page}&limit={LIMIT}",
                    percent_encode(key.as_str())
                ),
            )?;
            let last = pages.last(runs.len());
            out.extend(runs.into_iter().map(|r| r.status));
            if last {
                break;
            }
        }
        Ok(out)
    }

    /// Every Test Execution carrying `label` (Jira search, up to 100).
    pub fn executions_by_label(&self, label: &str) -> Result<Vec<IssueKey>, ApiError> {
        Ok(self
            .search(&label_jql(label), 100)?
            .into_iter()
            .filter_map(|h| IssueKey::parse(&h.key))
            .collect())
    }

    /// Removes every Test from execution `key`: its Tests (`GET …/testexec/{key}/test`) then
    /// `POST /rest/raven/1.0/api/testexec/{key}/test` `{"add":[],"remove":[…]}`, which answers
    /// `[]` or a list of per-key errors (xray-api.md §3.4, §7). Returns how many were removed.
    pub fn remove_all_tests(&self, key: &IssueKey) -> Result<usize, ApiError> {
        #[derive(Deserialize)]
        struct Test {
            key: String,
        }
        const LIMIT: usize = 200;
        let mut keys: Vec<String> = Vec::new();
        let mut pages = Pages::default();
        for page in 1.. {
            let tests: Vec<Test> = self.get_json(
                &format!("tests of {key}"),
                &format!(
                    "/rest/raven/1.0/api/testexec/{}/test?detailed=false&page={page}&limit={LIMIT}",
                    percent_encode(key.as_str())
                ),
            )?;
            let last = pages.last(tests.len());
            keys.extend(tests.into_iter().map(|t| t.key));
            if last {
                break;
            }
        }
        for batch in keys.chunks(100) {
            self.post_tests(
                &format!("remove tests from {key}"),
                &format!(
                    "/rest/raven/1.0/api/testexec/{}/test",
                    percent_encode(key.as_str())
                ),
                &serde_json::json!({ "add": [], "remove": batch }),
            )?;
        }
        Ok(keys.len())
    }

    /// Replaces label `remove` with `add` on `key` (`PUT /rest/api/2/issue/{key}` with
    /// `update.labels`, 204; jira-api.md §3.3).
    pub fn swap_label(&self, key: &IssueKey, remove: &str, add: &str) -> Result<(), ApiError> {
        let req = Request::post_json(
            self.url(&format!("/rest/api/2/issue/{}", percent_encode(key.as_str()))),
            &serde_json::json!({ "update": { "labels": [ { "add": add }, { "remove": remove } ] } }),
            Call::Read,
        )
        .method("PUT");
        self.send(&format!("labels of {key}"), req).map(|_| ())
    }

    /// `PUT /rest/api/2/issue/{key}` `{"fields":{"summary"}}` (204). Setting the same summary
    /// twice is harmless, so it is a `Read` for the retry policy.
    pub fn set_summary(&self, key: &IssueKey, summary: &str) -> Result<(), ApiError> {
        let req = Request::post_json(
            self.url(&format!(
                "/rest/api/2/issue/{}",
                percent_encode(key.as_str())
            )),
            &serde_json::json!({ "fields": { "summary": summary } }),
            Call::Read,
        )
        .method("PUT");
        self.send(&format!("title of {key}"), req).map(|_| ())
    }

    /// `POST /rest/raven/2.0/api/testplan/{plan}/testexecution` `{"add":[key]}`. Answers `[]`
    /// on success, else an array of error strings. Adding twice is harmless, so it is a `Read`.
    pub fn link_test_plan(&self, plan: &str, execution: &IssueKey) -> Result<(), ApiError> {
        let req = Request::post_json(
            self.url(&format!(
                "/rest/raven/2.0/api/testplan/{plan}/testexecution"
            )),
            &serde_json::json!({ "add": [execution.as_str()] }),
            Call::Read,
        );
        let resp = self.send(&format!("test plan {plan}"), req)?;
        let errors: Vec<String> = if resp.body.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            resp.json(Service::Xray, "test plan link")
                .map_err(|e| self.scrub(e))?
        };
        if errors.is_empty() {
            Ok(())
        } else {
            Err(self.scrub(ApiError::Rejected {
                service: Service::Xray,
                status: resp.status,
                detail: errors.join("; "),
            }))
        }
    }

    /// `POST`s an add/remove list of Test keys (`body`) to a DC Test Set or Test Execution
    /// (`path`): both answer 200 with an empty body or a JSON list of per-key errors, which is
    /// a refusal naming them.
    fn post_tests(&self, what: &str, path: &str, body: &serde_json::Value) -> Result<(), ApiError> {
        let req = Request::post_json(self.url(path), body, Call::Read);
        let resp = self.send(what, req)?;
        let errors: Vec<String> = if resp.body.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            resp.json(Service::Xray, what).map_err(|e| self.scrub(e))?
        };
        if errors.is_empty() {
            return Ok(());
        }
        Err(self.scrub(ApiError::Rejected {
            service: Service::Xray,
            status: resp.status,
            detail: errors.join("; "),
        }))
    }

    /// `POST /rest/raven/1.0/api/testset/{set}/test` with `{"add": [...]}`, 100 keys a request
    /// (xray-api.md §7). Adding is idempotent (a read for the retry policy). The answer lists
    /// per-key errors; a key that is not a Test Set answers 400 with a plain-text message.
    pub fn add_tests_to_test_set(&self, set: &str, keys: &[String]) -> Result<(), ApiError> {
        for batch in keys.chunks(100) {
            self.post_tests(
                &format!("Test Set {set}"),
                &format!("/rest/raven/1.0/api/testset/{}/test", percent_encode(set)),
                &serde_json::json!({ "add": batch }),
            )?;
        }
        Ok(())
    }
}

/// One folder of a DC Test Repository (`GET …/testrepository/{project}/folders`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RepoFolder {
    pub id: i64,
    pub name: String,
    pub test_repository_path: String,
    pub folders: Vec<RepoFolder>,
}

/// Test Repository folders, Test definitions and requirement links (issue 13).
impl Dc {
    /// The Test Repository tree of `project`: `GET /rest/raven/1.0/api/testrepository/
    /// {projectKey}/folders` → `{"folders": [{id, rank, name, testRepositoryPath, folders,
    /// testCount, totalTestCount}]}` (Xray DC "Test Repository - REST"; xray-api.md §7). The
    /// root's id is `-1`.
    pub fn repository_folders(&self, project: &str) -> Result<Vec<RepoFolder>, ApiError> {
        #[derive(Deserialize)]
        struct Root {
            #[serde(default)]
            folders: Vec<RepoFolder>,
        }
        let root: Root = self.get_json(
            "Test Repository folders",
            &format!(
                "/rest/raven/1.0/api/testrepository/{}/folders",
                percent_encode(project)
            ),
        )?;
        Ok(root.folders)
    }

    /// Creates folder `name` under `parent` (`-1` = the root): `POST /rest/raven/1.0/api/
    /// testrepository/{projectKey}/folders/{folderId}` with `{"name"}`, answering the new
    /// folder (Xray DC "Test Repository - REST"). A create: never resent blindly. The new id,
    /// when the answer carries one (the caller reads the tree again otherwise).
    pub fn create_folder(
        &self,
        project: &str,
        parent: i64,
        name: &str,
    ) -> Result<Option<i64>, ApiError> {
        let req = Request::post_json(
            self.url(&format!(
                "/rest/raven/1.0/api/testrepository/{}/folders/{parent}",
                percent_encode(project)
            )),
            &serde_json::json!({ "name": name }),
            Call::Create,
        );
        let resp = self.send(&format!("folder {name}"), req)?;
        Ok(serde_json::from_slice::<RepoFolder>(&resp.body)
            .ok()
            .map(|f| f.id)
            .filter(|&id| id != 0))
    }

    /// Moves `keys` into folder `folder`: `PUT /rest/raven/1.0/api/testrepository/{projectKey}/
    /// folders/{folderId}/tests` with `{"add": [...]}`, 100 keys a request (Xray DC "Test
    /// Repository - REST"; errors are 400 text/plain). Idempotent: a read for the retry policy.
    pub fn add_tests_to_folder(
        &self,
        project: &str,
        folder: i64,
        keys: &[String],
    ) -> Result<(), ApiError> {
        for batch in keys.chunks(LOOKUP_BATCH) {
            let req = Request::post_json(
                self.url(&format!(
                    "/rest/raven/1.0/api/testrepository/{}/folders/{folder}/tests",
                    percent_encode(project)
                )),
                &serde_json::json!({ "add": batch }),
                Call::Read,
            )
            .method("PUT");
            self.send("folder tests", req)?;
        }
        Ok(())
    }

    /// The generic definition of each Test in `keys`: `GET /rest/raven/1.0/api/test?keys=
    /// A;B` (Xray DC "Tests - REST": one object per Test with `key` and, for a Generic Test,
    /// `definition`; no paging, so 50 keys a request keep the URL short). How a DC run tells
    /// which Test each result sent by definition landed on (DC's runs do not carry it).
    pub fn test_definitions(
        &self,
        keys: &[String],
    ) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
        #[derive(Deserialize)]
        struct TestJson {
            key: Option<String>,
            definition: Option<String>,
        }
        let mut out = std::collections::BTreeMap::new();
        for batch in keys.chunks(50) {
            let list = batch
                .iter()
                .map(|k| percent_encode(k))
                .collect::<Vec<_>>()
                .join(";");
            let tests: Vec<TestJson> = self.get_json(
                "Test definitions",
                &format!("/rest/raven/1.0/api/test?keys={list}"),
            )?;
            for t in tests {
                if let (Some(k), Some(d)) = (t.key, t.definition) {
                    out.insert(k, d);
                }
            }
        }
        Ok(out)
    }

    /// Jira's issue link types on the Xray DC site (`GET /rest/api/2/issueLinkType`,
    /// jira-api.md §4.3).
    pub fn link_types(&self) -> Result<Vec<crate::jira::client::LinkType>, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(rename = "issueLinkTypes", default)]
            types: Vec<crate::jira::client::LinkType>,
        }
        let a: Answer = self.get_json("issue link types", "/rest/api/2/issueLinkType")?;
        Ok(a.types)
    }

    /// `POST /rest/api/2/issueLink` (jira-api.md §4.3): reads "`inward` <outward phrase>
    /// `outward`"; re-posting an existing link does not duplicate it (a read for the retry
    /// policy).
    pub fn link(&self, link_type: &str, inward: &str, outward: &str) -> Result<(), ApiError> {
        let req = Request::post_json(
            self.url("/rest/api/2/issueLink"),
            &serde_json::json!({
                "type": {"name": link_type},
                "inwardIssue": {"key": inward},
                "outwardIssue": {"key": outward},
            }),
            Call::Read,
        );
        self.send(&format!("{link_type} link {inward} → {outward}"), req)
            .map(|_| ())
    }
}

/// When a DC page of runs is the last. A site may cap `limit` below what was asked (Xray's
/// "Test Executions - REST": `limit` must be at most the maximum set in its Global
/// Configuration), so a page shorter than `limit` is not by itself the end: the end is an
/// empty page, or one shorter than an earlier full page of this listing (the site's cap seen).
#[derive(Default)]
struct Pages {
    /// The longest page so far.
    longest: usize,
}

impl Pages {
    fn last(&mut self, got: usize) -> bool {
        let last = got == 0 || got < self.longest;
        self.longest = self.longest.max(got);
        last
    }
}

#[cfg(test)]
mod tests {
    use super::Pages;

    /// Pages until the end, as `Pages` reads them; the sizes a site answers with.
    fn read(sizes: &[usize]) -> usize {
        let mut pages = Pages::default();
        sizes
            .iter()
            .position(|&n| pages.last(n))
            .map_or(sizes.len(), |i| i + 1)
    }

    #[test]
    fn a_page_capped_by_the_site_is_not_the_last() {
        // Asked 200, the site gives 100 a page: read on to the short (or empty) one.
        assert_eq!(read(&[100, 100, 37, 0]), 3);
        assert_eq!(read(&[100, 100, 0]), 3);
        // A small execution: one page, then the empty one that ends it.
        assert_eq!(read(&[12, 0]), 2);
        assert_eq!(read(&[0]), 1);
    }
}
