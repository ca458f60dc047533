//! The one integration test binary: every module below shares one compiled `support`, so
//! `cargo test` links this crate's tests once (ripgrep and zizmor do the same).

mod github_runner;
mod plan_support;
mod sidecar;
mod support;

mod action_yml;
mod allure;
mod allure_props;
mod bug_links;
mod cli;
mod doctor;
mod dotnet_corpus;
mod dotnet_props;
mod dry_run;
mod e2e_github;
mod e2e_run;
mod e2e_secrets;
mod fake_answers;
mod fake_server;
mod github_surfaces;
mod http;
mod ingest;
mod jira_auth;
mod jira_dedup;
mod jira_faults;
mod junit_corpus;
mod junit_props;
mod junit_test_reporter;
mod label_vectors;
mod layers;
mod plan;
mod secrets_jira;
mod secrets_xray;
mod security_config;
mod security_evidence_roots;
mod security_outputs;
mod security_resend;
mod security_url_userinfo;
mod settings;
mod stale_keys;
mod text_store;
mod xray_depth;
mod xray_faults;
mod xray_upload;
