//! Small helpers shared by the transfer-pattern detectors: who holds an account, how old it is,
//! exact ratio tests on amounts in cents, sliding windows of distinct counterparts, and
//! pass-through ("forwarded within hours") tests. Evidence totals stay in `Decimal`; the
//! integer cents ([`FlowGraph::cents`]) and [`Ratio`]s only decide band comparisons, exactly,
//! with no float anywhere.

use crate::graph::{DistinctWindow, FlowGraph};
use crate::model::{Case, Channel, DateTime, EntityKind, EntityRef};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;

/// The case's cash-reporting threshold in cents of the base currency, as
/// [`FlowGraph::cents_of`] rounds it (ingest requires a positive amount; one with more than two
/// decimals is rounded to the cent).
pub(crate) fn threshold(case: &Case) -> i64 {
    FlowGraph::cents_of(case.meta.cash_report.amount)
}

/// A money ratio (a share or a factor, given as a `Decimal` parameter) as the exact fraction
/// `num / den` in lowest terms, for integer comparisons against amounts in cents.
///
/// Exact for every parameter with at most 18 decimals and a mantissa below 2^63 (any share or
/// factor a person writes). A longer one is first rounded half away from zero to the most
/// decimals that fit; a ratio beyond ±9.2·10^18 saturates there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ratio {
    num: i64,
    den: i64,
}

impl Ratio {
    /// The ratio of a `Decimal` parameter.
    pub(crate) fn new(r: Decimal) -> Ratio {
        let mut d = r.normalize();
        while d.scale() > 18 || d.mantissa().unsigned_abs() > i64::MAX as u128 {
            if d.scale() == 0 {
                return Ratio { num: if d.is_sign_negative() { -i64::MAX } else { i64::MAX }, den: 1 };
            }
            d = d.round_dp_with_strategy(d.scale() - 1, RoundingStrategy::MidpointAwayFromZero).normalize();
        }
        let (num, den) = (d.mantissa() as i64, 10i64.pow(d.scale()));
        let g = gcd(num.unsigned_abs(), den as u64) as i64;
        Ratio { num: num / g, den: den / g }
    }

    /// `x` against `self · y`, exactly (`x`, `y` in cents, or sums of cents).
    pub(crate) fn cmp_times(self, x: i128, y: i128) -> Ordering {
        let (num, den) = (self.num as i128, self.den as i128);
        if let (Ok(x64), Ok(y64)) = (i64::try_from(x), i64::try_from(y)) {
            // Every factor is below 2^63 in magnitude: both products fit an i128.
            return (x64 as i128 * den).cmp(&(y64 as i128 * num));
        }
        // Sums beyond i64: with y = q·den + r (0 <= r < den), self·y = num·q + num·r/den.
        let (q, r) = (y.div_euclid(den), y.rem_euclid(den));
        let part = num * r; // |num|, r < 2^63
        let (pq, pr) = (part.div_euclid(den), part.rem_euclid(den));
        let floor = q
            .checked_mul(num)
            .map_or(if (q < 0) != (num < 0) { i128::MIN } else { i128::MAX }, |v| v.saturating_add(pq));
        // self·y = floor + pr/den with 0 <= pr < den.
        match x.cmp(&floor) {
            Ordering::Equal if pr != 0 => Ordering::Less,
            o => o,
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// The amounts `a` (cents) with `lo · y <= a <= hi · y` for one reference amount `y`, with the
/// right-hand products computed once: [`Band::contains`] is two integer multiplications, as
/// cheap as the float band it replaces, and exact.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Band {
    lo_den: i64,
    lo_rhs: i128,
    hi_den: i64,
    hi_rhs: i128,
}

impl Band {
    /// The band `[lo · y, hi · y]`.
    pub(crate) fn new(lo: Ratio, hi: Ratio, y: i64) -> Band {
        Band { lo_den: lo.den, lo_rhs: lo.num as i128 * y as i128, hi_den: hi.den, hi_rhs: hi.num as i128 * y as i128 }
    }

    /// True when `lo · y <= a <= hi · y`.
    #[inline]
    pub(crate) fn contains(&self, a: i64) -> bool {
        let a = a as i128;
        a * self.lo_den as i128 >= self.lo_rhs && a * self.hi_den as i128 <= self.hi_rhs
    }
}

/// The holder of account `a`, if known.
pub(crate) fn holder(case: &Case, a: u32) -> Option<EntityRef> {
    case.accounts.rows.get(a as usize).and_then(|r| r.holder)
}

/// True when account `a` is held by a natural person.
pub(crate) fn is_personal(case: &Case, a: u32) -> bool {
    holder(case, a).is_some_and(|h| h.kind == EntityKind::Person)
}

/// True when both accounts have the same known holder (own-account transfers).
pub(crate) fn same_holder(case: &Case, a: u32, b: u32) -> bool {
    match (holder(case, a), holder(case, b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// True when account `a` was opened at most `max_days` before `at`.
pub(crate) fn is_new(case: &Case, a: u32, at: DateTime, max_days: i64) -> bool {
    case.accounts.rows.get(a as usize).and_then(|r| r.opened_on).is_some_and(|o| (at.0 - o.start().0) <= max_days * DAY)
}

/// True when transfer `e` is a card payment (merchant acquiring: excluded from flow patterns).
pub(crate) fn is_card(case: &Case, e: u32) -> bool {
    case.transfers.channel[e as usize] == Channel::Card
}

/// True when `e` moves money between two accounts (no cash side, no card), and not between
/// two accounts of the same holder.
pub(crate) fn is_account_flow(case: &Case, g: &FlowGraph, e: u32) -> bool {
    // One bit per transfer in the graph (the same test, computed once for all transfers);
    // debug builds check it against the test itself.
    let flow = g.is_account_flow(case, e);
    debug_assert_eq!(flow, {
        let (s, d) = (g.src[e as usize], g.dst[e as usize]);
        s < g.account_count() && d < g.account_count() && !is_card(case, e) && !same_holder(case, s, d)
    });
    flow
}

/// Sum of base amounts, checked: beyond the decimal range it says so instead of panicking.
pub(crate) fn total(g: &FlowGraph, edges: &[u32]) -> Total {
    Total(checked_sum(edges.iter().map(|&e| g.base_of(e as usize))))
}

/// A checked sum of amounts: `None` when it leaves the decimal range (about 7.9·10^28), an
/// overflow said in words, never a panic or a wrapped number.
pub(crate) fn checked_sum(amounts: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    amounts.into_iter().try_fold(Decimal::ZERO, |acc, x| acc.checked_add(x))
}

/// A total for an explanation: the amount, or words when the sum left the decimal range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Total(pub(crate) Option<Decimal>);

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(d) => d.fmt(f),
            None => f.write_str("more than the largest representable amount (sum overflow)"),
        }
    }
}

/// Sum of amounts in cents (an i128 cannot overflow on any number of i64 amounts held in memory).
pub(crate) fn total_cents(g: &FlowGraph, edges: &[u32]) -> i128 {
    edges.iter().map(|&e| g.cents[e as usize] as i128).sum()
}

/// The amounts of `edges` in one unit, for comparisons between them: base-currency cents when
/// every one has a base amount, else cents of their own currency when they share it; `None`
/// when they mix currencies and some lack a rate (the comparison is then skipped and said,
/// never guessed).
pub(crate) fn one_unit(case: &Case, g: &FlowGraph, edges: &[u32]) -> Option<Vec<i64>> {
    if edges.iter().all(|&e| g.has_base(e)) {
        return Some(edges.iter().map(|&e| g.cents[e as usize]).collect());
    }
    let t = &case.transfers;
    let cur = t.currency[*edges.first()? as usize];
    edges.iter().map(|&e| (t.currency[e as usize] == cur).then(|| FlowGraph::cents_of(t.amount(e as usize)))).collect()
}

/// Whether `b` lies in `[lo · a, hi · a]` (amounts of transfers `a` and `b` in one unit, see
/// [`one_unit`]); `None` when the two cannot be compared without a rate.
pub(crate) fn in_band(case: &Case, g: &FlowGraph, a: u32, b: u32, lo: Ratio, hi: Ratio) -> Option<bool> {
    let (x, y) = if g.has_base(a) && g.has_base(b) {
        (g.cents[a as usize], g.cents[b as usize])
    } else {
        let t = &case.transfers;
        if t.currency[a as usize] != t.currency[b as usize] {
            return None;
        }
        (FlowGraph::cents_of(t.amount(a as usize)), FlowGraph::cents_of(t.amount(b as usize)))
    };
    Some(Band::new(lo, hi, x).contains(y))
}

/// The note a finding carries when an amount comparison was skipped for a missing rate.
pub(crate) const NOT_COMPARED: &str =
    "amounts in different currencies without a rate were not compared (a hop linked on its structure only)";

/// How an episode of `edges` (sorted by time) relates to its window, for explanations:
/// "within 30 days" when it fits in one window; otherwise the merged windows are said as they
/// are, "over 362 days (2019-01-03 to 2019-12-31), in overlapping 30-day windows", so a
/// steady flow is never described as a burst.
pub(crate) fn span_phrase(g: &FlowGraph, edges: &[u32], window_days: i64) -> String {
    let (Some(&first), Some(&last)) = (edges.first(), edges.last()) else {
        return format!("within {window_days} days");
    };
    let (t0, t1) = (g.time[first as usize], g.time[last as usize]);
    if t1.0 - t0.0 <= window_days * DAY {
        return format!("within {window_days} days");
    }
    let days = (t1.0 - t0.0 + DAY - 1) / DAY;
    format!("over {days} days ({} to {}), in overlapping {window_days}-day windows", t0.date(), t1.date())
}

/// Merged windows of `edges` (sorted by time) in which at least `min` distinct counterparts
/// (`key[e]`) appear within `w` seconds. Returns the edges of each episode.
///
/// # Complexity
/// O(len(edges)): one pass of [`DistinctWindow`] (a dense per-thread counter, no hashing and no
/// allocation per transfer); only the episodes found are copied out.
pub(crate) fn episodes(edges: &[u32], time: &[DateTime], key: &[u32], w: i64, min: usize) -> Vec<Vec<u32>> {
    thread_local! {
        static WINDOW: std::cell::RefCell<DistinctWindow> = std::cell::RefCell::new(DistinctWindow::new(0));
    }
    let mut out: Vec<Vec<u32>> = Vec::new();
    // Current episode as an index range [start, end) into `edges`.
    let mut cur: Option<(usize, usize)> = None;
    WINDOW.with_borrow_mut(|win| {
        win.slide(edges, time, key, w, |lo, hi, distinct| {
            if distinct >= min {
                cur = match cur {
                    Some((s, e)) if lo <= e => Some((s.min(lo), hi + 1)),
                    Some((s, e)) => {
                        out.push(edges[s..e].to_vec());
                        Some((lo, hi + 1))
                    }
                    None => Some((lo, hi + 1)),
                };
            }
        })
    });
    if let Some((s, e)) = cur {
        out.push(edges[s..e].to_vec());
    }
    out
}

/// The inflows of account `a` that fund payment `e` (booked at most `within` seconds before
/// it), when together they cover at least `min_cover` of its amount: the mule's
/// "received, then passed on" (docs/methodology.md#t-pass-through). Returns the funding transfers.
///
/// Transfers without a base amount neither need nor give funding here (no comparison without
/// a rate).
pub(crate) fn funding(g: &FlowGraph, a: u32, e: u32, within: i64, min_cover: Ratio) -> Option<Vec<u32>> {
    if !g.has_base(e) {
        return None;
    }
    let t = g.time[e as usize];
    let ins = g.in_between(a, DateTime(t.0 - within), t);
    let need = g.cents[e as usize] as i128;
    let mut sum: i128 = 0;
    let mut used = Vec::new();
    for &i in ins.iter().rev() {
        if i == e || g.time[i as usize] > t || !g.has_base(i) {
            continue;
        }
        sum += g.cents[i as usize] as i128;
        used.push(i);
        if min_cover.cmp_times(sum, need) != Ordering::Less {
            return Some(used);
        }
    }
    None
}

/// True when transfer `e` sends a case subject's money abroad: the payer's holder is known (a
/// subject of the case, not a foreign counterpart) and the IBAN countries of both accounts
/// differ, or, without IBANs, the transfer is a remittance.
pub(crate) fn goes_abroad(case: &Case, g: &FlowGraph, e: u32) -> bool {
    let country = |a: u32| {
        case.accounts
            .rows
            .get(a as usize)
            .and_then(|r| r.iban.as_deref())
            .and_then(|i| i.get(..2))
            .filter(|c| c.bytes().all(|b| b.is_ascii_uppercase()))
    };
    let (s, d) = (g.src[e as usize], g.dst[e as usize]);
    if holder(case, s).is_none() {
        return false;
    }
    match (country(s), country(d)) {
        (Some(a), Some(b)) => a != b,
        _ => case.transfers.channel[e as usize] == Channel::Remittance,
    }
}

/// The registered address of the holder of account `a`, if known and not empty.
pub(crate) fn address(case: &Case, a: u32) -> Option<&str> {
    let h = holder(case, a)?;
    let s = match h.kind {
        EntityKind::Person => case.persons.rows.get(h.idx as usize)?.address.as_deref(),
        EntityKind::Company => case.companies.rows.get(h.idx as usize)?.registered_address.as_deref(),
    }?;
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// How many of `accts` (distinct holders) share their holder's address with the holder of
/// another account in `accts` or with `with` (FinCEN 2020: "unrelated senders sharing
/// addresses", docs/methodology.md#indicator-sources and methodology.md#t-victim-control).
pub(crate) fn shared_address_count(case: &Case, accts: &[u32], with: Option<u32>) -> usize {
    let mut by_addr: HashMap<&str, Vec<EntityRef>> = HashMap::new();
    let mut all: Vec<u32> = accts.to_vec();
    all.extend(with);
    for &a in &all {
        if let (Some(ad), Some(h)) = (address(case, a), holder(case, a)) {
            let v = by_addr.entry(ad).or_default();
            if !v.contains(&h) {
                v.push(h);
            }
        }
    }
    accts.iter().filter(|&&a| address(case, a).and_then(|ad| by_addr.get(ad)).is_some_and(|v| v.len() >= 2)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_beyond_the_decimal_range_are_said_not_wrapped() {
        assert_eq!(checked_sum([Decimal::ONE, Decimal::TWO]), Some(Decimal::from(3)));
        assert_eq!(checked_sum([Decimal::MAX, Decimal::ONE]), None);
        assert_eq!(Total(None).to_string(), "more than the largest representable amount (sum overflow)");
        assert_eq!(Total(Some(Decimal::new(1250, 2))).to_string(), "12.50");
    }

    fn ratio(s: &str) -> Ratio {
        Ratio::new(s.parse().unwrap())
    }

    #[test]
    fn ratios_are_exact_fractions() {
        assert_eq!(ratio("0.8"), Ratio { num: 4, den: 5 });
        assert_eq!(ratio("1.05"), Ratio { num: 21, den: 20 });
        assert_eq!(ratio("3.0"), Ratio { num: 3, den: 1 });
        assert_eq!(ratio("0"), Ratio { num: 0, den: 1 });
        // 0.1 + 0.2 style cases that floats get wrong: 0.7 · 10 is exactly 7.
        assert_eq!(ratio("0.7").cmp_times(7, 10), Ordering::Equal);
        assert_eq!(ratio("0.85").cmp_times(85, 100), Ordering::Equal);
        assert_eq!(ratio("0.85").cmp_times(84, 100), Ordering::Less);
        assert_eq!(ratio("0.85").cmp_times(86, 100), Ordering::Greater);
        // More than 18 decimals are rounded to 18; huge ratios saturate.
        assert_eq!(ratio("0.1234567890123456789"), ratio("0.123456789012345679"));
        assert_eq!(ratio("79228162514264337593543950335"), Ratio { num: i64::MAX, den: 1 });
        assert_eq!(ratio("-79228162514264337593543950335"), Ratio { num: -i64::MAX, den: 1 });
    }

    #[test]
    fn wide_comparisons_are_exact() {
        // Sums beyond i64 take the division path.
        use Ordering::*;
        let k: i128 = i64::MAX as i128 * 3;
        let cases = [
            ("0.8", 4 * k, 5 * k, Equal),
            ("0.8", 4 * k - 1, 5 * k, Less),
            ("0.8", 4 * k + 1, 5 * k, Greater),
            ("1.05", 21 * k + 1, 20 * k + 1, Less), // 1.05 · (20k + 1) = 21k + 1.05
            ("1.05", 21 * k + 2, 20 * k + 1, Greater),
            ("3", 3 * k, k, Equal),
            ("-0.8", -4 * k, 5 * k, Equal),
            ("-0.8", -4 * k - 1, 5 * k, Less),
            ("0.8", -4 * k, -5 * k, Equal),
            ("0.8", -4 * k + 1, -5 * k, Greater),
            ("0.8", 0, k, Less),
        ];
        for (r, x, y, want) in cases {
            assert_eq!(ratio(r).cmp_times(x, y), want, "{r}: {x} vs {y}");
        }
    }

    #[test]
    fn bands_are_inclusive() {
        let b = Band::new(ratio("0.8"), ratio("1.0"), 1000);
        assert!(b.contains(800) && b.contains(1000) && b.contains(900));
        assert!(!b.contains(799) && !b.contains(1001));
        let b = Band::new(ratio("0.85"), ratio("1"), 333);
        // 0.85 · 333 = 283.05: 283 is below, 284 inside.
        assert!(!b.contains(283) && b.contains(284) && b.contains(333) && !b.contains(334));
    }

    #[test]
    fn episodes_merge_overlapping_windows() {
        // Senders 1..=5 within 5 days, then nothing for 60 days, then 3 senders.
        let time: Vec<DateTime> = [0, 1, 2, 3, 4, 70, 71, 72].iter().map(|d| DateTime(d * DAY)).collect();
        let src = vec![1, 2, 3, 4, 5, 1, 2, 3];
        let edges: Vec<u32> = (0..8).collect();
        let eps = episodes(&edges, &time, &src, 30 * DAY, 5);
        assert_eq!(eps, vec![vec![0, 1, 2, 3, 4]]);
        assert!(episodes(&edges, &time, &src, 30 * DAY, 6).is_empty());
    }
}
