//! Log formats: one module per family, each producing the same [`Record`].
//!
//! | module | formats |
//! | --- | --- |
//! | [`clf`] | common, combined, vhost_common, vhost_combined, nginx, traefik (hand-written, the fast path) |
//! | [`spec`] | any Apache `LogFormat` / nginx `log_format` string; the nginx-xff preset |
//! | [`w3c`] | W3C extended (IIS, Incapsula, NetScaler) and CloudFront, driven by `#Fields:` headers |
//! | [`cloud`] | AWS ALB (with NLB `tls` and ALB connection log lines), classic ELB, S3 server access, HAProxy |
//! | [`json`] | Caddy, Traefik JSON, nginx JSON (`escape=json`) |
//!
//! Any of them may stand behind a collector's [`prefix`] (syslog, CRI, `docker compose`, Docker JSON).

pub(crate) mod clf;
pub(crate) mod cloud;
pub(crate) mod detect;
pub(crate) mod json;
pub(crate) mod prefix;
mod scan;
pub(crate) mod spec;
mod strftime;
pub(crate) mod w3c;

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use crate::privacy::FieldPolicy;
use crate::record::Record;
use clf::{ClfFields, ClfShape};
pub use prefix::Prefix;
use spec::{Spec, Syntax};

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
    /// nginx combined plus a trailing `"$http_x_forwarded_for"`.
    NginxXff,
    /// Traefik's CLF access log: combined plus request count, router, server URL and duration.
    Traefik,
    /// W3C extended log (IIS and others): fields named by `#Fields:` headers, which may change mid-file.
    W3c,
    /// Amazon CloudFront standard log: W3C fields, tab separated, percent-encoded.
    Cloudfront,
    /// AWS Application Load Balancer, with the NLB TLS and ALB connection log lines a bucket may mix
    /// in (not HTTP requests: counted apart).
    Alb,
    /// AWS Classic Load Balancer.
    Elb,
    /// Amazon S3 server access log.
    S3,
    /// HAProxy HTTP log (`option httplog`), with or without its syslog prefix.
    Haproxy,
    /// Caddy v2 JSON access log.
    Caddy,
    /// Traefik JSON access log.
    TraefikJson,
    /// nginx `log_format ... escape=json` logs: one JSON object per line.
    NginxJson,
    /// Gandi's hosting log: `%v %h %l %u %t (%T s) "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`.
    Gandi,
    /// OVH's shared hosting log: combined with the virtual host in the `%l` slot
    /// (`%h %v %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`). A line whose `%l` slot is not a
    /// host name (with a dot) is not of this preset.
    Ovh,
}

impl Format {
    /// Every preset, in the order autodetection prefers them on a tie (the stricter first).
    pub const ALL: [Format; 18] = [
        Format::NginxXff,
        Format::Traefik,
        Format::Ovh,
        Format::Combined,
        Format::VhostCombined,
        Format::Common,
        Format::VhostCommon,
        Format::Nginx,
        Format::Gandi,
        Format::S3,
        Format::Haproxy,
        Format::Alb,
        Format::Elb,
        Format::Cloudfront,
        Format::W3c,
        Format::Caddy,
        Format::TraefikJson,
        Format::NginxJson,
    ];

    /// The preset's name as given to `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Common => "common",
            Format::Combined => "combined",
            Format::VhostCommon => "vhost_common",
            Format::VhostCombined => "vhost_combined",
            Format::Nginx => "nginx",
            Format::NginxXff => "nginx-xff",
            Format::Traefik => "traefik",
            Format::W3c => "w3c",
            Format::Cloudfront => "cloudfront",
            Format::Alb => "alb",
            Format::Elb => "elb",
            Format::S3 => "s3",
            Format::Haproxy => "haproxy",
            Format::Caddy => "caddy",
            Format::TraefikJson => "traefik-json",
            Format::NginxJson => "nginx-json",
            Format::Gandi => "gandi",
            Format::Ovh => "ovh",
        }
    }

    /// The preset's definition: an Apache `LogFormat` or nginx `log_format` string, or the layout it reads.
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
            Format::NginxXff => NGINX_XFF,
            Format::Gandi => GANDI,
            Format::Ovh => OVH,
            Format::Traefik => {
                r#"%h - %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" <requests> "<router>" "<server URL>" <duration>ms"#
            }
            Format::W3c => {
                "#Fields: header in the file (default: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken)"
            }
            Format::Cloudfront => {
                "#Fields: header in the file, tab separated (default: the 33 fields of the CloudFront standard log)"
            }
            Format::Alb => {
                r#"type time elb client:port target:port request_time target_time response_time elb_status target_status received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" "chosen_cert_arn" … (ALB access log; NLB `tls` lines and ALB connection log lines too, line by line)"#
            }
            Format::Elb => {
                r#"time elb client:port backend:port request_time backend_time response_time elb_status backend_status received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol"#
            }
            Format::S3 => {
                r#"bucket_owner bucket [time] remote_ip requester request_id operation key "request_uri" status error_code bytes_sent object_size total_time turn_around_time "referer" "user_agent" version_id …"#
            }
            Format::Haproxy => {
                r#"[syslog prefix] client:port [accept_date] frontend backend/server timers status bytes req_cookie res_cookie termination_state conns queues [{req_headers}] [{res_headers}] "request""#
            }
            Format::Caddy => {
                r#"{"ts":…,"request":{"remote_ip":…,"client_ip":…,"method":…,"host":…,"uri":…,"headers":{…}},"status":…,"size":…}"#
            }
            Format::TraefikJson => {
                r#"{"ClientHost":…,"RequestMethod":…,"RequestPath":…,"DownstreamStatus":…,"request_User-Agent":…,"StartUTC":…}"#
            }
            Format::NginxJson => {
                r#"log_format json escape=json '{"remote_addr":"$remote_addr","time_local":"$time_local","request":"$request","status":$status,…}'"#
            }
        }
    }

    fn shape(self) -> Option<ClfShape> {
        let (vhost, combined) = match self {
            Format::Common => (false, false),
            Format::Combined | Format::Nginx | Format::Traefik => (false, true),
            Format::VhostCommon => (true, false),
            Format::VhostCombined => (true, true),
            _ => return None,
        };
        Some(ClfShape { vhost, combined })
    }

    /// True for formats whose `#Fields:` headers say how the lines below them are laid out.
    pub fn uses_headers(self) -> bool {
        matches!(self, Format::W3c | Format::Cloudfront)
    }

    /// Parses one line (without its terminator) strictly as this format, under the default field
    /// allow-list. W3C formats use the preset's default fields here; `ChunkParser` follows the
    /// `#Fields:` headers of a file.
    pub fn parse(self, line: &[u8]) -> Option<Record<'_>> {
        self.parse_with(line, &FieldPolicy::default())
    }

    /// [`Format::parse`], judging fields of unknown meaning by `fields`.
    pub fn parse_with<'a>(self, line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
        match self {
            Format::Common
            | Format::Combined
            | Format::VhostCommon
            | Format::VhostCombined
            | Format::Nginx
            | Format::Traefik => self.scan_clf(line).map(|f| f.record(line)),
            Format::NginxXff => nginx_xff().parse(line),
            Format::Gandi => gandi().parse(line),
            Format::Ovh => ovh()
                .parse(line)
                .filter(|r| r.vhost.is_some_and(|v| is_domain(r.get(v)))),
            Format::Cloudfront if memchr::memchr(b'\t', line).is_none() => None,
            Format::W3c | Format::Cloudfront => {
                w3c::FieldsHeader::preset_with(self, fields).parse(line)
            }
            Format::Alb => cloud::parse_aws_lb(line, fields),
            Format::Elb => cloud::parse_elb(line, fields),
            Format::S3 => cloud::parse_s3(line, fields),
            Format::Haproxy => cloud::parse_haproxy(line),
            Format::Caddy => json::parse_with(line, json::Flavour::Caddy, fields),
            Format::TraefikJson => json::parse_with(line, json::Flavour::Traefik, fields),
            Format::NginxJson => json::parse_with(line, json::Flavour::Nginx, fields),
        }
    }

    /// For the presets of the CLF family, the fields of `line` as the fast scanner finds them; `None` for
    /// other presets and for lines that are not of this preset.
    #[inline]
    pub fn scan_clf(self, line: &[u8]) -> Option<ClfFields> {
        let fields = clf::scan(line, self.shape()?)?;
        if self == Format::Traefik && !clf::is_traefik_tail(line, fields.extra) {
            return None;
        }
        Some(fields)
    }
}

const NGINX_XFF: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;

fn nginx_xff() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::compile(NGINX_XFF, Syntax::Nginx).expect("the nginx-xff preset compiles")
    })
}

const GANDI: &str = r#"%v %h %l %u %t (%T s) "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;

fn gandi() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::compile(GANDI, Syntax::Apache).expect("the gandi preset compiles"))
}

const OVH: &str = r#"%h %v %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;

fn ovh() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::compile(OVH, Syntax::Apache).expect("the ovh preset compiles"))
}

/// A host name with at least one dot that is not an address: what OVH writes in the `%l` slot, and what
/// `identd` (the slot's meaning elsewhere, long out of use) never does.
fn is_domain(v: &[u8]) -> bool {
    v.len() <= 253
        && v.contains(&b'.')
        && v.first().is_some_and(u8::is_ascii_alphabetic)
        && !v.last().is_some_and(u8::is_ascii_digit)
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log format '{0}' (see `logveil formats` for the presets)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        let norm = |n: &str| n.to_ascii_lowercase().replace('_', "-");
        // Other tools' names: GoAccess's --log-format values (VCOMBINED, AWSELB, ...) and IIS.
        let alias = match norm(s).as_str() {
            "vhost" | "vcombined" => Some(Format::VhostCombined),
            "vcommon" => Some(Format::VhostCommon),
            "iis" => Some(Format::W3c),
            "awselb" => Some(Format::Elb),
            "awsalb" => Some(Format::Alb),
            "awss3" => Some(Format::S3),
            "traefikclf" => Some(Format::Traefik),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| norm(f.name()) == norm(s)))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// What a parser reads: a preset, or a compiled `--log-format` / `--nginx-format` string.
#[derive(Debug, Clone)]
enum ParserKind {
    Preset(Format),
    Spec(Arc<Spec>),
}

/// How lines of one input are parsed: a forced preset or format string, or a detected preset with
/// fallbacks.
///
/// With a detected CLF-family format, a line the preset rejects is tried against the other presets of the
/// family before it is given up as unparsable: real files mix common and combined lines, or carry the odd
/// vhost-prefixed line.
#[derive(Debug, Clone)]
pub struct LineParser {
    kind: ParserKind,
    fallback: bool,
    /// The field allow-list presets are parsed under (a format string is compiled under its own).
    fields: Arc<FieldPolicy>,
    /// The nginx-xff preset compiled under `fields`, when they are not the default.
    xff: Option<Arc<Spec>>,
    /// The collector's prefix before each line, when detection found one.
    prefix: Option<Prefix>,
}

impl LineParser {
    /// Parse with exactly this format.
    pub fn forced(format: Format) -> LineParser {
        LineParser {
            kind: ParserKind::Preset(format),
            fallback: false,
            fields: Arc::default(),
            xff: None,
            prefix: None,
        }
    }

    /// Parse with a detected format first, then the others of its family.
    pub fn detected(format: Format) -> LineParser {
        LineParser {
            kind: ParserKind::Preset(format),
            fallback: format.shape().is_some() || matches!(format, Format::NginxXff | Format::Ovh),
            fields: Arc::default(),
            xff: None,
            prefix: None,
        }
    }

    /// Parse with a compiled format string (its fields were judged when it was compiled:
    /// [`Spec::compile_with`]).
    pub fn spec(spec: Spec) -> LineParser {
        LineParser {
            kind: ParserKind::Spec(Arc::new(spec)),
            fallback: false,
            fields: Arc::default(),
            xff: None,
            prefix: None,
        }
    }

    /// This parser judging fields of unknown meaning by `fields` (`--keep-field`, `--drop-field`). A
    /// format string is recompiled under it (it compiled before, so only a format with more fields to
    /// drop than a record holds can fail now).
    pub fn with_fields(mut self, fields: FieldPolicy) -> Result<LineParser, spec::SpecError> {
        match &self.kind {
            ParserKind::Spec(s) => {
                self.kind = ParserKind::Spec(Arc::new(Spec::compile_with(
                    s.source(),
                    s.syntax(),
                    &fields,
                )?))
            }
            ParserKind::Preset(Format::NginxXff) if fields != FieldPolicy::default() => {
                self.xff = Some(Arc::new(Spec::compile_with(
                    NGINX_XFF,
                    Syntax::Nginx,
                    &fields,
                )?))
            }
            ParserKind::Preset(_) => {}
        }
        self.fields = Arc::new(fields);
        Ok(self)
    }

    /// This parser reading lines behind `prefix` (found by [`detect::detect_prefix`]).
    pub fn with_prefix(mut self, prefix: Option<Prefix>) -> LineParser {
        self.prefix = prefix;
        self
    }

    /// The collector's prefix the lines stand behind, if any.
    pub fn prefix(&self) -> Option<Prefix> {
        self.prefix
    }

    /// `line` without the collector's prefix this parser expects (as it is when it has none; Docker
    /// JSON lines are decoded whole by the caller: [`prefix::decode_docker_chunk`]).
    #[inline]
    pub fn strip<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        match self.prefix {
            None => line,
            Some(p) => p.len(line).map_or(line, |len| &line[len..]),
        }
    }

    /// The field allow-list this parser applies.
    pub fn fields(&self) -> &FieldPolicy {
        &self.fields
    }

    /// The compiled format string, when the parser reads one.
    pub(crate) fn format_string(&self) -> Option<&Spec> {
        match &self.kind {
            ParserKind::Spec(s) => Some(s),
            ParserKind::Preset(_) => None,
        }
    }

    /// The preset, when the parser reads one.
    pub fn format(&self) -> Option<Format> {
        match &self.kind {
            ParserKind::Preset(f) => Some(*f),
            ParserKind::Spec(_) => None,
        }
    }

    /// A name for messages: the preset's, or `the given log format`.
    pub fn name(&self) -> String {
        match &self.kind {
            ParserKind::Preset(f) => f.name().to_string(),
            ParserKind::Spec(_) => "the given log format".to_string(),
        }
    }

    /// True when lines depend on `#Fields:` headers before them.
    pub fn uses_headers(&self) -> bool {
        self.format().is_some_and(Format::uses_headers)
    }

    /// Parses one line (without its terminator), with no header state (see `ChunkParser`).
    #[inline]
    pub fn parse<'a>(&self, line: &'a [u8]) -> Option<Record<'a>> {
        let primary = match (&self.kind, &self.xff) {
            (ParserKind::Spec(spec), _) | (ParserKind::Preset(Format::NginxXff), Some(spec)) => {
                if let Some(r) = spec.parse(line) {
                    return Some(r);
                }
                if !self.fallback {
                    return None;
                }
                Format::NginxXff
            }
            (ParserKind::Preset(f), _) => *f,
        };
        if let Some(r) = primary.parse_with(line, &self.fields) {
            return Some(r);
        }
        if !self.fallback {
            return None;
        }
        // The lenient presets accept a combined line too, so these two cover the family.
        [Format::Common, Format::VhostCommon]
            .into_iter()
            .filter(|f| *f != primary)
            .find_map(|f| f.parse_with(line, &self.fields))
    }

    /// The fields of `line` found by the CLF fast scanner, when the primary format is a CLF-family preset
    /// and the line is of it; `None` otherwise (then [`LineParser::parse`] tries every way).
    #[inline]
    pub fn scan_clf(&self, line: &[u8]) -> Option<ClfFields> {
        match &self.kind {
            ParserKind::Preset(f) => f.scan_clf(line),
            ParserKind::Spec(_) => None,
        }
    }

    /// A parser for one chunk of input, starting under `header` (the last `#Fields:` line before the
    /// chunk, for formats that use headers).
    pub fn chunk(&self, header: Option<&[u8]>) -> ChunkParser<'_> {
        let preset = match &self.kind {
            ParserKind::Preset(f) if f.uses_headers() => {
                Some(w3c::FieldsHeader::preset_with(*f, &self.fields).into_owned())
            }
            _ => None,
        };
        // The carried header: the `#Date:` and `#Fields:` lines in force, one a line.
        let lines = || header.into_iter().flat_map(|h| h.split(|&b| b == b'\n'));
        let layout = preset.as_ref().map(|p| {
            lines()
                .find_map(|h| w3c::FieldsHeader::from_header_with(h, &self.fields))
                .unwrap_or_else(|| p.clone())
        });
        let date = lines().find_map(|h| w3c::header_date(w3c::directive(h)?));
        ChunkParser {
            parser: self,
            layout,
            preset,
            date,
        }
    }
}

/// What one line is.
// A record is returned by value for every line; boxing it would allocate per line.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Parsed<'a> {
    /// A log record.
    Record(Record<'a>),
    /// A `#` directive of a W3C log (`#Fields:`, `#Date:`, …).
    Directive,
    /// Not a line of this format.
    Unparsed,
}

/// Parses the lines of one chunk in order, following `#Fields:` headers.
#[derive(Debug, Clone)]
pub struct ChunkParser<'p> {
    parser: &'p LineParser,
    layout: Option<w3c::FieldsHeader>,
    /// The preset's default fields (formats with headers).
    preset: Option<w3c::FieldsHeader>,
    /// The day of the last `#Date:` directive, for lines with a time but no date.
    date: Option<[u8; 10]>,
}

impl ChunkParser<'_> {
    /// [`LineParser::strip`] of the chunk's parser.
    #[inline]
    pub fn strip<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        self.parser.strip(line)
    }

    /// [`LineParser::prefix`] of the chunk's parser.
    pub fn prefix(&self) -> Option<Prefix> {
        self.parser.prefix
    }

    /// [`LineParser::scan_clf`] of the chunk's parser (formats with headers are never CLF).
    #[inline]
    pub fn scan_clf(&self, line: &[u8]) -> Option<ClfFields> {
        self.parser.scan_clf(line)
    }

    /// [`ChunkParser::parse`], and a line that does not parse tried once more behind any syslog, CRI or
    /// compose prefix it has (as the anonymiser does: both agree on what parses).
    pub fn parse_or_behind<'a>(&mut self, line: &'a [u8]) -> Parsed<'a> {
        match self.parse(line) {
            Parsed::Unparsed => match prefix::prefix_len(line) {
                Some(len) if len < line.len() => self.parse(&line[len..]),
                _ => Parsed::Unparsed,
            },
            parsed => parsed,
        }
    }

    /// Parses one line (without its terminator).
    #[inline]
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Parsed<'a> {
        let Some(layout) = &mut self.layout else {
            return match self.parser.parse(line) {
                Some(r) => Parsed::Record(r),
                None => Parsed::Unparsed,
            };
        };
        if let Some(directive) = w3c::directive(line) {
            if let Some(new) = w3c::FieldsHeader::from_header_with(directive, &self.parser.fields) {
                *layout = new;
            } else if let Some(day) = w3c::header_date(directive) {
                self.date = Some(day);
            }
            return Parsed::Directive;
        }
        if self.parser.format() == Some(Format::Cloudfront) && memchr::memchr(b'\t', line).is_none()
        {
            return Parsed::Unparsed;
        }
        // A line that does not fit the header in force may still be a record of the preset's default
        // fields (IIS files pasted together under a later header).
        let preset = self.preset.as_ref();
        match layout
            .parse(line)
            .or_else(|| preset.filter(|p| p.len() != layout.len())?.parse(line))
        {
            // A record needs a time, and a date of its own or from `#Date:` (IIS FTP logs give none):
            // `report` could not place it otherwise, and both commands must agree on what parses.
            Some(mut r) if r.time.is_some() => {
                if r.date.is_none() {
                    match self.date {
                        Some(day) => r.header_date = Some(day),
                        None => return Parsed::Unparsed,
                    }
                }
                Parsed::Record(r)
            }
            _ => Parsed::Unparsed,
        }
    }
}

/// The W3C header in force after `chunk`, to start the next chunk's parser with
/// ([`LineParser::chunk`]): the last `#Date:` and `#Fields:` lines of `chunk`, each taken from `before`
/// (the header in force before it) when the chunk has none. `None` when there are neither.
pub(crate) fn carried_header(before: Option<&[u8]>, chunk: &[u8]) -> Option<Vec<u8>> {
    let last = |name: &[u8]| {
        last_directive(chunk, name).or_else(|| before.and_then(|b| last_directive(b, name)))
    };
    let (date, fields) = (last(b"#Date:"), last(b"#Fields:"));
    if date.is_none() && fields.is_none() {
        return None;
    }
    Some([date.unwrap_or_default(), b"\n", fields.unwrap_or_default()].concat())
}

/// A time written by Apache `%{format}t` in strftime format `f`, as seconds in its own offset.
pub(crate) fn strftime_secs(f: &str, t: &[u8]) -> Option<i64> {
    strftime::local_secs(f, t)
}

/// The last `#Fields:` line of `chunk` (without its terminator), if any.
#[cfg(test)]
fn last_header(chunk: &[u8]) -> Option<&[u8]> {
    last_directive(chunk, b"#Fields:")
}

/// The last line of `chunk` (without its terminator) that is the directive `name` (leading blanks
/// allowed), if any.
fn last_directive<'c>(chunk: &'c [u8], name: &[u8]) -> Option<&'c [u8]> {
    let mut end = chunk.len();
    while let Some(at) = memchr::memmem::rfind(&chunk[..end], name) {
        let line_start = memchr::memrchr(b'\n', &chunk[..at]).map_or(0, |i| i + 1);
        if chunk[line_start..at]
            .iter()
            .all(|b| *b == b' ' || *b == b'\t')
        {
            let line_end = memchr::memchr(b'\n', &chunk[at..]).map_or(chunk.len(), |i| at + i);
            let line = &chunk[line_start..line_end];
            return Some(line.strip_suffix(b"\r").unwrap_or(line));
        }
        end = at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
        assert_eq!("nginx_xff".parse::<Format>().unwrap(), Format::NginxXff);
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

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn the_last_fields_header_of_a_chunk() {
        let chunk = b"#Fields: a b\nx y\n  #Fields: c d\r\nz w\nq #Fields: no\n";
        assert_eq!(last_header(chunk), Some(&b"  #Fields: c d"[..]));
        assert_eq!(last_header(b"x y\n"), None);
    }

    #[test]
    fn the_carried_header_keeps_the_date_and_fields_in_force() {
        let first = carried_header(
            None,
            b"#Date: 2000-10-09 16:44:49\n#Fields: time c-ip\nx y\n",
        );
        assert_eq!(
            first.as_deref(),
            Some(&b"#Date: 2000-10-09 16:44:49\n#Fields: time c-ip"[..])
        );
        // A chunk with a new date only keeps the fields before it.
        let next = carried_header(first.as_deref(), b"#Date: 2000-10-10 00:00:00\nz w\n");
        assert_eq!(
            next.as_deref(),
            Some(&b"#Date: 2000-10-10 00:00:00\n#Fields: time c-ip"[..])
        );
        assert_eq!(carried_header(None, b"x y\n"), None);
        let parser = LineParser::forced(Format::W3c);
        let mut chunk = parser.chunk(next.as_deref());
        match chunk.parse(b"16:44:49 1.1.1.1") {
            Parsed::Record(r) => assert_eq!(r.header_date, Some(*b"2000-10-10")),
            other => panic!("{other:?}"),
        }
        // Without a date anywhere, a time-only line does not parse.
        let mut bare = parser.chunk(Some(b"#Fields: time c-ip"));
        assert!(matches!(bare.parse(b"16:44:49 1.1.1.1"), Parsed::Unparsed));
    }
}
