//! Shell company: a company that moves money or holds property in the case while showing the
//! marks of a vehicle without a business (docs/methodology.md#t-shell-company: no employees or payroll,
//! registered at a shared address, circular or layered ownership, nominee officers; issue 3:
//! young company with large flows, foreign address, owned through a chain).
//!
//! Only companies with a footprint in the case (an account that moved money, or a property
//! title) are candidates: a dormant registration is a register fact, cited by
//! `nominee_director`, not a laundering vehicle. Each shell mark is one indicator; a company is
//! reported when at least `min_indicators` fire (methodology.md#no-single-indicator: no single indicator confirms).

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{address_country, address_groups, amount, normalise_address, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Date, EntityKind, EntityRef, Role};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

crate::params! {
    /// Parameters of [`ShellCompany`].
    pub struct ShellCompanyParams {
        /// Shell marks needed for a finding (methodology.md#no-single-indicator: combinations, never one rule) (project default).
        min_indicators: usize = 3,
        /// Companies at one registered address that make it a shared address (project default).
        min_shared_address: usize = 3,
        /// A company younger than this many days at its first large transfer is young (project default).
        young_days: i64 = 730,
        /// A transfer of at least this multiple of the cash-reporting threshold is large
        /// (methodology.md#cash-threshold: ALL 1,000,000) (project default).
        large_ratio: Decimal = Decimal::ONE,
        /// The case's country (ISO 3166 alpha-2); addresses ending in another code are foreign.
        home_country: String = "AL".to_string(),
        /// Most levels of holding companies followed upward (project default).
        max_chain: usize = 8,
    }
}

super::context::indicators! {
    /// The indicators of [`ShellCompany`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    NO_EMPLOYEES = ("no_employees", 15, []);
    SHARED_ADDRESS = ("shared_address", 15, []);
    FOREIGN_ADDRESS = ("foreign_address", 15, []);
    OWNED_THROUGH_CHAIN = ("owned_through_chain", 15, []);
    FOREIGN_OWNER = ("foreign_owner", 15, []);
    NOMINEE_OFFICERS = ("nominee_officers", 15, []);
    YOUNG_WITH_LARGE_FLOWS = ("young_with_large_flows", 20, []);
    HOLDS_PROPERTY = ("holds_property", 10, []);
}

/// The shell-company detector.
#[derive(Default)]
pub struct ShellCompany {
    /// Parameters.
    pub p: ShellCompanyParams,
}

impl Detector for ShellCompany {
    super::detector::detector_parts!(Typology::ShellCompany);

    /// # Complexity
    /// O(A + T + R) to index accounts, titles and register rows, then per candidate company
    /// O(E_c + R_c) over its transfers and the register rows above it.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let case = ctx.case;
        let g = &ctx.graph.flow;
        let mut accounts: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (i, a) in case.accounts.rows.iter().enumerate() {
            if let Some(h) = a.holder.filter(|h| h.kind == EntityKind::Company) {
                if !g.out_edges(i as u32).is_empty() || !g.in_edges(i as u32).is_empty() {
                    accounts.entry(h.idx).or_default().push(i as u32);
                }
            }
        }
        let mut titled: BTreeSet<u32> = BTreeSet::new();
        for t in &case.titles.rows {
            if t.owner.kind == EntityKind::Company && t.disposed_on.is_none() {
                titled.insert(t.owner.idx);
            }
        }
        let candidates: BTreeSet<u32> = accounts.keys().copied().chain(titled.iter().copied()).collect();
        let addresses = address_groups(case);
        let empty = Vec::new();
        candidates
            .into_par_iter()
            .filter_map(|c| self.check(ctx, &addresses, c, accounts.get(&c).unwrap_or(&empty), titled.contains(&c)))
            .collect()
    }
}

impl ShellCompany {
    fn check(
        &self,
        ctx: &DetectCtx<'_>,
        addresses: &BTreeMap<String, Vec<u32>>,
        c: u32,
        accts: &[u32],
        holds_property: bool,
    ) -> Option<Finding> {
        let case = ctx.case;
        let g = &ctx.graph.flow;
        let co = &case.companies.rows[c as usize];
        let me = Registers::company(c);
        let mut f = Finding::new(self.name());
        let foreign = |a: Option<&str>| {
            a.and_then(address_country).filter(|cc| !cc.eq_ignore_ascii_case(&self.p.home_country)).map(str::to_string)
        };
        if co.employees == Some(0) {
            f.indicate(&NO_EMPLOYEES, format!("{} declares no employees", co.id));
        }
        if let Some(addr) = co.registered_address.as_deref() {
            let key = normalise_address(addr, co.city.as_deref());
            if let Some(group) = addresses.get(&key).filter(|g| g.len() >= self.p.min_shared_address) {
                f.indicate(&SHARED_ADDRESS, format!("registered at '{addr}' with {} other companies", group.len() - 1));
            }
        }
        if let Some(cc) = foreign(co.registered_address.as_deref()) {
            f.indicate(&FOREIGN_ADDRESS, format!("registered abroad ({cc})"));
        }
        // Ownership chain upward at the valuation date (or the dissolution date).
        let d = co.dissolved_on.unwrap_or(case.meta.valuation_date);
        let (chain, tops, foreign_parents) = self.chain(ctx, c, d, &foreign);
        if !chain.is_empty() {
            let names: Vec<&str> = chain.iter().map(|&e| case.entity_id(e)).collect();
            let top: Vec<&str> = tops.iter().map(|&e| case.entity_id(e)).collect();
            f.indicate(
                &OWNED_THROUGH_CHAIN,
                format!(
                    "held through {} by {}",
                    names.join(", "),
                    if top.is_empty() { "unknown".into() } else { top.join(", ") }
                ),
            );
        }
        if !foreign_parents.is_empty() {
            f.indicate(
                &FOREIGN_OWNER,
                format!("held through companies registered abroad: {}", foreign_parents.join(", ")),
            );
        }
        let nominees: Vec<String> = case
            .ownership
            .rows
            .iter()
            .filter(|o| o.company == c && o.in_force_on(d))
            .filter(|o| matches!(o.role, Role::NomineeDirector | Role::NomineeShareholder))
            .map(|o| format!("{} ({})", case.entity_id(o.holder), o.role))
            .collect();
        if !nominees.is_empty() {
            f.indicate(&NOMINEE_OFFICERS, format!("nominees on the register: {}", nominees.join(", ")));
        }
        // Large transfers early in the company's life.
        let large = case.meta.cash_report.amount * self.p.large_ratio;
        let mut big: Vec<u32> = accts
            .iter()
            .flat_map(|&a| g.in_edges(a).iter().chain(g.out_edges(a)).copied())
            .filter(|&e| g.base_of(e as usize) >= large)
            .collect();
        big.sort_unstable();
        big.dedup();
        let first_big = big.iter().map(|&e| g.time[e as usize]).min();
        if let (Some(inc), Some(t0)) = (co.incorporated_on, first_big) {
            let age = t0.date().0 - inc.0;
            if i64::from(age) <= self.p.young_days {
                let total: Decimal = big.iter().map(|&e| g.base_of(e as usize)).sum();
                f.indicate(
                    &YOUNG_WITH_LARGE_FLOWS,
                    format!(
                        "incorporated {inc}; first large transfer {age} days later; {} large transfers totalling {}",
                        big.len(),
                        amount(case, total)
                    ),
                );
            }
        }
        if f.indicators.len() < self.p.min_indicators {
            return None;
        }
        if holds_property {
            f.indicate(&HOLDS_PROPERTY, "holds real estate in the land register");
        }
        f.entities.push(me);
        f.entities.extend(chain);
        f.entities.extend(tops);
        f.entities.extend(case.ownership.rows.iter().filter(|o| o.company == c && o.in_force_on(d)).map(|o| o.holder));
        f.accounts.extend(AccountId::from_raws(accts));
        f.txns = TransferId::from_raws(&big).collect();
        f.first_at = co.incorporated_on.map(Date::start);
        Some(f.finish(case, g))
    }

    /// Holding companies above `c` in force on `d`, the persons at the top, and the foreign
    /// holding companies among them.
    fn chain(
        &self,
        ctx: &DetectCtx<'_>,
        c: u32,
        d: Date,
        foreign: &dyn Fn(Option<&str>) -> Option<String>,
    ) -> (Vec<EntityRef>, Vec<EntityRef>, Vec<String>) {
        let case = ctx.case;
        let mut chain = Vec::new();
        let mut tops = BTreeSet::new();
        let mut foreign_parents = Vec::new();
        let mut seen = BTreeSet::from([c]);
        let mut level = vec![c];
        for _ in 0..self.p.max_chain {
            let mut next = Vec::new();
            for &k in &level {
                for o in
                    case.ownership.rows.iter().filter(|o| o.company == k && o.role.holds_shares() && o.in_force_on(d))
                {
                    match o.holder.kind {
                        EntityKind::Person if k != c => {
                            tops.insert(o.holder);
                        }
                        EntityKind::Person => {}
                        EntityKind::Company => {
                            if seen.insert(o.holder.idx) {
                                let h = &case.companies.rows[o.holder.idx as usize];
                                if let Some(cc) = foreign(h.registered_address.as_deref()) {
                                    foreign_parents.push(format!("{} ({cc})", h.id));
                                }
                                chain.push(o.holder);
                                next.push(o.holder.idx);
                            }
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
        (chain, tops.into_iter().collect(), foreign_parents)
    }
}
