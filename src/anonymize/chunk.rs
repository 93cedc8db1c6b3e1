//! One chunk of whole lines anonymised: every line through [`rewrite_line_in`] (or, past
//! `--max-line-bytes`, [`rewrite_overlong_line`]), counted, with the first bad line found under `--strict`.

use crate::filter::Filters;
use crate::format::{ChunkParser, Parsed};
use crate::geo::GeoIp;
use crate::input::lines::lines;

use super::{Outcome, Policy, rewrite_line_in, rewrite_overlong_line};

/// Line counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Lines read (= lines written + `dropped`).
    pub lines: u64,
    /// Lines left out by `--exclude-*` / `--include-host` (the only lines without an output line).
    pub dropped: u64,
    /// Lines parsed and rewritten field by field.
    pub parsed: u64,
    /// Lines that did not parse and were scrubbed as free text.
    pub scrubbed: u64,
    /// Empty lines.
    pub blank: u64,
    /// W3C `#` directive lines (kept or scrubbed).
    pub directives: u64,
    /// Lines longer than `--max-line-bytes`, cut and scrubbed (also counted in `scrubbed`).
    pub cut: u64,
}

impl Summary {
    /// Adds the counts of `other`.
    pub(crate) fn add(&mut self, other: &Summary) {
        self.lines += other.lines;
        self.dropped += other.dropped;
        self.parsed += other.parsed;
        self.scrubbed += other.scrubbed;
        self.blank += other.blank;
        self.directives += other.directives;
        self.cut += other.cut;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} lines: {} parsed, {} scrubbed, {} blank",
            self.lines, self.parsed, self.scrubbed, self.blank
        )?;
        if self.directives > 0 {
            write!(f, ", {} headers", self.directives)?;
        }
        if self.cut > 0 {
            write!(f, " ({} cut to --max-line-bytes)", self.cut)?;
        }
        if self.dropped > 0 {
            write!(f, ", {} dropped by filters", self.dropped)?;
        }
        Ok(())
    }
}

/// The result of one chunk.
#[derive(Debug)]
pub(crate) struct RewrittenChunk {
    /// The anonymised lines, one per line in.
    pub out: Vec<u8>,
    /// Their counts.
    pub counts: Summary,
    /// Under `--strict`: index (0-based, within the chunk) of the first line that did not parse, and
    /// whether it was too long. `out` and `counts` then stop before it.
    pub first_bad: Option<(u64, bool)>,
}

/// How lines are anonymised, beside the parser.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineRules<'a> {
    /// What to strip.
    pub policy: &'a Policy,
    /// Stop at the first line that does not parse.
    pub strict: bool,
    /// Lines longer than this are cut and scrubbed (`--max-line-bytes`).
    pub max_line_bytes: usize,
    /// Filters and added fields, when any is asked for.
    pub extra: Option<&'a LineExtras>,
}

/// What a line may get besides its anonymisation: dropped by the filters, or a field added from the
/// `--geoip` lookup of its full client address.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineExtras {
    /// `--exclude-ip`, `--exclude-path`, `--exclude-ua`, `--include-host`.
    pub filters: Filters,
    /// `--geoip`.
    pub geoip: Option<GeoIp>,
    /// `--add-field`, in order.
    pub add: Vec<AddedField>,
}

/// A field `anonymize --add-field` appends to each parsed line, quoted (`"GB"`, `"1221"`, `"-"` when
/// unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddedField {
    /// The ISO 3166-1 country code.
    Country,
    /// The autonomous system number.
    Asn,
}

impl LineExtras {
    /// Whether `line` is dropped by the filters (only a line that parses can be).
    fn drops(&self, line: &[u8], parser: &mut ChunkParser<'_>) -> bool {
        if self.filters.is_empty() {
            return false;
        }
        let line = parser.strip(line);
        match parser.parse_or_behind(line) {
            Parsed::Record(r) => self.filters.excludes(&r).is_some(),
            _ => false,
        }
    }

    /// The added fields of `line`, looked up from its full client address (before it is rewritten), as
    /// ` "GB" "1221"`.
    fn fields(&self, line: &[u8], parser: &mut ChunkParser<'_>, out: &mut Vec<u8>) {
        let (Some(geo), false) = (&self.geoip, self.add.is_empty()) else {
            return;
        };
        let line = parser.strip(line);
        let place = match parser.parse_or_behind(line) {
            Parsed::Record(r) => {
                crate::geo::client_address(r.opt(r.client)).map(|ip| geo.place(ip))
            }
            _ => return,
        };
        for field in &self.add {
            let value = match (field, &place) {
                (AddedField::Country, Some(p)) if p.country != crate::geo::UNKNOWN => {
                    p.country.clone()
                }
                (AddedField::Asn, Some(p)) if p.asn != 0 => p.asn.to_string(),
                _ => "-".to_string(),
            };
            out.extend_from_slice(b" \"");
            out.extend_from_slice(value.as_bytes());
            out.push(b'"');
        }
    }
}

/// Anonymises one chunk of whole lines, appending to `out`. Every line gives exactly one output line; a
/// last line without a newline gets one; `\r\n` endings are kept. A line longer than the limit is cut and
/// scrubbed.
pub(crate) fn anonymize_chunk(
    bytes: &[u8],
    parser: &mut ChunkParser<'_>,
    rules: &LineRules<'_>,
    out: Vec<u8>,
) -> RewrittenChunk {
    let (policy, strict) = (rules.policy, rules.strict);
    let mut out = out;
    let mut counts = Summary::default();
    let mut added = Vec::new();
    for line in lines(bytes, rules.max_line_bytes) {
        let mark = out.len();
        added.clear();
        if let (Some(x), false) = (rules.extra, line.overlong) {
            if x.drops(line.text, parser) {
                counts.dropped += 1;
                counts.lines += 1;
                continue;
            }
            x.fields(line.text, parser, &mut added);
        }
        let outcome = if line.overlong {
            rewrite_overlong_line(line.text, rules.max_line_bytes, parser, policy, &mut out);
            counts.cut += 1;
            Outcome::Scrubbed
        } else {
            rewrite_line_in(line.text, parser, policy, &mut out)
        };
        match outcome {
            Outcome::Parsed => {
                counts.parsed += 1;
                out.extend_from_slice(&added);
            }
            Outcome::Directive => counts.directives += 1,
            Outcome::Blank => counts.blank += 1,
            Outcome::Scrubbed if strict => {
                out.truncate(mark);
                counts.cut -= u64::from(line.overlong);
                return RewrittenChunk {
                    out,
                    first_bad: Some((counts.lines, line.overlong)),
                    counts,
                };
            }
            Outcome::Scrubbed => counts.scrubbed += 1,
        }
        counts.lines += 1;
        out.extend_from_slice(if line.crlf { b"\r\n" } else { b"\n" });
    }
    RewrittenChunk {
        out,
        counts,
        first_bad: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Format, LineParser};

    fn rules(policy: &Policy, strict: bool) -> LineRules<'_> {
        LineRules {
            policy,
            strict,
            max_line_bytes: 1 << 20,
            extra: None,
        }
    }

    #[test]
    fn one_line_out_per_line_in() {
        let input = b"a\r\n\nnot a log 1.2.3.4\n1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nlast";
        let parser = LineParser::detected(Format::Combined);
        let policy = Policy::default();
        let c = anonymize_chunk(
            input,
            &mut parser.chunk(None),
            &rules(&policy, false),
            Vec::new(),
        );
        assert_eq!(
            String::from_utf8(c.out).unwrap(),
            "a\r\n\nnot a log 1.2.0.0\n1.2.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nlast\n"
        );
        assert_eq!(
            c.counts,
            Summary {
                lines: 5,
                dropped: 0,
                parsed: 1,
                scrubbed: 3,
                blank: 1,
                directives: 0,
                cut: 0,
            }
        );
    }

    #[test]
    fn strict_stops_at_the_first_bad_line() {
        let input =
            b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nbad\nbad2\n";
        let parser = LineParser::detected(Format::Common);
        let policy = Policy::default();
        let c = anonymize_chunk(
            input,
            &mut parser.chunk(None),
            &rules(&policy, true),
            Vec::new(),
        );
        assert_eq!(c.first_bad, Some((1, false)));
        assert_eq!(c.counts.lines, 1);
    }
}
