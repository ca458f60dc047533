//! Test support shared by integration tests: the fake HTTP server and the fakes built on it.
#![allow(dead_code)]

pub mod doctor_fake;
pub mod fake;
