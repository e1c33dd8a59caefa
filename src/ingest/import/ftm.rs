//! FollowTheMoney entities (JSON lines, as Aleph and `moneytrail export --format ftm` write them)
//! imported as a case folder. See docs/data-model.md, "Import".
//!
//! Mapping (schema -> table):
//! * Person -> persons; Company, Organization, LegalEntity, PublicBody -> companies (they share
//!   one id space); BankAccount -> accounts; RealEstate -> properties.
//! * Ownership: asset RealEstate -> property_titles (`percentage`/100 as share, empty means
//!   1), asset Company-like -> company_ownership (role `nominee_shareholder` when the FtM role
//!   says nominee, else `shareholder`), asset BankAccount -> the account's `holder_id` (merged).
//! * Directorship -> company_ownership (`nominee_director`, `administrator` or `director` from
//!   the role text). Payment -> transfers (`transactionNumber` = txn_id, `programme` = channel
//!   when it is one, else wire / cash_deposit / cash_withdrawal from which accounts are given).
//!   Family -> relations (relationship text mapped to spouse/child/parent/sibling/cohabitant);
//!   Associate -> relations `associate`. Everything else is listed.
//! * Ids: moneytrail's own export prefixes (`mt-person-`, `mt-company-`, `mt-account-`,
//!   `mt-property-`, `mt-payment-`) are stripped so a round trip keeps the case's ids; other ids
//!   are kept as they are. The FtM id is in `source_id`, the line in `source_line`.
//!
//! Multi-valued properties (every FtM value is a list): a property that decides where a row
//! points or how much it is worth (owner, asset, director, organization, payer/beneficiary
//! account, amount, currency, date, percentage, person, relative) must have one distinct value,
//! else the record is listed as ambiguous; a descriptive property (name, address, idNumber, ...)
//! takes its first value and, when there are more, keeps all of them `;`-joined in the extra
//! column `ftm_<property>`. Fragments with the same id and schema are merged (values appended,
//! as Aleph does); the later fragment is reported as `merged`.

use super::{
    display_name, full_date, sha256_of, CaseHeader, ImportError, ImportOptions, ImportSummary, Listed, SourceInfo,
    TableOut,
};
use crate::model::Channel;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

/// One parsed entity (after merging fragments).
struct Ent {
    line: usize,
    id: String,
    schema: String,
    props: BTreeMap<String, Vec<String>>,
}

impl Ent {
    fn all(&self, p: &str) -> &[String] {
        self.props.get(p).map(Vec::as_slice).unwrap_or(&[])
    }
    fn first(&self, p: &str) -> String {
        self.all(p).first().cloned().unwrap_or_default()
    }
    /// The single distinct value of a deciding property; Err(values) when several differ.
    fn one(&self, p: &str) -> Result<String, String> {
        let v: BTreeSet<&String> = self.all(p).iter().collect();
        match v.len() {
            0 => Ok(String::new()),
            1 => Ok(v.into_iter().next().cloned().unwrap_or_default()),
            _ => Err(format!("{} values for {p} ({}); the case row holds one", v.len(), self.all(p).join(" | "))),
        }
    }
}

fn values(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(values).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => vec![],
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(|s| vec![s.to_string()]).unwrap_or_default(),
        other => vec![other.to_string()],
    }
}

const COMPANY_SCHEMATA: &[&str] = &["Company", "Organization", "LegalEntity", "PublicBody"];

fn strip<'a>(id: &'a str, prefix: &str) -> &'a str {
    id.strip_prefix(prefix).filter(|s| !s.is_empty()).unwrap_or(id)
}

/// Percent text (`50`, `50%`, `50.0`) as a fraction; `None` when it does not parse.
fn fraction(p: &str) -> Option<rust_decimal::Decimal> {
    let d: rust_decimal::Decimal = p.trim().trim_end_matches('%').trim().parse().ok()?;
    Some((d / rust_decimal::Decimal::ONE_HUNDRED).normalize())
}

fn relation_kind(text: &str) -> Option<&'static str> {
    let t = text.trim().to_lowercase();
    Some(match t.as_str() {
        "spouse" | "wife" | "husband" | "married" | "partner (married)" => "spouse",
        "child" | "son" | "daughter" => "child",
        "parent" | "mother" | "father" => "parent",
        "sibling" | "brother" | "sister" => "sibling",
        "cohabitant" | "partner" | "domestic partner" => "cohabitant",
        "associate" => "associate",
        _ => return None,
    })
}

/// Imports an FtM JSON-lines file as a case folder in `out`.
///
/// # Errors
/// [`ImportError`] when the file cannot be read, the case cannot be written, or no valuation
/// date can be found (pass one). Bad records are listed, not errors.
///
/// # Complexity
/// O(records · properties) plus O(n log n) for the id maps.
pub fn import_ftm(file: &Path, out: &Path, opts: &ImportOptions) -> Result<ImportSummary, ImportError> {
    let fname = display_name(file);
    let (sha256, size) = sha256_of(file)?;
    let f = std::fs::File::open(file).map_err(|source| ImportError::Io {
        path: file.to_path_buf(),
        what: "open",
        source,
    })?;
    let mut s = ImportSummary::default();
    let ents = parse(f, file, &fname, &mut s)?;
    s.sources.push(SourceInfo { path: fname.clone(), sha256, size, records: s.read });

    let mut case = CaseOut::new();
    // Pass 1: nodes, so that pass 2 can resolve the links between them whatever the line order.
    for e in &ents {
        if case.node(e, &fname, &mut s) {
            s.written += 1;
        }
    }
    // Pass 2: links.
    for e in ents.iter().filter(|e| !is_node_schema(&e.schema)) {
        match case.link(e) {
            Ok(()) => s.written += 1,
            Err(r) if r.starts_with("merged: ") => {
                s.list(listed(&fname, e.line, &e.id, &e.schema, "merged", r.trim_start_matches("merged: ").to_string()))
            }
            Err(r) => s.list(listed(&fname, e.line, &e.id, &e.schema, "listed", r)),
        }
    }
    case.derive_holders(&mut s);
    let valuation_date = valuation_date(&ents, case.dates, opts, file)?;
    let base_currency = base_currency(&case.transfers, opts, &mut s);
    let header = CaseHeader {
        name: opts.name.clone().unwrap_or_else(|| format!("Import of {fname}")),
        base_currency,
        valuation_date,
        format: "ftm",
    };
    let tables = [
        &case.persons,
        &case.companies,
        &case.accounts,
        &case.transfers,
        &case.properties,
        &case.titles,
        &case.ownership,
        &case.relations,
    ];
    super::write_case(out, &header, &tables, opts, &mut s)?;
    Ok(s)
}

/// A report line about the record on `line` of `file`.
fn listed(file: &str, line: usize, id: &str, kind: &str, outcome: &'static str, reason: String) -> Listed {
    Listed {
        file: file.to_string(),
        position: line,
        record_id: id.to_string(),
        kind: kind.to_string(),
        part: String::new(),
        outcome,
        reason,
    }
}

/// Reads the JSON lines into entities, merging fragments with one id and schema; lines that are
/// not entities, and fragments whose id another schema holds, are listed.
fn parse(f: std::fs::File, file: &Path, fname: &str, s: &mut ImportSummary) -> Result<Vec<Ent>, ImportError> {
    let mut ents: Vec<Ent> = Vec::new();
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line_no = n + 1;
        let text = line.map_err(|source| ImportError::Io { path: file.to_path_buf(), what: "read", source })?;
        if text.trim().is_empty() {
            continue;
        }
        s.read += 1;
        let v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                s.list(listed(fname, line_no, "", "", "listed", format!("not a JSON object: {e}")));
                continue;
            }
        };
        let id = v.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let schema = v.get("schema").and_then(Value::as_str).unwrap_or("").to_string();
        let Some(props) = v.get("properties").and_then(Value::as_object) else {
            s.list(listed(fname, line_no, &id, &schema, "listed", "no `properties` object".into()));
            continue;
        };
        if id.is_empty() || schema.is_empty() {
            s.list(listed(fname, line_no, &id, &schema, "listed", "an entity needs `id` and `schema`".into()));
            continue;
        }
        let props: BTreeMap<String, Vec<String>> =
            props.iter().map(|(k, v)| (k.clone(), values(v))).filter(|(_, v)| !v.is_empty()).collect();
        if let Some(&i) = by_id.get(&id) {
            if ents[i].schema == schema {
                for (k, vs) in props {
                    let e = ents[i].props.entry(k).or_default();
                    for v in vs {
                        if !e.contains(&v) {
                            e.push(v);
                        }
                    }
                }
                let reason = format!("fragment of {id} merged into the entity of line {}", ents[i].line);
                s.list(listed(fname, line_no, &id, &schema, "merged", reason));
            } else {
                let reason = format!("id already used by a {} on line {}", ents[i].schema, ents[i].line);
                s.list(listed(fname, line_no, &id, &schema, "listed", reason));
            }
            continue;
        }
        by_id.insert(id.clone(), ents.len());
        ents.push(Ent { line: line_no, id, schema, props });
    }
    Ok(ents)
}

/// Schemata that become rows of their own (pass 1); the others link them (pass 2) or are listed.
fn is_node_schema(schema: &str) -> bool {
    matches!(schema, "Document" | "Person" | "BankAccount" | "RealEstate") || COMPANY_SCHEMATA.contains(&schema)
}

/// The case id for FtM id `id`: without moneytrail's export `prefix`, unless another record of
/// the id space already took that short id.
fn pick(used: &mut BTreeSet<String>, id: &str, prefix: &str) -> String {
    let short = strip(id, prefix);
    let chosen = if used.contains(short) { id } else { short };
    used.insert(chosen.to_string());
    chosen.to_string()
}

/// One case row being built from an entity: contract cells, then `ftm_*` extra columns.
#[derive(Default)]
struct Row {
    cells: Vec<(&'static str, String)>,
    extra: Vec<(String, String)>,
}

impl Row {
    fn cell(&mut self, col: &'static str, v: String) {
        self.cells.push((col, v));
    }

    fn extra(&mut self, col: String, v: String) {
        self.extra.push((col, v));
    }

    /// A descriptive property: first value in the contract column, all values in ftm_<prop>.
    fn desc(&mut self, e: &Ent, prop: &str, col: &'static str) {
        let all = e.all(prop);
        self.cells.push((col, all.first().cloned().unwrap_or_default()));
        if all.len() > 1 {
            self.extra.push((format!("ftm_{prop}"), all.join(";")));
        }
    }

    /// A date property: in the contract column when it is a full date, else kept in ftm_<prop>.
    fn date(&mut self, e: &Ent, prop: &str, col: &'static str) {
        let v = e.first(prop);
        match full_date(&v) {
            Some(d) => self.cells.push((col, d)),
            None if !v.is_empty() => self.extra.push((format!("ftm_{prop}"), v)),
            None => {}
        }
    }

    /// Properties without a contract column, each kept `;`-joined in ftm_<prop> when present.
    fn keep(&mut self, e: &Ent, props: &[&str]) {
        for p in props {
            if !e.all(p).is_empty() {
                self.extra.push((format!("ftm_{p}"), e.all(p).join(";")));
            }
        }
    }

    /// Appends the row, with the entity's provenance, to `t`.
    fn finish(mut self, t: &mut TableOut, e: &Ent) {
        self.cells.push(("source_id", e.id.clone()));
        self.cells.push(("source_line", e.line.to_string()));
        let mut row: Vec<(&str, String)> = self.cells.iter().map(|(k, v)| (*k, v.clone())).collect();
        row.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        t.push(row);
    }
}

/// The case tables being written, with the FtM id -> case id maps that link records to them.
struct CaseOut {
    persons: TableOut,
    companies: TableOut,
    accounts: TableOut,
    properties: TableOut,
    titles: TableOut,
    ownership: TableOut,
    transfers: TableOut,
    relations: TableOut,
    /// Persons and companies (one id space): FtM id -> (case id, is person).
    party: BTreeMap<String, (String, bool)>,
    /// FtM id -> (case id, row in `accounts`).
    account: BTreeMap<String, (String, usize)>,
    /// FtM id -> case id.
    property: BTreeMap<String, String>,
    used_party: BTreeSet<String>,
    used_account: BTreeSet<String>,
    used_property: BTreeSet<String>,
    /// Full dates of the written payments (valuation date candidates).
    dates: Vec<String>,
    /// Account rows whose holder an Ownership set.
    holder_set: BTreeSet<usize>,
    /// (account row, party, payment line): holders that payments name.
    payer_hint: Vec<(usize, String, usize)>,
}

impl CaseOut {
    fn new() -> CaseOut {
        CaseOut {
            persons: TableOut::new("persons"),
            companies: TableOut::new("companies"),
            accounts: TableOut::new("accounts"),
            properties: TableOut::new("properties"),
            titles: TableOut::new("property_titles"),
            ownership: TableOut::new("company_ownership"),
            transfers: TableOut::new("transfers"),
            relations: TableOut::new("relations"),
            party: BTreeMap::new(),
            account: BTreeMap::new(),
            property: BTreeMap::new(),
            used_party: BTreeSet::new(),
            used_account: BTreeSet::new(),
            used_property: BTreeSet::new(),
            dates: Vec::new(),
            holder_set: BTreeSet::new(),
            payer_hint: Vec::new(),
        }
    }

    /// Pass 1: writes a Person, Company-like, BankAccount or RealEstate entity; true when a row
    /// was written. Documents and unusable nodes are listed; other schemata wait for pass 2.
    fn node(&mut self, e: &Ent, fname: &str, s: &mut ImportSummary) -> bool {
        let unwritten = match e.schema.as_str() {
            "Person" => self.person(e),
            sch if COMPANY_SCHEMATA.contains(&sch) => self.company(e, sch),
            "BankAccount" => {
                self.bank_account(e);
                None
            }
            "RealEstate" => {
                self.real_estate(e);
                None
            }
            "Document" => Some(format!(
                "Document: a source file of the exporting system ({}, sha256 {}); no case table holds documents",
                e.first("fileName"),
                e.first("contentHash")
            )),
            _ => return false,
        };
        match unwritten {
            None => true,
            Some(reason) => {
                s.list(listed(fname, e.line, &e.id, &e.schema, "listed", reason));
                false
            }
        }
    }

    /// A persons row; `Some(reason)` when the person cannot be written.
    fn person(&mut self, e: &Ent) -> Option<String> {
        let id = pick(&mut self.used_party, &e.id, "mt-person-");
        let mut name = e.first("name");
        if name.is_empty() {
            name = [e.first("firstName"), e.first("lastName")].join(" ").trim().to_string();
        }
        if name.is_empty() {
            return Some("a person needs a name".into());
        }
        let mut row = Row::default();
        if e.all("name").len() > 1 {
            row.extra("ftm_name".into(), e.all("name").join(";"));
        }
        row.cell("person_id", id.clone());
        row.cell("full_name", name);
        row.date(e, "birthDate", "birth_date");
        row.desc(e, "idNumber", "national_id");
        row.desc(e, "address", "address");
        row.keep(e, &["nationality", "country", "alias", "topics"]);
        row.finish(&mut self.persons, e);
        self.party.insert(e.id.clone(), (id, true));
        None
    }

    /// A companies row from a Company-like schema `sch`; `Some(reason)` when it cannot be written.
    fn company(&mut self, e: &Ent, sch: &str) -> Option<String> {
        let id = pick(&mut self.used_party, &e.id, "mt-company-");
        if e.first("name").is_empty() {
            return Some("a company needs a name".into());
        }
        let mut row = Row::default();
        row.cell("company_id", id.clone());
        row.desc(e, "name", "name");
        row.desc(e, "registrationNumber", "nuis");
        row.desc(e, "legalForm", "legal_form");
        row.desc(e, "address", "registered_address");
        row.date(e, "incorporationDate", "incorporated_on");
        row.date(e, "dissolutionDate", "dissolved_on");
        if sch != "Company" {
            row.extra("ftm_schema".into(), sch.to_string());
        }
        row.keep(e, &["jurisdiction", "taxNumber", "alias", "topics"]);
        row.finish(&mut self.companies, e);
        self.party.insert(e.id.clone(), (id, false));
        None
    }

    fn bank_account(&mut self, e: &Ent) {
        let id = pick(&mut self.used_account, &e.id, "mt-account-");
        let mut row = Row::default();
        row.cell("account_id", id.clone());
        row.desc(e, "iban", "iban");
        row.desc(e, "bankName", "bank");
        row.date(e, "openingDate", "opened_on");
        row.date(e, "closingDate", "closed_on");
        row.cell("currency", e.first("currency").to_uppercase());
        if e.first("accountNumber") != id {
            row.desc(e, "accountNumber", "account_number");
        }
        self.account.insert(e.id.clone(), (id, self.accounts.len()));
        row.finish(&mut self.accounts, e);
    }

    fn real_estate(&mut self, e: &Ent) {
        let id = pick(&mut self.used_property, &e.id, "mt-property-");
        let mut row = Row::default();
        row.cell("property_id", id.clone());
        row.desc(e, "cadastralCode", "cadastral_code");
        row.desc(e, "propertyType", "kind");
        row.desc(e, "address", "city");
        row.cell("area_m2", e.first("area"));
        row.cell("market_value", e.first("amount"));
        row.cell("value_currency", e.first("currency").to_uppercase());
        row.keep(e, &["encumbrance", "landType", "registrationNumber"]);
        row.finish(&mut self.properties, e);
        self.property.insert(e.id.clone(), id);
    }

    /// Pass 2: writes a link entity. `Err(reason)` lists it; a reason that starts with
    /// `merged: ` reports it as merged into another row.
    fn link(&mut self, e: &Ent) -> Result<(), String> {
        match e.schema.as_str() {
            "Ownership" => self.ownership(e),
            "Directorship" => self.directorship(e),
            "Payment" => self.payment(e),
            "Family" | "Associate" => self.relation(e),
            other => Err(format!("schema {other} has no table in the case format")),
        }
    }

    /// The party that property `p` of `e` names.
    fn party_of(&self, e: &Ent, p: &str) -> Result<(String, bool), String> {
        let v = e.one(p)?;
        if v.is_empty() {
            return Err(format!("no {p}"));
        }
        self.party.get(&v).cloned().ok_or_else(|| format!("{p} {v} is not a Person or Company written by this import"))
    }

    /// The account that property `p` of `e` names, `None` when it names none.
    fn account_of(&self, e: &Ent, p: &str) -> Result<Option<(String, usize)>, String> {
        let v = e.one(p)?;
        if v.is_empty() {
            return Ok(None);
        }
        self.account
            .get(&v)
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("{p} {v} is not a BankAccount written by this import"))
    }

    /// An Ownership: a property title, a shareholding, or the holder of an account (merged).
    fn ownership(&mut self, e: &Ent) -> Result<(), String> {
        let (owner, _) = self.party_of(e, "owner")?;
        let asset = e.one("asset")?;
        let pct = e.one("percentage")?;
        let share = if pct.is_empty() {
            String::new()
        } else {
            fraction(&pct).ok_or_else(|| format!("percentage {pct} is not a number"))?.to_string()
        };
        let role = e.first("role");
        let mut row = Row::default();
        if let Some(pid) = self.property.get(&asset) {
            row.cell("property_id", pid.clone());
            row.cell("owner_id", owner);
            row.cell("share", share);
            row.date(e, "startDate", "acquired_on");
            row.date(e, "endDate", "disposed_on");
            if !role.is_empty() && role != "title holder" {
                row.extra("ftm_role".into(), role);
            }
            row.finish(&mut self.titles, e);
            return Ok(());
        }
        if let Some((cid, false)) = self.party.get(&asset).cloned() {
            if share.is_empty() {
                return Err("a shareholding without percentage: the case format needs a share".into());
            }
            let nominee = role.to_lowercase().contains("nominee");
            row.cell("company_id", cid);
            row.cell("holder_id", owner);
            row.cell("role", if nominee { "nominee_shareholder" } else { "shareholder" }.into());
            row.cell("share", share);
            row.date(e, "startDate", "from");
            row.date(e, "endDate", "to");
            if !role.is_empty() && role != "shareholder" && role != "nominee_shareholder" {
                row.extra("ftm_role".into(), role);
            }
            row.finish(&mut self.ownership, e);
            return Ok(());
        }
        if let Some((aid, row)) = self.account.get(&asset).cloned() {
            let current = self.accounts.get(row, "holder_id").to_string();
            if !current.is_empty() && current != owner {
                return Err(format!(
                    "account {aid} already has holder {current}: the case holds one holder per account"
                ));
            }
            self.accounts.set(row, "holder_id", owner);
            self.accounts.set(row, "holder_source_id", e.id.clone());
            self.holder_set.insert(row);
            return Err(format!("merged: holder of account {aid} (accounts.holder_id)"));
        }
        Err(format!("asset {asset} is not a RealEstate, Company or BankAccount written by this import"))
    }

    fn directorship(&mut self, e: &Ent) -> Result<(), String> {
        let (director, _) = self.party_of(e, "director")?;
        let org = e.one("organization")?;
        let Some((cid, false)) = self.party.get(&org).cloned() else {
            return Err(format!("organization {org} is not a Company written by this import"));
        };
        let role_text = e.first("role");
        let r = role_text.to_lowercase();
        let role = if r.contains("nominee") {
            "nominee_director"
        } else if r.contains("administrator") {
            "administrator"
        } else {
            "director"
        };
        let mut row = Row::default();
        row.cell("company_id", cid);
        row.cell("holder_id", director);
        row.cell("role", role.into());
        row.date(e, "startDate", "from");
        row.date(e, "endDate", "to");
        if !role_text.is_empty() && role_text != role && role_text != "nominee director" {
            row.extra("ftm_role".into(), role_text);
        }
        row.finish(&mut self.ownership, e);
        Ok(())
    }

    fn payment(&mut self, e: &Ent) -> Result<(), String> {
        let (from, to) = (self.account_of(e, "payerAccount")?, self.account_of(e, "beneficiaryAccount")?);
        let amount = e.one("amount")?;
        let date = e.one("date")?;
        let currency = e.one("currency")?.to_uppercase();
        if amount.is_empty() || date.is_empty() {
            return Err("a payment needs amount and date".into());
        }
        let programme = e.first("programme");
        let channel = match (programme.parse::<Channel>(), &from, &to) {
            (Ok(c), _, _) => c,
            (_, Some(_), Some(_)) => Channel::Wire,
            (_, None, Some(_)) => Channel::CashDeposit,
            (_, Some(_), None) => Channel::CashWithdrawal,
            (_, None, None) => {
                return Err(
                    "a payment without payerAccount or beneficiaryAccount: the case books transfers on accounts".into(),
                )
            }
        };
        let mut txn = e.one("transactionNumber")?;
        if txn.is_empty() {
            txn = strip(&e.id, "mt-payment-").to_string();
        }
        let mut row = Row::default();
        row.cell("txn_id", txn);
        row.cell("booked_at", date.replacen('T', " ", 1));
        row.cell("from_account", from.as_ref().map(|a| a.0.clone()).unwrap_or_default());
        row.cell("to_account", to.as_ref().map(|a| a.0.clone()).unwrap_or_default());
        row.cell("amount", amount);
        row.cell("currency", currency);
        row.cell("channel", channel.as_str().into());
        row.desc(e, "purpose", "reference");
        if programme.parse::<Channel>().is_err() && !programme.is_empty() {
            row.extra("ftm_programme".into(), programme);
        }
        for (p, acc) in [("payer", &from), ("beneficiary", &to)] {
            let v = e.first(p);
            if let (Some((pid, _)), Some((_, acct_row))) = (self.party.get(&v), acc) {
                row.extra(format!("ftm_{p}"), pid.clone());
                self.payer_hint.push((*acct_row, pid.clone(), e.line));
            }
        }
        if let Some(d) = full_date(&date) {
            self.dates.push(d);
        }
        row.finish(&mut self.transfers, e);
        Ok(())
    }

    /// A Family or Associate between two persons.
    fn relation(&mut self, e: &Ent) -> Result<(), String> {
        let (a, b) = if e.schema == "Family" { ("person", "relative") } else { ("person", "associate") };
        let (p, p_person) = self.party_of(e, a)?;
        let (r, r_person) = self.party_of(e, b)?;
        if !p_person || !r_person {
            return Err("relations link two persons".into());
        }
        let text = e.first("relationship");
        let kind = if e.schema == "Associate" {
            "associate"
        } else {
            relation_kind(&text).ok_or_else(|| {
                format!("relationship '{text}' is not one of spouse, child, parent, sibling, cohabitant (or a synonym)")
            })?
        };
        let mut row = Row::default();
        row.cell("person_id", p);
        row.cell("related_id", r);
        row.cell("kind", kind.into());
        if !text.is_empty() && text != kind {
            row.extra("ftm_relationship".into(), text);
        }
        row.finish(&mut self.relations, e);
        Ok(())
    }

    /// Payer/beneficiary of a payment name the holder of an account that no Ownership names.
    fn derive_holders(&mut self, s: &mut ImportSummary) {
        let mut derived = 0usize;
        for (row, pid, line) in std::mem::take(&mut self.payer_hint) {
            if self.holder_set.contains(&row) || !self.accounts.get(row, "holder_id").is_empty() {
                continue;
            }
            self.accounts.set(row, "holder_id", pid);
            self.accounts.set(row, "holder_source_id", format!("payment line {line}"));
            derived += 1;
        }
        if derived > 0 {
            s.notes.push(format!(
                "{derived} account holders taken from Payment payer/beneficiary (no Ownership named them)"
            ));
        }
    }
}

/// The chosen valuation date, else the latest full date among the payments (`dates`) and the
/// start, end and date properties of every entity.
fn valuation_date(
    ents: &[Ent],
    mut dates: Vec<String>,
    opts: &ImportOptions,
    file: &Path,
) -> Result<String, ImportError> {
    for e in ents {
        for p in ["startDate", "endDate", "date"] {
            if let Some(d) = full_date(&e.first(p)) {
                dates.push(d);
            }
        }
    }
    match &opts.valuation_date {
        Some(d) => Ok(d.clone()),
        None => dates.iter().max().cloned().ok_or_else(|| ImportError::Format {
            path: file.to_path_buf(),
            message: "no full date in the data to take as valuation date; pass --valuation-date YYYY-MM-DD".into(),
        }),
    }
}

/// The chosen base currency, else the most frequent payment currency (ALL when there is none).
fn base_currency(transfers: &TableOut, opts: &ImportOptions, s: &mut ImportSummary) -> String {
    if let Some(c) = &opts.base_currency {
        return c.clone();
    }
    let mut n: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..transfers.len() {
        *n.entry(transfers.get(i, "currency").to_string()).or_default() += 1;
    }
    n.remove("");
    let best = n.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(c, _)| c.clone());
    let c = best.unwrap_or_else(|| "ALL".into());
    s.notes.push(format!("base currency {c}: the most frequent payment currency (--base-currency to choose)"));
    c
}
