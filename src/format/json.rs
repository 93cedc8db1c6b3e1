//! JSON access logs, one object per line: Caddy, Traefik, nginx `escape=json`.
//!
//! The line is walked once by a small scanner (no allocation, no decoding); the spans of known keys go to
//! the [`Record`]'s named fields. The line is rewritten in place, so key order, whitespace and every other
//! member stay as they were: IP-bearing keys (`remote_ip`, `client_ip`, `ClientHost`, `remote_addr`,
//! X-Forwarded-For headers, also nested in `request.headers`) are reduced, cookie and authorization
//! headers are removed with their key, and the remaining text is scrubbed as free text ([`Gaps::Scrub`]).

use crate::record::{Action, Gaps, Others, Record, Span, TimeKind};

/// Which JSON log a line must look like (all share one key map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Caddy v2: `request` is an object with `remote_ip` or `client_ip`.
    Caddy,
    /// Traefik: `ClientHost` or `ClientAddr` at the top level.
    Traefik,
    /// Any other JSON object with a client address and a request or path.
    Nginx,
}

/// What a key's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
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

/// The slot of `key` (ASCII case and `-`/`_` ignored) at nesting `depth` (1: top level) inside a header
/// object or not.
fn slot_of(key: &[u8], in_headers: bool) -> Option<Slot> {
    let mut k = [0u8; 32];
    k.get_mut(..key.len())?.copy_from_slice(key);
    // Over the whole fixed-size buffer: a loop the compiler turns into a few vector instructions.
    for b in &mut k {
        *b = match b.to_ascii_lowercase() {
            b'-' => b'_',
            c => c,
        };
    }
    let k = &k[..key.len()];
    let k = if in_headers {
        k
    } else {
        k.strip_prefix(b"request_")
            .filter(|r| !r.is_empty() && !matches!(*r, b"method" | b"uri" | b"time"))
            .unwrap_or(k)
    };
    Some(match k {
        b"user_agent" | b"http_user_agent" | b"agent" => Slot::Agent,
        b"referer" | b"referrer" | b"http_referer" => Slot::Referer,
        b"dnt" | b"http_dnt" => Slot::Dnt,
        b"sec_gpc" | b"http_sec_gpc" => Slot::Gpc,
        b"cookie"
        | b"set_cookie"
        | b"http_cookie"
        | b"authorization"
        | b"proxy_authorization"
        | b"http_authorization" => Slot::Remove,
        b"x_forwarded_for"
        | b"http_x_forwarded_for"
        | b"x_real_ip"
        | b"forwarded"
        | b"true_client_ip"
        | b"cf_connecting_ip"
        | b"xff" => Slot::Ips,
        _ if in_headers => return None,
        b"remote_ip" | b"client_ip" | b"clienthost" | b"remote_addr" | b"ip" | b"client" => {
            Slot::Client
        }
        b"clientaddr" | b"realip_remote_addr" | b"server_addr" | b"upstream_addr" => Slot::Ips,
        b"ts" | b"time" | b"timestamp" | b"@timestamp" | b"time_local" | b"time_iso8601"
        | b"startutc" | b"date" | b"msec" => Slot::Time,
        b"request" => Slot::Request,
        b"method" | b"request_method" | b"requestmethod" => Slot::Method,
        b"uri" | b"request_uri" | b"requestpath" | b"path" | b"url" => Slot::Target,
        b"args" | b"query_string" | b"query" => Slot::Query,
        b"status" | b"downstreamstatus" => Slot::Status,
        b"size"
        | b"body_bytes_sent"
        | b"bytes_sent"
        | b"downstreamcontentsize"
        | b"bytes"
        | b"length" => Slot::Bytes,
        b"host" | b"http_host" | b"server_name" | b"requesthost" => Slot::Vhost,
        b"remote_user" | b"user" | b"user_id" | b"clientusername" | b"username" => Slot::User,
        _ => return None,
    })
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
struct Found {
    r_client: Option<Span>,
    client_is_client_ip: bool,
    request_object: bool,
    traefik: bool,
    target_or_request: bool,
}

/// Parses one line as a JSON log of `flavour`.
pub fn parse(line: &[u8], flavour: Flavour) -> Option<Record<'_>> {
    let trimmed_start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    if line[trimmed_start] != b'{' {
        return None;
    }
    let mut r = Record::fields(line);
    r.gaps = Gaps::Scrub;
    let mut found = Found::default();
    let mut s = Scanner {
        line,
        pos: trimmed_start,
    };
    object(&mut s, &mut r, &mut found, 1, false)?;
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
    found: &mut Found,
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
            && matches!(slot, Some(Slot::Client | Slot::Ips))
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
                object(s, r, found, depth + 1, headers)?;
                Value::Nested
            }
            b'[' => Value::Array(array(s)?),
            _ => Value::Scalar(s.scalar()?),
        };
        let value_end = s.pos;
        let next = s.peek()?;
        if let Some(slot) = slot {
            let remove = |others: &mut Others| {
                let span = if next == b',' {
                    // Up to the next member.
                    let mut end = s.pos + 1;
                    while end < s.line.len() && s.line[end] == b' ' {
                        end += 1;
                    }
                    Span::new(member_start, end)
                } else if let Some(c) = comma_before {
                    Span::new(c, value_end)
                } else {
                    Span::new(member_start, value_end)
                };
                others.push(span, Action::Remove)
            };
            if !place(r, found, slot, value, s.line, remove)? {
                return None;
            }
        }
        match next {
            b',' => {
                comma_before = Some(s.pos);
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

/// An array: its first string element, if any, and its whole span.
fn array(s: &mut Scanner<'_>) -> Option<(Option<Span>, Span)> {
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
                array(s)?;
            }
            b'{' => {
                let mut r = Record::default();
                let mut f = Found::default();
                object(s, &mut r, &mut f, 7, false)?;
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
    found: &mut Found,
    slot: Slot,
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
        Slot::Remove => return Some(remove(&mut r.others)),
        Slot::Ips => {
            let span = match value {
                Value::Array((_, whole)) => Some(whole),
                _ => text,
            };
            if let Some(span) = span {
                return Some(r.others.push(span, Action::Ips));
            }
        }
        Slot::Client => {
            let Some(t) = text else { return Some(true) };
            let is_client_ip = line[t.range()].eq_ignore_ascii_case(b"client_ip");
            let _ = is_client_ip;
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
        Slot::Time => {
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
        Slot::Request => {
            if matches!(value, Value::Str(_)) {
                set(&mut r.request);
                found.target_or_request = true;
            }
        }
        Slot::Method => set(&mut r.method),
        Slot::Target => {
            set(&mut r.target);
            found.target_or_request = true;
        }
        Slot::Query => set(&mut r.query),
        Slot::Status => set(&mut r.status),
        Slot::Bytes => set(&mut r.bytes),
        Slot::Referer => set(&mut r.referer),
        Slot::Agent => set(&mut r.user_agent),
        Slot::Vhost => set(&mut r.vhost),
        Slot::User => {
            if let Some(t) = text {
                let v = &line[t.range()];
                if !v.is_empty() && v != b"-" && matches!(value, Value::Str(_)) {
                    return Some(r.others.push(t, Action::Drop));
                }
            }
        }
        Slot::Dnt => set(&mut r.dnt),
        Slot::Gpc => set(&mut r.sec_gpc),
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                (br#""Cookie":["a=b"],"#, Action::Remove),
                (br#"["1.2.3.4"]"#, Action::Ips),
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
