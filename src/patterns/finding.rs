//! A finding: one instance of a typology, with the transfers and rows that prove it, a score
//! that says which indicators fired, and the link to the nearest suspect.

use super::context::Spec;
use crate::model::{Case, DateTime, EntityRef};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

/// The highest score a finding with a single indicator can reach [D].
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

/// The reporting decision of a finding (see [`super::context`]): the configured `min_score`
/// scaled to the indicator points the case's data can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    /// The score from which the finding is reported.
    pub applied: u32,
    /// The detector's configured `min_score`.
    pub min_score: u32,
    /// Points of the indicators this case can evaluate.
    pub evaluable_points: u32,
    /// Points of all the detector's indicators.
    pub full_points: u32,
}

/// One detected instance of a typology.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable id: a hash of typology and evidence (see [`Finding::compute_id`]).
    pub id: String,
    /// Typology name, as in truth/patterns.csv.
    pub typology: &'static str,
    /// 0..=100, the sum of the indicators' points, capped.
    pub score: u32,
    /// Accounts involved (indices into `Case::accounts`), sorted.
    pub accounts: Vec<u32>,
    /// Persons and companies involved, sorted.
    pub entities: Vec<EntityRef>,
    /// Transfers involved (indices into `Case::transfers`), sorted.
    pub txns: Vec<u32>,
    /// Sum of the transfers in the base currency (or the typology's own total).
    pub total: Decimal,
    /// Earliest booking among the transfers (or the event date).
    pub first_at: Option<DateTime>,
    /// Latest booking.
    pub last_at: Option<DateTime>,
    /// What fired.
    pub indicators: Vec<Indicator>,
    /// The nearest suspect and the hop count, filled by the runner.
    pub suspect: Option<SuspectLink>,
    /// The reporting decision (see [`super::context`]); `None` for detectors that do not use it.
    pub threshold: Option<Threshold>,
    /// Context data the detector's indicators need that this case lacks entirely.
    pub not_evaluable: Vec<&'static str>,
    /// Set when the finding is reported on its structure alone, without reaching the
    /// threshold (see [`super::context::DataContext::report_on_structure`]): why that
    /// structure is sufficient evidence.
    pub structural: Option<String>,
}

impl Finding {
    /// A new finding; ids, score and ordering are computed by [`Finding::finish`].
    pub fn new(typology: &'static str) -> Finding {
        Finding {
            id: String::new(),
            typology,
            score: 0,
            accounts: Vec::new(),
            entities: Vec::new(),
            txns: Vec::new(),
            total: Decimal::ZERO,
            first_at: None,
            last_at: None,
            indicators: Vec::new(),
            suspect: None,
            threshold: None,
            not_evaluable: Vec::new(),
            structural: None,
        }
    }

    /// Adds indicator `spec` with its declared points and what was measured.
    pub fn indicate(&mut self, spec: &Spec, detail: impl Into<String>) {
        self.indicators.push(Indicator { name: spec.name, points: spec.points, detail: detail.into() });
    }

    /// Sorts and de-duplicates the evidence, fills totals and dates from the transfers when
    /// they were not set, computes the score and the stable id.
    pub fn finish(mut self, case: &Case, base: &[Decimal]) -> Finding {
        self.accounts.sort_unstable();
        self.accounts.dedup();
        self.entities.sort_unstable();
        self.entities.dedup();
        self.txns.sort_unstable();
        self.txns.dedup();
        if !self.txns.is_empty() {
            if self.total.is_zero() {
                self.total = self.txns.iter().map(|&t| base[t as usize]).sum();
            }
            let times = self.txns.iter().map(|&t| case.transfers.booked_at[t as usize]);
            self.first_at = self.first_at.or_else(|| times.clone().min());
            self.last_at = self.last_at.or_else(|| times.max());
        }
        self.rescore();
        self.id = self.compute_id(case);
        self
    }

    /// Recomputes the score from the indicators.
    pub fn rescore(&mut self) {
        // No single indicator makes a high score (docs/domain.md §0: "no single indicator is
        // likely to confirm"): one indicator alone is capped at SINGLE_INDICATOR_CAP.
        let sum = self.indicators.iter().map(|i| i.points).sum::<u32>().min(100);
        self.score = if self.indicators.len() < 2 { sum.min(SINGLE_INDICATOR_CAP) } else { sum };
    }

    /// `typology-` plus 12 hex digits of the SHA-256 of the typology and the external ids of
    /// its transfers, accounts and entities: stable across runs and machines.
    pub fn compute_id(&self, case: &Case) -> String {
        let mut h = Sha256::new();
        h.update(self.typology.as_bytes());
        for &t in &self.txns {
            h.update(b"\x1ft");
            h.update(case.transfers.txn_id.get(t as usize).as_bytes());
        }
        for &a in &self.accounts {
            h.update(b"\x1fa");
            h.update(case.accounts.rows[a as usize].id.as_bytes());
        }
        for &e in &self.entities {
            h.update(b"\x1fe");
            h.update(case.entity_id(e).as_bytes());
        }
        let hex = format!("{:x}", h.finalize());
        format!("{}-{}", self.typology, &hex[..12])
    }

    /// The indicators as one sentence per indicator, with points.
    pub fn explanation(&self) -> String {
        let mut parts: Vec<String> =
            self.indicators.iter().map(|i| format!("{} (+{}): {}", i.name, i.points, i.detail)).collect();
        if let Some(why) = &self.structural {
            parts.push(format!(
                "reported on structure and amount conservation alone ({why}); score below the reporting threshold"
            ));
        } else if parts.len() == 1 {
            parts.push("single indicator: score capped, corroborate before acting".into());
        }
        if let (Some(_), false) = (&self.structural, self.not_evaluable.is_empty()) {
            parts.push(format!("not evaluable here: {}", self.not_evaluable.join(", ")));
        } else if let (false, Some(t)) = (self.not_evaluable.is_empty(), self.threshold) {
            parts.push(format!(
                "not evaluable here: {}; reported from score {} (min_score {} scaled to the {} of {} indicator points this data can show)",
                self.not_evaluable.join(", "),
                t.applied,
                t.min_score,
                t.evaluable_points,
                t.full_points
            ));
        }
        parts.join("; ")
    }
}
