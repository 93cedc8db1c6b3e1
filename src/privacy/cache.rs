//! A per-thread cache of rewritten field values, shared by `anonymize` (every field) and `report` (page
//! paths, referrers).
//!
//! User agents and referrers repeat heavily in real logs (559 distinct user agents, 628 referrers and 1,733
//! request lines in the 10,000 lines of the elastic sample), and scrubbing them byte by byte is the most expensive part of a line. The cache is
//! direct-mapped: a value's hash picks one slot, a hit needs the stored input to be equal, and a miss
//! overwrites the slot. It lives in memory only, per worker thread, and never changes the output.
//!
//! Each thread has two tables ([`Shelf`]): user agents are kept apart, because on real traffic most request
//! lines (and many referrers) never repeat, and in one table their misses kept evicting the agents, a few
//! tens of thousands per log that repeat all day.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash};

/// A direct-mapped table, the one cache type of the crate (this module's rewrites, and `analyze`'s parsed
/// referrers): a key's hash picks one of `SLOTS` entries (a power of two), the user checks whether the
/// entry holds its key and overwrites it on a miss. Made to live in a `thread_local!`, so it needs no lock.
pub(crate) struct DirectMapped<E, const SLOTS: usize> {
    entries: Vec<Option<E>>,
    hasher: foldhash::fast::FixedState,
}

impl<E, const SLOTS: usize> DirectMapped<E, SLOTS> {
    /// An empty table whose hasher is seeded with `seed` (fixed, so runs place keys alike).
    pub(crate) fn new(seed: u64) -> Self {
        const { assert!(SLOTS.is_power_of_two()) };
        DirectMapped {
            entries: (0..SLOTS).map(|_| None).collect(),
            hasher: foldhash::fast::FixedState::with_seed(seed),
        }
    }

    /// The one entry that `key` may be stored in (`None` when it is still empty); it holds `key` only if
    /// the caller's comparison says so.
    #[inline(always)]
    pub(crate) fn entry(&mut self, key: impl Hash) -> &mut Option<E> {
        let h = self.hasher.hash_one(key);
        self.slot(h)
    }

    /// The hash of `key`, which [`slot`](Self::slot) turns into its entry.
    #[inline(always)]
    fn hash(&self, key: impl Hash) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The entry of a key whose [`hash`](Self::hash) is `hash`.
    #[inline(always)]
    fn slot(&mut self, hash: u64) -> &mut Option<E> {
        &mut self.entries[hash as usize & (SLOTS - 1)]
    }

    /// Asks the processor to load the entry of `hash` into its cache: a table of 16,384 entries does not
    /// stay there, and a line's fields looked up one after another would wait for memory one at a time.
    #[inline(always)]
    fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let entry: *const Option<E> = &self.entries[hash as usize & (SLOTS - 1)];
            // SAFETY: a prefetch is a hint (it never faults, whatever the address), and SSE is part of
            // the x86_64 baseline.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    entry.cast::<i8>(),
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }
}

/// Slots per thread for request lines, referrers and clients (a power of two).
const SLOTS: usize = 16384;
/// Slots per thread for user agents (a power of two).
const AGENT_SLOTS: usize = 8192;
/// Values longer than this are not cached.
const MAX_LEN: usize = 512;
/// Values shorter than this are not cached.
const MIN_LEN: usize = 8;

/// One cached rewrite: the tag and input it was made for, and what was written.
struct CachedRewrite {
    /// The hash of `(tag, input)`: a slot holding another value is told from it without reading `bytes`.
    hash: u64,
    tag: u64,
    /// How many bytes of `bytes` are the input.
    input_len: usize,
    /// The input, then what was written. A miss overwrites the slot in this buffer, so that a log whose
    /// values rarely repeat does not pay an allocation and a free per field.
    bytes: Vec<u8>,
}

impl CachedRewrite {
    fn input(&self) -> &[u8] {
        &self.bytes[..self.input_len]
    }

    fn output(&self) -> &[u8] {
        &self.bytes[self.input_len..]
    }

    /// Holds `input` → `output` for `tag` from now on.
    fn store(&mut self, hash: u64, tag: u64, input: &[u8], output: &[u8]) {
        self.hash = hash;
        self.tag = tag;
        self.input_len = input.len();
        let need = input.len() + output.len();
        if self.bytes.capacity() < need {
            // A fresh buffer rather than a reallocation, which would copy what is thrown away; a little
            // slack, not a power of two, so that 16,384 slots per thread stay small.
            self.bytes = Vec::with_capacity(need.next_multiple_of(32));
        }
        self.bytes.clear();
        self.bytes.extend_from_slice(input);
        self.bytes.extend_from_slice(output);
    }
}

/// The seed of both tables' hashers: a value's hash is the same in either.
const SEED: u64 = 0x6c6f_6776_6569_6c21;

thread_local! {
    static CACHE: RefCell<DirectMapped<CachedRewrite, SLOTS>> = RefCell::new(DirectMapped::new(SEED));
    static AGENTS: RefCell<DirectMapped<CachedRewrite, AGENT_SLOTS>> =
        RefCell::new(DirectMapped::new(SEED));
}

/// Which of a thread's two tables a value is cached in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shelf {
    /// Request lines, referrers, clients, paths: values of which many never repeat.
    Mixed,
    /// User agents: few, each repeating all day; apart, so that values that never repeat do not evict
    /// them.
    Agents,
}

/// Writes `rewrite(input)` to `out`, from the cache when `input` was seen before under the same `tag` (the
/// tag names the rewrite: which field, under which policy).
#[inline]
pub(crate) fn cached(
    shelf: Shelf,
    tag: u64,
    input: &[u8],
    out: &mut Vec<u8>,
    rewrite: impl FnOnce(&[u8], &mut Vec<u8>),
) {
    let [lookup] = Lookup::all([(shelf, tag, input)]);
    lookup.write(input, out, rewrite);
}

/// A value's cache look-up begun: its hash computed and its slot on its way to the processor's cache
/// ([`Lookup::write`] finishes it). A line's fields are looked up all at once first, so that their slots
/// load together rather than one after another.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup {
    shelf: Shelf,
    tag: u64,
    /// `None` for a value not cached (too short or too long).
    hash: Option<u64>,
}

impl Lookup {
    /// Begins the look-ups of several values (`(shelf, tag, input)`), in one visit to the thread's cache.
    #[inline]
    pub(crate) fn all<const N: usize>(keys: [(Shelf, u64, &[u8]); N]) -> [Lookup; N] {
        let mut lookups = [Lookup {
            shelf: Shelf::Mixed,
            tag: 0,
            hash: None,
        }; N];
        CACHE.with(|cache| {
            let cache = cache.borrow();
            for (lookup, &(shelf, tag, input)) in lookups.iter_mut().zip(&keys) {
                (lookup.shelf, lookup.tag) = (shelf, tag);
                if (MIN_LEN..=MAX_LEN).contains(&input.len()) {
                    let hash = cache.hash((tag, input));
                    match shelf {
                        Shelf::Mixed => cache.prefetch(hash),
                        Shelf::Agents => AGENTS.with(|agents| agents.borrow().prefetch(hash)),
                    }
                    lookup.hash = Some(hash);
                }
            }
        });
        lookups
    }

    /// Writes `rewrite(input)` to `out`, from the cache when `input` (the value this look-up began with)
    /// was seen before under the same tag.
    #[inline(always)]
    pub(crate) fn write(
        self,
        input: &[u8],
        out: &mut Vec<u8>,
        rewrite: impl FnOnce(&[u8], &mut Vec<u8>),
    ) {
        let (tag, Some(hash)) = (self.tag, self.hash) else {
            rewrite(input, out);
            return;
        };
        let write = |slot: &mut Option<CachedRewrite>| {
            if let Some(s) = slot {
                if s.hash == hash && s.tag == tag && s.input() == input {
                    out.extend_from_slice(s.output());
                    return;
                }
            }
            let start = out.len();
            rewrite(input, out);
            slot.get_or_insert_with(|| CachedRewrite {
                hash,
                tag,
                input_len: 0,
                bytes: Vec::new(),
            })
            .store(hash, tag, input, &out[start..]);
        };
        match self.shelf {
            Shelf::Mixed => CACHE.with(|cache| write(cache.borrow_mut().slot(hash))),
            Shelf::Agents => AGENTS.with(|cache| write(cache.borrow_mut().slot(hash))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_give_the_same_output_and_tags_are_separate() {
        let mut calls = 0;
        let mut out = Vec::new();
        for _ in 0..3 {
            cached(Shelf::Mixed, 1, b"Mozilla/5.0 (X11)", &mut out, |i, o| {
                calls += 1;
                o.extend_from_slice(&i[..7]);
            });
        }
        assert_eq!(calls, 1);
        assert_eq!(out, b"MozillaMozillaMozilla");
        let mut other = Vec::new();
        cached(Shelf::Mixed, 2, b"Mozilla/5.0 (X11)", &mut other, |i, o| {
            o.extend_from_slice(i)
        });
        assert_eq!(other, b"Mozilla/5.0 (X11)");
    }

    #[test]
    fn user_agents_survive_a_flood_of_values_that_never_repeat() {
        let agent = b"Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/131.0";
        let parses = std::cell::Cell::new(0);
        let look = |shelf: Shelf, tag: u64| {
            let mut out = Vec::new();
            cached(shelf, tag, agent, &mut out, |i, o| {
                parses.set(parses.get() + 1);
                o.extend_from_slice(&i[..7]);
            });
            assert_eq!(out, b"Mozilla");
        };
        // The same agent under two tags: once on its own shelf, once on the shared one.
        look(Shelf::Agents, 7);
        look(Shelf::Mixed, 8);
        assert_eq!(parses.get(), 2);
        // Request lines with a token each, four times as many as the shared table has slots.
        for i in 0..4 * SLOTS {
            let line = format!("GET /p?token={i:016x} HTTP/1.1");
            cached(Shelf::Mixed, 3, line.as_bytes(), &mut Vec::new(), |i, o| {
                o.extend_from_slice(i)
            });
        }
        look(Shelf::Agents, 7);
        assert_eq!(parses.get(), 2, "the agent was evicted from its own shelf");
        // The flood did evict what the shared table held.
        look(Shelf::Mixed, 8);
        assert_eq!(parses.get(), 3);
    }
}
