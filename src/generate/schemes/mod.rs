//! Injected trafficking schemes with ground truth (docs/methodology.md#typologies).
//!
//! Each *ring* is a leader (suspect), a controller who collects the victims' earnings, the leader's
//! relatives, victims, money mules, and a set of companies (a cash-intensive front, a service
//! company the leader directs, a foreign shell and the domestic holding it owns, a circular holding
//! and the companies of a nominee director). `flows.rs` injects the transfer typologies and
//! `assets.rs` the property and company typologies. The number of rings grows with N: one per
//! ~33,000 transfers, at least one.

mod assets;
mod flows;

use super::fx::FxTable;
use super::names::{self, CITIES};
use super::population::push_obligation;
use super::rng::Rng;
use super::world::*;
use super::GenConfig;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// Transfers per ring (docs brief: "a few suspects/controllers per ~100k transfers").
const TRANSFERS_PER_RING: u64 = 33_000;

/// One trafficking ring: its people, accounts, companies and time window.
#[derive(Debug)]
pub struct Ring {
    /// Ring leader (suspect).
    pub boss: u32,
    /// Collects the victims' earnings (suspect).
    pub controller: u32,
    /// Spouse, parent, sibling of the boss.
    pub relatives: [u32; 3],
    /// Exploited persons.
    pub victims: Vec<u32>,
    /// Pass-through account holders.
    pub mules: Vec<u32>,
    /// Nominee director and shareholder.
    pub nominee: u32,
    /// Boss's ALL account.
    pub boss_acct: u32,
    /// Controller's ALL account.
    pub ctrl_acct: u32,
    /// Accounts of spouse, parent, sibling.
    pub rel_accts: [u32; 3],
    /// One account per victim.
    pub victim_accts: Vec<u32>,
    /// One short-lived account per mule.
    pub mule_accts: Vec<u32>,
    /// Front business owned by the boss.
    pub front: u32,
    /// Front company's account.
    pub front_acct: u32,
    /// Service company directed by the boss (shareholder: the nominee).
    pub service: u32,
    /// Service company's account.
    pub service_acct: u32,
    /// Foreign shell owned by the boss.
    pub shell: u32,
    /// Domestic holding owned 70 % by the shell.
    pub holding: u32,
    /// Holding company's account.
    pub holding_acct: u32,
    /// Start of the ring's active window.
    pub ws: NaiveDate,
}

/// A datetime `minutes` after `t`.
pub fn later(t: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    t + Duration::minutes(minutes)
}

/// A planned event.
pub fn ev(
    at: NaiveDateTime,
    from: Option<u32>,
    to: Option<u32>,
    amount: Decimal,
    channel: Channel,
    reference: &'static str,
    branch: Option<&'static str>,
) -> Event {
    Event { at, from, to, amount: amount.round_dp(2), channel, reference: Cow::Borrowed(reference), branch }
}

/// `x` times `pct` percent, rounded to cents.
pub fn pct(x: Decimal, pct: i64) -> Decimal {
    (x * Decimal::new(pct, 2)).round_dp(2)
}

/// Number of rings for N transfers.
pub fn ring_count(transfers: u64) -> u64 {
    (transfers / TRANSFERS_PER_RING).max(1)
}

/// Injects all rings into the world.
pub fn inject(cfg: &GenConfig, fx: &FxTable, w: &mut World) {
    let mut rng = Rng::new(cfg.seed, 2);
    for k in 0..ring_count(cfg.transfers) {
        let ring = build_ring(cfg, w, &mut rng, k);
        flows::inject(cfg, w, &mut rng, &ring);
        assets::inject(cfg, fx, w, &mut rng, &ring);
    }
}

fn person_acct(w: &mut World, rng: &mut Rng, p: u32, opened: NaiveDate, closed: Option<NaiveDate>) -> u32 {
    w.add_account(rng, Entity::P(p), opened, closed, false)
}

fn own(w: &mut World, company: u32, holder: Entity, role: &'static str, share: Option<Decimal>, from: NaiveDate) {
    w.ownership.push(Ownership { company, holder, role, share, from, to: None });
}

/// One ring, its parts added in a fixed order of random draws (leaders, victims, mules, the
/// nominee, companies, income): a generated case depends on that order.
fn build_ring(cfg: &GenConfig, w: &mut World, rng: &mut Rng, k: u64) -> Ring {
    let ws = date_between(rng, add_days(cfg.start, 90), add_days(cfg.end, -170));
    let l = ring_leaders(cfg, w, rng, ws);
    let (victims, victim_accts) = ring_victims(w, rng, ws, l.controller);
    // Mules: short-lived accounts opened days before use, closed weeks after (methodology.md#t-pass-through).
    let (mut mules, mut mule_accts) = (Vec::new(), Vec::new());
    for _ in 0..13 {
        let m = w.add_person(rng, Role::Mule, (ymd(1985, 1, 1), ymd(2003, 12, 31)), None, None);
        let o = add_days(ws, -rng.range(3, 10));
        let c = add_days(ws, 100 + rng.range(0, 30)).min(cfg.end);
        mule_accts.push(person_acct(w, rng, m, o, Some(c)));
        mules.push(m);
    }
    let nominee = w.add_person(rng, Role::Nominee, (ymd(1950, 1, 1), ymd(1975, 12, 31)), None, None);
    let c = ring_companies(w, rng, ws, l.boss, nominee);
    ring_income(cfg, w, rng, &l, c.front_acct);
    // Every other victim has come forward (the first, a minor, always): the rest are for the
    // non-punishment classifier to find. No random draw here, so the rest of the case is unchanged.
    w.all_victims.extend(victims.iter().map(|&v| (v, ws)));
    for (i, &v) in victims.iter().enumerate().step_by(2) {
        let basis = if i == 0 { "referral by child protection unit" } else { "victim statement to the prosecutor" };
        w.victims.push((v, basis, w.persons[v as usize].minor, ws));
    }
    let case_ref = format!("SPAK-{}-{:04}", ws.year(), 101 + k);
    w.suspects.push((Entity::P(l.boss), "trafficking in persons (Criminal Code art. 110/a)", case_ref.clone(), ws));
    w.suspects.push((
        Entity::P(l.controller),
        "exploitation of prostitution (Criminal Code art. 114)",
        case_ref,
        add_days(ws, 10),
    ));
    Ring {
        boss: l.boss,
        controller: l.controller,
        relatives: l.relatives,
        victims,
        mules,
        nominee,
        boss_acct: l.boss_acct,
        ctrl_acct: l.ctrl_acct,
        rel_accts: l.rel_accts,
        victim_accts,
        mule_accts,
        front: c.front,
        front_acct: c.front_acct,
        service: c.service,
        service_acct: c.service_acct,
        shell: c.shell,
        holding: c.holding,
        holding_acct: c.holding_acct,
        ws,
    }
}

/// The ring's leaders and the boss's family, with their accounts.
struct Leaders {
    boss: u32,
    boss_acct: u32,
    controller: u32,
    ctrl_acct: u32,
    /// Spouse, parent, sibling.
    relatives: [u32; 3],
    rel_accts: [u32; 3],
}

/// The boss (with an account opened before the period), the controller, and the boss's spouse
/// (at the boss's address), parent and sibling, all of one city and (but the controller) one
/// surname; with their relations.
fn ring_leaders(cfg: &GenConfig, w: &mut World, rng: &mut Rng, ws: NaiveDate) -> Leaders {
    let city = &CITIES[rng.index(4)];
    let family = rng.pick_str(names::SURNAMES);
    let pre = |rng: &mut Rng| date_between(rng, ymd(2011, 1, 1), add_days(cfg.start, -10));
    let boss = w.add_person(rng, Role::Suspect, (ymd(1968, 1, 1), ymd(1988, 12, 31)), Some(city), Some(family));
    let boss_acct = {
        let o = pre(rng);
        person_acct(w, rng, boss, o, None)
    };
    let controller = w.add_person(rng, Role::Controller, (ymd(1980, 1, 1), ymd(1996, 12, 31)), Some(city), None);
    let ctrl_acct = {
        let o = date_between(rng, ymd(2014, 1, 1), add_days(ws, -40));
        person_acct(w, rng, controller, o, None)
    };
    let spouse = w.add_person(rng, Role::Relative, (ymd(1970, 1, 1), ymd(1992, 12, 31)), Some(city), Some(family));
    let parent = w.add_person(rng, Role::Relative, (ymd(1942, 1, 1), ymd(1960, 12, 31)), Some(city), Some(family));
    let sibling = w.add_person(rng, Role::Relative, (ymd(1966, 1, 1), ymd(1994, 12, 31)), Some(city), Some(family));
    let relatives = [spouse, parent, sibling];
    let mut rel_accts = [0u32; 3];
    for (i, &r) in relatives.iter().enumerate() {
        let o = pre(rng);
        rel_accts[i] = person_acct(w, rng, r, o, None);
    }
    w.persons[spouse as usize].address = w.persons[boss as usize].address.clone();
    w.relations.push((boss, spouse, "spouse"));
    w.relations.push((boss, parent, "parent"));
    w.relations.push((boss, sibling, "sibling"));
    w.relations.push((boss, controller, "associate"));
    Leaders { boss, boss_acct, controller, ctrl_acct, relatives, rel_accts }
}

/// Six or seven victims (the first a minor), at the controller's address (docs/methodology.md#typologies
/// #10, shared identifiers), each with an account opened weeks before the window `ws`.
fn ring_victims(w: &mut World, rng: &mut Rng, ws: NaiveDate, controller: u32) -> (Vec<u32>, Vec<u32>) {
    let ctrl_addr = w.persons[controller as usize].address.clone();
    let nv = rng.range(6, 8) as usize;
    let (mut victims, mut victim_accts) = (Vec::new(), Vec::new());
    for i in 0..nv {
        let minor = i == 0 || rng.chance(0.15);
        let born = if minor {
            (add_days(ws, -(17 * 365 + 300)), add_days(ws, -(16 * 365 + 10)))
        } else {
            (add_days(ws, -(29 * 365)), add_days(ws, -(19 * 365)))
        };
        let v = w.add_person(rng, Role::Victim, born, None, None);
        w.persons[v as usize].minor = minor;
        w.persons[v as usize].address = ctrl_addr.clone();
        let o = add_days(ws, -rng.range(15, 60));
        victim_accts.push(person_acct(w, rng, v, o, None));
        victims.push(v);
    }
    (victims, victim_accts)
}

/// The ring's companies and their accounts.
struct Companies {
    front: u32,
    front_acct: u32,
    service: u32,
    service_acct: u32,
    shell: u32,
    holding: u32,
    holding_acct: u32,
}

/// The front business the boss owns and runs, the service company the boss directs for the
/// nominee, and the foreign shell of the boss owning 70 % of a domestic holding.
fn ring_companies(w: &mut World, rng: &mut Rng, ws: NaiveDate, boss: u32, nominee: u32) -> Companies {
    let inc = add_days(ws, -rng.range(400, 1800));
    let sector = rng.pick_str(names::FRONT_SECTORS);
    let name = World::company_name(rng, sector, SHPK);
    let emp = rng.range(2, 6) as u32;
    let front = w.add_company(rng, name, SHPK, inc, emp, Role::FrontCompany);
    let front_acct = w.add_account(rng, Entity::C(front), add_days(inc, 20), None, false);
    own(w, front, Entity::P(boss), "shareholder", Some(Decimal::ONE), inc);
    own(w, front, Entity::P(boss), "administrator", None, inc);

    let inc2 = add_days(ws, -rng.range(200, 900));
    let name = World::company_name(rng, "Consulting", SHPK);
    let service = w.add_company(rng, name, SHPK, inc2, 1, Role::FrontCompany);
    let service_acct = w.add_account(rng, Entity::C(service), add_days(inc2, 10), None, false);
    own(w, service, Entity::P(nominee), "nominee_shareholder", Some(Decimal::ONE), inc2);
    own(w, service, Entity::P(boss), "director", None, inc2);

    // Foreign shell: foreign address, no employees, no NUIS (methodology.md#t-shell-company).
    let (cc, fcity, fstreet) = names::FOREIGN_ADDR[rng.index(names::FOREIGN_ADDR.len())];
    let inc3 = add_days(ws, -rng.range(300, 1500));
    let sname = format!("{} Holdings Ltd", rng.pick_str(names::COMPANY_WORDS));
    let shell = w.add_company(rng, sname, "Ltd", inc3, 0, Role::ShellCompany);
    {
        let c = &mut w.companies[shell as usize];
        c.nuis = String::new();
        c.address = format!("{fstreet}, {cc}");
        c.city = fcity.to_owned();
    }
    own(w, shell, Entity::P(boss), "shareholder", Some(Decimal::ONE), inc3);
    let inc4 = add_days(inc3, rng.range(30, 200));
    let name = World::company_name(rng, "Invest", SHPK);
    let holding = w.add_company(rng, name, SHPK, inc4, 0, Role::ShellCompany);
    let holding_acct = w.add_account(rng, Entity::C(holding), add_days(inc4, 15), None, false);
    own(w, holding, Entity::C(shell), "shareholder", Some(Decimal::new(70, 2)), inc4);
    let outsider = rng.below(u64::from(w.roster.persons.max(1))) as u32;
    own(w, holding, Entity::P(outsider), "shareholder", Some(Decimal::new(30, 2)), inc4);
    own(w, holding, Entity::P(nominee), "nominee_director", None, inc4);
    Companies { front, front_acct, service, service_acct, shell, holding, holding_acct }
}

/// Declared income: the boss's is small, a front-company salary (disproportion, methodology.md#t-real-estate).
fn ring_income(cfg: &GenConfig, w: &mut World, rng: &mut Rng, l: &Leaders, front_acct: u32) {
    let salary = rng.money(28_000, 45_000);
    push_obligation(w, front_acct, l.boss_acct, salary, 5, Channel::Wire, "Paga mujore", false, cfg);
    if let Some(o) = w.obligations.last_mut() {
        o.keep = true;
    }
    let [spouse, parent, _] = l.relatives;
    for y in cfg.start.year()..=cfg.end.year() {
        w.income.push((Entity::P(l.boss), y, salary * Decimal::from(12), "salary"));
        w.income.push((Entity::P(l.controller), y, rng.money(250_000, 420_000), "salary"));
        w.income.push((Entity::P(spouse), y, rng.money(0, 240_000).max(Decimal::from(60_000)), "salary"));
        w.income.push((Entity::P(parent), y, rng.money(150_000, 220_000), "pension"));
    }
}
