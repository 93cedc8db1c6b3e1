//! The rules that remove personal data from bytes: IP reduction, host names, URLs and the free-text
//! scrubber. Shared by `anonymize` (rewriting) and, later, `report` and `check`.
//!
//! The modules form layers, each using only those below it (a test, `layers`, reads the `use` lines and
//! fails on a cycle):
//!
//! 1. [`recognise`]: pure recognisers (addresses, emails, tokens, cards, phones…), shared by the
//!    anonymiser and [`detect`]; nothing else in `privacy`.
//! 2. Building blocks: [`key`], [`cryptopan`], [`pseudonym`], [`ip`], [`params`], [`decode`], [`cut`],
//!    [`cache`], [`secrets`], `rules` ([`Rules`], [`PathPolicy`]).
//! 3. [`text`]: the free-text scrubber and the query rewriter (which call each other).
//! 4. The rewriting rules: [`host`], [`path`], [`search`], [`url`], [`client`], [`fields`].
//! 5. [`scrub`], the field-level driver (the scrubber with the host rule), and [`detect`], the finder of
//!    `logveil check`.

/// A 256-entry byte class table built at compile time (shared by the scrubber and the detector).
macro_rules! byte_table {
    (|$c:ident| $e:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $c = i as u8;
            t[i] = $e;
            i += 1;
        }
        t
    }};
}

pub(crate) mod cache;
pub(crate) mod client;
pub(crate) mod cryptopan;
pub(crate) mod cut;
pub(crate) mod decode;
pub(crate) mod detect;
pub(crate) mod fields;
pub(crate) mod forwarded;
pub(crate) mod host;
pub(crate) mod ip;
pub(crate) mod key;
#[cfg(test)]
mod layers;
pub(crate) mod params;
pub(crate) mod path;
pub(crate) mod pseudonym;
pub(crate) mod recognise;
mod rules;
pub(crate) mod scrub;
pub(crate) mod search;
pub(crate) mod secrets;
pub(crate) mod text;
pub(crate) mod url;

pub(crate) use fields::FieldPolicy;
pub use ip::{IpMode, IpPolicy};
pub(crate) use params::ParamPolicy;
pub use rules::Rules;
pub(crate) use rules::{PathPolicy, PathRule};
