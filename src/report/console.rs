//! The human summaries: of a plan (`run --dry-run`) and of what a run did.
//!
//! Owns wording and layout only: counts, the execution it would create or append to, tests by
//! identity source, the bugs it would file (with their dedup labels), and the notes. Plain text
//! with no colour, so CI logs stay readable. Long lists are capped.

use std::io::{self, Write};

use crate::model::OutcomeKind;
use crate::plan::build_support::source_name;
use crate::plan::{ExecutionTarget, IdentitySource, Plan};
use crate::report::summary_data::{Problem, RunSummary};
use crate::settings::{Product, Settings};
use crate::untrusted;

/// How many bugs are listed one per line before "... and N more".
const MAX_LISTED: usize = 25;

pub fn render_dry_run(plan: &Plan, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "xray-sync dry run: nothing was sent.")?;
    let c = &plan.counts;
    writeln!(
        out,
        "Results: {} test(s): {} passed ({} flaky), {} failed, {} error(s), {} skipped",
        c.total, c.passed, c.flaky, c.failed, c.error, c.skipped
    )?;

    let mut by_source: Vec<(IdentitySource, usize)> = Vec::new();
    for t in &plan.tests {
        match by_source.iter_mut().find(|(s, _)| *s == t.source()) {
            Some((_, n)) => *n += 1,
            None => by_source.push((t.source(), 1)),
        }
    }
    by_source.sort();
    if !by_source.is_empty() {
        writeln!(out, "Test identity:")?;
        for (source, n) in &by_source {
            let what = match source {
                IdentitySource::Definition => " (Xray matches or creates a Generic Test by it)",
                IdentitySource::PropertyTestId
                | IdentitySource::PropertyTestKey
                | IdentitySource::AllureTms
                | IdentitySource::AllureLabel
                | IdentitySource::Tag
                | IdentitySource::NameKey
                | IdentitySource::MappingFile => "",
            };
            writeln!(out, "  {n:>7}  by {}{what}", source_name(*source))?;
        }
    }

    match (&plan.xray, &settings.xray) {
        (Some(x), Some(xs)) => {
            let product = match x.product {
                Product::Cloud => "Xray Cloud",
                Product::Dc => "Xray DC",
            };
            let results: usize = x.chunks.iter().map(|c| c.tests.len()).sum();
            let requests = x.chunks.len();
            match &x.target {
                ExecutionTarget::Create { info, .. } => writeln!(
                    out,
                    "{product}: would create a Test Execution in {} \"{}\" with {results} result(s) in {requests} import request(s)",
                    info.project, info.summary
                )?,
                ExecutionTarget::Append { key, .. } => writeln!(
                    out,
                    "{product}: would append {results} result(s) to {key} in {requests} import request(s)"
                )?,
            }
            if let Some(plan_key) = &xs.test_plan {
                writeln!(out, "  Test Plan: {plan_key}")?;
            }
            if !xs.environments.is_empty() {
                writeln!(out, "  Environments: {}", xs.environments.join(", "))?;
            }
        }
        (Some(_), None) | (None, _) => writeln!(out, "Xray: nothing to send")?,
    }

    match &plan.jira {
        Some(j) => {
            if let Some(u) = &j.umbrella {
                writeln!(
                    out,
                    "Jira: would file or update ONE umbrella issue for {} failing test(s): [{}] {}",
                    u.tests.len(),
                    u.label,
                    untrusted::one_line(&u.fields.summary, untrusted::MAX_LINE_BYTES)
                )?;
            } else if j.intents.is_empty() {
                writeln!(out, "Jira: no bug to file")?;
            } else {
                writeln!(
                    out,
                    "Jira: would file or update {} bug(s) (label, project, summary):",
                    j.intents.len()
                )?;
                for i in j.intents.iter().take(MAX_LISTED) {
                    writeln!(
                        out,
                        "  {}  {}  {}",
                        i.label,
                        i.fields.project,
                        untrusted::one_line(&i.fields.summary, untrusted::MAX_LINE_BYTES)
                    )?;
                }
                if j.intents.len() > MAX_LISTED {
                    writeln!(out, "  ... and {} more", j.intents.len() - MAX_LISTED)?;
                }
            }
            if !j.close_on_pass.is_empty() {
                writeln!(
                    out,
                    "Jira: would close open bugs of {} passing test(s), if any",
                    j.close_on_pass.len()
                )?;
            }
            if j.umbrella.is_some() || !j.intents.is_empty() {
                writeln!(
                    out,
                    "  Each label is searched first: an open bug gets a comment (once per run), otherwise a new bug is created."
                )?;
                let searched = settings.jira.as_ref().is_some_and(|js| js.is_live());
                writeln!(
                    out,
                    "  {}",
                    if searched {
                        "Jira credentials are set: the lookups below are real, read-only searches."
                    } else {
                        "Without Jira credentials the dry run cannot know which bugs already exist."
                    }
                )?;
            }
        }
        None => writeln!(out, "Jira: no bug filing")?,
    }

    if !plan.notes.is_empty() {
        writeln!(out, "Notes:")?;
        for n in &plan.notes {
            writeln!(
                out,
                "  - {}",
                untrusted::one_line(n, untrusted::MAX_LINE_BYTES)
            )?;
        }
    }
    if let Some(p) = &settings.output.plan_json {
        writeln!(out, "Request bodies written to {}", p.display())?;
    }
    Ok(())
}

/// Failed tests listed one per entry before "... and N more": one screen for a normal run.
const MAX_FAILURES_LISTED: usize = 20;
/// Longest first line of a failure message in the console, in bytes.
const MESSAGE_BYTES: usize = 300;

/// The human summary after a run (and the bug lookups of a dry run with Jira credentials): the
/// same facts as the job summary, links as full URLs. Untrusted text (test names, messages,
/// server answers) goes through [`untrusted`] so a CI log cannot be turned into workflow
/// commands or terminal escapes, and single-line fields are cut to
/// [`untrusted::MAX_LINE_BYTES`].
pub fn render_run(s: &RunSummary, out: &mut dyn Write) -> io::Result<()> {
    let line = |t: &str| untrusted::one_line(t, untrusted::MAX_LINE_BYTES);
    let c = &s.counts;
    if !s.dry_run {
        let failed = s.failed_total();
        let verdict = if c.total == 0 {
            "no test results".to_string()
        } else if failed > 0 {
            format!("{failed} of {} tests failed", c.total)
        } else {
            format!("all {} tests passed", c.total)
        };
        writeln!(
            out,
            "xray-sync: {verdict} ({} passed, {} failed, {} error(s), {} skipped, {} flaky)",
            c.passed, c.failed, c.error, c.skipped, c.flaky
        )?;
    }
    if let Some(e) = &s.execution {
        match &e.url {
            Some(url) => writeln!(out, "Xray: results are in {} ({})", line(&e.key), line(url))?,
            None => writeln!(out, "Xray: results are in {}", line(&e.key))?,
        }
    }
    if let Some(url) = &s.run_url {
        writeln!(out, "CI run: {}", line(url))?;
    }
    let problems: Vec<Problem> = s
        .problems
        .iter()
        .cloned()
        .chain(s.errors.iter().map(Problem::new))
        .collect();
    if !problems.is_empty() {
        writeln!(out, "Problems ({}):", problems.len())?;
        for p in &problems {
            writeln!(out, "  - {}", line(&p.text))?;
            if let Some(cmd) = &p.command {
                writeln!(out, "      {}", line(cmd))?;
            }
        }
    }
    for k in &s.stale_keys {
        writeln!(out, "stale key: {}", line(k))?;
    }
    if !s.failures.is_empty() {
        writeln!(out, "Failed tests ({}):", s.failures.len())?;
        let mut rows: Vec<_> = s.failures.iter().collect();
        rows.sort_by_key(|f| f.kind != OutcomeKind::Error);
        for f in rows.iter().take(MAX_FAILURES_LISTED) {
            let error = if f.kind == OutcomeKind::Error {
                " (error)"
            } else {
                ""
            };
            let message = f
                .message_line()
                .map(|m| format!(": {}", untrusted::one_line(&m, MESSAGE_BYTES)))
                .unwrap_or_default();
            writeln!(out, "  ✗ {}{error}{message}", line(&f.short_title()))?;
            let mut facts = Vec::new();
            if let Some(b) = &f.bug {
                let key = b.key.as_deref().map(line).unwrap_or("new bug".into());
                let url = b.url.as_deref().map(|u| format!(" {}", line(u)));
                facts.push(format!(
                    "bug {key} {}{}",
                    b.action.verb(s.dry_run),
                    url.unwrap_or_default()
                ));
            }
            if let Some(k) = &f.xray_key {
                let url = f.xray_url.as_deref().map(|u| format!(" {}", line(u)));
                facts.push(format!("Xray Test {}{}", line(k), url.unwrap_or_default()));
            }
            if f.attempts > 1 {
                facts.push(format!("{} attempts", f.attempts));
            }
            if !facts.is_empty() {
                writeln!(out, "      {}", facts.join(" · "))?;
            }
        }
        if rows.len() > MAX_FAILURES_LISTED {
            let where_ = match &s.report_path {
                Some(p) => format!("the JSON report {}", line(p)),
                None => "the job summary, or run with --report FILE".to_string(),
            };
            writeln!(
                out,
                "  ... and {} more (all of them are in {where_})",
                rows.len() - MAX_FAILURES_LISTED
            )?;
        }
    }
    if !s.flaky.is_empty() {
        let names: Vec<String> = s.flaky.iter().take(MAX_LISTED).map(|n| line(n)).collect();
        let more = if s.flaky.len() > MAX_LISTED {
            format!(" ... and {} more", s.flaky.len() - MAX_LISTED)
        } else {
            String::new()
        };
        writeln!(
            out,
            "Flaky tests ({}): {}{more}",
            s.flaky.len(),
            names.join(", ")
        )?;
    }
    let other = s.other_bugs();
    if !other.is_empty() {
        writeln!(out, "Jira:")?;
        for b in other.iter().take(MAX_LISTED) {
            let key = b.key.as_deref().map(|k| format!(" {}", line(k)));
            let url = b.url.as_deref().map(|u| format!(" {}", line(u)));
            writeln!(
                out,
                "  {}{}: {}{}",
                b.action.verb(s.dry_run),
                key.unwrap_or_default(),
                line(&b.test),
                url.unwrap_or_default()
            )?;
        }
        if other.len() > MAX_LISTED {
            writeln!(out, "  ... and {} more", other.len() - MAX_LISTED)?;
        }
    }
    if !s.dry_run {
        for n in &s.notes {
            writeln!(out, "note: {}", line(n))?;
        }
    }
    if let Some(p) = &s.report_path {
        writeln!(out, "Report written to {}", line(p))?;
    }
    Ok(())
}
