//! Replays every file of tests/fuzz-corpus/<target>/ through the code the `cargo fuzz` target of
//! the same name runs (fuzz/harness.rs), so CI checks the corpus, and every crash the fuzzers
//! ever found, without cargo-fuzz or a nightly toolchain.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no corpus files", dir.display());
    files
}

fn replay(target: &str, run: fn(&Path, &[u8])) {
    let root = harness::repo_root();
    for f in corpus(target) {
        let data = std::fs::read(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(e) = std::panic::catch_unwind(|| run(&root, &data)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}/{name} fails: {msg}");
        }
    }
}

#[test]
fn ingest_csv_corpus_replays_cleanly() {
    replay("ingest_csv", harness::ingest_csv);
}

#[test]
fn case_toml_corpus_replays_cleanly() {
    replay("case_toml", harness::case_toml);
}

#[test]
fn query_parse_corpus_replays_cleanly() {
    replay("query_parse", harness::query_parse);
}

#[test]
fn ftm_import_corpus_replays_cleanly() {
    replay("ftm_import", harness::ftm_import);
}

#[test]
fn bods_import_corpus_replays_cleanly() {
    replay("bods_import", harness::bods_import);
}

#[test]
fn mapping_toml_corpus_replays_cleanly() {
    replay("mapping_toml", harness::mapping_toml);
}

#[test]
fn xlsx_statement_corpus_replays_cleanly() {
    replay("xlsx_statement", harness::xlsx_statement);
}

#[test]
fn statement_csv_corpus_replays_cleanly() {
    replay("statement_csv", harness::statement_csv);
}

/// Issue 14, Deliver 9: no command panics on generated hostile cases. Each case is a folder of
/// contract tables whose cells come from hostile alphabets (overflowing and malformed amounts,
/// impossible dates, look-alike and formula ids, quotes and newlines, unknown currencies and
/// channels); ingest, detection (under a small budget), the investigation pipeline and a few
/// queries run on what loads. An `Err` is a fine answer; a panic fails the property.
mod hostile_cases {
    use moneytrail::graph::CaseGraph;
    use moneytrail::ingest::{load_case, LoadOptions};
    use moneytrail::investigation::{pipeline, Config};
    use moneytrail::patterns::{self, Budget, RunOptions};
    use moneytrail::query;
    use proptest::prelude::*;
    use std::time::Duration;

    const IDS: &[&str] = &["A1", "A2", "A3", "A\u{200b}1", "А1", "=1+1", "\"A1\"", "A1\u{202e}", "", " A2 ", "a1"];
    const AMOUNTS: &[&str] = &[
        "100.00",
        "9000000000000000000000000000",
        "79228162514264337593543950335",
        "-0",
        "0",
        "-5",
        "12.555",
        "1e5",
        "NaN",
        "",
        "1 000,50",
        "0.0000000000000000000000000001",
        "999999999999999999.99",
    ];
    const DATES: &[&str] = &[
        "2024-01-02 10:00:00",
        "2024-02-30",
        "9999-12-31 23:59:59",
        "0000-01-01",
        "2024-13-01",
        "",
        "2023-06-01T25:00:00",
        "1969-12-31 23:59:59",
        "2024-01-02",
    ];
    const CURRENCIES: &[&str] = &["ALL", "EUR", "XXX", "", "eur", "EURO"];
    const CHANNELS: &[&str] = &["wire", "cash_deposit", "cash_withdrawal", "card", "remittance", "teleport", ""];
    const NAMES: &[&str] = &["Arbën Hoxha", "<script>x</script>", "=HYPERLINK(\"x\")", "a\nb", "", "Ηλίας", "x,y"];

    fn pick<'a>(v: &'a [&'a str]) -> impl Strategy<Value = &'a str> {
        (0..v.len()).prop_map(move |i| v[i])
    }

    fn csv_cell(s: &str) -> String {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    type Transfer = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

    fn transfer() -> impl Strategy<Value = Transfer> {
        (pick(DATES), pick(IDS), pick(IDS), pick(AMOUNTS), pick(CURRENCIES), pick(CHANNELS))
    }

    fn account() -> impl Strategy<Value = (&'static str, &'static str, &'static str, &'static str)> {
        (pick(IDS), pick(DATES), pick(CURRENCIES), pick(&["P1", "P2", "", "C1"]))
    }

    fn write_case(
        dir: &std::path::Path,
        accounts: &[(&str, &str, &str, &str)],
        transfers: &[Transfer],
        names: &[&str],
    ) {
        let mut a = String::from("account_id,iban,bank,holder_id,opened_on,closed_on,currency\n");
        for (id, opened, cur, holder) in accounts {
            a.push_str(&format!("{},,BKT,{holder},{},,{cur}\n", csv_cell(id), csv_cell(opened)));
        }
        let mut t =
            String::from("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,branch_city\n");
        for (i, (date, from, to, amount, cur, ch)) in transfers.iter().enumerate() {
            t.push_str(&format!(
                "T{i},{},{},{},{},{cur},{ch},{},\n",
                csv_cell(date),
                csv_cell(from),
                csv_cell(to),
                csv_cell(amount),
                csv_cell(names[i % names.len().max(1)])
            ));
        }
        let mut p = String::from("person_id,full_name,birth_date,national_id,address,city,phone\n");
        for (i, n) in names.iter().enumerate() {
            p.push_str(&format!("P{},{},1980-01-01,,,,\n", i + 1, csv_cell(n)));
        }
        std::fs::write(
            dir.join("case.toml"),
            "name = \"hostile\"\nbase_currency = \"ALL\"\nvaluation_date = \"2024-12-31\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("accounts.csv"), a).unwrap();
        std::fs::write(dir.join("transfers.csv"), t).unwrap();
        std::fs::write(dir.join("persons.csv"), p).unwrap();
        std::fs::write(dir.join("fx_rates.csv"), "date,currency,rate\n2024-01-01,EUR,100.10\n2024-01-01,XXX,0\n")
            .unwrap();
        std::fs::write(dir.join("suspects.csv"), "entity_id,basis,case_ref,since\nP1,fuzz,F-1,2023-01-01\n").unwrap();
    }

    const QUERIES: &[&str] = &[
        "MATCH (a:Account)-[t:TRANSFER]->(b) RETURN a.id, sum(t.amount), toUpper(b.id)",
        "MATCH p = (a)-[:TRANSFER*1..4]->(b) RETURN count(*)",
        "MATCH (p:Person) RETURN split(p.full_name, ' '), substring(p.full_name, 1), p.birth_date + duration('P1D')",
        "CALL detect() YIELD typology, score RETURN typology, score",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn no_command_panics_on_generated_hostile_cases(
            accounts in proptest::collection::vec(account(), 0..5),
            transfers in proptest::collection::vec(transfer(), 0..24),
            names in proptest::collection::vec(pick(NAMES), 1..4),
        ) {
            let dir = tempfile::tempdir().unwrap();
            write_case(dir.path(), &accounts, &transfers, &names);
            let Ok(l) = load_case(dir.path(), &LoadOptions::default()) else { return Ok(()) };
            prop_assert!(l.report.reconciles());
            let g = CaseGraph::build(&l.case);
            let budget = Budget { max_rows: 100_000, max_bytes: 64 << 20, max_time: Duration::from_secs(20) };
            let _ = patterns::run(&l.case, &g, &RunOptions { budget: budget.clone(), ..RunOptions::default() });
            let mut config = Config { audience: moneytrail::victims::Audience::Court, ..Config::default() };
            config.detect.budget = budget;
            config.graphviz = false;
            if let Ok(inv) = pipeline::run(&l.case, &config) {
                let _ = inv.case().transfers.len();
            }
            let qb = query::Budget { max_rows: 20_000, max_bytes: 16 << 20, max_time: Duration::from_secs(5) };
            for text in QUERIES {
                if let Ok(q) = query::prepare(text, &l.case, &Default::default()) {
                    let _ = query::execute(&q, &l.case, &g, Default::default(), &qb);
                }
            }
        }
    }
}

/// Issue 14, Deliver 1 and 9, for the company register: no BODS command panics on generated
/// hostile statements. Each case is a BODS 0.4 (or 0.3) file whose shares are hostile values
/// (scientific notation, 29 and 32 digits, negative, above 100 %, words, objects, `null`),
/// with odd directness and interest types, parties that are missing or of the wrong kind, and
/// cross-holdings: `import-bods` (then the case it wrote through ingest and the ownership
/// engine), and `ownership::bods::read_bods` with `check_indirect`. An `Err` is a fine answer;
/// a panic, or counts that do not reconcile, fail the property.
mod hostile_bods {
    use moneytrail::assets::valuation::OwnershipModel;
    use moneytrail::ingest::import::{bods::import_bods, ImportOptions};
    use moneytrail::ingest::{load_case, LoadOptions};
    use moneytrail::ownership::bods::{check_indirect, read_bods};
    use proptest::prelude::*;

    const SHARES: &[&str] = &[
        "50",
        "100",
        "0",
        "33.333333333333333333333333333",
        "1e-7",
        "2.5E1",
        "1e21",
        "150",
        "-5",
        "\"-79228162514264337593543950335\"",
        "79228162514264337593543950335",
        "\"99999999999999999999999999999999\"",
        "\" 25 \"",
        "\"abc\"",
        "null",
        "true",
        "{\"v\":1}",
    ];
    const KEYS: &[&str] = &["exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];
    const TYPES: &[&str] = &["shareholding", "shareholding", "boardMember", "votingRights", "unknownInterest", ""];
    const DIRECT: &[&str] = &["direct", "indirect", "", "sideways"];
    /// Parties: e0..e2 entities, p0..p1 persons, x0 undeclared.
    const PARTIES: &[&str] = &["e0", "e1", "e2", "p0", "p1", "x0"];

    fn pick<'a>(v: &'a [&'a str]) -> impl Strategy<Value = &'a str> {
        (0..v.len()).prop_map(move |i| v[i])
    }

    type Interest = (&'static str, &'static str, Vec<(&'static str, &'static str)>);

    fn interest() -> impl Strategy<Value = Interest> {
        (pick(TYPES), pick(DIRECT), proptest::collection::vec((pick(KEYS), pick(SHARES)), 0..3))
    }

    type Relationship = (&'static str, &'static str, Vec<Interest>);

    fn relationship() -> impl Strategy<Value = Relationship> {
        (pick(PARTIES), pick(PARTIES), proptest::collection::vec(interest(), 0..3))
    }

    fn statements(rels: &[Relationship], old_layout: bool) -> String {
        let mut s = Vec::new();
        for e in ["e0", "e1", "e2"] {
            s.push(if old_layout {
                format!(r#"{{"statementID":"{e}","statementType":"entityStatement","statementDate":"2024-01-01","name":"{e}"}}"#)
            } else {
                format!(r#"{{"statementId":"{e}","recordId":"{e}","recordType":"entity","statementDate":"2024-01-01","recordDetails":{{"name":"{e}"}}}}"#)
            });
        }
        for p in ["p0", "p1"] {
            s.push(if old_layout {
                format!(r#"{{"statementID":"{p}","statementType":"personStatement","statementDate":"2024-01-01","names":[{{"fullName":"{p}"}}]}}"#)
            } else {
                format!(r#"{{"statementId":"{p}","recordId":"{p}","recordType":"person","statementDate":"2024-01-01","recordDetails":{{"names":[{{"fullName":"{p}"}}]}}}}"#)
            });
        }
        for (i, (subject, party, interests)) in rels.iter().enumerate() {
            let its: Vec<String> = interests
                .iter()
                .map(|(t, d, share)| {
                    let share: Vec<String> = share.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    let level = if old_layout { "interestLevel" } else { "directOrIndirect" };
                    format!(r#"{{"type":"{t}","{level}":"{d}","share":{{{}}}}}"#, share.join(","))
                })
                .collect();
            let kind = if party.starts_with('p') { "Person" } else { "Entity" };
            s.push(if old_layout {
                format!(
                    r#"{{"statementID":"r{i}","statementType":"ownershipOrControlStatement","statementDate":"2024-01-01","subject":{{"describedByEntityStatement":"{subject}"}},"interestedParty":{{"describedBy{kind}Statement":"{party}"}},"interests":[{}]}}"#,
                    its.join(",")
                )
            } else {
                format!(
                    r#"{{"statementId":"r{i}","recordId":"r{i}","recordType":"relationship","statementDate":"2024-01-01","recordDetails":{{"subject":"{subject}","interestedParty":"{party}","interests":[{}]}}}}"#,
                    its.join(",")
                )
            });
        }
        format!("[{}]", s.join(",\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn no_bods_command_panics_on_generated_hostile_statements(
            rels in proptest::collection::vec(relationship(), 0..8),
            old_layout in any::<bool>(),
        ) {
            let json = statements(&rels, old_layout);
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("bods.json");
            std::fs::write(&f, &json).unwrap();
            let out = dir.path().join("case");
            if let Ok(s) = import_bods(&f, &out, &ImportOptions::default()) {
                prop_assert!(s.reconciles(), "{s:?}");
                if let Ok(l) = load_case(&out, &LoadOptions::default()) {
                    prop_assert!(l.report.reconciles());
                    let m = OwnershipModel::build(&l.case);
                    let _ = m.solved();
                }
            }
            if let Ok(doc) = read_bods(&json) {
                let _ = check_indirect(&doc);
            }
        }
    }
}
