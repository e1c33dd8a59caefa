//! The load loop shared by every table: open each source, parse its records in parallel
//! batches, accept them in file order, and account for every row.

use super::config::{read_case_toml, resolve_inside, CaseToml, ReadOptions, SourceSpec};
use super::report::{clip, IngestReport, Issue, TableCount};
use super::row::{ColumnMap, Fault, RowView};
use super::source::{hash_file, CsvSource, FieldKind, Record};
use super::{IngestError, LoadOptions, Loaded, TABLES};
use crate::model::*;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// State handed to a table's accept step.
pub(crate) struct Ctx<'a> {
    /// The case being built.
    pub case: &'a mut Case,
    warnings: Vec<Fault>,
}

impl Ctx<'_> {
    /// Records a warning about the row being accepted (it still loads).
    pub fn warn(&mut self, f: Fault) {
        self.warnings.push(f);
    }
}

/// Where a table keeps its extra columns.
pub(crate) type ExtrasOf = Box<dyn Fn(&mut Case) -> &mut Extras + Send + Sync>;

/// What a table contributes to the driver.
pub(crate) struct TableDef<'d, T, P, A> {
    pub name: &'d str,
    pub columns: &'d [&'d str],
    pub required: &'d [&'d str],
    pub parse: P,
    pub accept: A,
    pub extras: ExtrasOf,
    /// Called once after the first batch with an estimate of the source's rows.
    pub reserve: fn(&mut Case, usize),
    pub _row: std::marker::PhantomData<T>,
}

pub(crate) struct Loader {
    pub dir: PathBuf,
    /// case.toml or the mapping file (named in configuration errors).
    pub settings: PathBuf,
    pub toml: CaseToml,
    pub case: Case,
    pub report: IngestReport,
    /// Transfer ids by hash, kept while titles resolve payment ids.
    pub txn_index: Option<super::transfers::TxnIndex>,
}

impl Loader {
    pub fn run(dir: &Path, opts: &LoadOptions) -> Result<Loaded, IngestError> {
        let settings = opts.mapping.clone().unwrap_or_else(|| dir.join("case.toml"));
        if !dir.is_dir() {
            return Err(IngestError::Io {
                path: dir.to_path_buf(),
                what: "open the case folder".into(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            });
        }
        let toml = read_case_toml(&settings)?;
        let meta = case_meta(&toml, &settings)?;
        let (sha256, size) = hash_file(&settings)?;
        let case = Case {
            meta,
            files: vec![SourceFile { path: display_path(dir, &settings), size, sha256, table: "config".into() }],
            persons: Table::default(),
            companies: Table::default(),
            accounts: Table::default(),
            transfers: Transfers::default(),
            properties: Table::default(),
            titles: Table::default(),
            encumbrances: Table::default(),
            ownership: Table::default(),
            relations: Table::default(),
            income: Table::default(),
            suspects: Table::default(),
            victims: Table::default(),
            labelled: Labelled::default(),
            fx: FxTable::default(),
            fx_extras: Extras::default(),
            cities: Vec::new(),
            entity_index: Default::default(),
            account_index: Default::default(),
            property_index: Default::default(),
            inferred_links: Vec::new(),
        };
        for t in toml.tables.keys() {
            if !TABLES.contains(&t.as_str()) {
                return Err(IngestError::Config {
                    path: settings.clone(),
                    message: format!("unknown table '{t}'; the tables are: {}", TABLES.join(", ")),
                });
            }
        }
        let mut l = Loader {
            dir: dir.to_path_buf(),
            settings: settings.clone(),
            toml,
            case,
            report: IngestReport::default(),
            txn_index: None,
        };
        super::tables::load_all(&mut l)?;
        l.finish();
        Ok(Loaded { case: l.case, report: l.report })
    }

    fn finish(&mut self) {
        if self.case.suspects.is_empty() {
            self.report.warnings.push(Issue {
                table: "suspects".into(),
                file: String::new(),
                line: 0,
                column: String::new(),
                value: String::new(),
                reason: "the case names no suspects: findings cannot be linked to a suspect (add suspects.csv)".into(),
            });
        }
        self.report.rejects.sort();
        self.report.warnings.sort();
        self.case.transfers.shrink_to_fit();
        self.txn_index = None;
    }

    /// The sources of `table`: as declared in case.toml, else `<table>.csv` / `<table>.parquet`.
    fn sources(&self, table: &str) -> Vec<SourceSpec> {
        if let Some(s) = self.toml.tables.get(table) {
            return s.clone();
        }
        ["csv", "parquet"]
            .iter()
            .map(|ext| format!("{table}.{ext}"))
            .find(|f| self.dir.join(f).is_file())
            .map(|file| vec![SourceSpec { file, read: ReadOptions::default(), columns: Default::default() }])
            .unwrap_or_default()
    }

    /// Loads every source of one table.
    pub fn load<T, P, A>(&mut self, def: TableDef<'_, T, P, A>) -> Result<(), IngestError>
    where
        T: Send,
        P: Fn(&RowView<'_>) -> Result<T, Fault> + Sync + Send,
        A: FnMut(&mut Ctx<'_>, T, &RowView<'_>, Prov) -> Result<(), Fault> + Send,
    {
        let sources = self.sources(def.name);
        self.load_from(def, sources)
    }

    /// Loads one table from the given sources (labelled tables name theirs in `[labels]`).
    pub fn load_from<T, P, A>(
        &mut self,
        def: TableDef<'_, T, P, A>,
        sources: Vec<SourceSpec>,
    ) -> Result<(), IngestError>
    where
        T: Send,
        P: Fn(&RowView<'_>) -> Result<T, Fault> + Sync + Send,
        A: FnMut(&mut Ctx<'_>, T, &RowView<'_>, Prov) -> Result<(), Fault> + Send,
    {
        let mut def = def;
        let mut count = TableCount { table: def.name.to_string(), ..Default::default() };
        for spec in sources {
            let path = resolve_inside(&self.dir, &spec.file)?;
            let rel = display_path(&self.dir, &path);
            let opts = spec.read.over(&self.toml.read);
            let file_idx = self.case.files.len() as u32;
            self.case.files.push(SourceFile {
                path: rel.clone(),
                size: 0,
                sha256: String::new(),
                table: def.name.into(),
            });
            let (hashed, loaded) = rayon::join(
                || hash_file(&path),
                || self.load_source(&mut def, &spec, &path, &rel, opts, file_idx, &mut count),
            );
            let (sha256, size) = hashed?;
            loaded?;
            let f = &mut self.case.files[file_idx as usize];
            f.sha256 = sha256;
            f.size = size;
            count.files += 1;
        }
        self.report.tables.push(count);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn load_source<T, P, A>(
        &mut self,
        def: &mut TableDef<'_, T, P, A>,
        spec: &SourceSpec,
        path: &Path,
        rel: &str,
        opts: ReadOptions,
        file_idx: u32,
        count: &mut TableCount,
    ) -> Result<(), IngestError>
    where
        T: Send,
        P: Fn(&RowView<'_>) -> Result<T, Fault> + Sync + Send,
        A: FnMut(&mut Ctx<'_>, T, &RowView<'_>, Prov) -> Result<(), Fault> + Send,
    {
        let is_parquet = matches!(path.extension().and_then(|e| e.to_str()), Some("parquet" | "pq"));
        let mut reader: BatchReader;
        let headers: Vec<String>;
        // Set by a Parquet source: its column kinds and row count.
        #[cfg_attr(not(feature = "parquet"), allow(unused_mut))]
        let mut kinds: Vec<FieldKind> = Vec::new();
        #[cfg_attr(not(feature = "parquet"), allow(unused_mut))]
        let mut parquet_rows = 0usize;
        if is_parquet {
            #[cfg(feature = "parquet")]
            {
                let mut src = super::source::ParquetSource::open(path)?;
                headers = std::mem::take(&mut src.headers);
                kinds = src.kinds.clone();
                parquet_rows = src.rows();
                reader = Box::new(move |buf: &mut Vec<Record>| src.next_batch(buf));
            }
            #[cfg(not(feature = "parquet"))]
            return Err(IngestError::NoParquet { path: path.to_path_buf() });
        } else {
            let mut src = CsvSource::open(path, &opts)?;
            headers = std::mem::take(&mut src.headers);
            if let Some(w) = src.sniff_warning.take() {
                count.warnings += 1;
                self.report.warnings.push(issue(def.name, rel, 0, Fault::new("", "", w)));
            }
            if headers.is_empty() {
                count.warnings += 1;
                let why = "the file is empty (not even a header line): no rows loaded from it";
                self.report.warnings.push(issue(def.name, rel, 0, Fault::new("", "", why)));
                return Ok(());
            }
            let p = path.to_path_buf();
            reader = Box::new(move |buf: &mut Vec<Record>| src.next_batch(&p, buf));
        }
        let mut map = ColumnMap::resolve(path, def.columns, def.required, spec, opts, &headers)?;
        map.kinds = kinds;
        // Extra columns: align the table's extras with this source's.
        let extras = (def.extras)(&mut self.case);
        let rows_before = count.loaded as usize;
        let mut slots = Vec::with_capacity(map.extras.len());
        for (name, _) in &map.extras {
            let pos = match extras.names.iter().position(|n| n == name) {
                Some(p) => p,
                None => {
                    extras.names.push(name.clone());
                    let mut col = StrColumn::new();
                    for _ in 0..rows_before {
                        col.push("")?;
                    }
                    extras.columns.push(col);
                    extras.columns.len() - 1
                }
            };
            slots.push(pos);
        }
        let parse = &def.parse;
        let mut batch: Vec<Record> = Vec::new();
        let mut spare: Vec<Record> = Vec::new();
        reader(&mut batch)?;
        if !batch.is_empty() {
            // Reserve for the whole file: rows = file size / bytes per row of the first batch
            // (+2 %), so the columns do not grow by doubling.
            let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let first = batch.first().and_then(|r| r.fields.position()).map_or(0, |p| p.byte());
            let last = batch.last().and_then(|r| r.fields.position()).map_or(0, |p| p.byte());
            let per_row = (last.saturating_sub(first) as f64 / (batch.len().max(2) - 1) as f64).max(1.0);
            let est = (file_len as f64 / per_row * 1.02) as usize;
            (def.reserve)(&mut self.case, if is_parquet { parquet_rows } else { est.max(batch.len()) });
        }
        while !batch.is_empty() {
            let (next, parsed) = rayon::join(
                || reader(&mut spare),
                || {
                    batch
                        .par_iter()
                        .map(|r| {
                            let v = RowView::new(r.line, &r.fields, &map)?;
                            let row = parse(&v)?;
                            let ex: Vec<String> = map.extras.iter().map(|(_, i)| v.extra(*i).into_owned()).collect();
                            Ok((row, ex))
                        })
                        .collect::<Vec<Result<(T, Vec<String>), Fault>>>()
                },
            );
            for (rec, res) in batch.iter().zip(parsed) {
                count.read += 1;
                let prov = Prov { file: file_idx, line: rec.line.min(u32::MAX as u64) as u32 };
                let outcome = res.and_then(|(row, ex)| {
                    let mut ctx = Ctx { case: &mut self.case, warnings: Vec::new() };
                    let view = RowView::checked(rec.line, &rec.fields, &map);
                    (def.accept)(&mut ctx, row, &view, prov)?;
                    let warnings = ctx.warnings;
                    Ok((ex, warnings))
                });
                match outcome {
                    Ok((ex, warnings)) => {
                        count.loaded += 1;
                        let extras = (def.extras)(&mut self.case);
                        let mut filled = vec![false; extras.columns.len()];
                        for (slot, v) in slots.iter().zip(&ex) {
                            extras.columns[*slot].push(v)?;
                            filled[*slot] = true;
                        }
                        for (c, f) in extras.columns.iter_mut().zip(filled) {
                            if !f {
                                c.push("")?;
                            }
                        }
                        count.warnings += warnings.len() as u64;
                        for w in warnings {
                            self.report.warnings.push(issue(def.name, rel, rec.line, w));
                        }
                    }
                    Err(f) => {
                        count.rejected += 1;
                        self.report.rejects.push(issue(def.name, rel, rec.line, f));
                    }
                }
            }
            next?;
            std::mem::swap(&mut batch, &mut spare);
        }
        Ok(())
    }

    /// Rejects a loaded row after the fact (e.g. a duplicate found by a later pass).
    pub fn reject_after(&mut self, table: &str, prov: Prov, f: Fault) {
        let file = self.case.files.get(prov.file as usize).map(|f| f.path.clone()).unwrap_or_default();
        if let Some(t) = self.report.tables.iter_mut().find(|t| t.table == table) {
            t.loaded -= 1;
            t.rejected += 1;
        }
        self.report.rejects.push(issue(table, &file, prov.line as u64, f));
    }

    /// Adds a warning about a loaded row after the fact.
    pub fn warn_after(&mut self, table: &str, prov: Prov, f: Fault) {
        let file = self.case.files.get(prov.file as usize).map(|f| f.path.clone()).unwrap_or_default();
        if let Some(t) = self.report.tables.iter_mut().find(|t| t.table == table) {
            t.warnings += 1;
        }
        self.report.warnings.push(issue(table, &file, prov.line as u64, f));
    }
}

/// Refills a batch buffer from a source.
type BatchReader = Box<dyn FnMut(&mut Vec<Record>) -> Result<(), IngestError> + Send>;

fn issue(table: &str, file: &str, line: u64, f: Fault) -> Issue {
    Issue { table: table.into(), file: file.into(), line, column: f.column, value: clip(&f.value), reason: f.reason }
}

/// A path shown relative to the case folder when it lies inside it.
fn display_path(dir: &Path, p: &Path) -> String {
    let shown = p.strip_prefix(dir).unwrap_or(p);
    shown.to_string_lossy().replace('\\', "/")
}

fn case_meta(t: &CaseToml, path: &Path) -> Result<CaseMeta, IngestError> {
    let bad = |message: String| IngestError::Config { path: path.to_path_buf(), message };
    let n = t.name.chars().count();
    if n > super::row::MAX_CASE_NAME {
        return Err(bad(format!(
            "name has {n} characters; the longest accepted is {} (it is printed on every page and diagram of a \
             bundle; docs/data-model.md, \"Limits\")",
            super::row::MAX_CASE_NAME
        )));
    }
    if t.name.chars().any(char::is_control) {
        return Err(bad("name holds a control character (a line break, tab or escape): write it on one line".into()));
    }
    let base = Currency::parse(&t.base_currency)
        .ok_or_else(|| bad(format!("base_currency '{}' is not a three-letter ISO 4217 code", t.base_currency)))?;
    let valuation_date = Date::parse_iso(&t.valuation_date)
        .ok_or_else(|| bad(format!("valuation_date '{}' is not a date YYYY-MM-DD", t.valuation_date)))?;
    // Default threshold: ALL 1,000,000 (docs/domain.md §1.3, threshold T; §3.6).
    let cash = match &t.thresholds.cash_report {
        None => Decimal::from(1_000_000),
        Some(s) => s
            .trim()
            .replace('_', "")
            .parse::<Decimal>()
            .ok()
            .filter(|d| *d > Decimal::ZERO)
            .ok_or_else(|| bad(format!("thresholds.cash_report '{s}' is not a positive decimal amount")))?,
    };
    Ok(CaseMeta { name: t.name.clone(), base_currency: base, valuation_date, cash_report: Money::new(cash, base) })
}
