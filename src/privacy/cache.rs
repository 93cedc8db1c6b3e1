//! A per-thread cache of rewritten field values, shared by `anonymize` (every field) and `report` (page
//! paths, referrers).
//!
//! User agents and referrers repeat heavily in real logs (559 distinct user agents, 628 referrers and 1,733
//! request lines in the 10,000 lines of the elastic sample), and scrubbing them byte by byte is the most expensive part of a line. The cache is
//! direct-mapped: a value's hash picks one slot, a hit needs the stored input to be equal, and a miss
//! overwrites the slot. It lives in memory only, per worker thread, and never changes the output.

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

/// Slots per thread (a power of two).
const SLOTS: usize = 16384;
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

thread_local! {
    static CACHE: RefCell<DirectMapped<CachedRewrite, SLOTS>> =
        RefCell::new(DirectMapped::new(0x6c6f_6776_6569_6c21));
}

/// Writes `rewrite(input)` to `out`, from the cache when `input` was seen before under the same `tag` (the
/// tag names the rewrite: which field, under which policy).
#[inline]
pub(crate) fn cached(
    tag: u64,
    input: &[u8],
    out: &mut Vec<u8>,
    rewrite: impl FnOnce(&[u8], &mut Vec<u8>),
) {
    Lookup::new(tag, input).write(input, out, rewrite);
}

/// A value's cache look-up begun: its hash computed and its slot on its way to the processor's cache
/// ([`Lookup::write`] finishes it). A line's fields are looked up all at once first, so that their slots
/// load together rather than one after another.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup {
    tag: u64,
    /// `None` for a value not cached (too short or too long).
    hash: Option<u64>,
}

impl Lookup {
    /// Begins the look-up of `input` under `tag`.
    #[inline]
    pub(crate) fn new(tag: u64, input: &[u8]) -> Lookup {
        let [lookup] = Lookup::all([(tag, input)]);
        lookup
    }

    /// Begins the look-ups of several values (`(tag, input)`), in one visit to the thread's cache.
    #[inline]
    pub(crate) fn all<const N: usize>(keys: [(u64, &[u8]); N]) -> [Lookup; N] {
        let mut lookups = [Lookup { tag: 0, hash: None }; N];
        CACHE.with(|cache| {
            let cache = cache.borrow();
            for (lookup, &(tag, input)) in lookups.iter_mut().zip(&keys) {
                lookup.tag = tag;
                if (MIN_LEN..=MAX_LEN).contains(&input.len()) {
                    let hash = cache.hash((tag, input));
                    cache.prefetch(hash);
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
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let slot = cache.slot(hash);
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
        });
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
            cached(1, b"Mozilla/5.0 (X11)", &mut out, |i, o| {
                calls += 1;
                o.extend_from_slice(&i[..7]);
            });
        }
        assert_eq!(calls, 1);
        assert_eq!(out, b"MozillaMozillaMozilla");
        let mut other = Vec::new();
        cached(2, b"Mozilla/5.0 (X11)", &mut other, |i, o| {
            o.extend_from_slice(i)
        });
        assert_eq!(other, b"Mozilla/5.0 (X11)");
    }
}
