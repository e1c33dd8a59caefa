//! Poison (methodology.md#tracing): every output of an account that ever received taint is 100 % tainted
//! with every label it received. Maximal recall for "who is connected" screening; **not
//! value-conserving** (worked example methodology.md#tracing-example attributes 5,000 from 3,000 in) and never to be used
//! for amounts.
//!
//! Per label, the hop of an account is the smallest hop at which the label reached it (the
//! shortest chain, the useful figure for screening), and lineage names the first credit that
//! brought the label. A label stays on an account for good, even through an overdraft; the
//! remaining figure of every label an account has seen is `max(0, balance)`.

use super::ledger::{Lot, Pool, Scratch, Units};
use super::TraceError;

/// The labels an account has received: `(label, smallest hop, first credit seq)`, sorted by label.
#[derive(Debug, Default)]
pub(crate) struct PoisonPool {
    labels: Vec<(u32, u32, u32)>,
}

impl Pool for PoisonPool {
    const CONSERVING: bool = false;

    fn with_clean(_clean: Units, _max_lots: usize) -> Self {
        PoisonPool::default()
    }

    /// O(parts · log labels).
    fn credit(&mut self, _amount: Units, parts: &[Lot]) {
        for p in parts.iter().filter(|p| p.amount > 0) {
            match self.labels.binary_search_by_key(&p.label, |e| e.0) {
                Ok(i) => self.labels[i].1 = self.labels[i].1.min(p.hop),
                Err(i) => self.labels.insert(i, (p.label, p.hop, p.origin)),
            }
        }
    }

    /// O(labels): the whole debit carries every label seen.
    fn debit(
        &mut self,
        _take: Units,
        amount: Units,
        _scratch: &mut Scratch,
        out: &mut Vec<Lot>,
    ) -> Result<(), TraceError> {
        if amount > 0 {
            out.extend(self.labels.iter().map(|&(label, hop, origin)| Lot { amount, label, hop, origin }));
        }
        Ok(())
    }

    fn total(&self) -> Units {
        0
    }

    fn remaining(&self, positive_balance: Units, f: &mut dyn FnMut(u32, Units)) {
        for &(label, _, _) in &self.labels {
            f(label, positive_balance);
        }
    }
}
