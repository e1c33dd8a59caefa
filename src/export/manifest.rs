//! The bundle manifest (docs/domain.md §5.2): SHA-256 and size of every input and every output,
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
        std::fs::write(&path, bytes).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let f = OutputFile { path: rel.to_string(), size: bytes.len() as u64, sha256: sha256_hex(bytes) };
        self.outputs.insert(rel.to_string(), f);
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
    pub fn finish(self, mut manifest: BundleManifest) -> std::io::Result<String> {
        manifest.outputs = self.outputs.into_values().collect();
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        json.push(b'\n');
        std::fs::write(self.dir.join(MANIFEST), &json)?;
        Ok(sha256_hex(&json))
    }
}

/// What is wrong with one file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        }
    }
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files checked and found identical.
    pub ok: usize,
    /// Files missing or changed.
    pub problems: Vec<Problem>,
    /// Files in the folder that the manifest does not list (not an error, but worth a look).
    pub unlisted: Vec<String>,
    /// SHA-256 of manifest.json as read.
    pub manifest_sha256: String,
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

fn check(base: &Path, rel: &str, size: u64, sha: &str, r: &mut VerifyReport) {
    match std::fs::read(base.join(rel)) {
        Err(_) => r.problems.push(Problem::Missing { path: rel.to_string() }),
        Ok(bytes) => {
            let got = sha256_hex(&bytes);
            if got == sha && bytes.len() as u64 == size {
                r.ok += 1;
            } else {
                r.problems.push(Problem::Changed {
                    path: rel.to_string(),
                    expected_size: size,
                    size: bytes.len() as u64,
                    expected_sha256: sha.to_string(),
                    sha256: got,
                });
            }
        }
    }
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            list_files(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

/// Re-checks every output listed in `dir/manifest.json` (size and SHA-256) and, when `case` is
/// given, every input file in the case folder.
///
/// # Errors
/// When the manifest cannot be read or parsed; file problems are in the report.
pub fn verify(dir: &Path, case: Option<&Path>) -> Result<VerifyReport, VerifyError> {
    let mpath = dir.join(MANIFEST);
    let bytes = std::fs::read(&mpath).map_err(|source| VerifyError::Io { path: mpath.clone(), source })?;
    let m: BundleManifest = serde_json::from_slice(&bytes)
        .map_err(|e| VerifyError::Format { path: mpath.clone(), message: e.to_string() })?;
    let mut r = VerifyReport { manifest_sha256: sha256_hex(&bytes), ..VerifyReport::default() };
    for o in &m.outputs {
        check(dir, &o.path, o.size, &o.sha256, &mut r);
    }
    if let Some(c) = case {
        for i in &m.inputs {
            check(c, &i.path, i.size, &i.sha256, &mut r);
        }
    }
    let mut found = Vec::new();
    list_files(dir, dir, &mut found);
    found.sort();
    let listed: std::collections::BTreeSet<&str> = m.outputs.iter().map(|o| o.path.as_str()).collect();
    r.unlisted = found.into_iter().filter(|f| f != MANIFEST && !listed.contains(f.as_str())).collect();
    Ok(r)
}
