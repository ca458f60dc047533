//! Settings resolution: layers, defaults, the one-side-only rule, auth selection, validation
//! messages that name the setting, the config and mapping file formats, and redaction.

use crate::plan_support;

use std::path::Path;

use plan_support::*;
use xray_sync::ci::CiContext;
use xray_sync::cli::{Deployment, SettingsArgs};
use xray_sync::secret::Secret;
use xray_sync::settings::{
    self, DcAuth, FileConfig, JiraAuth, Product, Settings, SettingsError, Source, Trace,
    UnmappedPolicy, XrayAuth,
};

fn resolve(args: &SettingsArgs, toml: &str, dry_run: bool) -> Result<Settings, SettingsError> {
    resolve_full(args, toml, vec![], dry_run, CiContext::default())
}

fn err(args: &SettingsArgs, toml: &str) -> String {
    match resolve(args, toml, false) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn cloud_defaults() {
    let s = cloud();
    let x = s.xray.as_ref().unwrap();
    assert_eq!(x.product, Product::Cloud);
    assert_eq!(x.url, "https://xray.cloud.getxray.app");
    assert!(matches!(&x.auth, XrayAuth::Cloud { client_id, .. } if client_id == "client-id"));
    assert_eq!(x.chunk.max_tests, 1_000);
    assert_eq!(x.chunk.max_bytes, 20 * 1024 * 1024);
    assert_eq!(x.statuses.skipped, "TO DO");
    let j = s.jira.as_ref().unwrap();
    assert_eq!(j.product, Product::Cloud);
    assert!(matches!(&j.auth, JiraAuth::CloudToken { email, .. } if email == "ci@acme.test"));
    assert_eq!(
        j.project, "CALC",
        "bug project defaults to the Xray project"
    );
    assert_eq!(j.issue_type, "Bug");
    assert_eq!(j.label_prefix, "xray-sync-");
    assert_eq!(j.marker_label, "xray-sync");
    assert_eq!(
        j.summary_template,
        "{short_class}.{name}: {message_first_line}"
    );
    assert_eq!(j.mass_failure_threshold, Some(20));
    assert_eq!(j.parallelism, 4);
    assert_eq!(
        (
            j.done_link_type.as_str(),
            j.duplicate_link_type.as_str(),
            j.test_link_type.as_str()
        ),
        ("Relates", "Duplicate", "Tests")
    );
    assert_eq!(s.mapping.project_keys, ["CALC"]);
    assert_eq!(s.mapping.allure_labels, ["xray", "testKey", "jira"]);
    assert_eq!(s.mapping.unmapped, UnmappedPolicy::Create);
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn dc_uses_jira_url_and_pat_for_both() {
    let s = dc();
    let x = s.xray.as_ref().unwrap();
    assert_eq!(x.product, Product::Dc);
    assert_eq!(x.url, "https://jira.acme.test", "trailing slash trimmed");
    assert!(matches!(&x.auth, XrayAuth::Dc(DcAuth::Pat(_))));
    assert_eq!(x.statuses.passed, "PASS");
    let j = s.jira.as_ref().unwrap();
    assert_eq!(j.product, Product::Dc);
    assert!(matches!(&j.auth, JiraAuth::Dc(DcAuth::Pat(_))));

    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_deployment: Some(Deployment::Dc),
            xray_url: Some("https://jira.acme.test".into()),
            jira_username: Some("ci".into()),
            jira_password: Some(Secret::from("pw-123456")),
            project: Some("CALC".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    let s = resolve(&args, "", false).unwrap();
    assert!(matches!(
        &s.xray.unwrap().auth,
        XrayAuth::Dc(DcAuth::Basic { username, .. }) if username == "ci"
    ));
    assert!(s.jira.is_none(), "PAT/basic alone do not configure Jira");
    assert!(s.notes.iter().any(|n| n.contains("Jira is not configured")));
}

#[test]
fn jira_oauth_service_account_with_default_hosts() {
    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            jira_url: Some("https://acme.atlassian.net".into()),
            jira_client_id: Some("cid".into()),
            jira_client_secret: Some(Secret::from("csecret-1")),
            ..Default::default()
        },
        target: xray_sync::cli::TargetArgs {
            bug_project: Some("OPS".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    let s = resolve(&args, "", false).unwrap();
    assert!(s.xray.is_none(), "only Jira configured: Xray skipped");
    assert!(s.notes.iter().any(|n| n.contains("Xray is not configured")));
    let j = s.jira.unwrap();
    match &j.auth {
        JiraAuth::CloudOAuth {
            auth_url, api_url, ..
        } => {
            assert_eq!(auth_url, "https://auth.atlassian.com");
            assert_eq!(api_url, "https://api.atlassian.com");
        }
        other => panic!("expected OAuth, got {other:?}"),
    }
    assert_eq!(j.project, "OPS");
}

#[test]
fn only_xray_configured_skips_jira_with_a_note() {
    let mut args = cloud_args();
    args.connection.jira_url = None;
    args.connection.jira_email = None;
    args.connection.jira_api_token = None;
    let s = resolve(&args, "", false).unwrap();
    assert!(s.xray.is_some());
    assert!(s.jira.is_none());
    assert_eq!(
        s.notes,
        ["Jira is not configured (no JIRA_URL): bug filing skipped"]
    );
}

#[test]
fn dry_run_with_nothing_configured_plans_placeholders() {
    let s = resolve(&SettingsArgs::default(), "", true).unwrap();
    let x = s.xray.as_ref().unwrap();
    assert!(x.is_placeholder());
    assert_eq!(x.project, "PROJ");
    assert_eq!(x.product, Product::Cloud);
    let j = s.jira.as_ref().unwrap();
    assert!(j.is_placeholder());
    assert_eq!(j.project, "PROJ");
    assert!(
        s.mapping.project_keys.is_empty(),
        "no name keys for a placeholder project"
    );
    assert_eq!(s.notes.len(), 2);

    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            project: Some("CALC".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    let s = resolve(&args, "", true).unwrap();
    assert_eq!(s.xray.unwrap().project, "CALC");
    assert_eq!(s.mapping.project_keys, ["CALC"]);

    // Without --dry-run nothing is configured and both sides are skipped, not errors.
    let s = resolve(&SettingsArgs::default(), "", false).unwrap();
    assert!(s.xray.is_none() && s.jira.is_none());
}

#[test]
fn dry_run_tolerates_missing_secrets() {
    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_client_id: Some("id".into()),
            project: Some("CALC".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    assert!(err(&args, "").contains("XRAY_CLIENT_SECRET"));
    let s = resolve(&args, "", true).unwrap();
    assert!(s.notes.iter().any(|n| n.contains("fine for a dry run")));
}

#[test]
fn flags_and_env_beat_file_beat_defaults() {
    let toml = r#"
[xray]
project = "FILE"
environments = ["from-file"]
chunk_max_tests = 50

[jira]
issue_type = "Defect"
label_prefix = "file-"
"#;
    let mut args = cloud_args();
    let s = resolve(&args, toml, false).unwrap();
    let x = s.xray.as_ref().unwrap();
    assert_eq!(x.project, "CALC", "flag over file");
    assert_eq!(x.environments, ["from-file"], "file over default");
    assert_eq!(x.chunk.max_tests, 50);
    assert_eq!(s.jira.as_ref().unwrap().issue_type, "Defect");
    assert_eq!(s.jira.as_ref().unwrap().label_prefix, "file-");
    args.xray.chunk_max_tests = Some(7);
    args.bugs.label_prefix = Some("Flag-".into());
    let s = resolve(&args, toml, false).unwrap();
    assert_eq!(s.xray.as_ref().unwrap().chunk.max_tests, 7);
    assert_eq!(s.jira.unwrap().label_prefix, "flag-", "lowercased");
}

#[test]
fn trace_records_sources() {
    let file = FileConfig::parse("[xray]\ntest_plan = \"CALC-15\"\n", Path::new("x.toml")).unwrap();
    let mut trace = Trace::default();
    settings::resolve(
        &cloud_args(),
        &no_input(),
        false,
        &file,
        vec![],
        CiContext::default(),
        ".".into(),
        &mut trace,
    )
    .unwrap();
    let find = |id: &str| trace.entries.iter().find(|t| t.id == id).unwrap().clone();
    assert_eq!(find("project").source, Source::Cli);
    assert_eq!(find("test_plan").source, Source::File);
    assert_eq!(find("chunk_max_tests").source, Source::Default);
    assert_eq!(find("chunk_max_tests").value, "1000");
    assert_eq!(find("xray_client_secret").value, "***", "secrets redacted");
}

#[test]
fn validation_messages_name_the_setting() {
    let mut args = cloud_args();
    args.connection.project = None;
    assert_eq!(
        err(&args, ""),
        "XRAY_PROJECT / --project / [xray] project is required when Xray is configured"
    );
    let mut args = cloud_args();
    args.connection.project = Some("calc".into());
    assert!(err(&args, "").starts_with("XRAY_PROJECT / --project"));
    let mut args = cloud_args();
    args.target.test_plan = Some("plan 15".into());
    assert!(err(&args, "").starts_with("XRAY_TEST_PLAN"));
    let mut args = cloud_args();
    args.bugs.label_prefix = Some("my team ".into());
    assert!(err(&args, "").starts_with("JIRA_LABEL_PREFIX"));
    let mut args = cloud_args();
    args.xray.chunk_max_tests = Some(0);
    assert!(err(&args, "").contains("XRAY_SYNC_CHUNK_MAX_TESTS"));
    let mut args = cloud_args();
    args.connection.xray_url = Some("xray.example".into());
    assert!(err(&args, "").starts_with("XRAY_URL"));
    let mut args = cloud_args();
    args.mapping.include = Some(vec!["a[".into()]);
    assert!(err(&args, "").contains("XRAY_SYNC_INCLUDE"));
    let args = SettingsArgs {
        connection: xray_sync::cli::ConnectionArgs {
            xray_url: Some("https://jira.internal".into()),
            project: Some("CALC".into()),
            ..Default::default()
        },
        ..SettingsArgs::default()
    };
    assert!(err(&args, "").starts_with("XRAY_DEPLOYMENT"));
}

#[test]
fn contradictory_or_partial_credentials_are_errors() {
    let mut args = cloud_args();
    args.connection.jira_pat = Some(Secret::from("pat-123456"));
    let e = err(&args, "");
    assert!(e.contains("contradictory Jira credentials"), "{e}");
    assert!(
        e.contains("JIRA_EMAIL/JIRA_API_TOKEN") && e.contains("JIRA_PAT"),
        "{e}"
    );

    let mut args = cloud_args();
    args.connection.jira_api_token = None;
    assert!(err(&args, "").contains("JIRA_API_TOKEN"));

    let mut args = dc_args();
    args.connection.jira_username = Some("ci".into());
    assert!(err(&args, "").contains("contradictory"));

    let mut args = cloud_args();
    args.connection.jira_email = None;
    args.connection.jira_api_token = None;
    assert!(err(&args, "").starts_with("JIRA_URL is set but no Jira credentials"));
}

#[test]
fn config_file_rejects_unknown_fields_and_secrets() {
    let e = FileConfig::parse("[xray]\nprojekt = \"CALC\"\n", Path::new("x.toml")).unwrap_err();
    assert!(e.contains("projekt"), "{e}");
    let e = FileConfig::parse("[xray]\nclient_secret = \"s\"\n", Path::new("x.toml")).unwrap_err();
    assert!(e.contains("client_secret"), "{e}");
    let e = FileConfig::parse("[bugs.override]\nmatches = \"x\"\n", Path::new("x.toml"));
    assert!(e.is_err(), "override must be an array of tables");
}

#[test]
fn bad_override_glob_is_named() {
    let e = err(&cloud_args(), "[[bugs.override]]\nmatches = \"a[\"\n");
    assert!(e.contains("[[bugs.override]]") && e.contains("a["), "{e}");
}

#[test]
fn mapping_file_formats() {
    let p = Path::new("map");
    let toml = "[[test]]\nmatch = \"a.*\"\nkey = \"CALC-1\"\n\n[tests]\n\"b.c\" = \"CALC-2\"\n";
    let t = settings::parse_mapping(toml, p).unwrap();
    assert_eq!(
        t.iter()
            .map(|e| (e.pattern.as_str(), e.key.as_str()))
            .collect::<Vec<_>>(),
        [("a.*", "CALC-1"), ("b.c", "CALC-2")]
    );
    let json = r#"[{"match": "x.*", "key": "CALC-3"}, {"match": "y", "key": "CALC-4"}]"#;
    assert_eq!(settings::parse_mapping(json, p).unwrap()[1].key, "CALC-4");
    let obj = "\u{feff}{\"z\": \"CALC-5\"}";
    assert_eq!(settings::parse_mapping(obj, p).unwrap()[0].pattern, "z");
    let e = settings::parse_mapping(r#"{"z": "not a key"}"#, p).unwrap_err();
    assert!(e.contains("\"z\"") && e.contains("not an issue key"), "{e}");
}

#[test]
fn load_reads_config_and_mapping_files_relative_to_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("map.json"), r#"{"a.B.t": "CALC-9"}"#).unwrap();
    let config = dir.path().join("xray-sync.toml");
    std::fs::write(
        &config,
        "[mapping]\nfile = \"map.json\"\nunmapped = \"skip\"\n",
    )
    .unwrap();
    let mut args = cloud_args();
    args.connection.config = Some(config.clone());
    let (s, _) = settings::load(&args, &no_input(), false, &|_| None).unwrap();
    assert_eq!(s.mapping.table[0].key, "CALC-9");
    assert_eq!(s.mapping.unmapped, UnmappedPolicy::Skip);

    args.connection.config = Some(dir.path().join("missing.toml"));
    let e = settings::load(&args, &no_input(), false, &|_| None).unwrap_err();
    assert!(e.to_string().contains("missing.toml"), "{e}");
}

#[test]
fn secrets_never_print_in_settings_debug() {
    let s = cloud();
    let text = format!("{s:?}");
    for secret in ["xray-secret-value", "jira-token-value"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    let d = format!("{:?}", dc());
    assert!(!d.contains("pat-value-123"));
}

/// Every value the resolver traces for `xray-sync config` is a `run` flag's id (so `config` can
/// name its variable and tell flag from env), except the few settings only the config file or
/// a command's own flag sets, listed here.
#[test]
fn every_traced_setting_is_a_flag_or_a_known_file_key() {
    use clap::CommandFactory;
    const NOT_RUN_FLAGS: &[&str] = &[
        // The positional patterns are `results` in the file and in `config`.
        "results",
        // File only.
        "execution_per_attempt",
        "project_keys",
        "allure_labels",
        "max_retry_time",
        // `run --json` / `doctor --json` are each command's own flag.
        "json",
    ];
    let cli = xray_sync::cli::Cli::command();
    let run = cli.find_subcommand("run").unwrap();
    let mut trace = Trace::default();
    let args = cloud_args();
    let input = no_input();
    let file = FileConfig::default();
    settings::resolve(
        &args,
        &input,
        true,
        &file,
        vec![],
        CiContext::default(),
        ".".into(),
        &mut trace,
    )
    .unwrap();
    assert!(trace.entries.len() > 40, "{}", trace.entries.len());
    for t in &trace.entries {
        assert!(
            NOT_RUN_FLAGS.contains(&t.id) || run.get_arguments().any(|a| a.get_id() == t.id),
            "{} is traced but is no run flag",
            t.id
        );
    }
}

/// The resolver decides once whether each side can be asked (`Connection`), so no later stage
/// tests for an empty URL or secret.
#[test]
fn each_side_gets_its_connection_from_the_resolver() {
    use xray_sync::settings::Connection;
    let s = resolve(&cloud_args(), "", false).unwrap();
    assert_eq!(s.xray.as_ref().unwrap().connection, Connection::Live);
    assert_eq!(s.jira.as_ref().unwrap().connection, Connection::Live);
    assert!(s.xray.as_ref().unwrap().is_live() && s.jira.as_ref().unwrap().is_live());

    // Nothing configured: the dry run plans for stand-ins.
    let s = resolve(&SettingsArgs::default(), "", true).unwrap();
    assert_eq!(s.xray.as_ref().unwrap().connection, Connection::Placeholder);
    assert_eq!(s.jira.as_ref().unwrap().connection, Connection::Placeholder);

    // A client id without its secret: a URL (the default Cloud host), but nothing can be sent.
    let mut args = cloud_args();
    args.connection.xray_client_secret = None;
    args.connection.jira_api_token = None;
    args.connection.jira_email = None;
    let s = resolve(&args, "", true).unwrap();
    let x = s.xray.as_ref().unwrap();
    assert_eq!(x.connection, Connection::Incomplete);
    assert!(!x.is_live() && !x.is_placeholder());
    // Jira has its URL but no credentials.
    assert_eq!(s.jira.as_ref().unwrap().connection, Connection::Incomplete);
}
