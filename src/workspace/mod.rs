//! The investigation workspace's own record (issue 19): triage statuses of findings, notes on
//! findings, accounts and persons, and saved queries, all kept in one append-only, hash-chained
//! log in the case folder (`CASE/.moneytrail/workspace.log`, JSON lines).
//!
//! The log is the workspace's file, never an input table: no command reads it as case data, and
//! the case's tables stay read-only. Each entry carries the SHA-256 of the previous entry's line,
//! so [`verify`] finds an edited, removed or reordered entry; `workspace.head` beside it holds the
//! last entry's number and hash, so a change to the last entry or a cut tail is found too (an
//! evidence bundle's manifest records the head as an anchor outside the case folder).
//!
//! Two servers on one case never lose an update: every append takes an exclusive lock on the log,
//! reads what the other wrote since, checks the caller's expectation (a finding's status carries a
//! version: a change made from version 3 is refused when another analyst already made version 4)
//! and only then writes its line.

mod log;
mod state;

pub use log::{verify, AppendError, Entry, Event, Log, LogError, Verification, GENESIS};
pub use state::{State, Status, StatusRecord, Target, TargetKind};

/// Folder of the workspace inside the case folder.
pub const DIR: &str = ".moneytrail";
/// The log, inside [`DIR`].
pub const LOG_FILE: &str = "workspace.log";
/// The head record (last entry's number and SHA-256), inside [`DIR`].
pub const HEAD_FILE: &str = "workspace.head";

/// The log path of a case folder.
pub fn log_path(case_dir: &std::path::Path) -> std::path::PathBuf {
    case_dir.join(DIR).join(LOG_FILE)
}
