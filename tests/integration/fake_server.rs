//! Checks the fake server itself: recording, scripted replies, faults.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::fake::{Fake, Reply};

fn raw(url: &str, request: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn records_requests_and_serves_script_in_order() {
    let fake = Fake::script([
        Reply::status(429).header("Retry-After", "0"),
        Reply::json(200, r#"{"key":"P-1"}"#),
    ]);
    let first = raw(
        &fake.url(),
        "POST /a?x=1%3B2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert!(first.starts_with("HTTP/1.1 429"), "{first}");
    assert!(first.contains("Retry-After: 0"));
    let second = raw(
        &fake.url(),
        "GET /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert!(second.ends_with(r#"{"key":"P-1"}"#), "{second}");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path(), "/a");
    assert_eq!(reqs[0].query("x").as_deref(), Some("1;2"));
    assert_eq!(reqs[0].body, b"hi");
    assert_eq!(reqs[1].body, b"abc");
}

#[test]
fn reset_closes_without_answer() {
    let fake = Fake::script([Reply::Reset]);
    let out = raw(&fake.url(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(out, "");
    assert_eq!(fake.requests().len(), 1);
}
