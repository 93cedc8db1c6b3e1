//! Apache `LogFormat` and nginx `log_format` strings compiled into a line parser.
//!
//! A format string is compiled once into a list of literals and fields ([`Spec`]). A line is parsed by
//! matching each literal exactly and taking each field up to the first byte of the literal after it (a
//! field between double quotes ends at the first unescaped quote). Directives with no literal between them
//! (`%U%q`, `$uri$is_args$args`) are parsed as one field. Every directive maps to a named field of the
//! [`Record`] or to an [`Action`]. Headers, environment, note and SSL variables (`%{…}i`, `%{…}o`,
//! `%{…}e`, `%{…}n`, `%{…}x`, `$http_…`, `$sent_http_…`, `$upstream_…`, `$ssl_…`) are judged by the field
//! allow-list ([`FieldPolicy`]): kept, reduced item by item, or dropped (written `-`). Cookies and user ids
//! are always dropped. An unknown directive is an error naming it.

use std::fmt;

use crate::privacy::fields::{FieldPolicy, Verdict, canonical};
use crate::record::{Action, Gaps, Record, Span, TimeKind};

/// Where a directive's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirectiveRole {
    Vhost,
    Client,
    Ident,
    User,
    Time(TimeKind),
    Request,
    Method,
    Target,
    Query,
    Status,
    Bytes,
    Referer,
    Agent,
    Dnt,
    SecGpc,
    /// A number kept as written (`%D`, `%T`, `%O`, `%{msec_frac}t`, …): digits with an optional fraction,
    /// or `-`.
    Number,
    Other(Action),
}

impl DirectiveRole {
    /// Part of a URL (merged with neighbours into a target).
    fn is_url_part(self) -> bool {
        matches!(self, DirectiveRole::Target | DirectiveRole::Query)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(Vec<u8>),
    Field { slot: DirectiveRole, name: String },
}

/// Where a field ends, decided once when the format is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Between double quotes: at the first quote not escaped by a backslash.
    Quoted,
    /// At the first occurrence of this byte.
    Byte(u8),
    /// A client list (`a, b`): at the first space not after a comma.
    List,
    /// A CLF time between brackets: exactly 26 bytes.
    ClfTime,
    /// The last item, free text (a request, a referrer, a user agent, a field dropped or scrubbed
    /// whole): at the end of the line.
    Line,
    /// A strftime time (`%{%Y-%m-%d %H:%M:%S}t`): as long as the format's fields and literals match.
    Strftime(super::strftime::Items),
    /// The last item, one token (a host, a status, an address): at the first space or tab. What follows is
    /// the record's `extra`, judged by its shape as a CLF line's trailing fields are.
    Token,
}

/// One step of the compiled parser: a literal, then a field (absent for the format's trailing literal).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    lit: Box<[u8]>,
    field: Option<(DirectiveRole, End)>,
    /// The directive as written, for messages.
    name: Box<str>,
}

/// A compiled `LogFormat` or `log_format` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    source: String,
    syntax: Syntax,
    steps: Vec<Step>,
    gaps: Gaps,
    /// The format ends with a one-token field: trailing fields after it are the record's `extra`.
    tail: bool,
}

/// Why a format string does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A directive logveil does not know.
    #[error("unknown directive '{0}' in the log format")]
    Unknown(String),
    /// A `%` or `$` at the end, or an unclosed `{`.
    #[error("incomplete directive '{0}' at the end of the log format")]
    Incomplete(String),
    /// Nothing to parse.
    #[error("the log format has no directive")]
    Empty,
    /// More fields needing a rule of their own than a record holds.
    #[error("the log format has more than {0} cookie, address and URL fields")]
    TooMany(usize),
}

/// Which syntax a format string is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Apache `LogFormat` (`%h %l %u %t "%r" %>s %b`).
    Apache,
    /// nginx `log_format` (`$remote_addr - $remote_user [$time_local] "$request"`).
    Nginx,
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Spec {
    /// Compiles a format string under the default field allow-list.
    pub fn compile(source: &str, syntax: Syntax) -> Result<Spec, SpecError> {
        Spec::compile_with(source, syntax, &FieldPolicy::default())
    }

    /// Compiles a format string, judging header and variable fields by `fields`.
    pub fn compile_with(
        source: &str,
        syntax: Syntax,
        fields: &FieldPolicy,
    ) -> Result<Spec, SpecError> {
        let raw = match syntax {
            Syntax::Apache => apache_items(source, fields)?,
            Syntax::Nginx => nginx_items(source, fields)?,
        };
        // Merge adjacent fields and adjacent literals.
        let mut items: Vec<Piece> = Vec::new();
        for item in raw {
            match (items.last_mut(), item) {
                (Some(Piece::Lit(a)), Piece::Lit(b)) => a.extend_from_slice(&b),
                (Some(Piece::Field { slot, name }), Piece::Field { slot: s2, name: n2 }) => {
                    // Fields run together cannot be told apart: kept only when both are.
                    let kept = |s: DirectiveRole| {
                        matches!(
                            s,
                            DirectiveRole::Other(Action::Keep) | DirectiveRole::Number
                        )
                    };
                    *slot = if slot.is_url_part() && s2.is_url_part() {
                        DirectiveRole::Target
                    } else if kept(*slot) && kept(s2) {
                        DirectiveRole::Other(Action::Keep)
                    } else {
                        DirectiveRole::Other(Action::Drop)
                    };
                    name.push_str(&n2);
                }
                (_, item) => items.push(item),
            }
        }
        items.retain(|i| !matches!(i, Piece::Lit(l) if l.is_empty()));
        if !items.iter().any(|i| matches!(i, Piece::Field { .. })) {
            return Err(SpecError::Empty);
        }
        // A named field given twice keeps its first place; the second is treated as its kind says.
        let mut seen: Vec<DirectiveRole> = Vec::new();
        let mut listed = 0;
        let mut gaps = Gaps::Literal;
        for item in &mut items {
            if let Piece::Field { slot, .. } = item {
                if !matches!(*slot, DirectiveRole::Other(_) | DirectiveRole::Number) {
                    let key = match *slot {
                        DirectiveRole::Time(_) => DirectiveRole::Time(TimeKind::Clf),
                        s => s,
                    };
                    if seen.contains(&key) {
                        *slot = DirectiveRole::Other(match key {
                            DirectiveRole::Client => Action::Ips,
                            DirectiveRole::Ident | DirectiveRole::User => Action::Drop,
                            DirectiveRole::Target | DirectiveRole::Referer => Action::Url,
                            DirectiveRole::Status
                            | DirectiveRole::Bytes
                            | DirectiveRole::Method
                            | DirectiveRole::Time(_) => Action::Keep,
                            _ => Action::Scrub,
                        });
                    } else {
                        seen.push(key);
                    }
                }
                match *slot {
                    DirectiveRole::Other(Action::Scrub) => gaps = Gaps::Scrub,
                    DirectiveRole::Other(Action::Keep) => {}
                    DirectiveRole::Other(_) => listed += 1,
                    _ => {}
                }
            }
        }
        if listed > crate::record::MAX_OTHERS {
            return Err(SpecError::TooMany(crate::record::MAX_OTHERS));
        }
        let steps = steps(&items)?;
        let tail = steps
            .iter()
            .rev()
            .find_map(|s| s.field)
            .is_some_and(|(_, end)| matches!(end, End::Token | End::List))
            && steps.last().is_some_and(|s| s.lit.is_empty());
        Ok(Spec {
            source: source.to_string(),
            syntax,
            steps,
            gaps,
            tail,
        })
    }

    /// The format string as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax of the format string.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// Parses one line (without its terminator).
    pub fn parse<'a>(&self, line: &'a [u8]) -> Option<Record<'a>> {
        self.walk(line).ok()
    }

    /// Why `line` does not parse, in words that quote nothing of it (`the field %D is not a number`);
    /// `None` when it parses.
    pub fn mismatch(&self, line: &[u8]) -> Option<String> {
        self.walk(line).err()?.map(|(step, what)| {
            let step = &self.steps[step];
            match what {
                Miss::Literal => {
                    let lit = String::from_utf8_lossy(&step.lit)
                        .escape_debug()
                        .to_string();
                    match step.field {
                        Some(_) => format!("the text \"{lit}\" before {} is not there", step.name),
                        None => format!("the text \"{lit}\" at the end is not there"),
                    }
                }
                Miss::End => format!("{} does not end where the format says", step.name),
                Miss::Shape => format!("{} does not have the shape of {}", step.name, shape(step)),
                Miss::Rest => "the line goes on after the format's last field".to_string(),
            }
        })
    }

    /// Parses `line`, or says at which step (and why) it stops.
    #[inline]
    fn walk<'a>(&self, line: &'a [u8]) -> Result<Record<'a>, Option<(usize, Miss)>> {
        let mut r = Record::fields(line);
        r.gaps = self.gaps;
        let mut pos = 0;
        for (n, step) in self.steps.iter().enumerate() {
            let lit = &step.lit[..];
            let literal_ok = match lit.len() {
                0 => true,
                1 => line.get(pos) == Some(&lit[0]),
                _ => starts_with(&line[pos..], lit),
            };
            if !literal_ok {
                return Err(Some((n, Miss::Literal)));
            }
            pos += lit.len();
            let Some((slot, end)) = step.field else {
                break;
            };
            let rest = &line[pos..];
            let len = match end {
                End::Quoted => quoted_len(rest),
                End::Byte(b) => super::scan::find_byte(rest, b),
                End::List => list_len(rest),
                End::ClfTime => (rest.len() >= 26).then_some(26),
                End::Strftime(f) => super::strftime::len(f, rest),
                End::Line => Some(rest.len()),
                End::Token => {
                    Some(super::scan::find_byte2(rest, b' ', b'\t').unwrap_or(rest.len()))
                }
            };
            let Some(len) = len else {
                return Err(Some((n, Miss::End)));
            };
            if !place(&mut r, slot, Span::new(pos, pos + len), &rest[..len]) {
                return Err(Some((n, Miss::Shape)));
            }
            pos += len;
        }
        if pos < line.len() && self.tail && matches!(line[pos], b' ' | b'\t') {
            r.extra = Span::new(pos, line.len());
            return Ok(r);
        }
        if pos == line.len() {
            Ok(r)
        } else {
            Err(Some((self.steps.len() - 1, Miss::Rest)))
        }
    }
}

/// Why a line stops matching a step.
#[derive(Debug, Clone, Copy)]
enum Miss {
    /// The literal before the field is not there.
    Literal,
    /// The field's end (its closing quote, the byte after it) is not found.
    End,
    /// The field is not of its directive's shape.
    Shape,
    /// Text after the last field.
    Rest,
}

/// What a typed field must look like, for messages.
fn shape(step: &Step) -> &'static str {
    match step.field.map(|(slot, _)| slot) {
        Some(DirectiveRole::Status) => "a status (three digits)",
        Some(DirectiveRole::Bytes) => "a byte count (digits or -)",
        Some(DirectiveRole::Number) => "a number",
        Some(DirectiveRole::Time(TimeKind::Clf)) => "a time (dd/Mon/yyyy:hh:mm:ss +zone)",
        Some(DirectiveRole::Time(_)) => "its time format",
        Some(DirectiveRole::Client) => "an address",
        _ => "its field",
    }
}

/// The parser steps of a merged item list: each field with the literal before it and where it ends.
fn steps(items: &[Piece]) -> Result<Vec<Step>, SpecError> {
    let mut steps = Vec::with_capacity(items.len() / 2 + 1);
    let mut lit: &[u8] = &[];
    for (i, item) in items.iter().enumerate() {
        let (slot, name) = match item {
            Piece::Lit(l) => {
                lit = l;
                continue;
            }
            Piece::Field { slot, name } => (*slot, name),
        };
        let after = match items.get(i + 1) {
            Some(Piece::Lit(l)) => Some(&l[..]),
            None => None,
            // Adjacent fields were merged: cannot happen, but a format must never be guessed.
            Some(Piece::Field { .. }) => return Err(SpecError::Unknown(name.clone())),
        };
        let strftime = match slot {
            DirectiveRole::Time(_) => strftime_arg(name),
            _ => None,
        };
        let end = if let Some(items) = strftime {
            End::Strftime(items)
        } else {
            match after {
                None => match slot {
                    DirectiveRole::Request
                    | DirectiveRole::Referer
                    | DirectiveRole::Agent
                    | DirectiveRole::Other(Action::Drop | Action::Scrub | Action::Null)
                    | DirectiveRole::Other(Action::DashList | Action::Remove) => End::Line,
                    DirectiveRole::Client | DirectiveRole::Other(Action::Ips) => End::List,
                    _ => End::Token,
                },
                Some(l) if lit.ends_with(b"\"") && l.starts_with(b"\"") => End::Quoted,
                Some(l)
                    if slot == DirectiveRole::Time(TimeKind::Clf)
                        && lit.ends_with(b"[")
                        && l.starts_with(b"]") =>
                {
                    End::ClfTime
                }
                Some(l) if slot == DirectiveRole::Client && l[0] == b' ' => End::List,
                Some(l) => End::Byte(l[0]),
            }
        };
        steps.push(Step {
            lit: std::mem::take(&mut lit).into(),
            field: Some((slot, end)),
            name: name.as_str().into(),
        });
    }
    steps.push(Step {
        lit: lit.into(),
        field: None,
        name: "".into(),
    });
    Ok(steps)
}

/// True when `rest` starts with `lit` (short literals: a byte loop, no call).
#[inline]
fn starts_with(rest: &[u8], lit: &[u8]) -> bool {
    rest.len() >= lit.len() && rest.iter().zip(lit).all(|(a, b)| a == b)
}

/// Length of a client list (`10.0.0.2, 10.0.0.1`): up to the first space not after a comma.
#[inline]
fn list_len(rest: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        // No space: the list runs to the end of the line (the format's last field).
        let Some(off) = super::scan::find_byte(&rest[from..], b' ') else {
            return Some(rest.len());
        };
        let at = from + off;
        if at > 0 && rest[at - 1] == b',' {
            from = at + 1;
            continue;
        }
        return Some(at);
    }
}

/// Length of a quoted field's content: up to the first quote not escaped by a backslash.
#[inline]
fn quoted_len(rest: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'"', &rest[from..]) {
        let at = from + off;
        let backslashes = rest[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Puts a field into the record, checking the shape of typed fields.
#[inline]
fn place(r: &mut Record<'_>, slot: DirectiveRole, span: Span, value: &[u8]) -> bool {
    match slot {
        DirectiveRole::Vhost => r.vhost = Some(span),
        DirectiveRole::Client => {
            if value.is_empty() {
                return false;
            }
            r.client = Some(span)
        }
        DirectiveRole::Ident => r.ident = Some(span),
        DirectiveRole::User => r.authuser = Some(span),
        DirectiveRole::Time(kind) => {
            if kind == TimeKind::Clf && !super::clf::is_clf_time(value) {
                return false;
            }
            r.time = Some(span);
            r.time_kind = kind;
        }
        DirectiveRole::Request => r.request = Some(span),
        DirectiveRole::Method => r.method = Some(span),
        DirectiveRole::Target => r.target = Some(span),
        DirectiveRole::Query => {
            // Apache's `%q` includes the `?`.
            let skip = usize::from(value.first() == Some(&b'?'));
            r.query = Some(Span::new(span.start as usize + skip, span.end as usize));
        }
        DirectiveRole::Status => {
            if value.len() != 3 || !value.iter().all(u8::is_ascii_digit) {
                return false;
            }
            r.status = Some(span)
        }
        DirectiveRole::Bytes => {
            if value != b"-" && (value.is_empty() || !value.iter().all(u8::is_ascii_digit)) {
                return false;
            }
            r.bytes = Some(span)
        }
        DirectiveRole::Referer => r.referer = Some(span),
        DirectiveRole::Agent => r.user_agent = Some(span),
        DirectiveRole::Number => {
            if !is_number(value) {
                return false;
            }
        }
        DirectiveRole::Dnt => r.dnt = Some(span),
        DirectiveRole::SecGpc => r.sec_gpc = Some(span),
        DirectiveRole::Other(Action::Keep) => {}
        DirectiveRole::Other(Action::Scrub) if r.gaps == Gaps::Scrub => {}
        DirectiveRole::Other(a) => return r.others.push(span, a),
    }
    true
}

/// Digits with an optional fraction (`0.012`), or `-`.
fn is_number(v: &[u8]) -> bool {
    if v == b"-" {
        return true;
    }
    let int = v.iter().take_while(|b| b.is_ascii_digit()).count();
    int > 0
        && match &v[int..] {
            [] => true,
            [b'.', frac @ ..] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
            _ => false,
        }
}

/// The strftime items of a `%{format}t` directive (without `begin:`/`end:`), interned; `None` for the
/// named clocks (`sec`, `msec`, …) and a format without a `%`.
fn strftime_arg(name: &str) -> Option<super::strftime::Items> {
    let arg = name.strip_prefix("%{")?.strip_suffix("}t")?;
    let arg = arg.trim_start_matches("begin:").trim_start_matches("end:");
    arg.contains('%').then(|| super::strftime::intern(arg).1)
}

fn field(slot: DirectiveRole, name: &str) -> Piece {
    Piece::Field {
        slot,
        name: name.to_string(),
    }
}

/// What a request header carries: a named field, or what the allow-list says.
fn header_slot(name: &str, fields: &FieldPolicy) -> DirectiveRole {
    match canonical(name).as_str() {
        "referer" | "referrer" => DirectiveRole::Referer,
        "user-agent" => DirectiveRole::Agent,
        "dnt" => DirectiveRole::Dnt,
        "sec-gpc" => DirectiveRole::SecGpc,
        "host" => DirectiveRole::Vhost,
        _ => judged(name, fields),
    }
}

/// The slot the allow-list gives a field of unknown meaning.
fn judged(name: &str, fields: &FieldPolicy) -> DirectiveRole {
    DirectiveRole::Other(match fields.judge(canonical(name).as_bytes()) {
        Verdict::Keep => Action::Keep,
        Verdict::Addresses => Action::Ips,
        Verdict::Drop => Action::Drop,
    })
}

/// Apache `LogFormat` directives.
fn apache_items(src: &str, fields: &FieldPolicy) -> Result<Vec<Piece>, SpecError> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() {
            // Escapes as Apache's config parser leaves them in the string.
            lit.push(match b[i + 1] {
                b'n' => b'\n',
                b't' => b'\t',
                other => other,
            });
            i += 2;
            continue;
        }
        if c != b'%' {
            lit.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        // Modifiers: `<`, `>`, status conditions `!400,501`.
        while i < b.len() && matches!(b[i], b'<' | b'>' | b'!' | b',' | b'0'..=b'9') {
            i += 1;
        }
        let mut arg = None;
        if i < b.len() && b[i] == b'{' {
            let close = src[i..]
                .find('}')
                .ok_or_else(|| SpecError::Incomplete(src[start..].to_string()))?;
            arg = Some(&src[i + 1..i + close]);
            i += close + 1;
        }
        // `%^ti`, `%^to`: trailers.
        let letter_len = if src[i..].starts_with("^t") { 3 } else { 1 };
        if i + letter_len > b.len() {
            return Err(SpecError::Incomplete(src[start..].to_string()));
        }
        let letter = &src[i..i + letter_len];
        i += letter_len;
        let name = &src[start..i];
        if letter == "%" {
            lit.push(b'%');
            continue;
        }
        if !lit.is_empty() {
            items.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        let slot = match (letter, arg) {
            // `%{c}h`: the address of the TCP peer, before mod_remoteip changed it.
            ("h", None | Some("c")) => DirectiveRole::Client,
            ("a", None | Some("c")) => DirectiveRole::Client,
            ("a", Some(_)) => DirectiveRole::Other(Action::Ips),
            ("A", _) => DirectiveRole::Other(Action::Ips),
            ("l", None) => DirectiveRole::Ident,
            ("u", None) => DirectiveRole::User,
            ("t", None) => {
                items.push(Piece::Lit(b"[".to_vec()));
                items.push(field(DirectiveRole::Time(TimeKind::Clf), name));
                lit.push(b']');
                continue;
            }
            ("t", Some(f)) => match f.trim_start_matches("begin:").trim_start_matches("end:") {
                "msec_frac" | "usec_frac" => DirectiveRole::Number,
                f if !matches!(f, "sec" | "msec" | "usec") && !super::strftime::is_valid(f) => {
                    return Err(SpecError::Unknown(name.to_string()));
                }
                f => DirectiveRole::Time(strftime_kind(f)),
            },
            ("r", None) => DirectiveRole::Request,
            ("m", None) => DirectiveRole::Method,
            ("U", None) => DirectiveRole::Target,
            ("q", None) => DirectiveRole::Query,
            ("s", None) => DirectiveRole::Status,
            ("b" | "B", None) => DirectiveRole::Bytes,
            // Sizes, durations, the keep-alive count, ports and process ids: numbers.
            ("O" | "I" | "S", None) => DirectiveRole::Number,
            ("D" | "T" | "k" | "p" | "P", _) => DirectiveRole::Number,
            ("H" | "X" | "R", _) => DirectiveRole::Other(Action::Keep),
            // The request log id: a per-request identifier, off the allow-list.
            ("L", _) => DirectiveRole::Other(Action::Drop),
            ("v" | "V", None) => DirectiveRole::Vhost,
            // mod_ssl's `%{VAR}c` (its older spelling of `%{VAR}x`) too.
            ("e" | "n" | "o" | "x" | "c" | "^ti" | "^to", Some(v)) => judged(v, fields),
            // The file name on the server, derived from the URL path without its rules.
            ("f" | "e" | "n" | "o" | "x" | "^ti" | "^to", _) => DirectiveRole::Other(Action::Drop),
            ("i", Some(h)) => header_slot(h, fields),
            ("C", Some(_)) => DirectiveRole::Other(Action::Drop),
            _ => return Err(SpecError::Unknown(name.to_string())),
        };
        items.push(field(slot, name));
    }
    if !lit.is_empty() {
        items.push(Piece::Lit(lit));
    }
    Ok(items)
}

/// The kind of time an Apache `%{format}t` writes (`begin:`/`end:` taken off).
fn strftime_kind(f: &str) -> TimeKind {
    match f {
        "sec" => TimeKind::Epoch,
        "msec" => TimeKind::EpochMs,
        "usec" => TimeKind::EpochUs,
        "%d/%b/%Y:%H:%M:%S %z" => TimeKind::Clf,
        "%Y-%m-%dT%H:%M:%S"
        | "%Y-%m-%d %H:%M:%S"
        | "%Y-%m-%dT%H:%M:%S%z"
        | "%Y-%m-%dT%H:%M:%S%:z" => TimeKind::Iso8601,
        f => TimeKind::Strftime(super::strftime::intern(f).0),
    }
}

/// nginx `log_format` variables.
fn nginx_items(src: &str, fields: &FieldPolicy) -> Result<Vec<Piece>, SpecError> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            lit.push(b[i]);
            i += 1;
            continue;
        }
        let start = i;
        let var = if b.get(i + 1) == Some(&b'{') {
            let close = src[i..]
                .find('}')
                .ok_or_else(|| SpecError::Incomplete(src[start..].to_string()))?;
            let v = &src[i + 2..i + close];
            i += close + 1;
            v
        } else {
            let len = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            if len == 0 {
                return Err(SpecError::Incomplete(src[start..].to_string()));
            }
            i += 1 + len;
            &src[start + 1..i]
        };
        if !lit.is_empty() {
            items.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        items.push(field(nginx_slot(var, fields)?, &src[start..i]));
    }
    if !lit.is_empty() {
        items.push(Piece::Lit(lit));
    }
    Ok(items)
}

/// What an nginx variable carries: a named field, or (headers, `$upstream_…`, `$ssl_…` and the other
/// variables of [`JUDGED`]) what the allow-list says.
fn nginx_slot(var: &str, fields: &FieldPolicy) -> Result<DirectiveRole, SpecError> {
    Ok(match var {
        "remote_addr" | "binary_remote_addr" => DirectiveRole::Client,
        "remote_user" => DirectiveRole::User,
        "time_local" => DirectiveRole::Time(TimeKind::Clf),
        "time_iso8601" => DirectiveRole::Time(TimeKind::Iso8601),
        "msec" => DirectiveRole::Time(TimeKind::Epoch),
        "request" => DirectiveRole::Request,
        "request_method" => DirectiveRole::Method,
        "request_uri" | "uri" | "document_uri" => DirectiveRole::Target,
        "args" | "query_string" => DirectiveRole::Query,
        "is_args" => DirectiveRole::Target,
        "status" => DirectiveRole::Status,
        "body_bytes_sent" => DirectiveRole::Bytes,
        "host" | "server_name" | "hostname" => DirectiveRole::Vhost,
        "cookie" => DirectiveRole::Other(Action::Drop),
        v if v.starts_with("cookie_") || v.starts_with("arg_") => {
            DirectiveRole::Other(Action::Drop)
        }
        v if v.starts_with("http_") => header_slot(&v[5..], fields),
        v if v.starts_with("sent_http_")
            || v.starts_with("upstream_")
            || v.starts_with("sent_trailer_")
            || v.starts_with("ssl_")
            || v.starts_with("jwt_")
            || JUDGED.contains(&v) =>
        {
            judged(v, fields)
        }
        _ => return Err(SpecError::Unknown(format!("${var}"))),
    })
}

/// nginx variables of known meaning with no field of their own: judged by the allow-list (most are on
/// it; `request_id` and the server paths are not).
const JUDGED: &[&str] = &[
    "realip_remote_addr",
    "server_addr",
    "proxy_add_x_forwarded_for",
    "bytes_sent",
    "request_length",
    "request_time",
    "server_port",
    "remote_port",
    "server_protocol",
    "scheme",
    "https",
    "connection",
    "connection_requests",
    "pipe",
    "gzip_ratio",
    "pid",
    "nginx_version",
    "request_id",
    "request_completion",
    "request_body",
    "content_length",
    "content_type",
    "tcpinfo_rtt",
    "tcpinfo_rttvar",
    "tcpinfo_snd_cwnd",
    "tcpinfo_rcv_space",
    "geoip_country_code",
    "limit_req_status",
    "server_name_port",
    "proxy_host",
    "proxy_port",
    "document_root",
    "realpath_root",
    "request_filename",
];

#[cfg(test)]
mod tests {
    use super::*;

    const COMBINED: &str = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
    const LINE: &[u8] = br#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0 (X)""#;

    #[test]
    fn combined_logformat_fills_the_same_fields_as_the_hand_written_parser() {
        let spec = Spec::compile(COMBINED, Syntax::Apache).unwrap();
        let r = spec.parse(LINE).unwrap();
        let hand = super::super::Format::Combined.parse(LINE).unwrap();
        for (a, b) in [
            (r.client, hand.client),
            (r.ident, hand.ident),
            (r.authuser, hand.authuser),
            (r.time, hand.time),
            (r.request, hand.request),
            (r.status, hand.status),
            (r.bytes, hand.bytes),
            (r.referer, hand.referer),
            (r.user_agent, hand.user_agent),
        ] {
            assert_eq!(a, b);
        }
        assert!(spec.parse(&LINE[..LINE.len() - 1]).is_none());
        assert!(spec.parse(b"83.149.9.216 - - [17/May/2015:10:05").is_none());
    }

    #[test]
    fn nginx_log_format_with_forwarded_for_and_dnt() {
        let spec = Spec::compile(
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $http_dnt $request_time"#,
            Syntax::Nginx,
        )
        .unwrap();
        let line = br#"10.0.0.2, 10.0.0.1 - bob [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA" "1.2.3.4, 5.6.7.8" 1 0.003"#;
        let r = spec.parse(line).unwrap();
        assert_eq!(r.opt(r.client), b"10.0.0.2, 10.0.0.1");
        assert_eq!(r.opt(r.authuser), b"bob");
        assert_eq!(r.opt(r.dnt), b"1");
        assert_eq!(r.others.as_slice().len(), 1);
        assert_eq!(r.get(r.others.as_slice()[0].0), b"1.2.3.4, 5.6.7.8");
        assert_eq!(r.others.as_slice()[0].1, Action::Ips);
    }

    #[test]
    fn cookies_are_dropped_and_url_parts_merge() {
        let spec = Spec::compile(
            r#"%a %{c}a [%{%Y-%m-%dT%H:%M:%S}t] "%m %U%q %H" %>s %O %{SESSION}C %D"#,
            Syntax::Apache,
        )
        .unwrap();
        let line =
            br#"1.2.3.4 5.6.7.8 [2020-01-02T03:04:05] "GET /x?token=1 HTTP/1.1" 200 12 abc 345"#;
        let r = spec.parse(line).unwrap();
        assert_eq!(r.opt(r.client), b"1.2.3.4");
        assert_eq!(r.opt(r.target), b"/x?token=1");
        assert_eq!(r.time_kind, TimeKind::Iso8601);
        let actions: Vec<Action> = r.others.as_slice().iter().map(|o| o.1).collect();
        assert_eq!(actions, [Action::Ips, Action::Drop]);
    }

    #[test]
    fn an_unquoted_last_field_stops_at_the_next_space() {
        let spec = Spec::compile(r#"%h %l %u %t "%r" %>s %b %v %A"#, Syntax::Apache).unwrap();
        let line = br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 www.example.com 10.0.0.1 extra 7"#;
        let r = spec.parse(line).unwrap();
        assert_eq!(r.opt(r.vhost), b"www.example.com");
        assert_eq!(r.get(r.others.as_slice()[0].0), b"10.0.0.1");
        assert_eq!(r.get(r.extra), b" extra 7");
        let host_last = Spec::compile(r#"%h %l %u %t "%r" %>s %b %v"#, Syntax::Apache).unwrap();
        let line = br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 www.example.com 10.0.0.1"#;
        let r = host_last.parse(line).unwrap();
        assert_eq!(r.opt(r.vhost), b"www.example.com");
        // A user agent last is free text: it runs to the end of the line.
        let ua_last = Spec::compile(r#"%h %t %{User-Agent}i"#, Syntax::Apache).unwrap();
        let line = br#"1.2.3.4 [17/May/2015:10:05:03 +0000] Mozilla/5.0 (X11)"#;
        let r = ua_last.parse(line).unwrap();
        assert_eq!(r.opt(r.user_agent), b"Mozilla/5.0 (X11)");
        assert!(r.extra.is_empty());
        // A format ending with a literal still wants the whole line.
        assert!(
            Spec::compile(COMBINED, Syntax::Apache)
                .unwrap()
                .parse(&[LINE, &b" x"[..]].concat())
                .is_none()
        );
    }

    #[test]
    fn unknown_directives_are_named() {
        assert_eq!(
            Spec::compile("%h %Z", Syntax::Apache)
                .unwrap_err()
                .to_string(),
            "unknown directive '%Z' in the log format"
        );
        assert_eq!(
            Spec::compile("$remote_addr $bogus_var", Syntax::Nginx)
                .unwrap_err()
                .to_string(),
            "unknown directive '$bogus_var' in the log format"
        );
        assert!(matches!(
            Spec::compile("%h %{Referer", Syntax::Apache),
            Err(SpecError::Incomplete(_))
        ));
        assert_eq!(
            Spec::compile("plain", Syntax::Apache),
            Err(SpecError::Empty)
        );
    }

    /// Every directive of Apache 2.4's mod_log_config (and mod_ssl's), with the modifiers it takes, compiles.
    #[test]
    fn every_apache_24_directive_compiles() {
        let all = [
            "%%",
            "%a",
            "%{c}a",
            "%A",
            "%B",
            "%b",
            "%{Foo}C",
            "%D",
            "%{HOME}e",
            "%f",
            "%h",
            "%{c}h",
            "%H",
            "%{Foo}i",
            "%k",
            "%l",
            "%L",
            "%m",
            "%{Foo}n",
            "%{Foo}o",
            "%p",
            "%{canonical}p",
            "%{local}p",
            "%{remote}p",
            "%P",
            "%{pid}P",
            "%{tid}P",
            "%{hextid}P",
            "%q",
            "%r",
            "%R",
            "%s",
            "%>s",
            "%<s",
            "%t",
            "%{sec}t",
            "%{msec_frac}t",
            "%{end:%d/%b/%Y}t",
            "%T",
            "%{us}T",
            "%u",
            "%U",
            "%v",
            "%V",
            "%X",
            "%I",
            "%O",
            "%S",
            "%{Foo}^ti",
            "%{Foo}^to",
            "%400,501{User-agent}i",
            "%!200,304,302{Referer}i",
            "%{SSL_PROTOCOL}x",
            "%{SSL_CLIENT_S_DN}x",
            "%{version}c",
            "%{UNIQUE_ID}e",
        ];
        for d in all {
            let f = format!("%h {d} %>s");
            assert!(Spec::compile(&f, Syntax::Apache).is_ok(), "{d}");
        }
    }
}
