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
    let listed = |line: usize, id: &str, kind: &str, outcome: &'static str, reason: String| Listed {
        file: fname.clone(),
        position: line,
        record_id: id.to_string(),
        kind: kind.to_string(),
        part: String::new(),
        outcome,
        reason,
    };
    // Parse, merging fragments with one id.
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
                s.list(listed(line_no, "", "", "listed", format!("not a JSON object: {e}")));
                continue;
            }
        };
        let id = v.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let schema = v.get("schema").and_then(Value::as_str).unwrap_or("").to_string();
        let Some(props) = v.get("properties").and_then(Value::as_object) else {
            s.list(listed(line_no, &id, &schema, "listed", "no `properties` object".into()));
            continue;
        };
        if id.is_empty() || schema.is_empty() {
            s.list(listed(line_no, &id, &schema, "listed", "an entity needs `id` and `schema`".into()));
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
                s.list(listed(line_no, &id, &schema, "merged", reason));
            } else {
                let reason = format!("id already used by a {} on line {}", ents[i].schema, ents[i].line);
                s.list(listed(line_no, &id, &schema, "listed", reason));
            }
            continue;
        }
        by_id.insert(id.clone(), ents.len());
        ents.push(Ent { line: line_no, id, schema, props });
    }
    s.sources.push(SourceInfo { path: fname.clone(), sha256, size, records: s.read });

    let mut persons = TableOut::new("persons");
    let mut companies = TableOut::new("companies");
    let mut accounts = TableOut::new("accounts");
    let mut properties = TableOut::new("properties");
    let mut titles = TableOut::new("property_titles");
    let mut ownership = TableOut::new("company_ownership");
    let mut transfers = TableOut::new("transfers");
    let mut relations = TableOut::new("relations");
    // FtM id -> case id, per id space; kind of party.
    let mut party: BTreeMap<String, (String, bool)> = BTreeMap::new(); // (case id, is person)
    let mut account: BTreeMap<String, (String, usize)> = BTreeMap::new(); // (case id, row)
    let mut property: BTreeMap<String, String> = BTreeMap::new();
    let mut used_party: BTreeSet<String> = BTreeSet::new();
    let mut used_account: BTreeSet<String> = BTreeSet::new();
    let mut used_property: BTreeSet<String> = BTreeSet::new();
    let pick = |used: &mut BTreeSet<String>, id: &str, prefix: &str| -> String {
        let short = strip(id, prefix);
        let chosen = if used.contains(short) { id } else { short };
        used.insert(chosen.to_string());
        chosen.to_string()
    };
    let mut dates: Vec<String> = Vec::new();
    // Descriptive properties: first value in the contract column, all values in ftm_<prop>.
    fn desc(
        e: &Ent,
        prop: &str,
        col: &'static str,
        cells: &mut Vec<(&'static str, String)>,
        extra: &mut Vec<(String, String)>,
    ) {
        let all = e.all(prop);
        cells.push((col, all.first().cloned().unwrap_or_default()));
        if all.len() > 1 {
            extra.push((format!("ftm_{prop}"), all.join(";")));
        }
    }
    let finish = |t: &mut TableOut, e: &Ent, mut cells: Vec<(&'static str, String)>, extra: Vec<(String, String)>| {
        cells.push(("source_id", e.id.clone()));
        cells.push(("source_line", e.line.to_string()));
        let mut row: Vec<(&str, String)> = cells.iter().map(|(k, v)| (*k, v.clone())).collect();
        row.extend(extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        t.push(row);
    };
    let date_cell = |e: &Ent,
                     prop: &str,
                     col: &'static str,
                     cells: &mut Vec<(&'static str, String)>,
                     extra: &mut Vec<(String, String)>| {
        let v = e.first(prop);
        match full_date(&v) {
            Some(d) => cells.push((col, d)),
            None if !v.is_empty() => extra.push((format!("ftm_{prop}"), v)),
            None => {}
        }
    };
    // Pass 1: nodes.
    let mut is_node = vec![false; ents.len()];
    for (i, e) in ents.iter().enumerate() {
        let mut cells: Vec<(&'static str, String)> = Vec::new();
        let mut extra: Vec<(String, String)> = Vec::new();
        match e.schema.as_str() {
            "Person" => {
                let id = pick(&mut used_party, &e.id, "mt-person-");
                let mut name = e.first("name");
                if name.is_empty() {
                    name = [e.first("firstName"), e.first("lastName")].join(" ").trim().to_string();
                }
                if name.is_empty() {
                    s.list(listed(e.line, &e.id, &e.schema, "listed", "a person needs a name".into()));
                    continue;
                }
                if e.all("name").len() > 1 {
                    extra.push(("ftm_name".into(), e.all("name").join(";")));
                }
                cells.push(("person_id", id.clone()));
                cells.push(("full_name", name));
                date_cell(e, "birthDate", "birth_date", &mut cells, &mut extra);
                desc(e, "idNumber", "national_id", &mut cells, &mut extra);
                desc(e, "address", "address", &mut cells, &mut extra);
                for p in ["nationality", "country", "alias", "topics"] {
                    if !e.all(p).is_empty() {
                        extra.push((format!("ftm_{p}"), e.all(p).join(";")));
                    }
                }
                finish(&mut persons, e, cells, extra);
                party.insert(e.id.clone(), (id, true));
            }
            sch if COMPANY_SCHEMATA.contains(&sch) => {
                let id = pick(&mut used_party, &e.id, "mt-company-");
                if e.first("name").is_empty() {
                    s.list(listed(e.line, &e.id, &e.schema, "listed", "a company needs a name".into()));
                    continue;
                }
                cells.push(("company_id", id.clone()));
                desc(e, "name", "name", &mut cells, &mut extra);
                desc(e, "registrationNumber", "nuis", &mut cells, &mut extra);
                desc(e, "legalForm", "legal_form", &mut cells, &mut extra);
                desc(e, "address", "registered_address", &mut cells, &mut extra);
                date_cell(e, "incorporationDate", "incorporated_on", &mut cells, &mut extra);
                date_cell(e, "dissolutionDate", "dissolved_on", &mut cells, &mut extra);
                if sch != "Company" {
                    extra.push(("ftm_schema".into(), sch.to_string()));
                }
                for p in ["jurisdiction", "taxNumber", "alias", "topics"] {
                    if !e.all(p).is_empty() {
                        extra.push((format!("ftm_{p}"), e.all(p).join(";")));
                    }
                }
                finish(&mut companies, e, cells, extra);
                party.insert(e.id.clone(), (id, false));
            }
            "BankAccount" => {
                let id = pick(&mut used_account, &e.id, "mt-account-");
                cells.push(("account_id", id.clone()));
                desc(e, "iban", "iban", &mut cells, &mut extra);
                desc(e, "bankName", "bank", &mut cells, &mut extra);
                date_cell(e, "openingDate", "opened_on", &mut cells, &mut extra);
                date_cell(e, "closingDate", "closed_on", &mut cells, &mut extra);
                cells.push(("currency", e.first("currency").to_uppercase()));
                if e.first("accountNumber") != id {
                    desc(e, "accountNumber", "account_number", &mut cells, &mut extra);
                }
                account.insert(e.id.clone(), (id, accounts.len()));
                finish(&mut accounts, e, cells, extra);
            }
            "RealEstate" => {
                let id = pick(&mut used_property, &e.id, "mt-property-");
                cells.push(("property_id", id.clone()));
                desc(e, "cadastralCode", "cadastral_code", &mut cells, &mut extra);
                desc(e, "propertyType", "kind", &mut cells, &mut extra);
                desc(e, "address", "city", &mut cells, &mut extra);
                cells.push(("area_m2", e.first("area")));
                cells.push(("market_value", e.first("amount")));
                cells.push(("value_currency", e.first("currency").to_uppercase()));
                for p in ["encumbrance", "landType", "registrationNumber"] {
                    if !e.all(p).is_empty() {
                        extra.push((format!("ftm_{p}"), e.all(p).join(";")));
                    }
                }
                finish(&mut properties, e, cells, extra);
                property.insert(e.id.clone(), id);
            }
            "Document" => {
                let reason = format!(
                    "Document: a source file of the exporting system ({}, sha256 {}); no case table holds documents",
                    e.first("fileName"),
                    e.first("contentHash")
                );
                s.list(listed(e.line, &e.id, &e.schema, "listed", reason));
                continue;
            }
            _ => continue,
        }
        is_node[i] = true;
        s.written += 1;
    }
    // Pass 2: links.
    let mut holder_set: BTreeSet<usize> = BTreeSet::new();
    let mut payer_hint: Vec<(usize, String, usize)> = Vec::new(); // (account row, party, payment line)
    for (i, e) in ents.iter().enumerate() {
        if is_node[i]
            || matches!(e.schema.as_str(), "Document" | "Person" | "BankAccount" | "RealEstate")
            || COMPANY_SCHEMATA.contains(&e.schema.as_str())
        {
            continue;
        }
        let mut cells: Vec<(&'static str, String)> = Vec::new();
        let mut extra: Vec<(String, String)> = Vec::new();
        let res: Result<(), String> = (|| {
            let get = |p: &str| e.one(p);
            let party_of = |p: &str| -> Result<(String, bool), String> {
                let v = get(p)?;
                if v.is_empty() {
                    return Err(format!("no {p}"));
                }
                party
                    .get(&v)
                    .cloned()
                    .ok_or_else(|| format!("{p} {v} is not a Person or Company written by this import"))
            };
            match e.schema.as_str() {
                "Ownership" => {
                    let (owner, _) = party_of("owner")?;
                    let asset = get("asset")?;
                    let pct = get("percentage")?;
                    let share = if pct.is_empty() {
                        String::new()
                    } else {
                        fraction(&pct).ok_or_else(|| format!("percentage {pct} is not a number"))?.to_string()
                    };
                    let role = e.first("role");
                    if let Some(pid) = property.get(&asset) {
                        cells.push(("property_id", pid.clone()));
                        cells.push(("owner_id", owner));
                        cells.push(("share", share));
                        date_cell(e, "startDate", "acquired_on", &mut cells, &mut extra);
                        date_cell(e, "endDate", "disposed_on", &mut cells, &mut extra);
                        if !role.is_empty() && role != "title holder" {
                            extra.push(("ftm_role".into(), role));
                        }
                        finish(&mut titles, e, cells.clone(), extra.clone());
                        return Ok(());
                    }
                    if let Some((cid, false)) = party.get(&asset).cloned() {
                        if share.is_empty() {
                            return Err("a shareholding without percentage: the case format needs a share".into());
                        }
                        let nominee = role.to_lowercase().contains("nominee");
                        cells.push(("company_id", cid));
                        cells.push(("holder_id", owner));
                        cells.push(("role", if nominee { "nominee_shareholder" } else { "shareholder" }.into()));
                        cells.push(("share", share));
                        date_cell(e, "startDate", "from", &mut cells, &mut extra);
                        date_cell(e, "endDate", "to", &mut cells, &mut extra);
                        if !role.is_empty() && role != "shareholder" && role != "nominee_shareholder" {
                            extra.push(("ftm_role".into(), role));
                        }
                        finish(&mut ownership, e, cells.clone(), extra.clone());
                        return Ok(());
                    }
                    if let Some((aid, row)) = account.get(&asset).cloned() {
                        let current = accounts.get(row, "holder_id").to_string();
                        if !current.is_empty() && current != owner {
                            return Err(format!(
                                "account {aid} already has holder {current}: the case holds one holder per account"
                            ));
                        }
                        accounts.set(row, "holder_id", owner);
                        accounts.set(row, "holder_source_id", e.id.clone());
                        holder_set.insert(row);
                        return Err(format!("merged: holder of account {aid} (accounts.holder_id)"));
                    }
                    Err(format!("asset {asset} is not a RealEstate, Company or BankAccount written by this import"))
                }
                "Directorship" => {
                    let (director, _) = party_of("director")?;
                    let org = get("organization")?;
                    let Some((cid, false)) = party.get(&org).cloned() else {
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
                    cells.push(("company_id", cid));
                    cells.push(("holder_id", director));
                    cells.push(("role", role.into()));
                    date_cell(e, "startDate", "from", &mut cells, &mut extra);
                    date_cell(e, "endDate", "to", &mut cells, &mut extra);
                    if !role_text.is_empty() && role_text != role && role_text != "nominee director" {
                        extra.push(("ftm_role".into(), role_text));
                    }
                    finish(&mut ownership, e, cells.clone(), extra.clone());
                    Ok(())
                }
                "Payment" => {
                    let acct = |p: &str| -> Result<Option<(String, usize)>, String> {
                        let v = get(p)?;
                        if v.is_empty() {
                            return Ok(None);
                        }
                        account
                            .get(&v)
                            .cloned()
                            .map(Some)
                            .ok_or_else(|| format!("{p} {v} is not a BankAccount written by this import"))
                    };
                    let (from, to) = (acct("payerAccount")?, acct("beneficiaryAccount")?);
                    let amount = get("amount")?;
                    let date = get("date")?;
                    let currency = get("currency")?.to_uppercase();
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
                            return Err("a payment without payerAccount or beneficiaryAccount: the case books transfers on accounts".into())
                        }
                    };
                    let mut txn = get("transactionNumber")?;
                    if txn.is_empty() {
                        txn = strip(&e.id, "mt-payment-").to_string();
                    }
                    cells.push(("txn_id", txn));
                    cells.push(("booked_at", date.replacen('T', " ", 1)));
                    cells.push(("from_account", from.as_ref().map(|a| a.0.clone()).unwrap_or_default()));
                    cells.push(("to_account", to.as_ref().map(|a| a.0.clone()).unwrap_or_default()));
                    cells.push(("amount", amount));
                    cells.push(("currency", currency));
                    cells.push(("channel", channel.as_str().into()));
                    desc(e, "purpose", "reference", &mut cells, &mut extra);
                    if programme.parse::<Channel>().is_err() && !programme.is_empty() {
                        extra.push(("ftm_programme".into(), programme));
                    }
                    for (p, acc) in [("payer", &from), ("beneficiary", &to)] {
                        let v = e.first(p);
                        if let (Some((pid, _)), Some((_, row))) = (party.get(&v), acc) {
                            extra.push((format!("ftm_{p}"), pid.clone()));
                            payer_hint.push((*row, pid.clone(), e.line));
                        }
                    }
                    if let Some(d) = full_date(&date) {
                        dates.push(d);
                    }
                    finish(&mut transfers, e, cells.clone(), extra.clone());
                    Ok(())
                }
                "Family" | "Associate" => {
                    let (a, b) = if e.schema == "Family" { ("person", "relative") } else { ("person", "associate") };
                    let (p, p_person) = party_of(a)?;
                    let (r, r_person) = party_of(b)?;
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
                    cells.push(("person_id", p));
                    cells.push(("related_id", r));
                    cells.push(("kind", kind.into()));
                    if !text.is_empty() && text != kind {
                        extra.push(("ftm_relationship".into(), text));
                    }
                    finish(&mut relations, e, cells.clone(), extra.clone());
                    Ok(())
                }
                other => Err(format!("schema {other} has no table in the case format")),
            }
        })();
        match res {
            Ok(()) => s.written += 1,
            Err(r) if r.starts_with("merged: ") => {
                s.list(listed(e.line, &e.id, &e.schema, "merged", r.trim_start_matches("merged: ").to_string()))
            }
            Err(r) => s.list(listed(e.line, &e.id, &e.schema, "listed", r)),
        }
    }
    // Payer/beneficiary of a payment name the holder of an account that no Ownership names.
    let mut derived = 0usize;
    for (row, pid, line) in payer_hint {
        if holder_set.contains(&row) || !accounts.get(row, "holder_id").is_empty() {
            continue;
        }
        accounts.set(row, "holder_id", pid);
        accounts.set(row, "holder_source_id", format!("payment line {line}"));
        derived += 1;
    }
    if derived > 0 {
        s.notes
            .push(format!("{derived} account holders taken from Payment payer/beneficiary (no Ownership named them)"));
    }
    for e in &ents {
        for p in ["startDate", "endDate", "date"] {
            if let Some(d) = full_date(&e.first(p)) {
                dates.push(d);
            }
        }
    }
    let valuation_date = match &opts.valuation_date {
        Some(d) => d.clone(),
        None => dates.iter().max().cloned().ok_or_else(|| ImportError::Format {
            path: file.to_path_buf(),
            message: "no full date in the data to take as valuation date; pass --valuation-date YYYY-MM-DD".into(),
        })?,
    };
    let base_currency = match &opts.base_currency {
        Some(c) => c.clone(),
        None => {
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
    };
    let header = CaseHeader {
        name: opts.name.clone().unwrap_or_else(|| format!("Import of {fname}")),
        base_currency,
        valuation_date,
        format: "ftm",
    };
    let tables = [&persons, &companies, &accounts, &transfers, &properties, &titles, &ownership, &relations];
    super::write_case(out, &header, &tables, opts, &mut s)?;
    Ok(s)
}
