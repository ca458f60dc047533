//! xray-sync: CI test results in, Xray Test Execution and deduplicated Jira bugs out.
//!
//! Data flows one way: `ingest` (files → `TestRun`) → `mapping` (test identity) → `plan`
//! (pure: results + settings → `Plan`) → `xray` / `jira` (the only network code) → `report`.
//! See ARCHITECTURE.md for the module map.

pub mod ci;
pub mod cli;
pub mod commands;
pub mod doctor;
pub mod error;
pub mod github;
pub mod http;
pub mod ingest;
pub mod jira;
pub mod mapping;
pub mod model;
pub mod outfile;
pub mod plan;
pub mod pretty_json;
pub mod report;
/// The `run` command keeps its old path for callers.
pub use commands::run;
pub mod secret;
pub mod settings;
pub mod spool;
pub mod stop;
pub mod untrusted;
pub mod xray;
