//! Import of FollowTheMoney entities and BODS statements as a case (issue 6): round trip through
//! `export --format ftm`, every record accounted for, and BODS ownership equal to what
//! `ownership::bods` computes from the same file.

use moneytrail::assets::valuation::OwnershipModel;
use moneytrail::export::ftm::write_ftm;
use moneytrail::generate::{generate, GenConfig};
use moneytrail::ingest::import::{bods::import_bods, ftm::import_ftm, ImportOptions};
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::{Case, EntityKind, NO_ACCOUNT};
use moneytrail::ownership::bods::{check_indirect, read_bods};
use moneytrail::ownership::effective::{
    effective_ownership, Oversubscribed, OwnershipInput, OwnershipParams, ShareGraph,
};
use moneytrail::ownership::{EntityKind as AKind, Holding, Role as ARole};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn load(dir: &Path) -> Case {
    let l = load_case(dir, &LoadOptions::default()).unwrap();
    assert!(l.report.reconciles());
    let rejected = l.report.rejected();
    assert_eq!(
        rejected,
        0,
        "the imported case loads without rejects: {:?}",
        l.report.rejects.iter().take(5).collect::<Vec<_>>()
    );
    l.case
}

type Rows = BTreeSet<Vec<String>>;

/// The case's content by external ids, independent of row order and provenance.
fn content(c: &Case) -> BTreeMap<&'static str, Rows> {
    let d = |x: Option<moneytrail::model::Date>| x.map(|d| d.to_string()).unwrap_or_default();
    let acc = |a: u32| if a == NO_ACCOUNT { String::new() } else { c.accounts.rows[a as usize].id.clone() };
    let mut m = BTreeMap::new();
    m.insert(
        "persons",
        c.persons
            .rows
            .iter()
            .map(|p| {
                vec![p.id.clone(), p.full_name.clone(), d(p.birth_date), p.national_id.clone().unwrap_or_default()]
            })
            .collect(),
    );
    m.insert(
        "companies",
        c.companies
            .rows
            .iter()
            .map(|x| vec![x.id.clone(), x.name.clone(), x.nuis.clone().unwrap_or_default(), d(x.incorporated_on)])
            .collect(),
    );
    m.insert(
        "accounts",
        c.accounts
            .rows
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.iban.clone().unwrap_or_default(),
                    a.holder.map(|h| c.entity_id(h).to_string()).unwrap_or_default(),
                    a.currency.to_string(),
                ]
            })
            .collect(),
    );
    let t = &c.transfers;
    m.insert(
        "transfers",
        (0..t.len())
            .map(|i| {
                vec![
                    t.txn_id.get(i).to_string(),
                    t.booked_at[i].to_string(),
                    acc(t.from[i]),
                    acc(t.to[i]),
                    t.amount(i).normalize().to_string(),
                    t.currency[i].to_string(),
                    t.channel[i].to_string(),
                    t.reference.get(i).to_string(),
                ]
            })
            .collect(),
    );
    m.insert(
        "titles",
        c.titles
            .rows
            .iter()
            .map(|x| {
                vec![
                    c.properties.rows[x.property as usize].id.clone(),
                    c.entity_id(x.owner).to_string(),
                    x.share.normalize().to_string(),
                    d(x.acquired_on),
                    d(x.disposed_on),
                ]
            })
            .collect(),
    );
    m.insert(
        "ownership",
        c.ownership
            .rows
            .iter()
            .map(|o| {
                vec![
                    c.companies.rows[o.company as usize].id.clone(),
                    c.entity_id(o.holder).to_string(),
                    o.role.to_string(),
                    o.share.map(|s| s.normalize().to_string()).unwrap_or_default(),
                    d(o.from),
                    d(o.to),
                ]
            })
            .collect(),
    );
    m.insert(
        "relations",
        c.relations
            .rows
            .iter()
            .map(|r| {
                vec![
                    c.persons.rows[r.person as usize].id.clone(),
                    c.entity_id(r.related).to_string(),
                    r.kind.to_string(),
                ]
            })
            .collect(),
    );
    m.insert(
        "properties",
        c.properties
            .rows
            .iter()
            .map(|p| {
                vec![p.id.clone(), p.cadastral_code.clone().unwrap_or_default(), p.kind.clone().unwrap_or_default()]
            })
            .collect(),
    );
    m
}

#[test]
fn ftm_round_trip_keeps_the_case() {
    let tmp = tempfile::tempdir().unwrap();
    let gen = tmp.path().join("gen");
    generate(&GenConfig { seed: 11, transfers: 3_000, ..Default::default() }, &gen).unwrap();
    let original = load(&gen);
    let ftm = tmp.path().join("case.ftm.jsonl");
    write_ftm(&original, std::fs::File::create(&ftm).unwrap()).unwrap();
    let out = tmp.path().join("imported");
    let opts = ImportOptions { fx_rates: Some(gen.join("fx_rates.csv")), ..Default::default() };
    let s = import_ftm(&ftm, &out, &opts).unwrap();
    assert!(s.reconciles(), "{s:?}");
    let lines = std::fs::read_to_string(&ftm).unwrap().lines().count();
    assert_eq!(s.read, lines);
    // Only the provenance Documents are listed; account holdings are merged.
    assert!(s.report.iter().filter(|l| l.outcome == "listed").all(|l| l.kind == "Document"), "{:?}", s.report);
    assert_eq!(s.merged, original.accounts.rows.iter().filter(|a| a.holder.is_some()).count());
    let imported = load(&out);
    let (a, b) = (content(&original), content(&imported));
    for (table, rows) in &a {
        assert!(!rows.is_empty() || *table == "relations", "generated case has {table}");
        assert_eq!(rows, &b[table], "{table} survives the round trip");
    }
    // Findings that rest on transfers and the company register come back with the same ids.
    // (Income, title prices and payment links, encumbrances and branch cities are not in the FtM
    // export, so disproportion, property_after_inflow, undervalued_purchase and the cash-branch
    // typologies do not survive it: docs/evidence.md.)
    let kept = [
        "fan_in",
        "fan_out",
        "cycle",
        "gather_scatter",
        "scatter_gather",
        "layering_chain",
        "round_tripping",
        "shell_company",
        "nominee_director",
        "circular_ownership",
    ];
    let ids = |c: &Case| -> BTreeSet<String> {
        let g = moneytrail::graph::CaseGraph::build(c);
        let f = moneytrail::patterns::run(c, &g, &moneytrail::patterns::RunOptions::default()).unwrap();
        f.into_iter().filter(|f| kept.contains(&f.typology)).map(|f| f.id).collect()
    };
    let before = ids(&original);
    assert!(before.len() >= 5, "{before:?}");
    assert_eq!(before, ids(&imported), "transfer and register findings survive the round trip");
    // Provenance: every row names its FtM record, and case.toml holds the file's SHA-256.
    for (i, p) in imported.persons.rows.iter().enumerate() {
        assert_eq!(imported.persons.extras.get("source_id", i), Some(format!("mt-person-{}", p.id).as_str()));
    }
    let line = imported.transfers.extras.get("source_line", 0).unwrap();
    assert!(line.parse::<usize>().unwrap() > 1);
    let toml = std::fs::read_to_string(out.join("case.toml")).unwrap();
    let (sha, _) = moneytrail::ingest::hash_file(&ftm).unwrap();
    assert!(toml.contains(&sha), "case.toml keeps the source hash");
}

#[test]
fn ftm_multi_values_fragments_and_strangers_are_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("x.jsonl");
    let lines = [
        r#"{"id":"p1","schema":"Person","properties":{"name":["Arben Hoxha","A. Hoxha"],"birthDate":["1980"]}}"#,
        r#"{"id":"p1","schema":"Person","properties":{"idNumber":["J12345678A"]}}"#,
        r#"{"id":"c1","schema":"Company","properties":{"name":["=HYPERLINK(\"x\")"]}}"#,
        r#"{"id":"a1","schema":"BankAccount","properties":{"iban":["AL47212110090000000235698741"],"currency":["all"]}}"#,
        r#"{"id":"a2","schema":"BankAccount","properties":{"accountNumber":["2"]}}"#,
        r#"{"id":"o1","schema":"Ownership","properties":{"owner":["p1"],"asset":["c1"],"percentage":["60%"]}}"#,
        r#"{"id":"o2","schema":"Ownership","properties":{"owner":["p1"],"asset":["a1"]}}"#,
        r#"{"id":"pay1","schema":"Payment","properties":{"payerAccount":["a1"],"beneficiaryAccount":["a2"],"amount":["100"],"currency":["ALL"],"date":["2024-01-02T10:00:00"],"beneficiary":["c1"]}}"#,
        r#"{"id":"pay2","schema":"Payment","properties":{"payerAccount":["a1"],"beneficiaryAccount":["a2"],"amount":["100","200"],"date":["2024-01-03"]}}"#,
        r#"{"id":"v1","schema":"Vehicle","properties":{"name":["Audi"]}}"#,
        "not json",
        r#"{"id":"f1","schema":"Family","properties":{"person":["p1"],"relative":["p1"],"relationship":["godfather"]}}"#,
    ];
    std::fs::write(&f, lines.join("\n")).unwrap();
    let out = tmp.path().join("case");
    let s = import_ftm(&f, &out, &ImportOptions::default()).unwrap();
    assert!(s.reconciles(), "{s:?}");
    assert_eq!(s.read, 12);
    let why = |line: usize| s.report.iter().find(|l| l.position == line).map(|l| l.reason.clone()).unwrap_or_default();
    assert!(why(2).contains("merged"), "fragment merged");
    assert!(why(9).contains("2 values for amount"), "{}", why(9));
    assert!(why(10).contains("Vehicle"));
    assert!(why(11).contains("not a JSON object"));
    assert!(why(12).contains("godfather"));
    let case = load(&out);
    assert_eq!(case.persons.rows[0].national_id.as_deref(), Some("J12345678A"));
    assert_eq!(case.persons.extras.get("ftm_name", 0), Some("Arben Hoxha;A. Hoxha"));
    assert_eq!(case.persons.extras.get("ftm_birthDate", 0), Some("1980"), "partial dates kept aside");
    assert_eq!(case.ownership.rows[0].share, Some(Decimal::new(6, 1)));
    assert_eq!(
        case.accounts.rows[1].holder.map(|h| case.entity_id(h).to_string()).as_deref(),
        Some("c1"),
        "holder from payment"
    );
    assert_eq!(case.transfers.len(), 1);
    let csv = std::fs::read_to_string(out.join("import_report.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + s.report.len());
}

fn examples() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/external/bods-examples");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("SKIP: {} is absent (BODS examples from the shared datasets)", d.display());
        None
    }
}

/// Effective shares at the lower bound straight from `ownership::bods::read_bods`, by record id.
fn direct_bods(doc: &moneytrail::ownership::bods::BodsDocument) -> BTreeMap<(String, String), Decimal> {
    let mut ids: Vec<String> = Vec::new();
    let mut kinds = Vec::new();
    let mut id = |r: &str, kinds: &mut Vec<AKind>| -> u32 {
        if let Some(i) = ids.iter().position(|x| x == r) {
            return i as u32;
        }
        let k = doc.parties.iter().find(|p| p.record_id == r).map(|p| p.kind).unwrap_or(AKind::Person);
        ids.push(r.to_string());
        kinds.push(k);
        (ids.len() - 1) as u32
    };
    let mut holdings = Vec::new();
    for (row, i) in doc.interests.iter().enumerate() {
        if i.kind != "shareholding" || i.directness != "direct" || i.party.is_empty() {
            continue;
        }
        let c = id(&i.subject, &mut kinds);
        let h = id(&i.party, &mut kinds);
        holdings.push(Holding {
            company: c,
            holder: h,
            role: ARole::Shareholder,
            share: Some(i.min.unwrap_or_default()),
            from: None,
            to: None,
            row: row as u32,
        });
    }
    let params = OwnershipParams { oversubscribed: Oversubscribed::Scale, ..OwnershipParams::default() };
    let g = ShareGraph::build(OwnershipInput { kinds: &kinds, holdings: &holdings, nominees: &[] }, &params).unwrap();
    let own = effective_ownership(&g).unwrap();
    let mut m = BTreeMap::new();
    for (p, pid) in ids.iter().enumerate() {
        for (c, cid) in ids.iter().enumerate() {
            let s = own.share(p as u32, c as u32);
            if p != c && !s.is_zero() && kinds[c] == AKind::Company {
                m.insert((pid.clone(), cid.clone()), s.normalize());
            }
        }
    }
    m
}

fn case_shares(case: &Case) -> BTreeMap<(String, String), Decimal> {
    let m = OwnershipModel::build(case);
    let (_, own) = m.solved().unwrap();
    let mut out = BTreeMap::new();
    let ents: Vec<_> = (0..case.persons.len() as u32)
        .map(|i| moneytrail::model::EntityRef { kind: EntityKind::Person, idx: i })
        .chain(
            (0..case.companies.len() as u32)
                .map(|i| moneytrail::model::EntityRef { kind: EntityKind::Company, idx: i }),
        )
        .collect();
    for &p in &ents {
        for c in ents.iter().filter(|e| e.kind == EntityKind::Company) {
            let s = own.share(m.dense_id(p), m.dense_id(*c));
            if p != *c && !s.is_zero() {
                out.insert((case.entity_id(p).to_string(), case.entity_id(*c).to_string()), s.normalize());
            }
        }
    }
    out
}

#[test]
fn every_bods_example_imports_and_ownership_matches_assets_bods() {
    let Some(dir) = examples() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 19);
    let tmp = tempfile::tempdir().unwrap();
    let mut with_shares = 0;
    for f in &files {
        let out = tmp.path().join(f.file_stem().unwrap());
        let s = import_bods(f, &out, &ImportOptions::default()).unwrap();
        assert!(s.reconciles(), "{}: {s:?}", f.display());
        let statements = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(f).unwrap())
            .unwrap()
            .as_array()
            .unwrap()
            .len();
        assert_eq!(s.read, statements);
        let case = load(&out);
        let doc = read_bods(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(case.persons.len() + case.companies.len(), doc.parties.len(), "{}: parties", f.display());
        let (direct, imported) = (direct_bods(&doc), case_shares(&case));
        assert_eq!(direct, imported, "{}: effective ownership (lower bounds)", f.display());
        with_shares += usize::from(!direct.is_empty());
        // Declared indirect interests: the imported case gives check_indirect's lower bound.
        for chk in check_indirect(&doc).unwrap() {
            let eff = imported.get(&(chk.party.clone(), chk.subject.clone())).copied().unwrap_or_default();
            let direct_part: Decimal = case
                .ownership
                .rows
                .iter()
                .filter(|o| {
                    case.entity_id(o.holder) == chk.party
                        && case.companies.rows[o.company as usize].id == chk.subject
                        && o.role.holds_shares()
                })
                .map(|o| o.share.unwrap_or_default())
                .sum();
            assert_eq!((eff - direct_part).normalize(), chk.computed.0.normalize(), "{}: {chk:?}", f.display());
        }
        // Provenance on every ownership row.
        for i in 0..case.ownership.len() {
            assert_eq!(case.ownership.extras.get("source_file", i), f.file_name().and_then(|n| n.to_str()));
            assert!(!case.ownership.extras.get("source_id", i).unwrap_or("").is_empty());
        }
    }
    // The engine reports shares of ultimate holders; 8 of the 19 examples have one with a known lower bound.
    assert!(with_shares >= 8, "examples with effective shares: {with_shares}");
    // The whole folder as one case.
    let t = std::time::Instant::now();
    let s = import_bods(&dir, &tmp.path().join("all"), &ImportOptions::default()).unwrap();
    eprintln!("19 BODS examples: {} statements imported in {:.3} s", s.read, t.elapsed().as_secs_f64());
    assert!(s.reconciles());
    assert_eq!(s.sources.len(), 19);
    load(&tmp.path().join("all"));
}

#[test]
fn bods_ranges_and_old_versions() {
    let tmp = tempfile::tempdir().unwrap();
    // BODS 0.3 layout: statementID, statementType, describedBy..., interestLevel, hyphenated types.
    let v03 = r#"[
 {"statementID":"e1","statementType":"entityStatement","statementDate":"2020-01-01","entityType":"registeredEntity","name":"Shkodra Invest shpk","foundingDate":"2015-03-04"},
 {"statementID":"p1","statementType":"personStatement","statementDate":"2020-01-01","names":[{"fullName":"Ilir Hoxha"}],"birthDate":"1975-06"},
 {"statementID":"r1","statementType":"ownershipOrControlStatement","statementDate":"2020-01-01","subject":{"describedByEntityStatement":"e1"},"interestedParty":{"describedByPersonStatement":"p1"},
  "interests":[{"type":"shareholding","interestLevel":"direct","share":{"exclusiveMinimum":25,"maximum":50}},{"type":"voting-rights","share":{"exact":40}},{"type":"senior-managing-official"}]},
 {"statementID":"r2","statementType":"ownershipOrControlStatement","statementDate":"2021-01-01","replacesStatements":["r1"],"subject":{"describedByEntityStatement":"e1"},"interestedParty":{"describedByPersonStatement":"p1"},
  "interests":[{"type":"shareholding","interestLevel":"direct","share":{"maximum":30}}]}
]"#;
    let f = tmp.path().join("v03.json");
    std::fs::write(&f, v03).unwrap();
    let out = tmp.path().join("case");
    let s = import_bods(&f, &out, &ImportOptions::default()).unwrap();
    assert!(s.reconciles(), "{s:?}");
    assert_eq!((s.read, s.written, s.listed), (4, 3, 1), "r1 is replaced by r2");
    let case = load(&out);
    assert_eq!(case.ownership.len(), 1);
    assert_eq!(case.ownership.rows[0].share, Some(Decimal::ZERO), "no lower bound published: 0");
    assert_eq!(case.ownership.extras.get("share_upper", 0), Some("0.3"));
    assert_eq!(case.ownership.extras.get("share_basis", 0), Some("no lower bound published: 0"));
    assert_eq!(case.persons.extras.get("bods_birth_date", 0), Some("1975-06"));
    assert_eq!(case.meta.valuation_date.to_string(), "2021-01-01");
    // The replaced r1's range interest, read alone: exclusiveMinimum is the lower bound.
    let v = serde_json::from_str::<serde_json::Value>(v03).unwrap();
    let only_r1 = serde_json::to_string(&v.as_array().unwrap()[..3]).unwrap();
    std::fs::write(&f, only_r1).unwrap();
    let s = import_bods(&f, &out, &ImportOptions::default()).unwrap();
    assert_eq!(
        (s.parts_read, s.parts_written, s.parts_listed),
        (3, 2, 1),
        "voting rights listed; shareholding and administrator written"
    );
    let case = load(&out);
    let sh = case.ownership.rows.iter().position(|o| o.role.holds_shares()).unwrap();
    assert_eq!(case.ownership.rows[sh].share, Some(Decimal::new(25, 2)));
    assert_eq!(case.ownership.extras.get("share_basis", sh), Some("exclusiveMinimum"));
    assert!(case.ownership.rows.iter().any(|o| o.role.as_str() == "administrator"));
}

#[test]
fn import_commands_exit_codes_and_reimport() {
    let Some(dir) = examples() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_moneytrail");
    let out = tmp.path().join("case");
    let run = |args: &[&std::ffi::OsStr]| std::process::Command::new(bin).args(args).output().unwrap();
    let o = run(&["import-bods".as_ref(), dir.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(1), "records listed: exit 1\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("records: 119 read"));
    // An analyst adds suspects; a clean FtM import into the same folder replaces the BODS rows
    // (with --force: without it a folder with files in it is refused).
    std::fs::write(out.join("suspects.csv"), "entity_id,basis\nP1,referral\n").unwrap();
    let f = tmp.path().join("x.jsonl");
    std::fs::write(
        &f,
        r#"{"id":"P1","schema":"Person","properties":{"name":["Drita Leka"],"birthDate":["1990-02-03"]}}"#,
    )
    .unwrap();
    let o = run(&[
        "import-ftm".as_ref(),
        f.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--valuation-date".as_ref(),
        "2025-12-31".as_ref(),
        "--force".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let case = load(&out);
    assert_eq!((case.persons.len(), case.companies.len(), case.ownership.len(), case.suspects.len()), (1, 0, 0, 1));
    let o = run(&["ingest".as_ref(), out.as_os_str(), "--out".as_ref(), tmp.path().join("ing").as_os_str()]);
    assert_eq!(o.status.code(), Some(0));
}
