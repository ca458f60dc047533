//! Xray probes: Cloud (token exchange, GraphQL) and Data Center (raven REST with the Jira
//! credentials). Duplicates calls `xray::cloud` / `xray::server` will own.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request};
use crate::secret::Secret;

use super::super::probes::{Licence, PlanLookup, XrayAccess, XrayProbe, XrayProject};
use super::jira::IssueTypeJson;
use super::{enc, read};

pub(super) struct Cloud {
    http: Http,
    base: String,
    client_id: String,
    client_secret: Secret,
    token: Option<String>,
}

#[derive(Deserialize)]
struct Gql<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GqlError>,
}

#[derive(Deserialize)]
struct GqlError {
    message: String,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

impl Cloud {
    pub(super) fn new(http: Http, base: String, client_id: &str, client_secret: &Secret) -> Self {
        Cloud {
            http,
            base,
            client_id: client_id.to_string(),
            client_secret: client_secret.clone(),
            token: None,
        }
    }

    fn token(&mut self) -> Result<String, ApiError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        self.authenticate()?;
        self.token.clone().ok_or_else(|| ApiError::BadResponse {
            service: Service::Xray,
            detail: "authenticate returned no token".into(),
        })
    }

    /// GraphQL answers errors with HTTP 200 and an `errors` array; those become `ApiError`s.
    fn graphql<T: DeserializeOwned>(
        &mut self,
        what: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<T, ApiError> {
        let token = self.token()?;
        let req = Request::post_json(
            format!("{}/api/v2/graphql", self.base),
            &json!({ "query": query, "variables": variables }),
            Call::Read,
        )
        .header("Authorization", format!("Bearer {token}"));
        let resp = read(&self.http, Service::Xray, what, &req)?;
        let body: Gql<T> = resp.json(Service::Xray, what)?;
        if !body.errors.is_empty() {
            let detail = body
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let lower = detail.to_ascii_lowercase();
            return Err(if lower.contains("another region") {
                ApiError::WrongRegion { detail }
            } else if lower.contains("does not exist") || lower.contains("not found") {
                ApiError::NotFound {
                    service: Service::Xray,
                    what: what.to_string(),
                    detail,
                }
            } else {
                ApiError::BadResponse {
                    service: Service::Xray,
                    detail: format!("{what}: {detail}"),
                }
            });
        }
        body.data.ok_or_else(|| ApiError::BadResponse {
            service: Service::Xray,
            detail: format!("{what}: no data in the GraphQL answer"),
        })
    }
}

impl XrayProbe for Cloud {
    fn authenticate(&mut self) -> Result<XrayAccess, ApiError> {
        // The body is the token as a JSON string literal, quotes included.
        let req = Request::post_json(
            format!("{}/api/v2/authenticate", self.base),
            &json!({ "client_id": self.client_id, "client_secret": self.client_secret.expose() }),
            Call::Read,
        );
        let resp = read(&self.http, Service::Xray, "authenticate", &req)?;
        let token: String = resp.json(Service::Xray, "authenticate")?;
        if token.trim().is_empty() {
            return Err(ApiError::BadResponse {
                service: Service::Xray,
                detail: "authenticate returned an empty token".into(),
            });
        }
        self.token = Some(token);
        Ok(XrayAccess {
            detail: format!("API key accepted by {}", self.base),
            licence: None,
        })
    }

    fn project(&mut self, key: &str) -> Result<XrayProject, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_project_settings: Option<Settings>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Settings {
            #[serde(default)]
            test_environments: Option<Vec<String>>,
            test_type_settings: Option<TypeSettings>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TypeSettings {
            #[serde(default)]
            test_types: Vec<Named>,
        }
        let what = format!("project {key}");
        let data: Data = self.graphql(
            &what,
            "query($p: String) { getProjectSettings(projectIdOrKey: $p) { projectId testEnvironments testTypeSettings { testTypes { name } } } }",
            json!({ "p": key }),
        )?;
        let s = data.get_project_settings.ok_or(ApiError::NotFound {
            service: Service::Xray,
            what,
            detail: String::new(),
        })?;
        Ok(XrayProject {
            issue_types: None,
            test_types: s
                .test_type_settings
                .map(|t| t.test_types.into_iter().map(|n| n.name).collect())
                .unwrap_or_default(),
            environments: Some(s.test_environments.unwrap_or_default()),
        })
    }

    fn test_plan(&mut self, key: &str) -> Result<PlanLookup, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            get_test_plans: Option<Page>,
        }
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            total: usize,
        }
        // A JQL naming a key that does not exist is an error; one that exists but is not a
        // Test Plan simply matches no plan.
        let data: Data = self.graphql(
            &format!("test plan {key}"),
            "query($jql: String) { getTestPlans(jql: $jql, limit: 1) { total results { issueId } } }",
            json!({ "jql": format!("key = \"{key}\"") }),
        )?;
        Ok(match data.get_test_plans {
            Some(p) if p.total > 0 => PlanLookup::TestPlan,
            Some(_) | None => PlanLookup::Other { issue_type: None },
        })
    }

    fn statuses(&mut self) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            #[serde(default)]
            get_statuses: Vec<Named>,
        }
        let data: Data = self.graphql("statuses", "{ getStatuses { name } }", json!({}))?;
        Ok(data.get_statuses.into_iter().map(|n| n.name).collect())
    }
}

pub(super) struct Dc {
    http: Http,
    base: String,
    auth: String,
}

impl Dc {
    pub(super) fn new(http: Http, base: String, auth: String) -> Self {
        Dc { http, base, auth }
    }

    fn get<T: DeserializeOwned>(&self, what: &str, path: &str) -> Result<T, ApiError> {
        let req = Request::get(format!("{}{path}", self.base)).header("Authorization", &self.auth);
        read(&self.http, Service::Xray, what, &req)?.json(Service::Xray, what)
    }
}

impl XrayProbe for Dc {
    fn authenticate(&mut self) -> Result<XrayAccess, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Lic {
            active: bool,
            license_type: Option<String>,
        }
        let lic: Lic = self.get("Xray licence", "/rest/raven/latest/api/xraylicense")?;
        Ok(XrayAccess {
            detail: format!(
                "Xray Data Center at {} (licence {}active)",
                self.base,
                lic.license_type
                    .as_deref()
                    .map(|t| format!("{t}, "))
                    .unwrap_or_default()
            ),
            licence: Some(Licence {
                active: lic.active,
                kind: lic.license_type,
            }),
        })
    }

    fn project(&mut self, key: &str) -> Result<XrayProject, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Project {
            #[serde(default)]
            issue_types: Vec<IssueTypeJson>,
        }
        let p: Project = self.get(
            &format!("project {key}"),
            &format!("/rest/api/2/project/{}", enc(key)),
        )?;
        Ok(XrayProject {
            issue_types: Some(
                p.issue_types
                    .into_iter()
                    .filter(|t| !t.subtask)
                    .map(|t| t.name)
                    .collect(),
            ),
            test_types: Vec::new(),
            environments: None,
        })
    }

    fn test_plan(&mut self, key: &str) -> Result<PlanLookup, ApiError> {
        #[derive(Deserialize)]
        struct Issue {
            fields: Fields,
        }
        #[derive(Deserialize)]
        struct Fields {
            issuetype: Named,
        }
        let issue: Issue = self.get(
            &format!("issue {key}"),
            &format!("/rest/api/2/issue/{}?fields=issuetype", enc(key)),
        )?;
        let name = issue.fields.issuetype.name;
        Ok(if name.eq_ignore_ascii_case("Test Plan") {
            PlanLookup::TestPlan
        } else {
            PlanLookup::Other {
                issue_type: Some(name),
            }
        })
    }

    fn statuses(&mut self) -> Result<Vec<String>, ApiError> {
        let list: Vec<Named> = self.get("statuses", "/rest/raven/1.0/api/settings/teststatuses")?;
        Ok(list.into_iter().map(|n| n.name).collect())
    }
}
