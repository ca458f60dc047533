//! Robot Framework 3.2 to 6.1 output (fixtures/generated-robot-<version>/, each PROVENANCE.md
//! quotes the runner's console): every version's `output.xml` gives the runner's counts, its
//! HTML messages read as text, and a rerun merged by `rebot --merge` gives the same tests as
//! the two outputs given side by side, a skipped rerun included (rebot keeps the failure).

use xray_sync::ingest::{InputOptions, collect};
use xray_sync::model::{Format, OutcomeKind, ReadText, TestRun};

use crate::native_generated::{counts, find, fixture, format_of, message, run};

const VERSIONS: [&str; 4] = ["3.2.2", "4.1.3", "5.0.1", "6.1.1"];

/// The calculator suite: "8 tests, 1 passed, 6 failed, 1 skipped" from RF 4; RF 3.2 has no
/// skip (the suite fails the test and tags it non-critical): "8 tests total, 1 passed, 7
/// failed". The other suite (`versions/`), per each console-versions.txt.
#[test]
fn every_version_matches_the_runner_console() {
    for version in VERSIONS {
        let dir = format!("generated-robot-{version}");
        let calculator = run(&format!("{dir}/output.xml"));
        assert_eq!(format_of(&calculator), Format::Robot, "{version}");
        let want = match version {
            "3.2.2" => (1, 7, 0, 0),
            _ => (1, 6, 0, 1),
        };
        assert_eq!(counts(&calculator.cases), want, "{version}");
        assert_eq!(
            message(find(&calculator, "Stores Result")),
            "Parent suite setup failed:\ndatabase not reachable",
            "{version}"
        );
        let tags: Vec<_> = find(&calculator, "Adds Two Numbers")
            .labels()
            .iter()
            .map(|l| l.value.clone())
            .collect();
        assert!(tags.iter().any(|t| t == "CALC-12"), "{version}: {tags:?}");

        let versions = run(&format!("{dir}/output-versions.xml"));
        let want = match version {
            "3.2.2" => (2, 9, 0, 0),
            "4.1.3" => (1, 8, 0, 7),
            _ => (3, 12, 0, 7),
        };
        assert_eq!(counts(&versions.cases), want, "{version}");
        // `Fail    *HTML* first line<br>second <b>bold</b> line`: the message and the failed
        // keyword's own message (`<msg html="yes|true">` before RF 7) as text.
        let html = find(&versions, "HTML Failure Message");
        assert_eq!(message(html), "first line\nsecond bold line", "{version}");
        let details = html.outcome().failure().unwrap().details.read().unwrap();
        assert!(
            details.ends_with("\n  first line\n  second bold line"),
            "{version}: {details}"
        );
    }
}

/// `robot --rerunfailed` then `rebot --merge`: the merged file and the two outputs side by
/// side agree. From RF 4 the rerun skips `Fails Then Skips`; rebot keeps its first FAIL (the
/// merged statistics: 4 tests, 2 passed, 2 failed), and so does the pair, where the skipped
/// rerun is a later attempt that does not decide.
#[test]
fn rebot_merge_and_the_two_outputs_agree_in_every_version() {
    for version in VERSIONS {
        let dir = format!("generated-robot-{version}/rerun");
        let merged = run(&format!("{dir}/merged.xml"));
        let both: TestRun = collect(&InputOptions {
            patterns: ["output.xml", "rerun.xml"]
                .map(|f| fixture(&format!("{dir}/{f}")).display().to_string())
                .to_vec(),
            allow_empty: false,
            strict: true,
        })
        .unwrap();
        let skips = version != "3.2.2";
        for (what, r) in [("merged.xml", &merged), ("output.xml + rerun.xml", &both)] {
            let want = if skips { (2, 2, 0, 0) } else { (2, 1, 0, 0) };
            assert_eq!(counts(&r.cases), want, "{version} {what}");
            assert!(find(r, "Fails Then Passes").flaky, "{version} {what}");
            assert_eq!(
                message(find(r, "Fails Always")),
                "broken on purpose",
                "{version} {what}"
            );
            if skips {
                let kept = find(r, "Fails Then Skips");
                assert_eq!(
                    kept.outcome().kind(),
                    OutcomeKind::Failed,
                    "{version} {what}"
                );
                assert_eq!(
                    message(kept),
                    "fails before the environment check",
                    "{version} {what}"
                );
                let tries: Vec<_> = kept.attempts.iter().map(|a| a.outcome.kind()).collect();
                assert_eq!(
                    tries,
                    [OutcomeKind::Failed, OutcomeKind::Skipped],
                    "{version} {what}"
                );
            }
        }
    }
}
