//! The background stream: ordinary banking life generated one day at a time, never stored.
//!
//! Each day gets an exact quota of background transfers (so transfers.csv holds exactly N rows).
//! Monthly obligations due that day (salaries, rent, utilities, mortgage instalments, family
//! remittances) are emitted first; the rest of the quota is filled with one-off payments: card
//! payments at shops, cash withdrawals and deposits, transfers between people, supplier payments,
//! transfers between a person's own accounts and remittances from Italy, Greece and the UK.

use super::names::CITIES;
use super::rng::Rng;
use super::world::*;
use super::GenConfig;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// Day-by-day generator of background transfers.
pub struct Stream<'a> {
    w: &'a World,
    rng: Rng,
    persons: Vec<u32>,
    pairs: Vec<(u32, u32)>,
    companies: Vec<u32>,
    shops: Vec<u32>,
    foreign: Vec<u32>,
    /// Always-open account used when no other one-off payment fits the day.
    fallback: u32,
    by_day: Vec<Vec<u32>>,
    due: Vec<u32>,
    /// `GenConfig::hub_percent`, and the hub accounts: utilities (paid into) and banks (paying).
    hub_percent: u64,
    utilities: Vec<u32>,
    banks: Vec<u32>,
}

fn all_accts(w: &World, e: Entity) -> impl Iterator<Item = u32> + '_ {
    let v = match e {
        Entity::P(p) => w.person_accounts.get(p as usize),
        Entity::C(c) => w.company_accounts.get(c as usize),
    };
    v.into_iter().flatten().copied().filter(|&a| w.accounts.get(a as usize).is_some_and(|x| !x.eur))
}

/// Amount in `[lo, hi]` skewed towards `lo` (`power` > 1), with cents.
fn skewed(rng: &mut Rng, lo: i64, hi: i64, power: i32) -> Decimal {
    let u = rng.unit().powi(power);
    let cents = lo * 100 + ((hi - lo) as f64 * 100.0 * u) as i64;
    Decimal::new(cents.max(100), 2)
}

impl<'a> Stream<'a> {
    /// Prepares the account pools and the obligations indexed by day of month.
    pub fn new(cfg: &GenConfig, w: &'a World) -> Self {
        let r = &w.roster;
        let mut persons = Vec::new();
        let mut pairs = Vec::new();
        for p in 0..r.persons {
            let accts = w.person_accounts.get(p as usize).map(Vec::as_slice).unwrap_or(&[]);
            let all = accts.iter().copied().find(|&a| !w.accounts[a as usize].eur);
            let eur = accts.iter().copied().find(|&a| w.accounts[a as usize].eur);
            if let Some(a) = all {
                persons.push(a);
                if let Some(e) = eur {
                    pairs.push((a, e));
                }
            }
        }
        let companies: Vec<u32> = r.employers.iter().flat_map(|&c| all_accts(w, Entity::C(c))).collect();
        let shops: Vec<u32> = r.shops.iter().flat_map(|&c| all_accts(w, Entity::C(c))).collect();
        let fallback = w.banks.first().and_then(|&b| all_accts(w, Entity::C(b)).next()).unwrap_or(0);
        let mut by_day = vec![Vec::new(); 29];
        for (i, o) in w.obligations.iter().enumerate() {
            if let Some(v) = by_day.get_mut(o.day as usize) {
                v.push(i as u32);
            }
        }
        Stream {
            w,
            rng: Rng::new(cfg.seed, 3),
            persons,
            pairs,
            companies,
            shops: if shops.is_empty() { companies_clone(w) } else { shops },
            foreign: r.foreign.clone(),
            fallback,
            by_day,
            due: Vec::new(),
            hub_percent: u64::from(cfg.hub_percent),
            utilities: r.utilities.iter().flat_map(|&c| all_accts(w, Entity::C(c))).collect(),
            banks: w.banks.iter().flat_map(|&c| all_accts(w, Entity::C(c))).collect(),
        }
    }

    /// Appends exactly `quota` background transfers booked on `d` to `out`.
    pub fn day(&mut self, d: NaiveDate, quota: u64, out: &mut Vec<Event>) {
        let quota = quota as usize;
        self.due.clear();
        if let Some(list) = self.by_day.get(d.day() as usize) {
            let obl = &self.w.obligations;
            self.due.extend(
                list.iter().copied().filter(|&i| obl.get(i as usize).is_some_and(|o| o.first <= d && d <= o.last)),
            );
        }
        if self.due.len() > quota {
            // Partial Fisher-Yates: a random subset of the due payments fits the quota.
            for i in 0..quota {
                let j = i + self.rng.index(self.due.len() - i);
                self.due.swap(i, j);
            }
            self.due.truncate(quota);
        }
        for k in 0..self.due.len() {
            let Some(o) = self.w.obligations.get(self.due[k] as usize) else {
                continue;
            };
            let mut amount = o.amount;
            if o.jitter {
                amount = (amount * Decimal::new(self.rng.range(70, 130), 2)).round_dp(2).max(Decimal::ONE);
            }
            let (h0, h1) = if o.reference == "Paga mujore" { (8, 12) } else { (7, 21) };
            out.push(Event {
                at: at(d, self.rng.range(h0 * 60, h1 * 60)) + Duration::seconds(self.rng.range(0, 59)),
                from: Some(o.from),
                to: Some(o.to),
                amount,
                channel: o.channel,
                reference: Cow::Borrowed(o.reference),
                branch: None,
            });
        }
        for _ in self.due.len()..quota {
            let e = self.one_off(d);
            out.push(e);
        }
    }

    fn alive(&self, a: u32, d: NaiveDate) -> bool {
        self.w.accounts.get(a as usize).is_some_and(|x| x.alive(d))
    }

    fn pick_alive(&mut self, pool: Pool, d: NaiveDate) -> Option<u32> {
        let v = match pool {
            Pool::Persons => &self.persons,
            Pool::Companies => &self.companies,
            Pool::Shops => &self.shops,
            Pool::Foreign => &self.foreign,
        };
        for _ in 0..8 {
            let a = *self.rng.pick(v)?;
            if self.alive(a, d) {
                return Some(a);
            }
        }
        None
    }

    fn city_of(&mut self, a: u32) -> &'static str {
        let w = self.w;
        if self.rng.chance(0.8) {
            let c = match w.holder(a) {
                Some(Entity::P(p)) => w.persons.get(p as usize).map(|x| x.city),
                Some(Entity::C(c)) => {
                    let name = w.companies.get(c as usize).map(|x| x.city.as_str()).unwrap_or("");
                    CITIES.iter().find(|k| k.name == name).map(|k| k.name)
                }
                None => None,
            };
            if let Some(c) = c {
                return c;
            }
        }
        CITIES[self.rng.index(CITIES.len())].name
    }

    fn one_off(&mut self, d: NaiveDate) -> Event {
        for _ in 0..10 {
            if let Some(e) = self.try_one_off(d) {
                return e;
            }
        }
        // Always valid: a bank's own cash-in at head office (the bank accounts never close).
        Event {
            at: at(d, self.rng.range(9 * 60, 16 * 60)),
            from: None,
            to: Some(self.fallback),
            amount: skewed(&mut self.rng, 50_000, 900_000, 2),
            channel: Channel::CashDeposit,
            reference: Cow::Borrowed("Derdhje cash"),
            branch: Some(CITIES[0].name),
        }
    }

    fn try_one_off(&mut self, d: NaiveDate) -> Option<Event> {
        let t = at(d, self.rng.range(7 * 60, 22 * 60)) + Duration::seconds(self.rng.range(0, 59));
        // Hub traffic first (no draw at all when it is off, so default output is unchanged).
        if self.hub_percent > 0 && self.rng.below(100) < self.hub_percent {
            return self.hub_payment(d, t);
        }
        let x = self.rng.below(100);
        let mut e = Event {
            at: t,
            from: None,
            to: None,
            amount: Decimal::ONE,
            channel: Channel::Card,
            reference: Cow::Borrowed(""),
            branch: None,
        };
        match x {
            0..=34 => {
                e.from = Some(self.pick_alive(Pool::Persons, d)?);
                e.to = Some(self.pick_alive(Pool::Shops, d)?);
                e.amount = skewed(&mut self.rng, 200, 30_000, 3);
                e.reference = Cow::Borrowed("Pagesë POS");
            }
            35..=49 => {
                let a = self.pick_alive(Pool::Persons, d)?;
                e.from = Some(a);
                e.channel = Channel::CashWithdrawal;
                e.amount = Decimal::from(self.rng.range(1, 40) * 2_000);
                e.reference = Cow::Borrowed("Tërheqje ATM");
                e.branch = Some(self.city_of(a));
            }
            50..=61 => {
                let a = self.pick_alive(Pool::Shops, d)?;
                e.to = Some(a);
                e.channel = Channel::CashDeposit;
                // Daily takings; a few legitimately land near or above the threshold T (docs/methodology.md#t-structuring),
                // so a lone deposit in the structuring band is not proof of structuring.
                e.amount = skewed(&mut self.rng, 10_000, 1_500_000, 3);
                e.reference = Cow::Borrowed("Derdhje xhiro ditore");
                e.branch = Some(self.city_of(a));
            }
            62..=71 => {
                e.from = Some(self.pick_alive(Pool::Persons, d)?);
                e.to = Some(self.pick_alive(Pool::Persons, d)?);
                e.channel = Channel::Wire;
                e.amount = skewed(&mut self.rng, 2_000, 300_000, 3);
                e.reference = Cow::Borrowed("Transfertë");
            }
            72..=76 => {
                let &(a, b) = self.rng.pick(&self.pairs)?;
                if !self.alive(a, d) {
                    return None;
                }
                let to_eur = self.rng.chance(0.5);
                let (from, to) = if to_eur { (a, b) } else { (b, a) };
                e.from = Some(from);
                e.to = Some(to);
                e.channel = Channel::Internal;
                e.amount =
                    if to_eur { skewed(&mut self.rng, 5_000, 500_000, 2) } else { skewed(&mut self.rng, 50, 5_000, 2) };
                e.reference = Cow::Borrowed("Transfertë ndërmjet llogarive");
            }
            77..=88 => {
                e.from = Some(self.pick_alive(Pool::Companies, d)?);
                e.to = Some(self.pick_alive(Pool::Companies, d)?);
                e.channel = Channel::Wire;
                e.amount = skewed(&mut self.rng, 20_000, 4_000_000, 3);
                e.reference = Cow::Borrowed("Pagesë fature furnitori");
            }
            _ => {
                e.from = Some(self.pick_alive(Pool::Foreign, d)?);
                e.to = Some(self.pick_alive(Pool::Persons, d)?);
                e.channel = Channel::Remittance;
                e.amount = skewed(&mut self.rng, 50, 2_500, 2);
                e.reference = Cow::Borrowed("Remittance");
            }
        }
        if e.from.is_some() && e.from == e.to {
            return None;
        }
        Some(e)
    }
}

impl Stream<'_> {
    /// A bill paid into a utility, or a pension or public salary paid by a bank, at `t`.
    fn hub_payment(&mut self, d: NaiveDate, t: NaiveDateTime) -> Option<Event> {
        let person = self.pick_alive(Pool::Persons, d)?;
        let bill = self.rng.chance(0.5);
        let hub = *self.rng.pick(if bill { &self.utilities } else { &self.banks })?;
        if !self.alive(hub, d) {
            return None;
        }
        let (from, to, amount, reference) = if bill {
            (person, hub, skewed(&mut self.rng, 1_500, 9_000, 1), "Pagesë fature")
        } else {
            (hub, person, skewed(&mut self.rng, 14_000, 80_000, 2), "Pension / pagë publike")
        };
        Some(Event {
            at: t,
            from: Some(from),
            to: Some(to),
            amount,
            channel: Channel::Wire,
            reference: Cow::Borrowed(reference),
            branch: None,
        })
    }
}

fn companies_clone(w: &World) -> Vec<u32> {
    w.roster.employers.iter().flat_map(|&c| all_accts(w, Entity::C(c))).collect()
}

#[derive(Clone, Copy)]
enum Pool {
    Persons,
    Companies,
    Shops,
    Foreign,
}
