//! The case-facing side of tracing: maps a loaded [`Case`] onto the engine's [`Event`]s (amounts
//! in the base currency, converted at booking with the rate recorded, docs/methodology.md#albania-thresholds), selects
//! taint sources (chosen transfers, a suspect's account inflows in a period, the `txn_ids` of a
//! findings file), says where each tainted transfer went (property purchase, company capital, a
//! person, outside the case), and traces each suspect's inflows side by side under several rules
//! (FIFO, LIBR, pro-rata; docs/methodology.md#tracing), turning each result into the figures a prosecutor
//! needs: proceeds introduced, still held in the scope's accounts, paid into property, elsewhere.
//!
//! This file is the only part of `trace` that knows `model` (L0); the engine files stay free of
//! `Case` so they can be fed partitions by another planner.
//!
//! Source selection by query (`--source-query`) belongs to the query language (`src/query`,
//! another engineer's work): a query's result rows reach this module as transfer ids through
//! [`SourceSelection::Txns`], exactly like the rows of a findings file.

use crate::graph::FlowGraph;
use crate::model::{AccountId, Case, Date, EntityKind, EntityRef, NO_ACCOUNT};
use crate::trace::{trace_rules, Event, Label, Rule, Sources, TraceConfig, TraceError};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The rules traced side by side by default: the band's ends and the middle.
pub const DEFAULT_RULES: [Rule; 3] = [Rule::Fifo, Rule::ProRata, Rule::Libr];

/// What to trace for one suspect.
#[derive(Clone, Debug)]
pub struct TraceRequest {
    /// The suspect.
    pub suspect: EntityRef,
    /// Accounts held by the suspect: every credit to them since `since` is a source.
    pub own_accounts: Vec<AccountId>,
    /// Accounts of the whole scope (family, companies): taint remaining there is "held".
    pub scope_accounts: Vec<AccountId>,
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

/// Every transfer as a tracing event, amounts in the base currency (taken from the flow graph,
/// which converted them at booking). `seq` is the transfer's dense index.
pub fn events(case: &Case, flow: &FlowGraph) -> Vec<Event> {
    let t = &case.transfers;
    (0..t.len())
        .filter(|&i| t.has_base(i))
        .map(|i| Event {
            seq: i as u32,
            at: t.booked_at[i].0,
            from: (t.from[i] != NO_ACCOUNT).then_some(t.from[i]),
            to: (t.to[i] != NO_ACCOUNT).then_some(t.to[i]),
            amount: flow.base_of(i),
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
            sources.add_inflows(a.raw(), r.since, i64::MAX, Label(i as u32 + 1));
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
            let scope: BTreeSet<u32> = r.scope_accounts.iter().map(|a| a.raw()).collect();
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

/// Every transfer as a tracing event without building the flow graph: each amount converted into
/// the base currency at its booking date's rate ([`crate::model::Transfers::base_amount`], the same
/// figures as [`FlowGraph`]'s `base`). `seq` is the transfer's dense index. O(n), parallel.
/// Transfers without a base amount (no rate, [`crate::model::MISSING_RATE`]) are left out:
/// tracing never sums an amount it cannot value ([`unknown_base_note`] says how many).
pub fn case_events(case: &Case) -> Vec<Event> {
    let t = &case.transfers;
    (0..t.len())
        .into_par_iter()
        .filter_map(|i| {
            let c = t.base_amount(i, &case.fx)?;
            Some(Event {
                seq: i as u32,
                at: t.booked_at[i].0,
                from: (t.from[i] != NO_ACCOUNT).then_some(t.from[i]),
                to: (t.to[i] != NO_ACCOUNT).then_some(t.to[i]),
                amount: c.base_amount,
            })
        })
        .collect()
}

/// The note every tracing and valuation output carries when some transfers have no rate to
/// the base currency: they are left out of tracing, never valued at a guessed rate. `None`
/// when every transfer has a base amount.
pub fn unknown_base_note(case: &Case) -> Option<String> {
    let n = case.transfers.unknown_base();
    (n > 0).then(|| {
        format!(
            "{n} transfers have no {} rate on or before their date: their base amount is unknown, so tracing \
             and valuation leave them out (add the rates to fx_rates to include them)",
            case.meta.base_currency
        )
    })
}

/// Which credits are tainted at hop 0, in the case's external ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSelection {
    /// Transfers by `txn_id` (`--source-txn`, or the `txn_ids` of findings or query rows).
    Txns(Vec<String>),
    /// Every credit to `account` booked from the start of `from` to the end of `to` (whole days,
    /// inclusive; `None` is open).
    Account {
        /// External account id.
        account: String,
        /// First day included.
        from: Option<Date>,
        /// Last day included.
        to: Option<Date>,
    },
}

/// Why sources could not be selected in a case, or the trace failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseTraceError {
    /// A `txn_id` is not among the case's transfers.
    #[error("transfer '{txn_id}' is not in the case; check the id against transfers.csv")]
    UnknownTxn {
        /// The id asked for.
        txn_id: String,
    },
    /// An account id is not among the case's accounts.
    #[error("account '{account}' is not in the case; check the id against accounts.csv")]
    UnknownAccount {
        /// The id asked for.
        account: String,
    },
    /// A victim id is not a person of the case.
    #[error("victim '{id}' is not a person of the case; check the id against persons.csv")]
    UnknownVictim {
        /// The id asked for.
        id: String,
    },
    /// A findings file has no `txn_ids` column or cannot be read.
    #[error("findings file: {reason}; pass a CSV written by `moneytrail detect` (it has a txn_ids column)")]
    BadFindings {
        /// What is wrong.
        reason: String,
    },
    /// The engine rejected the input.
    #[error(transparent)]
    Trace(#[from] TraceError),
}

/// Turns external selections into engine [`Sources`], all with `label`.
///
/// # Errors
/// [`CaseTraceError::UnknownTxn`] / [`CaseTraceError::UnknownAccount`] naming the first id missing.
///
/// # Complexity
/// O(n) for n transfers when transfer ids are selected (one scan), else O(1) per selection.
pub fn resolve_sources(case: &Case, selections: &[SourceSelection], label: Label) -> Result<Sources, CaseTraceError> {
    let mut sources = Sources::new();
    let wanted: HashSet<&str> = selections
        .iter()
        .flat_map(|s| match s {
            SourceSelection::Txns(ids) => ids.iter().map(String::as_str).collect::<Vec<_>>(),
            SourceSelection::Account { .. } => Vec::new(),
        })
        .collect();
    let mut found: HashMap<&str, u32> = HashMap::with_capacity(wanted.len());
    if !wanted.is_empty() {
        let t = &case.transfers;
        for i in 0..t.len() {
            let id = t.txn_id.get(i);
            if wanted.contains(id) {
                found.entry(id).or_insert(i as u32);
            }
        }
    }
    for s in selections {
        match s {
            SourceSelection::Txns(ids) => {
                for id in ids {
                    let seq =
                        *found.get(id.as_str()).ok_or_else(|| CaseTraceError::UnknownTxn { txn_id: id.clone() })?;
                    sources.add_transfer(seq, label);
                }
            }
            SourceSelection::Account { account, from, to } => {
                let a =
                    case.account(account).ok_or_else(|| CaseTraceError::UnknownAccount { account: account.clone() })?;
                let from = from.map_or(i64::MIN, |d| d.start().0);
                let to = to.map_or(i64::MAX, |d| d.start().0 + 86_399);
                sources.add_inflows(a.raw(), from, to, label);
            }
        }
    }
    Ok(sources)
}

/// Reads the `txn_ids` column (ids joined by `;`) of a findings CSV written by `moneytrail
/// detect`; returns the distinct ids in first-seen order.
///
/// # Errors
/// [`CaseTraceError::BadFindings`] when the CSV cannot be parsed or lacks the column.
pub fn findings_txn_ids<R: std::io::Read>(r: R) -> Result<Vec<String>, CaseTraceError> {
    let bad = |reason: String| CaseTraceError::BadFindings { reason };
    let mut rdr = csv::Reader::from_reader(r);
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = headers.iter().position(|h| h.trim() == "txn_ids").ok_or_else(|| bad("no txn_ids column".into()))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        for id in rec.get(col).unwrap_or("").split(';').map(str::trim).filter(|s| !s.is_empty()) {
            // csv_safe neutralises formula-like cells with a leading quote; undo it for ids.
            let id = id.strip_prefix('\'').unwrap_or(id);
            if seen.insert(id.to_string()) {
                out.push(id.to_string());
            }
        }
    }
    Ok(out)
}

/// Where the money of one transfer went, as far as the registers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destination {
    /// A property purchase: the transfer is among a title's `payment_txn_ids` (property index).
    Property(u32),
    /// Company capital: the receiving company is held (at some time) by the payer's holder.
    Capital(EntityRef),
    /// Another company's account.
    Company(EntityRef),
    /// A person's account (a gift or payment to a relative or third party).
    Person(EntityRef),
    /// An account of unknown holder (e.g. a foreign counterpart).
    UnknownHolder,
    /// Out of the case: cash withdrawal or a payment to no account.
    Outside,
}

/// Classifies transfers by [`Destination`]: the title payments and shareholder pairs indexed once.
pub struct Destinations {
    payments: HashMap<u32, u32>,
    shareholders: HashSet<(EntityRef, EntityRef)>,
}

impl Destinations {
    /// Indexes the case's title payments and shareholdings. O(titles + ownership rows).
    pub fn new(case: &Case) -> Self {
        let mut payments = HashMap::new();
        for t in &case.titles.rows {
            for &p in &t.payment_txns {
                payments.entry(p).or_insert(t.property);
            }
        }
        let shareholders = case
            .ownership
            .rows
            .iter()
            .filter(|o| o.role.holds_shares())
            .map(|o| (EntityRef { kind: EntityKind::Company, idx: o.company }, o.holder))
            .collect();
        Destinations { payments, shareholders }
    }

    /// Where transfer `txn` went. O(1).
    pub fn of(&self, case: &Case, txn: u32) -> Destination {
        if let Some(&p) = self.payments.get(&txn) {
            return Destination::Property(p);
        }
        let t = &case.transfers;
        let to = t.to.get(txn as usize).copied().unwrap_or(NO_ACCOUNT);
        if to == NO_ACCOUNT {
            return Destination::Outside;
        }
        let holder = |a: u32| case.accounts.rows.get(a as usize).and_then(|x| x.holder);
        let payer = t.from.get(txn as usize).and_then(|&f| holder(f));
        match holder(to) {
            None => Destination::UnknownHolder,
            Some(h) if h.kind == EntityKind::Company => match payer {
                Some(p) if self.shareholders.contains(&(h, p)) => Destination::Capital(h),
                _ => Destination::Company(h),
            },
            Some(h) => Destination::Person(h),
        }
    }

    /// The property a transfer paid for, if it is a title payment.
    pub fn property_of(&self, txn: u32) -> Option<u32> {
        self.payments.get(&txn).copied()
    }
}

impl Destination {
    /// Text for tables: `property PR000001`, `capital C00001`, `person P000001`, ...
    pub fn describe(&self, case: &Case) -> String {
        match *self {
            Destination::Property(p) => {
                format!("property {}", case.properties.rows.get(p as usize).map_or("?", |x| x.id.as_str()))
            }
            Destination::Capital(e) => format!("capital {}", case.entity_id(e)),
            Destination::Company(e) => format!("company {}", case.entity_id(e)),
            Destination::Person(e) => format!("person {}", case.entity_id(e)),
            Destination::UnknownHolder => "account of unknown holder".into(),
            Destination::Outside => "outside the case".into(),
        }
    }
}

/// Traces `selections` (one label) through the whole case under `rules`, side by side.
///
/// # Errors
/// Unknown ids ([`CaseTraceError`]) or the engine's validation errors.
///
/// # Complexity
/// O(n) to map the transfers, then the engine's cost per rule (rules in parallel).
pub fn trace_case(
    case: &Case,
    selections: &[SourceSelection],
    rules: &[Rule],
    config: &TraceConfig,
) -> Result<Vec<crate::trace::TraceResult>, CaseTraceError> {
    let sources = resolve_sources(case, selections, Label(1))?;
    let ev = case_events(case);
    Ok(trace_rules(&ev, &sources, rules, config)?)
}
