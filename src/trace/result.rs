//! What a trace returns: tainted amounts per event, label and hop; lineage; final balances.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Label, Rule};

/// The taint one event carries for one label at one hop. One row per `(event, label, hop)` with a
/// non-zero tainted amount; this is the shape of the `trace` CSV (rule, txn_id, from, to, amount,
/// tainted_amount, hop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaintRow {
    /// The event's `seq`.
    pub seq: u32,
    /// The event's booking time.
    pub at: i64,
    /// Debited account (`None` = outside).
    pub from: Option<u32>,
    /// Credited account (`None` = outside).
    pub to: Option<u32>,
    /// The full amount of the event.
    pub amount: Decimal,
    /// The taint label.
    pub label: Label,
    /// 0 for the part introduced by a source, else `max(hop of consumed lots) + 1`.
    pub hop: u32,
    /// Tainted part of `amount` for this label and hop (under poison: the full amount).
    pub tainted: Decimal,
}

/// One step of lineage: debit `debit_seq` drew `amount` of `label` from the lot that credit
/// `credit_seq` brought into the debited account (`credit_seq` is a source or an earlier debit).
/// Following `credit_seq` back to its own lineage edges walks the chain to the source.
///
/// `credit_seq` is `None` when, under pro-rata or LIBR, the account held more than
/// [`TraceConfig::max_lots_per_account`](super::TraceConfig::max_lots_per_account) tainted lots and
/// they were merged per label: the debit drew from the account's pooled taint of `label`, i.e.
/// from the tainted credits of that label booked into `account` before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageEdge {
    /// The debiting event.
    pub debit_seq: u32,
    /// The earlier credit whose tainted lot was consumed; `None` for a merged (pooled) lot.
    pub credit_seq: Option<u32>,
    /// The account the lot was held in (the debit's `from`).
    pub account: u32,
    /// The label of the lot.
    pub label: Label,
    /// The hop of the lot (the hop of `credit_seq` for this label).
    pub hop: u32,
    /// How much was drawn from the lot (poison: the full debit amount).
    pub amount: Decimal,
}

/// Tainted money of one label left in one account at the end of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLabelBalance {
    /// The account.
    pub account: u32,
    /// The label.
    pub label: Label,
    /// The account's final balance (may be negative when overdrawn).
    pub balance: Decimal,
    /// Tainted money of `label` remaining; never above `max(0, balance)`.
    pub tainted: Decimal,
}

/// Per-label totals. For conserving rules, exactly
/// `introduced == exited + absorbed_by_overdraft + remaining`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSummary {
    /// The label.
    pub label: Label,
    /// Taint introduced by sources (sum of hop-0 parts).
    pub introduced: Decimal,
    /// Taint paid out of the case (events with `to: None`).
    pub exited: Decimal,
    /// Taint paid into overdrawn accounts, which repaid the overdraft (Bishopsgate) and is lost.
    pub absorbed_by_overdraft: Decimal,
    /// Taint remaining in accounts at the end.
    pub remaining: Decimal,
}

impl LabelSummary {
    /// Everything the rule attributes to the label: `exited + absorbed_by_overdraft + remaining`.
    /// Equals `introduced` for conserving rules; above it under poison.
    pub fn attributed(&self) -> Decimal {
        self.exited + self.absorbed_by_overdraft + self.remaining
    }
}

/// The result of tracing under one rule. All vectors are sorted, so equal inputs give equal
/// (and byte-identical when serialised) results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceResult {
    /// The rule applied.
    pub rule: Rule,
    /// Whether the rule conserves value (false for poison).
    pub conserving: bool,
    /// The scale (decimal places) all amounts were computed at.
    pub scale: u32,
    /// Tainted events, in processing order `(at, seq)`, then by `(label, hop)`.
    pub rows: Vec<TaintRow>,
    /// Lineage edges, in processing order of the debit, then by consumption order.
    pub lineage: Vec<LineageEdge>,
    /// Final tainted balances, sorted by `(account, label)`; zero balances omitted.
    pub balances: Vec<AccountLabelBalance>,
    /// Per-label totals, sorted by label.
    pub labels: Vec<LabelSummary>,
}

impl TraceResult {
    /// Tainted amount of `label` carried by event `seq`, summed over hops. O(rows).
    pub fn tainted_in_event(&self, seq: u32, label: Label) -> Decimal {
        self.rows.iter().filter(|r| r.seq == seq && r.label == label).map(|r| r.tainted).sum()
    }

    /// Rows of event `seq`. O(rows).
    pub fn rows_of(&self, seq: u32) -> impl Iterator<Item = &TaintRow> {
        self.rows.iter().filter(move |r| r.seq == seq)
    }

    /// Tainted money of `label` remaining in `account`. O(log balances).
    pub fn remaining(&self, account: u32, label: Label) -> Decimal {
        self.balances
            .binary_search_by(|b| (b.account, b.label).cmp(&(account, label)))
            .map(|i| self.balances[i].tainted)
            .unwrap_or(Decimal::ZERO)
    }

    /// The totals of `label`, if it occurs. O(log labels).
    pub fn summary(&self, label: Label) -> Option<&LabelSummary> {
        self.labels.binary_search_by(|s| s.label.cmp(&label)).ok().map(|i| &self.labels[i])
    }

    /// Lineage edges of debit `seq`. O(lineage).
    pub fn lineage_of(&self, seq: u32) -> impl Iterator<Item = &LineageEdge> {
        self.lineage.iter().filter(move |e| e.debit_seq == seq)
    }
}
