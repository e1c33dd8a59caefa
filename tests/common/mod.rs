//! Helpers shared by the case-folder tests.

use std::path::Path;

/// Writes a case folder: every table with its header and the rows given for it.
pub fn write_case(dir: &Path, valuation: &str, rows: &[(&str, &[&str])]) {
    std::fs::write(
        dir.join("case.toml"),
        format!(
            "name = \"hand-written\"\nbase_currency = \"ALL\"\nvaluation_date = \"{valuation}\"\n[thresholds]\ncash_report = \"1000000\"\n"
        ),
    )
    .unwrap();
    for (table, cols) in moneytrail::model::schema::TABLES {
        let (file, header) = (format!("{table}.csv"), cols.join(","));
        let file = file.as_str();
        let mut text = format!("{header}\n");
        for (f, rs) in rows {
            if *f == file {
                for r in *rs {
                    text.push_str(r);
                    text.push('\n');
                }
            }
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
}
