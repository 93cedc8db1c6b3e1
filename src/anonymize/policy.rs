//! The anonymisation policy: which rule applies to which field.
//!
//! | field | rule |
//! | --- | --- |
//! | client | [`reduce_client`](crate::privacy::client::reduce_client): IPs reduced, host names to their registrable domain |
//! | virtual host | IPs reduced (names kept: they name the site) |
//! | ident, authuser | `-` |
//! | request target, referrer | [`rewrite_url`](crate::privacy::url::rewrite_url) |
//! | user agent | IPs and emails (version numbers kept) |
//! | time, status, bytes | kept |
//! | trailing fields (X-Forwarded-For, …) | the free-text scrubber |
//! | a line that does not parse | the free-text scrubber, ident and authuser blanked when recognisable |

use crate::privacy::Rules;

/// Everything `anonymize` needs to decide what to write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// The byte-level rules (IP prefixes, query allow-list).
    pub rules: Rules,
}
