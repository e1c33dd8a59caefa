//! Valuation of what a suspect's scope holds (docs/methodology.md#confiscable-value): land-register
//! titles of the suspect, of the family scope (ownership::family, Law 10192) and of companies they
//! own (look-through, ownership::attribution, no double counting) or control (ownership::control).
//!
//! Value per property = market value, else cadastral (reference) value, else the acquisition
//! price of the titles in force, converted into the base
//! currency at the valuation date (Bank of Albania rate of that date, methodology.md#albania-thresholds), minus encumbrances
//! registered and not released by then, never below zero; attributable = share x net. Every
//! figure here is an **estimate** for seizure planning, not an expert valuation.
//!
//! This is the case-facing part of `assets` (it reads a loaded `Case`, L0); the ownership,
//! control, family and attribution algorithms it calls stay free of `Case`.

use crate::model::{Case, Date, EntityRef, Money, Prov};
use crate::ownership::attribution::{attribute, AssetHolding, Valuation};
use crate::ownership::case::CaseRegister;
use crate::ownership::control::{control, ControlParams};
use crate::ownership::effective::{effective_ownership, ShareGraph};
use crate::ownership::family::ScopeMember;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// The case's persons and companies in one dense id space for the ownership engine
/// ([`CaseRegister`]), solved at one date.
pub struct OwnershipModel {
    register: CaseRegister,
    graph: Option<ShareGraph>,
    own: Option<crate::ownership::effective::Ownership>,
    ctl: Option<crate::ownership::control::Control>,
    /// Why look-through or control is unavailable (a register problem), if it is.
    pub problem: Option<String>,
}

impl OwnershipModel {
    /// Builds the share graph at the case's valuation date (oversubscribed companies scaled,
    /// flagged).
    pub fn build(case: &Case) -> OwnershipModel {
        Self::build_at(case, case.meta.valuation_date)
    }

    /// Builds the share graph with the register rows in force on `as_of`.
    pub fn build_at(case: &Case, as_of: Date) -> OwnershipModel {
        let register = CaseRegister::of(case);
        let built = register.share_graph_at(as_of).and_then(|g| effective_ownership(&g).map(|o| (g, o)));
        match built {
            Ok((g, o)) => {
                let ctl = control(&g, &ControlParams::default());
                OwnershipModel { register, graph: Some(g), own: Some(o), ctl: Some(ctl), problem: None }
            }
            Err(e) => OwnershipModel {
                register,
                graph: None,
                own: None,
                ctl: None,
                problem: Some(format!("company look-through unavailable: {e}")),
            },
        }
    }

    /// The family scope of a person (Law 10192 defaults: spouse, child, parent, sibling, cohabitant).
    pub fn scope(&self, person: u32) -> Vec<ScopeMember> {
        self.register.family(person)
    }

    /// The ownership engine's dense id of an entity (persons first, then companies).
    pub fn dense_id(&self, e: EntityRef) -> u32 {
        self.register.dense(e)
    }

    /// The share graph and the effective ownership, when the register could be solved.
    pub fn solved(&self) -> Option<(&ShareGraph, &crate::ownership::effective::Ownership)> {
        self.graph.as_ref().zip(self.own.as_ref())
    }

    /// Control (majority chains, directorships), when the register could be solved.
    pub fn control(&self) -> Option<&crate::ownership::control::Control> {
        self.ctl.as_ref()
    }

    /// The entity behind a dense id.
    pub fn entity(&self, id: u32) -> EntityRef {
        self.register.entity(id)
    }
}

/// How a value was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueBasis {
    /// The market value in the land register extract.
    Market,
    /// The cadastral (reference) value: a lower-bound estimate.
    Cadastral,
    /// No market or cadastral value: the acquisition price of the titles in force.
    AcquisitionPrice,
    /// No value recorded.
    None,
}

impl ValueBasis {
    /// Text for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueBasis::Market => "market value (estimate)",
            ValueBasis::Cadastral => "cadastral value (reference, estimate)",
            ValueBasis::AcquisitionPrice => "acquisition price (no recorded value)",
            ValueBasis::None => "no value recorded",
        }
    }
}

/// One property in a suspect's scope.
#[derive(Clone, Debug)]
pub struct AssetRow {
    /// Index into `Case::properties`.
    pub property: u32,
    /// Who holds it and how (e.g. "P000063 Arben Hoxha (suspect)", "via C00024 (60%)").
    pub holders: Vec<String>,
    /// Attributable fraction (look-through shares).
    pub share: Decimal,
    /// Value basis.
    pub basis: ValueBasis,
    /// Gross value in the base currency at the valuation date.
    pub gross: Option<Decimal>,
    /// Encumbrances in force, base currency.
    pub encumbrances: Decimal,
    /// max(0, gross - encumbrances).
    pub net: Option<Decimal>,
    /// share x net.
    pub attributable: Option<Decimal>,
    /// A conversion, sum or product of this row's figures that left the exact range: the
    /// figures it would have given are `None` (and its message is in `note`); the confiscable
    /// and compensation figures stop with this error.
    pub overflow: Option<super::AmountOverflow>,
    /// Rate and conversion notes, missing-rate warnings.
    pub note: String,
    /// Source rows: property, titles, encumbrances.
    pub provs: Vec<Prov>,
    /// Held by a company the scope controls without owning it (gross exposure only).
    pub controlled_only: bool,
    /// Title payments (indices into `Case::transfers`) recorded for the scope's titles.
    pub payments: Vec<u32>,
    /// Register rows (indices into `Case::ownership`) of the chains through which a company's
    /// holding is attributed (look-through), sorted.
    pub ownership_rows: Vec<u32>,
    /// Relation rows (indices into `Case::relations`) that put a holder in the family scope.
    pub relation_rows: Vec<u32>,
    /// The registered holders counted: scope members holding directly, or the company holding
    /// it (look-through). Sorted, distinct.
    pub holder_ids: Vec<EntityRef>,
}

/// Values the properties held by `suspect`'s scope at the case's valuation date. Sorted by
/// property.
pub fn scope_assets(case: &Case, m: &OwnershipModel, suspect: EntityRef, scope: &[ScopeMember]) -> Vec<AssetRow> {
    scope_assets_at(case, m, suspect, scope, case.meta.valuation_date)
}

/// Values the properties held by `suspect`'s scope on `vd` (titles in force, encumbrances live,
/// rates of that date). `m` should be built for the same date ([`OwnershipModel::build_at`]).
///
/// # Complexity
/// O(T * S) for T titles and S persons in scope, plus the chains explained per company holding.
pub fn scope_assets_at(
    case: &Case,
    m: &OwnershipModel,
    suspect: EntityRef,
    scope: &[ScopeMember],
    vd: Date,
) -> Vec<AssetRow> {
    let sid = m.dense_id(suspect);
    let in_force =
        |t: &crate::model::Title| t.acquired_on.is_none_or(|d| d <= vd) && t.disposed_on.is_none_or(|d| d > vd);
    let holdings: Vec<AssetHolding> = case
        .titles
        .rows
        .iter()
        .enumerate()
        .filter(|(_, t)| in_force(t))
        .map(|(row, t)| AssetHolding {
            asset: t.property,
            holder: m.dense_id(t.owner),
            share: t.share,
            row: row as u32,
        })
        .collect();
    let mut rows: Vec<AssetRow> = Vec::new();
    let label = |e: EntityRef| format!("{} {}", case.entity_id(e), case.entity_name(e));
    // Look-through needs the solved register and titles whose shares are fractions; else the
    // direct titles, each row saying why.
    let mut no_look_through: Option<String> = None;
    let attributed = match (&m.graph, &m.own) {
        (Some(g), Some(own)) => match attribute(sid, scope, g, own, &holdings, Valuation::LookThrough) {
            Ok(a) => Some((g, own, a)),
            Err(e) => {
                no_look_through = Some(format!("company look-through unavailable: title {e}"));
                None
            }
        },
        _ => None,
    };
    match attributed {
        Some((g, own, attributed)) => {
            for a in attributed {
                let crate::ownership::attribution::Item::Asset(p) = a.item else { continue };
                let mut holders = Vec::new();
                let mut provs = Vec::new();
                let mut payments = Vec::new();
                let mut ownership_rows = Vec::new();
                let mut relation_rows = Vec::new();
                let mut holder_ids = Vec::new();
                for c in &a.contributions {
                    holder_ids.push(m.entity(c.via_company.unwrap_or(c.person)));
                    relation_rows.extend(c.relation.iter().map(|s| s.row));
                    if let Some(co) = c.via_company {
                        let ex = crate::ownership::explain::explain(g, own, c.person, co, 16);
                        ownership_rows.extend(ex.chains.iter().flat_map(|ch| ch.links.iter().map(|l| l.row)));
                    }
                    let who = label(m.entity(c.person));
                    let rel = c
                        .relation
                        .last()
                        .map(|s| format!("{:?}", s.kind).to_lowercase())
                        .unwrap_or_else(|| "suspect".into());
                    holders.push(match c.via_company {
                        Some(co) => {
                            format!("{who} ({rel}) via {} ({}%)", label(m.entity(co)), pct(c.effective_in_company))
                        }
                        None => format!("{who} ({rel}), {}%", pct(c.share)),
                    });
                    if let Some(t) = case.titles.rows.get(c.row as usize) {
                        provs.push(t.prov);
                        payments.extend(t.payment_txns.iter().copied());
                    }
                }
                let mut row = value_row(case, vd, p, holders, a.share, provs, payments, false);
                ownership_rows.sort_unstable();
                ownership_rows.dedup();
                relation_rows.sort_unstable();
                relation_rows.dedup();
                row.ownership_rows = ownership_rows;
                row.relation_rows = relation_rows;
                holder_ids.sort_unstable();
                holder_ids.dedup();
                row.holder_ids = holder_ids;
                rows.push(row);
            }
            // Companies controlled (majority through controlled entities, directorship) but not owned.
            if let Some(ctl) = &m.ctl {
                let mut members: BTreeSet<u32> = scope.iter().map(|s| s.person).collect();
                members.insert(sid);
                let seen: BTreeSet<u32> = rows.iter().map(|r| r.property).collect();
                for h in &holdings {
                    let controlled = members.iter().any(|&p| ctl.controls(p, h.holder));
                    if g.is_company(h.holder) && controlled && !seen.contains(&h.asset) {
                        let holder = format!("{} (controlled by the scope, not owned)", label(m.entity(h.holder)));
                        let t = case.titles.rows.get(h.row as usize);
                        let provs = t.map(|t| vec![t.prov]).unwrap_or_default();
                        let payments = t.map(|t| t.payment_txns.clone()).unwrap_or_default();
                        let mut row = value_row(case, vd, h.asset, vec![holder], Decimal::ZERO, provs, payments, true);
                        row.holder_ids = vec![m.entity(h.holder)];
                        rows.push(row);
                    }
                }
            }
        }
        None => {
            // Direct titles only.
            let mut members: BTreeSet<u32> = scope.iter().map(|s| s.person).collect();
            members.insert(sid);
            for h in holdings.iter().filter(|h| members.contains(&h.holder)) {
                let t = case.titles.rows.get(h.row as usize);
                let provs = t.map(|t| vec![t.prov]).unwrap_or_default();
                let payments = t.map(|t| t.payment_txns.clone()).unwrap_or_default();
                let holder = vec![label(m.entity(h.holder))];
                let mut row = value_row(case, vd, h.asset, holder, h.share, provs, payments, false);
                row.holder_ids = vec![m.entity(h.holder)];
                if let Some(why) = &no_look_through {
                    row.note = if row.note.is_empty() { why.clone() } else { format!("{}; {why}", row.note) };
                }
                rows.push(row);
            }
        }
    }
    rows.sort_by_key(|r| (r.property, r.controlled_only));
    rows
}

fn pct(d: Decimal) -> String {
    (d * Decimal::from(100)).round_dp(2).normalize().to_string()
}

#[allow(clippy::too_many_arguments)]
fn value_row(
    case: &Case,
    vd: Date,
    p: u32,
    holders: Vec<String>,
    share: Decimal,
    mut provs: Vec<Prov>,
    payments: Vec<u32>,
    controlled_only: bool,
) -> AssetRow {
    let prop = &case.properties.rows[p as usize];
    provs.push(prop.prov);
    let mut notes = Vec::new();
    let mut overflow: Option<super::AmountOverflow> = None;
    let what_of = |what: &str| format!("converting the {what} of property {}", prop.id);
    let mut convert =
        |m: Money, what: &str, overflow: &mut Option<super::AmountOverflow>| match case.fx.lookup(m.currency, vd) {
            Ok(idx) => match case.fx.checked_apply(m.amount, idx) {
                Ok(c) => {
                    if let Some(d) = c.rate_date {
                        notes.push(format!("{what} {m} at {} ({d})", c.rate));
                    }
                    Some(c.base_amount)
                }
                Err(_) => {
                    overflow.get_or_insert_with(|| super::AmountOverflow::new(what_of(what)));
                    None
                }
            },
            Err(e) => {
                notes.push(format!("{what}: {e}"));
                None
            }
        };
    // Acquisition price: the prices of the titles in force on `vd`, each for its share.
    let in_force =
        |t: &&crate::model::Title| t.acquired_on.is_none_or(|d| d <= vd) && t.disposed_on.is_none_or(|d| d > vd);
    let priced: Vec<Money> =
        case.titles.rows.iter().filter(|t| t.property == p).filter(in_force).filter_map(|t| t.price).collect();
    let (basis, gross) = match (prop.market_value, prop.cadastral_value, priced.is_empty()) {
        (Some(v), _, _) => (ValueBasis::Market, convert(v, "value", &mut overflow)),
        (None, Some(v), _) => (ValueBasis::Cadastral, convert(v, "value", &mut overflow)),
        (None, None, false) => {
            // Each title's price converted on its own (titles may be priced in different
            // currencies), then summed, checked.
            let mut total = Some(Decimal::ZERO);
            for m in &priced {
                let c = convert(*m, "acquisition price", &mut overflow);
                total = match (total, c) {
                    (Some(t), Some(c)) => t.checked_add(c).or_else(|| {
                        overflow
                            .get_or_insert_with(|| super::AmountOverflow::new(what_of("summed acquisition prices")));
                        None
                    }),
                    _ => None,
                };
            }
            (ValueBasis::AcquisitionPrice, total)
        }
        (None, None, true) => (ValueBasis::None, None),
    };
    let mut enc = Decimal::ZERO;
    for e in case.encumbrances.rows.iter().filter(|e| e.property == p) {
        let live = e.registered_on.is_none_or(|d| d <= vd) && e.released_on.is_none_or(|d| d > vd);
        if live {
            provs.push(e.prov);
            let c = convert(e.amount, "encumbrance", &mut overflow).unwrap_or_default();
            if let Err(o) = super::add_to(&mut enc, c, &what_of("summed encumbrances")) {
                overflow.get_or_insert(o);
            }
        }
    }
    let mut net = gross.and_then(|g| match super::sub(g, enc, &what_of("value net of encumbrances")) {
        Ok(n) => Some(n.max(Decimal::ZERO)),
        Err(o) => {
            overflow.get_or_insert(o);
            None
        }
    });
    let mut attributable = net.and_then(|n| match super::mul(n, share, &what_of("attributable share of the value")) {
        Ok(a) => Some(crate::model::round_cents(a)),
        Err(o) => {
            overflow.get_or_insert(o);
            None
        }
    });
    let mut gross = gross;
    if let Some(o) = &overflow {
        // No figure of this row is trusted past an overflow; the reason is in the note.
        (gross, net, attributable) = (None, None, None);
        notes.push(o.to_string());
    }
    if let Some(d) = prop.valued_on {
        notes.push(format!("valued on {d}"));
    }
    provs.sort_unstable();
    provs.dedup();
    AssetRow {
        property: p,
        holders,
        share,
        basis,
        gross,
        encumbrances: enc,
        net,
        attributable,
        overflow,
        note: notes.join("; "),
        provs,
        controlled_only,
        payments,
        ownership_rows: Vec::new(),
        relation_rows: Vec::new(),
        holder_ids: Vec::new(),
    }
}
