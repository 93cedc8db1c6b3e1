//! Log formats: one module per family, each producing the same [`Record`].

pub mod clf;
pub mod detect;

use std::fmt;
use std::str::FromStr;

use crate::record::Record;
use clf::ClfShape;

/// A named log format preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `%h %l %u %t "%r" %>s %b` (a combined line also parses, its extra fields kept as `extra`).
    Common,
    /// `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, plus any trailing fields.
    Combined,
    /// `%v %h %l %u %t "%r" %>s %b`.
    VhostCommon,
    /// `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`.
    VhostCombined,
    /// nginx's default `log_format combined` (the same fields as Apache combined).
    Nginx,
}

impl Format {
    /// Every preset, in the order autodetection prefers them on a tie.
    pub const ALL: [Format; 5] = [
        Format::Combined,
        Format::VhostCombined,
        Format::Common,
        Format::VhostCommon,
        Format::Nginx,
    ];

    /// The preset's name as given to `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Common => "common",
            Format::Combined => "combined",
            Format::VhostCommon => "vhost_common",
            Format::VhostCombined => "vhost_combined",
            Format::Nginx => "nginx",
        }
    }

    /// The preset's definition, as an Apache `LogFormat` or nginx `log_format` string.
    pub fn definition(self) -> &'static str {
        match self {
            Format::Common => r#"%h %l %u %t "%r" %>s %b"#,
            Format::Combined => r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#,
            Format::VhostCommon => r#"%v %h %l %u %t "%r" %>s %b"#,
            Format::VhostCombined => {
                r#"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#
            }
            Format::Nginx => {
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#
            }
        }
    }

    fn shape(self) -> ClfShape {
        match self {
            Format::Common => ClfShape {
                vhost: false,
                combined: false,
            },
            Format::Combined | Format::Nginx => ClfShape {
                vhost: false,
                combined: true,
            },
            Format::VhostCommon => ClfShape {
                vhost: true,
                combined: false,
            },
            Format::VhostCombined => ClfShape {
                vhost: true,
                combined: true,
            },
        }
    }

    /// Parses one line (without its terminator) strictly as this format.
    pub fn parse(self, line: &[u8]) -> Option<Record<'_>> {
        clf::parse(line, self.shape())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log format '{0}' (known: common, combined, vhost_common, vhost_combined, nginx)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| {
                f.name().eq_ignore_ascii_case(s) || (s == "vhost" && *f == Format::VhostCombined)
            })
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// How lines of one input are parsed: a forced preset, or a detected one with fallbacks.
///
/// With a detected format, a line the preset rejects is tried against the other presets of the family
/// before it is given up as unparsable: real files mix common and combined lines, or carry the odd
/// vhost-prefixed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineParser {
    primary: Format,
    fallback: bool,
}

impl LineParser {
    /// Parse with exactly this format.
    pub fn forced(format: Format) -> LineParser {
        LineParser {
            primary: format,
            fallback: false,
        }
    }

    /// Parse with a detected format first, then the others.
    pub fn detected(format: Format) -> LineParser {
        LineParser {
            primary: format,
            fallback: true,
        }
    }

    /// The preset tried first.
    pub fn format(&self) -> Format {
        self.primary
    }

    /// Parses one line (without its terminator).
    #[inline]
    pub fn parse<'a>(&self, line: &'a [u8]) -> Option<Record<'a>> {
        if let Some(r) = self.primary.parse(line) {
            return Some(r);
        }
        if !self.fallback {
            return None;
        }
        // The lenient presets accept a combined line too, so these two cover the family.
        [Format::Common, Format::VhostCommon]
            .into_iter()
            .filter(|f| *f != self.primary)
            .find_map(|f| f.parse(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
        assert!("apache2".parse::<Format>().is_err());
    }

    #[test]
    fn detected_parser_falls_back_to_other_presets() {
        let vhost_line = br#"www.example.com 1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "UA""#;
        let common_line = br#"1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5"#;
        let p = LineParser::detected(Format::Combined);
        assert!(p.parse(vhost_line).is_some());
        assert!(p.parse(common_line).is_some());
        let forced = LineParser::forced(Format::Combined);
        assert!(forced.parse(vhost_line).is_none());
        assert!(forced.parse(common_line).is_none());
    }
}
