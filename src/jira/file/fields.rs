//! What a bug says: the Jira fields of a new bug (project, type, summary, labels, description,
//! assignee, components, priority) and the body of a comment on an existing one, built from the
//! plan by `body` and rendered by the client for Cloud (ADF) or DC (wiki markup).

use serde_json::{Value, json};

use super::{Filer, Item};
use crate::jira::body::{self, Block};
use crate::jira::client::Issue;
use crate::jira::jql;
use crate::plan::RunFacts;
use crate::settings::Product;

impl Filer<'_> {
    pub(super) fn comment_blocks(&self, item: &Item, target: &Issue, reopened: bool) -> Vec<Block> {
        match item.report {
            Some(r) => body::failed_again(
                r,
                &self.context(item),
                reopened,
                message_differs(r.message.as_deref(), &target.summary),
            ),
            None => body::umbrella(
                &self.umbrella_lines(item),
                self.umbrella_run(),
                &self.plan.run_marker,
                &item.label,
                true,
            ),
        }
    }

    /// The label a bug gets from the CI run that created it (`<prefix>run-<hash of the run
    /// marker>`): a later invocation in the same CI run sees it in the label search's answer and
    /// does not comment on a bug that run filed minutes earlier.
    pub(super) fn run_label(&self) -> String {
        created_in_run_label(&self.settings.label_prefix, &self.plan.run_marker)
    }

    /// The CI run the umbrella issue's texts link.
    fn umbrella_run(&self) -> body::RunRef<'_> {
        static NONE: RunFacts = RunFacts {
            title: None,
            sha: None,
            branch: None,
            pr_number: None,
        };
        match &self.plan.umbrella {
            Some(u) => body::RunRef {
                url: u.ci_run_url.as_deref(),
                facts: &u.run,
            },
            None => body::RunRef {
                url: None,
                facts: &NONE,
            },
        }
    }

    pub(super) fn context<'b>(&'b self, item: &'b Item) -> body::Context<'b> {
        body::Context {
            xray_url: None,
            label: &item.label,
            run_marker: &self.plan.run_marker,
        }
    }

    pub(super) fn umbrella_lines<'b>(&self, item: &'b Item) -> Vec<body::UmbrellaLine<'b>> {
        item.umbrella_lines
            .iter()
            .map(|(id, msg, key)| body::UmbrellaLine {
                test_id: id,
                message: msg.as_deref(),
                xray_key: key
                    .as_ref()
                    .map(|k| (k, self.client.browse_url(k.as_str()))),
            })
            .collect()
    }

    pub(super) fn create_fields(&self, item: &Item) -> Value {
        let f = item.fields;
        let blocks = match item.report {
            Some(r) => {
                let url = r
                    .xray_key
                    .as_ref()
                    .map(|k| self.client.browse_url(k.as_str()));
                let ctx = body::Context {
                    xray_url: url.as_deref(),
                    ..self.context(item)
                };
                body::bug_description(r, &ctx)
            }
            None => body::umbrella(
                &self.umbrella_lines(item),
                self.umbrella_run(),
                &self.plan.run_marker,
                &item.label,
                false,
            ),
        };
        let mut labels = vec![item.label.clone()];
        for l in &f.labels {
            let l = jql::label(l);
            if !l.is_empty() && !labels.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                labels.push(l);
            }
        }
        if !self.plan.run_marker.is_empty() {
            labels.push(self.run_label());
        }
        let issuetype =
            if !f.issue_type.is_empty() && f.issue_type.bytes().all(|b| b.is_ascii_digit()) {
                json!({"id": f.issue_type})
            } else {
                json!({"name": f.issue_type})
            };
        let mut fields = json!({
            "project": {"key": f.project},
            "issuetype": issuetype,
            "summary": summary(&f.summary, item.test_id.as_deref()),
            "labels": labels,
            "description": self.client.rich_text(blocks),
        });
        if let Some(a) = f.assignee.as_deref().filter(|a| !a.is_empty()) {
            fields["assignee"] = match self.client.product() {
                Product::Cloud => json!({"accountId": a}),
                Product::Dc => json!({"name": a}),
            };
        }
        if !f.components.is_empty() {
            fields["components"] = json!(
                f.components
                    .iter()
                    .map(|c| json!({"name": c}))
                    .collect::<Vec<_>>()
            );
        }
        if let Some(p) = f.priority.as_deref().filter(|p| !p.is_empty()) {
            fields["priority"] = json!({"name": p});
        }
        fields
    }
}

/// See [`Filer::run_label`].
pub fn created_in_run_label(prefix: &str, run_marker: &str) -> String {
    jql::label(&format!(
        "{}run-{}",
        crate::plan::label::sanitize(prefix),
        crate::plan::label::definition_hash(run_marker)
    ))
}

/// Whether a comment should repeat the message: only when the bug's title does not already
/// carry its first line (the default title does), so a new kind of failure stands out.
fn message_differs(message: Option<&str>, bug_summary: &str) -> bool {
    let Some(first) = message.and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty())) else {
        return false;
    };
    // Titles are cut to 255 characters and whitespace is collapsed: compare a prefix.
    let head: String = first
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(80)
        .collect();
    !bug_summary.contains(&head)
}

/// The summary Jira accepts: one line, at most 255 characters, never empty.
pub fn summary(raw: &str, test_id: Option<&str>) -> String {
    let one_line = raw
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let s = if one_line.is_empty() {
        format!("Test failed: {}", test_id.unwrap_or("(unnamed test)"))
    } else {
        one_line
    };
    if s.chars().count() <= 255 {
        s
    } else {
        let mut cut: String = s.chars().take(254).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_repeats_only_when_the_title_lacks_it() {
        let title = "CalcTest.adds: expected 3 but was 4";
        assert!(!message_differs(Some("expected 3 but was 4\n at x"), title));
        assert!(message_differs(Some("NullPointerException"), title));
        assert!(!message_differs(None, title));
    }

    #[test]
    fn run_label_is_a_valid_label_per_marker() {
        let a = created_in_run_label("xs-", "github:42-1");
        assert!(a.starts_with("xs-run-"), "{a}");
        assert!(!a.contains(' '));
        assert_ne!(a, created_in_run_label("xs-", "github:42-2"));
    }

    #[test]
    fn summary_is_one_line_and_bounded() {
        assert_eq!(
            summary("Test failed: a\nb\r\tc", None),
            "Test failed: a b c"
        );
        assert_eq!(summary("  ", Some("pkg.T")), "Test failed: pkg.T");
        let long = summary(&"é".repeat(400), None);
        assert_eq!(long.chars().count(), 255);
        assert!(long.ends_with('…'));
    }
}
