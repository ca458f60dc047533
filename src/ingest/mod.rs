//! Reading result files: patterns → files → format sniffed by content → parsed in parallel →
//! Allure containers applied → sightings of the same test merged → one `TestRun`.
//!
//! Owns the orchestration and the error a caller branches on (`IngestError`, exit code 3).
//! The format readers live next door (`junit`, `allure2`, `allure1`, the .NET ones, `testng`,
//! `robot`, `cucumber`, `playwright`); pattern expansion in `inputs`, the merge rule in `merge`,
//! implausible start times in `times`, the "looks like results in a format we do not read"
//! guess in `unsupported`, the `parse` command's printing in `parse_output`.
//!
//! Sniffing looks at content, never at the extension, in this order: a .NET root element
//! (`dotnet::sniff`: NUnit, xUnit.net, TRX), a TestNG `testng-results` or Robot Framework
//! `robot` (or bare `<suite id="s1">`) root, an Allure 1 `test-suite` root, JUnit XML
//! (`junit::looks_like_junit` on the first 4 KiB), then a JSON object that is an Allure 2 result
//! or container, or a JSON array of Cucumber/Behave features (`cucumber::looks_like_features`);
//! a JSON object opening with Playwright's `config` is Playwright's JSON report
//! (`playwright::looks_like_report`), read before the Allure 2 arm.
//! New readers add their arms before the "no reader took it" branches (`not_read_xml`, the
//! JSON-array arm, the plain-text arm), which ask `unsupported`: a file that looks like test
//! results in a format no reader handles is a bad file naming that format; anything else is
//! skipped with a note. Files inside an Allure results directory that are none of these
//! (attachments, `categories.json`, `executor.json`, `environment.properties`, `history/`) are
//! skipped quietly as Allure side files. The extension only helps word an error: an `.xml` or
//! `-result.json` file that is empty or not XML/JSON at all is a bad file.
//!
//! Bad files never stop the others: a reader that stops part-way (a file cut short) hands back
//! the tests it read completely (`Read1::Salvaged`), and they go on with the rest while the file
//! is still reported bad. `IngestError::bad_files` then turns the bad files into exit code 3,
//! after the caller has processed and reported everything readable.

pub mod allure;
pub mod allure1;
pub mod allure2;
pub mod cucumber;
pub mod dotnet;
mod hash_index;
pub mod inputs;
pub mod junit;
pub mod merge;
pub mod nunit;
pub mod parse_output;
pub mod playwright;
pub mod robot;
pub mod safe_xml;
mod salvage;
pub mod shell_glob;
pub mod testng;
mod times;
pub mod trx;
mod unsupported;
pub mod xunit;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::model::{FileReport, FileStatus, Format, InputError, ReadText, TestCase, TestRun};
use allure::{ALLURE_SIDE_FILE, AllureCase};

/// How many leading bytes sniffing looks at.
pub const SNIFF_BYTES: usize = 4096;

/// What to read and how picky to be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputOptions {
    /// Paths, directories (walked recursively) or globs.
    pub patterns: Vec<String>,
    /// Zero result files is fine (`--allow-empty`).
    pub allow_empty: bool,
    /// Any bad file is fatal (`--strict`).
    pub strict: bool,
}

/// Why reading the inputs failed as a whole. The CLI maps every variant to exit code 3.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{}", no_results_message(.patterns))]
    NoResults { patterns: Vec<String> },
    /// Result files were read, none is bad, and together they hold no test: the run that
    /// should have written them most likely never ran its tests.
    #[error(
        "{} result file(s) read, but they hold no tests (did the test run stop before running any?): {}; pass --allow-empty (XRAY_SYNC_ALLOW_EMPTY) to exit 0 anyway",
        .files.len(),
        .files.iter().take(5).map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoTests { files: Vec<PathBuf> },
    #[error("{} bad input file(s) with --strict:\n  {}", .errors.len(), list_errors(.errors))]
    BadInput { errors: Vec<InputError> },
    #[error("invalid glob {pattern:?}: {message}")]
    BadPattern { pattern: String, message: String },
    /// Reported after everything readable was processed (and sent, and reported): bad files
    /// never make a green run unless they are allowed.
    #[error(
        "{} result file(s) could not be read; everything readable was processed (pass --allow-bad-files to exit 0 anyway):\n  {}",
        .errors.len(),
        list_errors(.errors)
    )]
    BadFiles { errors: Vec<InputError> },
}

impl IngestError {
    /// The bad files of `run` as an error (exit code 3), unless there are none.
    pub fn bad_files(run: &TestRun) -> Option<IngestError> {
        let errors: Vec<InputError> = run.failed_files().cloned().collect();
        (!errors.is_empty()).then_some(IngestError::BadFiles { errors })
    }
}

/// What was tried and from where (relative patterns are read from the working directory), or
/// what to set when nothing was given at all.
fn no_results_message(patterns: &[String]) -> String {
    if patterns.is_empty() {
        return "no test result files found: no results were given; pass PATTERN..., or set XRAY_SYNC_RESULTS (the action's `results` input, or [inputs] results in the config file)".to_string();
    }
    let tried = patterns
        .iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let dir = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "the working directory".to_string());
    format!(
        "no test result files found (patterns tried: {tried}, from {dir}); pass --allow-empty if that is expected"
    )
}

fn list_errors(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// What reading one file gave.
enum Read1 {
    /// `distinct`: no two of the tests share a cross-file identity (`junit::Parsed::distinct`).
    Junit {
        cases: Vec<TestCase>,
        distinct: bool,
    },
    /// NUnit, xUnit.net or TRX.
    Dotnet(Format, Vec<TestCase>),
    /// TestNG, Robot Framework, Cucumber, Behave or Playwright.
    Native {
        format: Format,
        cases: Vec<TestCase>,
        notes: Vec<String>,
    },
    Allure {
        format: Format,
        cases: Vec<AllureCase>,
        notes: Vec<String>,
    },
    Container {
        container: allure2::Container,
        notes: Vec<String>,
    },
    /// allure-js 3 `*-globals.json`: errors outside any test, each as a test in error.
    AllureGlobals(Vec<AllureCase>),
    /// Not a result; `reason` says what it is. Inside an Allure directory it becomes a quiet
    /// side file unless `always_note` (results we recognise but do not read).
    Unknown {
        reason: String,
        always_note: bool,
    },
    /// Looks like test results, in a format no reader handles (the guess is `unsupported`).
    /// A bad file, except inside an Allure results directory, where such JSON is a side file.
    Unsupported {
        looks_like: String,
    },
    Failed(InputError),
    /// A file cut short or broken part-way: the tests read completely before the error.
    Salvaged {
        cases: Vec<TestCase>,
        error: InputError,
    },
}

/// Reads every input, merges the sightings and reports what happened to each file.
pub fn collect(opts: &InputOptions) -> Result<TestRun, IngestError> {
    let expansion = inputs::expand(&opts.patterns)?;
    let files = expansion.files;
    let mut reads = read_all(&files);
    skip_testng_junit_copies(&files, &mut reads);

    // Allure directories: where any Allure result or container was found. Unknown files there
    // (and in their `history/`) are side files, not noise worth a note.
    let allure_dirs: HashSet<&Path> = files
        .iter()
        .zip(&reads)
        .filter(|(_, r)| matches!(r, Read1::Allure { .. } | Read1::Container { .. }))
        .filter_map(|(p, _)| p.parent())
        .collect();

    // Containers, by (directory, child uuid). Taken out of their reads, so the loop below can
    // move every parsed test instead of copying it.
    let taken: Vec<(&Path, allure2::Container)> = files
        .iter()
        .zip(reads.iter_mut())
        .filter_map(|(path, read)| match read {
            Read1::Container { container, .. } => Some((
                path.parent().unwrap_or(Path::new(".")),
                std::mem::take(container),
            )),
            _ => None,
        })
        .collect();
    let mut containers: HashMap<(&Path, &str), Vec<&allure2::Container>> = HashMap::new();
    for (dir, container) in &taken {
        for child in &container.children {
            containers
                .entry((*dir, child.as_str()))
                .or_default()
                .push(container);
        }
    }

    let failed_in_dir = allure_failure_traces(&files, &reads);

    let mut reports = Vec::with_capacity(files.len() + expansion.unmatched.len());
    let mut sightings: Vec<TestCase> = Vec::new();
    let mut spans: Vec<merge::FileSpan> = Vec::with_capacity(files.len());
    let mut result_files = 0usize;
    // Whether the merge below can be skipped: one file brought tests, and its reader already
    // folded every repeat the merge would (each test there has its own identity).
    let mut files_with_tests = 0usize;
    let mut all_distinct = true;
    let now = time::OffsetDateTime::now_utc();
    for ((path, read), &given) in files.iter().zip(reads).zip(&expansion.given) {
        let first_new = sightings.len();
        // Only the JUnit reader tells; every other reader's tests go through the merge.
        let mut read_distinct = false;
        let mut folded = false;
        let (status, mut notes) = match read {
            Read1::Junit { cases, distinct } => {
                result_files += 1;
                let tests = cases.len();
                read_distinct = distinct;
                folded = true;
                append(&mut sightings, cases);
                (
                    FileStatus::Parsed {
                        format: Format::Junit,
                        tests,
                    },
                    Vec::new(),
                )
            }
            Read1::Dotnet(format, cases) => {
                result_files += 1;
                let tests = cases.len();
                append(&mut sightings, cases);
                (FileStatus::Parsed { format, tests }, Vec::new())
            }
            Read1::Native {
                format,
                cases,
                notes,
            } => {
                result_files += 1;
                let tests = cases.len();
                append(&mut sightings, cases);
                (FileStatus::Parsed { format, tests }, notes)
            }
            Read1::Allure {
                format,
                cases,
                notes,
            } => {
                result_files += 1;
                let dir = path.parent().unwrap_or(Path::new("."));
                let tests = cases.len();
                for mut c in cases {
                    let uuid = c.uuid.clone();
                    if let Some(uuid) = uuid.as_deref()
                        && let Some(list) = containers.get(&(dir, uuid))
                    {
                        for container in list {
                            allure2::apply_container(&mut c, container);
                        }
                    }
                    sightings.push(c.case);
                }
                (FileStatus::Parsed { format, tests }, notes)
            }
            Read1::AllureGlobals(cases) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                let known = failed_in_dir.get(dir);
                let (covered, kept): (Vec<_>, Vec<_>) = cases.into_iter().partition(|c| {
                    trace_head(&c.case).is_some_and(|t| known.is_some_and(|k| k.contains(&t)))
                });
                let notes: Vec<String> = covered
                    .iter()
                    .map(|c| {
                        format!(
                            "global error \"{}\" is the failure of tests that have results here: not counted again",
                            c.case.name
                        )
                    })
                    .collect();
                if kept.is_empty() {
                    let reason = format!(
                        "{ALLURE_SIDE_FILE}: globals, errors already on the tests they failed"
                    );
                    (FileStatus::Skipped { reason }, notes)
                } else {
                    result_files += 1;
                    let tests = kept.len();
                    sightings.extend(kept.into_iter().map(|c| c.case));
                    let format = Format::Allure2;
                    (FileStatus::Parsed { format, tests }, notes)
                }
            }
            Read1::Container { notes, .. } => (
                FileStatus::Skipped {
                    reason: format!(
                        "{ALLURE_SIDE_FILE}: container (fixtures applied to its tests)"
                    ),
                },
                notes,
            ),
            Read1::Unknown {
                reason,
                always_note,
            } => {
                let reason = if !always_note && in_allure_dir(path, &allure_dirs) {
                    format!("{ALLURE_SIDE_FILE}: {reason}")
                } else {
                    reason
                };
                (FileStatus::Skipped { reason }, Vec::new())
            }
            Read1::Unsupported { looks_like } if in_allure_dir(path, &allure_dirs) => (
                FileStatus::Skipped {
                    reason: format!("{ALLURE_SIDE_FILE}: {looks_like}"),
                },
                Vec::new(),
            ),
            Read1::Unsupported { looks_like } => {
                result_files += 1;
                let error = InputError::whole_file(
                    path,
                    format!("looks like {looks_like}, a format xray-sync does not read"),
                );
                (FileStatus::Failed { error, salvaged: 0 }, Vec::new())
            }
            Read1::Failed(error) => {
                result_files += 1;
                (FileStatus::Failed { error, salvaged: 0 }, Vec::new())
            }
            Read1::Salvaged { cases, error } => {
                result_files += 1;
                let salvaged = cases.len();
                append(&mut sightings, cases);
                (FileStatus::Failed { error, salvaged }, Vec::new())
            }
        };
        if sightings.len() > first_new {
            files_with_tests += 1;
            all_distinct &= read_distinct;
        }
        let ignored = times::drop_implausible(&mut sightings[first_new..], now);
        if ignored > 0 {
            notes.push(times::note(ignored));
        }
        spans.push(merge::FileSpan {
            end: sightings.len(),
            given,
            folded,
        });
        reports.push(FileReport {
            path: path.clone(),
            status,
            notes,
        });
    }
    for pattern in &expansion.unmatched {
        reports.push(FileReport {
            path: PathBuf::from(pattern),
            status: FileStatus::Skipped {
                reason: "pattern matched no files".to_string(),
            },
            notes: Vec::new(),
        });
    }

    if result_files == 0 && !opts.allow_empty {
        return Err(IngestError::NoResults {
            patterns: opts.patterns.clone(),
        });
    }
    let run = TestRun {
        // `merge_files` over such a file would keep every test where it is and touch none
        // (its index alone was ~10 % of `xray-sync parse` on 200,000 tests, and ~9 MB).
        cases: if files_with_tests <= 1 && all_distinct {
            sightings
        } else {
            merge::merge_files(sightings, &spans)
        },
        files: reports,
    };
    if run.cases.is_empty() && run.failed_files().next().is_none() && !opts.allow_empty {
        let files = run
            .files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Parsed { .. }))
            .map(|f| f.path.clone())
            .collect();
        return Err(IngestError::NoTests { files });
    }
    if opts.strict {
        let errors: Vec<InputError> = run.failed_files().cloned().collect();
        if !errors.is_empty() {
            return Err(IngestError::BadInput { errors });
        }
    }
    Ok(run)
}

/// TestNG writes JUnit copies of its results (`junitreports/`, `<suite>/<test>.xml`) next to
/// `testng-results.xml`; when that file is read too, the copies would count every test again,
/// with less in them. They are skipped with a note (and read as JUnit when they are all there is).
fn skip_testng_junit_copies(files: &[PathBuf], reads: &mut [Read1]) {
    let testng_read = reads.iter().any(|r| {
        matches!(
            r,
            Read1::Native {
                format: Format::Testng,
                ..
            }
        )
    });
    if !testng_read {
        return;
    }
    for (path, read) in files.iter().zip(reads.iter_mut()) {
        if matches!(read, Read1::Junit { .. })
            && head(path).is_ok_and(|h| testng::is_junit_copy(&h))
        {
            *read = Read1::Unknown {
                reason: "TestNG's JUnit copy of the results in testng-results.xml, which is read \
                         instead"
                    .to_string(),
                always_note: true,
            };
        }
    }
}

/// Moves one file's tests to the end of `all`; the first (often the only) file's list is taken
/// as it is, not copied.
fn append(all: &mut Vec<TestCase>, mut cases: Vec<TestCase>) {
    if all.is_empty() {
        *all = cases;
    } else {
        all.append(&mut cases);
    }
}

fn in_allure_dir(path: &Path, dirs: &HashSet<&Path>) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    if dirs.contains(parent) {
        return true;
    }
    parent.file_name().is_some_and(|n| n == "history")
        && parent.parent().is_some_and(|g| dirs.contains(g))
}

/// Reads all files on up to `available_parallelism` threads; results keep the input order.
fn read_all(files: &[PathBuf]) -> Vec<Read1> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len())
        .max(1);
    // A panicking parser loses only its own file: each read is caught on its own (the release
    // profile unwinds for this), and the file is reported as failed below.
    let read_caught = |path: &PathBuf| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_one(path))).ok()
    };
    if workers == 1 {
        return files
            .iter()
            .map(|p| read_caught(p).unwrap_or_else(|| crashed(p)))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Read1>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        if let Some(read) = read_caught(path) {
                            done.push((i, read));
                        }
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            if let Ok(done) = handle.join() {
                for (i, read) in done {
                    slots[i] = Some(read);
                }
            }
        }
    });
    slots
        .into_iter()
        .zip(files)
        .map(|(slot, path)| slot.unwrap_or_else(|| crashed(path)))
        .collect()
}

/// What a file whose parser panicked becomes: a failed file, the run goes on.
fn crashed(path: &Path) -> Read1 {
    Read1::Failed(InputError::whole_file(
        path,
        "internal error: the parser crashed on this file",
    ))
}

/// The first bytes of a file, for sniffing.
fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

fn read_one(path: &Path) -> Read1 {
    let head = match head(path) {
        Ok(h) => h,
        Err(e) => {
            return Read1::Failed(InputError::whole_file(path, format!("cannot read: {e}")));
        }
    };
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bad = |message: &str| {
        Read1::Failed(InputError {
            path: path.to_path_buf(),
            line: None,
            offset: Some(0),
            message: message.to_string(),
        })
    };
    match first {
        Some(b'<') => {
            // Before Allure 1: a bare NUnit 3 `<test-suite type=…>` root shares its name.
            if let Some(format) = dotnet::sniff(&head) {
                return match dotnet::salvage_path(path, format) {
                    (cases, None) => Read1::Dotnet(format, cases),
                    (cases, Some(error)) => salvaged(cases, error),
                };
            }
            if let Some(read) = read_native_xml(path, &head) {
                return read;
            }
            if allure1::looks_like_allure1(&head) {
                return match allure1::salvage_path(path) {
                    (p, None) => Read1::Allure {
                        format: Format::Allure1,
                        cases: p.cases,
                        notes: p.notes,
                    },
                    // Allure 1 has no containers: the salvaged tests need nothing more.
                    (p, Some(error)) => {
                        salvaged(p.cases.into_iter().map(|c| c.case).collect(), error)
                    }
                };
            }
            if junit::looks_like_junit(&head) {
                return match junit::salvage(path) {
                    (parsed, None) => Read1::Junit {
                        cases: parsed.cases,
                        distinct: parsed.distinct,
                    },
                    (parsed, Some(error)) => salvaged(parsed.cases, error),
                };
            }
            // New XML readers go above this line; below, no reader took the file.
            not_read_xml(&head, &name, bad)
        }
        Some(b'{') if playwright::looks_like_report(&head) => read_playwright(path),
        Some(b'{') => read_json(path, &name),
        Some(b'[') if cucumber::looks_like_features(&head) => read_cucumber(path),
        // JSON arrays: new readers (Cucumber/Behave JSON) go above this arm.
        Some(b'[') => match unsupported::json(body) {
            Some(looks_like) => Read1::Unsupported { looks_like },
            None => unknown("not a recognised result format"),
        },
        None if name.ends_with(".xml") || name.ends_with("-result.json") => bad("empty file"),
        None => unknown("empty file"),
        Some(_) if name.ends_with(".xml") => bad("not XML: the file does not start with '<'"),
        Some(_) if name.ends_with("-result.json") => {
            bad("not JSON: the file does not start with '{'")
        }
        Some(_) => match unsupported::text(body) {
            Some(looks_like) => Read1::Unsupported { looks_like },
            None => unknown("not a recognised result format"),
        },
    }
}

/// A file no XML reader took: results in an unread format, broken XML named `.xml`, or XML that
/// is not results (skipped with a note).
fn not_read_xml(head: &[u8], name: &str, bad: impl Fn(&str) -> Read1) -> Read1 {
    if let Some(what) = unsupported::xml_not_results(head) {
        return unknown(what);
    }
    if let Some(looks_like) = unsupported::xml_root(head).and_then(|root| unsupported::xml(&root)) {
        return Read1::Unsupported { looks_like };
    }
    if name.ends_with(".xml") && !has_root_element(head) {
        return bad("no root element found: not well-formed XML");
    }
    unknown("XML, but not a test result format")
}

/// A reader stopped at `error`: the tests it read before are kept when there are any.
fn salvaged(cases: Vec<TestCase>, error: InputError) -> Read1 {
    if cases.is_empty() {
        Read1::Failed(error)
    } else {
        Read1::Salvaged { cases, error }
    }
}

/// TestNG (`<testng-results>`) or Robot Framework (`<robot>`, or a bare `<suite id="s1">`),
/// sniffed by the root element.
fn read_native_xml(path: &Path, head: &[u8]) -> Option<Read1> {
    let (root, id) = dotnet::root_element(head)?;
    let (format, parsed) = if testng::is_root(&root) {
        (
            Format::Testng,
            testng::parse_path(path).map(|cases| (cases, Vec::new())),
        )
    } else if robot::is_root(&root, id.as_deref()) {
        (Format::Robot, robot::parse_path_noted(path))
    } else {
        return None;
    };
    Some(match parsed {
        Ok((cases, notes)) => Read1::Native {
            format,
            cases,
            notes,
        },
        // A file cut short: read it again as far as it goes (only on this error path) and keep
        // the tests that closed before the cut.
        Err(error) => {
            let (cases, _) = if format == Format::Testng {
                testng::salvage_path(path)
            } else {
                robot::salvage_path(path)
            };
            salvaged(cases, error)
        }
    })
}

/// Cucumber or Behave JSON (a top-level array of features).
fn read_cucumber(path: &Path) -> Read1 {
    match cucumber::salvage_path(path) {
        (p, None) => Read1::Native {
            format: p.format.unwrap_or(Format::Cucumber),
            cases: p.cases,
            notes: p.notes,
        },
        // The features read completely before the error are kept; the file is still bad.
        (p, Some(error)) => salvaged(p.cases, error),
    }
}

/// Playwright Test's JSON reporter output (an object opening with Playwright's `config`).
fn read_playwright(path: &Path) -> Read1 {
    match playwright::salvage_path(path) {
        (p, None) => Read1::Native {
            format: Format::Playwright,
            cases: p.cases,
            notes: p.notes,
        },
        // The test files read completely before the error are kept; the file is still bad.
        (p, Some(error)) => salvaged(p.cases, error),
    }
}

/// Whether `head` gets as far as a root element without an XML error.
fn has_root_element(head: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(_)) | Ok(quick_xml::events::Event::Empty(_)) => {
                return true;
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
        buf.clear();
    }
}

fn read_json(path: &Path, name: &str) -> Read1 {
    let too_big = std::fs::metadata(path).map(|m| m.len() > allure2::MAX_JSON_BYTES);
    if matches!(too_big, Ok(true)) {
        return if name.ends_with("-result.json") {
            Read1::Failed(InputError::whole_file(
                path,
                format!(
                    "larger than {} MiB: too large for an Allure result",
                    allure2::MAX_JSON_BYTES >> 20
                ),
            ))
        } else {
            unknown("JSON too large to be an Allure result")
        };
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Read1::Failed(InputError::whole_file(path, format!("cannot read: {e}")));
        }
    };
    match allure2::classify(&bytes, path) {
        Err(e) => Read1::Failed(e),
        Ok(allure2::JsonKind::Result(doc)) => {
            let p = allure2::convert(*doc, path);
            Read1::Allure {
                format: Format::Allure2,
                cases: p.cases,
                notes: p.notes,
            }
        }
        Ok(allure2::JsonKind::Container(doc)) => {
            let mut notes = Vec::new();
            let container = allure2::container(*doc, path, &mut notes);
            Read1::Container { container, notes }
        }
        Ok(allure2::JsonKind::Globals(doc)) => {
            let p = allure2::global_errors(*doc, path);
            if p.cases.is_empty() {
                return unknown("globals, no errors outside tests");
            }
            Read1::AllureGlobals(p.cases)
        }
        Ok(allure2::JsonKind::Allure1Json) => Read1::Unknown {
            reason: "Allure 1 JSON suite: not supported, use the Allure 1 XML results".to_string(),
            always_note: true,
        },
        Ok(allure2::JsonKind::Other(what)) => {
            match unsupported::json(&bytes[..bytes.len().min(64 * 1024)]) {
                Some(looks_like) => Read1::Unsupported { looks_like },
                None => unknown(what),
            }
        }
    }
}

/// Per Allure directory holding a globals file, the trace heads ([`trace_head`]) of its failed
/// and broken results: a global error whose trace is among them is already the failure of
/// those tests (allure-jest writes a failed `beforeAll` both ways), so it is not counted again.
/// Other directories are not looked at: their failures' text is not read back for this.
fn allure_failure_traces<'a>(
    files: &'a [PathBuf],
    reads: &[Read1],
) -> HashMap<&'a Path, HashSet<String>> {
    let dir_of = |path: &'a PathBuf| path.parent().unwrap_or(Path::new("."));
    let with_globals: HashSet<&Path> = files
        .iter()
        .zip(reads)
        .filter(|(_, read)| matches!(read, Read1::AllureGlobals(_)))
        .map(|(path, _)| dir_of(path))
        .collect();
    let mut out: HashMap<&Path, HashSet<String>> = HashMap::new();
    if with_globals.is_empty() {
        return out;
    }
    for (path, read) in files.iter().zip(reads) {
        if let Read1::Allure { cases, .. } = read
            && with_globals.contains(dir_of(path))
        {
            let dir = dir_of(path);
            for c in cases {
                if let Some(head) = trace_head(&c.case) {
                    out.entry(dir).or_default().insert(head);
                }
            }
        }
    }
    out
}

/// The first two lines of a failure's details (the error and the frame that threw it), trimmed.
fn trace_head(case: &TestCase) -> Option<String> {
    let details = case.outcome().failure()?.details.read()?;
    let head: Vec<&str> = details
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(2)
        .collect();
    (!head.is_empty()).then(|| head.join("\n"))
}

fn unknown(reason: impl Into<String>) -> Read1 {
    Read1::Unknown {
        reason: reason.into(),
        always_note: false,
    }
}

/// The 1-based line holding byte `offset`, counting newlines in the prefix.
pub(crate) fn line_of<R: Read>(reader: R, offset: u64) -> Option<u64> {
    let mut prefix = reader.take(offset);
    let mut newlines = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = prefix.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        newlines += memchr::memchr_iter(b'\n', &chunk[..n]).count() as u64;
    }
    Some(newlines + 1)
}

/// The 1-based line holding byte `offset` of the file at `path` (read again only when an
/// error is reported, so parsing never tracks lines).
pub(crate) fn line_at(path: &Path, offset: u64) -> Option<u64> {
    line_of(
        std::io::BufReader::new(std::fs::File::open(path).ok()?),
        offset,
    )
}
