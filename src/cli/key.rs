//! `moneytrail key ...`: keys of a case team. `key gen --out DIR` makes the Ed25519 pair that
//! signs bundles (`investigate --sign-key`) and checks them (`verify --public-key`);
//! `key init|check|rotate CASE` manage the case's key check, `CASE/.moneytrail/key-check`: a
//! verifier derived from the case passphrase with Argon2id (never the passphrase or the key), so
//! that a mistyped passphrase is refused instead of silently giving other pseudonyms.

use super::common::KeyArgs;
use super::exit;
use super::output::{Inputs, OutKind};
use anyhow::{bail, Context, Result};
use moneytrail::export::signing;
use moneytrail::victims::protect::{case_salt, derive_master, ProtectError, Protection};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `key` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Make a bundle-signing key pair: DIR/signing.key.pem (secret, PKCS#8, owner-only) and
    /// DIR/signing.pub.pem (public, SPKI: hand it to whoever verifies). Existing keys are never
    /// overwritten.
    Gen(GenArgs),
    /// Record the case passphrase's key check in CASE/.moneytrail/key-check (an Argon2id-derived
    /// verifier, not the key): from then on a different passphrase is refused. Every command that
    /// uses the passphrase does this on first use too.
    Init(CaseKeyArgs),
    /// Check the passphrase against the case's key check (exit 0 it is the case's, 3 it is not).
    Check(CaseKeyArgs),
    /// Change the case passphrase: checks the current one, then records the new one's key check.
    /// Say what becomes of the pseudonyms: --keep-pseudonyms (bundles old and new match) or
    /// --rekey-pseudonyms (new pseudonyms from now on; see each flag's help).
    Rotate(RotateArgs),
}

/// Flags of `key gen`.
#[derive(clap::Args, Debug)]
pub struct GenArgs {
    /// The folder for the two key files (created if needed).
    #[arg(long)]
    out: PathBuf,
}

/// Flags of `key init` and `key check`.
#[derive(clap::Args, Debug)]
pub struct CaseKeyArgs {
    /// The case folder.
    case: PathBuf,
    /// A mapping file used instead of the folder's case.toml (its `name` keys the case).
    #[arg(long)]
    mapping: Option<PathBuf>,
    #[command(flatten)]
    key: KeyArgs,
}

/// Flags of `key rotate`.
#[derive(clap::Args, Debug)]
pub struct RotateArgs {
    #[command(flatten)]
    case: CaseKeyArgs,
    /// File whose first line is the new passphrase (else MONEYTRAIL_NEW_SEAL_PASSPHRASE).
    #[arg(long)]
    new_passphrase_file: Option<PathBuf>,
    /// Yes, re-key: pseudonyms are derived from the passphrase, so every protected person gets a
    /// new PP-/PA- pseudonym in bundles written from now on. Bundles written before keep the old
    /// ones (they no longer match new bundles), and the sealed mapping of an earlier court bundle
    /// still opens only with the old passphrase: keep it with the case file.
    #[arg(long, conflicts_with = "keep_pseudonyms")]
    rekey_pseudonyms: bool,
    /// Keep the pseudonyms: the case's pseudonym key is stored in the key check, encrypted
    /// (ChaCha20-Poly1305) under a key derived from the new passphrase, so bundles written from
    /// now on name protected persons as before and still match earlier bundles. The old
    /// passphrase is refused from now on; the sealed mapping of a court bundle opens with the
    /// passphrase it was written under (earlier bundles: the old one).
    #[arg(long)]
    keep_pseudonyms: bool,
}

/// Environment variable holding the new passphrase of `key rotate`.
const NEW_PASSPHRASE_ENV: &str = "MONEYTRAIL_NEW_SEAL_PASSPHRASE";
/// The key-check file inside the case folder.
pub const KEY_CHECK: &str = ".moneytrail/key-check";
/// What the verifier hashes before the Argon2id output (so it is never the key itself).
const VERIFIER_LABEL: &[u8] = b"moneytrail/v1/key-check\x1f";
/// What the key that encrypts a kept pseudonym key hashes before the Argon2id output.
const WRAP_LABEL: &[u8] = b"moneytrail/v1/pseudonym-wrap\x1f";

/// The verifier of a master key: SHA-256 of a label and the Argon2id output, hex.
fn verifier(master: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(VERIFIER_LABEL);
    h.update(master);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The Argon2id master key of `passphrase` for the case named `case_name` (at least 12
/// characters, as every command requires).
fn master(passphrase: &str, case_name: &str) -> Result<([u8; 32], [u8; 16])> {
    let p = passphrase.trim_end_matches(['\r', '\n']);
    if p.chars().count() < 12 {
        return Err(ProtectError::WeakPassphrase.into());
    }
    let salt = case_salt(case_name);
    Ok((derive_master(p.as_bytes(), &salt)?, salt))
}

/// The recorded key check of a case.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
struct KeyCheck {
    /// Format version.
    version: u32,
    /// The case name that salts the derivation.
    case: String,
    /// How the verifier was made.
    kdf: String,
    /// SHA-256 of the label and the Argon2id output (hex).
    verifier: String,
    /// A pseudonym key kept across a passphrase change (`key rotate --keep-pseudonyms`): hex of
    /// a 12-byte nonce and its ChaCha20-Poly1305 encryption under SHA-256(label || key of this
    /// passphrase), the case name as associated data. Absent: the passphrase's own pseudonyms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pseudonyms: Option<String>,
}

/// The pseudonym key `key` encrypted under the master key `master` of a passphrase, as the
/// key check's `pseudonyms` holds it.
fn wrap_pseudonyms(master: &[u8; 32], case_name: &str, key: &[u8; 32]) -> Result<String> {
    use chacha20poly1305::aead::{Aead, Payload};
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no random nonce: {e}"))?;
    let ct = wrap_cipher(master)
        .encrypt(chacha20poly1305::Nonce::from_slice(&nonce), Payload { msg: key, aad: case_name.as_bytes() })
        .map_err(|_| anyhow::anyhow!("cannot encrypt the pseudonym key"))?;
    Ok(nonce.iter().chain(&ct).map(|b| format!("{b:02x}")).collect())
}

/// The pseudonym key that `wrapped` holds for the master key `master`.
fn unwrap_pseudonyms(master: &[u8; 32], case_dir: &Path, case_name: &str, wrapped: &str) -> Result<[u8; 32]> {
    use chacha20poly1305::aead::{Aead, Payload};
    let broken = || {
        anyhow::anyhow!(
            "{}: the kept pseudonym key does not open with this passphrase (the file was changed); restore it from \
             a copy",
            case_dir.join(KEY_CHECK).display()
        )
    };
    let bytes: Vec<u8> = (0..wrapped.len())
        .step_by(2)
        .map(|i| wrapped.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()
        .ok_or_else(broken)?;
    if bytes.len() != 12 + 32 + 16 {
        return Err(broken());
    }
    let key = wrap_cipher(master)
        .decrypt(
            chacha20poly1305::Nonce::from_slice(&bytes[..12]),
            Payload { msg: &bytes[12..], aad: case_name.as_bytes() },
        )
        .map_err(|_| broken())?;
    key.try_into().map_err(|_| broken())
}

fn wrap_cipher(master: &[u8; 32]) -> chacha20poly1305::ChaCha20Poly1305 {
    use chacha20poly1305::aead::KeyInit;
    let mut h = Sha256::new();
    h.update(WRAP_LABEL);
    h.update(master);
    chacha20poly1305::ChaCha20Poly1305::new(&h.finalize())
}

fn kdf_text() -> String {
    format!(
        "argon2id m={} KiB t={} p={}, salt SHA-256(case name)[..16]; verifier SHA-256(\"moneytrail/v1/key-check\" \
         || key)",
        moneytrail::victims::protect::ARGON2_M_KIB,
        moneytrail::victims::protect::ARGON2_T,
        moneytrail::victims::protect::ARGON2_P
    )
}

fn read_check(case_dir: &Path) -> Result<Option<KeyCheck>> {
    let p = case_dir.join(KEY_CHECK);
    match std::fs::read_to_string(&p) {
        Ok(s) => Ok(Some(toml::from_str(&s).with_context(|| {
            format!(
                "{} is not a key check written by moneytrail; move it away and run `moneytrail key init`",
                p.display()
            )
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", p.display())),
    }
}

/// Writes the key check (the one write into a case folder besides the workspace log).
fn write_check(case_dir: &Path, case_name: &str, verifier: String, pseudonyms: Option<String>) -> Result<PathBuf> {
    let p = case_dir.join(KEY_CHECK);
    let dir = p.parent().unwrap_or(case_dir);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Version 2 holds a kept pseudonym key, which a reader of version 1 would not apply.
    let version = if pseudonyms.is_some() { 2 } else { 1 };
    let k = KeyCheck { version, case: case_name.to_string(), kdf: kdf_text(), verifier, pseudonyms };
    let body = format!(
        "# The key check of this case (moneytrail key init|check|rotate): a verifier derived from the case\n\
         # passphrase, not the passphrase or the key. A wrong passphrase is refused against it.\n{}",
        toml::to_string(&k)?
    );
    // One temporary file per process: commands started at once on a new case (tests, scripts)
    // each write the same content and the last rename wins, instead of renaming each other's.
    let tmp = dir.join(format!("key-check.{}.tmp", std::process::id()));
    std::fs::write(&tmp, body).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &p).with_context(|| format!("cannot write {}", p.display()))?;
    Ok(p)
}

/// Whether `passphrase` is the case's, against its key check.
enum Checked {
    /// It is (the keys, derived once, with the kept pseudonym key if there is one).
    Matches(Protection),
    /// No key check yet (the keys and the verifier to record).
    Unrecorded(Protection, String),
    /// It is not.
    Differs,
}

fn check(case_dir: &Path, case_name: &str, passphrase: &str) -> Result<Checked> {
    let (m, salt) = master(passphrase, case_name)?;
    let v = verifier(&m);
    let keys = Protection::from_master(m, salt);
    Ok(match read_check(case_dir)? {
        // A key check of another case name (a renamed case) is not this case's: record anew.
        Some(k) if k.case == case_name => {
            if k.version > 2 {
                bail!(
                    "{} is of version {}, newer than this moneytrail reads (2): upgrade moneytrail",
                    case_dir.join(KEY_CHECK).display(),
                    k.version
                );
            }
            match (k.verifier == v, &k.pseudonyms) {
                (false, _) => Checked::Differs,
                (true, None) => Checked::Matches(keys),
                (true, Some(w)) => {
                    Checked::Matches(keys.with_pseudonym_key(unwrap_pseudonyms(&m, case_dir, case_name, w)?))
                }
            }
        }
        _ => Checked::Unrecorded(keys, v),
    })
}

fn not_the_passphrase(case_dir: &Path, case_name: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "this is not the passphrase of case \"{case_name}\": {} was recorded with another one. Check for a typo \
         (the passphrase file's first line, or MONEYTRAIL_SEAL_PASSPHRASE); if the case passphrase was changed on \
         purpose, `moneytrail key rotate {}` records the new one",
        case_dir.join(KEY_CHECK).display(),
        case_dir.display()
    )
}

/// The keys of the case in `case_dir` named `case_name` for `passphrase`, checked against the
/// case's key check; on first use the check is recorded and stderr says so. A folder that
/// cannot be written (read-only media) only gets a warning.
///
/// # Errors
/// A passphrase that is too short or is not the case's.
pub fn checked_keys(case_dir: &Path, case_name: &str, passphrase: &str) -> Result<Protection> {
    match check(case_dir, case_name, passphrase)? {
        Checked::Matches(k) => Ok(k),
        Checked::Differs => Err(not_the_passphrase(case_dir, case_name)),
        Checked::Unrecorded(k, v) => {
            match write_check(case_dir, case_name, v, None) {
                Ok(p) => eprintln!(
                    "note: first use of a passphrase with case \"{case_name}\": its key check (a verifier, not the key) \
                     is now in {}; from now on another passphrase is refused",
                    p.display()
                ),
                Err(e) => eprintln!(
                    "warning: cannot record the key check of case \"{case_name}\" ({e:#}): a mistyped passphrase will \
                     not be caught"
                ),
            }
            Ok(k)
        }
    }
}

/// The case name that salts the keys: `name` of case.toml (or of the mapping file).
pub fn case_name(case: &Path, mapping: Option<&Path>) -> Result<String> {
    let p = mapping.map(Path::to_path_buf).unwrap_or_else(|| case.join("case.toml"));
    let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    let v: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not TOML", p.display()))?;
    match v.get("name").and_then(|n| n.as_str()) {
        Some(n) => Ok(n.to_string()),
        None => bail!("{}: no `name`: the case name keys the pseudonyms", p.display()),
    }
}

fn passphrase_of(k: &KeyArgs) -> Result<String> {
    k.passphrase()?.context(
        "give the case passphrase (at least 12 characters) in MONEYTRAIL_SEAL_PASSPHRASE or --seal-passphrase-file",
    )
}

pub fn run(c: Command) -> Result<ExitCode> {
    match c {
        Command::Gen(a) => {
            Inputs::default().check_all(&[("--out", Some(&a.out), OutKind::Dir)])?;
            let (secret, public, fingerprint) = signing::generate_pair(&a.out)?;
            println!("secret key: {} (keep it with the case team; it signs bundles)", secret.display());
            println!("public key: {} (give it to whoever verifies bundles)", public.display());
            println!("public key SHA-256 fingerprint: {fingerprint}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(a) => {
            let name = case_name(&a.case, a.mapping.as_deref())?;
            match check(&a.case, &name, &passphrase_of(&a.key)?)? {
                Checked::Matches(..) => {
                    println!("case \"{name}\" already has a key check and this passphrase matches it");
                    Ok(ExitCode::SUCCESS)
                }
                Checked::Differs => {
                    eprintln!("error: {:#}", not_the_passphrase(&a.case, &name));
                    Ok(exit::code(exit::VERIFY_FAILED))
                }
                Checked::Unrecorded(_, v) => {
                    let p = write_check(&a.case, &name, v, None)?;
                    println!("key check of case \"{name}\" written to {} (a verifier, not the key)", p.display());
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Check(a) => {
            let name = case_name(&a.case, a.mapping.as_deref())?;
            match check(&a.case, &name, &passphrase_of(&a.key)?)? {
                Checked::Matches(..) => {
                    println!("OK: this is the passphrase of case \"{name}\"");
                    Ok(ExitCode::SUCCESS)
                }
                Checked::Differs => {
                    eprintln!("error: {:#}", not_the_passphrase(&a.case, &name));
                    Ok(exit::code(exit::VERIFY_FAILED))
                }
                Checked::Unrecorded(..) => bail!(
                    "case \"{name}\" has no key check yet ({}): `moneytrail key init {}` records one",
                    a.case.join(KEY_CHECK).display(),
                    a.case.display()
                ),
            }
        }
        Command::Rotate(a) => {
            let name = case_name(&a.case.case, a.case.mapping.as_deref())?;
            if !a.rekey_pseudonyms && !a.keep_pseudonyms {
                bail!(
                    "say what becomes of the pseudonyms of case \"{name}\": --keep-pseudonyms keeps them (bundles \
                     written from now on match earlier ones), --rekey-pseudonyms gives every protected person new ones \
                     (bundles written before keep the old ones and no longer match new bundles)"
                );
            }
            let current = match check(&a.case.case, &name, &passphrase_of(&a.case.key)?)? {
                Checked::Differs => {
                    eprintln!("error: {:#}", not_the_passphrase(&a.case.case, &name));
                    return Ok(exit::code(exit::VERIFY_FAILED));
                }
                Checked::Matches(k) | Checked::Unrecorded(k, _) => k,
            };
            let new = match &a.new_passphrase_file {
                Some(f) => moneytrail::investigation::keys::passphrase(Some(f))?,
                None => std::env::var(NEW_PASSPHRASE_ENV).ok().filter(|s| !s.is_empty()),
            }
            .context("give the new passphrase in --new-passphrase-file or MONEYTRAIL_NEW_SEAL_PASSPHRASE")?;
            let (m, _) = master(&new, &name)?;
            let kept =
                if a.keep_pseudonyms { Some(wrap_pseudonyms(&m, &name, &current.pseudonym_key())?) } else { None };
            let p = write_check(&a.case.case, &name, verifier(&m), kept)?;
            println!("key check of case \"{name}\" now records the new passphrase ({})", p.display());
            if a.keep_pseudonyms {
                println!(
                    "pseudonyms kept: bundles written from now on name protected persons by the same PP-/PA- \
                     pseudonyms as before; the old passphrase is refused from now on; a court bundle's sealed mapping \
                     opens with the passphrase it was written under"
                );
            } else {
                println!(
                    "pseudonyms re-keyed: bundles written from now on name protected persons by new PP-/PA- \
                     pseudonyms; earlier bundles keep theirs, and an earlier court bundle's sealed mapping opens \
                     with the old passphrase only"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
