//! The whole case as GraphML for Gephi and yEd: persons, companies, accounts, properties and
//! cash points as nodes; holdings, shareholdings, directorships, titles, relations and transfers
//! (folded per ordered pair of nodes: count, total in the base currency, first and last date)
//! as edges. Every text goes through [`crate::text::xml::xml`].

use crate::graph::{FlowGraph, NodeKind};
use crate::model::{Case, EntityKind, EntityRef};
use crate::text::xml::xml;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::{self, Write};

fn entity_key(case: &Case, e: EntityRef) -> String {
    match e.kind {
        EntityKind::Person => format!("person:{}", case.entity_id(e)),
        EntityKind::Company => format!("company:{}", case.entity_id(e)),
    }
}

fn flow_key(case: &Case, flow: &FlowGraph, n: u32) -> String {
    match flow.kind(n) {
        NodeKind::Account(a) => format!("account:{}", case.accounts.rows[a as usize].id),
        NodeKind::Cash(c) => format!("cash:{}", case.cities.get(c as usize).map(String::as_str).unwrap_or("unknown")),
    }
}

fn node<W: Write>(w: &mut W, id: &str, kind: &str, label: &str, extra: &str) -> io::Result<()> {
    writeln!(
        w,
        r#"<node id="{}"><data key="kind">{kind}</data><data key="label">{}</data><data key="detail">{}</data></node>"#,
        xml(id),
        xml(label),
        xml(extra)
    )
}

#[allow(clippy::too_many_arguments)]
fn edge<W: Write>(
    w: &mut W,
    n: &mut u64,
    from: &str,
    to: &str,
    kind: &str,
    label: &str,
    count: u64,
    total: Decimal,
    first: &str,
    last: &str,
    source: &str,
) -> io::Result<()> {
    *n += 1;
    writeln!(
        w,
        r#"<edge id="e{n}" source="{}" target="{}"><data key="ekind">{kind}</data><data key="elabel">{}</data><data key="count">{count}</data><data key="total">{total}</data><data key="first">{first}</data><data key="last">{last}</data><data key="source_rows">{}</data></edge>"#,
        xml(from),
        xml(to),
        xml(label),
        xml(source)
    )
}

fn prov(case: &Case, p: crate::model::Prov) -> String {
    format!("{}:{}", case.file_of(p).map(|f| f.path.as_str()).unwrap_or(""), p.line)
}

/// Writes the case as one GraphML document.
///
/// # Errors
/// I/O errors of the writer.
///
/// # Complexity
/// O(V + E log E) for E transfers (folding sorts pairs).
pub fn write_graphml<W: Write>(case: &Case, flow: &FlowGraph, mut w: W) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#)?;
    for (id, for_, name, ty) in [
        ("kind", "node", "kind", "string"),
        ("label", "node", "label", "string"),
        ("detail", "node", "detail", "string"),
        ("ekind", "edge", "kind", "string"),
        ("elabel", "edge", "label", "string"),
        ("count", "edge", "count", "long"),
        ("total", "edge", "total_base", "string"),
        ("first", "edge", "first", "string"),
        ("last", "edge", "last", "string"),
        ("source_rows", "edge", "source_rows", "string"),
    ] {
        writeln!(w, r#"<key id="{id}" for="{for_}" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    writeln!(w, r#"<graph id="{}" edgedefault="directed">"#, xml(&case.meta.name))?;
    nodes(case, &mut w)?;
    // Edge ids count up across both kinds of edges.
    let mut n = 0u64;
    register_edges(case, &mut w, &mut n)?;
    transfer_edges(case, flow, &mut w, &mut n)?;
    writeln!(w, "</graph>\n</graphml>")?;
    w.flush()
}

/// Persons, companies, accounts, a cash node per city (and one for cash of unknown place),
/// properties.
fn nodes<W: Write>(case: &Case, w: &mut W) -> io::Result<()> {
    for p in &case.persons.rows {
        node(w, &format!("person:{}", p.id), "person", &p.full_name, p.national_id.as_deref().unwrap_or(""))?;
    }
    for c in &case.companies.rows {
        node(w, &format!("company:{}", c.id), "company", &c.name, c.nuis.as_deref().unwrap_or(""))?;
    }
    for a in &case.accounts.rows {
        node(w, &format!("account:{}", a.id), "account", &a.id, a.iban.as_deref().unwrap_or(""))?;
    }
    for city in &case.cities {
        node(w, &format!("cash:{city}"), "cash", &format!("cash {city}"), "")?;
    }
    node(w, "cash:unknown", "cash", "cash (place unknown)", "")?;
    for r in &case.properties.rows {
        node(w, &format!("property:{}", r.id), "property", &r.id, r.cadastral_code.as_deref().unwrap_or(""))?;
    }
    Ok(())
}

/// One edge per register row: account holders, company ownership and directorships, titles,
/// relations; numbered from `n`.
fn register_edges<W: Write>(case: &Case, w: &mut W, n: &mut u64) -> io::Result<()> {
    for a in &case.accounts.rows {
        if let Some(h) = a.holder {
            let (from, to) = (entity_key(case, h), format!("account:{}", a.id));
            edge(w, n, &from, &to, "holds", "holds", 1, Decimal::ZERO, "", "", &prov(case, a.prov))?;
        }
    }
    for o in &case.ownership.rows {
        let company = EntityRef { kind: EntityKind::Company, idx: o.company };
        let label = match o.share {
            Some(s) => format!("{} {}", o.role, s.normalize()),
            None => o.role.to_string(),
        };
        let (f, t) =
            (o.from.map(|d| d.to_string()).unwrap_or_default(), o.to.map(|d| d.to_string()).unwrap_or_default());
        let kind = if o.role.holds_shares() { "owns" } else { "directs" };
        edge(
            w,
            n,
            &entity_key(case, o.holder),
            &entity_key(case, company),
            kind,
            &label,
            1,
            Decimal::ZERO,
            &f,
            &t,
            &prov(case, o.prov),
        )?;
    }
    for t in &case.titles.rows {
        let to = format!("property:{}", case.properties.rows[t.property as usize].id);
        let (f, l) = (
            t.acquired_on.map(|d| d.to_string()).unwrap_or_default(),
            t.disposed_on.map(|d| d.to_string()).unwrap_or_default(),
        );
        let label = format!("title {}", t.share.normalize());
        edge(w, n, &entity_key(case, t.owner), &to, "title", &label, 1, Decimal::ZERO, &f, &l, &prov(case, t.prov))?;
    }
    for r in &case.relations.rows {
        let p = EntityRef { kind: EntityKind::Person, idx: r.person };
        edge(
            w,
            n,
            &entity_key(case, p),
            &entity_key(case, r.related),
            "related",
            r.kind.as_str(),
            1,
            Decimal::ZERO,
            "",
            "",
            &prov(case, r.prov),
        )?;
    }
    Ok(())
}

/// Transfers folded per ordered pair of flow nodes, numbered on from `n`.
fn transfer_edges<W: Write>(case: &Case, flow: &FlowGraph, w: &mut W, n: &mut u64) -> io::Result<()> {
    let mut pairs: BTreeMap<(u32, u32), (u64, Decimal, i64, i64)> = BTreeMap::new();
    for e in 0..flow.edge_count() {
        let t = flow.time[e].0;
        let x = pairs.entry((flow.src[e], flow.dst[e])).or_insert((0, Decimal::ZERO, i64::MAX, i64::MIN));
        x.0 += 1;
        x.1 += flow.base[e];
        x.2 = x.2.min(t);
        x.3 = x.3.max(t);
    }
    for ((s, d), (count, total, first, last)) in pairs {
        let (f, l) =
            (crate::model::DateTime(first).date().to_string(), crate::model::DateTime(last).date().to_string());
        let label = format!("{count} transfers");
        edge(
            w,
            n,
            &flow_key(case, flow, s),
            &flow_key(case, flow, d),
            "transfer",
            &label,
            count,
            total,
            &f,
            &l,
            "transfers",
        )?;
    }
    Ok(())
}
