//! Chart builders: the diagram of one finding and the network of one suspect, cut to what
//! matters at scale (register paths from the suspect to companies, accounts and properties are
//! always kept; counterparties are ranked by value, the rest folded into one node; a node cap
//! with a note of what was left out).

use super::chart::*;
use super::exhibits::ExhibitCollector;
use crate::graph::{FlowGraph, NodeKind};
use crate::model::{Case, EntityKind, EntityRef, RelationKind, Role};
use crate::patterns::Finding;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// What the builders read.
pub struct ChartCtx<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its transfer graph (base amounts, cash nodes).
    pub flow: &'a FlowGraph,
    /// The suspects, for node classes.
    pub suspects: BTreeSet<EntityRef>,
}

/// Limits that keep charts readable.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartLimits {
    /// Most nodes on one chart.
    pub max_nodes: usize,
    /// Most counterparties shown individually around a suspect's accounts.
    pub max_counterparties: usize,
}

impl Default for ChartLimits {
    /// 60 nodes, 15 counterparties: what a printed A3 page holds legibly (project default).
    fn default() -> Self {
        ChartLimits { max_nodes: 60, max_counterparties: 15 }
    }
}

impl<'a> ChartCtx<'a> {
    /// A context over a case and its flow graph.
    pub fn new(case: &'a Case, flow: &'a FlowGraph) -> Self {
        ChartCtx { case, flow, suspects: case.suspects.rows.iter().map(|s| s.entity).collect() }
    }

    /// The chart node of a person or company.
    pub fn entity_node(&self, e: EntityRef, cluster: bool) -> ChartNode {
        let c = self.case;
        let (prefix, class) = match e.kind {
            EntityKind::Person if self.suspects.contains(&e) => ("P", NodeClass::Suspect),
            EntityKind::Person => ("P", NodeClass::Person),
            EntityKind::Company => ("C", NodeClass::Company),
        };
        ChartNode {
            key: format!("{prefix}:{}", c.entity_id(e)),
            class,
            title: c.entity_name(e).to_string(),
            detail: c.entity_id(e).to_string(),
            cluster,
        }
    }

    /// The chart node of a flow node (account or cash at a city).
    pub fn flow_node(&self, n: u32, cluster: bool) -> ChartNode {
        let c = self.case;
        match self.flow.kind(n) {
            NodeKind::Account(a) => {
                let acc = c.account_row(a);
                let holder =
                    acc.holder.map(|h| c.entity_name(h).to_string()).unwrap_or_else(|| "holder unknown".into());
                ChartNode {
                    key: format!("A:{}", acc.id),
                    class: NodeClass::Account,
                    title: acc.id.clone(),
                    detail: format!("{holder} · {}", acc.bank.as_deref().unwrap_or("bank unknown")),
                    cluster,
                }
            }
            NodeKind::Cash(city) => {
                let name = c.cities.get(city as usize).map(String::as_str).unwrap_or("place unknown");
                ChartNode {
                    key: format!("CASH:{name}"),
                    class: NodeClass::Cash,
                    title: "cash".into(),
                    detail: name.to_string(),
                    cluster: false,
                }
            }
        }
    }

    fn property_node(&self, p: u32) -> ChartNode {
        let r = &self.case.properties.rows[p as usize];
        let what = [r.kind.as_deref(), r.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
        ChartNode {
            key: format!("R:{}", r.id),
            class: NodeClass::Property,
            title: r.id.clone(),
            detail: what,
            cluster: true,
        }
    }

    /// Folds `txns` per (source node, target node) into transfer edges, citing every row.
    fn fold_transfers(
        &self,
        b: &mut ChartBuilder,
        txns: &[u32],
        node_of: &dyn Fn(u32) -> usize,
        col: &mut ExhibitCollector,
    ) {
        let mut pairs: BTreeMap<(usize, usize), Vec<u32>> = BTreeMap::new();
        for &t in txns {
            let (s, d) = (node_of(self.flow.src[t as usize]), node_of(self.flow.dst[t as usize]));
            pairs.entry((s, d)).or_default().push(t);
        }
        let tr = &self.case.transfers;
        for ((from, to), ts) in pairs {
            // Checked: past the exact range the label says so and the edge weighs the most.
            let total = super::chart::total(ts.iter().map(|&t| self.flow.base_of(t as usize)));
            for &t in &ts {
                col.cite(tr.prov(t as usize), || format!("transfer {}", tr.txn_id.get(t as usize)));
            }
            b.edge(ChartEdge {
                from,
                to,
                kind: LinkKind::Transfer,
                label: super::chart::transfer_label_total(self.case, &ts, total),
                confidence: Confidence::Confirmed,
                provs: ts.iter().map(|&t| tr.prov(t as usize)).collect(),
                txns: ts,
                weight: total.unwrap_or(Decimal::MAX),
            });
        }
    }

    fn holds_edge(&self, b: &mut ChartBuilder, a: u32, acc_node: usize, cluster: bool, col: &mut ExhibitCollector) {
        let acc = &self.case.accounts.rows[a as usize];
        if let Some(h) = acc.holder {
            let hn = b.node(self.entity_node(h, cluster));
            col.cite(acc.prov, || format!("account {}", acc.id));
            b.edge(ChartEdge {
                from: hn,
                to: acc_node,
                kind: LinkKind::Holds,
                label: vec!["holds".into()],
                confidence: Confidence::Confirmed,
                provs: vec![acc.prov],
                txns: Vec::new(),
                weight: Decimal::ZERO,
            });
        }
    }
}

/// The chart of one finding: its transfers folded per pair, the holders of its accounts, and a
/// dashed link to the nearest suspect. Every transfer of the finding is on exactly one edge; when
/// the finding has more counterparties than the cap, the smallest are folded into one node.
pub fn finding_chart(cx: &ChartCtx<'_>, f: &Finding, limits: &ChartLimits, col: &mut ExhibitCollector) -> Chart {
    let mut b = ChartBuilder::default();
    // Rank flow nodes by value moved in the finding; keep the biggest, fold the rest.
    let mut value: BTreeMap<u32, Decimal> = BTreeMap::new();
    for &t in &f.txns {
        let base = cx.flow.base_of(t.ix());
        // Ranking only (never printed): a value past the exact range saturates and ranks first.
        for n in [cx.flow.src[t.ix()], cx.flow.dst[t.ix()]] {
            let v = value.entry(n).or_default();
            *v = v.saturating_add(base);
        }
    }
    for &a in &f.accounts {
        value.entry(a.node().raw()).or_default();
    }
    let mut ranked: Vec<(u32, Decimal)> = value.into_iter().collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    // Holders take a node each as well: leave room for them.
    let keep_n = (limits.max_nodes / 2).max(2);
    let kept: BTreeSet<u32> = ranked.iter().take(keep_n).map(|x| x.0).collect();
    let folded = ranked.len().saturating_sub(kept.len());
    let mut notes = Vec::new();
    let agg = (folded > 0).then(|| {
        notes.push(format!("{folded} smaller counterparties folded into one node; their transfers stay on its edges"));
        b.node(ChartNode {
            key: "AGG:other".into(),
            class: NodeClass::Aggregate,
            title: format!("{folded} other accounts"),
            detail: "folded (smallest by value)".into(),
            cluster: false,
        })
    });
    let mut node_of: BTreeMap<u32, usize> = BTreeMap::new();
    for &(n, _) in &ranked {
        if kept.contains(&n) {
            let idx = b.node(cx.flow_node(n, false));
            node_of.insert(n, idx);
        }
    }
    let fallback = agg.unwrap_or(0);
    let txns: Vec<u32> = f.txns.iter().map(|t| t.raw()).collect();
    cx.fold_transfers(&mut b, &txns, &|n| node_of.get(&n).copied().unwrap_or(fallback), col);
    for (&n, &idx) in &node_of {
        if let NodeKind::Account(a) = cx.flow.kind(n) {
            cx.holds_edge(&mut b, a.raw(), idx, false, col);
        }
    }
    for &e in &f.entities {
        b.node(cx.entity_node(e, false));
    }
    if let Some(crate::patterns::SuspectLink { suspect: s, hops }) = f.suspect {
        let node = cx.entity_node(s, true);
        // A suspect already on the chart (as a holder) is linked by a register row.
        let present = b.find(&node.key).is_some();
        let sn = b.node(node);
        let target = node_of.values().copied().min().unwrap_or(sn);
        if target != sn && !present {
            b.edge(ChartEdge {
                from: sn,
                to: target,
                kind: LinkKind::Inferred,
                label: vec![format!("nearest suspect, {hops} hops (inferred, no source row)")],
                confidence: Confidence::Inferred,
                provs: Vec::new(),
                txns: Vec::new(),
                weight: Decimal::ZERO,
            });
        }
    }
    let title = format!("Finding {} ({}, score {})", f.id, f.typology, f.score);
    let label = f.suspect.map(|l| format!("suspect {}", cx.case.entity_id(l.suspect)));
    b.finish(format!("finding-{}", f.id), title, label, notes)
}

/// A suspect's network: the suspect and family scope, companies they own or direct (and those
/// companies' holdings, up to three levels), their properties and accounts (all clustered), and
/// the transfers of those accounts folded per counterparty.
pub struct SuspectNetwork {
    /// The chart.
    pub chart: Chart,
    /// Accounts inside the cluster (indices into `Case::accounts`), sorted.
    pub accounts: Vec<u32>,
    /// Every transfer of those accounts, sorted by (time, index).
    pub txns: Vec<u32>,
}

/// Builds the network chart of `suspect` with `scope` (person indices of the family scope).
///
/// # Complexity
/// O(R + T log T) for the register rows R of the case and the T transfers of the cluster's accounts.
pub fn suspect_network(
    cx: &ChartCtx<'_>,
    suspect: EntityRef,
    scope: &[u32],
    limits: &ChartLimits,
    col: &mut ExhibitCollector,
) -> SuspectNetwork {
    let c = cx.case;
    let mut b = ChartBuilder::default();
    let mut notes = Vec::new();
    let mut members: BTreeSet<EntityRef> = BTreeSet::new();
    members.insert(suspect);
    members.extend(scope.iter().map(|&p| EntityRef { kind: EntityKind::Person, idx: p }));
    b.node(cx.entity_node(suspect, true));
    for &m in &members {
        b.node(cx.entity_node(m, true));
    }
    family_ties(cx, &mut b, &members, col);
    let holders = company_links(cx, &mut b, &members, limits, col);
    titles(cx, &mut b, &holders, limits, &mut notes, col);
    identity_links(cx, &mut b, limits, &mut notes, col);
    // Accounts of the cluster.
    let accounts: Vec<u32> = c
        .accounts
        .rows
        .iter()
        .enumerate()
        .filter(|(_, a)| a.holder.is_some_and(|h| holders.contains(&h)))
        .map(|(i, _)| i as u32)
        .collect();
    let mut acc_node: BTreeMap<u32, usize> = BTreeMap::new();
    for &a in &accounts {
        let idx = b.node(cx.flow_node(a, true));
        cx.holds_edge(&mut b, a, idx, true, col);
        acc_node.insert(a, idx);
    }
    let txns = account_transfers(cx, &mut b, &accounts, acc_node, limits, &mut notes, col);
    let title = format!("Network of suspect {} ({})", c.entity_name(suspect), c.entity_id(suspect));
    let chart = b.finish(
        format!("suspect-{}", c.entity_id(suspect)),
        title,
        Some(format!("suspect {} and family scope", c.entity_id(suspect))),
        notes,
    );
    SuspectNetwork { chart, accounts, txns }
}

/// Family ties between `members` (associates are analyst assertions: dotted).
fn family_ties(cx: &ChartCtx<'_>, b: &mut ChartBuilder, members: &BTreeSet<EntityRef>, col: &mut ExhibitCollector) {
    let c = cx.case;
    for rel in &c.relations.rows {
        let p = EntityRef { kind: EntityKind::Person, idx: rel.person };
        if members.contains(&p) && members.contains(&rel.related) {
            let (from, to) = (b.node(cx.entity_node(p, true)), b.node(cx.entity_node(rel.related, true)));
            col.cite(rel.prov, || format!("relation {} {}", c.entity_id(p), rel.kind));
            let conf = if rel.kind == RelationKind::Associate { Confidence::Hypothesis } else { Confidence::Confirmed };
            b.edge(ChartEdge {
                from,
                to,
                kind: LinkKind::Related,
                label: vec![rel.kind.to_string()],
                confidence: conf,
                provs: vec![rel.prov],
                txns: Vec::new(),
                weight: Decimal::ZERO,
            });
        }
    }
}

/// Companies owned or directed by `members`, three levels down; returns the members with those
/// companies (the cluster's holders).
fn company_links(
    cx: &ChartCtx<'_>,
    b: &mut ChartBuilder,
    members: &BTreeSet<EntityRef>,
    limits: &ChartLimits,
    col: &mut ExhibitCollector,
) -> BTreeSet<EntityRef> {
    let c = cx.case;
    let mut holders: BTreeSet<EntityRef> = members.clone();
    let mut done_rows: BTreeSet<usize> = BTreeSet::new();
    for _level in 0..3 {
        let mut next = BTreeSet::new();
        for (row, o) in c.ownership.rows.iter().enumerate() {
            if !holders.contains(&o.holder) || !done_rows.insert(row) {
                continue;
            }
            let company = EntityRef { kind: EntityKind::Company, idx: o.company };
            if b.len() >= limits.max_nodes && b.find(&cx.entity_node(company, true).key).is_none() {
                continue;
            }
            let (from, to) = (b.node(cx.entity_node(o.holder, true)), b.node(cx.entity_node(company, true)));
            col.cite(o.prov, || format!("company register {} {}", c.entity_id(company), o.role));
            let mut label = match o.share {
                Some(s) if o.role.holds_shares() => format!("{} {}%", o.role, (s * Decimal::from(100)).normalize()),
                _ => o.role.to_string(),
            };
            if let Some(f) = o.from {
                label.push_str(&format!(" from {f}"));
            }
            if let Some(t) = o.to {
                label.push_str(&format!(" to {t}"));
            }
            let kind = if matches!(o.role, Role::Shareholder | Role::NomineeShareholder) {
                LinkKind::Owns
            } else {
                LinkKind::Directs
            };
            b.edge(ChartEdge {
                from,
                to,
                kind,
                label: vec![label],
                confidence: Confidence::Confirmed,
                provs: vec![o.prov],
                txns: Vec::new(),
                weight: Decimal::ZERO,
            });
            next.insert(company);
        }
        next.retain(|e| !holders.contains(e));
        if next.is_empty() {
            break;
        }
        holders.extend(next);
    }
    holders
}

/// Properties titled to anyone in the cluster.
fn titles(
    cx: &ChartCtx<'_>,
    b: &mut ChartBuilder,
    holders: &BTreeSet<EntityRef>,
    limits: &ChartLimits,
    notes: &mut Vec<String>,
    col: &mut ExhibitCollector,
) {
    let c = cx.case;
    for t in c.titles.rows.iter().filter(|t| holders.contains(&t.owner)) {
        let pn = cx.property_node(t.property);
        if b.len() >= limits.max_nodes && b.find(&pn.key).is_none() {
            notes.push(format!("property {} left out (node cap)", c.properties.rows[t.property as usize].id));
            continue;
        }
        let (from, to) = (b.node(cx.entity_node(t.owner, true)), b.node(pn));
        col.cite(t.prov, || format!("land register title {}", c.properties.rows[t.property as usize].id));
        let mut label = format!("title {}%", (t.share * Decimal::from(100)).normalize());
        if let Some(d) = t.acquired_on {
            label.push_str(&format!(" since {d}"));
        }
        if let Some(d) = t.disposed_on {
            label.push_str(&format!(" until {d}"));
        }
        b.edge(ChartEdge {
            from,
            to,
            kind: LinkKind::Title,
            label: vec![label],
            confidence: Confidence::Confirmed,
            provs: vec![t.prov],
            txns: Vec::new(),
            weight: Decimal::ZERO,
        });
    }
}

/// Transfers of the cluster's `accounts` (charted as `acc_node`), folded per counterparty: the
/// counterparties ranked by value get a node each up to the caps, the rest one aggregate node.
/// Returns every transfer, sorted by (time, index).
fn account_transfers(
    cx: &ChartCtx<'_>,
    b: &mut ChartBuilder,
    accounts: &[u32],
    acc_node: BTreeMap<u32, usize>,
    limits: &ChartLimits,
    notes: &mut Vec<String>,
    col: &mut ExhibitCollector,
) -> Vec<u32> {
    let c = cx.case;
    let mut txns: Vec<u32> =
        accounts.iter().flat_map(|&a| cx.flow.out_edges(a).iter().chain(cx.flow.in_edges(a)).copied()).collect();
    txns.sort_unstable();
    txns.dedup();
    // Per counterparty: the value moved, `None` once it leaves the exact range (ranked first).
    let mut cp_value: BTreeMap<u32, Option<Decimal>> = BTreeMap::new();
    for &t in &txns {
        for n in [cx.flow.src[t as usize], cx.flow.dst[t as usize]] {
            if !acc_node.contains_key(&n) {
                let v = cp_value.entry(n).or_insert(Some(Decimal::ZERO));
                *v = v.and_then(|v| v.checked_add(cx.flow.base_of(t as usize)));
            }
        }
    }
    let mut ranked: Vec<(u32, Decimal)> = cp_value.iter().map(|(&n, v)| (n, v.unwrap_or(Decimal::MAX))).collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let room = limits.max_counterparties.min(limits.max_nodes.saturating_sub(b.len() + 1));
    let mut node_of = acc_node;
    for &(n, _) in ranked.iter().take(room) {
        node_of.insert(n, b.node(cx.flow_node(n, false)));
    }
    let folded = ranked.len().saturating_sub(room);
    let agg = if folded > 0 {
        let rest = ranked
            .iter()
            .skip(room)
            .map(|x| cp_value.get(&x.0).copied().flatten())
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(v?));
        let rest_money = super::chart::money_total(rest, c.meta.base_currency.as_str());
        notes.push(format!(
            "{folded} smaller counterparties ({rest_money} in all) folded into one node; the top {room} by value are shown"
        ));
        Some(b.node(ChartNode {
            key: "AGG:counterparties".into(),
            class: NodeClass::Aggregate,
            title: format!("{folded} other counterparties"),
            detail: rest_money,
            cluster: false,
        }))
    } else {
        None
    };
    let fallback = agg.unwrap_or(0);
    cx.fold_transfers(b, &txns, &|n| node_of.get(&n).copied().unwrap_or(fallback), col);
    txns.sort_by_key(|&t| (cx.flow.time[t as usize], t));
    txns
}

/// Records folded into an entity on the chart by entity resolution (`Case::inferred_links`):
/// each is drawn as its own node with a "same person" link, dashed unless an id number
/// confirms it (docs/methodology.md#integrity-resolution), citing the folded record's source row.
fn identity_links(
    cx: &ChartCtx<'_>,
    b: &mut ChartBuilder,
    limits: &ChartLimits,
    notes: &mut Vec<String>,
    col: &mut ExhibitCollector,
) {
    let c = cx.case;
    for l in &c.inferred_links {
        let Some(to) = b.find(&cx.entity_node(l.entity, false).key) else { continue };
        if b.len() >= limits.max_nodes {
            notes.push(format!("record {} of {} left out (node cap)", c.entity_id(l.record), c.entity_id(l.entity)));
            continue;
        }
        // Links are made by resolve::apply on this case; a stale one is skipped, not trusted.
        let prov = match l.record.kind {
            EntityKind::Person => c.persons.rows.get(l.record.idx as usize).map(|r| r.prov),
            EntityKind::Company => c.companies.rows.get(l.record.idx as usize).map(|r| r.prov),
        };
        let Some(prov) = prov else { continue };
        let mut node = cx.entity_node(l.record, false);
        node.detail = format!("{} (register record)", c.entity_id(l.record));
        let from = b.node(node);
        col.cite(prov, || format!("register record {} ({})", c.entity_id(l.record), c.entity_name(l.record)));
        let (label, confidence) = if l.basis.confirmed() {
            ("same entity (id number)".to_owned(), Confidence::Confirmed)
        } else {
            (format!("same entity? {} match, confidence {:.2}", l.basis.as_str(), l.confidence), Confidence::Inferred)
        };
        b.edge(ChartEdge {
            from,
            to,
            kind: LinkKind::Inferred,
            label: vec![label],
            confidence,
            provs: vec![prov],
            txns: Vec::new(),
            weight: Decimal::ZERO,
        });
    }
}
