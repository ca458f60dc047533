//! The JSON shape of a [`TestCase`] (`xray-sync parse --json`, snapshots).
//!
//! `TestCase` keeps its rare parts in an optional box and derives its outcome, but its JSON
//! stays one flat object in the field order it had when everything was a plain field:
//! `suite_path, classname, name, full_name, history_id, file, line, outcome, flaky,
//! duration_secs, started_at, properties, labels, links, parameters, attachments, attempts`,
//! absent and empty values left out.

use serde::Serialize;

use super::{Attachment, Attempt, Label, Link, Outcome, Property, TestCase};

#[derive(Serialize)]
struct TestCaseJson<'a> {
    suite_path: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    classname: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    outcome: &'a Outcome,
    flaky: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_secs: Option<f64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    started_at: Option<time::OffsetDateTime>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    properties: &'a [Property],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    labels: &'a [Label],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [Link],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    parameters: &'a [Property],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attachments: &'a [Attachment],
    attempts: &'a [Attempt],
}

impl Serialize for TestCase {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extras = self.extras();
        TestCaseJson {
            suite_path: &self.suite_path,
            classname: self.classname.as_deref(),
            name: &self.name,
            full_name: extras.full_name.as_deref(),
            history_id: extras.history_id.as_deref(),
            file: extras.file.as_deref(),
            line: extras.line,
            outcome: self.outcome(),
            flaky: self.flaky,
            duration_secs: self.duration_secs(),
            started_at: self.started_at(),
            properties: &extras.properties,
            labels: &extras.labels,
            links: &extras.links,
            parameters: &extras.parameters,
            attachments: &extras.attachments,
            attempts: &self.attempts,
        }
        .serialize(serializer)
    }
}
