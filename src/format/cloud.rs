//! Load balancer and storage logs of fixed column order: AWS Application Load Balancer, Classic Load
//! Balancer, S3 server access logs, and HAProxy's HTTP log.
//!
//! Columns are separated by one space; a column may be `"quoted"` (ending at a quote followed by a space or
//! the end of the line), `[bracketed]` or `{braced}`. Known columns go to the [`Record`]'s named fields;
//! the other columns are named as the AWS documentation names them (`trace_id`, `ssl_cipher`,
//! `target:port` as `target-addr`, …) and judged by the field allow-list ([`FieldPolicy`]): kept, reduced
//! item by item, or written `-`. Columns added by later versions of a log have no name here and are
//! judged by their shape ([`judge_unnamed`]), as are the items of HAProxy's captured headers
//! (`{host|agent}`: HAProxy logs their values, not their names). Separators, kept columns and the syslog
//! prefix are scrubbed as free text ([`Gaps::Scrub`]).

use std::sync::OnceLock;

use crate::privacy::fields::{FieldPolicy, Verdict, judge_unnamed};
use crate::record::{Action, Gaps, Record, Span, TimeKind};

/// The columns of an ALB log line, as the AWS documentation names them (`:` and `_` as `-`).
static ALB_COLUMNS: Columns = Columns::new(&[
    "type",
    "time",
    "elb",
    "client-addr",
    "target-addr",
    "request-processing-time",
    "target-processing-time",
    "response-processing-time",
    "elb-status-code",
    "target-status-code",
    "received-bytes",
    "sent-bytes",
    "request",
    "user-agent",
    "ssl-cipher",
    "ssl-protocol",
    "target-group-arn",
    "trace-id",
    "domain-name",
    "chosen-cert-arn",
    "matched-rule-priority",
    "request-creation-time",
    "actions-executed",
    "redirect-url",
    "error-reason",
    "target-addr",
    "target-status-code-list",
    "classification",
    "classification-reason",
    "conn-trace-id",
]);

/// The columns of a Network Load Balancer TLS log line (`tls 2.0 …`).
static NLB_COLUMNS: Columns = Columns::new(&[
    "type",
    "version",
    "time",
    "elb",
    "listener",
    "client-addr",
    // The destination's address and port: what ALB logs name `target:port`.
    "target-addr",
    "connection-time",
    "tls-handshake-time",
    "received-bytes",
    "sent-bytes",
    "incoming-tls-alert",
    "chosen-cert-arn",
    "chosen-cert-serial",
    "ssl-cipher",
    "ssl-protocol",
    "tls-named-group",
    "domain-name",
    "alpn-fe-protocol",
    "alpn-be-protocol",
    "alpn-client-preference-list",
    "tls-connection-creation-time",
]);

/// The columns of an ALB connection log line (one TLS connection, no request).
static ALB_CONNECTION_COLUMNS: Columns = Columns::new(&[
    "time",
    "client-ip",
    "c-port",
    "server-port",
    "ssl-protocol",
    "ssl-cipher",
    "tls-handshake-latency",
    "leaf-client-cert-subject",
    "leaf-client-cert-validity",
    "leaf-client-cert-serial-number",
    "tls-verify-status",
    "conn-trace-id",
]);

/// The columns of a Classic Load Balancer log line.
static ELB_COLUMNS: Columns = Columns::new(&[
    "time",
    "elb",
    "client-addr",
    "backend-addr",
    "request-processing-time",
    "backend-processing-time",
    "response-processing-time",
    "elb-status-code",
    "backend-status-code",
    "received-bytes",
    "sent-bytes",
    "request",
    "user-agent",
    "ssl-cipher",
    "ssl-protocol",
]);

/// The columns of an S3 server access log line.
static S3_COLUMNS: Columns = Columns::new(&[
    "bucket-owner",
    "bucket",
    "time",
    "remote-ip",
    "requester",
    "request-id",
    "operation",
    "key",
    "request-uri",
    "http-status",
    "error-code",
    "bytes-sent",
    "object-size",
    "total-time",
    "turn-around-time",
    "referer",
    "user-agent",
    "version-id",
    "host-id",
    "signature-version",
    "cipher-suite",
    "authentication-type",
    "host-header",
    "tls-version",
    "access-point-arn",
    "acl-required",
]);

/// A preset's column names, with the default policy's verdicts on them judged once (every line of the
/// preset asks for them).
struct Columns {
    names: &'static [&'static str],
    defaults: OnceLock<Vec<Verdict>>,
}

impl Columns {
    const fn new(names: &'static [&'static str]) -> Columns {
        Columns {
            names,
            defaults: OnceLock::new(),
        }
    }

    /// The verdicts of `fields` on the names, by column: the default policy's from the table judged
    /// once, else `None` (judged name by name).
    fn verdicts(&self, fields: &FieldPolicy) -> Option<&[Verdict]> {
        fields.is_default().then(|| {
            let judge = || {
                let plain = FieldPolicy::default();
                self.names
                    .iter()
                    .map(|n| plain.judge(n.as_bytes()))
                    .collect()
            };
            self.defaults.get_or_init(judge).as_slice()
        })
    }
}

/// Judges the columns of `c[..n]` that no named field took (`taken[i]`), by name from `columns` (past
/// its names: by shape). `false`: the record's others are full.
fn judge_columns(
    r: &mut Record<'_>,
    c: &[Span],
    taken: &[bool],
    columns: &Columns,
    fields: &FieldPolicy,
) -> bool {
    let (names, judged) = (columns.names, columns.verdicts(fields));
    for (i, &span) in c.iter().enumerate() {
        if taken.get(i).copied().unwrap_or(false) {
            continue;
        }
        let value = &r.line[span.range()];
        if value.is_empty() || value == b"-" {
            continue;
        }
        let verdict = match (names.get(i), judged) {
            (Some(_), Some(judged)) => judged[i],
            (Some(name), None) => fields.judge(name.as_bytes()),
            (None, _) => judge_unnamed(value),
        };
        let pushed = match verdict {
            Verdict::Keep => true,
            Verdict::Addresses => r.others.push(span, Action::Ips),
            Verdict::Drop => r.others.push(span, Action::Drop),
        };
        if !pushed {
            return false;
        }
    }
    true
}

/// Most columns looked at.
const MAX_COLUMNS: usize = 40;

/// The columns of `line` from `start`, as spans (quotes and brackets excluded) into `cols`: how many
/// there are.
fn columns(line: &[u8], start: usize, cols: &mut [Span; MAX_COLUMNS]) -> Option<usize> {
    columns_of(line, start, cols, true)
}

/// [`columns`], `[` and `{` opening a column only when `brackets` (NLB logs have no such column, and
/// a value may start with `[`).
fn columns_of(
    line: &[u8],
    start: usize,
    cols: &mut [Span; MAX_COLUMNS],
    brackets: bool,
) -> Option<usize> {
    let mut n = 0;
    let mut pos = start;
    while pos < line.len() && n < MAX_COLUMNS {
        let rest = &line[pos..];
        let close = match rest[0] {
            b'"' => Some(b'"'),
            b'[' if brackets => Some(b']'),
            b'{' if brackets => Some(b'}'),
            _ => None,
        };
        let end = match close {
            Some(c) => {
                let mut from = 1;
                loop {
                    let at = from + memchr::memchr(c, &rest[from..])?;
                    if at + 1 == rest.len() || rest[at + 1] == b' ' {
                        cols[n] = Span::new(pos + 1, pos + at);
                        break pos + at + 1;
                    }
                    from = at + 1;
                }
            }
            None => {
                let len = super::scan::find_byte(rest, b' ').unwrap_or(rest.len());
                cols[n] = Span::new(pos, pos + len);
                pos + len
            }
        };
        n += 1;
        pos = end;
        if pos < line.len() {
            if line[pos] != b' ' {
                return None;
            }
            pos += 1;
        }
    }
    Some(n)
}

fn is_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

fn is_iso(b: &[u8]) -> bool {
    b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':'
}

fn base(line: &[u8], time_kind: TimeKind) -> Record<'_> {
    let mut r = Record::fields(line);
    r.gaps = Gaps::Scrub;
    r.time_kind = time_kind;
    r
}

/// A line of an AWS load balancer's logs, told apart line by line (one bucket may mix them): an ALB
/// access log line, an NLB TLS line or an ALB connection log line (the last two are not HTTP requests).
pub(crate) fn parse_aws_lb<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    match line.first() {
        Some(b't') if line.starts_with(b"tls ") => parse_nlb(line, fields),
        Some(b'0'..=b'9') => parse_alb_connection(line, fields),
        _ => parse_alb(line, fields),
    }
}

/// A Network Load Balancer TLS log line: a connection, not a request.
fn parse_nlb<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns_of(line, 0, &mut c, false)?;
    let get = |i: usize| &line[c[i].range()];
    if n < 12 || get(0) != b"tls" || !is_iso(get(2)) || !(is_digits(get(10)) || get(10) == b"-") {
        return None;
    }
    let mut r = base(line, TimeKind::Iso8601);
    r.non_http = true;
    r.time = Some(c[2]);
    r.client = Some(c[5]);
    r.bytes = Some(c[10]);
    let mut taken = [false; MAX_COLUMNS];
    for i in [2, 5, 10] {
        taken[i] = true;
    }
    judge_columns(&mut r, &c[..n], &taken, &NLB_COLUMNS, fields).then_some(r)
}

/// An ALB connection log line (`time client_ip client_port listener_port tls_protocol …`): a TLS
/// connection, not a request.
fn parse_alb_connection<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns(line, 0, &mut c)?;
    let get = |i: usize| &line[c[i].range()];
    if !(11..=ALB_CONNECTION_COLUMNS.names.len()).contains(&n)
        || !is_iso(get(0))
        || !is_digits(get(2))
        || !is_digits(get(3))
    {
        return None;
    }
    let mut r = base(line, TimeKind::Iso8601);
    r.non_http = true;
    r.time = Some(c[0]);
    r.client = Some(c[1]);
    let mut taken = [false; MAX_COLUMNS];
    for i in [0, 1] {
        taken[i] = true;
    }
    judge_columns(&mut r, &c[..n], &taken, &ALB_CONNECTION_COLUMNS, fields).then_some(r)
}

/// An ALB access log line (`http`, `https`, `h2`, `grpcs`, `ws` or `wss` requests).
pub(crate) fn parse_alb<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns(line, 0, &mut c)?;
    let get = |i: usize| &line[c[i].range()];
    if n < 14
        || !matches!(
            get(0),
            b"http" | b"https" | b"h2" | b"grpcs" | b"ws" | b"wss"
        )
        || !is_iso(get(1))
        || !(is_digits(get(8)) || get(8) == b"-")
    {
        return None;
    }
    let mut r = base(line, TimeKind::Iso8601);
    r.time = Some(c[1]);
    r.client = Some(c[3]);
    r.status = Some(c[8]);
    r.bytes = Some(c[11]);
    r.request = Some(c[12]);
    r.user_agent = Some(c[13]);
    if n > 18 && get(18) != b"-" {
        r.vhost = Some(c[18]);
    }
    if n > 23 && get(23) != b"-" && !r.others.push(c[23], Action::Url) {
        return None;
    }
    let mut taken = [false; MAX_COLUMNS];
    for i in [1, 3, 8, 11, 12, 13, 18, 23] {
        taken[i] = true;
    }
    judge_columns(&mut r, &c[..n], &taken, &ALB_COLUMNS, fields).then_some(r)
}

/// A Classic Load Balancer access log line.
pub(crate) fn parse_elb<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns(line, 0, &mut c)?;
    let get = |i: usize| &line[c[i].range()];
    if !(13..=15).contains(&n)
        || !is_iso(get(0))
        || !(is_digits(get(7)) || get(7) == b"-")
        || !(is_digits(get(10)) || get(10) == b"-")
    {
        return None;
    }
    let mut r = base(line, TimeKind::Iso8601);
    r.time = Some(c[0]);
    r.client = Some(c[2]);
    r.status = Some(c[7]);
    r.bytes = Some(c[10]);
    r.request = Some(c[11]);
    r.user_agent = Some(c[12]);
    // A TCP listener's line: `"- - - "` for the request, `-` for the statuses.
    r.non_http = get(11).trim_ascii_end() == b"- - -";
    let mut taken = [false; MAX_COLUMNS];
    for i in [0, 2, 7, 10, 11, 12] {
        taken[i] = true;
    }
    judge_columns(&mut r, &c[..n], &taken, &ELB_COLUMNS, fields).then_some(r)
}

/// An S3 server access log line.
pub(crate) fn parse_s3<'a>(line: &'a [u8], fields: &FieldPolicy) -> Option<Record<'a>> {
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns(line, 0, &mut c)?;
    let get = |i: usize| &line[c[i].range()];
    if n < 17
        || !super::clf::is_clf_time(get(2))
        || line[c[2].start as usize - 1] != b'['
        || !(is_digits(get(9)) || get(9) == b"-")
    {
        return None;
    }
    let mut r = base(line, TimeKind::Clf);
    r.time = Some(c[2]);
    r.client = Some(c[3]);
    if get(4) != b"-" && !r.others.push(c[4], Action::Drop) {
        return None;
    }
    r.request = Some(c[8]);
    r.status = Some(c[9]);
    r.bytes = Some(c[11]);
    r.referer = Some(c[15]);
    r.user_agent = Some(c[16]);
    let mut taken = [false; MAX_COLUMNS];
    // The request's host: the Host header column of newer logs, else the bucket (a website bucket is
    // named after its site, and Matomo reads it so).
    if n > 22 && get(22) != b"-" {
        r.vhost = Some(c[22]);
    } else if get(1) != b"-" {
        r.vhost = Some(c[1]);
        taken[1] = true;
    }
    // The object key is a path: the URL rules apply.
    if get(7) != b"-" && !r.others.push(c[7], Action::Url) {
        return None;
    }
    for i in [2, 3, 4, 7, 8, 9, 11, 15, 16, 22] {
        taken[i] = true;
    }
    judge_columns(&mut r, &c[..n], &taken, &S3_COLUMNS, fields).then_some(r)
}

/// A HAProxy HTTP log line, with or without its syslog prefix (`Sep 25 06:05:27 host haproxy[6801]: `).
pub(crate) fn parse_haproxy(line: &[u8]) -> Option<Record<'_>> {
    let start = syslog_prefix_len(line);
    let mut c = [Span::default(); MAX_COLUMNS];
    let n = columns(line, start, &mut c)?;
    let get = |i: usize| &line[c[i].range()];
    let accept = get(1);
    if n < 13
        || line[c[1].start as usize - 1] != b'['
        || !is_accept_date(accept)
        || !(is_digits(get(5)) || get(5) == b"-1")
        || !is_digits(get(6).strip_prefix(b"+").unwrap_or(get(6)))
    {
        return None;
    }
    // The request is the last column; captured headers (`{…}`) may come before it.
    let last = n - 1;
    if line[c[last].start as usize - 1] != b'"' {
        return None;
    }
    let mut r = base(line, TimeKind::Clf);
    r.client = Some(c[0]);
    r.time = Some(c[1]);
    r.status = Some(c[5]);
    r.bytes = Some(c[6]);
    r.request = Some(c[last]);
    for cookie in [c[7], c[8]] {
        if &line[cookie.range()] != b"-" && !r.others.push(cookie, Action::Drop) {
            return None;
        }
    }
    // Captured headers (`{a|b}`) between the queues and the request: each item judged by its shape.
    for col in &c[12.min(last)..last] {
        if line[col.start as usize - 1] != b'{' {
            continue;
        }
        let mut at = col.start as usize;
        for item in line[col.range()].split(|&b| b == b'|') {
            let span = Span::new(at, at + item.len());
            at += item.len() + 1;
            let pushed = match judge_unnamed(item) {
                _ if item.is_empty() || item == b"-" => true,
                Verdict::Keep => true,
                Verdict::Addresses => r.others.push(span, Action::Ips),
                Verdict::Drop => r.others.push(span, Action::Drop),
            };
            if !pushed {
                return None;
            }
        }
    }
    Some(r)
}

/// The length of a syslog prefix ending in `tag[pid]: `, or 0.
fn syslog_prefix_len(line: &[u8]) -> usize {
    for at in memchr::memchr_iter(b']', line) {
        if line[at + 1..].starts_with(b": ") {
            return if memchr::memchr(b'[', &line[..at]).is_some() {
                at + 3
            } else {
                0
            };
        }
    }
    0
}

/// HAProxy's accept date, `dd/Mon/yyyy:hh:mm:ss.mmm` (local time, no zone): a CLF time once a zone is added.
fn is_accept_date(accept: &[u8]) -> bool {
    let mut time = *b"dd/Mon/yyyy:hh:mm:ss +0000";
    match accept.get(..20) {
        Some(date) => {
            time[..20].copy_from_slice(date);
            super::clf::is_clf_time(&time)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_verdicts_judged_once_are_the_policys() {
        let lists = [
            &ALB_COLUMNS,
            &NLB_COLUMNS,
            &ALB_CONNECTION_COLUMNS,
            &ELB_COLUMNS,
            &S3_COLUMNS,
        ];
        let plain = FieldPolicy::default();
        let custom = FieldPolicy::default()
            .with_dropped(["user-agent"])
            .with_kept(["trace-id"])
            .unwrap();
        for columns in lists {
            let judged: Vec<Verdict> = columns
                .names
                .iter()
                .map(|n| plain.judge(n.as_bytes()))
                .collect();
            // Twice: the second answer comes from the table.
            for _ in 0..2 {
                assert_eq!(columns.verdicts(&plain), Some(&judged[..]));
            }
            assert!(judged.contains(&Verdict::Keep) && judged.contains(&Verdict::Drop));
            // Another policy is asked name by name.
            assert_eq!(columns.verdicts(&custom), None);
        }
    }

    #[test]
    fn alb_line() {
        let line = br#"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward,redirect" "-" "-" "10.0.0.1:80" "200" "-" "-""#;
        let r = parse_alb(line, &FieldPolicy::default()).unwrap();
        assert_eq!(r.opt(r.client), b"192.168.131.39:2817");
        assert_eq!(r.opt(r.request), b"GET http://www.example.com:80/ HTTP/1.1");
        assert_eq!(r.opt(r.user_agent), b"curl/7.46.0");
        assert_eq!(r.opt(r.status), b"200");
        assert!(
            parse_alb(
                b"tls 2.0 2018-12-20T02:59:40 net/x 192.168.131.39:2817",
                &FieldPolicy::default()
            )
            .is_none()
        );
    }

    #[test]
    fn s3_line() {
        let line = br#"b659b576cff1e15e4c0313ff8930fba9f53e6794567f5c60dab3abf2f8dfb6cc www.example.com [10/Feb/2012:16:42:07 -0500] 1.2.3.4 arn:aws:iam::179580289999:user/phillip.boss EB3502676500C6BE WEBSITE.GET.OBJECT index "GET /index HTTP/1.1" 200 - 368 368 10 9 "-" "Mozilla/5.0 (X11)""#;
        let r = parse_s3(line, &FieldPolicy::default()).unwrap();
        assert_eq!(r.opt(r.time), b"10/Feb/2012:16:42:07 -0500");
        assert_eq!(r.opt(r.client), b"1.2.3.4");
        assert_eq!(r.others.as_slice()[0].1, Action::Drop);
        assert_eq!(r.opt(r.bytes), b"368");
        // No Host column: the bucket is the request's host.
        assert_eq!(r.opt(r.vhost), b"www.example.com");
    }

    #[test]
    fn haproxy_line_with_syslog_prefix() {
        let line = br#"Sep 25 06:05:27 hostname haproxy[6801]: 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 {example.com|Mozilla} "POST /user/ HTTP/1.1""#;
        let r = parse_haproxy(line).unwrap();
        assert_eq!(r.opt(r.client), b"4.3.2.1:55008");
        assert_eq!(r.opt(r.request), b"POST /user/ HTTP/1.1");
        assert_eq!(r.opt(r.status), b"200");
    }

    #[test]
    fn haproxy_line_without_prefix_and_with_bad_accept_dates() {
        let bare = br#"4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 "POST /user/ HTTP/1.1""#;
        assert_eq!(syslog_prefix_len(bare), 0);
        let r = parse_haproxy(bare).unwrap();
        assert_eq!(r.opt(r.client), b"4.3.2.1:55008");
        assert_eq!(r.opt(r.time), b"25/Sep/2018:06:05:27.584");
        let text = String::from_utf8_lossy(bare);
        for bad in [
            "[25/Sep/2018:06:05]",
            "[25/Sep/2018 06:05:27.584]",
            "[2018-09-25T06:05:27]",
        ] {
            let line = text.replace("[25/Sep/2018:06:05:27.584]", bad);
            assert!(parse_haproxy(line.as_bytes()).is_none(), "{line}");
        }
        // A `]: ` without a `[` before it is no syslog tag.
        assert_eq!(syslog_prefix_len(b"host]: 1.2.3.4:5 [x]"), 0);
        assert_eq!(syslog_prefix_len(b"h haproxy[1]: x"), 14);
    }
}
