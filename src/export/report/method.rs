//! The report's methodology section: detectors and parameters of the run, data available,
//! tracing rules, entity resolution and the settings of the run.

use super::*;

pub(super) fn methodology(s: &mut String, inv: &Investigation<'_>, lang: Lang, settings: &BTreeMap<String, String>) {
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
        td(s, &setting_name(lang, k));
        td(s, &setting_value(lang, k, v));
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></section>\n");
}

/// A setting of the run in words, with its machine name (`Tracing rules (trace.rules)`); a
/// setting the catalogue does not know by its machine name only.
pub(super) fn setting_name(lang: Lang, key: &str) -> String {
    let k = format!("setting.{}", key.replace('.', "_"));
    match lang.catalogue().get(&k) {
        Some(meaning) => lang.f("setting.key", &[("meaning", meaning), ("key", key)]),
        None => key.to_string(),
    }
}

/// A setting's value in the report's language: the values that are words are translated (they
/// are the English texts of `[setting] v_*`), figures and codes are kept.
pub(super) fn setting_value(lang: Lang, key: &str, v: &str) -> String {
    if key == "audience" {
        return lang.catalogue().get(&format!("audience.{v}")).cloned().unwrap_or_else(|| v.to_string());
    }
    let en = Lang::En.catalogue();
    for k in [
        "setting.v_sources",
        "setting.v_family_scope",
        "setting.v_opening",
        "setting.v_graphviz",
        "setting.v_pure_rust",
    ] {
        if en.get(k).is_some_and(|e| e == v) {
            return lang.t(k).to_string();
        }
    }
    v.to_string()
}

/// The catalogue key of a kind of context data (by the label the detectors give it).
pub(super) fn datum_key(label: &str) -> String {
    let word = match label {
        "IBANs or remittances" => "ibans",
        l => l,
    };
    format!("method.data_{}", word.replace(' ', "_"))
}

/// The context data the detectors could evaluate in this case.
pub(super) fn data_context(s: &mut String, lang: Lang, case: &crate::model::Case) {
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

/// Entity resolution: how many records were folded, and every fold touching a suspect's diagram.
pub(super) fn identity_links(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
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
        lang.p(
            "er.intro",
            links.len() as u64,
            &[
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
