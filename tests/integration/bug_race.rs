//! Bugs across concurrent jobs (issue 14): N jobs of one CI run file the same failing tests at
//! the same moment. Convergence always ends with one open bug per test; the jittered re-check
//! before creating keeps the number of bugs created and then closed as duplicates low. The
//! counts are printed (`--nocapture`) and recorded in benches/README.md:
//! `cargo test --locked --test integration bug_race -- --nocapture`.

use crate::support;

use std::time::Duration;

use std::collections::BTreeSet;
use support::jira_fake::build::{self, label_for};
use support::jira_fake::{Fault, FaultAction, JiraFake};

use xray_sync::jira::file::{ActionKind, JiraReceipt};
use xray_sync::settings::{JiraSettings, Product};

/// Runs `jobs` concurrent filers of `tests` failing tests; returns how many bugs were created
/// and then closed as duplicates. Asserts one open bug per test, that only surviving bugs count
/// as created (once each, over all jobs), and that every job links the surviving bugs.
fn race(fake: &JiraFake, settings: &JiraSettings, jobs: usize, tests: usize) -> usize {
    // A real search answers in a few hundred ms, and what it saw may be out of date by then:
    // every search is answered 400 ms after it was evaluated, the race window of real sites.
    fake.inject(Fault {
        method: "POST",
        path: "search".into(),
        times: 10_000,
        action: FaultAction::ApplyThenDelay(Duration::from_millis(400)),
    });
    let names = build::names(tests);
    let receipts: Vec<JiraReceipt> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                let names = &names;
                s.spawn(move || {
                    let (plan, tests) = build::failing(names, &format!("run-77-job-{job}"));
                    build::file(settings, &plan, &tests)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut survivors = BTreeSet::new();
    for n in &names {
        let open = fake.open_with_label(&label_for(n));
        assert_eq!(open.len(), 1, "{n}");
        survivors.insert(open[0].key.clone());
    }
    let mut created = 0;
    for r in &receipts {
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let linked: BTreeSet<String> = r
            .bug_keys
            .values()
            .flatten()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(linked, survivors, "a job links a bug that did not survive");
        for a in r.actions.iter().filter(|a| a.kind == ActionKind::Created) {
            let key = a.key.as_ref().unwrap().to_string();
            assert!(
                survivors.contains(&key),
                "{key} counted as created but closed"
            );
            created += 1;
        }
        for a in r
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::FiledByParallelJob)
        {
            assert!(survivors.contains(&a.key.as_ref().unwrap().to_string()));
        }
    }
    assert_eq!(created, names.len(), "each surviving bug counted once");
    fake.issues()
        .iter()
        .filter(|i| i.project == "BUG" && !i.is_open())
        .count()
}

fn cloud(lag: u32) -> (JiraFake, JiraSettings) {
    let (mut config, auth) = build::cloud_basic();
    config.lag = lag;
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), Product::Cloud, auth);
    (fake, settings)
}

fn dc() -> (JiraFake, JiraSettings) {
    let (config, auth) = build::dc_pat();
    let fake = JiraFake::start(config);
    let settings = build::settings(&fake.url(), Product::Dc, auth);
    (fake, settings)
}

#[test]
fn only_surviving_bugs_count_as_created_and_every_job_links_them() {
    let (fake, settings) = dc();
    race(&fake, &settings, 3, 3);
    let (fake, settings) = cloud(1);
    race(&fake, &settings, 3, 3);
}

/// A measurement (about 13 s, timing-dependent counts), so it runs on demand:
/// `cargo test --locked --test integration bug_race -- --ignored --nocapture`.
#[test]
#[ignore = "measurement for benches/README.md; run with --ignored --nocapture"]
fn concurrent_jobs_create_few_duplicates() {
    const TESTS: usize = 5;
    let mut lines = Vec::new();
    let mut counts = Vec::new();
    for jobs in [3, 8] {
        let (fake, settings) = dc();
        let dc_dups = race(&fake, &settings, jobs, TESTS);
        let (fake, settings) = cloud(1);
        let cloud_dups = race(&fake, &settings, jobs, TESTS);
        lines.push(format!(
            "{jobs} jobs x {TESTS} failing tests: duplicates created then closed: DC {dc_dups}, Cloud (lag 1 search) {cloud_dups}"
        ));
        counts.push((jobs, dc_dups, cloud_dups));
    }
    eprintln!("{}", lines.join("\n"));
    for (jobs, dc_dups, cloud_dups) in counts {
        // Never worse than every job creating every bug.
        assert!(dc_dups <= (jobs - 1) * TESTS, "DC: {dc_dups}");
        assert!(cloud_dups <= (jobs - 1) * TESTS, "Cloud: {cloud_dups}");
    }
}
