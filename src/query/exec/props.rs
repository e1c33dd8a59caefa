//! Properties of nodes and relationships, read straight from the case's tables and columns by
//! name, plus each table's extra columns. Transfer `amount` is the base-currency amount. Which
//! properties a label has is the planner's catalog (`plan/catalog.rs`); this file reads values.
//!
//! Indexing the tables by a [`NodeId`] or [`RelId`] cannot fail: those are only ever made from
//! indices of this case (scans over its tables, id lookups in its indexes, its adjacency), never
//! from query text.

use super::context::Ctx;
use crate::model::TransferId;
use crate::model::{Date, EntityKind, EntityRef, Extras, Money};
use crate::query::common::{cash_city, node_key, rel_key, NodeId, RelId, Value};
use rust_decimal::Decimal;

/// A typed or text property of a labelled table row (NULL when empty or absent).
fn labelled_value(typed: &[crate::model::TypedColumn], extras: &Extras, name: &str, row: usize) -> Value {
    use crate::model::PropValue;
    match crate::model::typed_value(typed, name, row) {
        Some(None) => Value::Null,
        Some(Some(PropValue::Decimal(d))) => Value::Num(d),
        Some(Some(PropValue::Date(d))) => Value::Date(d),
        Some(Some(PropValue::DateTime(t))) => Value::DateTime(t),
        Some(Some(PropValue::Bool(b))) => Value::Bool(b),
        None => extra(extras, name, row),
    }
}

fn s(x: &str) -> Value {
    Value::str(x)
}
fn os(x: &Option<String>) -> Value {
    x.as_deref().map(Value::str).unwrap_or(Value::Null)
}
fn od(x: Option<Date>) -> Value {
    x.map(Value::Date).unwrap_or(Value::Null)
}
fn on(x: Option<Decimal>) -> Value {
    x.map(Value::Num).unwrap_or(Value::Null)
}
fn om(x: &Option<Money>) -> Value {
    x.map(|m| Value::Num(m.amount)).unwrap_or(Value::Null)
}
fn omc(x: &Option<Money>) -> Value {
    x.map(|m| Value::str(m.currency.as_str())).unwrap_or(Value::Null)
}
fn extra(x: &Extras, name: &str, row: usize) -> Value {
    match x.get(name, row) {
        Some("") | None => Value::Null,
        Some(v) => Value::str(v),
    }
}

fn suspect_prop(ctx: &Ctx<'_>, e: EntityRef, name: &str) -> Option<Value> {
    let row = ctx.suspects.get(&e).map(|&i| &ctx.case.suspects.rows[i]);
    Some(match name {
        "suspect" => Value::Bool(row.is_some()),
        "suspect_basis" => row.map(|r| os(&r.basis)).unwrap_or(Value::Null),
        "suspect_since" => row.map(|r| od(r.since)).unwrap_or(Value::Null),
        _ => return None,
    })
}

/// Property `name` of node `n`; NULL when the node has no such property.
pub fn node_prop(ctx: &Ctx<'_>, n: NodeId, name: &str) -> Value {
    let case = ctx.case;
    match n {
        NodeId::Person(i) => {
            let p = &case.persons.rows[i.ix()];
            let e = EntityRef { kind: EntityKind::Person, idx: i.raw() };
            match name {
                "id" => s(&p.id),
                "full_name" | "name" => s(&p.full_name),
                "birth_date" => od(p.birth_date),
                "national_id" => os(&p.national_id),
                "address" => os(&p.address),
                "city" => os(&p.city),
                "victim" => Value::Bool(case.victims.rows.iter().any(|v| v.entity == e)),
                _ => suspect_prop(ctx, e, name).unwrap_or_else(|| extra(&case.persons.extras, name, i.ix())),
            }
        }
        NodeId::Company(i) => {
            let c = &case.companies.rows[i.ix()];
            let e = EntityRef { kind: EntityKind::Company, idx: i.raw() };
            match name {
                "id" => s(&c.id),
                "name" => s(&c.name),
                "nuis" => os(&c.nuis),
                "legal_form" => os(&c.legal_form),
                "registered_address" | "address" => os(&c.registered_address),
                "city" => os(&c.city),
                "incorporated_on" => od(c.incorporated_on),
                "dissolved_on" => od(c.dissolved_on),
                "employees" => c.employees.map(|x| Value::int(x as i64)).unwrap_or(Value::Null),
                _ => suspect_prop(ctx, e, name).unwrap_or_else(|| extra(&case.companies.extras, name, i.ix())),
            }
        }
        NodeId::Account(i) => {
            let a = &case.accounts.rows[i.ix()];
            match name {
                "id" => s(&a.id),
                "iban" => os(&a.iban),
                "bank" => os(&a.bank),
                "holder_id" => a.holder.map(|h| s(case.entity_id(h))).unwrap_or(Value::Null),
                "holder_name" => a.holder.map(|h| s(case.entity_name(h))).unwrap_or(Value::Null),
                "opened_on" => od(a.opened_on),
                "closed_on" => od(a.closed_on),
                "currency" => s(a.currency.as_str()),
                _ => extra(&case.accounts.extras, name, i.ix()),
            }
        }
        NodeId::Property(i) => {
            let p = &case.properties.rows[i as usize];
            match name {
                "id" => s(&p.id),
                "cadastral_code" => os(&p.cadastral_code),
                "kind" => os(&p.kind),
                "city" => os(&p.city),
                "zone" => os(&p.zone),
                "area_m2" => on(p.area_m2),
                "market_value" => om(&p.market_value),
                "market_currency" => omc(&p.market_value),
                "cadastral_value" => om(&p.cadastral_value),
                "valued_on" => od(p.valued_on),
                _ => extra(&case.properties.extras, name, i as usize),
            }
        }
        NodeId::Cash(node) => match name {
            "id" => s(&node_key(case, n)),
            "city" => cash_city(case, node).map(Value::str).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        NodeId::Labelled(t, row) => match case.labelled.nodes.get(t as usize) {
            None => Value::Null,
            Some(t) if name == "id" => t.ids.get(row as usize).map(|x| s(x)).unwrap_or(Value::Null),
            Some(t) => labelled_value(&t.typed, &t.extras, name, row as usize),
        },
    }
}

/// Property `name` of relationship `r`; NULL when it has no such property.
pub fn rel_prop(ctx: &Ctx<'_>, r: RelId, name: &str) -> Value {
    let case = ctx.case;
    match r {
        RelId::Transfer(e) => {
            let t = &case.transfers;
            let i = e.ix();
            match name {
                "id" | "txn_id" => s(t.txn_id.get(i)),
                "booked_at" => Value::DateTime(t.booked_at[i]),
                "date" => Value::Date(t.booked_at[i].date()),
                "amount" => Value::Num(ctx.graph.flow.base_of(i)),
                "amount_orig" => Value::Num(t.amount(i)),
                "currency" => s(t.currency[i].as_str()),
                "channel" => s(t.channel[i].as_str()),
                "reference" => s(t.reference.get(i)),
                "branch_city" => case.cities.get(t.branch_city[i] as usize).map(|c| s(c)).unwrap_or(Value::Null),
                "from_id" => case.accounts.rows.get(t.from[i] as usize).map(|a| s(&a.id)).unwrap_or(Value::Null),
                "to_id" => case.accounts.rows.get(t.to[i] as usize).map(|a| s(&a.id)).unwrap_or(Value::Null),
                _ => extra(&t.extras, name, i),
            }
        }
        RelId::Holds(a) => match name {
            "opened_on" => od(case.accounts.rows[a.ix()].opened_on),
            _ => Value::Null,
        },
        RelId::Owns(row) | RelId::Directs(row) => {
            let o = &case.ownership.rows[row as usize];
            match name {
                "share" => on(o.share),
                "role" => s(o.role.as_str()),
                "from" => od(o.from),
                "to" => od(o.to),
                "nominee" => Value::Bool(matches!(
                    o.role,
                    crate::model::Role::NomineeShareholder | crate::model::Role::NomineeDirector
                )),
                _ => extra(&case.ownership.extras, name, row as usize),
            }
        }
        RelId::Title(row) => {
            let t = &case.titles.rows[row as usize];
            match name {
                "share" => Value::Num(t.share),
                "acquired_on" => od(t.acquired_on),
                "price" => om(&t.price),
                "price_currency" => omc(&t.price),
                "disposed_on" => od(t.disposed_on),
                "payments" => Value::list(
                    t.payment_txns.iter().map(|&x| Value::Rel(RelId::Transfer(TransferId::from_raw(x)))).collect(),
                ),
                _ => extra(&case.titles.extras, name, row as usize),
            }
        }
        RelId::Related(row) => {
            let r = &case.relations.rows[row as usize];
            match name {
                "kind" => s(r.kind.as_str()),
                _ => extra(&case.relations.extras, name, row as usize),
            }
        }
        RelId::Labelled(t, row) => match case.labelled.edges.get(t as usize) {
            None => Value::Null,
            Some(_) if name == "id" => s(&rel_key(case, r)),
            Some(t) => labelled_value(&t.typed, &t.extras, name, row as usize),
        },
    }
}
