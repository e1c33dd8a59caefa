//! cargo fuzz target `xlsx_statement`: see fuzz/harness.rs for what it feeds and checks.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::xlsx_statement(&harness::repo_root(), data);
});
