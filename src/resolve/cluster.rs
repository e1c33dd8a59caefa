//! Union-find over records with the constraints that keep look-alikes apart: a merge is refused
//! when the two clusters carry different personal numbers (NUIS), or birth dates that neither
//! match nor differ by a clerical slip, or when an analyst's cannot-link separates them. This
//! stops chains A~B~C from joining two different people through a record that resembles both.

use super::normalize::{compare_dates, DateAgreement};
use super::score::Rec;
use crate::model::Date;

/// Why a merge was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// An analyst's cannot-link (index into the decisions) separates the clusters.
    CannotLink(usize),
    /// The clusters hold different id numbers.
    Ids(String, String),
    /// The clusters hold incompatible dates.
    Dates(Date, Date),
}

/// Disjoint sets of records with per-cluster constraint summaries.
pub struct Clusters<'a> {
    recs: &'a [Rec],
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Id numbers in the cluster, as the first record index carrying each.
    ids: Vec<Vec<u32>>,
    dates: Vec<Vec<Date>>,
    /// (other record, decision index) for every cannot-link touching a cluster, at its root.
    cannot: Vec<Vec<(u32, usize)>>,
}

impl<'a> Clusters<'a> {
    /// One singleton cluster per record.
    pub fn new(recs: &'a [Rec]) -> Clusters<'a> {
        let n = recs.len();
        Clusters {
            recs,
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            ids: recs
                .iter()
                .enumerate()
                .map(|(i, r)| if r.ident.is_some() { vec![i as u32] } else { Vec::new() })
                .collect(),
            dates: recs.iter().map(|r| r.any_date().into_iter().collect()).collect(),
            cannot: vec![Vec::new(); n],
        }
    }

    /// The root of `x`'s cluster (path halving).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let gp = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    /// Records that `a` and `b` may never share a cluster (decision index `why`).
    pub fn forbid(&mut self, a: u32, b: u32, why: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.cannot[ra as usize].push((b, why));
        self.cannot[rb as usize].push((a, why));
    }

    /// The analyst cannot-link that separates the clusters of `a` and `b`, if any.
    fn forbidden(&mut self, ra: u32, rb: u32) -> Option<usize> {
        let (small, other) =
            if self.cannot[ra as usize].len() <= self.cannot[rb as usize].len() { (ra, rb) } else { (rb, ra) };
        let list = self.cannot[small as usize].clone();
        list.into_iter().find(|&(x, _)| self.find(x) == other).map(|(_, why)| why)
    }

    /// Why the clusters of `a` and `b` may not merge by machine, if they may not.
    pub fn conflict(&mut self, a: u32, b: u32) -> Option<Refusal> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return None;
        }
        if let Some(why) = self.forbidden(ra, rb) {
            return Some(Refusal::CannotLink(why));
        }
        let (ia, ib) = (&self.ids[ra as usize], &self.ids[rb as usize]);
        if !ia.is_empty() && !ib.is_empty() {
            let id = |i: u32| self.recs[i as usize].ident.as_deref().unwrap_or("");
            if ia.iter().any(|&x| ib.iter().any(|&y| id(x) == id(y))) {
                // A shared id number outweighs a slipped birth date.
                return None;
            }
            return Some(Refusal::Ids(id(ia[0]).to_owned(), id(ib[0]).to_owned()));
        }
        let (da, db) = (&self.dates[ra as usize], &self.dates[rb as usize]);
        if !da.is_empty()
            && !db.is_empty()
            && !da.iter().any(|&x| db.iter().any(|&y| compare_dates(x, y) != DateAgreement::Different))
        {
            return Some(Refusal::Dates(da[0], db[0]));
        }
        None
    }

    /// The analyst cannot-link separating the clusters of `a` and `b`, if any (checked before
    /// a must-link, which overrides everything else).
    pub fn cannot_link_between(&mut self, a: u32, b: u32) -> Option<usize> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            None
        } else {
            self.forbidden(ra, rb)
        }
    }

    /// Merges the clusters of `a` and `b` (union by size); returns false when already one.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        let ids = std::mem::take(&mut self.ids[rb as usize]);
        for x in ids {
            let id = &self.recs[x as usize].ident;
            if !self.ids[ra as usize].iter().any(|&y| &self.recs[y as usize].ident == id) {
                self.ids[ra as usize].push(x);
            }
        }
        let dates = std::mem::take(&mut self.dates[rb as usize]);
        for d in dates {
            if !self.dates[ra as usize].contains(&d) {
                self.dates[ra as usize].push(d);
            }
        }
        let c = std::mem::take(&mut self.cannot[rb as usize]);
        self.cannot[ra as usize].extend(c);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_through_a_look_alike_are_refused() {
        let d = |y, m, dd| Date::from_ymd(y, m, dd);
        let recs = vec![
            Rec::person("Arben Hoxha", d(1979, 3, 12), None, None, None),
            Rec::person("HOXHA ARBEN", None, None, None, None),
            Rec::person("Arben Hoxha", d(1991, 8, 2), None, None, None),
        ];
        let mut c = Clusters::new(&recs);
        assert_eq!(c.conflict(0, 1), None);
        assert!(c.union(0, 1));
        assert!(matches!(c.conflict(1, 2), Some(Refusal::Dates(..))));
        assert!(!c.union(1, 0));
    }

    #[test]
    fn cannot_links_follow_their_clusters() {
        let recs: Vec<Rec> = (0..4).map(|_| Rec::person("Arben Hoxha", None, None, None, None)).collect();
        let mut c = Clusters::new(&recs);
        c.forbid(0, 3, 7);
        c.union(0, 1);
        c.union(2, 3);
        assert_eq!(c.conflict(1, 2), Some(Refusal::CannotLink(7)));
        assert_eq!(c.cannot_link_between(2, 0), Some(7));
    }
}
