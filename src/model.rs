//! The result model: what every parser produces and every later stage reads.
//!
//! Owns `TestRun`, `TestCase` (with its rarely present `Extras`), `Outcome` and `Attempt`,
//! plus the merge rule that folds several tries of one test into one `TestCase`. Knows nothing
//! about file formats, Xray or Jira. Kept small per test, since large runs hold hundreds of
//! thousands of tests (sizes and measurements: benches/README.md): every free-text field is a
//! [`Text`] handle into the text store (`model/text.rs`), not a heap string. The JSON shape
//! lives in `model/json.rs`.
//!
//! Outcome rule (documented in the README too): the attempts of a test are kept in the order
//! they ran, and the **last attempt decides** the test's outcome, except that a skipped try
//! never overrides one that ran: the last attempt that passed, failed or errored decides, and
//! only a test whose every try was skipped is skipped (a rerun that skips says nothing about
//! the test; `rebot --merge` keeps the earlier result the same way). The test is *flaky* when
//! that deciding attempt passed and an earlier one failed or errored (or the runner itself
//! said so). The
//! order is settled by ingest before anything reads it (`ingest::merge`): document order inside
//! one file, start time across files where both have one, otherwise the order in which the
//! inputs were given; where no order is known between two sightings (two files matched by one
//! pattern, or equal start times) the failing one is put last, so a failure is never hidden by
//! a pass of unknown order. [`TestCase::outcome`] reads the deciding attempt on each call;
//! nothing stores its result.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use attempts::Attempts;

pub use text::{ReadText, StoreUsage, Text, store_usage};

/// Upper bound, in bytes, for any one free-text field kept per test (message, details,
/// system-out, system-err). Parsers stop collecting at this size and [`Text::new`] cuts anything
/// longer, so a test's text never grows with the size of the logs inside it.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// Marker appended to text cut at [`MAX_TEXT_BYTES`].
pub const TRUNCATION_MARKER: &str = "\n[... truncated by xray-sync]";

/// The formats xray-sync reads. Sniffed from content, never from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// JUnit XML in any of its dialects.
    Junit,
    /// One Allure 2 `*-result.json` file (its directory holds containers and attachments).
    Allure2,
    /// Allure 1 `*-testsuite.xml`.
    Allure1,
    /// NUnit 2 `<test-results>` or NUnit 3 `<test-run>` XML.
    Nunit,
    /// xUnit.net v2 (and v1) `<assemblies>` XML.
    Xunit,
    /// MSTest / VSTest TRX (`<TestRun>`).
    Trx,
    /// TestNG's own `testng-results.xml`.
    Testng,
    /// Robot Framework `output.xml` (RF 3.2 to 7.x).
    Robot,
    /// Cucumber JSON (cucumber-jvm, cucumber-js, cucumber-ruby).
    Cucumber,
    /// Behave's JSON formatter output.
    Behave,
    /// Playwright Test's JSON reporter output (every retry kept).
    Playwright,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Junit => "junit",
            Format::Allure2 => "allure2",
            Format::Allure1 => "allure1",
            Format::Nunit => "nunit",
            Format::Xunit => "xunit",
            Format::Trx => "trx",
            Format::Testng => "testng",
            Format::Robot => "robot",
            Format::Cucumber => "cucumber",
            Format::Behave => "behave",
            Format::Playwright => "playwright",
        }
    }
}

/// Why a test did not pass: the text a runner gives with a failure or an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The short message (`message=` attribute, Allure `statusDetails.message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
    /// The exception or failure type (`type=` attribute).
    #[serde(skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<Text>,
    /// The body: stack trace or details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Text>,
}

/// The result of one attempt, or of a whole test after merging. Only a failure or an error
/// carries failure text; a skip may carry a reason. The failure text is boxed so that the
/// common passed attempt does not carry an empty slot for it (`Failure { .. }.into()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed(Box<Failure>),
    Error(Box<Failure>),
    Skipped {
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<Text>,
    },
}

impl Outcome {
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Passed => OutcomeKind::Passed,
            Outcome::Failed(_) => OutcomeKind::Failed,
            Outcome::Error(_) => OutcomeKind::Error,
            Outcome::Skipped { .. } => OutcomeKind::Skipped,
        }
    }

    /// The failure text, for a failed or errored outcome.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Failed(f) | Outcome::Error(f) => Some(f),
            Outcome::Passed | Outcome::Skipped { .. } => None,
        }
    }

    /// Failed or errored.
    pub fn is_failure(&self) -> bool {
        self.failure().is_some()
    }

    /// Severity: higher is worse. Where no order is known between two sightings, the worse
    /// one is put last (`ingest::merge`), so it decides.
    pub fn severity(&self) -> u8 {
        match self {
            Outcome::Skipped { .. } => 0,
            Outcome::Passed => 1,
            Outcome::Failed(_) => 2,
            Outcome::Error(_) => 3,
        }
    }
}

/// An outcome without its data, for counting and for status maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Passed => "passed",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Error => "error",
            OutcomeKind::Skipped => "skipped",
        }
    }
}

/// Where a record came from: the file, its format and (when the parser knows it) the line.
/// `path` is shared: a parser allocates it once per file and every attempt points at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub path: Arc<Path>,
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl SourceRef {
    /// `path` may be a `&Path`, a `PathBuf` or an already shared `Arc<Path>` (cloned, not
    /// copied).
    pub fn new(path: impl Into<Arc<Path>>, format: Format, line: Option<u64>) -> Self {
        SourceRef {
            path: path.into(),
            format,
            line,
        }
    }
}

/// One try of a test. Reruns (Surefire `rerunFailure`, nextest retries, repeated `<testcase>`,
/// Allure retries) each become an attempt, in the order they ran.
///
/// `system_out`/`system_err` are kept (bounded) only for attempts that did not pass: the output
/// of a *passed* attempt is scanned for `[[ATTACHMENT|path]]` lines and then dropped, because
/// nothing downstream uses it (Xray comments and Jira bugs are written for failures) and it is
/// most of the memory of a large run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Seconds; finite and non-negative when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<f64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub started_at: Option<time::OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_out: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_err: Option<Text>,
    pub source: SourceRef,
}

impl Attempt {
    /// A try with its outcome and where it was read, nothing else known (no time, no output).
    pub fn new(outcome: Outcome, source: SourceRef) -> Attempt {
        Attempt {
            outcome,
            duration_secs: None,
            started_at: None,
            system_out: None,
            system_err: None,
            source,
        }
    }
}

/// A `name`/`value` pair: JUnit `<property>` (suite and case level) or an Allure parameter.
/// `items` holds `<item name="…">value</item>` children (xray-junit-extensions
/// `testrun_evidence`, `testrun_customfields`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Property {
    pub name: String,
    pub value: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Item {
    pub name: String,
    pub value: String,
}

/// An Allure label (`name`/`value`), e.g. `tag`, `suite`, `xray`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    pub name: String,
    pub value: String,
}

/// An Allure link. `kind` is its `type` (`tms`, `issue`, `link`, or custom).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Link {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Evidence a result names. Files are only *named* here; whether they may be read (inside the
/// workspace or the results directory) is decided when evidence is collected, not by parsers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Attachment {
    /// A file, as the result referenced it, joined to the directory of the result file when
    /// relative.
    File {
        path: PathBuf,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
    },
    /// Base64 content carried inside the result (xray-junit-extensions `testrun_evidence`).
    Inline { name: String, base64: String },
}

/// One test after merging all its attempts.
///
/// Kept small because a large run holds hundreds of thousands of them: what most tests do not
/// have (Allure identity, source location, properties, labels, links, parameters,
/// attachments) lives in one optional [`Extras`] box, read through [`TestCase::extras`] and
/// the per-field accessors, written through [`TestCase::extras_mut`]. The merged outcome is
/// not stored: [`TestCase::outcome`], [`TestCase::duration_secs`] and
/// [`TestCase::started_at`] derive it from `attempts`.
///
/// Serialized (`parse --json`) as one flat object: the fields, the `Extras` fields and the
/// derived `outcome`, in the order they had when all were plain fields (`model/json.rs`).
#[derive(Debug, Clone)]
pub struct TestCase {
    /// Enclosing suite names, outermost first. Shared: the tests of one suite point at one
    /// list (a `Vec<String>` converts with `.into()`).
    pub suite_path: Arc<[String]>,
    /// Shared like `suite_path`: a JUnit parser gives consecutive tests of one class one
    /// allocation (`Some("C".into())` builds one).
    pub classname: Option<Arc<str>>,
    pub name: String,
    /// True when the deciding attempt passed and an earlier one failed or errored (or the
    /// runner said so).
    pub flaky: bool,
    /// Every try, in order. Never empty. The first is held inline (`model/attempts.rs`).
    pub attempts: Attempts,
    /// `None` until something is written through [`TestCase::extras_mut`].
    extras: Option<Box<Extras>>,
}

/// The rarely present parts of a [`TestCase`] (see there). The default is "none of them".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// Allure `fullName`: the stable definition for Allure results.
    pub full_name: Option<String>,
    /// Allure `historyId`: groups Allure retries.
    pub history_id: Option<String>,
    /// The test's source file and line, when the runner reported them.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub properties: Vec<Property>,
    pub labels: Vec<Label>,
    pub links: Vec<Link>,
    pub parameters: Vec<Property>,
    pub attachments: Vec<Attachment>,
}

/// What [`TestCase::extras`] reads for a case without any.
static NO_EXTRAS: Extras = Extras {
    full_name: None,
    history_id: None,
    file: None,
    line: None,
    properties: Vec::new(),
    labels: Vec::new(),
    links: Vec::new(),
    parameters: Vec::new(),
    attachments: Vec::new(),
};

/// Equal when every field is, an absent `Extras` being equal to an empty one.
impl PartialEq for TestCase {
    fn eq(&self, other: &Self) -> bool {
        self.suite_path == other.suite_path
            && self.classname == other.classname
            && self.name == other.name
            && self.flaky == other.flaky
            && self.attempts == other.attempts
            && self.extras() == other.extras()
    }
}

impl TestCase {
    /// A test seen once. `flaky` is derived from the attempt.
    pub fn new(
        suite_path: Vec<String>,
        classname: Option<String>,
        name: String,
        first: Attempt,
    ) -> Self {
        Self::from_attempts(suite_path.into(), classname.map(Arc::from), name, first)
    }

    /// A test with the given tries (in the order they ran) under an already shared suite path.
    /// `flaky` is derived from the attempts.
    pub fn from_attempts(
        suite_path: Arc<[String]>,
        classname: Option<Arc<str>>,
        name: String,
        attempts: impl Into<Attempts>,
    ) -> Self {
        let mut case = TestCase {
            suite_path,
            classname,
            name,
            flaky: false,
            attempts: attempts.into(),
            extras: None,
        };
        case.recompute();
        case
    }

    /// The rarely present parts; an empty [`Extras`] when the case has none.
    pub fn extras(&self) -> &Extras {
        self.extras.as_deref().unwrap_or(&NO_EXTRAS)
    }

    /// The rarely present parts, for writing (allocated on first use: call it only to set
    /// something).
    pub fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// Replaces the rarely present parts (kept only when not all empty).
    pub fn set_extras(&mut self, extras: Extras) {
        self.extras = (extras != NO_EXTRAS).then(|| Box::new(extras));
    }

    /// Allure `fullName`.
    pub fn full_name(&self) -> Option<&str> {
        self.extras().full_name.as_deref()
    }

    /// Allure `historyId`.
    pub fn history_id(&self) -> Option<&str> {
        self.extras().history_id.as_deref()
    }

    /// The test's source file, when the runner reported it.
    pub fn file(&self) -> Option<&str> {
        self.extras().file.as_deref()
    }

    /// The test's source line, when the runner reported it.
    pub fn line(&self) -> Option<u32> {
        self.extras().line
    }

    /// Case-level properties (JUnit `<property>`), in document order.
    pub fn properties(&self) -> &[Property] {
        &self.extras().properties
    }

    /// Allure labels.
    pub fn labels(&self) -> &[Label] {
        &self.extras().labels
    }

    /// Allure links.
    pub fn links(&self) -> &[Link] {
        &self.extras().links
    }

    /// Allure parameters.
    pub fn parameters(&self) -> &[Property] {
        &self.extras().parameters
    }

    /// Evidence the result names.
    pub fn attachments(&self) -> &[Attachment] {
        &self.extras().attachments
    }

    /// The outcome of the deciding attempt (the rule in the module doc), read on each call so
    /// it can never disagree with `attempts` and failure text is stored once, in its attempt. A
    /// case without attempts (only possible by emptying the public `attempts` by hand) reads as
    /// skipped.
    pub fn outcome(&self) -> &Outcome {
        static NOTHING_RAN: Outcome = Outcome::Skipped { message: None };
        self.deciding()
            .map_or(&NOTHING_RAN, |at| &self.attempts[at].outcome)
    }

    /// The position of the attempt that decides the outcome: the last one that ran (passed,
    /// failed or errored), or the last one when every attempt was skipped.
    fn deciding(&self) -> Option<usize> {
        let ran = self
            .attempts
            .iter()
            .rposition(|a| !matches!(a.outcome, Outcome::Skipped { .. }));
        ran.or_else(|| self.attempts.len().checked_sub(1))
    }

    /// The Generic test definition Xray's own JUnit import uses: `classname.name`, or the name
    /// alone when there is no classname; Allure's `fullName` when present.
    pub fn definition(&self) -> String {
        self.definition_pieces().concat()
    }

    /// [`TestCase::definition`] as the pieces it is joined from, for callers that only feed it
    /// somewhere (a hash) and need not allocate it: it runs for every test of a run.
    pub fn definition_pieces(&self) -> [&str; 3] {
        if let Some(full) = self.full_name().filter(|f| !f.is_empty()) {
            return [full, "", ""];
        }
        match self.classname.as_deref().filter(|c| !c.is_empty()) {
            Some(class) => [class, ".", &self.name],
            None => ["", "", &self.name],
        }
    }

    /// The value of the first property called `name` (case-sensitive).
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties()
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// Folds another sighting of the same test into this one, *after* the attempts it has (the
    /// caller knows the order: see the module doc), and settles the result. Costs the length of
    /// this case; bulk merges call [`TestCase::append`] per sighting and [`TestCase::settle`]
    /// once, so merging stays linear however many sightings a test has.
    pub fn absorb(&mut self, other: TestCase) {
        self.append(other);
        self.settle();
    }

    /// Appends another sighting's attempts and metadata lists without de-duplicating or
    /// re-deriving anything: O(size of `other`). Call [`TestCase::settle`] when done.
    pub fn append(&mut self, other: TestCase) {
        self.attempts.extend(other.attempts);
        if let Some(theirs) = other.extras {
            let Extras {
                full_name: _,
                history_id: _,
                file,
                line,
                mut properties,
                mut labels,
                mut links,
                parameters: _,
                mut attachments,
            } = *theirs;
            let ours = self.extras_mut();
            ours.properties.append(&mut properties);
            ours.labels.append(&mut labels);
            ours.links.append(&mut links);
            ours.attachments.append(&mut attachments);
            if ours.file.is_none() {
                ours.file = file;
                ours.line = line;
            }
        }
    }

    /// After [`TestCase::append`]: drops repeated properties, labels, links and attachments
    /// (the first of equals stays, in its place; hashed, so linear) and re-derives `flaky`.
    pub fn settle(&mut self) {
        if let Some(extras) = self.extras.as_deref_mut() {
            dedup_in_order(&mut extras.properties);
            dedup_in_order(&mut extras.labels);
            dedup_in_order(&mut extras.links);
            dedup_in_order(&mut extras.attachments);
        }
        self.recompute();
    }

    /// Re-derives `flaky` from `attempts`: the deciding attempt passed and an earlier one
    /// failed or errored. Call after changing `attempts` directly; it drops a runner-reported
    /// flaky mark.
    pub fn recompute(&mut self) {
        self.flaky = self.deciding().is_some_and(|at| {
            self.attempts[at].outcome == Outcome::Passed
                && self.attempts[..at].iter().any(|a| a.outcome.is_failure())
        });
    }

    /// Sum of the attempts' durations, when any was known (derived on each call).
    pub fn duration_secs(&self) -> Option<f64> {
        let mut known = self
            .attempts
            .iter()
            .filter_map(|a| a.duration_secs)
            .peekable();
        known.peek()?;
        Some(known.sum())
    }

    /// Start of the earliest attempt, when known (derived on each call).
    pub fn started_at(&self) -> Option<time::OffsetDateTime> {
        self.attempts.iter().filter_map(|a| a.started_at).min()
    }
}

/// Keeps the first of each group of equal items, in place and in order. Hashes the items, so
/// it is linear: a list of 200k distinct items costs one pass, not 200k scans.
pub fn dedup_in_order<T: std::hash::Hash + Eq>(list: &mut Vec<T>) {
    if list.len() < 2 {
        return;
    }
    let keep: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        list.iter().map(|item| seen.insert(item)).collect()
    };
    let mut at = 0;
    list.retain(|_| {
        at += 1;
        keep[at - 1]
    });
}

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum FileStatus {
    /// Parsed; `tests` records were read from it (before merging).
    Parsed { format: Format, tests: usize },
    /// Not a result format xray-sync reads (or an Allure side file); not an error.
    Skipped { reason: String },
    /// Unreadable, malformed, cut short, or results in a format no reader handles. The file
    /// makes the run exit 3 (unless bad files are allowed); `salvaged` tests read completely
    /// before the error were kept and go through with the rest.
    Failed {
        error: InputError,
        #[serde(skip_serializing_if = "is_zero")]
        salvaged: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    #[serde(flatten)]
    pub status: FileStatus,
    /// Things worth telling the user about an otherwise usable file, e.g. an attachment that was
    /// refused because its source points outside the results directory.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A bad input file: which file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}{}: {message}", path.display(), location(*line, *offset))]
pub struct InputError {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset into the file, when no line is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    pub message: String,
}

impl InputError {
    /// One line for reports: the error, and what was kept from the file.
    pub fn describe(&self, salvaged: usize) -> String {
        match salvaged {
            0 => format!("{self} (no test read from it)"),
            n => format!("{self} ({n} test(s) read before the error were kept)"),
        }
    }

    /// A problem with the file as a whole (cannot open it, not this format): no position.
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        InputError {
            path: path.to_path_buf(),
            line: None,
            offset: None,
            message: message.into(),
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn location(line: Option<u64>, offset: Option<u64>) -> String {
    match (line, offset) {
        (Some(l), _) => format!(":{l}"),
        (None, Some(o)) => format!(" (byte {o})"),
        (None, None) => String::new(),
    }
}

/// Everything read from the inputs, merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TestRun {
    pub cases: Vec<TestCase>,
    pub files: Vec<FileReport>,
}

/// Counts per outcome, with flaky counted among the passed as well as on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub error: usize,
    pub skipped: usize,
    pub flaky: usize,
}

impl Counts {
    /// Counts one test.
    pub fn add(&mut self, case: &TestCase) {
        self.total += 1;
        match case.outcome().kind() {
            OutcomeKind::Passed => self.passed += 1,
            OutcomeKind::Failed => self.failed += 1,
            OutcomeKind::Error => self.error += 1,
            OutcomeKind::Skipped => self.skipped += 1,
        }
        if case.flaky {
            self.flaky += 1;
        }
    }
}

impl TestRun {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for case in &self.cases {
            c.add(case);
        }
        c
    }

    /// Earliest known start over all attempts.
    pub fn started_at(&self) -> Option<time::OffsetDateTime> {
        self.cases.iter().filter_map(TestCase::started_at).min()
    }

    /// Latest known end (start + duration) over all attempts.
    pub fn finished_at(&self) -> Option<time::OffsetDateTime> {
        self.cases
            .iter()
            .flat_map(|c| &c.attempts)
            .filter_map(|a| {
                let start = a.started_at?;
                let secs = a.duration_secs.unwrap_or(0.0);
                Some(start + time::Duration::seconds_f64(secs))
            })
            .max()
    }

    /// Files that failed to parse.
    pub fn failed_files(&self) -> impl Iterator<Item = &InputError> {
        self.bad_files().map(|(error, _)| error)
    }

    /// Files that failed to parse, each with how many of its tests were salvaged.
    pub fn bad_files(&self) -> impl Iterator<Item = (&InputError, usize)> {
        self.files.iter().filter_map(|f| match &f.status {
            FileStatus::Failed { error, salvaged } => Some((error, *salvaged)),
            FileStatus::Parsed { .. } | FileStatus::Skipped { .. } => None,
        })
    }
}

mod attempts;
pub mod folder;
pub mod identity;
mod json;
pub mod label;
#[cfg(test)]
mod tests;
mod text;
