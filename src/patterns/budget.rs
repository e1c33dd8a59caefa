//! Budgets of a detection run: the row, memory and time limits that `moneytrail query` has
//! (`query::Budget`), for the detectors. A detector's search grows with the degree of the
//! accounts it passes through: on an extreme hub (three accounts, two million transfers between
//! them) a per-transfer successor search examines billions of candidate pairs. Every such
//! search charges its [`Gauge`]; when a budget is spent the detector returns early and the run
//! fails with a message naming the detector and the hub account ([`Stop`]), never with a
//! machine out of memory or a run that does not end.
//!
//! - rows: candidates a detector examines (successor transfers, window members, search steps),
//!   per detector, as a query's operator counts the rows it produces;
//! - bytes: what the detectors hold while they search (links, adjacency, paths), over the whole
//!   run (a finished detector's bytes are released);
//! - time: wall clock from the start of the run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Limits of one detection run (flags `--max-rows`, `--max-memory`, `--timeout` of `detect` and
/// `investigate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most candidate rows one detector may examine (default 200,000,000: a national case of
    /// 10M transfers examines a few per transfer).
    pub max_rows: u64,
    /// Most bytes the detectors may hold at once while searching (default 512 MiB).
    pub max_bytes: u64,
    /// Wall-clock limit of the detection (default 600 s).
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_rows: 200_000_000, max_bytes: 512 << 20, max_time: Duration::from_secs(600) }
    }
}

/// Which limit stopped a detector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Limit {
    /// More candidate rows than [`Budget::max_rows`].
    Rows(u64),
    /// More bytes held than [`Budget::max_bytes`].
    Bytes(u64),
    /// Longer than [`Budget::max_time`].
    Time(Duration),
}

/// The first budget a run exceeded: the detector, the account it was searching (the hub), and
/// the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The detector (typology name).
    pub detector: &'static str,
    /// Dense index of the account whose search was charged last (`None` outside a per-account
    /// search).
    pub hub: Option<u32>,
    /// The limit.
    pub limit: Limit,
}

/// The run's budget counters, shared by every detector's [`Gauge`].
#[derive(Debug)]
pub struct Meter {
    budget: Budget,
    started: Instant,
    bytes: AtomicU64,
    stopped: OnceLock<Stop>,
}

impl Meter {
    /// A meter for one run; the time budget starts now.
    pub fn new(budget: &Budget) -> Meter {
        Meter { budget: budget.clone(), started: Instant::now(), bytes: AtomicU64::new(0), stopped: OnceLock::new() }
    }

    /// The gauge detector `detector` charges.
    pub fn gauge(&self, detector: &'static str) -> Gauge<'_> {
        Gauge { meter: self, detector, rows: AtomicU64::new(0), bytes: AtomicU64::new(0) }
    }

    /// The budget that stopped the run, if one did (the first; every later charge fails too).
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.get()
    }

    fn stop(&self, detector: &'static str, hub: Option<u32>, limit: Limit) -> bool {
        let _ = self.stopped.set(Stop { detector, hub, limit });
        false
    }
}

/// What one detector charges: its rows, and its share of the run's bytes (released when the
/// gauge is dropped, as the detector's working state is).
#[derive(Debug)]
pub struct Gauge<'m> {
    meter: &'m Meter,
    detector: &'static str,
    rows: AtomicU64,
    bytes: AtomicU64,
}

impl Gauge<'_> {
    /// A gauge that never stops (for calling a detector outside a run, in tests).
    pub fn unlimited() -> Gauge<'static> {
        static M: OnceLock<Meter> = OnceLock::new();
        let m =
            M.get_or_init(|| Meter::new(&Budget { max_rows: u64::MAX, max_bytes: u64::MAX, max_time: Duration::MAX }));
        m.gauge("unlimited")
    }

    /// Charges `rows` candidates examined in the search of account `hub` and checks the time;
    /// `false` when this or another detector spent a budget: the detector should return at
    /// once (the run reports the [`Stop`]).
    #[must_use]
    pub fn rows(&self, hub: u32, rows: u64) -> bool {
        let total = self.rows.fetch_add(rows, Ordering::Relaxed).saturating_add(rows);
        if total > self.meter.budget.max_rows {
            return self.meter.stop(self.detector, Some(hub), Limit::Rows(self.meter.budget.max_rows));
        }
        self.time(Some(hub))
    }

    /// Charges `bytes` more held by the detector (searching account `hub`); `false` when a
    /// budget is spent.
    #[must_use]
    pub fn hold(&self, hub: Option<u32>, bytes: u64) -> bool {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        let total = self.meter.bytes.fetch_add(bytes, Ordering::Relaxed).saturating_add(bytes);
        if total > self.meter.budget.max_bytes {
            return self.meter.stop(self.detector, hub, Limit::Bytes(self.meter.budget.max_bytes));
        }
        self.time(hub)
    }

    /// Checks the time budget, and whether another detector already stopped the run; `false`
    /// then.
    #[must_use]
    pub fn time(&self, hub: Option<u32>) -> bool {
        if self.meter.stopped.get().is_some() {
            return false;
        }
        if self.meter.started.elapsed() > self.meter.budget.max_time {
            return self.meter.stop(self.detector, hub, Limit::Time(self.meter.budget.max_time));
        }
        true
    }

    /// True once any detector of the run spent a budget.
    pub fn spent(&self) -> bool {
        self.meter.stopped.get().is_some()
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        let b = *self.bytes.get_mut();
        self.meter.bytes.fetch_sub(b, Ordering::Relaxed);
    }
}

/// The message of a [`Stop`]: the detector, the hub with its degree, the limit and what to
/// change. `account` gives an account's id and its transfers in and out.
pub fn message(stop: &Stop, account: impl Fn(u32) -> (String, usize, usize)) -> String {
    let hub = match stop.hub {
        Some(a) => {
            let (id, into, out) = account(a);
            format!(" while searching account {id} ({into} transfers in, {out} out)")
        }
        None => String::new(),
    };
    let (what, flag) = match &stop.limit {
        Limit::Rows(n) => (format!("examined more than {n} candidate rows"), "--max-rows"),
        Limit::Bytes(n) => (format!("held more than {} MiB", n >> 20), "--max-memory"),
        Limit::Time(d) => (format!("ran longer than {} s", d.as_secs()), "--timeout"),
    };
    format!(
        "detection stopped: detector {}{hub} {what}. An account with that many transfers is a hub that no \
         investigator reads transfer by transfer; leave the detector out (--typology naming the others), \
         or raise {flag}",
        stop.detector
    )
}
