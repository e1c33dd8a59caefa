//! Who an export is for, and the protected view of the case that every non-court export is
//! written from (issue 9; docs/victims.md).

use super::classify::{classify, Assessment, VictimParams};
use super::protect::{redact, ProtectedSet, Protection, Redaction};
use crate::graph::FlowGraph;
use crate::model::Case;
use std::borrow::Cow;
use std::str::FromStr;

/// The audience of a bundle or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Audience {
    /// The court: identities in clear, key findings and diagrams only for findings linked to a
    /// suspect, and the sealed pseudonym mapping in the bundle.
    Court,
    /// Police investigators (`analyst` is an alias): every finding and diagram; protected
    /// persons pseudonymised. The default: an analyst's bundle travels, so it is victim-safe.
    #[default]
    Police,
    /// Victim-support organisations: protected persons pseudonymised; key findings and
    /// diagrams only for findings linked to a suspect.
    Ngo,
    /// Publication: protected persons pseudonymised; key findings and diagrams only for
    /// findings linked to a suspect.
    Public,
}

impl Audience {
    /// The name used on the command line and in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Court => "court",
            Audience::Police => "police",
            Audience::Ngo => "ngo",
            Audience::Public => "public",
        }
    }

    /// True only for the court: identities of protected persons in clear.
    pub fn identities_in_clear(self) -> bool {
        self == Audience::Court
    }

    /// True when findings not linked to a suspect get key-finding places and diagrams.
    pub fn all_findings(self) -> bool {
        self == Audience::Police
    }
}

impl TryFrom<String> for Audience {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Audience {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "court" => Ok(Audience::Court),
            "police" | "analyst" => Ok(Audience::Police),
            "ngo" => Ok(Audience::Ngo),
            "public" => Ok(Audience::Public),
            other => Err(format!("'{other}' is not one of: court, police (alias analyst), ngo, public")),
        }
    }
}

/// A non-court export was asked for while protected persons exist, without a key.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} protected persons (victims and minors) must be pseudonymised for the {1} audience: give the case \
     passphrase in MONEYTRAIL_SEAL_PASSPHRASE or --seal-passphrase-file (never on the command line)"
)]
pub struct NeedsKey(pub usize, pub &'static str);

/// The classifier's result, the protected set and, outside the court, the redacted view.
pub struct Prepared {
    /// Every assessed person (listed, probable, not flagged).
    pub assessed: Vec<Assessment>,
    /// Listed and probable victims and minors.
    pub set: ProtectedSet,
    /// The redacted view; `None` for the court or when nobody is protected.
    pub redaction: Option<Redaction>,
}

impl Prepared {
    /// The case the exporters must read.
    pub fn view<'a>(&'a self, real: &'a Case) -> &'a Case {
        self.redaction.as_ref().map_or(real, |r| &r.case)
    }

    /// Free text computed from the real case, scrubbed for the audience.
    pub fn scrub<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match &self.redaction {
            Some(r) => r.scrubber.apply(s),
            None => Cow::Borrowed(s),
        }
    }

    /// [`Prepared::scrub`] in place, for text fields of results computed from the real case
    /// (asset ids, notes, evidence sentences).
    pub fn scrub_in_place(&self, s: &mut String) {
        if let Cow::Owned(n) = self.scrub(s) {
            *s = n;
        }
    }

    /// True when the outputs are written from a redacted view (not the court, and someone is
    /// protected).
    pub fn redacts(&self) -> bool {
        self.redaction.is_some()
    }
}

/// Classifies, computes the protected set and, for every audience but the court, redacts.
///
/// # Errors
/// [`NeedsKey`] when a non-court audience is asked for, someone is protected and no key was
/// given: the export fails closed rather than leak.
pub fn prepare(
    case: &Case,
    flow: &FlowGraph,
    audience: Audience,
    key: Option<&Protection>,
    params: &VictimParams,
) -> Result<Prepared, NeedsKey> {
    prepare_view_of(case, case, flow, audience, key, params)
}

/// Like [`prepare`], but the protected persons are decided on `resolved` (the case after entity
/// resolution, as `investigate` sees it) while the view is of `case`, the same case before
/// resolution. Entity resolution keeps every person and account row where it was (it only
/// re-points references and adds `inferred_links`), so the protected set of `resolved`, including
/// the register records folded into a protected person, indexes `case` as well, and the
/// pseudonyms are those of every other output of the case. For commands that read the
/// unresolved case (`query`).
///
/// `flow` is the flow graph of `resolved`.
///
/// # Errors
/// [`NeedsKey`] as [`prepare`].
///
/// When the two cases do not have the same persons and accounts in the same order, the set is
/// computed on `case` itself (as [`prepare`] would).
pub fn prepare_view_of(
    case: &Case,
    resolved: &Case,
    flow: &FlowGraph,
    audience: Audience,
    key: Option<&Protection>,
    params: &VictimParams,
) -> Result<Prepared, NeedsKey> {
    let same_rows = std::ptr::eq(case, resolved)
        || (case.persons.len() == resolved.persons.len()
            && case.accounts.len() == resolved.accounts.len()
            && case.persons.rows.iter().zip(&resolved.persons.rows).all(|(a, b)| a.id == b.id)
            && case.accounts.rows.iter().zip(&resolved.accounts.rows).all(|(a, b)| a.id == b.id));
    let (assessed, set) = if same_rows {
        let assessed = classify(resolved, flow, params);
        let set = ProtectedSet::compute(resolved, &assessed);
        (assessed, set)
    } else {
        let assessed = classify(case, &FlowGraph::build(case), params);
        let set = ProtectedSet::compute(case, &assessed);
        (assessed, set)
    };
    let redaction = if audience.identities_in_clear() || set.persons.is_empty() {
        None
    } else {
        let key = key.ok_or(NeedsKey(set.persons.len(), audience.as_str()))?;
        Some(redact(case, &set, key))
    };
    Ok(Prepared { assessed, set, redaction })
}
