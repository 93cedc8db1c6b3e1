//! Compressed output, so `--in-place` keeps a rotated `.gz`, `.zst`, `.bz2` or `.xz` log compressed. The stream is written
//! whole and finished once ([`Output::finish`]); flushing in between is skipped, since the file only
//! appears when complete and every sync flush would cost compression.

use std::io::{self, Write};

use crate::input::Compression;

use super::writer::Output;

/// An encoder in front of `W`.
pub(crate) struct Compressed<W: Write + Send> {
    encoder: Encoder<W>,
}

enum Encoder<W: Write + Send> {
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
    Bzip2(bzip2::write::BzEncoder<W>),
    Xz(liblzma::write::XzEncoder<W>),
}

/// bzip2's level: 9, the `bzip2` command's default (900 kB blocks), which logrotate runs.
const BZIP2_LEVEL: u32 = 9;
/// xz's level: 6, the `xz` command's default.
const XZ_LEVEL: u32 = 6;

impl<W: Write + Send> Compressed<W> {
    /// Compresses into `out` at the format's command's default level (gzip 6, zstd 3, bzip2 9, xz 6).
    pub(crate) fn new(out: W, compression: Compression) -> io::Result<Compressed<W>> {
        let encoder = match compression {
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                out,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(
                out,
                zstd::DEFAULT_COMPRESSION_LEVEL,
            )?),
            Compression::Bzip2 => Encoder::Bzip2(bzip2::write::BzEncoder::new(
                out,
                bzip2::Compression::new(BZIP2_LEVEL),
            )),
            Compression::Xz => Encoder::Xz(liblzma::write::XzEncoder::new(out, XZ_LEVEL)),
        };
        Ok(Compressed { encoder })
    }
}

impl<W: Write + Send> Write for Compressed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.encoder {
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
            Encoder::Bzip2(e) => e.write(buf),
            Encoder::Xz(e) => e.write(buf),
        }
    }

    /// Nothing: the stream is completed by [`Output::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send> Output for Compressed<W> {
    fn finish(&mut self) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Gzip(e) => {
                e.try_finish()?;
                e.get_mut().flush()
            }
            Encoder::Zstd(e) => {
                e.do_finish()?;
                e.get_mut().flush()
            }
            Encoder::Bzip2(e) => {
                e.try_finish()?;
                e.get_mut().flush()
            }
            Encoder::Xz(e) => {
                e.try_finish()?;
                e.get_mut().flush()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn all_round_trip() {
        let text =
            b"1.2.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\n".repeat(500);
        for c in [
            Compression::Gzip,
            Compression::Zstd,
            Compression::Bzip2,
            Compression::Xz,
        ] {
            let mut out = Compressed::new(Vec::new(), c).unwrap();
            out.write_all(&text).unwrap();
            out.flush().unwrap();
            out.finish().unwrap();
            let bytes = match out.encoder {
                Encoder::Gzip(e) => e.finish().unwrap(),
                Encoder::Zstd(e) => e.finish().unwrap(),
                Encoder::Bzip2(e) => e.finish().unwrap(),
                Encoder::Xz(e) => e.finish().unwrap(),
            };
            let mut back = Vec::new();
            match c {
                Compression::Gzip => flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut back)
                    .unwrap(),
                Compression::Zstd => zstd::stream::read::Decoder::new(&bytes[..])
                    .unwrap()
                    .read_to_end(&mut back)
                    .unwrap(),
                Compression::Bzip2 => bzip2::read::BzDecoder::new(&bytes[..])
                    .read_to_end(&mut back)
                    .unwrap(),
                Compression::Xz => liblzma::read::XzDecoder::new(&bytes[..])
                    .read_to_end(&mut back)
                    .unwrap(),
            };
            assert_eq!(back, text);
            assert!(bytes.len() < text.len() / 10);
        }
    }
}
