//! The detectors' structural searches as DataFusion SQL over the Parquet case
//! ([`super::storage`]). Each plan finds exactly the candidates the local detector's own search
//! finds, so the local code can score them (docs/scale-out.md, "one definition per detector").
//!
//! - [`episodes_sql`]: the sliding-window episodes of `patterns::common::episodes` (fan-in,
//!   fan-out, gather-scatter, funnel) as a window aggregate `COUNT(DISTINCT counterpart) OVER
//!   (PARTITION BY account ORDER BY ts RANGE w PRECEDING)`, islands of overlapping qualifying
//!   windows by `LAG` and a running `SUM`, and a self-join of the account's transfers with the
//!   episode's time range. Fan-in and fan-out then apply their own candidate rule
//!   (`patterns::fan_in::candidates`: a run longer than `steady_days` narrowed to its busiest
//!   window) locally to each returned episode, since it reads the local first-contact signals.
//! - [`pairs_sql`]: the scatter and gather legs of `patterns::scatter_gather` as one self-join
//!   with time and amount predicates; the local code clusters them per source.
//! - [`links_sql`]: the successor links of `patterns::layering_chain`, one self-join; the
//!   chains themselves are built locally from the links.
//! - [`band_sql`]: the cash deposits just below the reporting threshold that structuring
//!   groups, a filtered scan; the grouping by family and depositor is local.
//! - [`cycles_sql`]: the time-respecting cycles of `patterns::cycle` as iterative joins, one per
//!   hop, pruned per hop on time (strictly later, inside the window of the first hop) and
//!   amount (the retention band of the previous hop), and "each next account once, by its
//!   earliest qualifying transfer" as `ROW_NUMBER() OVER (PARTITION BY path, next account)`.

use super::DistError;
use rust_decimal::Decimal;

/// Which side of an account a window looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Incoming transfers (`dst` is the account, `src` the counterpart).
    In,
    /// Outgoing transfers (`src` is the account, `dst` the counterpart).
    Out,
}

/// Which transfers a window counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Account-to-account flows (`patterns::common::is_account_flow`): both ends accounts, no
    /// card payment, not between two accounts of one holder.
    Flows,
    /// Flows, less a person's payments to companies (fan-out's rule).
    FlowsNoPersonToCompany,
    /// Cash deposits with a known branch city (funnel accounts; the counterpart is the city's
    /// cash node).
    CashDepositsWithCity,
}

/// One sliding-window search: `min` distinct counterparts within `window_s` seconds.
#[derive(Clone, Copy, Debug)]
pub struct WindowPlan {
    /// In or out.
    pub side: Side,
    /// Transfers counted.
    pub selection: Selection,
    /// Window length in seconds.
    pub window_s: i64,
    /// Distinct counterparts needed.
    pub min: usize,
}

/// The SQL predicate of an account-to-account flow on the alias `t`, for a case with
/// `accounts` account nodes.
pub fn flow_predicate(accounts: u32) -> String {
    format!("t.src < {accounts} AND t.dst < {accounts} AND t.channel <> 'card' AND NOT t.same_holder")
}

/// The episodes of one window plan: rows `(account, edges)`, `edges` the transfer ids of the
/// episode in (booking time, id) order, as `patterns::common::episodes` returns them.
///
/// Equal to the local sliding window: the local window at transfer `hi` holds the transfers
/// booked in `[t_hi - w, t_hi]` up to `hi`; the last transfer of a booking second sees them
/// all, so a second qualifies when its full `RANGE` frame does, and the merged episode always
/// runs to the end of its last second. Two qualifying seconds merge when the later one's
/// window starts at or before the first transfer after the earlier one (the local `lo <= end`).
pub fn episodes_sql(p: &WindowPlan, accounts: u32) -> String {
    let (acct, key) = match p.side {
        Side::In => ("dst", "src"),
        Side::Out => ("src", "dst"),
    };
    let flow = flow_predicate(accounts);
    let (joins, filter) = match p.selection {
        Selection::Flows => (String::new(), flow),
        Selection::FlowsNoPersonToCompany => (
            "LEFT JOIN accounts sa ON sa.account = t.src LEFT JOIN accounts da ON da.account = t.dst".to_string(),
            format!(
                "{flow} AND NOT (COALESCE(sa.holder_kind = 'person', false) AND COALESCE(da.holder_kind = 'company', false))"
            ),
        ),
        Selection::CashDepositsWithCity => {
            (String::new(), format!("t.channel = 'cash_deposit' AND t.city IS NOT NULL AND t.dst < {accounts}"))
        }
    };
    let w = p.window_s.max(0);
    let min = p.min;
    let frame = format!("PARTITION BY a ORDER BY ts RANGE BETWEEN {w} PRECEDING AND CURRENT ROW");
    format!(
        "WITH e AS (
  SELECT t.id AS id, t.{acct} AS a, t.{key} AS k, t.ts AS ts FROM transfers t {joins} WHERE {filter}
), w AS (
  SELECT a, id, ts,
    COUNT(DISTINCT k) OVER ({frame}) AS n,
    MIN(ts) OVER ({frame}) AS lo,
    LEAD(ts) OVER (PARTITION BY a ORDER BY ts, id) AS nxt
  FROM e
), g AS (
  SELECT a, ts, MIN(lo) AS lo, MAX(COALESCE(nxt, 9223372036854775807)) AS nxt
  FROM w GROUP BY a, ts HAVING MAX(n) >= {min}
), i AS (
  SELECT a, ts, lo,
    CASE WHEN lo <= LAG(nxt) OVER (PARTITION BY a ORDER BY ts) THEN 0 ELSE 1 END AS fresh
  FROM g
), j AS (
  SELECT a, ts, lo, SUM(fresh) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM i
), ep AS (
  SELECT a, island, MIN(lo) AS t0, MAX(ts) AS t1 FROM j GROUP BY a, island
)
SELECT ep.a AS account, array_agg(e.id ORDER BY e.ts, e.id) AS edges
FROM ep JOIN e ON e.a = ep.a AND e.ts >= ep.t0 AND e.ts <= ep.t1
GROUP BY ep.a, ep.t0"
    )
}

/// A `Decimal` parameter as an exact fraction `(num, den)` for integer comparisons in SQL.
///
/// # Errors
/// More than 18 decimals or a mantissa beyond 2^63: the local detector's rounding would then
/// apply, which SQL does not reproduce; such a run stays local.
pub fn fraction(d: Decimal) -> Result<(i64, i64), DistError> {
    let d = d.normalize();
    let m = i64::try_from(d.mantissa()).ok().filter(|_| d.scale() <= 18);
    match m {
        Some(num) => Ok((num, 10i64.pow(d.scale()))),
        None => {
            Err(DistError::LocalOnly(format!("the ratio {d} has more digits than the cluster plan compares exactly")))
        }
    }
}

/// One cycle search (`patterns::cycle` in its time-respecting mode).
#[derive(Clone, Copy, Debug)]
pub struct CyclePlan {
    /// Most hops.
    pub max_hops: usize,
    /// First to last hop within this many seconds.
    pub window_s: i64,
    /// Least share of the previous hop passed on, as a fraction.
    pub min_ret: (i64, i64),
    /// Largest share of the previous hop passed on, as a fraction.
    pub max_ret: (i64, i64),
}

/// The cycles of one cycle search: rows `(h1, ..., h_max_hops)`, the transfer ids of each
/// cycle in hop order, null after its last hop.
///
/// Level 1 is every flow as a first hop (but a transfer to its own account, which the local
/// search neither closes nor extends). Level k+1 joins the open paths of level k with the
/// flows out of their last account (`LEFT JOIN`, so closed cycles pass through unchanged and
/// every level is read once), keeps per path and next account only the earliest qualifying
/// transfer, closes a path that returns to its origin and extends one that reaches an account
/// not on it, while it is shorter than `max_hops - 1`. Each level reads the previous one once
/// (closed rows are carried in the same rows by `CASE`, not by a second scan), so the plan
/// stays linear in `max_hops`.
///
/// A path is plain columns (hops `h1..hk`, accounts `n1..nk`), not arrays: Ballista 55's
/// executors decode a task's plan with DataFusion's default scalar functions only, which leave
/// out the nested (array) functions, so a plan with `make_array` or `array_has` was rejected
/// by every executor ("task could not be prepared or was rejected by executor", measured
/// 2 Dec 2026).
pub fn cycles_sql(p: &CyclePlan, accounts: u32) -> String {
    let flow = flow_predicate(accounts);
    let eflow = flow.replace("t.", "e.");
    let (ln, ld) = p.min_ret;
    let (hn, hd) = p.max_ret;
    let w = p.window_s.max(0);
    let max = p.max_hops.max(2);
    let cols = |prefix: &str, upto: usize| (1..=upto).map(|i| format!("p.{prefix}{i}")).collect::<Vec<_>>().join(", ");
    // Few plan nodes per level: Ballista ships the plan as nested protobuf messages, whose
    // decoder stops at 100 levels, so each hop is one join, one window and one projection
    // (QUALIFY), reading the transfers table directly.
    let mut sql = format!(
        "WITH p1 AS (SELECT t.src AS origin, t.ts AS t0, t.dst AS at, t.ts AS lts, t.cents AS lc,
  t.id AS h1, t.dst AS n1, false AS closed
  FROM transfers t WHERE {flow} AND t.src <> t.dst)"
    );
    for k in 2..=max {
        let prev = k - 1;
        // Open paths of length `k` are only needed when a further hop may follow; the account
        // reached is then on the path.
        let (keep_open, node) = if k < max {
            let fresh = (1..k).map(|i| format!("e.dst <> p.n{i}")).collect::<Vec<_>>().join(" AND ");
            (format!(" OR ({fresh})"), format!(",\n    CASE WHEN p.closed THEN NULL ELSE e.dst END AS n{k}"))
        } else {
            (String::new(), String::new())
        };
        let (hops, nodes) = (cols("h", prev), cols("n", prev));
        sql.push_str(&format!(
            ",
p{k} AS (
  SELECT p.origin, p.t0,
    CASE WHEN p.closed THEN p.at ELSE e.dst END AS at,
    CASE WHEN p.closed THEN p.lts ELSE e.ts END AS lts,
    CASE WHEN p.closed THEN p.lc ELSE e.cents END AS lc,
    {hops}, CASE WHEN p.closed THEN NULL ELSE e.id END AS h{k},
    {nodes}{node},
    p.closed OR e.dst = p.origin AS closed
  FROM p{prev} p LEFT JOIN transfers e ON e.src = p.at AND NOT p.closed AND {eflow}
    AND e.ts > p.lts AND e.ts <= p.t0 + {w}
    AND CAST(e.cents AS DECIMAL(38,0)) * {ld} >= CAST(p.lc AS DECIMAL(38,0)) * {ln}
    AND CAST(e.cents AS DECIMAL(38,0)) * {hd} <= CAST(p.lc AS DECIMAL(38,0)) * {hn}
  QUALIFY p.closed OR (e.id IS NOT NULL
    AND ROW_NUMBER() OVER (PARTITION BY {hops}, e.dst ORDER BY e.ts, e.id) = 1
    AND (e.dst = p.origin{keep_open}))
)"
        ));
    }
    let hops = (1..=max).map(|i| format!("h{i}")).collect::<Vec<_>>().join(", ");
    sql.push_str(&format!("\nSELECT {hops} FROM p{max} WHERE closed"));
    sql
}

/// One scatter-gather search (`patterns::scatter_gather`): scatter legs and the gather legs
/// that can follow them.
#[derive(Clone, Copy, Debug)]
pub struct ScatterPlan {
    /// Scatter to gather within this many seconds.
    pub window_s: i64,
    /// Least share of the scatter passed on, as a fraction.
    pub min_ret: (i64, i64),
    /// Largest share of the scatter passed on, as a fraction.
    pub max_ret: (i64, i64),
}

/// The scatter-gather pairs: rows `(source, e1, e2)`, a scatter `e1` out of `source` to an
/// intermediary and, per destination, the intermediary's earliest onward flow `e2` booked in
/// `(t1, t1 + w]`, to neither the source nor itself, of between `min_ret` and `max_ret` of the
/// scatter's base amount (both inclusive, exact in cents): the `onward` legs of
/// `patterns::scatter_gather`, one self-join with time and amount predicates, partitioned by
/// intermediary. The clustering of the pairs per source and destination is local
/// (`ScatterGather::score_pairs`).
pub fn pairs_sql(p: &ScatterPlan, accounts: u32) -> String {
    let flow = flow_predicate(accounts);
    let eflow = flow.replace("t.", "e.");
    let (ln, ld) = p.min_ret;
    let (hn, hd) = p.max_ret;
    let w = p.window_s.max(0);
    format!(
        "SELECT t.src AS source, t.id AS e1, e.id AS e2
FROM transfers t JOIN transfers e ON e.src = t.dst
WHERE {flow} AND {eflow} AND e.ts > t.ts AND e.ts <= t.ts + {w} AND e.dst <> t.src AND e.dst <> t.dst
  AND CAST(e.cents AS DECIMAL(38,0)) * {ld} >= CAST(t.cents AS DECIMAL(38,0)) * {ln}
  AND CAST(e.cents AS DECIMAL(38,0)) * {hd} <= CAST(t.cents AS DECIMAL(38,0)) * {hn}
QUALIFY ROW_NUMBER() OVER (PARTITION BY t.id, e.dst ORDER BY e.ts, e.id) = 1"
    )
}

/// One layering-chain search (`patterns::layering_chain`): successor links.
#[derive(Clone, Copy, Debug)]
pub struct ChainPlan {
    /// Most seconds between receiving and passing on.
    pub gap_s: i64,
    /// Least share of the incoming hop passed on, as a fraction.
    pub min_ret: (i64, i64),
    /// Largest share passed on, as a fraction.
    pub max_ret: (i64, i64),
}

/// The layering chains' successor links: rows `(e, n)`, an account-to-account flow `e` and a
/// flow `n` out of its receiver booked in `(t_e, t_e + gap]`, not back to `e`'s sender, carrying
/// between `min_ret` and `max_ret` of `e`'s cents (both inclusive, exact): the links of
/// `patterns::layering_chain`, one self-join partitioned by the receiving account. The chains
/// (longest paths, components) are built locally (`LayeringChain::score_links`).
pub fn links_sql(p: &ChainPlan, accounts: u32) -> String {
    let flow = flow_predicate(accounts);
    let eflow = flow.replace("t.", "e.");
    let (ln, ld) = p.min_ret;
    let (hn, hd) = p.max_ret;
    let gap = p.gap_s.max(0);
    format!(
        "SELECT t.id AS e, e.id AS n
FROM transfers t JOIN transfers e ON e.src = t.dst
WHERE {flow} AND {eflow} AND e.ts > t.ts AND e.ts <= t.ts + {gap} AND e.dst <> t.src
  AND CAST(e.cents AS DECIMAL(38,0)) * {ld} >= CAST(t.cents AS DECIMAL(38,0)) * {ln}
  AND CAST(e.cents AS DECIMAL(38,0)) * {hd} <= CAST(t.cents AS DECIMAL(38,0)) * {hn}"
    )
}

/// The structuring band: rows `(id)`, the cash deposits into an account whose cents lie in
/// `[band_low · threshold, threshold)` (`band_low` as a fraction), the selection of
/// `patterns::structuring` (a scan with a filter). Grouping by family and depositor, which read
/// the registers and the transfers' extra columns, is local (`Structuring::score_band`).
pub fn band_sql(band_low: (i64, i64), threshold: i64, accounts: u32) -> String {
    let (num, den) = band_low;
    format!(
        "SELECT t.id AS id FROM transfers t
WHERE t.channel = 'cash_deposit' AND t.dst < {accounts} AND t.cents < {threshold}
  AND CAST(t.cents AS DECIMAL(38,0)) * {den} >= CAST({threshold} AS DECIMAL(38,0)) * {num}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_exact() {
        assert_eq!(fraction(Decimal::new(8, 1)).unwrap(), (8, 10));
        assert_eq!(fraction(Decimal::ONE).unwrap(), (1, 1));
        assert_eq!(fraction(Decimal::new(105, 2)).unwrap(), (105, 100));
        assert!(fraction("0.1234567890123456789".parse().unwrap()).is_err());
    }
}
