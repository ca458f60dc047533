//! Test identity: which Xray Test each result lands on.
//!
//! Owns the identity sources and their precedence (first match wins):
//! 1. JUnit properties `test_id`, then `test_key` (xray-junit-extensions). Xray itself lets
//!    `test_id` win; a numeric `test_id` is an issue *id*, which Xray JSON cannot carry, so it is
//!    rejected with a note and the next source is tried.
//! 2. Allure: a `tms` link (its name, or the key at the end of its URL), then a label whose name
//!    is listed in settings (default `xray`, `testKey`, `jira`), in the settings' order.
//! 3. Robot Framework, Cucumber, Behave and Playwright tags and Allure `tag` labels
//!    (`model::Label` named `tag`; a leading `@` dropped, as allure-cucumberjs keeps it), as
//!    Xray's own Robot and Cucumber imports read them (the Allure adapters of those runners
//!    write the same tags as labels, so both outputs of one run name the same Test): a tag
//!    that is an issue key of a configured project
//!    (`CALC-12`; `CALC_12` when underscore keys are enabled), or Xray's exported form
//!    `TEST_CALC-12`. Without configured projects only the `TEST_` form counts (a plain tag
//!    such as `UTF-8` could otherwise pass for a key). `REQ_…` tags name requirements and tags
//!    the feature carries (`feature-tag` labels) name the feature's issue; neither is a Test key.
//!    A `TEST_` tag wins; otherwise exactly one key tag is needed: several (a Test key next to a
//!    requirement key, as in Xray's own Robot example) cannot be told apart without Jira, so
//!    none is used and a note says why. Other tags are free text: never a rejection.
//! 4. An issue key of a configured project inside the test *name* (`CALC-123`; also `CALC_123`
//!    when underscore keys are enabled). The first occurrence wins. Off when no project is known,
//!    since `HTTP-2` or `UTF-8` would otherwise look like keys.
//! 5. The mapping file, matched against the definition: exact entries first, then globs in file
//!    order.
//! 6. Otherwise the Generic definition (`classname.name`, Allure `fullName`), which is what
//!    Xray's own JUnit import uses.
//!
//! Every key is checked with `IssueKey::parse` and, when project keys are configured, against
//! them. A rejected key is reported (see [`Rejection`]) and the next source is tried. The
//! unmapped policy is applied by `plan`, which knows about scope.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;

use crate::model::identity::{IdentitySource, IssueKey, TestIdentity};
use crate::model::{Format, TestCase};
use crate::settings::{MappingEntry, MappingSettings};

/// A result's identity and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub identity: TestIdentity,
    pub source: IdentitySource,
    pub definition: String,
}

impl Mapped {
    /// The stable test id: the key when mapped, else the definition.
    pub fn test_id(&self) -> &str {
        match &self.identity {
            TestIdentity::Key(k) => k.as_str(),
            TestIdentity::Definition(d) => d,
        }
    }
}

/// A key candidate that was found but refused, for a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub source: IdentitySource,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("mapping file entry {pattern:?}: invalid glob: {message}")]
    BadPattern { pattern: String, message: String },
}

/// The mapping rules compiled once per run: regexes, globs and exact entries.
pub struct Mapper {
    project_keys: Vec<String>,
    allure_labels: Vec<String>,
    hyphen: Option<Regex>,
    underscore: Option<Regex>,
    exact: HashMap<String, String>,
    globs: GlobSet,
    glob_keys: Vec<String>,
}

impl Mapper {
    pub fn new(settings: &MappingSettings) -> Result<Mapper, MappingError> {
        let project_keys: Vec<String> = settings
            .project_keys
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        let alternatives = project_keys
            .iter()
            .map(|p| regex::escape(p))
            .collect::<Vec<_>>()
            .join("|");
        // Boundaries by hand: `\b` treats `_` as a word character, which would hide
        // `test_CALC-12`. A key must not sit inside a longer word or number.
        let build = |sep: &str| {
            Regex::new(&format!(
                "(?:^|[^A-Za-z0-9])({alternatives}){sep}([1-9][0-9]*)(?:[^0-9]|$)"
            ))
            .ok()
        };
        let (hyphen, underscore) = if project_keys.is_empty() {
            (None, None)
        } else {
            let underscore = if settings.underscore_keys {
                build("_")
            } else {
                None
            };
            (build("-"), underscore)
        };

        let mut exact = HashMap::new();
        let mut globs = GlobSetBuilder::new();
        let mut glob_keys = Vec::new();
        for MappingEntry { pattern, key } in &settings.table {
            if is_glob(pattern) {
                let glob = GlobBuilder::new(pattern)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| MappingError::BadPattern {
                        pattern: pattern.clone(),
                        message: e.kind().to_string(),
                    })?;
                globs.add(glob);
                glob_keys.push(key.clone());
            } else {
                // The first entry for a test id wins, as for globs.
                exact.entry(pattern.clone()).or_insert_with(|| key.clone());
            }
        }
        let globs = globs.build().map_err(|e| MappingError::BadPattern {
            pattern: "(mapping file)".into(),
            message: e.to_string(),
        })?;
        Ok(Mapper {
            project_keys,
            allure_labels: settings.allure_labels.clone(),
            hyphen,
            underscore,
            exact,
            globs,
            glob_keys,
        })
    }

    /// Maps one result. Refused key candidates are pushed to `rejected`.
    pub fn map(&self, case: &TestCase, rejected: &mut Vec<Rejection>) -> Mapped {
        let definition = case.definition();
        let found = self.find_key(case, &definition, rejected);
        match found {
            Some((key, source)) => Mapped {
                identity: TestIdentity::Key(key),
                source,
                definition,
            },
            None => Mapped {
                identity: TestIdentity::Definition(definition.clone()),
                source: IdentitySource::Definition,
                definition,
            },
        }
    }

    fn find_key(
        &self,
        case: &TestCase,
        definition: &str,
        rejected: &mut Vec<Rejection>,
    ) -> Option<(IssueKey, IdentitySource)> {
        // Notes about tags are collected apart: `try_key` below holds `rejected`.
        let mut tag_notes = Vec::new();
        let found = self.find_key_in_order(case, definition, rejected, &mut tag_notes);
        rejected.extend(tag_notes);
        found
    }

    fn find_key_in_order(
        &self,
        case: &TestCase,
        definition: &str,
        rejected: &mut Vec<Rejection>,
        tag_notes: &mut Vec<Rejection>,
    ) -> Option<(IssueKey, IdentitySource)> {
        let mut try_key =
            |raw: &str, source: IdentitySource| -> Option<(IssueKey, IdentitySource)> {
                match self.accept(raw) {
                    Ok(key) => Some((key, source)),
                    Err(reason) => {
                        rejected.push(Rejection {
                            source,
                            value: raw.to_string(),
                            reason,
                        });
                        None
                    }
                }
            };

        // 1. JUnit properties.
        for (name, source) in [
            ("test_id", IdentitySource::PropertyTestId),
            ("test_key", IdentitySource::PropertyTestKey),
        ] {
            if let Some(value) = case.property(name).map(str::trim).filter(|v| !v.is_empty())
                && let Some(hit) = try_key(value, source)
            {
                return Some(hit);
            }
        }

        // 2. Allure tms links, then key labels.
        for link in case.links().iter().filter(|l| l.kind == "tms") {
            let name = link
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            let from_url = link.url.as_deref().and_then(url_last_segment);
            // The name wins; the URL's last segment is the fallback when the name is prose.
            let candidate = match (name, from_url) {
                (Some(n), _) if IssueKey::parse(n).is_some() => Some(n),
                (_, Some(u)) if IssueKey::parse(u).is_some() => Some(u),
                (n, u) => n.or(u),
            };
            if let Some(c) = candidate
                && let Some(hit) = try_key(c, IdentitySource::AllureTms)
            {
                return Some(hit);
            }
        }
        for wanted in &self.allure_labels {
            for label in case.labels().iter().filter(|l| &l.name == wanted) {
                let value = label.value.trim();
                if !value.is_empty()
                    && let Some(hit) = try_key(value, IdentitySource::AllureLabel)
                {
                    return Some(hit);
                }
            }
        }

        // 3. Tags of the formats whose tags Xray reads as Test keys.
        if let Some(key) = self.key_in_tags(case, tag_notes) {
            return Some((key, IdentitySource::Tag));
        }

        // 4. A key of a configured project in the name. These are found by the project pattern,
        // so they are valid by construction; no rejection is possible.
        if let Some(key) = self.key_in_name(&case.name) {
            return Some((key, IdentitySource::NameKey));
        }

        // 5. The mapping file.
        if let Some(raw) = self.table_key(definition)
            && let Some(hit) = try_key(raw, IdentitySource::MappingFile)
        {
            return Some(hit);
        }
        None
    }

    fn key_in_name(&self, name: &str) -> Option<IssueKey> {
        // Cheap substring test first: nearly no name contains a project key, and the regex
        // with captures costs far more than `contains` on 200,000 names.
        if !self.project_keys.iter().any(|p| name.contains(p.as_str())) {
            return None;
        }
        let hyphen = self.hyphen.as_ref().and_then(|re| re.captures(name));
        let underscore = self.underscore.as_ref().and_then(|re| re.captures(name));
        // Whichever occurs first in the name.
        let caps = match (hyphen, underscore) {
            (Some(h), Some(u)) => {
                if u.get(1)?.start() < h.get(1)?.start() {
                    u
                } else {
                    h
                }
            }
            (Some(h), None) => h,
            (None, Some(u)) => u,
            (None, None) => return None,
        };
        IssueKey::parse(&format!(
            "{}-{}",
            caps.get(1)?.as_str(),
            caps.get(2)?.as_str()
        ))
    }

    fn key_in_tags(&self, case: &TestCase, rejected: &mut Vec<Rejection>) -> Option<IssueKey> {
        let format = case.attempts.first()?.source.format;
        if !matches!(
            format,
            Format::Robot
                | Format::Cucumber
                | Format::Behave
                | Format::Playwright
                | Format::Allure2
                | Format::Allure1
        ) {
            return None;
        }
        let labels = case.labels();
        let on_feature = |value: &str| {
            labels
                .iter()
                .any(|l| l.name == "feature-tag" && l.value == value)
        };
        let mut explicit: Vec<IssueKey> = Vec::new();
        let mut plain: Vec<IssueKey> = Vec::new();
        for l in labels
            .iter()
            .filter(|l| l.name == "tag" && !on_feature(&l.value))
        {
            if let Some((key, is_explicit)) = self.tag_key(l.value.trim()) {
                let list = if is_explicit {
                    &mut explicit
                } else {
                    &mut plain
                };
                if !list.contains(&key) {
                    list.push(key);
                }
            }
        }
        // `TEST_` says which tag is the Test; the first such tag wins.
        if let Some(key) = explicit.into_iter().next() {
            return Some(key);
        }
        match plain.len() {
            0 => None,
            1 => plain.pop(),
            // Xray's own import tells a Test key from a requirement key by asking Jira; the
            // plan cannot, so it maps to neither rather than to the wrong one.
            _ => {
                rejected.push(Rejection {
                    source: IdentitySource::Tag,
                    value: plain
                        .iter()
                        .map(IssueKey::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    reason: "several tags are issue keys and which one is the Test cannot be \
                             told without Jira; tag the Test as TEST_<key> or use the mapping file"
                        .into(),
                });
                None
            }
        }
    }

    /// The key a tag names, if any (the rule in the module doc, step 3), and whether it is in
    /// the explicit `TEST_` form.
    fn tag_key(&self, tag: &str) -> Option<(IssueKey, bool)> {
        let tag = tag.strip_prefix('@').unwrap_or(tag);
        let (explicit, raw) = match tag
            .strip_prefix("TEST_")
            .or_else(|| tag.strip_prefix("TEST-"))
        {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        if !explicit && self.project_keys.is_empty() {
            return None;
        }
        let mut key = IssueKey::parse(raw);
        // `CALC_12`: Xray's own export writes keys with an underscore too.
        if key.is_none()
            && (explicit || self.underscore.is_some())
            && let Some((project, number)) = raw.rsplit_once('_')
        {
            key = IssueKey::parse(&format!("{project}-{number}"));
        }
        let key = key?;
        (self.project_keys.is_empty() || self.project_keys.iter().any(|p| p == key.project()))
            .then_some((key, explicit))
    }

    fn table_key(&self, definition: &str) -> Option<&str> {
        if let Some(key) = self.exact.get(definition) {
            return Some(key);
        }
        // `matches` returns indexes in ascending order: the first is the earliest in the file.
        let first = self.globs.matches(definition).into_iter().next()?;
        self.glob_keys.get(first).map(String::as_str)
    }

    /// Parses and checks a key candidate against the configured projects.
    pub fn accept(&self, raw: &str) -> Result<IssueKey, String> {
        let raw = raw.trim();
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err("is an issue id; Xray JSON needs an issue key such as CALC-123".into());
        }
        let key = IssueKey::parse(raw).ok_or_else(|| "is not an issue key".to_string())?;
        if !self.project_keys.is_empty() && !self.project_keys.iter().any(|p| p == key.project()) {
            return Err(format!(
                "is not in the configured project(s) {}",
                self.project_keys.join(", ")
            ));
        }
        Ok(key)
    }
}

/// True when a mapping-file pattern uses glob syntax (otherwise it is an exact test id).
fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// `https://jira/browse/CALC-12?x#y` → `CALC-12`; also after a `:`, as allure-cucumberjs
/// builds the URL from the whole tag when its pattern keeps the prefix
/// (`https://jira/browse/@allure.tms:CALC-12`, fixtures/generated-allure-cucumberjs/).
fn url_last_segment(url: &str) -> Option<&str> {
    let url = url.split(['?', '#']).next()?;
    url.trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attempt, Format, Label, Link, Outcome, Property, SourceRef};
    use crate::settings::UnmappedPolicy;

    fn settings(projects: &[&str]) -> MappingSettings {
        MappingSettings {
            project_keys: projects.iter().map(|p| p.to_string()).collect(),
            allure_labels: vec!["xray".into(), "testKey".into(), "jira".into()],
            underscore_keys: false,
            table: vec![],
            unmapped: UnmappedPolicy::Create,
            iterations: Default::default(),
        }
    }

    fn case(class: &str, name: &str) -> TestCase {
        TestCase::new(
            vec![],
            Some(class.into()),
            name.into(),
            Attempt {
                outcome: Outcome::Passed,
                duration_secs: None,
                started_at: None,
                system_out: None,
                system_err: None,
                source: SourceRef {
                    path: std::path::Path::new("r.xml").into(),
                    format: Format::Junit,
                    line: None,
                },
            },
        )
    }

    fn prop(name: &str, value: &str) -> Property {
        Property {
            name: name.into(),
            value: value.into(),
            items: vec![],
        }
    }

    fn map(m: &Mapper, c: &TestCase) -> (Mapped, Vec<Rejection>) {
        let mut rejected = vec![];
        let mapped = m.map(c, &mut rejected);
        (mapped, rejected)
    }

    fn key_of(m: &Mapped) -> Option<&str> {
        match &m.identity {
            TestIdentity::Key(k) => Some(k.as_str()),
            TestIdentity::Definition(_) => None,
        }
    }

    #[test]
    fn property_test_key() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let mut c = case("a.B", "t");
        c.extras_mut().properties.push(prop("test_key", "CALC-5"));
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-5"));
        assert_eq!(mapped.source, IdentitySource::PropertyTestKey);
    }

    #[test]
    fn property_test_id_wins_over_test_key_and_numeric_id_is_rejected() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let mut c = case("a.B", "t");
        c.extras_mut().properties.push(prop("test_key", "CALC-5"));
        c.extras_mut().properties.push(prop("test_id", "CALC-6"));
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-6"));
        assert_eq!(mapped.source, IdentitySource::PropertyTestId);

        let mut c = case("a.B", "t");
        c.extras_mut().properties.push(prop("test_id", "10234"));
        c.extras_mut().properties.push(prop("test_key", "CALC-5"));
        let (mapped, rejected) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-5"));
        assert_eq!(rejected.len(), 1);
        assert!(rejected[0].reason.contains("issue id"));
    }

    #[test]
    fn allure_tms_link_name_then_url() {
        let m = Mapper::new(&settings(&[])).unwrap();
        let mut c = case("a.B", "t");
        c.extras_mut().links.push(Link {
            kind: "tms".into(),
            name: Some("CALC-7".into()),
            url: Some("https://jira/browse/OTHER-1".into()),
        });
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-7"));
        assert_eq!(mapped.source, IdentitySource::AllureTms);

        let mut c = case("a.B", "t");
        c.extras_mut().links.push(Link {
            kind: "tms".into(),
            name: Some("Login test case".into()),
            url: Some("https://jira.acme/browse/CALC-8/?focus=1".into()),
        });
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-8"));

        // allure-cucumberjs 3 with the tag prefix kept in the URL.
        let mut c = case("a.B", "t");
        c.extras_mut().links.push(Link {
            kind: "tms".into(),
            name: Some("@allure.tms:CALC-9".into()),
            url: Some("https://jira.example.com/browse/@allure.tms:CALC-9".into()),
        });
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-9"));
    }

    /// allure-cucumberjs, allure-behave and allure-robotframework write the runner's tags as
    /// `tag` labels: they map as the runner's own output does (`@` dropped).
    #[test]
    fn allure_tag_labels_are_test_keys_like_native_tags() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let c = tagged(Format::Allure2, &["@smoke", "@CALC-103"], &[]);
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-103"));
        let c = tagged(Format::Allure2, &["@CALC-5", "@TEST_CALC-105"], &[]);
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-105"));
    }

    #[test]
    fn allure_label_in_settings_order() {
        let m = Mapper::new(&settings(&[])).unwrap();
        let mut c = case("a.B", "t");
        c.extras_mut().labels.push(Label {
            name: "jira".into(),
            value: "CALC-2".into(),
        });
        c.extras_mut().labels.push(Label {
            name: "xray".into(),
            value: "CALC-1".into(),
        });
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-1"));
        assert_eq!(mapped.source, IdentitySource::AllureLabel);
    }

    #[test]
    fn key_in_name_only_for_configured_projects() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let (mapped, _) = map(&m, &case("a.B", "CALC-123 adds numbers"));
        assert_eq!(key_of(&mapped), Some("CALC-123"));
        assert_eq!(mapped.source, IdentitySource::NameKey);
        let (mapped, _) = map(&m, &case("a.B", "test_CALC-9_login"));
        assert_eq!(key_of(&mapped), Some("CALC-9"));
        // Inside a longer word, other projects, and underscores (off by default) do not count.
        for name in ["XCALC-1", "WEB-2 login", "test_CALC_3", "CALC-0 zero"] {
            let (mapped, _) = map(&m, &case("a.B", name));
            assert_eq!(key_of(&mapped), None, "{name}");
        }
        let none = Mapper::new(&settings(&[])).unwrap();
        let (mapped, _) = map(&none, &case("a.B", "HTTP-2 upgrade"));
        assert_eq!(mapped.source, IdentitySource::Definition);
    }

    #[test]
    fn underscore_keys_when_enabled() {
        let mut s = settings(&["CALC"]);
        s.underscore_keys = true;
        let m = Mapper::new(&s).unwrap();
        let (mapped, _) = map(&m, &case("a.B", "test_CALC_31_login"));
        assert_eq!(key_of(&mapped), Some("CALC-31"));
        let (mapped, _) = map(&m, &case("a.B", "CALC_4 then CALC-5"));
        assert_eq!(key_of(&mapped), Some("CALC-4"), "first occurrence wins");
    }

    #[test]
    fn mapping_file_exact_before_glob_and_globs_in_order() {
        let mut s = settings(&["CALC"]);
        s.table = vec![
            MappingEntry {
                pattern: "com.acme.*".into(),
                key: "CALC-1".into(),
            },
            MappingEntry {
                pattern: "com.acme.Login*".into(),
                key: "CALC-2".into(),
            },
            MappingEntry {
                pattern: "com.acme.LoginTest.exact".into(),
                key: "CALC-3".into(),
            },
        ];
        let m = Mapper::new(&s).unwrap();
        let (mapped, _) = map(&m, &case("com.acme.LoginTest", "exact"));
        assert_eq!(key_of(&mapped), Some("CALC-3"));
        assert_eq!(mapped.source, IdentitySource::MappingFile);
        let (mapped, _) = map(&m, &case("com.acme.LoginTest", "other"));
        assert_eq!(key_of(&mapped), Some("CALC-1"));
        let (mapped, _) = map(&m, &case("org.x.Y", "z"));
        assert_eq!(
            mapped.identity,
            TestIdentity::Definition("org.x.Y.z".into())
        );
    }

    #[test]
    fn precedence_property_over_allure_over_name_over_file() {
        let mut s = settings(&["CALC"]);
        s.table = vec![MappingEntry {
            pattern: "*".into(),
            key: "CALC-4".into(),
        }];
        let m = Mapper::new(&s).unwrap();
        let mut c = case("a.B", "CALC-3 name");
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-3"));
        c.extras_mut().labels.push(Label {
            name: "xray".into(),
            value: "CALC-2".into(),
        });
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-2"));
        c.extras_mut().properties.push(prop("test_key", "CALC-1"));
        let (mapped, _) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-1"));
        let (mapped, _) = map(&m, &case("a.B", "plain"));
        assert_eq!(key_of(&mapped), Some("CALC-4"));
    }

    #[test]
    fn keys_of_other_projects_are_rejected_and_fall_through() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let mut c = case("a.B", "t");
        c.extras_mut().properties.push(prop("test_key", "WEB-1"));
        let (mapped, rejected) = map(&m, &c);
        assert_eq!(mapped.identity, TestIdentity::Definition("a.B.t".into()));
        assert_eq!(rejected[0].source, IdentitySource::PropertyTestKey);
        assert!(rejected[0].reason.contains("CALC"));
        let mut c = case("a.B", "t");
        c.extras_mut().properties.push(prop("test_key", "calc-1"));
        let (_, rejected) = map(&m, &c);
        assert_eq!(rejected[0].reason, "is not an issue key");
    }

    fn tagged(format: Format, tags: &[&str], feature_tags: &[&str]) -> TestCase {
        let mut c = case("Suite", "t");
        c.attempts[0].source.format = format;
        for t in tags {
            c.extras_mut().labels.push(Label {
                name: "tag".into(),
                value: t.to_string(),
            });
        }
        for t in feature_tags {
            c.extras_mut().labels.push(Label {
                name: "feature-tag".into(),
                value: t.to_string(),
            });
        }
        c
    }

    #[test]
    fn tags_that_are_test_keys() {
        let m = Mapper::new(&settings(&["CALC"])).unwrap();
        let c = tagged(Format::Robot, &["smoke", "WEB-1", "CALC-12"], &[]);
        let (mapped, rejected) = map(&m, &c);
        assert_eq!(key_of(&mapped), Some("CALC-12"));
        assert_eq!(mapped.source, IdentitySource::Tag);
        assert!(rejected.is_empty(), "tags are free text: {rejected:?}");
        // Two key tags (a Test and a requirement?): neither, with a note; TEST_ decides.
        let c = tagged(Format::Robot, &["CALC-1", "CALC-3"], &[]);
        let (mapped, rejected) = map(&m, &c);
        assert_eq!(mapped.source, IdentitySource::Definition);
        assert_eq!(rejected[0].value, "CALC-1, CALC-3");
        let c = tagged(Format::Robot, &["CALC-1", "TEST_CALC-3"], &[]);
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-3"));
        let c = tagged(
            Format::Cucumber,
            &["REQ_CALC-1", "CALC-2", "CALC-14"],
            &["CALC-2"],
        );
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-14"));
        // Xray's export form, requirement tags and feature tags.
        let c = tagged(
            Format::Cucumber,
            &["REQ_CALC-1", "CALC-2", "TEST_CALC-13"],
            &["CALC-2"],
        );
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-13"));
        let c = tagged(
            Format::Cucumber,
            &["REQ_CALC-1", "CALC-2", "CALC-14"],
            &["CALC-2"],
        );
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-14"));
        let c = tagged(Format::Behave, &["TEST_CALC_8887"], &[]);
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-8887"));
        let c = tagged(Format::Playwright, &["smoke", "CALC-15"], &[]);
        assert_eq!(key_of(&map(&m, &c).0), Some("CALC-15"));
        // Only these formats; JUnit and TestNG tags are not Test keys.
        let c = tagged(Format::Testng, &["CALC-12"], &[]);
        assert_eq!(map(&m, &c).0.source, IdentitySource::Definition);
        // Without projects only the explicit form counts.
        let none = Mapper::new(&settings(&[])).unwrap();
        let c = tagged(Format::Robot, &["UTF-8", "TEST_CALC-3"], &[]);
        assert_eq!(key_of(&map(&none, &c).0), Some("CALC-3"));
        let c = tagged(Format::Robot, &["UTF-8"], &[]);
        assert_eq!(map(&none, &c).0.source, IdentitySource::Definition);
    }

    #[test]
    fn bad_glob_is_an_error_naming_it() {
        let mut s = settings(&[]);
        s.table = vec![MappingEntry {
            pattern: "a[".into(),
            key: "CALC-1".into(),
        }];
        let err = Mapper::new(&s).err().unwrap();
        assert!(err.to_string().contains("a["));
    }
}
