//! What the binary tells people after a real run against the fakes (issue 16): an Xray-only
//! Cloud run links its execution and its Xray Tests through the site the import answer named,
//! on the console and in `--summary-md`.

use crate::support;

use support::e2e::*;

#[test]
fn xray_only_cloud_run_links_the_execution() {
    let xray = xray_cloud();
    xray.add_issue("CALC-5", "Test");
    let s = Scratch::new();
    s.junit("TEST-calc.xml", "CalcTest", 2, &failures(1));
    // A failing test mapped to an Xray Test by the xray-junit-extensions property.
    std::fs::write(
        s.path("results/TEST-keyed.xml"),
        "<testsuite name=\"k\" tests=\"1\" failures=\"1\"><testcase classname=\"com.acme.KeyedTest\" name=\"keyed\"><properties><property name=\"test_key\" value=\"CALC-5\"/></properties><failure message=\"boom\">boom</failure></testcase></testsuite>",
    )
    .unwrap();
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
    let summary = s.read("summary.md");
    assert!(
        summary.contains(&format!("Test Execution [{key}]({url})")),
        "{summary}"
    );
    // The Xray Test of a mapped failure is linked the same way.
    assert!(
        summary.contains("| boom | [CALC-5](http://fake/browse/CALC-5) |"),
        "{summary}"
    );
}
