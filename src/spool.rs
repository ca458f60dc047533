//! The spool: Xray chunks that could not be sent, kept on disk for `xray-sync resend`.
//!
//! Owns the directory layout and reading and writing it; `commands::resend` sends it. One directory per failed run, named after the run
//! marker, under `output.spool_dir`:
//!
//! ```text
//! xray-sync-run-<16 hex>/
//!   manifest.json    what to do: product, project, execution key (when known), marker label,
//!                    test plan, the failure, the chunks with their files and a `sent` flag,
//!                    and the repository folder each spooled Test goes to
//!   info.json        the multipart `info` for creating the execution (only when not created yet)
//!   chunk-0003.json  one Xray JSON import body per unsent chunk (chunk index in the name)
//! ```
//!
//! Nothing in it is a credential: the files hold what the import bodies hold (results, evidence)
//! and the error text, which the clients scrub. Auth headers are never written.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::outfile;
use crate::plan::IssueKey;
use crate::plan::xray_json::ImportDoc;
use crate::settings::{Product, XraySettings};

pub const MANIFEST: &str = "manifest.json";
pub const CREATE_INFO: &str = "info.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub product: Product,
    pub project: String,
    /// The execution the chunks go to; absent when it was never created (or not known to be).
    pub execution_key: Option<String>,
    /// The run marker label on the execution this run creates; `resend` looks for it before
    /// creating, so a create that did happen is never repeated.
    pub marker_label: String,
    /// `info.json` when the execution still has to be created.
    pub create_info_file: Option<String>,
    pub test_plan: Option<String>,
    /// Why the upload stopped (scrubbed error text).
    pub reason: String,
    pub chunks: Vec<ManifestChunk>,
    /// The steps after the import that the spooled results' Tests miss and `resend` does not do
    /// (the requirement links of a stopped run), in words: `resend` repeats this when it sends
    /// them. Spools written before `folders` existed name their folders here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_import: Vec<String>,
    /// Per repository folder path, the spooled results' Tests the run would have placed there:
    /// `resend` places those it sent. Absent in older spools.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub folders: BTreeMap<String, SpooledFolder>,
    /// The create's `info`, kept in memory until written to `create_info_file`.
    #[serde(skip)]
    create_info: Option<serde_json::Value>,
}

/// The Tests of spooled results that go to one folder, as their results name them: by key, or
/// (sent by definition) by the definition, which Xray reports back on the execution's runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpooledFolder {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestChunk {
    pub index: usize,
    pub file: String,
    pub tests: usize,
    pub sent: bool,
}

impl Manifest {
    pub fn new(
        product: Product,
        project: &str,
        execution: Option<&IssueKey>,
        marker: &str,
        create_info: Option<serde_json::Value>,
        test_plan: Option<String>,
        reason: &str,
    ) -> Manifest {
        Manifest {
            version: VERSION,
            product,
            project: project.to_string(),
            execution_key: execution.map(|k| k.as_str().to_string()),
            marker_label: marker.to_string(),
            // Once the execution exists, creating is never needed again.
            create_info_file: None,
            test_plan,
            reason: reason.to_string(),
            chunks: Vec::new(),
            after_import: Vec::new(),
            folders: BTreeMap::new(),
            create_info: if execution.is_some() {
                None
            } else {
                create_info
            },
        }
    }
}

/// Writes `chunks` (chunk index, import body) into a new directory under `root`; returns it.
pub fn write(
    root: &Path,
    manifest: Manifest,
    chunks: &[(usize, ImportDoc)],
) -> anyhow::Result<PathBuf> {
    write_each(root, manifest, &mut chunks.iter().cloned())
}

/// [`write`], taking each body from `chunks` only when it is written (and dropping it after),
/// so spooling many chunks holds one body at a time.
pub fn write_each(
    root: &Path,
    mut manifest: Manifest,
    chunks: &mut dyn Iterator<Item = (usize, ImportDoc)>,
) -> anyhow::Result<PathBuf> {
    check_marker(&manifest.marker_label)?;
    let dir = fresh_dir(root, &manifest.marker_label)?;
    for (index, doc) in chunks {
        let file = format!("chunk-{index:04}.json");
        write_json(&dir.join(&file), &doc)?;
        manifest.chunks.push(ManifestChunk {
            index,
            file,
            tests: doc.tests.len(),
            sent: false,
        });
    }
    if let Some(info) = manifest.create_info.take() {
        write_json(&dir.join(CREATE_INFO), &info)?;
        manifest.create_info_file = Some(CREATE_INFO.to_string());
    }
    // The manifest last: a directory without one was never complete.
    write_json(&dir.join(MANIFEST), &manifest)?;
    Ok(dir)
}

/// A new directory under `root` named after the marker: invocations of one CI run share their
/// marker (the execution identity), so a later one gets `<marker>-2`, `-3`, … instead of
/// overwriting an earlier one's unsent chunks.
fn fresh_dir(root: &Path, marker: &str) -> anyhow::Result<PathBuf> {
    // Owner-only, and never through a symlink planted where the spool goes.
    outfile::create_private_dir(root)
        .with_context(|| format!("creating spool directory {}", root.display()))?;
    for n in 1..=1000 {
        let name = if n == 1 {
            marker.to_string()
        } else {
            format!("{marker}-{n}")
        };
        let dir = root.join(name);
        match outfile::create_new_private_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("creating spool directory {}", dir.display()));
            }
        }
    }
    bail!(
        "{}: 1000 spool directories for {marker} already",
        root.display()
    )
}

pub(crate) fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let bytes = crate::pretty_json::to_vec(value)
        .with_context(|| format!("serializing {}", path.display()))?;
    outfile::write(path, &bytes, outfile::PRIVATE_MODE)
        .with_context(|| format!("writing {}", path.display()))
}

/// Reads a file of the spool: a regular file, not a symlink.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let mut bytes = Vec::new();
    outfile::open_regular_nofollow(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// `dir`/`name`, where `name` comes from a manifest: only a plain file name in the spool
/// directory itself is accepted (no `..`, no separators, not absolute), so a manifest cannot
/// make `resend` read files elsewhere.
pub(crate) fn spool_file(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(n)), None) if n == name && !name.contains(['/', '\\']) => {
            Ok(dir.join(name))
        }
        _ => bail!(
            "{} names the file {name:?}, which is not a file inside the spool directory; refusing to read it",
            dir.join(MANIFEST).display()
        ),
    }
}

/// A spooled chunk as `resend` may send it: the execution it goes to is decided by `resend`
/// (a `testExecutionKey` in the file is dropped), and the project it names, for the execution
/// and for Tests created by definition, must be the settings' project.
pub(crate) fn checked_doc(
    mut doc: ImportDoc,
    path: &Path,
    settings: &XraySettings,
) -> anyhow::Result<ImportDoc> {
    doc.test_execution_key = None;
    if let Some(info) = &doc.info {
        if info.project != settings.project {
            bail!(
                "{}: info.project {:?} is not the settings' project {}",
                path.display(),
                info.project,
                settings.project
            );
        }
        if let Some(plan) = &info.test_plan_key {
            in_project(plan, &settings.project, "info.testPlanKey", path)?;
        }
    }
    if let Some(other) = doc
        .tests
        .iter()
        .filter_map(|t| t.test_info.as_ref())
        .find(|i| i.project_key != settings.project)
    {
        bail!(
            "{}: a test names project {:?}, not the settings' project {}",
            path.display(),
            other.project_key,
            settings.project
        );
    }
    Ok(doc)
}

/// `key` must be an issue of `project`.
pub(crate) fn in_project(key: &str, project: &str, what: &str, path: &Path) -> anyhow::Result<()> {
    match IssueKey::parse(key) {
        Some(k) if k.project() == project => Ok(()),
        _ => bail!(
            "{}: {what} {key:?} is not an issue of project {project}; refusing to touch it",
            path.display()
        ),
    }
}

/// The run marker form `new_marker` produces: `xray-sync-run-` and 16 lowercase hex digits.
fn check_marker(marker: &str) -> anyhow::Result<()> {
    let ok = marker.strip_prefix("xray-sync-run-").is_some_and(|h| {
        h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    });
    if !ok {
        bail!("{marker:?} is not an xray-sync run marker (xray-sync-run- and 16 hex digits)");
    }
    Ok(())
}

pub fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let m: Manifest = read_json(&dir.join(MANIFEST))?;
    if m.version != VERSION {
        bail!(
            "{} has spool version {}, this xray-sync reads version {VERSION}",
            dir.join(MANIFEST).display(),
            m.version
        );
    }
    check_marker(&m.marker_label)
        .with_context(|| format!("{}: marker_label", dir.join(MANIFEST).display()))?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::xray_json::{TestInfo, TestResult, TestType};

    #[test]
    fn write_then_read_round_trips() {
        let root = tempfile::tempdir().unwrap();
        let doc = ImportDoc {
            test_execution_key: None,
            info: None,
            tests: vec![TestResult {
                test_info: Some(TestInfo {
                    project_key: "CALC".into(),
                    summary: "s".into(),
                    test_type: TestType::Dc("Generic".into()),
                    definition: Some("a.b".into()),
                    labels: vec![],
                    requirement_keys: vec![],
                }),
                status: "PASS".into(),
                ..TestResult::default()
            }],
        };
        let m = Manifest::new(
            Product::Dc,
            "CALC",
            None,
            "xray-sync-run-0123456789abcdef",
            Some(serde_json::json!({"fields":{}})),
            None,
            "boom",
        );
        let dir = write(root.path(), m, &[(3, doc.clone())]).unwrap();
        let back = read_manifest(&dir).unwrap();
        assert_eq!(back.chunks[0].file, "chunk-0003.json");
        assert_eq!(back.create_info_file.as_deref(), Some("info.json"));
        let read: ImportDoc = read_json(&dir.join("chunk-0003.json")).unwrap();
        assert_eq!(read, doc);
    }
}
