//! The questions doctor asks Xray and Jira, as two small traits that speak the domain.
//!
//! Owns the probe traits and the answers only doctor needs (`XrayAccess`, `XrayProject`,
//! `PlanLookup`, `Identity`, `IssueTypeLookup`, `TestIssue`, `Closed`). Answers a shared client
//! already returns are that client's types, re-exported here. The checks in `doctor::*_checks`
//! are written against these traits only, so they can be tested with in-memory probes; the
//! real implementations (`adapters.rs`) sit on the shared Xray and Jira clients. Every error is
//! an `ApiError`, the taxonomy `run` uses too.

use crate::error::ApiError;
use crate::settings::Product;

pub use crate::jira::client::{
    FieldMeta, IssueType as IssueTypeRef, LinkType, Project as JiraProject, SearchAnswer,
    ServerAnswer, ServerInfo,
};
pub use crate::xray::client::FoundTest;
pub use crate::xray::server::License as Licence;

/// Xray accepted the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrayAccess {
    /// What proves it, for the pass line ("token issued by …", "licence Enterprise").
    pub detail: String,
    /// DC only: the licence the `xraylicense` resource reports.
    pub licence: Option<Licence>,
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

/// A Test Set key and whether it is one (`Err`: why not).
pub type SetVerdict = (String, Result<(), String>);

pub trait XrayProbe {
    /// Cloud: the token exchange. DC: the licence resource with the Jira credentials.
    fn authenticate(&mut self) -> Result<XrayAccess, ApiError>;
    fn project(&mut self, key: &str) -> Result<XrayProject, ApiError>;
    /// `NotFound` when the key does not exist or is not visible.
    fn test_plan(&mut self, key: &str) -> Result<PlanLookup, ApiError>;
    /// The valid Test Run status names.
    fn statuses(&mut self) -> Result<Vec<String>, ApiError>;
    /// The create screen of the Test Execution issue type in `project`, when this probe can
    /// read it (DC: Jira REST on the Xray site). `Ok(None)`: ask Jira instead (Cloud).
    fn execution_screen(&mut self, _project: &str) -> Result<Option<Vec<FieldMeta>>, ApiError> {
        Ok(None)
    }

    /// For each key: `Ok` when it is a Test Set, else why not ("not found", "a Story").
    fn test_sets(&mut self, keys: &[String]) -> Result<Vec<SetVerdict>, ApiError> {
        let _ = keys;
        Err(ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: "this probe cannot look up Test Sets".into(),
        })
    }

    /// Every folder path of `project`'s Test Repository (Cloud `getFolder`, DC Test
    /// Repository REST), as the run reads it before placing Tests in folders.
    fn repository_folders(&mut self, project: &str) -> Result<Vec<String>, ApiError> {
        let _ = project;
        Err(ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: "this probe cannot read the Test Repository".into(),
        })
    }

    /// One batch lookup of Test keys, as `run` does it (`getTests` on Cloud, Jira search on
    /// DC): the keys found, with their issue types. A key that does not exist fails the whole
    /// lookup with Jira's JQL error naming it. Probes that cannot look keys up say so.
    fn lookup_tests(&mut self, keys: &[String]) -> Result<Vec<FoundTest>, ApiError> {
        let _ = keys;
        Err(ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: "this probe cannot look up Test keys".into(),
        })
    }
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

#[derive(Debug, Clone, PartialEq)]
pub enum IssueTypeLookup {
    Found {
        issue_type: IssueTypeRef,
        fields: Vec<FieldMeta>,
    },
    /// No issue type by that name can be created in the project.
    Missing { available: Vec<String> },
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
