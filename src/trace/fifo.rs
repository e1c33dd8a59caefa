//! FIFO, *Clayton's Case* (Devaynes v Noble (1816) 1 Mer 572; domain.md §2.2): a debit consumes
//! the oldest lots first. Worked example §2.1: car X carries T1,500, relative Y T1,500.

/// FIFO: debits consume the oldest lots first.
pub(crate) type FifoPool = super::queue::QueuePool<false>;
