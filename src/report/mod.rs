//! Reporting surfaces. (Minimal on this branch: the lead merges these lines into the full
//! `report` module.)

pub mod github;
pub mod markdown;
pub mod summary_data;
