//! The Test Execution create screen the fakes share: Jira's create metadata for the issue type
//! and the create-time validation of the fields on it, for a project whose Test Execution
//! requires a custom single-select field.
//!
//! Shapes from docs/jira-api.md §3.2 (createmeta: Cloud `GET /rest/api/3/issue/createmeta/{p}/
//! issuetypes` → `issueTypes`, `/issuetypes/{id}` → `fields`; DC `/rest/api/2/…` → `values`,
//! entries `{fieldId, name, required, hasDefaultValue, schema, allowedValues}`) and §3.4 (a
//! field not on the screen: "Field '…' cannot be set. It is not on the appropriate screen, or
//! unknown."). A select option is `{"value": …}` or `{"id": …}` (§3.4, components/priority
//! likewise take objects); Jira answers a bare string for an option field with "Could not find
//! valid 'id' or 'value' in the Parent Option object." The multipart `info` carries these Jira
//! create fields on both products (docs/xray-api.md §2.2 Cloud, §3.2 DC), and Xray reports a
//! refused create as `Error creating Test Execution - Issue create failed! - <field>: <msg>`
//! (§2.4).
#![allow(dead_code)]

use serde_json::{Value, json};

/// The issue type id of Test Execution on the fakes' project.
pub const EXECUTION_TYPE_ID: &str = "10201";

/// A required custom single-select on the Test Execution create screen.
#[derive(Debug, Clone)]
pub struct RequiredSelect {
    pub id: String,
    pub name: String,
    pub options: Vec<String>,
}

impl RequiredSelect {
    pub fn environment_type() -> RequiredSelect {
        RequiredSelect {
            id: "customfield_10100".into(),
            name: "Environment type".into(),
            options: vec!["nightly".into(), "release".into()],
        }
    }
}

/// The issue types list (`issueTypes` on Cloud, `values` on DC).
pub fn issue_types(list_key: &str) -> Value {
    json!({
        list_key: [
            {"id": "10200", "name": "Test", "subtask": false},
            {"id": EXECUTION_TYPE_ID, "name": "Test Execution", "subtask": false},
            {"id": "10202", "name": "Test Plan", "subtask": false},
            {"id": "1", "name": "Bug", "subtask": false}
        ],
        "startAt": 0, "maxResults": 200, "total": 4
    })
}

/// The Test Execution's fields (`fields` on Cloud, `values` on DC).
pub fn fields(list_key: &str, required: Option<&RequiredSelect>) -> Value {
    let mut list = vec![
        json!({"fieldId": "summary", "key": "summary", "name": "Summary", "required": true, "hasDefaultValue": false, "schema": {"type": "string", "system": "summary"}}),
        json!({"fieldId": "issuetype", "key": "issuetype", "name": "Issue Type", "required": true, "hasDefaultValue": false, "schema": {"type": "issuetype", "system": "issuetype"}}),
        json!({"fieldId": "project", "key": "project", "name": "Project", "required": true, "hasDefaultValue": false, "schema": {"type": "project", "system": "project"}}),
        json!({"fieldId": "description", "key": "description", "name": "Description", "required": false, "hasDefaultValue": false, "schema": {"type": "string", "system": "description"}}),
        json!({"fieldId": "labels", "key": "labels", "name": "Labels", "required": false, "hasDefaultValue": false, "schema": {"type": "array", "items": "string", "system": "labels"}}),
        json!({"fieldId": "fixVersions", "key": "fixVersions", "name": "Fix versions", "required": false, "hasDefaultValue": false, "schema": {"type": "array", "items": "version", "system": "fixVersions"}}),
        json!({"fieldId": "components", "key": "components", "name": "Components", "required": false, "hasDefaultValue": false, "schema": {"type": "array", "items": "component", "system": "components"}}),
        json!({"fieldId": "priority", "key": "priority", "name": "Priority", "required": false, "hasDefaultValue": true, "schema": {"type": "priority", "system": "priority"}}),
    ];
    if let Some(r) = required {
        list.push(json!({
            "fieldId": r.id, "key": r.id, "name": r.name, "required": true, "hasDefaultValue": false,
            "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10100},
            "allowedValues": r.options.iter().enumerate().map(|(i, o)| json!({"id": (20000 + i).to_string(), "value": o})).collect::<Vec<_>>()
        }));
    }
    json!({ list_key: list, "startAt": 0, "maxResults": 200, "total": list.len() })
}

/// Jira's create validation of `fields` for the Test Execution: `Err(field, message)` the way
/// Jira reports it under `errors`.
pub fn validate(fields: &Value, required: Option<&RequiredSelect>) -> Result<(), (String, String)> {
    let on_screen = [
        "project",
        "summary",
        "issuetype",
        "description",
        "labels",
        "fixVersions",
        "components",
        "priority",
    ];
    if let Some(map) = fields.as_object() {
        for k in map.keys() {
            if !on_screen.contains(&k.as_str()) && required.is_none_or(|r| r.id != *k) {
                return Err((
                    k.clone(),
                    format!(
                        "Field '{k}' cannot be set. It is not on the appropriate screen, or unknown."
                    ),
                ));
            }
        }
        if let Some(c) = map.get("components")
            && !c.as_array().is_some_and(|a| a.iter().all(Value::is_object))
        {
            return Err((
                "components".into(),
                "data was not an array of objects".into(),
            ));
        }
    }
    let Some(r) = required else {
        return Ok(());
    };
    match &fields[&r.id] {
        Value::Null => Err((r.id.clone(), format!("{} is required.", r.name))),
        Value::Object(o) => match o.get("value").and_then(Value::as_str) {
            Some(v) if r.options.iter().any(|x| x == v) => Ok(()),
            Some(v) => Err((r.id.clone(), format!("Option value '{v}' is not valid"))),
            None => Err((
                r.id.clone(),
                "Could not find valid 'id' or 'value' in the Parent Option object.".into(),
            )),
        },
        _ => Err((
            r.id.clone(),
            "Could not find valid 'id' or 'value' in the Parent Option object.".into(),
        )),
    }
}
