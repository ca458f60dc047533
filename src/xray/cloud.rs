//! Xray Cloud back-end: API-key authentication, the REST v2 imports and the GraphQL reads
//! (`getTests`, `getTestExecutions`, `getProjectSettings`, `getTestPlans`, `getStatuses`) that
//! `upload` and `doctor` use, with GraphQL's in-band errors mapped to `ApiError` once.
//!
//! Owns the bearer token: fetched once per run from `/api/v2/authenticate` (whose body is a JSON
//! string literal), reused for every call, and renewed once when a data call answers 401. Every
//! error leaving this file has the client secret and the token scrubbed from its text.

use std::sync::Mutex;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request, Response};
use crate::plan::IssueKey;
use crate::secret::Secret;
use crate::settings::Product;
use crate::xray::payload::ImportDoc;
use crate::xray::wire::{
    FoundTest, LOOKUP_BATCH, RunRef, execution_key, key_jql, label_jql, multipart_import, site_of,
};

pub struct Cloud {
    http: Http,
    base: String,
    client_id: String,
    client_secret: Secret,
    token: Mutex<Option<Secret>>,
    /// The Jira site from the first import answer's `self` link.
    site: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cloud")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Xray Cloud project settings (GraphQL `getProjectSettings`), for `doctor`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProjectSettings {
    pub project_id: Option<String>,
    pub test_environments: Vec<String>,
    pub test_type_settings: Option<TestTypeSettings>,
    pub defect_issue_types: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TestTypeSettings {
    pub test_types: Vec<TestTypeInfo>,
    pub default_test_type_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TestTypeInfo {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Deserialize)]
struct GraphqlAnswer<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
}

#[derive(Deserialize)]
struct JiraKey {
    key: Option<String>,
}

impl Cloud {
    pub fn new(http: &Http, url: &str, client_id: &str, client_secret: Secret) -> Cloud {
        Cloud {
            http: http.clone(),
            base: url.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            client_secret,
            token: Mutex::new(None),
            site: std::sync::OnceLock::new(),
        }
    }

    /// The Jira site the imports answered from (their `self` link), once one succeeded.
    pub fn site(&self) -> Option<String> {
        self.site.get().cloned()
    }

    fn note_site(&self, body: &[u8]) {
        if let Some(site) = site_of(body) {
            let _ = self.site.set(site);
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    fn scrub(&self, err: ApiError) -> ApiError {
        let token = self.token.lock().map(|t| t.clone()).unwrap_or(None);
        match token {
            Some(t) => err.scrubbed(&[&self.client_secret, &t]),
            None => err.scrubbed(&[&self.client_secret]),
        }
    }

    /// Exchanges the API key pair for a token and keeps it for later calls. Answers 401 with
    /// `Unauthorized` (wrong pair) or `WrongRegion` (the tenant lives on a regional host).
    pub fn authenticate(&self) -> Result<(), ApiError> {
        #[derive(serde::Serialize)]
        struct Credentials<'a> {
            client_id: &'a str,
            client_secret: &'a str,
        }
        let req = Request::post_json(
            self.url("/api/v2/authenticate"),
            &Credentials {
                client_id: &self.client_id,
                client_secret: self.client_secret.expose(),
            },
            Call::Read,
        );
        let resp = self
            .http
            .send(Service::Xray, "authentication", &req)
            .map_err(|e| self.scrub(not_a_create(e)))?;
        // The body is a JSON string literal: `"eyJ…"`, quotes included.
        let token: String = serde_json::from_slice(&resp.body).map_err(|_| {
            self.scrub(ApiError::BadResponse {
                service: Service::Xray,
                detail: "authentication answered without a token string (is XRAY_URL an Xray Cloud host?)".into(),
            })
        })?;
        if token.trim().is_empty() {
            return Err(ApiError::BadResponse {
                service: Service::Xray,
                detail: "authentication answered with an empty token".into(),
            });
        }
        if let Ok(mut slot) = self.token.lock() {
            *slot = Some(Secret::new(token));
        }
        Ok(())
    }

    /// The cached token, authenticating first when there is none. The flag says it is new.
    fn token(&self) -> Result<(Secret, bool), ApiError> {
        if let Some(t) = self.token.lock().ok().and_then(|t| t.clone()) {
            return Ok((t, false));
        }
        self.authenticate()?;
        self.token
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .map(|t| (t, true))
            .ok_or_else(|| ApiError::BadResponse {
                service: Service::Xray,
                detail: "no token after authentication".into(),
            })
    }

    /// Sends `req` with the bearer token. A 401 on a token that was already in use means it
    /// expired: authenticate once more and send again (a 401 was not processed, so this cannot
    /// duplicate anything).
    fn send(&self, what: &str, req: &Request) -> Result<Response, ApiError> {
        let (token, fresh) = self.token()?;
        let first = self.http.send(
            Service::Xray,
            what,
            &req.clone()
                .header("Authorization", format!("Bearer {}", token.expose())),
        );
        match first {
            Err(ApiError::Unauthorized { .. }) if !fresh => {
                if let Ok(mut slot) = self.token.lock() {
                    *slot = None;
                }
                let (token, _) = self.token()?;
                self.http
                    .send(
                        Service::Xray,
                        what,
                        &req.clone()
                            .header("Authorization", format!("Bearer {}", token.expose())),
                    )
                    .map_err(|e| self.scrub(e))
            }
            other => other.map_err(|e| self.scrub(e)),
        }
    }

    /// Runs a GraphQL query about `what` (named in errors). Xray answers GraphQL errors with
    /// HTTP 200 and an `errors` array, so that array is checked before `data` is trusted.
    pub fn graphql<T: DeserializeOwned>(
        &self,
        what: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<T, ApiError> {
        let req = Request::post_json(
            self.url("/api/v2/graphql"),
            &serde_json::json!({ "query": query, "variables": variables }),
            Call::Read,
        );
        let resp = self.send(what, &req)?;
        // `errors` first, whatever `data` holds: a failed field is `null` there.
        let answer: GraphqlAnswer<serde_json::Value> =
            resp.json(Service::Xray, what).map_err(|e| self.scrub(e))?;
        if !answer.errors.is_empty() {
            let messages: Vec<&str> = answer.errors.iter().map(|e| e.message.as_str()).collect();
            return Err(self.scrub(graphql_error(what, resp.status, &messages.join("; "))));
        }
        let data = answer.data.ok_or_else(|| ApiError::BadResponse {
            service: Service::Xray,
            detail: format!("{what}: no data in the GraphQL answer"),
        })?;
        serde_json::from_value(data).map_err(|e| {
            self.scrub(ApiError::BadResponse {
                service: Service::Xray,
                detail: format!("{what}: unexpected GraphQL data: {e}"),
            })
        })
    }

    /// `getTests` with `key in (…)`, at most [`LOOKUP_BATCH`] keys per request. `getTests` only
    /// returns Test issues, so a key missing from the answer is missing or not a Test.
    pub fn get_tests_by_keys(&self, keys: &[String]) -> Result<Vec<FoundTest>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            // `null` next to a JQL error (handled before `data` is read).
            get_tests: Option<Page<TestHit>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TestHit {
            test_type: Option<TestTypeName>,
            jira: Option<JiraKey>,
        }
        #[derive(Deserialize)]
        struct TestTypeName {
            name: Option<String>,
        }
        const QUERY: &str = "query($jql: String!, $limit: Int!) { getTests(jql: $jql, limit: $limit) { total results { issueId testType { name kind } jira(fields: [\"key\"]) } } }";
        let mut found = Vec::new();
        for batch in keys.chunks(LOOKUP_BATCH) {
            let data: Data = self.graphql(
                "Test lookup",
                QUERY,
                serde_json::json!({ "jql": key_jql(batch), "limit": LOOKUP_BATCH }),
            )?;
            for hit in data.get_tests.map(|p| p.results).unwrap_or_default() {
                if let Some(key) = hit.jira.and_then(|j| j.key) {
                    found.push(FoundTest {
                        key,
                        issue_type: "Test".into(),
                        test_type: hit.test_type.and_then(|t| t.name),
                    });
                }
            }
        }
        Ok(found)
    }

    /// Test Executions carrying `label` (`getTestExecutions` with `labels = "…"`, limit 1: the
    /// label is unique to one run).
    pub fn get_test_executions_by_label(&self, label: &str) -> Result<Vec<IssueKey>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_executions: Page<ExecHit>,
        }
        #[derive(Deserialize)]
        struct ExecHit {
            jira: Option<JiraKey>,
        }
        const QUERY: &str = "query($jql: String!, $limit: Int!) { getTestExecutions(jql: $jql, limit: $limit) { total results { issueId jira(fields: [\"key\"]) } } }";
        let data: Data = self.graphql(
            "execution lookup",
            QUERY,
            serde_json::json!({ "jql": label_jql(label), "limit": 1 }),
        )?;
        Ok(data
            .get_test_executions
            .results
            .into_iter()
            .filter_map(|h| h.jira.and_then(|j| j.key))
            .filter_map(|k| IssueKey::parse(&k))
            .collect())
    }

    /// The runs of `execution`: `getTestExecutions(jql: "key = …", limit: 1)` with its
    /// `testRuns(limit: 100, start: …)` connection (xray-api.md §6, "runs of an execution"),
    /// one request per 100 runs. Each run gives its Test's key and generic definition
    /// (`unstructured`), which is how a result sent by definition is matched to its Test.
    pub fn execution_runs(&self, execution: &IssueKey) -> Result<Vec<RunRef>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_executions: Option<Page<Exec>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Exec {
            test_runs: Option<Runs>,
        }
        #[derive(Deserialize)]
        struct Runs {
            #[serde(default)]
            total: usize,
            #[serde(default = "Vec::new")]
            results: Vec<Run>,
        }
        #[derive(Deserialize)]
        struct Run {
            test: Option<RunTest>,
        }
        #[derive(Deserialize)]
        struct RunTest {
            unstructured: Option<String>,
            jira: Option<JiraKey>,
        }
        const QUERY: &str = "query($jql: String!, $start: Int!) { getTestExecutions(jql: $jql, limit: 1) { results { issueId testRuns(limit: 100, start: $start) { total start limit results { test { unstructured jira(fields: [\"key\"]) } } } } } }";
        let mut runs = Vec::new();
        loop {
            let data: Data = self.graphql(
                "execution runs",
                QUERY,
                serde_json::json!({
                    "jql": format!("key = {}", execution.as_str()),
                    "start": runs.len(),
                }),
            )?;
            let page = data
                .get_test_executions
                .and_then(|p| p.results.into_iter().next())
                .and_then(|e| e.test_runs);
            let Some(page) = page else { break };
            let got = page.results.len();
            for r in page.results {
                let Some(test) = r.test else { continue };
                if let Some(key) = test.jira.and_then(|j| j.key) {
                    runs.push(RunRef {
                        test_key: key,
                        definition: test.unstructured,
                        defects: Vec::new(),
                    });
                }
            }
            if got == 0 || runs.len() >= page.total {
                break;
            }
        }
        Ok(runs)
    }

    /// `getProjectSettings`: test environments, test types, defect issue types. `NotFound` when
    /// Xray answers `null` (no such project, or Xray not enabled on it).
    pub fn project_settings(&self, project: &str) -> Result<ProjectSettings, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_project_settings: Option<ProjectSettings>,
        }
        const QUERY: &str = "query($p: String!) { getProjectSettings(projectIdOrKey: $p) { projectId testEnvironments testTypeSettings { testTypes { id name kind } defaultTestTypeId } defectIssueTypes } }";
        let what = format!("project {project}");
        let data: Data = self.graphql(&what, QUERY, serde_json::json!({ "p": project }))?;
        data.get_project_settings.ok_or(ApiError::NotFound {
            service: Service::Xray,
            what,
            detail: String::new(),
        })
    }

    /// Whether `key` is a Test Plan (`getTestPlans` with `key = "…"`). An existing issue of
    /// another type is `Ok(false)`; a key that does not exist is Xray's JQL error, `NotFound`.
    pub fn is_test_plan(&self, key: &str) -> Result<bool, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_plans: Option<Total>,
        }
        #[derive(Deserialize)]
        struct Total {
            #[serde(default)]
            total: usize,
        }
        const QUERY: &str = "query($jql: String!) { getTestPlans(jql: $jql, limit: 1) { total results { issueId } } }";
        let data: Data = self.graphql(
            &format!("test plan {key}"),
            QUERY,
            serde_json::json!({ "jql": format!("key = \"{key}\"") }),
        )?;
        Ok(data.get_test_plans.is_some_and(|p| p.total > 0))
    }

    /// The Test Run status names (`getStatuses`), built-in and custom.
    pub fn statuses(&self) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            #[serde(default)]
            get_statuses: Vec<Named>,
        }
        #[derive(Deserialize)]
        struct Named {
            name: String,
        }
        let data: Data = self.graphql(
            "statuses",
            "{ getStatuses { name } }",
            serde_json::json!({}),
        )?;
        Ok(data.get_statuses.into_iter().map(|n| n.name).collect())
    }

    /// `POST /api/v2/import/execution/multipart` with parts `results` (Xray JSON) and `info`
    /// (Jira fields + `xrayFields`). Always creates a new execution; sent once (`Call::Create`).
    pub fn import_multipart(
        &self,
        doc: &ImportDoc,
        info: &serde_json::Value,
    ) -> Result<IssueKey, ApiError> {
        let req = multipart_import(
            self.url("/api/v2/import/execution/multipart"),
            "results",
            doc,
            info,
        );
        let resp = self.send("execution import", &req)?;
        self.note_site(&resp.body);
        execution_key(Product::Cloud, &resp.body).map_err(|e| self.scrub(e))
    }

    /// `POST /api/v2/import/execution` with an Xray JSON body.
    pub fn import(&self, doc: &ImportDoc, call: Call) -> Result<IssueKey, ApiError> {
        let req = Request::post_json(self.url("/api/v2/import/execution"), doc, call).slow();
        let resp = self.send("execution import", &req)?;
        self.note_site(&resp.body);
        execution_key(Product::Cloud, &resp.body).map_err(|e| self.scrub(e))
    }
}

/// The issue id of a key (`getTests`-style answers carry `issueId` next to `jira.key`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdHit {
    issue_id: Option<String>,
}

impl Cloud {
    /// Runs a GraphQL mutation as `call` (a create is `Call::Create`: never resent blindly).
    /// Same in-band error handling as [`Cloud::graphql`].
    fn graphql_mutation<T: DeserializeOwned>(
        &self,
        what: &str,
        query: &str,
        variables: serde_json::Value,
        call: Call,
    ) -> Result<T, ApiError> {
        let req = Request::post_json(
            self.url("/api/v2/graphql"),
            &serde_json::json!({ "query": query, "variables": variables }),
            call,
        );
        let resp = self.send(what, &req)?;
        let answer: GraphqlAnswer<T> = resp.json(Service::Xray, what).map_err(|e| self.scrub(e))?;
        if !answer.errors.is_empty() {
            let messages: Vec<&str> = answer.errors.iter().map(|e| e.message.as_str()).collect();
            return Err(self.scrub(graphql_error(what, resp.status, &messages.join("; "))));
        }
        answer.data.ok_or_else(|| ApiError::BadResponse {
            service: Service::Xray,
            detail: format!("{what}: no data in the GraphQL answer"),
        })
    }

    /// `createTestExecution(testIssueIds: [], testEnvironments, jira: {fields})`: an empty Test
    /// Execution (xray-api.md §6, "create execution first"). Returns its issue id and key.
    pub fn create_test_execution(
        &self,
        fields: &serde_json::Value,
        environments: &[String],
    ) -> Result<(String, IssueKey), ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            create_test_execution: Created,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Created {
            test_execution: Option<Exec>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Exec {
            issue_id: Option<String>,
            jira: Option<JiraKey>,
        }
        const QUERY: &str = "mutation($tests: [String], $envs: [String], $jira: JSON!) { createTestExecution(testIssueIds: $tests, testEnvironments: $envs, jira: $jira) { testExecution { issueId jira(fields: [\"key\"]) } warnings createdTestEnvironments } }";
        let data: Data = self.graphql_mutation(
            "create Test Execution",
            QUERY,
            serde_json::json!({ "tests": [], "envs": environments, "jira": { "fields": fields } }),
            Call::Create,
        )?;
        let exec = data.create_test_execution.test_execution;
        let id = exec.as_ref().and_then(|e| e.issue_id.clone());
        let key = exec
            .and_then(|e| e.jira)
            .and_then(|j| j.key)
            .and_then(|k| IssueKey::parse(&k));
        match (id, key) {
            (Some(id), Some(key)) => Ok((id, key)),
            _ => Err(ApiError::BadResponse {
                service: Service::Xray,
                detail: "createTestExecution answered without an issue id and key".into(),
            }),
        }
    }

    /// The issue id of Test Plan `key` (`getTestPlans`), `None` when no such plan.
    pub fn test_plan_id(&self, key: &str) -> Result<Option<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_plans: Option<Page<IdHit>>,
        }
        const QUERY: &str = "query($jql: String!) { getTestPlans(jql: $jql, limit: 1) { total results { issueId } } }";
        let data: Data = self.graphql(
            &format!("test plan {key}"),
            QUERY,
            serde_json::json!({ "jql": format!("key = \"{key}\"") }),
        )?;
        Ok(data
            .get_test_plans
            .and_then(|p| p.results.into_iter().next())
            .and_then(|h| h.issue_id))
    }

    /// `addTestExecutionsToTestPlan(issueId, testExecIssueIds)`; adding twice is harmless.
    pub fn add_execution_to_plan(&self, plan_id: &str, execution_id: &str) -> Result<(), ApiError> {
        const QUERY: &str = "mutation($plan: String!, $execs: [String]!) { addTestExecutionsToTestPlan(issueId: $plan, testExecIssueIds: $execs) { addedTestExecutions warning } }";
        let _: serde_json::Value = self.graphql_mutation(
            "test plan link",
            QUERY,
            serde_json::json!({ "plan": plan_id, "execs": [execution_id] }),
            Call::Read,
        )?;
        Ok(())
    }

    /// The status name of every Test Run in execution `key` (`getTestExecutions` with
    /// `testRuns`, 100 per page; xray-api.md §6 "runs of an execution").
    pub fn run_statuses(&self, key: &IssueKey) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_executions: Page<ExecRuns>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ExecRuns {
            test_runs: Option<Runs>,
        }
        #[derive(Deserialize)]
        struct Runs {
            #[serde(default)]
            total: usize,
            #[serde(default)]
            results: Vec<RunHit>,
        }
        #[derive(Deserialize)]
        struct RunHit {
            status: Option<Named>,
        }
        #[derive(Deserialize)]
        struct Named {
            name: Option<String>,
        }
        const QUERY: &str = "query($jql: String!, $start: Int!) { getTestExecutions(jql: $jql, limit: 1) { total results { issueId testRuns(limit: 100, start: $start) { total results { status { name } } } } } }";
        let mut out = Vec::new();
        loop {
            let data: Data = self.graphql(
                &format!("runs of {key}"),
                QUERY,
                serde_json::json!({ "jql": format!("key = \"{key}\""), "start": out.len() }),
            )?;
            let Some(exec) = data.get_test_executions.results.into_iter().next() else {
                return Err(ApiError::NotFound {
                    service: Service::Xray,
                    what: format!("Test Execution {key}"),
                    detail: String::new(),
                });
            };
            let runs = exec.test_runs.unwrap_or(Runs {
                total: 0,
                results: Vec::new(),
            });
            let page = runs.results.len();
            out.extend(
                runs.results
                    .into_iter()
                    .map(|r| r.status.and_then(|s| s.name).unwrap_or_default()),
            );
            if page == 0 || out.len() >= runs.total {
                return Ok(out);
            }
        }
    }
}

impl Cloud {
    /// Every Test Execution carrying `label` (up to 100), with issue ids: the run marker search
    /// of convergence, where several executions may carry it.
    pub fn executions_by_label(&self, label: &str) -> Result<Vec<(String, IssueKey)>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_executions: Page<Hit>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Hit {
            issue_id: Option<String>,
            jira: Option<JiraKey>,
        }
        const QUERY: &str = "query($jql: String!, $limit: Int!) { getTestExecutions(jql: $jql, limit: $limit) { total results { issueId jira(fields: [\"key\"]) } } }";
        let data: Data = self.graphql(
            "execution lookup",
            QUERY,
            serde_json::json!({ "jql": label_jql(label), "limit": 100 }),
        )?;
        Ok(data
            .get_test_executions
            .results
            .into_iter()
            .filter_map(|h| {
                let key = h
                    .jira
                    .and_then(|j| j.key)
                    .and_then(|k| IssueKey::parse(&k))?;
                Some((h.issue_id.unwrap_or_default(), key))
            })
            .collect())
    }

    /// Removes every Test from execution `key`: its Test issue ids (`tests`, 100 per page)
    /// then `removeTestsFromTestExecution(issueId, testIssueIds)` (xray-api.md §7, Test Sets
    /// and the Test Repository). Returns how many were removed.
    pub fn remove_all_tests(&self, key: &IssueKey) -> Result<usize, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_executions: Page<Exec>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Exec {
            issue_id: Option<String>,
            tests: Option<Tests>,
        }
        #[derive(Deserialize)]
        struct Tests {
            #[serde(default)]
            total: usize,
            #[serde(default)]
            results: Vec<IdHit>,
        }
        const QUERY: &str = "query($jql: String!, $start: Int!) { getTestExecutions(jql: $jql, limit: 1) { results { issueId tests(limit: 100, start: $start) { total results { issueId } } } } }";
        const REMOVE: &str = "mutation($exec: String!, $tests: [String]!) { removeTestsFromTestExecution(issueId: $exec, testIssueIds: $tests) }";
        let mut exec_id = None;
        let mut ids: Vec<String> = Vec::new();
        loop {
            let data: Data = self.graphql(
                &format!("tests of {key}"),
                QUERY,
                serde_json::json!({ "jql": format!("key = \"{key}\""), "start": ids.len() }),
            )?;
            let Some(exec) = data.get_test_executions.results.into_iter().next() else {
                return Err(ApiError::NotFound {
                    service: Service::Xray,
                    what: format!("Test Execution {key}"),
                    detail: String::new(),
                });
            };
            exec_id = exec_id.or(exec.issue_id);
            let tests = exec.tests.unwrap_or(Tests {
                total: 0,
                results: Vec::new(),
            });
            let page = tests.results.len();
            ids.extend(tests.results.into_iter().filter_map(|t| t.issue_id));
            if page == 0 || ids.len() >= tests.total {
                break;
            }
        }
        let Some(exec_id) = exec_id else {
            return Err(ApiError::BadResponse {
                service: Service::Xray,
                detail: format!("no issue id for {key}"),
            });
        };
        for batch in ids.chunks(100) {
            let _: serde_json::Value = self.graphql_mutation(
                &format!("remove tests from {key}"),
                REMOVE,
                serde_json::json!({ "exec": exec_id, "tests": batch }),
                Call::Read,
            )?;
        }
        Ok(ids.len())
    }
}

/// An authentication failure as a failure that applied nothing: a token exchange creates
/// nothing, so a timeout on it must not make the import that needed the token look like a
/// create that may have happened (which would send the caller looking for its run marker).
fn not_a_create(e: ApiError) -> ApiError {
    match e {
        ApiError::Network {
            service,
            url,
            detail,
            maybe_applied: true,
        } => ApiError::Network {
            service,
            url,
            detail: format!("{detail} (authentication: nothing was created)"),
            maybe_applied: false,
        },
        other => other,
    }
}

/// A GraphQL `errors` array as the error a caller branches on: the region mismatch and a
/// missing issue or project get their own variants (doctor explains each); anything else is
/// the query being refused.
fn graphql_error(what: &str, status: u16, detail: &str) -> ApiError {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("another region") {
        ApiError::WrongRegion {
            detail: detail.to_string(),
        }
    } else if lower.contains("does not exist") || lower.contains("not found") {
        ApiError::NotFound {
            service: Service::Xray,
            what: what.to_string(),
            detail: detail.to_string(),
        }
    } else {
        ApiError::Rejected {
            service: Service::Xray,
            status,
            detail: format!("GraphQL {what}: {detail}"),
        }
    }
}

/// Test Repository folders and requirement lookups (issue 13).
impl Cloud {
    /// Every folder path of the project's Test Repository: `getFolder(projectId, path: "/")
    /// { name path folders }`, whose `folders` (JSON) holds the subfolders, each with its
    /// `path` and own `folders` (Xray Cloud GraphQL reference, `getFolder`; xray-api.md §7).
    pub fn folder_paths(&self, project_id: &str) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_folder: Option<serde_json::Value>,
        }
        fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
            for f in v["folders"].as_array().into_iter().flatten() {
                if let Some(p) = f["path"].as_str() {
                    out.push(p.to_string());
                }
                walk(f, out);
            }
        }
        const QUERY: &str =
            "query($p: String!) { getFolder(projectId: $p, path: \"/\") { name path folders } }";
        let data: Data = self.graphql(
            "Test Repository folders",
            QUERY,
            serde_json::json!({ "p": project_id }),
        )?;
        let mut out = Vec::new();
        if let Some(root) = &data.get_folder {
            walk(root, &mut out);
        }
        Ok(out)
    }

    /// `createFolder(projectId, path) { folder { path } warnings }` (xray-api.md §7): one
    /// level, its parent existing. A create, never resent blindly.
    pub fn create_folder(&self, project_id: &str, path: &str) -> Result<(), ApiError> {
        const MUTATION: &str = "mutation($p: String!, $path: String!) { createFolder(projectId: $p, path: $path) { folder { path } warnings } }";
        let _: serde_json::Value = self.graphql_mutation(
            &format!("folder {path}"),
            MUTATION,
            serde_json::json!({ "p": project_id, "path": path }),
            Call::Create,
        )?;
        Ok(())
    }

    /// `addTestsToFolder(projectId, path, testIssueIds) { folder { path } warnings }`
    /// (xray-api.md §6, §7), 100 issue ids a request. Moving a Test where it already is
    /// changes nothing, so it is a read for the retry policy.
    pub fn add_tests_to_folder(
        &self,
        project_id: &str,
        path: &str,
        test_ids: &[String],
    ) -> Result<(), ApiError> {
        const MUTATION: &str = "mutation($p: String!, $path: String!, $tests: [String]!) { addTestsToFolder(projectId: $p, path: $path, testIssueIds: $tests) { folder { path } warnings } }";
        for batch in test_ids.chunks(LOOKUP_BATCH) {
            let _: serde_json::Value = self.graphql_mutation(
                &format!("folder {path}"),
                MUTATION,
                serde_json::json!({ "p": project_id, "path": path, "tests": batch }),
                Call::Read,
            )?;
        }
        Ok(())
    }

    /// The keys among `keys` (at most [`LOOKUP_BATCH`]) that Xray counts as requirements:
    /// `getCoverableIssues(jql: "key in (…)", limit) { results { issueId jira(fields:
    /// ["key"]) } }` (Xray Cloud GraphQL reference, `getCoverableIssues`). A key that does not
    /// exist fails the JQL like `getTests` does (xray-api.md §7); the caller drops it and asks
    /// again.
    pub fn coverable_issues(&self, keys: &[String]) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_coverable_issues: Option<Page<Hit>>,
        }
        #[derive(Deserialize)]
        struct Hit {
            jira: Option<JiraKey>,
        }
        const QUERY: &str = "query($jql: String!, $limit: Int!) { getCoverableIssues(jql: $jql, limit: $limit) { total results { issueId jira(fields: [\"key\"]) } } }";
        let data: Data = self.graphql(
            "requirement lookup",
            QUERY,
            serde_json::json!({ "jql": key_jql(keys), "limit": LOOKUP_BATCH }),
        )?;
        Ok(data
            .get_coverable_issues
            .map(|p| p.results)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|h| h.jira.and_then(|j| j.key))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_errors_map_to_the_variants_callers_branch_on() {
        let e = graphql_error(
            "statuses",
            200,
            "Xray data is in another region. Contact support",
        );
        assert!(matches!(e, ApiError::WrongRegion { .. }), "{e:?}");
        let e = graphql_error(
            "test plan CALC-9",
            200,
            "Error executing JQL: An issue with key 'CALC-9' does not exist for field 'key'.",
        );
        assert!(
            matches!(&e, ApiError::NotFound { what, detail, .. } if what == "test plan CALC-9" && detail.starts_with("Error executing JQL")),
            "{e:?}"
        );
        let e = graphql_error("Test lookup", 200, "limit must be between 1 and 100");
        assert!(
            e.to_string().contains("GraphQL Test lookup: limit must be"),
            "{e}"
        );
        assert_eq!(e.kind(), crate::error::ErrorKind::BadInput);
    }
}
