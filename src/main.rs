//! The `moneytrail` command line (L6): parses flags into validated settings, runs the library,
//! and is the only place that prints.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
