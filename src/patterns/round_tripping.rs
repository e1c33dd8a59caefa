//! Round-tripping through companies: money leaving an originator passes through companies the
//! originator owns or directs and returns, within a window, to the originator, a relative, or
//! another company of his, typically dressed as a loan, capital or sale proceeds
//! (docs/methodology.md#t-cycle: "includes cycles through companies owned by the originator (money
//! returns as 'loan', 'capital', 'sale proceeds')"; cycle length <= 6, window <= 90 days).
//!
//! A depth-first search from each transfer into a company tied to its sender (owns at least
//! `min_share`, directs, or controls at the transfer date: [`crate::ownership::control`]) follows
//! later transfers out of tied companies whose amount stays within a retention band of the
//! previous hop, until the money reaches the originator's sphere again.

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{amount, is_upstream, pct, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Case, DateTime, EntityKind, EntityRef, Role};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

crate::params! {
    /// Parameters of [`RoundTripping`].
    pub struct RoundTrippingParams {
        /// Most transfers in one round trip (methodology.md#t-cycle: cycle length <= 6).
        max_hops: usize = 6,
        /// Whole round trip within this many days (methodology.md#t-cycle: window <= 90 days).
        window_days: i64 = 90,
        /// Each hop carries at least this fraction of the previous one (AMLSim margin 0.1 per
        /// hop, methodology.md#src-amlsim, with room for fees) (project default).
        min_retention: Decimal = Decimal::new(8, 1),
        /// Each hop carries at most this multiple of the previous one (project default).
        max_growth: Decimal = Decimal::new(105, 2),
        /// Smallest first hop, as a fraction of the case's cash-reporting threshold
        /// (methodology.md#cash-threshold: ALL 1,000,000) (project default).
        min_amount_ratio: Decimal = Decimal::new(1, 1),
        /// Smallest effective share that makes a company "owned" (AMLR Art. 52, 25 %, methodology.md#bo-thresholds).
        min_share: Decimal = Decimal::new(25, 2),
        /// Words in references that dress the money as loan, capital, dividend or sale
        /// (English and Albanian; comma-separated, case-insensitive) [D, methodology.md#t-cycle].
        keywords: String = "loan,hua,huaja,kredi,capital,kapital,kontribut,dividend,investim,investment,sale proceeds,shitje".to_string(),
        /// Search budget: transfers expanded per starting transfer (project default).
        max_expansions: usize = 20_000,
    }
}

super::context::indicators! {
    /// The indicators of [`RoundTripping`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    RETURNS_TO_ORIGINATOR = ("returns_to_originator", 35, []);
    RETURNS_TO_RELATIVE = ("returns_to_relative", 30, []);
    RETURNS_TO_OWN_COMPANY = ("returns_to_own_company", 20, []);
    LOAN_OR_CAPITAL_REFERENCE = ("loan_or_capital_reference", 20, []);
    NOMINEE_IN_PATH = ("nominee_in_path", 15, []);
    HIGH_RETENTION = ("high_retention", 10, []);
}

/// The round-tripping detector.
#[derive(Default)]
pub struct RoundTripping {
    /// Parameters.
    pub p: RoundTrippingParams,
}

/// Where a round trip ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Back {
    Originator,
    Relative,
    OwnCompany,
}

struct Trip {
    back: Back,
    path: Vec<u32>,
}

impl Detector for RoundTripping {
    super::detector::detector_parts!(Typology::RoundTripping);

    /// # Complexity
    /// O(E) to find starting transfers (a sender among the company's registered holders or
    /// officers, upward through holding companies), then per start a DFS bounded by
    /// `max_hops`, the window, the retention band and `max_expansions`.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let case = ctx.case;
        let reg = Registers::new(case);
        let g = &ctx.graph.flow;
        let min_amount = case.meta.cash_report.amount * self.p.min_amount_ratio;
        let keywords: Vec<String> =
            self.p.keywords.split(',').map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()).collect();
        let mut found: Vec<Finding> = (0..g.account_count())
            .into_par_iter()
            .flat_map_iter(|a| {
                let mut out = Vec::new();
                let Some(x) = holder(case, a) else { return out };
                let family: OnceLock<BTreeSet<u32>> = OnceLock::new();
                for &e in g.out_edges(a) {
                    let Some(c) = holder(case, g.dst[e as usize]) else { continue };
                    if c.kind != EntityKind::Company || g.base_of(e as usize) < min_amount {
                        continue;
                    }
                    if !is_upstream(&reg, x, c.idx) {
                        continue;
                    }
                    let d = g.time[e as usize].date();
                    if reg.tie(x, c.idx, d, self.p.min_share).is_none() {
                        continue;
                    }
                    let mut s = Search {
                        case,
                        ctx,
                        reg: &reg,
                        x,
                        family: &family,
                        p: &self.p,
                        budget: self.p.max_expansions,
                        best: None,
                    };
                    let end = DateTime(g.time[e as usize].0 + self.p.window_days * 86_400);
                    s.dfs(vec![e], &mut vec![c], end);
                    if let Some(t) = s.best {
                        out.push(self.finding(ctx, &reg, x, t, &keywords));
                    }
                }
                out
            })
            .collect();
        // A trip contained in another (same money, a longer detour found from an earlier hop)
        // is reported once, as the longer trip.
        found.sort_by(|a, b| b.txns.len().cmp(&a.txns.len()).then(a.id.cmp(&b.id)));
        let mut kept: Vec<Finding> = Vec::new();
        for f in found {
            if !kept.iter().any(|k| f.txns.iter().all(|t| k.txns.binary_search(t).is_ok())) {
                kept.push(f);
            }
        }
        kept
    }
}

fn holder(case: &Case, a: u32) -> Option<EntityRef> {
    case.accounts.rows.get(a as usize).and_then(|x| x.holder)
}

struct Search<'s, 'a> {
    case: &'a Case,
    ctx: &'s DetectCtx<'a>,
    reg: &'s Registers<'a>,
    x: EntityRef,
    family: &'s OnceLock<BTreeSet<u32>>,
    p: &'s RoundTrippingParams,
    budget: usize,
    best: Option<Trip>,
}

impl Search<'_, '_> {
    fn offer(&mut self, back: Back, path: &[u32]) {
        // Prefer a return to the originator, then to a relative, then the shortest path.
        let better = match &self.best {
            None => true,
            Some(b) => (back, path.len()) < (b.back, b.path.len()),
        };
        if better {
            self.best = Some(Trip { back, path: path.to_vec() });
        }
    }

    fn dfs(&mut self, path: Vec<u32>, companies: &mut Vec<EntityRef>, end: DateTime) {
        let g = &self.ctx.graph.flow;
        let Some(&last) = path.last() else { return };
        let (u, t, amt) = (g.dst[last as usize], g.time[last as usize], g.base_of(last as usize));
        let (lo, hi) = (amt * self.p.min_retention, amt * self.p.max_growth);
        for &f in g.out_between(u, DateTime(t.0 + 1), end) {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let v = g.base_of(f as usize);
            if v < lo || v > hi {
                continue;
            }
            let Some(h) = holder(self.case, g.dst[f as usize]) else { continue };
            let mut next = path.clone();
            next.push(f);
            if h == self.x {
                self.offer(Back::Originator, &next);
                continue;
            }
            match h.kind {
                EntityKind::Person => {
                    let fam = self.family.get_or_init(|| match self.x.kind {
                        EntityKind::Person => self.reg.family(self.x.idx).into_iter().map(|(p, _)| p).collect(),
                        EntityKind::Company => BTreeSet::new(),
                    });
                    if fam.contains(&h.idx) {
                        self.offer(Back::Relative, &next);
                    }
                }
                EntityKind::Company => {
                    if companies.contains(&h) || !is_upstream(self.reg, self.x, h.idx) {
                        continue;
                    }
                    if self.reg.tie(self.x, h.idx, g.time[f as usize].date(), self.p.min_share).is_none() {
                        continue;
                    }
                    if next.len() >= 2 {
                        self.offer(Back::OwnCompany, &next);
                    }
                    if next.len() < self.p.max_hops {
                        companies.push(h);
                        self.dfs(next, companies, end);
                        companies.pop();
                    }
                }
            }
        }
    }
}

impl RoundTripping {
    fn finding(
        &self,
        ctx: &DetectCtx<'_>,
        reg: &Registers<'_>,
        x: EntityRef,
        trip: Trip,
        keywords: &[String],
    ) -> Finding {
        let case = ctx.case;
        let g = &ctx.graph.flow;
        let t = &case.transfers;
        let mut f = Finding::new(self.name());
        let name = |e: EntityRef| case.entity_id(e).to_string();
        let mut hops = Vec::new();
        let mut ties: BTreeMap<EntityRef, String> = BTreeMap::new();
        let mut dressed = Vec::new();
        for &e in &trip.path {
            let (s, d) = (g.src[e as usize], g.dst[e as usize]);
            let (hs, hd) = (holder(case, s), holder(case, d));
            f.accounts.extend([s, d].map(AccountId::from_raw));
            f.entities.extend(hs.into_iter().chain(hd));
            let reference = t.reference.get(e as usize);
            hops.push(format!(
                "{} -> {} {} on {} '{}'",
                hs.map_or_else(|| "?".to_string(), name),
                hd.map_or_else(|| "?".to_string(), name),
                amount(case, g.base_of(e as usize)),
                g.time[e as usize].date(),
                reference
            ));
            let low = reference.to_lowercase();
            if keywords.iter().any(|k| low.contains(k.as_str())) {
                dressed.push(format!("'{reference}'"));
            }
            if let Some(c) = hd.filter(|c| c.kind == EntityKind::Company) {
                if let Some(tie) = reg.tie(x, c.idx, g.time[e as usize].date(), self.p.min_share) {
                    ties.entry(c).or_insert(tie.how);
                }
            }
        }
        let (first, last) = match (trip.path.first(), trip.path.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => return f.finish(case, g),
        };
        let days = (g.time[last as usize].0 - g.time[first as usize].0) / 86_400;
        let retained = g.base_of(last as usize) / g.base_of(first as usize).max(Decimal::new(1, 2));
        let tie_text: Vec<String> = ties.iter().map(|(c, how)| format!("{}: {} {how}", name(*c), name(x))).collect();
        let (indicator, whom) = match trip.back {
            Back::Originator => (&RETURNS_TO_ORIGINATOR, "the originator"),
            Back::Relative => (&RETURNS_TO_RELATIVE, "a relative of the originator"),
            Back::OwnCompany => (&RETURNS_TO_OWN_COMPANY, "another company of the originator"),
        };
        f.indicate(
            indicator,
            format!(
                "{} transfers in {days} days back to {whom}, {} of the amount retained: {}; ties: {}",
                trip.path.len(),
                pct(retained),
                hops.join(", "),
                tie_text.join("; ")
            ),
        );
        if !dressed.is_empty() {
            f.indicate(&LOAN_OR_CAPITAL_REFERENCE, format!("references dress the money: {}", dressed.join(", ")));
        }
        let nominees: BTreeSet<String> = case
            .ownership
            .rows
            .iter()
            .filter(|o| matches!(o.role, Role::NomineeDirector | Role::NomineeShareholder))
            .filter(|o| ties.contains_key(&Registers::company(o.company)))
            .filter(|o| o.in_force_on(g.time[first as usize].date()))
            .map(|o| format!("{} ({} of {})", name(o.holder), o.role, name(Registers::company(o.company))))
            .collect();
        if !nominees.is_empty() {
            f.indicate(
                &NOMINEE_IN_PATH,
                format!("companies on the path have nominees: {}", nominees.into_iter().collect::<Vec<_>>().join(", ")),
            );
        }
        if retained >= Decimal::new(9, 1) {
            f.indicate(&HIGH_RETENTION, format!("{} of the money came back", pct(retained)));
        }
        f.entities.push(x);
        f.txns = TransferId::from_raws(&trip.path).collect();
        f.total = g.base_of(first as usize);
        f.finish(case, g)
    }
}
