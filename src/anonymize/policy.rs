//! The anonymisation policy: which rule applies to which field.
//!
//! | field | rule |
//! | --- | --- |
//! | client | [`reduce_client`](crate::privacy::client::reduce_client): IPs reduced, host names to their registrable domain |
//! | virtual host | IPs reduced (names kept: they name the site) |
//! | ident, authuser | `-` |
//! | request target | [`rewrite_url`](crate::privacy::url::rewrite_url) |
//! | referrer | [`rewrite_referrer`](crate::privacy::url::rewrite_referrer): scheme, host, path, search keyword |
//! | user agent | IPs, emails and tokens scrubbed (version numbers kept); `--user-agent generalize` or `drop` |
//! | time | kept; `--time-precision minute`, `hour` or `day` zeroes what is finer |
//! | status, bytes | kept |
//! | fields of unknown meaning (headers, variables, JSON members, columns) | the field allow-list ([`FieldPolicy`]): kept, reduced item by item, or `-` |
//! | trailing fields of a CLF line (no name) | by shape: numbers and durations kept, address lists reduced, the rest `-` |
//! | a line that does not parse | the free-text scrubber, ident and authuser blanked when recognisable |

use crate::privacy::{FieldPolicy, Rules};

/// What becomes of the user agent (`--user-agent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UserAgentMode {
    /// Kept, with IPs, emails and tokens inside it scrubbed.
    #[default]
    Keep,
    /// Only browser family, major version and OS (`Chrome/32 (Windows 7)`), from the `woothee` parser.
    Generalize,
    /// `-`.
    Drop,
}

/// How precise timestamps stay (`--time-precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum TimePrecision {
    /// Unchanged.
    #[default]
    Second,
    /// Seconds set to `00`.
    Minute,
    /// Minutes and seconds set to `00`.
    Hour,
    /// The time of day set to `00:00:00`.
    Day,
}

/// Everything `anonymize` needs to decide what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: Rules,
    user_agent: UserAgentMode,
    time: TimePrecision,
    fields: FieldPolicy,
    /// Identifies these rules in the per-thread cache of rewritten values, so two policies used in one
    /// process never share cached results.
    fingerprint: u64,
}

impl Policy {
    /// A policy applying `rules`, keeping user agents and timestamps.
    pub fn new(rules: Rules) -> Policy {
        Policy {
            rules,
            user_agent: UserAgentMode::Keep,
            time: TimePrecision::Second,
            fields: FieldPolicy::default(),
            fingerprint: 0,
        }
        .refingerprint()
    }

    /// This policy with user agents treated as `mode`.
    pub fn with_user_agent(mut self, mode: UserAgentMode) -> Policy {
        self.user_agent = mode;
        self.refingerprint()
    }

    /// This policy with timestamps coarsened to `precision`.
    pub fn with_time_precision(mut self, precision: TimePrecision) -> Policy {
        self.time = precision;
        self.refingerprint()
    }

    /// This policy with fields of unknown meaning judged by `fields` (`--keep-field`, `--drop-field`).
    /// Parsers apply it ([`LineParser::with_fields`](crate::format::LineParser::with_fields)).
    pub fn with_fields(mut self, fields: FieldPolicy) -> Policy {
        self.fields = fields;
        self.refingerprint()
    }

    /// The field allow-list.
    pub fn fields(&self) -> &FieldPolicy {
        &self.fields
    }

    fn refingerprint(mut self) -> Policy {
        use std::hash::BuildHasher;
        self.fingerprint = foldhash::fast::FixedState::with_seed(1).hash_one((
            &self.rules,
            self.user_agent,
            self.time,
            &self.fields,
        ));
        self
    }

    /// The byte-level rules (IP prefixes, query allow-list).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// What becomes of user agents.
    pub fn user_agent(&self) -> UserAgentMode {
        self.user_agent
    }

    /// How precise timestamps stay.
    pub fn time_precision(&self) -> TimePrecision {
        self.time
    }

    /// The cache key prefix of this policy.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// A public name for these settings (32 hex digits), for the mark `--in-place` leaves on a file it
    /// rewrote. It hashes only what is not secret: the prefixes, the mode, the parameter, path and field
    /// lists, the user agent and time rules, and for a keyed mode the key's one-way fingerprint
    /// ([`Key::fingerprint`](crate::privacy::key::Key::fingerprint)), never the key. Unlike
    /// [`Policy::fingerprint`] it is the same in every process (BLAKE3, not a seeded hash).
    pub(crate) fn public_fingerprint(&self) -> String {
        use std::hash::{Hash, Hasher};
        /// `Hash` fed into BLAKE3.
        struct Blake3(blake3::Hasher);
        impl Hasher for Blake3 {
            fn write(&mut self, bytes: &[u8]) {
                self.0.update(bytes);
            }
            fn finish(&self) -> u64 {
                0
            }
        }
        let mut h = Blake3(blake3::Hasher::new_derive_key(
            "logveil 2026 in-place settings",
        ));
        (&self.rules, self.user_agent, self.time, &self.fields).hash(&mut h);
        h.0.finalize().to_hex()[..32].to_string()
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::new(Rules::default())
    }
}
