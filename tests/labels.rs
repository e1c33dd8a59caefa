//! Extra labelled tables (`[[labels.nodes]]`, `[[labels.edges]]` in case.toml): ingest with
//! provenance, rejects and reconciliation through the common CSV reader, and queries reaching
//! them by label and type, including edges between case nodes and labelled nodes.

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::query::{self, format::Format, Budget, Value};
use std::collections::HashMap;
use std::path::Path;

/// The mini fixture plus phones (Windows-1250, `;`-separated), e-mails and their links.
fn case_with_labels(extra_toml: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
    }
    let mut toml = std::fs::read_to_string(src.join("case.toml")).unwrap();
    toml.push_str(
        r#"
[[labels.nodes]]
label = "Phone"
file = "ids/phones.csv"
id = "number"
read = { delimiter = ";", encoding = "windows-1250" }
types = { first_seen = "date", prepaid = "bool" }

[[labels.nodes]]
label = "Email"
file = "ids/emails.csv"
id = { column = "address", prefix = "mailto:" }

[[labels.edges]]
type = "USES"
file = "ids/person_phones.csv"
from = { label = "Person", column = "person_id" }
to = { label = "Phone", column = "phone" }
types = { since = "date" }

[[labels.edges]]
type = "USES"
file = "ids/account_emails.csv"
from = { label = "Account", column = "account" }
to = { label = "Email", column = "email", prefix = "mailto:" }
"#,
    );
    toml.push_str(extra_toml);
    std::fs::write(tmp.path().join("case.toml"), toml).unwrap();
    std::fs::create_dir_all(tmp.path().join("ids")).unwrap();
    // "Përdorues" in Windows-1250: ë is 0xEB.
    let mut phones = b"number;first_seen;prepaid;note\n".to_vec();
    phones.extend_from_slice(b"+355690000001;2023-01-05;yes;P\xebrdorues i p\xebrbashk\xebt\n");
    phones.extend_from_slice(b"+355690000002;2023-02-30;no;bad date\n");
    phones.extend_from_slice(b"+355690000003;;no;\n");
    phones.extend_from_slice(b"+355690000001;2023-03-01;no;duplicate\n");
    std::fs::write(tmp.path().join("ids/phones.csv"), phones).unwrap();
    std::fs::write(
        tmp.path().join("ids/emails.csv"),
        "address,provider\nshared@example.com,example\nsolo@example.com,example\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("ids/person_phones.csv"),
        "person_id,phone,since,source\nP1,+355690000001,2023-01-05,statement\nP2,+355690000001,2023-02-01,seized phone\nP3,+355690000003,,\nP9,+355690000001,,unknown person\nP1,+355699999999,,unknown phone\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("ids/account_emails.csv"),
        "account,email\nA1,shared@example.com\nA3,shared@example.com\nA2,solo@example.com\n",
    )
    .unwrap();
    tmp
}

fn run(dir: &Path, text: &str) -> String {
    let loaded = load_case(dir, &LoadOptions::default()).unwrap();
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    let params: HashMap<String, Value> = HashMap::new();
    let q = query::prepare(text, case, &params).unwrap_or_else(|e| panic!("{}", e.render(text)));
    let r = query::execute(&q, case, &graph, params, &Budget::default()).unwrap();
    let mut buf = Vec::new();
    query::format::write(case, &r, Format::Csv, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn labelled_tables_load_with_provenance_rejects_and_reconciliation() {
    let dir = case_with_labels("");
    let loaded = load_case(dir.path(), &LoadOptions::default()).unwrap();
    let r = &loaded.report;
    assert!(r.reconciles());
    let count = |t: &str| r.tables.iter().find(|c| c.table == t).unwrap_or_else(|| panic!("no table {t}")).clone();
    let phones = count("Phone");
    assert_eq!((phones.read, phones.loaded, phones.rejected), (4, 2, 2));
    let uses = count("USES (Person->Phone)");
    assert_eq!((uses.read, uses.loaded, uses.rejected), (5, 3, 2));
    assert_eq!(count("USES (Account->Email)").loaded, 3);
    let reasons: Vec<String> =
        r.rejects.iter().map(|i| format!("{}|{}|{}|{}|{}", i.table, i.file, i.line, i.column, i.reason)).collect();
    let has = |s: &str| reasons.iter().any(|r| r.contains(s));
    assert!(has("Phone|ids/phones.csv|3|first_seen|not a valid date"), "{reasons:#?}");
    assert!(has("Phone|ids/phones.csv|5|id|duplicate Phone id (first at line 2"), "{reasons:#?}");
    assert!(has("USES (Person->Phone)|ids/person_phones.csv|5|person_id|unknown Person id 'P9'"), "{reasons:#?}");
    assert!(has("USES (Person->Phone)|ids/person_phones.csv|6|phone|unknown Phone id '+355699999999'"), "{reasons:#?}");
    // Provenance, decoding and extra columns.
    let case = &loaded.case;
    let t = &case.labelled.nodes[case.labelled.node_table("Phone").unwrap()];
    assert_eq!(t.prov[0].line, 2);
    assert_eq!(case.files[t.prov[0].file as usize].path, "ids/phones.csv");
    assert_eq!(case.files[t.prov[0].file as usize].table, "Phone");
    assert_eq!(t.extras.get("note", 0), Some("Përdorues i përbashkët"));
}

#[test]
fn queries_reach_labelled_nodes_and_edges_by_label_type_and_property() {
    let dir = case_with_labels("");
    // Persons sharing a phone: built-in node, labelled edge, labelled node.
    let got = run(
        dir.path(),
        "MATCH (a:Person)-[u:USES]->(ph:Phone)<-[v:USES]-(b:Person) WHERE a.id < b.id
         RETURN a.id AS a, b.id AS b, ph.id AS phone, ph.prepaid AS prepaid, ph.first_seen AS seen,
                ph.note AS note, v.since AS since, v.source AS source, type(u) AS t, labels(ph) AS l, id(u) AS rel",
    );
    assert_eq!(
        got,
        "a,b,phone,prepaid,seen,note,since,source,t,l,rel\nP1,P2,+355690000001,true,2023-01-05,Përdorues i përbashkët,2023-02-01,seized phone,USES,[Phone],USES@ids/person_phones.csv:2\n"
    );
    // Accounts sharing an e-mail, and a typed comparison.
    let got = run(
        dir.path(),
        "MATCH (a:Account)-[:USES]->(e:Email)<-[:USES]-(b:Account) WHERE a.id < b.id RETURN a.id, b.id, e.id, e.provider",
    );
    assert_eq!(got, "a.id,b.id,e.id,e.provider\nA1,A3,mailto:shared@example.com,example\n");
    let got = run(dir.path(), "MATCH (p:Phone) WHERE p.first_seen >= date('2023-01-01') RETURN p.id");
    assert_eq!(got, "p.id\n+355690000001\n");
    // Variable length over a labelled type, and an id lookup on a labelled label.
    let got = run(
        dir.path(),
        "MATCH (x:Phone {id: '+355690000001'})<-[:USES]-(p:Person)-[:HOLDS]->(a:Account) RETURN p.id, a.id ORDER BY p.id",
    );
    assert_eq!(got, "p.id,a.id\nP1,A1\nP2,A2\n");
    let got = run(dir.path(), "MATCH (a:Person {id: 'P1'})-[:USES*2..2]-(b:Person) RETURN b.id");
    assert_eq!(got, "b.id\nP2\n");
}

#[test]
fn explain_and_errors_name_labelled_tables() {
    let dir = case_with_labels("");
    let loaded = load_case(dir.path(), &LoadOptions::default()).unwrap();
    let case = &loaded.case;
    let params = HashMap::new();
    let q = query::prepare("MATCH (p:Person)-[:USES]->(ph:Phone) RETURN p.id, ph.id", case, &params).unwrap();
    let plan = q.plan.to_string();
    assert!(plan.contains("NodeScan: (ph:Phone) [labelled table]") || plan.contains(":USES]->(ph:Phone)"), "{plan}");
    assert!(plan.contains("[labelled table]"), "{plan}");
    let e = query::prepare("MATCH (p:Phon) RETURN p", case, &params).unwrap_err().to_string();
    assert!(e.contains("unknown label 'Phon'") && e.contains("Phone") && e.contains("Email"), "{e}");
    let e = query::prepare("MATCH (p:Phone) RETURN p.colour", case, &params).unwrap_err().to_string();
    assert!(e.contains("Phone has no property 'colour'") && e.contains("first_seen"), "{e}");
}

#[test]
fn bad_declarations_stop_the_load_with_a_clear_message() {
    for (extra, want) in [
        (
            "[[labels.edges]]\ntype = \"OWNS_PHONE\"\nfile = \"ids/person_phones.csv\"\nfrom = { label = \"Person\", column = \"person_id\" }\nto = { label = \"Fone\", column = \"phone\" }\n",
            "endpoint label 'Fone'",
        ),
        (
            "[[labels.nodes]]\nlabel = \"Account\"\nfile = \"ids/emails.csv\"\nid = \"address\"\n",
            "is built in",
        ),
        (
            "[[labels.nodes]]\nlabel = \"Device\"\nfile = \"ids/emails.csv\"\nid = \"address\"\ntypes = { provider = \"money\" }\n",
            "not one of decimal",
        ),
        ("[[labels.nodes]]\nlabel = \"Device\"\nfile = \"ids/emails.csv\"\nid = \"imei\"\n", "column 'imei'"),
    ] {
        let dir = case_with_labels(extra);
        let e = load_case(dir.path(), &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}
