//! Issue 19, "what held": answers over 32 MiB are refused (`MAX_RESPONSE_BYTES` in
//! `src/http.rs`). A hostile or broken server streaming an endless body cannot make a run read
//! it all (or hold it in memory): reading stops at the cap, the run reports it like any failed
//! answer, spools its results and exits 4.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::support::e2e::*;

/// Most bytes the server offers per answer: far more than any client should read.
const OFFERED: u64 = 1024 * 1024 * 1024;

/// A loopback server that answers every request with 200 and a JSON string that never ends
/// (no length, `Connection: close`), counting the bytes the client took before it hung up.
fn endless_server() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let most = Arc::new(AtomicU64::new(0));
    let seen = most.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\"";
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'a'; 64 * 1024];
                let mut sent = 0u64;
                while sent < OFFERED && stream.write_all(&chunk).is_ok() {
                    sent += chunk.len() as u64;
                    seen.fetch_max(sent, Ordering::SeqCst);
                }
            });
        }
    });
    (url, most)
}

#[test]
fn an_endless_answer_is_cut_at_32_mib_and_reported() {
    let (url, most) = endless_server();
    let s = Scratch::new();
    s.junit("TEST-a.xml", "CalcTest", 3, &[]);
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &url);
    cmd.env("XRAY_SYNC_REPORT", s.path("report.json"))
        .args(["run", "results"]);
    let started = std::time::Instant::now();
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(4), "{}", out.text());
    assert!(
        out.text()
            .contains("the answer was larger than 32 MiB, the most xray-sync reads"),
        "{}",
        out.text()
    );
    let report = s.report();
    assert!(
        report["xray"]["errors"]
            .to_string()
            .contains("larger than 32 MiB"),
        "{report}"
    );
    // Nothing lost: the results wait in the spool.
    assert!(
        s.files_under("spool")
            .iter()
            .any(|(p, text)| p.to_string_lossy().contains("chunk-") && text.contains("CalcTest")),
        "{:?}",
        s.files_under("spool")
            .iter()
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>()
    );
    // The client hung up at the cap (plus what the sockets buffer), far below what was offered.
    let taken = most.load(Ordering::SeqCst);
    assert!(
        taken < 64 * 1024 * 1024,
        "the server got {taken} bytes out before the client stopped reading"
    );
    assert!(taken >= 32 * 1024 * 1024, "{taken}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
