//! cargo fuzz target `statement_csv`: see fuzz/harness.rs for what it feeds and checks.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::statement_csv(&harness::repo_root(), data);
});
