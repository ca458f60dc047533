//! Jira settings for bug filing: which credential scheme is chosen (and refusing
//! contradictory ones), the bug project, labels, link types and `[[bugs.override]]` entries.

use super::trace::Trace;
use super::{
    DEFAULT_API_URL, DEFAULT_AUTH_URL, DEFAULT_BUG_SUMMARY, PLACEHOLDER_PROJECT, SettingsError,
    check_project_key, check_url, dc_auth, invalid, placeholder_secret,
};
use crate::cli::{BugArgs, ConnectionArgs, TargetArgs, env};
use crate::model::label;
use crate::settings::credentials::{self, Scheme, Side};
use crate::settings::file::{FileConfig, FileOverride};
use crate::settings::{
    BugOverride, Connection, DcAuth, JiraAuth, JiraPlanSettings, JiraSettings, Product,
    XraySettings,
};

#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_jira(
    conn: &ConnectionArgs,
    target: &TargetArgs,
    bugs: &BugArgs,
    file: &FileConfig,
    dry_run: bool,
    xray: Option<&XraySettings>,
    trace: &mut Trace,
    notes: &mut Vec<String>,
) -> Result<Option<JiraSettings>, SettingsError> {
    let f = &file.jira;
    let url = trace.pick("jira_url", conn.jira_url.clone(), f.url.clone());
    let email = trace.pick("jira_email", conn.jira_email.clone(), f.email.clone());
    let token = trace.pick("jira_api_token", conn.jira_api_token.clone(), None);
    let pat = trace.pick("jira_pat", conn.jira_pat.clone(), None);
    let username = trace.pick(
        "jira_username",
        conn.jira_username.clone(),
        f.username.clone(),
    );
    let password = trace.pick("jira_password", conn.jira_password.clone(), None);
    let client_id = trace.pick(
        "jira_client_id",
        conn.jira_client_id.clone(),
        f.client_id.clone(),
    );
    let client_secret = trace.pick("jira_client_secret", conn.jira_client_secret.clone(), None);
    let auth_url = trace.pick_or(
        "atlassian_auth_url",
        conn.atlassian_auth_url.clone(),
        f.auth_url.clone(),
        DEFAULT_AUTH_URL.into(),
    );
    let api_url = trace.pick_or(
        "atlassian_api_url",
        conn.atlassian_api_url.clone(),
        f.api_url.clone(),
        DEFAULT_API_URL.into(),
    );
    let no_bugs = trace.pick_or("no_bugs", target.no_bugs, None, false);
    if no_bugs {
        notes.push("bug filing switched off (XRAY_SYNC_NO_BUGS / --no-bugs)".into());
        return Ok(None);
    }

    // PAT and username alone do not configure Jira: Xray DC uses them too.
    let configured = url.is_some()
        || email.is_some()
        || token.is_some()
        || client_id.is_some()
        || client_secret.is_some();
    let placeholder = !configured;
    if placeholder && !dry_run {
        notes.push("Jira is not configured (no JIRA_URL): bug filing skipped".into());
        return Ok(None);
    }

    // Which credential sets were touched (any of their variables given), from the one table
    // doctor reads too.
    let given = |var: &str| match var {
        env::JIRA_EMAIL => email.is_some(),
        env::JIRA_API_TOKEN => token.is_some(),
        env::JIRA_CLIENT_ID => client_id.is_some(),
        env::JIRA_CLIENT_SECRET => client_secret.is_some(),
        env::JIRA_PAT => pat.is_some(),
        env::JIRA_USERNAME => username.is_some(),
        env::JIRA_PASSWORD => password.is_some(),
        _ => false,
    };
    let touched = credentials::touched(Side::Jira, given);
    if touched.len() > 1 && !placeholder {
        let named: Vec<String> = touched.iter().map(|s| s.joined()).collect();
        return Err(invalid(format!(
            "contradictory Jira credentials: {} are all set; keep one of them",
            named.join(" and ")
        )));
    }

    let scheme = touched.first().map(|s| s.scheme);
    let auth = if placeholder {
        None
    } else if scheme == Some(Scheme::JiraCloudToken) {
        match (email, token) {
            (Some(email), Some(token)) => Some(JiraAuth::CloudToken { email, token }),
            (None, _) => {
                return Err(invalid(format!(
                    "{} is set without {} / --jira-email",
                    env::JIRA_API_TOKEN,
                    env::JIRA_EMAIL
                )));
            }
            (_, None) => {
                return Err(invalid(format!(
                    "{} is set without {} / --jira-api-token",
                    env::JIRA_EMAIL,
                    env::JIRA_API_TOKEN
                )));
            }
        }
    } else if scheme == Some(Scheme::JiraCloudOAuth) {
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => Some(JiraAuth::CloudOAuth {
                client_id,
                client_secret,
                auth_url: check_url(auth_url, "ATLASSIAN_AUTH_URL / --atlassian-auth-url")?,
                api_url: check_url(api_url, "ATLASSIAN_API_URL / --atlassian-api-url")?,
            }),
            (None, _) => {
                return Err(invalid(format!(
                    "{} is set without {} / --jira-client-id",
                    env::JIRA_CLIENT_SECRET,
                    env::JIRA_CLIENT_ID
                )));
            }
            (_, None) => {
                return Err(invalid(format!(
                    "{} is set without {} / --jira-client-secret",
                    env::JIRA_CLIENT_ID,
                    env::JIRA_CLIENT_SECRET
                )));
            }
        }
    } else {
        dc_auth(pat.as_ref(), username.as_ref(), password.as_ref())?.map(JiraAuth::Dc)
    };
    let auth = match auth {
        Some(a) => a,
        None if dry_run => {
            if !placeholder {
                notes.push(
                    "Jira credentials missing: fine for a dry run, required to file bugs".into(),
                );
            }
            let dc = xray.is_some_and(|x| x.product == Product::Dc);
            if dc {
                JiraAuth::Dc(DcAuth::Pat(placeholder_secret()))
            } else {
                JiraAuth::CloudToken {
                    email: String::new(),
                    token: placeholder_secret(),
                }
            }
        }
        None => {
            return Err(invalid(
                "JIRA_URL is set but no Jira credentials are: set JIRA_EMAIL+JIRA_API_TOKEN or JIRA_CLIENT_ID+JIRA_CLIENT_SECRET (Cloud), or JIRA_PAT or JIRA_USERNAME+JIRA_PASSWORD (DC)",
            ));
        }
    };
    let product = match &auth {
        JiraAuth::CloudToken { .. } | JiraAuth::CloudOAuth { .. } => Product::Cloud,
        JiraAuth::Dc(_) => Product::Dc,
    };
    let url = match url {
        Some(u) => check_url(u, "JIRA_URL / --jira-url / [jira] url")?,
        None if dry_run => String::new(),
        None => {
            return Err(invalid(
                "JIRA_URL / --jira-url / [jira] url is required when Jira credentials are given",
            ));
        }
    };

    let project = trace
        .pick("bug_project", target.bug_project.clone(), f.project.clone())
        .or_else(|| xray.map(|x| x.project.clone()))
        // With the upload switched off, XRAY_PROJECT still names the team's project.
        .or_else(|| conn.project.clone().or_else(|| file.xray.project.clone()))
        .or_else(|| placeholder.then(|| PLACEHOLDER_PROJECT.to_string()));
    let Some(project) = project else {
        return Err(invalid(
            "JIRA_BUG_PROJECT / --bug-project / [jira] project is required (there is no Xray project to default to)",
        ));
    };
    check_project_key(
        &project,
        "JIRA_BUG_PROJECT / --bug-project / [jira] project",
    )?;

    let prefix = trace.pick_or(
        "label_prefix",
        bugs.label_prefix.clone(),
        f.label_prefix.clone(),
        "xray-sync-".into(),
    );
    let prefix = prefix.trim().to_lowercase();
    if prefix.is_empty() || label::sanitize(&prefix) != prefix || prefix.len() > 200 {
        return Err(invalid(format!(
            "{} / --label-prefix / [jira] label_prefix {prefix:?}: use 1 to 200 of a-z 0-9 _ . : - (Jira labels cannot hold spaces)",
            env::JIRA_LABEL_PREFIX
        )));
    }
    let marker = f.marker_label.clone().unwrap_or_else(|| "xray-sync".into());
    if !label::is_label_safe(&marker) {
        return Err(invalid(format!(
            "[jira] marker_label {marker:?}: use only a-z 0-9 _ . : -"
        )));
    }
    let labels = f.labels.clone().unwrap_or_default();
    for l in &labels {
        if l.is_empty() || l.contains(char::is_whitespace) || l.len() > 255 {
            return Err(invalid(format!(
                "[jira] labels: {l:?} is not a valid Jira label (no spaces, at most 255 characters)"
            )));
        }
    }
    let threshold = trace.pick_or(
        "mass_failure_threshold",
        bugs.mass_failure_threshold,
        f.mass_failure_threshold,
        20,
    );
    let parallelism = f.parallelism.unwrap_or(4);
    if !(1..=16).contains(&parallelism) {
        return Err(invalid("[jira] parallelism must be between 1 and 16"));
    }
    let overrides = file
        .bugs
        .overrides
        .iter()
        .map(to_override)
        .collect::<Result<Vec<_>, _>>()?;

    if placeholder {
        notes.push(format!(
            "Jira is not configured: the dry run lists the bugs it would file in {project}, but cannot know whether they already exist (set {} and credentials)",
            env::JIRA_URL
        ));
    }

    Ok(Some(JiraSettings {
        connection: Connection::of(&url, auth.key_secret()),
        url,
        auth,
        plan: JiraPlanSettings {
            product,
            project,
            issue_type: trace.pick_or(
                "bug_issue_type",
                target.bug_issue_type.clone(),
                f.issue_type.clone(),
                "Bug".into(),
            ),
            label_prefix: prefix,
            marker_label: marker,
            labels,
            assignee: f.assignee.clone(),
            components: f.components.clone().unwrap_or_default(),
            priority: f.priority.clone(),
            summary_template: f
                .summary
                .clone()
                .unwrap_or_else(|| DEFAULT_BUG_SUMMARY.into()),
            file_flaky: trace.pick_or("file_flaky", bugs.file_flaky, f.file_flaky, false),
            mass_failure_threshold: (threshold > 0).then_some(threshold),
            close_on_pass: trace.pick_or(
                "close_on_pass",
                bugs.close_on_pass,
                f.close_on_pass,
                false,
            ),
            reopen_within_days: f.reopen_within_days,
            done_link_type: f.done_link_type.clone().unwrap_or_else(|| "Relates".into()),
            duplicate_link_type: f
                .duplicate_link_type
                .clone()
                .unwrap_or_else(|| "Duplicate".into()),
            test_link_type: f.test_link_type.clone().unwrap_or_else(|| "Tests".into()),
            parallelism,
            overrides,
        },
    }))
}

fn to_override(o: &FileOverride) -> Result<BugOverride, SettingsError> {
    if o.matches.trim().is_empty() {
        return Err(invalid("[[bugs.override]] matches cannot be empty"));
    }
    globset::Glob::new(&o.matches).map_err(|e| {
        invalid(format!(
            "[[bugs.override]] matches = {:?}: invalid glob: {}",
            o.matches,
            e.kind()
        ))
    })?;
    Ok(BugOverride {
        matches: o.matches.clone(),
        disable: o.disable,
        project: o.project.clone(),
        issue_type: o.issue_type.clone(),
        assignee: o.assignee.clone(),
        labels: o.labels.clone(),
        components: o.components.clone(),
        priority: o.priority.clone(),
    })
}
