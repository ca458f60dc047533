//! JUnit parse throughput and peak memory, against a bare quick-xml event loop over the same
//! file in the same run (the floor). Also the generator for the Surefire-like input files.
//!
//! ```text
//! cargo bench --bench parse                         # 100 MB file, generated on first use
//! cargo bench --bench parse -- --size-mb 1024       # 1 GB file
//! cargo bench --bench parse -- --gen OUT.xml 100    # only write a file
//! cargo bench --bench parse -- --gen-tests OUT.xml 200000   # issue 18's file: 200,000 tests, ~91 MB
//! cargo bench --bench parse -- --raw FILE           # only the floor over FILE (for run_vs_floor.sh)
//! cargo bench --bench parse -- --files 4            # 4 files of 25 MB: parallel ingest
//! ```
//! Files go to bench-data/ (gitignored). Each measurement runs in a child process of this
//! binary so its peak RSS (VmHWM) is its own. Results: benches/README.md.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use quick_xml::events::Event;

fn main() {
    // `cargo bench` passes `--bench`; keep everything else.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--gen", out, mb] => generate(
            Path::new(out),
            &Shape::by_size(mb.parse().expect("size in MB")),
            "",
        ),
        ["--gen-tests", out, n] => generate(
            Path::new(out),
            &Shape::by_tests(n.parse().expect("number of tests")),
            "",
        ),
        ["--raw", file] => child("raw", Path::new(file)),
        ["--child", mode, file] => child(mode, Path::new(file)),
        ["--files", n] => compare_files(n.parse().expect("number of files")),
        rest => {
            let size_mb: u64 = match rest {
                ["--size-mb", mb] => mb.parse().expect("size in MB"),
                _ => 100,
            };
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
            std::fs::create_dir_all(&dir).expect("bench-data dir");
            let file = dir.join(format!("surefire-{size_mb}mb.xml"));
            if !file.exists() {
                generate(&file, &Shape::by_size(size_mb), "");
            }
            compare(&file);
        }
    }
}

/// The same 100 MB of tests split into `n` files (distinct class names per file, so nothing
/// merges): one thread parsing them one after the other, against `ingest::collect` over the
/// directory, which reads files on every core and then merges.
fn compare_files(n: u64) {
    let part_mb = (100 / n).max(1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench-data")
        .join(format!("split-{n}x{part_mb}mb"));
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    for i in 0..n {
        let file = dir.join(format!("TEST-part{i}.xml"));
        if !file.exists() {
            generate(&file, &Shape::by_size(part_mb), &format!("part{i}."));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{n} files of {part_mb} MB in {}; {cores} cores",
        dir.display()
    );
    let seq = run_child("sequential", &dir);
    let par = run_child("collect", &dir);
    print_table(&[
        ("parse_path per file, one thread", &seq),
        ("ingest::collect (parallel, merged)", &par),
    ]);
    println!("speedup: {:.2}x on {cores} cores", par.mbps / seq.mbps);
}

fn compare(file: &Path) {
    let bytes = std::fs::metadata(file).expect("bench file").len();
    println!("file: {} ({:.1} MB)", file.display(), mb(bytes));
    let raw = run_child("raw", file);
    let full = run_child("parse", file);
    let collect = run_child("collect", file);
    print_table(&[
        ("quick-xml event count (floor)", &raw),
        ("junit::parse_path -> TestCases", &full),
        ("ingest::collect (what `run` does)", &collect),
    ]);
    println!(
        "ratio full/raw: {:.2} (time {:.2}x the floor)",
        full.mbps / raw.mbps,
        raw.mbps / full.mbps
    );
    println!(
        "kept text: {:.1} MB in the text store's temporary file, {:.1} MB in memory; \
         reading all of it back took {:.2} s",
        full.store_disk_mb, full.store_memory_mb, full.read_back_secs
    );
}

fn print_table(rows: &[(&str, &Measured)]) {
    println!(
        "{:<34} {:>9} {:>10} {:>12}",
        "", "MB/s", "peak RSS", "records"
    );
    for (label, m) in rows {
        println!(
            "{label:<34} {:>9.0} {:>7} MB {:>12}",
            m.mbps, m.hwm_mb, m.records
        );
    }
}

struct Measured {
    mbps: f64,
    hwm_mb: u64,
    records: u64,
    store_disk_mb: f64,
    store_memory_mb: f64,
    read_back_secs: f64,
}

fn run_child(mode: &str, file: &Path) -> Measured {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--child", mode])
        .arg(file)
        .output()
        .expect("child ran");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child {mode} failed: {text}");
    let field = |key: &str| -> f64 {
        text.split_whitespace()
            .skip_while(|w| *w != key)
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("child {mode} printed no {key}: {text}"))
    };
    Measured {
        mbps: field("mbps"),
        hwm_mb: (field("hwm_kb") / 1024.0).round() as u64,
        records: field("records") as u64,
        store_disk_mb: field("store_disk") / 1e6,
        store_memory_mb: field("store_memory") / 1e6,
        read_back_secs: field("read_back_secs"),
    }
}

fn child(mode: &str, file: &Path) {
    let bytes = files_in(file)
        .iter()
        .map(|f| std::fs::metadata(f).expect("bench file").len())
        .sum();
    let start = Instant::now();
    let cases: Vec<xray_sync::model::TestCase> = match mode {
        "raw" => {
            let events = raw_events(file);
            let secs = start.elapsed().as_secs_f64();
            println!(
                "mbps {:.1} hwm_kb {} records {events} store_disk 0 store_memory 0 read_back_secs 0",
                mb(bytes) / secs,
                vm_hwm_kb()
            );
            return;
        }
        "parse" => xray_sync::ingest::junit::parse_path(file).expect("bench file parses"),
        "sequential" => files_in(file)
            .iter()
            .flat_map(|f| xray_sync::ingest::junit::parse_path(f).expect("bench file parses"))
            .collect(),
        "collect" => {
            let opts = xray_sync::ingest::InputOptions {
                patterns: vec![file.display().to_string()],
                ..Default::default()
            };
            xray_sync::ingest::collect(&opts)
                .expect("bench files parse")
                .cases
        }
        other => panic!("unknown mode {other}"),
    };
    let secs = start.elapsed().as_secs_f64();
    // Measured while the records are alive: that is the memory a caller pays.
    let hwm_kb = vm_hwm_kb();
    let store = xray_sync::model::store_usage();
    // What writing bugs and comments costs at most: every kept text read back once.
    let start = Instant::now();
    let mut read_back = 0usize;
    for case in &cases {
        for attempt in &case.attempts {
            let failure = attempt.outcome.failure();
            let texts = failure.iter().flat_map(|f| [f.message, f.kind, f.details]);
            let skip = match &attempt.outcome {
                xray_sync::model::Outcome::Skipped { message } => *message,
                _ => None,
            };
            for text in texts
                .chain([skip, attempt.system_out, attempt.system_err])
                .flatten()
            {
                read_back += text.read().len();
            }
        }
    }
    let read_back_secs = start.elapsed().as_secs_f64();
    assert_eq!(
        read_back as u64,
        store.on_disk + store.in_memory,
        "every stored byte belongs to exactly one kept text"
    );
    println!(
        "mbps {:.1} hwm_kb {hwm_kb} records {} store_disk {} store_memory {} read_back_secs {read_back_secs:.3}",
        mb(bytes) / secs,
        cases.len(),
        store.on_disk,
        store.in_memory,
    );
}

/// The file itself, or the files of a directory in name order.
fn files_in(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .expect("bench dir")
        .map(|e| e.expect("bench dir entry").path())
        .collect();
    files.sort();
    files
}

/// The floor: every event read into one reused buffer, nothing decoded or kept.
fn raw_events(file: &Path) -> u64 {
    let input = BufReader::with_capacity(256 * 1024, File::open(file).expect("open"));
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .expect("well-formed bench file")
        {
            Event::Eof => return events,
            _ => events += 1,
        }
    }
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Deterministic xorshift, so every run benches the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "order", "payment", "invoice", "customer", "cart", "shipping", "refund", "account", "session",
    "token", "report", "export", "import", "search", "index", "cache", "queue", "retry", "timeout",
];

/// A Surefire-like report: one `<testsuite>` per class with a system-property block, mostly
/// passing tests, some with output, failures and errors with long stack traces, a few skipped
/// and flaky (`flakyFailure`) tests. `package` goes into every class name (empty for the
/// single-file benchmark, so its bytes stay those measured in benches/README.md).
/// What a generated file looks like: where it stops, how long stack traces are, how many tests
/// print output.
struct Shape {
    /// Stop at this many bytes (`by_size`) or tests (`by_tests`).
    bytes: u64,
    tests: u64,
    /// Frames per stack trace: `frames.0 + below(frames.1)`.
    frames: (u64, u64),
    /// Percent of tests (by the outcome roll, so failures first) with a CDATA `system-out`.
    output_percent: u64,
}

impl Shape {
    /// The original benchmark file: 100 MB is 93,785 tests (long traces, 30 % with output).
    fn by_size(mb: u64) -> Shape {
        Shape {
            bytes: mb * 1_000_000,
            tests: u64::MAX,
            frames: (20, 40),
            output_percent: 30,
        }
    }

    /// `n` tests of the same mix with shorter traces and less output: 200,000 tests make the
    /// ~91 MB file of issue 18 (about 460 bytes a test).
    fn by_tests(n: u64) -> Shape {
        Shape {
            bytes: u64::MAX,
            tests: n,
            frames: (4, 6),
            output_percent: 7,
        }
    }
}

fn generate(out: &Path, shape: &Shape, package: &str) {
    let target = shape.bytes;
    let mut tests = 0u64;
    let file = File::create(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut written = 0u64;
    let mut class_no = 0u64;
    let mut s = String::with_capacity(1 << 20);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bench\">\n");
    while written + (s.len() as u64) < target && tests < shape.tests {
        class_no += 1;
        let class = format!(
            "com.acme.{package}{}.{}{}ServiceTest",
            WORDS[rng.below(WORDS.len() as u64) as usize],
            WORDS[rng.below(WORDS.len() as u64) as usize].to_uppercase(),
            class_no
        );
        s.push_str(&format!(
            "  <testsuite name=\"{class}\" time=\"12.5\" tests=\"40\" errors=\"0\" skipped=\"0\" failures=\"0\" timestamp=\"2026-03-19T12:18:45\">\n    <properties>\n"
        ));
        for p in 0..40 {
            s.push_str(&format!(
                "      <property name=\"java.prop.{p}\" value=\"/usr/lib/jvm/java-21/lib/{}-{p}.jar:/home/ci/.m2/repository/org/acme/lib-{p}.jar\"/>\n",
                WORDS[p % WORDS.len()]
            ));
        }
        s.push_str("    </properties>\n");
        for t in 0..(20 + rng.below(40)) {
            if tests == shape.tests {
                break;
            }
            tests += 1;
            let name = format!(
                "should{}{}When{}_{t}",
                WORDS[rng.below(WORDS.len() as u64) as usize],
                WORDS[rng.below(WORDS.len() as u64) as usize],
                WORDS[rng.below(WORDS.len() as u64) as usize]
            );
            let time = rng.below(5000) as f64 / 1000.0;
            s.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{time:.3}\">\n"
            ));
            let roll = rng.below(100);
            match roll {
                0..=5 => {
                    s.push_str("      <failure message=\"expected: &lt;200&gt; but was: &lt;500&gt;\" type=\"org.opentest4j.AssertionFailedError\">");
                    stack_trace(&mut s, &class, &name, shape.frames, &mut rng);
                    s.push_str("</failure>\n");
                }
                6..=7 => {
                    s.push_str("      <error message=\"Connection refused\" type=\"java.net.ConnectException\">");
                    stack_trace(&mut s, &class, &name, shape.frames, &mut rng);
                    s.push_str("</error>\n");
                }
                8 => s.push_str("      <skipped message=\"disabled on CI\"/>\n"),
                9 => {
                    s.push_str("      <flakyFailure message=\"timeout after 5s\" type=\"java.util.concurrent.TimeoutException\" time=\"5.0\">\n        <stackTrace>");
                    stack_trace(&mut s, &class, &name, shape.frames, &mut rng);
                    s.push_str("</stackTrace>\n        <system-out>retrying</system-out>\n      </flakyFailure>\n");
                }
                _ => {}
            }
            if roll < shape.output_percent {
                s.push_str("      <system-out><![CDATA[");
                for line in 0..(5 + rng.below(30)) {
                    s.push_str(&format!(
                        "12:18:{:02}.{:03} [main] INFO  {class} - step {line}: {} {} ok\n",
                        line % 60,
                        rng.below(1000),
                        WORDS[rng.below(WORDS.len() as u64) as usize],
                        WORDS[rng.below(WORDS.len() as u64) as usize]
                    ));
                }
                s.push_str("]]></system-out>\n");
            }
            s.push_str("    </testcase>\n");
        }
        s.push_str("  </testsuite>\n");
        if s.len() > (1 << 19) {
            w.write_all(s.as_bytes()).expect("write");
            written += s.len() as u64;
            s.clear();
        }
    }
    s.push_str("</testsuites>\n");
    w.write_all(s.as_bytes()).expect("write");
    w.flush().expect("flush");
    println!(
        "generated {} ({:.1} MB, {tests} tests)",
        PathBuf::from(out).display(),
        mb(written + s.len() as u64)
    );
}

fn stack_trace(s: &mut String, class: &str, name: &str, frames: (u64, u64), rng: &mut Rng) {
    s.push_str(&format!("{class}.{name} failed\n"));
    for frame in 0..(frames.0 + rng.below(frames.1)) {
        s.push_str(&format!(
            "\tat org.acme.{}.{}Handler.handle{}({}Handler.java:{})\n",
            WORDS[rng.below(WORDS.len() as u64) as usize],
            WORDS[rng.below(WORDS.len() as u64) as usize],
            frame,
            WORDS[rng.below(WORDS.len() as u64) as usize],
            rng.below(900) + 10
        ));
    }
}
