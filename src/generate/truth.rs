//! Ground truth: each suspect's attributable assets (`truth/holdings.csv`).
//!
//! Attribution follows docs/methodology.md#law-10192 and methodology.md#confiscable-value (family scope of Law 10192, effective ownership
//! of methodology.md#bo-computation): a suspect's own titles, the titles of close relatives (spouse, parent, child, sibling,
//! cohabitant), and properties of companies reached through shareholder chains, with shares
//! multiplied along the chain (each company counted once, so circular holdings terminate).
//!
//! Values follow the valuation convention of `assets::valuation`: market value (else cadastral
//! value) and each registered encumbrance converted at the valuation date's rate and rounded to
//! the cent half away from zero, net = max(0, value - encumbrances), attributable = net x share
//! rounded the same way.
//!
//! Traced proceeds (`traced_fifo`, `traced_libr`, `traced_pro_rata`): the tainted part of the
//! property's recorded purchase payments (distinct transfers of its titles in force), when every
//! credit to the suspect's own accounts from the suspicion date on is a source, computed by the
//! generator's own reference tracer ([`super::reftrace`]) over the ledger it wrote.
//!
//! Per-victim traced proceeds (`truth/victim_holdings.csv`, issue 9): every victim in truth,
//! identified in victims.csv or not, gets a label of its own (labels by ascending person id);
//! its earnings are every credit to its own accounts from the start of its ring's window (the
//! `since` of victims.csv for identified victims). One row per victim and property with a
//! non-zero amount under some rule: the victim's part of the property's recorded purchase
//! payments (distinct transfers of its titles in force on the valuation date) under FIFO, LIBR
//! and pro-rata, computed by [`reftrace::trace_labels`], independently of `src/trace`.

use super::fx::FxTable;
use super::reftrace::{self, RefRule, Row};
use super::world::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// One row of holdings.csv.
#[derive(Debug, Clone)]
pub struct Holding {
    pub suspect: Entity,
    pub property: u32,
    pub share: Decimal,
    pub net_all: Decimal,
    /// Tainted amount in the purchase payments under FIFO, LIBR and pro-rata (ALL), when the
    /// ledger was kept.
    pub traced: Option<[Decimal; 3]>,
}

fn cents_round(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn active(from: NaiveDate, to: Option<NaiveDate>, d: NaiveDate) -> bool {
    from <= d && to.is_none_or(|t| t > d)
}

/// Computes every suspect's attributable properties at the valuation date `val`; with the
/// ledger (file order) and the planned-event -> txn number map, also the traced proceeds.
pub fn holdings(w: &World, fx: &FxTable, val: NaiveDate, ledger: Option<&[Row]>, txn_of: &[u64]) -> Vec<Holding> {
    let mut owns: BTreeMap<Entity, Vec<(u32, Decimal)>> = BTreeMap::new();
    for o in &w.ownership {
        if matches!(o.role, "shareholder" | "nominee_shareholder") && active(o.from, o.to, val) {
            if let Some(s) = o.share {
                owns.entry(o.holder).or_default().push((o.company, s));
            }
        }
    }
    let mut titles: BTreeMap<Entity, Vec<usize>> = BTreeMap::new();
    for (i, t) in w.titles.iter().enumerate() {
        if t.acquired <= val && t.disposed.is_none_or(|d| d > val) {
            titles.entry(t.owner).or_default().push(i);
        }
    }
    let mut family: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &(p, q, kind) in &w.relations {
        if matches!(kind, "spouse" | "parent" | "child" | "sibling" | "cohabitant") {
            family.entry(p).or_default().push(q);
        }
    }
    let rate = fx.rate(val);
    let conv = |x: Decimal, eur: bool| if eur { cents_round(x * rate) } else { x };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (s, ..) in &w.suspects {
        if !seen.insert(*s) {
            continue;
        }
        // Entity -> attributable factor.
        let mut factor: BTreeMap<Entity, Decimal> = BTreeMap::new();
        factor.insert(*s, Decimal::ONE);
        if let Entity::P(p) = s {
            for &q in family.get(p).map(Vec::as_slice).unwrap_or(&[]) {
                factor.entry(Entity::P(q)).or_insert(Decimal::ONE);
            }
        }
        let roots: Vec<(Entity, Decimal)> = factor.iter().map(|(e, f)| (*e, *f)).collect();
        for (root, f) in roots {
            let mut visited = BTreeSet::new();
            walk(&owns, root, f, &mut visited, &mut factor);
        }
        let mut per_prop: BTreeMap<u32, Decimal> = BTreeMap::new();
        for (e, f) in &factor {
            for &ti in titles.get(e).map(Vec::as_slice).unwrap_or(&[]) {
                let t = &w.titles[ti];
                *per_prop.entry(t.property).or_default() += t.share * f;
            }
        }
        let tainted = ledger.map(|l| traced_rows(w, l, *s));
        for (prop, share) in per_prop {
            let share = share.min(Decimal::ONE).round_dp(4);
            let Some(p) = w.properties.get(prop as usize) else {
                continue;
            };
            let base = if p.market_value > Decimal::ZERO { p.market_value } else { p.cadastral_value };
            let mut value = conv(base, p.eur);
            for e in w.encumbrances.iter().filter(|e| e.property == prop) {
                if e.registered <= val && e.released.is_none_or(|r| r > val) {
                    value -= conv(e.amount, e.eur);
                }
            }
            let net = cents_round(value.max(Decimal::ZERO) * share);
            let traced = tainted.as_ref().map(|t| {
                let mut pays: Vec<u64> = w
                    .titles
                    .iter()
                    .filter(|t| t.property == prop && t.acquired <= val && t.disposed.is_none_or(|d| d > val))
                    .flat_map(|t| t.payments.iter().filter_map(|&e| txn_of.get(e as usize).copied()))
                    .collect();
                pays.sort_unstable();
                pays.dedup();
                let mut v = [Decimal::ZERO; 3];
                for (k, rule) in t.iter().enumerate() {
                    let c: i64 = pays.iter().filter_map(|&n| rule.get((n as usize).checked_sub(1)?)).sum();
                    v[k] = Decimal::new(c, 2);
                }
                v
            });
            out.push(Holding { suspect: *s, property: prop, share, net_all: net, traced });
        }
    }
    out
}

/// One row of victim_holdings.csv.
#[derive(Debug, Clone)]
pub struct VictimHolding {
    pub victim: u32,
    pub property: u32,
    /// Tainted amount of the victim's label in the purchase payments under FIFO, LIBR, pro-rata.
    pub traced: [Decimal; 3],
}

/// Every victim's part of every property's purchase payments (see the module docs), sorted by
/// victim, then property.
pub fn victim_holdings(w: &World, val: NaiveDate, ledger: &[Row], txn_of: &[u64]) -> Vec<VictimHolding> {
    let mut victims: Vec<(u32, NaiveDate)> = w.all_victims.clone();
    victims.sort_unstable();
    victims.dedup_by_key(|v| v.0);
    let mut label_of: BTreeMap<u32, (u32, i64)> = BTreeMap::new();
    for (i, &(v, since)) in victims.iter().enumerate() {
        let from = since.and_hms_opt(0, 0, 0).map_or(i64::MIN, |t| t.and_utc().timestamp());
        for &a in w.person_accounts.get(v as usize).map(Vec::as_slice).unwrap_or(&[]) {
            label_of.insert(a, (i as u32 + 1, from));
        }
    }
    let source: Vec<u32> = ledger
        .iter()
        .map(|r| match label_of.get(&r.to) {
            Some(&(l, from)) if r.at >= from => l,
            _ => 0,
        })
        .collect();
    let mut pays: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for t in w.titles.iter().filter(|t| t.acquired <= val && t.disposed.is_none_or(|d| d > val)) {
        let p = pays.entry(t.property).or_default();
        p.extend(t.payments.iter().filter_map(|&e| txn_of.get(e as usize).and_then(|&n| (n as usize).checked_sub(1))));
    }
    let mut want = vec![false; ledger.len()];
    for v in pays.values_mut() {
        v.sort_unstable();
        v.dedup();
        for &i in v.iter() {
            if let Some(x) = want.get_mut(i) {
                *x = true;
            }
        }
    }
    let n = w.accounts.len();
    let per_rule = [RefRule::Fifo, RefRule::Libr, RefRule::ProRata]
        .map(|rule| reftrace::trace_labels(ledger, n, &source, &want, rule));
    let mut out = Vec::new();
    for (i, &(v, _)) in victims.iter().enumerate() {
        let label = i as u32 + 1;
        for (&property, rows) in &pays {
            let mut traced = [Decimal::ZERO; 3];
            for (k, m) in per_rule.iter().enumerate() {
                let c: i64 = rows
                    .iter()
                    .filter_map(|r| m.get(r))
                    .flat_map(|parts| parts.iter().filter(|p| p.0 == label).map(|p| p.1))
                    .sum();
                traced[k] = Decimal::new(c, 2);
            }
            if traced.iter().any(|t| !t.is_zero()) {
                out.push(VictimHolding { victim: v, property, traced });
            }
        }
    }
    out
}

fn walk(
    owns: &BTreeMap<Entity, Vec<(u32, Decimal)>>,
    e: Entity,
    f: Decimal,
    visited: &mut BTreeSet<u32>,
    factor: &mut BTreeMap<Entity, Decimal>,
) {
    for &(c, s) in owns.get(&e).map(Vec::as_slice).unwrap_or(&[]) {
        if !visited.insert(c) {
            continue;
        }
        let g = f * s;
        *factor.entry(Entity::C(c)).or_default() += g;
        walk(owns, Entity::C(c), g, visited, factor);
    }
}

/// Tainted cents per ledger row under FIFO, LIBR and pro-rata when every credit to `suspect`'s
/// own accounts from its suspicion date on is a source.
fn traced_rows(w: &World, ledger: &[Row], suspect: Entity) -> [Vec<i64>; 3] {
    let own: BTreeSet<u32> = match suspect {
        Entity::P(p) => w.person_accounts.get(p as usize).cloned().unwrap_or_default().into_iter().collect(),
        Entity::C(c) => w.company_accounts.get(c as usize).cloned().unwrap_or_default().into_iter().collect(),
    };
    let since = w
        .suspects
        .iter()
        .filter(|x| x.0 == suspect)
        .map(|x| x.3)
        .min()
        .map_or(i64::MIN, |d| d.and_hms_opt(0, 0, 0).map_or(i64::MIN, |t| t.and_utc().timestamp()));
    let src: Vec<bool> = ledger.iter().map(|r| r.at >= since && own.contains(&r.to)).collect();
    let n = w.accounts.len();
    [
        reftrace::trace(ledger, n, &src, RefRule::Fifo),
        reftrace::trace(ledger, n, &src, RefRule::Libr),
        reftrace::trace(ledger, n, &src, RefRule::ProRata),
    ]
}
