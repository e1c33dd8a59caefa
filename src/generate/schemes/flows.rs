//! Transfer typologies of docs/methodology.md#typologies: fan-in of victims' earnings, structuring, funnel
//! account, layering chain, scatter-gather, gather-scatter, fan-out, cycle and round-tripping.
//! Every pattern is recorded with the indices of its planned transfers.

use super::{ev, later, pct, Ring};
use crate::generate::names::CITIES;
use crate::generate::rng::Rng;
use crate::generate::world::*;
use crate::generate::GenConfig;
use chrono::NaiveDateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::borrow::Cow;

fn push(w: &mut World, typology: &'static str, events: Vec<u32>, accounts: Vec<u32>, entities: Vec<Entity>) {
    let mut accounts = accounts;
    accounts.sort_unstable();
    accounts.dedup();
    let mut entities = entities;
    entities.sort_unstable();
    entities.dedup();
    w.patterns.push(Pattern { typology, events, accounts, entities });
}

fn holders(w: &World, accts: &[u32]) -> Vec<Entity> {
    accts.iter().filter_map(|&a| w.holder(a)).collect()
}

/// Distinct branch cities, as many as available up to `n`.
fn cities(rng: &mut Rng, n: usize) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = CITIES.iter().map(|c| c.name).collect();
    rng.shuffle(&mut all);
    all.truncate(n.min(all.len()));
    all
}

fn time(d: chrono::NaiveDate, rng: &mut Rng, from_h: i64, to_h: i64) -> NaiveDateTime {
    at(d, rng.range(from_h * 60, to_h * 60))
}

/// Injects the ring's transfer typologies.
pub fn inject(cfg: &GenConfig, w: &mut World, rng: &mut Rng, r: &Ring) {
    fan_in(w, rng, r);
    structuring(cfg, w, rng, r);
    funnel(w, rng, r);
    layering(w, rng, r);
    scatter_gather(w, rng, r);
    gather_scatter(w, rng, r);
    fan_out(w, rng, r);
    cycle(w, rng, r);
    round_trip(w, rng, r);
}

/// Victims' earnings: cash deposited in the evening in various cities, swept to the controller
/// within hours (methodology.md#t-fan-in fan-in, n >= 5 senders within 30 days; #10 victim-account control).
fn fan_in(w: &mut World, rng: &mut Rng, r: &Ring) {
    let mut sweeps = Vec::new();
    for round in 0..2 {
        let d = add_days(r.ws, 3 + round * 14);
        for &va in &r.victim_accts {
            let city = CITIES[rng.index(CITIES.len())].name;
            let t = time(d, rng, 19, 22);
            let earn = rng.money(20_000, 120_000);
            w.plan(ev(t, None, Some(va), earn, Channel::CashDeposit, "Derdhje cash", Some(city)));
            let sweep = pct(earn, rng.range(93, 100));
            let t2 = later(t, rng.range(30, 180));
            sweeps.push(w.plan(ev(t2, Some(va), Some(r.ctrl_acct), sweep, Channel::Wire, "Transfertë", None)));
        }
    }
    let mut accts = r.victim_accts.clone();
    accts.push(r.ctrl_acct);
    let mut ents: Vec<Entity> = r.victims.iter().map(|&v| Entity::P(v)).collect();
    ents.push(Entity::P(r.controller));
    push(w, "fan_in", sweeps, accts, ents);
}

/// k >= 3 cash deposits in [0.8 T, T) within 1-10 days at different branches (methodology.md#t-structuring).
fn structuring(cfg: &GenConfig, w: &mut World, rng: &mut Rng, r: &Ring) {
    let t_cents = (cfg.cash_threshold * Decimal::ONE_HUNDRED).trunc().to_i64().unwrap_or(100_000_000);
    // Variant A: one beneficiary account. Variant B: one depositor (named in the reference, as
    // banks record the depositor of cash) into several family accounts (methodology.md#t-structuring).
    let one_account = rng.chance(0.5);
    let (targets, depositor): (Vec<u32>, Option<u32>) = if one_account {
        let t = if rng.chance(0.5) { r.rel_accts[0] } else { r.ctrl_acct };
        (vec![t], None)
    } else {
        (r.rel_accts.to_vec(), Some(r.controller))
    };
    let reference: Cow<'static, str> = match depositor {
        Some(p) => Cow::Owned(format!("Derdhje cash nga {}", w.persons[p as usize].full_name)),
        None => Cow::Borrowed("Derdhje cash"),
    };
    let k = rng.range(3, 5) as usize;
    let span = rng.range(1, 9);
    let branches = cities(rng, k);
    let d0 = add_days(r.ws, 30);
    let mut evs = Vec::new();
    for (i, city) in branches.iter().enumerate() {
        let d = add_days(d0, span * i as i64 / (k as i64 - 1).max(1));
        let cents = rng.range(t_cents * 8 / 10, t_cents - 1);
        let t = time(d, rng, 9, 16);
        let target = targets[i % targets.len()];
        let mut e = ev(t, None, Some(target), Decimal::new(cents, 2), Channel::CashDeposit, "", Some(city));
        e.reference = reference.clone();
        evs.push(w.plan(e));
    }
    let mut ents = holders(w, &targets);
    ents.extend(depositor.map(Entity::P));
    push(w, "structuring", evs, targets, ents);
}

/// Cash in at >= 3 cities, out within 2 days elsewhere, end balance < 10 % (methodology.md#t-funnel-account, methodology.md#t-dispersion).
fn funnel(w: &mut World, rng: &mut Rng, r: &Ring) {
    let acct = r.mule_accts[12];
    let d0 = add_days(r.ws, 40);
    let n = rng.range(3, 4) as usize;
    let cs = cities(rng, n + 1);
    let mut evs = Vec::new();
    let mut total = Decimal::ZERO;
    for (i, city) in cs.iter().take(n).enumerate() {
        let amt = rng.money(200_000, 700_000);
        total += amt;
        let t = time(add_days(d0, i as i64 / 2), rng, 9, 17);
        evs.push(w.plan(ev(t, None, Some(acct), amt, Channel::CashDeposit, "Derdhje cash", Some(city))));
    }
    let out = pct(total, rng.range(92, 98));
    let t = time(add_days(d0, 2), rng, 9, 16);
    let mut accts = vec![acct];
    if rng.chance(0.5) {
        let f = w.roster.foreign[rng.index(w.roster.foreign.len())];
        evs.push(w.plan(ev(t, Some(acct), Some(f), out, Channel::Remittance, "Transfertë jashtë vendit", None)));
        accts.push(f);
    } else {
        let city = cs.last().copied();
        evs.push(w.plan(ev(t, Some(acct), None, out, Channel::CashWithdrawal, "Tërheqje cash", city)));
    }
    push(w, "funnel_account", evs, accts, vec![Entity::P(r.mules[12])]);
}

/// Controller -> 3-4 mules -> front company, each hop forwarding 90-99 % within hours (methodology.md#t-pass-through, methodology.md#t-layering-chain).
fn layering(w: &mut World, rng: &mut Rng, r: &Ring) {
    let n = rng.range(3, 4) as usize;
    let mut path = vec![r.ctrl_acct];
    path.extend_from_slice(&r.mule_accts[5..5 + n]);
    path.push(r.front_acct);
    let mut amt = rng.money(1_500_000, 3_000_000);
    let mut t = time(add_days(r.ws, 65), rng, 8, 11);
    let mut evs = Vec::new();
    for hop in path.windows(2) {
        evs.push(w.plan(ev(t, Some(hop[0]), Some(hop[1]), amt, Channel::Wire, "Transfertë", None)));
        amt = pct(amt, rng.range(90, 99));
        t = later(t, rng.range(60, 360));
    }
    let ents = holders(w, &path);
    push(w, "layering_chain", evs, path, ents);
}

/// Controller -> 3-4 intermediaries (first half of a 10-day window) -> sibling of the boss
/// (second half), about 10 % margin (methodology.md#t-scatter-gather).
fn scatter_gather(w: &mut World, rng: &mut Rng, r: &Ring) {
    let n = rng.range(3, 4) as usize;
    let mids = &r.mule_accts[1..1 + n];
    let d0 = add_days(r.ws, 55);
    let dst = r.rel_accts[2];
    let mut evs = Vec::new();
    for (i, &m) in mids.iter().enumerate() {
        let amt = rng.money(150_000, 400_000);
        let t1 = time(add_days(d0, i as i64 % 5), rng, 9, 17);
        evs.push(w.plan(ev(t1, Some(r.ctrl_acct), Some(m), amt, Channel::Wire, "Transfertë", None)));
        let t2 = time(add_days(d0, 5 + rng.range(0, 4)), rng, 9, 17);
        let fwd = pct(amt, rng.range(88, 92));
        evs.push(w.plan(ev(t2, Some(m), Some(dst), fwd, Channel::Wire, "Transfertë", None)));
    }
    let mut accts = vec![r.ctrl_acct, dst];
    accts.extend_from_slice(mids);
    let ents = holders(w, &accts);
    push(w, "scatter_gather", evs, accts, ents);
}

/// Victims -> hub mule -> boss, relatives and a foreign account (methodology.md#t-gather-scatter).
fn gather_scatter(w: &mut World, rng: &mut Rng, r: &Ring) {
    let hub = r.mule_accts[0];
    let d = add_days(r.ws, 45);
    let mut evs = Vec::new();
    let mut total = Decimal::ZERO;
    let srcs: Vec<u32> = r.victim_accts.iter().copied().take(rng.range(3, 5) as usize).collect();
    for &s in &srcs {
        let amt = rng.money(40_000, 150_000);
        total += amt;
        let t = time(d, rng, 10, 18);
        evs.push(w.plan(ev(t, Some(s), Some(hub), amt, Channel::Wire, "Transfertë", None)));
    }
    let f = w.roster.foreign[rng.index(w.roster.foreign.len())];
    let dsts = [r.boss_acct, r.rel_accts[0], r.rel_accts[1], f];
    let part = (pct(total, 92) / Decimal::from(dsts.len() as u64)).round_dp(2);
    for &dst in &dsts {
        let t = time(add_days(d, 1), rng, 9, 17);
        let ch = if dst == f { Channel::Remittance } else { Channel::Wire };
        evs.push(w.plan(ev(t, Some(hub), Some(dst), part, ch, "Transfertë", None)));
    }
    let mut accts = srcs;
    accts.push(hub);
    accts.extend_from_slice(&dsts);
    let ents = holders(w, &accts);
    push(w, "gather_scatter", evs, accts, ents);
}

/// Boss -> >= 5 distinct receivers within 30 days (methodology.md#t-fan-out), including remittances abroad.
fn fan_out(w: &mut World, rng: &mut Rng, r: &Ring) {
    let d0 = add_days(r.ws, 75);
    let mut dsts = vec![r.rel_accts[1], r.rel_accts[2], r.mule_accts[9], r.mule_accts[10]];
    for _ in 0..rng.range(2, 3) {
        let f = w.roster.foreign[rng.index(w.roster.foreign.len())];
        if !dsts.contains(&f) {
            dsts.push(f);
        }
    }
    let mut evs = Vec::new();
    for &dst in &dsts {
        let t = time(add_days(d0, rng.range(0, 20)), rng, 9, 17);
        let foreign = w.holder(dst).is_none();
        let ch = if foreign { Channel::Remittance } else { Channel::Wire };
        let amt = rng.money(100_000, 500_000);
        evs.push(w.plan(ev(t, Some(r.boss_acct), Some(dst), amt, ch, "Transfertë", None)));
    }
    let mut accts = dsts;
    accts.push(r.boss_acct);
    let ents = holders(w, &accts);
    push(w, "fan_out", evs, accts, ents);
}

/// Boss -> mule -> mule -> mule -> boss, amounts decreasing by a margin, within 90 days (methodology.md#t-cycle).
fn cycle(w: &mut World, rng: &mut Rng, r: &Ring) {
    let path = [r.boss_acct, r.mule_accts[9], r.mule_accts[10], r.mule_accts[11], r.boss_acct];
    let mut amt = rng.money(600_000, 1_500_000);
    let mut d = add_days(r.ws, 20);
    let mut evs = Vec::new();
    for hop in path.windows(2) {
        let t = time(d, rng, 9, 17);
        evs.push(w.plan(ev(t, Some(hop[0]), Some(hop[1]), amt, Channel::Wire, "Transfertë", None)));
        amt = pct(amt, rng.range(92, 98));
        d = add_days(d, rng.range(2, 8));
    }
    let accts = path[..4].to_vec();
    let ents = holders(w, &accts);
    push(w, "cycle", evs, accts, ents);
}

/// Boss -> own front company ("capital") -> company he directs -> boss ("loan") (methodology.md#t-cycle).
fn round_trip(w: &mut World, rng: &mut Rng, r: &Ring) {
    let amt = rng.money(2_000_000, 6_000_000);
    let d = add_days(r.ws, 80);
    let mut evs = Vec::new();
    let t = time(d, rng, 9, 15);
    evs.push(w.plan(ev(t, Some(r.boss_acct), Some(r.front_acct), amt, Channel::Wire, "Kontribut kapitali", None)));
    let d2 = add_days(d, rng.range(3, 10));
    let a2 = pct(amt, rng.range(94, 97));
    let t2 = time(d2, rng, 9, 15);
    evs.push(w.plan(ev(
        t2,
        Some(r.front_acct),
        Some(r.service_acct),
        a2,
        Channel::Wire,
        "Pagesë shërbimi konsulence",
        None,
    )));
    let d3 = add_days(d2, rng.range(5, 15));
    let a3 = pct(a2, rng.range(92, 97));
    let t3 = time(d3, rng, 9, 15);
    evs.push(w.plan(ev(t3, Some(r.service_acct), Some(r.boss_acct), a3, Channel::Wire, "Hua", None)));
    let accts = vec![r.boss_acct, r.front_acct, r.service_acct];
    let ents = vec![Entity::P(r.boss), Entity::C(r.front), Entity::C(r.service)];
    push(w, "round_tripping", evs, accts, ents);
}

/// Records a pattern (used by `assets.rs`).
pub fn record(w: &mut World, typology: &'static str, events: Vec<u32>, accounts: Vec<u32>, entities: Vec<Entity>) {
    push(w, typology, events, accounts, entities);
}
