//! The fakes' answers to stale keys, runs lookups and request shapes, asserted on the wire and
//! quoting the documented shapes they model (issue 12). A fake that accepts what the real
//! server rejects hides bugs, so each rejection is checked here on its own.

use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::doctor_fake::{self, DoctorFake, Faults};
use support::e2e::{self, PAT, XRAY_CLIENT_ID, XRAY_CLIENT_SECRET};
use support::jira_fake;
use support::xray_fake::XrayFake;
use xray_sync::error::Service;
use xray_sync::http::{Http, Request, Response};
use xray_sync::settings::HttpSettings;

fn http() -> Http {
    Http::new(&HttpSettings {
        max_attempts: 1,
        read_timeout: Duration::from_secs(5),
        ..HttpSettings::default()
    })
    .unwrap()
}

fn send(req: Request) -> (u16, Value) {
    let r: Response = http()
        .send_once(Service::Xray, &req)
        .map_err(|(_, e)| e)
        .unwrap();
    let body = serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&r.body).into_owned()));
    (r.status, body)
}

fn cloud_token(xray: &XrayFake) -> String {
    let (status, token) = send(Request::post_json(
        format!("{}/api/v2/authenticate", xray.url()),
        &json!({"client_id": XRAY_CLIENT_ID, "client_secret": XRAY_CLIENT_SECRET}),
        xray_sync::http::Call::Read,
    ));
    assert_eq!(status, 200);
    token.as_str().unwrap().to_string()
}

fn graphql(xray: &XrayFake, token: &str, query: &str, vars: Value) -> (u16, Value) {
    send(
        Request::post_json(
            format!("{}/api/v2/graphql", xray.url()),
            &json!({"query": query, "variables": vars}),
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {token}")),
    )
}

const GET_TESTS: &str = "query($jql: String!, $limit: Int!) { getTests(jql: $jql, limit: $limit) { total results { issueId jira(fields: [\"key\"]) } } }";

/// xray-api.md §7: "Xray Cloud GraphQL `getTests(jql: "key in (...)")` answers HTTP 200 with
/// `{"data": {"getTests": null}, "errors": [{"message": "Error in JQL: An issue with key
/// 'CALC-123' does not exist for field 'key'.", ...}]}`" — also for a key the user cannot see.
#[test]
fn cloud_get_tests_fails_the_jql_for_missing_and_hidden_keys() {
    let xray = e2e::xray_cloud();
    xray.add_issue("CALC-1", "Test");
    xray.add_issue("CALC-2", "Bug");
    xray.add_hidden_issue("CALC-3", "Test");
    let token = cloud_token(&xray);
    let (status, body) = graphql(
        &xray,
        &token,
        GET_TESTS,
        json!({"jql": "key in (CALC-1,CALC-123)", "limit": 100}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({"getTests": null}));
    assert_eq!(
        body["errors"][0]["message"],
        "Error in JQL: An issue with key 'CALC-123' does not exist for field 'key'."
    );
    let (_, body) = graphql(
        &xray,
        &token,
        GET_TESTS,
        json!({"jql": "key in (CALC-3)", "limit": 100}),
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Error in JQL: An issue with key 'CALC-3' does not exist for field 'key'."
    );
    // A Bug exists, so the JQL is fine; getTests lists only Tests (§6).
    let (_, body) = graphql(
        &xray,
        &token,
        GET_TESTS,
        json!({"jql": "key in (CALC-1,CALC-2)", "limit": 100}),
    );
    assert!(body.get("errors").is_none(), "{body}");
    let keys: Vec<&str> = body["data"]["getTests"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["jira"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["CALC-1"]);
}

/// xray-api.md §7: "Jira search answers 400 with it in `errorMessages`" (one per key), hidden
/// keys included; a non-Test key is listed with its issue type.
#[test]
fn dc_search_answers_400_error_messages_for_missing_and_hidden_keys() {
    let xray = e2e::xray_dc_pat();
    xray.add_issue("CALC-1", "Test");
    xray.add_issue("CALC-2", "Bug");
    xray.add_hidden_issue("CALC-3", "Test");
    let search = |jql: &str| {
        send(
            Request::post_json(
                format!("{}/rest/api/2/search", xray.url()),
                &json!({"jql": jql, "fields": ["issuetype"], "maxResults": 100}),
                xray_sync::http::Call::Read,
            )
            .header("Authorization", format!("Bearer {PAT}")),
        )
    };
    let (status, body) = search("key in (CALC-1,CALC-123,CALC-3)");
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"],
        json!([
            "An issue with key 'CALC-123' does not exist for field 'key'.",
            "An issue with key 'CALC-3' does not exist for field 'key'."
        ])
    );
    let (status, body) = search("key in (CALC-1,CALC-2)");
    assert_eq!(status, 200);
    let types: Vec<(&str, &str)> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["key"].as_str().unwrap(),
                i["fields"]["issuetype"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(types, [("CALC-1", "Test"), ("CALC-2", "Bug")]);
}

fn import_dc(xray: &XrayFake, doc: Value) -> (u16, Value) {
    send(
        Request::post_json(
            format!("{}/rest/raven/2.0/import/execution", xray.url()),
            &doc,
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {PAT}")),
    )
}

fn with_iteration(iteration: Value) -> Value {
    json!({
        "info": {"project": "CALC", "summary": "s"},
        "tests": [{"testKey": "CALC-1", "status": "PASS", "iterations": [iteration]}]
    })
}

/// xray-api.md §4.2/§7 and issue 12: DC's iteration object has no `name`; no parameter is sent
/// without a name; Cloud's schema rejects any property it does not list.
#[test]
fn imports_enforce_each_products_documented_shape() {
    let xray = e2e::xray_dc_pat();
    xray.add_issue("CALC-1", "Test");
    let (status, body) = import_dc(
        &xray,
        with_iteration(
            json!({"name": "add[1]", "parameters": [{"name": "x", "value": "1"}], "status": "PASS"}),
        ),
    );
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("\"name\""),
        "{body}"
    );
    let (status, body) = import_dc(
        &xray,
        with_iteration(json!({"parameters": [{"name": "", "value": "1"}], "status": "PASS"})),
    );
    assert_eq!(status, 400, "{body}");
    let (status, _) = import_dc(
        &xray,
        with_iteration(json!({"parameters": [{"name": "x", "value": "1"}], "status": "PASS"})),
    );
    assert_eq!(status, 200);

    let cloud = e2e::xray_cloud();
    cloud.add_issue("CALC-1", "Test");
    let token = cloud_token(&cloud);
    let (status, body) = send(
        Request::post_json(
            format!("{}/api/v2/import/execution", cloud.url()),
            &json!({"info": {"project": "CALC", "summary": "s"},
                    "tests": [{"testKey": "CALC-1", "status": "PASSED", "testRunName": "x"}]}),
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {token}")),
    );
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("testRunName"),
        "{body}"
    );
}

/// xray-api.md §6 "runs of an execution" (Cloud `getTestExecutions … testRuns(limit: 100)`)
/// and §3.4 (DC `GET /rest/raven/1.0/api/testexec/{key}/test?…&page=1&limit=…`).
#[test]
fn runs_of_an_execution_page_by_100_on_both_products() {
    let dc = e2e::xray_dc_pat();
    let doc = json!({
        "info": {"project": "CALC", "summary": "s"},
        "tests": (0..150).map(|i| json!({
            "testInfo": {"projectKey": "CALC", "summary": format!("t{i}"), "testType": "Generic", "definition": format!("d.t{i}")},
            "status": "FAIL", "defects": [format!("BUG-{i}")]
        })).collect::<Vec<_>>()
    });
    let (status, body) = import_dc(&dc, doc);
    assert_eq!(status, 200, "{body}");
    let exec = body["testExecIssue"]["key"].as_str().unwrap().to_string();
    let page = |n: usize| {
        send(
            Request::get(format!(
                "{}/rest/raven/1.0/api/testexec/{exec}/test?detailed=true&page={n}&limit=100",
                dc.url()
            ))
            .header("Authorization", format!("Bearer {PAT}")),
        )
    };
    let (status, first) = page(1);
    assert_eq!(status, 200);
    assert_eq!(first.as_array().unwrap().len(), 100);
    assert!(first[0]["key"].is_string() && first[0]["status"] == "FAIL");
    assert!(first[0]["defects"][0]["key"].is_string(), "{}", first[0]);
    let (_, second) = page(2);
    assert_eq!(second.as_array().unwrap().len(), 50);

    let cloud = e2e::xray_cloud();
    let token = cloud_token(&cloud);
    let (_, body) = send(
        Request::post_json(
            format!("{}/api/v2/import/execution", cloud.url()),
            &json!({"info": {"project": "CALC", "summary": "s"}, "tests": [
                {"testInfo": {"projectKey": "CALC", "summary": "a", "type": "Generic", "definition": "d.a"}, "status": "FAILED"}
            ]}),
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {token}")),
    );
    let exec = body["key"].as_str().unwrap().to_string();
    const RUNS: &str = "query($jql: String!, $start: Int!) { getTestExecutions(jql: $jql, limit: 1) { results { issueId testRuns(limit: 100, start: $start) { total start limit results { test { unstructured jira(fields: [\"key\"]) } } } } } }";
    let (status, body) = graphql(
        &cloud,
        &token,
        RUNS,
        json!({"jql": format!("key = {exec}"), "start": 0}),
    );
    assert_eq!(status, 200);
    let runs = &body["data"]["getTestExecutions"]["results"][0]["testRuns"];
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["results"][0]["test"]["unstructured"], "d.a");
    let (_, body) = graphql(
        &cloud,
        &token,
        RUNS,
        json!({"jql": "key = CALC-999", "start": 0}),
    );
    assert_eq!(body["data"], json!({"getTestExecutions": null}), "{body}");
}

/// jira-api.md §3.3: `PUT /rest/api/{3|2}/issue/{key}` with `fields` answers 204, with the
/// description checked as on create (a string on DC).
#[test]
fn jira_put_issue_updates_the_description() {
    let jira = e2e::jira_dc_pat();
    let key = jira.add_issue("BUG", &["xs-a"], "new");
    let put = |body: Value| {
        send(
            Request::post_json(
                format!("{}/rest/api/2/issue/{key}", jira.url()),
                &body,
                xray_sync::http::Call::Read,
            )
            .method("PUT")
            .header("Authorization", format!("Bearer {PAT}")),
        )
    };
    let (status, _) = put(json!({"fields": {"description": "now names CALC-1"}}));
    assert_eq!(status, 204);
    assert_eq!(
        jira_fake::text_of(&jira.issue(&key).description),
        "now names CALC-1"
    );
    let (status, body) = put(json!({"fields": {"description": {"type": "doc"}}}));
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["description"],
        "Operation value must be a string"
    );
}

/// The doctor fake answers key lookups like the xray fake (xray-api.md §7), both products.
#[test]
fn doctor_fake_key_lookups_fail_the_jql_for_missing_keys() {
    let dc = DoctorFake::start(doctor_fake::Mode::Dc, Faults::default());
    let (status, body) = send(
        Request::post_json(
            format!("{}/rest/api/2/search", dc.url()),
            &json!({"jql": "key in (CALC-101,CALC-404,CALC-950)", "maxResults": 100}),
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {}", doctor_fake::DC_PAT)),
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"],
        json!([
            "An issue with key 'CALC-404' does not exist for field 'key'.",
            "An issue with key 'CALC-950' does not exist for field 'key'."
        ])
    );
    let cloud = DoctorFake::start(doctor_fake::Mode::Cloud, Faults::default());
    let (status, body) = send(
        Request::post_json(
            format!("{}/api/v2/graphql", cloud.url()),
            &json!({"query": GET_TESTS, "variables": {"jql": "key in (CALC-101,CALC-404)", "limit": 100}}),
            xray_sync::http::Call::Read,
        )
        .header("Authorization", format!("Bearer {}", doctor_fake::XRAY_TOKEN)),
    );
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({"getTests": null}));
    assert_eq!(
        body["errors"][0]["message"],
        "Error in JQL: An issue with key 'CALC-404' does not exist for field 'key'."
    );
}
