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
use unicode_security::confusable_detection::skeleton;

/// One id of the case: (table, id column, id, row).
type IdRow<'a> = (&'static str, &'static str, &'a str, Prov);

/// Warns about every id (persons, companies, accounts, properties and transfers) that looks
/// like an earlier, different id, in its own id space or in another: an account id `Р000001`
/// (Cyrillic Р) beside the person `P000001` is as misleading on a chart as two look-alike
/// accounts. Identical ids in two spaces are not look-alikes (the text says which is which).
///
/// # Complexity
/// O(n log n) for n ids: skeletons hashed in parallel into a sorted list of (64-bit hash, id
/// number) pairs, 16 bytes an id; only ids that share a hash are looked at again, and their
/// skeletons compared as text. The ids are read where the tables hold them, not copied into
/// a list (at 12 million ids that list and a hash map of the hashes were about 1 GB).
pub(crate) fn warn(l: &mut Loader) {
    let c = &l.case;
    let t = &c.transfers;
    let spaces =
        [c.persons.rows.len(), c.companies.rows.len(), c.accounts.rows.len(), c.properties.rows.len(), t.len()];
    let id = |mut i: usize| -> IdRow<'_> {
        for (s, &n) in spaces.iter().enumerate() {
            if i < n {
                return match s {
                    0 => ("persons", "person_id", c.persons.rows[i].id.as_str(), c.persons.rows[i].prov),
                    1 => ("companies", "company_id", c.companies.rows[i].id.as_str(), c.companies.rows[i].prov),
                    2 => ("accounts", "account_id", c.accounts.rows[i].id.as_str(), c.accounts.rows[i].prov),
                    3 => ("properties", "property_id", c.properties.rows[i].id.as_str(), c.properties.rows[i].prov),
                    _ => ("transfers", "txn_id", t.txn_id.get(i), t.prov(i)),
                };
            }
            i -= n;
        }
        unreachable!("id number past the last table")
    };
    let files: Vec<String> = c.files.iter().map(|f| f.path.clone()).collect();
    let found = collisions(spaces.iter().sum(), &id, &files);
    for (table, prov, fault) in found {
        l.warn_after(table, prov, fault);
    }
}

/// The TR39 skeleton of `id`, written into `out` (cleared first). ASCII ids (nearly every bank
/// id) take a table of the 128 one-character skeletons: NFD leaves ASCII unchanged and the
/// confusable mapping works character by character, so the concatenation is the skeleton, at
/// a tenth of the cost.
fn skeleton_into(id: &str, out: &mut String) {
    static ASCII: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    out.clear();
    if id.is_ascii() {
        let t = ASCII.get_or_init(|| (0u8..128).map(|b| skeleton(&(b as char).to_string()).collect()).collect());
        id.bytes().for_each(|b| out.push_str(&t[b as usize]));
    } else {
        out.extend(skeleton(id));
    }
}

#[cfg(test)]
fn skeleton_of(id: &str) -> String {
    let mut s = String::new();
    skeleton_into(id, &mut s);
    s
}

/// The rows among the `n` ids (`id(i)`, in load order) whose skeleton equals that of an
/// earlier, different id (of any table), in id order.
///
/// The hash is keyed per process (ids are hostile input), yet the warnings do not depend on
/// it: ids that share a hash are grouped by their skeletons as text, so a collision of two
/// different skeletons hides nothing and a crafted run of equal hashes costs O(r log r).
fn collisions<'a>(
    n: usize,
    id: &(dyn Fn(usize) -> IdRow<'a> + Sync),
    files: &[String],
) -> Vec<(&'static str, Prov, Fault)> {
    use std::hash::BuildHasher;
    let state = foldhash::fast::RandomState::default();
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .map_init(String::new, |buf, i| {
            skeleton_into(id(i).2, buf);
            (state.hash_one(buf.as_str()), i as u32)
        })
        .collect();
    pairs.par_sort_unstable();
    // (later id, first id of the same skeleton) for every later id of a shared skeleton.
    let mut hits: Vec<(u32, u32)> = Vec::new();
    let mut k = 0;
    while k < pairs.len() {
        let mut e = k + 1;
        while e < pairs.len() && pairs[e].0 == pairs[k].0 {
            e += 1;
        }
        if e - k > 1 {
            let mut run: Vec<(String, u32)> = pairs[k..e].iter().map(|&(_, i)| (skeleton_of_row(id, i), i)).collect();
            run.sort_unstable();
            let mut g = 0;
            while g < run.len() {
                let mut h = g + 1;
                while h < run.len() && run[h].0 == run[g].0 {
                    hits.push((run[h].1, run[g].1));
                    h += 1;
                }
                g = h;
            }
        }
        k = e;
    }
    hits.sort_unstable();
    let mut out = Vec::new();
    for (i, j) in hits {
        let (table, col, id_i, prov) = id(i as usize);
        let (otable, ocol, other, oprov) = id(j as usize);
        if other == id_i {
            continue;
        }
        let file = files.get(oprov.file as usize).map(String::as_str).unwrap_or("?");
        let space = if otable == table { String::new() } else { format!(", the {ocol} of {otable}") };
        out.push((
            table,
            prov,
            Fault::new(
                col,
                &spelled(id_i),
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

fn skeleton_of_row<'a>(id: &(dyn Fn(usize) -> IdRow<'a> + Sync), i: u32) -> String {
    let mut s = String::new();
    skeleton_into(id(i as usize).2, &mut s);
    s
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
        let ids = [
            ("accounts", "account_id", "A0001", p(2)),
            ("accounts", "account_id", "A0002", p(3)),
            ("accounts", "account_id", "\u{0410}0001", p(4)),
        ];
        let got = collisions(ids.len(), &|i| ids[i], &["accounts.csv".to_string()]);
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
        let ids = [
            ("persons", "person_id", "P000001", p(0, 2)),
            // Same text in another space: not a look-alike.
            ("accounts", "account_id", "P000001", p(1, 2)),
            // Cyrillic Р: looks like the person.
            ("accounts", "account_id", "\u{0420}000001", p(1, 3)),
            ("transfers", "txn_id", "T1", p(2, 2)),
            // Latin l for the digit 1: the skeletons agree.
            ("transfers", "txn_id", "Tl", p(2, 3)),
        ];
        let got = collisions(ids.len(), &|i| ids[i], &files);
        let lines: Vec<(&str, u32)> = got.iter().map(|g| (g.0, g.1.line)).collect();
        assert_eq!(lines, vec![("accounts", 3), ("transfers", 3)]);
        assert!(got[0].2.reason.contains("(persons.csv line 2, the person_id of persons)"), "{}", got[0].2.reason);
        assert!(got[1].2.reason.contains("looks like 'T1' (transfers.csv line 2)"), "{}", got[1].2.reason);
    }
}
