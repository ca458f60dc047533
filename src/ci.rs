//! `CiContext`: which CI system this run is on and the links that identify the run.
//!
//! Owns detection from the environment (GitHub Actions, GitLab CI, Jenkins, Buildkite, local).
//! The result is plain data handed to the pure planner, so plans stay reproducible.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CiProvider {
    GithubActions,
    Gitlab,
    Jenkins,
    Buildkite,
    #[default]
    Local,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CiContext {
    pub provider: CiProvider,
    /// A unique, stable id of this CI run (with attempt), used as the comment run marker.
    pub run_id: Option<String>,
    /// Link to the run's page.
    pub run_url: Option<String>,
    pub sha: Option<String>,
    pub ref_name: Option<String>,
    pub workflow: Option<String>,
    pub job: Option<String>,
    pub repository: Option<String>,
    /// The pull/merge request number, when the run is for one.
    pub pr_number: Option<u64>,
}
