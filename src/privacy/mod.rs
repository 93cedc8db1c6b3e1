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

pub mod cache;
pub mod client;
pub mod cryptopan;
pub mod cut;
pub mod decode;
pub mod detect;
pub mod fields;
pub mod host;
pub mod ip;
pub mod key;
#[cfg(test)]
mod layers;
pub mod params;
pub mod path;
pub mod pseudonym;
pub(crate) mod recognise;
mod rules;
pub mod scrub;
pub mod search;
pub mod secrets;
pub(crate) mod text;
pub mod url;

pub use fields::FieldPolicy;
pub use ip::{IpMode, IpPolicy};
pub use params::ParamPolicy;
pub use rules::{PathPolicy, PathRule, Rules};
