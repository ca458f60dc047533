//! A stateful fake Jira (Cloud and Data Center) on the loopback fake server.
//!
//! Owns the contract the bug filer is tested against: auth (Basic, PAT, OAuth client
//! credentials with the `/ex/jira/{cloudId}` gateway, accessible-resources, tenant_info, token
//! expiry), the removed Cloud `/search` (410), `search/jql` with `nextPageToken` paging,
//! explicit fields and `reconcileIssues`, DC `/search` with `startAt`, a JQL parser that only
//! accepts properly quoted values, eventual-consistency lag (a new issue stays invisible to the
//! next `lag` matching searches unless reconciled), issues with comments, links and a workflow
//! whose Done-category status is called "Verified", and fault injection. Thread-safe.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use super::fake::{Fake, Reply, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cloud,
    Dc,
}

#[derive(Debug, Clone)]
pub enum FakeAuth {
    /// `user:secret` as Basic (Cloud email + API token, DC username + password).
    Basic { user: String, secret: String },
    /// DC personal access token.
    Bearer(String),
    /// Cloud OAuth client credentials; every API call must come through the gateway.
    OAuth {
        client_id: String,
        client_secret: String,
        cloud_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub auth: FakeAuth,
    /// Matching searches a new issue stays invisible to (Cloud only).
    pub lag: u32,
    /// Most issues per search page, whatever maxResults asks.
    pub page_size: usize,
    pub projects: Vec<String>,
    /// OAuth: `expires_in` of issued tokens.
    pub expires_in: u64,
    /// OAuth: accessible resources as (cloudId, url); `None` = one entry for this site. In a url,
    /// `{site}` stands for the fake's URL and `{SITE}` for it in upper case.
    pub resources: Option<Vec<(String, String)>>,
    /// OAuth: whether `/_edge/tenant_info` answers.
    pub tenant_info: bool,
    /// Echo the Authorization header in 401 bodies (a misbehaving proxy), to test scrubbing.
    pub echo_auth: bool,
    /// A required custom select on the Test Execution create screen (createmeta lists it).
    pub execution_select: Option<super::execution_screen::RequiredSelect>,
    /// The transitions' `fields` leave the Resolution out although the screen requires it:
    /// `expand=transitions.fields` under-reports it on some sites (netresearch/jira-skill#211).
    pub hide_resolution_field: bool,
}

impl Config {
    pub fn new(mode: Mode, auth: FakeAuth) -> Config {
        Config {
            mode,
            auth,
            lag: 0,
            page_size: 100,
            projects: vec!["BUG".into(), "CALC".into()],
            expires_in: 3600,
            resources: None,
            tenant_info: true,
            echo_auth: false,
            execution_select: None,
            hide_resolution_field: false,
        }
    }
}

/// What an injected fault does.
#[derive(Debug, Clone)]
pub enum FaultAction {
    /// Answer this instead of processing the request.
    Reply(Reply),
    /// Process the request, then drop the connection without answering.
    ApplyThenReset,
    /// Process the request, then answer only after this delay.
    ApplyThenDelay(Duration),
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub method: &'static str,
    /// Substring of the request path.
    pub path: String,
    pub times: u32,
    pub action: FaultAction,
}

#[derive(Debug, Clone)]
pub struct FakeIssue {
    pub id: u64,
    pub key: String,
    pub project: String,
    pub summary: String,
    pub labels: Vec<String>,
    pub status: String,
    pub category: String,
    pub created: String,
    pub resolutiondate: Option<String>,
    /// When the status last moved to another category: Cloud's `statuscategorychangedate`, a
    /// field of every Cloud issue (returned by a search that asks for it, as in
    /// lesstif/php-JiraCloud-RESTAPI#114); DC has no such field and leaves it out.
    pub status_category_changed: String,
    /// The Resolution set by the last transition into Done (cleared by a reopen).
    pub resolution: Option<String>,
    pub description: Value,
    pub fields: Value,
    pub comments: Vec<Value>,
    /// (type, inward, outward)
    pub links: Vec<(String, String, String)>,
    pub hidden_for: u32,
}

impl FakeIssue {
    pub fn is_open(&self) -> bool {
        self.category != "done"
    }

    pub fn comment_texts(&self) -> Vec<String> {
        self.comments.iter().map(text_of).collect()
    }
}

#[derive(Debug, Clone)]
pub struct SearchLog {
    pub path: String,
    pub jql: String,
    pub labels: usize,
    pub reconcile: Vec<u64>,
    pub first_page: bool,
}

#[derive(Debug)]
struct State {
    config: Config,
    site: String,
    issues: Vec<FakeIssue>,
    next_id: u64,
    next_num: BTreeMap<String, u64>,
    clock: time::OffsetDateTime,
    faults: Vec<Fault>,
    tokens: Vec<(String, bool)>,
    token_requests: usize,
    searches: Vec<SearchLog>,
    /// Issues of the same site that live in another fake (Xray's Tests): key → issue type.
    site_issues: SiteIssues,
    /// Every link made, (type, inward, outward), also between issues of another fake.
    links: Vec<(String, String, String)>,
    /// Edits of those issues (Xray's executions: title and labels).
    site_edits: SiteEdits,
}

/// A lookup of issues another fake holds: Xray Tests live in the same Jira site as the bugs, so
/// a link from a Test to a bug must find both.
#[derive(Clone, Default)]
pub struct SiteIssues(Option<SiteLookup>);

/// Key → issue type, for issues another fake holds.
pub type SiteLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// `PUT issue/{key}` for an issue another fake holds: its answer, or `None` when that fake
/// does not hold `key`.
pub type SiteEdit = Arc<dyn Fn(&str, &Value) -> Option<Reply> + Send + Sync>;

#[derive(Clone, Default)]
struct SiteEdits(Option<SiteEdit>);

impl std::fmt::Debug for SiteEdits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteEdits")
    }
}

impl std::fmt::Debug for SiteIssues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteIssues")
    }
}

pub struct JiraFake {
    pub fake: Fake,
    state: Arc<Mutex<State>>,
}

const STATUSES: [(&str, &str); 3] = [
    ("To Do", "new"),
    ("In Progress", "indeterminate"),
    ("Verified", "done"),
];

impl JiraFake {
    pub fn start(config: Config) -> JiraFake {
        let state = Arc::new(Mutex::new(State {
            config,
            site: String::new(),
            issues: Vec::new(),
            next_id: 10_000,
            next_num: BTreeMap::new(),
            clock: time::macros::datetime!(2026-11-22 10:00 UTC),
            faults: Vec::new(),
            tokens: Vec::new(),
            token_requests: 0,
            searches: Vec::new(),
            site_issues: SiteIssues::default(),
            links: Vec::new(),
            site_edits: SiteEdits::default(),
        }));
        let handler_state = state.clone();
        let fake = Fake::serve(move |req| handle(&handler_state, req));
        state.lock().unwrap().site = fake.url();
        JiraFake { fake, state }
    }

    /// Makes the issues `lookup` knows (key → issue type) part of this site, for links.
    pub fn share_site(&self, lookup: SiteLookup) {
        self.state.lock().unwrap().site_issues = SiteIssues(Some(lookup));
    }

    /// Lets `PUT issue/{key}` edit the issues another fake holds (Xray's executions are Jira
    /// issues of the same site: the Jira credentials edit their title and labels).
    pub fn share_site_edits(&self, edit: SiteEdit) {
        self.state.lock().unwrap().site_edits = SiteEdits(Some(edit));
    }

    pub fn url(&self) -> String {
        self.fake.url()
    }

    /// Every issue link made on this site, (type, inward, outward), Xray's Tests included.
    pub fn links(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().links.clone()
    }

    pub fn issues(&self) -> Vec<FakeIssue> {
        self.state.lock().unwrap().issues.clone()
    }

    pub fn issue(&self, key: &str) -> FakeIssue {
        self.issues()
            .into_iter()
            .find(|i| i.key == key)
            .expect("issue exists")
    }

    pub fn open_with_label(&self, label: &str) -> Vec<FakeIssue> {
        self.issues()
            .into_iter()
            .filter(|i| i.is_open() && i.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
            .collect()
    }

    pub fn searches(&self) -> Vec<SearchLog> {
        self.state.lock().unwrap().searches.clone()
    }

    pub fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests
    }

    pub fn inject(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push(fault);
    }

    /// Every issued OAuth token stops working (the next call gets 401).
    pub fn expire_tokens(&self) {
        for t in &mut self.state.lock().unwrap().tokens {
            t.1 = false;
        }
    }

    pub fn set_lag(&self, lag: u32) {
        self.state.lock().unwrap().config.lag = lag;
    }

    /// Adds an issue directly (e.g. the Xray Test issues bugs link to). Returns its key.
    pub fn add_issue(&self, project: &str, labels: &[&str], category: &str) -> String {
        let mut s = self.state.lock().unwrap();
        let (status, cat) = STATUSES
            .iter()
            .find(|(_, c)| *c == category)
            .copied()
            .unwrap_or(STATUSES[0]);
        let mut issue = s.new_issue(
            project,
            "added by test",
            labels.iter().map(|l| l.to_string()).collect(),
            json!(null),
            json!({}),
        );
        issue.status = status.into();
        issue.category = cat.into();
        issue.hidden_for = 0;
        if cat == "done" {
            issue.resolutiondate = Some(s.stamp());
        }
        issue.status_category_changed = s.stamp();
        let key = issue.key.clone();
        s.issues.push(issue);
        key
    }

    /// Moves an issue to the Done-category status "Verified", resolved at `resolved` (RFC 3339)
    /// or now.
    pub fn resolve(&self, key: &str, resolved: Option<&str>) {
        let mut s = self.state.lock().unwrap();
        let stamp = resolved.map(str::to_string).unwrap_or_else(|| s.stamp());
        if let Some(i) = s.issues.iter_mut().find(|i| i.key == key) {
            i.status = "Verified".into();
            i.category = "done".into();
            i.resolutiondate = Some(stamp.clone());
            i.status_category_changed = stamp;
        }
    }

    /// Moves an issue to Done at `at` (RFC 3339) the way a person can on a workflow whose Done
    /// transition has no Resolution screen: no Resolution, so no resolution date.
    pub fn close_without_resolution(&self, key: &str, at: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(i) = s.issues.iter_mut().find(|i| i.key == key) {
            i.status = "Verified".into();
            i.category = "done".into();
            i.resolutiondate = None;
            i.resolution = None;
            i.status_category_changed = at.to_string();
        }
    }

    pub fn set_clock(&self, now: time::OffsetDateTime) {
        self.state.lock().unwrap().clock = now;
    }
}

impl State {
    fn stamp(&self) -> String {
        let f = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
        );
        self.clock.format(f).unwrap_or_default()
    }

    fn new_issue(
        &mut self,
        project: &str,
        summary: &str,
        labels: Vec<String>,
        description: Value,
        fields: Value,
    ) -> FakeIssue {
        self.next_id += 1;
        self.clock += time::Duration::seconds(1);
        let num = self.next_num.entry(project.to_string()).or_insert(0);
        *num += 1;
        let key = format!("{project}-{num}");
        FakeIssue {
            id: self.next_id,
            key,
            project: project.to_string(),
            summary: summary.to_string(),
            labels,
            status: "To Do".into(),
            category: "new".into(),
            created: self.stamp(),
            resolutiondate: None,
            status_category_changed: self.stamp(),
            resolution: None,
            description,
            fields,
            comments: Vec::new(),
            links: Vec::new(),
            hidden_for: if self.config.mode == Mode::Cloud {
                self.config.lag
            } else {
                0
            },
        }
    }

    fn issue_json(&self, i: &FakeIssue, fields: &[String]) -> Value {
        let all = fields.iter().any(|f| f == "*all" || f == "*navigable");
        let want = |f: &str| all || fields.iter().any(|x| x == f);
        let mut out = serde_json::Map::new();
        if want("labels") {
            out.insert("labels".into(), json!(i.labels));
        }
        if want("status") {
            out.insert(
                "status".into(),
                json!({"name": i.status, "statusCategory": {"key": i.category}}),
            );
        }
        if want("created") {
            out.insert("created".into(), json!(i.created));
        }
        if want("resolutiondate") {
            out.insert("resolutiondate".into(), json!(i.resolutiondate));
        }
        if want("statuscategorychangedate") && self.config.mode == Mode::Cloud {
            out.insert(
                "statuscategorychangedate".into(),
                json!(i.status_category_changed),
            );
        }
        if want("summary") {
            out.insert("summary".into(), json!(i.summary));
        }
        let mut v = json!({"id": i.id.to_string(), "key": i.key, "self": format!("{}/rest/api/2/issue/{}", self.site, i.id)});
        if !out.is_empty() {
            v["fields"] = Value::Object(out);
        }
        v
    }
}

fn err(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"errorMessages": [message], "errors": {}}).to_string(),
    )
}

/// Why Jira refuses an issue edit, if it does: the create rules hold for an edit too
/// (jira-api.md §3.2-3.3), a one-line summary of at most 255 characters and labels (added by
/// `update.labels`) without spaces, checked whole before anything changes. Both fakes' edits.
pub fn refused_edit(body: &Value) -> Option<Reply> {
    if let Some(l) = body["update"]["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|op| op["add"].as_str())
        .find(|l| l.chars().any(char::is_whitespace))
    {
        return Some(field_err(
            "labels",
            &format!("The label '{l}' contains spaces which is invalid."),
        ));
    }
    let summary = body["fields"]["summary"].as_str()?;
    if summary.is_empty() {
        return Some(field_err(
            "summary",
            "You must specify a summary of the issue.",
        ));
    }
    if summary.chars().count() > 255 {
        return Some(field_err("summary", "Summary can't exceed 255 characters."));
    }
    summary.contains(['\n', '\r']).then(|| {
        field_err(
            "summary",
            "The summary is invalid because it contains newline characters.",
        )
    })
}

/// Jira's answer to a refused field: `{"errorMessages":[],"errors":{field: message}}` (also the
/// Xray fake's, for the Jira edits of its executions).
pub fn field_err(field: &str, message: &str) -> Reply {
    Reply::json(
        400,
        json!({"errorMessages": [], "errors": {field: message}}).to_string(),
    )
}

fn handle(state: &Arc<Mutex<State>>, req: &Request) -> Reply {
    let fault = {
        let mut s = state.lock().unwrap();
        let pos = s
            .faults
            .iter()
            .position(|f| f.times > 0 && f.method == req.method && req.path().contains(&f.path));
        pos.map(|p| {
            s.faults[p].times -= 1;
            s.faults[p].action.clone()
        })
    };
    match fault {
        Some(FaultAction::Reply(r)) => r,
        Some(FaultAction::ApplyThenReset) => {
            let _ = route(state, req);
            Reply::Reset
        }
        Some(FaultAction::ApplyThenDelay(d)) => route(state, req).after(d),
        None => route(state, req),
    }
}

fn route(state: &Arc<Mutex<State>>, req: &Request) -> Reply {
    let mut s = state.lock().unwrap();
    let path = req.path().to_string();
    let auth = req.header("authorization").unwrap_or("").to_string();
    if let FakeAuth::OAuth {
        client_id,
        client_secret,
        cloud_id,
    } = s.config.auth.clone()
    {
        match (req.method.as_str(), path.as_str()) {
            ("POST", "/oauth/token") => {
                s.token_requests += 1;
                let b = req.json();
                let ok = b["grant_type"] == "client_credentials"
                    && b["client_id"] == client_id.as_str()
                    && b["client_secret"] == client_secret.as_str()
                    && b["audience"] == "api.atlassian.com";
                if !ok {
                    return Reply::json(
                        401,
                        r#"{"error":"access_denied","error_description":"Unauthorized"}"#,
                    );
                }
                let token = format!("oauth-access-token-{}-s3cr3t", s.tokens.len() + 1);
                s.tokens.push((token.clone(), true));
                return Reply::json(200, json!({"access_token": token, "expires_in": s.config.expires_in, "token_type": "Bearer", "scope": "read:jira-work write:jira-work"}).to_string());
            }
            ("GET", "/oauth/token/accessible-resources") => {
                if !bearer_valid(&s, &auth) {
                    return err(401, "Unauthorized");
                }
                let resources = s
                    .config
                    .resources
                    .clone()
                    .unwrap_or_else(|| vec![(cloud_id.clone(), s.site.clone())]);
                let list: Vec<Value> = resources
                    .iter()
                    .map(|(id, url)| {
                        let url = url.replace("{site}", &s.site).replace("{SITE}", &s.site.to_uppercase());
                        json!({"id": id, "url": url, "name": "site", "scopes": ["read:jira-work"], "avatarUrl": ""})
                    })
                    .collect();
                return Reply::json(200, Value::Array(list).to_string());
            }
            ("GET", "/_edge/tenant_info") => {
                return if s.config.tenant_info {
                    Reply::json(200, json!({"cloudId": cloud_id}).to_string())
                } else {
                    err(404, "not found")
                };
            }
            _ => {}
        }
        let prefix = format!("/ex/jira/{cloud_id}");
        let Some(rest) = path.strip_prefix(&prefix) else {
            // A bearer token sent to the site instead of the gateway.
            return unauthorized(&s, &auth);
        };
        if !bearer_valid(&s, &auth) {
            return unauthorized(&s, &auth);
        }
        let rest = rest.to_string();
        return api(&mut s, req, &rest);
    }
    if path == "/rest/api/2/serverInfo" {
        return api(&mut s, req, &path);
    }
    let ok = match &s.config.auth {
        FakeAuth::Basic { user, secret } => {
            auth == format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
            )
        }
        FakeAuth::Bearer(pat) => auth == format!("Bearer {pat}"),
        FakeAuth::OAuth { .. } => false,
    };
    if !ok {
        return unauthorized(&s, &auth);
    }
    api(&mut s, req, &path)
}

fn bearer_valid(s: &State, auth: &str) -> bool {
    auth.strip_prefix("Bearer ")
        .is_some_and(|t| s.tokens.iter().any(|(tok, valid)| tok == t && *valid))
}

fn unauthorized(s: &State, auth: &str) -> Reply {
    let msg = if s.config.echo_auth {
        format!("Client must be authenticated to access this resource. (got: {auth})")
    } else {
        "Client must be authenticated to access this resource.".to_string()
    };
    err(401, &msg).header("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
}

fn api(s: &mut State, req: &Request, path: &str) -> Reply {
    let version = match s.config.mode {
        Mode::Cloud => "3",
        Mode::Dc => "2",
    };
    if path == "/rest/api/2/serverInfo" {
        let dt = if s.config.mode == Mode::Cloud {
            "Cloud"
        } else {
            "Server"
        };
        return Reply::json(200, json!({"baseUrl": s.site, "version": "10.3.0", "versionNumbers": [10, 3, 0], "deploymentType": dt, "serverTitle": "Fake Jira"}).to_string());
    }
    if s.config.mode == Mode::Cloud
        && (path == "/rest/api/3/search"
            || path == "/rest/api/2/search"
            || path == "/rest/api/latest/search")
    {
        return err(
            410,
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
        );
    }
    let Some(rest) = path.strip_prefix(&format!("/rest/api/{version}/")) else {
        return err(404, "fake: unknown API path");
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("POST", ["search", "jql"]) if s.config.mode == Mode::Cloud => search(s, req, path),
        ("POST", ["search"]) if s.config.mode == Mode::Dc => search(s, req, path),
        ("POST", ["issue"]) => create(s, req),
        ("GET", ["issue", key]) => match s.issues.iter().find(|i| i.key == *key) {
            Some(i) => {
                let fields: Vec<String> = req
                    .query("fields")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect();
                Reply::json(200, s.issue_json(i, &fields).to_string())
            }
            None => err(
                404,
                "Issue does not exist or you do not have permission to see it.",
            ),
        },
        // jira-api.md §3.3: `PUT /rest/api/{2,3}/issue/{key}` with `fields` (or `update`) → 204;
        // the description is checked like on create (ADF on Cloud v3, a string on DC v2).
        ("PUT", ["issue", key]) => {
            let b = req.json();
            let fields = b["fields"].clone();
            if let Some(d) = fields.get("description")
                && let Some(e) = check_rich_text(s.config.mode, d, "description")
            {
                return e;
            }
            if !s.issues.iter().any(|i| i.key == *key)
                && let Some(reply) = s.site_edits.0.as_ref().and_then(|edit| edit(key, &b))
            {
                return reply;
            }
            let Some(i) = s.issues.iter_mut().find(|i| i.key == *key) else {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            if let Some(refusal) = refused_edit(&b) {
                return refusal;
            }
            let ops = b["update"]["labels"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if let Some(summary) = fields.get("summary").and_then(Value::as_str) {
                i.summary = summary.to_string();
                i.fields["summary"] = json!(summary);
            }
            for op in &ops {
                if let Some(l) = op["add"].as_str()
                    && !i.labels.iter().any(|x| x == l)
                {
                    i.labels.push(l.to_string());
                }
                if let Some(l) = op["remove"].as_str() {
                    i.labels.retain(|x| x != l);
                }
            }
            if let Some(d) = fields.get("description") {
                i.description = d.clone();
                i.fields["description"] = d.clone();
            }
            Reply::status(204)
        }
        ("GET", ["issue", key, "comment"]) => {
            let Some(i) = s.issues.iter().find(|i| i.key == *key) else {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            let mut comments: Vec<Value> = i
                .comments
                .iter()
                .enumerate()
                .map(|(n, b)| json!({"id": (n + 1).to_string(), "body": b}))
                .collect();
            if req.query("orderBy").as_deref() == Some("-created") {
                comments.reverse();
            }
            let max: usize = req
                .query("maxResults")
                .and_then(|m| m.parse().ok())
                .unwrap_or(50);
            let total = comments.len();
            comments.truncate(max);
            Reply::json(
                200,
                json!({"comments": comments, "total": total, "startAt": 0, "maxResults": max})
                    .to_string(),
            )
        }
        // jira-api.md §4.1: 201 `{id,…}`; 404 when the issue is missing or not visible.
        ("POST", ["issue", key, "comment"]) => {
            let body = req.json()["body"].clone();
            if let Some(e) = check_rich_text(s.config.mode, &body, "comment") {
                return e;
            }
            let Some(i) = s.issues.iter_mut().find(|i| i.key == *key) else {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            i.comments.push(body);
            Reply::json(201, json!({"id": i.comments.len().to_string()}).to_string())
        }
        // jira-api.md §4.2: `{"transitions":[{id,name,to:{name,statusCategory:{key}}}]}`.
        ("GET", ["issue", key, "transitions"]) => {
            let Some(i) = s.issues.iter().find(|i| i.key == *key) else {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            let mut list = transitions(i);
            if s.config.hide_resolution_field {
                for t in &mut list {
                    if let Some(f) = t["fields"].as_object_mut() {
                        f.remove("resolution");
                    }
                }
            }
            if req.query("expand").as_deref() != Some("transitions.fields") {
                for t in &mut list {
                    if let Some(o) = t.as_object_mut() {
                        o.remove("fields");
                    }
                }
            }
            Reply::json(200, json!({"transitions": list}).to_string())
        }
        // jira-api.md §4.2: 204; 400 for a transition that is not valid from this status.
        ("POST", ["issue", key, "transitions"]) => {
            let body = req.json();
            let id = body["transition"]["id"].as_str().unwrap_or("").to_string();
            let resolution = body["fields"]["resolution"]["name"]
                .as_str()
                .map(String::from);
            let stamp = s.stamp();
            let Some(i) = s.issues.iter_mut().find(|i| i.key == *key) else {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            let Some(t) = transitions(i).into_iter().find(|t| t["id"] == id.as_str()) else {
                return err(
                    400,
                    &format!("Transition id '{id}' is not valid for this issue."),
                );
            };
            // The transition screen's Resolution (jira-api.md §4.2): required where the screen
            // has it (`{"errorMessages":["Field Resolution is required."],"errors":{}}`, as
            // quoted in checkmarx-cxflow-github-action#46), refused where it does not ("Field
            // 'resolution' cannot be set. It is not on the appropriate screen, or unknown.",
            // mozilla/jira-bugzilla-integration#1258), one of its allowed values otherwise.
            let allowed: Option<Vec<String>> = t["fields"]["resolution"]["allowedValues"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v["name"].as_str().map(String::from))
                        .collect()
                });
            match (&allowed, &resolution) {
                (Some(_), None) => {
                    return Reply::json(
                        400,
                        json!({"errorMessages": ["Field Resolution is required."], "errors": {}})
                            .to_string(),
                    );
                }
                (None, Some(_)) => {
                    return field_err(
                        "resolution",
                        "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.",
                    );
                }
                (Some(names), Some(r)) if !names.contains(r) => {
                    // The real wording is not documented.
                    return field_err(
                        "resolution",
                        &format!("fake: resolution '{r}' is not one the screen allows"),
                    );
                }
                _ => {}
            }
            i.status = t["to"]["name"].as_str().unwrap_or("").to_string();
            let category = t["to"]["statusCategory"]["key"].as_str().unwrap_or("");
            if i.category != category {
                i.category = category.to_string();
                i.status_category_changed = stamp.clone();
            }
            // The resolution date is when the Resolution was set, not when the status changed
            // (a Done transition that sets none leaves it empty); a reopen clears both.
            i.resolutiondate = resolution.is_some().then_some(stamp);
            i.resolution = resolution;
            Reply::status(204)
        }
        // jira-api.md §4.3: 201 with an empty body, idempotent; 404 when an issue is not
        // visible. Xray Tests live on the same site (`share_site`).
        ("POST", ["issueLink"]) => {
            let b = req.json();
            let ty = b["type"]["name"].as_str().unwrap_or("").to_string();
            let inward = b["inwardIssue"]["key"].as_str().unwrap_or("").to_string();
            let outward = b["outwardIssue"]["key"].as_str().unwrap_or("").to_string();
            // Only a type's name, exactly (go-jira#660: a phrase sent as the name is refused).
            if !LINK_TYPES.iter().any(|(_, name, _, _)| *name == ty) {
                return err(404, &format!("No issue link type with name '{ty}' found."));
            }
            let known = |k: &str| {
                s.issues.iter().any(|i| i.key == k)
                    || s.site_issues.0.as_ref().is_some_and(|f| f(k).is_some())
            };
            if !known(&inward) || !known(&outward) {
                return err(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            }
            let link = (ty, inward.clone(), outward.clone());
            if !s.links.contains(&link) {
                s.links.push(link.clone());
            }
            for k in [&inward, &outward] {
                if let Some(i) = s.issues.iter_mut().find(|i| &i.key == k)
                    && !i.links.contains(&link)
                {
                    i.links.push(link.clone());
                }
            }
            Reply::status(201)
        }
        // createmeta (docs/jira-api.md §3.2): Cloud lists under `issueTypes` / `fields`, DC
        // under `values`.
        ("GET", ["issue", "createmeta", project, "issuetypes"])
            if s.config.projects.iter().any(|p| p == project) =>
        {
            let key = if s.config.mode == Mode::Cloud {
                "issueTypes"
            } else {
                "values"
            };
            Reply::json(200, super::execution_screen::issue_types(key).to_string())
        }
        ("GET", ["issue", "createmeta", project, "issuetypes", id])
            if s.config.projects.iter().any(|p| p == project)
                && *id == super::execution_screen::EXECUTION_TYPE_ID =>
        {
            let key = if s.config.mode == Mode::Cloud {
                "fields"
            } else {
                "values"
            };
            Reply::json(
                200,
                super::execution_screen::fields(key, s.config.execution_select.as_ref())
                    .to_string(),
            )
        }
        // jira-api.md §6 step 2: accountId/displayName (Cloud) or name (DC).
        ("GET", ["myself"]) => Reply::json(
            200,
            r#"{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"CI bot","name":"ci-bot"}"#,
        ),
        // jira-api.md §1.5: 404 "No project could be found with key 'X'."
        ("GET", ["project", key]) => {
            if s.config.projects.iter().any(|p| p == key) {
                Reply::json(
                    200,
                    json!({"id": "10000", "key": key, "name": format!("Project {key}")})
                        .to_string(),
                )
            } else {
                err(404, &format!("No project could be found with key '{key}'."))
            }
        }
        // jira-api.md §4.3: `{"issueLinkTypes":[{id,name,inward,outward}]}`.
        ("GET", ["issueLinkType"]) => Reply::json(
            200,
            json!({"issueLinkTypes": LINK_TYPES
                .iter()
                .map(|(id, name, inward, outward)| {
                    json!({"id": id, "name": name, "inward": inward, "outward": outward})
                })
                .collect::<Vec<_>>()})
            .to_string(),
        ),
        _ => err(404, "fake: no such endpoint"),
    }
}

/// The site's issue link types (id, name, inward, outward): Jira Cloud's defaults (jira-api.md
/// §4.3) and Xray's Test link under the name sites commonly have, `Test` ("tests" / "is tested
/// by"; the name is site-specific, the phrases are Xray's documented ones). Links are made by
/// name only.
const LINK_TYPES: &[(&str, &str, &str, &str)] = &[
    ("1", "Relates", "relates to", "relates to"),
    ("2", "Duplicate", "is duplicated by", "duplicates"),
    ("3", "Blocks", "is blocked by", "blocks"),
    ("4", "Test", "is tested by", "tests"),
];

/// The workflow: To Do → In Progress → Verified (Done), and a "Won't Do" transition listed
/// first that also ends in a Done-category status (workflows often have several into Done;
/// jira-api.md §4.2). The transition into Verified has a screen with a required Resolution, as
/// many workflows do (its `fields` are listed only with `expand=transitions.fields`); the
/// others have no screen.
fn transitions(i: &FakeIssue) -> Vec<Value> {
    let t = |id: &str, name: &str, to: (&str, &str)| json!({"id": id, "name": name, "to": {"name": to.0, "statusCategory": {"key": to.1}}, "hasScreen": false, "fields": {}});
    if i.category == "done" {
        vec![t("41", "Reopen", STATUSES[0])]
    } else {
        let mut verify = t("31", "Verify", STATUSES[2]);
        verify["hasScreen"] = json!(true);
        // Other fields of the screen, shaped as Jira lists them (a user picker, a select of
        // options with `value`, not `name`): read past, not refused.
        verify["fields"] = json!({
            "resolution": {
                "required": true,
                "name": "Resolution",
                "schema": {"type": "resolution", "system": "resolution"},
                "allowedValues": [
                    {"id": "10000", "name": "Done"},
                    {"id": "10001", "name": "Won't Do"},
                    {"id": "10002", "name": "Duplicate"}
                ]
            },
            "assignee": {
                "required": false,
                "name": "Assignee",
                "schema": {"type": "user", "system": "assignee"},
                "autoCompleteUrl": "https://fake/rest/api/2/user/search?query="
            },
            "customfield_10050": {
                "required": false,
                "name": "Root cause",
                "schema": {"type": "option"},
                "allowedValues": [{"id": "1", "value": "Code"}, {"id": "2", "value": "Config"}]
            }
        });
        vec![
            t("11", "Won't Do", ("Won't Do", "done")),
            t("21", "Start progress", STATUSES[1]),
            verify,
        ]
    }
}

fn check_rich_text(mode: Mode, body: &Value, field: &str) -> Option<Reply> {
    match mode {
        Mode::Cloud => {
            if body.get("type") != Some(&json!("doc")) || body.get("version") != Some(&json!(1)) {
                return Some(field_err(
                    field,
                    "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
                ));
            }
            if has_empty_text(body) {
                return Some(err(400, "INVALID_INPUT"));
            }
            if body.to_string().chars().count() > 32_767 {
                return Some(field_err(
                    field,
                    "The entered text is too long. It exceeds the allowed limit of 32,767 characters.",
                ));
            }
        }
        Mode::Dc => {
            let Some(t) = body.as_str() else {
                return Some(field_err(field, "Operation value must be a string"));
            };
            if t.chars().count() > 32_767 {
                return Some(field_err(
                    field,
                    "The entered text is too long. It exceeds the allowed limit of 32,767 characters.",
                ));
            }
        }
    }
    None
}

fn has_empty_text(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            (m.get("type") == Some(&json!("text"))
                && m.get("text")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty))
                || m.values().any(has_empty_text)
        }
        Value::Array(a) => a.iter().any(has_empty_text),
        _ => false,
    }
}

/// The text of an ADF or wiki body.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            let mut out = m
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(c) = m.get("content") {
                out.push_str(&text_of(c));
                out.push('\n');
            }
            out
        }
        Value::Array(a) => a.iter().map(text_of).collect(),
        _ => String::new(),
    }
}

/// jira-api.md §3.1–3.3, §3.6: 201 `{id,key,self}`; field errors in `errors` (summary ≤255
/// characters and one line, labels without spaces and ≤255, rich text per product, 32,767).
fn create(s: &mut State, req: &Request) -> Reply {
    let b = req.json();
    let f = &b["fields"];
    let project = f["project"]["key"].as_str().unwrap_or("").to_string();
    if !s.config.projects.contains(&project) {
        return field_err("project", "valid project is required");
    }
    let summary = f["summary"].as_str().unwrap_or("");
    if summary.is_empty() {
        return field_err("summary", "You must specify a summary of the issue.");
    }
    if summary.chars().count() > 255 {
        return field_err("summary", "Summary can't exceed 255 characters.");
    }
    if summary.contains('\n') || summary.contains('\r') {
        return field_err(
            "summary",
            "The summary is invalid because it contains newline characters.",
        );
    }
    let labels: Vec<String> = f["labels"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for l in &labels {
        if l.chars().any(char::is_whitespace) {
            return field_err(
                "labels",
                &format!("The label '{l}' contains spaces which is invalid."),
            );
        }
        if l.chars().count() > 255 {
            return field_err(
                "labels",
                &format!(
                    "The label '{l}' exceeds the maximum length for a single label of 255 characters."
                ),
            );
        }
    }
    if let Some(e) = check_rich_text(s.config.mode, &f["description"], "description") {
        return e;
    }
    if let Some(e) = check_people_and_lists(s.config.mode, f) {
        return e;
    }
    let issue = s.new_issue(
        &project,
        summary,
        labels,
        f["description"].clone(),
        f.clone(),
    );
    let answer = json!({"id": issue.id.to_string(), "key": issue.key, "self": format!("{}/rest/api/2/issue/{}", s.site, issue.id)});
    s.issues.push(issue);
    Reply::json(201, answer.to_string())
}

/// The site's users: the credentials' own (`/myself`), by Cloud accountId and DC name.
const USERS: &[(&str, &str)] = &[("5b10ac8d82e05b22cc7d4ef5", "ci-bot")];
/// Jira's default priorities; the fake's projects have no components.
const PRIORITIES: &[&str] = &["Highest", "High", "Medium", "Low", "Lowest"];

/// The optional create fields a bug may set (jira-api.md §3.4): Cloud names a user only by
/// `accountId` (an unknown one: `{"errors":{"assignee":"Account ID … does not exist."}}`, as
/// quoted in ahungry/org-jira#220), DC by `name` (an object without one: "expected Object
/// containing a 'name' property", guilhemmarchand/TA-jira-service-desk-simple-addon#221); a
/// priority or component the site does not have is refused too (wording not documented).
fn check_people_and_lists(mode: Mode, f: &Value) -> Option<Reply> {
    // Jira answers every refused field at once, in its `errors` object.
    let mut errors = serde_json::Map::new();
    if let Some(a) = f.get("assignee").filter(|a| !a.is_null()) {
        let refusal = match mode {
            Mode::Cloud => {
                let id = a["accountId"].as_str().unwrap_or("");
                (!USERS.iter().any(|(account, _)| *account == id))
                    .then(|| format!("Account ID {id} does not exist."))
            }
            Mode::Dc => match a["name"].as_str() {
                None => Some("expected Object containing a 'name' property".to_string()),
                Some(name) => (!USERS.iter().any(|(_, n)| *n == name))
                    .then(|| format!("fake: user '{name}' does not exist")),
            },
        };
        if let Some(r) = refusal {
            errors.insert("assignee".into(), json!(r));
        }
    }
    if let Some(p) = f.get("priority") {
        let name = p["name"].as_str().unwrap_or("");
        if !PRIORITIES.contains(&name) {
            errors.insert(
                "priority".into(),
                json!(format!("fake: priority '{name}' does not exist")),
            );
        }
    }
    if let Some(c) = f["components"].as_array().and_then(|c| c.first()) {
        errors.insert(
            "components".into(),
            json!(format!("fake: component {c} is not valid")),
        );
    }
    (!errors.is_empty()).then(|| {
        Reply::json(
            400,
            json!({"errorMessages": [], "errors": errors}).to_string(),
        )
    })
}

/// jira-api.md §2.1 (Cloud `search/jql`: `nextPageToken`, `isLast`, ≤50 `reconcileIssues`) and
/// §2.3 (DC `/search`: `startAt`, `total`); §2.4 quoting rules via `parse_jql`.
fn search(s: &mut State, req: &Request, path: &str) -> Reply {
    let b = req.json();
    let jql = b["jql"].as_str().unwrap_or("").to_string();
    if jql.trim_start().starts_with("key in") {
        return key_search(s, &jql);
    }
    let (project, labels) = match parse_jql(&jql) {
        Ok(x) => x,
        Err(m) => return err(400, &format!("Error in the JQL Query: {m}")),
    };
    // jira-api.md §1.5: JQL naming a project that does not exist (or that the credentials
    // cannot browse) is refused, not answered with no issues.
    if !s.config.projects.contains(&project) {
        return err(
            400,
            &format!("The value '{project}' does not exist for the field 'project'."),
        );
    }
    let fields: Vec<String> = b["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let reconcile: Vec<u64> = b["reconcileIssues"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    if reconcile.len() > 50 {
        return err(400, "reconcileIssues accepts at most 50 ids");
    }
    let cloud = s.config.mode == Mode::Cloud;
    let offset: usize = if cloud {
        match b.get("nextPageToken").and_then(Value::as_str) {
            Some(t) => match t.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return err(400, "invalid nextPageToken"),
            },
            None => 0,
        }
    } else {
        b["startAt"].as_u64().unwrap_or(0) as usize
    };
    let first_page = offset == 0;
    s.searches.push(SearchLog {
        path: path.to_string(),
        jql: jql.clone(),
        labels: labels.len(),
        reconcile: reconcile.clone(),
        first_page,
    });
    let wanted: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
    let mut visible = Vec::new();
    for i in s.issues.iter_mut() {
        let matches =
            i.project == project && i.labels.iter().any(|l| wanted.contains(&l.to_lowercase()));
        if !matches {
            continue;
        }
        if reconcile.contains(&i.id) {
            i.hidden_for = 0;
        }
        if i.hidden_for > 0 {
            if first_page {
                i.hidden_for -= 1;
            }
            continue;
        }
        visible.push(i.clone());
    }
    visible.sort_by_key(|i| i.id);
    let max = b["maxResults"].as_u64().unwrap_or(50) as usize;
    let page = max.min(s.config.page_size).max(1);
    let slice: Vec<Value> = visible
        .iter()
        .skip(offset)
        .take(page)
        .map(|i| s.issue_json(i, &fields))
        .collect();
    let end = offset + slice.len();
    if cloud {
        let mut v = json!({"issues": slice, "isLast": end >= visible.len()});
        if end < visible.len() {
            v["nextPageToken"] = json!(format!("page-{end}"));
        }
        Reply::json(200, v.to_string())
    } else {
        Reply::json(
            200,
            json!({"startAt": offset, "maxResults": page, "total": visible.len(), "issues": slice})
                .to_string(),
        )
    }
}

/// `key in (A-1, B-2)` with `fields: ["issuetype"]`: xray-api.md §7, a key that does not
/// exist or cannot be seen fails the whole JQL with 400 and one `errorMessages` entry per key;
/// otherwise each issue with its type (bugs here are `Bug`; Tests come from `share_site`).
fn key_search(s: &State, jql: &str) -> Reply {
    let keys: Vec<String> = jql
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(list, _)| {
            list.split(',')
                .map(|k| k.trim().trim_matches('"').to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let type_of = |k: &str| -> Option<String> {
        if let Some(i) = s.issues.iter().find(|i| i.key == k) {
            return Some(
                i.fields["issuetype"]["name"]
                    .as_str()
                    .unwrap_or("Bug")
                    .to_string(),
            );
        }
        s.site_issues.0.as_ref().and_then(|f| f(k))
    };
    let mut missing = Vec::new();
    let mut hits = Vec::new();
    for k in &keys {
        match type_of(k) {
            Some(t) => {
                hits.push(json!({"id": "1", "key": k, "fields": {"issuetype": {"name": t}}}))
            }
            None => missing.push(format!(
                "An issue with key '{k}' does not exist for field 'key'."
            )),
        }
    }
    if !missing.is_empty() {
        return err_list(400, &missing);
    }
    match s.config.mode {
        Mode::Cloud => Reply::json(200, json!({"issues": hits, "isLast": true}).to_string()),
        Mode::Dc => Reply::json(
            200,
            json!({"startAt": 0, "maxResults": 100, "total": hits.len(), "issues": hits})
                .to_string(),
        ),
    }
}

fn err_list(status: u16, messages: &[String]) -> Reply {
    Reply::json(
        status,
        json!({"errorMessages": messages, "errors": {}}).to_string(),
    )
}

#[derive(Debug, PartialEq)]
enum Tok {
    Str(String),
    Word(String),
    Punct(String),
}

fn tokens(jql: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = jql.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string literal".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('"') => s.push('"'),
                        Some('\\') => s.push('\\'),
                        Some('u') => {
                            let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                            let c = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or("bad \\u escape")?;
                            s.push(c);
                        }
                        Some(other) => return Err(format!("illegal escape '\\{other}'")),
                        None => return Err("unterminated string literal".into()),
                    },
                    Some(c) if c == '\n' || c == '\r' => {
                        return Err("newline inside a string".into());
                    }
                    Some(c) => s.push(c),
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    w.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Word(w));
        } else if "(),=".contains(c) {
            chars.next();
            out.push(Tok::Punct(c.to_string()));
        } else {
            return Err(format!(
                "The character '{c}' is a reserved JQL character. You must enclose it in a string."
            ));
        }
    }
    Ok(out)
}

/// Accepts `project = "P" AND labels in ("a", …) [ORDER BY created ASC|DESC]`, values quoted.
pub fn parse_jql(jql: &str) -> Result<(String, Vec<String>), String> {
    let toks = tokens(jql)?;
    let mut it = toks.into_iter();
    let word = |t: Option<Tok>, w: &str| match t {
        Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w) => Ok(()),
        other => Err(format!("expected '{w}', got {other:?}")),
    };
    let punct = |t: Option<Tok>, p: &str| match t {
        Some(Tok::Punct(x)) if x == p => Ok(()),
        other => Err(format!("expected '{p}', got {other:?}")),
    };
    let string = |t: Option<Tok>| match t {
        Some(Tok::Str(s)) => Ok(s),
        other => Err(format!(
            "expected a quoted value, got {other:?} (a reserved word must be quoted)"
        )),
    };
    word(it.next(), "project")?;
    punct(it.next(), "=")?;
    let project = string(it.next())?;
    word(it.next(), "AND")?;
    word(it.next(), "labels")?;
    word(it.next(), "in")?;
    punct(it.next(), "(")?;
    let mut labels = vec![string(it.next())?];
    loop {
        match it.next() {
            Some(Tok::Punct(p)) if p == ")" => break,
            Some(Tok::Punct(p)) if p == "," => labels.push(string(it.next())?),
            other => return Err(format!("expected ',' or ')', got {other:?}")),
        }
    }
    match it.next() {
        None => {}
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("ORDER") => {
            word(it.next(), "BY")?;
            word(it.next(), "created")?;
            match it.next() {
                Some(Tok::Word(d))
                    if d.eq_ignore_ascii_case("ASC") || d.eq_ignore_ascii_case("DESC") => {}
                other => return Err(format!("expected ASC or DESC, got {other:?}")),
            }
            if let Some(extra) = it.next() {
                return Err(format!("unexpected {extra:?}"));
            }
        }
        Some(other) => return Err(format!("unexpected {other:?}")),
    }
    Ok((project, labels))
}

/// Builders for bug-filing tests: settings pointing at a fake, and hand-made plans.
pub mod build {
    use std::time::Duration;

    use xray_sync::http::Http;
    use xray_sync::model::OutcomeKind;
    use xray_sync::plan::{
        AttemptSummary, BugFields, BugReport, JiraIntent, JiraPlan, PassingTest, TestView,
        UmbrellaIntent,
    };

    use super::super::planned::Planned;
    use xray_sync::secret::Secret;
    use xray_sync::settings::{DcAuth, HttpSettings, JiraAuth, JiraSettings, Product};

    pub const EMAIL: &str = "ci@example.com";
    pub const API_TOKEN: &str = "ATATT-api-token-s3cr3t";
    pub const PAT: &str = "dc-pat-s3cr3t-value";
    pub const PASSWORD: &str = "dc-password-s3cr3t";
    pub const CLIENT_ID: &str = "svc-client-id";
    pub const CLIENT_SECRET: &str = "oauth-client-s3cr3t";
    pub const CLOUD_ID: &str = "11111111-2222-3333-4444-555555555555";

    pub fn http() -> Http {
        http_with_timeout(Duration::from_secs(5))
    }

    pub fn http_with_timeout(read_timeout: Duration) -> Http {
        let s = HttpSettings {
            read_timeout,
            import_timeout: read_timeout,
            connect_timeout: Duration::from_secs(2),
            ..HttpSettings::default()
        };
        Http::new(&s).expect("http client").with_sleep(|_| {})
    }

    /// The fake config and matching settings for a mode and credential kind.
    pub fn cloud_basic() -> (super::Config, JiraAuth) {
        (
            super::Config::new(
                super::Mode::Cloud,
                super::FakeAuth::Basic {
                    user: EMAIL.into(),
                    secret: API_TOKEN.into(),
                },
            ),
            JiraAuth::CloudToken {
                email: EMAIL.into(),
                token: Secret::from(API_TOKEN),
            },
        )
    }

    pub fn dc_pat() -> (super::Config, JiraAuth) {
        (
            super::Config::new(super::Mode::Dc, super::FakeAuth::Bearer(PAT.into())),
            JiraAuth::Dc(DcAuth::Pat(Secret::from(PAT))),
        )
    }

    pub fn dc_basic() -> (super::Config, JiraAuth) {
        (
            super::Config::new(
                super::Mode::Dc,
                super::FakeAuth::Basic {
                    user: "ci-bot".into(),
                    secret: PASSWORD.into(),
                },
            ),
            JiraAuth::Dc(DcAuth::Basic {
                username: "ci-bot".into(),
                password: Secret::from(PASSWORD),
            }),
        )
    }

    /// OAuth settings need the fake's URL (auth server and gateway are the fake too).
    pub fn cloud_oauth() -> super::Config {
        super::Config::new(
            super::Mode::Cloud,
            super::FakeAuth::OAuth {
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                cloud_id: CLOUD_ID.into(),
            },
        )
    }

    pub fn oauth_auth(url: &str) -> JiraAuth {
        JiraAuth::CloudOAuth {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::from(CLIENT_SECRET),
            auth_url: url.into(),
            api_url: url.into(),
        }
    }

    pub fn settings(url: &str, product: Product, auth: JiraAuth) -> JiraSettings {
        JiraSettings {
            connection: xray_sync::settings::Connection::Live,
            url: url.into(),
            auth,
            plan: xray_sync::settings::JiraPlanSettings {
                product,
                project: "BUG".into(),
                issue_type: "Bug".into(),
                label_prefix: "xs-".into(),
                marker_label: "xray-sync".into(),
                labels: vec![],
                assignee: None,
                components: vec![],
                priority: None,
                summary_template: "Test failed: {name}".into(),
                file_flaky: false,
                mass_failure_threshold: Some(20),
                close_on_pass: true,
                reopen_within_days: None,
                done_link_type: "Relates".into(),
                duplicate_link_type: "Duplicate".into(),
                test_link_type: "Tests".into(),
                parallelism: 4,
                overrides: vec![],
            },
        }
    }

    pub fn label_for(name: &str) -> String {
        let cleaned: String = name
            .chars()
            .map(|c| if c.is_whitespace() { '_' } else { c })
            .collect();
        format!("xs-{cleaned}")
    }

    /// `jira::file::run` as most bug-filing tests call it: for real (not a dry run), without
    /// progress output.
    pub fn file(
        settings: &JiraSettings,
        plan: &JiraPlan,
        tests: &Planned,
    ) -> xray_sync::jira::receipt::JiraReceipt {
        xray_sync::jira::file::run(&http(), settings, plan, tests.tests(), false, &mut |_| {})
    }

    /// A run of one test `suite.<name>` (by `key` when given), planned.
    pub fn planned(name: &str, outcome: OutcomeKind, key: Option<&str>) -> Planned {
        let mut p = Planned::default();
        push(&mut p, name, outcome, key);
        p
    }

    /// Adds test `suite.<name>` to `p`; a failure says `expected 3 but was 4 in <name>`.
    pub fn push(p: &mut Planned, name: &str, outcome: OutcomeKind, key: Option<&str>) -> usize {
        let message = format!("expected 3 but was 4 in {name}");
        p.push("suite", name, outcome, Some(&message), key)
    }

    pub fn intent(index: usize, t: TestView<'_>) -> JiraIntent {
        let label = label_for(t.name());
        JiraIntent {
            test: index,
            label: label.clone(),
            fields: BugFields {
                project: "BUG".into(),
                issue_type: "Bug".into(),
                summary: format!("Test failed: {}", t.name()),
                assignee: None,
                labels: vec![label, "xray-sync".into()],
                components: vec![],
                priority: None,
            },
            report: BugReport {
                test_id: t.test_id().into_owned(),
                name: t.name().to_string(),
                definition: t.definition().into_owned(),
                xray_key: t.key().cloned(),
                message: t.message(),
                details: Some(format!("AssertionError\n  at {}(Test.java:42)", t.name()).into()),
                ci_run_url: Some("https://ci.example/run/1".into()),
                attempts: vec![
                    AttemptSummary {
                        outcome: OutcomeKind::Failed,
                        message: t.message().map(Into::into),
                    },
                    AttemptSummary {
                        outcome: OutcomeKind::Failed,
                        message: None,
                    },
                ],
                flaky: false,
                file: None,
                line: None,
                run: Default::default(),
                rows: Vec::new(),
            },
        }
    }

    /// A plan where every named test failed.
    pub fn failing(names: &[String], marker: &str) -> (JiraPlan, Planned) {
        let mut tests = Planned::default();
        for n in names {
            push(&mut tests, n, OutcomeKind::Failed, None);
        }
        let intents = tests
            .tests()
            .iter()
            .enumerate()
            .map(|(i, t)| intent(i, t))
            .collect();
        (
            JiraPlan {
                intents,
                umbrella: None,
                close_on_pass: vec![],
                run_marker: marker.into(),
            },
            tests,
        )
    }

    pub fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("test_{i:03}")).collect()
    }

    /// A mass-failure plan: one umbrella instead of intents.
    pub fn umbrella(names: &[String], marker: &str) -> (JiraPlan, Planned) {
        let (mut plan, tests) = failing(names, marker);
        plan.intents.clear();
        plan.umbrella = Some(UmbrellaIntent {
            label: "xs-umbrella-ci".into(),
            fields: BugFields {
                project: "BUG".into(),
                issue_type: "Bug".into(),
                summary: format!("{} tests failed", names.len()),
                assignee: None,
                labels: vec!["xs-umbrella-ci".into(), "xray-sync".into()],
                components: vec![],
                priority: None,
            },
            tests: (0..tests.len()).collect(),
            ci_run_url: None,
            run: Default::default(),
        });
        (plan, tests)
    }

    pub fn passing(plan: &mut JiraPlan, tests: &mut Planned, name: &str) {
        let test = push(tests, name, OutcomeKind::Passed, None);
        plan.close_on_pass.push(PassingTest {
            test,
            label: label_for(name),
            project: "BUG".into(),
        });
    }
}
