//! The anonymisation policy: which rule applies to which field.
//!
//! | field | rule |
//! | --- | --- |
//! | client | [`reduce_client`](crate::privacy::client::reduce_client): IPs reduced, host names to their registrable domain |
//! | virtual host | IPs reduced (names kept: they name the site) |
//! | ident, authuser | `-` |
//! | request target | [`rewrite_url`](crate::privacy::url::rewrite_url) |
//! | referrer | [`rewrite_referrer`](crate::privacy::url::rewrite_referrer): scheme, host, path, search keyword |
//! | user agent | IPs and emails (version numbers kept) |
//! | time, status, bytes | kept |
//! | trailing fields (X-Forwarded-For, …) | the free-text scrubber |
//! | a line that does not parse | the free-text scrubber, ident and authuser blanked when recognisable |

use crate::privacy::Rules;

/// Everything `anonymize` needs to decide what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: Rules,
    /// Identifies these rules in the per-thread cache of rewritten values, so two policies used in one
    /// process never share cached results.
    fingerprint: u64,
}

impl Policy {
    /// A policy applying `rules`.
    pub fn new(rules: Rules) -> Policy {
        use std::hash::BuildHasher;
        let fingerprint = foldhash::fast::FixedState::with_seed(1).hash_one(&rules);
        Policy { rules, fingerprint }
    }

    /// The byte-level rules (IP prefixes, query allow-list).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The cache key prefix of this policy.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::new(Rules::default())
    }
}
