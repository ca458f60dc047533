//! `--plan-json`: the exact request bodies a run would send, as one JSON document.
//!
//! Shape (`format` = `xray-sync-plan/1`):
//! - `counts`, `notes`: as in the console summary.
//! - `xray`: `product`, and `requests[]`, one per chunk, each `{method, path, body, evidence}`.
//!   `body` is the Xray JSON import document exactly as sent, except that evidence is *not*
//!   inlined: files are read at send time (after the containment and size checks), so
//!   `evidence[]` lists them by path, each with `test` = the index into `body.tests` it will be
//!   attached to. A later chunk of a *new* execution carries `testExecutionKey` =
//!   `<created by request 1>`: the real key only exists once the first request succeeds.
//!   `execution_fields`: the Jira fields a created execution gets, as configured;
//!   `after_import[]`: the requests made once the run's Tests are known (Test Sets,
//!   repository folders, requirement links of Tests given by key); `requirements[]`: which
//!   test covers which requirements and how (checked before the import: a key that is not a
//!   requirement is dropped and reported, never sent).
//! - `jira`: the intents (dedup label, fields after overrides, report), the umbrella issue, the
//!   close-on-pass candidates and the run marker. Whether each bug is created or commented on
//!   depends on a label search the dry run cannot do without Jira credentials.

use std::io;

use serde::Serialize;

use super::{ChunkTest, JiraPlan, Plan, PlannedEvidence, ResultSource, RunResults, XrayPlan};
use crate::model::{Counts, TestRun};
use crate::plan::xray_json::{ImportDoc, TestResult};
use crate::settings::{Product, Settings};

pub const FORMAT: &str = "xray-sync-plan/1";
/// Stands in for the execution key the first request of a new execution returns.
pub const CREATED_KEY_PLACEHOLDER: &str = "<created by request 1>";

#[derive(Serialize)]
pub struct PlanJson<'a> {
    pub format: &'static str,
    pub counts: Counts,
    pub notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xray: Option<XrayRequests<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jira: Option<&'a JiraPlan>,
}

#[derive(Serialize)]
pub struct XrayRequests<'a> {
    pub product: Product,
    pub requests: Requests<'a>,
    /// Jira fields the created execution gets on top of summary, description, labels and fix
    /// version, as configured (ids and shapes are settled against the create screen when sent).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub execution_fields: &'a std::collections::BTreeMap<String, serde_json::Value>,
    /// Requests made after the import, once the run's Test keys are known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after_import: Vec<AfterImport>,
    /// Requirement coverage the results ask for (`xray::requirements`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<RequirementEntry>,
}

/// One test's requirements in the plan JSON.
#[derive(Debug, Serialize)]
pub struct RequirementEntry {
    /// The test id (its Xray key, or its definition).
    pub test: String,
    pub requirements: Vec<String>,
    /// `testInfo.requirementKeys` (a Test sent by definition) or `link after the import` (a
    /// Test given by key: the import does not change an existing Test).
    pub how: &'static str,
}

/// A request made after the import (Test Sets), with what it carries.
#[derive(Debug, Serialize)]
pub struct AfterImport {
    pub what: String,
    pub method: &'static str,
    /// Cloud: the GraphQL endpoint and its mutation; DC: the REST path.
    pub path: String,
    pub body: serde_json::Value,
}

fn after_import(x: &XrayPlan) -> Vec<AfterImport> {
    x.test_sets
        .iter()
        .map(|set| match x.product {
            Product::Cloud => AfterImport {
                what: format!("add every Test of the run to Test Set {set}"),
                method: "POST",
                path: "/api/v2/graphql".into(),
                body: serde_json::json!({
                    "mutation": "addTestsToTestSet(issueId, testIssueIds)",
                    "testSet": set,
                    "tests": "<the run's Tests, 100 a request>",
                }),
            },
            Product::Dc => AfterImport {
                what: format!("add every Test of the run to Test Set {set}"),
                method: "POST",
                path: format!("/rest/raven/1.0/api/testset/{set}/test"),
                body: serde_json::json!({ "add": "<the run's Test keys, 100 a request>" }),
            },
        })
        .collect()
}

/// The requests, serialized one at a time: each body is built from the run, written and
/// dropped before the next, so writing the plan holds one chunk's body, not the whole payload.
pub struct Requests<'a> {
    plan: &'a XrayPlan,
    results: &'a dyn ResultSource,
}

impl Serialize for Requests<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let x = self.plan;
        serializer.collect_seq(x.chunks.iter().map(|chunk| {
            Request {
                method: "POST",
                path: import_path(x.product),
                body: x.import_doc(chunk.index, Some(CREATED_KEY_PLACEHOLDER), self.results),
                evidence: chunk
                    .tests
                    .iter()
                    .enumerate()
                    .flat_map(|(i, t)| {
                        t.evidence().iter().map(move |e| EvidenceRef {
                            test: i,
                            evidence: e,
                        })
                    })
                    .collect(),
            }
        }))
    }
}

#[derive(Debug, Serialize)]
pub struct Request<'a> {
    pub method: &'static str,
    /// Relative to the Xray base URL (Cloud host, or the Jira base URL on DC).
    pub path: &'static str,
    pub body: ImportDoc,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef<'a>>,
}

#[derive(Debug, Serialize)]
pub struct EvidenceRef<'a> {
    /// Index into `body.tests`.
    pub test: usize,
    #[serde(flatten)]
    pub evidence: &'a PlannedEvidence,
}

/// The import endpoint path for a product.
pub fn import_path(product: Product) -> &'static str {
    match product {
        Product::Cloud => "/api/v2/import/execution",
        Product::Dc => "/rest/raven/2.0/import/execution",
    }
}

/// The document for `plan`; `results` builds the request bodies (see [`RunResults`]) while it
/// is serialized.
pub fn plan_json<'a>(
    plan: &'a Plan,
    run: &'a TestRun,
    results: &'a dyn ResultSource,
) -> PlanJson<'a> {
    PlanJson {
        format: FORMAT,
        counts: plan.counts,
        notes: &plan.notes,
        xray: plan.xray.as_ref().map(|x| {
            let mut r = XrayRequests {
                product: x.product,
                requests: Requests { plan: x, results },
                execution_fields: &x.execution_fields,
                after_import: after_import(x),
                requirements: Vec::new(),
            };
            organize_requests(x, plan.tests_in(run), &mut r);
            r
        }),
        jira: plan.jira.as_ref(),
    }
}

/// The source of a plan without an Xray side: never asked.
struct NoXray;

impl ResultSource for NoXray {
    fn result(&self, _: &ChunkTest) -> TestResult {
        TestResult::default()
    }
}

/// Repository folders and requirement links (`xray::folders`, `xray::requirements`): the
/// requests after the import, and the coverage each test asks for.
fn organize_requests(x: &XrayPlan, tests: super::Tests<'_>, r: &mut XrayRequests<'_>) {
    let id = |i: usize| {
        tests
            .try_get(i)
            .map(|t| t.test_id().into_owned())
            .unwrap_or_default()
    };
    let project = match &x.target {
        super::ExecutionTarget::Create { info, .. }
        | super::ExecutionTarget::Append { info, .. } => info.project.clone(),
    };
    // A Test sent by definition has its key only once the import matched or created it.
    let test_ref = |i: usize| match tests.try_get(i) {
        Some(t) if t.key().is_none() => format!("<Test of {}>", t.definition()),
        _ => id(i),
    };
    for (path, members) in &x.folders {
        let ids: Vec<String> = members.iter().map(|&i| test_ref(i)).collect();
        let what = format!(
            "place {} Test(s) in repository folder {path} (each missing folder of the path created first)",
            ids.len()
        );
        r.after_import.push(match x.product {
            Product::Cloud => AfterImport {
                what,
                method: "POST",
                path: "/api/v2/graphql".into(),
                body: serde_json::json!({
                    "mutation": "addTestsToFolder(projectId, path, testIssueIds)",
                    "createFolder": "createFolder(projectId, path) for each missing folder",
                    "path": path,
                    "tests": ids,
                }),
            },
            Product::Dc => AfterImport {
                what,
                method: "PUT",
                path: format!(
                    "/rest/raven/1.0/api/testrepository/{project}/folders/<id of {path}>/tests"
                ),
                body: serde_json::json!({
                    "add": ids,
                    "createFolder": format!("POST /rest/raven/1.0/api/testrepository/{project}/folders/<parent id> {{\"name\"}} for each missing folder"),
                }),
            },
        });
    }
    let link_path = match x.product {
        Product::Cloud => "/rest/api/3/issueLink (Jira)",
        Product::Dc => "/rest/api/2/issueLink",
    };
    for c in &x.coverage {
        let test = c.test_key.clone().unwrap_or_else(|| id(c.test));
        r.requirements.push(RequirementEntry {
            test: test.clone(),
            requirements: c.requirements.clone(),
            how: if c.test_key.is_some() {
                "link after the import"
            } else {
                "testInfo.requirementKeys"
            },
        });
        if c.test_key.is_some() {
            for req in &c.requirements {
                r.after_import.push(AfterImport {
                    what: format!(
                        "link Test {test} to requirement {req} (Test \"tests\" requirement)"
                    ),
                    method: "POST",
                    path: link_path.into(),
                    body: serde_json::json!({
                        "type": {"name": "<the link type whose outward phrase is \"tests\">"},
                        "inwardIssue": {"key": test},
                        "outwardIssue": {"key": req},
                    }),
                });
            }
        }
    }
}

/// Writes the plan JSON (pretty, trailing newline) of `plan`, built from `run` with `settings`,
/// to `out`, one request body at a time.
pub fn write_plan_json(
    plan: &Plan,
    run: &TestRun,
    settings: &Settings,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let results = match (&plan.xray, &settings.xray) {
        (Some(x), Some(s)) => Some(RunResults::new(s, x, plan.tests_in(run))),
        _ => None,
    };
    let doc = match &results {
        Some(r) => plan_json(plan, run, r),
        None => plan_json(plan, run, &NoXray),
    };
    crate::pretty_json::to_writer(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
