//! Charts as Graphviz DOT, built with graphviz-rust's DOT structures and rendered to SVG, PNG and
//! PDF by the `dot` program when it is installed.
//!
//! Node ids are generated (`n0`, `n1`, ...); every text from the case goes into quoted
//! attributes through [`crate::text::dot::quoted`], so a name such as `"];` stays a label.

use crate::evidence::chart::{Chart, Confidence, Footer, NodeClass};
use crate::evidence::exhibits::{full_list, Exhibits};
use crate::text::clip;
use crate::text::dot::{label as dot_label, quoted as dot_quoted, Lines};
use graphviz_rust::cmd::{CommandArg, Format};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use rust_decimal::prelude::ToPrimitive;

const FONT: &str = "\"DejaVu Sans\"";

fn plain(s: &str) -> Id {
    Id::Plain(s.to_string())
}

fn esc(quoted: String) -> Id {
    Id::Escaped(quoted)
}

fn a(k: &str, v: Id) -> Attribute {
    Attribute(plain(k), v)
}

fn q(k: &str, v: &str) -> Attribute {
    a(k, esc(dot_quoted(v)))
}

fn node(id: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(NodeId(plain(id), None), attrs))
}

fn edge(from: &str, to: &str, attrs: Vec<Attribute>) -> Stmt {
    let v = |s: &str| Vertex::N(NodeId(plain(s), None));
    Stmt::Edge(Edge { ty: EdgeTy::Pair(v(from), v(to)), attributes: attrs })
}

/// The chart as a DOT document.
///
/// Layout left to right; the suspect's cluster is a subgraph `cluster_suspect`; a legend
/// cluster shows every entity shape and line style; the footer is the graph label. Each edge
/// label ends with its exhibit numbers (at most 6; all of them in the tooltip).
pub fn to_dot(chart: &Chart, ex: &Exhibits, footer: &Footer) -> String {
    let mut stmts: Vec<Stmt> = Vec::new();
    let mut foot: Vec<String> = vec![chart.title.clone()];
    foot.extend(chart.note_lines());
    foot.extend(footer.lines.iter().cloned());
    let foot_refs: Vec<&str> = foot.iter().map(String::as_str).collect();
    stmts.push(Stmt::GAttribute(GraphAttributes::Graph(vec![
        a("rankdir", plain("LR")),
        a("fontname", plain(FONT)),
        a("fontsize", plain("10")),
        a("labelloc", plain("b")),
        a("labeljust", plain("l")),
        a("nodesep", plain("0.25")),
        a("ranksep", plain("0.9")),
        a("label", esc(dot_label(&foot_refs, Lines::Left))),
    ])));
    stmts.push(Stmt::GAttribute(GraphAttributes::Node(vec![
        a("fontname", plain(FONT)),
        a("fontsize", plain("9")),
        a("style", plain("filled")),
    ])));
    stmts.push(Stmt::GAttribute(GraphAttributes::Edge(vec![a("fontname", plain(FONT)), a("fontsize", plain("8"))])));

    let node_stmt = |i: usize| {
        let n = &chart.nodes[i];
        let title = clip(&n.title, 40);
        let detail = clip(&n.detail, 44);
        node(
            &format!("n{i}"),
            vec![
                a("shape", plain(n.class.dot_shape())),
                q("fillcolor", n.class.fill()),
                q("color", n.class.stroke()),
                a("penwidth", plain(if n.class == NodeClass::Suspect { "2.5" } else { "1" })),
                a("label", esc(dot_label(&[&title, &detail], Lines::Centred))),
                q("tooltip", &format!("{} — {} ({})", n.title, n.detail, chart.class_name(n.class))),
            ],
        )
    };
    let clustered: Vec<usize> = (0..chart.nodes.len()).filter(|&i| chart.nodes[i].cluster).collect();
    if let (Some(label), false) = (&chart.cluster_label, clustered.is_empty()) {
        let mut sub = vec![
            Stmt::Attribute(q("label", label)),
            Stmt::Attribute(a("style", plain("rounded"))),
            Stmt::Attribute(q("color", "#b00000")),
        ];
        sub.extend(clustered.iter().map(|&i| node_stmt(i)));
        stmts.push(Stmt::Subgraph(Subgraph { id: plain("cluster_suspect"), stmts: sub }));
    }
    stmts.extend(
        (0..chart.nodes.len()).filter(|&i| !chart.nodes[i].cluster || chart.cluster_label.is_none()).map(node_stmt),
    );

    let max_w = chart.edges.iter().map(|e| e.weight).max().unwrap_or_default();
    for e in &chart.edges {
        let label = chart.edge_label(e, ex, 6);
        let refs: Vec<&str> = label.iter().map(String::as_str).collect();
        let numbers = ex.numbers(&e.provs);
        let tip = if numbers.is_empty() { chart.words().no_source.clone() } else { full_list(&numbers) };
        let width = if max_w.is_zero() { 1.0 } else { 1.0 + 3.0 * (e.weight / max_w).to_f64().unwrap_or(0.0) };
        stmts.push(edge(
            &format!("n{}", e.from),
            &format!("n{}", e.to),
            vec![
                a("label", esc(dot_label(&refs, Lines::Centred))),
                q("tooltip", &tip),
                a("style", plain(e.confidence.dot_style())),
                q("color", e.kind.color()),
                a("penwidth", plain(&format!("{width:.1}"))),
            ],
        ));
    }
    stmts.push(legend(&chart.words()));
    let g = Graph::DiGraph { id: esc(dot_quoted(&chart.name)), strict: false, stmts };
    let mut ctx = PrinterContext::default();
    g.print(&mut ctx)
}

fn legend(words: &crate::evidence::chart::ChartWords) -> Stmt {
    let mut s = vec![
        Stmt::Attribute(q("label", &words.legend)),
        Stmt::Attribute(a("style", plain("rounded"))),
        Stmt::Attribute(q("color", "#888888")),
    ];
    for (i, c) in NodeClass::ALL.iter().enumerate() {
        s.push(node(
            &format!("legend_n{i}"),
            vec![
                a("shape", plain(c.dot_shape())),
                q("fillcolor", c.fill()),
                q("color", c.stroke()),
                q("label", &words.classes[i]),
                a("fontsize", plain("8")),
                a("height", plain("0.3")),
            ],
        ));
        // Invisible chain: the legend entries run left to right in one row.
        if i > 0 {
            s.push(edge(&format!("legend_n{}", i - 1), &format!("legend_n{i}"), vec![a("style", plain("invis"))]));
        }
    }
    for (i, c) in Confidence::ALL.iter().enumerate() {
        let (x, y) = (format!("legend_a{i}"), format!("legend_b{i}"));
        for n in [&x, &y] {
            s.push(node(n, vec![a("shape", plain("point")), a("width", plain("0.05"))]));
        }
        s.push(edge(&x, &y, vec![a("style", plain(c.dot_style())), q("label", &words.lines[i])]));
    }
    s.push(Stmt::Attribute(q("fontsize", "9")));
    Stmt::Subgraph(Subgraph { id: plain("cluster_legend"), stmts: s })
}

/// True when Graphviz's `dot` runs.
pub fn graphviz_available() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// An output format of Graphviz.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendering {
    /// Scalable vector graphics.
    Svg,
    /// Raster image.
    Png,
    /// PDF (its creation date is replaced by `pdf_date` so the file is reproducible).
    Pdf,
}

/// Renders DOT with Graphviz. A PDF's `/CreationDate` (the only run-dependent bytes Graphviz
/// writes) is overwritten in place by `pdf_date` (`YYYYMMDD`), keeping every byte offset.
///
/// # Errors
/// When `dot` is missing or fails.
pub fn render(dot: &str, format: Rendering, pdf_date: &str) -> std::io::Result<Vec<u8>> {
    let f = match format {
        Rendering::Svg => Format::Svg,
        Rendering::Png => Format::Png,
        Rendering::Pdf => Format::Pdf,
    };
    let mut out = graphviz_rust::exec_dot(dot.to_string(), vec![CommandArg::Format(f)])?;
    if format == Rendering::Pdf {
        fix_pdf_date(&mut out, pdf_date);
    }
    Ok(out)
}

/// Overwrites `/CreationDate (D:YYYYMMDDHHMMSS...)` and `/ModDate` with a fixed date of the same
/// length.
fn fix_pdf_date(pdf: &mut [u8], date: &str) {
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let mut from = 0;
        while let Some(pos) = find(&pdf[from..], key) {
            let start = from + pos + key.len();
            let end = pdf[start..].iter().position(|&b| b == b')').map_or(start, |p| start + p);
            let fixed: Vec<u8> =
                format!("{date}000000").bytes().chain(std::iter::repeat(b'0')).take(end - start).collect();
            for (i, b) in fixed.iter().enumerate() {
                // Keep a trailing 'Z' or offset sign as it was; only digits are replaced.
                if pdf[start + i].is_ascii_digit() {
                    pdf[start + i] = *b;
                }
            }
            from = end;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Graphviz SVG without the XML prolog and DOCTYPE, ready to inline in HTML.
pub fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_fixed_in_place() {
        let mut b = b"x /CreationDate (D:20261127204232Z) y".to_vec();
        let n = b.len();
        fix_pdf_date(&mut b, "20251231");
        assert_eq!(b.len(), n);
        assert_eq!(&b[..], &b"x /CreationDate (D:20251231000000Z) y"[..]);
    }
}
