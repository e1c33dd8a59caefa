//! Graphviz DOT strings. One rule for text from a case, whoever draws it (the evidence
//! diagrams of `export` and the row diagrams of `query`): the content is shown literally, so `"`
//! and `\` are backslash-escaped (and `\N`, `\G`, `\l` in data are not label macros), a line
//! break inside the data becomes a space (a name cannot add lines to a label), and other control
//! characters are dropped. Lines of a label are made only by the label builders here.

/// A DOT double-quoted string (with the quotes) whose content is shown literally.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    push_escaped(&mut out, s);
    out.push('"');
    out
}

/// How the lines of a label are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// Each line centred and ended with `\n`, as Graphviz expects for a block of lines.
    Centred,
    /// Each line left-aligned and ended with `\l`.
    Left,
    /// Lines centred and separated by `\n`, the last one unterminated: a one-line label is then
    /// the plain quoted text.
    Joined,
}

/// A DOT double-quoted label of several lines, each escaped like [`quoted`].
pub fn label(lines: &[&str], layout: Lines) -> String {
    let mut out = String::from("\"");
    for (i, l) in lines.iter().enumerate() {
        if layout == Lines::Joined && i > 0 {
            out.push_str("\\n");
        }
        push_escaped(&mut out, l);
        match layout {
            Lines::Centred => out.push_str("\\n"),
            Lines::Left => out.push_str("\\l"),
            Lines::Joined => {}
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c if super::is_bidi_control(c) => super::push_code_point(out, c),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_inside_its_label() {
        assert_eq!(quoted("\"];"), "\"\\\"];\"");
        assert_eq!(quoted("a\\Nb\nc"), "\"a\\\\Nb c\"");
        assert_eq!(quoted("x\u{2066}y"), "\"x[U+2066]y\"");
        assert_eq!(quoted("a\"]; evil [label=\"x"), "\"a\\\"]; evil [label=\\\"x\"");
        assert_eq!(label(&["x\"", "y"], Lines::Left), "\"x\\\"\\ly\\l\"");
        assert_eq!(label(&["x", "y"], Lines::Centred), "\"x\\ny\\n\"");
        assert_eq!(label(&["line1\nline2\r\t\\", "z"], Lines::Joined), "\"line1 line2  \\\\\\nz\"");
        assert_eq!(label(&["one"], Lines::Joined), quoted("one"));
    }
}
