//! Confiscable value of a suspect's network, in the three views courts use (docs/methodology.md#confiscation-concepts,
//! methodology.md#valuation-model, methodology.md#confiscable-value), each figure traced side by side under several rules (methodology.md#tracing) and citing its rows:
//!
//! * **Object-based**: proceeds traced into each asset. For a property, the tainted part of the
//!   transfers recorded as its titles' payments (`payment_txn_ids`), for the whole purchase; for a
//!   bank account of the scope, the tainted money still in it. The per-asset object figure is
//!   `min(traced, net attributable value)` (the proceeds identifiable in the asset, never more than
//!   what the scope holds of it) \[D\].
//! * **Value-based** (POCA s.7/s.9 model, methodology.md#valuation-model): the benefit (proceeds introduced, round trips
//!   counted once, see [`ValueView::benefit`]) capped by the
//!   available amount = free property (net attributable property + positive balances of the
//!   scope's accounts) + tainted gifts (taint paid from the scope's accounts to persons outside the
//!   scope) \[D\].
//! * **Disproportion** per calendar year (net-worth method, IRS IRM 9.5.9.5, methodology.md#confiscable-value): growth
//!   of net worth (acquisitions at cost + change of the scope's bank balances) plus spending
//!   (debits to outside the scope that are not title payments) against the scope's declared lawful
//!   income of that year. The defence's figures come with it: the lawful income per year, and the
//!   low end of the band credits every year's income against every other year (savings).
//!
//! Bands: low = the smallest figure across the rules traced, high = the largest.
//!
//! **Sources** (hop 0): every credit to the suspect's own accounts from the suspicion date of
//! suspects.csv (or ever) to the valuation date. Each suspect is traced alone (one label), so one
//! suspect's figures never depend on another's selection.
//!
//! **No double counting**: companies are looked through ([`super::attribution::Valuation`]): a
//! company's properties are attributed by effective share and its shares are not valued. Company
//! bank balances are not counted (only persons' accounts of the scope).

use super::valuation::{scope_assets_at, AssetRow, OwnershipModel};
use super::{add_to, mul, sub, sum, AmountOverflow};
use crate::model::{round_cents, Case, Date, EntityKind, EntityRef, Prov};
use crate::trace::case::{case_events, CaseTraceError, Destination, Destinations};
use crate::trace::{trace_rules, Label, Rule, Sources, TraceConfig, TraceResult};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameters of [`confiscable`]. `Default`: FIFO, LIBR and pro-rata; the case's valuation date;
/// the engine's default [`TraceConfig`].
#[derive(Clone, Debug, PartialEq)]
pub struct ConfiscableParams {
    /// Conserving rules to trace side by side (poison is screening only and is skipped).
    pub rules: Vec<Rule>,
    /// Valuation date; transfers booked after its end are ignored. `None` = the case's.
    pub as_of: Option<Date>,
    /// Engine settings.
    pub trace: TraceConfig,
}

impl Default for ConfiscableParams {
    fn default() -> Self {
        ConfiscableParams {
            rules: vec![Rule::Fifo, Rule::Libr, Rule::ProRata],
            as_of: None,
            trace: TraceConfig::default(),
        }
    }
}

/// One asset of the scope with its value and the proceeds traced into it.
#[derive(Clone, Debug, PartialEq)]
pub struct AssetFigures {
    /// Property id or account id.
    pub asset_id: String,
    /// The property's kind (apartment, land, ...) or `bank_account`.
    pub asset_kind: String,
    /// Registered holders counted (scope members, or the company looked through).
    pub holders: Vec<EntityRef>,
    /// Attributable fraction.
    pub share: Decimal,
    /// Gross value in the base currency on the valuation date.
    pub gross: Option<Decimal>,
    /// Encumbrances in force.
    pub encumbrances: Decimal,
    /// `share x max(0, gross - encumbrances)`, to the cent.
    pub net_attributable: Option<Decimal>,
    /// How the value was obtained.
    pub basis: String,
    /// Proceeds traced into the asset per rule (same order as the rules traced).
    pub traced: Vec<(Rule, Decimal)>,
    /// Transfers whose taint `traced` measures (title payments, or tainted credits of the
    /// account), indices into `Case::transfers`; `evidence` adds their chains back to the sources.
    pub transfers: Vec<u32>,
    /// Every source row: property, titles, encumbrances, ownership chain rows, relation rows,
    /// account row, transfers. Sorted, distinct.
    pub evidence: Vec<Prov>,
}

impl AssetFigures {
    /// The object-based figure under `rule`: traced proceeds capped by the net attributable value.
    pub fn object(&self, rule: Rule) -> Decimal {
        let t = self.traced.iter().find(|x| x.0 == rule).map_or(Decimal::ZERO, |x| x.1);
        t.min(self.net_attributable.unwrap_or_default())
    }
}

/// The value-based view under one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueView {
    /// The rule.
    pub rule: Rule,
    /// The benefit: taint introduced under the rule. A source credit that brings back taint
    /// already traced (a round trip through mules or companies) adds only its untainted part, so
    /// money going round is not counted twice; hence the figure can differ between rules.
    pub benefit: Decimal,
    /// Net attributable property plus positive balances of the scope's accounts.
    pub free_property: Decimal,
    /// Taint paid from the scope's accounts to persons outside the scope.
    pub tainted_gifts: Decimal,
    /// `free_property + tainted_gifts`.
    pub available: Decimal,
    /// `min(benefit, available)`.
    pub confiscable: Decimal,
    /// The gift transfers (indices into `Case::transfers`).
    pub gifts: Vec<u32>,
}

/// One calendar year of the disproportion test.
#[derive(Clone, Debug, PartialEq)]
pub struct YearFigures {
    /// Calendar year.
    pub year: i32,
    /// Acquisitions at cost (title prices at the acquisition date's rate, times the scope's share).
    pub acquisitions: Decimal,
    /// Change of the scope accounts' balances (credits from outside minus debits to outside).
    pub balance_change: Decimal,
    /// Debits to outside the scope that are not title payments.
    pub spending: Decimal,
    /// Declared lawful income of the scope's persons (converted at the year's end).
    pub lawful_income: Decimal,
    /// `acquisitions + balance_change + spending - lawful_income`.
    pub unexplained: Decimal,
    /// Titles and income rows.
    pub evidence: Vec<Prov>,
}

/// Everything reported for one suspect.
#[derive(Clone, Debug, PartialEq)]
pub struct SuspectFigures {
    /// The suspect.
    pub suspect: EntityRef,
    /// Persons of the scope (suspect first, then the family scope).
    pub scope: Vec<u32>,
    /// Rules traced, in order.
    pub rules: Vec<Rule>,
    /// Properties and accounts, properties first (by property), then accounts.
    pub assets: Vec<AssetFigures>,
    /// Object-based totals per rule.
    pub object: Vec<(Rule, Decimal)>,
    /// Value-based view per rule.
    pub value: Vec<ValueView>,
    /// Disproportion per year, ascending.
    pub years: Vec<YearFigures>,
    /// Problems met (missing rates, register errors), for the report.
    pub notes: Vec<String>,
}

impl SuspectFigures {
    /// (low, high) of the object-based totals across rules.
    pub fn object_band(&self) -> (Decimal, Decimal) {
        band(self.object.iter().map(|x| x.1))
    }

    /// (low, high) of the value-based figures across rules.
    pub fn value_band(&self) -> (Decimal, Decimal) {
        band(self.value.iter().map(|v| v.confiscable))
    }

    /// Disproportion (low, high): low = `max(0, Σ unexplained)` (every year's lawful income credited
    /// as savings, the defence's view), high = `Σ max(0, unexplained)` (the strict per-year test).
    ///
    /// Both sums are checked when [`confiscable`] builds the figures, so this cannot overflow
    /// on figures it returned; on figures built by hand see [`Self::checked_disproportion_band`].
    pub fn disproportion_band(&self) -> (Decimal, Decimal) {
        self.checked_disproportion_band().unwrap_or((Decimal::MAX, Decimal::MAX))
    }

    /// Σ lawful income over the years (checked when [`confiscable`] built the figures).
    pub fn lawful_income(&self) -> Decimal {
        crate::model::money::checked_sum(self.years.iter().map(|y| y.lawful_income)).unwrap_or(Decimal::MAX)
    }

    /// [`Self::disproportion_band`], or [`AmountOverflow`] when a sum over the years overflows.
    pub fn checked_disproportion_band(&self) -> Result<(Decimal, Decimal), AmountOverflow> {
        let total = sum("summing the unexplained wealth over the years", self.years.iter().map(|y| y.unexplained))?;
        let strict = sum(
            "summing the positive unexplained wealth over the years",
            self.years.iter().map(|y| y.unexplained.max(Decimal::ZERO)),
        )?;
        Ok((total.max(Decimal::ZERO), strict))
    }
}

/// Why [`confiscable`] could not compute the figures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfiscableError {
    /// Selecting the sources or tracing failed.
    #[error(transparent)]
    Trace(#[from] CaseTraceError),
    /// A sum or product of the figures left the exact range.
    #[error(transparent)]
    Overflow(#[from] AmountOverflow),
}

impl From<crate::trace::TraceError> for ConfiscableError {
    fn from(e: crate::trace::TraceError) -> Self {
        ConfiscableError::Trace(e.into())
    }
}

fn band(v: impl Iterator<Item = Decimal> + Clone) -> (Decimal, Decimal) {
    (v.clone().min().unwrap_or_default(), v.max().unwrap_or_default())
}

/// Computes the three views for each suspect (in the order given).
///
/// # Errors
/// The tracing engine's validation errors, and [`AmountOverflow`] when a sum or product of the
/// figures leaves the exact range (never a panic).
///
/// # Complexity
/// Per suspect: one trace per rule over the case's transfers (rules in parallel), plus
/// O(transfers) for balances and years.
pub fn confiscable(
    case: &Case,
    suspects: &[EntityRef],
    params: &ConfiscableParams,
) -> Result<Vec<SuspectFigures>, ConfiscableError> {
    let vd = params.as_of.unwrap_or(case.meta.valuation_date);
    let end = vd.start().0 + 86_399;
    let model = OwnershipModel::build_at(case, vd);
    let mut events = case_events(case);
    events.retain(|e| e.at <= end);
    let dest = Destinations::new(case);
    let rules: Vec<Rule> = {
        let mut r: Vec<Rule> = params.rules.iter().copied().filter(|r| r.is_conserving()).collect();
        r.dedup();
        r
    };
    let ctx = Ctx { case, model: &model, events: &events, dest: &dest, rules: &rules, vd, end };
    suspects.iter().map(|&s| ctx.suspect(s, params)).collect()
}

/// What every suspect's figures read: the case on the valuation date.
struct Ctx<'a> {
    case: &'a Case,
    model: &'a OwnershipModel,
    /// The case's transfers up to the end of the valuation date.
    events: &'a [crate::trace::Event],
    dest: &'a Destinations,
    /// The conserving rules traced.
    rules: &'a [Rule],
    vd: Date,
    /// Last second of the valuation date.
    end: i64,
}

/// One suspect's scope and its proceeds traced under every rule.
struct Traced {
    suspect: EntityRef,
    /// The suspect (when a person) then the other persons of the scope.
    persons: Vec<u32>,
    /// Accounts held by the scope.
    accounts: BTreeSet<u32>,
    results: Vec<TraceResult>,
    /// Per rule: transfer -> tainted amount of label 1.
    tainted: Vec<(Rule, HashMap<u32, Decimal>)>,
    /// The lineage index of [`lineage_index`].
    back: HashMap<u32, Vec<u32>>,
}

impl Traced {
    /// Whether `e` is the suspect or a person of the scope.
    fn in_scope(&self, e: Option<EntityRef>) -> bool {
        e.is_some_and(|e| (e.kind == EntityKind::Person && self.persons.contains(&e.idx)) || e == self.suspect)
    }
}

impl Ctx<'_> {
    /// The three views for suspect `s`.
    fn suspect(&self, s: EntityRef, params: &ConfiscableParams) -> Result<SuspectFigures, ConfiscableError> {
        let (case, model) = (self.case, self.model);
        let scope = if s.kind == EntityKind::Person { model.scope(s.idx) } else { Vec::new() };
        let mut persons: Vec<u32> = Vec::new();
        if s.kind == EntityKind::Person {
            persons.push(s.idx);
        }
        persons.extend(scope.iter().map(|m| m.person).filter(|&p| s.kind != EntityKind::Person || p != s.idx));
        let mut t = Traced {
            suspect: s,
            persons,
            accounts: BTreeSet::new(),
            results: Vec::new(),
            tainted: Vec::new(),
            back: HashMap::new(),
        };
        t.accounts =
            (0..case.accounts.len() as u32).filter(|&a| t.in_scope(case.accounts.rows[a as usize].holder)).collect();
        let since = case.suspects.rows.iter().filter(|r| r.entity == s).filter_map(|r| r.since).min();
        let mut sources = Sources::new();
        for a in (0..case.accounts.len() as u32).filter(|&a| case.accounts.rows[a as usize].holder == Some(s)) {
            sources.add_inflows(a, since.map_or(i64::MIN, |d| d.start().0), i64::MAX, Label(1));
        }
        if !(sources.is_empty() || self.rules.is_empty()) {
            t.results = trace_rules(self.events, &sources, self.rules, &params.trace)?;
        }
        for r in &t.results {
            let mut m: HashMap<u32, Decimal> = HashMap::new();
            for row in r.rows.iter().filter(|x| x.label == Label(1)) {
                add_to(m.entry(row.seq).or_default(), row.tainted, "summing the proceeds traced into a transfer")?;
            }
            t.tainted.push((r.rule, m));
        }
        let mut notes = model.problem.iter().cloned().collect::<Vec<_>>();
        notes.extend(crate::trace::case::unknown_base_note(case));
        t.back = lineage_index(&t.results);

        let mut assets: Vec<AssetFigures> = scope_assets_at(case, model, s, &scope, self.vd)
            .iter()
            .map(|a| self.property(&t, a, &mut notes))
            .collect::<Result<_, _>>()?;
        self.accounts(&t, &mut assets)?;
        let who = case.entity_id(s);
        let object = self
            .rules
            .iter()
            .map(|&r| {
                Ok((
                    r,
                    sum(
                        &format!("summing the object-based value of {who}'s assets"),
                        assets.iter().map(|a| a.object(r)),
                    )?,
                ))
            })
            .collect::<Result<_, AmountOverflow>>()?;
        let value = self.value_views(&t, &assets)?;
        let years = disproportion(case, model, &t.persons, &t.accounts, self.events, self.dest, self.vd, &mut notes)?;
        notes.sort();
        notes.dedup();
        let figures = SuspectFigures {
            suspect: s,
            scope: t.persons.clone(),
            rules: self.rules.to_vec(),
            assets,
            object,
            value,
            years,
            notes,
        };
        // The band's sums, checked here so that the plain getter cannot overflow later.
        figures.checked_disproportion_band()?;
        sum("summing the lawful income over the years", figures.years.iter().map(|y| y.lawful_income))?;
        Ok(figures)
    }

    /// A property of the scope: proceeds traced into its payments, with its evidence.
    fn property(&self, t: &Traced, a: &AssetRow, notes: &mut Vec<String>) -> Result<AssetFigures, AmountOverflow> {
        let case = self.case;
        if let Some(o) = &a.overflow {
            return Err(o.clone());
        }
        let prop = &case.properties.rows[a.property as usize];
        let mut payments: Vec<u32> = a.payments.clone();
        payments.sort_unstable();
        payments.dedup();
        payments.retain(|&p| case.transfers.booked_at.get(p as usize).is_some_and(|x| x.0 <= self.end));
        let what = format!("summing the proceeds traced into the payments of property {}", prop.id);
        let traced = t
            .tainted
            .iter()
            .map(|(r, m)| Ok((*r, sum(&what, payments.iter().filter_map(|p| m.get(p)).copied())?)))
            .collect::<Result<_, AmountOverflow>>()?;
        let mut ev = a.provs.clone();
        ev.extend(a.ownership_rows.iter().filter_map(|&r| case.ownership.rows.get(r as usize)).map(|o| o.prov));
        ev.extend(a.relation_rows.iter().filter_map(|&r| case.relations.rows.get(r as usize)).map(|o| o.prov));
        let chain = chain_of(&t.back, &payments, MAX_CITED);
        ev.extend(chain.iter().map(|&p| case.transfers.prov(p as usize)));
        ev.sort_unstable();
        ev.dedup();
        if !a.note.is_empty() && a.gross.is_none() {
            notes.push(format!("property {}: {}", prop.id, a.note));
        }
        let mut basis = a.basis.as_str().to_string();
        if a.controlled_only {
            basis.push_str("; controlled by the scope, not owned: gross exposure only");
        }
        if !a.note.is_empty() {
            basis = format!("{basis}; {}", a.note);
        }
        Ok(AssetFigures {
            asset_id: prop.id.clone(),
            asset_kind: prop.kind.clone().unwrap_or_else(|| "property".into()),
            holders: a.holder_ids.clone(),
            share: a.share,
            gross: a.gross,
            encumbrances: a.encumbrances,
            net_attributable: a.attributable,
            basis,
            traced,
            transfers: payments,
            evidence: ev,
        })
    }

    /// Bank accounts of the scope: ledger balance on the valuation date, taint left in them.
    fn accounts(&self, t: &Traced, assets: &mut Vec<AssetFigures>) -> Result<(), AmountOverflow> {
        let case = self.case;
        // (running, lowest) per account; the unknown opening balance is the smallest clean one
        // that keeps the account from going negative, as the tracing engine assumes.
        let mut balance: BTreeMap<u32, (Decimal, Decimal)> = BTreeMap::new();
        let what = |a: u32| format!("summing the ledger balance of account {}", case.accounts.rows[a as usize].id);
        for e in self.events {
            if let Some(f) = e.from.filter(|f| t.accounts.contains(f)) {
                let b = balance.entry(f).or_default();
                b.0 = sub(b.0, e.amount, &what(f))?;
                b.1 = b.1.min(b.0);
            }
            if let Some(to) = e.to.filter(|to| t.accounts.contains(to)) {
                add_to(&mut balance.entry(to).or_default().0, e.amount, &what(to))?;
            }
        }
        for &acct in &t.accounts {
            let bal = match balance.get(&acct) {
                Some(b) => sub(b.0, b.1, &what(acct))?,
                None => Decimal::ZERO,
            };
            let traced: Vec<(Rule, Decimal)> =
                t.results.iter().map(|r| (r.rule, r.remaining(acct, Label(1)))).collect();
            if bal.is_zero() && traced.iter().all(|x| x.1.is_zero()) {
                continue;
            }
            let row = &case.accounts.rows[acct as usize];
            // Cite the tainted credits into the account and their chains back to the sources.
            let mut credits: BTreeSet<u32> = BTreeSet::new();
            for r in &t.results {
                credits.extend(r.rows.iter().filter(|x| x.to == Some(acct) && x.label == Label(1)).map(|x| x.seq));
            }
            let transfers: Vec<u32> = credits.into_iter().collect();
            let mut ev = vec![row.prov];
            ev.extend(chain_of(&t.back, &transfers, MAX_CITED).iter().map(|&p| case.transfers.prov(p as usize)));
            ev.sort_unstable();
            ev.dedup();
            assets.push(AssetFigures {
                asset_id: row.id.clone(),
                asset_kind: "bank_account".into(),
                holders: row.holder.into_iter().collect(),
                share: Decimal::ONE,
                gross: Some(bal),
                encumbrances: Decimal::ZERO,
                net_attributable: Some(bal),
                basis: "ledger balance of the booked transfers; unknown opening balance = the smallest that keeps it from going negative".into(),
                traced,
                transfers,
                evidence: ev,
            });
        }
        Ok(())
    }

    /// The value-based view per rule: benefit capped by free property plus tainted gifts.
    fn value_views(&self, t: &Traced, assets: &[AssetFigures]) -> Result<Vec<ValueView>, AmountOverflow> {
        let free = sum("summing the free property of the scope", assets.iter().filter_map(|a| a.net_attributable))?;
        let mut value = Vec::new();
        for r in &t.results {
            let benefit = r.summary(Label(1)).map_or(Decimal::ZERO, |x| x.introduced);
            let mut gifts = Vec::new();
            let mut gifted = Decimal::ZERO;
            for row in r.rows.iter().filter(|x| x.label == Label(1)) {
                let from_scope = row.from.is_some_and(|f| t.accounts.contains(&f));
                let to_scope = row.to.is_some_and(|to| t.accounts.contains(&to));
                if from_scope && !to_scope {
                    if let Destination::Person(h) = self.dest.of(self.case, row.seq) {
                        if !t.in_scope(Some(h)) {
                            add_to(&mut gifted, row.tainted, "summing the tainted gifts of the scope")?;
                            gifts.push(row.seq);
                        }
                    }
                }
            }
            gifts.dedup();
            let available = free
                .checked_add(gifted)
                .ok_or_else(|| AmountOverflow::new("adding the tainted gifts to the free property of the scope"))?;
            value.push(ValueView {
                rule: r.rule,
                benefit,
                free_property: free,
                tainted_gifts: gifted,
                available,
                confiscable: benefit.min(available),
                gifts,
            });
        }
        Ok(value)
    }
}

/// Most transfers cited for one figure (the `trace` CSV lists every hop).
const MAX_CITED: usize = 200;

/// debit seq -> the credits whose tainted lots it drew, over every rule traced (label 1).
fn lineage_index(results: &[TraceResult]) -> HashMap<u32, Vec<u32>> {
    let mut back: HashMap<u32, Vec<u32>> = HashMap::new();
    for r in results {
        for e in r.lineage.iter().filter(|e| e.label == Label(1)) {
            if let Some(c) = e.credit_seq {
                back.entry(e.debit_seq).or_default().push(c);
            }
        }
    }
    for v in back.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    back
}

/// The transfers behind the taint of `seqs`: themselves and, walking lineage back hop by hop
/// (each debit to the earlier credits whose lots it drew), every transfer up to the sources, at
/// most `cap`, sorted. Breadth-first, so the nearest hops are cited first when capped.
fn chain_of(back: &HashMap<u32, Vec<u32>>, seqs: &[u32], cap: usize) -> Vec<u32> {
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let mut queue: std::collections::VecDeque<u32> = seqs.iter().copied().collect();
    while let Some(s) = queue.pop_front() {
        if seen.len() >= cap {
            break;
        }
        if seen.insert(s) {
            queue.extend(back.get(&s).into_iter().flatten().copied());
        }
    }
    seen.into_iter().collect()
}

/// The per-year net-worth figures of the scope (see the module docs).
#[allow(clippy::too_many_arguments)]
fn disproportion(
    case: &Case,
    model: &OwnershipModel,
    persons: &[u32],
    scope_accounts: &BTreeSet<u32>,
    events: &[crate::trace::Event],
    dest: &Destinations,
    vd: Date,
    notes: &mut Vec<String>,
) -> Result<Vec<YearFigures>, AmountOverflow> {
    let mut years: BTreeMap<i32, YearFigures> = BTreeMap::new();
    let last = vd.year();
    fn entry(years: &mut BTreeMap<i32, YearFigures>, y: i32, last: i32) -> Option<&mut YearFigures> {
        (y <= last).then(|| {
            years.entry(y).or_insert_with(|| YearFigures {
                year: y,
                acquisitions: Decimal::ZERO,
                balance_change: Decimal::ZERO,
                spending: Decimal::ZERO,
                lawful_income: Decimal::ZERO,
                unexplained: Decimal::ZERO,
                evidence: Vec::new(),
            })
        })
    }
    let is_person = |e: EntityRef| e.kind == EntityKind::Person && persons.contains(&e.idx);
    let mut scope_payments: BTreeSet<u32> = BTreeSet::new();
    for t in &case.titles.rows {
        let factor = if is_person(t.owner) {
            Decimal::ONE
        } else if t.owner.kind == EntityKind::Company {
            match model.solved() {
                Some((_, own)) => {
                    let c = model.dense_id(t.owner);
                    sum("summing the scope's shares of a company", persons.iter().map(|&p| own.share(p, c)))?
                }
                None => Decimal::ZERO,
            }
        } else {
            Decimal::ZERO
        };
        let (Some(d), Some(price)) = (t.acquired_on, t.price) else { continue };
        if factor.is_zero() {
            continue;
        }
        scope_payments.extend(t.payment_txns.iter().copied());
        let what = || {
            format!(
                "converting and summing the acquisition price of property {}",
                case.properties.rows[t.property as usize].id
            )
        };
        match case.fx.lookup(price.currency, d) {
            Ok(idx) => {
                let c = case.fx.checked_apply(price.amount, idx).map_err(|_| AmountOverflow::new(what()))?;
                if let Some(y) = entry(&mut years, d.year(), last) {
                    add_to(&mut y.acquisitions, round_cents(mul(c.base_amount, factor, &what())?), &what())?;
                    y.evidence.push(t.prov);
                }
            }
            Err(e) => notes.push(format!("title price not converted: {e}")),
        }
    }
    for e in events {
        let from = e.from.is_some_and(|f| scope_accounts.contains(&f));
        let to = e.to.is_some_and(|t| scope_accounts.contains(&t));
        if from == to {
            continue;
        }
        let Some(d) = i32::try_from(e.at.div_euclid(86_400)).ok().map(Date) else { continue };
        let Some(y) = entry(&mut years, d.year(), last) else { continue };
        let what = || format!("summing the scope's balance change and spending of {}", y.year);
        if to {
            add_to(&mut y.balance_change, e.amount, &what())?;
        } else {
            y.balance_change = sub(y.balance_change, e.amount, &what())?;
            let purchase = scope_payments.contains(&e.seq) || matches!(dest.of(case, e.seq), Destination::Property(_));
            if !purchase {
                add_to(&mut y.spending, e.amount, &what())?;
            }
        }
    }
    for inc in &case.income.rows {
        if !is_person(inc.entity) {
            continue;
        }
        let Some(ye) = Date::from_ymd(inc.year, 12, 31) else { continue };
        let what = || format!("converting and summing the lawful income of {}", inc.year);
        match case.fx.lookup(inc.amount.currency, ye) {
            Ok(idx) => {
                let c = case.fx.checked_apply(inc.amount.amount, idx).map_err(|_| AmountOverflow::new(what()))?;
                if let Some(y) = entry(&mut years, inc.year, last) {
                    add_to(&mut y.lawful_income, c.base_amount, &what())?;
                    y.evidence.push(inc.prov);
                }
            }
            Err(e) => notes.push(format!("income not converted: {e}")),
        }
    }
    years
        .into_values()
        .map(|mut y| {
            let what = format!("computing the unexplained wealth of {}", y.year);
            y.unexplained = sub(sum(&what, [y.acquisitions, y.balance_change, y.spending])?, y.lawful_income, &what)?;
            y.evidence.sort_unstable();
            y.evidence.dedup();
            Ok(y)
        })
        .collect()
}
