//! Import of the IBM AML "HI-Small" laundering-pattern file (Altman et al. 2023, CDLA-Sharing-1.0)
//! into a case folder in the contract layout, so the detectors can be measured on third-party
//! labelled data (issue 3).
//!
//! Input folder: `laundering_patterns_normalized.json` (the laundering attempts of
//! `HI-Small_Patterns.txt` as JSON) and `transactions_sample.csv` (benign rows of
//! `HI-Small_Trans.csv`). Output: accounts.csv, transfers.csv, fx_rates.csv, case.toml,
//! truth/patterns.csv (every attempt) and truth/patterns_loadable.csv (only attempts whose every
//! transaction can load). Nothing is dropped here: rows the contract cannot hold (self-transfers)
//! are written anyway and rejected by ingest, with the reason, so the counts reconcile; rows in a
//! currency without a rate load with their own amount and an unknown base amount (ingest warns
//! and counts them); [`ImportSummary`] predicts both.
//!
//! Mapping (see docs/evaluation.md):
//! - account_id = `bank:account`, the bank id without leading zeros (the pattern file writes
//!   `021174`, the transaction sample `21174`; both name one bank).
//! - txn_id = `IBM-<pattern number>-<n>` (n = 1-based position in the attempt) for laundering
//!   rows, `BEN-<line>` (1-based line of transactions_sample.csv, header = line 1) for benign rows.
//! - amount = amount_paid in payment_currency (ISO 4217 code; Bitcoin = XBT).
//! - channel: ACH, Wire, Cheque -> wire; Credit Card -> card; Reinvestment -> internal;
//!   Bitcoin -> remittance; Cash -> cash_deposit into to_account with from_account empty (the
//!   contract's cash rule), the IBM payer kept in the extra column `ibm_from_account`.
//! - fx_rates: derived from the data only. Every row whose payment and receiving currencies
//!   differ, one of them the base currency, is an observation `amount_received / amount_paid`
//!   (or its inverse); per currency and booking date the rate is the amount-weighted mean
//!   (Σ base amount / Σ foreign amount) of that day's observations, dated that day, so ingest
//!   uses it from that day on. Pairs between two foreign currencies are counted but not chained.
//!   A currency without an observation gets no rate: its rows load with an unknown base amount
//!   (`crate::model::MISSING_RATE`), so structure-only detection still sees them.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The pattern file inside the IBM folder.
pub const PATTERNS_FILE: &str = "laundering_patterns_normalized.json";
/// The benign transaction sample inside the IBM folder.
pub const SAMPLE_FILE: &str = "transactions_sample.csv";

/// IBM currency names and their ISO 4217 codes (XBT for Bitcoin, the customary code).
pub const CURRENCIES: &[(&str, &str)] = &[
    ("US Dollar", "USD"),
    ("Euro", "EUR"),
    ("Yuan", "CNY"),
    ("Yen", "JPY"),
    ("UK Pound", "GBP"),
    ("Rupee", "INR"),
    ("Ruble", "RUB"),
    ("Australian Dollar", "AUD"),
    ("Canadian Dollar", "CAD"),
    ("Swiss Franc", "CHF"),
    ("Mexican Peso", "MXN"),
    ("Shekel", "ILS"),
    ("Brazil Real", "BRL"),
    ("Saudi Riyal", "SAR"),
    ("Bitcoin", "XBT"),
];

/// IBM pattern families and the typology names used in truth/patterns.csv. RANDOM and BIPARTITE
/// keep their own names: no detector reports them.
pub const FAMILIES: &[(&str, &str)] = &[
    ("FAN-OUT", "fan_out"),
    ("FAN-IN", "fan_in"),
    ("CYCLE", "cycle"),
    ("GATHER-SCATTER", "gather_scatter"),
    ("SCATTER-GATHER", "scatter_gather"),
    ("STACK", "layering_chain"),
    ("RANDOM", "random"),
    ("BIPARTITE", "bipartite"),
];

/// Errors that stop an import. The IBM files are third-party input: every problem is reported
/// with the file and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IbmError {
    /// A file could not be read or written.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was attempted.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The input does not have the expected shape.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Options of an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Base currency of the case (ISO code); rates are derived against it.
    pub base_currency: String,
    /// Case setting `thresholds.cash_report`, in the base currency.
    pub cash_report: Decimal,
}

impl Default for ImportOptions {
    /// USD (the IBM simulator's main currency) and the US currency-transaction-report
    /// threshold of 10,000 (31 CFR 1010.311).
    fn default() -> Self {
        ImportOptions { base_currency: "USD".into(), cash_report: Decimal::new(10_000, 0) }
    }
}

/// One derived rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DerivedRate {
    /// Booking date of the observations (YYYY-MM-DD); the rate applies from then on.
    pub date: String,
    /// ISO code.
    pub currency: String,
    /// Base units per unit of `currency`, rounded to 10 decimal places.
    pub rate: Decimal,
    /// Transactions it was derived from.
    pub observations: usize,
}

/// Per IBM family: attempts and transactions, and how many attempts can fully load.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FamilyCount {
    /// Typology name in truth/patterns.csv.
    pub typology: String,
    /// Attempts.
    pub patterns: usize,
    /// Transactions.
    pub txns: usize,
    /// Transactions expected to load (not a self-transfer).
    pub txns_loadable: usize,
    /// Of which with a base amount (a rate exists on or before their date).
    pub txns_valued: usize,
    /// Attempts all of whose transactions are expected to load.
    pub patterns_loadable: usize,
    /// Attempts none of whose transactions is expected to load.
    pub patterns_unloadable: usize,
}

/// What the import wrote and what ingest will reject.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    /// Laundering attempts read.
    pub patterns: usize,
    /// Laundering transactions read (written to transfers.csv).
    pub pattern_txns: usize,
    /// Benign rows read from the sample (written to transfers.csv).
    pub benign_txns: usize,
    /// Distinct accounts written.
    pub accounts: usize,
    /// Per IBM family.
    pub families: BTreeMap<String, FamilyCount>,
    /// Source rows with from == to that are not cash (ingest rejects them): (laundering, benign).
    pub self_transfers: (usize, usize),
    /// Source rows with from == to and format Cash (loaded as cash deposits, not rejected).
    pub cash_self: usize,
    /// Rows mapped to cash deposits.
    pub cash_rows: usize,
    /// Rates written to fx_rates.csv.
    pub rates: Vec<DerivedRate>,
    /// Rows with payment != receiving currency, neither the base: not used for rates.
    pub cross_pairs_unused: usize,
    /// Currencies with rows but no rate, with the number of rows (laundering, benign) that
    /// ingest will load with an unknown base amount (self-transfers excluded: they are rejected).
    pub missing_rates: BTreeMap<String, (usize, usize)>,
}

impl ImportSummary {
    /// Transfer rows ingest is expected to reject: the self-transfers.
    pub fn expected_rejects(&self) -> usize {
        self.self_transfers.0 + self.self_transfers.1
    }

    /// Transfer rows ingest is expected to load with an unknown base amount (no rate).
    pub fn expected_unknown_base(&self) -> usize {
        self.missing_rates.values().map(|(a, b)| a + b).sum()
    }
}

/// One transaction as read, before writing.
struct Txn {
    id: String,
    booked_at: String,
    date: String,
    from: String,
    to: String,
    amount_paid: Decimal,
    paid_cur: String,
    amount_received: Decimal,
    recv_cur: String,
    format: String,
    laundering: bool,
}

impl Txn {
    fn is_cash(&self) -> bool {
        self.format == "Cash"
    }
    fn is_self(&self) -> bool {
        self.from == self.to
    }
}

fn io<'a>(path: &'a Path, what: &'static str) -> impl FnOnce(std::io::Error) -> IbmError + 'a {
    move |source| IbmError::Io { path: path.to_path_buf(), what, source }
}

fn bad(path: &Path, message: impl Into<String>) -> IbmError {
    IbmError::Format { path: path.to_path_buf(), message: message.into() }
}

/// `bank:account` with the bank id's leading zeros removed (all-digit ids only).
pub fn account_id(bank: &str, account: &str) -> String {
    let b = bank.trim();
    let b = if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) {
        let t = b.trim_start_matches('0');
        if t.is_empty() {
            "0"
        } else {
            t
        }
    } else {
        b
    };
    format!("{b}:{}", account.trim())
}

/// The ISO code of an IBM currency name.
pub fn iso_currency(name: &str) -> Option<&'static str> {
    CURRENCIES.iter().find(|(n, _)| *n == name.trim()).map(|(_, c)| *c)
}

/// The contract channel of an IBM payment format.
pub fn channel(format: &str) -> Option<&'static str> {
    Some(match format.trim() {
        "ACH" | "Wire" | "Cheque" => "wire",
        "Credit Card" => "card",
        "Reinvestment" => "internal",
        "Bitcoin" => "remittance",
        "Cash" => "cash_deposit",
        _ => return None,
    })
}

/// `2022/09/01 00:06` -> (`2022-09-01 00:06:00`, `2022-09-01`).
fn timestamp(s: &str) -> Option<(String, String)> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y/%m/%d %H:%M").ok()?;
    Some((t.format("%Y-%m-%d %H:%M:%S").to_string(), t.format("%Y-%m-%d").to_string()))
}

/// A decimal from JSON text. serde_json reads numbers as f64; its shortest round-trip text
/// equals the text in the file whenever that has at most 15 significant digits, which is
/// checked, so no amount is changed by floating point.
fn json_decimal(v: &serde_json::Value) -> Result<Decimal, String> {
    let text = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => return Err(format!("expected a number, found {other}")),
    };
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).skip_while(|&b| b == b'0').count();
    if digits > 15 {
        return Err(format!("{text} has more than 15 significant digits and may not be exact"));
    }
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|e| format!("'{text}' is not a decimal number: {e}"))
}

fn field<'a>(t: &'a serde_json::Value, key: &str) -> Result<&'a serde_json::Value, String> {
    t.get(key).ok_or_else(|| format!("missing field '{key}'"))
}

fn text(t: &serde_json::Value, key: &str) -> Result<String, String> {
    match field(t, key)? {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("field '{key}': expected text, found {other}")),
    }
}

/// A laundering attempt as read.
struct Pattern {
    id: String,
    family: String,
    txns: Vec<Txn>,
}

fn read_patterns(path: &Path) -> Result<Vec<Pattern>, IbmError> {
    let bytes = std::fs::read(path).map_err(io(path, "read"))?;
    let root: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(path, e.to_string()))?;
    let list = root.get("patterns").and_then(|p| p.as_array()).ok_or_else(|| bad(path, "no 'patterns' array"))?;
    let mut out = Vec::with_capacity(list.len());
    for (pi, p) in list.iter().enumerate() {
        let at = |m: String| bad(path, format!("pattern #{}: {m}", pi + 1));
        let id = text(p, "pattern_id").map_err(at)?;
        let family = text(p, "pattern_family").map_err(at)?;
        if !FAMILIES.iter().any(|(f, _)| *f == family) {
            return Err(at(format!("unknown pattern_family '{family}'")));
        }
        let number = id.strip_prefix("IBM-").unwrap_or(&id).to_string();
        let ts =
            p.get("transactions").and_then(|t| t.as_array()).ok_or_else(|| at("no 'transactions' array".into()))?;
        let mut txns = Vec::with_capacity(ts.len());
        for (n, t) in ts.iter().enumerate() {
            let at = |m: String| bad(path, format!("{id} transaction {}: {m}", n + 1));
            let raw_ts = text(t, "timestamp").map_err(at)?;
            let (booked_at, date) =
                timestamp(&raw_ts).ok_or_else(|| at(format!("timestamp '{raw_ts}' is not YYYY/MM/DD HH:MM")))?;
            let cur = |k: &str| -> Result<String, IbmError> {
                let name = text(t, k).map_err(at)?;
                iso_currency(&name).map(str::to_string).ok_or_else(|| at(format!("{k}: unknown currency '{name}'")))
            };
            let dec = |k: &str| json_decimal(field(t, k).map_err(at)?).map_err(|m| at(format!("{k}: {m}")));
            let format = text(t, "payment_format").map_err(at)?;
            if channel(&format).is_none() {
                return Err(at(format!("unknown payment_format '{format}'")));
            }
            txns.push(Txn {
                id: format!("IBM-{number}-{}", n + 1),
                booked_at,
                date,
                from: account_id(&text(t, "from_bank").map_err(at)?, &text(t, "from_account").map_err(at)?),
                to: account_id(&text(t, "to_bank").map_err(at)?, &text(t, "to_account").map_err(at)?),
                amount_paid: dec("amount_paid")?,
                paid_cur: cur("payment_currency")?,
                amount_received: dec("amount_received")?,
                recv_cur: cur("receiving_currency")?,
                format,
                laundering: true,
            });
        }
        out.push(Pattern { id, family, txns });
    }
    Ok(out)
}

fn read_sample(path: &Path) -> Result<Vec<Txn>, IbmError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(path, e.to_string()))?;
    let header = r.headers().map_err(|e| bad(path, e.to_string()))?.clone();
    let col =
        |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(path, format!("no column '{name}'")));
    let c = [
        col("timestamp")?,
        col("from_bank_id")?,
        col("from_account_id")?,
        col("to_bank_id")?,
        col("to_account_id")?,
        col("amount_received")?,
        col("receiving_currency")?,
        col("amount_paid")?,
        col("payment_currency")?,
        col("payment_format")?,
        col("is_laundering")?,
    ];
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(path, e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let at = |m: String| bad(path, format!("line {line}: {m}"));
        let get = |i: usize| rec.get(c[i]).unwrap_or("").to_string();
        let (booked_at, date) =
            timestamp(&get(0)).ok_or_else(|| at(format!("timestamp '{}' is not YYYY/MM/DD HH:MM", get(0))))?;
        let cur = |i: usize| {
            iso_currency(&get(i)).map(str::to_string).ok_or_else(|| at(format!("unknown currency '{}'", get(i))))
        };
        let dec = |i: usize| Decimal::from_str(get(i).trim()).map_err(|e| at(format!("amount '{}': {e}", get(i))));
        let format = get(9);
        if channel(&format).is_none() {
            return Err(at(format!("unknown payment_format '{format}'")));
        }
        out.push(Txn {
            id: format!("BEN-{line}"),
            booked_at,
            date,
            from: account_id(&get(1), &get(2)),
            to: account_id(&get(3), &get(4)),
            amount_paid: dec(7)?,
            paid_cur: cur(8)?,
            amount_received: dec(5)?,
            recv_cur: cur(6)?,
            format,
            laundering: get(10).trim() == "1",
        });
    }
    Ok(out)
}

/// Rates against `base` derived from rows whose two currencies differ (see the module docs).
fn derive_rates(txns: &[&Txn], base: &str) -> (Vec<DerivedRate>, usize) {
    // (currency, date) -> (Σ base, Σ foreign, observations)
    let mut acc: BTreeMap<(String, String), (Decimal, Decimal, usize)> = BTreeMap::new();
    let mut cross = 0usize;
    for t in txns {
        if t.paid_cur == t.recv_cur || t.amount_paid <= Decimal::ZERO || t.amount_received <= Decimal::ZERO {
            continue;
        }
        let (cur, base_amt, foreign_amt) = if t.recv_cur == base {
            (&t.paid_cur, t.amount_received, t.amount_paid)
        } else if t.paid_cur == base {
            (&t.recv_cur, t.amount_paid, t.amount_received)
        } else {
            cross += 1;
            continue;
        };
        let e = acc.entry((cur.clone(), t.date.clone())).or_default();
        e.0 += base_amt;
        e.1 += foreign_amt;
        e.2 += 1;
    }
    let rates = acc
        .into_iter()
        .filter_map(|((currency, date), (b, f, n))| {
            let rate = b.checked_div(f)?.round_dp(10);
            Some(DerivedRate { date, currency, rate, observations: n })
        })
        .collect();
    (rates, cross)
}

fn write(path: &Path, s: &str) -> Result<(), IbmError> {
    std::fs::write(path, s).map_err(io(path, "write"))
}

/// One CSV file being written; errors name the file.
struct CsvOut {
    path: PathBuf,
    w: csv::Writer<std::fs::File>,
}

impl CsvOut {
    fn create(path: PathBuf, header: &[&str]) -> Result<CsvOut, IbmError> {
        let w = csv::Writer::from_path(&path).map_err(|e| bad(&path, e.to_string()))?;
        let mut out = CsvOut { path, w };
        out.row(header)?;
        Ok(out)
    }

    fn row(&mut self, rec: &[&str]) -> Result<(), IbmError> {
        self.w.write_record(rec).map_err(|e| bad(&self.path, e.to_string()))
    }

    fn finish(mut self) -> Result<(), IbmError> {
        self.w.flush().map_err(io(&self.path, "write"))
    }
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Imports the IBM folder `src` into the case folder `out` (created; existing case files in it
/// are overwritten).
///
/// # Errors
/// [`IbmError`] when a file cannot be read or written, or the input has an unexpected shape
/// (unknown currency, family or payment format, a malformed timestamp or amount).
///
/// # Complexity
/// O(n log n) in the number of transactions (sorted maps of accounts and rates).
pub fn import(src: &Path, out: &Path, opts: &ImportOptions) -> Result<ImportSummary, IbmError> {
    let patterns = read_patterns(&src.join(PATTERNS_FILE))?;
    let benign = read_sample(&src.join(SAMPLE_FILE))?;
    let base = opts.base_currency.trim().to_ascii_uppercase();
    let all: Vec<&Txn> = patterns.iter().flat_map(|p| p.txns.iter()).chain(benign.iter()).collect();
    let (rates, cross) = derive_rates(&all, &base);

    let mut s = ImportSummary {
        patterns: patterns.len(),
        pattern_txns: patterns.iter().map(|p| p.txns.len()).sum(),
        benign_txns: benign.len(),
        rates: rates.clone(),
        cross_pairs_unused: cross,
        ..ImportSummary::default()
    };
    let cover = RateCover::new(&base, &rates);
    count_rejects(&all, &cover, &mut s);

    std::fs::create_dir_all(out.join("truth")).map_err(io(out, "create"))?;
    s.accounts = write_accounts(out, &all)?;
    write_transfers(out, &all)?;
    let mut w = CsvOut::create(out.join("fx_rates.csv"), &["date", "currency", "rate"])?;
    for r in &rates {
        w.row(&[&r.date, &r.currency, &r.rate.to_string()])?;
    }
    w.finish()?;
    write_truth(out, &patterns, &cover)?;
    count_families(&patterns, &cover, &mut s);
    write_case_toml(src, out, opts, &base, &all, &s)?;
    Ok(s)
}

/// Which rows ingest loads (every row but a self-transfer) and which of them it can convert to
/// the base currency (the payment currency is the base or has a rate on or before the date;
/// the others load with an unknown base amount).
struct RateCover<'a> {
    base: &'a str,
    /// First rate date per currency.
    first_rate: BTreeMap<&'a str, &'a str>,
}

impl<'a> RateCover<'a> {
    fn new(base: &'a str, rates: &'a [DerivedRate]) -> RateCover<'a> {
        let mut first_rate: BTreeMap<&str, &str> = BTreeMap::new();
        for r in rates {
            first_rate.entry(r.currency.as_str()).or_insert(r.date.as_str());
        }
        RateCover { base, first_rate }
    }

    /// Whether ingest loads `t` (it is cash or not a self-transfer).
    fn loadable(&self, t: &Txn) -> bool {
        t.is_cash() || !t.is_self()
    }

    /// Whether ingest loads `t` with a base amount (loadable, and a rate covers it).
    fn valued(&self, t: &Txn) -> bool {
        let rate_ok =
            t.paid_cur == self.base || self.first_rate.get(t.paid_cur.as_str()).is_some_and(|d| *d <= t.date.as_str());
        self.loadable(t) && rate_ok
    }
}

/// Counts the cash rows and predicts ingest's rejects (self-transfers) and the rows it loads
/// with an unknown base amount (missing rates).
fn count_rejects(all: &[&Txn], cover: &RateCover, s: &mut ImportSummary) {
    for t in all {
        if t.is_cash() {
            s.cash_rows += 1;
            if t.is_self() {
                s.cash_self += 1;
            }
        } else if t.is_self() {
            if t.laundering {
                s.self_transfers.0 += 1;
            } else {
                s.self_transfers.1 += 1;
            }
            continue;
        }
        if !cover.valued(t) {
            let e = s.missing_rates.entry(t.paid_cur.clone()).or_default();
            if t.laundering {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
}

/// accounts.csv: every account named (a cash row's payer is not an account); returns how many.
fn write_accounts(out: &Path, all: &[&Txn]) -> Result<usize, IbmError> {
    let mut accounts: BTreeSet<&str> = BTreeSet::new();
    for t in all {
        if !t.is_cash() {
            accounts.insert(&t.from);
        }
        accounts.insert(&t.to);
    }
    let mut w = CsvOut::create(out.join("accounts.csv"), &["account_id", "bank"])?;
    for a in &accounts {
        let bank = a.split(':').next().unwrap_or("");
        w.row(&[a, bank])?;
    }
    w.finish()?;
    Ok(accounts.len())
}

/// transfers.csv: laundering rows first (pattern order), then the benign sample.
fn write_transfers(out: &Path, all: &[&Txn]) -> Result<(), IbmError> {
    let mut w = CsvOut::create(
        out.join("transfers.csv"),
        &[
            "txn_id",
            "booked_at",
            "from_account",
            "to_account",
            "amount",
            "currency",
            "channel",
            "ibm_payment_format",
            "ibm_from_account",
            "ibm_amount_received",
            "ibm_receiving_currency",
            "ibm_is_laundering",
        ],
    )?;
    for t in all {
        let ch = channel(&t.format).unwrap_or("wire");
        let (from, ibm_from) = if t.is_cash() { ("", t.from.as_str()) } else { (t.from.as_str(), "") };
        w.row(&[
            &t.id,
            &t.booked_at,
            from,
            &t.to,
            &t.amount_paid.to_string(),
            &t.paid_cur,
            ch,
            &t.format,
            ibm_from,
            &t.amount_received.to_string(),
            &t.recv_cur,
            if t.laundering { "1" } else { "0" },
        ])?;
    }
    w.finish()
}

fn typology_of(family: &str) -> &'static str {
    FAMILIES.iter().find(|(f, _)| *f == family).map(|(_, t)| *t).unwrap_or("unknown")
}

/// truth/patterns.csv (every attempt) and truth/patterns_loadable.csv (attempts whose every
/// transaction loads).
fn write_truth(out: &Path, patterns: &[Pattern], cover: &RateCover) -> Result<(), IbmError> {
    for (file, only_loadable) in [("truth/patterns.csv", false), ("truth/patterns_loadable.csv", true)] {
        let mut w = CsvOut::create(out.join(file), &["pattern_id", "typology", "txn_ids", "accounts", "entities"])?;
        for pat in patterns {
            if only_loadable && !pat.txns.iter().all(|t| cover.loadable(t)) {
                continue;
            }
            let ids: Vec<&str> = pat.txns.iter().map(|t| t.id.as_str()).collect();
            let accts: BTreeSet<&str> = pat.txns.iter().flat_map(|t| [t.from.as_str(), t.to.as_str()]).collect();
            let accts: Vec<&str> = accts.into_iter().collect();
            w.row(&[&pat.id, typology_of(&pat.family), &ids.join(";"), &accts.join(";"), ""])?;
        }
        w.finish()?;
    }
    Ok(())
}

/// Per family: attempts and transactions, and how many of them load.
fn count_families(patterns: &[Pattern], cover: &RateCover, s: &mut ImportSummary) {
    for pat in patterns {
        let f = s.families.entry(pat.family.clone()).or_default();
        f.typology = typology_of(&pat.family).to_string();
        f.patterns += 1;
        f.txns += pat.txns.len();
        let ok = pat.txns.iter().filter(|t| cover.loadable(t)).count();
        f.txns_loadable += ok;
        f.txns_valued += pat.txns.iter().filter(|t| cover.valued(t)).count();
        if ok == pat.txns.len() {
            f.patterns_loadable += 1;
        }
        if ok == 0 {
            f.patterns_unloadable += 1;
        }
    }
}

/// case.toml: base currency, the latest date as valuation date, and notes that say where the
/// data came from and what ingest will reject.
fn write_case_toml(
    src: &Path,
    out: &Path,
    opts: &ImportOptions,
    base: &str,
    all: &[&Txn],
    s: &ImportSummary,
) -> Result<(), IbmError> {
    let last = all.iter().map(|t| t.date.as_str()).max().unwrap_or("2022-09-01");
    let mut missing = String::new();
    for (c, (l, b)) in &s.missing_rates {
        let _ = write!(missing, " {c} ({l} laundering, {b} benign rows);");
    }
    let notes = format!(
        "Imported by `moneytrail import-ibm` from {src} (IBM AML HI-Small, Altman et al. 2023, \
         CDLA-Sharing-1.0): {np} laundering attempts ({nt} transactions) from {PATTERNS_FILE} and {nb} \
         benign rows from {SAMPLE_FILE}. Rates derived from the data: {nr} ({cross} cross-currency rows \
         between two non-base currencies unused). Currencies without a derivable rate (their rows load \
         with an unknown base amount):{missing} Self-transfers rejected by ingest: {sl} laundering, {sb} benign. \
         cash_report is the US CTR threshold. IBM writes every currency with cents (yen and rupees \
         included), so amounts are rounded to the currency's minor unit at ingest, each rounding a \
         warning. See docs/evaluation.md.",
        src = src.display(),
        np = s.patterns,
        nt = s.pattern_txns,
        nb = s.benign_txns,
        nr = s.rates.len(),
        cross = s.cross_pairs_unused,
        sl = s.self_transfers.0,
        sb = s.self_transfers.1,
    );
    let toml = format!(
        "name = {}\nbase_currency = {}\nvaluation_date = {}\nnotes = {}\n\n[read]\n# IBM writes cents for every currency (JPY too): rounded to the minor unit, each a warning.\nround_amounts = true\n\n[thresholds]\ncash_report = {}\n",
        toml_str("IBM AML HI-Small laundering patterns"),
        toml_str(base),
        toml_str(last),
        toml_str(&notes),
        toml_str(&opts.cash_report.to_string()),
    );
    write(&out.join("case.toml"), &toml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_ids_lose_leading_zeros() {
        assert_eq!(account_id("021174", "800737690"), "21174:800737690");
        assert_eq!(account_id("000", "X"), "0:X");
        assert_eq!(account_id("B01", "X"), "B01:X");
    }

    #[test]
    fn json_amounts_are_exact() {
        let v: serde_json::Value = serde_json::from_str("[2848.96, 0.370287, 2597164367.66, 1e-5]").unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(json_decimal(&a[0]).unwrap().to_string(), "2848.96");
        assert_eq!(json_decimal(&a[1]).unwrap().to_string(), "0.370287");
        assert_eq!(json_decimal(&a[2]).unwrap().to_string(), "2597164367.66");
        assert_eq!(json_decimal(&a[3]).unwrap(), Decimal::new(1, 5));
        let long: serde_json::Value = serde_json::from_str("1234567890.1234567").unwrap();
        assert!(json_decimal(&long).is_err());
    }

    #[test]
    fn rates_come_only_from_rows_against_the_base() {
        let t = |paid: &str, ap: i64, recv: &str, ar: i64, date: &str| Txn {
            id: String::new(),
            booked_at: String::new(),
            date: date.into(),
            from: "a".into(),
            to: "b".into(),
            amount_paid: Decimal::new(ap, 0),
            paid_cur: paid.into(),
            amount_received: Decimal::new(ar, 0),
            recv_cur: recv.into(),
            format: "ACH".into(),
            laundering: false,
        };
        let rows = [
            t("EUR", 100, "USD", 110, "2022-09-01"),
            t("USD", 120, "EUR", 100, "2022-09-01"),
            t("EUR", 100, "GBP", 90, "2022-09-01"),
            t("USD", 5, "USD", 5, "2022-09-01"),
        ];
        let refs: Vec<&Txn> = rows.iter().collect();
        let (rates, cross) = derive_rates(&refs, "USD");
        assert_eq!(cross, 1);
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].currency, "EUR");
        assert_eq!(rates[0].observations, 2);
        assert_eq!(rates[0].rate, Decimal::new(115, 2)); // (110 + 120) / (100 + 100)
    }

    #[test]
    fn every_ibm_name_maps() {
        for (n, c) in CURRENCIES {
            assert_eq!(iso_currency(n), Some(*c));
        }
        assert_eq!(channel("Cash"), Some("cash_deposit"));
        assert_eq!(channel("Credit Card"), Some("card"));
        assert_eq!(channel("Telex"), None);
    }
}
