//! Which credential settings belong together: the one table of credential sets that the
//! resolver (`resolve/jira.rs`, `dc_auth`) and doctor's settings check both read, so the rule
//! "one complete set per service, none half given" is written once.

use crate::cli::env;
use crate::settings::Product;

/// Which side a credential set (or a problem with it) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Xray,
    Jira,
    Both,
}

/// How a set signs in; the resolver turns the one given set into `XrayAuth` / `JiraAuth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    XrayCloudKey,
    JiraCloudToken,
    JiraCloudOAuth,
    DcPat,
    DcBasic,
}

/// Variables that only work together.
#[derive(Debug)]
pub struct CredentialSet {
    pub scheme: Scheme,
    pub side: Side,
    pub name: &'static str,
    pub product: Product,
    pub vars: &'static [&'static str],
}

impl CredentialSet {
    /// The set's variables as messages name them: `JIRA_EMAIL/JIRA_API_TOKEN`.
    pub fn joined(&self) -> String {
        self.vars.join("/")
    }
}

/// Every credential set, Xray's first, then Jira's in the order the resolver prefers them
/// (the Data Center sets serve Xray DC too).
pub const CREDENTIAL_SETS: &[CredentialSet] = &[
    CredentialSet {
        scheme: Scheme::XrayCloudKey,
        side: Side::Xray,
        name: "Xray Cloud API key",
        product: Product::Cloud,
        vars: &[env::XRAY_CLIENT_ID, env::XRAY_CLIENT_SECRET],
    },
    CredentialSet {
        scheme: Scheme::JiraCloudToken,
        side: Side::Jira,
        name: "Jira Cloud API token",
        product: Product::Cloud,
        vars: &[env::JIRA_EMAIL, env::JIRA_API_TOKEN],
    },
    CredentialSet {
        scheme: Scheme::JiraCloudOAuth,
        side: Side::Jira,
        name: "Jira Cloud OAuth service account",
        product: Product::Cloud,
        vars: &[env::JIRA_CLIENT_ID, env::JIRA_CLIENT_SECRET],
    },
    CredentialSet {
        scheme: Scheme::DcPat,
        side: Side::Jira,
        name: "Data Center personal access token",
        product: Product::Dc,
        vars: &[env::JIRA_PAT],
    },
    CredentialSet {
        scheme: Scheme::DcBasic,
        side: Side::Jira,
        name: "Data Center username and password",
        product: Product::Dc,
        vars: &[env::JIRA_USERNAME, env::JIRA_PASSWORD],
    },
];

/// The set of a scheme.
pub fn set(scheme: Scheme) -> &'static CredentialSet {
    CREDENTIAL_SETS
        .iter()
        .find(|s| s.scheme == scheme)
        .expect("every scheme has a set")
}

/// The sets of `side` with at least one variable `given`, in table order.
pub fn touched(side: Side, given: impl Fn(&str) -> bool) -> Vec<&'static CredentialSet> {
    CREDENTIAL_SETS
        .iter()
        .filter(|s| s.side == side && s.vars.iter().any(|v| given(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_has_one_set_and_every_variable_one_set() {
        for scheme in [
            Scheme::XrayCloudKey,
            Scheme::JiraCloudToken,
            Scheme::JiraCloudOAuth,
            Scheme::DcPat,
            Scheme::DcBasic,
        ] {
            assert_eq!(set(scheme).scheme, scheme);
        }
        let mut vars: Vec<&str> = CREDENTIAL_SETS
            .iter()
            .flat_map(|s| s.vars)
            .copied()
            .collect();
        let n = vars.len();
        vars.sort();
        vars.dedup();
        assert_eq!(vars.len(), n);
    }

    #[test]
    fn touched_sets_come_in_table_order() {
        let given = |v: &str| v == env::JIRA_PAT || v == env::JIRA_API_TOKEN;
        let names: Vec<String> = touched(Side::Jira, given)
            .iter()
            .map(|s| s.joined())
            .collect();
        assert_eq!(names, ["JIRA_EMAIL/JIRA_API_TOKEN", "JIRA_PAT"]);
        assert!(touched(Side::Xray, given).is_empty());
    }
}
