//! What a case can tell the detectors: which context columns exist at all ([`DataContext`],
//! computed once per case), which indicators therefore can be evaluated, and the annotation of
//! every finding with what could not be evaluated ([`DataContext::rank`]).
//!
//! Detection ranks, it does not gate (issue 21): every structural candidate of a typology is a
//! finding with a score, the sum of the points of the indicators that fired (decibans of
//! evidence, docs/methodology.md#ranking). Many corroborating indicators read context
//! columns: who holds an account (personal accounts), when it was opened (new accounts),
//! addresses (shared addresses), cash rows and their branch cities, IBANs (transfers abroad). A
//! data set without a column at all, such as IBM's AML data or AMLSim, cannot make those
//! indicators fire: an indicator that is *false* (the holder is a company) is different from
//! one that *cannot be evaluated* (no account has a holder). Missing context lowers a score
//! and is said in the finding's explanation and in the report's methodology; it never hides a
//! structural pattern. Transfer-only signals (`super::signals`: a burst of new counterparts
//! against the account's own history and its peers, split payments, pass-through, uniform
//! amounts, amounts just below the reporting threshold) work on any ledger.

use super::common::{one_unit, threshold, total_cents, Ratio, DAY, HOUR};
use super::finding::Finding;
use crate::graph::FlowGraph;
use crate::model::{Case, Channel, DateTime, EntityKind, NO_CITY};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A kind of context data an indicator may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Datum {
    /// Account holders (persons or companies): personal-account indicators.
    Holders,
    /// Account opening dates: new-account indicators.
    OpeningDates,
    /// Addresses of account holders: shared-address indicators.
    Addresses,
    /// Cash deposit or withdrawal rows: cash-funding indicators.
    Cash,
    /// Branch cities of cash rows: geographic-dispersion indicators.
    BranchCities,
    /// IBANs (with holders) or remittance rows: transfers-abroad indicators.
    Abroad,
    /// A ledger long enough to hold an account's usual activity: burst indicators compare an
    /// episode with the rest of the account's recorded activity.
    History,
}

/// The ledger must span at least this many days for an account's own history to be evaluable:
/// three of AMLSim's 30-day look-back windows (docs/methodology.md#src-amlsim), so the average per window
/// outside an episode rests on at least two windows (project default).
pub const HISTORY_DAYS: i64 = 90;

impl Datum {
    /// Every kind, in a fixed order.
    pub const ALL: [Datum; 7] = [
        Datum::Holders,
        Datum::OpeningDates,
        Datum::Addresses,
        Datum::Cash,
        Datum::BranchCities,
        Datum::Abroad,
        Datum::History,
    ];

    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Datum::Holders => "account holders",
            Datum::OpeningDates => "opening dates",
            Datum::Addresses => "addresses",
            Datum::Cash => "cash rows",
            Datum::BranchCities => "branch cities",
            Datum::Abroad => "IBANs or remittances",
            Datum::History => "account history",
        }
    }
}

/// One indicator a detector may fire: its name (as in [`super::Indicator::name`]), points, and
/// the context data it needs beyond what the detector's own pattern reads (empty: transfers
/// alone suffice). Each detector declares its indicators in one table (`INDICATORS`,
/// [`super::Detector::indicators`]), the only place their points are written; a finding
/// fires one with [`Finding::indicate`]. An indicator whose points depend on how strongly it
/// fires is either declared once per grade under one name, or declared `graded`: it then fires
/// with any points from 1 up to its `points` (a surprise in decibans, `super::signals`), and
/// [`Finding::indicate_graded`] checks the bound.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Indicator name.
    pub name: &'static str,
    /// Points when it fires (the most, for a graded indicator).
    pub points: u32,
    /// Data it cannot be evaluated without.
    pub needs: &'static [Datum],
    /// True when the points are measured (at most `points`).
    pub graded: bool,
}

/// Shorthand for a [`Spec`] with fixed points.
pub(crate) const fn spec(name: &'static str, points: u32, needs: &'static [Datum]) -> Spec {
    Spec { name, points, needs, graded: false }
}

/// Declares a detector's indicators in one list: a `const` [`Spec`] per entry, written
/// `NAME = ("name", points, [data needed]);` (or `..., [data needed], graded);` for measured
/// points up to `points`), and the table of them all, headed
/// `pub const TABLE;` or `pub const TABLE + [SHARED, ...];` for specs declared elsewhere (added
/// at its end), so each indicator and its points are written once.
macro_rules! indicators {
    (
        $(#[$tm:meta])* pub const $table:ident $(+ [$($shared:ident),+ $(,)?])?;
        $( $(#[$m:meta])* $name:ident = ($text:literal, $points:expr, [$($need:expr),* $(,)?] $(, $graded:ident)?); )+
    ) => {
        $( $(#[$m])* const $name: $crate::patterns::Spec = $crate::patterns::Spec {
            name: $text,
            points: $points,
            needs: &[$($need),*],
            graded: false $(|| { let _ = stringify!($graded); true })?,
        }; )+
        $(#[$tm])*
        pub const $table: &[$crate::patterns::Spec] = &[$($name,)+ $($($shared,)+)?];
    };
}
pub(crate) use indicators;

/// One line of the report's data coverage: what kind of data, how much of it the case holds,
/// and whether the indicators that need it can be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// The kind ([`Datum::label`]).
    pub label: &'static str,
    /// The counts, in words ("12 of 40 accounts").
    pub text: String,
    /// True when the case holds at least one row of it.
    pub evaluable: bool,
}

/// Which context data a case holds, with counts for the report. A kind counts as present when
/// at least one row carries it ("no such data at all" is what makes an indicator unevaluable;
/// sparse data is evaluated as it is) (project default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataContext {
    /// Accounts in the case.
    pub accounts: usize,
    /// Transfers in the case.
    pub transfers: usize,
    /// Accounts with a known holder.
    pub with_holder: usize,
    /// Accounts with an opening date.
    pub with_opening_date: usize,
    /// Accounts whose holder has a non-empty address.
    pub with_address: usize,
    /// Cash deposit and withdrawal rows.
    pub cash_rows: usize,
    /// Cash rows with a branch city.
    pub cash_with_city: usize,
    /// Accounts with an IBAN (and a holder) plus remittance rows.
    pub abroad_evidence: usize,
    /// Days from the first to the last booking of the ledger.
    pub ledger_days: i64,
}

impl DataContext {
    /// Counts what `case` holds. O(accounts + transfers).
    pub fn of(case: &Case) -> DataContext {
        let rows = &case.accounts.rows;
        let address = |a: &crate::model::Account| {
            a.holder.is_some_and(|h| {
                let s = match h.kind {
                    EntityKind::Person => case.persons.rows.get(h.idx as usize).and_then(|p| p.address.as_deref()),
                    EntityKind::Company => {
                        case.companies.rows.get(h.idx as usize).and_then(|c| c.registered_address.as_deref())
                    }
                };
                s.is_some_and(|s| !s.trim().is_empty())
            })
        };
        let t = &case.transfers;
        let cash = |i: usize| matches!(t.channel[i], Channel::CashDeposit | Channel::CashWithdrawal);
        DataContext {
            accounts: rows.len(),
            transfers: t.len(),
            with_holder: rows.iter().filter(|a| a.holder.is_some()).count(),
            with_opening_date: rows.iter().filter(|a| a.opened_on.is_some()).count(),
            with_address: rows.iter().filter(|a| address(a)).count(),
            cash_rows: (0..t.len()).filter(|&i| cash(i)).count(),
            cash_with_city: (0..t.len()).filter(|&i| cash(i) && t.branch_city[i] != NO_CITY).count(),
            abroad_evidence: rows.iter().filter(|a| a.holder.is_some() && a.iban.is_some()).count()
                + (0..t.len()).filter(|&i| t.channel[i] == Channel::Remittance).count(),
            ledger_days: match (t.booked_at.iter().min(), t.booked_at.iter().max()) {
                (Some(a), Some(b)) => (b.0 - a.0) / DAY,
                _ => 0,
            },
        }
    }

    /// True when the case holds at least one row of `d`.
    pub fn has(&self, d: Datum) -> bool {
        match d {
            Datum::Holders => self.with_holder > 0,
            Datum::OpeningDates => self.with_opening_date > 0,
            Datum::Addresses => self.with_address > 0,
            Datum::Cash => self.cash_rows > 0,
            Datum::BranchCities => self.cash_with_city > 0,
            Datum::Abroad => self.abroad_evidence > 0,
            Datum::History => self.ledger_days >= HISTORY_DAYS,
        }
    }

    /// The kinds the case lacks entirely.
    pub fn missing(&self) -> Vec<Datum> {
        Datum::ALL.into_iter().filter(|&d| !self.has(d)).collect()
    }

    /// One line per kind for the report's methodology: label, count, evaluable.
    pub fn coverage(&self) -> Vec<Coverage> {
        let of = |n: usize, all: usize, what: &str| format!("{n} of {all} {what}");
        Datum::ALL
            .into_iter()
            .map(|d| {
                let text = match d {
                    Datum::Holders => of(self.with_holder, self.accounts, "accounts"),
                    Datum::OpeningDates => of(self.with_opening_date, self.accounts, "accounts"),
                    Datum::Addresses => of(self.with_address, self.accounts, "accounts"),
                    Datum::Cash => of(self.cash_rows, self.transfers, "transfers"),
                    Datum::BranchCities => of(self.cash_with_city, self.cash_rows, "cash rows"),
                    Datum::Abroad => format!("{} accounts with IBAN or remittance rows", self.abroad_evidence),
                    Datum::History => format!("ledger spans {} days (needs {HISTORY_DAYS})", self.ledger_days),
                };
                Coverage { label: d.label(), text, evaluable: self.has(d) }
            })
            .collect()
    }

    /// One sentence: "not evaluable here: opening dates, addresses" (empty when all are there).
    pub fn summary(&self) -> String {
        let m = self.missing();
        if m.is_empty() {
            String::new()
        } else {
            format!("not evaluable here: {}", m.iter().map(|d| d.label()).collect::<Vec<_>>().join(", "))
        }
    }

    /// True when every datum `s` needs is present.
    pub fn evaluable(&self, s: &Spec) -> bool {
        s.needs.iter().all(|&d| self.has(d))
    }

    /// Annotates finding `f` of a detector with indicators `specs` with the context data those
    /// indicators need and this case lacks entirely (said in the explanation: they could add
    /// no points here), and returns it. Nothing is dropped: the score ranks the finding.
    pub fn rank(&self, mut f: Finding, specs: &[Spec]) -> Finding {
        let mut missing: Vec<Datum> =
            specs.iter().filter(|s| !self.evaluable(s)).flat_map(|s| s.needs.iter().copied()).collect();
        missing.retain(|&d| !self.has(d));
        missing.sort_unstable();
        missing.dedup();
        f.not_evaluable = missing.iter().map(|d| d.label()).collect();
        f
    }

    /// The share of the points of `specs` this case can evaluate, as `(evaluable, all)`.
    pub fn evaluable_points(&self, specs: &[Spec]) -> (u32, u32) {
        let full: u32 = specs.iter().map(|s| s.points).sum();
        let eval: u32 = specs.iter().filter(|s| self.evaluable(s)).map(|s| s.points).sum();
        (eval, full)
    }
}

// ---- transfer-only evidence, usable on any ledger -----------------------------------------

/// True when every amount of `edges` lies within `spread` of the median (AMLSim's alert
/// parameter "amount difference 20 %", docs/methodology.md#src-amlsim). Exact in cents.
/// Amounts in mixed currencies without a rate are not compared (false).
pub(crate) fn similar_amounts(case: &Case, g: &FlowGraph, edges: &[u32], spread: Decimal) -> bool {
    if edges.len() < 2 {
        return false;
    }
    let Some(mut c) = one_unit(case, g, edges) else { return false };
    c.sort_unstable();
    let med = c[c.len() / 2];
    if med <= 0 {
        return false;
    }
    let (lo, hi) = (Ratio::new(Decimal::ONE - spread), Ratio::new(Decimal::ONE + spread));
    let (Some(&min), Some(&max)) = (c.first(), c.last()) else { return false };
    lo.cmp_times(min as i128, med as i128) != Ordering::Less
        && hi.cmp_times(max as i128, med as i128) != Ordering::Greater
}

/// Near-identical amounts (`amount_evidence`), in the tables of the detectors that use it.
pub const SIMILAR_AMOUNTS: Spec = spec("similar_amounts", 10, &[]);
/// Every payment just below the reporting threshold (`amount_evidence`).
pub const BELOW_THRESHOLD: Spec = spec("below_threshold", 10, &[]);

/// The transfer-only amount evidence the fan and gather detectors share: [`SIMILAR_AMOUNTS`]
/// when every payment of `edges` is within `spread` of the median, and, when `band_low` is
/// given, [`BELOW_THRESHOLD`] when every one lies just below the reporting threshold. `what` names the payments in the explanation ("payment", "gathered
/// payment").
pub(crate) fn amount_evidence(
    f: &mut super::Finding,
    case: &Case,
    g: &FlowGraph,
    edges: &[u32],
    what: &str,
    spread: Decimal,
    band_low: Option<Decimal>,
) {
    if one_unit(case, g, edges).is_none() {
        f.note(NOT_COMPARED_AMOUNTS);
    } else if similar_amounts(case, g, edges, spread) {
        f.indicate(
            &SIMILAR_AMOUNTS,
            format!("every {what} within {} % of the median", (spread * Decimal::ONE_HUNDRED).round_dp(0)),
        );
    }
    if let Some(band_low) = band_low {
        let below = below_threshold(case, g, edges, band_low);
        if below == edges.len() {
            f.indicate(
                &BELOW_THRESHOLD,
                format!(
                    "{below} of {} payments just below the reporting threshold {}",
                    edges.len(),
                    case.meta.cash_report
                ),
            );
        }
    }
}

/// How many of `edges` fall in `[band_low · T, T)` of the case's reporting threshold T
/// (structuring band 80-99 % of T, docs/methodology.md#t-structuring). Transfers without a base amount
/// are not counted (the threshold is in the base currency).
pub(crate) fn below_threshold(case: &Case, g: &FlowGraph, edges: &[u32], band_low: Decimal) -> usize {
    let t = threshold(case);
    if t <= 0 {
        return 0;
    }
    let lo = Ratio::new(band_low);
    edges
        .iter()
        .filter(|&&e| g.has_base(e))
        .filter(|&&e| {
            let a = g.cents[e as usize];
            a < t && lo.cmp_times(a as i128, t as i128) != Ordering::Less
        })
        .count()
}

/// Burst against the account's own history: the episode `ep` (a subset of `all`, both sorted by
/// time) moves more than `factor` times the account's average per `window_days` over the rest of
/// its recorded activity. `None` when the account has no activity outside the episode, so a data
/// set that holds only the pattern rows does not make every pattern a "burst". Returns the
/// average per window when it fires.
pub(crate) fn burst(g: &FlowGraph, all: &[u32], ep: &[u32], window_days: i64, factor: Decimal) -> Option<Decimal> {
    let (&first, &last) = (all.first()?, all.last()?);
    // Volumes need base amounts: an account with a transfer without one is not compared.
    if !all.iter().all(|&e| g.has_base(e)) {
        return None;
    }
    let rest = total_cents(g, all) - total_cents(g, ep);
    if rest <= 0 || all.len() == ep.len() {
        return None;
    }
    let s = total_cents(g, ep);
    let span = (g.time[last as usize].0 - g.time[first as usize].0).max(1);
    let window = (window_days * DAY).max(1);
    let bf = Ratio::new(factor);
    // s > factor · rest / windows with windows = max(span / window, 1), in integers.
    let fires = if span > window {
        bf.cmp_times(s.saturating_mul(span as i128), rest.saturating_mul(window as i128)) == Ordering::Greater
    } else {
        bf.cmp_times(s, rest) == Ordering::Greater
    };
    let windows = Decimal::from(span.max(window)) / Decimal::from(window);
    let rest_d = Decimal::from_i128_with_scale(rest, 2);
    fires.then(|| (rest_d / windows).round_dp(0))
}

/// The pass-through band: the money passed on is between `min` and `max` times the money that
/// came in (Σout ≈ Σin (1 − ρ), ρ <= 0.1, docs/methodology.md#t-pass-through; `max` a little above 1 allows
/// for a small balance already held) (project default).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PassBand {
    /// Least share passed on.
    pub min: Decimal,
    /// Largest share passed on.
    pub max: Decimal,
}

impl PassBand {
    fn holds(self, out: i128, inn: i128) -> bool {
        inn > 0
            && Ratio::new(self.min).cmp_times(out, inn) != Ordering::Less
            && Ratio::new(self.max).cmp_times(out, inn) != Ordering::Greater
    }
}

/// Rapid pass-through onwards: what account `a` pays out in `(after, after + hours]` to accounts
/// other than `exclude`, when it lies in `band` of what came in with `ins`. Returns the onward
/// transfers; `None` also when the amounts cannot be compared (mixed currencies without a
/// rate).
#[allow(clippy::too_many_arguments)]
pub(crate) fn passed_on(
    case: &Case,
    g: &FlowGraph,
    a: u32,
    after: DateTime,
    hours: i64,
    ins: &[u32],
    band: PassBand,
    exclude: &[u32],
) -> Option<Vec<u32>> {
    let outs: Vec<u32> = g
        .out_between(a, DateTime(after.0 + 1), DateTime(after.0 + hours * HOUR))
        .iter()
        .copied()
        .filter(|&e| super::common::is_account_flow(case, g, e) && !exclude.contains(&g.dst[e as usize]))
        .collect();
    if outs.is_empty() {
        return None;
    }
    balanced(case, g, ins, &outs, band).unwrap_or(false).then_some(outs)
}

/// Whether what went out with `outs` lies in `band` of what came in with `ins`; `None` when
/// the amounts cannot be compared (mixed currencies without a rate).
pub(crate) fn balanced(case: &Case, g: &FlowGraph, ins: &[u32], outs: &[u32], band: PassBand) -> Option<bool> {
    let all: Vec<u32> = ins.iter().chain(outs).copied().collect();
    let c = one_unit(case, g, &all)?;
    let (inn, out) = c.split_at(ins.len());
    let (inn, out): (i128, i128) = (inn.iter().map(|&x| x as i128).sum(), out.iter().map(|&x| x as i128).sum());
    Some(band.holds(out, inn))
}

/// The note of a finding whose amounts could not all be compared.
pub(crate) const NOT_COMPARED_AMOUNTS: &str =
    "amounts in different currencies without a rate: amount comparisons skipped, not guessed";

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [Spec; 4] = [
        spec("core", 25, &[]),
        spec("personal", 10, &[Datum::Holders]),
        spec("new", 15, &[Datum::OpeningDates]),
        spec("fast", 15, &[]),
    ];

    #[test]
    fn missing_context_is_said_and_hides_nothing() {
        let full = DataContext { with_holder: 1, with_opening_date: 1, ..DataContext::default() };
        assert_eq!(full.evaluable_points(&SPECS), (65, 65));
        let bare = DataContext::default();
        assert_eq!(bare.evaluable_points(&SPECS), (40, 65));
        assert_eq!(
            bare.summary(),
            "not evaluable here: account holders, opening dates, addresses, cash rows, branch cities, IBANs or \
             remittances, account history"
        );
        assert_eq!(full.missing().len(), 5);
        // A bare pattern is kept, with its low score and what could not be evaluated.
        let mut f = Finding::new("fan_in");
        f.indicate(&SPECS[0], "pattern");
        f.rescore();
        let r = bare.rank(f, &SPECS);
        assert_eq!(r.score, 25);
        assert_eq!(r.not_evaluable, vec!["account holders", "opening dates"]);
        assert!(r.explanation().contains("not evaluable here: account holders, opening dates"), "{}", r.explanation());
        assert!(full.rank(Finding::new("fan_in"), &SPECS).not_evaluable.is_empty());
    }
}
