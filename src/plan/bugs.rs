//! Jira intents: which bugs a run would file, before Jira is asked whether they exist.
//!
//! Owns per-test overrides, the mass-failure guard and close-on-pass candidates.
//! - One intent per failing *test id* (results merged on one key share one bug), and for flaky
//!   tests only when `file_flaky` is set.
//! - Overrides (`[[bugs.override]]`) apply in file order; each one whose `matches` is an exact
//!   Xray key of the test, or a glob matching its test id, definition or name, applies: later
//!   overrides win for single values, labels and components accumulate, `disable` drops the
//!   intent.
//! - Mass failure: more intents than `mass_failure_threshold` → `intents` stays empty and one
//!   `umbrella` issue (label `<prefix>mass-failure`) lists the failing tests instead, so a broken
//!   environment opens one issue, not hundreds.

use globset::{Glob, GlobMatcher};

use super::text::{failure_message, one_line};
use super::{
    AttemptSummary, BugFields, BugReport, IssueKey, JiraIntent, JiraPlan, PassingTest, TestView,
    Tests, UmbrellaIntent, dedup_label, label,
};
use crate::ci::CiContext;
use crate::model::OutcomeKind;
use crate::settings::{BugOverride, JiraPlanSettings};

const MAX_SUMMARY_CHARS: usize = 255;

/// An override with its matcher compiled once.
struct Rule<'a> {
    rule: &'a BugOverride,
    key: Option<IssueKey>,
    glob: Option<GlobMatcher>,
}

impl Rule<'_> {
    fn matches(&self, t: &TestView<'_>) -> bool {
        if let Some(key) = &self.key {
            return t.key() == Some(key);
        }
        self.glob.as_ref().is_some_and(|g| {
            g.is_match(t.test_id().as_ref())
                || g.is_match(t.definition().as_ref())
                || g.is_match(t.name())
        })
    }
}

pub(super) fn plan_jira(
    jira: &JiraPlanSettings,
    ci: &CiContext,
    tests: Tests<'_>,
    groups: &super::groups::Groups,
    run_marker: String,
    notes: &mut Vec<String>,
) -> JiraPlan {
    let rules: Vec<Rule> = jira
        .overrides
        .iter()
        .map(|rule| Rule {
            rule,
            key: IssueKey::parse(rule.matches.trim()),
            // Settings validate the globs; an invalid one here simply matches nothing.
            glob: Glob::new(&rule.matches).ok().map(|g| g.compile_matcher()),
        })
        .collect();

    // At most one intent per failing test: allocated once, not grown by doubling (an intent
    // is about 500 bytes, and a large run has tens of thousands).
    let wants_bug = |t: &TestView<'_>| {
        matches!(t.outcome(), OutcomeKind::Failed | OutcomeKind::Error)
            || (t.flaky() && jira.file_flaky)
    };
    let failing_tests = tests.iter().filter(wants_bug).count();
    let mut intents = Vec::with_capacity(failing_tests.min(groups.len()));
    let mut close_on_pass = Vec::new();
    let mut disabled = 0usize;
    for group in groups.iter() {
        let failing: Vec<usize> = group.iter().filter(|&i| wants_bug(&tests.get(i))).collect();
        let first = group.first();
        // Most tests pass: skip the label and field work unless close-on-pass needs them.
        if failing.is_empty() && !jira.close_on_pass {
            continue;
        }
        let rep = failing.first().copied().unwrap_or(first);
        let t = tests.get(rep);
        let dedup = dedup_label(&jira.label_prefix, &t.identity());
        let applied: Vec<&BugOverride> = rules
            .iter()
            .filter(|r| r.matches(&t))
            .map(|r| r.rule)
            .collect();
        if applied.iter().any(|o| o.disable) {
            if !failing.is_empty() {
                disabled += 1;
            }
            continue;
        }
        let name = test_name(&t);
        let fields = fields(jira, &t, &name, &dedup, &applied);
        if failing.is_empty() {
            let all_clean_pass = group
                .iter()
                .all(|i| tests.get(i).outcome() == OutcomeKind::Passed && !tests.get(i).flaky());
            if jira.close_on_pass && all_clean_pass {
                close_on_pass.push(PassingTest {
                    test: first,
                    label: dedup,
                    project: fields.project,
                });
            }
            continue;
        }
        intents.push(JiraIntent {
            test: rep,
            label: dedup,
            report: report(&t, &name, &failing, tests, ci),
            fields,
        });
    }
    intents.shrink_to_fit();
    if disabled > 0 {
        notes.push(format!(
            "{disabled} failing test(s) have bug filing disabled by [[bugs.override]]"
        ));
    }

    let umbrella = match jira.mass_failure_threshold {
        Some(limit) if intents.len() > limit => {
            notes.push(format!(
                "{} failing tests exceed the mass-failure threshold ({limit}): one umbrella issue instead of one bug each",
                intents.len()
            ));
            let umbrella_label = format!("{}mass-failure", label::sanitize(&jira.label_prefix));
            let mut summary = format!("{} tests failed in one run", intents.len());
            if let Some(w) = &ci.workflow {
                summary.push_str(&format!(" of {w}"));
            }
            if let Some(r) = &ci.ref_name {
                summary.push_str(&format!(" on {r}"));
            }
            let mut labels = vec![umbrella_label.clone(), jira.marker_label.clone()];
            push_unique(&mut labels, &jira.labels);
            let tests_in = intents.iter().map(|i| i.test).collect();
            intents.clear();
            Some(UmbrellaIntent {
                label: umbrella_label,
                fields: BugFields {
                    project: jira.project.clone(),
                    issue_type: jira.issue_type.clone(),
                    summary: one_line(&summary, MAX_SUMMARY_CHARS),
                    assignee: jira.assignee.clone(),
                    labels,
                    components: jira.components.clone(),
                    priority: jira.priority.clone(),
                },
                tests: tests_in,
                ci_run_url: ci.run_url.clone(),
                run: super::RunFacts::from_ci(ci),
            })
        }
        Some(_) | None => None,
    };

    JiraPlan {
        intents,
        umbrella,
        close_on_pass,
        run_marker,
    }
}

fn push_unique(into: &mut Vec<String>, extra: &[String]) {
    for l in extra {
        if !l.is_empty() && !into.contains(l) {
            into.push(l.clone());
        }
    }
}

fn fields(
    jira: &JiraPlanSettings,
    t: &TestView<'_>,
    name: &str,
    dedup: &str,
    applied: &[&BugOverride],
) -> BugFields {
    let mut project = jira.project.clone();
    let mut issue_type = jira.issue_type.clone();
    let mut assignee = jira.assignee.clone();
    let mut priority = jira.priority.clone();
    let mut labels = vec![dedup.to_string(), jira.marker_label.clone()];
    push_unique(&mut labels, &jira.labels);
    let mut components = jira.components.clone();
    for o in applied {
        if let Some(p) = &o.project {
            project = p.clone();
        }
        if let Some(i) = &o.issue_type {
            issue_type = i.clone();
        }
        if let Some(a) = &o.assignee {
            assignee = Some(a.clone());
        }
        if let Some(p) = &o.priority {
            priority = Some(p.clone());
        }
        push_unique(&mut labels, &o.labels);
        for c in &o.components {
            if !components.contains(c) {
                components.push(c.clone());
            }
        }
    }
    let key = t.key().map(|k| k.to_string()).unwrap_or_default();
    let definition = t.definition();
    let class = super::short_class(&definition, name).unwrap_or_default();
    let message = t.message();
    let message_line = message
        .as_deref()
        .and_then(super::text::message_line)
        .unwrap_or_default();
    // A missing class or message must not leave a stray `.` or `:` behind.
    let template = if class.is_empty() {
        jira.summary_template.replace("{short_class}.", "")
    } else {
        jira.summary_template.clone()
    };
    let summary = template
        .replace("{short_class}", &class)
        .replace("{message_first_line}", &message_line)
        .replace("{name}", name)
        .replace("{definition}", &definition)
        .replace("{test_id}", &t.test_id())
        .replace("{key}", &key);
    let summary = summary.trim_end_matches([':', ' ', '-']);
    BugFields {
        project,
        issue_type,
        summary: one_line(summary, MAX_SUMMARY_CHARS),
        assignee,
        labels,
        components,
        priority,
    }
}

/// The name of the Test a bug is about: a data-driven row regrouped under its Test
/// (`plan/iterations.rs`) is named by the Test (`test_div`, not `test_div[1-0]`), since the bug
/// stands for every failing row, which the report lists.
fn test_name(t: &TestView<'_>) -> String {
    if t.regrouped()
        && let Some(row) = super::iterations::row(t.name())
    {
        return row.base;
    }
    t.name().to_string()
}

fn report(
    t: &TestView<'_>,
    name: &str,
    failing: &[usize],
    tests: Tests<'_>,
    ci: &CiContext,
) -> BugReport {
    let cases = |i: usize| tests.get(i).case;
    let rep = cases(failing[0]);
    let failure = rep
        .outcome()
        .failure()
        .or_else(|| rep.attempts.iter().find_map(|a| a.outcome.failure()));
    let mut attempts = Vec::new();
    for &i in failing {
        for a in &cases(i).attempts {
            attempts.push(AttemptSummary {
                outcome: a.outcome.kind(),
                message: a.outcome.failure().and_then(|f| f.message).map(Into::into),
            });
        }
    }
    BugReport {
        test_id: t.test_id().into_owned(),
        name: name.to_string(),
        definition: t.definition().into_owned(),
        xray_key: t.key().cloned(),
        message: failure.and_then(|f| failure_message(f, &rep.name)),
        details: failure.and_then(|f| f.details).map(Into::into),
        ci_run_url: ci.run_url.clone(),
        attempts,
        flaky: failing.iter().any(|&i| tests.get(i).flaky()),
        file: rep.file().map(str::to_string),
        line: rep.line(),
        run: super::RunFacts::from_ci(ci),
        rows: if failing.iter().any(|&i| tests.get(i).name() != t.name())
            || tests.get(failing[0]).regrouped()
        {
            failing
                .iter()
                .map(|&i| tests.get(i).name().to_string())
                .collect()
        } else {
            Vec::new()
        },
    }
}
