//! `xray-sync doctor` against the loopback fake: a valid Cloud and DC setup pass every check
//! quickly, and each injected misconfiguration makes the right check the first failing line,
//! with a message of its own.

use crate::support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use support::doctor_fake::*;
use xray_sync::ci::CiContext;
use xray_sync::doctor::{self, DoctorReport, Options, Status, ids};
use xray_sync::error::ErrorKind;
use xray_sync::model::{
    Attempt, FileReport, FileStatus, Format, Outcome, SourceRef, TestCase, TestRun,
};
use xray_sync::secret::Secret;
use xray_sync::settings::*;

fn xray_settings(mode: Mode, url: &str) -> XraySettings {
    let (product, auth) = match mode {
        Mode::Cloud => (
            Product::Cloud,
            XrayAuth::Cloud {
                client_id: XRAY_CLIENT_ID.into(),
                client_secret: Secret::new(XRAY_CLIENT_SECRET),
            },
        ),
        Mode::Dc => (Product::Dc, XrayAuth::Dc(DcAuth::Pat(Secret::new(DC_PAT)))),
    };
    XraySettings {
        connection: xray_sync::settings::Connection::Live,
        url: url.into(),
        auth,
        plan: xray_sync::settings::XrayPlanSettings {
            product,
            project: "CALC".into(),
            test_plan: Some("CALC-15".into()),
            test_execution: None,
            run_identity: None,
            environments: vec!["chrome".into()],
            fix_version: None,
            revision: None,
            statuses: StatusMap::defaults(product),
            chunk: ChunkLimits {
                max_tests: 500,
                max_bytes: 4 << 20,
            },
            summary_template: "CI run".into(),
            description: None,
            execution_labels: Vec::new(),
            strict_keys: false,
            evidence: EvidenceLimits {
                max_file_bytes: 1 << 20,
                max_run_bytes: 10 << 20,
            },
            execution_fields: Default::default(),
            test_sets: Vec::new(),
            folder: None,
            move_keyed_tests: false,
            requirement_labels: Vec::new(),
            requirement_tag_pattern: None,
        },
    }
}

fn jira_settings(mode: Mode, url: &str) -> JiraSettings {
    let (product, auth) = match mode {
        Mode::Cloud => (
            Product::Cloud,
            JiraAuth::CloudToken {
                email: JIRA_EMAIL.into(),
                token: Secret::new(JIRA_TOKEN),
            },
        ),
        Mode::Dc => (Product::Dc, JiraAuth::Dc(DcAuth::Pat(Secret::new(DC_PAT)))),
    };
    JiraSettings {
        connection: xray_sync::settings::Connection::Live,
        url: url.into(),
        auth,
        plan: xray_sync::settings::JiraPlanSettings {
            product,
            project: "CALC".into(),
            issue_type: "Bug".into(),
            label_prefix: "xray-sync-".into(),
            marker_label: "xray-sync".into(),
            labels: Vec::new(),
            assignee: None,
            components: Vec::new(),
            priority: None,
            summary_template: "Test failed: {name}".into(),
            file_flaky: false,
            mass_failure_threshold: None,
            close_on_pass: false,
            reopen_within_days: None,
            done_link_type: "Relates".into(),
            duplicate_link_type: "Duplicate".into(),
            test_link_type: "Test".into(),
            parallelism: 4,
            overrides: Vec::new(),
        },
    }
}

fn settings(mode: Mode, url: &str) -> Settings {
    Settings {
        inputs: InputSettings::default(),
        mapping: MappingSettings {
            project_keys: vec!["CALC".into()],
            allure_labels: vec!["xray".into()],
            underscore_keys: false,
            table: Vec::new(),
            unmapped: UnmappedPolicy::Create,
            iterations: Default::default(),
        },
        scope: ScopeSettings::default(),
        xray: Some(xray_settings(mode, url)),
        jira: Some(jira_settings(mode, url)),
        http: HttpSettings {
            max_attempts: 1,
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(5),
            ..HttpSettings::default()
        },
        output: OutputSettings {
            report: None,
            plan_json: None,
            summary_md: None,
            json: false,
            fail_on_test_failure: false,
            spool_dir: ".xray-sync/spool".into(),
            workspace: ".".into(),
            pr_comment: false,
            github_token: None,
        },
        ci: CiContext::default(),
        dry_run: false,
        notes: Vec::new(),
    }
}

fn given(mode: Mode) -> Vec<String> {
    let names: &[&str] = match mode {
        Mode::Cloud => &[
            "XRAY_CLIENT_ID",
            "XRAY_CLIENT_SECRET",
            "JIRA_EMAIL",
            "JIRA_API_TOKEN",
        ],
        Mode::Dc => &["JIRA_PAT"],
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// A run read from two JUnit files, as ingest would report it.
fn inputs() -> Option<Result<TestRun, String>> {
    let source = SourceRef {
        path: std::path::Path::new("target/surefire-reports/TEST-a.xml").into(),
        format: Format::Junit,
        line: None,
    };
    let case = TestCase::new(
        vec![],
        Some("com.acme.A".into()),
        "works".into(),
        Attempt {
            outcome: Outcome::Passed,
            duration_secs: Some(0.1),
            started_at: None,
            system_out: None,
            system_err: None,
            source,
        },
    );
    let parsed = |p: &str| FileReport {
        path: p.into(),
        status: FileStatus::Parsed {
            format: Format::Junit,
            tests: 1,
        },
        notes: Vec::new(),
    };
    Some(Ok(TestRun {
        cases: vec![case],
        files: vec![
            parsed("target/surefire-reports/TEST-a.xml"),
            parsed("target/surefire-reports/TEST-b.xml"),
        ],
    }))
}

fn run(s: &Settings, opts: &Options) -> DoctorReport {
    doctor::run(s, opts, inputs())
}

fn opts(mode: Mode) -> Options {
    Options {
        patterns: vec!["target/surefire-reports/*.xml".into()],
        json: false,
        send_test_issue: false,
        given: given(mode),
        ..Options::default()
    }
}

fn assert_all_pass(report: &DoctorReport) {
    for c in &report.checks {
        assert_eq!(c.status, Status::Pass, "{}\n{}", c.id, report.to_human());
    }
    assert!(report.ok());
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn valid_cloud_setup_passes_every_check_quickly_and_files_a_labelled_test_issue() {
    let fake = DoctorFake::start(Mode::Cloud, Faults::default());
    let s = settings(Mode::Cloud, &fake.url());
    let o = Options {
        send_test_issue: true,
        ..opts(Mode::Cloud)
    };
    let started = Instant::now();
    let report = run(&s, &o);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_all_pass(&report);
    let got: Vec<&str> = report.checks.iter().map(|c| c.id).collect();
    assert_eq!(got, ids::ALL, "every check ran, in order");

    assert_eq!(report.test_issue.as_deref(), Some("CALC-101"));
    let created = fake.created();
    assert_eq!(created.len(), 1);
    let fields = &created[0]["fields"];
    assert_eq!(
        fields["summary"],
        "xray-sync doctor test issue — safe to delete"
    );
    assert_eq!(fields["labels"][0], "xray-sync-doctor");
    assert_eq!(fields["issuetype"]["id"], "1");
    assert_eq!(fields["description"]["type"], "doc", "Cloud v3 takes ADF");
    assert_eq!(
        fake.transitioned(),
        vec![("CALC-101".to_string(), "31".to_string())]
    );
    assert!(report.to_human().contains("test issue: CALC-101"));

    // serverInfo goes anonymously; every call carries the non-browser User-Agent.
    let info = fake.fake.requests_to("GET", "/rest/api/2/serverInfo");
    assert_eq!(info.len(), 1);
    assert!(info[0].header("authorization").is_none());
    for r in fake.fake.requests() {
        let ua = r.header("user-agent").unwrap_or("");
        assert!(ua.starts_with("xray-sync/"), "{ua}");
    }
    // The search probe uses Cloud's /search/jql, never the removed /search.
    assert_eq!(
        fake.fake
            .requests_to("POST", "/rest/api/3/search/jql")
            .len(),
        1
    );
    assert!(
        fake.fake
            .requests_to("POST", "/rest/api/3/search")
            .is_empty()
    );
    assert!(
        fake.fake
            .requests_to("POST", "/rest/api/2/search")
            .is_empty()
    );
}

#[test]
fn valid_dc_setup_passes_every_check_quickly() {
    let fake = DoctorFake::start(Mode::Dc, Faults::default());
    let s = settings(Mode::Dc, &fake.url());
    let o = Options {
        send_test_issue: true,
        ..opts(Mode::Dc)
    };
    let started = Instant::now();
    let report = run(&s, &o);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_all_pass(&report);
    assert_eq!(report.checks.len(), ids::ALL.len());
    let created = fake.created();
    assert_eq!(
        created[0]["fields"]["description"]
            .as_str()
            .map(|d| d.contains("Safe to delete")),
        Some(true),
        "DC v2 takes a plain string"
    );
    assert!(fake.fake.requests_to("POST", "/rest/api/2/search").len() == 1);
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| !r.path().starts_with("/rest/api/3")),
        "DC has no /rest/api/3"
    );
}

#[test]
fn valid_cloud_oauth_service_account_passes() {
    let fake = DoctorFake::start(Mode::Cloud, Faults::default());
    let mut s = settings(Mode::Cloud, &fake.url());
    if let Some(j) = &mut s.jira {
        j.auth = JiraAuth::CloudOAuth {
            client_id: OAUTH_CLIENT_ID.into(),
            client_secret: Secret::new(OAUTH_CLIENT_SECRET),
            auth_url: fake.url(),
            api_url: fake.url(),
        };
    }
    let mut o = opts(Mode::Cloud);
    o.given = vec![
        "XRAY_CLIENT_ID".into(),
        "XRAY_CLIENT_SECRET".into(),
        "JIRA_CLIENT_ID".into(),
        "JIRA_CLIENT_SECRET".into(),
    ];
    let report = run(&s, &o);
    assert_all_pass(&report);
    let via_gateway = fake
        .fake
        .requests()
        .iter()
        .filter(|r| {
            r.path()
                .starts_with(&format!("/ex/jira/{CLOUD_ID}/rest/api/3/"))
        })
        .count();
    assert!(via_gateway >= 5, "calls go through the gateway");
}

/// One injected misconfiguration and the line it must produce first.
struct Case {
    name: &'static str,
    mode: Mode,
    faults: Faults,
    tweak: fn(&mut Settings, &mut Options),
    check: &'static str,
    kind: ErrorKind,
    says: &'static str,
}

fn none(_: &mut Settings, _: &mut Options) {}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "bad Xray client secret",
            mode: Mode::Cloud,
            faults: Faults {
                bad_xray_secret: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_AUTH,
            kind: ErrorKind::AuthRejected,
            says: "Xray Cloud rejected the API key",
        },
        Case {
            name: "wrong Xray region",
            mode: Mode::Cloud,
            faults: Faults {
                wrong_region: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_AUTH,
            kind: ErrorKind::AuthRejected,
            says: "lives in another region",
        },
        Case {
            name: "Xray Cloud licence not valid",
            mode: Mode::Cloud,
            faults: Faults {
                xray_licence_invalid: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_AUTH,
            kind: ErrorKind::AuthRejected,
            says: "Xray licence is not valid",
        },
        Case {
            name: "Xray DC licence inactive",
            mode: Mode::Dc,
            faults: Faults {
                licence_inactive: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_AUTH,
            kind: ErrorKind::AuthRejected,
            says: "is not active (licence type Enterprise)",
        },
        Case {
            name: "project lacks Test Execution (Cloud)",
            mode: Mode::Cloud,
            faults: Faults {
                remove_issue_type: Some("Test Execution"),
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_PROJECT,
            kind: ErrorKind::NotFound,
            says: "has no 'Test Execution' issue type, so Xray cannot create Test Executions",
        },
        Case {
            name: "project lacks Test (DC)",
            mode: Mode::Dc,
            faults: Faults {
                remove_issue_type: Some("Test"),
                ..Faults::default()
            },
            tweak: none,
            check: ids::XRAY_PROJECT,
            kind: ErrorKind::NotFound,
            says: "has no 'Test' issue type, so Xray cannot create Tests",
        },
        Case {
            name: "test plan key is a Task",
            mode: Mode::Dc,
            faults: Faults::default(),
            tweak: |s, _| s.xray.as_mut().unwrap().test_plan = Some("CALC-16".into()),
            check: ids::XRAY_TEST_PLAN,
            kind: ErrorKind::BadInput,
            says: "CALC-16 is not a Test Plan (it is a Task)",
        },
        Case {
            name: "test plan does not exist",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| s.xray.as_mut().unwrap().test_plan = Some("CALC-999".into()),
            check: ids::XRAY_TEST_PLAN,
            kind: ErrorKind::NotFound,
            says: "test plan CALC-999 does not exist or is not visible to the Xray credentials: Error executing JQL",
        },
        Case {
            name: "environment missing",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| {
                s.xray.as_mut().unwrap().environments = vec!["chrome".into(), "dev".into()]
            },
            check: ids::XRAY_ENVIRONMENTS,
            kind: ErrorKind::NotFound,
            says: "test environment(s) 'dev' do not exist in project CALC (existing: chrome, linux)",
        },
        Case {
            name: "DC status names on Cloud",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| s.xray.as_mut().unwrap().statuses = StatusMap::defaults(Product::Dc),
            check: ids::XRAY_STATUSES,
            kind: ErrorKind::BadInput,
            says: "status name(s) 'PASS' (for passed, flaky), 'FAIL' (for failed, error), 'TODO' (for skipped) are not Xray statuses",
        },
        Case {
            name: "Jira URL returns an HTML login page",
            mode: Mode::Cloud,
            faults: Faults {
                jira_html: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_SERVER,
            kind: ErrorKind::BadInput,
            says: "answered with an HTML page (HTTP 200)",
        },
        Case {
            name: "Jira URL redirects",
            mode: Mode::Cloud,
            faults: Faults {
                jira_redirect: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_SERVER,
            kind: ErrorKind::BadInput,
            says: "redirects (HTTP 302 to /login.jsp",
        },
        Case {
            name: "XSRF from a browser User-Agent",
            mode: Mode::Cloud,
            faults: Faults {
                xsrf: true,
                ..Faults::default()
            },
            // Xray's own POSTs would hit the fake's XSRF switch too; keep Xray out of this one.
            tweak: |s, o| {
                s.xray = None;
                o.given.retain(|g| !g.starts_with("XRAY_"));
            },
            check: ids::JIRA_SERVER,
            kind: ErrorKind::PermissionMissing,
            says: "\"XSRF check failed\"",
        },
        Case {
            name: "Jira DC settings on a Cloud site (removed search endpoint)",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, o| {
                s.xray = None;
                let j = s.jira.as_mut().unwrap();
                j.product = Product::Dc;
                j.auth = JiraAuth::Dc(DcAuth::Pat(Secret::new(DC_PAT)));
                o.given = vec!["JIRA_PAT".into()];
            },
            check: ids::JIRA_SERVER,
            kind: ErrorKind::BadInput,
            says: "removed (410 Gone)",
        },
        Case {
            name: "expired Jira API token",
            mode: Mode::Cloud,
            faults: Faults {
                token_expired: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_MYSELF,
            kind: ErrorKind::AuthRejected,
            says: "Jira rejected the API token for ci@example.com (HTTP 401): it expired, was revoked",
        },
        Case {
            name: "scoped token on the site URL",
            mode: Mode::Cloud,
            faults: Faults {
                scope_mismatch: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_MYSELF,
            kind: ErrorKind::AuthRejected,
            says: "\"scope does not match\": a scoped API token",
        },
        Case {
            name: "DC basic auth disabled (Jira 11)",
            mode: Mode::Dc,
            faults: Faults {
                basic_disabled: true,
                ..Faults::default()
            },
            tweak: |s, o| {
                s.xray = None;
                s.jira.as_mut().unwrap().auth = JiraAuth::Dc(DcAuth::Basic {
                    username: DC_USER.into(),
                    password: Secret::new(DC_PASSWORD),
                });
                o.given = vec!["JIRA_USERNAME".into(), "JIRA_PASSWORD".into()];
            },
            check: ids::JIRA_MYSELF,
            kind: ErrorKind::AuthRejected,
            says: "refused basic auth (disabled by default on Jira 11+)",
        },
        Case {
            name: "DC CAPTCHA lockout",
            mode: Mode::Dc,
            faults: Faults {
                captcha: true,
                ..Faults::default()
            },
            tweak: |s, _| s.xray = None,
            check: ids::JIRA_MYSELF,
            kind: ErrorKind::AuthRejected,
            says: "locked the account behind a CAPTCHA",
        },
        Case {
            name: "OAuth client secret rejected",
            mode: Mode::Cloud,
            faults: Faults {
                bad_oauth_secret: true,
                ..Faults::default()
            },
            tweak: |s, o| {
                let url = s.jira.as_ref().unwrap().url.clone();
                s.jira.as_mut().unwrap().auth = JiraAuth::CloudOAuth {
                    client_id: OAUTH_CLIENT_ID.into(),
                    client_secret: Secret::new(OAUTH_CLIENT_SECRET),
                    auth_url: url.clone(),
                    api_url: url,
                };
                o.given = vec![
                    "XRAY_CLIENT_ID".into(),
                    "XRAY_CLIENT_SECRET".into(),
                    "JIRA_CLIENT_ID".into(),
                    "JIRA_CLIENT_SECRET".into(),
                ];
            },
            check: ids::JIRA_MYSELF,
            kind: ErrorKind::AuthRejected,
            says: "Atlassian rejected the OAuth client id/secret",
        },
        Case {
            name: "Jira project not browsable",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| s.jira.as_mut().unwrap().project = "NOPE".into(),
            check: ids::JIRA_PROJECT,
            kind: ErrorKind::NotFound,
            says: "project NOPE not found or not browsable by CI Bot (5b10ac8d82e05b22cc7d4ef5): No project could be found with key 'NOPE'.",
        },
        Case {
            name: "missing CREATE_ISSUES",
            mode: Mode::Cloud,
            faults: Faults {
                missing_permissions: vec!["CREATE_ISSUES", "LINK_ISSUES"],
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_PERMISSIONS,
            kind: ErrorKind::PermissionMissing,
            says: "lacks in CALC: CREATE_ISSUES (to file new bugs), LINK_ISSUES (to link bugs to Tests and to earlier bugs)",
        },
        Case {
            name: "bug issue type missing",
            mode: Mode::Dc,
            faults: Faults {
                remove_issue_type: Some("Bug"),
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_ISSUE_TYPE,
            kind: ErrorKind::NotFound,
            says: "issue type 'Bug' does not exist in project CALC (available: Task, Test, Test Execution, Test Plan)",
        },
        Case {
            name: "required field without default",
            mode: Mode::Cloud,
            faults: Faults {
                required_field: true,
                ..Faults::default()
            },
            tweak: none,
            check: ids::JIRA_ISSUE_TYPE,
            kind: ErrorKind::BadInput,
            says: "required fields without a default that xray-sync does not fill: Team (customfield_10050)",
        },
        Case {
            name: "link type missing",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| s.jira.as_mut().unwrap().test_link_type = "Verifies".into(),
            check: ids::JIRA_LINK_TYPES,
            kind: ErrorKind::NotFound,
            says: "link type(s) 'Verifies' (test link type) do not exist",
        },
        Case {
            name: "contradictory Jira credential sets",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |_, o| o.given.push("JIRA_PAT".into()),
            check: ids::SETTINGS,
            kind: ErrorKind::BadInput,
            says: "contradictory Jira credentials: Jira Cloud API token (JIRA_EMAIL/JIRA_API_TOKEN) and Data Center personal access token (JIRA_PAT) are both set",
        },
        Case {
            name: "half-given Xray key",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, o| {
                s.xray = None;
                o.given.retain(|g| g != "XRAY_CLIENT_SECRET");
            },
            check: ids::SETTINGS,
            kind: ErrorKind::BadInput,
            says: "Xray Cloud API key is incomplete: XRAY_CLIENT_ID set but XRAY_CLIENT_SECRET missing",
        },
        Case {
            name: "Xray Cloud keys with Jira DC",
            mode: Mode::Dc,
            faults: Faults::default(),
            tweak: |s, o| {
                let url = s.jira.as_ref().unwrap().url.clone();
                s.xray = Some(xray_settings(Mode::Cloud, &url));
                o.given = vec![
                    "XRAY_CLIENT_ID".into(),
                    "XRAY_CLIENT_SECRET".into(),
                    "JIRA_PAT".into(),
                ];
            },
            check: ids::SETTINGS,
            kind: ErrorKind::BadInput,
            says: "Xray Cloud only runs on Jira Cloud",
        },
        Case {
            name: "DC credentials for a Jira Cloud site",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, o| {
                s.jira.as_mut().unwrap().auth = JiraAuth::Dc(DcAuth::Pat(Secret::new(DC_PAT)));
                o.given = vec![];
            },
            check: ids::SETTINGS,
            kind: ErrorKind::BadInput,
            says: "contradictory Jira settings: Data Center credentials (PAT or username/password) for a Jira Cloud site",
        },
        Case {
            name: "JIRA_URL with an API path",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: |s, _| {
                let j = s.jira.as_mut().unwrap();
                j.url = format!("{}/rest/api/3", j.url);
            },
            check: ids::SETTINGS,
            kind: ErrorKind::BadInput,
            says: "includes an API path",
        },
        Case {
            name: "no result files",
            mode: Mode::Cloud,
            faults: Faults::default(),
            tweak: none,
            check: ids::INPUTS,
            kind: ErrorKind::BadInput,
            says: "no test result files found (patterns tried: \"target/surefire-reports/*.xml\"",
        },
    ]
}

#[test]
fn each_misconfiguration_makes_the_right_check_fail_first_with_its_own_message() {
    let all = cases();
    assert!(all.len() >= 12);
    let mut messages = BTreeSet::new();
    for case in all {
        let fake = DoctorFake::start(case.mode, case.faults.clone());
        let mut s = settings(case.mode, &fake.url());
        let mut o = opts(case.mode);
        (case.tweak)(&mut s, &mut o);
        let inputs = if case.check == ids::INPUTS {
            Some(Ok(TestRun::default()))
        } else {
            inputs()
        };
        let report = doctor::run(&s, &o, inputs);
        let text = report.to_human();
        if std::env::var_os("DOCTOR_SHOW").is_some() {
            eprintln!("=== {}\n{text}", case.name);
        }
        let first = report
            .first_failure()
            .unwrap_or_else(|| panic!("{}: nothing failed\n{text}", case.name));
        assert_eq!(first.id, case.check, "{}: first failure\n{text}", case.name);
        let Status::Fail { kind, message, fix } = &first.status else {
            unreachable!("first_failure returns a failed check");
        };
        assert_eq!(*kind, case.kind, "{}\n{text}", case.name);
        assert!(message.contains(case.says), "{}: {message}", case.name);
        assert!(
            !fix.is_empty(),
            "{}: a failure always says what to do",
            case.name
        );
        assert_eq!(report.exit_code(), 1, "{}", case.name);
        assert!(
            messages.insert(message.clone()),
            "{}: message not distinct: {message}",
            case.name
        );
        // Nothing after the cause is blamed for it: later Xray/Jira checks on the same side
        // are skipped with the reason, never failed.
        let pos = report.checks.iter().position(|c| c.id == first.id).unwrap();
        for later in &report.checks[pos + 1..] {
            if let Status::Skipped { reason } = &later.status {
                assert!(!reason.is_empty());
            }
        }
        // Secrets never reach the output, even when a server echoes them.
        for secret in [
            XRAY_CLIENT_SECRET,
            JIRA_TOKEN,
            DC_PAT,
            DC_PASSWORD,
            OAUTH_CLIENT_SECRET,
        ] {
            assert!(!text.contains(secret), "{}: leaked a secret", case.name);
            assert!(!report.to_json().to_string().contains(secret));
        }
    }
}

#[test]
fn dependent_checks_are_skipped_with_the_check_they_need() {
    let fake = DoctorFake::start(
        Mode::Cloud,
        Faults {
            bad_xray_secret: true,
            token_expired: true,
            ..Faults::default()
        },
    );
    let s = settings(Mode::Cloud, &fake.url());
    let report = run(&s, &opts(Mode::Cloud));
    for id in [
        ids::XRAY_PROJECT,
        ids::XRAY_TEST_PLAN,
        ids::XRAY_ENVIRONMENTS,
        ids::XRAY_STATUSES,
    ] {
        assert_eq!(
            report.get(id).map(|c| &c.status),
            Some(&Status::Skipped {
                reason: "needs xray.auth".into()
            }),
            "{id}"
        );
    }
    assert!(report.get(ids::JIRA_SERVER).unwrap().passed());
    for id in [
        ids::JIRA_PROJECT,
        ids::JIRA_PERMISSIONS,
        ids::JIRA_ISSUE_TYPE,
        ids::JIRA_LINK_TYPES,
    ] {
        assert_eq!(
            report.get(id).map(|c| &c.status),
            Some(&Status::Skipped {
                reason: "needs jira.myself".into()
            }),
            "{id}"
        );
    }
    assert_eq!(report.summary().failed, 2);
}

#[test]
fn a_side_not_configured_is_skipped_never_passed_and_does_not_fail() {
    let fake = DoctorFake::start(Mode::Cloud, Faults::default());
    let mut s = settings(Mode::Cloud, &fake.url());
    s.xray = None;
    let mut o = opts(Mode::Cloud);
    o.given.retain(|g| !g.starts_with("XRAY_"));
    let report = doctor::run(&s, &o, inputs());
    assert!(report.first_failure().is_none(), "{}", report.to_human());
    for id in [ids::XRAY_AUTH, ids::XRAY_PROJECT, ids::XRAY_STATUSES] {
        let c = report.get(id).unwrap();
        assert!(
            matches!(&c.status, Status::Skipped { reason } if reason.starts_with("not configured")),
            "{id}: {:?}",
            c.status
        );
        assert!(!c.passed(), "skipped is never passed");
    }
    assert!(report.get(ids::JIRA_LINK_TYPES).unwrap().passed());
    assert!(report.ok(), "{}", report.to_human());
    assert_eq!(report.exit_code(), 0);
    // Columns widen with the longest check id: compare the line without its padding.
    assert!(
        report.to_human().lines().any(|l| {
            l.split_whitespace().collect::<Vec<_>>()
                == ["SKIP", "xray.project", "(not", "configured)"]
        }),
        "{}",
        report.to_human()
    );
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| !r.path().starts_with("/api/v2")),
        "no Xray call without Xray credentials"
    );
}

#[test]
fn dc_basic_auth_on_jira_11_warns_at_the_server_line() {
    let fake = DoctorFake::start(Mode::Dc, Faults::default());
    let mut s = settings(Mode::Dc, &fake.url());
    s.xray = None;
    // Version 10 fake, basic works: a pass; the warning needs version 11.
    s.jira.as_mut().unwrap().auth = JiraAuth::Dc(DcAuth::Basic {
        username: DC_USER.into(),
        password: Secret::new(DC_PASSWORD),
    });
    let report = doctor::run(&s, &Options::default(), inputs());
    assert_eq!(report.get(ids::JIRA_SERVER).unwrap().status, Status::Pass);

    let fake = DoctorFake::start(
        Mode::Dc,
        Faults {
            basic_disabled: true,
            ..Faults::default()
        },
    );
    s.jira.as_mut().unwrap().url = fake.url();
    let report = doctor::run(&s, &Options::default(), inputs());
    let server = report.get(ids::JIRA_SERVER).unwrap();
    assert!(
        matches!(&server.status, Status::Warn { message, .. } if message.contains("disables basic auth by default")),
        "{:?}",
        server.status
    );
}

#[test]
fn json_output_lists_every_check_with_its_status() {
    let fake = DoctorFake::start(
        Mode::Cloud,
        Faults {
            missing_permissions: vec!["ADD_COMMENTS"],
            ..Faults::default()
        },
    );
    let s = settings(Mode::Cloud, &fake.url());
    let report = run(&s, &opts(Mode::Cloud));
    let v = report.to_json();
    assert_eq!(v["ok"], false);
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(
        checks.len(),
        ids::ALL.len() - 1,
        "no test issue without the flag"
    );
    let perms = checks
        .iter()
        .find(|c| c["id"] == "jira.permissions")
        .unwrap();
    assert_eq!(perms["status"], "fail");
    assert_eq!(perms["kind"], "permission-missing");
    assert!(perms["message"].as_str().unwrap().contains("ADD_COMMENTS"));
    // Only ADD_COMMENTS is missing: the issue type can still be read, and is.
    let it = checks
        .iter()
        .find(|c| c["id"] == "jira.issue-type")
        .unwrap();
    assert_eq!(it["status"], "pass");
}

#[test]
fn test_issue_without_a_done_transition_is_a_warning_naming_the_key() {
    let fake = DoctorFake::start(
        Mode::Cloud,
        Faults {
            no_done_transition: true,
            ..Faults::default()
        },
    );
    let s = settings(Mode::Cloud, &fake.url());
    let o = Options {
        send_test_issue: true,
        ..opts(Mode::Cloud)
    };
    let report = run(&s, &o);
    let c = report.get(ids::JIRA_TEST_ISSUE).unwrap();
    assert!(
        matches!(&c.status, Status::Warn { message, fix } if message.contains("created CALC-101") && fix.contains("delete CALC-101")),
        "{:?}",
        c.status
    );
    assert!(fake.transitioned().is_empty());
    assert_eq!(report.test_issue.as_deref(), Some("CALC-101"));
}

#[test]
fn test_issue_is_not_filed_when_an_earlier_jira_check_failed() {
    let fake = DoctorFake::start(
        Mode::Cloud,
        Faults {
            required_field: true,
            ..Faults::default()
        },
    );
    let s = settings(Mode::Cloud, &fake.url());
    let o = Options {
        send_test_issue: true,
        ..opts(Mode::Cloud)
    };
    let report = run(&s, &o);
    assert_eq!(
        report.get(ids::JIRA_TEST_ISSUE).map(|c| &c.status),
        Some(&Status::Skipped {
            reason: "needs jira.issue-type".into()
        })
    );
    assert!(fake.created().is_empty());
}

#[test]
fn unreachable_jira_is_a_network_failure_at_the_server_line() {
    // Bind and drop a listener: nothing answers on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fake = DoctorFake::start(Mode::Cloud, Faults::default());
    let mut s = settings(Mode::Cloud, &fake.url());
    s.xray = None;
    s.jira.as_mut().unwrap().url = format!("http://127.0.0.1:{port}");
    let report = doctor::run(&s, &Options::default(), inputs());
    let first = report.first_failure().unwrap();
    assert_eq!(first.id, ids::JIRA_SERVER);
    assert!(
        matches!(&first.status, Status::Fail { kind: ErrorKind::Network, fix, .. } if fix.contains("proxy")),
        "{:?}",
        first.status
    );
}

/// One row of the first-day table: a setup as a new user writes it (environment variables),
/// what `xray-sync doctor` exits with, its first FAIL line, and what the fix must (and must
/// not) say.
struct Row {
    name: &'static str,
    mode: Mode,
    faults: Faults,
    /// `{url}` is replaced by the fake's address.
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    exit: i32,
    /// Start of the first FAIL line (`FAIL <id>  <message>`), or None for no failure.
    first_fail: Option<&'static str>,
    /// Texts the output must contain (fix lines, skip reasons).
    says: &'static [&'static str],
    /// Texts the output must not contain.
    never: &'static [&'static str],
}

const CLOUD_XRAY: &[(&str, &str)] = &[
    ("XRAY_URL", "{url}"),
    ("XRAY_CLIENT_ID", XRAY_CLIENT_ID),
    ("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET),
    ("XRAY_PROJECT", "CALC"),
];

fn first_day_rows() -> Vec<Row> {
    let row = |name, mode, env, exit, first_fail, says, never| Row {
        name,
        mode,
        faults: Faults::default(),
        env,
        args: &[],
        exit,
        first_fail,
        says,
        never,
    };
    vec![
        row(
            "cloud xray-only, bugs switched off",
            Mode::Cloud,
            &[
                ("XRAY_URL", "{url}"),
                ("XRAY_CLIENT_ID", XRAY_CLIENT_ID),
                ("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET),
                ("XRAY_PROJECT", "CALC"),
                ("XRAY_SYNC_NO_BUGS", "true"),
            ],
            0,
            None,
            &[
                "PASS xray.auth",
                "SKIP jira.server",
                "(not configured: switched off by XRAY_SYNC_NO_BUGS / --no-bugs)",
                "SKIP inputs",
                "(no results given: pass PATTERN... or set XRAY_SYNC_RESULTS to check them)",
            ],
            &["JIRA_URL is empty", "fix the first failing check"],
        ),
        row(
            "cloud xray-only, no Jira given",
            Mode::Cloud,
            CLOUD_XRAY,
            0,
            None,
            &["PASS xray.statuses", "(not configured: no JIRA_URL"],
            &[],
        ),
        row(
            "cloud jira-only",
            Mode::Cloud,
            &[
                ("JIRA_URL", "{url}"),
                ("JIRA_EMAIL", JIRA_EMAIL),
                ("JIRA_API_TOKEN", JIRA_TOKEN),
                ("JIRA_BUG_PROJECT", "CALC"),
            ],
            0,
            None,
            &[
                "PASS jira.project",
                "SKIP xray.auth",
                "(not configured: no Xray credentials",
            ],
            &[],
        ),
        row(
            "cloud both, no pattern",
            Mode::Cloud,
            &[
                ("XRAY_URL", "{url}"),
                ("XRAY_CLIENT_ID", XRAY_CLIENT_ID),
                ("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET),
                ("XRAY_PROJECT", "CALC"),
                ("JIRA_URL", "{url}"),
                ("JIRA_EMAIL", JIRA_EMAIL),
                ("JIRA_API_TOKEN", JIRA_TOKEN),
            ],
            0,
            None,
            &["PASS jira.link-types", "SKIP inputs", "0 failed"],
            &["patterns tried: none"],
        ),
        row(
            "cloud wrong project never names an unset JIRA_BUG_PROJECT",
            Mode::Cloud,
            &[
                ("XRAY_URL", "{url}"),
                ("XRAY_CLIENT_ID", XRAY_CLIENT_ID),
                ("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET),
                ("XRAY_PROJECT", "CALX"),
                ("JIRA_URL", "{url}"),
                ("JIRA_EMAIL", JIRA_EMAIL),
                ("JIRA_API_TOKEN", JIRA_TOKEN),
            ],
            1,
            Some("FAIL xray.project"),
            &["XRAY_PROJECT (--project, [xray] project)"],
            &["JIRA_BUG_PROJECT"],
        ),
        row(
            "cloud lowercase project key",
            Mode::Cloud,
            &[
                ("XRAY_URL", "{url}"),
                ("XRAY_CLIENT_ID", XRAY_CLIENT_ID),
                ("XRAY_CLIENT_SECRET", XRAY_CLIENT_SECRET),
                ("XRAY_PROJECT", "calc"),
            ],
            2,
            Some("FAIL settings"),
            &["\"calc\" is not a Jira project key", "(needs settings)"],
            &[],
        ),
        Row {
            faults: Faults {
                bad_xray_secret: true,
                ..Faults::default()
            },
            ..row(
                "cloud wrong Xray secret",
                Mode::Cloud,
                CLOUD_XRAY,
                1,
                Some("FAIL xray.auth"),
                &[
                    "XRAY_CLIENT_SECRET (--xray-client-secret)",
                    "(needs xray.auth)",
                ],
                &[XRAY_CLIENT_SECRET],
            )
        },
        row(
            "dc both",
            Mode::Dc,
            &[
                ("XRAY_DEPLOYMENT", "dc"),
                ("JIRA_URL", "{url}"),
                ("JIRA_PAT", DC_PAT),
                ("XRAY_PROJECT", "CALC"),
            ],
            0,
            None,
            &["PASS xray.statuses", "PASS jira.link-types"],
            &["check the Xray credentials"],
        ),
        row(
            "dc JIRA_PAT without XRAY_URL names XRAY_DEPLOYMENT=dc once",
            Mode::Dc,
            &[
                ("JIRA_URL", "{url}"),
                ("JIRA_PAT", DC_PAT),
                ("XRAY_PROJECT", "CALC"),
            ],
            0,
            None,
            &[
                "for Xray Data Center set XRAY_DEPLOYMENT=dc",
                "PASS jira.project",
            ],
            &["XRAY_URL is empty"],
        ),
        row(
            "dc xray-only",
            Mode::Dc,
            &[
                ("XRAY_URL", "{url}"),
                ("XRAY_DEPLOYMENT", "dc"),
                ("JIRA_PAT", DC_PAT),
                ("XRAY_PROJECT", "CALC"),
                ("XRAY_SYNC_NO_BUGS", "1"),
            ],
            0,
            None,
            &["PASS xray.statuses", "SKIP jira.server"],
            &[],
        ),
        row(
            "dc jira-only, upload switched off",
            Mode::Dc,
            &[
                ("JIRA_URL", "{url}"),
                ("JIRA_PAT", DC_PAT),
                ("JIRA_BUG_PROJECT", "CALC"),
                ("XRAY_SYNC_NO_UPLOAD", "true"),
            ],
            0,
            None,
            &["(not configured: switched off by XRAY_SYNC_NO_UPLOAD / --no-upload)"],
            &[],
        ),
        Row {
            faults: Faults {
                licence_inactive: true,
                ..Faults::default()
            },
            ..row(
                "dc inactive Xray licence",
                Mode::Dc,
                &[
                    ("XRAY_DEPLOYMENT", "dc"),
                    ("JIRA_URL", "{url}"),
                    ("JIRA_PAT", DC_PAT),
                    ("XRAY_PROJECT", "CALC"),
                ],
                1,
                Some("FAIL xray.auth"),
                &["is not active", "(needs xray.auth)"],
                &[DC_PAT],
            )
        },
        row(
            "dc wrong bug project that was set",
            Mode::Dc,
            &[
                ("JIRA_URL", "{url}"),
                ("JIRA_PAT", DC_PAT),
                ("JIRA_BUG_PROJECT", "NOPE"),
            ],
            1,
            Some("FAIL jira.project"),
            &["JIRA_BUG_PROJECT (--bug-project, [jira] project)"],
            &[],
        ),
    ]
}

#[test]
fn first_day_table_exit_code_first_fail_line_and_fix() {
    let mut failures = Vec::new();
    for row in first_day_rows() {
        let fake = DoctorFake::start(row.mode, row.faults.clone());
        let scratch = support::e2e::Scratch::new();
        let mut cmd = scratch.bin();
        cmd.arg("doctor").args(row.args);
        for (k, v) in row.env {
            cmd.env(k, v.replace("{url}", &fake.url()));
        }
        let out = support::e2e::run(&mut cmd);
        let text = out.text();
        let first_fail = out
            .stdout
            .lines()
            .find(|l| l.starts_with("FAIL "))
            .map(str::to_string);
        let mut wrong = Vec::new();
        if out.code != Some(row.exit) {
            wrong.push(format!("exit {:?}, expected {}", out.code, row.exit));
        }
        match (row.first_fail, &first_fail) {
            (None, None) => {}
            (Some(want), Some(got)) if got.starts_with(want) => {}
            (want, got) => wrong.push(format!("first FAIL {got:?}, expected {want:?}")),
        }
        for s in row.says {
            if !text.contains(s) {
                wrong.push(format!("does not say {s:?}"));
            }
        }
        for s in row.never {
            if text.contains(s) {
                wrong.push(format!("says {s:?}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{text}", row.name, wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `xray.keys` (issue 12): results naming a missing key, a Bug's key and 20 Tests make doctor
/// fail that check, naming both keys and their file; results whose keys are all Tests pass.
fn keys_check(mode: Mode) {
    let fake = DoctorFake::start(mode, Faults::default());
    let s = settings(mode, &fake.url());
    let dir = tempfile::tempdir().unwrap();
    let read = |stale: bool| {
        let file = dir.path().join(if stale { "stale.xml" } else { "ok.xml" });
        std::fs::write(&file, crate::stale_keys::keyed_junit_from(101, stale)).unwrap();
        let run = xray_sync::ingest::collect(&xray_sync::ingest::InputOptions {
            patterns: vec![file.display().to_string()],
            allow_empty: false,
            strict: false,
        })
        .map_err(|e| e.to_string());
        (file, Some(run))
    };
    let (file, inputs) = read(true);
    let report = doctor::run(&s, &opts(mode), inputs);
    let keys = report
        .checks
        .iter()
        .find(|c| c.id == "xray.keys")
        .expect("xray.keys runs");
    assert!(
        matches!(keys.status, Status::Fail { .. }),
        "{}",
        report.to_human()
    );
    let text = report.to_human();
    assert!(text.contains("FAIL xray.keys"), "{text}");
    assert!(text.contains("CALC-404 not found"), "{text}");
    assert!(text.contains("CALC-900 is"), "{text}");
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert_eq!(report.exit_code(), 1);
    // Right after xray.project.
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id).collect();
    let at = ids.iter().position(|i| *i == "xray.keys").unwrap();
    assert_eq!(ids[at - 1], "xray.project");

    let (_, inputs) = read(false);
    let report = doctor::run(&s, &opts(mode), inputs);
    assert_all_pass(&report);
}

#[test]
fn cloud_doctor_fails_xray_keys_naming_missing_and_non_test_keys() {
    keys_check(Mode::Cloud);
}

#[test]
fn dc_doctor_fails_xray_keys_naming_missing_and_non_test_keys() {
    keys_check(Mode::Dc);
}
