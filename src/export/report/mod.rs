//! The self-contained case report (report.html): opens offline, loads nothing from outside (a
//! Content-Security-Policy forbids it), and its one inline script (table sorting) is allowed
//! by hash only, so text from the case can never run as script even if escaping failed.

pub mod i18n;
mod text;

pub use i18n::Lang;
pub use text::{number as finding_number, statement as finding_statement};

use super::manifest::OutputFile;
use super::methodology::cite_html_as;
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
    cite_html_as(text, lang.t("doc.methodology_word"))
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
    let _ = writeln!(s, "</section>\n<section id=\"finding-diagrams\"><h2>{}</h2>", lang.t("diagrams.title"));
    let with_txns = inv.findings.iter().take(MAX_FINDING_ROWS).filter(|f| !f.txns.is_empty()).count();
    let _ = writeln!(
        s,
        "<p>{}</p>",
        lang.f("diagrams.intro", &[("drawn", &drawn.diagrams.len().to_string()), ("all", &with_txns.to_string())])
    );
    for d in &drawn.diagrams {
        let f = &inv.findings[d.finding];
        let _ = writeln!(
            s,
            "<h3 id=\"fd-{}\"><a href=\"#{}\">{}</a> · {} · {}</h3><p>{}</p><p>{}</p><div class=\"fig\">{}</div>",
            text::anchor(d.finding),
            text::anchor(d.finding),
            text::number(d.finding),
            html(&text::typology_name(lang, f.typology)),
            lang.f("diagrams.heading", &[("score", &f.score.to_string())]),
            cite(lang, &text::statement(lang, inv.case(), f)),
            lang.f("diagrams.full_size", &[("files", &file_links(&d.files))]),
            d.svg
        );
    }
    s.push_str("</section>\n");
    methodology(&mut s, inv, lang, &drawn.settings);
    exhibits(&mut s, inv, lang);
    manifest(&mut s, inv, lang, outputs);
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body></html>");
    neutralise_bidi(s)
}

/// The page of suspect `k` (for cases split by [`SUSPECT_PAGES_FROM`]): the summary table,
/// the findings linked to the suspect, the network diagram, timeline, tracing and assets. Its
/// links into the report, the methodology and the diagrams lead one folder up.
pub fn render_suspect_page(inv: &Investigation<'_>, drawn: &Drawn, k: usize) -> String {
    let lang = drawn.lang;
    let case = inv.case();
    let cur = case.meta.base_currency.as_str();
    let sec = &inv.suspects[k];
    let mut s = String::with_capacity(1 << 18);
    let title = lang.f(
        "pages.page_title",
        &[
            ("name", &html(case.entity_name(sec.suspect))),
            ("id", &html(case.entity_id(sec.suspect))),
            ("case", &html(&case.meta.name)),
        ],
    );
    head(&mut s, lang, &title);
    let mut body = String::new();
    let _ = writeln!(body, "<p><a href=\"report.html#suspects\">{}</a></p>", lang.t("pages.back"));
    suspect_summary(&mut body, inv, lang, k, sec, cur);
    let mine: Vec<usize> = inv
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.suspect.map(|l| l.suspect) == Some(sec.suspect))
        .map(|(i, _)| i)
        .collect();
    let _ = writeln!(body, "<h3>{}</h3>", lang.t("pages.findings"));
    if mine.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", lang.t("pages.none"));
    }
    for i in mine {
        let f = &inv.findings[i];
        let _ = writeln!(
            body,
            "<p class=\"stmt\"><a href=\"report.html#{}\">{}</a> · {}: {}</p>",
            text::anchor(i),
            text::number(i),
            html(&text::typology_name(lang, f.typology)),
            cite(lang, &text::statement(lang, case, f))
        );
    }
    suspect_section(&mut body, inv, lang, k, sec, &drawn.suspects[k], cur);
    // Every link the report's helpers write is bundle-relative or a fragment of report.html;
    // the page sits one folder down. Names in the data are escaped (`"` is `&quot;`), so only
    // the attributes written here match.
    let body = body
        .replace("href=\"#E", "href=\"../report.html#E")
        .replace("href=\"#f-", "href=\"../report.html#f-")
        .replace("href=\"#fd-", "href=\"../report.html#fd-")
        .replace("href=\"report.html", "href=\"../report.html")
        .replace("href=\"methodology.html", "href=\"../methodology.html")
        .replace("href=\"diagrams/", "href=\"../diagrams/");
    s.push_str(&body);
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body></html>");
    neutralise_bidi(s)
}

/// The index of the suspect pages: one row per suspect with their figures and page.
fn suspect_index(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, cur: &str) {
    let lang = drawn.lang;
    let case = inv.case();
    let _ = writeln!(
        s,
        "<p>{}</p><table class=\"sortable\" id=\"suspect-index\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.f("pages.intro", &[("n", &inv.suspects.len().to_string())]),
        lang.t("pages.th_suspect"),
        lang.t("pages.th_findings"),
        lang.f("pages.th_band", &[("cur", &html(cur))]),
        lang.f("pages.th_assets", &[("cur", &html(cur))]),
        lang.t("pages.th_page"),
    );
    for (k, (sec, page)) in inv.suspects.iter().zip(&drawn.suspect_pages).enumerate() {
        let n = inv.findings.iter().filter(|f| f.suspect.map(|l| l.suspect) == Some(sec.suspect)).count();
        let _ = write!(
            s,
            "<tr id=\"suspect-{}\"><td>{}. {} ({})</td><td class=\"n\">{n}</td>",
            k + 1,
            k + 1,
            html(case.entity_name(sec.suspect)),
            html(case.entity_id(sec.suspect))
        );
        match suspect_band(sec) {
            Some((l, h)) => {
                let _ = write!(
                    s,
                    "<td class=\"n\" data-v=\"{}\">{} – {}</td>",
                    l.round_dp(2),
                    lang.amount(l),
                    lang.amount(h)
                );
            }
            None => {
                let _ = write!(s, "<td>{}</td>", lang.t("doc.none"));
            }
        }
        td_num(s, lang, assets_total(sec));
        let _ = writeln!(s, "<td><a href=\"{0}\">{0}</a></td></tr>", html(page));
    }
    s.push_str("</tbody></table>\n");
}

/// Listed and probable victims: presented as victims with the reasons, never as suspects
/// (non-punishment principle, issue 9).
fn victims_section(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
    let _ = writeln!(
        s,
        "<section id=\"victims\"><h2>{}</h2>\n<p>{}</p>",
        lang.t("victims.title"),
        lang.f(
            "victims.intro",
            &[
                ("cite", &cite(lang, "methodology.md#t-victim-control")),
                ("cite2", &cite(lang, "methodology.md#victims-first"))
            ]
        )
    );
    if inv.pseudonymised > 0 {
        let _ = writeln!(
            s,
            "<p class=\"note\">{}</p>",
            lang.f(
                "victims.pseudonyms",
                &[
                    ("n", &inv.pseudonymised.to_string()),
                    ("audience", lang.t(&format!("audience.{}", inv.audience.as_str())))
                ]
            )
        );
    }
    if let Some(sealed) = inv.sealed.as_ref().map(|x| &x.path) {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", lang.f("victims.sealed", &[("path", &html(sealed))]));
    }
    if inv.victims.is_empty() {
        let _ = writeln!(s, "<p>{}</p></section>", lang.t("victims.none"));
        return;
    }
    s.push_str("<table class=\"sortable\"><thead><tr>");
    for k in ["person", "name", "status", "minor", "score", "reasons"] {
        let _ = write!(s, "<th>{}</th>", lang.t(&format!("victims.th_{k}")));
    }
    s.push_str("</tr></thead><tbody>\n");
    for v in &inv.victims {
        s.push_str("<tr>");
        td(s, &v.id);
        td(s, &v.name);
        let _ = write!(s, "<td>{}</td>", lang.t(&format!("victims.status_{}", v.status)));
        let _ = write!(s, "<td>{}</td>", lang.t(if v.minor { "doc.yes" } else { "doc.no" }));
        td(s, &v.score);
        let _ = write!(s, "<td>{}</td>", cite(lang, &lang.localise(&v.reasons)));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
}

fn summary(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, cur: &str) {
    let lang = drawn.lang;
    let settings = &drawn.settings;
    let case = inv.case();
    let _ = writeln!(s, "<section id=\"summary\"><h2>{}</h2>", lang.t("summary.title"));
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
        "<p>{}</p><p class=\"band\" id=\"band\">{} – {}</p><p>{}</p><p class=\"rel\" id=\"figures-relate\">{}</p>",
        lang.f(
            "summary.band_intro",
            &[("rules", &html(settings.get("trace.rules").map(String::as_str).unwrap_or("")))]
        ),
        lang.money(lo, cur),
        lang.money(hi, cur),
        lang.f("summary.attributable", &[("amount", &lang.money(assets, cur))]),
        lang.f("summary.relate", &[("cite", &cite(lang, "(methodology.md#cv-band)"))]),
    );
    let _ = writeln!(
        s,
        "<p>{}</p>",
        lang.f("summary.introduced_def", &[("cite", &cite(lang, "methodology.md#tracing-defaults"))])
    );
    if drawn.suspect_pages.is_empty() {
        for (k, sec) in inv.suspects.iter().enumerate() {
            suspect_summary(s, inv, lang, k, sec, cur);
        }
    } else {
        let _ = writeln!(s, "<p>{}</p>", lang.t("pages.see_index"));
    }
    let _ = writeln!(s, "<h3>{}</h3><ol id=\"key-findings\" class=\"plain\">", lang.t("summary.key_findings"));
    let key =
        inv.findings.iter().enumerate().filter(|(_, f)| inv.audience.all_findings() || f.suspect.is_some()).take(5);
    for (rank, f) in key {
        let _ = writeln!(
            s,
            "<li><a href=\"#{}\">{}</a> ({}): {}</li>",
            text::anchor(rank),
            text::number(rank),
            html(&text::typology_name(lang, f.typology)),
            cite(lang, &text::statement(lang, case, f))
        );
    }
    s.push_str("</ol></section>\n");
}

/// The prosecutor's table of one suspect: each figure with the exhibits or section that prove it.
fn suspect_summary(s: &mut String, inv: &Investigation<'_>, lang: Lang, k: usize, sec: &SuspectSection, cur: &str) {
    let case = inv.case();
    let row = &case.suspects.rows[sec.row];
    let none = lang.t("doc.none");
    let _ = writeln!(
        s,
        "<h3 id=\"summary-{}\">{}</h3><p>{}</p>",
        k + 1,
        lang.f(
            "summary.suspect_heading",
            &[
                ("k", &(k + 1).to_string()),
                ("name", &html(case.entity_name(sec.suspect))),
                ("id", &html(case.entity_id(sec.suspect)))
            ]
        ),
        lang.f(
            "summary.suspect_basis",
            &[
                ("basis", &html(row.basis.as_deref().unwrap_or(none))),
                ("ref", &html(row.case_ref.as_deref().unwrap_or(none))),
                ("since", &row.since.map(|d| lang.date(d)).unwrap_or_else(|| none.into())),
                ("n", &sec.scope.len().to_string())
            ]
        )
    );
    let tracing = lang.f("summary.tracing_proof", &[("href", &format!("#suspect-{}-tracing", k + 1))]);
    let _ = write!(
        s,
        "<table class=\"st\" id=\"summary-table-{}\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        k + 1,
        lang.t("summary.th_figure"),
        lang.f("summary.th_amount", &[("cur", &html(cur))]),
        lang.t("summary.th_proof")
    );
    let line = |s: &mut String, what: &str, d: Option<Decimal>, proof: &str| {
        let _ = write!(s, "<tr><td>{what}</td>");
        match d {
            Some(d) => td_num(s, lang, d),
            None => {
                let _ = write!(s, "<td>{none}</td>");
            }
        }
        let _ = writeln!(s, "<td>{proof}</td></tr>");
    };
    match &sec.trace {
        Some(t) if !t.figures.is_empty() => {
            line(s, lang.t("summary.introduced"), t.figures.first().map(|f| f.introduced), &tracing);
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
                    &lang.f(
                        "summary.identifiable",
                        &[
                            ("rule", &cite(lang, &format!("{} methodology.md#{anchor}", f.rule))),
                            ("held", &lang.amount(f.held_in_scope)),
                            ("property", &lang.amount(f.into_property)),
                        ],
                    ),
                    Some(f.identifiable()),
                    &tracing,
                );
            }
            let (l, h) = t.band();
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{} – {}</td><td>{tracing}</td></tr>",
                lang.t("summary.band"),
                lang.amount(l),
                lang.amount(h)
            );
            if let Some(f) = t.figures.first() {
                line(s, lang.t("summary.held_elsewhere"), Some(f.held_elsewhere), &tracing);
                line(s, lang.t("summary.exited"), Some(f.exited), &tracing);
            }
        }
        _ => line(s, lang.t("summary.introduced"), None, lang.t("summary.no_inflows")),
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
    let held = if held.is_empty() {
        String::new()
    } else {
        lang.f("summary.object_held", &[("list", &html(&held.join(", ")))])
    };
    line(
        s,
        &lang.f("summary.object_based", &[("held", &held)]),
        Some(assets_total(sec)),
        &lang.f(
            "summary.assets_proof",
            &[
                ("href", &format!("#suspect-{}-assets", k + 1)),
                ("exhibits", &text::exhibit_links(lang, &inv.exhibits.numbers(&provs), 12)),
            ],
        ),
    );
    if let Some(t) = sec.trace.as_ref().filter(|t| !t.figures.is_empty()) {
        let avail = assets_total(sec) + t.band().0;
        line(
            s,
            lang.t("summary.value_based"),
            Some(avail.min(t.figures[0].introduced)),
            &format!("{tracing}; {}", cite(lang, "methodology.md#cv-views")),
        );
    }
    let mine: Vec<(usize, &crate::patterns::Finding)> =
        inv.findings.iter().enumerate().filter(|(_, f)| f.suspect.map(|l| l.suspect) == Some(sec.suspect)).collect();
    for (rank, f) in mine.iter().filter(|(_, f)| f.typology == "disproportion") {
        line(
            s,
            &lang.f("summary.disproportion", &[("statement", &cite(lang, &text::statement(lang, case, f)))]),
            Some(f.total),
            &format!("<a href=\"#{}\">{}</a>", text::anchor(*rank), text::number(*rank)),
        );
    }
    if !mine.iter().any(|(_, f)| f.typology == "disproportion") {
        line(s, lang.t("summary.disproportion_none_label"), None, lang.t("summary.disproportion_none"));
    }
    let links: Vec<String> =
        mine.iter().map(|(r, _)| format!("<a href=\"#{}\">{}</a>", text::anchor(*r), text::number(*r))).collect();
    let _ = writeln!(
        s,
        "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr></tbody></table>",
        lang.t("summary.linked"),
        mine.len(),
        if links.len() > 20 { format!("{} …", links[..20].join(", ")) } else { links.join(", ") }
    );
}

/// How many transfers the table that stands in for a finding's diagram lists.
const TABLE_ROWS: usize = 6;

/// The transfers of a finding without a drawn diagram, largest first, as a small table (HTML).
fn transfer_table(inv: &Investigation<'_>, lang: Lang, f: &crate::patterns::Finding) -> String {
    let case = inv.case();
    let t = &case.transfers;
    // Largest first by the base amount (a transfer without a rate sorts last), ties by row.
    let base = |i: crate::model::TransferId| t.base_amount(i.ix(), &case.fx).map(|c| c.base_amount);
    let mut rows: Vec<crate::model::TransferId> = f.txns.clone();
    rows.sort_by(|&a, &b| base(b).cmp(&base(a)).then(a.cmp(&b)));
    let mut s = format!(
        "<table class=\"tt\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("diagrams.th_from"),
        lang.t("diagrams.th_to"),
        lang.t("diagrams.th_amount"),
        lang.t("diagrams.th_date"),
        lang.t("diagrams.th_exhibit")
    );
    let acc = |a: u32| {
        if a == crate::model::NO_ACCOUNT {
            lang.t("doc.none").to_string()
        } else {
            html(&case.accounts.rows[a as usize].id).into_owned()
        }
    };
    for &i in rows.iter().take(TABLE_ROWS) {
        let k = i.ix();
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            acc(t.from[k]),
            acc(t.to[k]),
            t.amount(k).round_dp(2),
            html(&lang.money(t.amount(k), t.currency[k].as_str())),
            lang.date(t.booked_at[k].date()),
            text::exhibit_links(lang, &inv.exhibits.numbers(&[t.prov(k)]), 1)
        );
    }
    if rows.len() > TABLE_ROWS {
        let _ = write!(
            s,
            "<tr><td colspan=\"5\">{}</td></tr>",
            lang.f("diagrams.more", &[("n", &(rows.len() - TABLE_ROWS).to_string())])
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn findings_table(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, outputs: &[OutputFile]) {
    let lang = drawn.lang;
    let case = inv.case();
    let n = inv.findings.len();
    let _ = writeln!(
        s,
        "<section id=\"findings\"><h2>{}</h2><p>{}{}</p>",
        lang.t("findings.title"),
        lang.f("findings.intro", &[("n", &n.to_string())]),
        if n > MAX_FINDING_ROWS {
            lang.f("findings.first_only", &[("max", &MAX_FINDING_ROWS.to_string())])
        } else {
            String::new()
        },
    );
    let drawn_set: std::collections::BTreeSet<usize> = drawn.diagrams.iter().map(|d| d.finding).collect();
    for (i, f) in inv.findings.iter().take(MAX_FINDING_ROWS).enumerate() {
        let ex = text::finding_exhibits(case, &inv.exhibits, f);
        let _ = write!(
            s,
            "<div class=\"finding\" id=\"{}\"><p class=\"stmt\"><span class=\"fno\">{}</span> · {} · {} · {}</p><p class=\"stmt\">{}</p>",
            text::anchor(i),
            text::number(i),
            cite(
                lang,
                &format!("{} (methodology.md#{})", text::typology_name(lang, f.typology), text::typology_anchor(f.typology))
            ),
            lang.f("findings.head", &[("score", &f.score.to_string())]),
            f.suspect
                .map(|l| lang.f(
                    "findings.nearest",
                    &[("id", &html(case.entity_id(l.suspect))), ("hops", &l.hops.to_string())]
                ))
                .unwrap_or_else(|| lang.t("findings.no_suspect").into()),
            cite(lang, &text::statement(lang, case, f))
        );
        let mut more = Vec::new();
        if !ex.is_empty() {
            more.push(lang.f("findings.exhibits", &[("list", &text::exhibit_links(lang, &ex, 12))]));
        }
        if drawn_set.contains(&i) {
            more.push(format!("<a href=\"#fd-{}\">{}</a>", text::anchor(i), lang.t("findings.diagram")));
        }
        let tl = super::finding_timelines::path(i, f);
        if outputs.iter().any(|o| o.path == tl) {
            more.push(format!("<a href=\"{}\">{}</a>", html(&tl), lang.t("findings.timeline")));
        }
        if !more.is_empty() {
            let _ = write!(s, "<p class=\"stmt\">{}</p>", more.join(" · "));
        }
        if !drawn_set.contains(&i) && !f.txns.is_empty() {
            s.push_str(&transfer_table(inv, lang, f));
        }
        s.push_str(&text::indicator_details(lang, f, &f.id));
        s.push_str("</div>\n");
    }
    s.push_str("</section>\n");
}

fn suspect_section(
    s: &mut String,
    inv: &Investigation<'_>,
    lang: Lang,
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
        let members: Vec<String> = sec
            .scope
            .iter()
            .map(|m| {
                let kind = m
                    .path
                    .last()
                    .map(|st| lang.t(&format!("suspect.kind_{}", format!("{:?}", st.kind).to_lowercase())))
                    .unwrap_or_default();
                let e = crate::model::EntityRef { kind: crate::model::EntityKind::Person, idx: m.person };
                format!("{} {} ({kind})", case.entity_id(e), case.entity_name(e))
            })
            .collect();
        let _ = writeln!(s, "<p>{}</p>", lang.f("suspect.family_scope", &[("members", &html(&members.join("; ")))]));
    }
    let _ = writeln!(
        s,
        "<p>{}</p><div class=\"fig\">{}</div>",
        lang.f("suspect.network", &[("files", &file_links(&drawing.files))]),
        drawing.network_svg
    );
    for n in &sec.network.chart.notes {
        let _ = write!(s, "<div class=\"note\">{}</div>", html(&lang.localise(n)));
    }
    let _ = writeln!(s, "<h4>{}</h4><div class=\"fig\">{}</div>", lang.t("suspect.timeline"), drawing.timeline_svg);
    let _ = write!(s, "<h4 id=\"suspect-{}-tracing\">{}</h4>", k + 1, lang.t("suspect.tracing"));
    match &sec.trace {
        Some(t) if !t.figures.is_empty() => {
            s.push_str("<table><thead><tr>");
            for h in
                ["rule", "introduced", "held", "property", "identifiable", "elsewhere", "exited", "absorbed", "basis"]
            {
                let _ = write!(s, "<th>{}</th>", lang.t(&format!("suspect.th_{h}")));
            }
            s.push_str("</tr></thead><tbody>\n");
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
                    td_num(s, lang, d);
                }
                let _ = write!(s, "<td>{}</td>", cite(lang, legal_basis(lang, f.rule)));
                s.push_str("</tr>\n");
            }
            let _ = writeln!(
                s,
                "</tbody></table><p>{} {}</p>",
                lang.f("doc.amounts_in", &[("cur", &html(cur))]),
                lang.t("suspect.identifiable_def")
            );
        }
        _ => {
            let _ = writeln!(s, "<p>{}</p>", lang.t("suspect.no_trace"));
        }
    }
    let _ = write!(s, "<h4 id=\"suspect-{}-assets\">{}</h4>", k + 1, lang.t("suspect.assets"));
    if sec.assets.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", lang.t("suspect.no_assets"));
        return;
    }
    s.push_str("<table class=\"sortable\"><thead><tr>");
    for h in [
        "property_id",
        "kind",
        "holders",
        "share",
        "value_basis",
        "gross",
        "encumbrances",
        "net",
        "attributable",
        "notes",
        "exhibits",
    ] {
        let _ = write!(s, "<th>{}</th>", lang.f(&format!("suspect.th_{h}"), &[("cur", &html(cur))]));
    }
    s.push_str("</tr></thead><tbody>\n");
    for a in &sec.assets {
        let p = &case.properties.rows[a.property as usize];
        s.push_str("<tr>");
        td(s, &p.id);
        td(s, &[p.kind.as_deref(), p.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", "));
        td(s, &a.holders.join("; "));
        td(s, &a.share.round_dp(4).normalize().to_string());
        let basis = match a.basis {
            crate::assets::valuation::ValueBasis::Market => "suspect.basis_market",
            crate::assets::valuation::ValueBasis::Cadastral => "suspect.basis_cadastral",
            crate::assets::valuation::ValueBasis::AcquisitionPrice => "suspect.basis_acquisition",
            crate::assets::valuation::ValueBasis::None => "suspect.basis_none",
        };
        let _ = write!(s, "<td class=\"est\">{}</td>", lang.t(basis));
        for d in [a.gross, Some(a.encumbrances), a.net, a.attributable] {
            match d {
                Some(d) => td_num(s, lang, d),
                None => s.push_str("<td></td>"),
            }
        }
        let _ = write!(s, "<td>{}</td>", cite(lang, &lang.localise(&a.note)));
        let _ = write!(s, "<td>{}</td>", text::exhibit_links(lang, &inv.exhibits.numbers(&a.provs), 40));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

/// The legal basis of a tracing rule, from the catalogue.
fn legal_basis(lang: Lang, r: Rule) -> &'static str {
    lang.t(match r {
        Rule::Fifo => "method.basis_fifo",
        Rule::Lifo => "method.basis_lifo",
        Rule::ProRata => "method.basis_pro_rata",
        Rule::Libr => "method.basis_libr",
        Rule::Poison => "method.basis_poison",
    })
}

fn th_row(s: &mut String, lang: Lang, keys: &[&str]) {
    s.push_str("<thead><tr>");
    for k in keys {
        let _ = write!(s, "<th>{}</th>", lang.t(k));
    }
    s.push_str("</tr></thead><tbody>\n");
}

fn methodology(s: &mut String, inv: &Investigation<'_>, lang: Lang, settings: &BTreeMap<String, String>) {
    let _ = write!(
        s,
        "<section id=\"methodology\"><h2>{}</h2>\n<p>{}</p><ul class=\"toc\">",
        lang.t("method.title"),
        lang.t("method.intro")
    );
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
        let _ = write!(s, "<li>{}</li>", cite(lang, &format!("methodology.md#{a}")));
    }
    let _ = write!(s, "</ul>\n<h3>{}</h3><table>", lang.t("method.params"));
    th_row(s, lang, &["method.th_typology", "method.th_param", "method.th_value", "method.th_meaning"]);
    for p in &inv.detector_params {
        let _ = write!(
            s,
            "<tr><td>{}</td>",
            cite(
                lang,
                &format!("{} (methodology.md#{})", text::typology_name(lang, p.owner), text::typology_anchor(p.owner))
            )
        );
        td(s, p.param.key);
        td(s, &p.param.value);
        let _ = writeln!(s, "<td>{}</td></tr>", cite(lang, p.param.doc));
    }
    s.push_str("</tbody></table>\n");
    data_context(s, lang, inv.case());
    let _ = write!(s, "<h3>{}</h3><table>", lang.t("method.rules"));
    th_row(s, lang, &["method.th_rule", "method.th_basis", "method.th_conserves"]);
    for r in Rule::ALL {
        let _ = write!(s, "<tr><td>{r}</td><td>{}</td>", cite(lang, legal_basis(lang, r)));
        let _ = write!(s, "<td>{}</td>", lang.t(if r.is_conserving() { "doc.yes" } else { "method.screening" }));
        s.push_str("</tr>\n");
    }
    let _ = writeln!(
        s,
        "</tbody></table>\n<p>{}</p>\n<p>{}</p>\n<p>{}</p>",
        lang.t("method.sources"),
        lang.t("method.valuation"),
        lang.t("method.diagrams")
    );
    identity_links(s, inv, lang);
    let _ = writeln!(s, "<h3>{}</h3><table><tbody>", lang.t("method.settings"));
    for (k, v) in settings {
        s.push_str("<tr>");
        td(s, k);
        td(s, v);
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
}

/// The catalogue key of a kind of context data (by the label the detectors give it).
fn datum_key(label: &str) -> String {
    let word = match label {
        "IBANs or remittances" => "ibans",
        l => l,
    };
    format!("method.data_{}", word.replace(' ', "_"))
}

/// The context data the detectors could evaluate in this case.
fn data_context(s: &mut String, lang: Lang, case: &crate::model::Case) {
    let dc = crate::patterns::DataContext::of(case);
    let _ = write!(
        s,
        "<h3>{}</h3><p>{}",
        lang.t("method.data"),
        lang.f("method.data_intro", &[("cite", &cite(lang, "methodology.md#ranking"))])
    );
    let missing: Vec<&str> = dc.missing().iter().map(|d| lang.t(&datum_key(d.label()))).collect();
    if !missing.is_empty() {
        let _ = write!(s, " <b>{}</b>.", lang.f("method.not_evaluable", &[("list", &html(&missing.join(", ")))]));
    }
    s.push_str("</p><table>");
    th_row(s, lang, &["method.th_data", "method.th_present", "method.th_evaluable"]);
    for crate::patterns::Coverage { label, text, evaluable: ok } in dc.coverage() {
        s.push_str("<tr>");
        let _ = write!(s, "<td>{}</td>", lang.t(&datum_key(label)));
        td(s, &text);
        let _ = write!(s, "<td>{}</td>", lang.t(if ok { "doc.yes" } else { "doc.no" }));
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
fn identity_links(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
    let case = inv.case();
    let links = &case.inferred_links;
    if links.is_empty() {
        return;
    }
    let confirmed = links.iter().filter(|l| l.basis.confirmed()).count();
    let analyst = links.iter().filter(|l| l.basis == crate::model::LinkBasis::Analyst).count();
    let _ = write!(
        s,
        "<h3>{}</h3><p>{}</p>",
        lang.t("er.title"),
        lang.f(
            "er.intro",
            &[
                ("n", &links.len().to_string()),
                ("confirmed", &confirmed.to_string()),
                ("analyst", &analyst.to_string()),
                ("unconfirmed", &(links.len() - confirmed - analyst).to_string())
            ]
        )
    );
    let drawn: std::collections::BTreeSet<&str> =
        inv.suspects.iter().flat_map(|x| x.network.chart.nodes.iter().map(|n| n.key.as_str())).collect();
    let key = |e: crate::model::EntityRef| {
        let p = if e.kind == crate::model::EntityKind::Person { "P" } else { "C" };
        format!("{p}:{}", case.entity_id(e))
    };
    s.push_str("<table>");
    th_row(
        s,
        lang,
        &["er.th_record", "er.th_written", "er.th_entity", "er.th_status", "er.th_confidence", "er.th_evidence"],
    );
    for l in links.iter().filter(|l| drawn.contains(key(l.entity).as_str())) {
        s.push_str("<tr>");
        td(s, case.entity_id(l.record));
        td(s, case.entity_name(l.record));
        td(s, &format!("{} {}", case.entity_id(l.entity), case.entity_name(l.entity)));
        let _ = write!(s, "<td>{}</td>", lang.t(if l.basis.confirmed() { "er.confirmed" } else { "er.unconfirmed" }));
        td(s, &format!("{:.2}", l.confidence));
        td(s, &l.evidence);
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

fn exhibits(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
    let _ = write!(
        s,
        "<section id=\"exhibits\"><h2>{}</h2><p>{}</p><table id=\"exhibits-table\">",
        lang.t("exhibits.title"),
        lang.f("exhibits.intro", &[("n", &inv.exhibits.rows().len().to_string())])
    );
    th_row(
        s,
        lang,
        &["exhibits.th_exhibit", "exhibits.th_file", "exhibits.th_line", "exhibits.th_what", "exhibits.th_sha"],
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

fn manifest(s: &mut String, inv: &Investigation<'_>, lang: Lang, outputs: &[OutputFile]) {
    let _ = write!(
        s,
        "<section id=\"manifest\"><h2>{}</h2><h3>{}</h3><table>",
        lang.t("manifest.title"),
        lang.t("manifest.inputs")
    );
    th_row(s, lang, &["manifest.th_file", "manifest.th_table", "manifest.th_bytes", "manifest.th_sha"]);
    for f in &inv.case().files {
        s.push_str("<tr>");
        td(s, &f.path);
        td(s, &f.table);
        let _ = writeln!(s, "<td class=\"n\">{}</td><td><code>{}</code></td></tr>", f.size, html(&f.sha256));
    }
    let _ = write!(
        s,
        "</tbody></table><h3>{}</h3><p>{}</p><table>",
        lang.t("manifest.outputs"),
        lang.t("manifest.outputs_intro")
    );
    th_row(s, lang, &["manifest.th_file", "manifest.th_bytes", "manifest.th_sha"]);
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
