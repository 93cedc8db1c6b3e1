//! `logveil formats`: the presets and their definitions.

use std::io::{self, Write};

use crate::format::Format;

/// Writes one line per preset: its name and its definition.
pub fn list(out: &mut dyn Write) -> io::Result<()> {
    let width = Format::ALL
        .iter()
        .map(|f| f.name().len())
        .max()
        .unwrap_or(0);
    for f in Format::ALL {
        writeln!(out, "{:width$}  {}", f.name(), f.definition())?;
    }
    Ok(())
}
