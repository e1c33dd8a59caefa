#!/bin/sh
# moneytrail beside DuckDB and Polars on the same generated case, in one run (issue 15): the plain
# load, temporal cycles counted per length, and sliding-window fan-in/fan-out counts per account.
# Prints times, peak RSS and ratios, and fails when the tools' answers differ.
#
#   benches/peers/run.sh [TRANSFERS] [TRANSFERS_PER_PERSON] [peers.py options]
#       defaults: 1000000 and 10, and HUB_PERCENT=25 in the environment: a million persons at
#       10M transfers, each utility paid by about 10^5 of them and each bank paying about 6·10^4
#       (`moneytrail generate --transfers-per-person --hub-percent`)
#   e.g. benches/peers/run.sh 10000000 10 --only cycles --tools moneytrail
#
# It installs duckdb and polars (pinned) into a virtual environment under the target folder,
# builds moneytrail in release, generates the case (seed 1) unless present, and runs
# benches/peers/peers.py. Each step is its own process under /usr/bin/time -v, so every figure is
# the whole process, loading included; the question's own time is printed beside it. The machine
# is shared: the load average is printed before and after.
set -eu
DUCKDB_VERSION=2.0.1
POLARS_VERSION=2.1.0
TRANSFERS=${1:-1000000}
PER_PERSON=${2:-10}
HUB_PERCENT=${HUB_PERCENT:-25}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/peers-venv
case_dir=$target/bench-cases/peers-seed1-$TRANSFERS-pp$PER_PERSON-hub$HUB_PERCENT

if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time (/usr/bin/time) for peak RSS: apt-get install time" >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import duckdb, polars, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION' or polars.__version__ != '$POLARS_VERSION')" 2>/dev/null ||
    "$venv/bin/pip" install --quiet "duckdb==$DUCKDB_VERSION" "polars==$POLARS_VERSION"

(cd "$root" && cargo build --release --quiet)
bin=$target/release/moneytrail
if [ ! -f "$case_dir/truth/patterns.csv" ]; then
    "$bin" generate --seed 1 --transfers "$TRANSFERS" --transfers-per-person "$PER_PERSON" --hub-percent "$HUB_PERCENT" --out "$case_dir"
fi
echo "case: $case_dir"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$venv/bin/python" "$here/peers.py" "$case_dir" --bin "$bin" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
