//! The suspects: a section per suspect (family scope, network, timeline, tracing, assets), the
//! index of suspect pages and the page of each suspect in large cases.

use super::*;

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
pub(super) fn suspect_index(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, cur: &str) {
    let lang = drawn.lang;
    let case = inv.case();
    let _ = writeln!(
        s,
        "<p>{}</p><table class=\"sortable\" id=\"suspect-index\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.p("pages.intro", inv.suspects.len() as u64, &[]),
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

pub(super) fn suspect_section(
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
    for n in diagram::notes_in(&sec.network.chart, lang) {
        let _ = write!(s, "<div class=\"note\">{}</div>", html(&lang.localise(&n)));
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
pub(super) fn legal_basis(lang: Lang, r: Rule) -> &'static str {
    lang.t(match r {
        Rule::Fifo => "method.basis_fifo",
        Rule::Lifo => "method.basis_lifo",
        Rule::ProRata => "method.basis_pro_rata",
        Rule::Libr => "method.basis_libr",
        Rule::Poison => "method.basis_poison",
    })
}
