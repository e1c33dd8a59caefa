//! The progress bars of the command line (issue 18): the library reports stages through
//! [`moneytrail::progress`]; this draws them with indicatif on stderr. A stage shows only once
//! it has run for a second, with rate and ETA when its total is known. Nothing is drawn when
//! stderr is not a terminal or with `--quiet`: then not one byte more reaches stderr.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use moneytrail::progress::{Progress, Unit};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a stage runs before its bar appears.
const DELAY: Duration = Duration::from_millis(1000);
/// Environment variable that sets that delay in milliseconds instead (0 draws every stage; the
/// tests use it to draw bars on a small case).
const DELAY_ENV: &str = "MONEYTRAIL_PROGRESS_DELAY_MS";

fn delay() -> Duration {
    std::env::var(DELAY_ENV).ok().and_then(|v| v.parse().ok()).map(Duration::from_millis).unwrap_or(DELAY)
}

struct Open {
    name: String,
    total: Option<u64>,
    unit: Unit,
    pos: u64,
    note: String,
    /// Bytes of input read, when the stage said how many it reads (ingest: its CSV files).
    bytes: Option<Arc<Bytes>>,
}

/// Bytes read of a known total; shared with the bar's template keys, which are drawn while
/// the state is locked and so must not lock it.
#[derive(Default)]
struct Bytes {
    read: AtomicU64,
    total: AtomicU64,
}

impl Bytes {
    /// "12.0 MiB/40.0 MiB, ETA 3s" from the bytes read so far and the time they took.
    fn text(&self, elapsed: Duration) -> String {
        let (read, total) = (self.read.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        let read = read.min(total);
        let eta = if read == 0 {
            "?".to_string()
        } else {
            let left = elapsed.as_secs_f64() * (total - read) as f64 / read as f64;
            format!("{:#}", indicatif::HumanDuration(Duration::from_secs_f64(left)))
        };
        format!("{}/{}, ETA {eta}", indicatif::BinaryBytes(read), indicatif::BinaryBytes(total))
    }
}

#[derive(Default)]
struct State {
    stack: Vec<Open>,
    bar: Option<ProgressBar>,
    /// Bumped whenever the outermost stage ends, so a late timer never shows a newer bar early.
    generation: u64,
}

/// Draws the library's stages as one bar on stderr, the innermost stage's counts with the path
/// of stages as its message.
pub struct Bars {
    state: Arc<Mutex<State>>,
    delay: Duration,
}

impl Default for Bars {
    fn default() -> Bars {
        Bars { state: Arc::default(), delay: delay() }
    }
}

/// Installs the bars when stderr is a terminal and `quiet` is off; returns whether it did.
pub fn install(quiet: bool) -> bool {
    if quiet || !console::Term::stderr().is_term() || std::env::var_os("MONEYTRAIL_NO_PROGRESS").is_some() {
        return false;
    }
    moneytrail::progress::install(Arc::new(Bars::default()));
    true
}

/// Clears any bar still shown and stops reporting.
pub fn finish() {
    moneytrail::progress::uninstall();
}

fn style(o: &Open, path: &str) -> (ProgressStyle, String) {
    let t = match (o.total, o.unit) {
        (None, Unit::Rows) if o.bytes.is_some() => "{spinner} {msg} {human_pos} rows, {rate}; {read_bytes} ({elapsed})",
        (Some(_), Unit::Bytes) => {
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec}, ETA {eta} ({elapsed})"
        }
        (Some(_), _) => "{spinner} {msg} [{bar:30}] {human_pos}/{human_len}, ETA {eta} ({elapsed})",
        (None, Unit::Bytes) => "{spinner} {msg} {bytes} {binary_bytes_per_sec} ({elapsed})",
        (None, Unit::Rows) => "{spinner} {msg} {human_pos} rows, {rate} ({elapsed})",
        (None, Unit::Steps) => "{spinner} {msg} {human_pos} ({elapsed})",
    };
    let bytes = o.bytes.clone().unwrap_or_default();
    let s = ProgressStyle::with_template(t)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
        .with_key("rate", |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}/s", super::table::count(st.per_sec() as u64));
        })
        .with_key("read_bytes", move |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&bytes.text(st.elapsed()));
        });
    let msg = if o.note.is_empty() { path.to_string() } else { format!("{path}: {}", o.note) };
    (s, msg)
}

impl State {
    fn path(&self) -> String {
        self.stack.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(" › ")
    }

    /// Shows the innermost stage on the bar.
    fn redraw(&self) {
        let (Some(bar), Some(top)) = (&self.bar, self.stack.last()) else { return };
        let (s, msg) = style(top, &self.path());
        bar.set_style(s);
        match top.total {
            Some(t) => bar.set_length(t),
            None => bar.unset_length(),
        }
        bar.set_position(top.pos);
        bar.set_message(msg);
    }
}

impl Progress for Bars {
    fn begin(&self, name: &str, total: Option<u64>, unit: Unit) {
        let Ok(mut st) = self.state.lock() else { return };
        if st.stack.is_empty() && self.delay.is_zero() {
            // No delay: drawn at once, so that even a stage shorter than a scheduler tick shows.
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
            st.bar = Some(bar);
        } else if st.stack.is_empty() {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
            st.bar = Some(bar.clone());
            let generation = st.generation;
            let state = Arc::clone(&self.state);
            let delay = self.delay;
            // Shown only when the stage runs longer than the delay.
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let Ok(st) = state.lock() else { return };
                if st.generation == generation && !st.stack.is_empty() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    st.redraw();
                }
            });
        }
        st.stack.push(Open { name: name.to_string(), total, unit, pos: 0, note: String::new(), bytes: None });
        st.redraw();
        if let (true, Some(bar)) = (self.delay.is_zero(), &st.bar) {
            bar.tick();
        }
    }

    fn advance(&self, n: u64) {
        let Ok(mut st) = self.state.lock() else { return };
        if let Some(top) = st.stack.last_mut() {
            top.pos += n;
        }
        if let Some(bar) = &st.bar {
            bar.inc(n);
        }
    }

    fn note(&self, what: &str) {
        let Ok(mut st) = self.state.lock() else { return };
        if let Some(top) = st.stack.last_mut() {
            top.note = what.to_string();
        }
        let path = st.path();
        if let (Some(bar), Some(top)) = (&st.bar, st.stack.last()) {
            bar.set_message(style(top, &path).1);
        }
    }

    fn bytes_total(&self, total: u64) {
        let Ok(mut st) = self.state.lock() else { return };
        if let Some(top) = st.stack.last_mut() {
            let b = top.bytes.get_or_insert_with(Default::default);
            b.total.store(total, Ordering::Relaxed);
        }
        st.redraw();
    }

    fn bytes(&self, n: u64) {
        // Once per buffer the reader fills (1 MiB): the lock costs nothing at that rate.
        let Ok(st) = self.state.lock() else { return };
        if let Some(b) = st.stack.last().and_then(|o| o.bytes.as_ref()) {
            b.read.fetch_add(n, Ordering::Relaxed);
        }
    }

    fn end(&self) {
        let Ok(mut st) = self.state.lock() else { return };
        st.stack.pop();
        if st.stack.is_empty() {
            st.generation += 1;
            if let Some(bar) = st.bar.take() {
                bar.finish_and_clear();
            }
        } else {
            st.redraw();
        }
    }
}
