//! Xray Cloud issue ids of Jira keys: the `getTests` / `getTestSets` GraphQL lookup that adding
//! Tests to Test Sets (`organize`) and to repository folders (`folders`) both need, since Xray
//! Cloud's mutations take issue ids, not keys (xray-api.md, GraphQL).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::ApiError;
use crate::xray::cloud::Cloud;
use crate::xray::wire::key_jql;

/// Keys per query (GraphQL connections take at most 100).
const BATCH: usize = 100;

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hit {
    issue_id: String,
    jira: Option<JiraKey>,
}

#[derive(Deserialize)]
struct JiraKey {
    key: Option<String>,
}

/// Key → issue id of the `keys` a `getTests` / `getTestSets` query finds.
pub(crate) fn cloud_ids(
    c: &Cloud,
    field: &str,
    keys: &[String],
) -> Result<BTreeMap<String, String>, ApiError> {
    let query = format!(
        "query($jql: String!, $limit: Int!) {{ {field}(jql: $jql, limit: $limit) {{ total results {{ issueId jira(fields: [\"key\"]) }} }} }}"
    );
    let mut ids = BTreeMap::new();
    for batch in keys.chunks(BATCH) {
        let data: BTreeMap<String, Option<Page<Hit>>> = c.graphql(
            field,
            &query,
            serde_json::json!({ "jql": key_jql(batch), "limit": BATCH }),
        )?;
        for hit in data.into_values().flatten().flat_map(|p| p.results) {
            if let Some(key) = hit.jira.and_then(|j| j.key) {
                ids.insert(key, hit.issue_id);
            }
        }
    }
    Ok(ids)
}
