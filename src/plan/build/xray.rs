//! The Xray side of the plan: one import result per test id (worst status, merged span and
//! comments, one iteration per parametrized case, deduplicated evidence), split into chunks,
//! and the Test Execution `info` with its summary template and CI description.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::text::{
    MAX_COMMENT_CHARS, MAX_SUMMARY_CHARS, bound_chars, comment, one_line, rfc3339, span,
};
use crate::ci::CiContext;
use crate::model::{Attachment, Counts, OutcomeKind, TestCase, TestRun};
use crate::plan::xray_json as payload;
use crate::plan::{
    ChunkTest, Coverage, ExecutionTarget, IssueKey, PlannedEvidence, ResultSource, Tests,
    XrayChunk, XrayPlan, chunk,
};
use crate::settings::{Product, XrayPlanSettings};

pub(super) fn xray_plan(
    run: &TestRun,
    x: &XrayPlanSettings,
    ci: &CiContext,
    tests: Tests<'_>,
    groups: &crate::plan::groups::Groups,
    counts: &Counts,
) -> XrayPlan {
    // Chunks hold decisions only: each result is built here once to measure it for the byte
    // limit, then dropped; the body is built again, one chunk at a time, when it is sent or
    // written (`RunResults`), so a run never holds more than one chunk's body.
    let mut chunker = chunk::Chunker::new(x.chunk);
    let mut chunks: Vec<XrayChunk> = Vec::new();
    let mut folders: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut coverage: Vec<Coverage> = Vec::new();
    // One buffer for every group's members: most groups are one test, and a vector each was
    // an allocation per test.
    let mut members: Vec<usize> = Vec::new();
    for (done, group) in groups.iter().enumerate() {
        members.clear();
        members.extend(group.iter());
        let group = members.as_slice();
        let entry = chunk_entry(tests, group);
        let size = chunk::json_size(&import_result(x, tests, group));
        organize(x, tests, &entry, &mut folders, &mut coverage);
        // The comma between array elements counts too; inline evidence is known now, files are
        // not (they are read at send time and bounded by the evidence limits).
        let inline: usize = entry
            .evidence()
            .iter()
            .map(|e| match e {
                PlannedEvidence::Inline { base64, .. } => base64.len() + 64,
                PlannedEvidence::File { .. } => 0,
            })
            .sum();
        let new = chunker.starts_new(size + 1 + inline);
        match chunks.last_mut() {
            Some(chunk) if !new => chunk.tests.push(entry),
            _ => {
                let room = x.chunk.max_tests.clamp(1, groups.len() - done);
                let mut tests = Vec::with_capacity(room);
                tests.push(entry);
                chunks.push(XrayChunk {
                    index: chunks.len(),
                    tests,
                });
            }
        }
    }
    for chunk in &mut chunks {
        // A chunk cut by bytes holds fewer tests than `max_tests`.
        chunk.tests.shrink_to_fit();
    }

    let info = info(run, x, ci, tests, counts);
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
        execution_fields: x.execution_fields.clone(),
        test_sets: x.test_sets.clone(),
        left_out_requirements: Default::default(),
        folders,
        coverage,
    }
}

/// Where one entry goes after the import: its repository folder (`XRAY_FOLDER` rendered with
/// the test's suite, classname and file; Tests given by key only under `move_keyed_tests`)
/// and the requirements it covers (new Tests name them in `testInfo.requirementKeys`; Tests
/// given by key are linked after the import, as the import does not touch an existing Test).
fn organize(
    x: &XrayPlanSettings,
    tests: Tests<'_>,
    entry: &ChunkTest,
    folders: &mut BTreeMap<String, Vec<usize>>,
    coverage: &mut Vec<Coverage>,
) {
    let test = tests.get(entry.test);
    let case = test.case;
    let keyed = test.key().map(|k| k.to_string());
    if let Some(template) = &x.folder
        && (keyed.is_none() || x.move_keyed_tests)
    {
        let suite = case.suite_path.join("/");
        let vars = crate::model::folder::FolderVars {
            suite: &suite,
            classname: case.classname.as_deref().unwrap_or(""),
            file: case.file().unwrap_or(""),
        };
        folders
            .entry(crate::model::folder::render(template, &vars))
            .or_default()
            .push(entry.test);
    }
    // A new Test's `testInfo.requirementKeys` are these same keys (`test_info`).
    let requirements = requirement_keys(x, case);
    if !requirements.is_empty() {
        coverage.push(Coverage {
            test: entry.test,
            test_key: keyed,
            requirements,
        });
    }
}

/// Builds import results from the run a plan was made of, when a chunk is sent, spooled or
/// written to `--plan-json`: the [`ResultSource`] of a real run.
pub struct RunResults<'a> {
    settings: &'a XrayPlanSettings,
    plan: &'a XrayPlan,
    tests: Tests<'a>,
}

impl<'a> RunResults<'a> {
    /// `plan` and `tests` (`Plan::tests_in`) were built with `settings`.
    pub fn new(settings: &'a XrayPlanSettings, plan: &'a XrayPlan, tests: Tests<'a>) -> Self {
        RunResults {
            settings,
            plan,
            tests,
        }
    }
}

impl ResultSource for RunResults<'_> {
    fn result(&self, entry: &ChunkTest) -> payload::TestResult {
        let mut result = if entry.merged().is_empty() {
            import_result(self.settings, self.tests, std::slice::from_ref(&entry.test))
        } else {
            let mut group = Vec::with_capacity(1 + entry.merged().len());
            group.push(entry.test);
            group.extend_from_slice(entry.merged());
            import_result(self.settings, self.tests, &group)
        };
        if let Some(info) = &mut result.test_info
            && !self.plan.left_out_requirements.is_empty()
        {
            info.requirement_keys
                .retain(|k| !self.plan.left_out_requirements.contains(k));
        }
        result
    }
}

/// The chunk entry of a group of results sharing a test id: which tests, and their evidence.
fn chunk_entry(tests: Tests<'_>, group: &[usize]) -> ChunkTest {
    let mut evidence: Vec<PlannedEvidence> = Vec::new();
    for &i in group {
        for a in tests.get(i).case.attachments() {
            let e = planned_evidence(a);
            if !evidence.contains(&e) {
                evidence.push(e);
            }
        }
    }
    ChunkTest::new(group[0], evidence, group[1..].to_vec())
}

/// The import result of a group (`Plan::tests` indexes, the first one first).
fn import_result(x: &XrayPlanSettings, tests: Tests<'_>, group: &[usize]) -> payload::TestResult {
    let cases = |i: usize| tests.get(i).case;
    let first = group[0];
    let planned = tests.get(first);
    let case = planned.case;
    let mut result = payload::TestResult::default();
    // Rows of a data-driven test regrouped under their Test (`iterations.rs`): the Test is
    // named without the row part, and even a single row is sent as an iteration.
    let regrouped = planned.regrouped();
    match planned.key() {
        Some(key) => result.test_key = Some(key.to_string()),
        None => {
            let mut info = test_info(x, case, &planned.definition());
            if regrouped
                && case.property("test_summary").is_none()
                && let Some(row) = crate::plan::iterations::row(&case.name)
            {
                info.summary = one_line(&row.base, MAX_SUMMARY_CHARS);
            }
            result.test_info = Some(info);
        }
    }

    let worst = group
        .iter()
        .copied()
        .max_by_key(|&i| rank(cases(i)))
        .unwrap_or(first);
    result.status = tests.get(worst).status().to_string();

    let mut start: Option<OffsetDateTime> = None;
    let mut finish: Option<OffsetDateTime> = None;
    for &i in group {
        if let Some((s, f)) = span(cases(i)) {
            start = Some(start.map_or(s, |cur| cur.min(s)));
            finish = Some(finish.map_or(f, |cur| cur.max(f)));
        }
    }
    result.start = start.and_then(rfc3339);
    result.finish = finish.and_then(rfc3339);

    let mut comments: Vec<String> = Vec::new();
    for &i in group {
        if let Some(c) = comment(cases(i)) {
            comments.push(if group.len() > 1 {
                format!("[{}]\n{c}", cases(i).name)
            } else {
                c
            });
        }
    }
    result.comment =
        (!comments.is_empty()).then(|| bound_chars(comments.join("\n\n"), MAX_COMMENT_CHARS));

    if group.len() > 1 || regrouped {
        result.iterations = group
            .iter()
            .map(|&i| iteration(x.product, cases(i), tests.get(i).status()))
            .collect();
    }
    result
}

/// One iteration in the fields the product documents (xray-api.md §4.2, §7): Cloud
/// `{name, parameters, status}`; Data Center's iteration object has no `name`, so there the
/// case name travels as a parameter when the case has none of its own (iterations stay
/// distinguishable). A parameter is never sent with an empty name (undocumented, §7): an
/// unnamed one is called by its position, `arg1`, `arg2`, ….
fn iteration(product: Product, case: &TestCase, status: &str) -> payload::Iteration {
    let mut parameters: Vec<payload::Parameter> = case
        .parameters()
        .iter()
        .enumerate()
        .map(|(n, p)| payload::Parameter {
            name: if p.name.trim().is_empty() {
                format!("arg{}", n + 1)
            } else {
                p.name.clone()
            },
            value: p.value.clone(),
        })
        .collect();
    let own = !parameters.is_empty();
    if !own {
        // A row read from its name (`test_div[1-0]`, `Divide(4,2)`): `iterations.rs`.
        parameters = crate::plan::iterations::parameters(case)
            .into_iter()
            .map(|(name, value)| payload::Parameter { name, value })
            .collect();
    }
    let name = match product {
        Product::Cloud => Some(case.name.clone()),
        Product::Dc => {
            if !own {
                parameters.insert(
                    0,
                    payload::Parameter {
                        name: "name".into(),
                        value: case.name.clone(),
                    },
                );
            }
            None
        }
    };
    payload::Iteration {
        name,
        parameters,
        status: status.to_string(),
        // Cloud only: DC's iteration has no `log` (xray-api.md §4.2).
        log: match product {
            Product::Cloud => comment(case).map(|c| bound_chars(c, MAX_COMMENT_CHARS)),
            Product::Dc => None,
        },
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

fn test_info(x: &XrayPlanSettings, case: &TestCase, definition: &str) -> payload::TestInfo {
    let summary = case
        .property("test_summary")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(&case.name);
    let test_type = match x.product {
        Product::Cloud => payload::TestType::Cloud("Generic".into()),
        Product::Dc => payload::TestType::Dc("Generic".into()),
    };
    payload::TestInfo {
        project_key: x.project.clone(),
        summary: one_line(summary, MAX_SUMMARY_CHARS),
        test_type,
        definition: Some(definition.to_string()),
        // xray-junit-extensions `tags`; labels with spaces would make Jira refuse the Test.
        labels: list_property(case, "tags")
            .filter(|t| !t.contains(char::is_whitespace))
            .collect(),
        requirement_keys: requirement_keys(x, case),
    }
}

/// Requirement keys a result names: the xray-junit-extensions `requirements` property, Allure
/// links of type `requirement`, labels named in `[mapping] requirement_labels`, and tags
/// matching `[mapping] requirement_tag_pattern`. Only issue-key shapes, each once, in order.
fn requirement_keys(x: &XrayPlanSettings, case: &TestCase) -> Vec<String> {
    let mut found: Vec<String> = list_property(case, "requirements").collect();
    for l in case.links() {
        if l.kind.eq_ignore_ascii_case("requirement")
            && let Some(name) = &l.name
        {
            found.push(name.trim().to_string());
        }
    }
    for l in case.labels() {
        if x.requirement_labels.contains(&l.name) {
            found.push(l.value.trim().to_string());
        }
        if l.name == "tag"
            && let Some(re) = &x.requirement_tag_pattern
            && let Some(c) = re.captures(l.value.trim())
        {
            let m = c
                .get(1)
                .or_else(|| c.get(0))
                .map(|m| m.as_str().to_string());
            found.extend(m);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for k in found {
        if IssueKey::parse(&k).is_some() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

fn list_property<'a>(case: &'a TestCase, name: &str) -> impl Iterator<Item = String> + 'a {
    case.property(name)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
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
    x: &XrayPlanSettings,
    ci: &CiContext,
    tests: Tests<'_>,
    counts: &Counts,
) -> payload::Info {
    let mut start: Option<OffsetDateTime> = None;
    let mut finish: Option<OffsetDateTime> = None;
    for t in tests.iter() {
        if let Some((s, f)) = span(t.case) {
            start = Some(start.map_or(s, |c| c.min(s)));
            finish = Some(finish.map_or(f, |c| c.max(f)));
        }
    }
    let summary = fold_separators(&one_line(
        &expand_template(&x.summary_template, &x.project, run, ci, counts),
        MAX_SUMMARY_CHARS,
    ));
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

/// `a · · b ·` → `a · b`: the `·` separators around placeholders that expanded empty.
pub fn fold_separators(s: &str) -> String {
    let parts: Vec<&str> = s
        .split(" · ")
        .map(|p| p.trim_matches(|c: char| c == '·' || c.is_whitespace()))
        .filter(|p| !p.is_empty())
        .collect();
    parts.join(" · ")
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

/// The default execution description: CI run link, ref, commit, pull request.
pub fn ci_description(ci: &CiContext) -> Option<String> {
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
    if let Some(change) = ci.change_request() {
        lines.push(change);
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}
