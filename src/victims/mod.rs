//! L2, victims first (issue 9): the non-punishment classifier, protected persons, stable
//! pseudonyms and the sealed identity mapping.
//!
//! * [`classify`] scores every person holding accounts on documented victim indicators
//!   (docs/methodology.md#indicator-sources, methodology.md#t-victim-control victim-account control) and returns the listed and probable
//!   victims with the reason for every point, so detectors and reports can present them as
//!   victims, not as suspects (the non-punishment principle).
//! * [`protect`] decides who is protected (listed victims, probable victims, and always minors),
//!   derives keyed pseudonyms and builds the redacted view of a case that every non-court output
//!   is written from.
//! * [`view`] is the audience's view of a case: who an output is for ([`Audience`]), the
//!   classifier's result and, outside the court, the redacted copy of the case that every
//!   non-court output is written from ([`Prepared`]).
//! * [`seal`] encrypts the pseudonym -> identity mapping with a passphrase (Argon2id +
//!   ChaCha20-Poly1305) for the court bundle.
//!
//! Depends on `model` and `graph` (and reads `patterns::Finding` for the findings post-pass, and
//! `resolve::normalize` for the folded spellings of names that the scrubber also replaces); never
//! prints.

pub mod classify;
pub mod protect;
pub mod seal;
pub mod view;

pub use classify::{annotate_findings, classify, Assessment, Reason, Status, VictimParams};
pub use protect::{ProtectedSet, Protection, PseudonymKey};
pub use view::{prepare, prepare_view_of, Audience, NeedsKey, Prepared};
