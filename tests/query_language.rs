//! The query language: parse errors with position and caret, plan errors, hostile input, exact
//! arithmetic, dates and durations, NULL logic, aggregation, ordering, paths, and the temporal
//! path qualifiers (pruning during the search must give the same rows as filtering after it).

use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::query::{self, Budget, ErrorKind, QueryError, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

struct Fixture {
    _dir: tempfile::TempDir,
    case: Case,
    graph: CaseGraph,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        generate(&GenConfig { seed: 1, transfers: 5_000, ..GenConfig::default() }, dir.path()).unwrap();
        let case = load_case(dir.path(), &LoadOptions::default()).unwrap().case;
        let graph = CaseGraph::build(&case);
        Fixture { _dir: dir, case, graph }
    })
}

fn params(p: &[(&str, &str)]) -> HashMap<String, Value> {
    p.iter().map(|(k, v)| (k.to_string(), query::param_value(v))).collect()
}

fn try_run(text: &str, p: &[(&str, &str)], budget: &Budget) -> Result<Vec<Vec<String>>, QueryError> {
    let f = fixture();
    let q = query::prepare(text, &f.case, &params(p))?;
    let r = query::execute(&q, &f.case, &f.graph, params(p), budget)?;
    Ok(r.rows.iter().map(|row| row.iter().map(|v| v.render(&f.case)).collect()).collect())
}

fn run(text: &str) -> Vec<Vec<String>> {
    try_run(text, &[], &Budget::default()).unwrap_or_else(|e| panic!("{}", e.render(text)))
}

fn one(text: &str) -> String {
    let rows = run(text);
    assert_eq!(rows.len(), 1, "{text}: {rows:?}");
    rows[0].join("|")
}

fn err(text: &str) -> QueryError {
    match try_run(text, &[], &Budget::default()) {
        Ok(rows) => panic!("{text}: expected an error, got {rows:?}"),
        Err(e) => e,
    }
}

#[test]
fn parse_error_names_line_column_expectation_and_draws_a_caret() {
    let text = "MATCH (a:Account)\nWHERE a.id = 'x' AND (a]\nRETURN a";
    let e = err(text);
    assert_eq!(e.kind, ErrorKind::Parse);
    let sp = e.span.unwrap();
    assert_eq!((sp.line, sp.col), (2, 24));
    assert!(e.message.contains("expected ')'"), "{}", e.message);
    let shown = e.render(text);
    assert!(shown.contains(" 2 | WHERE a.id = 'x' AND (a]"), "{shown}");
    assert!(shown.ends_with(&format!("|{}^", " ".repeat(24))), "{shown}");
}

#[test]
fn parse_errors_say_what_was_expected() {
    for (text, want) in [
        ("MATCH (a) RETURN", "expected an expression"),
        ("MATCH (a)-[:TRANSFER*]->(b) RETURN a", "needs an upper bound"),
        ("MATCH (a)-[:TRANSFER*1..99]->(b) RETURN a", "hop count up to 16"),
        ("MATCH (a)", "must end with RETURN"),
        ("MATCH (a) RETURN 'open", "unterminated string"),
        ("MATCH (a)-[:TRANSFER*1..3 WITHIN 5 FORTNIGHTS]->(b) RETURN a", "expected a unit"),
        ("CREATE (a) RETURN a", "read-only"),
        ("MATCH (a) RETURN a.id =~ 'x'", "regular expressions"),
    ] {
        let e = err(text);
        assert!(e.message.contains(want), "{text}: {e}");
        assert!(e.span.is_some(), "{text}: no position");
    }
}

#[test]
fn plan_errors_point_at_unknown_names() {
    for (text, want, col) in [
        ("MATCH (a:Acount) RETURN a", "unknown label 'Acount'", 7),
        ("MATCH (a:Account) RETURN a.ibn", "Account has no property 'ibn'", 27),
        ("MATCH (a:Account) RETURN b", "unknown variable 'b'", 26),
        ("MATCH (a:Account) RETURN frobnicate(a)", "unknown function 'frobnicate'", 26),
        ("MATCH (a:Account {id: $acct}) RETURN a", "missing parameter $acct", 23),
        ("MATCH (a)-[:WIRED]->(b) RETURN a", "unknown relationship type", 10),
        ("MATCH (a)-[:HOLDS*1..3 ASCENDING TIME]->(b) RETURN a", "TRANSFER steps only", 10),
        ("MATCH (a:Account) WHERE count(*) > 1 RETURN a", "only allowed in RETURN or WITH", 25),
    ] {
        let e = err(text);
        assert_eq!(e.kind, ErrorKind::Plan, "{text}: {e}");
        assert!(e.message.contains(want), "{text}: {e}");
        assert_eq!(e.span.map(|s| s.col), Some(col), "{text}: {e}");
    }
}

#[test]
fn hostile_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!("RETURN {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(err(&deep).message.contains("nests deeper"));
    let chain = format!("RETURN 1{}", " + 1".repeat(100_000));
    assert!(err(&chain).message.contains("nests deeper"));
    let lists = format!("RETURN {}1{}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(err(&lists).message.contains("nests deeper"));
    let nots = format!("RETURN {}true", "NOT ".repeat(50_000));
    assert!(err(&nots).message.contains("nests deeper"));
    let many = "MATCH (a) ".repeat(5_000) + "RETURN 1";
    assert!(err(&many).message.contains("more than"));
}

#[test]
fn budgets_stop_runaway_queries_with_a_clear_message() {
    let text = "MATCH p = (a:Account)-[:TRANSFER*1..8]->(b) RETURN count(*)";
    let e = try_run(text, &[], &Budget { max_rows: 10_000, ..Budget::default() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget);
    assert!(e.to_string().contains("query stopped: more than 10000 intermediate rows"), "{e}");
    let e =
        try_run(text, &[], &Budget { max_rows: u64::MAX, max_time: std::time::Duration::ZERO, ..Budget::default() })
            .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget);
    assert!(e.to_string().contains("longer than 0 s"), "{e}");
}

/// Limits (issue 8): with no row limit at all, a 16-hop path search with no time window over
/// the whole generated case (billions of paths) must still stop on the time budget, promptly
/// and with the clear message, rather than run on; and an unbounded `*` is refused at parse.
#[test]
fn pathological_path_search_stops_on_the_time_budget() {
    let text = "MATCH p = (a)-[:TRANSFER*1..16]->(b) RETURN count(*)";
    let budget = Budget { max_rows: u64::MAX, max_time: std::time::Duration::from_secs(2), ..Budget::default() };
    let t0 = std::time::Instant::now();
    let e = try_run(text, &[], &budget).unwrap_err();
    let took = t0.elapsed();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    assert!(e.to_string().contains("longer than 2 s"), "{e}");
    assert!(took < std::time::Duration::from_secs(20), "stopped only after {took:?}");
    let e = err("MATCH p = (a)-[:TRANSFER*]->(b) RETURN count(*)");
    assert!(e.message.contains("needs an upper bound"), "{}", e.message);
}

#[test]
fn money_arithmetic_is_exact_decimal() {
    assert_eq!(one("RETURN 0.1 + 0.2 = 0.3 AS exact, 0.1 + 0.2 AS sum, 10 / 4 AS q, 7 % 3 AS r"), "true|0.3|2.5|1");
    assert_eq!(one("RETURN 1234567890123.45 * 3 AS big"), "3703703670370.35");
    assert!(err("RETURN 1 / 0").message.contains("division by zero"));
    assert!(err("RETURN 1 + 'a' + true - 1").message.contains("cannot apply '-'"));
    // Sum of base amounts equals the sum of the exact column values.
    let f = fixture();
    let want: rust_decimal::Decimal = (0..f.graph.flow.edge_count()).map(|i| f.graph.flow.base_of(i)).sum();
    assert_eq!(one("MATCH ()-[t:TRANSFER]->() RETURN sum(t.amount)"), want.to_string());
}

#[test]
fn dates_datetimes_and_durations() {
    assert_eq!(
        one("RETURN date('2024-01-31') + duration('P30D') AS d, datetime('2024-01-01T10:00') + duration({hours: 20}) AS t"),
        "2024-03-01|2024-01-02 06:00:00"
    );
    assert_eq!(
        one("RETURN datetime('2024-03-01') - date('2024-01-01') AS gap, duration('P1W') > duration('P6D') AS longer"),
        "P60D|true"
    );
    assert_eq!(
        one("RETURN date('2024-02-29').year, datetime({epochMillis: 1627020616747}), days(duration('PT36H'))"),
        "2024|2021-07-23 06:10:16|1.5"
    );
    assert_eq!(one("RETURN date('2024-01-01') < datetime('2024-01-01T00:00:01') AS mixed"), "true");
    assert!(err("RETURN date('2024-02-30')").message.contains("expected YYYY-MM-DD"));
    assert!(err("RETURN duration('P1M')").message.contains("no years or months"));
}

#[test]
fn durations_out_of_range_are_errors_not_panics() {
    // Found by the query_parse fuzzer in CI: the multiplication overflowed rust_decimal and
    // panicked instead of reporting.
    let gap = "MATCH p = (a:Account)-[ts:TRANSFER*1..3 ASCENDING TIME MAX GAP 22222222222222222222222222 DAYS]->(z:Account) RETURN a.id LIMIT 1";
    assert!(err(gap).message.contains("duration out of range"), "{}", err(gap).message);
    for q in [
        "RETURN duration('P1D') * 99999999999999999999999999 AS x",
        "RETURN duration('P1D') / 0.0000000000000000000000000001 AS x",
    ] {
        assert!(err(q).message.contains("overflow"), "{q}: {}", err(q).message);
    }
    assert_eq!(one("RETURN duration('P1D') * 2 AS x, duration('P2D') / 4 AS y"), "P2D|PT12H");
    for far in [
        "RETURN datetime(99999999999999999999999999) AS t",
        "RETURN datetime(9000000000000000000000) AS t",
        "RETURN datetime({epochSeconds: -9000000000000000000}) AS t",
    ] {
        assert!(err(far).message.contains("out of range"), "{far}: {}", err(far).message);
    }
    assert_eq!(one("RETURN datetime(253402300799000) AS t"), "9999-12-31 23:59:59");
}

#[test]
fn null_logic_in_and_strings() {
    assert_eq!(
        one("RETURN null = null, null OR true, null AND false, NOT null, 2 IN [1, 2], 3 IN [1, null]"),
        "|true|false||true|"
    );
    assert_eq!(
        one("RETURN toLower('ARBËN') AS l, 'Hoxha' STARTS WITH 'Ho', contains('abc', 'bc'), startsWith('abc', 'b'), 'x' + 1"),
        "arbën|true|true|false|x1"
    );
    assert_eq!(one("RETURN coalesce(null, 'a'), size([1, 2, 3]), [x IN range(1, 5) WHERE x % 2 = 1 | x * 10], reduce(s = 0, x IN [1, 2, 3] | s + x)"), "a|3|[10, 30, 50]|6");
}

#[test]
fn aggregation_distinct_order_skip_limit() {
    let rows =
        run("MATCH (p:Person)-[:HOLDS]->(a:Account) WITH p, count(a) AS n WHERE n >= 2 RETURN count(*) AS holders");
    let many: usize = rows[0][0].parse().unwrap();
    let listed =
        run("MATCH (p:Person)-[:HOLDS]->(a:Account) WITH p, count(a) AS n WHERE n >= 2 RETURN p.id ORDER BY p.id");
    assert_eq!(listed.len(), many);
    let sorted = run("MATCH (a:Account) RETURN a.id AS id ORDER BY id DESC SKIP 2 LIMIT 3");
    let all = run("MATCH (a:Account) RETURN a.id AS id ORDER BY a.id DESC");
    assert_eq!(sorted, all[2..5].to_vec());
    let d = run("MATCH (a:Account) RETURN DISTINCT a.currency AS c ORDER BY c");
    assert!(d.len() >= 2 && d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
    assert_eq!(
        one("MATCH (a:Account) WHERE a.id = 'nope' RETURN count(*), sum(1), collect(a.id), min(a.id)"),
        "0|0|[]|"
    );
    assert_eq!(one("UNWIND [3, 1, 2, 2] AS x RETURN count(DISTINCT x), avg(x), min(x), max(x), sum(x)"), "3|2|1|3|8");
}

#[test]
fn exists_with_and_path_functions() {
    let holders = run("MATCH (p:Person) WHERE exists { (p)-[:HOLDS]->(:Account) } RETURN count(p)");
    let direct = run("MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN count(DISTINCT p)");
    assert_eq!(holders, direct);
    let rows = run(
        "MATCH p = (s {id: 'P000063'})-[:HOLDS]->(a)-[t:TRANSFER]->(b) \
         RETURN length(p), size(nodes(p)), [r IN relationships(p) | type(r)], nodes(p)[0] = s, last(nodes(p)) = b LIMIT 1",
    );
    assert_eq!(rows, vec![vec!["2", "3", "[HOLDS, TRANSFER]", "true", "true"]]);
}

#[test]
fn id_lookup_and_anchoring_use_the_index_in_the_plan() {
    let f = fixture();
    let q = query::prepare(
        "MATCH p = (x)-[:TRANSFER*1..3 ASCENDING TIME]->(a:Account) WHERE a.id = 'A0000109' RETURN p",
        &f.case,
        &HashMap::new(),
    )
    .unwrap();
    let plan = q.plan.to_string();
    assert!(plan.contains("NodeById: (a:Account {id: 'A0000109'})"), "{plan}");
    assert!(plan.contains("<-[ rel"), "reversed to expand from the anchor: {plan}");
}

/// The qualifiers prune during the search; the same question asked with a WHERE on the whole
/// path must give the same paths.
#[test]
fn temporal_qualifiers_prune_exactly_like_a_post_filter() {
    let pruned = run(
        "MATCH p = (a:Account)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 20 DAYS MAX GAP 7 DAYS RETENTION 0.5..1.0]->(b) \
         WHERE a.id >= 'A0000100' RETURN [t IN ts | t.id] AS ids ORDER BY ids",
    );
    let filtered = run("MATCH p = (a:Account)-[ts:TRANSFER*1..3]->(b) \
         WHERE a.id >= 'A0000100' AND ascending(p) AND last(ts).booked_at - head(ts).booked_at <= duration('P20D') \
           AND all(i IN range(1, size(ts) - 1) WHERE ts[i].booked_at - ts[i - 1].booked_at <= duration('P7D') \
                   AND ts[i].amount >= 0.5 * ts[i - 1].amount AND ts[i].amount <= ts[i - 1].amount) \
         RETURN [t IN ts | t.id] AS ids ORDER BY ids");
    assert!(pruned.len() > 100, "too few paths to be a test: {}", pruned.len());
    assert_eq!(pruned, filtered);
}

#[test]
fn backward_expansion_from_an_anchored_end_equals_forward_expansion() {
    let back = run(
        "MATCH p = (x)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 30 DAYS RETENTION 0.8..1.0]->(a:Account {id: 'A0000109'}) \
         RETURN [t IN ts | t.id] AS ids ORDER BY ids",
    );
    let fwd = run("MATCH p = (x)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 30 DAYS RETENTION 0.8..1.0]->(a:Account) \
         WHERE id(a) = 'A0000109' AND id(a) <> 'no' RETURN [t IN ts | t.id] AS ids ORDER BY ids");
    assert!(!back.is_empty());
    assert_eq!(back, fwd);
}

#[test]
fn parameters_and_csv_output_are_safe() {
    let rows = try_run(
        "MATCH (a:Account {id: $acct}) RETURN a.id, $n + 1, $s",
        &[("acct", "A0000001"), ("n", "41"), ("s", "'=1+1'")],
        &Budget::default(),
    )
    .unwrap();
    assert_eq!(rows, vec![vec!["A0000001", "42", "=1+1"]]);
    let f = fixture();
    let q = query::prepare("RETURN '=HYPERLINK(1)' AS x", &f.case, &HashMap::new()).unwrap();
    let r = query::execute(&q, &f.case, &f.graph, HashMap::new(), &Budget::default()).unwrap();
    let mut buf = Vec::new();
    query::format::write(&f.case, &r, query::format::Format::Csv, &mut buf).unwrap();
    assert_eq!(String::from_utf8(buf).unwrap(), "x\n'=HYPERLINK(1)\n");
}

#[test]
fn optional_match_keeps_rows_without_a_match() {
    let rows = run("MATCH (a:Account) WHERE a.id IN ['A0000001', 'A0000109'] \
         OPTIONAL MATCH (a)<-[h:HOLDS]-(p:Person) RETURN a.id, p.id ORDER BY a.id");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], vec!["A0000001".to_string(), String::new()], "a bank's account has no person holder");
    assert!(rows[1][1].starts_with('P'), "{rows:?}");
    assert_eq!(one("MATCH (a:Account {id: 'A0000001'}) OPTIONAL MATCH (a)-[t:TRANSFER {channel: 'nope'}]->(b) RETURN count(b), sum(t.amount)"), "0|0");
}

#[test]
fn expressions_cannot_exhaust_memory() {
    let small = Budget { max_rows: 100_000, ..Budget::default() };
    let e = try_run("RETURN size([x IN range(1, 1000000) | range(1, 1000000)])", &[], &small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    let e = try_run("RETURN size(reduce(s = 'xx', i IN range(1, 64) | s + s))", &[], &small).unwrap_err();
    assert!(e.message.contains("16 MiB"), "{e}");
    let e = try_run("RETURN size(reduce(l = [1], i IN range(1, 64) | l + l))", &[], &small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
    let e =
        try_run("UNWIND range(1, 1000000) AS x UNWIND range(1, 1000) AS y RETURN count(*)", &[], &small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Budget, "{e}");
}

#[test]
fn evidence_diagram_holds_the_row_subgraph() {
    let f = fixture();
    let text = "MATCH p = (s {id: 'P000063'})-[h:HOLDS]->(a)-[t:TRANSFER]->(b) RETURN s.id AS suspect, p LIMIT 1";
    let q = query::prepare(text, &f.case, &HashMap::new()).unwrap();
    let r = query::execute(&q, &f.case, &f.graph, HashMap::new(), &Budget::default()).unwrap();
    let ev = query::evidence::Evidence::new(&f.case, &f.graph);
    let g = ev.subgraph(&r.rows[0]);
    assert_eq!((g.nodes.len(), g.rels.len()), (3, 2), "{g:?}");
    let dot = ev.dot("row 1", &r.columns, &r.rows[0]);
    assert!(dot.starts_with("digraph \"row 1\" {") && dot.ends_with("}\n"), "{dot}");
    assert!(
        dot.contains("label=\"suspect: P000063\"") && dot.contains("HOLDS") && dot.matches(" -> ").count() == 2,
        "{dot}"
    );
}

#[test]
fn one_thread_and_many_threads_give_the_same_rows_in_the_same_order() {
    let text = "MATCH p = (a:Account)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 10 DAYS]->(b) \
                RETURN a.id, [t IN ts | t.id], b.id";
    let many = run(text);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let one = pool.install(|| run(text));
    assert!(many.len() > 100);
    assert_eq!(one, many);
}

#[test]
fn shortest_paths_are_as_short_as_the_shortest_enumerated_path() {
    let bfs = run("MATCH p = (a:Account {id: 'A0000107'})-[:TRANSFER*1..4 SHORTEST]->(b:Account) \
         RETURN b.id AS b, length(p) AS hops ORDER BY b");
    let dfs = run("MATCH p = (a:Account {id: 'A0000107'})-[:TRANSFER*1..4 NO REPEAT]->(b:Account) WHERE b <> a \
         RETURN b.id AS b, min(length(p)) AS hops ORDER BY b");
    assert!(bfs.len() > 10, "{}", bfs.len());
    assert_eq!(bfs, dfs);
    let e = err("MATCH p = (a)-[:TRANSFER*1..4 SHORTEST ASCENDING TIME]->(b) RETURN p");
    assert!(e.message.contains("SHORTEST combines with BETWEEN only"), "{e}");
}

#[test]
fn json_output_keeps_column_order_and_exact_numbers() {
    let f = fixture();
    let q = query::prepare("RETURN 'b' AS zeta, 0.10 AS alpha, [1, 2] AS list, null AS none", &f.case, &HashMap::new())
        .unwrap();
    let r = query::execute(&q, &f.case, &f.graph, HashMap::new(), &Budget::default()).unwrap();
    let mut buf = Vec::new();
    query::format::write(&f.case, &r, query::format::Format::Json, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(text, "[\n  {\"zeta\": \"b\", \"alpha\": \"0.10\", \"list\": [\"1\",\"2\"], \"none\": null}\n]\n");
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed[0]["alpha"], "0.10");
}

#[test]
fn counterparts_is_the_most_distinct_counterparts_in_a_window_ending_at_a_transfer() {
    use moneytrail::model::NO_ACCOUNT;
    let f = fixture();
    let t = &f.case.transfers;
    for (dir, days) in [("in", 3i64), ("out", 3), ("in", 30), ("out", 0)] {
        let text = format!(
            "CALL counterparts('{dir}', duration('P{days}D')) YIELD account, max_counterparts \
             RETURN account.id AS a, max_counterparts AS n"
        );
        let got: HashMap<String, String> = run(&text).into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        // Brute force: every account-to-account transfer against all the account's others.
        let mut by: HashMap<u32, Vec<(i64, u32)>> = HashMap::new();
        for i in 0..t.len() {
            if t.from[i] == NO_ACCOUNT || t.to[i] == NO_ACCOUNT {
                continue;
            }
            let (acct, other) = if dir == "in" { (t.to[i], t.from[i]) } else { (t.from[i], t.to[i]) };
            by.entry(acct).or_default().push((t.booked_at[i].0, other));
        }
        let want: HashMap<String, String> = by
            .iter()
            .map(|(&a, v)| {
                let best = v
                    .iter()
                    .map(|&(ti, _)| {
                        let set: std::collections::HashSet<u32> =
                            v.iter().filter(|&&(tj, _)| tj <= ti && tj >= ti - days * 86_400).map(|x| x.1).collect();
                        set.len()
                    })
                    .max()
                    .unwrap_or(0);
                (f.case.accounts.rows[a as usize].id.clone(), best.to_string())
            })
            .collect();
        if days > 0 {
            assert!(want.values().any(|n| n.parse::<usize>().unwrap() >= 3), "{dir} {days}: the fixture has fans");
        }
        assert_eq!(got, want, "{dir} {days} days");
    }
    let e = err("CALL counterparts('sideways', duration('P3D')) YIELD account RETURN account");
    assert!(e.message.contains("'in' or 'out'"), "{}", e.message);
    let e = err("CALL counterparts('in') YIELD account RETURN account");
    assert!(e.message.contains("duration"), "{}", e.message);
    let e = err("CALL counterparts('in', duration('P3D')) YIELD nothing RETURN nothing");
    assert!(e.message.contains("yields account, max_counterparts"), "{}", e.message);
}

/// Steps into a bound node that are ASCENDING, WITHIN and NO REPEAT run the reachability-pruned
/// temporal search (`graph::TemporalSearch`); without NO REPEAT the same step runs the plain
/// depth-first search. With the repeat rule written as a WHERE instead, both must give the same
/// paths in the same order: cycles, cycles with RETENTION and MAX GAP, and paths to another
/// bound node.
#[test]
fn pruned_temporal_search_finds_what_the_plain_search_finds() {
    let distinct =
        "all(i IN range(1, size(ts) - 1) WHERE nodes(p)[i] <> nodes(p)[0] AND nodes(p)[i] <> last(nodes(p)) \
                    AND all(j IN range(i + 1, size(ts) - 1) WHERE nodes(p)[i] <> nodes(p)[j]))";
    let cases = [
        ("(a:Account)-[ts:TRANSFER*2..5 ASCENDING TIME WITHIN 30 DAYS{}]->(a)", "true", 20),
        (
            "(a:Account)-[ts:TRANSFER*2..4 ASCENDING TIME WITHIN 60 DAYS MAX GAP 20 DAYS RETENTION 0.2..1.0{}]->(a)",
            "true",
            5,
        ),
        (
            "(a:Account)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 30 DAYS{}]->(b:Account {id: 'A0000109'})",
            "nodes(p)[0] <> last(nodes(p))",
            3,
        ),
    ];
    for (pattern, extra, least) in cases {
        let q = |qual: &str, filter: &str| {
            format!(
                "MATCH p = {} WHERE {filter} AND {extra} RETURN id(nodes(p)[0]) AS a, [t IN ts | t.id] AS ids",
                pattern.replace("{}", qual)
            )
        };
        let pruned = run(&q(" NO REPEAT", "true"));
        let plain = run(&q("", distinct));
        assert!(pruned.len() >= least, "{pattern}: too few paths to be a test: {}", pruned.len());
        assert_eq!(pruned, plain, "{pattern}");
    }
}
