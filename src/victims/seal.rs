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
/// Largest Argon2 cost accepted when opening a file: at most twice what this version writes
/// (memory times passes), 256 MiB of memory, 4 lanes. The header is read before anything is
/// derived, so a forged header fails at once instead of making `unseal` spend a minute and a
/// gigabyte on a key that cannot be right.
const MAX_M_KIB: u32 = 4 * ARGON2_M_KIB;
/// See [`MAX_M_KIB`].
const MAX_COST: u64 = 2 * ARGON2_M_KIB as u64 * ARGON2_T as u64;
/// Largest sealed file opened (the mapping of a million protected persons is about 200 MB).
pub const MAX_SEALED_BYTES: u64 = 512 << 20;

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
    if sealed.len() as u64 > MAX_SEALED_BYTES
        || m_kib > MAX_M_KIB
        || m_kib < 8 * p
        || t == 0
        || p == 0
        || p > 4
        || u64::from(m_kib) * u64::from(t) > MAX_COST
    {
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
    fn unseal_forged_header_fails_fast() {
        let key = Protection::from_master([7; 32], [0; 16]);
        let good = seal(&key, b"pseudonym,id\n").unwrap();
        // 1 GiB and 64 passes (what a forger would ask for), and more passes at the normal
        // memory than this version ever writes: refused before any key is derived.
        for (m, t, p) in [(1024 * 1024u32, 64u32, 1u32), (ARGON2_M_KIB, 7, 1), (ARGON2_M_KIB, 3, 16), (16, 1, 4)] {
            let mut forged = good.clone();
            forged[8..12].copy_from_slice(&m.to_le_bytes());
            forged[12..16].copy_from_slice(&t.to_le_bytes());
            forged[16..20].copy_from_slice(&p.to_le_bytes());
            assert!(matches!(unseal("a passphrase of length", &forged), Err(ProtectError::Format)), "{m} {t} {p}");
        }
    }

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
