//! cargo fuzz target `mapping_toml`: see fuzz/harness.rs for what it feeds and checks.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::mapping_toml(&harness::repo_root(), data);
});
