//! How a result is tied to an Xray Test: the validated issue key and the identity kinds.
//! Lives in the model so settings, mapping and the planner share it without depending on
//! each other.

use serde::Serialize;

/// A validated Jira/Xray issue key (`CALC-123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IssueKey(String);

impl IssueKey {
    /// Accepts `PROJECT-NUMBER` where PROJECT is an uppercase Jira project key (a letter, then
    /// letters, digits or underscores) and NUMBER a positive integer without leading zeros.
    pub fn parse(s: &str) -> Option<IssueKey> {
        let (project, number) = s.rsplit_once('-')?;
        let mut chars = project.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
        let rest_ok = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let number_ok = !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && !number.starts_with('0');
        (first_ok && rest_ok && number_ok).then(|| IssueKey(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn project(&self) -> &str {
        self.0.rsplit_once('-').map(|(p, _)| p).unwrap_or(&self.0)
    }
}

impl std::fmt::Display for IssueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a result is tied to an Xray Test.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum TestIdentity {
    Key(IssueKey),
    /// Generic definition Xray matches or creates the Test by.
    Definition(String),
}

/// Where an identity came from, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentitySource {
    PropertyTestId,
    PropertyTestKey,
    AllureTms,
    AllureLabel,
    /// A Robot Framework, Cucumber or Behave tag that is a Test key.
    Tag,
    NameKey,
    MappingFile,
    Definition,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_key_parse() {
        assert!(IssueKey::parse("CALC-123").is_some());
        assert!(IssueKey::parse("A1_B-9").is_some());
        for bad in [
            "calc-1", "CALC-", "-1", "CALC-01", "CALC-1a", "1CALC-2", "CALC 1",
        ] {
            assert!(IssueKey::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(IssueKey::parse("CALC-7").unwrap().project(), "CALC");
    }
}
