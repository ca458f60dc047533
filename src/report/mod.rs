//! Everything xray-sync reports after a run: the JSON report (`json`); console and GitHub later.

pub mod json;
