//! Errors of the tracing engine.

use rust_decimal::Decimal;

use super::Label;

/// Why a trace could not be computed. Each variant says which input to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// An event has a negative amount; book reversals as transfers in the other direction.
    #[error("event seq {seq} has negative amount {amount}; book a reversal as a transfer in the opposite direction")]
    NegativeAmount {
        /// The offending event.
        seq: u32,
        /// Its amount.
        amount: Decimal,
    },
    /// Two events share a `seq`; the booking order and lineage would be ambiguous.
    #[error("seq {seq} is used by more than one event; give every transfer a unique seq")]
    DuplicateSeq {
        /// The repeated seq.
        seq: u32,
    },
    /// A source names a `seq` that no event has.
    #[error("source transfer seq {seq} is not among the events")]
    UnknownSourceSeq {
        /// The missing seq.
        seq: u32,
    },
    /// A source uses the reserved clean label 0.
    #[error("label 0 is reserved for clean money; number source labels from 1")]
    ReservedLabel,
    /// One event is selected by two sources with different labels.
    #[error("event seq {seq} is selected as a source with labels {first} and {second}; a credit can carry only one source label")]
    ConflictingSources {
        /// The event selected twice.
        seq: u32,
        /// One label.
        first: Label,
        /// The other label.
        second: Label,
    },
    /// An inflow window ends before it starts.
    #[error("inflow window for account {account} ends ({to}) before it starts ({from})")]
    EmptyWindow {
        /// The account of the window.
        account: u32,
        /// Window start (inclusive).
        from: i64,
        /// Window end (inclusive).
        to: i64,
    },
    /// More events than u32 positions.
    #[error("{0} events exceed the engine's limit of u32::MAX; trace a narrower time window")]
    TooManyEvents(usize),
    /// Requested rounding scale is above rust_decimal's maximum of 28.
    #[error("scale {0} is above 28, the largest scale rust_decimal supports")]
    InvalidScale(u32),
    /// Account indices must be dense (as produced by an interner).
    #[error(
        "account index {index} is far beyond the number of events ({events}); map account keys to dense indices first"
    )]
    SparseAccountIndex {
        /// The largest index seen.
        index: u32,
        /// The number of events.
        events: usize,
    },
    /// An amount, balance or intermediate product left the exact range (i128 units / 96-bit decimal).
    #[error("amount out of exact range while {context}; lower the scale or check the amounts")]
    AmountOutOfRange {
        /// What was being computed.
        context: &'static str,
    },
}
