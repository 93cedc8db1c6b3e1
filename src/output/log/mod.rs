//! The anonymised log: [`writer`] keeps output in input order and hands it to an [`writer::Output`] —
//! stdout, an [`crate::output::file::AtomicFile`], an [`append::AppendFile`] or a [`compress::Compressed`]
//! file.

pub(crate) mod append;
pub(crate) mod compress;
pub(crate) mod mark;
pub(crate) mod writer;
