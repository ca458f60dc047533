//! After the import: the run's Tests placed in their Test Repository folder (`XRAY_FOLDER` /
//! `--folder` / `[xray] folder`, rendered per test by the planner into `XrayPlan::folders`).
//!
//! Owns which Test each planned entry landed on and the folder requests:
//! - a Test given by key is that key (only planned under `move_keyed_tests`); a Test sent by
//!   definition is found among the execution's runs by its generic definition: Cloud's runs
//!   carry it (`unstructured`); DC's are given it by `organize` first, which reads the
//!   definitions of the runs' Tests once for this step and the Test Sets (when
//!   [`placed_by_definition`] says a folder entry needs them);
//! - Cloud GraphQL (xray-api.md §6, §7): the numeric `projectId` from `getProjectSettings`, the
//!   existing folders from `getFolder(projectId, "/")`, `createFolder(projectId, path)` for
//!   each missing folder, parent first (a folder created meanwhile by a parallel job, "already
//!   exists", counts as there), `addTestsToFolder(projectId, path, testIssueIds)` with issue
//!   ids from `getTests`, 100 a request;
//! - DC Test Repository REST (Xray DC "Test Repository - REST"): the tree from
//!   `GET …/testrepository/{project}/folders`, `POST …/folders/{parentId}` `{"name"}` for each
//!   missing folder (`-1` is the root), `PUT …/folders/{id}/tests` `{"add": [...]}`, 100 keys a
//!   request.
//!
//! A Test lives in one folder, so adding moves it; that is why Tests given by key stay where
//! they are unless `move_keyed_tests`. A failure is an error of the run (exit 4, as for Test
//! Sets) naming the folder and how many Tests it cost; the results are in.
//!
//! `resend` places the Tests of the results it sent through [`place_resent`]: the folders and
//! their Tests come from the spool's manifest (written by `upload` from the plan, the same
//! keys and definitions the bodies carry), checked as untrusted input, and are found among the
//! execution's runs the same way.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ApiError, ReportError};
use crate::model::folder::is_rendered_path;
use crate::plan::{IssueKey, Tests, XrayPlan};
use crate::settings::XraySettings;
use crate::spool::SpooledFolder;
use crate::xray::client::{Client, RunRef};
use crate::xray::upload::{ChunkStatus, XrayReceipt};

/// Places the planned Tests in their folders; counts per folder in `receipt.folders`.
pub fn place(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    plan: &XrayPlan,
    tests: Tests<'_>,
    runs: &[RunRef],
    progress: &mut dyn FnMut(&str),
) {
    if plan.folders.is_empty() {
        return;
    }
    let stale: BTreeSet<&str> = receipt.stale_keys.iter().map(|s| s.key.as_str()).collect();
    // The results of spooled chunks are not in yet: the spool's manifest names their folders
    // and `resend` places them (`place_resent`).
    let spooled: BTreeSet<usize> = receipt
        .chunks
        .iter()
        .filter(|c| c.status == ChunkStatus::Spooled)
        .filter_map(|c| plan.chunks.iter().find(|p| p.index == c.index))
        .flat_map(|c| c.tests.iter().map(|t| t.test))
        .collect();
    // Matched by definition even in an execution this run created: other jobs of its CI run
    // may have appended to it already, and their Tests are theirs to place.
    let (targets, unplaced) = by_definition(plan, tests, runs, &stale, &spooled);
    place_targets(settings, client, receipt, &targets, unplaced, progress);
}

/// After `resend` sent some spooled results: their Tests placed in the folders the spooling
/// run planned for them (`folders`, the manifest's, already narrowed to the Tests sent), each
/// found among `runs` as [`place`] finds a Test. The manifest is untrusted: a path that is not
/// a folder path as the planner writes them, or a key that is not an issue of the project, is
/// left out with a warning.
pub fn place_resent(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    folders: &BTreeMap<String, SpooledFolder>,
    runs: &[RunRef],
    progress: &mut dyn FnMut(&str),
) {
    if folders.is_empty() {
        return;
    }
    let by_definition = definitions_of(runs);
    let in_runs: BTreeSet<&str> = runs.iter().map(|r| r.test_key.as_str()).collect();
    let mut targets: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unplaced = 0usize;
    for (path, members) in folders {
        if !is_rendered_path(path) {
            let line = format!(
                "the spool names {path:?} as a repository folder, which is not a folder path; its {} Test(s) were not placed",
                members.keys.len() + members.definitions.len()
            );
            progress(&format!("Xray: warning: {line}"));
            receipt.warnings.push(line);
            continue;
        }
        let mut keys: Vec<String> = Vec::new();
        let by_key = members.keys.iter().map(|k| {
            IssueKey::parse(k)
                .filter(|k| k.project() == settings.project && in_runs.contains(k.as_str()))
                .map(|k| k.as_str().to_string())
        });
        let by_def = members
            .definitions
            .iter()
            .map(|d| by_definition.get(d.as_str()).map(|k| k.to_string()));
        gather(by_key.chain(by_def), &mut keys, &mut unplaced);
        if !keys.is_empty() {
            targets.insert(path.as_str(), keys);
        }
    }
    place_targets(settings, client, receipt, &targets, unplaced, progress);
}

/// Each Test found (its key) into `keys` once; each entry whose Test was not found counted in
/// `unplaced`.
fn gather(
    found: impl Iterator<Item = Option<String>>,
    keys: &mut Vec<String>,
    unplaced: &mut usize,
) {
    for found in found {
        match found {
            Some(k) if !keys.contains(&k) => keys.push(k),
            Some(_) => {}
            None => *unplaced += 1,
        }
    }
}

/// Creates the missing folders of `targets` and moves their Tests in; `unplaced` entries whose
/// Test was not found are reported first. Counts per folder in `receipt.folders`.
fn place_targets(
    settings: &XraySettings,
    client: &Client,
    receipt: &mut XrayReceipt,
    targets: &BTreeMap<&str, Vec<String>>,
    unplaced: usize,
    progress: &mut dyn FnMut(&str),
) {
    if unplaced > 0 {
        let line = format!(
            "{unplaced} result(s) were not placed in a repository folder: their Test is not among the runs of the execution"
        );
        progress(&format!("Xray: warning: {line}"));
        receipt.warnings.push(line);
    }
    if targets.is_empty() {
        return;
    }
    let placed = match client {
        Client::Cloud(c) => cloud::place(c, &settings.project, targets),
        Client::Dc(d) => dc::place(d, &settings.project, targets),
    };
    for (path, result) in placed {
        let n = targets.get(path.as_str()).map_or(0, Vec::len);
        match result {
            Ok(created) => {
                let made = if created.is_empty() {
                    String::new()
                } else {
                    format!(" (created {})", created.join(", "))
                };
                progress(&format!("Xray: {n} Test(s) placed in folder {path}{made}"));
                receipt.folders.insert(path, n);
            }
            Err(e) => {
                let line = format!("{n} Test(s) not placed in repository folder {path}: {e}");
                progress(&format!("Xray: error: {line}"));
                receipt.errors.push(error(&e, line));
            }
        }
    }
}

/// Folder → the Test keys to put there, and how many entries' Tests were not found.
type Targets<'p> = (BTreeMap<&'p str, Vec<String>>, usize);

/// Each entry's Test found among the runs: a Test given by key is its key, one sent by
/// definition the run whose Test has that definition.
fn by_definition<'p>(
    plan: &'p XrayPlan,
    tests: Tests<'_>,
    runs: &[RunRef],
    stale: &BTreeSet<&str>,
    spooled: &BTreeSet<usize>,
) -> Targets<'p> {
    let by_definition = definitions_of(runs);
    let in_runs: BTreeSet<&str> = runs.iter().map(|r| r.test_key.as_str()).collect();
    let mut targets: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unplaced = 0usize;
    for (path, members) in &plan.folders {
        let mut keys: Vec<String> = Vec::new();
        let found = members.iter().filter(|i| !spooled.contains(i)).map(|&i| {
            let t = tests.try_get(i)?;
            match t.key() {
                Some(k) if !stale.contains(k.as_str()) => {
                    in_runs.contains(k.as_str()).then(|| k.to_string())
                }
                // A stale key went by definition (`upload::fall_back`): its planned
                // definition, as a Test sent by definition.
                _ => by_definition
                    .get(t.definition().as_ref())
                    .map(|k| k.to_string()),
            }
        });
        gather(found, &mut keys, &mut unplaced);
        if !keys.is_empty() {
            targets.insert(path.as_str(), keys);
        }
    }
    (targets, unplaced)
}

/// Every folder path of `project`'s Test Repository, as `place` reads it (for `doctor`).
pub fn existing(client: &Client, project: &str) -> Result<Vec<String>, ApiError> {
    match client {
        Client::Cloud(c) => {
            let id = cloud::project_id(c, project)?;
            c.folder_paths(&id)
        }
        Client::Dc(d) => {
            let mut ids = BTreeMap::new();
            dc::walk(&d.repository_folders(project)?, &mut ids);
            Ok(ids.into_keys().collect())
        }
    }
}

fn error(e: &ApiError, message: String) -> ReportError {
    ReportError {
        kind: e.kind(),
        message,
        doctor_check: None,
    }
}

/// Generic definition → Test key, for the runs that carry their Test's definition.
fn definitions_of(runs: &[RunRef]) -> BTreeMap<&str, &str> {
    (runs.iter())
        .filter_map(|r| Some((r.definition.as_deref()?, r.test_key.as_str())))
        .collect()
}

/// Whether some folder entry of the plan is a Test sent by definition: found among the runs by
/// it, so DC's runs need their definitions read first (`organize`).
pub fn placed_by_definition(plan: &XrayPlan, tests: Tests<'_>) -> bool {
    (plan.folders.values())
        .flatten()
        .any(|&i| tests.try_get(i).is_some_and(|t| t.key().is_none()))
}

/// `/CI/a/b` → `["/CI", "/CI/a", "/CI/a/b"]`; the root `/` has none.
fn prefixes(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = String::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        at.push('/');
        at.push_str(seg);
        out.push(at.clone());
    }
    out
}

/// Whether an error says the folder is there already (a parallel job created it).
fn already_exists(e: &ApiError) -> bool {
    crate::xray::keys::error_text(e)
        .to_ascii_lowercase()
        .contains("already exist")
}

/// One outcome per folder: the folders created for it, or the error that stopped it.
type Placed = Vec<(String, Result<Vec<String>, ApiError>)>;

mod cloud {
    use super::*;
    use crate::xray::cloud::Cloud;

    /// The numeric project id GraphQL folder operations take (`getProjectSettings`).
    pub(super) fn project_id(c: &Cloud, project: &str) -> Result<String, ApiError> {
        c.project_settings(project)?
            .project_id
            .ok_or_else(|| ApiError::BadResponse {
                service: crate::error::Service::Xray,
                detail: format!("getProjectSettings({project}) answered no projectId"),
            })
    }

    pub(super) fn place(c: &Cloud, project: &str, targets: &BTreeMap<&str, Vec<String>>) -> Placed {
        let setup = || -> Result<(String, BTreeSet<String>), ApiError> {
            let project_id = project_id(c, project)?;
            let existing = c.folder_paths(&project_id)?.into_iter().collect();
            Ok((project_id, existing))
        };
        let (project_id, mut existing) = match setup() {
            Ok(s) => s,
            Err(e) => {
                return targets
                    .keys()
                    .map(|p| (p.to_string(), Err(e.clone())))
                    .collect();
            }
        };
        let mut out = Vec::new();
        for (path, keys) in targets {
            let result = (|| {
                let mut created = Vec::new();
                for prefix in prefixes(path) {
                    if existing.contains(&prefix) {
                        continue;
                    }
                    match c.create_folder(&project_id, &prefix) {
                        Ok(()) => created.push(prefix.clone()),
                        Err(e) if already_exists(&e) => {}
                        Err(e) => return Err(e),
                    }
                    existing.insert(prefix);
                }
                let ids: Vec<String> = crate::xray::issue_ids::cloud_ids(c, "getTests", keys)?
                    .into_values()
                    .collect();
                c.add_tests_to_folder(&project_id, path, &ids)?;
                Ok(created)
            })();
            out.push((path.to_string(), result));
        }
        out
    }
}

mod dc {
    use super::*;
    use crate::xray::server::{Dc, RepoFolder};

    pub(super) fn walk(folders: &[RepoFolder], ids: &mut BTreeMap<String, i64>) {
        for f in folders {
            ids.insert(f.test_repository_path.clone(), f.id);
            walk(&f.folders, ids);
        }
    }

    /// The id of `path` from the tree read again.
    fn reread(
        d: &Dc,
        project: &str,
        ids: &mut BTreeMap<String, i64>,
        path: &str,
    ) -> Result<i64, ApiError> {
        walk(&d.repository_folders(project)?, ids);
        ids.get(path).copied().ok_or_else(|| ApiError::BadResponse {
            service: crate::error::Service::Xray,
            detail: format!("folder {path} is not in the Test Repository after its create"),
        })
    }

    pub(super) fn place(d: &Dc, project: &str, targets: &BTreeMap<&str, Vec<String>>) -> Placed {
        let mut ids: BTreeMap<String, i64> = BTreeMap::new();
        ids.insert("/".into(), -1);
        match d.repository_folders(project) {
            Ok(tree) => walk(&tree, &mut ids),
            Err(e) => {
                return targets
                    .keys()
                    .map(|p| (p.to_string(), Err(e.clone())))
                    .collect();
            }
        }
        let mut out = Vec::new();
        for (path, keys) in targets {
            let result = (|| {
                let mut created = Vec::new();
                let mut parent = -1;
                for prefix in prefixes(path) {
                    if let Some(&id) = ids.get(&prefix) {
                        parent = id;
                        continue;
                    }
                    let name = prefix.rsplit('/').next().unwrap_or("");
                    let id = match d.create_folder(project, parent, name) {
                        Ok(Some(id)) => {
                            created.push(prefix.clone());
                            id
                        }
                        // Created, but the answer has no id: the tree read again has it.
                        Ok(None) => {
                            created.push(prefix.clone());
                            reread(d, project, &mut ids, &prefix)?
                        }
                        // Created meanwhile by a parallel job of the same CI run.
                        Err(e) if already_exists(&e) => {
                            reread(d, project, &mut ids, &prefix).map_err(|_| e)?
                        }
                        Err(e) => return Err(e),
                    };
                    ids.insert(prefix, id);
                    parent = id;
                }
                d.add_tests_to_folder(project, parent, keys)?;
                Ok(created)
            })();
            out.push((path.to_string(), result));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_list_every_folder_of_a_path_parent_first() {
        assert_eq!(prefixes("/CI/a/b"), vec!["/CI", "/CI/a", "/CI/a/b"]);
        assert!(prefixes("/").is_empty());
    }

    #[test]
    fn an_error_naming_an_existing_folder_counts_as_there() {
        let e = ApiError::Rejected {
            service: crate::error::Service::Xray,
            status: 200,
            detail: "GraphQL folder /CI: A folder with the path /CI already exists".into(),
        };
        assert!(already_exists(&e));
        let other = ApiError::Rejected {
            service: crate::error::Service::Xray,
            status: 200,
            detail: "no permission".into(),
        };
        assert!(!already_exists(&other));
    }
}
