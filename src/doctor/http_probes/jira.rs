//! The Jira probe, on the site URL or through the OAuth gateway
//! (`{api_url}/ex/jira/{cloudId}`). Duplicates calls `jira::client` will own.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request, Response};
use crate::secret::Secret;
use crate::settings::{JiraAuth, JiraSettings, Product};

use super::super::probes::{
    Closed, FieldMeta, Identity, IssueTypeLookup, IssueTypeRef, JiraProbe, JiraProject, LinkType,
    SearchAnswer, ServerAnswer, ServerInfo, TestIssue,
};
use super::{basic, dc_header, enc, read};

pub(super) struct JiraHttp {
    http: Http,
    site: String,
    product: Product,
    auth: JiraAuth,
    /// API root and Authorization header, once known (OAuth needs a token exchange first).
    session: Option<(String, String)>,
}

impl JiraHttp {
    pub(super) fn new(http: Http, j: &JiraSettings) -> Self {
        JiraHttp {
            http,
            site: j.url.trim_end_matches('/').to_string(),
            product: j.product,
            auth: j.auth.clone(),
            session: None,
        }
    }

    fn api(&self) -> &'static str {
        match self.product {
            Product::Cloud => "3",
            Product::Dc => "2",
        }
    }

    /// The gateway URL (`…/ex/jira/{cloudId}`) needs a token on every call, even serverInfo.
    fn site_is_gateway(&self) -> bool {
        self.site.contains("/ex/jira/")
    }

    fn session(&mut self) -> Result<(String, String), ApiError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        let s = match &self.auth {
            JiraAuth::CloudToken { email, token } => (self.site.clone(), basic(email, token)),
            JiraAuth::Dc(a) => (self.site.clone(), dc_header(a)),
            JiraAuth::CloudOAuth {
                client_id,
                client_secret,
                auth_url,
                api_url,
            } => self.oauth(client_id, client_secret, auth_url, api_url)?,
        };
        self.session = Some(s.clone());
        Ok(s)
    }

    fn oauth(
        &self,
        client_id: &str,
        client_secret: &Secret,
        auth_url: &str,
        api_url: &str,
    ) -> Result<(String, String), ApiError> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        #[derive(Deserialize)]
        struct Resource {
            id: String,
            #[serde(default)]
            url: String,
        }
        let auth_url = auth_url.trim_end_matches('/');
        let api_url = api_url.trim_end_matches('/');
        let req = Request::post_json(
            format!("{auth_url}/oauth/token"),
            &json!({
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret.expose(),
                "audience": "api.atlassian.com",
            }),
            Call::Read,
        );
        let svc = Service::AtlassianAuth;
        let token: Token = read(&self.http, svc, "OAuth token", &req)?.json(svc, "OAuth token")?;
        let bearer = format!("Bearer {}", token.access_token);
        let req = Request::get(format!("{api_url}/oauth/token/accessible-resources"))
            .header("Authorization", &bearer);
        let sites: Vec<Resource> = read(&self.http, svc, "accessible resources", &req)?
            .json(svc, "accessible resources")?;
        if sites.is_empty() {
            return Err(ApiError::Forbidden {
                service: svc,
                what: "accessible resources".into(),
                detail: "the credential reaches no Jira site (no site access or no scopes)".into(),
            });
        }
        let host = |u: &str| {
            u.split_once("://")
                .map_or(u, |(_, r)| r)
                .trim_end_matches('/')
                .to_ascii_lowercase()
        };
        let site = sites
            .iter()
            .find(|s| host(&s.url) == host(&self.site))
            .or_else(|| (sites.len() == 1).then(|| &sites[0]))
            .ok_or_else(|| ApiError::NotFound {
                service: svc,
                what: format!("site {}", self.site),
                detail: format!(
                    "the credential reaches {}",
                    sites
                        .iter()
                        .map(|s| s.url.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
        Ok((format!("{api_url}/ex/jira/{}", site.id), bearer))
    }

    fn get<T: DeserializeOwned>(&mut self, what: &str, path: &str) -> Result<T, ApiError> {
        let (root, auth) = self.session()?;
        let req = Request::get(format!("{root}/rest/api/{}{path}", self.api()))
            .header("Authorization", auth);
        read(&self.http, Service::Jira, what, &req)?.json(Service::Jira, what)
    }

    fn post(
        &mut self,
        what: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Response, ApiError> {
        let (root, auth) = self.session()?;
        let req = Request::post_json(
            format!("{root}/rest/api/{}{path}", self.api()),
            body,
            Call::Create,
        )
        .header("Authorization", auth);
        self.http.send(Service::Jira, what, &req)
    }
}

#[derive(Deserialize)]
pub(super) struct IssueTypeJson {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) subtask: bool,
}

impl From<IssueTypeJson> for IssueTypeRef {
    fn from(t: IssueTypeJson) -> Self {
        IssueTypeRef {
            id: t.id,
            name: t.name,
            subtask: t.subtask,
        }
    }
}

impl JiraProbe for JiraHttp {
    fn server_info(&mut self) -> Result<ServerAnswer, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Info {
            base_url: Option<String>,
            version: Option<String>,
            #[serde(default)]
            version_numbers: Vec<u32>,
            deployment_type: Option<String>,
            server_title: Option<String>,
        }
        // Anonymous on a site URL, so a bad credential shows up at jira.myself, not here.
        let mut req = Request::get(format!("{}/rest/api/2/serverInfo", self.site));
        if self.site_is_gateway() {
            let (_, auth) = self.session()?;
            req = req.header("Authorization", auth);
        }
        let what = "serverInfo";
        let resp = match self.http.send_once(Service::Jira, &req) {
            Ok(r) if (300..400).contains(&r.status) => {
                return Ok(ServerAnswer::Redirect {
                    status: r.status,
                    location: r.header("location").unwrap_or("?").to_string(),
                });
            }
            Ok(r) if r.is_html() => return Ok(ServerAnswer::Html { status: r.status }),
            Ok(r) if r.is_success() => r,
            Ok(_) | Err(_) => read(&self.http, Service::Jira, what, &req)?,
        };
        if resp.is_html() {
            return Ok(ServerAnswer::Html {
                status: resp.status,
            });
        }
        let i: Info = resp.json(Service::Jira, what)?;
        Ok(ServerAnswer::Info(ServerInfo {
            base_url: i.base_url,
            version: i.version,
            version_numbers: i.version_numbers,
            deployment_type: i.deployment_type,
            server_title: i.server_title,
        }))
    }

    fn search_endpoint(
        &mut self,
        product: Product,
        project: &str,
    ) -> Result<SearchAnswer, ApiError> {
        let path = match product {
            Product::Cloud => "/rest/api/3/search/jql",
            Product::Dc => "/rest/api/2/search",
        };
        let escaped = project.replace('\\', "\\\\").replace('"', "\\\"");
        let mut req = Request::post_json(
            format!("{}{path}", self.site),
            &json!({ "jql": format!("project = \"{escaped}\""), "maxResults": 1, "fields": ["id"] }),
            Call::Read,
        );
        if self.site_is_gateway() {
            let (_, auth) = self.session()?;
            req = req.header("Authorization", auth);
        }
        let resp = self
            .http
            .send_once(Service::Jira, &req)
            .map_err(|(_, e)| e)?;
        let detail = crate::http::detail_of(&resp.body);
        Ok(match resp.status {
            403 if detail.contains("XSRF") => SearchAnswer::XsrfRejected { detail },
            404 | 410 if !resp.is_html() => SearchAnswer::Gone {
                path: path.to_string(),
                status: resp.status,
                detail,
            },
            _ => SearchAnswer::Available {
                path: path.to_string(),
            },
        })
    }

    fn myself(&mut self) -> Result<Identity, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Me {
            account_id: Option<String>,
            name: Option<String>,
            key: Option<String>,
            display_name: Option<String>,
            email_address: Option<String>,
        }
        let me: Me = self.get("myself", "/myself")?;
        Ok(Identity {
            account: me
                .account_id
                .or(me.name)
                .or(me.key)
                .unwrap_or_else(|| "(unknown account)".into()),
            display_name: me.display_name,
            email: me.email_address,
        })
    }

    fn project(&mut self, key: &str) -> Result<JiraProject, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct P {
            id: String,
            key: String,
            name: String,
            #[serde(default)]
            issue_types: Vec<IssueTypeJson>,
        }
        let p: P = self.get(&format!("project {key}"), &format!("/project/{}", enc(key)))?;
        Ok(JiraProject {
            id: p.id,
            key: p.key,
            name: p.name,
            issue_types: p.issue_types.into_iter().map(Into::into).collect(),
        })
    }

    fn missing_permissions(
        &mut self,
        project: &str,
        wanted: &[&str],
    ) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            permissions: std::collections::HashMap<String, Perm>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Perm {
            #[serde(default)]
            have_permission: bool,
        }
        let a: Answer = self.get(
            &format!("permissions in {project}"),
            &format!(
                "/mypermissions?projectKey={}&permissions={}",
                enc(project),
                wanted.join(",")
            ),
        )?;
        Ok(wanted
            .iter()
            .filter(|p| !a.permissions.get(**p).is_some_and(|x| x.have_permission))
            .map(|p| p.to_string())
            .collect())
    }

    fn issue_type(&mut self, project: &str, name: &str) -> Result<IssueTypeLookup, ApiError> {
        // Cloud lists under `issueTypes`/`fields`, DC under `values`.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Types {
            #[serde(default)]
            issue_types: Vec<IssueTypeJson>,
            #[serde(default)]
            values: Vec<IssueTypeJson>,
        }
        #[derive(Deserialize)]
        struct Fields {
            #[serde(default)]
            fields: Vec<FieldJson>,
            #[serde(default)]
            values: Vec<FieldJson>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct FieldJson {
            field_id: String,
            #[serde(default)]
            name: String,
            #[serde(default)]
            required: bool,
            #[serde(default)]
            has_default_value: bool,
        }
        let p = enc(project);
        let t: Types = self.get(
            &format!("issue types of {project}"),
            &format!("/issue/createmeta/{p}/issuetypes?maxResults=200"),
        )?;
        let mut types: Vec<IssueTypeJson> = t.issue_types;
        types.extend(t.values);
        let Some(pos) = types.iter().position(|t| t.name.eq_ignore_ascii_case(name)) else {
            return Ok(IssueTypeLookup::Missing {
                available: types
                    .into_iter()
                    .filter(|t| !t.subtask)
                    .map(|t| t.name)
                    .collect(),
            });
        };
        let found: IssueTypeRef = types.swap_remove(pos).into();
        let f: Fields = self.get(
            &format!("fields of {} in {project}", found.name),
            &format!(
                "/issue/createmeta/{p}/issuetypes/{}?maxResults=200",
                enc(&found.id)
            ),
        )?;
        let fields = f
            .fields
            .into_iter()
            .chain(f.values)
            .map(|f| FieldMeta {
                id: f.field_id,
                name: f.name,
                required: f.required,
                has_default: f.has_default_value,
            })
            .collect();
        Ok(IssueTypeLookup::Found {
            issue_type: found,
            fields,
        })
    }

    fn link_types(&mut self) -> Result<Vec<LinkType>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            #[serde(default)]
            issue_link_types: Vec<LinkJson>,
        }
        #[derive(Deserialize)]
        struct LinkJson {
            name: String,
            #[serde(default)]
            inward: String,
            #[serde(default)]
            outward: String,
        }
        let a: Answer = self.get("issue link types", "/issueLinkType")?;
        Ok(a.issue_link_types
            .into_iter()
            .map(|l| LinkType {
                name: l.name,
                inward: l.inward,
                outward: l.outward,
            })
            .collect())
    }

    fn create_issue(&mut self, issue: &TestIssue) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Created {
            key: String,
        }
        // Cloud v3 takes ADF for the description; DC v2 a wiki-markup string.
        let description = match self.product {
            Product::Cloud => json!({"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": issue.description}]}
            ]}),
            Product::Dc => json!(issue.description),
        };
        let body = json!({"fields": {
            "project": {"key": issue.project},
            "issuetype": {"id": issue.issue_type_id},
            "summary": issue.summary,
            "labels": issue.labels,
            "description": description,
        }});
        let resp = self.post("create test issue", "/issue", &body)?;
        let created: Created = resp.json(Service::Jira, "create test issue")?;
        Ok(created.key)
    }

    fn close_issue(&mut self, key: &str) -> Result<Closed, ApiError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            transitions: Vec<T>,
        }
        #[derive(Deserialize)]
        struct T {
            id: String,
            name: String,
            to: To,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct To {
            status_category: Option<Category>,
        }
        #[derive(Deserialize)]
        struct Category {
            key: String,
        }
        let path = format!("/issue/{}/transitions", enc(key));
        let a: Answer = self.get(&format!("transitions of {key}"), &path)?;
        let done = a.transitions.into_iter().find(|t| {
            t.to.status_category
                .as_ref()
                .is_some_and(|c| c.key == "done")
        });
        let Some(t) = done else {
            return Ok(Closed::NoDoneTransition);
        };
        self.post(
            &format!("transition {key}"),
            &path,
            &json!({"transition": {"id": t.id}}),
        )?;
        Ok(Closed::Transitioned { name: t.name })
    }
}
