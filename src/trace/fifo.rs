//! FIFO, *Clayton's Case* (Devaynes v Noble (1816) 1 Mer 572; methodology.md#tracing): a debit consumes
//! the oldest lots first. Worked example methodology.md#tracing-example: car X carries T1,500, relative Y T1,500.

/// FIFO: debits consume the oldest lots first.
pub(crate) type FifoPool = super::queue::QueuePool<false>;
