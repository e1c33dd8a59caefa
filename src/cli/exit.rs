//! The exit codes of every command, in one place: the table printed by `--help` and in the
//! README, and the values the commands return.

use std::process::ExitCode;

/// The command did what it was asked and every input row or record was used.
pub const DONE: u8 = 0;
/// The command finished and wrote its output, but input rows were rejected (every command
/// that loads a case: `ingest` lists them in rejects.csv) or, with `--strict`, an import listed records it did not write
/// (see import_report.csv).
pub const DONE_WITH_REJECTS: u8 = 1;
/// The command could not run: a bad flag, a missing or unreadable input, an output refused, a
/// query that does not parse. Nothing was written, or only what the message says.
pub const CANNOT_RUN: u8 = 2;
/// A verification failed: `verify` found a bundle that does not match its manifest or
/// signature, `log verify` a broken hash chain, `key check` a passphrase that is not the case's.
pub const VERIFY_FAILED: u8 = 3;

/// The exit-code table, as `--help` prints it (the README holds the same table).
pub const TABLE: &str = "\
Exit codes:
  0  done: the command did what it was asked and used every input row or record
  1  done with rejected or listed records: the output is written, but input rows were rejected
     (any command that loads a case; `ingest CASE` lists them in rejects.csv) or, with --strict,
     an import listed records it did not write (import_report.csv)
  2  cannot run: a bad flag, a missing or unreadable input, an output refused, a query that does
     not parse; nothing was written but what the message says
  3  a verification failed: verify (bundle against manifest or signature), log verify (hash
     chain), key check (not the passphrase of the case)";

/// `code` as an [`ExitCode`].
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// 1 when rows were rejected, else 0.
pub fn rejected(n: u64) -> ExitCode {
    code(if n > 0 { DONE_WITH_REJECTS } else { DONE })
}
