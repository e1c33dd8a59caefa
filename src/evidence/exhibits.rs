//! Exhibit numbers: every source row cited by a diagram edge, an asset row or a finding gets a
//! number `E1, E2, ...` that resolves, in the appendix and in `exhibits.csv`, to the file, the
//! line and the file's SHA-256. Numbers are assigned in (file, line) order after all citations
//! are collected, so they do not depend on the order in which sections were built.

use crate::model::{Case, Prov};
use crate::text::csv_safe;
use std::collections::BTreeMap;
use std::io::Write;

/// One exhibit: a source row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exhibit {
    /// The number (1-based); shown as `E<number>`.
    pub number: u32,
    /// The row.
    pub prov: Prov,
    /// File path relative to the case folder.
    pub file: String,
    /// The case table the file fed.
    pub table: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// What the row is (e.g. `transfer T000123`); the first description given wins.
    pub what: String,
}

/// Collects citations, then numbers them.
#[derive(Default, Debug)]
pub struct ExhibitCollector {
    cited: BTreeMap<Prov, String>,
}

impl ExhibitCollector {
    /// Records that `prov` is cited, described as `what` (the first description is kept).
    pub fn cite(&mut self, prov: Prov, what: impl FnOnce() -> String) {
        self.cited.entry(prov).or_insert_with(what);
    }

    /// Numbers the citations in (file, line) order.
    pub fn finish(self, case: &Case) -> Exhibits {
        let rows = self
            .cited
            .into_iter()
            .enumerate()
            .map(|(i, (prov, what))| {
                let f = case.file_of(prov);
                Exhibit {
                    number: i as u32 + 1,
                    prov,
                    file: f.map(|f| f.path.clone()).unwrap_or_default(),
                    table: f.map(|f| f.table.clone()).unwrap_or_default(),
                    sha256: f.map(|f| f.sha256.clone()).unwrap_or_default(),
                    what,
                }
            })
            .collect();
        Exhibits { rows }
    }
}

/// The numbered exhibits of one bundle, sorted by (file, line) = by number.
#[derive(Default, Debug)]
pub struct Exhibits {
    rows: Vec<Exhibit>,
}

impl Exhibits {
    /// All exhibits, by number.
    pub fn rows(&self) -> &[Exhibit] {
        &self.rows
    }

    /// The number of a cited row; `None` when it was not cited. O(log n).
    pub fn number(&self, p: Prov) -> Option<u32> {
        self.rows.binary_search_by(|e| e.prov.cmp(&p)).ok().map(|i| self.rows[i].number)
    }

    /// The exhibit with this number.
    pub fn get(&self, number: u32) -> Option<&Exhibit> {
        self.rows.get((number as usize).checked_sub(1)?)
    }

    /// Numbers of the given rows, sorted and de-duplicated (rows not cited are skipped).
    pub fn numbers(&self, provs: &[Prov]) -> Vec<u32> {
        let mut v: Vec<u32> = provs.iter().filter_map(|&p| self.number(p)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Writes `exhibits.csv`: exhibit, file, line, sha256, table, what.
    pub fn write_csv<W: Write>(&self, out: W) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["exhibit", "file", "line", "sha256", "table", "what"])?;
        for e in &self.rows {
            let (n, line) = (label(e.number), e.prov.line.to_string());
            csv_safe::write_record(&mut w, &[&n, &e.file, &line, &e.sha256, &e.table, &e.what])?;
        }
        w.flush()?;
        Ok(())
    }
}

/// `E<n>`.
pub fn label(n: u32) -> String {
    format!("E{n}")
}

/// Every number written out, runs of consecutive numbers as ranges: `E3–E5, E9`.
pub fn full_list(numbers: &[u32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => label(numbers[i]),
            1 => format!("{}, {}", label(numbers[i]), label(numbers[j])),
            _ => format!("{}–{}", label(numbers[i]), label(numbers[j])),
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// A short form for a diagram label: the first `max` numbers (ranges folded) and `+N more`.
pub fn short_list(numbers: &[u32], max: usize) -> String {
    if numbers.len() <= max {
        return full_list(numbers);
    }
    format!("{} +{} more", full_list(&numbers[..max]), numbers.len() - max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_fold_runs() {
        assert_eq!(full_list(&[1, 2, 3, 5, 7, 8]), "E1–E3, E5, E7, E8");
        assert_eq!(short_list(&[1, 2, 3, 5, 7, 8], 2), "E1, E2 +4 more");
        assert_eq!(full_list(&[]), "");
    }
}
