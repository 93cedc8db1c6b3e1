//! Distinct visitors of a report row over the whole run, for `--min-visitors`: a row is shown only when at
//! least K different people were behind it, whatever days they came on.
//!
//! Visitor keys change at midnight, so counting them per row gives visitor-days (one person on five days
//! is five). The run-wide count uses the visitor's *sketch hash* instead ([`super::tables::VisitorDay::sketch`]):
//! a keyed hash of the full client, user agent and host that is the same on every day of the run, held
//! in memory only and never written. Each row keeps the distinct hashes it has seen in a [`Capped`] set
//! that stops growing at a cap (the K in force, or [`PARTIAL_CAP`] when a partial is written): rows are
//! many on real traffic (hundreds of thousands of pages, most seen by one person), so no row keeps more
//! than the cap, and a row seen by one visitor holds one hash inline, with no allocation.
//!
//! What leaves the run is only the count per row ([`RunVisitors`]), never a hash: in the report's folding
//! decisions, and in partials (`report --partial`), where `merge` reads the counts as lower bounds (see
//! `docs/REPORTS.md`, "Rare rows and partials").

use std::collections::BTreeMap;
use std::hash::Hash;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use super::partial::Day;

/// The cap of the per-row counts a partial carries (unless `--min-visitors` is larger): `merge` can fold
/// at any K up to it exactly as one report over the same run would. A row holds at most this many
/// hashes (800 bytes), and only rows seen by that many visitors reach it.
pub(crate) const PARTIAL_CAP: u64 = 100;

/// The distinct visitor hashes of one row, kept until `cap` of them are seen; from then on only the fact
/// that the row reached the cap. 16 bytes: the rare rows of two visitors or more keep theirs boxed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Capped {
    /// No visitor yet.
    #[default]
    Empty,
    /// One visitor (the common case, held inline).
    One(u64),
    /// Two or more, fewer than the cap. Boxed so that the enum takes 16 bytes instead of 32 (most rows
    /// never get here, and every row pays for the largest variant).
    #[allow(clippy::box_collection)]
    Few(Box<Vec<u64>>),
    /// The cap was reached: the hashes are dropped.
    Full,
}

impl Capped {
    /// Adds a visitor hash; `cap` (at least 1) is the count past which hashes are no longer kept.
    pub(crate) fn insert(&mut self, hash: u64, cap: u64) {
        match self {
            Capped::Empty => {
                *self = if cap <= 1 {
                    Capped::Full
                } else {
                    Capped::One(hash)
                }
            }
            Capped::One(first) if *first != hash => {
                *self = if cap <= 2 {
                    Capped::Full
                } else {
                    Capped::Few(Box::new(vec![*first, hash]))
                };
            }
            Capped::Few(hashes) if !hashes.contains(&hash) => {
                hashes.push(hash);
                if hashes.len() as u64 >= cap {
                    *self = Capped::Full;
                }
            }
            _ => {}
        }
    }

    /// Adds the hashes of `o` (the union, capped as by [`Capped::insert`]).
    pub(crate) fn add(&mut self, o: Capped, cap: u64) {
        match o {
            Capped::Empty => {}
            Capped::One(h) => self.insert(h, cap),
            Capped::Few(hashes) => {
                for h in *hashes {
                    self.insert(h, cap);
                }
            }
            Capped::Full => *self = Capped::Full,
        }
    }

    /// Distinct visitors seen, at most `cap` (the cap given to [`Capped::insert`]).
    pub(crate) fn count(&self, cap: u64) -> u64 {
        match self {
            Capped::Empty => 0,
            Capped::One(_) => 1,
            Capped::Few(hashes) => hashes.len() as u64,
            Capped::Full => cap,
        }
    }
}

/// Capped sets by row, under one cap.
#[derive(Debug, Clone)]
pub(crate) struct CappedMap<K> {
    cap: u64,
    rows: HashMap<K, Capped>,
}

impl<K: Hash + Eq> CappedMap<K> {
    /// An empty map whose sets stop at `cap` (at least 1).
    pub(crate) fn new(cap: u64) -> CappedMap<K> {
        CappedMap {
            cap: cap.max(1),
            rows: HashMap::default(),
        }
    }

    /// Adds visitor `hash` to the row `key`.
    pub(crate) fn insert(&mut self, key: K, hash: u64) {
        self.rows.entry(key).or_default().insert(hash, self.cap);
    }

    /// Adds visitor `hash` to the row `key`, making the key (`make`) only when the row is new.
    pub(crate) fn insert_with<Q>(&mut self, key: &Q, make: impl FnOnce() -> K, hash: u64)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.rows.get_mut(key) {
            Some(c) => c.insert(hash, self.cap),
            None => self.rows.entry(make()).or_default().insert(hash, self.cap),
        }
    }

    /// Adds the rows of `o` (made under the same cap): each row's union (the smaller map into the
    /// larger, so the larger is not grown).
    pub(crate) fn add(&mut self, mut o: CappedMap<K>) {
        if self.rows.len() < o.rows.len() {
            std::mem::swap(&mut self.rows, &mut o.rows);
        }
        for (k, c) in o.rows {
            match self.rows.get_mut(&k) {
                Some(mine) => mine.add(c, self.cap),
                None => {
                    self.rows.insert(k, c);
                }
            }
        }
    }

    /// Adds a whole set `c` (made under a cap no larger than this map's) to the row `key`.
    pub(crate) fn add_set(&mut self, key: K, c: Capped) {
        let cap = self.cap;
        self.rows.entry(key).or_default().add(c, cap);
    }

    /// The count of row `key` (0 when never seen).
    pub(crate) fn get(&self, key: &K) -> u64 {
        self.rows.get(key).map_or(0, |c| c.count(self.cap))
    }

    /// The count of every row, in no particular order.
    pub(crate) fn into_counts(self) -> impl Iterator<Item = (K, u64)> {
        let cap = self.cap;
        self.rows.into_iter().map(move |(k, c)| (k, c.count(cap)))
    }

    /// The counts by row of the rows seen by two visitors or more (see [`RunVisitors`]), the key turned
    /// into the row's text by `name` (rows of one name keep the largest count).
    pub(crate) fn counts(self, mut name: impl FnMut(K) -> String) -> BTreeMap<String, u64> {
        let rows = (self.into_counts())
            .filter(|(_, n)| *n > 1)
            .map(|(k, n)| (name(k), n))
            .collect();
        let mut out = BTreeMap::new();
        super::named::extend(&mut out, rows, |a, b| *a = b.max(*a));
        out
    }
}

/// Distinct visitors over the whole run, per row of every table that folds: the numbers `--min-visitors`
/// is compared with. Counts stop at a cap (a count equal to the cap means "at least that many"), and
/// after `merge` they are lower bounds. Only rows seen by two visitors or more are listed: every row of
/// the tables comes from at least one visitor, and on real traffic most rows from exactly one, so a row
/// missing here counts 1 ([`get`]), which keeps these maps (and partials) small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunVisitors {
    /// Pages by path (visitors with a page view).
    pub pages: BTreeMap<String, u64>,
    /// Entry pages by path.
    pub entry_pages: BTreeMap<String, u64>,
    /// Exit pages by path.
    pub exit_pages: BTreeMap<String, u64>,
    /// Download files by path.
    pub downloads: BTreeMap<String, u64>,
    /// Referring sites.
    pub referrer_sites: BTreeMap<String, u64>,
    /// Referring pages.
    pub referrer_pages: BTreeMap<String, u64>,
    /// Search engine → keyword.
    pub search_engines: BTreeMap<String, BTreeMap<String, u64>>,
    /// Site-search terms.
    pub search_terms: BTreeMap<String, u64>,
    /// Outlink targets.
    pub outlinks: BTreeMap<String, u64>,
    /// 404 paths.
    pub not_found: BTreeMap<String, u64>,
    /// Campaigns (`source\tmedium\tcampaign`).
    pub campaigns: BTreeMap<String, u64>,
    /// Reduced client networks.
    pub networks: BTreeMap<String, u64>,
    /// Countries (`--geoip`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub countries: BTreeMap<String, u64>,
    /// Regions (`--geoip` with a City database).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, u64>,
    /// Autonomous systems (`--geoip` with an ASN database).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub asns: BTreeMap<String, u64>,
    /// Transitions (`from\tto`; absent before partial version 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub transitions: BTreeMap<String, u64>,
    /// Paths (absent before partial version 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub paths: BTreeMap<String, u64>,
    /// Goals (`goal\tvia\tsource`; absent without `--goal-path`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub goals: BTreeMap<String, u64>,
    /// Requested paths: distinct clients, people or bots (absent before partial version 4).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, u64>,
}

/// Raises each row of `into` to at least its count in `from` (a row missing in `into` is added; counts
/// of 1 or less are what a missing row means already).
fn raise<'a>(into: &mut BTreeMap<String, u64>, from: impl IntoIterator<Item = (&'a String, u64)>) {
    for (k, n) in from.into_iter().filter(|(_, n)| *n > 1) {
        match into.get_mut(k) {
            Some(e) => *e = (*e).max(n),
            None => {
                into.insert(k.clone(), n);
            }
        }
    }
}

impl RunVisitors {
    /// Raises every count to at least its count in `o`: the counts of two runs give a lower bound of
    /// the distinct visitors of both (a person in both runs has unrelated hashes, so the counts cannot be
    /// added without counting them twice).
    pub fn raise(&mut self, o: &RunVisitors) {
        self.each_map(o, |mine, theirs| {
            raise(mine, theirs.iter().map(|(k, n)| (k, *n)));
        });
    }

    /// Calls `f` with every map of counts of `self` whose day rows are [`Tally`]s (count, visitors) and
    /// that map of `day` (each search engine's keywords as one map).
    fn each_tally_map(
        &mut self,
        day: &Day,
        mut f: impl FnMut(&mut BTreeMap<String, u64>, &BTreeMap<String, super::partial::Tally>),
    ) {
        for (mine, theirs) in [
            (&mut self.referrer_sites, &day.referrer_sites),
            (&mut self.referrer_pages, &day.referrer_pages),
            (&mut self.search_terms, &day.search_terms),
            (&mut self.outlinks, &day.outlinks),
            (&mut self.not_found, &day.not_found),
            (&mut self.campaigns, &day.campaigns),
            (&mut self.transitions, &day.transitions),
            (&mut self.goals, &day.goals),
        ] {
            f(mine, theirs);
        }
        for (engine, kws) in &day.search_engines {
            f(self.search_engines.entry(engine.clone()).or_default(), kws);
        }
    }

    /// Calls `f` with every map of counts of `self` and the same map of `o` (each search engine's
    /// keywords as one map).
    fn each_map(
        &mut self,
        o: &RunVisitors,
        mut f: impl FnMut(&mut BTreeMap<String, u64>, &BTreeMap<String, u64>),
    ) {
        for (mine, theirs) in [
            (&mut self.pages, &o.pages),
            (&mut self.entry_pages, &o.entry_pages),
            (&mut self.exit_pages, &o.exit_pages),
            (&mut self.downloads, &o.downloads),
            (&mut self.referrer_sites, &o.referrer_sites),
            (&mut self.referrer_pages, &o.referrer_pages),
            (&mut self.search_terms, &o.search_terms),
            (&mut self.outlinks, &o.outlinks),
            (&mut self.not_found, &o.not_found),
            (&mut self.campaigns, &o.campaigns),
            (&mut self.networks, &o.networks),
            (&mut self.countries, &o.countries),
            (&mut self.regions, &o.regions),
            (&mut self.asns, &o.asns),
            (&mut self.transitions, &o.transitions),
            (&mut self.paths, &o.paths),
            (&mut self.goals, &o.goals),
            (&mut self.requests, &o.requests),
        ] {
            f(mine, theirs);
        }
        for (engine, kws) in &o.search_engines {
            f(self.search_engines.entry(engine.clone()).or_default(), kws);
        }
    }

    /// Raises every count to at least the row's visitors on `day` (one day of one run: distinct people,
    /// since a visitor key stands for one person on one day). Used for days of a partial that cannot
    /// give its run-wide counts (an old partial, or one of which `merge` keeps only some days).
    pub fn raise_day(&mut self, day: &Day) {
        raise(
            &mut self.pages,
            day.pages.iter().map(|(k, p)| (k, p.visitors)),
        );
        raise(
            &mut self.entry_pages,
            day.pages.iter().map(|(k, p)| (k, p.entry_visitors)),
        );
        raise(
            &mut self.exit_pages,
            day.pages.iter().map(|(k, p)| (k, p.exit_visitors)),
        );
        raise(
            &mut self.downloads,
            day.downloads_by_path.iter().map(|(k, d)| (k, d.visitors)),
        );
        self.each_tally_map(day, |mine, theirs| {
            raise(mine, theirs.iter().map(|(k, t)| (k, t.1)));
        });
        raise(
            &mut self.paths,
            day.paths.iter().map(|(k, p)| (k, p.visitors)),
        );
        raise(
            &mut self.requests,
            day.requests.iter().map(|(k, r)| (k, r.clients)),
        );
        raise(
            &mut self.networks,
            day.networks.iter().map(|(k, c)| (k, c.visitors)),
        );
        for (mine, theirs) in [
            (&mut self.countries, &day.countries),
            (&mut self.regions, &day.regions),
            (&mut self.asns, &day.asns),
        ] {
            raise(mine, theirs.iter().map(|(k, c)| (k, c.visitors)));
        }
    }
}

impl RunVisitors {
    /// Lists at 1 every row of `day` that some visitor of the run is behind and that is not listed yet:
    /// within one run, a row missing here was seen by exactly one visitor (see [`RunVisitors`]), which a
    /// sum over shards ([`RunVisitors::add_disjoint`]) must count.
    pub fn list_singles(&mut self, day: &Day) {
        fn one<'a, I: IntoIterator<Item = (&'a String, bool)>>(
            into: &mut BTreeMap<String, u64>,
            rows: I,
        ) {
            for (k, seen) in rows {
                if seen && !into.contains_key(k) {
                    into.insert(k.clone(), 1);
                }
            }
        }
        one(
            &mut self.pages,
            day.pages.iter().map(|(k, p)| (k, p.visitors > 0)),
        );
        one(
            &mut self.entry_pages,
            day.pages.iter().map(|(k, p)| (k, p.entry_visitors > 0)),
        );
        one(
            &mut self.exit_pages,
            day.pages.iter().map(|(k, p)| (k, p.exit_visitors > 0)),
        );
        one(
            &mut self.downloads,
            day.downloads_by_path
                .iter()
                .map(|(k, d)| (k, d.visitors > 0)),
        );
        self.each_tally_map(day, |mine, theirs| {
            one(mine, theirs.iter().map(|(k, t)| (k, t.1 > 0)));
        });
        one(
            &mut self.paths,
            day.paths.iter().map(|(k, p)| (k, p.visitors > 0)),
        );
        one(
            &mut self.requests,
            day.requests.iter().map(|(k, r)| (k, r.clients > 0)),
        );
        // A client or place row is made for every visitor of the run behind it, counted or not.
        one(&mut self.networks, day.networks.keys().map(|k| (k, true)));
        for (mine, theirs) in [
            (&mut self.countries, &day.countries),
            (&mut self.regions, &day.regions),
            (&mut self.asns, &day.asns),
        ] {
            one(mine, theirs.keys().map(|k| (k, true)));
        }
    }

    /// Adds the counts of disjoint visitors (another shard of the same job, its singles listed by
    /// [`RunVisitors::list_singles`]), each sum capped at `cap`.
    pub fn add_disjoint(&mut self, o: &RunVisitors, cap: u64) {
        self.each_map(o, |into, from| {
            for (k, n) in from {
                let e = into.entry(k.clone()).or_default();
                *e = (*e + n).min(cap);
            }
        });
    }
}

/// The count of row `key` in `map`: 1 when absent (see [`RunVisitors`]).
pub(crate) fn get(map: &BTreeMap<String, u64>, key: &str) -> u64 {
    map.get(key).copied().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_counts_distinct_hashes_up_to_the_cap() {
        let mut c = Capped::default();
        assert_eq!(c.count(5), 0);
        for _ in 0..3 {
            c.insert(7, 5);
        }
        assert_eq!(c, Capped::One(7));
        c.insert(8, 5);
        c.insert(7, 5);
        c.insert(9, 5);
        assert_eq!(c.count(5), 3);
        c.insert(10, 5);
        c.insert(11, 5);
        assert_eq!(c, Capped::Full);
        c.insert(12, 5);
        assert_eq!(c.count(5), 5);
        let mut one = Capped::default();
        one.insert(1, 1);
        assert_eq!((one.clone(), one.count(1)), (Capped::Full, 1));
        let mut two = Capped::default();
        two.insert(1, 2);
        two.insert(2, 2);
        assert_eq!(two, Capped::Full);
    }

    #[test]
    fn a_row_takes_16_bytes_and_maps_add_up_whichever_is_larger() {
        assert_eq!(std::mem::size_of::<Capped>(), 16);
        let small = |rows: &[(u64, u64)]| {
            let mut m: CappedMap<u64> = CappedMap::new(4);
            for (row, h) in rows {
                m.insert(*row, *h);
            }
            m
        };
        let big = [(1, 10), (2, 20), (3, 30), (3, 31)];
        let few = [(1, 11), (3, 30), (4, 40)];
        let counts = |m: CappedMap<u64>| {
            let mut c: Vec<(u64, u64)> = m.into_counts().collect();
            c.sort_unstable();
            c
        };
        let mut a = small(&big);
        a.add(small(&few));
        let mut b = small(&few);
        b.add(small(&big));
        let want = vec![(1, 2), (2, 1), (3, 2), (4, 1)];
        assert_eq!(counts(a), want);
        assert_eq!(counts(b), want);
    }

    #[test]
    fn capped_map_names_rows_and_keeps_the_largest() {
        let mut m: CappedMap<u64> = CappedMap::new(3);
        for (row, h) in [
            (1, 10),
            (1, 10),
            (1, 11),
            (2, 10),
            (3, 1),
            (3, 2),
            (3, 3),
            (3, 4),
        ] {
            m.insert(row, h);
        }
        let counts = m.counts(|k| if k == 2 { "a".into() } else { format!("r{k}") });
        assert_eq!(counts["r1"], 2);
        assert_eq!(counts["r3"], 3);
        // Seen by one: left out, and read back as 1.
        assert!(!counts.contains_key("a"));
        assert_eq!(get(&counts, "a"), 1);
        let mut s: CappedMap<String> = CappedMap::new(5);
        s.insert_with("x", || "x".to_string(), 1);
        s.insert_with("x", || unreachable!("the row exists"), 2);
        assert_eq!(s.counts(|k| k)["x"], 2);
    }

    #[test]
    fn raising_keeps_the_larger_count_and_adds_rows() {
        let mut a = RunVisitors::default();
        a.pages.insert("/a".into(), 2);
        let mut b = RunVisitors::default();
        b.pages.insert("/a".into(), 1);
        b.pages.insert("/b".into(), 4);
        b.search_engines
            .entry("Google".into())
            .or_default()
            .insert("x".into(), 3);
        a.raise(&b);
        assert_eq!((get(&a.pages, "/a"), get(&a.pages, "/b")), (2, 4));
        assert_eq!(a.search_engines["Google"]["x"], 3);
        assert_eq!(get(&a.networks, "nope"), 1);
        let mut day = Day::default();
        day.referrer_sites
            .insert("x.org".into(), crate::analyze::partial::Tally(9, 3));
        day.referrer_sites
            .insert("y.org".into(), crate::analyze::partial::Tally(9, 1));
        a.raise_day(&day);
        assert_eq!(a.referrer_sites.len(), 1);
        assert_eq!(get(&a.referrer_sites, "x.org"), 3);
    }
}
