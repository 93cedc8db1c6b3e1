//! The `requests` table (GoAccess's "Requested files"): every hit by path, assets, bots, errors and
//! redirects included, so that "what hammers the server?" has an answer.
//!
//! A chunk counts each hit into the row of its (day, path id): hits, hits of user agents not recognised as
//! bots, bytes, hits per status class, and the distinct clients behind the row as a [`Capped`] set of
//! their person hashes (humans and bots alike: a bot's client is hashed as a visitor's is, and forgotten).
//! The path is the page dictionary's (`Tables::pages`): rewritten by the same rules as `pages.csv`,
//! query removed, interned by its 64-bit id, so a row costs a fixed few dozen bytes and no string. Rows
//! merge by adding ([`Requests::merge`]); [`Requests::into_days`] names them per day and counts the
//! distinct clients of the run per path, for `--min-visitors`.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::distinct::{Capped, CappedMap};
use super::partial::{Day, RequestRow};

/// Hits of one path on one day. The counts are held in 32 bits, the bytes in 64: a row takes 48 bytes
/// instead of 88 (there is one per path and day, a million on a month of busy traffic). A count that
/// passes 2^32 stays exact: what it carries goes to [`Requests`]' side map, and
/// [`Requests::totals`] adds it back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requested {
    /// Hits, hits of user agents not recognised as bots, and hits answered 2xx, 3xx, 4xx and 5xx, each
    /// modulo 2^32 (see [`Requests::totals`]).
    counts: [u32; COUNTS],
    /// Response bytes.
    pub bytes: u64,
    /// Distinct clients (person hashes), up to the cap of the [`Requests`] holding the row.
    pub(crate) clients: Capped,
}

/// How many 32-bit counts a [`Requested`] row holds: hits, human hits, four status classes.
const COUNTS: usize = 6;

/// The exact counts of one row (see [`Requests::totals`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestTotals {
    /// Hits.
    pub hits: u64,
    /// Hits of user agents not recognised as bots.
    pub human_hits: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Hits answered 2xx, 3xx, 4xx and 5xx.
    pub classes: [u64; 4],
}

impl RequestTotals {
    /// The counts in the order of [`Requested`]'s.
    fn counts(&self) -> [u64; COUNTS] {
        let [c2, c3, c4, c5] = self.classes;
        [self.hits, self.human_hits, c2, c3, c4, c5]
    }
}

/// The index in [`RequestTotals::classes`] of a status code's class (`None`: 1xx, 0 or above 599).
pub(crate) fn class_of(status: u16) -> Option<usize> {
    matches!(status, 200..=599).then(|| usize::from(status / 100 - 2))
}

/// Adds `add` to the 32-bit `counts` and returns what they carry past 2^32 (`None` when nothing).
fn add_counts(counts: &mut [u32; COUNTS], add: [u64; COUNTS]) -> Option<[u64; COUNTS]> {
    let mut carried = [0u64; COUNTS];
    for ((c, a), carry) in counts.iter_mut().zip(add).zip(&mut carried) {
        let sum = u64::from(*c).wrapping_add(a);
        *c = sum as u32;
        *carry = sum & !u64::from(u32::MAX);
    }
    carried.iter().any(|&c| c != 0).then_some(carried)
}

/// The exact counts of `row`, the row of `key`, whose counts carried `carried` (see [`Requested`]).
fn totals_of(
    carried: &HashMap<(i64, u64), [u64; COUNTS]>,
    key: &(i64, u64),
    row: &Requested,
) -> RequestTotals {
    let carried = carried.get(key).copied().unwrap_or_default();
    let n = |i: usize| u64::from(row.counts[i]).wrapping_add(carried[i]);
    RequestTotals {
        hits: n(0),
        human_hits: n(1),
        bytes: row.bytes,
        classes: [n(2), n(3), n(4), n(5)],
    }
}

/// The `requests` rows of a partial report: by (day number, path id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    /// Distinct clients are kept up to this count per row (0 until a row is counted).
    pub(crate) cap: u64,
    /// The rows.
    pub rows: HashMap<(i64, u64), Requested>,
    /// What the rows' 32-bit counts carried past 2^32, by row (almost always empty).
    carried: HashMap<(i64, u64), [u64; COUNTS]>,
}

impl Requests {
    /// Requests whose rows count distinct clients up to `cap` (at least 1).
    pub(crate) fn new(cap: u64) -> Requests {
        Requests {
            cap: cap.max(1),
            ..Requests::default()
        }
    }

    /// Adds one hit of path `id` on `day`.
    pub(crate) fn count(
        &mut self,
        key: (i64, u64),
        status: u16,
        bytes: u64,
        human: bool,
        person: u64,
    ) {
        let mut counts = [1, u64::from(human), 0, 0, 0, 0];
        if let Some(c) = class_of(status) {
            counts[2 + c] = 1;
        }
        self.add_row(key, counts, bytes, Capped::One(person));
    }

    /// Adds `totals` and the clients `clients` to the row `key`.
    pub(crate) fn add(&mut self, key: (i64, u64), totals: RequestTotals, clients: Capped) {
        self.add_row(key, totals.counts(), totals.bytes, clients);
    }

    /// Adds counts (in [`Requested`]'s order), bytes and clients to the row `key`, carrying what its
    /// 32-bit counts pass.
    fn add_row(&mut self, key: (i64, u64), counts: [u64; COUNTS], bytes: u64, clients: Capped) {
        let cap = self.cap;
        let row = self.rows.entry(key).or_default();
        let carried = add_counts(&mut row.counts, counts);
        row.bytes += bytes;
        row.clients.add(clients, cap);
        if let Some(carried) = carried {
            let held = self.carried.entry(key).or_default();
            for (h, c) in held.iter_mut().zip(carried) {
                *h = h.wrapping_add(c);
            }
        }
    }

    /// The exact counts of `row`, the row of `key` in `self`.
    pub fn totals(&self, key: &(i64, u64), row: &Requested) -> RequestTotals {
        totals_of(&self.carried, key, row)
    }

    /// Adds the rows of `o`; sets stop at the larger cap of the two.
    pub(crate) fn merge(&mut self, mut o: Requests) {
        self.cap = self.cap.max(o.cap);
        if self.rows.len() < o.rows.len() {
            std::mem::swap(&mut self.rows, &mut o.rows);
            std::mem::swap(&mut self.carried, &mut o.carried);
        }
        // A row's carry is its count's high part: added with its low part, it carries on as one count.
        for (k, r) in o.rows {
            let n = totals_of(&o.carried, &k, &r);
            self.add_row(k, n.counts(), n.bytes, r.clients);
        }
    }

    /// Writes the rows into `days` by path text (`name` gives a path id's text), each under the day
    /// `rows_day` gives its day (rows under one day are summed), and returns the distinct clients of the
    /// run per path, counted up to `cap`, listing only paths seen by two or more (see
    /// [`super::distinct::RunVisitors`]).
    pub(crate) fn into_days(
        self,
        days: &mut BTreeMap<i64, Day>,
        name: &dyn Fn(&u64) -> String,
        cap: u64,
        rows_day: &dyn Fn(i64) -> i64,
    ) -> BTreeMap<String, u64> {
        let mut run: CappedMap<u64> = CappedMap::new(cap);
        // The sets go to the run's as the rows are read, so only the numbers wait to be named.
        let mut rows: Vec<(u64, i64, RequestRow)> = Vec::with_capacity(self.rows.len());
        for ((day, id), r) in self.rows {
            let n = totals_of(&self.carried, &(day, id), &r);
            rows.push((
                id,
                rows_day(day),
                RequestRow {
                    hits: n.hits,
                    human_hits: n.human_hits,
                    bytes: n.bytes,
                    status_2xx: n.classes[0],
                    status_3xx: n.classes[1],
                    status_4xx: n.classes[2],
                    status_5xx: n.classes[3],
                    clients: r.clients.count(self.cap).min(cap),
                },
            ));
            run.add_set(id, r.clients);
        }
        // By path, so each path is named once.
        rows.sort_unstable_by_key(|r| (r.0, r.1));
        // Rows of one path under one day (days summed) are added before they are named.
        rows.dedup_by(|next, kept| {
            let same = (next.0, next.1) == (kept.0, kept.1);
            if same {
                kept.2.add(&next.2);
            }
            same
        });
        let mut named: Option<(u64, String)> = None;
        let rows = rows.into_iter().map(|(id, day, row)| {
            let text = match &named {
                Some((n, text)) if *n == id => text.clone(),
                _ => {
                    let text = name(&id);
                    named = Some((id, text.clone()));
                    text
                }
            };
            (day, text, row)
        });
        super::named::extend_days(days, rows, |d| &mut d.requests, |a, b| a.add(&b));
        run.counts(|id| name(&id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_and_merge_add_up() {
        assert_eq!(
            [100, 0, 200, 302, 404, 599, 600].map(class_of),
            [None, None, Some(0), Some(1), Some(2), Some(3), None]
        );
        let mut a = Requests::new(3);
        a.count((1, 7), 200, 10, true, 1);
        a.count((1, 7), 404, 0, false, 2);
        let mut b = Requests::new(3);
        b.count((1, 7), 503, 5, true, 1);
        b.count((2, 7), 0, 1, true, 3);
        a.merge(b);
        let r = &a.rows[&(1, 7)];
        let n = a.totals(&(1, 7), r);
        assert_eq!((n.hits, n.human_hits, n.bytes), (3, 2, 15));
        assert_eq!(n.classes, [1, 0, 1, 1]);
        assert_eq!(r.clients.count(3), 2);
        let mut days = BTreeMap::new();
        let run = a.into_days(&mut days, &|id| format!("/p{id}"), 3, &|d| d);
        assert_eq!(days[&1].requests["/p7"].clients, 2);
        assert_eq!(days[&2].requests["/p7"].hits, 1);
        // Person 1 and 2 on day 1, person 3 on day 2: three clients over the run.
        assert_eq!(run["/p7"], 3);
    }

    #[test]
    fn counts_past_32_bits_stay_exact() {
        let full = |day: i64| {
            let mut r = Requests::new(1);
            r.count((day, 7), 200, 1, true, 1);
            r.rows.get_mut(&(day, 7)).unwrap().counts = [u32::MAX; COUNTS];
            r
        };
        let mut a = full(1);
        // One more hit carries every count it touches past 2^32.
        a.count((1, 7), 404, 2, false, 2);
        let n = a.totals(&(1, 7), &a.rows[&(1, 7)]);
        let big = u64::from(u32::MAX);
        assert_eq!((n.hits, n.human_hits, n.bytes), (big + 1, big, 3));
        assert_eq!(n.classes, [big, big, big + 1, big]);
        // Two such rows merged, and a row of another day untouched by the carries.
        let mut b = full(1);
        b.count((2, 7), 200, 0, true, 3);
        a.merge(b);
        let n = a.totals(&(1, 7), &a.rows[&(1, 7)]);
        assert_eq!((n.hits, n.human_hits), (2 * big + 1, 2 * big));
        assert_eq!(n.classes, [2 * big, 2 * big, 2 * big + 1, 2 * big]);
        assert_eq!(a.totals(&(2, 7), &a.rows[&(2, 7)]).hits, 1);
        let mut days = BTreeMap::new();
        a.into_days(&mut days, &|id| format!("/p{id}"), 1, &|d| d);
        assert_eq!(days[&1].requests["/p7"].hits, 2 * big + 1);
        assert_eq!(days[&1].requests["/p7"].status_4xx, 2 * big + 1);
    }
}
