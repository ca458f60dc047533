//! Xray JSON (`/import/execution`) types, for Cloud and Data Center alike.
//!
//! Owns the wire shape only. Product differences live in the values (status names from
//! `StatusMap`) and in one field name (`testInfo.type` on Cloud, `testInfo.testType` on DC),
//! expressed by [`TestType`]. Built by `plan`, sent by the Xray clients.

use serde::{Deserialize, Serialize};

/// One import request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportDoc {
    /// Append to this execution; absent on the request that creates it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_execution_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub info: Option<Info>,
    pub tests: Vec<TestResult>,
}

/// Test Execution fields (`info`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub project: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Fix Version name; must exist in the project.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub finish_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_plan_key: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub test_environments: Vec<String>,
}

/// One Test Run result (`tests[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_info: Option<TestInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub finish: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub defects: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
    /// Several results on one Test (parametrized tests), each kept. Never sent empty (Cloud
    /// rejects empty arrays).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub iterations: Vec<Iteration>,
}

/// The definition Xray matches or creates a Test by, when no key is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInfo {
    pub project_key: String,
    pub summary: String,
    #[serde(flatten)]
    pub test_type: TestType,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub definition: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub requirement_keys: Vec<String>,
}

/// The test type, under the field name each product expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TestType {
    /// Xray Cloud: `"type": "Generic"`.
    #[serde(rename = "type")]
    Cloud(String),
    /// Xray DC: `"testType": "Generic"`.
    #[serde(rename = "testType")]
    Dc(String),
}

/// Evidence attached to a Test Run, base64 encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub data: String,
    pub filename: String,
    pub content_type: String,
}

/// One iteration of a data-driven (parametrized) test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iteration {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub parameters: Vec<Parameter>,
    pub status: String,
    /// The row's output or failure (Cloud only: DC's iteration has no `log`, xray-api.md §4.2).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub log: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_type_uses_each_products_field_name() {
        let mut info = TestInfo {
            project_key: "CALC".into(),
            summary: "s".into(),
            test_type: TestType::Cloud("Generic".into()),
            definition: Some("a.b".into()),
            labels: vec![],
            requirement_keys: vec![],
        };
        let cloud = serde_json::to_value(&info).unwrap();
        assert_eq!(cloud["type"], "Generic");
        assert!(cloud.get("testType").is_none());
        info.test_type = TestType::Dc("Generic".into());
        let dc = serde_json::to_value(&info).unwrap();
        assert_eq!(dc["testType"], "Generic");
        assert!(dc.get("type").is_none());
    }
}
