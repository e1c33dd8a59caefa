//! Look-alike ids (issue 14): two different ids that print alike, `A0001` and `А0001` (the
//! second with a Cyrillic А), would pass as two parties a reader cannot tell apart. Ids whose
//! confusable skeletons (Unicode TR39, "Confusable Detection", through `unicode-security`)
//! are equal are reported as warnings naming both rows. Invisible characters (bidirectional
//! controls, zero-width characters) never get this far: ingest rejects them in ids and names
//! (`row::invisible`).

use super::driver::Loader;
use super::row::Fault;
use crate::model::Prov;
use rayon::prelude::*;
use std::collections::HashMap;
use unicode_security::confusable_detection::skeleton;

/// Warns about every id of persons and companies (one id space), accounts and properties
/// that looks like an earlier, different id of the same space.
pub(crate) fn warn(l: &mut Loader) {
    let c = &l.case;
    let parties: Vec<(&'static str, &'static str, &str, Prov)> = c
        .persons
        .rows
        .iter()
        .map(|p| ("persons", "person_id", p.id.as_str(), p.prov))
        .chain(c.companies.rows.iter().map(|x| ("companies", "company_id", x.id.as_str(), x.prov)))
        .collect();
    let accounts: Vec<_> = c.accounts.rows.iter().map(|a| ("accounts", "account_id", a.id.as_str(), a.prov)).collect();
    let properties: Vec<_> =
        c.properties.rows.iter().map(|p| ("properties", "property_id", p.id.as_str(), p.prov)).collect();
    let files: Vec<String> = c.files.iter().map(|f| f.path.clone()).collect();
    let mut found = Vec::new();
    for ids in [parties, accounts, properties] {
        found.extend(collisions(&ids, &files));
    }
    for (table, prov, fault) in found {
        l.warn_after(table, prov, fault);
    }
}

/// The rows of `ids` whose skeleton equals that of an earlier, different id.
fn collisions(ids: &[(&'static str, &'static str, &str, Prov)], files: &[String]) -> Vec<(&'static str, Prov, Fault)> {
    let skeletons: Vec<String> = ids.par_iter().map(|(_, _, id, _)| skeleton(id).collect()).collect();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    let mut out = Vec::new();
    for (i, sk) in skeletons.iter().enumerate() {
        match first.get(sk.as_str()) {
            None => {
                first.insert(sk, i);
            }
            Some(&j) if ids[j].2 != ids[i].2 => {
                let (table, col, id, prov) = ids[i];
                let (_, _, other, oprov) = ids[j];
                let file = files.get(oprov.file as usize).map(String::as_str).unwrap_or("?");
                out.push((
                    table,
                    prov,
                    Fault::new(
                        col,
                        &spelled(id),
                        format!(
                            "looks like '{}' ({file} line {}): the two ids have the same confusable skeleton (Unicode TR39), so a reader cannot tell them apart; check whether they are one party",
                            spelled(other),
                            oprov.line
                        ),
                    ),
                ));
            }
            Some(_) => {}
        }
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
}
