//! `Plan`: what a run will send to Xray and file in Jira, computed without I/O.
//!
//! Owns the plan's shape: Xray import chunks and Jira intents. `plan::build` (results + settings
//! → plan) is pure: no network, no clock, no environment, so the same input gives a
//! byte-identical plan, `--dry-run` output and `--plan-json`. Executors (`xray`, `jira`) carry a
//! plan out and never decide policy themselves.
//!
//! Submodules: `build` (the planner), `groups` (results sharing a test id), `bugs` (Jira
//! intents), `chunk` (request boundaries), `label` (the frozen dedup label), `json`
//! (`--plan-json`).
//!
//! A planned test is an index into the run and its mapping ([`PlannedTest`]); everything else
//! about it is read from the run through [`Tests`] / [`TestView`] (`Plan::tests_in`), so a
//! plan of a large run costs a few bytes per test beyond the run itself.

mod bugs;
mod build;
pub mod chunk;
mod groups;
mod iterations;
pub mod json;
mod text;
pub mod xray_json;
pub use crate::model::label;

pub use build::{PlanError, build, plan};

/// Helpers the console and reports share with the planner.
pub mod build_support {
    pub use super::build::{
        ci_description, content_type_for, expand_template, fold_separators, one_line, rfc3339,
        run_marker, source_name,
    };
}
/// Identity types live in the model (the lowest layer), so settings and mapping can name them.
pub use crate::model::identity::{IdentitySource, IssueKey, TestIdentity};
pub use label::dedup_label;
pub use text::message_line;

use std::borrow::Cow;
use std::path::PathBuf;

use serde::Serialize;

use crate::model::{Counts, OutcomeKind, TestCase, TestRun};
use crate::plan::xray_json as payload;
use crate::settings::{Product, StatusMap};

/// The short class a person recognises a test by: the last segment of a dotted class name
/// (`com.acme.CalcTest` → `CalcTest`), or of a jest/Mocha describe path (`Calc › add` → `add`).
/// `None` when the definition is not `class.name`, or when the name already says the class:
/// CTest writes each test's name as its classname (`Calc.Adds` would read `Adds.Calc.Adds`),
/// mocha-junit-reporter the test's title as the classname and its full title as the name
/// (`divides.Calc divides`). The other way round (its `testCaseSwitchClassnameAndName`) the
/// class is kept whole: a class that merely ends with the test's name is common (a Robot suite
/// `Suite Teardown Fail` with a test `Fail`), and cutting it would name a suite that is not.
/// A name that starts with the class's last part says it too: jasmine-reporters'
/// `useFullTestName` and karma-junit-reporter name a spec by its full title (`Calculator
/// subtracts numbers` in class `Calculator`, or in `Chrome_Headless_156…(Linux…).Calculator`).
pub fn short_class(definition: &str, name: &str) -> Option<String> {
    let class = definition.strip_suffix(name)?.strip_suffix('.')?.trim();
    let name = name.trim();
    if class.is_empty() || class == name || ends_with_word(name, class) {
        return None;
    }
    let last_part = class.rsplit('.').next().unwrap_or(class).trim();
    if starts_with_word(name, class) || starts_with_word(name, last_part) {
        return None;
    }
    let file = class.rsplit(['/', '\\']).next().unwrap_or(class);
    let short = if class.contains('›') {
        class.rsplit('›').next().unwrap_or(class)
    } else if class.contains(char::is_whitespace) {
        class
    } else if is_source_file(file) {
        // A file, not a dotted class: `calc.bats`, `src/calc.test.js` (not `bats`, `js`).
        file
    } else {
        class.rsplit(['.', '/', '\\']).next().unwrap_or(class)
    };
    let short = short.trim();
    (!short.is_empty()).then(|| short.to_string())
}

/// `CalcTest.adds`: the short class and the name, what a person recognises a test by. A row of a
/// data-driven test (`adds[2 + 2 = 5]`) is named in full, after the class of the Test it is an
/// iteration of (its definition names the Test, `calc.CalcTest.adds`, not the row).
pub fn short_title(definition: &str, name: &str) -> String {
    let class = short_class(definition, name).or_else(|| {
        let row = iterations::row(name)?;
        (!definition.ends_with(name)).then(|| short_class(definition, &row.base))?
    });
    match class {
        // A describe path (`Test 1 › Test 1.1`) reads as a path, not as a class.
        Some(class) if class.contains(char::is_whitespace) => format!("{class} › {name}"),
        Some(class) => format!("{class}.{name}"),
        None => name.to_string(),
    }
}

/// A file name with a test source's extension (`calc.bats`, `calc.test.js`): runners that name
/// the file as the classname (bats, jest-junit's `{filepath}`, tap reporters).
fn is_source_file(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "bats", "sh", "py", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "rb", "php",
        "robot", "feature", "go", "rs", "java", "kt", "cs", "c", "cc", "cpp", "swift", "lua", "pl",
        "t", "ex", "exs",
    ];
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext))
}

/// Whether `text` starts with `head` as its first whole words (`Calc divides` starts with
/// `Calc`, `Calculator divides` does not).
fn starts_with_word(text: &str, head: &str) -> bool {
    !head.is_empty()
        && text
            .strip_prefix(head)
            .is_some_and(|tail| tail.starts_with(char::is_whitespace))
}

/// Whether `text` ends with `tail` as its last whole words (`Calc divides` ends with
/// `divides`, `Calc redivides` does not).
fn ends_with_word(text: &str, tail: &str) -> bool {
    text.strip_suffix(tail)
        .is_some_and(|head| head.ends_with(char::is_whitespace))
}

/// One result in scope, after mapping: which case of the run it is, and how it is identified.
/// Nothing else is copied out of the case: its name, definition, outcome, status, file and
/// message are read from the run through a [`TestView`], so a plan of a large run holds a few
/// bytes per test on top of the run itself (issue 18: the plan held each id up to four times).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTest {
    /// Index into `TestRun::cases`.
    case: u32,
    source: IdentitySource,
    /// `None` (no allocation) for the common test, sent by its case's own definition: the
    /// struct stays 16 bytes.
    mapping: Option<Box<Mapping>>,
}

/// How a planned test is identified when it is not by its case's own definition.
#[derive(Debug, Clone, PartialEq)]
enum Mapping {
    /// A data-driven row regrouped under its Test (`plan/iterations.rs`): sent by this
    /// definition, the case's own without the row part.
    Regrouped(Box<str>),
    /// Mapped to an existing Test.
    Key(IssueKey),
}

impl PlannedTest {
    /// `case` indexes `TestRun::cases`; `identity` and `definition` are the mapper's.
    pub fn new(
        case: usize,
        case_definition: &str,
        identity: TestIdentity,
        source: IdentitySource,
    ) -> PlannedTest {
        let regrouped = matches!(&identity, TestIdentity::Definition(d) if d != case_definition);
        PlannedTest::from_parts(case, source, identity, regrouped)
    }

    /// Case `case` as the mapper mapped it; `regrouped` when its definition was replaced by
    /// its Test's (a data-driven row, `plan/iterations.rs`).
    pub(crate) fn mapped(case: usize, mapped: crate::mapping::Mapped, regrouped: bool) -> Self {
        PlannedTest::from_parts(case, mapped.source, mapped.identity, regrouped)
    }

    fn from_parts(
        case: usize,
        source: IdentitySource,
        identity: TestIdentity,
        regrouped: bool,
    ) -> Self {
        let mapping = match identity {
            TestIdentity::Key(key) => Some(Mapping::Key(key)),
            TestIdentity::Definition(d) if regrouped => Some(Mapping::Regrouped(d.into())),
            TestIdentity::Definition(_) => None,
        };
        PlannedTest {
            case: u32::try_from(case).expect("a run holds fewer than 2^32 tests"),
            source,
            mapping: mapping.map(Box::new),
        }
    }

    /// Index into `TestRun::cases`.
    pub fn case(&self) -> usize {
        self.case as usize
    }

    pub fn source(&self) -> IdentitySource {
        self.source
    }

    /// The Test's key when it is given by key.
    pub fn key(&self) -> Option<&IssueKey> {
        match self.mapping.as_deref() {
            Some(Mapping::Key(k)) => Some(k),
            _ => None,
        }
    }
}

/// The planned tests with the run they were planned from: what reads a planned test's name,
/// definition or status goes through here.
#[derive(Debug, Clone, Copy)]
pub struct Tests<'a> {
    planned: &'a [PlannedTest],
    run: &'a TestRun,
    statuses: &'a StatusMap,
}

impl<'a> Tests<'a> {
    pub fn new(planned: &'a [PlannedTest], run: &'a TestRun, statuses: &'a StatusMap) -> Self {
        Tests {
            planned,
            run,
            statuses,
        }
    }

    /// Planned test `i` (an index into `Plan::tests`).
    pub fn get(&self, i: usize) -> TestView<'a> {
        let planned = &self.planned[i];
        TestView {
            planned,
            case: &self.run.cases[planned.case()],
            statuses: self.statuses,
        }
    }

    /// Planned test `i`, or `None` past the end.
    pub fn try_get(&self, i: usize) -> Option<TestView<'a>> {
        (i < self.planned.len()).then(|| self.get(i))
    }

    pub fn len(&self) -> usize {
        self.planned.len()
    }

    pub fn is_empty(&self) -> bool {
        self.planned.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = TestView<'a>> + 'a {
        let (run, statuses) = (self.run, self.statuses);
        self.planned.iter().map(move |planned| TestView {
            planned,
            case: &run.cases[planned.case()],
            statuses,
        })
    }

    /// The run the tests were planned from.
    pub fn run(&self) -> &'a TestRun {
        self.run
    }
}

/// One planned test read together with its case.
#[derive(Debug, Clone, Copy)]
pub struct TestView<'a> {
    pub planned: &'a PlannedTest,
    pub case: &'a TestCase,
    statuses: &'a StatusMap,
}

impl<'a> TestView<'a> {
    pub fn name(&self) -> &'a str {
        &self.case.name
    }

    /// What Xray matches or creates the Test by: the case's definition, or for a regrouped
    /// data-driven row, its Test's.
    pub fn definition(&self) -> Cow<'a, str> {
        match self.planned.mapping.as_deref() {
            Some(Mapping::Regrouped(d)) => Cow::Borrowed(d),
            _ => Cow::Owned(self.case.definition()),
        }
    }

    /// True for a data-driven row regrouped under its Test (`plan/iterations.rs`).
    pub fn regrouped(&self) -> bool {
        matches!(self.planned.mapping.as_deref(), Some(Mapping::Regrouped(_)))
    }

    pub fn identity(&self) -> TestIdentity {
        match self.planned.mapping.as_deref() {
            Some(Mapping::Key(k)) => TestIdentity::Key(k.clone()),
            _ => TestIdentity::Definition(self.definition().into_owned()),
        }
    }

    /// The Test's key when it is given by key.
    pub fn key(&self) -> Option<&'a IssueKey> {
        self.planned.key()
    }

    /// Stable test id: the Xray key when mapped, else the definition.
    pub fn test_id(&self) -> Cow<'a, str> {
        match self.planned.key() {
            Some(k) => Cow::Borrowed(k.as_str()),
            None => self.definition(),
        }
    }

    pub fn source(&self) -> IdentitySource {
        self.planned.source
    }

    pub fn outcome(&self) -> OutcomeKind {
        self.case.outcome().kind()
    }

    pub fn flaky(&self) -> bool {
        self.case.flaky
    }

    /// The Xray status name it is sent with.
    pub fn status(&self) -> &'a str {
        let s = self.statuses;
        match self.outcome() {
            OutcomeKind::Passed if self.case.flaky => &s.flaky,
            OutcomeKind::Passed => &s.passed,
            OutcomeKind::Failed => &s.failed,
            OutcomeKind::Error => &s.error,
            OutcomeKind::Skipped => &s.skipped,
        }
    }

    /// Source file of the test, or its result file, for annotations.
    pub fn file(&self) -> Option<Cow<'a, str>> {
        match (self.case.file(), self.case.attempts.first()) {
            (Some(f), _) => Some(Cow::Borrowed(f)),
            (None, Some(a)) => Some(a.source.path.to_string_lossy()),
            (None, None) => None,
        }
    }

    /// The line that goes with [`TestView::file`].
    pub fn line(&self) -> Option<u32> {
        match (self.case.file(), self.case.attempts.first()) {
            (Some(_), _) => self.case.line(),
            (None, Some(a)) => a.source.line.and_then(|l| u32::try_from(l).ok()),
            (None, None) => None,
        }
    }

    /// The failure's first line (read from the text store), for failed and errored tests.
    pub fn message(&self) -> Option<String> {
        self.case
            .outcome()
            .failure()
            .and_then(|f| text::failure_message(f, &self.case.name))
    }
}

/// Evidence to read and attach when the chunk is sent. The plan only names it: reading files is
/// an effect, and the containment check happens where the file is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PlannedEvidence {
    File {
        path: PathBuf,
        filename: String,
        content_type: String,
    },
    Inline {
        filename: String,
        content_type: String,
        base64: String,
    },
}

/// One test's entry in a chunk: the decisions only. Its import result (the request body's
/// `tests[]` entry) is built from the run when the chunk is sent, spooled or written, through a
/// [`ResultSource`], so a run never holds more than one chunk's body.
///
/// 16 bytes for the common entry (one result, no evidence): a large run has one per test.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkTest {
    /// Index into `Plan::tests`.
    pub test: usize,
    /// Evidence and merged results, when there are any.
    extra: Option<Box<ChunkExtra>>,
}

#[derive(Debug, Clone, PartialEq)]
struct ChunkExtra {
    evidence: Vec<PlannedEvidence>,
    merged: Vec<usize>,
}

impl ChunkTest {
    /// Test `test` with its `evidence`, and `merged`: further `Plan::tests` indexes folded
    /// into this one result as iterations (several results on one Test).
    pub fn new(test: usize, evidence: Vec<PlannedEvidence>, merged: Vec<usize>) -> Self {
        let extra = (!evidence.is_empty() || !merged.is_empty())
            .then(|| Box::new(ChunkExtra { evidence, merged }));
        ChunkTest { test, extra }
    }

    pub fn evidence(&self) -> &[PlannedEvidence] {
        self.extra.as_ref().map_or(&[], |e| &e.evidence)
    }

    /// Further `Plan::tests` indexes sent as iterations of this result; empty for a plain one.
    pub fn merged(&self) -> &[usize] {
        self.extra.as_ref().map_or(&[], |e| &e.merged)
    }

    /// Adds evidence to attach.
    pub fn push_evidence(&mut self, evidence: PlannedEvidence) {
        match &mut self.extra {
            Some(extra) => extra.evidence.push(evidence),
            None => *self = ChunkTest::new(self.test, vec![evidence], Vec::new()),
        }
    }
}

/// One import request's worth of results.
#[derive(Debug, Clone, PartialEq)]
pub struct XrayChunk {
    pub index: usize,
    pub tests: Vec<ChunkTest>,
}

/// Create a new execution, or append to a given one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum ExecutionTarget {
    Create {
        info: payload::Info,
        /// Jira labels for the created execution (users' own; the uploader adds its run marker).
        labels: Vec<String>,
    },
    Append {
        key: IssueKey,
        info: payload::Info,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct XrayPlan {
    pub product: Product,
    pub target: ExecutionTarget,
    /// Never empty when there is anything to send; the first chunk creates (or appends), the rest append.
    pub chunks: Vec<XrayChunk>,
    /// Jira fields for a created execution, as configured (names and shorthands are resolved
    /// against the create screen when sending: `xray::exec_fields`).
    pub execution_fields: std::collections::BTreeMap<String, serde_json::Value>,
    /// Test Sets every Test of the run is added to after the import (`xray::organize`).
    pub test_sets: Vec<String>,
    /// Requirement keys left out of every `testInfo.requirementKeys` when the bodies are built
    /// (found not to be requirements before the import).
    pub left_out_requirements: std::collections::BTreeSet<String>,
    /// Test Repository folder (rendered from `XRAY_FOLDER` per test) → the tests placed there
    /// after the import (`xray::folders`): those sent by definition, and those sent by key
    /// under `move_keyed_tests`.
    pub folders: std::collections::BTreeMap<String, Vec<usize>>,
    /// Requirement coverage the results ask for, one entry per test that names requirements
    /// (`xray::requirements`): new Tests carry them in `testInfo.requirementKeys`, Tests given
    /// by key are linked after the import.
    pub coverage: Vec<Coverage>,
}

/// The requirements one test covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Index into `Plan::tests` (the first row of a data-driven Test).
    pub test: usize,
    /// The Test's key when it is given by key (linked after the import), `None` when it is sent
    /// by definition (the import links it through `testInfo.requirementKeys`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_key: Option<String>,
    pub requirements: Vec<String>,
}

/// Builds the import result of one chunk entry when it is needed (sending, spooling,
/// `--plan-json`); [`RunResults`] builds it from the run the plan was made of.
pub trait ResultSource {
    fn result(&self, entry: &ChunkTest) -> payload::TestResult;
}

pub use build::RunResults;

impl XrayPlan {
    /// The import body for chunk `index`, without evidence (files are read when sending).
    ///
    /// The first chunk carries `info` (and `testExecutionKey` when appending to a given
    /// execution); later chunks carry only `testExecutionKey`: `created` is the key the first
    /// request returned (ignored when the target is an existing execution).
    pub fn import_doc(
        &self,
        index: usize,
        created: Option<&str>,
        results: &dyn ResultSource,
    ) -> payload::ImportDoc {
        let tests = self
            .chunks
            .get(index)
            .map(|c| c.tests.iter().map(|t| results.result(t)).collect())
            .unwrap_or_default();
        let (key, info) = match (&self.target, index) {
            (ExecutionTarget::Create { info, .. }, 0) => (None, Some(info.clone())),
            (ExecutionTarget::Create { .. }, _) => (created.map(str::to_string), None),
            (ExecutionTarget::Append { key, info }, 0) => {
                (Some(key.to_string()), Some(info.clone()))
            }
            (ExecutionTarget::Append { key, .. }, _) => (Some(key.to_string()), None),
        };
        payload::ImportDoc {
            test_execution_key: key,
            info,
            tests,
        }
    }
}

/// Jira fields of a bug after per-test overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugFields {
    pub project: String,
    pub issue_type: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The dedup label first, then the marker label, then configured extras.
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
}

/// One try, for the bug's history section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptSummary {
    pub outcome: OutcomeKind,
    /// The try's failure message, read from the text store when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<StoredText>,
}

/// What a bug says; rendered to ADF (Cloud) or wiki markup (DC) by `jira`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugReport {
    pub test_id: String,
    pub name: String,
    pub definition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xray_key: Option<IssueKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Kept in the text store until the bug is written (a stack trace per failing test adds
    /// up to hundreds of megabytes on a large run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<StoredText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_run_url: Option<String>,
    pub attempts: Vec<AttemptSummary>,
    pub flaky: bool,
    /// Source file and line of the test, when the runner reported them (not the result file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Where and when it was seen: the CI run's readable name, commit, branch, pull request.
    #[serde(skip_serializing_if = "RunFacts::is_empty")]
    pub run: RunFacts,
    /// The failing rows of a data-driven Test (their names), when it has more than one result.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rows: Vec<String>,
}

/// Text held in the text store (`model::Text`) until it is used, read with colour codes
/// removed; JSON and `Debug` show the text itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StoredText(crate::model::Text);

impl StoredText {
    /// The text as people read it (ANSI colour codes removed).
    pub fn read(&self) -> String {
        text::plain(&self.0.read())
    }
}

impl From<crate::model::Text> for StoredText {
    fn from(text: crate::model::Text) -> Self {
        StoredText(text)
    }
}

impl From<&str> for StoredText {
    fn from(text: &str) -> Self {
        StoredText(text.into())
    }
}

impl From<String> for StoredText {
    fn from(text: String) -> Self {
        StoredText(text.into())
    }
}

impl std::fmt::Debug for StoredText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.read(), f)
    }
}

impl Serialize for StoredText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.read())
    }
}

/// The CI run a bug or comment talks about, in words people read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunFacts {
    /// `CI run 42 (attempt 1)`, `tests run 42 (attempt 2)`, `GitLab pipeline 7`: link text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr_number: Option<u64>,
}

impl RunFacts {
    pub fn is_empty(&self) -> bool {
        self == &RunFacts::default()
    }

    /// From the CI context: the run's readable title (not the marker `github:42-1`).
    pub fn from_ci(ci: &crate::ci::CiContext) -> RunFacts {
        use crate::ci::CiProvider;
        let id = ci.run_id.as_deref();
        let title = match (ci.provider, id) {
            (_, None) => None,
            (CiProvider::GithubActions, Some(id)) => {
                let (run, attempt) = id.rsplit_once('-').unwrap_or((id, "1"));
                let name = ci.workflow.as_deref().unwrap_or("GitHub Actions");
                Some(format!("{name} run {run} (attempt {attempt})"))
            }
            (CiProvider::Gitlab, Some(id)) => Some(format!("GitLab pipeline {id}")),
            (CiProvider::Jenkins, Some(id)) => Some(format!("Jenkins build {id}")),
            (CiProvider::AzurePipelines, Some(id)) => Some(format!("Azure Pipelines build {id}")),
            (CiProvider::Circleci, Some(id)) => Some(format!("CircleCI job {id}")),
            (CiProvider::Buildkite, Some(id)) => Some(format!("Buildkite job {id}")),
            (CiProvider::Local, Some(id)) => Some(format!("run {id}")),
        };
        RunFacts {
            title,
            sha: ci.sha.clone(),
            branch: ci.ref_name.clone(),
            pr_number: ci.pr_number,
        }
    }
}

/// A failing test's bug, before Jira is asked whether one exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JiraIntent {
    /// Index into `Plan::tests`.
    pub test: usize,
    /// `<prefix><id>`: the dedup label (see `plan::dedup_label`).
    pub label: String,
    pub fields: BugFields,
    pub report: BugReport,
}

/// A passing test that may have an open bug to close (close-on-pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassingTest {
    pub test: usize,
    pub label: String,
    pub project: String,
}

/// The one issue filed instead of many when too many tests fail at once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UmbrellaIntent {
    pub label: String,
    pub fields: BugFields,
    /// Indexes into `Plan::tests`.
    pub tests: Vec<usize>,
    /// The CI run, as the description and comments link it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_run_url: Option<String>,
    #[serde(skip_serializing_if = "RunFacts::is_empty")]
    pub run: RunFacts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JiraPlan {
    pub intents: Vec<JiraIntent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub umbrella: Option<UmbrellaIntent>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub close_on_pass: Vec<PassingTest>,
    /// The CI run marker written into comments so a re-run never comments twice.
    pub run_marker: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub counts: Counts,
    /// Every result in scope, in input order; read them through [`Plan::tests_in`].
    pub tests: Vec<PlannedTest>,
    /// The Xray status names the tests are sent with.
    pub statuses: StatusMap,
    pub xray: Option<XrayPlan>,
    pub jira: Option<JiraPlan>,
    /// One line per decision worth telling the user (a side skipped, results left out).
    pub notes: Vec<String>,
}

impl Plan {
    /// The planned tests read with `run`, the run this plan was built from.
    pub fn tests_in<'a>(&'a self, run: &'a TestRun) -> Tests<'a> {
        Tests::new(&self.tests, run, &self.statuses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large run holds one of each per test (issue 18): they must not grow unnoticed.
    #[test]
    fn per_test_plan_entries_stay_small() {
        assert_eq!(std::mem::size_of::<PlannedTest>(), 16);
        assert_eq!(std::mem::size_of::<ChunkTest>(), 16);
    }

    #[test]
    fn short_title_names_a_row_after_its_tests_class() {
        // JUnit 4 Parameterized under Surefire: the row's definition is its Test's.
        assert_eq!(
            short_title("calc.ParameterizedCalculatorTest.adds", "adds[2 + 2 = 5]"),
            "ParameterizedCalculatorTest.adds[2 + 2 = 5]"
        );
        assert_eq!(
            short_title("test_calc.test_div", "test_div[1-0]"),
            "test_calc.test_div[1-0]"
        );
        assert_eq!(
            short_title("com.acme.CalcTest.adds", "adds"),
            "CalcTest.adds"
        );
        assert_eq!(
            short_title("Test 1 › Test 1.1.Failing test", "Failing test"),
            "Test 1.1 › Failing test"
        );
        assert_eq!(short_title("adds", "adds"), "adds");
        // The name says the class (jasmine-reporters' useFullTestName, karma).
        assert_eq!(
            short_title(
                "Calculator.Calculator subtracts numbers",
                "Calculator subtracts numbers"
            ),
            "Calculator subtracts numbers"
        );
        assert_eq!(
            short_title(
                "Chrome_Headless_156_0_0_0_(Linux_0_0_0).Calculator table.Calculator table adds",
                "Calculator table adds"
            ),
            "Calculator table adds"
        );
        assert_eq!(
            short_title("calc.Calc.Calcs well", "Calcs well"),
            "Calc.Calcs well"
        );
        // A row whose definition is its own (not folded into a Test) reads as before.
        assert_eq!(
            short_title("calc.CalcTest.adds[1]", "adds[1]"),
            "CalcTest.adds[1]"
        );
    }

    #[test]
    fn short_class_of_java_jest_and_plain_names() {
        assert_eq!(
            short_class("com.acme.CalcTest.adds", "adds").as_deref(),
            Some("CalcTest")
        );
        assert_eq!(
            short_class("Test 1 › Test 1.1.Failing test", "Failing test").as_deref(),
            Some("Test 1.1")
        );
        assert_eq!(short_class("adds", "adds"), None);
        // CTest: classname = name.
        assert_eq!(short_class("Calc.Adds.Calc.Adds", "Calc.Adds"), None);
        assert_eq!(short_class("shell_fails.shell_fails", "shell_fails"), None);
        assert_eq!(short_class("tests/test_x.py::adds", "other"), None);
        // mocha-junit-reporter: classname the title, name the full title.
        assert_eq!(
            short_class("divides.Calc when empty divides", "Calc when empty divides"),
            None
        );
        assert_eq!(
            short_class("divides.Calc redivides", "Calc redivides"),
            Some("divides".into())
        );
        // A file as the classname is named whole, not by its extension.
        assert_eq!(
            short_class("calc.bats.adds two numbers", "adds two numbers").as_deref(),
            Some("calc.bats")
        );
        assert_eq!(
            short_class("src/calc.test.js.adds", "adds").as_deref(),
            Some("calc.test.js")
        );
        assert_eq!(
            short_class("tests.test_calc.test_adds", "test_adds").as_deref(),
            Some("test_calc")
        );
        // A class that ends with the name is kept whole (Robot: suite `Suite Teardown Fail`).
        assert_eq!(
            short_class("Suite Teardown Fail.Fail", "Fail").as_deref(),
            Some("Suite Teardown Fail")
        );
    }
}
