//! The optional PR comment: one comment per pull request (per job key), updated in place.
//!
//! Owns the only GitHub API calls, through octocrab on a current-thread tokio runtime built
//! around this one call (the rest of xray-sync is blocking). The comment is found by a hidden
//! first-line marker *and* its author: anyone can paste the marker into their own comment, and a
//! write token could otherwise edit it. On fork PRs or a token without `pull-requests: write`
//! GitHub answers 403/404: that is reported as [`PrCommentOutcome::Skipped`] so the caller warns
//! and the run goes on. octocrab is built without its retry layer, so a create is never resent
//! blind.

use std::time::Duration;

use serde::Deserialize;

use crate::report::markdown::job_summary_markdown;
use crate::report::summary_data::RunSummary;
use crate::secret::{Secret, scrub};

/// GitHub rejects comment bodies over 65,536 characters; bytes ≥ characters, so a byte budget
/// with headroom is always within it.
pub const COMMENT_MAX_BYTES: usize = 60_000;

/// Login of the `GITHUB_TOKEN` identity, whose token cannot call `GET /user`.
const ACTIONS_BOT: &str = "github-actions[bot]";

/// Pages of 100 comments read while looking for ours.
const MAX_PAGES: u32 = 20;

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
    Setup(String),
    #[error("PR comment: GitHub answered HTTP {status}: {message}")]
    Rejected { status: u16, message: String },
    #[error("PR comment: {0}")]
    Transport(String),
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

/// The comment body: the marker, then the summary within the comment size limit. Nothing masks
/// a PR comment, so known secrets are scrubbed from it.
pub fn pr_comment_body(s: &RunSummary, job_key: Option<&str>, secrets: &[&Secret]) -> String {
    let m = marker(job_key);
    format!(
        "{m}\n{}",
        job_summary_markdown(&s.scrubbed(secrets), COMMENT_MAX_BYTES - m.len() - 1)
    )
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
pub fn upsert(target: &PrTarget, body: &str) -> Result<PrCommentOutcome, PrCommentError> {
    let (owner, repo) = split_repository(&target.repository)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PrCommentError::Setup(format!("starting the async runtime: {e}")))?;
    let body = scrub(body, &[&target.token]);
    let result = runtime.block_on(upsert_async(target, owner, repo, &body));
    // Whatever GitHub echoed back must not carry the token into a log.
    result.map_err(|e| match e {
        PrCommentError::Rejected { status, message } => PrCommentError::Rejected {
            status,
            message: scrub(&message, &[&target.token]),
        },
        PrCommentError::Transport(m) => PrCommentError::Transport(scrub(&m, &[&target.token])),
        other => other,
    })
}

async fn upsert_async(
    target: &PrTarget,
    owner: &str,
    repo: &str,
    body: &str,
) -> Result<PrCommentOutcome, PrCommentError> {
    let crab = octocrab::Octocrab::builder()
        .personal_token(target.token.expose().to_string())
        .set_connect_timeout(Some(Duration::from_secs(15)))
        .set_read_timeout(Some(Duration::from_secs(30)))
        .set_write_timeout(Some(Duration::from_secs(30)))
        .base_uri(target.api_url.trim_end_matches('/'))
        .map_err(|e| PrCommentError::Setup(format!("GITHUB_API_URL {:?}: {e}", target.api_url)))?
        .build()
        .map_err(|e| PrCommentError::Setup(e.to_string()))?;

    let marker = marker(target.job_key.as_deref());
    // A PAT can tell us its login; GITHUB_TOKEN cannot (403), and then comments are by the bot.
    let me = match crab.get::<User, _, ()>("/user", None).await {
        Ok(u) => u.login,
        Err(_) => ACTIONS_BOT.to_string(),
    };

    let mut existing = None;
    for page in 1..=MAX_PAGES {
        let route = format!(
            "/repos/{owner}/{repo}/issues/{}/comments?per_page=100&page={page}",
            target.pr_number
        );
        let comments: Vec<Comment> = match crab.get(route, None::<&()>).await {
            Ok(c) => c,
            Err(e) => return classify(e),
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
    match existing {
        Some(c) => {
            let route = format!("/repos/{owner}/{repo}/issues/comments/{}", c.id);
            match crab.patch::<Comment, _, _>(route, Some(&payload)).await {
                Ok(updated) => Ok(PrCommentOutcome::Updated {
                    id: updated.id,
                    url: updated.html_url.or(c.html_url),
                }),
                Err(e) => classify(e),
            }
        }
        None => {
            let route = format!("/repos/{owner}/{repo}/issues/{}/comments", target.pr_number);
            match crab.post::<_, Comment>(route, Some(&payload)).await {
                Ok(created) => Ok(PrCommentOutcome::Created {
                    id: created.id,
                    url: created.html_url,
                }),
                Err(e) => classify(e),
            }
        }
    }
}

/// 403/404 mean "not allowed here" (fork PR, read-only token, PR gone): skip with a reason.
fn classify(e: octocrab::Error) -> Result<PrCommentOutcome, PrCommentError> {
    match e {
        octocrab::Error::GitHub { source, .. } => {
            let status = source.status_code.as_u16();
            let message = source.message.clone();
            if status == 403 || status == 404 {
                Ok(PrCommentOutcome::Skipped {
                    reason: format!(
                        "GitHub answered HTTP {status} ({message}); a fork PR or a token without \
                         `pull-requests: write` cannot comment"
                    ),
                })
            } else {
                Err(PrCommentError::Rejected { status, message })
            }
        }
        other => Err(PrCommentError::Transport(other.to_string())),
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

    #[test]
    fn body_fits_comment_limit() {
        let s = RunSummary {
            flaky: vec!["x".repeat(150); 5000],
            ..RunSummary::default()
        };
        let b = pr_comment_body(&s, None, &[]);
        assert!(b.starts_with("<!-- xray-sync -->\n"));
        assert!(b.chars().count() <= 65_536);
    }
}
