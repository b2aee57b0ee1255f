//! Directories shown inside scratch crates: a symbolic link where the
//! platform lets the tests make one, otherwise a copy, so the suite runs
//! on Windows (where making links needs a privilege) as well as on Unix.

use std::io;
use std::path::Path;

/// Makes `link` show the directory `target`: a symbolic link when one can
/// be made, otherwise a fresh copy of `target` (made again on every call,
/// so it is never stale). Whatever was at `link` before is replaced.
pub fn link_dir(target: &Path, link: &Path) {
    if std::fs::read_link(link).is_ok_and(|current| current == target) {
        return;
    }
    remove_link_or_copy(link);
    if symlink_dir(target, link).is_err() {
        copy_dir(target, link).unwrap_or_else(|e| panic!("copy {} to {}: {e}", target.display(), link.display()));
    }
}

/// Removes a link or an earlier copy at `path`, if there is one.
fn remove_link_or_copy(path: &Path) {
    let Ok(metadata) = std::fs::symlink_metadata(path) else { return };
    let removed = if metadata.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        // A Windows link to a directory is removed as a directory.
        std::fs::remove_file(path).or_else(|_| std::fs::remove_dir(path))
    };
    removed.unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

#[cfg(not(any(unix, windows)))]
fn symlink_dir(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Copies the directory `from` to `to` with everything in it, following
/// links inside it.
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let source = entry?.path();
        let destination = to.join(source.file_name().expect("a directory entry has a name"));
        if source.is_dir() {
            copy_dir(&source, &destination)?;
        } else {
            std::fs::copy(&source, &destination)?;
        }
    }
    Ok(())
}
