//! The self-contained case report (report.html): opens offline, loads nothing from outside (a
//! Content-Security-Policy forbids it), and its one inline script (table sorting) is allowed
//! by hash only, so text from the case can never run as script even if escaping failed.
//!
//! The page is assembled here from its sections: the summary for the prosecutor and the
//! victims (summary.rs), the findings and their diagrams (findings.rs), the suspects and their
//! pages (suspects.rs), the methodology of the run (method.rs) and the appendices
//! (appendix.rs). Every fixed word comes from the catalogues ([`i18n`]; sentences in text.rs,
//! diagrams in diagram.rs); report.pdf is printed from the page print.rs makes.

mod appendix;
mod diagram;
mod findings;
pub mod i18n;
mod method;
mod print;
mod summary;
mod suspects;
mod text;

use appendix::{exhibits, manifest};
use findings::{finding_diagrams, findings_table};
use method::methodology;
use summary::{summary, suspect_summary, victims_section};
pub use suspects::render_suspect_page;
use suspects::{legal_basis, suspect_index, suspect_section};

pub use diagram::{chart_in, exhibit_in};
pub use i18n::Lang;
pub use text::{number as finding_number, statement as finding_statement};

use super::manifest::OutputFile;
use super::methodology::cite_html_in;
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
table.tt{font-size:11px;margin:2px 0 6px 0}";

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

/// How many suspects a case may have before each suspect gets a page of their own
/// (suspects/NN-ID.html) and the report keeps an index of them.
pub const SUSPECT_PAGES_FROM: usize = 8;

/// `page` with every bidirectional control character (embeddings, overrides, isolates, marks)
/// written as its code point, `[U+202E]`: a name in the data cannot reverse the text around it
/// on screen or in report.pdf (a "Trojan Source" name such as `Ali\u{202E}gnp.exe`), and the
/// reader sees that the name holds one. The report's own text holds none (the catalogues are
/// checked), so this touches only text from the case.
pub fn neutralise_bidi(page: String) -> String {
    if !page.chars().any(crate::text::is_bidi_control) {
        return page;
    }
    let mut out = String::with_capacity(page.len() + 64);
    for c in page.chars() {
        if crate::text::is_bidi_control(c) {
            crate::text::push_code_point(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes `text` and links its methodology citations, in the report's language.
pub(crate) fn cite(lang: Lang, text: &str) -> String {
    cite_html_in(text, lang)
}

/// The page report.pdf is printed from: `report` (report.html as [`render`] wrote it) with
/// the methodology as an annex and every link made to survive filing ([`print`]).
pub fn print_page(report: &str, lang: Lang) -> String {
    print::page(report, lang)
}

fn td(s: &mut String, text: &str) {
    let _ = write!(s, "<td>{}</td>", html(text));
}

fn td_num(s: &mut String, lang: Lang, d: Decimal) {
    let _ = write!(s, "<td class=\"n\" data-v=\"{}\">{}</td>", d.round_dp(2), lang.amount(d));
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
    /// The language of the report.
    pub lang: Lang,
    /// The page of each suspect (bundle-relative paths, in suspect order) when the case is
    /// large enough to split ([`SUSPECT_PAGES_FROM`]); empty: every suspect in report.html.
    pub suspect_pages: Vec<String>,
}

/// The bundle-relative path of suspect `k`'s page.
pub fn suspect_page_path(inv: &Investigation<'_>, k: usize) -> String {
    let id = inv.case().entity_id(inv.suspects[k].suspect);
    let stem: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("suspects/{:02}-{stem}.html", k + 1)
}

fn style(lang: Lang) -> String {
    format!(
        "{STYLE}@page{{size:A4;margin:14mm 12mm 16mm 12mm;@bottom-right{{content:'{} ' counter(page) ' {} ' counter(pages);font-size:9px;font-family:'DejaVu Sans',Arial,sans-serif}}}}",
        lang.t("doc.page").replace(['\'', '\\'], ""),
        lang.t("doc.page_of").replace(['\'', '\\'], "")
    )
}

fn head(s: &mut String, lang: Lang, title: &str) {
    let script_hash = b64(&Sha256::digest(SCRIPT.as_bytes()));
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>{}</style></head><body>\n",
        lang.t("format.html_lang"),
        style(lang)
    );
}

/// The report as one HTML document. `outputs` are the files written before it (listed in the
/// manifest section; the report's own hash is in manifest.json).
pub fn render(inv: &Investigation<'_>, drawn: &Drawn, outputs: &[OutputFile]) -> String {
    let lang = drawn.lang;
    let case = inv.case();
    let cur = case.meta.base_currency.as_str();
    let mut s = String::with_capacity(1 << 20);
    let name = html(&case.meta.name);
    head(&mut s, lang, &lang.f("doc.title", &[("case", &name)]));
    let date = lang.date(case.meta.valuation_date);
    let audience = lang.t(&format!("audience.{}", inv.audience.as_str()));
    let version = env!("CARGO_PKG_VERSION");
    let _ = writeln!(
        s,
        "<section class=\"cover\"><h1>{}</h1><table><tbody><tr><th>{}</th><td>{name}</td></tr><tr><th>{}</th><td>{date}</td></tr>\
<tr><th>{}</th><td>{audience}</td></tr><tr><th>{}</th><td><code>{}</code></td></tr><tr><th>{}</th><td>moneytrail {version}</td></tr></tbody></table>\
<p>{}</p></section>",
        lang.t("cover.title"),
        lang.t("cover.case"),
        lang.t("cover.valuation_date"),
        lang.t("cover.audience"),
        lang.t("cover.input_hash"),
        html(&inv.input_hash),
        lang.t("cover.written_by"),
        lang.t("cover.verify"),
    );
    let _ = writeln!(
        s,
        "<h1>{}</h1><p>{}</p>",
        lang.f("cover.heading", &[("case", &name)]),
        lang.f(
            "cover.byline",
            &[
                ("version", version),
                ("date", &date),
                ("cur", &html(cur)),
                ("audience", audience),
                ("hash", &html(&inv.input_hash))
            ]
        )
    );
    let nav: [(&str, &str); 9] = [
        ("#summary", "nav.summary"),
        ("methodology.html", "nav.methodology_full"),
        ("#victims", "nav.victims"),
        ("#findings", "nav.findings"),
        ("#suspects", if drawn.suspect_pages.is_empty() { "nav.suspects" } else { "nav.suspect_pages" }),
        ("#finding-diagrams", "nav.diagrams"),
        ("#methodology", "nav.methodology"),
        ("#exhibits", "nav.exhibits"),
        ("#manifest", "nav.manifest"),
    ];
    let links: Vec<String> = nav.iter().map(|(h, k)| format!("<a href=\"{h}\">{}</a>", lang.t(k))).collect();
    let _ = writeln!(s, "<nav>{}</nav>", links.join(" · "));
    for n in &drawn.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", cite(lang, &lang.localise(n)));
    }
    summary(&mut s, inv, drawn, cur);
    victims_section(&mut s, inv, lang);
    findings_table(&mut s, inv, drawn, outputs);
    let _ = writeln!(s, "<section id=\"suspects\"><h2>{}</h2>", lang.t("nav.suspects"));
    if drawn.suspect_pages.is_empty() {
        for (k, (sec, d)) in inv.suspects.iter().zip(&drawn.suspects).enumerate() {
            suspect_section(&mut s, inv, lang, k, sec, d, cur);
        }
    } else {
        suspect_index(&mut s, inv, drawn, cur);
    }
    s.push_str("</section>\n");
    finding_diagrams(&mut s, inv, drawn);
    methodology(&mut s, inv, lang, &drawn.settings);
    exhibits(&mut s, inv, lang);
    manifest(&mut s, inv, lang, outputs);
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body></html>");
    neutralise_bidi(s)
}

fn th_row(s: &mut String, lang: Lang, keys: &[&str]) {
    s.push_str("<thead><tr>");
    for k in keys {
        let _ = write!(s, "<th>{}</th>", lang.t(k));
    }
    s.push_str("</tr></thead><tbody>\n");
}

/// Links to the full-size files of a diagram (SVG first).
fn file_links(files: &[String]) -> String {
    let mut v: Vec<&String> = files.iter().collect();
    v.sort_by_key(|f| (!f.ends_with(".svg"), f.as_str()));
    v.iter().map(|f| format!("<a href=\"{0}\">{0}</a>", html(f))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_shown_as_code_points() {
        assert_eq!(
            neutralise_bidi("Ali\u{202E}gnp.exe \u{2066}x\u{2069}".into()),
            "Ali[U+202E]gnp.exe [U+2066]x[U+2069]"
        );
        assert_eq!(neutralise_bidi("Çela ë".into()), "Çela ë");
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
    }
}
