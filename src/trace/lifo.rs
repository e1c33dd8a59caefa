//! LIFO (domain.md §2.2): a debit consumes the newest lots first. Not a court rule of its own; a
//! sensitivity bound. Worked example §2.1: car X carries T2,500, relative Y T500.

/// LIFO: debits consume the newest lots first.
pub(crate) type LifoPool = super::queue::QueuePool<true>;
