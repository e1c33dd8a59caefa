//! The appendices: the exhibit table and the manifest of inputs and outputs.

use super::*;

pub(super) fn exhibits(s: &mut String, inv: &Investigation<'_>, lang: Lang) {
    let _ = write!(
        s,
        "<section id=\"exhibits\"><h2>{}</h2><p>{}</p><table id=\"exhibits-table\">",
        lang.t("exhibits.title"),
        lang.p("exhibits.intro", inv.exhibits.rows().len() as u64, &[])
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
        td(s, &diagram::exhibit_in(lang, &e.what));
        let _ = writeln!(s, "<td><code>{}</code></td></tr>", html(&e.sha256));
    }
    s.push_str("</tbody></table></section>\n");
}

pub(super) fn manifest(s: &mut String, inv: &Investigation<'_>, lang: Lang, outputs: &[OutputFile]) {
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
