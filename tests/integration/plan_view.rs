//! The planner's view of the settings (`Settings::planning`): no URL and no credential is in it,
//! and planning through it is what `plan::build` does (issue 17: the planner takes a
//! credential-free view).

use crate::plan_support::*;
use xray_sync::plan;

#[test]
fn the_planning_view_holds_no_url_or_credential() {
    for settings in [cloud(), dc()] {
        let view = format!("{:?}", settings.planning());
        let mut hidden: Vec<String> = settings
            .secrets()
            .iter()
            .map(|s| s.expose().to_string())
            .collect();
        hidden.extend(settings.xray.iter().map(|x| x.url.clone()));
        hidden.extend(settings.jira.iter().map(|j| j.url.clone()));
        assert!(
            hidden.len() >= 3,
            "the fixture settings have URLs and a secret"
        );
        for h in hidden.iter().filter(|h| !h.is_empty()) {
            assert!(!view.contains(h.as_str()), "the planning view shows {h:?}");
        }
        // What the planner does need is there.
        assert!(view.contains("CALC"), "{view}");
    }
}

#[test]
fn build_is_planning_through_the_view() {
    let run = mixed_run();
    for settings in [cloud(), dc()] {
        let built = plan::build(&run, &settings).unwrap();
        let planned = plan::plan(&run, &settings.planning()).unwrap();
        assert_eq!(built, planned);
        assert!(!built.tests.is_empty());
    }
}
