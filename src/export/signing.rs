//! Signed bundles (issue 14): an Ed25519 signature over the exact bytes of `manifest.json`,
//! written beside it as `manifest.json.sig` (the 64 raw signature bytes). The manifest holds the
//! SHA-256 of every other file, so the signature covers the whole bundle; signatures are
//! deterministic (RFC 8032), so a signed bundle stays byte-identical across runs.
//!
//! Keys are PEM: the secret key PKCS#8 (`-----BEGIN PRIVATE KEY-----`), the public key SPKI
//! (`-----BEGIN PUBLIC KEY-----`), the formats OpenSSL reads, so a reader without moneytrail can
//! check a bundle: `openssl pkeyutl -verify -pubin -inkey signing.pub.pem -rawin -in manifest.json
//! -sigfile manifest.json.sig`.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::path::{Path, PathBuf};

pub use ed25519_dalek::{SigningKey as SecretKey, VerifyingKey as PublicKey};

/// File name of the signature inside a bundle.
pub const SIGNATURE: &str = "manifest.json.sig";
/// File name of the secret key written by [`generate_pair`].
pub const SECRET_FILE: &str = "signing.key.pem";
/// File name of the public key written by [`generate_pair`].
pub const PUBLIC_FILE: &str = "signing.pub.pem";
/// Largest key file read (a PEM key is a few hundred bytes).
const MAX_KEY_FILE: u64 = 16 * 1024;

/// Errors of key files and signatures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// A key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A key file is not an Ed25519 key in PEM.
    #[error("{path}: not an Ed25519 {what} in PEM ({message})")]
    Format {
        /// The file.
        path: PathBuf,
        /// `secret key (PKCS#8)` or `public key (SPKI)`.
        what: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// A key file exists already: keys are never overwritten.
    #[error("{0} exists: a key is never overwritten; give another folder or move the old key away first")]
    Exists(PathBuf),
    /// The system random number generator failed.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

fn read_small(path: &Path) -> Result<String, SigningError> {
    let err = |source| SigningError::Io { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(err)?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        return Err(SigningError::Format {
            path: path.to_path_buf(),
            what: "key file",
            message: format!("not a regular file of at most {MAX_KEY_FILE} bytes"),
        });
    }
    std::fs::read_to_string(path).map_err(err)
}

/// Reads a secret key (PKCS#8 PEM).
///
/// # Errors
/// An unreadable file or not an Ed25519 PKCS#8 key.
pub fn read_secret(path: &Path) -> Result<SigningKey, SigningError> {
    let text = read_small(path)?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| SigningError::Format {
        path: path.to_path_buf(),
        what: "secret key (PKCS#8)",
        message: e.to_string(),
    })
}

/// Reads a public key (SPKI PEM).
///
/// # Errors
/// An unreadable file or not an Ed25519 public key.
pub fn read_public(path: &Path) -> Result<VerifyingKey, SigningError> {
    let text = read_small(path)?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| SigningError::Format {
        path: path.to_path_buf(),
        what: "public key (SPKI)",
        message: e.to_string(),
    })
}

/// Signs the bytes of a manifest.
pub fn sign(key: &SigningKey, manifest: &[u8]) -> [u8; 64] {
    key.sign(manifest).to_bytes()
}

/// Checks a signature (strict RFC 8032 verification: no malleable or small-order encodings).
pub fn check(key: &VerifyingKey, manifest: &[u8], signature: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(signature) else { return false };
    key.verify_strict(manifest, &Signature::from_bytes(&bytes)).is_ok()
}

/// Writes a new key pair into `dir` (created if needed): [`SECRET_FILE`] (readable by the owner
/// only on Unix) and [`PUBLIC_FILE`]. Returns their paths and the public key's SHA-256
/// fingerprint (hex, over the 32 key bytes).
///
/// # Errors
/// Either file exists already, the folder cannot be written, or no randomness.
pub fn generate_pair(dir: &Path) -> Result<(PathBuf, PathBuf, String), SigningError> {
    let secret_path = dir.join(SECRET_FILE);
    let public_path = dir.join(PUBLIC_FILE);
    for p in [&secret_path, &public_path] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(SigningError::Exists(p.clone()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| SigningError::Io { path: dir.to_path_buf(), source })?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SigningError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let fmt = |e: String| SigningError::Format { path: secret_path.clone(), what: "key", message: e };
    let secret_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| fmt(e.to_string()))?;
    let public_pem = key.verifying_key().to_public_key_pem(LineEnding::LF).map_err(|e| fmt(e.to_string()))?;
    write_new(&secret_path, secret_pem.as_bytes(), true)?;
    write_new(&public_path, public_pem.as_bytes(), false)?;
    Ok((secret_path, public_path, fingerprint(&key.verifying_key())))
}

/// SHA-256 of the 32 public key bytes, hex: what to read out over the phone.
pub fn fingerprint(key: &VerifyingKey) -> String {
    super::manifest::sha256_hex(key.as_bytes())
}

fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), SigningError> {
    use std::io::Write;
    let err = |source| SigningError::Io { path: path.to_path_buf(), source };
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = o.open(path).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_only_for_the_same_bytes_and_key() {
        let tmp = tempfile::tempdir().unwrap();
        let (s, p, fp) = generate_pair(tmp.path()).unwrap();
        assert_eq!(fp.len(), 64);
        let key = read_secret(&s).unwrap();
        let public = read_public(&p).unwrap();
        let sig = sign(&key, b"{\"a\": 1}\n");
        assert_eq!(sig, sign(&key, b"{\"a\": 1}\n"), "deterministic");
        assert!(check(&public, b"{\"a\": 1}\n", &sig));
        assert!(!check(&public, b"{\"a\": 2}\n", &sig));
        assert!(!check(&public, b"{\"a\": 1}\n", &sig[..63]));
        let other = tempfile::tempdir().unwrap();
        let (_, p2, _) = generate_pair(other.path()).unwrap();
        assert!(!check(&read_public(&p2).unwrap(), b"{\"a\": 1}\n", &sig));
        assert!(matches!(generate_pair(tmp.path()), Err(SigningError::Exists(_))));
        assert!(matches!(read_public(&s), Err(SigningError::Format { .. })));
    }
}
