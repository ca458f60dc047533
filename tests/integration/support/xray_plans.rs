//! Builders for Xray upload tests: settings, output dirs, HTTP client, and `XrayPlan`s of any
//! size (built here because `plan::build` belongs to another module), plus the known secret
//! values the secrets test greps for.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use xray_sync::http::Http;
use xray_sync::model::OutcomeKind;
use xray_sync::plan::{
    ChunkTest, ExecutionTarget, PlannedEvidence, ResultSource, Tests, XrayChunk, XrayPlan,
};
use xray_sync::secret::Secret;
use xray_sync::settings::{
    ChunkLimits, DcAuth, EvidenceLimits, HttpSettings, OutputSettings, Product, StatusMap,
    XrayAuth, XraySettings,
};
use xray_sync::xray::payload::{Info, TestInfo, TestResult, TestType};
use xray_sync::xray::upload::{self, XrayReceipt};

use super::planned::Planned;
use super::xray_fake::{Creds, Mode, XrayFake};

pub const PROJECT: &str = "CALC";
pub const PLAN_KEY: &str = "CALC-15";
pub const CLIENT_ID: &str = "fake-client-id-0001";
pub const CLIENT_SECRET: &str = "CLIENTSECRET-9f8e7d6c5b4a";
pub const PAT: &str = "PATSECRET-0a1b2c3d4e5f";
pub const USER: &str = "ci-bot";
pub const PASSWORD: &str = "PASSWORDSECRET-hunter2";

pub fn cloud_fake() -> XrayFake {
    let fake = XrayFake::start(
        Mode::Cloud,
        PROJECT,
        Creds::Cloud {
            client_id: CLIENT_ID.into(),
            secret: CLIENT_SECRET.into(),
        },
    );
    fake.add_issue(PLAN_KEY, "Test Plan");
    fake
}

pub fn dc_fake_pat() -> XrayFake {
    let fake = XrayFake::start(Mode::Dc, PROJECT, Creds::Pat(PAT.into()));
    fake.add_issue(PLAN_KEY, "Test Plan");
    fake
}

pub fn dc_fake_basic() -> XrayFake {
    let fake = XrayFake::start(
        Mode::Dc,
        PROJECT,
        Creds::Basic {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    fake.add_issue(PLAN_KEY, "Test Plan");
    fake
}

/// Settings matching a fake. `basic` picks Basic auth over the PAT on DC.
pub fn settings(product: Product, url: &str, basic: bool) -> XraySettings {
    let auth = match (product, basic) {
        (Product::Cloud, _) => XrayAuth::Cloud {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::from(CLIENT_SECRET),
        },
        (Product::Dc, false) => XrayAuth::Dc(DcAuth::Pat(Secret::from(PAT))),
        (Product::Dc, true) => XrayAuth::Dc(DcAuth::Basic {
            username: USER.into(),
            password: Secret::from(PASSWORD),
        }),
    };
    XraySettings {
        connection: xray_sync::settings::Connection::Live,
        url: url.to_string(),
        auth,
        plan: xray_sync::settings::XrayPlanSettings {
            product,
            project: PROJECT.into(),
            test_plan: Some(PLAN_KEY.into()),
            test_execution: None,
            run_identity: None,
            environments: vec!["chrome".into()],
            fix_version: Some("v3.0".into()),
            revision: Some("9f1c2ab".into()),
            statuses: StatusMap::defaults(product),
            chunk: ChunkLimits {
                max_tests: 10_000,
                max_bytes: 20 * 1024 * 1024,
            },
            summary_template: "CI run".into(),
            description: Some("from xray-sync".into()),
            execution_labels: vec!["nightly".into()],
            strict_keys: false,
            evidence: EvidenceLimits {
                max_file_bytes: 1024 * 1024,
                max_run_bytes: 4 * 1024 * 1024,
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

/// Output settings under `dir`: workspace `dir/ws` (created), spool `dir/spool`.
pub fn output(dir: &Path) -> OutputSettings {
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).expect("workspace dir");
    OutputSettings {
        report: None,
        plan_json: None,
        summary_md: None,
        json: false,
        fail_on_test_failure: false,
        spool_dir: dir.join("spool"),
        workspace: ws,
        pr_comment: false,
        github_token: None,
    }
}

/// The shared client with no real sleeping; `import_timeout` for the import requests.
pub fn http(import_timeout: Duration) -> Http {
    let s = HttpSettings {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(5),
        import_timeout,
        ..HttpSettings::default()
    };
    Http::new(&s).expect("http client").with_sleep(|_| {})
}

pub fn info() -> Info {
    Info {
        project: PROJECT.into(),
        summary: "CI run".into(),
        description: Some("from xray-sync".into()),
        version: Some("v3.0".into()),
        revision: Some("9f1c2ab".into()),
        start_date: Some("2026-05-01T10:00:00Z".into()),
        finish_date: Some("2026-05-01T10:07:12Z".into()),
        test_plan_key: Some(PLAN_KEY.into()),
        test_environments: vec!["chrome".into()],
    }
}

/// `n` tests in chunks of `chunk`. Test `i` is keyed `key_for(i)` or goes by definition
/// `com.acme.Suite.test{i}`; every third test fails.
pub fn plan(
    product: Product,
    n: usize,
    chunk: usize,
    key_for: &dyn Fn(usize) -> Option<String>,
) -> (XrayPlan, Planned) {
    let mut tests = Planned::new(product);
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let failed = i % 3 == 1;
        let outcome = if failed {
            OutcomeKind::Failed
        } else {
            OutcomeKind::Passed
        };
        let key = key_for(i);
        tests.push(
            "com.acme.Suite",
            &format!("test{i}"),
            outcome,
            Some("expected 400 but was 500"),
            key.as_deref(),
        );
        entries.push(ChunkTest::new(i, Vec::new(), Vec::new()));
    }
    let chunks = entries
        .chunks(chunk.max(1))
        .enumerate()
        .map(|(index, c)| XrayChunk {
            index,
            tests: c.to_vec(),
        })
        .collect();
    let plan = XrayPlan {
        product,
        target: ExecutionTarget::Create {
            info: info(),
            labels: vec!["ci".into()],
        },
        chunks,
        execution_fields: Default::default(),
        test_sets: Vec::new(),
        left_out_requirements: Default::default(),
        folders: Default::default(),
        coverage: Vec::new(),
    };
    (plan, tests)
}

/// The import results of a plan made by [`plan`], built from its planned tests when a chunk is
/// sent (as `plan::RunResults` builds them from a run): the key or the definition, a fixed
/// span, the failure message as the comment.
pub struct Synthetic<'a> {
    product: Product,
    tests: Tests<'a>,
}

pub fn synthetic<'a>(plan: &XrayPlan, tests: Tests<'a>) -> Synthetic<'a> {
    Synthetic {
        product: plan.product,
        tests,
    }
}

impl ResultSource for Synthetic<'_> {
    fn result(&self, entry: &ChunkTest) -> TestResult {
        let t = self.tests.get(entry.test);
        let (test_key, test_info) = match t.key() {
            Some(k) => (Some(k.to_string()), None),
            None => (
                None,
                Some(TestInfo {
                    project_key: PROJECT.into(),
                    summary: t.name().to_string(),
                    test_type: match self.product {
                        Product::Cloud => TestType::Cloud("Generic".into()),
                        Product::Dc => TestType::Dc("Generic".into()),
                    },
                    definition: Some(t.definition().into_owned()),
                    labels: vec![],
                    requirement_keys: vec![],
                }),
            ),
        };
        TestResult {
            test_key,
            test_info,
            start: Some("2026-05-01T10:00:01Z".into()),
            finish: Some("2026-05-01T10:00:02Z".into()),
            comment: t.message(),
            status: t.status().to_string(),
            ..TestResult::default()
        }
    }
}

/// Adds evidence to test `test` of `plan`.
pub fn add_evidence(plan: &mut XrayPlan, test: usize, evidence: PlannedEvidence) {
    for chunk in &mut plan.chunks {
        for ct in &mut chunk.tests {
            if ct.test == test {
                ct.push_evidence(evidence.clone());
            }
        }
    }
}

/// `upload::run` without defects and without progress output, as most upload tests call it.
pub fn upload(
    http: &Http,
    settings: &XraySettings,
    out: &OutputSettings,
    plan: &XrayPlan,
    tests: Tests<'_>,
) -> XrayReceipt {
    upload::run(
        http,
        settings,
        out,
        plan,
        tests,
        &synthetic(plan, tests),
        &BTreeMap::new(),
        &mut |_| {},
    )
}

/// Collects progress lines.
pub fn collect(lines: &mut Vec<String>) -> impl FnMut(&str) + '_ {
    move |l: &str| lines.push(l.to_string())
}
