//! LIFO (methodology.md#tracing): a debit consumes the newest lots first. Not a court rule of its own; a
//! sensitivity bound. Worked example methodology.md#tracing-example: car X carries T2,500, relative Y T500.

/// LIFO: debits consume the newest lots first.
pub(crate) type LifoPool = super::queue::QueuePool<true>;
