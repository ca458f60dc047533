//! `--include` / `--exclude`: which mapped results are in scope, by test id, definition or tag.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::PlanError;
use crate::model::TestCase;

/// `--include` / `--exclude`: globs on the test id and the definition; `tag:GLOB` matches an
/// Allure `tag` label or an entry of the JUnit `tags` property.
pub(super) struct Scope {
    include_ids: GlobSet,
    include_tags: GlobSet,
    exclude_ids: GlobSet,
    exclude_tags: GlobSet,
    has_include: bool,
}

impl Scope {
    pub(super) fn new(include: &[String], exclude: &[String]) -> Result<Scope, PlanError> {
        let (include_ids, include_tags) = compile(include)?;
        let (exclude_ids, exclude_tags) = compile(exclude)?;
        Ok(Scope {
            include_ids,
            include_tags,
            exclude_ids,
            exclude_tags,
            has_include: !include.is_empty(),
        })
    }

    pub(super) fn allows(&self, test_id: &str, definition: &str, case: &TestCase) -> bool {
        let hits = |ids: &GlobSet, tags: &GlobSet| {
            (!ids.is_empty() && (ids.is_match(test_id) || ids.is_match(definition)))
                || (!tags.is_empty() && tags_of(case).any(|t| tags.is_match(t)))
        };
        if self.has_include && !hits(&self.include_ids, &self.include_tags) {
            return false;
        }
        !hits(&self.exclude_ids, &self.exclude_tags)
    }
}

fn tags_of(case: &TestCase) -> impl Iterator<Item = &str> {
    let labels = case
        .labels()
        .iter()
        .filter(|l| l.name == "tag")
        .map(|l| l.value.trim());
    let property = case
        .property("tags")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty());
    labels.chain(property)
}

fn compile(patterns: &[String]) -> Result<(GlobSet, GlobSet), PlanError> {
    let mut ids = GlobSetBuilder::new();
    let mut tags = GlobSetBuilder::new();
    for p in patterns {
        let (builder, pattern) = match p.strip_prefix("tag:") {
            Some(t) => (&mut tags, t),
            None => (&mut ids, p.as_str()),
        };
        let glob = Glob::new(pattern).map_err(|e| PlanError::BadScope {
            pattern: p.clone(),
            message: e.kind().to_string(),
        })?;
        builder.add(glob);
    }
    let err = |e: globset::Error| PlanError::BadScope {
        pattern: patterns.join(","),
        message: e.to_string(),
    };
    Ok((ids.build().map_err(err)?, tags.build().map_err(err)?))
}
