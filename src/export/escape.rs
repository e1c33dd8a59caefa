//! Escaping for every text format the exports write. Names, references and ids in a case are
//! hostile input (a person may be called `<script>alert(1)</script>` or `"];`): every writer
//! passes them through one of these functions, never `format!` alone.

use std::borrow::Cow;

/// Escapes text for HTML and XML (SVG, GraphML) content and double- or single-quoted attribute
/// values: `&`, `<`, `>`, `"` and `'` become entities; control characters other than tab and
/// newline (invalid in XML 1.0) are dropped.
pub fn xml(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_bad_control(c)) {
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

/// A DOT double-quoted string (with the quotes) whose content is shown literally by Graphviz:
/// `"` and `\` are backslash-escaped (so `\N`, `\G`, `\l` in data are not label macros), a line
/// break in the data becomes a space, and control characters are dropped. Use
/// [`dot_lines`] to build multi-line labels.
pub fn dot_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    push_dot(&mut out, s);
    out.push('"');
    out
}

fn push_dot(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A DOT double-quoted label of several lines, each escaped like [`dot_quoted`] and ended with
/// `\n` (centred) or `\l` (left-aligned) as Graphviz expects.
pub fn dot_lines(lines: &[&str], left: bool) -> String {
    let mut out = String::from("\"");
    for l in lines {
        push_dot(&mut out, l);
        out.push_str(if left { "\\l" } else { "\\n" });
    }
    out.push('"');
    out
}

/// A safe file-name fragment: ASCII letters, digits, `-` and `_` kept, everything else `_`,
/// at most 40 characters. External ids are hostile and may hold `/` or `..`.
pub fn file_stem(s: &str) -> String {
    let t: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(40).collect();
    if t.is_empty() {
        "_".into()
    } else {
        t
    }
}

/// Shortens text to `max` characters, ending with `…` when cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        Cow::Borrowed(s)
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        Cow::Owned(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text() {
        assert_eq!(xml("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(xml("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
        assert_eq!(dot_quoted("\"];"), "\"\\\"];\"");
        assert_eq!(dot_quoted("a\\Nb\nc"), "\"a\\\\Nb c\"");
        assert_eq!(dot_lines(&["x\"", "y"], true), "\"x\\\"\\ly\\l\"");
        assert_eq!(file_stem("../P1/ä"), "___P1__");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
