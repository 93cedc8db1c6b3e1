//! Where results go. For now: the ordered writer used by `anonymize` and atomic output files.

pub mod file;
pub mod writer;
