//! The self-contained case report (report.html): opens offline, loads nothing from outside (a
//! Content-Security-Policy forbids it), and its one inline script (table sorting) is allowed
//! by hash only, so text from the case can never run as script even if escaping failed.

use super::manifest::OutputFile;
use crate::evidence::chart::{amount, money};
use crate::evidence::exhibits::{full_list, label};
use crate::investigation::pipeline::{Investigation, SuspectSection};
use crate::text::clip;
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

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;max-width:1500px}\
h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #1f4e79;padding-bottom:3px;margin-top:36px}\
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0;font-size:12px}\
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}th{background:#eef2f7}\
td.n{text-align:right;white-space:nowrap}table.sortable th{cursor:pointer}\
th[data-dir=asc]::after{content:' \\25B2'}th[data-dir=desc]::after{content:' \\25BC'}\
.band{font-size:18px;font-weight:bold;color:#b00000}.est{color:#8a5a00;font-style:italic}\
.note{background:#fff8e1;border-left:4px solid #e0a800;padding:6px 10px;margin:8px 0;font-size:12px}\
.fig{overflow:auto;border:1px solid #ddd;margin:8px 0;max-height:900px}.fig svg{max-width:none}\
code{font-size:11px;word-break:break-all}";

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
        "<h1>Case report: {}</h1><p>moneytrail {} · valuation date {} · base currency {} · audience: {} · input manifest SHA-256 <code>{}</code></p>",
        html(&case.meta.name),
        env!("CARGO_PKG_VERSION"),
        case.meta.valuation_date,
        cur,
        inv.audience.as_str(),
        inv.input_hash
    );
    s.push_str("<nav><a href=\"#summary\">Summary</a> · <a href=\"#victims\">Probable victims</a> · <a href=\"#findings\">Findings</a> · <a href=\"#suspects\">Suspects</a> · <a href=\"#finding-diagrams\">Finding diagrams</a> · <a href=\"#methodology\">Methodology</a> · <a href=\"#exhibits\">Exhibits</a> · <a href=\"#manifest\">Manifest</a></nav>\n");
    for n in &drawn.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", html(n));
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
            "<h3 id=\"fd-{}\">{} · {} · score {}</h3><p>{}</p><p>Files: {}</p><div class=\"fig\">{}</div>",
            html(&crate::text::file_stem(&f.id)),
            html(&f.id),
            html(f.typology),
            f.score,
            html(&f.explanation()),
            html(&d.files.join(", ")),
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
    s.push_str(
        "<p>Persons whose accounts show the signs of accounts controlled by others (docs/domain.md §1.3 #10): \
they are presented as <b>victims, not as suspects or money mules</b>. Listed victims come from the case's \
victims table; probable victims are scored by the non-punishment classifier on the indicators below, each \
with its weight (methodology: docs/victims.md). A probable victim is a lead for victim identification and \
support, not a finding against the person.</p>\n",
    );
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
        td(s, &v.reasons);
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
        "<p>Confiscable value band (identifiable traced proceeds, lowest to highest across the tracing rules {}):</p><p class=\"band\" id=\"band\">{} – {}</p>\
<p>Assets attributable to the suspects' scopes (Law 10192 object-based view): <b>{}</b> <span class=\"est\">(estimate from register values, not an expert valuation)</span></p>",
        settings.get("trace.rules").map(String::as_str).unwrap_or(""),
        money(lo, cur),
        money(hi, cur),
        money(assets, cur)
    );
    s.push_str("<table id=\"suspects-table\"><thead><tr><th>Suspect</th><th>Name</th><th>Basis</th><th>Case ref.</th><th>Since</th><th>Family scope</th><th>Proceeds introduced</th><th>Identifiable, low</th><th>Identifiable, high</th><th>Attributable assets (estimate)</th><th>Findings linked</th></tr></thead><tbody>\n");
    for sec in &inv.suspects {
        let row = &case.suspects.rows[sec.row];
        s.push_str("<tr>");
        td(s, case.entity_id(sec.suspect));
        td(s, case.entity_name(sec.suspect));
        td(s, row.basis.as_deref().unwrap_or(""));
        td(s, row.case_ref.as_deref().unwrap_or(""));
        td(s, &row.since.map(|d| d.to_string()).unwrap_or_default());
        td(s, &sec.scope.len().to_string());
        let intro = sec.trace.as_ref().and_then(|t| t.figures.first()).map(|f| f.introduced).unwrap_or_default();
        td_num(s, intro);
        let (l, h) = suspect_band(sec).unwrap_or_default();
        td_num(s, l);
        td_num(s, h);
        td_num(s, assets_total(sec));
        let linked = inv.findings.iter().filter(|f| f.suspect.map(|l| l.suspect) == Some(sec.suspect)).count();
        td(s, &linked.to_string());
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n<h3>Key findings</h3><ol id=\"key-findings\">\n");
    let key = inv.findings.iter().filter(|f| inv.audience.all_findings() || f.suspect.is_some()).take(5);
    for f in key {
        let _ = writeln!(
            s,
            "<li><b>{}</b> ({}, score {}): {} in {} transfers, {} – {}; {}</li>",
            html(&f.id),
            html(f.typology),
            f.score,
            html(&money(f.total, cur)),
            f.txns.len(),
            f.first_at.map(|d| d.date().to_string()).unwrap_or_default(),
            f.last_at.map(|d| d.date().to_string()).unwrap_or_default(),
            html(&f.explanation())
        );
    }
    s.push_str("</ol></section>\n");
}

fn findings_table(s: &mut String, inv: &Investigation<'_>, outputs: &[OutputFile]) {
    let case = inv.case();
    let _ = writeln!(
        s,
        "<section id=\"findings\"><h2>Findings</h2><p>{} findings, ranked by score; click a column heading to sort.{}</p>\
<table class=\"sortable\" id=\"findings-table\"><thead><tr><th>Rank</th><th>Finding</th><th>Typology</th><th>Score</th><th>Total ({})</th><th>Transfers</th><th>First</th><th>Last</th><th>Suspect</th><th>Hops</th><th>Explanation</th><th>Timeline</th></tr></thead><tbody>",
        inv.findings.len(),
        if inv.findings.len() > MAX_FINDING_ROWS { format!(" The first {MAX_FINDING_ROWS} are listed; all are in findings.csv.") } else { String::new() },
        case.meta.base_currency
    );
    for (i, f) in inv.findings.iter().take(MAX_FINDING_ROWS).enumerate() {
        let _ = write!(s, "<tr><td class=\"n\" data-v=\"{}\">{}</td>", i + 1, i + 1);
        td(s, &f.id);
        td(s, f.typology);
        let _ = write!(s, "<td class=\"n\" data-v=\"{0}\">{0}</td>", f.score);
        td_num(s, f.total);
        let _ = write!(s, "<td class=\"n\" data-v=\"{0}\">{0}</td>", f.txns.len());
        td(s, &f.first_at.map(|d| d.to_string()).unwrap_or_default());
        td(s, &f.last_at.map(|d| d.to_string()).unwrap_or_default());
        td(s, &f.suspect.map(|l| case.entity_id(l.suspect).to_string()).unwrap_or_default());
        td(s, &f.suspect.map(|l| l.hops.to_string()).unwrap_or_default());
        td(s, &clip(&f.explanation(), 300));
        // The finding's timeline (finding_timelines), when the bundle has it.
        let tl = super::finding_timelines::path(i, f);
        if outputs.iter().any(|o| o.path == tl) {
            let _ = write!(s, "<td><a href=\"{}\">timeline</a></td>", html(&tl));
        } else {
            s.push_str("<td></td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
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
        "<p>Network diagram; files: {}</p><div class=\"fig\">{}</div>",
        html(&drawing.files.join(", ")),
        drawing.network_svg
    );
    for n in &sec.network.chart.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", html(n));
    }
    let _ = writeln!(s, "<h4>Timeline</h4><div class=\"fig\">{}</div>", drawing.timeline_svg);
    s.push_str("<h4>Tracing of proceeds</h4>");
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
                td(s, f.rule.legal_basis());
                s.push_str("</tr>\n");
            }
            let _ = writeln!(s, "</tbody></table><p>Amounts in {cur}. Identifiable = held in the scope's accounts + paid into property.</p>");
        }
        _ => s.push_str(
            "<p>No inflows to trace (the suspect holds no account in the case, or tracing failed: see notes).</p>\n",
        ),
    }
    s.push_str("<h4>Assets in scope</h4>");
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
        td(s, &a.note);
        td(s, &full_list(&inv.exhibits.numbers(&a.provs)));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

fn methodology(s: &mut String, inv: &Investigation<'_>, settings: &BTreeMap<String, String>) {
    s.push_str("<section id=\"methodology\"><h2>Methodology</h2>\n<h3>Detectors and parameters</h3><table><thead><tr><th>Typology</th><th>Parameter</th><th>Value</th><th>Meaning and source</th></tr></thead><tbody>\n");
    for p in &inv.detector_params {
        s.push_str("<tr>");
        for x in [p.owner, p.param.key, &p.param.value, p.param.doc] {
            td(s, x);
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    data_context(s, inv.case());
    s.push_str("<h3>Tracing rules</h3><table><thead><tr><th>Rule</th><th>Legal basis</th><th>Conserves value</th></tr></thead><tbody>\n");
    for r in Rule::ALL {
        let _ = write!(s, "<tr><td>{r}</td>");
        td(s, r.legal_basis());
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
    s.push_str("<h3>Data available to the detectors</h3><p>Indicators that need data this case does not hold at all are <b>not evaluable</b> (neither true nor false); each detector then applies its min_score to the indicator points it can evaluate, and a structural pattern is still reported only with at least one corroborating indicator.");
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
<b>unconfirmed</b> matches of name, birth date, address and city (docs/resolution.md). All are listed in \
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
