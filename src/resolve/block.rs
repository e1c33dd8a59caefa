//! Blocking: which pairs of records are compared at all.
//!
//! Comparing every pair is O(n^2) (5 · 10^11 pairs for a million records). Instead each record
//! gets a few keys and only records sharing a key are compared (Christen, *Data Matching*,
//! 2012, ch. 4). Keys, all within one kind (persons or companies):
//! * `id`: the well-formed personal number or NUIS;
//! * `word + date`: each name word's skeleton with the birth (registration) date, recorded or
//!   encoded in the personal number: finds a typo in the other word;
//! * `name`: all name-word skeletons, sorted (word order free): finds a wrong or missing date;
//! * for companies, `word + city`: each name word with the city.
//!
//! A block larger than [`Params::max_block`] is not expanded (its records still meet through
//! their other keys) and is counted in [`BlockStats`].

use super::score::Rec;
use super::Params;
use crate::model::EntityKind;
use rayon::prelude::*;
use std::hash::{BuildHasher, Hash};

/// What blocking did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockStats {
    /// Keys emitted.
    pub keys: u64,
    /// Distinct candidate pairs compared.
    pub pairs: u64,
    /// Blocks skipped for exceeding `max_block`.
    pub oversized_blocks: u64,
    /// Records in the skipped blocks.
    pub oversized_records: u64,
}

fn key(parts: impl Hash) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(parts)
}

/// The blocking keys of one record (hashes; see the module documentation).
pub fn keys(r: &Rec, out: &mut Vec<u64>) {
    let kind = match r.kind {
        EntityKind::Person => 0u8,
        EntityKind::Company => 1u8,
    };
    if let Some(id) = &r.ident {
        out.push(key((kind, 0u8, id)));
    }
    let mut sk: Vec<&str> = r.tokens.iter().map(|t| t.skeleton.as_str()).collect();
    if let Some(d) = r.any_date() {
        for s in &sk {
            out.push(key((kind, 1u8, s, d.0)));
        }
    }
    if kind == 1 {
        if let Some(c) = &r.city {
            for s in &sk {
                out.push(key((kind, 3u8, s, c)));
            }
        }
    }
    if !sk.is_empty() {
        sk.sort_unstable();
        out.push(key((kind, 2u8, sk)));
    }
}

/// Candidate pairs `(i, j)` with `i < j`, sorted and distinct, packed as `i << 32 | j` (8 bytes
/// a pair: a million records give about 13 million pairs); see [`unpack`].
///
/// # Complexity
/// O(n k log(n k)) for k keys per record plus the pairs of the blocks (O(n b) for blocks of
/// size b); parallel over records and in the sorts.
pub fn candidate_pairs(recs: &[Rec], p: &Params) -> (Vec<u64>, BlockStats) {
    let mut keyed: Vec<(u64, u32)> = recs
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, r)| {
            let mut k = Vec::with_capacity(6);
            keys(r, &mut k);
            k.into_iter().map(move |k| (k, i as u32))
        })
        .collect();
    let mut stats = BlockStats { keys: keyed.len() as u64, ..BlockStats::default() };
    keyed.par_sort_unstable();
    keyed.dedup();
    // Block boundaries.
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut s = 0;
    while s < keyed.len() {
        let mut e = s + 1;
        while e < keyed.len() && keyed[e].0 == keyed[s].0 {
            e += 1;
        }
        let n = e - s;
        if n > p.max_block {
            stats.oversized_blocks += 1;
            stats.oversized_records += n as u64;
        } else if n > 1 {
            bounds.push((s, e));
        }
        s = e;
    }
    let mut pairs: Vec<u64> = bounds
        .par_iter()
        .flat_map_iter(|&(s, e)| {
            let block = &keyed[s..e];
            (0..block.len()).flat_map(move |x| {
                (x + 1..block.len()).map(move |y| {
                    let (a, b) = (block[x].1, block[y].1);
                    let (a, b) = if a < b { (a, b) } else { (b, a) };
                    (u64::from(a) << 32) | u64::from(b)
                })
            })
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    stats.pairs = pairs.len() as u64;
    (pairs, stats)
}

/// The two record indices of a packed pair.
pub fn unpack(pair: u64) -> (u32, u32) {
    ((pair >> 32) as u32, pair as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    #[test]
    fn blocking_pairs_variants_and_not_strangers() {
        let d = Date::from_ymd(1979, 3, 12);
        let recs = vec![
            Rec::person("Arbën Hoxha", d, Some("H90312045A"), None, None),
            Rec::person("HOXHA ARBEN", d, None, None, None),
            // Typo in the surname, same date: met through "arben" + date.
            Rec::person("Arben Hoxah", d, None, None, None),
            // Date typo: met through the sorted name key.
            Rec::person("Arben Hoxha", Date::from_ymd(1979, 12, 3), None, None, None),
            // Only the id in common (name in another script order, no date).
            Rec::person("A. Hoxha", None, Some("h90312045a"), None, None),
            // A stranger.
            Rec::person("Elira Dervishi", Date::from_ymd(1985, 1, 1), None, None, None),
        ];
        let (pairs, stats) = candidate_pairs(&recs, &Params::default());
        let pairs: Vec<(u32, u32)> = pairs.into_iter().map(unpack).collect();
        for want in [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (0, 4)] {
            assert!(pairs.contains(&want), "{want:?} missing from {pairs:?}");
        }
        assert!(pairs.iter().all(|&(a, b)| a != 5 && b != 5), "{pairs:?}");
        assert!(pairs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(stats.oversized_blocks, 0);
    }

    #[test]
    fn oversized_blocks_are_skipped_and_counted() {
        let recs: Vec<Rec> = (0..10).map(|_| Rec::person("Arben Hoxha", None, None, None, None)).collect();
        let p = Params { max_block: 5, ..Params::default() };
        let (pairs, stats) = candidate_pairs(&recs, &p);
        assert!(pairs.is_empty());
        assert_eq!((stats.oversized_blocks, stats.oversized_records), (1, 10));
    }
}
