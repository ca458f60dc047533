//! What a bug says: the Jira fields of a new bug (project, type, summary, labels, description,
//! assignee, components, priority) and the body of a comment on an existing one, built from the
//! plan by `body` and rendered by the client for Cloud (ADF) or DC (wiki markup).

use serde_json::{Value, json};

use super::{Filer, Item};
use crate::jira::body::{self, Block};
use crate::jira::jql;
use crate::settings::Product;

impl Filer<'_> {
    pub(super) fn comment_blocks(&self, item: &Item, reopened: bool) -> Vec<Block> {
        match item.report {
            Some(r) => body::failed_again(r, &self.context(item), reopened),
            None => body::umbrella(
                &self.umbrella_lines(item),
                &self.plan.run_marker,
                &item.label,
                true,
            ),
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
