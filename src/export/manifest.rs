//! The bundle manifest (docs/methodology.md#integrity): SHA-256 and size of every input and every output,
//! the tool version and the settings, so a third party can re-run and compare byte for byte;
//! and [`verify`], which re-checks a delivered bundle against its manifest.

use crate::model::{Case, SourceFile};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the manifest inside a bundle.
pub const MANIFEST: &str = "manifest.json";

/// One file written into the bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Path relative to the bundle folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// The manifest of a bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleManifest {
    /// Always `moneytrail`.
    pub tool: String,
    /// The version that wrote the bundle.
    pub tool_version: String,
    /// Case name from case.toml.
    pub case_name: String,
    /// SHA-256 of the input list (paths, sizes, hashes): the "input-manifest hash" in footers.
    pub input_manifest_sha256: String,
    /// Settings of the run (rules, parameters, limits), sorted by key.
    pub settings: BTreeMap<String, String>,
    /// Every input file, as hashed at ingest.
    pub inputs: Vec<SourceFile>,
    /// Every output file except the manifest itself, sorted by path.
    pub outputs: Vec<OutputFile>,
}

/// Lower-case hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// SHA-256 of the case's input list (serialised as JSON in load order); see
/// [`crate::model::input_manifest_hash`].
pub fn input_manifest_hash(case: &Case) -> String {
    crate::model::input_manifest_hash(&case.files)
}

/// Writes files into a bundle folder and records their hashes.
#[derive(Debug)]
pub struct BundleWriter {
    dir: PathBuf,
    outputs: BTreeMap<String, OutputFile>,
}

impl BundleWriter {
    /// A writer into `dir` (created if needed).
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn new(dir: &Path) -> std::io::Result<BundleWriter> {
        std::fs::create_dir_all(dir)?;
        Ok(BundleWriter { dir: dir.to_path_buf(), outputs: BTreeMap::new() })
    }

    /// Writes `bytes` to `rel` (a path this crate generated, `/`-separated) and records it.
    ///
    /// # Errors
    /// I/O errors, with the path.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        crate::progress::note(rel);
        std::fs::write(&path, bytes).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let f = OutputFile { path: rel.to_string(), size: bytes.len() as u64, sha256: sha256_hex(bytes) };
        self.outputs.insert(rel.to_string(), f);
        crate::progress::advance(1);
        Ok(())
    }

    /// Outputs written so far, sorted by path.
    pub fn outputs(&self) -> Vec<OutputFile> {
        self.outputs.values().cloned().collect()
    }

    /// Writes manifest.json and returns its SHA-256.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish(self, manifest: BundleManifest) -> std::io::Result<String> {
        self.finish_signed(manifest, None)
    }

    /// Writes manifest.json and, with a key, its signature (`manifest.json.sig`, see
    /// [`super::signing`]); returns the manifest's SHA-256.
    ///
    /// # Errors
    /// I/O errors.
    pub fn finish_signed(
        self,
        mut manifest: BundleManifest,
        key: Option<&super::signing::SecretKey>,
    ) -> std::io::Result<String> {
        manifest.outputs = self.outputs.into_values().collect();
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        json.push(b'\n');
        std::fs::write(self.dir.join(MANIFEST), &json)?;
        if let Some(k) = key {
            std::fs::write(self.dir.join(super::signing::SIGNATURE), super::signing::sign(k, &json))?;
        }
        Ok(sha256_hex(&json))
    }
}

/// What is wrong with one file of a bundle, or with the bundle as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Listed but absent.
    Missing {
        /// Path in the bundle.
        path: String,
    },
    /// Size or hash differ from the manifest.
    Changed {
        /// Path in the bundle (or in the case folder for inputs).
        path: String,
        /// Size in the manifest.
        expected_size: u64,
        /// Size found.
        size: u64,
        /// Hash in the manifest.
        expected_sha256: String,
        /// Hash found.
        sha256: String,
    },
    /// A listed path that is absolute, climbs out (`..`), or is not a plain relative path: it is
    /// not read.
    UnsafePath {
        /// The path as listed.
        path: String,
    },
    /// A listed or present entry that is not a regular file (a link, folder, device or pipe): it
    /// is not read.
    NotRegular {
        /// Path in the bundle.
        path: String,
    },
    /// A file in the folder that the manifest does not list.
    Unlisted {
        /// Path in the bundle.
        path: String,
    },
    /// The manifest lists no output at all.
    EmptyList,
    /// `--public-key` was given and the bundle has no signature.
    Unsigned,
    /// The signature does not match the manifest and the key.
    BadSignature,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing { path } => write!(f, "{path}: missing"),
            Problem::Changed { path, expected_size, size, expected_sha256, sha256 } => write!(
                f,
                "{path}: changed ({}; sha256 {sha256} instead of {expected_sha256})",
                if expected_size == size {
                    format!("same size {size} bytes, content differs")
                } else {
                    format!("{size} bytes instead of {expected_size}")
                }
            ),
            // Debug quoting: a hostile path cannot put control characters on the terminal.
            Problem::UnsafePath { path } => write!(f, "{path:?}: not a relative path inside the bundle; not read"),
            Problem::NotRegular { path } => {
                write!(f, "{path}: not a regular file (link, folder, device or pipe); not read")
            }
            Problem::Unlisted { path } => write!(f, "{path}: in the folder but not listed in the manifest"),
            Problem::EmptyList => write!(f, "{MANIFEST}: lists no files"),
            Problem::Unsigned => write!(f, "{}: missing (the bundle is not signed)", super::signing::SIGNATURE),
            Problem::BadSignature => write!(
                f,
                "{}: the signature does not match manifest.json and the public key given",
                super::signing::SIGNATURE
            ),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files checked and found identical.
    pub ok: usize,
    /// Files missing, changed, unlisted or unsafe, and signature problems.
    pub problems: Vec<Problem>,
    /// Files in the folder that the manifest does not list (each is also a
    /// [`Problem::Unlisted`]).
    pub unlisted: Vec<String>,
    /// SHA-256 of manifest.json as read.
    pub manifest_sha256: String,
    /// True when the bundle carries a signature file.
    pub signed: bool,
    /// True when a signature was checked against a public key and matched.
    pub signature_ok: bool,
}

/// Errors of [`verify`].
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// manifest.json is missing or unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// manifest.json is not a bundle manifest.
    #[error("{path}: not a moneytrail bundle manifest: {message}")]
    Format {
        /// The path.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

/// Options of [`verify_with`].
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Re-hash the input files in this case folder too.
    pub case: Option<PathBuf>,
    /// Check the signature with this key (a bundle without one then fails).
    pub public_key: Option<super::signing::PublicKey>,
}

/// Largest manifest read (a manifest of 100,000 files is about 20 MB).
const MAX_MANIFEST: u64 = 256 << 20;

/// True for a path this crate could have written: `/`-separated, relative, every part a plain
/// name (no empty part, `.`, `..`, backslash, NUL or drive prefix).
pub fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 4096
        && p.split('/').all(|part| {
            !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0']) && !part.contains(':')
        })
}

/// Opens `base/rel` for reading only when every part of the path below `base` is a real folder
/// and the last a regular file (no link followed, no device or pipe opened: a FIFO would block
/// the open and `/dev/zero` never ends).
fn open_regular(base: &Path, rel: &str) -> Result<std::fs::File, Problem> {
    let mut p = base.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        p.push(part);
        let meta = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(_) => return Err(Problem::Missing { path: rel.to_string() }),
        };
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() || (last && !meta.is_file()) || (!last && !meta.is_dir()) {
            return Err(Problem::NotRegular { path: rel.to_string() });
        }
    }
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Should the file be swapped for a link or a pipe after the check: do not follow, do not
        // wait for a writer.
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = o.open(&p).map_err(|_| Problem::NotRegular { path: rel.to_string() })?;
    match f.metadata() {
        Ok(m) if m.is_file() => Ok(f),
        _ => Err(Problem::NotRegular { path: rel.to_string() }),
    }
}

fn check(base: &Path, rel: &str, size: u64, sha: &str, r: &mut VerifyReport) {
    if !is_safe_relative(rel) {
        r.problems.push(Problem::UnsafePath { path: rel.to_string() });
        return;
    }
    let mut f = match open_regular(base, rel) {
        Ok(f) => f,
        Err(p) => {
            r.problems.push(p);
            return;
        }
    };
    // Streamed, and never more than one byte past the listed size: a listed file that grew
    // to terabytes costs no more than the manifest says.
    let mut h = Sha256::new();
    let read = std::io::copy(&mut std::io::Read::take(&mut f, size.saturating_add(1)), &mut h);
    let Ok(read) = read else {
        r.problems.push(Problem::NotRegular { path: rel.to_string() });
        return;
    };
    let found_size = if read > size { f.metadata().map(|m| m.len()).unwrap_or(read).max(read) } else { read };
    let got = format!("{:x}", h.finalize());
    if got == sha && found_size == size {
        r.ok += 1;
    } else {
        r.problems.push(Problem::Changed {
            path: rel.to_string(),
            expected_size: size,
            size: found_size,
            expected_sha256: sha.to_string(),
            sha256: if read > size { "(not hashed: larger than listed)".to_string() } else { got },
        });
    }
}

/// Every entry below `dir`, `/`-separated: regular files, and (as `NotRegular` problems)
/// anything else that is not a folder; links are not followed.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>, odd: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let rel = || {
            p.strip_prefix(root)
                .map(|r| r.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
                .unwrap_or_default()
        };
        match e.file_type() {
            Ok(t) if t.is_dir() => list_files(root, &p, out, odd),
            Ok(t) if t.is_file() => out.push(rel()),
            _ => odd.push(rel()),
        }
    }
}

/// Re-checks every output listed in `dir/manifest.json` (size and SHA-256) and, when `case` is
/// given, every input file in the case folder. See [`verify_with`].
///
/// # Errors
/// When the manifest cannot be read or parsed; file problems are in the report.
pub fn verify(dir: &Path, case: Option<&Path>) -> Result<VerifyReport, VerifyError> {
    verify_with(dir, &VerifyOptions { case: case.map(Path::to_path_buf), public_key: None })
}

/// Re-checks a bundle: every listed output must be a regular file inside the bundle with its
/// size and SHA-256 (paths that are absolute, climb out or pass through a link are not read);
/// every file in the folder must be listed (manifest.json and its signature aside); the list
/// must not be empty; with `case`, every listed input is re-hashed in the case folder under the
/// same rules; with `public_key`, manifest.json.sig must be a valid Ed25519 signature of
/// manifest.json by that key.
///
/// # Errors
/// When the manifest cannot be read or parsed; file problems are in the report.
pub fn verify_with(dir: &Path, opts: &VerifyOptions) -> Result<VerifyReport, VerifyError> {
    let mpath = dir.join(MANIFEST);
    let io = |source| VerifyError::Io { path: mpath.clone(), source };
    let meta = std::fs::symlink_metadata(&mpath).map_err(io)?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST {
        return Err(VerifyError::Format {
            path: mpath.clone(),
            message: format!("not a regular file of at most {MAX_MANIFEST} bytes"),
        });
    }
    let bytes = std::fs::read(&mpath).map_err(io)?;
    let m: BundleManifest = serde_json::from_slice(&bytes)
        .map_err(|e| VerifyError::Format { path: mpath.clone(), message: e.to_string() })?;
    let mut r = VerifyReport { manifest_sha256: sha256_hex(&bytes), ..VerifyReport::default() };
    if m.outputs.is_empty() {
        r.problems.push(Problem::EmptyList);
    }
    let sig_name = super::signing::SIGNATURE;
    for o in &m.outputs {
        if o.path == MANIFEST || o.path == sig_name {
            r.problems.push(Problem::UnsafePath { path: o.path.clone() });
            continue;
        }
        check(dir, &o.path, o.size, &o.sha256, &mut r);
    }
    if let Some(c) = &opts.case {
        for i in &m.inputs {
            check(c, &i.path, i.size, &i.sha256, &mut r);
        }
    }
    let (mut found, mut odd) = (Vec::new(), Vec::new());
    list_files(dir, dir, &mut found, &mut odd);
    found.sort();
    odd.sort();
    let listed: std::collections::BTreeSet<&str> = m.outputs.iter().map(|o| o.path.as_str()).collect();
    r.unlisted = found.into_iter().filter(|f| f != MANIFEST && f != sig_name && !listed.contains(f.as_str())).collect();
    r.problems.extend(r.unlisted.iter().map(|p| Problem::Unlisted { path: p.clone() }));
    for o in odd {
        if !r.problems.iter().any(|p| matches!(p, Problem::NotRegular { path } if *path == o)) {
            r.problems.push(Problem::NotRegular { path: o });
        }
    }
    let sig = match open_regular(dir, sig_name) {
        Ok(mut f) => {
            let mut b = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 1024), &mut b);
            Some(b)
        }
        Err(Problem::Missing { .. }) => None,
        Err(p) => {
            r.problems.push(p);
            None
        }
    };
    r.signed = sig.is_some();
    if let Some(key) = &opts.public_key {
        match &sig {
            None => r.problems.push(Problem::Unsigned),
            Some(s) if super::signing::check(key, &bytes, s) => r.signature_ok = true,
            Some(_) => r.problems.push(Problem::BadSignature),
        }
    }
    Ok(r)
}
