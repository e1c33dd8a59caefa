//! Lowest intermediate balance rule with the Hallett presumption (methodology.md#tracing).
//!
//! * *Re Hallett's Estate* (1880): the wrongdoer spends his own (clean) money first, so a debit
//!   takes clean money before any tainted lot.
//! * *Roscoe v Winder* \[1915\] 1 Ch 62: the claim to tainted money left in the account never exceeds
//!   the lowest intermediate balance, and clean deposits do not replenish it. With clean money spent
//!   first, `tainted <= max(0, balance)` holds after every debit (the cap `Tb := min(Tb, B)` of methodology.md#tracing
//!   never has to cut), and clean credits add only clean money. The engine's Bishopsgate handling
//!   covers overdrafts.
//! * Once the clean money is exhausted, tainted lots of all labels (equally innocent victims) share
//!   the rest of the debit rateably (*Barlow Clowes v Vaughan* \[1992\]; *Foskett v McKeown* \[2001\]),
//!   split exactly with [`split_pool`] (by label first, then over each label's lots, ties to the
//!   lower label and the earlier lot).
//!
//! Worked example methodology.md#tracing-example: car X carries T1,500, relative Y T1,000, T500 remain. Mini-example methodology.md#tracing:
//! T3,000 in, 2,800 out, clean 5,000 in: the claim stays capped at 200.

use super::ledger::{compact_by_label, split_pool, Lot, Pool, Scratch, Units};
use super::pro_rata::{credit_split, draw_lots};
use super::TraceError;

/// Clean money as one amount, tainted lots apart (in arrival order) for lineage.
#[derive(Debug, Default)]
pub(crate) struct LibrPool {
    clean: Units,
    lots: Vec<Lot>,
    tainted: Units,
    max_lots: usize,
}

impl Pool for LibrPool {
    const CONSERVING: bool = true;

    fn with_clean(clean: Units, max_lots: usize) -> Self {
        LibrPool { clean: clean.max(0), max_lots, ..LibrPool::default() }
    }

    /// O(parts), or O(k log k) when the lots are compacted.
    fn credit(&mut self, amount: Units, parts: &[Lot]) {
        credit_split(&mut self.clean, &mut self.lots, &mut self.tainted, amount, parts);
        if self.lots.len() > self.max_lots {
            compact_by_label(&mut self.lots);
        }
    }

    /// O(1) while clean money covers the debit, else O(k log k) for k tainted lots held.
    fn debit(
        &mut self,
        take: Units,
        _amount: Units,
        scratch: &mut Scratch,
        out: &mut Vec<Lot>,
    ) -> Result<(), TraceError> {
        let from_clean = take.min(self.clean).max(0);
        self.clean -= from_clean;
        let rest = take - from_clean;
        if rest <= 0 {
            return Ok(());
        }
        split_pool(rest, 0, &self.lots, scratch)?;
        draw_lots(&mut self.lots, &mut self.tainted, &scratch.lot_shares, out);
        Ok(())
    }

    fn total(&self) -> Units {
        self.clean + self.tainted
    }

    fn remaining(&self, _positive_balance: Units, f: &mut dyn FnMut(u32, Units)) {
        for l in &self.lots {
            f(l.label, l.amount);
        }
    }
}
