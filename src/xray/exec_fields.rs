//! Jira fields of a created Test Execution (`[xray.execution_fields]`, `XRAY_EXECUTION_FIELDS`).
//!
//! Owns turning what the user wrote (field id or name → value, with shorthands) into Jira
//! create-issue `fields`, checked against the create metadata of the Test Execution issue type
//! (Jira Cloud `GET /rest/api/3/issue/createmeta/{project}/issuetypes/{id}`, DC
//! `/rest/api/2/…`, docs/jira-api.md §3.2): names become ids, shorthands take the shape the
//! field's schema asks for, and a required field without a value or default is reported before
//! anything is sent (the create would fail with it anyway, after the results were built).
//!
//! Shorthands (docs/jira-api.md §3.4): a string for a select option → `{"value": s}`; a list of
//! strings for components / versions → `[{"name": s}]` (labels stay plain strings, Jira's own
//! shape for them); a user → `{"accountId": s}` on Cloud, `{"name": s}` on DC; a priority →
//! `{"name": s}`. A value already in Jira's shape (an object, a list of objects) goes as given.
//! Without metadata (Xray Cloud with no Jira credentials) only ids are accepted and only the
//! system fields' shapes are known.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::Http;
use crate::jira::client::FieldMeta;
use crate::settings::{JiraSettings, Product, XraySettings};

/// The issue type xray-sync creates executions as (`creation_info`).
pub const EXECUTION_ISSUE_TYPE: &str = "Test Execution";

/// Where the settings are named in messages.
pub const SETTING: &str = "XRAY_EXECUTION_FIELDS / --execution-fields / [xray.execution_fields]";

/// Fields `creation_info` always fills (or fills when configured), so they never count as a
/// missing required field.
const FILLED_BY_US: &[&str] = &["project", "summary", "issuetype", "labels", "reporter"];

/// What is wrong with the configured fields, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required field of the create screen with no value and no default.
    MissingRequired { name: String, id: String },
    /// A given field the create screen does not have.
    NotOnScreen { given: String },
    /// A name that matches more than one field.
    Ambiguous { given: String, ids: Vec<String> },
    /// A name given where no metadata can resolve it.
    NeedsMetadata { given: String },
    /// `project` or `issuetype`: xray-sync sets these itself.
    Reserved { given: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::MissingRequired { name, id } => write!(
                f,
                "the Test Execution requires field '{name}' ({id}) and it has no default: give it in {SETTING}"
            ),
            Problem::NotOnScreen { given } => write!(
                f,
                "field '{given}' ({SETTING}) is not on the Test Execution create screen: check the name or id, or add it to the screen"
            ),
            Problem::Ambiguous { given, ids } => write!(
                f,
                "field name '{given}' ({SETTING}) matches several fields ({}): use the id",
                ids.join(", ")
            ),
            Problem::NeedsMetadata { given } => write!(
                f,
                "field '{given}' ({SETTING}) is a name, and no create metadata could be read to resolve it (Xray Cloud reads it through Jira: set the Jira credentials, or use the field id, e.g. customfield_10100)"
            ),
            Problem::Reserved { given } => write!(
                f,
                "field '{given}' ({SETTING}) is set by xray-sync itself; leave it out"
            ),
        }
    }
}

/// The configured fields as Jira create `fields`, ids as keys. `meta` is the create screen of
/// the Test Execution (None when it could not be read); `filled`: the field ids xray-sync fills
/// from other settings ([`filled_by_settings`]).
pub fn resolve(
    product: Product,
    given: &BTreeMap<String, Value>,
    meta: Option<&[FieldMeta]>,
    filled: &[&str],
) -> Result<BTreeMap<String, Value>, Vec<Problem>> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (key, value) in given {
        if matches!(key.as_str(), "project" | "issuetype") {
            problems.push(Problem::Reserved { given: key.clone() });
            continue;
        }
        let (id, schema) = match meta {
            Some(fields) => match find(fields, key) {
                Ok(f) => (f.field_id.clone(), f.schema.clone()),
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            },
            None if looks_like_id(key) => (key.clone(), None),
            None => {
                problems.push(Problem::NeedsMetadata { given: key.clone() });
                continue;
            }
        };
        let shaped = shape(product, &id, schema.as_ref(), value);
        out.insert(id, shaped);
    }
    if let Some(fields) = meta {
        for f in fields {
            let set = out.contains_key(&f.field_id)
                || FILLED_BY_US.contains(&f.field_id.as_str())
                || filled.contains(&f.field_id.as_str());
            if f.required && !f.has_default_value && !set {
                problems.push(Problem::MissingRequired {
                    name: f.name.clone(),
                    id: f.field_id.clone(),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The fields xray-sync fills from other settings for this execution.
pub fn filled_by_settings(x: &XraySettings) -> Vec<&'static str> {
    let mut v = Vec::new();
    // The description is always sent: the template, or the CI description when there is one.
    v.push("description");
    if x.fix_version.is_some() {
        v.push("fixVersions");
    }
    v
}

/// Merges resolved fields into a multipart `info` (`creation_info`): given labels are added to
/// ours (the run marker must stay), every other field is set.
pub fn apply(info: &mut Value, fields: &BTreeMap<String, Value>) {
    let Some(target) = info.get_mut("fields").and_then(Value::as_object_mut) else {
        return;
    };
    for (id, value) in fields {
        match (id.as_str(), target.get_mut(id)) {
            ("labels", Some(Value::Array(ours))) => {
                for l in value.as_array().into_iter().flatten() {
                    if !ours.contains(l) {
                        ours.push(l.clone());
                    }
                }
            }
            _ => {
                target.insert(id.clone(), value.clone());
            }
        }
    }
}

fn find<'a>(fields: &'a [FieldMeta], given: &str) -> Result<&'a FieldMeta, Problem> {
    if let Some(f) = fields.iter().find(|f| f.field_id == given) {
        return Ok(f);
    }
    let named: Vec<&FieldMeta> = fields
        .iter()
        .filter(|f| f.name.trim().eq_ignore_ascii_case(given.trim()))
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Problem::NotOnScreen {
            given: given.to_string(),
        }),
        many => Err(Problem::Ambiguous {
            given: given.to_string(),
            ids: many.iter().map(|f| f.field_id.clone()).collect(),
        }),
    }
}

/// Jira field ids: `customfield_NNNNN`, or a system id (one word, starting lowercase).
fn looks_like_id(key: &str) -> bool {
    if let Some(n) = key.strip_prefix("customfield_") {
        return !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    }
    key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The field's kind, from its schema or, without one, from the system field id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Option,
    Options,
    Named,
    NamedList,
    User,
    Users,
    Plain,
}

fn kind(id: &str, schema: Option<&Value>) -> Kind {
    let Some(schema) = schema else {
        return match id {
            "components" | "fixVersions" | "versions" => Kind::NamedList,
            "assignee" | "reporter" => Kind::User,
            "priority" => Kind::Named,
            _ => Kind::Plain,
        };
    };
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let items = schema.get("items").and_then(Value::as_str).unwrap_or("");
    match (ty, items) {
        ("option", _) => Kind::Option,
        ("array", "option") => Kind::Options,
        ("array", "component" | "version") => Kind::NamedList,
        ("array", "user") => Kind::Users,
        ("user", _) => Kind::User,
        ("priority" | "version" | "component" | "securitylevel", _) => Kind::Named,
        _ => Kind::Plain,
    }
}

fn shape(product: Product, id: &str, schema: Option<&Value>, value: &Value) -> Value {
    let user = |s: &str| match product {
        Product::Cloud => json!({ "accountId": s }),
        Product::Dc => json!({ "name": s }),
    };
    let each = |v: &Value, f: &dyn Fn(&str) -> Value| -> Value {
        match v {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.clone(), f))
                    .collect(),
            ),
            Value::String(s) => Value::Array(vec![f(s)]),
            other => other.clone(),
        }
    };
    match (kind(id, schema), value) {
        (Kind::Option, Value::String(s)) => json!({ "value": s }),
        (Kind::Named, Value::String(s)) => json!({ "name": s }),
        (Kind::User, Value::String(s)) => user(s),
        (Kind::Options, v) => each(v, &|s| json!({ "value": s })),
        (Kind::NamedList, v) => each(v, &|s| json!({ "name": s })),
        (Kind::Users, v) => each(v, &user),
        (_, v) => v.clone(),
    }
}

/// The settings with `execution_fields` resolved (ids as keys, values in Jira's shape), ready
/// for the uploader to merge into the create. `Err`: the problems, one line each, before
/// anything is sent. Metadata that cannot be read is a warning (`progress`); the fields are then
/// resolved by id only.
pub fn prepare(
    http: &Http,
    x: &XraySettings,
    jira: Option<&JiraSettings>,
    progress: &mut dyn FnMut(&str),
) -> Result<XraySettings, String> {
    let meta = match create_meta(http, x, jira) {
        Ok(m) => m,
        Err(e) => {
            progress(&format!(
                "Xray: warning: the Test Execution create screen could not be read ({e}); execution fields are sent by id, as given"
            ));
            None
        }
    };
    let filled = filled_by_settings(x);
    match resolve(x.product, &x.execution_fields, meta.as_deref(), &filled) {
        Ok(fields) => {
            let mut out = x.clone();
            out.execution_fields = fields;
            Ok(out)
        }
        Err(problems) => Err(problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

/// The receipt of an upload refused before sending because the execution fields are wrong:
/// nothing was sent, the reason names the setting and the doctor check.
pub fn refused(plan: &crate::plan::XrayPlan, message: String) -> crate::xray::upload::XrayReceipt {
    use crate::xray::upload::{ChunkReceipt, ChunkStatus, XrayReceipt};
    let mut receipt = XrayReceipt::new(plan.product);
    receipt.chunks = plan
        .chunks
        .iter()
        .map(|c| ChunkReceipt {
            index: c.index,
            tests: c.tests.len(),
            status: ChunkStatus::NotSent,
        })
        .collect();
    receipt.errors.push(crate::error::ReportError {
        kind: crate::error::ErrorKind::BadInput,
        message: format!("Test Execution not created: {message}"),
        doctor_check: Some("xray.execution-fields".into()),
    });
    receipt
}

/// The create screen of the Test Execution issue type in `project`: on DC through the Jira REST
/// of the Xray site (same base and credentials), on Cloud through the Jira client when Jira is
/// configured. `Ok(None)`: no way to read it (Cloud without Jira credentials).
pub fn create_meta(
    http: &Http,
    x: &XraySettings,
    jira: Option<&JiraSettings>,
) -> Result<Option<Vec<FieldMeta>>, ApiError> {
    match x.product {
        Product::Dc => {
            let client = crate::xray::client::Client::new(http, x);
            match &client {
                crate::xray::client::Client::Dc(d) => {
                    d.create_meta(&x.project, EXECUTION_ISSUE_TYPE).map(Some)
                }
                crate::xray::client::Client::Cloud(_) => Ok(None),
            }
        }
        Product::Cloud => {
            let Some(j) = jira.filter(|j| j.is_live() && j.product == Product::Cloud) else {
                return Ok(None);
            };
            let client = crate::jira::client::Client::new(http, j);
            let types = client.issue_types(&x.project)?;
            let Some(t) = types.iter().find(|t| t.name == EXECUTION_ISSUE_TYPE) else {
                return Ok(Some(Vec::new()));
            };
            client.create_meta(&x.project, &t.id).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(id: &str, name: &str, required: bool, schema: Value) -> FieldMeta {
        serde_json::from_value(json!({
            "fieldId": id, "name": name, "required": required,
            "hasDefaultValue": false, "schema": schema
        }))
        .unwrap()
    }

    fn screen() -> Vec<FieldMeta> {
        vec![
            field(
                "summary",
                "Summary",
                true,
                json!({"type": "string", "system": "summary"}),
            ),
            field("project", "Project", true, json!({"type": "project"})),
            field(
                "issuetype",
                "Issue Type",
                true,
                json!({"type": "issuetype"}),
            ),
            field(
                "customfield_10100",
                "Environment type",
                true,
                json!({"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select"}),
            ),
            field(
                "components",
                "Components",
                false,
                json!({"type": "array", "items": "component"}),
            ),
            field("customfield_10200", "Owner", false, json!({"type": "user"})),
        ]
    }

    fn given(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn names_resolve_to_ids_and_shorthands_take_the_schema_shape() {
        let meta = screen();
        let g = given(&[
            ("environment type", json!("nightly")),
            ("components", json!(["api", "web"])),
            ("Owner", json!("5b10ac8d82e05b22cc7d4ef5")),
        ]);
        let cloud = resolve(Product::Cloud, &g, Some(&meta), &[]).unwrap();
        assert_eq!(cloud["customfield_10100"], json!({"value": "nightly"}));
        assert_eq!(
            cloud["components"],
            json!([{"name": "api"}, {"name": "web"}])
        );
        assert_eq!(
            cloud["customfield_10200"],
            json!({"accountId": "5b10ac8d82e05b22cc7d4ef5"})
        );
        let dc = resolve(Product::Dc, &g, Some(&meta), &[]).unwrap();
        assert_eq!(
            dc["customfield_10200"],
            json!({"name": "5b10ac8d82e05b22cc7d4ef5"})
        );
    }

    #[test]
    fn a_required_field_without_value_and_an_unknown_field_are_problems() {
        let meta = screen();
        let g = given(&[("Sprint goal", json!("x"))]);
        let problems = resolve(Product::Cloud, &g, Some(&meta), &[]).unwrap_err();
        assert_eq!(
            problems,
            vec![
                Problem::NotOnScreen {
                    given: "Sprint goal".into()
                },
                Problem::MissingRequired {
                    name: "Environment type".into(),
                    id: "customfield_10100".into()
                },
            ]
        );
        assert!(
            problems[1]
                .to_string()
                .contains("'Environment type' (customfield_10100)")
        );
    }

    #[test]
    fn without_metadata_only_ids_are_taken_and_system_shapes_applied() {
        let g = given(&[
            ("customfield_10100", json!({"value": "nightly"})),
            ("fixVersions", json!(["v1"])),
        ]);
        let out = resolve(Product::Cloud, &g, None, &[]).unwrap();
        assert_eq!(out["customfield_10100"], json!({"value": "nightly"}));
        assert_eq!(out["fixVersions"], json!([{"name": "v1"}]));
        let named = given(&[("Environment type", json!("nightly"))]);
        assert_eq!(
            resolve(Product::Cloud, &named, None, &[]).unwrap_err(),
            vec![Problem::NeedsMetadata {
                given: "Environment type".into()
            }]
        );
    }

    #[test]
    fn apply_keeps_our_labels_and_sets_the_rest() {
        let mut info = json!({"fields": {"labels": ["xray-sync-run-1"], "summary": "s"}});
        let mut fields = BTreeMap::new();
        fields.insert("labels".into(), json!(["nightly"]));
        fields.insert("customfield_10100".into(), json!({"value": "a"}));
        apply(&mut info, &fields);
        assert_eq!(
            info["fields"]["labels"],
            json!(["xray-sync-run-1", "nightly"])
        );
        assert_eq!(info["fields"]["customfield_10100"], json!({"value": "a"}));
    }
}
