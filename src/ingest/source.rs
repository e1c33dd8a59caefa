//! Opening one input file: hashing it, decoding it (UTF-8 or a legacy code page such as
//! Windows-1250), finding its header below a preamble, and handing out its records in batches
//! with their line numbers. CSV, Excel (XLSX, XLS, ODS, through calamine) and Parquet (with the
//! `parquet` feature) all end as the same [`Record`]s: each cell as text, plus (for typed
//! sources) what kind of value it was, so one row validation serves every format.

use super::config::ReadOptions;
use super::IngestError;
use csv::ByteRecord;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Records handed out per batch; batches are parsed in parallel.
pub const BATCH: usize = 16_384;

/// The longest line accepted (8 MiB). A longer one is not a table row (a binary file, or a quote
/// left open); refusing it keeps memory bounded whatever the input.
pub const MAX_LINE: usize = 8 << 20;

/// Passes bytes through, failing once a line grows past [`MAX_LINE`].
struct LineGuard<R> {
    inner: R,
    since_newline: usize,
    line: u64,
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        crate::progress::bytes(n as u64);
        let mut rest = &buf[..n];
        while let Some(p) = rest.iter().position(|&b| b == b'\n') {
            self.since_newline += p;
            if self.since_newline > MAX_LINE {
                break;
            }
            self.since_newline = 0;
            self.line += 1;
            rest = &rest[p + 1..];
        }
        if !rest.contains(&b'\n') {
            self.since_newline += rest.len();
        }
        if self.since_newline > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB: this is not a table row (a binary file, or a quote left open?); fix or remove it",
                    self.line + 1,
                    MAX_LINE >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// SHA-256 (lower-case hex) and size of a file, streamed in 1 MiB blocks.
pub fn hash_file(path: &Path) -> Result<(String, u64), IngestError> {
    let io = |e| IngestError::Io { path: path.to_path_buf(), what: "hash".into(), source: e };
    let mut f = File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((format!("{:x}", h.finalize()), size))
}

/// One record and where it starts.
pub struct Record {
    /// 1-based line of the record's first character (header = line 1); for Excel, the sheet
    /// row as Excel numbers it; for Parquet, the row number.
    pub line: u64,
    /// The raw fields.
    pub fields: ByteRecord,
    /// Kind of each field when it differs cell by cell (Excel); empty otherwise, when the
    /// column kinds (Parquet) or text (CSV) apply.
    pub kinds: Vec<FieldKind>,
    /// The record lies in the file's footer (from the first row the `footer` rule matched).
    pub footer: bool,
}

impl Record {
    fn empty() -> Record {
        Record { line: 0, fields: ByteRecord::new(), kinds: Vec::new(), footer: false }
    }
}

/// One line (CSV) or sheet row (Excel) above the header: the statement's preamble.
#[derive(Clone, Debug, Default)]
pub struct PreambleRow {
    /// Its line or sheet row.
    pub line: u64,
    /// Its cells, trimmed text.
    pub cells: Vec<String>,
}

/// Refills a batch buffer from a source; leaves it empty at the end.
pub type BatchReader = Box<dyn FnMut(&mut Vec<Record>) -> Result<(), IngestError> + Send>;

/// An opened source of any format.
pub struct Opened {
    /// Column names (empty for a file without even a header).
    pub headers: Vec<String>,
    /// Kind of each column (Parquet); empty: text, or per cell (Excel).
    pub kinds: Vec<FieldKind>,
    /// Hands out the data records.
    pub reader: BatchReader,
    /// Lines above the header.
    pub preamble: Vec<PreambleRow>,
    /// Line (or sheet row) of the header; 0 without one.
    pub header_line: u64,
    /// Doubts about the file to report as warnings (declared encoding, mojibake header).
    pub warnings: Vec<String>,
    /// A hint about the encoding, added to mapping errors (mojibake header).
    pub encoding_hint: Option<String>,
    /// Data rows when the format knows them up front (Parquet, Excel).
    pub rows: Option<usize>,
    /// The sheet read (workbooks only).
    pub sheet: Option<String>,
    /// Zero-based sheet column of field 0 (workbooks; 0 otherwise), for cell references.
    pub first_column: u32,
    /// What the typed kinds come from, for messages: `Parquet column` or `Excel cell`.
    pub typed_source: &'static str,
}

/// The workbook formats calamine reads.
pub fn is_workbook(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods"))
}

/// Opens `path` in the format its extension names (Parquet, a workbook, else CSV), finds the
/// header and the preamble above it.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Opened, IngestError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("parquet" | "pq")) {
        #[cfg(feature = "parquet")]
        {
            let mut src = ParquetSource::open(path)?;
            let headers = std::mem::take(&mut src.headers);
            let kinds = src.kinds.clone();
            let rows = src.rows();
            return Ok(Opened {
                headers,
                kinds,
                reader: Box::new(move |buf: &mut Vec<Record>| src.next_batch(buf)),
                preamble: Vec::new(),
                header_line: 0,
                warnings: Vec::new(),
                encoding_hint: None,
                rows: Some(rows),
                sheet: None,
                first_column: 0,
                typed_source: "Parquet column",
            });
        }
        #[cfg(not(feature = "parquet"))]
        return Err(IngestError::NoParquet { path: path.to_path_buf() });
    }
    if is_workbook(path) {
        return super::excel::open(path, opts);
    }
    let mut src = CsvSource::open(path, opts)?;
    let p = path.to_path_buf();
    Ok(Opened {
        headers: std::mem::take(&mut src.headers),
        kinds: Vec::new(),
        preamble: std::mem::take(&mut src.preamble),
        header_line: src.header_line,
        warnings: src.sniff_warning.take().into_iter().chain(src.encoding_hint.clone()).collect(),
        encoding_hint: src.encoding_hint.take(),
        rows: None,
        sheet: None,
        first_column: 0,
        typed_source: "Parquet column",
        reader: Box::new(move |buf: &mut Vec<Record>| src.next_batch(&p, buf)),
    })
}

/// Where the header is: after `skip_rows` lines, on the first line holding every name of
/// `header_contains`. Shared by CSV and workbooks.
pub struct HeaderFinder {
    skip: u64,
    want: Vec<String>,
    looked: usize,
}

/// Lines searched for a `header_contains` header.
pub const HEADER_SEARCH: usize = 100;

impl HeaderFinder {
    /// From the reading options.
    pub fn new(opts: &ReadOptions) -> HeaderFinder {
        HeaderFinder {
            skip: opts.skip_rows.unwrap_or(0) as u64,
            want: opts.header_contains.clone().unwrap_or_default().iter().map(|w| w.trim().to_string()).collect(),
            looked: 0,
        }
    }

    /// True when the line at `line` with `cells` is the header (or, without a header, the
    /// first data row); false when it belongs to the preamble. Errors once
    /// [`HEADER_SEARCH`] lines were searched in vain.
    pub fn is_header(&mut self, line: u64, cells: &[String], path: &Path) -> Result<bool, IngestError> {
        if line <= self.skip {
            return Ok(false);
        }
        if self.want.is_empty() {
            return Ok(true);
        }
        if self.want.iter().all(|w| cells.iter().any(|c| c.trim() == w)) {
            return Ok(true);
        }
        self.looked += 1;
        if self.looked >= HEADER_SEARCH {
            return Err(self.not_found(path));
        }
        Ok(false)
    }

    /// The error for a header that was not found.
    pub fn not_found(&self, path: &Path) -> IngestError {
        IngestError::Mapping {
            path: path.to_path_buf(),
            message: format!(
                "no line among the first {HEADER_SEARCH} after skip_rows holds every header name of header_contains ({}): check the names (and the encoding, if letters such as ë look garbled)",
                self.want.join(", ")
            ),
        }
    }

    /// True when a header is searched by name.
    pub fn searching(&self) -> bool {
        !self.want.is_empty()
    }
}

/// A hint when header text looks like the wrong encoding: invalid UTF-8 (a Windows-1250 file
/// read as UTF-8) or UTF-8 decoded once too often (`Ã«` for `ë`).
pub fn mojibake_hint(raw: &[u8], declared: Option<&str>) -> Option<String> {
    let shown: String = String::from_utf8_lossy(raw).chars().take(120).collect();
    if declared.is_none() && std::str::from_utf8(raw).is_err() {
        let (as1250, _, _) = encoding_rs::WINDOWS_1250.decode(raw);
        let albanian = as1250.chars().any(|c| matches!(c, 'ë' | 'ç' | 'Ë' | 'Ç'));
        let guess = if albanian { " (its ë and ç decode as Windows-1250)" } else { "" };
        return Some(format!(
            "the header is not UTF-8 text ('{shown}'): the file is probably in windows-1250{guess}; set read = {{ encoding = \"windows-1250\" }}"
        ));
    }
    let text = std::str::from_utf8(raw).ok()?;
    if ["Ã«", "Ã§", "Ã‹", "Ã‡", "Ã©", "Ã¨"].iter().any(|m| text.contains(m)) {
        return Some(format!(
            "the header shows 'Ã«'-style letters ('{shown}'): UTF-8 text was decoded as a single-byte code page{}; if the file is UTF-8 remove the encoding setting, else ask for the original export",
            declared.map(|d| format!(" (declared {d})")).unwrap_or_default()
        ));
    }
    None
}

/// A CSV source being read.
pub struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// Column names from the header (or `column_1`... without a header).
    pub headers: Vec<String>,
    pending_first: Option<Record>,
    /// A doubt about the declared encoding, for the report.
    pub sniff_warning: Option<String>,
    /// The header looks like the wrong encoding: what to set.
    pub encoding_hint: Option<String>,
    /// Lines above the header.
    pub preamble: Vec<PreambleRow>,
    /// Line of the header (0 without one).
    pub header_line: u64,
    /// Lines end in CRLF: the csv reader then reports every record after the first one line
    /// early (it takes the position after the `\r`, before the `\n`); corrected here.
    crlf: bool,
}

/// True when the file's first line ends in CRLF.
fn first_line_crlf(path: &Path) -> bool {
    let mut head = vec![0u8; 64 << 10];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    head[..n].iter().position(|&b| b == b'\n').is_some_and(|i| i > 0 && head[i - 1] == b'\r')
}

/// The 1-based line of a record the csv reader just read.
fn record_line(rec: &ByteRecord, crlf: bool) -> u64 {
    let line = rec.position().map_or(1, |p| p.line());
    if crlf && rec.position().is_some_and(|p| p.byte() > 0) {
        line + 1
    } else {
        line
    }
}

/// Maps an `encoding` setting onto encoding_rs; `None` = UTF-8 pass-through.
fn encoding_for(label: Option<&str>, path: &Path) -> Result<Option<&'static encoding_rs::Encoding>, IngestError> {
    let Some(label) = label else { return Ok(None) };
    let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| IngestError::Mapping {
        path: path.to_path_buf(),
        message: format!("unknown encoding '{label}': use utf-8, windows-1250 or another WHATWG encoding label"),
    })?;
    Ok(if enc == encoding_rs::UTF_8 { None } else { Some(enc) })
}

/// A single-byte delimiter from its setting.
pub fn delimiter_of(opts: &ReadOptions, path: &Path) -> Result<u8, IngestError> {
    match opts.delimiter.as_deref() {
        None => Ok(b','),
        Some("\\t") | Some("tab") => Ok(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Ok(d.as_bytes()[0]),
        Some(d) => Err(IngestError::Mapping {
            path: path.to_path_buf(),
            message: format!("delimiter '{d}' must be one ASCII character (or \\t)"),
        }),
    }
}

impl CsvSource {
    /// Opens `path` with the given options and reads its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<CsvSource, IngestError> {
        let io = |e| IngestError::Io { path: path.to_path_buf(), what: "open".into(), source: e };
        let file = File::open(path).map_err(io)?;
        let enc = encoding_for(opts.encoding.as_deref(), path)?;
        let mut sniff_warning = None;
        if let Some(enc) = enc {
            // A file declared in a legacy code page that is in fact UTF-8 would load as mojibake
            // without any error: sniff the first 64 KiB.
            let mut head = vec![0u8; 64 << 10];
            let n = File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
            let head = &head[..n];
            let cut = head.len().saturating_sub(3);
            let valid = match std::str::from_utf8(head) {
                Ok(_) => true,
                Err(e) => e.valid_up_to() >= cut && e.error_len().is_none(),
            };
            if valid && !head.is_ascii() {
                sniff_warning = Some(format!(
                    "declared {} but the file reads as UTF-8: letters such as ë and ç will be garbled; remove the encoding setting if the file is UTF-8",
                    enc.name()
                ));
            }
        }
        let raw: Box<dyn Read + Send> = match enc {
            None => Box::new(BufReader::with_capacity(1 << 20, LineGuard { inner: file, since_newline: 0, line: 0 })),
            Some(enc) => Box::new(BufReader::with_capacity(
                1 << 20,
                LineGuard {
                    inner: encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).build(file),
                    since_newline: 0,
                    line: 0,
                },
            )),
        };
        let has_header = opts.has_header.unwrap_or(true);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter_of(opts, path)?)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(raw);
        let crlf = first_line_crlf(path);
        let mut first = ByteRecord::new();
        let mut finder = HeaderFinder::new(opts);
        let mut preamble = Vec::new();
        let got = loop {
            if !reader.read_byte_record(&mut first).map_err(|e| csv_error(path, e))? {
                break false;
            }
            let line = record_line(&first, crlf);
            let cells: Vec<String> = first
                .iter()
                .map(|f| {
                    String::from_utf8_lossy(f).trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string()
                })
                .collect();
            if finder.is_header(line, &cells, path)? {
                break true;
            }
            preamble.push(PreambleRow { line, cells });
        };
        if !got && finder.searching() && !preamble.is_empty() {
            return Err(finder.not_found(path));
        }
        let encoding_hint =
            if got && has_header { mojibake_hint(first.as_slice(), opts.encoding.as_deref()) } else { None };
        let header_line = if got && has_header { record_line(&first, crlf) } else { 0 };
        let mut src = CsvSource {
            reader,
            headers: Vec::new(),
            pending_first: None,
            sniff_warning,
            encoding_hint,
            preamble,
            header_line,
            crlf,
        };
        if !got {
            return Ok(src);
        }
        if has_header {
            src.headers = first
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let s = String::from_utf8_lossy(f);
                    let s = if i == 0 { s.trim_start_matches('\u{feff}') } else { &s };
                    s.trim().to_string()
                })
                .collect();
        } else {
            src.headers = (1..=first.len()).map(|i| format!("column_{i}")).collect();
            let line = record_line(&first, crlf);
            src.pending_first = Some(Record { line, fields: first, kinds: Vec::new(), footer: false });
        }
        Ok(src)
    }

    /// Fills `buf` with up to `BATCH` further records, reusing its allocations; leaves it
    /// empty at the end of the file.
    pub fn next_batch(&mut self, path: &Path, buf: &mut Vec<Record>) -> Result<(), IngestError> {
        let mut n = 0;
        if let Some(r) = self.pending_first.take() {
            buf.clear();
            buf.push(r);
            n = 1;
        }
        while n < BATCH {
            if n == buf.len() {
                buf.push(Record::empty());
            }
            let rec = &mut buf[n];
            if !self.reader.read_byte_record(&mut rec.fields).map_err(|e| csv_error(path, e))? {
                break;
            }
            // Lines holding nothing at all are not rows.
            if rec.fields.len() == 1 && rec.fields[0].is_empty() {
                continue;
            }
            rec.line = record_line(&rec.fields, self.crlf);
            n += 1;
        }
        buf.truncate(n);
        Ok(())
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    IngestError::Csv { path: path.to_path_buf(), message: e.to_string() }
}

/// What a source column holds, as far as the contract columns care. CSV columns are all
/// [`FieldKind::Text`]; a Parquet column's kind comes from its (logical) type, and its cells are
/// rendered as canonical text (ISO dates, `YYYY-MM-DD HH:MM:SS`, plain decimals) that the typed
/// accessors read without the file's text settings (date formats, decimal comma).
// Without the `parquet` feature, dates with a zone and lists are never built.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Text: parsed with the file's reading options, as CSV.
    Text,
    /// Integers (any width, signed or not): exact, as plain digits.
    Integer,
    /// Fixed-point decimals: exact, as plain digits with the column's scale.
    Decimal,
    /// Binary floating point: the shortest decimal that reads back as the same float. Refused
    /// for money (see `RowView::amount`).
    Float,
    /// Booleans, as `true` / `false`.
    Boolean,
    /// A date, as `YYYY-MM-DD`.
    Date,
    /// A date-time without time zone, as `YYYY-MM-DD HH:MM:SS` (sub-second part dropped).
    Datetime,
    /// A date-time with a time zone (an instant): refused in date and date-time columns.
    DatetimeTz(String),
    /// A list: its items joined with `;` (the contract's list separator).
    List,
    /// Any other type (time of day, duration, binary, struct, ...), named: refused in contract
    /// columns, kept as text in extra columns.
    Other(String),
}

/// A Parquet file being read through polars one row group at a time, handed out in batches
/// of at most [`BATCH`] rows, so that only one row group is held in columnar form and one batch
/// as text: a large file streams as a CSV file does.
#[cfg(feature = "parquet")]
pub struct ParquetSource {
    path: std::path::PathBuf,
    metadata: std::sync::Arc<polars::io::parquet::read::FileMetadata>,
    /// (first row, row count) of each row group, in file order.
    groups: Vec<(usize, usize)>,
    /// Index of the next row group to read.
    next_group: usize,
    /// The row group being handed out, and the file row of its first row.
    df: polars::prelude::DataFrame,
    df_start: usize,
    /// Column names.
    pub headers: Vec<String>,
    /// Kind of each column.
    pub kinds: Vec<FieldKind>,
    /// File row (0-based) of the next row to hand out.
    next: usize,
}

#[cfg(feature = "parquet")]
impl ParquetSource {
    /// Opens `path`: reads the footer (schema, row groups), no data yet.
    pub fn open(path: &Path) -> Result<ParquetSource, IngestError> {
        use polars::prelude::*;
        let unreadable = |e: PolarsError| IngestError::Csv {
            path: path.to_path_buf(),
            message: format!("not a readable Parquet file: {e}"),
        };
        let mut reader = ParquetReader::new(Self::file(path)?);
        let metadata = reader.get_metadata().map_err(unreadable)?.clone();
        // An empty slice gives the columns with their types and reads no data.
        let empty = reader.with_slice(Some((0, 0))).finish().map_err(unreadable)?;
        let headers: Vec<String> = empty.get_column_names().iter().map(|s| s.to_string()).collect();
        let kinds = empty.columns().iter().map(|c| kind_of(c.dtype())).collect();
        let mut groups = Vec::with_capacity(metadata.row_groups.len());
        let mut start = 0usize;
        for g in &metadata.row_groups {
            groups.push((start, g.num_rows()));
            start += g.num_rows();
        }
        Ok(ParquetSource {
            path: path.to_path_buf(),
            metadata,
            groups,
            next_group: 0,
            df: empty,
            df_start: 0,
            headers,
            kinds,
            next: 0,
        })
    }

    fn file(path: &Path) -> Result<File, IngestError> {
        File::open(path).map_err(|e| IngestError::Io { path: path.to_path_buf(), what: "open".into(), source: e })
    }

    /// Number of data rows (from the footer).
    pub fn rows(&self) -> usize {
        self.groups.last().map_or(0, |&(start, len)| start + len)
    }

    /// Fills `buf` with the next rows (row numbers 1-based: the first data row is row 1);
    /// leaves it empty at the end. A batch never spans two row groups.
    pub fn next_batch(&mut self, buf: &mut Vec<Record>) -> Result<(), IngestError> {
        use polars::prelude::*;
        let path = self.path.as_path();
        while self.next >= self.df_start + self.df.height() && self.next_group < self.groups.len() {
            let (start, len) = self.groups[self.next_group];
            self.next_group += 1;
            if len == 0 {
                continue;
            }
            let mut reader = ParquetReader::new(Self::file(&self.path)?);
            reader.set_metadata(self.metadata.clone());
            self.df = reader.with_slice(Some((start, len))).finish().map_err(|e| IngestError::Csv {
                path: path.to_path_buf(),
                message: format!("not a readable Parquet file (row group {}): {e}", self.next_group),
            })?;
            self.df_start = start;
            self.next = start;
        }
        let left = (self.df_start + self.df.height()).saturating_sub(self.next);
        let n = BATCH.min(left);
        buf.truncate(n);
        for (i, r) in buf.iter_mut().enumerate() {
            r.fields.clear();
            r.line = (self.next + i) as u64 + 1;
        }
        while buf.len() < n {
            let mut r = Record::empty();
            r.line = (self.next + buf.len()) as u64 + 1;
            buf.push(r);
        }
        if n == 0 {
            return Ok(());
        }
        let part = self.df.slice((self.next - self.df_start) as i64, n);
        let mut cell = String::new();
        for (col, kind) in part.columns().iter().zip(&self.kinds) {
            let s = col.as_materialized_series();
            render_column(s, kind, &mut cell, buf).map_err(|e| IngestError::Csv {
                path: path.to_path_buf(),
                message: format!("column '{}': {e}", s.name()),
            })?;
        }
        self.next += n;
        Ok(())
    }
}

#[cfg(feature = "parquet")]
fn kind_of(dt: &polars::prelude::DataType) -> FieldKind {
    use polars::prelude::DataType as D;
    match dt {
        D::String | D::Null => FieldKind::Text,
        D::Boolean => FieldKind::Boolean,
        D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 | D::Int8 | D::Int16 | D::Int32 | D::Int64 => FieldKind::Integer,
        D::Float32 | D::Float64 => FieldKind::Float,
        D::Decimal(_, _) => FieldKind::Decimal,
        D::Date => FieldKind::Date,
        D::Datetime(_, None) => FieldKind::Datetime,
        D::Datetime(_, Some(tz)) => FieldKind::DatetimeTz(tz.to_string()),
        D::List(inner) if kind_of(inner) != FieldKind::List && !matches!(kind_of(inner), FieldKind::Other(_)) => {
            FieldKind::List
        }
        other => FieldKind::Other(other.to_string()),
    }
}

/// Appends one field per row of `s` to the records of `buf` (one record per row), as the
/// canonical text of `kind`; a null is an empty field.
#[cfg(feature = "parquet")]
fn render_column(
    s: &polars::prelude::Series,
    kind: &FieldKind,
    cell: &mut String,
    buf: &mut [Record],
) -> polars::prelude::PolarsResult<()> {
    use polars::prelude::*;
    use std::fmt::Write;
    fn put(buf: &mut [Record], i: usize, v: Option<&dyn std::fmt::Display>, cell: &mut String) {
        cell.clear();
        if let Some(v) = v {
            let _ = write!(cell, "{v}");
        }
        if let Some(r) = buf.get_mut(i) {
            r.fields.push_field(cell.as_bytes());
        }
    }
    match (kind, s.dtype()) {
        (FieldKind::Text, DataType::Null) => {
            for r in buf.iter_mut() {
                r.fields.push_field(b"");
            }
        }
        (FieldKind::Text, _) => {
            for (r, v) in buf.iter_mut().zip(s.str()?.iter()) {
                r.fields.push_field(v.unwrap_or("").as_bytes());
            }
        }
        (FieldKind::Float, DataType::Float32) => {
            // Formatted as f32: its own shortest form (0.1, not 0.10000000149011612).
            for (i, v) in s.f32()?.iter().enumerate() {
                put(buf, i, v.as_ref().map(|x| x as &dyn std::fmt::Display), cell);
            }
        }
        (FieldKind::Float, _) => {
            for (i, v) in s.cast(&DataType::Float64)?.f64()?.iter().enumerate() {
                put(buf, i, v.as_ref().map(|x| x as &dyn std::fmt::Display), cell);
            }
        }
        (FieldKind::Decimal, _) => {
            let d = s.decimal()?;
            let scale = d.scale() as u32;
            for (i, v) in d.physical().iter().enumerate() {
                match v {
                    None => put(buf, i, None, cell),
                    Some(m) => match rust_decimal::Decimal::try_from_i128_with_scale(m, scale) {
                        Ok(x) => put(buf, i, Some(&x), cell),
                        // Beyond rust_decimal's 28 digits: the digits themselves, which the
                        // decimal parser then refuses with its own reason.
                        Err(_) => put(buf, i, Some(&format!("{m}e-{scale}")), cell),
                    },
                }
            }
        }
        (FieldKind::Date, _) => {
            for (i, v) in s.date()?.physical().iter().enumerate() {
                let d = v.map(crate::model::Date);
                put(buf, i, d.as_ref().map(|d| d as &dyn std::fmt::Display), cell);
            }
        }
        (FieldKind::Datetime | FieldKind::DatetimeTz(_), DataType::Datetime(unit, _)) => {
            let per_sec: i64 = match unit {
                TimeUnit::Milliseconds => 1_000,
                TimeUnit::Microseconds => 1_000_000,
                TimeUnit::Nanoseconds => 1_000_000_000,
            };
            // An instant (zoned column) is shown in UTC, RFC 3339, for the reject that follows;
            // polars cannot format it without its time-zone database.
            let utc = matches!(kind, FieldKind::DatetimeTz(_));
            for (i, v) in s.datetime()?.physical().iter().enumerate() {
                let t = v.map(|x| crate::model::DateTime(x.div_euclid(per_sec)));
                match t {
                    Some(t) if utc => {
                        let shown = t.to_string().replacen(' ', "T", 1) + "Z";
                        put(buf, i, Some(&shown), cell)
                    }
                    t => put(buf, i, t.as_ref().map(|t| t as &dyn std::fmt::Display), cell),
                }
            }
        }
        (FieldKind::List, _) => {
            let lists = s.cast(&DataType::List(Box::new(DataType::String)))?;
            let lists = lists.list()?;
            for (i, r) in buf.iter_mut().enumerate() {
                cell.clear();
                if let Some(items) = lists.get_as_series(i) {
                    for (k, it) in items.str()?.iter().flatten().enumerate() {
                        if k > 0 {
                            cell.push(';');
                        }
                        cell.push_str(it);
                    }
                }
                r.fields.push_field(cell.as_bytes());
            }
        }
        // Integers, booleans, instants and other types: polars' own text (null = empty). A
        // contract column refuses instants and other types whatever the text.
        _ => {
            let t = match s.cast(&DataType::String) {
                Ok(t) => t,
                Err(_) => {
                    for i in 0..buf.len() {
                        let v = s.get(i)?;
                        let shown = (!v.is_null()).then(|| v.to_string());
                        put(buf, i, shown.as_ref().map(|x| x as &dyn std::fmt::Display), cell);
                    }
                    return Ok(());
                }
            };
            for (r, v) in buf.iter_mut().zip(t.str()?.iter()) {
                r.fields.push_field(v.unwrap_or("").as_bytes());
            }
        }
    }
    Ok(())
}
