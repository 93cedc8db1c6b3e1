//! JSON access logs, one object per line: Caddy, Traefik, nginx `escape=json`.
//!
//! The line is walked once by a small scanner (no allocation, no decoding); the spans of known keys go to
//! the [`Record`]'s named fields. The line is rewritten in place, so key order, whitespace and every other
//! member stay as they were: IP-bearing keys (`remote_ip`, `client_ip`, `ClientHost`, `remote_addr`,
//! X-Forwarded-For headers, also nested in `request.headers`) are reduced, cookie and authorization
//! headers are removed with their key.
//!
//! Every other member is judged by the field allow-list ([`FieldPolicy`]) under its own key (a header by
//! its header name, Traefik's `request_NAME`, `downstream_NAME` and `origin_NAME` by `NAME`); the members
//! of nested objects are judged one by one. A member off the list keeps its key and loses its value: a
//! string becomes `"-"`, an array `["-"]`, a number or boolean `null` (empty strings, `"-"` and `null`
//! stay). What is left (keys, punctuation, kept values) is scrubbed as free text ([`Gaps::Scrub`]).

use crate::privacy::fields::{FieldPolicy, Verdict};
use crate::record::{Action, Gaps, Others, Record, Span, TimeKind};

/// Which JSON log a line must look like (all share one key map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// Caddy v2: `request` is an object with `remote_ip` or `client_ip`.
    Caddy,
    /// Traefik: `ClientHost` or `ClientAddr` at the top level.
    Traefik,
    /// Any other JSON object with a client address and a request or path.
    Nginx,
}

/// What a key's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRole {
    Client,
    Time,
    Request,
    Method,
    Target,
    Query,
    Status,
    Bytes,
    Referer,
    Agent,
    Vhost,
    User,
    Dnt,
    Gpc,
    Ips,
    Remove,
}

/// Keys known wherever they appear, header objects included (lowercase, `_` for `-`).
const HEADER_KEYS: &[(&str, KeyRole)] = &[
    ("user_agent", KeyRole::Agent),
    ("http_user_agent", KeyRole::Agent),
    ("agent", KeyRole::Agent),
    ("referer", KeyRole::Referer),
    ("referrer", KeyRole::Referer),
    ("http_referer", KeyRole::Referer),
    ("dnt", KeyRole::Dnt),
    ("http_dnt", KeyRole::Dnt),
    ("sec_gpc", KeyRole::Gpc),
    ("http_sec_gpc", KeyRole::Gpc),
    ("cookie", KeyRole::Remove),
    ("set_cookie", KeyRole::Remove),
    ("http_cookie", KeyRole::Remove),
    ("authorization", KeyRole::Remove),
    ("proxy_authorization", KeyRole::Remove),
    ("http_authorization", KeyRole::Remove),
    ("x_forwarded_for", KeyRole::Ips),
    ("http_x_forwarded_for", KeyRole::Ips),
    ("x_real_ip", KeyRole::Ips),
    ("forwarded", KeyRole::Ips),
    ("true_client_ip", KeyRole::Ips),
    ("cf_connecting_ip", KeyRole::Ips),
    ("xff", KeyRole::Ips),
];

/// Keys known outside header objects only.
const TOP_KEYS: &[(&str, KeyRole)] = &[
    ("remote_ip", KeyRole::Client),
    ("client_ip", KeyRole::Client),
    ("clienthost", KeyRole::Client),
    ("remote_addr", KeyRole::Client),
    ("ip", KeyRole::Client),
    ("client", KeyRole::Client),
    ("clientaddr", KeyRole::Ips),
    ("realip_remote_addr", KeyRole::Ips),
    ("server_addr", KeyRole::Ips),
    ("upstream_addr", KeyRole::Ips),
    ("ts", KeyRole::Time),
    ("time", KeyRole::Time),
    ("timestamp", KeyRole::Time),
    ("@timestamp", KeyRole::Time),
    ("time_local", KeyRole::Time),
    ("time_iso8601", KeyRole::Time),
    ("startutc", KeyRole::Time),
    ("date", KeyRole::Time),
    ("msec", KeyRole::Time),
    ("request", KeyRole::Request),
    ("method", KeyRole::Method),
    ("request_method", KeyRole::Method),
    ("requestmethod", KeyRole::Method),
    ("uri", KeyRole::Target),
    ("request_uri", KeyRole::Target),
    ("requestpath", KeyRole::Target),
    ("path", KeyRole::Target),
    ("url", KeyRole::Target),
    ("args", KeyRole::Query),
    ("query_string", KeyRole::Query),
    ("query", KeyRole::Query),
    ("status", KeyRole::Status),
    ("downstreamstatus", KeyRole::Status),
    ("size", KeyRole::Bytes),
    ("body_bytes_sent", KeyRole::Bytes),
    ("bytes_sent", KeyRole::Bytes),
    ("downstreamcontentsize", KeyRole::Bytes),
    ("bytes", KeyRole::Bytes),
    ("length", KeyRole::Bytes),
    ("host", KeyRole::Vhost),
    ("http_host", KeyRole::Vhost),
    ("server_name", KeyRole::Vhost),
    ("requesthost", KeyRole::Vhost),
    ("remote_user", KeyRole::User),
    ("user", KeyRole::User),
    ("user_id", KeyRole::User),
    ("clientusername", KeyRole::User),
    ("username", KeyRole::User),
];

/// A key byte as the tables spell it: ASCII lowercase, `_` for `-`.
#[inline]
fn fold(b: u8) -> u8 {
    FOLD[usize::from(b)]
}

/// [`fold`] as a table.
const FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match (i as u8).to_ascii_lowercase() {
            b'-' => b'_',
            c => c,
        };
        i += 1;
    }
    t
};

/// The table bucket of a key: from its length and its first and last bytes, so that most keys of a log
/// (which are not known keys) are turned away without being compared.
#[inline]
fn bucket(key: &[u8]) -> usize {
    match (key.first(), key.last()) {
        (Some(&f), Some(&l)) => {
            (key.len() * 61 + usize::from(fold(f)) * 7 + usize::from(fold(l))) % BUCKETS
        }
        _ => 0,
    }
}

/// Buckets of the key table (a power of two: the remainder is a mask).
const BUCKETS: usize = 512;

/// Known keys by [`bucket`]: name, slot, and whether it is known inside header objects.
type KeyTable = Vec<Vec<(&'static [u8], KeyRole, bool)>>;

fn key_table() -> &'static KeyTable {
    static TABLE: std::sync::OnceLock<KeyTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: KeyTable = vec![Vec::new(); BUCKETS];
        let all = HEADER_KEYS.iter().map(|&(n, s)| (n, s, true));
        for (name, slot, header) in all.chain(TOP_KEYS.iter().map(|&(n, s)| (n, s, false))) {
            t[bucket(name.as_bytes())].push((name.as_bytes(), slot, header));
        }
        t
    })
}

/// True when `key` is `name` (as the tables spell it), ASCII case and `-`/`_` aside.
#[inline]
fn same_key(name: &[u8], key: &[u8]) -> bool {
    name.len() == key.len() && name.iter().zip(key).all(|(n, k)| *n == fold(*k))
}

/// The slot of a key as the tables know it.
#[inline]
fn lookup(key: &[u8], in_headers: bool) -> Option<KeyRole> {
    key_table()[bucket(key)]
        .iter()
        .find(|(name, _, header)| (*header || !in_headers) && same_key(name, key))
        .map(|&(_, slot, _)| slot)
}

/// The slot of `key` (ASCII case and `-`/`_` ignored), inside a header object or not. Outside headers,
/// `request_NAME` (Traefik's captured headers) is read as `NAME`, except `request_method`, `request_uri`
/// and `request_time`, which are keys of their own.
fn slot_of(key: &[u8], in_headers: bool) -> Option<KeyRole> {
    if !in_headers && key.len() > 8 && fold(key[0]) == b'r' && same_key(b"request_", &key[..8]) {
        let rest = &key[8..];
        if ![&b"method"[..], b"uri", b"time"]
            .iter()
            .any(|own| same_key(own, rest))
        {
            return lookup(rest, false);
        }
    }
    lookup(key, in_headers)
}

/// The bytes that end a number, `true`, `false` or `null`.
const ENDS_SCALAR: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'}' as usize] = true;
    t[b']' as usize] = true;
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t
};

struct Scanner<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// Skips whitespace (rare in server-written JSON: one compare when there is none).
    #[inline]
    fn ws(&mut self) {
        if self.line.get(self.pos).is_some_and(|&b| b <= b' ') {
            while self.pos < self.line.len() && matches!(self.line[self.pos], b' ' | b'\t' | b'\r')
            {
                self.pos += 1;
            }
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.line.get(self.pos).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// A string at the cursor: the span of its content (escapes left as they are).
    #[inline]
    fn string(&mut self) -> Option<Span> {
        self.eat(b'"')?;
        self.string_body()
    }

    /// The rest of a string whose opening quote is behind the cursor.
    #[inline(always)]
    fn string_body(&mut self) -> Option<Span> {
        let start = self.pos;
        loop {
            let at = self.pos + super::scan::find_byte2(&self.line[self.pos..], b'"', b'\\')?;
            if self.line[at] == b'\\' {
                self.pos = at + 2;
                if self.pos > self.line.len() {
                    return None;
                }
                continue;
            }
            self.pos = at + 1;
            return Some(Span::new(start, at));
        }
    }

    /// A number, `true`, `false` or `null` at the cursor (whitespace skipped): its span.
    #[inline]
    fn scalar(&mut self) -> Option<Span> {
        let start = self.pos;
        while self.pos < self.line.len() && !ENDS_SCALAR[usize::from(self.line[self.pos])] {
            self.pos += 1;
        }
        (self.pos > start).then(|| Span::new(start, self.pos))
    }
}

/// What the walk found.
#[derive(Default)]
struct SeenKeys {
    r_client: Option<Span>,
    client_is_client_ip: bool,
    request_object: bool,
    traefik: bool,
    target_or_request: bool,
}

#[cfg(test)]
/// Parses one line as a JSON log of `flavour`, under the default field allow-list.
pub(crate) fn parse(line: &[u8], flavour: Flavour) -> Option<Record<'_>> {
    parse_with(line, flavour, &FieldPolicy::default())
}

/// Parses one line as a JSON log of `flavour`, judging members of unknown meaning by `fields`.
pub(crate) fn parse_with<'a>(
    line: &'a [u8],
    flavour: Flavour,
    fields: &FieldPolicy,
) -> Option<Record<'a>> {
    let trimmed_start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    if line[trimmed_start] != b'{' {
        return None;
    }
    let mut r = Record::fields(line);
    r.gaps = Gaps::Scrub;
    let mut found = SeenKeys::default();
    let mut s = Scanner {
        line,
        pos: trimmed_start,
    };
    object(&mut s, &mut r, &mut found, fields, 1, false)?;
    s.ws();
    if s.pos != line.len() {
        return None;
    }
    r.client = found.r_client;
    let ok = match flavour {
        Flavour::Caddy => found.request_object && r.client.is_some(),
        Flavour::Traefik => found.traefik,
        Flavour::Nginx => r.client.is_some() && found.target_or_request,
    };
    if !ok {
        return None;
    }
    Some(r)
}

fn object(
    s: &mut Scanner<'_>,
    r: &mut Record<'_>,
    found: &mut SeenKeys,
    fields: &FieldPolicy,
    depth: usize,
    in_headers: bool,
) -> Option<()> {
    if depth > 8 {
        return None;
    }
    s.eat(b'{')?;
    if s.peek()? == b'}' {
        s.pos += 1;
        return Some(());
    }
    // Where the current member starts, and the comma before it (for removing a last member).
    let mut comma_before: Option<usize> = None;
    loop {
        s.ws();
        let member_start = s.pos;
        if s.line.get(member_start) != Some(&b'"') {
            return None;
        }
        s.pos += 1;
        let key = s.string_body()?;
        s.eat(b':')?;
        let key_bytes = &s.line[key.range()];
        let slot = slot_of(key_bytes, in_headers);
        if depth == 1
            && matches!(slot, Some(KeyRole::Client | KeyRole::Ips))
            && matches!(key_bytes, b"ClientHost" | b"ClientAddr")
        {
            found.traefik = true;
        }
        let value = match s.peek()? {
            b'"' => {
                s.pos += 1;
                Value::Str(s.string_body()?)
            }
            b'{' => {
                let headers = key_bytes.eq_ignore_ascii_case(b"headers")
                    || key_bytes.eq_ignore_ascii_case(b"resp_headers");
                if depth == 1 && key_bytes == b"request" {
                    found.request_object = true;
                }
                object(s, r, found, fields, depth + 1, headers)?;
                Value::Nested
            }
            b'[' => Value::Array(array(s, fields)?),
            _ => Value::Scalar(s.scalar()?),
        };
        let value_end = s.pos;
        let next = s.peek()?;
        // Set when this member is removed with the comma after it (it was the first of the object, or
        // all before it were removed so): the next member is then the first one.
        let removed_as_first = std::cell::Cell::new(false);
        if let Some(slot) = slot {
            let remove = |others: &mut Others| {
                // From the comma before it, so that removed members side by side never overlap (the
                // second's comma would be inside the first's span, and the second kept).
                let span = if let Some(c) = comma_before {
                    Span::new(c, value_end)
                } else if next == b',' {
                    // The first member: up to the next member.
                    removed_as_first.set(true);
                    let mut end = s.pos + 1;
                    while end < s.line.len() && s.line[end] == b' ' {
                        end += 1;
                    }
                    Span::new(member_start, end)
                } else {
                    Span::new(member_start, value_end)
                };
                others.push(span, Action::Remove)
            };
            if !place(r, found, slot, value, s.line, remove)? {
                return None;
            }
        } else if !judge_member(r, fields, key_bytes, in_headers, value, s.line) {
            return None;
        }
        match next {
            b',' => {
                // After a first member removed with its comma, the comma is gone with it: the next
                // member is removed from its own start, or the two spans would overlap and the second
                // edit be lost (a Cookie header followed by Authorization kept the Authorization).
                comma_before = (!removed_as_first.get()).then_some(s.pos);
                s.pos += 1;
            }
            b'}' => {
                s.pos += 1;
                return Some(());
            }
            _ => return None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Value {
    Str(Span),
    Scalar(Span),
    /// The first string of an array (headers are `["value"]`), and the array's span.
    Array((Option<Span>, Span)),
    Nested,
}

/// A member of unknown meaning: left as it is when the allow-list keeps it, else its value is replaced
/// (see the module docs). `false`: the others are full.
fn judge_member(
    r: &mut Record<'_>,
    fields: &FieldPolicy,
    key: &[u8],
    in_headers: bool,
    value: Value,
    line: &[u8],
) -> bool {
    let mut verdict = fields.judge(key);
    if verdict == Verdict::Drop && !in_headers {
        // Traefik's captured headers: `request_NAME`, `downstream_NAME`, `origin_NAME`.
        for prefix in [&b"request_"[..], b"downstream_", b"origin_"] {
            if key.len() > prefix.len() && same_key(prefix, &key[..prefix.len()]) {
                verdict = fields.judge(&key[prefix.len()..]);
                break;
            }
        }
    }
    let (span, action) = match (verdict, value) {
        (Verdict::Keep, _) | (_, Value::Nested) => return true,
        (_, Value::Str(span)) => {
            if matches!(&line[span.range()], b"" | b"-") {
                return true;
            }
            let action = match verdict {
                Verdict::Addresses => Action::Ips,
                _ => Action::Drop,
            };
            (span, action)
        }
        (Verdict::Addresses, Value::Array((Some(first), _))) => (first, Action::Ips),
        (_, Value::Array((_, whole))) => {
            if whole.end - whole.start <= 2 {
                return true;
            }
            (whole, Action::DashList)
        }
        (_, Value::Scalar(span)) => {
            if &line[span.range()] == b"null" {
                return true;
            }
            (span, Action::Null)
        }
    };
    r.others.push(span, action)
}

/// An array: its first string element, if any, and its whole span.
fn array(s: &mut Scanner<'_>, fields: &FieldPolicy) -> Option<(Option<Span>, Span)> {
    let start = s.pos;
    s.eat(b'[')?;
    let mut first = None;
    if s.peek()? == b']' {
        s.pos += 1;
        return Some((None, Span::new(start, s.pos)));
    }
    loop {
        match s.peek()? {
            b'"' => {
                let v = s.string()?;
                first.get_or_insert(v);
            }
            b'[' => {
                array(s, fields)?;
            }
            b'{' => {
                let mut r = Record::default();
                let mut f = SeenKeys::default();
                object(s, &mut r, &mut f, fields, 7, false)?;
            }
            _ => {
                s.scalar()?;
            }
        }
        match s.peek()? {
            b',' => s.pos += 1,
            b']' => {
                s.pos += 1;
                return Some((first, Span::new(start, s.pos)));
            }
            _ => return None,
        }
    }
}

/// Puts a value into the record. `Some(false)`: the others are full.
fn place(
    r: &mut Record<'_>,
    found: &mut SeenKeys,
    slot: KeyRole,
    value: Value,
    line: &[u8],
    remove: impl FnOnce(&mut Others) -> bool,
) -> Option<bool> {
    let text = match value {
        Value::Str(s) | Value::Scalar(s) => Some(s),
        Value::Array((first, _)) => first,
        Value::Nested => None,
    };
    let set = |field: &mut Option<Span>| {
        if field.is_none() {
            *field = text;
        }
    };
    match slot {
        KeyRole::Remove => return Some(remove(&mut r.others)),
        KeyRole::Ips => {
            // An array's first string (the rest of it is scrubbed with the gaps).
            if let Some(span) = text {
                return Some(r.others.push(span, Action::Ips));
            }
        }
        KeyRole::Client => {
            let Some(t) = text else { return Some(true) };
            match found.r_client {
                None => found.r_client = Some(t),
                Some(prev) => {
                    // `client_ip` (the client behind proxies) wins over `remote_ip`; the other is reduced.
                    if !found.client_is_client_ip {
                        found.r_client = Some(t);
                        found.client_is_client_ip = true;
                        return Some(r.others.push(prev, Action::Ips));
                    }
                    return Some(r.others.push(t, Action::Ips));
                }
            }
        }
        KeyRole::Time => {
            if r.time.is_none() {
                if let Some(t) = text {
                    let v = &line[t.range()];
                    r.time_kind = if matches!(value, Value::Scalar(_))
                        || v.first().is_some_and(u8::is_ascii_digit)
                            && v.get(2) != Some(&b'/')
                            && v.get(4) != Some(&b'-')
                    {
                        TimeKind::Epoch
                    } else if v.get(2) == Some(&b'/') {
                        TimeKind::Clf
                    } else {
                        TimeKind::Iso8601
                    };
                    r.time = Some(t);
                }
            }
        }
        KeyRole::Request => {
            if matches!(value, Value::Str(_)) {
                set(&mut r.request);
                found.target_or_request = true;
            }
        }
        KeyRole::Method => set(&mut r.method),
        KeyRole::Target => {
            set(&mut r.target);
            found.target_or_request = true;
        }
        KeyRole::Query => set(&mut r.query),
        KeyRole::Status => set(&mut r.status),
        KeyRole::Bytes => set(&mut r.bytes),
        KeyRole::Referer => set(&mut r.referer),
        KeyRole::Agent => set(&mut r.user_agent),
        KeyRole::Vhost => set(&mut r.vhost),
        KeyRole::User => {
            if let Some(t) = text {
                let v = &line[t.range()];
                if !v.is_empty() && v != b"-" && matches!(value, Value::Str(_)) {
                    return Some(r.others.push(t, Action::Drop));
                }
            }
        }
        KeyRole::Dnt => set(&mut r.dnt),
        KeyRole::Gpc => set(&mut r.sec_gpc),
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_whatever_their_case_and_dashes() {
        let cases: &[(&[u8], bool, Option<KeyRole>)] = &[
            (b"remote_ip", false, Some(KeyRole::Client)),
            (b"ClientHost", false, Some(KeyRole::Client)),
            (b"REMOTE-ADDR", false, Some(KeyRole::Client)),
            (b"ClientAddr", false, Some(KeyRole::Ips)),
            (b"ClientPort", false, None),
            (b"User-Agent", true, Some(KeyRole::Agent)),
            (b"X-Forwarded-For", true, Some(KeyRole::Ips)),
            (b"Cookie", true, Some(KeyRole::Remove)),
            (b"remote_ip", true, None),
            (b"request_User-Agent", false, Some(KeyRole::Agent)),
            (b"request_Referer", false, Some(KeyRole::Referer)),
            (b"request_cookie", false, Some(KeyRole::Remove)),
            (b"request_User-Agent", true, None),
            (b"Request_Method", false, Some(KeyRole::Method)),
            (b"request_uri", false, Some(KeyRole::Target)),
            (b"request_time", false, None),
            (b"request_", false, None),
            (b"RequestPath", false, Some(KeyRole::Target)),
            (b"DownstreamContentSize", false, Some(KeyRole::Bytes)),
            (b"@timestamp", false, Some(KeyRole::Time)),
            (b"duration", false, None),
            (b"", false, None),
        ];
        for &(key, headers, slot) in cases {
            assert_eq!(
                slot_of(key, headers),
                slot,
                "{}",
                String::from_utf8_lossy(key)
            );
        }
        for (name, slot) in HEADER_KEYS.iter().chain(TOP_KEYS) {
            assert_eq!(
                slot_of(name.to_ascii_uppercase().as_bytes(), false),
                Some(*slot)
            );
        }
    }

    #[test]
    fn removed_members_side_by_side_are_both_removed() {
        let line = br#"{"remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","http_cookie":"a=b","http_authorization":"Basic eA=="}"#;
        let r = parse(line, Flavour::Nginx).unwrap();
        let removed: Vec<&[u8]> = r
            .others
            .as_slice()
            .iter()
            .filter(|(_, a)| *a == Action::Remove)
            .map(|(s, _)| r.get(*s))
            .collect();
        assert_eq!(
            removed,
            [
                &br#","http_cookie":"a=b""#[..],
                br#","http_authorization":"Basic eA==""#
            ]
        );
    }

    #[test]
    fn caddy_line_with_nested_headers() {
        let line = br#"{"ts":1703373474.8155608,"request":{"remote_ip":"10.5.1.1","client_ip":"1.2.3.4","method":"GET","host":"example.com","uri":"/beta/?q=1","headers":{"User-Agent":["Mozilla/5.0"],"Cookie":["a=b"],"X-Forwarded-For":["1.2.3.4"],"Dnt":["1"]}},"user_id":"bob","size":12,"status":200}"#;
        let r = parse(line, Flavour::Caddy).unwrap();
        assert_eq!(r.opt(r.client), b"1.2.3.4");
        assert_eq!(r.opt(r.target), b"/beta/?q=1");
        assert_eq!(r.opt(r.user_agent), b"Mozilla/5.0");
        assert_eq!(r.opt(r.dnt), b"1");
        assert_eq!(r.opt(r.status), b"200");
        assert_eq!(r.opt(r.time), b"1703373474.8155608");
        assert_eq!(r.time_kind, TimeKind::Epoch);
        let others: Vec<(&[u8], Action)> = r
            .others
            .as_slice()
            .iter()
            .map(|(s, a)| (r.get(*s), *a))
            .collect();
        assert_eq!(
            others,
            [
                (&b"10.5.1.1"[..], Action::Ips),
                (br#","Cookie":["a=b"]"#, Action::Remove),
                (b"1.2.3.4", Action::Ips),
                (b"bob", Action::Drop),
            ]
        );
        assert!(parse(line, Flavour::Traefik).is_none());
        assert!(parse(&line[..line.len() - 1], Flavour::Caddy).is_none());
    }

    #[test]
    fn a_last_member_is_removed_with_the_comma_before_it() {
        let line = br#"{"ip": "1.2.3.4", "path": "/", "http_cookie": "a=b"}"#;
        let r = parse(line, Flavour::Nginx).unwrap();
        assert_eq!(
            r.get(r.others.as_slice()[0].0),
            br#", "http_cookie": "a=b""#
        );
    }
}
