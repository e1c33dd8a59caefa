//! Dense Gauss-Jordan inversion in `Decimal`, for the small matrices of cyclic ownership
//! components (docs/methodology.md#bo-computation, U = W_pc (I - W_cc)^-1).

use rust_decimal::Decimal;

/// Inverts the square matrix `a` (row-major, `n x n`) by Gauss-Jordan elimination with partial
/// pivoting. Returns `None` on a zero pivot (singular) or Decimal overflow.
///
/// Precision: every operation is rounded to Decimal's 28 significant digits, so for an
/// `(I - W)` matrix with column sums of `W` at most `1 - eps` the relative error is about
/// `n * 1e-27 / eps`.
///
/// # Complexity
/// O(n^3) time, O(n^2) memory.
pub(crate) fn invert(mut a: Vec<Vec<Decimal>>) -> Option<Vec<Vec<Decimal>>> {
    let n = a.len();
    let mut inv: Vec<Vec<Decimal>> = (0..n)
        .map(|i| {
            let mut r = vec![Decimal::ZERO; n];
            r[i] = Decimal::ONE;
            r
        })
        .collect();
    for col in 0..n {
        // Partial pivoting: the row with the largest |a[r][col]| at or below the diagonal.
        let pivot_row = (col..n).max_by_key(|&r| a[r][col].abs())?;
        if a[pivot_row][col].is_zero() {
            return None;
        }
        a.swap(col, pivot_row);
        inv.swap(col, pivot_row);
        let p = a[col][col];
        for j in 0..n {
            a[col][j] = a[col][j].checked_div(p)?;
            inv[col][j] = inv[col][j].checked_div(p)?;
        }
        for r in 0..n {
            if r == col || a[r][col].is_zero() {
                continue;
            }
            let f = a[r][col];
            for j in 0..n {
                let da = f.checked_mul(a[col][j])?;
                a[r][j] = a[r][j].checked_sub(da)?;
                let di = f.checked_mul(inv[col][j])?;
                inv[r][j] = inv[r][j].checked_sub(di)?;
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_two_by_two() {
        // I - W for A<->B holding 50 % of each other.
        let h = Decimal::new(5, 1);
        let a = vec![vec![Decimal::ONE, -h], vec![-h, Decimal::ONE]];
        let inv = invert(a).unwrap_or_default();
        // (I - W)^-1 = 1/0.75 * [[1, .5], [.5, 1]]
        let four_thirds = Decimal::from(4) / Decimal::from(3);
        assert!((inv[0][0] - four_thirds).abs() < Decimal::new(1, 25));
        assert!((inv[0][1] - four_thirds / Decimal::TWO).abs() < Decimal::new(1, 25));
    }

    #[test]
    fn singular_is_none() {
        let a = vec![vec![Decimal::ONE, -Decimal::ONE], vec![-Decimal::ONE, Decimal::ONE]];
        assert!(invert(a).is_none());
    }
}
