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
        let h = self.hasher.hash_one(key) as usize;
        &mut self.entries[h & (SLOTS - 1)]
    }
}

/// Slots per thread (a power of two).
const SLOTS: usize = 16384;
/// Values longer than this are not cached.
const MAX_LEN: usize = 512;

/// One cached rewrite: the tag and input it was made for, and what was written.
struct CachedRewrite {
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
    fn store(&mut self, tag: u64, input: &[u8], output: &[u8]) {
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
    if input.len() > MAX_LEN || input.len() < 8 {
        rewrite(input, out);
        return;
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let slot = cache.entry((tag, input));
        if let Some(s) = slot {
            if s.tag == tag && s.input() == input {
                out.extend_from_slice(s.output());
                return;
            }
        }
        let start = out.len();
        rewrite(input, out);
        slot.get_or_insert_with(|| CachedRewrite {
            tag,
            input_len: 0,
            bytes: Vec::new(),
        })
        .store(tag, input, &out[start..]);
    });
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
