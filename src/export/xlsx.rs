//! The bundle's tables as one Excel workbook (workbook.xlsx): findings, exhibits, tracing and
//! assets, one sheet each, with the same rows and the same cells as the CSV files.
//!
//! The sheets are built from the CSV bytes the bundle has just written, so the two can never
//! disagree, and text cells carry the CSVs' formula neutralisation (a leading `'` before `=`,
//! `+`, `-`, `@`, tab or carriage return). Cells are written as strings, never as formulas;
//! only the columns listed as numeric are written as numbers. The document's creation date is
//! the case's valuation date, so the same case gives the same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// One sheet: its name, the CSV it mirrors, and the columns to write as numbers.
pub struct Sheet<'a> {
    /// Sheet name (at most 31 characters).
    pub name: &'a str,
    /// The CSV file's bytes, header first.
    pub csv: &'a [u8],
    /// Header names of the columns written as numbers when the cell parses as one.
    pub numeric: &'a [&'a str],
    /// When set, a first column of this name numbering the rows with this prefix (`F-001`...).
    pub number_column: Option<(&'a str, &'a str)>,
}

/// The bundle's four sheets, from its CSV files.
pub fn bundle_sheets<'a>(
    findings: &'a [u8],
    exhibits: &'a [u8],
    tracing: &'a [u8],
    assets: &'a [u8],
) -> [Sheet<'a>; 4] {
    [
        Sheet {
            name: "findings",
            csv: findings,
            numeric: &["score", "total_amount", "suspect_hops"],
            number_column: Some(("number", "F-")),
        },
        Sheet { name: "exhibits", csv: exhibits, numeric: &["exhibit", "line"], number_column: None },
        Sheet { name: "tracing", csv: tracing, numeric: NUMERIC_MONEY, number_column: None },
        Sheet { name: "assets", csv: assets, numeric: NUMERIC_MONEY, number_column: None },
    ]
}

/// Money and count columns of tracing.csv and assets.csv, written as numbers.
const NUMERIC_MONEY: &[&str] = &[
    "introduced",
    "held_in_scope",
    "held_elsewhere",
    "into_property",
    "exited",
    "absorbed_by_overdraft",
    "identifiable",
    "share",
    "gross",
    "encumbrances",
    "net",
    "attributable",
    "gross_value",
    "net_value",
];

/// An error building the workbook.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// A CSV could not be read back.
    #[error("reading {0} back: {1}")]
    Csv(String, csv::Error),
    /// The XLSX writer failed.
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Text as Excel accepts it: no control characters other than tab and newline (they are not
/// valid XML), at most 32,767 characters.
fn cell_text(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n')).collect();
    if t.chars().count() > 32_000 {
        let mut c: String = t.chars().take(32_000).collect();
        c.push_str(" … (clipped; full text in the CSV)");
        c
    } else {
        t
    }
}

/// The rows of a CSV, header first.
pub fn csv_rows(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, WorkbookError> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| WorkbookError::Csv(name.to_string(), e))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Builds the workbook. `created` is the document date (the valuation date).
pub fn workbook(sheets: &[Sheet<'_>], created: chrono::NaiveDate) -> Result<Vec<u8>, WorkbookError> {
    use chrono::Datelike;
    let mut wb = Workbook::new();
    let date = ExcelDateTime::from_ymd(created.year() as u16, created.month() as u8, created.day() as u8)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&date).set_author("moneytrail"));
    let bold = Format::new().set_bold();
    for sh in sheets {
        let rows = csv_rows(sh.name, sh.csv)?;
        let ws = wb.add_worksheet();
        ws.set_name(sh.name)?;
        let Some((header, body)) = rows.split_first() else { continue };
        let offset = u16::from(sh.number_column.is_some());
        if let Some((col, _)) = sh.number_column {
            ws.write_string_with_format(0, 0, col, &bold)?;
        }
        let numeric: Vec<bool> = header.iter().map(|h| sh.numeric.contains(&h.as_str())).collect();
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16 + offset, cell_text(h), &bold)?;
        }
        for (r, row) in body.iter().enumerate() {
            let r32 = r as u32 + 1;
            if let Some((_, prefix)) = sh.number_column {
                ws.write_string(r32, 0, format!("{prefix}{:03}", r + 1))?;
            }
            for (c, v) in row.iter().enumerate() {
                let col = c as u16 + offset;
                match v.parse::<f64>() {
                    Ok(x) if numeric.get(c).copied().unwrap_or(false) && x.is_finite() && !v.is_empty() => {
                        ws.write_number(r32, col, x)?;
                    }
                    _ if v.is_empty() => {}
                    _ => {
                        ws.write_string(r32, col, cell_text(v))?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_twice_and_inert_text() {
        let csv = b"finding_id,total_amount,explanation\nf1,12.50,'=HYPERLINK(\"x\")\nf2,,\"a\x01b\"\n";
        let sheets =
            [Sheet { name: "findings", csv, numeric: &["total_amount"], number_column: Some(("number", "F-")) }];
        let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        let a = workbook(&sheets, d).unwrap();
        let b = workbook(&sheets, d).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
