//! The Jira REST client (Cloud v3 and Data Center v2), used by bug filing and by `doctor`.
//!
//! Owns endpoints, request bodies and answer shapes: search (Cloud `POST /rest/api/3/search/jql`
//! with `nextPageToken` paging, explicit fields and `reconcileIssues`; DC `POST /rest/api/2/search`
//! with `startAt` paging; never the removed Cloud `/search`), create, get, comments, links,
//! transitions and the preflight reads (the anonymous site probes are in `client/site.rs`).
//! Transport and retries are `http.rs`'s; credentials and the OAuth gateway are `auth.rs`'s.
//! Every error leaving this module is scrubbed of secrets.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::auth::{Auth, Grant};
use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request, Response, percent_encode as enc};
use crate::secret::Secret;
use crate::settings::{JiraSettings, Product};

mod site;

pub use site::{SearchAnswer, ServerAnswer, ServerInfo};

/// Fields every search asks for: the search endpoint returns only `id` unless told.
/// `statuscategorychangedate` is Jira Cloud's (DC has no such field; a field a site does not
/// have is left out of the answer, not refused).
pub const SEARCH_FIELDS: [&str; 6] = [
    "labels",
    "status",
    "created",
    "resolutiondate",
    "statuscategorychangedate",
    "summary",
];
/// Issues per search page; Jira may return fewer, so paging never assumes a size.
const PAGE_SIZE: u32 = 100;
/// A search that pages further than this is not a label lookup any more; stop rather than loop.
const MAX_PAGES: usize = 50;
/// At most this many ids may be named in `reconcileIssues`.
pub const MAX_RECONCILE: usize = 50;

/// An issue as a label search or a get returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub id: u64,
    pub key: String,
    pub labels: Vec<String>,
    /// The status name, for messages only; decisions use `status_category`.
    pub status: String,
    /// `new`, `indeterminate` or `done`: fixed, locale-independent keys.
    pub status_category: String,
    /// When it was resolved: its resolution date or, for a Done issue that has none (a
    /// workflow whose Done transition sets no Resolution), when it entered the Done category
    /// (Cloud's `statuscategorychangedate`). `None` when the site tells neither.
    pub resolved: Option<OffsetDateTime>,
    /// The issue's title (for comments: is this failure the one the bug is about?).
    pub summary: String,
}

impl Issue {
    pub fn is_done(&self) -> bool {
        self.status_category.eq_ignore_ascii_case("done")
    }
}

/// The answer to a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: u64,
    pub key: String,
}

/// A workflow transition available on an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub id: String,
    pub name: String,
    pub to_status: String,
    pub to_category: String,
    /// When the transition's screen has the Resolution field: the resolutions it allows (may be
    /// empty when the answer lists none). `None`: not on the screen, as far as Jira says.
    pub resolutions: Option<Vec<String>>,
}

/// Who the credentials belong to: `account_id` on Cloud, `name`/`key` on DC.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Myself {
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub name: String,
    /// Every issue type of the project, sub-tasks included.
    #[serde(default)]
    pub issue_types: Vec<IssueType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IssueType {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub subtask: bool,
}

impl IssueType {
    /// The names of the standard (non-sub-task) types among `types`, in order: the types a
    /// bug, a Test or a Test Execution can be.
    pub fn standard_names(types: Vec<IssueType>) -> Vec<String> {
        types
            .into_iter()
            .filter(|t| !t.subtask)
            .map(|t| t.name)
            .collect()
    }
}

/// A field of the create screen for one issue type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMeta {
    pub field_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub has_default_value: bool,
    #[serde(default)]
    pub allowed_values: Vec<Value>,
    /// `{"type": "option" | "array" | "user" | …, "items": …, "custom": …}`: the value shape.
    #[serde(default)]
    pub schema: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LinkType {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub inward: String,
    #[serde(default)]
    pub outward: String,
}

impl LinkType {
    /// Config may name a link type by its name or by either phrase, in any case.
    pub fn matches(&self, wanted: &str) -> bool {
        [&self.name, &self.inward, &self.outward]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(wanted.trim()))
    }
}

/// A Jira client for one site. `Sync`: bug filing shares one client across worker threads.
pub struct Client<'h> {
    http: &'h Http,
    product: Product,
    site: String,
    auth: Auth,
    secrets: Vec<Secret>,
    configured: crate::settings::JiraAuth,
    /// The site's issue link types, read once the first time a link is made (`None` when they
    /// could not be read): config may name a type by either phrase, Jira takes only its name.
    link_types: std::sync::OnceLock<Option<Vec<LinkType>>>,
}

impl<'h> Client<'h> {
    pub fn new(http: &'h Http, settings: &JiraSettings) -> Client<'h> {
        let site = settings.url.trim_end_matches('/').to_string();
        let auth = Auth::new(&settings.auth, &site);
        let secrets = auth.secrets(&settings.auth);
        Client {
            http,
            product: settings.product,
            site,
            auth,
            secrets,
            configured: settings.auth.clone(),
            link_types: std::sync::OnceLock::new(),
        }
    }

    pub fn product(&self) -> Product {
        self.product
    }

    /// Rich text (a description or comment body) in this product's format: ADF for Cloud v3,
    /// a wiki-markup string for DC v2.
    pub fn rich_text(&self, blocks: Vec<super::body::Block>) -> Value {
        match self.product {
            Product::Cloud => super::adf::document(blocks),
            Product::Dc => Value::String(super::wiki::document(blocks)),
        }
    }

    /// The site's browse link for an issue key.
    pub fn browse_url(&self, key: &str) -> String {
        format!("{}/browse/{key}", self.site)
    }

    /// The cloudId in use (OAuth only, after the first call or [`Client::authenticate`]).
    pub fn cloud_id(&self) -> Option<String> {
        self.auth.cloud_id()
    }

    /// Exchanges the OAuth token and discovers the cloudId (no-op for fixed credentials), so
    /// `doctor` can report the token exchange as its own step.
    pub fn authenticate(&self) -> Result<(), ApiError> {
        self.auth
            .grant(self.http, &self.site)
            .map(|_| ())
            .map_err(|e| self.scrub(e))
    }

    /// Removes every known secret (configured ones and issued tokens) from an error.
    pub fn scrub(&self, e: ApiError) -> ApiError {
        let mut all = self.secrets.clone();
        all.extend(self.auth.secrets(&self.configured));
        e.scrubbed(&all.iter().collect::<Vec<_>>())
    }

    fn version(&self) -> &'static str {
        match self.product {
            Product::Cloud => "3",
            Product::Dc => "2",
        }
    }

    /// `/rest/api/{3|2}/{rest}`.
    fn api(&self, rest: &str) -> String {
        format!("/rest/api/{}/{rest}", self.version())
    }

    /// Sends a request built for a base URL, with auth, renewing an OAuth token once on 401.
    fn call(&self, what: &str, build: impl Fn(&str) -> Request) -> Result<Response, ApiError> {
        let send = |grant: &Grant| {
            let req = build(&grant.base)
                .header("Authorization", grant.header.expose())
                .header("Accept", "application/json");
            self.http.send(Service::Jira, what, &req)
        };
        let result = self.auth.grant(self.http, &self.site).and_then(|grant| {
            match send(&grant) {
                // An OAuth token can expire or be revoked early: renew once and resend.
                Err(unauthorized @ ApiError::Unauthorized { .. }) => {
                    match self.auth.renew(self.http, &grant) {
                        Some(Ok(fresh)) => send(&fresh),
                        Some(Err(e)) => Err(e),
                        None => Err(unauthorized),
                    }
                }
                other => other,
            }
        });
        result.map_err(|e| self.scrub(e))
    }

    fn get(&self, what: &str, path_and_query: &str) -> Result<Response, ApiError> {
        self.call(what, |base| Request::get(format!("{base}{path_and_query}")))
    }

    fn post(&self, what: &str, path: &str, body: &Value, call: Call) -> Result<Response, ApiError> {
        self.call(what, |base| {
            Request::post_json(format!("{base}{path}"), body, call)
        })
    }

    /// `GET /rest/api/2/serverInfo` (both products serve v2 here; DC has no v3).
    pub fn server_info(&self) -> Result<ServerInfo, ApiError> {
        self.get("server info", "/rest/api/2/serverInfo")?
            .json(Service::Jira, "serverInfo")
    }

    pub fn myself(&self) -> Result<Myself, ApiError> {
        self.get("myself", &self.api("myself"))?
            .json(Service::Jira, "myself")
    }

    pub fn project(&self, key: &str) -> Result<Project, ApiError> {
        let what = format!("project {key}");
        self.get(&what, &self.api(&format!("project/{}", enc(key))))?
            .json(Service::Jira, &what)
    }

    /// Which of `permissions` the caller has in `project`, by permission key.
    pub fn my_permissions(
        &self,
        project: &str,
        permissions: &[&str],
    ) -> Result<BTreeMap<String, bool>, ApiError> {
        #[derive(Deserialize)]
        struct Perm {
            #[serde(rename = "havePermission", default)]
            have: bool,
        }
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            permissions: BTreeMap<String, Perm>,
        }
        let path = self.api(&format!(
            "mypermissions?projectKey={}&permissions={}",
            enc(project),
            enc(&permissions.join(","))
        ));
        let answer: Answer = self
            .get(&format!("permissions in {project}"), &path)?
            .json(Service::Jira, "mypermissions")?;
        Ok(permissions
            .iter()
            .map(|p| {
                let have = answer.permissions.get(*p).is_some_and(|x| x.have);
                (p.to_string(), have)
            })
            .collect())
    }

    /// Issue types that can be created in `project` (createmeta; Cloud lists them under
    /// `issueTypes`, DC under `values`).
    pub fn issue_types(&self, project: &str) -> Result<Vec<IssueType>, ApiError> {
        let path = self.api(&format!(
            "issue/createmeta/{}/issuetypes?maxResults=200",
            enc(project)
        ));
        let v: Value = self
            .get(&format!("issue types of {project}"), &path)?
            .json(Service::Jira, "createmeta issue types")?;
        list_under(&v, &["issueTypes", "values"], "createmeta issue types")
    }

    /// The create-screen fields of one issue type (Cloud `fields`, DC `values`).
    pub fn create_meta(
        &self,
        project: &str,
        issue_type_id: &str,
    ) -> Result<Vec<FieldMeta>, ApiError> {
        let path = self.api(&format!(
            "issue/createmeta/{}/issuetypes/{}?maxResults=200",
            enc(project),
            enc(issue_type_id)
        ));
        let v: Value = self
            .get(&format!("fields of issue type {issue_type_id}"), &path)?
            .json(Service::Jira, "createmeta fields")?;
        list_under(&v, &["fields", "values"], "createmeta fields")
    }

    pub fn link_types(&self) -> Result<Vec<LinkType>, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(rename = "issueLinkTypes", default)]
            types: Vec<LinkType>,
        }
        let a: Answer = self
            .get("issue link types", &self.api("issueLinkType"))?
            .json(Service::Jira, "issueLinkType")?;
        Ok(a.types)
    }

    /// Every issue `jql` matches, all pages. On Cloud, `reconcile` ids (≤50 used) are made
    /// read-after-write consistent; DC search is not eventually consistent and has no such knob.
    pub fn search(&self, jql: &str, reconcile: &[u64]) -> Result<Vec<Issue>, ApiError> {
        match self.product {
            Product::Cloud => self.search_cloud(jql, reconcile),
            Product::Dc => self.search_dc(jql),
        }
    }

    fn search_cloud(&self, jql: &str, reconcile: &[u64]) -> Result<Vec<Issue>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            issues: Vec<RawIssue>,
            #[serde(default)]
            next_page_token: Option<String>,
            #[serde(default)]
            is_last: Option<bool>,
        }
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut body = json!({
                "jql": jql,
                "fields": SEARCH_FIELDS,
                "maxResults": PAGE_SIZE,
            });
            if !reconcile.is_empty() {
                body["reconcileIssues"] = json!(&reconcile[..reconcile.len().min(MAX_RECONCILE)]);
            }
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let page: Page = self
                .post("search", &self.api("search/jql"), &body, Call::Read)?
                .json(Service::Jira, "search")?;
            for raw in page.issues {
                out.push(raw.into_issue()?);
            }
            match page.next_page_token {
                Some(next) if page.is_last != Some(true) && Some(&next) != token.as_ref() => {
                    token = Some(next)
                }
                _ => return Ok(out),
            }
        }
        Ok(out)
    }

    fn search_dc(&self, jql: &str) -> Result<Vec<Issue>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            issues: Vec<RawIssue>,
            #[serde(default)]
            total: Option<usize>,
        }
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let body = json!({
                "jql": jql,
                "fields": SEARCH_FIELDS,
                "maxResults": PAGE_SIZE,
                "startAt": out.len(),
            });
            let page: Page = self
                .post("search", &self.api("search"), &body, Call::Read)?
                .json(Service::Jira, "search")?;
            let got = page.issues.len();
            for raw in page.issues {
                out.push(raw.into_issue()?);
            }
            if got == 0 || page.total.is_none_or(|t| out.len() >= t) {
                return Ok(out);
            }
        }
        Ok(out)
    }

    /// The issue type of each of `keys` (at most 100), by one search `key in (…)` with
    /// `fields: ["issuetype"]` (Cloud `search/jql`, DC `search`). A key that does not exist or
    /// cannot be seen fails the whole search with 400 naming it (xray-api.md §7); the caller
    /// (`xray::keys::check_with`) drops it and asks again.
    pub fn issue_types_of(&self, keys: &[String]) -> Result<Vec<(String, String)>, ApiError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            issues: Vec<Hit>,
        }
        #[derive(Deserialize)]
        struct Hit {
            key: String,
            #[serde(default)]
            fields: Option<HitFields>,
        }
        #[derive(Deserialize)]
        struct HitFields {
            issuetype: Option<Named>,
        }
        #[derive(Deserialize)]
        struct Named {
            name: Option<String>,
        }
        let valid: Vec<&str> = keys
            .iter()
            .filter(|k| crate::model::identity::IssueKey::parse(k).is_some())
            .map(String::as_str)
            .collect();
        if valid.is_empty() {
            return Ok(Vec::new());
        }
        let body = json!({
            "jql": format!("key in ({})", valid.join(",")),
            "fields": ["issuetype"],
            "maxResults": 100,
        });
        let path = match self.product() {
            Product::Cloud => self.api("search/jql"),
            Product::Dc => self.api("search"),
        };
        let page: Page = self
            .post("key lookup", &path, &body, Call::Read)?
            .json(Service::Jira, "key lookup")?;
        Ok(page
            .issues
            .into_iter()
            .map(|h| {
                let t = h
                    .fields
                    .and_then(|f| f.issuetype)
                    .and_then(|t| t.name)
                    .unwrap_or_default();
                (h.key, t)
            })
            .collect())
    }

    /// `POST /rest/api/{v}/issue` with `{"fields": fields}`. Never resent blindly: an ambiguous
    /// failure comes back as `Network { maybe_applied: true }` or a 502–504 `Server` error, and
    /// the caller searches before creating again.
    pub fn create_issue(&self, fields: &Value) -> Result<Created, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            id: String,
            key: String,
        }
        let a: Answer = self
            .post(
                "create issue",
                &self.api("issue"),
                &json!({ "fields": fields }),
                Call::Create,
            )?
            .json(Service::Jira, "created issue")?;
        let id = a.id.parse().map_err(|_| ApiError::BadResponse {
            service: Service::Jira,
            detail: format!("created issue has a non-numeric id {:?}", a.id),
        })?;
        Ok(Created { id, key: a.key })
    }

    /// `PUT /rest/api/{v}/issue/{key}` with `{"fields":{"summary"}}` (204). Setting the same
    /// summary twice is harmless, so it is a `Read` for the retry policy.
    pub fn set_summary(&self, key: &str, summary: &str) -> Result<(), ApiError> {
        let path = self.api(&format!("issue/{}", enc(key)));
        let body = json!({ "fields": { "summary": summary } });
        self.call(&format!("title of {key}"), |base| {
            Request::post_json(format!("{base}{path}"), &body, Call::Read).method("PUT")
        })
        .map(|_| ())
    }

    /// One issue by key (strongly consistent, unlike search).
    pub fn get_issue(&self, key: &str) -> Result<Issue, ApiError> {
        let path = self.api(&format!(
            "issue/{}?fields={}",
            enc(key),
            SEARCH_FIELDS.join(",")
        ));
        let raw: RawIssue = self
            .get(&format!("issue {key}"), &path)?
            .json(Service::Jira, "issue")?;
        raw.into_issue()
    }

    /// The plain text of the issue's most recent comments (newest first, one page). A re-run
    /// of the same CI run comments minutes later, so its marker is always on this page; older
    /// history never needs reading, which keeps issues near the 5,000-comment cap cheap.
    pub fn recent_comments(&self, key: &str) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct Comment {
            #[serde(default)]
            body: Value,
        }
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            comments: Vec<Comment>,
        }
        let path = self.api(&format!(
            "issue/{}/comment?orderBy=-created&maxResults=50",
            enc(key)
        ));
        let a: Answer = self
            .get(&format!("comments of {key}"), &path)?
            .json(Service::Jira, "comments")?;
        Ok(a.comments.iter().map(|c| plain_text(&c.body)).collect())
    }

    /// Adds a comment (`body` is ADF on Cloud, a wiki string on DC).
    pub fn add_comment(&self, key: &str, body: &Value) -> Result<(), ApiError> {
        self.post(
            &format!("comment on {key}"),
            &self.api(&format!("issue/{}/comment", enc(key))),
            &json!({ "body": body }),
            Call::Create,
        )
        .map(|_| ())
    }

    /// Sets `fields` of `key` (`PUT /rest/api/{3|2}/issue/{key}` → 204). Setting the same
    /// values twice leaves the same issue, so this is safe to resend.
    pub fn set_fields(&self, key: &str, fields: &Value) -> Result<(), ApiError> {
        let path = self.api(&format!("issue/{}", enc(key)));
        self.call(&format!("update {key}"), |base| {
            Request::post_json(
                format!("{base}{path}"),
                &json!({ "fields": fields }),
                Call::Read,
            )
            .method("PUT")
        })
        .map(|_| ())
    }

    /// Replaces label `remove` with `add` on `key` in one request, without reading the labels
    /// first: `PUT /rest/api/{3|2}/issue/{key}` with `{"update":{"labels":[{"add"},{"remove"}]}}`
    /// → 204 (docs/jira-api.md §3.3; the `update` verbs add/remove are Jira's "operation based
    /// update", developer.atlassian.com "Updating an Issue via the JIRA REST APIs"). Applying
    /// it twice leaves the same labels, so it is safe to resend.
    pub fn swap_label(&self, key: &str, remove: &str, add: &str) -> Result<(), ApiError> {
        let path = self.api(&format!("issue/{}", enc(key)));
        let body = json!({ "update": { "labels": [ { "add": add }, { "remove": remove } ] } });
        self.call(&format!("labels of {key}"), |base| {
            Request::post_json(format!("{base}{path}"), &body, Call::Read).method("PUT")
        })
        .map(|_| ())
    }

    /// Links two issues: the result reads "`inward` <outward phrase> `outward`" (for
    /// `Duplicate`: inward duplicates outward). Re-posting an existing link does not duplicate
    /// it, so this is safe to resend.
    ///
    /// `link_type` is resolved against the site's link types first (read once a client): Jira
    /// takes only a type's name (`No issue link type with name '…' found.`, jira-api.md §4.3),
    /// and config may name it by a phrase (`tests`, `is tested by`) or in another case, as
    /// `doctor` accepts; names vary by site (Xray's is often `Test`). A name matches before a
    /// phrase. When the types cannot be read, or none matches, the configured text is sent.
    pub fn link(&self, link_type: &str, inward: &str, outward: &str) -> Result<(), ApiError> {
        let types = self.link_types.get_or_init(|| self.link_types().ok());
        let link_type = types
            .as_deref()
            .and_then(|ts| {
                ts.iter()
                    .find(|t| t.name == link_type)
                    .or_else(|| ts.iter().find(|t| t.matches(link_type)))
            })
            .map_or(link_type, |t| t.name.as_str());
        let body = json!({
            "type": {"name": link_type},
            "inwardIssue": {"key": inward},
            "outwardIssue": {"key": outward},
        });
        self.post(
            &format!("{link_type} link {inward} → {outward}"),
            &self.api("issueLink"),
            &body,
            Call::Read,
        )
        .map(|_| ())
    }

    pub fn transitions(&self, key: &str) -> Result<Vec<Transition>, ApiError> {
        #[derive(Deserialize)]
        struct Category {
            #[serde(default)]
            key: String,
        }
        #[derive(Deserialize)]
        struct To {
            #[serde(default)]
            name: String,
            #[serde(rename = "statusCategory")]
            category: Option<Category>,
        }
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            #[serde(default)]
            name: String,
            to: Option<To>,
            /// With `expand=transitions.fields`: the fields of the transition's screen, read as
            /// plain JSON (other fields' shapes vary: options, users, strings).
            #[serde(default)]
            fields: BTreeMap<String, Value>,
        }
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            transitions: Vec<Raw>,
        }
        let a: Answer = self
            .get(
                &format!("transitions of {key}"),
                &self.api(&format!(
                    "issue/{}/transitions?expand=transitions.fields",
                    enc(key)
                )),
            )?
            .json(Service::Jira, "transitions")?;
        Ok(a.transitions
            .into_iter()
            .map(|mut t| {
                let (to_status, to_category) = match t.to {
                    Some(to) => (to.name, to.category.map(|c| c.key).unwrap_or_default()),
                    None => (String::new(), String::new()),
                };
                let resolutions = t.fields.remove("resolution").map(|f| {
                    f["allowedValues"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v["name"].as_str().map(str::to_string))
                        .collect()
                });
                Transition {
                    id: t.id,
                    name: t.name,
                    to_status,
                    to_category,
                    resolutions,
                }
            })
            .collect())
    }

    /// Performs transition `id`, setting the Resolution when given (only valid when the field
    /// is on the transition's screen, jira-api.md §4.2). Not resent blindly: a retried
    /// transition that already happened fails as invalid, so callers re-read the issue instead.
    pub fn transition(
        &self,
        key: &str,
        id: &str,
        resolution: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut body = json!({"transition": {"id": id}});
        if let Some(name) = resolution {
            body["fields"] = json!({"resolution": {"name": name}});
        }
        self.post(
            &format!("transition of {key}"),
            &self.api(&format!("issue/{}/transitions", enc(key))),
            &body,
            Call::Create,
        )
        .map(|_| ())
    }
}

#[derive(Deserialize)]
struct RawIssue {
    id: String,
    key: String,
    #[serde(default)]
    fields: RawFields,
}

#[derive(Deserialize, Default)]
struct RawFields {
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    status: Option<RawStatus>,
    #[serde(default)]
    resolutiondate: Option<String>,
    #[serde(default)]
    statuscategorychangedate: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize)]
struct RawStatus {
    #[serde(default)]
    name: String,
    #[serde(rename = "statusCategory")]
    category: Option<RawCategory>,
}

#[derive(Deserialize)]
struct RawCategory {
    #[serde(default)]
    key: String,
}

impl RawIssue {
    fn into_issue(self) -> Result<Issue, ApiError> {
        let id = self.id.parse().map_err(|_| ApiError::BadResponse {
            service: Service::Jira,
            detail: format!("issue {} has a non-numeric id {:?}", self.key, self.id),
        })?;
        let (status, status_category) = match self.fields.status {
            Some(s) => (s.name, s.category.map(|c| c.key).unwrap_or_default()),
            None => (String::new(), String::new()),
        };
        let resolved = match self.fields.resolutiondate.as_deref().and_then(parse_time) {
            None if status_category.eq_ignore_ascii_case("done") => self
                .fields
                .statuscategorychangedate
                .as_deref()
                .and_then(parse_time),
            resolved => resolved,
        };
        Ok(Issue {
            id,
            key: self.key,
            labels: self.fields.labels,
            status,
            status_category,
            resolved,
            summary: self.fields.summary.unwrap_or_default(),
        })
    }
}

/// Jira's timestamps: `2026-11-22T10:00:00.000+0000` (no colon in the offset), or RFC 3339.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let jira = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(s, jira)
        .or_else(|_| OffsetDateTime::parse(s, &Rfc3339))
        .ok()
}

/// The text of a comment body: a wiki string as is, an ADF document's text nodes joined.
pub fn plain_text(body: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(t)) = map.get("text") {
                    out.push_str(t);
                }
                if let Some(content) = map.get("content") {
                    walk(content, out);
                    out.push('\n');
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    match body {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            walk(other, &mut out);
            out
        }
    }
}

fn list_under<T: serde::de::DeserializeOwned>(
    v: &Value,
    keys: &[&str],
    what: &str,
) -> Result<Vec<T>, ApiError> {
    let list = keys
        .iter()
        .find_map(|k| v.get(*k))
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    serde_json::from_value(list).map_err(|e| ApiError::BadResponse {
        service: Service::Jira,
        detail: format!("{what}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_timestamps_parse() {
        let t = parse_time("2026-11-22T10:00:00.000+0000").unwrap();
        assert_eq!(t, time::macros::datetime!(2026-11-22 10:00 UTC));
        let t = parse_time("2026-11-22T12:00:00.123+0200").unwrap();
        assert_eq!(
            t.unix_timestamp(),
            time::macros::datetime!(2026-11-22 10:00 UTC).unix_timestamp()
        );
        assert!(parse_time("2026-11-22T10:00:00Z").is_some());
        assert!(parse_time("yesterday").is_none());
    }

    /// A Done issue without a resolution date (its Done transition set no Resolution) is
    /// resolved when it entered Done, as Cloud tells it; an open one never is.
    #[test]
    fn resolved_falls_back_to_the_status_category_change_for_done_issues() {
        let read = |category: &str, resolutiondate: Value| {
            let raw: RawIssue = serde_json::from_value(json!({
                "id": "1", "key": "BUG-1",
                "fields": {
                    "status": {"name": "Closed", "statusCategory": {"key": category}},
                    "resolutiondate": resolutiondate,
                    "statuscategorychangedate": "2026-11-20T10:00:00.000+0000"
                }
            }))
            .unwrap();
            raw.into_issue().unwrap().resolved
        };
        let changed = Some(time::macros::datetime!(2026-11-20 10:00 UTC));
        assert_eq!(read("done", Value::Null), changed);
        assert_eq!(
            read("done", json!("2026-11-01T10:00:00.000+0000")),
            Some(time::macros::datetime!(2026-11-01 10:00 UTC))
        );
        assert_eq!(read("indeterminate", Value::Null), None);
    }

    #[test]
    fn adf_and_wiki_bodies_read_as_text() {
        let adf = json!({"type":"doc","version":1,"content":[
            {"type":"paragraph","content":[{"type":"text","text":"run "},{"type":"text","text":"gh-1/2"}]}]});
        assert!(plain_text(&adf).contains("run gh-1/2"));
        assert_eq!(plain_text(&json!("wiki *x*")), "wiki *x*");
    }

    #[test]
    fn link_type_matches_name_or_phrase() {
        let t = LinkType {
            id: "5".into(),
            name: "Test".into(),
            inward: "is tested by".into(),
            outward: "tests".into(),
        };
        assert!(t.matches("test"));
        assert!(t.matches("Tests"));
        assert!(t.matches(" is tested by "));
        assert!(!t.matches("Defect"));
    }

    #[test]
    fn scrub_reaches_every_text_field() {
        let sec = Secret::from("s3cr3t-value");
        let e = ApiError::Network {
            service: Service::Jira,
            url: "http://h/s3cr3t-value".into(),
            detail: "echo s3cr3t-value".into(),
            maybe_applied: true,
        };
        let text = e.scrubbed(&[&sec]).to_string();
        assert!(!text.contains("s3cr3t-value"), "{text}");
    }
}
