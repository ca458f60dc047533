//! Xray settings: deployment detection (Cloud or DC), credentials, project, statuses, chunk
//! and evidence limits, and the dry-run placeholder when Xray is not configured.

use super::trace::Trace;
use super::{
    DEFAULT_CHUNK, DEFAULT_EVIDENCE, DEFAULT_SUMMARY, DEFAULT_XRAY_CLOUD_URL, PLACEHOLDER_PROJECT,
    SettingsError, check_key, check_project_key, check_url, dc_auth, invalid, placeholder_secret,
};
use crate::cli::{ConnectionArgs, Deployment, TargetArgs, XrayRunArgs, env, split_list};
use crate::settings::file::FileConfig;
use crate::settings::{
    ChunkLimits, Connection, DcAuth, EvidenceLimits, Product, StatusMap, XrayAuth,
    XrayPlanSettings, XraySettings,
};

pub(super) fn resolve_xray(
    conn: &ConnectionArgs,
    target: &TargetArgs,
    run: &XrayRunArgs,
    file: &FileConfig,
    dry_run: bool,
    trace: &mut Trace,
    notes: &mut Vec<String>,
) -> Result<Option<XraySettings>, SettingsError> {
    let f = &file.xray;
    let url = trace.pick("xray_url", conn.xray_url.clone(), f.url.clone());
    let client_id = trace.pick(
        "xray_client_id",
        conn.xray_client_id.clone(),
        f.client_id.clone(),
    );
    let secret = trace.pick("xray_client_secret", conn.xray_client_secret.clone(), None);
    let deployment = trace.pick(
        "xray_deployment",
        conn.xray_deployment.map(|d| match d {
            Deployment::Cloud => Product::Cloud,
            Deployment::Dc => Product::Dc,
        }),
        f.deployment,
    );
    let project = trace.pick("project", conn.project.clone(), f.project.clone());
    let no_upload = trace.pick_or("no_upload", target.no_upload, None, false);
    let jira_url = conn.jira_url.clone().or_else(|| file.jira.url.clone());
    let username = conn
        .jira_username
        .clone()
        .or_else(|| file.jira.username.clone());

    if no_upload {
        notes.push("Xray upload switched off (XRAY_SYNC_NO_UPLOAD / --no-upload)".into());
        return Ok(None);
    }
    let configured =
        url.is_some() || client_id.is_some() || secret.is_some() || deployment == Some(Product::Dc);
    let placeholder = !configured;
    if placeholder && !dry_run {
        notes.push(
            "Xray is not configured (no XRAY_URL, XRAY_CLIENT_ID or XRAY_DEPLOYMENT=dc): upload skipped"
                .into(),
        );
        return Ok(None);
    }

    let product = match deployment {
        Some(p) => p,
        None if placeholder || client_id.is_some() || secret.is_some() => Product::Cloud,
        None if url.as_deref().is_some_and(|u| u.contains("getxray.app")) => Product::Cloud,
        None if conn.jira_pat.is_some() || username.is_some() => Product::Dc,
        None => {
            return Err(invalid(
                "XRAY_DEPLOYMENT / --xray-deployment / [xray] deployment: cannot tell whether Xray is cloud or dc from XRAY_URL alone; set it",
            ));
        }
    };

    let (url, auth) = if placeholder {
        (
            String::new(),
            XrayAuth::Cloud {
                client_id: String::new(),
                client_secret: placeholder_secret(),
            },
        )
    } else {
        match product {
            Product::Cloud => {
                let url = check_url(
                    url.unwrap_or_else(|| DEFAULT_XRAY_CLOUD_URL.into()),
                    "XRAY_URL / --xray-url / [xray] url",
                )?;
                let auth = match (client_id, secret) {
                    (Some(id), Some(s)) => XrayAuth::Cloud {
                        client_id: id,
                        client_secret: s,
                    },
                    (id, s) if dry_run => {
                        notes.push("Xray Cloud credentials incomplete (XRAY_CLIENT_ID and XRAY_CLIENT_SECRET): fine for a dry run, required to send".into());
                        XrayAuth::Cloud {
                            client_id: id.unwrap_or_default(),
                            client_secret: s.unwrap_or_else(placeholder_secret),
                        }
                    }
                    _ => {
                        return Err(invalid(
                            "XRAY_CLIENT_ID / --xray-client-id and XRAY_CLIENT_SECRET / --xray-client-secret are both required for Xray Cloud",
                        ));
                    }
                };
                (url, auth)
            }
            Product::Dc => {
                let url = match url.or(jira_url) {
                    Some(u) => check_url(u, "XRAY_URL / --xray-url / [xray] url (or JIRA_URL)")?,
                    None => {
                        return Err(invalid(
                            "XRAY_URL / --xray-url / [xray] url (or JIRA_URL) is required for Xray DC: the Jira base URL",
                        ));
                    }
                };
                let auth = match dc_auth(
                    conn.jira_pat.as_ref(),
                    username.as_ref(),
                    conn.jira_password.as_ref(),
                )? {
                    Some(a) => XrayAuth::Dc(a),
                    None if dry_run => {
                        notes.push("Xray DC credentials missing (JIRA_PAT or JIRA_USERNAME/JIRA_PASSWORD): fine for a dry run, required to send".into());
                        XrayAuth::Dc(DcAuth::Pat(placeholder_secret()))
                    }
                    None => {
                        return Err(invalid(
                            "Xray DC needs JIRA_PAT / --jira-pat, or JIRA_USERNAME and JIRA_PASSWORD",
                        ));
                    }
                };
                (url, auth)
            }
        }
    };

    let project = match project
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
    {
        Some(p) => p,
        None if placeholder => PLACEHOLDER_PROJECT.to_string(),
        None => {
            return Err(invalid(
                "XRAY_PROJECT / --project / [xray] project is required when Xray is configured",
            ));
        }
    };
    check_project_key(&project, "XRAY_PROJECT / --project / [xray] project")?;
    if placeholder {
        notes.push(format!(
            "Xray is not configured: the dry run plans for Xray {} project {project} (set {} or {} to send)",
            if product == Product::Cloud { "Cloud" } else { "DC" },
            env::XRAY_CLIENT_ID,
            env::XRAY_URL
        ));
    }

    let test_plan = check_key(
        trace.pick("test_plan", target.test_plan.clone(), f.test_plan.clone()),
        "XRAY_TEST_PLAN / --test-plan / [xray] test_plan",
    )?;
    let test_execution = check_key(
        trace.pick(
            "test_execution",
            target.execution.test_execution.clone(),
            f.test_execution.clone(),
        ),
        "XRAY_TEST_EXECUTION / --test-execution / [xray] test_execution",
    )?;
    let environments = split_list(
        &trace
            .pick(
                "environments",
                target.environments.clone(),
                f.environments.clone(),
            )
            .unwrap_or_default(),
    );

    let mut statuses = StatusMap::defaults(product);
    let s = &file.statuses;
    for (slot, value) in [
        (&mut statuses.passed, &s.passed),
        (&mut statuses.failed, &s.failed),
        (&mut statuses.error, &s.error),
        (&mut statuses.skipped, &s.skipped),
        (&mut statuses.flaky, &s.flaky),
    ] {
        if let Some(v) = value.as_ref().map(|v| v.trim()) {
            if v.is_empty() {
                return Err(invalid("[statuses]: a status name cannot be empty"));
            }
            *slot = v.to_string();
        }
    }

    let chunk = ChunkLimits {
        max_tests: trace.pick_or(
            "chunk_max_tests",
            run.chunk_max_tests,
            f.chunk_max_tests,
            DEFAULT_CHUNK.max_tests,
        ),
        max_bytes: trace.pick_or(
            "chunk_max_bytes",
            run.chunk_max_bytes,
            f.chunk_max_bytes,
            DEFAULT_CHUNK.max_bytes,
        ),
    };
    if chunk.max_tests == 0 || chunk.max_bytes == 0 {
        return Err(invalid(
            "XRAY_SYNC_CHUNK_MAX_TESTS / XRAY_SYNC_CHUNK_MAX_BYTES (--chunk-max-tests / --chunk-max-bytes / [xray] chunk_max_*) must be at least 1",
        ));
    }

    let execution_fields = execution_fields(target, f, trace)?;
    let requirement_tag_pattern = match file.mapping.requirement_tag_pattern.as_deref() {
        None | Some("") => None,
        Some(p) => Some(regex::Regex::new(p).map_err(|e| {
            invalid(format!(
                "[mapping] requirement_tag_pattern: not a valid regex: {e}"
            ))
        })?),
    };
    let test_sets = split_list(
        &trace
            .pick(
                "test_sets",
                target.execution.test_sets.clone(),
                f.test_sets.clone(),
            )
            .unwrap_or_default(),
    );
    for key in &test_sets {
        check_key(
            Some(key.clone()),
            "XRAY_TEST_SETS / --test-sets / [xray] test_sets",
        )?;
    }

    let folder = trace
        .pick("folder", target.folder.clone(), f.folder.clone())
        .filter(|t| !t.trim().is_empty());
    if let Some(t) = &folder {
        crate::model::folder::check_template(t).map_err(|e| {
            invalid(format!(
                "{} / --folder / [xray] folder: {e}",
                env::XRAY_FOLDER
            ))
        })?;
    }
    let move_keyed_tests = trace.pick_or(
        "move_keyed_tests",
        run.move_keyed_tests,
        f.move_keyed_tests,
        false,
    );

    Ok(Some(XraySettings {
        connection: Connection::of(&url, auth.key_secret()),
        url,
        auth,
        plan: XrayPlanSettings {
            product,
            project,
            test_plan,
            test_execution,
            // Set by `resolve` once the CI context is known.
            run_identity: None,
            environments,
            fix_version: trace.pick(
                "fix_version",
                target.fix_version.clone(),
                f.fix_version.clone(),
            ),
            revision: trace.pick("revision", run.revision.clone(), f.revision.clone()),
            statuses,
            chunk,
            summary_template: trace.pick_or(
                "summary",
                run.summary.clone(),
                f.summary.clone(),
                DEFAULT_SUMMARY.into(),
            ),
            description: trace.pick(
                "description",
                run.description.clone(),
                f.description.clone(),
            ),
            execution_labels: f.labels.clone().unwrap_or_default(),
            strict_keys: f.strict_keys.unwrap_or(false),
            evidence: EvidenceLimits {
                max_file_bytes: f
                    .evidence_max_file_bytes
                    .unwrap_or(DEFAULT_EVIDENCE.max_file_bytes),
                max_run_bytes: f
                    .evidence_max_run_bytes
                    .unwrap_or(DEFAULT_EVIDENCE.max_run_bytes),
            },
            execution_fields,
            test_sets,
            folder,
            move_keyed_tests,
            requirement_labels: file.mapping.requirement_labels.clone().unwrap_or_default(),
            requirement_tag_pattern,
        },
    }))
}

/// `--execution-fields` / `XRAY_EXECUTION_FIELDS` (a JSON object) over `[xray.execution_fields]`:
/// the flag or variable replaces the table whole, so one place says what the execution gets.
fn execution_fields(
    target: &TargetArgs,
    f: &crate::settings::file::FileXray,
    trace: &mut Trace,
) -> Result<std::collections::BTreeMap<String, serde_json::Value>, SettingsError> {
    const NAME: &str = "XRAY_EXECUTION_FIELDS / --execution-fields / [xray.execution_fields]";
    let from_cli = match target.execution_fields.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => Some(map.into_iter().collect()),
            Ok(_) => {
                return Err(invalid(format!(
                    "{NAME}: expected a JSON object of field id or name to value, e.g. {{\"customfield_10100\": \"nightly\"}}"
                )));
            }
            Err(e) => return Err(invalid(format!("{NAME}: not valid JSON: {e}"))),
        },
    };
    let shown = |m: &std::collections::BTreeMap<String, serde_json::Value>| {
        m.keys().cloned().collect::<Vec<_>>()
    };
    let fields = trace.pick(
        "execution_fields",
        from_cli.as_ref().map(shown),
        f.execution_fields.as_ref().map(shown),
    );
    let fields = match fields {
        None => Default::default(),
        Some(_) => from_cli
            .or_else(|| f.execution_fields.clone())
            .unwrap_or_default(),
    };
    if fields.keys().any(|k| k.trim().is_empty()) {
        return Err(invalid(format!(
            "{NAME}: a field id or name cannot be empty"
        )));
    }
    Ok(fields)
}
