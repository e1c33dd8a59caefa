#!/usr/bin/env bash
# Bounded CI fuzz run: installs cargo-fuzz if missing, builds every target once, then runs each
# for FUZZ_SECONDS (default 45) from the checked-in corpus. Exits non-zero on a crash, a hang
# (-timeout) or a runaway allocation (-rss_limit_mb); the failing input is left under
# fuzz/artifacts/<target>/ and should be minimised into tests/fuzz-corpus/<target>/.
# The toolchain is stable: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags, and
# --sanitizer none avoids needing a sanitizer runtime (the code under test is safe Rust).
set -euo pipefail
cd "$(dirname "$0")"
secs="${FUZZ_SECONDS:-45}"
targets=(ingest_csv case_toml query_parse ftm_import bods_import mapping_toml xlsx_statement statement_csv)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2
start=$(date +%s)
cargo fuzz build --sanitizer none
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${secs} s"
  # A workbook is a zip archive: the XLSX target needs room for the 6 KB sample and more.
  max_len=4096
  [ "$t" = xlsx_statement ] && max_len=16384
  rc=0
  cargo fuzz run --sanitizer none "$t" "corpus/$t" "../tests/fuzz-corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    >"fuzz-$t.log" 2>&1 || rc=$?
  # libFuzzer's progress lines stay in fuzz/fuzz-<target>.log; show the summary and any crash.
  grep -E '^stat::|^#[0-9]+ +DONE|panicked|ERROR|SUMMARY|artifact' "fuzz-$t.log" || true
  if [ "$rc" -ne 0 ]; then tail -n 40 "fuzz-$t.log"; echo "fuzz: $t FAILED (input under fuzz/artifacts/$t)"; exit 1; fi
done
echo "fuzz: ${#targets[@]} targets, ${secs} s each, finished in $(( $(date +%s) - start )) s"
