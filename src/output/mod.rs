//! Where results go: the ordered writer used by `anonymize`, atomic output files, and the report outputs
//! (CSV, JSON, terminal).

pub mod file;
pub mod report;
pub mod writer;
