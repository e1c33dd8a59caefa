//! Compact columns for the transfer store: exact decimal amounts in 9 bytes a row instead of 16,
//! and provenance as a 4-byte line per row plus runs of rows from the same file.

use super::provenance::Prov;
use rust_decimal::Decimal;

/// Marks a row whose amount did not fit an `i64` mantissa; the value is in `big`.
const BIG: u8 = u8::MAX;

/// Exact decimal amounts: an `i64` mantissa and a scale per row (a `Decimal` is 16 bytes). The
/// rare amount whose mantissa needs more than 63 bits is kept whole in a side table.
#[derive(Clone, Debug, Default)]
pub struct AmountColumn {
    units: Vec<i64>,
    scale: Vec<u8>,
    big: Vec<(u32, Decimal)>,
}

impl AmountColumn {
    /// Appends an amount; exact for every `Decimal`.
    pub fn push(&mut self, d: Decimal) {
        let m = d.mantissa();
        match i64::try_from(m) {
            Ok(u) => {
                self.units.push(u);
                self.scale.push(d.scale() as u8);
            }
            Err(_) => {
                self.big.push((self.units.len() as u32, d));
                self.units.push(0);
                self.scale.push(BIG);
            }
        }
    }

    /// The amount at row `i` (zero when out of range).
    pub fn get(&self, i: usize) -> Decimal {
        match (self.units.get(i), self.scale.get(i)) {
            (Some(_), Some(&BIG)) => {
                self.big.binary_search_by_key(&(i as u32), |b| b.0).map(|p| self.big[p].1).unwrap_or(Decimal::ZERO)
            }
            (Some(&u), Some(&s)) => Decimal::new(u, s as u32),
            _ => Decimal::ZERO,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.units.reserve_exact(n);
        self.scale.reserve_exact(n);
    }

    /// Keeps the rows whose flag is set.
    pub fn retain(&mut self, keep: &[bool]) {
        let mut out = AmountColumn::default();
        out.reserve(keep.iter().filter(|k| **k).count());
        for (i, &k) in keep.iter().enumerate() {
            if k {
                out.push(self.get(i));
            }
        }
        *self = out;
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.units.capacity() * 8 + self.scale.capacity() + self.big.capacity() * 20
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.units.shrink_to_fit();
        self.scale.shrink_to_fit();
        self.big.shrink_to_fit();
    }
}

/// Provenance of rows loaded file after file: the line of each row, and the file as runs
/// (first row, file index), since consecutive rows come from the same file.
#[derive(Clone, Debug, Default)]
pub struct ProvColumn {
    line: Vec<u32>,
    runs: Vec<(u32, u32)>,
}

impl ProvColumn {
    /// Appends a row's provenance.
    pub fn push(&mut self, p: Prov) {
        let row = self.line.len() as u32;
        if self.runs.last().is_none_or(|r| r.1 != p.file) {
            self.runs.push((row, p.file));
        }
        self.line.push(p.line);
    }

    /// Provenance of row `i`.
    pub fn get(&self, i: usize) -> Prov {
        let pos = self.runs.partition_point(|r| r.0 as usize <= i);
        let file = pos.checked_sub(1).map_or(0, |p| self.runs[p].1);
        Prov { file, line: self.line.get(i).copied().unwrap_or(0) }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.line.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.line.is_empty()
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.line.reserve_exact(n);
    }

    /// Keeps the rows whose flag is set.
    pub fn retain(&mut self, keep: &[bool]) {
        let mut out = ProvColumn::default();
        for (i, &k) in keep.iter().enumerate() {
            if k {
                out.push(self.get(i));
            }
        }
        *self = out;
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.line.capacity() * 4 + self.runs.capacity() * 8
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.line.shrink_to_fit();
        self.runs.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly_including_huge_ones() {
        let mut c = AmountColumn::default();
        let vals = ["0.01", "985000.00", "544595.7886430753", "79228162514264337593543950335", "-3.5", "12"];
        for v in vals {
            c.push(v.parse().unwrap());
        }
        for (i, v) in vals.iter().enumerate() {
            assert_eq!(c.get(i).to_string(), *v);
        }
        c.retain(&[true, false, true, true, false, true]);
        assert_eq!(c.get(2).to_string(), "79228162514264337593543950335");
        assert_eq!(c.get(3).to_string(), "12");
    }

    #[test]
    fn provenance_runs_resolve_file_and_line() {
        let mut p = ProvColumn::default();
        for (f, l) in [(1, 2), (1, 3), (2, 2), (2, 3), (1, 9)] {
            p.push(Prov { file: f, line: l });
        }
        assert_eq!(p.get(0), Prov { file: 1, line: 2 });
        assert_eq!(p.get(3), Prov { file: 2, line: 3 });
        assert_eq!(p.get(4), Prov { file: 1, line: 9 });
        p.retain(&[true, false, false, true, true]);
        assert_eq!((p.get(1), p.get(2)), (Prov { file: 2, line: 3 }, Prov { file: 1, line: 9 }));
    }
}
