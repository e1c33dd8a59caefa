//! Per-table parsing and validation rules (docs/data-model.md lists them).

use super::driver::{Ctx, Loader, TableDef};
use super::row::{Fault, RowView};
use super::IngestError;
use crate::model::schema;
use crate::model::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;

/// Loads every table in dependency order.
pub(crate) fn load_all(l: &mut Loader) -> Result<(), IngestError> {
    fx_rates(l)?;
    persons(l)?;
    companies(l)?;
    accounts(l)?;
    super::transfers::load(l)?;
    properties(l)?;
    titles(l)?;
    encumbrances(l)?;
    ownership(l)?;
    share_sums(l);
    relations(l)?;
    income(l)?;
    suspects(l)?;
    victims(l)?;
    super::lookalike::warn(l);
    super::labelled::load(l)
}

macro_rules! table {
    ($name:literal, $cols:expr, $req:expr, $extras:expr, $parse:expr, $accept:expr) => {
        TableDef {
            name: $name,
            columns: $cols,
            required: $req,
            parse: $parse,
            accept: $accept,
            extras: Box::new($extras),
            reserve: |_, _| {},
            show: None,
            _row: PhantomData,
        }
    };
}

/// Resolves an entity reference (person or company id).
pub(crate) fn entity(ctx: &Ctx<'_>, col: &str, id: &str) -> Result<EntityRef, Fault> {
    ctx.case
        .entity(id)
        .ok_or_else(|| Fault::new(col, id, format!("unknown {col} '{id}': no person or company has this id")))
}

fn unit_share(v: &RowView<'_>, col: usize) -> Result<Option<Decimal>, Fault> {
    match v.decimal(col)? {
        Some(s) if s < Decimal::ZERO || s > Decimal::ONE => {
            Err(v.fault(col, "share must be a fraction in [0, 1] (write 0.25, not 25)"))
        }
        s => Ok(s),
    }
}

/// Reads a money column (`money`: floats refused, see [`RowView::amount`]) or another number.
fn number(v: &RowView<'_>, col: usize, money: bool) -> Result<Option<Decimal>, Fault> {
    if money {
        v.amount(col)
    } else {
        v.decimal(col)
    }
}

fn non_negative(v: &RowView<'_>, col: usize, money: bool) -> Result<Option<Decimal>, Fault> {
    match number(v, col, money)? {
        Some(d) if d < Decimal::ZERO => Err(v.fault(col, "must not be negative")),
        d => Ok(d),
    }
}

fn positive(v: &RowView<'_>, col: usize, money: bool) -> Result<Decimal, Fault> {
    match number(v, col, money)? {
        Some(d) if d > Decimal::ZERO => Ok(d),
        Some(_) => Err(v.fault(col, "amount must be greater than zero")),
        None => Err(v.fault(col, "amount is empty but required")),
    }
}

fn ordered(from: Option<Date>, to: Option<Date>, col: &str) -> Result<(), Fault> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(Fault::new(col, &t.to_string(), format!("ends before it starts ({f})"))),
        _ => Ok(()),
    }
}

fn fx_rates(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::FX_RATES;
    let base = l.case.meta.base_currency;
    let mut rates: Vec<FxRate> = Vec::new();
    let mut seen: HashMap<(Currency, Date), u32> = HashMap::new();
    l.load(table!(
        "fx_rates",
        COLS,
        &["date", "currency", "rate"],
        |c| &mut c.fx_extras,
        |v: &RowView<'_>| {
            let date = v.date(0)?.ok_or_else(|| v.fault(0, "date is empty but required"))?;
            let currency = v.currency(1, None)?;
            let rate = positive(v, 2, false).map_err(|_| v.fault(2, "rate must be a number greater than zero"))?;
            crate::model::money::check_rate(rate).map_err(|why| v.fault(2, why))?;
            Ok(FxRate { date, currency, rate })
        },
        |ctx: &mut Ctx<'_>, r: FxRate, _: &RowView<'_>, prov: Prov| {
            if r.currency == base {
                // Harmless when it says 1 (exports often list every currency); kept out of the
                // rate table, where the base currency needs no rate.
                if r.rate == Decimal::ONE {
                    return Ok(());
                }
                return Err(Fault::new(
                    "rate",
                    &r.rate.to_string(),
                    format!("a rate for the base currency {base} itself must be 1 (it converts to itself)"),
                ));
            }
            if let Some(line) = seen.get(&(r.currency, r.date)) {
                return Err(Fault::new(
                    "date",
                    &r.date.to_string(),
                    format!("second {} rate for this date (first at line {line})", r.currency),
                ));
            }
            let _ = ctx;
            seen.insert((r.currency, r.date), prov.line);
            rates.push(r);
            Ok(())
        }
    ))?;
    l.case.fx = FxTable::new(base, rates);
    Ok(())
}

fn new_entity(ctx: &mut Ctx<'_>, id: &str, kind: EntityKind, idx: usize) -> Result<(), Fault> {
    if let Some(prev) = ctx.case.entity_index.get(id) {
        let what = match prev.kind {
            EntityKind::Person => "a person",
            EntityKind::Company => "a company",
        };
        return Err(Fault::new(
            if kind == EntityKind::Person { "person_id" } else { "company_id" },
            id,
            format!("duplicate id: already used by {what}"),
        ));
    }
    ctx.case.entity_index.insert(id.to_string(), EntityRef { kind, idx: idx as u32 });
    Ok(())
}

fn persons(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::PERSONS;
    let mut def = table!(
        "persons",
        COLS,
        &["person_id", "full_name"],
        |c| &mut c.persons.extras,
        |v: &RowView<'_>| {
            Ok(Person {
                id: v.required(0)?.into_owned(),
                full_name: v.required(1)?.into_owned(),
                birth_date: v.date(2)?,
                national_id: v.optional(3)?,
                address: v.optional(4)?,
                city: v.optional(5)?,
                prov: Prov { file: 0, line: 0 },
            })
        },
        |ctx: &mut Ctx<'_>, mut p: Person, _: &RowView<'_>, prov: Prov| {
            let idx = ctx.case.persons.rows.len();
            new_entity(ctx, &p.id, EntityKind::Person, idx)?;
            p.prov = prov;
            ctx.case.persons.rows.push(p);
            Ok(())
        }
    );
    def.reserve = |c: &mut Case, n: usize| c.persons.rows.reserve_exact(n);
    l.load(def)
}

fn companies(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::COMPANIES;
    l.load(table!(
        "companies",
        COLS,
        &["company_id", "name"],
        |c| &mut c.companies.extras,
        |v: &RowView<'_>| {
            let employees = match v.optional(8)? {
                None => None,
                Some(e) => Some(e.parse::<u32>().map_err(|_| v.fault(8, "employees must be a whole number >= 0"))?),
            };
            let incorporated_on = v.date(6)?;
            let dissolved_on = v.date(7)?;
            ordered(incorporated_on, dissolved_on, "dissolved_on")?;
            Ok(Company {
                id: v.required(0)?.into_owned(),
                name: v.required(1)?.into_owned(),
                nuis: v.optional(2)?,
                legal_form: v.optional(3)?,
                registered_address: v.optional(4)?,
                city: v.optional(5)?,
                incorporated_on,
                dissolved_on,
                employees,
                prov: Prov { file: 0, line: 0 },
            })
        },
        |ctx: &mut Ctx<'_>, mut c: Company, _: &RowView<'_>, prov: Prov| {
            let idx = ctx.case.companies.rows.len();
            new_entity(ctx, &c.id, EntityKind::Company, idx)?;
            c.prov = prov;
            ctx.case.companies.rows.push(c);
            Ok(())
        }
    ))
}

fn accounts(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::ACCOUNTS;
    let base = l.case.meta.base_currency;
    let mut def = table!(
        "accounts",
        COLS,
        &["account_id"],
        |c| &mut c.accounts.extras,
        |v: &RowView<'_>| {
            let opened_on = v.date(4)?;
            let closed_on = v.date(5)?;
            ordered(opened_on, closed_on, "closed_on")?;
            let currency = v.currency(6, Some(base))?;
            Ok((
                v.optional(3)?,
                Account {
                    id: v.required(0)?.into_owned(),
                    iban: v.optional(1)?,
                    bank: v.optional(2)?,
                    holder: None,
                    opened_on,
                    closed_on,
                    currency,
                    prov: Prov { file: 0, line: 0 },
                },
            ))
        },
        |ctx: &mut Ctx<'_>, (holder, mut a): (Option<String>, Account), _: &RowView<'_>, prov: Prov| {
            if ctx.case.account_index.contains_key(&a.id) {
                return Err(Fault::new("account_id", &a.id, "duplicate account_id"));
            }
            a.holder = match holder {
                None => None,
                Some(h) => Some(entity(ctx, "holder_id", &h)?),
            };
            if let Some(iban) = &a.iban {
                if !iban_valid(iban) {
                    ctx.warn(Fault::new(
                        "iban",
                        iban,
                        "IBAN check digits do not verify (ISO 13616 mod 97): check for a typing error",
                    ));
                }
            }
            a.prov = prov;
            let idx = ctx.case.accounts.rows.len() as u32;
            ctx.case.account_index.insert(a.id.clone(), idx);
            ctx.case.accounts.rows.push(a);
            Ok(())
        }
    );
    def.reserve = |c: &mut Case, n: usize| c.accounts.rows.reserve_exact(n);
    l.load(def)
}

/// The amount of column `col` in the currency of column `cur_col`, inside the amount range
/// (docs/data-model.md, "Amount range"; no rounding here, whatever the mapping says).
fn money(
    v: &RowView<'_>,
    col: usize,
    amount: Option<Decimal>,
    cur_col: usize,
    fallback: Option<Currency>,
) -> Result<Option<Money>, Fault> {
    match amount {
        None => Ok(None),
        Some(a) => {
            let currency = v.currency(cur_col, fallback)?;
            crate::model::money::check_amount(a, currency).map_err(|why| v.fault(col, why))?;
            Ok(Some(Money::new(a, currency)))
        }
    }
}

fn properties(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::PROPERTIES;
    let base = l.case.meta.base_currency;
    l.load(table!(
        "properties",
        COLS,
        &["property_id"],
        |c| &mut c.properties.extras,
        |v: &RowView<'_>| {
            let mv = non_negative(v, 6, true)?;
            let cv = non_negative(v, 7, true)?;
            Ok(Property {
                id: v.required(0)?.into_owned(),
                cadastral_code: v.optional(1)?,
                kind: v.optional(2)?,
                city: v.optional(3)?,
                zone: v.optional(4)?,
                area_m2: non_negative(v, 5, false)?,
                market_value: money(v, 6, mv, 8, Some(base))?,
                cadastral_value: money(v, 7, cv, 8, Some(base))?,
                valued_on: v.date(9)?,
                prov: Prov { file: 0, line: 0 },
            })
        },
        |ctx: &mut Ctx<'_>, mut p: Property, _: &RowView<'_>, prov: Prov| {
            if ctx.case.property_index.contains_key(&p.id) {
                return Err(Fault::new("property_id", &p.id, "duplicate property_id"));
            }
            p.prov = prov;
            let idx = ctx.case.properties.rows.len() as u32;
            ctx.case.property_index.insert(p.id.clone(), idx);
            ctx.case.properties.rows.push(p);
            Ok(())
        }
    ))
}

fn property(ctx: &Ctx<'_>, id: &str) -> Result<u32, Fault> {
    ctx.case
        .property_index
        .get(id)
        .copied()
        .ok_or_else(|| Fault::new("property_id", id, format!("unknown property_id '{id}': not in properties")))
}

/// A title row before its references are resolved.
struct RawTitle {
    property: String,
    owner: String,
    title: Title,
    payments: Vec<String>,
}

fn titles(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::PROPERTY_TITLES;
    let base = l.case.meta.base_currency;
    let index = l.txn_index.take();
    // Borrowed out of the case (not copied) while titles load; put back below.
    let txn_ids = std::mem::take(&mut l.case.transfers.txn_id);
    let find_txn = |id: &str| -> Option<u32> { index.as_ref().and_then(|x| x.find(&txn_ids, id)) };
    let res = l.load(table!(
        "property_titles",
        COLS,
        &["property_id", "owner_id"],
        |c| &mut c.titles.extras,
        |v: &RowView<'_>| {
            let share = unit_share(v, 2)?.unwrap_or(Decimal::ONE);
            let price = match v.amount(4)? {
                Some(p) if p <= Decimal::ZERO => {
                    return Err(v.fault(4, "price must be greater than zero (leave it empty when unknown)"))
                }
                p => money(v, 4, p, 5, Some(base))?,
            };
            let acquired_on = v.date(3)?;
            let disposed_on = v.date(6)?;
            ordered(acquired_on, disposed_on, "disposed_on")?;
            let payments = v.text(7)?.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            Ok(RawTitle {
                property: v.required(0)?.into_owned(),
                owner: v.required(1)?.into_owned(),
                payments,
                title: Title {
                    property: 0,
                    owner: EntityRef { kind: EntityKind::Person, idx: 0 },
                    share,
                    acquired_on,
                    price,
                    disposed_on,
                    payment_txns: Vec::new(),
                    prov: Prov { file: 0, line: 0 },
                },
            })
        },
        |ctx: &mut Ctx<'_>, r: RawTitle, _: &RowView<'_>, prov: Prov| {
            let mut t = r.title;
            t.property = property(ctx, &r.property)?;
            t.owner = entity(ctx, "owner_id", &r.owner)?;
            for p in &r.payments {
                let i = find_txn(p).ok_or_else(|| {
                    Fault::new(
                        "payment_txn_ids",
                        p,
                        format!("unknown transfer '{p}' in payment_txn_ids: not among the loaded transfers"),
                    )
                })?;
                t.payment_txns.push(i);
            }
            t.prov = prov;
            ctx.case.titles.rows.push(t);
            Ok(())
        }
    ));
    l.case.transfers.txn_id = txn_ids;
    res
}

fn encumbrances(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::ENCUMBRANCES;
    let base = l.case.meta.base_currency;
    l.load(table!(
        "encumbrances",
        COLS,
        &["property_id", "creditor_id", "amount"],
        |c| &mut c.encumbrances.extras,
        |v: &RowView<'_>| {
            let amount =
                money(v, 2, Some(positive(v, 2, true)?), 3, Some(base))?.unwrap_or(Money::new(Decimal::ZERO, base));
            let registered_on = v.date(4)?;
            let released_on = v.date(5)?;
            ordered(registered_on, released_on, "released_on")?;
            Ok((v.required(0)?.into_owned(), v.required(1)?.into_owned(), amount, registered_on, released_on))
        },
        |ctx: &mut Ctx<'_>,
         (p, c, amount, registered_on, released_on): (String, String, Money, Option<Date>, Option<Date>),
         _: &RowView<'_>,
         prov: Prov| {
            let e = Encumbrance {
                property: property(ctx, &p)?,
                creditor: entity(ctx, "creditor_id", &c)?,
                amount,
                registered_on,
                released_on,
                prov,
            };
            ctx.case.encumbrances.rows.push(e);
            Ok(())
        }
    ))
}

fn ownership(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::COMPANY_OWNERSHIP;
    l.load(table!(
        "company_ownership",
        COLS,
        &["company_id", "holder_id", "role"],
        |c| &mut c.ownership.extras,
        |v: &RowView<'_>| {
            let role: Role = v.parse(2)?;
            let share = unit_share(v, 3)?;
            if role.holds_shares() && share.is_none() {
                return Err(v.fault(3, format!("a {role} row needs a share in [0, 1]")));
            }
            let from = v.date(4)?;
            let to = v.date(5)?;
            ordered(from, to, "to")?;
            Ok((v.required(0)?.into_owned(), v.required(1)?.into_owned(), role, share, from, to))
        },
        |ctx: &mut Ctx<'_>,
         (c, h, role, share, from, to): (String, String, Role, Option<Decimal>, Option<Date>, Option<Date>),
         _: &RowView<'_>,
         prov: Prov| {
            let company = match ctx.case.entity(&c) {
                Some(EntityRef { kind: EntityKind::Company, idx }) => idx,
                Some(_) => return Err(Fault::new("company_id", &c, "this id belongs to a person, not a company")),
                None => {
                    return Err(Fault::new("company_id", &c, format!("unknown company_id '{c}': not in companies")))
                }
            };
            let holder = entity(ctx, "holder_id", &h)?;
            if holder == (EntityRef { kind: EntityKind::Company, idx: company }) {
                return Err(Fault::new("holder_id", &h, "a company cannot hold itself"));
            }
            ctx.case.ownership.rows.push(Ownership { company, holder, role, share, from, to, prov });
            Ok(())
        }
    ))
}

/// A shareholding's validity, share and row.
type ShareSpan = (Option<Date>, Option<Date>, Decimal, Prov);

/// Shares written through floating point sum to 1.000000000000000004 and the like (FinBench);
/// sums up to 1 + 10^-6 are taken as 1 (project default).
fn share_tolerance() -> Decimal {
    Decimal::new(1, 6)
}

/// Warns where the shares of one company sum above 1 on some date (sweep over start/end events).
fn share_sums(l: &mut Loader) {
    let mut by_company: BTreeMap<u32, Vec<ShareSpan>> = BTreeMap::new();
    for o in &l.case.ownership.rows {
        if let (true, Some(s)) = (o.role.holds_shares(), o.share) {
            by_company.entry(o.company).or_default().push((o.from, o.to, s, o.prov));
        }
    }
    let mut warnings = Vec::new();
    for (company, rows) in by_company {
        // Events: start adds on `from`, end subtracts the day after `to` (inclusive ranges).
        let mut ev: Vec<(i64, Decimal)> = Vec::new();
        for (f, t, s, _) in &rows {
            ev.push((f.map_or(i64::MIN, |d| d.0 as i64), *s));
            if let Some(t) = t {
                ev.push((t.0 as i64 + 1, -*s));
            }
        }
        ev.sort();
        let mut sum = Decimal::ZERO;
        let mut i = 0;
        while i < ev.len() {
            let day = ev[i].0;
            while i < ev.len() && ev[i].0 == day {
                sum += ev[i].1;
                i += 1;
            }
            if sum > Decimal::ONE + share_tolerance() {
                let cid = l.case.companies.rows[company as usize].id.clone();
                let when =
                    if day == i64::MIN { "from the start".to_string() } else { format!("on {}", Date(day as i32)) };
                let first = rows.iter().map(|r| r.3).min().unwrap_or(Prov { file: 0, line: 0 });
                warnings.push((
                    first,
                    Fault::new(
                        "share",
                        &sum.to_string(),
                        format!("shares of company {cid} sum to {sum} {when}, above 1"),
                    ),
                ));
                break;
            }
        }
    }
    for (prov, f) in warnings {
        l.warn_after("company_ownership", prov, f);
    }
}

fn relations(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::RELATIONS;
    l.load(table!(
        "relations",
        COLS,
        &["person_id", "related_id", "kind"],
        |c| &mut c.relations.extras,
        |v: &RowView<'_>| Ok((v.required(0)?.into_owned(), v.required(1)?.into_owned(), v.parse::<RelationKind>(2)?)),
        |ctx: &mut Ctx<'_>, (p, r, kind): (String, String, RelationKind), _: &RowView<'_>, prov: Prov| {
            let person = match entity(ctx, "person_id", &p)? {
                EntityRef { kind: EntityKind::Person, idx } => idx,
                _ => {
                    return Err(Fault::new("person_id", &p, "person_id names a company; relations start from a person"))
                }
            };
            let related = entity(ctx, "related_id", &r)?;
            if related.kind == EntityKind::Company && kind != RelationKind::Associate {
                return Err(Fault::new(
                    "related_id",
                    &r,
                    format!("a company cannot be a {kind}; only 'associate' may link a company"),
                ));
            }
            if related == (EntityRef { kind: EntityKind::Person, idx: person }) {
                return Err(Fault::new("related_id", &r, "a person cannot be related to themself"));
            }
            ctx.case.relations.rows.push(Relation { person, related, kind, prov });
            Ok(())
        }
    ))
}

fn income(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::INCOME;
    let base = l.case.meta.base_currency;
    // Each distinct source text once (a handful of words over millions of rows).
    let mut sources: std::collections::HashMap<String, std::sync::Arc<str>> = Default::default();
    let mut def = table!(
        "income",
        COLS,
        &["entity_id", "year", "amount"],
        |c| &mut c.income.extras,
        |v: &RowView<'_>| {
            let y = v.required(1)?;
            let year: i32 = y
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| v.fault(1, "year must be a four-digit year"))?;
            let amount =
                non_negative(v, 2, true)?.ok_or_else(|| v.fault(2, "amount is empty but required (0 is allowed)"))?;
            let amount = money(v, 2, Some(amount), 3, Some(base))?.unwrap_or(Money::new(Decimal::ZERO, base));
            Ok((v.required(0)?.into_owned(), year, amount, v.optional(4)?))
        },
        |ctx: &mut Ctx<'_>,
         (e, year, amount, source): (String, i32, Money, Option<String>),
         _: &RowView<'_>,
         prov: Prov| {
            let entity = entity(ctx, "entity_id", &e)?;
            // Income is compared year by year in the base currency: a rate at year end must exist.
            if let Some(end) = Date::from_ymd(year, 12, 31) {
                ctx.case
                    .fx
                    .lookup(amount.currency, end)
                    .map_err(|m| Fault::new("currency", amount.currency.as_str(), m.to_string()))?;
            }
            let source = source.map(|s| match sources.get(&s) {
                Some(a) => a.clone(),
                None => sources.entry(s).or_insert_with_key(|k| std::sync::Arc::from(k.as_str())).clone(),
            });
            ctx.case.income.rows.push(Income { entity, year, amount, source, prov });
            Ok(())
        }
    );
    def.reserve = |c: &mut Case, n: usize| c.income.rows.reserve_exact(n);
    l.load(def)
}

fn suspects(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::SUSPECTS;
    l.load(table!(
        "suspects",
        COLS,
        &["entity_id"],
        |c| &mut c.suspects.extras,
        |v: &RowView<'_>| Ok((v.required(0)?.into_owned(), v.optional(1)?, v.optional(2)?, v.date(3)?)),
        |ctx: &mut Ctx<'_>,
         (e, basis, case_ref, since): (String, Option<String>, Option<String>, Option<Date>),
         _: &RowView<'_>,
         prov: Prov| {
            let entity = entity(ctx, "entity_id", &e)?;
            if ctx.case.suspects.rows.iter().any(|s| s.entity == entity) {
                return Err(Fault::new("entity_id", &e, "suspect listed twice"));
            }
            ctx.case.suspects.rows.push(Suspect { entity, basis, case_ref, since, prov });
            Ok(())
        }
    ))
}

fn victims(l: &mut Loader) -> Result<(), IngestError> {
    const COLS: &[&str] = schema::VICTIMS;
    l.load(table!(
        "victims",
        COLS,
        &["entity_id"],
        |c| &mut c.victims.extras,
        |v: &RowView<'_>| {
            let minor = match v.optional(2)?.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("yes" | "y" | "true" | "1") => Some(true),
                Some("no" | "n" | "false" | "0") => Some(false),
                Some(_) => return Err(v.fault(2, "minor must be yes or no (or empty when unknown)")),
            };
            Ok((v.required(0)?.into_owned(), v.optional(1)?, minor, v.date(3)?))
        },
        |ctx: &mut Ctx<'_>,
         (e, basis, minor, since): (String, Option<String>, Option<bool>, Option<Date>),
         _: &RowView<'_>,
         prov: Prov| {
            let entity = entity(ctx, "entity_id", &e)?;
            if entity.kind != EntityKind::Person {
                return Err(Fault::new("entity_id", &e, "a victim must be a person, not a company"));
            }
            if ctx.case.victims.rows.iter().any(|s| s.entity == entity) {
                return Err(Fault::new("entity_id", &e, "victim listed twice"));
            }
            ctx.case.victims.rows.push(Victim { entity, basis, minor, since, prov });
            Ok(())
        }
    ))
}
