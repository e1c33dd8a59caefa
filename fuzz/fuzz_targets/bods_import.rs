//! cargo fuzz target `bods_import`: see fuzz/harness.rs for what it feeds and checks.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::bods_import(&harness::repo_root(), data);
});
