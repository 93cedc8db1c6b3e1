//! A per-thread memo of parsed referrers, so each distinct referrer page is parsed about once per worker
//! rather than once per chunk. It holds a referrer's [`ReferrerBase`] (site, page, engine), what does not
//! depend on the query: on real traffic most referrers are new only by their query (a search keyword,
//! a click id), and those reuse the base. Direct-mapped ([`DirectMapped`], like [`crate::privacy::cache`]): a hit needs the
//! stored inputs to be equal, a miss overwrites the slot. It lives in memory only and never changes the
//! result.

use std::cell::RefCell;

use super::search::ReferrerBase;
use crate::privacy::cache::DirectMapped;

/// Slots per thread (a power of two).
const SLOTS: usize = 4096;
/// Referrers longer than this are not memoised.
const MAX_LEN: usize = 512;

/// One memoised parse: the tag, referrer and context it was made for, and its result. A miss overwrites
/// the slot in place, reusing its buffers.
struct ParsedReferrer {
    tag: u64,
    input: Vec<u8>,
    context: Vec<u8>,
    parsed: Option<ReferrerBase>,
}

thread_local! {
    static MEMO: RefCell<DirectMapped<ParsedReferrer, SLOTS>> =
        RefCell::new(DirectMapped::new(0x7265_6665_7272_6572));
}

/// Calls `f` with `parse()`, taken from the memo when `input` was parsed before under the same `tag`
/// (which settings) and `context` (whatever else the parse depends on, such as the request's host).
pub(super) fn referrer<R>(
    tag: u64,
    input: &[u8],
    context: &[u8],
    parse: impl FnOnce() -> Option<ReferrerBase>,
    f: impl FnOnce(Option<&ReferrerBase>) -> R,
) -> R {
    if input.len() > MAX_LEN {
        return f(parse().as_ref());
    }
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let slot = memo.entry((tag, input, context));
        if let Some(s) = slot {
            if s.tag == tag && s.input == input && s.context == context {
                return f(s.parsed.as_ref());
            }
        }
        let parsed = parse();
        let s = match slot {
            Some(s) => {
                s.tag = tag;
                s.input.clear();
                s.input.extend_from_slice(input);
                s.context.clear();
                s.context.extend_from_slice(context);
                s.parsed = parsed;
                s
            }
            None => slot.insert(ParsedReferrer {
                tag,
                input: input.to_vec(),
                context: context.to_vec(),
                parsed,
            }),
        };
        f(s.parsed.as_ref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_reuse_the_parse_and_inputs_are_compared() {
        let mut calls = 0;
        let site = |s: &str| ReferrerBase {
            site: s.into(),
            page: String::new(),
            engine: None,
        };
        let name = |r: Option<&ReferrerBase>| r.map(|r| r.site.clone());
        for _ in 0..3 {
            let r = referrer(
                1,
                b"https://a.example/",
                b"",
                || {
                    calls += 1;
                    Some(site("a"))
                },
                name,
            );
            assert_eq!(r.as_deref(), Some("a"));
        }
        assert_eq!(calls, 1);
        assert_eq!(
            referrer(1, b"https://a.example/", b"a.example", || None, name),
            None
        );
        assert_eq!(
            referrer(2, b"https://a.example/", b"", || Some(site("b")), name).as_deref(),
            Some("b")
        );
    }
}
