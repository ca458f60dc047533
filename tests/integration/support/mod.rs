//! Test support shared by integration tests: the fake HTTP server and the fakes built on it.
#![allow(dead_code)]

pub mod doctor_fake;
pub mod e2e;
pub mod execution_screen;
pub mod fake;
pub mod jira_fake;
pub mod planned;
pub mod xray_fake;
pub mod xray_plans;
