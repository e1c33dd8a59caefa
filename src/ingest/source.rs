//! Opening one input file: hashing it, decoding it (UTF-8 or a legacy code page such as
//! Windows-1250) and handing out its records in batches with their line numbers.

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
    /// 1-based line of the record's first character (header = line 1).
    pub line: u64,
    /// The raw fields.
    pub fields: ByteRecord,
}

/// A CSV source being read.
pub struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// Column names from the header (or `column_1`... without a header).
    pub headers: Vec<String>,
    pending_first: Option<Record>,
    /// A doubt about the declared encoding, for the report.
    pub sniff_warning: Option<String>,
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
        let mut first = ByteRecord::new();
        let got = reader.read_byte_record(&mut first).map_err(|e| csv_error(path, e))?;
        let mut src = CsvSource { reader, headers: Vec::new(), pending_first: None, sniff_warning };
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
            let line = first.position().map_or(1, |p| p.line());
            src.pending_first = Some(Record { line, fields: first });
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
                buf.push(Record { line: 0, fields: ByteRecord::new() });
            }
            let rec = &mut buf[n];
            if !self.reader.read_byte_record(&mut rec.fields).map_err(|e| csv_error(path, e))? {
                break;
            }
            // Lines holding nothing at all are not rows.
            if rec.fields.len() == 1 && rec.fields[0].is_empty() {
                continue;
            }
            rec.line = rec.fields.position().map_or(0, |p| p.line());
            n += 1;
        }
        buf.truncate(n);
        Ok(())
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    IngestError::Csv { path: path.to_path_buf(), message: e.to_string() }
}

/// Reads a whole Parquet file through polars and turns it into string records, so that it
/// goes through exactly the same validation as CSV. Row numbers are 1-based.
#[cfg(feature = "parquet")]
pub fn read_parquet(path: &Path) -> Result<(Vec<String>, Vec<Record>), IngestError> {
    use polars::prelude::*;
    let err = |m: String| IngestError::Csv { path: path.to_path_buf(), message: m };
    let file =
        File::open(path).map_err(|e| IngestError::Io { path: path.to_path_buf(), what: "open".into(), source: e })?;
    let df = ParquetReader::new(file).finish().map_err(|e| err(e.to_string()))?;
    let headers: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut cols = Vec::with_capacity(headers.len());
    for c in df.columns() {
        let s = c.as_materialized_series().cast(&DataType::String).map_err(|e| err(e.to_string()))?;
        cols.push(s);
    }
    let mut out = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let mut rec = ByteRecord::new();
        for s in &cols {
            let v = s.str().map_err(|e| err(e.to_string()))?.get(row).unwrap_or("");
            rec.push_field(v.as_bytes());
        }
        out.push(Record { line: row as u64 + 1, fields: rec });
    }
    Ok((headers, out))
}
