//! `build`: results + settings → `Plan`. Pure: no network, no clock, no environment.
//!
//! Order of work: map every result (`mapping`), keep those in scope (`--include`/`--exclude`),
//! apply the unmapped policy, group results that share a test id (parametrized tests become one
//! Xray result with one iteration each), build the Xray results and split them into chunks,
//! then derive the Jira intents (`bugs`).
//!
//! Status of a merged result, worst wins: error > failed > skipped > flaky > passed. This
//! mirrors Xray's own merge of repeated JUnit test cases (all passed → passed, any failed →
//! failed, otherwise to do).

use std::collections::HashMap;

use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    ChunkTest, ExecutionTarget, IdentitySource, IssueKey, Plan, PlannedEvidence, PlannedTest,
    TestIdentity, XrayChunk, XrayPlan, bugs, chunk,
};
use crate::ci::CiContext;
use crate::mapping::{Mapper, MappingError, Rejection};
use crate::model::{Attachment, Counts, Outcome, OutcomeKind, TestCase, TestRun};
use crate::settings::{Product, Settings, StatusMap, UnmappedPolicy, XraySettings};
use crate::xray::payload;

/// Xray Cloud's limit for a run comment; DC accepts more, one limit keeps plans identical.
pub const MAX_COMMENT_CHARS: usize = 8_192;
/// Jira's summary limit.
pub const MAX_SUMMARY_CHARS: usize = 255;
const CUT_MARKER: &str = "\n[... truncated by xray-sync]";
/// How many example ids an error or note lists.
const EXAMPLES: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "{count} result(s) are not mapped to an Xray Test and the unmapped policy is `fail` \
         (XRAY_SYNC_UNMAPPED / --unmapped / [mapping] unmapped), e.g. {}",
        examples.join(", ")
    )]
    Unmapped { count: usize, examples: Vec<String> },
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(
        "invalid scope glob {pattern:?} (XRAY_SYNC_INCLUDE / XRAY_SYNC_EXCLUDE / --include / --exclude): {message}"
    )]
    BadScope { pattern: String, message: String },
}

/// One result kept in scope, with its case.
struct Kept<'a> {
    case: &'a TestCase,
    mapped: crate::mapping::Mapped,
}

pub fn build(run: &TestRun, settings: &Settings) -> Result<Plan, PlanError> {
    let mapper = Mapper::new(&settings.mapping)?;
    let scope = Scope::new(&settings.scope.include, &settings.scope.exclude)?;
    let mut notes = settings.notes.clone();
    // Without --strict a malformed file is skipped, not fatal; the user must still be told
    // which file and where (path:line), or its tests silently vanish from the run.
    for f in &run.files {
        if let crate::model::FileStatus::Failed { error } = &f.status {
            notes.push(format!("result file not read: {error}"));
        }
        for n in &f.notes {
            notes.push(format!("{}: {n}", f.path.display()));
        }
    }

    let mut rejected: Vec<(String, Rejection)> = Vec::new();
    let mut kept: Vec<Kept> = Vec::with_capacity(run.cases.len());
    let mut out_of_scope = 0usize;
    let mut unmapped_skipped = 0usize;
    let mut unmapped_failed: Vec<String> = Vec::new();
    let mut case_rejections = Vec::new();
    for case in &run.cases {
        case_rejections.clear();
        let mapped = mapper.map(case, &mut case_rejections);
        for r in case_rejections.drain(..) {
            rejected.push((mapped.definition.clone(), r));
        }
        if !scope.allows(mapped.test_id(), &mapped.definition, case) {
            out_of_scope += 1;
            continue;
        }
        if mapped.source == IdentitySource::Definition {
            match settings.mapping.unmapped {
                UnmappedPolicy::Create => {}
                UnmappedPolicy::Skip => {
                    unmapped_skipped += 1;
                    continue;
                }
                UnmappedPolicy::Fail => {
                    unmapped_failed.push(mapped.definition.clone());
                    continue;
                }
            }
        }
        kept.push(Kept { case, mapped });
    }
    if !unmapped_failed.is_empty() {
        return Err(PlanError::Unmapped {
            count: unmapped_failed.len(),
            examples: unmapped_failed.into_iter().take(EXAMPLES).collect(),
        });
    }
    push_rejection_notes(&mut notes, &rejected);
    if out_of_scope > 0 {
        notes.push(format!(
            "{out_of_scope} result(s) left out by --include/--exclude"
        ));
    }
    if unmapped_skipped > 0 {
        notes.push(format!(
            "{unmapped_skipped} unmapped result(s) left out (--unmapped skip): no Test is created"
        ));
    }

    let statuses = match &settings.xray {
        Some(x) => x.statuses.clone(),
        None => StatusMap::defaults(Product::Cloud),
    };
    let mut counts = Counts::default();
    let mut tests = Vec::with_capacity(kept.len());
    for k in &kept {
        counts.add(k.case);
        tests.push(planned_test(k, &statuses));
    }

    // Results sharing a test id become one Xray result; groups keep first-seen order.
    let mut group_of: HashMap<&str, usize> = HashMap::with_capacity(tests.len());
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, t) in tests.iter().enumerate() {
        let g = *group_of.entry(t.test_id.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let cases: Vec<&TestCase> = kept.iter().map(|k| k.case).collect();

    let xray = match &settings.xray {
        Some(x) if !groups.is_empty() => Some(xray_plan(
            run,
            x,
            &settings.ci,
            &tests,
            &cases,
            &groups,
            &counts,
        )),
        Some(_) => {
            notes.push("no results in scope: nothing to send to Xray".into());
            None
        }
        None => None,
    };
    let jira = settings.jira.as_ref().map(|j| {
        let marker = run_marker(run, &settings.ci);
        bugs::plan_jira(j, &settings.ci, &tests, &cases, &groups, marker, &mut notes)
    });

    Ok(Plan {
        counts,
        tests,
        xray,
        jira,
        notes,
    })
}

fn push_rejection_notes(notes: &mut Vec<String>, rejected: &[(String, Rejection)]) {
    for (definition, r) in rejected.iter().take(EXAMPLES) {
        notes.push(format!(
            "{definition}: {} {:?} {}; tried the next identity source",
            source_name(r.source),
            r.value,
            r.reason
        ));
    }
    if rejected.len() > EXAMPLES {
        notes.push(format!(
            "... and {} more refused key(s)",
            rejected.len() - EXAMPLES
        ));
    }
}

/// Human name of an identity source, as used in notes and the console.
pub fn source_name(source: IdentitySource) -> &'static str {
    match source {
        IdentitySource::PropertyTestId => "property test_id",
        IdentitySource::PropertyTestKey => "property test_key",
        IdentitySource::AllureTms => "Allure tms link",
        IdentitySource::AllureLabel => "Allure label",
        IdentitySource::NameKey => "key in the test name",
        IdentitySource::MappingFile => "mapping file",
        IdentitySource::Definition => "definition",
    }
}

fn status_of(case: &TestCase, statuses: &StatusMap) -> String {
    match case.outcome().kind() {
        OutcomeKind::Passed if case.flaky => statuses.flaky.clone(),
        OutcomeKind::Passed => statuses.passed.clone(),
        OutcomeKind::Failed => statuses.failed.clone(),
        OutcomeKind::Error => statuses.error.clone(),
        OutcomeKind::Skipped => statuses.skipped.clone(),
    }
}

/// Merge rank: higher is worse (see the module doc).
fn rank(case: &TestCase) -> u8 {
    match case.outcome().kind() {
        OutcomeKind::Passed if case.flaky => 1,
        OutcomeKind::Passed => 0,
        OutcomeKind::Skipped => 2,
        OutcomeKind::Failed => 3,
        OutcomeKind::Error => 4,
    }
}

fn planned_test(k: &Kept, statuses: &StatusMap) -> PlannedTest {
    let case = k.case;
    let first_source = case.attempts.first().map(|a| &a.source);
    let (file, line) = match (case.file(), first_source) {
        (Some(f), _) => (Some(f.to_owned()), case.line()),
        (None, Some(src)) => (
            Some(src.path.display().to_string()),
            src.line.and_then(|l| u32::try_from(l).ok()),
        ),
        (None, None) => (None, None),
    };
    PlannedTest {
        test_id: k.mapped.test_id().to_string(),
        name: case.name.clone(),
        definition: k.mapped.definition.clone(),
        identity: k.mapped.identity.clone(),
        source: k.mapped.source,
        outcome: case.outcome().kind(),
        flaky: case.flaky,
        status: status_of(case, statuses),
        file,
        line,
        message: case.outcome().failure().and_then(|f| f.message.clone()),
    }
}

fn xray_plan(
    run: &TestRun,
    x: &XraySettings,
    ci: &CiContext,
    tests: &[PlannedTest],
    cases: &[&TestCase],
    groups: &[Vec<usize>],
    counts: &Counts,
) -> XrayPlan {
    let mut entries: Vec<ChunkTest> = Vec::with_capacity(groups.len());
    let mut sizes: Vec<usize> = Vec::with_capacity(groups.len());
    for group in groups {
        let entry = chunk_test(x, tests, cases, group);
        // The comma between array elements counts too; inline evidence is known now, files are
        // not (they are read at send time and bounded by the evidence limits).
        let inline: usize = entry
            .evidence
            .iter()
            .map(|e| match e {
                PlannedEvidence::Inline { base64, .. } => base64.len() + 64,
                PlannedEvidence::File { .. } => 0,
            })
            .sum();
        sizes.push(chunk::json_size(&entry.result) + 1 + inline);
        entries.push(entry);
    }
    let ranges = chunk::split(&sizes, x.chunk);
    let mut entries = entries.into_iter();
    let chunks = ranges
        .into_iter()
        .enumerate()
        .map(|(index, r)| XrayChunk {
            index,
            tests: entries.by_ref().take(r.len()).collect(),
        })
        .collect();

    let info = info(run, x, ci, cases, counts);
    let target = match x.test_execution.as_deref().and_then(IssueKey::parse) {
        Some(key) => ExecutionTarget::Append { key, info },
        None => ExecutionTarget::Create {
            info,
            labels: x.execution_labels.clone(),
        },
    };
    XrayPlan {
        product: x.product,
        target,
        chunks,
    }
}

fn chunk_test(
    x: &XraySettings,
    tests: &[PlannedTest],
    cases: &[&TestCase],
    group: &[usize],
) -> ChunkTest {
    let first = group[0];
    let case = cases[first];
    let planned = &tests[first];
    let mut result = payload::TestResult::default();
    match &planned.identity {
        TestIdentity::Key(key) => result.test_key = Some(key.to_string()),
        TestIdentity::Definition(definition) => {
            result.test_info = Some(test_info(x, case, definition));
        }
    }

    let worst = group
        .iter()
        .copied()
        .max_by_key(|&i| rank(cases[i]))
        .unwrap_or(first);
    result.status = tests[worst].status.clone();

    let mut start: Option<OffsetDateTime> = None;
    let mut finish: Option<OffsetDateTime> = None;
    for &i in group {
        if let Some((s, f)) = span(cases[i]) {
            start = Some(start.map_or(s, |cur| cur.min(s)));
            finish = Some(finish.map_or(f, |cur| cur.max(f)));
        }
    }
    result.start = start.and_then(rfc3339);
    result.finish = finish.and_then(rfc3339);

    let mut comments: Vec<String> = Vec::new();
    for &i in group {
        if let Some(c) = comment(cases[i]) {
            comments.push(if group.len() > 1 {
                format!("[{}]\n{c}", cases[i].name)
            } else {
                c
            });
        }
    }
    result.comment =
        (!comments.is_empty()).then(|| bound_chars(comments.join("\n\n"), MAX_COMMENT_CHARS));

    if group.len() > 1 {
        result.iterations = group
            .iter()
            .map(|&i| payload::Iteration {
                name: Some(cases[i].name.clone()),
                parameters: cases[i]
                    .parameters()
                    .iter()
                    .map(|p| payload::Parameter {
                        name: p.name.clone(),
                        value: p.value.clone(),
                    })
                    .collect(),
                status: tests[i].status.clone(),
            })
            .collect();
    }

    let mut evidence: Vec<PlannedEvidence> = Vec::new();
    for &i in group {
        for a in cases[i].attachments() {
            let e = planned_evidence(a);
            if !evidence.contains(&e) {
                evidence.push(e);
            }
        }
    }
    ChunkTest {
        test: first,
        result,
        evidence,
        merged: group[1..].to_vec(),
    }
}

fn test_info(x: &XraySettings, case: &TestCase, definition: &str) -> payload::TestInfo {
    let summary = case
        .property("test_summary")
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| case.name.clone());
    let test_type = match x.product {
        Product::Cloud => payload::TestType::Cloud("Generic".into()),
        Product::Dc => payload::TestType::Dc("Generic".into()),
    };
    payload::TestInfo {
        project_key: x.project.clone(),
        summary: one_line(&summary, MAX_SUMMARY_CHARS),
        test_type,
        definition: Some(definition.to_string()),
        // xray-junit-extensions `tags`; labels with spaces would make Jira refuse the Test.
        labels: list_property(case, "tags")
            .filter(|t| !t.contains(char::is_whitespace))
            .collect(),
        requirement_keys: list_property(case, "requirements")
            .filter(|k| IssueKey::parse(k).is_some())
            .collect(),
    }
}

fn list_property<'a>(case: &'a TestCase, name: &str) -> impl Iterator<Item = String> + 'a {
    case.property(name)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Start and finish of a case over its attempts, when any start is known.
fn span(case: &TestCase) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let mut out: Option<(OffsetDateTime, OffsetDateTime)> = None;
    for a in &case.attempts {
        let Some(s) = a.started_at else { continue };
        let f = end_of(s, a.duration_secs);
        out = Some(match out {
            Some((s0, f0)) => (s0.min(s), f0.max(f)),
            None => (s, f),
        });
    }
    out
}

/// `start + duration`, never before `start`, never panicking on absurd durations.
fn end_of(start: OffsetDateTime, secs: Option<f64>) -> OffsetDateTime {
    secs.filter(|s| s.is_finite() && *s > 0.0)
        .and_then(time::Duration::checked_seconds_f64)
        .and_then(|d| start.checked_add(d))
        .unwrap_or(start)
}

/// RFC 3339 with the offset the input had (`Z` for UTC), to the millisecond.
pub fn rfc3339(t: OffsetDateTime) -> Option<String> {
    let ms = t.nanosecond() / 1_000_000 * 1_000_000;
    t.replace_nanosecond(ms).ok()?.format(&Rfc3339).ok()
}

/// The run comment: `testrun_comment`, then the failure message and trimmed details (or the
/// flaky history, or the skip reason).
fn comment(case: &TestCase) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = case
        .property("testrun_comment")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        parts.push(c.to_string());
    }
    match case.outcome() {
        Outcome::Failed(f) | Outcome::Error(f) => push_failure(&mut parts, f),
        Outcome::Passed if case.flaky => {
            let failed = case
                .attempts
                .iter()
                .filter(|a| a.outcome.is_failure())
                .count();
            parts.push(format!(
                "Flaky: passed after {failed} failed attempt(s) of {}.",
                case.attempts.len()
            ));
            if let Some(f) = case.attempts.iter().find_map(|a| a.outcome.failure()) {
                push_failure(&mut parts, f);
            }
        }
        Outcome::Skipped { message: Some(m) } if !m.trim().is_empty() => {
            parts.push(m.trim().to_string());
        }
        Outcome::Passed | Outcome::Skipped { .. } => {}
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn push_failure(parts: &mut Vec<String>, f: &crate::model::Failure) {
    let message = f
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let details = f
        .details
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    // Stack traces usually start with the message; saying it twice wastes the 8 KB.
    match (message, details) {
        (Some(m), Some(d)) if d.starts_with(m) => parts.push(d.to_string()),
        (Some(m), Some(d)) => {
            parts.push(m.to_string());
            parts.push(d.to_string());
        }
        (Some(m), None) => parts.push(m.to_string()),
        (None, Some(d)) => parts.push(d.to_string()),
        (None, None) => {
            if let Some(kind) = &f.kind {
                parts.push(kind.clone());
            }
        }
    }
}

/// Cuts `text` to at most `max` characters, marker included.
pub fn bound_chars(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let keep = max.saturating_sub(CUT_MARKER.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(CUT_MARKER);
    out
}

/// One line (newlines become spaces, runs collapsed), at most `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let mut out: String = joined.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn planned_evidence(a: &Attachment) -> PlannedEvidence {
    match a {
        Attachment::File {
            path,
            name,
            content_type,
        } => {
            let filename = name
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| path.file_name().map(|f| f.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "evidence".into());
            let content_type = content_type
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| content_type_for(&filename).into());
            PlannedEvidence::File {
                path: path.clone(),
                filename,
                content_type,
            }
        }
        Attachment::Inline { name, base64 } => PlannedEvidence::Inline {
            filename: name.clone(),
            content_type: content_type_for(name).into(),
            base64: base64.clone(),
        },
    }
}

/// A content type guessed from the file extension; `application/octet-stream` otherwise.
pub fn content_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "txt" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

fn info(
    run: &TestRun,
    x: &XraySettings,
    ci: &CiContext,
    cases: &[&TestCase],
    counts: &Counts,
) -> payload::Info {
    let mut start: Option<OffsetDateTime> = None;
    let mut finish: Option<OffsetDateTime> = None;
    for case in cases {
        if let Some((s, f)) = span(case) {
            start = Some(start.map_or(s, |c| c.min(s)));
            finish = Some(finish.map_or(f, |c| c.max(f)));
        }
    }
    let summary = one_line(
        &expand_template(&x.summary_template, &x.project, run, ci, counts),
        MAX_SUMMARY_CHARS,
    );
    let summary = if summary.is_empty() {
        "Automated test run".to_string()
    } else {
        summary
    };
    payload::Info {
        project: x.project.clone(),
        summary,
        description: x
            .description
            .as_ref()
            .map(|d| expand_template(d, &x.project, run, ci, counts))
            .or_else(|| ci_description(ci)),
        version: x.fix_version.clone(),
        revision: x.revision.clone().or_else(|| ci.sha.clone()),
        start_date: start.and_then(rfc3339),
        finish_date: finish.and_then(rfc3339),
        test_plan_key: x.test_plan.clone(),
        test_environments: x.environments.clone(),
    }
}

/// Expands `{project} {date} {run_id} {sha} {ref} {workflow} {job} {total} {passed} {failed}`.
/// `{date}` is the UTC date of the run's earliest start (empty when unknown: never the clock).
/// `{failed}` counts failures and errors. Unknown placeholders are left as written.
pub fn expand_template(
    template: &str,
    project: &str,
    run: &TestRun,
    ci: &CiContext,
    counts: &Counts,
) -> String {
    let date = run
        .started_at()
        .map(|t| {
            let d = t.to_offset(time::UtcOffset::UTC).date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let short_sha = ci
        .sha
        .as_deref()
        .map(|s| s.chars().take(12).collect::<String>());
    let pairs: [(&str, String); 10] = [
        ("{project}", project.to_string()),
        ("{date}", date),
        ("{run_id}", opt(&ci.run_id)),
        ("{sha}", short_sha.unwrap_or_default()),
        ("{ref}", opt(&ci.ref_name)),
        ("{workflow}", opt(&ci.workflow)),
        ("{job}", opt(&ci.job)),
        ("{total}", counts.total.to_string()),
        ("{passed}", counts.passed.to_string()),
        ("{failed}", (counts.failed + counts.error).to_string()),
    ];
    let mut out = template.to_string();
    for (k, v) in pairs {
        if out.contains(k) {
            out = out.replace(k, &v);
        }
    }
    out
}

fn ci_description(ci: &CiContext) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(url) = &ci.run_url {
        lines.push(format!("CI run: {url}"));
    }
    if let Some(r) = &ci.ref_name {
        lines.push(format!("Ref: {r}"));
    }
    if let Some(s) = &ci.sha {
        lines.push(format!("Commit: {s}"));
    }
    if let Some(pr) = ci.pr_number {
        lines.push(format!("Pull request: #{pr}"));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The marker that tells "this CI run already commented": the CI run id (with attempt), or
/// locally a hash of the inputs (file paths, test definitions and outcomes), so re-running the
/// same local command does not comment twice.
pub fn run_marker(run: &TestRun, ci: &CiContext) -> String {
    if let Some(id) = &ci.run_id {
        return format!("{}:{id}", provider_tag(ci));
    }
    let mut hasher = Sha256::new();
    for f in &run.files {
        hasher.update(f.path.to_string_lossy().as_bytes());
        hasher.update([0]);
    }
    for c in &run.cases {
        hasher.update(c.definition().as_bytes());
        hasher.update([0]);
        hasher.update(c.outcome().kind().as_str().as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("local:{hex}")
}

fn provider_tag(ci: &CiContext) -> &'static str {
    match ci.provider {
        crate::ci::CiProvider::GithubActions => "github",
        crate::ci::CiProvider::Gitlab => "gitlab",
        crate::ci::CiProvider::Jenkins => "jenkins",
        crate::ci::CiProvider::Buildkite => "buildkite",
        crate::ci::CiProvider::Local => "local",
    }
}

/// `--include` / `--exclude`: globs on the test id and the definition; `tag:GLOB` matches an
/// Allure `tag` label or an entry of the JUnit `tags` property.
struct Scope {
    include_ids: GlobSet,
    include_tags: GlobSet,
    exclude_ids: GlobSet,
    exclude_tags: GlobSet,
    has_include: bool,
}

impl Scope {
    fn new(include: &[String], exclude: &[String]) -> Result<Scope, PlanError> {
        let (include_ids, include_tags) = compile(include)?;
        let (exclude_ids, exclude_tags) = compile(exclude)?;
        Ok(Scope {
            include_ids,
            include_tags,
            exclude_ids,
            exclude_tags,
            has_include: !include.is_empty(),
        })
    }

    fn allows(&self, test_id: &str, definition: &str, case: &TestCase) -> bool {
        let hits = |ids: &GlobSet, tags: &GlobSet| {
            (!ids.is_empty() && (ids.is_match(test_id) || ids.is_match(definition)))
                || (!tags.is_empty() && tags_of(case).any(|t| tags.is_match(t)))
        };
        if self.has_include && !hits(&self.include_ids, &self.include_tags) {
            return false;
        }
        !hits(&self.exclude_ids, &self.exclude_tags)
    }
}

fn tags_of(case: &TestCase) -> impl Iterator<Item = &str> {
    let labels = case
        .labels()
        .iter()
        .filter(|l| l.name == "tag")
        .map(|l| l.value.trim());
    let property = case
        .property("tags")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty());
    labels.chain(property)
}

fn compile(patterns: &[String]) -> Result<(GlobSet, GlobSet), PlanError> {
    let mut ids = GlobSetBuilder::new();
    let mut tags = GlobSetBuilder::new();
    for p in patterns {
        let (builder, pattern) = match p.strip_prefix("tag:") {
            Some(t) => (&mut tags, t),
            None => (&mut ids, p.as_str()),
        };
        let glob = Glob::new(pattern).map_err(|e| PlanError::BadScope {
            pattern: p.clone(),
            message: e.kind().to_string(),
        })?;
        builder.add(glob);
    }
    let err = |e: globset::Error| PlanError::BadScope {
        pattern: patterns.join(","),
        message: e.to_string(),
    };
    Ok((ids.build().map_err(err)?, tags.build().map_err(err)?))
}
