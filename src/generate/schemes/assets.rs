//! Property and company typologies of docs/methodology.md#t-real-estate and methodology.md#t-shell-company: purchases in relatives' and
//! companies' names shortly after suspect inflows (some under-valued), acquisitions out of
//! proportion to declared income, ownership through a foreign shell, a circular holding and a
//! nominee director of ten or more companies.

use super::flows::record;
use super::{ev, pct, Ring};
use crate::generate::fx::FxTable;
use crate::generate::rng::Rng;
use crate::generate::world::*;
use crate::generate::GenConfig;
use rust_decimal::Decimal;

/// Injects the ring's asset and company typologies.
pub fn inject(cfg: &GenConfig, fx: &FxTable, w: &mut World, rng: &mut Rng, r: &Ring) {
    let p0 = add_days(r.ws, 95);
    // (a) Apartment in Tirana for boss and spouse, paid by the spouse after a transfer from the boss.
    let a = purchase(cfg, fx, w, rng, r.boss_acct, r.rel_accts[0], 0, "apartment", p0, (93, 100));
    let mut family_pay = Vec::new();
    if let Some(b) = a {
        let (inflow, pay) = (b.inflow, b.pay);
        add_title(w, &b, Entity::P(r.boss), Decimal::new(5, 1));
        add_title(w, &b, Entity::P(r.relatives[0]), Decimal::new(5, 1));
        family_pay.push(pay);
        let ents = vec![Entity::P(r.boss), Entity::P(r.relatives[0])];
        record(
            w,
            "property_after_inflow",
            inflow.into_iter().chain([pay]).collect(),
            vec![r.boss_acct, r.rel_accts[0]],
            ents,
        );
    }
    // (b) Land in the parent's name, well below market value.
    let city = rng.index(4);
    let b = purchase(cfg, fx, w, rng, r.boss_acct, r.rel_accts[1], city, "land", add_days(p0, 3), (40, 60));
    if let Some(bt) = b {
        let (inflow, pay, seller) = (bt.inflow, bt.pay, bt.seller);
        add_title(w, &bt, Entity::P(r.relatives[1]), Decimal::ONE);
        family_pay.push(pay);
        let ents = vec![Entity::P(r.boss), Entity::P(r.relatives[1])];
        record(
            w,
            "property_after_inflow",
            inflow.into_iter().chain([pay]).collect(),
            vec![r.boss_acct, r.rel_accts[1]],
            ents,
        );
        let mut ents = vec![Entity::P(r.relatives[1])];
        ents.extend(w.holder(seller));
        record(w, "undervalued_purchase", vec![pay], vec![r.rel_accts[1], seller], ents);
    }
    // (c) Land bought by the shell-owned holding after "capital" from the boss.
    let ci = rng.index(4);
    let c = purchase(cfg, fx, w, rng, r.boss_acct, r.holding_acct, ci, "land", add_days(p0, 6), (90, 100));
    if let Some(b) = c {
        let (inflow, pay) = (b.inflow, b.pay);
        add_title(w, &b, Entity::C(r.holding), Decimal::ONE);
        let ents = vec![Entity::P(r.boss), Entity::C(r.holding)];
        record(
            w,
            "property_after_inflow",
            inflow.into_iter().chain([pay]).collect(),
            vec![r.boss_acct, r.holding_acct],
            ents,
        );
    }
    // (d) The controller buys an apartment under value right after the fan-in sweeps.
    let di = rng.index(4);
    let d = purchase(cfg, fx, w, rng, r.ctrl_acct, r.ctrl_acct, di, "apartment", add_days(p0, 9), (50, 65));
    if let Some(b) = d {
        let (pay, seller) = (b.pay, b.seller);
        add_title(w, &b, Entity::P(r.controller), Decimal::ONE);
        let sweeps: Vec<u32> =
            w.patterns.iter().rev().find(|p| p.typology == "fan_in").map(|p| p.events.clone()).unwrap_or_default();
        let mut evs = sweeps;
        evs.push(pay);
        let mut accts = r.victim_accts.clone();
        accts.push(r.ctrl_acct);
        record(w, "property_after_inflow", evs, accts, vec![Entity::P(r.controller)]);
        let mut ents = vec![Entity::P(r.controller)];
        ents.extend(w.holder(seller));
        record(w, "undervalued_purchase", vec![pay], vec![r.ctrl_acct, seller], ents);
        record(w, "disproportion", vec![pay], vec![r.ctrl_acct], vec![Entity::P(r.controller)]);
    }
    let mut ents = vec![Entity::P(r.boss)];
    ents.extend(r.relatives.iter().map(|&p| Entity::P(p)));
    record(w, "disproportion", family_pay, vec![r.boss_acct, r.rel_accts[0], r.rel_accts[1]], ents);

    // Ownership chain through a foreign shell (methodology.md#t-shell-company).
    record(
        w,
        "shell_company",
        vec![],
        vec![r.holding_acct],
        vec![Entity::P(r.boss), Entity::C(r.shell), Entity::C(r.holding)],
    );
    circular(w, rng, r);
    nominee(w, rng, r);
}

/// Buys a property: `payer` first receives an inflow from `source` (unless they are the same),
/// then pays a seller 5-25 days later.
#[allow(clippy::too_many_arguments)]
fn purchase(
    cfg: &GenConfig,
    fx: &FxTable,
    w: &mut World,
    rng: &mut Rng,
    source: u32,
    payer: u32,
    city: usize,
    kind: &'static str,
    inflow_day: chrono::NaiveDate,
    price_pct: (i64, i64),
) -> Option<Bought> {
    let pay_day = add_days(inflow_day, rng.range(5, 25)).min(add_days(cfg.end, -5));
    let seller = pick_seller(w, rng, kind, pay_day)?;
    let valued = date_between(rng, add_days(pay_day, -200), pay_day).max(cfg.start);
    let prop = w.add_property(rng, kind, city, valued);
    let market = w.properties[prop as usize].market_value;
    let price = (market * Decimal::new(rng.range(price_pct.0, price_pct.1), 2)).round_dp(0);
    let price_all = (price * fx.rate(pay_day)).round_dp(2);
    let inflow = if source != payer {
        let t = at(inflow_day, rng.range(9 * 60, 16 * 60));
        let amt = pct(price_all, rng.range(101, 110));
        let reference =
            if w.holder(payer).is_some_and(|e| matches!(e, Entity::C(_))) { "Kontribut kapitali" } else { "Dhuratë" };
        Some(w.plan(ev(t, Some(source), Some(payer), amt, Channel::Wire, reference, None)))
    } else {
        None
    };
    let t = at(pay_day, rng.range(9 * 60, 16 * 60));
    let pay = w.plan(ev(t, Some(payer), Some(seller), price_all, Channel::Wire, "Pagesë për blerje pasurie", None));
    if let Some(Entity::P(owner)) = w.holder(seller) {
        let before = date_between(rng, ymd(2010, 1, 1), add_days(cfg.start, -30));
        w.titles.push(Title {
            property: prop,
            owner: Entity::P(owner),
            share: Decimal::ONE,
            acquired: before,
            price: None,
            eur: true,
            disposed: Some(pay_day),
            payments: Vec::new(),
        });
    }
    Some(Bought { prop, inflow, pay, seller, price, date: pay_day })
}

/// A developer for apartments, a background landowner for land (falls back to a developer).
fn pick_seller(w: &World, rng: &mut Rng, kind: &str, d: chrono::NaiveDate) -> Option<u32> {
    if kind == "land" {
        for _ in 0..20 {
            let p = rng.below(u64::from(w.roster.persons.max(1))) as u32;
            if let Some(a) = w.all_account(Entity::P(p)) {
                if w.accounts[a as usize].alive(d) {
                    return Some(a);
                }
            }
        }
    }
    let dev = *rng.pick(&w.roster.developers)?;
    w.all_account(Entity::C(dev))
}

/// A completed purchase.
struct Bought {
    prop: u32,
    /// Planned index of the inflow that funded it (None when paid from own funds).
    inflow: Option<u32>,
    pay: u32,
    /// Seller's account.
    seller: u32,
    /// Price in EUR.
    price: Decimal,
    date: chrono::NaiveDate,
}

fn add_title(w: &mut World, b: &Bought, owner: Entity, share: Decimal) {
    let pay = b.pay;
    w.titles.push(Title {
        property: b.prop,
        owner,
        share,
        acquired: b.date,
        price: Some((b.price * share).round_dp(2)),
        eur: true,
        disposed: None,
        payments: vec![pay],
    });
}

/// A circular holding: A owns 30 % of B, B owns 25 % of A, each with outside holders (methodology.md#t-shell-company).
fn circular(w: &mut World, rng: &mut Rng, r: &Ring) {
    let inc = add_days(r.ws, -rng.range(200, 700));
    let na = World::company_name(rng, "Trade", SHA);
    let emp = rng.range(1, 4) as u32;
    let a = w.add_company(rng, na, SHA, inc, emp, Role::FrontCompany);
    let nb = World::company_name(rng, "Invest", SHPK);
    let b = w.add_company(rng, nb, SHPK, inc, 0, Role::FrontCompany);
    let o1 = rng.below(u64::from(w.roster.persons.max(1))) as u32;
    let o2 = rng.below(u64::from(w.roster.persons.max(1))) as u32;
    let since = add_days(inc, 30);
    let rows = [
        (a, Entity::P(r.boss), Decimal::new(40, 2)),
        (a, Entity::C(b), Decimal::new(25, 2)),
        (a, Entity::P(o1), Decimal::new(35, 2)),
        (b, Entity::C(a), Decimal::new(30, 2)),
        (b, Entity::P(o2), Decimal::new(70, 2)),
    ];
    for (c, h, s) in rows {
        w.ownership.push(Ownership {
            company: c,
            holder: h,
            role: "shareholder",
            share: Some(s),
            from: since,
            to: None,
        });
    }
    record(w, "circular_ownership", vec![], vec![], vec![Entity::C(a), Entity::C(b), Entity::P(r.boss)]);
}

/// One person is nominee director of >= 10 companies (methodology.md#t-shell-company: >= 10 directorships).
fn nominee(w: &mut World, rng: &mut Rng, r: &Ring) {
    let mut ents = vec![Entity::P(r.nominee), Entity::C(r.holding)];
    let n = rng.range(10, 12);
    for _ in 0..n {
        let inc = date_between(rng, add_days(r.ws, -900), add_days(r.ws, -30)).max(ymd(2012, 1, 1));
        let sector = rng.pick_str(&["Trade", "Consulting", "Ndërtim", "Import-Eksport"]);
        let name = World::company_name(rng, sector, SHPK);
        let emp = rng.range(0, 1) as u32;
        let c = w.add_company(rng, name, SHPK, inc, emp, Role::ShellCompany);
        w.companies[c as usize].address = w.companies[r.holding as usize].address.clone();
        w.companies[c as usize].city = w.companies[r.holding as usize].city.clone();
        w.ownership.push(Ownership {
            company: c,
            holder: Entity::P(r.nominee),
            role: "nominee_director",
            share: None,
            from: inc,
            to: None,
        });
        let holder = if rng.chance(0.5) { Entity::P(r.boss) } else { Entity::P(r.nominee) };
        let role = if holder == Entity::P(r.nominee) { "nominee_shareholder" } else { "shareholder" };
        w.ownership.push(Ownership { company: c, holder, role, share: Some(Decimal::ONE), from: inc, to: None });
        ents.push(Entity::C(c));
    }
    record(w, "nominee_director", vec![], vec![], ents);
}
