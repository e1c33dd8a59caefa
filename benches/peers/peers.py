#!/usr/bin/env python3
"""moneytrail beside DuckDB and Polars: the same questions on the same generated case, in one run.

Usage: benches/peers/run.sh (installs the pinned duckdb and polars into a venv, builds, generates
the case), or directly with both installed and a release build of moneytrail:
    python3 benches/peers/peers.py CASE_DIR [--bin target/release/moneytrail] [--only load,cycles,fans]

Questions (every tool reads the case's transfers.csv itself):
  load    the plain load. moneytrail: `moneytrail ingest` (every table of the case, every check,
          provenance, currency conversion). DuckDB: CREATE TABLE AS read_csv (type inference, no
          checks). Polars: read_csv.
  cycles  temporal cycles among account-to-account transfers: 2 to MAX_HOPS transfers from an
          account back to it, each booked strictly later than the previous, the last at most
          WINDOW days after the first, no account twice; counted per length (must match).
          moneytrail: `moneytrail query` with the equivalent pattern. DuckDB: a recursive CTE.
          Polars: one join per hop.
  fans    for every account-to-account transfer, the number of distinct counterparts of its
          receiver (fan-in) or its sender (fan-out) among that account's transfers booked at most
          FAN days before it; the maximum per account (must match). moneytrail: `CALL
          counterparts(...)` in a query, and for the detector's time `detect --typology
          fan_in,fan_out` with a FAN-day window. DuckDB: count(DISTINCT) over a RANGE window.
          Polars: rolling n_unique.

Each step runs in its own process under /usr/bin/time -v: wall time and peak RSS (maximum
resident set size) are of the whole process, loading included. Steps that exceed --timeout are
stopped and reported as such.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

CYCLES_CYPHER = """MATCH p = (a:Account)-[ts:TRANSFER*2..{hops} ASCENDING TIME WITHIN {days} DAYS NO REPEAT]->(a)
WHERE all(n IN nodes(p) WHERE n:Account)
RETURN length(p) AS hops, count(*) AS cycles ORDER BY hops
"""

FANS_CYPHER = """CALL counterparts('{dir}', duration('P{days}D')) YIELD account, max_counterparts
RETURN account.id AS account, max_counterparts
"""


# ---------------------------------------------------------------------------------------------
# Workers: each runs in its own process (`peers.py --worker NAME ...`) and prints one JSON line.


def duck_edges(con, case):
    """Account-to-account transfers as integer edges (s, d, t seconds)."""
    con.execute(f"CREATE TABLE raw AS SELECT from_account, to_account, booked_at FROM read_csv('{case}/transfers.csv', "
                "columns={'txn_id':'VARCHAR','booked_at':'TIMESTAMP','from_account':'VARCHAR','to_account':'VARCHAR',"
                "'amount':'DECIMAL(38,2)','currency':'VARCHAR','channel':'VARCHAR','reference':'VARCHAR','branch_city':'VARCHAR'}, header=true) "
                "WHERE from_account IS NOT NULL AND to_account IS NOT NULL")
    con.execute("CREATE TABLE ids AS SELECT a, (row_number() OVER ())::INTEGER AS i FROM "
                "(SELECT from_account AS a FROM raw UNION SELECT to_account FROM raw)")
    con.execute("CREATE TABLE e AS SELECT f.i AS s, g.i AS d, epoch(booked_at)::BIGINT AS t FROM raw "
                "JOIN ids f ON f.a = raw.from_account JOIN ids g ON g.a = raw.to_account")


def worker_duckdb(q, a):
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads TO {a.threads}")
    # Room to spill rather than take the shared machine's memory (the cycle paths grow fast).
    con.execute("SET memory_limit = '8GB'")
    case = a.case
    t0 = time.perf_counter()
    if q == "load":
        con.execute(f"CREATE TABLE transfers AS SELECT * FROM read_csv('{case}/transfers.csv', header=true)")
        n = con.execute("SELECT count(*) FROM transfers").fetchone()[0]
        return {"rows": n, "load_s": time.perf_counter() - t0}
    duck_edges(con, case)
    t1 = time.perf_counter()
    if q == "cycles":
        w = a.window_days * 86400
        rows = con.execute(f"""
            WITH RECURSIVE p(origin, last, t0, tl, hops, nodes) AS (
                SELECT s, d, t, t, 1, [s, d] FROM e
                UNION ALL
                SELECT p.origin, e.d, p.t0, e.t, p.hops + 1, list_append(p.nodes, e.d)
                FROM p JOIN e ON e.s = p.last
                WHERE p.last <> p.origin AND p.hops < {a.max_hops} AND e.t > p.tl AND e.t <= p.t0 + {w}
                  AND (e.d = p.origin OR NOT list_contains(p.nodes, e.d))
            )
            SELECT hops, count(*) FROM p WHERE last = origin AND hops >= 2 GROUP BY hops ORDER BY hops""").fetchall()
        return {"counts": {str(h): c for h, c in rows}, "load_s": t1 - t0, "query_s": time.perf_counter() - t1}
    if q in ("fan_in", "fan_out"):
        w = a.fan_days * 86400
        acct, other = ("d", "s") if q == "fan_in" else ("s", "d")
        rows = con.execute(f"""
            SELECT ids.a, max(c) FROM (
                SELECT {acct} AS x, count(DISTINCT {other}) OVER (PARTITION BY {acct} ORDER BY t
                    RANGE BETWEEN {w} PRECEDING AND CURRENT ROW) AS c FROM e) q
            JOIN ids ON ids.i = q.x GROUP BY ids.a""").fetchall()
        return {"max": {k: v for k, v in rows}, "load_s": t1 - t0, "query_s": time.perf_counter() - t1}
    raise SystemExit(f"unknown question {q}")


def polars_edges(pl, case):
    df = pl.read_csv(f"{case}/transfers.csv", columns=["booked_at", "from_account", "to_account"],
                     schema_overrides={"booked_at": pl.String, "from_account": pl.String, "to_account": pl.String})
    df = df.filter(pl.col("from_account").is_not_null() & pl.col("to_account").is_not_null())
    accts = pl.concat([df["from_account"], df["to_account"]]).unique().sort()
    ids = pl.DataFrame({"a": accts, "i": pl.int_range(0, len(accts), eager=True, dtype=pl.Int32)})
    e = (df.join(ids, left_on="from_account", right_on="a").rename({"i": "s"})
         .join(ids, left_on="to_account", right_on="a").rename({"i": "d"})
         .select("s", "d", pl.col("booked_at").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.epoch("s").alias("t")))
    return e, ids


def worker_polars(q, a):
    os.environ.setdefault("POLARS_MAX_THREADS", str(a.threads))
    import polars as pl
    case = a.case
    t0 = time.perf_counter()
    if q == "load":
        df = pl.read_csv(f"{case}/transfers.csv")
        return {"rows": df.height, "load_s": time.perf_counter() - t0}
    e, ids = polars_edges(pl, case)
    t1 = time.perf_counter()
    if q == "cycles":
        w = a.window_days * 86400
        paths = e.select(pl.col("s").alias("origin"), pl.col("d").alias("last"), pl.col("t").alias("t0"),
                         pl.col("t").alias("tl"), pl.col("d").alias("v1"))
        counts = {}
        for k in range(2, a.max_hops + 1):
            j = paths.join(e, left_on="last", right_on="s").filter(
                (pl.col("t") > pl.col("tl")) & (pl.col("t") <= pl.col("t0") + w))
            for i in range(1, k):
                j = j.filter(pl.col("d") != pl.col(f"v{i}"))
            n = j.filter(pl.col("d") == pl.col("origin")).height
            if n:
                counts[str(k)] = n
            if k < a.max_hops:
                paths = j.filter(pl.col("d") != pl.col("origin")).select(
                    "origin", pl.col("d").alias("last"), "t0", pl.col("t").alias("tl"),
                    *[f"v{i}" for i in range(1, k)], pl.col("d").alias(f"v{k}"))
        return {"counts": counts, "load_s": t1 - t0, "query_s": time.perf_counter() - t1}
    if q in ("fan_in", "fan_out"):
        acct, other = ("d", "s") if q == "fan_in" else ("s", "d")
        r = (e.sort(acct, "t")
             .rolling(index_column="t", period=f"{a.fan_days * 86400}i", closed="both", group_by=acct)
             .agg(pl.col(other).n_unique().alias("c"))
             .group_by(acct).agg(pl.col("c").max())
             .join(ids, left_on=acct, right_on="i"))
        return {"max": dict(zip(r["a"].to_list(), r["c"].to_list())), "load_s": t1 - t0,
                "query_s": time.perf_counter() - t1}
    raise SystemExit(f"unknown question {q}")


def moneytrail_query(a, text, out):
    with tempfile.NamedTemporaryFile("w", suffix=".cypher", delete=False) as f:
        f.write(text)
    # --audience court: the case as loaded, no protected-person view (the generated case has
    # victims, and the question does not print names).
    r = subprocess.run([a.bin, "query", a.case, f.name, "--format", "csv", "--out", out, "--max-rows", "1000000000",
                        "--timeout", str(int(a.timeout)), "--audience", "court"],
                       check=True, stderr=subprocess.PIPE, text=True)
    os.unlink(f.name)
    m = re.search(r"load and graph ([\d.]+) s, query ([\d.]+) s", r.stderr)
    return (float(m.group(1)), float(m.group(2))) if m else (None, None)


def read_csv_rows(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def worker_moneytrail(q, a):
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.csv")
        if q == "load":
            r = subprocess.run([a.bin, "ingest", a.case, "--out", tmp], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
            m = re.search(r"transfers\s+(\d+)\s+(\d+)", r.stdout)
            return {"rows": int(m.group(2)) if m else None, "load_s": time.perf_counter() - t0}
        if q == "cycles":
            load, query = moneytrail_query(a, CYCLES_CYPHER.format(hops=a.max_hops, days=a.window_days), out)
            counts = {r["hops"]: int(r["cycles"]) for r in read_csv_rows(out)}
            return {"counts": counts, "load_s": load, "query_s": query}
        if q in ("fan_in", "fan_out"):
            d = "in" if q == "fan_in" else "out"
            load, query = moneytrail_query(a, FANS_CYPHER.format(dir=d, days=a.fan_days), out)
            mx = {r["account"]: int(r["max_counterparts"]) for r in read_csv_rows(out)}
            return {"max": mx, "load_s": load, "query_s": query}
        if q == "detect_fans":
            # The fan detectors themselves, on the same window: detect's own stage timings.
            r = subprocess.run([a.bin, "detect", a.case, "--typology", "fan_in,fan_out",
                                "--param", f"fan_in.window_days={a.fan_days}",
                                "--param", f"fan_out.window_days={a.fan_days}",
                                "--out", os.path.join(tmp, "findings.csv"), "--audience", "court"],
                               check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            m = re.search(r"ingest ([\d.]+) s, graph ([\d.]+) s, detect ([\d.]+) s(?:, victims ([\d.]+) s)?", r.stdout)
            ingest, graph, detect, victims = (float(x) if x else None for x in m.groups()) if m else (None,) * 4
            return {"load_s": ingest, "graph_s": graph, "query_s": detect, "victims_s": victims}
    raise SystemExit(f"unknown question {q}")


# ---------------------------------------------------------------------------------------------
# The driver.


def run_step(a, tool, q):
    """Runs one worker under /usr/bin/time -v; returns its JSON plus wall time and peak RSS."""
    cmd = ["/usr/bin/time", "-v", sys.executable, os.path.abspath(__file__), a.case, "--worker", f"{tool}:{q}",
           "--bin", a.bin, "--max-hops", str(a.max_hops), "--window-days", str(a.window_days),
           "--fan-days", str(a.fan_days), "--threads", str(a.threads), "--timeout", str(a.timeout)]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=a.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {a.timeout:.0f} s", "wall_s": time.perf_counter() - t0}
    wall = time.perf_counter() - t0
    # /usr/bin/time reports the largest RSS of the process tree's biggest process (moneytrail, or
    # the Python worker running DuckDB/Polars in-process).
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", r.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", r.stderr)
    # CPU seconds (user + system, the process and what it waited for): on a machine shared with
    # other jobs the wall time grows with their load, the CPU time much less.
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else None
    res = {"wall_s": wall, "cpu_s": cpu, "rss_mib": int(rss.group(1)) / 1024 if rss else None}
    if r.returncode != 0:
        res["error"] = (r.stderr.strip().splitlines() or ["failed"])[0][:200]
        return res
    res.update(json.loads(r.stdout.strip().splitlines()[-1]))
    return res


def fmt_s(x):
    return "-" if x is None else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "moneytrail"))
    ap.add_argument("--max-hops", type=int, default=6)
    ap.add_argument("--window-days", type=int, default=10)
    ap.add_argument("--fan-days", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=1200)
    ap.add_argument("--only", default="load,cycles,fans")
    ap.add_argument("--tools", default="moneytrail,duckdb,polars")
    ap.add_argument("--skip", default="", help="tool:question pairs not to run, e.g. polars:cycles (Polars held 14 GB "
                    "for the cycle joins at 1M transfers)")
    ap.add_argument("--json", help="also write every result to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.case = os.path.abspath(a.case)
    a.bin = os.path.abspath(a.bin)
    if a.worker:
        tool, q = a.worker.split(":")
        fn = {"duckdb": worker_duckdb, "polars": worker_polars, "moneytrail": worker_moneytrail}[tool]
        print(json.dumps(fn(q, a)))
        return

    tools = a.tools.split(",")
    only = a.only.split(",")
    steps = []
    if "load" in only:
        steps.append("load")
    if "cycles" in only:
        steps.append("cycles")
    if "fans" in only:
        steps += ["fan_in", "fan_out"]
    results = {}
    for q in steps:
        for tool in tools:
            if f"{tool}:{q}" in a.skip.split(",") or (q.startswith("fan_") and f"{tool}:fans" in a.skip.split(",")):
                results[(tool, q)] = {"error": "skipped"}
                continue
            r = run_step(a, tool, q)
            results[(tool, q)] = r
            print(f"  {tool:<10} {q:<8} wall {fmt_s(r.get('wall_s'))} s  cpu {fmt_s(r.get('cpu_s'))} s  rss {fmt_s(r.get('rss_mib'))} MiB  "
                  f"load {fmt_s(r.get('load_s'))} s  query {fmt_s(r.get('query_s'))} s"
                  + (f"  {r['error']}" if "error" in r else "")
                  + (f"  counts {r['counts']}" if "counts" in r else ""), flush=True)
    if "fans" in only and "moneytrail" in tools:
        r = run_step(a, "moneytrail", "detect_fans")
        results[("moneytrail", "detect_fans")] = r
        print(f"  moneytrail detect --typology fan_in,fan_out ({a.fan_days}-day window): wall {fmt_s(r.get('wall_s'))} s, "
              f"rss {fmt_s(r.get('rss_mib'))} MiB, ingest {fmt_s(r.get('load_s'))} s, graph {fmt_s(r.get('graph_s'))} s, "
              f"detect {fmt_s(r.get('query_s'))} s, victims' classification {fmt_s(r.get('victims_s'))} s"
              + (f"  {r['error']}" if "error" in r else ""), flush=True)

    # Agreement.
    ok = True
    print()
    for q in steps:
        got = {t: results[(t, q)] for t in tools if "error" not in results[(t, q)]}
        if q == "load":
            print("load: rows " + ", ".join(f"{t} {r.get('rows')}" for t, r in got.items()))
            continue
        key = "counts" if q == "cycles" else "max"
        vals = {t: r[key] for t, r in got.items()}
        if len(vals) >= 2:
            first = next(iter(vals.values()))
            same = all(v == first for v in vals.values())
            ok &= same
            if q == "cycles":
                print(f"cycles per length: {'SAME' if same else 'DIFFERENT'}: "
                      + "; ".join(f"{t} {v}" for t, v in vals.items()))
            else:
                summary = {t: (len(v), sum(v.values()), max(v.values(), default=0)) for t, v in vals.items()}
                print(f"{q} maximum per account: {'SAME' if same else 'DIFFERENT'} (accounts, sum, max): "
                      + "; ".join(f"{t} {s}" for t, s in summary.items()))
                if not same:
                    t0, v0 = next(iter(vals.items()))
                    for t, v in vals.items():
                        diff = [k for k in set(v0) | set(v) if v0.get(k) != v.get(k)][:5]
                        if diff:
                            print(f"   {t0} vs {t}: e.g. " + ", ".join(f"{k}: {v0.get(k)} / {v.get(k)}" for k in diff))

    # Ratios: whole process (wall) and the question alone.
    print("\n| question | tool | whole process s (CPU s) | question s | peak RSS MiB | vs moneytrail (whole) | vs moneytrail (question) |")
    print("|---|---|---|---|---|---|---|")
    for q in steps:
        m = results.get(("moneytrail", q), {})
        for t in tools:
            r = results[(t, q)]
            qs = r.get("query_s") if q != "load" else r.get("load_s")
            mq = m.get("query_s") if q != "load" else m.get("load_s")
            ratio_w = (f"{r['wall_s'] / m['wall_s']:.1f}x (CPU {r['cpu_s'] / m['cpu_s']:.1f}x)"
                       if "error" not in r and "error" not in m and r.get("cpu_s") and m.get("cpu_s") else "-")
            ratio_q = (f"{qs / mq:.1f}x" if qs and mq and "error" not in r else "-")
            err = f" ({r['error']})" if "error" in r else ""
            print(f"| {q} | {t} | {fmt_s(r.get('wall_s'))} ({fmt_s(r.get('cpu_s'))}){err} | {fmt_s(qs)} | {fmt_s(r.get('rss_mib'))} | {ratio_w} | {ratio_q} |")
    # The fan detectors against the peers' two fan queries (the issue's comparison): detect stage
    # against the queries alone, and moneytrail's whole process (ingest, graph, detection) against
    # the peer's load plus both queries.
    d = results.get(("moneytrail", "detect_fans"))
    if d and "error" not in d and d.get("query_s"):
        print(f"\nfans, detector: moneytrail detect stage {d['query_s']:.2f} s, whole process {d['wall_s']:.2f} s")
        for t in tools:
            if t == "moneytrail":
                continue
            fi, fo = results.get((t, "fan_in"), {}), results.get((t, "fan_out"), {})
            if "error" in fi or "error" in fo or not fi or not fo:
                continue
            q = fi["query_s"] + fo["query_s"]
            whole = fi["load_s"] + q
            print(f"  {t}: both fan queries {q:.2f} s ({q / d['query_s']:.1f}x the detect stage), "
                  f"load plus both {whole:.2f} s ({whole / d['wall_s']:.1f}x moneytrail's whole process)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({f"{t}:{q}": r for (t, q), r in results.items()}, f, indent=1, default=str)
    if not ok:
        print("\nthe tools DISAGREE (see above)")
        sys.exit(1)


if __name__ == "__main__":
    main()
