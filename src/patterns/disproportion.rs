//! Disproportion: in a year, the property acquisitions of a suspect's family scope exceed the
//! lawful income the scope declared for that year (docs/methodology.md#t-real-estate "declared income ≪
//! acquisitions"; methodology.md#confiscable-value net-worth method, per year and per person incl. family; methodology.md#law-10192 family
//! scope of Law 10192; methodology.md#confiscation-concepts extended confiscation and unexplained wealth).
//!
//! Acquisitions are the titles' prices, each converted at its acquisition date; income is
//! converted at the end of its year. Consecutive disproportionate years form one finding, so a
//! set of purchases spanning New Year is read as one episode.

use super::common::checked_sum;
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{amount, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Date, EntityKind, EntityRef, NO_ACCOUNT};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

crate::params! {
    /// Parameters of [`Disproportion`].
    pub struct DisproportionParams {
        /// Acquisitions above this multiple of the year's declared income are disproportionate
        /// (issue 3: "a year's acquisitions above that year's declared income") (project default).
        min_ratio: Decimal = Decimal::ONE,
        /// Acquisitions at or above this multiple of income are far above it (project default).
        far_ratio: Decimal = Decimal::new(3, 0),
        /// Earlier years whose declared income is credited as savings (0: the per-year
        /// test; more gives the exculpatory view of the net-worth method, methodology.md#confiscable-value
        /// step 6 and methodology.md#integrity) (project default).
        savings_years: i32 = 0,
    }
}

super::context::indicators! {
    /// The indicators of [`Disproportion`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    ACQUISITIONS_EXCEED_INCOME = ("acquisitions_exceed_income", 30, []);
    FAR_ABOVE_INCOME = ("far_above_income", 20, []);
    TITLED_TO_RELATIVES = ("titled_to_relatives", 15, []);
    BUYER_WITHOUT_INCOME = ("buyer_without_income", 10, []);
}

/// The disproportion detector.
#[derive(Default)]
pub struct Disproportion {
    /// Parameters.
    pub p: DisproportionParams,
}

/// One year of one scope.
#[derive(Default)]
struct Year {
    acquired: Decimal,
    income: Decimal,
    titles: Vec<usize>,
    unpriced: usize,
    no_income: BTreeSet<u32>,
}

impl Detector for Disproportion {
    super::detector::detector_parts!(Typology::Disproportion);

    /// # Complexity
    /// O(S · (T + I + R log R)) for S suspects, T titles, I income rows and R relations.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let reg = Registers::new(ctx.case);
        let mut out = Vec::new();
        for s in reg.suspects() {
            if s.kind != EntityKind::Person {
                continue;
            }
            let mut scope: BTreeMap<u32, &'static str> = reg.family(s.idx).into_iter().collect();
            scope.insert(s.idx, "suspect");
            let (years, own) = self.years(&reg, &scope);
            // Runs of consecutive disproportionate years.
            let mut run: Vec<(i32, Year)> = Vec::new();
            for (y, yr) in years {
                let bad = !yr.titles.is_empty() && yr.acquired > yr.income * self.p.min_ratio;
                if bad && run.last().is_none_or(|(last, _)| *last + 1 == y) {
                    run.push((y, yr));
                    continue;
                }
                if !run.is_empty() {
                    out.push(self.finding(ctx, s, &scope, &own, std::mem::take(&mut run)));
                }
                if bad {
                    run.push((y, yr));
                }
            }
            if !run.is_empty() {
                out.push(self.finding(ctx, s, &scope, &own, run));
            }
        }
        out
    }
}

impl Disproportion {
    fn years(
        &self,
        reg: &Registers<'_>,
        scope: &BTreeMap<u32, &'static str>,
    ) -> (BTreeMap<i32, Year>, BTreeMap<i32, Decimal>) {
        let case = reg.case;
        let mut years: BTreeMap<i32, Year> = BTreeMap::new();
        for (i, t) in case.titles.rows.iter().enumerate() {
            let (Some(d), EntityKind::Person) = (t.acquired_on, t.owner.kind) else { continue };
            if !scope.contains_key(&t.owner.idx) {
                continue;
            }
            let y = years.entry(d.year()).or_default();
            // The price paid; without one, the payments on record; else not counted.
            // A payment without a base amount (no rate) leaves the title unpriced: never a
            // partial sum.
            let paid = t.price.and_then(|m| reg.to_base(m, d)).or_else(|| {
                (!t.payment_txns.is_empty())
                    .then(|| {
                        t.payment_txns
                            .iter()
                            .map(|&e| case.transfers.base_amount(e as usize, &case.fx).map(|c| c.base_amount))
                            .sum::<Option<Decimal>>()
                    })
                    .flatten()
            });
            match paid {
                Some(v) => {
                    y.acquired = y.acquired.saturating_add(v);
                    y.titles.push(i);
                }
                None => y.unpriced += 1,
            }
        }
        // Declared income per year of the scope, each converted at the end of its year.
        let mut own: BTreeMap<i32, Decimal> = BTreeMap::new();
        let mut declared: BTreeMap<i32, BTreeSet<u32>> = BTreeMap::new();
        for inc in case.income.rows.iter().filter(|r| r.entity.kind == EntityKind::Person) {
            if !scope.contains_key(&inc.entity.idx) {
                continue;
            }
            let end = Date::from_ymd(inc.year, 12, 31).unwrap_or(Date(0));
            // An income without a rate on record is left out, never added at 1:1.
            if let Some(v) = reg.to_base(inc.amount, end) {
                let o = own.entry(inc.year).or_insert(Decimal::ZERO);
                *o = o.saturating_add(v);
            }
            declared.entry(inc.year).or_default().insert(inc.entity.idx);
        }
        for (&y, yr) in years.iter_mut() {
            let first = y.saturating_sub(self.p.savings_years.max(0));
            yr.income = checked_sum(own.range(first..=y).map(|(_, v)| *v)).unwrap_or(Decimal::MAX);
            let decl = declared.get(&y);
            yr.no_income = scope.keys().copied().filter(|p| !decl.is_some_and(|d| d.contains(p))).collect();
        }
        (years, own)
    }

    fn finding(
        &self,
        ctx: &DetectCtx<'_>,
        suspect: EntityRef,
        scope: &BTreeMap<u32, &'static str>,
        own: &BTreeMap<i32, Decimal>,
        run: Vec<(i32, Year)>,
    ) -> Finding {
        let case = ctx.case;
        let mut f = Finding::new(self.name());
        let acq = checked_sum(run.iter().map(|(_, y)| y.acquired));
        // Income credited to the whole run: each year of it and its savings years once.
        let inc = match (run.first(), run.last()) {
            (Some((first, _)), Some((last, _))) => {
                checked_sum(own.range(first.saturating_sub(self.p.savings_years.max(0))..=*last).map(|(_, v)| *v))
            }
            _ => Some(Decimal::ZERO),
        };
        let overflow = acq.is_none() || inc.is_none() || acq == Some(Decimal::MAX) || inc == Some(Decimal::MAX);
        let (acq, inc) = (acq.unwrap_or(Decimal::MAX), inc.unwrap_or(Decimal::MAX));
        if overflow {
            f.note("a sum of acquisitions or income reached the largest representable amount: the comparison is bounded there");
        }
        let savings = match self.p.savings_years {
            n if n > 0 => format!(" incl. {n} earlier years as savings"),
            _ => String::new(),
        };
        let per_year: Vec<String> = run
            .iter()
            .map(|(y, yr)| {
                let ratio = if yr.income.is_zero() {
                    "no declared income".to_string()
                } else {
                    format!("{:.1}x", yr.acquired / yr.income)
                };
                let unpriced = if yr.unpriced > 0 {
                    format!(", {} titles without price or payments not counted", yr.unpriced)
                } else {
                    String::new()
                };
                format!(
                    "{y}: acquisitions {} ({} titles{unpriced}) vs declared income {}{savings} ({ratio})",
                    amount(case, yr.acquired),
                    yr.titles.len(),
                    amount(case, yr.income)
                )
            })
            .collect();
        f.indicate(
            &ACQUISITIONS_EXCEED_INCOME,
            format!(
                "scope of suspect {} ({} persons: suspect and family, methodology.md#law-10192): {}",
                case.entity_id(suspect),
                scope.len(),
                per_year.join("; ")
            ),
        );
        if inc.is_zero() || acq >= inc * self.p.far_ratio {
            let r = if inc.is_zero() { "no declared income at all".to_string() } else { format!("{:.1}x", acq / inc) };
            f.indicate(
                &FAR_ABOVE_INCOME,
                format!("acquisitions {} against income {}: {r}", amount(case, acq), amount(case, inc)),
            );
        }
        let titles: Vec<usize> = run.iter().flat_map(|(_, y)| y.titles.iter().copied()).collect();
        let relatives: BTreeSet<&str> = titles
            .iter()
            .map(|&i| case.titles.rows[i].owner)
            .filter(|o| *o != suspect)
            .map(|o| case.entity_id(o))
            .collect();
        if !relatives.is_empty() {
            f.indicate(
                &TITLED_TO_RELATIVES,
                format!(
                    "acquired in the names of {} (Law 10192 family scope)",
                    relatives.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let buyers_without_income: BTreeSet<&str> = run
            .iter()
            .flat_map(|(_, y)| {
                y.titles
                    .iter()
                    .map(|&i| case.titles.rows[i].owner)
                    .filter(|o| y.no_income.contains(&o.idx))
                    .map(|o| case.entity_id(o))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !buyers_without_income.is_empty() {
            f.indicate(
                &BUYER_WITHOUT_INCOME,
                format!(
                    "declared no income in the year of acquisition: {}",
                    buyers_without_income.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        f.entities.push(suspect);
        f.entities.extend(scope.keys().map(|&p| Registers::person(p)));
        for &i in &titles {
            let t = &case.titles.rows[i];
            f.txns.extend(TransferId::from_raws(&t.payment_txns));
            f.accounts.extend(
                t.payment_txns
                    .iter()
                    .map(|&e| case.transfers.from[e as usize])
                    .filter(|&a| a != NO_ACCOUNT)
                    .map(AccountId::from_raw),
            );
        }
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            f.first_at = Date::from_ymd(first.0, 1, 1).map(|d| d.start());
            f.last_at = Date::from_ymd(last.0, 12, 31).map(|d| d.start());
        }
        f.total = acq;
        f.finish(case, &ctx.graph.flow)
    }
}
