//! A stateful fake of the Xray and Jira endpoints `xray-sync doctor` calls, in Cloud or DC mode,
//! with one switch per misconfiguration to inject.
//!
//! Owns the fake's data (project CALC, its issue types, a Test Plan, environments, statuses,
//! link types, the bug create screen) and the contracts doctor relies on: Xray Cloud's token
//! as a JSON string literal, GraphQL errors inside HTTP 200, Jira's anonymous serverInfo,
//! Cloud-only `/search/jql` and `/rest/api/3`, DC createmeta under `values`, the OAuth token
//! exchange and gateway. Xray and Jira share one loopback server (their paths never overlap).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};

use super::fake::{Fake, Reply, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cloud,
    Dc,
}

pub const XRAY_CLIENT_ID: &str = "xray-client-1";
pub const XRAY_CLIENT_SECRET: &str = "xray-secret-0123456789";
pub const XRAY_TOKEN: &str = "xray-jwt-token";
pub const JIRA_EMAIL: &str = "ci@example.com";
pub const JIRA_TOKEN: &str = "jira-api-token-abcdef";
pub const DC_PAT: &str = "dc-pat-0123456789";
pub const DC_USER: &str = "ci";
pub const DC_PASSWORD: &str = "dc-password-xyz";
pub const OAUTH_CLIENT_ID: &str = "oauth-client-1";
pub const OAUTH_CLIENT_SECRET: &str = "oauth-secret-0123456789";
pub const OAUTH_TOKEN: &str = "oauth-access-token";
pub const CLOUD_ID: &str = "cloud-1234";

/// One switch per misconfiguration. `Faults::default()` is a fully valid setup.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Xray Cloud: the client secret does not match (the answer echoes it, as some proxies do).
    pub bad_xray_secret: bool,
    /// Xray Cloud: authenticate says the licence is not valid.
    pub xray_licence_invalid: bool,
    /// Xray Cloud: the token works but data calls say the data lives in another region.
    pub wrong_region: bool,
    /// Xray DC: `xraylicense` reports `active: false`.
    pub licence_inactive: bool,
    /// An issue type removed from project CALC (e.g. "Test Execution", "Bug").
    pub remove_issue_type: Option<&'static str>,
    /// serverInfo answers 200 with an HTML login page.
    pub jira_html: bool,
    /// serverInfo answers 302 to the login page.
    pub jira_redirect: bool,
    /// Every POST is refused with 403 "XSRF check failed".
    pub xsrf: bool,
    /// Authenticated Jira calls answer 401 (expired or revoked token).
    pub token_expired: bool,
    /// Authenticated Jira calls answer 401 "Unauthorized; scope does not match".
    pub scope_mismatch: bool,
    /// DC 11: basic auth answers 401 (and serverInfo reports version 11).
    pub basic_disabled: bool,
    /// DC: 403 with the CAPTCHA headers.
    pub captcha: bool,
    /// Permissions the user lacks in CALC.
    pub missing_permissions: Vec<&'static str>,
    /// The Bug create screen has a required field without a default.
    pub required_field: bool,
    /// No transition to Done for the test issue.
    pub no_done_transition: bool,
    /// OAuth: the token endpoint rejects the client secret.
    pub bad_oauth_secret: bool,
    /// The Test Execution create screen requires a custom select ("Environment type").
    pub execution_select: bool,
    /// The credentials may not browse the Test Repository of CALC.
    pub repository_forbidden: bool,
}

#[derive(Debug, Default)]
pub struct State {
    pub created: Vec<Value>,
    pub transitioned: Vec<(String, String)>,
    next_issue: u32,
}

pub struct DoctorFake {
    pub fake: Fake,
    pub state: Arc<Mutex<State>>,
}

impl DoctorFake {
    pub fn start(mode: Mode, faults: Faults) -> DoctorFake {
        let state = Arc::new(Mutex::new(State {
            next_issue: 100,
            ..State::default()
        }));
        let st = state.clone();
        let fake = Fake::serve(move |req| handle(mode, &faults, &st, req));
        DoctorFake { fake, state }
    }

    pub fn url(&self) -> String {
        self.fake.url()
    }

    pub fn created(&self) -> Vec<Value> {
        self.state.lock().unwrap().created.clone()
    }

    pub fn transitioned(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().transitioned.clone()
    }
}

fn json_reply(status: u16, v: Value) -> Reply {
    Reply::json(status, v.to_string())
}

fn jira_error(status: u16, msg: &str) -> Reply {
    json_reply(status, json!({"errorMessages": [msg], "errors": {}}))
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn handle(mode: Mode, f: &Faults, state: &Mutex<State>, req: &Request) -> Reply {
    let path = req.path().to_string();
    if path.starts_with("/api/v2/") {
        return xray_cloud(f, req, &path);
    }
    if path.starts_with("/rest/raven/") {
        return xray_dc(f, req, &path);
    }
    if path == "/oauth/token" {
        let body = req.json();
        return if body["client_id"] == OAUTH_CLIENT_ID
            && body["client_secret"] == OAUTH_CLIENT_SECRET
            && !f.bad_oauth_secret
        {
            json_reply(
                200,
                json!({"access_token": OAUTH_TOKEN, "expires_in": 3600}),
            )
        } else {
            json_reply(
                401,
                json!({"error": "access_denied", "error_description": "Unauthorized"}),
            )
        };
    }
    if path == "/oauth/token/accessible-resources" {
        let host = req.header("host").unwrap_or("").to_string();
        return json_reply(
            200,
            json!([{"id": CLOUD_ID, "name": "acme", "url": format!("http://{host}"), "scopes": ["read:jira-work"]}]),
        );
    }
    if path == "/rest/api/2/serverInfo" {
        return server_info(mode, f, req);
    }
    if req.method == "POST" && f.xsrf {
        return Reply::text(403, "text/plain", "XSRF check failed");
    }
    if req.method == "POST" && (path.ends_with("/search/jql") || path.ends_with("/search")) {
        let jql = req.json()["jql"].as_str().unwrap_or("").to_string();
        if mode == Mode::Dc && path == "/rest/api/2/search" && jql.starts_with("key in") {
            if let Some(reply) = dc_authorised(f, req) {
                return reply;
            }
            return key_search(&jql);
        }
        return search(mode, &path);
    }
    // Authenticated Jira REST, on the site or through the OAuth gateway.
    let gateway = format!("/ex/jira/{CLOUD_ID}");
    let (via_gateway, rest) = match path.strip_prefix(&gateway) {
        Some(rest) => (true, rest.to_string()),
        None => (false, path.clone()),
    };
    let Some(rest) = rest
        .strip_prefix("/rest/api/3")
        .map(|r| ("3", r))
        .or_else(|| rest.strip_prefix("/rest/api/2").map(|r| ("2", r)))
    else {
        return jira_error(404, "fake: unknown path");
    };
    let (version, rest) = rest;
    if mode == Mode::Dc && version == "3" {
        return Reply::text(404, "text/html", "<!DOCTYPE html><html>Not found</html>");
    }
    if let Some(reply) = jira_auth(mode, f, req, via_gateway) {
        return reply;
    }
    jira_rest(mode, f, state, req, rest)
}

fn xray_cloud(f: &Faults, req: &Request, path: &str) -> Reply {
    if path == "/api/v2/authenticate" {
        let body = req.json();
        if f.xray_licence_invalid {
            return json_reply(401, json!({"error": "the Xray license is not valid"}));
        }
        if body["client_id"] != XRAY_CLIENT_ID
            || body["client_secret"] != XRAY_CLIENT_SECRET
            || f.bad_xray_secret
        {
            let secret = body["client_secret"].as_str().unwrap_or("");
            return json_reply(
                401,
                json!({"error": format!("Authentication failed. Invalid client credentials! (secret {secret})")}),
            );
        }
        // The token is a JSON string literal, quotes included.
        return Reply::json(200, format!("\"{XRAY_TOKEN}\""));
    }
    if req.header("authorization") != Some(&format!("Bearer {XRAY_TOKEN}")) {
        return json_reply(401, json!({"error": "Unauthorized"}));
    }
    if f.wrong_region {
        return json_reply(
            401,
            json!({"error": "Xray data is in another region. Contact support to migrate Xray data to current region."}),
        );
    }
    if path != "/api/v2/graphql" {
        return json_reply(404, json!({"error": "fake: unknown Xray path"}));
    }
    let body = req.json();
    let query = body["query"].as_str().unwrap_or("");
    let vars = &body["variables"];
    if query.contains("getStatuses") {
        let names = ["PASSED", "FAILED", "TO DO", "EXECUTING", "ABORTED"];
        return json_reply(
            200,
            json!({"data": {"getStatuses": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}}),
        );
    }
    // Xray Cloud GraphQL `getFolder(projectId, path) { name path folders }` (xray-api.md §7
    // [G]): the numeric projectId of `getProjectSettings`; a project the user may not browse
    // answers an `errors` entry.
    if query.contains("getFolder(") {
        if f.repository_forbidden {
            return json_reply(
                200,
                json!({"data": {"getFolder": null}, "errors": [{"message": "You do not have permission to view the Test Repository of this project."}]}),
            );
        }
        if vars["p"] != "10000" {
            return json_reply(
                200,
                json!({"data": {"getFolder": null}, "errors": [{"message": "fake: projectId must be 10000"}]}),
            );
        }
        return json_reply(
            200,
            json!({"data": {"getFolder": {"name": "", "path": "/", "folders": [
                {"name": "CI", "path": "/CI", "folders": []}]}}}),
        );
    }
    if query.contains("getProjectSettings") {
        if vars["p"] != "CALC" {
            return json_reply(200, json!({"data": {"getProjectSettings": null}}));
        }
        return json_reply(
            200,
            json!({"data": {"getProjectSettings": {
                "projectId": "10000",
                "testEnvironments": ["chrome", "linux"],
                "testTypeSettings": {"testTypes": [{"name": "Generic"}, {"name": "Manual"}, {"name": "Cucumber"}]}
            }}}),
        );
    }
    if query.contains("getTestPlans") {
        let jql = vars["jql"].as_str().unwrap_or("");
        let key = jql.trim_start_matches("key = ").trim_matches('"');
        return match issue_type_of(key) {
            None => json_reply(
                200,
                json!({"data": {"getTestPlans": null}, "errors": [{"message": format!("Error executing JQL: An issue with key '{key}' does not exist for field 'key'.")}]}),
            ),
            Some(t) => {
                let total = usize::from(t == "Test Plan");
                json_reply(
                    200,
                    json!({"data": {"getTestPlans": {"total": total, "results": []}}}),
                )
            }
        };
    }
    if query.contains("getTestSets(") {
        // Like getTests (xray-api.md §6, §7): a missing key fails the JQL; only Test Sets are
        // returned, with their issue ids.
        let keys = jql_keys(vars["jql"].as_str().unwrap_or(""));
        let missing = missing_key_messages(&keys, "Error in JQL: ");
        if !missing.is_empty() {
            let errors: Vec<Value> = missing.iter().map(|m| json!({"message": m})).collect();
            return json_reply(
                200,
                json!({"data": {"getTestSets": null}, "errors": errors}),
            );
        }
        let results: Vec<Value> = keys
            .iter()
            .filter(|k| visible_type(k) == Some("Test Set"))
            .map(|k| json!({"issueId": "20", "jira": {"key": k}}))
            .collect();
        return json_reply(
            200,
            json!({"data": {"getTestSets": {"total": results.len(), "start": 0, "limit": 100, "results": results}}}),
        );
    }
    if query.contains("getTests(") {
        // xray-api.md §7: a missing or invisible key fails the JQL; HTTP 200, `data.getTests`
        // null, one error per key. Otherwise only Test issues are returned (§6 getTests).
        let keys = jql_keys(vars["jql"].as_str().unwrap_or(""));
        let missing = missing_key_messages(&keys, "Error in JQL: ");
        if !missing.is_empty() {
            let errors: Vec<Value> = missing.iter().map(|m| json!({"message": m})).collect();
            return json_reply(200, json!({"data": {"getTests": null}, "errors": errors}));
        }
        let results: Vec<Value> = keys
            .iter()
            .filter(|k| visible_type(k) == Some("Test"))
            .map(|k| json!({"issueId": "1", "testType": {"name": "Generic", "kind": "Unstructured"}, "jira": {"key": k}}))
            .collect();
        return json_reply(
            200,
            json!({"data": {"getTests": {"total": results.len(), "start": 0, "limit": 100, "results": results}}}),
        );
    }
    json_reply(200, json!({"errors": [{"message": "fake: unknown query"}]}))
}

fn issue_type_of(key: &str) -> Option<&'static str> {
    match key {
        "CALC-15" => Some("Test Plan"),
        "CALC-16" => Some("Task"),
        "CALC-20" => Some("Test Set"),
        "CALC-900" => Some("Bug"),
        // Exists, but the doctor's credentials cannot browse it.
        "CALC-950" => Some("Test"),
        _ => key
            .strip_prefix("CALC-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (101..=120).contains(n))
            .map(|_| "Test"),
    }
}

/// Jira's answer for a key: `None` when it does not exist or these credentials cannot see it
/// (Jira does not tell the two apart; jira-api.md §1.5).
fn visible_type(key: &str) -> Option<&'static str> {
    issue_type_of(key).filter(|_| key != "CALC-950")
}

/// The keys of `key in (A-1,B-2)`.
fn jql_keys(jql: &str) -> Vec<String> {
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

/// The JQL error for each missing key, in Jira's words (xray-api.md §7).
fn missing_key_messages(keys: &[String], prefix: &str) -> Vec<String> {
    keys.iter()
        .filter(|k| visible_type(k).is_none())
        .map(|k| format!("{prefix}An issue with key '{k}' does not exist for field 'key'."))
        .collect()
}

fn dc_authorised(f: &Faults, req: &Request) -> Option<Reply> {
    let auth = req.header("authorization").unwrap_or("");
    let pat = auth == format!("Bearer {DC_PAT}");
    let basic_ok = auth == basic(DC_USER, DC_PASSWORD);
    if f.captcha {
        return Some(
            jira_error(403, "CAPTCHA required")
                .header("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")
                .header(
                    "X-Authentication-Denied-Reason",
                    "CAPTCHA_CHALLENGE; login-url=http://jira/login.jsp",
                ),
        );
    }
    if (basic_ok && f.basic_disabled) || !(pat || basic_ok) || f.token_expired {
        return Some(
            Reply::text(
                401,
                "text/plain",
                "Client must be authenticated to access this resource.",
            )
            .header("X-Seraph-LoginReason", "AUTHENTICATED_FAILED"),
        );
    }
    None
}

fn xray_dc(f: &Faults, req: &Request, path: &str) -> Reply {
    if let Some(reply) = dc_authorised(f, req) {
        return reply;
    }
    match path {
        "/rest/raven/latest/api/xraylicense" => json_reply(
            200,
            json!({"active": !f.licence_inactive, "licenseType": "Enterprise"}),
        ),
        // Xray DC REST "Settings" → Test Statuses: an array of
        // {id, rank, name, description, final, color, requirementStatusName}
        // (docs.getxray.app/pages/viewpage.action?pageId=37062898; xray-api.md §4.5).
        "/rest/raven/1.0/api/settings/teststatuses" => json_reply(
            200,
            json!(
                [
                    ("PASS", true, "OK"),
                    ("FAIL", true, "NOK"),
                    ("TODO", false, "NOTRUN"),
                    ("EXECUTING", false, "NOTRUN"),
                    ("ABORTED", true, "NOK")
                ]
                .iter()
                .enumerate()
                .map(|(i, (n, fin, req))| json!({
                    "id": i + 1, "rank": i + 1, "name": n,
                    "description": format!("The test run is {}", n.to_lowercase()),
                    "final": fin, "color": "#95C160", "requirementStatusName": req
                }))
                .collect::<Vec<_>>()
            ),
        ),
        // Xray DC "Test Repository - REST" (xray-api.md §7 [X]): the folder tree; errors are
        // 400 text/plain.
        "/rest/raven/1.0/api/testrepository/CALC/folders" if f.repository_forbidden => Reply::text(
            400,
            "text/plain",
            "You do not have permission to browse the Test Repository of project CALC.",
        ),
        "/rest/raven/1.0/api/testrepository/CALC/folders" => json_reply(
            200,
            json!({"folders": [{"id": 6, "rank": 1, "name": "CI", "testRepositoryPath": "/CI",
                "folders": [], "testCount": 0, "totalTestCount": 0}]}),
        ),
        _ => json_reply(404, json!({"error": "fake: unknown raven path"})),
    }
}

fn server_info(mode: Mode, f: &Faults, req: &Request) -> Reply {
    if f.jira_html {
        return Reply::text(
            200,
            "text/html;charset=UTF-8",
            "<!DOCTYPE html><html><head><title>Log in - Jira</title></head><body>login</body></html>",
        );
    }
    if f.jira_redirect {
        return Reply::status(302).header("Location", "/login.jsp?os_destination=%2Frest");
    }
    let host = req.header("host").unwrap_or("");
    let (deployment, version, numbers) = match mode {
        Mode::Cloud => ("Cloud", "1001.0.0-SNAPSHOT", vec![1001, 0, 0]),
        Mode::Dc if f.basic_disabled => ("Server", "11.0.1", vec![11, 0, 1]),
        Mode::Dc => ("Server", "10.3.2", vec![10, 3, 2]),
    };
    json_reply(
        200,
        json!({"baseUrl": format!("http://{host}"), "version": version, "versionNumbers": numbers,
               "deploymentType": deployment, "buildNumber": 100000, "serverTitle": "Acme Jira"}),
    )
}

/// DC `POST /rest/api/2/search` with `key in (…)`: 400 with one `errorMessages` entry per
/// missing or invisible key (xray-api.md §7), else the issues with their issue type.
fn key_search(jql: &str) -> Reply {
    let keys = jql_keys(jql);
    let missing = missing_key_messages(&keys, "");
    if !missing.is_empty() {
        return json_reply(400, json!({"errorMessages": missing, "errors": {}}));
    }
    let issues: Vec<Value> = keys
        .iter()
        .filter_map(|k| visible_type(k).map(|t| (k, t)))
        .map(|(k, t)| json!({"id": "1", "key": k, "fields": {"issuetype": {"name": t}}}))
        .collect();
    json_reply(
        200,
        json!({"startAt": 0, "maxResults": 100, "total": issues.len(), "issues": issues}),
    )
}

fn search(mode: Mode, path: &str) -> Reply {
    match (mode, path) {
        (Mode::Cloud, "/rest/api/3/search/jql") | (Mode::Dc, "/rest/api/2/search") => {
            json_reply(200, json!({"issues": []}))
        }
        (Mode::Cloud, _) => jira_error(
            410,
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.",
        ),
        (Mode::Dc, _) => jira_error(404, "null for uri"),
    }
}

fn jira_auth(mode: Mode, f: &Faults, req: &Request, via_gateway: bool) -> Option<Reply> {
    if mode == Mode::Dc {
        return dc_authorised(f, req);
    }
    let auth = req.header("authorization").unwrap_or("");
    let ok = if via_gateway {
        auth == format!("Bearer {OAUTH_TOKEN}")
    } else {
        auth == basic(JIRA_EMAIL, JIRA_TOKEN)
    };
    if f.scope_mismatch {
        return Some(json_reply(
            401,
            json!({"code": 401, "message": "Unauthorized; scope does not match"}),
        ));
    }
    if !ok || f.token_expired {
        return Some(
            Reply::text(
                401,
                "text/plain",
                "Client must be authenticated to access this resource.",
            )
            .header("X-Seraph-LoginReason", "AUTHENTICATED_FAILED"),
        );
    }
    None
}

fn issue_types(f: &Faults) -> Vec<Value> {
    [
        ("1", "Bug", false),
        ("2", "Task", false),
        ("10", "Test", false),
        ("11", "Test Execution", false),
        ("12", "Test Plan", false),
        ("5", "Sub-task", true),
    ]
    .iter()
    .filter(|(_, name, _)| Some(*name) != f.remove_issue_type)
    .map(|(id, name, subtask)| json!({"id": id, "name": name, "subtask": subtask}))
    .collect()
}

fn bug_fields(f: &Faults) -> Vec<Value> {
    let mut fields = vec![
        json!({"fieldId": "project", "name": "Project", "required": true, "hasDefaultValue": false}),
        json!({"fieldId": "issuetype", "name": "Issue Type", "required": true, "hasDefaultValue": false}),
        json!({"fieldId": "summary", "name": "Summary", "required": true, "hasDefaultValue": false}),
        json!({"fieldId": "reporter", "name": "Reporter", "required": true, "hasDefaultValue": true}),
        json!({"fieldId": "description", "name": "Description", "required": false, "hasDefaultValue": false}),
        json!({"fieldId": "labels", "name": "Labels", "required": false, "hasDefaultValue": false}),
        json!({"fieldId": "priority", "name": "Priority", "required": false, "hasDefaultValue": true}),
    ];
    if f.required_field {
        fields.push(json!({"fieldId": "customfield_10050", "name": "Team", "required": true, "hasDefaultValue": false}));
    }
    fields
}

fn jira_rest(mode: Mode, f: &Faults, state: &Mutex<State>, req: &Request, rest: &str) -> Reply {
    let list_key = match mode {
        Mode::Cloud => "issueTypes",
        Mode::Dc => "values",
    };
    let fields_key = match mode {
        Mode::Cloud => "fields",
        Mode::Dc => "values",
    };
    match (req.method.as_str(), rest) {
        ("GET", "/myself") => match mode {
            Mode::Cloud => json_reply(
                200,
                json!({"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "CI Bot", "emailAddress": JIRA_EMAIL}),
            ),
            Mode::Dc => json_reply(
                200,
                json!({"name": DC_USER, "key": "JIRAUSER1", "displayName": "CI Bot"}),
            ),
        },
        ("GET", "/project/CALC") => json_reply(
            200,
            json!({"id": "10000", "key": "CALC", "name": "Calculator", "issueTypes": issue_types(f)}),
        ),
        ("GET", p) if p.starts_with("/project/") => jira_error(
            404,
            &format!(
                "No project could be found with key '{}'.",
                &p["/project/".len()..]
            ),
        ),
        ("GET", "/mypermissions") => {
            if req.query("projectKey").as_deref() != Some("CALC") {
                return jira_error(404, "No project could be found");
            }
            let Some(wanted) = req.query("permissions") else {
                return jira_error(400, "The permissions query parameter is required.");
            };
            let perms: serde_json::Map<String, Value> = wanted
                .split(',')
                .map(|p| {
                    (
                        p.to_string(),
                        json!({"key": p, "havePermission": !f.missing_permissions.contains(&p)}),
                    )
                })
                .collect();
            json_reply(200, json!({ "permissions": perms }))
        }
        ("GET", "/issue/createmeta/CALC/issuetypes") => {
            if f.missing_permissions.contains(&"CREATE_ISSUES") {
                return jira_error(403, "You do not have permission to create issues");
            }
            json_reply(
                200,
                json!({ list_key: issue_types(f), "startAt": 0, "total": 6 }),
            )
        }
        ("GET", p) if p.starts_with("/issue/createmeta/CALC/issuetypes/") => {
            let id = &p["/issue/createmeta/CALC/issuetypes/".len()..];
            if id == "11" {
                // The Test Execution's screen (support/execution_screen.rs, docs/jira-api.md §3.2).
                let select = f
                    .execution_select
                    .then(super::execution_screen::RequiredSelect::environment_type);
                return json_reply(
                    200,
                    super::execution_screen::fields(fields_key, select.as_ref()),
                );
            }
            let fields = if id == "1" {
                bug_fields(f)
            } else {
                bug_fields(&Faults::default())
            };
            json_reply(200, json!({ fields_key: fields, "startAt": 0 }))
        }
        ("GET", "/issueLinkType") => json_reply(
            200,
            json!({"issueLinkTypes": [
                {"id": "1", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
                {"id": "2", "name": "Cloners", "inward": "is cloned by", "outward": "clones"},
                {"id": "3", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
                {"id": "4", "name": "Relates", "inward": "relates to", "outward": "relates to"},
                {"id": "5", "name": "Test", "inward": "is tested by", "outward": "tests"},
                {"id": "6", "name": "Defect", "inward": "created", "outward": "is created by"}
            ]}),
        ),
        ("GET", p) if p.starts_with("/issue/") && p.ends_with("/transitions") => {
            let mut transitions = vec![
                json!({"id": "21", "name": "In Progress", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}}),
            ];
            if !f.no_done_transition {
                transitions.push(json!({"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}}));
            }
            json_reply(200, json!({ "transitions": transitions }))
        }
        ("POST", p) if p.starts_with("/issue/") && p.ends_with("/transitions") => {
            let key = p["/issue/".len()..p.len() - "/transitions".len()].to_string();
            let id = req.json()["transition"]["id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            state.lock().unwrap().transitioned.push((key, id));
            Reply::status(204)
        }
        ("GET", p) if p.starts_with("/issue/") => {
            let key = p["/issue/".len()..].to_string();
            match issue_type_of(&key) {
                Some(t) => json_reply(
                    200,
                    json!({"key": key, "fields": {"issuetype": {"name": t}}}),
                ),
                None => jira_error(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                ),
            }
        }
        ("POST", "/issue") => {
            let body = req.json();
            let mut st = state.lock().unwrap();
            st.next_issue += 1;
            let key = format!("CALC-{}", st.next_issue);
            st.created.push(body);
            json_reply(
                201,
                json!({"id": "20000", "key": key, "self": "http://fake/issue/20000"}),
            )
        }
        _ => jira_error(404, "fake: unknown Jira path"),
    }
}
