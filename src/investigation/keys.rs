//! The case keys: the passphrase that keys the pseudonyms of protected persons and seals the
//! court bundle's identity mapping (docs/victims.md). It is read from a file or the environment,
//! never from the command line, where other users and shell histories would see it.

use crate::victims::protect::{ProtectError, Protection};
use std::path::Path;

/// Environment variable holding the case passphrase.
pub const PASSPHRASE_ENV: &str = "MONEYTRAIL_SEAL_PASSPHRASE";

/// Errors reading the case keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The passphrase file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The passphrase was rejected or the key could not be derived.
    #[error(transparent)]
    Protect(#[from] ProtectError),
}

/// The case passphrase: the first line of `file` when given, else [`PASSPHRASE_ENV`] when set
/// and not empty.
///
/// # Errors
/// [`KeyError::Read`] when `file` cannot be read.
pub fn passphrase(file: Option<&Path>) -> Result<Option<String>, KeyError> {
    if let Some(f) = file {
        let s = std::fs::read_to_string(f).map_err(|e| KeyError::Read { path: f.display().to_string(), source: e })?;
        return Ok(Some(s.lines().next().unwrap_or("").to_string()));
    }
    Ok(std::env::var(PASSPHRASE_ENV).ok().filter(|s| !s.is_empty()))
}

/// The keys of the case named `case_name`, when a passphrase was given (see [`passphrase`]).
///
/// # Errors
/// The file cannot be read, or the passphrase is too short.
pub fn case_keys(file: Option<&Path>, case_name: &str) -> Result<Option<Protection>, KeyError> {
    match passphrase(file)? {
        Some(p) => Ok(Some(Protection::from_passphrase(&p, case_name)?)),
        None => Ok(None),
    }
}
