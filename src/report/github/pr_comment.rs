//! The optional PR comment's body: the hidden marker, then the job summary within GitHub's
//! comment size limit. The calls that post it are `crate::github` (the GitHub client on the
//! shared HTTP stack); its types are re-exported here for callers.

use crate::report::markdown::job_summary_markdown;
use crate::report::summary_data::RunSummary;
use crate::secret::Secret;

pub use crate::github::{
    PrCommentError, PrCommentOutcome, PrTarget, marker, upsert_pr_comment as upsert,
};

/// GitHub rejects comment bodies over 65,536 characters; bytes ≥ characters, so a byte budget
/// with headroom is always within it.
pub const COMMENT_MAX_BYTES: usize = 60_000;

/// The comment body: the marker, then the summary within the comment size limit. Nothing masks
/// a PR comment, so known secrets are scrubbed from it.
pub fn pr_comment_body(s: &RunSummary, job_key: Option<&str>, secrets: &[&Secret]) -> String {
    let m = marker(job_key);
    format!(
        "{m}\n{}",
        job_summary_markdown(&s.scrubbed(secrets), COMMENT_MAX_BYTES - m.len() - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
