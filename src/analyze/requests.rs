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

/// Hits of one path on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requested {
    /// Hits.
    pub hits: u64,
    /// Hits of user agents not recognised as bots.
    pub human_hits: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Hits answered 2xx, 3xx, 4xx and 5xx.
    pub classes: [u64; 4],
    /// Distinct clients (person hashes), up to the cap of the [`Requests`] holding the row.
    pub(crate) clients: Capped,
}

/// The index in [`Requested::classes`] of a status code's class (`None`: 1xx, 0 or above 599).
pub(crate) fn class_of(status: u16) -> Option<usize> {
    matches!(status, 200..=599).then(|| usize::from(status / 100 - 2))
}

impl Requested {
    /// Adds one hit.
    pub(crate) fn count(&mut self, status: u16, bytes: u64, human: bool, person: u64, cap: u64) {
        self.hits += 1;
        self.human_hits += u64::from(human);
        self.bytes += bytes;
        if let Some(c) = class_of(status) {
            self.classes[c] += 1;
        }
        self.clients.insert(person, cap);
    }

    /// Adds `o` (the same path and day, seen elsewhere).
    pub(crate) fn add(&mut self, o: Requested, cap: u64) {
        self.hits += o.hits;
        self.human_hits += o.human_hits;
        self.bytes += o.bytes;
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
        self.clients.add(o.clients, cap);
    }
}

/// The `requests` rows of a partial report: by (day number, path id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    /// Distinct clients are kept up to this count per row (0 until a row is counted).
    pub(crate) cap: u64,
    /// The rows.
    pub rows: HashMap<(i64, u64), Requested>,
}

impl Requests {
    /// Requests whose rows count distinct clients up to `cap` (at least 1).
    pub(crate) fn new(cap: u64) -> Requests {
        Requests {
            cap: cap.max(1),
            rows: HashMap::default(),
        }
    }

    /// Adds one hit of path `id` on `day`.
    pub(crate) fn count(
        &mut self,
        (day, id): (i64, u64),
        status: u16,
        bytes: u64,
        human: bool,
        person: u64,
    ) {
        let cap = self.cap;
        let row = self.rows.entry((day, id)).or_default();
        row.count(status, bytes, human, person, cap);
    }

    /// Adds the rows of `o`; sets stop at the larger cap of the two.
    pub(crate) fn merge(&mut self, mut o: Requests) {
        self.cap = self.cap.max(o.cap);
        if self.rows.len() < o.rows.len() {
            std::mem::swap(&mut self.rows, &mut o.rows);
        }
        for (k, r) in o.rows {
            self.rows.entry(k).or_default().add(r, self.cap);
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
            rows.push((
                id,
                rows_day(day),
                RequestRow {
                    hits: r.hits,
                    human_hits: r.human_hits,
                    bytes: r.bytes,
                    status_2xx: r.classes[0],
                    status_3xx: r.classes[1],
                    status_4xx: r.classes[2],
                    status_5xx: r.classes[3],
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
        for (id, day, row) in rows {
            let text = match &named {
                Some((n, text)) if *n == id => text.clone(),
                _ => {
                    let text = name(&id);
                    named = Some((id, text.clone()));
                    text
                }
            };
            days.entry(day)
                .or_default()
                .requests
                .entry(text)
                .or_default()
                .add(&row);
        }
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
        assert_eq!((r.hits, r.human_hits, r.bytes), (3, 2, 15));
        assert_eq!(r.classes, [1, 0, 1, 1]);
        assert_eq!(r.clients.count(3), 2);
        let mut days = BTreeMap::new();
        let run = a.into_days(&mut days, &|id| format!("/p{id}"), 3, &|d| d);
        assert_eq!(days[&1].requests["/p7"].clients, 2);
        assert_eq!(days[&2].requests["/p7"].hits, 1);
        // Person 1 and 2 on day 1, person 3 on day 2: three clients over the run.
        assert_eq!(run["/p7"], 3);
    }
}
