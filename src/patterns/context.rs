//! What a case can tell the detectors: which context columns exist at all ([`DataContext`],
//! computed once per case), which indicators therefore can be evaluated, and the reporting
//! threshold applied to what can be evaluated ([`DataContext::report`]).
//!
//! The detectors score a structural pattern (25 points) plus corroborating indicators, and report
//! from `min_score` (50) up, so that no single weak indicator makes a finding (docs/domain.md §0,
//! "no single indicator is likely to confirm"; design consequence: "score combinations of
//! indicators"). Many corroborating indicators read context columns: who holds an account
//! (personal accounts), when it was opened (new accounts), addresses (shared addresses), cash
//! rows and their branch cities, IBANs (transfers abroad). A data set without a column at all,
//! such as IBM's AML data or AMLSim, cannot make those indicators fire; scoring it against the
//! full threshold made every detector silent on it (docs/evaluation.md). An indicator that is
//! *false* (the holder is a company) is different from one that *cannot be evaluated* (no
//! account has a holder): this module makes that decision once per case, explicitly, and says
//! so in every finding and in the report's methodology.
//!
//! The rule [D]: each detector declares its indicators with their points and the data each needs
//! ([`Spec`]). With `E` the points of the indicators this case can evaluate and `F` the points of
//! all of them, the threshold is `ceil(min_score · E / F)`: unchanged when every column exists,
//! proportionally lower when some are absent. It never falls to the core pattern's own points:
//! at least one corroborating indicator must fire ([`CORE_POINTS`]). Transfer-only indicators
//! (rapid pass-through with high retention, a burst against the account's own history,
//! near-identical amounts, amounts just below the reporting threshold) work on any ledger, so a
//! structural pattern plus transfer evidence can reach the threshold and a bare pattern cannot.
//!
//! One exception, explicit and labelled ([`DataContext::report_on_structure`]): a cycle with the
//! typology's signature (three or more time-respecting hops, each smaller than the last, most of
//! the money back at its origin within the window, docs/domain.md §1.3 #8) is reported on its
//! structure, with its low score and an explanation saying so (measured in
//! docs/evaluation.md, "Cycles reported on structure").

use super::common::{threshold, total_cents, Ratio, DAY, HOUR};
use super::finding::{Finding, Threshold};
use crate::graph::FlowGraph;
use crate::model::{Case, Channel, DateTime, EntityKind, NO_CITY};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Points of every detector's core structural indicator (the pattern itself). A finding is
/// reported only with at least one more indicator, whatever the data context [D].
pub const CORE_POINTS: u32 = 25;

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
/// three of AMLSim's 30-day look-back windows (docs/domain.md §1.2), so the average per window
/// outside an episode rests on at least two windows [D].
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
/// fires is declared once per grade under one name; in a table given to
/// [`DataContext::threshold`] only one grade of a name has points (the others, such as fan-in's
/// steady flow, are 0), so the full points count each indicator once.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Indicator name.
    pub name: &'static str,
    /// Points when it fires.
    pub points: u32,
    /// Data it cannot be evaluated without.
    pub needs: &'static [Datum],
}

/// Shorthand for a [`Spec`].
pub(crate) const fn spec(name: &'static str, points: u32, needs: &'static [Datum]) -> Spec {
    Spec { name, points, needs }
}

/// Declares a detector's indicators in one list: a `const` [`Spec`] per entry, written
/// `NAME = ("name", points, [data needed]);`, and the table of them all, headed
/// `pub const TABLE;` or `pub const TABLE + [SHARED, ...];` for specs declared elsewhere (added
/// at its end), so each indicator and its points are written once.
macro_rules! indicators {
    (
        $(#[$tm:meta])* pub const $table:ident $(+ [$($shared:ident),+ $(,)?])?;
        $( $(#[$m:meta])* $name:ident = ($text:literal, $points:expr, [$($need:expr),* $(,)?]); )+
    ) => {
        $( $(#[$m])* const $name: $crate::patterns::Spec = $crate::patterns::Spec {
            name: $text,
            points: $points,
            needs: &[$($need),*],
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
/// sparse data is evaluated as it is) [D].
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

    /// The threshold for a detector with indicators `specs` and configured `min_score`, with
    /// the evaluable and full points it rests on: `ceil(min_score · E / F)`, never at or below
    /// [`CORE_POINTS`] unless `min_score` itself is (module documentation).
    pub fn threshold(&self, min_score: u32, specs: &[Spec]) -> Threshold {
        let full: u32 = specs.iter().map(|s| s.points).sum();
        let eval: u32 = specs.iter().filter(|s| self.evaluable(s)).map(|s| s.points).sum();
        let applied = if full == 0 || eval >= full {
            min_score
        } else {
            let scaled = (min_score as u64 * eval as u64).div_ceil(full as u64) as u32;
            scaled.max(min_score.min(CORE_POINTS + 1))
        };
        Threshold { applied, min_score, evaluable_points: eval, full_points: full }
    }

    /// Records on `f` the threshold applied and the data it could not evaluate; returns the
    /// threshold.
    fn annotate(&self, f: &mut Finding, min_score: u32, specs: &[Spec]) -> u32 {
        let t = self.threshold(min_score, specs);
        let mut missing: Vec<Datum> =
            specs.iter().filter(|s| !self.evaluable(s)).flat_map(|s| s.needs.iter().copied()).collect();
        missing.retain(|&d| !self.has(d));
        missing.sort_unstable();
        missing.dedup();
        f.not_evaluable = missing.iter().map(|d| d.label()).collect();
        f.threshold = Some(t);
        t.applied
    }

    /// True when `f` (annotated with threshold `t`) is reported: its score reaches the threshold
    /// and (for any positive `min_score`) more than the core indicator fired.
    fn passes(f: &Finding, t: u32, min_score: u32) -> bool {
        let corroborated = f.indicators.len() >= 2 || min_score == 0;
        corroborated && f.score >= t
    }

    /// Finishes the reporting decision for finding `f` of a detector with indicators `specs`:
    /// records the threshold and the data it could not evaluate, and keeps `f` when its score
    /// reaches the threshold and (for any positive `min_score`) more than the core indicator fired.
    pub fn report(&self, mut f: Finding, min_score: u32, specs: &[Spec]) -> Option<Finding> {
        let t = self.annotate(&mut f, min_score, specs);
        Self::passes(&f, t, min_score).then_some(f)
    }

    /// The one exception to "a bare pattern is never reported": a detector whose pattern, in a
    /// strict form it has checked, is the typology's own signature rather than a weak indicator
    /// (a time-respecting cycle of three or more hops, each smaller than the last, returning
    /// most of the money to its origin, docs/domain.md §1.3 #8) keeps `f` even when
    /// [`DataContext::report`] would not, and says so: `why` names the signature, the
    /// explanation states that the finding rests on structure and amount conservation alone and
    /// lists the context that could not be evaluated. The score stays the sum of what fired, so
    /// such findings rank below corroborated ones.
    pub fn report_on_structure(&self, mut f: Finding, min_score: u32, specs: &[Spec], why: String) -> Finding {
        let t = self.annotate(&mut f, min_score, specs);
        if !Self::passes(&f, t, min_score) {
            f.structural = Some(why);
        }
        f
    }
}

// ---- transfer-only evidence, usable on any ledger -----------------------------------------

/// True when every amount of `edges` lies within `spread` of the median (AMLSim's alert
/// parameter "amount difference 20 %", docs/domain.md §1.2). Exact in cents.
pub(crate) fn similar_amounts(g: &FlowGraph, edges: &[u32], spread: Decimal) -> bool {
    if edges.len() < 2 {
        return false;
    }
    let mut c: Vec<i64> = edges.iter().map(|&e| g.cents[e as usize]).collect();
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
    if similar_amounts(g, edges, spread) {
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
/// (structuring band 80-99 % of T, docs/domain.md §1.3 #1).
pub(crate) fn below_threshold(case: &Case, g: &FlowGraph, edges: &[u32], band_low: Decimal) -> usize {
    let t = threshold(case);
    if t <= 0 {
        return 0;
    }
    let lo = Ratio::new(band_low);
    edges
        .iter()
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
/// came in (Σout ≈ Σin (1 − ρ), ρ <= 0.1, docs/domain.md §1.3 #3; `max` a little above 1 allows
/// for a small balance already held) [D].
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
/// other than `exclude`, when it lies in `band` of the `received` cents. Returns the onward
/// transfers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn passed_on(
    case: &Case,
    g: &FlowGraph,
    a: u32,
    after: DateTime,
    hours: i64,
    received: i128,
    band: PassBand,
    exclude: &[u32],
) -> Option<Vec<u32>> {
    let outs: Vec<u32> = g
        .out_between(a, DateTime(after.0 + 1), DateTime(after.0 + hours * HOUR))
        .iter()
        .copied()
        .filter(|&e| super::common::is_account_flow(case, g, e) && !exclude.contains(&g.dst[e as usize]))
        .collect();
    (!outs.is_empty() && band.holds(total_cents(g, &outs), received)).then_some(outs)
}

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
    fn threshold_scales_with_what_can_be_evaluated() {
        let full = DataContext { with_holder: 1, with_opening_date: 1, ..DataContext::default() };
        let t = |applied, evaluable_points, full_points| Threshold {
            applied,
            min_score: 50,
            evaluable_points,
            full_points,
        };
        assert_eq!(full.threshold(50, &SPECS), t(50, 65, 65));
        // Nothing but transfers: 40 of 65 points, ceil(50 · 40 / 65) = 31.
        let bare = DataContext::default();
        assert_eq!(bare.threshold(50, &SPECS), t(31, 40, 65));
        // Never at or below the core pattern's own points.
        let core_only = [spec("core", 25, &[]), spec("personal", 75, &[Datum::Holders])];
        assert_eq!(bare.threshold(50, &core_only).applied, CORE_POINTS + 1);
        // An analyst's min_score = 0 stays 0.
        assert_eq!(bare.threshold(0, &SPECS).applied, 0);
        assert_eq!(
            bare.summary(),
            "not evaluable here: account holders, opening dates, addresses, cash rows, branch cities, IBANs or \
             remittances, account history"
        );
        assert_eq!(full.missing().len(), 5);
    }

    #[test]
    fn a_bare_pattern_is_not_reported() {
        let bare = DataContext::default();
        let mut f = Finding::new("fan_in");
        f.indicate(&SPECS[0], "pattern");
        f.rescore();
        assert!(bare.report(f.clone(), 50, &SPECS).is_none());
        // Reported when an analyst asks for everything.
        assert!(bare.report(f.clone(), 0, &SPECS).is_some());
        f.indicate(&SPECS[3], "fast");
        f.rescore();
        let r = bare.report(f, 50, &SPECS).unwrap();
        let t = Threshold { applied: 31, min_score: 50, evaluable_points: 40, full_points: 65 };
        assert_eq!(r.threshold, Some(t));
        assert_eq!(r.not_evaluable, vec!["account holders", "opening dates"]);
        assert!(r.explanation().contains("not evaluable here: account holders, opening dates"), "{}", r.explanation());
    }

    #[test]
    fn a_signature_is_reported_on_structure_and_says_so() {
        let bare = DataContext::default();
        let mut f = Finding::new("cycle");
        f.indicate(&SPECS[0], "pattern");
        f.rescore();
        let r = bare.report_on_structure(f.clone(), 50, &SPECS, "the signature".into());
        assert_eq!(r.structural.as_deref(), Some("the signature"));
        assert_eq!(r.score, 25);
        let e = r.explanation();
        assert!(e.contains("reported on structure and amount conservation alone (the signature)"), "{e}");
        assert!(e.ends_with("not evaluable here: account holders, opening dates"), "{e}");
        assert!(!e.contains("single indicator"), "{e}");
        // A corroborated finding is reported the ordinary way, without the note.
        f.indicate(&SPECS[3], "fast");
        f.rescore();
        let r = bare.report_on_structure(f, 50, &SPECS, "the signature".into());
        assert_eq!(r.structural, None);
        assert!(r.explanation().contains("reported from score 31"), "{}", r.explanation());
    }
}
