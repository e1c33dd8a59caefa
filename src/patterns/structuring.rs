//! Structuring / smurfing: several cash deposits, each just below the case's reporting
//! threshold T, within a window, into one account or into the accounts of one family (or by one
//! named depositor), summing to at least T (docs/methodology.md#t-structuring; Albanian "single or linked
//! transactions" aggregation, methodology.md#albania-thresholds).
//!
//! Shops' daily takings sometimes land in the band, so the band alone is weak: deposits at
//! several branches, a personal beneficiary and several family accounts corroborate it.

use super::common::{is_personal, threshold, Band, Ratio, DAY};
use super::context::Datum;
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Case, Channel, EntityKind, EntityRef, RelationKind, NO_ACCOUNT, NO_CITY};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

crate::params! {
    /// Parameters of [`Structuring`].
    pub struct StructuringParams {
        /// Fewest deposits in the band within the window (k >= 3, docs/methodology.md#t-structuring).
        min_deposits: usize = 3,
        /// Window in days (w = 1-10 days, docs/methodology.md#t-structuring).
        window_days: i64 = 10,
        /// Lower edge of the band as a share of T (band 80-99 % of T, docs/methodology.md#t-structuring).
        band_low: Decimal = Decimal::new(8, 1),
        /// Distinct branch cities that count as "across branches" (docs/methodology.md#t-structuring and
        /// #13, deposits at several branches) (project default).
        min_branches: usize = 2,
        /// Extra transfer column naming the depositor, used to link deposits across accounts when
        /// present (docs/methodology.md#t-structuring, "same depositor") (project default).
        depositor_column: String = "depositor".to_string(),
        /// Findings below this score are not reported: the core pattern plus corroboration
        /// (docs/methodology.md#no-single-indicator, "no single indicator") (project default).
        min_score: u32 = 50,
    }
}

super::context::indicators! {
    /// The indicators of [`Structuring`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    BELOW_THRESHOLD = ("below_threshold", 25, []);
    ACROSS_BRANCHES = ("across_branches", 15, [Datum::BranchCities]);
    PERSONAL_BENEFICIARY = ("personal_beneficiary", 10, [Datum::Holders]);
    LINKED_ACCOUNTS = ("linked_accounts", 10, [Datum::Holders]);
}

/// The structuring detector.
#[derive(Default)]
pub struct Structuring {
    /// Parameters.
    pub p: StructuringParams,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Family group of every person (union of spouse, parent, child, sibling and cohabitant
/// relations): the "linked" beneficiaries of docs/methodology.md#law-10192 family scope.
fn families(case: &Case) -> Vec<u32> {
    let n = case.persons.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for r in &case.relations.rows {
        let family = matches!(
            r.kind,
            RelationKind::Spouse
                | RelationKind::Parent
                | RelationKind::Child
                | RelationKind::Sibling
                | RelationKind::Cohabitant
        );
        if family && r.related.kind == EntityKind::Person && (r.person as usize) < n && (r.related.idx as usize) < n {
            let (a, b) = (find(&mut parent, r.person), find(&mut parent, r.related.idx));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    (0..n as u32).map(|i| find(&mut parent, i)).collect()
}

impl Detector for Structuring {
    super::detector::detector_parts!(Typology::Structuring);

    /// Cash deposits in the band, grouped by family of the account holder (an account without
    /// a holder is its own group) and, when the depositor column exists, by depositor; per
    /// group a sliding window keeps runs of at least `min_deposits` deposits summing to T.
    ///
    /// # Complexity
    /// O(E) to select deposits plus O(D log D) to group and sort the D deposits in the band.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let t = threshold(case);
        if t <= 0 {
            return Vec::new();
        }
        let tr = &case.transfers;
        // In [band_low · T, T): the lower edge inclusive, T itself excluded.
        let band_low = Band::new(Ratio::new(p.band_low), Ratio::new(Decimal::ONE), t);
        let band: Vec<u32> = (0..tr.len() as u32)
            .into_par_iter()
            .filter(|&e| {
                let e = e as usize;
                let a = g.cents[e];
                tr.channel[e] == Channel::CashDeposit && tr.to[e] != NO_ACCOUNT && a < t && band_low.contains(a)
            })
            .collect();
        self.score_band(ctx, &band)
    }
}

impl Structuring {
    /// Findings from `band`, the cash deposits into an account in `[band_low · T, T)` in
    /// ascending id order (as [`Detector::detect`] selects them): grouped by family of the
    /// account holder and by depositor, runs per group. Used by the distributed engine too,
    /// whose cluster selects the band.
    pub(crate) fn score_band(&self, ctx: &DetectCtx<'_>, band: &[u32]) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let tr = &case.transfers;
        let fam = families(case);
        // Group key: (0, family root) / (1, account) / (2, depositor name).
        let mut groups: BTreeMap<(u8, String), Vec<u32>> = BTreeMap::new();
        let has_depositor = tr.extras.names.contains(&p.depositor_column);
        for &e in band {
            let a = tr.to[e as usize];
            let key = match case.accounts.rows.get(a as usize).and_then(|r| r.holder) {
                Some(EntityRef { kind: EntityKind::Person, idx }) => {
                    (0, fam.get(idx as usize).copied().unwrap_or(idx).to_string())
                }
                _ => (1, a.to_string()),
            };
            groups.entry(key).or_default().push(e);
            if has_depositor {
                if let Some(d) = tr.extras.get(&p.depositor_column, e as usize).map(str::trim).filter(|d| !d.is_empty())
                {
                    groups.entry((2, d.to_string())).or_default().push(e);
                }
            }
        }
        let w = p.window_days * DAY;
        let mut seen: HashMap<Vec<u32>, ()> = HashMap::new();
        let mut out = Vec::new();
        for (key, mut deps) in groups {
            deps.sort_unstable_by_key(|&e| (g.time[e as usize], e));
            for run in runs(&deps, &g.time, w, p.min_deposits) {
                let sum: Decimal = run.iter().map(|&e| g.base_of(e as usize)).sum();
                if sum < case.meta.cash_report.amount || seen.insert(run.clone(), ()).is_some() {
                    continue;
                }
                if let Some(f) = self.finding(ctx, run, key.0 == 2) {
                    out.push(f);
                }
            }
        }
        out
    }
}

/// Merged runs of `deps` (sorted by time) in which at least `min` deposits fall within `w`.
fn runs(deps: &[u32], time: &[crate::model::DateTime], w: i64, min: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    let mut lo = 0;
    for hi in 0..deps.len() {
        while time[deps[lo] as usize].0 < time[deps[hi] as usize].0 - w {
            lo += 1;
        }
        if hi + 1 - lo >= min {
            cur = match cur {
                Some((s, e)) if lo <= e => Some((s.min(lo), hi + 1)),
                Some((s, e)) => {
                    out.push(deps[s..e].to_vec());
                    Some((lo, hi + 1))
                }
                None => Some((lo, hi + 1)),
            };
        }
    }
    if let Some((s, e)) = cur {
        out.push(deps[s..e].to_vec());
    }
    out
}

impl Structuring {
    fn finding(&self, ctx: &DetectCtx<'_>, run: Vec<u32>, by_depositor: bool) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let tr = &case.transfers;
        let p = &self.p;
        let accounts: BTreeSet<u32> = run.iter().map(|&e| tr.to[e as usize]).collect();
        let cities: BTreeSet<u32> = run.iter().map(|&e| tr.branch_city[e as usize]).filter(|&c| c != NO_CITY).collect();
        let mut f = Finding::new(self.name());
        f.accounts.extend(accounts.iter().map(|&a| AccountId::from_raw(a)));
        f.entities.extend(accounts.iter().filter_map(|&a| case.accounts.rows.get(a as usize).and_then(|r| r.holder)));
        let sum: Decimal = run.iter().map(|&e| g.base_of(e as usize)).sum();
        f.indicate(
            &BELOW_THRESHOLD,
            format!(
                "{} cash deposits each in [{:.0} %, 100 %) of the reporting threshold {}, {sum} in all within {} days",
                run.len(),
                (p.band_low * Decimal::ONE_HUNDRED).round_dp(0),
                case.meta.cash_report,
                p.window_days
            ),
        );
        if cities.len() >= p.min_branches {
            f.indicate(&ACROSS_BRANCHES, format!("paid in at branches in {} cities", cities.len()));
        }
        if accounts.iter().all(|&a| is_personal(case, a)) {
            f.indicate(&PERSONAL_BENEFICIARY, "every receiving account is held by a person");
        }
        if accounts.len() >= 2 {
            let why = if by_depositor { "by one depositor" } else { "held by one family" };
            f.indicate(&LINKED_ACCOUNTS, format!("{} accounts {why}", accounts.len()));
        }
        f.txns = TransferId::from_raws(&run).collect();
        let f = f.finish(case, g);
        (f.score >= p.min_score).then_some(f)
    }
}
