//! The questions doctor asks Xray and Jira, as two small traits that speak the domain.
//!
//! Owns the probe traits and the plain answers they return. The checks in `doctor::checks_*`
//! are written against these traits only, so they are unit-tested with in-memory probes, and
//! the HTTP implementations (`http_probes.rs`) can later be swapped for the shared Xray and
//! Jira clients without touching a check. Every error is an `ApiError`, the taxonomy `run`
//! uses too.

use crate::error::ApiError;
use crate::settings::Product;

/// Xray accepted the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrayAccess {
    /// What proves it, for the pass line ("token issued by …", "licence Enterprise").
    pub detail: String,
    /// DC only: the licence the `xraylicense` resource reports.
    pub licence: Option<Licence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    pub active: bool,
    pub kind: Option<String>,
}

/// What Xray knows about a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XrayProject {
    /// The project's Jira issue types, when this probe can see them (DC reads them through
    /// Jira REST; Xray Cloud's API does not list them, so doctor asks Jira instead).
    pub issue_types: Option<Vec<String>>,
    /// Xray test types (Cloud `testTypeSettings`), empty when unknown.
    pub test_types: Vec<String>,
    /// Test environments defined in the project (Cloud). `None` on DC, which creates them on
    /// first use.
    pub environments: Option<Vec<String>>,
}

/// What the configured test plan key turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanLookup {
    TestPlan,
    /// The issue exists but is not a Test Plan (its issue type, when known).
    Other {
        issue_type: Option<String>,
    },
}

pub trait XrayProbe {
    /// Cloud: the token exchange. DC: the licence resource with the Jira credentials.
    fn authenticate(&mut self) -> Result<XrayAccess, ApiError>;
    fn project(&mut self, key: &str) -> Result<XrayProject, ApiError>;
    /// `NotFound` when the key does not exist or is not visible.
    fn test_plan(&mut self, key: &str) -> Result<PlanLookup, ApiError>;
    /// The valid Test Run status names.
    fn statuses(&mut self) -> Result<Vec<String>, ApiError>;
}

/// What the Jira base URL answered to `serverInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAnswer {
    Info(ServerInfo),
    /// An HTML page (a login page, an SSO portal, a proxy error page).
    Html {
        status: u16,
    },
    /// A redirect, which the client never follows.
    Redirect {
        status: u16,
        location: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    pub base_url: Option<String>,
    pub version: Option<String>,
    pub version_numbers: Vec<u32>,
    pub deployment_type: Option<String>,
    pub server_title: Option<String>,
}

impl ServerInfo {
    /// `deploymentType` is always `Cloud` on Cloud; anything else (`Server`, `DataCenter`) is DC.
    pub fn product(&self) -> Product {
        match self.deployment_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("cloud") => Product::Cloud,
            Some(_) | None => Product::Dc,
        }
    }

    pub fn major(&self) -> Option<u32> {
        self.version_numbers
            .first()
            .copied()
            .or_else(|| self.version.as_deref()?.split('.').next()?.parse().ok())
    }
}

/// What the search endpoint xray-sync uses for this deployment answered to a harmless POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchAnswer {
    /// It exists and takes POSTs (any JSON answer, even a JQL error, proves that).
    Available { path: String },
    /// 410 Gone (Cloud's removed `/search`) or 404 (an endpoint this deployment lacks).
    Gone {
        path: String,
        status: u16,
        detail: String,
    },
    /// 403 `XSRF check failed`: the request looked like a browser's.
    XsrfRejected { detail: String },
}

/// Who the Jira credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Cloud accountId or DC username.
    pub account: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

impl Identity {
    /// "Jane CI (accountId 5b10…)", for messages.
    pub fn describe(&self) -> String {
        match &self.display_name {
            Some(name) => format!("{name} ({})", self.account),
            None => self.account.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueTypeRef {
    pub id: String,
    pub name: String,
    pub subtask: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraProject {
    pub id: String,
    pub key: String,
    pub name: String,
    pub issue_types: Vec<IssueTypeRef>,
}

/// One field of the create screen (createmeta).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMeta {
    pub id: String,
    pub name: String,
    pub required: bool,
    pub has_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueTypeLookup {
    Found {
        issue_type: IssueTypeRef,
        fields: Vec<FieldMeta>,
    },
    /// No issue type by that name can be created in the project.
    Missing { available: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkType {
    pub name: String,
    pub inward: String,
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

/// The issue `--send-test-issue` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestIssue {
    pub project: String,
    pub issue_type_id: String,
    pub summary: String,
    pub labels: Vec<String>,
    pub description: String,
}

/// How closing the test issue went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// Moved to a Done-category status by this transition.
    Transitioned { name: String },
    /// No transition to a Done status is available to this user.
    NoDoneTransition,
}

pub trait JiraProbe {
    /// `GET /rest/api/2/serverInfo`, anonymously on the site URL.
    fn server_info(&mut self) -> Result<ServerAnswer, ApiError>;
    /// A POST to the search endpoint `run` would use for `product` (bounded JQL on `project`).
    fn search_endpoint(
        &mut self,
        product: Product,
        project: &str,
    ) -> Result<SearchAnswer, ApiError>;
    fn myself(&mut self) -> Result<Identity, ApiError>;
    fn project(&mut self, key: &str) -> Result<JiraProject, ApiError>;
    /// The permissions in `wanted` the caller does NOT have in `project`.
    fn missing_permissions(
        &mut self,
        project: &str,
        wanted: &[&str],
    ) -> Result<Vec<String>, ApiError>;
    fn issue_type(&mut self, project: &str, name: &str) -> Result<IssueTypeLookup, ApiError>;
    fn link_types(&mut self) -> Result<Vec<LinkType>, ApiError>;
    /// Creates the issue and returns its key. Never retried blind.
    fn create_issue(&mut self, issue: &TestIssue) -> Result<String, ApiError>;
    /// Moves the issue to a Done-category status when a transition allows it.
    fn close_issue(&mut self, key: &str) -> Result<Closed, ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_type_and_major_version() {
        let cloud = ServerInfo {
            deployment_type: Some("Cloud".into()),
            version: Some("1001.0.0-SNAPSHOT".into()),
            ..ServerInfo::default()
        };
        assert_eq!(cloud.product(), Product::Cloud);
        assert_eq!(cloud.major(), Some(1001));
        let dc = ServerInfo {
            deployment_type: Some("Server".into()),
            version_numbers: vec![11, 0, 1],
            ..ServerInfo::default()
        };
        assert_eq!(dc.product(), Product::Dc);
        assert_eq!(dc.major(), Some(11));
    }

    #[test]
    fn link_type_matches_name_or_phrase() {
        let t = LinkType {
            name: "Test".into(),
            inward: "is tested by".into(),
            outward: "tests".into(),
        };
        assert!(t.matches("test"));
        assert!(t.matches("Tests"));
        assert!(t.matches(" is tested by "));
        assert!(!t.matches("Defect"));
    }
}
