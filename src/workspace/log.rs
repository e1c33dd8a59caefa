//! The append-only, hash-chained log: one JSON object per line, each with the SHA-256 of the
//! previous line, appended under an exclusive file lock.

use super::state::{State, Status, Target};
use fs4::FileExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// 1, 2, 3 ... in file order.
    pub seq: u64,
    /// SHA-256 (hex) of the previous line's bytes, without its line break; [`GENESIS`] first.
    pub prev: String,
    /// When, UTC, RFC 3339 to the second.
    pub at: String,
    /// Who.
    pub analyst: String,
    /// What.
    pub event: Event,
}

/// What an entry records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// A finding's status changed.
    Status {
        /// Finding id.
        finding: String,
        /// The new status.
        status: Status,
        /// Why (required).
        reason: String,
        /// The finding's status version this change creates (the previous version plus one).
        version: u64,
    },
    /// A note on a finding, account, person or company.
    Note {
        /// What it is on.
        target: Target,
        /// The note.
        text: String,
    },
    /// A query saved for the case (a later entry with the same name replaces the text).
    Query {
        /// Name.
        name: String,
        /// openCypher text.
        text: String,
    },
}

/// Reading or writing the log failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// File system.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The log on disk is not a valid chain (run `moneytrail log verify CASE`).
    #[error("{path}: {problem} (run `moneytrail log verify` on the case)")]
    Broken {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// An append was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppendError {
    /// The log could not be read or written.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The caller's expectation no longer holds (another session changed the state first).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The entry itself is not acceptable.
    #[error("{0}")]
    Invalid(String),
}

/// SHA-256 (hex) of a line.
fn line_hash(line: &[u8]) -> String {
    format!("{:x}", Sha256::digest(line))
}

/// The current time, UTC, RFC 3339 to the second.
fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

struct Cache {
    /// Bytes of the file folded into `state`.
    offset: u64,
    state: State,
}

/// The log of one case, shared by every session of a server.
pub struct Log {
    path: PathBuf,
    head_path: PathBuf,
    cache: Mutex<Cache>,
}

impl Log {
    /// The log of the case folder `case_dir` (the file need not exist yet). Reads what is there.
    ///
    /// # Errors
    /// A log that cannot be read or is not a valid chain.
    pub fn open(case_dir: &Path) -> Result<Log, LogError> {
        let path = super::log_path(case_dir);
        let head_path = case_dir.join(super::DIR).join(super::HEAD_FILE);
        let log = Log { path, head_path, cache: Mutex::new(Cache { offset: 0, state: State::new() }) };
        log.refresh()?;
        Ok(log)
    }

    /// Path of the log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> LogError {
        LogError::Io { path: self.path.clone(), source }
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves a consistent cache (it is only replaced whole).
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Folds in what other servers appended since the last read, and returns the state.
    ///
    /// # Errors
    /// As [`Log::open`].
    pub fn refresh(&self) -> Result<State, LogError> {
        let mut c = self.lock_cache();
        let len = match std::fs::metadata(&self.path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(self.io(e)),
        };
        if len != c.offset {
            let f = File::open(&self.path).map_err(|e| self.io(e))?;
            FileExt::lock_shared(&f).map_err(|e| self.io(e))?;
            self.fold_new(&mut c, &f)?;
        }
        Ok(c.state.clone())
    }

    /// Reads from the cached offset to the end of `f` and folds the new complete lines in.
    fn fold_new(&self, c: &mut Cache, mut f: &File) -> Result<(), LogError> {
        let len = f.metadata().map_err(|e| self.io(e))?.len();
        if len < c.offset {
            return Err(LogError::Broken {
                path: self.path.clone(),
                problem: format!("the log shrank from {} to {len} bytes while the workspace was open", c.offset),
            });
        }
        f.seek(SeekFrom::Start(c.offset)).map_err(|e| self.io(e))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).map_err(|e| self.io(e))?;
        let mut state = c.state.clone();
        let mut used = 0usize;
        while let Some(nl) = buf[used..].iter().position(|&b| b == b'\n') {
            let line = &buf[used..used + nl];
            let e = check_line(line, &state).map_err(|problem| LogError::Broken {
                path: self.path.clone(),
                problem: format!("entry {}: {problem}", state.len() + 1),
            })?;
            state.push(e, line_hash(line));
            used += nl + 1;
        }
        if used < buf.len() {
            return Err(LogError::Broken {
                path: self.path.clone(),
                problem: "the last entry has no line break (an interrupted or edited write)".into(),
            });
        }
        c.offset += used as u64;
        c.state = state;
        Ok(())
    }

    /// Appends one entry by `analyst`. Under the file lock, the entries other servers wrote are
    /// read first and `check` sees the up-to-date state: it returns an error message to refuse
    /// the entry (an optimistic-version conflict). Returns the entry as written and the new state.
    ///
    /// # Errors
    /// [`AppendError::Conflict`] when `check` refuses, [`AppendError::Invalid`] for an empty
    /// analyst name, and log errors.
    pub fn append(
        &self,
        analyst: &str,
        event: Event,
        check: impl FnOnce(&State) -> Result<(), String>,
    ) -> Result<(Entry, State), AppendError> {
        if analyst.trim().is_empty() {
            return Err(AppendError::Invalid("the analyst's name is empty".into()));
        }
        let mut c = self.lock_cache();
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let f = OpenOptions::new().read(true).append(true).create(true).open(&self.path).map_err(|e| self.io(e))?;
        FileExt::lock(&f).map_err(|e| self.io(e))?;
        self.fold_new(&mut c, &f)?;
        check(&c.state).map_err(AppendError::Conflict)?;
        let entry = Entry {
            seq: c.state.len() + 1,
            prev: c.state.head.clone(),
            at: now(),
            analyst: analyst.trim().into(),
            event,
        };
        let mut line = serde_json::to_vec(&entry).map_err(|e| self.io(std::io::Error::other(e)))?;
        // The entry must be one that `verify` accepts (a status version one above the current).
        check_line(&line, &c.state).map_err(AppendError::Invalid)?;
        let hash = line_hash(&line);
        line.push(b'\n');
        let mut w = &f;
        w.write_all(&line).map_err(|e| self.io(e))?;
        f.sync_data().map_err(|e| self.io(e))?;
        c.offset += line.len() as u64;
        c.state.push(entry.clone(), hash.clone());
        self.write_head(entry.seq, &hash)?;
        // The lock is released when `f` is closed, after the head is written.
        drop(f);
        Ok((entry, c.state.clone()))
    }

    fn write_head(&self, seq: u64, hash: &str) -> Result<(), LogError> {
        let tmp = self.head_path.with_extension("head.tmp");
        let text = format!("{{\"seq\":{seq},\"sha256\":\"{hash}\"}}\n");
        std::fs::write(&tmp, text).map_err(|e| self.io(e))?;
        std::fs::rename(&tmp, &self.head_path).map_err(|e| self.io(e))
    }
}

/// Parses a line and checks that it follows `state` (number and previous hash).
fn check_line(line: &[u8], state: &State) -> Result<Entry, String> {
    let e: Entry = serde_json::from_slice(line).map_err(|err| format!("not a valid entry ({err})"))?;
    if e.seq != state.len() + 1 {
        return Err(format!(
            "numbered {} where {} was expected: an entry was removed, inserted or reordered",
            e.seq,
            state.len() + 1
        ));
    }
    if e.prev != state.head {
        return Err(format!(
            "its prev hash {} is not the SHA-256 of the entry before it ({}): an entry was edited, removed or reordered",
            short(&e.prev),
            short(&state.head)
        ));
    }
    if let Event::Status { version, finding, .. } = &e.event {
        let expected = state.version_of(finding) + 1;
        if *version != expected {
            return Err(format!("status version {version} of finding {finding} where {expected} was expected"));
        }
    }
    Ok(e)
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// What [`verify`] found.
#[derive(Clone, Debug, Default)]
pub struct Verification {
    /// Entries that form a valid chain from the start.
    pub entries: u64,
    /// SHA-256 of the last valid line.
    pub head: String,
    /// Problems, in file order (empty when the log is intact).
    pub problems: Vec<String>,
    /// For a `head` given to [`verify`]: the entry number it is the hash of, if any.
    pub anchor: Option<u64>,
}

/// Re-checks a case's log: every line is a valid entry, numbered in order, and carries the
/// SHA-256 of the line before it; the last entry matches `workspace.head`; and `anchor` (a head
/// hash recorded elsewhere, such as in a bundle's manifest) is the hash of one of the entries.
///
/// # Errors
/// A log or head file that exists but cannot be read.
pub fn verify(case_dir: &Path, anchor: Option<&str>) -> Result<Verification, LogError> {
    let path = super::log_path(case_dir);
    let io = |source| LogError::Io { path: path.clone(), source };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io(e)),
    };
    let mut v = Verification { head: GENESIS.into(), ..Verification::default() };
    let mut state = State::new();
    let mut hashes = vec![GENESIS.to_string()];
    let mut broken = false;
    let mut rest = &bytes[..];
    let mut n = 0u64;
    while !rest.is_empty() {
        n += 1;
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => {
                v.problems.push(format!("line {n}: no line break at the end (an interrupted or edited write)"));
                (rest, &rest[rest.len()..])
            }
        };
        rest = next;
        if broken {
            continue;
        }
        match check_line(line, &state) {
            Ok(e) => {
                let h = line_hash(line);
                hashes.push(h.clone());
                state.push(e, h);
            }
            Err(p) => {
                v.problems.push(format!("line {n}: {p}"));
                broken = true;
            }
        }
    }
    v.entries = state.len();
    v.head = state.head.clone();
    let head_path = case_dir.join(super::DIR).join(super::HEAD_FILE);
    match std::fs::read_to_string(&head_path) {
        Ok(text) => {
            #[derive(Deserialize)]
            struct Head {
                seq: u64,
                sha256: String,
            }
            match serde_json::from_str::<Head>(text.trim()) {
                Ok(h) if !broken && (h.seq != v.entries || h.sha256 != v.head) => v.problems.push(format!(
                    "{}: the head records entry {} with SHA-256 {}, the log ends at entry {} with {}: the last \
                     entries were edited or removed",
                    super::HEAD_FILE,
                    h.seq,
                    short(&h.sha256),
                    v.entries,
                    short(&v.head)
                )),
                Ok(_) => {}
                Err(e) => v.problems.push(format!("{}: not a head record ({e})", super::HEAD_FILE)),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if n > 0 {
                v.problems.push(format!("{} is missing: the log's last entry cannot be checked", super::HEAD_FILE));
            }
        }
        Err(e) => return Err(LogError::Io { path: head_path, source: e }),
    }
    if let Some(a) = anchor {
        let a = a.trim().to_ascii_lowercase();
        match hashes.iter().position(|h| *h == a) {
            Some(i) => v.anchor = Some(i as u64),
            None => v.problems.push(format!(
                "the anchor {} is not the hash of any entry of the chain: the log was changed after it was recorded",
                short(&a)
            )),
        }
    }
    Ok(v)
}
