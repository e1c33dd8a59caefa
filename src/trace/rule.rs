//! The tracing rules (methodology.md#tracing) as a parameter that is recorded in every result.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A tracing rule for mixed funds (methodology.md#tracing). The chosen rule is a legal choice, recorded in
/// every [`TraceResult`](super::TraceResult); run several side by side with
/// [`trace_rules`](super::trace_rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// First in, first out: *Clayton's Case* (Devaynes v Noble (1816) 1 Mer 572); a debit consumes
    /// the oldest lots first. Default between equally innocent claimants in England & Wales
    /// (reluctantly, *Barlow Clowes v Vaughan* \[1992\] 4 All ER 22).
    Fifo,
    /// Last in, first out: a debit consumes the newest lots first. Not a court rule in itself; a
    /// sensitivity bound (methodology.md#tracing).
    Lifo,
    /// Pro-rata / rolling charge / "haircut": every debit carries each lot in proportion to the
    /// balance (*Re Diplock* \[1948\]; *Foskett v McKeown* \[2001\] 1 AC 102).
    ProRata,
    /// Lowest intermediate balance (*Roscoe v Winder* \[1915\] 1 Ch 62) with the presumption that the
    /// wrongdoer spends his own (clean) money first (*Re Hallett's Estate* (1880)); tainted lots of
    /// different labels (equally innocent victims) share debits rateably (*Barlow Clowes*).
    Libr,
    /// Poison: every output of an account that ever received taint is 100 % tainted. Screening only,
    /// **not value-conserving** (methodology.md#tracing).
    Poison,
}

impl Rule {
    /// Every rule, in the order results are reported.
    pub const ALL: [Rule; 5] = [Rule::Fifo, Rule::Lifo, Rule::ProRata, Rule::Libr, Rule::Poison];

    /// Whether the rule conserves value (`introduced = exited + absorbed + remaining` per label).
    /// Only poison does not.
    pub fn is_conserving(self) -> bool {
        !matches!(self, Rule::Poison)
    }

    /// The legal basis of the rule, for reports (methodology.md#tracing).
    pub fn legal_basis(self) -> &'static str {
        match self {
            Rule::Fifo => "Clayton's Case (Devaynes v Noble (1816) 1 Mer 572); Barlow Clowes v Vaughan [1992] 4 All ER 22",
            Rule::Lifo => "sensitivity bound only; no court rule of its own (methodology.md#tracing)",
            Rule::ProRata => "rolling charge / pari passu: Re Diplock [1948]; Foskett v McKeown [2001] 1 AC 102",
            Rule::Libr => "Roscoe v Winder [1915] 1 Ch 62 (LIBR) with Re Hallett's Estate (1880); Bishopsgate v Homan [1995] Ch 211",
            Rule::Poison => "screening only, not value-conserving (methodology.md#tracing)",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Fifo => "fifo",
            Rule::Lifo => "lifo",
            Rule::ProRata => "pro-rata",
            Rule::Libr => "libr",
            Rule::Poison => "poison",
        })
    }
}

/// A string that names no tracing rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tracing rule {0:?}; expected one of fifo, lifo, pro-rata, libr, poison")]
pub struct ParseRuleError(pub String);

impl FromStr for Rule {
    type Err = ParseRuleError;

    /// Parses the names printed by `Display` (case-insensitive), plus `prorata`, `pro_rata`,
    /// `hallett` and `libr-hallett` as aliases.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fifo" => Ok(Rule::Fifo),
            "lifo" => Ok(Rule::Lifo),
            "pro-rata" | "prorata" | "pro_rata" => Ok(Rule::ProRata),
            "libr" | "hallett" | "libr-hallett" => Ok(Rule::Libr),
            "poison" => Ok(Rule::Poison),
            _ => Err(ParseRuleError(s.to_string())),
        }
    }
}
