//! A pure-Rust SVG rendering of a chart, used when Graphviz is not installed: a layered
//! (Sugiyama-style) layout, left to right, with the suspect's cluster as a band at the top,
//! then a legend and the footer. Deterministic: the same chart gives the same bytes.
//!
//! Method: cycles are broken by a depth-first search in node order (back edges ignored for
//! ranking), ranks are longest paths, and nodes are ordered within ranks by four barycentre
//! sweeps (Sugiyama, Tagawa and Toda 1981). Complexity O((V + E) log V) per sweep.

use crate::evidence::chart::{Chart, ChartEdge, Confidence, Footer, LinkKind, NodeClass};
use crate::evidence::exhibits::{full_list, Exhibits};
use crate::text::clip;
use crate::text::xml::xml;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write;

const W: f64 = 190.0;
const H: f64 = 44.0;
const GAP_X: f64 = 190.0;
const GAP_Y: f64 = 34.0;
const MARGIN: f64 = 30.0;
const KINDS: [LinkKind; 7] = [
    LinkKind::Transfer,
    LinkKind::Holds,
    LinkKind::Owns,
    LinkKind::Directs,
    LinkKind::Title,
    LinkKind::Related,
    LinkKind::Inferred,
];

/// Ranks by longest path after breaking cycles at DFS back edges.
fn ranks(n: usize, edges: &[ChartEdge]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        if e.from != e.to && e.from < n && e.to < n {
            out[e.from].push(e.to);
        }
    }
    // Iterative DFS marking back edges.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (u, ref mut i)) = stack.last_mut() {
            if *i < out[u].len() {
                let v = out[u][*i];
                *i += 1;
                match state[v] {
                    0 => {
                        dag[u].push(v);
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    2 => dag[u].push(v),
                    _ => {} // back edge: ignored for ranking
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    let mut indeg = vec![0usize; n];
    for vs in &dag {
        for &v in vs {
            indeg[v] += 1;
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    while let Some(u) = ready.pop_first() {
        for &v in &dag[u] {
            rank[v] = rank[v].max(rank[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                ready.insert(v);
            }
        }
    }
    rank
}

/// Orders each rank by barycentres; clustered nodes first.
fn order(chart: &Chart, rank: &[usize]) -> Vec<Vec<usize>> {
    let layers = rank.iter().max().map_or(0, |m| m + 1);
    let mut lay: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (v, &r) in rank.iter().enumerate() {
        lay[r].push(v);
    }
    let mut nb: Vec<Vec<usize>> = vec![Vec::new(); rank.len()];
    for e in &chart.edges {
        nb[e.from].push(e.to);
        nb[e.to].push(e.from);
    }
    let cluster = |v: usize| !chart.nodes[v].cluster;
    for sweep in 0..4 {
        let mut pos = vec![0.0f64; rank.len()];
        for l in &lay {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
        let range: Vec<usize> = if sweep % 2 == 0 { (0..layers).collect() } else { (0..layers).rev().collect() };
        for r in range {
            let adj = if sweep % 2 == 0 { r.checked_sub(1) } else { Some(r + 1).filter(|&x| x < layers) };
            let Some(adj) = adj else { continue };
            let mut keyed: Vec<(bool, i64, usize)> = lay[r]
                .iter()
                .map(|&v| {
                    let ps: Vec<f64> = nb[v].iter().filter(|&&u| rank[u] == adj).map(|&u| pos[u]).collect();
                    let bc = if ps.is_empty() { pos[v] } else { ps.iter().sum::<f64>() / ps.len() as f64 };
                    (cluster(v), (bc * 1000.0).round() as i64, v)
                })
                .collect();
            keyed.sort();
            lay[r] = keyed.into_iter().map(|k| k.2).collect();
            for (i, &v) in lay[r].iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    }
    for l in &mut lay {
        l.sort_by_key(|&v| cluster(v)); // stable: keeps barycentre order within each group
    }
    lay
}

fn node_shape(s: &mut String, class: NodeClass, x: f64, y: f64, w: f64, h: f64) {
    let (f, k) = (class.fill(), class.stroke());
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let _ = match class {
        NodeClass::Suspect => {
            let d = 10.0;
            write!(
                s,
                r#"<polygon points="{:.1},{y:.1} {:.1},{y:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {x:.1},{:.1} {x:.1},{:.1}" fill="{f}" stroke="{k}" stroke-width="2.5"/>"#,
                x + d,
                x + w - d,
                x + w,
                y + d,
                x + w,
                y + h - d,
                x + w - d,
                y + h,
                x + d,
                y + h,
                y + h - d,
                y + d
            )
        }
        NodeClass::Person => write!(
            s,
            r#"<ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{:.1}" ry="{:.1}" fill="{f}" stroke="{k}"/>"#,
            w / 2.0,
            h / 2.0
        ),
        NodeClass::Company => {
            write!(s, r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{f}" stroke="{k}"/>"#)
        }
        NodeClass::Account => {
            write!(s, r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="9" fill="{f}" stroke="{k}"/>"#)
        }
        NodeClass::Property => write!(
            s,
            r#"<polygon points="{cx:.1},{y:.1} {:.1},{:.1} {:.1},{:.1} {x:.1},{:.1} {x:.1},{:.1}" fill="{f}" stroke="{k}"/>"#,
            x + w,
            y + h * 0.3,
            x + w,
            y + h,
            y + h,
            y + h * 0.3
        ),
        NodeClass::Cash => write!(
            s,
            r#"<polygon points="{cx:.1},{y:.1} {:.1},{cy:.1} {cx:.1},{:.1} {x:.1},{cy:.1}" fill="{f}" stroke="{k}"/>"#,
            x + w,
            y + h
        ),
        NodeClass::Aggregate => write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{f}" stroke="{k}" stroke-dasharray="4,2"/>"#
        ),
    };
}

fn text(s: &mut String, x: f64, y: f64, size: u32, weight: &str, anchor: &str, t: &str) {
    let _ = write!(
        s,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}">{}</text>"#,
        xml(t)
    );
}

/// Renders the chart as a standalone SVG document.
pub fn to_svg(chart: &Chart, ex: &Exhibits, footer: &Footer) -> String {
    let at = Placement::of(chart);
    let mut body = String::new();
    text(&mut body, MARGIN, MARGIN + 10.0, 16, "bold", "start", &chart.title);
    if at.cluster_rows > 0 {
        cluster_box(&mut body, chart, &at);
    }
    let max_w = chart.edges.iter().map(|e| e.weight).max().unwrap_or_default();
    let mut seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for e in &chart.edges {
        let k = seen.entry((e.from.min(e.to), e.from.max(e.to))).or_insert(0);
        let lane = *k as f64;
        *k += 1;
        edge(&mut body, chart, ex, e, &at.xy, lane, max_w);
    }
    for (v, node) in chart.nodes.iter().enumerate() {
        let (x, y) = at.xy[v];
        let _ = write!(
            body,
            r#"<g class="node"><title>{}</title>"#,
            xml(&format!("{} — {} ({})", node.title, node.detail, chart.class_name(node.class)))
        );
        node_shape(&mut body, node.class, x, y, W, H);
        text(&mut body, x + W / 2.0, y + 18.0, 11, "bold", "middle", &clip(&node.title, 28));
        text(&mut body, x + W / 2.0, y + 33.0, 9, "normal", "middle", &clip(&node.detail, 36));
        body.push_str("</g>\n");
    }
    let width = at.width;
    let height = legend_and_notes(&mut body, chart, footer, at.max_y, width) + MARGIN;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="DejaVu Sans, Arial, sans-serif" role="img"><title>{}</title><defs>"#,
        xml(&chart.title)
    );
    for k in KINDS {
        let _ = write!(
            s,
            r#"<marker id="arr-{}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            kind_id(k),
            k.color()
        );
    }
    s.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.push_str(&body);
    s.push_str("</svg>\n");
    s
}

/// Where the nodes go: one column per rank, the cluster's nodes on top of each column and the
/// others below a gap.
struct Placement {
    /// Top-left corner per node.
    xy: Vec<(f64, f64)>,
    /// Top of the first row.
    top: f64,
    /// Most cluster nodes in one column.
    cluster_rows: usize,
    /// Bottom of the lowest node.
    max_y: f64,
    width: f64,
}

impl Placement {
    fn of(chart: &Chart) -> Placement {
        let n = chart.nodes.len();
        let rank = ranks(n, &chart.edges);
        let lay = order(chart, &rank);
        let cluster_rows = lay.iter().map(|l| l.iter().filter(|&&v| chart.nodes[v].cluster).count()).max().unwrap_or(0);
        let top = MARGIN + 40.0 + if cluster_rows > 0 { 24.0 } else { 0.0 };
        let band_gap = if cluster_rows > 0 { 40.0 } else { 0.0 };
        let mut xy = vec![(0.0, 0.0); n];
        let mut max_y: f64 = top;
        for (r, l) in lay.iter().enumerate() {
            let x = MARGIN + r as f64 * (W + GAP_X);
            let (mut ci, mut oi) = (0usize, 0usize);
            for &v in l {
                let y = if chart.nodes[v].cluster {
                    ci += 1;
                    top + (ci - 1) as f64 * (H + GAP_Y)
                } else {
                    oi += 1;
                    top + cluster_rows as f64 * (H + GAP_Y) + band_gap + (oi - 1) as f64 * (H + GAP_Y)
                };
                xy[v] = (x, y);
                max_y = max_y.max(y + H);
            }
        }
        let width = (MARGIN * 2.0 + lay.len().max(1) as f64 * (W + GAP_X) - GAP_X).max(900.0);
        Placement { xy, top, cluster_rows, max_y, width }
    }
}

/// The dashed box around the cluster's nodes, with the cluster's label.
fn cluster_box(body: &mut String, chart: &Chart, at: &Placement) {
    let top = at.top;
    let cl: Vec<usize> = (0..chart.nodes.len()).filter(|&v| chart.nodes[v].cluster).collect();
    let x0 = cl.iter().map(|&v| at.xy[v].0).fold(f64::MAX, f64::min) - 14.0;
    let x1 = cl.iter().map(|&v| at.xy[v].0).fold(f64::MIN, f64::max) + W + 14.0;
    let y1 = top + at.cluster_rows as f64 * (H + GAP_Y) - GAP_Y + 14.0;
    let _ = write!(
        body,
        r##"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="12" fill="#fff7f7" stroke="#b00000" stroke-dasharray="6,3"/>"##,
        top - 26.0,
        x1 - x0,
        y1 - top + 26.0
    );
    text(body, x0 + 8.0, top - 10.0, 11, "bold", "start", chart.cluster_label.as_deref().unwrap_or(""));
}

/// One edge: a curve from its source's right side to its target's left (or a loop below both
/// when the target is not to the right), `lane` curves apart from the edges before it between
/// the same nodes, its width by weight against `max_w`, its label on a white box.
fn edge(body: &mut String, chart: &Chart, ex: &Exhibits, e: &ChartEdge, xy: &[(f64, f64)], lane: f64, max_w: Decimal) {
    let ((x1, y1), (x2, y2)) = (xy[e.from], xy[e.to]);
    let off = lane * 12.0;
    let path = if x2 > x1 {
        let (sx, sy, tx, ty) = (x1 + W, y1 + H / 2.0 + off, x2, y2 + H / 2.0 + off);
        let dx = (tx - sx) / 2.0;
        [(sx, sy), (sx + dx, sy), (tx - dx, ty), (tx, ty)]
    } else {
        // Same or earlier rank: loop below both nodes.
        let (sx, sy, tx, ty) = (x1 + W / 2.0 + off, y1 + H, x2 + W / 2.0 - off, y2 + H);
        let low = sy.max(ty) + 30.0 + off;
        [(sx, sy), (sx, low), (tx, low), (tx, ty)]
    };
    let mid = (
        (path[0].0 + 3.0 * path[1].0 + 3.0 * path[2].0 + path[3].0) / 8.0,
        (path[0].1 + 3.0 * path[1].1 + 3.0 * path[2].1 + path[3].1) / 8.0,
    );
    let sw = if max_w.is_zero() { 1.2 } else { 1.0 + 3.0 * (e.weight / max_w).to_f64().unwrap_or(0.0) };
    let numbers = ex.numbers(&e.provs);
    let tip = if numbers.is_empty() { chart.words().no_source.clone() } else { full_list(&numbers) };
    let dash = e.confidence.dasharray();
    let _ = write!(
        body,
        r#"<g class="edge"><title>{}</title><path d="M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="none" stroke="{}" stroke-width="{sw:.1}"{} marker-end="url(#arr-{})"/>"#,
        xml(&tip),
        path[0].0,
        path[0].1,
        path[1].0,
        path[1].1,
        path[2].0,
        path[2].1,
        path[3].0,
        path[3].1,
        e.kind.color(),
        if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) },
        kind_id(e.kind)
    );
    let label = chart.edge_label(e, ex, 4);
    let lw = label.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * 5.3 + 6.0;
    let lh = label.len() as f64 * 11.0 + 3.0;
    let _ = write!(
        body,
        r#"<rect x="{:.1}" y="{:.1}" width="{lw:.1}" height="{lh:.1}" fill="white" fill-opacity="0.85"/>"#,
        mid.0 - lw / 2.0,
        mid.1 - lh / 2.0
    );
    for (i, l) in label.iter().enumerate() {
        text(body, mid.0, mid.1 - lh / 2.0 + 10.0 + i as f64 * 11.0, 9, "normal", "middle", l);
    }
    body.push_str("</g>\n");
}

/// The legend of node shapes and line styles below `max_y`, then the chart's notes and the
/// footer; returns the baseline after the last line.
fn legend_and_notes(body: &mut String, chart: &Chart, footer: &Footer, max_y: f64, width: f64) -> f64 {
    let ly = max_y + 40.0;
    let words = chart.words();
    text(body, MARGIN, ly, 11, "bold", "start", &words.legend);
    for (i, c) in NodeClass::ALL.iter().enumerate() {
        let x = MARGIN + i as f64 * 125.0;
        node_shape(body, *c, x, ly + 10.0, 40.0, 22.0);
        text(body, x + 46.0, ly + 25.0, 9, "normal", "start", &words.classes[i]);
    }
    for (i, c) in Confidence::ALL.iter().enumerate() {
        let x = MARGIN + i as f64 * 290.0;
        let y = ly + 50.0;
        let dash = c.dasharray();
        let _ = write!(
            body,
            r##"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#333333" stroke-width="1.5"{}/>"##,
            x + 50.0,
            if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) }
        );
        text(body, x + 58.0, y + 4.0, 9, "normal", "start", &words.lines[i]);
    }
    let mut fy = ly + 80.0;
    let mut lines: Vec<String> = chart.note_lines();
    lines.extend(footer.lines.iter().cloned());
    for l in lines.iter().flat_map(|l| wrap(l, chars_fitting(width - 2.0 * MARGIN))) {
        text(body, MARGIN, fy, 9, "normal", "start", &l);
        fy += 13.0;
    }
    fy
}

/// How many characters of 9-point DejaVu Sans fit in `px` (an average glyph is at most
/// 0.62 em wide, so a wrapped line never runs past the diagram's edge).
pub(crate) fn chars_fitting(px: f64) -> usize {
    ((px / (9.0 * 0.62)).floor() as usize).max(20)
}

/// `line` broken at spaces into lines of at most `max` characters (a word longer than `max`,
/// such as a hash, is cut), so footer text wider than the diagram wraps instead of being
/// clipped.
pub(crate) fn wrap(line: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in line.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > max {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            let head: String = word.chars().take(max).collect();
            word = word.chars().skip(max).collect();
            out.push(head);
        }
        let need = cur.chars().count() + usize::from(!cur.is_empty()) + word.chars().count();
        if need > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

fn kind_id(k: LinkKind) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn e(from: usize, to: usize) -> ChartEdge {
        ChartEdge {
            from,
            to,
            kind: LinkKind::Transfer,
            label: vec![],
            confidence: Confidence::Confirmed,
            provs: vec![],
            txns: vec![],
            weight: Default::default(),
        }
    }

    #[test]
    fn long_lines_wrap_within_the_width() {
        let l = "Detectors: fan_in, fan_out, scatter_gather, gather_scatter · tracing rules: fifo, pro-rata · parameters: see report methodology";
        let w = wrap(l, 40);
        assert!(w.len() > 2 && w.iter().all(|x| x.chars().count() <= 40), "{w:?}");
        assert_eq!(w.join(" "), l);
        assert_eq!(wrap(&"a".repeat(90), 40).iter().map(String::len).collect::<Vec<_>>(), vec![40, 40, 10]);
        assert_eq!(wrap("", 40), vec![String::new()]);
    }

    #[test]
    fn ranks_follow_edges_and_survive_cycles() {
        assert_eq!(ranks(3, &[e(0, 1), e(1, 2)]), vec![0, 1, 2]);
        let r = ranks(3, &[e(0, 1), e(1, 2), e(2, 0)]);
        assert_eq!(r, vec![0, 1, 2]);
    }
}
