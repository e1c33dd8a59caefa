//! Traces each suspect's inflows through the case under several rules side by side (FIFO,
//! LIBR, pro-rata; docs/domain.md §2) and turns each result into the figures a prosecutor needs:
//! proceeds introduced, still held in the scope's accounts, paid into property, elsewhere.

use crate::graph::FlowGraph;
use crate::model::{Case, EntityRef, NO_ACCOUNT};
use crate::trace::{trace_rules, Event, Label, Rule, Sources, TraceConfig, TraceError};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The rules traced side by side by default: the band's ends and the middle.
pub const DEFAULT_RULES: [Rule; 3] = [Rule::Fifo, Rule::ProRata, Rule::Libr];

/// What to trace for one suspect.
#[derive(Clone, Debug)]
pub struct TraceRequest {
    /// The suspect.
    pub suspect: EntityRef,
    /// Accounts held by the suspect: every credit to them since `since` is a source.
    pub own_accounts: Vec<u32>,
    /// Accounts of the whole scope (family, companies): taint remaining there is "held".
    pub scope_accounts: Vec<u32>,
    /// Start of the suspicion period (booking seconds); `i64::MIN` when not given.
    pub since: i64,
}

/// One rule's figures for one suspect, in the base currency.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFigures {
    /// The rule.
    pub rule: Rule,
    /// Proceeds introduced (credits to the suspect's accounts since the suspicion date).
    pub introduced: Decimal,
    /// Tainted money still in the scope's accounts at the end of the ledger.
    pub held_in_scope: Decimal,
    /// Tainted money still in other accounts of the case (third parties).
    pub held_elsewhere: Decimal,
    /// Tainted money in recorded property purchase payments (land-register payment_txn_ids).
    pub into_property: Decimal,
    /// Tainted money paid out of the case (cash withdrawals, foreign transfers).
    pub exited: Decimal,
    /// Lost to overdrafts (Bishopsgate).
    pub absorbed: Decimal,
}

impl RuleFigures {
    /// Object-based, identifiable proceeds: held in the scope's accounts plus paid into property.
    pub fn identifiable(&self) -> Decimal {
        self.held_in_scope + self.into_property
    }
}

/// The figures of one suspect under every rule traced.
#[derive(Clone, Debug, PartialEq)]
pub struct SuspectTrace {
    /// The suspect.
    pub suspect: EntityRef,
    /// The label used.
    pub label: Label,
    /// One entry per rule, in rule order.
    pub figures: Vec<RuleFigures>,
}

impl SuspectTrace {
    /// (lowest, highest) identifiable proceeds across the rules.
    pub fn band(&self) -> (Decimal, Decimal) {
        let v: Vec<Decimal> = self.figures.iter().map(RuleFigures::identifiable).collect();
        (v.iter().copied().min().unwrap_or_default(), v.iter().copied().max().unwrap_or_default())
    }
}

/// Every transfer as a tracing event, amounts in the base currency.
pub fn events(case: &Case, flow: &FlowGraph) -> Vec<Event> {
    let t = &case.transfers;
    (0..t.len())
        .map(|i| Event {
            seq: i as u32,
            at: t.booked_at[i].0,
            from: (t.from[i] != NO_ACCOUNT).then_some(t.from[i]),
            to: (t.to[i] != NO_ACCOUNT).then_some(t.to[i]),
            amount: flow.base[i],
        })
        .collect()
}

/// Traces all requests at once (one label per suspect, in request order) under `rules`.
///
/// # Errors
/// The tracing engine's validation errors.
///
/// # Complexity
/// One preparation of the events, then the rules in parallel (see [`crate::trace`]).
pub fn trace_suspects(
    case: &Case,
    flow: &FlowGraph,
    requests: &[TraceRequest],
    rules: &[Rule],
    config: &TraceConfig,
) -> Result<Vec<SuspectTrace>, TraceError> {
    let mut sources = Sources::new();
    for (i, r) in requests.iter().enumerate() {
        for &a in &r.own_accounts {
            sources.add_inflows(a, r.since, i64::MAX, Label(i as u32 + 1));
        }
    }
    let empty = |r: &TraceRequest, l: u32| SuspectTrace { suspect: r.suspect, label: Label(l), figures: Vec::new() };
    if sources.is_empty() {
        return Ok(requests.iter().enumerate().map(|(i, r)| empty(r, i as u32 + 1)).collect());
    }
    let ev = events(case, flow);
    let results = trace_rules(&ev, &sources, rules, config)?;
    let payments: BTreeSet<u32> = case.titles.rows.iter().flat_map(|t| t.payment_txns.iter().copied()).collect();
    let mut out: Vec<SuspectTrace> = requests.iter().enumerate().map(|(i, r)| empty(r, i as u32 + 1)).collect();
    for res in &results {
        let mut into: BTreeMap<Label, Decimal> = BTreeMap::new();
        for row in res.rows.iter().filter(|r| payments.contains(&r.seq)) {
            *into.entry(row.label).or_default() += row.tainted;
        }
        for (i, r) in requests.iter().enumerate() {
            let label = Label(i as u32 + 1);
            let scope: BTreeSet<u32> = r.scope_accounts.iter().copied().collect();
            let (mut held, mut elsewhere) = (Decimal::ZERO, Decimal::ZERO);
            for b in res.balances.iter().filter(|b| b.label == label) {
                if scope.contains(&b.account) {
                    held += b.tainted;
                } else {
                    elsewhere += b.tainted;
                }
            }
            let s = res.summary(label);
            out[i].figures.push(RuleFigures {
                rule: res.rule,
                introduced: s.map(|s| s.introduced).unwrap_or_default(),
                held_in_scope: held,
                held_elsewhere: elsewhere,
                into_property: into.get(&label).copied().unwrap_or_default(),
                exited: s.map(|s| s.exited).unwrap_or_default(),
                absorbed: s.map(|s| s.absorbed_by_overdraft).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}
