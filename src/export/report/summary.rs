//! The summary for the prosecutor (headline figures, one table per suspect, key findings) and
//! the probable victims.

use super::*;

pub(super) fn summary(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, cur: &str) {
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
pub(super) fn suspect_summary(
    s: &mut String,
    inv: &Investigation<'_>,
    lang: Lang,
    k: usize,
    sec: &SuspectSection,
    cur: &str,
) {
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
        lang.p(
            "summary.suspect_basis",
            sec.scope.len() as u64,
            &[
                ("basis", &html(row.basis.as_deref().unwrap_or(none))),
                ("ref", &html(row.case_ref.as_deref().unwrap_or(none))),
                ("since", &row.since.map(|d| lang.date(d)).unwrap_or_else(|| none.into())),
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

/// Listed and probable victims: presented as victims with the reasons, never as suspects
/// (non-punishment principle, issue 9).
pub(super) fn victims_section(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
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
            lang.p(
                "victims.pseudonyms",
                inv.pseudonymised as u64,
                &[("audience", lang.t(&format!("audience.{}", inv.audience.as_str())))]
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
