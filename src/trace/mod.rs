//! Fund tracing: follows tainted money (trafficking proceeds, one label per victim or per source)
//! through per-account ledgers under the tracing rules courts use for mixed funds, so that every
//! figure put before a court can be computed exactly under each rule and shown hop by hop.
//!
//! **What this module may depend on:** the engine files only on `std`, `rust_decimal`, `rayon`,
//! `serde` and `thiserror`: they know nothing about how transfers are loaded, never print, and
//! take dense account indices that a caller maps from its own keys (IBAN, register id, ...).
//! [`case`] and [`victims`] (one label per victim's earnings, issue 9) alone map a loaded `Case`
//! (`model`, L0; `graph` for the flow graph's amounts) onto events and sources, so tracing rules
//! and the case mapping live in one layer (L2).
//!
//! # Model
//! * The input is a slice of [`Event`]s (one per booked transfer, amounts already converted into one
//!   common currency, methodology.md#albania-thresholds) and a [`Sources`] selection saying which credits are tainted
//!   with which [`Label`] (hop 0).
//! * Events are processed in **booking order: `at` ascending, then `seq` ascending**; `seq` must be
//!   unique. A transfer is a debit of `from` followed by a credit of `to` at the same instant.
//! * Each account keeps lots of money (clean or tainted with one label, with the hop at which the
//!   taint arrived and the `seq` of the credit that brought it). A [`Rule`] decides which lots a
//!   debit consumes (methodology.md#tracing). The tainted part of a debit, per label, becomes a tainted
//!   credit at the receiving account with `hop = max(hop of consumed lots) + 1`.
//! * Every debit that consumes tainted lots records [`LineageEdge`]s (which earlier credit's lot it
//!   drew from, per label, with amounts), so an exporter can draw each hop of the chain.
//!
//! # Conventions (documented once, used by every rule)
//! * **Ordering**: `(at, seq)`; duplicate `seq` values are rejected ([`TraceError::DuplicateSeq`]).
//! * **Exactness**: amounts are converted to integer units of `10^-scale` (scale = the larger of
//!   [`TraceConfig::scale`] and the finest scale among the inputs), so all arithmetic is exact and
//!   conservation holds to the unit. Pro-rata (and LIBR among tainted lots) split with the
//!   largest-remainder method in two stages: first over clean money and each label's total (each
//!   part the exact share rounded down to the unit, leftover units one each to the largest
//!   remainders, ties to clean money first, then to the lower label), then each label's share over
//!   its lots (ties to the earlier lot). So a label's figure never depends on how many credits
//!   brought it or on lot merging.
//! * **Bishopsgate / LIBR cap** (methodology.md#tracing, methodology.md#tracing-defaults): for every rule, the money held in an
//!   account's lots equals `max(0, balance)`, so taint can never exceed `max(0, balance)` and a
//!   clean deposit never replenishes taint. A debit larger than the positive balance consumes all
//!   lots; the excess is funded by the overdraft (or by unknown prior funds) and is **clean**. A later
//!   credit into an overdrawn account first repays the overdraft; the repayment uses the credit's
//!   clean part first, then its tainted parts in ascending (label, hop) order, and the tainted
//!   money so repaid is reported as [`LabelSummary::absorbed_by_overdraft`]: it is no longer
//!   traceable (*Bishopsgate v Homan* \[1995\] Ch 211) but is still accounted for.
//! * **Unknown opening balances** ([`OpeningPolicy::MinimalClean`], the default): an account whose
//!   opening balance is not given starts with the smallest clean balance that keeps it from ever
//!   going negative in the ledger. Unknown prior funds are thus clean and, being older than every
//!   booked credit, are consumed first under FIFO and last under LIFO.
//! * **Source precedence**: marking a transfer as a source with label `L` taints the part of its
//!   credit that would otherwise be clean; taint the transfer already carries from earlier sources
//!   keeps its own label and hop (no double counting, per-label conservation holds).
//! * **Conservation** (every rule except poison), per label, exactly:
//!   `introduced = exited + absorbed_by_overdraft + remaining`.
//!
//! # Complexity
//! Preparation is O(n log n) for n events (O(n) when the events are already in booking order).
//! Events before the first source and events on accounts never touched by taint cost O(1) each.
//! A debit from a tainted account costs O(lots consumed) under FIFO/LIFO and O(k) (k = tainted
//! lots held by the account, at most [`TraceConfig::max_lots_per_account`] plus one per label)
//! under pro-rata and LIBR. Memory is O(accounts + tainted lots + output).
//!
//! Output size depends on the rule: FIFO, LIFO and LIBR keep taint concentrated, while pro-rata
//! ("everything becomes slightly tainted", methodology.md#tracing) and poison spread every label to every
//! account downstream, so on hub-heavy ledgers their rows approach events x labels. Measured in a
//! debug build on the 2-core machine (ignored test `scale_synthetic_ledger`, 1M events, 200k
//! accounts, 50 labels): FIFO 0.8 s, LIFO 0.9 s, LIBR 2.5 s (tens of thousands of rows);
//! pro-rata 58 s for 20M rows and poison 28 s for 26M rows.

pub mod case;
mod engine;
mod error;
mod fifo;
mod ledger;
mod libr;
mod lifo;
mod poison;
mod pro_rata;
mod queue;
mod result;
mod rule;
mod source;
pub mod victims;

pub use engine::{trace, trace_rules, trace_with, OpeningPolicy, TraceConfig};
pub use error::TraceError;
pub use result::{AccountLabelBalance, LabelSummary, LineageEdge, TaintRow, TraceResult};
pub use rule::{ParseRuleError, Rule};
pub use source::{InflowSelection, Sources};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One booked transfer, as the tracing engine sees it.
///
/// `from` is debited and `to` credited at the same instant. `None` stands for the outside world:
/// `from: None` is a cash deposit or an inflow from an account outside the case, `to: None` a cash
/// withdrawal or a payment out of the case (a car dealer, a notary's escrow, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// The caller's transfer index; must be unique. Second sort key and the id used in lineage.
    pub seq: u32,
    /// Booking time in seconds (any epoch); first sort key.
    pub at: i64,
    /// Dense index of the debited account; `None` = cash in / outside source.
    pub from: Option<u32>,
    /// Dense index of the credited account; `None` = cash out / outside sink.
    pub to: Option<u32>,
    /// Amount in the case's common currency (already converted, methodology.md#albania-thresholds); must be >= 0.
    pub amount: Decimal,
}

/// A taint label: one per victim, per source account or per source selection.
///
/// `Label::CLEAN` (0) is reserved for clean money and may not be used by a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Label(pub u32);

impl Label {
    /// The reserved label of clean (untainted) money.
    pub const CLEAN: Label = Label(0);
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
