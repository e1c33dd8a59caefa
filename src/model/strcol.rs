//! A compact column of strings: one byte arena plus offsets (4 bytes a row of overhead instead
//! of the 24 of a `String`), used for transfer ids, references and extra columns.

/// Append-only column of UTF-8 strings.
#[derive(Clone, Debug, Default)]
pub struct StrColumn {
    bytes: String,
    ends: Vec<u32>,
}

/// The arena of a [`StrColumn`] outgrew 4 GiB.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("a text column outgrew 4 GiB; split the input into several cases")]
pub struct ColumnFull;

impl StrColumn {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one value.
    pub fn push(&mut self, s: &str) -> Result<(), ColumnFull> {
        let end = self.bytes.len() + s.len();
        let end = u32::try_from(end).map_err(|_| ColumnFull)?;
        self.bytes.push_str(s);
        self.ends.push(end);
        Ok(())
    }

    /// Reserves room for `n` more values holding `bytes` bytes in all.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.ends.reserve_exact(n);
        self.bytes.reserve_exact(bytes);
    }

    /// Appends every value of another column.
    pub fn extend_from(&mut self, other: &StrColumn) -> Result<(), ColumnFull> {
        for i in 0..other.len() {
            self.push(other.get(i))?;
        }
        Ok(())
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The value at `i`; `""` when out of range.
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.bytes.get(start..end as usize).unwrap_or("")
    }

    /// Keeps only the values whose index satisfies `keep`, in order.
    pub fn retain_indices(&mut self, keep: &[bool]) {
        let mut out = StrColumn::new();
        for (i, &k) in keep.iter().enumerate() {
            if k {
                // Cannot overflow: the kept values are a subset of ones that fitted.
                let _ = out.push(self.get(i));
            }
        }
        *self = out;
    }

    /// Bytes held (arena plus offsets), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_retain() {
        let mut c = StrColumn::new();
        for s in ["a", "", "Arbën", "x"] {
            c.push(s).unwrap();
        }
        assert_eq!((c.get(0), c.get(1), c.get(2), c.get(3), c.get(9)), ("a", "", "Arbën", "x", ""));
        c.retain_indices(&[false, true, true, false]);
        assert_eq!((c.len(), c.get(0), c.get(1)), (2, "", "Arbën"));
    }
}
