//! Everything Jira: the REST client (Cloud and DC), the pure dedup decision, and bug filing.
//!
//! `file::run` is the entry point a run calls; `client::Client` is also what `doctor` uses for
//! its preflight. Rich text is ADF on Cloud (`adf`) and wiki markup on DC (`wiki`), both built
//! from one block model (`body`).

pub mod adf;
pub mod auth;
pub mod body;
pub mod client;
pub mod dedup;
pub mod file;
pub mod jql;
pub mod ops;
pub mod receipt;
pub mod wiki;
