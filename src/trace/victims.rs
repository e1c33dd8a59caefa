//! Per-victim sources (issue 9): one taint label per victim, so that every asset shows how much of
//! its purchase payments is traced to each victim, under every rule, exactly, with the chain of
//! transfers of each label (the engine's lineage). Conservation holds per label (see
//! [`crate::trace`]).
//!
//! # What a victim's earnings are
//! A victim's **earnings** are every credit booked into an account held by the victim from the
//! start of the victim's `since` day (victims.csv; open when not given) up to the end of the
//! ledger passed in: cash deposits and client or employer payments alike. In trafficking cases
//! these accounts are opened and used under the exploiters' control (docs/methodology.md#t-victim-control,
//! "victim-account control": deposits from clients, then a sweep to one controller), so what
//! reaches them is the proceeds of the victim's exploitation; the exploiters collect it from
//! there. The earnings are the hop-0 taint of the victim's label.
//!
//! A credit that already carries another victim's taint (one victim's money paid into another
//! victim's account) keeps that label: only its untainted part becomes the receiving victim's
//! earnings (the engine's source precedence), so no money is counted twice.
//!
//! # Labels
//! Victims are sorted by external entity id and numbered from 1 (`Label(1)` is the first id).
//! The numbering matters only for ties: where pro-rata or LIBR splits a cent between equally
//! entitled victims, the lower label (the lower id) receives it (docs/methodology.md#tracing; the
//! engine's largest-remainder convention). The order of a selection never changes a figure.
//!
//! Which assets: a property's **purchase payments** are the distinct transfers recorded as the
//! `payment_txn_ids` of its titles in force on the valuation date (the whole purchase, as in
//! `assets::confiscable`).

use super::case::{case_events, CaseTraceError};
use crate::model::{AccountId, Case, Date, EntityKind, EntityRef, TransferId};
use crate::trace::{trace_rules, Event, Label, Rule, Sources, TraceConfig, TraceResult};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Which victims to trace, each with a label of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VictimSelection {
    /// Every victim of the case's victims table (identified victims), with its `since`.
    pub listed: bool,
    /// Further true or probable victims by external person id, with the first day of their
    /// exploitation when known (`None`: every credit to their accounts). A victim also listed in
    /// the victims table keeps the table's `since` unless a date is given here.
    pub extra: Vec<(String, Option<Date>)>,
}

impl VictimSelection {
    /// The victims table only.
    pub fn listed() -> Self {
        VictimSelection { listed: true, extra: Vec::new() }
    }

    /// Parses `ID` or `ID@YYYY-MM-DD` (the `--victim` flag). `None` when the date is malformed.
    pub fn parse_extra(s: &str) -> Option<(String, Option<Date>)> {
        match s.trim().split_once('@') {
            Some((id, d)) => Some((id.trim().to_string(), Some(Date::parse_iso(d.trim())?))),
            None => Some((s.trim().to_string(), None)),
        }
    }
}

/// One victim's label and where its earnings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VictimLabel {
    /// The victim (a person).
    pub victim: EntityRef,
    /// The label of the victim's earnings.
    pub label: Label,
    /// First day of the earnings; `None` = every credit.
    pub since: Option<Date>,
    /// Accounts held by the victim, ascending.
    pub accounts: Vec<AccountId>,
    /// Whether the victim is in the case's victims table (identified) rather than given by id.
    pub listed: bool,
}

impl VictimLabel {
    /// First booking second of the earnings.
    pub fn from_second(&self) -> i64 {
        self.since.map_or(i64::MIN, |d| d.start().0)
    }
}

/// Resolves a selection into labelled victims, sorted by external id (`Label(1)` first).
///
/// # Errors
/// [`CaseTraceError::UnknownVictim`] for an id that is not a person of the case.
///
/// # Complexity
/// O(victims log victims + accounts).
pub fn select_victims(case: &Case, sel: &VictimSelection) -> Result<Vec<VictimLabel>, CaseTraceError> {
    let mut chosen: BTreeMap<String, (EntityRef, Option<Date>, bool)> = BTreeMap::new();
    if sel.listed {
        for v in &case.victims.rows {
            chosen.insert(case.entity_id(v.entity).to_string(), (v.entity, v.since, true));
        }
    }
    for (id, since) in &sel.extra {
        let e = case
            .entity(id)
            .filter(|e| e.kind == EntityKind::Person)
            .ok_or_else(|| CaseTraceError::UnknownVictim { id: id.clone() })?;
        let key = case.entity_id(e).to_string();
        match chosen.get_mut(&key) {
            Some(c) => {
                if since.is_some() {
                    c.1 = *since;
                }
            }
            None => {
                chosen.insert(key, (e, *since, false));
            }
        }
    }
    let mut held: HashMap<EntityRef, Vec<AccountId>> = HashMap::new();
    for (i, a) in case.accounts.rows.iter().enumerate() {
        if let Some(h) = a.holder {
            held.entry(h).or_default().push(AccountId::from_raw(i as u32));
        }
    }
    Ok(chosen
        .into_values()
        .enumerate()
        .map(|(i, (victim, since, listed))| VictimLabel {
            victim,
            label: Label(i as u32 + 1),
            since,
            accounts: held.get(&victim).cloned().unwrap_or_default(),
            listed,
        })
        .collect())
}

/// The engine sources of the victims' earnings: every credit to each victim's accounts from
/// its `since` on, with the victim's label. O(victims + their accounts).
pub fn victim_sources(victims: &[VictimLabel]) -> Sources {
    let mut s = Sources::new();
    for v in victims {
        for &a in &v.accounts {
            s.add_inflows(a.raw(), v.from_second(), i64::MAX, v.label);
        }
    }
    s
}

/// The case's transfers booked up to the end of `as_of` as events (base currency).
pub fn events_until(case: &Case, as_of: Date) -> Vec<Event> {
    let end = as_of.start().0 + 86_399;
    let mut ev = case_events(case);
    ev.retain(|e| e.at <= end);
    ev
}

/// Traces the victims' earnings under `rules` (one label per victim, rules in parallel) over the
/// transfers booked up to the end of `as_of`. Returns no results when no victim holds an account.
///
/// # Errors
/// The engine's validation errors.
pub fn trace_victims(
    case: &Case,
    victims: &[VictimLabel],
    as_of: Date,
    rules: &[Rule],
    config: &TraceConfig,
) -> Result<Vec<TraceResult>, CaseTraceError> {
    let sources = victim_sources(victims);
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    Ok(trace_rules(&events_until(case, as_of), &sources, rules, config)?)
}

/// How much of one property's purchase payments is traced to one victim.
#[derive(Clone, Debug, PartialEq)]
pub struct VictimAsset {
    /// The victim.
    pub victim: EntityRef,
    /// The victim's label.
    pub label: Label,
    /// Index into `Case::properties`.
    pub property: u32,
    /// Tainted amount of the victim's label in the purchase payments, per rule (result order).
    pub traced: Vec<(Rule, Decimal)>,
    /// The purchase payments, ascending.
    pub payments: Vec<TransferId>,
    /// The chain behind the figure: the payments and, walking the label's lineage back hop by
    /// hop under every rule traced, the transfers up to the victim's source credits (at most
    /// [`MAX_CHAIN`]), ascending.
    pub chain: Vec<TransferId>,
}

/// Most transfers cited for one figure (`moneytrail trace` lists every hop).
pub const MAX_CHAIN: usize = 200;

/// The purchase payments of every property: distinct payment transfers of its titles in force on
/// `as_of`, booked up to its end. Sorted by property.
pub fn purchase_payments(case: &Case, as_of: Date) -> BTreeMap<u32, Vec<u32>> {
    let end = as_of.start().0 + 86_399;
    let mut out: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for t in &case.titles.rows {
        let in_force = t.acquired_on.is_none_or(|d| d <= as_of) && t.disposed_on.is_none_or(|d| d > as_of);
        if !in_force {
            continue;
        }
        let p = out.entry(t.property).or_default();
        p.extend(
            t.payment_txns
                .iter()
                .copied()
                .filter(|&x| case.transfers.booked_at.get(x as usize).is_some_and(|b| b.0 <= end)),
        );
    }
    for v in out.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    out.retain(|_, v| !v.is_empty());
    out
}

/// Tainted amount per `(transfer, label)` for the transfers in `seqs`, summed over hops. O(rows).
pub fn tainted_by_label(result: &TraceResult, seqs: &BTreeSet<u32>) -> HashMap<(u32, Label), Decimal> {
    let mut m: HashMap<(u32, Label), Decimal> = HashMap::new();
    for r in result.rows.iter().filter(|r| seqs.contains(&r.seq)) {
        *m.entry((r.seq, r.label)).or_default() += r.tainted;
    }
    m
}

/// Lineage per label: `(debit, label)` -> the earlier credits whose lots of that label it drew,
/// over every result given. O(lineage).
pub fn lineage_by_label(results: &[TraceResult]) -> HashMap<(u32, Label), Vec<u32>> {
    let mut back: HashMap<(u32, Label), Vec<u32>> = HashMap::new();
    for r in results {
        for e in &r.lineage {
            if let Some(c) = e.credit_seq {
                back.entry((e.debit_seq, e.label)).or_default().push(c);
            }
        }
    }
    for v in back.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    back
}

/// The transfers behind `label`'s taint in `seqs`: themselves and, breadth-first back through
/// the label's lineage, every earlier hop up to the sources, at most `cap`, ascending.
pub fn label_chain(back: &HashMap<(u32, Label), Vec<u32>>, label: Label, seqs: &[u32], cap: usize) -> Vec<u32> {
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let mut queue: VecDeque<u32> = seqs.iter().copied().collect();
    while let Some(s) = queue.pop_front() {
        if seen.len() >= cap {
            break;
        }
        if seen.insert(s) {
            queue.extend(back.get(&(s, label)).into_iter().flatten().copied());
        }
    }
    seen.into_iter().collect()
}

/// Per victim and property: the victim's share of the purchase payments under every rule traced
/// (`results` of [`trace_victims`] for the same victims). Only pairs with a non-zero amount under
/// some rule; sorted by victim label, then property.
///
/// # Complexity
/// O(rows + lineage) over the results, plus the chains.
pub fn victim_assets(case: &Case, victims: &[VictimLabel], results: &[TraceResult], as_of: Date) -> Vec<VictimAsset> {
    let payments = purchase_payments(case, as_of);
    let all: BTreeSet<u32> = payments.values().flatten().copied().collect();
    let tainted: Vec<HashMap<(u32, Label), Decimal>> = results.iter().map(|r| tainted_by_label(r, &all)).collect();
    let back = lineage_by_label(results);
    let mut out = Vec::new();
    for v in victims {
        for (&property, pays) in &payments {
            let traced: Vec<(Rule, Decimal)> = results
                .iter()
                .zip(&tainted)
                .map(|(r, m)| (r.rule, pays.iter().filter_map(|&p| m.get(&(p, v.label))).copied().sum()))
                .collect();
            if traced.iter().all(|t| t.1.is_zero()) {
                continue;
            }
            let chain = label_chain(&back, v.label, pays, MAX_CHAIN);
            let (payments, chain) = (TransferId::from_raws(pays).collect(), TransferId::from_raws(&chain).collect());
            out.push(VictimAsset { victim: v.victim, label: v.label, property, traced, payments, chain });
        }
    }
    out
}

/// The source credits of a victim's label (hop 0) under `result`, ascending. O(rows).
pub fn earnings_credits(result: &TraceResult, label: Label) -> Vec<u32> {
    let mut v: Vec<u32> = result.rows.iter().filter(|r| r.label == label && r.hop == 0).map(|r| r.seq).collect();
    v.sort_unstable();
    v.dedup();
    v
}
