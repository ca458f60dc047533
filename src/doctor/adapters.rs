//! The probe traits implemented on the shared clients: `XrayProbe` on `xray::Client` (Cloud and
//! DC back-ends), `JiraProbe` on `jira::client::Client`.
//!
//! Owns only the mapping from what a client returns to what a check asks (a licence to an
//! access line, createmeta to an issue-type lookup, transitions to a close). No HTTP here:
//! every request, answer shape and error mapping is the clients', so doctor checks exactly the
//! calls `run` makes.

use serde_json::json;

use crate::error::ApiError;
use crate::http::Http;
use crate::jira::body::{Block, Inline};
use crate::jira::client as jira;
use crate::settings::{JiraSettings, Product, XraySettings};
use crate::xray::client::Client as XrayClient;

use super::probes::{
    Closed, Identity, IssueTypeLookup, IssueTypeRef, JiraProbe, JiraProject, LinkType, PlanLookup,
    SearchAnswer, ServerAnswer, TestIssue, XrayAccess, XrayProbe, XrayProject,
};

pub fn xray(http: &Http, x: &XraySettings) -> Box<dyn XrayProbe> {
    Box::new(Xray {
        client: XrayClient::new(http, x),
        url: x.url.trim_end_matches('/').to_string(),
    })
}

pub fn jira<'h>(http: &'h Http, j: &JiraSettings) -> Box<dyn JiraProbe + 'h> {
    Box::new(jira::Client::new(http, j))
}

struct Xray {
    client: XrayClient,
    /// The base URL, for the pass line.
    url: String,
}

impl XrayProbe for Xray {
    fn authenticate(&mut self) -> Result<XrayAccess, ApiError> {
        match &self.client {
            XrayClient::Cloud(c) => {
                c.authenticate()?;
                Ok(XrayAccess {
                    detail: format!("API key accepted by {}", self.url),
                    licence: None,
                })
            }
            XrayClient::Dc(d) => {
                let lic = d.license()?;
                Ok(XrayAccess {
                    detail: format!(
                        "Xray Data Center at {} (licence {}active)",
                        self.url,
                        lic.license_type
                            .as_deref()
                            .map(|t| format!("{t}, "))
                            .unwrap_or_default()
                    ),
                    licence: Some(lic),
                })
            }
        }
    }

    fn project(&mut self, key: &str) -> Result<XrayProject, ApiError> {
        match &self.client {
            XrayClient::Cloud(c) => {
                let s = c.project_settings(key)?;
                Ok(XrayProject {
                    issue_types: None,
                    test_types: s
                        .test_type_settings
                        .map(|t| t.test_types.into_iter().map(|t| t.name).collect())
                        .unwrap_or_default(),
                    environments: Some(s.test_environments),
                })
            }
            XrayClient::Dc(d) => Ok(XrayProject {
                issue_types: Some(IssueTypeRef::standard_names(d.project_issue_types(key)?)),
                test_types: Vec::new(),
                environments: None,
            }),
        }
    }

    fn test_plan(&mut self, key: &str) -> Result<PlanLookup, ApiError> {
        match &self.client {
            // Xray Cloud says whether the key is a plan, not what it is instead.
            XrayClient::Cloud(c) => Ok(match c.is_test_plan(key)? {
                true => PlanLookup::TestPlan,
                false => PlanLookup::Other { issue_type: None },
            }),
            XrayClient::Dc(d) => {
                let name = d.issue_type_of(key)?;
                Ok(if name.eq_ignore_ascii_case("Test Plan") {
                    PlanLookup::TestPlan
                } else {
                    PlanLookup::Other {
                        issue_type: Some(name),
                    }
                })
            }
        }
    }

    fn statuses(&mut self) -> Result<Vec<String>, ApiError> {
        match &self.client {
            XrayClient::Cloud(c) => c.statuses(),
            XrayClient::Dc(d) => d.test_statuses(),
        }
    }

    fn execution_screen(
        &mut self,
        project: &str,
    ) -> Result<Option<Vec<super::probes::FieldMeta>>, ApiError> {
        match &self.client {
            XrayClient::Cloud(_) => Ok(None),
            XrayClient::Dc(d) => d
                .create_meta(project, crate::xray::exec_fields::EXECUTION_ISSUE_TYPE)
                .map(Some),
        }
    }

    fn test_sets(&mut self, keys: &[String]) -> Result<Vec<super::probes::SetVerdict>, ApiError> {
        match &self.client {
            XrayClient::Cloud(c) => {
                let sets = crate::xray::organize::cloud_test_sets(c, keys)?;
                Ok(keys
                    .iter()
                    .map(|k| {
                        let verdict = if sets.contains(k) {
                            Ok(())
                        } else {
                            Err("exists but is not a Test Set".to_string())
                        };
                        (k.clone(), verdict)
                    })
                    .collect())
            }
            XrayClient::Dc(d) => keys
                .iter()
                .map(|k| match d.issue_type_of(k) {
                    Ok(t) if t.eq_ignore_ascii_case("Test Set") => Ok((k.clone(), Ok(()))),
                    Ok(t) => Ok((k.clone(), Err(format!("is a {t}, not a Test Set")))),
                    Err(ApiError::NotFound { .. }) => {
                        Ok((k.clone(), Err("not found (or not visible)".to_string())))
                    }
                    Err(e) => Err(e),
                })
                .collect(),
        }
    }

    fn repository_folders(&mut self, project: &str) -> Result<Vec<String>, ApiError> {
        crate::xray::folders::existing(&self.client, project)
    }

    fn lookup_tests(&mut self, keys: &[String]) -> Result<Vec<super::probes::FoundTest>, ApiError> {
        self.client.lookup_tests(keys)
    }
}

impl JiraProbe for jira::Client<'_> {
    fn server_info(&mut self) -> Result<ServerAnswer, ApiError> {
        self.site_server_info()
    }

    fn search_endpoint(
        &mut self,
        product: Product,
        project: &str,
    ) -> Result<SearchAnswer, ApiError> {
        self.probe_search(product, project)
    }

    fn myself(&mut self) -> Result<Identity, ApiError> {
        let me = jira::Client::myself(self)?;
        Ok(Identity {
            account: me
                .account_id
                .or(me.name)
                .or(me.key)
                .unwrap_or_else(|| "(unknown account)".into()),
            display_name: Some(me.display_name).filter(|n| !n.is_empty()),
            email: me.email_address,
        })
    }

    fn project(&mut self, key: &str) -> Result<JiraProject, ApiError> {
        jira::Client::project(self, key)
    }

    fn missing_permissions(
        &mut self,
        project: &str,
        wanted: &[&str],
    ) -> Result<Vec<String>, ApiError> {
        let have = self.my_permissions(project, wanted)?;
        Ok(wanted
            .iter()
            .filter(|p| !have.get(**p).copied().unwrap_or(false))
            .map(|p| p.to_string())
            .collect())
    }

    fn issue_type(&mut self, project: &str, name: &str) -> Result<IssueTypeLookup, ApiError> {
        let mut types = self.issue_types(project)?;
        let Some(pos) = types.iter().position(|t| t.name.eq_ignore_ascii_case(name)) else {
            return Ok(IssueTypeLookup::Missing {
                available: IssueTypeRef::standard_names(types),
            });
        };
        let issue_type = types.swap_remove(pos);
        let fields = self.create_meta(project, &issue_type.id)?;
        Ok(IssueTypeLookup::Found { issue_type, fields })
    }

    fn link_types(&mut self) -> Result<Vec<LinkType>, ApiError> {
        jira::Client::link_types(self)
    }

    fn create_issue(&mut self, issue: &TestIssue) -> Result<String, ApiError> {
        // Rendered like bug descriptions: ADF for Cloud v3, wiki markup for DC v2.
        let description = self.rich_text(vec![Block::Para(vec![Inline::Text(
            issue.description.clone(),
        )])]);
        let fields = json!({
            "project": {"key": issue.project},
            "issuetype": {"id": issue.issue_type_id},
            "summary": issue.summary,
            "labels": issue.labels,
            "description": description,
        });
        Ok(jira::Client::create_issue(self, &fields)?.key)
    }

    fn close_issue(&mut self, key: &str) -> Result<Closed, ApiError> {
        let transitions = self.transitions(key)?;
        let Some(t) = crate::jira::ops::closing_transition(&transitions).cloned() else {
            return Ok(Closed::NoDoneTransition);
        };
        let resolution = crate::jira::ops::resolution_for(&t, crate::jira::ops::Target::Done);
        self.transition(key, &t.id, resolution.as_deref())?;
        Ok(Closed::Transitioned { name: t.name })
    }
}
