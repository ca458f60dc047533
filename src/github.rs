//! The small GitHub REST client: the PR comment's three calls (who am I, list comments, create
//! or update ours), on the shared HTTP stack.
//!
//! Owns the GitHub endpoints and the upsert rule. It sends through [`Http`], so the PR comment
//! honours the same CA bundle, `--insecure`, proxy, timeouts and retry policy as every Xray and
//! Jira call (octocrab on its own tokio runtime could not take our TLS configuration or retry
//! policy; see ARCHITECTURE.md). The comment is found by a hidden first-line marker *and* its
//! author: anyone can paste the marker into their own comment, and a write token could
//! otherwise edit it. On fork PRs or a token without `pull-requests: write` GitHub answers
//! 403/404: that is [`PrCommentOutcome::Skipped`], so the caller warns and the run goes on. The
//! create is a `Call::Create`, never resent blind.
//!
//! Endpoints (GitHub REST, "Issue comments"; ../shared/docs/github-actions.md §4):
//! `GET /user`, `GET /repos/{o}/{r}/issues/{n}/comments?per_page=100&page=P`,
//! `POST /repos/{o}/{r}/issues/{n}/comments {"body"}`,
//! `PATCH /repos/{o}/{r}/issues/comments/{id} {"body"}`.

use serde::Deserialize;

use crate::error::{ApiError, Service};
use crate::http::{Call, Http, Request};
use crate::secret::{Secret, scrub};

/// Login of the `GITHUB_TOKEN` identity, whose token cannot call `GET /user`.
const ACTIONS_BOT: &str = "github-actions[bot]";

/// Pages of 100 comments read while looking for ours.
const MAX_PAGES: u32 = 20;

/// The REST API version GitHub documents for these endpoints.
const API_VERSION: &str = "2022-11-28";

/// Where to comment.
#[derive(Debug, Clone)]
pub struct PrTarget {
    /// `GITHUB_API_URL` (`https://api.github.com`, or `https://HOST/api/v3` on GHES).
    pub api_url: String,
    /// `owner/repo`.
    pub repository: String,
    pub pr_number: u64,
    pub token: Secret,
    /// Distinguishes matrix jobs commenting on the same PR; `None` = one comment per PR.
    pub job_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrCommentOutcome {
    Created {
        id: u64,
        url: Option<String>,
    },
    Updated {
        id: u64,
        url: Option<String>,
    },
    /// Not allowed here (fork PR, missing permission, PR not found): warn and go on.
    Skipped {
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum PrCommentError {
    #[error("PR comment: invalid repository {0:?} (expected owner/repo)")]
    Repository(String),
    #[error("PR comment: {0}")]
    Api(String),
}

/// The hidden marker on the comment's first line.
pub fn marker(job_key: Option<&str>) -> String {
    match job_key {
        Some(k) if !k.is_empty() => {
            let k: String = k
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("<!-- xray-sync job={k} -->")
        }
        _ => "<!-- xray-sync -->".to_string(),
    }
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
}

#[derive(Debug, Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    user: Option<User>,
}

/// Creates the comment, or updates the one this identity made before for the same marker.
pub fn upsert_pr_comment(
    http: &Http,
    target: &PrTarget,
    body: &str,
) -> Result<PrCommentOutcome, PrCommentError> {
    let (owner, repo) = split_repository(&target.repository)?;
    let body = scrub(body, &[&target.token]);
    let base = target.api_url.trim_end_matches('/');
    let request = |req: Request| {
        req.header("Authorization", format!("Bearer {}", target.token.expose()))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
    };
    let send = |what: &str, req: Request| http.send(Service::GitHub, what, &request(req));

    let marker = marker(target.job_key.as_deref());
    // A PAT can tell us its login; GITHUB_TOKEN cannot (403), and then comments are by the bot.
    let me = send("the token's user", Request::get(format!("{base}/user")))
        .ok()
        .and_then(|r| r.json::<User>(Service::GitHub, "the token's user").ok())
        .map(|u| u.login)
        .unwrap_or_else(|| ACTIONS_BOT.to_string());

    let mut existing = None;
    for page in 1..=MAX_PAGES {
        let url = format!(
            "{base}/repos/{owner}/{repo}/issues/{}/comments?per_page=100&page={page}",
            target.pr_number
        );
        let comments: Vec<Comment> = match send("the PR's comments", Request::get(url))
            .and_then(|r| r.json(Service::GitHub, "the PR's comments"))
        {
            Ok(c) => c,
            Err(e) => return classify(e, &target.token),
        };
        let n = comments.len();
        existing = comments.into_iter().find(|c| {
            c.body
                .as_deref()
                .is_some_and(|b| b.lines().next().map(str::trim) == Some(marker.as_str()))
                && c.user.as_ref().is_some_and(|u| u.login == me)
        });
        if existing.is_some() || n < 100 {
            break;
        }
    }

    let payload = serde_json::json!({ "body": body });
    let answer = match &existing {
        Some(c) => {
            let url = format!("{base}/repos/{owner}/{repo}/issues/comments/{}", c.id);
            // An update is idempotent: the same body twice is the same comment.
            let req = Request::post_json(url, &payload, Call::Read).method("PATCH");
            send("the PR comment", req)
        }
        None => {
            let url = format!(
                "{base}/repos/{owner}/{repo}/issues/{}/comments",
                target.pr_number
            );
            send(
                "the PR comment",
                Request::post_json(url, &payload, Call::Create),
            )
        }
    };
    let written: Comment = match answer.and_then(|r| r.json(Service::GitHub, "the PR comment")) {
        Ok(c) => c,
        Err(e) => return classify(e, &target.token),
    };
    Ok(match existing {
        Some(c) => PrCommentOutcome::Updated {
            id: written.id,
            url: written.html_url.or(c.html_url),
        },
        None => PrCommentOutcome::Created {
            id: written.id,
            url: written.html_url,
        },
    })
}

/// 403/404 mean "not allowed here" (fork PR, read-only token, PR gone): skip with a reason.
/// Whatever GitHub echoed back is scrubbed of the token before it can reach a log.
fn classify(e: ApiError, token: &Secret) -> Result<PrCommentOutcome, PrCommentError> {
    let text = scrub(&e.to_string(), &[token]);
    match e {
        ApiError::Forbidden { .. } | ApiError::NotFound { .. } => Ok(PrCommentOutcome::Skipped {
            reason: format!(
                "{text}; a fork PR or a token without `pull-requests: write` cannot comment"
            ),
        }),
        _ => Err(PrCommentError::Api(text)),
    }
}

fn split_repository(r: &str) -> Result<(&str, &str), PrCommentError> {
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    match r.split_once('/') {
        Some((o, n)) if ok(o) && ok(n) => Ok((o, n)),
        _ => Err(PrCommentError::Repository(r.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_sanitises_job_key() {
        assert_eq!(marker(None), "<!-- xray-sync -->");
        assert_eq!(
            marker(Some("test (ubuntu) -->x")),
            "<!-- xray-sync job=test__ubuntu__--_x -->"
        );
    }

    #[test]
    fn repository_must_be_owner_slash_name() {
        assert!(split_repository("o/r").is_ok());
        for bad in ["o", "o/r/x", "../r", "o/..", "o/r?x=1", "/r"] {
            assert!(split_repository(bad).is_err(), "{bad}");
        }
    }
}
