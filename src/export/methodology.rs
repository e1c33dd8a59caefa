//! The project's methodology (docs/methodology.md) as the bundle's methodology.html, and the
//! links from the report's text into it.
//!
//! The markdown is compiled into the binary, so a bundle always carries the methodology of the
//! version that wrote it, and the same version always writes the same bytes. The Albanian text
//! (docs/methodology.sq.md) is a translation with the same section anchors (tests/methodology.rs
//! checks that both define the same set), so a citation `methodology.md#t-fan-in` leads to the
//! same section in either language.

use super::report::Lang;
use crate::text::xml::html;
use pulldown_cmark::{html::push_html, Options, Parser};

/// docs/methodology.md as compiled into this version.
pub const MARKDOWN: &str = include_str!("../../docs/methodology.md");

/// docs/methodology.sq.md (the Albanian translation) as compiled into this version.
pub const MARKDOWN_SQ: &str = include_str!("../../docs/methodology.sq.md");

/// The methodology in `lang`.
pub fn markdown(lang: Lang) -> &'static str {
    match lang {
        Lang::En => MARKDOWN,
        Lang::Sq => MARKDOWN_SQ,
    }
}

/// The file name of the rendered methodology in a bundle.
pub const FILE: &str = "methodology.html";

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px auto;color:#222;max-width:46em;line-height:1.45}\
h1{font-size:24px}h2{font-size:19px;border-bottom:2px solid #1f4e79;padding-bottom:3px;margin-top:34px}h3{font-size:16px;margin-top:24px}\
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#eef2f7}\
a{color:#1f4e79;overflow-wrap:anywhere}code{font-size:12px}\
@media print{body{margin:0;max-width:none}a{color:#000}h2,h3{break-after:avoid}}";

/// The anchors (`<a id="...">`) that docs/methodology.md defines, in document order.
pub fn anchors() -> Vec<&'static str> {
    anchors_of(MARKDOWN)
}

/// The anchors (`<a id="...">`) that `markdown` defines, in document order.
pub fn anchors_of(markdown: &'static str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut rest = markdown;
    while let Some(i) = rest.find("<a id=\"") {
        rest = &rest[i + 7..];
        if let Some(j) = rest.find('"') {
            out.push(&rest[..j]);
            rest = &rest[j..];
        }
    }
    out
}

/// The heading text that follows an anchor (for link text), without its section number.
pub fn title(anchor: &str) -> Option<&'static str> {
    title_in(Lang::En, anchor)
}

/// [`title`] in the methodology of `lang`.
pub fn title_in(lang: Lang, anchor: &str) -> Option<&'static str> {
    let md = markdown(lang);
    let tag = format!("<a id=\"{anchor}\"></a>");
    let at = md.find(&tag)? + tag.len();
    let line = md[at..].lines().map(str::trim).find(|l| !l.is_empty())?;
    let text = line.trim_start_matches('#').trim();
    // "3.4 Fan-in (gather)" -> "Fan-in (gather)"
    let text = match text.split_once(' ') {
        Some((num, t)) if num.chars().all(|c| c.is_ascii_digit() || c == '.') => t,
        _ => text,
    };
    Some(text)
}

/// methodology.html in English: the markdown rendered as CommonMark with tables, in a page that
/// loads nothing from outside.
pub fn render_html(case_name: &str) -> String {
    render_html_in(Lang::En, case_name)
}

/// The methodology of `lang` rendered as HTML (the body only: for methodology.html and the
/// annex of report.pdf).
pub fn body_html(lang: Lang) -> String {
    let md = markdown(lang);
    let mut body = String::with_capacity(md.len() * 2);
    push_html(&mut body, Parser::new_ext(md, Options::ENABLE_TABLES));
    body
}

/// methodology.html in `lang` (the bundle carries the one of the report's language).
pub fn render_html_in(lang: Lang, case_name: &str) -> String {
    let body = body_html(lang);
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{STYLE}</style></head><body>\n\
<p><a href=\"report.html\">{}</a> · moneytrail {version}</p>\n{body}</body></html>\n",
        lang.t("format.html_lang"),
        lang.f("method.html_title", &[("case", &html(case_name)), ("version", version)]),
        lang.t("pages.back"),
    )
}

/// Escapes `text` for HTML and turns every citation `methodology.md#<anchor>` (with or without a
/// `docs/` prefix) into a link to the anchor in methodology.html, titled with its section. The
/// design-note markers `[D]`, `[S]` and `[U]` of older parameter texts are put into words, so that
/// a court reads no internal markers.
pub fn cite_html(text: &str) -> String {
    cite_html_as(text, "methodology")
}

/// As [`cite_html`], with `word` (the report language's word for "methodology") in the link
/// text.
pub fn cite_html_as(text: &str, word: &str) -> String {
    cite_with(text, word, Lang::En)
}

/// As [`cite_html`], in `lang`: its word for "methodology" and its section titles.
pub fn cite_html_in(text: &str, lang: Lang) -> String {
    cite_with(text, lang.t("doc.methodology_word"), lang)
}

fn cite_with(text: &str, word: &str, lang: Lang) -> String {
    let text = plain(text);
    let escaped = html(&text);
    let mut out = String::with_capacity(escaped.len() + 64);
    let mut rest: &str = &escaped;
    const KEY: &str = "methodology.md#";
    while let Some(i) = rest.find(KEY) {
        let mut start = i;
        if rest[..i].ends_with("docs/") {
            start -= 5;
        }
        out.push_str(&rest[..start]);
        let after = &rest[i + KEY.len()..];
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(after.len());
        let anchor = &after[..len];
        match title_in(lang, anchor) {
            Some(t) => {
                out.push_str(&format!("<a href=\"{FILE}#{anchor}\">{}: {}</a>", html(word), html(t)));
            }
            None => out.push_str(&rest[start..i + KEY.len() + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// `text` with the markers put into words (for plain-text outputs such as CSV and XLSX).
pub fn plain(text: &str) -> String {
    // Code paths in backticks (`module::item`) name no section a reader can open: the
    // methodology section on scoring explains the same thing.
    let mut t = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('`') {
        let Some(j) = rest[i + 1..].find('`') else { break };
        let inner = &rest[i + 1..i + 1 + j];
        t.push_str(&rest[..i]);
        if inner.contains("::") {
            t.push_str("methodology.md#scoring");
        } else {
            t.push_str(&rest[i..i + j + 2]);
        }
        rest = &rest[i + j + 2..];
    }
    t.push_str(rest);
    t.replace(" [D]", " (project default)")
        .replace("[D]", "(project default)")
        .replace(" [S]", "")
        .replace("[S]", "")
        .replace(" [U]", " (not verified)")
        .replace("[U]", "(not verified)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_titled() {
        let a = anchors();
        assert!(a.len() > 50, "{}", a.len());
        let set: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(set.len(), a.len(), "duplicate anchor");
        for x in a {
            assert!(title(x).is_some_and(|t| !t.is_empty()), "{x} has no title");
        }
        assert_eq!(title("t-fan-in"), Some("Fan-in (gather)"));
    }

    #[test]
    fn citations_become_links_and_markers_words() {
        let s = cite_html("min <5> senders (docs/methodology.md#t-fan-in) [D]; methodology.md#nope");
        assert_eq!(
            s,
            "min &lt;5&gt; senders (<a href=\"methodology.html#t-fan-in\">methodology: Fan-in (gather)</a>) \
(project default); methodology.md#nope"
        );
    }

    #[test]
    fn html_has_every_anchor() {
        let h = render_html("<script>x</script>");
        assert!(!h.contains("<script>x"));
        for a in anchors() {
            assert!(h.contains(&format!("id=\"{a}\"")), "{a}");
        }
        assert!(h.contains("<table>"));
    }
}
