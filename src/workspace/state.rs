//! The workspace state folded from the log: the latest status of each finding, the notes per
//! target and the saved queries.

use super::log::{Entry, Event};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// A finding's triage status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not looked at yet (every finding starts here; never written to the log).
    #[default]
    New,
    /// The analyst confirms the pattern.
    Confirmed,
    /// The analyst dismisses it (a false positive, a lawful explanation).
    Dismissed,
    /// Needs information (a bank production, a register extract) before a decision.
    NeedsInformation,
}

impl Status {
    /// Every status, in the order the pages list them.
    pub const ALL: [Status; 4] = [Status::New, Status::Confirmed, Status::Dismissed, Status::NeedsInformation];

    /// The name used in the log, the pages and the bundles.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Confirmed => "confirmed",
            Status::Dismissed => "dismissed",
            Status::NeedsInformation => "needs-information",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| format!("'{s}' is not a status (new, confirmed, dismissed, needs-information)"))
    }
}

/// What a note is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A finding (by finding id).
    Finding,
    /// An account (by account id).
    Account,
    /// A person (by person id).
    Person,
    /// A company (by company id).
    Company,
}

impl TargetKind {
    /// The name in the log and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Finding => "finding",
            TargetKind::Account => "account",
            TargetKind::Person => "person",
            TargetKind::Company => "company",
        }
    }
}

impl FromStr for TargetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "finding" => Ok(TargetKind::Finding),
            "account" => Ok(TargetKind::Account),
            "person" => Ok(TargetKind::Person),
            "company" => Ok(TargetKind::Company),
            _ => Err(format!("'{s}' is not a note target (finding, account, person, company)")),
        }
    }
}

/// A note's target: kind and the id in the case (the real id, whatever the audience).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Kind.
    pub kind: TargetKind,
    /// Id in its table (finding id for findings).
    pub id: String,
}

/// The latest status of one finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRecord {
    /// Status.
    pub status: Status,
    /// Who set it.
    pub analyst: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Why.
    pub reason: String,
    /// How many status changes the finding has had (0 = never triaged).
    pub version: u64,
    /// The log entry that set it.
    pub seq: u64,
}

/// Everything the log says, folded.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Every entry, in log order.
    pub entries: Vec<Entry>,
    /// SHA-256 of the last line (the head); [`super::GENESIS`] for an empty log.
    pub head: String,
    statuses: HashMap<String, usize>,
    notes: HashMap<Target, Vec<usize>>,
    queries: BTreeMap<String, usize>,
}

impl State {
    /// An empty state.
    pub fn new() -> State {
        State { head: super::GENESIS.to_string(), ..State::default() }
    }

    /// Adds one entry (already checked to follow the head) whose line hashes to `hash`.
    pub(crate) fn push(&mut self, e: Entry, hash: String) {
        let i = self.entries.len();
        match &e.event {
            Event::Status { finding, .. } => {
                self.statuses.insert(finding.clone(), i);
            }
            Event::Note { target, .. } => self.notes.entry(target.clone()).or_default().push(i),
            Event::Query { name, .. } => {
                self.queries.insert(name.clone(), i);
            }
        }
        self.entries.push(e);
        self.head = hash;
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// True for an empty log.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The latest status of a finding; `None` when never triaged (status new, version 0).
    pub fn status(&self, finding: &str) -> Option<StatusRecord> {
        let e = &self.entries[*self.statuses.get(finding)?];
        match &e.event {
            Event::Status { status, reason, version, .. } => Some(StatusRecord {
                status: *status,
                analyst: e.analyst.clone(),
                at: e.at.clone(),
                reason: reason.clone(),
                version: *version,
                seq: e.seq,
            }),
            _ => None,
        }
    }

    /// The status of a finding (new when never triaged).
    pub fn status_of(&self, finding: &str) -> Status {
        self.status(finding).map_or(Status::New, |r| r.status)
    }

    /// The version of a finding's status (0 when never triaged).
    pub fn version_of(&self, finding: &str) -> u64 {
        self.status(finding).map_or(0, |r| r.version)
    }

    /// Every status change of a finding, oldest first.
    pub fn history(&self, finding: &str) -> Vec<&Entry> {
        self.entries.iter().filter(|e| matches!(&e.event, Event::Status { finding: f, .. } if f == finding)).collect()
    }

    /// Notes on a target, oldest first.
    pub fn notes(&self, target: &Target) -> Vec<&Entry> {
        self.notes.get(target).map(|v| v.iter().map(|&i| &self.entries[i]).collect()).unwrap_or_default()
    }

    /// Saved queries (latest text per name), by name.
    pub fn queries(&self) -> Vec<(&str, &str, &Entry)> {
        self.queries
            .iter()
            .filter_map(|(n, &i)| match &self.entries[i].event {
                Event::Query { text, .. } => Some((n.as_str(), text.as_str(), &self.entries[i])),
                _ => None,
            })
            .collect()
    }

    /// Findings with a status other than new, by finding id.
    pub fn triaged(&self) -> BTreeMap<&str, StatusRecord> {
        self.statuses.keys().filter_map(|f| self.status(f).map(|r| (f.as_str(), r))).collect()
    }
}
