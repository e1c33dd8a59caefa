//! A finding: one instance of a typology, with the transfers and rows that prove it, a score
//! that says which indicators fired, and the link to the nearest suspect.

use super::context::Spec;
use crate::graph::FlowGraph;
use crate::model::{AccountId, Case, DateTime, EntityRef, TransferId};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

/// The highest score a finding with a single indicator can reach (project default).
pub const SINGLE_INDICATOR_CAP: u32 = 40;

/// One indicator that contributed to a score.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    /// Short name (`many_senders`, `below_threshold`, ...).
    pub name: &'static str,
    /// Contribution in points (0 to 100 in all).
    pub points: u32,
    /// What was measured, for the explanation.
    pub detail: String,
}

/// The suspect nearest to a finding's accounts and entities in the case network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuspectLink {
    /// The suspect.
    pub suspect: EntityRef,
    /// Hops from the finding to the suspect (0: the suspect is in the finding).
    pub hops: u32,
}

/// One detected instance of a typology.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable id: a hash of typology and evidence (see [`Finding::compute_id`]).
    pub id: String,
    /// Typology name, as in truth/patterns.csv.
    pub typology: &'static str,
    /// 0..=100, the sum of the indicators' points (decibans of evidence, docs/methodology.md#ranking), capped.
    pub score: u32,
    /// The uncapped sum of the indicators' points: breaks ties between findings whose score
    /// reached the cap of 100, so the strongest evidence still ranks first.
    pub evidence: u32,
    /// Accounts involved (indices into `Case::accounts`), sorted.
    pub accounts: Vec<AccountId>,
    /// Persons and companies involved, sorted.
    pub entities: Vec<EntityRef>,
    /// Transfers involved (indices into `Case::transfers`), sorted.
    pub txns: Vec<TransferId>,
    /// Sum of the transfers in the base currency (or the typology's own total); transfers
    /// without a base amount are not in it (see `unknown_base`).
    pub total: Decimal,
    /// Earliest booking among the transfers (or the event date).
    pub first_at: Option<DateTime>,
    /// Latest booking.
    pub last_at: Option<DateTime>,
    /// What fired.
    pub indicators: Vec<Indicator>,
    /// The nearest suspect and the hop count, filled by the runner.
    pub suspect: Option<SuspectLink>,
    /// Context data the detector's indicators need that this case lacks entirely.
    pub not_evaluable: Vec<&'static str>,
    /// Transfers of the finding without a base amount (no rate for their currency on or before
    /// their date): not in `total`; amount comparisons across currencies skipped them.
    pub unknown_base: u32,
    /// What the detector could not check, in words (an amount comparison across currencies
    /// without a rate, skipped), for the explanation.
    pub notes: Vec<String>,
    /// Where the finding ranks among the case's candidates of its typology, in percent
    /// (mid-rank: the share ranked below it plus half of its ties, by score then evidence),
    /// filled by the runner before any cut: a number that means the same in every typology
    /// and data set (docs/ranking.md, "Percentile").
    pub percentile: f64,
    /// How many candidates of its typology the case holds (the `M` of "top N of M").
    pub candidates: u32,
}

impl Finding {
    /// A new finding; ids, score and ordering are computed by [`Finding::finish`].
    pub fn new(typology: &'static str) -> Finding {
        Finding {
            id: String::new(),
            typology,
            score: 0,
            evidence: 0,
            accounts: Vec::new(),
            entities: Vec::new(),
            txns: Vec::new(),
            total: Decimal::ZERO,
            first_at: None,
            last_at: None,
            indicators: Vec::new(),
            suspect: None,
            not_evaluable: Vec::new(),
            unknown_base: 0,
            notes: Vec::new(),
            percentile: 0.0,
            candidates: 0,
        }
    }

    /// Adds indicator `spec` with its declared points and what was measured.
    pub fn indicate(&mut self, spec: &Spec, detail: impl Into<String>) {
        self.indicators.push(Indicator { name: spec.name, points: spec.points, detail: detail.into() });
    }

    /// Adds graded indicator `spec` with measured `points` (at most its declared points; none
    /// when 0) and what was measured.
    pub fn indicate_graded(&mut self, spec: &Spec, points: u32, detail: impl Into<String>) {
        let points = points.min(spec.points);
        if points > 0 {
            self.indicators.push(Indicator { name: spec.name, points, detail: detail.into() });
        }
    }

    /// Adds a note on what could not be checked (said in the explanation).
    pub fn note(&mut self, note: impl Into<String>) {
        let n = note.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// Sorts and de-duplicates the evidence, fills totals and dates from the transfers when
    /// they were not set (a transfer without a base amount is counted, never summed), computes
    /// the score and the stable id.
    pub fn finish(mut self, case: &Case, flow: &FlowGraph) -> Finding {
        self.accounts.sort_unstable();
        self.accounts.dedup();
        self.entities.sort_unstable();
        self.entities.dedup();
        self.txns.sort_unstable();
        self.txns.dedup();
        if !self.txns.is_empty() {
            let t = &case.transfers;
            self.unknown_base = self.txns.iter().filter(|&&i| !t.has_base(i.ix())).count() as u32;
            if self.total.is_zero() {
                let amounts = self.txns.iter().filter(|&&i| t.has_base(i.ix())).map(|&i| flow.base_of(i.ix()));
                match super::common::checked_sum(amounts) {
                    Some(v) => self.total = v,
                    None => {
                        self.total = Decimal::MAX;
                        self.note(
                            "the transfers' total exceeds the largest representable amount: shown as that maximum",
                        );
                    }
                }
            }
            let times = self.txns.iter().map(|&t| case.transfers.booked_at[t.ix()]);
            self.first_at = self.first_at.or_else(|| times.clone().min());
            self.last_at = self.last_at.or_else(|| times.max());
        }
        self.rescore();
        self.id = self.compute_id(case);
        self
    }

    /// Recomputes the score from the indicators.
    pub fn rescore(&mut self) {
        // No single indicator makes a high score (docs/methodology.md#no-single-indicator: "no single indicator is
        // likely to confirm"): one indicator alone is capped at SINGLE_INDICATOR_CAP.
        let raw = self.indicators.iter().map(|i| i.points).sum::<u32>();
        let sum = raw.min(100);
        self.score = if self.indicators.len() < 2 { sum.min(SINGLE_INDICATOR_CAP) } else { sum };
        self.evidence = if self.indicators.len() < 2 { self.score } else { raw };
    }

    /// `typology-` plus 12 hex digits of the SHA-256 of the typology and the external ids of
    /// its transfers, accounts and entities: stable across runs and machines.
    pub fn compute_id(&self, case: &Case) -> String {
        let mut h = Sha256::new();
        h.update(self.typology.as_bytes());
        for &t in &self.txns {
            h.update(b"\x1ft");
            h.update(case.transfers.txn_id.get(t.ix()).as_bytes());
        }
        for &a in &self.accounts {
            h.update(b"\x1fa");
            h.update(case.account_row(a).id.as_bytes());
        }
        for &e in &self.entities {
            h.update(b"\x1fe");
            h.update(case.entity_id(e).as_bytes());
        }
        let hex = format!("{:x}", h.finalize());
        format!("{}-{}", self.typology, &hex[..12])
    }

    /// The indicators as one sentence per indicator, with points, then what could not be
    /// evaluated or compared.
    pub fn explanation(&self) -> String {
        let mut parts: Vec<String> =
            self.indicators.iter().map(|i| format!("{} (+{}): {}", i.name, i.points, i.detail)).collect();
        if parts.len() == 1 {
            parts.push("single indicator: score capped, corroborate before acting".into());
        }
        if self.unknown_base > 0 {
            parts.push(format!(
                "{} of the {} transfers have no rate to the base currency: not in the total",
                self.unknown_base,
                self.txns.len()
            ));
        }
        parts.extend(self.notes.iter().cloned());
        if self.candidates > 0 {
            parts.push(format!(
                "ranks at percentile {:.1} among the {} {} candidates of this case",
                self.percentile, self.candidates, self.typology
            ));
        }
        if !self.not_evaluable.is_empty() {
            parts.push(format!(
                "not evaluable here: {} (indicators needing them could add no points)",
                self.not_evaluable.join(", ")
            ));
        }
        parts.join("; ")
    }
}
