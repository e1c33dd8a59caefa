//! A plausible ALL-per-EUR history, one rate per calendar day.
//!
//! Anchors follow docs/methodology.md#fx-rates: about 140 until mid-2015, 134.3 (May 2017), 124.5 (2018),
//! about 121.5 (2021), 101.8 (Aug 2023), 107 (Sep 2023), 102.3 (Apr 2024), about 96.6 (late 2025).
//! Between anchors the rate is interpolated linearly, plus a small mean-reverting daily noise.

use super::rng::Rng;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// (year, month, day, ALL per EUR) anchors, docs/methodology.md#albania-thresholds.
const ANCHORS: &[(i32, u32, u32, f64)] = &[
    (2010, 1, 1, 138.0),
    (2014, 1, 1, 140.2),
    (2015, 6, 30, 139.5),
    (2017, 5, 15, 134.3),
    (2018, 6, 30, 124.5),
    (2020, 6, 30, 123.5),
    (2021, 6, 30, 121.5),
    (2022, 6, 30, 118.0),
    (2023, 8, 1, 101.8),
    (2023, 9, 15, 107.0),
    (2024, 4, 8, 102.3),
    (2025, 12, 31, 96.6),
    (2030, 12, 31, 95.0),
];

/// Daily ALL-per-EUR rates from `first` to `last` inclusive.
#[derive(Debug, Clone)]
pub struct FxTable {
    first: NaiveDate,
    rates: Vec<Decimal>,
}

fn anchor_value(d: NaiveDate) -> f64 {
    let pts: Vec<(NaiveDate, f64)> =
        ANCHORS.iter().filter_map(|&(y, m, dd, v)| NaiveDate::from_ymd_opt(y, m, dd).map(|x| (x, v))).collect();
    for w in pts.windows(2) {
        let (a, va) = w[0];
        let (b, vb) = w[1];
        if d >= a && d <= b {
            let span = (b - a).num_days().max(1) as f64;
            let t = (d - a).num_days() as f64 / span;
            return va + (vb - va) * t;
        }
    }
    pts.last().map(|p| p.1).unwrap_or(100.0)
}

impl FxTable {
    /// Builds the table for `[first, last]` from the generator's seed.
    pub fn new(seed: u64, first: NaiveDate, last: NaiveDate) -> Self {
        let mut rng = Rng::new(seed, 0xF0F0);
        let mut noise = 0.0f64;
        let mut rates = Vec::new();
        let mut d = first;
        while d <= last {
            // AR(1) noise, sd of the stationary process about 0.6 ALL.
            noise = 0.97 * noise + (rng.unit() - 0.5) * 0.5;
            let v = anchor_value(d) + noise;
            let r = Decimal::from_f64_retain(v).unwrap_or(Decimal::ONE_HUNDRED).round_dp(4);
            rates.push(r);
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        FxTable { first, rates }
    }

    /// All (date, rate) rows in date order.
    pub fn rows(&self) -> impl Iterator<Item = (NaiveDate, Decimal)> + '_ {
        self.first.iter_days().zip(self.rates.iter().copied())
    }

    /// ALL per EUR on `d` (clamped to the table's ends).
    pub fn rate(&self, d: NaiveDate) -> Decimal {
        let i = (d - self.first).num_days().max(0) as usize;
        let i = i.min(self.rates.len().saturating_sub(1));
        self.rates.get(i).copied().unwrap_or(Decimal::ONE_HUNDRED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_shape() {
        let a = NaiveDate::from_ymd_opt(2014, 1, 1).unwrap_or_default();
        let b = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
        let t = FxTable::new(1, a, b);
        let r14 = t.rate(a);
        let r25 = t.rate(b);
        assert!(r14 > Decimal::from(137) && r14 < Decimal::from(143), "{r14}");
        assert!(r25 > Decimal::from(94) && r25 < Decimal::from(99), "{r25}");
    }
}
