//! `CiContext`: which CI system this run is on and the links that identify the run.
//!
//! Owns detection from the environment (GitHub Actions, GitLab CI, Jenkins, Azure Pipelines,
//! CircleCI, Buildkite, local) and why it decided so (`detected_by`, printed by `config`).
//! Recipes often pass only some variables into a container, so each provider is recognised by
//! its flag variable or by a pair of variables only it sets. The result is plain data handed to
//! the pure planner, so plans stay reproducible.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CiProvider {
    GithubActions,
    Gitlab,
    Jenkins,
    AzurePipelines,
    Circleci,
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
    /// Which variables decided the provider (for `xray-sync config`); not part of any plan.
    #[serde(skip)]
    pub detected_by: String,
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

    let has = |name: &str| get(name).is_some();
    let why = |vars: &[&str]| {
        vars.iter()
            .filter(|v| has(v))
            .copied()
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let mut ci = if is_true("GITHUB_ACTIONS") {
        let mut c = github(&get);
        c.detected_by = "GITHUB_ACTIONS=true".into();
        c
    } else if is_true("GITLAB_CI") || (has("CI_PIPELINE_ID") && has("CI_JOB_ID")) {
        let mut c = gitlab(&get);
        c.detected_by = if is_true("GITLAB_CI") {
            "GITLAB_CI=true".into()
        } else {
            why(&["CI_PIPELINE_ID", "CI_JOB_ID"])
        };
        c
    } else if is_true("BUILDKITE") {
        let mut c = buildkite(&get);
        c.detected_by = "BUILDKITE=true".into();
        c
    } else if has("JENKINS_URL") || has("JENKINS_HOME") || (has("BUILD_URL") && has("BUILD_TAG")) {
        let mut c = jenkins(&get);
        c.detected_by = if has("JENKINS_URL") || has("JENKINS_HOME") {
            why(&["JENKINS_URL", "JENKINS_HOME"])
        } else {
            why(&["BUILD_URL", "BUILD_TAG"])
        };
        c
    } else if is_true("TF_BUILD") || (has("BUILD_BUILDID") && has("SYSTEM_COLLECTIONURI")) {
        let mut c = azure(&get);
        c.detected_by = if is_true("TF_BUILD") {
            "TF_BUILD=True".into()
        } else {
            why(&["BUILD_BUILDID", "SYSTEM_COLLECTIONURI"])
        };
        c
    } else if is_true("CIRCLECI") || (has("CIRCLE_BUILD_NUM") && has("CIRCLE_WORKFLOW_ID")) {
        let mut c = circleci(&get);
        c.detected_by = if is_true("CIRCLECI") {
            "CIRCLECI=true".into()
        } else {
            why(&["CIRCLE_BUILD_NUM", "CIRCLE_WORKFLOW_ID"])
        };
        c
    } else {
        CiContext::default()
    };
    if ci.provider == CiProvider::Local {
        ci.detected_by = if is_true("CI") {
            "CI=true is set, but no variable of a known CI system (GITHUB_ACTIONS, GITLAB_CI or CI_PIPELINE_ID+CI_JOB_ID, JENKINS_URL or BUILD_URL+BUILD_TAG, TF_BUILD, CIRCLECI, BUILDKITE); pass them into the job's environment".into()
        } else {
            "no CI variables found".into()
        };
    }
    ci
}

/// Azure Pipelines: predefined variables (Build.BuildId → BUILD_BUILDID, System.CollectionUri,
/// System.TeamProject, Build.SourceVersion, System.PullRequest.PullRequestId, ...).
fn azure(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let collection = get("SYSTEM_COLLECTIONURI");
    let project = get("SYSTEM_TEAMPROJECT");
    let build = get("BUILD_BUILDID");
    let run_url = match (&collection, &project, &build) {
        (Some(c), Some(p), Some(b)) => Some(format!(
            "{}/{}/_build/results?buildId={b}",
            c.trim_end_matches('/'),
            p.replace(' ', "%20")
        )),
        _ => None,
    };
    // Every job of one pipeline run shares Build.BuildId: that is the execution identity.
    let pipeline_run = build.clone();
    // A re-run of a failed job keeps the build id and bumps System.JobAttempt.
    let run_id = build.map(|b| match get("SYSTEM_JOBATTEMPT") {
        Some(a) if a != "1" => format!("{b}-{a}"),
        _ => b,
    });
    let ref_name = get("SYSTEM_PULLREQUEST_SOURCEBRANCH")
        .or_else(|| get("BUILD_SOURCEBRANCH"))
        .map(|r| {
            r.strip_prefix("refs/heads/")
                .map(str::to_string)
                .unwrap_or(r)
        });
    CiContext {
        provider: CiProvider::AzurePipelines,
        run_id,
        run_url,
        sha: get("BUILD_SOURCEVERSION"),
        ref_name,
        workflow: get("BUILD_DEFINITIONNAME"),
        job: get("SYSTEM_JOBDISPLAYNAME").or_else(|| get("AGENT_JOBNAME")),
        repository: get("BUILD_REPOSITORY_NAME"),
        pr_number: get("SYSTEM_PULLREQUEST_PULLREQUESTID")
            .or_else(|| get("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER"))
            .and_then(|v| v.parse().ok()),
        pipeline_run,
        // Azure retries jobs inside the same run (System.JobAttempt), never the whole run.
        run_attempt: None,
        detected_by: String::new(),
    }
}

/// CircleCI: built-in environment variables (CIRCLE_BUILD_NUM, CIRCLE_BUILD_URL, CIRCLE_SHA1,
/// CIRCLE_PULL_REQUEST is the PR's URL).
fn circleci(get: &dyn Fn(&str) -> Option<String>) -> CiContext {
    let pr_number = get("CIRCLE_PR_NUMBER")
        .or_else(|| {
            get("CIRCLE_PULL_REQUEST").and_then(|u| u.rsplit('/').next().map(str::to_string))
        })
        .and_then(|v| v.parse().ok());
    let repository = match (
        get("CIRCLE_PROJECT_USERNAME"),
        get("CIRCLE_PROJECT_REPONAME"),
    ) {
        (Some(o), Some(r)) => Some(format!("{o}/{r}")),
        _ => get("CIRCLE_REPOSITORY_URL"),
    };
    CiContext {
        provider: CiProvider::Circleci,
        run_id: get("CIRCLE_WORKFLOW_JOB_ID").or_else(|| get("CIRCLE_BUILD_NUM")),
        run_url: get("CIRCLE_BUILD_URL"),
        sha: get("CIRCLE_SHA1"),
        ref_name: get("CIRCLE_BRANCH").or_else(|| get("CIRCLE_TAG")),
        workflow: get("CIRCLE_WORKFLOW_ID"),
        job: get("CIRCLE_JOB"),
        repository,
        pr_number,
        // The jobs of one workflow run share CIRCLE_WORKFLOW_ID.
        pipeline_run: get("CIRCLE_WORKFLOW_ID"),
        run_attempt: None,
        detected_by: String::new(),
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
        detected_by: String::new(),
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
        detected_by: String::new(),
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
        detected_by: String::new(),
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
        detected_by: String::new(),
    }
}

impl CiProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            CiProvider::GithubActions => "GitHub Actions",
            CiProvider::Gitlab => "GitLab CI",
            CiProvider::Jenkins => "Jenkins",
            CiProvider::AzurePipelines => "Azure Pipelines",
            CiProvider::Circleci => "CircleCI",
            CiProvider::Buildkite => "Buildkite",
            CiProvider::Local => "local",
        }
    }
}

impl CiContext {
    /// "Merge request !17" on GitLab, "Pull request #17" elsewhere; None when the run is not
    /// for one.
    pub fn change_request(&self) -> Option<String> {
        let n = self.pr_number?;
        Some(match self.provider {
            CiProvider::Gitlab => format!("Merge request !{n}"),
            _ => format!("Pull request #{n}"),
        })
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
    fn gitlab_jenkins_azure_circleci_by_their_own_variables() {
        // GitLab without GITLAB_CI (a recipe that passes only some variables).
        let gl = detect_with(&[
            ("CI_PIPELINE_ID", "11"),
            ("CI_JOB_ID", "22"),
            ("CI_MERGE_REQUEST_IID", "17"),
        ]);
        assert_eq!(gl.provider, CiProvider::Gitlab);
        assert_eq!(gl.detected_by, "CI_PIPELINE_ID + CI_JOB_ID");
        assert_eq!(gl.change_request().as_deref(), Some("Merge request !17"));
        assert_eq!(gl.run_id.as_deref(), Some("11-22"));

        let jk = detect_with(&[
            ("BUILD_URL", "https://ci.example/job/calc/7/"),
            ("BUILD_TAG", "jenkins-calc-7"),
            ("CHANGE_ID", "5"),
        ]);
        assert_eq!(jk.provider, CiProvider::Jenkins);
        assert_eq!(jk.detected_by, "BUILD_URL + BUILD_TAG");
        assert_eq!(jk.change_request().as_deref(), Some("Pull request #5"));
        // BUILD_URL alone is not enough: other systems set it too.
        assert_eq!(
            detect_with(&[("BUILD_URL", "x")]).provider,
            CiProvider::Local
        );

        let az = detect_with(&[
            ("TF_BUILD", "True"),
            ("BUILD_BUILDID", "314"),
            ("SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/"),
            ("SYSTEM_TEAMPROJECT", "Calc App"),
            ("BUILD_SOURCEVERSION", "abc123"),
            ("BUILD_SOURCEBRANCH", "refs/heads/main"),
            ("SYSTEM_PULLREQUEST_PULLREQUESTID", "9"),
        ]);
        assert_eq!(az.provider, CiProvider::AzurePipelines);
        assert_eq!(az.detected_by, "TF_BUILD=True");
        assert_eq!(
            az.run_url.as_deref(),
            Some("https://dev.azure.com/acme/Calc%20App/_build/results?buildId=314")
        );
        assert_eq!(az.run_id.as_deref(), Some("314"));
        assert_eq!(az.sha.as_deref(), Some("abc123"));
        assert_eq!(az.ref_name.as_deref(), Some("main"));
        assert_eq!(az.pr_number, Some(9));
        assert_eq!(
            detect_with(&[("BUILD_BUILDID", "1"), ("SYSTEM_COLLECTIONURI", "u")]).provider,
            CiProvider::AzurePipelines
        );

        let cc = detect_with(&[
            ("CIRCLECI", "true"),
            ("CIRCLE_BUILD_NUM", "88"),
            ("CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/calc/88"),
            (
                "CIRCLE_PULL_REQUEST",
                "https://github.com/acme/calc/pull/12",
            ),
            ("CIRCLE_SHA1", "def"),
        ]);
        assert_eq!(cc.provider, CiProvider::Circleci);
        assert_eq!(cc.pr_number, Some(12));
        assert_eq!(cc.run_id.as_deref(), Some("88"));

        let local = detect_with(&[("CI", "true")]);
        assert_eq!(local.provider, CiProvider::Local);
        assert!(
            local.detected_by.contains("CI_PIPELINE_ID+CI_JOB_ID"),
            "{}",
            local.detected_by
        );
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
        assert_eq!(
            ci,
            CiContext {
                detected_by: "no CI variables found".into(),
                ..CiContext::default()
            }
        );
        assert_eq!(ci.provider.as_str(), "local");
    }
}
