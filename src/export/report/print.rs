//! The page report.pdf is printed from: report.html with every link made to survive filing.
//!
//! A filed PDF is read away from the bundle folder, and Chromium writes a relative link as an
//! absolute `file://` URI under the folder the page was printed from (a temporary one), which
//! leads nowhere once the PDF is filed. So, for the print only:
//! - the methodology is printed as an annex at the end of the PDF, its anchors prefixed with
//!   `m-`, and every link into methodology.html becomes an internal link to the annex (the
//!   court gets the methodology the report cites with the report itself);
//! - every other link to a file of the bundle (full-size diagrams, finding timelines, suspect
//!   pages) is printed as its bundle-relative path in plain text, `suspects/03-P0042.html`, with
//!   no link at all;
//! - links within the report (`#f-001`, `#E12`) stay internal links.
//!
//! Web addresses of public sources in the methodology stay links: they survive filing.

use super::i18n::Lang;
use std::fmt::Write;

/// The prefix of the methodology's anchors in the printed annex.
pub const ANNEX_PREFIX: &str = "m-";

/// The page report.pdf is printed from, for `report` (report.html as written) in `lang`.
pub fn page(report: &str, lang: Lang) -> String {
    let body = relink(report);
    let annex = annex(lang);
    match body.rfind("<script>") {
        Some(i) => format!("{}{annex}{}", &body[..i], &body[i..]),
        None => format!("{body}{annex}"),
    }
}

/// The methodology as the PDF's annex (HTML), anchors and its own internal links prefixed.
fn annex(lang: Lang) -> String {
    let body = super::super::methodology::body_html(lang)
        .replace("<a id=\"", &format!("<a id=\"{ANNEX_PREFIX}"))
        .replace("<a href=\"#", &format!("<a href=\"#{ANNEX_PREFIX}"));
    let mut s = String::with_capacity(body.len() + 256);
    let _ = write!(
        s,
        "<style>.ref{{font-family:'DejaVu Sans Mono',monospace;font-size:0.92em;overflow-wrap:anywhere}}</style>\
<section id=\"{ANNEX_PREFIX}top\" class=\"annex\" style=\"break-before:page\"><p>{}</p>\n{body}</section>\n",
        lang.t("print.annex")
    );
    s
}

/// `html` with every `<a href="...">` that leaves the page rewritten (see the module doc). The
/// case's text is escaped before it reaches the page (`<` is `&lt;`), so only the report's own
/// links match.
fn relink(html: &str) -> String {
    const OPEN: &str = "<a href=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let Some(q) = after.find('"') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let href = &after[..q];
        let tail = &after[q + 1..];
        if href.starts_with('#') || href.contains("://") || href.starts_with("mailto:") {
            out.push_str(OPEN);
            out.push_str(href);
            out.push('"');
            rest = tail;
            continue;
        }
        if let Some(m) = href.strip_prefix(super::super::methodology::FILE) {
            let anchor = m.strip_prefix('#').unwrap_or("top");
            let _ = write!(out, "{OPEN}#{ANNEX_PREFIX}{anchor}\"");
            rest = tail;
            continue;
        }
        // A file of the bundle: the link's text, then its path, as plain text.
        let (Some(gt), Some(end)) = (tail.find('>'), tail.find("</a>")) else {
            out.push_str(&rest[i..]);
            return out;
        };
        if gt > end {
            out.push_str(&rest[i..]);
            return out;
        }
        let text = &tail[gt + 1..end];
        if text == href {
            let _ = write!(out, "<span class=\"ref\">{href}</span>");
        } else {
            let _ = write!(out, "{text} (<span class=\"ref\">{href}</span>)");
        }
        rest = &tail[end + 4..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_leaving_the_page_are_made_to_survive_filing() {
        let html = "<a href=\"#f-001\">F-001</a> <a href=\"methodology.html#t-fan-in\">m: Fan-in</a> \
<a href=\"methodology.html\">full</a> <a href=\"diagrams/x.svg\">diagrams/x.svg</a> \
<a href=\"diagrams/timeline-1.svg\">timeline</a> <a href=\"https://www.osce.org/x\">osce</a> &lt;a href=\"y\"&gt;";
        assert_eq!(
            relink(html),
            "<a href=\"#f-001\">F-001</a> <a href=\"#m-t-fan-in\">m: Fan-in</a> \
<a href=\"#m-top\">full</a> <span class=\"ref\">diagrams/x.svg</span> \
timeline (<span class=\"ref\">diagrams/timeline-1.svg</span>) <a href=\"https://www.osce.org/x\">osce</a> &lt;a href=\"y\"&gt;"
        );
    }

    #[test]
    fn the_annex_holds_every_anchor_prefixed() {
        for lang in super::super::i18n::ALL {
            let p = page("<body><p>x</p><script>s</script></body>", lang);
            assert!(p.find("id=\"m-top\"").unwrap() < p.find("<script>").unwrap());
            for a in super::super::super::methodology::anchors() {
                assert!(p.contains(&format!("<a id=\"m-{a}\"")), "{a} ({lang:?})");
            }
            assert!(!p.contains("href=\"#t-"), "an annex link not prefixed");
        }
    }
}
