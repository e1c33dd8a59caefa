//! Shared ledger types: integer money units, lots, the per-account pool interface every rule
//! implements, and the exact largest-remainder split used by pro-rata and LIBR.

use super::TraceError;

/// Money in integer units of `10^-scale` (the trace's scale). i128 holds every rust_decimal
/// mantissa (96 bits), so conversion and addition are exact.
pub(crate) type Units = i128;

/// Internal label index of clean money in lots (dense label indices start at 0).
pub(crate) const CLEAN: u32 = u32::MAX;

/// Origin of a lot merged from several credits of one label (see [`compact_by_label`]).
pub(crate) const POOLED: u32 = u32::MAX;

/// A lot: money of one label held in an account, with the hop at which it arrived and the `seq` of
/// the credit that brought it (for lineage). In debit outputs the same type describes the part
/// drawn from a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lot {
    pub amount: Units,
    /// Dense label index, or [`CLEAN`].
    pub label: u32,
    pub hop: u32,
    pub origin: u32,
}

impl Lot {
    pub(crate) fn is_clean(&self) -> bool {
        self.label == CLEAN
    }
}

/// A clean lot (origin and hop are unused for clean money).
pub(crate) fn clean_lot(amount: Units) -> Lot {
    Lot { amount, label: CLEAN, hop: 0, origin: 0 }
}

/// Reusable buffers, so that debits do not allocate once warmed up.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub weights: Vec<Units>,
    pub shares: Vec<Units>,
    pub order: Vec<(Units, u32)>,
    /// `(label, total)` of a pool's tainted lots, by label ([`split_pool`]).
    pub label_totals: Vec<(u32, Units)>,
    /// Each label's share of a debit ([`split_pool`]).
    pub label_shares: Vec<Units>,
    /// Each lot's share of a debit, in lot order ([`split_pool`]).
    pub lot_shares: Vec<Units>,
    /// Lot positions of one label ([`split_pool`]).
    pub positions: Vec<u32>,
}

/// The per-account state of one rule. The engine keeps, for conserving rules, the invariant
/// `total() == max(0, balance)` (the Bishopsgate / LIBR cap, methodology.md#tracing-defaults).
pub(crate) trait Pool: Sized + Send {
    /// Whether the rule conserves value (all but poison).
    const CONSERVING: bool;

    /// A pool holding `clean` units of clean money: the account's positive balance when taint
    /// first reaches it.
    ///
    /// `max_lots` bounds the tainted lots kept apart for lineage (pro-rata and LIBR; see
    /// [`compact_by_label`]); other rules ignore it.
    fn with_clean(clean: Units, max_lots: usize) -> Self;

    /// Adds a credit of `amount` units of which `parts` (tainted, sorted by label then hop,
    /// amounts > 0) are tainted and the rest is clean. Under poison, part amounts are the full
    /// credit and only the labels matter.
    fn credit(&mut self, amount: Units, parts: &[Lot]);

    /// Removes `take` units (`0 <= take <= total()`, the part of the debit covered by the positive
    /// balance) of a debit of `amount` units, pushing every tainted part drawn (amount > 0) onto
    /// `out` with the label, hop and origin of its lot.
    fn debit(
        &mut self,
        take: Units,
        amount: Units,
        scratch: &mut Scratch,
        out: &mut Vec<Lot>,
    ) -> Result<(), TraceError>;

    /// Money held (conserving rules); poison returns 0.
    fn total(&self) -> Units;

    /// Reports the tainted money held, as `(label, units)` (a label may be reported several times).
    /// `positive_balance` is `max(0, balance)`, which poison reports for every label it has seen.
    fn remaining(&self, positive_balance: Units, f: &mut dyn FnMut(u32, Units));
}

/// Splits `take` units over `scratch.weights` (which sum to `total`, with `0 <= take <= total`)
/// in proportion, exactly, into `scratch.shares` (same length as the weights).
///
/// Largest-remainder method: each share is `floor(take * w / total)`; the `take - Σ floors`
/// leftover units go one each to the weights with the largest remainders, ties to the lower index.
/// Every share is `<= ` its weight and the shares sum to `take`. O(k log k) for k weights.
#[cfg(test)]
pub(crate) fn split_exact(take: Units, total: Units, scratch: &mut Scratch) -> Result<(), TraceError> {
    let Scratch { weights, shares, order, .. } = scratch;
    split_into(take, total, weights, shares, order)
}

fn split_into(
    take: Units,
    total: Units,
    weights: &[Units],
    shares: &mut Vec<Units>,
    order: &mut Vec<(Units, u32)>,
) -> Result<(), TraceError> {
    shares.clear();
    order.clear();
    if take <= 0 || total <= 0 {
        shares.resize(weights.len(), 0);
        return Ok(());
    }
    debug_assert!(take <= total, "split of {take} over {total}");
    let mut assigned: Units = 0;
    for (i, &w) in weights.iter().enumerate() {
        let p =
            take.checked_mul(w).ok_or(TraceError::AmountOutOfRange { context: "splitting a debit in proportion" })?;
        let q = p / total;
        let r = p % total;
        shares.push(q);
        assigned += q;
        if r > 0 {
            // Indices fit in u32: a pool never holds more lots than there are events (<= u32::MAX).
            order.push((r, i as u32));
        }
    }
    let left = take - assigned;
    if left > 0 {
        order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        // Σ of the fractional parts equals `left` and each is < 1, so there are more than `left`
        // weights with a remainder: the loop hands out exactly `left` units.
        for &(_, i) in order.iter().take(left as usize) {
            shares[i as usize] += 1;
        }
    }
    Ok(())
}

/// Splits `take` units of a debit over a pool's `clean` money and tainted `lots` in proportion,
/// in two exact stages, so that **each label's figure does not depend on how its money is cut
/// into lots** (lineage detail, or [`compact_by_label`] on busy accounts):
/// 1. over `[clean, label_1 total, label_2 total, ...]` (labels ascending), largest remainder,
///    ties to clean money first, then to the lower label;
/// 2. each label's share over that label's lots, largest remainder, ties to the earlier lot.
///
/// Returns the clean share; the lots' shares are left in `scratch.lot_shares` (lot order). With
/// `clean == 0` the whole debit falls on the lots (LIBR after the clean money is spent).
/// O(k log k) for k lots.
pub(crate) fn split_pool(take: Units, clean: Units, lots: &[Lot], scratch: &mut Scratch) -> Result<Units, TraceError> {
    let Scratch { weights, shares, order, label_totals, label_shares, lot_shares, positions } = scratch;
    label_totals.clear();
    let mut tainted: Units = 0;
    for l in lots {
        tainted += l.amount;
        match label_totals.binary_search_by_key(&l.label, |x| x.0) {
            Ok(i) => label_totals[i].1 += l.amount,
            Err(i) => label_totals.insert(i, (l.label, l.amount)),
        }
    }
    weights.clear();
    weights.push(clean.max(0));
    weights.extend(label_totals.iter().map(|x| x.1));
    split_into(take, clean.max(0) + tainted, weights, shares, order)?;
    let clean_share = shares.first().copied().unwrap_or(0);
    label_shares.clear();
    label_shares.extend(shares.iter().skip(1).copied());
    lot_shares.clear();
    lot_shares.resize(lots.len(), 0);
    for (li, &(label, total)) in label_totals.iter().enumerate() {
        let share = label_shares[li];
        if share == 0 {
            continue;
        }
        weights.clear();
        positions.clear();
        for (i, l) in lots.iter().enumerate().filter(|(_, l)| l.label == label) {
            weights.push(l.amount);
            positions.push(i as u32);
        }
        split_into(share, total, weights, shares, order)?;
        for (k, &i) in positions.iter().enumerate() {
            lot_shares[i as usize] = shares[k];
        }
    }
    Ok(clean_share)
}

/// Merges `lots` of the same label into one lot each (amounts added, hop = the largest, origin =
/// [`POOLED`]), ordered by label. Used by pro-rata and LIBR when an account holds more than
/// `max_lots` tainted lots: both rules split a debit over labels first ([`split_pool`]), so the
/// per-label figures are the same with or without merging (only lineage loses the credit that
/// brought each lot) while a debit's cost stays bounded by the number of labels. O(k log k).
pub(crate) fn compact_by_label(lots: &mut Vec<Lot>) {
    lots.sort_by_key(|l| l.label);
    let mut merged: Vec<Lot> = Vec::with_capacity(lots.len().min(64));
    for lot in lots.drain(..) {
        match merged.last_mut() {
            Some(m) if m.label == lot.label => {
                m.amount += lot.amount;
                m.hop = m.hop.max(lot.hop);
                m.origin = POOLED;
            }
            _ => merged.push(lot),
        }
    }
    *lots = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(take: Units, weights: &[Units]) -> Vec<Units> {
        let mut s = Scratch { weights: weights.to_vec(), ..Scratch::default() };
        split_exact(take, weights.iter().sum(), &mut s).unwrap();
        s.shares
    }

    #[test]
    fn split_is_exact_and_ties_go_to_lower_index() {
        assert_eq!(split(250_000, &[100_000, 300_000]), vec![62_500, 187_500]);
        // 1 unit over three equal weights: the first gets it.
        assert_eq!(split(1, &[1, 1, 1]), vec![1, 0, 0]);
        assert_eq!(split(2, &[1, 1, 1]), vec![1, 1, 0]);
        // 10 over 3 equal weights: 3.33.. each, the leftover unit to index 0.
        assert_eq!(split(10, &[10, 10, 10]), vec![4, 3, 3]);
        // 2 over [2, 1]: exact 1.33 and 0.67; the larger remainder (index 1) gets the unit.
        assert_eq!(split(2, &[2, 1]), vec![1, 1]);
    }

    #[test]
    fn two_stage_split_does_not_depend_on_lot_granularity() {
        let lot = |amount, label| Lot { amount, label, hop: 0, origin: 0 };
        let mut s = Scratch::default();
        // Clean 1, two lots of label 0 of 1 each; take 1: one stage would give the unit to
        // clean (remainders 1, 1, 1); by label, label 0 (remainder 2) gets it.
        let clean = split_pool(1, 1, &[lot(1, 0), lot(1, 0)], &mut s).unwrap();
        assert_eq!((clean, s.lot_shares.clone()), (0, vec![1, 0]));
        let clean = split_pool(1, 1, &[lot(2, 0)], &mut s).unwrap();
        assert_eq!((clean, s.lot_shares.clone()), (0, vec![1]));
        // Two labels interleaved, totals 3 and 1, take 2: exact 1.5 and 0.5, the tie goes to the
        // lower label (2 and 0); label 1's 2 over its lots 2 and 1: exact 1.33 and 0.67, so the
        // leftover unit goes to the later lot (larger remainder).
        let clean = split_pool(2, 0, &[lot(2, 1), lot(1, 2), lot(1, 1)], &mut s).unwrap();
        assert_eq!((clean, s.lot_shares.clone()), (0, vec![1, 0, 1]));
    }

    #[test]
    fn split_full_take_returns_weights() {
        assert_eq!(split(7, &[3, 0, 4]), vec![3, 0, 4]);
        assert_eq!(split(0, &[3, 4]), vec![0, 0]);
    }
}
