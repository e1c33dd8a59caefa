//! HTML, SVG and XML (GraphML) text.

use std::borrow::Cow;

/// Escapes text for HTML and XML (SVG, GraphML) content and double- or single-quoted attribute
/// values: `&`, `<`, `>`, `"` and `'` become entities; control characters other than tab and
/// newline (invalid in XML 1.0) are dropped, and bidirectional controls are written as their code
/// point ([`super::is_bidi_control`]).
pub fn xml(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_bad_control(c) || super::is_bidi_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_bad_control(c) => {}
            c if super::is_bidi_control(c) => super::push_code_point(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Same as [`xml`]; named for readability at HTML call sites.
pub fn html(s: &str) -> Cow<'_, str> {
    xml(s)
}

fn is_bad_control(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text() {
        assert_eq!(xml("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(xml("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
        assert_eq!(xml("a\u{1}b\nc"), "ab\nc");
        assert_eq!(xml("Ali\u{202E}gnp.exe"), "Ali[U+202E]gnp.exe");
    }
}
