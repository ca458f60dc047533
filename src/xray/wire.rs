//! What the two Xray back-ends (`cloud.rs`, `server.rs`) share below `client.rs`: the shapes
//! a lookup returns (`FoundTest`, `RunRef`), the multipart import request, reading an import's
//! answer, and the JQL fragments. Imports neither back-end nor `client`, so the back-ends and
//! the face over them depend on it one way.

use serde::Serialize;

use crate::error::ApiError;
use crate::http::{Body, Call, Part, Request};
use crate::plan::IssueKey;
use crate::settings::Product;
use crate::xray::payload::ImportDoc;

/// The largest key list one lookup request carries (Xray GraphQL `limit` and our Jira search
/// page both stop at 100).
pub const LOOKUP_BATCH: usize = 100;

/// A key that a lookup found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundTest {
    pub key: String,
    /// The Jira issue type name (`Test` for every Cloud `getTests` result).
    pub issue_type: String,
    /// The Xray test type (`Generic`, `Manual`, …) when the back-end reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_type: Option<String>,
}

impl FoundTest {
    pub fn is_test(&self) -> bool {
        self.issue_type.eq_ignore_ascii_case("test")
    }
}

/// One run of an execution, as the runs lookup reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    /// The Test the run belongs to.
    pub test_key: String,
    /// The Test's generic definition (Cloud `unstructured`), when the back-end reports it.
    pub definition: Option<String>,
    /// Keys of the defects linked to the run (DC), when the back-end reports them.
    pub defects: Vec<String>,
}

/// The multipart import request that creates an execution: the Xray JSON as a file part named
/// `results_part` (Cloud `results`, DC `result`) and the `info` JSON. Sent once
/// (`Call::Create`) with the long import timeout.
pub(crate) fn multipart_import(
    url: String,
    results_part: &str,
    doc: &ImportDoc,
    info: &serde_json::Value,
) -> Request {
    // Serializing our own types cannot fail (no maps with non-string keys).
    let results = serde_json::to_vec(doc).unwrap_or_default();
    let info = serde_json::to_vec(info).unwrap_or_default();
    let json_file = |name, filename, data| Part {
        name,
        filename,
        content_type: "application/json",
        data,
    };
    Request {
        method: "POST",
        url,
        headers: Vec::new(),
        body: Body::multipart(&[
            json_file(results_part, "results.json", &results),
            json_file("info", "info.json", &info),
        ]),
        call: Call::Create,
        slow: true,
    }
}

/// The Jira site an import answer names: Cloud `{"self": "https://acme.atlassian.net/rest/api/2/
/// issue/38101"}` (xray-api.md §2.3) → `https://acme.atlassian.net`. Only http(s) URLs.
pub(crate) fn site_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct SelfLink {
        #[serde(rename = "self")]
        link: Option<String>,
    }
    let link = serde_json::from_slice::<SelfLink>(body).ok()?.link?;
    let lower = link.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let (site, _) = link.split_once("/rest/")?;
    (!site.is_empty()).then(|| site.to_string())
}

/// The success body of an import: Cloud `{"key"}`, DC `{"testExecIssue":{"key"}}`. A 2xx
/// without a valid key is an error quoting the body (Xray can answer 200 with `{"error":…}`).
pub(crate) fn execution_key(product: Product, body: &[u8]) -> Result<IssueKey, ApiError> {
    #[derive(serde::Deserialize)]
    struct KeyOnly {
        key: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct DcBody {
        test_exec_issue: Option<KeyOnly>,
    }
    let key = match product {
        Product::Cloud => serde_json::from_slice::<KeyOnly>(body)
            .ok()
            .and_then(|b| b.key),
        Product::Dc => serde_json::from_slice::<DcBody>(body)
            .ok()
            .and_then(|b| b.test_exec_issue)
            .and_then(|k| k.key),
    };
    key.as_deref()
        .and_then(IssueKey::parse)
        .ok_or_else(|| ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: format!(
                "the import answered without a Test Execution key: {}",
                crate::http::detail_of(body)
            ),
        })
}

/// `key in (A-1,B-2)` for a batch of validated keys (an invalid key is dropped: it cannot be a
/// Test and would break the JQL).
pub(crate) fn key_jql(keys: &[String]) -> String {
    let list: Vec<&str> = keys
        .iter()
        .filter(|k| IssueKey::parse(k).is_some())
        .map(String::as_str)
        .collect();
    format!("key in ({})", list.join(","))
}

/// `labels = "…"` for a label we generated or the user configured; quotes and backslashes are
/// escaped so the value stays one JQL string.
pub(crate) fn label_jql(label: &str) -> String {
    let escaped = label.replace('\\', "\\\\").replace('"', "\\\"");
    format!("labels = \"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_comes_from_the_self_link() {
        assert_eq!(
            site_of(br#"{"id":"1","key":"CALC-82","self":"https://acme.atlassian.net/rest/api/2/issue/1"}"#)
                .as_deref(),
            Some("https://acme.atlassian.net")
        );
        assert_eq!(site_of(br#"{"key":"CALC-82"}"#), None);
        assert_eq!(site_of(br#"{"self":"javascript:x/rest/"}"#), None);
    }

    #[test]
    fn success_needs_a_key() {
        assert_eq!(
            execution_key(Product::Cloud, br#"{"id":"1","key":"CALC-82"}"#)
                .unwrap()
                .as_str(),
            "CALC-82"
        );
        assert_eq!(
            execution_key(Product::Dc, br#"{"testExecIssue":{"key":"BOOK-9"}}"#)
                .unwrap()
                .as_str(),
            "BOOK-9"
        );
        let err =
            execution_key(Product::Cloud, br#"{"error":"Error parsing info file!"}"#).unwrap_err();
        assert!(
            err.to_string().contains("Error parsing info file!"),
            "{err}"
        );
        assert!(execution_key(Product::Dc, br#"{"key":"CALC-1"}"#).is_err());
    }

    #[test]
    fn jql_helpers() {
        assert_eq!(
            key_jql(&["A-1".into(), "bad key".into(), "B-2".into()]),
            "key in (A-1,B-2)"
        );
        assert_eq!(label_jql(r#"a"b"#), r#"labels = "a\"b""#);
    }
}
