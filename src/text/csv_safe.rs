//! CSV that is safe to open in a spreadsheet: a text cell that a spreadsheet would read as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`
//! (OWASP "CSV injection" guidance), so `=HYPERLINK(...)` stays text.

use std::borrow::Cow;

/// Neutralises one text cell. Plain numbers such as `-12.50` are left alone.
pub fn cell(s: &str) -> Cow<'_, str> {
    let risky = matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    if risky && !is_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn is_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') && t.bytes().filter(|&b| b == b'.').count() <= 1
}

/// Writes one record of text cells, each neutralised.
pub fn write_record<W: std::io::Write>(w: &mut csv::Writer<W>, cells: &[&str]) -> csv::Result<()> {
    w.write_record(cells.iter().map(|c| cell(c).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_numbers_stay_numbers() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("+1+1"), "'+1+1");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("Arbën Hoxha"), "Arbën Hoxha");
        assert_eq!(cell(""), "");
    }
}
