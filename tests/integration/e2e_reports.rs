//! What the binary tells people after a real run against the fakes (issue 16): an Xray-only
//! Cloud run links its execution through the site the import answer named, on the console and
//! in `--summary-md`.

use crate::support;

use support::e2e::*;

#[test]
fn xray_only_cloud_run_links_the_execution() {
    let xray = xray_cloud();
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 2, &failures(1));
    let mut cmd = s.bin();
    xray_cloud_env(&mut cmd, &xray.url());
    cmd.args(["run", "--summary-md", "summary.md", "results"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.text());
    let key = xray.only_execution().key;
    // The fake answers like Xray Cloud (xray-api.md §2.3): `self` is on the Jira site, here
    // `http://fake`.
    let url = format!("http://fake/browse/{key}");
    assert!(
        out.stdout
            .contains(&format!("Xray: results are in {key} ({url})")),
        "{}",
        out.stdout
    );
    assert!(
        s.read("summary.md")
            .contains(&format!("Test Execution [{key}]({url})")),
        "{}",
        s.read("summary.md")
    );
}
