//! The sealed identity mapping: pseudonym -> identity, encrypted with a passphrase.
//!
//! Format (all integers little-endian):
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `MTSEAL01` |
//! | 4 + 4 + 4 | Argon2id memory (KiB), passes, lanes |
//! | 16 | salt (the case salt, [`super::protect::case_salt`]) |
//! | 12 | nonce |
//! | rest | ChaCha20-Poly1305 ciphertext and tag of the mapping CSV; the 48 header bytes are the associated data |
//!
//! Key: Argon2id(passphrase, salt) -> master; sealing key = HMAC-SHA-256(master, "seal").
//! Nonce: the first 12 bytes of HMAC-SHA-256(sealing key, "nonce" ‖ plaintext), a synthetic
//! nonce: the same mapping sealed twice gives the same bytes (bundles stay byte-identical), and
//! two different mappings never share a nonce unless HMAC collides. The only thing this
//! determinism reveals is whether two sealed files hold the same mapping.

use super::protect::{MappingRow, ProtectError, Protection, ARGON2_M_KIB, ARGON2_P, ARGON2_T};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const MAGIC: &[u8; 8] = b"MTSEAL01";
const HEADER: usize = 8 + 12 + 16 + 12;
/// Largest Argon2 memory accepted when opening a file (1 GiB), so a forged header cannot make
/// `unseal` allocate without bound.
const MAX_M_KIB: u32 = 1024 * 1024;

/// The mapping as CSV bytes (pseudonym, kind, id, name, number, birth_date, address, basis).
pub fn mapping_csv(rows: &[MappingRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    if rows.is_empty() {
        w.write_record(["pseudonym", "kind", "id", "name", "number", "birth_date", "address", "basis"])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Encrypts `plaintext` under the case keys.
pub fn seal(key: &Protection, plaintext: &[u8]) -> Result<Vec<u8>, ProtectError> {
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    for v in [ARGON2_M_KIB, ARGON2_T, ARGON2_P] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    header.extend_from_slice(&key.salt());
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key.seal_key()).map_err(|_| ProtectError::Encrypt)?;
    m.update(b"nonce\x1f");
    m.update(plaintext);
    let tag = m.finalize().into_bytes();
    let nonce = &tag[..12];
    header.extend_from_slice(nonce);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.seal_key()));
    let ct = cipher
        .encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad: &header })
        .map_err(|_| ProtectError::Encrypt)?;
    let mut out = header;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts a sealed file with the passphrase; fails on a wrong passphrase or any changed byte.
pub fn unseal(passphrase: &str, sealed: &[u8]) -> Result<Vec<u8>, ProtectError> {
    if sealed.len() < HEADER + 16 || &sealed[..8] != MAGIC {
        return Err(ProtectError::Format);
    }
    let word = |i: usize| u32::from_le_bytes([sealed[i], sealed[i + 1], sealed[i + 2], sealed[i + 3]]);
    let (m_kib, t, p) = (word(8), word(12), word(16));
    if m_kib > MAX_M_KIB || t == 0 || t > 64 || p == 0 || p > 16 {
        return Err(ProtectError::Format);
    }
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&sealed[20..36]);
    let pass = passphrase.trim_end_matches(['\r', '\n']);
    let params = argon2::Params::new(m_kib, t, p, Some(32)).map_err(|e| ProtectError::Kdf(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut master = [0u8; 32];
    a.hash_password_into(pass.as_bytes(), &salt, &mut master).map_err(|e| ProtectError::Kdf(e.to_string()))?;
    let key = Protection::from_master(master, salt);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.seal_key()));
    cipher
        .decrypt(Nonce::from_slice(&sealed[36..48]), Payload { msg: &sealed[HEADER..], aad: &sealed[..HEADER] })
        .map_err(|_| ProtectError::Decrypt)
}

/// Reads the rows of an unsealed mapping.
pub fn parse_mapping(csv_bytes: &[u8]) -> Result<Vec<MappingRow>, csv::Error> {
    let mut r = csv::Reader::from_reader(csv_bytes);
    r.deserialize().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_is_deterministic_and_rejects_a_wrong_passphrase() {
        let key = Protection::from_passphrase("correct horse battery staple", "Case A").unwrap();
        let a = seal(&key, b"pseudonym,id\nPP-1,P1\n").unwrap();
        let b = seal(&key, b"pseudonym,id\nPP-1,P1\n").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, seal(&key, b"pseudonym,id\nPP-2,P2\n").unwrap());
        assert_eq!(unseal("correct horse battery staple", &a).unwrap(), b"pseudonym,id\nPP-1,P1\n");
        assert!(matches!(unseal("wrong horse battery staple", &a), Err(ProtectError::Decrypt)));
        let mut c = a.clone();
        let last = c.len() - 1;
        c[last] ^= 1;
        assert!(matches!(unseal("correct horse battery staple", &c), Err(ProtectError::Decrypt)));
        assert!(matches!(unseal("x", b"nonsense"), Err(ProtectError::Format)));
        assert!(matches!(Protection::from_passphrase("short", "Case A"), Err(ProtectError::WeakPassphrase)));
    }
}
