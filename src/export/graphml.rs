//! The whole case as GraphML for Gephi and yEd: persons, companies, accounts, properties and
//! cash points as nodes; holdings, shareholdings, directorships, titles, relations and transfers
//! (folded per ordered pair of nodes: count, total in the base currency, first and last date)
//! as edges. Every text goes through [`crate::text::xml::xml`].
//!
//! Amounts and counts are typed (`double`, `long`), so that Gephi can size edges by `total`;
//! nodes carry a `role` (suspect, victim, mule, company, person, account, cash, property) and the
//! findings they appear in, edges the findings whose transfers they fold (`findings`, as the
//! report numbers them, and `finding_ids`, the hashes of findings.csv).

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
        NodeKind::Account(a) => format!("account:{}", case.account_row(a).id),
        NodeKind::Cash(c) => format!("cash:{}", case.cities.get(c as usize).map(String::as_str).unwrap_or("unknown")),
    }
}

/// Roles and findings to attach to nodes and edges (empty for a case without an investigation).
#[derive(Default)]
pub struct Roles {
    /// Role by node id (`person:P1` -> `suspect`); nodes not listed get their kind.
    pub role: BTreeMap<String, &'static str>,
    /// Finding numbers and ids by node id.
    pub node_findings: BTreeMap<String, Vec<(String, String)>>,
    /// Finding numbers and ids by ordered pair of flow nodes.
    pub pair_findings: BTreeMap<(u32, u32), Vec<(String, String)>>,
}

impl Roles {
    /// Roles of an investigation: its suspects, its listed and probable victims, the holders of
    /// accounts that both received and passed on money inside a finding (mules, as the
    /// detectors see them: a lead, not a legal qualification), and the findings (numbered as in
    /// the report). Victims are never marked as mules.
    pub fn of(inv: &crate::investigation::pipeline::Investigation<'_>, flow: &FlowGraph) -> Roles {
        let case = inv.case();
        let mut r = Roles::default();
        for (rank, f) in inv.findings.iter().enumerate() {
            let tag = (super::report::finding_number(rank), f.id.clone());
            let mut nodes = std::collections::BTreeSet::new();
            let (mut ins, mut outs) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
            for &t in &f.txns {
                let (s, d) = (flow.src[t.ix()], flow.dst[t.ix()]);
                let v = r.pair_findings.entry((s, d)).or_default();
                if v.last() != Some(&tag) {
                    v.push(tag.clone());
                }
                nodes.insert(flow_key(case, flow, s));
                nodes.insert(flow_key(case, flow, d));
                outs.insert(case.transfers.from[t.ix()]);
                ins.insert(case.transfers.to[t.ix()]);
            }
            for &e in &f.entities {
                nodes.insert(entity_key(case, e));
            }
            for a in ins.intersection(&outs).filter(|&&a| a != crate::model::NO_ACCOUNT) {
                if let Some(h) = case.accounts.rows[*a as usize].holder.filter(|h| h.kind == EntityKind::Person) {
                    r.role.entry(entity_key(case, h)).or_insert("mule");
                    r.role.entry(format!("account:{}", case.accounts.rows[*a as usize].id)).or_insert("mule");
                }
            }
            for n in nodes {
                r.node_findings.entry(n).or_default().push(tag.clone());
            }
        }
        // Victims and suspects override what the flows suggest.
        for v in &inv.victims {
            r.role.insert(format!("person:{}", v.id), "victim");
        }
        for a in &case.accounts.rows {
            if let Some(h) = a.holder {
                if r.role.get(&entity_key(case, h)) == Some(&"victim") {
                    r.role.insert(format!("account:{}", a.id), "victim");
                }
            }
        }
        for s in &case.suspects.rows {
            r.role.insert(entity_key(case, s.entity), "suspect");
        }
        r
    }
}

fn joined(v: Option<&Vec<(String, String)>>) -> (String, String) {
    let v = v.map(Vec::as_slice).unwrap_or(&[]);
    (
        v.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(";"),
        v.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(";"),
    )
}

fn node<W: Write>(w: &mut W, roles: &Roles, id: &str, kind: &str, label: &str, extra: &str) -> io::Result<()> {
    let role = roles.role.get(id).copied().unwrap_or(kind);
    let f = roles.node_findings.get(id);
    let (nums, ids) = joined(f);
    writeln!(
        w,
        r#"<node id="{}"><data key="kind">{kind}</data><data key="role">{role}</data><data key="label">{}</data><data key="detail">{}</data><data key="nfindings">{}</data><data key="nfind">{}</data><data key="nfind_ids">{}</data></node>"#,
        xml(id),
        xml(label),
        xml(extra),
        f.map(Vec::len).unwrap_or(0),
        xml(&nums),
        xml(&ids)
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
    findings: Option<&Vec<(String, String)>>,
) -> io::Result<()> {
    *n += 1;
    let (nums, ids) = joined(findings);
    writeln!(
        w,
        r#"<edge id="e{n}" source="{}" target="{}"><data key="ekind">{kind}</data><data key="elabel">{}</data><data key="count">{count}</data><data key="total">{}</data><data key="total_exact">{}</data><data key="first">{first}</data><data key="last">{last}</data><data key="source_rows">{}</data><data key="findings">{}</data><data key="finding_ids">{}</data></edge>"#,
        xml(from),
        xml(to),
        xml(label),
        total.round_dp(2),
        total,
        xml(source),
        xml(&nums),
        xml(&ids)
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
pub fn write_graphml<W: Write>(case: &Case, flow: &FlowGraph, w: W) -> io::Result<()> {
    write_graphml_with(case, flow, &Roles::default(), w)
}

/// [`write_graphml`] with roles and findings (the bundle's case.graphml).
///
/// # Errors
/// I/O errors of the writer.
pub fn write_graphml_with<W: Write>(case: &Case, flow: &FlowGraph, roles: &Roles, mut w: W) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#)?;
    for (id, for_, name, ty) in [
        ("kind", "node", "kind", "string"),
        ("role", "node", "role", "string"),
        ("label", "node", "label", "string"),
        ("detail", "node", "detail", "string"),
        ("nfindings", "node", "finding_count", "int"),
        ("nfind", "node", "findings", "string"),
        ("nfind_ids", "node", "finding_ids", "string"),
        ("ekind", "edge", "kind", "string"),
        ("elabel", "edge", "label", "string"),
        ("count", "edge", "count", "long"),
        ("total", "edge", "total_base", "double"),
        ("total_exact", "edge", "total_base_exact", "string"),
        ("findings", "edge", "findings", "string"),
        ("finding_ids", "edge", "finding_ids", "string"),
        ("first", "edge", "first", "string"),
        ("last", "edge", "last", "string"),
        ("source_rows", "edge", "source_rows", "string"),
    ] {
        writeln!(w, r#"<key id="{id}" for="{for_}" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    writeln!(w, r#"<graph id="{}" edgedefault="directed">"#, xml(&case.meta.name))?;
    nodes(case, roles, &mut w)?;
    // Edge ids count up across both kinds of edges.
    let mut n = 0u64;
    register_edges(case, &mut w, &mut n)?;
    transfer_edges(case, flow, roles, &mut w, &mut n)?;
    writeln!(w, "</graph>\n</graphml>")?;
    w.flush()
}

/// Persons, companies, accounts, a cash node per city (and one for cash of unknown place),
/// properties.
fn nodes<W: Write>(case: &Case, roles: &Roles, w: &mut W) -> io::Result<()> {
    for p in &case.persons.rows {
        node(w, roles, &format!("person:{}", p.id), "person", &p.full_name, p.national_id.as_deref().unwrap_or(""))?;
    }
    for c in &case.companies.rows {
        node(w, roles, &format!("company:{}", c.id), "company", &c.name, c.nuis.as_deref().unwrap_or(""))?;
    }
    for a in &case.accounts.rows {
        node(w, roles, &format!("account:{}", a.id), "account", &a.id, a.iban.as_deref().unwrap_or(""))?;
    }
    for city in &case.cities {
        node(w, roles, &format!("cash:{city}"), "cash", &format!("cash {city}"), "")?;
    }
    node(w, roles, "cash:unknown", "cash", "cash (place unknown)", "")?;
    for r in &case.properties.rows {
        node(w, roles, &format!("property:{}", r.id), "property", &r.id, r.cadastral_code.as_deref().unwrap_or(""))?;
    }
    Ok(())
}

/// One edge per register row: account holders, company ownership and directorships, titles,
/// relations; numbered from `n`.
fn register_edges<W: Write>(case: &Case, w: &mut W, n: &mut u64) -> io::Result<()> {
    for a in &case.accounts.rows {
        if let Some(h) = a.holder {
            let (from, to) = (entity_key(case, h), format!("account:{}", a.id));
            edge(w, n, &from, &to, "holds", "holds", 1, Decimal::ZERO, "", "", &prov(case, a.prov), None)?;
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
            None,
        )?;
    }
    for t in &case.titles.rows {
        let to = format!("property:{}", case.properties.rows[t.property as usize].id);
        let (f, l) = (
            t.acquired_on.map(|d| d.to_string()).unwrap_or_default(),
            t.disposed_on.map(|d| d.to_string()).unwrap_or_default(),
        );
        let label = format!("title {}", t.share.normalize());
        edge(
            w,
            n,
            &entity_key(case, t.owner),
            &to,
            "title",
            &label,
            1,
            Decimal::ZERO,
            &f,
            &l,
            &prov(case, t.prov),
            None,
        )?;
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
            None,
        )?;
    }
    Ok(())
}

/// Transfers folded per ordered pair of flow nodes, numbered on from `n`.
fn transfer_edges<W: Write>(case: &Case, flow: &FlowGraph, roles: &Roles, w: &mut W, n: &mut u64) -> io::Result<()> {
    let mut pairs: BTreeMap<(u32, u32), (u64, Decimal, i64, i64)> = BTreeMap::new();
    for e in 0..flow.edge_count() {
        let t = flow.time[e].0;
        let x = pairs.entry((flow.src[e], flow.dst[e])).or_insert((0, Decimal::ZERO, i64::MAX, i64::MIN));
        x.0 += 1;
        x.1 = x.1.checked_add(flow.base_of(e)).ok_or_else(|| {
            io::Error::other(crate::assets::AmountOverflow::new(format!(
                "summing the transfers from {} to {} for the GraphML",
                flow_key(case, flow, flow.src[e]),
                flow_key(case, flow, flow.dst[e])
            )))
        })?;
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
            roles.pair_findings.get(&(s, d)),
        )?;
    }
    Ok(())
}
