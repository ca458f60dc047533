//! Unit tests for the JUnit reader: dialect details on small inline documents.

use super::*;
use crate::model::{Outcome, OutcomeKind};

fn kinds(cases: &[TestCase]) -> Vec<(String, OutcomeKind)> {
    cases
        .iter()
        .map(|c| (c.name.clone(), c.outcome.kind()))
        .collect()
}

#[test]
fn minimal_suite() {
    let cases = parse_str(r#"<testsuite name="s"><testcase classname="C" name="a" time="0,5"/><testcase name="b"><failure message="m" type="T">trace</failure></testcase></testsuite>"#).unwrap();
    assert_eq!(
        kinds(&cases),
        vec![("a".into(), OutcomeKind::Passed), ("b".into(), OutcomeKind::Failed)]
    );
    assert_eq!(cases[0].suite_path, vec!["s".to_string()]);
    assert_eq!(cases[0].duration_secs, Some(0.5));
    assert_eq!(cases[1].classname, None);
    let f = cases[1].outcome.failure().unwrap();
    assert_eq!(f.message.as_deref(), Some("m"));
    assert_eq!(f.kind.as_deref(), Some("T"));
    assert_eq!(f.details.as_deref(), Some("trace"));
}
