//! Progress of long stages (issue 18). The library reports; it never prints: a caller that
//! wants bars installs a [`Progress`] (the command line draws them with indicatif on stderr),
//! and without one every report is a relaxed atomic load and nothing else.
//!
//! Stages nest: `investigate` opens its stages, `detect` inside it one step per detector.
//! [`stage`] returns a guard that closes the stage when dropped, so an early return or an
//! error never leaves a stage open.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// What a stage counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Input rows.
    Rows,
    /// Bytes of input files.
    Bytes,
    /// Steps of a known list (stages, detectors).
    Steps,
}

/// Receives progress reports. Implementations must be cheap: `advance` may be called from many
/// threads for every batch of rows.
pub trait Progress: Send + Sync {
    /// A stage named `name` begins, inside the stage open before it (if any); `total` units of
    /// `unit` when known.
    fn begin(&self, name: &str, total: Option<u64>, unit: Unit);
    /// `n` more units of the innermost open stage are done.
    fn advance(&self, n: u64);
    /// What the innermost stage is working on now (a detector's name, a file).
    fn note(&self, what: &str);
    /// The innermost open stage ends.
    fn end(&self);
    /// The innermost stage will read about `total` bytes of input (beside what it counts), so
    /// that a rate and an ETA can be shown from the bytes read. Ignored unless implemented.
    fn bytes_total(&self, total: u64) {
        let _ = total;
    }
    /// `n` more bytes of input read by the innermost stage. Ignored unless implemented.
    fn bytes(&self, n: u64) {
        let _ = n;
    }
}

static ACTIVE: AtomicBool = AtomicBool::new(false);
static SINK: RwLock<Option<Arc<dyn Progress>>> = RwLock::new(None);

/// Sends every report of this process to `p` (replacing any earlier one).
pub fn install(p: Arc<dyn Progress>) {
    if let Ok(mut s) = SINK.write() {
        *s = Some(p);
        ACTIVE.store(true, Ordering::Release);
    }
}

/// Stops reporting.
pub fn uninstall() {
    if let Ok(mut s) = SINK.write() {
        ACTIVE.store(false, Ordering::Release);
        *s = None;
    }
}

fn with(f: impl FnOnce(&dyn Progress)) {
    if !ACTIVE.load(Ordering::Acquire) {
        return;
    }
    if let Ok(s) = SINK.read() {
        if let Some(p) = s.as_ref() {
            f(p.as_ref());
        }
    }
}

/// An open stage; it ends when dropped.
#[must_use = "the stage ends when this guard is dropped"]
pub struct Stage {
    open: bool,
}

impl Stage {
    /// `n` more units done.
    pub fn advance(&self, n: u64) {
        advance(n);
    }

    /// What the stage works on now.
    pub fn note(&self, what: &str) {
        note(what);
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.open {
            with(|p| p.end());
        }
    }
}

/// Opens a stage (see [`Progress::begin`]).
pub fn stage(name: &str, total: Option<u64>, unit: Unit) -> Stage {
    let mut open = false;
    with(|p| {
        p.begin(name, total, unit);
        open = true;
    });
    Stage { open }
}

/// `n` more units of the innermost stage done.
pub fn advance(n: u64) {
    with(|p| p.advance(n));
}

/// The innermost stage will read about `total` bytes (see [`Progress::bytes_total`]).
pub fn bytes_total(total: u64) {
    with(|p| p.bytes_total(total));
}

/// `n` more bytes of input read by the innermost stage.
pub fn bytes(n: u64) {
    with(|p| p.bytes(n));
}

/// What the innermost stage works on now.
pub fn note(what: &str) {
    with(|p| p.note(what));
}

/// Runs one step of the innermost stage: notes `name`, runs `f`, advances by one.
pub fn step<R>(name: &str, f: impl FnOnce() -> R) -> R {
    note(name);
    let r = f();
    advance(1);
    r
}
