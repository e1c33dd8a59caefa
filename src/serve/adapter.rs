//! The one place where the workspace calls the analysis library: loading and resolving the
//! case, detection, the audience's protected view, diagrams, queries, tracing, assets and the
//! bundle export. Everything else in `serve` reads the [`Engine`] only, so re-pointing the
//! workspace at a new pipeline means changing this file.
//!
//! Protected persons are protected in the data the engine reads: outside the court, the graph,
//! the query engine, tracing and the asset views all run on the audience's redacted view of the
//! case (pseudonymised victims and minors, their accounts without IBAN), exactly the view every
//! bundle is written from. Findings are detected on the real case and then shown through the view,
//! as `investigate` does, so the list and the exported bundle agree.

use crate::assets::confiscable::{confiscable, ConfiscableParams};
use crate::evidence::chart::{Chart, ChartNode, Confidence, Footer, LinkKind, NodeClass};
use crate::evidence::charts::{finding_chart, ChartCtx, ChartLimits};
use crate::evidence::exhibits::ExhibitCollector;
use crate::export::bundle::{investigate, Summary};
use crate::graph::{CaseGraph, EdgeKind, NodeKind, NodeRef};
use crate::investigation::{Config as InvestigateOptions, LoadSettings, WorkspaceStamp};
use crate::model::TransferId;
use crate::model::{Case, DateTime, EntityKind, EntityRef};
use crate::patterns::{self, Finding, RunOptions};
use crate::query::{self, Budget, NodeId, RelId, Value};
use crate::trace::case::{trace_case, SourceSelection};
use crate::trace::{Rule, TraceConfig};
use crate::victims::classify::{annotate_findings, VictimParams};
use crate::victims::protect::Protection;
use crate::victims::view::{prepare, Audience, Prepared};
use anyhow::Context;
use rust_decimal::Decimal;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// How to load a case for the workspace.
#[derive(Clone)]
pub struct EngineOptions {
    /// The case folder.
    pub case_dir: PathBuf,
    /// A mapping file used instead of the folder's case.toml.
    pub mapping: Option<PathBuf>,
    /// Who the workspace shows the case to.
    pub audience: Audience,
    /// The case keys (required outside the court when someone is protected).
    pub protection: Option<Protection>,
    /// The case passphrase: the keys are derived from it and the case name once the case is
    /// loaded (instead of `protection`), as every command does.
    pub passphrase: Option<String>,
    /// Skip entity resolution.
    pub no_resolve: bool,
    /// Render exported bundles with Graphviz when installed.
    pub graphviz: bool,
}

/// The loaded, analysed case as the workspace serves it.
pub struct Engine {
    /// Options it was loaded with.
    pub opts: EngineOptions,
    real: Case,
    prepared: Prepared,
    graph: CaseGraph,
    /// Findings, ranked, annotated for victims, their text scrubbed for the audience.
    pub findings: Vec<Finding>,
    by_finding: HashMap<String, usize>,
    accounts: HashMap<String, u32>,
    entities: HashMap<String, EntityRef>,
    cash: HashMap<String, u32>,
    real_accounts: HashMap<String, u32>,
    real_entities: HashMap<String, EntityRef>,
    suspects: BTreeSet<EntityRef>,
    /// Seconds spent loading and detecting.
    pub load_seconds: f64,
    /// Rows rejected at ingest.
    pub rejected: u64,
}

/// One transfer of a finding, with where it was read.
#[derive(Serialize, Clone, Debug)]
pub struct TransferLine {
    /// External id.
    pub txn_id: String,
    /// Booking time.
    pub at: String,
    /// Debited account ("" outside the case).
    pub from: String,
    /// Credited account.
    pub to: String,
    /// Amount as booked.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// Source file.
    pub file: String,
    /// Line in the file.
    pub line: u32,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// A node of the explorer, styled after the evidence diagrams.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct GNode {
    /// Key (`A:`, `P:`, `C:`, `R:`, `CASH:` and the id).
    pub id: String,
    /// Class name (legend text).
    pub class: &'static str,
    /// Fill colour.
    pub fill: &'static str,
    /// Border colour.
    pub stroke: &'static str,
    /// Cytoscape shape matching the diagram's Graphviz shape.
    pub shape: &'static str,
    /// First label line.
    pub title: String,
    /// Second label line.
    pub detail: String,
}

/// An edge of the explorer: one or more transfers between two nodes, or a register link.
#[derive(Serialize, Clone, Debug)]
pub struct GEdge {
    /// Stable id.
    pub id: String,
    /// Source node key.
    pub source: String,
    /// Target node key.
    pub target: String,
    /// transfer, holds, owns, directs, title, related, inferred.
    pub kind: &'static str,
    /// Line colour.
    pub color: &'static str,
    /// solid, dashed or dotted (line strength).
    pub style: &'static str,
    /// Label.
    pub label: String,
    /// Transfers folded in.
    pub count: usize,
    /// Base-currency total (as text, exact).
    pub total: String,
    /// Total in cents, for the amount filter and line width.
    pub cents: i64,
    /// First booking (epoch seconds; 0 for register links).
    pub first: i64,
    /// Last booking.
    pub last: i64,
    /// Source rows (`file:line`), the first 20.
    pub provenance: Vec<String>,
}

/// A piece of graph sent to the explorer.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Subgraph {
    /// Nodes.
    pub nodes: Vec<GNode>,
    /// Edges.
    pub edges: Vec<GEdge>,
    /// What was left out (counterparties beyond the limit).
    pub more: usize,
}

/// Filters of a node expansion.
#[derive(Clone, Debug, Default)]
pub struct Expand {
    /// Earliest booking (epoch seconds).
    pub from: Option<i64>,
    /// Latest booking.
    pub to: Option<i64>,
    /// Smallest base amount of a transfer, in cents.
    pub min_cents: Option<i64>,
    /// Most counterparties returned (largest by value).
    pub limit: usize,
}

impl Expand {
    /// Filters from request text: `from` and `to` days (YYYY-MM-DD, whole days), the smallest
    /// amount in the base currency, and the number of counterparties (25 by default, at most
    /// 500). Text that does not parse is ignored.
    pub fn parse(from: Option<&str>, to: Option<&str>, min: Option<&str>, limit: Option<&str>) -> Expand {
        let day = |s: Option<&str>| s.and_then(crate::model::Date::parse_iso).map(|d| d.start().0);
        Expand {
            from: day(from),
            to: day(to).map(|t| t + 86_399),
            min_cents: min.and_then(|m| m.parse::<Decimal>().ok()).map(crate::graph::FlowGraph::cents_of),
            limit: limit.and_then(|l| l.parse().ok()).unwrap_or(25).min(500),
        }
    }
}

/// A query's answer.
#[derive(Serialize, Debug, Default)]
pub struct QueryOut {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows as rendered text (at most `shown`).
    pub rows: Vec<Vec<String>>,
    /// Rows in the result.
    pub total_rows: usize,
    /// The plan (EXPLAIN), always given.
    pub plan: String,
    /// The nodes and relationships the rows mention (at most 400 edges).
    pub graph: Subgraph,
    /// Milliseconds spent running.
    pub millis: u128,
}

/// One row of the trace view: where tainted money went.
#[derive(Serialize, Debug)]
pub struct TraceOut {
    /// Per rule: introduced, exited, absorbed, remaining.
    pub rules: Vec<TraceRule>,
}

/// One rule's result.
#[derive(Serialize, Debug)]
pub struct TraceRule {
    /// Rule name.
    pub rule: String,
    /// Legal basis.
    pub basis: String,
    /// Introduced by the sources.
    pub introduced: String,
    /// Left the case.
    pub exited: String,
    /// Absorbed by overdrafts.
    pub absorbed: String,
    /// Still in accounts.
    pub remaining: String,
    /// Accounts that received tainted money, largest first (at most 50): id, holder, tainted
    /// amount received, tainted amount remaining.
    pub accounts: Vec<[String; 4]>,
    /// Properties whose purchase payments carried tainted money: property id, owner, tainted
    /// amount of the payments, the payments' source rows.
    pub properties: Vec<[String; 4]>,
}

/// One asset of a suspect's scope with its confiscable band.
#[derive(Serialize, Debug)]
pub struct AssetOut {
    /// Asset id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Attributable share.
    pub share: String,
    /// Net attributable value.
    pub net: String,
    /// Traced per rule.
    pub traced: Vec<(String, String)>,
    /// Object-based band (low, high) across rules.
    pub band: (String, String),
    /// Basis.
    pub basis: String,
    /// Evidence rows (`file:line`, first 10).
    pub evidence: Vec<String>,
}

/// A suspect's asset view.
#[derive(Serialize, Debug)]
pub struct SuspectAssets {
    /// Suspect id (as the audience sees it).
    pub suspect: String,
    /// Assets.
    pub assets: Vec<AssetOut>,
    /// Object-based band.
    pub object_band: (String, String),
    /// Value-based band.
    pub value_band: (String, String),
    /// Disproportion band.
    pub disproportion_band: (String, String),
    /// Notes.
    pub notes: Vec<String>,
}

fn shape(c: NodeClass) -> &'static str {
    match c {
        NodeClass::Suspect => "octagon",
        NodeClass::Person => "ellipse",
        NodeClass::Company => "rectangle",
        NodeClass::Account => "round-rectangle",
        NodeClass::Property => "pentagon",
        NodeClass::Cash => "diamond",
        NodeClass::Aggregate => "barrel",
    }
}

fn gnode(n: ChartNode) -> GNode {
    GNode {
        id: n.key,
        class: n.class.name(),
        fill: n.class.fill(),
        stroke: n.class.stroke(),
        shape: shape(n.class),
        title: n.title,
        detail: n.detail,
    }
}

/// HTML-escapes text for content and quoted attributes (the exports' escaper).
pub fn html(s: &str) -> Cow<'_, str> {
    crate::text::xml::html(s)
}

type NodeMap = BTreeMap<String, GNode>;
type EdgeMap = BTreeMap<String, GEdge>;

fn kind_name(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Transfer => "transfer",
        LinkKind::Holds => "holds",
        LinkKind::Owns => "owns",
        LinkKind::Directs => "directs",
        LinkKind::Title => "title",
        LinkKind::Related => "related",
        LinkKind::Inferred => "inferred",
    }
}

fn dt(t: DateTime) -> String {
    t.to_string()
}

impl Engine {
    /// Loads, resolves and analyses the case; builds the audience's view.
    ///
    /// # Errors
    /// Load and detection errors, and a missing case key outside the court.
    pub fn load(mut opts: EngineOptions) -> anyhow::Result<Engine> {
        let t0 = std::time::Instant::now();
        let settings = LoadSettings { mapping: opts.mapping.clone(), no_resolve: opts.no_resolve };
        let loaded = crate::investigation::load(&opts.case_dir, &settings)?;
        let rejected = loaded.report.rejected();
        if let Some(p) = opts.passphrase.take() {
            opts.protection = Some(Protection::from_passphrase(&p, &loaded.case.meta.name)?);
        }
        let real = loaded.case;
        let real_graph = CaseGraph::build(&real);
        let run = RunOptions::default();
        let mut findings = patterns::run(&real, &real_graph, &run)?;
        let prepared =
            prepare(&real, &real_graph.flow, opts.audience, opts.protection.as_ref(), &VictimParams::default())?;
        annotate_findings(&real, &mut findings, &prepared.assessed);
        if prepared.redacts() {
            for f in findings.iter_mut() {
                for i in f.indicators.iter_mut() {
                    i.detail = prepared.scrub(&i.detail).into_owned();
                }
                for n in f.notes.iter_mut() {
                    prepared.scrub_in_place(n);
                }
            }
        }
        // The engine reads the view only: for a redacted audience, a graph of the view.
        let graph = if prepared.redacts() { CaseGraph::build(prepared.view(&real)) } else { real_graph };
        let view = prepared.view(&real);
        let accounts = view.accounts.rows.iter().enumerate().map(|(i, a)| (a.id.clone(), i as u32)).collect();
        let mut entities = HashMap::new();
        for (i, p) in view.persons.rows.iter().enumerate() {
            entities.insert(p.id.clone(), EntityRef { kind: EntityKind::Person, idx: i as u32 });
        }
        for (i, c) in view.companies.rows.iter().enumerate() {
            entities.insert(c.id.clone(), EntityRef { kind: EntityKind::Company, idx: i as u32 });
        }
        let mut cash = HashMap::new();
        for n in graph.flow.account_count()..graph.flow.node_count() {
            if let NodeKind::Cash(city) = graph.flow.kind(n) {
                let name = view.cities.get(city as usize).map(String::as_str).unwrap_or("place unknown");
                cash.insert(format!("CASH:{name}"), n);
            }
        }
        let suspects = view.suspects.rows.iter().map(|s| s.entity).collect();
        let real_accounts = real.accounts.rows.iter().enumerate().map(|(i, a)| (a.id.clone(), i as u32)).collect();
        let mut real_entities = HashMap::new();
        for (i, p) in real.persons.rows.iter().enumerate() {
            real_entities.insert(p.id.clone(), EntityRef { kind: EntityKind::Person, idx: i as u32 });
        }
        for (i, c) in real.companies.rows.iter().enumerate() {
            real_entities.insert(c.id.clone(), EntityRef { kind: EntityKind::Company, idx: i as u32 });
        }
        let by_finding = findings.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        Ok(Engine {
            opts,
            real,
            prepared,
            graph,
            findings,
            by_finding,
            accounts,
            entities,
            cash,
            real_accounts,
            real_entities,
            suspects,
            load_seconds: t0.elapsed().as_secs_f64(),
            rejected,
        })
    }

    /// The case as the audience sees it.
    pub fn view(&self) -> &Case {
        self.prepared.view(&self.real)
    }

    /// The audience.
    pub fn audience(&self) -> Audience {
        self.opts.audience
    }

    /// Free text (notes, reasons) scrubbed for the audience.
    pub fn scrub<'a>(&self, s: &'a str) -> Cow<'a, str> {
        self.prepared.scrub(s)
    }

    /// Protected persons in this case.
    pub fn protected_count(&self) -> usize {
        self.prepared.set.persons.len()
    }

    /// A finding by id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.by_finding.get(id).map(|&i| &self.findings[i])
    }

    /// The suspect of a finding as the audience sees it.
    pub fn suspect_of(&self, f: &Finding) -> Option<(String, u32)> {
        f.suspect.map(|l| (self.view().entity_id(l.suspect).to_string(), l.hops))
    }

    /// Account ids of a finding (view).
    pub fn accounts_of(&self, f: &Finding) -> Vec<String> {
        f.accounts.iter().map(|&a| self.view().accounts.rows[a.ix()].id.clone()).collect()
    }

    /// The suspects of the case (view ids), sorted.
    pub fn suspect_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.suspects.iter().map(|&s| self.view().entity_id(s).to_string()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The real id behind an id the audience sees (notes are kept under real ids, so every
    /// audience sees the same notes); `None` when the id is not in the case.
    pub fn real_id(&self, kind: crate::workspace::TargetKind, shown: &str) -> Option<String> {
        use crate::workspace::TargetKind as K;
        match kind {
            K::Finding => self.by_finding.contains_key(shown).then(|| shown.to_string()),
            K::Account => self.accounts.get(shown).map(|&a| self.real.accounts.rows[a as usize].id.clone()),
            K::Person | K::Company => {
                let e = *self.entities.get(shown)?;
                let ok = matches!((kind, e.kind), (K::Person, EntityKind::Person) | (K::Company, EntityKind::Company));
                ok.then(|| self.real.entity_id(e).to_string())
            }
        }
    }

    /// The id the audience sees for a real id kept in the log ("[withheld]" when the id is no
    /// longer in the case).
    pub fn shown_id(&self, kind: crate::workspace::TargetKind, real: &str) -> String {
        use crate::workspace::TargetKind as K;
        let v = self.view();
        let shown = match kind {
            K::Finding => Some(real.to_string()),
            K::Account => self.real_accounts.get(real).map(|&a| v.accounts.rows[a as usize].id.clone()),
            K::Person | K::Company => self.real_entities.get(real).map(|&e| v.entity_id(e).to_string()),
        };
        shown.unwrap_or_else(|| "[withheld]".into())
    }

    /// The transfers of a finding with provenance (view).
    pub fn transfers_of(&self, f: &Finding) -> Vec<TransferLine> {
        let c = self.view();
        let t = &c.transfers;
        let acct = |a: u32| c.accounts.rows.get(a as usize).map(|r| r.id.clone()).unwrap_or_default();
        f.txns
            .iter()
            .map(|&i| {
                let i = i.ix();
                let p = t.prov(i);
                let file = c.file_of(p);
                TransferLine {
                    txn_id: t.txn_id.get(i).to_string(),
                    at: dt(t.booked_at[i]),
                    from: acct(t.from[i]),
                    to: acct(t.to[i]),
                    amount: t.amount(i).to_string(),
                    currency: t.currency[i].to_string(),
                    file: file.map(|f| f.path.clone()).unwrap_or_default(),
                    line: p.line,
                    sha256: file.map(|f| f.sha256.clone()).unwrap_or_default(),
                }
            })
            .collect()
    }

    fn chart_ctx(&self) -> ChartCtx<'_> {
        ChartCtx::new(self.view(), &self.graph.flow)
    }

    fn finding_chart(&self, f: &Finding) -> (Chart, crate::evidence::exhibits::Exhibits) {
        let cx = self.chart_ctx();
        let mut col = ExhibitCollector::default();
        let chart = finding_chart(&cx, f, &ChartLimits::default(), &mut col);
        (chart, col.finish(self.view()))
    }

    /// The finding's evidence diagram as inline SVG (the bundle's pure-Rust renderer).
    pub fn finding_svg(&self, f: &Finding) -> String {
        let (chart, ex) = self.finding_chart(f);
        let footer = Footer { lines: vec![format!("Case: {} · finding {}", self.view().meta.name, f.id)] };
        crate::export::svg::to_svg(&chart, &ex, &footer)
    }

    /// The finding's diagram as explorer nodes and edges.
    pub fn finding_graph(&self, f: &Finding) -> Subgraph {
        let (chart, _) = self.finding_chart(f);
        let c = self.view();
        let mut g = Subgraph::default();
        for n in &chart.nodes {
            g.nodes.push(gnode(n.clone()));
        }
        for e in &chart.edges {
            let (s, t) = (&chart.nodes[e.from].key, &chart.nodes[e.to].key);
            let times: Vec<i64> = e.txns.iter().map(|&x| c.transfers.booked_at[x as usize].0).collect();
            g.edges.push(GEdge {
                id: format!("{}|{s}|{t}", kind_name(e.kind)),
                source: s.clone(),
                target: t.clone(),
                kind: kind_name(e.kind),
                color: e.kind.color(),
                style: e.confidence.dot_style(),
                label: e.label.join(" · "),
                count: e.txns.len(),
                total: e.weight.round_dp(2).to_string(),
                cents: crate::graph::FlowGraph::cents_of(e.weight),
                first: times.iter().copied().min().unwrap_or(0),
                last: times.iter().copied().max().unwrap_or(0),
                provenance: e.provs.iter().take(20).map(|&p| self.prov_text(p)).collect(),
            });
        }
        g
    }

    fn prov_text(&self, p: crate::model::Prov) -> String {
        let c = self.view();
        c.file_of(p).map(|f| format!("{}:{}", f.path, p.line)).unwrap_or_default()
    }

    fn node_of_key(&self, key: &str) -> Option<NodeRef> {
        let (kind, id) = key.split_once(':')?;
        match kind {
            "A" => self.accounts.get(id).map(|&a| NodeRef::Account(a)),
            "P" | "C" => match self.entities.get(id)? {
                EntityRef { kind: EntityKind::Person, idx } => Some(NodeRef::Person(*idx)),
                EntityRef { kind: EntityKind::Company, idx } => Some(NodeRef::Company(*idx)),
            },
            "R" => self.view().properties.rows.iter().position(|p| p.id == id).map(|i| NodeRef::Property(i as u32)),
            _ => None,
        }
    }

    fn network_node(&self, n: NodeRef) -> GNode {
        let cx = self.chart_ctx();
        let c = self.view();
        match n {
            NodeRef::Person(i) => gnode(cx.entity_node(EntityRef { kind: EntityKind::Person, idx: i }, false)),
            NodeRef::Company(i) => gnode(cx.entity_node(EntityRef { kind: EntityKind::Company, idx: i }, false)),
            NodeRef::Account(a) => gnode(cx.flow_node(a, false)),
            NodeRef::Property(p) => {
                let r = &c.properties.rows[p as usize];
                let what = [r.kind.as_deref(), r.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
                gnode(ChartNode {
                    key: format!("R:{}", r.id),
                    class: NodeClass::Property,
                    title: r.id.clone(),
                    detail: what,
                    cluster: false,
                })
            }
        }
    }

    /// The neighbours of a node: for an account, its transfers folded per counterparty (in and
    /// out, filtered by date and amount, the largest `limit` counterparties) and its holder; for a
    /// person, company or property, its register links. `None` for an unknown key.
    ///
    /// # Complexity
    /// O(d log d) for an account of degree d (the flow graph's edge lists), O(d) otherwise: the
    /// page asks for one node at a time and never receives the whole graph.
    pub fn expand(&self, key: &str, f: &Expand) -> Option<Subgraph> {
        let c = self.view();
        let flow = &self.graph.flow;
        let mut g = Subgraph::default();
        let node =
            if let Some(&n) = self.cash.get(key) { None.or(Some(Err(n))) } else { self.node_of_key(key).map(Ok) }?;
        let flow_node = match node {
            Ok(NodeRef::Account(a)) => Some(a),
            Err(n) => Some(n),
            _ => None,
        };
        let cx = self.chart_ctx();
        if let Some(n) = flow_node {
            g.nodes.push(gnode(cx.flow_node(n, false)));
            let from = f.from.unwrap_or(i64::MIN);
            let to = f.to.unwrap_or(i64::MAX);
            // (counterparty, outgoing) -> transfers
            let mut per: HashMap<(u32, bool), Vec<u32>> = HashMap::new();
            for (edges, out) in [(flow.out_edges(n), true), (flow.in_edges(n), false)] {
                for &e in edges {
                    let t = flow.time[e as usize].0;
                    if t < from || t > to || f.min_cents.is_some_and(|m| flow.cents[e as usize] < m) {
                        continue;
                    }
                    let other = if out { flow.dst[e as usize] } else { flow.src[e as usize] };
                    per.entry((other, out)).or_default().push(e);
                }
            }
            let mut groups: Vec<((u32, bool), Vec<u32>, i64)> = per
                .into_iter()
                .map(|(k, v)| {
                    let cents: i64 = v.iter().map(|&e| flow.cents[e as usize]).fold(0i64, i64::saturating_add);
                    (k, v, cents)
                })
                .collect();
            groups.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            let limit = f.limit.max(1);
            g.more = groups.len().saturating_sub(limit);
            groups.truncate(limit);
            let mine = gnode(cx.flow_node(n, false)).id;
            for ((other, out), mut txns, cents) in groups {
                txns.sort_unstable();
                let on = gnode(cx.flow_node(other, false));
                let (s, t) = if out { (mine.clone(), on.id.clone()) } else { (on.id.clone(), mine.clone()) };
                let total: Decimal = txns.iter().map(|&e| flow.base_of(e as usize)).sum();
                let times = txns.iter().map(|&e| flow.time[e as usize].0);
                g.edges.push(GEdge {
                    id: format!("transfer|{s}|{t}"),
                    source: s,
                    target: t,
                    kind: "transfer",
                    color: LinkKind::Transfer.color(),
                    style: Confidence::Confirmed.dot_style(),
                    label: format!("{} × {} {}", txns.len(), total.round_dp(2), c.meta.base_currency),
                    count: txns.len(),
                    total: total.round_dp(2).to_string(),
                    cents,
                    first: times.clone().min().unwrap_or(0),
                    last: times.max().unwrap_or(0),
                    provenance: txns.iter().take(20).map(|&e| self.prov_text(c.transfers.prov(e as usize))).collect(),
                });
                g.nodes.push(on);
            }
        }
        if let Ok(r) = node {
            let net = &self.graph.network;
            let idx = net.node(r);
            if flow_node.is_none() {
                g.nodes.push(self.network_node(r));
            }
            for dir in [petgraph::Direction::Outgoing, petgraph::Direction::Incoming] {
                for e in net.graph.edges_directed(idx, dir) {
                    use petgraph::visit::EdgeRef;
                    let (a, b) = (net.what(e.source()), net.what(e.target()));
                    let other = if dir == petgraph::Direction::Outgoing { b } else { a };
                    let (kind, label, prov) = match *e.weight() {
                        EdgeKind::Holds => {
                            let acc = match (a, b) {
                                (_, NodeRef::Account(x)) | (NodeRef::Account(x), _) => x,
                                _ => continue,
                            };
                            (LinkKind::Holds, "holds".to_string(), c.accounts.rows[acc as usize].prov)
                        }
                        EdgeKind::Owns { share, row, nominee } => (
                            LinkKind::Owns,
                            format!(
                                "owns {}%{}",
                                (share * Decimal::from(100)).round_dp(2),
                                if nominee { " (nominee)" } else { "" }
                            ),
                            c.ownership.rows[row as usize].prov,
                        ),
                        EdgeKind::Directs { role, row } => {
                            (LinkKind::Directs, role.as_str().to_string(), c.ownership.rows[row as usize].prov)
                        }
                        EdgeKind::Title { share, row, .. } => (
                            LinkKind::Title,
                            format!("title {}%", (share * Decimal::from(100)).round_dp(2)),
                            c.titles.rows[row as usize].prov,
                        ),
                        EdgeKind::Related { kind, row } => {
                            (LinkKind::Related, kind.as_str().to_string(), c.relations.rows[row as usize].prov)
                        }
                    };
                    let (sn, tn) = (self.network_node(a), self.network_node(b));
                    g.edges.push(GEdge {
                        id: format!("{}|{}|{}|{}", kind_name(kind), sn.id, tn.id, prov.line),
                        source: sn.id.clone(),
                        target: tn.id.clone(),
                        kind: kind_name(kind),
                        color: kind.color(),
                        style: Confidence::Confirmed.dot_style(),
                        label,
                        count: 0,
                        total: String::new(),
                        cents: 0,
                        first: 0,
                        last: 0,
                        provenance: vec![self.prov_text(prov)],
                    });
                    g.nodes.push(self.network_node(other));
                }
            }
        }
        let mut seen = BTreeSet::new();
        g.nodes.retain(|n| seen.insert(n.id.clone()));
        Some(g)
    }

    /// Runs a query on the audience's view with the CLI's budgets. `explain` only plans.
    ///
    /// # Errors
    /// The query's parse, plan or run error, rendered with line and column.
    pub fn query(&self, text: &str, params: &BTreeMap<String, String>, explain: bool) -> Result<QueryOut, String> {
        let c = self.view();
        let params: HashMap<String, Value> =
            params.iter().map(|(k, v)| (k.trim().trim_start_matches('$').to_string(), query::param_value(v))).collect();
        let plan = query::prepare(text, c, &params).map_err(|e| e.render(text))?;
        let mut out = QueryOut { plan: plan.plan.to_string(), columns: plan.columns.clone(), ..QueryOut::default() };
        if explain {
            return Ok(out);
        }
        let budget = Budget { max_rows: 2_000_000, max_time: std::time::Duration::from_secs(120), ..Budget::default() };
        let t0 = std::time::Instant::now();
        let res = query::execute(&plan, c, &self.graph, params, &budget).map_err(|e| e.render(text))?;
        out.millis = t0.elapsed().as_millis();
        out.total_rows = res.rows.len();
        out.rows = res.rows.iter().take(1000).map(|r| r.iter().map(|v| v.render(c)).collect()).collect();
        out.graph = self.result_graph(&res.rows);
        if out.graph.edges.is_empty() {
            // Rows of ids only (`collect(t.id) AS txn_ids`): draw the transfers they name.
            let txns = query::transfers_in(&res, c);
            let rows: Vec<Vec<Value>> =
                txns.iter().take(400).map(|&t| vec![Value::Rel(RelId::Transfer(TransferId::from_raw(t)))]).collect();
            if !rows.is_empty() {
                out.graph = self.result_graph(&rows);
            }
        }
        Ok(out)
    }

    fn query_node(&self, n: NodeId) -> Option<GNode> {
        let cx = self.chart_ctx();
        Some(match n {
            NodeId::Person(i) => self.network_node(NodeRef::Person(i.raw())),
            NodeId::Company(i) => self.network_node(NodeRef::Company(i.raw())),
            NodeId::Account(a) => self.network_node(NodeRef::Account(a.raw())),
            NodeId::Property(p) => self.network_node(NodeRef::Property(p)),
            NodeId::Cash(n) => gnode(cx.flow_node(n, false)),
            NodeId::Labelled(..) => return None,
        })
    }

    fn result_graph(&self, rows: &[Vec<Value>]) -> Subgraph {
        let c = self.view();
        let mut nodes: BTreeMap<String, GNode> = BTreeMap::new();
        let mut edges: BTreeMap<String, GEdge> = BTreeMap::new();
        let mut add_rel = |r: RelId, nodes: &mut BTreeMap<String, GNode>, edges: &mut BTreeMap<String, GEdge>| {
            let ent = |e: EntityRef| match e.kind {
                EntityKind::Person => NodeRef::Person(e.idx),
                EntityKind::Company => NodeRef::Company(e.idx),
            };
            let (a, b, kind, label, prov, cents, at) = match r {
                RelId::Transfer(t) => {
                    let t = t.ix();
                    let fl = &self.graph.flow;
                    let (s, d) = (self.graph_node_key(fl.src[t]), self.graph_node_key(fl.dst[t]));
                    let (Some(s), Some(d)) = (s, d) else { return };
                    let label =
                        format!("{} {} {}", c.transfers.txn_id.get(t), fl.base_of(t).round_dp(2), c.meta.base_currency);
                    nodes.entry(s.id.clone()).or_insert(s.clone());
                    nodes.entry(d.id.clone()).or_insert(d.clone());
                    let id = format!("T|{t}");
                    edges.entry(id.clone()).or_insert(GEdge {
                        id,
                        source: s.id,
                        target: d.id,
                        kind: "transfer",
                        color: LinkKind::Transfer.color(),
                        style: "solid",
                        label,
                        count: 1,
                        total: fl.base_of(t).round_dp(2).to_string(),
                        cents: fl.cents[t],
                        first: fl.time[t].0,
                        last: fl.time[t].0,
                        provenance: vec![self.prov_text(c.transfers.prov(t))],
                    });
                    return;
                }
                RelId::Holds(acc) => match c.accounts.rows.get(acc.ix()).and_then(|r| r.holder.map(|h| (h, r.prov))) {
                    Some((h, p)) => {
                        (ent(h), NodeRef::Account(acc.raw()), LinkKind::Holds, "holds".to_string(), p, 0, 0)
                    }
                    None => return,
                },
                RelId::Owns(row) | RelId::Directs(row) => {
                    let Some(o) = c.ownership.rows.get(row as usize) else { return };
                    let k = if matches!(r, RelId::Owns(_)) { LinkKind::Owns } else { LinkKind::Directs };
                    (ent(o.holder), NodeRef::Company(o.company), k, o.role.as_str().to_string(), o.prov, 0, 0)
                }
                RelId::Title(row) => {
                    let Some(t) = c.titles.rows.get(row as usize) else { return };
                    (ent(t.owner), NodeRef::Property(t.property), LinkKind::Title, "title".into(), t.prov, 0, 0)
                }
                RelId::Related(row) => {
                    let Some(x) = c.relations.rows.get(row as usize) else { return };
                    (NodeRef::Person(x.person), ent(x.related), LinkKind::Related, x.kind.as_str().into(), x.prov, 0, 0)
                }
                RelId::Labelled(..) => return,
            };
            let (sn, tn) = (self.network_node(a), self.network_node(b));
            let id = format!("{}|{}|{}|{}", kind_name(kind), sn.id, tn.id, prov.line);
            edges.entry(id.clone()).or_insert(GEdge {
                id,
                source: sn.id.clone(),
                target: tn.id.clone(),
                kind: kind_name(kind),
                color: kind.color(),
                style: "solid",
                label,
                count: 0,
                total: String::new(),
                cents,
                first: at,
                last: at,
                provenance: vec![self.prov_text(prov)],
            });
            nodes.entry(sn.id.clone()).or_insert(sn);
            nodes.entry(tn.id.clone()).or_insert(tn);
        };
        fn walk(
            v: &Value,
            e: &Engine,
            nodes: &mut BTreeMap<String, GNode>,
            edges: &mut BTreeMap<String, GEdge>,
            rel: &mut dyn FnMut(RelId, &mut NodeMap, &mut EdgeMap),
        ) {
            match v {
                Value::Node(n) => {
                    if let Some(g) = e.query_node(*n) {
                        nodes.entry(g.id.clone()).or_insert(g);
                    }
                }
                Value::Rel(r) => rel(*r, nodes, edges),
                Value::Path(p) => {
                    for n in &p.nodes {
                        walk(&Value::Node(*n), e, nodes, edges, rel);
                    }
                    for r in &p.rels {
                        rel(*r, nodes, edges);
                    }
                }
                Value::List(l) => l.iter().for_each(|x| walk(x, e, nodes, edges, rel)),
                _ => {}
            }
        }
        for row in rows {
            if edges.len() >= 400 || nodes.len() >= 400 {
                break;
            }
            for v in row {
                walk(v, self, &mut nodes, &mut edges, &mut add_rel);
            }
        }
        Subgraph { nodes: nodes.into_values().collect(), edges: edges.into_values().collect(), more: 0 }
    }

    fn graph_node_key(&self, n: u32) -> Option<GNode> {
        (n < self.graph.flow.node_count()).then(|| gnode(self.chart_ctx().flow_node(n, false)))
    }

    /// Traces the credits of an account (view id) in a date window under the given rules, on
    /// the audience's view.
    ///
    /// # Errors
    /// An unknown account, or the engine's validation error.
    pub fn trace(&self, account: &str, from: Option<&str>, to: Option<&str>, rule: &str) -> Result<TraceOut, String> {
        let date = |k: &str, v: Option<&str>| {
            v.map(|v| crate::model::Date::parse_iso(v).ok_or_else(|| format!("{k}: '{v}' is not a date (YYYY-MM-DD)")))
                .transpose()
        };
        let (from, to) = (date("from", from)?, date("to", to)?);
        let rules: Vec<Rule> = if rule.is_empty() || rule == "all" {
            Rule::ALL.to_vec()
        } else {
            rule.split(',').map(|r| r.parse().map_err(|e| format!("rule: {e}"))).collect::<Result<_, String>>()?
        };
        let rules = &rules[..];
        let c = self.view();
        let sel = [SourceSelection::Account { account: account.to_string(), from, to }];
        let results = trace_case(c, &sel, rules, &TraceConfig::default()).map_err(|e| e.to_string())?;
        let acct = |a: u32| c.accounts.rows.get(a as usize);
        let mut out = Vec::new();
        for r in &results {
            let s = r.summary(crate::trace::Label(1));
            let mut received: BTreeMap<u32, Decimal> = BTreeMap::new();
            for row in &r.rows {
                if let Some(to) = row.to {
                    *received.entry(to).or_default() += row.tainted;
                }
            }
            let remaining: BTreeMap<u32, Decimal> = r.balances.iter().map(|b| (b.account, b.tainted)).collect();
            let mut accounts: Vec<(u32, Decimal)> = received.into_iter().collect();
            accounts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let accounts = accounts
                .into_iter()
                .take(50)
                .filter_map(|(a, amt)| {
                    let r = acct(a)?;
                    let holder = r.holder.map(|h| c.entity_name(h).to_string()).unwrap_or_default();
                    let rem = remaining.get(&a).copied().unwrap_or_default();
                    Some([r.id.clone(), holder, amt.round_dp(2).to_string(), rem.round_dp(2).to_string()])
                })
                .collect();
            let mut by_txn: HashMap<u32, Decimal> = HashMap::new();
            for row in &r.rows {
                *by_txn.entry(row.seq).or_default() += row.tainted;
            }
            let mut properties = Vec::new();
            for t in &c.titles.rows {
                let paid: Decimal = t.payment_txns.iter().filter_map(|x| by_txn.get(x)).copied().sum();
                if paid.is_zero() {
                    continue;
                }
                let p = &c.properties.rows[t.property as usize];
                let rows: Vec<String> =
                    t.payment_txns.iter().map(|&x| self.prov_text(c.transfers.prov(x as usize))).collect();
                properties.push([
                    p.id.clone(),
                    c.entity_name(t.owner).to_string(),
                    paid.round_dp(2).to_string(),
                    rows.join(" "),
                ]);
            }
            let z = |d: Option<Decimal>| d.map(|d| d.round_dp(2).to_string()).unwrap_or_default();
            out.push(TraceRule {
                properties,
                rule: r.rule.to_string(),
                basis: r.rule.legal_basis().to_string(),
                introduced: z(s.map(|s| s.introduced)),
                exited: z(s.map(|s| s.exited)),
                absorbed: z(s.map(|s| s.absorbed_by_overdraft)),
                remaining: z(s.map(|s| s.remaining)),
                accounts,
            });
        }
        Ok(TraceOut { rules: out })
    }

    /// The confiscable view of one suspect (view id): scope assets with traced proceeds per rule
    /// and the bands, on the audience's view.
    ///
    /// # Errors
    /// An unknown suspect, or the engine's error.
    pub fn assets(&self, suspect: &str) -> Result<SuspectAssets, String> {
        let rules = &[Rule::Fifo, Rule::Libr, Rule::ProRata];
        let c = self.view();
        let s =
            *self.entities.get(suspect).ok_or_else(|| format!("'{suspect}' is not a person or company of the case"))?;
        let params = ConfiscableParams { rules: rules.to_vec(), ..ConfiscableParams::default() };
        let figs = confiscable(c, &[s], &params).map_err(|e| e.to_string())?;
        let f = figs.into_iter().next().ok_or("no figures")?;
        let b = |x: (Decimal, Decimal)| (x.0.round_dp(2).to_string(), x.1.round_dp(2).to_string());
        let assets = f
            .assets
            .iter()
            .map(|a| {
                let objs: Vec<Decimal> = f.rules.iter().map(|&r| a.object(r)).collect();
                AssetOut {
                    id: a.asset_id.clone(),
                    kind: a.asset_kind.clone(),
                    share: a.share.round_dp(4).normalize().to_string(),
                    net: a.net_attributable.map(|d| d.round_dp(2).to_string()).unwrap_or_default(),
                    traced: a.traced.iter().map(|(r, d)| (r.to_string(), d.round_dp(2).to_string())).collect(),
                    band: b((
                        objs.iter().copied().min().unwrap_or_default(),
                        objs.iter().copied().max().unwrap_or_default(),
                    )),
                    basis: a.basis.clone(),
                    evidence: a.evidence.iter().take(10).map(|&p| self.prov_text(p)).collect(),
                }
            })
            .collect();
        Ok(SuspectAssets {
            suspect: c.entity_id(s).to_string(),
            assets,
            object_band: b(f.object_band()),
            value_band: b(f.value_band()),
            disproportion_band: b(f.disproportion_band()),
            notes: f.notes.clone(),
        })
    }

    /// The options `investigate` uses, with the workspace's selection and log stamp.
    pub fn bundle_options(
        &self,
        selection: Option<BTreeSet<String>>,
        workspace: Option<WorkspaceStamp>,
    ) -> InvestigateOptions {
        InvestigateOptions {
            audience: self.opts.audience,
            protection: self.opts.protection.clone(),
            graphviz: self.opts.graphviz,
            selection,
            workspace,
            ..InvestigateOptions::default()
        }
    }

    /// Writes the evidence bundle of `selection` (every finding for `None`) into `out`: the
    /// same call and options `investigate` makes, so the bytes are the same for the same
    /// selection.
    ///
    /// # Errors
    /// The bundle's errors.
    pub fn export(
        &self,
        out: &Path,
        selection: Option<BTreeSet<String>>,
        workspace: Option<WorkspaceStamp>,
    ) -> anyhow::Result<Summary> {
        let opts = self.bundle_options(selection, workspace);
        Ok(investigate(&self.real, out, &opts)?)
    }

    /// Checks a query's syntax (the error rendered with line and column).
    ///
    /// # Errors
    /// The first parse error.
    pub fn check_query(&self, text: &str) -> Result<(), String> {
        query::check_syntax(text).map_err(|e| e.render(text))
    }

    /// Re-checks a written bundle against its manifest: (files that match, problems).
    pub fn verify_bundle(&self, dir: &Path) -> (usize, usize) {
        match crate::export::manifest::verify(dir, None) {
            Ok(v) => (v.ok, v.problems.len()),
            Err(_) => (0, 1),
        }
    }

    /// What a bundle of `selection` (every finding for `None`) carries of the workspace log:
    /// the triage table of its findings, the counts per status and the head; `None` for a case
    /// without a log (its bundles stay as `investigate` writes them).
    ///
    /// # Errors
    /// CSV errors.
    pub fn workspace_stamp(
        &self,
        st: &crate::workspace::State,
        selection: Option<&BTreeSet<String>>,
    ) -> anyhow::Result<Option<WorkspaceStamp>> {
        use crate::workspace::Status;
        if st.is_empty() {
            return Ok(None);
        }
        let rows: Vec<(String, crate::workspace::StatusRecord)> = st
            .triaged()
            .into_iter()
            .filter(|(id, _)| self.by_finding.contains_key(*id) && selection.is_none_or(|s| s.contains(*id)))
            .map(|(id, r)| (id.to_string(), r))
            .collect();
        let in_bundle = selection.map_or(self.findings.len(), BTreeSet::len);
        let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|&s| (s, 0)).collect();
        for (_, r) in &rows {
            *counts.entry(r.status).or_default() += 1;
        }
        // Findings never triaged are new.
        *counts.entry(Status::New).or_default() += in_bundle.saturating_sub(rows.len());
        let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{} {n}", s.as_str())).collect();
        Ok(Some(WorkspaceStamp {
            log_head_sha256: st.head.clone(),
            log_entries: st.len(),
            summary: summary.join(", "),
            csv: self.triage_csv(&rows)?,
        }))
    }

    /// The triage table of a bundle (`triage.csv`), formula-safe, reasons scrubbed for the
    /// audience.
    ///
    /// # Errors
    /// CSV errors.
    pub fn triage_csv(&self, rows: &[(String, crate::workspace::StatusRecord)]) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["finding_id", "status", "analyst", "at", "reason", "version", "log_seq"])?;
        for (id, r) in rows {
            let (ver, seq, reason, analyst) =
                (r.version.to_string(), r.seq.to_string(), self.scrub(&r.reason), self.scrub(&r.analyst));
            crate::text::csv_safe::write_record(
                &mut w,
                &[id, r.status.as_str(), &analyst, &r.at, &reason, &ver, &seq],
            )?;
        }
        w.into_inner().context("triage.csv")
    }
}
