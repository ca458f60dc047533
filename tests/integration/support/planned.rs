//! Hand-made planned tests for executor tests: a `TestRun` holding one case per test and the
//! `PlannedTest`s naming them, read through `plan::Tests` as the planner's output is.

use xray_sync::model::{
    Attempt, Failure, Format, Outcome, OutcomeKind, SourceRef, TestCase, TestRun,
};
use xray_sync::plan::{IdentitySource, IssueKey, PlannedTest, TestIdentity, Tests};
use xray_sync::settings::{Product, StatusMap};

/// Planned tests with the run they name.
pub struct Planned {
    pub planned: Vec<PlannedTest>,
    pub run: TestRun,
    pub statuses: StatusMap,
}

impl Default for Planned {
    fn default() -> Self {
        Planned::new(Product::Cloud)
    }
}

impl Planned {
    pub fn new(product: Product) -> Planned {
        Planned {
            planned: Vec::new(),
            run: TestRun {
                cases: Vec::new(),
                files: Vec::new(),
            },
            statuses: StatusMap::defaults(product),
        }
    }

    /// Adds test `class.name` with `outcome` (a failure says `message`), by `key` when given.
    pub fn push(
        &mut self,
        class: &str,
        name: &str,
        outcome: OutcomeKind,
        message: Option<&str>,
        key: Option<&str>,
    ) -> usize {
        let failure = || {
            Box::new(Failure {
                message: message.map(Into::into),
                kind: None,
                details: None,
            })
        };
        let outcome = match outcome {
            OutcomeKind::Passed => Outcome::Passed,
            OutcomeKind::Failed => Outcome::Failed(failure()),
            OutcomeKind::Error => Outcome::Error(failure()),
            OutcomeKind::Skipped => Outcome::Skipped { message: None },
        };
        let source = SourceRef::new(std::path::Path::new("results.xml"), Format::Junit, None);
        let attempt = Attempt::new(outcome, source);
        let case = TestCase::new(vec![], Some(class.into()), name.into(), attempt);
        let definition = case.definition();
        let (identity, source) = match key.and_then(IssueKey::parse) {
            Some(k) => (TestIdentity::Key(k), IdentitySource::PropertyTestKey),
            None => (
                TestIdentity::Definition(definition.clone()),
                IdentitySource::Definition,
            ),
        };
        self.run.cases.push(case);
        let index = self.run.cases.len() - 1;
        self.planned
            .push(PlannedTest::new(index, &definition, identity, source));
        self.planned.len() - 1
    }

    pub fn tests(&self) -> Tests<'_> {
        Tests::new(&self.planned, &self.run, &self.statuses)
    }

    pub fn len(&self) -> usize {
        self.planned.len()
    }
}
