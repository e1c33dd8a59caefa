//! Ground truth: each suspect's attributable assets (`truth/holdings.csv`).
//!
//! Attribution follows docs/domain.md §3.3 and §3.5 (family scope of Law 10192, effective ownership
//! of §4.2): a suspect's own titles, the titles of close relatives (spouse, parent, child, sibling,
//! cohabitant), and properties of companies reached through shareholder chains, with shares
//! multiplied along the chain (each company counted once, so circular holdings terminate).

use super::fx::FxTable;
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
}

fn active(from: NaiveDate, to: Option<NaiveDate>, d: NaiveDate) -> bool {
    from <= d && to.is_none_or(|t| t > d)
}

/// Computes every suspect's attributable properties at the valuation date `val`.
pub fn holdings(w: &World, fx: &FxTable, val: NaiveDate) -> Vec<Holding> {
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
        for (prop, share) in per_prop {
            let share = share.min(Decimal::ONE).round_dp(4);
            let Some(p) = w.properties.get(prop as usize) else {
                continue;
            };
            let base = if p.market_value > Decimal::ZERO { p.market_value } else { p.cadastral_value };
            let mut value = if p.eur { base * rate } else { base };
            for e in w.encumbrances.iter().filter(|e| e.property == prop) {
                if e.registered <= val && e.released.is_none_or(|r| r > val) {
                    value -= if e.eur { e.amount * rate } else { e.amount };
                }
            }
            let net = (value.max(Decimal::ZERO) * share).round_dp(2);
            out.push(Holding { suspect: *s, property: prop, share, net_all: net });
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
