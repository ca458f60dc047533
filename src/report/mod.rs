//! Everything xray-sync reports after a run: the JSON report (`json`), the Markdown job summary
//! (`markdown`, from `summary_data::RunSummary`) and the GitHub surfaces (`github`).

pub mod assemble;
pub mod console;
pub mod files_read;
pub mod github;
pub mod json;
pub mod markdown;
pub mod summary_data;
