//! The self-contained case report (report.html): opens offline, loads nothing from outside (a
//! Content-Security-Policy forbids it), and its one inline script (table sorting) is allowed
//! by hash only, so text from the case can never run as script even if escaping failed.

mod text;

pub use text::{number as finding_number, statement as finding_statement};

use super::manifest::OutputFile;
use super::methodology::cite_html;
use crate::evidence::chart::{amount, money};
use crate::evidence::exhibits::label;
use crate::investigation::pipeline::{Investigation, SuspectSection};
use crate::text::xml::html;
use crate::trace::Rule;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

pub use crate::evidence::timelines::MAX_FINDING_ROWS;

const SCRIPT: &str = r#"(function(){
  function key(c){var v=c.getAttribute('data-v');return v===null?c.textContent:v;}
  var tables=document.querySelectorAll('table.sortable');
  for(var t=0;t<tables.length;t++){(function(tb){
    var ths=tb.tHead?tb.tHead.rows[0].cells:[];
    for(var i=0;i<ths.length;i++){(function(th,i){
      th.addEventListener('click',function(){
        var body=tb.tBodies[0],rows=Array.prototype.slice.call(body.rows),asc=th.getAttribute('data-dir')!=='asc';
        for(var j=0;j<ths.length;j++){ths[j].removeAttribute('data-dir');}
        th.setAttribute('data-dir',asc?'asc':'desc');
        rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]),nx=parseFloat(x),ny=parseFloat(y);
          var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
        for(var k=0;k<rows.length;k++){body.appendChild(rows[k]);}
      });
    })(ths[i],i);}
  })(tables[t]);}
  document.body.setAttribute('data-report-ready','ok');
  document.title=document.title+' [ready]';
})();"#;

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px auto;padding:0 12px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #1f4e79;padding-bottom:3px;margin-top:36px}\
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0;font-size:12px}\
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}th{background:#eef2f7}\
td.n{text-align:right;white-space:nowrap}table.sortable th{cursor:pointer}\
th[data-dir=asc]::after{content:' \\25B2'}th[data-dir=desc]::after{content:' \\25BC'}\
.band{font-size:18px;font-weight:bold;color:#b00000}.est{color:#8a5a00;font-style:italic}\
.note{background:#fff8e1;border-left:4px solid #e0a800;padding:6px 10px;margin:8px 0;font-size:12px}\
.fig{border:1px solid #ddd;margin:8px 0}.fig svg{display:block;max-width:100%;height:auto}\
code{font-size:11px;word-break:break-all}td{overflow-wrap:anywhere}table{max-width:100%}\
.stmt{margin:4px 0}details{margin:2px 0 10px 0;font-size:12px}summary{cursor:pointer;color:#1f4e79}\
.finding{border-left:3px solid #1f4e79;padding:2px 10px;margin:10px 0}.fno{font-weight:bold}\
table.st td:first-child{width:38%}.rel{background:#eef2f7;padding:6px 10px}\
@media (max-width:900px){td.n{white-space:normal}table{font-size:10px}th,td{padding:2px 3px}}\
@media print{td.n{white-space:normal}body{margin:0;padding:0;max-width:none;font-size:11px}nav{display:none}\
.fig,.finding,tr{break-inside:avoid}h2,h3,h4{break-after:avoid}\
a{color:#000;text-decoration:none}table{font-size:9px}.cover{display:block}}\
.cover{display:none;break-after:page;padding-top:60mm}.cover h1{font-size:28px}.cover td{font-size:13px;padding:6px 10px}\
@page{size:A4;margin:14mm 12mm 16mm 12mm;@bottom-right{content:'Page ' counter(page) ' of ' counter(pages);font-size:9px;font-family:'DejaVu Sans',Arial,sans-serif}}";

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn td(s: &mut String, text: &str) {
    let _ = write!(s, "<td>{}</td>", html(text));
}

fn td_num(s: &mut String, d: Decimal) {
    let _ = write!(s, "<td class=\"n\" data-v=\"{}\">{}</td>", d.round_dp(2), amount(d));
}

fn suspect_band(sec: &SuspectSection) -> Option<(Decimal, Decimal)> {
    sec.trace.as_ref().filter(|t| !t.figures.is_empty()).map(|t| t.band())
}

fn assets_total(sec: &SuspectSection) -> Decimal {
    sec.assets.iter().filter(|a| !a.controlled_only).filter_map(|a| a.attributable).sum()
}

/// What the bundle writer drew for one suspect.
pub struct SuspectDrawing {
    /// Network diagram SVG, inline-ready.
    pub network_svg: String,
    /// Timeline SVG.
    pub timeline_svg: String,
    /// Files written for this suspect.
    pub files: Vec<String>,
}

/// A finding diagram as drawn.
pub struct FindingDiagram {
    /// Index into the findings.
    pub finding: usize,
    /// SVG, inline-ready.
    pub svg: String,
    /// Files written.
    pub files: Vec<String>,
}

/// What the bundle writer adds to an [`Investigation`] before the report is rendered.
pub struct Drawn {
    /// Notes of the run and of the renderer, in order, scrubbed for the audience.
    pub notes: Vec<String>,
    /// The run's settings with the renderer's.
    pub settings: BTreeMap<String, String>,
    /// One per suspect section, in order.
    pub suspects: Vec<SuspectDrawing>,
    /// Finding diagrams.
    pub diagrams: Vec<FindingDiagram>,
}

/// The report as one HTML document. `outputs` are the files written before it (listed in the
/// manifest section; the report's own hash is in manifest.json).
pub fn render(inv: &Investigation<'_>, drawn: &Drawn, outputs: &[OutputFile]) -> String {
    let case = inv.case();
    let cur = case.meta.base_currency.as_str();
    let script_hash = b64(&Sha256::digest(SCRIPT.as_bytes()));
    let mut s = String::with_capacity(1 << 20);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{} — moneytrail case report</title><style>{STYLE}</style></head><body>\n",
        html(&case.meta.name)
    );
    let _ = writeln!(
        s,
        "<section class=\"cover\"><h1>Case report</h1><table><tbody><tr><th>Case</th><td>{}</td></tr><tr><th>Valuation date</th><td>{}</td></tr>\
<tr><th>Audience</th><td>{}</td></tr><tr><th>Input manifest SHA-256</th><td><code>{}</code></td></tr><tr><th>Written by</th><td>moneytrail {}</td></tr></tbody></table>\
<p>The SHA-256 of this report and of every other file of the bundle is in manifest.json; <code>moneytrail verify</code> checks them.</p></section>",
        html(&case.meta.name),
        case.meta.valuation_date,
        inv.audience.as_str(),
        html(&inv.input_hash),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "<h1>Case report: {}</h1><p>moneytrail {} · valuation date {} · base currency {} · audience: {} · input manifest SHA-256 <code>{}</code></p>",
        html(&case.meta.name),
        env!("CARGO_PKG_VERSION"),
        case.meta.valuation_date,
        cur,
        inv.audience.as_str(),
        inv.input_hash
    );
    s.push_str("<nav><a href=\"#summary\">Summary</a> · <a href=\"methodology.html\">Methodology (full text)</a> · <a href=\"#victims\">Probable victims</a> · <a href=\"#findings\">Findings</a> · <a href=\"#suspects\">Suspects</a> · <a href=\"#finding-diagrams\">Finding diagrams</a> · <a href=\"#methodology\">Methodology</a> · <a href=\"#exhibits\">Exhibits</a> · <a href=\"#manifest\">Manifest</a></nav>\n");
    for n in &drawn.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", cite_html(n));
    }
    summary(&mut s, inv, &drawn.settings, cur);
    victims_section(&mut s, inv);
    findings_table(&mut s, inv, outputs);
    s.push_str("<section id=\"suspects\"><h2>Suspects</h2>\n");
    for (k, (sec, d)) in inv.suspects.iter().zip(&drawn.suspects).enumerate() {
        suspect_section(&mut s, inv, k, sec, d, cur);
    }
    s.push_str("</section>\n<section id=\"finding-diagrams\"><h2>Finding diagrams</h2>\n");
    for d in &drawn.diagrams {
        let f = &inv.findings[d.finding];
        let _ = writeln!(
            s,
            "<h3 id=\"fd-{}\"><a href=\"#{}\">{}</a> · {} · score {}</h3><p>{}</p><p>Full size: {}</p><div class=\"fig\">{}</div>",
            text::anchor(d.finding),
            text::anchor(d.finding),
            text::number(d.finding),
            html(&text::typology_name(f.typology)),
            f.score,
            cite_html(&text::statement(inv.case(), f)),
            file_links(&d.files),
            d.svg
        );
    }
    s.push_str("</section>\n");
    methodology(&mut s, inv, &drawn.settings);
    exhibits(&mut s, inv);
    manifest(&mut s, inv, outputs);
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body></html>");
    s
}

/// Listed and probable victims: presented as victims with the reasons, never as suspects
/// (non-punishment principle, issue 9).
fn victims_section(s: &mut String, inv: &Investigation<'_>) {
    s.push_str("<section id=\"victims\"><h2>Probable victims (non-punishment)</h2>\n");
    s.push_str(&format!(
        "<p>Persons whose accounts show the signs of accounts controlled by others ({}): \
they are presented as <b>victims, not as suspects or money mules</b> ({}). Listed victims come from the case's \
victims table; probable victims are scored by the non-punishment classifier on the indicators below, each \
with its weight. A probable victim is a lead for victim identification and support, not a finding against the \
person.</p>\n",
        cite_html("methodology.md#t-victim-control"),
        cite_html("methodology.md#victims-first")
    ));
    if inv.pseudonymised > 0 {
        let _ = writeln!(
            s,
            "<p class=\"note\">{} protected persons (victims and minors) appear under stable pseudonyms \
(PP-… for persons, PA-… for their accounts) in every file of this {} bundle. Only the court bundle holds the \
sealed mapping.</p>",
            inv.pseudonymised,
            inv.audience.as_str()
        );
    }
    if let Some(sealed) = inv.sealed.as_ref().map(|x| &x.path) {
        let _ = writeln!(
            s,
            "<p class=\"note\">The pseudonym mapping of this case is sealed in <code>{}</code> (Argon2id + \
ChaCha20-Poly1305, opened with the case passphrase: <code>moneytrail unseal {}</code>). It resolves the \
pseudonyms used in the police, NGO and public bundles of this case.</p>",
            html(sealed),
            html(sealed)
        );
    }
    if inv.victims.is_empty() {
        s.push_str("<p>No listed or probable victims.</p></section>\n");
        return;
    }
    s.push_str("<table class=\"sortable\"><thead><tr><th>person</th><th>name</th><th>status</th><th>minor</th><th>score</th><th>reasons</th></tr></thead><tbody>\n");
    for v in &inv.victims {
        s.push_str("<tr>");
        td(s, &v.id);
        td(s, &v.name);
        td(s, v.status);
        td(s, if v.minor { "yes" } else { "no" });
        td(s, &v.score);
        let _ = write!(s, "<td>{}</td>", cite_html(&text::group_amounts(&v.reasons)));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
}

fn summary(s: &mut String, inv: &Investigation<'_>, settings: &BTreeMap<String, String>, cur: &str) {
    let case = inv.case();
    s.push_str("<section id=\"summary\"><h2>Summary for the prosecutor</h2>\n");
    let (mut lo, mut hi, mut assets) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for sec in &inv.suspects {
        if let Some((l, h)) = suspect_band(sec) {
            lo += l;
            hi += h;
        }
        assets += assets_total(sec);
    }
    let _ = writeln!(
        s,
        "<p>Traced proceeds still identifiable (lowest to highest across the tracing rules {}):</p><p class=\"band\" id=\"band\">{} – {}</p>\
<p>Assets attributable to the suspects' family scopes: <b id=\"attributable\">{}</b> <span class=\"est\">(estimate from register values, not an expert valuation)</span></p>\
<p class=\"rel\" id=\"figures-relate\">How the two figures relate: the traced band is the part of the proceeds that can still be found, \
held in the accounts of a suspect's scope or paid into property, under each tracing rule; it supports a <b>value-based</b> order \
(Criminal Code Art. 36). The attributable assets are what the suspects' scopes hold today, whatever paid for them; they support an \
<b>object-based, preventive</b> order under Law No. 10192/2009, in which the holder must prove lawful origin. Where traced proceeds \
paid for a property the two overlap: they are alternatives, not to be added. {}</p>",
        html(settings.get("trace.rules").map(String::as_str).unwrap_or("")),
        money(lo, cur),
        money(hi, cur),
        money(assets, cur),
        cite_html("(methodology.md#cv-band)")
    );
    s.push_str("<p><b>Proceeds introduced</b> = every credit to an account held by the suspect booked on or after the suspicion date (suspects table, <i>since</i>); ");
    s.push_str(&cite_html("methodology.md#tracing-defaults"));
    s.push_str(".</p>\n");
    for (k, sec) in inv.suspects.iter().enumerate() {
        suspect_summary(s, inv, k, sec, cur);
    }
    s.push_str("<h3>Key findings</h3><ol id=\"key-findings\" class=\"plain\">\n");
    let key =
        inv.findings.iter().enumerate().filter(|(_, f)| inv.audience.all_findings() || f.suspect.is_some()).take(5);
    for (rank, f) in key {
        let _ = writeln!(
            s,
            "<li><a href=\"#{}\">{}</a> ({}): {}</li>",
            text::anchor(rank),
            text::number(rank),
            html(&text::typology_name(f.typology)),
            cite_html(&text::statement(case, f))
        );
    }
    s.push_str("</ol></section>\n");
}

/// The prosecutor's table of one suspect: each figure with the exhibits or section that prove it.
fn suspect_summary(s: &mut String, inv: &Investigation<'_>, k: usize, sec: &SuspectSection, cur: &str) {
    let case = inv.case();
    let row = &case.suspects.rows[sec.row];
    let _ = writeln!(
        s,
        "<h3 id=\"summary-{}\">{}. {} ({})</h3><p>Basis: {} · case reference: {} · suspicion since: {} · family scope: {} persons</p>",
        k + 1,
        k + 1,
        html(case.entity_name(sec.suspect)),
        html(case.entity_id(sec.suspect)),
        html(row.basis.as_deref().unwrap_or("—")),
        html(row.case_ref.as_deref().unwrap_or("—")),
        row.since.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        sec.scope.len()
    );
    let tracing = format!("<a href=\"#suspect-{}-tracing\">tracing table</a>, tracing.csv", k + 1);
    let _ = write!(s, "<table class=\"st\" id=\"summary-table-{}\"><thead><tr><th>Figure</th><th>Amount ({cur})</th><th>Proved by</th></tr></thead><tbody>", k + 1);
    let line = |s: &mut String, what: &str, d: Option<Decimal>, proof: &str| {
        let _ = write!(s, "<tr><td>{what}</td>");
        match d {
            Some(d) => td_num(s, d),
            None => s.push_str("<td>—</td>"),
        }
        let _ = writeln!(s, "<td>{proof}</td></tr>");
    };
    match &sec.trace {
        Some(t) if !t.figures.is_empty() => {
            line(s, "Proceeds introduced", t.figures.first().map(|f| f.introduced), &tracing);
            for f in &t.figures {
                let anchor = match f.rule {
                    Rule::Fifo => "rule-fifo",
                    Rule::Lifo => "rule-lifo",
                    Rule::ProRata => "rule-pro-rata",
                    Rule::Libr => "rule-libr",
                    Rule::Poison => "rule-poison",
                };
                line(
                    s,
                    &format!(
                        "Identifiable under {} (held {} + into property {})",
                        cite_html(&format!("{} methodology.md#{anchor}", f.rule)),
                        amount(f.held_in_scope),
                        amount(f.into_property)
                    ),
                    Some(f.identifiable()),
                    &tracing,
                );
            }
            let (l, h) = t.band();
            let _ = writeln!(
                s,
                "<tr><td>Confiscable band (traced, lowest – highest)</td><td class=\"n\">{} – {}</td><td>{tracing}</td></tr>",
                amount(l),
                amount(h)
            );
            if let Some(f) = t.figures.first() {
                line(s, "Held outside the scope (third parties)", Some(f.held_elsewhere), &tracing);
                line(s, "Left the case (cash, abroad)", Some(f.exited), &tracing);
            }
        }
        _ => line(s, "Proceeds introduced", None, "no inflows to trace"),
    }
    let mut provs = Vec::new();
    for a in sec.assets.iter().filter(|a| !a.controlled_only) {
        provs.extend(a.provs.iter().copied());
    }
    let held: Vec<String> = sec
        .assets
        .iter()
        .filter(|a| !a.controlled_only && a.attributable.is_some())
        .map(|a| format!("{} ({})", case.properties.rows[a.property as usize].id, a.holders.join("; ")))
        .collect();
    line(
        s,
        &format!(
            "Object-based (Law 10192): attributable assets{}",
            if held.is_empty() { String::new() } else { format!(", held: {}", html(&held.join(", "))) }
        ),
        Some(assets_total(sec)),
        &format!(
            "<a href=\"#suspect-{}-assets\">assets table</a>; {}",
            k + 1,
            text::exhibit_links(&inv.exhibits.numbers(&provs), 12)
        ),
    );
    if let Some(t) = sec.trace.as_ref().filter(|t| !t.figures.is_empty()) {
        let avail = assets_total(sec) + t.band().0;
        line(
            s,
            "Value-based (Criminal Code Art. 36): benefit = proceeds introduced, enforceable up to the available amount (attributable assets + lowest identifiable)",
            Some(avail.min(t.figures[0].introduced)),
            &format!("{tracing}; {}", cite_html("methodology.md#cv-views")),
        );
    }
    let mine: Vec<(usize, &crate::patterns::Finding)> =
        inv.findings.iter().enumerate().filter(|(_, f)| f.suspect.map(|l| l.suspect) == Some(sec.suspect)).collect();
    for (rank, f) in mine.iter().filter(|(_, f)| f.typology == "disproportion") {
        line(
            s,
            &format!("Disproportion: {}", cite_html(&text::statement(case, f))),
            Some(f.total),
            &format!("<a href=\"#{}\">{}</a>", text::anchor(*rank), text::number(*rank)),
        );
    }
    if !mine.iter().any(|(_, f)| f.typology == "disproportion") {
        line(s, "Disproportion", None, "no disproportion finding (lawful income or acquisitions not in the case)");
    }
    let links: Vec<String> =
        mine.iter().map(|(r, _)| format!("<a href=\"#{}\">{}</a>", text::anchor(*r), text::number(*r))).collect();
    let _ = writeln!(
        s,
        "<tr><td>Findings linked to this suspect</td><td class=\"n\">{}</td><td>{}</td></tr></tbody></table>",
        mine.len(),
        if links.len() > 20 { format!("{} …", links[..20].join(", ")) } else { links.join(", ") }
    );
}

fn findings_table(s: &mut String, inv: &Investigation<'_>, outputs: &[OutputFile]) {
    let case = inv.case();
    let _ = writeln!(
        s,
        "<section id=\"findings\"><h2>Findings</h2><p>{} findings, ranked by score (F-001 first). Each is stated in one sentence; its indicators and its finding id (as in findings.csv) are folded beneath.{}</p>",
        inv.findings.len(),
        if inv.findings.len() > MAX_FINDING_ROWS { format!(" The first {MAX_FINDING_ROWS} are listed; all are in findings.csv.") } else { String::new() },
    );
    for (i, f) in inv.findings.iter().take(MAX_FINDING_ROWS).enumerate() {
        let ex = text::finding_exhibits(case, &inv.exhibits, f);
        let _ = write!(
            s,
            "<div class=\"finding\" id=\"{}\"><p class=\"stmt\"><span class=\"fno\">{}</span> · {} · score {} · {}</p><p class=\"stmt\">{}</p>",
            text::anchor(i),
            text::number(i),
            cite_html(&format!("{} (methodology.md#{})", text::typology_name(f.typology), text::typology_anchor(f.typology))),
            f.score,
            f.suspect
                .map(|l| format!("nearest suspect {} ({} hops)", html(case.entity_id(l.suspect)), l.hops))
                .unwrap_or_else(|| "no suspect linked".into()),
            cite_html(&text::statement(case, f))
        );
        let mut more = Vec::new();
        if !ex.is_empty() {
            more.push(format!("Exhibits: {}", text::exhibit_links(&ex, 12)));
        }
        if inv.finding_charts.iter().any(|c| c.finding == i) {
            more.push(format!("<a href=\"#fd-{}\">diagram</a>", text::anchor(i)));
        }
        let tl = super::finding_timelines::path(i, f);
        if outputs.iter().any(|o| o.path == tl) {
            more.push(format!("<a href=\"{}\">timeline</a>", html(&tl)));
        }
        if !more.is_empty() {
            let _ = write!(s, "<p class=\"stmt\">{}</p>", more.join(" · "));
        }
        s.push_str(&text::indicator_details(f, &f.id));
        s.push_str("</div>\n");
    }
    s.push_str("</section>\n");
}

fn suspect_section(
    s: &mut String,
    inv: &Investigation<'_>,
    k: usize,
    sec: &SuspectSection,
    drawing: &SuspectDrawing,
    cur: &str,
) {
    let case = inv.case();
    let _ = writeln!(
        s,
        "<h3 id=\"suspect-{}\">{}. {} ({})</h3>",
        k + 1,
        k + 1,
        html(case.entity_name(sec.suspect)),
        html(case.entity_id(sec.suspect))
    );
    if !sec.scope.is_empty() {
        s.push_str("<p>Family scope (Law 10192): ");
        let members: Vec<String> = sec
            .scope
            .iter()
            .map(|m| {
                let kind = m.path.last().map(|st| format!("{:?}", st.kind).to_lowercase()).unwrap_or_default();
                let e = crate::model::EntityRef { kind: crate::model::EntityKind::Person, idx: m.person };
                format!("{} {} ({kind})", case.entity_id(e), case.entity_name(e))
            })
            .collect();
        s.push_str(&html(&members.join("; ")));
        s.push_str("</p>\n");
    }
    let _ = writeln!(
        s,
        "<p>Network diagram; full size: {}</p><div class=\"fig\">{}</div>",
        file_links(&drawing.files),
        drawing.network_svg
    );
    for n in &sec.network.chart.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", html(n));
    }
    let _ = writeln!(s, "<h4>Timeline</h4><div class=\"fig\">{}</div>", drawing.timeline_svg);
    let _ = write!(s, "<h4 id=\"suspect-{}-tracing\">Tracing of proceeds</h4>", k + 1);
    match &sec.trace {
        Some(t) if !t.figures.is_empty() => {
            let _ = writeln!(s, "<table><thead><tr><th>Rule</th><th>Introduced</th><th>Held in scope accounts</th><th>Paid into property</th><th>Identifiable</th><th>Held elsewhere</th><th>Left the case</th><th>Lost to overdrafts</th><th>Legal basis</th></tr></thead><tbody>");
            for f in &t.figures {
                let _ = write!(s, "<tr><td>{}</td>", f.rule);
                for d in [
                    f.introduced,
                    f.held_in_scope,
                    f.into_property,
                    f.identifiable(),
                    f.held_elsewhere,
                    f.exited,
                    f.absorbed,
                ] {
                    td_num(s, d);
                }
                let _ = write!(s, "<td>{}</td>", cite_html(f.rule.legal_basis()));
                s.push_str("</tr>\n");
            }
            let _ = writeln!(s, "</tbody></table><p>Amounts in {cur}. Identifiable = held in the scope's accounts + paid into property.</p>");
        }
        _ => s.push_str(
            "<p>No inflows to trace (the suspect holds no account in the case, or tracing failed: see notes).</p>\n",
        ),
    }
    let _ = write!(s, "<h4 id=\"suspect-{}-assets\">Assets in scope</h4>", k + 1);
    if sec.assets.is_empty() {
        s.push_str("<p>No land-register title in force at the valuation date.</p>\n");
        return;
    }
    let _ = writeln!(s, "<table class=\"sortable\"><thead><tr><th>Property</th><th>Kind, city</th><th>Held by</th><th>Share</th><th>Value basis</th><th>Gross ({cur})</th><th>Encumbrances</th><th>Net</th><th>Attributable</th><th>Notes</th><th>Exhibits</th></tr></thead><tbody>");
    for a in &sec.assets {
        let p = &case.properties.rows[a.property as usize];
        s.push_str("<tr>");
        td(s, &p.id);
        td(s, &[p.kind.as_deref(), p.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", "));
        td(s, &a.holders.join("; "));
        td(s, &a.share.round_dp(4).normalize().to_string());
        let _ = write!(s, "<td class=\"est\">{}</td>", html(a.basis.as_str()));
        for d in [a.gross, Some(a.encumbrances), a.net, a.attributable] {
            match d {
                Some(d) => td_num(s, d),
                None => s.push_str("<td></td>"),
            }
        }
        let _ = write!(s, "<td>{}</td>", cite_html(&text::group_amounts(&a.note)));
        let _ = write!(s, "<td>{}</td>", text::exhibit_links(&inv.exhibits.numbers(&a.provs), 40));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

fn methodology(s: &mut String, inv: &Investigation<'_>, settings: &BTreeMap<String, String>) {
    s.push_str("<section id=\"methodology\"><h2>Methodology</h2>\n<p>The full methodology, with the public source of every \
typology, indicator, default, tracing rule and legal basis, is in <a href=\"methodology.html\">methodology.html</a> in this bundle. \
Its main sections:</p><ul class=\"toc\">");
    for a in [
        "principles",
        "typologies",
        "scoring",
        "albania-thresholds",
        "tracing",
        "legal-bases",
        "law-10192",
        "confiscable-value",
        "ownership",
        "evidence",
    ] {
        let _ = write!(s, "<li>{}</li>", cite_html(&format!("methodology.md#{a}")));
    }
    s.push_str("</ul>\n<h3>Detectors and parameters of this run</h3><table><thead><tr><th>Typology</th><th>Parameter</th><th>Value</th><th>Meaning and source</th></tr></thead><tbody>\n");
    for p in &inv.detector_params {
        let _ = write!(
            s,
            "<tr><td>{}</td>",
            cite_html(&format!("{} (methodology.md#{})", text::typology_name(p.owner), text::typology_anchor(p.owner)))
        );
        td(s, p.param.key);
        td(s, &p.param.value);
        let _ = writeln!(s, "<td>{}</td></tr>", cite_html(p.param.doc));
    }
    s.push_str("</tbody></table>\n");
    data_context(s, inv.case());
    s.push_str("<h3>Tracing rules</h3><table><thead><tr><th>Rule</th><th>Legal basis</th><th>Conserves value</th></tr></thead><tbody>\n");
    for r in Rule::ALL {
        let _ = write!(s, "<tr><td>{r}</td><td>{}</td>", cite_html(r.legal_basis()));
        td(s, if r.is_conserving() { "yes" } else { "no (screening only)" });
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n<p>Sources: every credit to an account held by the suspect booked on or after the suspicion date (suspects.csv <i>since</i>), one label per suspect. Amounts are converted into the base currency at each transfer's booking-date rate. Unknown opening balances are taken as clean (the smallest clean balance that keeps the account from going negative). The band reports, per suspect, the lowest and highest identifiable amount (taint still held in the accounts of the suspect's scope plus taint in recorded property purchase payments) across the rules traced.</p>\n\
<p>Valuation: properties titled (at the valuation date) to the suspect, the family scope or companies they own (effective ownership through chains, look-through; company shares are not valued separately, so nothing is counted twice) and companies they control (listed, not attributed). Value = market value, else cadastral value, converted at the valuation date, minus encumbrances registered and not released, never below zero. <span class=\"est\">All values are estimates.</span></p>\n\
<p>Diagrams: one shape and colour per entity kind; links solid (bank or register row), dashed (inferred by the tool, e.g. a finding's nearest suspect or a register record matched to a person by name and birth date), dotted (analyst hypothesis, e.g. a recorded associate); transfers between the same pair are folded into one link with count, total and date range; every link ends with the exhibit numbers of its source rows.</p>\n");
    identity_links(s, inv);
    s.push_str("<h3>Settings of this run</h3><table><tbody>\n");
    for (k, v) in settings {
        s.push_str("<tr>");
        td(s, k);
        td(s, v);
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
}

/// The context data the detectors could evaluate in this case (`patterns::context`).
fn data_context(s: &mut String, case: &crate::model::Case) {
    let dc = crate::patterns::DataContext::of(case);
    s.push_str("<h3>Data available to the detectors</h3><p>Indicators that need data this case does not hold at all are <b>not evaluable</b> (neither true nor false) and earn no points; every structural candidate is scored and ranked, and a finding's explanation says which indicators could not be evaluated (<a href=\"methodology.html#ranking\">methodology, 4.2a</a>).");
    let summary = dc.summary();
    if !summary.is_empty() {
        let _ = write!(s, " <b>{}</b>.", html(&summary));
    }
    s.push_str("</p><table><thead><tr><th>Data</th><th>Present</th><th>Evaluable</th></tr></thead><tbody>\n");
    for crate::patterns::Coverage { label, text, evaluable: ok } in dc.coverage() {
        s.push_str("<tr>");
        td(s, label);
        td(s, &text);
        td(s, if ok { "yes" } else { "no" });
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

/// Links to the full-size files of a diagram (SVG first).
fn file_links(files: &[String]) -> String {
    let mut v: Vec<&String> = files.iter().collect();
    v.sort_by_key(|f| (!f.ends_with(".svg"), f.as_str()));
    v.iter().map(|f| format!("<a href=\"{0}\">{0}</a>", html(f))).collect::<Vec<_>>().join(", ")
}

/// Entity resolution: how many records were folded, and every fold touching a suspect's diagram.
fn identity_links(s: &mut String, inv: &Investigation<'_>) {
    let case = inv.case();
    let links = &case.inferred_links;
    if links.is_empty() {
        return;
    }
    let confirmed = links.iter().filter(|l| l.basis.confirmed()).count();
    let analyst = links.iter().filter(|l| l.basis == crate::model::LinkBasis::Analyst).count();
    let _ = write!(
        s,
        "<h3>Entity resolution</h3><p>{} register records were folded into the entity of another record: {confirmed} \
confirmed by the same personal number or NUIS, {analyst} by an analyst's decision (resolution.csv), {} \
<b>unconfirmed</b> matches of name, birth date, address and city. All are listed in \
identities.csv; those on a suspect's diagram follow.</p>",
        links.len(),
        links.len() - confirmed - analyst
    );
    let drawn: std::collections::BTreeSet<&str> =
        inv.suspects.iter().flat_map(|x| x.network.chart.nodes.iter().map(|n| n.key.as_str())).collect();
    let key = |e: crate::model::EntityRef| {
        let p = if e.kind == crate::model::EntityKind::Person { "P" } else { "C" };
        format!("{p}:{}", case.entity_id(e))
    };
    s.push_str("<table><thead><tr><th>Record</th><th>As written</th><th>Entity</th><th>Status</th><th>Confidence</th><th>Evidence</th></tr></thead><tbody>\n");
    for l in links.iter().filter(|l| drawn.contains(key(l.entity).as_str())) {
        s.push_str("<tr>");
        td(s, case.entity_id(l.record));
        td(s, case.entity_name(l.record));
        td(s, &format!("{} {}", case.entity_id(l.entity), case.entity_name(l.entity)));
        td(s, if l.basis.confirmed() { "confirmed (id number)" } else { "unconfirmed" });
        td(s, &format!("{:.2}", l.confidence));
        td(s, &l.evidence);
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

fn exhibits(s: &mut String, inv: &Investigation<'_>) {
    let _ = writeln!(
        s,
        "<section id=\"exhibits\"><h2>Appendix: exhibits</h2><p>{} source rows cited (also in exhibits.csv). Line numbers count the header as line 1.</p>\
<table id=\"exhibits-table\"><thead><tr><th>Exhibit</th><th>File</th><th>Line</th><th>What</th><th>SHA-256 of the file</th></tr></thead><tbody>",
        inv.exhibits.rows().len()
    );
    for e in inv.exhibits.rows() {
        let _ = write!(s, "<tr id=\"{0}\"><td>{0}</td>", label(e.number));
        td(s, &e.file);
        let _ = write!(s, "<td class=\"n\">{}</td>", e.prov.line);
        td(s, &e.what);
        let _ = writeln!(s, "<td><code>{}</code></td></tr>", html(&e.sha256));
    }
    s.push_str("</tbody></table></section>\n");
}

fn manifest(s: &mut String, inv: &Investigation<'_>, outputs: &[OutputFile]) {
    s.push_str("<section id=\"manifest\"><h2>Manifest</h2><h3>Inputs</h3><table><thead><tr><th>File</th><th>Table</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>\n");
    for f in &inv.case().files {
        s.push_str("<tr>");
        td(s, &f.path);
        td(s, &f.table);
        let _ = writeln!(s, "<td class=\"n\">{}</td><td><code>{}</code></td></tr>", f.size, html(&f.sha256));
    }
    s.push_str("</tbody></table><h3>Outputs</h3><p>The hash of this report and of every output is in manifest.json; check a bundle with <code>moneytrail verify DIR</code>.</p><table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>\n");
    for o in outputs {
        s.push_str("<tr>");
        td(s, &o.path);
        let _ = writeln!(s, "<td class=\"n\">{}</td><td><code>{}</code></td></tr>", o.size, html(&o.sha256));
    }
    s.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
    }
}
