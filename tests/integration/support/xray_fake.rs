//! A stateful fake Xray (Cloud or Data Center) built on `fake.rs`, strict where real Xray is
//! strict and stricter where a client mistake would otherwise go unnoticed.
//!
//! Enforces: Cloud bearer tokens from `/api/v2/authenticate` (anything else → 401, echoing the
//! token it got so scrubbing is tested), token expiry on demand; DC `Bearer` PAT or `Basic` on
//! every request; multipart part names per product (`results` Cloud, `result` DC) and the `info`
//! shape (`xrayFields` only `testPlanKey`/`environments` on Cloud, none on DC); the product's
//! status vocabulary and `testInfo.type` vs `testInfo.testType`; unknown `testKey` → 400 for the
//! whole import (nothing applied), like real Xray. State: executions with labels, plan,
//! environments, revision, fix versions and one run per Test (appends update). Reads: GraphQL
//! `getTests` / `getTestExecutions` / `getProjectSettings` (Cloud), Jira search, test plan link
//! and license (DC). Faults are injected per request number or per path: a plain reply instead
//! of processing (429, 503, reset), or processing and then a delayed/reset/5xx answer (a create
//! that happened but whose answer was lost).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use super::execution_screen::{self, RequiredSelect};
use super::fake::{Fake, Reply, Request, multipart_parts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cloud,
    Dc,
}

/// Credentials the fake accepts.
#[derive(Debug, Clone)]
pub enum Creds {
    Cloud { client_id: String, secret: String },
    Pat(String),
    Basic { user: String, password: String },
}

/// When a fault fires (1-based counts).
#[derive(Debug, Clone)]
pub enum On {
    /// The n-th request the fake receives.
    Request(usize),
    /// The n-th request to this path.
    Path(String, usize),
}

#[derive(Debug, Clone)]
pub enum Action {
    /// Answer this instead; the request is NOT processed.
    Reply(Reply),
    /// Process the request (state changes), then answer after this delay.
    ApplyThenDelay(Duration),
    /// Process the request, then drop the connection.
    ApplyThenReset,
    /// Process the request, then answer with this gateway status.
    ApplyThenStatus(u16),
}

#[derive(Debug, Clone)]
struct Fault {
    on: On,
    action: Action,
    fired: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub status: String,
    pub defects: Vec<String>,
    /// Evidence filenames with their decoded bytes.
    pub evidence: Vec<(String, String, Vec<u8>)>,
    pub comment: Option<String>,
    /// True when the run's Test was given by `testInfo` (definition), not `testKey`.
    pub by_definition: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Execution {
    pub key: String,
    pub summary: String,
    pub labels: Vec<String>,
    pub fix_versions: Vec<String>,
    pub description: Option<String>,
    pub test_plan: Option<String>,
    pub environments: Vec<String>,
    pub revision: Option<String>,
    /// Test key → its one run in this execution.
    pub runs: BTreeMap<String, Run>,
    /// The Jira `fields` of the multipart create, as sent.
    pub fields: Value,
}

#[derive(Debug)]
pub struct State {
    pub mode: Mode,
    pub project: String,
    creds: Creds,
    /// Every token handed out (for the secrets test).
    pub tokens_issued: Vec<String>,
    /// Tokens that still work: every one issued (Xray Cloud tokens stay valid for 24 hours,
    /// so concurrent jobs each hold their own) until `expire_token_after` revokes them.
    valid_tokens: Vec<String>,
    expire_after: Option<usize>,
    calls_since_auth: usize,
    /// Issue key → issue type.
    pub issues: BTreeMap<String, String>,
    /// Keys of issues that exist but the credentials cannot see (Jira answers as if missing).
    pub hidden: std::collections::BTreeSet<String>,
    /// Generic definition → Test key, for Tests created by imports.
    pub definitions: BTreeMap<String, String>,
    next_issue: usize,
    pub executions: BTreeMap<String, Execution>,
    faults: Vec<Fault>,
    requests: usize,
    per_path: BTreeMap<String, usize>,
    /// Search lag: a new execution shows up in label searches only this long after it was
    /// created (Xray Cloud's search lags its writes; jira-api.md §2.2 describes the same for Jira).
    search_lag: Duration,
    created_at: BTreeMap<String, std::time::Instant>,
    /// A required custom select on the Test Execution create screen (`execution_screen`).
    pub execution_select: Option<RequiredSelect>,
    /// Test Set key → the Tests in it.
    pub test_sets: BTreeMap<String, Vec<String>>,
    /// Test Repository folders of the project: path (`/A/B`) → folder id (DC ids; the root
    /// `/` is `-1` and not listed).
    pub folders: BTreeMap<String, i64>,
    next_folder: i64,
    /// Test key → the repository folder it is in (a Test is in one folder; none = the root).
    pub test_folder: BTreeMap<String, String>,
    /// Test key → the requirements it covers (from `testInfo.requirementKeys` and from Jira
    /// links of the type whose outward phrase is "tests").
    pub coverage: BTreeMap<String, Vec<String>>,
    /// The project's Test Environments (`getProjectSettings.testEnvironments`). On Cloud an
    /// import naming any other is refused whole (see `unknown_environments`); GraphQL
    /// `createTestExecution` creates the ones it is given (`createdTestEnvironments`).
    pub test_environments: Vec<String>,
    /// The site's Test Run status names (`getStatuses`): the product's built-in ones, plus
    /// any a test adds as custom statuses.
    pub statuses: Vec<String>,
    /// DC: the most runs a page of `…/testexec/{key}/test` holds, whatever `limit` asks (Xray's
    /// "Test Executions - REST": `limit` is at most the maximum of the Global Configuration;
    /// whether a larger one is capped or refused is not documented: capped here).
    pub page_cap: usize,
}

pub struct XrayFake {
    pub server: Fake,
    pub state: Arc<Mutex<State>>,
}

impl XrayFake {
    pub fn start(mode: Mode, project: &str, creds: Creds) -> XrayFake {
        let state = Arc::new(Mutex::new(State {
            mode,
            project: project.to_string(),
            creds,
            tokens_issued: Vec::new(),
            valid_tokens: Vec::new(),
            expire_after: None,
            calls_since_auth: 0,
            issues: BTreeMap::new(),
            hidden: Default::default(),
            definitions: BTreeMap::new(),
            next_issue: 1000,
            executions: BTreeMap::new(),
            faults: Vec::new(),
            requests: 0,
            per_path: BTreeMap::new(),
            search_lag: Duration::ZERO,
            created_at: BTreeMap::new(),
            execution_select: None,
            test_sets: BTreeMap::new(),
            folders: BTreeMap::new(),
            next_folder: 100,
            test_folder: BTreeMap::new(),
            coverage: BTreeMap::new(),
            test_environments: vec!["chrome".into()],
            statuses: match mode {
                // xray-api.md §0: the built-in names of each product.
                Mode::Cloud => ["PASSED", "FAILED", "TO DO", "EXECUTING", "ABORTED"],
                Mode::Dc => ["PASS", "FAIL", "TODO", "EXECUTING", "ABORTED"],
            }
            .map(String::from)
            .to_vec(),
            page_cap: usize::MAX,
        }));
        let shared = state.clone();
        let server = Fake::serve(move |req| {
            let mut s = match shared.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            s.handle(req)
        });
        XrayFake { server, state }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        f(&mut s)
    }

    /// The project's Test Execution requires this custom select: creates without it fail, and
    /// (DC) the create metadata lists it.
    pub fn require_execution_select(&self, field: RequiredSelect) {
        self.with(|s| s.execution_select = Some(field));
    }

    /// The Tests in Test Set `key` (add the set with `add_issue(key, "Test Set")`).
    pub fn test_set(&self, key: &str) -> Vec<String> {
        self.with(|s| s.test_sets.get(key).cloned().unwrap_or_default())
    }

    /// An existing Test Repository folder (its parents are created too).
    pub fn add_folder(&self, path: &str) {
        self.with(|s| {
            let mut at = String::new();
            for seg in path.split('/').filter(|x| !x.is_empty()) {
                at = format!("{at}/{seg}");
                if !s.folders.contains_key(&at) {
                    s.next_folder += 1;
                    let id = s.next_folder;
                    s.folders.insert(at.clone(), id);
                }
            }
        });
    }

    /// The repository folder Test `key` is in (`None`: not placed, i.e. the root).
    pub fn folder_of(&self, key: &str) -> Option<String> {
        self.with(|s| s.test_folder.get(key).cloned())
    }

    /// Every folder path of the Test Repository.
    pub fn folder_paths(&self) -> Vec<String> {
        self.with(|s| s.folders.keys().cloned().collect())
    }

    /// The requirements Test `key` covers.
    pub fn coverage_of(&self, key: &str) -> Vec<String> {
        self.with(|s| s.coverage.get(key).cloned().unwrap_or_default())
    }

    /// The Test key created for (or matched by) generic definition `definition`.
    pub fn test_by_definition(&self, definition: &str) -> Option<String> {
        self.with(|s| s.definitions.get(definition).cloned())
    }

    pub fn add_issue(&self, key: &str, issue_type: &str) {
        self.with(|s| s.issues.insert(key.to_string(), issue_type.to_string()));
    }

    /// An existing Generic Test with this definition: an import sending the definition is
    /// matched to it (xray-api.md §4.3 "Matching rule").
    pub fn add_generic_test(&self, key: &str, definition: &str) {
        self.with(|s| {
            s.issues.insert(key.to_string(), "Test".into());
            s.definitions
                .insert(definition.to_string(), key.to_string())
        });
    }

    /// An issue the configured credentials cannot browse: every JQL naming it fails as if it
    /// did not exist (xray-api.md §7: "also for a key the user cannot see").
    pub fn add_hidden_issue(&self, key: &str, issue_type: &str) {
        self.with(|s| {
            s.issues.insert(key.to_string(), issue_type.to_string());
            s.hidden.insert(key.to_string())
        });
    }

    /// An existing execution (for appending to a given key).
    pub fn add_execution(&self, key: &str) {
        self.with(|s| {
            s.issues.insert(key.to_string(), "Test Execution".into());
            s.executions.insert(
                key.to_string(),
                Execution {
                    key: key.to_string(),
                    summary: "existing".into(),
                    ..Execution::default()
                },
            )
        });
    }

    pub fn fault(&self, on: On, action: Action) {
        self.with(|s| {
            s.faults.push(Fault {
                on,
                action,
                fired: false,
            })
        });
    }

    /// New executions are invisible to label searches for `lag` after their create.
    pub fn search_lag(&self, lag: Duration) {
        self.with(|s| s.search_lag = lag);
    }

    /// The current token stops working after `n` more authorized calls (once).
    pub fn expire_token_after(&self, n: usize) {
        self.with(|s| s.expire_after = Some(n));
    }

    pub fn executions(&self) -> BTreeMap<String, Execution> {
        self.with(|s| s.executions.clone())
    }

    pub fn only_execution(&self) -> Execution {
        let all = self.executions();
        assert_eq!(
            all.len(),
            1,
            "expected exactly one execution, got {:?}",
            all.keys()
        );
        all.into_values().next().unwrap_or_default()
    }

    pub fn tokens_issued(&self) -> Vec<String> {
        self.with(|s| s.tokens_issued.clone())
    }

    /// Requests to the import endpoints (create and append).
    pub fn import_requests(&self) -> Vec<Request> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.path().contains("/import/execution"))
            .collect()
    }
}

fn err(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({ "error": message }).to_string())
}

impl State {
    /// Records a create (for the search lag).
    fn created(&mut self, key: &str) {
        self.created_at
            .insert(key.to_string(), std::time::Instant::now());
    }

    /// Whether a label search sees execution `key` yet.
    fn visible(&self, key: &str) -> bool {
        self.created_at
            .get(key)
            .is_none_or(|t| t.elapsed() >= self.search_lag)
    }

    fn handle(&mut self, req: &Request) -> Reply {
        self.requests += 1;
        let path = req.path().to_string();
        let nth_path = {
            let c = self.per_path.entry(path.clone()).or_insert(0);
            *c += 1;
            *c
        };
        let n = self.requests;
        let fault = self.faults.iter_mut().find(|f| {
            !f.fired
                && match &f.on {
                    On::Request(k) => *k == n,
                    On::Path(p, k) => *p == path && *k == nth_path,
                }
        });
        let action = fault.map(|f| {
            f.fired = true;
            f.action.clone()
        });
        if let Some(Action::Reply(reply)) = action {
            return reply;
        }
        let reply = self.route(req);
        match action {
            Some(Action::ApplyThenDelay(d)) => reply.after(d),
            Some(Action::ApplyThenReset) => Reply::Reset,
            Some(Action::ApplyThenStatus(code)) => {
                Reply::text(code, "text/html", "<html>gateway timeout</html>")
            }
            Some(Action::Reply(_)) | None => reply,
        }
    }

    fn route(&mut self, req: &Request) -> Reply {
        match self.mode {
            Mode::Cloud => self.route_cloud(req),
            Mode::Dc => self.route_dc(req),
        }
    }

    // ---- Cloud ----

    fn route_cloud(&mut self, req: &Request) -> Reply {
        let path = req.path().to_string();
        if req.method == "POST" && path == "/api/v2/authenticate" {
            return self.authenticate(req);
        }
        if let Some(reply) = self.check_bearer(req) {
            return reply;
        }
        match (req.method.as_str(), path.as_str()) {
            ("POST", "/api/v2/import/execution/multipart") => self.import_multipart(req, "results"),
            ("POST", "/api/v2/import/execution") => self.import_json(req.json()),
            ("POST", "/api/v2/graphql") => self.graphql(req.json()),
            _ => err(404, "fake: no such Cloud endpoint"),
        }
    }

    fn authenticate(&mut self, req: &Request) -> Reply {
        let body = req.json();
        let ok = match &self.creds {
            Creds::Cloud { client_id, secret } => {
                body["client_id"] == json!(client_id) && body["client_secret"] == json!(secret)
            }
            _ => false,
        };
        if !ok {
            // xray-api.md §1 "Errors": 401 with this JSON body for a wrong pair [C].
            return err(401, "Authentication failed. Invalid client credentials!");
        }
        let token = format!(
            "eyJhbGciOiJIUzI1NiJ9.eyJTOKENSECRET{}.sig{}",
            self.tokens_issued.len(),
            self.requests
        );
        self.tokens_issued.push(token.clone());
        self.valid_tokens.push(token.clone());
        self.calls_since_auth = 0;
        // xray-api.md §1: the body is a JSON string literal, quotes included.
        Reply::json(200, json!(token).to_string())
    }

    fn check_bearer(&mut self, req: &Request) -> Option<Reply> {
        let got = req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_string();
        // Echo the token like some gateways do, so clients must scrub error bodies.
        let reject = Some(err(401, &format!("Invalid or expired token: {got}")));
        if !self.valid_tokens.contains(&got) {
            return reject;
        }
        if let Some(limit) = self.expire_after
            && self.calls_since_auth >= limit
        {
            self.expire_after = None;
            self.valid_tokens.clear();
            return reject;
        }
        self.calls_since_auth += 1;
        None
    }

    fn graphql(&mut self, body: Value) -> Reply {
        let query = body["query"].as_str().unwrap_or("").to_string();
        let vars = &body["variables"];
        // Mutations and the plan/run reads `execution create|finish` use (xray-api.md §6).
        if query.contains("createTestExecution(") {
            return self.gql_create_execution(vars);
        }
        if query.contains("addTestExecutionsToTestPlan(") {
            return self.gql_add_to_plan(vars);
        }
        if query.contains("removeTestsFromTestExecution(") {
            return self.gql_remove_tests(vars);
        }
        if query.contains("getFolder(")
            || query.contains("createFolder(")
            || query.contains("addTestsToFolder(")
        {
            return self.gql_folders(&query, vars);
        }
        if query.contains("getCoverableIssues(") {
            return self.gql_coverable(vars);
        }
        let data = if query.contains("getTestPlans(") {
            // `getTestPlans(jql: "key = \"X\"")`: the plan's issue id when X is a Test Plan.
            let key = parse_key_eq(vars["jql"].as_str().unwrap_or(""));
            // A key that does not exist (or is hidden) fails the whole JQL (xray-api.md §7).
            if let Some(k) = key
                .as_ref()
                .filter(|k| !self.issues.contains_key(*k) || self.hidden.contains(*k))
            {
                return gql_jql_error("getTestPlans", std::slice::from_ref(k));
            }
            let results: Vec<Value> = key
                .filter(|k| self.issues.get(k).map(String::as_str) == Some("Test Plan"))
                .map(|k| json!({"issueId": issue_id(&k)}))
                .into_iter()
                .collect();
            json!({"getTestPlans": {"total": results.len(), "start": 0, "limit": 1, "results": results}})
        } else if query.contains("getTestExecutions(")
            && query.contains(" tests(")
            && let Some(key) = parse_key_eq(vars["jql"].as_str().unwrap_or(""))
        {
            // "runs of an execution": `getTestExecutions(jql: "key = …") { testRuns(limit, start) }`;
            // connections need a limit of 1–100 (xray-api.md §6).
            let start = vars["start"].as_u64().unwrap_or(0) as usize;
            let results: Vec<Value> = self
                .executions
                .get(&key)
                .map(|e| {
                    let runs: Vec<Value> = e
                        .runs
                        .values()
                        .skip(start)
                        .take(100)
                        .map(|r| json!({"status": {"name": r.status}}))
                        .collect();
                    let tests: Vec<Value> = e
                        .runs
                        .keys()
                        .skip(start)
                        .take(100)
                        .map(|k| json!({"issueId": issue_id(k)}))
                        .collect();
                    json!({"issueId": issue_id(&e.key),
                        "testRuns": {"total": e.runs.len(), "start": start, "limit": 100, "results": runs},
                        "tests": {"total": e.runs.len(), "start": start, "limit": 100, "results": tests}})
                })
                .into_iter()
                .collect();
            json!({"getTestExecutions": {"total": results.len(), "start": 0, "limit": 1, "results": results}})
        } else if query.contains("getTests(") {
            let limit = vars["limit"].as_u64().unwrap_or(0);
            let keys = parse_key_list(vars["jql"].as_str().unwrap_or(""));
            if !(1..=100).contains(&limit) || keys.len() > 100 {
                return gql_error("limit must be between 1 and 100");
            }
            // xray-api.md §7: a key that does not exist (or cannot be seen) fails the whole JQL;
            // Xray answers HTTP 200, `data.getTests: null` and the JQL error in `errors`.
            let missing = self.missing_keys(&keys);
            if !missing.is_empty() {
                return gql_jql_error("getTests", &missing);
            }
            let results: Vec<Value> = keys
                .iter()
                .filter(|k| self.issues.get(*k).is_some_and(|t| t == "Test"))
                .map(|k| {
                    json!({"issueId": issue_id(k), "testType": {"name":"Generic","kind":"Unstructured"}, "jira": {"key": k}})
                })
                .collect();
            json!({"getTests": {"total": results.len(), "start": 0, "limit": limit, "results": results}})
        } else if query.contains("getTestExecutions(") && query.contains("testRuns(") {
            // xray-api.md §6 "runs of an execution": getTestExecutions(jql: "key = …") with the
            // testRuns connection; every connection needs `limit` 1–100.
            let jql = vars["jql"].as_str().unwrap_or("");
            let key = jql
                .trim()
                .strip_prefix("key")
                .map(|r| {
                    r.trim()
                        .trim_start_matches('=')
                        .trim()
                        .trim_matches('"')
                        .to_string()
                })
                .unwrap_or_default();
            if !query.contains("testRuns(limit: 100") {
                return gql_error("testRuns: limit must be between 1 and 100");
            }
            let start = vars["start"].as_u64().unwrap_or(0) as usize;
            let Some(exec) = self.executions.get(&key) else {
                return gql_jql_error("getTestExecutions", &[key]);
            };
            let by_key: BTreeMap<&String, &String> =
                self.definitions.iter().map(|(d, k)| (k, d)).collect();
            // Each run with its status and Test, as the query asks (xray-api.md §6 table,
            // "runs of an execution": `results { id status{name} test{ jira(...) } }`).
            let runs: Vec<Value> = exec
                .runs
                .iter()
                .skip(start)
                .take(100)
                .map(|(k, r)| {
                    json!({"status": {"name": r.status}, "test": {"unstructured": by_key.get(k), "jira": {"key": k}}})
                })
                .collect();
            json!({"getTestExecutions": {"total": 1, "start": 0, "limit": 1, "results": [
                {"issueId": "9", "testRuns": {"total": exec.runs.len(), "start": start, "limit": 100, "results": runs}}
            ]}})
        } else if query.contains("getTestExecutions(")
            && !parse_key_list(vars["jql"].as_str().unwrap_or("")).is_empty()
        {
            // Keys to issue ids (xray-api.md §6); a missing key fails the JQL (§7).
            let keys = parse_key_list(vars["jql"].as_str().unwrap_or(""));
            let missing: Vec<String> = keys
                .iter()
                .filter(|k| !self.executions.contains_key(*k))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return gql_jql_error("getTestExecutions", &missing);
            }
            let results: Vec<Value> = keys
                .iter()
                .map(|k| json!({"issueId": issue_id(k), "jira": {"key": k}}))
                .collect();
            json!({"getTestExecutions": {"total": results.len(), "start": 0, "limit": 100, "results": results}})
        } else if query.contains("getTestExecutions(") {
            let label = parse_label(vars["jql"].as_str().unwrap_or(""));
            let results: Vec<Value> = self
                .executions
                .values()
                .filter(|e| label.as_ref().is_some_and(|l| e.labels.contains(l)))
                .filter(|e| self.visible(&e.key))
                .map(|e| json!({"issueId": issue_id(&e.key), "jira": {"key": e.key}}))
                .collect();
            json!({"getTestExecutions": {"total": results.len(), "start": 0, "limit": 1, "results": results}})
        } else if query.contains("getTestSets(") {
            // Like getTests (xray-api.md §6): keys to issue ids; a missing key fails the JQL.
            let keys = parse_key_list(vars["jql"].as_str().unwrap_or(""));
            let missing: Vec<String> = keys
                .iter()
                .filter(|k| !self.issues.contains_key(*k))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return gql_jql_error("getTestSets", &missing);
            }
            let results: Vec<Value> = keys
                .iter()
                .filter(|k| self.issues.get(*k).is_some_and(|t| t == "Test Set"))
                .map(|k| json!({"issueId": issue_id(k), "jira": {"key": k}}))
                .collect();
            json!({"getTestSets": {"total": results.len(), "start": 0, "limit": 100, "results": results}})
        } else if query.contains("addTestsToTestSet(") {
            // xray-api.md §7: issue ids, not keys; `{addedTests warning}`.
            let by_id = |id: &str| self.issues.keys().find(|k| issue_id(k) == id).cloned();
            let Some(set) = vars["set"].as_str().and_then(by_id) else {
                return gql_error("fake: addTestsToTestSet needs the Test Set's issue id");
            };
            if self.issues.get(&set).map(String::as_str) != Some("Test Set") {
                return gql_error(&format!("{set} is not a Test Set"));
            }
            let ids: Vec<String> = vars["tests"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if ids.len() > 100 || ids.is_empty() {
                return gql_error("fake: testIssueIds must hold 1 to 100 ids");
            }
            let mut added = Vec::new();
            for id in &ids {
                match by_id(id) {
                    Some(k) if self.issues.get(&k).map(String::as_str) == Some("Test") => {
                        let tests = self.test_sets.entry(set.clone()).or_default();
                        if !tests.contains(&k) {
                            tests.push(k);
                            added.push(id.clone());
                        }
                    }
                    _ => return gql_error(&format!("fake: {id} is not the issue id of a Test")),
                }
            }
            json!({"addTestsToTestSet": {"addedTests": added, "warning": null}})
        } else if query.contains("getStatuses") {
            // xray-api.md §6: `getStatuses { name description color }`, built-in and custom.
            let names: Vec<Value> = self.statuses.iter().map(|n| json!({"name": n})).collect();
            json!({"getStatuses": names})
        } else if query.contains("getProjectSettings(") {
            json!({"getProjectSettings": {"projectId": "10000", "testEnvironments": self.test_environments, "testTypeSettings": {"testTypes": [{"id":"1","name":"Generic","kind":"Unstructured"}], "defaultTestTypeId": "1"}, "defectIssueTypes": ["Bug"]}})
        } else {
            return gql_error("fake: unknown query");
        };
        Reply::json(200, json!({ "data": data }).to_string())
    }

    /// Xray Cloud Test Repository folders (xray-api.md §6 "Folders", §7 "Test Sets and the
    /// Test Repository" [G]): every operation takes the numeric `projectId` (the one
    /// `getProjectSettings` answers), never the key, and Tests by issue id. `getFolder(projectId,
    /// path) { name path folders }` answers the folder with its subfolders (JSON, nested);
    /// `createFolder(projectId, path)` creates one level, its parent existing [?], and refuses a
    /// path that exists [?]; `addTestsToFolder(projectId, path, testIssueIds)` moves Tests into
    /// an existing folder (a Test is in one folder). Both answer `{folder {path} warnings}`.
    fn gql_folders(&mut self, query: &str, vars: &Value) -> Reply {
        if vars["p"] != json!("10000") {
            return gql_error(&format!(
                "fake: projectId must be the project's id (10000), got {}",
                vars["p"]
            ));
        }
        let path = vars["path"].as_str().unwrap_or("/").to_string();
        if query.contains("getFolder(") {
            fn tree(folders: &BTreeMap<String, i64>, under: &str) -> Vec<Value> {
                folders
                    .keys()
                    .filter(|p| parent_of(p) == under)
                    .map(|p| {
                        json!({"name": p.rsplit('/').next(), "path": p,
                               "folders": tree(folders, p)})
                    })
                    .collect()
            }
            if !query.contains("path: \"/\"") && path != "/" {
                return gql_error("fake: only the root folder is read");
            }
            return Reply::json(
                200,
                json!({"data": {"getFolder": {"name": "", "path": "/", "testsCount": 0,
                    "folders": tree(&self.folders, "/")}}})
                .to_string(),
            );
        }
        if query.contains("createFolder(") {
            if self.folders.contains_key(&path) {
                return gql_error(&format!("A folder with the path {path} already exists."));
            }
            let parent = parent_of(&path);
            if parent != "/" && !self.folders.contains_key(parent) {
                return gql_error(&format!("Folder {parent} does not exist."));
            }
            self.next_folder += 1;
            let id = self.next_folder;
            self.folders.insert(path.clone(), id);
            return Reply::json(
                200,
                json!({"data": {"createFolder": {"folder": {"path": path}, "warnings": []}}})
                    .to_string(),
            );
        }
        // addTestsToFolder
        if path != "/" && !self.folders.contains_key(&path) {
            return gql_error(&format!("Folder {path} does not exist."));
        }
        let ids = strings(&vars["tests"]);
        if ids.is_empty() || ids.len() > 100 {
            return gql_error("fake: testIssueIds must hold 1 to 100 ids");
        }
        for id in &ids {
            let key = self
                .issues
                .iter()
                .find(|(k, t)| t.as_str() == "Test" && issue_id(k) == *id)
                .map(|(k, _)| k.clone());
            match key {
                Some(k) => {
                    self.test_folder.insert(k, path.clone());
                }
                None => return gql_error(&format!("fake: {id} is not the issue id of a Test")),
            }
        }
        Reply::json(
            200,
            json!({"data": {"addTestsToFolder": {"folder": {"path": path}, "warnings": []}}})
                .to_string(),
        )
    }

    /// `getCoverableIssues(jql: "key in (…)", limit)` (Xray Cloud GraphQL reference): the
    /// requirement (coverable) issues among the keys; like `getTests`, a key that does not
    /// exist fails the JQL (xray-api.md §7) and `limit` must be 1–100.
    fn gql_coverable(&self, vars: &Value) -> Reply {
        let limit = vars["limit"].as_u64().unwrap_or(0);
        let keys = parse_key_list(vars["jql"].as_str().unwrap_or(""));
        if !(1..=100).contains(&limit) || keys.len() > 100 {
            return gql_error("limit must be between 1 and 100");
        }
        let missing = self.missing_keys(&keys);
        if !missing.is_empty() {
            return gql_jql_error("getCoverableIssues", &missing);
        }
        let results: Vec<Value> = keys
            .iter()
            .filter(|k| self.is_requirement(k))
            .map(|k| json!({"issueId": issue_id(k), "jira": {"key": k}}))
            .collect();
        Reply::json(
            200,
            json!({"data": {"getCoverableIssues": {"total": results.len(), "start": 0,
                "limit": limit, "results": results}}})
            .to_string(),
        )
    }

    /// Whether `key` is a requirement issue: which types count is per project, Story and Epic
    /// by default (xray-api.md §7 [?]); the fake also counts a type named "Requirement".
    fn is_requirement(&self, key: &str) -> bool {
        !self.hidden.contains(key)
            && matches!(
                self.issues.get(key).map(String::as_str),
                Some("Story" | "Epic" | "Requirement")
            )
    }

    /// `createTestExecution(testIssueIds, testEnvironments, jira: {fields})` (xray-api.md §6
    /// "create execution first"): the Jira fields need the project and a summary; answers the
    /// new execution's issue id and key.
    fn gql_create_execution(&mut self, vars: &Value) -> Reply {
        let fields = &vars["jira"]["fields"];
        if fields["project"]["key"] != json!(self.project) {
            return gql_error(&format!(
                "project {} does not exist or you do not have permission",
                fields["project"]["key"]
            ));
        }
        if fields["summary"].as_str().is_none_or(str::is_empty) {
            return gql_error("summary: You must specify a summary of the issue.");
        }
        if vars["tests"].as_array().is_some_and(|t| !t.is_empty()) {
            return gql_error("fake: execution create sends no tests");
        }
        // The Jira create behind the mutation validates the screen's required fields like any
        // create (jira-api.md §3, create: 400 `errors` per field).
        if let Err((field, message)) =
            execution_screen::validate(fields, self.execution_select.as_ref())
        {
            return gql_error(&format!("{field}: {message}"));
        }
        let key = self.new_key();
        self.issues.insert(key.clone(), "Test Execution".into());
        let exec = Execution {
            key: key.clone(),
            summary: fields["summary"].as_str().unwrap_or("").to_string(),
            labels: strings(&fields["labels"]),
            fix_versions: names(&fields["fixVersions"]),
            description: fields["description"].as_str().map(String::from),
            environments: strings(&vars["envs"]),
            ..Execution::default()
        };
        // xray-api.md §6: `createTestExecution` reports the environments it had to create.
        let created: Vec<String> = exec
            .environments
            .iter()
            .filter(|e| !self.test_environments.contains(e))
            .cloned()
            .collect();
        self.test_environments.extend(created.iter().cloned());
        self.executions.insert(key.clone(), exec);
        self.created(&key);
        Reply::json(
            200,
            json!({"data": {"createTestExecution": {
                "testExecution": {"issueId": issue_id(&key), "jira": {"key": key}},
                "warnings": [], "createdTestEnvironments": created
            }}})
            .to_string(),
        )
    }

    /// `removeTestsFromTestExecution(issueId, testIssueIds)` with issue ids (xray-api.md §7):
    /// the Tests and their runs leave the execution.
    fn gql_remove_tests(&mut self, vars: &Value) -> Reply {
        let exec_id = vars["exec"].as_str().unwrap_or("");
        let ids = strings(&vars["tests"]);
        let Some(e) = self
            .executions
            .values_mut()
            .find(|e| issue_id(&e.key) == exec_id)
        else {
            return gql_error(&format!("Test Execution with id {exec_id} not found"));
        };
        e.runs.retain(|k, _| !ids.contains(&issue_id(k)));
        Reply::json(
            200,
            json!({"data": {"removeTestsFromTestExecution": null}}).to_string(),
        )
    }

    /// `addTestExecutionsToTestPlan(issueId, testExecIssueIds)` with issue ids (xray-api.md §6).
    fn gql_add_to_plan(&mut self, vars: &Value) -> Reply {
        let plan_id = vars["plan"].as_str().unwrap_or("");
        let Some(plan) = self
            .issues
            .iter()
            .find(|(k, t)| t.as_str() == "Test Plan" && issue_id(k) == plan_id)
            .map(|(k, _)| k.clone())
        else {
            return gql_error(&format!("Test Plan with id {plan_id} not found"));
        };
        let mut added = Vec::new();
        for id in strings(&vars["execs"]) {
            if let Some(e) = self
                .executions
                .values_mut()
                .find(|e| issue_id(&e.key) == id)
            {
                e.test_plan = Some(plan.clone());
                added.push(id);
            }
        }
        Reply::json(
            200,
            json!({"data": {"addTestExecutionsToTestPlan": {"addedTestExecutions": added, "warning": null}}})
                .to_string(),
        )
    }

    // ---- DC ----

    fn route_dc(&mut self, req: &Request) -> Reply {
        let auth = req.header("authorization").unwrap_or("");
        let ok = match &self.creds {
            Creds::Pat(pat) => auth == format!("Bearer {pat}"),
            Creds::Basic { user, password } => {
                auth == format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
                )
            }
            Creds::Cloud { .. } => false,
        };
        if !ok {
            return Reply::json(
                401,
                json!({"errorMessages": [format!("You are not authenticated ({auth})")]})
                    .to_string(),
            );
        }
        let path = req.path().to_string();
        if req.method == "POST"
            && let Some(plan) = path
                .strip_prefix("/rest/raven/2.0/api/testplan/")
                .and_then(|p| p.strip_suffix("/testexecution"))
        {
            return self.link_plan(plan, req.json());
        }
        if let Some(exec) = path
            .strip_prefix("/rest/raven/1.0/api/testexec/")
            .and_then(|p| p.strip_suffix("/test"))
        {
            return match req.method.as_str() {
                "GET" => self.exec_tests(exec, req),
                "POST" => self.dc_exec_add_remove(exec, req.json()),
                _ => Reply::status(405),
            };
        }
        if let Some(key) = path.strip_prefix("/rest/api/2/issue/")
            && req.method == "PUT"
        {
            return self.dc_edit_issue(key, req.json());
        }
        if req.method == "POST"
            && let Some(set) = path
                .strip_prefix("/rest/raven/1.0/api/testset/")
                .and_then(|p| p.strip_suffix("/test"))
        {
            return self.add_to_test_set(set, req.json());
        }
        if let Some(rest) = path.strip_prefix("/rest/raven/1.0/api/testrepository/") {
            return self.dc_repository(req, rest);
        }
        match (req.method.as_str(), path.as_str()) {
            ("GET", "/rest/raven/1.0/api/test") => return self.dc_tests(req),
            // jira-api.md §4.3: `{"issueLinkTypes":[{id,name,inward,outward}]}`; Xray's coverage
            // link reads Test "tests" / Requirement "is tested by" (Xray "Requirements and
            // Defects").
            ("GET", "/rest/api/2/issueLinkType") => {
                return Reply::json(
                    200,
                    json!({"issueLinkTypes": [
                        {"id": "10000", "name": "Relates", "inward": "relates to", "outward": "relates to"},
                        {"id": "10200", "name": "Tests", "inward": "is tested by", "outward": "tests"}]})
                    .to_string(),
                );
            }
            ("POST", "/rest/api/2/issueLink") => return self.dc_link(req.json()),
            _ => {}
        }
        match (req.method.as_str(), path.as_str()) {
            ("POST", "/rest/api/2/issue") => self.dc_create_issue(req.json()),
            ("POST", "/rest/raven/2.0/import/execution/multipart") => {
                self.import_multipart(req, "result")
            }
            ("POST", "/rest/raven/2.0/import/execution") => self.import_json(req.json()),
            ("POST", "/rest/api/2/search") => self.search(req.json()),
            // Jira DC createmeta on the Xray site (docs/jira-api.md §3.2: lists under `values`).
            ("GET", "/rest/api/2/issue/createmeta/CALC/issuetypes") => {
                Reply::json(200, execution_screen::issue_types("values").to_string())
            }
            ("GET", p)
                if p == format!(
                    "/rest/api/2/issue/createmeta/CALC/issuetypes/{}",
                    execution_screen::EXECUTION_TYPE_ID
                ) =>
            {
                Reply::json(
                    200,
                    execution_screen::fields("values", self.execution_select.as_ref()).to_string(),
                )
            }
            ("GET", "/rest/raven/latest/api/xraylicense") => {
                // xray-api.md §3.4: the licence probe.
                Reply::json(200, r#"{"active":true,"licenseType":"Enterprise"}"#)
            }
            _ => Reply::text(404, "text/html", "<html>fake: no such DC page</html>"),
        }
    }

    /// Xray DC "Test Repository - REST" (xray-api.md §7 [X]): `GET {project}/folders` → `{"folders":
    /// [{id, rank, name, testRepositoryPath, folders, testCount, totalTestCount}]}`; `POST
    /// {project}/folders/{parentId}` `{"name"}` creates a subfolder (`-1` = the root) and answers
    /// it; `PUT {project}/folders/{id}/tests` `{"add", "remove"}` moves Tests into the folder.
    /// Errors are 400 `text/plain` (wording [?]).
    fn dc_repository(&mut self, req: &Request, rest: &str) -> Reply {
        let text = |m: String| Reply::text(400, "text/plain", m);
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.first() != Some(&self.project.as_str()) {
            return text(format!("Project {} does not exist.", parts[0]));
        }
        let folder_json = |p: &str, id: i64| {
            json!({"id": id, "rank": 1, "name": p.rsplit('/').next(), "testRepositoryPath": p,
                   "folders": [], "testCount": 0, "totalTestCount": 0})
        };
        match (req.method.as_str(), &parts[1..]) {
            ("GET", ["folders"]) => {
                fn tree(folders: &BTreeMap<String, i64>, under: &str) -> Vec<Value> {
                    folders
                        .iter()
                        .filter(|(p, _)| parent_of(p) == under)
                        .map(|(p, id)| {
                            json!({"id": id, "rank": 1, "name": p.rsplit('/').next(),
                                   "testRepositoryPath": p, "folders": tree(folders, p),
                                   "testCount": 0, "totalTestCount": 0})
                        })
                        .collect()
                }
                Reply::json(
                    200,
                    json!({"folders": tree(&self.folders, "/")}).to_string(),
                )
            }
            ("POST", ["folders", id]) => {
                let Ok(id) = id.parse::<i64>() else {
                    return text(format!("Invalid folder id {id}."));
                };
                let parent = if id == -1 {
                    Some("/".to_string())
                } else {
                    self.folders
                        .iter()
                        .find(|(_, v)| **v == id)
                        .map(|(p, _)| p.clone())
                };
                let Some(parent) = parent else {
                    return text(format!(
                        "Folder with id {id} does not exist in the Test Repository of project {}.",
                        self.project
                    ));
                };
                let Some(name) = req.json()["name"].as_str().map(str::to_string) else {
                    return text("Folder name is required.".into());
                };
                let path = if parent == "/" {
                    format!("/{name}")
                } else {
                    format!("{parent}/{name}")
                };
                if self.folders.contains_key(&path) {
                    return text(format!("A folder with name {name} already exists."));
                }
                self.next_folder += 1;
                let new = self.next_folder;
                self.folders.insert(path.clone(), new);
                Reply::json(200, folder_json(&path, new).to_string())
            }
            ("PUT", ["folders", id, "tests"]) => {
                let id: i64 = id.parse().unwrap_or(0);
                let path = if id == -1 {
                    Some("/".to_string())
                } else {
                    self.folders
                        .iter()
                        .find(|(_, v)| **v == id)
                        .map(|(p, _)| p.clone())
                };
                let Some(path) = path else {
                    return text(format!(
                        "Folder with id {id} does not exist in the Test Repository of project {}.",
                        self.project
                    ));
                };
                let add = strings(&req.json()["add"]);
                if add.len() > 100 {
                    return text("fake: at most 100 Tests a request".into());
                }
                for k in &add {
                    if self.issues.get(k).map(String::as_str) != Some("Test") {
                        return text(format!(
                            "{k} is not a Test issue or is not a valid issue key."
                        ));
                    }
                }
                for k in add {
                    self.test_folder.insert(k, path.clone());
                }
                Reply::json(200, "[]")
            }
            _ => Reply::text(404, "text/html", "<html>fake: no such DC page</html>"),
        }
    }

    /// Xray DC "Tests - REST" `GET /rest/raven/1.0/api/test?keys=A;B`: one object per Test with
    /// its `key`, `type` and, for a Generic Test, its `definition`.
    fn dc_tests(&self, req: &Request) -> Reply {
        let keys: Vec<String> = req
            .query("keys")
            .unwrap_or_default()
            .split(';')
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if keys.len() > 100 {
            return Reply::text(400, "text/plain", "fake: too many keys");
        }
        let by_key: BTreeMap<&String, &String> =
            self.definitions.iter().map(|(d, k)| (k, d)).collect();
        let tests: Vec<Value> = keys
            .iter()
            .filter(|k| self.issues.get(*k).map(String::as_str) == Some("Test"))
            .map(|k| {
                json!({"key": k, "self": format!("http://fake/rest/api/2/issue/{k}"),
                            "type": "Generic", "definition": by_key.get(k)})
            })
            .collect();
        Reply::json(200, Value::Array(tests).to_string())
    }

    /// Jira DC `POST /rest/api/2/issueLink` on the Xray site (jira-api.md §4.3): 201, empty
    /// body; 404 for an unknown type or an issue that cannot be seen. With the coverage type
    /// ("tests"), `inwardIssue` is the Test and `outwardIssue` the requirement.
    fn dc_link(&mut self, body: Value) -> Reply {
        let ty = body["type"]["name"].as_str().unwrap_or("");
        let inward = body["inwardIssue"]["key"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let outward = body["outwardIssue"]["key"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if ty != "Tests" {
            return Reply::json(
                404,
                json!({"errorMessages": [format!("No issue link type with name '{ty}' found.")]})
                    .to_string(),
            );
        }
        if !self
            .missing_keys(&[inward.clone(), outward.clone()])
            .is_empty()
        {
            return Reply::json(
                404,
                r#"{"errorMessages":["Issue does not exist or you do not have permission to see it."]}"#,
            );
        }
        if self.issues.get(&inward).map(String::as_str) == Some("Test") {
            let c = self.coverage.entry(inward).or_default();
            if !c.contains(&outward) {
                c.push(outward);
            }
        }
        Reply::status(201)
    }

    /// Jira DC `POST /rest/api/2/issue` (jira-api.md §3.1): 201 `{"id","key","self"}`; here only
    /// Test Executions of the fake's project (what `execution create` makes).
    fn dc_create_issue(&mut self, body: Value) -> Reply {
        let fields = &body["fields"];
        if fields["issuetype"]["name"] != json!("Test Execution") {
            return Reply::json(
                400,
                r#"{"errorMessages":[],"errors":{"issuetype":"fake: only Test Executions"}}"#,
            );
        }
        if fields["project"]["key"] != json!(self.project) {
            return Reply::json(
                400,
                r#"{"errorMessages":[],"errors":{"project":"valid project is required"}}"#,
            );
        }
        if fields["summary"].as_str().is_none_or(str::is_empty) {
            return Reply::json(
                400,
                r#"{"errorMessages":[],"errors":{"summary":"You must specify a summary of the issue."}}"#,
            );
        }
        // jira-api.md §3 (create): a required field left empty is a 400 naming the field.
        if let Err((field, message)) =
            execution_screen::validate(fields, self.execution_select.as_ref())
        {
            return Reply::json(
                400,
                json!({"errorMessages": [], "errors": {field: message}}).to_string(),
            );
        }
        let key = self.new_key();
        self.issues.insert(key.clone(), "Test Execution".into());
        self.executions.insert(
            key.clone(),
            Execution {
                key: key.clone(),
                summary: fields["summary"].as_str().unwrap_or("").to_string(),
                labels: strings(&fields["labels"]),
                fix_versions: names(&fields["fixVersions"]),
                description: fields["description"].as_str().map(String::from),
                ..Execution::default()
            },
        );
        self.created(&key);
        Reply::json(
            201,
            json!({"id": issue_id(&key), "key": key, "self": format!("http://fake/rest/api/2/issue/{key}")})
                .to_string(),
        )
    }

    /// `POST /rest/raven/1.0/api/testexec/{key}/test` `{"add":[…],"remove":[…]}` (xray-api.md
    /// §3.4, §7): answers `[]`, or the per-key errors.
    fn dc_exec_add_remove(&mut self, key: &str, body: Value) -> Reply {
        let Some(e) = self.executions.get_mut(key) else {
            return Reply::text(
                400,
                "text/plain",
                format!("{key} is not a Test Execution issue or is not a valid issue key."),
            );
        };
        let mut errors = Vec::new();
        for k in strings(&body["remove"]) {
            if e.runs.remove(&k).is_none() {
                errors.push(format!("{k} is not in {key}"));
            }
        }
        if !strings(&body["add"]).is_empty() {
            errors.push("fake: add is not modelled".to_string());
        }
        Reply::json(200, json!(errors).to_string())
    }

    /// DC `POST /rest/raven/1.0/api/testset/{key}/test` `{"add": [...]}` (xray-api.md §7): 400
    /// text/plain when the key is not a Test Set, else 200 with the per-key errors.
    fn add_to_test_set(&mut self, set: &str, body: Value) -> Reply {
        if self.issues.get(set).map(String::as_str) != Some("Test Set") {
            return Reply::text(
                400,
                "text/plain",
                format!("{set} is not a Test Set issue or is not a valid issue key."),
            );
        }
        let mut errors = Vec::new();
        for k in body["add"].as_array().into_iter().flatten() {
            let k = k.as_str().unwrap_or("").to_string();
            if self.issues.get(&k).map(String::as_str) == Some("Test") {
                let tests = self.test_sets.entry(set.to_string()).or_default();
                if !tests.contains(&k) {
                    tests.push(k);
                }
            } else {
                errors.push(format!(
                    "{k} is not a Test issue or is not a valid issue key."
                ));
            }
        }
        Reply::json(200, json!(errors).to_string())
    }

    /// Jira DC `PUT /rest/api/2/issue/{key}` with `{"fields":{"summary"}}` or
    /// `{"update":{"labels":[{"add"},{"remove"}]}}` → 204 (jira-api.md §3.3).
    fn dc_edit_issue(&mut self, key: &str, body: Value) -> Reply {
        self.edit_execution(key, &body).unwrap_or_else(|| {
            Reply::json(
                404,
                r#"{"errorMessages":["Issue Does Not Exist"],"errors":{}}"#,
            )
        })
    }

    /// The Jira edit of an execution (Executions are Jira issues of the site, so Jira's own
    /// `PUT /rest/api/{2,3}/issue/{key}` edits them on both products; jira-api.md §3.3, the
    /// `update` verbs add/remove per developer.atlassian.com "Updating an Issue via the JIRA
    /// REST APIs"): labels through `update.labels`, the title through `fields.summary`. `None`
    /// when `key` is not an execution.
    pub fn edit_execution(&mut self, key: &str, body: &Value) -> Option<Reply> {
        let e = self.executions.get_mut(key)?;
        Some(Self::edit(e, body))
    }

    /// Jira's issue edit on an execution: the create rules hold (`jira_fake::refused_edit`).
    fn edit(e: &mut Execution, body: &Value) -> Reply {
        if let Some(refusal) = super::jira_fake::refused_edit(body) {
            return refusal;
        }
        if let Some(ops) = body["update"]["labels"].as_array() {
            for op in ops {
                if let Some(l) = op["add"].as_str()
                    && !e.labels.iter().any(|x| x == l)
                {
                    e.labels.push(l.to_string());
                }
                if let Some(l) = op["remove"].as_str() {
                    e.labels.retain(|x| x != l);
                }
            }
            return Reply::status(204);
        }
        match body["fields"]["summary"].as_str() {
            Some(s) => {
                e.summary = s.to_string();
                Reply::status(204)
            }
            None => {
                super::jira_fake::field_err("summary", "You must specify a summary of the issue.")
            }
        }
    }

    fn search(&mut self, body: Value) -> Reply {
        let jql = body["jql"].as_str().unwrap_or("");
        let max = body["maxResults"].as_u64().unwrap_or(50);
        if max > 100 {
            return Reply::json(400, r#"{"errorMessages":["maxResults over 100"]}"#);
        }
        let issues: Vec<Value> = if jql.starts_with("key in") {
            let keys = parse_key_list(jql);
            if keys.len() > 100 {
                return Reply::json(400, r#"{"errorMessages":["too many keys"]}"#);
            }
            // xray-api.md §7: Jira search answers 400 with the JQL error in `errorMessages` when
            // `key in (…)` names a key that does not exist or cannot be seen, one message per key
            // (jira-api.md §1.5: a missing project is `errorMessages` too). The strict emulator
            // the issue was found with does this whatever `validateQuery` says; so does this fake.
            let missing = self.missing_keys(&keys);
            if !missing.is_empty() {
                let messages: Vec<String> = missing
                    .iter()
                    .map(|k| format!("An issue with key '{k}' does not exist for field 'key'."))
                    .collect();
                return Reply::json(
                    400,
                    json!({"errorMessages": messages, "errors": {}}).to_string(),
                );
            }
            keys.iter()
                .filter_map(|k| self.issues.get(k).map(|t| (k, t)))
                .map(|(k, t)| json!({"id": "1", "key": k, "fields": {"issuetype": {"name": t}}}))
                .collect()
        } else if let Some(label) = parse_label(jql) {
            self.executions
                .values()
                .filter(|e| e.labels.contains(&label))
                .filter(|e| self.visible(&e.key))
                .map(|e| json!({"id": issue_id(&e.key), "key": e.key, "fields": {"issuetype": {"name": "Test Execution"}}}))
                .collect()
        } else {
            return Reply::json(400, r#"{"errorMessages":["fake: unsupported JQL"]}"#);
        };
        Reply::json(
            200,
            json!({"startAt": 0, "maxResults": max, "total": issues.len(), "issues": issues})
                .to_string(),
        )
    }

    /// DC `GET /rest/raven/1.0/api/testexec/{key}/test?detailed=…&page=…&limit=…`
    /// (xray-api.md §3.4): the execution's runs, a page at a time (`page` from 1); with
    /// `detailed=true` each carries its defects. Unknown execution: 400 text, as DC's REST
    /// resources answer (xray-api.md §7, "errors are 400 text/plain").
    fn exec_tests(&self, exec: &str, req: &Request) -> Reply {
        let Some(e) = self.executions.get(exec) else {
            return Reply::text(
                400,
                "text/plain",
                format!("Test Execution with key {exec} not found."),
            );
        };
        let page: usize = req
            .query("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let limit: usize = req
            .query("limit")
            .and_then(|p| p.parse().ok())
            .unwrap_or(200)
            .clamp(1, self.page_cap);
        let detailed = req.query("detailed").as_deref() == Some("true");
        let runs: Vec<Value> = e
            .runs
            .iter()
            .enumerate()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|(n, (k, r))| {
                let mut v = json!({"id": 100 + n, "status": r.status, "key": k, "rank": n + 1});
                if detailed {
                    v["defects"] = json!(
                        r.defects
                            .iter()
                            .map(|d| json!({"key": d}))
                            .collect::<Vec<_>>()
                    );
                }
                v
            })
            .collect();
        Reply::json(200, Value::Array(runs).to_string())
    }

    /// Keys of `keys` Jira would call missing: unknown, or hidden from these credentials.
    fn missing_keys(&self, keys: &[String]) -> Vec<String> {
        keys.iter()
            .filter(|k| {
                self.hidden.contains(*k)
                    || (!self.issues.contains_key(*k) && !self.executions.contains_key(*k))
            })
            .cloned()
            .collect()
    }

    fn link_plan(&mut self, plan: &str, body: Value) -> Reply {
        if self.issues.get(plan).map(String::as_str) != Some("Test Plan") {
            return Reply::json(
                200,
                json!([format!("{plan} is not a Test Plan")]).to_string(),
            );
        }
        let mut errors = Vec::new();
        for key in body["add"].as_array().cloned().unwrap_or_default() {
            let key = key.as_str().unwrap_or("").to_string();
            match self.executions.get_mut(&key) {
                Some(e) => e.test_plan = Some(plan.to_string()),
                None => errors.push(format!("{key} is not a Test Execution")),
            }
        }
        Reply::json(200, json!(errors).to_string())
    }

    // ---- imports (both products) ----

    fn import_multipart(&mut self, req: &Request, results_part: &str) -> Reply {
        let parts = multipart_parts(req);
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        let (Some(results), Some(info)) = (
            parts.iter().find(|p| p.name == results_part),
            parts.iter().find(|p| p.name == "info"),
        ) else {
            return err(
                400,
                &format!("fake: expected parts {results_part} and info, got {names:?}"),
            );
        };
        for p in [results, info] {
            if p.filename.is_none() || p.content_type.as_deref() != Some("application/json") {
                // xray-api.md §2.2: `info` not sent as a JSON file part [I].
                return err(400, "Error parsing info file!");
            }
        }
        let Ok(info) = serde_json::from_slice::<Value>(&info.data) else {
            return err(400, "Error parsing info file!");
        };
        let Ok(doc) = serde_json::from_slice::<Value>(&results.data) else {
            return err(400, "Error parsing results file!");
        };
        let fields = &info["fields"];
        if fields["project"]["key"] != json!(self.project) {
            return err(
                400,
                &format!(
                    "Error retrieving Project from Jira with key \"{}\"",
                    fields["project"]["key"]
                ),
            );
        }
        if fields["issuetype"]["name"] != json!("Test Execution") {
            return err(
                400,
                "Error creating Test Execution - Issue create failed! - issuetype: The issue type selected is invalid.",
            );
        }
        if fields["summary"].as_str().is_none_or(str::is_empty) {
            // jira-api.md §3 (create): a missing summary is refused by Jira's create.
            return err(400, "summary: You must specify a summary of the issue.");
        }
        // The Jira create behind the import validates the fields on the screen (docs/xray-api.md
        // §2.4: "Error creating Test Execution - Issue create failed! - <field>: <message>").
        if let Err((field, message)) =
            execution_screen::validate(fields, self.execution_select.as_ref())
        {
            return err(
                400,
                &format!(
                    "Error creating Test Execution - Issue create failed! - {field}: {message}"
                ),
            );
        }
        let xray_fields = info.get("xrayFields").cloned();
        match (self.mode, &xray_fields) {
            (Mode::Dc, Some(_)) => {
                return err(400, "fake: DC info takes Jira fields only, no xrayFields");
            }
            (Mode::Cloud, Some(Value::Object(map))) => {
                let bad: Vec<&String> = map
                    .keys()
                    .filter(|k| *k != "testPlanKey" && *k != "environments")
                    .collect();
                if !bad.is_empty() {
                    return err(
                        400,
                        &format!(
                            "Error importing results: xrayFields in info file contains the following invalid fields: {bad:?}!"
                        ),
                    );
                }
            }
            _ => {}
        }
        if let Some(refusal) = xray_fields
            .as_ref()
            .and_then(|x| self.unknown_environments(&x["environments"]))
            .or_else(|| self.unknown_environments(&doc["info"]["testEnvironments"]))
        {
            return refusal;
        }
        if doc.get("testExecutionKey").is_some() {
            return err(
                400,
                "fake: a multipart import always creates; testExecutionKey not allowed",
            );
        }
        if let Err(e) = self.validate(&doc) {
            return err(400, &e);
        }
        let key = self.new_key();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut exec = Execution {
            key: key.clone(),
            summary: fields["summary"].as_str().unwrap_or("").to_string(),
            labels: strings(&fields["labels"]),
            fix_versions: fields["fixVersions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v["name"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            description: fields["description"].as_str().map(String::from),
            fields: fields.clone(),
            ..Execution::default()
        };
        if let Some(x) = &xray_fields {
            exec.test_plan = x["testPlanKey"].as_str().map(String::from);
            exec.environments = strings(&x["environments"]);
        }
        // The results' own info supplies the revision (and, on DC, the environments) [U].
        exec.revision = doc["info"]["revision"].as_str().map(String::from);
        if self.mode == Mode::Dc {
            exec.environments = strings(&doc["info"]["testEnvironments"]);
        }
        self.executions.insert(key.clone(), exec);
        self.created(&key);
        self.apply(&key, &doc);
        self.import_answer(&key)
    }

    fn import_json(&mut self, doc: Value) -> Reply {
        if let Err(e) = self.validate(&doc) {
            return err(400, &e);
        }
        if let Some(refusal) = self.unknown_environments(&doc["info"]["testEnvironments"]) {
            return refusal;
        }
        let key = match doc["testExecutionKey"].as_str() {
            Some(k) => {
                if !self.executions.contains_key(k) {
                    return err(400, &format!("Test Execution with key {k} not found"));
                }
                k.to_string()
            }
            None => {
                if doc["info"]["project"] != json!(self.project) {
                    // xray-api.md §3.3: a new execution without `info.project` [I].
                    return err(400, "Error assembling issue data: project is required");
                }
                let key = self.new_key();
                self.executions.insert(
                    key.clone(),
                    Execution {
                        key: key.clone(),
                        summary: doc["info"]["summary"].as_str().unwrap_or("").to_string(),
                        ..Execution::default()
                    },
                );
                key
            }
        };
        if let Some(e) = self.executions.get_mut(&key) {
            let info = &doc["info"];
            if let Some(r) = info["revision"].as_str() {
                e.revision = Some(r.to_string());
            }
            if let Some(envs) = info["testEnvironments"].as_array() {
                e.environments = envs
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
            }
            if let Some(v) = info["version"].as_str()
                && !e.fix_versions.iter().any(|f| f == v)
            {
                e.fix_versions.push(v.to_string());
            }
            if let Some(p) = info["testPlanKey"].as_str() {
                e.test_plan = Some(p.to_string());
            }
        }
        self.apply(&key, &doc);
        self.import_answer(&key)
    }

    /// Xray Cloud refuses a whole import that names a Test Environment the project does not
    /// have (xray-api.md §2.1 and §7, pitfall 5; the answer as quoted in
    /// github.com/saadichouaib/codeceptjs-xray-cloud-helper/issues/9, an Xray JSON import:
    /// `{"error":"Error importing results: the following environments dont exist or are not in
    /// the context of test execution project: 'QA'!"}`). Several names are listed the same way,
    /// each quoted (the separator is not documented). DC creates them: no refusal there.
    fn unknown_environments(&self, named: &Value) -> Option<Reply> {
        if self.mode != Mode::Cloud {
            return None;
        }
        let unknown: Vec<String> = strings(named)
            .into_iter()
            .filter(|e| !self.test_environments.contains(e))
            .map(|e| format!("'{e}'"))
            .collect();
        (!unknown.is_empty()).then(|| {
            err(
                400,
                &format!(
                    "Error importing results: the following environments dont exist or are not in the context of test execution project: {}!",
                    unknown.join(", ")
                ),
            )
        })
    }

    /// xray-api.md §2.3 (Cloud `{"id","key","self"}`) and §3.3 (DC v2.0 `testExecIssue` +
    /// `testIssues`).
    fn import_answer(&self, key: &str) -> Reply {
        let issue = json!({"id": "38101", "key": key, "self": format!("http://fake/rest/api/2/issue/{key}")});
        match self.mode {
            Mode::Cloud => Reply::json(200, issue.to_string()),
            Mode::Dc => Reply::json(
                200,
                json!({"testExecIssue": issue, "testIssues": {"success": []}}).to_string(),
            ),
        }
    }

    /// Checks a whole Xray JSON document before anything is applied (Xray rejects whole imports).
    fn validate(&self, doc: &Value) -> Result<(), String> {
        let statuses = &self.statuses;
        let Some(tests) = doc["tests"].as_array() else {
            return Err("fake: tests array required".into());
        };
        self.check_shape(doc)?;
        for t in tests {
            let status = t["status"].as_str().unwrap_or("");
            // DC refuses a status it does not have. Cloud does not: the run is recorded as TO
            // DO without an error (xray-api.md §0 and §7, pitfall 1: pytest-jira-xray#30), so
            // `apply` stores it that way.
            if self.mode == Mode::Dc && !statuses.iter().any(|s| s == status) {
                return Err(format!(
                    "fake: status {status:?} is not a {:?} status",
                    self.mode
                ));
            }
            match (t["testKey"].as_str(), t.get("testInfo")) {
                (Some(key), _) => {
                    if self.hidden.contains(key)
                        || self.issues.get(key).map(String::as_str) != Some("Test")
                    {
                        // xray-api.md §3.3 (DC "Test issue with key LES-99 not found." [I]) and
                        // §5 (`test_key`: "unknown key → whole import errors"); the Cloud
                        // wording is not quoted in the docs [?].
                        return Err(match self.mode {
                            Mode::Cloud => format!("Test with key {key} not found"),
                            Mode::Dc => format!("Test issue with key {key} not found."),
                        });
                    }
                }
                (None, Some(info)) => {
                    let (want, wrong) = match self.mode {
                        Mode::Cloud => ("type", "testType"),
                        Mode::Dc => ("testType", "type"),
                    };
                    if info.get(wrong).is_some() || info[want].as_str().is_none() {
                        return Err(format!("fake: testInfo needs {want:?}, not {wrong:?}"));
                    }
                    if info["definition"].as_str().is_none_or(str::is_empty)
                        || info["summary"].as_str().is_none_or(str::is_empty)
                        || info["projectKey"] != json!(self.project)
                    {
                        return Err("fake: testInfo needs projectKey, summary, definition".into());
                    }
                    // xray-api.md §3.3 and §7 [R: xray-junit-extensions#28]: one requirement key
                    // that is not a requirement issue refuses the whole import.
                    for r in strings(&info["requirementKeys"]) {
                        if !self.is_requirement(&r) {
                            return Err(format!(
                                " {r} is not a requirement issue or is not a valid issue key.;"
                            ));
                        }
                    }
                }
                (None, None) => return Err("Property \"testInfo\" is required".into()),
            }
            for ev in t["evidence"].as_array().into_iter().flatten() {
                let ok = ev["filename"].is_string()
                    && ev["contentType"].is_string()
                    && ev["data"].as_str().is_some_and(|d| {
                        base64::engine::general_purpose::STANDARD.decode(d).is_ok()
                    });
                if !ok {
                    return Err("fake: evidence needs filename, contentType, base64 data".into());
                }
            }
            // Iterations (xray-api.md §4.2 and §7): never an empty array (Cloud rejects it),
            // a status from the product's list, parameters with names, `log` on Cloud only.
            if let Some(its) = t.get("iterations") {
                let its = its.as_array().ok_or("fake: iterations must be an array")?;
                if its.is_empty() {
                    return Err("fake: empty iterations array".into());
                }
                for it in its {
                    let st = it["status"].as_str().unwrap_or("");
                    let todo = self.mode == Mode::Cloud && st == "TODO";
                    if !todo && !statuses.iter().any(|s| s == st) {
                        return Err(format!("fake: iteration status {st:?} is not valid"));
                    }
                    if self.mode == Mode::Dc && it.get("log").is_some() {
                        return Err("fake: DC iterations have no log".into());
                    }
                    for p in it["parameters"].as_array().into_iter().flatten() {
                        if p["name"].as_str().is_none_or(str::is_empty) || !p["value"].is_string() {
                            return Err("fake: iteration parameters need a name and a value".into());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The documented request shape, per product (xray-api.md §4.1–4.3 field tables, §7
    /// "Iterations"): Cloud's JSON schema rejects any property it does not list; DC's
    /// iteration has no `name` (issue 12, from the DC field table); neither takes an empty
    /// `iterations` array (QTAF, §4.2) or a parameter without a name (§7: undocumented, so not
    /// sent).
    fn check_shape(&self, doc: &Value) -> Result<(), String> {
        let cloud = self.mode == Mode::Cloud;
        let only = |v: &Value, allowed: &[&str], what: &str| -> Result<(), String> {
            let Some(map) = v.as_object() else {
                return Err(format!("fake: {what} must be an object"));
            };
            match map.keys().find(|k| !allowed.contains(&k.as_str())) {
                Some(k) => Err(format!(
                    "fake: {what} has a property the {:?} schema does not list: {k:?}",
                    self.mode
                )),
                None => Ok(()),
            }
        };
        only(doc, &["testExecutionKey", "info", "tests"], "the document")?;
        if let Some(info) = doc.get("info") {
            only(
                info,
                &[
                    "project",
                    "summary",
                    "description",
                    "version",
                    "revision",
                    "user",
                    "startDate",
                    "finishDate",
                    "testPlanKey",
                    "testEnvironments",
                ],
                "info",
            )?;
        }
        let mut test_fields = vec![
            "testKey",
            "testInfo",
            "start",
            "finish",
            "comment",
            "executedBy",
            "assignee",
            "status",
            "steps",
            "examples",
            "iterations",
            "defects",
            "evidence",
            "customFields",
        ];
        if !cloud {
            test_fields.extend(["testVersion", "evidences"]);
        }
        let info_fields: &[&str] = if cloud {
            &[
                "projectKey",
                "summary",
                "type",
                "definition",
                "steps",
                "scenario",
                "labels",
                "requirementKeys",
            ]
        } else {
            &[
                "projectKey",
                "summary",
                "testType",
                "definition",
                "steps",
                "scenario",
                "scenarioType",
                "labels",
                "requirementKeys",
                "description",
            ]
        };
        let iteration_fields: &[&str] = if cloud {
            &["name", "parameters", "log", "duration", "status", "steps"]
        } else {
            &["parameters", "status", "steps"]
        };
        for t in doc["tests"].as_array().into_iter().flatten() {
            only(t, &test_fields, "a test")?;
            if let Some(info) = t.get("testInfo") {
                only(info, info_fields, "testInfo")?;
            }
            for ev in t["evidence"].as_array().into_iter().flatten() {
                only(ev, &["data", "filename", "contentType"], "an evidence item")?;
            }
            if let Some(its) = t.get("iterations") {
                let its = its.as_array().cloned().unwrap_or_default();
                if its.is_empty() {
                    return Err("fake: iterations must not be empty".into());
                }
                for it in &its {
                    only(it, iteration_fields, "an iteration")?;
                    for p in it["parameters"].as_array().into_iter().flatten() {
                        only(p, &["name", "value"], "a parameter")?;
                        if p["name"].as_str().is_none_or(|n| n.trim().is_empty()) {
                            return Err("fake: a parameter needs a name".into());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The status a run is recorded with: as sent, except that Xray Cloud records a name it
    /// does not have as TO DO, silently (see `validate`).
    fn recorded_status(&self, sent: &str) -> String {
        // `TODO` too: the docs show both spellings for Cloud (xray-api.md §4.5 [U]).
        let known = self.statuses.iter().any(|s| s == sent) || sent == "TODO";
        match self.mode {
            Mode::Cloud if !known => "TO DO".into(),
            _ => sent.to_string(),
        }
    }

    fn apply(&mut self, exec_key: &str, doc: &Value) {
        for t in doc["tests"].as_array().cloned().unwrap_or_default() {
            let (test_key, by_definition) = match t["testKey"].as_str() {
                Some(k) => (k.to_string(), false),
                None => {
                    let def = t["testInfo"]["definition"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let key = match self.definitions.get(&def) {
                        Some(k) => k.clone(),
                        None => {
                            let k = self.new_key();
                            self.issues.insert(k.clone(), "Test".into());
                            self.definitions.insert(def, k.clone());
                            k
                        }
                    };
                    // `testInfo.requirementKeys`: the Test covers them (xray-api.md §4.3).
                    for r in strings(&t["testInfo"]["requirementKeys"]) {
                        let c = self.coverage.entry(key.clone()).or_default();
                        if !c.contains(&r) {
                            c.push(r);
                        }
                    }
                    (key, true)
                }
            };
            let run = Run {
                status: self.recorded_status(t["status"].as_str().unwrap_or("")),
                defects: t["defects"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|d| d.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                evidence: t["evidence"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|e| {
                                (
                                    e["filename"].as_str().unwrap_or("").to_string(),
                                    e["contentType"].as_str().unwrap_or("").to_string(),
                                    base64::engine::general_purpose::STANDARD
                                        .decode(e["data"].as_str().unwrap_or(""))
                                        .unwrap_or_default(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                comment: t["comment"].as_str().map(String::from),
                by_definition,
            };
            if let Some(e) = self.executions.get_mut(exec_key) {
                e.runs.insert(test_key, run);
            }
        }
    }

    fn new_key(&mut self) -> String {
        self.next_issue += 1;
        let key = format!("{}-{}", self.project, self.next_issue);
        key
    }
}

/// A stable, unique issue id for `key` (GraphQL takes ids): `1` and the key's number, with
/// the project's letters' length so two projects never collide.
fn issue_id(key: &str) -> String {
    let (project, number) = key.rsplit_once('-').unwrap_or((key, "0"));
    format!("1{}{number}", project.len())
}

fn gql_error(message: &str) -> Reply {
    Reply::json(
        200,
        json!({"errors": [{"message": message}], "data": null}).to_string(),
    )
}

/// The GraphQL answer to a JQL naming missing keys, as xray-api.md §7 quotes it:
/// `{"data": {"<field>": null}, "errors": [{"message": "Error in JQL: An issue with key 'CALC-123'
/// does not exist for field 'key'.", ...}]}`, one error per key.
pub fn gql_jql_error(field: &str, missing: &[String]) -> Reply {
    let errors: Vec<Value> = missing
        .iter()
        .map(|k| {
            json!({
                "message": format!("Error in JQL: An issue with key '{k}' does not exist for field 'key'."),
                "locations": [{"line": 1, "column": 43}],
                "path": [field],
            })
        })
        .collect();
    Reply::json(
        200,
        json!({"data": {field: null}, "errors": errors}).to_string(),
    )
}

/// `key in (A-1,B-2)` → `["A-1","B-2"]`.
fn parse_key_list(jql: &str) -> Vec<String> {
    jql.split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(list, _)| {
            list.split(',')
                .map(|k| k.trim().trim_matches('"').to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON array of strings.
fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `[{"name": …}]` → the names (fix versions).
fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `key = "X"` (or `key=X`) → `X`.
fn parse_key_eq(jql: &str) -> Option<String> {
    let rest = jql
        .trim()
        .strip_prefix("key")?
        .trim()
        .strip_prefix('=')?
        .trim();
    Some(rest.trim_matches('"').to_string())
}

/// `labels = "x"` → `x`.
fn parse_label(jql: &str) -> Option<String> {
    let rest = jql
        .trim()
        .strip_prefix("labels")?
        .trim()
        .strip_prefix('=')?
        .trim();
    Some(rest.trim_matches('"').to_string())
}

/// `/A/B` → `/A`; `/A` → `/`.
fn parent_of(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((parent, _)) => parent,
    }
}
