//! Timeline of a money flow as SVG (i2 theme lines, docs/methodology.md#diagrams): one horizontal lane per
//! account, each transfer an arrow from the sender's lane to the receiver's at its booking time.
//! Lanes beyond the cap share one "other" lane; beyond the arrow cap the smallest transfers are
//! left out, and a note says how many and how much.

use crate::evidence::chart::{money, Footer};
use crate::evidence::exhibits::{label, Exhibits};
use crate::graph::{FlowGraph, NodeKind};
use crate::model::{Case, DateTime};
use crate::text::clip;
use crate::text::xml::xml;
use chrono::Datelike;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub use crate::evidence::timelines::TimelineLimits;

const LEFT: f64 = 250.0;
const PLOT_W: f64 = 1300.0;
const LANE_H: f64 = 34.0;
const TOP: f64 = 70.0;

fn lane_name(case: &Case, flow: &FlowGraph, n: u32) -> String {
    match flow.kind(n) {
        NodeKind::Account(a) => {
            let acc = case.account_row(a);
            let holder = acc.holder.map(|h| case.entity_name(h).to_string()).unwrap_or_default();
            format!("{} {}", acc.id, holder)
        }
        NodeKind::Cash(c) => format!("cash {}", case.cities.get(c as usize).map(String::as_str).unwrap_or("")),
    }
}

/// Renders the transfers `txns` with `first_lanes` (flow node ids, e.g. the suspect's accounts)
/// on top, then the busiest counterparties.
#[allow(clippy::too_many_arguments)]
pub fn timeline_svg(
    case: &Case,
    flow: &FlowGraph,
    title: &str,
    first_lanes: &[u32],
    txns: &[u32],
    ex: &Exhibits,
    footer: &Footer,
    limits: &TimelineLimits,
) -> String {
    let mut notes = Vec::new();
    let (shown, labelled) = arrows(case, flow, txns, limits, &mut notes);
    let lanes = Lanes::new(flow, first_lanes, &shown, limits, &mut notes);
    let (t0, t1) = match (shown.first(), shown.last()) {
        (Some(&a), Some(&b)) => (flow.time[a as usize].0, flow.time[b as usize].0),
        _ => (0, 0),
    };
    let axis = Axis { t0, t1, span: (t1 - t0).max(86_400) as f64, height_plot: TOP + lanes.count() as f64 * LANE_H };
    let mut b = String::new();
    let _ = write!(b, r#"<text x="20" y="30" font-size="16" font-weight="bold">{}</text>"#, xml(title));
    lanes.draw(&mut b, case, flow);
    axis.draw(&mut b);
    let tr = &case.transfers;
    let placed = place_labels(case, flow, ex, &lanes, &axis, &labelled, &mut notes);
    for &t in &shown {
        let i = t as usize;
        let (Some(ls), Some(ld)) = (lanes.of(flow.src[i]), lanes.of(flow.dst[i])) else { continue };
        let x = axis.x_of(flow.time[i]);
        let ex_no = ex.number(tr.prov(i)).map(label).unwrap_or_default();
        let tip = format!(
            "{} · {} {} · {} · {}",
            tr.txn_id.get(i),
            crate::evidence::chart::amount(tr.amount(i)),
            tr.currency[i],
            flow.time[i],
            ex_no
        );
        let (y1, y2) = (y_of(ls), y_of(ld));
        let _ = write!(b, r#"<g class="transfer"><title>{}</title>"#, xml(&tip));
        if ls == ld {
            let _ = write!(b, r##"<circle cx="{x:.1}" cy="{y1:.1}" r="3" fill="#1f4e79"/>"##);
        } else {
            let y2a = if y2 > y1 { y2 - 5.0 } else { y2 + 5.0 };
            let _ = write!(
                b,
                r##"<line x1="{x:.1}" y1="{y1:.1}" x2="{x:.1}" y2="{y2a:.1}" stroke="#1f4e79" stroke-width="1.2" marker-end="url(#tl-arrow)"/>"##
            );
        }
        if let Some((lx, ly)) = placed.get(&t) {
            let _ = write!(b, r#"<text class="exl" x="{lx:.1}" y="{ly:.1}" font-size="8">{}</text>"#, xml(&ex_no));
        }
        b.push_str("</g>\n");
    }
    let mut fy = axis.height_plot + 24.0;
    let first = format!(
        "{} transfers drawn, {} to {}; arrows point from sender to receiver; labels are exhibit numbers ({})",
        shown.len(),
        DateTime(t0).date(),
        DateTime(t1).date(),
        if shown.len() <= limits.max_labels { "all".to_string() } else { format!("largest {}", limits.max_labels) }
    );
    let w = LEFT + PLOT_W + 30.0;
    let max = super::svg::chars_fitting(w - 40.0);
    for l in
        std::iter::once(&first).chain(notes.iter()).chain(footer.lines.iter()).flat_map(|l| super::svg::wrap(l, max))
    {
        let _ = write!(b, r#"<text x="20" y="{fy:.1}" font-size="9">{}</text>"#, xml(&l));
        fy += 13.0;
    }
    let h = fy + 20.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans, Arial, sans-serif" role="img"><title>{}</title><defs><marker id="tl-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs><rect width="100%" height="100%" fill="white"/>
{b}</svg>
"##,
        xml(title)
    )
}

/// Width of a label of `n` characters at font size 8 (DejaVu Sans digits are 0.64 em wide).
fn label_width(n: usize) -> f64 {
    n as f64 * 5.2 + 2.0
}

/// Positions of the exhibit labels that fit: the largest transfers first, each at its arrow's
/// middle, else moved up or down by one or two label heights; a label that would still overlap
/// one already placed is left out (its exhibit number stays in the arrow's tooltip), and a note
/// says how many.
fn place_labels(
    case: &Case,
    flow: &FlowGraph,
    ex: &Exhibits,
    lanes: &Lanes,
    axis: &Axis,
    labelled: &BTreeSet<u32>,
    notes: &mut Vec<String>,
) -> BTreeMap<u32, (f64, f64)> {
    const H: f64 = 9.0;
    let mut order: Vec<u32> = labelled.iter().copied().collect();
    order.sort_by(|&a, &b| flow.base_of(b as usize).cmp(&flow.base_of(a as usize)).then(a.cmp(&b)));
    let mut boxes: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut out = BTreeMap::new();
    let mut dropped = 0usize;
    for t in order {
        let i = t as usize;
        let (Some(ls), Some(ld)) = (lanes.of(flow.src[i]), lanes.of(flow.dst[i])) else { continue };
        let text = ex.number(case.transfers.prov(i)).map(label).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let x = axis.x_of(flow.time[i]) + 2.0;
        let w = label_width(text.chars().count());
        let mid = (y_of(ls) + y_of(ld)) / 2.0;
        let spot =
            [0.0, -H - 1.0, H + 1.0, -2.0 * (H + 1.0), 2.0 * (H + 1.0)].into_iter().map(|d| mid + d).find(|&y| {
                boxes.iter().all(|&(bx, by, bw, bh)| x + w <= bx || bx + bw <= x || y <= by - bh || y - H >= by)
            });
        match spot {
            Some(y) => {
                boxes.push((x, y, w, H));
                out.insert(t, (x, y));
            }
            None => dropped += 1,
        }
    }
    if dropped > 0 {
        notes.push(format!(
            "{dropped} exhibit labels left out where they would overlap others; each arrow's exhibit number is in its tooltip and in the exhibit table"
        ));
    }
    out
}

/// The arrows: the largest max_arrows transfers, in time order, and the max_labels largest of
/// them, which get their exhibit number.
fn arrows(
    case: &Case,
    flow: &FlowGraph,
    txns: &[u32],
    limits: &TimelineLimits,
    notes: &mut Vec<String>,
) -> (Vec<u32>, BTreeSet<u32>) {
    let mut shown: Vec<u32> = txns.to_vec();
    shown.sort_by(|&a, &b| flow.base_of(b as usize).cmp(&flow.base_of(a as usize)).then(a.cmp(&b)));
    if shown.len() > limits.max_arrows {
        let left: Decimal = shown[limits.max_arrows..].iter().map(|&t| flow.base_of(t as usize)).sum();
        notes.push(format!(
            "{} smaller transfers ({}) not drawn; all are in exhibits.csv",
            shown.len() - limits.max_arrows,
            money(left, case.meta.base_currency.as_str())
        ));
        shown.truncate(limits.max_arrows);
    }
    let labelled: BTreeSet<u32> = shown.iter().take(limits.max_labels).copied().collect();
    shown.sort_by_key(|&t| (flow.time[t as usize], t));
    (shown, labelled)
}

/// The lanes: the first lanes, then the counterparties by value drawn, up to max_lanes; the
/// rest share the lane "other".
struct Lanes {
    lanes: Vec<u32>,
    /// Index of the "other" lane, when there is one.
    other: Option<usize>,
}

impl Lanes {
    fn new(
        flow: &FlowGraph,
        first_lanes: &[u32],
        shown: &[u32],
        limits: &TimelineLimits,
        notes: &mut Vec<String>,
    ) -> Lanes {
        let mut lanes: Vec<u32> = first_lanes.iter().copied().take(limits.max_lanes).collect();
        let mut value: BTreeMap<u32, Decimal> = BTreeMap::new();
        for &t in shown {
            for n in [flow.src[t as usize], flow.dst[t as usize]] {
                // Ranking only (never printed): past the exact range it saturates, ranks first.
                let v = value.entry(n).or_default();
                *v = v.saturating_add(flow.base_of(t as usize));
            }
        }
        let mut others: Vec<(u32, Decimal)> = value.into_iter().filter(|(n, _)| !lanes.contains(n)).collect();
        others.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let room = limits.max_lanes.saturating_sub(lanes.len());
        lanes.extend(others.iter().take(room).map(|x| x.0));
        let other = (others.len() > room).then(|| {
            notes.push(format!("{} further accounts share the lane \"other\"", others.len() - room));
            lanes.len()
        });
        Lanes { lanes, other }
    }

    /// The lane of flow node `n`.
    fn of(&self, n: u32) -> Option<usize> {
        self.lanes.iter().position(|&l| l == n).or(self.other)
    }

    fn count(&self) -> usize {
        self.lanes.len() + self.other.map_or(0, |_| 1)
    }

    /// The lanes' bands, lines and names.
    fn draw(&self, b: &mut String, case: &Case, flow: &FlowGraph) {
        for i in 0..self.count() {
            let name = match self.lanes.get(i) {
                Some(&l) if Some(i) != self.other => lane_name(case, flow, l),
                _ => "other".to_string(),
            };
            let y = y_of(i);
            let fill = if i % 2 == 0 { "#f6f8fa" } else { "#ffffff" };
            let _ = write!(
                b,
                r##"<rect x="10" y="{:.1}" width="{:.1}" height="{LANE_H}" fill="{fill}"/><line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#bbbbbb"/><text x="16" y="{:.1}" font-size="10">{}</text>"##,
                y - LANE_H / 2.0,
                LEFT + PLOT_W,
                LEFT + PLOT_W,
                y + 4.0,
                xml(&clip(&name, 40))
            );
        }
    }
}

/// The middle of lane `lane`.
fn y_of(lane: usize) -> f64 {
    TOP + lane as f64 * LANE_H + LANE_H / 2.0
}

/// The time axis: first and last second drawn, the span (at least a day) and the plot's bottom.
struct Axis {
    t0: i64,
    t1: i64,
    span: f64,
    height_plot: f64,
}

impl Axis {
    fn x_of(&self, t: DateTime) -> f64 {
        LEFT + (t.0 - self.t0) as f64 / self.span * PLOT_W
    }

    fn tick(&self, b: &mut String, x: f64, text: &dyn std::fmt::Display) {
        let _ = write!(
            b,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#dddddd"/><text x="{x:.1}" y="{:.1}" font-size="9" text-anchor="middle">{text}</text>"##,
            TOP - 8.0,
            self.height_plot,
            TOP - 12.0
        );
    }

    /// Ticks: every day or few days up to 60 days (most findings), months when the span is
    /// under two years, else years.
    fn draw(&self, b: &mut String) {
        let (t0, t1) = (self.t0, self.t1);
        let (d0, d1) = (DateTime(t0).date().to_naive(), DateTime(t1).date().to_naive());
        let monthly = (d1.year() - d0.year()) * 12 + d1.month() as i32 - d0.month() as i32 <= 24;
        let (mut y, mut m) = (d0.year(), if monthly { d0.month() } else { 1 });
        let days = DateTime(t1).date().0 - DateTime(t0).date().0;
        if days <= 60 {
            let mut d = DateTime(t0).date();
            while d.start().0 <= t1 {
                if d.start().0 >= t0 {
                    self.tick(b, self.x_of(d.start()), &d);
                }
                d = crate::model::Date(d.0 + (days / 10).max(1));
            }
        }
        for _ in 0..if days <= 60 { 0 } else { 400 } {
            let Some(d) = crate::model::Date::from_ymd(y, m, 1) else { break };
            if d.start().0 > t1 {
                break;
            }
            if d.start().0 >= t0 {
                let text = if monthly { format!("{y}-{m:02}") } else { y.to_string() };
                self.tick(b, self.x_of(d.start()), &text);
            }
            if monthly {
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            } else {
                y += 1;
            }
        }
    }
}
