//! cargo fuzz target `case_toml`: see fuzz/harness.rs for what it feeds and checks.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::case_toml(&harness::repo_root(), data);
});
