//! `logveil formats`: the presets and their definitions, and format detection for files.

use std::io::{self, Write};

use crate::error::Error;
use crate::format::{Format, LineParser, Parsed, Prefix, carried_header};
use crate::input::{self, InputName};

/// Writes one line per preset: its name and its definition.
pub(crate) fn list(out: &mut dyn Write) -> io::Result<()> {
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

/// Line counts of one input under one format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Share {
    /// Non-empty lines that are not W3C `#` directives.
    pub lines: u64,
    /// Of those, lines that parse.
    pub parsed: u64,
}

/// Counts the lines of `bytes` that `parser` parses, following `#Fields:` headers.
pub(crate) fn share(parser: &LineParser, bytes: &[u8]) -> Share {
    let mut s = Share::default();
    add_share(parser, None, bytes, &mut s);
    s
}

/// Adds the lines of `block` (starting under `header`) that `parser` parses to `s`, as `report` reads
/// them: behind the parser's prefix, Docker JSON decoded.
fn add_share(parser: &LineParser, header: Option<&[u8]>, block: &[u8], s: &mut Share) {
    let decoded;
    let block = if parser.prefix() == Some(Prefix::DockerJson) {
        decoded = crate::format::prefix::decode_docker_chunk(block);
        &decoded[..]
    } else {
        block
    };
    let mut chunk = parser.chunk(header);
    for l in block.split(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match chunk.parse_or_behind(parser.strip(l)) {
            Parsed::Record(_) => {
                s.lines += 1;
                s.parsed += 1;
            }
            Parsed::Directive => {}
            Parsed::Unparsed => s.lines += 1,
        }
    }
}

/// Detects the format of `input` from its first block and writes `NAME: FORMAT (P of N lines parse, X%)`,
/// the share counted over the whole input.
pub(crate) fn detect_file(input: &InputName, out: &mut dyn Write) -> Result<(), Error> {
    let read_err = |source| Error::read(input, source);
    let mut source = input::open(input).map_err(read_err)?;
    let Some((first, detection)) =
        crate::pipeline::detect_head(source.as_mut()).map_err(read_err)?
    else {
        return writeln!(out, "{input}: empty").map_err(write_err);
    };
    let format = detection.format;
    let parser = LineParser::detected(format).with_prefix(detection.prefix);
    let mut total = share(&parser, &first);
    // Later blocks start under the last header of the blocks before them.
    let mut header: Option<Vec<u8>> = carried_header(None, &first);
    while let Some(block) = source.next_block().map_err(read_err)? {
        add_share(&parser, header.as_deref(), &block, &mut total);
        header = carried_header(header.as_deref(), &block);
    }
    let pct = if total.lines == 0 {
        0.0
    } else {
        100.0 * total.parsed as f64 / total.lines as f64
    };
    let name = if total.parsed == 0 {
        "unknown"
    } else {
        format.name()
    };
    let behind = match detection.prefix {
        Some(p) if total.parsed > 0 => format!(" behind a {} prefix", p.name()),
        _ => String::new(),
    };
    writeln!(
        out,
        "{input}: {name}{behind} ({} of {} lines parse, {pct:.1}%)",
        total.parsed, total.lines
    )
    .map_err(write_err)
}

fn write_err(source: io::Error) -> Error {
    Error::Write {
        output: None,
        source,
    }
}
