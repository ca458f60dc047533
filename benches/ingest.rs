//! Ingest stays linear (issue 19, item 5): one Allure result with 200k parameters, one with
//! 200k attachments, and a JUnit file with 300k identical test cases, each read by
//! `ingest::collect` (what `run` and `parse` do) in under 2 s. Before, de-duplication rescanned
//! the list per item and every repeated test case re-sorted and re-derived the whole test:
//! minutes for each (benches/README.md).
//!
//! ```text
//! cargo bench --bench ingest                  # the sizes above; exits 1 if one takes 2 s or more
//! cargo bench --bench ingest -- --scale 0.25  # a quarter of each size (for slow baselines)
//! ```
//! Inputs are generated into bench-data/ingest-<n>/ (gitignored) on first use.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xray_sync::ingest::{InputOptions, collect};

const PARAMETERS: usize = 200_000;
const ATTACHMENTS: usize = 200_000;
const TESTCASES: usize = 300_000;
const LIMIT: Duration = Duration::from_secs(2);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let scale: f64 = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--scale", s] => s.parse().expect("a number"),
        _ => 1.0,
    };
    let size = |n: usize| ((n as f64 * scale) as usize).max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");

    let mut over = false;
    for (what, n, file) in [
        (
            "Allure parameters in one result",
            size(PARAMETERS),
            parameters(&root, size(PARAMETERS)),
        ),
        (
            "Allure attachments in one result",
            size(ATTACHMENTS),
            attachments(&root, size(ATTACHMENTS)),
        ),
        (
            "identical JUnit test cases",
            size(TESTCASES),
            identical_testcases(&root, size(TESTCASES)),
        ),
    ] {
        let started = Instant::now();
        let run = collect(&InputOptions {
            patterns: vec![file.display().to_string()],
            ..InputOptions::default()
        })
        .expect("readable input");
        let took = started.elapsed();
        // What was read proves the work was done (and kept once).
        let case = &run.cases[0];
        let kept = case.parameters().len() + case.attachments().len() + case.attempts.len();
        println!(
            "{what:<34} {n:>8}  {:>8.3} s  (tests {}, parameters+attachments+tries {kept})",
            took.as_secs_f64(),
            run.cases.len()
        );
        over |= took >= LIMIT;
    }
    if over {
        eprintln!(
            "at least one input took {} s or more: ingest is not linear",
            LIMIT.as_secs()
        );
        std::process::exit(1);
    }
}

fn dir_for(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    dir
}

/// One Allure 2 result with `n` distinct parameters.
fn parameters(root: &Path, n: usize) -> PathBuf {
    let file = dir_for(root, &format!("ingest-params-{n}")).join("p-result.json");
    if !file.exists() {
        let mut params = String::with_capacity(n * 40);
        for i in 0..n {
            if i > 0 {
                params.push(',');
            }
            let _ = write!(params, r#"{{"name":"p{i}","value":"v{i}"}}"#);
        }
        std::fs::write(&file, result_json("params", &params, "")).expect("write");
    }
    file
}

/// One Allure 2 result naming `n` distinct attachment files next to it.
fn attachments(root: &Path, n: usize) -> PathBuf {
    let dir = dir_for(root, &format!("ingest-attachments-{n}"));
    let file = dir.join("a-result.json");
    if !file.exists() {
        let mut list = String::with_capacity(n * 60);
        for i in 0..n {
            let name = format!("a{i}-attachment.txt");
            std::fs::write(dir.join(&name), "x").expect("write attachment");
            if i > 0 {
                list.push(',');
            }
            let _ = write!(
                list,
                r#"{{"name":"a{i}","source":"{name}","type":"text/plain"}}"#
            );
        }
        std::fs::write(&file, result_json("attachments", "", &list)).expect("write");
    }
    file
}

fn result_json(name: &str, parameters: &str, attachments: &str) -> String {
    format!(
        r#"{{"uuid":"u-{name}","historyId":"h-{name}","name":"{name}","fullName":"bench.{name}","status":"passed","start":1767225600000,"stop":1767225601000,"parameters":[{parameters}],"attachments":[{attachments}]}}"#
    )
}

/// One JUnit file repeating the same test case `n` times (one test, `n` tries).
fn identical_testcases(root: &Path, n: usize) -> PathBuf {
    let file = dir_for(root, &format!("ingest-junit-{n}")).join("TEST-same.xml");
    if !file.exists() {
        let mut xml = String::with_capacity(n * 64 + 64);
        xml.push_str("<testsuite name=\"bench\">\n");
        for _ in 0..n {
            xml.push_str("  <testcase classname=\"bench.Same\" name=\"again\" time=\"0.001\"/>\n");
        }
        xml.push_str("</testsuite>\n");
        std::fs::write(&file, xml).expect("write");
    }
    file
}
