//! Circular ownership: companies that hold shares in each other, directly or around a loop
//! (docs/methodology.md#t-shell-company "circular ownership"; methodology.md#bo-computation on how a cycle hides and inflates the
//! integrated shares of the persons behind it).
//!
//! The company-to-company shareholding graph in force on each date on which a company-held
//! share starts is split into strongly connected components (petgraph `tarjan_scc`); every
//! component of two or more companies is one finding, reported once with the date it closed.

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{address_groups, normalise_address, pct, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Date, EntityKind, EntityRef, Role};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

crate::params! {
    /// Parameters of [`CircularOwnership`].
    pub struct CircularOwnershipParams {
        /// Smallest component reported, in companies (2: two companies holding each other;
        /// a company holding its own shares is treasury stock, not a cycle) (project default).
        min_companies: usize = 2,
        /// Cap on the persons named as integrated owners in the explanation (project default).
        max_owners_named: usize = 5,
    }
}

super::context::indicators! {
    /// The indicators of [`CircularOwnership`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    OWNERSHIP_CYCLE = ("ownership_cycle", 35, []);
    CLOSED_CYCLE = ("closed_cycle", 25, []);
    NOMINEE_ROLES = ("nominee_roles", 15, []);
    NO_EMPLOYEES = ("no_employees", 10, []);
    SHARED_ADDRESS = ("shared_address", 10, []);
    TRANSFERS_WITHIN_CYCLE = ("transfers_within_cycle", 15, []);
}

/// The circular-ownership detector.
#[derive(Default)]
pub struct CircularOwnership {
    /// Parameters.
    pub p: CircularOwnershipParams,
}

/// A company-held shareholding row: (holder company, held company, row).
type Edge = (u32, u32, usize);

impl Detector for CircularOwnership {
    super::detector::detector_parts!(Typology::CircularOwnership);

    /// # Complexity
    /// O(D · (C + E)) for D distinct start dates of company-held shares and the C companies and
    /// E company-held shareholdings; the register is small next to the transfers.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let case = ctx.case;
        let reg = Registers::new(case);
        let rows = &case.ownership.rows;
        let edges: Vec<Edge> = rows
            .iter()
            .enumerate()
            .filter(|(_, o)| o.role.holds_shares() && o.holder.kind == EntityKind::Company)
            .filter(|(_, o)| o.share.is_none_or(|s| s > Decimal::ZERO))
            .map(|(i, o)| (o.holder.idx, o.company, i))
            .collect();
        let mut dates: Vec<Date> = edges.iter().map(|&(_, _, r)| rows[r].from.unwrap_or(Date(i32::MIN / 2))).collect();
        dates.sort_unstable();
        dates.dedup();
        // Component (sorted companies) -> (date it was first seen, rows of its internal edges).
        let mut found: BTreeMap<Vec<u32>, (Date, BTreeSet<usize>)> = BTreeMap::new();
        for &d in &dates {
            let live: Vec<&Edge> = edges.iter().filter(|&&(_, _, r)| rows[r].in_force_on(d)).collect();
            let mut g: DiGraphMap<u32, (), std::hash::RandomState> = DiGraphMap::default();
            for &&(h, c, _) in &live {
                g.add_edge(h, c, ());
            }
            for mut scc in tarjan_scc(&g) {
                if scc.len() < self.p.min_companies.max(2) {
                    continue;
                }
                scc.sort_unstable();
                let set: BTreeSet<u32> = scc.iter().copied().collect();
                let inner: BTreeSet<usize> = live
                    .iter()
                    .filter(|&&&(h, c, _)| set.contains(&h) && set.contains(&c))
                    .map(|&&(_, _, r)| r)
                    .collect();
                found.entry(scc).or_insert((d, inner));
            }
        }
        let addresses = address_groups(case);
        found.into_iter().map(|(comps, (d, inner))| self.finding(ctx, &reg, &addresses, &comps, d, &inner)).collect()
    }
}

impl CircularOwnership {
    fn finding(
        &self,
        ctx: &DetectCtx<'_>,
        reg: &Registers<'_>,
        addresses: &BTreeMap<String, Vec<u32>>,
        comps: &[u32],
        d: Date,
        inner: &BTreeSet<usize>,
    ) -> Finding {
        let case = ctx.case;
        let rows = &case.ownership.rows;
        let cid = |c: u32| case.companies.rows[c as usize].id.as_str();
        let mut f = Finding::new(self.name());
        f.first_at = Some(d.start());
        f.entities.extend(comps.iter().map(|&c| Registers::company(c)));
        let links: Vec<String> = inner
            .iter()
            .map(|&r| {
                let o = &rows[r];
                let share = o.share.map_or_else(|| "an unrecorded share".to_string(), pct);
                format!("{} holds {} of {} (line {})", cid(o.holder.idx), share, cid(o.company), o.prov.line)
            })
            .collect();
        // Outside holders of the cycle's companies: the persons and companies behind it.
        let mut outside_held = Decimal::ZERO;
        let mut nominee_rows = 0usize;
        for o in rows.iter().filter(|o| comps.binary_search(&o.company).is_ok() && o.in_force_on(d)) {
            let inside = o.holder.kind == EntityKind::Company && comps.binary_search(&o.holder.idx).is_ok();
            if matches!(o.role, Role::NomineeShareholder | Role::NomineeDirector) {
                nominee_rows += 1;
            }
            if o.role.holds_shares() && !inside {
                f.entities.push(o.holder);
                outside_held += o.share.unwrap_or(Decimal::ZERO);
            }
        }
        let mut core = format!("{} companies hold each other since {d}: {}", comps.len(), links.join(", "));
        let snap = reg.at(d);
        match &snap.own {
            Some(own) => {
                // Integrated shares (methodology.md#bo-computation): what the cycle adds to each person's stake.
                let mut named: Vec<(Decimal, EntityRef, u32)> = Vec::new();
                for &c in comps {
                    if let Some(co) = own.owners(reg.dense(Registers::company(c))) {
                        for (&p, &s) in &co.persons {
                            let e = reg.entity(p);
                            named.push((s, e, c));
                            f.entities.push(e);
                        }
                    }
                }
                named.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
                let text: Vec<String> = named
                    .iter()
                    .take(self.p.max_owners_named)
                    .map(|(s, e, c)| format!("{} {} of {}", case.entity_id(*e), pct(*s), cid(*c)))
                    .collect();
                if !text.is_empty() {
                    core.push_str(&format!("; largest integrated stakes: {}", text.join(", ")));
                }
            }
            None => core.push_str("; integrated ownership is undefined for this register state"),
        }
        f.indicate(&OWNERSHIP_CYCLE, core);
        if outside_held.is_zero() {
            f.indicate(&CLOSED_CYCLE, "no holder outside the cycle: the owners cannot be identified from the register");
        }
        if nominee_rows > 0 {
            f.indicate(&NOMINEE_ROLES, format!("{nominee_rows} nominee shareholder or director roles in the cycle"));
        }
        let empty: Vec<&str> =
            comps.iter().filter(|&&c| case.companies.rows[c as usize].employees == Some(0)).map(|&c| cid(c)).collect();
        if !empty.is_empty() {
            f.indicate(&NO_EMPLOYEES, format!("declare no employees: {}", empty.join(", ")));
        }
        let shared = comps.iter().any(|&c| {
            let co = &case.companies.rows[c as usize];
            co.registered_address
                .as_deref()
                .map(|a| normalise_address(a, co.city.as_deref()))
                .and_then(|k| addresses.get(&k))
                .is_some_and(|g| g.iter().filter(|x| comps.binary_search(x).is_ok()).count() >= 2)
        });
        if shared {
            f.indicate(&SHARED_ADDRESS, "companies of the cycle share a registered address");
        }
        // Money moving between the cycle's companies.
        let accts: BTreeSet<u32> = case
            .accounts
            .rows
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.holder.is_some_and(|h| h.kind == EntityKind::Company && comps.binary_search(&h.idx).is_ok())
            })
            .map(|(i, _)| i as u32)
            .collect();
        let g = &ctx.graph.flow;
        let mut between = Vec::new();
        for &a in &accts {
            between.extend(g.out_edges(a).iter().copied().filter(|&e| accts.contains(&g.dst[e as usize])));
        }
        f.accounts.extend(accts.iter().map(|&a| AccountId::from_raw(a)));
        if !between.is_empty() {
            f.indicate(&TRANSFERS_WITHIN_CYCLE, format!("{} transfers between the cycle's companies", between.len()));
            f.txns = TransferId::from_raws(&between).collect();
        }
        f.finish(case, &ctx.graph.flow)
    }
}
