//! `anonymize`: what to strip ([`policy`]) and how one line is rewritten in place ([`rewrite`]), after
//! any syslog, CRI, compose or Docker prefix ([`crate::format::prefix`]).

pub(crate) mod chunk;
pub(crate) mod policy;
pub(crate) mod rewrite;

pub use policy::{Policy, TimePrecision, UserAgentMode};
pub(crate) use rewrite::rewrite_overlong_line;
pub use rewrite::{Outcome, rewrite_line, rewrite_line_in};
