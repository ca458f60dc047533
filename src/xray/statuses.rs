//! The status names a Cloud upload sends, checked against the site's before anything is sent.
//!
//! Xray Cloud records a Test Run whose status name it does not have as TO DO, without an error
//! (docs/xray-api.md §0 and §7, pitfall 1: pytest-jira-xray#30): a `[statuses]` name that
//! is wrong there (Data Center's `FAIL`, a custom status not created yet) would show every such
//! failure as TO DO and the import would still succeed. So when the names are not Cloud's
//! defaults, the site's names are read once (`getStatuses`), and each unknown one is replaced by
//! the default for its outcome, with a warning. Data Center refuses an unknown name itself (the
//! import fails and is reported), so it is not checked here; neither are the defaults, which
//! every Cloud site has.

use crate::http::Http;
use crate::settings::{Product, StatusMap, XraySettings};
use crate::xray::client::Client;

/// What the check decided: settings with the unknown names replaced (`None`: nothing to
/// change) and one warning per replaced name or for a lookup that failed.
#[derive(Default)]
pub struct Checked {
    pub settings: Option<XraySettings>,
    pub warnings: Vec<String>,
}

/// Checks `settings.statuses` against the site's status names, when they need it (above),
/// with the run's client (the key check's, when it made one; else a new one).
pub fn check(http: &Http, client: Option<&Client>, settings: &XraySettings) -> Checked {
    let defaults = StatusMap::defaults(Product::Cloud);
    if settings.product != Product::Cloud || settings.statuses == defaults {
        return Checked::default();
    }
    let mut own = None;
    let client = Client::given_or_new(client, &mut own, http, settings);
    let Client::Cloud(cloud) = client else {
        return Checked::default();
    };
    let known = match cloud.statuses() {
        Ok(names) => names,
        Err(e) => {
            return Checked {
                settings: None,
                warnings: vec![format!(
                    "the Xray status names could not be read ({e}), so [statuses] was not checked: Xray Cloud records a run whose status it does not have as TO DO"
                )],
            };
        }
    };
    let mut fixed = settings.clone();
    let mut warnings = Vec::new();
    let s = &mut fixed.statuses;
    for (outcome, name, default) in [
        ("passed", &mut s.passed, defaults.passed),
        ("failed", &mut s.failed, defaults.failed),
        ("error", &mut s.error, defaults.error),
        ("skipped", &mut s.skipped, defaults.skipped),
        ("flaky", &mut s.flaky, defaults.flaky),
    ] {
        if known.iter().any(|k| k == name) {
            continue;
        }
        warnings.push(format!(
            "status '{name}' (for {outcome}) is not an Xray status of this site, which would record those runs as TO DO: sent as '{default}' instead (fix [statuses] in xray-sync.toml or create the status; doctor checks it)"
        ));
        *name = default;
    }
    Checked {
        settings: (!warnings.is_empty()).then_some(fixed),
        warnings,
    }
}
