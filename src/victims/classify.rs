//! The non-punishment classifier: which account holders look like trafficked persons whose
//! accounts are controlled by others (docs/methodology.md#t-victim-control, victim-account control), so that
//! they are presented as probable victims with reasons, never as suspects or mules.
//!
//! Every person holding an account is scored on explainable indicators; each indicator that
//! fires adds its weight and a sentence with the measured figures. FATF's framing (
//! docs/methodology.md#no-single-indicator: "no single indicator is likely to confirm") is kept: a person is a probable victim only
//! when the score reaches [`VictimParams::threshold`] with at least
//! [`VictimParams::min_indicators`] positive indicators.
//!
//! | indicator | weight (project default) | source |
//! |---|---|---|
//! | `shared_identifier`: address, phone or e-mail shared with a listed or probable victim, a suspect (not family) or the controller | 2 | methodology.md#indicator-sources FinCEN 2020 (senders sharing addresses/phones), methodology.md#t-victim-control |
//! | `swept_to_controller`: most of the credits leave for one person's account within hours, and that account is a suspect's or collects from several holders | 3 | methodology.md#indicator-sources FinCEN 2020 (wages immediately transferred on), methodology.md#t-victim-control |
//! | `recent_account`: the account was opened shortly before its first transfer | 1 | methodology.md#t-pass-through (short account life) |
//! | `minor_holder`: under 18 at the first transfer, or listed as a minor | 1.5 | issue 9; Albanian guidance on child victims |
//! | `small_inflows`: several cash deposits or card credits, each far below the reporting threshold | 1.5 | methodology.md#indicator-sources FATF 2018 (many small domestic inflows), methodology.md#t-victim-control (deposits from clients) |
//! | `cash_elsewhere`: cash deposited in cities where the holder does not live | 1 | methodology.md#indicator-sources FinCEN 2020 (funnel accounts), methodology.md#t-dispersion |
//! | `large_pass_through` (negative): large sums forwarded within 48 h, the mule signature | -3 | methodology.md#t-pass-through |

use crate::graph::FlowGraph;
use crate::model::{AccountId, PersonId, TransferId};
use crate::model::{Case, Channel, Date, DateTime, EntityKind, EntityRef, NO_CITY};
use crate::patterns::{Finding, Spec};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

crate::params! {
    /// Parameters of the non-punishment classifier; every default is a design default of
    /// docs/methodology.md#contents ((project default)) and can be overridden with `--param victims.key=value`.
    pub struct VictimParams {
        /// A credit counts as swept when it leaves within this many hours ("funds swept to a
        /// controller within hours", issue 9; FinCEN 2020 "wages immediately withdrawn or
        /// transferred", docs/methodology.md#indicator-sources) (project default).
        sweep_hours: i64 = 12,
        /// Share of all the person's credits that must be swept to one account (project default).
        sweep_share: Decimal = Decimal::new(5, 1),
        /// A sweep destination is a controller's account when a suspect holds it or it collects
        /// sweeps from at least this many holders (">= 3 accounts sharing an identifier",
        /// docs/methodology.md#t-victim-control) (project default).
        collector_min_sources: usize = 3,
        /// An account opened at most this many days before its first transfer is recent (short
        /// account life, docs/methodology.md#t-pass-through) (project default).
        recent_days: i32 = 90,
        /// A credit is small below this share of the cash-reporting threshold (deposits below
        /// the threshold, docs/methodology.md#indicator-sources FinCEN A005 and ICE; victims' earnings are far
        /// smaller than the sums mules pass on) (project default).
        small_share: Decimal = Decimal::new(15, 2),
        /// At least this many small cash deposits or card credits ("many small domestic
        /// inflows", FATF 2018, docs/methodology.md#indicator-sources) (project default).
        min_small_credits: usize = 2,
        /// Share of the cash deposits made in another city than the holder's ("cash deposited
        /// in cities where the customer does not live", FinCEN 2020, docs/methodology.md#indicator-sources) (project default).
        elsewhere_share: Decimal = Decimal::new(5, 1),
        /// Hours of the mule pass-through test (delta t <= 48 h, docs/methodology.md#t-pass-through).
        pass_hours: i64 = 48,
        /// Share forwarded within pass_hours for the mule test (margin rho <= 0.1,
        /// docs/methodology.md#t-pass-through).
        pass_share: Decimal = Decimal::new(9, 1),
        /// Weight of a shared address, phone or e-mail (docs/methodology.md#t-victim-control) (project default).
        weight_shared_identifier: Decimal = Decimal::from(2),
        /// Weight of the sweep to a controller, the core of victim-account control
        /// (docs/methodology.md#t-victim-control) (project default).
        weight_sweep: Decimal = Decimal::from(3),
        /// Weight of a recently opened account (docs/methodology.md#t-pass-through) (project default).
        weight_recent: Decimal = Decimal::ONE,
        /// Weight of a minor holder (issue 9) (project default).
        weight_minor: Decimal = Decimal::new(15, 1),
        /// Weight of cash deposited away from home (docs/methodology.md#indicator-sources, methodology.md#t-dispersion) (project default).
        weight_cash_elsewhere: Decimal = Decimal::ONE,
        /// Weight of many small inflows (docs/methodology.md#indicator-sources FATF 2018) (project default).
        weight_small_inflows: Decimal = Decimal::new(15, 1),
        /// Weight (negative) of the mule signature: large sums passed on within pass_hours
        /// (docs/methodology.md#t-pass-through) (project default).
        weight_large_pass_through: Decimal = Decimal::from(-3),
        /// Score from which an unlisted person is a probable victim (project default).
        threshold: Decimal = Decimal::from(5),
        /// Positive indicators needed besides the score ("no single indicator",
        /// docs/methodology.md#no-single-indicator) (project default).
        min_indicators: usize = 3,
    }
}

/// How a person stands after classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Listed in the case's `victims` table.
    Listed,
    /// Not listed, but the indicators reach the threshold.
    Probable,
    /// Scored below the threshold.
    NotFlagged,
}

impl Status {
    /// The word used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Listed => "listed",
            Status::Probable => "probable",
            Status::NotFlagged => "not_flagged",
        }
    }
}

/// One indicator that fired, with its weight and what was measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// Indicator name (`swept_to_controller`, ...).
    pub indicator: &'static str,
    /// Weight added to the score (negative for the mule signature).
    pub weight: Decimal,
    /// The figures behind it, with ids of accounts and persons.
    pub detail: String,
}

/// The classifier's view of one person holding accounts.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The person assessed.
    pub person: PersonId,
    /// Listed, probable or not flagged.
    pub status: Status,
    /// Sum of the weights of the reasons.
    pub score: Decimal,
    /// Under 18 at the first transfer of their accounts, or listed as a minor.
    pub minor: bool,
    /// The person's accounts, sorted.
    pub accounts: Vec<AccountId>,
    /// Every indicator that fired, in a fixed order.
    pub reasons: Vec<Reason>,
    /// Transfers behind the reasons (sweeps, deposits), sorted.
    pub txns: Vec<TransferId>,
}

impl Assessment {
    /// The reasons as one sentence each, with weights.
    pub fn explanation(&self) -> String {
        self.reasons
            .iter()
            .map(|r| format!("{} ({:+}): {}", r.indicator, r.weight, r.detail))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Positive indicators that fired.
    pub fn positive_indicators(&self) -> usize {
        self.reasons.iter().filter(|r| r.weight > Decimal::ZERO).count()
    }
}

/// Per-person figures gathered from the transfers.
#[derive(Default, Clone)]
struct Figures {
    accounts: Vec<u32>,
    credits: i64,
    swept: BTreeMap<u32, (i64, Vec<u32>)>,
    passed: i64,
    large_credits: i64,
    small: Vec<u32>,
    deposits: Vec<u32>,
    elsewhere: Vec<u32>,
    first: Option<DateTime>,
    recent: Vec<(u32, i64)>,
}

const HOUR: i64 = 3600;

impl Figures {
    /// Adds the figures of one more account of the same person, as if its transfers had been
    /// gathered into `self` after those already there (every list keeps that order).
    fn merge(&mut self, o: Figures) {
        self.accounts.extend(o.accounts);
        self.credits += o.credits;
        for (dst, (c, es)) in o.swept {
            let s = self.swept.entry(dst).or_default();
            s.0 += c;
            s.1.extend(es);
        }
        self.passed += o.passed;
        self.large_credits += o.large_credits;
        self.small.extend(o.small);
        self.deposits.extend(o.deposits);
        self.elsewhere.extend(o.elsewhere);
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.recent.extend(o.recent);
    }
}

fn date_of(t: DateTime) -> Date {
    Date(t.0.div_euclid(86_400) as i32)
}

/// The day a person born on `b` turns 18.
fn eighteenth(b: Date) -> Option<Date> {
    b.to_naive().checked_add_months(chrono::Months::new(18 * 12)).map(Date::from_naive)
}

fn fmt_cents(c: i64) -> String {
    Decimal::new(c, 2).to_string()
}

fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0%".into();
    }
    format!("{}%", (part as i128 * 100 / whole as i128))
}

/// Folds an identifier for comparison: lower case, letters and digits only (so
/// "Rr. Skënderbeu, Nr. 106" and "rr skënderbeu nr 106" agree).
pub fn fold_identifier(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Extra person columns read as shared identifiers besides the address.
const IDENTIFIER_COLUMNS: &[&str] = &["phone", "telephone", "mobile", "email", "e_mail"];

/// Whether person `p` was a minor at the date `at`, by the victims table or the birth date.
pub fn minor_at(case: &Case, p: u32, at: Option<Date>) -> bool {
    let listed = case.victims.rows.iter().any(|v| v.entity == person_ref(p) && v.minor == Some(true));
    let by_birth = match (case.persons.rows.get(p as usize).and_then(|x| x.birth_date), at) {
        (Some(b), Some(d)) => eighteenth(b).is_some_and(|e| d < e),
        _ => false,
    };
    listed || by_birth
}

fn person_ref(p: u32) -> EntityRef {
    EntityRef { kind: EntityKind::Person, idx: p }
}

/// Scores every person holding at least one account with transfers; returns one
/// [`Assessment`] per such person (and per listed victim), sorted by status, then score
/// (highest first), then person id.
///
/// # Complexity
/// O(E log E) over the transfers of person-held accounts (each account's in- and out-edges are
/// merged once in time order), plus O(P) for the identifier groups.
pub fn classify(case: &Case, flow: &FlowGraph, p: &VictimParams) -> Vec<Assessment> {
    let c = Classifier::new(case, flow, p);
    let figs = c.figures();
    // Controllers: the top sweep destination of each person, when it takes sweep_share.
    let mut sources: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for (&person, f) in &figs {
        if let Some((dst, _)) = c.top(f) {
            sources.entry(dst).or_default().insert(person);
        }
    }
    let groups = identifier_groups(case);
    let mut keys_of: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (k, members) in &groups {
        if members.len() >= 2 {
            for &m in members {
                keys_of.entry(m).or_default().push(k.as_str());
            }
        }
    }

    // First pass: every indicator but shared identifiers.
    let mut out: BTreeMap<u32, Assessment> = BTreeMap::new();
    let mut controller_of: BTreeMap<u32, u32> = BTreeMap::new();
    let candidates: BTreeSet<u32> = figs.keys().copied().chain(c.listed.iter().copied()).collect();
    for &person in &candidates {
        let empty = Figures::default();
        let f = figs.get(&person).unwrap_or(&empty);
        let (a, controller) = c.assess(person, f, &sources);
        if let Some(h) = controller {
            controller_of.insert(person, h);
        }
        out.insert(person, a);
    }
    // Probable on the other indicators alone, if a shared identifier were added.
    let pre_probable: BTreeSet<u32> = out
        .values()
        .filter(|a| {
            !c.suspects.contains(&a.person.raw()) && {
                let s = score(a) + p.weight_shared_identifier;
                s >= p.threshold
                    && a.positive_indicators() + 1 >= p.min_indicators
                    && a.reasons.iter().any(|r| r.indicator == "swept_to_controller")
            }
        })
        .map(|a| a.person.raw())
        .collect();

    // Second pass: shared identifiers with listed or probable victims, suspects or the controller.
    let known = Known { controller_of: &controller_of, family: &family_pairs(case), pre_probable: &pre_probable };
    for (&person, a) in out.iter_mut() {
        let Some(keys) = keys_of.get(&person) else { continue };
        if let Some(r) = c.shared_identifier(person, keys, &groups, &known) {
            a.reasons.insert(0, r);
        }
    }
    c.finish(out)
}

fn score(a: &Assessment) -> Decimal {
    a.reasons.iter().map(|r| r.weight).sum::<Decimal>()
}

/// The case, the flow graph and the parameters, with what every stage of [`classify`] reads.
struct Classifier<'a> {
    case: &'a Case,
    flow: &'a FlowGraph,
    p: &'a VictimParams,
    /// Persons of the victims table.
    listed: BTreeSet<u32>,
    /// Persons of the suspects table.
    suspects: BTreeSet<u32>,
    /// Persons listed as minors in the victims table (what [`minor_at`] scans the table for).
    listed_minors: BTreeSet<u32>,
    /// Each city of `case.cities`, folded once ([`fold_identifier`]), not once per deposit.
    folded_cities: Vec<String>,
    /// A credit below this many cents is small.
    small_limit: i64,
}

/// What the first pass learnt, read by the shared-identifier indicator.
struct Known<'a> {
    /// Person -> the person holding their controller's account.
    controller_of: &'a BTreeMap<u32, u32>,
    /// (person, relative) pairs, both ways, from the relations table.
    family: &'a BTreeSet<(u32, u32)>,
    pre_probable: &'a BTreeSet<u32>,
}

impl<'a> Classifier<'a> {
    fn new(case: &'a Case, flow: &'a FlowGraph, p: &'a VictimParams) -> Classifier<'a> {
        let listed =
            case.victims.rows.iter().filter(|v| v.entity.kind == EntityKind::Person).map(|v| v.entity.idx).collect();
        let suspects =
            case.suspects.rows.iter().filter(|s| s.entity.kind == EntityKind::Person).map(|s| s.entity.idx).collect();
        let threshold_cents = FlowGraph::cents_of(case.meta.cash_report.amount);
        let small_limit = FlowGraph::cents_of(case.meta.cash_report.amount * p.small_share).min(threshold_cents);
        let listed_minors = case
            .victims
            .rows
            .iter()
            .filter(|v| v.entity.kind == EntityKind::Person && v.minor == Some(true))
            .map(|v| v.entity.idx)
            .collect();
        let folded_cities = case.cities.iter().map(|c| fold_identifier(c)).collect();
        Classifier { case, flow, p, listed, suspects, listed_minors, folded_cities, small_limit }
    }

    /// [`minor_at`] without its scan of the victims table for every person.
    fn minor_at(&self, person: u32, at: Option<Date>) -> bool {
        let by_birth = match (self.case.persons.rows.get(person as usize).and_then(|x| x.birth_date), at) {
            (Some(b), Some(d)) => eighteenth(b).is_some_and(|e| d < e),
            _ => false,
        };
        self.listed_minors.contains(&person) || by_birth
    }

    fn holder_person(&self, a: u32) -> Option<u32> {
        self.case.accounts.rows.get(a as usize)?.holder.filter(|h| h.kind == EntityKind::Person).map(|h| h.idx)
    }

    /// Figures per person holding an account with transfers.
    ///
    /// Accounts are read in parallel, a block at a time, and their figures merged into their
    /// holders' in account order, so the result is that of one pass over the accounts in order
    /// whatever the thread count (at 10M transfers the sequential pass took most of 14 s).
    fn figures(&self) -> BTreeMap<u32, Figures> {
        use rayon::prelude::*;
        const BLOCK: u32 = 1 << 15;
        let mut figs: BTreeMap<u32, Figures> = BTreeMap::new();
        let n = self.case.accounts.len() as u32;
        let mut start = 0;
        while start < n {
            let end = n.min(start.saturating_add(BLOCK));
            let block: Vec<(u32, Figures)> = (start..end)
                .into_par_iter()
                .filter_map(|a| {
                    let person = self.holder_person(a)?;
                    if self.flow.in_edges(a).is_empty() && self.flow.out_edges(a).is_empty() {
                        return None;
                    }
                    let mut f = Figures::default();
                    self.account_figures(a, person, &mut f);
                    Some((person, f))
                })
                .collect();
            for (person, f) in block {
                match figs.entry(person) {
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(f);
                    }
                    std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().merge(f),
                }
            }
            start = end;
        }
        figs
    }

    /// Adds account `a` of `person` to the person's figures, merging its credits and debits in
    /// time order (credits first at equal times).
    fn account_figures(&self, a: u32, person: u32, f: &mut Figures) {
        let (case, flow, p) = (self.case, self.flow, self.p);
        let (ins, outs) = (flow.in_edges(a), flow.out_edges(a));
        let (sweep_window, pass_window) = (p.sweep_hours * HOUR, p.pass_hours * HOUR);
        f.accounts.push(a);
        let home = case.persons.rows.get(person as usize).and_then(|x| x.city.as_deref()).map(fold_identifier);
        let (mut i, mut o) = (0, 0);
        let mut sweep_q: VecDeque<(DateTime, i64)> = VecDeque::new();
        let mut pass_q: VecDeque<(DateTime, i64)> = VecDeque::new();
        let first = [ins.first(), outs.first()].into_iter().flatten().map(|&e| flow.time[e as usize]).min();
        if let Some(t0) = first {
            f.first = Some(f.first.map_or(t0, |x| x.min(t0)));
            if let Some(opened) = case.accounts.rows[a as usize].opened_on {
                let days = (date_of(t0).0 - opened.0) as i64;
                if (0..=p.recent_days as i64).contains(&days) {
                    f.recent.push((a, days));
                }
            }
        }
        while i < ins.len() || o < outs.len() {
            let take_in =
                o >= outs.len() || (i < ins.len() && flow.time[ins[i] as usize] <= flow.time[outs[o] as usize]);
            if take_in {
                let e = ins[i] as usize;
                i += 1;
                let c = flow.cents[e];
                if c <= 0 {
                    continue;
                }
                f.credits += c;
                let t = flow.time[e];
                sweep_q.push_back((t, c));
                pass_q.push_back((t, c));
                let ch = case.transfers.channel[e];
                if c >= self.small_limit {
                    f.large_credits += c;
                }
                if matches!(ch, Channel::CashDeposit | Channel::Card) && c < self.small_limit {
                    f.small.push(e as u32);
                }
                if ch == Channel::CashDeposit {
                    f.deposits.push(e as u32);
                    let city = case.transfers.branch_city[e];
                    if city != NO_CITY {
                        let here = self.folded_cities.get(city as usize);
                        if home.is_some() && here.is_some() && here != home.as_ref() {
                            f.elsewhere.push(e as u32);
                        }
                    }
                }
            } else {
                let e = outs[o] as usize;
                o += 1;
                let t = flow.time[e];
                let amount = flow.cents[e];
                let consumed = consume(&mut sweep_q, t, sweep_window, amount);
                f.passed += consume(&mut pass_q, t, pass_window, amount);
                let dst = flow.dst[e];
                if consumed > 0
                    && dst < case.accounts.len() as u32
                    && self.holder_person(dst).is_some_and(|h| h != person)
                {
                    let s = f.swept.entry(dst).or_default();
                    s.0 += consumed;
                    s.1.push(e as u32);
                }
            }
        }
    }

    /// The top sweep destination of a person, with the cents swept to it, when it takes
    /// sweep_share of the person's credits.
    fn top(&self, f: &Figures) -> Option<(u32, i64)> {
        let (&dst, &(c, _)) = f.swept.iter().max_by_key(|(d, (c, _))| (*c, std::cmp::Reverse(**d)))?;
        (f.credits > 0 && Decimal::from(c) >= Decimal::from(f.credits) * self.p.sweep_share).then_some((dst, c))
    }

    /// Whether a suspect holds account `dst` or it collects sweeps from enough holders.
    fn is_controller(&self, dst: u32, sources: &BTreeMap<u32, BTreeSet<u32>>) -> bool {
        self.holder_person(dst).is_some_and(|h| self.suspects.contains(&h))
            || sources.get(&dst).is_some_and(|s| s.len() >= self.p.collector_min_sources)
    }

    /// First pass over one person: every indicator but shared identifiers, not yet scored; with
    /// the person holding the controller's account when the person's money is swept to one.
    fn assess(&self, person: u32, f: &Figures, sources: &BTreeMap<u32, BTreeSet<u32>>) -> (Assessment, Option<u32>) {
        let mut reasons = Vec::new();
        let mut txns = Vec::new();
        let mut controller = None;
        if let Some((dst, c)) = self.top(f) {
            if self.is_controller(dst, sources) {
                reasons.push(self.swept_to_controller(f, dst, c, sources));
                txns.extend(f.swept[&dst].1.iter().copied());
                controller = self.holder_person(dst);
            }
        }
        if let Some(&(a, days)) = f.recent.iter().min_by_key(|x| (x.1, x.0)) {
            reasons.push(Reason {
                indicator: "recent_account",
                weight: self.p.weight_recent,
                detail: format!(
                    "account {} opened {days} days before its first transfer",
                    self.case.accounts.rows[a as usize].id
                ),
            });
        }
        let first_date = f.first.map(date_of);
        let minor = self.minor_at(person, first_date);
        if minor {
            reasons.push(self.minor_holder(person, first_date));
        }
        if let Some(r) = self.small_inflows(f) {
            reasons.push(r);
            txns.extend(f.small.iter().copied());
        }
        if let Some(r) = self.cash_elsewhere(f) {
            reasons.push(r);
            txns.extend(f.elsewhere.iter().copied());
        }
        if let Some(r) = self.large_pass_through(f) {
            reasons.push(r);
        }
        let mut accounts = f.accounts.clone();
        accounts.sort_unstable();
        let (person, accounts) = (PersonId::from_raw(person), AccountId::from_raws(&accounts).collect());
        let txns = TransferId::from_raws(&txns).collect();
        let a = Assessment { person, status: Status::NotFlagged, score: Decimal::ZERO, minor, accounts, reasons, txns };
        (a, controller)
    }

    /// `c` cents of the person's credits swept to controller account `dst`.
    fn swept_to_controller(&self, f: &Figures, dst: u32, c: i64, sources: &BTreeMap<u32, BTreeSet<u32>>) -> Reason {
        let case = self.case;
        let holder_person = self.holder_person(dst);
        let holder = holder_person.map(|h| case.persons.rows[h as usize].id.as_str()).unwrap_or("");
        let role = if holder_person.is_some_and(|h| self.suspects.contains(&h)) {
            "a suspect".to_string()
        } else {
            format!("collecting from {} holders", sources.get(&dst).map_or(0, BTreeSet::len))
        };
        Reason {
            indicator: "swept_to_controller",
            weight: self.p.weight_sweep,
            detail: format!(
                "{} of {} {} credited ({}) left within {} h for account {} of {} ({}) in {} transfers",
                fmt_cents(c),
                fmt_cents(f.credits),
                case.meta.base_currency,
                pct(c, f.credits),
                self.p.sweep_hours,
                case.accounts.rows[dst as usize].id,
                holder,
                role,
                f.swept[&dst].1.len()
            ),
        }
    }

    fn minor_holder(&self, person: u32, first_date: Option<Date>) -> Reason {
        let by = if self.case.victims.rows.iter().any(|v| v.entity == person_ref(person) && v.minor == Some(true)) {
            "listed as a minor in the victims table".to_string()
        } else {
            format!("under 18 at the first transfer ({})", first_date.map(|d| d.to_string()).unwrap_or_default())
        };
        Reason { indicator: "minor_holder", weight: self.p.weight_minor, detail: by }
    }

    fn small_inflows(&self, f: &Figures) -> Option<Reason> {
        if f.small.len() < self.p.min_small_credits {
            return None;
        }
        let currency = &self.case.meta.base_currency;
        let total: i64 = f.small.iter().map(|&e| self.flow.cents[e as usize]).sum();
        Some(Reason {
            indicator: "small_inflows",
            weight: self.p.weight_small_inflows,
            detail: format!(
                "{} cash deposits or card credits below {} {} each, {} {} in all",
                f.small.len(),
                fmt_cents(self.small_limit),
                currency,
                fmt_cents(total),
                currency
            ),
        })
    }

    fn cash_elsewhere(&self, f: &Figures) -> Option<Reason> {
        if f.elsewhere.is_empty()
            || Decimal::from(f.elsewhere.len()) < Decimal::from(f.deposits.len()) * self.p.elsewhere_share
        {
            return None;
        }
        let case = self.case;
        let cities: BTreeSet<&str> = f
            .elsewhere
            .iter()
            .filter_map(|&e| case.cities.get(case.transfers.branch_city[e as usize] as usize).map(String::as_str))
            .collect();
        Some(Reason {
            indicator: "cash_elsewhere",
            weight: self.p.weight_cash_elsewhere,
            detail: format!(
                "{} of {} cash deposits made away from the holder's city, in {}",
                f.elsewhere.len(),
                f.deposits.len(),
                cities.into_iter().collect::<Vec<_>>().join(", ")
            ),
        })
    }

    fn large_pass_through(&self, f: &Figures) -> Option<Reason> {
        let p = self.p;
        let mule = f.credits > 0
            && Decimal::from(f.passed) >= Decimal::from(f.credits) * p.pass_share
            && f.large_credits * 2 >= f.credits;
        mule.then(|| Reason {
            indicator: "large_pass_through",
            weight: p.weight_large_pass_through,
            detail: format!(
                "{} of {} {} credited ({}) passed on within {} h, mostly in sums of {} or more: the mule \
                 signature, not a victim's earnings",
                fmt_cents(f.passed),
                fmt_cents(f.credits),
                self.case.meta.base_currency,
                pct(f.passed, f.credits),
                p.pass_hours,
                fmt_cents(self.small_limit)
            ),
        })
    }

    /// Second pass over one person with identifier group `keys`: the identifiers shared with
    /// listed or probable victims, suspects (not family) or the person's controller.
    fn shared_identifier(
        &self,
        person: u32,
        keys: &[&str],
        groups: &BTreeMap<String, Vec<u32>>,
        known: &Known,
    ) -> Option<Reason> {
        let mut with: BTreeMap<u32, &'static str> = BTreeMap::new();
        let mut kinds: BTreeSet<&str> = BTreeSet::new();
        for k in keys {
            let kind = k.split(':').next().unwrap_or("address");
            for &other in &groups[*k] {
                if other == person {
                    continue;
                }
                let role = if self.listed.contains(&other) {
                    Some("listed victim")
                } else if known.controller_of.get(&person) == Some(&other) {
                    Some("controller")
                } else if self.suspects.contains(&other) && !known.family.contains(&(person, other)) {
                    Some("suspect")
                } else if known.pre_probable.contains(&other) {
                    Some("probable victim")
                } else {
                    None
                };
                if let Some(r) = role {
                    with.entry(other).or_insert(r);
                    kinds.insert(kind);
                }
            }
        }
        if with.is_empty() {
            return None;
        }
        let list: Vec<String> =
            with.iter().map(|(&o, r)| format!("{} ({r})", self.case.persons.rows[o as usize].id)).collect();
        Some(Reason {
            indicator: "shared_identifier",
            weight: self.p.weight_shared_identifier,
            detail: format!("{} shared with {}", kinds.into_iter().collect::<Vec<_>>().join(" and "), list.join(", ")),
        })
    }

    /// Scores and statuses, sorted by status, then score (highest first), then person id.
    fn finish(&self, out: BTreeMap<u32, Assessment>) -> Vec<Assessment> {
        let p = self.p;
        let flagged = |a: &Assessment, s: Decimal| s >= p.threshold && a.positive_indicators() >= p.min_indicators;
        let mut v: Vec<Assessment> = out
            .into_values()
            .map(|mut a| {
                a.score = score(&a);
                a.txns.sort_unstable();
                a.txns.dedup();
                a.status = if self.listed.contains(&a.person.raw()) {
                    Status::Listed
                } else if !self.suspects.contains(&a.person.raw()) && flagged(&a, a.score) {
                    Status::Probable
                } else {
                    Status::NotFlagged
                };
                a
            })
            .collect();
        let persons = &self.case.persons.rows;
        v.sort_by(|x, y| {
            x.status
                .cmp(&y.status)
                .then(y.score.cmp(&x.score))
                .then_with(|| persons[x.person.ix()].id.cmp(&persons[y.person.ix()].id))
        });
        v
    }
}

/// Family pairs (both ways) of the relations table, so that a spouse at a suspect's address is
/// not a victim indicator.
fn family_pairs(case: &Case) -> BTreeSet<(u32, u32)> {
    let mut family: BTreeSet<(u32, u32)> = BTreeSet::new();
    for r in &case.relations.rows {
        if r.related.kind == EntityKind::Person && r.kind != crate::model::RelationKind::Associate {
            family.insert((r.person, r.related.idx));
            family.insert((r.related.idx, r.person));
        }
    }
    family
}

/// Identifier groups: folded address text (the city is not compared: victims are often
/// registered in one town and housed at the controller's address in another) and any phone or
/// e-mail column; key `kind:folded text` -> persons.
fn identifier_groups(case: &Case) -> BTreeMap<String, Vec<u32>> {
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let extra_cols: Vec<&str> =
        IDENTIFIER_COLUMNS.iter().copied().filter(|c| case.persons.extras.names.iter().any(|n| n == c)).collect();
    for (i, row) in case.persons.rows.iter().enumerate() {
        if let Some(a) = row.address.as_deref() {
            let k = fold_identifier(a);
            if k.len() >= 4 {
                groups.entry(format!("address:{k}")).or_default().push(i as u32);
            }
        }
        for c in &extra_cols {
            if let Some(v) = case.persons.extras.get(c, i) {
                let k = fold_identifier(v);
                if k.len() >= 4 {
                    groups.entry(format!("{c}:{k}")).or_default().push(i as u32);
                }
            }
        }
    }
    groups
}

/// Takes up to `amount` from credits younger than `window` seconds before `t`, oldest first;
/// returns what was taken.
fn consume(q: &mut VecDeque<(DateTime, i64)>, t: DateTime, window: i64, amount: i64) -> i64 {
    while q.front().is_some_and(|(ct, _)| ct.0 < t.0 - window) {
        q.pop_front();
    }
    let mut left = amount;
    while left > 0 {
        let Some(front) = q.front_mut() else { break };
        let take = front.1.min(left);
        front.1 -= take;
        left -= take;
        if front.1 == 0 {
            q.pop_front();
        }
    }
    amount - left
}

/// The post-pass's note that a finding's nearest listed suspect is a listed victim: stated,
/// no points.
const VICTIM_NOT_SUSPECT: Spec = Spec { name: "victim_not_suspect", points: 0, needs: &[], graded: false };
/// The post-pass's note that a finding touches a victim's account: stated, no points.
const VICTIM_ACCOUNT: Spec = Spec { name: "victim_account", points: 0, needs: &[], graded: false };

/// The post-pass over findings: a finding touching an account of a listed or probable victim
/// says so in its explanation (a zero-point indicator), and a listed victim is never a finding's
/// suspect (the link is dropped with its points and the reason is stated).
pub fn annotate_findings(case: &Case, findings: &mut [Finding], assessed: &[Assessment]) {
    let mut by_account: BTreeMap<AccountId, &Assessment> = BTreeMap::new();
    let mut listed_person: BTreeSet<EntityRef> = BTreeSet::new();
    for a in assessed.iter().filter(|a| a.status != Status::NotFlagged) {
        for &acc in &a.accounts {
            by_account.insert(acc, a);
        }
    }
    for v in &case.victims.rows {
        listed_person.insert(v.entity);
    }
    for f in findings.iter_mut() {
        let single = f.indicators.len() == 1;
        if let Some(s) = f.suspect.map(|l| l.suspect) {
            if listed_person.contains(&s) {
                f.suspect = None;
                f.indicators.retain(|i| i.name != "near_suspect");
                f.rescore();
                f.indicate(
                    &VICTIM_NOT_SUSPECT,
                    format!(
                        "the nearest person on the suspects list, {}, is a listed victim: not linked as suspect \
                         (non-punishment)",
                        case.entity_id(s)
                    ),
                );
            }
        }
        let mut seen: BTreeSet<PersonId> = BTreeSet::new();
        let mut parts = Vec::new();
        for acc in &f.accounts {
            if let Some(a) = by_account.get(acc) {
                if seen.insert(a.person) {
                    let who = case.persons.rows[a.person.ix()].id.as_str();
                    parts.push(match a.status {
                        Status::Listed => {
                            format!("account {} is held by {who}, a listed victim", case.accounts.rows[acc.ix()].id)
                        }
                        _ => format!(
                            "account {} is held by {who}, a probable victim (score {})",
                            case.accounts.rows[acc.ix()].id,
                            a.score
                        ),
                    });
                }
            }
        }
        if !parts.is_empty() {
            let mut detail = format!(
                "{}: their part is victim-account control, present them as victims, not as suspects or mules \
                 (non-punishment)",
                parts.join("; ")
            );
            if single {
                detail.push_str("; single indicator: score capped, corroborate before acting");
            }
            f.indicate(&VICTIM_ACCOUNT, detail);
        }
    }
}
