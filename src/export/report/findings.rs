//! The findings: one block per ranked finding (statement, exhibits, diagram or transfer table,
//! folded indicators), and the tables that stand in for undrawn diagrams.

use super::*;

/// How many transfers the table that stands in for a finding's diagram lists.
pub(super) const TABLE_ROWS: usize = 6;

/// The transfers of a finding without a drawn diagram, largest first, as a small table (HTML).
pub(super) fn transfer_table(inv: &Investigation<'_>, lang: Lang, f: &crate::patterns::Finding) -> String {
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
            lang.p("diagrams.more", (rows.len() - TABLE_ROWS) as u64, &[])
        );
    }
    s.push_str("</tbody></table>");
    s
}

pub(super) fn findings_table(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn, outputs: &[OutputFile]) {
    let lang = drawn.lang;
    let case = inv.case();
    let n = inv.findings.len();
    let _ = writeln!(
        s,
        "<section id=\"findings\"><h2>{}</h2><p>{}{}</p>",
        lang.t("findings.title"),
        lang.p("findings.intro", n as u64, &[]),
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
                .map(|l| lang.p("findings.nearest", l.hops as u64, &[("id", &html(case.entity_id(l.suspect)))]))
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
        let tl = crate::export::finding_timelines::path(i, f);
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

/// The diagrams of the findings ranked highest, each under its number and statement.
pub(super) fn finding_diagrams(s: &mut String, inv: &Investigation<'_>, drawn: &Drawn) {
    let lang = drawn.lang;
    let _ = writeln!(s, "<section id=\"finding-diagrams\"><h2>{}</h2>", lang.t("diagrams.title"));
    let with_txns = inv.findings.iter().take(MAX_FINDING_ROWS).filter(|f| !f.txns.is_empty()).count();
    let _ = writeln!(
        s,
        "<p>{}</p>",
        lang.p("diagrams.intro", drawn.diagrams.len() as u64, &[("all", &with_txns.to_string())])
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
}
