//! The case as an i2 Analyst's Notebook exchange file (case.anx): entities, links, typed
//! attributes, dates and the provenance of every item as cards.
//!
//! i2 publishes no XML schema for ANX. The structure written here is the chart XML that
//! Analyst's Notebook imports, as documented by i2 for its items (entities, links, link
//! strength, cards: <https://docs.i2group.com/anb/9.4.1/about_links.html>,
//! <https://docs.i2group.com/anb/9.4.0/cards.html>) and as written by the open-source
//! generators that target it (`gustavo-gkmi/anxwritter`, whose test suite checks charts that
//! i2 opens, and `OlehOleinikov/Simplest-i2-Analyst-Notebook-chart-generator`):
//!
//! ```text
//! Chart
//!   ApplicationVersion
//!   StrengthCollection/Strength(Id, Name, DotStyle)
//!   AttributeClassCollection/AttributeClass(Id, Name, Type = AttText | AttNumber | AttTime)
//!   EntityTypeCollection/EntityType(Id, Name, IconFile)   LinkTypeCollection/LinkType(Id, Name)
//!   ChartItemCollection/ChartItem(Id, Label, [DateSet, DateTime])
//!     End/Entity(EntityId, Identity)/Icon/IconStyle(Type)      -- an entity
//!     Link(End1Id, End2Id)/LinkStyle(Strength, ArrowStyle, Type) -- a link
//!     AttributeCollection/Attribute(AttributeClass, AttributeClassReference, Value)
//!     CardCollection/Card(Summary, Text, SourceReference, SourceType, [DateSet, DateTime])
//! ```
//!
//! Links from bank and register rows are `Confirmed` (solid); every value is XML-escaped.

use super::graphml::Roles;
use crate::graph::{FlowGraph, NodeKind};
use crate::model::{Case, EntityKind, EntityRef, Prov};
use crate::text::xml::xml;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write;

const ATTRS: &[(&str, &str, &str)] = &[
    ("A1", "Role", "AttText"),
    ("A2", "Amount", "AttNumber"),
    ("A3", "Currency", "AttText"),
    ("A4", "Transfers", "AttNumber"),
    ("A5", "First", "AttTime"),
    ("A6", "Last", "AttTime"),
    ("A7", "Findings", "AttText"),
    ("A8", "Identifier", "AttText"),
];

/// Transfers folded per pair: count, total, first and last time, source rows.
/// (count, total or `None` past the exact range, first, last, rows) of one ordered pair.
type Folded = (u64, Option<Decimal>, i64, i64, Vec<Prov>);

struct Writer<'c> {
    case: &'c Case,
    s: String,
    next: u64,
    ids: BTreeMap<String, u64>,
}

impl Writer<'_> {
    fn item_id(&mut self) -> String {
        self.next += 1;
        format!("I{}", self.next)
    }

    fn card(&self, summary: &str, provs: &[Prov]) -> String {
        let mut text = String::new();
        for p in provs.iter().take(50) {
            let f = self.case.file_of(*p);
            let _ = writeln!(
                text,
                "{} line {} (SHA-256 {})",
                f.map(|f| f.path.as_str()).unwrap_or(""),
                p.line,
                f.map(|f| f.sha256.as_str()).unwrap_or("")
            );
        }
        if provs.len() > 50 {
            let _ = writeln!(text, "and {} more rows (exhibits.csv)", provs.len() - 50);
        }
        let src = provs.first().and_then(|p| self.case.file_of(*p)).map(|f| f.path.as_str()).unwrap_or("");
        format!(
            "<CardCollection><Card Summary=\"{}\" Text=\"{}\" SourceReference=\"{}\" SourceType=\"Bank or register extract\"/></CardCollection>",
            xml(summary),
            xml(text.trim_end()),
            xml(src)
        )
    }

    fn attrs(pairs: &[(&str, String)]) -> String {
        let mut s = String::from("<AttributeCollection>");
        for (name, v) in pairs {
            if v.is_empty() {
                continue;
            }
            let (id, _, _) = ATTRS.iter().find(|a| a.1 == *name).copied().unwrap_or(("A8", "Identifier", ""));
            let _ = write!(
                s,
                "<Attribute AttributeClass=\"{name}\" AttributeClassReference=\"{id}\" Value=\"{}\"/>",
                xml(v)
            );
        }
        s.push_str("</AttributeCollection>");
        s
    }

    fn entity(&mut self, key: &str, label: &str, ty: &str, roles: &Roles, ident: &str, prov: Prov) {
        let eid = self.ids.len() as u64 + 1;
        self.ids.insert(key.to_string(), eid);
        let id = self.item_id();
        let role = roles.role.get(key).copied().unwrap_or("");
        let findings =
            roles.node_findings.get(key).map(|v| v.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join("; "));
        let card = self.card(&format!("{ty} {label}"), &[prov]);
        let _ = writeln!(
            self.s,
            "<ChartItem Id=\"{id}\" Label=\"{}\"><End><Entity EntityId=\"{eid}\" Identity=\"{}\" LabelIsIdentity=\"false\"><Icon><IconStyle Type=\"{ty}\"/></Icon></Entity></End>{}{}</ChartItem>",
            xml(label),
            xml(key),
            Self::attrs(&[("Role", role.to_string()), ("Identifier", ident.to_string()), ("Findings", findings.unwrap_or_default())]),
            card,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        from: &str,
        to: &str,
        ty: &str,
        label: &str,
        attrs: &[(&str, String)],
        date: Option<String>,
        provs: &[Prov],
    ) {
        let (Some(a), Some(b)) = (self.ids.get(from).copied(), self.ids.get(to).copied()) else { return };
        let id = self.item_id();
        let date = date.map(|d| format!(" DateSet=\"true\" DateTime=\"{d}T00:00:00.000\"")).unwrap_or_default();
        let card = self.card(label, provs);
        let _ = writeln!(
            self.s,
            "<ChartItem Id=\"{id}\" Label=\"{}\"{date}><Link End1Id=\"{a}\" End2Id=\"{b}\"><LinkStyle Strength=\"Confirmed\" ArrowStyle=\"ArrowOnHead\" Type=\"{ty}\" LinkTypeReference=\"L-{ty}\"/></Link>{}{}</ChartItem>",
            xml(label),
            Self::attrs(attrs),
            card,
        );
    }
}

fn entity_key(case: &Case, e: EntityRef) -> String {
    match e.kind {
        EntityKind::Person => format!("person:{}", case.entity_id(e)),
        EntityKind::Company => format!("company:{}", case.entity_id(e)),
    }
}

/// Writes case.anx. Accounts, persons and companies are entities; account holdings, company
/// ownership and directorships, and transfers folded per ordered pair of accounts are links.
pub fn write_anx(case: &Case, flow: &FlowGraph, roles: &Roles) -> String {
    let cur = case.meta.base_currency.as_str().to_string();
    let mut w = Writer { case, s: String::with_capacity(1 << 16), next: 0, ids: BTreeMap::new() };
    w.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Chart>\n<ApplicationVersion Major=\"9\" Minor=\"0\" Point=\"0\" Build=\"0\"/>\n");
    w.s.push_str("<StrengthCollection><Strength Id=\"S1\" Name=\"Confirmed\" DotStyle=\"DotStyleSolid\"/><Strength Id=\"S2\" Name=\"Unconfirmed\" DotStyle=\"DotStyleDashed\"/><Strength Id=\"S3\" Name=\"Tentative\" DotStyle=\"DotStyleDotted\"/></StrengthCollection>\n<AttributeClassCollection>");
    for (id, name, ty) in ATTRS {
        let _ = write!(w.s, "<AttributeClass Id=\"{id}\" Name=\"{name}\" Type=\"{ty}\" ShowValue=\"true\"/>");
    }
    w.s.push_str("</AttributeClassCollection>\n<EntityTypeCollection><EntityType Id=\"T-Person\" Name=\"Person\" IconFile=\"Person\"/><EntityType Id=\"T-Organisation\" Name=\"Organisation\" IconFile=\"Organisation\"/><EntityType Id=\"T-Account\" Name=\"Account\" IconFile=\"Account\"/></EntityTypeCollection>\n");
    w.s.push_str("<LinkTypeCollection><LinkType Id=\"L-Holder\" Name=\"Holder\"/><LinkType Id=\"L-Owner\" Name=\"Owner\"/><LinkType Id=\"L-Director\" Name=\"Director\"/><LinkType Id=\"L-Transaction\" Name=\"Transaction\"/></LinkTypeCollection>\n<ChartItemCollection>\n");
    for (i, p) in case.persons.rows.iter().enumerate() {
        let e = EntityRef { kind: EntityKind::Person, idx: i as u32 };
        w.entity(&entity_key(case, e), &p.full_name, "Person", roles, &p.id, p.prov);
    }
    for (i, c) in case.companies.rows.iter().enumerate() {
        let e = EntityRef { kind: EntityKind::Company, idx: i as u32 };
        w.entity(&entity_key(case, e), &c.name, "Organisation", roles, c.nuis.as_deref().unwrap_or(&c.id), c.prov);
    }
    for a in &case.accounts.rows {
        w.entity(&format!("account:{}", a.id), &a.id, "Account", roles, a.iban.as_deref().unwrap_or(""), a.prov);
    }
    for a in &case.accounts.rows {
        if let Some(h) = a.holder {
            w.link(&entity_key(case, h), &format!("account:{}", a.id), "Holder", "holds", &[], None, &[a.prov]);
        }
    }
    for o in &case.ownership.rows {
        let company = EntityRef { kind: EntityKind::Company, idx: o.company };
        let (ty, label) = if o.role.holds_shares() {
            ("Owner", o.share.map(|s| format!("owns {}", s.normalize())).unwrap_or_else(|| "owns".into()))
        } else {
            ("Director", o.role.to_string())
        };
        let date = o.from.map(|d| d.to_string());
        w.link(&entity_key(case, o.holder), &entity_key(case, company), ty, &label, &[], date, &[o.prov]);
    }
    // Transfers between accounts, folded per ordered pair (cash legs are left to the GraphML).
    let mut pairs: BTreeMap<(u32, u32), Folded> = BTreeMap::new();
    for e in 0..flow.edge_count() {
        let (s, d) = (flow.src[e], flow.dst[e]);
        if !matches!((flow.kind(s), flow.kind(d)), (NodeKind::Account(_), NodeKind::Account(_))) {
            continue;
        }
        let x = pairs.entry((s, d)).or_insert((0, Some(Decimal::ZERO), i64::MAX, i64::MIN, Vec::new()));
        x.0 += 1;
        x.1 = x.1.and_then(|t| t.checked_add(flow.base_of(e)));
        x.2 = x.2.min(flow.time[e].0);
        x.3 = x.3.max(flow.time[e].0);
        x.4.push(case.transfers.prov(e));
    }
    for ((s, d), (count, total, first, last, provs)) in pairs {
        let key = |n: u32| match flow.kind(n) {
            NodeKind::Account(a) => format!("account:{}", case.account_row(a).id),
            NodeKind::Cash(_) => String::new(),
        };
        let (f, l) =
            (crate::model::DateTime(first).date().to_string(), crate::model::DateTime(last).date().to_string());
        let findings =
            roles.pair_findings.get(&(s, d)).map(|v| v.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join("; "));
        let label = format!("{count} × {}", crate::evidence::chart::money_total(total, &cur));
        w.link(
            &key(s),
            &key(d),
            "Transaction",
            &label,
            &[
                ("Amount", total.map(|t| t.round_dp(2).to_string()).unwrap_or_default()),
                ("Currency", cur.clone()),
                ("Transfers", count.to_string()),
                ("First", format!("{f}T00:00:00.000")),
                ("Last", format!("{l}T00:00:00.000")),
                ("Findings", findings.unwrap_or_default()),
            ],
            Some(f),
            &provs,
        );
    }
    w.s.push_str("</ChartItemCollection>\n</Chart>\n");
    w.s
}
