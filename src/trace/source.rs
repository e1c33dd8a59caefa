//! Which credits are taint sources, with which label.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Event, Label, TraceError};

/// Selects all credits to `account` booked in `[from, to]` (inclusive) as sources with `label`,
/// e.g. every inflow to a suspect's account during the exploitation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InflowSelection {
    /// The credited account (dense index).
    pub account: u32,
    /// First booking time included.
    pub from: i64,
    /// Last booking time included.
    pub to: i64,
    /// Only cash deposits (`Event::from == None`), not transfers from other accounts.
    pub cash_only: bool,
    /// The label the selected credits carry.
    pub label: Label,
}

/// The taint sources of a trace: chosen transfers and inflow selections, each with a label.
///
/// A selected transfer's credit is tainted with its label at hop 0 (see the module docs for the
/// precedence when the transfer already carries taint). An event may be selected several times
/// with the same label; with two different labels the trace fails with
/// [`TraceError::ConflictingSources`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    transfers: Vec<(u32, Label)>,
    inflows: Vec<InflowSelection>,
}

impl Sources {
    /// No sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the transfer with this `seq` as a source with `label`. O(1).
    pub fn add_transfer(&mut self, seq: u32, label: Label) -> &mut Self {
        self.transfers.push((seq, label));
        self
    }

    /// Marks every credit to `account` booked in `[from, to]` (inclusive) as a source with `label`.
    pub fn add_inflows(&mut self, account: u32, from: i64, to: i64, label: Label) -> &mut Self {
        self.inflows.push(InflowSelection { account, from, to, cash_only: false, label });
        self
    }

    /// Marks every cash deposit (`from: None`) to `account` booked in `[from, to]` as a source.
    pub fn add_cash_deposits(&mut self, account: u32, from: i64, to: i64, label: Label) -> &mut Self {
        self.inflows.push(InflowSelection { account, from, to, cash_only: true, label });
        self
    }

    /// The selected transfers as `(seq, label)`, in insertion order.
    pub fn transfers(&self) -> &[(u32, Label)] {
        &self.transfers
    }

    /// The inflow selections, in insertion order.
    pub fn inflows(&self) -> &[InflowSelection] {
        &self.inflows
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.transfers.is_empty() && self.inflows.is_empty()
    }

    /// Resolves the selection against the events given in processing order. Returns
    /// `(position, label)` sorted by position. O(n) expected.
    pub(crate) fn resolve<'e>(
        &self,
        in_order: impl Iterator<Item = &'e Event>,
    ) -> Result<Vec<(u32, Label)>, TraceError> {
        let mut by_seq: HashMap<u32, (Label, bool)> = HashMap::with_capacity(self.transfers.len());
        for &(seq, label) in &self.transfers {
            if label == Label::CLEAN {
                return Err(TraceError::ReservedLabel);
            }
            if let Some(&(first, _)) = by_seq.get(&seq) {
                if first != label {
                    return Err(TraceError::ConflictingSources {
                        seq,
                        first: first.min(label),
                        second: first.max(label),
                    });
                }
            }
            by_seq.insert(seq, (label, false));
        }
        let mut by_account: HashMap<u32, Vec<InflowSelection>> = HashMap::new();
        for w in &self.inflows {
            if w.label == Label::CLEAN {
                return Err(TraceError::ReservedLabel);
            }
            if w.to < w.from {
                return Err(TraceError::EmptyWindow { account: w.account, from: w.from, to: w.to });
            }
            by_account.entry(w.account).or_default().push(*w);
        }

        let mut out = Vec::new();
        for (pos, ev) in in_order.enumerate() {
            let mut label: Option<Label> = None;
            if let Some(entry) = by_seq.get_mut(&ev.seq) {
                entry.1 = true;
                label = Some(entry.0);
            }
            if let Some(windows) = ev.to.and_then(|to| by_account.get(&to)) {
                for w in windows {
                    if ev.at < w.from || ev.at > w.to || (w.cash_only && ev.from.is_some()) {
                        continue;
                    }
                    match label {
                        Some(l) if l != w.label => {
                            return Err(TraceError::ConflictingSources {
                                seq: ev.seq,
                                first: l.min(w.label),
                                second: l.max(w.label),
                            })
                        }
                        _ => label = Some(w.label),
                    }
                }
            }
            if let Some(l) = label {
                // Positions fit in u32: the engine rejects more than u32::MAX events.
                out.push((pos as u32, l));
            }
        }
        if let Some((&seq, _)) = by_seq.iter().filter(|(_, (_, seen))| !seen).min_by_key(|(seq, _)| **seq) {
            return Err(TraceError::UnknownSourceSeq { seq });
        }
        Ok(out)
    }
}
