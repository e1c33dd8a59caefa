//! Workbooks (XLSX, XLS, XLSB, ODS) through calamine: one sheet becomes the same [`Record`]s a
//! CSV file gives, each cell as text with its kind, so every check, reject and provenance
//! rule is the one CSV rows go through.
//!
//! * **Rows.** A record's line is the sheet row as Excel numbers it (row 1 at the top), so a
//!   reject at line 12 is row 12 of the sheet; the sheet's name is in the source-file record.
//! * **Numbers.** Excel stores every number as a binary double and shows it to 15
//!   significant digits; a number cell is read as that decimal (`0.1 + 0.2` computed in a
//!   cell reads 0.3, `1234.56` reads 1234.56), the digits the investigator sees in Excel.
//!   Excel has no decimal type, so unlike Parquet doubles these are accepted as money.
//! * **Dates.** A date-formatted cell holds a serial day number with a day fraction; it is
//!   converted exactly ([`DateTime::from_excel_serial`]: the 1900 system with its leap-year
//!   bug, or the 1904 system), rounded to the second.
//! * **Text cells** are parsed with the source's reading options (date formats, decimal comma),
//!   as CSV text is.

use super::config::ReadOptions;
use super::source::{FieldKind, HeaderFinder, Opened, PreambleRow, Record, BATCH};
use super::IngestError;
use crate::model::DateTime;
use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Reader};
use csv::ByteRecord;
use std::path::Path;

/// The largest column (XFD) and row (1048576) of an Excel sheet, as digits of an A1 reference.
const MAX_COLUMN_LETTERS: usize = 3;
const MAX_ROW_DIGITS: usize = 7;

/// Refuses a workbook whose sheet XML holds a cell reference longer than any sheet can have.
/// calamine 0.35 accumulates a reference's letters and digits in u32 without a check, so
/// `r="AAAAAAAA1"` panics in a build with overflow checks and silently lands the cell elsewhere
/// in one without (found by the `xlsx_statement` fuzz target; fuzz/README.md). Files that are
/// not zip archives (.xls) are left to calamine.
fn check_references(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else { return Ok(()) };
    let Ok(mut zip) = zip::ZipArchive::new(file) else { return Ok(()) };
    let mut xml = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        let name = entry.name().to_string();
        if !(name.starts_with("xl/") && name.ends_with(".xml")) {
            continue;
        }
        xml.clear();
        // A damaged part (a bad CRC, say) still gives calamine the bytes read before the error,
        // so those are checked too; calamine reports the damage itself, if it notices.
        let _ = entry.read_to_end(&mut xml);
        if let Some(r) = oversized_reference(&xml) {
            return Err(format!(
                "cell reference '{r}' in {name} is beyond the largest cell a sheet can have (XFD1048576); \
                 the file was not written by a spreadsheet program or is damaged: save it again from one"
            ));
        }
    }
    Ok(())
}

/// The first `r="…"` or `ref="…"`/`sqref="…"` value in `xml` with a part (between `:` or
/// spaces, `$` ignored) of more than three column letters or seven row digits.
fn oversized_reference(xml: &[u8]) -> Option<String> {
    let mut i = 0;
    while let Some(k) = xml[i..].iter().position(|&b| b == b'=') {
        let at = i + k;
        i = at + 1;
        let attr_start = xml[..at].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |p| p + 1);
        let attr = &xml[attr_start..at];
        if !(attr == b"r" || attr == b"ref" || attr == b"sqref")
            || attr_start == 0
            || !xml[attr_start - 1].is_ascii_whitespace()
        {
            continue;
        }
        let Some(&quote) = xml.get(i) else { break };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let Some(len) = xml[i + 1..].iter().position(|&b| b == quote) else { break };
        let value = &xml[i + 1..i + 1 + len];
        for part in value.split(|&b| b == b':' || b == b' ') {
            let part: Vec<u8> = part.iter().copied().filter(|&b| b != b'$').collect();
            let letters = part.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let digits = part[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
            if letters > MAX_COLUMN_LETTERS || digits > MAX_ROW_DIGITS {
                return Some(String::from_utf8_lossy(value).chars().take(40).collect());
            }
        }
        i += 1 + len;
    }
    None
}

/// Opens the workbook at `path` and reads the sheet `opts.sheet` (default the first).
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Opened, IngestError> {
    let bad = |message: String| IngestError::Csv { path: path.to_path_buf(), message };
    check_references(path).map_err(bad)?;
    let mut book = calamine::open_workbook_auto(path).map_err(|e| bad(format!("not a readable workbook: {e}")))?;
    let names = book.sheet_names();
    let sheet = match &opts.sheet {
        Some(s) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| IngestError::Mapping {
            path: path.to_path_buf(),
            message: format!("the workbook has no sheet '{s}'; its sheets are: {}", names.join(", ")),
        })?,
        None => names.first().cloned().ok_or_else(|| bad("the workbook has no sheet".into()))?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| bad(format!("sheet '{sheet}' cannot be read: {e}")))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut finder = HeaderFinder::new(opts);
    let has_header = opts.has_header.unwrap_or(true);
    let mut preamble = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut header_line = 0;
    let mut records: Vec<Record> = Vec::new();
    let mut found = false;
    for (i, row) in range.rows().enumerate() {
        let line = (row0 as u64) + i as u64 + 1;
        let cells: Vec<(String, FieldKind)> = row.iter().map(cell).collect();
        if cells.iter().all(|(t, _)| t.is_empty()) {
            continue;
        }
        if !found {
            let texts: Vec<String> = cells.iter().map(|(t, _)| t.trim().to_string()).collect();
            if !finder.is_header(line, &texts, path)? {
                preamble.push(PreambleRow { line, cells: texts });
                continue;
            }
            found = true;
            if has_header {
                headers = texts;
                header_line = line;
                continue;
            }
            headers = (1..=texts.len()).map(|k| format!("column_{k}")).collect();
        }
        let mut fields = ByteRecord::new();
        let mut kinds = Vec::with_capacity(cells.len());
        for (t, k) in cells {
            fields.push_field(t.as_bytes());
            kinds.push(k);
        }
        records.push(Record { line, fields, kinds, footer: false });
    }
    if !found && finder.searching() {
        return Err(finder.not_found(path));
    }
    let rows = records.len();
    let mut pending = records.into_iter();
    Ok(Opened {
        headers,
        kinds: Vec::new(),
        reader: Box::new(move |buf: &mut Vec<Record>| {
            buf.clear();
            buf.extend(pending.by_ref().take(BATCH));
            Ok(())
        }),
        preamble,
        header_line,
        warnings: Vec::new(),
        encoding_hint: None,
        rows: Some(rows),
        sheet: Some(sheet),
        first_column: col0,
        typed_source: "Excel cell",
    })
}

/// A cell as text and kind.
fn cell(d: &Data) -> (String, FieldKind) {
    match d {
        Data::Empty => (String::new(), FieldKind::Text),
        Data::String(s) => (s.clone(), FieldKind::Text),
        Data::Int(i) => (i.to_string(), FieldKind::Integer),
        Data::Float(f) => (excel_number(*f), FieldKind::Decimal),
        Data::Bool(b) => (b.to_string(), FieldKind::Boolean),
        Data::DateTime(dt) if dt.is_duration() => (excel_number(dt.as_f64()), FieldKind::Other("duration".into())),
        Data::DateTime(dt) => {
            let is_1904 = *dt != ExcelDateTime::new(dt.as_f64(), ExcelDateTimeType::DateTime, false);
            match DateTime::from_excel_serial(dt.as_f64(), is_1904) {
                Ok(t) => (t.to_string(), FieldKind::Datetime),
                Err(why) => (excel_number(dt.as_f64()), FieldKind::Other(why.to_string())),
            }
        }
        Data::DateTimeIso(s) => (s.clone(), FieldKind::Datetime),
        Data::DurationIso(s) => (s.clone(), FieldKind::Other("duration".into())),
        Data::Error(e) => (e.to_string(), FieldKind::Other("Excel error value".into())),
    }
}

/// A number cell as Excel shows it: the double rounded to 15 significant digits, as a plain
/// decimal without trailing zeros (`1234.56`, `1500`, `0.3`).
pub fn excel_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    rust_decimal::Decimal::from_scientific(&format!("{f:.14e}"))
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|_| f.to_string())
}

/// A cell reference in A1 notation from a zero-based sheet column and a 1-based row.
pub fn a1(col: u32, row: u64) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// Parses an A1 reference (`B3`, `AA12`) into a zero-based column and a 1-based row.
pub fn parse_a1(r: &str) -> Option<(u32, u64)> {
    let r = r.trim().to_ascii_uppercase();
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut col: u32 = 0;
    for b in letters.bytes() {
        col = col.checked_mul(26)?.checked_add((b - b'A' + 1) as u32)?;
    }
    let row: u64 = digits.parse().ok().filter(|&n| n > 0)?;
    Some((col - 1, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(excel_number(1234.56), "1234.56");
        assert_eq!(excel_number(0.1 + 0.2), "0.3");
        assert_eq!(excel_number(1500.0), "1500");
        assert_eq!(excel_number(-25000.5), "-25000.5");
    }

    #[test]
    fn cell_references_longer_than_any_sheet_are_found() {
        assert_eq!(oversized_reference(br#"<c r="A1" s="1"><v>1</v></c>"#), None);
        assert_eq!(oversized_reference(br#"<dimension ref="A1:XFD1048576"/>"#), None);
        assert_eq!(oversized_reference(br#"<row r="12"><c r="AAAAAAAA1"/>"#).as_deref(), Some("AAAAAAAA1"));
        assert_eq!(oversized_reference(br#"<dimension ref='A1:B99999999'/>"#).as_deref(), Some("A1:B99999999"));
        assert_eq!(oversized_reference(br#"<c attr="AAAAAAAA1" r="B2"/>"#), None);
        assert_eq!(oversized_reference(br#"<selection sqref="$A$1 ABCD1"/>"#).as_deref(), Some("$A$1 ABCD1"));
    }

    #[test]
    fn a1_references_round_trip() {
        assert_eq!(a1(0, 1), "A1");
        assert_eq!(a1(27, 12), "AB12");
        assert_eq!(parse_a1("b3"), Some((1, 3)));
        assert_eq!(parse_a1("AB12"), Some((27, 12)));
        assert_eq!(parse_a1("3B"), None);
    }
}
