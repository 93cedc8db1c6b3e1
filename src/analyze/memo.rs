//! A per-thread memo of parsed referrers, so each distinct referrer is parsed about once per worker rather
//! than once per chunk. Direct-mapped ([`DirectMapped`], like [`crate::privacy::cache`]): a hit needs the
//! stored inputs to be equal, a miss overwrites the slot. It lives in memory only and never changes the
//! result.

use std::cell::RefCell;

use super::search::Referrer;
use crate::privacy::cache::DirectMapped;

/// Slots per thread (a power of two).
const SLOTS: usize = 4096;
/// Referrers longer than this are not memoised.
const MAX_LEN: usize = 512;

/// One memoised parse: the tag, referrer and context it was made for, and its result.
struct ParsedReferrer {
    tag: u64,
    input: Box<[u8]>,
    context: Box<[u8]>,
    parsed: Option<Referrer>,
}

thread_local! {
    static MEMO: RefCell<DirectMapped<ParsedReferrer, SLOTS>> =
        RefCell::new(DirectMapped::new(0x7265_6665_7272_6572));
}

/// `parse(input)`, from the memo when `input` was parsed before under the same `tag` (which settings) and
/// `context` (whatever else the parse depends on, such as the request's host).
pub(super) fn referrer(
    tag: u64,
    input: &[u8],
    context: &[u8],
    parse: impl FnOnce() -> Option<Referrer>,
) -> Option<Referrer> {
    if input.len() > MAX_LEN {
        return parse();
    }
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let slot = memo.entry((tag, input, context));
        if let Some(s) = slot {
            if s.tag == tag && *s.input == *input && *s.context == *context {
                return s.parsed.clone();
            }
        }
        let parsed = parse();
        *slot = Some(ParsedReferrer {
            tag,
            input: input.into(),
            context: context.into(),
            parsed: parsed.clone(),
        });
        parsed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_reuse_the_parse_and_inputs_are_compared() {
        let mut calls = 0;
        let site = |s: &str| Referrer {
            site: s.into(),
            page: String::new(),
            search: None,
        };
        for _ in 0..3 {
            let r = referrer(1, b"https://a.example/", b"", || {
                calls += 1;
                Some(site("a"))
            });
            assert_eq!(r, Some(site("a")));
        }
        assert_eq!(calls, 1);
        assert_eq!(
            referrer(1, b"https://a.example/", b"a.example", || None),
            None
        );
        assert_eq!(
            referrer(2, b"https://a.example/", b"", || Some(site("b"))),
            Some(site("b"))
        );
    }
}
