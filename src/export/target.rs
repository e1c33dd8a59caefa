//! The folder a bundle is written into, claimed for one run (issue 14): a lock file beside it
//! keeps a second run out, the files are written into a temporary folder beside it, and only a
//! complete bundle is renamed into place. A run that is killed leaves the previous bundle (or
//! nothing) where the bundle goes, never half of one; the next run clears what it left beside it.
//!
//! The target may be missing, an empty folder, or a bundle of the same case (replaced whole);
//! anything else is refused unless forced, and then replaced whole too: bundles are never merged.
//!
//! Beside a target `DIR` the run keeps `.DIR.moneytrail-lock` (held with `flock` for the run and
//! removed at the end), `.DIR.moneytrail-tmp` (the bundle being written) and, for the instant of
//! the swap, `.DIR.moneytrail-old` (the bundle being replaced).

use super::manifest::{BundleManifest, MANIFEST};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Why a bundle folder cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The target exists and is not a folder.
    #[error("{0} is a file, not a folder: give the folder the bundle goes into (it is created if needed)")]
    NotAFolder(PathBuf),
    /// The target is a symbolic link.
    #[error("{0} is a symbolic link: give the folder itself")]
    Link(PathBuf),
    /// The target has no name of its own (`/`, `..`).
    #[error("{0}: give a folder with a name of its own for the bundle")]
    NoName(PathBuf),
    /// The target holds files that are not a moneytrail bundle.
    #[error(
        "{0} is not empty and is not a moneytrail bundle: give a new or empty folder, or --force to replace \
         everything in it with the bundle"
    )]
    NotEmpty(PathBuf),
    /// The target is the bundle of another case.
    #[error(
        "{path} holds the bundle of case '{found}', not of '{case}': give another folder, or --force to replace it"
    )]
    OtherCase {
        /// The folder.
        path: PathBuf,
        /// The case of the bundle found there.
        found: String,
        /// The case being written.
        case: String,
    },
    /// Another run holds the lock.
    #[error(
        "another moneytrail run is writing {0} (lock {1} is held): wait for it to finish, or write to another folder"
    )]
    Busy(PathBuf, PathBuf),
    /// A file system operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> TargetError {
    let path = path.to_path_buf();
    move |source| TargetError::Io { what, path, source }
}

/// What is at the target when it is claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Existing {
    Missing,
    Empty,
    /// A bundle of this case name.
    Bundle(String),
    Other,
}

/// A bundle folder claimed for one run: files go into [`Claim::dir`]; [`Claim::commit`] puts
/// them in place. Dropping a claim without committing removes the temporary folder.
#[derive(Debug)]
pub struct Claim {
    target: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    lock_path: PathBuf,
    _lock: File,
    existing: Existing,
    force: bool,
    committed: bool,
}

fn sibling(parent: &Path, name: &std::ffi::OsStr, suffix: &str) -> PathBuf {
    let mut n = OsString::from(".");
    n.push(name);
    n.push(suffix);
    parent.join(n)
}

fn inspect(target: &Path) -> Result<Existing, TargetError> {
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(e) => return Err(io("cannot read", target)(e)),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(TargetError::Link(target.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(TargetError::NotAFolder(target.to_path_buf()));
    }
    let mut entries = std::fs::read_dir(target).map_err(io("cannot read", target))?;
    if entries.next().is_none() {
        return Ok(Existing::Empty);
    }
    let m = target.join(MANIFEST);
    let bundle = std::fs::symlink_metadata(&m)
        .ok()
        .filter(|x| x.is_file() && x.len() < 64 << 20)
        .and_then(|_| std::fs::read(&m).ok())
        .and_then(|b| serde_json::from_slice::<BundleManifest>(&b).ok())
        .filter(|b| b.tool == "moneytrail");
    Ok(bundle.map_or(Existing::Other, |b| Existing::Bundle(b.case_name)))
}

#[cfg(unix)]
fn try_lock(f: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this process owns for the lifetime of `f`.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Takes the lock file beside the target. On Unix it is an `flock`, released by the kernel when
/// the process ends however it ends; elsewhere the file's exclusive creation is the lock.
fn lock(lock_path: &Path, target: &Path) -> Result<File, TargetError> {
    let busy = || TargetError::Busy(target.to_path_buf(), lock_path.to_path_buf());
    #[cfg(unix)]
    {
        // A run that ends removes its lock file while holding it; one that opened the old file
        // just before finds, once it has the lock, that the path now names another file (or
        // none), and tries again.
        for _ in 0..8 {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(lock_path)
                .map_err(io("cannot create the lock file", lock_path))?;
            if !try_lock(&f).map_err(io("cannot lock", lock_path))? {
                return Err(busy());
            }
            if same_file(&f, lock_path) {
                return Ok(f);
            }
        }
        Err(busy())
    }
    #[cfg(not(unix))]
    {
        std::fs::OpenOptions::new().write(true).create_new(true).open(lock_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                busy()
            } else {
                io("cannot create the lock file", lock_path)(e)
            }
        })
    }
}

fn remove_dir_if_present(p: &Path) -> Result<(), TargetError> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p).map_err(io("cannot remove", p)),
        Ok(_) => std::fs::remove_file(p).map_err(io("cannot remove", p)),
        Err(_) => Ok(()),
    }
}

/// Claims `out` for a bundle: checks what is there, takes the lock and makes the temporary
/// folder. Without `force`, a folder holding anything but a moneytrail bundle is refused here,
/// before any work is done; whether a bundle found there is of the same case is checked at
/// [`Claim::commit`].
///
/// # Errors
/// [`TargetError`]: a file or link at `out`, a folder that is not empty and not a bundle, another
/// run holding the lock, or a file system error.
pub fn claim(out: &Path, force: bool) -> Result<Claim, TargetError> {
    let name = out.file_name().ok_or_else(|| TargetError::NoName(out.to_path_buf()))?.to_os_string();
    if name == "." || name == ".." {
        return Err(TargetError::NoName(out.to_path_buf()));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Refuse a file or link before creating anything.
    inspect(out)?;
    std::fs::create_dir_all(&parent).map_err(io("cannot create", &parent))?;
    let parent = parent.canonicalize().map_err(io("cannot resolve", &parent))?;
    let target = parent.join(&name);
    let lock_path = sibling(&parent, &name, ".moneytrail-lock");
    let lock = lock(&lock_path, out)?;
    let tmp = sibling(&parent, &name, ".moneytrail-tmp");
    let old = sibling(&parent, &name, ".moneytrail-old");
    // From here the claim exists, so an error drops it: the lock file goes, the target stays.
    let mut claim =
        Claim { target, tmp, old, lock_path, _lock: lock, existing: Existing::Missing, force, committed: false };
    // Under the lock, clear what a killed run left beside the target.
    remove_dir_if_present(&claim.tmp)?;
    if std::fs::symlink_metadata(&claim.old).is_ok() {
        if std::fs::symlink_metadata(&claim.target).is_err() {
            // Killed between the two renames of a swap: the old bundle is the last complete one.
            std::fs::rename(&claim.old, &claim.target).map_err(io("cannot restore", &claim.old))?;
        } else {
            remove_dir_if_present(&claim.old)?;
        }
    }
    claim.existing = inspect(&claim.target)?;
    if claim.existing == Existing::Other && !force {
        return Err(TargetError::NotEmpty(out.to_path_buf()));
    }
    std::fs::create_dir(&claim.tmp).map_err(io("cannot create", &claim.tmp))?;
    Ok(claim)
}

impl Claim {
    /// The temporary folder the files are written into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The folder the bundle will be in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the bundle in place: the temporary folder is renamed to the target; a bundle already
    /// there (of the same case, or anything when forced) is moved aside first and then removed.
    ///
    /// # Errors
    /// [`TargetError::OtherCase`] when a bundle of another case is there and the claim is not
    /// forced; file system errors.
    pub fn commit(mut self, case_name: &str) -> Result<(), TargetError> {
        if let Existing::Bundle(found) = &self.existing {
            if found != case_name && !self.force {
                return Err(TargetError::OtherCase {
                    path: self.target.clone(),
                    found: found.clone(),
                    case: case_name.to_string(),
                });
            }
        }
        if self.existing != Existing::Missing {
            std::fs::rename(&self.target, &self.old).map_err(io("cannot move aside", &self.target))?;
        }
        std::fs::rename(&self.tmp, &self.target).map_err(io("cannot rename into place", &self.tmp))?;
        self.committed = true;
        remove_dir_if_present(&self.old)?;
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_dir_if_present(&self.tmp);
        }
        // Removed while still locked (the lock goes with the file handle, after this).
        let _ = std::fs::remove_file(&self.lock_path);
    }
}
