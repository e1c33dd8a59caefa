//! The load loop shared by every table: open each source, parse its records in parallel
//! batches, accept them in file order, and account for every row.

use super::config::{read_case_toml, resolve_inside, CaseToml, ReadOptions, SourceSpec};
use super::report::{clip, IngestReport, Issue, PreviewRow, SourcePreview, TableCount};
use super::row::{mapped_source_columns, ColumnMap, Fault, RowView};
use super::source::{hash_file, BatchReader, Opened, Record};
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

/// Renders the last loaded row of a table as (column, value) pairs, for `--preview`.
pub(crate) type ShowRow = fn(&Case) -> Vec<(String, String)>;

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
    /// For `--preview`: the last loaded row as (column, value) pairs; `None` shows the
    /// mapped text of each contract column.
    pub show: Option<ShowRow>,
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
    /// The case's time zone.
    pub zone: chrono_tz::Tz,
    /// `--preview N`: keep the first N rows of each source.
    pub preview: Option<usize>,
}

impl Loader {
    pub fn run(dir: &Path, opts: &LoadOptions, preview: Option<usize>) -> Result<Loaded, IngestError> {
        let settings = opts.mapping.clone().unwrap_or_else(|| dir.join("case.toml"));
        if !dir.is_dir() {
            return Err(IngestError::Io {
                path: dir.to_path_buf(),
                what: "open the case folder".into(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            });
        }
        if opts.mapping.is_none() {
            super::config::check_settings_path(dir, &settings)?;
        }
        let toml = read_case_toml(&settings)?;
        let meta = case_meta(&toml, &settings)?;
        let zone = match &toml.timezone {
            None => super::zone::DEFAULT_ZONE,
            Some(z) => super::zone::parse_zone(z).map_err(|message| IngestError::Config {
                path: settings.clone(),
                message: format!("timezone: {message}"),
            })?,
        };
        let (sha256, size) = hash_file(&settings)?;
        let case = Case {
            meta,
            files: vec![SourceFile {
                path: display_path(dir, &settings),
                size,
                sha256,
                table: "config".into(),
                sheet: None,
            }],
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
            zone,
            preview,
        };
        let _progress = crate::progress::stage("ingest", None, crate::progress::Unit::Rows);
        crate::progress::bytes_total(l.text_source_bytes());
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
        self.report.skipped.sort();
        self.case.transfers.shrink_to_fit();
        self.txn_index = None;
    }

    /// Bytes of the text (CSV) sources of the standard tables and of the tables case.toml
    /// declares: what the progress bar's ETA counts (workbooks and Parquet are not read as
    /// text and are left out).
    fn text_source_bytes(&self) -> u64 {
        let tables = crate::model::schema::TABLES;
        let mut names: Vec<&str> = tables.iter().map(|t| t.0).collect();
        names.extend(self.toml.tables.keys().map(String::as_str).filter(|k| !tables.iter().any(|t| t.0 == *k)));
        names
            .iter()
            .flat_map(|t| self.sources(t))
            .filter(|s| {
                let f = s.file.to_ascii_lowercase();
                !(f.ends_with(".parquet") || f.ends_with(".xlsx") || f.ends_with(".xls") || f.ends_with(".ods"))
            })
            .filter_map(|s| std::fs::metadata(self.dir.join(&s.file)).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    }

    /// The sources of `table`: as declared in case.toml, else `<table>.csv` / `<table>.parquet`.
    pub fn sources(&self, table: &str) -> Vec<SourceSpec> {
        if let Some(s) = self.toml.tables.get(table) {
            return s.clone();
        }
        ["csv", "parquet"]
            .iter()
            .map(|ext| format!("{table}.{ext}"))
            // Whatever is there under the name (a directory, a FIFO, a link to /dev/zero) is
            // the table's source, so that load reports it instead of taking it as absent.
            .find(|f| self.dir.join(f).symlink_metadata().is_ok())
            .map(|file| vec![SourceSpec { file, read: ReadOptions::default(), ..Default::default() }])
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
        crate::progress::note(def.name);
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
                sheet: None,
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

    /// Opens a source and resolves its mapping against the header, with the hints a new user
    /// needs when they do not fit (encoding, a header below a preamble).
    pub fn open_mapped(
        &self,
        columns: &[&str],
        required: &[&str],
        spec: &SourceSpec,
        path: &Path,
        opts: &ReadOptions,
    ) -> Result<(Opened, ColumnMap), IngestError> {
        let opened = super::source::open(path, opts)?;
        if opened.headers.is_empty() {
            let map = ColumnMap::resolve(path, &[], &[], &SourceSpec::default(), opts.clone(), &[])?;
            return Ok((opened, map));
        }
        let mut map = ColumnMap::resolve(path, columns, required, spec, opts.clone(), &opened.headers)
            .map_err(|e| self.mapping_hint(e, &opened, spec, path, opts))?;
        map.kinds = opened.kinds.clone();
        map.typed_source = opened.typed_source;
        map.zones = map.zones.with_case(self.zone);
        if let (Some(st), Some(ctx)) = (map.statement.as_mut(), spec.resolved.as_ref()) {
            st.ctx = Some(ctx.clone());
        }
        Ok((opened, map))
    }

    /// Adds to a mapping error what is likely wrong: the encoding, or a header further down.
    fn mapping_hint(
        &self,
        e: IngestError,
        opened: &Opened,
        spec: &SourceSpec,
        path: &Path,
        opts: &ReadOptions,
    ) -> IngestError {
        let IngestError::Mapping { path: p, mut message } = e else { return e };
        if let Some(h) = &opened.encoding_hint {
            message.push_str(&format!("; {h}"));
        } else if opts.skip_rows.is_none() && opts.header_contains.is_none() {
            let names = mapped_source_columns(spec);
            if !names.is_empty() {
                let probe = ReadOptions { header_contains: Some(names.clone()), ..opts.clone() };
                if let Ok(found) = super::source::open(path, &probe) {
                    if found.header_line > 1 {
                        message.push_str(&format!(
                            "; the header seems to be line {} (it holds {}): the lines above it are a preamble, so set read = {{ skip_rows = {} }} or read = {{ header_contains = [\"{}\"] }}",
                            found.header_line,
                            names.join(", "),
                            found.header_line - 1,
                            names.iter().take(2).cloned().collect::<Vec<_>>().join("\", \"")
                        ));
                    }
                }
            }
        }
        IngestError::Mapping { path: p, message }
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
        let (opened, map) = self.open_mapped(def.columns, def.required, spec, path, &opts)?;
        self.case.files[file_idx as usize].sheet = opened.sheet.clone();
        for w in &opened.warnings {
            count.warnings += 1;
            self.report.warnings.push(issue(def.name, rel, 0, Fault::new("", "", w.clone())));
        }
        if opened.headers.is_empty() {
            count.warnings += 1;
            let why = "the file is empty (not even a header line): no rows loaded from it";
            self.report.warnings.push(issue(def.name, rel, 0, Fault::new("", "", why)));
            return Ok(());
        }
        let known_rows = opened.rows;
        // Workbook rejects name the sheet and cell beside the contract column.
        let cell_of = |column: &str, line: u64| -> Option<String> {
            let sheet = opened.sheet.as_ref()?;
            let i = map.field_of(column)?;
            Some(format!("{column} ({sheet}!{})", super::excel::a1(opened.first_column + i as u32, line)))
        };
        let mut preview = self.preview.map(|_| SourcePreview {
            table: def.name.to_string(),
            file: rel.to_string(),
            sheet: opened.sheet.clone(),
            header_line: opened.header_line,
            preamble: opened.preamble.len(),
            headers: opened.headers.clone(),
            notes: source_notes(spec, &map, &opened),
            ..Default::default()
        });
        let mut reader = with_footer(opened.reader, map.footer.clone());
        // Extra columns: align the table's extras with this source's.
        let slots = extra_slots((def.extras)(&mut self.case), &map, count.loaded as usize)?;
        let mut a: Vec<Record> = Vec::new();
        let mut b: Vec<Record> = Vec::new();
        let mut c: Vec<Record> = Vec::new();
        reader(&mut a)?;
        if !a.is_empty() {
            // Reserve for the whole file, so the columns do not grow by doubling.
            (def.reserve)(&mut self.case, known_rows.unwrap_or_else(|| estimate_rows(path, &a)));
        }
        let footer_rule = map.footer.as_ref().map(|c| c.describe());
        let filter_rule = map.filter.as_ref().map(|c| c.describe());
        let parse = &def.parse;
        let name = def.name;
        let extras_of = &def.extras;
        let show = def.show;
        let accept = &mut def.accept;
        // The parallel parse of a batch (no access to the case).
        let parse_batch = |batch: &[Record], out: &mut Vec<Parsed<T>>| {
            batch
                .par_iter()
                .map(|r| {
                    if r.footer {
                        return Parsed::Skip(format!(
                            "footer: the rows from the first one where {} are the file's footer",
                            footer_rule.as_deref().unwrap_or("")
                        ));
                    }
                    let v = match RowView::new(r.line, &r.fields, &map) {
                        Ok(v) => v.with_kinds(&r.kinds),
                        Err(f) => return Parsed::Fault(f),
                    };
                    if !v.kept() {
                        return Parsed::Skip(format!(
                            "row filter: the source reads only rows where {}",
                            filter_rule.as_deref().unwrap_or("")
                        ));
                    }
                    let row = match parse(&v) {
                        Ok(row) => row,
                        Err(f) => return Parsed::Fault(f),
                    };
                    let ex: Vec<String> = map.extras.iter().map(|(_, i)| v.extra(*i).into_owned()).collect();
                    let derived: Vec<(String, String)> = map
                        .keep_original
                        .iter()
                        .filter_map(|(name, c)| v.original(*c).map(|o| (name.clone(), o)))
                        .collect();
                    Parsed::Row(row, ex, derived)
                })
                .collect_into_vec(out);
            crate::progress::advance(batch.len() as u64);
        };
        // The accept step of a parsed batch, in file order: it alone touches the case.
        let mut accept_batch = |batch: &[Record], parsed: &mut Vec<Parsed<T>>| -> Result<(), IngestError> {
            for (rec, res) in batch.iter().zip(parsed.drain(..)) {
                count.read += 1;
                if count.read > crate::model::money::MAX_TABLE_ROWS {
                    return Err(IngestError::Mapping {
                    path: path.to_path_buf(),
                    message: format!(
                        "{} holds more than {} rows, the most a table can index (u32); the amount range's sums are proven up to that count (docs/data-model.md, \"Amount range\"): split the case",
                        name,
                        crate::model::money::MAX_TABLE_ROWS
                    ),
                });
                }
                let prov = Prov { file: file_idx, line: rec.line.min(u32::MAX as u64) as u32 };
                let view = RowView::checked(rec.line, &rec.fields, &map).with_kinds(&rec.kinds);
                let outcome = match res {
                    Parsed::Skip(why) => {
                        count.skipped += 1;
                        let f = Fault::new("", &view.raw(), why);
                        if let Some(p) = preview.as_mut() {
                            p.count.skipped += 1;
                            preview_row(p, self.preview, &view, None, &format!("skipped: {}", f.reason));
                        }
                        self.report.skipped.push(issue(name, rel, rec.line, f));
                        continue;
                    }
                    Parsed::Fault(f) => Err(f),
                    Parsed::Row(row, ex, derived) => {
                        let mut ctx = Ctx { case: &mut self.case, warnings: Vec::new() };
                        accept(&mut ctx, row, &view, prov).map(|()| (ex, derived, ctx.warnings))
                    }
                };
                match outcome {
                    Ok((ex, derived, warnings)) => {
                        count.loaded += 1;
                        let extras = extras_of(&mut self.case);
                        for (name, _) in &derived {
                            // Created when first needed, so that sources without converted
                            // times add no column.
                            if !extras.names.iter().any(|n| n == name) {
                                extras.names.push(name.clone());
                                let mut col = StrColumn::new();
                                for _ in 0..count.loaded - 1 {
                                    col.push("")?;
                                }
                                extras.columns.push(col);
                            }
                        }
                        let mut filled = vec![false; extras.columns.len()];
                        for (slot, v) in slots.iter().zip(&ex) {
                            extras.columns[*slot].push(v)?;
                            filled[*slot] = true;
                        }
                        for (name, value) in &derived {
                            if let Some(slot) = extras.names.iter().position(|n| n == name) {
                                extras.columns[slot].push(value)?;
                                filled[slot] = true;
                            }
                        }
                        for (c, f) in extras.columns.iter_mut().zip(filled) {
                            if !f {
                                c.push("")?;
                            }
                        }
                        count.warnings += warnings.len() as u64;
                        if let Some(p) = preview.as_mut() {
                            p.count.loaded += 1;
                            let shown = show.map(|f| f(&self.case));
                            preview_row(p, self.preview, &view, shown, "loaded");
                        }
                        for w in warnings {
                            self.report.warnings.push(issue(name, rel, rec.line, w));
                        }
                    }
                    Err(mut f) => {
                        count.rejected += 1;
                        if let Some(c) = cell_of(&f.column, rec.line) {
                            f.column = c;
                        }
                        let is = issue(name, rel, rec.line, f);
                        if let Some(p) = preview.as_mut() {
                            p.count.rejected += 1;
                            preview_row(p, self.preview, &view, None, &format!("rejected: {}", is.reason));
                            if p.rejects.len() < self.preview.unwrap_or(0).max(5) {
                                p.rejects.push(is.clone());
                            }
                        }
                        self.report.rejects.push(is);
                    }
                }
            }
            Ok(())
        };
        // Three stages overlap: batch k is accepted (one thread, in order) while batch k+1 is
        // parsed (the rest of the pool) and batch k+2 read. The accept step was the longest
        // sequential part of a load, with the other core idle. Rows are accepted in file order
        // whatever the overlap, so the case is the same as a sequential load's. A read error
        // stops the load once the rows before it are accepted, as in a sequential load.
        // The parsed rows of `a` and `b`; their allocations are reused batch after batch.
        let (mut parsed_a, mut parsed_b): (Vec<Parsed<T>>, Vec<Parsed<T>>) = (Vec::new(), Vec::new());
        let mut read_b =
            if a.is_empty() { Ok(()) } else { rayon::join(|| reader(&mut b), || parse_batch(&a, &mut parsed_a)).0 };
        while !a.is_empty() {
            if read_b.is_err() {
                accept_batch(&a, &mut parsed_a)?;
                return read_b;
            }
            let (accepted, read_c) = rayon::join(
                || accept_batch(&a, &mut parsed_a),
                || {
                    if b.is_empty() {
                        Ok(())
                    } else {
                        rayon::join(|| reader(&mut c), || parse_batch(&b, &mut parsed_b)).0
                    }
                },
            );
            accepted?;
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut b, &mut c);
            std::mem::swap(&mut parsed_a, &mut parsed_b);
            read_b = read_c;
        }
        if let Some(mut p) = preview {
            p.count.table = def.name.to_string();
            p.count.read = p.count.loaded + p.count.rejected + p.count.skipped;
            self.report.preview.push(p);
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

/// What the parallel parse makes of one record.
enum Parsed<T> {
    /// Parsed: the row, its extra columns, and derived extra columns (name, value).
    Row(T, Vec<String>, Vec<(String, String)>),
    /// Refused, with the reason.
    Fault(Fault),
    /// Set aside by a rule of the mapping (footer, filter), with the rule.
    Skip(String),
}

/// The position in the table's `extras` of each extra column of the source (`map.extras`);
/// columns new to the table are added, empty for the `rows_before` rows already loaded.
fn extra_slots(extras: &mut Extras, map: &ColumnMap, rows_before: usize) -> Result<Vec<usize>, IngestError> {
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
    Ok(slots)
}

/// Rows to reserve for a whole CSV file: file size / bytes per row of the first `batch` (+2 %),
/// so the columns do not grow by doubling.
fn estimate_rows(path: &Path, batch: &[Record]) -> usize {
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let first = batch.first().and_then(|r| r.fields.position()).map_or(0, |p| p.byte());
    let last = batch.last().and_then(|r| r.fields.position()).map_or(0, |p| p.byte());
    let per_row = (last.saturating_sub(first) as f64 / (batch.len().max(2) - 1) as f64).max(1.0);
    let est = (file_len as f64 / per_row * 1.02) as usize;
    est.max(batch.len())
}

/// Marks the records from the first one matching `footer` on as footer.
pub(crate) fn with_footer(mut inner: BatchReader, footer: Option<super::row::Cond>) -> BatchReader {
    let Some(footer) = footer else { return inner };
    let mut in_footer = false;
    Box::new(move |buf: &mut Vec<Record>| {
        inner(buf)?;
        for r in buf.iter_mut() {
            in_footer = in_footer || footer.holds(&r.fields);
            r.footer = in_footer;
        }
        Ok(())
    })
}

/// How the mapping reads a source, in words, for `--preview`.
fn source_notes(spec: &SourceSpec, map: &ColumnMap, opened: &Opened) -> Vec<String> {
    let mut notes = Vec::new();
    if !opened.preamble.is_empty() {
        notes.push(format!(
            "preamble: {} line(s) above the header (lines {}..{})",
            opened.preamble.len(),
            opened.preamble.first().map_or(0, |r| r.line),
            opened.preamble.last().map_or(0, |r| r.line)
        ));
    }
    if let Some(ctx) = &spec.resolved {
        notes.push(format!("statement of account {}: {} counterparty account(s)", ctx.own, ctx.parties.len()));
    }
    if let Some(z) = map.zones.source {
        notes.push(format!("times without offset are read in {z} and converted to {}", map.zones.case));
    }
    if let Some(c) = &map.filter {
        notes.push(format!("row filter: only rows where {}", c.describe()));
    }
    if let Some(c) = &map.footer {
        notes.push(format!("footer: from the first row where {}", c.describe()));
    }
    notes
}

/// Adds a row to a preview while it has fewer than `n` rows.
fn preview_row(
    p: &mut SourcePreview,
    n: Option<usize>,
    v: &RowView<'_>,
    shown: Option<Vec<(String, String)>>,
    outcome: &str,
) {
    if p.rows.len() >= n.unwrap_or(0) {
        return;
    }
    let values = if outcome.starts_with("skipped") { Vec::new() } else { shown.unwrap_or_else(|| v.mapped()) };
    p.rows.push(PreviewRow { line: v.line, raw: v.raw(), values, outcome: outcome.to_string() });
}

pub(crate) fn issue(table: &str, file: &str, line: u64, f: Fault) -> Issue {
    Issue { table: table.into(), file: file.into(), line, column: f.column, value: clip(&f.value), reason: f.reason }
}

/// A path shown relative to the case folder when it lies inside it.
pub(crate) fn display_path(dir: &Path, p: &Path) -> String {
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
    // Default threshold: ALL 1,000,000 (docs/methodology.md#typologies, threshold T; methodology.md#albania-thresholds).
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
    crate::model::money::check_amount(cash, base)
        .map_err(|why| bad(format!("thresholds.cash_report '{cash}': {why}")))?;
    Ok(CaseMeta { name: t.name.clone(), base_currency: base, valuation_date, cash_report: Money::new(cash, base) })
}
