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
//!
//! This file walks the results (identity, scope, unmapped policy, grouping) and marks the run;
//! `scope` holds the include/exclude globs, `xray` the Xray results, chunks and execution info,
//! `plan/text.rs` the run comments, length bounds and timestamps.

use sha2::{Digest, Sha256};

use super::{IdentitySource, Plan, PlannedTest, bugs, iterations};
use crate::ci::CiContext;
use crate::mapping::{Mapper, MappingError, Rejection};
use crate::model::{Counts, TestCase, TestRun};
use crate::settings::{IterationMode, PlanSettings, Product, Settings, StatusMap, UnmappedPolicy};

mod scope;
mod xray;

// The run comment, bounds and times live one level down (`plan/text.rs`), shared with `bugs`
// without a cycle; `build::text` stays the path the submodules name.
use super::text;

use scope::Scope;
pub use text::{one_line, rfc3339};
use xray::xray_plan;
pub use xray::{RunResults, ci_description, content_type_for, expand_template, fold_separators};

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

/// Plans `run` under `settings`, through their credential-free view (`Settings::planning`).
pub fn build(run: &TestRun, settings: &Settings) -> Result<Plan, PlanError> {
    plan(run, &settings.planning())
}

/// The planner proper, on the credential-free view of the settings: it cannot read a URL or a
/// secret, so a plan never depends on (or carries) one.
pub fn plan(run: &TestRun, settings: &PlanSettings<'_>) -> Result<Plan, PlanError> {
    let mapper = Mapper::new(settings.mapping)?;
    let scope = Scope::new(&settings.scope.include, &settings.scope.exclude)?;
    let mut notes = settings.notes.to_vec();
    // Without --strict a malformed file is skipped, not fatal; the user must still be told
    // which file and where (path:line), or its tests silently vanish from the run.
    for f in &run.files {
        if let crate::model::FileStatus::Failed { error, salvaged } = &f.status {
            notes.push(format!(
                "result file not read: {}",
                error.describe(*salvaged)
            ));
        }
        for n in &f.notes {
            notes.push(format!("{}: {n}", f.path.display()));
        }
    }

    let mut rejected: Vec<(String, Rejection)> = Vec::new();
    let mut out_of_scope = 0usize;
    let mut unmapped_skipped = 0usize;
    let mut unmapped_failed = 0usize;
    let mut unmapped_examples: Vec<String> = Vec::new();
    let mut case_rejections = Vec::new();
    let mut counts = Counts::default();
    // Each planned test is its case's index and its mapping, made as the case is mapped: the
    // mapping's strings are dropped at once, so ids and names are held only by the run.
    let mut tests = Vec::with_capacity(run.cases.len());
    for (index, case) in run.cases.iter().enumerate() {
        case_rejections.clear();
        let mut mapped = mapper.map(case, &mut case_rejections);
        let regrouped =
            settings.mapping.iterations == IterationMode::Auto && as_iteration(case, &mut mapped);
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
                    unmapped_failed += 1;
                    if unmapped_examples.len() < EXAMPLES {
                        unmapped_examples.push(mapped.definition);
                    }
                    continue;
                }
            }
        }
        counts.add(case);
        tests.push(PlannedTest::mapped(index, mapped, regrouped));
    }
    if unmapped_failed > 0 {
        return Err(PlanError::Unmapped {
            count: unmapped_failed,
            examples: unmapped_examples,
        });
    }
    tests.shrink_to_fit();
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
    let view = super::Tests::new(&tests, run, &statuses);

    // Results sharing a test id become one Xray result; groups keep first-seen order.
    let groups = super::groups::by_test_id(view);

    let xray = match &settings.xray {
        Some(x) if !groups.is_empty() => {
            Some(xray_plan(run, x, settings.ci, view, &groups, &counts))
        }
        Some(_) => {
            notes.push("no results in scope: nothing to send to Xray".into());
            None
        }
        None => None,
    };
    let jira = settings.jira.as_ref().map(|j| {
        let marker = run_marker(run, settings.ci);
        bugs::plan_jira(j, settings.ci, view, &groups, marker, &mut notes)
    });

    Ok(Plan {
        counts,
        tests,
        statuses,
        xray,
        jira,
        notes,
    })
}

/// A row of a data-driven test (by its name) that no key maps is regrouped under the Test it
/// belongs to: its definition without the row part, so every row lands on one Test as an
/// iteration and shares one dedup label (`plan/iterations.rs`).
/// True when it was regrouped.
fn as_iteration(case: &TestCase, mapped: &mut crate::mapping::Mapped) -> bool {
    if mapped.source != IdentitySource::Definition {
        return false;
    }
    let Some(row) = iterations::row(&case.name) else {
        return false;
    };
    match iterations::base_definition(&mapped.definition, &row) {
        Some(base) => {
            mapped.identity = crate::model::identity::TestIdentity::Definition(base.clone());
            mapped.definition = base;
            true
        }
        None => false,
    }
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
        IdentitySource::Tag => "tag",
        IdentitySource::NameKey => "key in the test name",
        IdentitySource::MappingFile => "mapping file",
        IdentitySource::Definition => "definition",
    }
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
        for piece in c.definition_pieces() {
            hasher.update(piece.as_bytes());
        }
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
        crate::ci::CiProvider::AzurePipelines => "azure",
        crate::ci::CiProvider::Circleci => "circleci",
        crate::ci::CiProvider::Buildkite => "buildkite",
        crate::ci::CiProvider::Local => "local",
    }
}
