//! L1, text for people and other programs: the one place where hostile text from a case is made
//! safe for each output format. Names, references and ids in a case are hostile input (a person
//! may be called `<script>alert(1)</script>`, `"];` or `=HYPERLINK(..)`): every writer, in
//! `export` and `query` alike, passes them through one of these functions, never `format!` alone.
//!
//! - [`csv_safe`]: spreadsheet-safe CSV cells (formula neutralisation);
//! - [`xml`]: HTML, SVG and XML text and attribute values;
//! - [`dot`]: Graphviz DOT strings and multi-line labels;
//! - [`file_stem`] and [`clip`]: file-name fragments and shortened labels.
//!
//! Depends on nothing else in the crate (std and the `csv` crate only).

pub mod csv_safe;
pub mod dot;
pub mod xml;

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is a bidirectional control character (marks, embeddings, overrides, isolates).
/// Such a character in a name could reverse the text around it on screen or in print (a
/// "Trojan Source" name such as `Ali\u{202E}gnp.exe`, CVE-2021-42574), so every escaper here
/// writes it visibly as its code point, `[U+202E]`, and the reader sees the name holds one.
/// Ingest already refuses them in ids and names (docs/data-model.md, "Limits"); this covers
/// every other text from a case.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends `c` as `[U+XXXX]` (see [`is_bidi_control`]).
pub fn push_code_point(out: &mut String, c: char) {
    let _ = write!(out, "[U+{:04X}]", c as u32);
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
    fn file_stems_and_clips() {
        assert_eq!(file_stem("../P1/ä"), "___P1__");
        assert_eq!(file_stem(""), "_");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
