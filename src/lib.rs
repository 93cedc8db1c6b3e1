//! logveil turns web server access logs into privacy-safe data.
//!
//! Data flows one way: [`input`] → [`mod@format`] (parse into a [`record::Record`]) → [`anonymize`]
//! (rewrite lines) or [`analyze`] (mergeable tables, then sessions) → [`output`], with [`pipeline`] running
//! the middle on all cores and [`privacy`] holding the byte-level rules. [`commands`] has one function per
//! subcommand; [`cli`] only wires the command line to them.

#![deny(missing_docs)]

pub mod analyze;
pub mod anonymize;
pub mod cli;
pub mod commands;
pub mod error;
pub mod format;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod privacy;
pub mod record;
pub mod signals;
