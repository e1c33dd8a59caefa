//! Look-alike ids (issue 14): two different ids that print alike, `A0001` and `А0001` (the
//! second with a Cyrillic А), would pass as two parties a reader cannot tell apart. Ids whose
//! confusable skeletons (Unicode TR39, "Confusable Detection", through `unicode-security`)
//! are equal are reported as warnings naming both rows: within an id space and across spaces
//! (an account id that looks like a person's), transfer ids included. Invisible characters (bidirectional
//! controls, zero-width characters) never get this far: ingest rejects them in ids and names
//! (`row::invisible`).

use super::driver::Loader;
use super::row::Fault;
use crate::model::Prov;
use rayon::prelude::*;
use std::collections::HashMap;
use unicode_security::confusable_detection::skeleton;

/// One id of the case: (table, id column, id, row).
type IdRow<'a> = (&'static str, &'static str, &'a str, Prov);

/// Warns about every id (persons, companies, accounts, properties and transfers) that looks
/// like an earlier, different id, in its own id space or in another: an account id `Р000001`
/// (Cyrillic Р) beside the person `P000001` is as misleading on a chart as two look-alike
/// accounts. Identical ids in two spaces are not look-alikes (the text says which is which).
///
/// # Complexity
/// O(n) skeletons for n ids (in parallel), hashed to 64 bits so that 2 million transfer ids
/// cost 16 bytes each, not a second copy of every id; a hash match is confirmed on the
/// skeletons themselves.
pub(crate) fn warn(l: &mut Loader) {
    let c = &l.case;
    let t = &c.transfers;
    let ids: Vec<IdRow<'_>> = c
        .persons
        .rows
        .iter()
        .map(|p| ("persons", "person_id", p.id.as_str(), p.prov))
        .chain(c.companies.rows.iter().map(|x| ("companies", "company_id", x.id.as_str(), x.prov)))
        .chain(c.accounts.rows.iter().map(|a| ("accounts", "account_id", a.id.as_str(), a.prov)))
        .chain(c.properties.rows.iter().map(|p| ("properties", "property_id", p.id.as_str(), p.prov)))
        .chain((0..t.len()).map(|i| ("transfers", "txn_id", t.txn_id.get(i), t.prov(i))))
        .collect();
    let files: Vec<String> = c.files.iter().map(|f| f.path.clone()).collect();
    let found = collisions(&ids, &files);
    for (table, prov, fault) in found {
        l.warn_after(table, prov, fault);
    }
}

/// The TR39 skeleton of `id`. ASCII ids (nearly every bank id) take a table of the 128
/// one-character skeletons: NFD leaves ASCII unchanged and the confusable mapping works
/// character by character, so the concatenation is the skeleton, at a tenth of the cost.
fn skeleton_of(id: &str) -> String {
    static ASCII: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    if id.is_ascii() {
        let t = ASCII.get_or_init(|| (0u8..128).map(|b| skeleton(&(b as char).to_string()).collect()).collect());
        id.bytes().map(|b| t[b as usize].as_str()).collect()
    } else {
        skeleton(id).collect()
    }
}

fn hash_of(sk: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(sk)
}

/// The rows of `ids` whose skeleton equals that of an earlier, different id (of any table).
fn collisions(ids: &[IdRow<'_>], files: &[String]) -> Vec<(&'static str, Prov, Fault)> {
    let hashes: Vec<u64> = ids.par_iter().map(|(_, _, id, _)| hash_of(&skeleton_of(id))).collect();
    let mut first: HashMap<u64, usize> = HashMap::with_capacity(ids.len());
    let mut out = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        let j = *first.entry(*h).or_insert(i);
        if j == i || ids[j].2 == ids[i].2 || skeleton_of(ids[j].2) != skeleton_of(ids[i].2) {
            continue;
        }
        let (table, col, id, prov) = ids[i];
        let (otable, ocol, other, oprov) = ids[j];
        let file = files.get(oprov.file as usize).map(String::as_str).unwrap_or("?");
        let space = if otable == table { String::new() } else { format!(", the {ocol} of {otable}") };
        out.push((
            table,
            prov,
            Fault::new(
                col,
                &spelled(id),
                format!(
                    "looks like '{}' ({file} line {}{space}): the two ids have the same confusable skeleton (Unicode TR39), so a reader cannot tell them apart; check whether they are one party",
                    spelled(other),
                    oprov.line
                ),
            ),
        ));
    }
    out
}

/// An id with every non-ASCII character also given as its code point, so that a warning
/// shows how two look-alikes differ: `А0001 (U+0410 at 1)`.
pub fn spelled(id: &str) -> String {
    let codes: Vec<String> = id
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_ascii())
        .map(|(i, c)| format!("U+{:04X} at {}", c as u32, i + 1))
        .collect();
    if codes.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({})", codes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_latin_look_alikes_collide_and_distinct_ids_do_not() {
        let sk = |s: &str| skeleton(s).collect::<String>();
        assert_eq!(sk("A0001"), sk("\u{0410}0001"));
        assert_eq!(sk("PAYPAL"), sk("\u{0420}\u{0410}YPAL"));
        assert_ne!(sk("A0001"), sk("A0002"));
        assert_eq!(spelled("\u{0410}01"), "\u{0410}01 (U+0410 at 1)");
        let p = |line| Prov { file: 0, line };
        let ids = vec![
            ("accounts", "account_id", "A0001", p(2)),
            ("accounts", "account_id", "A0002", p(3)),
            ("accounts", "account_id", "\u{0410}0001", p(4)),
        ];
        let got = collisions(&ids, &["accounts.csv".to_string()]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.line, 4);
        assert!(got[0].2.reason.contains("looks like 'A0001' (accounts.csv line 2)"), "{}", got[0].2.reason);
    }

    #[test]
    fn the_ascii_table_gives_the_tr39_skeleton() {
        for id in ["T000000001", "Tl0O", "rnm|I1", "A-01_x.y/z", "", "\u{7f}\t ~"] {
            assert_eq!(skeleton_of(id), skeleton(id).collect::<String>(), "{id:?}");
        }
        let all: String = (0u8..128).map(char::from).collect();
        assert_eq!(skeleton_of(&all), skeleton(&all).collect::<String>());
    }

    #[test]
    fn transfer_ids_and_ids_of_other_spaces_that_look_alike_collide() {
        let p = |file, line| Prov { file, line };
        let files = ["persons.csv".to_string(), "accounts.csv".to_string(), "transfers.csv".to_string()];
        let ids = vec![
            ("persons", "person_id", "P000001", p(0, 2)),
            // Same text in another space: not a look-alike.
            ("accounts", "account_id", "P000001", p(1, 2)),
            // Cyrillic Р: looks like the person.
            ("accounts", "account_id", "\u{0420}000001", p(1, 3)),
            ("transfers", "txn_id", "T1", p(2, 2)),
            // Latin l for the digit 1: the skeletons agree.
            ("transfers", "txn_id", "Tl", p(2, 3)),
        ];
        let got = collisions(&ids, &files);
        let lines: Vec<(&str, u32)> = got.iter().map(|g| (g.0, g.1.line)).collect();
        assert_eq!(lines, vec![("accounts", 3), ("transfers", 3)]);
        assert!(got[0].2.reason.contains("(persons.csv line 2, the person_id of persons)"), "{}", got[0].2.reason);
        assert!(got[1].2.reason.contains("looks like 'T1' (transfers.csv line 2)"), "{}", got[1].2.reason);
    }
}
