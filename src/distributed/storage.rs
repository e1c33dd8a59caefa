//! The partitioned Parquet case (`moneytrail ingest CASE --parquet-out DIR`), readable by any
//! engine that reads Parquet (DataFusion, DuckDB, Spark, polars):
//!
//! ```text
//! DIR/manifest.json                      layout version, case fingerprint, counts
//! DIR/files.parquet                      file, path, table, size, sha256 (the case's inputs)
//! DIR/accounts.parquet                   account, holder_kind, holder
//! DIR/transfers/month=YYYY-MM/bucket=NN/part-0.parquet
//! ```
//!
//! `transfers` holds one row per validated transfer: its dense id, the flow-graph nodes it
//! connects (accounts `0..accounts`, then one cash node per branch city and one for cash of
//! unknown place), the booking time in seconds, the base amount in integer cents (the exact
//! rounding of [`FlowGraph::cents_of`], never a float), the channel, the branch city's dense id,
//! whether both accounts have one holder, and the provenance (`file`, an index into
//! `files.parquet`, and `line`). It is partitioned by booking month and by a hash of the
//! debited node (`bucket`). Names, external ids, IBANs, references and the sealed identity
//! mapping never go into it: the local case maps dense ids back when results come home.

use super::DistError;
use crate::graph::FlowGraph;
use crate::model::{Case, EntityKind, NO_CITY};
use chrono::Datelike;
use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, StringArray, UInt32Array, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Version of the layout; bumped when a column changes meaning.
pub const LAYOUT_VERSION: u32 = 1;

/// Rows per Parquet row group (about 8 MB of transfer columns) (project default).
const ROW_GROUP: usize = 262_144;

/// `DIR/manifest.json`: what the Parquet case was written from, so a run against the cluster
/// can check that the local case it scores with is the same one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParquetManifest {
    /// [`LAYOUT_VERSION`].
    pub layout: u32,
    /// moneytrail version that wrote it.
    pub tool_version: String,
    /// The case's input files (path, size, SHA-256), as in the ingest manifest.
    pub inputs: Vec<crate::model::SourceFile>,
    /// True when entity resolution was applied before writing (holders are representatives).
    pub resolved: bool,
    /// Account nodes: flow-graph nodes below this are accounts, the rest cash nodes.
    pub accounts: u32,
    /// All flow-graph nodes.
    pub nodes: u32,
    /// Transfer rows written.
    pub transfers: u64,
    /// Hash buckets per month.
    pub buckets: u32,
    /// Fewest and most decimals of the base amounts as loaded (`cents` is exact when the most
    /// is at most 2; query sums take the scale when both agree).
    pub amount_scales: (u32, u32),
    /// `month=YYYY-MM/bucket=NN` directories written, in order.
    pub partitions: Vec<String>,
}

impl ParquetManifest {
    /// Reads `dir/manifest.json`.
    ///
    /// # Errors
    /// A missing or malformed manifest, or another layout version.
    pub fn read(dir: &Path) -> Result<ParquetManifest, DistError> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            DistError::Storage(format!(
                "{}: {e} (write it with `moneytrail ingest CASE --parquet-out DIR`)",
                path.display()
            ))
        })?;
        let m: ParquetManifest =
            serde_json::from_str(&text).map_err(|e| DistError::Storage(format!("{}: {e}", path.display())))?;
        if m.layout != LAYOUT_VERSION {
            return Err(DistError::Storage(format!(
                "{}: layout {} but this moneytrail reads layout {LAYOUT_VERSION}; write it again with `ingest --parquet-out`",
                path.display(),
                m.layout
            )));
        }
        Ok(m)
    }

    /// Checks that `case` (loaded locally, resolved or not as `resolved` says) is the case the
    /// Parquet files were written from: same inputs and hashes, same counts.
    ///
    /// # Errors
    /// What differs, and how to fix it.
    pub fn check(&self, case: &Case, g: &FlowGraph, resolved: bool) -> Result<(), DistError> {
        let fix = "write the Parquet case again with `moneytrail ingest CASE --parquet-out DIR`";
        if self.inputs != case.files {
            return Err(DistError::Storage(format!(
                "was written from other input files than the case loaded here (hashes differ): {fix}"
            )));
        }
        if self.resolved != resolved {
            return Err(DistError::Storage(format!(
                "was written {} entity resolution but this run {} it: pass the same --no-resolve to both",
                if self.resolved { "with" } else { "without" },
                if resolved { "applies" } else { "skips" }
            )));
        }
        if self.accounts != g.account_count() || self.nodes != g.node_count() || self.transfers != g.edge_count() as u64
        {
            return Err(DistError::Storage(format!("counts differ from the case loaded here: {fix}")));
        }
        Ok(())
    }
}

impl ParquetManifest {
    /// Checks only what a query reads: the same transfer inputs and counts (entity resolution
    /// does not change transfers, so either Parquet case serves `query`).
    ///
    /// # Errors
    /// What differs, and how to fix it.
    pub fn check_transfers(&self, case: &Case, g: &FlowGraph) -> Result<(), DistError> {
        let fix = "write the Parquet case again with `moneytrail ingest CASE --parquet-out DIR`";
        let inputs =
            |v: &[crate::model::SourceFile]| v.iter().filter(|f| f.table != "resolution").cloned().collect::<Vec<_>>();
        if inputs(&self.inputs) != inputs(&case.files) {
            return Err(DistError::Storage(format!(
                "was written from other input files than the case loaded here (hashes differ): {fix}"
            )));
        }
        if self.accounts != g.account_count() || self.nodes != g.node_count() || self.transfers != g.edge_count() as u64
        {
            return Err(DistError::Storage(format!("counts differ from the case loaded here: {fix}")));
        }
        Ok(())
    }
}

/// What [`write_case`] wrote.
#[derive(Clone, Debug)]
pub struct WriteSummary {
    /// The manifest written.
    pub manifest: ParquetManifest,
    /// Bytes of all Parquet files.
    pub bytes: u64,
}

/// The bucket of a flow-graph node: a multiplicative (Fibonacci) hash, stable across versions
/// and platforms, so any engine can recompute it: `(node * 2654435761) mod 2^32 mod buckets`.
pub fn bucket_of(node: u32, buckets: u32) -> u32 {
    (node.wrapping_mul(2_654_435_761)) % buckets.max(1)
}

/// The schema of the `transfers` files.
pub fn transfer_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::UInt32, false),
        Field::new("src", DataType::UInt32, false),
        Field::new("dst", DataType::UInt32, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("cents", DataType::Int64, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("city", DataType::UInt32, true),
        Field::new("same_holder", DataType::Boolean, false),
        Field::new("file", DataType::UInt32, false),
        Field::new("line", DataType::UInt32, false),
    ]))
}

/// Writes the Parquet case of `case` (with its flow graph `g`) under `dir`, replacing an
/// earlier one there. Deterministic: the same case gives byte-identical files.
///
/// # Errors
/// A file that cannot be written.
pub fn write_case(
    case: &Case,
    g: &FlowGraph,
    dir: &Path,
    buckets: u32,
    resolved: bool,
) -> Result<WriteSummary, DistError> {
    let io = |p: &Path, e: &dyn std::fmt::Display| DistError::Io(format!("{}: {e}", p.display()));
    let buckets = buckets.max(1);
    let tdir = dir.join("transfers");
    if tdir.exists() {
        std::fs::remove_dir_all(&tdir).map_err(|e| io(&tdir, &e))?;
    }
    std::fs::create_dir_all(&tdir).map_err(|e| io(&tdir, &e))?;
    // Rows per (year, month, bucket), in ascending transfer id.
    let mut parts: BTreeMap<(i32, u32, u32), Vec<u32>> = BTreeMap::new();
    for e in 0..g.edge_count() as u32 {
        let d = g.time[e as usize].date().to_naive();
        parts.entry((d.year(), d.month(), bucket_of(g.src[e as usize], buckets))).or_default().push(e);
    }
    let tr = &case.transfers;
    let mut bytes = 0u64;
    let mut names = Vec::with_capacity(parts.len());
    for (&(y, m, b), rows) in &parts {
        let name = format!("month={y:04}-{m:02}/bucket={b:02}");
        let pdir = tdir.join(&name);
        std::fs::create_dir_all(&pdir).map_err(|e| io(&pdir, &e))?;
        let path = pdir.join("part-0.parquet");
        let same = |e: u32| {
            let (f, t) = (tr.from[e as usize], tr.to[e as usize]);
            let h = |a: u32| case.accounts.rows.get(a as usize).and_then(|r| r.holder);
            matches!((h(f), h(t)), (Some(x), Some(y)) if x == y)
        };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(UInt32Array::from_iter_values(rows.iter().copied())),
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(|&e| g.src[e as usize]))),
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(|&e| g.dst[e as usize]))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|&e| g.time[e as usize].0))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|&e| g.cents[e as usize]))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|&e| tr.channel[e as usize].as_str()))),
            Arc::new(UInt32Array::from_iter(
                rows.iter().map(|&e| Some(tr.branch_city[e as usize]).filter(|&c| c != NO_CITY)),
            )),
            Arc::new(BooleanArray::from_iter(rows.iter().map(|&e| Some(same(e))))),
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(|&e| tr.prov(e as usize).file))),
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(|&e| tr.prov(e as usize).line))),
        ];
        bytes += write_file(&path, transfer_schema(), cols)?;
        names.push(name);
    }
    // Accounts: the holder (dense, kind) that the flow filters need; nothing that names anyone.
    let n = case.accounts.rows.len();
    let kind = |a: usize| {
        case.accounts.rows[a].holder.map(|h| match h.kind {
            EntityKind::Person => "person",
            EntityKind::Company => "company",
        })
    };
    let acc_schema = Arc::new(Schema::new(vec![
        Field::new("account", DataType::UInt32, false),
        Field::new("holder_kind", DataType::Utf8, true),
        Field::new("holder", DataType::UInt32, true),
    ]));
    bytes += write_file(
        &dir.join("accounts.parquet"),
        acc_schema,
        vec![
            Arc::new(UInt32Array::from_iter_values(0..n as u32)),
            Arc::new(StringArray::from_iter((0..n).map(kind))),
            Arc::new(UInt32Array::from_iter((0..n).map(|a| case.accounts.rows[a].holder.map(|h| h.idx)))),
        ],
    )?;
    let files_schema = Arc::new(Schema::new(vec![
        Field::new("file", DataType::UInt32, false),
        Field::new("path", DataType::Utf8, false),
        Field::new("table", DataType::Utf8, false),
        Field::new("size", DataType::UInt64, false),
        Field::new("sha256", DataType::Utf8, false),
    ]));
    let f = &case.files;
    bytes += write_file(
        &dir.join("files.parquet"),
        files_schema,
        vec![
            Arc::new(UInt32Array::from_iter_values(0..f.len() as u32)),
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.path.as_str()))),
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.table.as_str()))),
            Arc::new(UInt64Array::from_iter_values(f.iter().map(|x| x.size))),
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.sha256.as_str()))),
        ],
    )?;
    let manifest = ParquetManifest {
        layout: LAYOUT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        inputs: case.files.clone(),
        resolved,
        accounts: g.account_count(),
        nodes: g.node_count(),
        transfers: g.edge_count() as u64,
        buckets,
        amount_scales: g.base_scale_range(),
        partitions: names,
    };
    let mpath = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| io(&mpath, &e))?;
    std::fs::write(&mpath, text + "\n").map_err(|e| io(&mpath, &e))?;
    Ok(WriteSummary { manifest, bytes })
}

/// Writes one Parquet file of `cols` (Snappy, row groups of [`ROW_GROUP`]); returns its size.
fn write_file(path: &Path, schema: SchemaRef, cols: Vec<ArrayRef>) -> Result<u64, DistError> {
    let io = |e: &dyn std::fmt::Display| DistError::Io(format!("{}: {e}", path.display()));
    let batch = RecordBatch::try_new(schema.clone(), cols).map_err(|e| io(&e))?;
    let file = std::fs::File::create(path).map_err(|e| io(&e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .build();
    let mut w = ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| io(&e))?;
    w.write(&batch).map_err(|e| io(&e))?;
    w.close().map_err(|e| io(&e))?;
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| io(&e))
}
