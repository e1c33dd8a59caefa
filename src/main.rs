//! The `moneytrail` command line (L6): parses flags into validated settings, runs the library,
//! and is the only place that prints.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod cli;

#[cfg(unix)]
extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
}

fn main() -> std::process::ExitCode {
    // Output piped into `head` must end the program quietly, not panic in println!: restore the
    // default SIGPIPE action (Rust ignores SIGPIPE by default).
    #[cfg(unix)]
    // SAFETY: signal(2) with SIGPIPE (13 on Linux and macOS) and SIG_DFL (0) only changes how
    // the process reacts to a closed pipe; called before any thread starts.
    unsafe {
        signal(13, 0);
    }
    cli::main()
}
