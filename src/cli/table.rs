//! The one table renderer of the terminal output (issue 18): column widths fitted to the
//! terminal, long cells cut at a grapheme boundary by display width with an ellipsis, control
//! characters of hostile data made visible instead of reaching the terminal, numbers and money
//! right-aligned with thousands separators. CSV and JSON outputs never pass through here: they
//! stay complete and plain.

use comfy_table::{Cell, CellAlignment, ContentArrangement};
use rust_decimal::Decimal;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The table style (comfy-table's preset syntax: a space draws nothing): no outer borders, `|`
/// between columns, a `-+-` line under the header, nothing between rows.
const STYLE: &str = "     -+ |          ";
/// Width used when the output is not a terminal and `COLUMNS` is not set.
const DEFAULT_WIDTH: usize = 120;
/// Longest a cell is before it is even measured: a 200 kB cell is cut here first, so fitting
/// costs the same whatever the data holds.
const MEASURE_CAP: usize = 4096;

/// How a column is aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Counts and amounts.
    Right,
}

/// A table to print: a header, rows of cells, an alignment per column.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names, every column left-aligned.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = vec![Align::Left; header.len()];
        Table { header, align, rows: Vec::new() }
    }

    /// Right-aligns the columns at these positions.
    pub fn right(mut self, cols: &[usize]) -> Table {
        for &c in cols {
            if let Some(a) = self.align.get_mut(c) {
                *a = Align::Right;
            }
        }
        self
    }

    /// Adds a row (missing cells are empty, extra cells dropped).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut r: Vec<String> = cells.into_iter().map(Into::into).collect();
        r.resize(self.header.len(), String::new());
        self.rows.push(r);
    }

    /// The table rendered for a terminal `width` columns wide (each line ends in a newline).
    pub fn render(&self, width: usize) -> String {
        let n = self.header.len();
        if n == 0 {
            return String::new();
        }
        let clean = |s: &str| cut(&visible(s), MEASURE_CAP);
        let header: Vec<String> = self.header.iter().map(|h| clean(h)).collect();
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()).collect();
        let mut natural: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for r in &rows {
            for (w, c) in natural.iter_mut().zip(r) {
                *w = (*w).max(c.width());
            }
        }
        // Each column has one space of padding on either side and a `|` between columns.
        let caps = fit(&natural, width.saturating_sub(3 * n - 1).max(n));
        let mut t = comfy_table::Table::new();
        t.load_preset(STYLE);
        t.set_content_arrangement(ContentArrangement::Disabled);
        let cells = |r: &[String]| -> Vec<Cell> {
            r.iter()
                .zip(&caps)
                .zip(&self.align)
                .map(|((c, &cap), a)| {
                    let cell = Cell::new(cut(c, cap));
                    match a {
                        Align::Left => cell,
                        Align::Right => cell.set_alignment(CellAlignment::Right),
                    }
                })
                .collect()
        };
        t.set_header(cells(&header));
        for r in &rows {
            t.add_row(cells(r));
        }
        let mut out = String::new();
        for line in t.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Prints the table to standard output, fitted to the terminal.
    pub fn print(&self) {
        print!("{}", self.render(terminal_width()));
    }
}

/// The width to fit tables to: `COLUMNS` when set, else the terminal's width when standard
/// output is one, else 120.
pub fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n > 0) {
        return n;
    }
    console::Term::stdout().size_checked().map(|(_, w)| w as usize).filter(|&w| w > 0).unwrap_or(DEFAULT_WIDTH)
}

/// Column caps whose sum is at most `room` (at least one column each): the widest columns are
/// cut first, to a common cap (water filling); narrow columns keep their width.
fn fit(natural: &[usize], room: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum();
    if total <= room {
        return natural.to_vec();
    }
    // The largest cap c with sum(min(w, c)) <= room.
    let (mut lo, mut hi) = (1, natural.iter().copied().max().unwrap_or(1).max(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if natural.iter().map(|&w| w.min(mid)).sum::<usize>() <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    natural.iter().map(|&w| w.min(lo)).collect()
}

/// `s` cut to at most `max` display columns at a grapheme boundary, with `…` when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.len() <= max && s.width() <= max {
        return s.to_string();
    }
    let budget = max.saturating_sub(1);
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if w + gw > budget {
            break;
        }
        w += gw;
        out.push_str(g);
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Control characters (newlines, tabs, escapes of hostile data) shown as visible symbols: a
/// cell never moves the cursor or changes the terminal.
pub fn visible(s: &str) -> String {
    if !s.chars().any(|c| c.is_control()) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            '\n' => '⏎',
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// An amount with thousands separators for the terminal: `5057421.48` as `5,057,421.48`.
pub fn money(d: &Decimal) -> String {
    let s = d.to_string();
    thousands(&s)
}

/// A count with thousands separators: `1234567` as `1,234,567`.
pub fn count(n: u64) -> String {
    thousands(&n.to_string())
}

/// Thousands separators in the integer part of a plain decimal string.
fn thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `text` wrapped at `width` display columns, every line starting with `indent`; words longer
/// than a line are cut with [`cut`].
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let room = width.saturating_sub(indent.width()).max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word = cut(&visible(word), room);
        if !line.is_empty() && line.width() + 1 + word.width() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.iter().map(|l| format!("{indent}{l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(money(&"5057421.48".parse().unwrap()), "5,057,421.48");
        assert_eq!(money(&"-1000".parse().unwrap()), "-1,000");
        assert_eq!(money(&"999.5".parse().unwrap()), "999.5");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(0), "0");
    }

    #[test]
    fn cut_respects_graphemes_and_width() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        // Wide characters take two columns: never split, never over the width.
        let c = cut("中文字符测试", 5);
        assert!(c.width() <= 5, "{c}");
        assert_eq!(c, "中文…");
        // A combining accent stays with its letter.
        let s = "e\u{301}e\u{301}e\u{301}e\u{301}";
        let c = cut(s, 3);
        assert_eq!(c, "e\u{301}e\u{301}…");
    }

    #[test]
    fn fit_cuts_the_widest_first() {
        assert_eq!(fit(&[5, 100, 10], 40), vec![5, 25, 10]);
        assert_eq!(fit(&[5, 10], 40), vec![5, 10]);
    }

    #[test]
    fn wraps() {
        let w = wrap("one two three four five six", 16, "  ");
        for l in w.lines() {
            assert!(l.width() <= 16 && l.starts_with("  "), "{w}");
        }
        assert!(w.starts_with("  one two three"), "{w}");
    }
}
