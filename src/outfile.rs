//! Files xray-sync writes (`--report`, `--plan-json`, `--summary-md`, the spool), created
//! without following symlinks.
//!
//! Owns how an output reaches the disk. The workspace may hold links planted by the tests that
//! ran before xray-sync (`report.json -> ~/.bashrc`, a dangling `.xray-sync-spool/...`), so a
//! file is never opened by its name for writing: the bytes go to a new temporary file created
//! with `O_CREAT|O_EXCL` in the destination's directory, which is then renamed over the
//! destination. `rename` replaces a symlink at the destination instead of writing through it,
//! and a reader never sees a half-written file. Directories are created one level at a time
//! and refused when they are symlinks. Imports nothing from the crate, so every layer may use it.
//!
//! The directories on the way are checked too: a planted `out -> /elsewhere` would otherwise
//! carry `--report out/r.json` (and the rename over `/elsewhere/r.json`) out of the workspace.
//! Every level of an output's path that lies inside the workspace ([`confine_to`], set once a
//! command knows its settings; the current directory until then) must be a real directory.
//! Levels above the workspace belong to the machine (`/tmp` may be a link) and are not checked.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Mode of the outputs a user asked for (report, plan, summary): like `fs::write` under the
/// usual umask. Their contents are scrubbed of secrets.
pub const PUBLIC_MODE: u32 = 0o644;
/// Mode of spool files and directories: owner only (they hold evidence and results).
pub const PRIVATE_MODE: u32 = 0o600;
#[cfg(unix)]
const PRIVATE_DIR_MODE: u32 = 0o700;

/// The workspace outputs are confined to: its levels may not be symlinks (see the module doc).
static WORKSPACE: std::sync::RwLock<Option<PathBuf>> = std::sync::RwLock::new(None);

/// Sets the workspace whose directories outputs never pass through a symlink in. Process-wide,
/// like the stop state: one command runs per process.
pub fn confine_to(workspace: &Path) {
    let mut w = WORKSPACE.write().unwrap_or_else(|p| p.into_inner());
    *w = Some(workspace.to_path_buf());
}

/// Refuses `path` when one of its directories inside the workspace is a symlink (or not a
/// directory), naming both. Missing levels are fine (they are created by the caller or the
/// write fails on its own).
pub fn check_directories(path: &Path) -> io::Result<()> {
    let cwd = std::env::current_dir()?;
    let workspace = WORKSPACE
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let abs = lexical_absolute(&cwd, path);
    let root = lexical_absolute(&cwd, &workspace);
    let canonical_root = fs::canonicalize(&root).ok();
    let Some(root) = [Some(root), canonical_root]
        .into_iter()
        .flatten()
        .find(|r| abs.starts_with(r))
    else {
        return Ok(());
    };
    let mut level = root.clone();
    let below: Vec<_> = abs
        .strip_prefix(&root)
        .map(|rest| rest.components().collect())
        .unwrap_or_default();
    // Every directory strictly between the workspace and the file.
    for part in below.iter().take(below.len().saturating_sub(1)) {
        level.push(part);
        match fs::symlink_metadata(&level) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{}: {} is a symlink inside the workspace; refusing to write through it (a link planted there could send the file anywhere)",
                        path.display(),
                        level.display()
                    ),
                ));
            }
            Ok(m) if !m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{}: {} is not a directory", path.display(), level.display()),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `path` made absolute against `cwd`, with `.` dropped and `..` taken lexically (the levels
/// checked are then the ones the path names, never a link's target).
fn lexical_absolute(cwd: &Path, path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Writes `bytes` to `path` as a new file with `mode`, replacing whatever entry (file or
/// symlink) was there. The link's target is never opened.
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_with(path, mode, |w| w.write_all(bytes))
}

/// Like [`write`], with the content produced by `fill` (for streamed outputs).
pub fn write_with(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    check_directories(path)?;
    let dir = parent_of(path);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a directory is in the way",
        ));
    }
    // Created with O_EXCL and mode 0600 by tempfile: no existing entry is ever opened.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf)?;
        buf.flush()?;
    }
    set_mode(tmp.as_file(), mode)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `dir` (and missing parents) owner-only, refusing any existing level that is a
/// symlink or not a directory, so nothing is written through a planted link.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    // Inside the workspace no level may be a link (levels above it are the machine's).
    check_directories(&dir.join("x"))?;
    let mut built = PathBuf::new();
    for part in dir.components() {
        built.push(part);
        match fs::symlink_metadata(&built) {
            Ok(m) if m.file_type().is_symlink() && built == dir => {
                return Err(refused_link(&built));
            }
            // Links above the spool root (e.g. /tmp on some systems) are the machine's, not
            // the workspace's; only the levels this function creates or owns are checked.
            Ok(m) if m.file_type().is_symlink() => {}
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a directory", built.display()),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => make_dir(&built)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Creates `dir`, which must not exist yet, owner-only (the spool's one-run directory).
pub fn create_new_private_dir(dir: &Path) -> io::Result<()> {
    make_dir(dir)
}

/// Opens `path` for reading only when it is a regular file and not a symlink, and checks that
/// what was opened is what was checked.
pub fn open_regular_nofollow(path: &Path) -> io::Result<fs::File> {
    let before = fs::symlink_metadata(path)?;
    if before.file_type().is_symlink() {
        return Err(refused_link(path));
    }
    if !before.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    let file = fs::File::open(path)?;
    if !same_file(&before, &file.metadata()?) {
        return Err(io::Error::other(format!(
            "{} changed while it was opened",
            path.display()
        )));
    }
    Ok(file)
}

fn refused_link(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is a symlink; refusing to follow it", path.display()),
    )
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn make_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(PRIVATE_DIR_MODE).create(dir)
}

#[cfg(not(unix))]
fn make_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new().create(dir)
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn replaces_a_symlink_instead_of_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, b"keep").unwrap();
        let out = dir.path().join("out.json");
        symlink(&target, &out).unwrap();
        write(&out, b"new", PUBLIC_MODE).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"keep");
        assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&out).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o644
        );
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn directories_inside_the_workspace_may_not_be_links() {
        let ws = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        symlink(elsewhere.path(), ws.path().join("out")).unwrap();
        fs::create_dir(ws.path().join("real")).unwrap();
        confine_to(ws.path());
        let err = write(&ws.path().join("out/r.json"), b"x", PUBLIC_MODE).unwrap_err();
        assert!(
            err.to_string()
                .contains("is a symlink inside the workspace")
        );
        assert!(create_private_dir(&ws.path().join("out/spool")).is_err());
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
        write(&ws.path().join("real/r.json"), b"x", PUBLIC_MODE).unwrap();
        // Outside the workspace the machine's links are not ours to judge.
        write(&elsewhere.path().join("r.json"), b"x", PUBLIC_MODE).unwrap();
        assert_eq!(
            lexical_absolute(Path::new("/w"), Path::new("a/./b/../c")),
            Path::new("/w/a/c")
        );
    }

    #[test]
    fn private_dirs_refuse_a_final_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("spool");
        symlink(&elsewhere, &link).unwrap();
        assert!(create_private_dir(&link).is_err());
        let fresh = dir.path().join("a/b");
        create_private_dir(&fresh).unwrap();
        assert_eq!(
            fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let file = dir.path().join("f");
        fs::write(&file, b"x").unwrap();
        symlink(&file, dir.path().join("l")).unwrap();
        assert!(open_regular_nofollow(&dir.path().join("l")).is_err());
        assert!(open_regular_nofollow(&file).is_ok());
    }
}
