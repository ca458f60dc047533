//! The human summaries: of a plan (`run --dry-run`) and of what a run did.
//!
//! Owns wording and layout only: counts, the execution it would create or append to, tests by
//! identity source, the bugs it would file (with their dedup labels), and the notes. Plain text
//! with no colour, so CI logs stay readable. Long lists are capped.

use std::io::{self, Write};

use crate::plan::build_support::source_name;
use crate::plan::{ExecutionTarget, IdentitySource, Plan};
use crate::report::github::neutralise;
use crate::report::summary_data::RunSummary;
use crate::settings::{Product, Settings};

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
        match by_source.iter_mut().find(|(s, _)| *s == t.source) {
            Some((_, n)) => *n += 1,
            None => by_source.push((t.source, 1)),
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
                    u.fields.summary
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
                        i.label, i.fields.project, i.fields.summary
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
            writeln!(out, "  - {n}")?;
        }
    }
    if let Some(p) = &settings.output.plan_json {
        writeln!(out, "Request bodies written to {}", p.display())?;
    }
    Ok(())
}

/// The human summary after a run (and the bug lookups of a dry run with Jira credentials).
/// Untrusted text (test names, server messages) goes through `neutralise` so a CI log cannot be
/// turned into workflow commands.
pub fn render_run(s: &RunSummary, out: &mut dyn Write) -> io::Result<()> {
    let c = &s.counts;
    if !s.dry_run {
        writeln!(
            out,
            "Results: {} test(s): {} passed ({} flaky), {} failed, {} error(s), {} skipped",
            c.total, c.passed, c.flaky, c.failed, c.error, c.skipped
        )?;
    }
    if let Some(e) = &s.execution {
        match &e.url {
            Some(url) => writeln!(out, "Xray: results are in {} ({url})", e.key)?,
            None => writeln!(out, "Xray: results are in {}", e.key)?,
        }
    }
    if !s.bugs.is_empty() {
        writeln!(out, "Jira:")?;
        for b in s.bugs.iter().take(MAX_LISTED) {
            let key = b
                .key
                .as_deref()
                .map(|k| format!(" {k}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}{key}: {}",
                b.action.verb(s.dry_run),
                neutralise(&b.test)
            )?;
        }
        if s.bugs.len() > MAX_LISTED {
            writeln!(out, "  ... and {} more", s.bugs.len() - MAX_LISTED)?;
        }
    }
    for k in &s.stale_keys {
        writeln!(out, "stale key: {}", neutralise(k))?;
    }
    if !s.dry_run {
        for n in &s.notes {
            writeln!(out, "note: {}", neutralise(n))?;
        }
    }
    for e in &s.errors {
        writeln!(out, "error: {}", neutralise(e))?;
    }
    if let Some(p) = &s.report_path {
        writeln!(out, "Report written to {p}")?;
    }
    Ok(())
}
