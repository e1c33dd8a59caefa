//! The case as FollowTheMoney entities, one JSON object per line, for Aleph (
//! docs/methodology.md#ownership): Person, Company, BankAccount, RealEstate, Ownership (shareholdings, titles, account
//! holdings), Directorship, Payment (one per bank line, `transactionNumber` = the bank's id),
//! Family and Associate. Every entity carries `recordId` = "file:line" of its source row; the
//! first line is a Document per input file with its SHA-256, so provenance survives the import.

use crate::model::{Case, EntityKind, EntityRef, Prov, RelationKind, Role, NO_ACCOUNT};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

fn eid(case: &Case, e: EntityRef) -> String {
    match e.kind {
        EntityKind::Person => format!("mt-person-{}", case.entity_id(e)),
        EntityKind::Company => format!("mt-company-{}", case.entity_id(e)),
    }
}

fn record(case: &Case, p: Prov) -> String {
    format!("{}:{}", case.file_of(p).map(|f| f.path.as_str()).unwrap_or(""), p.line)
}

/// Writes one entity line; properties with empty values are left out (FtM values are lists).
fn put<W: Write>(w: &mut W, id: &str, schema: &str, props: &[(&str, Option<String>)]) -> io::Result<()> {
    let mut m = Map::new();
    for (k, v) in props {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            m.insert((*k).to_string(), json!([v]));
        }
    }
    let line = json!({ "id": id, "schema": schema, "properties": Value::Object(m) });
    serde_json::to_writer(&mut *w, &line)?;
    w.write_all(b"\n")
}

fn s(x: impl ToString) -> Option<String> {
    Some(x.to_string())
}

/// Writes every entity of the case as FtM JSON lines.
///
/// # Errors
/// I/O errors of the writer.
///
/// # Complexity
/// O(rows): one line per row (transfers dominate).
pub fn write_ftm<W: Write>(case: &Case, mut w: W) -> io::Result<()> {
    let w = &mut w;
    documents(case, w)?;
    parties(case, w)?;
    accounts(case, w)?;
    real_estate(case, w)?;
    company_links(case, w)?;
    relations(case, w)?;
    payments(case, w)?;
    w.flush()
}

/// One Document per input file, with its SHA-256.
fn documents<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for f in &case.files {
        put(
            w,
            &format!("mt-doc-{}", f.sha256),
            "Document",
            &[
                ("fileName", s(&f.path)),
                ("contentHash", s(&f.sha256)),
                ("fileSize", s(f.size)),
                ("title", s(format!("{} ({})", f.path, f.table))),
            ],
        )?;
    }
    Ok(())
}

/// Persons and companies.
fn parties<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for (i, p) in case.persons.rows.iter().enumerate() {
        let e = EntityRef { kind: EntityKind::Person, idx: i as u32 };
        put(
            w,
            &eid(case, e),
            "Person",
            &[
                ("name", s(&p.full_name)),
                ("birthDate", p.birth_date.map(|d| d.to_string())),
                ("idNumber", p.national_id.clone()),
                ("address", p.address.clone()),
                ("recordId", s(record(case, p.prov))),
            ],
        )?;
    }
    for (i, c) in case.companies.rows.iter().enumerate() {
        let e = EntityRef { kind: EntityKind::Company, idx: i as u32 };
        put(
            w,
            &eid(case, e),
            "Company",
            &[
                ("name", s(&c.name)),
                ("registrationNumber", c.nuis.clone()),
                ("legalForm", c.legal_form.clone()),
                ("address", c.registered_address.clone()),
                ("incorporationDate", c.incorporated_on.map(|d| d.to_string())),
                ("dissolutionDate", c.dissolved_on.map(|d| d.to_string())),
                ("jurisdiction", s("al")),
                ("recordId", s(record(case, c.prov))),
            ],
        )?;
    }
    Ok(())
}

/// Bank accounts, each followed by the Ownership of its holder.
fn accounts<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for a in &case.accounts.rows {
        let id = format!("mt-account-{}", a.id);
        put(
            w,
            &id,
            "BankAccount",
            &[
                ("name", s(&a.id)),
                ("accountNumber", s(&a.id)),
                ("iban", a.iban.clone()),
                ("bankName", a.bank.clone()),
                ("currency", s(a.currency)),
                ("openingDate", a.opened_on.map(|d| d.to_string())),
                ("closingDate", a.closed_on.map(|d| d.to_string())),
                ("recordId", s(record(case, a.prov))),
            ],
        )?;
        if let Some(h) = a.holder {
            put(
                w,
                &format!("mt-holds-{}", a.id),
                "Ownership",
                &[
                    ("owner", s(eid(case, h))),
                    ("asset", s(&id)),
                    ("role", s("account holder")),
                    ("recordId", s(record(case, a.prov))),
                ],
            )?;
        }
    }
    Ok(())
}

/// Properties (with their encumbrances as text) and the Ownership of each title.
fn real_estate<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for r in &case.properties.rows {
        let value = r.market_value.or(r.cadastral_value);
        let enc: Vec<String> = case
            .encumbrances
            .rows
            .iter()
            .filter(|e| case.properties.rows.get(e.property as usize).is_some_and(|p| p.id == r.id))
            .map(|e| {
                format!(
                    "{} to {} registered {}",
                    e.amount,
                    case.entity_name(e.creditor),
                    e.registered_on.map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect();
        put(
            w,
            &format!("mt-property-{}", r.id),
            "RealEstate",
            &[
                ("name", s(&r.id)),
                ("cadastralCode", r.cadastral_code.clone()),
                ("propertyType", r.kind.clone()),
                ("area", r.area_m2.map(|a| a.to_string())),
                ("amount", value.map(|v| v.amount.to_string())),
                ("currency", value.map(|v| v.currency.to_string())),
                ("encumbrance", Some(enc.join("; "))),
                ("address", r.city.clone()),
                ("recordId", s(record(case, r.prov))),
            ],
        )?;
    }
    for (i, t) in case.titles.rows.iter().enumerate() {
        let prop = &case.properties.rows[t.property as usize];
        put(
            w,
            &format!("mt-title-{i}"),
            "Ownership",
            &[
                ("owner", s(eid(case, t.owner))),
                ("asset", s(format!("mt-property-{}", prop.id))),
                ("percentage", s((t.share * rust_decimal::Decimal::from(100)).normalize())),
                ("startDate", t.acquired_on.map(|d| d.to_string())),
                ("endDate", t.disposed_on.map(|d| d.to_string())),
                ("role", s("title holder")),
                ("recordId", s(record(case, t.prov))),
            ],
        )?;
    }
    Ok(())
}

/// The company register: shareholdings as Ownership, the other roles as Directorship.
fn company_links<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for (i, o) in case.ownership.rows.iter().enumerate() {
        let company = eid(case, EntityRef { kind: EntityKind::Company, idx: o.company });
        let (start, end) = (o.from.map(|d| d.to_string()), o.to.map(|d| d.to_string()));
        if o.role.holds_shares() {
            put(
                w,
                &format!("mt-share-{i}"),
                "Ownership",
                &[
                    ("owner", s(eid(case, o.holder))),
                    ("asset", s(&company)),
                    ("percentage", o.share.map(|x| (x * rust_decimal::Decimal::from(100)).normalize().to_string())),
                    ("role", s(o.role)),
                    ("startDate", start),
                    ("endDate", end),
                    ("recordId", s(record(case, o.prov))),
                ],
            )?;
        } else {
            let role = if o.role == Role::NomineeDirector { "nominee director" } else { o.role.as_str() };
            put(
                w,
                &format!("mt-director-{i}"),
                "Directorship",
                &[
                    ("director", s(eid(case, o.holder))),
                    ("organization", s(&company)),
                    ("role", s(role)),
                    ("startDate", start),
                    ("endDate", end),
                    ("recordId", s(record(case, o.prov))),
                ],
            )?;
        }
    }
    Ok(())
}

/// Family and Associate links.
fn relations<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for (i, r) in case.relations.rows.iter().enumerate() {
        let p = eid(case, EntityRef { kind: EntityKind::Person, idx: r.person });
        if r.kind == RelationKind::Associate {
            put(
                w,
                &format!("mt-assoc-{i}"),
                "Associate",
                &[
                    ("person", s(p)),
                    ("associate", s(eid(case, r.related))),
                    ("relationship", s("associate")),
                    ("recordId", s(record(case, r.prov))),
                ],
            )?;
        } else {
            put(
                w,
                &format!("mt-family-{i}"),
                "Family",
                &[
                    ("person", s(p)),
                    ("relative", s(eid(case, r.related))),
                    ("relationship", s(r.kind)),
                    ("recordId", s(record(case, r.prov))),
                ],
            )?;
        }
    }
    Ok(())
}

/// One Payment per bank line.
fn payments<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    let t = &case.transfers;
    let holder = |a: u32| (a != NO_ACCOUNT).then(|| case.accounts.rows[a as usize].holder).flatten();
    let account = |a: u32| (a != NO_ACCOUNT).then(|| format!("mt-account-{}", case.accounts.rows[a as usize].id));
    for i in 0..t.len() {
        put(
            w,
            &format!("mt-payment-{}", t.txn_id.get(i)),
            "Payment",
            &[
                ("payer", holder(t.from[i]).map(|h| eid(case, h))),
                ("payerAccount", account(t.from[i])),
                ("beneficiary", holder(t.to[i]).map(|h| eid(case, h))),
                ("beneficiaryAccount", account(t.to[i])),
                ("amount", s(t.amount(i))),
                ("currency", s(t.currency[i])),
                ("date", s(t.booked_at[i])),
                ("purpose", s(t.reference.get(i))),
                ("transactionNumber", s(t.txn_id.get(i))),
                ("programme", s(t.channel[i])),
                ("recordId", s(record(case, t.prov(i)))),
            ],
        )?;
    }
    Ok(())
}
