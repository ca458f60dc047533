//! Issue 18's upload benchmark: a whole `run` of a 200,000-test JUnit file into the in-process
//! Xray Cloud fake (200 import requests of 1,000 results, the default), measured from outside
//! the client: `/usr/bin/time` gives the client process's peak RSS and CPU time, so the fake's own work (in
//! this test process) is not counted. Printed next to a raw quick-xml pass over the same file in
//! the same run, as the other benchmarks do. A measurement, so it runs on demand:
//!
//! ```text
//! cargo build --release --bin xray-sync
//! XRAY_SYNC_BENCH_BIN=target/release/xray-sync \
//!   cargo test --release --locked --test integration scale_upload -- --ignored --nocapture
//! ```
//!
//! `XRAY_SYNC_BENCH_TESTS` sets the size (default 200,000); `XRAY_SYNC_BENCH_FILE` uploads a
//! given file instead (e.g. the `parse` bench's `--gen-tests` file, output and longer traces
//! included), copied into the workspace.

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use crate::support;

use support::e2e::*;

/// A Surefire-like file: `n` test cases in suites of 100, one in 50 failing with a short trace.
fn write_results(path: &std::path::Path, n: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>"
    )
    .unwrap();
    for suite in 0..n.div_ceil(100) {
        writeln!(
            out,
            "<testsuite name=\"com.acme.s{suite}.SuiteTest\" timestamp=\"2026-12-06T01:00:00\">"
        )
        .unwrap();
        for i in (suite * 100)..((suite + 1) * 100).min(n) {
            if i % 50 == 7 {
                writeln!(
                    out,
                    "  <testcase classname=\"com.acme.s{suite}.SuiteTest\" name=\"case{i}\" time=\"0.012\"><failure message=\"expected 4 but was {i}\" type=\"java.lang.AssertionError\">java.lang.AssertionError: expected 4 but was {i}\n\tat com.acme.s{suite}.SuiteTest.case{i}(SuiteTest.java:{i})\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)</failure></testcase>"
                )
                .unwrap();
            } else {
                writeln!(
                    out,
                    "  <testcase classname=\"com.acme.s{suite}.SuiteTest\" name=\"case{i}\" time=\"0.003\"/>"
                )
                .unwrap();
            }
        }
        writeln!(out, "</testsuite>").unwrap();
    }
    writeln!(out, "</testsuites>").unwrap();
}

/// Seconds of a raw quick-xml pass over `path` (events counted, nothing kept): the floor.
fn raw_pass(path: &std::path::Path) -> f64 {
    let started = Instant::now();
    let mut reader = quick_xml::Reader::from_file(path).unwrap();
    let mut buf = Vec::new();
    let mut events = 0usize;
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            quick_xml::events::Event::Eof => break,
            _ => events += 1,
        }
        buf.clear();
    }
    assert!(events > 0);
    started.elapsed().as_secs_f64()
}

#[test]
#[ignore = "measurement for benches/README.md; run with --ignored --nocapture"]
fn upload_of_200k_tests_measured_against_a_raw_pass() {
    let n: usize = std::env::var("XRAY_SYNC_BENCH_TESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let bin = std::env::var("XRAY_SYNC_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_xray-sync").to_string());
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("results")).unwrap();
    let file = s.path("results/TEST-big.xml");
    let given = std::env::var_os("XRAY_SYNC_BENCH_FILE");
    match &given {
        Some(path) => {
            std::fs::copy(path, &file).unwrap();
        }
        None => write_results(&file, n),
    }
    let bytes = std::fs::metadata(&file).unwrap().len();
    let floor = (0..3).map(|_| raw_pass(&file)).fold(f64::MAX, f64::min);

    let xray = xray_cloud();
    let mut template = s.bin();
    xray_cloud_env(&mut template, &xray.url());
    template.env("XRAY_SYNC_IMPORT_TIMEOUT", "300");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.current_dir(template.get_current_dir().unwrap());
    cmd.args(["-f", "TIME %M %U %S %e", &bin, "run", "results"]);
    let started = Instant::now();
    let out = run(&mut cmd);
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(out.code, Some(0), "{}", out.text());
    let line = out
        .stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("TIME "))
        .expect("/usr/bin/time's line");
    let f: Vec<f64> = line
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let (peak_kb, user, sys) = (f[0], f[1], f[2]);
    let requests = xray.import_requests().len();
    if given.is_none() {
        assert_eq!(
            requests,
            n.div_ceil(1_000),
            "one import per 1,000 results (the default)"
        );
    }
    let tests = out
        .text()
        .lines()
        .find_map(|l| {
            let (_, rest) = l.split_once(": junit (")?;
            rest.split_whitespace().next()?.parse::<usize>().ok()
        })
        .unwrap_or(n);
    eprintln!(
        "upload of {tests} tests ({:.1} MB) in {requests} requests with {bin}:\n  \
         client peak {:.0} MB, client CPU {:.2} s (user {user:.2} + sys {sys:.2}), wall {wall:.2} s (fake included)\n  \
         raw quick-xml pass {floor:.3} s: client CPU = {:.1}x the floor",
        bytes as f64 / 1e6,
        peak_kb / 1024.0,
        user + sys,
        (user + sys) / floor,
    );
}
