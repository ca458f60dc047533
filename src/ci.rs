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
    /// The CI run every job of one pipeline shares, without any attempt (GitHub run id, GitLab
    /// pipeline id, Jenkins build tag, Buildkite build id): what the execution identity is
    /// derived from, so the jobs of one run append to one Test Execution.
    pub pipeline_run: Option<String>,
    /// The attempt of a re-run of the whole CI run, where the CI has one (GitHub
    /// `GITHUB_RUN_ATTEMPT`; GitLab, Jenkins and Buildkite retry jobs inside the same run).
    pub run_attempt: Option<String>,
}

/// Detects the CI provider and run facts from an environment lookup. Tests pass a closure over a
/// map; `main` passes `std::env::var`. Empty values count as unset (CI systems often export
/// empty variables).
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let get = |name: &str| {
        env(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let is_true = |name: &str| get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));

    if is_true("GITHUB_ACTIONS") {
        github(&get)
    } else if is_true("GITLAB_CI") {
        gitlab(&get)
    } else if is_true("BUILDKITE") {
        buildkite(&get)
    } else if get("JENKINS_URL").is_some() || get("JENKINS_HOME").is_some() {
        jenkins(&get)
    } else {
        CiContext::default()
    }
}

fn github(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let run = get("GITHUB_RUN_ID");
    let repository = get("GITHUB_REPOSITORY");
    let server = get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
    let run_url = match (&run, &repository) {
        (Some(run), Some(repo)) => Some(format!(
            "{}/{repo}/actions/runs/{run}",
            server.trim_end_matches('/')
        )),
        _ => None,
    };
    // A re-run keeps GITHUB_RUN_ID and bumps GITHUB_RUN_ATTEMPT: the marker must change with it,
    // or a re-run would look like it had already commented.
    let attempt = get("GITHUB_RUN_ATTEMPT").unwrap_or("1".into());
    let run_id = run.as_ref().map(|r| format!("{r}-{attempt}"));
    let git_ref = get("GITHUB_REF");
    let pr_number = git_ref.as_deref().and_then(|r| {
        r.strip_prefix("refs/pull/")?
            .split('/')
            .next()?
            .parse::<u64>()
            .ok()
    });
    // On pull_request events GITHUB_REF_NAME is `123/merge`; the head branch is what people read.
    let ref_name = get("GITHUB_HEAD_REF").or_else(|| get("GITHUB_REF_NAME"));
    CiContext {
        provider: CiProvider::GithubActions,
        run_id,
        run_url,
        sha: get("GITHUB_SHA"),
        ref_name,
        workflow: get("GITHUB_WORKFLOW"),
        job: get("GITHUB_JOB"),
        repository,
        pr_number,
        pipeline_run: run,
        run_attempt: Some(attempt),
    }
}

fn gitlab(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    // A retried job gets a new CI_JOB_ID in the same pipeline, so the pair is unique per try.
    let run_id = match (get("CI_PIPELINE_ID"), get("CI_JOB_ID")) {
        (Some(p), Some(j)) => Some(format!("{p}-{j}")),
        (p, j) => p.or(j),
    };
    CiContext {
        provider: CiProvider::Gitlab,
        run_id,
        run_url: get("CI_JOB_URL").or_else(|| get("CI_PIPELINE_URL")),
        sha: get("CI_COMMIT_SHA"),
        ref_name: get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME").or_else(|| get("CI_COMMIT_REF_NAME")),
        workflow: get("CI_PIPELINE_NAME").or_else(|| get("CI_PROJECT_NAME")),
        job: get("CI_JOB_NAME"),
        repository: get("CI_PROJECT_PATH"),
        pr_number: get("CI_MERGE_REQUEST_IID").and_then(|v| v.parse().ok()),
        pipeline_run: get("CI_PIPELINE_ID"),
        run_attempt: None,
    }
}

fn jenkins(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let run_id = get("BUILD_TAG").or_else(|| match (get("JOB_NAME"), get("BUILD_NUMBER")) {
        (Some(j), Some(n)) => Some(format!("{j}-{n}")),
        _ => None,
    });
    // Parallel stages of one build share its tag; a rebuild is a new build number.
    let pipeline_run = run_id.clone();
    CiContext {
        provider: CiProvider::Jenkins,
        run_id,
        run_url: get("BUILD_URL"),
        sha: get("GIT_COMMIT"),
        ref_name: get("CHANGE_BRANCH")
            .or_else(|| get("BRANCH_NAME"))
            .or_else(|| get("GIT_BRANCH")),
        workflow: get("JOB_NAME"),
        job: get("STAGE_NAME"),
        repository: get("GIT_URL"),
        pr_number: get("CHANGE_ID").and_then(|v| v.parse().ok()),
        pipeline_run,
        run_attempt: None,
    }
}

fn buildkite(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let run_id = get("BUILDKITE_JOB_ID").map(|j| match get("BUILDKITE_RETRY_COUNT") {
        Some(n) if n != "0" => format!("{j}-{n}"),
        _ => j,
    });
    CiContext {
        provider: CiProvider::Buildkite,
        run_id: run_id.or_else(|| get("BUILDKITE_BUILD_ID")),
        run_url: get("BUILDKITE_BUILD_URL"),
        sha: get("BUILDKITE_COMMIT"),
        ref_name: get("BUILDKITE_BRANCH"),
        workflow: get("BUILDKITE_PIPELINE_SLUG"),
        job: get("BUILDKITE_LABEL").or_else(|| get("BUILDKITE_STEP_KEY")),
        repository: get("BUILDKITE_REPO"),
        // "false" when the build is not for a pull request.
        pr_number: get("BUILDKITE_PULL_REQUEST").and_then(|v| v.parse().ok()),
        pipeline_run: get("BUILDKITE_BUILD_ID"),
        run_attempt: None,
    }
}

impl CiProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            CiProvider::GithubActions => "GitHub Actions",
            CiProvider::Gitlab => "GitLab CI",
            CiProvider::Jenkins => "Jenkins",
            CiProvider::Buildkite => "Buildkite",
            CiProvider::Local => "local",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn detect_with(vars: &[(&str, &str)]) -> CiContext {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        detect(&|k| map.get(k).cloned())
    }

    #[test]
    fn github_actions_pull_request() {
        let ci = detect_with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/calc"),
            ("GITHUB_RUN_ID", "987654"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_SHA", "9f1c2ab"),
            ("GITHUB_REF", "refs/pull/42/merge"),
            ("GITHUB_REF_NAME", "42/merge"),
            ("GITHUB_HEAD_REF", "feature/x"),
            ("GITHUB_WORKFLOW", "CI"),
            ("GITHUB_JOB", "test"),
        ]);
        assert_eq!(ci.provider, CiProvider::GithubActions);
        assert_eq!(
            ci.run_url.as_deref(),
            Some("https://github.com/acme/calc/actions/runs/987654")
        );
        assert_eq!(ci.run_id.as_deref(), Some("987654-2"));
        assert_eq!(ci.pipeline_run.as_deref(), Some("987654"));
        assert_eq!(ci.run_attempt.as_deref(), Some("2"));
        assert_eq!(ci.pr_number, Some(42));
        assert_eq!(ci.ref_name.as_deref(), Some("feature/x"));
        assert_eq!(ci.sha.as_deref(), Some("9f1c2ab"));
        assert_eq!(ci.workflow.as_deref(), Some("CI"));
        assert_eq!(ci.job.as_deref(), Some("test"));
    }

    #[test]
    fn github_actions_push_has_no_pr_and_default_attempt() {
        let ci = detect_with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/calc"),
            ("GITHUB_RUN_ID", "1"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_HEAD_REF", ""),
        ]);
        assert_eq!(ci.pr_number, None);
        assert_eq!(ci.run_id.as_deref(), Some("1-1"));
        assert_eq!(ci.ref_name.as_deref(), Some("main"));
        assert_eq!(
            ci.run_url.as_deref(),
            Some("https://github.com/acme/calc/actions/runs/1")
        );
    }

    #[test]
    fn gitlab_merge_request() {
        let ci = detect_with(&[
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_ID", "100"),
            ("CI_JOB_ID", "200"),
            ("CI_JOB_URL", "https://gitlab.com/acme/calc/-/jobs/200"),
            ("CI_COMMIT_SHA", "abc"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_JOB_NAME", "unit"),
            ("CI_PROJECT_PATH", "acme/calc"),
            ("CI_MERGE_REQUEST_IID", "7"),
        ]);
        assert_eq!(ci.provider, CiProvider::Gitlab);
        assert_eq!(ci.run_id.as_deref(), Some("100-200"));
        assert_eq!(
            ci.run_url.as_deref(),
            Some("https://gitlab.com/acme/calc/-/jobs/200")
        );
        assert_eq!(ci.pr_number, Some(7));
        assert_eq!(ci.job.as_deref(), Some("unit"));
    }

    #[test]
    fn jenkins_build() {
        let ci = detect_with(&[
            ("JENKINS_URL", "https://ci.acme/"),
            ("BUILD_TAG", "jenkins-calc-12"),
            ("BUILD_URL", "https://ci.acme/job/calc/12/"),
            ("GIT_COMMIT", "def"),
            ("BRANCH_NAME", "PR-3"),
            ("CHANGE_ID", "3"),
            ("JOB_NAME", "calc"),
        ]);
        assert_eq!(ci.provider, CiProvider::Jenkins);
        assert_eq!(ci.run_id.as_deref(), Some("jenkins-calc-12"));
        assert_eq!(ci.run_url.as_deref(), Some("https://ci.acme/job/calc/12/"));
        assert_eq!(ci.pr_number, Some(3));
        assert_eq!(ci.workflow.as_deref(), Some("calc"));
    }

    #[test]
    fn buildkite_retry() {
        let ci = detect_with(&[
            ("BUILDKITE", "true"),
            ("BUILDKITE_JOB_ID", "j-1"),
            ("BUILDKITE_RETRY_COUNT", "1"),
            (
                "BUILDKITE_BUILD_URL",
                "https://buildkite.com/acme/calc/builds/5",
            ),
            ("BUILDKITE_COMMIT", "123"),
            ("BUILDKITE_BRANCH", "main"),
            ("BUILDKITE_PIPELINE_SLUG", "calc"),
            ("BUILDKITE_PULL_REQUEST", "false"),
        ]);
        assert_eq!(ci.provider, CiProvider::Buildkite);
        assert_eq!(ci.run_id.as_deref(), Some("j-1-1"));
        assert_eq!(ci.pr_number, None);
        assert_eq!(ci.workflow.as_deref(), Some("calc"));
    }

    #[test]
    fn local_when_nothing_set() {
        let ci = detect_with(&[("GITHUB_ACTIONS", "false")]);
        assert_eq!(ci, CiContext::default());
        assert_eq!(ci.provider.as_str(), "local");
    }
}
