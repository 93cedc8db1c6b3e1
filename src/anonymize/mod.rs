//! `anonymize`: what to strip ([`policy`]) and how one line is rewritten in place ([`rewrite`]), after
//! any syslog, CRI or Docker [`prefix`].

pub mod chunk;
pub mod policy;
pub mod prefix;
pub mod rewrite;

pub use policy::{Policy, TimePrecision, UserAgentMode};
pub use rewrite::{Outcome, rewrite_line, rewrite_line_in, rewrite_overlong_line};
